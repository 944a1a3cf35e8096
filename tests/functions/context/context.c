/* Answers everything the context and the event expose, for the tests to compare. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdlib.h>

lambda_handler_fn handler;

static void add(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *o = json_object_new_object();
    add(o, "request_id", lambda_context_request_id(ctx));
    json_object_object_add(o, "deadline_ms",
                           json_object_new_int64(lambda_context_deadline_ms(ctx)));
    json_object_object_add(o, "remaining_ms",
                           json_object_new_int64(lambda_context_remaining_ms(ctx)));
    add(o, "invoked_function_arn", lambda_context_invoked_function_arn(ctx));
    add(o, "trace_id", lambda_context_trace_id(ctx));
    add(o, "client_context", lambda_context_client_context(ctx));
    add(o, "cognito_identity", lambda_context_cognito_identity(ctx));
    add(o, "tenant_id", lambda_context_tenant_id(ctx));
    add(o, "invocation_id", lambda_context_invocation_id(ctx));
    add(o, "function_name", lambda_context_function_name(ctx));
    add(o, "function_version", lambda_context_function_version(ctx));
    json_object_object_add(o, "memory_limit_mb",
                           json_object_new_int(lambda_context_memory_limit_mb(ctx)));
    add(o, "log_group_name", lambda_context_log_group_name(ctx));
    add(o, "log_stream_name", lambda_context_log_stream_name(ctx));
    add(o, "x_amzn_trace_id", getenv("_X_AMZN_TRACE_ID"));
    add(o, "content_type", lambda_event_content_type(event));
    size_t size;
    lambda_event_data(event, &size);
    json_object_object_add(o, "event_size", json_object_new_int64((int64_t)size));
    add(o, "sdk_version", lambda_version());
    lambda_log_info("context requested");
    return lambda_response_set_json(response, o);
}
