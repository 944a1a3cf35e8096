# tests/fuzz/fuzz.mk - the libFuzzer targets: tests/fuzz/<target>/fuzz_<target>.c, each with
# its minimised seed corpus in tests/fuzz/<target>/corpus/ and the inputs of fixed findings in
# tests/fuzz/<target>/regressions/. Built with clang (Debian's clang-14 and
# libclang-rt-14-dev), ASan and UBSan, into $(B)/fuzz/. Included by the top-level Makefile.
#
#   make fuzz-targets       build them
#   ./build.sh fuzz [SECONDS]   fuzz each for SECONDS (tests/fuzz/run.sh)
#   ./build.sh test         runs each briefly over its corpus and regressions (CI)
#
# The SDK's objects are also built with -fprofile-instr-generate: their basic-block counters
# are the linear-work measure of tests/fuzz/fuzz_support.h.

FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang-14)
FUZZ_DIR := $(B)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g $(WARNINGS) -I$(SDK_INCLUDE) -Isdk -Itests/fuzz \
               $(JSONC_CFLAGS) -DLAMBDA_C_NO_ABI_MARKER $(FUZZ_SAN)
FUZZ_SDK_CFLAGS := $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -fprofile-instr-generate

FUZZ_SDK_SRCS := $(CORE_SRCS) $(EVENTS_SRCS) $(METRICS_SRCS) $(AWS_SRCS) $(EXT_SRCS) $(UTIL_SRCS)
FUZZ_SDK_OBJS := $(FUZZ_SDK_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_TARGETS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tests/fuzz/*/fuzz_*.c)))))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SDK_CFLAGS) -MMD -MP -c $< -o $@

# Each target links every SDK object it may reach (the linker drops nothing: the counters of
# unused objects stay zero). liblambda-c-aws's libcurl/libcrypto are dlopen()ed as usual.
define fuzz_target_rule
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/$(1)/fuzz_$(1).c tests/fuzz/fuzz_support.h $(FUZZ_SDK_OBJS)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -Isdk/extension -fsanitize=fuzzer -fprofile-instr-generate -o $$@ $$< \
	    $$(FUZZ_SDK_OBJS) $$(JSONC_LIBS) -ldl -lpthread -lm
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target_rule,$(t))))

-include $(FUZZ_SDK_OBJS:.o=.d)

.PHONY: fuzz-targets
fuzz-targets: $(FUZZ_BINS)
