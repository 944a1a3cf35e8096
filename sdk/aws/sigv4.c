/*
 * sdk/aws/sigv4.c - AWS Signature Version 4: canonical request, string to sign, signature,
 * header signing and presigned URLs.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

struct lambda_aws_signature {
    char *canonical_request;
    char *string_to_sign;
    char *signature;
    char *authorization; /* NULL when presigned */
    char *signed_headers;
    char *scope;
    char *amz_date;
    char *payload_hash;
    char *path;
    char *query;
    char *host;
    char **add_names;
    char **add_values;
    size_t add_count;
};

/* One header as it enters the canonical form. */
typedef struct canon_header {
    char *name;  /* lowercase */
    char *value; /* trimmed, inner spaces collapsed */
    size_t order;
} canon_header;

typedef struct canon_param {
    char *name;  /* encoded */
    char *value; /* encoded */
} canon_param;

typedef struct sign_state {
    canon_header *headers;
    size_t header_count, header_cap;
    canon_param *params;
    size_t param_count, param_cap;
    lambda_aws_signature *sig;
    size_t add_cap;
} sign_state;

static void state_free(sign_state *st)
{
    for (size_t i = 0; i < st->header_count; i++) {
        free(st->headers[i].name);
        free(st->headers[i].value);
    }
    free(st->headers);
    for (size_t i = 0; i < st->param_count; i++) {
        free(st->params[i].name);
        free(st->params[i].value);
    }
    free(st->params);
}

void lambda_aws_signature_free(lambda_aws_signature *s)
{
    if (!s)
        return;
    free(s->canonical_request);
    free(s->string_to_sign);
    free(s->signature);
    free(s->authorization);
    free(s->signed_headers);
    free(s->scope);
    free(s->amz_date);
    free(s->payload_hash);
    free(s->path);
    free(s->query);
    free(s->host);
    for (size_t i = 0; i < s->add_count; i++) {
        /* Values may hold the session token: wipe them. */
        if (s->add_values[i])
            lc_wipe(s->add_values[i], strlen(s->add_values[i]));
        free(s->add_names[i]);
        free(s->add_values[i]);
    }
    free(s->add_names);
    free(s->add_values);
    free(s);
}

