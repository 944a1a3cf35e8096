/*
 * clock.c - wall and monotonic milliseconds, and the log timestamp (util/clock.h).
 */
#include "util/clock.h"

#include <string.h>
#include <time.h>

static int64_t to_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int64_t lc_clock_realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return to_ms(&ts);
}

int64_t lc_clock_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return to_ms(&ts);
}

/* Writes v as exactly width decimal digits. */
static char *put_digits(char *p, long v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/*
 * UTC by arithmetic (days since the epoch to the proleptic Gregorian date, H. Hinnant's
 * civil_from_days) rather than gmtime_r + snprintf: glibc's gmtime_r reads the TZ setting and
 * its zone file on first use, and the formatting went through vfprintf; the two were 3.9k
 * instructions of each hello invocation (one log line) and more at cold start.
 */
void lc_clock_iso8601_now(char *buf, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    lc_clock_iso8601_format((int64_t)now.tv_sec, (int)(now.tv_nsec / 1000000), buf, cap);
}

void lc_clock_iso8601_format(int64_t secs, int ms, char *buf, size_t cap)
{
    static const char template[] = "0000-00-00T00:00:00.000Z";
    if (cap < sizeof template) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) { /* not a date a log line will see; keep the format */
        memcpy(buf, template, sizeof template);
        return;
    }
    char *p = buf;
    p = put_digits(p, (long)year, 4);
    *p++ = '-';
    p = put_digits(p, (long)month, 2);
    *p++ = '-';
    p = put_digits(p, (long)day, 2);
    *p++ = 'T';
    p = put_digits(p, (long)(rem / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (long)(rem / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (long)(rem % 60), 2);
    *p++ = '.';
    p = put_digits(p, (long)(ms % 1000), 3);
    *p++ = 'Z';
    *p = '\0';
}
