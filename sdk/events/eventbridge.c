/*
 * eventbridge.c - Amazon EventBridge events (event_eventbridge.h).
 */
#include "events/events_internal.h"

#include <stdlib.h>

struct lambda_eventbridge_event {
    json_object *root;
};

static const lc_ev_field fields[] = {
    { "id", EV_STRING },     { "version", EV_STRING },         { "detail-type", EV_STRING },
    { "source", EV_STRING }, { "account", EV_STRING },         { "time", EV_STRING },
    { "region", EV_STRING }, { "resources", EV_STRING_ARRAY }, { NULL, EV_STRING },
};

lambda_code lambda_eventbridge_event_parse(struct json_object *root, lambda_eventbridge_event **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    lambda_code rc = lc_ev_check_root(root);
    if (!rc)
        rc = lc_ev_check(root, fields);
    if (rc)
        return rc;
    if (!lc_ev_get(root, "detail-type") || !lc_ev_get(root, "source"))
        return LAMBDA_E_NOT_FOUND;
    lambda_eventbridge_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return LAMBDA_E_NO_MEMORY;
    ev->root = root;
    *out = ev;
    return LAMBDA_OK;
}

void lambda_eventbridge_event_free(lambda_eventbridge_event *ev)
{
    free(ev);
}

static json_object *json(const lambda_eventbridge_event *ev)
{
    return ev ? ev->root : NULL;
}

struct json_object *lambda_eventbridge_event_json(const lambda_eventbridge_event *ev)
{
    return json(ev);
}

static const char *field(const lambda_eventbridge_event *ev, const char *key)
{
    return lc_ev_str(json(ev), key, NULL);
}

const char *lambda_eventbridge_event_id(const lambda_eventbridge_event *ev)
{
    return field(ev, "id");
}

const char *lambda_eventbridge_event_version(const lambda_eventbridge_event *ev)
{
    return field(ev, "version");
}

const char *lambda_eventbridge_event_detail_type(const lambda_eventbridge_event *ev)
{
    return field(ev, "detail-type");
}

const char *lambda_eventbridge_event_source(const lambda_eventbridge_event *ev)
{
    return field(ev, "source");
}

const char *lambda_eventbridge_event_account(const lambda_eventbridge_event *ev)
{
    return field(ev, "account");
}

const char *lambda_eventbridge_event_time(const lambda_eventbridge_event *ev)
{
    return field(ev, "time");
}

const char *lambda_eventbridge_event_region(const lambda_eventbridge_event *ev)
{
    return field(ev, "region");
}

size_t lambda_eventbridge_event_resource_count(const lambda_eventbridge_event *ev)
{
    json_object *a = lc_ev_get(json(ev), "resources");
    return a ? json_object_array_length(a) : 0;
}

const char *lambda_eventbridge_event_resource(const lambda_eventbridge_event *ev, size_t index)
{
    return lc_ev_string_of(lc_ev_array_at(lc_ev_get(json(ev), "resources"), index), NULL);
}

struct json_object *lambda_eventbridge_event_detail(const lambda_eventbridge_event *ev)
{
    return lc_ev_get(json(ev), "detail");
}
