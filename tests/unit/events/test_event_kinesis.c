/*
 * Event bindings, Kinesis (sdk/src/events/kinesis.c): records, base64 data decoded
 * once into the event, invalid base64, absent fields and malformed events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "event_test_support.h"
#include "lambda-c/event_kinesis.h"

EVENT_TEST_FAMILY(lambda_kinesis_event)

static void test_records(void **state)
{
    (void)state;
    fixture f = open_event("kinesis.json");
    lambda_kinesis_event *ev = f.ev;
    assert_int_equal(lambda_kinesis_event_count(ev), 2);
    const lambda_kinesis_record *r = lambda_kinesis_event_record(ev, 0);
    assert_non_null(lambda_kinesis_record_json(r));
    assert_string_equal(
        lambda_kinesis_record_event_id(r),
        "shardId-000000000006:49590338271490256608559692538361571095921575989136588898");
    assert_string_equal(lambda_kinesis_record_event_name(r), "aws:kinesis:record");
    assert_string_equal(lambda_kinesis_record_event_source_arn(r),
                        "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream");
    assert_string_equal(lambda_kinesis_record_aws_region(r), "us-east-2");
    assert_string_equal(lambda_kinesis_record_invoke_identity_arn(r),
                        "arn:aws:iam::123456789012:role/lambda-role");
    assert_string_equal(lambda_kinesis_record_partition_key(r), "1");
    assert_string_equal(lambda_kinesis_record_sequence_number(r),
                        "49590338271490256608559692538361571095921575989136588898");
    assert_float_equal(lambda_kinesis_record_arrival_time(r), 1545084650.987, 1e-6);
    size_t len = 0;
    assert_string_equal(lambda_kinesis_record_data_base64(r, &len),
                        "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==");
    assert_int_equal(len, 32);
    const void *data = NULL;
    size_t size = 0;
    assert_int_equal(lambda_kinesis_record_data(r, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 22);
    assert_memory_equal(data, "Hello, this is a test.", 22);
    assert_int_equal(((const char *)data)[22], '\0');
    const void *again = NULL;
    assert_int_equal(lambda_kinesis_record_data(r, &again, NULL), LAMBDA_OK);
    assert_ptr_equal(again, data);

    r = lambda_kinesis_event_record(ev, 1);
    assert_int_equal(lambda_kinesis_record_data(r, &data, &size), LAMBDA_OK);
    assert_string_equal((const char *)data, "{\"temp\":21.5,\"unit\":\"C\"}");
    assert_null(lambda_kinesis_event_record(ev, 2));
    close_event(&f);
}

static void test_invalid_and_absent(void **state)
{
    (void)state;
    fixture f = parse_event("{\"Records\":[{\"kinesis\":{\"data\":\"not*base64!\"}},"
                            "{\"kinesis\":{\"data\":\"\"}},{\"eventSource\":\"aws:kinesis\"}]}");
    lambda_kinesis_event *ev = f.ev;
    const void *data = "x";
    size_t size = 5;
    assert_int_equal(lambda_kinesis_record_data(lambda_kinesis_event_record(ev, 0), &data, &size),
                     LAMBDA_E_WRONG_TYPE);
    assert_null(data);
    assert_int_equal(size, 0);
    assert_int_equal(lambda_kinesis_record_data(lambda_kinesis_event_record(ev, 0), &data, &size),
                     LAMBDA_E_WRONG_TYPE);
    /* empty data is valid: zero bytes */
    assert_int_equal(lambda_kinesis_record_data(lambda_kinesis_event_record(ev, 1), &data, &size),
                     LAMBDA_OK);
    assert_non_null(data);
    assert_int_equal(size, 0);
    const lambda_kinesis_record *r = lambda_kinesis_event_record(ev, 2);
    assert_int_equal(lambda_kinesis_record_data(r, &data, &size), LAMBDA_E_NOT_FOUND);
    assert_null(lambda_kinesis_record_data_base64(r, NULL));
    assert_null(lambda_kinesis_record_partition_key(r));
    assert_null(lambda_kinesis_record_sequence_number(r));
    assert_null(lambda_kinesis_record_event_id(r));
    assert_null(lambda_kinesis_record_event_name(r));
    assert_null(lambda_kinesis_record_event_source_arn(r));
    assert_null(lambda_kinesis_record_aws_region(r));
    assert_null(lambda_kinesis_record_invoke_identity_arn(r));
    assert_float_equal(lambda_kinesis_record_arrival_time(r), -1.0, 0);
    assert_int_equal(lambda_kinesis_record_data(r, NULL, &size), LAMBDA_E_INVALID_ARGUMENT);
    close_event(&f);

    /* integer timestamps are numbers too */
    f = parse_event("{\"Records\":[{\"kinesis\":{\"approximateArrivalTimestamp\":1545084650}}]}");
    ev = f.ev;
    assert_float_equal(lambda_kinesis_record_arrival_time(lambda_kinesis_event_record(ev, 0)),
                       1545084650.0, 0);
    close_event(&f);

    lambda_kinesis_event_free(NULL);
    assert_int_equal(lambda_kinesis_event_count(NULL), 0);
    assert_null(lambda_kinesis_event_record(NULL, 0));
    assert_null(lambda_kinesis_record_json(NULL));
    assert_null(lambda_kinesis_record_event_id(NULL));
    assert_null(lambda_kinesis_record_event_name(NULL));
    assert_null(lambda_kinesis_record_event_source_arn(NULL));
    assert_null(lambda_kinesis_record_aws_region(NULL));
    assert_null(lambda_kinesis_record_invoke_identity_arn(NULL));
    assert_null(lambda_kinesis_record_partition_key(NULL));
    assert_null(lambda_kinesis_record_sequence_number(NULL));
    assert_float_equal(lambda_kinesis_record_arrival_time(NULL), -1.0, 0);
    assert_int_equal(lambda_kinesis_record_data(NULL, &data, &size), LAMBDA_E_INVALID_ARGUMENT);
    size_t len = 4;
    assert_null(lambda_kinesis_record_data_base64(NULL, &len));
    assert_int_equal(len, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    expect_parse("{}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"Records\":\"x\"}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventSource\":\"aws:dynamodb\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"kinesis\":\"data\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"kinesis\":{\"data\":5}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"kinesis\":{\"approximateArrivalTimestamp\":\"now\"}}]}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"kinesis\":{\"partitionKey\":[]}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventID\":{}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{}]}", LAMBDA_OK);
    json_object *root = json_tokener_parse("{\"Records\":[]}");
    assert_int_equal(lambda_kinesis_event_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_invalid_and_absent),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("event_kinesis", tests, NULL, NULL);
}
