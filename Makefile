# lambda-c build. ./build.sh is the entry point users and CI run; it calls this Makefile.
# Module fragments (sdk/aws/aws.mk, ...) are included below and follow the same variables.

BUILD_DIR ?= build
B := $(BUILD_DIR)
CC ?= cc
PKG_CONFIG ?= pkg-config
# address,undefined for the sanitizer build; empty otherwise.
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

JSONC_CFLAGS := $(shell $(PKG_CONFIG) --cflags json-c)
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c)

SDK_INCLUDE := sdk/include
# The SDK and the runtime include handler.h but are not handlers: no ABI marker in them.
SDK_CFLAGS := $(CFLAGS_COMMON) -I$(SDK_INCLUDE) $(JSONC_CFLAGS) -DLAMBDA_C_NO_ABI_MARKER
# Handlers and tests link the SDK from the build tree.
SDK_LINK := -L$(B)/lib -llambda-c $(JSONC_LIBS)

ALL_TARGETS :=
UNIT_TESTS :=

# ---------------------------------------------------------------- liblambda-c
# What the library exports is decided by its version script (lambda_* only), not by
# visibility attributes, so public headers stay free of export macros.
SDK_SONAME := liblambda-c.so.$(VERSION_MAJOR)
SDK_LIB := $(B)/lib/liblambda-c.so.$(VERSION)
SDK_SRCS := $(wildcard sdk/src/*.c sdk/src/*/*.c)
SDK_OBJS := $(SDK_SRCS:%.c=$(B)/obj/%.o)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -fPIC -MMD -MP -c $< -o $@

# RUNPATH $ORIGIN: its own dependencies (json-c) come from beside it, the layer's lib/, even
# when a function's settings leave LD_LIBRARY_PATH without /opt/lib.
$(SDK_LIB): $(SDK_OBJS) sdk/src/liblambda-c.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(SDK_OBJS) -Wl,-soname,$(SDK_SONAME) -Wl,-rpath,'$$ORIGIN' \
	    -Wl,--version-script=sdk/src/liblambda-c.map $(LDFLAGS_COMMON) $(JSONC_LIBS)
	ln -sf liblambda-c.so.$(VERSION) $(B)/lib/$(SDK_SONAME)
	ln -sf $(SDK_SONAME) $(B)/lib/liblambda-c.so

ALL_TARGETS += $(SDK_LIB)

-include $(SDK_OBJS:.o=.d)

# ---------------------------------------------------------------- runtime
RUNTIME_BIN := $(B)/bin/lambda-c-runtime
RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_OBJS := $(RUNTIME_SRCS:%.c=$(B)/obj/%.o)

# $ORIGIN/../lib: the layer is relocatable (bin/ and lib/ side by side), see docs/ARCHITECTURE.md.
$(RUNTIME_BIN): $(RUNTIME_OBJS) $(SDK_LIB)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(RUNTIME_OBJS) $(LDFLAGS_COMMON) -pie -Wl,-rpath,'$$ORIGIN/../lib' $(SDK_LINK)

ALL_TARGETS += $(RUNTIME_BIN)
-include $(RUNTIME_OBJS:.o=.d)

# ---------------------------------------------------------------- functions
# A function is a folder of C files. DIR/NAME/*.c -> OUT/NAME/NAME.so (Handler NAME.handler),
# or, when DIR/NAME/bootstrap.c exists, the executable OUT/NAME/bootstrap (executable mode).
# Each is zipped to OUT/NAME.zip, whose root is /var/task.
# examples/ -> build/functions/ (what users copy); tests/functions/ -> build/test-functions/.
HANDLER_CFLAGS := $(CFLAGS_COMMON) -I$(SDK_INCLUDE) $(JSONC_CFLAGS)
HANDLER_LDFLAGS := $(LDFLAGS_COMMON) -s

