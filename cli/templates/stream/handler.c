/* @@NAME@@: streams its answer (Lambda's response streaming, up to 200 MB) as it is produced.
 * {"rows": 5} -> CSV "n,square\n0,0\n1,1\n..." (text/csv), written in 16 KB chunks.
 * Deploy it behind a Function URL with InvokeMode RESPONSE_STREAM (template.yaml). */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

lambda_handler_fn handler; /* the compiler checks the signature */

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *value;
    long rows = 10;
    if (lambda_event_json(event, &root) == LAMBDA_OK &&
        json_object_object_get_ex(root, "rows", &value))
        rows = (long)json_object_get_int64(value);
    if (rows < 0 || rows > 10000000)
        return lambda_response_set_error(response, "InvalidEvent",
                                         "rows must be 0..10000000, not %ld", rows);

    lambda_code rc = lambda_response_stream_begin(response, "text/csv");
    char buf[16 * 1024];
    size_t used = (size_t)snprintf(buf, sizeof buf, "n,square\n");
    for (long i = 0; rc == LAMBDA_OK && i < rows; i++) {
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%ld,%ld\n", i, i * i);
        if (sizeof buf - used < 64) { /* flush: the caller sees these rows now */
            rc = lambda_response_stream_write(response, buf, used);
            used = 0;
        }
    }
    if (rc == LAMBDA_OK)
        rc = lambda_response_stream_write(response, buf, used);
    /* An error after the first byte ends the stream with Lambda's error trailers. */
    return rc == LAMBDA_OK
               ? 0
               : lambda_response_set_error(response, "StreamError", "%s", lambda_strerror(rc));
}
