/*
 * bench/driver.c - a fast Lambda Runtime API server for benchmarks.
 *
 * Starts a runtime the way Lambda does (clean Lambda-like environment,
 * AWS_LAMBDA_RUNTIME_API pointing at a loopback port of ours), serves N copies
 * of a canned event over the real Runtime API wire format (HTTP/1.1,
 * keep-alive, Content-Length or chunked request bodies) as fast as it can,
 * checks every answer against the expected body, then SIGKILLs the runtime
 * and prints key=value lines on stdout (progress and diagnostics on stderr).
 *
 * Timing uses CLOCK_MONOTONIC; t0 is taken right before posix_spawn.
 *   cold_start_us      t0 -> first GET /next fully received
 *   first_response_us  t0 -> first /response body fully received
 *   steady_median_ns   median over the invocations after the warm-up of the
 *                      cycle time: response i-1 received -> response i received
 *                      (202 read, /next, event transfer, handler, response)
 * The run ends when, after N responses, the runtime asks for the next event:
 * the runtime is then idle in its /next read, and is killed there.
 *
 * This is not the project's emulator: it does nothing but serve events.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CONNS 16
#define MAX_SAMPLES 32
#define MAX_ENV 96
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_BODY_BYTES (64u * 1024 * 1024)
#define API_PREFIX "/2018-06-01/runtime/"

/* ------------------------------------------------------------------ utils */

static int quiet;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("driver: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("driver: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory (%zu bytes)", n);
    return q;
}

static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0)
        die("cannot stat %s: %s", path, strerror(errno));
    size_t n = (size_t)st.st_size, got = 0;
    char *p = xrealloc(NULL, n + 1);
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            die("cannot read %s", path);
        got += (size_t)r;
    }
    close(fd);
    p[n] = 0;
    *len = n;
    return p;
}

static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
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
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Drops JSON whitespace outside strings: "{ \"a\": 1 }" -> "{\"a\":1}". */
static size_t json_squeeze(const char *s, size_t n, char *out)
{
    size_t o = 0;
    int in_str = 0, esc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            out[o++] = c;
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else {
            if (c == '"')
                in_str = 1;
            out[o++] = c;
        }
    }
    return o;
}

/* --------------------------------------------------------- HTTP requests */

struct conn {
    int fd;
    char *in;
    size_t cap, start, end;
};

struct request {
    char method[16];
    char path[512];
    size_t content_length;
    int has_length, chunked;
    char *body; /* shared, grown as needed */
    size_t body_len, body_cap;
};

static struct conn conns[MAX_CONNS];
static int nconns;

/* Reads more bytes into c->in. Returns bytes read, 0 on EOF, -1 on error. */
static ssize_t conn_fill(struct conn *c)
{
    if (c->start == c->end)
        c->start = c->end = 0;
    if (c->end == c->cap) {
        if (c->start > 0) {
            memmove(c->in, c->in + c->start, c->end - c->start);
            c->end -= c->start;
            c->start = 0;
        } else {
            if (c->cap >= MAX_HEADER_BYTES * 2)
                return -1;
            c->cap *= 2;
            c->in = xrealloc(c->in, c->cap);
        }
    }
    for (;;) {
        ssize_t r = read(c->fd, c->in + c->end, c->cap - c->end);
        if (r < 0 && errno == EINTR)
            continue;
        if (r > 0)
            c->end += (size_t)r;
        return r;
    }
}

/* Copies n bytes of the stream to dst: buffered bytes first, the rest read
 * straight into dst (no extra copy for big bodies). */
static int conn_take(struct conn *c, char *dst, size_t n)
{
    size_t avail = c->end - c->start;
    size_t k = avail < n ? avail : n;
    memcpy(dst, c->in + c->start, k);
    c->start += k;
    while (k < n) {
        ssize_t r = read(c->fd, dst + k, n - k);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        k += (size_t)r;
    }
    return 0;
}

