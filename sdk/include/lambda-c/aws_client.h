/*
 * lambda-c/aws_client.h - an HTTPS client for AWS APIs (liblambda-c-aws.so.1).
 *
 * A lambda_aws_client signs (SigV4) and sends requests to AWS services through libcurl.
 * Create one at init and keep it for the life of the process: it keeps its connections
 * (and TLS sessions) open across invocations, so a warm invocation does no TLS handshake.
 * One client serves any number of threads at once; each concurrent caller gets its own
 * connection set from the client's pool.
 *
 * Creating a client loads nothing; the first request loads libcurl.so.4 and libcrypto.so.3
 * (.1.1 or .10 on older systems): about 13 ms that functions which never call AWS do not
 * pay at cold start. If they are missing the request fails with LAMBDA_E_LOAD and
 * lambda_aws_last_error() names the library or symbol.
 *
 * Region: options.region, else AWS_REGION, else AWS_DEFAULT_REGION.
 * Endpoint of a service, first match wins, as in the AWS SDKs:
 *   options.endpoint_url;
 *   AWS_ENDPOINT_URL_<SERVICE> (SERVICE = the service name uppercased, '-' -> '_', e.g.
 *   AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS,
 *   AWS_ENDPOINT_URL_LAMBDA);
 *   AWS_ENDPOINT_URL;
 *   https://SERVICE.REGION.amazonaws.com (amazonaws.com.cn in cn-* regions).
 * The environment overrides are ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true.
 * S3 uses virtual-hosted addressing (bucket.s3.REGION.amazonaws.com) against AWS and
 * path-style (ENDPOINT/bucket/key) when an endpoint is overridden, when
 * options.s3_path_style is set, or for bucket names that are not DNS labels.
 *
 * TLS: the CA bundle is $SSL_CERT_FILE, else the first existing of
 * /etc/pki/tls/certs/ca-bundle.crt (Amazon Linux) and /etc/ssl/certs/ca-certificates.crt
 * (Debian/Ubuntu).
 *
 * Deadlines: every call takes deadline_ms, Unix epoch milliseconds by which it must
 * return (0 = none). Pass the invocation's deadline minus a margin, e.g.
 * lambda_context_deadline_ms(ctx) - 500. Each attempt's timeout is the smaller of
 * options.timeout_ms and the time left; no retry starts or sleeps past the deadline.
 *
 * Retries (as the AWS SDKs' standard mode): up to options.max_attempts attempts (default
 * 3) on connection failures, HTTP 500/502/503/504, 429 and throttling or transient error
 * codes (Throttling, ThrottlingException, ProvisionedThroughputExceededException,
 * RequestLimitExceeded, SlowDown, TooManyRequestsException, RequestTimeout, ...), with
 * exponential backoff and full jitter: a random delay in [0, min(20 s, base * 2^(n-1))],
 * base 100 ms (500 ms for throttling). A streamed request body is retried only if it has
 * a rewind callback; a response already streamed to a write callback is never retried.
 *
 * The structs below are part of the ABI: a later minor release does not change their
 * layout (new settings come with new functions). Zero-initialize them and set the fields
 * you need.
 */
#ifndef LAMBDA_C_AWS_CLIENT_H
#define LAMBDA_C_AWS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "lambda-c/aws_common.h"
#include "lambda-c/aws_credentials.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lambda_aws_client lambda_aws_client;
typedef struct lambda_aws_response lambda_aws_response;

/* Client settings; every field's zero value selects the default. Strings are copied. */
typedef struct lambda_aws_client_options {
    const char *region;       /* NULL = AWS_REGION, then AWS_DEFAULT_REGION */
    const char *endpoint_url; /* NULL = the environment overrides, then AWS (see above) */
    /* Borrowed; must outlive the client. NULL = the client creates and owns a default-chain
     * provider (lambda_aws_credentials_provider_new_default). */
    lambda_aws_credentials_provider *credentials;
    int max_attempts;               /* 0 = 3; 1 = no retries */
    int64_t retry_base_delay_ms;    /* 0 = 100 */
    int64_t throttle_base_delay_ms; /* 0 = 500 */
    int64_t max_backoff_ms;         /* 0 = 20000 */
    long connect_timeout_ms;        /* 0 = 3000 */
    long timeout_ms;                /* per attempt; 0 = 60000 */
    int s3_path_style;              /* non-zero: always path-style S3 URLs */
} lambda_aws_client_options;

/*
 * Creates a client. options may be NULL (all defaults). Loads no library and does no I/O.
 * *out is owned by the caller (lambda_aws_client_free).
 * Errors: LAMBDA_E_INVALID_ARGUMENT (NULL out, negative setting), LAMBDA_E_CONFIG (no
 * region configured; the detail names the variables), LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_aws_client_new(const lambda_aws_client_options *options,
                                  lambda_aws_client **out);

/* Closes the client's connections and frees it. NULL is ignored. No call on c may be
 * running. */
void lambda_aws_client_free(lambda_aws_client *c);

/* The region the client signs for. Owned by c. */
const char *lambda_aws_client_region(const lambda_aws_client *c);

