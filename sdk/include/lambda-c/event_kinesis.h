/*
 * lambda-c/event_kinesis.h - Amazon Kinesis Data Streams events.
 *
 *     lambda_kinesis_event *k;
 *     if (lambda_event_json(event, &root) == LAMBDA_OK && lambda_kinesis_event_parse(root, &k) == LAMBDA_OK) {
 *         for (size_t i = 0; i < lambda_kinesis_event_count(k); i++) {
 *             const lambda_kinesis_record *r = lambda_kinesis_event_record(k, i);
 *             const void *data;
 *             size_t size;
 *             if (lambda_kinesis_record_data(r, &data, &size) == LAMBDA_OK)
 *                 consume(data, size);
 *         }
 *         lambda_kinesis_event_free(k);
 *     }
 *
 * Record data arrives base64-encoded; lambda_kinesis_record_data decodes it
 * on first use into memory the event owns. To report partial failures,
 * answer with lambda_sqs_batch_response_new / _add_failure (event_sqs.h)
 * and the failed records' sequence numbers.
 *
 * Ownership and checks are those of every lambda-c event family (see
 * event_sqs.h): the event borrows the json-c tree, strings point into it and
 * are valid until the event is freed, absent fields are NULL. A record's
 * eventSource, when present, must be "aws:kinesis".
 */
#ifndef LAMBDA_C_EVENT_KINESIS_H
#define LAMBDA_C_EVENT_KINESIS_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_kinesis_event lambda_kinesis_event;
typedef struct lambda_kinesis_record lambda_kinesis_record;

/*
 * Reads a Kinesis event root into a new event in *out; free it with
 * lambda_kinesis_event_free. Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT
 * (root or out NULL), LAMBDA_E_NOT_FOUND (no "Records"),
 * LAMBDA_E_WRONG_TYPE (another shape or source, or a field of the wrong
 * type) or LAMBDA_E_NO_MEMORY. Data is not decoded here: a record with
 * invalid base64 fails only lambda_kinesis_record_data. On failure *out is
 * NULL.
 */
lambda_code lambda_kinesis_event_parse(struct json_object *root, lambda_kinesis_event **out);

/* Frees ev and the data it decoded. NULL is a no-op. */
void lambda_kinesis_event_free(lambda_kinesis_event *ev);

size_t lambda_kinesis_event_count(const lambda_kinesis_event *ev);

/* Record number index, or NULL when out of range. */
const lambda_kinesis_record *lambda_kinesis_event_record(const lambda_kinesis_event *ev,
                                                         size_t index);

/* The record's JSON object (borrowed). */
struct json_object *lambda_kinesis_record_json(const lambda_kinesis_record *r);

/* eventID, "shardId-000000000006:4959...". */
const char *lambda_kinesis_record_event_id(const lambda_kinesis_record *r);

/* eventName, "aws:kinesis:record". */
const char *lambda_kinesis_record_event_name(const lambda_kinesis_record *r);

/* eventSourceARN: the stream's ARN. */
const char *lambda_kinesis_record_event_source_arn(const lambda_kinesis_record *r);

/* awsRegion. */
const char *lambda_kinesis_record_aws_region(const lambda_kinesis_record *r);

/* invokeIdentityArn. */
const char *lambda_kinesis_record_invoke_identity_arn(const lambda_kinesis_record *r);

/* kinesis.partitionKey. */
const char *lambda_kinesis_record_partition_key(const lambda_kinesis_record *r);

/* kinesis.sequenceNumber: the identifier for batchItemFailures. */
const char *lambda_kinesis_record_sequence_number(const lambda_kinesis_record *r);

/* kinesis.approximateArrivalTimestamp: Unix seconds with a fraction, or -1 when absent. */
double lambda_kinesis_record_arrival_time(const lambda_kinesis_record *r);

/*
 * kinesis.data, decoded from base64: *data receives the bytes (followed by a
 * NUL that *size does not count), owned by the event, decoded on the first
 * call (later calls return the same pointer); *size (may be NULL) their
 * count. Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT (r or data NULL),
 * LAMBDA_E_NOT_FOUND (no data), LAMBDA_E_WRONG_TYPE (not RFC 4648 base64)
 * or LAMBDA_E_NO_MEMORY; on failure *data is NULL.
 */
lambda_code lambda_kinesis_record_data(const lambda_kinesis_record *r, const void **data,
                                       size_t *size);

/* kinesis.data as the event carries it (base64 text), with its length in *len. */
const char *lambda_kinesis_record_data_base64(const lambda_kinesis_record *r, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