/* Returns a pointer to a CRLF-terminated line (NUL-terminated in place). */
static char *conn_line(struct conn *c)
{
    for (;;) {
        char *p = c->in + c->start;
        char *e = memmem(p, c->end - c->start, "\r\n", 2);
        if (e) {
            *e = 0;
            c->start = (size_t)(e + 2 - c->in);
            return p;
        }
        if (conn_fill(c) <= 0)
            return NULL;
    }
}

static void body_reserve(struct request *r, size_t n)
{
    if (n > MAX_BODY_BYTES)
        die("request body too large (%zu bytes)", n);
    if (n > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < n)
            cap *= 2;
        r->body = xrealloc(r->body, cap);
        r->body_cap = cap;
    }
}

/* The body framing of a request from its header lines (NUL-terminated, CRLF-separated). */
static void read_framing_headers(char *h, struct request *r)
{
    while (*h) {
        char *e = strstr(h, "\r\n");
        *e = 0;
        char *colon = strchr(h, ':');
        if (colon) {
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t name = (size_t)(colon - h);
            if (name == 14 && strncasecmp(h, "Content-Length", 14) == 0) {
                r->content_length = strtoull(v, NULL, 10);
                r->has_length = 1;
            } else if (name == 17 && strncasecmp(h, "Transfer-Encoding", 17) == 0 &&
                       strcasestr(v, "chunked")) {
                r->chunked = 1;
            }
        }
        h = e + 2;
    }
}

/* A chunked body into r->body; trailers are skipped. Returns 0, or -1 on error. */
static int read_chunked_body(struct conn *c, struct request *r)
{
    for (;;) {
        char *line = conn_line(c);
        if (!line)
            return -1;
        char *endp;
        unsigned long long sz = strtoull(line, &endp, 16);
        if (endp == line)
            return -1;
        if (sz == 0) {
            do { /* trailers until the empty line */
                line = conn_line(c);
                if (!line)
                    return -1;
            } while (*line);
            return 0;
        }
        body_reserve(r, r->body_len + (size_t)sz);
        if (conn_take(c, r->body + r->body_len, (size_t)sz) != 0)
            return -1;
        r->body_len += (size_t)sz;
        line = conn_line(c);
        if (!line || *line)
            return -1;
    }
}

/* Reads one full request. Returns 1 on success, 0 on clean EOF, -1 on error. */
static int read_request(struct conn *c, struct request *r)
{
    char *hdr_end;
    for (;;) {
        hdr_end = memmem(c->in + c->start, c->end - c->start, "\r\n\r\n", 4);
        if (hdr_end)
            break;
        ssize_t n = conn_fill(c);
        if (n == 0 && c->start == c->end)
            return 0;
        if (n <= 0)
            return -1;
    }
    char *p = c->in + c->start;
    size_t hlen = (size_t)(hdr_end + 4 - p);
    hdr_end[2] = 0; /* header block ends with one CRLF, NUL after it */

    r->has_length = r->chunked = 0;
    r->content_length = 0;
    r->body_len = 0;

    char *eol = strstr(p, "\r\n");
    *eol = 0;
    char *sp1 = strchr(p, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - p) >= sizeof r->method ||
        (size_t)(sp2 - sp1 - 1) >= sizeof r->path) {
        logmsg("bad request line: %.80s", p);
        return -1;
    }
    memcpy(r->method, p, (size_t)(sp1 - p));
    r->method[sp1 - p] = 0;
    memcpy(r->path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    r->path[sp2 - sp1 - 1] = 0;

    read_framing_headers(eol + 2, r);
    c->start += hlen;

    if (r->chunked) {
        if (read_chunked_body(c, r) != 0)
            return -1;
    } else if (r->has_length && r->content_length > 0) {
        body_reserve(r, r->content_length);
        if (conn_take(c, r->body, r->content_length) != 0)
            return -1;
        r->body_len = r->content_length;
    }
    return 1;
}

/* ------------------------------------------------------------------ state */

