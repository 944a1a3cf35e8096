/*
 * The "Records" families (SQS, SNS, S3, Kinesis, DynamoDB streams) and EventBridge over any
 * JSON: each family's parse, then every accessor of every record, every message attribute
 * by position and by name, every decoded value (base64, URL-encoded keys), and every
 * DynamoDB map listed with map_at and walked to the bottom (M, L and set values). Linear in
 * the input: listing a map of n attributes was n^2 in 1.1.0.
 */
#include "fuzz_support.h"

#include "lambda-c/event_dynamodb.h"
#include "lambda-c/event_eventbridge.h"
#include "lambda-c/event_kinesis.h"
#include "lambda-c/event_s3.h"
#include "lambda-c/event_sns.h"
#include "lambda-c/event_sqs.h"

static void walk_sqs(json_object *root)
{
    lambda_sqs_event *ev;
    if (lambda_sqs_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_sqs_event_count(ev); i++) {
        const lambda_sqs_message *m = lambda_sqs_event_message(ev, i);
        FZ_CHECK(m != NULL);
        lambda_sqs_message_body(m, NULL);
        lambda_sqs_message_id(m);
        size_t n = lambda_sqs_message_attribute_count(m);
        for (size_t a = 0; a < n; a++) {
            const char *name = lambda_sqs_message_attribute_name(m, a);
            FZ_CHECK(name != NULL);
            lambda_sqs_message_attribute_type(m, name);
            lambda_sqs_message_attribute_string(m, name);
            size_t bsize;
            lambda_sqs_message_attribute_binary(m, name, NULL, 0, &bsize);
        }
        FZ_CHECK(lambda_sqs_message_attribute_name(m, n) == NULL);
    }
    lambda_sqs_event_free(ev);
}

static void walk_sns(json_object *root)
{
    lambda_sns_event *ev;
    if (lambda_sns_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_sns_event_count(ev); i++) {
        const lambda_sns_record *r = lambda_sns_event_record(ev, i);
        lambda_sns_record_message(r, NULL);
        size_t n = lambda_sns_record_attribute_count(r);
        for (size_t a = 0; a < n; a++) {
            const char *name = lambda_sns_record_attribute_name(r, a);
            FZ_CHECK(name != NULL);
            lambda_sns_record_attribute_type(r, name);
            lambda_sns_record_attribute_value(r, name);
            size_t bsize;
            lambda_sns_record_attribute_binary(r, name, NULL, 0, &bsize);
        }
    }
    lambda_sns_event_free(ev);
}

static void walk_s3(json_object *root)
{
    lambda_s3_event *ev;
    if (lambda_s3_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_s3_event_count(ev); i++) {
        const lambda_s3_record *r = lambda_s3_event_record(ev, i);
        const char *key;
        size_t len;
        if (lambda_s3_record_object_key(r, &key, &len) == LAMBDA_OK)
            FZ_CHECK(key[len] == '\0');
        lambda_s3_record_bucket_name(r);
    }
    lambda_s3_event_free(ev);
}

static void walk_kinesis(json_object *root)
{
    lambda_kinesis_event *ev;
    if (lambda_kinesis_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_kinesis_event_count(ev); i++) {
        const lambda_kinesis_record *r = lambda_kinesis_event_record(ev, i);
        const void *d;
        size_t n;
        if (lambda_kinesis_record_data(r, &d, &n) == LAMBDA_OK)
            FZ_CHECK(((const char *)d)[n] == '\0');
        lambda_kinesis_record_partition_key(r);
    }
    lambda_kinesis_event_free(ev);
}

static void walk_value(const lambda_dynamodb_value *v, int depth);

static void walk_map(const lambda_dynamodb_map *m, int depth)
{
    size_t n = lambda_dynamodb_map_count(m);
    for (size_t i = 0; i < n; i++) {
        const lambda_dynamodb_value *v;
        const char *name = lambda_dynamodb_map_at(m, i, &v);
        FZ_CHECK(name != NULL);
        FZ_CHECK(lambda_dynamodb_map_get(m, name) == v);
        walk_value(v, depth + 1);
    }
    FZ_CHECK(lambda_dynamodb_map_at(m, n, NULL) == NULL);
}

static void walk_value(const lambda_dynamodb_value *v, int depth)
{
    FZ_CHECK(depth <= JSON_MAX_DEPTH);
    size_t size;
    switch (lambda_dynamodb_value_type(v)) {
    case LAMBDA_DYNAMODB_M:
        walk_map(lambda_dynamodb_value_map(v), depth);
        break;
    case LAMBDA_DYNAMODB_L:
        for (size_t i = 0; i < lambda_dynamodb_value_count(v); i++)
            walk_value(lambda_dynamodb_value_list_at(v, i), depth + 1);
        break;
    case LAMBDA_DYNAMODB_SS:
    case LAMBDA_DYNAMODB_NS:
        for (size_t i = 0; i < lambda_dynamodb_value_count(v); i++)
            lambda_dynamodb_value_set_string_at(v, i, NULL);
        break;
    case LAMBDA_DYNAMODB_BS:
        for (size_t i = 0; i < lambda_dynamodb_value_count(v); i++)
            lambda_dynamodb_value_set_binary_at(v, i, NULL, 0, &size);
        break;
    case LAMBDA_DYNAMODB_B:
        lambda_dynamodb_value_binary(v, NULL, 0, &size);
        break;
    case LAMBDA_DYNAMODB_N: {
        int64_t i;
        double d;
        lambda_dynamodb_value_int64(v, &i);
        lambda_dynamodb_value_double(v, &d);
        break;
    }
    default:
        lambda_dynamodb_value_string(v, NULL);
        break;
    }
}

static void walk_dynamodb(json_object *root)
{
    lambda_dynamodb_event *ev;
    if (lambda_dynamodb_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_dynamodb_event_count(ev); i++) {
        const lambda_dynamodb_record *r = lambda_dynamodb_event_record(ev, i);
        walk_map(lambda_dynamodb_record_keys(r), 0);
        walk_map(lambda_dynamodb_record_new_image(r), 0);
        walk_map(lambda_dynamodb_record_old_image(r), 0);
    }
    lambda_dynamodb_event_free(ev);
}

static void walk_eventbridge(json_object *root)
{
    lambda_eventbridge_event *ev;
    if (lambda_eventbridge_event_parse(root, &ev) != LAMBDA_OK)
        return;
    for (size_t i = 0; i < lambda_eventbridge_event_resource_count(ev); i++)
        FZ_CHECK(lambda_eventbridge_event_resource(ev, i) != NULL);
    lambda_eventbridge_event_detail_type(ev);
    lambda_eventbridge_event_free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *root = json_tokener_parse_ex_wrapper(data, size);
    if (!root)
        return 0;
    uint64_t start = fz_work();
    walk_sqs(root);
    walk_sns(root);
    walk_s3(root);
    walk_kinesis(root);
    walk_dynamodb(root);
    walk_eventbridge(root);
    fz_linear("the Records bindings and their accessors", fz_work() - start, size, 20000, 40, 0);
    json_object_put(root);
    return 0;
}
