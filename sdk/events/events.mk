# sdk/events/events.mk - liblambda-c-events.so.1, typed views of the events AWS services send
# (API Gateway v1/v2, ALB, Function URL, SQS, SNS, S3, EventBridge, DynamoDB Streams, Kinesis).
# Depends on the core (lambda_strerror, the event's JSON) and json-c.

EVENTS_SRCS := $(wildcard sdk/events/*.c)
EVENTS_OBJS := $(EVENTS_SRCS:%.c=$(B)/obj/%.o)
EVENTS_LIB := $(B)/lib/liblambda-c-events.so.$(VERSION)

$(EVENTS_LIB): $(CORE_LIB)
$(eval $(call shared_library,lambda-c-events,$(EVENTS_OBJS),sdk/events/liblambda-c-events.map,-L$(B)/lib -llambda-c))
PC_DESC_lambda-c-events := lambda-c event bindings: API Gateway, ALB, Function URL, SQS, SNS, S3, EventBridge, DynamoDB Streams, Kinesis
PC_REQUIRES_lambda-c-events := lambda-c
