/* hello: JSON in, JSON out. {"name":"Ada"} -> {"message":"Hello, Ada!"} */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

/* Declaring it with the SDK's type makes the compiler check the signature. */
lambda_handler_fn handler;

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

    json_object *answer = json_object_new_object();
    char text[512];
    snprintf(text, sizeof text, "Hello, %s!", who);
    json_object_object_add(answer, "message", json_object_new_string(text));
    lambda_log_info("greeted %s (request %s)", who, lambda_context_request_id(ctx));
    return lambda_response_set_json(response, answer);
}
