/** @file
 * lambda-c/event_s3.h - Amazon S3 event notifications.
 *
 *     lambda_s3_event *s3;
 *     if (lambda_event_json(event, &root) == LAMBDA_OK && lambda_s3_event_parse(root, &s3) == LAMBDA_OK) {
 *         for (size_t i = 0; i < lambda_s3_event_count(s3); i++) {
 *             const lambda_s3_record *r = lambda_s3_event_record(s3, i);
 *             const char *key;
 *             if (lambda_s3_record_object_key(r, &key, NULL) == LAMBDA_OK)
 *                 lambda_log_info("%s s3://%s/%s", lambda_s3_record_event_name(r),
 *                                 lambda_s3_record_bucket_name(r), key);
 *         }
 *         lambda_s3_event_free(s3);
 *     }
 *
 * Object keys arrive URL-encoded ("my photo.jpg" is "my+photo.jpg",
 * "é" is "%C3%A9"); lambda_s3_record_object_key decodes them, which is what
 * the S3 API (GetObject ...) expects back.
 *
 * Ownership and checks are those of every lambda-c event family (see
 * event_sqs.h): the event borrows the json-c tree, strings point into it and
 * are valid until the event is freed, absent fields are NULL. The decoded
 * key is the one copy: it is made on first use and owned by the event. A
 * record's eventSource, when present, must be "aws:s3". An s3:TestEvent
 * (sent once when a notification is configured) has no "Records" and parses
 * as LAMBDA_E_NOT_FOUND.
 */
#ifndef LAMBDA_C_EVENT_S3_H
#define LAMBDA_C_EVENT_S3_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_s3_event
    lambda_s3_event; /**< A parsed S3 event notification; a borrowed view of the json-c event. */
typedef struct lambda_s3_record
    lambda_s3_record; /**< One record (one object) of it; a borrowed view of the json-c event. */

/**
 * Reads an S3 notification root into a new event in *out; free it with
 * lambda_s3_event_free. Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT (root
 * or out NULL), LAMBDA_E_NOT_FOUND (no "Records"), LAMBDA_E_WRONG_TYPE
 * (another shape or source, or a field of the wrong type), LAMBDA_E_TOO_LARGE
 * (more than 10,000 records) or LAMBDA_E_NO_MEMORY. On failure *out is NULL.
 */
lambda_code lambda_s3_event_parse(struct json_object *root, lambda_s3_event **out);

/** Frees ev and the keys it decoded. NULL is a no-op. */
void lambda_s3_event_free(lambda_s3_event *ev);

/** The number of records in ev. */
size_t lambda_s3_event_count(const lambda_s3_event *ev);

/** Record number index, or NULL when out of range. */
const lambda_s3_record *lambda_s3_event_record(const lambda_s3_event *ev, size_t index);

/** The record's JSON object (borrowed). */
struct json_object *lambda_s3_record_json(const lambda_s3_record *r);

/** eventName, e.g. "ObjectCreated:Put", "ObjectRemoved:Delete". */
const char *lambda_s3_record_event_name(const lambda_s3_record *r);

/** eventTime, ISO 8601. */
const char *lambda_s3_record_event_time(const lambda_s3_record *r);

/** awsRegion. */
const char *lambda_s3_record_aws_region(const lambda_s3_record *r);

/** s3.bucket.name. */
const char *lambda_s3_record_bucket_name(const lambda_s3_record *r);

/** s3.bucket.arn. */
const char *lambda_s3_record_bucket_arn(const lambda_s3_record *r);

/**
 * s3.object.key, URL-decoded ('+' is a space, %XX a byte; a malformed
 * escape is kept as is). *key receives the NUL-terminated key, owned by
 * the event (decoded on the first call; later calls return the same
 * pointer), *len (len may be NULL) its length. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (r or key NULL), LAMBDA_E_NOT_FOUND (the
 * record has no key) or LAMBDA_E_NO_MEMORY; on failure *key is NULL.
 */
lambda_code lambda_s3_record_object_key(const lambda_s3_record *r, const char **key, size_t *len);

/** s3.object.key as the event carries it (URL-encoded). */
const char *lambda_s3_record_object_key_raw(const lambda_s3_record *r);

/** s3.object.size in bytes, or -1 when absent (delete events have none). */
int64_t lambda_s3_record_object_size(const lambda_s3_record *r);

/** s3.object.eTag. */
const char *lambda_s3_record_object_etag(const lambda_s3_record *r);

/** s3.object.versionId (versioned buckets only). */
const char *lambda_s3_record_object_version_id(const lambda_s3_record *r);

/** s3.object.sequencer: orders events for one key (compare as hex strings of equal length). */
const char *lambda_s3_record_object_sequencer(const lambda_s3_record *r);

#ifdef __cplusplus
}
#endif

#endif
