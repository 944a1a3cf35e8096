#include "core/runtime/invocation.h"
#include "util/utf8.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_response_reset(lambda_response *response)
{
    lc_response_reset_outcome(response);
    free(response->xray_cause);
    response->xray_cause = NULL;
    free(response->prelude);
    response->prelude = NULL;
    response->prelude_size = 0;
    response->streamed = 0;
    response->stream = STREAM_NONE;
}

void lc_response_reset_outcome(lambda_response *response)
{
    free(response->owned);
    response->owned = NULL;
    response->data = NULL;
    response->size = 0;
    response->content_type[0] = '\0';
    if (response->json) {
        json_object_put(response->json);
        response->json = NULL;
    }
    free(response->error_type);
    response->error_type = NULL;
    free(response->error_message);
    response->error_message = NULL;
    for (size_t i = 0; i < response->stack_count; i++)
        free(response->stack[i]);
    response->stack_count = 0;
    if (response->stack_cap > 64) {
        /* An unusually deep trace: do not keep its array for every later invocation. */
        free(response->stack);
        response->stack = NULL;
        response->stack_cap = 0;
    }
    response->kind = RESPONSE_NONE;
}

static lambda_code set_content_type(lambda_response *response, const char *content_type)
{
    if (!content_type)
        content_type = "application/json";
    size_t len = strlen(content_type);
    if (len >= sizeof response->content_type || strpbrk(content_type, "\r\n"))
        return LAMBDA_E_INVALID_ARGUMENT;
    memcpy(response->content_type, content_type, len + 1);
    return LAMBDA_OK;
}

lambda_code lambda_response_set_body_ref(lambda_response *response, const void *data, size_t size,
                                         const char *content_type)
{
    if (!response || (!data && size))
        return LAMBDA_E_INVALID_ARGUMENT;
    if (response->stream != STREAM_NONE)
        return LAMBDA_E_STATE;
    lc_response_reset_outcome(response);
    lambda_code rc = set_content_type(response, content_type);
    if (rc)
        return rc;
    response->data = data ? data : "";
    response->size = size;
    response->kind = RESPONSE_BODY;
    return LAMBDA_OK;
}

