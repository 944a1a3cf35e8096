#include "core/runtime/invocation.h"
#include "util/json_check.h"

#include <json-c/json.h>
#include <stdio.h>

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

/* Parses the whole event as exactly one JSON document (trailing garbage is an error). */
static void parse_event(lambda_event *event)
{
    if (event->size >= INT32_MAX) {
        snprintf(event->json_error, sizeof event->json_error,
                 "event of %zu bytes is too large to parse", event->size);
        event->json_state = -1;
        return;
    }
    size_t offset = 0, deepest = 0;
    const char *why = NULL;
    if (!lc_json_syntax_check_depth(event->data, event->size, JSON_MAX_DEPTH, &offset, &why,
                                    &deepest)) {
        snprintf(event->json_error, sizeof event->json_error, "%s at offset %zu", why, offset);
        event->json_state = -1;
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
        snprintf(event->json_error, sizeof event->json_error, "out of memory");
        event->json_state = -1;
        return;
    }
    /* The NUL after the bytes is passed too: it tells json-c the input ends, so a bare
     * number such as "42" completes instead of waiting for more digits. */
    json_object *root = json_tokener_parse_ex(tok, event->data, (int)event->size + 1);
    enum json_tokener_error err = json_tokener_get_error(tok);
    if (err == json_tokener_success) {
        event->json = root;
        event->json_state = 1;
    } else {
        snprintf(event->json_error, sizeof event->json_error, "%s", json_tokener_error_desc(err));
        event->json_state = -1;
    }
    json_tokener_free(tok);
}

lambda_code lambda_event_json(lambda_event *event, struct json_object **out)
{
    if (!event || !out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (event->json_state == 0)
        parse_event(event);
    if (event->json_state < 0)
        return LAMBDA_E_INVALID_JSON;
    *out = event->json;
    return LAMBDA_OK;
}

const char *lambda_event_json_error(const lambda_event *event)
{
    return event && event->json_state < 0 ? event->json_error : NULL;
}
