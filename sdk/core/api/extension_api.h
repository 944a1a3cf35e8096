/*
 * The Lambda Extensions API (version 2020-01-01) as calls, over one lc_http_conn: what the
 * core needs to be an internal extension (graceful shutdown: Lambda sends SIGTERM before it
 * ends an environment only when an extension is registered). Status codes are checked here:
 * anything but 200 is LAMBDA_E_HTTP_STATUS.
 */
#ifndef LAMBDA_C_EXTENSION_API_H
#define LAMBDA_C_EXTENSION_API_H

#include "core/transport/http.h"

/* The Lambda-Extension-Identifier Lambda gives at registration (a UUID). */
#define LC_EXTENSION_ID_SIZE 128

/*
 * POST /extension/register as name, subscribing to events_json (e.g. {"events":[]}).
 * On success id (LC_EXTENSION_ID_SIZE bytes) holds the extension's identifier.
 */
lambda_code lc_extension_api_register(lc_http_conn *conn, const char *name, const char *events_json,
                                      char *id);

/* GET /extension/event/next for the extension id; blocks until Lambda sends an event. The
 * event's JSON is resp->body (owned by conn until its next request). */
lambda_code lc_extension_api_next(lc_http_conn *conn, const char *id, lc_http_response *resp);

#endif
