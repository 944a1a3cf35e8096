/*
 * A strict RFC 8259 parser: a syntax check, or the check and the json-c tree in one pass.
 * json-c's own parser, even in strict mode, takes NaN, Infinity, "1.", raw control
 * characters in strings, single-quoted keys and overlong or surrogate UTF-8; a handler must
 * be told that such an event is not JSON rather than receive it. Linear in the text, bounded
 * by max_depth and the budget; not thread-affine (no state outside the call).
 */
#ifndef LAMBDA_C_JSON_CHECK_H
#define LAMBDA_C_JSON_CHECK_H

#include <stddef.h>

#include "util/limits.h"

/* How deep arrays and objects may nest in an event. */
#define JSON_MAX_DEPTH LC_LIMIT_EVENT_DEPTH

/*
 * What building the document as a json-c tree takes, counted by the check as it goes: the
 * values, and an estimate of json-c's memory from the LC_JSON_COST_* figures of limits.h.
 * With a limit set (not 0), the check stops as soon as the document passes it.
 */
typedef struct lc_json_budget {
    size_t max_nodes; /* values (objects, arrays, members, scalars); 0: no limit */
    size_t max_bytes; /* estimated json-c memory; 0: no limit */
    size_t nodes;     /* out: counted so far (all of them when the check passed) */
    size_t bytes;     /* out: the estimate so far */
    int exceeded;     /* out: 1 when the check stopped at a limit (the text may be valid) */
} lc_json_budget;

/*
 * Whether size bytes at s are exactly one JSON text (white space around it
 * allowed), nested at most max_depth deep. If not, *offset is where it goes
 * wrong and *why says what.
 */
int lc_json_syntax_check(const char *s, size_t size, size_t max_depth, size_t *offset,
                         const char **why);

/* The same; on success *deepest is how deep the text nests (0 for a scalar), so that a parser
 * that follows needs a stack of that depth only. */
int lc_json_syntax_check_depth(const char *s, size_t size, size_t max_depth, size_t *offset,
                               const char **why, size_t *deepest);

/* The same, also counting the document's cost into budget (which may be NULL) and stopping
 * past its limits. */
int lc_json_check(const char *s, size_t size, size_t max_depth, lc_json_budget *budget,
                  size_t *offset, const char **why, size_t *deepest);

/* What lc_json_parse found. */
typedef enum lc_json_result {
    LC_JSON_PARSED = 0,  /* *root is the tree (NULL for the document "null") */
    LC_JSON_INVALID,     /* not JSON: *offset and *why say where and what */
    LC_JSON_OVER_BUDGET, /* valid so far, but past the budget (budget->exceeded) */
    LC_JSON_NO_MEMORY,   /* an allocation failed; nothing is left allocated */
} lc_json_result;

struct json_object;

/*
 * Checks size bytes at s as lc_json_check does and builds the json-c tree in the same pass:
 * the tree json-c's parser would build from the same text (integers as int64, or uint64 above
 * INT64_MAX, saturating; other numbers as doubles that keep their text; duplicate keys: the
 * last wins; surrogate escapes as json-c decodes them). The caller owns *root (put it with
 * json_object_put). On any result but LC_JSON_PARSED, *root is NULL and nothing is allocated.
 */
lc_json_result lc_json_parse(const char *s, size_t size, size_t max_depth, lc_json_budget *budget,
                             struct json_object **root, size_t *offset, const char **why);

/* lc_json_parse without a budget, nested at most JSON_MAX_DEPTH: for answers from services
 * (AWS APIs, the credentials endpoint, the Extensions API), whose size the caller bounds. */
lc_json_result lc_json_parse_document(const char *s, size_t size, struct json_object **root);

#endif
