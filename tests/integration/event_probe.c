/*
 * tests/integration/event_probe.c - what the SDK's typed event views see in an event, for
 * tests/integration/test_event_command.py (events made by `lambda-c event`).
 *
 * usage: event_probe KIND < EVENT.json
 *   KIND: http, sqs, sns, s3, eventbridge, dynamodb, kinesis
 * Prints one JSON object of the values the views return (binary data as lowercase hex;
 * DynamoDB attribute maps back as plain JSON). Exit status 0 when the event parsed, 1 when a
 * view rejected it (with {"error": "..."}), 2 on bad usage or unreadable input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "lambda-c.h"
#include "lambda-c/event_dynamodb.h"
#include "lambda-c/event_eventbridge.h"
#include "lambda-c/event_http.h"
#include "lambda-c/event_kinesis.h"
#include "lambda-c/event_s3.h"
#include "lambda-c/event_sns.h"
#include "lambda-c/event_sqs.h"

#define MAX_BINARY (1 << 20)

static json_object *str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *hex(const void *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    char *text = malloc(size * 2 + 1);
    if (!text)
        return NULL;
    for (size_t i = 0; i < size; i++) {
        text[2 * i] = digits[((const unsigned char *)data)[i] >> 4];
        text[2 * i + 1] = digits[((const unsigned char *)data)[i] & 15];
    }
    text[size * 2] = '\0';
    json_object *out = json_object_new_string(text);
    free(text);
    return out;
}

/* {name: [values]} from a count / at / value_count / value_at family. */
typedef const char *(*at_fn)(const lambda_http_request *, size_t, const char **);
typedef size_t (*count_fn)(const lambda_http_request *, const char *);
typedef const char *(*value_fn)(const lambda_http_request *, const char *, size_t);

static json_object *http_multi(const lambda_http_request *req, size_t n, at_fn at, count_fn count,
                               value_fn value)
{
    json_object *out = json_object_new_object();
    for (size_t i = 0; i < n; i++) {
        const char *v;
        const char *name = at(req, i, &v);
        if (json_object_object_get_ex(out, name, NULL))
            continue;
        json_object *values = json_object_new_array();
        for (size_t j = 0; j < count(req, name); j++)
            json_object_array_add(values, str(value(req, name, j)));
        json_object_object_add(out, name, values);
    }
    return out;
}

/* {name: value} from a count / at family (path parameters, cookies). */
static json_object *http_pairs(const lambda_http_request *req, size_t n, at_fn at)
{
    json_object *out = json_object_new_object();
    for (size_t i = 0; i < n; i++) {
        const char *v;
        const char *name = at(req, i, &v);
        json_object_object_add(out, name, str(v));
    }
    return out;
}

static int probe_http(json_object *root, json_object *out)
{
    lambda_http_request *req;
    lambda_code rc = lambda_http_request_parse(root, &req);
    if (rc != LAMBDA_OK)
        return rc;
    json_object_object_add(out, "format", json_object_new_int(lambda_http_request_format(req)));
    json_object_object_add(out, "method", str(lambda_http_request_method(req)));
    json_object_object_add(out, "path", str(lambda_http_request_path(req)));
    json_object_object_add(out, "raw_query", str(lambda_http_request_raw_query(req)));
    json_object_object_add(
        out, "headers",
        http_multi(req, lambda_http_request_header_count(req), lambda_http_request_header_at,
                   lambda_http_request_header_value_count, lambda_http_request_header_value));
    json_object_object_add(
        out, "query",
        http_multi(req, lambda_http_request_query_count(req), lambda_http_request_query_at,
                   lambda_http_request_query_value_count, lambda_http_request_query_value));
    json_object_object_add(out, "path_params",
                           http_pairs(req, lambda_http_request_path_param_count(req),
                                      lambda_http_request_path_param_at));
    json_object_object_add(
        out, "cookies",
        http_pairs(req, lambda_http_request_cookie_count(req), lambda_http_request_cookie_at));
    const void *body;
    size_t size;
    rc = lambda_http_request_body(req, &body, &size);
    if (rc == LAMBDA_OK)
        json_object_object_add(out, "body_hex", hex(body, size));
    json_object_object_add(out, "body_is_base64",
                           json_object_new_boolean(lambda_http_request_body_is_base64(req)));
    json_object_object_add(out, "request_id", str(lambda_http_request_request_id(req)));
    json_object_object_add(out, "source_ip", str(lambda_http_request_source_ip(req)));
    json_object_object_add(out, "stage", str(lambda_http_request_stage(req)));
    json_object_object_add(out, "domain_name", str(lambda_http_request_domain_name(req)));
    lambda_http_request_free(req);
    return rc;
}

