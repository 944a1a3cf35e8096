/*
 * The Lambda Runtime API (version 2018-06-01) as calls, over one lc_http_conn.
 * Status codes are returned as they are; what they mean for the loop is
 * decided by the loop.
 */
#ifndef LAMBDA_C_RUNTIME_API_H
#define LAMBDA_C_RUNTIME_API_H

#include "core/transport/http.h"

typedef struct lc_runtime_api {
    lc_http_conn *conn;
    char endpoint[256];
} lc_runtime_api;

/* Connects to endpoint ("host:port", i.e. $AWS_LAMBDA_RUNTIME_API). */
lambda_code lc_runtime_api_connect(lc_runtime_api *api, const char *endpoint);
void lc_runtime_api_close(lc_runtime_api *api);
/* A new connection to the same endpoint (after an answer too large to read closed it). */
lambda_code lc_runtime_api_reconnect(lc_runtime_api *api);

/* GET /runtime/invocation/next (blocks until Lambda has an invocation). */
lambda_code lc_runtime_api_next(lc_runtime_api *api, lc_http_response *resp);

/* POST /runtime/invocation/{request_id}/response. invocation_id may be NULL. */
lambda_code lc_runtime_api_respond(lc_runtime_api *api, const char *request_id,
                                   const char *invocation_id, const void *body, size_t size,
                                   const char *content_type, lc_http_response *resp);

/* POST /runtime/invocation/{request_id}/error with Lambda's error JSON, and the X-Ray cause
 * header when xray_cause is not NULL. */
lambda_code lc_runtime_api_report_error(lc_runtime_api *api, const char *request_id,
                                        const char *invocation_id, const char *error_type,
                                        const char *error_json, size_t size, const char *xray_cause,
                                        lc_http_response *resp);

/* Streamed /response: the head (chunked, streaming mode, error trailers declared). */
lambda_code lc_runtime_api_stream_begin(lc_runtime_api *api, const char *request_id,
                                        const char *invocation_id, const char *content_type);
/* The end of a streamed /response, with the error trailers when error_type is not NULL
 * (error_body_base64: the base64 of Lambda's error JSON). */
lambda_code lc_runtime_api_stream_end(lc_runtime_api *api, const char *error_type,
                                      const char *error_body_base64, lc_http_response *resp);

/* POST /runtime/init/error with Lambda's error JSON. */
lambda_code lc_runtime_api_init_error(lc_runtime_api *api, const char *error_type,
                                      const char *error_json, size_t size, lc_http_response *resp);

/* The Lambda-Runtime-Function-Error-Type value for a handler's errorType: Lambda
 * classifies "Runtime.X" and "Function.X"; anything else is sent as "Function.X". */
void lc_runtime_api_error_header(const char *error_type, char *out, size_t cap);

#endif
