/*
 * lambda-c/event_eventbridge.h - Amazon EventBridge (CloudWatch Events) events.
 *
 *     lambda_eventbridge_event *eb;
 *     if (lambda_event_json(event, &root) == LAMBDA_OK &&
 *         lambda_eventbridge_event_parse(root, &eb) == LAMBDA_OK) {
 *         if (strcmp(lambda_eventbridge_event_source(eb), "aws.ec2") == 0) {
 *             struct json_object *detail = lambda_eventbridge_event_detail(eb);
 *             ...
 *         }
 *         lambda_eventbridge_event_free(eb);
 *     }
 *
 * One event per invocation, no records. Ownership and checks are those of
 * every lambda-c event family (see event_sqs.h): the event borrows the
 * json-c tree, strings point into it and are valid until the event is
 * freed, absent fields are NULL.
 */
#ifndef LAMBDA_C_EVENT_EVENTBRIDGE_H
#define LAMBDA_C_EVENT_EVENTBRIDGE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_eventbridge_event lambda_eventbridge_event;

/*
 * Reads an EventBridge event root into a new event in *out; free it with
 * lambda_eventbridge_event_free. The root must be an object with
 * "detail-type" and "source" (strings). Returns LAMBDA_OK,
 * LAMBDA_E_INVALID_ARGUMENT (root or out NULL), LAMBDA_E_NOT_FOUND
 * ("detail-type" or "source" missing), LAMBDA_E_WRONG_TYPE (not an object,
 * or a field of the wrong type) or LAMBDA_E_NO_MEMORY. On failure *out is
 * NULL.
 */
lambda_code lambda_eventbridge_event_parse(struct json_object *root,
                                           lambda_eventbridge_event **out);

/* Frees ev. NULL is a no-op. */
void lambda_eventbridge_event_free(lambda_eventbridge_event *ev);

/* The event's root (borrowed). */
struct json_object *lambda_eventbridge_event_json(const lambda_eventbridge_event *ev);

/* id: unique per event. */
const char *lambda_eventbridge_event_id(const lambda_eventbridge_event *ev);

/* version, "0". */
const char *lambda_eventbridge_event_version(const lambda_eventbridge_event *ev);

/* detail-type, e.g. "EC2 Instance State-change Notification". Never NULL for a parsed event. */
const char *lambda_eventbridge_event_detail_type(const lambda_eventbridge_event *ev);

/* source, e.g. "aws.ec2" or your own "com.example.orders". Never NULL for a parsed event. */
const char *lambda_eventbridge_event_source(const lambda_eventbridge_event *ev);

/* account: the AWS account the event comes from. */
const char *lambda_eventbridge_event_account(const lambda_eventbridge_event *ev);

/* time, ISO 8601 ("2024-05-01T12:00:00Z"). */
const char *lambda_eventbridge_event_time(const lambda_eventbridge_event *ev);

/* region. */
const char *lambda_eventbridge_event_region(const lambda_eventbridge_event *ev);

/* How many ARNs "resources" lists. */
size_t lambda_eventbridge_event_resource_count(const lambda_eventbridge_event *ev);

/* ARN number index of "resources", or NULL when out of range. */
const char *lambda_eventbridge_event_resource(const lambda_eventbridge_event *ev, size_t index);

/*
 * detail: the event's payload, any JSON value (usually an object), borrowed
 * from the tree: do not put it; NULL when absent or null.
 */
struct json_object *lambda_eventbridge_event_detail(const lambda_eventbridge_event *ev);

#ifdef __cplusplus
}
#endif

#endif
