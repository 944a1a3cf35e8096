#include "invocation.h"

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
        snprintf(event->json_error, sizeof event->json_error, "event of %zu bytes is too large to parse",
                 event->size);
        event->json_state = -1;
        return;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        snprintf(event->json_error, sizeof event->json_error, "out of memory");
        event->json_state = -1;
        return;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    /* The NUL after the bytes is passed too: it tells json-c the input ends, so a bare
     * number such as "42" completes instead of waiting for more digits. */
    json_object *root = json_tokener_parse_ex(tok, event->data, (int)event->size + 1);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t consumed = json_tokener_get_parse_end(tok);
    if (err == json_tokener_success) {
        /* Only white space may follow the document. */
        for (size_t i = consumed; i < event->size; i++) {
            char c = event->data[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                snprintf(event->json_error, sizeof event->json_error,
                         "unexpected data after the JSON document at offset %zu", i);
                json_object_put(root);
                json_tokener_free(tok);
                event->json_state = -1;
                return;
            }
        }
        event->json = root;
        event->json_state = 1;
    } else {
        if (err == json_tokener_continue)
            snprintf(event->json_error, sizeof event->json_error,
                     "the JSON document ends early (%zu bytes)", event->size);
        else
            snprintf(event->json_error, sizeof event->json_error, "%s at offset %zu",
                     json_tokener_error_desc(err), consumed);
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
