/*
 * sdk/src/log.c: what reaches stderr. fd 2 is captured through a pipe (drained by a thread,
 * so any volume fits) and every line is checked: the text format field by field, the JSON
 * format parsed with json-c (strict, UTF-8 validated), level filtering, UTF-8 repair, and
 * lines written by several threads at once never interleaving.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lambda-c/log.h"
#include "core/handler/log_internal.h"
#include "test_support.h"

static ts_capture capture;

static void reset_settings(void)
{
    unsetenv("AWS_LAMBDA_LOG_FORMAT");
    unsetenv("AWS_LAMBDA_LOG_LEVEL");
    unsetenv("AWS_LAMBDA_MAX_CONCURRENCY");
    lc_log_reload_settings();
    lc_log_set_invocation(NULL, NULL);
}

static int setup(void **state)
{
    (void)state;
    reset_settings();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_capture_abort(&capture);
    reset_settings();
    return 0;
}

static void use_format(const char *format)
{
    setenv("AWS_LAMBDA_LOG_FORMAT", format, 1);
    lc_log_reload_settings();
}

static void use_level(const char *level)
{
    setenv("AWS_LAMBDA_LOG_LEVEL", level, 1);
    lc_log_reload_settings();
}

/* ------------------------------------------------------------------ line helpers */

typedef struct lines {
    char *text;
    char **line;
    size_t count;
} lines;

/* Splits captured output into lines; every line must end with '\n'. */
static lines split_lines(char *text)
{
    lines l = { text, NULL, 0 };
    size_t len = strlen(text);
    if (len)
        assert_int_equal(text[len - 1], '\n');
    size_t cap = ts_count(text, "\n") + 1;
    l.line = calloc(cap, sizeof *l.line);
    assert_non_null(l.line);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        l.line[l.count++] = p;
        p = nl + 1;
    }
    return l;
}

static void free_lines(lines *l)
{
    free(l->line);
    free(l->text);
}

/* When the captured lines were written: timestamps must fall in this window. */
static int64_t window_start, window_end;

/* Captures what code writes to stderr, as lines. */
#define CAPTURE(l, code)                             \
    do {                                             \
        window_start = ts_now_ms();                  \
        ts_capture_begin(&capture);                  \
        code;                                        \
        (l) = split_lines(ts_capture_end(&capture)); \
        window_end = ts_now_ms();                    \
    } while (0)

static void assert_timestamp(const char *ts)
{
    static regex_t re;
    static int compiled;
    assert_non_null(ts);
    if (!compiled) {
        assert_int_equal(
            regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                    REG_EXTENDED | REG_NOSUB),
            0);
        compiled = 1;
    }
    if (regexec(&re, ts, 0, NULL, 0) != 0)
        fail_msg("timestamp \"%s\" is not RFC 3339 UTC with milliseconds", ts);
    /* And it is the UTC time at which the line was written. */
    struct tm tm = { 0 };
    assert_non_null(strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm));
    int64_t then = (int64_t)timegm(&tm) * 1000 + atoi(ts + 20);
    assert_in_range(then, window_start - 1000, window_end + 1000);
}

typedef struct text_line {
    char *timestamp, *request_id, *level, *message;
} text_line;

/* "TIMESTAMP\tREQUEST-ID\tLEVEL\tmessage" (the message may contain tabs). */
static text_line parse_text(char *line)
{
    text_line t;
    t.timestamp = line;
    char *tab = strchr(line, '\t');
    if (!tab)
        fail_msg("no fields in \"%s\"", line);
    *tab = '\0';
    t.request_id = tab + 1;
    tab = strchr(t.request_id, '\t');
    if (!tab)
        fail_msg("no level in \"%s\"", t.request_id);
    *tab = '\0';
    t.level = tab + 1;
    tab = strchr(t.level, '\t');
    if (!tab)
        fail_msg("no message in \"%s\"", t.level);
    *tab = '\0';
    t.message = tab + 1;
    return t;
}

/* Parses one JSON line strictly (and as valid UTF-8); the caller puts the object. */
static struct json_object *parse_json_line(const char *line)
{
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    size_t len = strlen(line);
    struct json_object *obj = json_tokener_parse_ex(tok, line, (int)len + 1);
    enum json_tokener_error err = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (err != json_tokener_success || !json_object_is_type(obj, json_type_object))
        fail_msg("not one JSON object (%s): %.200s", json_tokener_error_desc(err), line);
    return obj;
}

