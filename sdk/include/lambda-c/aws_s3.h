/*
 * lambda-c/aws_s3.h - Amazon S3 GetObject / PutObject and presigned GET URLs
 * (liblambda-c-aws.so.1), on top of lambda_aws_client (aws_client.h).
 *
 * Bodies can stream both ways through callbacks, so an object of any size passes
 * through a fixed amount of memory. Buckets are addressed virtual-hosted
 * (bucket.s3.REGION.amazonaws.com) or path-style, as aws_client.h explains.
 *
 * A handler that stores its event in S3 (Handler: store.handler, env BUCKET):
 *
 *   #include <stdlib.h>
 *   #include <lambda-c/handler.h>
 *   #include <lambda-c/aws_s3.h>
 *
 *   static lambda_aws_client *aws; // one per process: connections stay warm
 *
 *   int lambda_function_init(void) { return lambda_aws_client_new(NULL, &aws); }
 *
 *   int handler(lambda_event *ev, const lambda_context *ctx, lambda_response *res)
 *   {
 *       lambda_aws_s3_body body = {.content_type = "application/json"};
 *       body.data = lambda_event_data(ev, &body.len);
 *       if (lambda_aws_s3_put_object(aws, getenv("BUCKET"), lambda_context_request_id(ctx), &body,
 *                                    lambda_context_deadline_ms(ctx) - 500, NULL))
 *           return lambda_response_set_error(res, "S3Error", "%s", lambda_aws_last_error());
 *       return lambda_response_set_body(res, "{\"stored\":true}", 15, NULL);
 *   }
 *
 * Build: cc -shared -fPIC -o store.so store.c -llambda-c -llambda-c-aws -ljson-c
 */
#ifndef LAMBDA_C_AWS_S3_H
#define LAMBDA_C_AWS_S3_H

#include <stddef.h>
#include <stdint.h>

#include "lambda-c/aws_client.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An object body to upload: either data/len (buffered; its SHA-256 is signed) or
 * read/rewind/ctx/stream_len (streamed in chunks of up to 64 KiB, signed as
 * UNSIGNED-PAYLOAD; without rewind it is sent once, with no retry). Borrowed. */
typedef struct lambda_aws_s3_body {
    const void *data;
    size_t len;
    lambda_aws_read_fn read;
    lambda_aws_rewind_fn rewind;
    void *ctx;
    uint64_t stream_len;
    const char *content_type; /* NULL = application/octet-stream */
} lambda_aws_s3_body;

/*
 * PutObject: uploads body as s3://bucket/key (key NOT percent-encoded, e.g. "in/a b.json").
 * deadline_ms as in aws_client.h. out: NULL, or receives the response (ETag header,
 * x-amz-version-id, ...) which the caller then owns and frees with lambda_aws_response_free
 * (also set on LAMBDA_E_HTTP_STATUS).
 * Errors: those of lambda_aws_client_send; LAMBDA_E_INVALID_ARGUMENT for an empty bucket or
 * key or a body that is both or neither buffered and streamed (an empty buffered body,
 * data NULL and len 0, is fine). Thread-safe.
 */
lambda_code lambda_aws_s3_put_object(lambda_aws_client *c, const char *bucket, const char *key,
                                     const lambda_aws_s3_body *body, int64_t deadline_ms,
                                     lambda_aws_response **out);

/*
 * GetObject: downloads s3://bucket/key. With write set, the body is passed to
 * write(ctx, ...) as it arrives and never held in memory; with write NULL it is buffered in
 * the response (lambda_aws_response_body). range: NULL, or an HTTP Range such as
 * "bytes=0-1023". out: NULL, or receives the response (Content-Type, ETag, Content-Length,
 * the buffered body) which the caller owns (lambda_aws_response_free); set on success and
 * on LAMBDA_E_HTTP_STATUS. A missing key is LAMBDA_E_HTTP_STATUS with
 * lambda_aws_last_error_code() "NoSuchKey".
 * Errors: those of lambda_aws_client_send, and the code write returned if it aborted.
 * Thread-safe.
 */
lambda_code lambda_aws_s3_get_object(lambda_aws_client *c, const char *bucket, const char *key,
                                     const char *range, lambda_aws_write_fn write, void *ctx,
                                     int64_t deadline_ms, lambda_aws_response **out);

/*
 * A presigned GET URL for s3://bucket/key valid for expires_s seconds (1..604800), signed
 * with the client's current credentials (a session token makes it expire with them).
 * *url is malloc'd and owned by the caller (free()).
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_CONFIG, LAMBDA_E_NO_MEMORY, LAMBDA_E_LOAD,
 * LAMBDA_E_CRYPTO and the credentials provider's errors. Thread-safe; no network I/O unless
 * credentials must be fetched.
 */
lambda_code lambda_aws_s3_presign_get(lambda_aws_client *c, const char *bucket, const char *key,
                                      uint32_t expires_s, int64_t deadline_ms, char **url);

#ifdef __cplusplus
}
#endif

#endif
