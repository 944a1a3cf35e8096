#include "util/json_check.h"
#include "util/utf8.h"

#include <json-c/json.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    int escaped;   /* the string scanned last has escapes */
    int is_double; /* the number scanned last has a fraction or an exponent */
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
    c->escaped = 0;
    while (c->pos < c->n) {
        unsigned char ch = c->s[c->pos];
        if (ch == '"') {
            c->pos++;
            return 1;
        }
        if (ch < 0x20)
            return fail(c, "control character in a string (must be escaped)");
        if (ch == '\\') {
            c->escaped = 1;
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
    c->is_double = 0;
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
        c->is_double = 1;
        c->pos++;
        if (!scan_digits(c))
            return fail(c, "bad number: digits must follow '.'");
    }
    if (c->pos < c->n && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        c->is_double = 1;
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

/* ------------------------------------------------------------------ building */

/*
 * Building the json-c tree in the same pass as the check. json-c's own parser was run after
 * the check until 1.2: for hello's event it cost 4.0k instructions of the ~21k of a whole
 * invocation (1.05k of them its per-parse locale switch, 0.7k a tokener's allocations), on
 * top of the check's 0.6k, and it does not survive a failed allocation (its buffers are
 * grown unchecked). Here every value is made with json-c's constructors, every allocation is
 * checked, and the tree is the one json-c's parser builds (a fuzz target compares them).
 */
typedef struct builder {
    json_object *open[JSON_MAX_DEPTH]; /* the containers being filled (owned by the tree) */
    json_object *root;                 /* owned until handed to the caller */
    char key_small[128];               /* the pending member name, NUL-terminated ... */
    char *key_big;                     /* ... or here when longer (owned) */
    const char *key;
    char *text; /* unescaped strings and long numbers (owned, grown) */
    size_t text_cap;
    int no_memory;
} builder;

/* One "C" locale for the process, made at the first fraction or exponent (strtod follows
 * the caller's locale, and a handler may have set one with a decimal comma); NULL when out
 * of memory, and tried again next time. It lives as long as the process. */
static locale_t c_numeric_locale(void)
{
    static locale_t c_locale;
    locale_t loc = __atomic_load_n(&c_locale, __ATOMIC_ACQUIRE);
    if (loc)
        return loc;
    loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t expected = (locale_t)0;
    if (loc && !__atomic_compare_exchange_n(&c_locale, &expected, loc, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
        freelocale(loc); /* another thread made it first */
        loc = expected;
    }
    return loc;
}

static char *scratch(builder *b, size_t size)
{
    if (size > b->text_cap) {
        char *text = realloc(b->text, size);
        if (!text) {
            b->no_memory = 1;
            return NULL;
        }
        b->text = text;
        b->text_cap = size;
    }
    return b->text;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t hex4(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char h = p[i];
        v = v << 4 | (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

#define REPLACEMENT 0xFFFDu
#define IS_HIGH(cp) (((cp)&0xFC00u) == 0xD800u)
#define IS_LOW(cp) (((cp)&0xFC00u) == 0xDC00u)

/*
 * The checked string body of len bytes at s (escapes valid) unescaped into out, which has
 * room for len bytes (no escape grows). Surrogates as json-c's parser treats them: a pair
 * is one code point; a high one not followed by "\u" and a low one, or a lone low one,
 * becomes U+FFFD. Returns the length.
 */
static size_t unescape(const unsigned char *s, size_t len, char *out)
{
    size_t o = 0;
    uint32_t high = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] != '\\' || s[i + 1] != 'u') {
            if (high)
                o += put_utf8(out + o, REPLACEMENT);
            high = 0;
            if (s[i] != '\\') {
                out[o++] = (char)s[i++];
                continue;
            }
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            out[o++] = to[strchr(from, s[i + 1]) - from];
            i += 2;
            continue;
        }
        uint32_t cp = hex4(s + i + 2);
        i += 6;
        if (high) {
            uint32_t first = high;
            high = 0;
            if (IS_LOW(cp)) {
                o += put_utf8(out + o, ((first & 0x3FFu) << 10) + (cp & 0x3FFu) + 0x10000u);
                continue;
            }
            o += put_utf8(out + o, REPLACEMENT);
        }
        if (IS_HIGH(cp))
            high = cp;
        else
            o += put_utf8(out + o, IS_LOW(cp) ? REPLACEMENT : cp);
    }
    if (high)
        o += put_utf8(out + o, REPLACEMENT);
    return o;
}

/* The member name of len bytes at s (a checked string body) as the pending key. */
static int set_key(builder *b, const unsigned char *s, size_t len, int escaped)
{
    char *out = b->key_small;
    if (len >= sizeof b->key_small) {
        free(b->key_big);
        b->key_big = out = malloc(len + 1);
        if (!out) {
            b->no_memory = 1;
            return 0;
        }
    }
    size_t n = len;
    if (escaped)
        n = unescape(s, len, out);
    else
        memcpy(out, s, len);
    out[n] = '\0'; /* a "\u0000" ends the name early, as with json-c's parser */
    b->key = out;
    return 1;
}

static json_object *make_string(builder *b, const unsigned char *s, size_t len, int escaped)
{
    if (!escaped)
        return json_object_new_string_len((const char *)s, (int)len);
    char *out = scratch(b, len + 1);
    return out ? json_object_new_string_len(out, (int)unescape(s, len, out)) : NULL;
}

/* The checked number text of len bytes at s, typed as json-c's parser types it: integers
 * as int64 (uint64 above INT64_MAX, both saturating), others as a double that keeps its
 * text. */
static json_object *make_number(builder *b, const unsigned char *s, size_t len, int is_double)
{
    char small[64], *text = small;
    if (len >= sizeof small && !(text = scratch(b, len + 1)))
        return NULL;
    memcpy(text, s, len);
    text[len] = '\0';
    if (!is_double) {
        if (text[0] == '-')
            return json_object_new_int64(strtoll(text, NULL, 10));
        unsigned long long u = strtoull(text, NULL, 10);
        return u <= INT64_MAX ? json_object_new_int64((int64_t)u) : json_object_new_uint64(u);
    }
    locale_t c_locale = c_numeric_locale();
    return c_locale ? json_object_new_double_s(strtod_l(text, NULL, c_locale), text) : NULL;
}

/* A new value (value, which may be NULL for JSON null) into the container open at depth,
 * under the pending key in an object; the root at depth 0. */
static int attach(builder *b, size_t depth, int in_object, json_object *value, int is_null)
{
    if (!value && !is_null) {
        b->no_memory = 1;
        return 0;
    }
    if (depth == 0) {
        b->root = value;
        return 1;
    }
    json_object *parent = b->open[depth - 1];
    int rc = in_object ? json_object_object_add(parent, b->key, value)
                       : json_object_array_add(parent, value);
    if (rc != 0) {
        json_object_put(value);
        b->no_memory = 1;
        return 0;
    }
    return 1;
}

/* The scalar the cursor has just passed (it began at start). */
static int build_scalar(builder *b, const cursor *c, size_t start, size_t depth, int in_object)
{
    const unsigned char *s = c->s + start;
    size_t len = c->pos - start;
    json_object *value = NULL;
    int is_null = 0;
    if (*s == '"')
        value = make_string(b, s + 1, len - 2, c->escaped);
    else if (*s == 't' || *s == 'f')
        value = json_object_new_boolean(*s == 't');
    else if (*s == 'n')
        is_null = 1;
    else
        value = make_number(b, s, len, c->is_double);
    return attach(b, depth, in_object, value, is_null);
}

int lc_json_syntax_check(const char *s, size_t size, size_t max_depth, size_t *offset,
                         const char **why)
{
    size_t deepest;
    return lc_json_syntax_check_depth(s, size, max_depth, offset, why, &deepest);
}

/* Counts one value of cost bytes; 0 (and budget->exceeded) once past a limit. */
static int spend(lc_json_budget *b, size_t cost, size_t text_pos)
{
    if (!b)
        return 1;
    b->nodes++;
    b->bytes += cost + LC_JSON_COST_ELEMENT;
    if ((b->max_nodes && b->nodes > b->max_nodes) ||
        (b->max_bytes && b->bytes + text_pos > b->max_bytes)) {
        b->exceeded = 1;
        return 0;
    }
    return 1;
}

int lc_json_syntax_check_depth(const char *s, size_t size, size_t max_depth, size_t *offset,
                               const char **why, size_t *deepest)
{
    return lc_json_check(s, size, max_depth, NULL, offset, why, deepest);
}

/* Whether the container open at depth (1 = the outermost) is an object. */
static int is_object(const uint64_t *kinds, size_t depth)
{
    return depth > 0 && (int)(kinds[(depth - 1) / 64] >> ((depth - 1) % 64) & 1);
}

static const char too_much_memory[] = "the event needs too much memory as a JSON tree";

/* Long because it is one state machine over the text (value, key, after a value), whose
 * states share the cursor, the depth, the container bits and the builder (NULL: a check
 * only): split, they would pass all of them around. Returns 1 when the text is valid (and,
 * with a builder, built), else 0 with c->why set. */
static int scan_document(cursor *c, size_t max_depth, lc_json_budget *budget, builder *b,
                         size_t *deepest)
{
    /* One bit per open container: 1 object, 0 array. */
    uint64_t kinds[(JSON_MAX_DEPTH + 63) / 64] = { 0 };
    size_t depth = 0;
    enum { VALUE, KEY, AFTER_VALUE } state = VALUE;
    for (;;) {
        skip_ws(c);
        if (c->pos >= c->n) {
            if (state == AFTER_VALUE && depth == 0)
                return 1;
            return fail(c, c->n == 0 ? "empty document" : "unexpected end");
        }
        unsigned char ch = c->s[c->pos];
        size_t start = c->pos;
        if (state == AFTER_VALUE) {
            if (depth == 0)
                return fail(c, "unexpected data after the JSON document");
            int in_object = is_object(kinds, depth);
            if (ch == ',') {
                c->pos++;
                state = in_object ? KEY : VALUE;
            } else if (ch == (in_object ? '}' : ']')) {
                c->pos++;
                depth--;
                if (b && !in_object) /* as json-c's parser does: parsed arrays rarely grow */
                    json_object_array_shrink(b->open[depth], 0);
            } else {
                return fail(c, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
            }
        } else if (state == KEY) {
            if (ch != '"')
                return fail(c, "expected a string key");
            if (!scan_string(c))
                return 0;
            if (!spend(budget, LC_JSON_COST_MEMBER, c->pos))
                return fail(c, too_much_memory);
            if (b && !set_key(b, c->s + start + 1, c->pos - start - 2, c->escaped))
                return fail(c, "out of memory");
            skip_ws(c);
            if (c->pos >= c->n || c->s[c->pos] != ':')
                return fail(c, "expected ':'");
            c->pos++;
            state = VALUE;
        } else if (ch == '{' || ch == '[') {
            if (depth >= max_depth)
                return fail(c, "nested too deep");
            if (!spend(budget, ch == '{' ? LC_JSON_COST_OBJECT : LC_JSON_COST_ARRAY, c->pos))
                return fail(c, too_much_memory);
            if (b) {
                json_object *o = ch == '{' ? json_object_new_object() : json_object_new_array();
                if (!attach(b, depth, is_object(kinds, depth), o, 0))
                    return fail(c, "out of memory");
                b->open[depth] = o;
            }
            uint64_t bit = (uint64_t)1 << (depth % 64);
            if (ch == '{')
                kinds[depth / 64] |= bit;
            else
                kinds[depth / 64] &= ~bit;
            depth++;
            if (depth > *deepest)
                *deepest = depth;
            c->pos++;
            state = ch == '{' ? KEY : VALUE;
            skip_ws(c);
            if (c->pos < c->n && c->s[c->pos] == (ch == '{' ? '}' : ']'))
                state = AFTER_VALUE; /* the close is taken there */
        } else {
            if (!scan_scalar(c))
                return 0;
            if (!spend(budget, LC_JSON_COST_SCALAR, c->pos))
                return fail(c, too_much_memory);
            if (b && !build_scalar(b, c, start, depth, is_object(kinds, depth)))
                return fail(c, "out of memory");
            state = AFTER_VALUE;
        }
    }
}

static void reset_budget(lc_json_budget *budget)
{
    if (budget) {
        budget->nodes = budget->bytes = 0;
        budget->exceeded = 0;
    }
}

int lc_json_check(const char *s, size_t size, size_t max_depth, lc_json_budget *budget,
                  size_t *offset, const char **why, size_t *deepest)
{
    *deepest = 0;
    reset_budget(budget);
    if (max_depth > JSON_MAX_DEPTH)
        max_depth = JSON_MAX_DEPTH;
    cursor c = { (const unsigned char *)s, size, 0, NULL, 0, 0 };
    if (scan_document(&c, max_depth, budget, NULL, deepest))
        return 1;
    *offset = c.pos;
    *why = c.why;
    return 0;
}

lc_json_result lc_json_parse(const char *s, size_t size, size_t max_depth, lc_json_budget *budget,
                             struct json_object **root, size_t *offset, const char **why)
{
    *root = NULL;
    reset_budget(budget);
    if (max_depth > JSON_MAX_DEPTH)
        max_depth = JSON_MAX_DEPTH;
    if (size >= INT32_MAX) { /* json-c counts string lengths in int */
        *offset = 0;
        *why = "the document is too large";
        return LC_JSON_INVALID;
    }
    builder b;
    b.root = NULL;
    b.key_big = b.text = NULL;
    b.key = NULL;
    b.text_cap = 0;
    b.no_memory = 0;
    cursor c = { (const unsigned char *)s, size, 0, NULL, 0, 0 };
    size_t deepest = 0;
    int ok = scan_document(&c, max_depth, budget, &b, &deepest);
    free(b.key_big);
    free(b.text);
    if (ok) {
        *root = b.root;
        return LC_JSON_PARSED;
    }
    json_object_put(b.root);
    *offset = c.pos;
    *why = c.why;
    if (b.no_memory)
        return LC_JSON_NO_MEMORY;
    return budget && budget->exceeded ? LC_JSON_OVER_BUDGET : LC_JSON_INVALID;
}

lc_json_result lc_json_parse_document(const char *s, size_t size, struct json_object **root)
{
    size_t offset;
    const char *why;
    return lc_json_parse(s, size, JSON_MAX_DEPTH, NULL, root, &offset, &why);
}
