/*
 * compat.c - the libraries a pre-1.2 handler expects inside liblambda-c (compat.h).
 */
#include "compat.h"
#include "lambda-c/version.h"

#include <dlfcn.h>
#include <stdio.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define SONAME(lib) "liblambda-c-" lib ".so." STRINGIFY(LAMBDA_C_ABI_MAJOR)

/* The symbol prefixes of the event bindings (sdk/events/liblambda-c-events.map). */
static const char *const event_prefixes[] = {
    "lambda_http_",        "lambda_sqs_",      "lambda_sns_",     "lambda_s3_",
    "lambda_eventbridge_", "lambda_dynamodb_", "lambda_kinesis_",
};

void lc_compat_libs_for(const lc_elf *elf, unsigned handler_abi, lc_compat_libs *out)
{
    out->events = out->metrics = 0;
    if (handler_abi >= LAMBDA_C_ABI_PACK(1, 2) || handler_abi < LAMBDA_C_ABI_PACK(1, 1))
        return; /* 1.0 had neither; 1.2 and later link them by name */
    for (size_t i = 0; i < sizeof event_prefixes / sizeof *event_prefixes && !out->events; i++)
        out->events = lc_elf_imports_prefix(elf, event_prefixes[i]);
    out->metrics = lc_elf_imports_prefix(elf, "lambda_metrics_");
}

static int load(const char *soname, char *why, size_t why_cap)
{
    if (dlopen(soname, RTLD_NOW | RTLD_GLOBAL))
        return 0;
    snprintf(why, why_cap, "%s: %s", soname, dlerror());
    return -1;
}

int lc_compat_load(const lc_compat_libs *libs, char *why, size_t why_cap)
{
    if (libs->events && load(SONAME("events"), why, why_cap) != 0)
        return -1;
    if (libs->metrics && load(SONAME("metrics"), why, why_cap) != 0)
        return -1;
    return 0;
}
