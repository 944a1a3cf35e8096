/*
 * dynamodb.c - Amazon DynamoDB Streams events and attribute values
 * (event_dynamodb.h).
 *
 * Maps and values are the json-c objects themselves behind opaque pointer
 * types: {"name": value, ...} for a map, {"TYPE": content} for a value.
 */
#include "events/events_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The shared "Records" handles (events_internal.h); a record's body is its "dynamodb" object. */
struct lambda_dynamodb_event {
    lc_ev_batch batch;
};

struct lambda_dynamodb_record {
    lc_ev_record rec;
};

static const lc_ev_field record_fields[] = {
    { "eventID", EV_STRING },   { "eventName", EV_STRING }, { "eventSourceARN", EV_STRING },
    { "awsRegion", EV_STRING }, { "dynamodb", EV_OBJECT },  { "userIdentity", EV_OBJECT },
    { NULL, EV_STRING },
};

static const lc_ev_field ddb_fields[] = {
    { "Keys", EV_OBJECT },
    { "NewImage", EV_OBJECT },
    { "OldImage", EV_OBJECT },
    { "SequenceNumber", EV_STRING },
    { "StreamViewType", EV_STRING },
    { "SizeBytes", EV_INT },
    { "ApproximateCreationDateTime", EV_NUMBER },
    { NULL, EV_STRING },
};

static const lc_ev_field identity_fields[] = {
    { "principalId", EV_STRING },
    { NULL, EV_STRING },
};

static lambda_code check_record(json_object *r)
{
    lambda_code rc = lc_ev_check(r, record_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(r, "dynamodb"), ddb_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(r, "userIdentity"), identity_fields);
    return rc;
}

static const lc_ev_batch_kind kind = { "eventSource", "aws:dynamodb", "dynamodb", check_record };

lambda_code lambda_dynamodb_event_parse(struct json_object *root, lambda_dynamodb_event **out)
{
    lambda_code rc = LAMBDA_E_INVALID_ARGUMENT;
    if (out)
        *out = (lambda_dynamodb_event *)lc_ev_batch_parse(root, &kind, &rc);
    return rc;
}

void lambda_dynamodb_event_free(lambda_dynamodb_event *ev)
{
    lc_ev_batch_free((lc_ev_batch *)ev);
}

size_t lambda_dynamodb_event_count(const lambda_dynamodb_event *ev)
{
    return lc_ev_batch_count((const lc_ev_batch *)ev);
}

const lambda_dynamodb_record *lambda_dynamodb_event_record(const lambda_dynamodb_event *ev,
                                                           size_t index)
{
    return (const lambda_dynamodb_record *)lc_ev_batch_record((const lc_ev_batch *)ev, index);
}

static json_object *json(const lambda_dynamodb_record *r)
{
    return r ? r->rec.json : NULL;
}

static json_object *ddb(const lambda_dynamodb_record *r)
{
    return r ? r->rec.body : NULL;
}

struct json_object *lambda_dynamodb_record_json(const lambda_dynamodb_record *r)
{
    return json(r);
}

const char *lambda_dynamodb_record_event_id(const lambda_dynamodb_record *r)
{
    return lc_ev_str(json(r), "eventID", NULL);
}

const char *lambda_dynamodb_record_event_name(const lambda_dynamodb_record *r)
{
    return lc_ev_str(json(r), "eventName", NULL);
}

const char *lambda_dynamodb_record_event_source_arn(const lambda_dynamodb_record *r)
{
    return lc_ev_str(json(r), "eventSourceARN", NULL);
}

const char *lambda_dynamodb_record_aws_region(const lambda_dynamodb_record *r)
{
    return lc_ev_str(json(r), "awsRegion", NULL);
}

const char *lambda_dynamodb_record_sequence_number(const lambda_dynamodb_record *r)
{
    return lc_ev_str(ddb(r), "SequenceNumber", NULL);
}

const char *lambda_dynamodb_record_stream_view_type(const lambda_dynamodb_record *r)
{
    return lc_ev_str(ddb(r), "StreamViewType", NULL);
}

int64_t lambda_dynamodb_record_size_bytes(const lambda_dynamodb_record *r)
{
    return lc_ev_int64(ddb(r), "SizeBytes");
}

double lambda_dynamodb_record_creation_time(const lambda_dynamodb_record *r)
{
    return lc_ev_double(ddb(r), "ApproximateCreationDateTime");
}

const char *lambda_dynamodb_record_principal_id(const lambda_dynamodb_record *r)
{
    return lc_ev_str(lc_ev_get(json(r), "userIdentity"), "principalId", NULL);
}

static const lambda_dynamodb_map *as_map(json_object *o)
{
    return (const lambda_dynamodb_map *)o;
}

