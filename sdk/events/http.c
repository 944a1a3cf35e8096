/*
 * http.c - the HTTP request view over API Gateway REST v1, HTTP API 2.0,
 * Function URL and ALB events, and the response builder (event_http.h).
 *
 * Parsing indexes the event once: headers, query parameters, path
 * parameters and cookies become arrays of (name, value) pointers, mostly
 * into the json-c tree; only decoded or split text is copied, into the
 * request's arena.
 */
#include "events/events_internal.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ requests */

typedef struct pair {
    const char *name;
    const char *value;
} pair;

typedef int name_eq_fn(const char *a, const char *b);

/* (name, value) pairs: headers (names matched with eq = lc_ev_strcaseeq), query, path parameters, cookies. */
typedef struct pairs {
    pair *items;
    size_t count;
    size_t cap;
    name_eq_fn *eq;
} pairs;

struct lambda_http_request {
    json_object *root;
    lambda_http_format format;
    const char *method;
    const char *path;
    const char *raw_query;
    const char *request_id;
    const char *source_ip;
    const char *stage;
    const char *domain_name;
    const char *body;
    size_t body_len;
    int body_b64;
    pairs headers;
    pairs query;
    pairs path_params;
    pairs cookies;
    lc_ev_decoded body_decoded;
    lc_ev_arena arena;
};

static lambda_code pairs_push(pairs *p, const char *name, const char *value)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        pair *items = realloc(p->items, cap * sizeof *items);
        if (!items)
            return LAMBDA_E_NO_MEMORY;
        p->items = items;
        p->cap = cap;
    }
    p->items[p->count].name = name;
    p->items[p->count].value = value;
    p->count++;
    return LAMBDA_OK;
}

static int name_eq_exact(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static const char *pairs_value(const pairs *p, const char *name, size_t index)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < p->count; i++) {
        if (p->eq(p->items[i].name, name)) {
            if (index == 0)
                return p->items[i].value;
            index--;
        }
    }
    return NULL;
}

static size_t pairs_value_count(const pairs *p, const char *name)
{
    size_t n = 0;
    if (!name)
        return 0;
    for (size_t i = 0; i < p->count; i++)
        if (p->eq(p->items[i].name, name))
            n++;
    return n;
}

static const char *pairs_at(const pairs *p, size_t index, const char **value)
{
    if (index >= p->count) {
        if (value)
            *value = NULL;
        return NULL;
    }
    if (value)
        *value = p->items[index].value;
    return p->items[index].name;
}

/* Adds every (name, string) of a string map, as is. */
static lambda_code add_map(pairs *p, json_object *map)
{
    if (!map)
        return LAMBDA_OK;
    json_object_object_foreach(map, k, v)
    {
        if (!v)
            continue;
        lambda_code rc = pairs_push(p, k, json_object_get_string(v));
        if (rc)
            return rc;
    }
    return LAMBDA_OK;
}

/* Adds every (name, value) of a map of string arrays, as is. */
static lambda_code add_multi_map(pairs *p, json_object *map)
{
    if (!map)
        return LAMBDA_OK;
    json_object_object_foreach(map, k, v)
    {
        size_t n = v ? json_object_array_length(v) : 0;
        for (size_t i = 0; i < n; i++) {
            lambda_code rc =
                pairs_push(p, k, json_object_get_string(json_object_array_get_idx(v, i)));
            if (rc)
                return rc;
        }
    }
    return LAMBDA_OK;
}

/* A percent-decoded, NUL-terminated copy in the arena. */
static const char *arena_url_decode(lc_ev_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *out = lc_ev_arena_alloc(a, len + 1);
    if (out)
        lc_ev_url_decode(s, len, out, 1);
    return out;
}

/* Adds the map (of strings or of string arrays) with names and values percent-decoded (ALB). */
static lambda_code add_map_decoded(lambda_http_request *req, pairs *p, json_object *map, int multi)
{
    if (!map)
        return LAMBDA_OK;
    json_object_object_foreach(map, k, v)
    {
        if (!v)
            continue;
        const char *name = arena_url_decode(&req->arena, k, strlen(k));
        if (!name)
            return LAMBDA_E_NO_MEMORY;
        size_t n = multi ? json_object_array_length(v) : 1;
        for (size_t i = 0; i < n; i++) {
            json_object *s = multi ? json_object_array_get_idx(v, i) : v;
            const char *value = arena_url_decode(&req->arena, json_object_get_string(s),
                                                 (size_t)json_object_get_string_len(s));
            if (!value)
                return LAMBDA_E_NO_MEMORY;
            lambda_code rc = pairs_push(p, name, value);
            if (rc)
                return rc;
        }
    }
    return LAMBDA_OK;
}

