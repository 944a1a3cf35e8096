#!/usr/bin/env bash
# lambda-c: the one build path, for developers, CI and the Dockerfile alike.
#
#   ./build.sh [--arch x86_64|arm64] [COMMAND]
#   ./build.sh                      build everything into build/
#   ./build.sh invoke FUNCTION|DIR [EVENT-JSON|@FILE]
#                                   build, start the local emulator with the layer and
#                                   build/functions/FUNCTION.zip (or the function folder DIR,
#                                   built by its Makefile), invoke it once, print the
#                                   answer on stdout (logs on stderr); non-zero if it failed
#   ./build.sh new NAME [DIR]       create a function folder (default examples/NAME): handler,
#                                   Makefile for sam build, event.json, test_NAME.py
#   ./build.sh layer DEST           build, then copy the layer tree (/opt) into DEST
#                                   (what `sam build` runs: make build-RuntimeLayer)
#   ./build.sh test                 every test: unit, integration, sanitizers, valgrind, arm64
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
# PACKAGE@COMMAND: the package is only needed when COMMAND is not on PATH (a Node.js from
# elsewhere brings its own npm, and Debian's npm package would conflict with it).
TEST_PACKAGES="$BUILD_PACKAGES libcmocka-dev python3-pytest valgrind awscli curl npm@npm"
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
        targets+=("$BUILD_DIR/sdk/lib/pkgconfig/lambda-c.pc")
    else
        [ -d "examples/$name" ] || die "no function '$name': expected a folder examples/$name"
        targets+=("$BUILD_DIR/functions/$name.zip")
    fi
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" "${targets[@]}" >&2
    if [ -n "$dir" ]; then
        # A function folder with a sam build Makefile (./build.sh new), built the same way.
        code="$(abspath "$BUILD_DIR")/dir-functions/$(basename "$dir")"
        build_function_dir "$dir" "$code"
        name=$(basename "$dir")
        if [ -f "$code/bootstrap" ]; then
            handler=bootstrap
        else
            handler=$(cd "$code" && ls -- *.so 2>/dev/null | head -n 1)
            [ -n "$handler" ] || die "$dir built no .so and no bootstrap"
            handler="${handler%.so}.handler"
        fi
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

# Builds a function folder as sam build does: make build-<LogicalId> with ARTIFACTS_DIR set,
# against the SDK of this build (PKG_CONFIG_PATH).
build_function_dir() { # dir artifacts_dir
    local target
    target=$(sed -n 's/^\(build-[A-Za-z0-9]*\):.*/\1/p' "$1/Makefile" 2>/dev/null | head -n 1)
    [ -n "$target" ] || die "$1/Makefile has no build-<LogicalId> target (see ./build.sh new)"
    rm -rf "$2" && mkdir -p "$2"
    PKG_CONFIG_PATH="$(abspath "$BUILD_DIR")/sdk/lib/pkgconfig" \
        make -C "$1" --no-print-directory "$target" ARTIFACTS_DIR="$2" >&2
}

# ---------------------------------------------------------------- new

cmd_new() {
    [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: ./build.sh new NAME [DIR]"
    local name=$1 dir id test root
    printf '%s' "$name" | grep -Eq '^[a-z][a-z0-9_-]{0,63}$' ||
        die "bad name '$name': a lowercase letter, then lowercase letters, digits, - or _"
    if [ $# = 2 ]; then dir=$(cd "$CALLER_DIR" && abspath_from "$2"); else dir="$ROOT/examples/$name"; fi
    [ ! -e "$dir" ] || die "$dir exists already"
    id=$(printf '%s' "$name" | awk -F'[-_]' '{ for (i = 1; i <= NF; i++)
        printf "%s%s", toupper(substr($i, 1, 1)), substr($i, 2) }')Function
    test="test_$(printf '%s' "$name" | tr - _).py"
    mkdir -p "$dir"
    root=$(realpath --relative-to="$dir" "$ROOT")

    cat >"$dir/$name.c" <<EOF
/* $name: a lambda-c function. Handler setting: $name.handler (symbol handler in $name.so).
 * {"name":"Ada"} -> {"message":"Hello, Ada, from $name!"} */
#include <json-c/json.h>
#include <lambda-c.h>
#include <stdio.h>

lambda_handler_fn handler; /* the compiler checks the signature */

int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
{
    json_object *root, *name;
    if (lambda_event_json(event, &root) != LAMBDA_OK)
        return lambda_response_set_error(response, "InvalidEvent", "the event is not JSON: %s",
                                         lambda_event_json_error(event));
    const char *who = "world";
    if (json_object_object_get_ex(root, "name", &name) && json_object_is_type(name, json_type_string))
        who = json_object_get_string(name);

    char text[512];
    snprintf(text, sizeof text, "Hello, %s, from $name!", who);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "message", json_object_new_string(text));
    lambda_log_info("answered %s (request %s)", who, lambda_context_request_id(ctx));
    return lambda_response_set_json(response, answer);
}
EOF

    cat >"$dir/Makefile" <<EOF
# sam build runs \`make build-$id\` in a scratch copy of this folder with ARTIFACTS_DIR
# set; it compiles every .c file here against the lambda-c SDK pkg-config finds:
#     ./build.sh && export PKG_CONFIG_PATH=<lambda-c>/build/sdk/lib/pkgconfig
# (build-arm64/sdk after ./build.sh --arch arm64). In template.yaml:
#   $id:
#     Type: AWS::Serverless::Function
#     Properties: {CodeUri: <this folder>, Handler: $name.handler}
#     Metadata: {BuildMethod: makefile}
FUNCTION := $name
PKG_CONFIG ?= pkg-config
LAMBDA_C_MK := \$(shell \$(PKG_CONFIG) --variable=functionmk lambda-c)
ifeq (\$(LAMBDA_C_MK),)
\$(error the lambda-c SDK is not found by pkg-config: run ./build.sh and export \\
    PKG_CONFIG_PATH=<lambda-c>/build/sdk/lib/pkgconfig)
endif
include \$(LAMBDA_C_MK)

.PHONY: build-$id
build-$id: lambda-c-function
EOF

    printf '%s\n' '{"name": "Ada"}' >"$dir/event.json"

    cat >"$dir/$test" <<EOF
"""$name, built by its Makefile and invoked through the lambda-c emulator (./build.sh invoke).

    python3 -m pytest $test      # LAMBDA_C_ROOT: the lambda-c checkout, if not $root
"""
import json
import os
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(os.environ.get("LAMBDA_C_ROOT") or HERE / "$root")


def invoke(event):
    run = subprocess.run([str(ROOT / "build.sh"), "invoke", str(HERE), event],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_sample_event():
    assert invoke("@" + str(HERE / "event.json")) == {"message": "Hello, Ada, from $name!"}


def test_event_without_a_name():
    assert invoke("{}") == {"message": "Hello, world, from $name!"}
EOF
    log "created $dir: $name.c, Makefile (target build-$id), event.json, $test"
    log "try it: ./build.sh invoke $dir @$dir/event.json   (or python3 -m pytest $dir)"
}

abspath_from() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s' "$(pwd)/$1" ;; esac; }

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
bench) shift; cmd_bench "$@" ;;
clean) rm -rf "$BUILD_DIR" "${BUILD_DIR}-asan" "${BUILD_DIR}-tsan" "${BUILD_DIR}-arm64" ;;
-h | --help | help) sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p' ;;
*) die "unknown command '$1' (try ./build.sh help)" ;;
esac
