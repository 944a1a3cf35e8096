/*
 * lambda-c/event_http.h - HTTP requests from API Gateway, ALB and Function
 * URLs, and the responses they expect.
 *
 * One request view over the four event shapes Lambda receives for HTTP:
 *
 *   LAMBDA_HTTP_FORMAT_REST_V1          API Gateway REST API proxy integration (and
 *                                       HTTP API with payload format 1.0)
 *   LAMBDA_HTTP_FORMAT_HTTP_V2          API Gateway HTTP API, payload format 2.0
 *   LAMBDA_HTTP_FORMAT_FUNCTION_URL     Lambda Function URL (the 2.0 shape)
 *   LAMBDA_HTTP_FORMAT_ALB              Application Load Balancer target group
 *   LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE  the same, with multi-value headers enabled
 *
 *     struct json_object *root;
 *     lambda_http_request *req;
 *     if (lambda_event_json(event, &root) || lambda_http_request_parse(root, &req))
 *         return lambda_response_set_error(response, "BadRequest", "not an HTTP event");
 *     const char *accept = lambda_http_request_header(req, "accept");
 *     ...
 *     lambda_http_request_free(req);
 *
 * Ownership. lambda_http_request_parse borrows root: the request reads the
 * json-c tree in place and must be freed before the tree goes away (the
 * event's tree lives until the handler returns). Every `const char *` a
 * request returns is NUL-terminated and stays valid until
 * lambda_http_request_free; most point straight into the tree (no copy).
 * Copies are made only where the event's text has to be decoded or split:
 * ALB and 2.0 query strings (percent-decoding), cookies (split at ';' and
 * '='), the ALB source IP (taken out of X-Forwarded-For) and base64 bodies.
 * Those belong to the request too. A field the event does not carry is
 * NULL, never "".
 *
 * Normalization:
 *  - method and path are as sent (2.0: requestContext.http.method, rawPath).
 *  - Header lookup ignores ASCII case. REST v1 and ALB may carry several
 *    values per name (multiValueHeaders); the 2.0 formats join repeated
 *    headers with ',' themselves, so there a header has one value.
 *  - Query parameters are decoded values in request order. For the 2.0
 *    formats they come from rawQueryString (so repeated names keep their
 *    separate values); ALB passes the query as the client sent it, so its
 *    names and values are percent-decoded here ('+' is a space); REST v1
 *    values arrive decoded. Names are case-sensitive.
 *  - Cookies come from the 2.0 `cookies` array, or from the Cookie
 *    header(s) of REST v1 and ALB; each is a name and a value (not decoded,
 *    as RFC 6265 says).
 *  - The body is decoded from base64 when isBase64Encoded is true.
 *
 * A request is not thread-safe: use it (and what it returns) from one
 * thread at a time. lambda_http_request_body caches its decoding.
 */
#ifndef LAMBDA_C_EVENT_HTTP_H
#define LAMBDA_C_EVENT_HTTP_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* Which integration sent a request, and so which response shape it expects. */
typedef enum lambda_http_format {
    LAMBDA_HTTP_FORMAT_UNKNOWN = 0,
    LAMBDA_HTTP_FORMAT_REST_V1 = 1,
    LAMBDA_HTTP_FORMAT_HTTP_V2 = 2,
    LAMBDA_HTTP_FORMAT_FUNCTION_URL = 3,
    LAMBDA_HTTP_FORMAT_ALB = 4,
    LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE = 5
} lambda_http_format;

/* ================================================================ requests */

typedef struct lambda_http_request lambda_http_request;

/*
 * Reads the HTTP event root (from lambda_event_json) into a new request,
 * stored in *out; free it with lambda_http_request_free.
 *
 * The format is recognized by shape: "version": "2.0" is HTTP API 2.0, or a
 * Function URL when requestContext.domainName is a "*.lambda-url.*"
 * domain; requestContext.elb is ALB (multi-value when the event has
 * multiValueHeaders); otherwise an event with httpMethod is REST v1.
 *
 * Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  root or out is NULL (root NULL is the JSON null);
 *   LAMBDA_E_WRONG_TYPE        root is not an object of one of the four shapes, or a
 *                              field the request exposes has the wrong JSON type
 *                              (e.g. a header value that is not a string);
 *   LAMBDA_E_NOT_FOUND         the method or the path is missing;
 *   LAMBDA_E_NO_MEMORY.
 * On failure *out is NULL.
 */
lambda_code lambda_http_request_parse(struct json_object *root, lambda_http_request **out);

/* Frees req and everything it returned. NULL is a no-op. */
void lambda_http_request_free(lambda_http_request *req);

/* The format the request arrived in. */
lambda_http_format lambda_http_request_format(const lambda_http_request *req);

