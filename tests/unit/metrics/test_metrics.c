/*
 * The EMF recorder (lambda-c/metrics.h): every line written to stdout is captured and
 * checked against the shape the CloudWatch Embedded Metric Format specification requires.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lambda-c/metrics.h"
#include "core/handler/log_internal.h"
#include "metrics/metrics_internal.h"
#include "test_support.h"

#include <json-c/json.h>
#include <math.h>

/* ------------------------------------------------------------------ stdout capture */

typedef struct out_capture {
    int active;
    int saved_fd;
    int read_fd;
    pthread_t thread;
    char *buf;
    size_t len;
} out_capture;

static out_capture g_out;

static void *out_capture_main(void *arg)
{
    out_capture *c = arg;
    char chunk[8192];
    for (;;) {
        ssize_t n = read(c->read_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        ts_append(&c->buf, &c->len, chunk, (size_t)n);
    }
    return NULL;
}

/* From now on, whatever is written to fd 1 is collected in memory. */
static void out_begin(void)
{
    out_capture *c = &g_out;
    memset(c, 0, sizeof *c);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        abort();
    fflush(stdout);
    c->saved_fd = dup(STDOUT_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    c->read_fd = fds[0];
    c->buf = ts_memdup("", 0);
    if (pthread_create(&c->thread, NULL, out_capture_main, c) != 0)
        abort();
    c->active = 1;
}

/* Restores fd 1 and returns what was written meanwhile (malloc'd, NUL-terminated). */
static char *out_end(void)
{
    out_capture *c = &g_out;
    if (!c->active)
        return NULL;
    fflush(stdout);
    dup2(c->saved_fd, STDOUT_FILENO); /* closes the pipe's last write end */
    close(c->saved_fd);
    pthread_join(c->thread, NULL);
    close(c->read_fd);
    c->active = 0;
    char *out = c->buf;
    c->buf = NULL;
    return out;
}

/* ------------------------------------------------------------------ EMF validation */

static const char *const units[] = { "Seconds",
                                     "Microseconds",
                                     "Milliseconds",
                                     "Bytes",
                                     "Kilobytes",
                                     "Megabytes",
                                     "Gigabytes",
                                     "Terabytes",
                                     "Bits",
                                     "Kilobits",
                                     "Megabits",
                                     "Gigabits",
                                     "Terabits",
                                     "Percent",
                                     "Count",
                                     "Bytes/Second",
                                     "Kilobytes/Second",
                                     "Megabytes/Second",
                                     "Gigabytes/Second",
                                     "Terabytes/Second",
                                     "Bits/Second",
                                     "Kilobits/Second",
                                     "Megabits/Second",
                                     "Gigabits/Second",
                                     "Terabits/Second",
                                     "Count/Second",
                                     "None" };

static int is_unit(const char *s)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s, units[i]) == 0)
            return 1;
    return 0;
}

static int is_number(json_object *v)
{
    return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* Fails unless obj has only members among the NULL-terminated allowed names. */
static void assert_only_members(json_object *obj, const char *what, ...)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        int known = 0;
        va_list args;
        va_start(args, what);
        for (const char *name; (name = va_arg(args, const char *)) != NULL;)
            if (strcmp(key, name) == 0)
                known = 1;
        va_end(args);
        if (!known)
            fail_msg("%s has an unexpected member \"%s\"", what, key);
    }
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/*
 * Parses one line (without its '\n') and checks the EMF document structure:
 *   root object; "_aws" object with exactly an integer "Timestamp" and a non-empty
 *   "CloudWatchMetrics" array of MetricDirectives, each with exactly "Namespace" (non-empty
 *   string), "Dimensions" (array of arrays of at most 30 strings) and "Metrics" (1..100
 *   MetricDefinitions {Name, Unit?, StorageResolution?}, names unique); every dimension
 *   referenced is a root string, every metric a root number or array of 1..100 numbers,
 *   and no name is both.
 * Returns the parsed root (the caller puts it).
 */
