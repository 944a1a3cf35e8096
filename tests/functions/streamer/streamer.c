/*
 * Streaming behaviours for the tests. Event fields:
 *   "chunks": N, "chunk": "text", "pause_ms": M   write N chunks, pausing M ms between them
 *   "fail_after": K                                  set an error after K chunks (mid-stream)
 *   "fail_before": true                              set an error before writing anything
 *   "http": true                                     HTTP integration prelude (status 201, headers, cookies)
 *   "wait_for_file": "/path"                         after the first chunk, wait (up to 20 s) until the
 *                                                    file exists: proves the caller got chunk 1 while
 *                                                    the handler was still running
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

lambda_handler_fn handler;

static long get_int(json_object *root, const char *key, long fallback)
{
    json_object *v;
    return json_object_object_get_ex(root, key, &v) ? (long)json_object_get_int64(v) : fallback;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root = NULL, *v;
    lambda_event_json(event, &root);
    long chunks = get_int(root, "chunks", 3);
    long pause_ms = get_int(root, "pause_ms", 0);
    long fail_after = get_int(root, "fail_after", -1);
    const char *chunk =
        json_object_object_get_ex(root, "chunk", &v) ? json_object_get_string(v) : "chunk\n";
    if (json_object_object_get_ex(root, "http", &v) && json_object_get_boolean(v)) {
        json_object *headers = json_object_new_object();
        json_object_object_add(headers, "x-custom", json_object_new_string("yes"));
        json_object *cookies = json_object_new_array();
        json_object_array_add(cookies, json_object_new_string("a=1; Path=/"));
        lambda_response_stream_begin_http(response, 201, headers, cookies);
        json_object_put(headers);
        json_object_put(cookies);
    } else {
        lambda_response_stream_begin(response, "text/plain");
    }
    if (json_object_object_get_ex(root, "fail_before", &v) && json_object_get_boolean(v))
        return lambda_response_set_error(response, "EarlyFailure", "failed before the first byte");
    for (long i = 0; i < chunks; i++) {
        if (i == fail_after)
            return lambda_response_set_error(response, "MidStreamFailure",
                                             "failed after %ld chunks", i);
        if (lambda_response_stream_write(response, chunk, strlen(chunk)) != LAMBDA_OK)
            return 1;
        if (i == 0 && json_object_object_get_ex(root, "wait_for_file", &v)) {
            const char *path = json_object_get_string(v);
            for (int tries = 0; tries < 2000 && access(path, F_OK) != 0; tries++) {
                struct timespec ts = { 0, 10 * 1000000L };
                nanosleep(&ts, NULL);
            }
            if (access(path, F_OK) != 0)
                return lambda_response_set_error(response, "NotStreamed",
                                                 "the caller never saw the first chunk");
        }
        if (pause_ms > 0) {
            struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}
