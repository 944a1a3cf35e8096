/*
 * lambda-c-runtime: the layer's runtime. Loads the handler named by
 * _HANDLER from $LAMBDA_TASK_ROOT and serves invocations with the SDK's loop.
 * Every init failure is reported to /runtime/init/error with a precise
 * errorType, then the process exits non-zero, as Lambda requires.
 *
 * Order: parse _HANDLER, read the handler's ABI marker from the file (elf_symbols.h),
 * refuse an incompatible ABI, load the libraries a pre-1.2 handler expects inside
 * liblambda-c (compat.h), dlopen the handler, run its init, serve.
 */
#include "compat.h"
#include "elf_symbols.h"
#include "handler_spec.h"
#include "core/handler/log_internal.h"
#include "lambda-c.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reports an init failure (see lambda_runtime_init_error) and gives main's exit status. */
#define init_failed(...) (lambda_runtime_init_error(__VA_ARGS__), 1)

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/*
 * "lambda-c runtime VERSION (ABI M.m) starting, handler H", assembled with memcpy: printf's
 * machinery costs more than the rest of the line (callgrind, exec to the first response of
 * hello: 1.5k instructions less than lambda_log with a format).
 */
static void log_start(const char *handler)
{
    const char *parts[] = { "lambda-c runtime ", lambda_version(),
                            " (ABI " STRINGIFY(LAMBDA_C_ABI_MAJOR) "." STRINGIFY(
                                LAMBDA_C_ABI_MINOR) ") starting, handler ",
                            handler ? handler : "(unset)" };
    char line[1024];
    size_t len = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        size_t n = strlen(parts[i]);
        if (n >= sizeof line - len) { /* a very long _HANDLER: the general path */
            lambda_log_info("lambda-c runtime %s (ABI %d.%d) starting, handler %s",
                            lambda_version(), LAMBDA_C_ABI_MAJOR, LAMBDA_C_ABI_MINOR,
                            handler ? handler : "(unset)");
            return;
        }
        memcpy(line + len, parts[i], n);
        len += n;
    }
    line[len] = '\0';
    lc_log_text(LAMBDA_LOG_INFO, line, len);
}

/* out = "root/file.so" (no printf at cold start); 0 when it does not fit. */
static int join_path(char *out, size_t cap, const char *root, const char *file)
{
    size_t root_len = strlen(root), file_len = strlen(file);
    if (root_len + 1 + file_len + sizeof ".so" > cap)
        return 0;
    memcpy(out, root, root_len);
    out[root_len] = '/';
    memcpy(out + root_len + 1, file, file_len);
    memcpy(out + root_len + 1 + file_len, ".so", sizeof ".so");
    return 1;
}

/* What the handler file says about itself, read before it is loaded. */
typedef struct handler_file {
    unsigned abi;      /* its ABI marker; 0 when the file could not be read as ELF */
    int symbols_known; /* 1: has_init and has_shutdown come from its symbol table */
    int has_init;
    int has_shutdown;
} handler_file;

/*
 * Reads and checks the handler's ABI marker before anything of the handler is bound.
 * Returns 0 with *file set, or an exit status after reporting the init error. A file that
 * cannot be read as ELF is left to dlopen, whose message says more (ImportModuleError).
 */
static int check_abi(const char *path, handler_file *file, lc_compat_libs *compat)
{
    lc_elf elf;
    char why[256];
    if (lc_elf_open(&elf, path, why, sizeof why) != 0)
        return 0;
    static const char *const names[] = { LAMBDA_HANDLER_ABI_SYMBOL, LAMBDA_FUNCTION_INIT_SYMBOL,
                                         LAMBDA_FUNCTION_SHUTDOWN_SYMBOL };
    size_t defined[3] = { 0 };
    lc_elf_find(&elf, names, 3, defined);
    int found = defined[0] ? lc_elf_read_u32(&elf, defined[0], &file->abi, why, sizeof why) : 0;
    file->symbols_known = 1;
    file->has_init = defined[1] != 0;
    file->has_shutdown = defined[2] != 0;
    lc_compat_libs_for(&elf, file->abi, compat);
    lc_elf_close(&elf);
    if (found < 0)
        return init_failed("Runtime.IncompatibleABI", "%s: malformed lambda-c ABI marker: %s", path,
                           why);
    if (found == 0)
        return init_failed(
            "Runtime.IncompatibleABI",
            "%s has no lambda-c ABI marker (%s): build it with #include <lambda-c.h>", path,
            LAMBDA_HANDLER_ABI_SYMBOL);
    unsigned abi = file->abi;
    if (!lambda_abi_compatible(lambda_abi_version(), abi)) {
        unsigned ours = lambda_abi_version();
        return init_failed(
            "Runtime.IncompatibleABI",
            "%s was built against lambda-c ABI %u.%u, but this layer's runtime (lambda-c %s) "
            "provides ABI %u.%u; attach a layer version with lambda-c ABI %u.%u or newer of "
            "the same major",
            path, abi >> 16, abi & 0xffffu, lambda_version(), ours >> 16, ours & 0xffffu, abi >> 16,
            abi & 0xffffu);
    }
    return 0;
}