static const char *event; /* canned event */
static size_t event_len;
static const char *expected; /* expected response body */
static size_t expected_len;
static char *expected_sq; /* squeezed, for --json */
static size_t expected_sq_len;
static char *squeeze_buf;
static size_t squeeze_cap;
static int json_compare;
static const char *content_type = "application/json";

static long n_total = 1000; /* invocations to serve */
static long n_warmup = -1;
static long served;        /* events handed out */
static long answered;      /* /response or /error received */
static long wrong;         /* mismatching bodies */
static long posted_errors; /* /error posts */
static long protocol_errors;
static int init_error;
static int done; /* the final /next arrived */
static uint64_t t0, t_first_next, t_first_resp;
static uint64_t *t_resp; /* t_resp[i]: response i received (1-based) */
static char cur_id[64];
static pid_t child;

static long sample_at[MAX_SAMPLES];
static long sample_rss[MAX_SAMPLES], sample_hwm[MAX_SAMPLES];
static int nsamples;

static long rss_anon = -1, rss_file = -1; /* of the last read */

static void read_proc_rss(pid_t pid, long *rss, long *hwm)
{
    char path[64], buf[4096];
    *rss = *hwm = rss_anon = rss_file = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    char *p = strstr(buf, "VmHWM:");
    if (p)
        *hwm = strtol(p + 6, NULL, 10);
    p = strstr(buf, "VmRSS:");
    if (p)
        *rss = strtol(p + 6, NULL, 10);
    p = strstr(buf, "RssAnon:");
    if (p)
        rss_anon = strtol(p + 8, NULL, 10);
    p = strstr(buf, "RssFile:");
    if (p)
        rss_file = strtol(p + 8, NULL, 10);
}

static int send_simple(int fd, const char *status, const char *body)
{
    char hdr[256];
    size_t blen = strlen(body);
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     status, blen);
    struct iovec iov[2] = { { hdr, (size_t)n }, { (void *)body, blen } };
    return write_all(fd, iov, 2);
}

static const char accepted[] = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                               "Content-Length: 15\r\n\r\n{\"status\":\"OK\"}";

static int send_event(int fd)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t deadline = (uint64_t)rt.tv_sec * 1000 + (uint64_t)rt.tv_nsec / 1000000 + 900000;
    snprintf(cur_id, sizeof cur_id, "8476a536-e9f4-11e8-9739-%012ld", served);
    char hdr[1024];
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 200 OK\r\n"
                     "Content-Type: %s\r\n"
                     "Lambda-Runtime-Aws-Request-Id: %s\r\n"
                     "Lambda-Runtime-Deadline-Ms: %" PRIu64 "\r\n"
                     "Lambda-Runtime-Invoked-Function-Arn: "
                     "arn:aws:lambda:us-east-1:123456789012:function:bench\r\n"
                     "Lambda-Runtime-Trace-Id: Root=1-%08lx-%024lx;"
                     "Parent=%016lx;Sampled=0\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     content_type, cur_id, deadline, (unsigned long)rt.tv_sec, served, served,
                     event_len);
    struct iovec iov[2] = { { hdr, (size_t)n }, { (void *)event, event_len } };
    return write_all(fd, iov, event_len ? 2 : 1);
}

static int body_matches(const char *b, size_t n)
{
    if (!json_compare)
        return n == expected_len && memcmp(b, expected, n) == 0;
    if (n > squeeze_cap) {
        squeeze_cap = n;
        squeeze_buf = xrealloc(squeeze_buf, n);
    }
    size_t m = json_squeeze(b, n, squeeze_buf);
    return m == expected_sq_len && memcmp(squeeze_buf, expected_sq, m) == 0;
}

static void report_mismatch(const char *b, size_t n)
{
    if (wrong > 3)
        return;
    size_t i = 0;
    while (i < n && i < expected_len && b[i] == expected[i])
        i++;
    fprintf(stderr,
            "driver: wrong response #%ld: %zu bytes (expected %zu), first difference "
            "at byte %zu: got \"%.40s\"\n",
            answered, n, expected_len, i, i < n ? b + i : "");
}

