/*
 * sdk/aws/credentials.c - credentials objects (with their signing-key cache) and providers:
 * environment, container credentials endpoint, static, and the default chain.
 */
#include "aws/internal.h"
#include "util/json_check.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#define KEY_CACHE_SLOTS 4
#define REFRESH_BEFORE_MS (5 * 60 * 1000)
#define FETCH_TIMEOUT_MS 5000
#define FETCH_CONNECT_TIMEOUT_MS 1000
#define FETCH_ATTEMPTS 3

typedef struct key_slot {
    int used;
    char date[9];
    char region[48];
    char service[48];
    unsigned char key[32];
} key_slot;

struct lambda_aws_credentials {
    atomic_int refs;
    char *access_key_id;
    char *secret;
    char *token;
    int64_t expiration_ms;
    pthread_mutex_t lock; /* guards slots and next_slot */
    key_slot slots[KEY_CACHE_SLOTS];
    unsigned next_slot;
};

/* ------------------------------------------------------------------ credentials */

static void free_secret(char *s)
{
    if (!s)
        return;
    lc_wipe(s, strlen(s));
    free(s);
}

lambda_code lambda_aws_credentials_new(const char *access_key_id, const char *secret_access_key,
                                       const char *session_token, int64_t expiration_ms,
                                       lambda_aws_credentials **out)
{
    if (out)
        *out = NULL;
    if (!out || !access_key_id || !*access_key_id || !secret_access_key || !*secret_access_key)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "credentials: access key id and secret are required");
    if (strpbrk(access_key_id, "/\r\n ,") || (session_token && strpbrk(session_token, "\r\n")))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "credentials: malformed access key id or session token");
    lambda_aws_credentials *c = calloc(1, sizeof *c);
    if (!c)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    atomic_init(&c->refs, 1);
    c->access_key_id = strdup(access_key_id);
    c->secret = strdup(secret_access_key);
    c->token = (session_token && *session_token) ? strdup(session_token) : NULL;
    c->expiration_ms = expiration_ms;
    if (!c->access_key_id || !c->secret || (session_token && *session_token && !c->token)) {
        free(c->access_key_id);
        free_secret(c->secret);
        free_secret(c->token);
        free(c);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return LAMBDA_OK;
}

