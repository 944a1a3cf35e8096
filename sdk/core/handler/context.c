#include "core/runtime/invocation.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

static const char *env_or_null(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void lc_function_config_from_env(lc_function_config *config)
{
    config->name = env_or_null("AWS_LAMBDA_FUNCTION_NAME");
    config->version = env_or_null("AWS_LAMBDA_FUNCTION_VERSION");
    config->log_group_name = env_or_null("AWS_LAMBDA_LOG_GROUP_NAME");
    config->log_stream_name = env_or_null("AWS_LAMBDA_LOG_STREAM_NAME");
    const char *memory = env_or_null("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    config->memory_limit_mb = memory ? atoi(memory) : 0;
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
