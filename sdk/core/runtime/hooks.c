/*
 * hooks.c - invocation hooks. Registration takes a lock; running them takes none: an entry
 * is complete before the count that publishes it grows (release/acquire), and entries are
 * never removed, so a worker reads a consistent prefix of the table.
 */
#include "core/runtime/hooks.h"
#include "lambda-c/runtime.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct hook {
    lambda_invocation_hook_fn *fn;
    void *arg;
} hook;

static hook hooks[LAMBDA_MAX_INVOCATION_HOOKS];
static atomic_size_t hook_count;
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;

lambda_code lambda_runtime_add_invocation_hook(lambda_invocation_hook_fn *fn, void *arg)
{
    if (!fn)
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_code rc = LAMBDA_OK;
    pthread_mutex_lock(&hook_lock);
    size_t n = atomic_load_explicit(&hook_count, memory_order_relaxed);
    size_t i = 0;
    while (i < n && !(hooks[i].fn == fn && hooks[i].arg == arg))
        i++;
    if (i == n) {
        if (n == LAMBDA_MAX_INVOCATION_HOOKS) {
            rc = LAMBDA_E_STATE;
        } else {
            hooks[n] = (hook){ fn, arg };
            atomic_store_explicit(&hook_count, n + 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&hook_lock);
    return rc;
}

void lc_hooks_run(const lambda_context *ctx)
{
    size_t n = atomic_load_explicit(&hook_count, memory_order_acquire);
    for (size_t i = 0; i < n; i++)
        hooks[i].fn(ctx, hooks[i].arg);
}
