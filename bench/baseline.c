/*
 * bench/baseline.c - the smallest possible Lambda runtime, the yardstick of
 * every benchmark figure.
 *
 * Built with -static. One keep-alive TCP socket to AWS_LAMBDA_RUNTIME_API, no
 * HTTP library, no JSON, no handler: it reads the event of GET /next and posts
 * the same bytes to /response, forever. Handles the Content-Length framing the
 * Runtime API uses (not chunked), any body size that fits in memory.
 *
 * Per invocation: one write (GET /next), reads until the event is complete
 * (one for small events), one writev (POST headers + body), reads until the
 * 202 is complete.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int sock;
static char *buf;        /* one buffer for every message read */
static size_t cap, have; /* bytes in buf */

static void fail(const char *msg)
{
    fprintf(stderr, "baseline: %s\n", msg);
    exit(1);
}

static void reserve(size_t n)
{
    if (n <= cap)
        return;
    while (cap < n)
        cap *= 2;
    buf = realloc(buf, cap);
    if (!buf)
        fail("out of memory");
}

static void send_all(struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(sock, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            fail("write failed");
        }
        size_t left = (size_t)w;
        while (n > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
}

static void fill(size_t want)
{
    reserve(want);
    while (have < want) {
        ssize_t r = read(sock, buf + have, cap - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            fail("connection closed");
        have += (size_t)r;
    }
}

struct msg {
    int status;
    size_t hdr_len, body_len;
    const char *id, *ctype;
    size_t id_len, ctype_len;
};

/* Reads one HTTP response (headers + Content-Length body) into buf[0..]. */
static void read_msg(struct msg *m)
{
    char *end;
    size_t scanned = 0;
    for (;;) {
        size_t from = scanned > 3 ? scanned - 3 : 0;
        end = memmem(buf + from, have - from, "\r\n\r\n", 4);
        if (end)
            break;
        scanned = have;
        fill(have + 1);
    }
    m->hdr_len = (size_t)(end - buf) + 4;
    m->status = have > 12 ? atoi(buf + 9) : 0;
    m->body_len = 0;
    m->id = m->ctype = NULL;
    m->id_len = m->ctype_len = 0;
    int has_length = 0;
    for (char *h = (char *)memchr(buf, '\n', m->hdr_len) + 1; h < end;) {
        char *e = memchr(h, '\r', (size_t)(end + 2 - h));
        char *v = memchr(h, ':', (size_t)(e - h));
        if (v) {
            size_t name = (size_t)(v - h);
            for (v++; *v == ' '; v++)
                ;
            if (name == 14 && strncasecmp(h, "Content-Length", 14) == 0) {
                m->body_len = strtoul(v, NULL, 10);
                has_length = 1;
            } else if (name == 29 && strncasecmp(h, "Lambda-Runtime-Aws-Request-Id", 29) == 0) {
                m->id = v;
                m->id_len = (size_t)(e - v);
            } else if (name == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
                m->ctype = v;
                m->ctype_len = (size_t)(e - v);
            }
        }
        h = e + 2;
    }
    if (!has_length && m->status != 204)
        fail("response without Content-Length");
    fill(m->hdr_len + m->body_len);
}

/* Drops the message just handled; keeps any bytes that followed it. */
static void consume(const struct msg *m)
{
    size_t used = m->hdr_len + m->body_len;
    have -= used;
    if (have)
        memmove(buf, buf + used, have);
}

int main(void)
{
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api)
        fail("AWS_LAMBDA_RUNTIME_API is not set");
    const char *colon = strrchr(api, ':');
    char host[64];
    if (!colon || (size_t)(colon - api) >= sizeof host)
        fail("bad AWS_LAMBDA_RUNTIME_API");
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = 0;

    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons((unsigned short)atoi(colon + 1)) };
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        fail("AWS_LAMBDA_RUNTIME_API must be IPv4:port");
    sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof sa) != 0)
        fail("cannot connect to the Runtime API");
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    cap = 65536;
    buf = malloc(cap);
    if (!buf)
        fail("out of memory");

    char get[128];
    int get_len =
        snprintf(get, sizeof get,
                 "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
    char post[512];
    for (;;) {
        struct iovec g = { get, (size_t)get_len };
        send_all(&g, 1);
        struct msg ev;
        read_msg(&ev);
        if (ev.status != 200 || !ev.id || ev.id_len > 128)
            fail("bad /next answer");
        if (!ev.ctype) {
            ev.ctype = "application/json";
            ev.ctype_len = 16;
        } else if (ev.ctype_len > 128) {
            ev.ctype_len = 128;
        }
        int n = snprintf(post, sizeof post,
                         "POST /2018-06-01/runtime/invocation/%.*s/response HTTP/1.1\r\n"
                         "Host: %s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n\r\n",
                         (int)ev.id_len, ev.id, api, (int)ev.ctype_len, ev.ctype, ev.body_len);
        struct iovec iov[2] = { { post, (size_t)n }, { buf + ev.hdr_len, ev.body_len } };
        send_all(iov, ev.body_len ? 2 : 1);
        consume(&ev);

        struct msg ack;
        read_msg(&ack);
        if (ack.status != 202)
            fail("/response not accepted");
        consume(&ack);
    }
}