lambda_code lambda_response_take_body(lambda_response *response, void *data, size_t size,
                                      const char *content_type)
{
    if (!response || (!data && size)) {
        free(data);
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    lambda_code rc = lambda_response_set_body_ref(response, data, size, content_type);
    if (rc) {
        free(data);
        return rc;
    }
    response->owned = data;
    return LAMBDA_OK;
}

lambda_code lambda_response_set_body(lambda_response *response, const void *data, size_t size,
                                     const char *content_type)
{
    if (!response || (!data && size))
        return LAMBDA_E_INVALID_ARGUMENT;
    if (response->stream != STREAM_NONE)
        return LAMBDA_E_STATE;
    void *copy = malloc(size ? size : 1);
    if (!copy)
        return LAMBDA_E_NO_MEMORY;
    if (size)
        memcpy(copy, data, size);
    return lambda_response_take_body(response, copy, size, content_type);
}

lambda_code lambda_response_set_json(lambda_response *response, struct json_object *value)
{
    if (!response || response->stream != STREAM_NONE) {
        json_object_put(value);
        return response ? LAMBDA_E_STATE : LAMBDA_E_INVALID_ARGUMENT;
    }
    lc_response_reset_outcome(response);
    response->json = value;
    response->kind = RESPONSE_JSON;
    return LAMBDA_OK;
}

lambda_code lambda_response_set_error(lambda_response *response, const char *error_type,
                                      const char *message_format, ...)
{
    if (!response)
        return LAMBDA_E_INVALID_ARGUMENT;
    /* Allowed while streaming: the error then ends the stream (trailers). */
    lc_response_reset_outcome(response);
    char *message = NULL;
    if (message_format) {
        va_list args;
        va_start(args, message_format);
        int n = vasprintf(&message, message_format, args);
        va_end(args);
        if (n < 0)
            message = NULL;
    } else {
        message = strdup("");
    }
    char *type = strdup(error_type && *error_type ? error_type : "Function.Error");
    if (!message || !type) {
        free(message);
        free(type);
        /* Still an error outcome, with what we can say without memory. */
        response->kind = RESPONSE_ERROR;
        return LAMBDA_E_NO_MEMORY;
    }
    response->error_type = type;
    response->error_message = message;
    response->kind = RESPONSE_ERROR;
    return LAMBDA_OK;
}

lambda_code lambda_response_add_stack_line(lambda_response *response, const char *line)
{
    if (!response || !line)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (response->kind != RESPONSE_ERROR)
        return LAMBDA_E_STATE;
    if (response->stack_count == response->stack_cap) {
        size_t cap = response->stack_cap ? response->stack_cap * 2 : 8;
        char **stack = realloc(response->stack, cap * sizeof *stack);
        if (!stack)
            return LAMBDA_E_NO_MEMORY;
        response->stack = stack;
        response->stack_cap = cap;
    }
    char *copy = strdup(line);
    if (!copy)
        return LAMBDA_E_NO_MEMORY;
    response->stack[response->stack_count++] = copy;
    return LAMBDA_OK;
}

int lambda_response_is_error(const lambda_response *response)
{
    return response && response->kind == RESPONSE_ERROR;
}

lambda_code lambda_response_set_xray_cause(lambda_response *response, const char *cause_json)
{
    if (!response || !cause_json)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (response->kind != RESPONSE_ERROR)
        return LAMBDA_E_STATE;
    size_t len = strlen(cause_json);
    if (len > XRAY_CAUSE_MAX)
        return LAMBDA_E_TOO_LARGE;
    if (strpbrk(cause_json, "\r\n"))
        return LAMBDA_E_INVALID_ARGUMENT; /* it travels as one header line */
    json_object *parsed = json_tokener_parse(cause_json);
    if (!parsed || !json_object_is_type(parsed, json_type_object)) {
        json_object_put(parsed);
        return LAMBDA_E_INVALID_JSON;
    }
    json_object_put(parsed);
    char *copy = strdup(cause_json);
    if (!copy)
        return LAMBDA_E_NO_MEMORY;
    free(response->xray_cause);
    response->xray_cause = copy;
    return LAMBDA_OK;
}

lambda_code lc_response_payload(lambda_response *response, const void **data, size_t *size,
                                const char **content_type)
{
    switch (response->kind) {
    case RESPONSE_BODY:
        *data = response->data;
        *size = response->size;
        *content_type = response->content_type;
        return LAMBDA_OK;
    case RESPONSE_JSON:
        if (response->json) {
            size_t len = 0;
            const char *text = json_object_to_json_string_length(
                response->json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
            if (!text)
                return LAMBDA_E_NO_MEMORY;
            *data = text;
            *size = len;
        } else {
            *data = "null";
            *size = 4;
        }
        *content_type = "application/json";
        return LAMBDA_OK;
    case RESPONSE_NONE:
        *data = "null";
        *size = 4;
        *content_type = "application/json";
        return LAMBDA_OK;
    case RESPONSE_ERROR:
        break;
    }
    return LAMBDA_E_STATE;
}

char *lc_error_json_build(const char *error_type, const char *message, char *const *stack,
                          size_t stack_count, size_t *size)
{
    json_object *root = json_object_new_object();
    json_object *trace = json_object_new_array();
    char *out = NULL;
    if (!root || !trace)
        goto done;
    char *type = lc_utf8_repair(error_type ? error_type : "", strlen(error_type ? error_type : ""));
    char *msg = lc_utf8_repair(message ? message : "", strlen(message ? message : ""));
    if (type && msg) {
        json_object_object_add(root, "errorMessage", json_object_new_string(msg));
        json_object_object_add(root, "errorType", json_object_new_string(type));
    }
    free(type);
    free(msg);
    for (size_t i = 0; i < stack_count; i++) {
        char *line = lc_utf8_repair(stack[i], strlen(stack[i]));
        if (line)
            json_object_array_add(trace, json_object_new_string(line));
        free(line);
    }
    json_object_object_add(root, "stackTrace", trace);
    trace = NULL;
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (text) {
        out = malloc(len + 1);
        if (out) {
            memcpy(out, text, len + 1);
            *size = len;
        }
    }
done:
    json_object_put(trace);
    json_object_put(root);
    return out;
}
