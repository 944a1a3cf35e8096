/*
 * sdk/aws/services.c - the JSON 1.0 services (DynamoDB, SQS) and Lambda Invoke.
 */
#include "aws/client_internal.h"
#include "util/json_check.h"

#include <stdio.h>
#include <string.h>

#include <json.h>

#include "lambda-c/aws_dynamodb.h"
#include "lambda-c/aws_sqs.h"
#include "lambda-c/aws_lambda.h"

/* POST / of a JSON 1.0 request: target "Prefix.Operation", input serialized. */
static lambda_code json10_call(lambda_aws_client *c, const char *service, const char *target,
                               json_object *input, int64_t deadline_ms, json_object **output)
{
    if (output)
        *output = NULL;
    if (!c || !input || !json_object_is_type(input, json_type_object))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "%s: NULL client or input not a JSON object",
                       service);
    size_t len = 0;
    const char *body = json_object_to_json_string_length(input, JSON_C_TO_STRING_PLAIN, &len);
    if (!body)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    lambda_aws_header hdrs[2] = { { "Content-Type", "application/x-amz-json-1.0" },
                                  { "X-Amz-Target", target } };
    lambda_aws_request req;
    memset(&req, 0, sizeof req);
    req.service = service;
    req.method = "POST";
    req.path = "/";
    req.headers = hdrs;
    req.header_count = 2;
    req.body = body;
    req.body_len = len;
    req.deadline_ms = deadline_ms;
    lambda_aws_response *r = NULL;
    lambda_code rc = lambda_aws_client_send(c, &req, &r);
    if (rc == LAMBDA_OK && output) {
        size_t blen = 0;
        const char *b = lambda_aws_response_body(r, &blen);
        json_object *o = NULL;
        lc_json_result parsed = lc_json_parse_document(b, blen, &o);
        if (parsed == LC_JSON_NO_MEMORY)
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "%s %s: out of memory", service, target);
        else if (parsed != LC_JSON_PARSED || !o)
            rc = lc_fail(LAMBDA_E_INVALID_JSON, "%s %s: the answer is not JSON", service, target);
        else
            *output = o;
    }
    lambda_aws_response_free(r);
    return rc;
}

lambda_code lambda_aws_dynamodb_call(lambda_aws_client *c, const char *operation,
                                     json_object *input, int64_t deadline_ms, json_object **output)
{
    if (!operation || !*operation || strlen(operation) > 64) {
        if (output)
            *output = NULL;
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "dynamodb: missing operation");
    }
    char target[96];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", operation);
    return json10_call(c, "dynamodb", target, input, deadline_ms, output);
}

/* A new object {"TableName": table} or NULL. */
static json_object *with_table(const char *table)
{
    json_object *o = json_object_new_object();
    if (o)
        json_object_object_add(o, "TableName", json_object_new_string(table));
    return o;
}

lambda_code lambda_aws_dynamodb_get_item(lambda_aws_client *c, const char *table, json_object *key,
                                         int consistent, int64_t deadline_ms, json_object **item)
{
    if (item)
        *item = NULL;
    if (!c || !table || !*table || !key || !item)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "dynamodb_get_item: NULL argument");
    json_object *in = with_table(table);
    if (!in)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    json_object_object_add(in, "Key", json_object_get(key));
    if (consistent)
        json_object_object_add(in, "ConsistentRead", json_object_new_boolean(1));
    json_object *outp = NULL;
    lambda_code rc = lambda_aws_dynamodb_call(c, "GetItem", in, deadline_ms, &outp);
    json_object_put(in);
    if (rc)
        return rc;
    json_object *it;
    if (json_object_object_get_ex(outp, "Item", &it) && json_object_is_type(it, json_type_object)) {
        *item = json_object_get(it);
    } else {
        rc = lc_fail(LAMBDA_E_NOT_FOUND, "dynamodb_get_item: no such item in %s", table);
    }
    json_object_put(outp);
    return rc;
}

