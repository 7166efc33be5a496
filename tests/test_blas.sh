#!/bin/sh
# tests/test_blas.sh - --blas-kernel and the second start with OPENBLAS_CORETYPE set
# (engine/blas.c), through the real binary ($SW_BIN): --version names what runs; the second
# start keeps argv, stdin and the terminal; it never loops; bad values are one clear line.
# The choice logic itself and the numbers under every kernel: tests/test_blas.c.
cd "$(dirname "$0")/.." || exit 2
: "${SHARED:=$(cd .. && pwd)/shared}"
BIN=${SW_BIN:-$PWD/build/shapewalk}
STORIES=$SHARED/models/stories260K/stories260K.bin
export OPENBLAS_NUM_THREADS=1
unset SHAPEWALK_BLAS_CHOSE

pass() { echo "PASS: blas: $1"; }
fail() { echo "FAIL: blas: $1: $2"; }
if [ ! -x "$BIN" ]; then echo "SKIP: blas: all: no binary at $BIN (run make)"; exit 0; fi
if [ ! -f "$STORIES" ]; then echo "SKIP: blas: all: no $STORIES"; exit 0; fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

v=$(env -u OPENBLAS_CORETYPE timeout 20 "$BIN" --version 2>&1)
case "$v" in
    *"BLAS: OpenBLAS "*", kernel "*" (chosen by "*) pass "--version names the library, its kernel and who chose it" ;;
    *) fail "--version names the BLAS" "$v" ;;
esac

v=$(env -u OPENBLAS_CORETYPE timeout 20 "$BIN" --blas-kernel prescott --version 2>&1)
case "$v" in
    *"kernel Prescott (chosen by --blas-kernel"*) pass "--blas-kernel NAME starts again with that kernel (any case)" ;;
    *) fail "--blas-kernel prescott" "$v" ;;
esac

v=$(OPENBLAS_CORETYPE=Nehalem timeout 20 "$BIN" --version 2>&1)
case "$v" in
    *"kernel Nehalem (chosen by OPENBLAS_CORETYPE)"*) pass "OPENBLAS_CORETYPE set by the user is left alone" ;;
    *) fail "OPENBLAS_CORETYPE=Nehalem" "$v" ;;
esac

v=$(OPENBLAS_CORETYPE=Nehalem timeout 20 "$BIN" --blas-kernel keep --version 2>&1)
case "$v" in
    *"kernel Nehalem"*) pass "--blas-kernel keep keeps the kernel" ;;
    *) fail "--blas-kernel keep" "$v" ;;
esac

# the marker of a second start: no third one, whatever is asked
v=$(SHAPEWALK_BLAS_CHOSE=flag:lib:Haswell OPENBLAS_CORETYPE=Nehalem timeout 20 "$BIN" --blas-kernel Prescott --version 2>&1)
case "$v" in
    *"kernel Nehalem"*) pass "a second start never starts again (SHAPEWALK_BLAS_CHOSE)" ;;
    *) fail "no loop" "$v" ;;
esac

# stdin and argv through the second start
out=$(printf 'Once upon' | env -u OPENBLAS_CORETYPE timeout 20 "$BIN" --blas-kernel Sandybridge --model "$STORIES" --dump -p - -p "The cat" 2>"$tmp/err")
rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q 'kernel Sandybridge' &&
   printf '%s\n' "$out" | grep -qF '[ Once|403] [ upon|407]' && printf '%s\n' "$out" | grep -qF '[ The|' ; then
    pass "the second start keeps stdin (--prompt -) and every argument"
else
    fail "stdin and argv through the second start" "rc $rc; $(head -3 "$tmp/err"); $(printf '%s\n' "$out" | head -4)"
fi
json=$(env -u OPENBLAS_CORETYPE timeout 20 "$BIN" --blas-kernel Zen --model "$STORIES" --json 2>/dev/null)
case "$json" in
    *'"blas"'*'"kernel":'*'"Zen"'*'"chosen_by":'*'"--blas-kernel"'*) pass "--json names the kernel and who chose it" ;;
    *) fail "--json blas" "$(printf '%s' "$json" | head -c 300)" ;;
esac

# refusals: one line on stderr naming the value, nothing on stdout, exit 2
refuse() {
    name=$1; shift
    timeout 20 "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$2" "$tmp/err"; then
        pass "$name"
    else
        fail "$name" "rc $rc, stderr: $(head -3 "$tmp/err")"
    fi
}
refuse "an unknown --blas-kernel name is refused in one line" --blas-kernel Bogus -V
if ! grep -qw fma4 /proc/cpuinfo 2>/dev/null; then
    refuse "a kernel this CPU cannot run (FMA4) is refused, not crashed" --blas-kernel Excavator -V
fi

# the terminal through the second start
rm -rf "$tmp"
if command -v tmux >/dev/null 2>&1; then
    . tests/tui_lib.sh
    SW_BIN=$BIN
    tui_init blas
    tui_start 80 24 -- --blas-kernel Nehalem --model "$STORIES"
    expect_screen "the program opens in the terminal after a second start" "0 tokenize"
    tui_keys l
    expect_screen "keys reach it" "(B,T,D) = (2,5,64)"
    expect_quit "q quits with status 0"
    tui_stop
fi
exit 0
