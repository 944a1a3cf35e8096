/*
 * Event bindings, HTTP (sdk/src/events/http.c): the request view over the sample
 * events of tests/events/ (REST v1, HTTP API 2.0, Function URL, ALB with and without
 * multi-value headers), malformed events, and the response builder's four shapes.
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
#include "lambda-c/event_http.h"

/* ------------------------------------------------------------------ helpers */

EVENT_TEST_FAMILY(lambda_http_request)

static const char *json_str(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *json_get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* ------------------------------------------------------------------ REST v1 */

static void test_rest_v1_basics(void **state)
{
    (void)state;
    fixture f = open_event("apigw-rest-v1.json");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_REST_V1);
    assert_ptr_equal(lambda_http_request_json(req), f.root);
    assert_string_equal(lambda_http_request_method(req), "GET");
    assert_string_equal(lambda_http_request_path(req), "/items/42");
    assert_null(lambda_http_request_raw_query(req));
    assert_string_equal(lambda_http_request_request_id(req),
                        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    assert_string_equal(lambda_http_request_source_ip(req), "198.51.100.24");
    assert_string_equal(lambda_http_request_stage(req), "prod");
    assert_string_equal(lambda_http_request_domain_name(req),
                        "r3pmxmplak.execute-api.us-east-2.amazonaws.com");
    /* zero-copy: the method points into the tree */
    json_object *m = json_get(f.root, "httpMethod");
    assert_ptr_equal(lambda_http_request_method(req), json_object_get_string(m));
    close_event(&f);
}

static void test_rest_v1_headers(void **state)
{
    (void)state;
    fixture f = open_event("apigw-rest-v1.json");
    lambda_http_request *req = f.ev;
    /* case-insensitive lookup */
    assert_string_equal(lambda_http_request_header(req, "Accept"), "application/json");
    assert_string_equal(lambda_http_request_header(req, "accept"), "application/json");
    assert_string_equal(lambda_http_request_header(req, "ACCEPT"), "application/json");
    assert_string_equal(lambda_http_request_header(req, "user-AGENT"), "curl/8.5.0");
    assert_null(lambda_http_request_header(req, "Accep"));
    assert_null(lambda_http_request_header(req, "Accept-"));
    assert_null(lambda_http_request_header(req, "X-Absent"));
    assert_null(lambda_http_request_header(req, NULL));
    /* multi-value (multiValueHeaders wins over headers, which holds only the last) */
    assert_int_equal(lambda_http_request_header_value_count(req, "x-custom"), 2);
    assert_string_equal(lambda_http_request_header(req, "x-custom"), "first");
    assert_string_equal(lambda_http_request_header_value(req, "X-CUSTOM", 0), "first");
    assert_string_equal(lambda_http_request_header_value(req, "x-Custom", 1), "second");
    assert_null(lambda_http_request_header_value(req, "x-custom", 2));
    assert_int_equal(lambda_http_request_header_value_count(req, "x-absent"), 0);
    assert_int_equal(lambda_http_request_header_value_count(req, NULL), 0);
    /* iteration: 10 names, X-Custom twice */
    assert_int_equal(lambda_http_request_header_count(req), 11);
    size_t custom = 0;
    for (size_t i = 0; i < lambda_http_request_header_count(req); i++) {
        const char *value = NULL;
        const char *name = lambda_http_request_header_at(req, i, &value);
        assert_non_null(name);
        assert_non_null(value);
        if (strcmp(name, "X-Custom") == 0)
            custom++;
    }
    assert_int_equal(custom, 2);
    const char *value = "x";
    assert_null(lambda_http_request_header_at(req, 11, &value));
    assert_null(value);
    assert_non_null(lambda_http_request_header_at(req, 0, NULL));
    close_event(&f);
}

static void test_rest_v1_query_path_cookies_body(void **state)
{
    (void)state;
    fixture f = open_event("apigw-rest-v1.json");
    lambda_http_request *req = f.ev;
    /* query: multiValueQueryStringParameters, in order */
    assert_string_equal(lambda_http_request_query(req, "tag"), "red");
    assert_int_equal(lambda_http_request_query_value_count(req, "tag"), 2);
    assert_string_equal(lambda_http_request_query_value(req, "tag", 1), "blue");
    assert_null(lambda_http_request_query_value(req, "tag", 2));
    assert_string_equal(lambda_http_request_query(req, "fields"), "name,price");
    assert_null(lambda_http_request_query(req, "TAG")); /* case-sensitive */
    assert_null(lambda_http_request_query(req, "absent"));
    assert_int_equal(lambda_http_request_query_count(req), 3);
    const char *v = NULL;
    assert_non_null(lambda_http_request_query_at(req, 2, &v));
    assert_non_null(v);
    assert_null(lambda_http_request_query_at(req, 3, &v));
    /* path parameters */
    assert_string_equal(lambda_http_request_path_param(req, "id"), "42");
    assert_null(lambda_http_request_path_param(req, "ID"));
    assert_int_equal(lambda_http_request_path_param_count(req), 1);
    assert_string_equal(lambda_http_request_path_param_at(req, 0, &v), "id");
    assert_string_equal(v, "42");
    assert_null(lambda_http_request_path_param_at(req, 1, &v));
    /* cookies from the Cookie header */
    assert_int_equal(lambda_http_request_cookie_count(req), 2);
    assert_string_equal(lambda_http_request_cookie(req, "session"), "abc123");
    assert_string_equal(lambda_http_request_cookie(req, "theme"), "dark");
    assert_null(lambda_http_request_cookie(req, "Session"));
    assert_string_equal(lambda_http_request_cookie_at(req, 1, &v), "theme");
    assert_string_equal(v, "dark");
    assert_null(lambda_http_request_cookie_at(req, 2, &v));
    /* body null: "" and 0 */
    const void *data = NULL;
    size_t size = 99;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_non_null(data);
    assert_int_equal(size, 0);
    assert_string_equal((const char *)data, "");
    assert_false(lambda_http_request_body_is_base64(req));
    size = 99;
    assert_null(lambda_http_request_body_raw(req, &size));
    assert_int_equal(size, 0);
    close_event(&f);
}

static void test_rest_v1_base64_body(void **state)
{
    (void)state;
    fixture f = open_event("apigw-rest-v1-post-base64.json");
    lambda_http_request *req = f.ev;
    assert_string_equal(lambda_http_request_method(req), "POST");
    assert_true(lambda_http_request_body_is_base64(req));
    size_t raw_len = 0;
    assert_string_equal(lambda_http_request_body_raw(req, &raw_len), "AAECA/8Abm90IHRleHQ=");
    assert_int_equal(raw_len, 20);
    const void *data = NULL;
    size_t size = 0;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 14);
    assert_memory_equal(data, "\x00\x01\x02\x03\xff\x00not text", 14);
    assert_int_equal(((const char *)data)[14], '\0');
    /* decoded once, cached */
    const void *again = NULL;
    assert_int_equal(lambda_http_request_body(req, &again, NULL), LAMBDA_OK);
    assert_ptr_equal(again, data);
    /* null maps are empty */
    assert_int_equal(lambda_http_request_query_count(req), 0);
    assert_int_equal(lambda_http_request_path_param_count(req), 0);
    assert_null(lambda_http_request_path_param(req, "id"));
    assert_int_equal(lambda_http_request_cookie_count(req), 0);
    assert_string_equal(lambda_http_request_header(req, "Content-Type"),
                        "application/octet-stream");
    assert_string_equal(lambda_http_request_source_ip(req), "203.0.113.7");
    close_event(&f);
}

