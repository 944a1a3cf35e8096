/*
 * sdk/aws/util.c - errors, logging, buffers, encoding and time helpers of liblambda-c-aws.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "lambda-c/log.h"

/* ------------------------------------------------------------------ errors */

static _Thread_local char tls_error[512];
static _Thread_local char tls_code[128];

const char *lambda_aws_last_error(void)
{
    return tls_error;
}

lambda_code lc_fail(lambda_code code, const char *fmt, ...)
{
    /* An AWS error code only describes an HTTP answer; client_send sets it afterwards. */
    if (code != LAMBDA_E_HTTP_STATUS)
        tls_code[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tls_error, sizeof tls_error, fmt, ap);
    va_end(ap);
    return code;
}

void lc_clear_error(void)
{
    tls_error[0] = '\0';
}

const char *lambda_aws_last_error_code(void)
{
    return tls_code[0] ? tls_code : NULL;
}

void lc_set_error_code(const char *code)
{
    snprintf(tls_code, sizeof tls_code, "%s", code ? code : "");
}

/* ------------------------------------------------------------------ logging */

/*
 * Records go through liblambda-c's logger (liblambda-c-aws links it), so they carry the
 * request id and follow AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL like the handler's.
 */
int lc_log_enabled(int level)
{
    return lambda_log_enabled((lambda_log_level)level);
}

void lc_log(int level, const char *fmt, ...)
{
    if (level < LC_LOG_TRACE || level > LC_LOG_ERROR || !lc_log_enabled(level))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lambda_log((lambda_log_level)level, "lambda-c-aws: %s", msg);
}

/* ------------------------------------------------------------------ buffers */

void lc_buf_init(lc_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void lc_buf_free(lc_buf *b)
{
    free(b->data);
    lc_buf_init(b);
}

int lc_buf_reserve(lc_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void lc_buf_append(lc_buf *b, const void *data, size_t len)
{
    if (!lc_buf_reserve(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void lc_buf_puts(lc_buf *b, const char *s)
{
    lc_buf_append(b, s, strlen(s));
}

void lc_buf_putc(lc_buf *b, char c)
{
    lc_buf_append(b, &c, 1);
}

void lc_buf_printf(lc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        lc_buf_append(b, small, (size_t)n);
        return;
    }
    if (!lc_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *lc_buf_take(lc_buf *b)
{
    if (b->failed) {
        lc_buf_free(b);
        return NULL;
    }
    if (!b->data && !lc_buf_reserve(b, 0))
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0';
    char *s = b->data;
    lc_buf_init(b);
    return s;
}

/* ------------------------------------------------------------------ strings */

char *lc_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *lc_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int lc_strcaseeq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void lc_hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void lc_uri_encode(lc_buf *b, const char *in, size_t len, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    if (!lc_buf_reserve(b, len * 3))
        return;
    char *o = b->data + b->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = digits[c >> 4];
            *o++ = digits[c & 15];
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

/* ------------------------------------------------------------------ time */

void lc_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int digits_n(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int64_t lc_parse_iso8601_ms(const char *s)
{
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) < 19)
        return -1;
    if (!digits_n(s, 4, &Y) || s[4] != '-' || !digits_n(s + 5, 2, &M) || s[7] != '-' ||
        !digits_n(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits_n(s + 11, 2, &h) || s[13] != ':' || !digits_n(s + 14, 2, &m) || s[16] != ':' ||
        !digits_n(s + 17, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        p++;
        int scale = 100, any = 0;
        while (isdigit((unsigned char)*p)) {
            ms += (*p - '0') * scale;
            scale /= 10;
            p++;
            any = 1;
        }
        if (!any)
            return -1;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits_n(p + 1, 2, &oh) || p[3] != ':' || !digits_n(p + 4, 2, &om))
            return -1;
        offset_s = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    struct tm tm = { 0 };
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    return ((int64_t)t - offset_s) * 1000 + ms;
}

double lc_random_unit(void)
{
    static _Thread_local uint64_t state;
    if (state == 0) {
        uint64_t seed = 0;
        if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
            seed = (uint64_t)lc_clock_monotonic_ms() ^ (uint64_t)(uintptr_t)&state;
        }
        state = seed ? seed : 0x9E3779B97F4A7C15ull;
    }
    /* xorshift64* */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    uint64_t r = state * 0x2545F4914F6CDD1Dull;
    return (double)(r >> 11) / 9007199254740992.0; /* 2^53 */
}

void lc_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}
