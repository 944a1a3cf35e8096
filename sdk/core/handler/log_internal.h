/* What the runtime loop tells the logger; not part of the public API. */
#ifndef LAMBDA_C_LOG_INTERNAL_H
#define LAMBDA_C_LOG_INTERNAL_H

#include <stddef.h>

/* The invocation the calling thread is serving (NULLs between invocations). The strings
 * must stay valid until the next call. */
void lc_log_set_invocation(const char *request_id, const char *tenant_id);

/* Re-reads AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL (tests change them). */
void lc_log_reload_settings(void);

/* Logs an unhandled error with errorType/errorMessage (and, in JSON, stackTrace). */
void lc_log_unhandled_error(const char *error_type, const char *message, char *const *stack,
                            size_t stack_count);

#endif
