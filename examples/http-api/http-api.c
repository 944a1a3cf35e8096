/*
 * http-api: an API Gateway HTTP API (payload 2.0) handler that routes by method and path.
 *
 *     GET  /items          -> 200 [{"id":1,...}, ...]   (?limit=N keeps the first N)
 *     GET  /items/{id}     -> 200 {"id":1,...} or 404
 *     POST /items          -> 201 {"id":...,"name":...,"price":...} with Location,
 *                             400 on a bad body, 415 unless Content-Type is JSON
 *     other method there   -> 405 with Allow
 *     anything else        -> 404
 *
 * The same code answers REST API, ALB and Function URL events: the request view reads all
 * four shapes and lambda_http_response_new_for answers in the shape the caller expects.
 * The catalogue is a constant table; a real function would read and write DynamoDB.
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_http.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

lambda_handler_fn handler;

typedef struct item {
    int id;
    const char *name;
    const char *price; /* as it is written in JSON: a double would print as 19.989999999999998 */
} item;

static const item catalogue[] = {
    { 1, "lamp", "19.99" },
    { 2, "chair", "49.50" },
    { 3, "desk", "129.00" },
};
#define CATALOGUE_SIZE (sizeof catalogue / sizeof catalogue[0])

/* Ids for created items; atomic because the runtime may run handlers on several threads. */
static atomic_int next_id = CATALOGUE_SIZE + 1;

/* {"id", "name", "price"}; takes over the reference to price. */
static json_object *item_json(int id, const char *name, json_object *price)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "price", price);
    return o;
}

static json_object *catalogue_json(const item *it)
{
    return item_json(it->id, it->name,
                     json_object_new_double_s(strtod(it->price, NULL), it->price));
}

/* Answers {"message": message} with status. */
static void send_error(lambda_http_response *res, int status, const char *message)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "message", json_object_new_string(message));
    lambda_http_response_set_status(res, status);
    lambda_http_response_set_body_json(res, body);
}

/* Parses a decimal id of 1 to 9 digits; 0 when s is not one. */
static int parse_id(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 9 || strspn(s, "0123456789") != len)
        return 0;
    return atoi(s);
}

static void list_items(const lambda_http_request *req, lambda_http_response *res)
{
    size_t limit = CATALOGUE_SIZE;
    const char *l = lambda_http_request_query(req, "limit");
    if (l) {
        int n = parse_id(l);
        if (n <= 0) {
            send_error(res, 400, "limit must be a positive integer");
            return;
        }
        if ((size_t)n < limit)
            limit = (size_t)n;
    }
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < limit; i++)
        json_object_array_add(list, catalogue_json(&catalogue[i]));
    lambda_http_response_set_body_json(res, list);
}

static void get_item(const char *id_text, lambda_http_response *res)
{
    int id = parse_id(id_text);
    for (size_t i = 0; i < CATALOGUE_SIZE; i++) {
        if (catalogue[i].id == id) {
            lambda_http_response_set_body_json(res, catalogue_json(&catalogue[i]));
            return;
        }
    }
    send_error(res, 404, "no such item");
}

