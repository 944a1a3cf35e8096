/** @file
 * lambda-c/event.h - the event an invocation carries.
 *
 * A lambda_event is owned by the runtime and valid only during the handler
 * call it is passed to. Its bytes are exactly what the caller sent.
 */
#ifndef LAMBDA_C_EVENT_H
#define LAMBDA_C_EVENT_H

#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_event
    lambda_event; /**< The invocation's event: its bytes, and JSON parsed on demand. Owned by the runtime. */

/**
 * The event's bytes. *size (if size is not NULL) receives their count. The
 * bytes are followed by a NUL that is not counted, so a text event can be
 * used as a C string; binary events may contain NULs of their own.
 */
const void *lambda_event_data(const lambda_event *event, size_t *size);

/** The event's Content-Type; "application/json" when Lambda sent none. */
const char *lambda_event_content_type(const lambda_event *event);

/**
 * The event parsed as JSON, parsed on the first call only. On success *out
 * is the root value (which may be a JSON null, i.e. *out == NULL): the event
 * owns it, so do not json_object_put it; take your own reference with
 * json_object_get to keep any part of it past the invocation.
 * Returns LAMBDA_E_INVALID_JSON when the bytes are not exactly one JSON
 * document (RFC 8259: UTF-8, no NaN/Infinity, no raw control characters in
 * strings, arrays and objects nested at most 256 deep);
 * lambda_event_json_error then says where and why.
 * Bounded work: the tree of one event may take at most half of the function's
 * memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; json-c needs about 800 bytes per
 * object, 150 per array, 140 per member, 110 per scalar) and hold at most about
 * 3 million values (what 6 MB of JSON text can hold). Past that the answer is
 * LAMBDA_E_TOO_LARGE, counted before json-c allocates anything, instead of the
 * function being killed for memory. LAMBDA_E_NO_MEMORY: json-c could not
 * allocate the tree. Both are remembered for the invocation, with a text for
 * lambda_event_json_error.
 */
lambda_code lambda_event_json(lambda_event *event, struct json_object **out);

/** After LAMBDA_E_INVALID_JSON: a one-line description of the parse error; NULL otherwise. */
const char *lambda_event_json_error(const lambda_event *event);

#ifdef __cplusplus
}
#endif

#endif
