/*
 * sdk/aws/internal.h - private declarations shared by the liblambda-c-aws sources.
 * Nothing here is exported (see liblambda-c-aws.map).
 */
#ifndef LAMBDA_C_AWS_INTERNAL_H
#define LAMBDA_C_AWS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <pthread.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "lambda-c/error.h"
#include "lambda-c/aws_common.h"
#include "lambda-c/aws_credentials.h"
#include "lambda-c/aws_sigv4.h"
#include "lambda-c/aws_client.h"
#include "lambda-c/log.h"
#include "util/clock.h"

#define LC_HIDDEN __attribute__((visibility("hidden")))

/* ------------------------------------------------------------------ errors */

/* Records a printf-style detail for lambda_aws_last_error() and returns code. */
LC_HIDDEN lambda_code lc_fail(lambda_code code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Clears this thread's last error. */
LC_HIDDEN void lc_clear_error(void);
/* Sets (NULL clears) this thread's lambda_aws_last_error_code(). */
LC_HIDDEN void lc_set_error_code(const char *code);

/* ------------------------------------------------------------------ logging */

enum { LC_LOG_TRACE = 0, LC_LOG_DEBUG = 1, LC_LOG_INFO = 2, LC_LOG_WARN = 3, LC_LOG_ERROR = 4 };
/* Whether a record at level would be written. */
LC_HIDDEN int lc_log_enabled(int level);
/* One log record. Callers never pass secrets (keys, tokens, signatures' keys). */
LC_HIDDEN void lc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ buffers */

typedef struct lc_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; further appends are no-ops */
} lc_buf;

LC_HIDDEN void lc_buf_init(lc_buf *b);
LC_HIDDEN void lc_buf_free(lc_buf *b);
LC_HIDDEN int lc_buf_reserve(lc_buf *b, size_t extra);
LC_HIDDEN void lc_buf_append(lc_buf *b, const void *data, size_t len);
LC_HIDDEN void lc_buf_puts(lc_buf *b, const char *s);
LC_HIDDEN void lc_buf_putc(lc_buf *b, char c);
LC_HIDDEN void lc_buf_printf(lc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the buffer's string (never NULL unless failed); the buffer is reset. */
LC_HIDDEN char *lc_buf_take(lc_buf *b);

/* ------------------------------------------------------------------ strings, time */

LC_HIDDEN char *lc_strdup(const char *s); /* NULL for NULL */
LC_HIDDEN char *lc_strndup(const char *s, size_t n);
LC_HIDDEN int lc_strcaseeq(const char *a, const char *b);
LC_HIDDEN void lc_hex(const unsigned char *in, size_t len, char *out); /* out: 2*len+1 */
/* Percent-encodes [in, in+len) into b: unreserved characters stay; '/' stays when keep_slash. */
LC_HIDDEN void lc_uri_encode(lc_buf *b, const char *in, size_t len, int keep_slash);
LC_HIDDEN void lc_sleep_ms(int64_t ms);
/* "2024-01-02T03:04:05Z" (optional fraction, Z or +hh:mm) -> epoch ms; -1 on error. */
LC_HIDDEN int64_t lc_parse_iso8601_ms(const char *s);
/* A uniformly distributed double in [0, 1), per-thread generator. */
LC_HIDDEN double lc_random_unit(void);
/* Zeroes memory in a way the compiler keeps. */
LC_HIDDEN void lc_wipe(void *p, size_t n);

/* ------------------------------------------------------------------ dynamic libraries */

/*
 * libcurl and libcrypto are resolved with dlopen/dlsym on first use instead of being linked:
 * merely mapping Debian's libcurl (and its OpenSSL, nghttp2, ... dependencies) costs ~13 ms
 * of cold start, and most functions never call AWS. The tables below are typed from the
 * real headers (__typeof__), so a prototype mismatch is a compile error.
 */
typedef struct lc_curl_api {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_reset) *easy_reset;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_share_init) *share_init;
    __typeof__(curl_share_setopt) *share_setopt;
    __typeof__(curl_share_cleanup) *share_cleanup;
    __typeof__(curl_version_info) *version_info;
} lc_curl_api;

