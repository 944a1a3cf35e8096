/*
 * tests/unit/aws_test_server.c - see aws_test_server.h.
 */
#include "aws_test_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MS 5000

typedef struct conn_arg {
    ats_server *s;
    int fd;
    int index;
} conn_arg;

static void record_failure(ats_server *s, const char *msg)
{
    pthread_mutex_lock(&s->lock);
    if (!s->failure[0])
        snprintf(s->failure, sizeof s->failure, "%s", msg);
    pthread_mutex_unlock(&s->lock);
}

/* Reads into buf until n bytes or the idle timeout; returns bytes read (< n on EOF/timeout). */
static size_t read_some(int fd, char *buf, size_t cap, int *eof)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, IDLE_MS);
    if (r <= 0) {
        *eof = 1;
        return 0;
    }
    ssize_t n = recv(fd, buf, cap, 0);
    if (n <= 0) {
        *eof = 1;
        return 0;
    }
    return (size_t)n;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        struct pollfd pf = { .fd = fd, .events = POLLOUT };
        if (poll(&pf, 1, IDLE_MS) <= 0)
            return -1;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int ats_header(const char *headers, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = headers;
    while (*p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + len - v);
            if (vl >= cap)
                vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
        if (!eol)
            break;
        p = eol + 2;
    }
    return -1;
}

