/* fail: a handled error, as Lambda's error JSON with a stack trace. */
#include <json-c/json.h>
#include <lambda-c.h>

/* Declaring it with the SDK's type makes the compiler check the signature. */
lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *reason;
    const char *why = "something went wrong";
    if (lambda_event_json(event, &root) == LAMBDA_OK &&
        json_object_object_get_ex(root, "reason", &reason))
        why = json_object_get_string(reason);
    lambda_response_set_error(response, "OrderRejected", "order rejected: %s", why);
    lambda_response_add_stack_line(response, "fail.c: handler");
    return 1;
}
