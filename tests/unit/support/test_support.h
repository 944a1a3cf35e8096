/*
 * Shared helpers for the core unit tests (tests/unit/test_core_*.c):
 *
 *   - a tiny scripted HTTP server on the loopback interface, run in a thread: every
 *     accept and read waits at most a bounded time (poll), and the thread ends by itself,
 *     so a broken client can make a test fail but never hang;
 *   - capture of stderr (fd 2) into memory through a pipe drained by a thread, so that
 *     any amount of output can be captured without blocking the writer;
 *   - a watchdog (alarm) so that a test binary cannot run for ever.
 *
 * The server thread must not call cmocka assertions (they are not thread-safe and
 * longjmp into the main thread's frame); it records failures with ts_fail() and the test
 * checks them with assert_server_ok() after ts_server_join().
 *
 * Everything here is static inline: each test binary includes it once and uses a subset.
 */
#ifndef LAMBDA_C_TEST_SUPPORT_H
#define LAMBDA_C_TEST_SUPPORT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How long the server waits for a connection or for bytes before giving up. */
#define TS_TIMEOUT_MS 5000

/* ------------------------------------------------------------------ watchdog */

/* Kills the test binary (SIGALRM, default action) if it runs longer than seconds. */
static inline void ts_watchdog(unsigned seconds)
{
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
}

/* ------------------------------------------------------------------ small utilities */

static inline int64_t ts_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Number of non-overlapping occurrences of needle in haystack. */
static inline size_t ts_count(const char *haystack, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += len)
        n++;
    return n;
}

/* malloc that never returns NULL (the test binary aborts instead). */
static inline void *ts_xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
static inline void *ts_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        abort();
    return p;
}

/* The capacity of a growing buffer holding n bytes: a power of two, so that appending
 * costs amortized O(1) (ts_append relies on every such buffer having it). */
static inline size_t ts_capacity_for(size_t n)
{
    size_t cap = 64;
    while (cap < n)
        cap *= 2;
    return cap;
}

/* A malloc'd NUL-terminated copy of size bytes (ts_append may grow it). */
static inline char *ts_memdup(const void *data, size_t size)
{
    char *copy = malloc(ts_capacity_for(size + 1));
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    return copy;
}

/* ------------------------------------------------------------------ server side */

typedef struct ts_conn {
    int fd;
    char *buf;
    size_t len, pos;
    size_t cap;
} ts_conn;

/* One request as the server received it. */
typedef struct ts_request {
    char method[16];
    char path[2048];
    char *head; /* request line + header lines, each ending in CRLF, then CRLF */
    size_t head_len;
    int chunked; /* Transfer-Encoding: chunked */
    char *body;  /* decoded body, NUL-terminated */
    size_t body_len;
    char *raw_body; /* the body bytes exactly as sent (chunk framing included) */
    size_t raw_body_len;
    char *trailers; /* chunked only: the trailer section after "0\r\n", up to and
                      * including the final CRLF, exactly as sent */
} ts_request;

typedef struct ts_server ts_server;
typedef void ts_script_fn(ts_server *server, void *arg);

struct ts_server {
    int listen_fd;
    int port;
    char endpoint[80]; /* "127.0.0.1:PORT" or "[::1]:PORT": what the client connects to */
    pthread_t thread;
    int running;
    ts_script_fn *script;
    void *arg;
    int failures;
    char failure[1024]; /* the first failure */
};

/* Records a server-side failure (the first one's text is kept). */
static inline void ts_fail(ts_server *s, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static inline void ts_fail(ts_server *s, const char *format, ...)
{
    if (s->failures++ == 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(s->failure, sizeof s->failure, format, args);
        va_end(args);
    }
}

/* Waits up to timeout_ms for fd to become readable: 1 readable, 0 timeout, -1 error. */
static inline int ts_wait_readable(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    for (;;) {
        int n = poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n;
    }
}

static inline ts_conn *ts_conn_new(int fd)
{
    ts_conn *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->fd = fd;
    c->cap = 64 * 1024;
    c->buf = malloc(c->cap);
    if (!c->buf)
        abort();
    return c;
}

static inline void ts_conn_close(ts_conn *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c);
}

/* Reads more bytes into the buffer: 1 got some, 0 peer closed, -1 timeout or error. */
static inline int ts_fill(ts_conn *c, int timeout_ms)
{
    if (c->pos == c->len)
        c->pos = c->len = 0;
    if (c->len == c->cap) {
        if (c->pos > 0) {
            memmove(c->buf, c->buf + c->pos, c->len - c->pos);
            c->len -= c->pos;
            c->pos = 0;
        } else {
            c->cap *= 2;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf)
                abort();
        }
    }
    if (ts_wait_readable(c->fd, timeout_ms) != 1)
        return -1;
    ssize_t n;
    do
        n = read(c->fd, c->buf + c->len, c->cap - c->len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    c->len += (size_t)n;
    return n > 0;
}

