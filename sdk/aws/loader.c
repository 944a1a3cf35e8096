/*
 * sdk/aws/loader.c - libcurl and libcrypto, loaded on first use.
 *
 * Why dlopen and not DT_NEEDED: cold start is lambda-c's headline figure, and just mapping
 * and relocating Debian's libcurl with its dependency tree (libssl, libcrypto, nghttp2,
 * libssh2, librtmp, gssapi, ldap, ...) costs about 13 ms, several times the cold start of a
 * whole minimal runtime. Most functions never call AWS, and the ones that do pay the cost
 * once, on their first request, not at init. So liblambda-c-aws.so.1 has no DT_NEEDED on
 * libcurl/libssl/libcrypto (checked by tests/unit/test_aws_lazy_load.c) and resolves the
 * few functions it uses here. The libraries are never unloaded.
 */
#include "aws/internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static lc_curl_api curl_api;
static const lc_curl_api *curl_ready;
static char curl_error[256];

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static lc_crypto_api crypto_api;
static const lc_crypto_api *crypto_ready;
static char crypto_error[768];

/* Resolves name in handle into *slot; records the failure in err. */
static int resolve(void *handle, const char *lib, const char *name, void **slot, char *err,
                   size_t errlen)
{
    dlerror();
    void *p = dlsym(handle, name);
    if (!p) {
        snprintf(err, errlen, "%s: symbol %s not found", lib, name);
        return 0;
    }
    *slot = p;
    return 1;
}

#define RESOLVE(h, lib, table, field, sym, err) \
    resolve((h), (lib), #sym, (void **)&(table).field, (err), sizeof(err))

static void load_curl(void)
{
    static const char lib[] = "libcurl.so.4";
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(curl_error, sizeof curl_error, "cannot load %s: %s", lib,
                 why ? why : "unknown error");
        return;
    }
    lc_curl_api t;
    memset(&t, 0, sizeof t);
    int ok = RESOLVE(h, lib, t, global_init, curl_global_init, curl_error) &&
             RESOLVE(h, lib, t, easy_init, curl_easy_init, curl_error) &&
             RESOLVE(h, lib, t, easy_setopt, curl_easy_setopt, curl_error) &&
             RESOLVE(h, lib, t, easy_perform, curl_easy_perform, curl_error) &&
             RESOLVE(h, lib, t, easy_getinfo, curl_easy_getinfo, curl_error) &&
             RESOLVE(h, lib, t, easy_reset, curl_easy_reset, curl_error) &&
             RESOLVE(h, lib, t, easy_cleanup, curl_easy_cleanup, curl_error) &&
             RESOLVE(h, lib, t, easy_strerror, curl_easy_strerror, curl_error) &&
             RESOLVE(h, lib, t, slist_append, curl_slist_append, curl_error) &&
             RESOLVE(h, lib, t, slist_free_all, curl_slist_free_all, curl_error) &&
             RESOLVE(h, lib, t, share_init, curl_share_init, curl_error) &&
             RESOLVE(h, lib, t, share_setopt, curl_share_setopt, curl_error) &&
             RESOLVE(h, lib, t, share_cleanup, curl_share_cleanup, curl_error) &&
             RESOLVE(h, lib, t, version_info, curl_version_info, curl_error);
    if (!ok)
        return; /* handle kept: harmless, and dlclose of libcurl is not safe anyway */
    /* Thread-safe since libcurl 7.84; done once here, under pthread_once, in any case. */
    CURLcode rc = t.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        snprintf(curl_error, sizeof curl_error, "%s: curl_global_init failed (%d)", lib, (int)rc);
        return;
    }
    curl_api = t;
    curl_ready = &curl_api;
    lc_log(LC_LOG_DEBUG, "loaded %s (%s)", lib, t.version_info(CURLVERSION_NOW)->version);
}

const lc_curl_api *lc_curl(void)
{
    pthread_once(&curl_once, load_curl);
    if (!curl_ready)
        lc_fail(LAMBDA_E_LOAD, "%s", curl_error);
    return curl_ready;
}

