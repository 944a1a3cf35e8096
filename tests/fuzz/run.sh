#!/usr/bin/env bash
# tests/fuzz/run.sh - runs the libFuzzer targets of tests/fuzz/ (built by `make fuzz-targets`).
#
#   tests/fuzz/run.sh BUILD_DIR fuzz SECONDS [TARGET...]   fuzz each target for SECONDS
#   tests/fuzz/run.sh BUILD_DIR check [TARGET...]          every corpus and regression input
#                                                          once, then 3 s of fuzzing each (CI)
#   tests/fuzz/run.sh BUILD_DIR rate SECONDS [TARGET...]   executions per second, one line
#                                                          per target (the bench suite)
#
# Fuzzing starts from the tree's corpus and writes what it finds into BUILD_DIR/fuzz/corpus-out/
# (a copy: the tree's corpus stays minimised); a crash leaves its reproducer in
# BUILD_DIR/fuzz/findings/ and makes the script fail.
#
# check and fuzz write a JUnit XML report, BUILD_DIR/test-reports/fuzz.xml (FUZZ_REPORT=FILE
# for another): one testcase per target, failed with the reproducer's path and libFuzzer's
# message when the target found something (tests/fuzz/junit_report.py; tools/test-summary
# counts it with the other reports). FUZZ_INPUTS=DIR takes each target's corpus/ and
# regressions/ from DIR/TARGET/ instead of tests/fuzz/TARGET/.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,20p' "$0"; exit 2; }
B=$1 MODE=$2
shift 2
SECONDS_EACH=3
case $MODE in fuzz | rate) SECONDS_EACH=${1:?seconds}; shift ;; check) ;; *) exit 2 ;; esac
REPORT=${FUZZ_REPORT:-} INPUTS=${FUZZ_INPUTS:-}   # relative to the caller's folder
case $REPORT in /* | '') ;; *) REPORT=$PWD/$REPORT ;; esac
case $INPUTS in /* | '') ;; *) INPUTS=$PWD/$INPUTS ;; esac
cd "$(dirname "$0")/../.."
REPORT=${REPORT:-$B/test-reports/fuzz.xml} INPUTS=${INPUTS:-tests/fuzz}
TARGETS=("$@")
if [ ${#TARGETS[@]} = 0 ]; then
    for d in tests/fuzz/*/; do [ -f "$d/fuzz_$(basename "$d").c" ] && TARGETS+=("$(basename "$d")"); done
fi
# The inputs libFuzzer may build: large enough for the linear-work checks to see quadratic
# growth, small enough for thousands of runs per second.
MAX_LEN=65536
OPTS=(-rss_limit_mb=2048 -timeout=20 -max_len=$MAX_LEN -print_final_stats=1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=""
results=""   # one line per target for the report: name, status, seconds, log
if [ "$MODE" != rate ]; then
    results=$(mktemp)
    trap 'rm -f "$results"' EXIT
fi
result() { # target status started log
    [ -z "$results" ] || printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$((SECONDS - $3))" "$4" >>"$results"
}
for t in "${TARGETS[@]}"; do
    bin="$B/fuzz/fuzz_$t"
    started=$SECONDS
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin is not built (make fuzz-targets)" >&2
        [ -n "$results" ] || exit 1
        result "$t" missing "$started" ""
        failed="$failed $t"
        continue
    fi
    work="$B/fuzz/corpus-out/$t" findings="$B/fuzz/findings/$t"
    mkdir -p "$work" "$findings"
    seeds=("$INPUTS/$t/corpus")
    if [ "$MODE" = check ]; then
        # Every seed and every past finding once: a fixed bug that comes back fails here.
        # (The findings are large inputs: not fuzzed from, they would slow every run.)
        inputs=("$INPUTS/$t"/corpus/*)
        [ -d "$INPUTS/$t/regressions" ] && inputs+=("$INPUTS/$t"/regressions/*)
        if ! "$bin" "${OPTS[@]}" -artifact_prefix="$findings/" "${inputs[@]}" \
            >"$findings/check.log" 2>&1; then
            tail -n 30 "$findings/check.log" >&2
            result "$t" check "$started" "$findings/check.log"
            failed="$failed $t"
            continue
        fi
    fi
    log="$findings/fuzz.log"
    if "$bin" "${OPTS[@]}" -max_total_time="$SECONDS_EACH" -artifact_prefix="$findings/" \
        "$work" "${seeds[@]}" >"$log" 2>&1; then
        result "$t" passed "$started" "$log"
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        if [ "$MODE" = rate ]; then
            printf '%s %s %s\n' "$t" "${rate:-0}" "${execs:-0}"
        else
            echo "fuzz: $t: ${execs:-?} executions in ${SECONDS_EACH}s (${rate:-?}/s), no finding" >&2
        fi
    else
        tail -n 40 "$log" >&2
        echo "fuzz: $t FAILED; reproducer in $findings/" >&2
        result "$t" fuzz "$started" "$log"
        failed="$failed $t"
    fi
done
if [ -n "$results" ]; then
    mkdir -p "$(dirname "$REPORT")"
    python3 tests/fuzz/junit_report.py "$REPORT" "$results"
fi
if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