/* Trims the value and collapses runs of spaces/tabs into one space. */
static char *canonical_value(const char *v)
{
    size_t n = strlen(v);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (c == ' ' || c == '\t') {
            if (o > 0)
                pending_space = 1;
            continue;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

static lambda_code add_canon_header(sign_state *st, const char *name, const char *value)
{
    if (st->header_count == st->header_cap) {
        size_t cap = st->header_cap ? st->header_cap * 2 : 16;
        canon_header *p = realloc(st->headers, cap * sizeof *p);
        if (!p)
            return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        st->headers = p;
        st->header_cap = cap;
    }
    size_t nl = strlen(name);
    char *ln = malloc(nl + 1);
    char *cv = canonical_value(value);
    if (!ln || !cv) {
        free(ln);
        free(cv);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i <= nl; i++)
        ln[i] = (char)tolower((unsigned char)name[i]);
    st->headers[st->header_count].name = ln;
    st->headers[st->header_count].value = cv;
    st->headers[st->header_count].order = st->header_count;
    st->header_count++;
    return LAMBDA_OK;
}

static lambda_code add_param(sign_state *st, const char *name, const char *value)
{
    if (st->param_count == st->param_cap) {
        size_t cap = st->param_cap ? st->param_cap * 2 : 16;
        canon_param *p = realloc(st->params, cap * sizeof *p);
        if (!p)
            return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        st->params = p;
        st->param_cap = cap;
    }
    lc_buf n, v;
    lc_buf_init(&n);
    lc_buf_init(&v);
    lc_uri_encode(&n, name, strlen(name), 0);
    if (value)
        lc_uri_encode(&v, value, strlen(value), 0);
    char *ns = lc_buf_take(&n), *vs = lc_buf_take(&v);
    if (!ns || !vs) {
        free(ns);
        free(vs);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    st->params[st->param_count].name = ns;
    st->params[st->param_count].value = vs;
    st->param_count++;
    return LAMBDA_OK;
}

static lambda_code add_output_header(sign_state *st, const char *name, const char *value)
{
    lambda_aws_signature *s = st->sig;
    if (s->add_count == st->add_cap) {
        size_t cap = st->add_cap ? st->add_cap * 2 : 8;
        char **n = realloc(s->add_names, cap * sizeof *n);
        if (!n)
            return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        s->add_names = n;
        char **v = realloc(s->add_values, cap * sizeof *v);
        if (!v)
            return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        s->add_values = v;
        st->add_cap = cap;
    }
    char *dn = lc_strdup(name), *dv = lc_strdup(value);
    if (!dn || !dv) {
        free(dn);
        free(dv);
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    s->add_names[s->add_count] = dn;
    s->add_values[s->add_count] = dv;
    s->add_count++;
    return LAMBDA_OK;
}

/* Appends the NULL-terminated list of strings to b (the hot path avoids printf). */
static void buf_cat(lc_buf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *))
        lc_buf_puts(b, p);
    va_end(ap);
}

static int cmp_header(const void *a, const void *b)
{
    const canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_param(const void *a, const void *b)
{
    const canon_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return strcmp(x->value, y->value);
}

/* Headers that are not signed: they are added or changed on the way (proxies, curl). */
static int unsigned_header(const char *name)
{
    static const char *const skip[] = { "authorization",   "user-agent", "expect",
                                        "x-amzn-trace-id", "connection", "transfer-encoding" };
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (lc_strcaseeq(name, skip[i]))
            return 1;
    return 0;
}

static int is_amz_date(const char *s)
{
    if (strlen(s) != 16)
        return 0;
    for (int i = 0; i < 16; i++) {
        if (i == 8) {
            if (s[i] != 'T')
                return 0;
        } else if (i == 15) {
            if (s[i] != 'Z')
                return 0;
        } else if (!isdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int valid_payload_hash(const char *h)
{
    if (!strcmp(h, UNSIGNED_PAYLOAD))
        return 1;
    size_t n = strlen(h);
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)h[i]))
            return 0;
    return 1;
}

/* Removes "." and empty segments and applies ".." (RFC 3986 5.2.4, plus "//" -> "/");
 * a trailing slash is kept. Appends the result to out. */
static void normalize_path(lc_buf *out, const char *path)
{
    size_t n = strlen(path);
    /* Segment boundaries of the output, to pop on "..". */
    size_t *starts = malloc((n / 2 + 2) * sizeof *starts);
    if (!starts) {
        out->failed = 1;
        return;
    }
    size_t depth = 0;
    size_t base = out->len;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (depth) {
                depth--;
                out->len = starts[depth];
                if (out->data)
                    out->data[out->len] = '\0';
            }
            continue;
        }
        starts[depth++] = out->len;
        lc_buf_putc(out, '/');
        lc_buf_append(out, seg, len);
    }
    /* A trailing slash stays, as does the one implied by a final "." or "..". */
    const char *last = strrchr(path, '/');
    const char *tail = last ? last + 1 : path;
    int ends_with_slash =
        n > 0 && (path[n - 1] == '/' || !strcmp(tail, ".") || !strcmp(tail, ".."));
    if (out->len == base || ends_with_slash)
        lc_buf_putc(out, '/');
    free(starts);
}

static void format_amz_date(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int s3_service(const char *service)
{
    return !strcmp(service, "s3") || !strcmp(service, "s3-object-lambda") ||
           !strcmp(service, "s3express");
}

static int contains_crlf(const char *s)
{
    return strchr(s, '\r') || strchr(s, '\n');
}

static lambda_code sign_common(const lambda_aws_credentials *creds,
                               const lambda_aws_sigv4_request *req, int presign, uint32_t expires_s,
                               lambda_aws_signature **out)
{
    if (out)
        *out = NULL;
    if (!creds || !req || !out || !req->method || !*req->method || !req->region || !*req->region ||
        !req->service || !*req->service || (req->header_count && !req->headers) ||
        (req->query_count && !req->query) || (req->body_len && !req->body))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "sigv4: missing method, region, service or credentials");
    if (strchr(req->region, '/') || strchr(req->service, '/'))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: region and service may not contain '/'");
    if (presign && (expires_s < 1 || expires_s > 604800))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT,
                       "sigv4: expires must be 1..604800 seconds, not %u", expires_s);

    int s3 = s3_service(req->service);
    if (req->flags & LAMBDA_AWS_SIGV4_S3_RULES)
        s3 = 1;
    if (req->flags & LAMBDA_AWS_SIGV4_GENERIC_RULES)
        s3 = 0;

    lambda_code rc = LAMBDA_OK;
    sign_state st;
    memset(&st, 0, sizeof st);
    lambda_aws_signature *s = calloc(1, sizeof *s);
    if (!s)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    st.sig = s;
    lc_buf b;
    lc_buf_init(&b);

    const char *date_header = NULL, *host_header = NULL, *sha_header = NULL, *token_header = NULL;
    for (size_t i = 0; i < req->header_count; i++) {
        const lambda_aws_header *h = &req->headers[i];
        if (!h->name || !*h->name || !h->value) {
            rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: header %zu has no name or value", i);
            goto done;
        }
        if (contains_crlf(h->name) || contains_crlf(h->value) || strchr(h->name, ':')) {
            rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: header %s contains CR, LF or ':'",
                         h->name);
            goto done;
        }
        if (lc_strcaseeq(h->name, "x-amz-date"))
            date_header = h->value;
        else if (lc_strcaseeq(h->name, "host"))
            host_header = h->value;
        else if (lc_strcaseeq(h->name, "x-amz-content-sha256"))
            sha_header = h->value;
        else if (lc_strcaseeq(h->name, "x-amz-security-token"))
            token_header = h->value;
        if (unsigned_header(h->name))
            continue;
        if ((rc = add_canon_header(&st, h->name, h->value)))
            goto done;
    }

    /* Signing time. */
    char amz_date[17];
    if (date_header && !presign) {
        char *cv = canonical_value(date_header);
        if (!cv) {
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
            goto done;
        }
        int ok = is_amz_date(cv);
        if (ok)
            memcpy(amz_date, cv, 17);
        free(cv);
        if (!ok) {
            rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: X-Amz-Date is not YYYYMMDDTHHMMSSZ");
            goto done;
        }
    } else {
        int64_t t = req->time_s ? req->time_s : lc_clock_realtime_ms() / 1000;
        format_amz_date(t, amz_date);
    }
    char date[9];
    memcpy(date, amz_date, 8);
    date[8] = '\0';

    /* Host. */
    if (host_header) {
        char *cv = canonical_value(host_header);
        if (!cv) {
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
            goto done;
        }
        s->host = cv;
    } else {
        if (!req->host || !*req->host || contains_crlf(req->host)) {
            rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: no host and no Host header");
            goto done;
        }
        if ((rc = add_canon_header(&st, "host", req->host)))
            goto done;
        if (!presign && (rc = add_output_header(&st, "Host", req->host)))
            goto done;
        s->host = lc_strdup(req->host);
        if (!s->host) {
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
            goto done;
        }
    }

    /* Payload hash. */
    char hash_hex[65];
    const char *payload_hash;
    if (sha_header) {
        payload_hash = sha_header;
    } else if (req->payload_hash) {
        payload_hash = req->payload_hash;
    } else if ((req->flags & LAMBDA_AWS_SIGV4_UNSIGNED_PAYLOAD) || (presign && s3)) {
        payload_hash = UNSIGNED_PAYLOAD;
    } else {
        if ((rc = lc_sha256_hex(req->body, req->body_len, hash_hex)))
            goto done;
        payload_hash = hash_hex;
    }
    if (!valid_payload_hash(payload_hash)) {
        rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: malformed payload hash");
        goto done;
    }
    s->payload_hash = lc_strdup(payload_hash);
    if (!s->payload_hash) {
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        goto done;
    }

    const char *token = lambda_aws_credentials_session_token(creds);
    int token_signed = token && !(req->flags & LAMBDA_AWS_SIGV4_TOKEN_UNSIGNED);

    if (!presign) {
        if (!sha_header && (s3 || (req->flags & LAMBDA_AWS_SIGV4_CONTENT_SHA256_HEADER))) {
            if ((rc = add_canon_header(&st, "x-amz-content-sha256", payload_hash)))
                goto done;
            if ((rc = add_output_header(&st, "X-Amz-Content-Sha256", payload_hash)))
                goto done;
        }
        if (!date_header) {
            if ((rc = add_canon_header(&st, "x-amz-date", amz_date)))
                goto done;
            if ((rc = add_output_header(&st, "X-Amz-Date", amz_date)))
                goto done;
        }
        if (token && !token_header) {
            if (token_signed && (rc = add_canon_header(&st, "x-amz-security-token", token)))
                goto done;
            if ((rc = add_output_header(&st, "X-Amz-Security-Token", token)))
                goto done;
        }
    }

    /* Canonical headers and the signed header list. */
    qsort(st.headers, st.header_count, sizeof *st.headers, cmp_header);
    lc_buf canon_headers, signed_headers;
    lc_buf_init(&canon_headers);
    lc_buf_init(&signed_headers);
    for (size_t i = 0; i < st.header_count; i++) {
        if (i > 0 && !strcmp(st.headers[i].name, st.headers[i - 1].name)) {
            lc_buf_putc(&canon_headers, ',');
            lc_buf_puts(&canon_headers, st.headers[i].value);
            continue;
        }
        if (i > 0) {
            lc_buf_putc(&canon_headers, '\n');
            lc_buf_putc(&signed_headers, ';');
        }
        lc_buf_puts(&canon_headers, st.headers[i].name);
        lc_buf_putc(&canon_headers, ':');
        lc_buf_puts(&canon_headers, st.headers[i].value);
        lc_buf_puts(&signed_headers, st.headers[i].name);
    }
    lc_buf_putc(&canon_headers, '\n');
    s->signed_headers = lc_buf_take(&signed_headers);
    char *canon_headers_s = lc_buf_take(&canon_headers);
    if (!s->signed_headers || !canon_headers_s) {
        free(canon_headers_s);
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        goto done;
    }

    /* Scope. */
    buf_cat(&b, date, "/", req->region, "/", req->service, "/aws4_request", (char *)NULL);
    s->scope = lc_buf_take(&b);
    s->amz_date = lc_strdup(amz_date);

    /* Query parameters (presigned: plus the X-Amz-* ones). */
    for (size_t i = 0; i < req->query_count && rc == LAMBDA_OK; i++) {
        if (!req->query[i].name) {
            rc = lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sigv4: query parameter %zu has no name", i);
            break;
        }
        rc = add_param(&st, req->query[i].name, req->query[i].value);
    }
    if (rc == LAMBDA_OK && presign && s->scope) {
        char credential[512], expires[16];
        snprintf(credential, sizeof credential, "%s/%s",
                 lambda_aws_credentials_access_key_id(creds), s->scope);
        snprintf(expires, sizeof expires, "%u", expires_s);
        if (!rc)
            rc = add_param(&st, "X-Amz-Algorithm", ALGORITHM);
        if (!rc)
            rc = add_param(&st, "X-Amz-Credential", credential);
        if (!rc)
            rc = add_param(&st, "X-Amz-Date", amz_date);
        if (!rc)
            rc = add_param(&st, "X-Amz-Expires", expires);
        if (!rc)
            rc = add_param(&st, "X-Amz-SignedHeaders", s->signed_headers);
        if (!rc && token_signed && !token_header)
            rc = add_param(&st, "X-Amz-Security-Token", token);
    }
    if (rc) {
        free(canon_headers_s);
        goto done;
    }
    if (st.param_count > 1)
        qsort(st.params, st.param_count, sizeof *st.params, cmp_param);
    lc_buf q;
    lc_buf_init(&q);
    for (size_t i = 0; i < st.param_count; i++) {
        if (i)
            lc_buf_putc(&q, '&');
        lc_buf_puts(&q, st.params[i].name);
        lc_buf_putc(&q, '=');
        lc_buf_puts(&q, st.params[i].value);
    }
    if (!q.data)
        lc_buf_puts(&q, "");
    char *canon_query = lc_buf_take(&q);

    /* Path: the wire form is encoded once; the canonical one (non-S3) is normalized and
     * encoded a second time. */
    const char *path = (req->path && *req->path) ? req->path : "/";
    lc_buf wire, canon_path;
    lc_buf_init(&wire);
    lc_buf_init(&canon_path);
    if (path[0] != '/')
        lc_buf_putc(&wire, '/');
    lc_uri_encode(&wire, path, strlen(path), 1);
    if (s3) {
        lc_buf_append(&canon_path, wire.data, wire.len);
    } else {
        lc_buf norm, once;
        lc_buf_init(&norm);
        lc_buf_init(&once);
        normalize_path(&norm, path);
        if (!norm.failed)
            lc_uri_encode(&once, norm.data, norm.len, 1);
        if (!once.failed)
            lc_uri_encode(&canon_path, once.data, once.len, 1);
        if (norm.failed || once.failed)
            canon_path.failed = 1;
        lc_buf_free(&norm);
        lc_buf_free(&once);
    }
    s->path = lc_buf_take(&wire);
    char *canon_path_s = lc_buf_take(&canon_path);

    /* Canonical request. */
    if (canon_query && canon_path_s && canon_headers_s && s->signed_headers) {
        buf_cat(&b, req->method, "\n", canon_path_s, "\n", canon_query, "\n", canon_headers_s, "\n",
                s->signed_headers, "\n", payload_hash, (char *)NULL);
        s->canonical_request = lc_buf_take(&b);
    }
    free(canon_path_s);
    free(canon_headers_s);
    if (!s->canonical_request || !s->path || !s->scope || !s->amz_date) {
        free(canon_query);
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        goto done;
    }

    /* String to sign. */
    char creq_hash[65];
    if ((rc = lc_sha256_hex(s->canonical_request, strlen(s->canonical_request), creq_hash))) {
        free(canon_query);
        goto done;
    }
    buf_cat(&b, ALGORITHM "\n", amz_date, "\n", s->scope, "\n", creq_hash, (char *)NULL);
    s->string_to_sign = lc_buf_take(&b);
    if (!s->string_to_sign) {
        free(canon_query);
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
        goto done;
    }

    /* Signature. */
    unsigned char key[32], mac[32];
    rc = lc_credentials_signing_key(creds, date, req->region, req->service, key);
    if (rc == LAMBDA_OK)
        rc = lc_hmac_sha256(key, sizeof key, s->string_to_sign, strlen(s->string_to_sign), mac);
    lc_wipe(key, sizeof key);
    if (rc) {
        free(canon_query);
        goto done;
    }
    char sig_hex[65];
    lc_hex(mac, 32, sig_hex);
    s->signature = lc_strdup(sig_hex);

    if (presign) {
        lc_buf_puts(&b, canon_query);
        buf_cat(&b, *canon_query ? "&" : "", "X-Amz-Signature=", sig_hex, (char *)NULL);
        if (token && !token_signed && !token_header) {
            lc_buf_puts(&b, "&X-Amz-Security-Token=");
            lc_uri_encode(&b, token, strlen(token), 0);
        }
        s->query = lc_buf_take(&b);
        free(canon_query);
    } else {
        s->query = canon_query;
        buf_cat(&b, ALGORITHM " Credential=", lambda_aws_credentials_access_key_id(creds), "/",
                s->scope, ", SignedHeaders=", s->signed_headers, ", Signature=", sig_hex,
                (char *)NULL);
        s->authorization = lc_buf_take(&b);
        if (s->authorization)
            rc = add_output_header(&st, "Authorization", s->authorization);
        else
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    if (!rc && (!s->signature || !s->query))
        rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");

done:
    lc_buf_free(&b);
    state_free(&st);
    if (rc) {
        lambda_aws_signature_free(s);
        return rc;
    }
    *out = s;
    return LAMBDA_OK;
}