/* Reads exactly size bytes into dst (which may be NULL to discard). 0 ok, -1 otherwise. */
static inline int ts_read_exact(ts_conn *c, char *dst, size_t size)
{
    while (size > 0) {
        if (c->pos == c->len && ts_fill(c, TS_TIMEOUT_MS) != 1)
            return -1;
        size_t take = c->len - c->pos < size ? c->len - c->pos : size;
        if (dst) {
            memcpy(dst, c->buf + c->pos, take);
            dst += take;
        }
        c->pos += take;
        size -= take;
    }
    return 0;
}

/* Reads one line ending in LF; *line gets a malloc'd copy with the CRLF/LF kept. */
static inline int ts_read_line(ts_conn *c, char **line, size_t *line_len)
{
    size_t scanned = 0;
    for (;;) {
        char *lf = memchr(c->buf + c->pos + scanned, '\n', c->len - c->pos - scanned);
        if (lf) {
            size_t n = (size_t)(lf - (c->buf + c->pos)) + 1;
            *line = ts_memdup(c->buf + c->pos, n);
            *line_len = n;
            c->pos += n;
            return 0;
        }
        /* Offsets relative to c->pos survive ts_fill moving the bytes down. */
        scanned = c->len - c->pos;
        if (ts_fill(c, TS_TIMEOUT_MS) != 1)
            return -1;
    }
}

/* Appends size bytes to a growing buffer (NULL, or from ts_memdup or ts_append). */
static inline void ts_append(char **buf, size_t *len, const void *data, size_t size)
{
    size_t need = *len + size + 1;
    if (!*buf || need > ts_capacity_for(*len + 1)) {
        *buf = realloc(*buf, ts_capacity_for(need));
        if (!*buf)
            abort();
    }
    memcpy(*buf + *len, data, size);
    *len += size;
    (*buf)[*len] = '\0';
}

/*
 * The value of header name in a raw head (case-insensitive name, value trimmed), copied
 * into out; NULL when absent. Only the first occurrence is returned.
 */
static inline const char *ts_head_header(const char *head, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        if ((size_t)(end - line) > name_len && line[name_len] == ':' &&
            strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vlen = (size_t)(end - v);
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return out;
        }
        line = end;
    }
    return NULL;
}

/* Number of header lines called name in the raw head. */
static inline int ts_head_header_count(const char *head, const char *name)
{
    int n = 0;
    size_t name_len = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r' && line[2];
         line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, name_len) == 0 && line[2 + name_len] == ':')
            n++;
    }
    return n;
}

static inline void ts_request_free(ts_request *r)
{
    free(r->head);
    free(r->body);
    free(r->raw_body);
    free(r->trailers);
    memset(r, 0, sizeof *r);
}

/*
 * Reads one request (head, then a Content-Length or chunked body).
 * Returns 0 on success, 1 if the peer closed the connection before sending a byte,
 * -1 on a timeout, an error or a malformed request.
 */
static inline int ts_read_request(ts_conn *c, ts_request *r)
{
    memset(r, 0, sizeof *r);
    if (c->pos == c->len) {
        int got = ts_fill(c, TS_TIMEOUT_MS);
        if (got == 0)
            return 1;
        if (got < 0)
            return -1;
    }
    for (;;) {
        char *line;
        size_t len;
        if (ts_read_line(c, &line, &len) != 0) {
            ts_request_free(r);
            return -1;
        }
        ts_append(&r->head, &r->head_len, line, len);
        int blank = strcmp(line, "\r\n") == 0;
        free(line);
        if (blank)
            break;
        if (r->head_len > 1024 * 1024) {
            ts_request_free(r);
            return -1;
        }
    }
    if (sscanf(r->head, "%15s %2047s", r->method, r->path) != 2) {
        ts_request_free(r);
        return -1;
    }
    char value[64];
    r->body = ts_memdup("", 0);
    r->raw_body = ts_memdup("", 0);
    if (ts_head_header(r->head, "Transfer-Encoding", value, sizeof value) &&
        strcasecmp(value, "chunked") == 0) {
        r->chunked = 1;
        for (;;) {
            char *line;
            size_t len;
            if (ts_read_line(c, &line, &len) != 0) {
                ts_request_free(r);
                return -1;
            }
            ts_append(&r->raw_body, &r->raw_body_len, line, len);
            char *end;
            unsigned long size = strtoul(line, &end, 16);
            int bad = end == line || (*end != '\r' && *end != ';');
            free(line);
            if (bad) {
                ts_request_free(r);
                return -1;
            }
            if (size == 0)
                break;
            char *data = malloc(size + 2);
            if (!data || ts_read_exact(c, data, size + 2) != 0 || data[size] != '\r' ||
                data[size + 1] != '\n') {
                free(data);
                ts_request_free(r);
                return -1;
            }
            ts_append(&r->body, &r->body_len, data, size);
            ts_append(&r->raw_body, &r->raw_body_len, data, size + 2);
            free(data);
        }
        r->trailers = ts_memdup("", 0);
        size_t trailers_len = 0;
        for (;;) {
            char *line;
            size_t len;
            if (ts_read_line(c, &line, &len) != 0) {
                ts_request_free(r);
                return -1;
            }
            ts_append(&r->trailers, &trailers_len, line, len);
            ts_append(&r->raw_body, &r->raw_body_len, line, len);
            int blank = strcmp(line, "\r\n") == 0;
            free(line);
            if (blank)
                break;
        }
    } else if (ts_head_header(r->head, "Content-Length", value, sizeof value)) {
        size_t size = (size_t)strtoull(value, NULL, 10);
        char *data = malloc(size + 1);
        if (!data || ts_read_exact(c, data, size) != 0) {
            free(data);
            ts_request_free(r);
            return -1;
        }
        free(r->body);
        free(r->raw_body);
        r->body = ts_memdup(data, size);
        r->raw_body = data;
        r->raw_body[size] = '\0';
        r->body_len = r->raw_body_len = size;
    }
    return 0;
}