lambda_code lambda_aws_dynamodb_put_item(lambda_aws_client *c, const char *table, json_object *item,
                                         int64_t deadline_ms)
{
    if (!c || !table || !*table || !item)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "dynamodb_put_item: NULL argument");
    json_object *in = with_table(table);
    if (!in)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    json_object_object_add(in, "Item", json_object_get(item));
    lambda_code rc = lambda_aws_dynamodb_call(c, "PutItem", in, deadline_ms, NULL);
    json_object_put(in);
    return rc;
}

lambda_code lambda_aws_dynamodb_query(lambda_aws_client *c, const char *table, const char *index,
                                      const char *key_condition, json_object *values,
                                      int64_t deadline_ms, json_object **output)
{
    if (output)
        *output = NULL;
    if (!c || !table || !*table || !key_condition || !output)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "dynamodb_query: NULL argument");
    json_object *in = with_table(table);
    if (!in)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    if (index)
        json_object_object_add(in, "IndexName", json_object_new_string(index));
    json_object_object_add(in, "KeyConditionExpression", json_object_new_string(key_condition));
    if (values)
        json_object_object_add(in, "ExpressionAttributeValues", json_object_get(values));
    lambda_code rc = lambda_aws_dynamodb_call(c, "Query", in, deadline_ms, output);
    json_object_put(in);
    return rc;
}

/* ------------------------------------------------------------------ SQS (JSON 1.0 too) */

lambda_code lambda_aws_sqs_send_message(lambda_aws_client *c, const char *queue_url,
                                        const char *body, const char *group_id, int64_t deadline_ms,
                                        char **message_id)
{
    if (message_id)
        *message_id = NULL;
    if (!c || !queue_url || !*queue_url || !body)
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "sqs_send_message: NULL argument");
    json_object *in = json_object_new_object();
    if (!in)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    json_object_object_add(in, "QueueUrl", json_object_new_string(queue_url));
    json_object_object_add(in, "MessageBody", json_object_new_string(body));
    if (group_id)
        json_object_object_add(in, "MessageGroupId", json_object_new_string(group_id));
    json_object *outp = NULL;
    lambda_code rc = json10_call(c, "sqs", "AmazonSQS.SendMessage", in, deadline_ms, &outp);
    json_object_put(in);
    if (rc)
        return rc;
    json_object *id;
    if (!json_object_object_get_ex(outp, "MessageId", &id) ||
        !json_object_is_type(id, json_type_string)) {
        rc = lc_fail(LAMBDA_E_PROTOCOL, "sqs_send_message: no MessageId in the answer");
    } else if (message_id) {
        *message_id = lc_strdup(json_object_get_string(id));
        if (!*message_id)
            rc = lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    }
    json_object_put(outp);
    return rc;
}

/* ------------------------------------------------------------------ Lambda Invoke */

lambda_code lambda_aws_lambda_invoke(lambda_aws_client *c, const char *function,
                                     const void *payload, size_t len, const char *invocation_type,
                                     int64_t deadline_ms, lambda_aws_response **out)
{
    if (out)
        *out = NULL;
    if (!c || !function || !*function || !out || (len && !payload))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "lambda_invoke: NULL argument");
    if (strchr(function, '/'))
        return lc_fail(LAMBDA_E_INVALID_ARGUMENT, "lambda_invoke: bad function name");
    lc_buf path;
    lc_buf_init(&path);
    lc_buf_printf(&path, "/2015-03-31/functions/%s/invocations", function);
    if (path.failed)
        return lc_fail(LAMBDA_E_NO_MEMORY, "out of memory");
    lambda_aws_header hdrs[2] = { { "X-Amz-Invocation-Type",
                                    invocation_type ? invocation_type : "RequestResponse" },
                                  { "Content-Type", "application/json" } };
    lambda_aws_request req;
    memset(&req, 0, sizeof req);
    req.service = "lambda";
    req.method = "POST";
    req.path = path.data;
    req.headers = hdrs;
    req.header_count = 2;
    req.body = payload;
    req.body_len = len;
    req.deadline_ms = deadline_ms;
    lambda_code rc = lambda_aws_client_send(c, &req, out);
    lc_buf_free(&path);
    return rc;
}
