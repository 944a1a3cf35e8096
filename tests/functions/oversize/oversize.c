/* Answers the event's "bytes" (default 7 MiB) of 'x': over Lambda's 6 MB response limit. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdlib.h>
#include <string.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *bytes;
    size_t size = 7u << 20;
    if (lambda_event_json(event, &root) == LAMBDA_OK &&
        json_object_object_get_ex(root, "bytes", &bytes))
        size = (size_t)json_object_get_int64(bytes);
    char *body = malloc(size ? size : 1);
    if (!body)
        return lambda_response_set_error(response, "OutOfMemory", "cannot allocate %zu bytes",
                                         size);
    memset(body, 'x', size);
    return lambda_response_take_body(response, body, size, "text/plain");
}
