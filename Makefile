# lambda-c: the build. `make` (all), `make test`, `make install PREFIX=... DESTDIR=...`,
# `make docs`, `make compile_commands.json`; BUILD_DIR (relative or absolute) holds every
# output, so several trees (normal, ASan, TSan, arm64) live side by side.
# ./build.sh installs the dependencies and calls this Makefile; CI runs ./build.sh test.
#
# Layout: each library has a fragment beside its sources (sdk/*/*.mk) that uses the variables
# and the shared_library macro defined here; tests/unit.mk builds the cmocka binaries.

BUILD_DIR ?= build
B := $(patsubst %/,%,$(BUILD_DIR))
CC ?= cc
PKG_CONFIG ?= pkg-config
# address,undefined for the sanitizer build; thread for TSan; empty otherwise.
SANITIZE ?=
OPT ?= -O2

# The Lambda target: CC's architecture (./build.sh --arch arm64 sets CC=aarch64-linux-gnu-gcc)
# and provided.al2023's glibc, which every ELF file of the layer and the functions must fit.
TARGET_TRIPLE := $(shell $(CC) -dumpmachine)
ARCH := $(if $(filter aarch64%,$(TARGET_TRIPLE)),arm64,x86_64)
STRIP ?= $(if $(filter $(shell uname -m)-%,$(TARGET_TRIPLE)),strip,$(TARGET_TRIPLE)-strip)
TARGET_GLIBC ?= 2.34
CHECK_GLIBC := python3 tools/check-glibc --glibc $(TARGET_GLIBC)

# The one source of truth for the version is sdk/include/lambda-c/version.h.
VERSION := $(shell sed -n 's/^\#define LAMBDA_C_VERSION_STRING "\(.*\)"/\1/p' sdk/include/lambda-c/version.h)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARNINGS) \
                 $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
# Lazy binding (no -z now, no -fno-plt): cold start is the headline figure, and eager binding
# resolved every imported symbol at load: 351k instructions from exec to the first /next
# against 300k lazily (callgrind, hello). Handlers are still loaded with RTLD_NOW, so a missing
# symbol remains an init error. -z noseparate-code: fewer pages per object (hello.so 14 KB -> 6 KB).
LDFLAGS_COMMON := -Wl,-z,relro -Wl,-z,noseparate-code -Wl,--as-needed -Wl,-O1 \
                  $(if $(SANITIZE),-fsanitize=$(SANITIZE))
# Our libraries must resolve every symbol at link time (a missing dependency is a build
# error, not an init error on Lambda). Sanitizer runtimes live in the executable: not there.
LIB_NO_UNDEFINED := $(if $(SANITIZE),,-Wl,-z,defs)

JSONC_CFLAGS := $(shell $(PKG_CONFIG) --cflags json-c)
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c)

SDK_INCLUDE := sdk/include
# Our own sources include internal headers by their path under sdk/ ("core/api/runtime_api.h"),
# so every include line shows which module it depends on.
# The SDK and the runtime include handler.h but are not handlers: no ABI marker in them.
SDK_CFLAGS := $(CFLAGS_COMMON) -I$(SDK_INCLUDE) -Isdk $(JSONC_CFLAGS) -DLAMBDA_C_NO_ABI_MARKER

ALL_TARGETS :=
UNIT_TESTS :=
# The libraries, in dependency order (the core first); packaging iterates over this list.
SDK_LIBS :=

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -fPIC -MMD -MP -c $< -o $@