/* Sends size bytes; 0 on success, -1 when the peer is gone. */
static inline int ts_send(ts_conn *c, const void *data, size_t size)
{
    const char *p = data;
    while (size > 0) {
        ssize_t n = send(c->fd, p, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static inline int ts_sendf(ts_conn *c, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static inline int ts_sendf(ts_conn *c, const char *format, ...)
{
    char *text = NULL;
    va_list args;
    va_start(args, format);
    int n = vasprintf(&text, format, args);
    va_end(args);
    if (n < 0)
        return -1;
    int rc = ts_send(c, text, (size_t)n);
    free(text);
    return rc;
}

/* Sends a response with a Content-Length body (extra_headers: "Name: v\r\n" lines or ""). */
static inline int ts_respond(ts_conn *c, int status, const char *extra_headers, const void *body,
                             size_t body_len)
{
    if (ts_sendf(c, "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\n\r\n", status,
                 extra_headers ? extra_headers : "", body_len) != 0)
        return -1;
    return body_len ? ts_send(c, body, body_len) : 0;
}

/* Waits until the peer closes its side: 1 closed (EOF or reset), 0 not within timeout_ms
 * or sent more bytes. */
static inline int ts_wait_eof(ts_conn *c, int timeout_ms)
{
    if (c->pos < c->len)
        return 0;
    int got = ts_fill(c, timeout_ms);
    if (got == 0)
        return 1;
    if (got < 0)
        return errno == ECONNRESET;
    return 0;
}

/* Accepts one connection within timeout_ms; NULL on a timeout. */
static inline ts_conn *ts_accept(ts_server *s, int timeout_ms)
{
    if (ts_wait_readable(s->listen_fd, timeout_ms) != 1)
        return NULL;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return NULL;
    return ts_conn_new(fd);
}

static inline void *ts_server_main(void *arg)
{
    ts_server *s = arg;
    s->script(s, s->arg);
    /* Once the script is done nobody else may connect: a later connect is refused. */
    close(s->listen_fd);
    s->listen_fd = -1;
    return NULL;
}

/* Binds a listening socket on 127.0.0.1 (ipv6 = 0) or ::1 (ipv6 = 1), port 0. */
static inline int ts_listen(int ipv6, int *port)
{
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc;
    if (ipv6) {
        struct sockaddr_in6 a = { 0 };
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_loopback;
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a = { 0 };
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (rc != 0 || listen(fd, 8) != 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port = ipv6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                 : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* Starts script(server, arg) in a thread behind a fresh loopback listener. 0 on success. */
static inline int ts_server_start_family(ts_server *s, ts_script_fn *script, void *arg, int ipv6)
{
    memset(s, 0, sizeof *s);
    s->listen_fd = ts_listen(ipv6, &s->port);
    if (s->listen_fd < 0)
        return -1;
    snprintf(s->endpoint, sizeof s->endpoint, ipv6 ? "[::1]:%d" : "127.0.0.1:%d", s->port);
    s->script = script;
    s->arg = arg;
    if (pthread_create(&s->thread, NULL, ts_server_main, s) != 0) {
        close(s->listen_fd);
        return -1;
    }
    s->running = 1;
    return 0;
}

static inline int ts_server_start(ts_server *s, ts_script_fn *script, void *arg)
{
    return ts_server_start_family(s, script, arg, 0);
}

/* Waits for the script to end (it always does: every wait in it is bounded). */
static inline void ts_server_join(ts_server *s)
{
    if (s->running) {
        pthread_join(s->thread, NULL);
        s->running = 0;
    }
}

/* A port on which nothing listens (bound then closed at once). */
static inline int ts_closed_port(void)
{
    int port = 0;
    int fd = ts_listen(0, &port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* After ts_server_join: fails the test with the server's first failure, if any. */
#define assert_server_ok(s)                                                                   \
    do {                                                                                      \
        if ((s)->failures)                                                                    \
            fail_msg("server thread: %d failure(s), first: %s", (s)->failures, (s)->failure); \
    } while (0)

/* ------------------------------------------------------------------ canned server */

/*
 * A server that, step by step, reads one request and answers it with canned bytes. The
 * requests are recorded for the test to check after ts_server_join.
 */

#define TS_MAX_STEPS 16

typedef struct ts_step {
    const char *raw;             /* the bytes answered (after reading one request) */
    size_t raw_len;              /* 0: strlen(raw) */
    int new_conn;                /* accept a new connection first */
    int close_after;             /* close the connection after answering */
    int fragment;                /* send the answer in tiny pieces */
    int skip_read;               /* answer without reading a request first */
    const char *expect_raw_body; /* when set: the request body bytes, chunk framing included */
    size_t expect_raw_len;
} ts_step;

typedef struct ts_canned {
    ts_step steps[TS_MAX_STEPS];
    int count;
    ts_request requests[TS_MAX_STEPS];
    int received;
    int connections;
} ts_canned;

static inline void ts_canned_script(ts_server *s, void *arg)
{
    ts_canned *c = arg;
    ts_conn *conn = NULL;
    for (int i = 0; i < c->count; i++) {
        ts_step *st = &c->steps[i];
        if (!conn || st->new_conn) {
            ts_conn_close(conn);
            conn = ts_accept(s, TS_TIMEOUT_MS);
            if (!conn) {
                ts_fail(s, "step %d: no connection", i);
                return;
            }
            c->connections++;
        }
        if (!st->skip_read) {
            ts_request *r = &c->requests[c->received];
            int rc = ts_read_request(conn, r);
            if (rc != 0) {
                ts_fail(s, "step %d: no request (%s)", i, rc > 0 ? "closed" : "timeout or bad");
                break;
            }
            c->received++;
            if (st->expect_raw_body &&
                (r->raw_body_len != st->expect_raw_len ||
                 memcmp(r->raw_body, st->expect_raw_body, st->expect_raw_len) != 0))
                ts_fail(s, "step %d: request body differs (%zu bytes, expected %zu)", i,
                        r->raw_body_len, st->expect_raw_len);
        }
        size_t len = st->raw_len ? st->raw_len : strlen(st->raw);
        if (st->fragment) {
            for (size_t k = 0; k < len; k++) {
                if (ts_send(conn, st->raw + k, 1) != 0)
                    break;
                if (k % 16 == 0)
                    usleep(500);
            }
        } else {
            ts_send(conn, st->raw, len);
        }
        if (st->close_after) {
            ts_conn_close(conn);
            conn = NULL;
        }
    }
    if (conn) {
        ts_wait_eof(conn, 2000);
        ts_conn_close(conn);
    }
}

/* ------------------------------------------------------------------ stderr capture */

typedef struct ts_capture {
    int active;
    int saved_fd;
    int read_fd;
    pthread_t thread;
    char *buf;
    size_t len;
} ts_capture;

static inline void *ts_capture_main(void *arg)
{
    ts_capture *c = arg;
    char chunk[4096];
    for (;;) {
        ssize_t n = read(c->read_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        ts_append(&c->buf, &c->len, chunk, (size_t)n);
    }
    return NULL;
}

/* From now on, whatever is written to fd 2 is collected in memory. */
static inline void ts_capture_begin(ts_capture *c)
{
    memset(c, 0, sizeof *c);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        abort();
    fflush(stderr);
    c->saved_fd = dup(STDERR_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
    c->read_fd = fds[0];
    c->buf = ts_memdup("", 0);
    if (pthread_create(&c->thread, NULL, ts_capture_main, c) != 0)
        abort();
    c->active = 1;
}

/* Restores fd 2 and returns everything written meanwhile (malloc'd, NUL-terminated). */
static inline char *ts_capture_end(ts_capture *c)
{
    if (!c->active)
        return NULL;
    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO); /* closes the pipe's last write end: the reader ends */
    close(c->saved_fd);
    pthread_join(c->thread, NULL);
    close(c->read_fd);
    c->active = 0;
    char *out = c->buf;
    c->buf = NULL;
    return out;
}

/* For teardowns: restores fd 2 if a failed assertion left a capture running. */
static inline void ts_capture_abort(ts_capture *c)
{
    free(ts_capture_end(c));
}

#endif
