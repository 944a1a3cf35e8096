/*
 * The Runtime API client's response parser (core/transport/http.c) over any bytes a peer
 * may send: a loopback server writes the input as the answer to GET /next. Invariants: a
 * success has a status of 100-999, at most LC_HTTP_MAX_HEADERS headers, a NUL-terminated
 * body no larger than Lambda's payload limit; the work is linear in the answer.
 */
#include "fuzz_support.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/transport/http.h"
#include "util/limits.h"

static int listener = -1;
static char host_port[64];

static void start_listener(void)
{
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listener, 4) != 0 || getsockname(listener, (struct sockaddr *)&a, &len) != 0)
        abort();
    snprintf(host_port, sizeof host_port, "127.0.0.1:%d", ntohs(a.sin_port));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    if (listener < 0)
        start_listener();
    lc_http_conn *conn;
    lambda_code rc_open = lc_http_conn_open(&conn, host_port);
    if (rc_open != LAMBDA_OK) {
        fprintf(stderr, "connect: %s (errno %d)\n", lambda_strerror(rc_open), errno);
        abort();
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0)
        abort();
    int big = 1 << 20;
    setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    for (size_t off = 0; off < size;) {
        ssize_t n = write(peer, data + off, size - off);
        if (n <= 0)
            abort();
        off += (size_t)n;
    }
    shutdown(peer, SHUT_WR); /* the answer ends here */
    lc_http_response resp;
    uint64_t start = fz_work();
    lambda_code rc = lc_http_request(conn, "GET", "/2018-06-01/runtime/invocation/next", NULL, 0,
                                     NULL, 0, &resp);
    fz_linear("lc_http_request (reading the answer)", fz_work() - start, size, 20000, 40, 0);
    if (rc == LAMBDA_OK) {
        FZ_CHECK(resp.status >= 100 && resp.status <= 999);
        FZ_CHECK(resp.header_count <= LC_HTTP_MAX_HEADERS);
        FZ_CHECK(resp.body_size <= LC_LIMIT_API_BODY_BYTES && resp.body_size <= size);
        FZ_CHECK(resp.body[resp.body_size] == '\0');
        for (size_t i = 0; i < resp.header_count; i++)
            FZ_CHECK(resp.headers[i].name[0] != '\0');
    } else {
        FZ_CHECK(rc == LAMBDA_E_PROTOCOL || rc == LAMBDA_E_TOO_LARGE ||
                 rc == LAMBDA_E_CONNECTION_CLOSED || rc == LAMBDA_E_IO);
    }
    /* The server side first, abortively (RST): no socket is left in TIME_WAIT, which at a
     * thousand connections a second used up the loopback's ephemeral ports in minutes. */
    struct linger abort_close = { 1, 0 };
    setsockopt(peer, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
    close(peer);
    lc_http_conn_close(conn);
    return 0;
}