static json_object *map_json(const lambda_dynamodb_map *m)
{
    return (json_object *)m;
}

static json_object *value_json(const lambda_dynamodb_value *v)
{
    return (json_object *)v;
}

const lambda_dynamodb_map *lambda_dynamodb_record_keys(const lambda_dynamodb_record *r)
{
    return as_map(lc_ev_get(ddb(r), "Keys"));
}

const lambda_dynamodb_map *lambda_dynamodb_record_new_image(const lambda_dynamodb_record *r)
{
    return as_map(lc_ev_get(ddb(r), "NewImage"));
}

const lambda_dynamodb_map *lambda_dynamodb_record_old_image(const lambda_dynamodb_record *r)
{
    return as_map(lc_ev_get(ddb(r), "OldImage"));
}

/* ==================================================================== maps */

size_t lambda_dynamodb_map_count(const lambda_dynamodb_map *m)
{
    return lc_ev_map_count(map_json(m));
}

const lambda_dynamodb_value *lambda_dynamodb_map_get(const lambda_dynamodb_map *m, const char *name)
{
    return (const lambda_dynamodb_value *)lc_ev_get(map_json(m), name);
}

const char *lambda_dynamodb_map_at(const lambda_dynamodb_map *m, size_t index,
                                   const lambda_dynamodb_value **value)
{
    json_object *v;
    const char *name = lc_ev_map_at(map_json(m), index, &v);
    if (value)
        *value = (const lambda_dynamodb_value *)v;
    return name;
}

/* ================================================================== values */

static const char *const type_names[] = { "INVALID", "S", "N",  "B",  "BOOL", "NULL",
                                          "M",       "L", "SS", "NS", "BS" };

const char *lambda_dynamodb_type_name(lambda_dynamodb_type type)
{
    if ((int)type < 0 || (size_t)type >= sizeof type_names / sizeof type_names[0])
        return type_names[0];
    return type_names[type];
}

/* The type of v and, when valid, its content (the member's value). */
static lambda_dynamodb_type classify(const lambda_dynamodb_value *v, json_object **content)
{
    json_object *o = value_json(v);
    *content = NULL;
    if (!o || !json_object_is_type(o, json_type_object) || json_object_object_length(o) != 1)
        return LAMBDA_DYNAMODB_INVALID;
    json_object_object_foreach(o, k, c)
    {
        for (int t = LAMBDA_DYNAMODB_S; t <= LAMBDA_DYNAMODB_BS; t++) {
            if (strcmp(k, type_names[t]) != 0)
                continue;
            int ok = 0;
            switch ((lambda_dynamodb_type)t) {
            case LAMBDA_DYNAMODB_S:
            case LAMBDA_DYNAMODB_N:
            case LAMBDA_DYNAMODB_B:
                ok = lc_ev_is_kind(c, EV_STRING);
                break;
            case LAMBDA_DYNAMODB_BOOL:
                ok = lc_ev_is_kind(c, EV_BOOL);
                break;
            case LAMBDA_DYNAMODB_NULL:
                ok = lc_ev_is_kind(c, EV_BOOL) && json_object_get_boolean(c);
                break;
            case LAMBDA_DYNAMODB_M:
                ok = lc_ev_is_kind(c, EV_OBJECT);
                break;
            case LAMBDA_DYNAMODB_L:
                ok = lc_ev_is_kind(c, EV_ARRAY);
                break;
            case LAMBDA_DYNAMODB_SS:
            case LAMBDA_DYNAMODB_NS:
            case LAMBDA_DYNAMODB_BS:
                ok = lc_ev_is_kind(c, EV_STRING_ARRAY);
                break;
            case LAMBDA_DYNAMODB_INVALID:
                break;
            }
            if (!ok)
                return LAMBDA_DYNAMODB_INVALID;
            *content = c;
            return (lambda_dynamodb_type)t;
        }
    }
    return LAMBDA_DYNAMODB_INVALID;
}

/* The content of v when it is of type t, else NULL. */
static json_object *content_of(const lambda_dynamodb_value *v, lambda_dynamodb_type t)
{
    json_object *c;
    return classify(v, &c) == t ? c : NULL;
}

lambda_dynamodb_type lambda_dynamodb_value_type(const lambda_dynamodb_value *v)
{
    json_object *c;
    return classify(v, &c);
}

const char *lambda_dynamodb_value_string(const lambda_dynamodb_value *v, size_t *len)
{
    return lc_ev_string_of(content_of(v, LAMBDA_DYNAMODB_S), len);
}

const char *lambda_dynamodb_value_number(const lambda_dynamodb_value *v)
{
    return lc_ev_string_of(content_of(v, LAMBDA_DYNAMODB_N), NULL);
}

