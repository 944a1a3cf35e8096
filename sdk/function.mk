# lambda-c function.mk: builds one function folder for Lambda against the lambda-c SDK this
# file belongs to (it lives in PREFIX/share/lambda-c/). A function's Makefile includes it:
#
#     FUNCTION := hello                      # Handler hello.handler -> hello.so
#     LAMBDA_C_LIBS := lambda-c-aws          # other SDK libraries it calls (pkg-config names)
#     include $(shell lambda-c config functionmk)
#     build-HelloFunction: lambda-c-function # what `sam build` runs
#
# Targets:
#   lambda-c-function  every *.c of the folder -> $(ARTIFACTS_DIR)/$(FUNCTION).so, or, when
#                      bootstrap.c exists, the executable $(ARTIFACTS_DIR)/bootstrap (executable
#                      mode). `sam build` runs it (make build-<LogicalId>) in a scratch copy of
#                      the folder with ARTIFACTS_DIR set: that folder becomes /var/task.
#   lambda-c-zip       the same into $(LAMBDA_C_OUT)/NAME/, zipped to $(LAMBDA_C_OUT)/NAME.zip
#                      (what `lambda-c build` runs; NAME: FUNCTION, or the folder's name).
# Both check the result against the target's glibc, keep the debug information in
# $(LAMBDA_C_DEBUG_DIR)/NAME.debug for gdb (default: beside the zip, i.e. $(LAMBDA_C_OUT), or
# for sam build beside the artifacts folder, .aws-sam/build/), and strip what is deployed.
#
# The SDK adds only what correctness needs: -fPIC -shared (or -pie), its include path, and
# -Wl,-z,defs, so that a call into an SDK library the function does not link fails the link
# (the message names the library to add to LAMBDA_C_LIBS) instead of the first invoke.
# CC, CFLAGS (default -O2 -g), CPPFLAGS, LDFLAGS and LDLIBS are yours, as usual.

LAMBDA_C_PREFIX := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)
LAMBDA_C_FUNCTION_MAKEFILE := $(abspath $(firstword $(MAKEFILE_LIST)))
PKG_CONFIG ?= pkg-config
LAMBDA_C_LIBS ?=
LAMBDA_C_OUT ?= build
LAMBDA_C_DEBUG_DIR ?=
LAMBDA_C := $(LAMBDA_C_PREFIX)/bin/lambda-c

# pkg-config finds this SDK first; for a cross-compiling SDK (arm64 on x86_64) also the
# target's own .pc files (json-c), as Debian installs them.
LAMBDA_C_SDK_CC := $(shell PKG_CONFIG_PATH='$(LAMBDA_C_PREFIX)/lib/pkgconfig' $(PKG_CONFIG) --variable=cc lambda-c 2>/dev/null)
LAMBDA_C_TRIPLE := $(if $(LAMBDA_C_SDK_CC),$(shell $(LAMBDA_C_SDK_CC) -dumpmachine 2>/dev/null))
LAMBDA_C_PKG_CONFIG_PATH := $(LAMBDA_C_PREFIX)/lib/pkgconfig$(if $(wildcard /usr/lib/$(LAMBDA_C_TRIPLE)/pkgconfig),:/usr/lib/$(LAMBDA_C_TRIPLE)/pkgconfig)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
lambda_c_pkg = $(shell PKG_CONFIG_PATH='$(LAMBDA_C_PKG_CONFIG_PATH)' $(PKG_CONFIG) $(1) 2>&1)

LAMBDA_C_PKG_ERROR := $(if $(wildcard $(LAMBDA_C_PREFIX)/lib/pkgconfig/lambda-c.pc),$(call lambda_c_pkg,--print-errors --exists lambda-c $(LAMBDA_C_LIBS)),$(LAMBDA_C_PREFIX) is not a lambda-c SDK (no lib/pkgconfig/lambda-c.pc))
ifneq ($(strip $(LAMBDA_C_PKG_ERROR)),)
$(error lambda-c: $(LAMBDA_C_PKG_ERROR) (SDK libraries: $(notdir $(basename $(wildcard $(LAMBDA_C_PREFIX)/lib/pkgconfig/lambda-c*.pc)))))
endif

ifeq ($(origin CC),default)
CC := $(LAMBDA_C_SDK_CC)
endif
CFLAGS ?= -O2 -g
LAMBDA_C_CFLAGS := $(call lambda_c_pkg,--cflags lambda-c $(LAMBDA_C_LIBS))
LAMBDA_C_LDFLAGS := $(call lambda_c_pkg,--variable=handler_ldflags lambda-c)
LAMBDA_C_LDLIBS := $(call lambda_c_pkg,--libs lambda-c $(LAMBDA_C_LIBS))

FUNCTION_SRCS := $(sort $(wildcard *.c))
FUNCTION_EXEC := $(filter bootstrap.c,$(FUNCTION_SRCS))
FUNCTION_FILE := $(if $(FUNCTION_EXEC),bootstrap,$(FUNCTION).so)
FUNCTION_NAME := $(or $(FUNCTION),$(notdir $(abspath $(dir $(LAMBDA_C_FUNCTION_MAKEFILE)))))

.PHONY: lambda-c-function lambda-c-zip lambda-c-check
lambda-c-check:
	@test -n "$(FUNCTION_SRCS)" || { echo "lambda-c: no .c file in $(CURDIR)" >&2; exit 2; }
	@test -n "$(FUNCTION_EXEC)$(FUNCTION)" || { echo "lambda-c: set FUNCTION (the Handler's file part, e.g. FUNCTION := hello for hello.handler) in $(LAMBDA_C_FUNCTION_MAKEFILE)" >&2; exit 2; }

# $(1): the folder that becomes /var/task; $(2): the debug file; $(3): the zip (optional).
# One command links and, when the link succeeds, packages (glibc check, debug file, strip,
# zip): the compiler and the lambda-c command run once each per build.
define lambda_c_build_into
	mkdir -p "$(1)"
	$(LAMBDA_C) link --package "$(1)/$(FUNCTION_FILE)" --debug "$(2)" $(if $(3),--zip "$(3)") -- \
	    $(CC) $(CPPFLAGS) $(LAMBDA_C_CFLAGS) $(CFLAGS) $(if $(FUNCTION_EXEC),-fPIE -pie,-fPIC -shared) \
	    -o "$(1)/$(FUNCTION_FILE)" $(FUNCTION_SRCS) $(LAMBDA_C_LDFLAGS) $(LDFLAGS) $(LAMBDA_C_LDLIBS) $(LDLIBS)
endef

lambda-c-function: lambda-c-check
	@test -n "$(ARTIFACTS_DIR)" || { echo "lambda-c: ARTIFACTS_DIR is not set (sam build sets it; by hand: make ARTIFACTS_DIR=out ...)" >&2; exit 2; }
	$(call lambda_c_build_into,$(ARTIFACTS_DIR),$(or $(LAMBDA_C_DEBUG_DIR),$(abspath $(ARTIFACTS_DIR)/..))/$(FUNCTION_NAME).debug)

lambda-c-zip: lambda-c-check
	rm -rf "$(LAMBDA_C_OUT)/$(FUNCTION_NAME)"
	$(call lambda_c_build_into,$(LAMBDA_C_OUT)/$(FUNCTION_NAME),$(or $(LAMBDA_C_DEBUG_DIR),$(LAMBDA_C_OUT))/$(FUNCTION_NAME).debug,$(LAMBDA_C_OUT)/$(FUNCTION_NAME).zip)
