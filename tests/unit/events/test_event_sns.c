/*
 * Event bindings, SNS (sdk/src/events/sns.c): records, message attributes (Binary
 * ones decoded into the caller's buffer), absent fields and malformed events.
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
#include "lambda-c/event_sns.h"

EVENT_TEST_FAMILY(lambda_sns_event)

static void test_record(void **state)
{
    (void)state;
    fixture f = open_event("sns.json");
    lambda_sns_event *ev = f.ev;
    assert_int_equal(lambda_sns_event_count(ev), 1);
    const lambda_sns_record *r = lambda_sns_event_record(ev, 0);
    assert_non_null(r);
    assert_null(lambda_sns_event_record(ev, 1));
    assert_non_null(lambda_sns_record_json(r));
    assert_string_equal(
        lambda_sns_record_subscription_arn(r),
        "arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486");
    assert_string_equal(lambda_sns_record_message_id(r), "95df01b4-ee98-5cb9-9903-4c221d41eb5e");
    size_t len = 0;
    assert_string_equal(lambda_sns_record_message(r, &len), "Hello from SNS!");
    assert_int_equal(len, 15);
    assert_string_equal(lambda_sns_record_subject(r), "TestInvoke");
    assert_string_equal(lambda_sns_record_topic_arn(r),
                        "arn:aws:sns:us-east-1:123456789012:sns-lambda");
    assert_string_equal(lambda_sns_record_timestamp(r), "2019-01-02T12:45:07.000Z");
    assert_string_equal(lambda_sns_record_type(r), "Notification");

    assert_int_equal(lambda_sns_record_attribute_count(r), 2);
    assert_string_equal(lambda_sns_record_attribute_name(r, 0), "Test");
    assert_string_equal(lambda_sns_record_attribute_name(r, 1), "TestBinary");
    assert_null(lambda_sns_record_attribute_name(r, 2));
    assert_string_equal(lambda_sns_record_attribute_type(r, "Test"), "String");
    assert_string_equal(lambda_sns_record_attribute_value(r, "Test"), "TestString");
    assert_string_equal(lambda_sns_record_attribute_value(r, "TestBinary"), "3q2+7w==");
    assert_null(lambda_sns_record_attribute_value(r, "Absent"));
    assert_null(lambda_sns_record_attribute_type(r, NULL));

    size_t size = 0;
    unsigned char buf[4];
    assert_int_equal(lambda_sns_record_attribute_binary(r, "TestBinary", NULL, 0, &size),
                     LAMBDA_OK);
    assert_int_equal(size, 4);
    assert_int_equal(lambda_sns_record_attribute_binary(r, "TestBinary", buf, 3, &size),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_sns_record_attribute_binary(r, "TestBinary", buf, sizeof buf, &size),
                     LAMBDA_OK);
    assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
    assert_int_equal(lambda_sns_record_attribute_binary(r, "Test", buf, sizeof buf, &size),
                     LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_sns_record_attribute_binary(r, "Absent", buf, sizeof buf, &size),
                     LAMBDA_E_NOT_FOUND);
    assert_int_equal(lambda_sns_record_attribute_binary(r, "Test", buf, sizeof buf, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    close_event(&f);
}

static void test_absent_and_null(void **state)
{
    (void)state;
    fixture f = parse_event(
        "{\"Records\":[{\"Sns\":{\"Message\":\"m\",\"Subject\":null,"
        "\"MessageAttributes\":{\"B\":{\"Type\":\"Binary\",\"Value\":\"not base64\"}}}}]}");
    lambda_sns_event *ev = f.ev;
    const lambda_sns_record *r = lambda_sns_event_record(ev, 0);
    assert_null(lambda_sns_record_subject(r));
    assert_null(lambda_sns_record_subscription_arn(r));
    assert_null(lambda_sns_record_message_id(r));
    assert_null(lambda_sns_record_topic_arn(r));
    assert_null(lambda_sns_record_timestamp(r));
    assert_null(lambda_sns_record_type(r));
    assert_string_equal(lambda_sns_record_message(r, NULL), "m");
    size_t size;
    assert_int_equal(lambda_sns_record_attribute_binary(r, "B", NULL, 0, &size),
                     LAMBDA_E_WRONG_TYPE);
    close_event(&f);

    lambda_sns_event_free(NULL);
    assert_int_equal(lambda_sns_event_count(NULL), 0);
    assert_null(lambda_sns_event_record(NULL, 0));
    assert_null(lambda_sns_record_json(NULL));
    assert_null(lambda_sns_record_subscription_arn(NULL));
    assert_null(lambda_sns_record_message_id(NULL));
    size_t len = 3;
    assert_null(lambda_sns_record_message(NULL, &len));
    assert_int_equal(len, 0);
    assert_null(lambda_sns_record_subject(NULL));
    assert_null(lambda_sns_record_topic_arn(NULL));
    assert_null(lambda_sns_record_timestamp(NULL));
    assert_null(lambda_sns_record_type(NULL));
    assert_int_equal(lambda_sns_record_attribute_count(NULL), 0);
    assert_null(lambda_sns_record_attribute_name(NULL, 0));
    assert_null(lambda_sns_record_attribute_type(NULL, "a"));
    assert_null(lambda_sns_record_attribute_value(NULL, "a"));
    assert_int_equal(lambda_sns_record_attribute_binary(NULL, "a", NULL, 0, &size),
                     LAMBDA_E_INVALID_ARGUMENT);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    expect_parse("{}", LAMBDA_E_NOT_FOUND);
    expect_parse("[]", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[]}", LAMBDA_OK);
    expect_parse("{\"Records\":[{}]}", LAMBDA_E_WRONG_TYPE); /* no Sns object */
    expect_parse("{\"Records\":[{\"Sns\":\"x\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"Sns\":{}}]}", LAMBDA_OK);
    expect_parse("{\"Records\":[{\"EventSource\":\"aws:sqs\",\"Sns\":{}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"Sns\":{\"Message\":1}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"Sns\":{\"MessageAttributes\":[]}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"Sns\":{\"MessageAttributes\":{\"a\":1}}}]}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"Sns\":{\"MessageAttributes\":{\"a\":{\"Value\":[]}}}}]}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"EventSubscriptionArn\":false,\"Sns\":{}}]}",
                 LAMBDA_E_WRONG_TYPE);
    json_object *root = json_tokener_parse("{\"Records\":[]}");
    assert_int_equal(lambda_sns_event_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_absent_and_null),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("event_sns", tests, NULL, NULL);
}
