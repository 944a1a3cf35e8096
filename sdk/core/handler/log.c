#include "lambda-c/log.h"
#include "core/handler/log_internal.h"
#include "util/ascii.h"
#include "util/clock.h"
#include "util/json_check.h"
#include "util/utf8.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The settings from the environment: 0 not loaded, 1 being loaded, 2 loaded (atomic). */
static int settings_state;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static int json_format;
static lambda_log_level min_level = LAMBDA_LOG_INFO;

static __thread const char *current_request_id;
static __thread const char *current_tenant_id;

static const char *const level_names[] = { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };

static void load_settings(void)
{
    const char *format = getenv("AWS_LAMBDA_LOG_FORMAT");
    json_format = format && lc_ascii_caseeq(format, "JSON");
    /* Lambda Managed Instances require JSON logs. */
    const char *concurrency = getenv("AWS_LAMBDA_MAX_CONCURRENCY");
    if (concurrency && *concurrency)
        json_format = 1;
    min_level = LAMBDA_LOG_INFO;
    const char *level = getenv("AWS_LAMBDA_LOG_LEVEL");
    if (level) {
        for (int i = 0; i <= LAMBDA_LOG_FATAL; i++)
            if (lc_ascii_caseeq(level, level_names[i]))
                min_level = (lambda_log_level)i;
    }
}

/*
 * Loads the settings once, whichever thread logs first; the others wait for it (three getenv
 * calls). Not pthread_once: that was one more libc function to bind at cold start, 0.7k of
 * the ~200k instructions from exec to hello's first answer (callgrind).
 */
