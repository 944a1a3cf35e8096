/*
 * sns.c - Amazon SNS events (event_sns.h).
 */
#include "events/events_internal.h"

/* The shared "Records" handles (events_internal.h); a record's body is its "Sns" object. */
struct lambda_sns_event {
    lc_ev_batch batch;
};

struct lambda_sns_record {
    lc_ev_record rec;
};

static const lc_ev_field record_fields[] = {
    { "EventSubscriptionArn", EV_STRING },
    { "Sns", EV_OBJECT },
    { NULL, EV_STRING },
};

static const lc_ev_field sns_fields[] = {
    { "MessageId", EV_STRING },         { "Message", EV_STRING },   { "Subject", EV_STRING },
    { "TopicArn", EV_STRING },          { "Timestamp", EV_STRING }, { "Type", EV_STRING },
    { "MessageAttributes", EV_OBJECT }, { NULL, EV_STRING },
};

static const lc_ev_field attribute_fields[] = {
    { "Type", EV_STRING },
    { "Value", EV_STRING },
    { NULL, EV_STRING },
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = lc_ev_check(r, record_fields);
    if (rc)
        return rc;
    json_object *sns = lc_ev_get(r, "Sns");
    if (!sns)
        return LAMBDA_E_WRONG_TYPE;
    rc = lc_ev_check(sns, sns_fields);
    return rc ? rc : lc_ev_check_map(lc_ev_get(sns, "MessageAttributes"), attribute_fields);
}

static const lc_ev_batch_kind kind = { "EventSource", "aws:sns", "Sns", check_record };

lambda_code lambda_sns_event_parse(struct json_object *root, lambda_sns_event **out)
{
    lambda_code rc = LAMBDA_E_INVALID_ARGUMENT;
    if (out)
        *out = (lambda_sns_event *)lc_ev_batch_parse(root, &kind, &rc);
    return rc;
}

void lambda_sns_event_free(lambda_sns_event *ev)
{
    lc_ev_batch_free((lc_ev_batch *)ev);
}

size_t lambda_sns_event_count(const lambda_sns_event *ev)
{
    return lc_ev_batch_count((const lc_ev_batch *)ev);
}

const lambda_sns_record *lambda_sns_event_record(const lambda_sns_event *ev, size_t index)
{
    return (const lambda_sns_record *)lc_ev_batch_record((const lc_ev_batch *)ev, index);
}

static json_object *json(const lambda_sns_record *r)
{
    return r ? r->rec.json : NULL;
}

static json_object *sns(const lambda_sns_record *r)
{
    return r ? r->rec.body : NULL;
}

struct json_object *lambda_sns_record_json(const lambda_sns_record *r)
{
    return json(r);
}

const char *lambda_sns_record_subscription_arn(const lambda_sns_record *r)
{
    return lc_ev_str(json(r), "EventSubscriptionArn", NULL);
}

const char *lambda_sns_record_message_id(const lambda_sns_record *r)
{
    return lc_ev_str(sns(r), "MessageId", NULL);
}

const char *lambda_sns_record_message(const lambda_sns_record *r, size_t *len)
{
    return lc_ev_str(sns(r), "Message", len);
}

const char *lambda_sns_record_subject(const lambda_sns_record *r)
{
    return lc_ev_str(sns(r), "Subject", NULL);
}

const char *lambda_sns_record_topic_arn(const lambda_sns_record *r)
{
    return lc_ev_str(sns(r), "TopicArn", NULL);
}

const char *lambda_sns_record_timestamp(const lambda_sns_record *r)
{
    return lc_ev_str(sns(r), "Timestamp", NULL);
}

const char *lambda_sns_record_type(const lambda_sns_record *r)
{
    return lc_ev_str(sns(r), "Type", NULL);
}

static json_object *attributes(const lambda_sns_record *r)
{
    return lc_ev_get(sns(r), "MessageAttributes");
}

size_t lambda_sns_record_attribute_count(const lambda_sns_record *r)
{
    return lc_ev_map_count(attributes(r));
}

const char *lambda_sns_record_attribute_name(const lambda_sns_record *r, size_t index)
{
    return lc_ev_map_at(attributes(r), index, NULL);
}

const char *lambda_sns_record_attribute_type(const lambda_sns_record *r, const char *name)
{
    return lc_ev_str(lc_ev_get(attributes(r), name), "Type", NULL);
}

const char *lambda_sns_record_attribute_value(const lambda_sns_record *r, const char *name)
{
    return lc_ev_str(lc_ev_get(attributes(r), name), "Value", NULL);
}

lambda_code lambda_sns_record_attribute_binary(const lambda_sns_record *r, const char *name,
                                               void *buf, size_t cap, size_t *size)
{
    if (!r)
        return LAMBDA_E_INVALID_ARGUMENT;
    return lc_ev_attribute_binary(attributes(r), name, "Value", "Type", buf, cap, size);
}
