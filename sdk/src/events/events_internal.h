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

/*
 * The member key of obj; NULL when obj is not an object, key is NULL, the
 * key is absent or its value is null.
 */
json_object *ev_get(const json_object *obj, const char *key);

/* The string member key of obj, NULL unless it is a string; *len (if not NULL) gets its length. */
const char *ev_str(const json_object *obj, const char *key, size_t *len);

/* The string value of a json string, or NULL. */
const char *ev_string_of(const json_object *value, size_t *len);

/* The number member key of obj, or -1 when it is absent (the public accessors' "absent"). */
int64_t ev_int64(const json_object *obj, const char *key);
double ev_double(const json_object *obj, const char *key);

/* Element index of the array a; NULL when a is not an array or index is out of range. */
json_object *ev_array_at(const json_object *a, size_t index);

/* The number of members of the object map (0 when map is not an object). */
size_t ev_map_count(const json_object *map);

/*
 * The name of member number index of the object map (in the event's
 * order), its value in *value (if not NULL); NULL (and *value NULL) when
 * map is not an object or index is out of range.
 */
const char *ev_map_at(const json_object *map, size_t index, json_object **value);

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

/*
 * ev_check for every value of the object map (SQS and SNS message
 * attributes): each is null or an object whose fields pass. map NULL passes.
 */
lambda_code ev_check_map(const json_object *map, const ev_field *specs);

/* Whether value is of kind (null does not count as any kind). */
int ev_is_kind(const json_object *value, enum ev_kind kind);

/*
 * The start of every parse: LAMBDA_E_INVALID_ARGUMENT for a NULL root,
 * LAMBDA_E_WRONG_TYPE unless it is an object.
 */
lambda_code ev_check_root(const json_object *root);

/*
 * The binary message attribute name of the attribute map attrs (SQS
 * messageAttributes, SNS MessageAttributes): its base64 member value_key
 * decoded into buf as ev_base64_to_buffer does. With type_key not NULL the
 * attribute's type_key member must be "Binary" (else LAMBDA_E_WRONG_TYPE).
 * Returns LAMBDA_E_INVALID_ARGUMENT for a NULL name or size (size left
 * alone), else sets *size to 0 first; LAMBDA_E_NOT_FOUND without the value.
 */
lambda_code ev_attribute_binary(const json_object *attrs, const char *name, const char *value_key,
                                const char *type_key, void *buf, size_t cap, size_t *size);

/* ------------------------------------------------------- decoded caches */

/* One base64 (or URL-encoded) value decoded on first use and kept by its handle. */
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

/* The same for percent-encoded text, '+' read as a space (S3 object keys): fails only for memory. */
lambda_code ev_decoded_url(ev_decoded *slot, const char *text, size_t len, const void **data, size_t *size);

/* Either of the two. */
typedef lambda_code ev_decode_fn(ev_decoded *slot, const char *text, size_t len, const void **data, size_t *size);

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

/* ------------------------------------------------------- "Records" events */

/*
 * The handles of the "Records" event families (SQS, SNS, S3, Kinesis,
 * DynamoDB): each lambda_*_event struct holds one ev_batch as its only
 * member, each record struct one ev_record, so a handle pointer converts to
 * and from a pointer to it (C11 6.7.2.1p15; NULL stays NULL).
 */
typedef struct ev_record {
    json_object *json;  /* the record object */
    json_object *body;  /* its member ev_batch_kind.body_key ("Sns", "kinesis" ...), or NULL */
    ev_decoded decoded; /* the one value the record decodes on first use (Kinesis data, S3 key) */
} ev_record;

typedef struct ev_batch {
    json_object *root;
    size_t count;
    ev_record *records;
} ev_batch;

/* What tells one family from another. */
typedef struct ev_batch_kind {
    const char *source_key; /* the records' source member: "eventSource" ("EventSource" for SNS) */
    const char *source;     /* its value when present: "aws:sqs" ... */
    const char *body_key;   /* the member kept as ev_record.body, or NULL */
    lambda_code (*check)(json_object *record); /* the types of one record's fields */
} ev_batch_kind;

/*
 * Reads root (an object with an array "Records" of objects, each of whose
 * source_key, when present, is source, and each passing check) into a new
 * batch (*rc LAMBDA_OK), freed with ev_batch_free. Returns NULL with *rc
 * set on failure: LAMBDA_E_INVALID_ARGUMENT for a NULL root,
 * LAMBDA_E_NOT_FOUND without "Records", LAMBDA_E_WRONG_TYPE for another
 * shape or source or what check returns, LAMBDA_E_NO_MEMORY.
 */
ev_batch *ev_batch_parse(json_object *root, const ev_batch_kind *kind, lambda_code *rc);

/* Frees b and what its records decoded. NULL is a no-op. */
void ev_batch_free(ev_batch *b);

/* The number of records (0 for NULL), and record number index (NULL when out of range). */
size_t ev_batch_count(const ev_batch *b);
const ev_record *ev_batch_record(const ev_batch *b, size_t index);

/*
 * The string member key of obj (a part of r) decoded by decode, once, into
 * r->decoded. The checks of the public accessors: *size (if not NULL) 0 and
 * *data NULL first; LAMBDA_E_INVALID_ARGUMENT for a NULL data or r,
 * LAMBDA_E_NOT_FOUND without the member.
 */
lambda_code ev_record_decoded(const ev_record *r, const json_object *obj, const char *key, ev_decode_fn *decode,
                              const void **data, size_t *size);

#endif
