#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR] - the footprint benchmark suite (see bench/README.md).
#
# Builds the driver and the baseline runtime into BUILD_DIR/bench/ with cc, runs
# every case against the baseline and against lambda-c's layer in BUILD_DIR, and
# prints one markdown table on stdout. Progress goes to stderr.
#
# Exit status: 0 all cases ran and every answer was right (targets may still be
# "not met": that is a result, shown in the table); 1 a run failed (wrong answer,
# runtime crash, timeout); 2 lambda-c is not built in BUILD_DIR (the table then
# has the baseline only); 3 the bench tools could not be built.
#
# Knobs (environment): BENCH_REPEATS (5), BENCH_COLD_REPEATS (41),
# BENCH_LONG_N (100000), BENCH_N_SMALL (20000), BENCH_N_64K (5000),
# BENCH_N_6M (100), BENCH_CALLGRIND (1; 0 skips), BENCH_STRACE (1; 0 skips), BENCH_CG_N (1000),
# BENCH_FUZZ_SECONDS (30 per fuzz target; 0 skips),
# BENCH_CPU (the last allowed CPU; "none" does not pin), CC (cc).
set -uo pipefail

BUILD_ARG=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 3
mkdir -p "$BUILD_ARG" || exit 3
B=$(cd "$BUILD_ARG" && pwd)
OUT=$B/bench

REPEATS=${BENCH_REPEATS:-5}
COLD_REPEATS=${BENCH_COLD_REPEATS:-41}
LONG_N=${BENCH_LONG_N:-100000}
N_SMALL=${BENCH_N_SMALL:-20000}
N_64K=${BENCH_N_64K:-5000}
N_6M=${BENCH_N_6M:-100}
CALLGRIND=${BENCH_CALLGRIND:-1}
STRACE=${BENCH_STRACE:-1}
CG_N=${BENCH_CG_N:-1000}
CC=${CC:-cc}
# One CPU for the driver and the runtime (the last one we may use): steadier figures.
CPU=${BENCH_CPU:-$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | grep -o '[0-9]*$')}
PIN=()
[ -n "$CPU" ] && [ "$CPU" != none ] && PIN=(-C "$CPU")

say() { printf 'bench: %s\n' "$*" >&2; }
START_S=$SECONDS

# ------------------------------------------------------------------ build
CFLAGS=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral -Wvla)
rm -rf "$OUT/results" "$OUT/logs"
mkdir -p "$OUT/results" "$OUT/logs" "$OUT/events" "$OUT/baseline-layer/bin" || exit 3
say "building driver and baseline into $OUT"
"$CC" "${CFLAGS[@]}" -o "$OUT/driver" bench/driver.c || { say "cannot build bench/driver.c"; exit 3; }
"$CC" "${CFLAGS[@]}" -static -o "$OUT/baseline" bench/baseline.c ||
    { say "cannot build bench/baseline.c statically (is the static libc, libc6-dev, installed?)"; exit 3; }
# The same baseline linked dynamically against glibc alone (PIE, lazy binding, as ours): what
# loading glibc costs any runtime that is not static, the floor under lambda-c's cold start.
"$CC" "${CFLAGS[@]}" -pie -fPIE -o "$OUT/baseline-dynamic" bench/baseline.c ||
    { say "cannot build bench/baseline.c dynamically"; exit 3; }
# The baseline behind a bootstrap script like ours: shows what sh + exec cost.
cp "$OUT/baseline" "$OUT/baseline-layer/bin/baseline"
printf '#!/bin/sh\nexec "${0%%/*}/bin/baseline"\n' > "$OUT/baseline-layer/bootstrap"
chmod +x "$OUT/baseline-layer/bootstrap"

# ----------------------------------------------------------------- events
EV=$OUT/events
mkevent() { # SIZE FILE: a JSON object of exactly SIZE bytes
    { printf '{"data":"'; head -c $(($1 - 11)) /dev/zero | tr '\0' 'x'; printf '"}'; } > "$2"
}
mkevent 100 "$EV/echo100.json"
mkevent 65536 "$EV/echo64k.json"
mkevent 6291456 "$EV/echo6m.json"
printf '{"name":"Ada"}' > "$EV/hello.json"
printf '{"message":"Hello, Ada!"}' > "$EV/hello.expected"