/* The event's root, for fields this view does not cover (borrowed: do not put it). */
struct json_object *lambda_http_request_json(const lambda_http_request *req);

/* The method, e.g. "GET", as sent. Never NULL for a parsed request. */
const char *lambda_http_request_method(const lambda_http_request *req);

/*
 * The request path, e.g. "/items/42": rawPath for the 2.0 formats (it
 * includes the stage for a non-$default HTTP API stage), "path" for REST
 * v1 and ALB. Never NULL for a parsed request.
 */
const char *lambda_http_request_path(const lambda_http_request *req);

/* The query string as sent, without '?' (2.0 formats only; NULL for REST v1 and ALB). */
const char *lambda_http_request_raw_query(const lambda_http_request *req);

/* --- headers (name lookup ignores ASCII case) --- */

/* The first value of header name, or NULL when absent. */
const char *lambda_http_request_header(const lambda_http_request *req, const char *name);

/* How many values header name has (0 when absent). */
size_t lambda_http_request_header_value_count(const lambda_http_request *req, const char *name);

/* Value number index (from 0) of header name, or NULL when there are not that many. */
const char *lambda_http_request_header_value(const lambda_http_request *req, const char *name,
                                             size_t index);

/* How many (name, value) header pairs the request has; a header with n values counts n times. */
size_t lambda_http_request_header_count(const lambda_http_request *req);

/*
 * Pair number index: returns the name as the event spells it and stores the
 * value in *value (if value is not NULL). NULL when index is out of range.
 */
const char *lambda_http_request_header_at(const lambda_http_request *req, size_t index,
                                          const char **value);

/* --- query string parameters (case-sensitive, decoded) --- */

/* The first value of parameter name ("" for "?flag" or "?flag="), or NULL when absent. */
const char *lambda_http_request_query(const lambda_http_request *req, const char *name);

/* How many values parameter name has (0 when absent). */
size_t lambda_http_request_query_value_count(const lambda_http_request *req, const char *name);

/* Value number index of parameter name, or NULL. */
const char *lambda_http_request_query_value(const lambda_http_request *req, const char *name,
                                            size_t index);

/* How many (name, value) pairs the query has. */
size_t lambda_http_request_query_count(const lambda_http_request *req);

/* Pair number index, like lambda_http_request_header_at. */
const char *lambda_http_request_query_at(const lambda_http_request *req, size_t index,
                                         const char **value);

/* --- path parameters (REST v1 and HTTP API routes such as /items/{id}) --- */

/* The value of path parameter name, or NULL (always NULL for ALB and Function URLs). */
const char *lambda_http_request_path_param(const lambda_http_request *req, const char *name);

size_t lambda_http_request_path_param_count(const lambda_http_request *req);

/* Parameter number index, like lambda_http_request_header_at. */
const char *lambda_http_request_path_param_at(const lambda_http_request *req, size_t index,
                                              const char **value);

/* --- cookies --- */

/* The value of the first cookie called name (case-sensitive), or NULL. */
const char *lambda_http_request_cookie(const lambda_http_request *req, const char *name);

size_t lambda_http_request_cookie_count(const lambda_http_request *req);

/* Cookie number index in request order, like lambda_http_request_header_at. */
const char *lambda_http_request_cookie_at(const lambda_http_request *req, size_t index,
                                          const char **value);

/* --- body --- */

/*
 * The body's bytes in *data and their count in *size (size may be NULL).
 * When the event says isBase64Encoded, they are decoded on the first call
 * into memory the request owns (later calls return the same pointer);
 * otherwise *data points into the event. Either way the bytes are followed
 * by a NUL that *size does not count. No body gives "" and 0.
 *
 * Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT (req or data NULL),
 * LAMBDA_E_WRONG_TYPE (isBase64Encoded but the body is not RFC 4648
 * base64) or LAMBDA_E_NO_MEMORY; on failure *data is NULL.
 */
lambda_code lambda_http_request_body(const lambda_http_request *req, const void **data,
                                     size_t *size);

/* Whether the event's body is base64 (isBase64Encoded). */
int lambda_http_request_body_is_base64(const lambda_http_request *req);

/* The body as the event carries it (base64 text when encoded), or NULL without a body. */
const char *lambda_http_request_body_raw(const lambda_http_request *req, size_t *len);

/* --- request context --- */

/* requestContext.requestId (API Gateway and Function URLs); NULL for ALB. */
const char *lambda_http_request_request_id(const lambda_http_request *req);

/*
 * The client's address: requestContext.identity.sourceIp (REST v1),
 * requestContext.http.sourceIp (2.0 formats), and for ALB the last
 * X-Forwarded-For entry, i.e. the address the load balancer saw connect.
 */
const char *lambda_http_request_source_ip(const lambda_http_request *req);

/* requestContext.stage, e.g. "prod" or "$default"; NULL for ALB. */
const char *lambda_http_request_stage(const lambda_http_request *req);