# ---------------------------------------------------------------- sdk/util
# base64, the clock, UTF-8 and the strict JSON check: one copy of each, archived and linked
# into the libraries that use them (the linker takes only the members a library needs), never
# exported.
UTIL_SRCS := $(wildcard sdk/util/*.c)
UTIL_OBJS := $(UTIL_SRCS:%.c=$(B)/obj/%.o)
UTIL_LIB := $(B)/obj/libutil.a
$(UTIL_LIB): $(UTIL_OBJS)
	rm -f $@ && $(AR) rcs $@ $^
-include $(UTIL_OBJS:.o=.d)

# $(call shared_library,NAME,OBJS,MAP,LIBS): lib NAME.so.VERSION with soname lib NAME.so.MAJOR,
# exporting exactly what MAP names, RUNPATH $ORIGIN (its dependencies come from beside it, the
# layer's lib/, even when a function's settings leave LD_LIBRARY_PATH without /opt/lib).
define shared_library
$(B)/lib/lib$(1).so.$(VERSION): $(2) $(3) $(UTIL_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) -shared -o $$@ $(2) $(UTIL_LIB) -Wl,-soname,lib$(1).so.$(VERSION_MAJOR) \
	    -Wl,-rpath,'$$$$ORIGIN' -Wl,--version-script=$(3) $$(LIB_NO_UNDEFINED) $$(LDFLAGS_COMMON) $(4)
	ln -sf lib$(1).so.$(VERSION) $(B)/lib/lib$(1).so.$(VERSION_MAJOR)
	ln -sf lib$(1).so.$(VERSION_MAJOR) $(B)/lib/lib$(1).so
ALL_TARGETS += $(B)/lib/lib$(1).so.$(VERSION)
SDK_LIBS += $(1)
-include $(2:.o=.d)
endef

# The layer (see below); fragments add what their library needs in it.
LAYER := $(B)/layer
LAYER_ZIP := $(B)/layer.zip
# Libraries from glibc stay out. json-c is inside liblambda-c (sdk/core/core.mk); the layer
# still ships Debian's libjson-c.so.5 for handlers built before 1.2, which name it in their
# DT_NEEDED (their json_* calls bind to the core's copy, the first in the global scope).
LAYER_THIRD_PARTY := $(shell $(CC) -print-file-name=libjson-c.so.5)

# The libraries: sdk/core (liblambda-c), sdk/events, sdk/metrics, sdk/aws, ...
include sdk/core/core.mk
include $(filter-out sdk/core/core.mk,$(sort $(wildcard sdk/*/*.mk)))

# ---------------------------------------------------------------- runtime
RUNTIME_BIN := $(B)/bin/lambda-c-runtime
RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_OBJS := $(RUNTIME_SRCS:%.c=$(B)/obj/%.o)
RUNTIME_MODULE_OBJS := $(filter-out $(B)/obj/runtime/main.o,$(RUNTIME_OBJS))

# The layer is relocatable (RUNPATH from $ORIGIN, see docs/ARCHITECTURE.md). The same objects
# are linked twice, each with the RUNPATH of where it sits: /opt/bootstrap is the runtime ELF
# itself ($ORIGIN/lib), and /opt/bin/lambda-c-runtime stays for bootstraps of one's own that
# exec it ($ORIGIN/../lib). An ELF bootstrap instead of a sh script with one exec: the static
# baseline behind such a script costs 2.12x its own cold start on our bench machine (dash is
# loaded and run, then a second exec), which alone was over the 2.0x target (bench/RESULTS.md).
#
# The runtime executable is liblambda-c.so.1 itself: the core's objects (and json-c) are
# linked into it, exported under the core's version script and soname. The dynamic linker
# matches a DT_NEEDED name against the sonames of the objects already loaded, so a handler's
# (or liblambda-c-events') DT_NEEDED liblambda-c.so.1 is the runtime, and the layer's
# lib/liblambda-c.so.1 is never loaded by it (it stays for programs in executable mode and
# for linking). One object less to find, map, relocate and version-check at exec, and a
# libc function called by both the runtime and the core is bound once, not once per object.
# callgrind, exec to the first response of hello via /opt/bootstrap (bench/run.sh):
#   runtime linking liblambda-c.so.1 ............ 261.4k
#   runtime providing liblambda-c.so.1 itself ... 230.1k
# and with the runtime's later cold-start changes (224.1k):
#   -z now: every one of its 86 libc imports bound at exec, used or not ... 249.9k (rejected)
#   -no-pie: 218.9k, 5.2k less (fewer relocations); kept PIE: the runtime parses untrusted
#   input, and a fixed address for its code and GOT would give that up for 2% of cold start.
# -z nodynamic-undefined-weak: the C start files' weak references nobody defines here
# (__gmon_start__, _ITM_registerTMCloneTable, _ITM_deregisterTMCloneTable) are resolved to 0
# at link time instead of being looked up, in vain, in every loaded object at exec:
# 224.0k -> 220.8k. x86-64 only: the aarch64 linker ignores the option (with a warning).
RUNTIME_NO_DYNAMIC_WEAK :=
ifeq ($(ARCH),x86_64)
RUNTIME_NO_DYNAMIC_WEAK := -Wl,-z,nodynamic-undefined-weak
endif
RUNTIME_BOOTSTRAP := $(B)/bin/bootstrap
RUNTIME_LINK = $(CC) -o $@ $(RUNTIME_OBJS) $(CORE_OBJS) $(UTIL_LIB) $(LDFLAGS_COMMON) -pie \
    $(RUNTIME_NO_DYNAMIC_WEAK) \
    -Wl,-soname,liblambda-c.so.$(VERSION_MAJOR) -Wl,--export-dynamic \
    -Wl,--version-script=$(CORE_MAP) $(CORE_EXE_LDLIBS)
