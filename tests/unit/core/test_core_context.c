/*
 * sdk/src/context.c and the context half of sdk/src/invocation.c: every Runtime API header
 * reaches its getter, absent and empty headers are NULL, the deadline, the function's
 * settings from the environment, and the per-invocation string arena (cleared by
 * lc_invocation_end, given back when one invocation made it large).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/runtime/invocation.h"
#include "test_support.h"

typedef struct fixture {
    lc_http_response next;
    char body[8];
    lc_function_config function;
    lambda_context ctx;
    lambda_event event;
    lambda_response response;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lc_invocation_free(&f->ctx, &f->event, &f->response);
    free(f);
    return 0;
}

/* A /next response with the given headers (name/value pairs, NULL-terminated). */
static void set_headers(fixture *f, ...)
{
    memset(&f->next, 0, sizeof f->next);
    strcpy(f->body, "{}");
    f->next.status = 200;
    f->next.body = f->body;
    f->next.body_size = 2;
    va_list args;
    va_start(args, f);
    for (;;) {
        const char *name = va_arg(args, const char *);
        if (!name)
            break;
        f->next.headers[f->next.header_count].name = name;
        f->next.headers[f->next.header_count++].value = va_arg(args, const char *);
    }
    va_end(args);
}

static void begin(fixture *f)
{
    assert_int_equal(lc_invocation_begin(&f->ctx, &f->event, &f->next, &f->function), LAMBDA_OK);
}

static void test_every_header_to_its_getter(void **state)
{
    fixture *f = *state;
    /* Writable copies: the getters must return copies, not the connection's buffer. */
    char id[] = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    char arn[] = "arn:aws:lambda:eu-west-1:123456789012:function:hello:prod";
    char trace[] = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
    char client[] = "{\"client\":{\"installation_id\":\"i\"},\"custom\":{\"k\":\"v\"},\"env\":{}}";
    char cognito[] = "{\"cognitoIdentityId\":\"id\",\"cognitoIdentityPoolId\":\"pool\"}";
    char tenant[] = "tenant-42";
    char invocation[] = "inv-0001";
    char deadline[] = "1700000000123";
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", id, "Lambda-Runtime-Deadline-Ms", deadline,
                "Lambda-Runtime-Invoked-Function-Arn", arn, "Lambda-Runtime-Trace-Id", trace,
                "Lambda-Runtime-Client-Context", client, "Lambda-Runtime-Cognito-Identity", cognito,
                "Lambda-Runtime-Aws-Tenant-Id", tenant, "Lambda-Runtime-Invocation-Id", invocation,
                "Content-Type", "application/json", NULL);
    begin(f);
    const lambda_context *ctx = &f->ctx;
    assert_string_equal(lambda_context_request_id(ctx), id);
    assert_true(lambda_context_deadline_ms(ctx) == INT64_C(1700000000123));
    assert_string_equal(lambda_context_invoked_function_arn(ctx), arn);
    assert_string_equal(lambda_context_trace_id(ctx), trace);
    assert_string_equal(lambda_context_client_context(ctx), client);
    assert_string_equal(lambda_context_cognito_identity(ctx), cognito);
    assert_string_equal(lambda_context_tenant_id(ctx), tenant);
    assert_string_equal(lambda_context_invocation_id(ctx), invocation);

    /* Copies: spoiling the header buffers changes nothing. */
    const char *before = lambda_context_request_id(ctx);
    memset(id, 'x', sizeof id - 1);
    memset(arn, 'x', sizeof arn - 1);
    memset(tenant, 'x', sizeof tenant - 1);
    assert_ptr_equal(lambda_context_request_id(ctx), before);
    assert_string_equal(lambda_context_request_id(ctx), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    assert_string_equal(lambda_context_invoked_function_arn(ctx),
                        "arn:aws:lambda:eu-west-1:123456789012:function:hello:prod");
    assert_string_equal(lambda_context_tenant_id(ctx), "tenant-42");
}