lambda_aws_credentials *lambda_aws_credentials_ref(lambda_aws_credentials *c)
{
    if (c)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void lambda_aws_credentials_unref(lambda_aws_credentials *c)
{
    if (!c)
        return;
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(c->access_key_id);
    free_secret(c->secret);
    free_secret(c->token);
    lc_wipe(c->slots, sizeof c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const char *lambda_aws_credentials_access_key_id(const lambda_aws_credentials *c)
{
    return c ? c->access_key_id : NULL;
}

const char *lambda_aws_credentials_session_token(const lambda_aws_credentials *c)
{
    return c ? c->token : NULL;
}

int64_t lambda_aws_credentials_expiration_ms(const lambda_aws_credentials *c)
{
    return c ? c->expiration_ms : 0;
}

lambda_code lc_credentials_signing_key(const lambda_aws_credentials *cc, const char *date,
                                       const char *region, const char *service,
                                       unsigned char key[32])
{
    /* The cache lives in the (otherwise immutable) object; the lock makes it thread-safe. */
    lambda_aws_credentials *c = (lambda_aws_credentials *)cc;
    int cacheable =
        strlen(region) < sizeof c->slots[0].region && strlen(service) < sizeof c->slots[0].service;
    if (cacheable) {
        pthread_mutex_lock(&c->lock);
        for (int i = 0; i < KEY_CACHE_SLOTS; i++) {
            key_slot *s = &c->slots[i];
            if (s->used && !strcmp(s->date, date) && !strcmp(s->region, region) &&
                !strcmp(s->service, service)) {
                memcpy(key, s->key, 32);
                pthread_mutex_unlock(&c->lock);
                return LAMBDA_OK;
            }
        }
        pthread_mutex_unlock(&c->lock);
    }

    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
    size_t sl = strlen(c->secret);
    unsigned char *k0 = malloc(sl + 4);
    if (!k0)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, c->secret, sl);
    unsigned char a[32], b[32];
    lambda_code rc = lc_hmac_sha256(k0, sl + 4, date, strlen(date), a);
    lc_wipe(k0, sl + 4);
    free(k0);
    if (!rc)
        rc = lc_hmac_sha256(a, 32, region, strlen(region), b);
    if (!rc)
        rc = lc_hmac_sha256(b, 32, service, strlen(service), a);
    if (!rc)
        rc = lc_hmac_sha256(a, 32, "aws4_request", 12, b);
    if (!rc)
        memcpy(key, b, 32);
    lc_wipe(a, sizeof a);
    lc_wipe(b, sizeof b);
    if (rc)
        return rc;

    if (cacheable) {
        pthread_mutex_lock(&c->lock);
        key_slot *s = &c->slots[c->next_slot++ % KEY_CACHE_SLOTS];
        s->used = 1;
        snprintf(s->date, sizeof s->date, "%s", date);
        snprintf(s->region, sizeof s->region, "%s", region);
        snprintf(s->service, sizeof s->service, "%s", service);
        memcpy(s->key, key, 32);
        pthread_mutex_unlock(&c->lock);
    }
    return LAMBDA_OK;
}

/* ------------------------------------------------------------------ providers */

enum provider_kind { P_DEFAULT, P_ENV, P_CONTAINER, P_STATIC };

struct lambda_aws_credentials_provider {
    enum provider_kind kind;
    enum provider_kind resolved; /* P_DEFAULT until the chain has decided */
    pthread_mutex_t lock;
    lambda_aws_credentials *cached;
};

static lambda_code provider_new(enum provider_kind kind, lambda_aws_credentials_provider **out)
{
    if (!out)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "credentials provider: NULL out");
    *out = NULL;
    lambda_aws_credentials_provider *p = calloc(1, sizeof *p);
    if (!p)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    p->kind = kind;
    p->resolved = kind;
    pthread_mutex_init(&p->lock, NULL);
    *out = p;
    return LAMBDA_OK;
}

lambda_code lambda_aws_credentials_provider_new_default(lambda_aws_credentials_provider **out)
{
    return provider_new(P_DEFAULT, out);
}

lambda_code lambda_aws_credentials_provider_new_environment(lambda_aws_credentials_provider **out)
{
    return provider_new(P_ENV, out);
}

lambda_code lambda_aws_credentials_provider_new_container(lambda_aws_credentials_provider **out)
{
    return provider_new(P_CONTAINER, out);
}

lambda_code lambda_aws_credentials_provider_new_static(lambda_aws_credentials *creds,
                                                       lambda_aws_credentials_provider **out)
{
    if (!creds) {
        if (out)
            *out = NULL;
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "credentials provider: NULL credentials");
    }
    lambda_code rc = provider_new(P_STATIC, out);
    if (rc == LAMBDA_OK)
        (*out)->cached = lambda_aws_credentials_ref(creds);
    return rc;
}

void lambda_aws_credentials_provider_free(lambda_aws_credentials_provider *p)
{
    if (!p)
        return;
    lambda_aws_credentials_unref(p->cached);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The access key id with its middle hidden, for log lines. */
static void mask_key_id(const char *id, char out[32])
{
    size_t n = strlen(id);
    if (n <= 8)
        snprintf(out, 32, "****");
    else
        snprintf(out, 32, "%.4s****%s", id, id + n - 4);
}

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

static int same_str(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && !strcmp(a, b);
}

/* Environment credentials; reuses the cached object (and its key cache) while unchanged. */
static lambda_code get_env(lambda_aws_credentials_provider *p, lambda_aws_credentials **out)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    if (!id || !*id || !secret || !*secret)
        return lc_fail(LAMBDA_E_CONFIG,
                       "no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    lambda_aws_credentials *c = p->cached;
    if (c && !strcmp(c->access_key_id, id) && !strcmp(c->secret, secret) &&
        same_str(token, c->token)) {
        *out = lambda_aws_credentials_ref(c);
        return LAMBDA_OK;
    }
    lambda_aws_credentials *fresh;
    lambda_code rc = lambda_aws_credentials_new(id, secret, token, 0, &fresh);
    if (rc)
        return rc;
    lambda_aws_credentials_unref(p->cached);
    p->cached = fresh;
    char masked[32];
    mask_key_id(id, masked);
    lc_log(LC_LOG_DEBUG, "credentials from the environment (access key id %s%s)", masked,
           fresh->token ? ", with session token" : "");
    *out = lambda_aws_credentials_ref(fresh);
    return LAMBDA_OK;
}

/*
 * Whether s is a dotted quad in canonical form, 127.x.x.x: four decimal numbers of 1 to 3
 * digits, none with a leading zero, each at most 255. libcurl (like inet_aton) also takes
 * octal (0127 is 87), hex (0x7f), short forms (127.1) and one 32-bit number: any of those
 * could read as loopback here and connect elsewhere, so they are refused, not interpreted.
 */
static int canonical_loopback_v4(const char *s)
{
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.')
            return 0;
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
            return 0;
        unsigned v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (unsigned)(s[i] - '0');
        if (v > 255 || (part == 0 && v != 127))
            return 0;
        s += n;
    }
    return *s == '\0';
}

