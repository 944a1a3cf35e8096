/*
 * telemetry-recorder: an external Lambda extension written with liblambda-c-extension.
 *
 * It registers for INVOKE and SHUTDOWN, subscribes to the Telemetry API (platform, function
 * and extension events) and appends what it receives, one JSON object per line, to the file
 * named by TELEMETRY_RECORDER_FILE (default /tmp/telemetry-recorder.jsonl):
 *
 *     {"event":"INVOKE","requestId":"...","deadlineMs":...}
 *     {"telemetry":[{"time":"...","type":"platform.start","record":{...}}, ...]}
 *     {"event":"SHUTDOWN","reason":"spindown"}
 *
 * Layer layout (build/extension-layers/telemetry-recorder.zip): extensions/telemetry-recorder
 * and lib/liblambda-c-extension.so.1 (found through the RUNPATH $ORIGIN/../lib).
 */
#include <json-c/json.h>
#include <lambda-c/extension.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;

/* Appends one JSON line (takes ownership of doc). */
static void record(json_object *doc)
{
    pthread_mutex_lock(&out_lock);
    fprintf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    fflush(out);
    pthread_mutex_unlock(&out_lock);
    json_object_put(doc);
}

/* The listener thread: one call per telemetry batch. */
static void on_batch(const char *json, size_t len, void *user)
{
    (void)user;
    (void)len;
    json_object *batch = json_tokener_parse(json);
    if (!batch || !json_object_is_type(batch, json_type_array)) {
        fprintf(stderr, "telemetry-recorder: a batch that is not a JSON array\n");
        json_object_put(batch);
        return;
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "telemetry", batch);
    record(doc);
}

static void record_event(const lambda_extension_event *ev)
{
    json_object *doc = json_object_new_object();
    if (ev->type == LAMBDA_EXTENSION_EVENT_INVOKE) {
        json_object_object_add(doc, "event", json_object_new_string("INVOKE"));
        json_object_object_add(doc, "requestId", json_object_new_string(ev->request_id));
        json_object_object_add(doc, "invokedFunctionArn",
                               json_object_new_string(ev->invoked_function_arn));
        json_object_object_add(doc, "traceId", json_object_new_string(ev->trace_id));
    } else {
        json_object_object_add(doc, "event", json_object_new_string("SHUTDOWN"));
        json_object_object_add(doc, "reason", json_object_new_string(ev->shutdown_reason));
    }
    json_object_object_add(doc, "deadlineMs", json_object_new_int64(ev->deadline_ms));
    record(doc);
}

int main(void)
{
    const char *path = getenv("TELEMETRY_RECORDER_FILE");
    out = fopen(path && *path ? path : "/tmp/telemetry-recorder.jsonl", "a");
    if (!out) {
        perror("telemetry-recorder: cannot open its output file");
        return 1;
    }
    lambda_extension *ext;
    lambda_code rc =
        lambda_extension_register(NULL, LAMBDA_EXTENSION_INVOKE | LAMBDA_EXTENSION_SHUTDOWN, &ext);
    if (rc != LAMBDA_OK)
        return 1;
    lambda_telemetry_listener *listener = NULL;
    rc = lambda_telemetry_listener_start(0, on_batch, NULL, &listener);
    if (rc == LAMBDA_OK)
        rc = lambda_extension_telemetry_subscribe(ext, NULL,
                                                  lambda_telemetry_listener_port(listener));
    if (rc != LAMBDA_OK) {
        fprintf(stderr, "telemetry-recorder: no telemetry: %s\n", lambda_extension_error(ext));
        lambda_extension_init_error(ext, "Extension.TelemetryUnavailable",
                                    lambda_extension_error(ext));
        lambda_telemetry_listener_stop(listener);
        lambda_extension_free(ext);
        return 1;
    }
    printf("telemetry-recorder: registered for %s, telemetry on port %u\n",
           lambda_extension_function_name(ext), (unsigned)lambda_telemetry_listener_port(listener));
    fflush(stdout);
    for (;;) {
        lambda_extension_event ev;
        rc = lambda_extension_next(ext, &ev);
        if (rc != LAMBDA_OK) {
            fprintf(stderr, "telemetry-recorder: %s\n", lambda_extension_error(ext));
            break;
        }
        int shutdown = ev.type == LAMBDA_EXTENSION_EVENT_SHUTDOWN;
        if (shutdown)
            lambda_telemetry_listener_stop(listener); /* Lambda flushed telemetry before SHUTDOWN */
        record_event(&ev);
        lambda_extension_event_clear(&ev);
        if (shutdown) {
            listener = NULL;
            break;
        }
    }
    lambda_telemetry_listener_stop(listener);
    lambda_extension_free(ext);
    fclose(out);
    return rc == LAMBDA_OK ? 0 : 1;
}
