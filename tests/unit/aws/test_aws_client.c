/*
 * tests/unit/test_aws_client.c - the AWS client against a scripted loopback server:
 * endpoints and region, wire format, connection reuse, retries with backoff, deadlines,
 * streaming both ways, error codes, thread safety, the service helpers, the CA bundle and
 * TRACE logs without secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "aws_test_server.h"
#include "core/handler/log_internal.h"
#include "aws/client_internal.h"
#include "lambda-c/aws_client.h"
#include "lambda-c/aws_dynamodb.h"
#include "lambda-c/aws_lambda.h"
#include "lambda-c/aws_s3.h"
#include "lambda-c/aws_sqs.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz"
#define TOKEN "IQoJb3JpZ2luX2VjEzzTOKENzz//+xyz=="

static void clear_env(void)
{
    static const char *const vars[] = { "AWS_REGION",
                                        "AWS_DEFAULT_REGION",
                                        "AWS_ENDPOINT_URL",
                                        "AWS_ENDPOINT_URL_S3",
                                        "AWS_ENDPOINT_URL_DYNAMODB",
                                        "AWS_ENDPOINT_URL_SQS",
                                        "AWS_ENDPOINT_URL_LAMBDA",
                                        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                        "AWS_ACCESS_KEY_ID",
                                        "AWS_SECRET_ACCESS_KEY",
                                        "AWS_SESSION_TOKEN",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                        "AWS_LAMBDA_LOG_LEVEL",
                                        "AWS_LAMBDA_LOG_FORMAT" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
}

/* A client for the stub server at port with static credentials. */
typedef struct fixture {
    ats_server srv;
    lambda_aws_credentials *creds;
    lambda_aws_credentials_provider *prov;
    lambda_aws_client *client;
} fixture;

static void fixture_start(fixture *f, ats_handler h, void *ctx,
                          const lambda_aws_client_options *extra)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(ats_start(&f->srv, h, ctx), 0);
    assert_int_equal(lambda_aws_credentials_new("AKIDTEST1234", SECRET, TOKEN, 0, &f->creds),
                     LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_new_static(f->creds, &f->prov), LAMBDA_OK);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->srv.port);
    lambda_aws_client_options o;
    memset(&o, 0, sizeof o);
    if (extra)
        o = *extra;
    o.region = "us-east-1";
    o.endpoint_url = url;
    o.credentials = f->prov;
    if (!o.retry_base_delay_ms)
        o.retry_base_delay_ms = 5;
    if (!o.throttle_base_delay_ms)
        o.throttle_base_delay_ms = 5;
    assert_int_equal(lambda_aws_client_new(&o, &f->client), LAMBDA_OK);
}

static void fixture_stop(fixture *f)
{
    lambda_aws_client_free(f->client);
    lambda_aws_credentials_provider_free(f->prov);
    lambda_aws_credentials_unref(f->creds);
    ats_stop(&f->srv);
    if (f->srv.failure[0])
        fail_msg("server: %s", f->srv.failure);
}

static void ok_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)s;
    (void)req;
    r->status = 200;
    r->body = "{\"ok\":true}";
    r->headers = "Content-Type: application/json\r\nX-Test: yes\r\n";
}

/* ------------------------------------------------------------------ endpoints */

