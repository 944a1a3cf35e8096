#include "core/runtime/invocation.h"
#include "util/ascii.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Arena memory kept between invocations; a larger one (huge client context) is given back. */
#define RESTING_STRINGS_CAPACITY (16 * 1024)

/* The headers copied into the context; after the "Lambda-Runtime-" prefix where they have it. */
#define RUNTIME_PREFIX "Lambda-Runtime-"
#define RUNTIME_PREFIX_LEN (sizeof RUNTIME_PREFIX - 1)
static const char *const copied_headers[] = {
    "Aws-Request-Id",   "Invoked-Function-Arn", "Trace-Id",      "Client-Context",
    "Cognito-Identity", "Aws-Tenant-Id",        "Invocation-Id", "Content-Type",
};
#define COPIED_COUNT (sizeof copied_headers / sizeof copied_headers[0])
#define CONTENT_TYPE_INDEX 7

/*
 * One pass over the response headers (the first of a repeated header wins, as a lookup by
 * name gave): each is compared once against the "Lambda-Runtime-" prefix and then only
 * against the names that share it. Looking each of 9 names up separately compared up to
 * 9 x headers names case-insensitively: 3.0k of hello's 43.7k instructions per invocation.
 */
static void find_headers(const lc_http_response *next, const char *values[COPIED_COUNT],
                         const char **deadline)
{
    for (size_t i = 0; i < COPIED_COUNT; i++)
        values[i] = NULL;
    *deadline = NULL;
    for (size_t h = 0; h < next->header_count; h++) {
        const char *name = next->headers[h].name, *value = next->headers[h].value;
        /* First letters before whole names (ASCII letters: | 0x20 lowers them): most
         * comparisons end there (strcasecmp calls were 1.1k instructions an invocation).
         * glibc's vectorised strcasecmp: a byte loop here (lc_ascii_caseeq) cost 1.4k more. */
        if ((name[0] | 0x20) != 'l' || strncasecmp(name, RUNTIME_PREFIX, RUNTIME_PREFIX_LEN) != 0) {
            if (!values[CONTENT_TYPE_INDEX] && strcasecmp(name, "Content-Type") == 0)
                values[CONTENT_TYPE_INDEX] = value;
            continue;
        }
        name += RUNTIME_PREFIX_LEN;
        if ((name[0] | 0x20) == 'd' && strcasecmp(name, "Deadline-Ms") == 0) {
            if (!*deadline)
                *deadline = value;
            continue;
        }
        for (size_t i = 0; i < CONTENT_TYPE_INDEX; i++) {
            if ((name[0] | 0x20) == (copied_headers[i][0] | 0x20) &&
                strcasecmp(name, copied_headers[i]) == 0) {
                if (!values[i])
                    values[i] = value;
                break;
            }
        }
    }
}

lambda_code lc_invocation_begin(lambda_context *ctx, lambda_event *event,
                                const lc_http_response *next, const lc_function_config *function)
{
    const char *values[COPIED_COUNT], *deadline;
    find_headers(next, values, &deadline);
    size_t need = 0;
    for (size_t i = 0; i < COPIED_COUNT; i++) {
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
    /* Milliseconds since the epoch: digits only; anything else is no deadline (0). */
    uint64_t ms = 0;
    ctx->deadline_ms = deadline && lc_ascii_decimal(deadline, INT64_MAX, &ms) ? (int64_t)ms : 0;

    event->data = next->body;
    event->size = next->body_size;
    event->content_type = copies[7];
    event->json = NULL;
    event->json_state = 0;
    event->memory_mb = function ? function->memory_limit_mb : 0;
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