# ------------------------------------------------------- is lambda-c built?
OURS=1
MISSING=()
for f in layer/bootstrap layer/bin/lambda-c-runtime; do
    [ -x "$B/$f" ] || MISSING+=("$f")
done
for f in layer/lib/liblambda-c.so.1 functions/echo/echo.so functions/hello/hello.so; do
    [ -e "$B/$f" ] || MISSING+=("$f")
done
if [ ${#MISSING[@]} -gt 0 ]; then
    OURS=0
    say "lambda-c is NOT built in $B (missing: ${MISSING[*]});"
    say "run ./build.sh (or make) first. Measuring the baseline only."
fi
KINDS=(base)
[ $OURS = 1 ] && KINDS+=(ours)

# ------------------------------------------------------------------ runs
FAILED=()
VG=()
if [ "$CALLGRIND" = 1 ] && ! VALGRIND=$(command -v valgrind); then
    say "valgrind not found: skipping instruction counts"
    CALLGRIND=0
fi

# drive NAME KIND FUNCTION [driver options...]
#   KIND: base (baseline binary), base-sh (baseline via a bootstrap script), base-dyn (the
#         baseline linked dynamically against glibc),
#         ours (lambda-c-runtime binary), ours-sh (the layer's bootstrap).
# Writes the driver's key=value report to results/NAME.KIND.
drive() {
    local name=$1 kind=$2 fn=$3 cmd expect=()
    shift 3
    case $kind in
    base) cmd=$OUT/baseline ;;
    base-sh) cmd=$OUT/baseline-layer/bootstrap ;;
    base-dyn) cmd=$OUT/baseline-dynamic ;;
    ours) cmd=$B/layer/bin/lambda-c-runtime ;;
    ours-sh) cmd=$B/layer/bootstrap ;;
    esac
    # The baseline echoes; lambda-c's hello answers {"message":"Hello, Ada!"}.
    if [ "$fn" = hello ] && [ "${kind#ours}" != "$kind" ]; then
        expect=(-j -x "$EV/hello.expected")
    fi
    local res=$OUT/results/$name.$kind log=$OUT/logs/$name.$kind
    if ! "$OUT/driver" -q "${PIN[@]}" -T "$B/functions/$fn" -H "$fn.handler" -L "$B/layer/lib" \
            -o "$log.out" "${expect[@]}" "$@" -- "${VG[@]}" "$cmd" > "$res" 2> "$log.err"; then
        FAILED+=("$name.$kind")
        say "FAILED: $name ($kind):"
        sed 's/^/    /' "$log.err" | head -n 8 >&2
        return 1
    fi
}

getv() { sed -n "s/^$2=//p" "$1" 2>/dev/null; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# med KEY NAME-GLOB KIND: median of KEY over results/NAME-GLOB.KIND; empty if a run failed
med() {
    local f vals=()
    for f in "$OUT"/results/$2.$3; do
        [ -e "$f" ] || continue
        [ "$(getv "$f" result)" = ok ] || return 0
        vals+=("$(getv "$f" "$1")")
    done
    [ ${#vals[@]} -gt 0 ] && printf '%s\n' "${vals[@]}" | median
}

# 1. Cold start: one invocation of hello, then killed; run 0 is a discarded warm-up.
COLD_KINDS=(base base-sh base-dyn)
[ $OURS = 1 ] && COLD_KINDS+=(ours ours-sh)
say "cold start: ${#COLD_KINDS[@]} variants x $COLD_REPEATS runs"
for r in $(seq 0 "$COLD_REPEATS"); do
    for k in "${COLD_KINDS[@]}"; do
        drive "cold-$r" "$k" hello -n 1 -f "$EV/hello.json"
    done
done
rm -f "$OUT"/results/cold-0.*

# 2. Steady per-invocation time: repeats interleaved baseline / ours.
case_n() { case $1 in echo100|hello) echo "$N_SMALL" ;; echo64k) echo "$N_64K" ;; echo6m) echo "$N_6M" ;; esac; }
say "per-invocation: echo 100 B, 64 KB, 6 MB, hello x $REPEATS repeats"
for r in $(seq 1 "$REPEATS"); do
    for c in echo100 echo64k echo6m hello; do
        fn=${c%%[0-9]*}
        for k in "${KINDS[@]}"; do
            drive "$c-$r" "$k" "$fn" -n "$(case_n "$c")" -f "$EV/$c.json"
        done
    done
    say "  repeat $r/$REPEATS done ($((SECONDS - START_S)) s)"
