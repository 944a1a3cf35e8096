# sdk/core/core.mk - liblambda-c.so.1, the core every handler links: the loopback transport,
# the Runtime API and Extensions API clients, the invocation loop, and the objects a handler
# sees (event, context, response, stream, log). It depends on json-c and libc only.
#
#   transport/  HTTP/1.1 over one loopback socket (why hand-written: transport/http.h)
#   api/        Runtime API and Extensions API clients
#   runtime/    the loop, workers, crash reporting, invocation state, shutdown, version
#   handler/    context, event, response, stream, log

CORE_SRCS := $(wildcard sdk/core/*/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
CORE_LIB := $(B)/lib/liblambda-c.so.$(VERSION)
# What links the core from the build tree (the runtime, functions, tests).
CORE_LINK := -L$(B)/lib -llambda-c $(JSONC_LIBS)

$(eval $(call shared_library,lambda-c,$(CORE_OBJS),sdk/core/liblambda-c.map,$(JSONC_LIBS) -lpthread -ldl))
PC_DESC_lambda-c := lambda-c core: handler objects, logging, the Runtime API loop
PC_REQUIRES_lambda-c :=
