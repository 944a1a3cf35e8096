/*
 * events_internal.h - helpers shared by the event bindings (sdk/src/events/).
 *
 * Nothing here is public: names start with lc_ev_, never lambda_, so the
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

#include "util/base64.h"

/* Text that is not valid base64 (util/base64.h). */
#define EV_E_ENCODING LC_BASE64_E_ENCODING

/* ------------------------------------------------------------ URL decoding */

/*
 * Percent-decodes len bytes at in into out (room for len + 1 bytes), with
 * '+' read as a space when plus_is_space. Malformed escapes ('%' not
 * followed by two hex digits) are kept as they are, like most URL decoders
 * do. Writes a NUL and returns the decoded length (<= len).
 */
size_t lc_ev_url_decode(const char *in, size_t len, char *out, int plus_is_space);

/* --------------------------------------------------------------- the arena */

/* Memory owned by a handle, freed at once with it. */
typedef struct lc_ev_arena {
    struct lc_ev_block *head;
} lc_ev_arena;

void *lc_ev_arena_alloc(lc_ev_arena *arena, size_t size);
char *lc_ev_arena_strndup(lc_ev_arena *arena, const char *s, size_t n);
void lc_ev_arena_free(lc_ev_arena *arena);

/* ------------------------------------------------------------ json helpers */

/*
 * The member key of obj; NULL when obj is not an object, key is NULL, the
 * key is absent or its value is null.
 */
json_object *lc_ev_get(const json_object *obj, const char *key);

/* The string member key of obj, NULL unless it is a string; *len (if not NULL) gets its length. */
const char *lc_ev_str(const json_object *obj, const char *key, size_t *len);

/* The string value of a json string, or NULL. */
const char *lc_ev_string_of(const json_object *value, size_t *len);

/* The number member key of obj, or -1 when it is absent (the public accessors' "absent"). */
int64_t lc_ev_int64(const json_object *obj, const char *key);
double lc_ev_double(const json_object *obj, const char *key);

/* Element index of the array a; NULL when a is not an array or index is out of range. */
json_object *lc_ev_array_at(const json_object *a, size_t index);

/* The number of members of the object map (0 when map is not an object). */
size_t lc_ev_map_count(const json_object *map);

/*
 * The name of member number index of the object map (in the event's
 * order), its value in *value (if not NULL); NULL (and *value NULL) when
 * map is not an object or index is out of range.
 */
const char *lc_ev_map_at(const json_object *map, size_t index, json_object **value);

