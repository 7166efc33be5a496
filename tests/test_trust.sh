#!/bin/sh
# tests/test_trust.sh - issue 15 through the real binary ($SW_BIN, else build/shapewalk): the
# cache attack as it was found (links planted at the next pids' temporary names, then
# `SHAPEWALK_CACHE=CACHE shapewalk --model ODD`), HOME unset, empty option values, the 64 MB
# stdin limit, and wrong files refused with one line and a non-zero exit (never exit 0).
# (tests/test_trust.c covers the same ground at the C API, with more cases.)
# Everything is made in a mktemp -d folder from $SHARED's files; nothing is written elsewhere.
cd "$(dirname "$0")/.." || exit 2
: "${SHARED:=$(cd .. && pwd)/shared}"
BIN=${SW_BIN:-$PWD/build/shapewalk}
STORIES=$SHARED/models/stories260K
D64=$SHARED/models/gpt2-test-d64
export OPENBLAS_NUM_THREADS=1
unset NO_COLOR SHAPEWALK_MODEL_PATH XDG_CACHE_HOME

pass() { echo "PASS: trust: $1"; }
fail() { echo "FAIL: trust: $1: $2"; }
skip() { echo "SKIP: trust: $1: $2"; }

if [ ! -x "$BIN" ] || [ ! -f "$STORIES/stories260K.bin" ] || [ ! -f "$D64/model.safetensors" ]; then
    skip "all" "no binary at $BIN or no test models under $SHARED/models"
    exit 0
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cp "$BIN" "$tmp/shapewalk" && BIN=$tmp/shapewalk
export SHAPEWALK_DATA="$tmp/data"
out=$tmp/out err=$tmp/err
run() { timeout 60 "$BIN" "$@" </dev/null >"$out" 2>"$err"; rc=$?; }

# refused NAME WANT: exit 1 or 2 (not 0, not a signal), nothing on stdout, one line holding WANT
refused() {
    n=$(wc -l <"$err" | tr -d ' ')
    if [ "$rc" -ge 1 ] && [ "$rc" -le 2 ] && [ ! -s "$out" ] && [ "$n" -eq 1 ] && grep -qF -- "$2" "$err"; then
        pass "$1"
    else
        fail "$1" "exit $rc, $n lines: $(head -c 300 "$err")"
    fi
}

# ---------------------------------------------------------------- empty values
run --model "" --dump -p hi
refused '--model "" is an error, not the default model' '--model "" is empty'
run --tokenizer "" --dump -p hi
refused '--tokenizer "" is an error' '--tokenizer "" is empty'

# ---------------------------------------------------------------- --prompt - and its 64 MB
head -c 67108865 /dev/zero | tr '\0' a > "$tmp/big"
start=$(date +%s)
timeout 60 "$BIN" --model "$STORIES/stories260K.bin" --dump -p - <"$tmp/big" >"$out" 2>"$err"; rc=$?
took=$(( $(date +%s) - start ))
if [ $took -lt 20 ]; then refused "--prompt -: one byte over 64 MB is refused (in ${took}s)" 'over 64 MB'
else fail "--prompt -: over 64 MB is refused quickly" "took ${took}s"; fi
rm -f "$tmp/big"

# ---------------------------------------------------------------- the cache attack
if command -v python3 >/dev/null 2>&1; then
    mkdir "$tmp/odd"
    for f in config.json vocab.json merges.txt; do ln -s "$D64/$f" "$tmp/odd/$f"; done
    # the same checkpoint with one space more in its header: the data starts at an odd offset
    python3 - "$D64/model.safetensors" "$tmp/odd/model.safetensors" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
open(sys.argv[2], 'wb').write(struct.pack('<Q', n + 1) + b[8:8 + n] + b' ' + b[8 + n:])
EOF
    # learn the copy's name in one cache, then plant links at its temporary names for the next
    # 200 pids (and at its final name) in another
    mkdir -m 700 "$tmp/c1" "$tmp/c2"
    SHAPEWALK_CACHE=$tmp/c1 run --model "$tmp/odd" --json -p "Hello world"
    cp "$out" "$tmp/ref.json"
    copy=$(cd "$tmp/c1" && ls aligned-*.safetensors 2>/dev/null | head -1)
    if [ -n "$copy" ]; then
        printf 'precious\n' > "$tmp/victim"
        pid=$$
        for i in $(seq 0 200); do ln -s "$tmp/victim" "$tmp/c2/$copy.tmp.$((pid + i))"; done
        ln -s "$tmp/victim" "$tmp/c2/$copy"
        SHAPEWALK_CACHE=$tmp/c2 run --model "$tmp/odd" --json -p "Hello world"
        if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/victim")" = precious ] && [ -f "$tmp/c2/$copy" ] && [ ! -L "$tmp/c2/$copy" ] &&
           cmp -s "$out" "$tmp/ref.json"; then
            pass "SHAPEWALK_CACHE with planted links: the links' target is untouched, same output"
        else
            fail "SHAPEWALK_CACHE with planted links" "exit $rc, victim: $(head -c 40 "$tmp/victim" | tr -cd 'a-z'); $(head -c 200 "$err")"
        fi
    else
        fail "cache: a copy is made" "none in $tmp/c1: $(head -c 200 "$err")"
    fi
    # HOME unset: no cache anywhere, one line saying so, the same numbers
    mkdir "$tmp/cwd"
    (cd "$tmp/cwd" && env -u HOME -u SHAPEWALK_CACHE -u XDG_CACHE_HOME timeout 60 "$BIN" --model "$tmp/odd" --json -p "Hello world" \
        </dev/null >"$out" 2>"$err"); rc=$?
    n=$(wc -l <"$err" | tr -d ' ')
    # (not byte-identical to the mapped copy's output: the copy's Conv1D matrices are transposed,
    # so the sums run in another order; tests/test_trust.c compares the logits)
    if [ "$rc" -eq 0 ] && [ "$n" -eq 1 ] && grep -q 'no cache folder' "$err" && [ -z "$(ls -A "$tmp/cwd")" ] && [ -s "$out" ]; then
        pass "HOME unset: no cache written, one line says so, output as usual"
    else
        fail "HOME unset: no cache written, one line says so" "exit $rc, $n lines: $(head -c 300 "$err")"
    fi
