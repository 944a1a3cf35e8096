/*
 * A minimal HTTP/1.1 client for the loopback Runtime API: one keep-alive
 * connection, requests with Content-Length or chunked bodies, responses with
 * Content-Length or chunked bodies.
 *
 * Why not libcurl: the runtime must start fast, and merely loading Debian's
 * libcurl (and the OpenSSL and other libraries it pulls in) costs about 13 ms
 * on our reference machine, several times the whole cold start of a minimal
 * runtime. The Runtime API is plain HTTP on loopback and needs nothing more
 * than this file. libcurl remains the HTTP library for everything else
 * (liblambda-c-aws).
 */
#ifndef LAMBDA_C_HTTP_CLIENT_H
#define LAMBDA_C_HTTP_CLIENT_H

#include <stddef.h>
#include "lambda-c/error.h"

#include "util/limits.h"

/* More response headers than this is a protocol error (limits.h). */
#define LC_HTTP_MAX_HEADERS LC_LIMIT_API_HEADERS
/* A response head larger than this is a protocol error. */
#define LC_HTTP_MAX_HEAD_SIZE LC_LIMIT_API_HEAD_BYTES

typedef struct lc_http_header {
    const char *name;
    const char *value;
} lc_http_header;

typedef struct lc_http_response {
    int status;
    size_t header_count;
    lc_http_header headers[LC_HTTP_MAX_HEADERS];
    /* The body, NUL-terminated (the NUL is not counted). Owned by the
     * connection and valid until its next request. */
    char *body;
    size_t body_size;
} lc_http_response;

typedef struct lc_http_conn lc_http_conn;

/* Connect to "host:port" (IPv4, IPv6 in brackets, or a name). */
lambda_code lc_http_conn_open(lc_http_conn **out, const char *host_port);
void lc_http_conn_close(lc_http_conn *conn);

/* Connects again to the same address (after a failure closed the connection). The last
 * response's headers stay readable. */
lambda_code lc_http_conn_reopen(lc_http_conn *conn);

/*
 * Send one request and read its response. headers (count entries) are sent
 * as given, plus Host, Content-Length (when body is not NULL or the method
 * is POST/PUT) and nothing else. On success resp describes the response;
 * its strings live in the connection until the next request.
 *
 * LAMBDA_E_TOO_LARGE: the response body is over LC_LIMIT_API_BODY_BYTES. It is
 * not read; resp has the status and headers (no body), and the connection is
 * closed: lc_http_conn_reopen makes it usable again.
 */
lambda_code lc_http_request(lc_http_conn *conn, const char *method, const char *path,
                            const lc_http_header *headers, size_t count, const void *body,
                            size_t body_size, lc_http_response *resp);

/* The value of the first header called name (ASCII case-insensitive), or NULL. */
const char *lc_http_response_header(const lc_http_response *resp, const char *name);

/* Give back body memory above the connection's resting size (called between invocations
 * so that one large event does not keep megabytes resident). */
void lc_http_conn_trim(lc_http_conn *conn);

/* --- chunked request bodies (response streaming) --- */

/* Send the request head with Transfer-Encoding: chunked; the body follows in chunks. */
lambda_code lc_http_chunked_begin(lc_http_conn *conn, const char *method, const char *path,
                                  const lc_http_header *headers, size_t count);
/* Send one chunk (size 0 is ignored: the empty chunk ends the body). */
lambda_code lc_http_chunked_write(lc_http_conn *conn, const void *data, size_t size);
/* End the body with the given trailers and read the response. */
lambda_code lc_http_chunked_end(lc_http_conn *conn, const lc_http_header *trailers, size_t count,
                                lc_http_response *resp);

#endif
