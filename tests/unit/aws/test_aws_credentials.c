/*
 * tests/unit/test_aws_credentials.c - credential providers: the environment, the container
 * credentials endpoint (a loopback stub) with its authorization token and refresh before
 * expiry, the default chain, and TRACE logs that never show a secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_test_server.h"
#include "core/handler/log_internal.h"
#include "aws/internal.h"
#include "lambda-c/aws_client.h"
#include "lambda-c/aws_credentials.h"

#define C_SECRET "cOnTaInErSeCrEt/abcdefghijklmnopqrstuvw"
#define C_TOKEN "cOnTaInErSeSsIoNtOkEn+AAAA//BBBB=="
#define AUTH_TOKEN "aUtHoRiZaTiOnToKeN-1234"

static void clear_env(void)
{
    static const char *const vars[] = { "AWS_ACCESS_KEY_ID",
                                        "AWS_SECRET_ACCESS_KEY",
                                        "AWS_SESSION_TOKEN",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                        "AWS_LAMBDA_LOG_LEVEL",
                                        "AWS_LAMBDA_LOG_FORMAT",
                                        "AWS_ENDPOINT_URL",
                                        "AWS_REGION" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
}

static void format_iso(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The endpoint: answers with credentials expiring at ctx->expire_in_ms from now, or with
 * the scripted status. */
typedef struct endpoint {
    int64_t expire_in_ms;
    int status;       /* 0 = 200 */
    const char *body; /* overrides the JSON */
    int fetches;
    char auth[256]; /* Authorization header of the last fetch */
    char json[1024];
} endpoint;

static void endpoint_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    endpoint *e = s->ctx;
    pthread_mutex_lock(&s->lock);
    e->fetches++;
    e->auth[0] = '\0';
    ats_header(req->headers, "Authorization", e->auth, sizeof e->auth);
    pthread_mutex_unlock(&s->lock);
    if (e->status) {
        r->status = e->status;
        r->body = e->body ? e->body : "{}";
        return;
    }
    if (e->body) {
        r->body = e->body;
        return;
    }
    char exp[64];
    format_iso(ats_now_ms_for_tests() + e->expire_in_ms, exp, sizeof exp);
    snprintf(e->json, sizeof e->json,
             "{\"AccessKeyId\":\"ASIACONTAINER%04d\",\"SecretAccessKey\":\"" C_SECRET
             "\",\"Token\":\"" C_TOKEN
             "\",\"Expiration\":\"%s\",\"RoleArn\":\"arn:aws:iam::123456789012:role/r\"}",
             e->fetches, exp);
    r->body = e->json;
}

static void set_full_uri(const ats_server *s, const char *host)
{
    char url[128];
    snprintf(url, sizeof url, "http://%s:%d/v1/credentials", host, s->port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
}

/* ------------------------------------------------------------------ environment */

static void environment_provider(void **state)
{
    (void)state;
    clear_env();
    lambda_aws_credentials_provider *p;
    assert_int_equal(lambda_aws_credentials_provider_new_environment(&p), LAMBDA_OK);
    lambda_aws_credentials *c, *c2;
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_E_CONFIG);
    assert_null(c);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV0001", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "AKIAENV0001");
    assert_null(lambda_aws_credentials_session_token(c));
    /* Unchanged environment: the same object (and so its signing-key cache). */
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c2), LAMBDA_OK);
    assert_ptr_equal(c, c2);
    lambda_aws_credentials_unref(c2);
    /* Changed: a new object; the old one stays valid for its holder. */
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c2), LAMBDA_OK);
    assert_ptr_not_equal(c, c2);
    assert_string_equal(lambda_aws_credentials_session_token(c2), "envtoken");
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "AKIAENV0001");
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_unref(c2);
    lambda_aws_credentials_provider_free(p);
    clear_env();
}

/* ------------------------------------------------------------------ container endpoint */