done

# 3. Memory over a long run of hello.
S1=1000
[ "$LONG_N" -le 1000 ] && S1=$((LONG_N / 10 > 0 ? LONG_N / 10 : 1))
say "long run: hello x $LONG_N invocations, RSS at $S1 and $LONG_N"
for k in "${KINDS[@]}"; do
    drive long "$k" hello -n "$LONG_N" -s "$S1,$LONG_N" -f "$EV/hello.json" -t 120
done

# 4. Deterministic per-invocation counts, each from two runs (100 and 100 + CG_N
#    invocations) whose difference leaves process start and exit out:
#    user-space instructions (callgrind) and system calls (strace -c).
# counted TOOL CASE KIND N: one run of CASE under TOOL
counted() {
    local out=$OUT/logs/$1-$2-$4.$3.$1 how=CLOSE
    case $1 in
    cg) VG=("$VALGRIND" --tool=callgrind -q --dump-instr=no --trace-children=yes
            "--callgrind-out-file=$out"); how=TERM ;;
    st) VG=("$STRACE" -f -c -o "$out") ;;
    esac
    drive "$1-$2-$4" "$3" "${2%%[0-9]*}" -n "$4" -k "$how" -t 300 -f "$EV/$2.json"
    VG=()
}
STRACE_OK=0
if [ "$STRACE" = 1 ] && STRACE=$(command -v strace); then STRACE_OK=1; else
    [ "$STRACE" = 1 ] && say "strace not found: skipping system call counts"
fi
if [ "$CALLGRIND" = 1 ] || [ $STRACE_OK = 1 ]; then
    say "instruction and system call counts: echo 100 B and hello, 100 and $((100 + CG_N)) invocations"
    # exec -> first response (init + one invocation): one run of a single hello invocation,
    # through the way Lambda starts it (ours-sh: /opt/bootstrap).
    if [ "$CALLGRIND" = 1 ]; then
        counted cg hello base 1
        [ $OURS = 1 ] && counted cg hello ours-sh 1
    fi
    for c in echo100 hello; do
        for k in "${KINDS[@]}"; do
            for n in 100 $((100 + CG_N)); do
                [ "$CALLGRIND" = 1 ] && counted cg $c $k $n
                [ $STRACE_OK = 1 ] && counted st $c $k $n
            done
        done
    done
fi
# per_inv TOOL CASE KIND: the count per invocation
per_inv() {
    local a b n2=$((100 + CG_N))
    [ "$(getv "$OUT/results/$1-$2-100.$3" result)" = ok ] || return 0
    [ "$(getv "$OUT/results/$1-$2-$n2.$3" result)" = ok ] || return 0
    case $1 in
    cg) get() { sed -n 's/^totals: *//p' "$1"; } ;;
    st) get() { awk '$NF == "total" {print $4}' "$1"; } ;;
    esac
    a=$(get "$OUT/logs/$1-$2-100.$3.$1" 2>/dev/null)
    b=$(get "$OUT/logs/$1-$2-$n2.$3.$1" 2>/dev/null)
    [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" -v n="$CG_N" 'BEGIN {printf "%.1f", (b - a) / n}'
}

# ------------------------------------------------------------------ table
calc() { awk "BEGIN {$1}"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && calc "if ($1 > 0) printf \"%.2fx\", $2 / $1"; }
ms() { [ -n "$1" ] && calc "printf \"%.2f ms\", $1 / 1000"; }           # from us
us() { [ -n "$1" ] && calc "printf \"%.1f µs\", $1 / 1000"; }           # from ns
msns() { [ -n "$1" ] && calc "printf \"%.2f ms\", $1 / 1000000"; }      # from ns
kib() { [ -n "$1" ] && calc "printf \"%d KiB\", $1"; }
bytes() { [ -n "$1" ] && calc "b = $1; printf \"%d B (%.2f %s)\", b, (b >= 1048576) ? b / 1048576 : b / 1024, (b >= 1048576) ? \"MiB\" : \"KiB\""; }
num() { [ -n "$1" ] && calc "printf \"%d\", $1"; }

