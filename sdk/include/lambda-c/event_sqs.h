/*
 * lambda-c/event_sqs.h - Amazon SQS events and partial batch responses.
 *
 *     struct json_object *root, *answer;
 *     lambda_sqs_event *sqs;
 *     if (lambda_event_json(event, &root) || lambda_sqs_event_parse(root, &sqs))
 *         return lambda_response_set_error(response, "BadEvent", "not an SQS event");
 *     lambda_sqs_batch_response_new(&answer);
 *     for (size_t i = 0; i < lambda_sqs_event_count(sqs); i++) {
 *         const lambda_sqs_message *m = lambda_sqs_event_message(sqs, i);
 *         size_t len;
 *         const char *body = lambda_sqs_message_body(m, &len);
 *         if (process(body, len) != 0)
 *             lambda_sqs_batch_response_add_failure(answer, lambda_sqs_message_id(m));
 *     }
 *     lambda_sqs_event_free(sqs);
 *     return lambda_response_set_json(response, answer);
 *
 * Ownership (the same for every event family of lambda-c): a parsed event
 * borrows the json-c tree it was parsed from and must be freed before the
 * tree goes away (the invocation's tree lives until the handler returns).
 * Records (here: messages) belong to the event; strings point into the tree
 * and are valid until the event is freed. A field the record does not carry
 * (absent or JSON null) is NULL, never "". Values reached by name that need
 * decoding (binary attributes) are decoded into a buffer the caller passes:
 * call once with buf NULL to learn the size. Not thread-safe: use an event
 * from one thread at a time.
 *
 * Parsing checks the shape once, so accessors never meet a wrong type: the
 * root must be an object whose "Records" is an array of objects, each
 * field this header exposes must have its documented JSON type, and a
 * record's eventSource, when present, must be "aws:sqs".
 */
#ifndef LAMBDA_C_EVENT_SQS_H
#define LAMBDA_C_EVENT_SQS_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_sqs_event lambda_sqs_event;
typedef struct lambda_sqs_message lambda_sqs_message;

/*
 * Reads an SQS event root into a new event in *out; free it with
 * lambda_sqs_event_free. Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  root (the JSON null) or out is NULL;
 *   LAMBDA_E_NOT_FOUND         no "Records";
 *   LAMBDA_E_WRONG_TYPE        another shape, a record from another source, or a
 *                              field of the wrong type;
 *   LAMBDA_E_NO_MEMORY.
 * On failure *out is NULL.
 */
lambda_code lambda_sqs_event_parse(struct json_object *root, lambda_sqs_event **out);

/* Frees ev. NULL is a no-op. */
void lambda_sqs_event_free(lambda_sqs_event *ev);

/* The number of messages (0 for an empty batch or a NULL ev). */
size_t lambda_sqs_event_count(const lambda_sqs_event *ev);

/* Message number index (from 0), or NULL when index >= the count. */
const lambda_sqs_message *lambda_sqs_event_message(const lambda_sqs_event *ev, size_t index);

/* The message's JSON object, for fields not covered here (borrowed). */
struct json_object *lambda_sqs_message_json(const lambda_sqs_message *m);

/* messageId: the identifier to report in batchItemFailures. */
const char *lambda_sqs_message_id(const lambda_sqs_message *m);

/* receiptHandle. */
const char *lambda_sqs_message_receipt_handle(const lambda_sqs_message *m);

/* body, with its length in *len (len may be NULL). */
const char *lambda_sqs_message_body(const lambda_sqs_message *m, size_t *len);

/* md5OfBody. */
const char *lambda_sqs_message_md5_of_body(const lambda_sqs_message *m);

/* eventSourceARN: the queue's ARN. */
const char *lambda_sqs_message_event_source_arn(const lambda_sqs_message *m);

/* awsRegion. */
const char *lambda_sqs_message_aws_region(const lambda_sqs_message *m);

/*
 * A system attribute ("attributes"), e.g. "ApproximateReceiveCount",
 * "SentTimestamp", "SenderId", "MessageGroupId" (FIFO). SQS sends them all
 * as strings. NULL when absent.
 */
const char *lambda_sqs_message_system_attribute(const lambda_sqs_message *m, const char *name);

/* --- message attributes ("messageAttributes", set by the sender) --- */

/* How many message attributes the message has. */
size_t lambda_sqs_message_attribute_count(const lambda_sqs_message *m);

/* The name of attribute number index, or NULL when out of range. */
const char *lambda_sqs_message_attribute_name(const lambda_sqs_message *m, size_t index);

/* The dataType of attribute name ("String", "Number", "Binary", or with a custom suffix), or NULL. */
const char *lambda_sqs_message_attribute_type(const lambda_sqs_message *m, const char *name);

/* The stringValue of attribute name (String and Number types), or NULL. */
const char *lambda_sqs_message_attribute_string(const lambda_sqs_message *m, const char *name);

/*
 * Decodes the binaryValue (base64) of attribute name into buf (cap bytes);
 * *size receives the decoded size. With buf NULL only *size is set.
 * Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  m, name or size NULL, or cap < *size (then *size is set);
 *   LAMBDA_E_NOT_FOUND         no such attribute, or it has no binaryValue;
 *   LAMBDA_E_WRONG_TYPE        the binaryValue is not RFC 4648 base64.
 */
lambda_code lambda_sqs_message_attribute_binary(const lambda_sqs_message *m, const char *name,
                                                void *buf, size_t cap, size_t *size);

/* ===================================================== partial batch response */

/*
 * With ReportBatchItemFailures enabled on the event source mapping, a
 * handler answers {"batchItemFailures": [{"itemIdentifier": "..."}]} so that
 * only the listed messages return to the queue; an empty list means the
 * whole batch succeeded. (Kinesis and DynamoDB Streams take the same
 * answer, with sequence numbers as identifiers.)
 *
 * lambda_sqs_batch_response_new stores a new {"batchItemFailures": []} in
 * *out; the caller owns the reference (pass it to lambda_response_set_json).
 * Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT or LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_sqs_batch_response_new(struct json_object **out);

/*
 * Appends {"itemIdentifier": item_identifier} (copied) to a response made by
 * lambda_sqs_batch_response_new. Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (NULL argument), LAMBDA_E_WRONG_TYPE (response
 * has no batchItemFailures array) or LAMBDA_E_NO_MEMORY.
 *
 * For a FIFO queue, stop at the first failure and report it and every
 * message after it, so that the group's order is kept.
 */
lambda_code lambda_sqs_batch_response_add_failure(struct json_object *response,
                                                  const char *item_identifier);

#ifdef __cplusplus
}
#endif

#endif
