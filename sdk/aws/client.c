/*
 * sdk/aws/client.c - the AWS client: endpoints, connection pool, signing, retries.
 */
#include "aws/internal.h"
#include "util/json_check.h"
#include "aws/client_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "lambda-c/version.h"

#define POOL_MAX 16
#define ERROR_BODY_MAX (1024 * 1024)

struct lambda_aws_client {
    char *region;
    char *endpoint_url; /* options.endpoint_url, or NULL */
    lambda_aws_credentials_provider *creds;
    int owns_creds;
    int max_attempts;
    int64_t base_delay_ms, throttle_delay_ms, max_backoff_ms;
    long connect_timeout_ms, timeout_ms;
    int s3_path_style;

    pthread_mutex_t lock; /* guards pool, pool_n, share */
    CURL *pool[POOL_MAX];
    size_t pool_n;
    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    char user_agent[64];
};

struct lambda_aws_response {
    int status;
    lambda_aws_header *headers;
    size_t header_count;
    lc_buf body;
    char *error_code;
    char *error_message;
    int attempts;
    long connects;
};

/* ------------------------------------------------------------------ client */

lambda_code lambda_aws_client_new(const lambda_aws_client_options *o, lambda_aws_client **out)
{
    if (!out)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client: NULL out");
    *out = NULL;
    lambda_aws_client_options defaults;
    memset(&defaults, 0, sizeof defaults);
    if (!o)
        o = &defaults;
    if (o->max_attempts < 0 || o->retry_base_delay_ms < 0 || o->throttle_base_delay_ms < 0 ||
        o->max_backoff_ms < 0 || o->connect_timeout_ms < 0 || o->timeout_ms < 0)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client: negative option");
    const char *region = o->region;
    if (!region || !*region)
        region = getenv("AWS_REGION");
    if (!region || !*region)
        region = getenv("AWS_DEFAULT_REGION");
    if (!region || !*region)
        return lc_fail(LAMBDA_E_CONFIG,
                       "client: no region (options.region, AWS_REGION, AWS_DEFAULT_REGION)");
    for (const char *p = region; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return lc_fail(LAMBDA_E_CONFIG, "client: malformed region");

    lambda_aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    c->region = strdup(region);
    c->endpoint_url = (o->endpoint_url && *o->endpoint_url) ? strdup(o->endpoint_url) : NULL;
    if (!c->region || (o->endpoint_url && *o->endpoint_url && !c->endpoint_url)) {
        lambda_aws_client_free(c);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    if (o->credentials) {
        c->creds = o->credentials;
    } else {
        lambda_code rc = lambda_aws_credentials_provider_new_default(&c->creds);
        if (rc) {
            lambda_aws_client_free(c);
            return rc;
        }
        c->owns_creds = 1;
    }
    c->max_attempts = o->max_attempts ? o->max_attempts : 3;
    c->base_delay_ms = o->retry_base_delay_ms ? o->retry_base_delay_ms : 100;
    c->throttle_delay_ms = o->throttle_base_delay_ms ? o->throttle_base_delay_ms : 500;
    c->max_backoff_ms = o->max_backoff_ms ? o->max_backoff_ms : 20000;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 3000;
    c->timeout_ms = o->timeout_ms ? o->timeout_ms : 60000;
    c->s3_path_style = o->s3_path_style != 0;
    pthread_mutex_init(&c->lock, NULL);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_locks[i], NULL);
    snprintf(c->user_agent, sizeof c->user_agent, "lambda-c/%s lambda-c-aws",
             LAMBDA_C_VERSION_STRING);
    *out = c;
    return LAMBDA_OK;
}

void lambda_aws_client_free(lambda_aws_client *c)
{
    if (!c)
        return;
    if (c->pool_n || c->share) {
        const lc_curl_api *api = lc_curl(); /* loaded, since handles exist */
        for (size_t i = 0; i < c->pool_n; i++)
            api->easy_cleanup(c->pool[i]);
        if (c->share)
            api->share_cleanup(c->share);
    }
    if (c->owns_creds)
        lambda_aws_credentials_provider_free(c->creds);
    pthread_mutex_destroy(&c->lock);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_locks[i]);
    free(c->region);
    free(c->endpoint_url);
    free(c);
}

