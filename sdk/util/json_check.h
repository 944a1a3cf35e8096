/*
 * A strict RFC 8259 syntax check, run before json-c builds the tree. json-c's
 * strict mode still takes NaN, Infinity, "1.", raw control characters in
 * strings, single-quoted keys and overlong or surrogate UTF-8; a handler must
 * be told that such an event is not JSON rather than receive it.
 */
#ifndef LAMBDA_C_JSON_CHECK_H
#define LAMBDA_C_JSON_CHECK_H

#include <stddef.h>

/* How deep arrays and objects may nest in an event. */
#define JSON_MAX_DEPTH 256

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

#endif
