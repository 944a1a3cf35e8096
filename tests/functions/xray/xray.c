/* An error with an X-Ray cause. */
#include <lambda-c.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    lambda_response_set_error(response, "Overdrawn", "balance below zero");
    return lambda_response_set_xray_cause(
        response, "{\"working_directory\":\"/var/task\",\"exceptions\":[{\"type\":\"Overdrawn\","
                  "\"message\":\"balance below zero\"}],\"paths\":[\"xray.c\"]}");
}
