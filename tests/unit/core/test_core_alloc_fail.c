/*
 * Allocation failures in liblambda-c (tests/unit/support/alloc_fail.h): the public entry
 * points that allocate (an invocation beginning from a /next answer, the event's JSON, the
 * response setters and their serialisation, Lambda's error JSON, JSON log records) and the whole invocation
 * loop against a loopback Runtime API run with their 1st, 2nd, ... allocation failing until
 * they need no more. No crash, no leak (ASan and valgrind run this binary too), and what
 * reaches the Runtime API is Lambda-shaped: the handler's answer, or an error JSON with
 * errorType and errorMessage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "core/handler/log_internal.h"
#include "core/runtime/invocation.h"
#include "lambda-c/log.h"
#include "lambda-c/runtime.h"
#include "test_support.h"

static void assert_clean(lambda_code rc, int failed, unsigned long n, const char *what)
{
    if (!failed && rc != LAMBDA_OK)
        fail_msg("%s: %d without any allocation failing", what, rc);
    if (failed && rc != LAMBDA_OK && rc != LAMBDA_E_NO_MEMORY)
        fail_msg("%s with allocation %lu failing: %d, expected LAMBDA_E_NO_MEMORY", what, n, rc);
}

/* Runs fn with fd (1 or 2) sent to /dev/null. */
static void quietly(int fd, void (*fn)(void))
{
    int saved = dup(fd), null = open("/dev/null", O_WRONLY);
    dup2(null, fd);
    fn();
    dup2(saved, fd);
    close(saved);
    close(null);
}

/* ------------------------------------------------------------------ entry points */

static lc_http_response next_answer(char *body)
{
    lc_http_response next;
    memset(&next, 0, sizeof next);
    next.status = 200;
    next.body = body;
    next.body_size = strlen(body);
    static const char *const h[][2] = {
        { "Lambda-Runtime-Aws-Request-Id", "req-1" },
        { "Lambda-Runtime-Deadline-Ms", "4102444800000" },
        { "Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:1:function:f" },
        { "Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" },
        { "Lambda-Runtime-Client-Context", "{\"custom\":{}}" },
        { "Lambda-Runtime-Cognito-Identity", "{\"identity_id\":\"x\"}" },
        { "Lambda-Runtime-Aws-Tenant-Id", "tenant-1" },
    };
    for (size_t i = 0; i < sizeof h / sizeof *h; i++) {
        next.headers[i].name = h[i][0];
        next.headers[i].value = h[i][1];
    }
    next.header_count = sizeof h / sizeof *h;
    return next;
}

static const lc_function_config test_function = { "f", "$LATEST", "/aws/lambda/f", "stream", 128 };

/* An invocation's objects, begun from a /next answer carrying body. */
static lambda_code begin_invocation(lambda_context *ctx, lambda_event *event,
                                    lambda_response *response, char *body)
{
    lc_http_response next = next_answer(body);
    memset(ctx, 0, sizeof *ctx);
    memset(event, 0, sizeof *event);
    memset(response, 0, sizeof *response);
    return lc_invocation_begin(ctx, event, &next, &test_function);
}

/* One invocation's objects from begin to end, the response set every way there is. */
static lambda_code invocation_run(void)
{
    char body[] = "{\"name\":\"Ada\"}";
    lambda_context ctx;
    lambda_event event;
    lambda_response response;
    lambda_code rc = begin_invocation(&ctx, &event, &response, body);
    if (!rc)
        rc = lambda_response_set_body(&response, "copied", 6, "text/plain");
    const void *data;
    size_t size;
    const char *type;
    if (!rc)
        rc = lc_response_payload(&response, &data, &size, &type);
    if (!rc) {
        json_object *v = json_object_new_object();
        rc = v ? lambda_response_set_json(&response, v) : LAMBDA_E_NO_MEMORY;
    }
    if (!rc)
        rc = lc_response_payload(&response, &data, &size, &type);
    if (!rc) {
        lambda_code set = lambda_response_set_error(&response, "Function.Failed", "%s %d", "n", 42);
        rc = set == LAMBDA_E_NO_MEMORY ? set : LAMBDA_OK;
    }
    if (!rc)
        rc = lambda_response_add_stack_line(&response, "at handler (f.c:12)");
    if (!rc)
        rc = lambda_response_set_xray_cause(&response, "{\"exceptions\":[]}");
    lc_invocation_end(&ctx, &event, &response);
    lc_invocation_free(&ctx, &event, &response);
    return rc;
}

