/*
 * sdk/src/event.c through the objects the loop builds: every event here is made by
 * lc_invocation_begin from a hand-built /next lc_http_response, exactly as the loop does, and
 * released with lc_invocation_end / lc_invocation_free.
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

/* One invocation's objects, as the loop keeps them. */
typedef struct fixture {
    lc_http_response next;
    char *body; /* the /next body: NUL-terminated, like the connection's buffer */
    lc_function_config function;
    lambda_context ctx;
    lambda_event event;
    lambda_response response;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lc_invocation_free(&f->ctx, &f->event, &f->response);
    free(f->body);
    free(f);
    return 0;
}

/* Builds the /next response (body of size bytes, then headers as name/value pairs ending
 * with NULL) and begins the invocation from it. */
static void begin_sized(fixture *f, const char *body, size_t size, ...)
{
    free(f->body);
    /* Exactly the bytes and their NUL, as the connection keeps them: ASan sees any read
     * past them. */
    f->body = ts_xmalloc(size + 1);
    if (size)
        memcpy(f->body, body, size);
    f->body[size] = '\0';
    memset(&f->next, 0, sizeof f->next);
    f->next.status = 200;
    f->next.body = f->body;
    f->next.body_size = size;
    f->next.headers[f->next.header_count].name = "Lambda-Runtime-Aws-Request-Id";
    f->next.headers[f->next.header_count++].value = "req-1";
    va_list args;
    va_start(args, size);
    for (;;) {
        const char *name = va_arg(args, const char *);
        if (!name)
            break;
        f->next.headers[f->next.header_count].name = name;
        f->next.headers[f->next.header_count++].value = va_arg(args, const char *);
    }
    va_end(args);
    assert_int_equal(lc_invocation_begin(&f->ctx, &f->event, &f->next, &f->function), LAMBDA_OK);
}

#define begin(f, text, ...) begin_sized((f), (text), strlen(text), __VA_ARGS__)

static void end(fixture *f)
{
    lc_invocation_end(&f->ctx, &f->event, &f->response);
}

/* The event must be refused as JSON, with an error text containing needle. */
static void assert_invalid_json(fixture *f, const char *needle)
{
    struct json_object *out = (struct json_object *)&out; /* must be reset to NULL */
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_E_INVALID_JSON);
    assert_null(out);
    const char *why = lambda_event_json_error(&f->event);
    assert_non_null(why);
    if (!strstr(why, needle))
        fail_msg("json error \"%s\" does not contain \"%s\"", why, needle);
    /* Asking again gives the same answer (the failure is remembered, not re-parsed). */
    out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_E_INVALID_JSON);
    assert_null(out);
    assert_string_equal(lambda_event_json_error(&f->event), why);
}

/* ------------------------------------------------------------------ raw bytes */

static void test_data_exact_and_nul_terminated(void **state)
{
    fixture *f = *state;
    begin(f, "{\"key\": \"value\"}", NULL);
    size_t size = 99;
    const char *data = lambda_event_data(&f->event, &size);
    assert_int_equal(size, 16);
    assert_memory_equal(data, "{\"key\": \"value\"}", 16);
    assert_int_equal(data[size], '\0');
    /* The bytes are not copied: they stay in the connection's buffer. */
    assert_ptr_equal(data, f->body);
    /* size may be NULL. */
    assert_ptr_equal(lambda_event_data(&f->event, NULL), data);
    end(f);

    /* Binary with NULs of its own: all bytes counted, one NUL after them. */
    static const char binary[] = { 'a', '\0', 'b', '\0', '\xff' };
    begin_sized(f, binary, sizeof binary, "Content-Type", "application/octet-stream", NULL);
    data = lambda_event_data(&f->event, &size);
    assert_int_equal(size, sizeof binary);
    assert_memory_equal(data, binary, sizeof binary);
    assert_int_equal(data[sizeof binary], '\0');
    end(f);

    /* Empty event. */
    begin(f, "", NULL);
    data = lambda_event_data(&f->event, &size);
    assert_int_equal(size, 0);
    assert_non_null(data);
    assert_int_equal(data[0], '\0');
}

