# sdk/metrics/metrics.mk - liblambda-c-metrics.so.1, CloudWatch embedded metric format (EMF).
# Depends on the core: it registers an invocation hook (lambda_runtime_add_invocation_hook)
# that writes the invocation's metrics before its answer.

METRICS_SRCS := $(wildcard sdk/metrics/*.c)
METRICS_OBJS := $(METRICS_SRCS:%.c=$(B)/obj/%.o)
METRICS_LIB := $(B)/lib/liblambda-c-metrics.so.$(VERSION)

$(METRICS_LIB): $(CORE_LIB)
$(eval $(call shared_library,lambda-c-metrics,$(METRICS_OBJS),sdk/metrics/liblambda-c-metrics.map,-L$(B)/lib -llambda-c -lpthread))
PC_DESC_lambda-c-metrics := lambda-c CloudWatch metrics (embedded metric format)
PC_REQUIRES_lambda-c-metrics := lambda-c
