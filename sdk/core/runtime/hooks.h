/*
 * hooks.h - invocation hooks (lambda_runtime_add_invocation_hook): what libraries built on
 * the core, such as liblambda-c-metrics, run after each handler without the core knowing them.
 */
#ifndef LAMBDA_C_CORE_HOOKS_H
#define LAMBDA_C_CORE_HOOKS_H

#include "lambda-c/context.h"

/* Runs every registered hook, in registration order, on the calling thread. */
void lc_hooks_run(const lambda_context *ctx);

#endif
