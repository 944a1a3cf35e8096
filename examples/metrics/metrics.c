/*
 * metrics: custom CloudWatch metrics through the Embedded Metric Format.
 *
 * {"orderId":"o-1","items":[{"sku":"book","price":12.5},...]}
 *   -> {"orderId":"o-1","items":3,"total":15}
 * and, when the invocation ends, one EMF line on stdout such as
 *   {"_aws":{"Timestamp":...,"CloudWatchMetrics":[{"Namespace":"LambdaC/Examples",
 *    "Dimensions":[["FunctionName"]],"Metrics":[{"Name":"OrderItems","Unit":"Count"},...]}]},
 *    "FunctionName":"metrics","requestId":"...","orderId":"o-1","OrderItems":3,...}
 * from which CloudWatch creates the metrics OrderItems, ItemPrice, OrderTotal and
 * ProcessingTime (high resolution) in the namespace LambdaC/Examples.
 */
#include <json-c/json.h>
#include <lambda-c.h>
#include <lambda-c/metrics.h>
#include <time.h>

/* Declaring it with the SDK's type makes the compiler check the signature. */
lambda_handler_fn handler;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    double started = now_ms();
    json_object *root, *items = NULL, *order_id = NULL;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    json_object_object_get_ex(root, "items", &items);
    json_object_object_get_ex(root, "orderId", &order_id);
    if (!json_object_is_type(items, json_type_array))
        return lambda_response_set_error(response, "InvalidEvent", "\"items\" must be an array");

    /* The recorder of this invocation: the runtime writes it when the handler returns. */
    lambda_metrics *metrics = lambda_metrics_current();
    const char *function = lambda_context_function_name(ctx);
    lambda_metrics_set_namespace(metrics, "LambdaC/Examples");
    lambda_metrics_add_dimension(metrics, "FunctionName", function ? function : "metrics");
    /* Properties: searchable in CloudWatch Logs Insights, not metrics. */
    lambda_metrics_set_property_string(metrics, "requestId", lambda_context_request_id(ctx));
    if (json_object_is_type(order_id, json_type_string))
        lambda_metrics_set_property_string(metrics, "orderId", json_object_get_string(order_id));

    double total = 0;
    size_t count = json_object_array_length(items);
    for (size_t i = 0; i < count; i++) {
        json_object *price;
        if (json_object_object_get_ex(json_object_array_get_idx(items, i), "price", &price)) {
            double p = json_object_get_double(price);
            total += p;
            /* One value per item: the line carries them as an array. */
            lambda_metrics_put(metrics, "ItemPrice", p, LAMBDA_UNIT_NONE);
        }
    }
    lambda_metrics_put(metrics, "OrderItems", (double)count, LAMBDA_UNIT_COUNT);
    lambda_metrics_put(metrics, "OrderTotal", total, LAMBDA_UNIT_NONE);
    lambda_metrics_put_resolution(metrics, "ProcessingTime", now_ms() - started,
                                  LAMBDA_UNIT_MILLISECONDS, LAMBDA_METRICS_RESOLUTION_HIGH);

    json_object *answer = json_object_new_object();
    if (order_id)
        json_object_object_add(answer, "orderId", json_object_get(order_id));
    json_object_object_add(answer, "items", json_object_new_int64((int64_t)count));
    json_object_object_add(answer, "total", json_object_new_double(total));
    return lambda_response_set_json(response, answer);
}
