/** @file
 * lambda-c/extension.h - writing Lambda external extensions in C.
 *
 * Library: liblambda-c-extension.so.1 (link -llambda-c-extension; it needs libc only, json-c
 * is inside it, private; not liblambda-c). An external extension is an executable in
 * /opt/extensions/ (the extensions/ folder of a layer). Lambda starts it before the runtime; it registers, then
 * loops on lambda_extension_next() until it receives SHUTDOWN:
 *
 *     lambda_extension *ext;
 *     if (lambda_extension_register(NULL, LAMBDA_EXTENSION_INVOKE | LAMBDA_EXTENSION_SHUTDOWN, &ext))
 *         return 1;
 *     for (;;) {
 *         lambda_extension_event ev;
 *         if (lambda_extension_next(ext, &ev) != LAMBDA_OK)
 *             break;
 *         int done = ev.type == LAMBDA_EXTENSION_SHUTDOWN;
 *         ... use ev.request_id, ev.deadline_ms ...
 *         lambda_extension_event_clear(&ev);
 *         if (done)
 *             break;
 *     }
 *     lambda_extension_free(ext);
 *
 * The Telemetry API delivers platform, function and extension events to an HTTP listener of
 * the extension: lambda_telemetry_listener_start() runs one on its own thread and hands every
 * batch (a JSON array) to a callback; lambda_extension_telemetry_subscribe() asks Lambda to
 * send there. Subscribe during init, before the first lambda_extension_next().
 *
 * Errors: every call that can fail returns a lambda_code (lambda-c/error.h; LAMBDA_OK is 0).
 * LAMBDA_E_CONFIG: AWS_LAMBDA_RUNTIME_API is not set (not running under Lambda);
 * LAMBDA_E_CONNECT/IO/CONNECTION_CLOSED/PROTOCOL: the API could not be reached or answered
 * malformed HTTP; LAMBDA_E_HTTP_STATUS: it refused the call, lambda_extension_error() then
 * holds its errorType and errorMessage. lambda_extension_error() always describes the last
 * failure of a call on that extension.
 *
 * Thread safety: a lambda_extension is used by one thread at a time (Lambda itself allows one
 * /event/next at a time per extension). The telemetry callback runs on the listener's thread,
 * one batch at a time; share data with the main thread under your own lock.
 */
#ifndef LAMBDA_C_EXTENSION_H
#define LAMBDA_C_EXTENSION_H

#include <lambda-c/error.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The events an extension registers for (a bit set). */
enum { LAMBDA_EXTENSION_INVOKE = 1u << 0, LAMBDA_EXTENSION_SHUTDOWN = 1u << 1 };

/** A registered external extension (opaque; lambda_extension_register). */
typedef struct lambda_extension lambda_extension;

/** The kind of an event from lambda_extension_next(). */
typedef enum lambda_extension_event_type {
    LAMBDA_EXTENSION_EVENT_INVOKE = 1,  /**< an invocation started */
    LAMBDA_EXTENSION_EVENT_SHUTDOWN = 2 /**< the execution environment is ending */
} lambda_extension_event_type;

/** One event from lambda_extension_next(). Every string is owned by the event, valid until
 * lambda_extension_event_clear(), and never NULL (empty when the event has no such field). */
typedef struct lambda_extension_event {
    lambda_extension_event_type type; /**< INVOKE or SHUTDOWN */
    long long deadline_ms;            /**< Unix epoch milliseconds */
    const char *request_id;           /**< INVOKE */
    const char *invoked_function_arn; /**< INVOKE */
    const char *trace_id;             /**< INVOKE: the X-Ray trace header value */
    const char *shutdown_reason;      /**< SHUTDOWN: spindown, timeout or failure */
    const char *json;                 /**< the whole event as Lambda sent it */
    void *priv_;                      /**< internal */
} lambda_extension_event;

/** Registers with the Extensions API for events (LAMBDA_EXTENSION_* bits). name: the
 * extension's name, which Lambda requires to be its file name; NULL takes the program's
 * file name. On LAMBDA_OK *out is a new extension the caller owns (lambda_extension_free);
 * on failure *out is NULL. */
lambda_code lambda_extension_register(const char *name, unsigned events, lambda_extension **out);

/** Waits for the next event (blocks until Lambda sends one). On LAMBDA_OK *event must later be
 * given to lambda_extension_event_clear(). LAMBDA_E_PROTOCOL: the event was not the JSON
 * expected. */
