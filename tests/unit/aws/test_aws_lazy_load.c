/*
 * tests/unit/test_aws_lazy_load.c - liblambda-c-aws.so.1 costs nothing until used.
 *
 * This binary links the shared library (not its objects) and checks /proc/self/maps:
 *   - at start, and after creating a client and credentials: no libcurl, libssl, libcrypto;
 *   - after the first signing: libcrypto is mapped (SHA-256/HMAC), libcurl still is not;
 *   - after the first request: libcurl is mapped too.
 * It also checks the library's ELF dependencies and exported symbols, and, in a re-executed
 * child whose LD_LIBRARY_PATH holds broken stand-ins, that a missing library or symbol is
 * a clear LAMBDA_E_LOAD naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_test_server.h"
#include "lambda-c/aws_client.h"
#include "lambda-c/aws_sigv4.h"

/* Whether a mapped file's name contains needle. */
static int mapped(const char *needle)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        const char *name = strrchr(line, '/');
        if (name && strstr(name, needle))
            found = 1;
    }
    fclose(f);
    return found;
}

/* The path of the mapped file whose name contains needle, or "". */
static void mapped_path(const char *needle, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *path = strchr(line, '/');
        const char *name = strrchr(line, '/');
        if (path && name && strstr(name, needle)) {
            path[strcspn(path, "\n")] = '\0';
            snprintf(out, cap, "%s", path);
            break;
        }
    }
    fclose(f);
}

static void ok_handler(ats_server *s, const ats_request *req, ats_reply *r)
{
    (void)s;
    (void)req;
    r->body = "{}";
}

