/*
 * The objects a handler receives, as the runtime loop owns them. One set per
 * worker, reused for every invocation: reset between invocations keeps the
 * memory they hold bounded (no growth per invocation).
 */
#ifndef LAMBDA_C_INVOCATION_H
#define LAMBDA_C_INVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/transport/http.h"
#include "core/api/runtime_api.h"
#include "lambda-c/context.h"
#include "lambda-c/event.h"
#include "lambda-c/response.h"

struct json_object;

/* What the environment says about the function; read once at init. */
typedef struct lc_function_config {
    const char *name;
    const char *version;
    const char *log_group_name;
    const char *log_stream_name;
    int memory_limit_mb;
} lc_function_config;

/* Reads the function's settings from the environment (the strings stay owned by environ). */
void lc_function_config_from_env(lc_function_config *config);

struct lambda_context {
    const lc_function_config *function;
    int64_t deadline_ms;
    const char *request_id;
    const char *invoked_function_arn;
    const char *trace_id;
    const char *client_context;
    const char *cognito_identity;
    const char *tenant_id;
    const char *invocation_id;
    /* The header values above live here, copied out of the connection's buffer. */
    char *strings;
    size_t strings_cap;
};

struct lambda_event {
    const char *data;
    size_t size;
    const char *content_type;
    struct json_object *json;
    int json_state; /* 0 not parsed yet, 1 parsed, -1 invalid */
    int memory_mb;  /* the function's memory size (0: unknown), for the parse's budget */
    char json_error[160];
};

enum response_kind { RESPONSE_NONE, RESPONSE_BODY, RESPONSE_JSON, RESPONSE_ERROR };

enum stream_mode {
    STREAM_NONE,    /* an ordinary, buffered response */
    STREAM_PENDING, /* streaming asked for, nothing sent yet (an error can still use /error) */
    STREAM_OPEN,    /* the head and at least one chunk are sent */
    STREAM_BROKEN   /* sending failed: the connection is unusable */
};

/* Lambda's limit for a streamed response. */
#define STREAM_MAX_BYTES (200ull * 1024 * 1024)
/* Lambda's limit for the X-Ray error cause header. */
#define XRAY_CAUSE_MAX (64 * 1024)

struct lambda_response {
    enum response_kind kind;
    /* RESPONSE_BODY */
    const void *data;
    size_t size;
    void *owned; /* freed with free() on reset */
    char content_type[256];
    /* RESPONSE_JSON */
    struct json_object *json;
    /* RESPONSE_ERROR */
    char *error_type;
    char *error_message;
    char **stack;
    size_t stack_count, stack_cap;
    char *xray_cause;
    /* Streaming */
    enum stream_mode stream;
    char *prelude; /* HTTP integration prelude, 8 NULs included */
    size_t prelude_size;
    unsigned long long streamed;
    /* Where the answer goes: the worker's connection and the invocation. */
    lc_runtime_api *api;
    const lambda_context *ctx;
};

/*
 * Fills ctx and event from a /next response. Copies every header value out of
 * the response; the event bytes are not copied (they stay in the
 * connection's buffer, valid until the next request on it).
 */
lambda_code lc_invocation_begin(lambda_context *ctx, lambda_event *event,
                                const lc_http_response *next, const lc_function_config *function);

/* Frees what one invocation allocated; the objects stay ready for the next one. */
void lc_invocation_end(lambda_context *ctx, lambda_event *event, lambda_response *response);

/* Frees everything, including the reusable buffers. */
void lc_invocation_free(lambda_context *ctx, lambda_event *event, lambda_response *response);

/* The response reset to "nothing set", streaming state and X-Ray cause included. */
void lc_response_reset(lambda_response *response);

/* Only the outcome (body, JSON or error) reset; streaming state stays. */
void lc_response_reset_outcome(lambda_response *response);

/*
 * Ends a streamed response (STREAM_PENDING or STREAM_OPEN): sends what is not
 * sent yet and, when error_type is not NULL, the error trailers. resp
 * receives the Runtime API's answer.
 */
lambda_code lc_stream_finish(lambda_response *response, const char *error_type,
                             const char *error_json, size_t error_size, lc_http_response *resp);

/*
 * The answer to send for a response that holds a body, JSON or nothing:
 * data, size and content_type are set and stay valid until lc_response_reset.
 */
lambda_code lc_response_payload(lambda_response *response, const void **data, size_t *size,
                                const char **content_type);

/*
 * Lambda's error JSON for errorType/errorMessage/stackTrace, as a malloc'd
 * NUL-terminated string (*size is its length). Invalid UTF-8 is repaired.
 */
char *lc_error_json_build(const char *error_type, const char *message, char *const *stack,
                          size_t stack_count, size_t *size);

#endif