static void test_null_event_arguments(void **state)
{
    (void)state;
    size_t size = 99;
    assert_null(lambda_event_data(NULL, &size));
    assert_int_equal(size, 0);
    assert_null(lambda_event_data(NULL, NULL));
    assert_string_equal(lambda_event_content_type(NULL), "application/json");
    struct json_object *out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(NULL, &out), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(lambda_event_json_error(NULL));
    fixture *f = *state;
    begin(f, "{}", NULL);
    assert_int_equal(lambda_event_json(&f->event, NULL), LAMBDA_E_INVALID_ARGUMENT);
}

static void test_content_type(void **state)
{
    fixture *f = *state;
    begin(f, "{}", NULL);
    assert_string_equal(lambda_event_content_type(&f->event), "application/json");
    end(f);
    begin(f, "{}", "Content-Type", "", NULL); /* empty: as if absent */
    assert_string_equal(lambda_event_content_type(&f->event), "application/json");
    end(f);
    begin(f, "hi", "content-type", "text/plain; charset=utf-8", NULL); /* any case */
    assert_string_equal(lambda_event_content_type(&f->event), "text/plain; charset=utf-8");
    end(f);
    /* A copy: the connection's buffer may change after lc_invocation_begin. */
    char value[] = "application/xml";
    begin(f, "<a/>", "Content-Type", value, NULL);
    memset(value, 'x', sizeof value - 1);
    assert_string_equal(lambda_event_content_type(&f->event), "application/xml");
}

/* ------------------------------------------------------------------ JSON */

static void test_json_object_parsed_once(void **state)
{
    fixture *f = *state;
    begin(f, "{\"name\":\"lambda\",\"n\":3,\"list\":[1,2]}", NULL);
    /* Lazily: nothing is parsed before the first call. */
    assert_int_equal(f->event.json_state, 0);
    assert_null(f->event.json);
    struct json_object *first = NULL;
    assert_int_equal(lambda_event_json(&f->event, &first), LAMBDA_OK);
    assert_non_null(first);
    assert_true(json_object_is_type(first, json_type_object));
    struct json_object *name = NULL;
    assert_true(json_object_object_get_ex(first, "name", &name));
    assert_string_equal(json_object_get_string(name), "lambda");
    assert_null(lambda_event_json_error(&f->event));

    /* Parsed on the first call only: spoil the bytes; the second call does not look at them
     * and returns the very same object. */
    memset(f->body, '!', strlen(f->body));
    struct json_object *second = NULL;
    assert_int_equal(lambda_event_json(&f->event, &second), LAMBDA_OK);
    assert_ptr_equal(first, second);
    assert_null(lambda_event_json_error(&f->event));
}