static const char *field(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return json_object_get_string(v);
}

/* ------------------------------------------------------------------ text */

static void test_text_fields(void **state)
{
    (void)state;
    lines l;
    CAPTURE(l, lambda_log_info("hello %s %d", "world", 42));
    assert_int_equal(l.count, 1);
    text_line t = parse_text(l.line[0]);
    assert_timestamp(t.timestamp);
    assert_string_equal(t.request_id, "undefined");
    assert_string_equal(t.level, "INFO");
    assert_string_equal(t.message, "hello world 42");
    free_lines(&l);
}

static void test_text_request_id(void **state)
{
    (void)state;
    lines l;
    lc_log_set_invocation("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "tenant-1");
    CAPTURE(l, lambda_log_warn("inside"); lc_log_set_invocation(NULL, NULL);
            lambda_log_warn("outside"));
    assert_int_equal(l.count, 2);
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
    assert_string_equal(t.level, "WARN");
    assert_string_equal(t.message, "inside");
    t = parse_text(l.line[1]);
    assert_string_equal(t.request_id, "undefined");
    assert_string_equal(t.message, "outside");
    free_lines(&l);
}

static void test_text_line_breaks_kept_in_one_record(void **state)
{
    (void)state;
    lines l;
    CAPTURE(l, lambda_log_error("first\nsecond\r\nthird\n"));
    assert_int_equal(l.count, 1); /* one record: one '\n', at the end */
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.level, "ERROR");
    assert_string_equal(t.message, "first\rsecond\r\rthird\r");
    free_lines(&l);
    CAPTURE(l, lambda_log_info("tabs\tstay\ttabs"));
    t = parse_text(l.line[0]);
    assert_string_equal(t.message, "tabs\tstay\ttabs");
    free_lines(&l);
}

static void test_text_invalid_utf8_repaired(void **state)
{
    (void)state;
    lines l;
    CAPTURE(l, lambda_log_info("bad \xff byte, overlong \xc0\xaf, ok \xc3\xa9"));
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.message,
                        "bad \xef\xbf\xbd byte, overlong \xef\xbf\xbd\xef\xbf\xbd, ok \xc3\xa9");
    free_lines(&l);
}

static void test_text_long_message_one_write(void **state)
{
    (void)state;
    size_t size = 1024 * 1024;
    char *big = ts_xmalloc(size + 1);
    for (size_t i = 0; i < size; i++)
        big[i] = (char)('a' + i % 26);
    big[size] = '\0';
    lines l;
    CAPTURE(l, lambda_log_info("%s", big));
    assert_int_equal(l.count, 1);
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.message, big);
    free_lines(&l);
    free(big);
}

/* ------------------------------------------------------------------ levels */

static void log_every_level(void)
{
    lambda_log_trace("t");
    lambda_log_debug("d");
    lambda_log_info("i");
    lambda_log_warn("w");
    lambda_log_error("e");
    lambda_log_fatal("f");
}

/* The levels written, e.g. "INFO WARN ERROR FATAL". */
static void assert_levels(const char *expected)
{
    lines l;
    CAPTURE(l, log_every_level());
    char got[128] = "";
    for (size_t i = 0; i < l.count; i++) {
        text_line t = parse_text(l.line[i]);
        if (i)
            strcat(got, " ");
        strcat(got, t.level);
    }
    free_lines(&l);
    assert_string_equal(got, expected);
}

static void test_default_level_is_info(void **state)
{
    (void)state;
    assert_levels("INFO WARN ERROR FATAL");
    assert_int_equal(lambda_log_enabled(LAMBDA_LOG_DEBUG), 0);
    assert_int_equal(lambda_log_enabled(LAMBDA_LOG_INFO), 1);
}

static void test_level_filtering(void **state)
{
    (void)state;
    use_level("WARN");
    assert_levels("WARN ERROR FATAL");
    assert_int_equal(lambda_log_enabled(LAMBDA_LOG_INFO), 0);
    assert_int_equal(lambda_log_enabled(LAMBDA_LOG_WARN), 1);
    use_level("trace"); /* any case */
    assert_levels("TRACE DEBUG INFO WARN ERROR FATAL");
    use_level("Debug");
    assert_levels("DEBUG INFO WARN ERROR FATAL");
    use_level("ERROR");
    assert_levels("ERROR FATAL");
    use_level("FATAL");
    assert_levels("FATAL");
    assert_int_equal(lambda_log_enabled(LAMBDA_LOG_ERROR), 0);
    use_level("LOUD"); /* unknown: the default */
    assert_levels("INFO WARN ERROR FATAL");
    use_level("");
    assert_levels("INFO WARN ERROR FATAL");
}