static void endpoints_and_region(void **state)
{
    (void)state;
    clear_env();
    lambda_aws_client *c;
    assert_int_equal(lambda_aws_client_new(NULL, &c), LAMBDA_E_CONFIG); /* no region */
    assert_non_null(strstr(lambda_aws_last_error(), "AWS_REGION"));
    setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
    assert_int_equal(lambda_aws_client_new(NULL, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_client_region(c), "eu-west-3");
    lambda_aws_client_free(c);
    setenv("AWS_REGION", "cn-north-1", 1);
    assert_int_equal(lambda_aws_client_new(NULL, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_client_region(c), "cn-north-1");
    char *url;
    assert_int_equal(lambda_aws_client_endpoint(c, "dynamodb", &url), LAMBDA_OK);
    assert_string_equal(url, "https://dynamodb.cn-north-1.amazonaws.com.cn");
    free(url);
    lambda_aws_client_free(c);

    setenv("AWS_REGION", "us-west-2", 1);
    assert_int_equal(lambda_aws_client_new(NULL, &c), LAMBDA_OK);
    assert_int_equal(lambda_aws_client_endpoint(c, "s3", &url), LAMBDA_OK);
    assert_string_equal(url, "https://s3.us-west-2.amazonaws.com");
    free(url);
    /* Global override, then the service-specific one wins. */
    setenv("AWS_ENDPOINT_URL", "http://localhost:4566/", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "s3", &url), LAMBDA_OK);
    assert_string_equal(url, "http://localhost:4566");
    free(url);
    setenv("AWS_ENDPOINT_URL_S3", "https://s3.local:443/prefix/", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "s3", &url), LAMBDA_OK);
    assert_string_equal(url, "https://s3.local/prefix"); /* default port dropped */
    free(url);
    assert_int_equal(lambda_aws_client_endpoint(c, "dynamodb", &url), LAMBDA_OK);
    assert_string_equal(url, "http://localhost:4566");
    free(url);
    setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb.local:8000", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "dynamodb", &url), LAMBDA_OK);
    assert_string_equal(url, "http://ddb.local:8000");
    free(url);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "dynamodb", &url), LAMBDA_OK);
    assert_string_equal(url, "https://dynamodb.us-west-2.amazonaws.com");
    free(url);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    setenv("AWS_ENDPOINT_URL_SQS", "ftp://x", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "sqs", &url), LAMBDA_E_CONFIG);
    assert_null(url);
    setenv("AWS_ENDPOINT_URL_SQS", "http://x?y=1", 1);
    assert_int_equal(lambda_aws_client_endpoint(c, "sqs", &url), LAMBDA_E_CONFIG);
    assert_int_equal(lambda_aws_client_endpoint(c, "bad/service", &url), LAMBDA_E_INVALID_ARGUMENT);
    lambda_aws_client_free(c);

    lambda_aws_client_options o = { .region = "ap-south-1", .endpoint_url = "http://127.0.0.1:9" };
    assert_int_equal(lambda_aws_client_new(&o, &c), LAMBDA_OK);
    assert_int_equal(lambda_aws_client_endpoint(c, "s3", &url), LAMBDA_OK);
    assert_string_equal(url, "http://127.0.0.1:9");
    free(url);
    lambda_aws_client_free(c);
    o.max_attempts = -1;
    assert_int_equal(lambda_aws_client_new(&o, &c), LAMBDA_E_INVALID_ARGUMENT);
    clear_env();
}

/* ------------------------------------------------------------------ wire format */

static void request_on_the_wire(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, ok_handler, NULL, NULL);
    lambda_aws_query_param q[] = { { "b", "x y" }, { "a", "1" } };
    lambda_aws_header h[] = { { "Content-Type", "text/plain" }, { "X-Custom", "v" } };
    lambda_aws_request req = { .service = "svc",
                               .method = "POST",
                               .path = "/p q/r+s",
                               .query = q,
                               .query_count = 2,
                               .headers = h,
                               .header_count = 2,
                               .body = "hello",
                               .body_len = 5 };
    lambda_aws_response *r;
    assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_OK);
    assert_int_equal(lambda_aws_response_status(r), 200);
    assert_string_equal(lambda_aws_response_header(r, "x-test"), "yes");
    size_t len;
    assert_string_equal(lambda_aws_response_body(r, &len), "{\"ok\":true}");
    assert_int_equal(len, 11);
    assert_null(lambda_aws_response_error_code(r));
    assert_int_equal(lambda_aws_response_attempts(r), 1);
    assert_int_equal(lambda_aws_response_connects(r), 1);
    lambda_aws_response_free(r);

    ats_request got;
    assert_int_equal(ats_get(&f.srv, 0, &got), 0);
    assert_string_equal(got.method, "POST");
    assert_string_equal(got.target, "/p%20q/r%2Bs?a=1&b=x%20y");
    assert_string_equal(got.body, "hello");
    char v[512], host[64];
    snprintf(host, sizeof host, "127.0.0.1:%d", f.srv.port);
    assert_int_equal(ats_header(got.headers, "Host", v, sizeof v), 0);
    assert_string_equal(v, host);
    assert_int_equal(ats_header(got.headers, "X-Amz-Security-Token", v, sizeof v), 0);
    assert_string_equal(v, TOKEN);
    assert_int_equal(ats_header(got.headers, "Authorization", v, sizeof v), 0);
    assert_non_null(strstr(v, "AWS4-HMAC-SHA256 Credential=AKIDTEST1234/"));
    assert_non_null(
        strstr(v, "/us-east-1/svc/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                  "x-amz-security-token;x-custom, Signature="));
    assert_int_equal(ats_header(got.headers, "User-Agent", v, sizeof v), 0);
    assert_non_null(strstr(v, "lambda-c/"));
    assert_int_equal(ats_header(got.headers, "Expect", v, sizeof v), -1);
    assert_int_equal(ats_header(got.headers, "Content-Length", v, sizeof v), 0);
    assert_string_equal(v, "5");

    /* The client refuses headers it owns. */
    lambda_aws_header bad[] = { { "Host", "x" } };
    req.headers = bad;
    req.header_count = 1;
    assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(r);
    fixture_stop(&f);
}

/* Warm calls reuse one TCP connection. */
static void connection_reuse(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, ok_handler, NULL, NULL);
    for (int i = 0; i < 10; i++) {
        lambda_aws_request req = { .service = "s3",
                                   .method = i % 2 ? "GET" : "PUT",
                                   .path = "/b/k",
                                   .body = i % 2 ? NULL : "x",
                                   .body_len = i % 2 ? 0 : 1 };
        lambda_aws_response *r;
        assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_OK);
        assert_int_equal(lambda_aws_response_connects(r), i == 0 ? 1 : 0);
        lambda_aws_response_free(r);
    }
    assert_int_equal(f.srv.connections, 1);
    assert_int_equal(f.srv.requests, 10);
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ retries */

