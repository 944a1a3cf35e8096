/*
 * sdk/src/response.c: who owns what (copy, borrow, take, JSON reference), replacing one
 * outcome by another, errors and their stack lines, the payload the loop sends for each
 * kind, and Lambda's error JSON byte for byte.
 *
 * Ownership mistakes show up as leaks, double frees or use-after-free under
 * `make unit-tests SANITIZE=address,undefined`; the tests also check them directly where
 * the API makes that possible (json-c reference counts, pointer identity).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "core/runtime/invocation.h"
#include "test_support.h"

static int setup(void **state)
{
    lambda_response *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    lambda_response *r = *state;
    lc_response_reset(r);
    free(r->stack);
    free(r);
    return 0;
}

/* The payload the loop would send; the body must be exactly expected. */
static void assert_payload(lambda_response *r, const void *expected, size_t size,
                           const char *content_type)
{
    const void *data = NULL;
    size_t got = 0;
    const char *type = NULL;
    assert_int_equal(lc_response_payload(r, &data, &got, &type), LAMBDA_OK);
    assert_int_equal(got, size);
    if (size)
        assert_memory_equal(data, expected, size);
    assert_string_equal(type, content_type);
}

/* ------------------------------------------------------------------ bodies */

static void test_nothing_set_answers_null(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_is_error(r), 0);
    assert_payload(r, "null", 4, "application/json");
}

static void test_set_body_copies(void **state)
{
    lambda_response *r = *state;
    char data[] = "hello, world";
    assert_int_equal(lambda_response_set_body(r, data, 12, "text/plain"), LAMBDA_OK);
    memset(data, 'X', sizeof data - 1); /* the caller may reuse its buffer at once */
    const void *sent;
    size_t size;
    const char *type;
    assert_int_equal(lc_response_payload(r, &sent, &size, &type), LAMBDA_OK);
    assert_ptr_not_equal(sent, data);
    assert_payload(r, "hello, world", 12, "text/plain");
    assert_int_equal(lambda_response_is_error(r), 0);
}

static void test_set_body_default_type_and_empty(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_set_body(r, "{\"a\":1}", 7, NULL), LAMBDA_OK);
    assert_payload(r, "{\"a\":1}", 7, "application/json");
    /* Empty bodies, with and without a pointer. */
    assert_int_equal(lambda_response_set_body(r, NULL, 0, "text/plain"), LAMBDA_OK);
    assert_payload(r, "", 0, "text/plain");
    assert_int_equal(lambda_response_set_body(r, "x", 0, "text/plain"), LAMBDA_OK);
    assert_payload(r, "", 0, "text/plain");
    assert_int_equal(lambda_response_set_body_ref(r, NULL, 0, NULL), LAMBDA_OK);
    const void *data = NULL;
    size_t size = 1;
    const char *type;
    assert_int_equal(lc_response_payload(r, &data, &size, &type), LAMBDA_OK);
    assert_non_null(data); /* never a NULL body for the HTTP client */
    assert_int_equal(size, 0);
}

static void test_set_body_binary(void **state)
{
    lambda_response *r = *state;
    static const unsigned char bytes[] = { 0, 1, 2, 0xff, 0, 0x80 };
    assert_int_equal(lambda_response_set_body(r, bytes, sizeof bytes, "application/octet-stream"),
                     LAMBDA_OK);
    assert_payload(r, bytes, sizeof bytes, "application/octet-stream");
}

static void test_set_body_ref_borrows(void **state)
{
    lambda_response *r = *state;
    static const char text[] = "static bytes";
    assert_int_equal(lambda_response_set_body_ref(r, text, 12, "text/plain"), LAMBDA_OK);
    const void *data;
    size_t size;
    const char *type;
    assert_int_equal(lc_response_payload(r, &data, &size, &type), LAMBDA_OK);
    assert_ptr_equal(data, text); /* not copied */
    assert_int_equal(size, 12);
    /* The caller's later changes are what is sent. */
    char buffer[] = "before";
    assert_int_equal(lambda_response_set_body_ref(r, buffer, 6, NULL), LAMBDA_OK);
    memcpy(buffer, "after!", 6);
    assert_payload(r, "after!", 6, "application/json");
    /* Nothing is freed by a reset: buffer is on the stack (ASan would catch a free). */
    lc_response_reset(r);
    assert_payload(r, "null", 4, "application/json");
}