static void container_provider(void **state)
{
    (void)state;
    clear_env();
    endpoint e = { .expire_in_ms = 3600 * 1000 };
    ats_server s;
    assert_int_equal(ats_start(&s, endpoint_handler, &e), 0);
    set_full_uri(&s, "127.0.0.1");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", AUTH_TOKEN, 1);
    lambda_aws_credentials_provider *p;
    assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
    lambda_aws_credentials *c, *c2;
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "ASIACONTAINER0001");
    assert_string_equal(lambda_aws_credentials_session_token(c), C_TOKEN);
    int64_t left = lambda_aws_credentials_expiration_ms(c) - ats_now_ms_for_tests();
    assert_true(left > 3590 * 1000 && left <= 3600 * 1000);
    assert_string_equal(e.auth, AUTH_TOKEN);
    /* Valid for an hour: cached, no second fetch. */
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c2), LAMBDA_OK);
    assert_ptr_equal(c, c2);
    assert_int_equal(e.fetches, 1);
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_unref(c2);
    lambda_aws_credentials_provider_free(p);

    /* The token file wins over the variable, and is re-read on every fetch. */
    char path[256];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/lambda-c-aws-token-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : P_tmpdir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "file-token-1\n", 13), 13);
    close(fd);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path, 1);
    e.expire_in_ms = 60 * 1000; /* within the refresh window: every get fetches */
    assert_int_equal(lambda_aws_credentials_provider_new_default(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_OK);
    assert_string_equal(e.auth, "file-token-1");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("file-token-2", f);
    fclose(f);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c2), LAMBDA_OK);
    assert_string_equal(e.auth, "file-token-2");
    assert_ptr_not_equal(c, c2); /* refreshed */
    assert_int_equal(e.fetches, 3);
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_unref(c2);

    /* Refresh fails while the cached keys are still valid: they keep being used. */
    e.status = 500;
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "ASIACONTAINER0003");
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_provider_free(p);

    /* A token with a line break is refused (header injection). */
    f = fopen(path, "w");
    fputs("bad\r\ntoken", f);
    fclose(f);
    e.status = 0;
    assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_E_CONFIG);
    lambda_aws_credentials_provider_free(p);
    unlink(path);
    /* A missing token file is a configuration error. */
    assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_E_CONFIG);
    lambda_aws_credentials_provider_free(p);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    ats_stop(&s);
    clear_env();
}

static void container_errors(void **state)
{
    (void)state;
    clear_env();
    endpoint e = { .expire_in_ms = 3600 * 1000 };
    ats_server s;
    assert_int_equal(ats_start(&s, endpoint_handler, &e), 0);
    lambda_aws_credentials_provider *p;
    lambda_aws_credentials *c;
    struct {
        int status;
        const char *body;
        lambda_code want;
        int fetches;
    } cases[] = {
        { 404, "{\"code\":\"NotFound\"}", LAMBDA_E_HTTP_STATUS, 1 },
        { 500, "{}", LAMBDA_E_HTTP_STATUS, 3 }, /* retried */
        { 0, "not json", LAMBDA_E_INVALID_JSON, 1 },
        { 0, "{\"AccessKeyId\":\"A\"}", LAMBDA_E_PROTOCOL, 1 },
        { 0, "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"tomorrow\"}",
          LAMBDA_E_PROTOCOL, 1 },
    };
    set_full_uri(&s, "localhost");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        e.status = cases[i].status;
        e.body = cases[i].body;
        e.fetches = 0;
        assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
        assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), cases[i].want);
        assert_null(c);
        assert_int_equal(e.fetches, cases[i].fetches);
        lambda_aws_credentials_provider_free(p);
    }
    /* Plain http to anything but loopback / the ECS and EKS addresses is refused. */
    const char *refused[] = { "http://10.0.0.1/creds", "http://example.com:80/",
                              "http://user@127.0.0.1/", "ftp://127.0.0.1/" };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused[i], 1);
        assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
        assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_E_CONFIG);
        lambda_aws_credentials_provider_free(p);
    }
    /* Not configured at all. */
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    assert_int_equal(lambda_aws_credentials_provider_new_default(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_E_CONFIG);
    assert_non_null(strstr(lambda_aws_last_error(), "AWS_ACCESS_KEY_ID"));
    lambda_aws_credentials_provider_free(p);
    /* A deadline already passed. */
    set_full_uri(&s, "127.0.0.1");
    e.status = 0;
    e.body = NULL;
    assert_int_equal(lambda_aws_credentials_provider_new_container(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, ats_now_ms_for_tests() - 1, &c),
                     LAMBDA_E_TIMEOUT);
    lambda_aws_credentials_provider_free(p);
    ats_stop(&s);
    clear_env();
}

/* The default chain prefers the environment over the container endpoint. */
static void default_chain(void **state)
{
    (void)state;
    clear_env();
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/never", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV0002", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
    lambda_aws_credentials_provider *p;
    lambda_aws_credentials *c;
    assert_int_equal(lambda_aws_credentials_provider_new_default(&p), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_get(p, 0, &c), LAMBDA_OK);
    assert_string_equal(lambda_aws_credentials_access_key_id(c), "AKIAENV0002");
    lambda_aws_credentials_unref(c);
    lambda_aws_credentials_provider_free(p);
    clear_env();
}