static void create_item(const lambda_http_request *req, lambda_http_response *res)
{
    /* "application/json", maybe with parameters ("; charset=utf-8"); media types ignore case. */
    const char *type = lambda_http_request_header(req, "content-type");
    if (!type || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] && type[16] != ';' && type[16] != ' ')) {
        send_error(res, 415, "send Content-Type: application/json");
        return;
    }
    const void *data;
    size_t size;
    if (lambda_http_request_body(req, &data, &size) != LAMBDA_OK) {
        send_error(res, 400, "the body is not valid base64");
        return;
    }
    json_tokener *tok = json_tokener_new();
    if (tok)
        json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
    json_object *body = tok ? json_tokener_parse_ex(tok, data, (int)size) : NULL;
    /* One JSON document, nothing but white space after it. */
    size_t end = tok ? json_tokener_get_parse_end(tok) : 0;
    int complete = body && json_tokener_get_error(tok) == json_tokener_success &&
                   strspn((const char *)data + end, " \t\r\n") == size - end;
    json_tokener_free(tok);
    json_object *name = NULL, *price = NULL;
    if (!complete || !json_object_object_get_ex(body, "name", &name) ||
        !json_object_is_type(name, json_type_string) || json_object_get_string_len(name) == 0 ||
        !json_object_object_get_ex(body, "price", &price) ||
        !(json_object_is_type(price, json_type_double) ||
          json_object_is_type(price, json_type_int))) {
        json_object_put(body);
        send_error(res, 400, "expected {\"name\": string, \"price\": number}");
        return;
    }
    int id = atomic_fetch_add(&next_id, 1);
    char location[32];
    snprintf(location, sizeof location, "/items/%d", id);
    lambda_http_response_set_status(res, 201);
    lambda_http_response_set_header(res, "Location", location);
    /* The parsed number keeps the client's spelling (json-c remembers it). */
    lambda_http_response_set_body_json(
        res, item_json(id, json_object_get_string(name), json_object_get(price)));
    json_object_put(body);
}

static void route(const lambda_http_request *req, lambda_http_response *res)
{
    const char *method = lambda_http_request_method(req);
    const char *path = lambda_http_request_path(req);
    /* An HTTP API stage other than $default prefixes rawPath with "/STAGE". */
    const char *stage = lambda_http_request_stage(req);
    if (lambda_http_request_format(req) == LAMBDA_HTTP_FORMAT_HTTP_V2 && stage &&
        strcmp(stage, "$default") != 0) {
        size_t n = strlen(stage);
        if (path[0] == '/' && strncmp(path + 1, stage, n) == 0 &&
            (path[n + 1] == '/' || path[n + 1] == '\0'))
            path += n + 1;
    }

    if (strcmp(path, "/items") == 0 || strcmp(path, "/items/") == 0) {
        if (strcmp(method, "GET") == 0)
            list_items(req, res);
        else if (strcmp(method, "POST") == 0)
            create_item(req, res);
        else {
            lambda_http_response_set_header(res, "Allow", "GET, POST");
            send_error(res, 405, "method not allowed");
        }
        return;
    }
    if (strncmp(path, "/items/", 7) == 0 && strchr(path + 7, '/') == NULL) {
        /* With a route "GET /items/{id}" API Gateway extracts the id itself. */
        const char *id = lambda_http_request_path_param(req, "id");
        if (strcmp(method, "GET") == 0)
            get_item(id ? id : path + 7, res);
        else {
            lambda_http_response_set_header(res, "Allow", "GET");
            send_error(res, 405, "method not allowed");
        }
        return;
    }
    send_error(res, 404, "not found");
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *root;
    lambda_http_request *req;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    lambda_code rc = lambda_http_request_parse(root, &req);
    if (rc != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an HTTP event: %s",
                                         lambda_strerror(rc));

    lambda_http_response *res;
    rc = lambda_http_response_new_for(req, &res);
    if (rc != LAMBDA_OK) {
        lambda_http_request_free(req);
        return lambda_response_set_error(response, "OutOfMemory", "%s", lambda_strerror(rc));
    }
    route(req, res);
    lambda_log_info("%s %s (request %s, from %s)", lambda_http_request_method(req),
                    lambda_http_request_path(req), lambda_context_request_id(ctx),
                    lambda_http_request_source_ip(req) ? lambda_http_request_source_ip(req) : "-");

    json_object *out;
    rc = lambda_http_response_build(res, &out);
    lambda_http_response_free(res);
    lambda_http_request_free(req);
    if (rc != LAMBDA_OK)
        return lambda_response_set_error(response, "ResponseError", "%s", lambda_strerror(rc));
    return lambda_response_set_json(response, out);
}
