/*
 * tests/integration/aws_moto_client.c - drives liblambda-c-aws against a real SigV4-verifying
 * endpoint (moto_server) for tests/integration/test_aws_moto.py.
 *
 * usage: aws_moto_client OP ARGS...   (credentials, region and endpoint from the usual
 *                                      AWS_* environment variables)
 *   s3-create-bucket BUCKET          s3-put BUCKET KEY DATA       s3-get BUCKET KEY
 *   s3-stream BUCKET KEY BYTES       (streamed upload then streamed download, compared)
 *   s3-presign BUCKET KEY            (prints the URL)
 *   ddb-create-table TABLE           (key: pk + sk)               ddb-create-table-hash TABLE ATTR
 *   ddb-put TABLE PK SK VALUE        ddb-get TABLE PK SK          ddb-get-hash TABLE ATTR VALUE
 *   ddb-query TABLE PK               sqs-create-queue NAME        sqs-send QUEUE_URL BODY
 *   warm-s3 BUCKET KEY N             (N GETs on one client: prints new TCP connections)
 *   sts-assume-role ROLE_ARN         (AssumeRole: prints temporary credentials)
 *   sign SERVICE METHOD HOST PATH QUERY BODY EPOCH
 *                                    (no I/O: prints the canonical request, wire path and
 *                                     query, signature; QUERY is "a=1&b=2", unencoded)
 * Prints one JSON object: {"ok":bool,"rc":int,"status":int,"code":str,"error":str,...}.
 * Exit status 0 when ok.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "lambda-c/aws_client.h"
#include "lambda-c/aws_dynamodb.h"
#include "lambda-c/aws_s3.h"
#include "lambda-c/aws_sigv4.h"
#include "lambda-c/aws_sqs.h"

static json_object *result;

static int finish(lambda_code rc, const lambda_aws_response *r)
{
    json_object_object_add(result, "ok", json_object_new_boolean(rc == LAMBDA_OK));
    json_object_object_add(result, "rc", json_object_new_int(rc));
    if (r)
        json_object_object_add(result, "status",
                               json_object_new_int(lambda_aws_response_status(r)));
    const char *code = r ? lambda_aws_response_error_code(r) : lambda_aws_last_error_code();
    if (rc != LAMBDA_OK && !code)
        code = lambda_aws_last_error_code();
    if (code)
        json_object_object_add(result, "code", json_object_new_string(code));
    if (rc != LAMBDA_OK)
        json_object_object_add(result, "error", json_object_new_string(lambda_aws_last_error()));
    puts(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN));
    json_object_put(result);
    return rc == LAMBDA_OK ? 0 : 1;
}

/* The text between <tag> and </tag>, or NULL (malloc'd). */
static char *xml_value(const char *xml, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(xml, open);
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}

/* A deterministic byte stream for s3-stream. */
typedef struct stream {
    uint64_t len, off, hash;
} stream;

