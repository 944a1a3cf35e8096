/*
 * lambda-c/event_dynamodb.h - Amazon DynamoDB Streams events and typed
 * attribute values.
 *
 *     lambda_dynamodb_event *ddb;
 *     if (lambda_event_json(event, &root) == LAMBDA_OK && lambda_dynamodb_event_parse(root, &ddb) == LAMBDA_OK) {
 *         for (size_t i = 0; i < lambda_dynamodb_event_count(ddb); i++) {
 *             const lambda_dynamodb_record *r = lambda_dynamodb_event_record(ddb, i);
 *             const lambda_dynamodb_map *item = lambda_dynamodb_record_new_image(r);
 *             int64_t qty;
 *             if (lambda_dynamodb_value_int64(lambda_dynamodb_map_get(item, "qty"), &qty) == LAMBDA_OK)
 *                 ...
 *         }
 *         lambda_dynamodb_event_free(ddb);
 *     }
 *
 * Items (Keys, NewImage, OldImage, and the content of an M value) are maps
 * from attribute name to attribute value; each value is a one-member JSON
 * object whose name is its type, as DynamoDB documents it:
 *     {"S": "text"}  {"N": "12.5"}  {"B": "base64"}  {"BOOL": true}  {"NULL": true}
 *     {"M": {...}}   {"L": [values]}  {"SS": ["a"]}  {"NS": ["1"]}  {"BS": ["base64"]}
 * Numbers stay text (DynamoDB numbers have up to 38 digits); convert them
 * with lambda_dynamodb_value_int64 / _double when they fit.
 *
 * lambda_dynamodb_map and lambda_dynamodb_value are views straight into the
 * json-c tree (no allocation): valid while the event is. Every accessor
 * accepts NULL and values of another type: a map lookup of an absent name
 * gives NULL, and asking a value for another type than its own gives NULL,
 * 0, or LAMBDA_E_WRONG_TYPE, so calls chain safely. Binary values (B, BS)
 * decode into a buffer the caller passes (call once with buf NULL for the
 * size).
 *
 * Ownership and checks of the event and its records are those of every
 * lambda-c event family (see event_sqs.h). A record's eventSource, when
 * present, must be "aws:dynamodb". Parsing checks the record fields below,
 * not the attribute values inside the images: a malformed value is
 * LAMBDA_DYNAMODB_INVALID when reached, not an error for the whole batch.
 * To report partial failures, answer with lambda_sqs_batch_response_new /
 * _add_failure (event_sqs.h) and the failed records' sequence numbers.
 */
#ifndef LAMBDA_C_EVENT_DYNAMODB_H
#define LAMBDA_C_EVENT_DYNAMODB_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_dynamodb_event lambda_dynamodb_event;
typedef struct lambda_dynamodb_record lambda_dynamodb_record;
typedef struct lambda_dynamodb_map lambda_dynamodb_map;
typedef struct lambda_dynamodb_value lambda_dynamodb_value;

/* The type of an attribute value. */
typedef enum lambda_dynamodb_type {
    LAMBDA_DYNAMODB_INVALID = 0, /* NULL, or not a well-formed attribute value */
    LAMBDA_DYNAMODB_S = 1,       /* string */
    LAMBDA_DYNAMODB_N = 2,       /* number (as text) */
    LAMBDA_DYNAMODB_B = 3,       /* binary (base64 in the event) */
    LAMBDA_DYNAMODB_BOOL = 4,    /* boolean */
    LAMBDA_DYNAMODB_NULL = 5,    /* null */
    LAMBDA_DYNAMODB_M = 6,       /* map */
    LAMBDA_DYNAMODB_L = 7,       /* list of values */
    LAMBDA_DYNAMODB_SS = 8,      /* string set */
    LAMBDA_DYNAMODB_NS = 9,      /* number set */
    LAMBDA_DYNAMODB_BS = 10      /* binary set */
} lambda_dynamodb_type;

/* ================================================================== events */

/*
 * Reads a DynamoDB Streams event root into a new event in *out; free it
 * with lambda_dynamodb_event_free. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (root or out NULL), LAMBDA_E_NOT_FOUND (no
 * "Records"), LAMBDA_E_WRONG_TYPE (another shape or source, or a record
 * field of the wrong type) or LAMBDA_E_NO_MEMORY. On failure *out is NULL.
 */
lambda_code lambda_dynamodb_event_parse(struct json_object *root, lambda_dynamodb_event **out);

/* Frees ev. NULL is a no-op. */
void lambda_dynamodb_event_free(lambda_dynamodb_event *ev);

size_t lambda_dynamodb_event_count(const lambda_dynamodb_event *ev);

/* Record number index, or NULL when out of range. */
const lambda_dynamodb_record *lambda_dynamodb_event_record(const lambda_dynamodb_event *ev,
                                                           size_t index);

/* The record's JSON object (borrowed). */
struct json_object *lambda_dynamodb_record_json(const lambda_dynamodb_record *r);

/* eventID. */
const char *lambda_dynamodb_record_event_id(const lambda_dynamodb_record *r);

/* eventName: "INSERT", "MODIFY" or "REMOVE". */
const char *lambda_dynamodb_record_event_name(const lambda_dynamodb_record *r);

/* eventSourceARN: the stream's ARN. */
const char *lambda_dynamodb_record_event_source_arn(const lambda_dynamodb_record *r);

