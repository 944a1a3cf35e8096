/*
 * lambda-c/runtime.h - running the invocation loop from your own program.
 *
 * Executable mode: instead of a shared object, the function ships its own
 * `bootstrap` executable, dynamically linked against the layer's
 * liblambda-c.so.1 (found in /opt/lib through Lambda's LD_LIBRARY_PATH):
 *
 *     int main(void) { return lambda_run(my_handler); }
 *
 * Lambda prefers /var/task/bootstrap over the layer's /opt/bootstrap, so
 * both modes coexist.
 */
#ifndef LAMBDA_C_RUNTIME_H
#define LAMBDA_C_RUNTIME_H

#include "handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Connect to $AWS_LAMBDA_RUNTIME_API and serve invocations with handler until
 * Lambda stops the process. Returns only when the loop cannot go on (the
 * Runtime API is unreachable, closed the connection or answered 500); the
 * return value is then a process exit status (non-zero), already logged.
 * The ABI check happens here: a program built against a newer ABI than the
 * loaded library posts an init error and returns.
 */
int lambda_run_abi(lambda_handler_fn *handler, unsigned handler_abi);
#define lambda_run(handler) lambda_run_abi((handler), LAMBDA_C_ABI_VERSION)

/*
 * Report that initialization failed: posts error_type and the printf-style
 * message to /runtime/init/error (Lambda then fails the pending invocation
 * with it) and logs it. The process should exit non-zero afterwards.
 * error_type NULL means "Runtime.InitError".
 */
lambda_code lambda_runtime_init_error(const char *error_type, const char *message_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Ask for a graceful shutdown: hook runs once when Lambda shuts the execution
 * environment down, before the process ends, with the short time Lambda
 * allows (a few hundred milliseconds). Without it Lambda ends the process
 * with SIGKILL and nothing runs. Works by registering an internal extension
 * (Lambda then sends SIGTERM first); call it before lambda_run. The layer's
 * runtime does this by itself when the handler file defines
 * lambda_function_shutdown. Since 1.1.
 */
lambda_code lambda_runtime_on_shutdown(lambda_function_shutdown_fn *hook);

/*
 * Called on the thread that ran the handler, after it returned (whatever its outcome) and
 * before the answer is sent, with the invocation's context and the arg given at
 * registration. Logging from a hook carries the invocation's request id.
 */
typedef void lambda_invocation_hook_fn(const lambda_context *ctx, void *arg);

/*
 * Run hook after every invocation (see lambda_invocation_hook_fn), in the order of
 * registration; liblambda-c-metrics uses it to write each invocation's metrics. Meant for
 * initialization (a library constructor, lambda_function_init): thread-safe, but an
 * invocation running meanwhile may not see the new hook. At most LAMBDA_MAX_INVOCATION_HOOKS
 * hooks; registering the same (hook, arg) twice has no effect.
 * Returns LAMBDA_E_INVALID_ARGUMENT for a NULL hook, LAMBDA_E_STATE when full. Since 1.2.
 */
#define LAMBDA_MAX_INVOCATION_HOOKS 8
lambda_code lambda_runtime_add_invocation_hook(lambda_invocation_hook_fn *hook, void *arg);

#ifdef __cplusplus
}
#endif

#endif