/* Handles one request; returns -1 when the connection should be dropped. */
/* GET /next: the next event, or the end of the run after the last answer. */
static int handle_next(struct conn *c)
{
    uint64_t t = now_ns();
    if (!t_first_next)
        t_first_next = t;
    if (answered >= n_total) {
        done = 1;
        return 0;
    }
    if (served > answered) {
        protocol_errors++;
        logmsg("/next before the answer to %s", cur_id);
    }
    served++;
    return send_event(c->fd);
}

/* POST /invocation/ID/response or /error (tail: "ID/..."). 1 when tail is neither. */
static int handle_answer(struct conn *c, struct request *r, const char *tail)
{
    uint64_t t = now_ns();
    const char *slash = strchr(tail, '/');
    int is_err = slash && strcmp(slash, "/error") == 0;
    if (!slash || (!is_err && strcmp(slash, "/response") != 0))
        return 1;
    if ((size_t)(slash - tail) != strlen(cur_id) ||
        memcmp(tail, cur_id, (size_t)(slash - tail)) != 0 || answered >= served) {
        protocol_errors++;
        logmsg("answer for unknown or already answered request %.*s", (int)(slash - tail), tail);
        return send_simple(
            c->fd, "400 Bad Request",
            "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
    }
    answered++;
    t_resp[answered] = t;
    if (answered == 1)
        t_first_resp = t;
    for (int i = 0; i < nsamples; i++)
        if (sample_at[i] == answered)
            read_proc_rss(child, &sample_rss[i], &sample_hwm[i]);
    if (write_all(c->fd, (struct iovec[]){ { (void *)accepted, sizeof accepted - 1 } }, 1) != 0)
        return -1;
    if (is_err) {
        posted_errors++;
        if (posted_errors <= 3)
            fprintf(stderr, "driver: runtime posted /error: %.*s\n",
                    (int)(r->body_len > 300 ? 300 : r->body_len), r->body ? r->body : "");
    } else if (!body_matches(r->body, r->body_len)) {
        wrong++;
        report_mismatch(r->body, r->body_len);
    }
    return 0;
}

/* The Extensions API registration (the runtime's graceful-shutdown extension). */
static int handle_register(struct conn *c)
{
    char hdr[256];
    const char *b = "{\"functionName\":\"bench\",\"functionVersion\":\"$LATEST\",\"handler\":\"\"}";
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: bench-ext-1\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     strlen(b));
    struct iovec iov[2] = { { hdr, (size_t)n }, { (void *)b, strlen(b) } };
    return write_all(c->fd, iov, 2);
}

static int handle(struct conn *c, struct request *r)
{
    static const char invocation[] = API_PREFIX "invocation/";
    const char *path = r->path;
    int is_get = strcmp(r->method, "GET") == 0;
    int is_post = strcmp(r->method, "POST") == 0;
    if (is_get && strcmp(path, API_PREFIX "invocation/next") == 0)
        return handle_next(c);
    if (is_post && strncmp(path, invocation, sizeof invocation - 1) == 0) {
        int rc = handle_answer(c, r, path + sizeof invocation - 1);
        if (rc != 1)
            return rc;
    } else if (is_post && strcmp(path, API_PREFIX "init/error") == 0) {
        init_error = 1;
        fprintf(stderr, "driver: runtime posted /init/error: %.*s\n",
                (int)(r->body_len > 300 ? 300 : r->body_len), r->body ? r->body : "");
        return send_simple(c->fd, "202 Accepted", "{\"status\":\"OK\"}");
    } else if (is_post && strcmp(path, "/2020-01-01/extension/register") == 0) {
        return handle_register(c);
    } else if (is_get && strcmp(path, "/2020-01-01/extension/event/next") == 0) {
        return 0; /* held: no lifecycle events during a benchmark */
    }
    protocol_errors++;
    logmsg("unexpected request %s %s", r->method, path);
    return send_simple(c->fd, "404 Not Found", "{\"errorMessage\":\"not found\"}");
}

