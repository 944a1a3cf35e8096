/*
 * Allocation failures in liblambda-c-metrics (tests/unit/support/alloc_fail.h): a recorder's
 * whole life (new, namespace, dimensions, metrics, properties, flush, free) with its 1st,
 * 2nd, ... allocation failing until it needs no more. Each call answers LAMBDA_OK or
 * LAMBDA_E_NO_MEMORY, nothing leaks (ASan and valgrind run this binary too), and every EMF
 * line that is written is complete, valid JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "core/handler/log_internal.h"
#include "lambda-c/metrics.h"
#include "metrics/metrics_internal.h"
#include "util/json_check.h"

static lambda_code worst;   /* the first non-OK answer of a run */
static unsigned long run_n; /* the allocation to fail */
static int run_failed;      /* whether it did */

static void note(lambda_code rc)
{
    if (rc != LAMBDA_OK && worst == LAMBDA_OK)
        worst = rc;
}

static void recorder_life(void)
{
    worst = LAMBDA_OK;
    af_fail_at(run_n);
    lambda_metrics *m = NULL;
    lambda_code rc = lambda_metrics_new("Shop", &m);
    note(rc);
    if (rc == LAMBDA_OK) {
        note(lambda_metrics_set_namespace(m, "Shop/Orders"));
        note(lambda_metrics_add_dimension(m, "Service", "orders"));
        const char *names[] = { "Service", "Operation" };
        const char *values[] = { "orders", "checkout" };
        note(lambda_metrics_add_dimension_set(m, names, values, 2));
        for (int i = 0; i < 3; i++)
            note(lambda_metrics_put(m, "Latency", 12.5 + i, "Milliseconds"));
        note(lambda_metrics_put_resolution(m, "Fast", 1, "Count", 1));
        note(lambda_metrics_set_property_string(m, "requestId", "req-\xff"));
        json_object *v = json_object_new_object();
        if (v)
            note(lambda_metrics_set_property(m, "Detail", v));
        else
            note(LAMBDA_E_NO_MEMORY);
        note(lambda_metrics_flush(m));
        lambda_metrics_free(m);
    } else {
        assert_null(m);
    }
    run_failed = af_disarm();
}

static void test_recorder_life(void **state)
{
    (void)state;
    int out = memfd_create("emf", 0);
    assert_true(out >= 0);
    AF_LOOP(n)
    {
        assert_int_equal(ftruncate(out, 0), 0);
        int saved = dup(1);
        dup2(out, 1);
        run_n = n;
        recorder_life();
        dup2(saved, 1);
        close(saved);
        if (!run_failed)
            assert_int_equal(worst, LAMBDA_OK);
        else if (worst != LAMBDA_OK && worst != LAMBDA_E_NO_MEMORY)
            fail_msg("allocation %lu failing: %d, expected LAMBDA_E_NO_MEMORY", n, worst);
        /* What was written: whole lines of valid JSON only. */
        off_t len = lseek(out, 0, SEEK_END);
        char *text = calloc(1, (size_t)len + 1);
        assert_non_null(text);
        assert_int_equal(pread(out, text, (size_t)len, 0), len);
        for (char *line = text, *nl; *line; line = nl + 1) {
            nl = strchr(line, '\n');
            assert_non_null(nl);
            size_t offset;
            const char *why;
            if (!lc_json_syntax_check(line, (size_t)(nl - line), 256, &offset, &why))
                fail_msg("allocation %lu failing: an EMF line that is not JSON: %.*s", n,
                         (int)(nl - line), line);
        }
        if (!run_failed)
            assert_true(len > 0);
        free(text);
    }
    close(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorder_life),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "allocation-failure runs: %lu\n", af_runs);
    return failed;
}
