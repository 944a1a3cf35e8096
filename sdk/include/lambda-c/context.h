/*
 * lambda-c/context.h - what Lambda tells a handler about the invocation and
 * the function.
 *
 * A lambda_context is owned by the runtime and valid only during the handler
 * call it is passed to. Every string it returns is NUL-terminated UTF-8 owned
 * by the context; a field Lambda did not send is NULL (never "").
 */
#ifndef LAMBDA_C_CONTEXT_H
#define LAMBDA_C_CONTEXT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lambda_context lambda_context;

/* --- this invocation (from the Runtime API headers) --- */

/* Lambda-Runtime-Aws-Request-Id. Never NULL during an invocation. */
const char *lambda_context_request_id(const lambda_context *ctx);

/* Lambda-Runtime-Deadline-Ms: the deadline as Unix epoch milliseconds, 0 if absent. */
int64_t lambda_context_deadline_ms(const lambda_context *ctx);

/* Milliseconds left until the deadline (negative once passed); INT64_MAX without a deadline. */
int64_t lambda_context_remaining_ms(const lambda_context *ctx);

/* Lambda-Runtime-Invoked-Function-Arn: the ARN the caller used (may carry a qualifier). */
const char *lambda_context_invoked_function_arn(const lambda_context *ctx);

/* Lambda-Runtime-Trace-Id: the X-Ray header "Root=...;Parent=...;Sampled=...". */
const char *lambda_context_trace_id(const lambda_context *ctx);

/* Lambda-Runtime-Client-Context: JSON text sent by mobile SDK callers. */
const char *lambda_context_client_context(const lambda_context *ctx);

/* Lambda-Runtime-Cognito-Identity: JSON text with the caller's Cognito identity. */
const char *lambda_context_cognito_identity(const lambda_context *ctx);

/* Lambda-Runtime-Aws-Tenant-Id: the tenant of a tenant-isolated function. */
const char *lambda_context_tenant_id(const lambda_context *ctx);

/* Lambda-Runtime-Invocation-Id: unique per delivery of this invocation. */
const char *lambda_context_invocation_id(const lambda_context *ctx);

/* --- the function (from the environment, read once at init) --- */

const char *lambda_context_function_name(const lambda_context *ctx); /* AWS_LAMBDA_FUNCTION_NAME */
const char *
lambda_context_function_version(const lambda_context *ctx); /* AWS_LAMBDA_FUNCTION_VERSION */
int lambda_context_memory_limit_mb(
    const lambda_context *ctx); /* AWS_LAMBDA_FUNCTION_MEMORY_SIZE, 0 if unset */
const char *
lambda_context_log_group_name(const lambda_context *ctx); /* AWS_LAMBDA_LOG_GROUP_NAME */
const char *
lambda_context_log_stream_name(const lambda_context *ctx); /* AWS_LAMBDA_LOG_STREAM_NAME */

#ifdef __cplusplus
}
#endif

#endif