static void test_header_names_case_insensitive(void **state)
{
    fixture *f = *state;
    set_headers(f, "lambda-runtime-aws-request-id", "r1", "LAMBDA-RUNTIME-TRACE-ID", "t1",
                "lambda-RUNTIME-deadline-MS", "5", "Lambda-Runtime-Aws-Tenant-ID", "ten", NULL);
    begin(f);
    assert_string_equal(lambda_context_request_id(&f->ctx), "r1");
    assert_string_equal(lambda_context_trace_id(&f->ctx), "t1");
    assert_string_equal(lambda_context_tenant_id(&f->ctx), "ten");
    assert_true(lambda_context_deadline_ms(&f->ctx) == 5);
}

static void test_absent_headers_are_null(void **state)
{
    fixture *f = *state;
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "only-this", NULL);
    begin(f);
    const lambda_context *ctx = &f->ctx;
    assert_string_equal(lambda_context_request_id(ctx), "only-this");
    assert_null(lambda_context_invoked_function_arn(ctx));
    assert_null(lambda_context_trace_id(ctx));
    assert_null(lambda_context_client_context(ctx));
    assert_null(lambda_context_cognito_identity(ctx));
    assert_null(lambda_context_tenant_id(ctx));
    assert_null(lambda_context_invocation_id(ctx));
    assert_true(lambda_context_deadline_ms(ctx) == 0);
    assert_true(lambda_context_remaining_ms(ctx) == INT64_MAX);

    /* No header at all: even the request id is NULL (the loop then skips the invocation). */
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    set_headers(f, NULL);
    begin(f);
    assert_null(lambda_context_request_id(ctx));
    assert_null(lambda_context_trace_id(ctx));
}

static void test_empty_headers_are_null(void **state)
{
    fixture *f = *state;
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Invoked-Function-Arn", "",
                "Lambda-Runtime-Trace-Id", "", "Lambda-Runtime-Client-Context", "",
                "Lambda-Runtime-Cognito-Identity", "", "Lambda-Runtime-Aws-Tenant-Id", "",
                "Lambda-Runtime-Invocation-Id", "", "Lambda-Runtime-Deadline-Ms", "", NULL);
    begin(f);
    const lambda_context *ctx = &f->ctx;
    assert_null(lambda_context_invoked_function_arn(ctx));
    assert_null(lambda_context_trace_id(ctx));
    assert_null(lambda_context_client_context(ctx));
    assert_null(lambda_context_cognito_identity(ctx));
    assert_null(lambda_context_tenant_id(ctx));
    assert_null(lambda_context_invocation_id(ctx));
    assert_true(lambda_context_deadline_ms(ctx) == 0);
    lc_invocation_end(&f->ctx, &f->event, &f->response);

    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "", NULL);
    begin(f);
    assert_null(lambda_context_request_id(ctx));
}

static void test_deadline_and_remaining(void **state)
{
    fixture *f = *state;
    char deadline[32];
    int64_t now = ts_now_ms();
    snprintf(deadline, sizeof deadline, "%lld", (long long)(now + 5000));
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Deadline-Ms", deadline,
                NULL);
    begin(f);
    assert_true(lambda_context_deadline_ms(&f->ctx) == now + 5000);
    int64_t left = lambda_context_remaining_ms(&f->ctx);
    assert_in_range(left, 3000, 5000);
    lc_invocation_end(&f->ctx, &f->event, &f->response);

    /* Passed: negative. */
    now = ts_now_ms();
    snprintf(deadline, sizeof deadline, "%lld", (long long)(now - 2000));
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Deadline-Ms", deadline,
                NULL);
    begin(f);
    left = lambda_context_remaining_ms(&f->ctx);
    assert_true(left <= -2000 && left > -4000);
    lc_invocation_end(&f->ctx, &f->event, &f->response);

    /* Not a number: no deadline. */
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Deadline-Ms", "soon",
                NULL);
    begin(f);
    assert_true(lambda_context_deadline_ms(&f->ctx) == 0);
    assert_true(lambda_context_remaining_ms(&f->ctx) == INT64_MAX);
    lc_invocation_end(&f->ctx, &f->event, &f->response);

    /* The deadline of one invocation does not leak into the next one. */
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Deadline-Ms", "12345",
                NULL);
    begin(f);
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id2", NULL);
    begin(f);
    assert_true(lambda_context_deadline_ms(&f->ctx) == 0);
}

