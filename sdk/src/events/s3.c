/*
 * s3.c - Amazon S3 event notifications (event_s3.h).
 */
#include "events_internal.h"

#include <stdlib.h>

struct lambda_s3_record {
    json_object *json;
    json_object *bucket;
    json_object *object;
    char *key; /* decoded on first use */
    size_t key_len;
};

struct lambda_s3_event {
    json_object *root;
    size_t count;
    struct lambda_s3_record *records;
};

static const ev_field record_fields[] = {
    {"eventName", EV_STRING},
    {"eventTime", EV_STRING},
    {"awsRegion", EV_STRING},
    {"s3", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field s3_fields[] = {
    {"bucket", EV_OBJECT},
    {"object", EV_OBJECT},
    {NULL, EV_STRING},
};

static const ev_field bucket_fields[] = {
    {"name", EV_STRING},
    {"arn", EV_STRING},
    {NULL, EV_STRING},
};

static const ev_field object_fields[] = {
    {"key", EV_STRING},
    {"size", EV_INT},
    {"eTag", EV_STRING},
    {"versionId", EV_STRING},
    {"sequencer", EV_STRING},
    {NULL, EV_STRING},
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = ev_check(r, record_fields);
    json_object *s3 = ev_get(r, "s3");
    if (!rc)
        rc = ev_check(s3, s3_fields);
    if (!rc)
        rc = ev_check(ev_get(s3, "bucket"), bucket_fields);
    if (!rc)
        rc = ev_check(ev_get(s3, "object"), object_fields);
    return rc;
}

lambda_code lambda_s3_event_parse(struct json_object *root, lambda_s3_event **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    json_object *records;
    size_t n;
    lambda_code rc = ev_records(root, "eventSource", "aws:s3", &records, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = check_record(json_object_array_get_idx(records, i));
        if (rc)
            return rc;
    }
    lambda_s3_event *ev = calloc(1, sizeof *ev);
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
        struct lambda_s3_record *r = &ev->records[i];
        r->json = json_object_array_get_idx(records, i);
        json_object *s3 = ev_get(r->json, "s3");
        r->bucket = ev_get(s3, "bucket");
        r->object = ev_get(s3, "object");
    }
    *out = ev;
    return LAMBDA_OK;
}

void lambda_s3_event_free(lambda_s3_event *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->count; i++)
        free(ev->records[i].key);
    free(ev->records);
    free(ev);
}

size_t lambda_s3_event_count(const lambda_s3_event *ev)
{
    return ev ? ev->count : 0;
}

const lambda_s3_record *lambda_s3_event_record(const lambda_s3_event *ev, size_t index)
{
    return ev && index < ev->count ? &ev->records[index] : NULL;
}

struct json_object *lambda_s3_record_json(const lambda_s3_record *r)
{
    return r ? r->json : NULL;
}

const char *lambda_s3_record_event_name(const lambda_s3_record *r)
{
    return r ? ev_str(r->json, "eventName", NULL) : NULL;
}

const char *lambda_s3_record_event_time(const lambda_s3_record *r)
{
    return r ? ev_str(r->json, "eventTime", NULL) : NULL;
}

const char *lambda_s3_record_aws_region(const lambda_s3_record *r)
{
    return r ? ev_str(r->json, "awsRegion", NULL) : NULL;
}

const char *lambda_s3_record_bucket_name(const lambda_s3_record *r)
{
    return r ? ev_str(r->bucket, "name", NULL) : NULL;
}

const char *lambda_s3_record_bucket_arn(const lambda_s3_record *r)
{
    return r ? ev_str(r->bucket, "arn", NULL) : NULL;
}

lambda_code lambda_s3_record_object_key(const lambda_s3_record *r, const char **key, size_t *len)
{
    if (len)
        *len = 0;
    if (!key)
        return LAMBDA_E_INVALID_ARGUMENT;
    *key = NULL;
    if (!r)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (!r->key) {
        size_t raw_len;
        const char *raw = ev_str(r->object, "key", &raw_len);
        if (!raw)
            return LAMBDA_E_NOT_FOUND;
        char *decoded = malloc(raw_len + 1);
        if (!decoded)
            return LAMBDA_E_NO_MEMORY;
        /* The record is allocated non-const; the decoded key is a logically const cache. */
        struct lambda_s3_record *w = (struct lambda_s3_record *)r;
        w->key_len = ev_url_decode(raw, raw_len, decoded, 1);
        w->key = decoded;
    }
    *key = r->key;
    if (len)
        *len = r->key_len;
    return LAMBDA_OK;
}

const char *lambda_s3_record_object_key_raw(const lambda_s3_record *r)
{
    return r ? ev_str(r->object, "key", NULL) : NULL;
}

int64_t lambda_s3_record_object_size(const lambda_s3_record *r)
{
    json_object *size = r ? ev_get(r->object, "size") : NULL;
    return size ? json_object_get_int64(size) : -1;
}

const char *lambda_s3_record_object_etag(const lambda_s3_record *r)
{
    return r ? ev_str(r->object, "eTag", NULL) : NULL;
}

const char *lambda_s3_record_object_version_id(const lambda_s3_record *r)
{
    return r ? ev_str(r->object, "versionId", NULL) : NULL;
}

const char *lambda_s3_record_object_sequencer(const lambda_s3_record *r)
{
    return r ? ev_str(r->object, "sequencer", NULL) : NULL;
}
