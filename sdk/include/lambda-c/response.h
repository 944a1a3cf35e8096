/** @file
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
typedef struct lambda_response
    lambda_response; /**< What the handler answers (bytes, JSON, a stream or an error). Owned by the runtime. */

/** Answer a copy of size bytes at data. content_type NULL means "application/json". */
lambda_code lambda_response_set_body(lambda_response *response, const void *data, size_t size,
                                     const char *content_type);

/**
 * Answer size bytes at data without copying them. The bytes must stay valid
 * until the handler returns plus the send, i.e. until the invocation ends:
 * the event's own bytes, static data, or memory the handler frees later.
 */
lambda_code lambda_response_set_body_ref(lambda_response *response, const void *data, size_t size,
                                         const char *content_type);

/**
 * Answer size bytes at data, taking ownership: data must come from malloc
 * and is freed with free() once sent (also when this call fails).
 */
lambda_code lambda_response_take_body(lambda_response *response, void *data, size_t size,
                                      const char *content_type);

/**
 * Answer value serialized as JSON ("application/json"). Takes over the
 * caller's reference: the runtime calls json_object_put(value) once sent,
 * also when this call fails. value NULL answers the JSON null.
 */
lambda_code lambda_response_set_json(lambda_response *response, struct json_object *value);

/**
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

/** Append one line to the error's stackTrace (call after lambda_response_set_error). */
lambda_code lambda_response_add_stack_line(lambda_response *response, const char *line);

/** Whether an error is set. */
int lambda_response_is_error(const lambda_response *response);

/**
 * Attach an X-Ray error cause to the error (sent as the
 * Lambda-Runtime-Function-XRay-Error-Cause header): one line of JSON, at most
 * 64 KiB, e.g. {"working_directory":"/var/task","exceptions":[...],"paths":[]}.
 * Copied. Returns LAMBDA_E_TOO_LARGE above 64 KiB, LAMBDA_E_INVALID_JSON if
 * it does not parse, LAMBDA_E_STATE when no error is set. Since 1.1.
 */
lambda_code lambda_response_set_xray_cause(lambda_response *response, const char *cause_json);

/* --- streaming (since 1.1) ---------------------------------------------
 *
 * A streamed response reaches the caller as it is written, up to 200 MB
 * (Lambda's limit; the first 6 MB at full speed). Nothing is sent until the
 * first write: an error set before it is sent as an ordinary error; an error
 * set after it ends the stream and travels in the HTTP trailers
 * (Lambda-Runtime-Function-Error-Type / -Body), which is how Lambda reports a
 * mid-stream failure. After lambda_response_stream_begin*, the other body
 * setters return LAMBDA_E_STATE.
 */

/** Start a streamed response with the given Content-Type (NULL: application/octet-stream). */
lambda_code lambda_response_stream_begin(lambda_response *response, const char *content_type);

/**
 * Start a streamed HTTP response for a Function URL or API Gateway: the
 * caller's HTTP status, headers (a JSON object of string values) and cookies
 * (a JSON array of Set-Cookie strings); either may be NULL. The objects are
 * only read, not taken. The body then follows with lambda_response_stream_write.
 */
lambda_code lambda_response_stream_begin_http(lambda_response *response, int status_code,
                                              struct json_object *headers,
                                              struct json_object *cookies);

/**
 * Send size bytes of the streamed body now. Returns LAMBDA_E_CONNECTION_CLOSED
 * (or LAMBDA_E_IO) when the Runtime API connection failed: stop producing, the
 * invocation is lost; LAMBDA_E_TOO_LARGE past 200 MB.
 */
lambda_code lambda_response_stream_write(lambda_response *response, const void *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif
