/* The function behind tests/integration/test_serve.py's template (several handlers in one .so):
 *   echo    answers {"event": <the event as received>, "format": <typed view's format>,
 *           "label": $LABEL, "greeting": $GREETING, "override": $OVERRIDE, "from_file": $FROM_FILE},
 *           except on these paths (the last segment decides):
 *             /string /object  a bare JSON string / object (HTTP API inference)
 *             /fail            a function error;  /malformed: {"statusCode": "abc"}
 *             /binary          the request body back, base64, application/octet-stream
 *             /cookies         each request cookie NAME=VALUE back as Set-Cookie NAME=VALUE-back
 *             /multi           two X-Multi response headers
 *   stream  a streamed HTTP answer: 201, X-Stream: yes, a cookie, "first\n"; then waits (up to
 *           20 s) for the file $WAIT_FILE, then "second\n": the caller saw the first bytes while
 *           the function was still running. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_http.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

lambda_handler_fn echo, stream;

static const char *last_segment(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void add_env(json_object *out, const char *key, const char *name)
{
    const char *value = getenv(name);
    json_object_object_add(out, key, value ? json_object_new_string(value) : NULL);
}

static int special(const lambda_http_request *req, const char *what, lambda_http_response *res)
{
    if (strcmp(what, "binary") == 0) {
        const void *data;
        size_t size;
        if (lambda_http_request_body(req, &data, &size) != LAMBDA_OK)
            return -1;
        lambda_http_response_set_header(res, "Content-Type", "application/octet-stream");
        return lambda_http_response_set_body_base64(res, data, size) == LAMBDA_OK ? 1 : -1;
    }
    if (strcmp(what, "cookies") == 0) {
        for (size_t i = 0; i < lambda_http_request_cookie_count(req); i++) {
            const char *value, *name = lambda_http_request_cookie_at(req, i, &value);
            char text[512];
            snprintf(text, sizeof text, "%s=%s-back; Path=/", name, value);
            lambda_http_response_add_cookie(res, text);
        }
        return lambda_http_response_set_body(res, "cookies", 7) == LAMBDA_OK ? 1 : -1;
    }
    if (strcmp(what, "multi") == 0) {
        lambda_http_response_add_header(res, "X-Multi", "one");
        lambda_http_response_add_header(res, "X-Multi", "two");
        return lambda_http_response_set_body(res, "multi", 5) == LAMBDA_OK ? 1 : -1;
    }
    return 0;
}

int echo(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *out = NULL;
    lambda_http_request *req;
    if (lambda_event_json(event, &root) != LAMBDA_OK ||
        lambda_http_request_parse(root, &req) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an HTTP event");
    const char *what = last_segment(lambda_http_request_path(req));
    if (strcmp(what, "fail") == 0 || strcmp(what, "string") == 0 || strcmp(what, "object") == 0 ||
        strcmp(what, "malformed") == 0) {
        lambda_http_request_free(req);
        if (strcmp(what, "fail") == 0)
            return lambda_response_set_error(response, "Boom", "failed on purpose");
        if (strcmp(what, "string") == 0)
            return lambda_response_set_json(response, json_object_new_string("just text"));
        json_object *doc = json_object_new_object();
        if (strcmp(what, "object") == 0)
            json_object_object_add(doc, "a", json_object_new_int(1));
        else
            json_object_object_add(doc, "statusCode", json_object_new_string("abc"));
        return lambda_response_set_json(response, doc);
    }
    lambda_http_response *res;
    lambda_code rc = lambda_http_response_new_for(req, &res);
    int done = rc == LAMBDA_OK ? special(req, what, res) : -1;
    if (done == 0) {
        json_object *body = json_object_new_object();
        json_object_object_add(body, "event", json_object_get(root));
        json_object_object_add(body, "format",
                               json_object_new_int(lambda_http_request_format(req)));
        add_env(body, "label", "LABEL");
        add_env(body, "greeting", "GREETING");
        add_env(body, "override", "OVERRIDE");
        add_env(body, "from_file", "FROM_FILE");
        done = lambda_http_response_set_body_json(res, body) == LAMBDA_OK ? 1 : -1;
    }
    if (done > 0)
        rc = lambda_http_response_build(res, &out);
    lambda_http_response_free(res);
    lambda_http_request_free(req);
    if (done < 0 || rc != LAMBDA_OK)
        return lambda_response_set_error(response, "ResponseError", "could not build the response");
    return lambda_response_set_json(response, out);
}

int stream(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    (void)ctx;
    json_object *headers = json_object_new_object(), *cookies = json_object_new_array();
    json_object_object_add(headers, "X-Stream", json_object_new_string("yes"));
    json_object_object_add(headers, "Content-Type", json_object_new_string("text/plain"));
    json_object_array_add(cookies, json_object_new_string("s=1; Path=/"));
    lambda_code rc = lambda_response_stream_begin_http(response, 201, headers, cookies);
    json_object_put(headers);
    json_object_put(cookies);
    if (rc == LAMBDA_OK)
        rc = lambda_response_stream_write(response, "first\n", 6);
    const char *wait_file = getenv("WAIT_FILE");
    for (int tries = 0; wait_file && tries < 2000 && access(wait_file, F_OK) != 0; tries++) {
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    if (wait_file && access(wait_file, F_OK) != 0)
        return lambda_response_set_error(response, "NotStreamed",
                                         "the caller never saw the first chunk");
    if (rc == LAMBDA_OK)
        rc = lambda_response_stream_write(response, "second\n", 7);
    return rc == LAMBDA_OK ? 0 : 1;
}