static json_object *validate_emf(const char *line)
{
    assert_null(strchr(line, '\n'));
    json_tokener *tok = json_tokener_new();
    json_object *root = json_tokener_parse_ex(tok, line, (int)strlen(line));
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || err != json_tokener_success || used != strlen(line))
        fail_msg("not one JSON document: %.300s", line);
    assert_true(json_object_is_type(root, json_type_object));

    json_object *aws, *ts, *directives;
    assert_true(json_object_object_get_ex(root, "_aws", &aws));
    assert_true(json_object_is_type(aws, json_type_object));
    assert_only_members(aws, "_aws", "Timestamp", "CloudWatchMetrics", NULL);
    assert_true(json_object_object_get_ex(aws, "Timestamp", &ts));
    assert_true(json_object_is_type(ts, json_type_int));
    assert_true(json_object_get_int64(ts) >= 0);
    assert_true(json_object_object_get_ex(aws, "CloudWatchMetrics", &directives));
    assert_true(json_object_is_type(directives, json_type_array));
    assert_true(json_object_array_length(directives) >= 1);

    for (size_t d = 0; d < json_object_array_length(directives); d++) {
        json_object *dir = json_object_array_get_idx(directives, d), *ns, *dims, *metrics;
        assert_true(json_object_is_type(dir, json_type_object));
        assert_only_members(dir, "MetricDirective", "Namespace", "Dimensions", "Metrics", NULL);
        assert_true(json_object_object_get_ex(dir, "Namespace", &ns));
        assert_true(json_object_is_type(ns, json_type_string));
        assert_true(json_object_get_string_len(ns) > 0);
        assert_true(json_object_get_string_len(ns) <= 255);

        assert_true(json_object_object_get_ex(dir, "Dimensions", &dims));
        assert_true(json_object_is_type(dims, json_type_array));
        for (size_t s = 0; s < json_object_array_length(dims); s++) {
            json_object *set = json_object_array_get_idx(dims, s);
            assert_true(json_object_is_type(set, json_type_array));
            assert_true(json_object_array_length(set) <= 30);
            for (size_t k = 0; k < json_object_array_length(set); k++) {
                json_object *name = json_object_array_get_idx(set, k), *value;
                assert_true(json_object_is_type(name, json_type_string));
                if (!json_object_object_get_ex(root, json_object_get_string(name), &value))
                    fail_msg("dimension %s is not a root member", json_object_get_string(name));
                assert_true(json_object_is_type(value, json_type_string));
            }
        }

        assert_true(json_object_object_get_ex(dir, "Metrics", &metrics));
        assert_true(json_object_is_type(metrics, json_type_array));
        size_t n = json_object_array_length(metrics);
        assert_true(n >= 1);
        assert_true(n <= 100);
        for (size_t i = 0; i < n; i++) {
            json_object *def = json_object_array_get_idx(metrics, i), *name, *unit, *res, *v;
            assert_true(json_object_is_type(def, json_type_object));
            assert_only_members(def, "MetricDefinition", "Name", "Unit", "StorageResolution", NULL);
            assert_true(json_object_object_get_ex(def, "Name", &name));
            assert_true(json_object_is_type(name, json_type_string));
            const char *metric = json_object_get_string(name);
            assert_true(*metric);
            assert_true(utf8_chars(metric) <= 255);
            for (size_t j = 0; j < i; j++) {
                json_object *other;
                json_object_object_get_ex(json_object_array_get_idx(metrics, j), "Name", &other);
                assert_string_not_equal(metric, json_object_get_string(other));
            }
            if (json_object_object_get_ex(def, "Unit", &unit)) {
                assert_true(json_object_is_type(unit, json_type_string));
                assert_true(is_unit(json_object_get_string(unit)));
            }
            if (json_object_object_get_ex(def, "StorageResolution", &res)) {
                assert_true(json_object_is_type(res, json_type_int));
                int r = json_object_get_int(res);
                assert_true(r == 1 || r == 60);
            }
            if (!json_object_object_get_ex(root, metric, &v))
                fail_msg("metric %s is not a root member", metric);
            if (json_object_is_type(v, json_type_array)) {
                size_t count = json_object_array_length(v);
                assert_true(count >= 1);
                assert_true(count <= 100);
                for (size_t k = 0; k < count; k++)
                    assert_true(is_number(json_object_array_get_idx(v, k)));
            } else {
                assert_true(is_number(v));
            }
            /* A metric is not a dimension too. */
            for (size_t s = 0; s < json_object_array_length(dims); s++) {
                json_object *set = json_object_array_get_idx(dims, s);
                for (size_t k = 0; k < json_object_array_length(set); k++)
                    assert_string_not_equal(
                        metric, json_object_get_string(json_object_array_get_idx(set, k)));
            }
        }
    }
    return root;
}

/* The lines of out (each ending in '\n'), parsed and validated; *count gets how many. */
static json_object **validate_output(const char *out, size_t *count)
{
    size_t n = 0, cap = 0;
    json_object **docs = NULL;
    const char *p = out;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            fail_msg("the output does not end with a newline: %.200s", p);
        char *line = ts_memdup(p, (size_t)(nl - p));
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            docs = realloc(docs, cap * sizeof *docs);
            if (!docs)
                abort();
        }
        docs[n++] = validate_emf(line);
        free(line);
        p = nl + 1;
    }
    *count = n;
    return docs;
}

static void docs_free(json_object **docs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        json_object_put(docs[i]);
    free(docs);
}

static json_object *directive_of(json_object *doc)
{
    json_object *aws, *dirs;
    json_object_object_get_ex(doc, "_aws", &aws);
    json_object_object_get_ex(aws, "CloudWatchMetrics", &dirs);
    return json_object_array_get_idx(dirs, 0);
}

static json_object *member(json_object *obj, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, name, &v))
        fail_msg("no member %s", name);
    return v;
}

static size_t metric_count_of(json_object *doc)
{
    return json_object_array_length(member(directive_of(doc), "Metrics"));
}

