/*
 * The HTTP request view (event_http.h) over any JSON: API Gateway REST and HTTP APIs,
 * Function URLs, ALB. After a successful parse every accessor is walked the way a handler
 * would: each header, query parameter, path parameter and cookie by position, then each of
 * their names looked up with all its values, and the body decoded. The whole walk must stay
 * within n log n of the input (it did n^2 on cookies and headers in 1.1.0), every string it
 * returns must be valid where the event's was, and nothing may be read outside the tree.
 */
#include "fuzz_support.h"

#include <json-c/json.h>

#include "lambda-c/event_http.h"

typedef const char *at_fn(const lambda_http_request *, size_t, const char **);
typedef const char *value_fn(const lambda_http_request *, const char *, size_t);
typedef size_t count_fn(const lambda_http_request *, const char *);

/* Every pair by position, then every name's values by lookup. */
static void walk_pairs(const lambda_http_request *req, size_t n, at_fn *at, value_fn *value,
                       count_fn *count)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = NULL;
        const char *name = at(req, i, &v);
        FZ_CHECK(name != NULL && v != NULL);
        if (!value)
            continue;
        size_t k = count(req, name);
        FZ_CHECK(k >= 1);
        /* The first value of a name is the first of its pairs in the event's order. */
        FZ_CHECK(value(req, name, 0) != NULL);
        FZ_CHECK(value(req, name, k) == NULL);
        FZ_CHECK(value(req, name, k - 1) != NULL);
    }
    FZ_CHECK(at(req, n, NULL) == NULL);
}

static const char *cookie_value(const lambda_http_request *r, const char *name, size_t i)
{
    return i == 0 ? lambda_http_request_cookie(r, name) : NULL;
}

static size_t cookie_count(const lambda_http_request *r, const char *name)
{
    return lambda_http_request_cookie(r, name) ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *root = json_tokener_parse_ex_wrapper(data, size);
    if (!root)
        return 0;
    uint64_t start = fz_work();
    lambda_http_request *req = NULL;
    if (lambda_http_request_parse(root, &req) == LAMBDA_OK) {
        FZ_CHECK(lambda_http_request_method(req) && lambda_http_request_path(req));
        walk_pairs(req, lambda_http_request_header_count(req), lambda_http_request_header_at,
                   lambda_http_request_header_value, lambda_http_request_header_value_count);
        walk_pairs(req, lambda_http_request_query_count(req), lambda_http_request_query_at,
                   lambda_http_request_query_value, lambda_http_request_query_value_count);
        walk_pairs(req, lambda_http_request_path_param_count(req),
                   lambda_http_request_path_param_at, NULL, NULL);
        walk_pairs(req, lambda_http_request_cookie_count(req), lambda_http_request_cookie_at,
                   cookie_value, cookie_count);
        const void *body;
        size_t body_size;
        if (lambda_http_request_body(req, &body, &body_size) == LAMBDA_OK)
            FZ_CHECK(((const char *)body)[body_size] == '\0');
        lambda_http_request_source_ip(req);
        lambda_http_request_domain_name(req);
        lambda_http_request_free(req);
    } else {
        FZ_CHECK(req == NULL);
    }
    fz_linear("lambda_http_request_parse and its accessors", fz_work() - start, size, 20000, 60, 1);
    json_object_put(root);
    return 0;
}
