# lambda-c function.mk: builds one function folder for Lambda with the flags lambda-c's own
# build uses (they are recorded in lambda-c.pc). A function's Makefile includes it:
#
#     FUNCTION := hello                        # Handler hello.handler -> hello.so
#     include $(shell pkg-config --variable=functionmk lambda-c)
#     build-HelloFunction: lambda-c-function   # what `sam build` runs
#
# `sam build` runs `make build-<LogicalId>` in a scratch copy of the folder with ARTIFACTS_DIR
# set (the function's root, /var/task). Every *.c file of the folder is compiled into
# $(ARTIFACTS_DIR)/$(FUNCTION).so or, when bootstrap.c exists, into the executable
# $(ARTIFACTS_DIR)/bootstrap (executable mode); the result is checked against the target's
# glibc. The SDK PKG_CONFIG_PATH selects decides the target: build/sdk (x86_64) or
# build-arm64/sdk (arm64, cross-compiled with the compiler that SDK was built with).
# CC, CFLAGS, LDFLAGS and LDLIBS add to or override the SDK's choices as usual.

PKG_CONFIG ?= pkg-config
lambda_c_var = $(shell $(PKG_CONFIG) --variable=$(1) lambda-c)

ifeq ($(origin CC),default)
CC := $(call lambda_c_var,cc)
endif
LAMBDA_C_CFLAGS := $(call lambda_c_var,handler_cflags) $(shell $(PKG_CONFIG) --cflags lambda-c)
LAMBDA_C_LDFLAGS := $(call lambda_c_var,handler_ldflags)
LAMBDA_C_LIBS := $(shell $(PKG_CONFIG) --libs lambda-c)
LAMBDA_C_CHECK_GLIBC := $(call lambda_c_var,checkglibc) --glibc $(call lambda_c_var,glibc)

FUNCTION_SRCS := $(sort $(wildcard *.c))
FUNCTION_EXEC := $(filter bootstrap.c,$(FUNCTION_SRCS))
FUNCTION_FILE := $(if $(FUNCTION_EXEC),bootstrap,$(FUNCTION).so)

.PHONY: lambda-c-function
lambda-c-function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "lambda-c: ARTIFACTS_DIR is not set (sam build sets it; by hand: make ARTIFACTS_DIR=out ...)" >&2; exit 1; }
	@test -n "$(FUNCTION_SRCS)" || { echo "lambda-c: no .c file in $(CURDIR)" >&2; exit 1; }
	@test -n "$(FUNCTION_EXEC)$(FUNCTION)" || { echo "lambda-c: set FUNCTION (the Handler's file part) in the Makefile" >&2; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)"
	$(CC) $(LAMBDA_C_CFLAGS) $(CFLAGS) $(if $(FUNCTION_EXEC),-pie,-fPIC -shared) \
	    -o "$(ARTIFACTS_DIR)/$(FUNCTION_FILE)" $(FUNCTION_SRCS) $(LAMBDA_C_LDFLAGS) $(LDFLAGS) $(LAMBDA_C_LIBS) $(LDLIBS)
	$(LAMBDA_C_CHECK_GLIBC) "$(ARTIFACTS_DIR)"