/*
 * The endpoint URL the client uses for service (e.g. "https://dynamodb.eu-west-1.amazonaws.com"
 * or an override), without a trailing '/'. *url is malloc'd, owned by the caller (free()).
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_CONFIG (malformed override URL),
 * LAMBDA_E_NO_MEMORY. Thread-safe.
 */
lambda_code lambda_aws_client_endpoint(const lambda_aws_client *c, const char *service, char **url);

/* One request. Every pointer is borrowed for the duration of lambda_aws_client_send. */
typedef struct lambda_aws_request {
    const char *service; /* signing name and endpoint id: "s3", "dynamodb", "sqs", ... */
    const char *method;  /* "GET", "PUT", "POST", "DELETE", "HEAD", ... */
    /* The path, NOT percent-encoded; NULL = "/". Appended to the endpoint URL's own path. */
    const char *path;
    const lambda_aws_query_param *query;
    size_t query_count;
    /* Extra headers (Content-Type, X-Amz-Target, ...); signed as aws_sigv4.h says. Do not
     * pass Host, Content-Length, Authorization or X-Amz-Date: the client sets them. */
    const lambda_aws_header *headers;
    size_t header_count;
    /* A buffered body (its SHA-256 is signed) ... */
    const void *body;
    size_t body_len;
    /* ... or a streamed one of exactly body_stream_len bytes (for S3: signed as
     * UNSIGNED-PAYLOAD; the body is never held in memory). body_rewind may be NULL. */
    lambda_aws_read_fn body_read;
    lambda_aws_rewind_fn body_rewind;
    void *body_ctx;
    uint64_t body_stream_len;
    /* When set, a 2xx response body is passed to response_write as it arrives instead of
     * being buffered in the response. Error bodies are always buffered. */
    lambda_aws_write_fn response_write;
    void *response_ctx;
    /* Prepended to the endpoint's host, e.g. "my-bucket." for virtual-hosted S3. */
    const char *host_prefix;
    unsigned sigv4_flags; /* LAMBDA_AWS_SIGV4_* (aws_sigv4.h) */
    int64_t deadline_ms;  /* Unix epoch ms; 0 = none */
} lambda_aws_request;

/*
 * Signs and sends req, retrying as described above.
 * Returns LAMBDA_OK for a 2xx answer. For any other HTTP answer it returns
 * LAMBDA_E_HTTP_STATUS and still sets *out, so the status and the AWS error code
 * (lambda_aws_response_error_code) can be read. *out is owned by the caller
 * (lambda_aws_response_free) whenever it is non-NULL; it is NULL for every other error.
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_CONFIG (bad endpoint, no credentials),
 * LAMBDA_E_CONNECT (DNS, TCP or TLS failure, including a CA bundle problem),
 * LAMBDA_E_IO (connection lost), LAMBDA_E_TIMEOUT (deadline or timeout_ms reached),
 * LAMBDA_E_HTTP_STATUS, LAMBDA_E_LOAD, LAMBDA_E_NO_MEMORY, LAMBDA_E_CRYPTO, or whatever
 * code a read/write callback returned to abort. lambda_aws_last_error() has the detail.
 * Thread-safe.
 */
lambda_code lambda_aws_client_send(lambda_aws_client *c, const lambda_aws_request *req,
                                   lambda_aws_response **out);

/* ------------------------------------------------------------------ responses */

/* The HTTP status (200, 404, ...). */
int lambda_aws_response_status(const lambda_aws_response *r);

/* The first header named name (case-insensitive), or NULL. Owned by r. */
const char *lambda_aws_response_header(const lambda_aws_response *r, const char *name);

/* The number of response headers, and header i (0-based). *name and *value are owned by r.
 * Errors: LAMBDA_E_INVALID_ARGUMENT (NULL argument or i out of range). */
size_t lambda_aws_response_header_count(const lambda_aws_response *r);
lambda_code lambda_aws_response_header_at(const lambda_aws_response *r, size_t i, const char **name,
                                          const char **value);

/* The buffered body (NUL-terminated for convenience; "" when empty or streamed) and its
 * length in *len (len may be NULL). Owned by r. */
const char *lambda_aws_response_body(const lambda_aws_response *r, size_t *len);

/* For a non-2xx answer: the AWS error code ("SignatureDoesNotMatch", "NoSuchKey",
 * "ResourceNotFoundException", ...) from the X-Amzn-ErrorType header or the JSON/XML body,
 * and its message; NULL when absent. Owned by r. */
const char *lambda_aws_response_error_code(const lambda_aws_response *r);
const char *lambda_aws_response_error_message(const lambda_aws_response *r);

/* How many attempts were made (1 = no retry). */
int lambda_aws_response_attempts(const lambda_aws_response *r);

/* How many new TCP connections the call opened over all attempts (0 = an existing
 * connection was reused). */
long lambda_aws_response_connects(const lambda_aws_response *r);

/* Frees r. NULL is ignored. */
void lambda_aws_response_free(lambda_aws_response *r);

#ifdef __cplusplus
}
#endif

#endif