const char *lambda_aws_client_region(const lambda_aws_client *c)
{
    return c ? c->region : NULL;
}

/* ------------------------------------------------------------------ endpoints */

void lc_endpoint_free(lc_endpoint *ep)
{
    free(ep->scheme);
    free(ep->host);
    free(ep->base_path);
    memset(ep, 0, sizeof *ep);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses scheme://host[:port][/path] into ep (default ports dropped, path decoded). */
static lambda_code parse_endpoint(const char *url, const char *what, lc_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    const char *sep = strstr(url, "://");
    if (!sep)
        return lc_fail(LAMBDA_E_CONFIG, "%s is not a URL: %s", what, url);
    size_t sl = (size_t)(sep - url);
    int https = sl == 5 && !strncasecmp(url, "https", 5);
    int http = sl == 4 && !strncasecmp(url, "http", 4);
    if (!https && !http)
        return lc_fail(LAMBDA_E_CONFIG, "%s must be http or https: %s", what, url);
    const char *h = sep + 3;
    size_t hl = strcspn(h, "/?#");
    if (hl == 0)
        return lc_fail(LAMBDA_E_CONFIG, "%s has no host: %s", what, url);
    if (memchr(h, '@', hl))
        return lc_fail(LAMBDA_E_CONFIG, "%s may not contain user information", what);
    const char *rest = h + hl;
    if (*rest == '?' || *rest == '#' || strpbrk(rest, "?#"))
        return lc_fail(LAMBDA_E_CONFIG, "%s may not contain a query or fragment: %s", what, url);
    for (size_t i = 0; i < hl; i++)
        if ((unsigned char)h[i] <= ' ' || h[i] == '\\')
            return lc_fail(LAMBDA_E_CONFIG, "%s has a malformed host: %s", what, url);
    ep->https = https;
    ep->scheme = strdup(https ? "https" : "http");
    /* Drop the scheme's default port: the Host header (and so the signature) omits it. */
    size_t keep = hl;
    const char *default_port = https ? ":443" : ":80";
    size_t dpl = strlen(default_port);
    if (hl > dpl && !strncmp(h + hl - dpl, default_port, dpl) && h[hl - dpl - 1] != ':')
        keep = hl - dpl;
    ep->host = lc_strndup(h, keep);
    /* The path prefix, decoded (the signer encodes it again), without a trailing '/'. */
    lc_buf p;
    lc_buf_init(&p);
    for (const char *s = rest; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            lc_buf_putc(&p, (char)(hexval(s[1]) * 16 + hexval(s[2])));
            s += 2;
        } else {
            lc_buf_putc(&p, *s);
        }
    }
    while (p.len && p.data[p.len - 1] == '/')
        p.data[--p.len] = '\0';
    if (!p.data)
        lc_buf_puts(&p, "");
    ep->base_path = lc_buf_take(&p);
    if (!ep->scheme || !ep->host || !ep->base_path) {
        lc_endpoint_free(ep);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    for (char *s = ep->host; *s; s++)
        *s = (char)tolower((unsigned char)*s);
    return LAMBDA_OK;
}

lambda_code lc_resolve_endpoint(const lambda_aws_client *c, const char *service, lc_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    if (!service || !*service || strlen(service) > 64)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client: missing or too long service name");
    for (const char *p = service; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client: malformed service name %s", service);

    if (c->endpoint_url) {
        lambda_code rc = parse_endpoint(c->endpoint_url, "options.endpoint_url", ep);
        ep->overridden = 1;
        return rc;
    }
    const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!(ignore && !strcasecmp(ignore, "true"))) {
        char var[96] = "AWS_ENDPOINT_URL_";
        size_t n = strlen(var);
        for (const char *p = service; *p && n + 1 < sizeof var; p++)
            var[n++] = (*p == '-' || *p == ' ') ? '_' : (char)toupper((unsigned char)*p);
        var[n] = '\0';
        const char *v = getenv(var);
        const char *which = var;
        if (!v || !*v) {
            v = getenv("AWS_ENDPOINT_URL");
            which = "AWS_ENDPOINT_URL";
        }
        if (v && *v) {
            lambda_code rc = parse_endpoint(v, which, ep);
            ep->overridden = 1;
            return rc;
        }
    }
    const char *suffix = !strncmp(c->region, "cn-", 3) ? "amazonaws.com.cn" : "amazonaws.com";
    lc_buf u;
    lc_buf_init(&u);
    lc_buf_printf(&u, "https://%s.%s.%s", service, c->region, suffix);
    char *url = lc_buf_take(&u);
    if (!url)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    lambda_code rc = parse_endpoint(url, "endpoint", ep);
    free(url);
    return rc;
}

lambda_code lambda_aws_client_endpoint(const lambda_aws_client *c, const char *service, char **url)
{
    if (url)
        *url = NULL;
    if (!c || !url)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client_endpoint: NULL argument");
    lc_endpoint ep;
    lambda_code rc = lc_resolve_endpoint(c, service, &ep);
    if (rc)
        return rc;
    lc_buf b;
    lc_buf_init(&b);
    lc_buf_printf(&b, "%s://%s", ep.scheme, ep.host);
    lc_uri_encode(&b, ep.base_path, strlen(ep.base_path), 1);
    lc_endpoint_free(&ep);
    *url = lc_buf_take(&b);
    return *url ? LAMBDA_OK : lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
}

int lc_client_s3_path_style(const lambda_aws_client *c)
{
    return c->s3_path_style;
}

lambda_aws_credentials_provider *lc_client_credentials(const lambda_aws_client *c)
{
    return c->creds;
}

/* ------------------------------------------------------------------ connection pool */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
    (void)h;
    (void)access;
    lambda_aws_client *c = userp;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
    (void)h;
    lambda_aws_client *c = userp;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&c->share_locks[data]);
}

