#include "core/runtime/invocation.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* Arena memory kept between invocations; a larger one (huge client context) is given back. */
#define RESTING_STRINGS_CAPACITY (16 * 1024)

static const char *const copied_headers[] = {
    "Lambda-Runtime-Aws-Request-Id",   "Lambda-Runtime-Invoked-Function-Arn",
    "Lambda-Runtime-Trace-Id",         "Lambda-Runtime-Client-Context",
    "Lambda-Runtime-Cognito-Identity", "Lambda-Runtime-Aws-Tenant-Id",
    "Lambda-Runtime-Invocation-Id",    "Content-Type",
};
#define COPIED_COUNT (sizeof copied_headers / sizeof copied_headers[0])

lambda_code lc_invocation_begin(lambda_context *ctx, lambda_event *event,
                                const lc_http_response *next, const lc_function_config *function)
{
    const char *values[COPIED_COUNT];
    size_t need = 0;
    for (size_t i = 0; i < COPIED_COUNT; i++) {
        values[i] = lc_http_response_header(next, copied_headers[i]);
        if (values[i] && !*values[i])
            values[i] = NULL; /* an empty header is an absent field */
        if (values[i])
            need += strlen(values[i]) + 1;
    }
    if (need > ctx->strings_cap) {
        char *strings = realloc(ctx->strings, need);
        if (!strings)
            return LAMBDA_E_NO_MEMORY;
        ctx->strings = strings;
        ctx->strings_cap = need;
    }
    const char *copies[COPIED_COUNT];
    size_t used = 0;
    for (size_t i = 0; i < COPIED_COUNT; i++) {
        copies[i] = NULL;
        if (!values[i])
            continue;
        size_t len = strlen(values[i]) + 1;
        memcpy(ctx->strings + used, values[i], len);
        copies[i] = ctx->strings + used;
        used += len;
    }
    ctx->function = function;
    ctx->request_id = copies[0];
    ctx->invoked_function_arn = copies[1];
    ctx->trace_id = copies[2];
    ctx->client_context = copies[3];
    ctx->cognito_identity = copies[4];
    ctx->tenant_id = copies[5];
    ctx->invocation_id = copies[6];
    ctx->deadline_ms = 0;
    const char *deadline = lc_http_response_header(next, "Lambda-Runtime-Deadline-Ms");
    if (deadline)
        ctx->deadline_ms = strtoll(deadline, NULL, 10);

    event->data = next->body;
    event->size = next->body_size;
    event->content_type = copies[7];
    event->json = NULL;
    event->json_state = 0;
    event->json_error[0] = '\0';
    return LAMBDA_OK;
}

void lc_invocation_end(lambda_context *ctx, lambda_event *event, lambda_response *response)
{
    lc_response_reset(response);
    if (event->json) {
        json_object_put(event->json);
        event->json = NULL;
    }
    event->json_state = 0;
    event->data = NULL;
    event->size = 0;
    if (ctx->strings_cap > RESTING_STRINGS_CAPACITY) {
        free(ctx->strings);
        ctx->strings = NULL;
        ctx->strings_cap = 0;
    }
    ctx->request_id = ctx->invoked_function_arn = ctx->trace_id = NULL;
    ctx->client_context = ctx->cognito_identity = ctx->tenant_id = ctx->invocation_id = NULL;
}

void lc_invocation_free(lambda_context *ctx, lambda_event *event, lambda_response *response)
{
    lc_invocation_end(ctx, event, response);
    free(ctx->strings);
    ctx->strings = NULL;
    ctx->strings_cap = 0;
    free(response->stack);
    response->stack = NULL;
    response->stack_cap = 0;
}
