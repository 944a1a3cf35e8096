/*
 * sdk/aws/s3.c - S3 GetObject, PutObject and presigned GET URLs.
 */
#include "aws/client_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lambda-c/aws_s3.h"

/* A bucket name usable as a DNS label under TLS: 3..63 of [a-z0-9-], no dots. */
static int dns_compatible(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = b[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return 0;
    }
    return b[0] != '-' && b[n - 1] != '-';
}

/* Decides path-style or virtual-hosted addressing: *prefix ("bucket." or NULL) and path. */
static lambda_code s3_address(lambda_aws_client *c, const char *bucket, const char *key,
                              char **prefix, lc_buf *path, lc_endpoint *ep_out)
{
    *prefix = NULL;
    if (!bucket || !*bucket || !key || !*key)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "s3: bucket and key are required");
    if (strchr(bucket, '/'))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "s3: bucket names contain no '/'");
    lc_endpoint ep;
    lambda_code rc = lc_resolve_endpoint(c, "s3", &ep);
    if (rc)
        return rc;
    int path_style = ep.overridden || lc_client_s3_path_style(c) || !dns_compatible(bucket);
    lc_buf_init(path);
    if (path_style) {
        lc_buf_putc(path, '/');
        lc_buf_puts(path, bucket);
    } else {
        size_t n = strlen(bucket);
        *prefix = malloc(n + 2);
        if (!*prefix) {
            lc_endpoint_free(&ep);
            return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        }
        memcpy(*prefix, bucket, n);
        (*prefix)[n] = '.';
        (*prefix)[n + 1] = '\0';
    }
    lc_buf_putc(path, '/');
    lc_buf_puts(path, key);
    if (ep_out)
        *ep_out = ep;
    else
        lc_endpoint_free(&ep);
    if (path->failed) {
        free(*prefix);
        *prefix = NULL;
        lc_buf_free(path);
        if (ep_out)
            lc_endpoint_free(ep_out);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    return LAMBDA_OK;
}

lambda_code lambda_aws_s3_put_object(lambda_aws_client *c, const char *bucket, const char *key,
                                     const lambda_aws_s3_body *body, int64_t deadline_ms,
                                     lambda_aws_response **out)
{
    if (out)
        *out = NULL;
    if (!c || !body)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "s3_put_object: NULL client or body");
    int streamed = body->read != NULL;
    if ((streamed && (body->data || body->len)) || (!streamed && body->len && !body->data))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "s3_put_object: body must be either buffered or streamed");
    char *prefix;
    lc_buf path;
    lambda_code rc = s3_address(c, bucket, key, &prefix, &path, NULL);
    if (rc)
        return rc;
    lambda_aws_header hdr = { "Content-Type", body->content_type ? body->content_type
                                                                 : "application/octet-stream" };
    lambda_aws_request req;
    memset(&req, 0, sizeof req);
    req.service = "s3";
    req.method = "PUT";
    req.path = path.data;
    req.headers = &hdr;
    req.header_count = 1;
    if (streamed) {
        req.body_read = body->read;
        req.body_rewind = body->rewind;
        req.body_ctx = body->ctx;
        req.body_stream_len = body->stream_len;
    } else {
        req.body = body->data;
        req.body_len = body->len;
    }
    req.host_prefix = prefix;
    req.deadline_ms = deadline_ms;
    lambda_aws_response *r = NULL;
    rc = lambda_aws_client_send(c, &req, &r);
    if (out)
        *out = r;
    else
        lambda_aws_response_free(r);
    free(prefix);
    lc_buf_free(&path);
    return rc;
}

lambda_code lambda_aws_s3_get_object(lambda_aws_client *c, const char *bucket, const char *key,
                                     const char *range, lambda_aws_write_fn write, void *ctx,
                                     int64_t deadline_ms, lambda_aws_response **out)
{
    if (out)
        *out = NULL;
    if (!c)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "s3_get_object: NULL client");
    char *prefix;
    lc_buf path;
    lambda_code rc = s3_address(c, bucket, key, &prefix, &path, NULL);
    if (rc)
        return rc;
    lambda_aws_header hdr = { "Range", range };
    lambda_aws_request req;
    memset(&req, 0, sizeof req);
    req.service = "s3";
    req.method = "GET";
    req.path = path.data;
    req.headers = range ? &hdr : NULL;
    req.header_count = range ? 1 : 0;
    req.response_write = write;
    req.response_ctx = ctx;
    req.host_prefix = prefix;
    req.deadline_ms = deadline_ms;
    lambda_aws_response *r = NULL;
    rc = lambda_aws_client_send(c, &req, &r);
    if (out)
        *out = r;
    else
        lambda_aws_response_free(r);
    free(prefix);
    lc_buf_free(&path);
    return rc;
}

lambda_code lambda_aws_s3_presign_get(lambda_aws_client *c, const char *bucket, const char *key,
                                      uint32_t expires_s, int64_t deadline_ms, char **url)
{
    if (url)
        *url = NULL;
    if (!c || !url)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "s3_presign_get: NULL argument");
    char *prefix;
    lc_buf path;
    lc_endpoint ep;
    lambda_code rc = s3_address(c, bucket, key, &prefix, &path, &ep);
    if (rc)
        return rc;
    lc_buf host, full;
    lc_buf_init(&host);
    lc_buf_init(&full);
    if (prefix)
        lc_buf_puts(&host, prefix);
    lc_buf_puts(&host, ep.host);
    lc_buf_puts(&full, ep.base_path);
    lc_buf_puts(&full, path.data);
    lambda_aws_credentials *creds = NULL;
    if (host.failed || full.failed)
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    if (!rc)
        rc = lambda_aws_credentials_provider_get(lc_client_credentials(c), deadline_ms, &creds);
    if (!rc) {
        lambda_aws_sigv4_request sr;
        memset(&sr, 0, sizeof sr);
        sr.method = "GET";
        sr.host = host.data;
        sr.path = full.data;
        sr.region = lambda_aws_client_region(c);
        sr.service = "s3";
        lambda_aws_signature *sig = NULL;
        rc = lambda_aws_sigv4_presign(creds, &sr, expires_s, &sig);
        if (!rc)
            rc = lambda_aws_signature_url(sig, ep.scheme, host.data, url);
        lambda_aws_signature_free(sig);
    }
    lambda_aws_credentials_unref(creds);
    free(prefix);
    lc_buf_free(&path);
    lc_buf_free(&host);
    lc_buf_free(&full);
    lc_endpoint_free(&ep);
    return rc;
}
