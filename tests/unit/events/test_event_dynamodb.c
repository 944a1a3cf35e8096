/*
 * Event bindings, DynamoDB Streams (sdk/src/events/dynamodb.c): records, images,
 * every attribute value type (S N B BOOL NULL M L SS NS BS), number conversion,
 * values asked for the wrong type, malformed values and malformed events.
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
#include "lambda-c/event_dynamodb.h"

EVENT_TEST_FAMILY(lambda_dynamodb_event)

static int setup(void **state)
{
    static fixture f;
    f = open_event("dynamodb-stream.json");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    close_event(*state);
    return 0;
}

static const lambda_dynamodb_map *insert_image(void **state)
{
    fixture *f = *state;
    return lambda_dynamodb_record_new_image(lambda_dynamodb_event_record(f->ev, 0));
}

static void test_records(void **state)
{
    fixture *f = *state;
    assert_int_equal(lambda_dynamodb_event_count(f->ev), 3);
    const lambda_dynamodb_record *r = lambda_dynamodb_event_record(f->ev, 0);
    assert_non_null(lambda_dynamodb_record_json(r));
    assert_string_equal(lambda_dynamodb_record_event_id(r), "c4ca4238a0b923820dcc509a6f75849b");
    assert_string_equal(lambda_dynamodb_record_event_name(r), "INSERT");
    assert_string_equal(
        lambda_dynamodb_record_event_source_arn(r),
        "arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/"
        "2015-06-27T00:48:05.899");
    assert_string_equal(lambda_dynamodb_record_aws_region(r), "us-east-1");
    assert_string_equal(lambda_dynamodb_record_sequence_number(r), "4421584500000000017450439091");
    assert_string_equal(lambda_dynamodb_record_stream_view_type(r), "NEW_AND_OLD_IMAGES");
    assert_int_equal(lambda_dynamodb_record_size_bytes(r), 26);
    assert_float_equal(lambda_dynamodb_record_creation_time(r), 1428537600.0, 0);
    assert_null(lambda_dynamodb_record_principal_id(r));
    assert_non_null(lambda_dynamodb_record_keys(r));
    assert_non_null(lambda_dynamodb_record_new_image(r));
    assert_null(lambda_dynamodb_record_old_image(r));

    r = lambda_dynamodb_event_record(f->ev, 1);
    assert_string_equal(lambda_dynamodb_record_event_name(r), "MODIFY");
    const lambda_dynamodb_map *old = lambda_dynamodb_record_old_image(r);
    assert_string_equal(lambda_dynamodb_value_string(lambda_dynamodb_map_get(old, "Message"), NULL),
                        "New item!");
    assert_string_equal(
        lambda_dynamodb_value_string(
            lambda_dynamodb_map_get(lambda_dynamodb_record_new_image(r), "Message"), NULL),
        "This item has changed");

    r = lambda_dynamodb_event_record(f->ev, 2);
    assert_string_equal(lambda_dynamodb_record_event_name(r), "REMOVE");
    assert_string_equal(lambda_dynamodb_record_principal_id(r), "dynamodb.amazonaws.com");
    assert_null(lambda_dynamodb_record_new_image(r));
    assert_null(lambda_dynamodb_event_record(f->ev, 3));
}

static void test_maps(void **state)
{
    fixture *f = *state;
    const lambda_dynamodb_map *keys =
        lambda_dynamodb_record_keys(lambda_dynamodb_event_record(f->ev, 0));
    assert_int_equal(lambda_dynamodb_map_count(keys), 1);
    const lambda_dynamodb_value *v = NULL;
    assert_string_equal(lambda_dynamodb_map_at(keys, 0, &v), "Id");
    assert_int_equal(lambda_dynamodb_value_type(v), LAMBDA_DYNAMODB_N);
    assert_null(lambda_dynamodb_map_at(keys, 1, &v));
    assert_null(v);
    assert_non_null(lambda_dynamodb_map_at(keys, 0, NULL));

    const lambda_dynamodb_map *img = insert_image(state);
    assert_int_equal(lambda_dynamodb_map_count(img), 12);
    assert_null(lambda_dynamodb_map_get(img, "Absent"));
    assert_null(lambda_dynamodb_map_get(img, NULL));
    assert_null(lambda_dynamodb_map_get(img, "message")); /* names are case-sensitive */
    /* iteration keeps the event's order */
    assert_string_equal(lambda_dynamodb_map_at(img, 0, NULL), "Id");
    assert_string_equal(lambda_dynamodb_map_at(img, 11, NULL), "History");
    assert_int_equal(lambda_dynamodb_map_count(NULL), 0);
    assert_null(lambda_dynamodb_map_at(NULL, 0, &v));
}

