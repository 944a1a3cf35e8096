/* Exits the process with status 7 in the middle of an invocation. */
#include <lambda-c.h>
#include <stdlib.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    (void)response;
    exit(7);
}
