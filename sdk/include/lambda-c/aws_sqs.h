/*
 * lambda-c/aws_sqs.h - Amazon SQS SendMessage (liblambda-c-aws.so.1), over SQS's JSON 1.0
 * protocol (X-Amz-Target AmazonSQS.SendMessage), on top of lambda_aws_client.
 */
#ifndef LAMBDA_C_AWS_SQS_H
#define LAMBDA_C_AWS_SQS_H

#include <stdint.h>

#include "lambda-c/aws_client.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Sends body (text, at most 256 KiB) to the queue queue_url
 * ("https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"; the request goes to the client's SQS
 * endpoint, the URL only names the queue). group_id: NULL, or the MessageGroupId of a FIFO
 * queue. message_id: NULL, or receives the MessageId, malloc'd, owned by the caller (free()).
 * Errors: those of lambda_aws_client_send, LAMBDA_E_INVALID_ARGUMENT,
 * LAMBDA_E_INVALID_JSON / LAMBDA_E_PROTOCOL (malformed answer). Thread-safe.
 */
lambda_code lambda_aws_sqs_send_message(lambda_aws_client *c, const char *queue_url,
                                        const char *body, const char *group_id, int64_t deadline_ms,
                                        char **message_id);

#ifdef __cplusplus
}
#endif

#endif
