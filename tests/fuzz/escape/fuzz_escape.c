/*
 * Handler strings escaped into JSON: Lambda's error JSON (lc_error_json_build), JSON log
 * records (AWS_LAMBDA_LOG_FORMAT=JSON, with the Runtime API's request and tenant ids) and
 * EMF lines (metric names, dimensions, properties). The input is split at NUL bytes into the
 * strings. Every line written must be one JSON document in valid UTF-8, whatever bytes the
 * strings held; the work is linear.
 */
#include "fuzz_support.h"

#include <sys/mman.h>
#include <unistd.h>

#include "core/handler/log_internal.h"
#include "core/runtime/invocation.h"
#include "lambda-c/log.h"
#include "lambda-c/metrics.h"

/* Up to 8 NUL-separated strings of the input (missing ones are ""). */
static size_t split(char *s, size_t size, const char *part[8])
{
    size_t n = 0;
    part[n++] = s;
    for (size_t i = 0; i < size && n < 8; i++)
        if (s[i] == '\0')
            part[n++] = s + i + 1;
    for (size_t i = n; i < 8; i++)
        part[i] = "";
    return n;
}

static int capture_fd = -1;

/* Runs fn with fd (1 or 2) going to a memory file; checks every line is valid JSON. */
static void check_lines(int fd, void (*fn)(const char **), const char **part)
{
    if (capture_fd < 0 && (capture_fd = memfd_create("fuzz-capture", 0)) < 0)
        abort();
    if (ftruncate(capture_fd, 0) != 0 || lseek(capture_fd, 0, SEEK_SET) != 0)
        abort();
    int saved = dup(fd);
    dup2(capture_fd, fd);
    fn(part);
    dup2(saved, fd);
    close(saved);
    off_t len = lseek(capture_fd, 0, SEEK_END);
    if (len <= 0)
        return;
    char *out = malloc((size_t)len + 1);
    if (!out || pread(capture_fd, out, (size_t)len, 0) != len)
        abort();
    out[len] = '\0';
    for (char *line = out, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        FZ_CHECK(nl != NULL); /* every record ends with a line break */
        FZ_CHECK(fz_valid_json(line, (size_t)(nl - line)));
    }
    free(out);
}

static void log_records(const char **p)
{
    lc_log_set_invocation(p[0], p[1]);
    lambda_log(LAMBDA_LOG_INFO, "%s", p[2]);
    lc_log_unhandled_error(p[3], p[4], (char *const *)&p[5], 3);
    lc_log_set_invocation(NULL, NULL);
}

static void emf_line(const char **p)
{
    lambda_metrics *m;
    if (lambda_metrics_new("Fuzz", &m) != LAMBDA_OK)
        abort();
    lambda_metrics_set_namespace(m, p[0]);
    lambda_metrics_add_dimension(m, p[1], p[2]);
    lambda_metrics_put(m, p[3], 1.5, p[4]);
    lambda_metrics_put(m, "Count", 1, "Count");
    lambda_metrics_set_property_string(m, p[5], p[6]);
    lambda_metrics_set_property(m, "Raw", json_object_new_string(p[7]));
    lambda_metrics_flush(m);
    lambda_metrics_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        setenv("AWS_LAMBDA_LOG_FORMAT", "JSON", 1);
        setenv("AWS_LAMBDA_LOG_LEVEL", "TRACE", 1);
        lc_log_reload_settings();
        once = 1;
    }
    char *s = fz_string(data, size);
    const char *part[8];
    split(s, size, part);

    uint64_t start = fz_work();
    size_t len;
    char *json = lc_error_json_build(part[0], part[1], (char *const *)&part[2], 6, &len);
    fz_linear("lc_error_json_build", fz_work() - start, size, 20000, 40, 0);
    FZ_CHECK(json && fz_valid_json(json, len));
    free(json);

    start = fz_work();
    check_lines(2, log_records, part);
    check_lines(1, emf_line, part);
    (void)start;
    free(s);
    return 0;
}
