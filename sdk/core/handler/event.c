#include "core/runtime/invocation.h"
#include "util/json_check.h"
#include "util/limits.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const void *lambda_event_data(const lambda_event *event, size_t *size)
{
    if (!event) {
        if (size)
            *size = 0;
        return NULL;
    }
    if (size)
        *size = event->size;
    return event->data;
}

const char *lambda_event_content_type(const lambda_event *event)
{
    return event && event->content_type ? event->content_type : "application/json";
}

/* json_state values past the check (see invocation.h: 0 not parsed, 1 parsed, -1 invalid). */
enum { JSON_TOO_LARGE = -2, JSON_NO_MEMORY = -3 };

/* The memory one event's tree may take: a share of the function's (limits.h), whose size
 * the runtime read from AWS_LAMBDA_FUNCTION_MEMORY_SIZE at start. */
static size_t tree_budget_bytes(const lambda_event *event, int *memory_mb)
{
    int mb = event->memory_mb;
    if (mb <= 0 || mb > LC_LAMBDA_MAX_MEMORY_MB)
        mb = LC_LAMBDA_MAX_MEMORY_MB;
    *memory_mb = mb;
    return (size_t)mb * 1024 * 1024 / LC_EVENT_MEMORY_SHARE_DIVISOR;
}

static void json_failed(lambda_event *event, int state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void json_failed(lambda_event *event, int state, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(event->json_error, sizeof event->json_error, fmt, args);
    va_end(args);
    event->json_state = state;
}

/*
 * Parses the whole event as exactly one JSON document (trailing garbage is an error), within
 * the budget of limits.h: the tree is counted as it is built, so an event that would not fit
 * the function's memory is refused before it takes more than its share. One pass checks the
 * text strictly and builds json-c's tree (util/json_check.c says why not json-c's parser).
 */
static void parse_event(lambda_event *event)
{
    int memory_mb;
    lc_json_budget budget = { LC_LIMIT_EVENT_NODES, tree_budget_bytes(event, &memory_mb), 0, 0, 0 };
    size_t offset = 0;
    const char *why = NULL;
    json_object *root = NULL;
    switch (
        lc_json_parse(event->data, event->size, JSON_MAX_DEPTH, &budget, &root, &offset, &why)) {
    case LC_JSON_PARSED:
        event->json = root;
        event->json_state = 1;
        return;
    case LC_JSON_OVER_BUDGET:
        json_failed(event, JSON_TOO_LARGE,
                    "the event needs more than %zu MB (%zu values) as a JSON tree: more than "
                    "a function of %d MB can give it",
                    budget.bytes >> 20, budget.nodes, memory_mb);
        return;
    case LC_JSON_NO_MEMORY:
        json_failed(event, JSON_NO_MEMORY, "out of memory parsing the event");
        return;
    case LC_JSON_INVALID:
        break;
    }
    json_failed(event, -1, "%s at offset %zu", why, offset);
}

lambda_code lambda_event_json(lambda_event *event, struct json_object **out)
{
    if (!event || !out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (event->json_state == 0)
        parse_event(event);
    if (event->json_state == JSON_TOO_LARGE)
        return LAMBDA_E_TOO_LARGE;
    if (event->json_state == JSON_NO_MEMORY)
        return LAMBDA_E_NO_MEMORY;
    if (event->json_state < 0)
        return LAMBDA_E_INVALID_JSON;
    *out = event->json;
    return LAMBDA_OK;
}

const char *lambda_event_json_error(const lambda_event *event)
{
    return event && event->json_state < 0 ? event->json_error : NULL;
}