/* Resolves the digest functions from one candidate libcrypto; 0 with err set on failure. */
static int crypto_from(void *h, const char *lib, lc_crypto_api *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    /* OpenSSL 1.1+ names first; 1.0.2 (libcrypto.so.10, Amazon Linux 2) has the same
     * functions under their older names. */
    int ok = resolve(h, lib, "EVP_sha256", (void **)&t->evp_sha256, err, errlen) &&
             (resolve(h, lib, "EVP_MD_CTX_new", (void **)&t->md_ctx_new, err, errlen) ||
              resolve(h, lib, "EVP_MD_CTX_create", (void **)&t->md_ctx_new, err, errlen)) &&
             (resolve(h, lib, "EVP_MD_CTX_free", (void **)&t->md_ctx_free, err, errlen) ||
              resolve(h, lib, "EVP_MD_CTX_destroy", (void **)&t->md_ctx_free, err, errlen)) &&
             resolve(h, lib, "EVP_DigestInit_ex", (void **)&t->digest_init, err, errlen) &&
             resolve(h, lib, "EVP_DigestUpdate", (void **)&t->digest_update, err, errlen) &&
             resolve(h, lib, "EVP_DigestFinal_ex", (void **)&t->digest_final, err, errlen);
    if (!ok)
        return 0;
    /* OpenSSL 3 looks EVP_sha256() up in its provider store on every EVP_DigestInit_ex;
     * an explicitly fetched EVP_MD skips that (it is ~a third of a warm signature). */
    __typeof__(EVP_MD_fetch) *md_fetch = (__typeof__(EVP_MD_fetch) *)dlsym(h, "EVP_MD_fetch");
    t->sha256 = md_fetch ? md_fetch(NULL, "SHA256", NULL) : NULL;
    if (!t->sha256)
        t->sha256 = t->evp_sha256();
    if (!t->sha256) {
        snprintf(err, errlen, "%s: SHA-256 is not available", lib);
        return 0;
    }
    return 1;
}

static void load_crypto(void)
{
    /* libcrypto.so.3: Amazon Linux 2023 (provided.al2023), Debian 12, ... The older sonames
     * let the same layer sign on provided.al2 (OpenSSL 1.0.2) and other older systems. */
    static const char *const libs[] = { "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so.10" };
    size_t used = 0;
    crypto_error[0] = '\0';
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        char why[256];
        void *h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            lc_crypto_api t;
            if (crypto_from(h, libs[i], &t, why, sizeof why)) {
                crypto_api = t;
                crypto_ready = &crypto_api;
                return;
            }
            /* A libcrypto without what we need stays loaded: dlclose of libcrypto is unsafe. */
        } else {
            const char *e = dlerror();
            snprintf(why, sizeof why, "cannot load %s: %s", libs[i], e ? e : "unknown error");
        }
        int n = snprintf(crypto_error + used, sizeof crypto_error - used, "%s%s", used ? "; " : "",
                         why);
        if (n > 0)
            used +=
                (size_t)n < sizeof crypto_error - used ? (size_t)n : sizeof crypto_error - used - 1;
    }
}

const lc_crypto_api *lc_crypto(void)
{
    pthread_once(&crypto_once, load_crypto);
    if (!crypto_ready)
        lc_fail(LAMBDA_E_LOAD, "%s", crypto_error);
    return crypto_ready;
}

/* SHA-256 over up to three pieces, with one digest context. */
static lambda_code sha256_parts(const lc_crypto_api *c, const void *a, size_t al, const void *b,
                                size_t bl, unsigned char out[32])
{
    EVP_MD_CTX *ctx = c->md_ctx_new();
    if (!ctx)
        return lc_fail(LAMBDA_E_NO_MEMORY, "EVP_MD_CTX_new failed");
    unsigned int n = 0;
    int ok = c->digest_init(ctx, c->sha256, NULL) && (!al || c->digest_update(ctx, a, al)) &&
             (!bl || c->digest_update(ctx, b, bl)) && c->digest_final(ctx, out, &n) && n == 32;
    c->md_ctx_free(ctx);
    return ok ? LAMBDA_OK : lc_fail(LAMBDA_E_CRYPTO, "SHA-256 failed");
}

lambda_code lc_sha256(const void *data, size_t len, unsigned char out[32])
{
    const lc_crypto_api *c = lc_crypto();
    if (!c)
        return LAMBDA_E_LOAD;
    return sha256_parts(c, data, len, NULL, 0, out);
}

lambda_code lc_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    lambda_code rc = lc_sha256(data, len, d);
    if (rc)
        return rc;
    lc_hex(d, 32, out);
    return LAMBDA_OK;
}

/* HMAC-SHA256 (RFC 2104) on the fetched digest: H((K ^ opad) || H((K ^ ipad) || m)). */
lambda_code lc_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                           unsigned char out[32])
{
    const lc_crypto_api *c = lc_crypto();
    if (!c)
        return LAMBDA_E_LOAD;
    unsigned char k[64], pad[64], inner[32];
    memset(k, 0, sizeof k);
    lambda_code rc = LAMBDA_OK;
    if (key_len > sizeof k)
        rc = sha256_parts(c, key, key_len, NULL, 0, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (int i = 0; i < 64 && !rc; i++)
        pad[i] = k[i] ^ 0x36;
    if (!rc)
        rc = sha256_parts(c, pad, sizeof pad, data, len, inner);
    for (int i = 0; i < 64 && !rc; i++)
        pad[i] = k[i] ^ 0x5c;
    if (!rc)
        rc = sha256_parts(c, pad, sizeof pad, inner, sizeof inner, out);
    lc_wipe(k, sizeof k);
    lc_wipe(pad, sizeof pad);
    lc_wipe(inner, sizeof inner);
    return rc;
}
