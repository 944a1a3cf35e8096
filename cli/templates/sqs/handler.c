/* @@NAME@@: an SQS consumer that reports partial batch failures. Each message body is an
 * order, {"orderId": "1001", "amount": 25}; messages that are not such an order (or have an
 * amount <= 0) are answered in batchItemFailures, so SQS redelivers only those:
 *     {"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}
 * (needs FunctionResponseTypes: [ReportBatchItemFailures] on the event source, see template.yaml) */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_sqs.h>

lambda_handler_fn handler;

/* 0 when the message is a valid order (and was processed). */
static int process(const lambda_sqs_message *m)
{
    size_t len;
    const char *body = lambda_sqs_message_body(m, &len);
    json_object *order = body ? json_tokener_parse(body) : NULL, *amount;
    int ok = order && json_object_object_get_ex(order, "amount", &amount) &&
             json_object_get_double(amount) > 0;
    if (ok)
        lambda_log_info("order of %.2f from message %s", json_object_get_double(amount),
                        lambda_sqs_message_id(m));
    json_object_put(order);
    return ok ? 0 : -1;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *answer;
    lambda_sqs_event *sqs;
    if (lambda_event_json(event, &root) != LAMBDA_OK ||
        lambda_sqs_event_parse(root, &sqs) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an SQS event");
    lambda_code rc = lambda_sqs_batch_response_new(&answer);
    for (size_t i = 0; rc == LAMBDA_OK && i < lambda_sqs_event_count(sqs); i++) {
        const lambda_sqs_message *m = lambda_sqs_event_message(sqs, i);
        if (process(m) != 0)
            rc = lambda_sqs_batch_response_add_failure(answer, lambda_sqs_message_id(m));
    }
    lambda_sqs_event_free(sqs);
    if (rc != LAMBDA_OK) { /* failing the invocation retries the whole batch */
        json_object_put(answer);
        return lambda_response_set_error(response, "BatchError", "%s", lambda_strerror(rc));
    }
    return lambda_response_set_json(response, answer);
}