/* Splits a raw query string ("a=1&b=x%20y&flag") into decoded pairs. */
static lambda_code add_raw_query(lambda_http_request *req, const char *q)
{
    while (*q) {
        const char *end = strchr(q, '&');
        size_t len = end ? (size_t)(end - q) : strlen(q);
        if (len) {
            const char *eq = memchr(q, '=', len);
            size_t name_len = eq ? (size_t)(eq - q) : len;
            const char *name = arena_url_decode(&req->arena, q, name_len);
            const char *value = eq ? arena_url_decode(&req->arena, eq + 1, len - name_len - 1) : "";
            if (!name || !value)
                return LAMBDA_E_NO_MEMORY;
            lambda_code rc = pairs_push(&req->query, name, value);
            if (rc)
                return rc;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return LAMBDA_OK;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Adds one cookie from "name=value" (len bytes at s), trimmed of spaces; skips empty ones. */
static lambda_code add_cookie(lambda_http_request *req, const char *s, size_t len)
{
    while (len && is_ows(*s)) {
        s++;
        len--;
    }
    while (len && is_ows(s[len - 1]))
        len--;
    if (!len)
        return LAMBDA_OK;
    const char *eq = memchr(s, '=', len);
    /* RFC 6265bis: a cookie without '=' has an empty name. */
    const char *ns = eq ? s : s + len;
    size_t nl = eq ? (size_t)(eq - s) : 0;
    const char *vs = eq ? eq + 1 : s;
    size_t vl = eq ? len - nl - 1 : len;
    while (nl && is_ows(ns[nl - 1]))
        nl--;
    while (vl && is_ows(*vs)) {
        vs++;
        vl--;
    }
    const char *name = lc_ev_arena_strndup(&req->arena, ns, nl);
    const char *value = lc_ev_arena_strndup(&req->arena, vs, vl);
    if (!name || !value)
        return LAMBDA_E_NO_MEMORY;
    return pairs_push(&req->cookies, name, value);
}

/* Adds the cookies of a Cookie header value: "a=1; b=2". */
static lambda_code add_cookie_header(lambda_http_request *req, const char *h)
{
    while (*h) {
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        lambda_code rc = add_cookie(req, h, len);
        if (rc)
            return rc;
        h += len;
        if (*h == ';')
            h++;
    }
    return LAMBDA_OK;
}

/* The last entry of X-Forwarded-For, trimmed: the peer the load balancer saw. */
static lambda_code alb_source_ip(lambda_http_request *req)
{
    size_t n = pairs_value_count(&req->headers, "x-forwarded-for");
    if (!n)
        return LAMBDA_OK;
    const char *xff = pairs_value(&req->headers, "x-forwarded-for", n - 1);
    const char *start = strrchr(xff, ',');
    start = start ? start + 1 : xff;
    while (is_ows(*start))
        start++;
    size_t len = strlen(start);
    while (len && is_ows(start[len - 1]))
        len--;
    if (!len)
        return LAMBDA_OK;
    req->source_ip = lc_ev_arena_strndup(&req->arena, start, len);
    return req->source_ip ? LAMBDA_OK : LAMBDA_E_NO_MEMORY;
}

static const lc_ev_field v2_fields[] = {
    { "rawPath", EV_STRING },
    { "rawQueryString", EV_STRING },
    { "cookies", EV_STRING_ARRAY },
    { "headers", EV_STRING_MAP },
    { "queryStringParameters", EV_STRING_MAP },
    { "pathParameters", EV_STRING_MAP },
    { "body", EV_STRING },
    { "isBase64Encoded", EV_BOOL },
    { NULL, EV_STRING },
};

static const lc_ev_field v1_fields[] = {
    { "httpMethod", EV_STRING },
    { "path", EV_STRING },
    { "headers", EV_STRING_MAP },
    { "multiValueHeaders", EV_STRING_ARRAY_MAP },
    { "queryStringParameters", EV_STRING_MAP },
    { "multiValueQueryStringParameters", EV_STRING_ARRAY_MAP },
    { "pathParameters", EV_STRING_MAP },
    { "cookies", EV_STRING_ARRAY },
    { "body", EV_STRING },
    { "isBase64Encoded", EV_BOOL },
    { NULL, EV_STRING },
};

static const lc_ev_field context_fields[] = {
    { "requestId", EV_STRING }, { "stage", EV_STRING },    { "domainName", EV_STRING },
    { "http", EV_OBJECT },      { "identity", EV_OBJECT }, { "elb", EV_OBJECT },
    { NULL, EV_STRING },
};

static const lc_ev_field context_http_fields[] = {
    { "method", EV_STRING },
    { "path", EV_STRING },
    { "sourceIp", EV_STRING },
    { NULL, EV_STRING },
};

static const lc_ev_field identity_fields[] = {
    { "sourceIp", EV_STRING },
    { NULL, EV_STRING },
};

/* Recognizes the format; checks the types of what the view exposes. */
static lambda_code detect(json_object *root, lambda_http_format *format)
{
    json_object *ctx = NULL;
    if (json_object_object_get_ex(root, "requestContext", &ctx) && ctx &&
        !json_object_is_type(ctx, json_type_object))
        return LAMBDA_E_WRONG_TYPE;
    lambda_code rc = lc_ev_check(ctx, context_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(ctx, "http"), context_http_fields);
    if (!rc)
        rc = lc_ev_check(lc_ev_get(ctx, "identity"), identity_fields);
    if (rc)
        return rc;

    const char *version = lc_ev_str(root, "version", NULL);
    if (version && strcmp(version, "2.0") == 0) {
        const char *domain = lc_ev_str(ctx, "domainName", NULL);
        *format = domain && strstr(domain, ".lambda-url.") ? LAMBDA_HTTP_FORMAT_FUNCTION_URL
                                                           : LAMBDA_HTTP_FORMAT_HTTP_V2;
        return lc_ev_check(root, v2_fields);
    }
    if (lc_ev_get(ctx, "elb")) {
        *format = lc_ev_get(root, "multiValueHeaders") ||
                          lc_ev_get(root, "multiValueQueryStringParameters")
                      ? LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE
                      : LAMBDA_HTTP_FORMAT_ALB;
        return lc_ev_check(root, v1_fields);
    }
    if (json_object_object_get_ex(root, "httpMethod", NULL)) {
        *format = LAMBDA_HTTP_FORMAT_REST_V1;
        return lc_ev_check(root, v1_fields);
    }
    return LAMBDA_E_WRONG_TYPE;
}

static lambda_code fill(lambda_http_request *req)
{
    json_object *root = req->root;
    json_object *ctx = lc_ev_get(root, "requestContext");
    int v2 =
        req->format == LAMBDA_HTTP_FORMAT_HTTP_V2 || req->format == LAMBDA_HTTP_FORMAT_FUNCTION_URL;
    int alb =
        req->format == LAMBDA_HTTP_FORMAT_ALB || req->format == LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE;
    lambda_code rc;

    if (v2) {
        json_object *http = lc_ev_get(ctx, "http");
        req->method = lc_ev_str(http, "method", NULL);
        req->path = lc_ev_str(root, "rawPath", NULL);
        if (!req->path)
            req->path = lc_ev_str(http, "path", NULL);
        req->raw_query = lc_ev_str(root, "rawQueryString", NULL);
        req->source_ip = lc_ev_str(http, "sourceIp", NULL);
    } else {
        req->method = lc_ev_str(root, "httpMethod", NULL);
        req->path = lc_ev_str(root, "path", NULL);
        req->source_ip = lc_ev_str(lc_ev_get(ctx, "identity"), "sourceIp", NULL);
    }
    if (!req->method || !req->path)
        return LAMBDA_E_NOT_FOUND;
    if (!alb) {
        req->request_id = lc_ev_str(ctx, "requestId", NULL);
        req->stage = lc_ev_str(ctx, "stage", NULL);
        req->domain_name = lc_ev_str(ctx, "domainName", NULL);
    }

    /* headers */
    json_object *mvh = v2 ? NULL : lc_ev_get(root, "multiValueHeaders");
    rc = mvh ? add_multi_map(&req->headers, mvh)
             : add_map(&req->headers, lc_ev_get(root, "headers"));
    if (rc)
        return rc;

    /* query */
    json_object *mvq = v2 ? NULL : lc_ev_get(root, "multiValueQueryStringParameters");
    json_object *q = lc_ev_get(root, "queryStringParameters");
    if (v2 && req->raw_query)
        rc = add_raw_query(req, req->raw_query);
    else if (alb)
        rc = mvq ? add_map_decoded(req, &req->query, mvq, 1)
                 : add_map_decoded(req, &req->query, q, 0);
    else
        rc = mvq ? add_multi_map(&req->query, mvq) : add_map(&req->query, q);
    if (rc)
        return rc;

    rc = add_map(&req->path_params, lc_ev_get(root, "pathParameters"));
    if (rc)
        return rc;

    /* cookies: the 2.0 array, else the Cookie header(s) */
    json_object *cookies = lc_ev_get(root, "cookies");
    if (cookies) {
        size_t n = json_object_array_length(cookies);
        for (size_t i = 0; i < n && !rc; i++) {
            json_object *c = json_object_array_get_idx(cookies, i);
            rc = add_cookie(req, json_object_get_string(c), (size_t)json_object_get_string_len(c));
        }
    } else {
        size_t n = pairs_value_count(&req->headers, "cookie");
        for (size_t i = 0; i < n && !rc; i++)
            rc = add_cookie_header(req, pairs_value(&req->headers, "cookie", i));
    }
    if (rc)
        return rc;

    if (alb) {
        rc = alb_source_ip(req);
        if (rc)
            return rc;
        req->domain_name = pairs_value(&req->headers, "host", 0);
    }

    req->body = lc_ev_str(root, "body", &req->body_len);
    json_object *b64 = lc_ev_get(root, "isBase64Encoded");
    req->body_b64 = b64 && json_object_get_boolean(b64);
    return LAMBDA_OK;
}

lambda_code lambda_http_request_parse(struct json_object *root, lambda_http_request **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    lambda_http_format format;
    lambda_code rc = lc_ev_check_root(root);
    if (!rc)
        rc = detect(root, &format);
    if (rc)
        return rc;
    lambda_http_request *req = calloc(1, sizeof *req);
    if (!req)
        return LAMBDA_E_NO_MEMORY;
    req->root = root;
    req->format = format;
    req->headers.eq = lc_ev_strcaseeq;
    req->query.eq = req->path_params.eq = req->cookies.eq = name_eq_exact;
    rc = fill(req);
    if (rc) {
        lambda_http_request_free(req);
        return rc;
    }
    *out = req;
    return LAMBDA_OK;
}

void lambda_http_request_free(lambda_http_request *req)
{
    if (!req)
        return;
    free(req->headers.items);
    free(req->query.items);
    free(req->path_params.items);
    free(req->cookies.items);
    lc_ev_decoded_free(&req->body_decoded);
    lc_ev_arena_free(&req->arena);
    free(req);
}

lambda_http_format lambda_http_request_format(const lambda_http_request *req)
{
    return req ? req->format : LAMBDA_HTTP_FORMAT_UNKNOWN;
}

struct json_object *lambda_http_request_json(const lambda_http_request *req)
{
    return req ? req->root : NULL;
}

const char *lambda_http_request_method(const lambda_http_request *req)
{
    return req ? req->method : NULL;
}

const char *lambda_http_request_path(const lambda_http_request *req)
{
    return req ? req->path : NULL;
}

const char *lambda_http_request_raw_query(const lambda_http_request *req)
{
    return req ? req->raw_query : NULL;
}

/* The pairs member of req, or an empty set for a NULL req. */
static const pairs no_pairs = { NULL, 0, 0, name_eq_exact };
#define PAIRS(req, member) ((req) ? &(req)->member : &no_pairs)

const char *lambda_http_request_header(const lambda_http_request *req, const char *name)
{
    return pairs_value(PAIRS(req, headers), name, 0);
}

size_t lambda_http_request_header_value_count(const lambda_http_request *req, const char *name)
{
    return pairs_value_count(PAIRS(req, headers), name);
}

const char *lambda_http_request_header_value(const lambda_http_request *req, const char *name,
                                             size_t index)
{
    return pairs_value(PAIRS(req, headers), name, index);
}

size_t lambda_http_request_header_count(const lambda_http_request *req)
{
    return PAIRS(req, headers)->count;
}

const char *lambda_http_request_header_at(const lambda_http_request *req, size_t index,
                                          const char **value)
{
    return pairs_at(PAIRS(req, headers), index, value);
}

const char *lambda_http_request_query(const lambda_http_request *req, const char *name)
{
    return pairs_value(PAIRS(req, query), name, 0);
}

size_t lambda_http_request_query_value_count(const lambda_http_request *req, const char *name)
{
    return pairs_value_count(PAIRS(req, query), name);
}

const char *lambda_http_request_query_value(const lambda_http_request *req, const char *name,
                                            size_t index)
{
    return pairs_value(PAIRS(req, query), name, index);
}

size_t lambda_http_request_query_count(const lambda_http_request *req)
{
    return PAIRS(req, query)->count;
}

const char *lambda_http_request_query_at(const lambda_http_request *req, size_t index,
                                         const char **value)
{
    return pairs_at(PAIRS(req, query), index, value);
}

const char *lambda_http_request_path_param(const lambda_http_request *req, const char *name)
{
    return pairs_value(PAIRS(req, path_params), name, 0);
}

size_t lambda_http_request_path_param_count(const lambda_http_request *req)
{
    return PAIRS(req, path_params)->count;
}

const char *lambda_http_request_path_param_at(const lambda_http_request *req, size_t index,
                                              const char **value)
{
    return pairs_at(PAIRS(req, path_params), index, value);
}

const char *lambda_http_request_cookie(const lambda_http_request *req, const char *name)
{
    return pairs_value(PAIRS(req, cookies), name, 0);
}

size_t lambda_http_request_cookie_count(const lambda_http_request *req)
{
    return PAIRS(req, cookies)->count;
}

const char *lambda_http_request_cookie_at(const lambda_http_request *req, size_t index,
                                          const char **value)
{
    return pairs_at(PAIRS(req, cookies), index, value);
}

lambda_code lambda_http_request_body(const lambda_http_request *req, const void **data,
                                     size_t *size)
{
    if (size)
        *size = 0;
    if (!data)
        return LAMBDA_E_INVALID_ARGUMENT;
    *data = NULL;
    if (!req)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (!req->body) {
        *data = "";
        return LAMBDA_OK;
    }
    if (!req->body_b64) {
        *data = req->body;
        if (size)
            *size = req->body_len;
        return LAMBDA_OK;
    }
    /* The request is allocated non-const; the cache is logically const. */
    lambda_http_request *r = (lambda_http_request *)req;
    return lc_ev_decoded_base64(&r->body_decoded, req->body, req->body_len, data, size);
}

int lambda_http_request_body_is_base64(const lambda_http_request *req)
{
    return req ? req->body_b64 : 0;
}

const char *lambda_http_request_body_raw(const lambda_http_request *req, size_t *len)
{
    if (len)
        *len = req && req->body ? req->body_len : 0;
    return req ? req->body : NULL;
}

const char *lambda_http_request_request_id(const lambda_http_request *req)
{
    return req ? req->request_id : NULL;
}

const char *lambda_http_request_source_ip(const lambda_http_request *req)
{
    return req ? req->source_ip : NULL;
}

const char *lambda_http_request_stage(const lambda_http_request *req)
{
    return req ? req->stage : NULL;
}

const char *lambda_http_request_domain_name(const lambda_http_request *req)
{
    return req ? req->domain_name : NULL;
}

/* =============================================================== responses */

typedef struct header {
    char *name;
    char *value;
} header;

struct lambda_http_response {
    lambda_http_format format;
    int status;
    header *headers;
    size_t nheaders;
    size_t cap_headers;
    char **cookies;
    size_t ncookies;
    size_t cap_cookies;
    char *body;
    size_t body_len;
    int body_b64;
};

static int valid_format(lambda_http_format f)
{
    return f >= LAMBDA_HTTP_FORMAT_REST_V1 && f <= LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE;
}

lambda_code lambda_http_response_new(lambda_http_format format, lambda_http_response **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!valid_format(format))
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_http_response *res = calloc(1, sizeof *res);
    if (!res)
        return LAMBDA_E_NO_MEMORY;
    res->format = format;
    res->status = 200;
    *out = res;
    return LAMBDA_OK;
}

lambda_code lambda_http_response_new_for(const lambda_http_request *req, lambda_http_response **out)
{
    if (!req) {
        if (out)
            *out = NULL;
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    return lambda_http_response_new(req->format, out);
}

void lambda_http_response_free(lambda_http_response *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nheaders; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    free(res->headers);
    for (size_t i = 0; i < res->ncookies; i++)
        free(res->cookies[i]);
    free(res->cookies);
    free(res->body);
    free(res);
}

lambda_code lambda_http_response_set_status(lambda_http_response *res, int status)
{
    if (!res || status < 100 || status > 599)
        return LAMBDA_E_INVALID_ARGUMENT;
    res->status = status;
    return LAMBDA_OK;
}

/* RFC 9110 token characters. */
static int valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            continue;
        if (!strchr("!#$%&'*+-.^_`|~", c))
            return 0;
    }
    return 1;
}

static int valid_value(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

lambda_code lambda_http_response_add_cookie(lambda_http_response *res, const char *set_cookie)
{
    if (!res || !valid_value(set_cookie) || !*set_cookie)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (res->ncookies == res->cap_cookies) {
        size_t cap = res->cap_cookies ? res->cap_cookies * 2 : 4;
        char **c = realloc(res->cookies, cap * sizeof *c);
        if (!c)
            return LAMBDA_E_NO_MEMORY;
        res->cookies = c;
        res->cap_cookies = cap;
    }
    char *copy = strdup(set_cookie);
    if (!copy)
        return LAMBDA_E_NO_MEMORY;
    res->cookies[res->ncookies++] = copy;
    return LAMBDA_OK;
}

lambda_code lambda_http_response_add_header(lambda_http_response *res, const char *name,
                                            const char *value)
{
    if (!res || !valid_name(name) || !valid_value(value))
        return LAMBDA_E_INVALID_ARGUMENT;
    if (lc_ev_strcaseeq(name, "set-cookie"))
        return lambda_http_response_add_cookie(res, value);
    if (res->nheaders == res->cap_headers) {
        size_t cap = res->cap_headers ? res->cap_headers * 2 : 8;
        header *h = realloc(res->headers, cap * sizeof *h);
        if (!h)
            return LAMBDA_E_NO_MEMORY;
        res->headers = h;
        res->cap_headers = cap;
    }
    char *n = strdup(name);
    char *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return LAMBDA_E_NO_MEMORY;
    }
    res->headers[res->nheaders].name = n;
    res->headers[res->nheaders].value = v;
    res->nheaders++;
    return LAMBDA_OK;
}

lambda_code lambda_http_response_set_header(lambda_http_response *res, const char *name,
                                            const char *value)
{
    if (!res || !valid_name(name) || !valid_value(value))
        return LAMBDA_E_INVALID_ARGUMENT;
    if (lc_ev_strcaseeq(name, "set-cookie")) {
        for (size_t i = 0; i < res->ncookies; i++)
            free(res->cookies[i]);
        res->ncookies = 0;
        return lambda_http_response_add_cookie(res, value);
    }
    size_t kept = 0;
    for (size_t i = 0; i < res->nheaders; i++) {
        if (lc_ev_strcaseeq(res->headers[i].name, name)) {
            free(res->headers[i].name);
            free(res->headers[i].value);
        } else {
            res->headers[kept++] = res->headers[i];
        }
    }
    res->nheaders = kept;
    return lambda_http_response_add_header(res, name, value);
}

static lambda_code set_body(lambda_http_response *res, char *owned, size_t len, int b64)
{
    free(res->body);
    res->body = owned;
    res->body_len = len;
    res->body_b64 = b64;
    return LAMBDA_OK;
}

lambda_code lambda_http_response_set_body(lambda_http_response *res, const void *data, size_t size)
{
    if (!res || (!data && size) || size > INT32_MAX - 1)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (size && !lc_utf8_is_valid(data, size))
        return LAMBDA_E_INVALID_ARGUMENT;
    char *copy = malloc(size + 1);
    if (!copy)
        return LAMBDA_E_NO_MEMORY;
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    return set_body(res, copy, size, 0);
}

lambda_code lambda_http_response_set_body_base64(lambda_http_response *res, const void *data,
                                                 size_t size)
{
    if (!res || (!data && size))
        return LAMBDA_E_INVALID_ARGUMENT;
    size_t len = lc_base64_encoded_len(size);
    if (len >= INT32_MAX)
        return LAMBDA_E_INVALID_ARGUMENT;
    char *text = malloc(len + 1);
    if (!text)
        return LAMBDA_E_NO_MEMORY;
    lc_base64_encode(data, size, text);
    return set_body(res, text, len, 1);
}

static int has_header(const lambda_http_response *res, const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++)
        if (lc_ev_strcaseeq(res->headers[i].name, name))
            return 1;
    return 0;
}

