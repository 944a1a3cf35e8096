#!/usr/bin/env bash
# third_party/build-curl.sh - the libcurl and OpenSSL that the layer ships for liblambda-c-aws,
# which dlopen()s libcurl.so.4 and libcrypto.so.3 on first use (sdk/aws/loader.c).
#
#   third_party/build-curl.sh CACHE_DIR [ROOTS_FILE]
#
# ROOTS_FILE (default layer/dlopen-libraries): the sonames the layer's code dlopen()s, one a
# line. libcurl.so.4 is built; the others are the target's own libraries.
#
# Leaves in CACHE_DIR/<target triple>/lib/ exactly the libraries the layer bundles for it:
#   libcurl.so.4    lean: built here from Debian's own source package (with Debian's security
#                   patches), HTTP and HTTPS only, OpenSSL, no zlib, no LDAP/RTMP/SSH/Kerberos/
#                   GnuTLS/IDN/PSL/nghttp2/brotli/zstd; soname and versioned symbols
#                   (CURL_OPENSSL_4) as Debian's libcurl4; RUNPATH $ORIGIN; no CA path built in
#   libssl.so.3, libcrypto.so.3 (and whatever else the closure needs, minus glibc): the
#                   target's own Debian libraries, copied
# and CACHE_DIR/<triple>/BUILDINFO (versions, configure line). docs/THIRD_PARTY.md says why.
#
# The compile is cached: it is skipped while CACHE_DIR/<triple>/curl.stamp matches the build
# steps and flags below, the target and the source version. The download (apt-get source,
# with a private deb-src list under CACHE_DIR) is kept in CACHE_DIR/src: delete it to pick up
# a newer Debian release.
# The system libraries are copied again on every run (cheap), so a Debian OpenSSL update
# reaches the layer at the next build.
#
# Environment: CC (the target compiler: aarch64-linux-gnu-gcc cross-compiles for arm64, with
# PKG_CONFIG_LIBDIR pointing at the :arm64 .pc files as build.sh sets it), JOBS (make -j,
# default: cores), LAMBDA_C_CURL=system (no Debian source at hand, e.g. on Amazon Linux: bundle
# the system's libcurl.so.4 and its closure instead; chosen by itself when apt-get is missing).
set -euo pipefail

[ $# = 1 ] || [ $# = 2 ] || { echo "usage: $0 CACHE_DIR [ROOTS_FILE]" >&2; exit 2; }
ROOTS_FILE=${2:-layer/dlopen-libraries}
ROOTS=$(sed 's/#.*//' "$ROOTS_FILE" | tr -s ' \n' ' ')
case " $ROOTS " in
*" libcurl.so.4 "*) ;;
*) echo "$0: libcurl.so.4 is not in $ROOTS_FILE" >&2; exit 2 ;;
esac
CC=${CC:-cc}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
TRIPLE=$($CC -dumpmachine)
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
OUT=$CACHE/$TRIPLE
MODE=${LAMBDA_C_CURL:-lean}
if [ "$MODE" = lean ] && ! command -v apt-get >/dev/null 2>&1; then
    MODE=system
fi

log() { printf 'build-curl.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# glibc's own libraries: provided by every Lambda runtime, never bundled.
is_glibc() {
    case $1 in
    libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libresolv.so.* | \
        libutil.so.* | libanl.so.* | ld-linux*.so.*) return 0 ;;
    esac
    return 1
}

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'; }

