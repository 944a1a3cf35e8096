/*
 * sdk/extension/extension.c - the Extensions API (2020-01-01): register, event/next,
 * init/error, exit/error.
 */
#include "internal.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXTENSION_API "/2020-01-01/extension"

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* Puts errorType: errorMessage of a refusal (or the raw body) into ext->error. */
static void record_refusal(lambda_extension *ext, const char *what, const lext_response *r)
{
    json_object *doc = r->body ? json_tokener_parse(r->body) : NULL, *t = NULL, *m = NULL;
    if (doc && json_object_object_get_ex(doc, "errorType", &t) &&
        json_object_object_get_ex(doc, "errorMessage", &m))
        snprintf(ext->error, sizeof ext->error, "%s: HTTP %d %s: %s", what, r->status,
                 json_object_get_string(t), json_object_get_string(m));
    else
        snprintf(ext->error, sizeof ext->error, "%s: HTTP %d %.200s", what, r->status,
                 r->body ? r->body : "");
    json_object_put(doc);
}

lambda_code lext_call(lambda_extension *ext, const char *method, const char *path,
                      const char *headers, const char *body, size_t body_len, lext_response *out)
{
    char all[1024];
    int n = snprintf(all, sizeof all,
                     "Lambda-Extension-Identifier: %s\r\nContent-Type: application/json\r\n%s",
                     ext->identifier ? ext->identifier : "", headers ? headers : "");
    if (n < 0 || (size_t)n >= sizeof all) {
        snprintf(ext->error, sizeof ext->error, "%s %s: headers too long", method, path);
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    lambda_code rc = lext_http_call(ext->endpoint, method, path, all, body, body_len, out,
                                    ext->error, sizeof ext->error);
    if (rc != LAMBDA_OK)
        return rc;
    if (out->status / 100 != 2) {
        record_refusal(ext, path, out);
        lext_response_free(out);
        return LAMBDA_E_HTTP_STATUS;
    }
    ext->error[0] = '\0';
    return LAMBDA_OK;
}

static const char *program_name(void)
{
    extern char *program_invocation_short_name; /* glibc */
    return program_invocation_short_name;
}

static lambda_code read_registration(lambda_extension *ext, const lext_response *r)
{
    json_object *doc = json_tokener_parse(r->body), *v;
    if (!doc || !r->identifier[0]) {
        json_object_put(doc);
        snprintf(ext->error, sizeof ext->error,
                 "register: no Lambda-Extension-Identifier or no JSON body");
        return LAMBDA_E_PROTOCOL;
    }
    ext->identifier = strdup(r->identifier);
    ext->function_name = dup_or_empty(
        json_object_object_get_ex(doc, "functionName", &v) ? json_object_get_string(v) : NULL);
    ext->function_version = dup_or_empty(
        json_object_object_get_ex(doc, "functionVersion", &v) ? json_object_get_string(v) : NULL);
    ext->handler = dup_or_empty(
        json_object_object_get_ex(doc, "handler", &v) ? json_object_get_string(v) : NULL);
    json_object_put(doc);
    if (!ext->identifier || !ext->function_name || !ext->function_version || !ext->handler)
        return LAMBDA_E_NO_MEMORY;
    return LAMBDA_OK;
}

lambda_code lambda_extension_register(const char *name, unsigned events, lambda_extension **out)
{
    if (!out || (events & ~(unsigned)(LAMBDA_EXTENSION_INVOKE | LAMBDA_EXTENSION_SHUTDOWN)))
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    const char *endpoint = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!endpoint || !*endpoint || strlen(endpoint) >= sizeof((lambda_extension *)0)->endpoint)
        return LAMBDA_E_CONFIG;
    if (!name)
        name = program_name();
    if (!name || !*name || strlen(name) > 200 || strpbrk(name, "\r\n"))
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_extension *ext = calloc(1, sizeof *ext);
    if (!ext)
        return LAMBDA_E_NO_MEMORY;
    snprintf(ext->endpoint, sizeof ext->endpoint, "%s", endpoint);
    char body[64], headers[256];
    snprintf(body, sizeof body, "{\"events\":[%s%s%s]}",
             (events & LAMBDA_EXTENSION_INVOKE) ? "\"INVOKE\"" : "",
             (events & LAMBDA_EXTENSION_INVOKE) && (events & LAMBDA_EXTENSION_SHUTDOWN) ? "," : "",
             (events & LAMBDA_EXTENSION_SHUTDOWN) ? "\"SHUTDOWN\"" : "");
    snprintf(headers, sizeof headers, "Lambda-Extension-Name: %s\r\n", name);
    lext_response r;
    lambda_code rc =
        lext_call(ext, "POST", EXTENSION_API "/register", headers, body, strlen(body), &r);
    if (rc == LAMBDA_OK) {
        rc = read_registration(ext, &r);
        lext_response_free(&r);
    }
    if (rc != LAMBDA_OK) {
        fprintf(stderr, "lambda-c-extension: register failed: %s\n",
                ext->error[0] ? ext->error : "out of memory");
        lambda_extension_free(ext);
        return rc;
    }
    *out = ext;
    return LAMBDA_OK;
}

