/*
 * common.c - what the event bindings share: URL decoding, the handle arena,
 * json-c field access and shape checks, decoded-value caches.
 */
#include "events_internal.h"

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

size_t ev_url_decode(const char *in, size_t len, char *out, int plus_is_space)
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

struct ev_block {
    struct ev_block *next;
    max_align_t data[];
};

void *ev_arena_alloc(ev_arena *arena, size_t size)
{
    if (size > SIZE_MAX - sizeof(struct ev_block))
        return NULL;
    struct ev_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = arena->head;
    arena->head = b;
    return b->data;
}

char *ev_arena_strndup(ev_arena *arena, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = ev_arena_alloc(arena, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ev_arena_free(ev_arena *arena)
{
    struct ev_block *b = arena->head;
    while (b) {
        struct ev_block *next = b->next;
        free(b);
        b = next;
    }
    arena->head = NULL;
}

/* ------------------------------------------------------------ json helpers */

json_object *ev_get(const json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !json_object_is_type(obj, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v; /* a JSON null is a NULL json_object */
}

const char *ev_string_of(const json_object *value, size_t *len)
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

const char *ev_str(const json_object *obj, const char *key, size_t *len)
{
    return ev_string_of(ev_get(obj, key), len);
}

int ev_is_kind(const json_object *value, enum ev_kind kind)
{
    if (!value)
        return 0;
    switch (kind) {
    case EV_STRING:
        return json_object_is_type(value, json_type_string);
    case EV_NUMBER:
        return json_object_is_type(value, json_type_int) || json_object_is_type(value, json_type_double);
    case EV_INT:
        return json_object_is_type(value, json_type_int);
    case EV_BOOL:
        return json_object_is_type(value, json_type_boolean);
    case EV_OBJECT:
        return json_object_is_type(value, json_type_object);
    case EV_ARRAY:
        return json_object_is_type(value, json_type_array);
    case EV_STRING_MAP: {
        if (!json_object_is_type(value, json_type_object))
            return 0;
        json_object_object_foreach((json_object *)value, k, v) {
            (void)k;
            if (v && !json_object_is_type(v, json_type_string))
                return 0;
        }
        return 1;
    }
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
    case EV_STRING_ARRAY_MAP: {
        if (!json_object_is_type(value, json_type_object))
            return 0;
        json_object_object_foreach((json_object *)value, k, v) {
            (void)k;
            if (v && !ev_is_kind(v, EV_STRING_ARRAY))
                return 0;
        }
        return 1;
    }
    }
    return 0;
}

lambda_code ev_check(const json_object *obj, const ev_field *specs)
{
    if (!obj)
        return LAMBDA_OK;
    for (const ev_field *f = specs; f->key; f++) {
        json_object *v = ev_get(obj, f->key);
        if (v && !ev_is_kind(v, f->kind))
            return LAMBDA_E_WRONG_TYPE;
    }
    return LAMBDA_OK;
}

lambda_code ev_records(json_object *root, const char *source_key, const char *source, json_object **records,
                       size_t *count)
{
    if (!root)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (!json_object_is_type(root, json_type_object))
        return LAMBDA_E_WRONG_TYPE;
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
        json_object *src = ev_get(rec, source_key);
        if (src) {
            const char *s = ev_string_of(src, NULL);
            if (!s || strcmp(s, source) != 0)
                return LAMBDA_E_WRONG_TYPE;
        }
    }
    *records = r;
    *count = n;
    return LAMBDA_OK;
}

/* ------------------------------------------------------- decoded caches */

lambda_code ev_decoded_base64(ev_decoded *slot, const char *text, size_t len, const void **data, size_t *size)
{
    if (!slot->done) {
        lambda_code rc = ev_base64_decode(text, len, NULL, NULL);
        if (rc == LAMBDA_OK) {
            size_t n = ev_base64_decoded_size(text, len);
            slot->data = malloc(n + 1);
            if (!slot->data) {
                /* Not cached: a later call may find memory. */
                return LAMBDA_E_NO_MEMORY;
            }
            ev_base64_decode(text, len, slot->data, &slot->size);
            slot->data[slot->size] = '\0';
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

void ev_decoded_free(ev_decoded *slot)
{
    free(slot->data);
    slot->data = NULL;
    slot->done = 0;
}

lambda_code ev_base64_to_buffer(const char *text, size_t len, void *buf, size_t cap, size_t *size)
{
    lambda_code rc = ev_base64_decode(text, len, NULL, NULL);
    if (rc)
        return rc;
    size_t n = ev_base64_decoded_size(text, len);
    *size = n;
    if (!buf)
        return LAMBDA_OK;
    if (cap < n)
        return LAMBDA_E_INVALID_ARGUMENT;
    return ev_base64_decode(text, len, buf, size);
}

int ev_strcaseeq(const char *a, const char *b)
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