static void test_json_null_event(void **state)
{
    fixture *f = *state;
    begin(f, "null", NULL);
    struct json_object *out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_null(out); /* the JSON null is a NULL json_object */
    assert_null(lambda_event_json_error(&f->event));
    /* Remembered as parsed, not as "not parsed yet". */
    assert_int_equal(f->event.json_state, 1);
    out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_null(out);
    end(f);
    begin(f, " \r\n\tnull\n", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_null(out);
}

static void test_json_scalars(void **state)
{
    fixture *f = *state;
    struct json_object *out;

    begin(f, "42", NULL); /* a bare number completes at the end of the bytes */
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_is_type(out, json_type_int));
    assert_int_equal(json_object_get_int64(out), 42);
    end(f);

    begin(f, "-7", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_int_equal(json_object_get_int64(out), -7);
    end(f);

    begin(f, "9007199254740993", NULL); /* above 2^53: kept exact as an int64 */
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_get_int64(out) == INT64_C(9007199254740993));
    end(f);

    begin(f, "2.5e3", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_is_type(out, json_type_double));
    assert_float_equal(json_object_get_double(out), 2500.0, 0.0);
    end(f);

    begin(f, "\n 42 \n", NULL); /* white space around the document is fine */
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_int_equal(json_object_get_int64(out), 42);
    end(f);

    begin(f, "\"text \\u00e9\\ud83d\\ude00\"", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_string_equal(json_object_get_string(out), "text \xc3\xa9\xf0\x9f\x98\x80");
    end(f);

    begin(f, "true", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_get_boolean(out));
    end(f);

    begin(f, "[]", NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_int_equal(json_object_array_length(out), 0);
}

static void test_json_utf8_text_kept(void **state)
{
    fixture *f = *state;
    begin(f, "{\"city\":\"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80\"}", NULL);
    struct json_object *out, *city;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_object_get_ex(out, "city", &city));
    assert_string_equal(json_object_get_string(city),
                        "Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_json_malformed(void **state)
{
    fixture *f = *state;
    begin(f, "{\"a\":}", NULL);
    assert_invalid_json(f, "offset 5");
    end(f);
    begin(f, "'a'", NULL); /* single quotes are not JSON */
    assert_invalid_json(f, "offset 0");
    end(f);
    begin(f, "[1,]", NULL); /* trailing comma */
    assert_invalid_json(f, "offset 3");
    end(f);
    begin(f, "tRue", NULL);
    assert_invalid_json(f, "offset");
    end(f);
    begin(f, "{\"a\" 1}", NULL);
    assert_invalid_json(f, "offset 5");
    end(f);
    begin(f, "[01]", NULL); /* leading zero */
    assert_invalid_json(f, "offset");
    end(f);
    begin(f, "\xef\xbb\xbf{}", NULL); /* a byte order mark is not JSON */
    assert_invalid_json(f, "offset 0");
}

static void test_json_truncated(void **state)
{
    fixture *f = *state;
    begin(f, "[1,2", NULL);
    assert_invalid_json(f, "");
    const char *why = lambda_event_json_error(&f->event);
    /* Says where: at the end (offset or byte count 4). */
    assert_non_null(strstr(why, "4"));
    end(f);
    begin(f, "{\"a\":\"unterminated", NULL);
    assert_invalid_json(f, "");
    end(f);
    begin(f, "-", NULL);
    assert_invalid_json(f, "");
}

static void test_json_trailing_garbage(void **state)
{
    fixture *f = *state;
    begin(f, "{} x", NULL);
    assert_invalid_json(f, "offset 3");
    end(f);
    begin(f, "{}{}", NULL);
    assert_invalid_json(f, "offset 2");
    end(f);
    begin(f, "42 43", NULL);
    assert_invalid_json(f, "offset 3");
    end(f);
    begin(f, "nullx", NULL);
    assert_invalid_json(f, "offset");
    end(f);
    /* A NUL inside the bytes ends nothing: what follows it is still garbage. */
    begin_sized(f, "{}\0{}", 5, NULL);
    assert_invalid_json(f, "offset 2");
    end(f);
    begin_sized(f, "{}\0", 3, NULL);
    assert_invalid_json(f, "offset 2");
}

static void test_json_empty_event(void **state)
{
    fixture *f = *state;
    begin(f, "", NULL);
    assert_invalid_json(f, "");
    end(f);
    begin(f, "  \n\t ", NULL);
    assert_invalid_json(f, "");
}

static void test_json_invalid_utf8_in_string(void **state)
{
    fixture *f = *state;
    begin(f, "{\"a\":\"\xc3\x28\"}", NULL); /* C3 followed by a non-continuation byte */
    assert_invalid_json(f, "utf-8");
    end(f);
    begin(f, "[\"\xff\"]", NULL);
    assert_invalid_json(f, "utf-8");
    end(f);
    begin(f, "{\"\x80\":1}", NULL); /* in a key too */
    assert_invalid_json(f, "utf-8");
}

/*
 * Regression test (was a bug, now fixed): sdk/src/event.c parse_event relies on json-c's JSON_TOKENER_VALIDATE_UTF8, which (json-c
 * 0.16) only checks the bit patterns of the bytes: overlong forms (C0 AF), UTF-8-encoded
 * surrogates (ED A0 80) and code points above U+10FFFF (F4 90 80 80) are accepted inside
 * strings, so lambda_event_json returns LAMBDA_OK with invalid UTF-8 in the handler's
 * strings. Such bytes are not JSON (RFC 8259 requires UTF-8); they must give
 * LAMBDA_E_INVALID_JSON. Fix: check lc_utf8_is_valid(event->data, event->size) before parsing.
 */
static void test_json_rejects_overlong_surrogate_and_too_large_utf8(void **state)
{
    fixture *f = *state;
    begin(f, "\"\xc0\xaf\"", NULL);
    assert_invalid_json(f, "");
    end(f);
    begin(f, "\"\xed\xa0\x80\"", NULL);
    assert_invalid_json(f, "");
    end(f);
    begin(f, "{\"a\":\"\xf4\x90\x80\x80\"}", NULL);
    assert_invalid_json(f, "");
}

/*
 * Regression test (was a bug, now fixed): sdk/src/event.c accepts bytes that are not JSON: json-c's JSON_TOKENER_STRICT still
 * takes NaN, Infinity, -Infinity, numbers such as "1.", raw control characters (a raw TAB
 * or LF) inside strings and single-quoted object keys ({'a':1}), so lambda_event_json
 * returns LAMBDA_OK where event.h promises LAMBDA_E_INVALID_JSON ("the bytes are not
 * exactly one JSON document").
 */
static void test_json_rejects_json_c_extensions(void **state)
{
    fixture *f = *state;
    static const char *const not_json[] = { "NaN",      "Infinity", "-Infinity", "[1.]",   "1.e5",
                                            "\"a\tb\"", "\"a\nb\"", "\"\x01\"",  "{'a':1}" };
    for (size_t i = 0; i < sizeof not_json / sizeof not_json[0]; i++) {
        begin(f, not_json[i], NULL);
        assert_invalid_json(f, "");
        end(f);
    }
}

/*
 * Regression test (was a bug, now fixed): sdk/src/event.c creates its tokener with json_tokener_new(), whose depth limit is 32:
 * a valid document nested 33 levels deep gives LAMBDA_E_INVALID_JSON ("nesting too deep"),
 * although it is exactly one JSON document. Either raise the depth (json_tokener_new_ex) or
 * document the limit in event.h.
 */
static void test_json_deep_nesting_is_json(void **state)
{
    fixture *f = *state;
    char doc[2 * 64 + 1];
    memset(doc, '[', 64);
    memset(doc + 64, ']', 64);
    doc[128] = '\0';
    begin(f, doc, NULL);
    struct json_object *out = NULL;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
}

/* Up to 32 levels is what works today; keep it working. */
static void test_json_nesting_32_levels(void **state)
{
    fixture *f = *state;
    char doc[2 * 32 + 1];
    memset(doc, '[', 32);
    memset(doc + 32, ']', 32);
    doc[64] = '\0';
    begin(f, doc, NULL);
    struct json_object *out = NULL;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_is_type(out, json_type_array));
}

/* ------------------------------------------------------------------ across invocations */

static void test_json_reset_between_invocations(void **state)
{
    fixture *f = *state;
    begin(f, "{\"n\":1}", NULL);
    struct json_object *out, *n;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_object_get_ex(out, "n", &n));
    assert_int_equal(json_object_get_int(n), 1);
    /* Keep a reference past the invocation, as event.h allows. */
    struct json_object *kept = json_object_get(n);
    end(f);
    assert_int_equal(f->event.json_state, 0);
    assert_null(f->event.json);
    assert_null(lambda_event_data(&f->event, NULL));

    /* An invalid event next: its error is its own. */
    begin(f, "{", NULL);
    assert_invalid_json(f, "");
    end(f);
    assert_null(lambda_event_json_error(&f->event)); /* cleared with the invocation */

    /* Then a valid one again: parsed afresh. */
    begin(f, "{\"n\":2}", NULL);
    assert_null(lambda_event_json_error(&f->event));
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_true(json_object_object_get_ex(out, "n", &n));
    assert_int_equal(json_object_get_int(n), 2);

    assert_int_equal(json_object_get_int(kept), 1);
    assert_int_equal(json_object_put(kept), 1); /* ours was the last reference */
}

static void test_json_large_event(void **state)
{
    fixture *f = *state;
    /* A 6 MB array of numbers, Lambda's synchronous payload limit. */
    size_t cap = 6 * 1024 * 1024;
    char *doc = ts_xmalloc(cap + 16);
    size_t len = 0;
    size_t count = 0;
    doc[len++] = '[';
    while (len < cap - 16) {
        len += (size_t)sprintf(doc + len, "%s%zu", count ? "," : "", count % 1000);
        count++;
    }
    doc[len++] = ']';
    begin_sized(f, doc, len, NULL);
    free(doc);
    struct json_object *out = NULL;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_int_equal(json_object_array_length(out), count);
    assert_int_equal(json_object_get_int(json_object_array_get_idx(out, count - 1)),
                     (int)((count - 1) % 1000));
}

/* ------------------------------------------------------------------ memory */

/* The literal null is a JSON null (NULL root, success); out of memory is an error, never a
 * NULL root (test_core_alloc_fail.c fails each of the parse's allocations in turn). */
static void test_json_null_document(void **state)
{
    fixture *f = *state;
    begin(f, " null ", NULL);
    struct json_object *out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_null(out);
    end(f);
}

/* An event whose JSON tree would not fit the function's memory (json-c takes about 800
 * bytes per empty object) is refused with an error, not parsed into an out-of-memory kill. */
static void test_json_memory_budget(void **state)
{
    fixture *f = *state;
    size_t count = 200000; /* 600 KB of "{}," -> about 160 MB as a json-c tree */
    char *doc = ts_xmalloc(count * 3 + 2);
    size_t len = 0;
    doc[len++] = '[';
    for (size_t i = 0; i < count; i++) {
        memcpy(doc + len, i ? ",{}" : "{}", i ? 3 : 2);
        len += i ? 3 : 2;
    }
    doc[len++] = ']';
    f->function.memory_limit_mb = 128; /* AWS_LAMBDA_FUNCTION_MEMORY_SIZE, read at start */
    begin_sized(f, doc, len, NULL);
    struct json_object *out = (struct json_object *)&out;
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_E_TOO_LARGE);
    assert_null(out);
    const char *why = lambda_event_json_error(&f->event);
    assert_non_null(why);
    if (!strstr(why, "128 MB"))
        fail_msg("unexpected error text: %s", why);
    end(f);
    /* The same event fits a 1024 MB function. */
    f->function.memory_limit_mb = 1024;
    begin_sized(f, doc, len, NULL);
    assert_int_equal(lambda_event_json(&f->event, &out), LAMBDA_OK);
    assert_int_equal(json_object_array_length(out), count);
    end(f);
    f->function.memory_limit_mb = 0;
    free(doc);
}

int main(void)
{
    ts_watchdog(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_data_exact_and_nul_terminated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_event_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_object_parsed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_null_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_utf8_text_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_empty_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_invalid_utf8_in_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_overlong_surrogate_and_too_large_utf8,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_json_c_extensions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_deep_nesting_is_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_nesting_32_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_reset_between_invocations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_large_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_null_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_memory_budget, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
