/* Defines the shutdown hook: the runtime then asks Lambda for SIGTERM and runs it. */
#include <lambda-c.h>
#include <stdio.h>
#include <unistd.h>

lambda_function_shutdown_fn lambda_function_shutdown;
lambda_handler_fn handler;

void lambda_function_shutdown(void)
{
    static const char line[] = "graceful: shutdown hook ran\n";
    ssize_t ignored = write(STDERR_FILENO, line, sizeof line - 1);
    (void)ignored;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    return lambda_response_set_body(response, "\"up\"", 4, NULL);
}
