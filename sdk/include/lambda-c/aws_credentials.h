/*
 * lambda-c/aws_credentials.h - AWS credentials for signing requests (liblambda-c-aws.so.1).
 *
 * Two objects:
 *   lambda_aws_credentials           one immutable set of keys (access key id, secret,
 *                                    optional session token, optional expiry). Reference
 *                                    counted; it also caches the SigV4 signing keys derived
 *                                    from its secret, so rotated keys never reuse a stale one.
 *   lambda_aws_credentials_provider  where credentials come from (the environment, the
 *                                    container credentials endpoint, or fixed keys); it hands
 *                                    out the current lambda_aws_credentials and refreshes
 *                                    them before they expire.
 *
 * Secrets (the secret access key, the session token, the container authorization token)
 * are never logged, at any level, and never appear in lambda_aws_last_error().
 */
#ifndef LAMBDA_C_AWS_CREDENTIALS_H
#define LAMBDA_C_AWS_CREDENTIALS_H

#include <stdint.h>

#include "lambda-c/aws_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lambda_aws_credentials lambda_aws_credentials;
typedef struct lambda_aws_credentials_provider lambda_aws_credentials_provider;

/* ------------------------------------------------------------------ credentials */

/*
 * Creates a credentials object from copies of the given strings.
 * access_key_id, secret_access_key: required, non-empty. session_token: NULL or "" for
 * long-term keys. expiration_ms: Unix epoch milliseconds after which the keys are invalid,
 * 0 for no known expiry. On success *out holds one reference the caller owns (release it
 * with lambda_aws_credentials_unref).
 * Errors: LAMBDA_E_INVALID_ARGUMENT (NULL or empty key), LAMBDA_E_NO_MEMORY.
 * Thread-safe.
 */
lambda_code lambda_aws_credentials_new(const char *access_key_id, const char *secret_access_key,
                                       const char *session_token, int64_t expiration_ms,
                                       lambda_aws_credentials **out);

/* Adds a reference to c and returns c (NULL for NULL). Thread-safe. */
lambda_aws_credentials *lambda_aws_credentials_ref(lambda_aws_credentials *c);

/* Drops one reference; the last one wipes the secrets from memory and frees c.
 * NULL is ignored. Thread-safe. */
void lambda_aws_credentials_unref(lambda_aws_credentials *c);

/* The access key id (not a secret). Borrowed from c; valid while the caller holds a
 * reference. Never NULL for a valid c. */
const char *lambda_aws_credentials_access_key_id(const lambda_aws_credentials *c);

/* The session token, or NULL for long-term keys. A secret: never log it. Borrowed from c. */
const char *lambda_aws_credentials_session_token(const lambda_aws_credentials *c);

/* The expiry as Unix epoch milliseconds, 0 when unknown/never. */
int64_t lambda_aws_credentials_expiration_ms(const lambda_aws_credentials *c);

/* ------------------------------------------------------------------ providers */

/*
 * The default chain, as the AWS SDKs resolve it on Lambda, decided on the first
 * lambda_aws_credentials_provider_get and kept:
 *   1. the environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      which is what Lambda sets for the function's execution role;
 *   2. the container credentials endpoint, when AWS_CONTAINER_CREDENTIALS_FULL_URI or
 *      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set (see _new_container).
 * *out is owned by the caller (lambda_aws_credentials_provider_free).
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_NO_MEMORY. Creating it reads nothing and
 * loads no library.
 */
lambda_code lambda_aws_credentials_provider_new_default(lambda_aws_credentials_provider **out);

/*
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, read on
 * every lambda_aws_credentials_provider_get (cheap; a changed environment is picked up).
 * *out is owned by the caller. Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_aws_credentials_provider_new_environment(lambda_aws_credentials_provider **out);

/*
 * Credentials from the container credentials endpoint (Lambda SnapStart, ECS, EKS Pod
 * Identity): an HTTP GET to http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * (ECS; preferred when both are set, as in the AWS SDKs) or to
 * AWS_CONTAINER_CREDENTIALS_FULL_URI, with header
 * "Authorization: <token>", the token read from the file named by
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read on every fetch; it wins) or else from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. The answer is JSON with AccessKeyId,
 * SecretAccessKey, Token and Expiration (ISO 8601). As in the AWS SDKs, a FULL_URI over
 * plain http must name a loopback host or the ECS/EKS link-local addresses
 * (169.254.170.2, 169.254.170.23, fd00:ec2::23).
 * Credentials are cached and fetched again once less than 5 minutes of validity remain;
 * if that fetch fails while the cached keys are still valid, they keep being used.
 * The environment is read at the first fetch. *out is owned by the caller.
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_aws_credentials_provider_new_container(lambda_aws_credentials_provider **out);

/*
 * A provider that always returns creds (it takes its own reference; the caller keeps
 * theirs). For tests and for keys obtained elsewhere. *out is owned by the caller.
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_aws_credentials_provider_new_static(lambda_aws_credentials *creds,
                                                       lambda_aws_credentials_provider **out);

/*
 * The current credentials, fetching or refreshing them first when needed. deadline_ms:
 * Unix epoch milliseconds by which a fetch must be over (0 = none; a fetch is also bounded
 * by its own 5 s timeout). On success *out holds a new reference the caller releases with
 * lambda_aws_credentials_unref.
 * Errors: LAMBDA_E_CONFIG (no credentials configured, malformed endpoint settings, a
 * FULL_URI host that is not allowed, an unreadable token file), LAMBDA_E_CONNECT /
 * LAMBDA_E_IO / LAMBDA_E_TIMEOUT (endpoint unreachable), LAMBDA_E_HTTP_STATUS (endpoint
 * refused), LAMBDA_E_INVALID_JSON / LAMBDA_E_PROTOCOL (malformed answer), LAMBDA_E_LOAD
 * (libcurl could not be loaded), LAMBDA_E_NO_MEMORY, LAMBDA_E_INVALID_ARGUMENT.
 * Thread-safe: concurrent callers wait for one fetch.
 */
lambda_code lambda_aws_credentials_provider_get(lambda_aws_credentials_provider *p,
                                                int64_t deadline_ms, lambda_aws_credentials **out);

/* Frees p and drops its cached credentials. NULL is ignored. No call on p may be running. */
void lambda_aws_credentials_provider_free(lambda_aws_credentials_provider *p);

#ifdef __cplusplus
}
#endif

#endif