# status VALUE LIMIT UNIT: met / not met (over by how much)
status() {
    if [ $OURS = 0 ]; then echo "not measured"; return; fi
    if [ -z "$1" ]; then echo "FAILED (see stderr)"; return; fi
    calc "v = $1; l = $2; if (v <= l) print \"met\"; else printf \"**not met** (+%s)\", \"$3\" == \"x\" ? sprintf(\"%.2fx\", v - l) : (\"$3\" == \"B\" && v - l >= 1024) ? sprintf(\"%.1f KiB\", (v - l) / 1024) : sprintf(\"%d %s\", v - l, \"$3\")"
}
OURS_NA="not built"
ov() { if [ $OURS = 1 ]; then if [ -n "$1" ]; then echo "$1"; else echo "FAILED"; fi; else echo "$OURS_NA"; fi; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }

# pr KEY NAME-PREFIX KIND-A KIND-B: median over repeats r of B(r) / A(r). Runs of the same
# repeat ran back to back, under the same machine load, so each pair's ratio is steadier than
# the ratio of two medians.
pr() {
    local fa fb a b vals=()
    for fa in "$OUT"/results/$2-*.$3; do
        fb=${fa%.$3}.$4
        [ -e "$fa" ] && [ -e "$fb" ] || continue
        [ "$(getv "$fa" result)" = ok ] && [ "$(getv "$fb" result)" = ok ] || return 0
        a=$(getv "$fa" "$1"); b=$(getv "$fb" "$1")
        vals+=("$(calc "if ($a > 0) printf \"%.6f\", $b / $a")")
    done
    [ ${#vals[@]} -gt 0 ] && printf '%s\n' "${vals[@]}" | median
}
fx() { [ -n "$1" ] && calc "printf \"%.2fx\", $1"; }

ROWS=()
addrow() { ROWS+=("$(row "$@")"); }

# cold start
cb=$(med cold_start_us 'cold-*' base); cbs=$(med cold_start_us 'cold-*' base-sh)
co=$(med cold_start_us 'cold-*' ours); cos=$(med cold_start_us 'cold-*' ours-sh)
fb=$(med first_response_us 'cold-*' base); fos=$(med first_response_us 'cold-*' ours-sh)
r=$(pr cold_start_us cold base ours-sh)
addrow "cold start via /opt/bootstrap (spawn → first /next, hello)" "$(ms "$cb")" "$(ov "$(ms "$cos")")" \
    "$(fx "$r")" "≤ 1.4x" "$(status "$r" 1.4 x)"
r=$(pr cold_start_us cold base ours)
addrow "cold start of the runtime binary (spawn → first /next, hello)" "$(ms "$cb")" "$(ov "$(ms "$co")")" \
    "$(fx "$r")" "≤ 1.3x" "$(status "$r" 1.3 x)"
addrow "cold start, spawn → first response via /opt/bootstrap (hello)" "$(ms "$fb")" "$(ov "$(ms "$fos")")" \
    "$(fx "$(pr first_response_us cold base ours-sh)")" "—" "info"
addrow "cold start, baseline behind a sh bootstrap script (what sh + exec would cost)" "$(ms "$cb")" "$(ms "$cbs") (baseline)" \
    "$(fx "$(pr cold_start_us cold base base-sh)")" "—" "info"
cbd=$(med cold_start_us 'cold-*' base-dyn)
addrow "cold start, baseline linked dynamically against glibc alone (the floor of a non-static runtime)" \
    "$(ms "$cb")" "$(ms "$cbd") (baseline)" "$(fx "$(pr cold_start_us cold base base-dyn)")" "—" "info"
addrow "cold start via /opt/bootstrap against that dynamic baseline" "$(ms "$cbd")" "$(ov "$(ms "$cos")")" \
    "$(fx "$(pr cold_start_us cold base-dyn ours-sh)")" "—" "info"

# per-invocation
for c in echo100 echo64k echo6m hello; do
    vb=$(med steady_median_ns "$c-*" base); vo=$(med steady_median_ns "$c-*" ours)
    r=$(pr steady_median_ns "$c" base ours)
    f=us; [ $c = echo6m ] && f=msns
    case $c in
    echo100) label="per-invocation, echo 100 B"; tgt="≤ 1.15x"; st=$(status "$r" 1.15 x) ;;
    echo64k) label="per-invocation, echo 64 KB"; tgt="—"; st=info ;;
    echo6m) label="per-invocation, echo 6 MB"; tgt="≤ 1.2x"; st=$(status "$r" 1.2 x) ;;
    hello) label="per-invocation, hello (JSON parse + build; baseline echoes)"; tgt="—"; st=info ;;
    esac
    addrow "$label" "$($f "$vb")" "$(ov "$($f "$vo")")" "$(fx "$r")" "$tgt" "$st"