$(RUNTIME_BIN): $(RUNTIME_OBJS) $(CORE_OBJS) $(CORE_MAP) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(RUNTIME_LINK) -Wl,-rpath,'$$ORIGIN/../lib'
$(RUNTIME_BOOTSTRAP): $(RUNTIME_OBJS) $(CORE_OBJS) $(CORE_MAP) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(RUNTIME_LINK) -Wl,-rpath,'$$ORIGIN/lib'

ALL_TARGETS += $(RUNTIME_BIN) $(RUNTIME_BOOTSTRAP)
-include $(RUNTIME_OBJS:.o=.d)

# ---------------------------------------------------------------- functions
# A function is a folder of C files. DIR/NAME/*.c -> OUT/NAME/NAME.so (Handler NAME.handler),
# or, when DIR/NAME/bootstrap.c exists, the executable OUT/NAME/bootstrap (executable mode).
# Each is zipped to OUT/NAME.zip, whose root is /var/task.
# examples/ -> build/functions/ (what users copy); tests/functions/ -> build/test-functions/.
# LIBS_<name>: the SDK libraries a function links besides the core (-llambda-c-events ...).
HANDLER_CFLAGS := $(CFLAGS_COMMON) -I$(SDK_INCLUDE) $(JSONC_CFLAGS)
# (-z nodynamic-undefined-weak, as the runtime has it, would save hello 2.4k instructions more
# at cold start; not here: the examples are built as users build theirs, whose CMake and CLI
# builds do not pass it.)
HANDLER_LDFLAGS := $(LDFLAGS_COMMON) -s