/*
 * The pool keeps idle easy handles; each owns a connection cache, so a handle taken back
 * by the next call finds its keep-alive connection (and TLS session) still open. LIFO, so
 * a single-threaded function always gets the same, warm handle. DNS answers and TLS
 * session tickets are shared between handles through a curl share object (connections
 * themselves are not shared across threads: libcurl does not support that concurrently).
 */
static CURL *pool_take(lambda_aws_client *c, const lc_curl_api *api)
{
    pthread_mutex_lock(&c->lock);
    if (!c->share) {
        CURLSH *sh = api->share_init();
        if (sh) {
            api->share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
            api->share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
            api->share_setopt(sh, CURLSHOPT_USERDATA, c);
            api->share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
            api->share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
            c->share = sh;
        }
    }
    CURL *h = c->pool_n ? c->pool[--c->pool_n] : NULL;
    pthread_mutex_unlock(&c->lock);
    if (!h)
        h = api->easy_init();
    return h;
}

static void pool_give(lambda_aws_client *c, const lc_curl_api *api, CURL *h, int broken)
{
    if (!broken) {
        pthread_mutex_lock(&c->lock);
        if (c->pool_n < POOL_MAX) {
            c->pool[c->pool_n++] = h;
            h = NULL;
        }
        pthread_mutex_unlock(&c->lock);
    }
    if (h)
        api->easy_cleanup(h);
}

/* ------------------------------------------------------------------ errors and retries */

static char *xml_tag(const char *body, const char *tag)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(body, open);
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (!b)
        return NULL;
    return lc_strndup(a, (size_t)(b - a));
}