# Copies into $OUT/lib what the ELF files given need, recursively, except glibc, from the
# target's library folders ($CC -print-file-name), following symbolic links.
copy_closure() {
    local todo=("$@") file lib path
    while [ ${#todo[@]} -gt 0 ]; do
        file=${todo[0]}
        todo=("${todo[@]:1}")
        for lib in $(needed "$file"); do
            is_glibc "$lib" && continue
            [ -e "$OUT/lib/$lib" ] && continue
            path=$($CC -print-file-name="$lib")
            [ "$path" != "$lib" ] && [ -e "$path" ] ||
                die "$lib (needed by ${file##*/}) is not found for $TRIPLE"
            cp -L "$path" "$OUT/lib/$lib"
            todo+=("$OUT/lib/$lib")
        done
    done
}

# ---------------------------------------------------------------- what we build and how
# HTTP(S) with OpenSSL and nothing else. The threaded resolver keeps timeouts working with
# CURLOPT_NOSIGNAL. No CA bundle or path is built in: liblambda-c-aws sets CURLOPT_CAINFO
# (SSL_CERT_FILE, then Amazon Linux's and Debian's bundles); a handler calling libcurl itself
# without CAINFO gets OpenSSL's defaults (--with-ca-fallback), which honour SSL_CERT_FILE.
CONFIGURE_FLAGS=(
    --enable-shared --disable-static --disable-dependency-tracking --enable-symbol-hiding
    --enable-versioned-symbols --enable-threaded-resolver --enable-ipv6
    --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp
    --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb
    --disable-smtp --disable-gopher --disable-mqtt --disable-ntlm-wb --disable-manual
    --with-openssl --without-zlib --without-brotli --without-zstd --without-libpsl
    --without-libgsasl --without-libssh2 --without-libssh --without-wolfssh --without-librtmp
    --without-libidn2 --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche
    --without-msh3 --without-hyper
    --without-ca-bundle --without-ca-path --with-ca-fallback
    --without-zsh-functions-dir --without-fish-functions-dir
)
CURL_CFLAGS="-O2 -g0 -fstack-protector-strong -D_FORTIFY_SOURCE=2"
CURL_LDFLAGS="-Wl,-z,relro,-z,now -Wl,--as-needed -Wl,-O1"

# Debian patches that change the build system (autotools files, the GnuTLS/NSS flavours, zsh
# completion) are packaging, not fixes: applying them would need autoreconf. The rest (CVE
# and bug fixes to lib/) are applied in Debian's order.
is_packaging_patch() {
    grep -E '^\+\+\+ ' "$1" | awk '{print $2}' |
        grep -Eq '(configure\.ac|\.am|\.m4|ltmain\.sh|curl-config\.in)$'
}

# Downloads Debian's curl source package into $CACHE/src (verified by apt against the signed
# Sources index) with a private deb-src list: the system's apt setup is not touched.
fetch_source() {
    local apt=$CACHE/apt codename
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || codename=bookworm
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$CACHE/src"
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg signed=""
    [ -f "$keyring" ] && signed=" [signed-by=$keyring]"
    cat >"$apt/sources.list" <<EOF
deb-src$signed http://deb.debian.org/debian $codename main
deb-src$signed http://deb.debian.org/debian $codename-updates main
deb-src$signed http://deb.debian.org/debian-security $codename-security main
EOF
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Debug::NoLocking=1"
        -o "APT::Sandbox::User=root" -qq)
    log "fetching Debian's curl source package ($codename)"
    apt-get "${opts[@]}" update >&2 ||
        die "apt-get update (deb-src $codename) failed; offline? LAMBDA_C_CURL=system bundles" \
            "the system's libcurl instead"
    # The newest version first; an older one if a mirror lacks a file of the newest.
    local versions v
    versions=$(apt-cache "${opts[@]}" showsrc curl | sed -n 's/^Version: //p' | sort -u |
        sort -r -V)
    [ -n "$versions" ] || die "no curl source package in the deb-src lists"
    for v in $versions; do
        rm -f "$CACHE"/src/curl_*
        (cd "$CACHE/src" && apt-get "${opts[@]}" source --download-only "curl=$v" >&2) && break
        log "could not download curl $v"
        v=""
    done
    [ -n "$v" ] || die "apt-get source curl failed"
    rm -rf "$apt/lists" "$apt/cache"  # 20 MB of indexes, not needed any more
}

# patch and xz (tar -J) are not on every Debian: installed as build.sh installs its packages.
ensure_tools() {
    local missing=""
    command -v patch >/dev/null 2>&1 || missing="$missing patch"
    command -v xz >/dev/null 2>&1 || missing="$missing xz-utils"
    [ -z "$missing" ] && return 0
    [ "$(id -u)" = 0 ] || die "missing packages; run: sudo apt-get install$missing"
    log "installing:$missing"
    # shellcheck disable=SC2086
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing; } >&2 || die "could not install$missing"
}

