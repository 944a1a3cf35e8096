/*
 * bench/aws_client_bench.c - what liblambda-c-aws costs per request.
 *
 *   aws_client_bench sign [N [TYPE]]   SigV4 signing cost, ns per signature (no I/O):
 *                                      the first signature (loads libcrypto), warm header
 *                                      signing of an S3 GET and of a 1 KiB DynamoDB PutItem
 *                                      (signing key cached), a presigned URL, and a cold
 *                                      signature (key derivation, fresh credentials).
 *                                      TYPE (get, put, presign, cold) runs only that one.
 *   aws_client_bench s3 BUCKET KEY [N] warm calls to S3 at AWS_ENDPOINT_URL (credentials and
 *                                      region from the environment): creates the bucket and a
 *                                      1 KiB object, then N GetObject calls on one client.
 *                                      Reports the first call (loads libcurl), warm latency
 *                                      percentiles and the TCP connections opened
 *                                      (CURLINFO_NUM_CONNECTS, via lambda_aws_response_connects).
 * Output: one "name value unit" line per figure.
 *
 * How to run (from the repo root, after make):
 *   build/bench/aws_client_bench sign 200000
 *   # instructions per signature, deterministic: (Ir at N=2000 - Ir at N=1000) / 1000
 *   for n in 1000 2000; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *       build/bench/aws_client_bench sign $n get 2>&1 | grep Collected; done
 *   # S3 on loopback: moto_server, behind the keep-alive front (Werkzeug closes every
 *   # connection itself, so against moto directly every call reconnects):
 *   moto_server -H 127.0.0.1 -p 5000 &
 *   python3 tests/integration/aws_keepalive_proxy.py --target-port 5000 --port 5001 &
 *   AWS_ENDPOINT_URL=http://127.0.0.1:5001 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDBENCH \
 *       AWS_SECRET_ACCESS_KEY=bench build/bench/aws_client_bench s3 bench-bucket obj 500
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lambda-c/aws_client.h"
#include "lambda-c/aws_s3.h"
#include "lambda-c/aws_sigv4.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, lambda_code rc)
{
    fprintf(stderr, "%s failed (%d): %s\n", what, (int)rc, lambda_aws_last_error());
    exit(1);
}

typedef lambda_code (*sign_fn)(const lambda_aws_credentials *, const lambda_aws_sigv4_request *,
                               lambda_aws_signature **);

static lambda_code presign_300(const lambda_aws_credentials *c, const lambda_aws_sigv4_request *r,
                               lambda_aws_signature **out)
{
    return lambda_aws_sigv4_presign(c, r, 300, out);
}

static double per_sign_ns(const lambda_aws_credentials *c, const lambda_aws_sigv4_request *r,
                          sign_fn fn, long n)
{
    int64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        lambda_aws_signature *s;
        lambda_code rc = fn(c, r, &s);
        if (rc)
            die("sign", rc);
        lambda_aws_signature_free(s);
    }
    return (double)(now_ns() - t0) / (double)n;
}

static int wanted(const char *only, const char *name)
{
    return !only || !strcmp(only, name);
}

static int bench_sign(long n, const char *only)
{
    lambda_aws_credentials *c;
    lambda_code rc = lambda_aws_credentials_new(
        "ASIAXAMPLEBENCH00001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "IQoJb3JpZ2luX2VjEBenchmarkSessionTokenValue0123456789abcdef==", 0, &c);
    if (rc)
        die("credentials", rc);
    lambda_aws_sigv4_request get = { .method = "GET",
                                     .host = "my-bucket.s3.us-east-1.amazonaws.com",
                                     .path = "/events/2024/05/20/event-000042.json",
                                     .region = "us-east-1",
                                     .service = "s3" };
    char item[1024];
    memset(item, 'x', sizeof item);
    lambda_aws_header ddb_headers[] = { { "Content-Type", "application/x-amz-json-1.0" },
                                        { "X-Amz-Target", "DynamoDB_20120810.PutItem" } };
    lambda_aws_sigv4_request put = { .method = "POST",
                                     .host = "dynamodb.us-east-1.amazonaws.com",
                                     .path = "/",
                                     .headers = ddb_headers,
                                     .header_count = 2,
                                     .body = item,
                                     .body_len = sizeof item,
                                     .region = "us-east-1",
                                     .service = "dynamodb" };

    int64_t t0 = now_ns();
    lambda_aws_signature *s;
    if ((rc = lambda_aws_sigv4_sign(c, &get, &s)))
        die("sign", rc);
    lambda_aws_signature_free(s);
    printf("sign.first_call %.1f us (loads libcrypto.so.3, derives the signing key)\n",
           (double)(now_ns() - t0) / 1000.0);

    if (wanted(only, "get"))
        printf("sign.s3_get.warm %.0f ns\n", per_sign_ns(c, &get, lambda_aws_sigv4_sign, n));
    if (wanted(only, "put"))
        printf("sign.dynamodb_put_1k.warm %.0f ns\n",
               per_sign_ns(c, &put, lambda_aws_sigv4_sign, n));
    if (wanted(only, "presign"))
        printf("sign.s3_presign.warm %.0f ns\n", per_sign_ns(c, &get, presign_300, n));

    /* Cold: a new credentials object each time, so the signing key is derived again. */
    long cold_n = only ? (wanted(only, "cold") ? n : 0) : (n / 4 > 0 ? n / 4 : 1);
    int64_t t1 = now_ns();
    for (long i = 0; i < cold_n; i++) {
        lambda_aws_credentials *fresh;
        if ((rc = lambda_aws_credentials_new("AKIDCOLD", "secret-secret-secret", NULL, 0, &fresh)))
            die("credentials", rc);
        if ((rc = lambda_aws_sigv4_sign(fresh, &get, &s)))
            die("sign", rc);
        lambda_aws_signature_free(s);
        lambda_aws_credentials_unref(fresh);
    }
    if (cold_n)
        printf("sign.s3_get.cold_key %.0f ns\n", (double)(now_ns() - t1) / (double)cold_n);
    lambda_aws_credentials_unref(c);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int bench_s3(const char *bucket, const char *key, long n)
{
    lambda_aws_client *c;
    lambda_code rc = lambda_aws_client_new(NULL, &c);
    if (rc)
        die("client", rc);
    char path[512];
    snprintf(path, sizeof path, "/%s", bucket);
    lambda_aws_request mk = { .service = "s3", .method = "PUT", .path = path };
    lambda_aws_response *r = NULL;
    int64_t t0 = now_ns();
    rc = lambda_aws_client_send(c, &mk, &r); /* first call: loads libcurl and libcrypto */
    int64_t first = now_ns() - t0;
    if (rc && rc != LAMBDA_E_HTTP_STATUS)
        die("create bucket", rc); /* already exists is fine */
    lambda_aws_response_free(r);
    printf("s3.first_call %.2f ms (loads libcurl.so.4 + libcrypto.so.3, connects)\n",
           (double)first / 1e6);

    char body[1024];
    memset(body, 'b', sizeof body);
    lambda_aws_s3_body b = { .data = body, .len = sizeof body };
    if ((rc = lambda_aws_s3_put_object(c, bucket, key, &b, 0, NULL)))
        die("put", rc);

    int64_t *lat = calloc((size_t)n, sizeof *lat);
    long connects = 0;
    int64_t start = now_ns();
    for (long i = 0; i < n; i++) {
        int64_t a = now_ns();
        rc = lambda_aws_s3_get_object(c, bucket, key, NULL, NULL, NULL, 0, &r);
        lat[i] = now_ns() - a;
        if (rc)
            die("get", rc);
        connects += lambda_aws_response_connects(r);
        lambda_aws_response_free(r);
    }
    int64_t total = now_ns() - start;
    qsort(lat, (size_t)n, sizeof *lat, cmp_i64);
    printf("s3.warm_get.count %ld calls\n", n);
    printf("s3.warm_get.tcp_connects %ld connections\n", connects);
    printf("s3.warm_get.p50 %.3f ms\n", (double)lat[n / 2] / 1e6);
    printf("s3.warm_get.p90 %.3f ms\n", (double)lat[n * 9 / 10] / 1e6);
    printf("s3.warm_get.p99 %.3f ms\n", (double)lat[n * 99 / 100] / 1e6);
    printf("s3.warm_get.rate %.0f calls/s\n", (double)n / ((double)total / 1e9));
    free(lat);
    lambda_aws_client_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "sign"))
        return bench_sign(argc > 2 ? atol(argv[2]) : 100000, argc > 3 ? argv[3] : NULL);
    if (argc >= 4 && !strcmp(argv[1], "s3"))
        return bench_s3(argv[2], argv[3], argc > 4 ? atol(argv[4]) : 200);
    fprintf(stderr,
            "usage: %s sign [N [get|put|presign|cold]] | s3 BUCKET KEY [N]   (see the comment at "
            "the top of the source)\n",
            argv[0]);
    return 2;
}
