/** @file
 * lambda-c/handler.h - how a handler looks to the runtime.
 *
 * Layer mode: the function's zip holds a shared object, e.g. hello.so, and
 * the function's Handler setting names it and the symbol to call:
 *
 *     Handler: hello.handler   ->  symbol "handler" in $LAMBDA_TASK_ROOT/hello.so
 *     Handler: lib/app.route   ->  symbol "route" in $LAMBDA_TASK_ROOT/lib/app.so
 *
 * i.e. everything before the last '.' is the file (relative to the task
 * root, ".so" appended), everything after it is the symbol, a C identifier.
 *
 * The shared object may also define, once per file:
 *     int lambda_function_init(void);      called once before the first
 *                                          invocation; non-zero fails init
 *     void lambda_function_shutdown(void); called when the environment shuts
 *                                          down, if the runtime is told of it
 *
 * Including this header (or lambda-c.h) records in the handler the ABI it was
 * built against; the runtime refuses a handler built for an ABI it does not
 * provide, with an init error that names both versions.
 */
#ifndef LAMBDA_C_HANDLER_H
#define LAMBDA_C_HANDLER_H

#include "context.h"
#include "event.h"
#include "response.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A handler. Fill response (see response.h) and return 0. A non-zero return
 * without an error set in response is reported as errorType
 * "HandlerFailed" with the returned value in the message.
 */
typedef int lambda_handler_fn(lambda_event *event, const lambda_context *context,
                              lambda_response *response);

typedef int lambda_function_init_fn(void);      /**< The type of lambda_function_init. */
typedef void lambda_function_shutdown_fn(void); /**< The type of lambda_function_shutdown. */

/**
 * Optional: called once, before the first invocation, after the handler file
 * is loaded; a non-zero return fails init (Runtime.InitError). Declared here
 * so that a definition in a handler file is checked against it (and
 * -Wmissing-prototypes is satisfied); the SDK itself defines neither entry
 * point.
 */
int lambda_function_init(void);
/**
 * Optional: called once when the execution environment shuts down; defining
 * it makes the runtime register for SIGTERM. Runs outside signal context.
 */
void lambda_function_shutdown(void);

#define LAMBDA_FUNCTION_INIT_SYMBOL "lambda_function_init" /**< What the runtime looks up. */
#define LAMBDA_FUNCTION_SHUTDOWN_SYMBOL \
    "lambda_function_shutdown"                                 /**< What the runtime looks up. */
#define LAMBDA_HANDLER_ABI_SYMBOL "lambda_handler_abi_version" /**< The ABI marker's symbol. */

/**
 * The ABI marker. A weak definition in every file that includes this
 * header; the linker keeps one. Defined with default visibility so that the
 * runtime finds it with dlsym even when the handler is built with
 * -fvisibility=hidden.
 */
#ifndef LAMBDA_C_NO_ABI_MARKER
extern const unsigned lambda_handler_abi_version;
__attribute__((weak, visibility("default"))) const unsigned lambda_handler_abi_version =
    LAMBDA_C_ABI_VERSION;
#endif

/**
 * Whether a handler built against ABI `handler_abi` runs on a runtime
 * providing `runtime_abi`: same major, and a minor no newer than the runtime's.
 */
static inline int lambda_abi_compatible(unsigned runtime_abi, unsigned handler_abi)
{
    return (runtime_abi >> 16) == (handler_abi >> 16) &&
           (handler_abi & 0xffffu) <= (runtime_abi & 0xffffu);
}

#ifdef __cplusplus
}
#endif

#endif