build_lean() {
    local dsc work src version p applied=0 skipped=""
    dsc=$(ls "$CACHE"/src/curl_*.dsc 2>/dev/null | head -n 1 || true)
    [ -n "$dsc" ] || { fetch_source; dsc=$(ls "$CACHE"/src/curl_*.dsc | head -n 1); }
    version=$(sed -n 's/^Version: //p' "$dsc")
    work=$OUT/work
    rm -rf "$work" && mkdir -p "$work"
    tar -C "$work" -xzf "$(ls "$CACHE"/src/curl_*.orig.tar.gz)"
    src=$(ls -d "$work"/curl-*)
    tar -C "$src" -xJf "$(ls "$CACHE"/src/curl_*.debian.tar.xz)"
    while read -r p; do
        case $p in '' | '#'*) continue ;; esac
        p=${p%% *}
        if is_packaging_patch "$src/debian/patches/$p"; then
            skipped="$skipped $p"
            continue
        fi
        patch -d "$src" -p1 -s -f --no-backup-if-mismatch <"$src/debian/patches/$p" >&2 ||
            die "Debian patch $p does not apply"
        applied=$((applied + 1))
    done <"$src/debian/patches/series"
    log "curl $version: $applied Debian patches applied; skipped (packaging):$skipped"

    local host=()
    case $TRIPLE in "$(uname -m)"-*) ;; *) host=(--host="$TRIPLE") ;; esac
    log "configuring for $TRIPLE"
    SECONDS=0
    # dash, where there is one, for configure and libtool: a third fewer CPU seconds than bash.
    local shell=/bin/sh
    [ -x /bin/dash ] && shell=/bin/dash
    (cd "$src" && CONFIG_SHELL=$shell CC="$CC" CFLAGS="$CURL_CFLAGS" LDFLAGS="$CURL_LDFLAGS" \
        "$shell" ./configure "${host[@]}" "${CONFIGURE_FLAGS[@]}" >"$work/configure.log" 2>&1) ||
        { tail -n 30 "$work/configure.log" >&2; die "configure failed (log: $work/configure.log)"; }
    log "configured in $SECONDS s; compiling lib/ (make -j$JOBS)"
    SECONDS=0
    # RUNPATH $ORIGIN: libssl and libcrypto come from beside it (the layer's lib/) even when
    # LD_LIBRARY_PATH lacks /opt/lib. Given at make time: configure would mangle the $.
    # Its own -j, not the calling make's jobserver (MAKEFLAGS would make it run -j1).
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src/lib" -j"$JOBS" \
        LDFLAGS="$CURL_LDFLAGS -Wl,-rpath,'\$\$ORIGIN'" >"$work/make.log" 2>&1 ||
        { tail -n 30 "$work/make.log" >&2; die "make failed (log: $work/make.log)"; }

    log "compiled in $SECONDS s"
    local so
    so=$(ls "$src"/lib/.libs/libcurl.so.4.*.* | head -n 1)
    [ -f "$so" ] || die "no libcurl.so.4 was built"
    # Lean means OpenSSL and glibc only: configure must not have picked up anything else.
    for p in $(needed "$so"); do
        is_glibc "$p" || [ "$p" = libssl.so.3 ] || [ "$p" = libcrypto.so.3 ] ||
            die "the lean libcurl needs $p: configure found a library it was told not to use"
    done
    mkdir -p "$OUT/lib"
    cp "$so" "$OUT/lib/libcurl.so.4.new" && mv "$OUT/lib/libcurl.so.4.new" "$OUT/lib/libcurl.so.4"
    {
        echo "libcurl: Debian source package curl $version, lean build (third_party/build-curl.sh)"
        echo "target: $TRIPLE"
        echo "configure: ${host[*]} ${CONFIGURE_FLAGS[*]}"
        echo "protocols: $(sh "$src/curl-config" --protocols | tr '\n' ' ')"
        echo "features: $(sh "$src/curl-config" --features | tr '\n' ' ')"
    } >"$OUT/curl.info"
    cp "$src/COPYING" "$OUT/COPYING.curl"
    rm -rf "$work"
    echo "$KEY $version" >"$OUT/curl.stamp"
}