static void iso8601(void **state)
{
    (void)state;
    assert_true(lc_parse_iso8601_ms("1970-01-01T00:00:00Z") == 0);
    assert_true(lc_parse_iso8601_ms("2015-08-30T12:36:00Z") == 1440938160000LL);
    assert_true(lc_parse_iso8601_ms("2015-08-30T12:36:00.250Z") == 1440938160250LL);
    assert_true(lc_parse_iso8601_ms("2015-08-30T14:36:00+02:00") == 1440938160000LL);
    assert_true(lc_parse_iso8601_ms("2015-08-30 12:36:00Z") == 1440938160000LL);
    assert_true(lc_parse_iso8601_ms("2015-08-30T12:36:00") == -1);
    assert_true(lc_parse_iso8601_ms("2015-13-30T12:36:00Z") == -1);
    assert_true(lc_parse_iso8601_ms("yesterday") == -1);
    assert_true(lc_parse_iso8601_ms(NULL) == -1);
}

/* ------------------------------------------------------------------ logs */

/* With AWS_LAMBDA_LOG_LEVEL=TRACE (both log formats), fetching container credentials and
 * signing and sending requests with them logs plenty but no secret: not the secret key,
 * not the session token, not the authorization token. */
static void request_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    if (strstr(req->target, "/v1/credentials")) {
        endpoint_handler(s, req, r);
        return;
    }
    r->body = "{}";
}

static void trace_logs_have_no_secrets(void **state)
{
    (void)state;
    const char *formats[] = { "Text", "JSON" };
    for (int k = 0; k < 2; k++) {
        clear_env();
        endpoint e = { .expire_in_ms = 60 * 1000 };
        ats_server s;
        assert_int_equal(ats_start(&s, request_handler, &e), 0);
        set_full_uri(&s, "127.0.0.1");
        setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", AUTH_TOKEN, 1);
        setenv("AWS_LAMBDA_LOG_LEVEL", "TRACE", 1);
        lc_log_reload_settings();
        setenv("AWS_LAMBDA_LOG_FORMAT", formats[k], 1);
        lc_log_reload_settings();
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);
        lambda_aws_client_options o = { .region = "us-east-1", .endpoint_url = url };
        ats_capture cap;
        assert_int_equal(ats_capture_start(&cap), 0);
        lambda_aws_client *c = NULL;
        lambda_code rc = lambda_aws_client_new(&o, &c);
        for (int i = 0; rc == LAMBDA_OK && i < 2; i++) {
            lambda_aws_request req = {
                .service = "dynamodb", .method = "POST", .path = "/", .body = "{}", .body_len = 2
            };
            lambda_aws_response *r = NULL;
            rc = lambda_aws_client_send(c, &req, &r);
            lambda_aws_response_free(r);
        }
        /* A failing refresh logs a warning: no secret in it either. */
        e.status = 500;
        lambda_aws_request req = {
            .service = "dynamodb", .method = "POST", .path = "/", .body = "{}", .body_len = 2
        };
        lambda_aws_response *r = NULL;
        lambda_code rc2 = lambda_aws_client_send(c, &req, &r);
        lambda_aws_response_free(r);
        lambda_aws_client_free(c);
        char *out = ats_capture_end(&cap);
        ats_stop(&s);
        assert_int_equal(rc, LAMBDA_OK);
        assert_int_equal(rc2, LAMBDA_OK);
        assert_non_null(out);
        assert_true(e.fetches >= 3); /* credentials fetched and refreshed */
        assert_non_null(strstr(out, "credentials from the container endpoint"));
        assert_non_null(strstr(out, "canonical request"));
        assert_non_null(strstr(out, "refreshing credentials failed"));
        if (k == 1)
            assert_non_null(strstr(out, "{\"timestamp\":\""));
        assert_null(strstr(out, C_SECRET));
        assert_null(strstr(out, C_TOKEN));
        assert_null(strstr(out, AUTH_TOKEN));
        assert_null(strstr(out, "ASIACONTAINER0001")); /* access key ids are masked too */
        free(out);
    }
    clear_env();
}

int main(void)
{
    alarm(120);
    clear_env();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(environment_provider),
        cmocka_unit_test(container_provider),
        cmocka_unit_test(container_errors),
        cmocka_unit_test(default_chain),
        cmocka_unit_test(iso8601),
        cmocka_unit_test(trace_logs_have_no_secrets),
    };
    return cmocka_run_group_tests_name("aws-credentials", tests, NULL, NULL);
}
