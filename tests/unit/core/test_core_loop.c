/*
 * sdk/src/loop.c, the whole invocation loop in-process: a server thread plays the Runtime
 * API (serves canned invocations, records what the runtime posts, then answers /next with
 * 500 so that lambda_run_abi returns), AWS_LAMBDA_RUNTIME_API points at it, and a test
 * handler acts on what each event asks ({"do":"json"}, {"do":"error"}, ...).
 *
 * lambda_run_abi keeps process-wide state (the init connection) that is reset when the loop
 * returns, so the runs here happen one after the other. The init-error tests come last:
 * see the BUG note at test_run_after_init_error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lambda-c/runtime.h"
#include "core/handler/log_internal.h"
#include "test_support.h"
#include "util/limits.h"

#define MAX_INVOCATIONS 8
#define ERROR_CT "application/vnd.aws.lambda.error+json"

/* ------------------------------------------------------------------ the fake Runtime API */

typedef struct invocation_plan {
    const char *request_id;      /* NULL: the header is left out */
    const char *body;            /* the event */
    const char *extra_headers;   /* "Name: value\r\n" lines, or NULL */
    int answer_status;           /* to the runtime's post; 0 = 202 */
    int close_instead;           /* close the connection instead of answering the post */
    int no_post;                 /* the runtime must not post anything for this one */
    const char *declared_length; /* a Content-Length other than the body's; the runtime is
                                    expected to hang up and post from a new connection */
} invocation_plan;

enum loop_end { END_500, END_CLOSE_AT_NEXT, END_NOTHING };

typedef struct loop_server {
    invocation_plan plan[MAX_INVOCATIONS];
    int count;
    enum loop_end end;
    /* what happened */
    ts_request posts[MAX_INVOCATIONS];
    int post_count;
    int next_count;
    int saw_eof; /* the runtime closed its connection at the end */
} loop_server;

static int read_next(ts_server *s, ts_conn *conn, loop_server *ls)
{
    ts_request r;
    int rc = ts_read_request(conn, &r);
    if (rc != 0) {
        ts_fail(s, "waited for /next, got %s", rc > 0 ? "a closed connection" : "nothing");
        return -1;
    }
    if (strcmp(r.method, "GET") != 0 || strcmp(r.path, "/2018-06-01/runtime/invocation/next") != 0)
        ts_fail(s, "expected GET /next, got %s %s", r.method, r.path);
    ts_request_free(&r);
    ls->next_count++;
    return 0;
}

static void loop_script(ts_server *s, void *arg)
{
    loop_server *ls = arg;
    ts_conn *conn = ts_accept(s, TS_TIMEOUT_MS);
    if (!conn) {
        ts_fail(s, "the runtime never connected");
        return;
    }
    int stopped = 0;   /* no more /next expected */
    int we_closed = 0; /* we end the connection, so no EOF to wait for */
    for (int i = 0; i < ls->count && !stopped; i++) {
        invocation_plan *p = &ls->plan[i];
        if (read_next(s, conn, ls) != 0) {
            stopped = 1;
            break;
        }
        char head[1024];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Lambda-Runtime-Deadline-Ms: %lld\r\n"
                         "Lambda-Runtime-Invoked-Function-Arn: "
                         "arn:aws:lambda:eu-west-1:123456789012:function:loop-test\r\n",
                         (long long)(ts_now_ms() + 30000));
        if (p->request_id)
            n += snprintf(head + n, sizeof head - (size_t)n,
                          "Lambda-Runtime-Aws-Request-Id: %s\r\n", p->request_id);
        char length[32];
        snprintf(length, sizeof length, "%zu", strlen(p->body));
        n += snprintf(head + n, sizeof head - (size_t)n, "%sContent-Length: %s\r\n\r\n",
                      p->extra_headers ? p->extra_headers : "",
                      p->declared_length ? p->declared_length : length);
        ts_send(conn, head, (size_t)n);
        ts_send(conn, p->body, strlen(p->body));
        if (p->declared_length) {
            /* The runtime must not wait for the rest: it hangs up and comes back. */
            if (!ts_wait_eof(conn, 3000))
                ts_fail(s, "invocation %d: the runtime kept the connection", i);
            ts_conn_close(conn);
            conn = ts_accept(s, TS_TIMEOUT_MS);
            if (!conn) {
                ts_fail(s, "invocation %d: the runtime did not connect again", i);
                return;
            }
        }
        if (p->no_post)
            continue;
        ts_request *post = &ls->posts[ls->post_count];
        int rc = ts_read_request(conn, post);
        if (rc != 0) {
            ts_fail(s, "invocation %d: no post from the runtime", i);
            stopped = 1;
            break;
        }
        ls->post_count++;
        if (p->close_instead) {
            stopped = we_closed = 1;
            break;
        }
        int status = p->answer_status ? p->answer_status : 202;
        char answer[256];
        n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
                     "{\"status\":\"%03d\"}\n",
                     status, status);
        ts_send(conn, answer, (size_t)n);
        if (status >= 500)
            stopped = 1; /* the runtime must give up now */
    }
    if (!stopped && ls->end == END_500) {
        if (read_next(s, conn, ls) == 0)
            ts_respond(conn, 500, "Content-Type: application/json\r\n",
                       "{\"errorMessage\":\"stop\"}", 23);
    } else if (!stopped && ls->end == END_CLOSE_AT_NEXT) {
        read_next(s, conn, ls);
        we_closed = 1;
    }
    if (!we_closed)
        ls->saw_eof = ts_wait_eof(conn, 3000);
    ts_conn_close(conn);
}

