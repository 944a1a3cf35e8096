#include "core/transport/http.h"
#include "util/ascii.h"
#include "util/limits.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define READ_BUFFER_SIZE (64 * 1024)
/* Body memory kept between invocations; anything above is returned by lc_http_conn_trim. */
#define RESTING_BODY_CAPACITY (256 * 1024)

struct lc_http_conn {
    int fd;
    /* " HTTP/1.1\r\nHost: host:port\r\n": what follows the path in every request head,
     * formatted once at connect. */
    char host_line[300];
    size_t host_line_len;
    char host_port[270]; /* as given, for lc_http_conn_reopen */
    /* Buffered reader over fd. */
    char rbuf[READ_BUFFER_SIZE];
    size_t rpos, rlen;
    /* The current response head (status line + headers), NUL-separated in place. */
    char head[LC_HTTP_MAX_HEAD_SIZE];
    size_t head_len;
    /* The current response body. */
    char *body;
    size_t body_cap;
};

/*
 * After connect() was interrupted by a signal (a handler's timer, a profiler's SIGPROF): the
 * kernel goes on connecting; wait for it and take its outcome. Found by fuzzing, where
 * libFuzzer's SIGALRM failed one connect in some 350,000.
 */
static int finish_interrupted_connect(int fd)
{
    struct pollfd p = { fd, POLLOUT, 0 };
    int n;
    while ((n = poll(&p, 1, -1)) < 0 && errno == EINTR) {
    }
    int error = 0;
    socklen_t size = sizeof error;
    return n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
}

/* A socket connected to addr (len bytes), or -1. */
static int connect_addr(const struct sockaddr *addr, socklen_t len)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, addr, len) != 0 && (errno != EINTR || !finish_interrupted_connect(fd))) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A socket connected to host (a name: the first of its addresses that answers) and port,
 * or -1. */
static int connect_name(const char *host, const char *port)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_addr(ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(res);
    return fd;
}

/*
 * A dotted quad ("127.0.0.1": four decimal octets, no leading zeros, as inet_pton reads
 * them) into *addr; 0 when host is not one. By hand for the address Lambda gives: inet_pton
 * was one more libc function to bind at cold start (0.7k instructions, callgrind).
 */
static int parse_ipv4(const char *host, struct in_addr *addr)
{
    uint32_t value = 0;
    const char *p = host;
    for (int part = 0; part < 4; part++) {
        if (part && *p++ != '.')
            return 0;
        uint64_t octet;
        const char *end = lc_ascii_decimal(p, 256, &octet);
        if (!end || octet > 255 || (end - p > 1 && *p == '0'))
            return 0;
        value = value << 8 | (uint32_t)octet;
        p = end;
    }
    if (*p)
        return 0;
    addr->s_addr = htonl(value);
    return 1;
}

/*
 * A socket connected to "host:port" into *fd. A numeric address (what Lambda gives:
 * AWS_LAMBDA_RUNTIME_API is "127.0.0.1:9001") is read without getaddrinfo, which even with
 * AI_NUMERICHOST cost 3.3k of the ~210k instructions from exec to hello's first answer
 * (callgrind). Names still go through getaddrinfo.
 */
static lambda_code connect_to(const char *host_port, int *fd_out)
{
    const char *colon = NULL;
    for (const char *p = host_port; *p; p++)
        if (*p == ':')
            colon = p;
    if (!colon || colon == host_port || !colon[1])
        return LAMBDA_E_CONFIG;
    size_t host_len = (size_t)(colon - host_port);
    const char *host_start = host_port;
    if (host_port[0] == '[' && host_len >= 2 && host_port[host_len - 1] == ']') {
        host_start++;
        host_len -= 2;
    }
    char host[256];
    if (host_len == 0 || host_len >= sizeof host)
        return LAMBDA_E_CONFIG;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    /* Digits only, 1..65535: getaddrinfo would take a service name or wrap the number. */
    const char *port = colon + 1;
    uint64_t number = 0;
    const char *end = lc_ascii_decimal(port, 65536, &number);
    if (!end || *end || number < 1 || number > 65535)
        return LAMBDA_E_CONFIG;

    int fd;
    struct sockaddr_in v4 = { 0 };
    struct sockaddr_in6 v6 = { 0 };
    if (parse_ipv4(host, &v4.sin_addr)) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)number);
        fd = connect_addr((const struct sockaddr *)&v4, sizeof v4);
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)number);
        fd = connect_addr((const struct sockaddr *)&v6, sizeof v6);
    } else {
        fd = connect_name(host, port);
    }
    if (fd < 0)
        return LAMBDA_E_CONNECT;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return LAMBDA_OK;
}

