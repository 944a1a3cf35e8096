/*
 * lambda-c/version.h - release and ABI version of the lambda-c SDK.
 *
 * The release version follows semver. The ABI version is what binary
 * compatibility is judged by: the major is the soname of liblambda-c
 * (liblambda-c.so.1), the minor grows whenever a release adds to the ABI.
 * A handler built against ABI M.n runs on any runtime whose ABI is M.x
 * with x >= n; anything else is refused at init with a clear error.
 */
#ifndef LAMBDA_C_VERSION_H
#define LAMBDA_C_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define LAMBDA_C_VERSION_MAJOR 1
#define LAMBDA_C_VERSION_MINOR 2
#define LAMBDA_C_VERSION_PATCH 0
#define LAMBDA_C_VERSION_STRING "1.2.0"

#define LAMBDA_C_ABI_MAJOR 1
#define LAMBDA_C_ABI_MINOR 2

/* The ABI packed in one integer: major in the high 16 bits, minor in the low. */
#define LAMBDA_C_ABI_PACK(major, minor) (((unsigned)(major) << 16) | (unsigned)(minor))
#define LAMBDA_C_ABI_VERSION LAMBDA_C_ABI_PACK(LAMBDA_C_ABI_MAJOR, LAMBDA_C_ABI_MINOR)

/* The release version of the library actually loaded, e.g. "1.2.0". */
const char *lambda_version(void);

/* The ABI version (LAMBDA_C_ABI_PACK form) of the library actually loaded. */
unsigned lambda_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif
