# mk/sdk.mk - the installed SDK: $(B)/sdk is the relocatable install tree, `make install`
# copies it, and $(B)/lambda-c-sdk-VERSION-ARCH.tar.gz packs it (works wherever unpacked).
#
#   bin/        lambda-c (the command), lambda-c-emulator, lambda-c-check-glibc
#   include/    the public headers
#   lib/        every SDK library (lib<name>.so*) of SDK_LIBS, pkgconfig/<name>.pc,
#               cmake/lambda-c/ (find_package(lambda-c CONFIG), targets lambda-c::<part>)
#   libexec/lambda-c/run-arm64   QEMU starter for an arm64 layer on another machine
#   share/lambda-c/  function.mk, sdk.json (target, tools, which library exports what),
#               templates/ (lambda-c new), sam/ (layer stack), layers/lambda-c-layer-ARCH.zip
#   share/doc/lambda-c/   guides, the API reference (html/), licenses/ (third-party texts)
#   share/man/man1/       lambda-c(1)
#
# Included by the top-level Makefile after the module fragments; uses its variables (B,
# VERSION, ARCH, CC, STRIP, TARGET_GLIBC, TARGET_TRIPLE, EMULATOR_BIN, LAYER_ZIP). Every
# path inside the tree is relative to the tree (pkg-config ${pcfiledir}, CMake
# CMAKE_CURRENT_LIST_DIR, the command's own location), so nothing of the build tree is baked in.

# The SDK libraries (SDK_LIBS, pkg-config names, the core first) and, per library NAME,
# PC_DESC_NAME and PC_REQUIRES_NAME come from the library fragments (sdk/*/*.mk).
sdk_requires = $(strip $(PC_REQUIRES_$(1)))

PREFIX ?= /usr/local
DESTDIR ?=
DOXYGEN ?= doxygen
PYTHON3 ?= python3
SDK_NAME := lambda-c-sdk-$(VERSION)-$(ARCH)
SDK_ARCHIVE := $(B)/$(SDK_NAME).tar.gz
SDK_TREE := $(B)/sdk
# The target's binutils, like STRIP (aarch64-linux-gnu-objcopy when cross-building).
SDK_OBJCOPY := $(patsubst %strip,%objcopy,$(STRIP))
SDK_NM := $(patsubst %strip,%nm,$(STRIP))
SDK_LIB_FILES := $(foreach l,$(SDK_LIBS),$(B)/lib/lib$(l).so.$(VERSION))
SDK_HEADERS := $(wildcard $(SDK_INCLUDE)/*.h $(SDK_INCLUDE)/lambda-c/*.h $(SDK_INCLUDE)/lambda-c/*/*.h)
SDK_STAMP := $(SDK_TREE)/share/lambda-c/sdk.json

# Third-party license texts, from the Debian packages the layer's copies come from
# (docs/THIRD_PARTY.md): NAME:PACKAGE -> licenses/NAME.copyright. The layer ships them too.
SDK_LICENSE_PACKAGES := json-c:libjson-c5 curl:libcurl4 openssl:libssl3
SDK_LICENSES := $(B)/licenses

