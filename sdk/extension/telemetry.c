/*
 * sdk/extension/telemetry.c - the Telemetry API (2022-07-01): the subscription, and an HTTP
 * listener on its own thread that receives the batches.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct lambda_telemetry_listener {
    int fd;
    unsigned short port;
    lambda_telemetry_fn fn;
    void *user;
    atomic_int stopping;
    atomic_ulong batches;
    pthread_t thread;
};

static const char OK_ANSWER[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
static const char BAD_ANSWER[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* One connection: one POST of a batch, answered 200 (or 400 when malformed). The callback
 * runs before the answer: once the sender has its 200 the batch has been handed over, so a
 * stop that follows (on SHUTDOWN, which Lambda sends after its last telemetry) cannot lose
 * it. A batch read while the listener is being stopped is still handed over: stop waits. */
static void serve(lambda_telemetry_listener *l, int fd)
{
    lext_head head;
    char *body = NULL;
    size_t len = 0;
    lambda_code rc = lext_read_message(fd, 1, &head, &body, &len);
    int ok = rc == LAMBDA_OK && strcmp(head.method, "POST") == 0;
    if (ok) {
        l->fn(body, len, l->user);
        atomic_fetch_add(&l->batches, 1);
    }
    lext_write_all(fd, ok ? OK_ANSWER : BAD_ANSWER,
                   ok ? sizeof OK_ANSWER - 1 : sizeof BAD_ANSWER - 1);
    free(body);
}

static void *listen_loop(void *arg)
{
    lambda_telemetry_listener *l = arg;
    while (!atomic_load(&l->stopping)) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            break; /* shutdown() by lambda_telemetry_listener_stop, or a fatal error */
        }
        struct timeval tv = { .tv_sec = 10 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv); /* a stuck sender ends */
        serve(l, fd);
        close(fd);
    }
    return NULL;
}

/* The address to listen on: sandbox.localdomain's (the name Lambda's destinations use), as
 * the sandbox's /etc/hosts gives it; 127.0.0.1 otherwise. /etc/hosts is read directly so that
 * no DNS query can delay an extension's init. */
static struct in_addr listen_address(void)
{
    struct in_addr addr = { .s_addr = htonl(INADDR_LOOPBACK) };
    FILE *f = fopen("/etc/hosts", "re");
    if (!f)
        return addr;
    char line[512];
    for (int n = 0; n < 4096 && fgets(line, sizeof line, f); n++) {
        char *save = NULL, *ip = strtok_r(line, " \t\r\n", &save);
        if (!ip || ip[0] == '#')
            continue;
        for (char *name = strtok_r(NULL, " \t\r\n", &save); name && name[0] != '#';
             name = strtok_r(NULL, " \t\r\n", &save)) {
            struct in_addr found;
            if (strcmp(name, "sandbox.localdomain") == 0 && inet_pton(AF_INET, ip, &found) == 1) {
                fclose(f);
                return found;
            }
        }
    }
    fclose(f);
    return addr;
}

lambda_code lambda_telemetry_listener_start(unsigned short port, lambda_telemetry_fn fn, void *user,
                                            lambda_telemetry_listener **out)
{
    if (!fn || !out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    lambda_telemetry_listener *l = calloc(1, sizeof *l);
    if (!l)
        return LAMBDA_E_NO_MEMORY;
    l->fn = fn;
    l->user = user;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons(port),
                              .sin_addr = listen_address() };
    socklen_t sl = sizeof sa;
    int one = 1;
    if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(l->fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l->fd, 16) != 0 ||
        getsockname(l->fd, (struct sockaddr *)&sa, &sl) != 0) {
        if (l->fd >= 0)
            close(l->fd);
        free(l);
        return LAMBDA_E_CONNECT;
    }
    l->port = ntohs(sa.sin_port);
    if (pthread_create(&l->thread, NULL, listen_loop, l) != 0) {
        close(l->fd);
        free(l);
        return LAMBDA_E_NO_MEMORY;
    }
    *out = l;
    return LAMBDA_OK;
}

unsigned short lambda_telemetry_listener_port(const lambda_telemetry_listener *listener)
{
    return listener ? listener->port : 0;
}

unsigned long lambda_telemetry_listener_batches(const lambda_telemetry_listener *listener)
{
    return listener ? atomic_load(&((lambda_telemetry_listener *)listener)->batches) : 0;
}

void lambda_telemetry_listener_stop(lambda_telemetry_listener *listener)
{
    if (!listener)
        return;
    atomic_store(&listener->stopping, 1);
    shutdown(listener->fd, SHUT_RDWR); /* wakes accept() */
    pthread_join(listener->thread, NULL);
    close(listener->fd);
    free(listener);
}

lambda_code lambda_extension_telemetry_subscribe(lambda_extension *ext,
                                                 const lambda_telemetry_options *options,
                                                 unsigned short port)
{
    if (!ext || port == 0)
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_telemetry_options o = options ? *options : (lambda_telemetry_options){ 0 };
    unsigned types =
        o.types
            ? o.types
            : (LAMBDA_TELEMETRY_PLATFORM | LAMBDA_TELEMETRY_FUNCTION | LAMBDA_TELEMETRY_EXTENSION);
    char list[64] = "", body[512];
    static const char *const names[] = { "platform", "function", "extension" };
    for (int i = 0; i < 3; i++) {
        if (types & (1u << i)) {
            strcat(list, list[0] ? ",\"" : "\"");
            strcat(list, names[i]);
            strcat(list, "\"");
        }
    }
    int n = snprintf(
        body, sizeof body,
        "{\"schemaVersion\":\"2022-12-13\",\"types\":[%s],"
        "\"buffering\":{\"maxItems\":%d,\"maxBytes\":%d,\"timeoutMs\":%d},"
        "\"destination\":{\"protocol\":\"HTTP\",\"URI\":\"http://sandbox.localdomain:%u/\"}}",
        list, o.max_items ? o.max_items : 1000, o.max_bytes ? o.max_bytes : 262144,
        o.timeout_ms ? o.timeout_ms : 1000, (unsigned)port);
    if (n < 0 || (size_t)n >= sizeof body)
        return LAMBDA_E_INVALID_ARGUMENT;
    lext_response r;
    lambda_code rc = lext_call(ext, "PUT", "/2022-07-01/telemetry", NULL, body, (size_t)n, &r);
    if (rc == LAMBDA_OK)
        lext_response_free(&r);
    return rc;
}