/* The MetricDefinition called name in doc, or NULL. */
static json_object *definition_of(json_object *doc, const char *name)
{
    json_object *metrics = member(directive_of(doc), "Metrics");
    for (size_t i = 0; i < json_object_array_length(metrics); i++) {
        json_object *def = json_object_array_get_idx(metrics, i);
        if (strcmp(json_object_get_string(member(def, "Name")), name) == 0)
            return def;
    }
    return NULL;
}

/* Flushes m with stdout captured; returns the validated lines. */
static json_object **flush_captured(lambda_metrics *m, lambda_code expect, size_t *count)
{
    out_begin();
    lambda_code rc = lambda_metrics_flush(m);
    char *out = out_end();
    assert_int_equal(rc, expect);
    json_object **docs = validate_output(out, count);
    free(out);
    return docs;
}

/* ------------------------------------------------------------------ fixtures */

static int setup(void **state)
{
    (void)state;
    unsetenv("AWS_LAMBDA_LOG_FORMAT");
    unsetenv("AWS_LAMBDA_MAX_CONCURRENCY");
    unsetenv("AWS_LAMBDA_LOG_LEVEL");
    lc_log_reload_settings();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(out_end()); /* a failed assertion may have left a capture running */
    lc_metrics_discard_current();
    return 0;
}

/* ------------------------------------------------------------------ tests */

static void test_basic_line(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Shop", &m), LAMBDA_OK);
    assert_string_equal(lambda_metrics_namespace(m), "Shop");
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "orders"), LAMBDA_OK);
    const char *names[] = { "Service", "Operation" };
    const char *values[] = { "orders", "checkout" };
    assert_int_equal(lambda_metrics_add_dimension_set(m, names, values, 2), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Latency", 12.5, LAMBDA_UNIT_MILLISECONDS), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Items", 3, LAMBDA_UNIT_COUNT), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Ratio", 0.25, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_count(m), 3);

    int64_t before = ts_now_ms();
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    int64_t after = ts_now_ms();
    assert_int_equal(n, 1);
    json_object *doc = docs[0], *dir = directive_of(doc);
    int64_t ts = json_object_get_int64(member(member(doc, "_aws"), "Timestamp"));
    assert_true(ts >= before && ts <= after);
    assert_string_equal(json_object_get_string(member(dir, "Namespace")), "Shop");
    assert_string_equal(
        json_object_to_json_string_ext(member(dir, "Dimensions"), JSON_C_TO_STRING_PLAIN),
        "[[\"Service\"],[\"Service\",\"Operation\"]]");
    assert_string_equal(json_object_get_string(member(doc, "Service")), "orders");
    assert_string_equal(json_object_get_string(member(doc, "Operation")), "checkout");
    assert_true(json_object_get_double(member(doc, "Latency")) == 12.5);
    assert_true(json_object_get_double(member(doc, "Items")) == 3);
    assert_string_equal(json_object_get_string(member(definition_of(doc, "Latency"), "Unit")),
                        "Milliseconds");
    assert_string_equal(json_object_get_string(member(definition_of(doc, "Items"), "Unit")),
                        "Count");
    /* No unit given: no Unit member; standard resolution: no StorageResolution. */
    assert_false(json_object_object_get_ex(definition_of(doc, "Ratio"), "Unit", NULL));
    assert_false(json_object_object_get_ex(definition_of(doc, "Ratio"), "StorageResolution", NULL));
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_no_dimensions_is_one_empty_set(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("NS", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Hits", 1, LAMBDA_UNIT_COUNT), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_string_equal(json_object_to_json_string_ext(member(directive_of(docs[0]), "Dimensions"),
                                                       JSON_C_TO_STRING_PLAIN),
                        "[[]]");
    docs_free(docs, n);
    lambda_metrics_free(m);
}

/* n metrics named M0..M(n-1), one value each: lines of at most 100 metrics, all present once. */
static void check_split(size_t total, size_t expect_lines)
{
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Split", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "s"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "requestId", "r-1"), LAMBDA_OK);
    for (size_t i = 0; i < total; i++) {
        char name[32];
        snprintf(name, sizeof name, "M%zu", i);
        assert_int_equal(lambda_metrics_put(m, name, (double)i, LAMBDA_UNIT_COUNT), LAMBDA_OK);
    }
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, expect_lines);
    unsigned char *seen = calloc(total, 1);
    size_t sum = 0;
    for (size_t l = 0; l < n; l++) {
        size_t count = metric_count_of(docs[l]);
        assert_true(count <= 100);
        /* Every line but the last is full. */
        assert_int_equal(count, l + 1 < n ? 100 : total - 100 * (n - 1));
        sum += count;
        /* Namespace, dimensions and properties are repeated in every line. */
        assert_string_equal(json_object_get_string(member(docs[l], "Service")), "s");
        assert_string_equal(json_object_get_string(member(docs[l], "requestId")), "r-1");
        json_object *metrics = member(directive_of(docs[l]), "Metrics");
        for (size_t i = 0; i < count; i++) {
            const char *name =
                json_object_get_string(member(json_object_array_get_idx(metrics, i), "Name"));
            size_t idx = (size_t)strtoul(name + 1, NULL, 10);
            assert_true(idx < total);
            assert_false(seen[idx]);
            seen[idx] = 1;
            assert_true(json_object_get_double(member(docs[l], name)) == (double)idx);
        }
    }
    assert_int_equal(sum, total);
    free(seen);
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_split_100(void **state)
{
    (void)state;
    check_split(100, 1);
}

