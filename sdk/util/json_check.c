#include "util/json_check.h"
#include "util/utf8.h"

#include <stdint.h>

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

typedef struct cursor {
    const unsigned char *s;
    size_t n, pos;
    const char *why;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->pos < c->n && is_ws(c->s[c->pos]))
        c->pos++;
}

static int fail(cursor *c, const char *why)
{
    c->why = why;
    return 0;
}

/* At the opening quote. */
static int scan_string(cursor *c)
{
    c->pos++;
    while (c->pos < c->n) {
        unsigned char ch = c->s[c->pos];
        if (ch == '"') {
            c->pos++;
            return 1;
        }
        if (ch < 0x20)
            return fail(c, "control character in a string (must be escaped)");
        if (ch == '\\') {
            if (c->pos + 1 >= c->n)
                break;
            unsigned char e = c->s[c->pos + 1];
            if (e == 'u') {
                for (size_t i = 2; i < 6; i++)
                    if (c->pos + i >= c->n || !is_hex(c->s[c->pos + i]))
                        return fail(c, "bad \\u escape");
                c->pos += 6;
                continue;
            }
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                e != 't')
                return fail(c, "bad escape in a string");
            c->pos += 2;
            continue;
        }
        if (ch >= 0x80) {
            size_t len = lc_utf8_sequence_length(c->s + c->pos, c->n - c->pos);
            if (!len)
                return fail(c, "invalid utf-8 in a string");
            c->pos += len;
            continue;
        }
        c->pos++;
    }
    return fail(c, "unterminated string");
}

static int scan_digits(cursor *c)
{
    size_t start = c->pos;
    while (c->pos < c->n && is_digit(c->s[c->pos]))
        c->pos++;
    return c->pos > start;
}

static int scan_number(cursor *c)
{
    if (c->s[c->pos] == '-')
        c->pos++;
    if (c->pos >= c->n)
        return fail(c, "bad number");
    if (c->s[c->pos] == '0') {
        c->pos++;
    } else if (!scan_digits(c)) {
        return fail(c, "bad number");
    }
    if (c->pos < c->n && c->s[c->pos] == '.') {
        c->pos++;
        if (!scan_digits(c))
            return fail(c, "bad number: digits must follow '.'");
    }
    if (c->pos < c->n && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        c->pos++;
        if (c->pos < c->n && (c->s[c->pos] == '+' || c->s[c->pos] == '-'))
            c->pos++;
        if (!scan_digits(c))
            return fail(c, "bad number: digits must follow the exponent");
    }
    return 1;
}

static int scan_literal(cursor *c, const char *word, size_t len)
{
    if (c->n - c->pos < len)
        return fail(c, "unexpected end");
    for (size_t i = 0; i < len; i++)
        if (c->s[c->pos + i] != (unsigned char)word[i])
            return fail(c, "unexpected character");
    c->pos += len;
    return 1;
}

/* A scalar at the cursor, or 0. */
static int scan_scalar(cursor *c)
{
    unsigned char ch = c->s[c->pos];
    if (ch == '"')
        return scan_string(c);
    if (ch == '-' || is_digit(ch))
        return scan_number(c);
    if (ch == 't')
        return scan_literal(c, "true", 4);
    if (ch == 'f')
        return scan_literal(c, "false", 5);
    if (ch == 'n')
        return scan_literal(c, "null", 4);
    return fail(c, "unexpected character");
}

int lc_json_syntax_check(const char *s, size_t size, size_t max_depth, size_t *offset,
                         const char **why)
{
    size_t deepest;
    return lc_json_syntax_check_depth(s, size, max_depth, offset, why, &deepest);
}

int lc_json_syntax_check_depth(const char *s, size_t size, size_t max_depth, size_t *offset,
                               const char **why, size_t *deepest)
{
    *deepest = 0;
    /* One bit per open container: 1 object, 0 array. */
    uint64_t kinds[(JSON_MAX_DEPTH + 63) / 64] = { 0 };
    if (max_depth > JSON_MAX_DEPTH)
        max_depth = JSON_MAX_DEPTH;
    cursor c = { (const unsigned char *)s, size, 0, NULL };
    size_t depth = 0;
    enum { VALUE, KEY, AFTER_VALUE } state = VALUE;
    for (;;) {
        skip_ws(&c);
        if (c.pos >= c.n) {
            if (state == AFTER_VALUE && depth == 0)
                return 1;
            fail(&c, c.n == 0 ? "empty document" : "unexpected end");
            break;
        }
        unsigned char ch = c.s[c.pos];
        if (state == AFTER_VALUE) {
            if (depth == 0) {
                fail(&c, "unexpected data after the JSON document");
                break;
            }
            int in_object = (int)(kinds[(depth - 1) / 64] >> ((depth - 1) % 64) & 1);
            if (ch == ',') {
                c.pos++;
                state = in_object ? KEY : VALUE;
            } else if (ch == (in_object ? '}' : ']')) {
                c.pos++;
                depth--;
            } else {
                fail(&c, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
                break;
            }
        } else if (state == KEY) {
            if (ch != '"') {
                fail(&c, "expected a string key");
                break;
            }
            if (!scan_string(&c))
                break;
            skip_ws(&c);
            if (c.pos >= c.n || c.s[c.pos] != ':') {
                fail(&c, "expected ':'");
                break;
            }
            c.pos++;
            state = VALUE;
        } else if (ch == '{' || ch == '[') {
            if (depth >= max_depth) {
                fail(&c, "nested too deep");
                break;
            }
            uint64_t bit = (uint64_t)1 << (depth % 64);
            if (ch == '{')
                kinds[depth / 64] |= bit;
            else
                kinds[depth / 64] &= ~bit;
            depth++;
            if (depth > *deepest)
                *deepest = depth;
            c.pos++;
            skip_ws(&c);
            if (c.pos < c.n && c.s[c.pos] == (ch == '{' ? '}' : ']')) {
                c.pos++;
                depth--;
                state = AFTER_VALUE;
            } else {
                state = ch == '{' ? KEY : VALUE;
            }
        } else {
            if (!scan_scalar(&c))
                break;
            state = AFTER_VALUE;
        }
    }
    *offset = c.pos;
    *why = c.why;
    return 0;
}
