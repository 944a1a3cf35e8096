/* Claims to be built against a future minor ABI (1.99) that this runtime does not provide. */
#define LAMBDA_C_NO_ABI_MARKER
#include <lambda-c.h>

__attribute__((visibility("default"))) const unsigned lambda_handler_abi_version =
    LAMBDA_C_ABI_PACK(LAMBDA_C_ABI_MAJOR, 99);

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    return lambda_response_set_body(response, "\"should not run\"", 16, NULL);
}