lambda_code lambda_extension_next(lambda_extension *ext, lambda_extension_event *event);

/** Frees what an event owns and zeroes it; safe on a zeroed event. */
void lambda_extension_event_clear(lambda_extension_event *event);

/** Reports a failed initialization (init fails; exit the process afterwards) or the reason
 * for exiting. error_type: "Extension.Category" (e.g. "Extension.ConfigInvalid"); message
 * may be NULL. */
lambda_code lambda_extension_init_error(lambda_extension *ext, const char *error_type,
                                        const char *message);
/** As lambda_extension_init_error, for an extension that is about to exit after init. */
lambda_code lambda_extension_exit_error(lambda_extension *ext, const char *error_type,
                                        const char *message);

/** What Lambda told the extension at registration; owned by ext, never NULL. */
const char *lambda_extension_identifier(const lambda_extension *ext);
/** The function's name, from the registration answer; owned by ext. */
const char *lambda_extension_function_name(const lambda_extension *ext);
/** The function's version, from the registration answer; owned by ext. */
const char *lambda_extension_function_version(const lambda_extension *ext);
/** The function's Handler setting, from the registration answer; owned by ext. */
const char *lambda_extension_handler(const lambda_extension *ext);

/** The last failure of a call on ext (or "" when none); owned by ext. */
const char *lambda_extension_error(const lambda_extension *ext);

/** Frees ext; NULL is ignored. */
void lambda_extension_free(lambda_extension *ext);

/* ---- Telemetry API */

/** The telemetry streams to subscribe to (a bit set). */
enum {
    LAMBDA_TELEMETRY_PLATFORM = 1u << 0,
    LAMBDA_TELEMETRY_FUNCTION = 1u << 1,
    LAMBDA_TELEMETRY_EXTENSION = 1u << 2
};

/** Buffering of a subscription; 0 takes Lambda's default. Lambda's ranges: max_items
 * 1,000-10,000 (default 1,000), max_bytes 262,144-1,048,576 (default 262,144), timeout_ms
 * 25-30,000 (default 1,000); values outside them are refused by Lambda (LAMBDA_E_HTTP_STATUS). */
typedef struct lambda_telemetry_options {
    unsigned types; /**< LAMBDA_TELEMETRY_* bits; 0 means all three */
    int max_items;  /**< events per batch */
    int max_bytes;  /**< bytes per batch */
    int timeout_ms; /**< longest wait before a batch is sent */
} lambda_telemetry_options;

/** Called for every batch Lambda delivers: json is a NUL-terminated JSON array of events
 * ({"time", "type", "record"}), valid during the call only. Runs on the listener thread;
 * the batch is answered when it returns (so Lambda's SHUTDOWN, which follows the answer to the
 * last batch, comes after the callback has seen every batch). */
typedef void (*lambda_telemetry_fn)(const char *json, size_t len, void *user);

/** A telemetry HTTP listener running on its own thread (opaque). */
typedef struct lambda_telemetry_listener lambda_telemetry_listener;

/** Starts an HTTP listener for telemetry on its own thread, on port (0: any free port) of
 * sandbox.localdomain's address in /etc/hosts (127.0.0.1 when it has none). On
 * LAMBDA_OK *out is owned by the caller (lambda_telemetry_listener_stop). */
lambda_code lambda_telemetry_listener_start(unsigned short port, lambda_telemetry_fn fn, void *user,
                                            lambda_telemetry_listener **out);

/** The port the listener accepts on. */
unsigned short lambda_telemetry_listener_port(const lambda_telemetry_listener *listener);

/** The number of batches delivered to the callback so far (any thread). */
unsigned long lambda_telemetry_listener_batches(const lambda_telemetry_listener *listener);

/** Stops the listener, waits for its thread and frees it; NULL is ignored. The callback is
 * not called after this returns. */
void lambda_telemetry_listener_stop(lambda_telemetry_listener *listener);

/** Subscribes ext to the Telemetry API with destination http://sandbox.localdomain:PORT/.
 * options may be NULL (all streams, default buffering). */
lambda_code lambda_extension_telemetry_subscribe(lambda_extension *ext,
                                                 const lambda_telemetry_options *options,
                                                 unsigned short port);

#ifdef __cplusplus
}
#endif

#endif
