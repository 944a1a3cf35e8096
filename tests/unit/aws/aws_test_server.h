/*
 * tests/unit/aws_test_server.h - a scripted HTTP/1.1 server on 127.0.0.1 for the
 * liblambda-c-aws unit tests (keep-alive, Content-Length bodies, one thread per
 * connection). Every wait is bounded (poll with a timeout), so a broken client fails a
 * test but never hangs it. Handlers run on server threads: they must not call cmocka
 * assertions; they record what they saw and the test asserts afterwards.
 */
#ifndef LAMBDA_C_AWS_TEST_SERVER_H
#define LAMBDA_C_AWS_TEST_SERVER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ATS_MAX_LOG 64
#define ATS_BODY_KEEP (1024 * 1024)

typedef struct ats_request {
    char method[16];
    char target[4096];  /* path and query as sent */
    char headers[8192]; /* raw header lines, "\r\n"-separated */
    char *body;         /* first ATS_BODY_KEEP bytes, NUL-terminated */
    size_t body_len;    /* full length */
    uint64_t body_hash; /* FNV-1a 64 of the full body */
    int connection;     /* 1-based index of the connection it came on */
} ats_request;

typedef struct ats_reply {
    int status;
    const char *headers; /* extra header lines, each ending in "\r\n"; may be NULL */
    const char *body;    /* may be NULL */
    size_t gen_len;      /* instead of body: gen_len bytes of ats_pattern() */
    int delay_ms;        /* wait before answering */
    int close;           /* close the connection after answering */
    int no_answer;       /* close the connection without answering */
} ats_reply;

struct ats_server;
typedef void (*ats_handler)(struct ats_server *s, const ats_request *req, ats_reply *reply);

typedef struct ats_server {
    int fd;
    int port;
    pthread_t thread;
    _Atomic int stop;
    ats_handler handler;
    void *ctx;
    pthread_mutex_t lock;
    _Atomic int connections; /* accepted so far */
    _Atomic int requests;    /* answered so far */
    ats_request log[ATS_MAX_LOG];
    _Atomic int logged;
    int active_threads;
    int open_fds[128]; /* connection sockets, -1 when free: shut down by ats_stop */
    char failure[256];
} ats_server;

/* Starts s on an ephemeral port with handler (ctx is available as s->ctx). 0 on success. */
int ats_start(ats_server *s, ats_handler handler, void *ctx);
/* Stops accepting, waits (bounded) for connection threads, frees the log. */
void ats_stop(ats_server *s);
/* A copy of request i of the log (under the lock); 0 on success. The body is not copied. */
int ats_get(ats_server *s, int i, ats_request *out);
/* The value of header name in a raw header block (case-insensitive) copied to out; 0 if found. */
int ats_header(const char *headers, const char *name, char *out, size_t cap);

/* Wall-clock Unix epoch milliseconds (deadlines use this clock). */
static inline int64_t ats_now_ms_for_tests(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Byte i of the generated pattern. */
static inline unsigned char ats_pattern(uint64_t i)
{
    return (unsigned char)((i * 31u + 7u) ^ (i >> 9));
}

/* FNV-1a 64, incremental. Start with ATS_FNV_INIT. */
#define ATS_FNV_INIT 14695981039346656037ull
static inline uint64_t ats_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* stderr capture into a file, for log checks. */
typedef struct ats_capture {
    int saved_fd;
    void *file; /* FILE * from tmpfile() */
} ats_capture;
int ats_capture_start(ats_capture *c);
/* Restores stderr; returns the captured bytes (malloc'd, NUL-terminated) or NULL. */
char *ats_capture_end(ats_capture *c);

#endif
