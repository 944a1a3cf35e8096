/*
 * sdk/aws/http.c - one HTTP exchange over a libcurl easy handle, and the CA bundle lookup.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ------------------------------------------------------------------ CA bundle */

static pthread_once_t ca_once = PTHREAD_ONCE_INIT;
static const char *ca_path;

const char *lc_ca_bundle_select(const char *ssl_cert_file)
{
    static const char *const candidates[] = {
        "/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux, RHEL */
        "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
    };
    if (ssl_cert_file && *ssl_cert_file)
        return ssl_cert_file;
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

static void find_ca(void)
{
    const char *p = lc_ca_bundle_select(getenv("SSL_CERT_FILE"));
    ca_path = p ? strdup(p) : NULL;
}

const char *lc_ca_bundle(void)
{
    pthread_once(&ca_once, find_ca);
    return ca_path;
}

/* ------------------------------------------------------------------ transfer */

typedef struct transfer {
    const lc_https_exchange *ex;
    lc_https_result *res;
    size_t header_cap;
    uint64_t sent; /* body bytes handed to curl */
    int in_final_headers;
} transfer;

static void clear_headers(lc_https_result *res)
{
    for (size_t i = 0; i < res->header_count; i++) {
        free((char *)res->headers[i].name);
        free((char *)res->headers[i].value);
    }
    res->header_count = 0;
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    transfer *t = userdata;
    lc_https_result *res = t->res;
    size_t n = size * nitems;
    size_t len = n;
    while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
        len--;
    if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
        /* A new status line (after 1xx, or a fresh attempt): start over. */
        clear_headers(res);
        const char *sp = memchr(data, ' ', len);
        res->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        return n;
    }
    if (len == 0)
        return n;
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return n;
    if (res->header_count == t->header_cap) {
        size_t cap = t->header_cap ? t->header_cap * 2 : 16;
        lambda_aws_header *p = realloc(res->headers, cap * sizeof *p);
        if (!p)
            return 0;
        res->headers = p;
        t->header_cap = cap;
    }
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *name = lc_strndup(data, (size_t)(colon - data));
    char *value = lc_strndup(v, (size_t)(end - v));
    if (!name || !value) {
        free(name);
        free(value);
        return 0;
    }
    res->headers[res->header_count].name = name;
    res->headers[res->header_count].value = value;
    res->header_count++;
    return n;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    lc_https_result *res = t->res;
    if (res->status >= 200 && res->status < 300 && t->ex->sink) {
        lambda_code rc = t->ex->sink(t->ex->sink_ctx, data, n);
        res->streamed = 1;
        if (rc != LAMBDA_OK) {
            res->sink_error = rc;
            return 0; /* CURLE_WRITE_ERROR */
        }
        return n;
    }
    size_t take = n;
    if (t->ex->max_buffer && res->body.len + take > t->ex->max_buffer)
        take = res->body.len < t->ex->max_buffer ? t->ex->max_buffer - res->body.len : 0;
    lc_buf_append(&res->body, data, take);
    if (res->body.failed) {
        res->sink_error = LAMBDA_E_NO_MEMORY;
        return 0;
    }
    return n;
}

static size_t on_read(char *buffer, size_t size, size_t nitems, void *userdata)
{
    transfer *t = userdata;
    const lc_https_exchange *ex = t->ex;
    size_t cap = size * nitems;
    uint64_t left = ex->body_len - t->sent;
    if (left == 0)
        return 0;
    if (cap > left)
        cap = (size_t)left;
    if (ex->body_read) {
        size_t got = 0;
        lambda_code rc = ex->body_read(ex->body_read_ctx, buffer, cap, &got);
        if (rc != LAMBDA_OK) {
            t->res->sink_error = rc;
            return CURL_READFUNC_ABORT;
        }
        if (got > cap)
            got = cap;
        if (got == 0) {
            /* The stream ended before the announced length: the server would wait forever. */
            t->res->sink_error = LAMBDA_E_INVALID_ARGUMENT;
            return CURL_READFUNC_ABORT;
        }
        t->sent += got;
        return got;
    }
    memcpy(buffer, (const char *)ex->body + t->sent, cap);
    t->sent += cap;
    return cap;
}

static int on_seek(void *userdata, curl_off_t offset, int origin)
{
    transfer *t = userdata;
    if (origin != SEEK_SET || offset != 0)
        return CURL_SEEKFUNC_CANTSEEK;
    if (t->ex->body_read) {
        /* Streamed bodies are rewound by the retry loop, which knows the callback. */
        return CURL_SEEKFUNC_CANTSEEK;
    }
    t->sent = 0;
    return CURL_SEEKFUNC_OK;
}

static lambda_code map_curl_error(const lc_curl_api *api, CURLcode cc, const lc_https_exchange *ex,
                                  const char *errbuf)
{
    const char *why = errbuf && *errbuf ? errbuf : api->easy_strerror(cc);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
        return lc_fail(LAMBDA_E_CONNECT, "%s %s: %s (curl %d)", ex->method, ex->url, why, (int)cc);
    case CURLE_OPERATION_TIMEDOUT:
        return lc_fail(LAMBDA_E_TIMEOUT, "%s %s: %s", ex->method, ex->url, why);
    case CURLE_OUT_OF_MEMORY:
        return lc_fail(LAMBDA_E_NO_MEMORY, "%s %s: out of memory", ex->method, ex->url);
    default:
        return lc_fail(LAMBDA_E_IO, "%s %s: %s (curl %d)", ex->method, ex->url, why, (int)cc);
    }
}

