/*
 * The invocation loop: /next -> handler -> /response or /error, for ever.
 */
#include "core/runtime/compat.h"
#include "core/runtime/hooks.h"
#include "core/runtime/invocation.h"
#include "lambda-c/log.h"
#include "lambda-c/runtime.h"
#include "core/handler/log_internal.h"
#include "core/api/runtime_api.h"
#include "util/limits.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACE_ENV "_X_AMZN_TRACE_ID"

/*
 * What the process shares: the endpoint, the function's settings, and the connection used
 * during init (init errors; worker 0 reuses it for its loop).
 */
typedef struct runtime_state {
    const char *endpoint;
    lc_runtime_api init_api;
    int connected;
    lc_function_config function;
} runtime_state;

static runtime_state g_runtime;

/* Per thread: the crash handler runs on an alternate stack so that a stack overflow is
 * reported too; each thread needs its own (sigaltstack is per thread). */
#define ALT_STACK_SIZE (64 * 1024)

/* One invocation loop with its own connection and objects (several under multi-concurrency). */
typedef struct worker {
    lc_runtime_api api;
    lambda_handler_fn *handler;
    int owns_trace_env; /* _X_AMZN_TRACE_ID is process-wide: only a lone worker sets it */
    lambda_context ctx;
    lambda_event event;
    lambda_response response;
} worker;

static lambda_code ensure_connected(void)
{
    if (g_runtime.connected)
        return LAMBDA_OK;
    const char *endpoint = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!endpoint || !*endpoint) {
        lambda_log_fatal("AWS_LAMBDA_RUNTIME_API is not set: this program must be started by "
                         "Lambda (or the lambda-c emulator)");
        return LAMBDA_E_CONFIG;
    }
    lambda_code rc = lc_runtime_api_connect(&g_runtime.init_api, endpoint);
    if (rc) {
        lambda_log_fatal("cannot connect to the Runtime API at %s: %s", endpoint,
                         lambda_strerror(rc));
        return rc;
    }
    g_runtime.endpoint = endpoint;
    lc_function_config_from_env(&g_runtime.function);
    g_runtime.connected = 1;
    return LAMBDA_OK;
}

/* Forgets the process-wide connection, so that a later lambda_run starts afresh. */
static void reset_runtime_state(void)
{
    lc_runtime_api_close(&g_runtime.init_api);
    g_runtime.connected = 0;
    g_runtime.endpoint = NULL;
}

/* ------------------------------------------------------------ _X_AMZN_TRACE_ID */

/*
 * glibc's setenv keeps every value it ever stored (so that old getenv pointers stay
 * valid): one new trace id per invocation would grow memory for ever. putenv with a
 * buffer we own and overwrite does not.
 */
static char *trace_env;
static size_t trace_env_cap;

/* "_X_AMZN_TRACE_ID=" then the value, into buf (which has room for both and the NUL). */
static void format_trace_env(char *buf, const char *trace_id, size_t id_len)
{
    memcpy(buf, TRACE_ENV "=", sizeof TRACE_ENV);
    memcpy(buf + sizeof TRACE_ENV, trace_id, id_len + 1);
}

static void set_trace_env(const char *trace_id)
{
    if (!trace_id) {
        unsetenv(TRACE_ENV);
        return;
    }
    size_t id_len = strlen(trace_id);
    size_t need = sizeof TRACE_ENV + 1 + id_len;
    if (need <= trace_env_cap) {
        /* Still the entry environ holds (nobody set or unset the variable since): the value
         * changes in place. putenv each time scanned the whole environment (0.9k of the
         * ~13k instructions of an echo invocation, callgrind); getenv's scan is cheaper. */
        int installed = getenv(TRACE_ENV) == trace_env + sizeof TRACE_ENV;
        format_trace_env(trace_env, trace_id, id_len);
        if (!installed)
            putenv(trace_env); /* also re-adds it after an unsetenv */
        return;
    }
    size_t cap = need < 256 ? 256 : need;
    char *buf = malloc(cap);
    if (!buf) {
        unsetenv(TRACE_ENV);
        return;
    }
    format_trace_env(buf, trace_id, id_len);
    putenv(buf); /* environ now points at buf, no longer at the old buffer */
    free(trace_env);
    trace_env = buf;
    trace_env_cap = cap;
}

