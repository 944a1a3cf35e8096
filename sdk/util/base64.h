/*
 * util/base64.h - RFC 4648 base64, the one copy every lambda-c library links (sdk/util).
 *
 * Internal: compiled into each library that needs it, never exported (lc_ prefix).
 */
#ifndef LAMBDA_C_UTIL_BASE64_H
#define LAMBDA_C_UTIL_BASE64_H

#include <stddef.h>

#include "lambda-c/error.h"

/*
 * The code for text that is not valid base64. error.h has no dedicated code
 * yet; "the value is not of the kind asked" is the closest one.
 */
#define LC_BASE64_E_ENCODING LAMBDA_E_WRONG_TYPE

/*
 * RFC 4648 section 4 (standard alphabet, '=' padding required, no line
 * breaks or other characters). Decodes len characters at in. With out NULL
 * only validates; otherwise writes the bytes to out, which must hold
 * lc_base64_decoded_size(in, len) bytes. *out_len (if not NULL) receives
 * the decoded size. Returns LC_BASE64_E_ENCODING for anything that is not valid.
 */
lambda_code lc_base64_decode(const char *in, size_t len, void *out, size_t *out_len);

/* The decoded size of valid base64 text of len characters (padding taken into account). */
size_t lc_base64_decoded_size(const char *in, size_t len);

/* Characters (without the NUL) that lc_base64_encode writes for len bytes; SIZE_MAX on overflow. */
size_t lc_base64_encoded_len(size_t len);

/* Writes lc_base64_encoded_len(len) characters and a NUL to out. */
void lc_base64_encode(const void *in, size_t len, char *out);

/* A new NUL-terminated base64 text of len bytes (caller frees), or NULL when out of memory. */
char *lc_base64_encode_alloc(const void *in, size_t len);

#endif