static int probe_sqs(json_object *root, json_object *out)
{
    lambda_sqs_event *ev;
    lambda_code rc = lambda_sqs_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *records = json_object_new_array();
    for (size_t i = 0; i < lambda_sqs_event_count(ev); i++) {
        const lambda_sqs_message *m = lambda_sqs_event_message(ev, i);
        json_object *r = json_object_new_object(), *attrs = json_object_new_object();
        size_t len;
        const char *body = lambda_sqs_message_body(m, &len);
        json_object_object_add(r, "id", str(lambda_sqs_message_id(m)));
        json_object_object_add(r, "receipt_handle", str(lambda_sqs_message_receipt_handle(m)));
        json_object_object_add(r, "body", body ? json_object_new_string_len(body, (int)len) : NULL);
        json_object_object_add(r, "md5", str(lambda_sqs_message_md5_of_body(m)));
        json_object_object_add(r, "arn", str(lambda_sqs_message_event_source_arn(m)));
        json_object_object_add(r, "region", str(lambda_sqs_message_aws_region(m)));
        json_object_object_add(r, "group_id",
                               str(lambda_sqs_message_system_attribute(m, "MessageGroupId")));
        for (size_t j = 0; j < lambda_sqs_message_attribute_count(m); j++) {
            const char *name = lambda_sqs_message_attribute_name(m, j);
            json_object_object_add(attrs, name, str(lambda_sqs_message_attribute_string(m, name)));
        }
        json_object_object_add(r, "attributes", attrs);
        json_object_array_add(records, r);
    }
    json_object_object_add(out, "records", records);
    lambda_sqs_event_free(ev);
    return LAMBDA_OK;
}

static int probe_sns(json_object *root, json_object *out)
{
    lambda_sns_event *ev;
    lambda_code rc = lambda_sns_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *records = json_object_new_array();
    for (size_t i = 0; i < lambda_sns_event_count(ev); i++) {
        const lambda_sns_record *m = lambda_sns_event_record(ev, i);
        json_object *r = json_object_new_object(), *attrs = json_object_new_object();
        size_t len;
        const char *message = lambda_sns_record_message(m, &len);
        json_object_object_add(r, "message",
                               message ? json_object_new_string_len(message, (int)len) : NULL);
        json_object_object_add(r, "message_id", str(lambda_sns_record_message_id(m)));
        json_object_object_add(r, "subject", str(lambda_sns_record_subject(m)));
        json_object_object_add(r, "topic_arn", str(lambda_sns_record_topic_arn(m)));
        json_object_object_add(r, "subscription_arn", str(lambda_sns_record_subscription_arn(m)));
        json_object_object_add(r, "timestamp", str(lambda_sns_record_timestamp(m)));
        json_object_object_add(r, "type", str(lambda_sns_record_type(m)));
        for (size_t j = 0; j < lambda_sns_record_attribute_count(m); j++) {
            const char *name = lambda_sns_record_attribute_name(m, j);
            json_object_object_add(attrs, name, str(lambda_sns_record_attribute_value(m, name)));
        }
        json_object_object_add(r, "attributes", attrs);
        json_object_array_add(records, r);
    }
    json_object_object_add(out, "records", records);
    lambda_sns_event_free(ev);
    return LAMBDA_OK;
}