/* ------------------------------------------------------------------ HTTP API 2.0 */

static void test_http_v2(void **state)
{
    (void)state;
    fixture f = open_event("apigw-http-v2.json");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_HTTP_V2);
    assert_string_equal(lambda_http_request_method(req), "GET");
    assert_string_equal(lambda_http_request_path(req), "/items/42");
    assert_string_equal(lambda_http_request_raw_query(req),
                        "tag=red&tag=blue&q=caf%C3%A9+au+lait&flag&empty=");
    assert_string_equal(lambda_http_request_request_id(req), "JKJaXmPLvHcESHA=");
    assert_string_equal(lambda_http_request_source_ip(req), "192.0.2.10");
    assert_string_equal(lambda_http_request_stage(req), "$default");
    assert_string_equal(lambda_http_request_domain_name(req),
                        "abcdxmpl12.execute-api.us-east-1.amazonaws.com");
    /* query from rawQueryString: separate values, decoded */
    assert_int_equal(lambda_http_request_query_count(req), 5);
    assert_int_equal(lambda_http_request_query_value_count(req, "tag"), 2);
    assert_string_equal(lambda_http_request_query(req, "tag"), "red");
    assert_string_equal(lambda_http_request_query_value(req, "tag", 1), "blue");
    assert_string_equal(lambda_http_request_query(req, "q"), "caf\xc3\xa9 au lait");
    assert_string_equal(lambda_http_request_query(req, "flag"), "");
    assert_string_equal(lambda_http_request_query(req, "empty"), "");
    assert_null(lambda_http_request_query(req, "absent"));
    /* headers: one value each (2.0 joins repeats itself) */
    assert_string_equal(lambda_http_request_header(req, "X-Custom"), "first,second");
    assert_int_equal(lambda_http_request_header_value_count(req, "x-custom"), 1);
    assert_int_equal(lambda_http_request_header_count(req), 9);
    /* cookies from the cookies array */
    assert_int_equal(lambda_http_request_cookie_count(req), 2);
    assert_string_equal(lambda_http_request_cookie(req, "session"), "abc123");
    assert_string_equal(lambda_http_request_cookie(req, "theme"), "dark");
    assert_null(lambda_http_request_cookie(req, "nope"));
    assert_string_equal(lambda_http_request_path_param(req, "id"), "42");
    /* no body */
    const void *data = NULL;
    size_t size = 1;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 0);
    close_event(&f);
}

