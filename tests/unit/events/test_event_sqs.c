/*
 * Event bindings, SQS (sdk/src/events/sqs.c): messages, system and message
 * attributes (binary ones decoded into the caller's buffer), malformed events, and
 * the batchItemFailures response.
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
#include "lambda-c/event_sqs.h"

EVENT_TEST_FAMILY(lambda_sqs_event)

static void test_messages(void **state)
{
    (void)state;
    fixture f = open_event("sqs.json");
    lambda_sqs_event *ev = f.ev;
    assert_int_equal(lambda_sqs_event_count(ev), 3);
    const lambda_sqs_message *m = lambda_sqs_event_message(ev, 0);
    assert_non_null(m);
    assert_non_null(lambda_sqs_message_json(m));
    assert_string_equal(lambda_sqs_message_id(m), "059f36b4-87a3-44ab-83d2-661975830a7d");
    assert_string_equal(lambda_sqs_message_receipt_handle(m),
                        "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...");
    size_t len = 0;
    assert_string_equal(lambda_sqs_message_body(m, &len), "{\"orderId\":\"1001\",\"amount\":25}");
    assert_int_equal(len, strlen("{\"orderId\":\"1001\",\"amount\":25}"));
    assert_string_equal(lambda_sqs_message_md5_of_body(m), "e4e68fb7bd0e697a0ae8f1bb342846b3");
    assert_string_equal(lambda_sqs_message_event_source_arn(m),
                        "arn:aws:sqs:us-east-2:123456789012:my-queue");
    assert_string_equal(lambda_sqs_message_aws_region(m), "us-east-2");
    assert_string_equal(lambda_sqs_message_system_attribute(m, "ApproximateReceiveCount"), "1");
    assert_string_equal(lambda_sqs_message_system_attribute(m, "SentTimestamp"), "1545082649183");
    assert_null(lambda_sqs_message_system_attribute(m, "MessageGroupId"));
    assert_null(lambda_sqs_message_system_attribute(m, NULL));
    /* zero-copy */
    json_object *body = NULL;
    json_object_object_get_ex(lambda_sqs_message_json(m), "body", &body);
    assert_ptr_equal(lambda_sqs_message_body(m, NULL), json_object_get_string(body));

    assert_string_equal(lambda_sqs_message_id(lambda_sqs_event_message(ev, 2)),
                        "c80e8021-a70a-42c7-a470-796e1186f753");
    assert_string_equal(lambda_sqs_message_system_attribute(lambda_sqs_event_message(ev, 1),
                                                            "ApproximateReceiveCount"),
                        "3");
    assert_null(lambda_sqs_event_message(ev, 3));
    assert_null(lambda_sqs_event_message(ev, SIZE_MAX));
    close_event(&f);
}