static void test_invocation_objects(void **state)
{
    (void)state;
    AF_LOOP(n)
    {
        af_fail_at(n);
        lambda_code rc = invocation_run();
        int failed = af_disarm();
        assert_clean(rc, failed, n, "an invocation's objects");
    }
}

/*
 * The event's JSON, parsed with each of its allocations failing in turn: documents that
 * take every kind of allocation the parser makes (objects, arrays, members, escaped strings,
 * member names too long for the stack, long numbers, doubles and their C locale, uint64).
 * Out of memory is LAMBDA_E_NO_MEMORY with a NULL tree and an error text, never a partial
 * tree or a JSON null; success gives the tree json-c's own parser builds.
 */
static void test_event_json(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"name\":\"Ada\"}",
        "[{},[],{\"a\":[1,-2,3.5e1,true,false,null]},\"x\\u00e9\\ud83d\\ude00\\n\"]",
        "{\"a_member_name_longer_than_the_parser_keeps_on_its_stack_so_that_it_has_to_go_to_"
        "the_heap_for_it_which_may_fail_as_well\":"
        "123456789012345678901234567890123456789012345678901234567890123456789012.5}",
        "{\"big\":18446744073709551615,\"neg\":-9223372036854775809,\"d\":[0.1,1e400]}",
        "{\"k\\\"ey\":{\"deep\":{\"deeper\":[[[\"\\\\\"]]]}},\"k\\\"ey\":\"again\"}",
    };
    for (size_t d = 0; d < sizeof docs / sizeof *docs; d++) {
        json_object *expected = json_tokener_parse(docs[d]);
        assert_non_null(expected);
        AF_LOOP(n)
        {
            char *body = strdup(docs[d]);
            assert_non_null(body);
            lambda_context ctx;
            lambda_event event;
            lambda_response response;
            assert_int_equal(begin_invocation(&ctx, &event, &response, body), LAMBDA_OK);
            json_object *out = NULL;
            af_fail_at(n);
            lambda_code rc = lambda_event_json(&event, &out);
            int failed = af_disarm();
            assert_clean(rc, failed, n, "the event's JSON");
            if (rc == LAMBDA_OK) {
                assert_true(json_object_equal(out, expected));
            } else {
                assert_null(out);
                assert_non_null(strstr(lambda_event_json_error(&event), "out of memory"));
            }
            lc_invocation_free(&ctx, &event, &response);
            free(body);
        }
        json_object_put(expected);
    }
}

static void test_error_json(void **state)
{
    (void)state;
    char *stack[] = { "frame one", "frame \xff two" };
    AF_LOOP(n)
    {
        size_t size = 0;
        af_fail_at(n);
        char *json = lc_error_json_build("Function.X", "bad \xc0 input", stack, 2, &size);
        int failed = af_disarm();
        if (!json) {
            assert_true(failed);
            continue;
        }
        json_object *parsed = json_tokener_parse(json);
        assert_non_null(parsed);
        assert_non_null(json_object_object_get(parsed, "errorType"));
        json_object_put(parsed);
        free(json);
    }
}

static unsigned long log_n;

static void log_records(void)
{
    lc_log_set_invocation("req-1", "tenant-1");
    af_fail_at(log_n);
    lambda_log_info("hello %s", "world");
    lambda_log_error("failed: %d", 7);
    char *stack[] = { "a", "b" };
    lc_log_unhandled_error("Function.X", "message", stack, 2);
    af_disarm();
    lc_log_set_invocation(NULL, NULL);
}

static void test_log_records(void **state)
{
    (void)state;
    static const char *const formats[] = { "Text", "JSON" };
    for (size_t f = 0; f < 2; f++) {
        setenv("AWS_LAMBDA_LOG_FORMAT", formats[f], 1);
        lc_log_reload_settings();
        AF_LOOP(n)
        {
            log_n = n;
            quietly(2, log_records); /* no answer to check: only no crash, no leak */
        }
    }
    unsetenv("AWS_LAMBDA_LOG_FORMAT");
    lc_log_reload_settings();
}

