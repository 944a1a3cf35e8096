/*
 * What every fuzz target shares (tests/fuzz/<target>/fuzz_<target>.c, built by
 * tests/fuzz/fuzz.mk with clang's libFuzzer, ASan and UBSan).
 *
 * Linear work. The SDK's objects are built with -fprofile-instr-generate: every basic block
 * they run adds one to a 64-bit counter in the __llvm_prf_cnts section, so the sum of the
 * section is an exact, deterministic count of the work the SDK did (json-c, libc and the
 * target itself are not counted). A target takes fz_work() before and after the call under
 * test and fz_linear() aborts when the difference is above base + per_byte * size (times
 * log2(size) where the code sorts): a quadratic path is a crash with a reproducer, not a
 * slow run that a time limit may or may not catch. No hardware counters or timing needed.
 *
 * Invariants: fz_valid_json() (one RFC 8259 document, valid UTF-8: the SDK's strict check,
 * not counted as work), fz_utf8().
 */
#ifndef LAMBDA_C_FUZZ_SUPPORT_H
#define LAMBDA_C_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_check.h"
#include "util/utf8.h"

extern uint64_t __start___llvm_prf_cnts[] __attribute__((weak));
extern uint64_t __stop___llvm_prf_cnts[] __attribute__((weak));
/* The counters are read here, never written to a .profraw file at exit. */
int __llvm_profile_runtime = 0;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The SDK's work so far: basic blocks run. */
static inline uint64_t fz_work(void)
{
    uint64_t sum = 0;
    for (const uint64_t *p = __start___llvm_prf_cnts; p < __stop___llvm_prf_cnts; p++)
        sum += *p;
    return sum;
}

static inline unsigned fz_log2(size_t n)
{
    unsigned l = 1;
    while (n > 1) {
        n >>= 1;
        l++;
    }
    return l;
}

/*
 * Aborts (a libFuzzer crash) when work, the SDK's basic blocks for one call over size bytes
 * of input, exceeds base + per_byte * size, times log2(size) when nlogn.
 */
static inline void fz_linear(const char *what, uint64_t work, size_t size, uint64_t base,
                             uint64_t per_byte, int nlogn)
{
    uint64_t cap = base + per_byte * (uint64_t)size * (nlogn ? fz_log2(size) : 1);
    if (getenv("FUZZ_WORK_REPORT"))
        fprintf(stderr, "fuzz: work %llu for %zu bytes: %.1f per byte%s\n",
                (unsigned long long)work, size, size ? (double)work / (double)size : 0.0,
                nlogn ? " (n log n cap)" : "");
    if (work > cap) {
        fprintf(stderr,
                "fuzz: %s did %llu units of work for %zu bytes of input (cap %llu): "
                "not linear in its input\n",
                what, (unsigned long long)work, size, (unsigned long long)cap);
        abort();
    }
}

#define FZ_CHECK(cond)                                                                           \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "fuzz: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

/* Whether len bytes at s are one JSON document in valid UTF-8. */
static inline int fz_valid_json(const char *s, size_t len)
{
    size_t offset;
    const char *why;
    return lc_json_syntax_check(s, len, JSON_MAX_DEPTH, &offset, &why);
}

static inline int fz_utf8(const char *s)
{
    return !s || lc_utf8_is_valid(s, strlen(s));
}

/* A NUL-terminated copy of the input (the SDK's string APIs need one). */
static inline char *fz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * The input parsed by json-c as the runtime would hand it to a binding (the strict check
 * first, as lambda_event_json does), or NULL. Neither is counted as the binding's work
 * measured afterwards.
 */
#include <json-c/json.h>
static inline json_object *json_tokener_parse_ex_wrapper(const uint8_t *data, size_t size)
{
    if (size >= 1u << 30 || !fz_valid_json((const char *)data, size))
        return NULL;
    json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1);
    if (!tok)
        return NULL;
    /* With the NUL after the bytes, as the runtime passes them. */
    char *copy = fz_string(data, size);
    json_object *root = json_tokener_parse_ex(tok, copy, (int)size + 1);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(root);
        root = NULL;
    }
    free(copy);
    json_tokener_free(tok);
    return root;
}

#endif
