/*
 * lambda-c/aws_sigv4.h - AWS Signature Version 4 (liblambda-c-aws.so.1).
 *
 * Signs one HTTP request either with headers (Authorization, X-Amz-Date, ...) or as a
 * presigned URL (query parameters). The result object exposes every intermediate product
 * (canonical request, string to sign, signature, authorization value) so they can be
 * checked against the AWS test suite. lambda_aws_client (aws_client.h) calls this for you;
 * use it directly to sign requests you send yourself or to presign URLs.
 *
 * Rules applied (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html):
 *   - every service but S3: the path is normalized (empty and "." segments dropped, ".."
 *     applied) and URI-encoded twice in the canonical request;
 *   - S3 (service "s3", "s3-object-lambda", "s3express" or LAMBDA_AWS_SIGV4_S3_RULES): the
 *     path is neither normalized nor double-encoded, and X-Amz-Content-Sha256 is added and
 *     signed (its value is the payload hash, possibly UNSIGNED-PAYLOAD);
 *   - query parameters are encoded (RFC 3986 unreserved characters stay) and sorted by
 *     name then value; header names are lowercased and sorted, values trimmed with inner
 *     runs of spaces collapsed, repeated headers joined with ',' in the order given;
 *   - a session token is sent as X-Amz-Security-Token and signed.
 *
 * The signing key (four HMAC-SHA256 rounds) is cached in the credentials object per
 * (date, region, service), so a warm request costs two SHA-256 and one HMAC.
 * The first signing loads libcrypto.so.3 (or libcrypto.so.1.1 / .10 where that is what the
 * system has, e.g. provided.al2); see aws_common.h.
 */
#ifndef LAMBDA_C_AWS_SIGV4_H
#define LAMBDA_C_AWS_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "lambda-c/aws_common.h"
#include "lambda-c/aws_credentials.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of lambda_aws_sigv4_request.flags. */
enum {
    /* Apply the S3 rules whatever the service name. */
    LAMBDA_AWS_SIGV4_S3_RULES = 1u << 0,
    /* Apply the generic rules even for "s3" (wins over LAMBDA_AWS_SIGV4_S3_RULES). */
    LAMBDA_AWS_SIGV4_GENERIC_RULES = 1u << 1,
    /* Add and sign X-Amz-Content-Sha256 for a non-S3 service too. */
    LAMBDA_AWS_SIGV4_CONTENT_SHA256_HEADER = 1u << 2,
    /* Sign the literal payload hash "UNSIGNED-PAYLOAD" (S3 accepts it; most others do not). */
    LAMBDA_AWS_SIGV4_UNSIGNED_PAYLOAD = 1u << 3,
    /* Add X-Amz-Security-Token after signing instead of signing it (a few old services). */
    LAMBDA_AWS_SIGV4_TOKEN_UNSIGNED = 1u << 4
};

/* The request to sign. Every pointer is borrowed for the duration of the call. */
typedef struct lambda_aws_sigv4_request {
    const char *method; /* "GET", "PUT", ...; required */
    /* The Host header value, "host" or "host:port" (omit the default port). NULL when a
     * Host header is among headers; otherwise it is added to the signature and to the
     * headers of the result. */
    const char *host;
    /* The path, NOT percent-encoded (e.g. "/my bucket/a+b.txt"); NULL or "" means "/".
     * The encoded form to put on the wire is lambda_aws_signature_path(). */
    const char *path;
    const lambda_aws_query_param *query; /* may be NULL when query_count is 0 */
    size_t query_count;
    /* Headers that will be sent. All are signed except authorization, user-agent, expect,
     * x-amzn-trace-id, connection and transfer-encoding. An X-Amz-Date header here fixes the
     * signing time (time_s is then ignored); an X-Amz-Security-Token or
     * X-Amz-Content-Sha256 header here is used as given rather than added again. */
    const lambda_aws_header *headers;
    size_t header_count;
    /* The body, hashed for the signature, unless payload_hash is set. */
    const void *body;
    size_t body_len;
    /* Precomputed payload hash: 64 lowercase hex digits, or "UNSIGNED-PAYLOAD". NULL = hash
     * body (or UNSIGNED-PAYLOAD with the flag; a presigned S3 URL defaults to it too). */
    const char *payload_hash;
    const char *region;  /* e.g. "us-east-1"; required */
    const char *service; /* the signing name, e.g. "s3", "dynamodb"; required */
    int64_t time_s;      /* signing time, Unix epoch seconds; 0 = now */
    unsigned flags;      /* LAMBDA_AWS_SIGV4_* */
} lambda_aws_sigv4_request;