typedef struct script {
    int n;                 /* replies so far */
    int statuses[8];       /* reply i's status (0 = 200) */
    const char *bodies[8]; /* reply i's body */
    const char *headers[8];
} script;

static void script_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)req;
    script *sc = s->ctx;
    pthread_mutex_lock(&s->lock);
    int i = sc->n < 8 ? sc->n : 7;
    sc->n++;
    pthread_mutex_unlock(&s->lock);
    r->status = sc->statuses[i] ? sc->statuses[i] : 200;
    r->body = sc->bodies[i] ? sc->bodies[i] : "";
    r->headers = sc->headers[i];
}

static lambda_code send_simple(lambda_aws_client *c, lambda_aws_response **r)
{
    lambda_aws_request req = {
        .service = "dynamodb", .method = "POST", .path = "/", .body = "{}", .body_len = 2
    };
    return lambda_aws_client_send(c, &req, r);
}

static void retries(void **state)
{
    (void)state;
    /* 503 then 200: retried once. */
    script sc1 = { .statuses = { 503, 200 } };
    fixture f;
    fixture_start(&f, script_handler, &sc1, NULL);
    lambda_aws_response *r;
    assert_int_equal(send_simple(f.client, &r), LAMBDA_OK);
    assert_int_equal(lambda_aws_response_attempts(r), 2);
    lambda_aws_response_free(r);
    fixture_stop(&f);

    /* Throttling (400 + JSON __type), then 500, then 200. */
    script sc2 = { .statuses = { 400, 500, 200 },
                   .bodies = {
                       "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
                       "\"message\":\"Rate exceeded\"}" } };
    fixture_start(&f, script_handler, &sc2, NULL);
    assert_int_equal(send_simple(f.client, &r), LAMBDA_OK);
    assert_int_equal(lambda_aws_response_attempts(r), 3);
    lambda_aws_response_free(r);
    fixture_stop(&f);

    /* Always 500: 3 attempts, then LAMBDA_E_HTTP_STATUS with the response. */
    script sc3 = { .statuses = { 500, 500, 500, 500 },
                   .bodies = {
                       "<Error><Code>InternalError</Code><Message>boom</Message></Error>",
                       "<Error><Code>InternalError</Code><Message>boom</Message></Error>",
                       "<Error><Code>InternalError</Code><Message>boom</Message></Error>" } };
    fixture_start(&f, script_handler, &sc3, NULL);
    assert_int_equal(send_simple(f.client, &r), LAMBDA_E_HTTP_STATUS);
    assert_non_null(r);
    assert_int_equal(lambda_aws_response_status(r), 500);
    assert_int_equal(lambda_aws_response_attempts(r), 3);
    assert_string_equal(lambda_aws_response_error_code(r), "InternalError");
    assert_string_equal(lambda_aws_response_error_message(r), "boom");
    assert_string_equal(lambda_aws_last_error_code(), "InternalError");
    assert_non_null(strstr(lambda_aws_last_error(), "HTTP 500 InternalError: boom"));
    lambda_aws_response_free(r);
    assert_int_equal(sc3.n, 3);
    fixture_stop(&f);

    /* A client error is not retried; the code comes from X-Amzn-ErrorType. */
    script sc4 = {
        .statuses = { 400 },
        .headers = { "X-Amzn-ErrorType: ValidationException:http://internal.amazon.com/\r\n" },
        .bodies = { "{\"message\":\"bad\"}" }
    };
    fixture_start(&f, script_handler, &sc4, NULL);
    assert_int_equal(send_simple(f.client, &r), LAMBDA_E_HTTP_STATUS);
    assert_int_equal(lambda_aws_response_attempts(r), 1);
    assert_string_equal(lambda_aws_response_error_code(r), "ValidationException");
    assert_string_equal(lambda_aws_response_error_message(r), "bad");
    lambda_aws_response_free(r);
    fixture_stop(&f);

    /* max_attempts = 1: no retry at all. */
    script sc5 = { .statuses = { 503, 200 } };
    lambda_aws_client_options o = { .max_attempts = 1 };
    fixture_start(&f, script_handler, &sc5, &o);
    assert_int_equal(send_simple(f.client, &r), LAMBDA_E_HTTP_STATUS);
    assert_int_equal(lambda_aws_response_attempts(r), 1);
    lambda_aws_response_free(r);
    fixture_stop(&f);

    /* Connection refused: retried, then LAMBDA_E_CONNECT, no response. */
    ats_server tmp;
    assert_int_equal(ats_start(&tmp, ok_handler, NULL), 0);
    int port = tmp.port;
    ats_stop(&tmp); /* the port is closed now */
    lambda_aws_credentials *cr;
    lambda_aws_credentials_provider *pv;
    assert_int_equal(lambda_aws_credentials_new("AKIDX", "s", NULL, 0, &cr), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_new_static(cr, &pv), LAMBDA_OK);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    lambda_aws_client_options o2 = {
        .region = "us-east-1", .endpoint_url = url, .credentials = pv, .retry_base_delay_ms = 5
    };
    lambda_aws_client *c;
    assert_int_equal(lambda_aws_client_new(&o2, &c), LAMBDA_OK);
    assert_int_equal(send_simple(c, &r), LAMBDA_E_CONNECT);
    assert_null(r);
    lambda_aws_client_free(c);
    lambda_aws_credentials_provider_free(pv);
    lambda_aws_credentials_unref(cr);
}