static void test_null_context(void **state)
{
    (void)state;
    assert_null(lambda_context_request_id(NULL));
    assert_true(lambda_context_deadline_ms(NULL) == 0);
    assert_true(lambda_context_remaining_ms(NULL) == INT64_MAX);
    assert_null(lambda_context_invoked_function_arn(NULL));
    assert_null(lambda_context_trace_id(NULL));
    assert_null(lambda_context_client_context(NULL));
    assert_null(lambda_context_cognito_identity(NULL));
    assert_null(lambda_context_tenant_id(NULL));
    assert_null(lambda_context_invocation_id(NULL));
    assert_null(lambda_context_function_name(NULL));
    assert_null(lambda_context_function_version(NULL));
    assert_int_equal(lambda_context_memory_limit_mb(NULL), 0);
    assert_null(lambda_context_log_group_name(NULL));
    assert_null(lambda_context_log_stream_name(NULL));
}

static void test_function_config_from_env(void **state)
{
    fixture *f = *state;
    setenv("AWS_LAMBDA_FUNCTION_NAME", "hello", 1);
    setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST", 1);
    setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024", 1);
    setenv("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello", 1);
    setenv("AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/01/[$LATEST]abcdef", 1);
    lc_function_config_from_env(&f->function);
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", NULL);
    begin(f);
    const lambda_context *ctx = &f->ctx;
    assert_string_equal(lambda_context_function_name(ctx), "hello");
    assert_string_equal(lambda_context_function_version(ctx), "$LATEST");
    assert_int_equal(lambda_context_memory_limit_mb(ctx), 1024);
    assert_string_equal(lambda_context_log_group_name(ctx), "/aws/lambda/hello");
    assert_string_equal(lambda_context_log_stream_name(ctx), "2024/01/01/[$LATEST]abcdef");
    lc_invocation_end(&f->ctx, &f->event, &f->response);

    /* Unset or empty: NULL, and 0 MB. */
    unsetenv("AWS_LAMBDA_FUNCTION_NAME");
    setenv("AWS_LAMBDA_FUNCTION_VERSION", "", 1);
    unsetenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    setenv("AWS_LAMBDA_LOG_GROUP_NAME", "", 1);
    unsetenv("AWS_LAMBDA_LOG_STREAM_NAME");
    lc_function_config_from_env(&f->function);
    begin(f);
    assert_null(lambda_context_function_name(ctx));
    assert_null(lambda_context_function_version(ctx));
    assert_int_equal(lambda_context_memory_limit_mb(ctx), 0);
    assert_null(lambda_context_log_group_name(ctx));
    assert_null(lambda_context_log_stream_name(ctx));
    unsetenv("AWS_LAMBDA_FUNCTION_VERSION");
    unsetenv("AWS_LAMBDA_LOG_GROUP_NAME");

    /* A context without function settings at all. */
    lambda_context bare = { 0 };
    assert_null(lambda_context_function_name(&bare));
    assert_int_equal(lambda_context_memory_limit_mb(&bare), 0);
}

static void test_end_clears_every_field(void **state)
{
    fixture *f = *state;
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id", "Lambda-Runtime-Invoked-Function-Arn",
                "arn", "Lambda-Runtime-Trace-Id", "trace", "Lambda-Runtime-Client-Context", "{}",
                "Lambda-Runtime-Cognito-Identity", "{}", "Lambda-Runtime-Aws-Tenant-Id", "t",
                "Lambda-Runtime-Invocation-Id", "inv", NULL);
    begin(f);
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    const lambda_context *ctx = &f->ctx;
    assert_null(lambda_context_request_id(ctx));
    assert_null(lambda_context_invoked_function_arn(ctx));
    assert_null(lambda_context_trace_id(ctx));
    assert_null(lambda_context_client_context(ctx));
    assert_null(lambda_context_cognito_identity(ctx));
    assert_null(lambda_context_tenant_id(ctx));
    assert_null(lambda_context_invocation_id(ctx));

    /* The next invocation sees only its own headers. */
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "id2", NULL);
    begin(f);
    assert_string_equal(lambda_context_request_id(ctx), "id2");
    assert_null(lambda_context_trace_id(ctx));
    assert_null(lambda_context_tenant_id(ctx));
}