lambda_code lc_http_conn_open(lc_http_conn **out, const char *host_port)
{
    if (!out || !host_port)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    lc_http_conn *conn = malloc(sizeof *conn);
    if (!conn)
        return LAMBDA_E_NO_MEMORY;
    /* The Host header: "host:port" as given, IPv6 literals in their brackets. */
    static const char line_start[] = " HTTP/1.1\r\nHost: ";
    size_t len = strlen(host_port);
    if (len >= sizeof conn->host_port) {
        free(conn);
        return LAMBDA_E_CONFIG;
    }
    _Static_assert(sizeof conn->host_line >= sizeof line_start + sizeof conn->host_port + 2,
                   "the Host line fits");
    memcpy(conn->host_line, line_start, sizeof line_start - 1);
    memcpy(conn->host_line + sizeof line_start - 1, host_port, len);
    memcpy(conn->host_line + sizeof line_start - 1 + len, "\r\n", 2);
    conn->host_line_len = sizeof line_start - 1 + len + 2;
    memcpy(conn->host_port, host_port, len + 1);
    lambda_code rc = connect_to(host_port, &conn->fd);
    if (rc) {
        free(conn);
        return rc;
    }
    conn->rpos = conn->rlen = 0;
    conn->head_len = 0;
    conn->body = NULL;
    conn->body_cap = 0;
    *out = conn;
    return LAMBDA_OK;
}

lambda_code lc_http_conn_reopen(lc_http_conn *conn)
{
    if (!conn)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (conn->fd >= 0)
        close(conn->fd);
    conn->fd = -1;
    conn->rpos = conn->rlen = 0;
    return connect_to(conn->host_port, &conn->fd);
}

void lc_http_conn_close(lc_http_conn *conn)
{
    if (!conn)
        return;
    if (conn->fd >= 0)
        close(conn->fd);
    free(conn->body);
    free(conn);
}

void lc_http_conn_trim(lc_http_conn *conn)
{
    if (conn && conn->body_cap > RESTING_BODY_CAPACITY) {
        free(conn->body);
        conn->body = NULL;
        conn->body_cap = 0;
    }
}

/* ------------------------------------------------------------------ writing */

static lambda_code send_all(lc_http_conn *conn, struct iovec *iov, int iovcnt)
{
    while (iovcnt > 0) {
        struct msghdr msg = { 0 };
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)iovcnt;
        ssize_t n = sendmsg(conn->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EPIPE || errno == ECONNRESET) ? LAMBDA_E_CONNECTION_CLOSED
                                                           : LAMBDA_E_IO;
        }
        size_t left = (size_t)n;
        while (iovcnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return LAMBDA_OK;
}

/*
 * A request head or trailer block being formatted: a stack buffer covers every ordinary
 * request without touching the heap; a large header (an X-Ray cause may be 64 KiB) moves it
 * to the heap.
 */
typedef struct text_buf {
    char *data;
    size_t len, cap;
    int heap;
    int failed;
    char stack[8192];
} text_buf;

static void text_init(text_buf *t)
{
    t->data = t->stack;
    t->len = 0;
    t->cap = sizeof t->stack;
    t->heap = 0;
    t->failed = 0;
}

static void text_free(text_buf *t)
{
    if (t->heap)
        free(t->data);
}

