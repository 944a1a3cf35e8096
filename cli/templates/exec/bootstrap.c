/* @@NAME@@: a lambda-c function in executable mode. The zip holds this program as
 * /var/task/bootstrap, which Lambda runs instead of the layer's; the Handler setting is free
 * ("bootstrap"). lambda_run() is the layer's loop: it never returns while Lambda runs it.
 * {"name":"Ada"} -> {"message":"Hello, Ada, from @@NAME@@'s own main!"} */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

static int greet(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *name;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "%s",
                                         lambda_event_json_error(event));
    const char *who =
        json_object_object_get_ex(root, "name", &name) ? json_object_get_string(name) : "world";
    char text[512];
    snprintf(text, sizeof text, "Hello, %s, from @@NAME@@'s own main!", who);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "message", json_object_new_string(text));
    return lambda_response_set_json(response, answer);
}

int main(void)
{
    /* Set up here what every invocation shares (clients, caches): this runs once per environment. */
    return lambda_run(greet);
}
