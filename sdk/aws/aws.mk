# sdk/aws/aws.mk - liblambda-c-aws.so.1 (SigV4, credentials, HTTPS client for AWS services),
# its unit tests, the moto integration driver and the client benchmark.
# Included by the top-level Makefile; uses its variables (B, CC, SDK_CFLAGS, LDFLAGS_COMMON,
# JSONC_LIBS, VERSION, VERSION_MAJOR, CMOCKA_LIBS, ALL_TARGETS, UNIT_TESTS).
#
# The library must not have libcurl/libssl/libcrypto as DT_NEEDED: it dlopen()s them on first
# use (sdk/aws/loader.c). Their headers are used at compile time only, for type checking.
# RUNPATH $ORIGIN: those dlopen()s find the layer's copies beside it (lib/) even when a
# function's LD_LIBRARY_PATH lacks /opt/lib.

AWS_SRCS := $(wildcard sdk/aws/*.c)
AWS_OBJS := $(AWS_SRCS:%.c=$(B)/obj/%.o)
AWS_LIB := $(B)/lib/liblambda-c-aws.so.$(VERSION)
# liblambda-c: its logger (records carry the request id and follow the function's log settings).
AWS_SYSLIBS := -L$(B)/lib -llambda-c -ldl -lpthread
# Link against the library in the build tree, found at run time next to the binary's tree.
AWS_LINK := -L$(B)/lib -llambda-c-aws $(AWS_SYSLIBS)

$(AWS_LIB): $(CORE_LIB)
$(eval $(call shared_library,lambda-c-aws,$(AWS_OBJS),sdk/aws/liblambda-c-aws.map,$(AWS_SYSLIBS)))
PC_DESC_lambda-c-aws := lambda-c AWS client: SigV4, credentials, S3, DynamoDB, SQS, Lambda (libcurl and OpenSSL loaded on first use)
PC_REQUIRES_lambda-c-aws := lambda-c

# ---------------------------------------------------------------- unit tests
# test_aws_lazy_load links the shared library (it checks what the process maps and what the
# library exports); the others link the objects (with the core's) so that internal helpers are
# testable and the logger can be told to re-read its settings.
AWS_TEST_HELPERS := tests/unit/aws/aws_test_server.c
AWS_UNIT_SRCS := $(wildcard tests/unit/aws/test_aws_*.c)
AWS_UNIT_TESTS := $(AWS_UNIT_SRCS:tests/unit/aws/%.c=$(B)/tests/unit/%)
AWS_TEST_CFLAGS := $(SDK_CFLAGS) -Itests/unit/aws -Itests/unit/support

$(B)/tests/unit/test_aws_lazy_load: tests/unit/aws/test_aws_lazy_load.c $(AWS_TEST_HELPERS) tests/unit/aws/aws_test_server.h $(AWS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(AWS_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS_COMMON) -Wl,-rpath,'$$ORIGIN/../../lib' \
	    $(AWS_LINK) $(CMOCKA_LIBS)

$(filter-out $(B)/tests/unit/test_aws_lazy_load,$(AWS_UNIT_TESTS)): $(B)/tests/unit/test_aws_%: \
		tests/unit/aws/test_aws_%.c $(AWS_TEST_HELPERS) tests/unit/aws/aws_test_server.h $(AWS_OBJS) $(CORE_OBJS) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(AWS_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(AWS_OBJS) $(CORE_OBJS) $(UTIL_LIB) $(LDFLAGS_COMMON) $(JSONC_LIBS) -ldl -lpthread $(CMOCKA_LIBS)

UNIT_TESTS += $(AWS_UNIT_TESTS)

# ---------------------------------------------------------------- integration driver, benchmark
AWS_MOTO_CLIENT := $(B)/tests/integration/aws_moto_client
AWS_BENCH := $(B)/bench/aws_client_bench

$(AWS_MOTO_CLIENT): tests/integration/aws_moto_client.c $(AWS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -o $@ $< $(LDFLAGS_COMMON) -Wl,-rpath,'$$ORIGIN/../../lib' $(AWS_LINK)

$(AWS_BENCH): bench/aws_client_bench.c $(AWS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -o $@ $< $(LDFLAGS_COMMON) -Wl,-rpath,'$$ORIGIN/../lib' $(AWS_LINK)

ALL_TARGETS += $(AWS_MOTO_CLIENT) $(AWS_BENCH)

# ---------------------------------------------------------------- examples using the client
# examples/s3-roundtrip and examples/dynamodb-store link liblambda-c-aws (the layer ships it
# in lib/ next to liblambda-c). LIBS_<name> is read by the top-level function_rules.
AWS_EXAMPLES := s3-roundtrip dynamodb-store
$(foreach e,$(AWS_EXAMPLES),$(eval LIBS_$(e) += -llambda-c-aws))
$(foreach e,$(AWS_EXAMPLES),$(eval $(B)/functions/$(e)/$(e).so: $(AWS_LIB)))

# Everything of this module, for working on it alone: make aws
.PHONY: aws
aws: $(AWS_LIB) $(AWS_UNIT_TESTS) $(AWS_MOTO_CLIENT) $(AWS_BENCH)

# ---------------------------------------------------------------- layer and SDK tree
# What the library dlopen()s (layer/dlopen-libraries: libcurl.so.4, libcrypto.so.3) is not on
# Lambda's OS-only runtimes: the layer ships a lean libcurl built from Debian's source package
# (HTTP(S) + OpenSSL only), the target's libssl/libcrypto, and their closure minus glibc
# (third_party/build-curl.sh, docs/THIRD_PARTY.md). The compile is cached in THIRD_PARTY_DIR,
# which every build tree of the checkout shares (build, build-asan, ...): once per target.
THIRD_PARTY_DIR ?= build/third-party
AWS_BUNDLE := $(THIRD_PARTY_DIR)/$(TARGET_TRIPLE)/lib
$(AWS_BUNDLE)/libcurl.so.4: third_party/build-curl.sh layer/dlopen-libraries \
		$(wildcard $(shell $(CC) -print-file-name=libssl.so.3) $(shell $(CC) -print-file-name=libcrypto.so.3))
	CC="$(CC)" bash third_party/build-curl.sh $(THIRD_PARTY_DIR) layer/dlopen-libraries
$(LAYER_ZIP): $(AWS_BUNDLE)/libcurl.so.4
LAYER_THIRD_PARTY += $(AWS_BUNDLE)/*.so.*

