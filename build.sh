#!/usr/bin/env bash
# lambda-c: the one build path, for developers, CI and the Dockerfile alike.
#
#   ./build.sh                      build everything into build/
#   ./build.sh invoke FUNCTION [EVENT-JSON]
#                                   build, start the local emulator with the layer and
#                                   build/functions/FUNCTION.zip, invoke it once, print the
#                                   answer on stdout (logs on stderr); non-zero if it failed
#   ./build.sh test                 every test: unit, integration, sanitizers, valgrind
#   ./build.sh bench                the benchmark suite (bench/)
#   ./build.sh clean
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores), CC.
# Missing dependencies are installed with apt-get when running as root on Debian/Ubuntu;
# otherwise the exact packages to install are named.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

log() { printf '%s\n' "build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- dependencies

# Debian packages each task needs.
BUILD_PACKAGES="gcc make pkg-config libc6-dev libjson-c-dev zip unzip binutils python3"
TEST_PACKAGES="$BUILD_PACKAGES libcmocka-dev python3-pytest valgrind awscli curl npm"

missing_packages() {
    local missing="" p
    for p in "$@"; do
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

# ---------------------------------------------------------------- build

build_all() {
    ensure_packages $BUILD_PACKAGES
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" all >&2
}

# ---------------------------------------------------------------- invoke

cmd_invoke() {
    [ $# -ge 1 ] || die "usage: ./build.sh invoke FUNCTION [EVENT-JSON]"
    local name=$1 event=${2-'{}'}
    build_all
    local zip="$BUILD_DIR/functions/$name.zip"
    [ -f "$zip" ] || die "no function '$name': expected $zip (functions are the folders in examples/)"
    local handler="$name.handler"
    [ -f "examples/$name/bootstrap.c" ] && handler="bootstrap"
    python3 "$BUILD_DIR/bin/lambda-c-emulator" --port 0 --quiet \
        --layer "$BUILD_DIR/layer.zip" \
        --function "$name=$zip,handler=$handler" \
        --invoke "$name" --event "$event"
}

# ---------------------------------------------------------------- test

# Results of every suite, summed into the final line.
PASSED=0
FAILED=0
SKIPPED=0
FAILED_SUITES=""

record() { # suite passed failed skipped
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
    SKIPPED=$((SKIPPED + $4))
    if [ "$3" != 0 ]; then FAILED_SUITES="$FAILED_SUITES $1"; fi
    log "$1: $2 passed, $3 failed, $4 skipped"
}

# Runs the cmocka binaries listed by `make unit-tests`, counting their result lines.
run_unit_tests() { # label build_dir
    local label=$1 dir=$2 list="$2/tests/unit-tests.list" out passed=0 failed=0 skipped=0 t
    [ -f "$list" ] || die "$list is missing"
    out=$(mktemp)
    while read -r t; do
        [ -n "$t" ] || continue
        if ! CMOCKA_MESSAGE_OUTPUT=stdout SIGV4_SUITE_DIR="$SIGV4_SUITE_DIR" "./$t" >"$out" 2>&1; then
            grep -q '^\[  FAILED  \]' "$out" || { failed=$((failed + 1)); log "$t crashed or failed to run"; }
        fi
        cat "$out"
        passed=$((passed + $(grep -c '^\[       OK \]' "$out" || true)))
        failed=$((failed + $(grep -c '^\[  FAILED  \] [^0-9]' "$out" || true)))
        skipped=$((skipped + $(grep -c '^\[  SKIPPED \] [^0-9]' "$out" || true)))
    done <"$list"
    rm -f "$out"
    record "$label" "$passed" "$failed" "$skipped"
}

# Runs pytest over tests/integration against one build tree.
run_integration_tests() { # label build_dir [pytest args...]
    local label=$1 dir=$2 out rc=0 line passed failed skipped errors
    shift 2
    out=$(mktemp)
    LAMBDA_C_BUILD_DIR="$ROOT/$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
        tests/integration "$@" 2>&1 | tee "$out" || rc=$?
    line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)' "$out" | tail -n 1 || true)
    passed=$(printf '%s' "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
    failed=$(printf '%s' "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
    errors=$(printf '%s' "$line" | grep -oE '[0-9]+ error' | grep -oE '[0-9]+' || echo 0)
    skipped=$(printf '%s' "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
    failed=$((failed + errors))
    if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; log "$label: pytest exited $rc"; fi
    rm -f "$out"
    record "$label" "$passed" "$failed" "$skipped"
}

fetch_sigv4_suite() {
    SIGV4_SUITE_DIR=""
    if [ -x tests/unit/fetch-sigv4-suite.sh ] || [ -f tests/unit/fetch-sigv4-suite.sh ]; then
        local dest="$ROOT/$BUILD_DIR/sigv4-suite"
        if bash tests/unit/fetch-sigv4-suite.sh "$dest" >&2; then
            SIGV4_SUITE_DIR=$(cat "$dest/.suite-dir" 2>/dev/null || echo "$dest")
        else
            log "could not fetch the SigV4 test suite (npm); its cases will be reported as skipped"
        fi
    fi
    export SIGV4_SUITE_DIR
}

cmd_test() {
    ensure_packages $TEST_PACKAGES
    local asan_dir="${BUILD_DIR}-asan"
    fetch_sigv4_suite

    log "== build ($BUILD_DIR)"
    make -j"$JOBS" BUILD_DIR="$BUILD_DIR" all unit-tests >&2

    log "== unit tests"
    run_unit_tests unit "$BUILD_DIR"

    log "== integration tests"
    run_integration_tests integration "$BUILD_DIR"

    log "== ASan+UBSan build ($asan_dir)"
    make -j"$JOBS" BUILD_DIR="$asan_dir" SANITIZE=address,undefined OPT=-O1 all unit-tests >&2
    # handle_segv=0: a handler's deliberate crash must reach the runtime's own crash report.
    export ASAN_OPTIONS="detect_leaks=1:handle_segv=0:abort_on_error=0:allocator_may_return_null=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    log "== unit tests (ASan+UBSan)"
    run_unit_tests unit-asan "$asan_dir"
    log "== integration tests (ASan+UBSan)"
    run_integration_tests integration-asan "$asan_dir" -m "not valgrind"
    unset ASAN_OPTIONS UBSAN_OPTIONS

    if [ -n "$FAILED_SUITES" ]; then log "failed suites:$FAILED_SUITES"; fi
    if [ "$SKIPPED" != 0 ]; then
        echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    else
        echo "$PASSED passed, $FAILED failed"
    fi
    [ "$FAILED" = 0 ]
}

# ---------------------------------------------------------------- bench

cmd_bench() {
    ensure_packages $BUILD_PACKAGES valgrind
    build_all
    bash bench/run.sh "$BUILD_DIR"
}

# ---------------------------------------------------------------- main

case "${1:-build}" in
build) build_all ;;
invoke) shift; cmd_invoke "$@" ;;
test) shift; cmd_test "$@" ;;
bench) shift; cmd_bench "$@" ;;
clean) rm -rf "$BUILD_DIR" "${BUILD_DIR}-asan" ;;
-h | --help | help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown command '$1' (try ./build.sh help)" ;;
esac