/* ------------------------------------------------------------------- main */

static void usage(void)
{
    fputs("usage: driver [options] -- COMMAND [ARG...]\n"
          "  -n N        invocations to serve (default 1000)\n"
          "  -w N        warm-up invocations left out of the steady figure (default N/10)\n"
          "  -f FILE     event body (default: empty JSON object)\n"
          "  -x FILE     expected response body (default: the event, i.e. echo)\n"
          "  -j          compare as JSON text: whitespace outside strings is ignored\n"
          "  -c TYPE     event Content-Type (default application/json)\n"
          "  -H HANDLER  _HANDLER (default echo.handler)\n"
          "  -T DIR      LAMBDA_TASK_ROOT\n"
          "  -L PATH     LD_LIBRARY_PATH\n"
          "  -e K=V      extra or overriding environment variable (repeatable)\n"
          "  -s N[,N..]  read VmRSS/VmHWM of the runtime after these many responses\n"
          "  -o FILE     runtime stdout+stderr go here (default /dev/null)\n"
          "  -k HOW      how the run ends: KILL (SIGKILL, default), TERM (SIGTERM), or CLOSE\n"
          "              (close the Runtime API, wait up to 10 s for the runtime to exit)\n"
          "  -t SEC      give up after SEC seconds without a request (default 60)\n"
          "  -C CPU      pin the driver and the runtime to this CPU\n"
          "  -q          no progress on stderr\n",
          stderr);
    exit(2);
}

static void env_set(char **env, int *n, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        die("-e wants KEY=VALUE, got %s", kv);
    size_t klen = (size_t)(eq - kv) + 1;
    for (int i = 0; i < *n; i++)
        if (strncmp(env[i], kv, klen) == 0) {
            env[i] = (char *)kv;
            return;
        }
    if (*n >= MAX_ENV - 1)
        die("too many environment variables");
    env[(*n)++] = (char *)kv;
    env[*n] = NULL;
}

static char *fmt(const char *f, const char *v)
{
    size_t n = strlen(f) + strlen(v) + 1;
    char *s = xrealloc(NULL, n);
    snprintf(s, n, f, v);
    return s;
}

static void add_conn(int fd)
{
    if (nconns >= MAX_CONNS)
        die("runtime opened more than %d connections", MAX_CONNS);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns[nconns].fd = fd;
    conns[nconns].cap = 16384;
    conns[nconns].in = xrealloc(NULL, conns[nconns].cap);
    conns[nconns].start = conns[nconns].end = 0;
    nconns++;
}

static void drop_conn(int i)
{
    close(conns[i].fd);
    free(conns[i].in);
    conns[i] = conns[--nconns];
}

/* ------------------------------------------------------------------ the run */

struct options {
    const char *event_file, *expect_file, *out_file, *handler, *task_root, *ld_path;
    const char *extra_env[MAX_ENV];
    int n_extra, kill_sig, idle_timeout, cpu;
};

/* The -s list: invocation counts at which to sample the runtime's RSS. */
static void parse_samples(char *list)
{
    for (char *s = list; *s;) {
        if (nsamples >= MAX_SAMPLES)
            die("too many -s points");
        sample_at[nsamples++] = strtol(s, &s, 10);
        if (*s == ',')
            s++;
        else if (*s)
            die("bad -s list");
    }
}

static int parse_kill(const char *how)
{
    if (strcmp(how, "KILL") == 0)
        return SIGKILL;
    if (strcmp(how, "TERM") == 0)
        return SIGTERM;
    if (strcmp(how, "CLOSE") == 0)
        return 0;
    die("-k wants KILL, TERM or CLOSE");
}

