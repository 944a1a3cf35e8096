/* Crashes with SIGSEGV inside the handler. */
#include <lambda-c.h>
#include <signal.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    (void)response;
    /* What a NULL dereference does, without the undefined behaviour the compiler could
     * optimise away. */
    raise(SIGSEGV);
    return 0;
}
