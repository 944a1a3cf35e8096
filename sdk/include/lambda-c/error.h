/*
 * lambda-c/error.h - result codes shared by every lambda-c call.
 *
 * Functions that can fail return a lambda_code; LAMBDA_OK is zero, so
 * `if (rc) ...` reads naturally. Codes are stable: new ones are only ever
 * appended.
 */
#ifndef LAMBDA_C_ERROR_H
#define LAMBDA_C_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lambda_code {
    LAMBDA_OK = 0,
    LAMBDA_E_INVALID_ARGUMENT = 1,  /* a NULL or out-of-range argument */
    LAMBDA_E_NO_MEMORY = 2,         /* an allocation failed */
    LAMBDA_E_INVALID_JSON = 3,      /* bytes that are not one JSON document */
    LAMBDA_E_NOT_FOUND = 4,         /* a requested field or value is absent */
    LAMBDA_E_WRONG_TYPE = 5,        /* a JSON value has another type than asked */
    LAMBDA_E_CONNECT = 6,           /* could not connect to an endpoint */
    LAMBDA_E_IO = 7,                /* a socket read or write failed */
    LAMBDA_E_CONNECTION_CLOSED = 8, /* the peer closed the connection */
    LAMBDA_E_PROTOCOL = 9,          /* the peer sent something that is not valid HTTP */
    LAMBDA_E_HTTP_STATUS = 10,      /* the peer answered with an unexpected status */
    LAMBDA_E_TOO_LARGE = 11,        /* a payload exceeds a Lambda limit */
    LAMBDA_E_STATE = 12,            /* the call is not allowed in the object's current state */
    LAMBDA_E_CONFIG = 13,           /* a required setting is missing or malformed */
    LAMBDA_E_UNSUPPORTED = 14,      /* not available in this build or environment */
    LAMBDA_E_TIMEOUT = 15,          /* a deadline passed */
    LAMBDA_E_CRYPTO = 16,           /* a cryptographic primitive failed */
    LAMBDA_E_LOAD = 17              /* a shared library or symbol could not be loaded */
} lambda_code;

/* A static, human-readable description of code. Never NULL. */
const char *lambda_strerror(lambda_code code);

#ifdef __cplusplus
}
#endif

#endif