lambda_code lc_https_perform(void *curl_handle, const lc_https_exchange *ex, lc_https_result *res)
{
    const lc_curl_api *api = lc_curl();
    if (!api)
        return LAMBDA_E_LOAD;
    CURL *h = curl_handle;
    memset(res, 0, sizeof *res);
    lc_buf_init(&res->body);

    transfer t;
    memset(&t, 0, sizeof t);
    t.ex = ex;
    t.res = res;

    struct curl_slist *list = NULL;
    lc_buf line;
    lc_buf_init(&line);
    lambda_code rc = LAMBDA_OK;
    for (size_t pass = 0; pass < 2 && rc == LAMBDA_OK; pass++) {
        const lambda_aws_header *hs = pass ? ex->extra_headers : ex->headers;
        size_t n = pass ? ex->extra_header_count : ex->header_count;
        for (size_t i = 0; i < n; i++) {
            line.len = 0;
            if (hs[i].value && *hs[i].value)
                lc_buf_printf(&line, "%s: %s", hs[i].name, hs[i].value);
            else
                lc_buf_printf(&line, "%s;", hs[i].name); /* curl's syntax for an empty value */
            struct curl_slist *nl = line.failed ? NULL : api->slist_append(list, line.data);
            if (!nl) {
                rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
                break;
            }
            list = nl;
        }
    }
    /* No "Expect: 100-continue" round trip, no "Accept: * / *" noise. */
    if (rc == LAMBDA_OK) {
        struct curl_slist *nl = api->slist_append(list, "Expect:");
        if (nl)
            list = nl;
        else
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    lc_buf_free(&line);
    if (rc) {
        api->slist_free_all(list);
        return rc;
    }

    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    api->easy_reset(h);
    api->easy_setopt(h, CURLOPT_URL, ex->url);
    api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    api->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    api->easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    api->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    api->easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    api->easy_setopt(h, CURLOPT_HTTPHEADER, list);
    api->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    api->easy_setopt(h, CURLOPT_HEADERDATA, &t);
    api->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    api->easy_setopt(h, CURLOPT_WRITEDATA, &t);
    if (ex->share)
        api->easy_setopt(h, CURLOPT_SHARE, ex->share);
    if (ex->timeout_ms > 0)
        api->easy_setopt(h, CURLOPT_TIMEOUT_MS, ex->timeout_ms);
    if (ex->connect_timeout_ms > 0)
        api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ex->connect_timeout_ms);
    const char *ca = lc_ca_bundle();
    if (ca)
        api->easy_setopt(h, CURLOPT_CAINFO, ca);

    if (ex->has_body) {
        api->easy_setopt(h, CURLOPT_UPLOAD, 1L);
        api->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)ex->body_len);
        api->easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        api->easy_setopt(h, CURLOPT_READDATA, &t);
        api->easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
        api->easy_setopt(h, CURLOPT_SEEKDATA, &t);
        if (strcmp(ex->method, "PUT") != 0)
            api->easy_setopt(h, CURLOPT_CUSTOMREQUEST, ex->method);
    } else if (!strcmp(ex->method, "HEAD")) {
        api->easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        api->easy_setopt(h, CURLOPT_HTTPGET, 1L);
        if (strcmp(ex->method, "GET") != 0)
            api->easy_setopt(h, CURLOPT_CUSTOMREQUEST, ex->method);
    }

    CURLcode cc = api->easy_perform(h);
    long connects = 0;
    api->easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    res->connects = connects;
    long status = 0;
    api->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status)
        res->status = status;
    res->curl_code = (int)cc;
    /* The handle keeps pointers to our stack: drop them before returning. */
    api->easy_setopt(h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    api->easy_setopt(h, CURLOPT_ERRORBUFFER, (char *)NULL);
    api->slist_free_all(list);

    if (cc != CURLE_OK) {
        if (res->sink_error != LAMBDA_OK &&
            (cc == CURLE_WRITE_ERROR || cc == CURLE_ABORTED_BY_CALLBACK ||
             cc == CURLE_READ_ERROR)) {
            if (res->sink_error == LAMBDA_E_INVALID_ARGUMENT && ex->body_read)
                return lc_fail(res->sink_error, "%s %s: request body ended before %llu bytes",
                               ex->method, ex->url, (unsigned long long)ex->body_len);
            return lc_fail(res->sink_error, "%s %s: aborted by a body callback (%d)", ex->method,
                           ex->url, (int)res->sink_error);
        }
        return map_curl_error(api, cc, ex, errbuf);
    }
    return LAMBDA_OK;
}

void lc_https_result_free(lc_https_result *res)
{
    if (!res)
        return;
    clear_headers(res);
    free(res->headers);
    res->headers = NULL;
    lc_buf_free(&res->body);
}

const char *lc_https_header(const lc_https_result *res, const char *name)
{
    for (size_t i = 0; i < res->header_count; i++)
        if (lc_strcaseeq(res->headers[i].name, name))
            return res->headers[i].value;
    return NULL;
}
