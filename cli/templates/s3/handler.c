/* @@NAME@@: reacts to S3 event notifications (object created, removed, ...).
 * Answers what it saw: {"objects":[{"event":"ObjectCreated:Put","bucket":"...","key":"...","size":N}]}
 * Keys arrive URL-encoded in the event; lambda_s3_record_object_key decodes them. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_s3.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root;
    lambda_s3_event *s3;
    if (lambda_event_json(event, &root) != LAMBDA_OK ||
        lambda_s3_event_parse(root, &s3) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an S3 event notification");
    json_object *objects = json_object_new_array();
    for (size_t i = 0; i < lambda_s3_event_count(s3); i++) {
        const lambda_s3_record *r = lambda_s3_event_record(s3, i);
        const char *key;
        size_t key_len;
        if (lambda_s3_record_object_key(r, &key, &key_len) != LAMBDA_OK)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "event", json_object_new_string(lambda_s3_record_event_name(r)));
        json_object_object_add(o, "bucket",
                               json_object_new_string(lambda_s3_record_bucket_name(r)));
        json_object_object_add(o, "key", json_object_new_string_len(key, (int)key_len));
        json_object_object_add(o, "size", json_object_new_int64(lambda_s3_record_object_size(r)));
        json_object_array_add(objects, o);
        lambda_log_info("%s s3://%s/%.*s", lambda_s3_record_event_name(r),
                        lambda_s3_record_bucket_name(r), (int)key_len, key);
    }
    lambda_s3_event_free(s3);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "objects", objects);
    return lambda_response_set_json(response, answer);
}
