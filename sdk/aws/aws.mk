# sdk/aws/aws.mk - liblambda-c-aws.so.1 (SigV4, credentials, HTTPS client for AWS services),
# its unit tests, the moto integration driver and the client benchmark.
# Included by the top-level Makefile; uses its variables (B, CC, SDK_CFLAGS, LDFLAGS_COMMON,
# JSONC_LIBS, VERSION, VERSION_MAJOR, CMOCKA_LIBS, ALL_TARGETS, UNIT_TESTS).
#
# The library must not have libcurl/libssl/libcrypto as DT_NEEDED: it dlopen()s them on first
# use (sdk/aws/loader.c). Their headers are used at compile time only, for type checking.

AWS_SONAME := liblambda-c-aws.so.1
AWS_LIB := $(B)/lib/liblambda-c-aws.so.$(VERSION)
AWS_SRCS := $(wildcard sdk/aws/*.c)
AWS_OBJS := $(AWS_SRCS:%.c=$(B)/obj/%.o)
AWS_SYSLIBS := $(JSONC_LIBS) -ldl -lpthread
# Link against the library in the build tree, found at run time next to the binary's tree.
AWS_LINK := -L$(B)/lib -llambda-c-aws $(AWS_SYSLIBS)

$(AWS_LIB): $(AWS_OBJS) sdk/aws/liblambda-c-aws.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(AWS_OBJS) -Wl,-soname,$(AWS_SONAME) \
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
# build/sdk/lib gets the library too, for handler builds (-llambda-c-aws).
$(SDK_DEV)/lib/$(AWS_SONAME): $(AWS_LIB) $(SDK_DEV)/lib/pkgconfig/lambda-c.pc
	cp -P $(B)/lib/liblambda-c-aws.so* $(SDK_DEV)/lib/
ALL_TARGETS += $(SDK_DEV)/lib/$(AWS_SONAME)
