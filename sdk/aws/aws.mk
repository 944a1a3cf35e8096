# sdk/aws/aws.mk - liblambda-c-aws.so.1 (SigV4, credentials, HTTPS client for AWS services),
# its unit tests, the moto integration driver and the client benchmark.
# Included by the top-level Makefile; uses its variables (B, CC, SDK_CFLAGS, LDFLAGS_COMMON,
# JSONC_LIBS, VERSION, VERSION_MAJOR, CMOCKA_LIBS, ALL_TARGETS, UNIT_TESTS).
#
# The library must not have libcurl/libssl/libcrypto as DT_NEEDED: it dlopen()s them on first
# use (sdk/aws/loader.c). Their headers are used at compile time only, for type checking.
# RUNPATH $ORIGIN: those dlopen()s find the layer's copies beside it (lib/) even when a
# function's LD_LIBRARY_PATH lacks /opt/lib.

AWS_SONAME := liblambda-c-aws.so.1
AWS_LIB := $(B)/lib/liblambda-c-aws.so.$(VERSION)
AWS_SRCS := $(wildcard sdk/aws/*.c)
AWS_OBJS := $(AWS_SRCS:%.c=$(B)/obj/%.o)
AWS_SYSLIBS := $(JSONC_LIBS) -ldl -lpthread
# Link against the library in the build tree, found at run time next to the binary's tree.
AWS_LINK := -L$(B)/lib -llambda-c-aws $(AWS_SYSLIBS)

$(AWS_LIB): $(AWS_OBJS) sdk/aws/liblambda-c-aws.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(AWS_OBJS) -Wl,-soname,$(AWS_SONAME) -Wl,-rpath,'$$ORIGIN' \
	    -Wl,--version-script=sdk/aws/liblambda-c-aws.map $(LDFLAGS_COMMON) $(AWS_SYSLIBS)
	ln -sf liblambda-c-aws.so.$(VERSION) $(B)/lib/$(AWS_SONAME)
	ln -sf $(AWS_SONAME) $(B)/lib/liblambda-c-aws.so

ALL_TARGETS += $(AWS_LIB)
-include $(AWS_OBJS:.o=.d)

# ---------------------------------------------------------------- unit tests
# test_aws_lazy_load links the shared library (it checks what the process maps and what the
# library exports); the others link the objects so that internal helpers are testable.
AWS_TEST_HELPERS := tests/unit/aws_test_server.c
AWS_UNIT_SRCS := $(wildcard tests/unit/test_aws_*.c)
AWS_UNIT_TESTS := $(AWS_UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
AWS_TEST_CFLAGS := $(SDK_CFLAGS) -Isdk/aws -Itests/unit

$(B)/tests/unit/test_aws_lazy_load: tests/unit/test_aws_lazy_load.c $(AWS_TEST_HELPERS) tests/unit/aws_test_server.h $(AWS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(AWS_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS_COMMON) -Wl,-rpath,'$$ORIGIN/../../lib' \
	    $(AWS_LINK) $(CMOCKA_LIBS)

$(filter-out $(B)/tests/unit/test_aws_lazy_load,$(AWS_UNIT_TESTS)): $(B)/tests/unit/test_aws_%: \
		tests/unit/test_aws_%.c $(AWS_TEST_HELPERS) tests/unit/aws_test_server.h $(AWS_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(AWS_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(AWS_OBJS) $(LDFLAGS_COMMON) $(AWS_SYSLIBS) $(CMOCKA_LIBS)

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
# layer/layer.sh copies every build/lib/liblambda-c-*.so.N into the layer: build ours first.
$(LAYER_ZIP): $(AWS_LIB)

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
# build/sdk/lib gets the library too, for handler builds (-llambda-c-aws).
$(SDK_DEV)/lib/$(AWS_SONAME): $(AWS_LIB) $(SDK_DEV)/lib/pkgconfig/lambda-c.pc
	cp -P $(B)/lib/liblambda-c-aws.so* $(SDK_DEV)/lib/
ALL_TARGETS += $(SDK_DEV)/lib/$(AWS_SONAME)
