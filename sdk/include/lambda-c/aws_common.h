/** @file
 * lambda-c/aws_common.h - types shared by the AWS headers of liblambda-c-aws.so.1
 * (aws_sigv4.h, aws_credentials.h, aws_client.h and the service helpers).
 *
 * Link with -llambda-c-aws. The library does not load libcurl or libcrypto until a
 * function that needs them is first called, so linking it costs a function that never
 * calls AWS nothing at cold start.
 */
#ifndef LAMBDA_C_AWS_COMMON_H
#define LAMBDA_C_AWS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lambda-c/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One HTTP header. Both strings are borrowed for the duration of the call they are
 * passed to. Names compare case-insensitively; a name may repeat. */
typedef struct lambda_aws_header {
    const char *name;  /**< the header name, e.g. \"Content-Type\" */
    const char *value; /**< its value */
} lambda_aws_header;

/** One query parameter, NOT percent-encoded (the library encodes it). A NULL value is
 * sent as "name=" (SigV4 always writes the '='). Borrowed like lambda_aws_header. */
typedef struct lambda_aws_query_param {
    const char *name;  /**< the parameter name */
    const char *value; /**< its value; NULL sends \"name=\" */
} lambda_aws_query_param;

/**
 * Streaming callbacks.
 *
 * lambda_aws_read_fn supplies a request body: copy at most cap bytes into buf and store
 * the count in *out_len; *out_len = 0 means end of body. Return LAMBDA_OK, or any other
 * code to abort the request (the call then fails with that code).
 *
 * lambda_aws_rewind_fn restarts a streamed body from its first byte so that a request
 * can be retried; without one, a streamed request is sent once.
 *
 * lambda_aws_write_fn receives a response body as it arrives, in order, len > 0. Return
 * LAMBDA_OK to continue or any other code to abort (the call then fails with that code).
 */
typedef lambda_code (*lambda_aws_read_fn)(
    void *ctx, void *buf, size_t cap, size_t *out_len); /**< Supplies a request body (see above). */
typedef lambda_code (*lambda_aws_rewind_fn)(
    void *ctx); /**< Restarts a streamed request body (see above). */
typedef lambda_code (*lambda_aws_write_fn)(
    void *ctx, const void *data, size_t len); /**< Receives a response body (see above). */

/**
 * A human-readable detail of the last failure of a lambda_aws_* call on the calling
 * thread, e.g. "libcurl.so.4: symbol curl_easy_init not found" or "s3 PUT /b/k: HTTP 403
 * SignatureDoesNotMatch: ...". Meaningful right after a call returned an error; "" if
 * nothing failed yet on this thread. Never NULL. The string belongs to the library and
 * stays valid until the next lambda_aws_* call on the same thread. It never contains
 * secrets. Thread-safe (one buffer per thread).
 */
const char *lambda_aws_last_error(void);

/**
 * The AWS error code of the last call on the calling thread that failed with
 * LAMBDA_E_HTTP_STATUS ("NoSuchKey", "ConditionalCheckFailedException", "AccessDenied",
 * ...), or NULL when that failure carried none or the last request did not fail that
 * way. Lets the service helpers, which return no response object, report why AWS said
 * no. Owned by the library, valid until the next lambda_aws_* call on the same thread.
 * Thread-safe (one buffer per thread).
 */
const char *lambda_aws_last_error_code(void);

#ifdef __cplusplus
}
#endif

#endif
