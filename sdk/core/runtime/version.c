#include "lambda-c/error.h"
#include "lambda-c/version.h"

const char *lambda_version(void)
{
    return LAMBDA_C_VERSION_STRING;
}

unsigned lambda_abi_version(void)
{
    return LAMBDA_C_ABI_VERSION;
}

const char *lambda_strerror(lambda_code code)
{
    switch (code) {
    case LAMBDA_OK:
        return "no error";
    case LAMBDA_E_INVALID_ARGUMENT:
        return "invalid argument";
    case LAMBDA_E_NO_MEMORY:
        return "out of memory";
    case LAMBDA_E_INVALID_JSON:
        return "invalid JSON";
    case LAMBDA_E_NOT_FOUND:
        return "not found";
    case LAMBDA_E_WRONG_TYPE:
        return "value has the wrong type";
    case LAMBDA_E_CONNECT:
        return "could not connect";
    case LAMBDA_E_IO:
        return "input/output error";
    case LAMBDA_E_CONNECTION_CLOSED:
        return "connection closed by peer";
    case LAMBDA_E_PROTOCOL:
        return "protocol error";
    case LAMBDA_E_HTTP_STATUS:
        return "unexpected HTTP status";
    case LAMBDA_E_TOO_LARGE:
        return "payload too large";
    case LAMBDA_E_STATE:
        return "not allowed in the current state";
    case LAMBDA_E_CONFIG:
        return "missing or malformed configuration";
    case LAMBDA_E_UNSUPPORTED:
        return "not supported";
    case LAMBDA_E_TIMEOUT:
        return "deadline exceeded";
    case LAMBDA_E_CRYPTO:
        return "cryptographic operation failed";
    case LAMBDA_E_LOAD:
        return "could not load library or symbol";
    }
    return "unknown error code";
}
