/*
 * Streamed responses: Lambda's "streaming" response mode over a chunked
 * /response, with errors after the first byte carried in trailers.
 */
#include "core/runtime/invocation.h"
#include "util/base64.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_INTEGRATION_CONTENT_TYPE "application/vnd.awslambda.http-integration-response"
/* Between the HTTP integration prelude and the body. */
#define PRELUDE_SEPARATOR_SIZE 8

lambda_code lambda_response_stream_begin(lambda_response *response, const char *content_type)
{
    if (!response)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (response->stream != STREAM_NONE || !response->api)
        return LAMBDA_E_STATE;
    lc_response_reset(response);
    const char *type = content_type ? content_type : "application/octet-stream";
    size_t len = strlen(type);
    if (len >= sizeof response->content_type || strpbrk(type, "\r\n"))
        return LAMBDA_E_INVALID_ARGUMENT;
    memcpy(response->content_type, type, len + 1);
    response->stream = STREAM_PENDING;
    return LAMBDA_OK;
}

lambda_code lambda_response_stream_begin_http(lambda_response *response, int status_code,
                                              struct json_object *headers,
                                              struct json_object *cookies)
{
    if (!response || status_code < 100 || status_code > 599 ||
        (headers && !json_object_is_type(headers, json_type_object)) ||
        (cookies && !json_object_is_type(cookies, json_type_array)))
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_code rc = lambda_response_stream_begin(response, HTTP_INTEGRATION_CONTENT_TYPE);
    if (rc)
        return rc;
    json_object *prelude = json_object_new_object();
    if (!prelude)
        return LAMBDA_E_NO_MEMORY;
    json_object_object_add(prelude, "statusCode", json_object_new_int(status_code));
    if (headers)
        json_object_object_add(prelude, "headers", json_object_get(headers));
    if (cookies)
        json_object_object_add(prelude, "cookies", json_object_get(cookies));
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        prelude, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    rc = LAMBDA_E_NO_MEMORY;
    if (text && (response->prelude = malloc(len + PRELUDE_SEPARATOR_SIZE))) {
        memcpy(response->prelude, text, len);
        memset(response->prelude + len, 0, PRELUDE_SEPARATOR_SIZE);
        response->prelude_size = len + PRELUDE_SEPARATOR_SIZE;
        rc = LAMBDA_OK;
    }
    json_object_put(prelude);
    if (rc)
        response->stream = STREAM_NONE;
    return rc;
}

/* Sends the head and the prelude: the stream is then open. */
static lambda_code stream_open(lambda_response *response)
{
    lambda_code rc =
        lc_runtime_api_stream_begin(response->api, response->ctx->request_id,
                                    response->ctx->invocation_id, response->content_type);
    if (rc == LAMBDA_OK && response->prelude_size)
        rc = lc_http_chunked_write(response->api->conn, response->prelude, response->prelude_size);
    response->stream = rc ? STREAM_BROKEN : STREAM_OPEN;
    return rc;
}

lambda_code lambda_response_stream_write(lambda_response *response, const void *data, size_t size)
{
    if (!response || (!data && size))
        return LAMBDA_E_INVALID_ARGUMENT;
    switch (response->stream) {
    case STREAM_NONE:
        return LAMBDA_E_STATE;
    case STREAM_BROKEN:
        return LAMBDA_E_CONNECTION_CLOSED;
    case STREAM_PENDING:
    case STREAM_OPEN:
        break;
    }
    if (size > STREAM_MAX_BYTES - response->streamed)
        return LAMBDA_E_TOO_LARGE;
    if (size == 0)
        return LAMBDA_OK;
    lambda_code rc = LAMBDA_OK;
    if (response->stream == STREAM_PENDING)
        rc = stream_open(response);
    if (rc == LAMBDA_OK)
        rc = lc_http_chunked_write(response->api->conn, data, size);
    if (rc) {
        response->stream = STREAM_BROKEN;
        return rc;
    }
    response->streamed += size;
    return LAMBDA_OK;
}

lambda_code lc_stream_finish(lambda_response *response, const char *error_type,
                             const char *error_json, size_t error_size, lc_http_response *resp)
{
    if (response->stream == STREAM_BROKEN)
        return LAMBDA_E_CONNECTION_CLOSED;
    lambda_code rc = LAMBDA_OK;
    if (response->stream == STREAM_PENDING)
        rc = stream_open(response);
    if (rc)
        return rc;
    char *body = NULL;
    if (error_type) {
        body = lc_base64_encode_alloc(error_json, error_size);
        if (!body)
            return LAMBDA_E_NO_MEMORY;
    }
    rc = lc_runtime_api_stream_end(response->api, error_type, body, resp);
    free(body);
    if (rc)
        response->stream = STREAM_BROKEN;
    return rc;
}
