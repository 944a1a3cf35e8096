/*
 * base64.c - RFC 4648 base64 for every lambda-c library (event bindings, streamed error
 * trailers).
 *
 * Why not OpenSSL's EVP_DecodeBlock: liblambda-c links only json-c and libc,
 * because every library loaded at cold start costs time before the first
 * invocation (libcrypto alone is several megabytes to map and relocate).
 * OpenSSL stays in liblambda-c-aws, loaded on first use. These few lines
 * are all the event bindings need: Kinesis data, base64 HTTP bodies, SQS/SNS
 * binary attributes, DynamoDB B values.
 *
 * Decoding is strict, as RFC 4648 section 3.3 asks: the standard alphabet
 * only, '=' padding required (length a multiple of 4), padding only at the
 * end, no whitespace. Non-zero pad bits are accepted (section 3.5 allows it).
 */
#include "util/base64.h"

#include <stdint.h>
#include <stdlib.h>

static const char enc_table[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, or -1. */
static int dec_char(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

size_t lc_base64_decoded_size(const char *in, size_t len)
{
    if (len == 0 || len % 4 != 0)
        return len / 4 * 3;
    size_t pad = 0;
    if (in[len - 1] == '=')
        pad++;
    if (in[len - 2] == '=')
        pad++;
    return len / 4 * 3 - pad;
}

lambda_code lc_base64_decode(const char *in, size_t len, void *out, size_t *out_len)
{
    if (!in && len)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (len % 4 != 0)
        return LC_BASE64_E_ENCODING;
    unsigned char *o = out;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int last = i + 4 == len;
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            if (c == '=' && last && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad) /* a character after '=' */
                return LC_BASE64_E_ENCODING;
            v[k] = dec_char(c);
            if (v[k] < 0)
                return LC_BASE64_E_ENCODING;
        }
        uint32_t triple =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if (o) {
            o[n] = (unsigned char)(triple >> 16);
            if (pad < 2)
                o[n + 1] = (unsigned char)(triple >> 8);
            if (pad < 1)
                o[n + 2] = (unsigned char)triple;
        }
        n += (size_t)(3 - pad);
    }
    if (out_len)
        *out_len = n;
    return LAMBDA_OK;
}

size_t lc_base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    if (groups > (SIZE_MAX - 1) / 4)
        return SIZE_MAX;
    return groups * 4;
}

void lc_base64_encode(const void *in, size_t len, char *out)
{
    const unsigned char *p = in;
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t t = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = enc_table[t >> 18 & 63];
        out[o++] = enc_table[t >> 12 & 63];
        out[o++] = enc_table[t >> 6 & 63];
        out[o++] = enc_table[t & 63];
    }
    if (len - i == 1) {
        uint32_t t = (uint32_t)p[i] << 16;
        out[o++] = enc_table[t >> 18 & 63];
        out[o++] = enc_table[t >> 12 & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t t = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = enc_table[t >> 18 & 63];
        out[o++] = enc_table[t >> 12 & 63];
        out[o++] = enc_table[t >> 6 & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

char *lc_base64_encode_alloc(const void *in, size_t len)
{
    size_t n = lc_base64_encoded_len(len);
    char *out = n == SIZE_MAX ? NULL : malloc(n + 1);
    if (out)
        lc_base64_encode(in, len, out);
    return out;
}
