#!/usr/bin/env bash
# lambda-c: the one build path, for developers, CI and the Dockerfile alike.
#
#   ./build.sh [--arch x86_64|arm64] [COMMAND]
#   ./build.sh                      build everything into build/
#   ./build.sh invoke FUNCTION|DIR [EVENT-JSON|@FILE]
#                                   build, start the local emulator with the layer and
#                                   build/functions/FUNCTION.zip (or the function project DIR,
#                                   through `lambda-c invoke`), invoke it once, print the
#                                   answer on stdout (logs on stderr); non-zero if it failed
#   ./build.sh new NAME [OPTIONS]   build, then `lambda-c new` (the SDK's command, see
#                                   `build/sdk/bin/lambda-c new --help`): a function project
#   ./build.sh layer DEST           build, then copy the layer tree (/opt) into DEST
#                                   (what `sam build` runs: make build-RuntimeLayer)
#   ./build.sh test                 every test: unit, integration, sanitizers, valgrind, arm64
#   ./build.sh fuzz [SECONDS]       build the libFuzzer targets (tests/fuzz/) and fuzz each for
#                                   SECONDS (default 60); a finding fails the command
#   ./build.sh bench                the benchmark suite (bench/)
#   ./build.sh clean
#
# --arch arm64 builds for Graviton into build-arm64/: cross-compiled with Debian's
# aarch64-linux-gnu-gcc and :arm64 libraries (natively on an arm64 machine); invoke runs it
# under qemu-aarch64-static. Every ELF file of the layer and the functions is checked against
# provided.al2023's glibc (2.34) by tools/check-glibc.
# Environment: BUILD_DIR (default build, build-arm64), JOBS (default: number of cores), CC,
# LAMBDA_C_ARCH (default for --arch; `layer` otherwise follows the lambda-c SDK on
# PKG_CONFIG_PATH, so that sam build makes the layer for the functions' architecture).
# Missing dependencies are installed with apt-get when running as root on Debian/Ubuntu;
# otherwise the exact packages to install are named.
set -euo pipefail

CALLER_DIR=$(pwd)  # where relative paths given on the command line start
cd "$(dirname "$0")"
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-}  # set by setup_arch
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

log() { printf '%s\n' "build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- architecture

HOST_ARCH=$(uname -m | sed 's/^aarch64$/arm64/')
ARCH=${LAMBDA_C_ARCH:-}
CROSS=""

# Decides ARCH (x86_64 or arm64), the default BUILD_DIR, and for arm64 on another machine the
# cross compiler and Debian's :arm64 pkg-config folder.
setup_arch() {
    case ${ARCH:=$HOST_ARCH} in
    x86_64 | arm64) ;;
    *) die "unknown architecture '$ARCH' (x86_64 or arm64)" ;;
    esac
    if [ -z "$BUILD_DIR" ]; then
        BUILD_DIR=build
        [ "$ARCH" = arm64 ] && BUILD_DIR=build-arm64
    fi
    if [ "$ARCH" != "$HOST_ARCH" ]; then
        [ "$ARCH" = arm64 ] || die "building for $ARCH on $HOST_ARCH is not supported (use the Dockerfile)"
        CROSS=1
        export CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
        export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
        unset PKG_CONFIG_PATH
    fi
}

# ---------------------------------------------------------------- dependencies

# Debian packages each task needs.
BUILD_PACKAGES="gcc make pkg-config libc6-dev libjson-c-dev libcurl4-openssl-dev libssl-dev zip unzip binutils python3"
# The fuzz targets: Debian's clang and its libFuzzer/sanitizer runtimes.
FUZZ_PACKAGES="clang-14 libclang-rt-14-dev"
# PACKAGE@COMMAND: the package is only needed when COMMAND is not on PATH (a Node.js from
# elsewhere brings its own npm, and Debian's npm package would conflict with it).
TEST_PACKAGES="$BUILD_PACKAGES python3-yaml libcmocka-dev python3-pytest valgrind awscli curl cmake doxygen man-db gdb npm@npm $FUZZ_PACKAGES"
# arm64 on an x86_64 machine (needs `dpkg --add-architecture arm64`). The :arm64 curl and
# OpenSSL headers are for liblambda-c-aws, which dlopens those libraries at run time.
ARM64_BUILD_PACKAGES="gcc-aarch64-linux-gnu libc6-dev-arm64-cross libjson-c-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64"
ARM64_TEST_PACKAGES="$ARM64_BUILD_PACKAGES qemu-user-static"