lambda_code lambda_dynamodb_value_int64(const lambda_dynamodb_value *v, int64_t *out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = 0;
    const char *s = lambda_dynamodb_value_number(v);
    if (!s)
        return LAMBDA_E_WRONG_TYPE;
    int neg = *s == '-';
    if (neg)
        s++;
    if (!*s)
        return LAMBDA_E_WRONG_TYPE;
    /* Accumulate as a negative number: INT64_MIN has no positive counterpart. */
    int64_t acc = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return LAMBDA_E_WRONG_TYPE;
        int d = *s - '0';
        if (acc < (INT64_MIN + d) / 10)
            return LAMBDA_E_WRONG_TYPE;
        acc = acc * 10 - d;
    }
    if (!neg) {
        if (acc == INT64_MIN)
            return LAMBDA_E_WRONG_TYPE;
        acc = -acc;
    }
    *out = acc;
    return LAMBDA_OK;
}

/* Whether s is a plain decimal number: -?(d+(.d*)?|.d+)([eE][+-]?d+)? */
static int is_decimal(const char *s)
{
    int digits = 0;
    if (*s == '-')
        s++;
    while (*s >= '0' && *s <= '9') {
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            digits++;
        }
    }
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

lambda_code lambda_dynamodb_value_double(const lambda_dynamodb_value *v, double *out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = 0;
    const char *s = lambda_dynamodb_value_number(v);
    if (!s || !is_decimal(s))
        return LAMBDA_E_WRONG_TYPE;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end != '\0')
        return LAMBDA_E_WRONG_TYPE;
    *out = d; /* out of range gives +-HUGE_VAL or 0, the nearest doubles */
    return LAMBDA_OK;
}

lambda_code lambda_dynamodb_value_bool(const lambda_dynamodb_value *v, int *out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = 0;
    json_object *c = content_of(v, LAMBDA_DYNAMODB_BOOL);
    if (!c)
        return LAMBDA_E_WRONG_TYPE;
    *out = json_object_get_boolean(c) ? 1 : 0;
    return LAMBDA_OK;
}

lambda_code lambda_dynamodb_value_binary(const lambda_dynamodb_value *v, void *buf, size_t cap,
                                         size_t *size)
{
    if (!size)
        return LAMBDA_E_INVALID_ARGUMENT;
    *size = 0;
    size_t len;
    const char *text = lc_ev_string_of(content_of(v, LAMBDA_DYNAMODB_B), &len);
    if (!text)
        return LAMBDA_E_WRONG_TYPE;
    return lc_ev_base64_to_buffer(text, len, buf, cap, size);
}

const lambda_dynamodb_map *lambda_dynamodb_value_map(const lambda_dynamodb_value *v)
{
    return as_map(content_of(v, LAMBDA_DYNAMODB_M));
}

size_t lambda_dynamodb_value_count(const lambda_dynamodb_value *v)
{
    json_object *c;
    switch (classify(v, &c)) {
    case LAMBDA_DYNAMODB_M:
        return (size_t)json_object_object_length(c);
    case LAMBDA_DYNAMODB_L:
    case LAMBDA_DYNAMODB_SS:
    case LAMBDA_DYNAMODB_NS:
    case LAMBDA_DYNAMODB_BS:
        return json_object_array_length(c);
    default:
        return 0;
    }
}

const lambda_dynamodb_value *lambda_dynamodb_value_list_at(const lambda_dynamodb_value *v,
                                                           size_t index)
{
    return (const lambda_dynamodb_value *)lc_ev_array_at(content_of(v, LAMBDA_DYNAMODB_L), index);
}

const char *lambda_dynamodb_value_set_string_at(const lambda_dynamodb_value *v, size_t index,
                                                size_t *len)
{
    json_object *c;
    lambda_dynamodb_type t = classify(v, &c);
    return lc_ev_string_of(
        t == LAMBDA_DYNAMODB_SS || t == LAMBDA_DYNAMODB_NS ? lc_ev_array_at(c, index) : NULL, len);
}

lambda_code lambda_dynamodb_value_set_binary_at(const lambda_dynamodb_value *v, size_t index,
                                                void *buf, size_t cap, size_t *size)
{
    if (!size)
        return LAMBDA_E_INVALID_ARGUMENT;
    *size = 0;
    json_object *c = content_of(v, LAMBDA_DYNAMODB_BS);
    if (!c)
        return LAMBDA_E_WRONG_TYPE;
    json_object *s = lc_ev_array_at(c, index);
    if (!s)
        return LAMBDA_E_NOT_FOUND;
    size_t len;
    const char *text = lc_ev_string_of(s, &len);
    return lc_ev_base64_to_buffer(text, len, buf, cap, size);
}