lambda_code lambda_http_response_set_body_json(lambda_http_response *res, struct json_object *value)
{
    if (!res) {
        json_object_put(value);
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(
        value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    lambda_code rc = text ? lambda_http_response_set_body(res, text, len) : LAMBDA_E_NO_MEMORY;
    json_object_put(value);
    if (rc == LAMBDA_OK && !has_header(res, "content-type"))
        rc = lambda_http_response_add_header(res, "Content-Type", "application/json");
    return rc;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return NULL;
    }
}

/* Adds key (a new object) to obj; puts value and fails when out of memory. */
static lambda_code put(json_object *obj, const char *key, json_object *value)
{
    if (!value)
        return LAMBDA_E_NO_MEMORY;
    if (json_object_object_add(obj, key, value) != 0) {
        json_object_put(value);
        return LAMBDA_E_NO_MEMORY;
    }
    return LAMBDA_OK;
}

static lambda_code string_array(char *const *items, size_t n, json_object **out)
{
    json_object *a = json_object_new_array();
    if (!a)
        return LAMBDA_E_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_new_string(items[i]);
        if (!s || json_object_array_add(a, s) != 0) {
            json_object_put(s);
            json_object_put(a);
            return LAMBDA_E_NO_MEMORY;
        }
    }
    *out = a;
    return LAMBDA_OK;
}