missing_packages() {
    local missing="" p
    for p in "$@"; do
        case "$p" in
        *@*)
            command -v "${p#*@}" >/dev/null 2>&1 && continue
            p=${p%%@*}
            ;;
        esac
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing="$missing $p"
    done
    printf '%s' "$missing"
}

ensure_packages() {
    command -v dpkg-query >/dev/null 2>&1 || {
        log "not a Debian-like system: make sure these are installed: $*"
        return 0
    }
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ]; then
        log "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >&2
    else
        die "missing packages; run: sudo apt-get install$missing"
    fi
}

# Debian's :arm64 packages need the arm64 architecture added to dpkg first.
ensure_arm64_packages() {
    if command -v dpkg >/dev/null 2>&1 && [ -n "$(missing_packages "$@")" ] &&
        ! dpkg --print-foreign-architectures | grep -qx arm64; then
        [ "$(id -u)" = 0 ] || die "missing packages; run: sudo dpkg --add-architecture arm64 &&" \
            "sudo apt-get update && sudo apt-get install$(missing_packages "$@")"
        log "adding the arm64 architecture to dpkg"
        dpkg --add-architecture arm64
    fi
    ensure_packages "$@"
}

# ---------------------------------------------------------------- build

build_all() {
    ensure_packages $BUILD_PACKAGES
    if [ -n "$CROSS" ]; then ensure_arm64_packages $ARM64_BUILD_PACKAGES; fi
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" all >&2
}

