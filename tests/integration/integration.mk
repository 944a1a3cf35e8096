# tests/integration/integration.mk - C programs the integration tests (pytest) drive.
# Included by the top-level Makefile; uses its variables (B, CC, SDK_CFLAGS, LDFLAGS_COMMON,
# EVENTS_LIB, CORE_LIB, JSONC_LIBS, ALL_TARGETS).

# event_probe: what the SDK's typed event views see in an event (test_event_command.py).
EVENT_PROBE := $(B)/tests/integration/event_probe

$(EVENT_PROBE): tests/integration/event_probe.c $(EVENTS_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -o $@ $< $(LDFLAGS_COMMON) -Wl,-rpath,'$$ORIGIN/../../lib' \
	    -L$(B)/lib -llambda-c-events -llambda-c $(JSONC_LIBS)

ALL_TARGETS += $(EVENT_PROBE)
