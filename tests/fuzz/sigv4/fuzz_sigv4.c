/*
 * SigV4 canonicalisation: the input is split at line breaks into the method, host, path,
 * query parameters ("name=value" lines until an empty line) and headers ("Name: value"
 * lines), then signed and presigned with fixed credentials and time, with the S3 rules
 * when the first byte is odd. Invariants: a signature is 64 lowercase hex digits; the wire
 * path and query hold only unreserved characters, '/', '&', '=' and %XX escapes; the work is
 * within n log n (headers and parameters are sorted).
 */
#include "fuzz_support.h"

#include "lambda-c/aws_credentials.h"
#include "lambda-c/aws_sigv4.h"

#define MAX_ITEMS 64

static int is_hex_lower(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void check_encoded(const char *s, const char *extra)
{
    for (; s && *s; s++) {
        char c = *s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~/", c) || strchr(extra, c))
            continue;
        FZ_CHECK(c == '%' && s[1] && s[2]);
        s += 2;
    }
}

static void check_signature(const lambda_aws_signature *sig)
{
    const char *hex = lambda_aws_signature_signature(sig);
    FZ_CHECK(hex && strlen(hex) == 64);
    for (size_t i = 0; i < 64; i++)
        FZ_CHECK(is_hex_lower(hex[i]));
    check_encoded(lambda_aws_signature_path(sig), "");
    check_encoded(lambda_aws_signature_query(sig), "&=");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = fz_string(data + 1, size - 1);
    /* NULs in the input would end strings early: the splitter sees the C strings. */
    char *line[3 + 2 * MAX_ITEMS] = { 0 };
    size_t lines = 0;
    for (char *p = s; p && lines < sizeof line / sizeof *line; lines++) {
        line[lines] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }
    lambda_aws_query_param query[MAX_ITEMS];
    lambda_aws_header headers[MAX_ITEMS];
    size_t nq = 0, nh = 0, i = 3;
    for (; i < lines && line[i][0] && nq < MAX_ITEMS; i++) {
        char *eq = strchr(line[i], '=');
        if (eq)
            *eq++ = '\0';
        query[nq++] = (lambda_aws_query_param){ line[i], eq ? eq : "" };
    }
    for (i++; i < lines && nh < MAX_ITEMS; i++) {
        char *colon = strchr(line[i], ':');
        if (!colon)
            continue;
        *colon++ = '\0';
        headers[nh++] = (lambda_aws_header){ line[i], colon };
    }
    lambda_aws_credentials *creds;
    if (lambda_aws_credentials_new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                   (data[0] & 2) ? "token" : NULL, 0, &creds) != LAMBDA_OK)
        abort();
    lambda_aws_sigv4_request req = {
        .method = line[0] && line[0][0] ? line[0] : "GET",
        .host = line[1] && line[1][0] ? line[1] : "example.amazonaws.com",
        .path = line[2],
        .query = query,
        .query_count = nq,
        .headers = headers,
        .header_count = nh,
        .body = "",
        .region = "us-east-1",
        .service = (data[0] & 1) ? "s3" : "service",
        .time_s = 1440938160,
    };
    uint64_t start = fz_work();
    lambda_aws_signature *sig = NULL;
    if (lambda_aws_sigv4_sign(creds, &req, &sig) == LAMBDA_OK)
        check_signature(sig);
    lambda_aws_signature_free(sig);
    sig = NULL;
    if (lambda_aws_sigv4_presign(creds, &req, 3600, &sig) == LAMBDA_OK)
        check_signature(sig);
    lambda_aws_signature_free(sig);
    /* SHA-256 and HMAC run in libcrypto (not counted); the rest is ours. */
    fz_linear("SigV4 signing", fz_work() - start, size, 20000, 40, 1);
    lambda_aws_credentials_unref(creds);
    free(s);
    return 0;
}