static void test_http_v2_base64_json_body(void **state)
{
    (void)state;
    fixture f = open_event("apigw-http-v2-post.json");
    lambda_http_request *req = f.ev;
    assert_string_equal(lambda_http_request_method(req), "POST");
    assert_string_equal(lambda_http_request_raw_query(req), "");
    assert_int_equal(lambda_http_request_query_count(req), 0);
    assert_int_equal(lambda_http_request_cookie_count(req), 0);
    assert_int_equal(lambda_http_request_path_param_count(req), 0);
    const void *data = NULL;
    size_t size = 0;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, strlen("{\"name\":\"lamp\",\"price\":19.99}"));
    assert_string_equal((const char *)data, "{\"name\":\"lamp\",\"price\":19.99}");
    close_event(&f);
}

static void test_function_url(void **state)
{
    (void)state;
    fixture f = open_event("function-url.json");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_FUNCTION_URL);
    assert_string_equal(lambda_http_request_method(req), "POST");
    assert_string_equal(lambda_http_request_path(req), "/my/path");
    assert_int_equal(lambda_http_request_query_value_count(req, "parameter1"), 2);
    assert_string_equal(lambda_http_request_query_value(req, "parameter1", 1), "value2");
    assert_string_equal(lambda_http_request_query(req, "parameter2"), "value");
    assert_string_equal(lambda_http_request_header(req, "Header2"), "value1,value2");
    assert_int_equal(lambda_http_request_path_param_count(req), 0);
    assert_int_equal(lambda_http_request_cookie_count(req), 2);
    assert_string_equal(lambda_http_request_cookie(req, "cookie2"), "value2");
    assert_string_equal(lambda_http_request_source_ip(req), "203.0.113.42");
    assert_string_equal(lambda_http_request_stage(req), "$default");
    assert_string_equal(lambda_http_request_request_id(req), "id");
    const void *data;
    size_t size;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 18);
    assert_string_equal((const char *)data, "Hello from client!");
    /* not base64: the body is the event's own string */
    assert_ptr_equal(data, lambda_http_request_body_raw(req, NULL));
    close_event(&f);
}

/* ------------------------------------------------------------------ ALB */

static void test_alb(void **state)
{
    (void)state;
    fixture f = open_event("alb.json");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_ALB);
    assert_string_equal(lambda_http_request_method(req), "GET");
    assert_string_equal(lambda_http_request_path(req), "/lambda");
    assert_null(lambda_http_request_raw_query(req));
    /* ALB does not decode the query: the view does */
    assert_string_equal(lambda_http_request_query(req, "query"), "1234ABCD");
    assert_string_equal(lambda_http_request_query(req, "name"), "caf\xc3\xa9 au lait");
    assert_int_equal(lambda_http_request_query_count(req), 2);
    /* the address the load balancer saw: the last X-Forwarded-For entry */
    assert_string_equal(lambda_http_request_source_ip(req), "72.12.164.125");
    assert_string_equal(lambda_http_request_domain_name(req),
                        "lambda-alb-123578498.us-east-1.elb.amazonaws.com");
    assert_null(lambda_http_request_request_id(req));
    assert_null(lambda_http_request_stage(req));
    assert_string_equal(lambda_http_request_header(req, "Accept-Encoding"), "gzip");
    assert_int_equal(lambda_http_request_cookie_count(req), 2);
    assert_string_equal(lambda_http_request_cookie(req, "theme"), "dark");
    const void *data;
    size_t size = 5;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 0);
    close_event(&f);
}

static void test_alb_multi_value(void **state)
{
    (void)state;
    fixture f = open_event("alb-multi-value.json");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE);
    assert_string_equal(lambda_http_request_method(req), "POST");
    assert_int_equal(lambda_http_request_query_value_count(req, "myKey"), 2);
    assert_string_equal(lambda_http_request_query_value(req, "myKey", 0), "val1");
    assert_string_equal(lambda_http_request_query_value(req, "myKey", 1), "val2");
    assert_string_equal(lambda_http_request_query(req, "q"), "a b");
    /* two Cookie headers, three cookies */
    assert_int_equal(lambda_http_request_header_value_count(req, "Cookie"), 2);
    assert_int_equal(lambda_http_request_cookie_count(req), 3);
    assert_string_equal(lambda_http_request_cookie(req, "session"), "abc123");
    assert_string_equal(lambda_http_request_cookie(req, "lang"), "en");
    assert_string_equal(lambda_http_request_source_ip(req), "72.12.164.125");
    const void *data;
    size_t size;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_OK);
    assert_int_equal(size, 4);
    assert_memory_equal(data, "\xde\xad\xbe\xef", 4);
    close_event(&f);
}

