/*
 * sdk/src/lc_runtime_api.c: the Runtime API calls as they reach the wire. A loopback server
 * thread records every request; the tests compare request lines and heads byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/api/runtime_api.h"
#include "test_support.h"

#define ACCEPTED                                                                            \
    "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n" \
    "{\"status\":\"OK\"}\n"
#define ERROR_TYPE_JSON "application/vnd.aws.lambda.error+json"

typedef struct fixture {
    ts_server server;
    ts_canned script;
    lc_runtime_api api;
    char expected[2048];
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
    lc_runtime_api_close(&f->api);
    ts_server_join(&f->server);
    for (int i = 0; i < TS_MAX_STEPS; i++)
        ts_request_free(&f->script.requests[i]);
    free(f);
    return 0;
}

static void answer(fixture *f, const char *raw)
{
    assert_true(f->script.count < TS_MAX_STEPS);
    f->script.steps[f->script.count++].raw = raw;
}

static void start(fixture *f)
{
    assert_int_equal(ts_server_start(&f->server, ts_canned_script, &f->script), 0);
    assert_int_equal(lc_runtime_api_connect(&f->api, f->server.endpoint), LAMBDA_OK);
    assert_string_equal(f->api.endpoint, f->server.endpoint);
}

static void finish(fixture *f)
{
    lc_runtime_api_close(&f->api);
    assert_null(f->api.conn);
    ts_server_join(&f->server);
    assert_server_ok(&f->server);
}

/* The i-th request's head must be exactly the printf-style text (Host filled in first). */
static void assert_head(fixture *f, int i, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void assert_head(fixture *f, int i, const char *format, ...)
{
    assert_true(i < f->script.received);
    va_list args;
    va_start(args, format);
    vsnprintf(f->expected, sizeof f->expected, format, args);
    va_end(args);
    assert_string_equal(f->script.requests[i].head, f->expected);
}

/* ------------------------------------------------------------------ connecting */

static void test_connect_errors(void **state)
{
    (void)state;
    lc_runtime_api api = { 0 };
    assert_int_equal(lc_runtime_api_connect(&api, NULL), LAMBDA_E_CONFIG);
    assert_int_equal(lc_runtime_api_connect(&api, ""), LAMBDA_E_CONFIG);
    char long_endpoint[300];
    memset(long_endpoint, '1', sizeof long_endpoint - 1);
    long_endpoint[sizeof long_endpoint - 1] = '\0';
    assert_int_equal(lc_runtime_api_connect(&api, long_endpoint), LAMBDA_E_CONFIG);
    assert_int_equal(lc_runtime_api_connect(&api, "no-port"), LAMBDA_E_CONFIG);
    char closed[64];
    snprintf(closed, sizeof closed, "127.0.0.1:%d", ts_closed_port());
    assert_int_equal(lc_runtime_api_connect(&api, closed), LAMBDA_E_CONNECT);
    assert_null(api.conn);
    lc_runtime_api_close(&api); /* harmless without a connection */
}

/* ------------------------------------------------------------------ /next */

static void test_next(void **state)
{
    fixture *f = *state;
    answer(f, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n"
              "Lambda-Runtime-Deadline-Ms: 1542409706888\r\n"
              "Content-Length: 13\r\n\r\n{\"hello\":\"x\"}");
    start(f);
    lc_http_response resp;
    assert_int_equal(lc_runtime_api_next(&f->api, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"hello\":\"x\"}");
    assert_string_equal(lc_http_response_header(&resp, "Lambda-Runtime-Aws-Request-Id"),
                        "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    finish(f);
    assert_int_equal(f->script.received, 1);
    /* A GET without a body: no Content-Length, nothing but Host. */
    assert_head(f, 0, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n",
                f->server.endpoint);
}

/* ------------------------------------------------------------------ /response */

static void test_respond(void **state)
{
    fixture *f = *state;
    answer(f, ACCEPTED);
    answer(f, ACCEPTED);
    answer(f, ACCEPTED);
    answer(f, "HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 2\r\n\r\n{}");
    start(f);
    lc_http_response resp;
    assert_int_equal(lc_runtime_api_respond(&f->api, "req-1", "inv-1", "{\"a\":1}", 7,
                                            "application/json", &resp),
                     LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_string_equal(resp.body, "{\"status\":\"OK\"}\n");
    /* No invocation id: the header is left out. */
    assert_int_equal(
        lc_runtime_api_respond(&f->api, "req-2", NULL, "hi", 2, "text/plain; charset=utf-8", &resp),
        LAMBDA_OK);
    /* No body: an empty one, with its length. */
    assert_int_equal(
        lc_runtime_api_respond(&f->api, "req-3", "inv-3", NULL, 0, "application/json", &resp),
        LAMBDA_OK);
    /* Statuses come back as they are: what they mean is the loop's business. */
    assert_int_equal(
        lc_runtime_api_respond(&f->api, "req-4", NULL, "x", 1, "application/json", &resp),
        LAMBDA_OK);
    assert_int_equal(resp.status, 413);
    finish(f);

    const char *host = f->server.endpoint;
    assert_int_equal(f->script.received, 4);
    assert_head(f, 0,
                "POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: application/json\r\nLambda-Runtime-Invocation-Id: inv-1\r\n"
                "Content-Length: 7\r\n\r\n",
                host);
    assert_string_equal(f->script.requests[0].body, "{\"a\":1}");
    assert_head(f, 1,
                "POST /2018-06-01/runtime/invocation/req-2/response HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\n",
                host);
    assert_string_equal(f->script.requests[1].body, "hi");
    assert_head(f, 2,
                "POST /2018-06-01/runtime/invocation/req-3/response HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: application/json\r\nLambda-Runtime-Invocation-Id: inv-3\r\n"
                "Content-Length: 0\r\n\r\n",
                host);
    assert_int_equal(f->script.requests[2].body_len, 0);
}

/* ------------------------------------------------------------------ /error */

static void test_report_error(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 4; i++)
        answer(f, ACCEPTED);
    start(f);
    static const char body[] = "{\"errorMessage\":\"m\",\"errorType\":\"X\",\"stackTrace\":[]}";
    lc_http_response resp;
    assert_int_equal(lc_runtime_api_report_error(&f->api, "req-1", "inv-1", "X", body,
                                                 sizeof body - 1, NULL, &resp),
                     LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_int_equal(lc_runtime_api_report_error(&f->api, "req-2", NULL, "Runtime.Custom", body,
                                                 sizeof body - 1, NULL, &resp),
                     LAMBDA_OK);
    assert_int_equal(lc_runtime_api_report_error(&f->api, "req-3", "inv-3", "Function.Custom", body,
                                                 sizeof body - 1, NULL, &resp),
                     LAMBDA_OK);
    assert_int_equal(lc_runtime_api_report_error(&f->api, "req-4", NULL, "X", body, sizeof body - 1,
                                                 "{\"working_directory\":\"/var/task\"}", &resp),
                     LAMBDA_OK);
    finish(f);

    const char *host = f->server.endpoint;
    assert_int_equal(f->script.received, 4);
    assert_head(f, 0,
                "POST /2018-06-01/runtime/invocation/req-1/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Function.X\r\n"
                "Lambda-Runtime-Invocation-Id: inv-1\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
    assert_string_equal(f->script.requests[0].body, body);
    assert_head(f, 1,
                "POST /2018-06-01/runtime/invocation/req-2/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Runtime.Custom\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
    assert_head(f, 2,
                "POST /2018-06-01/runtime/invocation/req-3/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Function.Custom\r\n"
                "Lambda-Runtime-Invocation-Id: inv-3\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
    assert_head(f, 3,
                "POST /2018-06-01/runtime/invocation/req-4/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Function.X\r\n"
                "Lambda-Runtime-Function-XRay-Error-Cause: "
                "{\"working_directory\":\"/var/task\"}\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
}

static void test_init_error(void **state)
{
    fixture *f = *state;
    answer(f, ACCEPTED);
    answer(f, ACCEPTED);
    start(f);
    static const char body[] =
        "{\"errorMessage\":\"boom\",\"errorType\":\"Runtime.InitError\",\"stackTrace\":[]}";
    lc_http_response resp;
    assert_int_equal(
        lc_runtime_api_init_error(&f->api, "Runtime.InitError", body, sizeof body - 1, &resp),
        LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_int_equal(lc_runtime_api_init_error(&f->api, "Plain", body, sizeof body - 1, &resp),
                     LAMBDA_OK);
    finish(f);
    const char *host = f->server.endpoint;
    assert_head(f, 0,
                "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Runtime.InitError\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
    assert_string_equal(f->script.requests[0].body, body);
    assert_head(f, 1,
                "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: %s\r\n"
                "Content-Type: " ERROR_TYPE_JSON "\r\n"
                "Lambda-Runtime-Function-Error-Type: Function.Plain\r\n"
                "Content-Length: %zu\r\n\r\n",
                host, sizeof body - 1);
}

static void assert_error_header(const char *type, const char *expected)
{
    char out[256];
    memset(out, 'Z', sizeof out);
    lc_runtime_api_error_header(type, out, sizeof out);
    assert_string_equal(out, expected);
}

static void test_error_header_values(void **state)
{
    (void)state;
    assert_error_header("X", "Function.X");
    assert_error_header("InvalidInput", "Function.InvalidInput");
    assert_error_header("Runtime.X", "Runtime.X");
    assert_error_header("Function.X", "Function.X");
    assert_error_header("Runtime", "Function.Runtime"); /* no dot: not a category */
    assert_error_header("RuntimeX.Y", "Function.RuntimeX.Y");
    assert_error_header("Functional.X", "Function.Functional.X");
    assert_error_header("runtime.X", "Function.runtime.X"); /* case matters */
    assert_error_header("HandlerFailed", "Function.HandlerFailed");
    /* Nothing that could break the header line survives. */
    assert_error_header("A\r\nX-Injected: 1", "Function.A__X-Injected: 1");
    assert_error_header("tab\there", "Function.tab_here");
    assert_error_header("caf\xc3\xa9", "Function.caf__");
    assert_error_header("del\x7f", "Function.del_");
    /* Truncated to the buffer, always terminated. */
    char small[8];
    lc_runtime_api_error_header("Runtime.Something", small, sizeof small);
    assert_string_equal(small, "Runtime");
}

/* ------------------------------------------------------------------ request ids */

static void test_request_id_percent_encoded(void **state)
{
    fixture *f = *state;
    answer(f, ACCEPTED);
    answer(f, ACCEPTED);
    start(f);
    const char *id = "a b/c%d?\xc3\xa9#~._-AZaz09+&=\r\n";
    lc_http_response resp;
    assert_int_equal(lc_runtime_api_respond(&f->api, id, NULL, "x", 1, "application/json", &resp),
                     LAMBDA_OK);
    assert_int_equal(lc_runtime_api_report_error(&f->api, id, NULL, "X", "{}", 2, NULL, &resp),
                     LAMBDA_OK);
    finish(f);
    static const char encoded[] = "a%20b%2Fc%25d%3F%C3%A9%23~._-AZaz09%2B%26%3D%0D%0A";
    assert_string_equal(f->script.requests[0].path,
                        "/2018-06-01/runtime/invocation/a%20b%2Fc%25d%3F%C3%A9%23~._-AZaz09"
                        "%2B%26%3D%0D%0A/response");
    assert_string_equal(f->script.requests[1].path,
                        "/2018-06-01/runtime/invocation/a%20b%2Fc%25d%3F%C3%A9%23~._-AZaz09"
                        "%2B%26%3D%0D%0A/error");
    /* And the request line is exactly METHOD SP PATH SP VERSION. */
    char line[256];
    snprintf(line, sizeof line, "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\n",
             encoded);
    assert_memory_equal(f->script.requests[0].head, line, strlen(line));
}

static void test_request_id_length_limit(void **state)
{
    fixture *f = *state;
    answer(f, ACCEPTED);
    start(f);
    char id[600];
    memset(id, 'r', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    lc_http_response resp;
    /* Too long for the path: refused before anything is sent. */
    assert_int_equal(lc_runtime_api_respond(&f->api, id, NULL, "x", 1, "application/json", &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_runtime_api_report_error(&f->api, id, NULL, "X", "{}", 2, NULL, &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    /* Percent-encoding counts: 200 '/' become 600 bytes. */
    char slashes[201];
    memset(slashes, '/', 200);
    slashes[200] = '\0';
    assert_int_equal(
        lc_runtime_api_respond(&f->api, slashes, NULL, "x", 1, "application/json", &resp),
        LAMBDA_E_INVALID_ARGUMENT);
    /* A 300-byte id is fine. */
    id[300] = '\0';
    assert_int_equal(lc_runtime_api_respond(&f->api, id, NULL, "x", 1, "application/json", &resp),
                     LAMBDA_OK);
    finish(f);
    assert_int_equal(f->script.received, 1);
    char path[700];
    snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/response", id);
    assert_string_equal(f->script.requests[0].path, path);
}

static void test_invocation_id_with_line_break_refused(void **state)
{
    fixture *f = *state;
    answer(f, ACCEPTED);
    start(f);
    lc_http_response resp;
    /* A header value that would split the request is refused, and nothing is sent. */
    assert_int_equal(lc_runtime_api_respond(&f->api, "req", "inv\r\nX-Injected: 1", "x", 1,
                                            "application/json", &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(
        lc_runtime_api_respond(&f->api, "req", "inv", "x", 1, "text/plain\r\nX: 1", &resp),
        LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(
        lc_runtime_api_respond(&f->api, "req", "inv", "x", 1, "application/json", &resp),
        LAMBDA_OK);
    finish(f);
    assert_int_equal(f->script.received, 1);
    assert_int_equal(ts_head_header_count(f->script.requests[0].head, "X-Injected"), 0);
}

int main(void)
{
    ts_watchdog(120);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_connect_errors),
        T(test_next),
        T(test_respond),
        T(test_report_error),
        T(test_init_error),
        T(test_error_header_values),
        T(test_request_id_percent_encoded),
        T(test_request_id_length_limit),
        T(test_invocation_id_with_line_break_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
