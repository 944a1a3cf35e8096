/*
 * The function's Handler setting (_HANDLER) for layer mode:
 *     "FILE.SYMBOL"  ->  $LAMBDA_TASK_ROOT/FILE.so, symbol SYMBOL
 * FILE may contain '/' (a subfolder of the task root) but not "..", and must
 * not be absolute; SYMBOL is a C identifier.
 */
#ifndef LAMBDA_C_HANDLER_SPEC_H
#define LAMBDA_C_HANDLER_SPEC_H

#include <stddef.h>

typedef struct lc_handler_spec {
    char file[512]; /* relative path without ".so" */
    char symbol[256];
} lc_handler_spec;

/* Returns 1 and fills spec when handler is well-formed; otherwise 0 with a reason in why. */
int lc_handler_spec_parse(const char *handler, lc_handler_spec *spec, char *why, size_t why_cap);

#endif