/* Backoff is exponential with full jitter: the waits stay within base * 2^(n-1). */
static void backoff_bounds(void **state)
{
    (void)state;
    script sc = { .statuses = { 503, 503, 503 } };
    lambda_aws_client_options o = { .retry_base_delay_ms = 100, .max_attempts = 3 };
    fixture f;
    fixture_start(&f, script_handler, &sc, &o);
    int64_t t0 = ats_now_ms_for_tests();
    lambda_aws_response *r;
    assert_int_equal(send_simple(f.client, &r), LAMBDA_E_HTTP_STATUS);
    int64_t took = ats_now_ms_for_tests() - t0;
    lambda_aws_response_free(r);
    /* Two waits: at most 100 + 200 ms (plus request time). */
    assert_true(took < 300 + 500);
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ deadlines */

static void slow_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)s;
    (void)req;
    r->delay_ms = 1500;
    r->body = "late";
}

static void deadlines(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, slow_handler, NULL, NULL);
    lambda_aws_request req = { .service = "s3", .method = "GET", .path = "/b/k" };
    lambda_aws_response *r;
    /* Already passed: nothing is sent. */
    req.deadline_ms = ats_now_ms_for_tests() - 1;
    assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_E_TIMEOUT);
    assert_null(r);
    assert_int_equal(f.srv.requests, 0);
    /* 300 ms left against a 1.5 s answer: the call returns at the deadline, no retry. */
    int64_t t0 = ats_now_ms_for_tests();
    req.deadline_ms = t0 + 300;
    assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_E_TIMEOUT);
    int64_t took = ats_now_ms_for_tests() - t0;
    assert_true(took >= 250 && took < 900);
    assert_null(r);
    /* A per-attempt timeout_ms below the answer time also times out. */
    fixture_stop(&f);
    lambda_aws_client_options o = { .timeout_ms = 200, .max_attempts = 2 };
    fixture_start(&f, slow_handler, NULL, &o);
    req.deadline_ms = 0;
    t0 = ats_now_ms_for_tests();
    assert_int_equal(lambda_aws_client_send(f.client, &req, &r), LAMBDA_E_TIMEOUT);
    took = ats_now_ms_for_tests() - t0;
    assert_true(took >= 350 && took < 1400); /* two attempts of 200 ms */
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ streaming */

typedef struct gen_reader {
    uint64_t len, off;
    int rewinds;
} gen_reader;

static lambda_code gen_read(void *ctx, void *buf, size_t cap, size_t *out)
{
    gen_reader *g = ctx;
    size_t n = g->len - g->off < cap ? (size_t)(g->len - g->off) : cap;
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = ats_pattern(g->off + i);
    g->off += n;
    *out = n;
    return LAMBDA_OK;
}