/* Fills r->error_code / error_message from the X-Amzn-ErrorType header or the body. */
static void parse_error(lambda_aws_response *r)
{
    const char *body = r->body.data ? r->body.data : "";
    const char *hdr = lambda_aws_response_header(r, "x-amzn-errortype");
    if (hdr && *hdr)
        r->error_code = lc_strndup(hdr, strcspn(hdr, ":"));
    const char *p = body;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (*p == '{') {
        json_object *root = NULL;
        lc_json_parse_document(p, strlen(p), &root);
        if (root && json_object_is_type(root, json_type_object)) {
            static const char *const code_keys[] = { "__type", "code", "Code" };
            static const char *const msg_keys[] = { "message", "Message", "errorMessage" };
            json_object *v;
            for (size_t i = 0; !r->error_code && i < 3; i++) {
                if (json_object_object_get_ex(root, code_keys[i], &v) &&
                    json_object_is_type(v, json_type_string)) {
                    const char *s = json_object_get_string(v);
                    const char *hash = strrchr(s, '#');
                    r->error_code = strdup(hash ? hash + 1 : s);
                }
            }
            for (size_t i = 0; !r->error_message && i < 3; i++)
                if (json_object_object_get_ex(root, msg_keys[i], &v) &&
                    json_object_is_type(v, json_type_string))
                    r->error_message = strdup(json_object_get_string(v));
        }
        json_object_put(root);
    } else if (*p == '<') {
        if (!r->error_code)
            r->error_code = xml_tag(body, "Code");
        r->error_message = xml_tag(body, "Message");
    }
}

static int is_throttle(const char *code)
{
    static const char *const codes[] = { "Throttling",
                                         "ThrottlingException",
                                         "ThrottledException",
                                         "RequestThrottledException",
                                         "TooManyRequestsException",
                                         "ProvisionedThroughputExceededException",
                                         "TransactionInProgressException",
                                         "RequestLimitExceeded",
                                         "BandwidthLimitExceeded",
                                         "LimitExceededException",
                                         "RequestThrottled",
                                         "SlowDown",
                                         "PriorRequestNotComplete",
                                         "EC2ThrottledException" };
    if (!code)
        return 0;
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (!strcmp(code, codes[i]))
            return 1;
    return 0;
}

static int is_transient(const char *code)
{
    static const char *const codes[] = { "RequestTimeout", "RequestTimeoutException",
                                         "InternalError", "InternalFailure", "ServiceUnavailable" };
    if (!code)
        return 0;
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (!strcmp(code, codes[i]))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ responses */

int lambda_aws_response_status(const lambda_aws_response *r)
{
    return r ? r->status : 0;
}

const char *lambda_aws_response_header(const lambda_aws_response *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->header_count; i++)
        if (lc_strcaseeq(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

size_t lambda_aws_response_header_count(const lambda_aws_response *r)
{
    return r ? r->header_count : 0;
}

lambda_code lambda_aws_response_header_at(const lambda_aws_response *r, size_t i, const char **name,
                                          const char **value)
{
    if (!r || !name || !value || i >= r->header_count)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "response header index out of range");
    *name = r->headers[i].name;
    *value = r->headers[i].value;
    return LAMBDA_OK;
}

const char *lambda_aws_response_body(const lambda_aws_response *r, size_t *len)
{
    if (len)
        *len = r ? r->body.len : 0;
    if (!r || !r->body.data)
        return "";
    return r->body.data;
}

const char *lambda_aws_response_error_code(const lambda_aws_response *r)
{
    return r ? r->error_code : NULL;
}

const char *lambda_aws_response_error_message(const lambda_aws_response *r)
{
    return r ? r->error_message : NULL;
}

int lambda_aws_response_attempts(const lambda_aws_response *r)
{
    return r ? r->attempts : 0;
}

long lambda_aws_response_connects(const lambda_aws_response *r)
{
    return r ? r->connects : 0;
}

void lambda_aws_response_free(lambda_aws_response *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->header_count; i++) {
        free((char *)r->headers[i].name);
        free((char *)r->headers[i].value);
    }
    free(r->headers);
    lc_buf_free(&r->body);
    free(r->error_code);
    free(r->error_message);
    free(r);
}

/* ------------------------------------------------------------------ send */

static int sensitive_name(const char *name, size_t len)
{
    static const char *const words[] = { "token",      "secret",    "key",     "authorization",
                                         "credential", "signature", "password" };
    char low[128];
    if (len >= sizeof low)
        len = sizeof low - 1;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[len] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(low, words[i]))
            return 1;
    return 0;
}

