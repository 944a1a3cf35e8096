/*
 * common.c - what the event bindings share: URL decoding, the handle arena,
 * json-c field access and shape checks, message attributes, decoded-value
 * caches, and the "Records" events (parse, records, their decoded values).
 */
#include "events/events_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ URL decoding */

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t lc_ev_url_decode(const char *in, size_t len, char *out, int plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%' && i + 2 < len) {
            int hi = hex_value((unsigned char)in[i + 1]);
            int lo = hex_value((unsigned char)in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out[o++] = (char)(hi << 4 | lo);
                i += 2;
                continue;
            }
        }
        out[o++] = (c == '+' && plus_is_space) ? ' ' : (char)c;
    }
    out[o] = '\0';
    return o;
}

/* --------------------------------------------------------------- the arena */

struct lc_ev_block {
    struct lc_ev_block *next;
    max_align_t data[];
};

void *lc_ev_arena_alloc(lc_ev_arena *arena, size_t size)
{
    if (size > SIZE_MAX - sizeof(struct lc_ev_block))
        return NULL;
    struct lc_ev_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = arena->head;
    arena->head = b;
    return b->data;
}

char *lc_ev_arena_strndup(lc_ev_arena *arena, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = lc_ev_arena_alloc(arena, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void lc_ev_arena_free(lc_ev_arena *arena)
{
    struct lc_ev_block *b = arena->head;
    while (b) {
        struct lc_ev_block *next = b->next;
        free(b);
        b = next;
    }
    arena->head = NULL;
}

/* ------------------------------------------------------------ json helpers */

json_object *lc_ev_get(const json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !key || !json_object_is_type(obj, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v; /* a JSON null is a NULL json_object */
}

const char *lc_ev_string_of(const json_object *value, size_t *len)
{
    if (!value || !json_object_is_type(value, json_type_string)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)json_object_get_string_len(value);
    return json_object_get_string((json_object *)value);
}

const char *lc_ev_str(const json_object *obj, const char *key, size_t *len)
{
    return lc_ev_string_of(lc_ev_get(obj, key), len);
}

int64_t lc_ev_int64(const json_object *obj, const char *key)
{
    json_object *v = lc_ev_get(obj, key);
    return v ? json_object_get_int64(v) : -1;
}

double lc_ev_double(const json_object *obj, const char *key)
{
    json_object *v = lc_ev_get(obj, key);
    return v ? json_object_get_double(v) : -1.0;
}

json_object *lc_ev_array_at(const json_object *a, size_t index)
{
    if (!a || !json_object_is_type(a, json_type_array) || index >= json_object_array_length(a))
        return NULL;
    return json_object_array_get_idx(a, index);
}

size_t lc_ev_map_count(const json_object *map)
{
    return map && json_object_is_type(map, json_type_object)
               ? (size_t)json_object_object_length(map)
               : 0;
}

const char *lc_ev_map_at(const json_object *map, size_t index, json_object **value)
{
    if (value)
        *value = NULL;
    if (!map || !json_object_is_type(map, json_type_object))
        return NULL;
    json_object_object_foreach((json_object *)map, k, v)
    {
        if (index-- == 0) {
            if (value)
                *value = v;
            return k;
        }
    }
    return NULL;
}

/* Whether value is an object whose values are null or of kind. */
static int is_map_of(const json_object *value, enum lc_ev_kind kind)
{
    if (!json_object_is_type(value, json_type_object))
        return 0;
    json_object_object_foreach((json_object *)value, k, v)
    {
        (void)k;
        if (v && !lc_ev_is_kind(v, kind))
            return 0;
    }
    return 1;
}

int lc_ev_is_kind(const json_object *value, enum lc_ev_kind kind)
{
    if (!value)
        return 0;
    switch (kind) {
    case EV_STRING:
        return json_object_is_type(value, json_type_string);
    case EV_NUMBER:
        return json_object_is_type(value, json_type_int) ||
               json_object_is_type(value, json_type_double);
    case EV_INT:
        return json_object_is_type(value, json_type_int);
    case EV_BOOL:
        return json_object_is_type(value, json_type_boolean);
    case EV_OBJECT:
        return json_object_is_type(value, json_type_object);
    case EV_ARRAY:
        return json_object_is_type(value, json_type_array);
    case EV_STRING_MAP:
        return is_map_of(value, EV_STRING);
    case EV_STRING_ARRAY: {
        if (!json_object_is_type(value, json_type_array))
            return 0;
        size_t n = json_object_array_length(value);
        for (size_t i = 0; i < n; i++) {
            json_object *v = json_object_array_get_idx(value, i);
            if (!v || !json_object_is_type(v, json_type_string))
                return 0;
        }
        return 1;
    }
    case EV_STRING_ARRAY_MAP:
        return is_map_of(value, EV_STRING_ARRAY);
    }
    return 0;
}

lambda_code lc_ev_check(const json_object *obj, const lc_ev_field *specs)
{
    if (!obj)
        return LAMBDA_OK;
    for (const lc_ev_field *f = specs; f->key; f++) {
        json_object *v = lc_ev_get(obj, f->key);
        if (v && !lc_ev_is_kind(v, f->kind))
            return LAMBDA_E_WRONG_TYPE;
    }
    return LAMBDA_OK;
}

lambda_code lc_ev_check_map(const json_object *map, const lc_ev_field *specs)
{
    if (!map)
        return LAMBDA_OK;
    json_object_object_foreach((json_object *)map, k, v)
    {
        (void)k;
        if (!v)
            continue;
        if (!json_object_is_type(v, json_type_object))
            return LAMBDA_E_WRONG_TYPE;
        lambda_code rc = lc_ev_check(v, specs);
        if (rc)
            return rc;
    }
    return LAMBDA_OK;
}

lambda_code lc_ev_check_root(const json_object *root)
{
    if (!root)
        return LAMBDA_E_INVALID_ARGUMENT;
    return json_object_is_type(root, json_type_object) ? LAMBDA_OK : LAMBDA_E_WRONG_TYPE;
}

lambda_code lc_ev_attribute_binary(const json_object *attrs, const char *name,
                                   const char *value_key, const char *type_key, void *buf,
                                   size_t cap, size_t *size)
{
    if (!name || !size)
        return LAMBDA_E_INVALID_ARGUMENT;
    *size = 0;
    json_object *a = lc_ev_get(attrs, name);
    size_t len;
    const char *text = lc_ev_str(a, value_key, &len);
    if (!text)
        return LAMBDA_E_NOT_FOUND;
    if (type_key) {
        const char *type = lc_ev_str(a, type_key, NULL);
        if (!type || strcmp(type, "Binary") != 0)
            return LAMBDA_E_WRONG_TYPE;
    }
    return lc_ev_base64_to_buffer(text, len, buf, cap, size);
}

/* ------------------------------------------------------- decoded caches */

/* Decodes text once into slot: base64 (url 0) or percent-encoding (url 1). */
static lambda_code decode_once(lc_ev_decoded *slot, int url, const char *text, size_t len,
                               const void **data, size_t *size)
{
    if (!slot->done) {
        lambda_code rc = url ? LAMBDA_OK : lc_base64_decode(text, len, NULL, NULL);
        if (rc == LAMBDA_OK) {
            size_t n = url ? len : lc_base64_decoded_size(text, len);
            slot->data = malloc(n + 1);
            if (!slot->data) {
                /* Not cached: a later call may find memory. */
                return LAMBDA_E_NO_MEMORY;
            }
            if (url) {
                slot->size = lc_ev_url_decode(text, len, (char *)slot->data, 1);
            } else {
                lc_base64_decode(text, len, slot->data, &slot->size);
                slot->data[slot->size] = '\0';
            }
        }
        slot->rc = rc;
        slot->done = 1;
    }
    if (slot->rc == LAMBDA_OK) {
        *data = slot->data;
        if (size)
            *size = slot->size;
    }
    return slot->rc;
}

lambda_code lc_ev_decoded_base64(lc_ev_decoded *slot, const char *text, size_t len,
                                 const void **data, size_t *size)
{
    return decode_once(slot, 0, text, len, data, size);
}

lambda_code lc_ev_decoded_url(lc_ev_decoded *slot, const char *text, size_t len, const void **data,
                              size_t *size)
{
    return decode_once(slot, 1, text, len, data, size);
}

void lc_ev_decoded_free(lc_ev_decoded *slot)
{
    free(slot->data);
    slot->data = NULL;
    slot->done = 0;
}

lambda_code lc_ev_base64_to_buffer(const char *text, size_t len, void *buf, size_t cap,
                                   size_t *size)
{
    lambda_code rc = lc_base64_decode(text, len, NULL, NULL);
    if (rc)
        return rc;
    size_t n = lc_base64_decoded_size(text, len);
    *size = n;
    if (!buf)
        return LAMBDA_OK;
    if (cap < n)
        return LAMBDA_E_INVALID_ARGUMENT;
    return lc_base64_decode(text, len, buf, size);
}

int lc_ev_strcaseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

/* ------------------------------------------------------- "Records" events */

/* The "Records" array of root, once every record is an object of kind's source. */
static lambda_code records_of(json_object *root, const lc_ev_batch_kind *kind,
                              json_object **records)
{
    lambda_code rc = lc_ev_check_root(root);
    if (rc)
        return rc;
    json_object *r = NULL;
    if (!json_object_object_get_ex(root, "Records", &r))
        return LAMBDA_E_NOT_FOUND;
    if (!r || !json_object_is_type(r, json_type_array))
        return LAMBDA_E_WRONG_TYPE;
    size_t n = json_object_array_length(r);
    for (size_t i = 0; i < n; i++) {
        json_object *rec = json_object_array_get_idx(r, i);
        if (!rec || !json_object_is_type(rec, json_type_object))
            return LAMBDA_E_WRONG_TYPE;
        json_object *src = lc_ev_get(rec, kind->source_key);
        if (src) {
            const char *s = lc_ev_string_of(src, NULL);
            if (!s || strcmp(s, kind->source) != 0)
                return LAMBDA_E_WRONG_TYPE;
        }
    }
    *records = r;
    return LAMBDA_OK;
}

lc_ev_batch *lc_ev_batch_parse(json_object *root, const lc_ev_batch_kind *kind, lambda_code *rc)
{
    json_object *records = NULL;
    *rc = records_of(root, kind, &records);
    if (*rc)
        return NULL;
    size_t n = json_object_array_length(records);
    for (size_t i = 0; i < n; i++) {
        *rc = kind->check(json_object_array_get_idx(records, i));
        if (*rc)
            return NULL;
    }
    lc_ev_batch *b = calloc(1, sizeof *b);
    if (!b) {
        *rc = LAMBDA_E_NO_MEMORY;
        return NULL;
    }
    b->records = calloc(n ? n : 1, sizeof *b->records);
    if (!b->records) {
        free(b);
        *rc = LAMBDA_E_NO_MEMORY;
        return NULL;
    }
    b->root = root;
    b->count = n;
    for (size_t i = 0; i < n; i++) {
        lc_ev_record *r = &b->records[i];
        r->json = json_object_array_get_idx(records, i);
        r->body = lc_ev_get(r->json, kind->body_key);
    }
    return b;
}

void lc_ev_batch_free(lc_ev_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++)
        lc_ev_decoded_free(&b->records[i].decoded);
    free(b->records);
    free(b);
}

size_t lc_ev_batch_count(const lc_ev_batch *b)
{
    return b ? b->count : 0;
}

const lc_ev_record *lc_ev_batch_record(const lc_ev_batch *b, size_t index)
{
    return b && index < b->count ? &b->records[index] : NULL;
}

lambda_code lc_ev_record_decoded(const lc_ev_record *r, const json_object *obj, const char *key,
                                 lc_ev_decode_fn *decode, const void **data, size_t *size)
{
    if (size)
        *size = 0;
    if (!data)
        return LAMBDA_E_INVALID_ARGUMENT;
    *data = NULL;
    if (!r)
        return LAMBDA_E_INVALID_ARGUMENT;
    size_t len;
    const char *text = lc_ev_str(obj, key, &len);
    if (!text)
        return LAMBDA_E_NOT_FOUND;
    /* The record is allocated non-const; the decoded value is a logically const cache. */
    lc_ev_record *w = (lc_ev_record *)r;
    return decode(&w->decoded, text, len, data, size);
}
