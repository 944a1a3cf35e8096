/* Sleeps for the event's "seconds" (default 60), then answers: the timeout test. */
#include <json-c/json.h>
#include <lambda-c.h>
#include <time.h>

lambda_handler_fn handler;

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *seconds;
    double wait = 60;
    if (lambda_event_json(event, &root) == LAMBDA_OK &&
        json_object_object_get_ex(root, "seconds", &seconds))
        wait = json_object_get_double(seconds);
    struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
    while (nanosleep(&ts, &ts) != 0)
        ;
    return lambda_response_set_json(response, json_object_new_string("awake"));
}