/* requestContext.domainName; for ALB the Host header. */
const char *lambda_http_request_domain_name(const lambda_http_request *req);

/* =============================================================== responses */

/*
 * A response builder: set status, headers, cookies and body in any order,
 * then lambda_http_response_build turns them into the JSON object the
 * integration expects, to pass to lambda_response_set_json:
 *
 *     lambda_http_response *res;
 *     struct json_object *out;
 *     lambda_http_response_new_for(req, &res);
 *     lambda_http_response_set_status(res, 201);
 *     lambda_http_response_set_header(res, "Content-Type", "text/plain");
 *     lambda_http_response_add_cookie(res, "session=abc; Path=/; HttpOnly");
 *     lambda_http_response_set_body(res, "created\n", 8);
 *     if (lambda_http_response_build(res, &out) == LAMBDA_OK)
 *         lambda_response_set_json(response, out);
 *     lambda_http_response_free(res);
 *
 * Shapes built:
 *   REST_V1        statusCode, headers (single-valued names), multiValueHeaders
 *                  (names with several values, and Set-Cookie), body, isBase64Encoded
 *   HTTP_V2,       statusCode, headers (several values joined with ", "),
 *   FUNCTION_URL   cookies (when there are any), body, isBase64Encoded
 *   ALB            statusCode, statusDescription ("404 Not Found"), headers, body,
 *                  isBase64Encoded; at most one cookie (single-value headers)
 *   ALB_MULTI_VALUE  the same with multiValueHeaders instead of headers (ALB
 *                  requires the shape that matches the target group setting)
 *
 * Header names are case-insensitive: set_header replaces every value of the
 * name whatever its case. A "Set-Cookie" header is a cookie. Names must be
 * RFC 9110 tokens and values must not contain CR, LF or NUL
 * (LAMBDA_E_INVALID_ARGUMENT otherwise), so no header can be injected.
 * The builder copies every string it is given.
 */
typedef struct lambda_http_response lambda_http_response;

/*
 * A new builder for format (status 200, no headers, empty body) in *out;
 * free it with lambda_http_response_free. LAMBDA_E_INVALID_ARGUMENT for
 * LAMBDA_HTTP_FORMAT_UNKNOWN, another value or out NULL; LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_http_response_new(lambda_http_format format, lambda_http_response **out);

/* lambda_http_response_new with the format req arrived in. */
lambda_code lambda_http_response_new_for(const lambda_http_request *req,
                                         lambda_http_response **out);

/* Frees res. NULL is a no-op. */
void lambda_http_response_free(lambda_http_response *res);

/* The status code, 100 to 599 (LAMBDA_E_INVALID_ARGUMENT otherwise). */
lambda_code lambda_http_response_set_status(lambda_http_response *res, int status);

/* Sets header name to value, replacing every earlier value of name. */
lambda_code lambda_http_response_set_header(lambda_http_response *res, const char *name,
                                            const char *value);

/* Adds value to header name, after its earlier values. */
lambda_code lambda_http_response_add_header(lambda_http_response *res, const char *name,
                                            const char *value);

/* Adds a cookie: a whole Set-Cookie value such as "id=a3f; Max-Age=3600; Secure". */
lambda_code lambda_http_response_add_cookie(lambda_http_response *res, const char *set_cookie);

/*
 * The body: a copy of size bytes at data (data may be NULL when size is 0),
 * sent as text. They must be valid UTF-8, since JSON carries them
 * (LAMBDA_E_INVALID_ARGUMENT otherwise): use
 * lambda_http_response_set_body_base64 for binary bodies.
 */
lambda_code lambda_http_response_set_body(lambda_http_response *res, const void *data, size_t size);

/* The body: size bytes at data, sent base64-encoded with isBase64Encoded true. */
lambda_code lambda_http_response_set_body_base64(lambda_http_response *res, const void *data,
                                                 size_t size);

/*
 * The body: value serialized as JSON, and Content-Type "application/json"
 * unless one is set. Takes over the caller's reference to value (it is put
 * here, also on failure); NULL sends "null".
 */
lambda_code lambda_http_response_set_body_json(lambda_http_response *res,
                                               struct json_object *value);

/*
 * Builds the response object into *out: a new json-c object that the caller
 * owns (pass it to lambda_response_set_json, which takes the reference, or
 * json_object_put it). The builder is left unchanged and may build again.
 * Returns LAMBDA_OK, LAMBDA_E_INVALID_ARGUMENT (NULL argument),
 * LAMBDA_E_UNSUPPORTED (more than one cookie for ALB without multi-value
 * headers, which cannot carry them) or LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_http_response_build(const lambda_http_response *res, struct json_object **out);

#ifdef __cplusplus
}
#endif

#endif
