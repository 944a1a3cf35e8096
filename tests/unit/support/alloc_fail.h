/*
 * Allocation-failure injection for the unit tests (SQLite's approach): malloc, calloc,
 * realloc, strdup and strndup of the whole process (the SDK, json-c, libc's own callers) go
 * through here; af_fail_at(n) makes the n-th allocation from then on fail, and every later
 * one too when af_persist is set, so a test can run an entry point with n = 1, 2, ... until
 * it completes without reaching the n-th allocation, checking at each step that it fails
 * cleanly (a Lambda error, no crash; leaks show up under ASan and valgrind, which run the
 * same binaries).
 *
 * The allocations themselves are forwarded to the next definition (libc's, or the
 * sanitizer's or valgrind's replacement), found with dlsym(RTLD_NEXT): a test binary that
 * includes this header must define nothing else called malloc. Include it in exactly one
 * file of the binary.
 *
 *     AF_LOOP(n) {                 // n = 1, 2, ... until a run needs fewer than n allocations
 *         ... set up ...
 *         af_fail_at(n);
 *         rc = entry_point(...);
 *         int failed = af_disarm();
 *         ... check rc (LAMBDA_OK when !failed), free what it returned ...
 *     }
 *
 * Failures are injected only on the thread that armed them.
 *
 * Not for json-c's parser: json-c 0.16's json_tokener_parse_ex dereferences the results of
 * allocations it does not check (its locale copy, member names), so failing one of them
 * crashes inside json-c; tests parse their JSON with it before arming. The SDK itself parses
 * with lc_json_parse (util/json_check.c), which checks every allocation.
 */
#ifndef LAMBDA_C_ALLOC_FAIL_H
#define LAMBDA_C_ALLOC_FAIL_H

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void *af_malloc_fn(size_t);
typedef void *af_calloc_fn(size_t, size_t);
typedef void *af_realloc_fn(void *, size_t);
typedef void af_free_fn(void *);

static af_malloc_fn *af_next_malloc;
static af_calloc_fn *af_next_calloc;
static af_realloc_fn *af_next_realloc;
static af_free_fn *af_next_free;
static int af_resolving;

static _Thread_local int af_armed_thread; /* failures only on the thread that armed them */
static unsigned long af_target;           /* the allocation to fail, counted from arming */
static unsigned long af_seen;             /* allocations counted since arming */
static int af_persist;                    /* also fail every allocation after the target */
static int af_failed;                     /* a failure was injected since arming */

/* dlsym may itself allocate before the next functions are known: a small static arena,
 * never freed. */
static unsigned char af_boot[16384] __attribute__((aligned(16)));
static size_t af_boot_used;

static void *af_boot_alloc(size_t size)
{
    size_t total = (size + 15) & ~(size_t)15;
    if (total < size || af_boot_used + total > sizeof af_boot)
        return NULL;
    void *p = af_boot + af_boot_used;
    af_boot_used += total;
    return p;
}

static int af_is_boot(const void *p)
{
    return (const unsigned char *)p >= af_boot &&
           (const unsigned char *)p < af_boot + sizeof af_boot;
}

static void af_resolve(void)
{
    if (af_next_free || af_resolving)
        return;
    af_resolving = 1;
    af_next_malloc = (af_malloc_fn *)dlsym(RTLD_NEXT, "malloc");
    af_next_calloc = (af_calloc_fn *)dlsym(RTLD_NEXT, "calloc");
    af_next_realloc = (af_realloc_fn *)dlsym(RTLD_NEXT, "realloc");
    af_next_free = (af_free_fn *)dlsym(RTLD_NEXT, "free");
    af_resolving = 0;
}

__attribute__((constructor)) static void af_init(void)
{
    af_resolve();
}

/* Whether this allocation must fail. */
static int af_should_fail(void)
{
    if (!af_armed_thread || !af_target)
        return 0;
    af_seen++;
    if (af_seen == af_target || (af_persist && af_seen > af_target)) {
        af_failed = 1;
        return 1;
    }
    return 0;
}

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

void *malloc(size_t size)
{
    af_resolve();
    if (!af_next_malloc)
        return af_boot_alloc(size);
    if (af_should_fail())
        return NULL;
    return af_next_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    af_resolve();
    if (!af_next_calloc)
        return n && size > SIZE_MAX / n ? NULL : af_boot_alloc(n * size); /* zeroed: static */
    if (af_should_fail())
        return NULL;
    return af_next_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    af_resolve();
    if (af_is_boot(p) || !af_next_realloc) {
        /* Rare (only around dlsym): a fresh block, the old contents copied as far as known. */
        void *q = malloc(size);
        if (q && p)
            memcpy(q, p, size < 64 ? size : 64);
        return q;
    }
    if (af_should_fail())
        return NULL;
    return af_next_realloc(p, size);
}

void free(void *p)
{
    if (!p || af_is_boot(p))
        return;
    af_resolve();
    if (af_next_free)
        af_next_free(p); /* else: freed while dlsym runs, before free is known: kept */
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* Fail the n-th allocation of this thread from now on (0: no failure). */
static inline void af_fail_at(unsigned long n)
{
    af_resolve();
    af_seen = 0;
    af_failed = 0;
    af_target = n;
    af_armed_thread = n != 0;
}

/* Stop injecting; returns whether a failure was injected since af_fail_at. */
static inline int af_disarm(void)
{
    af_armed_thread = 0;
    af_target = 0;
    return af_failed;
}

/* How many allocation-failure runs the tests of this binary made (reported at the end). */
static unsigned long af_runs;

/*
 * for (n = 1; ; n++): the body sets up, arms the failure with af_fail_at(n) just before the
 * entry point, calls it, calls af_disarm() and checks the outcome. The loop ends after the
 * first run in which no failure was injected (the entry point needed fewer than n
 * allocations), so that last run is the successful one.
 */
#define AF_LOOP(n)                                                    \
    for (unsigned long n = 1, af_done_ = 0; !af_done_ && n < 1000000; \
         af_done_ = !af_failed, n++, af_runs++)

#endif
