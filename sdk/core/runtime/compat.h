/*
 * compat.h - executable-mode programs built against 1.1 find the event bindings and metrics.
 *
 * Until 1.1 liblambda-c.so.1 held the event bindings and EMF metrics; 1.2 moved them to
 * liblambda-c-events.so.1 and liblambda-c-metrics.so.1 (which keep the LAMBDA_C_1.1 node
 * name for those symbols). The layer's runtime loads them for a 1.1 handler file
 * (runtime/compat.h). A 1.1 *executable* (/var/task/bootstrap calling lambda_run) names
 * only liblambda-c.so.1; its calls into the moved functions are bound lazily, at first call,
 * so loading the two libraries RTLD_GLOBAL before the loop starts lets them resolve. The
 * core knows them by soname only: it has no link-time dependency on them.
 */
#ifndef LAMBDA_C_CORE_COMPAT_H
#define LAMBDA_C_CORE_COMPAT_H

#include "lambda-c/handler.h"

/* Loads the libraries 1.1 held inside liblambda-c when handler is a 1.1 program's own
 * (executable mode); does nothing for handlers loaded by the layer's runtime, or for
 * programs built against 1.0 or 1.2 and later. */
void lc_compat_for_program(lambda_handler_fn *handler, unsigned handler_abi);

#endif
