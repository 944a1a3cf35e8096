/*
 * sdk/src/utf8.c: validation (no overlongs, no surrogates, nothing above U+10FFFF, no
 * truncated sequences, no lone continuation bytes) and repair (each byte that does not
 * start a valid sequence becomes U+FFFD, EF BF BD, and the scan goes on at the next byte).
 *
 * Besides hand-picked cases, lc_utf8_is_valid is checked exhaustively against an independent
 * reference (the well-formed byte sequences of Unicode Table 3-7) over every 1-, 2- and
 * 3-byte input, and lc_utf8_repair against a reference repair over every 2-byte input and
 * every 3-byte input that starts with a non-ASCII byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "util/utf8.h"

#define FFFD "\xef\xbf\xbd"

/* ------------------------------------------------------------------ reference */

/* Length of the well-formed sequence at s per Unicode Table 3-7, or 0. */
static size_t ref_sequence(const unsigned char *s, size_t avail)
{
    unsigned char b0 = s[0];
    size_t len;
    unsigned char lo1 = 0x80, hi1 = 0xbf;
    if (b0 <= 0x7f)
        return 1;
    else if (b0 >= 0xc2 && b0 <= 0xdf)
        len = 2;
    else if (b0 == 0xe0) {
        len = 3;
        lo1 = 0xa0;
    } else if ((b0 >= 0xe1 && b0 <= 0xec) || b0 == 0xee || b0 == 0xef)
        len = 3;
    else if (b0 == 0xed) {
        len = 3;
        hi1 = 0x9f;
    } else if (b0 == 0xf0) {
        len = 4;
        lo1 = 0x90;
    } else if (b0 >= 0xf1 && b0 <= 0xf3)
        len = 4;
    else if (b0 == 0xf4) {
        len = 4;
        hi1 = 0x8f;
    } else
        return 0;
    if (avail < len)
        return 0;
    if (s[1] < lo1 || s[1] > hi1)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static int ref_valid(const unsigned char *s, size_t size)
{
    size_t i = 0;
    while (i < size) {
        size_t n = ref_sequence(s + i, size - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

/* The reference repair into out (cap >= size * 3 + 1); returns the length. */
static size_t ref_repair(const unsigned char *s, size_t size, char *out)
{
    size_t i = 0, o = 0;
    while (i < size) {
        size_t n = ref_sequence(s + i, size - i);
        if (!n) {
            memcpy(out + o, FFFD, 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------------ helpers */

#define VALID(lit) assert_int_equal(lc_utf8_is_valid(lit, sizeof lit - 1), 1)
#define INVALID(lit) assert_int_equal(lc_utf8_is_valid(lit, sizeof lit - 1), 0)

/* lc_utf8_repair(in) must be exactly expected (both string literals; NULs allowed). */
#define REPAIRS_TO(in, expected)                                                  \
    do {                                                                          \
        char *out_ = lc_utf8_repair(in, sizeof in - 1);                           \
        assert_non_null(out_);                                                    \
        assert_memory_equal(out_, expected, sizeof expected); /* incl. the NUL */ \
        assert_int_equal(lc_utf8_is_valid(out_, sizeof expected - 1), 1);         \
        free(out_);                                                               \
    } while (0)

/* ------------------------------------------------------------------ validity */

static void test_valid_boundaries(void **state)
{
    (void)state;
    assert_int_equal(lc_utf8_is_valid("", 0), 1);
    assert_int_equal(lc_utf8_is_valid(NULL, 0), 1);
    VALID("plain ASCII \x01\x7f");
    VALID("\0"); /* NUL is a valid code point */
    VALID("a\0b");
    VALID("\xc2\x80");                                  /* U+0080, smallest 2-byte */
    VALID("\xdf\xbf");                                  /* U+07FF, largest 2-byte */
    VALID("\xe0\xa0\x80");                              /* U+0800, smallest 3-byte */
    VALID("\xed\x9f\xbf");                              /* U+D7FF, just below the surrogates */
    VALID("\xee\x80\x80");                              /* U+E000, just above them */
    VALID("\xef\xbf\xbd");                              /* U+FFFD */
    VALID("\xef\xbf\xbf");                              /* U+FFFF, largest 3-byte */
    VALID("\xf0\x90\x80\x80");                          /* U+10000, smallest 4-byte */
    VALID("\xf4\x8f\xbf\xbf");                          /* U+10FFFF, the last code point */
    VALID("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"); /* é € 😀 */
}

static void test_invalid_overlongs(void **state)
{
    (void)state;
    INVALID("\xc0\x80");     /* NUL in 2 bytes */
    INVALID("\xc0\xaf");     /* '/' in 2 bytes */
    INVALID("\xc1\xbf");     /* U+007F in 2 bytes */
    INVALID("\xe0\x80\x80"); /* NUL in 3 bytes */
    INVALID("\xe0\x80\xaf");
    INVALID("\xe0\x9f\xbf");     /* U+07FF in 3 bytes */
    INVALID("\xf0\x80\x80\x80"); /* NUL in 4 bytes */
    INVALID("\xf0\x80\x80\xaf");
    INVALID("\xf0\x8f\xbf\xbf");    /* U+FFFF in 4 bytes */
    INVALID("ok \xc0\xaf then ok"); /* in the middle of valid text */
}

static void test_invalid_surrogates(void **state)
{
    (void)state;
    INVALID("\xed\xa0\x80");             /* U+D800 */
    INVALID("\xed\xad\xbf");             /* U+DB7F */
    INVALID("\xed\xb0\x80");             /* U+DC00 */
    INVALID("\xed\xbf\xbf");             /* U+DFFF */
    INVALID("\xed\xa0\xbd\xed\xb8\x80"); /* a CESU-8 surrogate pair (U+1F600) */
}

static void test_invalid_above_max(void **state)
{
    (void)state;
    INVALID("\xf4\x90\x80\x80"); /* U+110000 */
    INVALID("\xf4\xbf\xbf\xbf");
    INVALID("\xf5\x80\x80\x80"); /* lead bytes F5..F7 can only encode > U+10FFFF */
    INVALID("\xf7\xbf\xbf\xbf");
    INVALID("\xf8\x88\x80\x80\x80");     /* old 5-byte form */
    INVALID("\xfc\x84\x80\x80\x80\x80"); /* old 6-byte form */
    INVALID("\xfe");
    INVALID("\xff");
}

static void test_invalid_truncated(void **state)
{
    (void)state;
    INVALID("\xc3");
    INVALID("\xe2\x82");
    INVALID("\xe2");
    INVALID("\xf0\x9f\x98");
    INVALID("\xf0\x9f");
    INVALID("\xf0");
    INVALID("\xe2\x82"
            "A"); /* cut short by an ASCII byte */
    INVALID("\xc3"
            "\xc3\xa9"); /* cut short by another lead byte */
    INVALID("\xf0\x9f\x98"
            "\xe2\x82\xac");
    /* The size argument is what counts, not the NUL. */
    assert_int_equal(lc_utf8_is_valid("\xc3\xa9", 1), 0);
    assert_int_equal(lc_utf8_is_valid("\xf0\x9f\x98\x80", 3), 0);
    assert_int_equal(lc_utf8_is_valid("abc\xff", 3), 1);
}

static void test_invalid_lone_continuation(void **state)
{
    (void)state;
    INVALID("\x80");
    INVALID("\xbf");
    INVALID("a\x80"
            "b");
    INVALID("\xc3\xa9\xa9"); /* one continuation byte too many */
    INVALID("\xf0\x9f\x98\x80\x80");
}

/* Every 1-, 2- and 3-byte input agrees with the reference. */
static void test_valid_exhaustive_short_inputs(void **state)
{
    (void)state;
    unsigned char b[3];
    for (unsigned i = 0; i < 256; i++) {
        b[0] = (unsigned char)i;
        assert_int_equal(lc_utf8_is_valid((char *)b, 1), ref_valid(b, 1));
    }
    for (unsigned i = 0; i < 65536; i++) {
        b[0] = (unsigned char)(i >> 8);
        b[1] = (unsigned char)i;
        if (lc_utf8_is_valid((char *)b, 2) != ref_valid(b, 2))
            fail_msg("2-byte input %02x %02x: got %d", b[0], b[1], lc_utf8_is_valid((char *)b, 2));
    }
    for (unsigned i = 0; i < (1u << 24); i++) {
        b[0] = (unsigned char)(i >> 16);
        b[1] = (unsigned char)(i >> 8);
        b[2] = (unsigned char)i;
        if (lc_utf8_is_valid((char *)b, 3) != ref_valid(b, 3))
            fail_msg("3-byte input %02x %02x %02x: got %d", b[0], b[1], b[2],
                     lc_utf8_is_valid((char *)b, 3));
    }
}

/* 4-byte inputs: every lead byte F0..FF with every second byte, and the edge values of the
 * last two bytes. */
static void test_valid_four_byte_inputs(void **state)
{
    (void)state;
    static const unsigned char edges[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
                                           0x90, 0xa0, 0xbf, 0xc0, 0xff };
    unsigned char b[4];
    for (unsigned lead = 0xf0; lead <= 0xff; lead++)
        for (unsigned second = 0; second < 256; second++)
            for (size_t k = 0; k < sizeof edges; k++)
                for (size_t l = 0; l < sizeof edges; l++) {
                    b[0] = (unsigned char)lead;
                    b[1] = (unsigned char)second;
                    b[2] = edges[k];
                    b[3] = edges[l];
                    if (lc_utf8_is_valid((char *)b, 4) != ref_valid(b, 4))
                        fail_msg("4-byte input %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
                }
}

/* ------------------------------------------------------------------ repair */

static void test_repair_keeps_valid_text(void **state)
{
    (void)state;
    REPAIRS_TO("", "");
    REPAIRS_TO("hello", "hello");
    REPAIRS_TO("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    REPAIRS_TO("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
    REPAIRS_TO(FFFD, FFFD);
    /* An embedded NUL is kept, and the copy is NUL-terminated after it. */
    REPAIRS_TO("a\0b", "a\0b");
}

static void test_repair_exact_bytes(void **state)
{
    (void)state;
    /* Each byte that does not start a valid sequence becomes one U+FFFD. */
    REPAIRS_TO("\xff", FFFD);
    REPAIRS_TO("a\x80"
               "b",
               "a" FFFD "b");
    REPAIRS_TO("\xc0\xaf", FFFD FFFD);                   /* overlong '/' */
    REPAIRS_TO("\xe0\x80\x80", FFFD FFFD FFFD);          /* overlong NUL */
    REPAIRS_TO("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD); /* overlong U+FFFF */
    REPAIRS_TO("\xed\xa0\x80", FFFD FFFD FFFD);          /* U+D800 */
    REPAIRS_TO("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* U+110000 */
    REPAIRS_TO("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
    REPAIRS_TO("\xe2\x82", FFFD FFFD); /* truncated at the end */
    REPAIRS_TO("\xe2\x82"
               "A",
               FFFD FFFD "A"); /* cut short by ASCII */
    REPAIRS_TO("\xc3"
               "\xc3\xa9",
               FFFD "\xc3\xa9"); /* cut short by a lead byte */
    REPAIRS_TO("\xf0\x9f\x98"
               "\xe2\x82\xac",
               FFFD FFFD FFFD "\xe2\x82\xac");
    REPAIRS_TO("\xc3\xa9\xa9", "\xc3\xa9" FFFD); /* extra continuation */
    REPAIRS_TO("ok \xff\xfe ok", "ok " FFFD FFFD " ok");
}

static void test_repair_respects_size(void **state)
{
    (void)state;
    char *out = lc_utf8_repair("\xc3\xa9", 1); /* the size cuts the sequence */
    assert_non_null(out);
    assert_string_equal(out, FFFD);
    free(out);
    out = lc_utf8_repair("abc\xff", 3);
    assert_non_null(out);
    assert_string_equal(out, "abc");
    free(out);
    out = lc_utf8_repair(NULL, 0);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
}

static void test_repair_exhaustive_short_inputs(void **state)
{
    (void)state;
    unsigned char b[3];
    char expected[16];
    for (unsigned i = 0; i < 65536; i++) {
        b[0] = (unsigned char)(i >> 8);
        b[1] = (unsigned char)i;
        size_t n = ref_repair(b, 2, expected);
        char *out = lc_utf8_repair((char *)b, 2);
        assert_non_null(out);
        if (memcmp(out, expected, n + 1) != 0)
            fail_msg("repair of %02x %02x differs from the reference", b[0], b[1]);
        free(out);
    }
    for (unsigned i = 0x800000; i < (1u << 24); i++) {
        b[0] = (unsigned char)(i >> 16);
        b[1] = (unsigned char)(i >> 8);
        b[2] = (unsigned char)i;
        size_t n = ref_repair(b, 3, expected);
        char *out = lc_utf8_repair((char *)b, 3);
        assert_non_null(out);
        if (memcmp(out, expected, n + 1) != 0)
            fail_msg("repair of %02x %02x %02x differs from the reference", b[0], b[1], b[2]);
        free(out);
    }
}

/* A long random buffer: the repair is valid UTF-8 and matches the reference. */
static void test_repair_random_buffer(void **state)
{
    (void)state;
    enum { SIZE = 1 << 20 };
    unsigned char *in = ts_xmalloc(SIZE);
    char *expected = ts_xmalloc(SIZE * 3 + 1);
    uint32_t x = 2463534242u; /* xorshift32: deterministic */
    for (size_t i = 0; i < SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        /* Mostly plausible UTF-8 bytes so that valid sequences occur too. */
        unsigned r = x & 0xff;
        in[i] = (unsigned char)(r < 96 ? 0x20 + r % 64 : r < 160 ? 0x80 + r % 64 : r);
    }
    size_t n = ref_repair(in, SIZE, expected);
    char *out = lc_utf8_repair((char *)in, SIZE);
    assert_non_null(out);
    assert_int_equal(strlen(out), n); /* no NUL in the input, so none in the output */
    assert_memory_equal(out, expected, n + 1);
    assert_int_equal(lc_utf8_is_valid(out, n), 1);
    assert_int_equal(lc_utf8_is_valid((char *)in, SIZE), ref_valid(in, SIZE));
    free(out);
    free(expected);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_boundaries),
        cmocka_unit_test(test_invalid_overlongs),
        cmocka_unit_test(test_invalid_surrogates),
        cmocka_unit_test(test_invalid_above_max),
        cmocka_unit_test(test_invalid_truncated),
        cmocka_unit_test(test_invalid_lone_continuation),
        cmocka_unit_test(test_valid_exhaustive_short_inputs),
        cmocka_unit_test(test_valid_four_byte_inputs),
        cmocka_unit_test(test_repair_keeps_valid_text),
        cmocka_unit_test(test_repair_exact_bytes),
        cmocka_unit_test(test_repair_respects_size),
        cmocka_unit_test(test_repair_exhaustive_short_inputs),
        cmocka_unit_test(test_repair_random_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