/* The canonical request with the values of secret-looking headers and query parameters
 * (session token, SSE-C keys, ...) replaced, for TRACE logs. */
static char *redacted_canonical_request(const char *creq)
{
    lc_buf b;
    lc_buf_init(&b);
    int line = 0;
    const char *p = creq;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (line == 2) {
            /* query: name=value&... */
            const char *q = p, *end = p + len;
            while (q < end) {
                const char *amp = memchr(q, '&', (size_t)(end - q));
                const char *pe = amp ? amp : end;
                const char *eq = memchr(q, '=', (size_t)(pe - q));
                if (eq && sensitive_name(q, (size_t)(eq - q))) {
                    lc_buf_append(&b, q, (size_t)(eq - q) + 1);
                    lc_buf_puts(&b, "<redacted>");
                } else {
                    lc_buf_append(&b, q, (size_t)(pe - q));
                }
                if (amp)
                    lc_buf_putc(&b, '&');
                q = amp ? amp + 1 : end;
            }
        } else if (line >= 3) {
            const char *colon = memchr(p, ':', len);
            if (colon && sensitive_name(p, (size_t)(colon - p))) {
                lc_buf_append(&b, p, (size_t)(colon - p) + 1);
                lc_buf_puts(&b, "<redacted>");
            } else {
                lc_buf_append(&b, p, len);
            }
        } else {
            lc_buf_append(&b, p, len);
        }
        if (!eol)
            break;
        lc_buf_putc(&b, '\n');
        p = eol + 1;
        line++;
    }
    return lc_buf_take(&b);
}

static int forbidden_header(const char *name)
{
    static const char *const names[] = { "host",       "content-length", "authorization",
                                         "x-amz-date", "expect",         "transfer-encoding" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (lc_strcaseeq(name, names[i]))
            return 1;
    return 0;
}

static lambda_code finish_response(lc_https_result *res, int attempts, long connects,
                                   lambda_aws_response **out)
{
    lambda_aws_response *r = calloc(1, sizeof *r);
    if (!r)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    r->status = (int)res->status;
    r->headers = res->headers;
    r->header_count = res->header_count;
    res->headers = NULL;
    res->header_count = 0;
    r->body = res->body;
    lc_buf_init(&res->body);
    r->attempts = attempts;
    r->connects = connects;
    if (r->status < 200 || r->status >= 300)
        parse_error(r);
    *out = r;
    return LAMBDA_OK;
}

/* One lambda_aws_client_send in progress: what stays the same over its attempts. */
typedef struct send_state {
    lambda_aws_client *c;
    const lambda_aws_request *req;
    const lc_curl_api *api;
    lc_endpoint ep;
    lc_buf host, path; /* the signed host and path (the endpoint's own prefix first) */
    const char *rp;    /* the request's path, for messages */
    int streamed;      /* the body comes from a callback */
    unsigned flags;    /* for the signer */
    char payload_hash[65];
    lc_https_exchange ex;
    CURL *h;
    int attempts;
    long connects;
    lc_https_result res;
    int have_res;
} send_state;

static lambda_code check_send_args(const lambda_aws_client *c, const lambda_aws_request *req,
                                   lambda_aws_response **out)
{
    if (!c || !req || !out || !req->method || !*req->method)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client_send: NULL argument or no method");
    if ((req->body_len && !req->body) || (req->body && req->body_read) ||
        (req->header_count && !req->headers) || (req->query_count && !req->query))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "client_send: inconsistent body, headers or query");
    for (const char *m = req->method; *m; m++)
        if (!isupper((unsigned char)*m))
            return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client_send: bad method");
    for (size_t i = 0; i < req->header_count; i++) {
        if (!req->headers[i].name || !req->headers[i].value)
            return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                           "client_send: header %zu has no name or value", i);
        if (forbidden_header(req->headers[i].name))
            return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "client_send: header %s is set by the client",
                           req->headers[i].name);
    }
    return LAMBDA_OK;
}

