/*
 * sdk/src/http_client.c against a real server: a scripted loopback server in a thread
 * (tests/unit/test_support.h) reads each request and answers with canned bytes, so every
 * framing the client must handle, and every way a peer can misbehave, is exercised on a
 * real socket. Every wait of the server is bounded and the server thread always ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/transport/http.h"
#include "test_support.h"

typedef struct fixture {
    ts_server server;
    ts_canned script;
    lc_http_conn *conn;
    char *owned[TS_MAX_STEPS]; /* generated answers, freed at teardown */
    int owned_count;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    lc_http_conn_close(f->conn);
    f->conn = NULL;
    ts_server_join(&f->server);
    for (int i = 0; i < TS_MAX_STEPS; i++)
        ts_request_free(&f->script.requests[i]);
    for (int i = 0; i < f->owned_count; i++)
        free(f->owned[i]);
    free(f);
    return 0;
}

static ts_step *add_step(fixture *f, const char *raw)
{
    assert_true(f->script.count < TS_MAX_STEPS);
    ts_step *st = &f->script.steps[f->script.count++];
    st->raw = raw;
    return st;
}

/* Adds a step whose answer is a malloc'd buffer the fixture frees. */
static ts_step *add_owned_step(fixture *f, char *raw, size_t len)
{
    f->owned[f->owned_count++] = raw;
    ts_step *st = add_step(f, raw);
    st->raw_len = len;
    return st;
}

static void start(fixture *f)
{
    assert_int_equal(ts_server_start(&f->server, ts_canned_script, &f->script), 0);
}

static void start_and_connect(fixture *f)
{
    start(f);
    assert_int_equal(lc_http_conn_open(&f->conn, f->server.endpoint), LAMBDA_OK);
    assert_non_null(f->conn);
}

/* Closes the client side and waits for the server; fails on a server-side failure. */
static void finish(fixture *f)
{
    lc_http_conn_close(f->conn);
    f->conn = NULL;
    ts_server_join(&f->server);
    assert_server_ok(&f->server);
}

static void reconnect(fixture *f)
{
    lc_http_conn_close(f->conn);
    f->conn = NULL;
    assert_int_equal(lc_http_conn_open(&f->conn, f->server.endpoint), LAMBDA_OK);
}

static lambda_code get(fixture *f, const char *path, lc_http_response *resp)
{
    return lc_http_request(f->conn, "GET", path, NULL, 0, NULL, 0, resp);
}

/* ------------------------------------------------------------------ Content-Length */

static void test_content_length_response(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nX-Test: a\r\nContent-Length: 5\r\n\r\nhello");
    start_and_connect(f);
    lc_http_header headers[] = { { "Accept", "*/*" }, { "X-Absent", NULL }, { "X-Two", "v2" } };
    lc_http_response resp;
    assert_int_equal(lc_http_request(f->conn, "GET", "/path?q=1", headers, 3, NULL, 0, &resp),
                     LAMBDA_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_size, 5);
    assert_memory_equal(resp.body, "hello", 5);
    assert_int_equal(resp.body[5], '\0');
    assert_string_equal(lc_http_response_header(&resp, "X-Test"), "a");
    assert_string_equal(lc_http_response_header(&resp, "Content-Length"), "5");
    assert_null(lc_http_response_header(&resp, "X-Missing"));
    finish(f);

    /* What went on the wire: Host added, NULL-valued headers left out, no Content-Length
     * for a GET without a body. */
    char expected[256];
    snprintf(expected, sizeof expected,
             "GET /path?q=1 HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\nX-Two: v2\r\n\r\n",
             f->server.endpoint);
    assert_int_equal(f->script.received, 1);
    assert_string_equal(f->script.requests[0].head, expected);
}