# The cache key: what decides the compiled library (flags, patch rule, build steps, target).
KEY=$({
    declare -f is_packaging_patch build_lean
    echo "${CONFIGURE_FLAGS[*]} $CURL_CFLAGS $CURL_LDFLAGS $TRIPLE"
} | sha256sum | cut -c1-16)

# One build at a time per cache (several build trees may share it).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock 9
fi

mkdir -p "$OUT"
if [ "$MODE" = lean ]; then
    # The stamp names the source version too: no source in CACHE/src means a new download.
    src_version=$(sed -n 's/^Version: //p' "$CACHE"/src/curl_*.dsc 2>/dev/null | head -n 1 || true)
    if [ "$(cat "$OUT/curl.stamp" 2>/dev/null)" = "$KEY $src_version" ] && [ -f "$OUT/lib/libcurl.so.4" ]; then
        log "lean libcurl for $TRIPLE is up to date ($OUT/lib/libcurl.so.4)"
    else
        start=$(date +%s)
        ensure_tools
        build_lean
        log "lean libcurl for $TRIPLE built in $(($(date +%s) - start)) s"
    fi
    # Everything but the cached libcurl is copied afresh: the closure of the current system.
    find "$OUT/lib" -mindepth 1 ! -name libcurl.so.4 -exec rm -f {} +
    cp "$OUT/curl.info" "$OUT/BUILDINFO"
else
    log "LAMBDA_C_CURL=system: bundling the system's libcurl.so.4 and its closure"
    path=$($CC -print-file-name=libcurl.so.4)
    [ "$path" != libcurl.so.4 ] && [ -e "$path" ] || die "the system has no libcurl.so.4 for $TRIPLE"
    rm -rf "${OUT:?}/lib" "$OUT/curl.stamp" && mkdir -p "$OUT/lib"
    cp -L "$path" "$OUT/lib/libcurl.so.4"
    echo "libcurl: the system's ($path), not the lean build" >"$OUT/BUILDINFO"
fi
# The other roots (libcrypto.so.3: liblambda-c-aws signs with it directly), then the closure.
for lib in $ROOTS; do
    [ "$lib" = libcurl.so.4 ] && continue
    path=$($CC -print-file-name="$lib")
    [ "$path" != "$lib" ] && [ -e "$path" ] || die "$lib is not found for $TRIPLE (libssl-dev?)"
    cp -L "$path" "$OUT/lib/$lib"
done
# shellcheck disable=SC2046 # sonames have no spaces
copy_closure $(for lib in $ROOTS; do echo "$OUT/lib/$lib"; done)
# Where each copied library comes from: its Debian package and version.
for lib in "$OUT"/lib/*; do
    [ "${lib##*/}" = libcurl.so.4 ] && [ "$MODE" = lean ] && continue
    real=$(readlink -f "$($CC -print-file-name="${lib##*/}")")
    pkg=""
    for f in "$real" "${real/#\/usr\/lib\//\/lib\/}"; do  # merged /usr: dpkg may know either
        [ -n "$pkg" ] || pkg=$(dpkg-query -S "$f" 2>/dev/null | head -n 1 | sed 's/: .*//' || true)
    done
    version=""
    [ -z "$pkg" ] || version=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
    echo "${lib##*/}: ${pkg:-?} $version ($real)" >>"$OUT/BUILDINFO"
done
touch "$OUT/lib/libcurl.so.4"  # the Makefile's target: newer than its prerequisites
log "bundled for $TRIPLE: $(cd "$OUT/lib" && ls | tr '\n' ' ')"
