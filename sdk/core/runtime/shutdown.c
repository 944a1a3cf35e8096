/*
 * Graceful shutdown. Lambda sends SIGTERM before ending an execution
 * environment only when an extension is registered; so we register an
 * internal extension that subscribes to no events (it costs one request at
 * init and one parked request), and a thread waits for SIGTERM with sigwait,
 * runs the hook outside signal context, and ends the process.
 */
#include "core/api/extension_api.h"
#include "lambda-c/log.h"
#include "lambda-c/runtime.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXTENSION_NAME "lambda-c-shutdown"

static lambda_function_shutdown_fn *shutdown_hook;
static lc_http_conn *extension_conn;
static char extension_id[LC_EXTENSION_ID_SIZE];

static void *signal_thread(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    lambda_log_info("received SIGTERM: running the shutdown hook");
    shutdown_hook();
    fflush(NULL);
    _exit(0);
    return NULL;
}

/* Parks on /extension/event/next: Lambda expects a registered extension to ask for events. */
static void *extension_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 16; i++) { /* no events are subscribed: a return is unusual */
        lc_http_response resp;
        if (lc_extension_api_next(extension_conn, extension_id, &resp) != LAMBDA_OK)
            break;
    }
    return NULL;
}

lambda_code lambda_runtime_on_shutdown(lambda_function_shutdown_fn *hook)
{
    if (!hook)
        return LAMBDA_E_INVALID_ARGUMENT;
    if (shutdown_hook)
        return LAMBDA_E_STATE;
    const char *endpoint = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!endpoint || !*endpoint)
        return LAMBDA_E_CONFIG;
    lambda_code rc = lc_http_conn_open(&extension_conn, endpoint);
    if (rc)
        return rc;
    rc = lc_extension_api_register(extension_conn, EXTENSION_NAME, "{\"events\":[]}", extension_id);
    if (rc) {
        lambda_log_warn("could not register the shutdown extension (%s): no graceful shutdown",
                        lambda_strerror(rc));
        lc_http_conn_close(extension_conn);
        extension_conn = NULL;
        return rc;
    }

    /* Every thread started from here on inherits the blocked SIGTERM; only sigwait takes it. */
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    shutdown_hook = hook;
    pthread_t t;
    if (pthread_create(&t, NULL, signal_thread, &set) != 0 ||
        pthread_create(&t, NULL, extension_thread, NULL) != 0) {
        lambda_log_warn("could not start the shutdown threads: no graceful shutdown");
        return LAMBDA_E_NO_MEMORY;
    }
    return LAMBDA_OK;
}
