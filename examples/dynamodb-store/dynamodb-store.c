/*
 * dynamodb-store: stores the event in a DynamoDB table and reads the item back.
 *
 *   environment: TABLE (required; its partition key is the string attribute "id")
 *   event:       any JSON; its "id" (a string) names the item, else the request id does
 *   answer:      {"table":..., "id":..., "item": <the item as stored, attribute-value form>}
 *
 * The item is {"id": S, "event": S (the event's JSON text), "received_ms": N}.
 * Link with -llambda-c-aws (liblambda-c-aws.so.1 is in the layer).
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/aws_dynamodb.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

lambda_handler_fn handler;
lambda_function_init_fn lambda_function_init;

static lambda_aws_client *aws;

int lambda_function_init(void)
{
    if (!getenv("TABLE") || !*getenv("TABLE")) {
        lambda_log_error("dynamodb-store: set TABLE");
        return 1;
    }
    if (lambda_aws_client_new(NULL, &aws) != LAMBDA_OK) {
        lambda_log_error("dynamodb-store: %s", lambda_aws_last_error());
        return 1;
    }
    return 0;
}

/* {"<type>": value} */
static json_object *attr(const char *type, json_object *value)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, type, value);
    return a;
}

static int aws_error(lambda_response *response, const char *what)
{
    const char *code = lambda_aws_last_error_code();
    return lambda_response_set_error(response, code ? code : "DynamoDBError", "%s: %s", what,
                                     lambda_aws_last_error());
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *root, *id_field;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    const char *id = lambda_context_request_id(ctx);
    if (json_object_is_type(root, json_type_object) &&
        json_object_object_get_ex(root, "id", &id_field) &&
        json_object_is_type(id_field, json_type_string))
        id = json_object_get_string(id_field);
    const char *table = getenv("TABLE");
    int64_t deadline = lambda_context_deadline_ms(ctx);
    if (deadline)
        deadline -= 300;

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char ms[32];
    snprintf(ms, sizeof ms, "%lld", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    size_t len = 0;
    const char *text = lambda_event_data(event, &len);

    json_object *item = json_object_new_object();
    json_object_object_add(item, "id", attr("S", json_object_new_string(id)));
    json_object_object_add(item, "event", attr("S", json_object_new_string_len(text, (int)len)));
    json_object_object_add(item, "received_ms", attr("N", json_object_new_string(ms)));
    lambda_code rc = lambda_aws_dynamodb_put_item(aws, table, item, deadline);
    json_object_put(item);
    if (rc != LAMBDA_OK)
        return aws_error(response, "PutItem");

    json_object *key = json_object_new_object();
    json_object_object_add(key, "id", attr("S", json_object_new_string(id)));
    json_object *stored = NULL;
    rc = lambda_aws_dynamodb_get_item(aws, table, key, 1, deadline, &stored);
    json_object_put(key);
    if (rc != LAMBDA_OK)
        return aws_error(response, "GetItem");

    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "table", json_object_new_string(table));
    json_object_object_add(answer, "id", json_object_new_string(id));
    json_object_object_add(answer, "item", stored);
    lambda_log_info("stored item %s in %s", id, table);
    return lambda_response_set_json(response, answer);
}