/* ------------------------------------------------------------------ edge cases */

static void test_cookie_and_query_splitting(void **state)
{
    (void)state;
    fixture f = parse_event("{\"httpMethod\":\"GET\",\"path\":\"/\","
                            "\"headers\":{\"Cookie\":\"a=1;b=2 ;  c = 3; ;noeq; tok=ab==\"}}");
    lambda_http_request *req = f.ev;
    assert_int_equal(lambda_http_request_cookie_count(req), 5);
    assert_string_equal(lambda_http_request_cookie(req, "a"), "1");
    assert_string_equal(lambda_http_request_cookie(req, "b"), "2");
    assert_string_equal(lambda_http_request_cookie(req, "c"), "3");
    assert_string_equal(lambda_http_request_cookie(req, ""), "noeq");
    assert_string_equal(lambda_http_request_cookie(req, "tok"), "ab==");
    /* no requestContext: context fields are NULL */
    assert_null(lambda_http_request_request_id(req));
    assert_null(lambda_http_request_source_ip(req));
    assert_null(lambda_http_request_stage(req));
    assert_null(lambda_http_request_domain_name(req));
    close_event(&f);

    f = parse_event("{\"version\":\"2.0\",\"rawPath\":\"/q\","
                    "\"rawQueryString\":\"a=1&&b&=x&c=%ZZ&d=%41&e=%4&f=a%2Bb+c&a=2\","
                    "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}");
    req = f.ev;
    assert_int_equal(lambda_http_request_query_count(req), 8);
    assert_string_equal(lambda_http_request_query(req, "a"), "1");
    assert_string_equal(lambda_http_request_query_value(req, "a", 1), "2");
    assert_string_equal(lambda_http_request_query(req, "b"), "");
    assert_string_equal(lambda_http_request_query(req, ""), "x");
    assert_string_equal(lambda_http_request_query(req, "c"), "%ZZ");
    assert_string_equal(lambda_http_request_query(req, "d"), "A");
    assert_string_equal(lambda_http_request_query(req, "e"), "%4");
    assert_string_equal(lambda_http_request_query(req, "f"), "a+b c");
    assert_int_equal(lambda_http_request_cookie_count(req), 0);
    close_event(&f);

    /* HTTP API payload 1.0 is the REST shape */
    f = parse_event("{\"version\":\"1.0\",\"httpMethod\":\"GET\",\"path\":\"/v1\","
                    "\"requestContext\":{\"stage\":\"$default\",\"requestId\":\"r\"}}");
    req = f.ev;
    assert_int_equal(lambda_http_request_format(req), LAMBDA_HTTP_FORMAT_REST_V1);
    assert_string_equal(lambda_http_request_path(req), "/v1");
    assert_string_equal(lambda_http_request_stage(req), "$default");
    close_event(&f);

    /* 2.0 without cookies array falls back to a Cookie header; rawPath falls back to http.path */
    f = parse_event("{\"version\":\"2.0\",\"headers\":{\"cookie\":\"x=y\"},"
                    "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/p\"}}}");
    req = f.ev;
    assert_string_equal(lambda_http_request_path(req), "/p");
    assert_null(lambda_http_request_raw_query(req));
    assert_string_equal(lambda_http_request_cookie(req, "x"), "y");
    close_event(&f);
}

