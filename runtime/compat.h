/*
 * compat.h - handlers built before 1.2 find the event bindings and metrics in liblambda-c.
 *
 * Until 1.1 one library held everything; 1.2 split the event bindings and EMF metrics into
 * liblambda-c-events.so.1 and liblambda-c-metrics.so.1 so that a function loads only what
 * it links. A 1.1 handler still names liblambda-c.so.1 alone, and binds e.g.
 * lambda_sqs_event_parse@LAMBDA_C_1.1. Those libraries keep the LAMBDA_C_1.1 node name for
 * the symbols they took over, so loading them RTLD_GLOBAL before the handler lets the
 * dynamic linker bind the old references to them (it matches a version by name, not by the
 * file that first defined it). Only the libraries the handler's imports name are loaded:
 * an old handler that uses neither keeps the core's cold start.
 */
#ifndef LAMBDA_C_RUNTIME_COMPAT_H
#define LAMBDA_C_RUNTIME_COMPAT_H

#include "elf_symbols.h"

#include <stddef.h>

typedef struct lc_compat_libs {
    int events;  /* load liblambda-c-events */
    int metrics; /* load liblambda-c-metrics */
} lc_compat_libs;

/* Decides from the handler's ABI and its imported symbols which libraries it needs. */
void lc_compat_libs_for(const lc_elf *elf, unsigned handler_abi, lc_compat_libs *out);

/* Loads them RTLD_GLOBAL. Returns 0, or -1 with the library and dlerror() in why. */
int lc_compat_load(const lc_compat_libs *libs, char *why, size_t why_cap);

#endif
