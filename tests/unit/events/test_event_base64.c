/*
 * Event bindings, the internal RFC 4648 base64 codec and URL decoder
 * (sdk/src/events/base64.c, common.c): the RFC's test vectors, strict rejection of
 * invalid input, and an encode/decode round trip over every length up to 300 bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "events/events_internal.h"

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    const char *v[][2] = { { "", "" },
                           { "f", "Zg==" },
                           { "fo", "Zm8=" },
                           { "foo", "Zm9v" },
                           { "foob", "Zm9vYg==" },
                           { "fooba", "Zm9vYmE=" },
                           { "foobar", "Zm9vYmFy" } };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t plain = strlen(v[i][0]), enc = strlen(v[i][1]);
        char text[16];
        assert_int_equal(lc_base64_encoded_len(plain), enc);
        lc_base64_encode(v[i][0], plain, text);
        assert_string_equal(text, v[i][1]);
        unsigned char out[16];
        size_t n = 99;
        assert_int_equal(lc_base64_decoded_size(v[i][1], enc), plain);
        assert_int_equal(lc_base64_decode(v[i][1], enc, NULL, &n), LAMBDA_OK);
        assert_int_equal(n, plain);
        assert_int_equal(lc_base64_decode(v[i][1], enc, out, &n), LAMBDA_OK);
        assert_int_equal(n, plain);
        assert_memory_equal(out, v[i][0], plain);
    }
}

static void test_rejects_invalid(void **state)
{
    (void)state;
    const char *bad[] = { "Z",       "Zg",        "Zg=",    "Zg===", "=Zg=",     "Z=g=",
                          "Zg=a",    "Zm9v Zg==", "Zm9v\n", "Zm-_",  "Zm9v====", "Zg==Zg==",
                          "Zm9\x80", "====",      "A===",   "Zm9vYg" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char out[32];
        size_t n;
        assert_int_equal(lc_base64_decode(bad[i], strlen(bad[i]), out, &n), EV_E_ENCODING);
        assert_int_equal(lc_base64_decode(bad[i], strlen(bad[i]), NULL, NULL), EV_E_ENCODING);
    }
    /* an embedded NUL is not base64 either */
    assert_int_equal(lc_base64_decode("Zm\0v", 4, NULL, NULL), EV_E_ENCODING);
    assert_int_equal(lc_base64_decode(NULL, 4, NULL, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_base64_decode(NULL, 0, NULL, NULL), LAMBDA_OK);
    /* non-zero pad bits are accepted (RFC 4648 3.5 allows it) */
    unsigned char out[4];
    size_t n;
    assert_int_equal(lc_base64_decode("Zh==", 4, out, &n), LAMBDA_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'f');
}

static void test_round_trip(void **state)
{
    (void)state;
    unsigned char plain[300], back[300];
    char text[404];
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof plain; len++) {
        size_t enc = lc_base64_encoded_len(len);
        assert_true(enc < sizeof text);
        lc_base64_encode(plain, len, text);
        assert_int_equal(strlen(text), enc);
        size_t n = 0;
        assert_int_equal(lc_base64_decode(text, enc, back, &n), LAMBDA_OK);
        assert_int_equal(n, len);
        assert_memory_equal(back, plain, len);
    }
    assert_int_equal(lc_base64_encoded_len(SIZE_MAX), SIZE_MAX);
}

static void test_buffer_and_cache(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char buf[8];
    assert_int_equal(lc_ev_base64_to_buffer("3q2+7w==", 8, NULL, 0, &size), LAMBDA_OK);
    assert_int_equal(size, 4);
    assert_int_equal(lc_ev_base64_to_buffer("3q2+7w==", 8, buf, 3, &size),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(size, 4);
    assert_int_equal(lc_ev_base64_to_buffer("3q2+7w==", 8, buf, 4, &size), LAMBDA_OK);
    assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
    assert_int_equal(lc_ev_base64_to_buffer("3q2", 3, buf, 8, &size), EV_E_ENCODING);

    lc_ev_decoded slot = { 0 };
    const void *data = NULL;
    assert_int_equal(lc_ev_decoded_base64(&slot, "Zm9v", 4, &data, &size), LAMBDA_OK);
    assert_string_equal((const char *)data, "foo");
    const void *again = NULL;
    assert_int_equal(lc_ev_decoded_base64(&slot, "ignored", 7, &again, NULL), LAMBDA_OK);
    assert_ptr_equal(again, data);
    lc_ev_decoded_free(&slot);
    assert_int_equal(lc_ev_decoded_base64(&slot, "!!!!", 4, &data, &size), EV_E_ENCODING);
    lc_ev_decoded_free(&slot);
}

static void test_url_decode(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(lc_ev_url_decode("a+b%20c", 7, out, 1), 5);
    assert_string_equal(out, "a b c");
    assert_int_equal(lc_ev_url_decode("a+b", 3, out, 0), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(lc_ev_url_decode("%", 1, out, 1), 1);
    assert_string_equal(out, "%");
    assert_int_equal(lc_ev_url_decode("%4", 2, out, 1), 2);
    assert_string_equal(out, "%4");
    assert_int_equal(lc_ev_url_decode("%4g%41", 6, out, 1), 4);
    assert_string_equal(out, "%4gA");
    assert_int_equal(lc_ev_url_decode("%C3%a9", 6, out, 1), 2);
    assert_string_equal(out, "\xc3\xa9");
    /* only len bytes are read */
    assert_int_equal(lc_ev_url_decode("ab%41", 3, out, 1), 3);
    assert_string_equal(out, "ab%");
    assert_int_equal(lc_ev_url_decode("", 0, out, 1), 0);
    assert_string_equal(out, "");
}

static void test_helpers(void **state)
{
    (void)state;
    assert_true(lc_ev_strcaseeq("Content-Type", "content-TYPE"));
    assert_false(lc_ev_strcaseeq("Content-Type", "Content-Typ"));
    assert_false(lc_ev_strcaseeq("a", "b"));
    assert_true(lc_ev_strcaseeq("", ""));
    lc_ev_arena arena = { 0 };
    char *a = lc_ev_arena_strndup(&arena, "hello", 3);
    assert_string_equal(a, "hel");
    assert_non_null(lc_ev_arena_alloc(&arena, 0));
    assert_null(lc_ev_arena_alloc(&arena, SIZE_MAX));
    lc_ev_arena_free(&arena);
    lc_ev_arena_free(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors), cmocka_unit_test(test_rejects_invalid),
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_buffer_and_cache),
        cmocka_unit_test(test_url_decode),      cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests_name("event_base64", tests, NULL, NULL);
}