# sam build's build-RuntimeLayer: the layer tree, exactly what Lambda unpacks to /opt.
cmd_layer() {
    [ $# = 1 ] && [ -n "$1" ] || die "usage: ./build.sh [--arch x86_64|arm64] layer DEST"
    build_all
    mkdir -p "$1"
    cp -R "$BUILD_DIR/layer/." "$1/"
    log "lambda-c $(cat "$BUILD_DIR/layer/VERSION") layer for $ARCH copied to $1"
}

# ---------------------------------------------------------------- invoke

cmd_invoke() {
    [ $# -ge 1 ] || die "usage: ./build.sh [--arch x86_64|arm64] invoke FUNCTION|DIR [EVENT-JSON|@FILE]"
    local name=$1 event=${2-'{}'} code handler dir="" extra=()
    case $event in @- | @/*) ;; @*) event="@$CALLER_DIR/${event#@}" ;; esac
    case $name in
    */* | . | ..) dir=$(cd "$CALLER_DIR" && cd "$name" 2>/dev/null && pwd) || die "no function folder $name" ;;
    esac
    # Only what this invoke needs, not `make all`: the emulator, the function, and the core
    # layer unless the function links liblambda-c-aws (then the complete layer, whose AWS part
    # compiles the lean libcurl once). A first `./build.sh invoke hello` takes seconds.
    ensure_packages $BUILD_PACKAGES
    if [ -n "$CROSS" ]; then ensure_arm64_packages $ARM64_BUILD_PACKAGES; fi
    local targets=("$BUILD_DIR/bin/lambda-c-emulator")
    if [ -n "$dir" ]; then
        targets+=("$BUILD_DIR/sdk/share/lambda-c/sdk.json")  # the SDK tree its lambda-c runs from
    else
        [ -d "examples/$name" ] || die "no function '$name': expected a folder examples/$name"
        targets+=("$BUILD_DIR/functions/$name.zip")
    fi
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" "${targets[@]}" >&2
    if [ -n "$dir" ]; then
        # A function project (lambda-c new): built and run by the SDK's command.
        if [ -n "$CROSS" ]; then extra=(--arch arm64); fi
        if [ $# -ge 2 ]; then extra+=(--event "$event"); fi
        exec "$(abspath "$BUILD_DIR")/sdk/bin/lambda-c" invoke "$dir" "${extra[@]}"
    else
        code="$BUILD_DIR/functions/$name.zip"
        [ -f "$code" ] || die "no function '$name': expected $code (functions are the folders in examples/)"
        handler="$name.handler"
        [ -f "examples/$name/bootstrap.c" ] && handler="bootstrap"
    fi
    local layer="$BUILD_DIR/layer-core.zip" files="$code"
    [ -d "$code" ] || files="$BUILD_DIR/functions/$name"
    if needs_aws_client "$files"; then layer="$BUILD_DIR/layer.zip"; fi
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" "$layer" >&2
    # arm64 on another machine: the runtime runs under QEMU (tools/run-arm64).
    if [ -n "$CROSS" ]; then extra=(--runtime-wrapper "$ROOT/tools/run-arm64"); fi
    # Debian's python3 first: a python3 earlier on PATH may be a slow-starting shim.
    "$(command -v /usr/bin/python3 || command -v python3)" "$BUILD_DIR/bin/lambda-c-emulator" --port 0 \
        --layer "$layer" "${extra[@]}" \
        --function "$name=$code,handler=$handler" \
        --invoke "$name" --event "$event"
}

# Whether an ELF file in the folder names liblambda-c-aws in its DT_NEEDED.
needs_aws_client() { # folder
    local f
    for f in "$1"/*; do
        [ -f "$f" ] && readelf -d "$f" 2>/dev/null | grep -q 'Shared library: \[liblambda-c-aws\.' && return 0
    done
    return 1
}

abspath() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s' "$ROOT/$1" ;; esac; }

# ---------------------------------------------------------------- new

# Function projects are made by the SDK's command (cli/): lambda-c new NAME [--template T].
cmd_new() {
    build_all
    cd "$CALLER_DIR"
    exec "$(abspath "$BUILD_DIR")/sdk/bin/lambda-c" new "$@"
}

# ---------------------------------------------------------------- test

# Each tree's tests write JUnit XML reports to TREE/test-reports (tools/run-tests); the final
# line sums the reports of every tree (tools/test-summary), never text grepped from output.
REPORT_DIRS=()
FAILED_SUITES=""

run_tree_tests() { # label build_dir unit|integration|all [pytest args...]
    local label=$1 dir=$2
    shift 2
    rm -rf "$dir/test-reports"
    REPORT_DIRS+=("$dir/test-reports")
    log "== $label tests ($dir)"
    SIGV4_SUITE_DIR="$SIGV4_SUITE_DIR" tools/run-tests "$dir" "$@" || FAILED_SUITES="$FAILED_SUITES $label"
}

fetch_sigv4_suite() {
    SIGV4_SUITE_DIR=""
    local dest; dest="$(abspath "$BUILD_DIR")/sigv4-suite"
    if bash tests/unit/aws/fetch-sigv4-suite.sh "$dest" >&2; then
        SIGV4_SUITE_DIR=$(cat "$dest/.suite-dir" 2>/dev/null || echo "$dest")
    else
        log "could not fetch the SigV4 test suite (npm); its cases fail under CI=true, else are skipped"
    fi
    export SIGV4_SUITE_DIR
}

cmd_test() {
    ensure_packages $TEST_PACKAGES
    local asan_dir="${BUILD_DIR}-asan"
    fetch_sigv4_suite
    # arm64: the layer cross-built and run under QEMU (tests marked arm64).
    local arm64_dir=""
    if [ "$HOST_ARCH" = x86_64 ]; then
        ensure_arm64_packages $ARM64_TEST_PACKAGES
        arm64_dir="${BUILD_DIR}-arm64"
    fi
    command -v cfn-lint >/dev/null 2>&1 ||
        log "cfn-lint is missing (pipx install cfn-lint): the template.yaml test fails when CI=true"

    log "== build ($BUILD_DIR)"
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" all unit-tests >&2

    if [ -n "$arm64_dir" ]; then
        log "== arm64 build ($arm64_dir)"
        BUILD_DIR="$arm64_dir" "$ROOT/build.sh" --arch arm64 build
        LAMBDA_C_ARM64_BUILD_DIR=$(abspath "$arm64_dir")
        export LAMBDA_C_ARM64_BUILD_DIR
    fi
    run_tree_tests normal "$BUILD_DIR" all

    # Every fuzz target over its seed corpus and past findings, then a few seconds of fuzzing;
    # its JUnit report ($BUILD_DIR/test-reports/fuzz.xml, one testcase per target) is summed
    # with the others below (the suite is also named when the script itself fails).
    log "== fuzz targets ($BUILD_DIR/fuzz)"
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" fuzz-targets >&2
    bash tests/fuzz/run.sh "$BUILD_DIR" check >&2 || FAILED_SUITES="$FAILED_SUITES fuzz"

    log "== ASan+UBSan build ($asan_dir)"
    make -j"$JOBS" BUILD_DIR="$asan_dir" SANITIZE=address,undefined OPT=-O1 all unit-tests >&2
    # handle_segv=0: a handler's deliberate crash must reach the runtime's own crash report.
    # arm64 and packaging tests do not depend on the build under test: they run once, above.
    ASAN_OPTIONS="detect_leaks=1:handle_segv=0:abort_on_error=0:allocator_may_return_null=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        run_tree_tests asan "$asan_dir" all -m "not valgrind and not arm64 and not packaging"

    # ThreadSanitizer: the runtime's multi-concurrency workers (and the SDK they share).
    local tsan_dir="${BUILD_DIR}-tsan"
    log "== ThreadSanitizer build ($tsan_dir) and the concurrency tests"
    make -j"$JOBS" BUILD_DIR="$tsan_dir" SANITIZE=thread OPT=-O1 \
        "$tsan_dir/layer.zip" "$tsan_dir/bin/lambda-c-emulator" \
        "$tsan_dir/test-functions/slowecho.zip" "$tsan_dir/functions/hello.zip" >&2
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
        run_tree_tests tsan "$tsan_dir" integration -k "concurrency"

    if [ -n "$FAILED_SUITES" ]; then log "failed:$FAILED_SUITES"; fi
    local passed failed skipped reports=()
    for d in "${REPORT_DIRS[@]}"; do reports+=("$d"/*.xml); done
    read -r passed failed skipped < <(python3 tools/test-summary "${reports[@]}")
    if [ "$skipped" != 0 ]; then
        echo "$passed passed, $failed failed, $skipped skipped"
    else
        echo "$passed passed, $failed failed"
    fi
    [ "$failed" = 0 ] && [ -z "$FAILED_SUITES" ]
}

# ---------------------------------------------------------------- fuzz

cmd_fuzz() {
    local seconds=${1:-60}
    case $seconds in '' | *[!0-9]*) die "usage: ./build.sh fuzz [SECONDS]" ;; esac
    ensure_packages $BUILD_PACKAGES $FUZZ_PACKAGES
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" fuzz-targets >&2
    bash tests/fuzz/run.sh "$BUILD_DIR" fuzz "$seconds"
}

# ---------------------------------------------------------------- bench

cmd_bench() {
    ensure_packages $BUILD_PACKAGES valgrind strace
    build_all
    bash bench/run.sh "$BUILD_DIR"
}

# ---------------------------------------------------------------- main

while [ $# -gt 0 ]; do
    case $1 in
    --arch) [ $# -ge 2 ] || die "--arch needs x86_64 or arm64"; ARCH=$2; shift 2 ;;
    --arch=*) ARCH=${1#*=}; shift ;;
    *) break ;;
    esac
done
if [ -z "$ARCH" ] && [ "${1:-}" = layer ]; then
    # sam build: the layer follows the SDK the functions are built against.
    ARCH=$(pkg-config --variable=arch lambda-c 2>/dev/null || true)
    [ -z "$ARCH" ] || log "building the layer for $ARCH, the architecture of the lambda-c SDK on PKG_CONFIG_PATH"
fi
setup_arch

case "${1:-build}" in
build) build_all ;;
invoke) shift; cmd_invoke "$@" ;;
layer) shift; cmd_layer "$@" ;;
new) shift; cmd_new "$@" ;;
test) shift; cmd_test "$@" ;;
fuzz) shift; cmd_fuzz "$@" ;;
bench) shift; cmd_bench "$@" ;;
clean) rm -rf "$BUILD_DIR" "${BUILD_DIR}-asan" "${BUILD_DIR}-tsan" "${BUILD_DIR}-arm64" ;;
-h | --help | help) sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p' ;;
*) die "unknown command '$1' (try ./build.sh help)" ;;
esac
