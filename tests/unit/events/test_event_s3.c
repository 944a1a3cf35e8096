/*
 * Event bindings, S3 (sdk/src/events/s3.c): records, URL-decoded object keys
 * ('+' is a space, %XX a byte, malformed escapes kept), absent fields, malformed
 * events.
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
#include "lambda-c/event_s3.h"

EVENT_TEST_FAMILY(lambda_s3_event)

static void test_records(void **state)
{
    (void)state;
    fixture f = open_event("s3-put.json");
    lambda_s3_event *ev = f.ev;
    assert_int_equal(lambda_s3_event_count(ev), 2);
    const lambda_s3_record *r = lambda_s3_event_record(ev, 0);
    assert_non_null(lambda_s3_record_json(r));
    assert_string_equal(lambda_s3_record_event_name(r), "ObjectCreated:Put");
    assert_string_equal(lambda_s3_record_event_time(r), "2024-03-10T12:41:07.512Z");
    assert_string_equal(lambda_s3_record_aws_region(r), "us-east-1");
    assert_string_equal(lambda_s3_record_bucket_name(r), "amzn-s3-demo-bucket");
    assert_string_equal(lambda_s3_record_bucket_arn(r), "arn:aws:s3:::amzn-s3-demo-bucket");
    assert_string_equal(lambda_s3_record_object_key_raw(r),
                        "uploads/2024/my+holiday+photo+%28caf%C3%A9%29%2B1.jpg");
    const char *key = NULL;
    size_t len = 0;
    assert_int_equal(lambda_s3_record_object_key(r, &key, &len), LAMBDA_OK);
    assert_string_equal(key, "uploads/2024/my holiday photo (caf\xc3\xa9)+1.jpg");
    assert_int_equal(len, strlen(key));
    const char *again = NULL;
    assert_int_equal(lambda_s3_record_object_key(r, &again, NULL), LAMBDA_OK);
    assert_ptr_equal(again, key); /* decoded once */
    assert_int_equal(lambda_s3_record_object_size(r), 1305107);
    assert_string_equal(lambda_s3_record_object_etag(r), "b21b84d653bb07b05b1e6b33684dc11b");
    assert_string_equal(lambda_s3_record_object_version_id(r), "096fKKXTRTtl3on89fVO.nfljtsv6qko");
    assert_string_equal(lambda_s3_record_object_sequencer(r), "0C0F6F405D6ED209E1");

    /* a delete: no size, eTag or versionId */
    r = lambda_s3_event_record(ev, 1);
    assert_string_equal(lambda_s3_record_event_name(r), "ObjectRemoved:Delete");
    assert_int_equal(lambda_s3_record_object_key(r, &key, &len), LAMBDA_OK);
    assert_string_equal(key, "plain-key.txt");
    assert_int_equal(lambda_s3_record_object_size(r), -1);
    assert_null(lambda_s3_record_object_etag(r));
    assert_null(lambda_s3_record_object_version_id(r));
    assert_null(lambda_s3_event_record(ev, 2));
    close_event(&f);
}

static void test_key_decoding(void **state)
{
    (void)state;
    const char *cases[][2] = {
        { "a+b", "a b" },
        { "a%2Bb", "a+b" },
        { "%41%42%43", "ABC" },
        { "%e2%82%ac", "\xe2\x82\xac" },
        { "100%", "100%" },
        { "%4", "%4" },
        { "%zz1", "%zz1" },
        { "%%41", "%A" },
        { "", "" },
        { "+++", "   " },
        { "a%2Fb/c", "a/b/c" },
        { "x%00y", "x" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_object *root = json_object_new_object();
        json_object *records = json_object_new_array();
        json_object *rec = json_object_new_object();
        json_object *s3 = json_object_new_object();
        json_object *obj = json_object_new_object();
        json_object_object_add(obj, "key", json_object_new_string(cases[i][0]));
        json_object_object_add(s3, "object", obj);
        json_object_object_add(rec, "s3", s3);
        json_object_array_add(records, rec);
        json_object_object_add(root, "Records", records);
        fixture f = fixture_of(root);
        const char *key;
        size_t len;
        assert_int_equal(lambda_s3_record_object_key(lambda_s3_event_record(f.ev, 0), &key, &len),
                         LAMBDA_OK);
        assert_string_equal(key, cases[i][1]);
        if (strcmp(cases[i][0], "x%00y") == 0)
            assert_int_equal(len, 3); /* the NUL is inside the key; len tells */
        else
            assert_int_equal(len, strlen(cases[i][1]));
        close_event(&f);
    }
}

static void test_absent(void **state)
{
    (void)state;
    fixture f = parse_event("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}");
    lambda_s3_event *ev = f.ev;
    const lambda_s3_record *r = lambda_s3_event_record(ev, 0);
    const char *key = "x";
    size_t len = 4;
    assert_int_equal(lambda_s3_record_object_key(r, &key, &len), LAMBDA_E_NOT_FOUND);
    assert_null(key);
    assert_int_equal(len, 0);
    assert_null(lambda_s3_record_object_key_raw(r));
    assert_null(lambda_s3_record_bucket_name(r));
    assert_null(lambda_s3_record_bucket_arn(r));
    assert_null(lambda_s3_record_event_name(r));
    assert_null(lambda_s3_record_event_time(r));
    assert_null(lambda_s3_record_aws_region(r));
    assert_int_equal(lambda_s3_record_object_size(r), -1);
    assert_null(lambda_s3_record_object_sequencer(r));
    assert_int_equal(lambda_s3_record_object_key(r, NULL, &len), LAMBDA_E_INVALID_ARGUMENT);
    close_event(&f);

    lambda_s3_event_free(NULL);
    assert_int_equal(lambda_s3_event_count(NULL), 0);
    assert_null(lambda_s3_event_record(NULL, 0));
    assert_null(lambda_s3_record_json(NULL));
    assert_null(lambda_s3_record_event_name(NULL));
    assert_null(lambda_s3_record_bucket_name(NULL));
    assert_int_equal(lambda_s3_record_object_key(NULL, &key, &len), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(lambda_s3_record_object_key_raw(NULL));
    assert_int_equal(lambda_s3_record_object_size(NULL), -1);
    assert_null(lambda_s3_record_object_etag(NULL));
    assert_null(lambda_s3_record_object_version_id(NULL));
    assert_null(lambda_s3_record_object_sequencer(NULL));
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    /* the s3:TestEvent has no Records */
    expect_parse("{\"Service\":\"Amazon "
                 "S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2024-03-10T12:00:00.000Z\","
                 "\"Bucket\":\"amzn-s3-demo-bucket\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":"
                 "\"8cLeGAmw\"}",
                 LAMBDA_E_NOT_FOUND);
    expect_parse("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":[]}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"object\":\"k\"}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"object\":{\"key\":1}}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"object\":{\"size\":\"12\"}}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"object\":{\"size\":1.5}}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"bucket\":{\"name\":{}}}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventName\":3}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"s3\":{\"object\":{\"key\":null}}}]}", LAMBDA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_key_decoding),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("event_s3", tests, NULL, NULL);
}
