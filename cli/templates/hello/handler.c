/* @@NAME@@: a lambda-c function. Handler setting: @@NAME@@.handler (symbol handler in @@NAME@@.so).
 * {"name":"Ada"} -> {"message":"Hello, Ada, from @@NAME@@!"} */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

lambda_handler_fn handler; /* the compiler checks the signature */

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *root, *name;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    const char *who = "world";
    if (json_object_object_get_ex(root, "name", &name) &&
        json_object_is_type(name, json_type_string))
        who = json_object_get_string(name);

    char text[512];
    snprintf(text, sizeof text, "Hello, %s, from @@NAME@@!", who);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "message", json_object_new_string(text));
    lambda_log_info("answered %s (request %s)", who, lambda_context_request_id(ctx));
    return lambda_response_set_json(response, answer); /* takes ownership of answer */
}