lambda_code lambda_aws_sigv4_sign(const lambda_aws_credentials *creds,
                                  const lambda_aws_sigv4_request *req, lambda_aws_signature **out)
{
    return sign_common(creds, req, 0, 0, out);
}

lambda_code lambda_aws_sigv4_presign(const lambda_aws_credentials *creds,
                                     const lambda_aws_sigv4_request *req, uint32_t expires_s,
                                     lambda_aws_signature **out)
{
    return sign_common(creds, req, 1, expires_s, out);
}

const char *lambda_aws_signature_canonical_request(const lambda_aws_signature *s)
{
    return s ? s->canonical_request : NULL;
}

const char *lambda_aws_signature_string_to_sign(const lambda_aws_signature *s)
{
    return s ? s->string_to_sign : NULL;
}

const char *lambda_aws_signature_signature(const lambda_aws_signature *s)
{
    return s ? s->signature : NULL;
}

const char *lambda_aws_signature_authorization(const lambda_aws_signature *s)
{
    return s ? s->authorization : NULL;
}

const char *lambda_aws_signature_signed_headers(const lambda_aws_signature *s)
{
    return s ? s->signed_headers : NULL;
}

const char *lambda_aws_signature_scope(const lambda_aws_signature *s)
{
    return s ? s->scope : NULL;
}

