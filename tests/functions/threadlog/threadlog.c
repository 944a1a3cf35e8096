/*
 * Logs from a thread it starts, once attached to the invocation (lambda_log_attach) and once
 * not, then answers "done". The test reads both records' request ids.
 */
#include <lambda-c.h>
#include <pthread.h>

lambda_handler_fn handler;

static void *attached(void *arg)
{
    lambda_log_attach(arg);
    lambda_log_info("from an attached thread");
    lambda_log_attach(NULL);
    lambda_log_info("from the same thread, detached");
    return NULL;
}

static void *unattached(void *arg)
{
    (void)arg;
    lambda_log_info("from an unattached thread");
    return NULL;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)event;
    pthread_t t;
    if (pthread_create(&t, NULL, attached, (void *)ctx) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, unattached, NULL) != 0 || pthread_join(t, NULL) != 0)
        return lambda_response_set_error(response, "ThreadError", "could not run the threads");
    return lambda_response_set_body(response, "\"done\"", 6, NULL);
}
