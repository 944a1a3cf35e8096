# sdk/extension/extension.mk - liblambda-c-extension.so.1 (writing external Lambda extensions
# in C: lambda-c/extension.h), its unit tests and the example extension layer.
# Included by the top-level Makefile; uses its variables and its shared_library (B, CC,
# SDK_CFLAGS, CFLAGS_COMMON, LDFLAGS_COMMON, JSONC_CFLAGS, JSONC_LIBS, VERSION, VERSION_MAJOR,
# CMOCKA_LIBS, CHECK_GLIBC, ALL_TARGETS, UNIT_TESTS).
#
# Self-contained: libc and a private copy of json-c (no liblambda-c, no libcurl).

EXT_SONAME := liblambda-c-extension.so.$(VERSION_MAJOR)
EXT_SRCS := $(wildcard sdk/extension/*.c)
EXT_OBJS := $(EXT_SRCS:%.c=$(B)/obj/%.o)
EXT_LIB := $(B)/lib/liblambda-c-extension.so.$(VERSION)
# json-c inside, private (Debian's PIC libjson-c.a, as the core does; the version script keeps
# its symbols local): the library needs libc only, and an extension layer nothing else.
EXT_SYSLIBS := $(JSONC_ARCHIVE) -lpthread
EXT_LINK := -L$(B)/lib -llambda-c-extension $(EXT_SYSLIBS)

# A lambda-c library (the top-level shared_library): in the layer's lib/ and in build/sdk/lib,
# with its own pkg-config file.
$(eval $(call shared_library,lambda-c-extension,$(EXT_OBJS),sdk/extension/liblambda-c-extension.map,$(EXT_SYSLIBS)))
PC_DESC_lambda-c-extension := lambda-c extensions: external Lambda extensions in C (Extensions and Telemetry APIs)
PC_REQUIRES_lambda-c-extension :=

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
# lib/liblambda-c-extension.so.1) and its zip, which attaches to a function next to the runtime
# layer. The executable finds the library through RUNPATH $ORIGIN/../lib (/opt/lib) and has
# its own static json-c.
EXT_EXAMPLES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/extensions/*/*.c)))))
EXT_LAYERS := $(B)/extension-layers

define extension_layer_rules
$(EXT_LAYERS)/$(1)/extensions/$(1): $(wildcard examples/extensions/$(1)/*.c) sdk/include/lambda-c/extension.h $(EXT_LIB)
	@rm -rf $(EXT_LAYERS)/$(1)/lib && mkdir -p $$(dir $$@) $(EXT_LAYERS)/$(1)/lib
	$$(CC) $$(CFLAGS_COMMON) -I$$(SDK_INCLUDE) $$(JSONC_CFLAGS) -pie -o $$@ $$(filter %.c,$$^) \
	    $$(LDFLAGS_COMMON) -s -Wl,-rpath,'$$$$ORIGIN/../lib' $$(EXT_LINK)
	cp -L $(B)/lib/$(EXT_SONAME) $(EXT_LAYERS)/$(1)/lib/
$(EXT_LAYERS)/$(1).zip: $(EXT_LAYERS)/$(1)/extensions/$(1)
	$$(CHECK_GLIBC) $(EXT_LAYERS)/$(1)
	rm -f $$@ && cd $(EXT_LAYERS)/$(1) && zip -q -X -r ../$(1).zip .
ALL_TARGETS += $(EXT_LAYERS)/$(1).zip
endef
$(foreach e,$(EXT_EXAMPLES),$(eval $(call extension_layer_rules,$(e))))

# Everything of this module, for working on it alone: make extension
.PHONY: extension
extension: $(EXT_LIB) $(EXT_UNIT_TESTS) $(foreach e,$(EXT_EXAMPLES),$(EXT_LAYERS)/$(e).zip)

# The fuzz target of its HTTP parser is tests/fuzz/extension_http (make fuzz-targets).
