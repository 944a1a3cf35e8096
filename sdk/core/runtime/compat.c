/*
 * compat.c - the 1.1 executable-mode compatibility loads (compat.h).
 */
#include "core/runtime/compat.h"
#include "lambda-c/log.h"

#include <dlfcn.h>
#include <link.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* 1 when handler's code is in the main program (executable mode): its link map entry is
 * the first of the list. */
static int in_main_program(lambda_handler_fn *handler)
{
    Dl_info info;
    struct link_map *map = NULL;
    return dladdr1((void *)handler, &info, (void **)&map, RTLD_DL_LINKMAP) && map && !map->l_prev;
}

void lc_compat_for_program(lambda_handler_fn *handler, unsigned handler_abi)
{
    if (handler_abi != LAMBDA_C_ABI_PACK(1, 1) || !in_main_program(handler))
        return;
    static const char *const libraries[] = {
        "liblambda-c-events.so." STRINGIFY(LAMBDA_C_ABI_MAJOR),
        "liblambda-c-metrics.so." STRINGIFY(LAMBDA_C_ABI_MAJOR),
    };
    for (size_t i = 0; i < sizeof libraries / sizeof *libraries; i++) {
        if (!dlopen(libraries[i], RTLD_LAZY | RTLD_GLOBAL))
            lambda_log_warn("a program built against lambda-c 1.1 may call %s, which cannot be "
                            "loaded: %s",
                            libraries[i], dlerror());
    }
}
