/*
 * sdk/extension/http.h - the minimal loopback HTTP/1.1 client and server pieces of
 * liblambda-c-extension (internal).
 *
 * Why not libcurl: the Extensions and Telemetry APIs are plain HTTP on the sandbox's own
 * address, one request per connection, Content-Length bodies only. An extension should start
 * fast and carry no TLS stack, so this library stays on libc and json-c alone.
 *
 * The parsers take untrusted bytes: they are linear in the input, never read past len, and
 * accept at most LEXT_HEAD_MAX bytes of head (tests/unit/test_extension_http.c and the fuzz
 * target tests/fuzz/fuzz_extension_http.c exercise them).
 */
#ifndef LAMBDA_C_EXTENSION_HTTP_H
#define LAMBDA_C_EXTENSION_HTTP_H

#include <lambda-c/error.h>
#include <stddef.h>

#define LEXT_HEAD_MAX 65536
#define LEXT_VALUE_MAX 256
/* The largest body read: an event, an error answer or a telemetry batch (maxBytes is at
 * most 1 MiB; the first event of a batch may exceed it). */
#define LEXT_BODY_MAX (8u << 20)

typedef struct lext_head {
    int status;                      /* responses: the status code */
    char method[16];                 /* requests: GET, POST, PUT... */
    char path[LEXT_VALUE_MAX];       /* requests: the request target */
    long long content_length;        /* -1 when absent */
    char identifier[LEXT_VALUE_MAX]; /* Lambda-Extension-Identifier, "" when absent */
} lext_head;

/* Parses the head of a response (request: 0) or a request (request: 1) in buf[0..len).
 * Returns the length of the head including its blank line (> 0), 0 when buf holds no
 * complete head yet, -1 when it is malformed, too long, uses a transfer coding, or names
 * Content-Length twice. Fills *out on success. */
long lext_parse_head(const char *buf, size_t len, int request, lext_head *out);

typedef struct lext_response {
    int status;
    char identifier[LEXT_VALUE_MAX];
    char *body; /* NUL-terminated, owned: lext_response_free */
    size_t body_len;
} lext_response;

/* One request over a new TCP connection to HOST:PORT (hostport, e.g. AWS_LAMBDA_RUNTIME_API).
 * extra_headers: "Name: value" lines, each ending in \r\n, or NULL. Blocks until the whole
 * response has arrived (no timeout: /event/next waits as long as Lambda makes it). On failure
 * returns LAMBDA_E_CONNECT, LAMBDA_E_IO, LAMBDA_E_CONNECTION_CLOSED, LAMBDA_E_PROTOCOL,
 * LAMBDA_E_TOO_LARGE or LAMBDA_E_NO_MEMORY and writes a description into err. */
lambda_code lext_http_call(const char *hostport, const char *method, const char *path,
                           const char *extra_headers, const char *body, size_t body_len,
                           lext_response *out, char *err, size_t err_len);

void lext_response_free(lext_response *r);

/* Reads a whole request or response (head and Content-Length body) from fd. request: as for
 * lext_parse_head. On success *body (NUL-terminated, owned by the caller) and *head are set. */
lambda_code lext_read_message(int fd, int request, lext_head *head, char **body, size_t *body_len);

/* Writes all of data to fd (retrying on EINTR and short writes). */
lambda_code lext_write_all(int fd, const char *data, size_t len);

#endif