/* Host, path, payload hash (once for all attempts), the exchange and a pooled handle. */
static lambda_code send_prepare(send_state *s)
{
    const lambda_aws_request *req = s->req;
    if (req->host_prefix)
        lc_buf_puts(&s->host, req->host_prefix);
    lc_buf_puts(&s->host, s->ep.host);
    lc_buf_puts(&s->path, s->ep.base_path);
    s->rp = req->path && *req->path ? req->path : "/";
    if (s->rp[0] != '/')
        lc_buf_putc(&s->path, '/');
    lc_buf_puts(&s->path, s->rp);
    if (s->host.failed || s->path.failed)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    s->streamed = req->body_read != NULL;
    s->flags = req->sigv4_flags;
    lambda_code rc = LAMBDA_OK;
    if (s->streamed)
        s->flags |= LAMBDA_AWS_SIGV4_UNSIGNED_PAYLOAD;
    else if (!(s->flags & LAMBDA_AWS_SIGV4_UNSIGNED_PAYLOAD))
        rc = lc_sha256_hex(req->body, req->body_len, s->payload_hash);
    lc_https_exchange *ex = &s->ex;
    ex->method = req->method;
    ex->headers = req->headers;
    ex->header_count = req->header_count;
    ex->has_body = s->streamed || req->body || !strcmp(req->method, "POST") ||
                   !strcmp(req->method, "PUT") || !strcmp(req->method, "PATCH");
    ex->body = req->body;
    ex->body_read = req->body_read;
    ex->body_read_ctx = req->body_ctx;
    ex->body_len = s->streamed ? req->body_stream_len : req->body_len;
    ex->sink = req->response_write;
    ex->sink_ctx = req->response_ctx;
    ex->connect_timeout_ms = s->c->connect_timeout_ms;
    if (rc)
        return rc;
    s->h = pool_take(s->c, s->api);
    ex->share = s->c->share; /* after pool_take, which creates the share on first use */
    return s->h ? LAMBDA_OK : lc_fail(LAMBDA_E_NO_MEMORY, "curl_easy_init failed");
}

/* This attempt's timeouts: the client's, cut to what is left before the deadline. */
static lambda_code attempt_timeouts(send_state *s)
{
    long timeout = s->c->timeout_ms;
    if (s->req->deadline_ms > 0) {
        int64_t left = s->req->deadline_ms - lc_clock_realtime_ms();
        if (left <= 0)
            return lc_fail(LAMBDA_E_TIMEOUT, "%s %s %s: deadline reached before attempt %d",
                           s->req->service, s->req->method, s->rp, s->attempts);
        if (left < timeout)
            timeout = (long)left;
    }
    s->ex.timeout_ms = timeout;
    if (s->ex.connect_timeout_ms > timeout)
        s->ex.connect_timeout_ms = timeout;
    return LAMBDA_OK;
}

/* Signs the request with the provider's current credentials (fresh for every attempt). */
static lambda_code attempt_sign(send_state *s, lambda_aws_signature **sig)
{
    lambda_aws_credentials *creds = NULL;
    lambda_code rc = lambda_aws_credentials_provider_get(s->c->creds, s->req->deadline_ms, &creds);
    if (rc)
        return rc;
    lambda_aws_sigv4_request sr;
    memset(&sr, 0, sizeof sr);
    sr.method = s->req->method;
    sr.host = s->host.data;
    sr.path = s->path.data;
    sr.query = s->req->query;
    sr.query_count = s->req->query_count;
    sr.headers = s->req->headers;
    sr.header_count = s->req->header_count;
    sr.payload_hash = s->payload_hash[0] ? s->payload_hash : NULL;
    sr.region = s->c->region;
    sr.service = s->req->service;
    sr.flags = s->flags;
    rc = lambda_aws_sigv4_sign(creds, &sr, sig);
    lambda_aws_credentials_unref(creds);
    if (rc == LAMBDA_OK && lc_log_enabled(LC_LOG_TRACE)) {
        char *red = redacted_canonical_request(lambda_aws_signature_canonical_request(*sig));
        lc_log(LC_LOG_TRACE, "canonical request:\n%s\nstring to sign:\n%s",
               red ? red : "(no memory)", lambda_aws_signature_string_to_sign(*sig));
        free(red);
    }
    return rc;
}

