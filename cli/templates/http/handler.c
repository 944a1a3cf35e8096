/* @@NAME@@: an HTTP API behind API Gateway (REST v1 or HTTP API v2), an ALB or a Function URL.
 *   GET /hello?name=Ada -> 200 {"message":"Hello, Ada!"}
 *   any other route     -> 404, another method -> 405
 * The answer takes the request's shape (v1, v2 or ALB) through the response builder. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_http.h>
#include <stdio.h>
#include <string.h>

lambda_handler_fn handler;

/* The route's status and JSON body (owned by the caller). */
static int route(const lambda_http_request *req, json_object **body)
{
    *body = json_object_new_object();
    if (strcmp(lambda_http_request_path(req), "/hello") != 0) {
        json_object_object_add(*body, "error", json_object_new_string("no such route"));
        return 404;
    }
    if (strcmp(lambda_http_request_method(req), "GET") != 0) {
        json_object_object_add(*body, "error", json_object_new_string("only GET"));
        return 405;
    }
    const char *name = lambda_http_request_query(req, "name");
    char text[256];
    snprintf(text, sizeof text, "Hello, %s!", name ? name : "world");
    json_object_object_add(*body, "message", json_object_new_string(text));
    return 200;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *body, *out = NULL;
    lambda_http_request *req;
    lambda_http_response *res = NULL;
    if (lambda_event_json(event, &root) != LAMBDA_OK ||
        lambda_http_request_parse(root, &req) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an HTTP event");
    int status = route(req, &body);
    lambda_code rc = lambda_http_response_new_for(req, &res);
    if (rc == LAMBDA_OK)
        rc = lambda_http_response_set_body_json(res, body); /* takes body, also on failure */
    else
        json_object_put(body);
    if (rc == LAMBDA_OK)
        rc = lambda_http_response_set_status(res, status);
    if (rc == LAMBDA_OK)
        rc = lambda_http_response_build(res, &out);
    lambda_http_response_free(res);
    lambda_http_request_free(req);
    if (rc != LAMBDA_OK)
        return lambda_response_set_error(response, "ResponseError", "%s", lambda_strerror(rc));
    return lambda_response_set_json(response, out);
}