/* What lc_ev_check accepts for a field (absent and null always pass). */
enum lc_ev_kind {
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

typedef struct lc_ev_field {
    const char *key;
    enum lc_ev_kind kind;
} lc_ev_field;

/*
 * LAMBDA_OK when every field of specs (terminated by a {NULL}) is absent,
 * null or of its kind in obj (obj NULL passes), LAMBDA_E_WRONG_TYPE
 * otherwise.
 */
lambda_code lc_ev_check(const json_object *obj, const lc_ev_field *specs);

/*
 * lc_ev_check for every value of the object map (SQS and SNS message
 * attributes): each is null or an object whose fields pass. map NULL passes.
 */
lambda_code lc_ev_check_map(const json_object *map, const lc_ev_field *specs);

/* Whether value is of kind (null does not count as any kind). */
int lc_ev_is_kind(const json_object *value, enum lc_ev_kind kind);

/*
 * The start of every parse: LAMBDA_E_INVALID_ARGUMENT for a NULL root,
 * LAMBDA_E_WRONG_TYPE unless it is an object.
 */
lambda_code lc_ev_check_root(const json_object *root);

/*
 * The binary message attribute name of the attribute map attrs (SQS
 * messageAttributes, SNS MessageAttributes): its base64 member value_key
 * decoded into buf as lc_ev_base64_to_buffer does. With type_key not NULL the
 * attribute's type_key member must be "Binary" (else LAMBDA_E_WRONG_TYPE).
 * Returns LAMBDA_E_INVALID_ARGUMENT for a NULL name or size (size left
 * alone), else sets *size to 0 first; LAMBDA_E_NOT_FOUND without the value.
 */
lambda_code lc_ev_attribute_binary(const json_object *attrs, const char *name,
                                   const char *value_key, const char *type_key, void *buf,
                                   size_t cap, size_t *size);

/* ------------------------------------------------------- decoded caches */

/* One base64 (or URL-encoded) value decoded on first use and kept by its handle. */
typedef struct lc_ev_decoded {
    int done;            /* 0: not yet; 1: decoded */
    lambda_code rc;      /* the outcome, once done */
    unsigned char *data; /* size bytes and a NUL; NULL before or on failure */
    size_t size;
} lc_ev_decoded;

/*
 * Decodes the base64 string len characters at text into slot once; later
 * calls return what the first one did. On success *data points at the bytes
 * (followed by a NUL that size does not count).
 */
lambda_code lc_ev_decoded_base64(lc_ev_decoded *slot, const char *text, size_t len,
                                 const void **data, size_t *size);

/* The same for percent-encoded text, '+' read as a space (S3 object keys): fails only for memory. */
lambda_code lc_ev_decoded_url(lc_ev_decoded *slot, const char *text, size_t len, const void **data,
                              size_t *size);

/* Either of the two. */
typedef lambda_code lc_ev_decode_fn(lc_ev_decoded *slot, const char *text, size_t len,
                                    const void **data, size_t *size);

void lc_ev_decoded_free(lc_ev_decoded *slot);

/*
 * Decodes the base64 json string value into the caller's buffer buf of cap
 * bytes: the size-query convention of the public headers. *size (required)
 * receives the decoded size whenever the text is valid; buf NULL only asks
 * for it; cap too small gives LAMBDA_E_INVALID_ARGUMENT.
 */
lambda_code lc_ev_base64_to_buffer(const char *text, size_t len, void *buf, size_t cap,
                                   size_t *size);

/* ASCII case-insensitive equality (header names). */
int lc_ev_strcaseeq(const char *a, const char *b);

/* ------------------------------------------------------- "Records" events */

/*
 * The handles of the "Records" event families (SQS, SNS, S3, Kinesis,
 * DynamoDB): each lambda_*_event struct holds one lc_ev_batch as its only
 * member, each record struct one lc_ev_record, so a handle pointer converts to
 * and from a pointer to it (C11 6.7.2.1p15; NULL stays NULL).
 */
typedef struct lc_ev_record {
    json_object *json; /* the record object */
    json_object *body; /* its member lc_ev_batch_kind.body_key ("Sns", "kinesis" ...), or NULL */
    lc_ev_decoded
        decoded; /* the one value the record decodes on first use (Kinesis data, S3 key) */
} lc_ev_record;

typedef struct lc_ev_batch {
    json_object *root;
    size_t count;
    lc_ev_record *records;
} lc_ev_batch;

/* What tells one family from another. */
typedef struct lc_ev_batch_kind {
    const char *source_key; /* the records' source member: "eventSource" ("EventSource" for SNS) */
    const char *source;     /* its value when present: "aws:sqs" ... */
    const char *body_key;   /* the member kept as lc_ev_record.body, or NULL */
    lambda_code (*check)(json_object *record); /* the types of one record's fields */
} lc_ev_batch_kind;

/*
 * Reads root (an object with an array "Records" of objects, each of whose
 * source_key, when present, is source, and each passing check) into a new
 * batch (*rc LAMBDA_OK), freed with lc_ev_batch_free. Returns NULL with *rc
 * set on failure: LAMBDA_E_INVALID_ARGUMENT for a NULL root,
 * LAMBDA_E_NOT_FOUND without "Records", LAMBDA_E_WRONG_TYPE for another
 * shape or source or what check returns, LAMBDA_E_NO_MEMORY.
 */
lc_ev_batch *lc_ev_batch_parse(json_object *root, const lc_ev_batch_kind *kind, lambda_code *rc);

/* Frees b and what its records decoded. NULL is a no-op. */
void lc_ev_batch_free(lc_ev_batch *b);

/* The number of records (0 for NULL), and record number index (NULL when out of range). */
size_t lc_ev_batch_count(const lc_ev_batch *b);
const lc_ev_record *lc_ev_batch_record(const lc_ev_batch *b, size_t index);

/*
 * The string member key of obj (a part of r) decoded by decode, once, into
 * r->decoded. The checks of the public accessors: *size (if not NULL) 0 and
 * *data NULL first; LAMBDA_E_INVALID_ARGUMENT for a NULL data or r,
 * LAMBDA_E_NOT_FOUND without the member.
 */
lambda_code lc_ev_record_decoded(const lc_ev_record *r, const json_object *obj, const char *key,
                                 lc_ev_decode_fn *decode, const void **data, size_t *size);

#endif
