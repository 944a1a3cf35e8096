/*
 * stream-csv: streams a generated CSV (default 100,000 rows) as it is produced, in
 * constant memory: one small buffer, flushed to the caller every 64 KB.
 * Event: {"rows": N}
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *rows_value;
    long rows = 100000;
    if (lambda_event_json(event, &root) == LAMBDA_OK &&
        json_object_object_get_ex(root, "rows", &rows_value))
        rows = (long)json_object_get_int64(rows_value);

    lambda_code rc = lambda_response_stream_begin(response, "text/csv");
    if (rc)
        return lambda_response_set_error(response, "StreamError", "%s", lambda_strerror(rc));

    char buf[64 * 1024];
    size_t used = (size_t)snprintf(buf, sizeof buf, "id,square,label\n");
    for (long i = 0; i < rows; i++) {
        if (sizeof buf - used < 128) {
            if ((rc = lambda_response_stream_write(response, buf, used)) != LAMBDA_OK)
                return lambda_response_set_error(response, "StreamError", "%s",
                                                 lambda_strerror(rc));
            used = 0;
        }
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%ld,%ld,row-%ld\n", i, i * i, i);
    }
    rc = lambda_response_stream_write(response, buf, used);
    return rc ? lambda_response_set_error(response, "StreamError", "%s", lambda_strerror(rc)) : 0;
}