static lambda_code gen_rewind(void *ctx)
{
    gen_reader *g = ctx;
    g->off = 0;
    g->rewinds++;
    return LAMBDA_OK;
}

typedef struct hash_writer {
    uint64_t hash, len, calls;
    uint64_t abort_after;
} hash_writer;

static lambda_code hash_write(void *ctx, const void *data, size_t len)
{
    hash_writer *w = ctx;
    w->hash = ats_fnv(w->hash, data, len);
    w->len += len;
    w->calls++;
    if (w->abort_after && w->len >= w->abort_after)
        return LAMBDA_E_TOO_LARGE;
    return LAMBDA_OK;
}

static uint64_t pattern_hash(uint64_t len)
{
    uint64_t h = ATS_FNV_INIT;
    unsigned char chunk[4096];
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < sizeof chunk ? (size_t)(len - off) : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = ats_pattern(off + i);
        h = ats_fnv(h, chunk, n);
        off += n;
    }
    return h;
}

#define BIG (8u * 1024 * 1024 + 123)

static void big_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)s;
    if (!strcmp(req->method, "GET")) {
        if (strstr(req->target, "missing")) {
            r->status = 404;
            r->body = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified "
                      "key does not "
                      "exist.</Message></Error>";
            return;
        }
        r->gen_len = BIG;
        return;
    }
    r->status = 200;
    r->headers = "ETag: \"etag-1\"\r\n";
}