/* What an event owns: the parsed document its strings point into. */
static const char *member(json_object *doc, const char *key)
{
    json_object *v;
    if (json_object_object_get_ex(doc, key, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return "";
}

lambda_code lambda_extension_next(lambda_extension *ext, lambda_extension_event *event)
{
    if (!ext || !event)
        return LAMBDA_E_INVALID_ARGUMENT;
    memset(event, 0, sizeof *event);
    lext_response r;
    lambda_code rc = lext_call(ext, "GET", EXTENSION_API "/event/next", NULL, NULL, 0, &r);
    if (rc != LAMBDA_OK)
        return rc;
    json_object *doc = json_tokener_parse(r.body), *v, *tracing;
    const char *type = doc ? member(doc, "eventType") : "";
    if (strcmp(type, "INVOKE") == 0)
        event->type = LAMBDA_EXTENSION_EVENT_INVOKE;
    else if (strcmp(type, "SHUTDOWN") == 0)
        event->type = LAMBDA_EXTENSION_EVENT_SHUTDOWN;
    else {
        snprintf(ext->error, sizeof ext->error,
                 "event/next: not an INVOKE or SHUTDOWN event: %.200s", r.body);
        json_object_put(doc);
        lext_response_free(&r);
        return LAMBDA_E_PROTOCOL;
    }
    if (json_object_object_get_ex(doc, "deadlineMs", &v))
        event->deadline_ms = json_object_get_int64(v);
    event->request_id = member(doc, "requestId");
    event->invoked_function_arn = member(doc, "invokedFunctionArn");
    event->shutdown_reason = member(doc, "shutdownReason");
    event->trace_id =
        json_object_object_get_ex(doc, "tracing", &tracing) ? member(tracing, "value") : "";
    event->json = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    event->priv_ = doc;
    lext_response_free(&r);
    return LAMBDA_OK;
}

void lambda_extension_event_clear(lambda_extension_event *event)
{
    if (!event)
        return;
    json_object_put(event->priv_);
    memset(event, 0, sizeof *event);
}

static lambda_code report_error(lambda_extension *ext, const char *kind, const char *error_type,
                                const char *message)
{
    if (!ext || !error_type || !*error_type || strpbrk(error_type, "\r\n") ||
        strlen(error_type) > 200)
        return LAMBDA_E_INVALID_ARGUMENT;
    json_object *doc = json_object_new_object();
    if (!doc)
        return LAMBDA_E_NO_MEMORY;
    json_object_object_add(doc, "errorMessage", json_object_new_string(message ? message : ""));
    json_object_object_add(doc, "errorType", json_object_new_string(error_type));
    const char *body = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    char path[64], headers[256];
    snprintf(path, sizeof path, EXTENSION_API "/%s/error", kind);
    snprintf(headers, sizeof headers, "Lambda-Extension-Function-Error-Type: %s\r\n", error_type);
    lext_response r;
    lambda_code rc = lext_call(ext, "POST", path, headers, body, strlen(body), &r);
    json_object_put(doc);
    if (rc == LAMBDA_OK)
        lext_response_free(&r);
    return rc;
}

lambda_code lambda_extension_init_error(lambda_extension *ext, const char *error_type,
                                        const char *message)
{
    return report_error(ext, "init", error_type, message);
}

lambda_code lambda_extension_exit_error(lambda_extension *ext, const char *error_type,
                                        const char *message)
{
    return report_error(ext, "exit", error_type, message);
}

const char *lambda_extension_identifier(const lambda_extension *ext)
{
    return ext && ext->identifier ? ext->identifier : "";
}

const char *lambda_extension_function_name(const lambda_extension *ext)
{
    return ext && ext->function_name ? ext->function_name : "";
}

const char *lambda_extension_function_version(const lambda_extension *ext)
{
    return ext && ext->function_version ? ext->function_version : "";
}

const char *lambda_extension_handler(const lambda_extension *ext)
{
    return ext && ext->handler ? ext->handler : "";
}

const char *lambda_extension_error(const lambda_extension *ext)
{
    return ext ? ext->error : "";
}

void lambda_extension_free(lambda_extension *ext)
{
    if (!ext)
        return;
    free(ext->identifier);
    free(ext->function_name);
    free(ext->function_version);
    free(ext->handler);
    free(ext);
}
