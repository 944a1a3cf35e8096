/*
 * s3.c - Amazon S3 event notifications (event_s3.h).
 */
#include "events/events_internal.h"

/*
 * The shared "Records" handles (events_internal.h): a record's body is its
 * "s3" object, its decoded value the object key.
 */
struct lambda_s3_event {
    lc_ev_batch batch;
};

struct lambda_s3_record {
    lc_ev_record rec;
};

static const lc_ev_field record_fields[] = {
    { "eventName", EV_STRING }, { "eventTime", EV_STRING }, { "awsRegion", EV_STRING },
    { "s3", EV_OBJECT },        { NULL, EV_STRING },
};

static const lc_ev_field s3_fields[] = {
    { "bucket", EV_OBJECT },
    { "object", EV_OBJECT },
    { NULL, EV_STRING },
};

static const lc_ev_field bucket_fields[] = {
    { "name", EV_STRING },
    { "arn", EV_STRING },
    { NULL, EV_STRING },
};

static const lc_ev_field object_fields[] = {
    { "key", EV_STRING },       { "size", EV_INT },         { "eTag", EV_STRING },
    { "versionId", EV_STRING }, { "sequencer", EV_STRING }, { NULL, EV_STRING },
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = lc_ev_check(r, record_fields);
    json_object *s3 = lc_ev_get(r, "s3");
    if (!rc)
        rc = lc_ev_check(s3, s3_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(s3, "bucket"), bucket_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(s3, "object"), object_fields);
    return rc;
}

static const lc_ev_batch_kind kind = { "eventSource", "aws:s3", "s3", check_record };

lambda_code lambda_s3_event_parse(struct json_object *root, lambda_s3_event **out)
{
    lambda_code rc = LAMBDA_E_INVALID_ARGUMENT;
    if (out)
        *out = (lambda_s3_event *)lc_ev_batch_parse(root, &kind, &rc);
    return rc;
}

void lambda_s3_event_free(lambda_s3_event *ev)
{
    lc_ev_batch_free((lc_ev_batch *)ev);
}

size_t lambda_s3_event_count(const lambda_s3_event *ev)
{
    return lc_ev_batch_count((const lc_ev_batch *)ev);
}

const lambda_s3_record *lambda_s3_event_record(const lambda_s3_event *ev, size_t index)
{
    return (const lambda_s3_record *)lc_ev_batch_record((const lc_ev_batch *)ev, index);
}

static json_object *json(const lambda_s3_record *r)
{
    return r ? r->rec.json : NULL;
}

static json_object *bucket(const lambda_s3_record *r)
{
    return r ? lc_ev_get(r->rec.body, "bucket") : NULL;
}

static json_object *object(const lambda_s3_record *r)
{
    return r ? lc_ev_get(r->rec.body, "object") : NULL;
}

struct json_object *lambda_s3_record_json(const lambda_s3_record *r)
{
    return json(r);
}

const char *lambda_s3_record_event_name(const lambda_s3_record *r)
{
    return lc_ev_str(json(r), "eventName", NULL);
}

const char *lambda_s3_record_event_time(const lambda_s3_record *r)
{
    return lc_ev_str(json(r), "eventTime", NULL);
}

const char *lambda_s3_record_aws_region(const lambda_s3_record *r)
{
    return lc_ev_str(json(r), "awsRegion", NULL);
}

const char *lambda_s3_record_bucket_name(const lambda_s3_record *r)
{
    return lc_ev_str(bucket(r), "name", NULL);
}

const char *lambda_s3_record_bucket_arn(const lambda_s3_record *r)
{
    return lc_ev_str(bucket(r), "arn", NULL);
}

lambda_code lambda_s3_record_object_key(const lambda_s3_record *r, const char **key, size_t *len)
{
    const void *decoded = NULL;
    lambda_code rc = lc_ev_record_decoded((const lc_ev_record *)r, object(r), "key",
                                          lc_ev_decoded_url, key ? &decoded : NULL, len);
    if (key)
        *key = decoded;
    return rc;
}

const char *lambda_s3_record_object_key_raw(const lambda_s3_record *r)
{
    return lc_ev_str(object(r), "key", NULL);
}

int64_t lambda_s3_record_object_size(const lambda_s3_record *r)
{
    return lc_ev_int64(object(r), "size");
}

const char *lambda_s3_record_object_etag(const lambda_s3_record *r)
{
    return lc_ev_str(object(r), "eTag", NULL);
}

const char *lambda_s3_record_object_version_id(const lambda_s3_record *r)
{
    return lc_ev_str(object(r), "versionId", NULL);
}

const char *lambda_s3_record_object_sequencer(const lambda_s3_record *r)
{
    return lc_ev_str(object(r), "sequencer", NULL);
}
