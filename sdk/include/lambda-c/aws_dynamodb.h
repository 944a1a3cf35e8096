/*
 * lambda-c/aws_dynamodb.h - Amazon DynamoDB over its JSON 1.0 protocol
 * (liblambda-c-aws.so.1), on top of lambda_aws_client (aws_client.h).
 *
 * Requests are POST / with Content-Type application/x-amz-json-1.0 and
 * X-Amz-Target DynamoDB_20120810.<Operation>; inputs and outputs are json-c objects in
 * DynamoDB's attribute-value form ({"id": {"S": "42"}, "n": {"N": "7"}}).
 * Inputs are borrowed (never modified, never released); outputs are new references the
 * caller releases with json_object_put.
 * A service error (ConditionalCheckFailedException, ResourceNotFoundException, ...) is
 * LAMBDA_E_HTTP_STATUS; lambda_aws_last_error_code() names it.
 */
#ifndef LAMBDA_C_AWS_DYNAMODB_H
#define LAMBDA_C_AWS_DYNAMODB_H

#include <stdint.h>

#include "lambda-c/aws_client.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/*
 * Any DynamoDB operation: operation is its name ("DescribeTable", "UpdateItem", ...),
 * input its request object. On success *output (if output is not NULL) is the parsed
 * answer, owned by the caller.
 * Errors: those of lambda_aws_client_send, LAMBDA_E_INVALID_ARGUMENT (NULL client,
 * operation or input, input not an object), LAMBDA_E_INVALID_JSON (unparsable answer).
 * Thread-safe.
 */
lambda_code lambda_aws_dynamodb_call(lambda_aws_client *c, const char *operation,
                                     struct json_object *input, int64_t deadline_ms,
                                     struct json_object **output);

/*
 * GetItem of key (e.g. {"pk": {"S": "a"}}) in table, strongly consistent when consistent is
 * non-zero. *item receives the item (caller owns it); a missing item is LAMBDA_E_NOT_FOUND
 * with *item NULL. Errors as lambda_aws_dynamodb_call. Thread-safe.
 */
lambda_code lambda_aws_dynamodb_get_item(lambda_aws_client *c, const char *table,
                                         struct json_object *key, int consistent,
                                         int64_t deadline_ms, struct json_object **item);

/* PutItem of item into table (replacing an item with the same key). Errors as
 * lambda_aws_dynamodb_call. Thread-safe. */
lambda_code lambda_aws_dynamodb_put_item(lambda_aws_client *c, const char *table,
                                         struct json_object *item, int64_t deadline_ms);

/*
 * Query table with key_condition (e.g. "pk = :p") and values (e.g. {":p": {"S": "a"}});
 * index: NULL or a secondary index name. *output receives the whole answer (Items, Count,
 * LastEvaluatedKey; caller owns it). For more options use lambda_aws_dynamodb_call with
 * "Query". Errors as lambda_aws_dynamodb_call. Thread-safe.
 */
lambda_code lambda_aws_dynamodb_query(lambda_aws_client *c, const char *table, const char *index,
                                      const char *key_condition, struct json_object *values,
                                      int64_t deadline_ms, struct json_object **output);

#ifdef __cplusplus
}
#endif

#endif