static void *conn_main(void *argp)
{
    conn_arg *a = argp;
    ats_server *s = a->s;
    int fd = a->fd;
    int index = a->index;
    free(a);
    size_t cap = 65536, have = 0;
    char *buf = malloc(cap);
    int eof = 0;
    while (buf && !s->stop) {
        /* Header block. */
        char *end = NULL;
        while (!eof && !(end = have ? memmem(buf, have, "\r\n\r\n", 4) : NULL)) {
            if (have == cap) {
                record_failure(s, "request head too large");
                eof = 1;
                break;
            }
            have += read_some(fd, buf + have, cap - have, &eof);
        }
        if (!end)
            break;
        ats_request req;
        memset(&req, 0, sizeof req);
        req.connection = index;
        size_t head_len = (size_t)(end - buf) + 4;
        char *line_end = memmem(buf, head_len, "\r\n", 2);
        char reqline[4200];
        size_t rl = (size_t)(line_end - buf);
        if (rl >= sizeof reqline)
            rl = sizeof reqline - 1;
        memcpy(reqline, buf, rl);
        reqline[rl] = '\0';
        if (sscanf(reqline, "%15s %4095s", req.method, req.target) != 2) {
            record_failure(s, "malformed request line");
            break;
        }
        size_t hl = head_len - rl - 2 - 2;
        if (hl >= sizeof req.headers)
            hl = sizeof req.headers - 1;
        memcpy(req.headers, line_end + 2, hl);
        req.headers[hl] = '\0';
        char clen[32];
        size_t body_len = 0;
        if (!ats_header(req.headers, "Content-Length", clen, sizeof clen))
            body_len = strtoull(clen, NULL, 10);
        /* Body: keep the first ATS_BODY_KEEP bytes, hash all of it. */
        memmove(buf, buf + head_len, have - head_len);
        have -= head_len;
        req.body = malloc((body_len < ATS_BODY_KEEP ? body_len : ATS_BODY_KEEP) + 1);
        size_t kept = 0, got = 0;
        uint64_t h = ATS_FNV_INIT;
        while (got < body_len && !eof) {
            if (!have)
                have = read_some(fd, buf, cap, &eof);
            size_t take = have < body_len - got ? have : body_len - got;
            h = ats_fnv(h, buf, take);
            if (req.body && kept < ATS_BODY_KEEP) {
                size_t k = take < ATS_BODY_KEEP - kept ? take : ATS_BODY_KEEP - kept;
                memcpy(req.body + kept, buf, k);
                kept += k;
            }
            got += take;
            memmove(buf, buf + take, have - take);
            have -= take;
        }
        if (req.body)
            req.body[kept] = '\0';
        req.body_len = got;
        req.body_hash = h;
        if (got < body_len) {
            free(req.body);
            break; /* client went away mid-body */
        }

        ats_reply reply;
        memset(&reply, 0, sizeof reply);
        reply.status = 200;
        s->handler(s, &req, &reply);

        pthread_mutex_lock(&s->lock);
        if (s->logged < ATS_MAX_LOG)
            s->log[s->logged++] = req;
        else
            free(req.body);
        pthread_mutex_unlock(&s->lock);

        if (reply.delay_ms) {
            struct timespec ts = { reply.delay_ms / 1000,
                                   (long)(reply.delay_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
        if (reply.no_answer)
            break;
        /* Counted before the reply goes out: the client may act on the reply (and a test
         * read this counter) before this thread is scheduled again. */
        pthread_mutex_lock(&s->lock);
        s->requests++;
        pthread_mutex_unlock(&s->lock);
        size_t blen = reply.body ? strlen(reply.body) : reply.gen_len;
        char head[4096];
        int n = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s%s\r\n",
                         reply.status, blen, reply.headers ? reply.headers : "",
                         reply.close ? "Connection: close\r\n" : "");
        int ok = write_all(fd, head, (size_t)n) == 0;
        if (ok && reply.body)
            ok = write_all(fd, reply.body, blen) == 0;
        for (size_t off = 0; ok && !reply.body && off < reply.gen_len;) {
            unsigned char chunk[16384];
            size_t c = reply.gen_len - off < sizeof chunk ? reply.gen_len - off : sizeof chunk;
            for (size_t i = 0; i < c; i++)
                chunk[i] = ats_pattern(off + i);
            ok = write_all(fd, chunk, c) == 0;
            off += c;
        }
        if (!ok || reply.close)
            break;
    }
    free(buf);
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 128; i++)
        if (s->open_fds[i] == fd)
            s->open_fds[i] = -1;
    close(fd);
    s->active_threads--;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void *accept_main(void *arg)
{
    ats_server *s = arg;
    while (!s->stop) {
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_arg *a = malloc(sizeof *a);
        if (!a) {
            close(c);
            continue;
        }
        pthread_mutex_lock(&s->lock);
        a->index = ++s->connections;
        s->active_threads++;
        for (int i = 0; i < 128; i++) {
            if (s->open_fds[i] == -1) {
                s->open_fds[i] = c;
                break;
            }
        }
        pthread_mutex_unlock(&s->lock);
        a->s = s;
        a->fd = c;
        pthread_t t;
        if (pthread_create(&t, NULL, conn_main, a) != 0) {
            close(c);
            free(a);
            pthread_mutex_lock(&s->lock);
            s->active_threads--;
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        pthread_detach(t);
    }
    return NULL;
}

int ats_start(ats_server *s, ats_handler handler, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->handler = handler;
    s->ctx = ctx;
    pthread_mutex_init(&s->lock, NULL);
    for (int i = 0; i < 128; i++)
        s->open_fds[i] = -1;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -1;
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) || listen(s->fd, 64) ||
        getsockname(s->fd, (struct sockaddr *)&addr, &len)) {
        close(s->fd);
        return -1;
    }
    s->port = ntohs(addr.sin_port);
    if (pthread_create(&s->thread, NULL, accept_main, s) != 0) {
        close(s->fd);
        return -1;
    }
    return 0;
}

void ats_stop(ats_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 128; i++)
        if (s->open_fds[i] >= 0)
            shutdown(s->open_fds[i], SHUT_RDWR);
    pthread_mutex_unlock(&s->lock);
    /* Connection threads end at once now (or within IDLE_MS); wait for them, bounded. */
    for (int i = 0; i < (IDLE_MS + 2000) / 10; i++) {
        pthread_mutex_lock(&s->lock);
        int active = s->active_threads;
        pthread_mutex_unlock(&s->lock);
        if (!active)
            break;
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < s->logged; i++)
        free(s->log[i].body);
    s->logged = 0;
}

int ats_get(ats_server *s, int i, ats_request *out)
{
    pthread_mutex_lock(&s->lock);
    int ok = i >= 0 && i < s->logged;
    if (ok)
        *out = s->log[i];
    pthread_mutex_unlock(&s->lock);
    return ok ? 0 : -1;
}

int ats_capture_start(ats_capture *c)
{
    fflush(stderr);
    FILE *f = tmpfile();
    if (!f)
        return -1;
    c->file = f;
    c->saved_fd = dup(2);
    if (c->saved_fd < 0 || dup2(fileno(f), 2) < 0) {
        fclose(f);
        return -1;
    }
    return 0;
}

char *ats_capture_end(ats_capture *c)
{
    FILE *f = c->file;
    fflush(stderr);
    dup2(c->saved_fd, 2);
    close(c->saved_fd);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    if (n < 0)
        n = 0;
    rewind(f);
    char *out = malloc((size_t)n + 1);
    size_t got = out ? fread(out, 1, (size_t)n, f) : 0;
    if (out)
        out[got] = '\0';
    fclose(f);
    return out;
}
