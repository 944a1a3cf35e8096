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

/* The memory one event's tree may take: a share of the function's (limits.h). */
static size_t tree_budget_bytes(int *memory_mb)
{
    const char *env = getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    long mb = env ? strtol(env, NULL, 10) : 0;
    if (mb <= 0 || mb > LC_LAMBDA_MAX_MEMORY_MB)
        mb = LC_LAMBDA_MAX_MEMORY_MB;
    *memory_mb = (int)mb;
    return (size_t)mb * 1024 * 1024 / LC_EVENT_MEMORY_SHARE_DIVISOR;
}

/* Whether the valid JSON text at s is the literal null (json-c's NULL root). */
static int is_null_document(const char *s, size_t size)
{
    size_t i = 0;
    while (i < size && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i < size && s[i] == 'n';
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
 * the budget of limits.h: the strict check counts what the tree will cost before json-c
 * builds it, so an event that would not fit the function's memory is refused up front.
 */
static void parse_event(lambda_event *event)
{
    if (event->size >= INT32_MAX) {
        json_failed(event, -1, "event of %zu bytes is too large to parse", event->size);
        return;
    }
    int memory_mb;
    lc_json_budget budget = { LC_LIMIT_EVENT_NODES, tree_budget_bytes(&memory_mb), 0, 0, 0 };
    size_t offset = 0, deepest = 0;
    const char *why = NULL;
    if (!lc_json_check(event->data, event->size, JSON_MAX_DEPTH, &budget, &offset, &why,
                       &deepest)) {
        if (budget.exceeded)
            json_failed(event, JSON_TOO_LARGE,
                        "the event needs more than %zu MB (%zu values) as a JSON tree: more than "
                        "a function of %d MB can give it",
                        budget.bytes >> 20, budget.nodes, memory_mb);
        else
            json_failed(event, -1, "%s at offset %zu", why, offset);
        return;
    }
    /* The text is valid JSON: json-c only builds the tree. A fresh tokener each time: one
     * kept across invocations made the heap creep up by ~100 KB over the first thousand
     * (measured through the emulator), which a runtime must not do. Its stack is as deep as
     * the check found the text to nest, not JSON_MAX_DEPTH: json-c callocs one 32-byte entry
     * per level, and zeroing 257 of them was 9.7k of hello's 43.7k instructions per
     * invocation (callgrind, bench/run.sh). */
    json_tokener *tok = json_tokener_new_ex((int)deepest + 1);
    if (!tok) {
        json_failed(event, JSON_NO_MEMORY, "out of memory parsing the event");
        return;
    }
    /* The NUL after the bytes is passed too: it tells json-c the input ends, so a bare
     * number such as "42" completes instead of waiting for more digits. */
    json_object *root = json_tokener_parse_ex(tok, event->data, (int)event->size + 1);
    enum json_tokener_error err = json_tokener_get_error(tok);
    json_tokener_free(tok);
    /* The strict check passed, so json-c has no reason to fail but memory: an allocation it
     * could not make shows as a parse error, or as a NULL (JSON null) root. */
    if (err == json_tokener_success && (root || is_null_document(event->data, event->size))) {
        event->json = root;
        event->json_state = 1;
    } else {
        json_object_put(root);
        json_failed(event, JSON_NO_MEMORY, "out of memory parsing the event (json-c: %s)",
                    json_tokener_error_desc(err));
    }
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
