/*
 * kinesis.c - Amazon Kinesis Data Streams events (event_kinesis.h).
 */
#include "events/events_internal.h"

/*
 * The shared "Records" handles (events_internal.h): a record's body is its
 * "kinesis" object, its decoded value the data.
 */
struct lambda_kinesis_event {
    lc_ev_batch batch;
};

struct lambda_kinesis_record {
    lc_ev_record rec;
};

static const lc_ev_field record_fields[] = {
    { "eventID", EV_STRING },   { "eventName", EV_STRING },         { "eventSourceARN", EV_STRING },
    { "awsRegion", EV_STRING }, { "invokeIdentityArn", EV_STRING }, { "kinesis", EV_OBJECT },
    { NULL, EV_STRING },
};

static const lc_ev_field kinesis_fields[] = {
    { "partitionKey", EV_STRING }, { "sequenceNumber", EV_STRING },
    { "data", EV_STRING },         { "approximateArrivalTimestamp", EV_NUMBER },
    { NULL, EV_STRING },
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = lc_ev_check(r, record_fields);
    return rc ? rc : lc_ev_check(lc_ev_get(r, "kinesis"), kinesis_fields);
}

static const lc_ev_batch_kind kind = { "eventSource", "aws:kinesis", "kinesis", check_record };

lambda_code lambda_kinesis_event_parse(struct json_object *root, lambda_kinesis_event **out)
{
    lambda_code rc = LAMBDA_E_INVALID_ARGUMENT;
    if (out)
        *out = (lambda_kinesis_event *)lc_ev_batch_parse(root, &kind, &rc);
    return rc;
}

void lambda_kinesis_event_free(lambda_kinesis_event *ev)
{
    lc_ev_batch_free((lc_ev_batch *)ev);
}

size_t lambda_kinesis_event_count(const lambda_kinesis_event *ev)
{
    return lc_ev_batch_count((const lc_ev_batch *)ev);
}

const lambda_kinesis_record *lambda_kinesis_event_record(const lambda_kinesis_event *ev,
                                                         size_t index)
{
    return (const lambda_kinesis_record *)lc_ev_batch_record((const lc_ev_batch *)ev, index);
}

static json_object *json(const lambda_kinesis_record *r)
{
    return r ? r->rec.json : NULL;
}

static json_object *kinesis(const lambda_kinesis_record *r)
{
    return r ? r->rec.body : NULL;
}

struct json_object *lambda_kinesis_record_json(const lambda_kinesis_record *r)
{
    return json(r);
}

const char *lambda_kinesis_record_event_id(const lambda_kinesis_record *r)
{
    return lc_ev_str(json(r), "eventID", NULL);
}

const char *lambda_kinesis_record_event_name(const lambda_kinesis_record *r)
{
    return lc_ev_str(json(r), "eventName", NULL);
}

const char *lambda_kinesis_record_event_source_arn(const lambda_kinesis_record *r)
{
    return lc_ev_str(json(r), "eventSourceARN", NULL);
}

const char *lambda_kinesis_record_aws_region(const lambda_kinesis_record *r)
{
    return lc_ev_str(json(r), "awsRegion", NULL);
}

const char *lambda_kinesis_record_invoke_identity_arn(const lambda_kinesis_record *r)
{
    return lc_ev_str(json(r), "invokeIdentityArn", NULL);
}

const char *lambda_kinesis_record_partition_key(const lambda_kinesis_record *r)
{
    return lc_ev_str(kinesis(r), "partitionKey", NULL);
}

const char *lambda_kinesis_record_sequence_number(const lambda_kinesis_record *r)
{
    return lc_ev_str(kinesis(r), "sequenceNumber", NULL);
}

double lambda_kinesis_record_arrival_time(const lambda_kinesis_record *r)
{
    return lc_ev_double(kinesis(r), "approximateArrivalTimestamp");
}

lambda_code lambda_kinesis_record_data(const lambda_kinesis_record *r, const void **data,
                                       size_t *size)
{
    return lc_ev_record_decoded((const lc_ev_record *)r, kinesis(r), "data", lc_ev_decoded_base64,
                                data, size);
}

const char *lambda_kinesis_record_data_base64(const lambda_kinesis_record *r, size_t *len)
{
    return lc_ev_str(kinesis(r), "data", len);
}