/* ------------------------------------------------------------ crash reporting */

/* src into dst (cap bytes), cut to fit, NUL-terminated: cheaper than snprintf "%s", and
 * no libc function to bind at the first invocation. */
static void copy_truncated(char *dst, size_t cap, const char *src)
{
    size_t len = 0;
    for (; len + 1 < cap && src[len]; len++)
        dst[len] = src[len];
    dst[len] = '\0';
}

/* Per thread: the crash handler runs on the thread that crashed, serving its own invocation. */
static __thread char crash_request_id[128];
static char crash_stack[ALT_STACK_SIZE];

static void crash_handler(int sig)
{
    /* Only async-signal-safe calls here. */
    char line[512];
    const char *name = sig == SIGSEGV  ? "SIGSEGV"
                       : sig == SIGBUS ? "SIGBUS"
                       : sig == SIGFPE ? "SIGFPE"
                       : sig == SIGILL ? "SIGILL"
                                       : "SIGABRT";
    size_t len = 0;
    const char *parts[] = { "lambda-c: the handler crashed with ", name, " while serving request ",
                            crash_request_id[0] ? crash_request_id : "(none)",
                            "; the runtime exits and Lambda reports Runtime.ExitError\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t n = strlen(parts[i]);
        if (len + n >= sizeof line)
            n = sizeof line - len - 1;
        memcpy(line + len, parts[i], n);
        len += n;
    }
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void use_alt_stack(char *stack, size_t size)
{
    stack_t ss = { 0 };
    ss.ss_sp = stack;
    ss.ss_size = size;
    sigaltstack(&ss, NULL);
}

static void install_crash_handlers(void)
{
    use_alt_stack(crash_stack, sizeof crash_stack);
    static const int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        /* Leave alone handlers someone else installed (sanitizers, the handler itself). */
        if (sigaction(signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa = { 0 };
        sa.sa_handler = crash_handler;
        sa.sa_flags = SA_ONSTACK | SA_RESETHAND; /* sa_mask: empty, zeroed above */
        sigaction(signals[i], &sa, NULL);
    }
}

/* ------------------------------------------------------------ init errors */

static lambda_code post_init_error(const char *error_type, const char *message)
{
    lc_log_unhandled_error(error_type, message, NULL, 0);
    lambda_code rc = ensure_connected();
    if (rc)
        return rc;
    size_t size = 0;
    char *body = lc_error_json_build(error_type, message, NULL, 0, &size);
    if (!body)
        return LAMBDA_E_NO_MEMORY;
    lc_http_response resp;
    rc = lc_runtime_api_init_error(&g_runtime.init_api, error_type, body, size, &resp);
    free(body);
    /* Lambda requires the process to exit now; should it run the loop again anyway, that
     * starts from a fresh connection. */
    int status = rc ? 0 : resp.status;
    reset_runtime_state();
    if (rc) {
        lambda_log_fatal("could not report the init error to the Runtime API: %s",
                         lambda_strerror(rc));
        return rc;
    }
    if (status != 202) {
        lambda_log_fatal("the Runtime API answered %d to the init error", status);
        return LAMBDA_E_HTTP_STATUS;
    }
    return LAMBDA_OK;
}

lambda_code lambda_runtime_init_error(const char *error_type, const char *message_format, ...)
{
    char *message = NULL;
    va_list args;
    va_start(args, message_format);
    int n = message_format ? vasprintf(&message, message_format, args) : -1;
    va_end(args);
    lambda_code rc = post_init_error(error_type && *error_type ? error_type : "Runtime.InitError",
                                     n >= 0 ? message : "initialization failed");
    free(message);
    return rc;
}

/* ------------------------------------------------------------ the loop */

/* What a status from /response or /error means. Returns 0 to go on, or an exit status. */
static int after_answer(const char *what, const char *request_id, lambda_code rc,
                        const lc_http_response *resp)
{
    if (rc) {
        lambda_log_fatal("lost the Runtime API connection while sending the %s for request %s "
                         "(%s); exiting",
                         what, request_id, lambda_strerror(rc));
        return 1;
    }
    int body_len = (int)(resp->body_size > 512 ? 512 : resp->body_size);
    switch (resp->status) {
    case 202:
        return 0;
    case 413:
        /* The answer counts as sent: Lambda already failed the invocation. */
        lambda_log_error("the %s for request %s is larger than Lambda accepts (413): %.*s", what,
                         request_id, body_len, resp->body);
        return 0;
    case 400:
    case 403:
    case 410:
        lambda_log_warn("the Runtime API refused the %s for request %s (%d): %.*s", what,
                        request_id, resp->status, body_len, resp->body);
        return 0;
    default:
        if (resp->status >= 500) {
            lambda_log_fatal("the Runtime API failed (%d) on the %s for request %s: %.*s; exiting",
                             resp->status, what, request_id, body_len, resp->body);
            return 1;
        }
        lambda_log_warn("unexpected status %d from the Runtime API for the %s of request %s: "
                        "%.*s",
                        resp->status, what, request_id, body_len, resp->body);
        return 0;
    }
}

static int send_error(worker *w, const char *error_type, const char *message, char *const *stack,
                      size_t stack_count)
{
    const lambda_context *ctx = &w->ctx;
    lambda_response *response = &w->response;
    lc_log_unhandled_error(error_type, message, stack, stack_count);
    size_t size = 0;
    char *body = lc_error_json_build(error_type, message, stack, stack_count, &size);
    static const char fallback[] = "{\"errorMessage\":\"out of memory while reporting an error\","
                                   "\"errorType\":\"Runtime.OutOfMemory\",\"stackTrace\":[]}";
    if (!body)
        error_type = "Runtime.OutOfMemory";
    const char *json = body ? body : fallback;
    size_t json_size = body ? size : sizeof fallback - 1;
    lc_http_response resp;
    lambda_code rc;
    if (response->stream == STREAM_OPEN || response->stream == STREAM_BROKEN)
        rc = lc_stream_finish(response, error_type, json, json_size, &resp);
    else
        rc = lc_runtime_api_report_error(&w->api, ctx->request_id, ctx->invocation_id, error_type,
                                         json, json_size, response->xray_cause, &resp);
    free(body);
    return after_answer("error", ctx->request_id, rc, &resp);
}

static int send_outcome(worker *w, int handler_status)
{
    lambda_response *response = &w->response;
    if (response->kind == RESPONSE_ERROR) {
        if (!response->error_type)
            return send_error(w, "Runtime.OutOfMemory",
                              "out of memory while recording the handler's error", NULL, 0);
        return send_error(w, response->error_type, response->error_message, response->stack,
                          response->stack_count);
    }
    if (handler_status != 0) {
        char message[128];
        snprintf(message, sizeof message, "the handler returned %d without setting an error",
                 handler_status);
        return send_error(w, "HandlerFailed", message, NULL, 0);
    }
    lc_http_response resp;
    lambda_code rc;
    if (response->stream != STREAM_NONE) {
        rc = lc_stream_finish(response, NULL, NULL, 0, &resp);
    } else {
        const void *data;
        size_t size;
        const char *content_type;
        if (lc_response_payload(response, &data, &size, &content_type) != LAMBDA_OK)
            return send_error(w, "Runtime.SerializationError",
                              "could not serialize the handler's JSON response", NULL, 0);
        rc = lc_runtime_api_respond(&w->api, w->ctx.request_id, w->ctx.invocation_id, data, size,
                                    content_type, &resp);
    }
    return after_answer("response", w->ctx.request_id, rc, &resp);
}

/* Answers an invocation the handler never saw with a fixed error JSON (no allocation).
 * request_id is a copy: the /next answer's strings do not outlive the request. */
static int answer_unserved(worker *w, const char *request_id, const char *invocation_id,
                           const char *error_type, const char *body, size_t size)
{
    lc_http_response resp;
    lambda_code rc = lc_runtime_api_report_error(&w->api, request_id, invocation_id, error_type,
                                                 body, size, NULL, &resp);
    return after_answer("error", request_id, rc, &resp);
}

/*
 * The invocation could not even begin (no memory for its context or event): answer it with
 * Runtime.OutOfMemory from static memory, so that Lambda fails it now instead of timing it
 * out. The request id is read from the /next answer itself. Returns 0 or an exit status.
 */
static int report_out_of_memory(worker *w, const lc_http_response *next)
{
    static const char body[] = "{\"errorMessage\":\"out of memory before the handler could "
                               "run\",\"errorType\":\"Runtime.OutOfMemory\",\"stackTrace\":[]}";
    const char *id = lc_http_response_header(next, "Lambda-Runtime-Aws-Request-Id");
    char request_id[128];
    copy_truncated(request_id, sizeof request_id, id ? id : "");
    lc_invocation_end(&w->ctx, &w->event, &w->response);
    if (!request_id[0]) {
        lambda_log_error("cannot serve an invocation without memory (and no request id)");
        return 0;
    }
    lambda_log_error("out of memory before the handler could run, request %s", request_id);
    return answer_unserved(w, request_id, NULL, "Runtime.OutOfMemory", body, sizeof body - 1);
}

/*
 * /next gave an event over Lambda's payload limit (LC_LIMIT_API_BODY_BYTES), which no
 * Lambda sends: a Runtime API that misbehaves. The runtime did not read it (no memory was
 * reserved; the connection was closed instead): it answers the invocation with
 * Runtime.EventTooLarge on a new connection and goes on. Returns 0 or an exit status.
 */
static int refuse_oversized_event(worker *w, const lc_http_response *next)
{
    _Static_assert(LC_LIMIT_API_BODY_BYTES == 6291556, "the error message names the limit");
    static const char body[] = "{\"errorMessage\":\"the event is larger than the 6291556 bytes "
                               "Lambda allows; the runtime did not read it\",\"errorType\":"
                               "\"Runtime.EventTooLarge\",\"stackTrace\":[]}";
    const char *id = lc_http_response_header(next, "Lambda-Runtime-Aws-Request-Id");
    const char *inv = lc_http_response_header(next, "Lambda-Runtime-Invocation-Id");
    const char *length = lc_http_response_header(next, "Content-Length");
    char request_id[128], invocation_id[128];
    copy_truncated(request_id, sizeof request_id, id ? id : "");
    copy_truncated(invocation_id, sizeof invocation_id, inv ? inv : "");
    lambda_log_error("the event of request %s is larger than the %llu bytes Lambda allows "
                     "(Content-Length: %s); answering Runtime.EventTooLarge",
                     request_id[0] ? request_id : "(none)",
                     (unsigned long long)LC_LIMIT_API_BODY_BYTES, length ? length : "chunked");
    lambda_code rc = lc_runtime_api_reconnect(&w->api);
    if (rc) {
        lambda_log_fatal("cannot connect to the Runtime API again (%s); exiting",
                         lambda_strerror(rc));
        return 1;
    }
    if (!request_id[0])
        return 0; /* nobody to answer: Lambda times it out */
    return answer_unserved(w, request_id, invocation_id[0] ? invocation_id : NULL,
                           "Runtime.EventTooLarge", body, sizeof body - 1);
}

/*
 * After the count-th /next answer in a row without a request id: a pause that doubles each
 * time, then 0 to go on, or 1 (exit) once LC_LIMIT_NEXT_WITHOUT_ID were seen. A Runtime API
 * that keeps doing this is broken; asking again at once would only flood it and the logs.
 */
static int next_without_id(int *count)
{
    if (++*count >= LC_LIMIT_NEXT_WITHOUT_ID) {
        lambda_log_fatal("%d invocations in a row without Lambda-Runtime-Aws-Request-Id; exiting",
                         *count);
        return 1;
    }
    int64_t ms = (int64_t)LC_NEXT_BACKOFF_FIRST_MS << (*count - 1);
    struct timespec pause = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
    return 0;
}

/* Serves invocations until the Runtime API fails; returns the exit status. */
static int serve(worker *w)
{
    int exit_status = 0;
    int without_id = 0; /* /next answers in a row without a request id */
    while (exit_status == 0) {
        lc_http_response next;
        lambda_code rc = lc_runtime_api_next(&w->api, &next);
        if (rc == LAMBDA_E_TOO_LARGE && next.status == 200) {
            exit_status = refuse_oversized_event(w, &next);
            continue;
        }
        if (rc) {
            lambda_log_fatal("lost the Runtime API connection while waiting for the next "
                             "invocation (%s); exiting",
                             lambda_strerror(rc));
            exit_status = 1;
            break;
        }
        if (next.status != 200) {
            lambda_log_fatal("the Runtime API answered %d to /next: %.*s; exiting", next.status,
                             (int)(next.body_size > 512 ? 512 : next.body_size), next.body);
            exit_status = 1;
            break;
        }
        rc = lc_invocation_begin(&w->ctx, &w->event, &next, &g_runtime.function);
        if (rc == LAMBDA_E_NO_MEMORY) {
            exit_status = report_out_of_memory(w, &next);
            continue;
        }
        if (rc || !w->ctx.request_id) {
            /* Without a request id there is nobody to answer; Lambda times it out. */
            lambda_log_error("cannot serve an invocation without %s",
                             rc ? "memory" : "Lambda-Runtime-Aws-Request-Id");
            lc_invocation_end(&w->ctx, &w->event, &w->response);
            if (!rc)
                exit_status = next_without_id(&without_id);
            continue;
        }
        without_id = 0;
        w->response.api = &w->api;
        w->response.ctx = &w->ctx;
        if (w->owns_trace_env)
            set_trace_env(w->ctx.trace_id);
        lc_log_set_invocation(w->ctx.request_id, w->ctx.tenant_id);
        copy_truncated(crash_request_id, sizeof crash_request_id, w->ctx.request_id);

        int status = w->handler(&w->event, &w->ctx, &w->response);
        /* Before the answer: what hooks log (EMF lines) belongs to this invocation. */
        lc_hooks_run(&w->ctx);
        exit_status = send_outcome(w, status);

        lc_log_set_invocation(NULL, NULL);
        lc_invocation_end(&w->ctx, &w->event, &w->response);
        lc_http_conn_trim(w->api.conn);
    }
    lc_invocation_free(&w->ctx, &w->event, &w->response);
    return exit_status;
}

/* ------------------------------------------------------------ multi-concurrency */

/*
 * Lambda Managed Instances: AWS_LAMBDA_MAX_CONCURRENCY workers, each with its own /next
 * loop and connection. The first worker that cannot go on ends the process: its status is
 * handed to the thread in lambda_run, which returns it.
 */
static pthread_mutex_t exit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exit_cond = PTHREAD_COND_INITIALIZER;
static int exit_status_set;
static int exit_status_value;

static void *worker_thread(void *arg)
{
    worker *w = arg;
    /* Owned by this thread for the life of the process (workers never end before it). */
    char *alt_stack = malloc(ALT_STACK_SIZE);
    if (alt_stack)
        use_alt_stack(alt_stack, ALT_STACK_SIZE);
    else
        lambda_log_warn("no memory for this worker's crash stack: a stack overflow here will "
                        "not be reported");
    int status = serve(w);
    pthread_mutex_lock(&exit_lock);
    if (!exit_status_set) {
        exit_status_set = 1;
        exit_status_value = status;
    }
    pthread_cond_signal(&exit_cond);
    pthread_mutex_unlock(&exit_lock);
    return NULL;
}

static int configured_concurrency(void)
{
    const char *text = getenv("AWS_LAMBDA_MAX_CONCURRENCY");
    if (!text || !*text)
        return 1;
    char *end;
    long n = strtol(text, &end, 10);
    if (*end || n < 1 || n > 1024) {
        lambda_log_warn("ignoring AWS_LAMBDA_MAX_CONCURRENCY=%s (expected 1..1024)", text);
        return 1;
    }
    return (int)n;
}

static int serve_concurrently(lambda_handler_fn *handler, int count)
{
    worker *workers = calloc((size_t)count, sizeof *workers);
    if (!workers) {
        lambda_log_fatal("out of memory for %d workers", count);
        return 1;
    }
    int started = 0;
    for (; started < count; started++) {
        worker *w = &workers[started];
        w->handler = handler;
        lambda_code rc = lc_runtime_api_connect(&w->api, g_runtime.endpoint);
        if (rc) {
            lambda_log_fatal("worker %d cannot connect to the Runtime API: %s", started,
                             lambda_strerror(rc));
            break;
        }
        pthread_t thread;
        if (pthread_create(&thread, NULL, worker_thread, w) != 0) {
            lambda_log_fatal("cannot start worker %d", started);
            lc_runtime_api_close(&w->api);
            break;
        }
        pthread_detach(thread);
    }
    if (started < count) {
        /* Workers already started keep their memory: the process is about to exit. */
        return 1;
    }
    lambda_log_info("serving with %d concurrent workers", count);
    pthread_mutex_lock(&exit_lock);
    while (!exit_status_set)
        pthread_cond_wait(&exit_cond, &exit_lock);
    int status = exit_status_value;
    exit_status_set = 0;
    pthread_mutex_unlock(&exit_lock);
    /* The other workers are blocked on their own /next; returning ends the process. */
    return status;
}

int lambda_run_abi(lambda_handler_fn *handler, unsigned handler_abi)
{
    if (ensure_connected() != LAMBDA_OK)
        return 1;
    if (!handler) {
        lambda_runtime_init_error("Runtime.InvalidEntrypoint", "lambda_run was given no handler");
        return 1;
    }
    if (!lambda_abi_compatible(LAMBDA_C_ABI_VERSION, handler_abi)) {
        lambda_runtime_init_error(
            "Runtime.IncompatibleABI",
            "this program was built against lambda-c ABI %u.%u, but the loaded liblambda-c "
            "%s provides ABI %u.%u; use a layer with a newer lambda-c release",
            handler_abi >> 16, handler_abi & 0xffffu, LAMBDA_C_VERSION_STRING, LAMBDA_C_ABI_MAJOR,
            LAMBDA_C_ABI_MINOR);
        return 1;
    }
    lc_compat_for_program(handler, handler_abi);
    install_crash_handlers();
    int concurrency = configured_concurrency();
    if (concurrency > 1)
        return serve_concurrently(handler, concurrency);

    worker w = { 0 };
    w.handler = handler;
    w.owns_trace_env = 1;
    w.api = g_runtime.init_api; /* the init connection becomes the loop's */
    g_runtime.init_api.conn = NULL;
    int status = serve(&w);
    lc_runtime_api_close(&w.api);
    reset_runtime_state();
    unsetenv(TRACE_ENV); /* environ must not keep pointing at the buffer freed next */
    free(trace_env);
    trace_env = NULL;
    trace_env_cap = 0;
    return status;
}
