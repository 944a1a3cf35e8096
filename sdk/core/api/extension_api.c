/*
 * extension_api.c - the Extensions API calls the core makes (extension_api.h).
 */
#include "core/api/extension_api.h"

#include <stdio.h>
#include <string.h>

#define EXTENSION_API "/2020-01-01/extension"

lambda_code lc_extension_api_register(lc_http_conn *conn, const char *name, const char *events_json,
                                      char *id)
{
    lc_http_header headers[] = { { "Lambda-Extension-Name", name },
                                 { "Content-Type", "application/json" } };
    lc_http_response resp;
    lambda_code rc = lc_http_request(conn, "POST", EXTENSION_API "/register", headers, 2,
                                     events_json, strlen(events_json), &resp);
    if (rc)
        return rc;
    const char *given = lc_http_response_header(&resp, "Lambda-Extension-Identifier");
    if (resp.status != 200 || !given || strlen(given) >= LC_EXTENSION_ID_SIZE)
        return LAMBDA_E_HTTP_STATUS;
    snprintf(id, LC_EXTENSION_ID_SIZE, "%s", given);
    return LAMBDA_OK;
}

lambda_code lc_extension_api_next(lc_http_conn *conn, const char *id, lc_http_response *resp)
{
    lc_http_header headers[] = { { "Lambda-Extension-Identifier", id } };
    lambda_code rc =
        lc_http_request(conn, "GET", EXTENSION_API "/event/next", headers, 1, NULL, 0, resp);
    if (rc == LAMBDA_OK && resp->status != 200)
        rc = LAMBDA_E_HTTP_STATUS;
    return rc;
}