static void test_request_bodies(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 5; i++)
        add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok");
    start_and_connect(f);
    lc_http_response resp;
    lc_http_header ct[] = { { "Content-Type", "text/plain" } };
    assert_int_equal(lc_http_request(f->conn, "POST", "/a", ct, 1, "abc", 3, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    /* POST and PUT without a body still say Content-Length: 0. */
    assert_int_equal(lc_http_request(f->conn, "POST", "/b", NULL, 0, NULL, 0, &resp), LAMBDA_OK);
    assert_int_equal(lc_http_request(f->conn, "PUT", "/c", NULL, 0, NULL, 0, &resp), LAMBDA_OK);
    /* Any method with a body says its length; binary bytes go as they are. */
    static const char binary[] = { '\0', '\r', '\n', '\xff', '\0' };
    assert_int_equal(lc_http_request(f->conn, "GET", "/d", NULL, 0, binary, sizeof binary, &resp),
                     LAMBDA_OK);
    /* A body pointer with size 0. */
    assert_int_equal(lc_http_request(f->conn, "DELETE", "/e", NULL, 0, "", 0, &resp), LAMBDA_OK);
    finish(f);

    assert_int_equal(f->script.received, 5);
    assert_int_equal(f->script.connections, 1);
    char expected[256];
    const char *host = f->server.endpoint;
    snprintf(expected, sizeof expected,
             "POST /a HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\n"
             "Content-Length: 3\r\n\r\n",
             host);
    assert_string_equal(f->script.requests[0].head, expected);
    assert_string_equal(f->script.requests[0].body, "abc");
    snprintf(expected, sizeof expected, "POST /b HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n",
             host);
    assert_string_equal(f->script.requests[1].head, expected);
    snprintf(expected, sizeof expected, "PUT /c HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n",
             host);
    assert_string_equal(f->script.requests[2].head, expected);
    snprintf(expected, sizeof expected, "GET /d HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\n\r\n",
             host);
    assert_string_equal(f->script.requests[3].head, expected);
    assert_int_equal(f->script.requests[3].body_len, sizeof binary);
    assert_memory_equal(f->script.requests[3].body, binary, sizeof binary);
    snprintf(expected, sizeof expected,
             "DELETE /e HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n", host);
    assert_string_equal(f->script.requests[4].head, expected);
}

static void test_no_body_statuses(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n");
    add_step(f, "HTTP/1.1 304 Not Modified\r\n\r\n");
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    add_step(f, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/1", &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 204);
    assert_int_equal(resp.body_size, 0);
    assert_non_null(resp.body);
    assert_string_equal(resp.body, "");
    assert_int_equal(get(f, "/2", &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 304);
    assert_int_equal(resp.body_size, 0);
    assert_int_equal(get(f, "/3", &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_size, 0);
    assert_string_equal(resp.body, "");
    assert_int_equal(get(f, "/4", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, 3);
    assert_string_equal(resp.body, "old");
    finish(f);
}

/* ------------------------------------------------------------------ chunked */

static void test_chunked_response(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Before: b\r\n\r\n"
                "5;ext=1;name=\"quoted\"\r\nhello\r\n"
                "6\r\n world\r\n"
                "A\r\n0123456789\r\n"
                "a;e\r\nabcdefghij\r\n"
                "0\r\nX-Trailer: t\r\nAnother-Trailer: u\r\n\r\n");
    /* The next answer on the same connection proves the trailers were consumed. */
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/chunked", &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_size, 31);
    assert_memory_equal(resp.body, "hello world0123456789abcdefghij", 32); /* and the NUL */
    assert_string_equal(lc_http_response_header(&resp, "X-Before"), "b");
    /* Trailers are not headers. */
    assert_null(lc_http_response_header(&resp, "X-Trailer"));
    assert_int_equal(get(f, "/after", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, 4);
    assert_string_equal(resp.body, "next");
    finish(f);
}

static void test_chunked_empty_and_one_byte_chunks(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    add_step(f, "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                "1\r\na\r\n1\r\nb\r\n1\r\n\0\r\n1\r\nc\r\n0\r\n\r\n");
    f->script.steps[1].raw_len = strlen("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                                        "1\r\na\r\n1\r\nb\r\n1\r\n") +
                                 1 + strlen("\r\n1\r\nc\r\n0\r\n\r\n");
    /* Transfer-Encoding wins over Content-Length. */
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2\r\nok\r\n0\r\n\r\n");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/empty", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, 0);
    assert_string_equal(resp.body, "");
    assert_int_equal(get(f, "/bytes", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, 4);
    assert_memory_equal(resp.body, "ab\0c", 5);
    assert_int_equal(get(f, "/both", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, 2);
    assert_string_equal(resp.body, "ok");
    finish(f);
}

/* ------------------------------------------------------------------ keep-alive, pieces */

static void test_keep_alive_many_requests(void **state)
{
    fixture *f = *state;
    static char answers[10][128];
    for (int i = 0; i < 10; i++) {
        if (i % 2)
            snprintf(answers[i], sizeof answers[i],
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "6\r\nreply%d\r\n0\r\n\r\n",
                     i);
        else
            snprintf(answers[i], sizeof answers[i],
                     "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nreply%d", i);
        add_step(f, answers[i]);
    }
    start_and_connect(f);
    for (int i = 0; i < 10; i++) {
        lc_http_response resp;
        char path[32], expected[32];
        snprintf(path, sizeof path, "/req/%d", i);
        snprintf(expected, sizeof expected, "reply%d", i);
        if (i % 3 == 0)
            assert_int_equal(lc_http_request(f->conn, "POST", path, NULL, 0, "body", 4, &resp),
                             LAMBDA_OK);
        else
            assert_int_equal(get(f, path, &resp), LAMBDA_OK);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, expected);
    }
    finish(f);
    assert_int_equal(f->script.connections, 1); /* all on one connection */
    assert_int_equal(f->script.received, 10);
    for (int i = 0; i < 10; i++) {
        char path[32];
        snprintf(path, sizeof path, "/req/%d", i);
        assert_string_equal(f->script.requests[i].path, path);
    }
}

static void test_fragmented_response(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nX-Long-Header: abcdefghijklmnopqrstuvwxyz\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
                "10\r\n0123456789abcdef\r\n3;x=y\r\nXYZ\r\n0\r\nT: v\r\n\r\n")
        ->fragment = 1;
    add_step(f, "HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\n0123456789")->fragment = 1;
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/1", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "0123456789abcdefXYZ");
    assert_string_equal(lc_http_response_header(&resp, "x-long-header"),
                        "abcdefghijklmnopqrstuvwxyz");
    assert_int_equal(get(f, "/2", &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 201);
    assert_string_equal(resp.body, "0123456789");
    finish(f);
}

/* ------------------------------------------------------------------ large bodies */

static char *make_big_body(size_t size)
{
    char *body = ts_xmalloc(size);
    for (size_t i = 0; i < size; i++)
        body[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    return body;
}

static void test_big_body_content_length(void **state)
{
    fixture *f = *state;
    size_t size = 6 * 1024 * 1024;
    char *body = make_big_body(size);
    char head[128];
    int head_len =
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", size);
    char *raw = ts_xmalloc((size_t)head_len + size);
    memcpy(raw, head, (size_t)head_len);
    memcpy(raw + head_len, body, size);
    add_owned_step(f, raw, (size_t)head_len + size);
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/big", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, size);
    assert_true(memcmp(resp.body, body, size) == 0);
    assert_int_equal(resp.body[size], '\0');
    assert_int_equal(get(f, "/small", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "small");
    finish(f);
    free(body);
}

static void test_big_body_chunked(void **state)
{
    fixture *f = *state;
    size_t size = 6 * 1024 * 1024 + 100; /* the largest event Lambda sends (limits.h) */
    char *body = make_big_body(size);
    /* Chunks of 100000 bytes (more than the client's 64 KiB read buffer) and a short tail. */
    size_t cap = size + size / 100000 * 16 + 256;
    char *raw = ts_xmalloc(cap);
    size_t len = (size_t)sprintf(raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (size_t off = 0; off < size; off += 100000) {
        size_t n = size - off < 100000 ? size - off : 100000;
        len += (size_t)sprintf(raw + len, "%zx\r\n", n);
        memcpy(raw + len, body + off, n);
        len += n;
        memcpy(raw + len, "\r\n", 2);
        len += 2;
    }
    len += (size_t)sprintf(raw + len, "0\r\n\r\n");
    assert_true(len <= cap);
    add_owned_step(f, raw, len);
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/big", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, size);
    assert_true(memcmp(resp.body, body, size) == 0);
    assert_int_equal(resp.body[size], '\0');
    finish(f);
    free(body);
}

/* ------------------------------------------------------------------ headers */

static void test_headers_case_insensitive_and_trimmed(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\n"
                "content-length: 3\r\n"
                "x-MiXeD-CaSe: v1\r\n"
                "X-Padded: \t  padded value \t \r\n"
                "X-Empty:\r\n"
                "X-Colon: a:b:c\r\n"
                "X-Dup: first\r\n"
                "x-dup: second\r\n"
                "\r\nabc");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "abc");
    assert_string_equal(lc_http_response_header(&resp, "X-Mixed-Case"), "v1");
    assert_string_equal(lc_http_response_header(&resp, "x-mixed-case"), "v1");
    assert_string_equal(lc_http_response_header(&resp, "CONTENT-LENGTH"), "3");
    assert_string_equal(lc_http_response_header(&resp, "X-Padded"), "padded value");
    assert_string_equal(lc_http_response_header(&resp, "X-Empty"), "");
    assert_string_equal(lc_http_response_header(&resp, "X-Colon"), "a:b:c");
    assert_string_equal(lc_http_response_header(&resp, "X-DUP"), "first"); /* the first one */
    assert_null(lc_http_response_header(&resp, "X-Mixed"));                /* no prefix match */
    assert_int_equal(resp.header_count, 7);
    assert_string_equal(resp.headers[1].name, "x-MiXeD-CaSe"); /* names kept as sent */
    finish(f);
}

/* ------------------------------------------------------------------ peer closing */

static void test_closed_mid_body(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")->close_after = 1;
    add_step(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort")->new_conn = 1;
    f->script.steps[1].close_after = 1;
    add_step(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")->new_conn = 1;
    f->script.steps[2].close_after = 1;                         /* no last chunk */
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Le")->new_conn = 1; /* mid head */
    f->script.steps[3].close_after = 1;
    add_step(f, "")->new_conn = 1; /* no answer at all */
    f->script.steps[4].close_after = 1;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfine")->new_conn = 1;
    f->script.steps[5].close_after = 1;
    start_and_connect(f);
    lc_http_response resp;
    for (int i = 0; i < 6; i++) {
        if (i)
            reconnect(f);
        lambda_code rc = get(f, "/", &resp);
        if (rc != LAMBDA_E_CONNECTION_CLOSED)
            fail_msg("case %d: %s, expected connection closed", i, lambda_strerror(rc));
    }
    finish(f);
    assert_int_equal(f->script.received, 6);
}

static void test_send_on_closed_connection(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")->close_after = 1;
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    ts_server_join(&f->server); /* the server has closed its end */
    /* The next request fails one way or another, never with success or a hang. */
    lambda_code rc = lc_http_request(f->conn, "POST", "/x", NULL, 0, "data", 4, &resp);
    assert_true(rc == LAMBDA_E_CONNECTION_CLOSED || rc == LAMBDA_E_IO);
    finish(f);
}

/* ------------------------------------------------------------------ malformed answers */

static void expect_protocol_errors(fixture *f, const char *const *answers, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        ts_step *st = add_step(f, answers[i]);
        st->new_conn = i > 0;
        st->close_after = 1;
    }
    start_and_connect(f);
    for (size_t i = 0; i < count; i++) {
        if (i)
            reconnect(f);
        lc_http_response resp;
        lambda_code rc = get(f, "/", &resp);
        if (rc != LAMBDA_E_PROTOCOL)
            fail_msg("answer %zu (%.40s): %s, expected a protocol error", i, answers[i],
                     lambda_strerror(rc));
    }
    finish(f);
}

static void test_malformed_status_lines(void **state)
{
    static const char *const answers[] = {
        "HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 99 Low\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 1000 High\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1. 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/2 200\r\nContent-Length: 0\r\n\r\n",
        "garbage\r\n\r\n",
        "\r\n\r\n",
        "HTTP/1.1 \r\nContent-Length: 0\r\n\r\n",
    };
    expect_protocol_errors(*state, answers, sizeof answers / sizeof answers[0]);
}

static void test_malformed_heads_and_framing(void **state)
{
    static const char *const answers[] = {
        "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: no name\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nno framing",
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
    };
    expect_protocol_errors(*state, answers, sizeof answers / sizeof answers[0]);
}

/* Content-Length is digits only: strtoull's sign, space and base prefixes are not HTTP. */
static void test_content_length_signs_refused(void **state)
{
    static const char *const answers[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 1_5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5;x\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
    };
    expect_protocol_errors(*state, answers, sizeof answers / sizeof answers[0]);
}

/* A body above Lambda's payload limit is refused from its length, before any memory is
 * reserved for it or any byte read. */
static void test_body_beyond_lambda_limit(void **state)
{
    fixture *f = *state;
    static const char *const answers[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 4000000000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 6291557\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n",
        /* numbers past any integer type: still too large, not wrapped */
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
    };
    size_t count = sizeof answers / sizeof answers[0];
    for (size_t i = 0; i < count; i++) {
        ts_step *st = add_step(f, answers[i]);
        st->new_conn = i > 0;
        st->close_after = 1;
    }
    start_and_connect(f);
    for (size_t i = 0; i < count; i++) {
        if (i)
            reconnect(f);
        lc_http_response resp;
        lambda_code rc = get(f, "/", &resp);
        if (rc != LAMBDA_E_TOO_LARGE)
            fail_msg("answer %zu (%.60s): %s, expected too large", i, answers[i],
                     lambda_strerror(rc));
    }
    finish(f);
}

static char *make_head_answer(size_t header_bytes, size_t *len)
{
    char *raw = ts_xmalloc(header_bytes + 128);
    size_t n = (size_t)sprintf(raw, "HTTP/1.1 200 OK\r\nX-Big: ");
    memset(raw + n, 'h', header_bytes);
    n += header_bytes;
    n += (size_t)sprintf(raw + n, "\r\nContent-Length: 2\r\n\r\nok");
    *len = n;
    return raw;
}

static void test_oversized_head(void **state)
{
    fixture *f = *state;
    size_t len;
    /* One 70 KB header line. */
    char *raw = make_head_answer(70 * 1024, &len);
    add_owned_step(f, raw, len)->close_after = 1;
    /* 70 KB over many short header lines. */
    size_t cap = 80 * 1024;
    char *many = ts_xmalloc(cap);
    size_t n = (size_t)sprintf(many, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; n < 70 * 1024; i++)
        n += (size_t)sprintf(many + n, "X-H%d: %040d\r\n", i, i);
    n += (size_t)sprintf(many + n, "Content-Length: 0\r\n\r\n");
    ts_step *st = add_owned_step(f, many, n);
    st->new_conn = 1;
    st->close_after = 1;
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_E_PROTOCOL);
    reconnect(f);
    assert_int_equal(get(f, "/", &resp), LAMBDA_E_PROTOCOL);
    finish(f);
}

static void test_large_head_within_limit(void **state)
{
    fixture *f = *state;
    size_t len;
    char *raw = make_head_answer(60 * 1024, &len);
    add_owned_step(f, raw, len);
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    const char *big = lc_http_response_header(&resp, "X-Big");
    assert_non_null(big);
    assert_int_equal(strlen(big), 60 * 1024);
    assert_string_equal(resp.body, "ok");
    finish(f);
}

/* LC_HTTP_MAX_HEADERS headers are read; one more is a protocol error, never a silent drop. */
static void test_headers_past_the_limit_are_refused(void **state)
{
    fixture *f = *state;
    for (int extra = 0; extra <= 1; extra++) {
        char *raw = ts_xmalloc(16 * 1024);
        size_t n = (size_t)sprintf(raw, "HTTP/1.1 200 OK\r\n");
        /* The framing header comes last: dropping the overflow would lose it. */
        for (int i = 0; i < LC_HTTP_MAX_HEADERS - 1 + extra; i++)
            n += (size_t)sprintf(raw + n, "X-H%d: %d\r\n", i, i);
        n += (size_t)sprintf(raw + n, "Content-Length: 2\r\n\r\nok");
        ts_step *st = add_owned_step(f, raw, n);
        st->new_conn = extra;
        st->close_after = 1;
    }
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    assert_int_equal(resp.header_count, LC_HTTP_MAX_HEADERS);
    assert_string_equal(resp.body, "ok");
    reconnect(f);
    assert_int_equal(get(f, "/", &resp), LAMBDA_E_PROTOCOL);
    finish(f);
}

/* ------------------------------------------------------------------ request limits */

static void test_large_request_head_sent_whole(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
    add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
    start_and_connect(f);
    /* A 64 KiB header value (an X-Ray cause may be that long), far above any stack buffer. */
    size_t size = 64 * 1024;
    char *value = ts_xmalloc(size + 1);
    for (size_t i = 0; i < size; i++)
        value[i] = (char)('a' + i % 26);
    value[size] = '\0';
    lc_http_header big[] = { { "X-Big", value }, { "X-After", "after" } };
    lc_http_response resp;
    assert_int_equal(lc_http_request(f->conn, "POST", "/big", big, 2, "b", 1, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_int_equal(lc_http_chunked_begin(f->conn, "POST", "/big-stream", big, 2), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_end(f->conn, big, 2, &resp), LAMBDA_OK); /* as trailers too */
    assert_int_equal(resp.status, 202);
    finish(f);
    assert_int_equal(f->script.received, 2);
    char *got = ts_xmalloc(size + 1);
    for (int i = 0; i < 2; i++) {
        assert_non_null(ts_head_header(f->script.requests[i].head, "X-Big", got, size + 1));
        assert_string_equal(got, value);
        assert_non_null(ts_head_header(f->script.requests[i].head, "X-After", got, size + 1));
        assert_string_equal(got, "after");
    }
    assert_string_equal(f->script.requests[0].body, "b");
    assert_non_null(strstr(f->script.requests[1].trailers, value));
    free(got);
    free(value);
}

static void test_header_injection_refused(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    start_and_connect(f);
    static const lc_http_header bad[][1] = { { { "X-A", "v\r\nX-Injected: 1" } },
                                             { { "X-A", "v\nX-Injected: 1" } },
                                             { { "X-A", "v\r" } },
                                             { { "X-A\r\nX-Injected", "v" } } };
    lc_http_response resp;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lc_http_request(f->conn, "GET", "/bad", bad[i], 1, NULL, 0, &resp),
                         LAMBDA_E_INVALID_ARGUMENT);
        assert_int_equal(lc_http_chunked_begin(f->conn, "POST", "/bad", bad[i], 1),
                         LAMBDA_E_INVALID_ARGUMENT);
    }
    /* Nothing was sent: the connection still works. */
    assert_int_equal(get(f, "/ok", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "ok");
    finish(f);
    assert_int_equal(f->script.received, 1);
    assert_string_equal(f->script.requests[0].path, "/ok");
}

static void test_trailer_injection_refused(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")->expect_raw_body =
        "2\r\nok\r\n0\r\nX-T: fine\r\n\r\n";
    f->script.steps[0].expect_raw_len = strlen("2\r\nok\r\n0\r\nX-T: fine\r\n\r\n");
    start_and_connect(f);
    assert_int_equal(lc_http_chunked_begin(f->conn, "POST", "/s", NULL, 0), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, "ok", 2), LAMBDA_OK);
    lc_http_header bad[] = { { "X-T", "a\r\n\r\nGET /smuggled HTTP/1.1" } };
    lc_http_response resp;
    assert_int_equal(lc_http_chunked_end(f->conn, bad, 1, &resp), LAMBDA_E_INVALID_ARGUMENT);
    /* The body is still open: end it properly. */
    lc_http_header good[] = { { "X-T", "fine" } };
    assert_int_equal(lc_http_chunked_end(f->conn, good, 1, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    finish(f);
    assert_int_equal(f->script.received, 1);
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    lc_http_response resp;
    assert_int_equal(lc_http_request(NULL, "GET", "/", NULL, 0, NULL, 0, &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_chunked_begin(NULL, "POST", "/", NULL, 0), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_chunked_write(NULL, "x", 1), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_chunked_end(NULL, NULL, 0, &resp), LAMBDA_E_INVALID_ARGUMENT);
    lc_http_conn *conn = (lc_http_conn *)&conn;
    assert_int_equal(lc_http_conn_open(&conn, NULL), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_conn_open(NULL, "127.0.0.1:1"), LAMBDA_E_INVALID_ARGUMENT);
    lc_http_conn_close(NULL);
    lc_http_conn_trim(NULL);
    resp.header_count = 0;
    assert_null(lc_http_response_header(&resp, "X"));
}

static void test_invalid_arguments_on_open_connection(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    start_and_connect(f);
    lc_http_response resp;
    assert_int_equal(lc_http_request(f->conn, NULL, "/", NULL, 0, NULL, 0, &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_request(f->conn, "GET", NULL, NULL, 0, NULL, 0, &resp),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_request(f->conn, "GET", "/", NULL, 0, NULL, 0, NULL),
                     LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(lc_http_chunked_write(f->conn, NULL, 3), LAMBDA_E_INVALID_ARGUMENT);
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK); /* nothing was sent before */
    finish(f);
    assert_int_equal(f->script.received, 1);
}

/* ------------------------------------------------------------------ chunked requests */

static void test_chunked_request(void **state)
{
    fixture *f = *state;
    size_t big_size = 70000;
    char *big = make_big_body(big_size);
    /* The request body byte for byte: chunks, the last chunk, the trailers, the end. */
    char *expected = ts_xmalloc(big_size + 512);
    size_t n = (size_t)sprintf(expected, "5\r\nhello\r\n%zx\r\n", big_size);
    memcpy(expected + n, big, big_size);
    n += big_size;
    n += (size_t)sprintf(expected + n,
                         "\r\n1\r\n!\r\n0\r\nLambda-Runtime-Function-Error-Type: Function.X\r\n"
                         "Lambda-Runtime-Function-Error-Body: eyJlcnJvciI6MX0=\r\n\r\n");
    ts_step *st =
        add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}");
    st->expect_raw_body = expected;
    st->expect_raw_len = n;
    /* Then a chunked request without trailers, then a plain one, on the same connection. */
    add_step(f, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")->expect_raw_body =
        "3\r\nabc\r\n0\r\n\r\n";
    f->script.steps[1].expect_raw_len = strlen("3\r\nabc\r\n0\r\n\r\n");
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
    start_and_connect(f);

    lc_http_header headers[] = { { "Content-Type", "application/octet-stream" },
                                 { "X-Null", NULL },
                                 { "Lambda-Runtime-Function-Response-Mode", "streaming" } };
    assert_int_equal(lc_http_chunked_begin(f->conn, "POST", "/stream", headers, 3), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, "hello", 5), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, "ignored", 0), LAMBDA_OK); /* size 0: nothing */
    assert_int_equal(lc_http_chunked_write(f->conn, NULL, 0), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, big, big_size), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, "!", 1), LAMBDA_OK);
    lc_http_header trailers[] = { { "Lambda-Runtime-Function-Error-Type", "Function.X" },
                                  { "Skipped", NULL },
                                  { "Lambda-Runtime-Function-Error-Body", "eyJlcnJvciI6MX0=" } };
    lc_http_response resp;
    assert_int_equal(lc_http_chunked_end(f->conn, trailers, 3, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_string_equal(resp.body, "{\"status\":\"OK\"}");

    assert_int_equal(lc_http_chunked_begin(f->conn, "POST", "/stream2", NULL, 0), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_write(f->conn, "abc", 3), LAMBDA_OK);
    assert_int_equal(lc_http_chunked_end(f->conn, NULL, 0, &resp), LAMBDA_OK);
    assert_int_equal(resp.status, 202);
    assert_int_equal(resp.body_size, 0);

    assert_int_equal(get(f, "/after", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "done");
    finish(f);

    assert_int_equal(f->script.received, 3);
    assert_int_equal(f->script.connections, 1);
    char head[512];
    snprintf(head, sizeof head,
             "POST /stream HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\n"
             "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
             "Transfer-Encoding: chunked\r\n\r\n",
             f->server.endpoint);
    assert_string_equal(f->script.requests[0].head, head);
    assert_int_equal(f->script.requests[0].raw_body_len, n);
    assert_memory_equal(f->script.requests[0].raw_body, expected, n);
    assert_string_equal(f->script.requests[0].trailers,
                        "Lambda-Runtime-Function-Error-Type: Function.X\r\n"
                        "Lambda-Runtime-Function-Error-Body: eyJlcnJvciI6MX0=\r\n\r\n");
    assert_string_equal(f->script.requests[1].trailers, "\r\n");
    free(expected);
    free(big);
}

/* ------------------------------------------------------------------ trimming */

static void test_trim_releases_big_buffers(void **state)
{
    fixture *f = *state;
    size_t size = 6 * 1024 * 1024;
    char *body = make_big_body(size);
    char head[128];
    int head_len =
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", size);
    for (int i = 0; i < 2; i++) {
        char *raw = ts_xmalloc((size_t)head_len + size);
        memcpy(raw, head, (size_t)head_len);
        memcpy(raw + head_len, body, size);
        add_owned_step(f, raw, (size_t)head_len + size);
        add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
        add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
    }
    free(body);
    start_and_connect(f);
    lc_http_response resp;

    /* Without a trim the big buffer stays: the next small body reuses it. */
    assert_int_equal(get(f, "/big", &resp), LAMBDA_OK);
    char *big_buffer = resp.body;
    assert_true(malloc_usable_size(big_buffer) >= size);
    assert_int_equal(get(f, "/small", &resp), LAMBDA_OK);
    assert_ptr_equal(resp.body, big_buffer);
    assert_string_equal(resp.body, "small");
    lc_http_conn_trim(f->conn);
    /* After it, the small body lives in a small buffer again. */
    assert_int_equal(get(f, "/small", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "small");
    size_t small_usable = malloc_usable_size(resp.body);
    assert_true(small_usable < 256 * 1024);
    char *small_buffer = resp.body;
    /* A small buffer survives a trim (no churn between ordinary invocations). */
    lc_http_conn_trim(f->conn);
    assert_int_equal(get(f, "/big", &resp), LAMBDA_OK);
    assert_int_equal(resp.body_size, size);
    lc_http_conn_trim(f->conn);
    assert_int_equal(get(f, "/small", &resp), LAMBDA_OK);
    assert_true(malloc_usable_size(resp.body) < 256 * 1024);
    small_buffer = resp.body;
    lc_http_conn_trim(f->conn);
    assert_int_equal(get(f, "/small", &resp), LAMBDA_OK);
    assert_ptr_equal(resp.body, small_buffer);
    finish(f);
}

/* ------------------------------------------------------------------ connecting */

static void test_connect_to_closed_port(void **state)
{
    (void)state;
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d", ts_closed_port());
    lc_http_conn *conn = (lc_http_conn *)&conn;
    assert_int_equal(lc_http_conn_open(&conn, endpoint), LAMBDA_E_CONNECT);
    assert_null(conn);
    snprintf(endpoint, sizeof endpoint, "[::1]:%d", ts_closed_port());
    assert_int_equal(lc_http_conn_open(&conn, endpoint), LAMBDA_E_CONNECT);
    assert_null(conn);
}

/* A signal that lands during connect() (a handler's timer, a profiler) must not fail it: the
 * kernel goes on connecting. The listener's backlog is kept full so that the connect has to
 * wait (its SYN is dropped and sent again about a second later), a timer interrupts it, and
 * a thread frees the backlog meanwhile. */
static void on_alarm(int sig)
{
    (void)sig;
}

/* Accepts the fillers and the connection under test (the listener is non-blocking), for at
 * most 5 s. */
static void *drain_backlog(void *arg)
{
    int listener = *(int *)arg;
    usleep(300 * 1000);
    for (int accepted = 0, waited = 0; accepted < 3 && waited < 5000; waited += 20) {
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) {
            close(fd);
            accepted++;
        } else {
            usleep(20 * 1000);
        }
    }
    return NULL;
}

static void test_connect_interrupted_by_a_signal(void **state)
{
    (void)state;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    assert_true(listener >= 0 && bind(listener, (struct sockaddr *)&a, sizeof a) == 0 &&
                listen(listener, 0) == 0 &&
                getsockname(listener, (struct sockaddr *)&a, &alen) == 0);
    /* Fill the backlog: with backlog 0 Linux queues one connection. Non-blocking, so that a
     * kernel that queues fewer cannot hang the test here. */
    int fillers[2];
    for (int i = 0; i < 2; i++) {
        fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(fillers[i] >= 0);
        connect(fillers[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(50 * 1000);
    struct sigaction sa = { 0 }, old;
    sa.sa_handler = on_alarm; /* no SA_RESTART: connect() returns EINTR */
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    struct itimerval timer = { { 0, 0 }, { 0, 100 * 1000 } };
    assert_int_equal(setitimer(ITIMER_REAL, &timer, NULL), 0);
    pthread_t drainer;
    assert_int_equal(pthread_create(&drainer, NULL, drain_backlog, &listener), 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d", ntohs(a.sin_port));
    lc_http_conn *conn = NULL;
    lambda_code rc = lc_http_conn_open(&conn, endpoint);
    pthread_join(drainer, NULL);
    sigaction(SIGALRM, &old, NULL);
    for (int i = 0; i < 2; i++)
        close(fillers[i]);
    close(listener);
    assert_int_equal(rc, LAMBDA_OK);
    lc_http_conn_close(conn);
}

static void test_bad_host_port(void **state)
{
    (void)state;
    char long_host[400];
    memset(long_host, 'h', 300);
    strcpy(long_host + 300, ":9001");
    const char *bad[] = { "",           "localhost", "127.0.0.1", ":9001",
                          "127.0.0.1:", "[::1]:",    ":",         long_host };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lc_http_conn *conn = (lc_http_conn *)&conn;
        lambda_code rc = lc_http_conn_open(&conn, bad[i]);
        if (rc != LAMBDA_E_CONFIG)
            fail_msg("\"%.40s\": %s, expected a configuration error", bad[i], lambda_strerror(rc));
        assert_null(conn);
    }
}

/*
 * Regression test (was a bug, now fixed): sdk/src/http_client.c lc_http_conn_open does not check the port: it hands the text after
 * the last ':' to getaddrinfo(AI_NUMERICSERV), and glibc accepts any decimal number and
 * truncates it to 16 bits. "127.0.0.1:<P+65536>" connects to port P (here: our server), and
 * "127.0.0.1:65536" to port 0. A non-numeric port ("127.0.0.1:http") gives
 * LAMBDA_E_CONNECT instead of LAMBDA_E_CONFIG. Fix: require 1..5 digits, value 1..65535,
 * else LAMBDA_E_CONFIG.
 */
static void test_port_out_of_range_is_config_error(void **state)
{
    (void)state;
    /* A listener (connections wait in its backlog: no thread needed). */
    int port = 0;
    int listener = ts_listen(0, &port);
    assert_true(listener >= 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d", port + 65536);
    lc_http_conn *conn = NULL;
    lambda_code rc = lc_http_conn_open(&conn, endpoint);
    lc_http_conn_close(conn);
    close(listener);
    assert_int_equal(rc, LAMBDA_E_CONFIG); /* today: LAMBDA_OK, connected to port */
    assert_int_equal(lc_http_conn_open(&conn, "127.0.0.1:65536"), LAMBDA_E_CONFIG);
    assert_int_equal(lc_http_conn_open(&conn, "127.0.0.1:http"), LAMBDA_E_CONFIG);
    assert_int_equal(lc_http_conn_open(&conn, "127.0.0.1:-1"), LAMBDA_E_CONFIG);
}

static void test_host_names_and_ipv6(void **state)
{
    fixture *f = *state;
    /* A name that resolves. */
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nname");
    start(f);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "localhost:%d", f->server.port);
    assert_int_equal(lc_http_conn_open(&f->conn, endpoint), LAMBDA_OK);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "name");
    finish(f);
    ts_request_free(&f->script.requests[0]);
    memset(&f->script, 0, sizeof f->script);

    /* IPv6 loopback in brackets (where the machine has one). */
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nipv6");
    if (ts_server_start_family(&f->server, ts_canned_script, &f->script, 1) != 0) {
        print_message("no IPv6 loopback here: the [::1] case is not run\n");
        return;
    }
    assert_int_equal(lc_http_conn_open(&f->conn, f->server.endpoint), LAMBDA_OK);
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    assert_string_equal(resp.body, "ipv6");
    finish(f);
}

/*
 * Regression test (was a bug, now fixed): sdk/src/http_client.c lc_http_conn_open (line "snprintf(conn->host, ..., "%.*s:%s", ...)")
 * drops the brackets of an IPv6 address: for "[::1]:9001" the request carries
 * "Host: ::1:9001", which is not a valid Host header (RFC 9110 7.2 / RFC 3986 IP-literal);
 * it must be "Host: [::1]:9001".
 */
static void test_ipv6_host_header_keeps_brackets(void **state)
{
    fixture *f = *state;
    add_step(f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    if (ts_server_start_family(&f->server, ts_canned_script, &f->script, 1) != 0)
        skip(); /* no IPv6 loopback here */
    assert_int_equal(lc_http_conn_open(&f->conn, f->server.endpoint), LAMBDA_OK);
    lc_http_response resp;
    assert_int_equal(get(f, "/", &resp), LAMBDA_OK);
    finish(f);
    char host[128];
    assert_non_null(ts_head_header(f->script.requests[0].head, "Host", host, sizeof host));
    assert_string_equal(host, f->server.endpoint);
}

int main(void)
{
    ts_watchdog(240);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_content_length_response),
        T(test_request_bodies),
        T(test_no_body_statuses),
        T(test_chunked_response),
        T(test_chunked_empty_and_one_byte_chunks),
        T(test_keep_alive_many_requests),
        T(test_fragmented_response),
        T(test_big_body_content_length),
        T(test_big_body_chunked),
        T(test_headers_case_insensitive_and_trimmed),
        T(test_closed_mid_body),
        T(test_send_on_closed_connection),
        T(test_malformed_status_lines),
        T(test_malformed_heads_and_framing),
        T(test_content_length_signs_refused),
        T(test_body_beyond_lambda_limit),
        T(test_oversized_head),
        T(test_headers_past_the_limit_are_refused),
        T(test_large_head_within_limit),
        T(test_large_request_head_sent_whole),
        T(test_header_injection_refused),
        T(test_trailer_injection_refused),
        T(test_invalid_arguments),
        T(test_invalid_arguments_on_open_connection),
        T(test_chunked_request),
        T(test_trim_releases_big_buffers),
        T(test_connect_to_closed_port),
        T(test_connect_interrupted_by_a_signal),
        T(test_bad_host_port),
        T(test_port_out_of_range_is_config_error),
        T(test_host_names_and_ipv6),
        T(test_ipv6_host_header_keeps_brackets),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