/* ------------------------------------------------------------------ the whole loop */

typedef struct loop_record {
    int nexts;
    int posts;
    char post_path[2048];
    char *post_body;
} loop_record;

/* Answers /next with one invocation, then 500; every POST 202; until the runtime closes. */
static void loop_script(ts_server *s, void *arg)
{
    loop_record *rec = arg;
    ts_conn *conn = ts_accept(s, TS_TIMEOUT_MS);
    if (!conn)
        return; /* the runtime gave up before connecting: allowed */
    for (;;) {
        ts_request r;
        if (ts_read_request(conn, &r) != 0)
            break;
        if (!strcmp(r.method, "GET")) {
            if (rec->nexts++ == 0) {
                const char *event = "{\"name\":\"Ada\"}";
                ts_sendf(conn,
                         "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\n"
                         "Lambda-Runtime-Deadline-Ms: 4102444800000\r\n"
                         "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:1:"
                         "function:f\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         strlen(event), event);
            } else {
                ts_respond(conn, 500, NULL, "{}", 2);
            }
        } else {
            if (rec->posts++ == 0) {
                snprintf(rec->post_path, sizeof rec->post_path, "%s", r.path);
                rec->post_body = ts_memdup(r.body, r.body_len);
            }
            ts_respond(conn, 202, NULL, "{\"status\":\"OK\"}", 15);
        }
        ts_request_free(&r);
    }
    ts_conn_close(conn);
}

static int loop_handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    json_object *answer = json_object_new_object();
    json_object *id = json_object_new_string(lambda_context_request_id(ctx));
    if (!answer || !id || json_object_object_add(answer, "request", id) != 0) {
        json_object_put(answer);
        json_object_put(id);
        return lambda_response_set_error(response, "Function.OutOfMemory", "no memory");
    }
    return lambda_response_set_json(response, answer);
}

static unsigned long loop_n;
static int loop_status;

static void run_loop_once(void)
{
    af_fail_at(loop_n);
    loop_status = lambda_run_abi(loop_handler, LAMBDA_C_ABI_VERSION);
    af_disarm();
}

static void test_invocation_loop(void **state)
{
    (void)state;
    setenv("AWS_LAMBDA_FUNCTION_NAME", "f", 1);
    setenv("_HANDLER", "f.handler", 1);
    AF_LOOP(n)
    {
        loop_record rec = { 0 };
        ts_server server;
        assert_int_equal(ts_server_start(&server, loop_script, &rec), 0);
        setenv("AWS_LAMBDA_RUNTIME_API", server.endpoint, 1);
        loop_n = n;
        quietly(2, run_loop_once);
        ts_server_join(&server);
        assert_true(loop_status == 0 || loop_status == 1);
        if (rec.posts) {
            /* Whatever happened, the invocation's answer is Lambda-shaped. */
            json_object *body = json_tokener_parse(rec.post_body ? rec.post_body : "");
            if (!body)
                fail_msg("allocation %lu failing: %s got a body that is not JSON: %s", n,
                         rec.post_path, rec.post_body ? rec.post_body : "(none)");
            if (strstr(rec.post_path, "/error")) {
                assert_non_null(json_object_object_get(body, "errorType"));
                assert_non_null(json_object_object_get(body, "errorMessage"));
            } else if (strstr(rec.post_path, "/response")) {
                assert_string_equal(json_object_get_string(json_object_object_get(body, "request")),
                                    "req-1");
            }
            json_object_put(body);
        }
        if (!af_failed) {
            /* The run without failure: answered, then the 500 ended the loop. */
            assert_int_equal(rec.posts, 1);
            assert_non_null(strstr(rec.post_path, "/invocation/req-1/response"));
        }
        free(rec.post_body);
    }
}

int main(void)
{
    ts_watchdog(600);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invocation_objects), cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_error_json),         cmocka_unit_test(test_log_records),
        cmocka_unit_test(test_invocation_loop),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "allocation-failure runs: %lu\n", af_runs);
    return failed;
}
