/*
 * sqs.c - Amazon SQS events and the partial batch response (event_sqs.h).
 */
#include "events/events_internal.h"

/* The shared "Records" handles (events_internal.h). */
struct lambda_sqs_event {
    lc_ev_batch batch;
};

struct lambda_sqs_message {
    lc_ev_record rec;
};

static const lc_ev_field message_fields[] = {
    { "messageId", EV_STRING },      { "receiptHandle", EV_STRING },     { "body", EV_STRING },
    { "md5OfBody", EV_STRING },      { "eventSourceARN", EV_STRING },    { "awsRegion", EV_STRING },
    { "attributes", EV_STRING_MAP }, { "messageAttributes", EV_OBJECT }, { NULL, EV_STRING },
};

static const lc_ev_field attribute_fields[] = {
    { "stringValue", EV_STRING },
    { "binaryValue", EV_STRING },
    { "dataType", EV_STRING },
    { NULL, EV_STRING },
};

static lambda_code check_message(json_object *m)
{
    lambda_code rc = lc_ev_check(m, message_fields);
    return rc ? rc : lc_ev_check_map(lc_ev_get(m, "messageAttributes"), attribute_fields);
}

static const lc_ev_batch_kind kind = { "eventSource", "aws:sqs", NULL, check_message };

lambda_code lambda_sqs_event_parse(struct json_object *root, lambda_sqs_event **out)
{
    lambda_code rc = LAMBDA_E_INVALID_ARGUMENT;
    if (out)
        *out = (lambda_sqs_event *)lc_ev_batch_parse(root, &kind, &rc);
    return rc;
}

void lambda_sqs_event_free(lambda_sqs_event *ev)
{
    lc_ev_batch_free((lc_ev_batch *)ev);
}

size_t lambda_sqs_event_count(const lambda_sqs_event *ev)
{
    return lc_ev_batch_count((const lc_ev_batch *)ev);
}

const lambda_sqs_message *lambda_sqs_event_message(const lambda_sqs_event *ev, size_t index)
{
    return (const lambda_sqs_message *)lc_ev_batch_record((const lc_ev_batch *)ev, index);
}

static json_object *json(const lambda_sqs_message *m)
{
    return m ? m->rec.json : NULL;
}

struct json_object *lambda_sqs_message_json(const lambda_sqs_message *m)
{
    return json(m);
}

const char *lambda_sqs_message_id(const lambda_sqs_message *m)
{
    return lc_ev_str(json(m), "messageId", NULL);
}

const char *lambda_sqs_message_receipt_handle(const lambda_sqs_message *m)
{
    return lc_ev_str(json(m), "receiptHandle", NULL);
}

const char *lambda_sqs_message_body(const lambda_sqs_message *m, size_t *len)
{
    return lc_ev_str(json(m), "body", len);
}

const char *lambda_sqs_message_md5_of_body(const lambda_sqs_message *m)
{
    return lc_ev_str(json(m), "md5OfBody", NULL);
}

const char *lambda_sqs_message_event_source_arn(const lambda_sqs_message *m)
{
    return lc_ev_str(json(m), "eventSourceARN", NULL);
}

const char *lambda_sqs_message_aws_region(const lambda_sqs_message *m)
{
    return lc_ev_str(json(m), "awsRegion", NULL);
}

const char *lambda_sqs_message_system_attribute(const lambda_sqs_message *m, const char *name)
{
    return lc_ev_str(lc_ev_get(json(m), "attributes"), name, NULL);
}

static json_object *attributes(const lambda_sqs_message *m)
{
    return lc_ev_get(json(m), "messageAttributes");
}

size_t lambda_sqs_message_attribute_count(const lambda_sqs_message *m)
{
    return lc_ev_map_count(attributes(m));
}

const char *lambda_sqs_message_attribute_name(const lambda_sqs_message *m, size_t index)
{
    return lc_ev_map_at(attributes(m), index, NULL);
}

const char *lambda_sqs_message_attribute_type(const lambda_sqs_message *m, const char *name)
{
    return lc_ev_str(lc_ev_get(attributes(m), name), "dataType", NULL);
}

const char *lambda_sqs_message_attribute_string(const lambda_sqs_message *m, const char *name)
{
    return lc_ev_str(lc_ev_get(attributes(m), name), "stringValue", NULL);
}

lambda_code lambda_sqs_message_attribute_binary(const lambda_sqs_message *m, const char *name,
                                                void *buf, size_t cap, size_t *size)
{
    if (!m)
        return LAMBDA_E_INVALID_ARGUMENT;
    return lc_ev_attribute_binary(attributes(m), name, "binaryValue", NULL, buf, cap, size);
}

/* ===================================================== partial batch response */

lambda_code lambda_sqs_batch_response_new(struct json_object **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    json_object *o = json_object_new_object();
    json_object *a = json_object_new_array();
    if (!o || !a || json_object_object_add(o, "batchItemFailures", a) != 0) {
        json_object_put(a);
        json_object_put(o);
        return LAMBDA_E_NO_MEMORY;
    }
    *out = o;
    return LAMBDA_OK;
}

lambda_code lambda_sqs_batch_response_add_failure(struct json_object *response,
                                                  const char *item_identifier)
{
    if (!response || !item_identifier)
        return LAMBDA_E_INVALID_ARGUMENT;
    json_object *a = lc_ev_get(response, "batchItemFailures");
    if (!a || !json_object_is_type(a, json_type_array))
        return LAMBDA_E_WRONG_TYPE;
    json_object *item = json_object_new_object();
    json_object *id = json_object_new_string(item_identifier);
    if (!item || !id || json_object_object_add(item, "itemIdentifier", id) != 0) {
        json_object_put(id);
        json_object_put(item);
        return LAMBDA_E_NO_MEMORY;
    }
    if (json_object_array_add(a, item) != 0) {
        json_object_put(item);
        return LAMBDA_E_NO_MEMORY;
    }
    return LAMBDA_OK;
}