/*
 * Runs lambda_function_init and registers lambda_function_shutdown, when the file has them.
 * dlsym is asked only for what the symbol table showed (a failing dlsym formats a message).
 */
static int run_entry_points(void *library, const char *path, const handler_file *file)
{
    lambda_function_init_fn *init = NULL;
    if (!file->symbols_known || file->has_init)
        init = (lambda_function_init_fn *)dlsym(library, LAMBDA_FUNCTION_INIT_SYMBOL);
    if (init) {
        int status = init();
        if (status != 0) {
            return init_failed("Runtime.InitError", "%s in %s failed with status %d",
                               LAMBDA_FUNCTION_INIT_SYMBOL, path, status);
        }
    }
    lambda_function_shutdown_fn *shutdown = NULL;
    if (!file->symbols_known || file->has_shutdown)
        shutdown = (lambda_function_shutdown_fn *)dlsym(library, LAMBDA_FUNCTION_SHUTDOWN_SYMBOL);
    if (shutdown)
        lambda_runtime_on_shutdown(shutdown);
    return 0;
}

int main(void)
{
    const char *handler = getenv("_HANDLER");
    const char *task_root = getenv("LAMBDA_TASK_ROOT");
    if (!task_root || !*task_root)
        task_root = "/var/task";
    log_start(handler);

    lc_handler_spec spec;
    char why[256];
    if (!lc_handler_spec_parse(handler, &spec, why, sizeof why)) {
        return init_failed("Runtime.MalformedHandlerName", "Bad handler '%s': %s",
                           handler ? handler : "", why);
    }

    char path[4096];
    if (!join_path(path, sizeof path, task_root, spec.file))
        return init_failed("Runtime.MalformedHandlerName", "Bad handler '%s': %s", handler,
                           "the path of its file is too long");
    handler_file file = { 0 };
    lc_compat_libs compat = { 0 };
    int status = check_abi(path, &file, &compat);
    if (status != 0)
        return status;
    if (lc_compat_load(&compat, why, sizeof why) != 0)
        return init_failed("Runtime.ImportModuleError", "%s needs %s", path, why);

    /* RTLD_NOW: a missing dependency or symbol is an init error now, not a crash later. */
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        return init_failed("Runtime.ImportModuleError", "Unable to load handler file %s: %s", path,
                           dlerror());
    }
    unsigned abi = file.abi;
    if (abi == 0) { /* not read from the file above: ask the loaded object */
        const unsigned *marker = (const unsigned *)dlsym(library, LAMBDA_HANDLER_ABI_SYMBOL);
        if (!marker)
            return init_failed("Runtime.IncompatibleABI",
                               "%s has no lambda-c ABI marker (%s): build it with #include "
                               "<lambda-c.h>",
                               path, LAMBDA_HANDLER_ABI_SYMBOL);
        abi = *marker;
    }

    lambda_handler_fn *fn = (lambda_handler_fn *)dlsym(library, spec.symbol);
    if (!fn) {
        return init_failed("Runtime.HandlerNotFound", "Handler '%s' missing: no symbol '%s' in %s",
                           handler, spec.symbol, path);
    }
    status = run_entry_points(library, path, &file);
    if (status != 0)
        return status;
    /* The handler's own ABI was checked above; the loop checks ours against itself. */
    return lambda_run_abi(fn, abi);
}
