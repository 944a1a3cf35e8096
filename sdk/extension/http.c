/*
 * sdk/extension/http.c - loopback HTTP/1.1 for liblambda-c-extension (see http.h for why it
 * is not libcurl).
 */
#include "http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Copies the value [v, v+n) into dst (size LEXT_VALUE_MAX); 0, or -1 when it does not fit. */
static int copy_value(char *dst, const char *v, size_t n)
{
    if (n >= LEXT_VALUE_MAX)
        return -1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

static long long parse_length(const char *v, size_t n)
{
    long long value = 0;
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        value = value * 10 + (v[i] - '0');
    }
    return value;
}

/* The first line: "HTTP/1.x SSS reason" or "METHOD target HTTP/1.x". */
static int parse_start_line(const char *line, size_t n, int request, lext_head *out)
{
    if (!request) {
        if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
            return -1;
        for (int i = 9; i < 12; i++)
            if (line[i] < '0' || line[i] > '9')
                return -1;
        if (n > 12 && line[12] != ' ')
            return -1;
        out->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        return 0;
    }
    const char *sp1 = memchr(line, ' ', n);
    if (!sp1 || sp1 == line || (size_t)(sp1 - line) >= sizeof out->method)
        return -1;
    const char *rest = sp1 + 1;
    const char *sp2 = memchr(rest, ' ', n - (size_t)(rest - line));
    if (!sp2 || sp2 == rest)
        return -1;
    size_t tail = n - (size_t)(sp2 + 1 - line);
    if (tail != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
        return -1;
    memcpy(out->method, line, (size_t)(sp1 - line));
    out->method[sp1 - line] = '\0';
    return copy_value(out->path, rest, (size_t)(sp2 - rest));
}

/* One "Name: value" line (without its CRLF). */
static int parse_header_line(const char *line, size_t n, lext_head *out)
{
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return -1;
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++)
        if (line[i] == ' ' || line[i] == '\t')
            return -1; /* no whitespace before the colon (request smuggling) */
    const char *v = colon + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
        if (out->content_length >= 0)
            return -1;
        out->content_length = parse_length(v, vlen);
        return out->content_length < 0 ? -1 : 0;
    }
    if (name_len == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0)
        return -1; /* the Lambda APIs send Content-Length bodies */
    if (name_len == 27 && strncasecmp(line, "Lambda-Extension-Identifier", 27) == 0)
        return copy_value(out->identifier, v, vlen);
    return 0;
}

long lext_parse_head(const char *buf, size_t len, int request, lext_head *out)
{
    memset(out, 0, sizeof *out);
    out->content_length = -1;
    size_t limit = len < LEXT_HEAD_MAX ? len : LEXT_HEAD_MAX;
    size_t line_start = 0;
    int first = 1;
    for (size_t i = 0; i + 1 < limit; i++) {
        if (buf[i] == '\0' || buf[i] == '\n' || (buf[i] == '\r' && buf[i + 1] != '\n'))
            return -1; /* NUL, a bare LF or a bare CR inside a line */
        if (buf[i] != '\r')
            continue;
        const char *line = buf + line_start;
        size_t n = i - line_start;
        if (first) {
            if (parse_start_line(line, n, request, out) != 0)
                return -1;
            first = 0;
        } else if (n == 0) {
            return (long)(i + 2);
        } else if (parse_header_line(line, n, out) != 0) {
            return -1;
        }
        line_start = i + 2;
        i++;
    }
    return len >= LEXT_HEAD_MAX ? -1 : 0;
}

lambda_code lext_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return LAMBDA_E_IO;
        }
        data += n;
        len -= (size_t)n;
    }
    return LAMBDA_OK;
}

/* One recv() of at most len bytes, retried on EINTR: LAMBDA_OK with *got > 0, or why not. */
static lambda_code recv_some(int fd, char *buf, size_t len, size_t *got)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n > 0) {
            *got = (size_t)n;
            return LAMBDA_OK;
        }
        if (n == 0)
            return LAMBDA_E_CONNECTION_CLOSED;
        if (errno != EINTR)
            return LAMBDA_E_IO;
    }
}