static void text_append(text_buf *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (n > SIZE_MAX - t->len - 1) {
        t->failed = 1;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap * 2;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *data = t->heap ? realloc(t->data, cap) : malloc(cap);
        if (!data) {
            t->failed = 1;
            return;
        }
        if (!t->heap)
            memcpy(data, t->data, t->len);
        t->data = data;
        t->cap = cap;
        t->heap = 1;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_puts(text_buf *t, const char *s)
{
    text_append(t, s, strlen(s));
}

/* No CR or LF (by hand: strpbrk was one more libc function to bind at cold start). */
static int header_is_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

/* Header lines "Name: value\r\n" for every header that has a value. */
static lambda_code append_headers(text_buf *t, const lc_http_header *headers, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!headers[i].value)
            continue;
        if (!header_is_safe(headers[i].name) || !header_is_safe(headers[i].value))
            return LAMBDA_E_INVALID_ARGUMENT;
        text_puts(t, headers[i].name);
        text_append(t, ": ", 2);
        text_puts(t, headers[i].value);
        text_append(t, "\r\n", 2);
    }
    return t->failed ? LAMBDA_E_NO_MEMORY : LAMBDA_OK;
}

static lambda_code format_head(lc_http_conn *conn, text_buf *t, const char *method,
                               const char *path, const lc_http_header *headers, size_t count,
                               const char *body_header)
{
    text_puts(t, method);
    text_append(t, " ", 1);
    text_puts(t, path);
    text_append(t, conn->host_line, conn->host_line_len);
    lambda_code rc = append_headers(t, headers, count);
    if (rc)
        return rc;
    if (body_header)
        text_puts(t, body_header);
    text_append(t, "\r\n", 2);
    return t->failed ? LAMBDA_E_NO_MEMORY : LAMBDA_OK;
}

/* ------------------------------------------------------------------ reading */

static lambda_code fill(lc_http_conn *conn)
{
    if (conn->rpos == conn->rlen)
        conn->rpos = conn->rlen = 0;
    for (;;) {
        ssize_t n = read(conn->fd, conn->rbuf + conn->rlen, sizeof conn->rbuf - conn->rlen);
        if (n > 0) {
            conn->rlen += (size_t)n;
            return LAMBDA_OK;
        }
        if (n == 0)
            return LAMBDA_E_CONNECTION_CLOSED;
        if (errno == EINTR)
            continue;
        return errno == ECONNRESET ? LAMBDA_E_CONNECTION_CLOSED : LAMBDA_E_IO;
    }
}

/* Reads one CRLF-terminated line into the head buffer; *line gets it, NUL-terminated, and
 * *len its length. */
static lambda_code read_line(lc_http_conn *conn, char **line, size_t *len)
{
    size_t start = conn->head_len;
    for (;;) {
        /* memchr + memcpy rather than a byte loop: this runs over every response head. */
        const char *avail = conn->rbuf + conn->rpos;
        size_t n = conn->rlen - conn->rpos;
        const char *nl = memchr(avail, '\n', n);
        size_t take = nl ? (size_t)(nl - avail) : n;
        if (conn->head_len + take + 1 >= sizeof conn->head)
            return LAMBDA_E_PROTOCOL;
        memcpy(conn->head + conn->head_len, avail, take);
        conn->head_len += take;
        conn->rpos += take;
        if (nl) {
            conn->rpos++; /* the '\n' */
            size_t end = conn->head_len;
            if (end > start && conn->head[end - 1] == '\r')
                end--;
            conn->head[end] = '\0';
            conn->head_len = end + 1;
            *line = conn->head + start;
            *len = end - start;
            return LAMBDA_OK;
        }
        lambda_code rc = fill(conn);
        if (rc)
            return rc;
    }
}

