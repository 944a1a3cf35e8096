/* util/clock.c: the log timestamp, computed by arithmetic, against glibc's gmtime_r. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void expected(int64_t secs, int ms, char *out, size_t cap)
{
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static void matches_gmtime_over_four_centuries(void **state)
{
    (void)state;
    char got[64], want[64];
    /* Every ~1.3 days from 1970 to 2400: leap years, centuries, 2000, month ends. */
    for (int64_t secs = 0; secs < INT64_C(13569465600); secs += 111111) {
        int ms = (int)(secs % 1000);
        lc_clock_iso8601_format(secs, ms, got, sizeof got);
        expected(secs, ms, want, sizeof want);
        assert_string_equal(got, want);
    }
    /* Before the epoch, and the edges of days and leap days. */
    int64_t edges[] = { -1,        -86400,     -86401,     951782399,   951782400,
                        951868800, 4107542399, 4107542400, 253402300799 };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        lc_clock_iso8601_format(edges[i], 999, got, sizeof got);
        expected(edges[i], 999, want, sizeof want);
        assert_string_equal(got, want);
    }
}

static void bounds(void **state)
{
    (void)state;
    char buf[LC_CLOCK_ISO8601_LEN + 1];
    lc_clock_iso8601_format(0, 5, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.005Z");
    assert_int_equal(strlen(buf), LC_CLOCK_ISO8601_LEN);
    lc_clock_iso8601_format(0, 5, buf, LC_CLOCK_ISO8601_LEN); /* one byte short */
    assert_string_equal(buf, "");
    lc_clock_iso8601_format(INT64_C(253402300800), 0, buf, sizeof buf); /* year 10000 */
    assert_string_equal(buf, "0000-00-00T00:00:00.000Z");
    lc_clock_iso8601_now(buf, sizeof buf);
    assert_int_equal(strlen(buf), LC_CLOCK_ISO8601_LEN);
    assert_true(buf[10] == 'T' && buf[23] == 'Z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_gmtime_over_four_centuries),
        cmocka_unit_test(bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