static void loaded_only_when_used(void **state)
{
    (void)state;
    /* The library is linked and mapped ... */
    assert_int_equal(mapped("liblambda-c-aws.so"), 1);
    /* ... but pulls in nothing heavy. */
    assert_int_equal(mapped("libcurl"), 0);
    assert_int_equal(mapped("libssl"), 0);
    assert_int_equal(mapped("libcrypto"), 0);

    /* Creating objects (what a handler does at init) loads nothing either. */
    ats_server srv;
    assert_int_equal(ats_start(&srv, ok_handler, NULL), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", srv.port);
    lambda_aws_credentials *creds;
    lambda_aws_credentials_provider *prov;
    assert_int_equal(lambda_aws_credentials_new("AKIDLAZY", "secret", NULL, 0, &creds), LAMBDA_OK);
    assert_int_equal(lambda_aws_credentials_provider_new_static(creds, &prov), LAMBDA_OK);
    lambda_aws_client_options o = { .region = "us-east-1",
                                    .endpoint_url = url,
                                    .credentials = prov };
    lambda_aws_client *c;
    assert_int_equal(lambda_aws_client_new(&o, &c), LAMBDA_OK);
    assert_int_equal(mapped("libcurl"), 0);
    assert_int_equal(mapped("libcrypto"), 0);

    /* The first signature loads libcrypto, not libcurl. */
    lambda_aws_sigv4_request sr = {
        .method = "GET", .host = "h", .path = "/", .region = "us-east-1", .service = "s3"
    };
    lambda_aws_signature *sig;
    assert_int_equal(lambda_aws_sigv4_sign(creds, &sr, &sig), LAMBDA_OK);
    lambda_aws_signature_free(sig);
    assert_int_equal(mapped("libcrypto"), 1);
    assert_int_equal(mapped("libcurl"), 0);

    /* The first request loads libcurl. */
    lambda_aws_request req = { .service = "s3", .method = "GET", .path = "/b/k" };
    lambda_aws_response *r;
    assert_int_equal(lambda_aws_client_send(c, &req, &r), LAMBDA_OK);
    lambda_aws_response_free(r);
    assert_int_equal(mapped("libcurl"), 1);
    assert_int_equal(mapped("libcrypto"), 1);

    lambda_aws_client_free(c);
    lambda_aws_credentials_provider_free(prov);
    lambda_aws_credentials_unref(creds);
    ats_stop(&srv);
}

/* Only lambda_aws_* is exported, and libcurl/libssl/libcrypto are not DT_NEEDED. */
static void exports_and_dependencies(void **state)
{
    (void)state;
    void *h = dlopen("liblambda-c-aws.so.1", RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(h);
    assert_non_null(dlsym(h, "lambda_aws_client_send"));
    assert_non_null(dlsym(h, "lambda_aws_sigv4_sign"));
    assert_null(dlsym(h, "lc_fail"));
    assert_null(dlsym(h, "lc_https_perform"));
    assert_null(dlsym(h, "lc_curl"));

    /* Its DT_NEEDED entries, read from the loaded dynamic section. */
    struct link_map *lm = NULL;
    assert_int_equal(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
    const char *strtab = NULL;
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_STRTAB)
            strtab = (const char *)d->d_un.d_ptr;
    assert_non_null(strtab);
    if ((uintptr_t)strtab < lm->l_addr)
        strtab += lm->l_addr; /* not relocated in place */
    int needed = 0, core = 0;
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        if (d->d_tag != DT_NEEDED)
            continue;
        const char *name = strtab + d->d_un.d_val;
        needed++;
        if (strstr(name, "liblambda-c.so."))
            core = 1;
        if (strstr(name, "json-c")) /* json-c is inside liblambda-c */
            fail_msg("liblambda-c-aws has DT_NEEDED %s", name);
        if (strstr(name, "curl") || strstr(name, "libssl") || strstr(name, "libcrypto"))
            fail_msg("liblambda-c-aws has DT_NEEDED %s", name);
    }
    assert_true(needed >= 2); /* libc and liblambda-c at least: the scan works */
    assert_true(core);
    dlclose(h);
}

/* ------------------------------------------------------------------ LAMBDA_E_LOAD, in a child */

static int child_load_errors(void)
{
    lambda_aws_credentials *creds;
    if (lambda_aws_credentials_new("AKID", "s", NULL, 0, &creds))
        return 10;
    lambda_aws_sigv4_request sr = {
        .method = "GET", .host = "h", .path = "/", .region = "r", .service = "s"
    };
    lambda_aws_signature *sig;
    lambda_code rc = lambda_aws_sigv4_sign(creds, &sr, &sig);
    if (rc != LAMBDA_E_LOAD)
        return 11;
    if (!strstr(lambda_aws_last_error(), "libcrypto.so.3"))
        return 12;
    printf("sign: %s\n", lambda_aws_last_error());
    lambda_aws_client_options o = { .region = "us-east-1", .endpoint_url = "http://127.0.0.1:9" };
    lambda_aws_client *c;
    if (lambda_aws_client_new(&o, &c))
        return 13;
    lambda_aws_request req = { .service = "s3", .method = "GET", .path = "/" };
    lambda_aws_response *r;
    rc = lambda_aws_client_send(c, &req, &r);
    if (rc != LAMBDA_E_LOAD || r)
        return 14;
    if (!strstr(lambda_aws_last_error(), "libcurl.so.4: symbol curl_global_init not found"))
        return 15;
    printf("send: %s\n", lambda_aws_last_error());
    lambda_aws_client_free(c);
    lambda_aws_credentials_unref(creds);
    return 0;
}

static void load_errors_are_clear(void **state)
{
    (void)state;
    /* A folder with a "libcurl.so.4" that is a real ELF library without curl's symbols (a
     * copy of libcmocka, which this test maps) and a "libcrypto.so.3" that is not a library at all. */
    char dir[256];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lambda-c-aws-load-XXXXXX", tmpdir && *tmpdir ? tmpdir : P_tmpdir);
    assert_non_null(mkdtemp(dir));
    char donor[4096], curl[512], crypto[512];
    mapped_path("libcmocka", donor, sizeof donor);
    assert_true(donor[0] != '\0');
    snprintf(curl, sizeof curl, "%s/libcurl.so.4", dir);
    snprintf(crypto, sizeof crypto, "%s/libcrypto.so.3", dir);
    int in = open(donor, O_RDONLY), out = open(curl, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(in >= 0 && out >= 0);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
    FILE *f = fopen(crypto, "w");
    assert_non_null(f);
    fputs("not a library\n", f);
    fclose(f);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("LD_LIBRARY_PATH", dir, 1);
        execl("/proc/self/exe", "test_aws_lazy_load", "--child-load-errors", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    unlink(curl);
    unlink(crypto);
    rmdir(dir);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--child-load-errors"))
        return child_load_errors();
    alarm(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loaded_only_when_used),
        cmocka_unit_test(exports_and_dependencies),
        cmocka_unit_test(load_errors_are_clear),
    };
    return cmocka_run_group_tests_name("aws-lazy-load", tests, NULL, NULL);
}