static lambda_code read_exact(lc_http_conn *conn, char *dst, size_t size)
{
    size_t buffered = conn->rlen - conn->rpos;
    size_t take = buffered < size ? buffered : size;
    memcpy(dst, conn->rbuf + conn->rpos, take);
    conn->rpos += take;
    dst += take;
    size -= take;
    /* Large bodies go straight from the socket into place, without the bounce buffer. */
    while (size > 0) {
        ssize_t n = read(conn->fd, dst, size);
        if (n > 0) {
            dst += n;
            size -= (size_t)n;
        } else if (n == 0) {
            return LAMBDA_E_CONNECTION_CLOSED;
        } else if (errno != EINTR) {
            return errno == ECONNRESET ? LAMBDA_E_CONNECTION_CLOSED : LAMBDA_E_IO;
        }
    }
    return LAMBDA_OK;
}

static lambda_code reserve_body(lc_http_conn *conn, size_t size)
{
    if (size == SIZE_MAX)
        return LAMBDA_E_TOO_LARGE;
    if (size + 1 <= conn->body_cap)
        return LAMBDA_OK;
    size_t cap = conn->body_cap ? conn->body_cap : 4096;
    while (cap < size + 1)
        cap = cap > SIZE_MAX / 2 ? size + 1 : cap * 2;
    char *body = realloc(conn->body, cap);
    if (!body)
        return LAMBDA_E_NO_MEMORY;
    conn->body = body;
    conn->body_cap = cap;
    return LAMBDA_OK;
}

static int digit_value(char c, int base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * A Content-Length (base 10) or chunk size (base 16): digits only (no sign, space or prefix,
 * which strtoull would take), then for a chunk size optional white space and extensions
 * after ';'. Values above LC_LIMIT_API_BODY_BYTES saturate at one more than it, so that the
 * caller refuses them as too large without overflow.
 */
static int parse_size(const char *s, int base, size_t *out)
{
    size_t v = 0;
    const char *p = s;
    for (int d; (d = digit_value(*p, base)) >= 0; p++) {
        v = v * (size_t)base + (size_t)d;
        if (v > LC_LIMIT_API_BODY_BYTES)
            v = LC_LIMIT_API_BODY_BYTES + 1;
    }
    if (p == s)
        return 0;
    if (base == 16) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != ';') /* chunk extensions follow ';' */
            return 0;
    } else if (*p) {
        return 0;
    }
    *out = v;
    return 1;
}

static lambda_code read_chunked_body(lc_http_conn *conn, size_t *total)
{
    *total = 0;
    for (;;) {
        char *line;
        size_t saved = conn->head_len, len;
        lambda_code rc = read_line(conn, &line, &len);
        if (rc)
            return rc;
        size_t chunk;
        if (!parse_size(line, 16, &chunk))
            return LAMBDA_E_PROTOCOL;
        conn->head_len = saved;
        if (chunk == 0)
            break;
        if (chunk > LC_LIMIT_API_BODY_BYTES - *total)
            return LAMBDA_E_TOO_LARGE;
        rc = reserve_body(conn, *total + chunk);
        if (rc)
            return rc;
        rc = read_exact(conn, conn->body + *total, chunk);
        if (rc)
            return rc;
        *total += chunk;
        char crlf[2];
        rc = read_exact(conn, crlf, 2);
        if (rc)
            return rc;
        if (crlf[0] != '\r' || crlf[1] != '\n')
            return LAMBDA_E_PROTOCOL;
    }
    /* Trailers (ignored) up to the empty line. */
    for (;;) {
        char *line;
        size_t saved = conn->head_len, len;
        lambda_code rc = read_line(conn, &line, &len);
        if (rc)
            return rc;
        conn->head_len = saved;
        if (!*line)
            return LAMBDA_OK;
    }
}

/* The framing headers of a response, found while its headers are read. */
typedef struct framing {
    const char *content_length;
    const char *transfer_encoding;
} framing;

/* "HTTP/1.x NNN reason": the status, or 0. */
static int parse_status_line(const char *line, size_t len)
{
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
        return 0;
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (line[i] < '0' || line[i] > '9')
            return 0;
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100 || (len > 12 && line[12] != ' '))
        return 0;
    return status;
}