static void streaming(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, big_handler, NULL, NULL);
    /* Upload 8 MiB from a callback: never buffered, UNSIGNED-PAYLOAD, exact bytes. */
    gen_reader g = { .len = BIG };
    lambda_aws_s3_body body = { .read = gen_read,
                                .rewind = gen_rewind,
                                .ctx = &g,
                                .stream_len = BIG,
                                .content_type = "application/octet-stream" };
    lambda_aws_response *r;
    assert_int_equal(lambda_aws_s3_put_object(f.client, "bucket", "big object.bin", &body, 0, &r),
                     LAMBDA_OK);
    assert_string_equal(lambda_aws_response_header(r, "ETag"), "\"etag-1\"");
    lambda_aws_response_free(r);
    ats_request got;
    assert_int_equal(ats_get(&f.srv, 0, &got), 0);
    assert_string_equal(got.method, "PUT");
    assert_string_equal(got.target,
                        "/bucket/big%20object.bin"); /* path-style: endpoint overridden */
    assert_int_equal(got.body_len, BIG);
    assert_true(got.body_hash == pattern_hash(BIG));
    char v[256];
    assert_int_equal(ats_header(got.headers, "x-amz-content-sha256", v, sizeof v), 0);
    assert_string_equal(v, "UNSIGNED-PAYLOAD");

    /* Download 8 MiB into a callback: nothing buffered in the response. */
    hash_writer w = { .hash = ATS_FNV_INIT };
    assert_int_equal(
        lambda_aws_s3_get_object(f.client, "bucket", "big object.bin", NULL, hash_write, &w, 0, &r),
        LAMBDA_OK);
    assert_int_equal(w.len, BIG);
    assert_true(w.hash == pattern_hash(BIG));
    assert_true(w.calls > 1);
    size_t blen;
    lambda_aws_response_body(r, &blen);
    assert_int_equal(blen, 0);
    lambda_aws_response_free(r);

    /* The writer aborts: its code comes back. */
    hash_writer w2 = { .hash = ATS_FNV_INIT, .abort_after = 100000 };
    assert_int_equal(
        lambda_aws_s3_get_object(f.client, "bucket", "k", NULL, hash_write, &w2, 0, &r),
        LAMBDA_E_TOO_LARGE);
    assert_null(r);

    /* An error answer is buffered and parsed, never passed to the writer. */
    hash_writer w3 = { .hash = ATS_FNV_INIT };
    assert_int_equal(
        lambda_aws_s3_get_object(f.client, "bucket", "missing", NULL, hash_write, &w3, 0, &r),
        LAMBDA_E_HTTP_STATUS);
    assert_int_equal(w3.calls, 0);
    assert_int_equal(lambda_aws_response_status(r), 404);
    assert_string_equal(lambda_aws_response_error_code(r), "NoSuchKey");
    assert_string_equal(lambda_aws_last_error_code(), "NoSuchKey");
    lambda_aws_response_free(r);

    /* A buffered GET with a Range header. */
    assert_int_equal(
        lambda_aws_s3_get_object(f.client, "bucket", "k", "bytes=0-9", NULL, NULL, 0, &r),
        LAMBDA_OK);
    lambda_aws_response_body(r, &blen);
    assert_int_equal(blen, BIG);
    lambda_aws_response_free(r);
    int n = f.srv.logged;
    assert_int_equal(ats_get(&f.srv, n - 1, &got), 0);
    assert_int_equal(ats_header(got.headers, "Range", v, sizeof v), 0);
    assert_string_equal(v, "bytes=0-9");

    /* A streamed body shorter than announced fails cleanly. */
    gen_reader g2 = { .len = 10 };
    lambda_aws_s3_body shortb = { .read = gen_read, .ctx = &g2, .stream_len = 20 };
    assert_int_equal(lambda_aws_s3_put_object(f.client, "bucket", "k", &shortb, 0, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(f.srv.connections >= 1, 1);
    fixture_stop(&f);
}

/* A streamed upload is retried only after a rewind. */
static void streaming_retry(void **state)
{
    (void)state;
    script sc = { .statuses = { 503, 200 } };
    fixture f;
    fixture_start(&f, script_handler, &sc, NULL);
    gen_reader g = { .len = 100000 };
    lambda_aws_s3_body body = {
        .read = gen_read, .rewind = gen_rewind, .ctx = &g, .stream_len = 100000
    };
    lambda_aws_response *r;
    assert_int_equal(lambda_aws_s3_put_object(f.client, "bucket", "k", &body, 0, &r), LAMBDA_OK);
    assert_int_equal(lambda_aws_response_attempts(r), 2);
    assert_int_equal(g.rewinds, 1);
    lambda_aws_response_free(r);
    ats_request got;
    assert_int_equal(ats_get(&f.srv, 1, &got), 0);
    assert_true(got.body_hash == pattern_hash(100000));
    fixture_stop(&f);
    /* Without a rewind callback: sent once. */
    script sc2 = { .statuses = { 503, 200 } };
    fixture_start(&f, script_handler, &sc2, NULL);
    gen_reader g2 = { .len = 1000 };
    lambda_aws_s3_body body2 = { .read = gen_read, .ctx = &g2, .stream_len = 1000 };
    assert_int_equal(lambda_aws_s3_put_object(f.client, "bucket", "k", &body2, 0, &r),
                     LAMBDA_E_HTTP_STATUS);
    assert_int_equal(lambda_aws_response_attempts(r), 1);
    lambda_aws_response_free(r);
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ threads */

typedef struct thread_arg {
    lambda_aws_client *c;
    int failures;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *a = p;
    for (int i = 0; i < 25; i++) {
        lambda_aws_response *r;
        if (send_simple(a->c, &r) != LAMBDA_OK || lambda_aws_response_status(r) != 200)
            a->failures++;
        lambda_aws_response_free(r);
    }
    return NULL;
}

static void threads_share_a_client(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, ok_handler, NULL, NULL);
    pthread_t t[8];
    thread_arg a[8];
    for (int i = 0; i < 8; i++) {
        a[i].c = f.client;
        a[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &a[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].failures, 0);
    }
    assert_int_equal(f.srv.requests, 200);
    assert_true(f.srv.connections <= 8); /* one pooled handle (connection) per concurrent caller */
    fixture_stop(&f);
}

/* ------------------------------------------------------------------ service helpers */

static void service_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)s;
    char target[128] = "";
    ats_header(req->headers, "X-Amz-Target", target, sizeof target);
    if (!strcmp(target, "DynamoDB_20120810.GetItem")) {
        r->body = strstr(req->body, "\"absent\"")
                      ? "{}"
                      : "{\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"7\"}}}";
    } else if (!strcmp(target, "DynamoDB_20120810.PutItem")) {
        if (strstr(req->body, "\"fail\"")) {
            r->status = 400;
            r->body =
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                "\"message\":\"The conditional request failed\"}";
        } else {
            r->body = "{}";
        }
    } else if (!strcmp(target, "DynamoDB_20120810.Query")) {
        r->body = "{\"Count\":1,\"Items\":[{\"pk\":{\"S\":\"a\"}}]}";
    } else if (!strcmp(target, "AmazonSQS.SendMessage")) {
        r->body =
            "{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\",\"MD5OfMessageBody\":\"x\"}";
    } else if (strstr(req->target, "/invocations")) {
        r->body = "{\"result\":42}";
        r->headers = "X-Amz-Executed-Version: $LATEST\r\n";
    } else {
        r->status = 400;
        r->body = "{}";
    }
}

