/*
 * limits.h - every bound the SDK puts on untrusted input, in one place, each with the
 * Lambda limit it follows. Events come from callers (API Gateway requests from the
 * internet), so every parser stops at these bounds with a clear error instead of using
 * memory or time without limit. The public headers that users read (event.h,
 * event_http.h, the "Records" families) repeat the figures that concern them.
 */
#ifndef LAMBDA_C_LIMITS_H
#define LAMBDA_C_LIMITS_H

/* ---------------------------------------------------------------- Runtime API */

/*
 * The largest body the runtime accepts from the Runtime API (an event from /next): Lambda's
 * synchronous payload limit of 6 MB, as the Runtime Interface Emulator counts it (6 MiB +
 * 100 bytes). Asynchronous events (1 MB) are smaller. A larger Content-Length (or a chunked
 * body growing past it) is refused before any memory is reserved for it.
 */
#define LC_LIMIT_API_BODY_BYTES (6ull * 1024 * 1024 + 100)

/* Response headers per Runtime API answer, more is a protocol error (Lambda sends about a
 * dozen: request id, deadline, ARN, trace id, client context, identity, tenant, invocation
 * id, content type and length). */
#define LC_LIMIT_API_HEADERS 64

/* The largest response head (status line and headers) read from the Runtime API. */
#define LC_LIMIT_API_HEAD_BYTES (64 * 1024)

/*
 * How many /next answers in a row without Lambda-Runtime-Aws-Request-Id the loop tolerates
 * (each reported, with a growing pause between them) before it exits: Lambda's contract lets
 * a runtime exit on a Runtime API it cannot work with; a new environment then starts.
 */
#define LC_LIMIT_NEXT_WITHOUT_ID 5
/* The first pause after such an answer, doubled each time (10, 20, 40, 80 ms). */
#define LC_NEXT_BACKOFF_FIRST_MS 10

/* ---------------------------------------------------------------- event JSON */

/* How deep arrays and objects may nest in an event (json-c's own default is 32). */
#define LC_LIMIT_EVENT_DEPTH 256

/*
 * The JSON values (objects, arrays, members, scalars) an event may hold: every value takes
 * at least two bytes of text ("1,"), so a 6 MB event holds at most about 3 million.
 */
#define LC_LIMIT_EVENT_NODES (LC_LIMIT_API_BODY_BYTES / 2)

/*
 * What json-c 0.16 allocates per value when it builds the tree, measured with
 * mallinfo2 over 100,000 values of each kind (x86_64 glibc, bytes, chunk overhead
 * included): an empty object 784 (its hash table), an empty array 152, a member 128 (key
 * copy and table entry, with the table's growth), a scalar 72 to 104 (a double), an array
 * element slot 8 (16 with growth). The budget below uses these rounded up, plus one byte per
 * byte of text (string contents are copied).
 */
#define LC_JSON_COST_OBJECT 800
#define LC_JSON_COST_ARRAY 160
#define LC_JSON_COST_MEMBER 144
#define LC_JSON_COST_SCALAR 112
#define LC_JSON_COST_ELEMENT 16

/*
 * The share of the function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB) the tree of one
 * event may take: a half, so that a 128 MB function refuses a 6 MB event of empty objects
 * (1.6 GB as a tree) with an error instead of being killed for memory. Without the variable
 * (outside Lambda) Lambda's largest memory size, 10,240 MB, is assumed.
 */
#define LC_EVENT_MEMORY_SHARE_DIVISOR 2
#define LC_LAMBDA_MAX_MEMORY_MB 10240

/* ---------------------------------------------------------------- event bindings */

/*
 * Records in one "Records" event (SQS, Kinesis, DynamoDB streams, S3, SNS): Lambda's largest
 * batch size is 10,000 (SQS standard queues, Kinesis, DynamoDB streams).
 */
#define LC_LIMIT_EVENT_RECORDS 10000

#endif
