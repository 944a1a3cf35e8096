/*
 * util/clock.h - the one clock of lambda-c: wall and monotonic milliseconds, and the log
 * timestamp format. Internal (lc_ prefix), compiled into each library that needs it.
 * Thread-safe: no state.
 */
#ifndef LAMBDA_C_UTIL_CLOCK_H
#define LAMBDA_C_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_REALTIME in milliseconds since the Unix epoch (deadlines, EMF timestamps). */
int64_t lc_clock_realtime_ms(void);

/* CLOCK_MONOTONIC in milliseconds (durations, retry budgets). */
int64_t lc_clock_monotonic_ms(void);

/* Length of an ISO 8601 UTC timestamp with milliseconds, "2024-01-02T03:04:05.678Z". */
#define LC_CLOCK_ISO8601_LEN 24

/* Writes the current time as above into buf (at least LC_CLOCK_ISO8601_LEN + 1 bytes). */
void lc_clock_iso8601_now(char *buf, size_t cap);

/* The same for secs since the epoch and ms (0..999); years outside 0..9999 give all zeros;
 * cap below LC_CLOCK_ISO8601_LEN + 1 gives "". */
void lc_clock_iso8601_format(int64_t secs, int ms, char *buf, size_t cap);

#endif
