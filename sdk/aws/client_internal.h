/*
 * sdk/aws/client_internal.h - what the service helpers need from client.c. Private.
 */
#ifndef LAMBDA_C_AWS_CLIENT_INTERNAL_H
#define LAMBDA_C_AWS_CLIENT_INTERNAL_H

#include "aws/internal.h"

typedef struct lc_endpoint {
    char *scheme;    /* "https" or "http" */
    char *host;      /* host[:port], lowercase, default port dropped */
    char *base_path; /* decoded path prefix without trailing '/', "" when none */
    int https;
    int overridden; /* came from options.endpoint_url or AWS_ENDPOINT_URL* */
} lc_endpoint;

LC_HIDDEN lambda_code lc_resolve_endpoint(const lambda_aws_client *c, const char *service,
                                          lc_endpoint *ep);
LC_HIDDEN void lc_endpoint_free(lc_endpoint *ep);
LC_HIDDEN int lc_client_s3_path_style(const lambda_aws_client *c);
LC_HIDDEN lambda_aws_credentials_provider *lc_client_credentials(const lambda_aws_client *c);

#endif