define function_rules
$(2)/$(1)/$(if $(wildcard $(3)/$(1)/bootstrap.c),bootstrap,$(1).so): $(wildcard $(3)/$(1)/*.c) $(wildcard $(SDK_INCLUDE)/*.h $(SDK_INCLUDE)/lambda-c/*.h) $(SDK_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HANDLER_CFLAGS) $$(CFLAGS_$(1)) $(if $(wildcard $(3)/$(1)/bootstrap.c),-pie,-fPIC -shared) -o $$@ $$(filter %.c,$$^) $$(HANDLER_LDFLAGS) $$(SDK_LINK) $$(LIBS_$(1))
$(2)/$(1).zip: $(2)/$(1)/$(if $(wildcard $(3)/$(1)/bootstrap.c),bootstrap,$(1).so)
	$$(CHECK_GLIBC) $(2)/$(1)
	rm -f $$@ && cd $(2)/$(1) && zip -q -X -r ../$(1).zip .
ALL_TARGETS += $(2)/$(1).zip
endef

EXAMPLES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/*/*.c)))))
TEST_FUNCTIONS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tests/functions/*/*.c)))))
$(foreach f,$(EXAMPLES),$(eval $(call function_rules,$(f),$(B)/functions,examples)))
$(foreach f,$(TEST_FUNCTIONS),$(eval $(call function_rules,$(f),$(B)/test-functions,tests/functions)))

# ---------------------------------------------------------------- layer
# build/layer/ is /opt: bootstrap, bin/, lib/ (the SDK and every shared library it and the
# runtime need except glibc), VERSION.
LAYER := $(B)/layer
LAYER_ZIP := $(B)/layer.zip
# json-c is the only third-party library of the core; libraries from glibc stay out.
LAYER_THIRD_PARTY := $(shell $(CC) -print-file-name=libjson-c.so.5)

$(LAYER_ZIP): $(RUNTIME_BIN) $(SDK_LIB) layer/bootstrap layer/layer.sh tools/check-glibc
	STRIP=$(STRIP) sh layer/layer.sh $(B) $(LAYER) "$(VERSION)" $(LAYER_THIRD_PARTY)
	$(CHECK_GLIBC) $(LAYER)
	rm -f $@ && cd $(LAYER) && zip -q -X -r --symlinks ../layer.zip .

ALL_TARGETS += $(LAYER_ZIP)

# sam build (template.yaml: RuntimeLayer, ContentUri: .) runs this in a scratch copy of the
# repository with ARTIFACTS_DIR set: the one build path, then the layer tree (/opt) into it.
.PHONY: build-RuntimeLayer
build-RuntimeLayer:
	./build.sh layer "$(ARTIFACTS_DIR)"

# ---------------------------------------------------------------- SDK for handler builds
# build/sdk/: include/, lib/, lib/pkgconfig/lambda-c.pc (prefix computed by pkg-config), and
# for function Makefiles (sam build): share/lambda-c/function.mk, bin/lambda-c-check-glibc.
# lambda-c.pc records the target and the handler flags above, so both builds agree.
SDK_DEV := $(B)/sdk
$(SDK_DEV)/lib/pkgconfig/lambda-c.pc: sdk/lambda-c.pc.in sdk/function.mk tools/check-glibc $(SDK_LIB) $(wildcard $(SDK_INCLUDE)/*.h $(SDK_INCLUDE)/lambda-c/*.h)
	@mkdir -p $(SDK_DEV)/lib/pkgconfig $(SDK_DEV)/include $(SDK_DEV)/share/lambda-c $(SDK_DEV)/bin
	cp -R $(SDK_INCLUDE)/. $(SDK_DEV)/include/
	cp -P $(B)/lib/liblambda-c.so* $(SDK_DEV)/lib/
	cp sdk/function.mk $(SDK_DEV)/share/lambda-c/function.mk
	cp tools/check-glibc $(SDK_DEV)/bin/lambda-c-check-glibc
	sed -e 's/@VERSION@/$(VERSION)/' -e 's|@ARCH@|$(ARCH)|' -e 's|@CC@|$(CC)|' \
	    -e 's|@TARGET_GLIBC@|$(TARGET_GLIBC)|' -e 's|@HANDLER_CFLAGS@|$(CFLAGS_COMMON)|' \
	    -e 's|@HANDLER_LDFLAGS@|$(HANDLER_LDFLAGS)|' sdk/lambda-c.pc.in > $@

ALL_TARGETS += $(SDK_DEV)/lib/pkgconfig/lambda-c.pc

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
# tests/unit/test_NAME.c -> build/tests/unit/test_NAME, linked with the SDK's objects so that
# internal modules are testable too. Module fragments add their own tests to UNIT_TESTS.
CORE_UNIT_SRCS := $(filter-out tests/unit/test_aws_%,$(wildcard tests/unit/test_*.c))
CORE_UNIT_TESTS := $(CORE_UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
# Recursive (=): looked up only when a test links, so builds without cmocka (arm64) stay quiet.
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

# The runtime's modules (all but main) are unit-tested the same way.
RUNTIME_MODULE_OBJS := $(filter-out $(B)/obj/runtime/main.o,$(RUNTIME_OBJS))

$(B)/tests/unit/%: tests/unit/%.c $(SDK_OBJS) $(RUNTIME_MODULE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -Isdk/src -Iruntime -Itests/unit -o $@ $< $(SDK_OBJS) $(RUNTIME_MODULE_OBJS) $(LDFLAGS_COMMON) $(CMOCKA_LIBS) $(JSONC_LIBS) -ldl -lpthread

UNIT_TESTS += $(CORE_UNIT_TESTS)

# ---------------------------------------------------------------- modules
-include $(wildcard sdk/*/*.mk)

.PHONY: all unit-tests clean
all: $(ALL_TARGETS)
unit-tests: $(UNIT_TESTS)
	@printf '%s\n' $(UNIT_TESTS) > $(B)/tests/unit-tests.list
clean:
	rm -rf $(B)
.DEFAULT_GOAL := all
