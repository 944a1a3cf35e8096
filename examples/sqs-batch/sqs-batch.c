/*
 * sqs-batch: an SQS handler that reports partial batch failures.
 *
 * Each message carries an order, {"orderId": "1001", "amount": 25}. Orders that cannot be
 * processed (a body that is not such an object, or an amount that is not positive) are
 * listed in the answer's batchItemFailures, so that SQS redelivers only those and deletes
 * the rest:
 *
 *     {"batchItemFailures": [{"itemIdentifier": "<messageId>"}, ...]}
 *
 * This needs ReportBatchItemFailures on the event source mapping (FunctionResponseTypes in
 * SAM/CloudFormation); without it, Lambda ignores the list and any failure retries the whole
 * batch. On a FIFO queue the first failure also fails every later message, which keeps the
 * message group in order.
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/event_sqs.h>

#include <string.h>

lambda_handler_fn handler;

/* Processes one order; 0 on success. */
static int process(const lambda_sqs_message *m)
{
    size_t len;
    const char *body = lambda_sqs_message_body(m, &len);
    if (!body)
        return -1;
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return -1;
    json_object *order = json_tokener_parse_ex(tok, body, (int)len);
    /* One JSON document, nothing but white space after it. */
    size_t end = json_tokener_get_parse_end(tok);
    int ok = order && json_tokener_get_error(tok) == json_tokener_success &&
             strspn(body + end, " \t\r\n") == len - end;
    json_tokener_free(tok);
    json_object *id = NULL, *amount = NULL;
    ok = ok && json_object_object_get_ex(order, "orderId", &id) &&
         json_object_is_type(id, json_type_string) &&
         json_object_object_get_ex(order, "amount", &amount) &&
         (json_object_is_type(amount, json_type_int) ||
          json_object_is_type(amount, json_type_double)) &&
         json_object_get_double(amount) > 0;
    if (ok)
        lambda_log_info("order %s: %.2f (attempt %s)", json_object_get_string(id),
                        json_object_get_double(amount),
                        lambda_sqs_message_system_attribute(m, "ApproximateReceiveCount"));
    else
        lambda_log_warn("message %s is not a valid order", lambda_sqs_message_id(m));
    json_object_put(order);
    return ok ? 0 : -1;
}

static int is_fifo(const lambda_sqs_message *m)
{
    const char *arn = lambda_sqs_message_event_source_arn(m);
    size_t n = arn ? strlen(arn) : 0;
    return n > 5 && strcmp(arn + n - 5, ".fifo") == 0;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    (void)ctx;
    json_object *root, *answer;
    lambda_sqs_event *sqs;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    lambda_code rc = lambda_sqs_event_parse(root, &sqs);
    if (rc != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "not an SQS event: %s",
                                         lambda_strerror(rc));
    if (lambda_sqs_batch_response_new(&answer) != LAMBDA_OK) {
        lambda_sqs_event_free(sqs);
        return lambda_response_set_error(response, "OutOfMemory", "cannot build the response");
    }

    size_t count = lambda_sqs_event_count(sqs), failed = 0;
    int give_up = 0; /* FIFO: after a failure, the rest of the batch fails too */
    for (size_t i = 0; i < count; i++) {
        const lambda_sqs_message *m = lambda_sqs_event_message(sqs, i);
        if (give_up || process(m) != 0) {
            rc = lambda_sqs_batch_response_add_failure(
                answer, lambda_sqs_message_id(m) ? lambda_sqs_message_id(m) : "");
            if (rc != LAMBDA_OK)
                break;
            failed++;
            give_up = is_fifo(m);
        }
    }
    lambda_sqs_event_free(sqs);
    if (rc != LAMBDA_OK) {
        /* Failing the invocation retries the whole batch: safe, if not cheap. */
        json_object_put(answer);
        return lambda_response_set_error(response, "BatchResponseError", "%s", lambda_strerror(rc));
    }
    lambda_log_info("%zu of %zu messages failed", failed, count);
    return lambda_response_set_json(response, answer);
}