static void test_arena_reused_and_bounded(void **state)
{
    fixture *f = *state;
    /* Normal invocations reuse one small buffer. */
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700", NULL);
    begin(f);
    char *arena = f->ctx.strings;
    size_t small_cap = f->ctx.strings_cap;
    assert_non_null(arena);
    assert_in_range(small_cap, 1, 16 * 1024);
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    assert_ptr_equal(f->ctx.strings, arena); /* kept for the next invocation */
    for (int i = 0; i < 100; i++) {
        begin(f);
        assert_ptr_equal(f->ctx.strings, arena);
        assert_int_equal(f->ctx.strings_cap, small_cap);
        lc_invocation_end(&f->ctx, &f->event, &f->response);
    }

    /* One huge client context (100 KB): the arena grows for it ... */
    size_t huge_len = 100 * 1024;
    char *huge = ts_xmalloc(huge_len + 1);
    memset(huge, 'c', huge_len);
    huge[huge_len] = '\0';
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "big", "Lambda-Runtime-Client-Context", huge,
                NULL);
    begin(f);
    assert_true(f->ctx.strings_cap >= huge_len);
    assert_string_equal(lambda_context_client_context(&f->ctx), huge);
    assert_string_equal(lambda_context_request_id(&f->ctx), "big");
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    /* ... and is given back when the invocation ends, */
    assert_int_equal(f->ctx.strings_cap, 0);
    assert_null(f->ctx.strings);
    free(huge);

    /* so that the next normal invocation is small again. */
    set_headers(f, "Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700", NULL);
    begin(f);
    assert_in_range(f->ctx.strings_cap, 1, 16 * 1024);
    assert_string_equal(lambda_context_request_id(&f->ctx), "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    lc_invocation_end(&f->ctx, &f->event, &f->response);
    assert_in_range(f->ctx.strings_cap, 1, 16 * 1024);
}

/* Every header at once at its largest still fits, each value intact. */
static void test_arena_many_large_headers(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {
        "Lambda-Runtime-Aws-Request-Id",   "Lambda-Runtime-Invoked-Function-Arn",
        "Lambda-Runtime-Trace-Id",         "Lambda-Runtime-Client-Context",
        "Lambda-Runtime-Cognito-Identity", "Lambda-Runtime-Aws-Tenant-Id",
        "Lambda-Runtime-Invocation-Id",    "Content-Type"
    };
    char *values[8];
    memset(&f->next, 0, sizeof f->next);
    strcpy(f->body, "{}");
    f->next.status = 200;
    f->next.body = f->body;
    f->next.body_size = 2;
    for (int i = 0; i < 8; i++) {
        size_t len = 3000 + (size_t)i * 7;
        values[i] = ts_xmalloc(len + 1);
        memset(values[i], 'a' + i, len);
        values[i][len] = '\0';
        f->next.headers[i].name = names[i];
        f->next.headers[i].value = values[i];
    }
    f->next.header_count = 8;
    begin(f);
    const char *got[8] = {
        lambda_context_request_id(&f->ctx),       lambda_context_invoked_function_arn(&f->ctx),
        lambda_context_trace_id(&f->ctx),         lambda_context_client_context(&f->ctx),
        lambda_context_cognito_identity(&f->ctx), lambda_context_tenant_id(&f->ctx),
        lambda_context_invocation_id(&f->ctx),    lambda_event_content_type(&f->event)
    };
    for (int i = 0; i < 8; i++) {
        assert_string_equal(got[i], values[i]);
        free(values[i]);
    }
}

int main(void)
{
    ts_watchdog(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_header_to_its_getter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_names_case_insensitive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_headers_are_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_headers_are_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_and_remaining, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_config_from_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_clears_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_reused_and_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_many_large_headers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