else
    skip "cache attack through the binary" "no python3 to make the odd file (tests/test_trust.c covers it)"
fi

# ---------------------------------------------------------------- a folder that cannot be read
# (as root every folder is readable: run as nobody through setpriv when it is there)
chmod 755 "$tmp" && perm=$tmp/perm && mkdir -m 755 "$perm"
cp "$BIN" "$perm/shapewalk" && chmod 755 "$perm/shapewalk"
mkdir "$perm/locked" && chmod 000 "$perm/locked"
if [ "$(id -u)" -ne 0 ]; then
    run --model "$perm/locked" --dump -p hi
    refused "an unreadable model folder: 'Permission denied' with the path" "$perm/locked: cannot read it: Permission denied"
elif command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    (cd "$perm" && HOME=$perm timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$perm/shapewalk" --model "$perm/locked" --dump -p hi \
        </dev/null >"$out" 2>"$err"); rc=$?
    refused "an unreadable model folder (as nobody): 'Permission denied' with the path" "$perm/locked: cannot read it: Permission denied"
else
    skip "an unreadable model folder" "running as root without setpriv"
fi
chmod 700 "$tmp" "$perm/locked"

# ---------------------------------------------------------------- wrong files never exit 0
mkdir "$tmp/nan"
cp "$STORIES/stories260K.bin" "$tmp/nan/m.bin"
ln -s "$STORIES/tok512.bin" "$tmp/nan/tok512.bin"
# float 0x7fc00000 (NaN) at float 33000: after token_embedding's 512*64 = 32768 floats, float 232
# of rms_att (5 layers of 64): layer 3, element 40
printf '\000\000\300\177' | dd of="$tmp/nan/m.bin" bs=4 seek=$((7 + 33000)) conv=notrunc 2>/dev/null
run --model "$tmp/nan/m.bin" --json -p "Once upon a time"
refused "a NaN in the weights: refused, naming the tensor (no null probabilities)" 'rms_att (layer 3) has NaN at element 40'

# finite but huge weights (row 0 of layer 1's wq = 3e38): the pass overflows; refused, naming the station
cp "$STORIES/stories260K.bin" "$tmp/nan/m.bin"
for j in $(seq 0 63); do printf '\241\300\141\177'; done | dd of="$tmp/nan/m.bin" bs=4 seek=$((7 + 512 * 64 + 5 * 64 + 64 * 64)) conv=notrunc 2>/dev/null
run --model "$tmp/nan/m.bin" --json -p "Once upon a time"
refused "weights that overflow float32 in the pass: refused, naming the station (never null probabilities)" 'station 3.2.b'

mkdir "$tmp/cfg"
for f in vocab.json merges.txt model.safetensors; do ln -s "$D64/$f" "$tmp/cfg/$f"; done
{ cat "$D64/config.json"; printf '}garbage{'; } > "$tmp/cfg/config.json"
run --model "$tmp/cfg" --json -p hi
refused "config.json with }garbage{: refused" 'more after the JSON value'
{ cat "$D64/config.json"; cat "$D64/config.json"; } > "$tmp/cfg/config.json"
run --model "$tmp/cfg" --json -p hi
refused "config.json with a second object: refused" 'more after the JSON value'
rm "$tmp/cfg/config.json" && ln -s "$D64/config.json" "$tmp/cfg/config.json"
rm "$tmp/cfg/vocab.json"
{ cat "$D64/vocab.json"; printf '{"x": 1}'; } > "$tmp/cfg/vocab.json"
run --model "$tmp/cfg" --json -p hi
refused "vocab.json with a second object: refused" 'more after the JSON value'
sed 's/"<|endoftext|>"/"!"/' "$D64/vocab.json" > "$tmp/cfg/vocab.json"
run --model "$tmp/cfg" --json -p hi
refused 'vocab.json with "!" twice: refused' '"!" appears twice'
exit 0