/* Options into o and the globals they set; returns the index of the runtime's argv. */
static int parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){ .out_file = "/dev/null",
                           .handler = "echo.handler",
                           .kill_sig = SIGKILL,
                           .idle_timeout = 60,
                           .cpu = -1 };
    int opt;
    while ((opt = getopt(argc, argv, "+n:w:f:x:jc:H:T:L:e:s:o:k:t:C:qh")) != -1) {
        switch (opt) {
        case 'n':
            n_total = atol(optarg);
            break;
        case 'w':
            n_warmup = atol(optarg);
            break;
        case 'f':
            o->event_file = optarg;
            break;
        case 'x':
            o->expect_file = optarg;
            break;
        case 'j':
            json_compare = 1;
            break;
        case 'c':
            content_type = optarg;
            break;
        case 'H':
            o->handler = optarg;
            break;
        case 'T':
            o->task_root = optarg;
            break;
        case 'L':
            o->ld_path = optarg;
            break;
        case 'e':
            if (o->n_extra >= MAX_ENV)
                die("too many -e");
            o->extra_env[o->n_extra++] = optarg;
            break;
        case 's':
            parse_samples(optarg);
            break;
        case 'o':
            o->out_file = optarg;
            break;
        case 'k':
            o->kill_sig = parse_kill(optarg);
            break;
        case 't':
            o->idle_timeout = atoi(optarg);
            break;
        case 'C':
            o->cpu = atoi(optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            usage();
        }
    }
    if (optind >= argc || n_total < 1)
        usage();
    if (n_warmup < 0)
        n_warmup = n_total / 10;
    if (n_warmup >= n_total)
        n_warmup = n_total - 1;
    return optind;
}

/* The event served and the answer expected (the event itself unless -x). */
static void load_payloads(const struct options *o)
{
    if (o->event_file) {
        event = read_file(o->event_file, &event_len);
    } else {
        event = "{}";
        event_len = 2;
    }
    if (o->expect_file) {
        expected = read_file(o->expect_file, &expected_len);
    } else {
        expected = event;
        expected_len = event_len;
    }
    if (json_compare) {
        expected_sq = xrealloc(NULL, expected_len);
        expected_sq_len = json_squeeze(expected, expected_len, expected_sq);
    }
    t_resp = xrealloc(NULL, sizeof *t_resp * (size_t)(n_total + 1));
}

/* The Runtime API socket: 127.0.0.1, an ephemeral port, written to api as host:port. */
static int listen_loopback(char *api, size_t cap)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket: %s", strerror(errno));
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t salen = sizeof sa;
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &salen) != 0)
        die("listen: %s", strerror(errno));
    snprintf(api, cap, "127.0.0.1:%d", ntohs(sa.sin_port));
    return lfd;
}