/* The URL of the signed request into url; the signature's headers and User-Agent into
 * extra (room for 12), their count returned. */
static size_t signed_url(const send_state *s, const lambda_aws_signature *sig, lc_buf *url,
                         lambda_aws_header extra[12])
{
    lc_buf_printf(url, "%s://%s%s", s->ep.scheme, s->host.data, lambda_aws_signature_path(sig));
    const char *q = lambda_aws_signature_query(sig);
    if (q && *q) {
        lc_buf_putc(url, '?');
        lc_buf_puts(url, q);
    }
    size_t nh = lambda_aws_signature_header_count(sig);
    size_t ne = 0;
    for (size_t i = 0; i < nh && ne < 11; i++) {
        lambda_aws_signature_header(sig, i, &extra[ne].name, &extra[ne].value);
        ne++;
    }
    extra[ne].name = "User-Agent";
    extra[ne].value = s->c->user_agent;
    return ne + 1;
}

/* Whether the attempt's outcome (rc, s->res) is worth another try; *throttled for the delay.
 * An HTTP error is recorded as the last error. */
static int attempt_retryable(send_state *s, lambda_code rc, int *throttled)
{
    const lambda_aws_request *req = s->req;
    const lc_https_result *res = &s->res;
    *throttled = 0;
    if (rc != LAMBDA_OK) {
        if (rc == LAMBDA_E_TIMEOUT && req->deadline_ms > 0 &&
            lc_clock_realtime_ms() >= req->deadline_ms)
            return 0;
        return (rc == LAMBDA_E_CONNECT || rc == LAMBDA_E_IO || rc == LAMBDA_E_TIMEOUT) &&
               !res->streamed;
    }
    /* Peek at the error code to classify it. */
    lambda_aws_response tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.headers = res->headers;
    tmp.header_count = res->header_count;
    tmp.body = res->body;
    parse_error(&tmp);
    *throttled = res->status == 429 || is_throttle(tmp.error_code);
    int retry = *throttled || res->status == 500 || res->status == 502 || res->status == 503 ||
                res->status == 504 || is_transient(tmp.error_code);
    lc_fail(LAMBDA_E_HTTP_STATUS, "%s %s %s: HTTP %ld %s%s%s", req->service, req->method, s->rp,
            res->status, tmp.error_code ? tmp.error_code : "", tmp.error_message ? ": " : "",
            tmp.error_message ? tmp.error_message : "");
    free(tmp.error_code);
    free(tmp.error_message);
    return retry;
}