static void test_level_names(void **state)
{
    (void)state;
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_TRACE), "TRACE");
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_DEBUG), "DEBUG");
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_INFO), "INFO");
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_WARN), "WARN");
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_ERROR), "ERROR");
    assert_string_equal(lambda_log_level_name(LAMBDA_LOG_FATAL), "FATAL");
    assert_string_equal(lambda_log_level_name((lambda_log_level)6), "INFO");
    assert_string_equal(lambda_log_level_name((lambda_log_level)99), "INFO");
}

static void call_logv(lambda_log_level level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    lambda_logv(level, format, args);
    va_end(args);
}

static void test_null_format_writes_nothing(void **state)
{
    (void)state;
    lines l;
    CAPTURE(l, call_logv(LAMBDA_LOG_ERROR, NULL));
    assert_int_equal(l.count, 0);
    free_lines(&l);
}

static void test_logv(void **state)
{
    (void)state;
    lines l;
    CAPTURE(l, call_logv(LAMBDA_LOG_WARN, "v%s%d", "a", 1));
    assert_int_equal(l.count, 1);
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.level, "WARN");
    assert_string_equal(t.message, "va1");
    free_lines(&l);
}

/* ------------------------------------------------------------------ JSON */

static void test_json_fields(void **state)
{
    (void)state;
    use_format("JSON");
    lines l;
    lc_log_set_invocation("req-2", "tenant-7");
    CAPTURE(l, lambda_log_error("x \"quoted\"\nline2\ttab \\ / caf\xc3\xa9"));
    lc_log_set_invocation(NULL, NULL);
    assert_int_equal(l.count, 1);
    struct json_object *obj = parse_json_line(l.line[0]);
    assert_timestamp(field(obj, "timestamp"));
    assert_string_equal(field(obj, "level"), "ERROR");
    assert_string_equal(field(obj, "message"), "x \"quoted\"\nline2\ttab \\ / caf\xc3\xa9");
    assert_string_equal(field(obj, "requestId"), "req-2");
    assert_string_equal(field(obj, "tenantId"), "tenant-7");
    assert_int_equal(json_object_object_length(obj), 5);
    json_object_put(obj);
    free_lines(&l);

    /* Between invocations: neither requestId nor tenantId. */
    CAPTURE(l, lambda_log_info("idle"));
    obj = parse_json_line(l.line[0]);
    assert_string_equal(field(obj, "level"), "INFO");
    assert_string_equal(field(obj, "message"), "idle");
    assert_null(field(obj, "requestId"));
    assert_null(field(obj, "tenantId"));
    json_object_put(obj);
    free_lines(&l);

    /* A request id without a tenant. */
    lc_log_set_invocation("req-3", NULL);
    CAPTURE(l, lambda_log_warn("w"));
    lc_log_set_invocation(NULL, NULL);
    obj = parse_json_line(l.line[0]);
    assert_string_equal(field(obj, "requestId"), "req-3");
    assert_null(field(obj, "tenantId"));
    json_object_put(obj);
    free_lines(&l);
}

static void test_json_invalid_utf8_repaired(void **state)
{
    (void)state;
    use_format("JSON");
    lines l;
    CAPTURE(l, lambda_log_info("bad \xff \xed\xa0\x80 \x01 end"));
    struct json_object *obj = parse_json_line(l.line[0]); /* validates UTF-8 */
    assert_string_equal(field(obj, "message"),
                        "bad \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \x01 end");
    json_object_put(obj);
    free_lines(&l);
}

static void test_json_levels_filtered(void **state)
{
    (void)state;
    use_format("JSON");
    use_level("ERROR");
    lines l;
    CAPTURE(l, log_every_level());
    assert_int_equal(l.count, 2);
    struct json_object *obj = parse_json_line(l.line[0]);
    assert_string_equal(field(obj, "level"), "ERROR");
    json_object_put(obj);
    obj = parse_json_line(l.line[1]);
    assert_string_equal(field(obj, "level"), "FATAL");
    json_object_put(obj);
    free_lines(&l);
}

