#include "core/runtime/invocation.h"
#include "util/ascii.h"
#include "util/clock.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* What follows prefix in s, or NULL when s does not begin with it. By hand: strncmp was one
 * more libc function to bind at cold start. */
static const char *after_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (*s != *prefix)
            return NULL;
    return s;
}

/*
 * The function's settings from AWS_LAMBDA_* variables (empty ones are absent), in one pass
 * over the environment: five getenv calls scanned it five times (2.2k instructions at cold
 * start, callgrind, with Lambda's ~25 variables). The first of a repeated name wins, as
 * getenv gives.
 */
void lc_function_config_from_env(lc_function_config *config)
{
    static const char prefix[] = "AWS_LAMBDA_";
    static const char *const names[] = { "FUNCTION_NAME=", "FUNCTION_VERSION=", "LOG_GROUP_NAME=",
                                         "LOG_STREAM_NAME=", "FUNCTION_MEMORY_SIZE=" };
    const char *values[5] = { NULL, NULL, NULL, NULL, NULL };
    for (char **e = environ; e && *e; e++) {
        const char *rest = after_prefix(*e, prefix);
        for (size_t i = 0; rest && i < 5; i++) {
            const char *value = after_prefix(rest, names[i]);
            if (value) {
                if (!values[i])
                    values[i] = value;
                break;
            }
        }
    }
    for (size_t i = 0; i < 5; i++)
        if (values[i] && !*values[i])
            values[i] = NULL;
    config->name = values[0];
    config->version = values[1];
    config->log_group_name = values[2];
    config->log_stream_name = values[3];
    uint64_t mb = 0;
    config->memory_limit_mb = values[4] && lc_ascii_decimal(values[4], INT_MAX, &mb) ? (int)mb : 0;
}

const char *lambda_context_request_id(const lambda_context *ctx)
{
    return ctx ? ctx->request_id : NULL;
}

int64_t lambda_context_deadline_ms(const lambda_context *ctx)
{
    return ctx ? ctx->deadline_ms : 0;
}

int64_t lambda_context_remaining_ms(const lambda_context *ctx)
{
    if (!ctx || ctx->deadline_ms <= 0)
        return INT64_MAX;
    return ctx->deadline_ms - lc_clock_realtime_ms();
}

const char *lambda_context_invoked_function_arn(const lambda_context *ctx)
{
    return ctx ? ctx->invoked_function_arn : NULL;
}

const char *lambda_context_trace_id(const lambda_context *ctx)
{
    return ctx ? ctx->trace_id : NULL;
}

const char *lambda_context_client_context(const lambda_context *ctx)
{
    return ctx ? ctx->client_context : NULL;
}

const char *lambda_context_cognito_identity(const lambda_context *ctx)
{
    return ctx ? ctx->cognito_identity : NULL;
}

const char *lambda_context_tenant_id(const lambda_context *ctx)
{
    return ctx ? ctx->tenant_id : NULL;
}

const char *lambda_context_invocation_id(const lambda_context *ctx)
{
    return ctx ? ctx->invocation_id : NULL;
}

const char *lambda_context_function_name(const lambda_context *ctx)
{
    return ctx && ctx->function ? ctx->function->name : NULL;
}

const char *lambda_context_function_version(const lambda_context *ctx)
{
    return ctx && ctx->function ? ctx->function->version : NULL;
}

int lambda_context_memory_limit_mb(const lambda_context *ctx)
{
    return ctx && ctx->function ? ctx->function->memory_limit_mb : 0;
}

const char *lambda_context_log_group_name(const lambda_context *ctx)
{
    return ctx && ctx->function ? ctx->function->log_group_name : NULL;
}

const char *lambda_context_log_stream_name(const lambda_context *ctx)
{
    return ctx && ctx->function ? ctx->function->log_stream_name : NULL;
}