static void test_scalars(void **state)
{
    const lambda_dynamodb_map *img = insert_image(state);
    const lambda_dynamodb_value *s = lambda_dynamodb_map_get(img, "Message");
    assert_int_equal(lambda_dynamodb_value_type(s), LAMBDA_DYNAMODB_S);
    size_t len = 0;
    assert_string_equal(lambda_dynamodb_value_string(s, &len), "New item!");
    assert_int_equal(len, 9);
    assert_null(lambda_dynamodb_value_number(s));

    const lambda_dynamodb_value *n = lambda_dynamodb_map_get(img, "Id");
    assert_int_equal(lambda_dynamodb_value_type(n), LAMBDA_DYNAMODB_N);
    assert_string_equal(lambda_dynamodb_value_number(n), "101");
    len = 5;
    assert_null(lambda_dynamodb_value_string(n, &len));
    assert_int_equal(len, 0);
    int64_t i = 0;
    assert_int_equal(lambda_dynamodb_value_int64(n, &i), LAMBDA_OK);
    assert_int_equal(i, 101);
    double d = 0;
    assert_int_equal(lambda_dynamodb_value_double(n, &d), LAMBDA_OK);
    assert_float_equal(d, 101.0, 0);

    const lambda_dynamodb_value *price = lambda_dynamodb_map_get(img, "Price");
    assert_int_equal(lambda_dynamodb_value_int64(price, &i), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_double(price, &d), LAMBDA_OK);
    assert_float_equal(d, -12.5, 0);
    const lambda_dynamodb_value *big = lambda_dynamodb_map_get(img, "Big");
    assert_int_equal(lambda_dynamodb_value_int64(big, &i), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_double(big, &d), LAMBDA_OK);
    assert_float_equal(d, 1.2345678901234568e29, 1e15);

    const lambda_dynamodb_value *b = lambda_dynamodb_map_get(img, "InStock");
    assert_int_equal(lambda_dynamodb_value_type(b), LAMBDA_DYNAMODB_BOOL);
    int flag = 0;
    assert_int_equal(lambda_dynamodb_value_bool(b, &flag), LAMBDA_OK);
    assert_int_equal(flag, 1);
    assert_int_equal(lambda_dynamodb_value_bool(n, &flag), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(flag, 0);
    assert_int_equal(lambda_dynamodb_value_bool(b, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_dynamodb_value_int64(b, &i), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_int64(n, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_dynamodb_value_double(b, &d), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_double(n, NULL), LAMBDA_E_INVALID_ARGUMENT);

    assert_int_equal(lambda_dynamodb_value_type(lambda_dynamodb_map_get(img, "Discontinued")),
                     LAMBDA_DYNAMODB_NULL);

    const lambda_dynamodb_value *bin = lambda_dynamodb_map_get(img, "Thumbnail");
    assert_int_equal(lambda_dynamodb_value_type(bin), LAMBDA_DYNAMODB_B);
    size_t size = 0;
    unsigned char buf[8];
    assert_int_equal(lambda_dynamodb_value_binary(bin, NULL, 0, &size), LAMBDA_OK);
    assert_int_equal(size, 5);
    assert_int_equal(lambda_dynamodb_value_binary(bin, buf, 2, &size), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_dynamodb_value_binary(bin, buf, sizeof buf, &size), LAMBDA_OK);
    assert_memory_equal(buf, "\x00\x01\x02\xfe\xff", 5);
    assert_int_equal(lambda_dynamodb_value_binary(s, buf, sizeof buf, &size), LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_binary(bin, buf, sizeof buf, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
}

static void test_collections(void **state)
{
    const lambda_dynamodb_map *img = insert_image(state);
    const lambda_dynamodb_value *ss = lambda_dynamodb_map_get(img, "Tags");
    assert_int_equal(lambda_dynamodb_value_type(ss), LAMBDA_DYNAMODB_SS);
    assert_int_equal(lambda_dynamodb_value_count(ss), 2);
    size_t len = 0;
    assert_string_equal(lambda_dynamodb_value_set_string_at(ss, 1, &len), "sale");
    assert_int_equal(len, 4);
    assert_null(lambda_dynamodb_value_set_string_at(ss, 2, &len));

    const lambda_dynamodb_value *ns = lambda_dynamodb_map_get(img, "Sizes");
    assert_int_equal(lambda_dynamodb_value_type(ns), LAMBDA_DYNAMODB_NS);
    assert_string_equal(lambda_dynamodb_value_set_string_at(ns, 1, NULL), "40.5");

    const lambda_dynamodb_value *bs = lambda_dynamodb_map_get(img, "Blobs");
    assert_int_equal(lambda_dynamodb_value_type(bs), LAMBDA_DYNAMODB_BS);
    assert_int_equal(lambda_dynamodb_value_count(bs), 2);
    assert_null(lambda_dynamodb_value_set_string_at(bs, 0, NULL));
    unsigned char buf[8];
    size_t size = 0;
    assert_int_equal(lambda_dynamodb_value_set_binary_at(bs, 0, buf, sizeof buf, &size), LAMBDA_OK);
    assert_int_equal(size, 4);
    assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
    assert_int_equal(lambda_dynamodb_value_set_binary_at(bs, 1, NULL, 0, &size), LAMBDA_OK);
    assert_int_equal(size, 5);
    assert_int_equal(lambda_dynamodb_value_set_binary_at(bs, 2, buf, sizeof buf, &size),
                     LAMBDA_E_NOT_FOUND);
    assert_int_equal(lambda_dynamodb_value_set_binary_at(ss, 0, buf, sizeof buf, &size),
                     LAMBDA_E_WRONG_TYPE);
    assert_int_equal(lambda_dynamodb_value_set_binary_at(bs, 0, buf, sizeof buf, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);

    const lambda_dynamodb_value *m = lambda_dynamodb_map_get(img, "Dimensions");
    assert_int_equal(lambda_dynamodb_value_type(m), LAMBDA_DYNAMODB_M);
    assert_int_equal(lambda_dynamodb_value_count(m), 2);
    const lambda_dynamodb_map *dims = lambda_dynamodb_value_map(m);
    assert_non_null(dims);
    int64_t w = 0;
    assert_int_equal(lambda_dynamodb_value_int64(lambda_dynamodb_map_get(dims, "Width"), &w),
                     LAMBDA_OK);
    assert_int_equal(w, 20);
    assert_null(lambda_dynamodb_value_map(ss));

    const lambda_dynamodb_value *l = lambda_dynamodb_map_get(img, "History");
    assert_int_equal(lambda_dynamodb_value_type(l), LAMBDA_DYNAMODB_L);
    assert_int_equal(lambda_dynamodb_value_count(l), 3);
    assert_string_equal(lambda_dynamodb_value_string(lambda_dynamodb_value_list_at(l, 0), NULL),
                        "created");
    assert_string_equal(lambda_dynamodb_value_number(lambda_dynamodb_value_list_at(l, 1)), "7");
    const lambda_dynamodb_value *nested = lambda_dynamodb_value_list_at(l, 2);
    assert_string_equal(lambda_dynamodb_value_string(
                            lambda_dynamodb_map_get(lambda_dynamodb_value_map(nested), "By"), NULL),
                        "admin");
    assert_null(lambda_dynamodb_value_list_at(l, 3));
    assert_null(lambda_dynamodb_value_list_at(m, 0));
    assert_int_equal(lambda_dynamodb_value_count(lambda_dynamodb_map_get(img, "Message")), 0);
}

static void test_type_names(void **state)
{
    (void)state;
    const char *names[] = { "INVALID", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS" };
    for (int t = 0; t <= LAMBDA_DYNAMODB_BS; t++)
        assert_string_equal(lambda_dynamodb_type_name((lambda_dynamodb_type)t), names[t]);
    assert_string_equal(lambda_dynamodb_type_name((lambda_dynamodb_type)99), "INVALID");
    assert_string_equal(lambda_dynamodb_type_name((lambda_dynamodb_type)-1), "INVALID");
}

/* Values that are not well-formed are INVALID, never a crash. */
static void test_malformed_values(void **state)
{
    (void)state;
    fixture f = parse_event(
        "{\"Records\":[{\"dynamodb\":{\"NewImage\":{"
        "\"two\":{\"S\":\"a\",\"N\":\"1\"},\"none\":{},\"unknown\":{\"X\":\"1\"},\"str\":\"plain\","
        "\"sNum\":{\"S\":1},\"nArr\":{\"N\":[]},\"boolStr\":{\"BOOL\":\"true\"},\"nullFalse\":{"
        "\"NULL\":false},"
        "\"mArr\":{\"M\":[]},\"lObj\":{\"L\":{}},\"ssMixed\":{\"SS\":[\"a\",1]},\"nul\":null,"
        "\"bBad\":{\"B\":\"@@\"},\"lBad\":{\"L\":[1,{\"S\":\"ok\"}]},"
        "\"nText\":{\"N\":\"12abc\"},\"nEmpty\":{\"N\":\"\"},\"nMinus\":{\"N\":\"-\"},\"nExp\":{"
        "\"N\":\"1e3\"},"
        "\"nMax\":{\"N\":\"9223372036854775807\"},\"nMin\":{\"N\":\"-9223372036854775808\"},"
        "\"nOver\":{\"N\":\"9223372036854775808\"},\"nUnder\":{\"N\":\"-9223372036854775809\"},"
        "\"nDot\":{\"N\":\".5\"},\"nInf\":{\"N\":\"inf\"},\"nHex\":{\"N\":\"0x10\"},\"nPlus\":{"
        "\"N\":\"+1\"},"
        "\"nE\":{\"N\":\"1e\"}"
        "}}}]}");
    lambda_dynamodb_event *ev = f.ev;
    const lambda_dynamodb_map *img =
        lambda_dynamodb_record_new_image(lambda_dynamodb_event_record(ev, 0));
    const char *invalid[] = { "two",       "none", "unknown", "str",     "sNum", "nArr",  "boolStr",
                              "nullFalse", "mArr", "lObj",    "ssMixed", "nul",  "absent" };
    for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
        const lambda_dynamodb_value *v = lambda_dynamodb_map_get(img, invalid[k]);
        assert_int_equal(lambda_dynamodb_value_type(v), LAMBDA_DYNAMODB_INVALID);
        assert_null(lambda_dynamodb_value_string(v, NULL));
        assert_null(lambda_dynamodb_value_number(v));
        assert_null(lambda_dynamodb_value_map(v));
        assert_int_equal(lambda_dynamodb_value_count(v), 0);
        assert_null(lambda_dynamodb_value_list_at(v, 0));
        assert_null(lambda_dynamodb_value_set_string_at(v, 0, NULL));
        int64_t i;
        double d;
        int b;
        size_t size;
        assert_int_equal(lambda_dynamodb_value_int64(v, &i), LAMBDA_E_WRONG_TYPE);
        assert_int_equal(lambda_dynamodb_value_double(v, &d), LAMBDA_E_WRONG_TYPE);
        assert_int_equal(lambda_dynamodb_value_bool(v, &b), LAMBDA_E_WRONG_TYPE);
        assert_int_equal(lambda_dynamodb_value_binary(v, NULL, 0, &size), LAMBDA_E_WRONG_TYPE);
        assert_int_equal(lambda_dynamodb_value_set_binary_at(v, 0, NULL, 0, &size),
                         LAMBDA_E_WRONG_TYPE);
    }
    size_t size;
    assert_int_equal(
        lambda_dynamodb_value_binary(lambda_dynamodb_map_get(img, "bBad"), NULL, 0, &size),
        LAMBDA_E_WRONG_TYPE);
    const lambda_dynamodb_value *lbad = lambda_dynamodb_map_get(img, "lBad");
    assert_int_equal(lambda_dynamodb_value_type(lbad), LAMBDA_DYNAMODB_L);
    assert_int_equal(lambda_dynamodb_value_type(lambda_dynamodb_value_list_at(lbad, 0)),
                     LAMBDA_DYNAMODB_INVALID);
    assert_int_equal(lambda_dynamodb_value_type(lambda_dynamodb_value_list_at(lbad, 1)),
                     LAMBDA_DYNAMODB_S);

    struct {
        const char *name;
        lambda_code i64;
        int64_t value;
        lambda_code dbl;
    } nums[] = {
        { "nText", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nEmpty", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nMinus", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nExp", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_OK },
        { "nMax", LAMBDA_OK, INT64_MAX, LAMBDA_OK },
        { "nMin", LAMBDA_OK, INT64_MIN, LAMBDA_OK },
        { "nOver", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_OK },
        { "nUnder", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_OK },
        { "nDot", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_OK },
        { "nInf", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nHex", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nPlus", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
        { "nE", LAMBDA_E_WRONG_TYPE, 0, LAMBDA_E_WRONG_TYPE },
    };
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        const lambda_dynamodb_value *v = lambda_dynamodb_map_get(img, nums[k].name);
        assert_int_equal(lambda_dynamodb_value_type(v), LAMBDA_DYNAMODB_N);
        int64_t i = 1;
        double d;
        if (lambda_dynamodb_value_int64(v, &i) != nums[k].i64 ||
            lambda_dynamodb_value_double(v, &d) != nums[k].dbl)
            fail_msg("number %s", nums[k].name);
        if (nums[k].i64 == LAMBDA_OK)
            assert_true(i == nums[k].value);
        else
            assert_int_equal(i, 0);
    }
    double d;
    assert_int_equal(lambda_dynamodb_value_double(lambda_dynamodb_map_get(img, "nExp"), &d),
                     LAMBDA_OK);
    assert_float_equal(d, 1000.0, 0);
    close_event(&f);
}

static void test_absent_and_null(void **state)
{
    (void)state;
    fixture f = parse_event("{\"Records\":[{\"eventSource\":\"aws:dynamodb\"}]}");
    lambda_dynamodb_event *ev = f.ev;
    const lambda_dynamodb_record *r = lambda_dynamodb_event_record(ev, 0);
    assert_null(lambda_dynamodb_record_event_id(r));
    assert_null(lambda_dynamodb_record_event_name(r));
    assert_null(lambda_dynamodb_record_event_source_arn(r));
    assert_null(lambda_dynamodb_record_aws_region(r));
    assert_null(lambda_dynamodb_record_sequence_number(r));
    assert_null(lambda_dynamodb_record_stream_view_type(r));
    assert_int_equal(lambda_dynamodb_record_size_bytes(r), -1);
    assert_float_equal(lambda_dynamodb_record_creation_time(r), -1.0, 0);
    assert_null(lambda_dynamodb_record_principal_id(r));
    assert_null(lambda_dynamodb_record_keys(r));
    assert_null(lambda_dynamodb_record_new_image(r));
    assert_null(lambda_dynamodb_record_old_image(r));
    close_event(&f);

    lambda_dynamodb_event_free(NULL);
    assert_int_equal(lambda_dynamodb_event_count(NULL), 0);
    assert_null(lambda_dynamodb_event_record(NULL, 0));
    assert_null(lambda_dynamodb_record_json(NULL));
    assert_null(lambda_dynamodb_record_event_id(NULL));
    assert_null(lambda_dynamodb_record_event_name(NULL));
    assert_null(lambda_dynamodb_record_event_source_arn(NULL));
    assert_null(lambda_dynamodb_record_aws_region(NULL));
    assert_null(lambda_dynamodb_record_sequence_number(NULL));
    assert_null(lambda_dynamodb_record_stream_view_type(NULL));
    assert_int_equal(lambda_dynamodb_record_size_bytes(NULL), -1);
    assert_float_equal(lambda_dynamodb_record_creation_time(NULL), -1.0, 0);
    assert_null(lambda_dynamodb_record_principal_id(NULL));
    assert_null(lambda_dynamodb_record_keys(NULL));
    assert_null(lambda_dynamodb_record_new_image(NULL));
    assert_null(lambda_dynamodb_record_old_image(NULL));
    assert_int_equal(lambda_dynamodb_value_type(NULL), LAMBDA_DYNAMODB_INVALID);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_parse("null", LAMBDA_E_INVALID_ARGUMENT);
    expect_parse("{}", LAMBDA_E_NOT_FOUND);
    expect_parse("true", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventSource\":\"aws:kinesis\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":[]}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":{\"Keys\":[]}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":{\"NewImage\":\"x\"}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":{\"SizeBytes\":\"26\"}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":{\"SequenceNumber\":1}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"dynamodb\":{\"ApproximateCreationDateTime\":\"x\"}}]}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"userIdentity\":\"x\"}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"userIdentity\":{\"principalId\":1}}]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[{\"eventName\":[]}]}", LAMBDA_E_WRONG_TYPE);
    /* malformed attribute values do not fail the batch */
    expect_parse("{\"Records\":[{\"dynamodb\":{\"NewImage\":{\"a\":5}}}]}", LAMBDA_OK);
    json_object *root = json_tokener_parse("{\"Records\":[]}");
    assert_int_equal(lambda_dynamodb_event_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collections, setup, teardown),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_malformed_values),
        cmocka_unit_test(test_absent_and_null),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("event_dynamodb", tests, NULL, NULL);
}