static void test_format_selection(void **state)
{
    (void)state;
    lines l;
    use_format("json"); /* any case */
    CAPTURE(l, lambda_log_info("a"));
    json_object_put(parse_json_line(l.line[0]));
    free_lines(&l);

    use_format("Text");
    CAPTURE(l, lambda_log_info("b"));
    assert_int_equal(l.line[0][0] != '{', 1);
    assert_string_equal(parse_text(l.line[0]).message, "b");
    free_lines(&l);

    /* Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY) always log JSON. */
    unsetenv("AWS_LAMBDA_LOG_FORMAT");
    setenv("AWS_LAMBDA_MAX_CONCURRENCY", "4", 1);
    lc_log_reload_settings();
    CAPTURE(l, lambda_log_info("c"));
    struct json_object *obj = parse_json_line(l.line[0]);
    assert_string_equal(field(obj, "message"), "c");
    json_object_put(obj);
    free_lines(&l);
}

/* ------------------------------------------------------------------ unhandled errors */

static void test_unhandled_error_text(void **state)
{
    (void)state;
    lines l;
    char *stack[] = { "frame 1", "frame 2" };
    lc_log_set_invocation("req-9", NULL);
    CAPTURE(l, lc_log_unhandled_error("Function.InvalidInput", "bad\nvalue", stack, 2));
    lc_log_set_invocation(NULL, NULL);
    assert_int_equal(l.count, 1);
    text_line t = parse_text(l.line[0]);
    assert_string_equal(t.request_id, "req-9");
    assert_string_equal(t.level, "ERROR");
    assert_string_equal(t.message, "Function.InvalidInput: bad\rvalue");
    free_lines(&l);

    /* Filtered like any ERROR record. */
    use_level("FATAL");
    CAPTURE(l, lc_log_unhandled_error("T", "m", NULL, 0));
    assert_int_equal(l.count, 0);
    free_lines(&l);
}

static void test_unhandled_error_json(void **state)
{
    (void)state;
    use_format("JSON");
    lines l;
    char *stack[] = { "at f (a.c:1)", "bad \xff frame" };
    lc_log_set_invocation("req-10", "t-1");
    CAPTURE(l, lc_log_unhandled_error("Function.InvalidInput", "bad \xc3\x28 value", stack, 2));
    lc_log_set_invocation(NULL, NULL);
    assert_int_equal(l.count, 1);
    struct json_object *obj = parse_json_line(l.line[0]);
    assert_string_equal(field(obj, "level"), "ERROR");
    assert_string_equal(field(obj, "errorType"), "Function.InvalidInput");
    assert_string_equal(field(obj, "errorMessage"), "bad \xef\xbf\xbd( value");
    assert_string_equal(field(obj, "message"), "bad \xef\xbf\xbd( value");
    assert_string_equal(field(obj, "requestId"), "req-10");
    assert_string_equal(field(obj, "tenantId"), "t-1");
    struct json_object *trace;
    assert_true(json_object_object_get_ex(obj, "stackTrace", &trace));
    assert_int_equal(json_object_array_length(trace), 2);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(trace, 0)),
                        "at f (a.c:1)");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(trace, 1)),
                        "bad \xef\xbf\xbd frame");
    json_object_put(obj);
    free_lines(&l);
}

/*
 * Regression test (was a bug, now fixed): sdk/src/log.c emit_json adds "errorType" (line 126:
 * json_object_new_string(error_type)) without lc_utf8_repair, unlike the message and the
 * stack lines: a handler's error type with invalid UTF-8 (lambda_response_set_error(r,
 * "Bad\xff", ...), reported by the loop through lc_log_unhandled_error) produces a JSON log line
 * that is not valid UTF-8. The text format and lc_error_json_build repair it.
 */
static void test_unhandled_error_json_repairs_error_type(void **state)
{
    (void)state;
    use_format("JSON");
    lines l;
    CAPTURE(l, lc_log_unhandled_error("Bad\xff", "m", NULL, 0));
    struct json_object *obj = parse_json_line(l.line[0]); /* fails: invalid UTF-8 */
    assert_string_equal(field(obj, "errorType"), "Bad\xef\xbf\xbd");
    json_object_put(obj);
    free_lines(&l);
}

/* ------------------------------------------------------------------ threads */

#define THREADS 4
#define PER_THREAD 200

