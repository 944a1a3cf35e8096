/* Unit tests of liblambda-c-extension's HTTP head parser (sdk/extension/http.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static long parse(const char *text, int request, lext_head *h)
{
    return lext_parse_head(text, strlen(text), request, h);
}

static void response_head(void **state)
{
    (void)state;
    lext_head h;
    const char *text =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Lambda-Extension-Identifier:  abc-123 \r\ncontent-length: 17\r\n\r\n{\"functionName\":1}";
    long n = parse(text, 0, &h);
    assert_int_equal(n, (long)(strstr(text, "\r\n\r\n") - text) + 4);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.content_length, 17);
    assert_string_equal(h.identifier, "abc-123");
}

static void status_without_reason(void **state)
{
    (void)state;
    lext_head h;
    assert_true(parse("HTTP/1.0 403\r\n\r\n", 0, &h) > 0);
    assert_int_equal(h.status, 403);
    assert_int_equal(h.content_length, -1);
    assert_string_equal(h.identifier, "");
}

static void incomplete_heads(void **state)
{
    (void)state;
    lext_head h;
    assert_int_equal(parse("", 0, &h), 0);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\n", 0, &h), 0);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r", 0, &h), 0);
}

static void malformed_heads(void **state)
{
    (void)state;
    lext_head h;
    static const char *const bad[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], 0, &h), -1);
    const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
    assert_int_equal(lext_parse_head(nul, sizeof nul - 1, 0, &h), -1);
}

static void identifier_too_long(void **state)
{
    (void)state;
    char text[1024];
    char id[400];
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: %s\r\n\r\n", id);
    lext_head h;
    assert_int_equal(parse(text, 0, &h), -1);
}

static void head_too_long(void **state)
{
    (void)state;
    size_t n = LEXT_HEAD_MAX + 100;
    char *text = malloc(n);
    assert_non_null(text);
    memcpy(text, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(text + 20, 'a', n - 20);
    lext_head h;
    assert_int_equal(lext_parse_head(text, n, 0, &h), -1);
    assert_int_equal(lext_parse_head(text, LEXT_HEAD_MAX - 1, 0, &h), 0); /* not yet too long */
    free(text);
}

static void request_heads(void **state)
{
    (void)state;
    lext_head h;
    assert_true(
        parse("POST /telemetry/in HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]", 1, &h) > 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/telemetry/in");
    assert_int_equal(h.content_length, 2);
    assert_int_equal(parse("POST /x HTTP/1.1 extra\r\n\r\n", 1, &h), -1);
    assert_int_equal(parse("POST  HTTP/1.1\r\n\r\n", 1, &h), -1);
    assert_int_equal(parse("AVERYLONGMETHODNAME / HTTP/1.1\r\n\r\n", 1, &h), -1);
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", 1, &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_head),       cmocka_unit_test(status_without_reason),
        cmocka_unit_test(incomplete_heads),    cmocka_unit_test(malformed_heads),
        cmocka_unit_test(identifier_too_long), cmocka_unit_test(head_too_long),
        cmocka_unit_test(request_heads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
