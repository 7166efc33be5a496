#!/bin/sh
# fuzz/run.sh TARGET... - run each built libFuzzer target (build/TARGET) for FUZZ_SECONDS,
# FUZZ_JOBS at a time, starting from the seed corpus in corpus/TARGET (never modified: new
# inputs go to a scratch corpus). Prints one line per target with the executions reached
# (libFuzzer's "Done N runs") and fails if any target found something; crashing inputs
# are kept in $FUZZ_CRASHES (default /tmp/fuzz-crashes) with the log beside them.
#   FUZZ_SECONDS=60 FUZZ_JOBS=2 FUZZ_CRASHES=/tmp/fuzz-crashes SHARED=../../shared
set -u
cd "$(dirname "$0")" || exit 2
: "${FUZZ_SECONDS:=60}" "${FUZZ_JOBS:=2}" "${FUZZ_CRASHES:=/tmp/fuzz-crashes}"
: "${SHARED:=$(cd ../.. && pwd)/shared}"
export SHARED FUZZ_SECONDS FUZZ_CRASHES
# one BLAS thread per target (two targets share two cores); leaks are findings
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

if [ "${1:-}" = --one ]; then
    # one target: run it, leave its log in $work/$t.log and its status in $work/$t.rc
    t=$2 work=$3
    mkdir -p "$work/corpus-$t" "$work/tmp-$t" "$FUZZ_CRASHES"
    dict= maxlen=
    [ -f "dict/$t.dict" ] && dict="-dict=dict/$t.dict"
    # model files up to 64 KB; texts keep libFuzzer's default (4 KB or the largest seed)
    case $t in *roundtrip) ;; *) maxlen=-max_len=65536 ;; esac
    FUZZ_TMP="$work/tmp-$t" "./build/$t" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2560 \
        $maxlen -print_final_stats=1 -artifact_prefix="$FUZZ_CRASHES/$t-" $dict \
        "$work/corpus-$t" "corpus/$t" >"$work/$t.log" 2>&1
    echo $? >"$work/$t.rc"
    exit 0
fi

[ $# -gt 0 ] || { echo "usage: run.sh TARGET..." >&2; exit 2; }
for t in "$@"; do
    [ -x "build/$t" ] || { echo "fuzz: build/$t is missing; run make -C fuzz" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/swfuzz-run.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
echo "fuzz: $# targets, ${FUZZ_SECONDS}s each, $FUZZ_JOBS at a time"
printf '%s\n' "$@" | xargs -P "$FUZZ_JOBS" -I{} sh ./run.sh --one {} "$work"

failed=0
for t in "$@"; do
    log="$work/$t.log"
    rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
    runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in.*/\1/p' "$log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    cov=$(sed -n 's/.*\(cov: [0-9]*\) ft.*/\1/p' "$log" | tail -1)
    if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
        printf 'PASS: fuzz %-22s %10s executions in %ss (%s)\n' "$t" "${runs:-?}" "$FUZZ_SECONDS" "${cov:-cov: ?}"
    else
        failed=$((failed + 1))
        cp "$log" "$FUZZ_CRASHES/$t.log" 2>/dev/null
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        printf 'FAIL: fuzz %s: exit %s after %s executions; input %s; log %s\n' "$t" "$rc" "${runs:-?}" \
            "${art:-(none)}" "$FUZZ_CRASHES/$t.log"
        grep -E 'ERROR: |FUZZ FINDING|runtime error|^    #[0-9]' "$log" | head -25 | sed 's/^/    /'
    fi
done
[ "$failed" -eq 0 ] && echo "fuzz: all $# targets clean" || echo "fuzz: $failed of $# targets failed"
[ "$failed" -eq 0 ]