static void ensure_settings(void)
{
    if (__atomic_load_n(&settings_state, __ATOMIC_ACQUIRE) == 2)
        return;
    int expected = 0;
    if (__atomic_compare_exchange_n(&settings_state, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        load_settings();
        __atomic_store_n(&settings_state, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&settings_state, __ATOMIC_ACQUIRE) != 2) {
    }
}

void lc_log_reload_settings(void)
{
    ensure_settings();
    load_settings();
}

void lambda_log_attach(const lambda_context *ctx)
{
    lc_log_set_invocation(ctx ? lambda_context_request_id(ctx) : NULL,
                          ctx ? lambda_context_tenant_id(ctx) : NULL);
}

void lc_log_set_invocation(const char *request_id, const char *tenant_id)
{
    current_request_id = request_id;
    current_tenant_id = tenant_id;
}

const char *lambda_log_level_name(lambda_log_level level)
{
    return (unsigned)level <= LAMBDA_LOG_FATAL ? level_names[level] : "INFO";
}

int lambda_log_enabled(lambda_log_level level)
{
    ensure_settings();
    return level >= min_level;
}

/* One write per record, under a lock: records never interleave, even when long. */
static void write_record(const char *data, size_t size)
{
    pthread_mutex_lock(&write_lock);
    while (size > 0) {
        ssize_t n = write(STDERR_FILENO, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        data += n;
        size -= (size_t)n;
    }
    pthread_mutex_unlock(&write_lock);
}

/* Records up to this size are assembled on the stack; longer ones on the heap. */
#define STACK_RECORD 1024

static void emit_text(lambda_log_level level, const char *message, size_t len)
{
    char ts[64];
    lc_clock_iso8601_now(ts, sizeof ts);
    /* "TIMESTAMP\tREQUEST-ID\tLEVEL\tMESSAGE\n", copied piece by piece (no printf). */
    const char *parts[] = { ts,
                            "\t",
                            current_request_id ? current_request_id : "undefined",
                            "\t",
                            lambda_log_level_name(level),
                            "\t" };
    size_t lens[sizeof parts / sizeof parts[0]], total = len + 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        total += lens[i] = strlen(parts[i]);
    char stack[STACK_RECORD];
    char *line = total <= sizeof stack ? stack : malloc(total);
    if (!line)
        return;
    char *p = line;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        memcpy(p, parts[i], lens[i]);
        p += lens[i];
    }
    memcpy(p, message, len);
    /* CloudWatch starts a new record at each '\n'; '\r' keeps a multi-line message in one,
     * as the AWS-managed runtimes do. */
    for (char *nl = memchr(p, '\n', len); nl; nl = memchr(nl, '\n', len - (size_t)(nl - p)))
        *nl = '\r';
    p[len] = '\n';
    write_record(line, total);
    if (line != stack)
        free(line);
}

/* Adds s as member key of obj, invalid UTF-8 replaced by U+FFFD. */
int lc_json_add_repaired(json_object *obj, const char *key, const char *text)
{
    char *fixed = lc_utf8_repair(text ? text : "", strlen(text ? text : ""));
    json_object *v = fixed ? json_object_new_string(fixed) : NULL;
    free(fixed);
    int added =
        v && (key ? json_object_object_add(obj, key, v) : json_object_array_add(obj, v)) == 0;
    if (!added)
        json_object_put(v);
    return added;
}

/* The record's members; 0 when an allocation failed (the record is then dropped whole). */
static int fill_json_record(json_object *obj, lambda_log_level level, const char *message,
                            const char *error_type, char *const *stack, size_t stack_count)
{
    char ts[64];
    lc_clock_iso8601_now(ts, sizeof ts);
    /* The ids are Runtime API header bytes: repaired like the message. */
    if (!lc_json_add_repaired(obj, "timestamp", ts) ||
        !lc_json_add_repaired(obj, "level", lambda_log_level_name(level)) ||
        !lc_json_add_repaired(obj, "message", message) ||
        (current_request_id && !lc_json_add_repaired(obj, "requestId", current_request_id)) ||
        (current_tenant_id && !lc_json_add_repaired(obj, "tenantId", current_tenant_id)))
        return 0;
    if (!error_type)
        return 1;
    if (!lc_json_add_repaired(obj, "errorType", error_type) ||
        !lc_json_add_repaired(obj, "errorMessage", message))
        return 0;
    json_object *trace = json_object_new_array();
    if (!trace || json_object_object_add(obj, "stackTrace", trace) != 0) {
        json_object_put(trace);
        return 0;
    }
    for (size_t i = 0; i < stack_count; i++)
        if (!lc_json_add_repaired(trace, NULL, stack[i]))
            return 0;
    return 1;
}

static void emit_json(lambda_log_level level, const char *message, const char *error_type,
                      char *const *stack, size_t stack_count)
{
    json_object *obj = json_object_new_object();
    if (!obj || !fill_json_record(obj, level, message, error_type, stack, stack_count)) {
        json_object_put(obj);
        return;
    }
    size_t len = 0, offset;
    const char *why;
    const char *text = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    /* Out of memory, json-c may leave holes in the text without an error: never written. */
    if (text && lc_json_syntax_check(text, len, JSON_MAX_DEPTH, &offset, &why)) {
        char *line = malloc(len + 1);
        if (line) {
            memcpy(line, text, len);
            line[len] = '\n';
            write_record(line, len + 1);
            free(line);
        }
    }
    json_object_put(obj);
}

/* raw: raw_len bytes followed by a NUL. */
static void log_message(lambda_log_level level, const char *raw, size_t raw_len,
                        const char *error_type, char *const *stack, size_t stack_count)
{
    /* Valid UTF-8 (nearly always) is used as it is; only invalid text is copied and repaired. */
    char *repaired = NULL;
    const char *message = raw;
    if (!lc_utf8_is_valid(raw, raw_len) || strlen(raw) != raw_len) {
        message = repaired = lc_utf8_repair(raw, raw_len);
        if (!message)
            return;
    }
    if (json_format)
        emit_json(level, message, error_type, stack, stack_count);
    else
        emit_text(level, message, strlen(message));
    free(repaired);
}

void lambda_logv(lambda_log_level level, const char *format, va_list args)
{
    if (!format || !lambda_log_enabled(level))
        return;
    /* A message that fits is formatted on the stack; a longer one again, on the heap. */
    char stack[STACK_RECORD];
    va_list again;
    va_copy(again, args);
    int n = vsnprintf(stack, sizeof stack, format, args);
    if (n >= 0 && (size_t)n < sizeof stack) {
        log_message(level, stack, (size_t)n, NULL, NULL, 0);
    } else if (n >= 0) {
        char *raw = NULL;
        int m = vasprintf(&raw, format, again);
        if (m >= 0)
            log_message(level, raw, (size_t)m, NULL, NULL, 0);
        free(raw);
    }
    va_end(again);
}

void lc_log_text(lambda_log_level level, const char *text, size_t len)
{
    if (text && lambda_log_enabled(level))
        log_message(level, text, len, NULL, NULL, 0);
}

void lambda_log(lambda_log_level level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    lambda_logv(level, format, args);
    va_end(args);
}

void lc_log_unhandled_error(const char *error_type, const char *message, char *const *stack,
                            size_t stack_count)
{
    if (!lambda_log_enabled(LAMBDA_LOG_ERROR))
        return;
    if (json_format) {
        log_message(LAMBDA_LOG_ERROR, message, strlen(message), error_type, stack, stack_count);
        return;
    }
    char *raw = NULL;
    int n = asprintf(&raw, "%s: %s", error_type, message);
    if (n >= 0)
        log_message(LAMBDA_LOG_ERROR, raw, (size_t)n, NULL, NULL, 0);
    free(raw);
}
