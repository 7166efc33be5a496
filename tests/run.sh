#!/bin/sh
# tests/run.sh BUILD_DIR... - run every test binary and tests/*.sh script against each build
# directory (build = plain, build-asan = AddressSanitizer+UBSan) and print one summary line.
# Each check prints "PASS: name", "FAIL: name: why" or "SKIP: name: why".
cd "$(dirname "$0")/.." || exit 2
: "${SHARED:=$(cd .. && pwd)/shared}"
export SHARED
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# OpenBLAS leaks a little per thread at exit in some builds; keep threads fixed in tests.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
log=$(mktemp)
# aligned copies of odd safetensors files go to a cache folder of the run's own
SHAPEWALK_CACHE=$(mktemp -d)
export SHAPEWALK_CACHE
trap 'rm -f "$log"; rm -rf "$SHAPEWALK_CACHE"' EXIT
crashed=0
for build in "$@"; do
    export SW_BIN="$PWD/$build/shapewalk" SW_BUILD="$build"
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        name="$build/$(basename "$t")"
        out=$("$t" 2>&1); rc=$?
        printf '%s\n' "$out" | sed "s|^|[$name] |" | tee -a "$log" | grep -E '^\[[^]]*\] (FAIL|SKIP)' || true
        if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL'; then
            echo "[$name] FAIL: $name exited $rc without a FAIL line:" | tee -a "$log"
            printf '%s\n' "$out" | tail -20
            crashed=$((crashed + 1))
        fi
    done
    for s in tests/*.sh; do
        case "$(basename "$s")" in run.sh|*_lib.sh|debootstrap-check.sh) continue ;; esac
        [ -f "$s" ] || continue
        name="$build/$(basename "$s")"
        out=$(sh "$s" 2>&1); rc=$?
        printf '%s\n' "$out" | sed "s|^|[$name] |" | tee -a "$log" | grep -E '^\[[^]]*\] (FAIL|SKIP)' || true
        if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL'; then
            echo "[$name] FAIL: $name exited $rc without a FAIL line:" | tee -a "$log"
            printf '%s\n' "$out" | tail -20
            crashed=$((crashed + 1))
        fi
    done
done
passed=$(grep -c '\] PASS:' "$log")
failed=$(grep -c '\] FAIL:' "$log")
skipped=$(grep -c '\] SKIP:' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