static void test_invalid_base64_body(void **state)
{
    (void)state;
    fixture f = parse_event("{\"httpMethod\":\"POST\",\"path\":\"/\",\"body\":\"abc\","
                            "\"isBase64Encoded\":true}");
    lambda_http_request *req = f.ev;
    const void *data = "x";
    size_t size = 7;
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_E_WRONG_TYPE);
    assert_null(data);
    assert_int_equal(size, 0);
    /* the same answer again, and the rest of the request still works */
    assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_E_WRONG_TYPE);
    assert_string_equal(lambda_http_request_method(req), "POST");
    assert_string_equal(lambda_http_request_body_raw(req, NULL), "abc");
    assert_int_equal(lambda_http_request_body(req, NULL, &size), LAMBDA_E_INVALID_ARGUMENT);
    close_event(&f);

    const char *bad[] = { "QQ=", "QQ=A", "Q===", "QUJD\n", "QU JD", "QUJD=", "-_8=", "QQ==QQ==" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(
            text, sizeof text,
            "{\"httpMethod\":\"POST\",\"path\":\"/\",\"body\":\"%s\",\"isBase64Encoded\":true}",
            strcmp(bad[i], "QUJD\n") == 0 ? "QUJD\\n" : bad[i]);
        f = parse_event(text);
        req = f.ev;
        assert_int_equal(lambda_http_request_body(req, &data, &size), LAMBDA_E_WRONG_TYPE);
        close_event(&f);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    lambda_http_request *req = (lambda_http_request *)&req;
    assert_int_equal(lambda_http_request_parse(NULL, &req), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(req);
    json_object *root = ets_parse("{}");
    assert_int_equal(lambda_http_request_parse(root, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object_put(root);

    expect_parse("[]", LAMBDA_E_WRONG_TYPE);
    expect_parse("\"GET /\"", LAMBDA_E_WRONG_TYPE);
    expect_parse("42", LAMBDA_E_WRONG_TYPE);
    expect_parse("{}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"Records\":[]}", LAMBDA_E_WRONG_TYPE);
    /* v1 */
    expect_parse("{\"httpMethod\":\"GET\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"httpMethod\":null,\"path\":\"/\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"httpMethod\":7,\"path\":\"/\"}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":[\"/\"]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"headers\":{\"a\":1}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"headers\":[]}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"headers\":{\"a\":null}}", LAMBDA_OK);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"multiValueHeaders\":{\"a\":\"b\"}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"multiValueHeaders\":{\"a\":[\"b\",2]}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse(
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"multiValueQueryStringParameters\":{\"a\":{}}}",
        LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"queryStringParameters\":{\"a\":true}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"pathParameters\":\"id\"}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"body\":{}}", LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"isBase64Encoded\":\"true\"}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":\"x\"}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":{\"requestId\":1}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/"
                 "\",\"requestContext\":{\"identity\":{\"sourceIp\":1}}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse("{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":null,\"body\":null,"
                 "\"headers\":null,\"isBase64Encoded\":null}",
                 LAMBDA_OK);
    /* 2.0 */
    expect_parse("{\"version\":\"2.0\",\"rawPath\":\"/\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{}}}",
                 LAMBDA_E_NOT_FOUND);
    expect_parse("{\"version\":\"2.0\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
                 LAMBDA_E_NOT_FOUND);
    expect_parse("{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":\"GET\"}}",
                 LAMBDA_E_WRONG_TYPE);
    expect_parse(
        "{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
        "\"cookies\":\"a=b\"}",
        LAMBDA_E_WRONG_TYPE);
    expect_parse(
        "{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
        "\"cookies\":[1]}",
        LAMBDA_E_WRONG_TYPE);
    expect_parse(
        "{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
        "\"rawQueryString\":5}",
        LAMBDA_E_WRONG_TYPE);
    /* ALB */
    expect_parse("{\"requestContext\":{\"elb\":{}},\"path\":\"/\"}", LAMBDA_E_NOT_FOUND);
    expect_parse("{\"requestContext\":{\"elb\":7},\"httpMethod\":\"GET\",\"path\":\"/\"}",
                 LAMBDA_E_WRONG_TYPE);
}

static void test_null_request(void **state)
{
    (void)state;
    const char *v = "x";
    size_t n = 3;
    lambda_http_request_free(NULL);
    assert_int_equal(lambda_http_request_format(NULL), LAMBDA_HTTP_FORMAT_UNKNOWN);
    assert_null(lambda_http_request_json(NULL));
    assert_null(lambda_http_request_method(NULL));
    assert_null(lambda_http_request_path(NULL));
    assert_null(lambda_http_request_raw_query(NULL));
    assert_null(lambda_http_request_header(NULL, "a"));
    assert_int_equal(lambda_http_request_header_value_count(NULL, "a"), 0);
    assert_null(lambda_http_request_header_value(NULL, "a", 0));
    assert_int_equal(lambda_http_request_header_count(NULL), 0);
    assert_null(lambda_http_request_header_at(NULL, 0, &v));
    assert_null(v);
    assert_null(lambda_http_request_query(NULL, "a"));
    assert_int_equal(lambda_http_request_query_value_count(NULL, "a"), 0);
    assert_null(lambda_http_request_query_value(NULL, "a", 0));
    assert_int_equal(lambda_http_request_query_count(NULL), 0);
    assert_null(lambda_http_request_query_at(NULL, 0, NULL));
    assert_null(lambda_http_request_path_param(NULL, "a"));
    assert_int_equal(lambda_http_request_path_param_count(NULL), 0);
    assert_null(lambda_http_request_path_param_at(NULL, 0, NULL));
    assert_null(lambda_http_request_cookie(NULL, "a"));
    assert_int_equal(lambda_http_request_cookie_count(NULL), 0);
    assert_null(lambda_http_request_cookie_at(NULL, 0, NULL));
    const void *data = "x";
    assert_int_equal(lambda_http_request_body(NULL, &data, &n), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(data);
    assert_int_equal(n, 0);
    assert_false(lambda_http_request_body_is_base64(NULL));
    n = 3;
    assert_null(lambda_http_request_body_raw(NULL, &n));
    assert_int_equal(n, 0);
    assert_null(lambda_http_request_request_id(NULL));
    assert_null(lambda_http_request_source_ip(NULL));
    assert_null(lambda_http_request_stage(NULL));
    assert_null(lambda_http_request_domain_name(NULL));
}

/* ------------------------------------------------------------------ responses */

static json_object *build(lambda_http_response *res)
{
    json_object *out = NULL;
    assert_int_equal(lambda_http_response_build(res, &out), LAMBDA_OK);
    assert_non_null(out);
    return out;
}

static void fill_common(lambda_http_response *res)
{
    assert_int_equal(lambda_http_response_set_status(res, 201), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_header(res, "Content-Type", "text/plain"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "X-Multi", "a"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "x-multi", "b"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_cookie(res, "id=1; Path=/; HttpOnly"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "Set-Cookie", "lang=en"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_body(res, "hello", 5), LAMBDA_OK);
}

static void test_response_rest_v1(void **state)
{
    (void)state;
    lambda_http_response *res;
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_REST_V1, &res), LAMBDA_OK);
    fill_common(res);
    json_object *out = build(res);
    assert_int_equal(json_object_get_int(json_get(out, "statusCode")), 201);
    assert_true(json_object_is_type(json_get(out, "statusCode"), json_type_int));
    json_object *headers = json_get(out, "headers");
    assert_string_equal(json_str(headers, "Content-Type"), "text/plain");
    assert_null(json_get(headers, "X-Multi"));
    json_object *multi = json_get(out, "multiValueHeaders");
    assert_non_null(multi);
    json_object *xm = json_get(multi, "X-Multi");
    assert_int_equal(json_object_array_length(xm), 2);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(xm, 1)), "b");
    json_object *sc = json_get(multi, "Set-Cookie");
    assert_int_equal(json_object_array_length(sc), 2);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(sc, 0)),
                        "id=1; Path=/; HttpOnly");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(sc, 1)), "lang=en");
    assert_string_equal(json_str(out, "body"), "hello");
    assert_false(json_object_get_boolean(json_get(out, "isBase64Encoded")));
    assert_null(json_get(out, "cookies"));
    assert_null(json_get(out, "statusDescription"));
    json_object_put(out);
    lambda_http_response_free(res);

    /* nothing set: 200, empty headers, no multiValueHeaders, "" body */
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_REST_V1, &res), LAMBDA_OK);
    out = build(res);
    assert_string_equal(
        json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
        "{\"statusCode\":200,\"headers\":{},\"body\":\"\",\"isBase64Encoded\":false}");
    json_object_put(out);
    lambda_http_response_free(res);
}