typedef struct lc_crypto_api {
    __typeof__(EVP_sha256) *evp_sha256;
    __typeof__(EVP_MD_CTX_new) *md_ctx_new;
    __typeof__(EVP_MD_CTX_free) *md_ctx_free;
    __typeof__(EVP_DigestInit_ex) *digest_init;
    __typeof__(EVP_DigestUpdate) *digest_update;
    __typeof__(EVP_DigestFinal_ex) *digest_final;
    /* SHA-256 as an explicitly fetched EVP_MD (OpenSSL 3: no implicit fetch per digest). */
    const EVP_MD *sha256;
} lc_crypto_api;

/* The loaded tables, or NULL with lambda_aws_last_error() naming the library/symbol.
 * Thread-safe; the libraries are loaded once per process and never unloaded. */
LC_HIDDEN const lc_curl_api *lc_curl(void);
LC_HIDDEN const lc_crypto_api *lc_crypto(void);

/* SHA-256 of data as 64 lowercase hex digits + NUL. */
LC_HIDDEN lambda_code lc_sha256_hex(const void *data, size_t len, char out[65]);
LC_HIDDEN lambda_code lc_sha256(const void *data, size_t len, unsigned char out[32]);
LC_HIDDEN lambda_code lc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                                     unsigned char out[32]);

/* ------------------------------------------------------------------ credentials internals */

/* The SigV4 signing key for (date "YYYYMMDD", region, service), derived from the
 * credentials' secret and cached inside the credentials object. */
LC_HIDDEN lambda_code lc_credentials_signing_key(const lambda_aws_credentials *c, const char *date,
                                                 const char *region, const char *service,
                                                 unsigned char key[32]);

/* ------------------------------------------------------------------ HTTP transfer */

/* CA bundle: SSL_CERT_FILE, else the first existing of the Amazon Linux and Debian bundles;
 * NULL when none exists (libcurl's default is then used). */
LC_HIDDEN const char *lc_ca_bundle(void);
/* The choice itself, uncached: ssl_cert_file when set, else the first existing bundle. */
LC_HIDDEN const char *lc_ca_bundle_select(const char *ssl_cert_file);

typedef lambda_code (*lc_sink_fn)(void *ctx, const void *data, size_t len);

/* One HTTP exchange with a caller-provided easy handle (reset here first). */
typedef struct lc_https_exchange {
    const char *method;
    const char *url;
    const lambda_aws_header *headers; /* sent as given */
    size_t header_count;
    const lambda_aws_header *extra_headers; /* appended after headers */
    size_t extra_header_count;
    const void *body;             /* buffered body, or */
    lambda_aws_read_fn body_read; /* streamed body */
    void *body_read_ctx;
    uint64_t body_len; /* bytes in either form */
    int has_body;      /* send a body (possibly empty) */
    long timeout_ms;
    long connect_timeout_ms;
    CURLSH *share; /* may be NULL */
    /* 2xx bodies go to sink when set; anything else is buffered in the result. */
    lambda_aws_write_fn sink;
    void *sink_ctx;
    size_t max_buffer; /* cap of a buffered body (0 = unlimited) */
} lc_https_exchange;

typedef struct lc_https_result {
    long status;
    lambda_aws_header *headers; /* names and values owned (malloc) */
    size_t header_count;
    lc_buf body;
    long connects;          /* new TCP connections made */
    int streamed;           /* bytes were delivered to the sink */
    lambda_code sink_error; /* what the sink or reader returned, if it stopped the transfer */
    int curl_code;
} lc_https_result;

LC_HIDDEN lambda_code lc_https_perform(void *curl_handle, const lc_https_exchange *ex,
                                       lc_https_result *res);
LC_HIDDEN void lc_https_result_free(lc_https_result *res);
LC_HIDDEN const char *lc_https_header(const lc_https_result *res, const char *name);

#endif
