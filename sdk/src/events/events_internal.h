/*
 * events_internal.h - helpers shared by the event bindings (sdk/src/events/).
 *
 * Nothing here is public: names start with ev_, never lambda_, so the
 * library's version script (which exports lambda_*) leaves them local.
 */
#ifndef LAMBDA_C_EVENTS_INTERNAL_H
#define LAMBDA_C_EVENTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lambda-c/error.h"
#include "lambda-c/event_dynamodb.h"
#include "lambda-c/event_eventbridge.h"
#include "lambda-c/event_http.h"
#include "lambda-c/event_kinesis.h"
#include "lambda-c/event_s3.h"
#include "lambda-c/event_sns.h"
#include "lambda-c/event_sqs.h"

/*
 * The code for text that is not valid base64. error.h has no dedicated code
 * yet; "the value is not of the kind asked" is the closest one.
 */
#define EV_E_ENCODING LAMBDA_E_WRONG_TYPE

/* ------------------------------------------------------------------ base64 */

/*
 * RFC 4648 section 4 (standard alphabet, '=' padding required, no line
 * breaks or other characters). Decodes len characters at in. With out NULL
 * only validates; otherwise writes the bytes to out, which must hold
 * ev_base64_decoded_size(in, len) bytes. *out_len (if not NULL) receives
 * the decoded size. Returns EV_E_ENCODING for anything that is not valid.
 */
lambda_code ev_base64_decode(const char *in, size_t len, void *out, size_t *out_len);

/* The decoded size of valid base64 text of len characters (padding taken into account). */
size_t ev_base64_decoded_size(const char *in, size_t len);

/* Characters (without the NUL) that ev_base64_encode writes for len bytes; SIZE_MAX on overflow. */
size_t ev_base64_encoded_len(size_t len);

/* Writes ev_base64_encoded_len(len) characters and a NUL to out. */
void ev_base64_encode(const void *in, size_t len, char *out);

/* ------------------------------------------------------------ URL decoding */

/*
 * Percent-decodes len bytes at in into out (room for len + 1 bytes), with
 * '+' read as a space when plus_is_space. Malformed escapes ('%' not
 * followed by two hex digits) are kept as they are, like most URL decoders
 * do. Writes a NUL and returns the decoded length (<= len).
 */
size_t ev_url_decode(const char *in, size_t len, char *out, int plus_is_space);

/* --------------------------------------------------------------- the arena */

/* Memory owned by a handle, freed at once with it. */
typedef struct ev_arena {
    struct ev_block *head;
} ev_arena;

void *ev_arena_alloc(ev_arena *arena, size_t size);
char *ev_arena_strndup(ev_arena *arena, const char *s, size_t n);
void ev_arena_free(ev_arena *arena);

/* ------------------------------------------------------------ json helpers */

/* The member key of obj; NULL when obj is not an object, the key is absent or its value is null. */
json_object *ev_get(const json_object *obj, const char *key);

/* The string member key of obj, NULL unless it is a string; *len (if not NULL) gets its length. */
const char *ev_str(const json_object *obj, const char *key, size_t *len);

/* The string value of a json string, or NULL. */
const char *ev_string_of(const json_object *value, size_t *len);

/* What ev_check accepts for a field (absent and null always pass). */
enum ev_kind {
    EV_STRING,
    EV_NUMBER,
    EV_INT,
    EV_BOOL,
    EV_OBJECT,
    EV_ARRAY,
    EV_STRING_MAP,      /* an object whose values are strings (or null) */
    EV_STRING_ARRAY,    /* an array of strings */
    EV_STRING_ARRAY_MAP /* an object whose values are arrays of strings (or null) */
};

typedef struct ev_field {
    const char *key;
    enum ev_kind kind;
} ev_field;

/*
 * LAMBDA_OK when every field of specs (terminated by a {NULL}) is absent,
 * null or of its kind in obj (obj NULL passes), LAMBDA_E_WRONG_TYPE
 * otherwise.
 */
lambda_code ev_check(const json_object *obj, const ev_field *specs);

/* Whether value is of kind (null does not count as any kind). */
int ev_is_kind(const json_object *value, enum ev_kind kind);

/*
 * The start of every "Records" event: root must be an object with an array
 * "Records" of objects, each of whose eventSource/EventSource (when
 * present) is source. Returns LAMBDA_E_INVALID_ARGUMENT for a NULL root,
 * LAMBDA_E_WRONG_TYPE for another shape or source, LAMBDA_E_NOT_FOUND
 * without "Records". *count receives the number of records.
 */
lambda_code ev_records(json_object *root, const char *source_key, const char *source, json_object **records,
                       size_t *count);

/* ------------------------------------------------------- decoded caches */

/* One base64 value decoded on first use and kept by its handle. */
typedef struct ev_decoded {
    int done;         /* 0: not yet; 1: decoded */
    lambda_code rc;   /* the outcome, once done */
    unsigned char *data; /* size bytes and a NUL; NULL before or on failure */
    size_t size;
} ev_decoded;

/*
 * Decodes the base64 string len characters at text into slot once; later
 * calls return what the first one did. On success *data points at the bytes
 * (followed by a NUL that size does not count).
 */
lambda_code ev_decoded_base64(ev_decoded *slot, const char *text, size_t len, const void **data, size_t *size);

void ev_decoded_free(ev_decoded *slot);

/*
 * Decodes the base64 json string value into the caller's buffer buf of cap
 * bytes: the size-query convention of the public headers. *size (required)
 * receives the decoded size whenever the text is valid; buf NULL only asks
 * for it; cap too small gives LAMBDA_E_INVALID_ARGUMENT.
 */
lambda_code ev_base64_to_buffer(const char *text, size_t len, void *buf, size_t cap, size_t *size);

/* ASCII case-insensitive equality (header names). */
int ev_strcaseeq(const char *a, const char *b);

#endif