/* A clean, Lambda-like environment (provided.al2023 style) into env. */
static void build_env(char **env, const char *api, const struct options *o)
{
    int nenv = 0;
    env[0] = NULL;
    env_set(env, &nenv, "PATH=/usr/local/bin:/usr/bin:/bin");
    env_set(env, &nenv, "LANG=en_US.UTF-8");
    env_set(env, &nenv, "TZ=:UTC");
    env_set(env, &nenv, fmt("AWS_LAMBDA_RUNTIME_API=%s", api));
    env_set(env, &nenv, fmt("_HANDLER=%s", o->handler));
    if (o->task_root)
        env_set(env, &nenv, fmt("LAMBDA_TASK_ROOT=%s", o->task_root));
    if (o->ld_path)
        env_set(env, &nenv, fmt("LD_LIBRARY_PATH=%s", o->ld_path));
    env_set(env, &nenv, "AWS_LAMBDA_FUNCTION_NAME=bench");
    env_set(env, &nenv, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
    env_set(env, &nenv, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128");
    env_set(env, &nenv, "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bench");
    env_set(env, &nenv,
            "AWS_LAMBDA_LOG_STREAM_NAME=2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef");
    env_set(env, &nenv, "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand");
    env_set(env, &nenv, "AWS_REGION=us-east-1");
    env_set(env, &nenv, "AWS_DEFAULT_REGION=us-east-1");
    for (int i = 0; i < o->n_extra; i++)
        env_set(env, &nenv, o->extra_env[i]);
}

/* Starts the runtime (t0 is taken right before), stdout and stderr to out_file. */
static void spawn_runtime(char **argv, char **env, const char *out_file)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    t0 = now_ns();
    int rc = posix_spawn(&child, argv[0], &fa, NULL, argv, env);
    if (rc != 0)
        die("cannot start %s: %s", argv[0], strerror(rc));
    posix_spawn_file_actions_destroy(&fa);
}

/* Serves every request a readable connection has buffered; drops it when it ends or fails. */
static void serve_connection(int i, struct request *req)
{
    struct conn *c = &conns[i];
    do { /* also serve requests already buffered (pipelining) */
        int r = read_request(c, req);
        if (r <= 0 || handle(c, req) != 0) {
            drop_conn(i);
            return;
        }
    } while (!done && c->start < c->end);
}

/* Serves the Runtime API until the run is done; returns NULL or what went wrong, and sets
 * *child_gone when the runtime exited meanwhile (its status in *status). */
static const char *serve(int lfd, int idle_timeout, int *child_gone, int *status)
{
    struct request req = { 0 };
    struct pollfd pfd[MAX_CONNS + 1];
    uint64_t last_activity = now_ns();
    while (!done && !init_error) {
        pfd[0].fd = lfd;
        pfd[0].events = POLLIN;
        for (int i = 0; i < nconns; i++) {
            pfd[i + 1].fd = conns[i].fd;
            pfd[i + 1].events = POLLIN;
        }
        int pr = poll(pfd, (nfds_t)nconns + 1, 200);
        if (pr < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (pr <= 0) {
            if (waitpid(child, status, WNOHANG) == child) {
                *child_gone = 1;
                return "runtime exited before the run ended";
            }
            if (now_ns() - last_activity > (uint64_t)idle_timeout * 1000000000u)
                return "timed out waiting for the runtime";
            continue;
        }
        last_activity = now_ns();
        if (pfd[0].revents & POLLIN) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0)
                add_conn(fd);
        }
        for (int i = nconns - 1; i >= 0 && !done; i--) {
            if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
                serve_connection(i, &req);
        }
    }
    return NULL;
}

/*
 * Ends the runtime: with kill_sig, or (0, CLOSE) by closing the Runtime API and waiting up to
 * 10 s for it to exit on its own (a wrapper like strace or valgrind then writes its report).
 */
static void stop_runtime(int lfd, int kill_sig, int *status, struct rusage *ru)
{
    int reaped = 0;
    if (kill_sig == 0) {
        while (nconns > 0)
            drop_conn(nconns - 1);
        close(lfd);
        for (int i = 0; i < 2000 && !reaped; i++) {
            if (wait4(child, status, WNOHANG, ru) == child)
                reaped = 1;
            else
                usleep(5000);
        }
        if (!reaped)
            logmsg("runtime still running 10 s after the Runtime API closed: killed");
    }
    if (!reaped) {
        kill(child, kill_sig ? kill_sig : SIGKILL);
        while (wait4(child, status, 0, ru) < 0 && errno == EINTR)
            ;
    }
}

