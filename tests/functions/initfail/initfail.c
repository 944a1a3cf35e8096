/* Its init entry point fails. */
#include <lambda-c.h>

lambda_function_init_fn lambda_function_init;
lambda_handler_fn handler;

int lambda_function_init(void)
{
    lambda_log_error("cannot reach the database");
    return 3;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    return lambda_response_set_body(response, "\"unreachable\"", 13, NULL);
}
