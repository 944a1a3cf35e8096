/*
 * s3-roundtrip: writes the event to S3 and reads it back.
 *
 *   environment: BUCKET (required), PREFIX (optional, default "events/")
 *   answer:      {"bucket":..., "key":..., "bytes":N, "etag":..., "same":true}
 *
 * The object key is PREFIX + the request id + ".json". The client is created once, at init,
 * and kept: its connection (and TLS session) serves every warm invocation. Each call is
 * bounded by the invocation's deadline, minus a margin to answer in time.
 * Link with -llambda-c-aws (liblambda-c-aws.so.1 is in the layer).
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/aws_s3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lambda_handler_fn handler;
lambda_function_init_fn lambda_function_init;

static lambda_aws_client *aws;

int lambda_function_init(void)
{
    if (!getenv("BUCKET") || !*getenv("BUCKET")) {
        lambda_log_error("s3-roundtrip: set BUCKET");
        return 1;
    }
    /* Loads nothing yet: libcurl and libcrypto come with the first request. */
    if (lambda_aws_client_new(NULL, &aws) != LAMBDA_OK) {
        lambda_log_error("s3-roundtrip: %s", lambda_aws_last_error());
        return 1;
    }
    return 0;
}

/* Collects a downloaded body (small events: a buffer is fine; large objects would be
 * processed chunk by chunk here instead). */
typedef struct sink {
    char *data;
    size_t len, cap;
} sink;

static lambda_code collect(void *ctx, const void *data, size_t len)
{
    sink *s = ctx;
    if (s->len + len > 6 * 1024 * 1024)
        return LAMBDA_E_TOO_LARGE; /* Lambda's response limit */
    if (s->len + len > s->cap) {
        size_t cap = (s->len + len) * 2;
        char *p = realloc(s->data, cap);
        if (!p)
            return LAMBDA_E_NO_MEMORY;
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return LAMBDA_OK;
}

static int aws_error(lambda_response *response, const char *what)
{
    const char *code = lambda_aws_last_error_code();
    return lambda_response_set_error(response, code ? code : "S3Error", "%s: %s", what,
                                     lambda_aws_last_error());
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    const char *bucket = getenv("BUCKET");
    const char *prefix = getenv("PREFIX") ? getenv("PREFIX") : "events/";
    char key[512];
    snprintf(key, sizeof key, "%s%s.json", prefix, lambda_context_request_id(ctx));
    int64_t deadline = lambda_context_deadline_ms(ctx);
    if (deadline)
        deadline -= 300;

    size_t len = 0;
    const void *data = lambda_event_data(event, &len);
    lambda_aws_s3_body body = { .data = data,
                                .len = len,
                                .content_type = lambda_event_content_type(event) };
    lambda_aws_response *put = NULL;
    if (lambda_aws_s3_put_object(aws, bucket, key, &body, deadline, &put) != LAMBDA_OK) {
        lambda_aws_response_free(put);
        return aws_error(response, "PutObject");
    }
    const char *etag = lambda_aws_response_header(put, "ETag");
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "bucket", json_object_new_string(bucket));
    json_object_object_add(answer, "key", json_object_new_string(key));
    json_object_object_add(answer, "etag", etag ? json_object_new_string(etag) : NULL);
    lambda_aws_response_free(put);

    sink got = { 0 };
    if (lambda_aws_s3_get_object(aws, bucket, key, NULL, collect, &got, deadline, NULL) !=
        LAMBDA_OK) {
        free(got.data);
        json_object_put(answer);
        return aws_error(response, "GetObject");
    }
    json_object_object_add(answer, "bytes", json_object_new_int64((int64_t)got.len));
    json_object_object_add(answer, "same",
                           json_object_new_boolean(got.len == len && !memcmp(got.data, data, len)));
    free(got.data);
    lambda_log_info("stored and read back s3://%s/%s (%zu bytes)", bucket, key, len);
    return lambda_response_set_json(response, answer);
}
