# tests/unit/unit.mk - the cmocka unit tests, one folder per library:
#   core/ events/ metrics/ (linked with the objects of the libraries they test, so internal
#   modules are testable too), aws/ (sdk/aws/aws.mk builds those), support/ (shared helpers).
# tests/unit/LIB/test_NAME.c -> $(B)/tests/unit/test_NAME; `make unit-tests` lists them.

# Recursive (=): looked up only when a test links, so builds without cmocka (arm64) stay quiet.
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

UNIT_CFLAGS := $(SDK_CFLAGS) -Iruntime -Itests/unit/support
# Everything the core, events and metrics tests may reach: the objects, not the libraries.
UNIT_OBJS := $(CORE_OBJS) $(EVENTS_OBJS) $(METRICS_OBJS) $(RUNTIME_MODULE_OBJS)
UNIT_SRCS := $(wildcard tests/unit/core/test_*.c tests/unit/events/test_*.c tests/unit/metrics/test_*.c)
UNIT_BINS := $(foreach s,$(UNIT_SRCS),$(B)/tests/unit/$(basename $(notdir $(s))))

define unit_test_rule
$(B)/tests/unit/$(basename $(notdir $(1))): $(1) $(UNIT_OBJS) $(UTIL_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(UNIT_CFLAGS) -o $$@ $(1) $$(UNIT_OBJS) $$(UTIL_LIB) $$(LDFLAGS_COMMON) $$(CMOCKA_LIBS) $$(JSONC_LIBS) -ldl -lpthread -lm
endef
$(foreach s,$(UNIT_SRCS),$(eval $(call unit_test_rule,$(s))))

UNIT_TESTS += $(UNIT_BINS)
