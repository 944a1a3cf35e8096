/*
 * Allocation failures in liblambda-c-events (tests/unit/support/alloc_fail.h): every public
 * entry point that allocates runs with its 1st, 2nd, ... allocation failing until it needs
 * no more, over the sample events of tests/events/. Each run must answer LAMBDA_OK (when no
 * allocation failed, or the failure was survivable) or LAMBDA_E_NO_MEMORY, leave *out NULL
 * on failure, and free everything (ASan and valgrind run this binary too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc_fail.h"
#include "event_test_support.h"
#include "lambda-c/event_dynamodb.h"
#include "lambda-c/event_eventbridge.h"
#include "lambda-c/event_http.h"
#include "lambda-c/event_kinesis.h"
#include "lambda-c/event_s3.h"
#include "lambda-c/event_sns.h"
#include "lambda-c/event_sqs.h"

/* rc is the answer of a run in which an allocation failed (failed) or not. */
static void assert_clean(lambda_code rc, int failed, unsigned long n, const char *what)
{
    if (!failed && rc != LAMBDA_OK)
        fail_msg("%s: %d without any allocation failing", what, rc);
    if (failed && rc != LAMBDA_OK && rc != LAMBDA_E_NO_MEMORY)
        fail_msg("%s with allocation %lu failing: %d, expected LAMBDA_E_NO_MEMORY", what, n, rc);
}

/* Parse + every allocating accessor of an HTTP request, then the response builder. */
static lambda_code http_run(json_object *root)
{
    lambda_http_request *req;
    lambda_code rc = lambda_http_request_parse(root, &req);
    if (rc)
        return rc;
    const void *body;
    size_t size;
    lambda_code brc = lambda_http_request_body(req, &body, &size);
    if (brc == LAMBDA_E_NO_MEMORY)
        rc = brc;
    lambda_http_response *res = NULL;
    if (!rc)
        rc = lambda_http_response_new_for(req, &res);
    if (!rc)
        rc = lambda_http_response_set_status(res, 201);
    if (!rc)
        rc = lambda_http_response_set_header(res, "Content-Type", "text/plain");
    if (!rc)
        rc = lambda_http_response_add_header(res, "X-Multi", "1");
    if (!rc)
        rc = lambda_http_response_add_header(res, "X-Multi", "2");
    if (!rc)
        rc = lambda_http_response_add_cookie(res, "a=1; Path=/");
    if (!rc)
        rc = lambda_http_response_set_body(res, "hello", 5);
    json_object *out = NULL;
    if (!rc) {
        rc = lambda_http_response_build(res, &out);
        if (rc)
            assert_null(out);
    }
    json_object_put(out);
    lambda_http_response_free(res);
    lambda_http_request_free(req);
    return rc;
}

static void test_http_events(void **state)
{
    (void)state;
    static const char *const names[] = { "alb-multi-value.json",
                                         "alb.json",
                                         "apigw-http-v2-post.json",
                                         "apigw-http-v2.json",
                                         "apigw-rest-v1-post-base64.json",
                                         "apigw-rest-v1.json",
                                         "function-url.json" };
    for (size_t e = 0; e < sizeof names / sizeof *names; e++) {
        json_object *root = ets_load(names[e]);
        AF_LOOP(n)
        {
            af_fail_at(n);
            lambda_code rc = http_run(root);
            int failed = af_disarm();
            assert_clean(rc, failed, n, names[e]);
        }
        json_object_put(root);
    }
}

/* Parse + the allocating accessors (decoded values) of each "Records" family. */
static lambda_code records_run(json_object *root, const char *family)
{
    lambda_code rc = LAMBDA_OK;
    const void *data;
    size_t size;
    if (!strcmp(family, "sqs")) {
        lambda_sqs_event *ev;
        if ((rc = lambda_sqs_event_parse(root, &ev)))
            return rc;
        for (size_t i = 0; i < lambda_sqs_event_count(ev); i++) {
            const lambda_sqs_message *m = lambda_sqs_event_message(ev, i);
            for (size_t a = 0; a < lambda_sqs_message_attribute_count(m); a++)
                lambda_sqs_message_attribute_name(m, a);
        }
        json_object *batch = NULL;
        rc = lambda_sqs_batch_response_new(&batch);
        if (!rc)
            rc = lambda_sqs_batch_response_add_failure(batch, "id-1");
        json_object_put(batch);
        lambda_sqs_event_free(ev);
    } else if (!strcmp(family, "sns")) {
        lambda_sns_event *ev;
        if ((rc = lambda_sns_event_parse(root, &ev)))
            return rc;
        for (size_t i = 0; i < lambda_sns_event_count(ev); i++) {
            const lambda_sns_record *r = lambda_sns_event_record(ev, i);
            for (size_t a = 0; a < lambda_sns_record_attribute_count(r); a++)
                lambda_sns_record_attribute_name(r, a);
        }
        lambda_sns_event_free(ev);
    } else if (!strcmp(family, "s3")) {
        lambda_s3_event *ev;
        if ((rc = lambda_s3_event_parse(root, &ev)))
            return rc;
        for (size_t i = 0; i < lambda_s3_event_count(ev) && !rc; i++) {
            const char *key;
            rc = lambda_s3_record_object_key(lambda_s3_event_record(ev, i), &key, &size);
        }
        lambda_s3_event_free(ev);
    } else if (!strcmp(family, "kinesis")) {
        lambda_kinesis_event *ev;
        if ((rc = lambda_kinesis_event_parse(root, &ev)))
            return rc;
        for (size_t i = 0; i < lambda_kinesis_event_count(ev) && !rc; i++)
            rc = lambda_kinesis_record_data(lambda_kinesis_event_record(ev, i), &data, &size);
        lambda_kinesis_event_free(ev);
    } else if (!strcmp(family, "dynamodb")) {
        lambda_dynamodb_event *ev;
        if ((rc = lambda_dynamodb_event_parse(root, &ev)))
            return rc;
        for (size_t i = 0; i < lambda_dynamodb_event_count(ev); i++) {
            const lambda_dynamodb_map *m =
                lambda_dynamodb_record_new_image(lambda_dynamodb_event_record(ev, i));
            /* map_at indexes the map: without memory it walks instead, same answers. */
            for (size_t a = 0; a < lambda_dynamodb_map_count(m); a++)
                assert_non_null(lambda_dynamodb_map_at(m, a, NULL));
        }
        lambda_dynamodb_event_free(ev);
    } else {
        lambda_eventbridge_event *ev;
        if ((rc = lambda_eventbridge_event_parse(root, &ev)))
            return rc;
        lambda_eventbridge_event_free(ev);
    }
    return rc;
}

static void test_records_events(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        { "sqs.json", "sqs" },
        { "sqs-fifo.json", "sqs" },
        { "sns.json", "sns" },
        { "s3-put.json", "s3" },
        { "kinesis.json", "kinesis" },
        { "dynamodb-stream.json", "dynamodb" },
        { "eventbridge.json", "eventbridge" },
    };
    for (size_t e = 0; e < sizeof cases / sizeof *cases; e++) {
        json_object *root = ets_load(cases[e][0]);
        AF_LOOP(n)
        {
            af_fail_at(n);
            lambda_code rc = records_run(root, cases[e][1]);
            int failed = af_disarm();
            assert_clean(rc, failed, n, cases[e][0]);
        }
        json_object_put(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_events),
        cmocka_unit_test(test_records_events),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "allocation-failure runs: %lu\n", af_runs);
    return failed;
}