const char *lambda_aws_signature_amz_date(const lambda_aws_signature *s)
{
    return s ? s->amz_date : NULL;
}

const char *lambda_aws_signature_payload_hash(const lambda_aws_signature *s)
{
    return s ? s->payload_hash : NULL;
}

const char *lambda_aws_signature_path(const lambda_aws_signature *s)
{
    return s ? s->path : NULL;
}

const char *lambda_aws_signature_query(const lambda_aws_signature *s)
{
    return s ? s->query : NULL;
}

size_t lambda_aws_signature_header_count(const lambda_aws_signature *s)
{
    return s ? s->add_count : 0;
}

lambda_code lambda_aws_signature_header(const lambda_aws_signature *s, size_t i, const char **name,
                                        const char **value)
{
    if (!s || !name || !value || i >= s->add_count)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "signature header index out of range");
    *name = s->add_names[i];
    *value = s->add_values[i];
    return LAMBDA_OK;
}

lambda_code lambda_aws_signature_url(const lambda_aws_signature *s, const char *scheme,
                                     const char *host, char **url)
{
    if (url)
        *url = NULL;
    if (!s || !url)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "signature_url: NULL argument");
    if (!scheme)
        scheme = "https";
    if (!host)
        host = s->host;
    if (!host || !*host)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "signature_url: no host");
    lc_buf b;
    lc_buf_init(&b);
    lc_buf_printf(&b, "%s://%s%s", scheme, host, s->path);
    if (s->query && *s->query) {
        lc_buf_putc(&b, '?');
        lc_buf_puts(&b, s->query);
    }
    *url = lc_buf_take(&b);
    return *url ? LAMBDA_OK : lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
}