/* ------------------------------------------------------------------ the handler */

typedef struct call {
    char request_id[128];
    char trace[512];
    int trace_set;
    char event[256];
    size_t event_size;
    char function_name[64];
    char arn[128];
    char invocation_id[64];
    int64_t remaining_ms;
    char content_type[64];
} call;

static call calls[MAX_INVOCATIONS];
static int call_count;

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "(null)");
}

static int test_handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    if (call_count < MAX_INVOCATIONS) {
        call *c = &calls[call_count];
        copy(c->request_id, sizeof c->request_id, lambda_context_request_id(ctx));
        const char *trace = getenv("_X_AMZN_TRACE_ID");
        c->trace_set = trace != NULL;
        copy(c->trace, sizeof c->trace, trace);
        size_t size;
        const char *data = lambda_event_data(event, &size);
        c->event_size = size;
        copy(c->event, sizeof c->event, data);
        copy(c->function_name, sizeof c->function_name, lambda_context_function_name(ctx));
        copy(c->arn, sizeof c->arn, lambda_context_invoked_function_arn(ctx));
        copy(c->invocation_id, sizeof c->invocation_id, lambda_context_invocation_id(ctx));
        copy(c->content_type, sizeof c->content_type, lambda_event_content_type(event));
        c->remaining_ms = lambda_context_remaining_ms(ctx);
    }
    call_count++;

    struct json_object *root = NULL, *what = NULL;
    const char *action = "nothing";
    if (lambda_event_json(event, &root) == LAMBDA_OK && root &&
        json_object_object_get_ex(root, "do", &what))
        action = json_object_get_string(what);

    if (strcmp(action, "json") == 0) {
        struct json_object *out = json_object_new_object();
        json_object_object_add(out, "echo", json_object_new_string(lambda_context_request_id(ctx)));
        json_object_object_add(out, "path", json_object_new_string("a/b"));
        lambda_response_set_json(response, out);
        return 0;
    }
    if (strcmp(action, "body") == 0) {
        lambda_response_set_body(response, "plain text", 10, "text/plain; charset=utf-8");
        return 0;
    }
    if (strcmp(action, "echo") == 0) { /* the event's own bytes, borrowed */
        size_t size;
        const void *data = lambda_event_data(event, &size);
        lambda_response_set_body_ref(response, data, size, "application/octet-stream");
        return 0;
    }
    if (strcmp(action, "error") == 0) {
        lambda_response_set_error(response, "InvalidInput", "bad value %d", 7);
        lambda_response_add_stack_line(response, "frame 1");
        lambda_response_add_stack_line(response, "frame 2");
        return 0; /* an error set is sent whatever the handler returns */
    }
    if (strcmp(action, "runtime_error") == 0) {
        lambda_response_set_body(response, "dropped", 7, NULL);
        return lambda_response_set_error(response, "Runtime.Custom", "caf\xc3\xa9 \xff") + 1;
    }
    if (strcmp(action, "fail") == 0)
        return 7;
    return 0; /* "nothing": the answer is null */
}