static int probe_s3(json_object *root, json_object *out)
{
    lambda_s3_event *ev;
    lambda_code rc = lambda_s3_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *records = json_object_new_array();
    for (size_t i = 0; i < lambda_s3_event_count(ev) && rc == LAMBDA_OK; i++) {
        const lambda_s3_record *m = lambda_s3_event_record(ev, i);
        json_object *r = json_object_new_object();
        const char *key;
        size_t len;
        rc = lambda_s3_record_object_key(m, &key, &len);
        if (rc == LAMBDA_OK)
            json_object_object_add(r, "key", json_object_new_string_len(key, (int)len));
        json_object_object_add(r, "key_raw", str(lambda_s3_record_object_key_raw(m)));
        json_object_object_add(r, "event_name", str(lambda_s3_record_event_name(m)));
        json_object_object_add(r, "event_time", str(lambda_s3_record_event_time(m)));
        json_object_object_add(r, "region", str(lambda_s3_record_aws_region(m)));
        json_object_object_add(r, "bucket", str(lambda_s3_record_bucket_name(m)));
        json_object_object_add(r, "bucket_arn", str(lambda_s3_record_bucket_arn(m)));
        json_object_object_add(r, "size", json_object_new_int64(lambda_s3_record_object_size(m)));
        json_object_object_add(r, "etag", str(lambda_s3_record_object_etag(m)));
        json_object_object_add(r, "sequencer", str(lambda_s3_record_object_sequencer(m)));
        json_object_array_add(records, r);
    }
    json_object_object_add(out, "records", records);
    lambda_s3_event_free(ev);
    return rc;
}

static int probe_eventbridge(json_object *root, json_object *out)
{
    lambda_eventbridge_event *ev;
    lambda_code rc = lambda_eventbridge_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *resources = json_object_new_array();
    json_object_object_add(out, "id", str(lambda_eventbridge_event_id(ev)));
    json_object_object_add(out, "version", str(lambda_eventbridge_event_version(ev)));
    json_object_object_add(out, "detail_type", str(lambda_eventbridge_event_detail_type(ev)));
    json_object_object_add(out, "source", str(lambda_eventbridge_event_source(ev)));
    json_object_object_add(out, "account", str(lambda_eventbridge_event_account(ev)));
    json_object_object_add(out, "time", str(lambda_eventbridge_event_time(ev)));
    json_object_object_add(out, "region", str(lambda_eventbridge_event_region(ev)));
    for (size_t i = 0; i < lambda_eventbridge_event_resource_count(ev); i++)
        json_object_array_add(resources, str(lambda_eventbridge_event_resource(ev, i)));
    json_object_object_add(out, "resources", resources);
    json_object_object_add(out, "detail", json_object_get(lambda_eventbridge_event_detail(ev)));
    lambda_eventbridge_event_free(ev);
    return LAMBDA_OK;
}

static json_object *ddb_map(const lambda_dynamodb_map *m);

/* One attribute value as plain JSON (numbers as their text, binary as hex). */
static json_object *ddb_value(const lambda_dynamodb_value *v)
{
    static unsigned char buf[MAX_BINARY];
    size_t size, len, n = lambda_dynamodb_value_count(v);
    int flag;
    json_object *list;
    switch (lambda_dynamodb_value_type(v)) {
    case LAMBDA_DYNAMODB_S:
        return str(lambda_dynamodb_value_string(v, &len));
    case LAMBDA_DYNAMODB_N:
        return str(lambda_dynamodb_value_number(v));
    case LAMBDA_DYNAMODB_B:
        return lambda_dynamodb_value_binary(v, buf, sizeof buf, &size) == LAMBDA_OK ? hex(buf, size)
                                                                                    : NULL;
    case LAMBDA_DYNAMODB_BOOL:
        return lambda_dynamodb_value_bool(v, &flag) == LAMBDA_OK ? json_object_new_boolean(flag)
                                                                 : NULL;
    case LAMBDA_DYNAMODB_NULL:
        return NULL;
    case LAMBDA_DYNAMODB_M:
        return ddb_map(lambda_dynamodb_value_map(v));
    case LAMBDA_DYNAMODB_L:
        list = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(list, ddb_value(lambda_dynamodb_value_list_at(v, i)));
        return list;
    default:
        return json_object_new_string("?");
    }
}

static json_object *ddb_map(const lambda_dynamodb_map *m)
{
    if (!m)
        return NULL;
    json_object *out = json_object_new_object();
    for (size_t i = 0; i < lambda_dynamodb_map_count(m); i++) {
        const lambda_dynamodb_value *v;
        const char *name = lambda_dynamodb_map_at(m, i, &v);
        json_object_object_add(out, name, ddb_value(v));
    }
    return out;
}

