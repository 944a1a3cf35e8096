/*
 * Event bindings, EventBridge (sdk/src/events/eventbridge.c): every field, the
 * detail object, resources, absent fields and malformed events.
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
#include "lambda-c/event_eventbridge.h"

EVENT_TEST_FAMILY(lambda_eventbridge_event)

static void test_event(void **state)
{
    (void)state;
    fixture f = open_event("eventbridge.json");
    lambda_eventbridge_event *ev = f.ev;
    assert_ptr_equal(lambda_eventbridge_event_json(ev), f.root);
    assert_string_equal(lambda_eventbridge_event_id(ev), "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
    assert_string_equal(lambda_eventbridge_event_version(ev), "0");
    assert_string_equal(lambda_eventbridge_event_detail_type(ev),
                        "EC2 Instance State-change Notification");
    assert_string_equal(lambda_eventbridge_event_source(ev), "aws.ec2");
    assert_string_equal(lambda_eventbridge_event_account(ev), "111122223333");
    assert_string_equal(lambda_eventbridge_event_time(ev), "2017-12-22T18:43:48Z");
    assert_string_equal(lambda_eventbridge_event_region(ev), "us-west-1");
    assert_int_equal(lambda_eventbridge_event_resource_count(ev), 1);
    assert_string_equal(lambda_eventbridge_event_resource(ev, 0),
                        "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0");
    assert_null(lambda_eventbridge_event_resource(ev, 1));
    json_object *detail = lambda_eventbridge_event_detail(ev);
    assert_non_null(detail);
    json_object *st = NULL;
    assert_true(json_object_object_get_ex(detail, "state", &st));
    assert_string_equal(json_object_get_string(st), "terminated");
    close_event(&f);
}

static void test_minimal_and_absent(void **state)
{
    (void)state;
    fixture f = parse_event("{\"detail-type\":\"OrderPlaced\",\"source\":\"com.example.orders\","
                            "\"detail\":null,\"resources\":[]}");
    lambda_eventbridge_event *ev = f.ev;
    assert_string_equal(lambda_eventbridge_event_detail_type(ev), "OrderPlaced");
    assert_string_equal(lambda_eventbridge_event_source(ev), "com.example.orders");
    assert_null(lambda_eventbridge_event_id(ev));
    assert_null(lambda_eventbridge_event_version(ev));
    assert_null(lambda_eventbridge_event_account(ev));
    assert_null(lambda_eventbridge_event_time(ev));
    assert_null(lambda_eventbridge_event_region(ev));
    assert_int_equal(lambda_eventbridge_event_resource_count(ev), 0);
    assert_null(lambda_eventbridge_event_resource(ev, 0));
    assert_null(lambda_eventbridge_event_detail(ev));
    close_event(&f);

    /* a detail that is not an object is still handed over */
    f = parse_event("{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":[1,2]}");
    ev = f.ev;
    assert_true(json_object_is_type(lambda_eventbridge_event_detail(ev), json_type_array));
    close_event(&f);

    lambda_eventbridge_event_free(NULL);
    assert_null(lambda_eventbridge_event_json(NULL));
    assert_null(lambda_eventbridge_event_id(NULL));
    assert_null(lambda_eventbridge_event_version(NULL));
    assert_null(lambda_eventbridge_event_detail_type(NULL));
    assert_null(lambda_eventbridge_event_source(NULL));
    assert_null(lambda_eventbridge_event_account(NULL));
    assert_null(lambda_eventbridge_event_time(NULL));
    assert_null(lambda_eventbridge_event_region(NULL));
    assert_int_equal(lambda_eventbridge_event_resource_count(NULL), 0);
    assert_null(lambda_eventbridge_event_resource(NULL, 0));
    assert_null(lambda_eventbridge_event_detail(NULL));
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    expect_parse("[]", LAMBDA_E_WRONG_TYPE);
    expect_parse("{}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"source\":\"s\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"detail-type\":\"t\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"detail-type\":\"t\",\"source\":null}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"detail-type\":1,\"source\":\"s\"}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"detail-type\":\"t\",\"source\":\"s\",\"resources\":\"arn\"}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"detail-type\":\"t\",\"source\":\"s\",\"resources\":[1]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"detail-type\":\"t\",\"source\":\"s\",\"time\":0}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"detail-type\":\"t\",\"source\":\"s\"}", LAMBDA_OK);
    json_object *root = json_tokener_parse("{}");
    assert_int_equal(lambda_eventbridge_event_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event),
        cmocka_unit_test(test_minimal_and_absent),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("event_eventbridge", tests, NULL, NULL);
}