/* ------------------------------------------------------------------ running */

typedef struct fixture {
    ts_server server;
    loop_server ls;
    ts_capture capture;
    char *log;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    memset(calls, 0, sizeof calls);
    call_count = 0;
    unsetenv("AWS_LAMBDA_MAX_CONCURRENCY");
    unsetenv("AWS_LAMBDA_LOG_FORMAT");
    unsetenv("AWS_LAMBDA_LOG_LEVEL");
    unsetenv("_X_AMZN_TRACE_ID");
    setenv("AWS_LAMBDA_FUNCTION_NAME", "loop-test", 1);
    lc_log_reload_settings();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ts_capture_abort(&f->capture);
    ts_server_join(&f->server);
    for (int i = 0; i < MAX_INVOCATIONS; i++)
        ts_request_free(&f->ls.posts[i]);
    free(f->log);
    free(f);
    return 0;
}

static invocation_plan *plan(fixture *f, const char *request_id, const char *body)
{
    assert_true(f->ls.count < MAX_INVOCATIONS);
    invocation_plan *p = &f->ls.plan[f->ls.count++];
    p->request_id = request_id;
    p->body = body;
    return p;
}

/* Runs the loop against the fake Runtime API until it returns; stderr is kept in f->log. */
static int run_loop(fixture *f, lambda_handler_fn *handler, unsigned abi)
{
    assert_int_equal(ts_server_start(&f->server, loop_script, &f->ls), 0);
    setenv("AWS_LAMBDA_RUNTIME_API", f->server.endpoint, 1);
    ts_capture_begin(&f->capture);
    int status = lambda_run_abi(handler, abi);
    f->log = ts_capture_end(&f->capture);
    ts_server_join(&f->server);
    assert_server_ok(&f->server);
    return status;
}

static void assert_log_contains(fixture *f, const char *needle)
{
    if (!strstr(f->log, needle))
        fail_msg("stderr lacks \"%s\"; it was:\n%s", needle, f->log);
}

static void assert_post(fixture *f, int i, const char *path, const char *content_type,
                        const char *body)
{
    assert_true(i < f->ls.post_count);
    ts_request *r = &f->ls.posts[i];
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, path);
    char value[256];
    assert_non_null(ts_head_header(r->head, "Content-Type", value, sizeof value));
    assert_string_equal(value, content_type);
    assert_string_equal(r->body, body);
    assert_int_equal(r->body_len, strlen(body));
}

static const char *post_header(fixture *f, int i, const char *name, char *out, size_t cap)
{
    return ts_head_header(f->ls.posts[i].head, name, out, cap);
}

/* ------------------------------------------------------------------ tests */