static int probe_dynamodb(json_object *root, json_object *out)
{
    lambda_dynamodb_event *ev;
    lambda_code rc = lambda_dynamodb_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *records = json_object_new_array();
    for (size_t i = 0; i < lambda_dynamodb_event_count(ev); i++) {
        const lambda_dynamodb_record *m = lambda_dynamodb_event_record(ev, i);
        json_object *r = json_object_new_object();
        json_object_object_add(r, "event_id", str(lambda_dynamodb_record_event_id(m)));
        json_object_object_add(r, "event_name", str(lambda_dynamodb_record_event_name(m)));
        json_object_object_add(r, "arn", str(lambda_dynamodb_record_event_source_arn(m)));
        json_object_object_add(r, "region", str(lambda_dynamodb_record_aws_region(m)));
        json_object_object_add(r, "sequence_number",
                               str(lambda_dynamodb_record_sequence_number(m)));
        json_object_object_add(r, "view_type", str(lambda_dynamodb_record_stream_view_type(m)));
        json_object_object_add(r, "size_bytes",
                               json_object_new_int64(lambda_dynamodb_record_size_bytes(m)));
        json_object_object_add(r, "keys", ddb_map(lambda_dynamodb_record_keys(m)));
        json_object_object_add(r, "new_image", ddb_map(lambda_dynamodb_record_new_image(m)));
        json_object_object_add(r, "old_image", ddb_map(lambda_dynamodb_record_old_image(m)));
        json_object_array_add(records, r);
    }
    json_object_object_add(out, "records", records);
    lambda_dynamodb_event_free(ev);
    return LAMBDA_OK;
}

static int probe_kinesis(json_object *root, json_object *out)
{
    lambda_kinesis_event *ev;
    lambda_code rc = lambda_kinesis_event_parse(root, &ev);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *records = json_object_new_array();
    for (size_t i = 0; i < lambda_kinesis_event_count(ev) && rc == LAMBDA_OK; i++) {
        const lambda_kinesis_record *m = lambda_kinesis_event_record(ev, i);
        json_object *r = json_object_new_object();
        const void *data;
        size_t size;
        rc = lambda_kinesis_record_data(m, &data, &size);
        if (rc == LAMBDA_OK)
            json_object_object_add(r, "data_hex", hex(data, size));
        json_object_object_add(r, "event_id", str(lambda_kinesis_record_event_id(m)));
        json_object_object_add(r, "event_name", str(lambda_kinesis_record_event_name(m)));
        json_object_object_add(r, "arn", str(lambda_kinesis_record_event_source_arn(m)));
        json_object_object_add(r, "region", str(lambda_kinesis_record_aws_region(m)));
        json_object_object_add(r, "partition_key", str(lambda_kinesis_record_partition_key(m)));
        json_object_object_add(r, "sequence_number", str(lambda_kinesis_record_sequence_number(m)));
        json_object_array_add(records, r);
    }
    json_object_object_add(out, "records", records);
    lambda_kinesis_event_free(ev);
    return rc;
}

static const struct {
    const char *kind;
    int (*probe)(json_object *, json_object *);
} PROBES[] = { { "http", probe_http },
               { "sqs", probe_sqs },
               { "sns", probe_sns },
               { "s3", probe_s3 },
               { "eventbridge", probe_eventbridge },
               { "dynamodb", probe_dynamodb },
               { "kinesis", probe_kinesis } };

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr,
                "usage: event_probe http|sqs|sns|s3|eventbridge|dynamodb|kinesis < EVENT.json\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof PROBES / sizeof PROBES[0]; i++) {
        if (strcmp(argv[1], PROBES[i].kind) != 0)
            continue;
        json_object *root = json_object_from_fd(0);
        if (!root) {
            fprintf(stderr, "event_probe: stdin is not JSON: %s\n", json_util_get_last_err());
            return 2;
        }
        json_object *out = json_object_new_object();
        int rc = PROBES[i].probe(root, out);
        if (rc != LAMBDA_OK)
            json_object_object_add(out, "error", json_object_new_string(lambda_strerror(rc)));
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
        json_object_put(out);
        json_object_put(root);
        return rc == LAMBDA_OK ? 0 : 1;
    }
    fprintf(stderr, "event_probe: unknown kind %s\n", argv[1]);
    return 2;
}
