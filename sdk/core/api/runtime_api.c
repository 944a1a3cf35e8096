#include "core/api/runtime_api.h"

#include <stdio.h>
#include <string.h>

#define API_PREFIX "/2018-06-01/runtime"
#define ERROR_CONTENT_TYPE "application/vnd.aws.lambda.error+json"
/* The longest request id in a path, percent-encoded (Lambda's are 36-byte UUIDs). */
#define REQUEST_ID_MAX_PATH 510

lambda_code lc_runtime_api_connect(lc_runtime_api *api, const char *endpoint)
{
    size_t len = endpoint ? strlen(endpoint) : 0;
    if (!len || len >= sizeof api->endpoint)
        return LAMBDA_E_CONFIG;
    memcpy(api->endpoint, endpoint, len + 1);
    return lc_http_conn_open(&api->conn, endpoint);
}

void lc_runtime_api_close(lc_runtime_api *api)
{
    lc_http_conn_close(api->conn);
    api->conn = NULL;
}

lambda_code lc_runtime_api_reconnect(lc_runtime_api *api)
{
    return lc_http_conn_reopen(api->conn);
}

lambda_code lc_runtime_api_next(lc_runtime_api *api, lc_http_response *resp)
{
    return lc_http_request(api->conn, "GET", API_PREFIX "/invocation/next", NULL, 0, NULL, 0, resp);
}

/*
 * API_PREFIX "/invocation/ID/suffix" into out. Request ids are UUIDs; anything else is
 * percent-encoded so the path stays one segment. Built by hand: snprintf here was 1.6k of
 * the ~13k instructions each echo invocation cost (callgrind, bench/run.sh).
 */
static int invocation_path(char *out, size_t cap, const char *request_id, const char *suffix)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char prefix[] = API_PREFIX "/invocation/";
    size_t suffix_len = strlen(suffix);
    if (cap < sizeof prefix + suffix_len + 1)
        return 0;
    /* Room for the id: at most REQUEST_ID_MAX_PATH bytes, and what the prefix, '/', the
     * suffix and the NUL leave. */
    size_t id_end = cap - suffix_len - 2;
    if (id_end > sizeof prefix - 1 + REQUEST_ID_MAX_PATH)
        id_end = sizeof prefix - 1 + REQUEST_ID_MAX_PATH;
    memcpy(out, prefix, sizeof prefix - 1);
    size_t o = sizeof prefix - 1;
    for (const unsigned char *p = (const unsigned char *)request_id; *p; p++) {
        if (o + 3 > id_end)
            return 0;
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o++] = '/';
    memcpy(out + o, suffix, suffix_len + 1);
    return 1;
}

lambda_code lc_runtime_api_respond(lc_runtime_api *api, const char *request_id,
                                   const char *invocation_id, const void *body, size_t size,
                                   const char *content_type, lc_http_response *resp)
{
    char path[640];
    if (!invocation_path(path, sizeof path, request_id, "response"))
        return LAMBDA_E_INVALID_ARGUMENT;
    lc_http_header headers[] = {
        { "Content-Type", content_type },
        { "Lambda-Runtime-Invocation-Id", invocation_id },
    };
    return lc_http_request(api->conn, "POST", path, headers, 2, body ? body : "", size, resp);
}

void lc_runtime_api_error_header(const char *error_type, char *out, size_t cap)
{
    if (strncmp(error_type, "Runtime.", 8) == 0 || strncmp(error_type, "Function.", 9) == 0)
        snprintf(out, cap, "%s", error_type);
    else
        snprintf(out, cap, "Function.%s", error_type);
    /* A header value must not break the request. */
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '_';
}

lambda_code lc_runtime_api_report_error(lc_runtime_api *api, const char *request_id,
                                        const char *invocation_id, const char *error_type,
                                        const char *error_json, size_t size, const char *xray_cause,
                                        lc_http_response *resp)
{
    char path[640];
    char type_header[256];
    if (!invocation_path(path, sizeof path, request_id, "error"))
        return LAMBDA_E_INVALID_ARGUMENT;
    lc_runtime_api_error_header(error_type, type_header, sizeof type_header);
    lc_http_header headers[] = {
        { "Content-Type", ERROR_CONTENT_TYPE },
        { "Lambda-Runtime-Function-Error-Type", type_header },
        { "Lambda-Runtime-Invocation-Id", invocation_id },
        { "Lambda-Runtime-Function-XRay-Error-Cause", xray_cause },
    };
    return lc_http_request(api->conn, "POST", path, headers, 4, error_json, size, resp);
}

lambda_code lc_runtime_api_init_error(lc_runtime_api *api, const char *error_type,
                                      const char *error_json, size_t size, lc_http_response *resp)
{
    char type_header[256];
    lc_runtime_api_error_header(error_type, type_header, sizeof type_header);
    lc_http_header headers[] = {
        { "Content-Type", ERROR_CONTENT_TYPE },
        { "Lambda-Runtime-Function-Error-Type", type_header },
    };
    return lc_http_request(api->conn, "POST", API_PREFIX "/init/error", headers, 2, error_json,
                           size, resp);
}

lambda_code lc_runtime_api_stream_begin(lc_runtime_api *api, const char *request_id,
                                        const char *invocation_id, const char *content_type)
{
    char path[640];
    if (!invocation_path(path, sizeof path, request_id, "response"))
        return LAMBDA_E_INVALID_ARGUMENT;
    lc_http_header headers[] = {
        { "Content-Type", content_type },
        { "Lambda-Runtime-Function-Response-Mode", "streaming" },
        { "Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" },
        { "Lambda-Runtime-Invocation-Id", invocation_id },
    };
    return lc_http_chunked_begin(api->conn, "POST", path, headers, 4);
}

lambda_code lc_runtime_api_stream_end(lc_runtime_api *api, const char *error_type,
                                      const char *error_body_base64, lc_http_response *resp)
{
    char type_header[256];
    if (!error_type)
        return lc_http_chunked_end(api->conn, NULL, 0, resp);
    lc_runtime_api_error_header(error_type, type_header, sizeof type_header);
    lc_http_header trailers[] = {
        { "Lambda-Runtime-Function-Error-Type", type_header },
        { "Lambda-Runtime-Function-Error-Body", error_body_base64 },
    };
    return lc_http_chunked_end(api->conn, trailers, 2, resp);
}
