/* UTF-8 validation and repair, so that every string we put into JSON is valid UTF-8. */
#ifndef LAMBDA_C_UTF8_H
#define LAMBDA_C_UTF8_H

#include <stddef.h>

/* Length (1..4) of the valid UTF-8 sequence at s, of at most avail bytes; 0 if invalid there. */
size_t lc_utf8_sequence_length(const unsigned char *s, size_t avail);

/* Whether size bytes at s are valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int lc_utf8_is_valid(const char *s, size_t size);

/*
 * A malloc'd, NUL-terminated copy of size bytes at s in which every invalid
 * sequence is replaced by U+FFFD. NULL when out of memory.
 */
char *lc_utf8_repair(const char *s, size_t size);

#endif
