/* Unit tests of liblambda-c-extension's API calls against a scripted loopback server, and of
 * its telemetry listener. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lambda-c/extension.h>

#include "http.h"

#define MAX_STEPS 8

/* A server that answers its connections, one each, with the scripted answers in order, and
 * records what it was asked. */
typedef struct script {
    int fd;
    int steps;
    const char *answers[MAX_STEPS];
    lext_head heads[MAX_STEPS];
    char *bodies[MAX_STEPS];
    pthread_t thread;
} script;

static void *serve(void *arg)
{
    script *s = arg;
    for (int i = 0; i < s->steps; i++) {
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            break;
        size_t len;
        if (lext_read_message(fd, 1, &s->heads[i], &s->bodies[i], &len) == LAMBDA_OK)
            lext_write_all(fd, s->answers[i], strlen(s->answers[i]));
        close(fd);
    }
    return NULL;
}

static void start(script *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sa, &sl), 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    setenv("AWS_LAMBDA_RUNTIME_API", endpoint, 1);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void finish(script *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static void release(script *s)
{
    for (int i = 0; i < s->steps; i++)
        free(s->bodies[i]);
}

static const char REGISTERED[] =
    "HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: ext-1\r\nContent-Length: 70\r\n\r\n"
    "{\"functionName\":\"f\",\"functionVersion\":\"$LATEST\",\"handler\":\"h.handler\"}";

static char *answer(const char *status, const char *body)
{
    static char buf[MAX_STEPS][1024];
    static int next;
    char *b = buf[next++ % MAX_STEPS];
    snprintf(b, 1024, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n%s", status, strlen(body), body);
    return b;
}

static void register_and_events(void **state)
{
    (void)state;
    script s = { .steps = 4 };
    s.answers[0] = REGISTERED;
    s.answers[1] = answer(
        "200 OK", "{\"eventType\":\"INVOKE\",\"deadlineMs\":1700000000123,\"requestId\":\"r-1\","
                  "\"invokedFunctionArn\":\"arn:f\",\"tracing\":{\"type\":\"X-Amzn-Trace-Id\","
                  "\"value\":\"Root=1\"}}");
    s.answers[2] = answer(
        "200 OK", "{\"eventType\":\"SHUTDOWN\",\"shutdownReason\":\"spindown\",\"deadlineMs\":5}");
    s.answers[3] = answer("200 OK", "{\"eventType\":\"SOMETHING\"}");
    start(&s);
    lambda_extension *ext;
    assert_int_equal(lambda_extension_register(
                         "my-ext", LAMBDA_EXTENSION_INVOKE | LAMBDA_EXTENSION_SHUTDOWN, &ext),
                     LAMBDA_OK);
    assert_string_equal(lambda_extension_identifier(ext), "ext-1");
    assert_string_equal(lambda_extension_function_name(ext), "f");
    assert_string_equal(lambda_extension_function_version(ext), "$LATEST");
    assert_string_equal(lambda_extension_handler(ext), "h.handler");

    lambda_extension_event ev;
    assert_int_equal(lambda_extension_next(ext, &ev), LAMBDA_OK);
    assert_int_equal(ev.type, LAMBDA_EXTENSION_EVENT_INVOKE);
    assert_int_equal(ev.deadline_ms, 1700000000123LL);
    assert_string_equal(ev.request_id, "r-1");
    assert_string_equal(ev.invoked_function_arn, "arn:f");
    assert_string_equal(ev.trace_id, "Root=1");
    assert_string_equal(ev.shutdown_reason, "");
    lambda_extension_event_clear(&ev);
    assert_null(ev.request_id);

    assert_int_equal(lambda_extension_next(ext, &ev), LAMBDA_OK);
    assert_int_equal(ev.type, LAMBDA_EXTENSION_EVENT_SHUTDOWN);
    assert_string_equal(ev.shutdown_reason, "spindown");
    assert_string_equal(ev.request_id, "");
    lambda_extension_event_clear(&ev);

    assert_int_equal(lambda_extension_next(ext, &ev), LAMBDA_E_PROTOCOL);
    assert_non_null(strstr(lambda_extension_error(ext), "not an INVOKE or SHUTDOWN event"));
    lambda_extension_free(ext);
    finish(&s);

    assert_string_equal(s.heads[0].method, "POST");
    assert_string_equal(s.heads[0].path, "/2020-01-01/extension/register");
    assert_string_equal(s.bodies[0], "{\"events\":[\"INVOKE\",\"SHUTDOWN\"]}");
    assert_string_equal(s.heads[1].path, "/2020-01-01/extension/event/next");
    assert_string_equal(s.heads[1].identifier, "ext-1");
    release(&s);
}

static void refusals_and_errors(void **state)
{
    (void)state;
    script s = { .steps = 3 };
    s.answers[0] = REGISTERED;
    s.answers[1] =
        answer("403 Forbidden", "{\"errorMessage\":\"Invalid extension identifier\","
                                "\"errorType\":\"Extension.InvalidExtensionIdentifier\"}");
    s.answers[2] = answer("202 Accepted", "{\"status\":\"OK\"}");
    start(&s);
    lambda_extension *ext;
    assert_int_equal(lambda_extension_register(NULL, LAMBDA_EXTENSION_SHUTDOWN, &ext), LAMBDA_OK);
    lambda_extension_event ev;
    assert_int_equal(lambda_extension_next(ext, &ev), LAMBDA_E_HTTP_STATUS);
    assert_string_equal(lambda_extension_error(ext),
                        "/2020-01-01/extension/event/next: HTTP 403 "
                        "Extension.InvalidExtensionIdentifier: Invalid extension identifier");
    assert_int_equal(lambda_extension_init_error(ext, "Extension.ConfigInvalid", "no \"config\""),
                     LAMBDA_OK);
    assert_string_equal(lambda_extension_error(ext), "");
    assert_int_equal(lambda_extension_init_error(ext, "bad\r\ntype", NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    lambda_extension_free(ext);
    finish(&s);
    assert_string_equal(s.bodies[0], "{\"events\":[\"SHUTDOWN\"]}");
    assert_string_equal(s.heads[2].path, "/2020-01-01/extension/init/error");
    assert_string_equal(
        s.bodies[2],
        "{\"errorMessage\":\"no \\\"config\\\"\",\"errorType\":\"Extension.ConfigInvalid\"}");
    release(&s);
}

static void no_runtime_api(void **state)
{
    (void)state;
    unsetenv("AWS_LAMBDA_RUNTIME_API");
    lambda_extension *ext = (lambda_extension *)1;
    assert_int_equal(lambda_extension_register("x", LAMBDA_EXTENSION_INVOKE, &ext),
                     LAMBDA_E_CONFIG);
    assert_null(ext);
    assert_int_equal(lambda_extension_register("x", 1u << 5, &ext), LAMBDA_E_INVALID_ARGUMENT);
    setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1", 1); /* nothing listens on port 1 */
    assert_int_equal(lambda_extension_register("x", LAMBDA_EXTENSION_INVOKE, &ext),
                     LAMBDA_E_CONNECT);
}

typedef struct received {
    pthread_mutex_t lock;
    char text[4096];
    int calls;
    int slow; /* the callback takes 100 ms before it records (a busy subscriber) */
} received;

static void on_batch(const char *json, size_t len, void *user)
{
    received *r = user;
    if (r->slow)
        usleep(100 * 1000);
    pthread_mutex_lock(&r->lock);
    snprintf(r->text, sizeof r->text, "%.*s", (int)len, json);
    r->calls++;
    pthread_mutex_unlock(&r->lock);
}

static int calls_of(received *r)
{
    pthread_mutex_lock(&r->lock);
    int n = r->calls;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* The 200 comes once the callback has returned: a sender that then has the listener stopped
 * (SHUTDOWN after the last batch) loses nothing, however slow the callback. */
static void telemetry_batch_answered_after_the_callback(void **state)
{
    (void)state;
    received got = { .lock = PTHREAD_MUTEX_INITIALIZER, .slow = 1 };
    lambda_telemetry_listener *l;
    assert_int_equal(lambda_telemetry_listener_start(0, on_batch, &got, &l), LAMBDA_OK);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%u",
             (unsigned)lambda_telemetry_listener_port(l));
    const char batch[] = "[{\"time\":\"t\",\"type\":\"platform.report\",\"record\":{}}]";
    lext_response r;
    char err[256];
    assert_int_equal(
        lext_http_call(endpoint, "POST", "/", NULL, batch, sizeof batch - 1, &r, err, sizeof err),
        LAMBDA_OK);
    assert_int_equal(r.status, 200);
    lext_response_free(&r);
    assert_int_equal(calls_of(&got), 1);
    lambda_telemetry_listener_stop(l);
    assert_int_equal(got.calls, 1);
    assert_string_equal(got.text, batch);
}

static void telemetry_listener_and_subscription(void **state)
{
    (void)state;
    received got = { .lock = PTHREAD_MUTEX_INITIALIZER };
    lambda_telemetry_listener *l;
    assert_int_equal(lambda_telemetry_listener_start(0, on_batch, &got, &l), LAMBDA_OK);
    unsigned short port = lambda_telemetry_listener_port(l);
    assert_true(port > 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%u", (unsigned)port);
    const char batch[] =
        "[{\"time\":\"t\",\"type\":\"platform.start\",\"record\":{\"requestId\":\"r\"}}]";
    lext_response r;
    char err[256];
    assert_int_equal(
        lext_http_call(endpoint, "POST", "/", NULL, batch, sizeof batch - 1, &r, err, sizeof err),
        LAMBDA_OK);
    assert_int_equal(r.status, 200);
    lext_response_free(&r);
    assert_int_equal(lext_http_call(endpoint, "GET", "/", NULL, NULL, 0, &r, err, sizeof err),
                     LAMBDA_OK);
    assert_int_equal(r.status, 400); /* only POSTs carry batches */
    lext_response_free(&r);
    assert_int_equal(lambda_telemetry_listener_batches(l), 1);
    lambda_telemetry_listener_stop(l);
    assert_int_equal(got.calls, 1);
    assert_string_equal(got.text, batch);

    script s = { .steps = 2 };
    s.answers[0] = REGISTERED;
    s.answers[1] = answer("200 OK", "OK");
    start(&s);
    lambda_extension *ext;
    assert_int_equal(lambda_extension_register("t", LAMBDA_EXTENSION_INVOKE, &ext), LAMBDA_OK);
    lambda_telemetry_options o = { .types = LAMBDA_TELEMETRY_PLATFORM | LAMBDA_TELEMETRY_EXTENSION,
                                   .timeout_ms = 25 };
    assert_int_equal(lambda_extension_telemetry_subscribe(ext, &o, 4243), LAMBDA_OK);
    assert_int_equal(lambda_extension_telemetry_subscribe(ext, &o, 0), LAMBDA_E_INVALID_ARGUMENT);
    lambda_extension_free(ext);
    finish(&s);
    assert_string_equal(s.heads[1].method, "PUT");
    assert_string_equal(s.heads[1].path, "/2022-07-01/telemetry");
    assert_string_equal(
        s.bodies[1],
        "{\"schemaVersion\":\"2022-12-13\",\"types\":[\"platform\",\"extension\"],"
        "\"buffering\":{\"maxItems\":1000,\"maxBytes\":262144,\"timeoutMs\":25},"
        "\"destination\":{\"protocol\":\"HTTP\",\"URI\":\"http://sandbox.localdomain:4243/\"}}");
    release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(register_and_events),
        cmocka_unit_test(refusals_and_errors),
        cmocka_unit_test(no_runtime_api),
        cmocka_unit_test(telemetry_listener_and_subscription),
        cmocka_unit_test(telemetry_batch_answered_after_the_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