static unsigned char byte_at(uint64_t i)
{
    return (unsigned char)((i * 131u + 17u) ^ (i >> 11));
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static lambda_code stream_read(void *ctx, void *buf, size_t cap, size_t *out)
{
    stream *s = ctx;
    size_t n = s->len - s->off < cap ? (size_t)(s->len - s->off) : cap;
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = byte_at(s->off + i);
    s->hash = fnv(s->hash, b, n);
    s->off += n;
    *out = n;
    return LAMBDA_OK;
}

static lambda_code stream_rewind(void *ctx)
{
    stream *s = ctx;
    s->off = 0;
    s->hash = 14695981039346656037ull;
    return LAMBDA_OK;
}

static lambda_code stream_write(void *ctx, const void *data, size_t len)
{
    stream *s = ctx;
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        if (p[i] != byte_at(s->off + i))
            return LAMBDA_E_PROTOCOL;
    s->hash = fnv(s->hash, p, len);
    s->off += len;
    return LAMBDA_OK;
}

static json_object *parse(const char *s)
{
    json_object *o = json_tokener_parse(s);
    if (!o) {
        fprintf(stderr, "bad JSON: %s\n", s);
        exit(2);
    }
    return o;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OP ARGS... (see the source)\n", argv[0]);
        return 2;
    }
    result = json_object_new_object();
    const char *op = argv[1];
    lambda_aws_client *c;
    lambda_code rc = lambda_aws_client_new(NULL, &c);
    if (rc)
        return finish(rc, NULL);
    lambda_aws_response *r = NULL;
    int64_t deadline = 0;
    int status;

#define NEED(n)                                                   \
    if (argc != (n) + 2) {                                        \
        fprintf(stderr, "%s takes %d arguments\n", op, (int)(n)); \
        return 2;                                                 \
    }

    if (!strcmp(op, "s3-create-bucket")) {
        NEED(1);
        char path[512];
        snprintf(path, sizeof path, "/%s", argv[2]);
        lambda_aws_request req = {
            .service = "s3", .method = "PUT", .path = path, .deadline_ms = deadline
        };
        rc = lambda_aws_client_send(c, &req, &r);
    } else if (!strcmp(op, "s3-put")) {
        NEED(3);
        lambda_aws_s3_body b = { .data = argv[4],
                                 .len = strlen(argv[4]),
                                 .content_type = "application/json" };
        rc = lambda_aws_s3_put_object(c, argv[2], argv[3], &b, deadline, &r);
        if (r && lambda_aws_response_header(r, "ETag"))
            json_object_object_add(result, "etag",
                                   json_object_new_string(lambda_aws_response_header(r, "ETag")));
    } else if (!strcmp(op, "s3-get")) {
        NEED(2);
        rc = lambda_aws_s3_get_object(c, argv[2], argv[3], NULL, NULL, NULL, deadline, &r);
        if (rc == LAMBDA_OK)
            json_object_object_add(result, "body",
                                   json_object_new_string(lambda_aws_response_body(r, NULL)));
    } else if (!strcmp(op, "s3-stream")) {
        NEED(3);
        uint64_t n = strtoull(argv[4], NULL, 10);
        stream up = { .len = n, .hash = 14695981039346656037ull };
        lambda_aws_s3_body b = {
            .read = stream_read, .rewind = stream_rewind, .ctx = &up, .stream_len = n
        };
        rc = lambda_aws_s3_put_object(c, argv[2], argv[3], &b, deadline, NULL);
        if (rc == LAMBDA_OK) {
            stream down = { .len = n, .hash = 14695981039346656037ull };
            rc = lambda_aws_s3_get_object(c, argv[2], argv[3], NULL, stream_write, &down, deadline,
                                          &r);
            json_object_object_add(result, "downloaded", json_object_new_int64((int64_t)down.off));
            json_object_object_add(result, "same",
                                   json_object_new_boolean(down.off == n && down.hash == up.hash));
        }
    } else if (!strcmp(op, "s3-presign")) {
        NEED(2);
        char *url = NULL;
        rc = lambda_aws_s3_presign_get(c, argv[2], argv[3], 300, deadline, &url);
        if (url)
            json_object_object_add(result, "url", json_object_new_string(url));
        free(url);
    } else if (!strcmp(op, "warm-s3")) {
        NEED(3);
        int n = atoi(argv[4]);
        long connects = 0;
        json_object *each = json_object_new_array();
        for (int i = 0; i < n && rc == LAMBDA_OK; i++) {
            lambda_aws_response_free(r);
            r = NULL;
            rc = lambda_aws_s3_get_object(c, argv[2], argv[3], NULL, NULL, NULL, deadline, &r);
            if (r) {
                connects += lambda_aws_response_connects(r);
                json_object_array_add(each, json_object_new_int64(lambda_aws_response_connects(r)));
            }
        }
        json_object_object_add(result, "connects", json_object_new_int64(connects));
        json_object_object_add(result, "each", each);
    } else if (!strcmp(op, "ddb-create-table")) {
        NEED(1);
        json_object *in =
            parse("{\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                  "{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}],"
                  "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
                  "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                  "\"BillingMode\":\"PAY_PER_REQUEST\"}");
        json_object_object_add(in, "TableName", json_object_new_string(argv[2]));
        json_object *out = NULL;
        rc = lambda_aws_dynamodb_call(c, "CreateTable", in, deadline, &out);
        json_object_put(in);
        json_object_put(out);
    } else if (!strcmp(op, "ddb-create-table-hash")) {
        NEED(2);
        char in_text[512];
        snprintf(in_text, sizeof in_text,
                 "{\"AttributeDefinitions\":[{\"AttributeName\":\"%s\",\"AttributeType\":\"S\"}],"
                 "\"KeySchema\":[{\"AttributeName\":\"%s\",\"KeyType\":\"HASH\"}],"
                 "\"BillingMode\":\"PAY_PER_REQUEST\"}",
                 argv[3], argv[3]);
        json_object *in = parse(in_text), *out = NULL;
        json_object_object_add(in, "TableName", json_object_new_string(argv[2]));
        rc = lambda_aws_dynamodb_call(c, "CreateTable", in, deadline, &out);
        json_object_put(in);
        json_object_put(out);
    } else if (!strcmp(op, "ddb-get-hash")) {
        NEED(3);
        json_object *k = json_object_new_object(), *v = json_object_new_object(), *item = NULL;
        json_object_object_add(v, "S", json_object_new_string(argv[4]));
        json_object_object_add(k, argv[3], v);
        rc = lambda_aws_dynamodb_get_item(c, argv[2], k, 1, deadline, &item);
        if (item)
            json_object_object_add(result, "item", item);
        json_object_put(k);
    } else if (!strcmp(op, "ddb-put")) {
        NEED(4);
        json_object *item = json_object_new_object();
        json_object *pk = json_object_new_object(), *sk = json_object_new_object(),
                    *v = json_object_new_object();
        json_object_object_add(pk, "S", json_object_new_string(argv[3]));
        json_object_object_add(sk, "S", json_object_new_string(argv[4]));
        json_object_object_add(v, "S", json_object_new_string(argv[5]));
        json_object_object_add(item, "pk", pk);
        json_object_object_add(item, "sk", sk);
        json_object_object_add(item, "value", v);
        rc = lambda_aws_dynamodb_put_item(c, argv[2], item, deadline);
        json_object_put(item);
    } else if (!strcmp(op, "ddb-get")) {
        NEED(3);
        char key[512];
        snprintf(key, sizeof key, "{\"pk\":{\"S\":\"%s\"},\"sk\":{\"S\":\"%s\"}}", argv[3],
                 argv[4]);
        json_object *k = parse(key), *item = NULL;
        rc = lambda_aws_dynamodb_get_item(c, argv[2], k, 1, deadline, &item);
        if (item)
            json_object_object_add(result, "item", item);
        json_object_put(k);
    } else if (!strcmp(op, "ddb-query")) {
        NEED(2);
        char vals[256];
        snprintf(vals, sizeof vals, "{\":p\":{\"S\":\"%s\"}}", argv[3]);
        json_object *v = parse(vals), *out = NULL;
        rc = lambda_aws_dynamodb_query(c, argv[2], NULL, "pk = :p", v, deadline, &out);
        if (out)
            json_object_object_add(result, "output", out);
        json_object_put(v);
    } else if (!strcmp(op, "sqs-create-queue")) {
        NEED(1);
        lambda_aws_header h[] = { { "Content-Type", "application/x-amz-json-1.0" },
                                  { "X-Amz-Target", "AmazonSQS.CreateQueue" } };
        char body[256];
        snprintf(body, sizeof body, "{\"QueueName\":\"%s\"}", argv[2]);
        lambda_aws_request req = { .service = "sqs",
                                   .method = "POST",
                                   .path = "/",
                                   .headers = h,
                                   .header_count = 2,
                                   .body = body,
                                   .body_len = strlen(body) };
        rc = lambda_aws_client_send(c, &req, &r);
        if (rc == LAMBDA_OK) {
            json_object *o = parse(lambda_aws_response_body(r, NULL)), *u;
            if (json_object_object_get_ex(o, "QueueUrl", &u))
                json_object_object_add(result, "queue_url", json_object_get(u));
            json_object_put(o);
        }
    } else if (!strcmp(op, "sqs-send")) {
        NEED(2);
        char *id = NULL;
        rc = lambda_aws_sqs_send_message(c, argv[2], argv[3], NULL, deadline, &id);
        if (id)
            json_object_object_add(result, "message_id", json_object_new_string(id));
        free(id);
    } else if (!strcmp(op, "sts-assume-role")) {
        NEED(1);
        /* A form body percent-encoded as botocore encodes it (moto re-encodes the parsed form
         * to check the payload hash). */
        char arn[768] = "", *o = arn;
        for (const unsigned char *p = (const unsigned char *)argv[2];
             *p && o < arn + sizeof arn - 4; p++) {
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                strchr("-_.~", *p))
                *o++ = (char)*p;
            else
                o += sprintf(o, "%%%02X", *p);
        }
        *o = '\0';
        char body[1024];
        snprintf(body, sizeof body,
                 "Action=AssumeRole&Version=2011-06-15&RoleSessionName=lambda-c&RoleArn=%s", arn);
        lambda_aws_header h[] = { { "Content-Type",
                                    "application/x-www-form-urlencoded; charset=utf-8" } };
        lambda_aws_request req = { .service = "sts",
                                   .method = "POST",
                                   .path = "/",
                                   .headers = h,
                                   .header_count = 1,
                                   .body = body,
                                   .body_len = strlen(body) };
        rc = lambda_aws_client_send(c, &req, &r);
        if (rc == LAMBDA_OK) {
            const char *xml = lambda_aws_response_body(r, NULL);
            static const char *const tags[][2] = { { "AccessKeyId", "access_key_id" },
                                                   { "SecretAccessKey", "secret_access_key" },
                                                   { "SessionToken", "session_token" } };
            for (int i = 0; i < 3; i++) {
                char *v = xml_value(xml, tags[i][0]);
                if (v)
                    json_object_object_add(result, tags[i][1], json_object_new_string(v));
                free(v);
            }
        }
    } else if (!strcmp(op, "sign")) {
        NEED(7);
        lambda_aws_credentials_provider *p;
        lambda_aws_credentials *creds = NULL;
        rc = lambda_aws_credentials_provider_new_environment(&p);
        if (!rc)
            rc = lambda_aws_credentials_provider_get(p, 0, &creds);
        lambda_aws_query_param q[32];
        size_t nq = 0;
        char *query = strdup(argv[6]), *save = NULL;
        for (char *part = strtok_r(query, "&", &save); part && nq < 32;
             part = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(part, '=');
            if (eq)
                *eq = '\0';
            q[nq].name = part;
            q[nq].value = eq ? eq + 1 : NULL;
            nq++;
        }
        lambda_aws_header h[] = { { "Content-Type", "application/octet-stream" } };
        lambda_aws_sigv4_request sr = { .method = argv[3],
                                        .host = argv[4],
                                        .path = argv[5],
                                        .query = q,
                                        .query_count = nq,
                                        .headers = h,
                                        .header_count = 1,
                                        .body = argv[7],
                                        .body_len = strlen(argv[7]),
                                        .region = lambda_aws_client_region(c),
                                        .service = argv[2],
                                        .time_s = strtoll(argv[8], NULL, 10) };
        lambda_aws_signature *sig = NULL;
        if (!rc)
            rc = lambda_aws_sigv4_sign(creds, &sr, &sig);
        if (sig) {
            json_object_object_add(
                result, "canonical_request",
                json_object_new_string(lambda_aws_signature_canonical_request(sig)));
            json_object_object_add(result, "path",
                                   json_object_new_string(lambda_aws_signature_path(sig)));
            json_object_object_add(result, "query",
                                   json_object_new_string(lambda_aws_signature_query(sig)));
            json_object_object_add(result, "signature",
                                   json_object_new_string(lambda_aws_signature_signature(sig)));
        }
        lambda_aws_signature_free(sig);
        lambda_aws_credentials_unref(creds);
        lambda_aws_credentials_provider_free(p);
        free(query);
    } else {
        fprintf(stderr, "unknown op %s\n", op);
        return 2;
    }
    status = finish(rc, r);
    lambda_aws_response_free(r);
    lambda_aws_client_free(c);
    return status;
}