typedef struct writer {
    int id;
    char request_id[32];
    const char *padding;
} writer;

static void *writer_main(void *arg)
{
    writer *w = arg;
    lc_log_set_invocation(w->request_id, NULL); /* per thread */
    for (int i = 0; i < PER_THREAD; i++)
        lambda_log_info("t%d m%d %s end", w->id, i, w->padding);
    lc_log_set_invocation(NULL, NULL);
    return NULL;
}

static void run_writers(lines *l, const char *padding)
{
    writer writers[THREADS];
    pthread_t threads[THREADS];
    window_start = ts_now_ms();
    ts_capture_begin(&capture);
    for (int t = 0; t < THREADS; t++) {
        writers[t].id = t;
        snprintf(writers[t].request_id, sizeof writers[t].request_id, "request-of-thread-%d", t);
        writers[t].padding = padding;
        assert_int_equal(pthread_create(&threads[t], NULL, writer_main, &writers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    *l = split_lines(ts_capture_end(&capture));
    window_end = ts_now_ms();
    assert_int_equal(l->count, THREADS * PER_THREAD);
}

/* Each message of each thread exactly once, whole, with its own thread's request id. */
static void check_message(int seen[THREADS][PER_THREAD], const char *message,
                          const char *request_id, const char *padding)
{
    int t = -1, i = -1, end = 0;
    assert_non_null(message);
    assert_non_null(request_id);
    if (sscanf(message, "t%d m%d %n", &t, &i, &end) != 2 || t < 0 || t >= THREADS || i < 0 ||
        i >= PER_THREAD)
        fail_msg("mangled message: %.80s", message);
    if (strncmp(message + end, padding, strlen(padding)) != 0 ||
        strcmp(message + end + strlen(padding), " end") != 0)
        fail_msg("message t%d m%d is not whole", t, i);
    char expected_id[32];
    snprintf(expected_id, sizeof expected_id, "request-of-thread-%d", t);
    assert_string_equal(request_id, expected_id);
    seen[t][i]++;
}

static char *make_padding(void)
{
    /* Long records (above PIPE_BUF) so that an unlocked writer would interleave. */
    size_t size = 5000;
    char *padding = ts_xmalloc(size + 1);
    for (size_t i = 0; i < size; i++)
        padding[i] = (char)('A' + i % 26);
    padding[size] = '\0';
    return padding;
}

static void test_threads_never_interleave_text(void **state)
{
    (void)state;
    char *padding = make_padding();
    lines l;
    run_writers(&l, padding);
    static int seen[THREADS][PER_THREAD];
    memset(seen, 0, sizeof seen);
    for (size_t k = 0; k < l.count; k++) {
        text_line t = parse_text(l.line[k]);
        assert_timestamp(t.timestamp);
        assert_string_equal(t.level, "INFO");
        check_message(seen, t.message, t.request_id, padding);
    }
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++)
            assert_int_equal(seen[t][i], 1);
    free_lines(&l);
    free(padding);
}

static void test_threads_never_interleave_json(void **state)
{
    (void)state;
    use_format("JSON");
    char *padding = make_padding();
    lines l;
    run_writers(&l, padding);
    static int seen[THREADS][PER_THREAD];
    memset(seen, 0, sizeof seen);
    for (size_t k = 0; k < l.count; k++) {
        struct json_object *obj = parse_json_line(l.line[k]);
        assert_string_equal(field(obj, "level"), "INFO");
        check_message(seen, field(obj, "message"), field(obj, "requestId"), padding);
        json_object_put(obj);
    }
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++)
            assert_int_equal(seen[t][i], 1);
    free_lines(&l);
    free(padding);
}

int main(void)
{
    ts_watchdog(120);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_text_fields),
        T(test_text_request_id),
        T(test_text_line_breaks_kept_in_one_record),
        T(test_text_invalid_utf8_repaired),
        T(test_text_long_message_one_write),
        T(test_default_level_is_info),
        T(test_level_filtering),
        T(test_level_names),
        T(test_null_format_writes_nothing),
        T(test_logv),
        T(test_json_fields),
        T(test_json_invalid_utf8_repaired),
        T(test_json_levels_filtered),
        T(test_format_selection),
        T(test_unhandled_error_text),
        T(test_unhandled_error_json),
        T(test_unhandled_error_json_repairs_error_type),
        T(test_threads_never_interleave_text),
        T(test_threads_never_interleave_json),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
