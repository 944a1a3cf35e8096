/* What the runtime loop tells the logger; not part of the public API. */
#ifndef LAMBDA_C_LOG_INTERNAL_H
#define LAMBDA_C_LOG_INTERNAL_H

#include "lambda-c/log.h"

#include <stddef.h>

/* The invocation the calling thread is serving (NULLs between invocations). The strings
 * must stay valid until the next call. */
void lc_log_set_invocation(const char *request_id, const char *tenant_id);

/* Re-reads AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL (tests change them). */
void lc_log_reload_settings(void);

/* Logs text (len bytes followed by a NUL) as it is, like lambda_log(level, "%s", text) but
 * without formatting: the runtime's start line. */
void lc_log_text(lambda_log_level level, const char *text, size_t len);

struct json_object;
/*
 * Adds text (NULL as ""), invalid UTF-8 replaced by U+FFFD, as member key of the object obj,
 * or appends it to the array obj when key is NULL. 1 on success, 0 when out of memory.
 */
int lc_json_add_repaired(struct json_object *obj, const char *key, const char *text);

/* Logs an unhandled error with errorType/errorMessage (and, in JSON, stackTrace). */
void lc_log_unhandled_error(const char *error_type, const char *message, char *const *stack,
                            size_t stack_count);

#endif