/* Whether the header name (len bytes) is lower_name, ASCII case-insensitively. A length and
 * first-letter test first: most names are neither framing header. */
static int name_is(const char *name, size_t len, const char *lower_name, size_t lower_len)
{
    return len == lower_len && (name[0] | 0x20) == lower_name[0] &&
           strcasecmp(name, lower_name) == 0;
}

/* One "Name: value" line into resp (split in place); the framing headers noted on the way. */
static lambda_code add_header(lc_http_response *resp, framing *f, char *line, size_t len)
{
    char *colon = memchr(line, ':', len);
    if (!colon || colon == line || memchr(line, '\0', (size_t)(colon - line)))
        return LAMBDA_E_PROTOCOL; /* no name, or a NUL in it (the name is read as a string) */
    *colon = '\0';
    size_t name_len = (size_t)(colon - line);
    char *value = colon + 1, *end = line + len;
    while (*value == ' ' || *value == '\t')
        value++;
    while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    /* More headers than any Runtime API answer has: refuse the answer rather than drop
     * some (a dropped Content-Length or request id would be misread silently). */
    if (resp->header_count == LC_HTTP_MAX_HEADERS)
        return LAMBDA_E_PROTOCOL;
    resp->headers[resp->header_count].name = line;
    resp->headers[resp->header_count].value = value;
    resp->header_count++;
    /* The first of a repeated header wins, as a lookup by name would give. */
    if (!f->content_length && name_is(line, name_len, "content-length", 14))
        f->content_length = value;
    else if (!f->transfer_encoding && name_is(line, name_len, "transfer-encoding", 17))
        f->transfer_encoding = value;
    return LAMBDA_OK;
}

/* A body over the limit is not read: the connection is closed (its unread rest would be taken
 * for the next answer), and the head stays readable until the next request. */
static lambda_code body_too_large(lc_http_conn *conn)
{
    close(conn->fd);
    conn->fd = -1;
    conn->rpos = conn->rlen = 0;
    return LAMBDA_E_TOO_LARGE;
}

/* The body after the head, as the framing headers say; resp->body gets it, NUL-terminated. */
static lambda_code read_body(lc_http_conn *conn, lc_http_response *resp, const framing *f)
{
    size_t size = 0;
    lambda_code rc;
    if (f->transfer_encoding && strcasecmp(f->transfer_encoding, "chunked") == 0) {
        rc = read_chunked_body(conn, &size);
        if (rc == LAMBDA_E_TOO_LARGE)
            return body_too_large(conn);
        if (rc)
            return rc;
    } else if (f->content_length) {
        if (!parse_size(f->content_length, 10, &size))
            return LAMBDA_E_PROTOCOL;
        if (size > LC_LIMIT_API_BODY_BYTES)
            return body_too_large(conn); /* before reserving or reading a byte of it */
        rc = reserve_body(conn, size);
        if (rc)
            return rc;
        rc = read_exact(conn, conn->body, size);
        if (rc)
            return rc;
    } else if (resp->status >= 200 && resp->status != 204 && resp->status != 304) {
        /* No framing: the Runtime API always frames its bodies, so this is a protocol error
         * rather than a read-until-close body that would hang the loop. */
        return LAMBDA_E_PROTOCOL;
    }
    rc = reserve_body(conn, size);
    if (rc)
        return rc;
    conn->body[size] = '\0';
    resp->body = conn->body;
    resp->body_size = size;
    return LAMBDA_OK;
}

static lambda_code read_response(lc_http_conn *conn, lc_http_response *resp)
{
    char *line;
    size_t len;
    conn->head_len = 0;
    resp->header_count = 0;
    resp->body = NULL;
    resp->body_size = 0;

    lambda_code rc = read_line(conn, &line, &len);
    if (rc)
        return rc;
    resp->status = parse_status_line(line, len);
    if (!resp->status)
        return LAMBDA_E_PROTOCOL;
    framing f = { NULL, NULL };
    for (;;) {
        rc = read_line(conn, &line, &len);
        if (rc)
            return rc;
        if (!len)
            break;
        rc = add_header(resp, &f, line, len);
        if (rc)
            return rc;
    }
    return read_body(conn, resp, &f);
}