static void test_split_101(void **state)
{
    (void)state;
    check_split(101, 2);
}

static void test_split_250(void **state)
{
    (void)state;
    check_split(250, 3);
}

static void test_dimension_limit(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Dims", &m), LAMBDA_OK);
    char name_buf[31][16], value_buf[31][16];
    const char *names[31], *values[31];
    for (int i = 0; i < 31; i++) {
        snprintf(name_buf[i], sizeof name_buf[i], "D%d", i);
        snprintf(value_buf[i], sizeof value_buf[i], "v%d", i);
        names[i] = name_buf[i];
        values[i] = value_buf[i];
    }
    assert_int_equal(lambda_metrics_add_dimension_set(m, names, values, 31),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension_set(m, names, values, 30), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "X", 1, NULL), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    json_object *dims = member(directive_of(docs[0]), "Dimensions");
    assert_int_equal(json_object_array_length(dims), 1);
    assert_int_equal(json_object_array_length(json_object_array_get_idx(dims, 0)), 30);
    assert_false(
        json_object_object_get_ex(docs[0], "D30", NULL)); /* the rejected set left nothing */
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_dimension_rules(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Dims", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "a"), LAMBDA_OK);
    /* Same set again: nothing added. */
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "a"), LAMBDA_OK);
    /* One value per name in a line. */
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "b"), LAMBDA_E_INVALID_ARGUMENT);
    const char *dup_names[] = { "A", "A" }, *dup_values[] = { "1", "1" };
    assert_int_equal(lambda_metrics_add_dimension_set(m, dup_names, dup_values, 2),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "", "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "   ", "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, ":x", "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "_aws", "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Name", ""), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Name", "caf\xc3\xa9"),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Name", "a\nb"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, NULL, "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Name", NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension_set(m, NULL, NULL, 1), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension_set(NULL, NULL, NULL, 0),
                     LAMBDA_E_INVALID_ARGUMENT);
    char long_name[257], long_value[1026];
    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    memset(long_value, 'v', 1025);
    long_value[1025] = '\0';
    assert_int_equal(lambda_metrics_add_dimension(m, long_name, "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Long", long_value),
                     LAMBDA_E_INVALID_ARGUMENT);
    long_name[255] = '\0';
    long_value[1024] = '\0';
    assert_int_equal(lambda_metrics_add_dimension(m, long_name, "x"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Long", long_value), LAMBDA_OK);
    /* The empty set adds the metrics without dimensions next to the others. */
    assert_int_equal(lambda_metrics_add_dimension_set(m, NULL, NULL, 0), LAMBDA_OK);

    /* Root names are shared: a metric or property cannot reuse a dimension name... */
    assert_int_equal(lambda_metrics_put(m, "Service", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_set_property_string(m, "Service", "x"),
                     LAMBDA_E_INVALID_ARGUMENT);
    /* ...nor a dimension a metric or property name. */
    assert_int_equal(lambda_metrics_put(m, "Calls", 1, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "Owner", "me"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Calls", "x"), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_add_dimension(m, "Owner", "x"), LAMBDA_E_INVALID_ARGUMENT);

    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    json_object *dims = member(directive_of(docs[0]), "Dimensions");
    assert_int_equal(json_object_array_length(dims), 4);
    assert_int_equal(json_object_array_length(json_object_array_get_idx(dims, 3)), 0);
    assert_string_equal(json_object_get_string(member(docs[0], "Long")), long_value);
    docs_free(docs, n);

    /* clear_dimensions: the name may take another value now. */
    lambda_metrics_clear_dimensions(m);
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "b"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Calls", 2, NULL), LAMBDA_OK);
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_string_equal(json_object_get_string(member(docs[0], "Service")), "b");
    assert_false(json_object_object_get_ex(docs[0], "Long", NULL));
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_high_resolution(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("HR", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put_resolution(m, "Fast", 1, LAMBDA_UNIT_SECONDS,
                                                   LAMBDA_METRICS_RESOLUTION_HIGH),
                     LAMBDA_OK);
    assert_int_equal(lambda_metrics_put_resolution(m, "Slow", 2, LAMBDA_UNIT_SECONDS,
                                                   LAMBDA_METRICS_RESOLUTION_STANDARD),
                     LAMBDA_OK);
    /* A metric keeps its resolution and unit. */
    assert_int_equal(lambda_metrics_put(m, "Fast", 3, LAMBDA_UNIT_SECONDS),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put_resolution(m, "Fast", 3, LAMBDA_UNIT_MILLISECONDS,
                                                   LAMBDA_METRICS_RESOLUTION_HIGH),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put_resolution(m, "Other", 1, NULL, 5),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put_resolution(m, "Other", 1, NULL, 0),
                     LAMBDA_E_INVALID_ARGUMENT);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_int_equal(
        json_object_get_int(member(definition_of(docs[0], "Fast"), "StorageResolution")), 1);
    assert_false(
        json_object_object_get_ex(definition_of(docs[0], "Slow"), "StorageResolution", NULL));
    assert_null(definition_of(docs[0], "Other"));
    assert_true(json_object_get_double(member(docs[0], "Fast")) == 1);
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_multiple_values(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Multi", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Latency", 10, LAMBDA_UNIT_MILLISECONDS), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Latency", 20.5, LAMBDA_UNIT_MILLISECONDS), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Latency", 10, LAMBDA_UNIT_MILLISECONDS), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Once", 7, NULL), LAMBDA_OK);
    /* Another unit for the same metric is refused. */
    assert_int_equal(lambda_metrics_put(m, "Latency", 1, LAMBDA_UNIT_SECONDS),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "Latency", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_count(m), 2);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_string_equal(
        json_object_to_json_string_ext(member(docs[0], "Latency"), JSON_C_TO_STRING_PLAIN),
        "[10,20.5,10]");
    assert_true(is_number(member(docs[0], "Once")));
    docs_free(docs, n);

    /* 250 values of one metric and one value of another: at most 100 values per line. */
    for (int i = 0; i < 250; i++)
        assert_int_equal(lambda_metrics_put(m, "Many", i, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Single", -1, NULL), LAMBDA_OK);
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 3);
    int next = 0;
    for (size_t l = 0; l < n; l++) {
        json_object *v = member(docs[l], "Many");
        assert_true(json_object_is_type(v, json_type_array));
        assert_int_equal(json_object_array_length(v), l < 2 ? 100 : 50);
        for (size_t k = 0; k < json_object_array_length(v); k++)
            assert_int_equal(json_object_get_int(json_object_array_get_idx(v, k)), next++);
        assert_int_equal(metric_count_of(docs[l]), l == 0 ? 2 : 1);
    }
    assert_int_equal(next, 250);
    assert_true(json_object_get_double(member(docs[0], "Single")) == -1);
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_full_precision(void **state)
{
    (void)state;
    const double values[] = { 0.1,
                              1.0 / 3,
                              123456789.123456789,
                              1e-300,
                              -2.5e100,
                              9007199254740993.0,
                              4.9406564584124654e-324,
                              1e21,
                              -0.0,
                              ldexp(1.0, 360),
                              -ldexp(1.0, 360),
                              6.02214076e23 };
    const size_t count = sizeof values / sizeof values[0];
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Precision", &m), LAMBDA_OK);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(lambda_metrics_put(m, "V", values[i], NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Short", 0.1, NULL), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    json_object *arr = member(docs[0], "V");
    assert_int_equal(json_object_array_length(arr), count);
    for (size_t i = 0; i < count; i++) {
        double got = json_object_get_double(json_object_array_get_idx(arr, i));
        if (got != values[i])
            fail_msg("value %zu: wrote %.17g, read back %.17g", i, values[i], got);
    }
    /* The shortest exact form, not json-c's 17 digits. */
    assert_string_equal(json_object_to_json_string(member(docs[0], "Short")), "0.1");
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_invalid_values_and_units(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Bad", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "X", NAN, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "X", INFINITY, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "X", -INFINITY, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "X", nextafter(ldexp(1.0, 360), INFINITY), NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "X", 1e300, NULL), LAMBDA_E_INVALID_ARGUMENT);
    static const char *const bad_units[] = { "ms", "count",        "Millisecond", "Milliseconds ",
                                             "",   "Count/Minute", "Bytes/second" };
    for (size_t i = 0; i < sizeof bad_units / sizeof bad_units[0]; i++) {
        assert_int_equal(lambda_metrics_put(m, "X", 1, bad_units[i]), LAMBDA_E_INVALID_ARGUMENT);
        assert_false(lambda_metrics_unit_valid(bad_units[i]));
    }
    assert_false(lambda_metrics_unit_valid(NULL));
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        assert_true(lambda_metrics_unit_valid(units[i]));
    /* Names. */
    char name[300];
    memset(name, 'a', 256);
    name[256] = '\0';
    assert_int_equal(lambda_metrics_put(m, name, 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    name[255] = '\0';
    assert_int_equal(lambda_metrics_put(m, name, 1, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, NULL, 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "_aws", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "a\tb", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "\xff\xfe", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "Caf\xc3\xa9 latency", 1, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(NULL, "X", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_count(m), 2);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_false(json_object_object_get_ex(docs[0], "X", NULL));
    assert_true(json_object_object_get_ex(docs[0], "Caf\xc3\xa9 latency", NULL));
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_long_utf8_metric_name(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Names", &m), LAMBDA_OK);
    char name[2 * 256 + 1];
    for (int i = 0; i < 256; i++)
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[2 * 256] = '\0';
    assert_int_equal(lambda_metrics_put(m, name, 1, NULL), LAMBDA_E_INVALID_ARGUMENT);
    name[2 * 255] = '\0'; /* 255 characters, 510 bytes */
    assert_int_equal(lambda_metrics_put(m, name, 1, NULL), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_non_null(definition_of(docs[0], name));
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_namespace_rules(void **state)
{
    (void)state;
    lambda_metrics *m = NULL;
    assert_int_equal(lambda_metrics_new("", &m), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(m);
    assert_int_equal(lambda_metrics_new("AWS/Lambda", &m), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_new(":x", &m), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_new("a\nb", &m), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_new("Shop", NULL), LAMBDA_E_INVALID_ARGUMENT);
    char ns[257];
    memset(ns, 'n', 256);
    ns[256] = '\0';
    assert_int_equal(lambda_metrics_new(ns, &m), LAMBDA_E_INVALID_ARGUMENT);
    ns[255] = '\0';
    assert_int_equal(lambda_metrics_new(ns, &m), LAMBDA_OK);
    lambda_metrics_free(m);

    /* No namespace: flush refuses and keeps the metrics. */
    assert_int_equal(lambda_metrics_new(NULL, &m), LAMBDA_OK);
    assert_null(lambda_metrics_namespace(m));
    assert_int_equal(lambda_metrics_put(m, "X", 1, NULL), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_E_STATE, &n);
    assert_int_equal(n, 0);
    docs_free(docs, n);
    assert_int_equal(lambda_metrics_count(m), 1);
    assert_int_equal(lambda_metrics_set_namespace(m, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_set_namespace(m, "My/App-1.0_#:x"), LAMBDA_OK);
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_string_equal(json_object_get_string(member(directive_of(docs[0]), "Namespace")),
                        "My/App-1.0_#:x");
    docs_free(docs, n);
    lambda_metrics_free(m);
    lambda_metrics_free(NULL);
    assert_int_equal(lambda_metrics_flush(NULL), LAMBDA_E_INVALID_ARGUMENT);
}

/* One thread sets the namespace over and over while another reads it: the pointer from
 * lambda_metrics_namespace never dangles (ASan), and copies are always whole names. */
static void *namespace_setter(void *arg)
{
    lambda_metrics *m = arg;
    for (int i = 0; i < 20000; i++)
        lambda_metrics_set_namespace(m, i % 2 ? "Alpha" : "Bravo-Long-Namespace");
    return NULL;
}

static void test_namespace_is_safe_to_read_while_another_thread_sets_it(void **state)
{
    (void)state;
    lambda_metrics *m = NULL;
    assert_int_equal(lambda_metrics_new("Start", &m), LAMBDA_OK);
    const char *stable = lambda_metrics_namespace(m);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, namespace_setter, m), 0);
    char buf[LAMBDA_METRICS_NAMESPACE_BUFFER];
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(lambda_metrics_copy_namespace(m, buf, sizeof buf), LAMBDA_OK);
        assert_true(strcmp(buf, "Start") == 0 || strcmp(buf, "Alpha") == 0 ||
                    strcmp(buf, "Bravo-Long-Namespace") == 0);
    }
    pthread_join(t, NULL);
    assert_ptr_equal(lambda_metrics_namespace(m), stable); /* the same storage throughout */
    assert_string_equal(stable, "Alpha");
    char small[4];
    assert_int_equal(lambda_metrics_copy_namespace(m, small, sizeof small), LAMBDA_E_TOO_LARGE);
    assert_string_equal(small, "");
    lambda_metrics_free(m);
    assert_int_equal(lambda_metrics_new(NULL, &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_copy_namespace(m, buf, sizeof buf), LAMBDA_E_NOT_FOUND);
    assert_int_equal(lambda_metrics_copy_namespace(NULL, buf, sizeof buf),
                     LAMBDA_E_INVALID_ARGUMENT);
    lambda_metrics_free(m);
}

static void test_properties(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Props", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "requestId", "abc-123"), LAMBDA_OK);
    json_object *detail = json_object_new_object();
    json_object_object_add(detail, "path", json_object_new_string("/orders"));
    json_object_object_add(detail, "status", json_object_new_int(200));
    assert_int_equal(lambda_metrics_set_property(m, "detail", detail), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property(m, "nothing", NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "replaced", "old"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "replaced", "new"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "bytes", "ok\xff"), LAMBDA_OK);
    /* Refused: the reference is still taken (ASan checks it is not leaked). */
    assert_int_equal(lambda_metrics_set_property(m, "_aws", json_object_new_int(1)),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_set_property(m, "", json_object_new_int(1)),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_set_property(NULL, "x", json_object_new_int(1)),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "Count", 1, LAMBDA_UNIT_COUNT), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property(m, "Count", json_object_new_int(1)),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "requestId", 1, NULL), LAMBDA_E_INVALID_ARGUMENT);

    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_string_equal(json_object_get_string(member(docs[0], "requestId")), "abc-123");
    assert_string_equal(
        json_object_to_json_string_ext(member(docs[0], "detail"),
                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"path\":\"/orders\",\"status\":200}");
    assert_null(member(docs[0], "nothing"));
    assert_string_equal(json_object_get_string(member(docs[0], "replaced")), "new");
    assert_string_equal(json_object_get_string(member(docs[0], "bytes")), "ok\xef\xbf\xbd");
    assert_null(definition_of(docs[0], "requestId"));
    docs_free(docs, n);
    lambda_metrics_free(m);
}

static void test_flush_resets(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Reset", &m), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Service", "s"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "owner", "me"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_timestamp(m, 1700000000123), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_timestamp(m, -1), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_metrics_put(m, "A", 1, NULL), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "A", 2, NULL), LAMBDA_OK);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_int_equal(json_object_get_int64(member(member(docs[0], "_aws"), "Timestamp")),
                     1700000000123);
    docs_free(docs, n);
    assert_int_equal(lambda_metrics_count(m), 0);

    /* Nothing recorded since: nothing written. */
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 0);
    docs_free(docs, n);

    /* A new value: only it, with the dimensions and properties kept, at the current time. */
    assert_int_equal(lambda_metrics_put(m, "A", 3, NULL), LAMBDA_OK);
    int64_t before = ts_now_ms();
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_true(json_object_get_int64(member(member(docs[0], "_aws"), "Timestamp")) >= before);
    assert_true(json_object_get_double(member(docs[0], "A")) == 3);
    assert_string_equal(json_object_get_string(member(docs[0], "Service")), "s");
    assert_string_equal(json_object_get_string(member(docs[0], "owner")), "me");
    docs_free(docs, n);

    /* reset drops everything but the namespace. */
    assert_int_equal(lambda_metrics_put(m, "A", 4, NULL), LAMBDA_OK);
    lambda_metrics_reset(m);
    assert_int_equal(lambda_metrics_count(m), 0);
    assert_string_equal(lambda_metrics_namespace(m), "Reset");
    assert_int_equal(lambda_metrics_put(m, "B", 5, NULL), LAMBDA_OK);
    docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, 1);
    assert_false(json_object_object_get_ex(docs[0], "Service", NULL));
    assert_false(json_object_object_get_ex(docs[0], "owner", NULL));
    assert_false(json_object_object_get_ex(docs[0], "A", NULL));
    assert_string_equal(json_object_to_json_string_ext(member(directive_of(docs[0]), "Dimensions"),
                                                       JSON_C_TO_STRING_PLAIN),
                        "[[]]");
    docs_free(docs, n);
    lambda_metrics_reset(NULL);
    lambda_metrics_free(m);
}

static void test_current_recorder(void **state)
{
    (void)state;
    /* Nothing recorded on this thread: the hook writes nothing. */
    lc_metrics_discard_current();
    out_begin();
    lc_metrics_flush_current();
    char *out = out_end();
    assert_string_equal(out, "");
    free(out);

    lambda_metrics *m = lambda_metrics_current();
    assert_non_null(m);
    assert_ptr_equal(lambda_metrics_current(), m);
    assert_null(lambda_metrics_namespace(m));
    lambda_metrics_free(m); /* ignored: the SDK owns it */
    assert_ptr_equal(lambda_metrics_current(), m);

    /* Metrics without a namespace are dropped with a warning on stderr. */
    assert_int_equal(lambda_metrics_put(m, "Lost", 1, NULL), LAMBDA_OK);
    ts_capture err;
    ts_capture_begin(&err);
    out_begin();
    lc_metrics_flush_current();
    out = out_end();
    char *log = ts_capture_end(&err);
    assert_string_equal(out, "");
    assert_non_null(strstr(log, "without a namespace"));
    free(out);
    free(log);
    assert_int_equal(lambda_metrics_count(m), 0);

    /* With a namespace: written at the end of the invocation, then everything is reset. */
    assert_int_equal(lambda_metrics_set_namespace(m, "Current"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_add_dimension(m, "Function", "f"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property_string(m, "requestId", "req-1"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_put(m, "Work", 2, LAMBDA_UNIT_COUNT), LAMBDA_OK);
    out_begin();
    lc_metrics_flush_current();
    out = out_end();
    size_t n;
    json_object **docs = validate_output(out, &n);
    free(out);
    assert_int_equal(n, 1);
    assert_string_equal(json_object_get_string(member(directive_of(docs[0]), "Namespace")),
                        "Current");
    assert_string_equal(json_object_get_string(member(docs[0], "requestId")), "req-1");
    docs_free(docs, n);
    assert_ptr_equal(lambda_metrics_current(), m);
    assert_null(lambda_metrics_namespace(m));
    assert_int_equal(lambda_metrics_count(m), 0);
    /* The next invocation may use the same names with other values. */
    assert_int_equal(lambda_metrics_add_dimension(m, "Function", "g"), LAMBDA_OK);
    assert_int_equal(lambda_metrics_set_property(m, "Work", NULL), LAMBDA_OK);
    lc_metrics_flush_current();
}

/* ------------------------------------------------------------------ concurrency */

#define THREADS 4
#define ROUNDS 25
#define THREAD_METRICS 150

typedef struct worker {
    int id;
    int failures;
    pthread_barrier_t *start;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    char ns[32];
    snprintf(ns, sizeof ns, "Thread%d", w->id);
    for (int r = 0; r < ROUNDS; r++) {
        /* An explicit recorder: 150 metrics with long names, i.e. two lines of several KiB,
         * beyond the pipe's atomic-write size. */
        lambda_metrics *m;
        if (lambda_metrics_new(ns, &m) != LAMBDA_OK) {
            w->failures++;
            continue;
        }
        lambda_metrics_set_property(m, "thread", json_object_new_int(w->id));
        lambda_metrics_add_dimension(m, "Worker", ns);
        for (int i = 0; i < THREAD_METRICS; i++) {
            char name[128];
            snprintf(name, sizeof name, "t%d_metric_with_a_rather_long_name_to_fill_the_line_%03d",
                     w->id, i);
            if (lambda_metrics_put(m, name, r * 1000 + i, LAMBDA_UNIT_COUNT) != LAMBDA_OK)
                w->failures++;
        }
        if (lambda_metrics_flush(m) != LAMBDA_OK)
            w->failures++;
        lambda_metrics_free(m);

        /* The thread's current recorder, flushed as the runtime does after an invocation. */
        lambda_metrics *cur = lambda_metrics_current();
        if (!cur || lambda_metrics_set_namespace(cur, ns) != LAMBDA_OK ||
            lambda_metrics_set_property(cur, "thread", json_object_new_int(w->id)) != LAMBDA_OK) {
            w->failures++;
            continue;
        }
        char name[32];
        snprintf(name, sizeof name, "t%d_current", w->id);
        lambda_metrics_put(cur, name, r, NULL);
        lc_metrics_flush_current();
    }
    return NULL; /* the thread's current recorder is freed when the thread ends */
}

static void test_concurrent_recorders(void **state)
{
    (void)state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    worker workers[THREADS];
    pthread_t threads[THREADS];
    out_begin();
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){ .id = i, .start = &start };
        assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    char *out = out_end();
    pthread_barrier_destroy(&start);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(workers[i].failures, 0);

    size_t n;
    json_object **docs = validate_output(out, &n);
    free(out);
    assert_int_equal(n, THREADS * ROUNDS * 3);
    size_t per_thread[THREADS] = { 0 };
    size_t long_lines = 0;
    for (size_t l = 0; l < n; l++) {
        int id = json_object_get_int(member(docs[l], "thread"));
        assert_true(id >= 0 && id < THREADS);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "t%d_", id);
        /* Every metric of the line belongs to the thread the line says it comes from. */
        json_object *metrics = member(directive_of(docs[l]), "Metrics");
        for (size_t i = 0; i < json_object_array_length(metrics); i++) {
            const char *name =
                json_object_get_string(member(json_object_array_get_idx(metrics, i), "Name"));
            assert_int_equal(strncmp(name, prefix, strlen(prefix)), 0);
            per_thread[id]++;
        }
        if (strlen(json_object_to_json_string(docs[l])) > 4096)
            long_lines++;
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(per_thread[i], ROUNDS * (THREAD_METRICS + 1));
    assert_true(long_lines >= THREADS * ROUNDS); /* the test did exercise non-atomic writes */
    docs_free(docs, n);
}

/* One recorder shared by several threads of one invocation. */
static void *sharer_main(void *arg)
{
    lambda_metrics *m = arg;
    for (int i = 0; i < 500; i++)
        lambda_metrics_put(m, "Shared", i, LAMBDA_UNIT_COUNT);
    return NULL;
}

static void test_shared_recorder(void **state)
{
    (void)state;
    lambda_metrics *m;
    assert_int_equal(lambda_metrics_new("Shared", &m), LAMBDA_OK);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, sharer_main, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    size_t n;
    json_object **docs = flush_captured(m, LAMBDA_OK, &n);
    assert_int_equal(n, THREADS * 500 / 100);
    for (size_t l = 0; l < n; l++)
        assert_int_equal(json_object_array_length(member(docs[l], "Shared")), 100);
    docs_free(docs, n);
    lambda_metrics_free(m);
}

int main(void)
{
    ts_watchdog(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_dimensions_is_one_empty_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_100, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_101, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_250, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dimension_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dimension_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_high_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_values_and_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_utf8_metric_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespace_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespace_is_safe_to_read_while_another_thread_sets_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_properties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_recorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_recorders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_recorder, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