static void test_success_path(void **state)
{
    fixture *f = *state;
    plan(f, "req-1", "{\"do\":\"json\"}")->extra_headers =
        "Lambda-Runtime-Invocation-Id: inv-1\r\n";
    plan(f, "req-2", "{\"do\":\"body\"}")->extra_headers =
        "Lambda-Runtime-Invocation-Id: inv-2\r\nLambda-Runtime-Trace-Id: Root=1-2\r\n";
    plan(f, "req-3", "{\"do\":\"nothing\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);

    /* Every invocation reached the handler with its event and context. */
    assert_int_equal(call_count, 3);
    assert_string_equal(calls[0].request_id, "req-1");
    assert_string_equal(calls[0].event, "{\"do\":\"json\"}");
    assert_int_equal(calls[0].event_size, 13);
    assert_string_equal(calls[0].function_name, "loop-test");
    assert_string_equal(calls[0].arn, "arn:aws:lambda:eu-west-1:123456789012:function:loop-test");
    assert_string_equal(calls[0].invocation_id, "inv-1");
    assert_string_equal(calls[0].content_type, "application/json");
    assert_in_range(calls[0].remaining_ms, 20000, 30000);
    assert_string_equal(calls[1].request_id, "req-2");
    assert_string_equal(calls[2].request_id, "req-3");
    assert_string_equal(calls[2].invocation_id, "(null)");

    /* What the runtime posted. */
    assert_int_equal(f->ls.post_count, 3);
    assert_post(f, 0, "/2018-06-01/runtime/invocation/req-1/response", "application/json",
                "{\"echo\":\"req-1\",\"path\":\"a/b\"}");
    assert_post(f, 1, "/2018-06-01/runtime/invocation/req-2/response", "text/plain; charset=utf-8",
                "plain text");
    assert_post(f, 2, "/2018-06-01/runtime/invocation/req-3/response", "application/json", "null");
    char value[64];
    assert_non_null(post_header(f, 0, "Lambda-Runtime-Invocation-Id", value, sizeof value));
    assert_string_equal(value, "inv-1");
    assert_non_null(post_header(f, 1, "Lambda-Runtime-Invocation-Id", value, sizeof value));
    assert_string_equal(value, "inv-2");
    assert_null(post_header(f, 2, "Lambda-Runtime-Invocation-Id", value, sizeof value));

    /* Then /next answered 500: the loop logged it, closed and returned 1. */
    assert_int_equal(f->ls.next_count, 4);
    assert_int_equal(f->ls.saw_eof, 1);
    assert_log_contains(f, "answered 500 to /next");
}

static void test_handler_error_path(void **state)
{
    fixture *f = *state;
    plan(f, "req-e1", "{\"do\":\"error\"}")->extra_headers =
        "Lambda-Runtime-Invocation-Id: i-1\r\n";
    plan(f, "req-e2", "{\"do\":\"runtime_error\"}");
    plan(f, "req-ok", "{\"do\":\"body\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 3);
    assert_int_equal(f->ls.post_count, 3);

    assert_post(f, 0, "/2018-06-01/runtime/invocation/req-e1/error", ERROR_CT,
                "{\"errorMessage\":\"bad value 7\",\"errorType\":\"InvalidInput\","
                "\"stackTrace\":[\"frame 1\",\"frame 2\"]}");
    char value[128];
    assert_non_null(post_header(f, 0, "Lambda-Runtime-Function-Error-Type", value, sizeof value));
    assert_string_equal(value, "Function.InvalidInput");
    assert_non_null(post_header(f, 0, "Lambda-Runtime-Invocation-Id", value, sizeof value));
    assert_string_equal(value, "i-1");

    /* "Runtime.X" is kept; the message is repaired UTF-8; the earlier body is dropped. */
    assert_post(f, 1, "/2018-06-01/runtime/invocation/req-e2/error", ERROR_CT,
                "{\"errorMessage\":\"caf\xc3\xa9 \xef\xbf\xbd\",\"errorType\":\"Runtime.Custom\","
                "\"stackTrace\":[]}");
    assert_non_null(post_header(f, 1, "Lambda-Runtime-Function-Error-Type", value, sizeof value));
    assert_string_equal(value, "Runtime.Custom");

    /* The next invocation starts clean: no error left over. */
    assert_post(f, 2, "/2018-06-01/runtime/invocation/req-ok/response", "text/plain; charset=utf-8",
                "plain text");
    /* The unhandled errors were logged with their request ids. */
    assert_log_contains(f, "\treq-e1\tERROR\tInvalidInput: bad value 7");
    assert_log_contains(f, "\treq-e2\tERROR\tRuntime.Custom: ");
}

static void test_handler_failed_without_error(void **state)
{
    fixture *f = *state;
    plan(f, "req-f", "{\"do\":\"fail\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(f->ls.post_count, 1);
    assert_post(f, 0, "/2018-06-01/runtime/invocation/req-f/error", ERROR_CT,
                "{\"errorMessage\":\"the handler returned 7 without setting an error\","
                "\"errorType\":\"HandlerFailed\",\"stackTrace\":[]}");
    char value[128];
    assert_non_null(post_header(f, 0, "Lambda-Runtime-Function-Error-Type", value, sizeof value));
    assert_string_equal(value, "Function.HandlerFailed");
}

static void test_refused_answers_go_on(void **state)
{
    fixture *f = *state;
    static const int statuses[] = { 413, 400, 403, 410, 404, 202 };
    static const char *const ids[] = { "r413", "r400", "r403", "r410", "r404", "r202" };
    for (int i = 0; i < 6; i++)
        plan(f, ids[i], i == 1 ? "{\"do\":\"error\"}" : "{\"do\":\"json\"}")->answer_status =
            statuses[i];
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    /* Each refusal is logged and the loop asks for the next invocation. */
    assert_int_equal(call_count, 6);
    assert_int_equal(f->ls.post_count, 6);
    assert_int_equal(f->ls.next_count, 7);
    assert_string_equal(f->ls.posts[5].path, "/2018-06-01/runtime/invocation/r202/response");
    assert_log_contains(f, "the response for request r413 is larger than Lambda accepts (413)");
    assert_log_contains(f, "refused the error for request r400 (400)");
    assert_log_contains(f, "refused the response for request r403 (403)");
    assert_log_contains(f, "refused the response for request r410 (410)");
    assert_log_contains(f, "unexpected status 404");
}

static void test_500_on_response_exits(void **state)
{
    fixture *f = *state;
    plan(f, "req-500", "{\"do\":\"json\"}")->answer_status = 500;
    plan(f, "never", "{\"do\":\"json\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 1);
    assert_int_equal(f->ls.next_count, 1); /* no /next after the 500 */
    assert_int_equal(f->ls.saw_eof, 1);    /* the connection was closed instead */
    assert_log_contains(f, "the Runtime API failed (500) on the response for request req-500");
}

static void test_500_on_error_exits(void **state)
{
    fixture *f = *state;
    plan(f, "req-502", "{\"do\":\"error\"}")->answer_status = 502;
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(f->ls.next_count, 1);
    assert_int_equal(f->ls.saw_eof, 1);
    assert_log_contains(f, "failed (502) on the error for request req-502");
}

static void test_connection_closed_after_post(void **state)
{
    fixture *f = *state;
    plan(f, "req-c", "{\"do\":\"json\"}")->close_instead = 1;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 1);
    assert_int_equal(f->ls.post_count, 1);
    assert_log_contains(f, "lost the Runtime API connection while sending the response for "
                           "request req-c");
}

static void test_connection_closed_at_next(void **state)
{
    fixture *f = *state;
    f->ls.end = END_CLOSE_AT_NEXT;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 0);
    assert_int_equal(f->ls.next_count, 1);
    assert_log_contains(f, "lost the Runtime API connection while waiting for the next invocation");
}

static void test_trace_id_per_invocation(void **state)
{
    fixture *f = *state;
    setenv("_X_AMZN_TRACE_ID", "stale-from-the-environment", 1);
    static char long_trace[400 + 64];
    strcpy(long_trace, "Lambda-Runtime-Trace-Id: Root=1-");
    size_t n = strlen(long_trace);
    memset(long_trace + n, 'x', 400);
    strcpy(long_trace + n + 400, "\r\n");
    plan(f, "t1", "{}")->extra_headers = "Lambda-Runtime-Trace-Id: Root=1-aaa;Sampled=1\r\n";
    plan(f, "t2", "{}")->extra_headers = long_trace; /* longer than the first buffer */
    plan(f, "t3", "{}");                             /* none: unset */
    plan(f, "t4", "{}")->extra_headers = "Lambda-Runtime-Trace-Id: Root=1-ddd\r\n";
    plan(f, "t5", "{}")->extra_headers = "Lambda-Runtime-Trace-Id: \r\n"; /* empty: unset */
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 5);
    assert_int_equal(calls[0].trace_set, 1);
    assert_string_equal(calls[0].trace, "Root=1-aaa;Sampled=1");
    assert_int_equal(calls[1].trace_set, 1);
    assert_int_equal(strlen(calls[1].trace), 7 + 400);
    assert_memory_equal(calls[1].trace, "Root=1-xxxx", 11);
    assert_int_equal(calls[2].trace_set, 0);
    assert_int_equal(calls[3].trace_set, 1);
    assert_string_equal(calls[3].trace, "Root=1-ddd");
    assert_int_equal(calls[4].trace_set, 0);
    /* Once the loop returned, no trace id is left in the environment. */
    assert_null(getenv("_X_AMZN_TRACE_ID"));
}

static void test_invocation_without_request_id_skipped(void **state)
{
    fixture *f = *state;
    plan(f, NULL, "{\"do\":\"json\"}")->no_post = 1;
    plan(f, "req-after", "{\"do\":\"json\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 1); /* the handler never saw the first one */
    assert_int_equal(f->ls.post_count, 1);
    assert_string_equal(f->ls.posts[0].path, "/2018-06-01/runtime/invocation/req-after/response");
    assert_log_contains(f, "cannot serve an invocation without Lambda-Runtime-Aws-Request-Id");
}

/* A Runtime API that keeps answering /next without a request id: the loop backs off between
 * attempts, reports each one, and exits after LC_LIMIT_NEXT_WITHOUT_ID in a row instead of
 * spinning (1.1.0 sent 54,000 requests and 5.7 MB of logs in 4 s). */
static void test_next_without_request_id_gives_up(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < LC_LIMIT_NEXT_WITHOUT_ID; i++)
        plan(f, NULL, "{\"do\":\"json\"}")->no_post = 1;
    f->ls.end = END_NOTHING; /* no sixth /next expected: the loop must exit by itself */
    int64_t start = ts_now_ms();
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    int64_t took = ts_now_ms() - start;
    assert_int_equal(call_count, 0);
    assert_int_equal(f->ls.next_count, LC_LIMIT_NEXT_WITHOUT_ID);
    /* The pauses between the attempts: 10 + 20 + 40 + 80 ms at least. */
    assert_true(took >= 150);
    assert_int_equal(ts_count(f->log, "cannot serve an invocation without"),
                     LC_LIMIT_NEXT_WITHOUT_ID);
    assert_log_contains(f, "5 invocations in a row without Lambda-Runtime-Aws-Request-Id; exiting");
}

/* An event over Lambda's payload limit (a Runtime API that misbehaves): the runtime reads
 * none of it, reserves no memory for it, answers it with Runtime.EventTooLarge from a new
 * connection and serves the next invocation (1.2.0 exited instead). */
static void test_oversized_event_refused(void **state)
{
    fixture *f = *state;
    plan(f, "req-huge", "{\"do\":\"json\"}")->declared_length = "4000000000";
    plan(f, "req-over", "{\"do\":\"json\"}")->declared_length = "6291557";
    plan(f, "req-next", "{\"do\":\"json\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 1); /* the handler saw only the last one */
    assert_int_equal(f->ls.post_count, 3);
    static const char *const ids[] = { "req-huge", "req-over" };
    for (int i = 0; i < 2; i++) {
        char path[128], type[64];
        snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/error", ids[i]);
        assert_string_equal(f->ls.posts[i].path, path);
        assert_non_null(post_header(f, i, "Lambda-Runtime-Function-Error-Type", type, sizeof type));
        assert_string_equal(type, "Runtime.EventTooLarge");
        assert_non_null(strstr(f->ls.posts[i].body, "\"errorType\":\"Runtime.EventTooLarge\""));
    }
    assert_string_equal(f->ls.posts[2].path, "/2018-06-01/runtime/invocation/req-next/response");
    assert_log_contains(f, "the event of request req-huge is larger than the 6291556 bytes "
                           "Lambda allows (Content-Length: 4000000000)");
}

static void test_large_event_echoed(void **state)
{
    fixture *f = *state;
    size_t size = 5 * 1024 * 1024;
    char *event = ts_xmalloc(size + 1);
    size_t n = (size_t)sprintf(event, "{\"do\":\"echo\",\"pad\":\"");
    memset(event + n, 'p', size - n - 2);
    strcpy(event + size - 2, "\"}");
    plan(f, "req-big", event);
    plan(f, "req-small", "{\"do\":\"json\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(f->ls.post_count, 2);
    assert_int_equal(calls[0].event_size, size);
    /* The borrowed event bytes went out unchanged. */
    assert_int_equal(f->ls.posts[0].body_len, size);
    assert_true(memcmp(f->ls.posts[0].body, event, size) == 0);
    assert_post(f, 1, "/2018-06-01/runtime/invocation/req-small/response", "application/json",
                "{\"echo\":\"req-small\",\"path\":\"a/b\"}");
    free(event);
}

static void test_no_runtime_api(void **state)
{
    fixture *f = *state;
    unsetenv("AWS_LAMBDA_RUNTIME_API");
    ts_capture_begin(&f->capture);
    int status = lambda_run_abi(test_handler, LAMBDA_C_ABI_VERSION);
    lambda_code rc = lambda_runtime_init_error(NULL, "x");
    char closed[64];
    snprintf(closed, sizeof closed, "127.0.0.1:%d", ts_closed_port());
    setenv("AWS_LAMBDA_RUNTIME_API", closed, 1);
    int status2 = lambda_run_abi(test_handler, LAMBDA_C_ABI_VERSION);
    f->log = ts_capture_end(&f->capture);
    unsetenv("AWS_LAMBDA_RUNTIME_API");
    assert_int_equal(status, 1);
    assert_int_equal(rc, LAMBDA_E_CONFIG);
    assert_int_equal(status2, 1);
    assert_int_equal(call_count, 0);
    assert_log_contains(f, "AWS_LAMBDA_RUNTIME_API is not set");
    assert_log_contains(f, "cannot connect to the Runtime API at 127.0.0.1:");
}

/* ------------------------------------------------------------------ init errors (last) */

typedef struct init_server {
    int expected;
    int statuses[8];
    ts_request requests[8];
    int received;
    int connections;
} init_server;

/* Records init errors, on one connection or several (a new one after each close). */
static void init_script(ts_server *s, void *arg)
{
    init_server *is = arg;
    ts_conn *conn = NULL;
    while (is->received < is->expected) {
        if (!conn) {
            conn = ts_accept(s, TS_TIMEOUT_MS);
            if (!conn) {
                ts_fail(s, "no connection for init error %d", is->received);
                return;
            }
            is->connections++;
        }
        int rc = ts_read_request(conn, &is->requests[is->received]);
        if (rc == 1) {
            ts_conn_close(conn);
            conn = NULL;
            continue;
        }
        if (rc != 0) {
            ts_fail(s, "init error %d: no request", is->received);
            break;
        }
        int status = is->statuses[is->received] ? is->statuses[is->received] : 202;
        is->received++;
        ts_respond(conn, status, NULL, "{\"status\":\"OK\"}", 15);
    }
    ts_conn_close(conn);
}

/* header_type: Lambda-Runtime-Function-Error-Type; type: errorType in the body. */
static void check_init_error(init_server *is, int i, const char *header_type, const char *type,
                             const char *message_start)
{
    ts_request *r = &is->requests[i];
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/2018-06-01/runtime/init/error");
    char value[256];
    assert_non_null(ts_head_header(r->head, "Content-Type", value, sizeof value));
    assert_string_equal(value, ERROR_CT);
    assert_non_null(
        ts_head_header(r->head, "Lambda-Runtime-Function-Error-Type", value, sizeof value));
    assert_string_equal(value, header_type);
    struct json_object *body = json_tokener_parse(r->body);
    assert_non_null(body);
    struct json_object *v;
    assert_true(json_object_object_get_ex(body, "errorType", &v));
    assert_string_equal(json_object_get_string(v), type);
    assert_true(json_object_object_get_ex(body, "errorMessage", &v));
    const char *message = json_object_get_string(v);
    if (strncmp(message, message_start, strlen(message_start)) != 0)
        fail_msg("errorMessage \"%s\" does not start with \"%s\"", message, message_start);
    assert_true(json_object_object_get_ex(body, "stackTrace", &v));
    assert_int_equal(json_object_array_length(v), 0);
    json_object_put(body);
}

static void test_init_errors(void **state)
{
    fixture *f = *state;
    init_server is = { 0 };
    is.expected = 6;
    is.statuses[5] = 500;
    assert_int_equal(ts_server_start(&f->server, init_script, &is), 0);
    setenv("AWS_LAMBDA_RUNTIME_API", f->server.endpoint, 1);
    ts_capture_begin(&f->capture);
    /* A newer major, then a newer minor, than this library provides. */
    int s1 = lambda_run_abi(test_handler, LAMBDA_C_ABI_PACK(LAMBDA_C_ABI_MAJOR + 1, 0));
    int s2 =
        lambda_run_abi(test_handler, LAMBDA_C_ABI_PACK(LAMBDA_C_ABI_MAJOR, LAMBDA_C_ABI_MINOR + 1));
    int s3 = lambda_run_abi(NULL, LAMBDA_C_ABI_VERSION);
    lambda_code r4 = lambda_runtime_init_error(NULL, "boom %d", 42);
    lambda_code r5 = lambda_runtime_init_error("Custom.Type", NULL);
    lambda_code r6 = lambda_runtime_init_error("Runtime.Late", "answered 500");
    f->log = ts_capture_end(&f->capture);
    ts_server_join(&f->server);
    assert_server_ok(&f->server);

    assert_int_equal(s1, 1);
    assert_int_equal(s2, 1);
    assert_int_equal(s3, 1);
    assert_int_equal(r4, LAMBDA_OK);
    assert_int_equal(r5, LAMBDA_OK);
    assert_int_equal(r6, LAMBDA_E_HTTP_STATUS);
    assert_int_equal(call_count, 0); /* no handler ran */
    assert_int_equal(is.received, 6);
    char expected[128];
    snprintf(expected, sizeof expected, "this program was built against lambda-c ABI %u.0,",
             LAMBDA_C_ABI_MAJOR + 1);
    check_init_error(&is, 0, "Runtime.IncompatibleABI", "Runtime.IncompatibleABI", expected);
    snprintf(expected, sizeof expected, "this program was built against lambda-c ABI %u.%u,",
             LAMBDA_C_ABI_MAJOR, LAMBDA_C_ABI_MINOR + 1);
    check_init_error(&is, 1, "Runtime.IncompatibleABI", "Runtime.IncompatibleABI", expected);
    check_init_error(&is, 2, "Runtime.InvalidEntrypoint", "Runtime.InvalidEntrypoint",
                     "lambda_run was given no handler");
    check_init_error(&is, 3, "Runtime.InitError", "Runtime.InitError", "boom 42");
    check_init_error(&is, 4, "Function.Custom.Type", "Custom.Type", "initialization failed");
    check_init_error(&is, 5, "Runtime.Late", "Runtime.Late", "answered 500");
    assert_log_contains(f, "Runtime.IncompatibleABI: this program was built against");
    assert_log_contains(f, "answered 500 to the init error");
    for (int i = 0; i < 8; i++)
        ts_request_free(&is.requests[i]);
}

/*
 * Regression test (was a bug, now fixed): sdk/src/loop.c lambda_run_abi returns 1 after posting an init error (no handler, or an
 * incompatible ABI: the "return 1;" lines after lambda_runtime_init_error) without closing
 * g_runtime.init_api or clearing g_runtime.connected, unlike its normal return. A later
 * lambda_run_abi in the same process then reuses that stale connection (to whatever
 * AWS_LAMBDA_RUNTIME_API was then) instead of connecting to the current endpoint; here it
 * fails at /next ("connection closed") and never talks to the new server. Fix: on those
 * paths close the init connection and reset the state as the end of lambda_run_abi does.
 */
static void test_run_after_init_error(void **state)
{
    fixture *f = *state;
    plan(f, "after-init-error", "{\"do\":\"json\"}");
    f->ls.end = END_500;
    assert_int_equal(run_loop(f, test_handler, LAMBDA_C_ABI_VERSION), 1);
    assert_int_equal(call_count, 1);
    assert_int_equal(f->ls.post_count, 1);
}

int main(void)
{
    ts_watchdog(240);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_success_path),
        T(test_handler_error_path),
        T(test_handler_failed_without_error),
        T(test_refused_answers_go_on),
        T(test_500_on_response_exits),
        T(test_500_on_error_exits),
        T(test_connection_closed_after_post),
        T(test_connection_closed_at_next),
        T(test_trace_id_per_invocation),
        T(test_invocation_without_request_id_skipped),
        T(test_next_without_request_id_gives_up),
        T(test_oversized_event_refused),
        T(test_large_event_echoed),
        T(test_no_runtime_api),
        /* Last: after an init error a new lambda_run must connect afresh. */
        T(test_init_errors),
        T(test_run_after_init_error),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