const char *lc_http_response_header(const lc_http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

/* ------------------------------------------------------------------ requests */

/*
 * "Content-Length: N\r\n" into out (64 bytes is enough for any size_t). By hand: snprintf
 * was about 1.5k of the ~13k instructions each echo invocation costs (callgrind).
 */
static void format_content_length(char out[64], size_t size)
{
    static const char name[] = "Content-Length: ";
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + size % 10);
        size /= 10;
    } while (size);
    memcpy(out, name, sizeof name - 1);
    char *p = out + sizeof name - 1;
    while (n)
        *p++ = digits[--n];
    memcpy(p, "\r\n", 3);
}

lambda_code lc_http_request(lc_http_conn *conn, const char *method, const char *path,
                            const lc_http_header *headers, size_t count, const void *body,
                            size_t body_size, lc_http_response *resp)
{
    if (!conn || conn->fd < 0 || !method || !path || !resp)
        return LAMBDA_E_INVALID_ARGUMENT;
    char length_header[64];
    const char *body_header = NULL;
    if (body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        format_content_length(length_header, body_size);
        body_header = length_header;
    }
    text_buf head;
    text_init(&head);
    lambda_code rc = format_head(conn, &head, method, path, headers, count, body_header);
    if (rc == LAMBDA_OK) {
        struct iovec iov[2] = { { head.data, head.len }, { (void *)body, body ? body_size : 0 } };
        rc = send_all(conn, iov, body && body_size ? 2 : 1);
    }
    text_free(&head);
    if (rc)
        return rc;
    return read_response(conn, resp);
}

lambda_code lc_http_chunked_begin(lc_http_conn *conn, const char *method, const char *path,
                                  const lc_http_header *headers, size_t count)
{
    if (!conn || conn->fd < 0 || !method || !path)
        return LAMBDA_E_INVALID_ARGUMENT;
    text_buf head;
    text_init(&head);
    lambda_code rc =
        format_head(conn, &head, method, path, headers, count, "Transfer-Encoding: chunked\r\n");
    if (rc == LAMBDA_OK) {
        struct iovec iov[1] = { { head.data, head.len } };
        rc = send_all(conn, iov, 1);
    }
    text_free(&head);
    return rc;
}

lambda_code lc_http_chunked_write(lc_http_conn *conn, const void *data, size_t size)
{
    if (!conn || (!data && size))
        return LAMBDA_E_INVALID_ARGUMENT;
    if (size == 0)
        return LAMBDA_OK;
    char prefix[32];
    int n = snprintf(prefix, sizeof prefix, "%zx\r\n", size);
    struct iovec iov[3] = { { prefix, (size_t)n }, { (void *)data, size }, { (void *)"\r\n", 2 } };
    return send_all(conn, iov, 3);
}

lambda_code lc_http_chunked_end(lc_http_conn *conn, const lc_http_header *trailers, size_t count,
                                lc_http_response *resp)
{
    if (!conn || !resp)
        return LAMBDA_E_INVALID_ARGUMENT;
    text_buf tail;
    text_init(&tail);
    text_append(&tail, "0\r\n", 3);
    lambda_code rc = append_headers(&tail, trailers, count);
    text_append(&tail, "\r\n", 2);
    if (rc == LAMBDA_OK && tail.failed)
        rc = LAMBDA_E_NO_MEMORY;
    if (rc == LAMBDA_OK) {
        struct iovec iov[1] = { { tail.data, tail.len } };
        rc = send_all(conn, iov, 1);
    }
    text_free(&tail);
    if (rc)
        return rc;
    return read_response(conn, resp);
}