/* Whether an http:// FULL_URI host is one the AWS SDKs accept (loopback or ECS/EKS), written
 * exactly as libcurl will connect to it. */
static int allowed_http_host(const char *host)
{
    if (!strcmp(host, "localhost") || !strcmp(host, "169.254.170.2") ||
        !strcmp(host, "169.254.170.23") || !strcmp(host, "[::1]") ||
        !strcasecmp(host, "[fd00:ec2::23]"))
        return 1;
    return canonical_loopback_v4(host);
}

/* Splits "scheme://host[:port]/..." far enough to check the scheme and host. */
lambda_code lc_credentials_check_full_uri(const char *uri)
{
    int https = !strncasecmp(uri, "https://", 8);
    int http = !strncasecmp(uri, "http://", 7);
    if (!https && !http)
        return lc_fail(LAMBDA_E_CONFIG,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http or https URL");
    if (https)
        return LAMBDA_OK;
    const char *h = uri + 7;
    size_t n = strcspn(h, "/?#");
    char host[128];
    if (n == 0 || n >= sizeof host)
        return lc_fail(LAMBDA_E_CONFIG, "AWS_CONTAINER_CREDENTIALS_FULL_URI has no valid host");
    memcpy(host, h, n);
    host[n] = '\0';
    if (strchr(host, '@'))
        return lc_fail(LAMBDA_E_CONFIG,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI may not contain user information");
    /* Drop the port (after the last ':' unless inside an IPv6 literal). */
    char *end = host[0] == '[' ? strchr(host, ']') : NULL;
    char *colon = strrchr(end ? end : host, ':');
    if (colon) {
        /* The port: decimal digits only (libcurl refuses anything else too). */
        if (colon[1] && strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return lc_fail(LAMBDA_E_CONFIG, "AWS_CONTAINER_CREDENTIALS_FULL_URI has a bad port");
        *colon = '\0';
    }
    if (!allowed_http_host(host))
        return lc_fail(LAMBDA_E_CONFIG,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI over http must use a loopback host or "
                       "169.254.170.2/169.254.170.23/fd00:ec2::23, not %s",
                       host);
    return LAMBDA_OK;
}

/* The authorization token: the file wins over the variable. *out is malloc'd (a secret). */
static lambda_code read_auth_token(char **out)
{
    *out = NULL;
    const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (file && *file) {
        FILE *f = fopen(file, "re");
        if (!f)
            return lc_fail(LAMBDA_E_CONFIG,
                           "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", file,
                           strerror(errno));
        lc_buf b;
        lc_buf_init(&b);
        char chunk[512];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 16384)
            lc_buf_append(&b, chunk, n);
        int err = ferror(f);
        fclose(f);
        lc_wipe(chunk, sizeof chunk);
        if (err || b.failed) {
            if (b.data)
                lc_wipe(b.data, b.len);
            lc_buf_free(&b);
            return lc_fail(LAMBDA_E_CONFIG, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s",
                           file);
        }
        while (b.len && isspace((unsigned char)b.data[b.len - 1]))
            b.data[--b.len] = '\0';
        *out = lc_buf_take(&b);
    } else {
        const char *v = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (v && *v)
            *out = strdup(v);
        else
            return LAMBDA_OK; /* no token: the endpoint may not need one */
    }
    if (!*out)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    if (strpbrk(*out, "\r\n")) {
        free_secret(*out);
        *out = NULL;
        return lc_fail(LAMBDA_E_CONFIG, "the container authorization token contains a line break");
    }
    return LAMBDA_OK;
}

static const char *json_str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

lambda_code lc_credentials_parse_container(const char *body, size_t len,
                                           lambda_aws_credentials **out)
{
    json_object *root = NULL;
    lc_json_result parsed = lc_json_parse_document(body, len, &root);
    if (parsed == LC_JSON_NO_MEMORY)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    if (parsed != LC_JSON_PARSED || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return lc_fail(LAMBDA_E_INVALID_JSON,
                       "container credentials: the answer is not a JSON object");
    }
    const char *id = json_str(root, "AccessKeyId");
    const char *secret = json_str(root, "SecretAccessKey");
    const char *token = json_str(root, "Token");
    const char *exp = json_str(root, "Expiration");
    lambda_code rc;
    if (!id || !secret) {
        rc = lc_fail(LAMBDA_E_PROTOCOL,
                     "container credentials: AccessKeyId or SecretAccessKey missing");
    } else {
        int64_t exp_ms = 0;
        if (exp && (exp_ms = lc_parse_iso8601_ms(exp)) < 0) {
            rc = lc_fail(LAMBDA_E_PROTOCOL, "container credentials: malformed Expiration");
        } else {
            rc = lambda_aws_credentials_new(id, secret, token, exp_ms, out);
        }
    }
    /* Wipe the secrets json-c holds before freeing. */
    json_object *v;
    if (json_object_object_get_ex(root, "SecretAccessKey", &v) &&
        json_object_is_type(v, json_type_string))
        lc_wipe((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
    if (json_object_object_get_ex(root, "Token", &v) && json_object_is_type(v, json_type_string))
        lc_wipe((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
    json_object_put(root);
    return rc;
}

/* The endpoint's URL into url: the relative URI (ECS) wins over the full one, as in the SDKs. */
static lambda_code container_url(lc_buf *url)
{
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (rel && *rel) {
        lc_buf_printf(url, "http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel);
    } else if (full && *full) {
        lambda_code rc = lc_credentials_check_full_uri(full);
        if (rc)
            return rc;
        lc_buf_puts(url, full);
    } else {
        return lc_fail(LAMBDA_E_CONFIG,
                       "no credentials: neither AWS_CONTAINER_CREDENTIALS_FULL_URI nor "
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set");
    }
    return url->failed ? lc_fail(LAMBDA_E_NO_MEMORY, "out of memory") : LAMBDA_OK;
}

/* One GET of the endpoint within left ms; *retry says whether another attempt may help. */
static lambda_code container_attempt(CURL *h, lc_https_exchange *ex, int64_t left, int *retry,
                                     lambda_aws_credentials **out)
{
    ex->timeout_ms = (long)left;
    ex->connect_timeout_ms =
        left < FETCH_CONNECT_TIMEOUT_MS ? (long)left : FETCH_CONNECT_TIMEOUT_MS;
    lc_https_result res;
    lambda_code rc = lc_https_perform(h, ex, &res);
    *retry = 0;
    if (rc == LAMBDA_OK) {
        if (res.status == 200) {
            rc = lc_credentials_parse_container(res.body.data ? res.body.data : "", res.body.len,
                                                out);
        } else {
            rc = lc_fail(LAMBDA_E_HTTP_STATUS, "container credentials endpoint answered HTTP %ld",
                         res.status);
            *retry = res.status >= 500 || res.status == 429;
        }
    } else {
        *retry = rc == LAMBDA_E_CONNECT || rc == LAMBDA_E_IO || rc == LAMBDA_E_TIMEOUT;
    }
    if (res.body.data)
        lc_wipe(res.body.data, res.body.len);
    lc_https_result_free(&res);
    return rc;
}

/* Up to FETCH_ATTEMPTS GETs with jittered pauses, within FETCH_TIMEOUT_MS and the deadline. */
static lambda_code container_fetch_retrying(CURL *h, lc_https_exchange *ex, int64_t deadline_ms,
                                            lambda_aws_credentials **out)
{
    int64_t start = lc_clock_monotonic_ms();
    lambda_code rc = LAMBDA_E_TIMEOUT;
    for (int attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
        int64_t left = FETCH_TIMEOUT_MS - (lc_clock_monotonic_ms() - start);
        if (deadline_ms > 0 && deadline_ms - lc_clock_realtime_ms() < left)
            left = deadline_ms - lc_clock_realtime_ms();
        if (left <= 0)
            return lc_fail(LAMBDA_E_TIMEOUT, "container credentials: deadline reached");
        int retry;
        rc = container_attempt(h, ex, left, &retry, out);
        if (rc == LAMBDA_OK || !retry || attempt == FETCH_ATTEMPTS)
            break;
        lc_sleep_ms((int64_t)(lc_random_unit() * (double)(50 << attempt)));
    }
    return rc;
}

static lambda_code fetch_container(int64_t deadline_ms, lambda_aws_credentials **out)
{
    *out = NULL;
    lc_buf url;
    lc_buf_init(&url);
    char *token = NULL;
    lambda_code rc = container_url(&url);
    if (!rc)
        rc = read_auth_token(&token);
    const lc_curl_api *api = rc ? NULL : lc_curl();
    CURL *h = api ? api->easy_init() : NULL;
    if (!rc && !h)
        rc = api ? lc_fail(LAMBDA_E_NO_MEMORY, "curl_easy_init failed") : LAMBDA_E_LOAD;
    if (rc) {
        free_secret(token);
        lc_buf_free(&url);
        return rc;
    }
    lambda_aws_header hdrs[2] = { { "Authorization", token }, { "Accept", "application/json" } };
    lc_https_exchange ex;
    memset(&ex, 0, sizeof ex);
    ex.method = "GET";
    ex.url = url.data;
    ex.headers = token ? hdrs : hdrs + 1;
    ex.header_count = token ? 2 : 1;
    ex.max_buffer = 64 * 1024;
    rc = container_fetch_retrying(h, &ex, deadline_ms, out);
    api->easy_cleanup(h);
    free_secret(token);
    lc_buf_free(&url);
    if (rc == LAMBDA_OK) {
        char masked[32];
        mask_key_id((*out)->access_key_id, masked);
        lc_log(LC_LOG_DEBUG,
               "credentials from the container endpoint (access key id %s, expire in %lld s)",
               masked,
               (*out)->expiration_ms
                   ? (long long)(((*out)->expiration_ms - lc_clock_realtime_ms()) / 1000)
                   : -1LL);
    }
    return rc;
}

static lambda_code get_container(lambda_aws_credentials_provider *p, int64_t deadline_ms,
                                 lambda_aws_credentials **out)
{
    lambda_aws_credentials *c = p->cached;
    int64_t now = lc_clock_realtime_ms();
    if (c && (c->expiration_ms == 0 || now < c->expiration_ms - REFRESH_BEFORE_MS)) {
        *out = lambda_aws_credentials_ref(c);
        return LAMBDA_OK;
    }
    lambda_aws_credentials *fresh = NULL;
    lambda_code rc = fetch_container(deadline_ms, &fresh);
    if (rc == LAMBDA_OK) {
        lambda_aws_credentials_unref(p->cached);
        p->cached = fresh;
        *out = lambda_aws_credentials_ref(fresh);
        return LAMBDA_OK;
    }
    if (c && now < c->expiration_ms) {
        lc_log(LC_LOG_WARN,
               "refreshing credentials failed (%s); the current ones stay valid for %lld s",
               lambda_aws_last_error(), (long long)((c->expiration_ms - now) / 1000));
        *out = lambda_aws_credentials_ref(c);
        return LAMBDA_OK;
    }
    return rc;
}

lambda_code lambda_aws_credentials_provider_get(lambda_aws_credentials_provider *p,
                                                int64_t deadline_ms, lambda_aws_credentials **out)
{
    if (out)
        *out = NULL;
    if (!p || !out)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "credentials provider: NULL argument");
    pthread_mutex_lock(&p->lock);
    lambda_code rc;
    if (p->resolved == P_DEFAULT) {
        if (env_set("AWS_ACCESS_KEY_ID") && env_set("AWS_SECRET_ACCESS_KEY"))
            p->resolved = P_ENV;
        else if (env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI") ||
                 env_set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
            p->resolved = P_CONTAINER;
    }
    switch (p->resolved) {
    case P_ENV:
        rc = get_env(p, out);
        break;
    case P_CONTAINER:
        rc = get_container(p, deadline_ms, out);
        break;
    case P_STATIC:
        *out = lambda_aws_credentials_ref(p->cached);
        rc = LAMBDA_OK;
        break;
    default:
        rc = lc_fail(LAMBDA_E_CONFIG,
                     "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI");
        break;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}