done

# CPU time of the runtime process over the long run (init included, amortised)
cpu_per_inv() { # KIND: ns of user+sys CPU per invocation
    local f=$OUT/results/long.$1
    [ -e "$f" ] && [ "$(getv "$f" result)" = ok ] &&
        calc "printf \"%.0f\", ($(getv "$f" child_user_us) + $(getv "$f" child_sys_us)) * 1000 / $LONG_N"
}
cb=$(cpu_per_inv base); co=""
[ $OURS = 1 ] && co=$(cpu_per_inv ours)
addrow "runtime CPU time (user + sys) per invocation, hello, $LONG_N invocations" "$(us "$cb")" \
    "$(ov "$(us "$co")")" "$(ratio "$cb" "$co")" "—" "info"

# exec -> first response, callgrind
if [ "$CALLGRIND" = 1 ]; then
    cgfirst() { [ "$(getv "$OUT/results/cg-hello-1.$1" result)" = ok ] && sed -n 's/^totals: *//p' "$OUT/logs/cg-hello-1.$1.cg"; }
    ib=$(cgfirst base); io=""
    [ $OURS = 1 ] && io=$(cgfirst ours-sh)
    addrow "user-space instructions, exec → first response (callgrind, hello via /opt/bootstrap)" \
        "$(num "$ib")" "$(ov "$(num "$io")")" "$(ratio "$ib" "$io")" "≤ 200000" "$(status "$io" 200000 "")"
fi

# callgrind and strace
for t in cg st; do
    [ $t = cg ] && [ "$CALLGRIND" != 1 ] && continue
    [ $t = st ] && [ $STRACE_OK != 1 ] && continue
    for c in echo100 hello; do
        ib=$(per_inv $t $c base); io=""
        [ $OURS = 1 ] && io=$(per_inv $t $c ours)
        if [ $t = cg ]; then
            label="user-space instructions per invocation (callgrind), ${c/echo100/echo 100 B}"
            ib=$(num "$ib"); io=$(num "$io")
        else
            label="system calls per invocation (strace -c), ${c/echo100/echo 100 B}"
        fi
        tgt="—"; st=info
        if [ $t = cg ] && [ $c = hello ]; then tgt="≤ 20000"; st=$(status "$io" 20000 ""); fi
        if [ $t = cg ] && [ $c = echo100 ]; then
            tgt="≤ 1.5x"; st=$(status "$([ -n "$ib" ] && [ -n "$io" ] && calc "print $io / $ib")" 1.5 x)
        fi
        addrow "$label" "$ib" "$(ov "$io")" "$(ratio "$ib" "$io")" "$tgt" "$st"
    done
done

# memory
pb=$(med peak_rss_kb long base); po=$(med peak_rss_kb long ours)
addrow "peak RSS, hello, over $LONG_N invocations (VmHWM)" "$(kib "$pb")" "$(ov "$(kib "$po")")" \
    "$(ratio "$pb" "$po")" "≤ 1843 KiB (1.8 MiB)" "$(status "$po" 1843 KiB)"
gb=""; go=""
[ -e "$OUT/results/long.base" ] && [ "$(getv "$OUT/results/long.base" result)" = ok ] &&
    gb=$(calc "print $(med "rss_at_${LONG_N}_kb" long base) - $(med "rss_at_${S1}_kb" long base)")
[ -e "$OUT/results/long.ours" ] && [ "$(getv "$OUT/results/long.ours" result)" = ok ] &&
    go=$(calc "print $(med "rss_at_${LONG_N}_kb" long ours) - $(med "rss_at_${S1}_kb" long ours)")
addrow "RSS growth, hello, after $S1 → after $LONG_N invocations (VmRSS)" "$(kib "$gb")" "$(ov "$(kib "$go")")" \
    "—" "≤ 64 KiB" "$(status "$go" 64 KiB)"
ab=$(med final_rss_anon_kb long base); ao=$(med final_rss_anon_kb long ours)
fb=$(med final_rss_file_kb long base); fo=$(med final_rss_file_kb long ours)
addrow "RSS at the end of the long hello run: anonymous + file-backed (libraries)" \
    "$(kib "$ab") + $(kib "$fb")" "$(ov "$([ -n "$ao" ] && echo "$(kib "$ao") + $(kib "$fo")")")" "—" "—" "info"