static void test_response_http_v2_and_url(void **state)
{
    (void)state;
    lambda_http_format formats[] = { LAMBDA_HTTP_FORMAT_HTTP_V2, LAMBDA_HTTP_FORMAT_FUNCTION_URL };
    for (size_t i = 0; i < 2; i++) {
        lambda_http_response *res;
        assert_int_equal(lambda_http_response_new(formats[i], &res), LAMBDA_OK);
        fill_common(res);
        json_object *out = build(res);
        assert_int_equal(json_object_get_int(json_get(out, "statusCode")), 201);
        json_object *headers = json_get(out, "headers");
        assert_string_equal(json_str(headers, "X-Multi"), "a, b");
        assert_string_equal(json_str(headers, "Content-Type"), "text/plain");
        assert_null(json_get(headers, "Set-Cookie"));
        assert_null(json_get(out, "multiValueHeaders"));
        json_object *cookies = json_get(out, "cookies");
        assert_int_equal(json_object_array_length(cookies), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(cookies, 1)),
                            "lang=en");
        assert_string_equal(json_str(out, "body"), "hello");
        json_object_put(out);
        lambda_http_response_free(res);
    }
}

static void test_response_alb(void **state)
{
    (void)state;
    lambda_http_response *res;
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_ALB, &res), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_status(res, 404), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "X-Multi", "a"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "X-Multi", "b"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_cookie(res, "id=1"), LAMBDA_OK);
    json_object *out = build(res);
    assert_string_equal(json_str(out, "statusDescription"), "404 Not Found");
    json_object *headers = json_get(out, "headers");
    assert_string_equal(json_str(headers, "X-Multi"), "a, b");
    assert_string_equal(json_str(headers, "Set-Cookie"), "id=1");
    assert_null(json_get(out, "multiValueHeaders"));
    assert_null(json_get(out, "cookies"));
    json_object_put(out);
    /* a second cookie cannot be carried */
    assert_int_equal(lambda_http_response_add_cookie(res, "b=2"), LAMBDA_OK);
    out = (json_object *)&out;
    assert_int_equal(lambda_http_response_build(res, &out), LAMBDA_E_UNSUPPORTED);
    assert_null(out);
    /* an unknown status has no reason phrase */
    assert_int_equal(lambda_http_response_set_header(res, "set-cookie", "only=1"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_status(res, 299), LAMBDA_OK);
    out = build(res);
    assert_string_equal(json_str(out, "statusDescription"), "299");
    assert_string_equal(json_str(json_get(out, "headers"), "Set-Cookie"), "only=1");
    json_object_put(out);
    lambda_http_response_free(res);

    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE, &res), LAMBDA_OK);
    fill_common(res);
    out = build(res);
    assert_string_equal(json_str(out, "statusDescription"), "201 Created");
    assert_null(json_get(out, "headers"));
    json_object *multi = json_get(out, "multiValueHeaders");
    assert_int_equal(json_object_array_length(json_get(multi, "X-Multi")), 2);
    assert_int_equal(json_object_array_length(json_get(multi, "Content-Type")), 1);
    assert_int_equal(json_object_array_length(json_get(multi, "Set-Cookie")), 2);
    json_object_put(out);
    lambda_http_response_free(res);
}

