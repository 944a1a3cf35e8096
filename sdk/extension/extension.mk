# sdk/extension/extension.mk - liblambda-c-extension.so.1 (writing external Lambda extensions
# in C: lambda-c/extension.h), its unit tests and the example extension layer.
# Included by the top-level Makefile; uses its variables (B, CC, SDK_CFLAGS, CFLAGS_COMMON,
# LDFLAGS_COMMON, JSONC_CFLAGS, JSONC_LIBS, VERSION, CMOCKA_LIBS, CHECK_GLIBC, ALL_TARGETS,
# UNIT_TESTS, LAYER_ZIP, SDK_DEV).
#
# Self-contained: libc, pthreads and json-c only (no liblambda-c, no libcurl).

EXT_SONAME := liblambda-c-extension.so.1
EXT_LIB := $(B)/lib/liblambda-c-extension.so.$(VERSION)
EXT_SRCS := $(wildcard sdk/extension/*.c)
EXT_OBJS := $(EXT_SRCS:%.c=$(B)/obj/%.o)
EXT_SYSLIBS := $(JSONC_LIBS) -lpthread
EXT_LINK := -L$(B)/lib -llambda-c-extension $(EXT_SYSLIBS)

$(EXT_LIB): $(EXT_OBJS) sdk/extension/liblambda-c-extension.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(EXT_OBJS) -Wl,-soname,$(EXT_SONAME) -Wl,-rpath,'$$ORIGIN' \
	    -Wl,--version-script=sdk/extension/liblambda-c-extension.map $(LDFLAGS_COMMON) $(EXT_SYSLIBS)
	ln -sf liblambda-c-extension.so.$(VERSION) $(B)/lib/$(EXT_SONAME)
	ln -sf $(EXT_SONAME) $(B)/lib/liblambda-c-extension.so

ALL_TARGETS += $(EXT_LIB)
-include $(EXT_OBJS:.o=.d)

# The runtime layer copies every build/lib/liblambda-c-*.so.N (layer/layer.sh): build this one
# first so that the layer's content does not depend on the order of a parallel build.
$(LAYER_ZIP): $(EXT_LIB)
# build/sdk/lib gets the library too, for extension builds (-llambda-c-extension).
$(SDK_DEV)/lib/$(EXT_SONAME): $(EXT_LIB) $(SDK_DEV)/lib/pkgconfig/lambda-c.pc
	cp -P $(B)/lib/liblambda-c-extension.so* $(SDK_DEV)/lib/
ALL_TARGETS += $(SDK_DEV)/lib/$(EXT_SONAME)

# ---------------------------------------------------------------- unit tests
# tests/unit/extension/test_NAME.c -> build/tests/unit/test_extension_NAME, linked with the
# objects so that the internal HTTP parsers are testable.
EXT_UNIT_SRCS := $(wildcard tests/unit/extension/test_*.c)
EXT_UNIT_TESTS := $(EXT_UNIT_SRCS:tests/unit/extension/test_%.c=$(B)/tests/unit/test_extension_%)

$(EXT_UNIT_TESTS): $(B)/tests/unit/test_extension_%: tests/unit/extension/test_%.c $(EXT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(SDK_CFLAGS) -Isdk/extension -o $@ $< $(EXT_OBJS) $(LDFLAGS_COMMON) $(EXT_SYSLIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(EXT_UNIT_TESTS)

# ---------------------------------------------------------------- example extension layers
# examples/extensions/NAME/*.c -> the layer tree build/extension-layers/NAME/ (extensions/NAME,
# lib/liblambda-c-extension.so.1) and its zip, which attaches to a function next to the
# runtime layer. The executable finds the library through RUNPATH $ORIGIN/../lib (/opt/lib).
EXT_EXAMPLES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/extensions/*/*.c)))))
EXT_LAYERS := $(B)/extension-layers

define extension_layer_rules
$(EXT_LAYERS)/$(1)/extensions/$(1): $(wildcard examples/extensions/$(1)/*.c) sdk/include/lambda-c/extension.h $(EXT_LIB)
	@mkdir -p $$(dir $$@) $(EXT_LAYERS)/$(1)/lib
	$$(CC) $$(CFLAGS_COMMON) -I$$(SDK_INCLUDE) $$(JSONC_CFLAGS) -pie -o $$@ $$(filter %.c,$$^) \
	    $$(LDFLAGS_COMMON) -s -Wl,-rpath,'$$$$ORIGIN/../lib' $$(EXT_LINK)
	cp -L $(B)/lib/$(EXT_SONAME) $(EXT_LAYERS)/$(1)/lib/$(EXT_SONAME)
$(EXT_LAYERS)/$(1).zip: $(EXT_LAYERS)/$(1)/extensions/$(1)
	$$(CHECK_GLIBC) $(EXT_LAYERS)/$(1)
	rm -f $$@ && cd $(EXT_LAYERS)/$(1) && zip -q -X -r ../$(1).zip .
ALL_TARGETS += $(EXT_LAYERS)/$(1).zip
endef
$(foreach e,$(EXT_EXAMPLES),$(eval $(call extension_layer_rules,$(e))))

# Everything of this module, for working on it alone: make extension
.PHONY: extension
extension: $(EXT_LIB) $(EXT_UNIT_TESTS) $(foreach e,$(EXT_EXAMPLES),$(EXT_LAYERS)/$(e).zip)

# ---------------------------------------------------------------- fuzz target (clang only)
# make BUILD_DIR=build-fuzz CC=clang fuzz-extension; run it with -max_total_time=SECONDS.
EXT_FUZZ := $(B)/tests/fuzz/fuzz_extension_http
$(EXT_FUZZ): tests/fuzz/fuzz_extension_http.c sdk/extension/http.c sdk/extension/http.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -I$(SDK_INCLUDE) -Isdk/extension -fsanitize=fuzzer,address,undefined \
	    -o $@ tests/fuzz/fuzz_extension_http.c sdk/extension/http.c
.PHONY: fuzz-extension
fuzz-extension: $(EXT_FUZZ)