pb=$(med peak_rss_kb 'echo6m-*' base); po=$(med peak_rss_kb 'echo6m-*' ours)
addrow "peak RSS, echo 6 MB (VmHWM)" "$(kib "$pb")" "$(ov "$(kib "$po")")" "$(ratio "$pb" "$po")" "—" "info"

# sizes
sz() { [ -e "$1" ] && stat -c %s "$1"; }
lz=$(sz "$B/layer.zip")
if [ $OURS = 1 ] && [ -z "$lz" ]; then
    addrow "layer.zip" "—" "missing" "—" "≤ 4 MiB" "**not met** (no layer.zip)"
else
    addrow "layer.zip" "—" "$(ov "$(bytes "$lz")")" "—" "≤ 4 MiB" "$(status "$lz" 4194304 B)"
fi
lu=""; [ -d "$B/layer" ] && lu=$(du -sb "$B/layer" | cut -f1)
addrow "unpacked layer (du -b)" "$(bytes "$(sz "$OUT/baseline")") (static binary)" "$(ov "$(bytes "$lu")")" "—" "—" "info"
if [ $OURS = 1 ] && [ ! -e "$B/functions/hello.zip" ]; then
    addrow "functions/hello.zip" "—" "missing" "—" "≤ 16 KiB" "**not met** (no zip)"
fi
for z in "$B"/functions/*.zip; do
    [ -e "$z" ] || continue
    n=${z##*/}
    if [ "$n" = hello.zip ]; then
        addrow "functions/$n" "—" "$(bytes "$(sz "$z")")" "—" "≤ 16 KiB" "$(status "$(sz "$z")" 16384 B)"
    else
        addrow "functions/$n" "—" "$(bytes "$(sz "$z")")" "—" "—" "info"
    fi
done

# ------------------------------------------------------------------ print
row "figure" "baseline" "lambda-c" "ratio" "target" "status"
row "---" "---:" "---:" "---:" "---" "---"
printf '%s\n' "${ROWS[@]}"
echo
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "Times: medians over $COLD_REPEATS cold starts, and over $REPEATS runs of each run's median cycle" \
     "(N = $N_SMALL / $N_64K / $N_6M / $N_SMALL, first 10% left out). Time ratios: median over repeats of" \
     "ours / baseline of the same repeat (run back to back)." \
     "Driver and runtime pinned to CPU ${PIN[1]:-none}." \
     "Machine: $(nproc) x ${cpu:-unknown CPU}, Linux $(uname -r). Suite time: $((SECONDS - START_S)) s."
if [ $OURS = 0 ]; then
    echo
    echo "lambda-c was not built (missing: ${MISSING[*]}): baseline only. Run ./build.sh first."
fi
if [ ${#FAILED[@]} -gt 0 ]; then
    echo
    echo "FAILED runs (wrong answers or runtime errors; logs in the build folder's bench/logs): ${FAILED[*]}"
fi

# ------------------------------------------------------------------ fuzz targets
# Executions per second of every libFuzzer target (tests/fuzz/), BENCH_FUZZ_SECONDS each (0
# skips; clang-14 and libclang-rt-14-dev needed).
FUZZ_S=${BENCH_FUZZ_SECONDS:-30}
if [ "$FUZZ_S" != 0 ] && make -s -j2 BUILD_DIR="$B" fuzz-targets >&2 2>/dev/null; then
    echo
    row "fuzz target" "executions/s" "executions" "" "" ""
    row "---" "---:" "---:" "" "" ""
    if ! bash tests/fuzz/run.sh "$B" rate "$FUZZ_S" > "$OUT/fuzz-rates.txt"; then
        FAILED+=(fuzz)
    fi
    while read -r t rate execs; do row "$t" "$rate" "$execs" "" "" ""; done < "$OUT/fuzz-rates.txt"
elif [ "$FUZZ_S" != 0 ]; then
    say "fuzz targets not built (clang-14 and libclang-rt-14-dev): no fuzzing figures"
fi

say "done in $((SECONDS - START_S)) s"
[ ${#FAILED[@]} -gt 0 ] && exit 1
[ $OURS = 0 ] && exit 2
exit 0
