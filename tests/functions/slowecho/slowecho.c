/*
 * Waits the event's "ms" milliseconds, then answers the event's "id" together with what the
 * runtime told this invocation: for the multi-concurrency test.
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdlib.h>
#include <time.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *root, *v;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "%s",
                                         lambda_event_json_error(event));
    long ms = json_object_object_get_ex(root, "ms", &v) ? (long)json_object_get_int64(v) : 0;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "id",
                           json_object_object_get_ex(root, "id", &v) ? json_object_get(v) : NULL);
    json_object_object_add(out, "request_id",
                           json_object_new_string(lambda_context_request_id(ctx)));
    const char *trace = lambda_context_trace_id(ctx);
    json_object_object_add(out, "trace_id", trace ? json_object_new_string(trace) : NULL);
    const char *env_trace = getenv("_X_AMZN_TRACE_ID");
    json_object_object_add(out, "env_trace_id",
                           env_trace ? json_object_new_string(env_trace) : NULL);
    lambda_log_info("slowecho %s", json_object_to_json_string(json_object_object_get(out, "id")));
    return lambda_response_set_json(response, out);
}