static void report_failure(const char *failure, int status, int child_gone, const char *out_file)
{
    fprintf(stderr,
            "driver: FAILED: %s (%ld of %ld answered, %ld wrong, %ld /error, "
            "%ld protocol errors)",
            failure, answered, n_total, wrong, posted_errors, protocol_errors);
    if (WIFEXITED(status))
        fprintf(stderr, "; runtime exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && child_gone)
        fprintf(stderr, "; runtime killed by signal %d", WTERMSIG(status));
    fprintf(stderr, "; runtime output: %s\n", out_file);
}

/* Steady per-invocation time: median (and p10, p90) cycle after the warm-up. */
static long steady_cycles(uint64_t *med, uint64_t *p10, uint64_t *p90)
{
    *med = *p10 = *p90 = 0;
    if (answered < 2)
        return 0;
    long first = n_warmup + 1 > 2 ? n_warmup + 1 : 2, ncyc = 0;
    if (first > answered)
        first = answered;
    uint64_t *cyc = xrealloc(NULL, sizeof *cyc * (size_t)(answered + 1));
    for (long i = first; i <= answered; i++)
        cyc[ncyc++] = t_resp[i] - t_resp[i - 1];
    qsort(cyc, (size_t)ncyc, sizeof *cyc, cmp_u64);
    *med = cyc[ncyc / 2];
    *p10 = cyc[ncyc / 10];
    *p90 = cyc[ncyc * 9 / 10];
    free(cyc);
    return ncyc;
}

static void print_results(const char *failure, uint64_t t_end, long peak_rss, long final_rss,
                          const struct rusage *ru)
{
    uint64_t med, p10, p90;
    long ncyc = steady_cycles(&med, &p10, &p90);
    printf("result=%s\n", failure ? "fail" : "ok");
    printf("invocations=%ld\n", answered);
    printf("wrong=%ld\n", wrong + posted_errors);
    printf("protocol_errors=%ld\n", protocol_errors);
    printf("cold_start_us=%.1f\n", t_first_next ? (double)(t_first_next - t0) / 1e3 : -1.0);
    printf("first_response_us=%.1f\n", t_first_resp ? (double)(t_first_resp - t0) / 1e3 : -1.0);
    printf("steady_samples=%ld\n", ncyc);
    printf("steady_median_ns=%" PRIu64 "\n", med);
    printf("steady_p10_ns=%" PRIu64 "\n", p10);
    printf("steady_p90_ns=%" PRIu64 "\n", p90);
    printf("total_ms=%.1f\n", (double)(t_end - t0) / 1e6);
    printf("peak_rss_kb=%ld\n", peak_rss);
    printf("final_rss_kb=%ld\n", final_rss);
    printf("final_rss_anon_kb=%ld\n", rss_anon);
    printf("final_rss_file_kb=%ld\n", rss_file);
    printf("ru_maxrss_kb=%ld\n", ru->ru_maxrss);
    printf("child_user_us=%ld\n", (long)(ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec));
    printf("child_sys_us=%ld\n", (long)(ru->ru_stime.tv_sec * 1000000 + ru->ru_stime.tv_usec));
    for (int i = 0; i < nsamples; i++) {
        printf("rss_at_%ld_kb=%ld\n", sample_at[i], sample_rss[i]);
        printf("hwm_at_%ld_kb=%ld\n", sample_at[i], sample_hwm[i]);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    int first_arg = parse_options(argc, argv, &o);
    if (o.cpu >= 0) { /* the runtime inherits it */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            die("cannot pin to CPU %d: %s", o.cpu, strerror(errno));
    }
    load_payloads(&o);
    signal(SIGPIPE, SIG_IGN);
    char api[32];
    int lfd = listen_loopback(api, sizeof api);
    char *env[MAX_ENV];
    build_env(env, api, &o);
    logmsg("serving %ld invocations (%zu-byte event) on %s to %s", n_total, event_len, api,
           argv[first_arg]);
    spawn_runtime(argv + first_arg, env, o.out_file);

    int child_gone = 0, status = 0;
    const char *failure = serve(lfd, o.idle_timeout, &child_gone, &status);
    uint64_t t_end = now_ns();
    long peak_rss = -1, final_rss = -1;
    struct rusage ru;
    if (!child_gone) {
        read_proc_rss(child, &final_rss, &peak_rss);
        stop_runtime(lfd, o.kill_sig, &status, &ru);
    } else {
        getrusage(RUSAGE_CHILDREN, &ru);
    }
    if (!failure && init_error)
        failure = "runtime posted /init/error";
    if (!failure && (wrong || posted_errors || protocol_errors))
        failure = "wrong answers";
    if (failure)
        report_failure(failure, status, child_gone, o.out_file);
    print_results(failure, t_end, peak_rss, final_rss, &ru);
    return failure ? 1 : 0;
}
