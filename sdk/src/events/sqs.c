/*
 * sqs.c - Amazon SQS events and the partial batch response (event_sqs.h).
 */
#include "events_internal.h"

#include <stdlib.h>

struct lambda_sqs_message {
    json_object *json;
};

struct lambda_sqs_event {
    json_object *root;
    size_t count;
    struct lambda_sqs_message *messages;
};

static const ev_field message_fields[] = {
    {"messageId", EV_STRING},
    {"receiptHandle", EV_STRING},
    {"body", EV_STRING},
    {"md5OfBody", EV_STRING},
    {"eventSourceARN", EV_STRING},
    {"awsRegion", EV_STRING},
    {"attributes", EV_STRING_MAP},
    {"messageAttributes", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field attribute_fields[] = {
    {"stringValue", EV_STRING},
    {"binaryValue", EV_STRING},
    {"dataType", EV_STRING},
    {NULL, EV_STRING},
};

static lambda_code check_message(json_object *m)
{
    lambda_code rc = ev_check(m, message_fields);
    if (rc)
        return rc;
    json_object *attrs = ev_get(m, "messageAttributes");
    if (!attrs)
        return LAMBDA_OK;
    json_object_object_foreach(attrs, k, v) {
        (void)k;
        if (!v)
            continue;
        if (!json_object_is_type(v, json_type_object))
            return LAMBDA_E_WRONG_TYPE;
        rc = ev_check(v, attribute_fields);
        if (rc)
            return rc;
    }
    return LAMBDA_OK;
}

lambda_code lambda_sqs_event_parse(struct json_object *root, lambda_sqs_event **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    json_object *records;
    size_t n;
    lambda_code rc = ev_records(root, "eventSource", "aws:sqs", &records, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = check_message(json_object_array_get_idx(records, i));
        if (rc)
            return rc;
    }
    lambda_sqs_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return LAMBDA_E_NO_MEMORY;
    ev->messages = calloc(n ? n : 1, sizeof *ev->messages);
    if (!ev->messages) {
        free(ev);
        return LAMBDA_E_NO_MEMORY;
    }
    ev->root = root;
    ev->count = n;
    for (size_t i = 0; i < n; i++)
        ev->messages[i].json = json_object_array_get_idx(records, i);
    *out = ev;
    return LAMBDA_OK;
}

void lambda_sqs_event_free(lambda_sqs_event *ev)
{
    if (!ev)
        return;
    free(ev->messages);
    free(ev);
}

size_t lambda_sqs_event_count(const lambda_sqs_event *ev)
{
    return ev ? ev->count : 0;
}

const lambda_sqs_message *lambda_sqs_event_message(const lambda_sqs_event *ev, size_t index)
{
    return ev && index < ev->count ? &ev->messages[index] : NULL;
}

struct json_object *lambda_sqs_message_json(const lambda_sqs_message *m)
{
    return m ? m->json : NULL;
}

const char *lambda_sqs_message_id(const lambda_sqs_message *m)
{
    return m ? ev_str(m->json, "messageId", NULL) : NULL;
}

const char *lambda_sqs_message_receipt_handle(const lambda_sqs_message *m)
{
    return m ? ev_str(m->json, "receiptHandle", NULL) : NULL;
}

const char *lambda_sqs_message_body(const lambda_sqs_message *m, size_t *len)
{
    if (!m) {
        if (len)
            *len = 0;
        return NULL;
    }
    return ev_str(m->json, "body", len);
}

const char *lambda_sqs_message_md5_of_body(const lambda_sqs_message *m)
{
    return m ? ev_str(m->json, "md5OfBody", NULL) : NULL;
}

const char *lambda_sqs_message_event_source_arn(const lambda_sqs_message *m)
{
    return m ? ev_str(m->json, "eventSourceARN", NULL) : NULL;
}

const char *lambda_sqs_message_aws_region(const lambda_sqs_message *m)
{
    return m ? ev_str(m->json, "awsRegion", NULL) : NULL;
}

const char *lambda_sqs_message_system_attribute(const lambda_sqs_message *m, const char *name)
{
    return m && name ? ev_str(ev_get(m->json, "attributes"), name, NULL) : NULL;
}

size_t lambda_sqs_message_attribute_count(const lambda_sqs_message *m)
{
    json_object *attrs = m ? ev_get(m->json, "messageAttributes") : NULL;
    return attrs ? (size_t)json_object_object_length(attrs) : 0;
}

const char *lambda_sqs_message_attribute_name(const lambda_sqs_message *m, size_t index)
{
    json_object *attrs = m ? ev_get(m->json, "messageAttributes") : NULL;
    if (!attrs)
        return NULL;
    json_object_object_foreach(attrs, k, v) {
        (void)v;
        if (index-- == 0)
            return k;
    }
    return NULL;
}

static json_object *attribute(const lambda_sqs_message *m, const char *name)
{
    return m && name ? ev_get(ev_get(m->json, "messageAttributes"), name) : NULL;
}

const char *lambda_sqs_message_attribute_type(const lambda_sqs_message *m, const char *name)
{
    return ev_str(attribute(m, name), "dataType", NULL);
}

const char *lambda_sqs_message_attribute_string(const lambda_sqs_message *m, const char *name)
{
    return ev_str(attribute(m, name), "stringValue", NULL);
}

lambda_code lambda_sqs_message_attribute_binary(const lambda_sqs_message *m, const char *name, void *buf,
                                                size_t cap, size_t *size)
{
    if (!m || !name || !size)
        return LAMBDA_E_INVALID_ARGUMENT;
    *size = 0;
    size_t len;
    const char *text = ev_str(attribute(m, name), "binaryValue", &len);
    if (!text)
        return LAMBDA_E_NOT_FOUND;
    return ev_base64_to_buffer(text, len, buf, cap, size);
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

lambda_code lambda_sqs_batch_response_add_failure(struct json_object *response, const char *item_identifier)
{
    if (!response || !item_identifier)
        return LAMBDA_E_INVALID_ARGUMENT;
    json_object *a = ev_get(response, "batchItemFailures");
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