static void service_helpers(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, service_handler, NULL, NULL);
    json_object *key = json_tokener_parse("{\"pk\":{\"S\":\"a\"}}");
    json_object *item = NULL;
    assert_int_equal(lambda_aws_dynamodb_get_item(f.client, "t1", key, 1, 0, &item), LAMBDA_OK);
    assert_string_equal(json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN),
                        "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"7\"}}");
    json_object_put(item);
    ats_request got;
    assert_int_equal(ats_get(&f.srv, 0, &got), 0);
    assert_string_equal(
        got.body, "{\"TableName\":\"t1\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"ConsistentRead\":true}");
    char v[256];
    assert_int_equal(ats_header(got.headers, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "application/x-amz-json-1.0");
    assert_string_equal(got.target, "/");
    json_object *absent = json_tokener_parse("{\"pk\":{\"S\":\"absent\"}}");
    assert_int_equal(lambda_aws_dynamodb_get_item(f.client, "t1", absent, 0, 0, &item),
                     LAMBDA_E_NOT_FOUND);
    assert_null(item);
    json_object_put(absent);

    assert_int_equal(lambda_aws_dynamodb_put_item(f.client, "t1", key, 0), LAMBDA_OK);
    json_object *bad = json_tokener_parse("{\"pk\":{\"S\":\"fail\"}}");
    assert_int_equal(lambda_aws_dynamodb_put_item(f.client, "t1", bad, 0), LAMBDA_E_HTTP_STATUS);
    assert_string_equal(lambda_aws_last_error_code(), "ConditionalCheckFailedException");
    json_object_put(bad);

    json_object *vals = json_tokener_parse("{\":p\":{\"S\":\"a\"}}");
    json_object *out = NULL;
    assert_int_equal(lambda_aws_dynamodb_query(f.client, "t1", NULL, "pk = :p", vals, 0, &out),
                     LAMBDA_OK);
    json_object *count;
    assert_true(json_object_object_get_ex(out, "Count", &count));
    assert_int_equal(json_object_get_int(count), 1);
    json_object_put(out);
    json_object_put(vals);
    json_object_put(key);

    char *mid = NULL;
    assert_int_equal(
        lambda_aws_sqs_send_message(f.client, "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                    "hello", NULL, 0, &mid),
        LAMBDA_OK);
    assert_string_equal(mid, "5fea7756-0ea4-451a-a703-a558b933e274");
    free(mid);

    lambda_aws_response *r;
    assert_int_equal(lambda_aws_lambda_invoke(f.client,
                                              "arn:aws:lambda:us-east-1:123456789012:function:f",
                                              "{}", 2, "RequestResponse", 0, &r),
                     LAMBDA_OK);
    assert_string_equal(lambda_aws_response_body(r, NULL), "{\"result\":42}");
    lambda_aws_response_free(r);
    int n = f.srv.logged;
    assert_int_equal(ats_get(&f.srv, n - 1, &got), 0);
    assert_string_equal(got.target,
                        "/2015-03-31/functions/"
                        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations");
    assert_int_equal(ats_header(got.headers, "X-Amz-Invocation-Type", v, sizeof v), 0);
    assert_string_equal(v, "RequestResponse");

    /* Presigned GET against the overridden endpoint: path-style, http. */
    char *url;
    assert_int_equal(lambda_aws_s3_presign_get(f.client, "bucket", "a b.txt", 600, 0, &url),
                     LAMBDA_OK);
    char prefix[128];
    snprintf(prefix, sizeof prefix,
             "http://127.0.0.1:%d/bucket/a%%20b.txt?X-Amz-Algorithm=", f.srv.port);
    assert_true(!strncmp(url, prefix, strlen(prefix)));
    assert_non_null(strstr(url, "&X-Amz-Security-Token="));
    free(url);
    fixture_stop(&f);
}

/* Virtual-hosted addressing against AWS itself (no request sent: presign only). */
static void s3_addressing(void **state)
{
    (void)state;
    clear_env();
    lambda_aws_credentials *cr;
    lambda_aws_credentials_provider *pv;
    assert_int_equal(lambda_aws_credentials_new("AKIDX", "s", NULL, 0, &cr), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_new_static(cr, &pv), LAMBDA_OK);
    lambda_aws_client_options o = { .region = "eu-central-1", .credentials = pv };
    lambda_aws_client *c;
    assert_int_equal(lambda_aws_client_new(&o, &c), LAMBDA_OK);
    char *url;
    assert_int_equal(lambda_aws_s3_presign_get(c, "my-bucket", "dir/k.txt", 60, 0, &url),
                     LAMBDA_OK);
    assert_true(!strncmp(url, "https://my-bucket.s3.eu-central-1.amazonaws.com/dir/k.txt?", 57));
    free(url);
    /* Dots (TLS wildcard) or upper case: path-style. */
    assert_int_equal(lambda_aws_s3_presign_get(c, "my.bucket", "k", 60, 0, &url), LAMBDA_OK);
    assert_true(!strncmp(url, "https://s3.eu-central-1.amazonaws.com/my.bucket/k?", 50));
    free(url);
    lambda_aws_client_free(c);
    o.s3_path_style = 1;
    assert_int_equal(lambda_aws_client_new(&o, &c), LAMBDA_OK);
    assert_int_equal(lambda_aws_s3_presign_get(c, "my-bucket", "k", 60, 0, &url), LAMBDA_OK);
    assert_true(!strncmp(url, "https://s3.eu-central-1.amazonaws.com/my-bucket/k?", 50));
    free(url);
    assert_int_equal(lambda_aws_s3_presign_get(c, "", "k", 60, 0, &url), LAMBDA_E_INVALID_ARGUMENT);
    lambda_aws_client_free(c);
    lambda_aws_credentials_provider_free(pv);
    lambda_aws_credentials_unref(cr);
}

/* ------------------------------------------------------------------ CA bundle */

static void ca_bundle(void **state)
{
    (void)state;
    assert_string_equal(lc_ca_bundle_select("custom-bundle.pem"),
                        "custom-bundle.pem"); /* SSL_CERT_FILE wins */
    const char *al = "/etc/pki/tls/certs/ca-bundle.crt",
               *debian = "/etc/ssl/certs/ca-certificates.crt";
    const char *picked = lc_ca_bundle_select(NULL);
    if (access(al, R_OK) == 0)
        assert_string_equal(picked, al);
    else if (access(debian, R_OK) == 0)
        assert_string_equal(picked, debian);
    else
        assert_null(picked);
    assert_ptr_equal(lc_ca_bundle_select(""), picked); /* empty SSL_CERT_FILE: ignored */
}

/* ------------------------------------------------------------------ logs */

static void trace_logs_have_no_secrets(void **state)
{
    (void)state;
    fixture f;
    fixture_start(&f, ok_handler, NULL, NULL);
    setenv("AWS_LAMBDA_LOG_LEVEL", "TRACE", 1);
    lc_log_reload_settings();
    ats_capture cap;
    assert_int_equal(ats_capture_start(&cap), 0);
    lambda_aws_header h[] = { { "x-amz-server-side-encryption-customer-key",
                                "c2VjcmV0LWN1c3RvbWVyLWtleQ==" } };
    lambda_aws_request req = { .service = "s3",
                               .method = "PUT",
                               .path = "/b/k",
                               .headers = h,
                               .header_count = 1,
                               .body = "data",
                               .body_len = 4 };
    lambda_aws_response *r;
    lambda_code rc = lambda_aws_client_send(f.client, &req, &r);
    char *out = ats_capture_end(&cap);
    unsetenv("AWS_LAMBDA_LOG_LEVEL");
    lc_log_reload_settings();
    assert_int_equal(rc, LAMBDA_OK);
    lambda_aws_response_free(r);
    assert_non_null(out);
    assert_non_null(strstr(out, "TRACE"));
    assert_non_null(strstr(out, "canonical request"));
    assert_non_null(strstr(out, "x-amz-security-token:<redacted>"));
    assert_null(strstr(out, SECRET));
    assert_null(strstr(out, TOKEN));
    assert_null(strstr(out, "c2VjcmV0LWN1c3RvbWVyLWtleQ=="));
    free(out);
    fixture_stop(&f);
}

int main(void)
{
    alarm(300);
    clear_env();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(endpoints_and_region),
        cmocka_unit_test(request_on_the_wire),
        cmocka_unit_test(connection_reuse),
        cmocka_unit_test(retries),
        cmocka_unit_test(backoff_bounds),
        cmocka_unit_test(deadlines),
        cmocka_unit_test(streaming),
        cmocka_unit_test(streaming_retry),
        cmocka_unit_test(threads_share_a_client),
        cmocka_unit_test(service_helpers),
        cmocka_unit_test(s3_addressing),
        cmocka_unit_test(ca_bundle),
        cmocka_unit_test(trace_logs_have_no_secrets),
    };
    return cmocka_run_group_tests_name("aws-client", tests, NULL, NULL);
}
