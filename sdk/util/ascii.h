/*
 * ASCII text of protocols (HTTP header names, tokens, decimal numbers), compared and read
 * without the C library's locale: strcasecmp and strtol follow LC_CTYPE, which a handler may
 * set, while HTTP names are ASCII whatever the locale.
 *
 * Also cheaper at cold start: every libc function the runtime calls for the first time costs
 * a lazy binding (about 700 instructions, callgrind); these are inlined in the callers.
 */
#ifndef LAMBDA_C_ASCII_H
#define LAMBDA_C_ASCII_H

#include <stddef.h>
#include <stdint.h>

static inline unsigned char lc_ascii_lower(unsigned char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
}

/* Whether a and b are the same, ASCII letters compared case-insensitively. */
static inline int lc_ascii_caseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = lc_ascii_lower((unsigned char)*a), y = lc_ascii_lower((unsigned char)*b);
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

/*
 * The decimal digits at s (no sign, no space) as a number that saturates at max: *out, and
 * the end of the digits; NULL (and *out untouched) when s does not start with a digit.
 */
static inline const char *lc_ascii_decimal(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        v = v > (max - d) / 10 ? max : v * 10 + d;
    }
    *out = v;
    return s;
}

#endif
