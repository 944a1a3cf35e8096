/* Crashes inside the handler: with SIGSEGV, or, when the event contains "overflow", by
 * overflowing its stack (the crash report must still be written, from the alternate stack). */
#include <lambda-c.h>
#include <signal.h>
#include <string.h>

lambda_handler_fn handler;

/* Each frame keeps 256 bytes live (small frames: the fault comes with the stack pointer inside the guard page, where no signal frame fits) so that the compiler can neither drop nor loop the recursion. */
static int recurse(volatile char *previous, int depth)
{
    volatile char frame[256];
    if (depth == 1 << 30) /* never reached: the stack ends long before */
        return 0;
    frame[0] = (char)depth;
    frame[255] = previous ? previous[0] : 0;
    return recurse(frame, depth + 1) + frame[255];
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    (void)response;
    size_t size;
    const char *data = lambda_event_data(event, &size);
    if (data && memmem(data, size, "overflow", 8))
        return recurse(NULL, 0);
    /* What a NULL dereference does, without the undefined behaviour the compiler could
     * optimise away. */
    raise(SIGSEGV);
    return 0;
}
