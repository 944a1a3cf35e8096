# sdk/core/core.mk - liblambda-c.so.1, the core every handler links: the loopback transport,
# the Runtime API and Extensions API clients, the invocation loop, and the objects a handler
# sees (event, context, response, stream, log). It depends on libc only: json-c is inside it.
#
#   transport/  HTTP/1.1 over one loopback socket (why hand-written: transport/http.h)
#   api/        Runtime API and Extensions API clients
#   runtime/    the loop, workers, crash reporting, invocation state, shutdown, version
#   handler/    context, event, response, stream, log

CORE_SRCS := $(wildcard sdk/core/*/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)
CORE_LIB := $(B)/lib/liblambda-c.so.$(VERSION)
# What links the core from the build tree (functions, tests): json-c comes with it. The runtime
# executable links the core's objects themselves (Makefile, "runtime").
CORE_LINK := -L$(B)/lib -llambda-c

# json-c inside the core: one object to map and relocate at cold start instead of two.
# callgrind, exec to the first response of hello (init + one invocation, bench/run.sh):
#   liblambda-c.so.1 + Debian's libjson-c.so.5 (BIND_NOW: 48 lookups into libc at load) ... 349.8k
#   json-c inside liblambda-c, lazy binding .............................................. 315.8k
#   the same, -Bsymbolic ................................................................. 295.5k
#   the same, -Bsymbolic and -z now (every import resolved at load, used or not) ......... 320.6k
#   (DT_GNU_HASH is the toolchain's default already; --hash-style=both changes nothing)
# The archive is Debian's own libjson-c.a (libjson-c-dev, built from the json-c source package
# with Debian's patches and flags): its objects are PIC (local-dynamic TLS, GOT-relative data),
# so it links into a shared library as is, and it is the same release as the headers handlers
# compile against and as the libjson-c.so.5 the layer keeps for handlers that link it.
# --whole-archive: every function of json-c's API is exported (sdk/core/json-c-map.sh names
# them, in json-c's own version nodes), whether the core uses it or not.
JSONC_ARCHIVE := $(shell $(CC) -print-file-name=libjson-c.a)
JSONC_SHARED := $(shell $(CC) -print-file-name=libjson-c.so.5)
CORE_MAP := $(B)/obj/sdk/core/liblambda-c.map
$(CORE_MAP): sdk/core/liblambda-c.map sdk/core/json-c-map.sh $(JSONC_SHARED)
	@mkdir -p $(dir $@)
	{ cat sdk/core/liblambda-c.map && sh sdk/core/json-c-map.sh $(JSONC_SHARED); } > $@.tmp && mv $@.tmp $@
# -Bsymbolic: the core's calls to itself and to json-c bind inside it at link time, with no
# symbol lookup at load and no PLT stub at run time (nobody may interpose the SDK's functions).
CORE_EXE_LDLIBS := -Wl,--whole-archive $(JSONC_ARCHIVE) -Wl,--no-whole-archive -lpthread -ldl
CORE_LDLIBS := $(CORE_EXE_LDLIBS) -Wl,-Bsymbolic

$(eval $(call shared_library,lambda-c,$(CORE_OBJS),$(CORE_MAP),$(CORE_LDLIBS)))
PC_DESC_lambda-c := lambda-c core: handler objects, logging, the Runtime API loop
PC_REQUIRES_lambda-c :=