static void test_message_attributes(void **state)
{
    (void)state;
    fixture f = open_event("sqs.json");
    lambda_sqs_event *ev = f.ev;
    const lambda_sqs_message *m = lambda_sqs_event_message(ev, 0);
    assert_int_equal(lambda_sqs_message_attribute_count(m), 3);
    assert_string_equal(lambda_sqs_message_attribute_name(m, 0), "Priority");
    assert_string_equal(lambda_sqs_message_attribute_name(m, 2), "Checksum");
    assert_null(lambda_sqs_message_attribute_name(m, 3));
    assert_string_equal(lambda_sqs_message_attribute_type(m, "Priority"), "String");
    assert_string_equal(lambda_sqs_message_attribute_string(m, "Priority"), "high");
    assert_string_equal(lambda_sqs_message_attribute_type(m, "Retries"), "Number");
    assert_string_equal(lambda_sqs_message_attribute_string(m, "Retries"), "3");
    assert_string_equal(lambda_sqs_message_attribute_type(m, "Checksum"), "Binary");
    assert_null(lambda_sqs_message_attribute_string(m, "Checksum"));
    assert_null(lambda_sqs_message_attribute_type(m, "Absent"));
    assert_null(lambda_sqs_message_attribute_string(m, "Absent"));
    assert_null(lambda_sqs_message_attribute_string(m, NULL));

    /* binary: size query, then decode */
    size_t size = 0;
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Checksum", NULL, 0, &size), LAMBDA_OK);
    assert_int_equal(size, 5);
    unsigned char buf[8];
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Checksum", buf, 4, &size),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(size, 5);
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Checksum", buf, sizeof buf, &size),
                     LAMBDA_OK);
    assert_int_equal(size, 5);
    assert_memory_equal(buf, "\x00\x01\x02\xfe\xff", 5);
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Priority", buf, sizeof buf, &size),
                     LAMBDA_E_NOT_FOUND);
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Absent", buf, sizeof buf, &size),
                     LAMBDA_E_NOT_FOUND);
    assert_int_equal(lambda_sqs_message_attribute_binary(m, "Checksum", buf, sizeof buf, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_sqs_message_attribute_binary(m, NULL, buf, sizeof buf, &size),
                     LAMBDA_E_INVALID_ARGUMENT);

    /* empty messageAttributes */
    const lambda_sqs_message *m2 = lambda_sqs_event_message(ev, 1);
    assert_int_equal(lambda_sqs_message_attribute_count(m2), 0);
    assert_null(lambda_sqs_message_attribute_name(m2, 0));
    close_event(&f);

    /* invalid base64 in a binaryValue */
    f = parse_event("{\"Records\":[{\"messageId\":\"m\",\"messageAttributes\":"
                    "{\"b\":{\"binaryValue\":\"@@@@\",\"dataType\":\"Binary\"}}}]}");
    ev = f.ev;
    assert_int_equal(
        lambda_sqs_message_attribute_binary(lambda_sqs_event_message(ev, 0), "b", NULL, 0, &size),
        LAMBDA_E_WRONG_TYPE);
    close_event(&f);
}

static void test_fifo(void **state)
{
    (void)state;
    fixture f = open_event("sqs-fifo.json");
    lambda_sqs_event *ev = f.ev;
    const lambda_sqs_message *m = lambda_sqs_event_message(ev, 0);
    assert_string_equal(lambda_sqs_message_system_attribute(m, "MessageGroupId"), "1");
    assert_string_equal(lambda_sqs_message_system_attribute(m, "SequenceNumber"),
                        "18849496460467696128");
    assert_string_equal(lambda_sqs_message_event_source_arn(m),
                        "arn:aws:sqs:us-east-2:123456789012:fifo.fifo");
    close_event(&f);
}