/*
 * Adds the headers: each distinct name (first spelling wins) with its values
 * either joined with ", " into single (when single is not NULL and, if
 * multi is not NULL too, the name has one value) or as an array into multi.
 */
static lambda_code add_headers(const lambda_http_response *res, json_object *single,
                               json_object *multi)
{
    char **values = malloc((res->nheaders ? res->nheaders : 1) * sizeof *values);
    if (!values)
        return LAMBDA_E_NO_MEMORY;
    lambda_code rc = LAMBDA_OK;
    for (size_t i = 0; i < res->nheaders && !rc; i++) {
        const char *name = res->headers[i].name;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = lc_ev_strcaseeq(res->headers[j].name, name);
        if (seen)
            continue;
        size_t n = 0, total = 0;
        for (size_t j = i; j < res->nheaders; j++) {
            if (lc_ev_strcaseeq(res->headers[j].name, name)) {
                values[n++] = res->headers[j].value;
                total += strlen(res->headers[j].value) + 2;
            }
        }
        if (multi && (!single || n > 1)) {
            json_object *a = NULL;
            rc = string_array(values, n, &a);
            if (!rc)
                rc = put(multi, name, a);
        } else {
            char *joined = malloc(total + 1);
            if (!joined) {
                rc = LAMBDA_E_NO_MEMORY;
                break;
            }
            size_t o = 0;
            for (size_t k = 0; k < n; k++) {
                size_t l = strlen(values[k]);
                if (k) {
                    joined[o++] = ',';
                    joined[o++] = ' ';
                }
                memcpy(joined + o, values[k], l);
                o += l;
            }
            joined[o] = '\0';
            rc = put(single, name, json_object_new_string_len(joined, (int)o));
            free(joined);
        }
    }
    free(values);
    return rc;
}