define function_rules
$(2)/$(1)/$(if $(wildcard $(3)/$(1)/bootstrap.c),bootstrap,$(1).so): $(wildcard $(3)/$(1)/*.c) $(wildcard $(SDK_INCLUDE)/*.h $(SDK_INCLUDE)/lambda-c/*.h) $(CORE_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HANDLER_CFLAGS) $$(CFLAGS_$(1)) $(if $(wildcard $(3)/$(1)/bootstrap.c),-pie,-fPIC -shared) -o $$@ $$(filter %.c,$$^) $$(HANDLER_LDFLAGS) -L$(B)/lib $$(LIBS_$(1)) $$(CORE_LINK)
$(2)/$(1).zip: $(2)/$(1)/$(if $(wildcard $(3)/$(1)/bootstrap.c),bootstrap,$(1).so)
	$$(CHECK_GLIBC) $(2)/$(1)
	rm -f $$@ && cd $(2)/$(1) && zip -q -X -r ../$(1).zip .
ALL_TARGETS += $(2)/$(1).zip
endef

EXAMPLES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/*/*.c)))))
TEST_FUNCTIONS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tests/functions/*/*.c)))))
$(foreach f,$(EXAMPLES),$(eval $(call function_rules,$(f),$(B)/functions,examples)))
$(foreach f,$(TEST_FUNCTIONS),$(eval $(call function_rules,$(f),$(B)/test-functions,tests/functions)))

# Which SDK libraries the examples and test functions link (besides the core).
LIBS_http-api := -llambda-c-events
LIBS_sqs-batch := -llambda-c-events
LIBS_metrics := -llambda-c-metrics
$(foreach f,http-api sqs-batch,$(eval $(B)/functions/$(f)/$(f).so: $(EVENTS_LIB)))
$(B)/functions/metrics/metrics.so: $(METRICS_LIB)

# ---------------------------------------------------------------- layer
# build/layer/ is /opt: bootstrap (the runtime ELF), bin/, lib/ (every lambda-c library and
# what they and the runtime need except glibc), VERSION.

$(LAYER_ZIP): $(RUNTIME_BIN) $(RUNTIME_BOOTSTRAP) $(foreach l,$(SDK_LIBS),$(B)/lib/lib$(l).so.$(VERSION)) layer/layer.sh tools/check-glibc
	STRIP=$(STRIP) sh layer/layer.sh $(B) $(LAYER) "$(VERSION)" $(LAYER_THIRD_PARTY)
	$(CHECK_GLIBC) $(LAYER)
	rm -f $@ && cd $(LAYER) && zip -q -X -r --symlinks ../layer.zip .

ALL_TARGETS += $(LAYER_ZIP)

# The core layer: the same without the AWS client part (liblambda-c-aws, the lean libcurl and
# OpenSSL, whose first compile takes about a minute). `./build.sh invoke` uses it for a function
# that does not link liblambda-c-aws, so that a first build of hello takes seconds. It is for
# local runs only: the published layer (layer.zip, ./build.sh layer) is always complete.
LAYER_CORE := $(B)/layer-core
LAYER_CORE_ZIP := $(B)/layer-core.zip
LAYER_CORE_LIBS := $(filter-out lambda-c-aws,$(SDK_LIBS))
$(LAYER_CORE_ZIP): $(RUNTIME_BIN) $(RUNTIME_BOOTSTRAP) $(foreach l,$(LAYER_CORE_LIBS),$(B)/lib/lib$(l).so.$(VERSION)) layer/layer.sh tools/check-glibc
	LAYER_WITHOUT="$(foreach l,$(filter-out $(LAYER_CORE_LIBS),$(SDK_LIBS)),lib$(l).so.$(VERSION_MAJOR))" \
	    STRIP=$(STRIP) sh layer/layer.sh $(B) $(LAYER_CORE) "$(VERSION)" $(filter-out $(AWS_BUNDLE)/%,$(LAYER_THIRD_PARTY))
	$(CHECK_GLIBC) $(LAYER_CORE)
	rm -f $@ && cd $(LAYER_CORE) && zip -q -X -r --symlinks ../layer-core.zip .

# ---------------------------------------------------------------- emulator
# emulator/lambda_emulator/ (a package, standard library only) installed as one executable
# zip file: the package, a __main__.py that runs it, and _version.py with the project's
# version. Files are stored in a fixed order with fixed timestamps (reproducible).
EMULATOR_BIN := $(B)/bin/lambda-c-emulator
EMULATOR_SRCS := $(sort $(wildcard emulator/lambda_emulator/*.py))
$(EMULATOR_BIN): $(EMULATOR_SRCS) sdk/include/lambda-c/version.h emulator/zipapp.py
	@mkdir -p $(dir $@)
	python3 emulator/zipapp.py --version '$(VERSION)' --output $@ emulator/lambda_emulator
ALL_TARGETS += $(EMULATOR_BIN)

# ---------------------------------------------------------------- unit tests
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
# C programs the integration tests drive (tests/integration/integration.mk).
include tests/integration/integration.mk

# ---------------------------------------------------------------- style
# One .clang-format for the tree; the frozen headers of old releases keep their bytes.
FORMAT_SRCS = $(shell git ls-files -co --exclude-standard 'sdk/*.[ch]' 'runtime/*.[ch]' \
                'examples/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' | grep -v '^tests/fixtures/')
.PHONY: format format-check
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

# ---------------------------------------------------------------- editors
# compile_commands.json for clangd and clang-tidy, from the compile rule itself (make -n).
.PHONY: compile_commands.json
compile_commands.json:
	python3 tools/compile-commands $(B) > $@

# The installed SDK: its tree, install, the archive, the API reference (mk/sdk.mk).
include mk/sdk.mk

.PHONY: all unit-tests test clean
all: $(ALL_TARGETS)
unit-tests: $(UNIT_TESTS)
	@mkdir -p $(B)/tests
	@printf '%s\n' $(UNIT_TESTS) > $(B)/tests/unit-tests.list
# The tests of this tree: cmocka and pytest, reports in $(B)/test-reports, one summary line.
# PYTEST_ARGS narrows the integration tests (e.g. PYTEST_ARGS='-k upgrade').
test: all unit-tests
	tools/run-tests $(B) all $(PYTEST_ARGS)
clean:
	rm -rf $(B)
.DEFAULT_GOAL := all