static void test_absent_fields(void **state)
{
    (void)state;
    fixture f = parse_event("{\"Records\":[{\"body\":null}]}");
    lambda_sqs_event *ev = f.ev;
    const lambda_sqs_message *m = lambda_sqs_event_message(ev, 0);
    size_t len = 9;
    assert_null(lambda_sqs_message_body(m, &len));
    assert_int_equal(len, 0);
    assert_null(lambda_sqs_message_id(m));
    assert_null(lambda_sqs_message_receipt_handle(m));
    assert_null(lambda_sqs_message_md5_of_body(m));
    assert_null(lambda_sqs_message_event_source_arn(m));
    assert_null(lambda_sqs_message_aws_region(m));
    assert_null(lambda_sqs_message_system_attribute(m, "SentTimestamp"));
    assert_int_equal(lambda_sqs_message_attribute_count(m), 0);
    close_event(&f);

    /* NULL handles */
    lambda_sqs_event_free(NULL);
    assert_int_equal(lambda_sqs_event_count(NULL), 0);
    assert_null(lambda_sqs_event_message(NULL, 0));
    assert_null(lambda_sqs_message_json(NULL));
    assert_null(lambda_sqs_message_id(NULL));
    assert_null(lambda_sqs_message_receipt_handle(NULL));
    len = 9;
    assert_null(lambda_sqs_message_body(NULL, &len));
    assert_int_equal(len, 0);
    assert_null(lambda_sqs_message_md5_of_body(NULL));
    assert_null(lambda_sqs_message_event_source_arn(NULL));
    assert_null(lambda_sqs_message_aws_region(NULL));
    assert_null(lambda_sqs_message_system_attribute(NULL, "a"));
    assert_int_equal(lambda_sqs_message_attribute_count(NULL), 0);
    assert_null(lambda_sqs_message_attribute_name(NULL, 0));
    assert_null(lambda_sqs_message_attribute_type(NULL, "a"));
    assert_null(lambda_sqs_message_attribute_string(NULL, "a"));
    size_t size;
    assert_int_equal(lambda_sqs_message_attribute_binary(NULL, "a", NULL, 0, &size),
                     LAMBDA_E_INVALID_ARGUMENT);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    json_object *root = json_tokener_parse("{\"Records\":[]}");
    assert_int_equal(lambda_sqs_event_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);
    expect_parse("{\"Records\":[]}", LAMBDA_OK);
    expect_parse("[]", LAMBDA_E_WRONG_TYPE);
    expect_parse("\"x\"", LAMBDA_E_WRONG_TYPE);
    expect_parse("{}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"records\":[]}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"Records\":null}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":{}}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[1]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[null]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventSource\":\"aws:sns\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventSource\":7}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}", LAMBDA_OK);
    expect_parse("{\"Records\":[{\"messageId\":5}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"body\":{\"a\":1}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"attributes\":[]}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"attributes\":{\"SentTimestamp\":1}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"messageAttributes\":\"x\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"messageAttributes\":{\"a\":\"x\"}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"messageAttributes\":{\"a\":{\"stringValue\":1}}}]}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"messageAttributes\":{\"a\":null}}]}", LAMBDA_OK);
    /* one bad record fails the batch */
    expect_parse("{\"Records\":[{\"messageId\":\"a\"},{\"messageId\":[]}]}", LAMBDA_E_WRONG_TYPE);
}

static void test_batch_response(void **state)
{
    (void)state;
    json_object *resp = NULL;
    assert_int_equal(lambda_sqs_batch_response_new(&resp), LAMBDA_OK);
    assert_string_equal(json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN),
                        "{\"batchItemFailures\":[]}");
    assert_int_equal(lambda_sqs_batch_response_add_failure(resp, "id-1"), LAMBDA_OK);
    assert_int_equal(lambda_sqs_batch_response_add_failure(resp, "id-2"), LAMBDA_OK);
    assert_string_equal(
        json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN),
        "{\"batchItemFailures\":[{\"itemIdentifier\":\"id-1\"},{\"itemIdentifier\":\"id-2\"}]}");
    assert_int_equal(lambda_sqs_batch_response_add_failure(resp, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_sqs_batch_response_add_failure(NULL, "x"), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(resp);
    assert_int_equal(lambda_sqs_batch_response_new(NULL), LAMBDA_E_INVALID_ARGUMENT);

    json_object *other = json_object_new_object();
    assert_int_equal(lambda_sqs_batch_response_add_failure(other, "x"), LAMBDA_E_WRONG_TYPE);
    json_object_object_add(other, "batchItemFailures", json_object_new_string("no"));
    assert_int_equal(lambda_sqs_batch_response_add_failure(other, "x"), LAMBDA_E_WRONG_TYPE);
    json_object_put(other);
    json_object *array = json_object_new_array();
    assert_int_equal(lambda_sqs_batch_response_add_failure(array, "x"), LAMBDA_E_WRONG_TYPE);
    json_object_put(array);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),  cmocka_unit_test(test_message_attributes),
        cmocka_unit_test(test_fifo),      cmocka_unit_test(test_absent_fields),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_batch_response),
    };
    return cmocka_run_group_tests_name("event_sqs", tests, NULL, NULL);
}