/* awsRegion. */
const char *lambda_dynamodb_record_aws_region(const lambda_dynamodb_record *r);

/* dynamodb.SequenceNumber: the identifier for batchItemFailures. */
const char *lambda_dynamodb_record_sequence_number(const lambda_dynamodb_record *r);

/* dynamodb.StreamViewType: "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE" or "NEW_AND_OLD_IMAGES". */
const char *lambda_dynamodb_record_stream_view_type(const lambda_dynamodb_record *r);

/* dynamodb.SizeBytes, or -1 when absent. */
int64_t lambda_dynamodb_record_size_bytes(const lambda_dynamodb_record *r);

/* dynamodb.ApproximateCreationDateTime in Unix seconds, or -1 when absent. */
double lambda_dynamodb_record_creation_time(const lambda_dynamodb_record *r);

/*
 * userIdentity.principalId: "dynamodb.amazonaws.com" when the item was
 * deleted by Time to Live; NULL for ordinary writes.
 */
const char *lambda_dynamodb_record_principal_id(const lambda_dynamodb_record *r);

/* dynamodb.Keys: the item's key attributes, or NULL. */
const lambda_dynamodb_map *lambda_dynamodb_record_keys(const lambda_dynamodb_record *r);

/* dynamodb.NewImage: the item after the change, or NULL (REMOVE, or not in the view type). */
const lambda_dynamodb_map *lambda_dynamodb_record_new_image(const lambda_dynamodb_record *r);

/* dynamodb.OldImage: the item before the change, or NULL (INSERT, or not in the view type). */
const lambda_dynamodb_map *lambda_dynamodb_record_old_image(const lambda_dynamodb_record *r);

/* ==================================================================== maps */

/* The number of attributes in m (0 for NULL). */
size_t lambda_dynamodb_map_count(const lambda_dynamodb_map *m);

/* The value of attribute name, or NULL when absent. */
const lambda_dynamodb_value *lambda_dynamodb_map_get(const lambda_dynamodb_map *m,
                                                     const char *name);

/*
 * Attribute number index (in the event's order): returns its name and
 * stores its value in *value (if value is not NULL); NULL when out of range.
 */
const char *lambda_dynamodb_map_at(const lambda_dynamodb_map *m, size_t index,
                                   const lambda_dynamodb_value **value);

/* ================================================================== values */

/* The type of v; LAMBDA_DYNAMODB_INVALID for NULL or a malformed value. */
lambda_dynamodb_type lambda_dynamodb_value_type(const lambda_dynamodb_value *v);

/* "S", "N", ... "BS" for a type; "INVALID" otherwise. */
const char *lambda_dynamodb_type_name(lambda_dynamodb_type type);

/* The text of an S value, with its length in *len (len may be NULL); NULL for other types. */
const char *lambda_dynamodb_value_string(const lambda_dynamodb_value *v, size_t *len);

/* The text of an N value, e.g. "-12.50"; NULL for other types. */
const char *lambda_dynamodb_value_number(const lambda_dynamodb_value *v);

/*
 * An N value as an integer in *out. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (out NULL) or LAMBDA_E_WRONG_TYPE (v is not an
 * N, or its number is not an integer within int64_t: "1.5", "1e3" and
 * 20-digit numbers are refused rather than rounded).
 */
lambda_code lambda_dynamodb_value_int64(const lambda_dynamodb_value *v, int64_t *out);

/*
 * An N value as the nearest double in *out. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (out NULL) or LAMBDA_E_WRONG_TYPE (v is not an
 * N, or its text is not a number).
 */
lambda_code lambda_dynamodb_value_double(const lambda_dynamodb_value *v, double *out);

/* A BOOL value in *out (0 or 1). LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT or LAMBDA_E_WRONG_TYPE. */
lambda_code lambda_dynamodb_value_bool(const lambda_dynamodb_value *v, int *out);

/*
 * Decodes a B value into buf (cap bytes); *size receives the decoded size;
 * with buf NULL only *size is set. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (size NULL, or cap < *size: then *size is set)
 * or LAMBDA_E_WRONG_TYPE (v is not a B, or not RFC 4648 base64).
 */
lambda_code lambda_dynamodb_value_binary(const lambda_dynamodb_value *v, void *buf, size_t cap,
                                         size_t *size);

/* The map of an M value; NULL for other types. */
const lambda_dynamodb_map *lambda_dynamodb_value_map(const lambda_dynamodb_value *v);

/* The number of elements of an L, SS, NS or BS value, or of attributes of an M; 0 for other types. */
size_t lambda_dynamodb_value_count(const lambda_dynamodb_value *v);

/* Element number index of an L value; NULL for other types or out of range. */
const lambda_dynamodb_value *lambda_dynamodb_value_list_at(const lambda_dynamodb_value *v,
                                                           size_t index);

/*
 * Element number index of an SS or NS value (the number's text for NS),
 * with its length in *len (may be NULL); NULL for other types or out of range.
 */
const char *lambda_dynamodb_value_set_string_at(const lambda_dynamodb_value *v, size_t index,
                                                size_t *len);

/*
 * Decodes element number index of a BS value into buf, like
 * lambda_dynamodb_value_binary; LAMBDA_E_NOT_FOUND when out of range.
 */
lambda_code lambda_dynamodb_value_set_binary_at(const lambda_dynamodb_value *v, size_t index,
                                                void *buf, size_t cap, size_t *size);

#ifdef __cplusplus
}
#endif

#endif
