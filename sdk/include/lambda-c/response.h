/*
 * lambda-c/response.h - what a handler answers.
 *
 * A lambda_response is owned by the runtime and valid only during the
 * handler call it is passed to. The handler sets at most one outcome: a body
 * (bytes or JSON) or an error; a later call replaces an earlier one and frees
 * what the earlier one owned. If the handler sets nothing and returns 0, the
 * answer is the JSON value null.
 *
 * Once an error is set it is what Lambda receives, whatever the handler
 * returns; so `return lambda_response_set_error(...);` reads naturally.
 */
#ifndef LAMBDA_C_RESPONSE_H
#define LAMBDA_C_RESPONSE_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_response lambda_response;

/* Answer a copy of size bytes at data. content_type NULL means "application/json". */
lambda_code lambda_response_set_body(lambda_response *response, const void *data, size_t size,
                                     const char *content_type);

/*
 * Answer size bytes at data without copying them. The bytes must stay valid
 * until the handler returns plus the send, i.e. until the invocation ends:
 * the event's own bytes, static data, or memory the handler frees later.
 */
lambda_code lambda_response_set_body_ref(lambda_response *response, const void *data, size_t size,
                                         const char *content_type);

/*
 * Answer size bytes at data, taking ownership: data must come from malloc
 * and is freed with free() once sent (also when this call fails).
 */
lambda_code lambda_response_take_body(lambda_response *response, void *data, size_t size,
                                      const char *content_type);

/*
 * Answer value serialized as JSON ("application/json"). Takes over the
 * caller's reference: the runtime calls json_object_put(value) once sent,
 * also when this call fails. value NULL answers the JSON null.
 */
lambda_code lambda_response_set_json(lambda_response *response, struct json_object *value);

/*
 * Answer an error: Lambda's error JSON {"errorMessage","errorType","stackTrace"}.
 * error_type is a short identifier such as "InvalidInput" (NULL: "Function.Error");
 * message_format is printf-style. Invalid UTF-8 is replaced by U+FFFD, so the
 * caller always receives valid JSON.
 */
lambda_code lambda_response_set_error(lambda_response *response, const char *error_type,
                                      const char *message_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Append one line to the error's stackTrace (call after lambda_response_set_error). */
lambda_code lambda_response_add_stack_line(lambda_response *response, const char *line);

/* Whether an error is set. */
int lambda_response_is_error(const lambda_response *response);

#ifdef __cplusplus
}
#endif

#endif