static void test_take_body_frees(void **state)
{
    lambda_response *r = *state;
    char *owned = ts_xmalloc(5);
    memcpy(owned, "taken", 5);
    assert_int_equal(lambda_response_take_body(r, owned, 5, "text/plain"), LAMBDA_OK);
    const void *data;
    size_t size;
    const char *type;
    assert_int_equal(lc_response_payload(r, &data, &size, &type), LAMBDA_OK);
    assert_ptr_equal(data, owned); /* taken, not copied */
    assert_payload(r, "taken", 5, "text/plain");
    /* Freed once by the reset (a leak or a double free fails under ASan). */
    lc_response_reset(r);
    assert_null(r->owned);

    /* Taking replaces a taken body: the first is freed. */
    char *first = strdup("first");
    char *second = strdup("second");
    assert_int_equal(lambda_response_take_body(r, first, 5, NULL), LAMBDA_OK);
    assert_int_equal(lambda_response_take_body(r, second, 6, NULL), LAMBDA_OK);
    assert_payload(r, "second", 6, "application/json");
}

static void test_take_body_frees_on_failure(void **state)
{
    lambda_response *r = *state;
    /* Each of these must free the buffer it was given (a leak fails under ASan). */
    assert_int_equal(lambda_response_take_body(r, strdup("a"), 1, "text/plain\r\nX-Evil: 1"),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_take_body(NULL, strdup("b"), 1, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    char long_type[300];
    memset(long_type, 't', sizeof long_type - 1);
    long_type[sizeof long_type - 1] = '\0';
    assert_int_equal(lambda_response_take_body(r, strdup("c"), 1, long_type),
                     LAMBDA_E_INVALID_ARGUMENT);
    /* NULL data with a size: nothing to free, still refused. */
    assert_int_equal(lambda_response_take_body(r, NULL, 3, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_take_body(r, NULL, 0, NULL), LAMBDA_OK);
    assert_payload(r, "", 0, "application/json");
}

static void test_invalid_arguments(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_set_body(NULL, "x", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_set_body(r, NULL, 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_set_body_ref(NULL, "x", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_set_body_ref(r, NULL, 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_set_error(NULL, "T", "m"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_add_stack_line(NULL, "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_response_is_error(NULL), 0);
}

/* ------------------------------------------------------------------ content types */

static void test_content_type_checked(void **state)
{
    lambda_response *r = *state;
    static const char *const bad[] = { "text/plain\r\nX-Injected: 1", "text/plain\nX: 1",
                                       "text/plain\r", "\n", "a\rb" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lambda_response_set_body(r, "x", 1, bad[i]), LAMBDA_E_INVALID_ARGUMENT);
        assert_int_equal(lambda_response_set_body_ref(r, "x", 1, bad[i]),
                         LAMBDA_E_INVALID_ARGUMENT);
        assert_int_equal(lambda_response_take_body(r, strdup("x"), 1, bad[i]),
                         LAMBDA_E_INVALID_ARGUMENT);
        /* Whatever a refused call leaves, it never sends the refused type. */
        const void *data;
        size_t size;
        const char *type = NULL;
        if (lc_response_payload(r, &data, &size, &type) == LAMBDA_OK)
            assert_null(strpbrk(type, "\r\n"));
    }
    /* The longest type that fits (255 bytes) is kept whole; one more is refused. */
    char type[257];
    memset(type, 'a', 256);
    type[255] = '\0';
    assert_int_equal(lambda_response_set_body(r, "x", 1, type), LAMBDA_OK);
    assert_payload(r, "x", 1, type);
    type[255] = 'a';
    type[256] = '\0';
    assert_int_equal(lambda_response_set_body(r, "x", 1, type), LAMBDA_E_INVALID_ARGUMENT);
    /* Parameters and odd but harmless characters are fine. */
    assert_int_equal(lambda_response_set_body(r, "x", 1, "text/html; charset=utf-8\t"), LAMBDA_OK);
    assert_payload(r, "x", 1, "text/html; charset=utf-8\t");
}

/* ------------------------------------------------------------------ JSON */

static void test_set_json_takes_the_reference(void **state)
{
    lambda_response *r = *state;
    struct json_object *obj = json_object_new_object();
    json_object_object_add(obj, "path", json_object_new_string("a/b"));
    json_object_object_add(obj, "list", json_object_new_array());
    json_object_array_add(json_object_object_get(obj, "list"), json_object_new_int(1));
    json_object_array_add(json_object_object_get(obj, "list"), json_object_new_boolean(1));
    json_object_array_add(json_object_object_get(obj, "list"), NULL);
    json_object_object_add(obj, "text", json_object_new_string("caf\xc3\xa9 \"q\"\n"));
    json_object_get(obj); /* our own extra reference, to watch the count */
    assert_int_equal(lambda_response_set_json(r, obj), LAMBDA_OK);
    /* Plain, slashes not escaped, non-ASCII verbatim. */
    static const char expected[] =
        "{\"path\":\"a/b\",\"list\":[1,true,null],\"text\":\"caf\xc3\xa9 \\\"q\\\"\\n\"}";
    assert_payload(r, expected, sizeof expected - 1, "application/json");
    /* The response dropped its reference on reset: ours is the last. */
    lc_response_reset(r);
    assert_int_equal(json_object_put(obj), 1);
}

static void test_set_json_null_and_scalars(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_set_json(r, NULL), LAMBDA_OK);
    assert_payload(r, "null", 4, "application/json");
    assert_int_equal(lambda_response_set_json(r, json_object_new_int(42)), LAMBDA_OK);
    assert_payload(r, "42", 2, "application/json");
    assert_int_equal(lambda_response_set_json(r, json_object_new_string("s")), LAMBDA_OK);
    assert_payload(r, "\"s\"", 3, "application/json");
}

static void test_set_json_put_on_failure(void **state)
{
    (void)state;
    struct json_object *obj = json_object_new_object();
    json_object_get(obj);
    assert_int_equal(lambda_response_set_json(NULL, obj), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(json_object_put(obj), 1); /* the call released its reference */
}

/* ------------------------------------------------------------------ replacing outcomes */

static void test_replacing_frees_the_previous_outcome(void **state)
{
    lambda_response *r = *state;
    struct json_object *obj = json_object_new_array();
    json_object_get(obj);
    assert_int_equal(lambda_response_set_json(r, obj), LAMBDA_OK);
    /* JSON -> body: the JSON reference is dropped at once. */
    assert_int_equal(lambda_response_set_body(r, "b", 1, NULL), LAMBDA_OK);
    assert_int_equal(json_object_put(obj), 1);
    assert_payload(r, "b", 1, "application/json");

    /* body (copy) -> error -> taken body -> JSON -> error -> borrowed body: ASan checks that
     * each owned thing is freed exactly once. */
    assert_int_equal(lambda_response_set_error(r, "E1", "first %s", "error"), LAMBDA_OK);
    assert_int_equal(lambda_response_add_stack_line(r, "frame"), LAMBDA_OK);
    assert_int_equal(lambda_response_is_error(r), 1);
    assert_int_equal(lambda_response_take_body(r, strdup("owned"), 5, "text/plain"), LAMBDA_OK);
    assert_int_equal(lambda_response_is_error(r), 0);
    assert_null(r->error_type);
    assert_null(r->error_message);
    assert_int_equal(r->stack_count, 0);
    assert_payload(r, "owned", 5, "text/plain");
    assert_int_equal(lambda_response_set_json(r, json_object_new_int(1)), LAMBDA_OK);
    assert_null(r->owned);
    assert_payload(r, "1", 1, "application/json");
    assert_int_equal(lambda_response_set_error(r, "E2", "second"), LAMBDA_OK);
    assert_null(r->json);
    assert_string_equal(r->error_type, "E2");
    assert_int_equal(lambda_response_set_body_ref(r, "ref", 3, "text/plain"), LAMBDA_OK);
    assert_int_equal(lambda_response_is_error(r), 0);
    assert_payload(r, "ref", 3, "text/plain");
    /* error -> error: the first one's strings and stack are freed. */
    assert_int_equal(lambda_response_set_error(r, "A", "a"), LAMBDA_OK);
    assert_int_equal(lambda_response_add_stack_line(r, "a1"), LAMBDA_OK);
    assert_int_equal(lambda_response_set_error(r, "B", "b"), LAMBDA_OK);
    assert_int_equal(r->stack_count, 0);
    assert_string_equal(r->error_type, "B");
    assert_string_equal(r->error_message, "b");
}

/* ------------------------------------------------------------------ errors */

static void test_set_error_fields(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_set_error(r, "InvalidInput", "bad value %d in %s", 7, "x"),
                     LAMBDA_OK);
    assert_int_equal(lambda_response_is_error(r), 1);
    assert_string_equal(r->error_type, "InvalidInput");
    assert_string_equal(r->error_message, "bad value 7 in x");
    /* An error has no payload: the loop posts it to /error instead. */
    const void *data;
    size_t size;
    const char *type;
    assert_int_equal(lc_response_payload(r, &data, &size, &type), LAMBDA_E_STATE);

    assert_int_equal(lambda_response_set_error(r, NULL, "m"), LAMBDA_OK);
    assert_string_equal(r->error_type, "Function.Error");
    assert_int_equal(lambda_response_set_error(r, "", "m"), LAMBDA_OK);
    assert_string_equal(r->error_type, "Function.Error");
    assert_int_equal(lambda_response_set_error(r, "T", NULL), LAMBDA_OK);
    assert_string_equal(r->error_message, "");
    /* A long message is not truncated. */
    char long_message[10000];
    memset(long_message, 'm', sizeof long_message - 1);
    long_message[sizeof long_message - 1] = '\0';
    assert_int_equal(lambda_response_set_error(r, "T", "%s", long_message), LAMBDA_OK);
    assert_string_equal(r->error_message, long_message);
}

static void test_stack_lines(void **state)
{
    lambda_response *r = *state;
    /* Only after an error. */
    assert_int_equal(lambda_response_add_stack_line(r, "x"), LAMBDA_E_STATE);
    assert_int_equal(lambda_response_set_body(r, "b", 1, NULL), LAMBDA_OK);
    assert_int_equal(lambda_response_add_stack_line(r, "x"), LAMBDA_E_STATE);
    assert_int_equal(lambda_response_set_error(r, "T", "m"), LAMBDA_OK);
    assert_int_equal(lambda_response_add_stack_line(r, NULL), LAMBDA_E_INVALID_ARGUMENT);
    char line[] = "at main (main.c:10)";
    assert_int_equal(lambda_response_add_stack_line(r, line), LAMBDA_OK);
    line[0] = 'X'; /* copied */
    assert_int_equal(lambda_response_add_stack_line(r, "at handler (app.c:3)"), LAMBDA_OK);
    assert_int_equal(r->stack_count, 2);
    assert_string_equal(r->stack[0], "at main (main.c:10)");
    assert_string_equal(r->stack[1], "at handler (app.c:3)");
}

static void test_deep_stack_not_kept(void **state)
{
    lambda_response *r = *state;
    assert_int_equal(lambda_response_set_error(r, "T", "m"), LAMBDA_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(lambda_response_add_stack_line(r, "f"), LAMBDA_OK);
    char **small = r->stack;
    lc_response_reset(r);
    /* A usual trace keeps its array for the next invocation ... */
    assert_ptr_equal(r->stack, small);
    assert_int_equal(r->stack_count, 0);

    assert_int_equal(lambda_response_set_error(r, "T", "m"), LAMBDA_OK);
    for (int i = 0; i < 1000; i++) {
        char frame[32];
        snprintf(frame, sizeof frame, "frame %d", i);
        assert_int_equal(lambda_response_add_stack_line(r, frame), LAMBDA_OK);
    }
    assert_int_equal(r->stack_count, 1000);
    assert_string_equal(r->stack[999], "frame 999");
    lc_response_reset(r);
    /* ... an unusually deep one does not. */
    assert_null(r->stack);
    assert_int_equal(r->stack_cap, 0);
    assert_int_equal(r->stack_count, 0);
}

/* ------------------------------------------------------------------ error JSON */

static void assert_error_json(const char *type, const char *message, char *const *stack,
                              size_t count, const char *expected)
{
    size_t size = 12345;
    char *json = lc_error_json_build(type, message, stack, count, &size);
    assert_non_null(json);
    assert_string_equal(json, expected);
    assert_int_equal(size, strlen(expected));
    free(json);
}

static void test_error_json_exact(void **state)
{
    (void)state;
    assert_error_json("InvalidInput", "bad input", NULL, 0,
                      "{\"errorMessage\":\"bad input\",\"errorType\":\"InvalidInput\","
                      "\"stackTrace\":[]}");
    char *stack[] = { "at f (a.c:1)", "at g (dir/b.c:2)" };
    assert_error_json("T", "m", stack, 2,
                      "{\"errorMessage\":\"m\",\"errorType\":\"T\","
                      "\"stackTrace\":[\"at f (a.c:1)\",\"at g (dir/b.c:2)\"]}");
    assert_error_json(NULL, NULL, NULL, 0,
                      "{\"errorMessage\":\"\",\"errorType\":\"\",\"stackTrace\":[]}");
}

static void test_error_json_escapes_and_utf8(void **state)
{
    (void)state;
    /* Quotes, backslashes and control characters are escaped; '/' and DEL are not. */
    assert_error_json("T", "q\" b\\ n\n r\r t\t \x01 \x1f \x7f /", NULL, 0,
                      "{\"errorMessage\":\"q\\\" b\\\\ n\\n r\\r t\\t \\u0001 \\u001f \x7f /\","
                      "\"errorType\":\"T\",\"stackTrace\":[]}");
    /* Non-ASCII is kept verbatim, not \u-escaped. */
    assert_error_json("Z\xc3\xbcrich", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL, 0,
                      "{\"errorMessage\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
                      "\"errorType\":\"Z\xc3\xbcrich\",\"stackTrace\":[]}");
    /* Invalid UTF-8 is repaired in every field. */
    char *stack[] = { "ok", "bad \xed\xa0\x80 surrogate" };
    assert_error_json("T\xff", "bad \xc0\xaf overlong \xe2\x82", stack, 2,
                      "{\"errorMessage\":\"bad \xef\xbf\xbd\xef\xbf\xbd overlong "
                      "\xef\xbf\xbd\xef\xbf\xbd\",\"errorType\":\"T\xef\xbf\xbd\","
                      "\"stackTrace\":[\"ok\",\"bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                      "surrogate\"]}");
}

/* What lc_error_json_build produces always parses back, even from hostile input. */
static void test_error_json_always_parses(void **state)
{
    (void)state;
    char message[512];
    uint32_t x = 12345;
    for (int round = 0; round < 500; round++) {
        for (size_t i = 0; i < sizeof message - 1; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            message[i] = (char)((x & 0xff) ? (x & 0xff) : 1);
        }
        message[sizeof message - 1] = '\0';
        size_t size = 0;
        char *json = lc_error_json_build("T", message, NULL, 0, &size);
        assert_non_null(json);
        json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        struct json_object *parsed = json_tokener_parse_ex(tok, json, (int)size + 1);
        if (json_tokener_get_error(tok) != json_tokener_success)
            fail_msg("round %d: error JSON does not parse: %s", round,
                     json_tokener_error_desc(json_tokener_get_error(tok)));
        json_tokener_free(tok);
        assert_true(json_object_is_type(parsed, json_type_object));
        json_object_put(parsed);
        free(json);
    }
}

int main(void)
{
    ts_watchdog(60);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_nothing_set_answers_null),
        T(test_set_body_copies),
        T(test_set_body_default_type_and_empty),
        T(test_set_body_binary),
        T(test_set_body_ref_borrows),
        T(test_take_body_frees),
        T(test_take_body_frees_on_failure),
        T(test_invalid_arguments),
        T(test_content_type_checked),
        T(test_set_json_takes_the_reference),
        T(test_set_json_null_and_scalars),
        T(test_set_json_put_on_failure),
        T(test_replacing_frees_the_previous_outcome),
        T(test_set_error_fields),
        T(test_stack_lines),
        T(test_deep_stack_not_kept),
        T(test_error_json_exact),
        T(test_error_json_escapes_and_utf8),
        T(test_error_json_always_parses),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
