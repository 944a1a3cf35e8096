/*
 * lambda-c/event_sns.h - Amazon SNS notifications delivered to Lambda.
 *
 *     lambda_sns_event *sns;
 *     if (lambda_event_json(event, &root) == LAMBDA_OK && lambda_sns_event_parse(root, &sns) == LAMBDA_OK) {
 *         for (size_t i = 0; i < lambda_sns_event_count(sns); i++) {
 *             const lambda_sns_record *r = lambda_sns_event_record(sns, i);
 *             lambda_log_info("%s: %s", lambda_sns_record_subject(r), lambda_sns_record_message(r, NULL));
 *         }
 *         lambda_sns_event_free(sns);
 *     }
 *
 * Ownership and checks are those of every lambda-c event family (see
 * event_sqs.h): the event borrows the json-c tree, strings point into it and
 * are valid until the event is freed, absent fields are NULL, binary values
 * decode into the caller's buffer. A record's EventSource, when present,
 * must be "aws:sns"; the fields below (most of them inside "Sns") must have
 * their documented types.
 */
#ifndef LAMBDA_C_EVENT_SNS_H
#define LAMBDA_C_EVENT_SNS_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_sns_event lambda_sns_event;
typedef struct lambda_sns_record lambda_sns_record;

/*
 * Reads an SNS event root into a new event in *out; free it with
 * lambda_sns_event_free. Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT (root
 * or out NULL), LAMBDA_E_NOT_FOUND (no "Records"), LAMBDA_E_WRONG_TYPE
 * (another shape or source, a record without an "Sns" object, a field of
 * the wrong type) or LAMBDA_E_NO_MEMORY. On failure *out is NULL.
 */
lambda_code lambda_sns_event_parse(struct json_object *root, lambda_sns_event **out);

/* Frees ev. NULL is a no-op. */
void lambda_sns_event_free(lambda_sns_event *ev);

/* The number of records (Lambda sends one per invocation, but the shape is a list). */
size_t lambda_sns_event_count(const lambda_sns_event *ev);

/* Record number index, or NULL when out of range. */
const lambda_sns_record *lambda_sns_event_record(const lambda_sns_event *ev, size_t index);

/* The record's JSON object (borrowed). */
struct json_object *lambda_sns_record_json(const lambda_sns_record *r);

/* EventSubscriptionArn. */
const char *lambda_sns_record_subscription_arn(const lambda_sns_record *r);

/* Sns.MessageId. */
const char *lambda_sns_record_message_id(const lambda_sns_record *r);

/* Sns.Message, with its length in *len (len may be NULL). */
const char *lambda_sns_record_message(const lambda_sns_record *r, size_t *len);

/* Sns.Subject (often absent or null). */
const char *lambda_sns_record_subject(const lambda_sns_record *r);

/* Sns.TopicArn. */
const char *lambda_sns_record_topic_arn(const lambda_sns_record *r);

/* Sns.Timestamp, ISO 8601, e.g. "2024-01-02T12:45:07.000Z". */
const char *lambda_sns_record_timestamp(const lambda_sns_record *r);

/* Sns.Type, "Notification". */
const char *lambda_sns_record_type(const lambda_sns_record *r);

/* --- message attributes (Sns.MessageAttributes: {"name": {"Type", "Value"}}) --- */

size_t lambda_sns_record_attribute_count(const lambda_sns_record *r);

/* The name of attribute number index, or NULL when out of range. */
const char *lambda_sns_record_attribute_name(const lambda_sns_record *r, size_t index);

/* The Type of attribute name ("String", "String.Array", "Number" or "Binary"), or NULL. */
const char *lambda_sns_record_attribute_type(const lambda_sns_record *r, const char *name);

/* The Value of attribute name as sent (for Binary, base64 text), or NULL. */
const char *lambda_sns_record_attribute_value(const lambda_sns_record *r, const char *name);

/*
 * Decodes the base64 Value of Binary attribute name into buf (cap bytes);
 * *size receives the decoded size; with buf NULL only *size is set.
 * Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  r, name or size NULL, or cap < *size (then *size is set);
 *   LAMBDA_E_NOT_FOUND         no such attribute or no Value;
 *   LAMBDA_E_WRONG_TYPE        the attribute's Type is not "Binary", or the Value is
 *                              not RFC 4648 base64.
 */
lambda_code lambda_sns_record_attribute_binary(const lambda_sns_record *r, const char *name,
                                               void *buf, size_t cap, size_t *size);

#ifdef __cplusplus
}
#endif

#endif
