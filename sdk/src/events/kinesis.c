/*
 * kinesis.c - Amazon Kinesis Data Streams events (event_kinesis.h).
 */
#include "events_internal.h"

#include <stdlib.h>

struct lambda_kinesis_record {
    json_object *json;
    json_object *kinesis; /* the "kinesis" object */
    ev_decoded data;
};

struct lambda_kinesis_event {
    json_object *root;
    size_t count;
    struct lambda_kinesis_record *records;
};

static const ev_field record_fields[] = {
    {"eventID", EV_STRING},
    {"eventName", EV_STRING},
    {"eventSourceARN", EV_STRING},
    {"awsRegion", EV_STRING},
    {"invokeIdentityArn", EV_STRING},
    {"kinesis", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field kinesis_fields[] = {
    {"partitionKey", EV_STRING},
    {"sequenceNumber", EV_STRING},
    {"data", EV_STRING},
    {"approximateArrivalTimestamp", EV_NUMBER},
    {NULL, EV_STRING},
};

lambda_code lambda_kinesis_event_parse(struct json_object *root, lambda_kinesis_event **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    json_object *records;
    size_t n;
    lambda_code rc = ev_records(root, "eventSource", "aws:kinesis", &records, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(records, i);
        rc = ev_check(r, record_fields);
        if (!rc)
            rc = ev_check(ev_get(r, "kinesis"), kinesis_fields);
        if (rc)
            return rc;
    }
    lambda_kinesis_event *ev = calloc(1, sizeof *ev);
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
        ev->records[i].kinesis = ev_get(ev->records[i].json, "kinesis");
    }
    *out = ev;
    return LAMBDA_OK;
}

void lambda_kinesis_event_free(lambda_kinesis_event *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->count; i++)
        ev_decoded_free(&ev->records[i].data);
    free(ev->records);
    free(ev);
}

size_t lambda_kinesis_event_count(const lambda_kinesis_event *ev)
{
    return ev ? ev->count : 0;
}

const lambda_kinesis_record *lambda_kinesis_event_record(const lambda_kinesis_event *ev, size_t index)
{
    return ev && index < ev->count ? &ev->records[index] : NULL;
}

struct json_object *lambda_kinesis_record_json(const lambda_kinesis_record *r)
{
    return r ? r->json : NULL;
}

const char *lambda_kinesis_record_event_id(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->json, "eventID", NULL) : NULL;
}

const char *lambda_kinesis_record_event_name(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->json, "eventName", NULL) : NULL;
}

const char *lambda_kinesis_record_event_source_arn(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->json, "eventSourceARN", NULL) : NULL;
}

const char *lambda_kinesis_record_aws_region(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->json, "awsRegion", NULL) : NULL;
}

const char *lambda_kinesis_record_invoke_identity_arn(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->json, "invokeIdentityArn", NULL) : NULL;
}

const char *lambda_kinesis_record_partition_key(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->kinesis, "partitionKey", NULL) : NULL;
}

const char *lambda_kinesis_record_sequence_number(const lambda_kinesis_record *r)
{
    return r ? ev_str(r->kinesis, "sequenceNumber", NULL) : NULL;
}

double lambda_kinesis_record_arrival_time(const lambda_kinesis_record *r)
{
    json_object *t = r ? ev_get(r->kinesis, "approximateArrivalTimestamp") : NULL;
    return t ? json_object_get_double(t) : -1.0;
}

lambda_code lambda_kinesis_record_data(const lambda_kinesis_record *r, const void **data, size_t *size)
{
    if (size)
        *size = 0;
    if (!data)
        return LAMBDA_E_INVALID_ARGUMENT;
    *data = NULL;
    if (!r)
        return LAMBDA_E_INVALID_ARGUMENT;
    size_t len;
    const char *text = ev_str(r->kinesis, "data", &len);
    if (!text)
        return LAMBDA_E_NOT_FOUND;
    /* The record is allocated non-const; the decoded data is a logically const cache. */
    struct lambda_kinesis_record *w = (struct lambda_kinesis_record *)r;
    return ev_decoded_base64(&w->data, text, len, data, size);
}

const char *lambda_kinesis_record_data_base64(const lambda_kinesis_record *r, size_t *len)
{
    if (!r) {
        if (len)
            *len = 0;
        return NULL;
    }
    return ev_str(r->kinesis, "data", len);
}
