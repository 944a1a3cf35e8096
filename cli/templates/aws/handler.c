/* @@NAME@@: calls AWS from a handler with liblambda-c-aws: stores each event as an object in
 * the bucket $BUCKET, under the request id, and answers {"stored":"s3://BUCKET/KEY"}.
 * Credentials and region come from the Lambda environment; AWS_ENDPOINT_URL (or
 * AWS_ENDPOINT_URL_S3) points the client elsewhere, e.g. at a local moto_server. */
#include <lambda-c.h>
#include <lambda-c/aws_s3.h>
#include <stdio.h>
#include <stdlib.h>

lambda_handler_fn handler;

static lambda_aws_client *aws; /* one per process: its HTTPS connection stays warm */

int lambda_function_init(void)
{
    if (!getenv("BUCKET") || !*getenv("BUCKET")) {
        lambda_log_error("set BUCKET, the bucket to store events in");
        return 1; /* fails init: Runtime.InitError */
    }
    return lambda_aws_client_new(NULL, &aws); /* loads no libcurl yet */
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    const char *bucket = getenv("BUCKET"), *key = lambda_context_request_id(ctx);
    lambda_aws_s3_body body = { .content_type = "application/json" };
    body.data = lambda_event_data(event, &body.len);
    if (lambda_aws_s3_put_object(aws, bucket, key, &body, lambda_context_deadline_ms(ctx) - 500,
                                 NULL) != LAMBDA_OK)
        return lambda_response_set_error(response, "S3Error", "%s", lambda_aws_last_error());
    char answer[1024];
    int n = snprintf(answer, sizeof answer, "{\"stored\":\"s3://%s/%s\"}", bucket, key);
    if (n < 0 || (size_t)n >= sizeof answer)
        return lambda_response_set_error(response, "NameTooLong", "bucket or key too long");
    return lambda_response_set_body(response, answer, (size_t)n, "application/json");
}
