/*
 * hello-exec: executable mode. The function ships this program as its own
 * `bootstrap`; it links the layer's liblambda-c.so.1 and runs the loop itself.
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

lambda_handler_fn greet;

int greet(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *name;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    const char *who = "world";
    if (json_object_object_get_ex(root, "name", &name) &&
        json_object_is_type(name, json_type_string))
        who = json_object_get_string(name);
    char text[512];
    snprintf(text, sizeof text, "Hello, %s, from my own bootstrap!", who);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "message", json_object_new_string(text));
    return lambda_response_set_json(response, answer);
}

int main(void)
{
    return lambda_run(greet);
}