static void test_response_headers_replace(void **state)
{
    (void)state;
    lambda_http_response *res;
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_HTTP_V2, &res), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "Cache-Control", "no-cache"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "X-A", "1"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_header(res, "cache-control", "no-store"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_header(res, "CACHE-CONTROL", "max-age=60"),
                     LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_cookie(res, "a=1"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_add_cookie(res, "b=2"), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_header(res, "Set-Cookie", "c=3"), LAMBDA_OK);
    json_object *out = build(res);
    json_object *headers = json_get(out, "headers");
    assert_int_equal(json_object_object_length(headers), 2);
    assert_string_equal(json_str(headers, "X-A"), "1");
    assert_string_equal(json_str(headers, "CACHE-CONTROL"), "max-age=60");
    json_object *cookies = json_get(out, "cookies");
    assert_int_equal(json_object_array_length(cookies), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(cookies, 0)), "c=3");
    /* building twice gives the same object */
    json_object *again = build(res);
    assert_string_equal(json_object_to_json_string(out), json_object_to_json_string(again));
    json_object_put(again);
    json_object_put(out);
    lambda_http_response_free(res);
}

static void test_response_invalid(void **state)
{
    (void)state;
    lambda_http_response *res = (lambda_http_response *)&res;
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_UNKNOWN, &res),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_null(res);
    assert_int_equal(lambda_http_response_new((lambda_http_format)42, &res),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_REST_V1, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_new_for(NULL, &res), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(res);
    lambda_http_response_free(NULL);

    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_REST_V1, &res), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_status(res, 99), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_status(res, 600), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_status(NULL, 200), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, "", "v"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, NULL, "v"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, "Bad Name", "v"),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, "X:Y", "v"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, "X", NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_header(res, "X", "a\r\nInjected: 1"),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_header(res, "X", "a\nb"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_header(NULL, "X", "a"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_cookie(res, "a=1\r\nX: y"),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_cookie(res, ""), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_cookie(res, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_add_header(res, "X-Ok", ""), LAMBDA_OK);
    /* bodies */
    assert_int_equal(lambda_http_response_set_body(res, "\xff\xfe", 2), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_body(res, "\xc3", 1), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_body(res, NULL, 3), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_body(NULL, "a", 1), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_body_base64(res, NULL, 3), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_http_response_set_body(res, NULL, 0), LAMBDA_OK);
    assert_int_equal(lambda_http_response_build(res, NULL), LAMBDA_E_INVALID_ARGUMENT);
    json_object *out = (json_object *)&out;
    assert_int_equal(lambda_http_response_build(NULL, &out), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(out);
    /* set_body_json with no builder still puts the value (ASan would see a leak) */
    assert_int_equal(lambda_http_response_set_body_json(NULL, json_object_new_object()),
                     LAMBDA_E_INVALID_ARGUMENT);
    lambda_http_response_free(res);
}

static void test_response_bodies(void **state)
{
    (void)state;
    lambda_http_response *res;
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_HTTP_V2, &res), LAMBDA_OK);
    /* binary: base64 */
    assert_int_equal(lambda_http_response_set_body_base64(res, "\xde\xad\xbe\xef", 4), LAMBDA_OK);
    json_object *out = build(res);
    assert_string_equal(json_str(out, "body"), "3q2+7w==");
    assert_true(json_object_get_boolean(json_get(out, "isBase64Encoded")));
    json_object_put(out);
    const char *cases[][2] = { { "", "" },
                               { "f", "Zg==" },
                               { "fo", "Zm8=" },
                               { "foo", "Zm9v" },
                               { "foob", "Zm9vYg==" },
                               { "fooba", "Zm9vYmE=" },
                               { "foobar", "Zm9vYmFy" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(
            lambda_http_response_set_body_base64(res, cases[i][0], strlen(cases[i][0])), LAMBDA_OK);
        out = build(res);
        assert_string_equal(json_str(out, "body"), cases[i][1]);
        json_object_put(out);
    }
    /* text replaces base64 */
    assert_int_equal(lambda_http_response_set_body(res, "caf\xc3\xa9", 5), LAMBDA_OK);
    out = build(res);
    assert_string_equal(json_str(out, "body"), "caf\xc3\xa9");
    assert_false(json_object_get_boolean(json_get(out, "isBase64Encoded")));
    json_object_put(out);
    /* JSON: serialized, Content-Type added once */
    json_object *value = json_object_new_object();
    json_object_object_add(value, "id", json_object_new_int(42));
    json_object_object_add(value, "path", json_object_new_string("/a/b"));
    assert_int_equal(lambda_http_response_set_body_json(res, value), LAMBDA_OK);
    assert_int_equal(lambda_http_response_set_body_json(res, NULL), LAMBDA_OK);
    out = build(res);
    assert_string_equal(json_str(out, "body"), "null");
    assert_string_equal(json_str(json_get(out, "headers"), "Content-Type"), "application/json");
    json_object_put(out);
    lambda_http_response_free(res);

    /* an explicit Content-Type is kept */
    assert_int_equal(lambda_http_response_new(LAMBDA_HTTP_FORMAT_REST_V1, &res), LAMBDA_OK);
    assert_int_equal(
        lambda_http_response_set_header(res, "content-type", "application/problem+json"),
        LAMBDA_OK);
    value = json_object_new_object();
    json_object_object_add(value, "path", json_object_new_string("/a/b"));
    assert_int_equal(lambda_http_response_set_body_json(res, value), LAMBDA_OK);
    out = build(res);
    assert_string_equal(json_str(out, "body"), "{\"path\":\"/a/b\"}");
    json_object *headers = json_get(out, "headers");
    assert_int_equal(json_object_object_length(headers), 1);
    assert_string_equal(json_str(headers, "content-type"), "application/problem+json");
    json_object_put(out);
    lambda_http_response_free(res);
}

static void test_response_new_for_request(void **state)
{
    (void)state;
    const char *files[] = { "apigw-rest-v1.json", "apigw-http-v2.json", "function-url.json",
                            "alb.json", "alb-multi-value.json" };
    lambda_http_format expected[] = { LAMBDA_HTTP_FORMAT_REST_V1, LAMBDA_HTTP_FORMAT_HTTP_V2,
                                      LAMBDA_HTTP_FORMAT_FUNCTION_URL, LAMBDA_HTTP_FORMAT_ALB,
                                      LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE };
    for (size_t i = 0; i < 5; i++) {
        fixture f = open_event(files[i]);
        assert_int_equal(lambda_http_request_format(f.ev), expected[i]);
        lambda_http_response *res;
        assert_int_equal(lambda_http_response_new_for(f.ev, &res), LAMBDA_OK);
        assert_int_equal(lambda_http_response_add_header(res, "X-A", "1"), LAMBDA_OK);
        json_object *out = build(res);
        int alb = expected[i] == LAMBDA_HTTP_FORMAT_ALB ||
                  expected[i] == LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE;
        assert_int_equal(json_get(out, "statusDescription") != NULL, alb);
        assert_int_equal(json_get(out, "headers") != NULL,
                         expected[i] != LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE);
        assert_int_equal(json_get(out, "multiValueHeaders") != NULL,
                         expected[i] == LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE);
        json_object_put(out);
        lambda_http_response_free(res);
        close_event(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_v1_basics),
        cmocka_unit_test(test_rest_v1_headers),
        cmocka_unit_test(test_rest_v1_query_path_cookies_body),
        cmocka_unit_test(test_rest_v1_base64_body),
        cmocka_unit_test(test_http_v2),
        cmocka_unit_test(test_http_v2_base64_json_body),
        cmocka_unit_test(test_function_url),
        cmocka_unit_test(test_alb),
        cmocka_unit_test(test_alb_multi_value),
        cmocka_unit_test(test_cookie_and_query_splitting),
        cmocka_unit_test(test_invalid_base64_body),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_null_request),
        cmocka_unit_test(test_response_rest_v1),
        cmocka_unit_test(test_response_http_v2_and_url),
        cmocka_unit_test(test_response_alb),
        cmocka_unit_test(test_response_headers_replace),
        cmocka_unit_test(test_response_invalid),
        cmocka_unit_test(test_response_bodies),
        cmocka_unit_test(test_response_new_for_request),
    };
    return cmocka_run_group_tests_name("event_http", tests, NULL, NULL);
}