static lambda_code build_body(const lambda_http_response *res, json_object *o)
{
    lambda_code rc =
        put(o, "body", json_object_new_string_len(res->body ? res->body : "", (int)res->body_len));
    if (!rc)
        rc = put(o, "isBase64Encoded", json_object_new_boolean(res->body_b64));
    return rc;
}

static lambda_code build(const lambda_http_response *res, json_object *o)
{
    lambda_http_format f = res->format;
    lambda_code rc = put(o, "statusCode", json_object_new_int(res->status));
    if (rc)
        return rc;
    if (f == LAMBDA_HTTP_FORMAT_ALB || f == LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE) {
        char desc[64];
        const char *reason = reason_phrase(res->status);
        if (reason)
            snprintf(desc, sizeof desc, "%d %s", res->status, reason);
        else
            snprintf(desc, sizeof desc, "%d", res->status);
        rc = put(o, "statusDescription", json_object_new_string(desc));
        if (rc)
            return rc;
    }

    json_object *headers = NULL, *multi = NULL;
    switch (f) {
    case LAMBDA_HTTP_FORMAT_REST_V1:
        headers = json_object_new_object();
        multi = json_object_new_object();
        if (!headers || !multi) {
            json_object_put(headers);
            json_object_put(multi);
            return LAMBDA_E_NO_MEMORY;
        }
        rc = add_headers(res, headers, multi);
        if (!rc && res->ncookies) {
            json_object *a = NULL;
            rc = string_array(res->cookies, res->ncookies, &a);
            if (!rc)
                rc = put(multi, "Set-Cookie", a);
        }
        if (rc) {
            json_object_put(headers);
            json_object_put(multi);
            return rc;
        }
        rc = put(o, "headers", headers);
        if (!rc && json_object_object_length(multi) > 0)
            return put(o, "multiValueHeaders", multi) ? LAMBDA_E_NO_MEMORY : build_body(res, o);
        json_object_put(multi);
        break;
    case LAMBDA_HTTP_FORMAT_HTTP_V2:
    case LAMBDA_HTTP_FORMAT_FUNCTION_URL:
        headers = json_object_new_object();
        if (!headers)
            return LAMBDA_E_NO_MEMORY;
        rc = add_headers(res, headers, NULL);
        if (rc) {
            json_object_put(headers);
            return rc;
        }
        rc = put(o, "headers", headers);
        if (!rc && res->ncookies) {
            json_object *a = NULL;
            rc = string_array(res->cookies, res->ncookies, &a);
            if (!rc)
                rc = put(o, "cookies", a);
        }
        break;
    case LAMBDA_HTTP_FORMAT_ALB:
        if (res->ncookies > 1)
            return LAMBDA_E_UNSUPPORTED;
        headers = json_object_new_object();
        if (!headers)
            return LAMBDA_E_NO_MEMORY;
        rc = add_headers(res, headers, NULL);
        if (!rc && res->ncookies)
            rc = put(headers, "Set-Cookie", json_object_new_string(res->cookies[0]));
        if (rc) {
            json_object_put(headers);
            return rc;
        }
        rc = put(o, "headers", headers);
        break;
    case LAMBDA_HTTP_FORMAT_ALB_MULTI_VALUE:
        multi = json_object_new_object();
        if (!multi)
            return LAMBDA_E_NO_MEMORY;
        rc = add_headers(res, NULL, multi);
        if (!rc && res->ncookies) {
            json_object *a = NULL;
            rc = string_array(res->cookies, res->ncookies, &a);
            if (!rc)
                rc = put(multi, "Set-Cookie", a);
        }
        if (rc) {
            json_object_put(multi);
            return rc;
        }
        rc = put(o, "multiValueHeaders", multi);
        break;
    default:
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    return rc ? rc : build_body(res, o);
}

lambda_code lambda_http_response_build(const lambda_http_response *res, struct json_object **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!res)
        return LAMBDA_E_INVALID_ARGUMENT;
    json_object *o = json_object_new_object();
    if (!o)
        return LAMBDA_E_NO_MEMORY;
    lambda_code rc = build(res, o);
    if (rc) {
        json_object_put(o);
        return rc;
    }
    *out = o;
    return LAMBDA_OK;
}
