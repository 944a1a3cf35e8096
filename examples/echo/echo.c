/* echo: answers the event's bytes unchanged, with the event's content type. No copy. */
#include <lambda-c.h>

/* Declaring it with the SDK's type makes the compiler check the signature. */
lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    size_t size;
    const void *data = lambda_event_data(event, &size);
    /* The event's bytes live until the invocation ends: a reference is enough. */
    return lambda_response_set_body_ref(response, data, size, lambda_event_content_type(event));
}