$(SDK_LICENSES)/.stamp: mk/sdk.mk
	@rm -rf $(SDK_LICENSES) && mkdir -p $(SDK_LICENSES)
	@for pair in $(SDK_LICENSE_PACKAGES); do \
	    f=/usr/share/doc/$${pair#*:}/copyright; \
	    test -f "$$f" || { echo "sdk.mk: $$f is missing (install $${pair#*:})" >&2; exit 1; }; \
	    cp "$$f" $(SDK_LICENSES)/$${pair%%:*}.copyright; \
	done
	@touch $@
# layer/layer.sh copies $(B)/licenses into every layer it stages (layer.zip, layer-core.zip).
$(foreach z,$(LAYER_ZIP) $(LAYER_CORE_ZIP),$(eval $(z): $(SDK_LICENSES)/.stamp))

# ---------------------------------------------------------------- the command
# cli/lambda_c (Python 3 standard library only) as one executable zip file.
CLI_BIN := $(B)/bin/lambda-c
$(CLI_BIN): $(wildcard cli/lambda_c/*.py)
	@mkdir -p $(dir $@) $(B)/cli-app
	rm -rf $(B)/cli-app/lambda_c && cp -R cli/lambda_c $(B)/cli-app/ && rm -rf $(B)/cli-app/lambda_c/__pycache__
	$(PYTHON3) -m zipapp $(B)/cli-app -m 'lambda_c.main:run' -p '/usr/bin/env python3' -o $@
ALL_TARGETS += $(CLI_BIN)

# ---------------------------------------------------------------- pkg-config and CMake files
# One .pc per library; lambda-c.pc also records the target and the tools for function.mk.
define sdk_pc_rule
$(SDK_TREE)/lib/pkgconfig/$(1).pc: $(if $(filter lambda-c,$(1)),pkgconfig/lambda-c.pc.in,pkgconfig/library.pc.in) mk/sdk.mk
	@mkdir -p $$(dir $$@)
	sed -e 's|@NAME@|$(1)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@DESCRIPTION@|$(PC_DESC_$(1))|' \
	    -e 's|@REQUIRES@|$(call sdk_requires,$(1))|' -e 's|@ARCH@|$(ARCH)|' -e 's|@CC@|$(CC)|' \
	    -e 's|@TARGET_GLIBC@|$(TARGET_GLIBC)|' $$< > $$@
endef
$(foreach l,$(SDK_LIBS),$(eval $(call sdk_pc_rule,$(l))))
SDK_PC_FILES := $(SDK_LIBS:%=$(SDK_TREE)/lib/pkgconfig/%.pc)

SDK_CMAKE := $(SDK_TREE)/lib/cmake/lambda-c
$(SDK_CMAKE)/lambda-c-config.cmake: cmake/lambda-c-config.cmake.in cmake/lambda-c-functions.cmake mk/sdk.mk
	@mkdir -p $(dir $@)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@ARCH@|$(ARCH)|g' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
	    -e 's|@TARGET_GLIBC@|$(TARGET_GLIBC)|g' $< > $@.tmp
	printf '%s\n' $(foreach l,$(SDK_LIBS),'_lambda_c_library($(l) "$(call sdk_requires,$(l))")') >> $@.tmp
	printf '%s\n' 'include("$${CMAKE_CURRENT_LIST_DIR}/lambda-c-functions.cmake")' >> $@.tmp
	mv $@.tmp $@
	cp cmake/lambda-c-functions.cmake $(SDK_CMAKE)/
$(SDK_CMAKE)/lambda-c-config-version.cmake: cmake/lambda-c-config-version.cmake.in mk/sdk.mk
	@mkdir -p $(dir $@)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@ARCH@|$(ARCH)|g' $< > $@

# ---------------------------------------------------------------- the tree
# sdk.json: what the command and the link check read (target, tools, exported symbols).
$(SDK_STAMP): $(SDK_LIB_FILES) $(SDK_HEADERS) $(SDK_PC_FILES) $(CLI_BIN) $(EMULATOR_BIN) $(LAYER_ZIP) \
		$(SDK_CMAKE)/lambda-c-config.cmake $(SDK_CMAKE)/lambda-c-config-version.cmake \
		sdk/function.mk tools/check-glibc tools/run-arm64 tools/sdk-json $(SDK_LICENSES)/.stamp \
		$(shell find cli/templates sam -type f 2>/dev/null) $(wildcard docs/*.md) docs/man/lambda-c.1 mk/sdk.mk
	@mkdir -p $(SDK_TREE)/bin $(SDK_TREE)/include $(SDK_TREE)/lib $(SDK_TREE)/libexec/lambda-c \
	    $(SDK_TREE)/share/lambda-c/layers $(SDK_TREE)/share/doc/lambda-c $(SDK_TREE)/share/man/man1
	rm -rf $(SDK_TREE)/include/* $(SDK_TREE)/lib/lib*.so* $(SDK_TREE)/share/lambda-c/templates $(SDK_TREE)/share/lambda-c/sam \
	    $(SDK_TREE)/share/doc/lambda-c/licenses $(SDK_TREE)/share/doc/lambda-c/guides
	cp -R $(SDK_INCLUDE)/. $(SDK_TREE)/include/
	cp -P $(foreach l,$(SDK_LIBS),$(foreach v,$(VERSION) $(VERSION_MAJOR),$(B)/lib/lib$(l).so.$(v)) $(B)/lib/lib$(l).so) \
	    $(SDK_TREE)/lib/
	cp $(CLI_BIN) $(EMULATOR_BIN) $(SDK_TREE)/bin/
	cp tools/check-glibc $(SDK_TREE)/bin/lambda-c-check-glibc
	cp tools/run-arm64 $(SDK_TREE)/libexec/lambda-c/run-arm64
	cp sdk/function.mk $(SDK_TREE)/share/lambda-c/function.mk
	cp -R cli/templates $(SDK_TREE)/share/lambda-c/templates
	cp -R sam $(SDK_TREE)/share/lambda-c/sam
	cp $(LAYER_ZIP) $(SDK_TREE)/share/lambda-c/layers/lambda-c-layer-$(ARCH).zip
	cp -R $(SDK_LICENSES) $(SDK_TREE)/share/doc/lambda-c/licenses && rm -f $(SDK_TREE)/share/doc/lambda-c/licenses/.stamp
	mkdir -p $(SDK_TREE)/share/doc/lambda-c/guides && cp README.md $(SDK_TREE)/share/doc/lambda-c/
	cp $(wildcard docs/*.md) $(SDK_TREE)/share/doc/lambda-c/guides/
	cp docs/man/lambda-c.1 $(SDK_TREE)/share/man/man1/
	chmod 755 $(SDK_TREE)/bin/* $(SDK_TREE)/libexec/lambda-c/run-arm64
	$(PYTHON3) tools/sdk-json --version $(VERSION) --arch $(ARCH) --triple $(TARGET_TRIPLE) \
	    --glibc $(TARGET_GLIBC) --cc '$(CC)' --strip '$(STRIP)' --objcopy '$(SDK_OBJCOPY)' \
	    --nm '$(SDK_NM)' --lib-dir $(SDK_TREE)/lib $(SDK_LIBS) > $@.tmp
	mv $@.tmp $@
ALL_TARGETS += $(SDK_STAMP)

# The API reference (Doxygen, warnings are errors): share/doc/lambda-c/html.
SDK_API_DOCS := $(SDK_TREE)/share/doc/lambda-c/html/index.html
$(SDK_API_DOCS): docs/Doxyfile $(SDK_HEADERS)
	@mkdir -p $(SDK_TREE)/share/doc/lambda-c
	rm -rf $(SDK_TREE)/share/doc/lambda-c/html
	( cat docs/Doxyfile; echo 'OUTPUT_DIRECTORY = $(SDK_TREE)/share/doc/lambda-c'; \
	  echo 'PROJECT_NUMBER = $(VERSION)' ) | $(DOXYGEN) - >$(B)/doxygen.log
.PHONY: docs
docs: $(SDK_API_DOCS)

# ---------------------------------------------------------------- sam build of template.yaml
# A layer resource (logical id ending in Layer, ContentUri: .): sam build runs this in a
# scratch copy of the repository with ARTIFACTS_DIR set: the one build path, then the layer
# tree (/opt) into it.
build-%Layer:
	./build.sh layer "$(ARTIFACTS_DIR)"

# ---------------------------------------------------------------- archive and install
# Without Doxygen (not a build dependency: the Amazon Linux image lacks it) the archive has no
# html/; CI installs it and the tests require the reference.
SDK_HAVE_DOXYGEN := $(shell command -v $(DOXYGEN) 2>/dev/null)
$(SDK_ARCHIVE): $(SDK_STAMP) $(if $(SDK_HAVE_DOXYGEN),$(SDK_API_DOCS))
	$(if $(SDK_HAVE_DOXYGEN),,@echo "sdk.mk: $(DOXYGEN) not found: $@ has no API reference (apt-get install doxygen)" >&2)
	rm -f $@ && tar -C $(B) --transform 's|^sdk|$(SDK_NAME)|' --owner=0 --group=0 --sort=name \
	    -czf $@ sdk
ALL_TARGETS += $(SDK_ARCHIVE)
.PHONY: sdk-archive
sdk-archive: $(SDK_ARCHIVE)

.PHONY: install
install: $(SDK_STAMP) $(if $(SDK_HAVE_DOXYGEN),$(SDK_API_DOCS))
	mkdir -p '$(DESTDIR)$(PREFIX)'
	cp -R -P $(SDK_TREE)/. '$(DESTDIR)$(PREFIX)/'
