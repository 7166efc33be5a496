#!/bin/sh
# tests/test_valgrind.sh - headless runs of the real binary under valgrind (memcheck):
# no invalid reads/writes, no uses of uninitialised values, no leaks (definite, indirect,
# possible), on both test models and on two error paths. Plain build only: SKIP under the
# ASan build (SW_BUILD=build-asan; ASan and valgrind do not mix) or without valgrind.
# OPENBLAS_NUM_THREADS=1; no suppression file is needed (OpenBLAS's init is clean here).
cd "$(dirname "$0")/.." || exit 2
. tests/cli_lib.sh
cli_init valgrind

case ${SW_BUILD:-build} in
*asan*) skip "all" "ASan build ($SW_BUILD): valgrind runs on the plain build only"; exit 0 ;;
esac
if ! command -v valgrind >/dev/null 2>&1; then skip "all" "valgrind is not installed (apt-get install valgrind)"; exit 0; fi
cli_require
cli_tmp

# vg NAME WANT_RC ARGS...: run under memcheck; 9 means valgrind found something
vg() {
    name=$1 want=$2; shift 2
    timeout 300 valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --log-file="$tmp/vg.log" "$BIN" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 9 ] || [ -s "$tmp/vg.log" ]; then
        fail "$name" "memcheck: $(grep -E '==[0-9]+== +(Invalid|Conditional|Use of|Mismatched|[0-9,]+ bytes in)|==[0-9]+== +(at|by) ' "$tmp/vg.log" | head -6 | sed 's/==[0-9]*== *//' | tr '\n' '|')"
        cp "$tmp/vg.log" "${TMPDIR:-/tmp}/shapewalk-valgrind-$(echo "$name" | tr -c 'a-zA-Z0-9' '_').log" 2>/dev/null
    elif [ "$rc" -eq 124 ]; then
        fail "$name" "did not finish in 300 s under valgrind"
    elif [ "$want" = 0 ] && [ "$rc" -ne 0 ]; then
        fail "$name" "exit $rc: $(head -c 300 "$tmp/err" | tr '\n' '|')"
    elif [ "$want" != 0 ] && [ "$rc" -eq 0 ]; then
        fail "$name" "expected a refusal, got exit 0"
    else
        pass "$name"
    fi
}

vg "stories260K --json --logit-lens --generate 4 (sampled)" 0 \
    --json --logit-lens --generate 4 --temperature 1 --top-p 0.9 --model "$STORIES"
vg "stories260K --dump, B=3" 0 --dump --model "$STORIES" -p "Once upon a time" -p "Lily" -p ""
vg "gpt2-test-d64 --json --generate 2" 0 --json --generate 2 --model "$D64"

# error paths free what they opened: a truncated checkpoint, a GPT-2 folder whose
# tokenizer (opened after the weights) is missing
head -c 100000 "$STORIES" >"$tmp/cut.bin"
vg "truncated checkpoint refused" 1 --json --model "$tmp/cut.bin"
mkdir -p "$tmp/g"
for f in config.json model.safetensors merges.txt; do ln -s "$D64/$f" "$tmp/g/$f"; done
vg "GPT-2 folder without vocab.json refused" 1 --json --model "$tmp/g"

[ "$failed" -eq 0 ]