/* One signed exchange. *done: the outcome is final (success, or no retry). */
static lambda_code send_attempt(send_state *s, int *done, int *throttled)
{
    *done = 1;
    *throttled = 0;
    s->attempts++;
    if (s->have_res) {
        lc_https_result_free(&s->res);
        s->have_res = 0;
    }
    lambda_aws_signature *sig = NULL;
    lambda_code rc = attempt_timeouts(s);
    if (!rc)
        rc = attempt_sign(s, &sig);
    if (rc)
        return rc;
    lc_buf url;
    lc_buf_init(&url);
    lambda_aws_header extra[12];
    s->ex.extra_headers = extra;
    s->ex.extra_header_count = signed_url(s, sig, &url, extra);
    if (url.failed) {
        lambda_aws_signature_free(sig);
        lc_buf_free(&url);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    s->ex.url = url.data;
    s->ex.max_buffer = s->req->response_write ? ERROR_BODY_MAX : 0;
    rc = lc_https_perform(s->h, &s->ex, &s->res);
    s->have_res = 1;
    lambda_aws_signature_free(sig);
    lc_buf_free(&url);
    s->ex.url = NULL;
    s->ex.extra_headers = NULL;
    s->connects += s->res.connects;
    if (rc == LAMBDA_OK && s->res.status >= 200 && s->res.status < 300)
        return LAMBDA_OK;
    int retry = attempt_retryable(s, rc, throttled);
    if (rc == LAMBDA_OK)
        rc = LAMBDA_E_HTTP_STATUS;
    if (!retry || s->attempts >= s->c->max_attempts || s->res.streamed)
        return rc;
    if (s->streamed && (!s->req->body_rewind || s->req->body_rewind(s->req->body_ctx) != LAMBDA_OK))
        return rc;
    *done = 0;
    return rc;
}

/* The pause before attempt s->attempts + 1 (full jitter, doubling, capped), or -1 when it
 * would pass the deadline. */
static int64_t retry_delay(const send_state *s, int throttled)
{
    const lambda_aws_client *c = s->c;
    int64_t base = throttled ? c->throttle_delay_ms : c->base_delay_ms;
    int64_t cap = base;
    for (int i = 1; i < s->attempts && cap < c->max_backoff_ms; i++)
        cap *= 2;
    if (cap > c->max_backoff_ms)
        cap = c->max_backoff_ms;
    int64_t delay = (int64_t)(lc_random_unit() * (double)cap);
    if (s->req->deadline_ms > 0 && lc_clock_realtime_ms() + delay >= s->req->deadline_ms)
        return -1;
    return delay;
}

/* Attempts until one is final; the outcome in s->res (when an exchange happened). */
static lambda_code send_with_retries(send_state *s)
{
    for (;;) {
        int done, throttled;
        lambda_code rc = send_attempt(s, &done, &throttled);
        if (done)
            return rc;
        int64_t delay = retry_delay(s, throttled);
        if (delay < 0)
            return rc;
        lc_log(LC_LOG_DEBUG, "%s %s %s: attempt %d failed (%s), retrying in %lld ms",
               s->req->service, s->req->method, s->rp, s->attempts, lambda_aws_last_error(),
               (long long)delay);
        lc_sleep_ms(delay);
    }
}

lambda_code lambda_aws_client_send(lambda_aws_client *c, const lambda_aws_request *req,
                                   lambda_aws_response **out)
{
    if (out)
        *out = NULL;
    lambda_code rc = check_send_args(c, req, out);
    if (rc)
        return rc;
    lc_set_error_code(NULL);
    send_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.req = req;
    s.rp = req->path && *req->path ? req->path : "/";
    rc = lc_resolve_endpoint(c, req->service, &s.ep);
    if (rc)
        return rc;
    s.api = lc_curl();
    if (!s.api) {
        lc_endpoint_free(&s.ep);
        return LAMBDA_E_LOAD;
    }
    lc_buf_init(&s.host);
    lc_buf_init(&s.path);
    int64_t started = lc_clock_monotonic_ms();
    rc = send_prepare(&s);
    if (rc == LAMBDA_OK)
        rc = send_with_retries(&s);
    if (s.h)
        pool_give(c, s.api, s.h, 0);
    if (s.have_res && (rc == LAMBDA_OK || rc == LAMBDA_E_HTTP_STATUS)) {
        lambda_code frc = finish_response(&s.res, s.attempts, s.connects, out);
        if (frc)
            rc = frc;
    }
    if (s.have_res)
        lc_https_result_free(&s.res);
    if (rc == LAMBDA_E_HTTP_STATUS && *out)
        lc_set_error_code((*out)->error_code);
    lc_log(LC_LOG_DEBUG, "%s %s %s -> %d in %lld ms (attempts %d, new connections %ld)%s%s",
           req->service, req->method, s.rp, *out ? (*out)->status : 0,
           (long long)(lc_clock_monotonic_ms() - started), s.attempts, s.connects, rc ? ": " : "",
           rc ? lambda_aws_last_error() : "");
    if (rc == LAMBDA_OK)
        lc_clear_error();
    lc_buf_free(&s.host);
    lc_buf_free(&s.path);
    lc_endpoint_free(&s.ep);
    return rc;
}