/* The outcome of one signing: owned by the caller, freed with lambda_aws_signature_free. */
typedef struct lambda_aws_signature lambda_aws_signature;

/*
 * Signs req with headers. The headers to add to the request (Host if req->host was used,
 * X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256, Authorization, as applicable) are
 * listed by lambda_aws_signature_header_count / _header. creds is borrowed (its signing-key
 * cache is updated; that is thread-safe). *out is owned by the caller.
 * Errors: LAMBDA_E_INVALID_ARGUMENT (missing field, no Host, malformed X-Amz-Date or
 * payload_hash, a header value with CR/LF), LAMBDA_E_NO_MEMORY, LAMBDA_E_LOAD (libcrypto
 * missing), LAMBDA_E_CRYPTO. Thread-safe.
 */
lambda_code lambda_aws_sigv4_sign(const lambda_aws_credentials *creds,
                                  const lambda_aws_sigv4_request *req, lambda_aws_signature **out);

/*
 * Presigns req: the signature goes into the query (X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token, X-Amz-Signature).
 * expires_s: validity in seconds, 1..604800. Only the Host header is signed unless req
 * lists more headers (the URL's user must then send them). Build the URL from
 * lambda_aws_signature_path and _query, or use lambda_aws_signature_url.
 * Ownership and errors as lambda_aws_sigv4_sign (LAMBDA_E_INVALID_ARGUMENT also for an
 * out-of-range expires_s). Thread-safe.
 */
lambda_code lambda_aws_sigv4_presign(const lambda_aws_credentials *creds,
                                     const lambda_aws_sigv4_request *req, uint32_t expires_s,
                                     lambda_aws_signature **out);

/* Accessors. Every string is owned by s and valid until lambda_aws_signature_free(s). */

/* The canonical request (step 1 of SigV4). */
const char *lambda_aws_signature_canonical_request(const lambda_aws_signature *s);
/* The string to sign (step 2). */
const char *lambda_aws_signature_string_to_sign(const lambda_aws_signature *s);
/* The signature, 64 lowercase hex digits. */
const char *lambda_aws_signature_signature(const lambda_aws_signature *s);
/* The Authorization header value; NULL for a presigned request. */
const char *lambda_aws_signature_authorization(const lambda_aws_signature *s);
/* The signed header names, ';'-separated ("host;x-amz-date"). */
const char *lambda_aws_signature_signed_headers(const lambda_aws_signature *s);
/* The credential scope, "YYYYMMDD/region/service/aws4_request". */
const char *lambda_aws_signature_scope(const lambda_aws_signature *s);
/* The signing time, "YYYYMMDDTHHMMSSZ". */
const char *lambda_aws_signature_amz_date(const lambda_aws_signature *s);
/* The payload hash that was signed. */
const char *lambda_aws_signature_payload_hash(const lambda_aws_signature *s);
/* The path to send, percent-encoded once ("/my%20bucket/a%2Bb.txt"). */
const char *lambda_aws_signature_path(const lambda_aws_signature *s);
/* The query to send without '?', encoded and sorted ("" when none); for a presigned
 * request it includes the X-Amz-* parameters and the signature. */
const char *lambda_aws_signature_query(const lambda_aws_signature *s);
/* The number of headers to add to the request. */
size_t lambda_aws_signature_header_count(const lambda_aws_signature *s);
/* Header i (0-based) to add: *name and *value are owned by s.
 * Errors: LAMBDA_E_INVALID_ARGUMENT (NULL argument, i out of range). */
lambda_code lambda_aws_signature_header(const lambda_aws_signature *s, size_t i, const char **name,
                                        const char **value);

/*
 * The full URL, scheme "://" host path ["?" query], for a presigned request.
 * scheme: "https" or "http"; NULL = "https". host: as in the request (NULL = the signed
 * Host). *url is malloc'd and owned by the caller (free()).
 * Errors: LAMBDA_E_INVALID_ARGUMENT, LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_aws_signature_url(const lambda_aws_signature *s, const char *scheme,
                                     const char *host, char **url);

/* Frees s. NULL is ignored. */
void lambda_aws_signature_free(lambda_aws_signature *s);

#ifdef __cplusplus
}
#endif

#endif
