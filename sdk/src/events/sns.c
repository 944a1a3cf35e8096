/*
 * sns.c - Amazon SNS events (event_sns.h).
 */
#include "events_internal.h"

#include <stdlib.h>
#include <string.h>

struct lambda_sns_record {
    json_object *json;
    json_object *sns; /* the "Sns" object */
};

struct lambda_sns_event {
    json_object *root;
    size_t count;
    struct lambda_sns_record *records;
};

static const ev_field record_fields[] = {
    {"EventSubscriptionArn", EV_STRING},
    {"Sns", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field sns_fields[] = {
    {"MessageId", EV_STRING},
    {"Message", EV_STRING},
    {"Subject", EV_STRING},
    {"TopicArn", EV_STRING},
    {"Timestamp", EV_STRING},
    {"Type", EV_STRING},
    {"MessageAttributes", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field attribute_fields[] = {
    {"Type", EV_STRING},
    {"Value", EV_STRING},
    {NULL, EV_STRING},
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = ev_check(r, record_fields);
    if (rc)
        return rc;
    json_object *sns = ev_get(r, "Sns");
    if (!sns)
        return LAMBDA_E_WRONG_TYPE;
    rc = ev_check(sns, sns_fields);
    if (rc)
        return rc;
    json_object *attrs = ev_get(sns, "MessageAttributes");
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

lambda_code lambda_sns_event_parse(struct json_object *root, lambda_sns_event **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    json_object *records;
    size_t n;
    lambda_code rc = ev_records(root, "EventSource", "aws:sns", &records, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = check_record(json_object_array_get_idx(records, i));
        if (rc)
            return rc;
    }
    lambda_sns_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return LAMBDA_E_NO_MEMORY;
    ev->records = calloc(n ? n : 1, sizeof *ev->records);
    if (!ev->records) {
        free(ev);
        return LAMBDA_E_NO_MEMORY;
    }
    ev->root = root;
    ev->count = n;
    for (size_t i = 0; i < n; i++) {
        ev->records[i].json = json_object_array_get_idx(records, i);
        ev->records[i].sns = ev_get(ev->records[i].json, "Sns");
    }
    *out = ev;
    return LAMBDA_OK;
}

void lambda_sns_event_free(lambda_sns_event *ev)
{
    if (!ev)
        return;
    free(ev->records);
    free(ev);
}

size_t lambda_sns_event_count(const lambda_sns_event *ev)
{
    return ev ? ev->count : 0;
}

const lambda_sns_record *lambda_sns_event_record(const lambda_sns_event *ev, size_t index)
{
    return ev && index < ev->count ? &ev->records[index] : NULL;
}

struct json_object *lambda_sns_record_json(const lambda_sns_record *r)
{
    return r ? r->json : NULL;
}

const char *lambda_sns_record_subscription_arn(const lambda_sns_record *r)
{
    return r ? ev_str(r->json, "EventSubscriptionArn", NULL) : NULL;
}

const char *lambda_sns_record_message_id(const lambda_sns_record *r)
{
    return r ? ev_str(r->sns, "MessageId", NULL) : NULL;
}

const char *lambda_sns_record_message(const lambda_sns_record *r, size_t *len)
{
    if (!r) {
        if (len)
            *len = 0;
        return NULL;
    }
    return ev_str(r->sns, "Message", len);
}

const char *lambda_sns_record_subject(const lambda_sns_record *r)
{
    return r ? ev_str(r->sns, "Subject", NULL) : NULL;
}

const char *lambda_sns_record_topic_arn(const lambda_sns_record *r)
{
    return r ? ev_str(r->sns, "TopicArn", NULL) : NULL;
}

const char *lambda_sns_record_timestamp(const lambda_sns_record *r)
{
    return r ? ev_str(r->sns, "Timestamp", NULL) : NULL;
}

const char *lambda_sns_record_type(const lambda_sns_record *r)
{
    return r ? ev_str(r->sns, "Type", NULL) : NULL;
}

static json_object *attributes(const lambda_sns_record *r)
{
    return r ? ev_get(r->sns, "MessageAttributes") : NULL;
}

size_t lambda_sns_record_attribute_count(const lambda_sns_record *r)
{
    json_object *attrs = attributes(r);
    return attrs ? (size_t)json_object_object_length(attrs) : 0;
}

const char *lambda_sns_record_attribute_name(const lambda_sns_record *r, size_t index)
{
    json_object *attrs = attributes(r);
    if (!attrs)
        return NULL;
    json_object_object_foreach(attrs, k, v) {
        (void)v;
        if (index-- == 0)
            return k;
    }
    return NULL;
}

static json_object *attribute(const lambda_sns_record *r, const char *name)
{
    return name ? ev_get(attributes(r), name) : NULL;
}

const char *lambda_sns_record_attribute_type(const lambda_sns_record *r, const char *name)
{
    return ev_str(attribute(r, name), "Type", NULL);
}

const char *lambda_sns_record_attribute_value(const lambda_sns_record *r, const char *name)
{
    return ev_str(attribute(r, name), "Value", NULL);
}

lambda_code lambda_sns_record_attribute_binary(const lambda_sns_record *r, const char *name, void *buf,
                                               size_t cap, size_t *size)
{
    if (!r || !name || !size)
        return LAMBDA_E_INVALID_ARGUMENT;
    *size = 0;
    json_object *a = attribute(r, name);
    size_t len;
    const char *text = ev_str(a, "Value", &len);
    if (!text)
        return LAMBDA_E_NOT_FOUND;
    const char *type = ev_str(a, "Type", NULL);
    if (!type || strcmp(type, "Binary") != 0)
        return LAMBDA_E_WRONG_TYPE;
    return ev_base64_to_buffer(text, len, buf, cap, size);
}