/* Reads the head (and what came with it) into a growing buffer. */
static lambda_code read_head(int fd, int request, lext_head *head, char **buf, size_t *have,
                             long *head_len)
{
    size_t cap = 4096;
    char *b = malloc(cap);
    if (!b)
        return LAMBDA_E_NO_MEMORY;
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= LEXT_HEAD_MAX) {
                free(b);
                return LAMBDA_E_PROTOCOL;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return LAMBDA_E_NO_MEMORY;
            }
            b = nb;
            cap *= 2;
        }
        size_t got;
        lambda_code rc = recv_some(fd, b + n, cap - n, &got);
        if (rc != LAMBDA_OK) {
            free(b);
            return rc;
        }
        n += got;
        long h = lext_parse_head(b, n, request, head);
        if (h < 0) {
            free(b);
            return LAMBDA_E_PROTOCOL;
        }
        if (h > 0) {
            *buf = b;
            *have = n;
            *head_len = h;
            return LAMBDA_OK;
        }
    }
}

lambda_code lext_read_message(int fd, int request, lext_head *head, char **body, size_t *body_len)
{
    char *buf;
    size_t have;
    long head_len;
    lambda_code rc = read_head(fd, request, head, &buf, &have, &head_len);
    if (rc != LAMBDA_OK)
        return rc;
    size_t length = head->content_length < 0 ? 0 : (size_t)head->content_length;
    size_t extra = have - (size_t)head_len;
    if (head->content_length > (long long)LEXT_BODY_MAX || extra > length) {
        free(buf);
        return head->content_length > (long long)LEXT_BODY_MAX ? LAMBDA_E_TOO_LARGE
                                                               : LAMBDA_E_PROTOCOL;
    }
    char *b = malloc(length + 1);
    if (!b) {
        free(buf);
        return LAMBDA_E_NO_MEMORY;
    }
    memcpy(b, buf + head_len, extra);
    free(buf);
    size_t n = extra;
    while (n < length) {
        size_t got;
        lambda_code step = recv_some(fd, b + n, length - n, &got);
        if (step != LAMBDA_OK) {
            free(b);
            return step;
        }
        n += got;
    }
    b[length] = '\0';
    *body = b;
    *body_len = length;
    return LAMBDA_OK;
}

static int connect_to(const char *hostport, char *err, size_t err_len)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host || !colon[1]) {
        snprintf(err, err_len, "bad endpoint '%s' (HOST:PORT expected)", hostport);
        return -1;
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0) {
        snprintf(err, err_len, "cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, err_len, "cannot connect to %s: %s", hostport, strerror(errno));
    return fd;
}

lambda_code lext_http_call(const char *hostport, const char *method, const char *path,
                           const char *extra_headers, const char *body, size_t body_len,
                           lext_response *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    int fd = connect_to(hostport, err, err_len);
    if (fd < 0)
        return LAMBDA_E_CONNECT;
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n",
                     method, path, hostport, body_len);
    lambda_code rc = LAMBDA_E_PROTOCOL;
    if (n > 0 && (size_t)n < sizeof head) {
        rc = lext_write_all(fd, head, (size_t)n);
        if (rc == LAMBDA_OK && extra_headers)
            rc = lext_write_all(fd, extra_headers, strlen(extra_headers));
        if (rc == LAMBDA_OK)
            rc = lext_write_all(fd, "\r\n", 2);
        if (rc == LAMBDA_OK && body_len)
            rc = lext_write_all(fd, body, body_len);
    }
    lext_head h;
    if (rc == LAMBDA_OK)
        rc = lext_read_message(fd, 0, &h, &out->body, &out->body_len);
    close(fd);
    if (rc != LAMBDA_OK) {
        snprintf(err, err_len, "%s %s: %s", method, path,
                 rc == LAMBDA_E_PROTOCOL            ? "malformed HTTP answer"
                 : rc == LAMBDA_E_TOO_LARGE         ? "answer too large"
                 : rc == LAMBDA_E_CONNECTION_CLOSED ? "connection closed before the answer"
                 : rc == LAMBDA_E_NO_MEMORY         ? "out of memory"
                                                    : "I/O error");
        return rc;
    }
    out->status = h.status;
    memcpy(out->identifier, h.identifier, sizeof out->identifier);
    return LAMBDA_OK;
}

void lext_response_free(lext_response *r)
{
    if (!r)
        return;
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}
