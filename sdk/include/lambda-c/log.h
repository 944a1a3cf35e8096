/*
 * lambda-c/log.h - logging that Lambda (CloudWatch) understands.
 *
 * Lines go to stderr, one write per line, so lines from several threads
 * never interleave. During an invocation each line carries its request id.
 * With AWS_LAMBDA_LOG_FORMAT=JSON every line is one JSON object with
 * "timestamp" (RFC 3339, milliseconds), "level", "message", "requestId"
 * (and "tenantId" when the invocation has one); otherwise it is text:
 * "TIMESTAMP\tREQUEST-ID\tLEVEL\tmessage". AWS_LAMBDA_LOG_LEVEL (TRACE,
 * DEBUG, INFO, WARN, ERROR, FATAL; default INFO) drops less severe lines.
 * Line breaks inside a message are kept inside the one record.
 */
#ifndef LAMBDA_C_LOG_H
#define LAMBDA_C_LOG_H

#include <stdarg.h>

#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lambda_log_level {
    LAMBDA_LOG_TRACE = 0,
    LAMBDA_LOG_DEBUG = 1,
    LAMBDA_LOG_INFO = 2,
    LAMBDA_LOG_WARN = 3,
    LAMBDA_LOG_ERROR = 4,
    LAMBDA_LOG_FATAL = 5
} lambda_log_level;

/* Log one record at level; printf-style. */
void lambda_log(lambda_log_level level, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The va_list form of lambda_log. */
void lambda_logv(lambda_log_level level, const char *format, va_list args);

/* Whether a record at level would be written (to skip costly formatting). */
int lambda_log_enabled(lambda_log_level level);

/* "TRACE" ... "FATAL". */
const char *lambda_log_level_name(lambda_log_level level);

/*
 * Records logged by the calling thread carry ctx's request id (and tenant id) from now on,
 * as the handler's own records do; NULL detaches. For threads a handler starts: the
 * runtime attaches the thread that runs the handler by itself, other threads log request id
 * "undefined" until attached.
 *
 *     static void *work(void *arg) {
 *         lambda_log_attach(arg);            // arg: the handler's ctx
 *         lambda_log_info("from a worker");  // carries the invocation's request id
 *         lambda_log_attach(NULL);
 *         return NULL;
 *     }
 *
 * The context is valid until the handler returns: the thread must detach (or end) before
 * that, and must not be attached to a context of another invocation meanwhile. Affects the
 * calling thread only; thread-safe. Since 1.2.
 */
void lambda_log_attach(const lambda_context *ctx);

#define lambda_log_trace(...) lambda_log(LAMBDA_LOG_TRACE, __VA_ARGS__)
#define lambda_log_debug(...) lambda_log(LAMBDA_LOG_DEBUG, __VA_ARGS__)
#define lambda_log_info(...) lambda_log(LAMBDA_LOG_INFO, __VA_ARGS__)
#define lambda_log_warn(...) lambda_log(LAMBDA_LOG_WARN, __VA_ARGS__)
#define lambda_log_error(...) lambda_log(LAMBDA_LOG_ERROR, __VA_ARGS__)
#define lambda_log_fatal(...) lambda_log(LAMBDA_LOG_FATAL, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif
