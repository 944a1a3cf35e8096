/* sdk/extension/internal.h - what extension.c and telemetry.c share (internal). */
#ifndef LAMBDA_C_EXTENSION_INTERNAL_H
#define LAMBDA_C_EXTENSION_INTERNAL_H

#include <lambda-c/extension.h>

#include "http.h"

struct lambda_extension {
    char endpoint[256]; /* AWS_LAMBDA_RUNTIME_API */
    char *identifier;
    char *function_name;
    char *function_version;
    char *handler;
    char error[512];
};

/* One call to the Extensions or Telemetry API with the extension's identifier; on a non-2xx
 * status records errorType/errorMessage in ext->error and returns LAMBDA_E_HTTP_STATUS. On
 * LAMBDA_OK the caller owns *out (lext_response_free). */
lambda_code lext_call(lambda_extension *ext, const char *method, const char *path,
                      const char *headers, const char *body, size_t body_len, lext_response *out);

#endif
