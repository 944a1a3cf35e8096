/*
 * lambda-c/aws_lambda.h - AWS Lambda Invoke (liblambda-c-aws.so.1), on top of
 * lambda_aws_client: POST /2015-03-31/functions/NAME/invocations.
 */
#ifndef LAMBDA_C_AWS_LAMBDA_H
#define LAMBDA_C_AWS_LAMBDA_H

#include <stddef.h>
#include <stdint.h>

#include "lambda-c/aws_client.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Invokes function (a name, a name:qualifier, or an ARN) with payload (len bytes, usually
 * JSON; NULL/0 for none). invocation_type: NULL or "RequestResponse" (synchronous),
 * "Event" (asynchronous, answered 202), "DryRun" (204).
 * *out receives the response, owned by the caller (lambda_aws_response_free): the
 * function's result is its body; a function that failed still answers 200 and then has
 * the header X-Amz-Function-Error ("Unhandled") with the error JSON as body. *out is
 * also set on LAMBDA_E_HTTP_STATUS.
 * Errors: those of lambda_aws_client_send, LAMBDA_E_INVALID_ARGUMENT. Thread-safe.
 */
lambda_code lambda_aws_lambda_invoke(lambda_aws_client *c, const char *function,
                                     const void *payload, size_t len, const char *invocation_type,
                                     int64_t deadline_ms, lambda_aws_response **out);

#ifdef __cplusplus
}
#endif

#endif
