#!/bin/sh
# tests/test_cli.sh - the command line against bad flags, bad files and bad text, through the
# real binary ($SW_BIN, set by tests/run.sh; else build/shapewalk). No terminal is used: every
# run has stdin from /dev/null (or a pipe) and stdout/stderr in files, and is wrapped in
# `timeout 60` (5 for the FIFO cases) so a hang is a failure, not a stuck suite.
#
# Every refusal must: exit non-zero (and not from a signal or a sanitizer), print nothing on
# stdout, print exactly ONE line on stderr, and name the file or value at fault.
# Broken model copies are made in a mktemp -d folder from $SHARED's files (head -c / dd);
# nothing is written anywhere else.
cd "$(dirname "$0")/.." || exit 2
. tests/cli_lib.sh
cli_init cli
cli_require
cli_tmp
out=$tmp/out err=$tmp/err

# run ARGS...: the binary with stdin from /dev/null; sets $rc, output in $out and $err.
# Killed after $limit seconds (60: the ASan build on a busy 2-core machine can take 20 s for a
# GPT-2 generation; 5 for the FIFO cases, where blocking is the risk).
limit=60
run() { timeout "$limit" "$BIN" "$@" </dev/null >"$out" 2>"$err"; rc=$?; }
# run_in INPUT_FILE ARGS...: the same with stdin from a file
run_in() { f=$1; shift; timeout "$limit" "$BIN" "$@" <"$f" >"$out" 2>"$err"; rc=$?; }

lines() { wc -l <"$1" | tr -d ' '; }
# snip FILE [N]: the first N (200) bytes of a file on one line, for a FAIL message
snip() { head -c "${2:-200}" "$1" | tr '\n\t' '| ' | LC_ALL=C tr -d '\000-\010\016-\037'; }

# refused NAME WANT...: the last run failed cleanly with one line on stderr holding every WANT
refused() {
    name=$1; shift
    if [ "$rc" -eq 124 ]; then fail "$name" "hung (killed after $limit s)"; return; fi
    if [ "$rc" -eq 0 ]; then fail "$name" "exit 0; stdout: $(snip "$out")"; return; fi
    if [ "$rc" -ge 126 ]; then fail "$name" "exit $rc (signal or crash): $(snip "$err" 300)"; return; fi
    if [ -s "$out" ]; then fail "$name" "printed on stdout: $(snip "$out")"; return; fi
    n=$(lines "$err")
    if [ "$n" -ne 1 ]; then fail "$name" "$n lines on stderr: $(snip "$err" 400)"; return; fi
    for w in "$@"; do
        if ! grep -qF -- "$w" "$err"; then fail "$name" "stderr lacks \"$w\": $(snip "$err" 400)"; return; fi
    done
    if LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')" "$err"; then
        fail "$name" "control characters in the message: $(cat -v "$err" | head -c 300)"; return
    fi
    pass "$name"
}

# succeeded NAME: exit 0, nothing on stderr, something on stdout
succeeded() {
    name=$1
    if [ "$rc" -eq 124 ]; then fail "$name" "hung (killed after $limit s)"; return 1; fi
    if [ "$rc" -ne 0 ]; then fail "$name" "exit $rc: $(snip "$err" 400)"; return 1; fi
    if [ -s "$err" ]; then fail "$name" "stderr: $(snip "$err" 400)"; return 1; fi
    if [ ! -s "$out" ]; then fail "$name" "no output"; return 1; fi
    pass "$name"
}

# json_ok FILE: valid JSON in valid UTF-8 (python3, else node); 2 when neither is installed
json_tool=
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then json_tool=python3
elif command -v node >/dev/null 2>&1; then json_tool=node; fi
json_ok() {
    case $json_tool in
    python3) python3 -c 'import json,sys
try: json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
except Exception as e: print(str(e)[:200]); sys.exit(1)' "$1" ;;
    node) node -e 'const b=require("fs").readFileSync(process.argv[1]); const s=b.toString("utf8");
                   if (!Buffer.from(s,"utf8").equals(b)) { console.log("not UTF-8"); process.exit(1); }
                   try { JSON.parse(s); } catch (e) { console.log(String(e).slice(0, 200)); process.exit(1); }' "$1" ;;
    *) return 2 ;;
    esac
}
# json_check NAME: the last run succeeded and printed valid JSON
json_check() {
    succeeded "$1" || return
    why=$(json_ok "$out")
    case $? in
    0) pass "$1: valid JSON" ;;
    2) skip "$1: valid JSON" "neither python3 nor node installed" ;;
    *) fail "$1: valid JSON" "$(printf '%s' "$why" | tr '\n' ' ')" ;;
    esac
}

# ---------------------------------------------------------------- help and version
run --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: shapewalk' "$out" && [ ! -s "$err" ]; then pass "--help: usage on stdout, exit 0"
else fail "--help: usage on stdout, exit 0" "exit $rc"; fi
run -h
[ "$rc" -eq 0 ] && grep -q -- '--model' "$out" && pass "-h" || fail "-h" "exit $rc"
run --version
if [ "$rc" -eq 0 ] && grep -qE '^shapewalk [0-9]+\.[0-9]+\.[0-9]+$' "$out" && grep -q '^BLAS: ' "$out" && [ "$(lines "$out")" -eq 2 ] && [ ! -s "$err" ]; then
    pass "--version: 'shapewalk X.Y.Z' and a BLAS line, exit 0"
else fail "--version: 'shapewalk X.Y.Z' and a BLAS line, exit 0" "exit $rc: $(cat "$out")"; fi
run -V
[ "$rc" -eq 0 ] && grep -q '^shapewalk ' "$out" && pass "-V" || fail "-V" "exit $rc"
run --help --bogus
[ "$rc" -eq 0 ] && grep -q '^Usage' "$out" && pass "--help before a bad flag still helps" || fail "--help before a bad flag still helps" "exit $rc"

# ---------------------------------------------------------------- flags
run --bogus;                 refused "unknown long flag" "--bogus" "--help"
run -x;                      refused "unknown short flag" "-x" "--help"
run --dumpp;                 refused "misspelt flag (--dumpp)" "--dumpp"
run --t;                     refused "ambiguous abbreviation (--t)" "--t"
run --model;                 refused "missing value: --model" "--model" "value"
run --json -k;               refused "missing value: -k" "-k"
run --dump --prompt;         refused "missing value: --prompt" "--prompt"
run --json --top-k abc;      refused "bad number: --top-k abc" "--top-k" "abc"
run --json --top-k 0;        refused "out of range: --top-k 0" "--top-k" "'0'"
run --json --top-k 5x;       refused "trailing junk: --top-k 5x" "--top-k" "5x"
run --json --top-k '';       refused "empty number: --top-k ''" "--top-k"
run --json --top-k 99999999999999999999; refused "overflowing number: --top-k" "--top-k" "99999999999999999999"
run --json --generate -1;    refused "negative --generate" "--generate" "-1"
run --json --temperature nan; refused "--temperature nan" "--temperature" "nan"
run --json --temperature -1; refused "--temperature -1" "--temperature"
run --json --top-p 1.5;      refused "--top-p 1.5" "--top-p" "1.5"
run --json --seed x1;        refused "--seed x1" "--seed" "x1"
run --json --seed -1;        refused "--seed -1 (not wrapped to 2^64-1)" "--seed" "-1"
run --json --seed 99999999999999999999999; refused "--seed beyond 2^64" "--seed" "99999999999999999999999"
run --station 8;             refused "--station 8" "--station" "8"
run --station 3.x;           refused "--station 3.x" "--station" "3.x"
run --station 3.1.z;         refused "--station 3.1.z (no step z)" "--station" "3.1.z"
run --dump --model "$STORIES" --station 3.9; refused "--station 3.9 (stories260K has 5 blocks)" "--station 3.9" "5 blocks"
run --dump --model "$STORIES" --station 3.1.c; [ "$rc" -eq 0 ] && pass "--station 3.1.c: the rotary step of a Llama model" || fail "--station 3.1.c" "exit $rc: $(snip "$err")"
# --dump --station prints that station only, with more of its numbers: head 0's attention row
# at the last position of prompt 0 (five probabilities that sum to 1, to the 4 decimals printed)
run --dump --model "$STORIES" --station 3.2.f
if [ "$rc" -eq 0 ] && grep -q '^station 3.2.f:$' "$out" && ! grep -q '^3.1 transformer block' "$out" &&
   grep '^  A\[0,0,4,:5\] =' "$out" | awk '{s = 0; for (i = 3; i <= NF; i++) s += $i; exit !(s > 0.9995 && s < 1.0005)}'
then pass "--dump --station 3.2.f: that station only, head 0's attention row summing to 1"
else fail "--dump --station 3.2.f" "exit $rc: $(grep -A3 '^station' "$out" | head -c 200 | tr '\n' '|')"; fi
run --json --model "$STORIES" --station 3.1.f; refused "--json --station (no stations in --json)" "--station" "--save 3.1.f"
run --json --threads 0;      refused "--threads 0" "--threads"
run --replay-delay 100;      refused "--replay-delay without --replay" "--replay-delay" "--replay"
run --tour --dump;           refused "--tour with --dump" "--tour" "--dump"
run --replay "$tmp/no-such-demo.txt"; refused "--replay of a missing file" "--replay" "no-such-demo.txt"
printf 'prompt The cat\nkeys\nright\nsideways\n' > "$tmp/bad-demo.txt"
run --replay "$tmp/bad-demo.txt"; refused "--replay: an unknown key, named by file and line" "bad-demo.txt line 4" "sideways"
printf 'prompt a\033[2J\001\nkeys\ntype \033]0;pwned\007\n' > "$tmp/esc-demo.txt"
run --replay "$tmp/esc-demo.txt"; refused "--replay: terminal escapes in a demo" "esc-demo.txt line 1" "control character"
printf 'prompt caf\351\n' > "$tmp/latin1-demo.txt"
run --replay "$tmp/latin1-demo.txt"; refused "--replay: not UTF-8" "latin1-demo.txt line 1" "UTF-8"
printf 'prompt a\000b\n' > "$tmp/nul-demo.txt"
run --replay "$tmp/nul-demo.txt"; refused "--replay: a NUL byte" "nul-demo.txt line 1" "NUL"
# DEMO_LINE_MAX is 7 + 4 * 65536 bytes (app/record.h): the longest prompt, each byte an escape
head -c 300000 /dev/zero | tr '\000' x | sed 's/^/prompt /' > "$tmp/long-demo.txt"
run --replay "$tmp/long-demo.txt"; refused "--replay: a line over DEMO_LINE_MAX bytes" "long-demo.txt line 1" "longer than"
head -c 70000 /dev/zero | tr '\000' x | sed 's/^/prompt /' > "$tmp/long-demo.txt"
run --replay "$tmp/long-demo.txt"; refused "--replay: a prompt over 65536 bytes" "long-demo.txt line 1" "over 65536 bytes"
printf 'station 3.1.z\n' > "$tmp/st-demo.txt"
run --replay "$tmp/st-demo.txt"; refused "--replay: a bad station line" "st-demo.txt line 1" "station"
run --replay "$tmp"; refused "--replay of a folder" "--replay" "folder"
printf 'prompt a\n' > "$tmp/ok-demo.txt"
run --replay "$tmp/ok-demo.txt" --prompt b; refused "--replay with its own prompts and --prompt" "--replay" "--prompt"
ln -s "$tmp/ok-demo.txt" "$tmp/link-demo.txt" 2>/dev/null
run --record "$tmp/link-demo.txt"; refused "--record to a symbolic link" "--record" "symbolic link"
run --record "$tmp/no/such/dir/demo.txt"; refused "--record into a missing folder" "--record" "does not exist"
run --record "$tmp/ok-demo.txt" --replay "$tmp/ok-demo.txt"; refused "--record over the --replay file" "--record" "--replay"
head -c 70000 /dev/zero | tr '\000' x > "$tmp/long-prompt.txt"
run_in "$tmp/long-prompt.txt" --record "$tmp/new-demo.txt" --prompt -
refused "--record of a prompt a demo cannot hold (over 65536 bytes), before the run" "--record" "over the 65536"
run --json stray;            refused "stray argument" "stray" "--prompt"
run --json --dump;           refused "--dump and --json together" "--dump" "--json"
run --generate 5;            refused "--generate without --dump/--json" "--generate" "press g"
run --top-k 100;             refused "--top-k over the program's 64" "--top-k 100" "64"
run --json -p 1 -p 2 -p 3 -p 4 -p 5 -p 6 -p 7 -p 8 -p 9
refused "nine prompts (B > 8)" "8"

# ---------------------------------------------------------------- not a terminal
run --model "$STORIES"
refused "stdout not a terminal, no --dump/--json" "--dump" "--json"
run
refused "no options, not a terminal" "--dump"

# ---------------------------------------------------------------- missing and wrong files
run --json --model "$tmp/nonexistent/model.bin"
refused "missing model path" "$tmp/nonexistent/model.bin"
run --json --model nosuchmodel
refused "unknown model name says how to fetch" "nosuchmodel" "make model"
printf 'just some notes\n' >"$tmp/notes.txt"
run --json --model "$tmp/notes.txt"
refused "a text file is not a model" "notes.txt" "not a model"
: >"$tmp/empty.bin"
run --json --model "$tmp/empty.bin"
refused "empty .bin" "empty.bin" "empty"
mkdir -p "$tmp/emptydir"
run --json --model "$tmp/emptydir"
refused "folder without a model" "emptydir"
run --json --model /dev/null
refused "/dev/null as the model" "/dev/null"
ln -s "$tmp/loop" "$tmp/loop"
run --json --model "$tmp/loop"
refused "symlink loop" "loop"
run --dump --model "$STORIES" --tokenizer "$tmp/none.bin"
refused "missing --tokenizer file" "none.bin"
run --dump --model "$STORIES" --tokenizer "$tmp/notes.txt"
refused "--tokenizer is a text file" "notes.txt"

# llama2.c copies: truncated at several points, a corrupt header, a missing tokenizer
mkdir -p "$tmp/st"
ln -s "$TOK512" "$tmp/st/tok512.bin"
size=$(wc -c <"$STORIES" | tr -d ' ')
for cut in 20 28 1000 $((size / 2)) $((size - 4)); do
    head -c "$cut" "$STORIES" >"$tmp/st/cut$cut.bin"
    run --json --model "$tmp/st/cut$cut.bin"
    refused "stories260K cut at $cut bytes" "cut$cut.bin" "truncated"
    rm -f "$tmp/st/cut$cut.bin"
done
cp "$STORIES" "$tmp/st/long.bin" && printf 'junk' >>"$tmp/st/long.bin"
run --json --model "$tmp/st/long.bin"
refused "stories260K with bytes appended" "long.bin"
rm -f "$tmp/st/long.bin"
cp "$STORIES" "$tmp/st/hdr.bin"
printf '\377\377\377\377' | dd of="$tmp/st/hdr.bin" bs=1 seek=0 conv=notrunc 2>/dev/null
run --json --model "$tmp/st/hdr.bin"
refused "llama header dim=-1" "hdr.bin" "dim=-1"
printf '\000\000\000\100' | dd of="$tmp/st/hdr.bin" bs=1 seek=8 conv=notrunc 2>/dev/null
run --json --model "$tmp/st/hdr.bin"
refused "llama header nonsense n_layers" "hdr.bin"
rm -f "$tmp/st/hdr.bin"
mkdir -p "$tmp/notok"
ln -s "$STORIES" "$tmp/notok/stories260K.bin"
run --json --model "$tmp/notok/stories260K.bin"
refused "llama without a tokenizer says --tokenizer" "--tokenizer" "tok512.bin"
head -c 3000 "$TOK512" >"$tmp/notok/tok512.bin"
run --json --model "$tmp/notok/stories260K.bin"
refused "truncated tok512.bin" "tok512.bin"
rm -f "$tmp/notok/tok512.bin"

# GPT-2 folder copies: links to the real files, one file replaced by a broken one
gpt2_copy() {   # gpt2_copy DIR: a folder of links to gpt2-test-d64's files
    rm -rf "$1"; mkdir -p "$1"
    for f in config.json model.safetensors vocab.json merges.txt; do ln -s "$D64/$f" "$1/$f"; done
}
g=$tmp/g
gsize=$(wc -c <"$D64/model.safetensors" | tr -d ' ')
for cut in 4 100 5000 $((gsize / 2)) $((gsize - 1)); do
    gpt2_copy "$g"; rm "$g/model.safetensors"
    head -c "$cut" "$D64/model.safetensors" >"$g/model.safetensors"
    run --json --model "$g"
    refused "model.safetensors cut at $cut bytes" "model.safetensors"
done
gpt2_copy "$g"; rm "$g/model.safetensors"; cp "$D64/model.safetensors" "$g/model.safetensors"
printf '}}}}' | dd of="$g/model.safetensors" bs=1 seek=20 conv=notrunc 2>/dev/null
run --json --model "$g"
refused "safetensors header not JSON" "model.safetensors" "JSON"
gpt2_copy "$g"; rm "$g/model.safetensors"; : >"$g/model.safetensors"
run --json --model "$g"
refused "empty model.safetensors" "model.safetensors" "empty"
gpt2_copy "$g"; rm "$g/config.json"
run --json --model "$g"
refused "missing config.json" "config.json"
gpt2_copy "$g"; rm "$g/config.json"; head -c 40 "$D64/config.json" >"$g/config.json"
run --json --model "$g"
refused "truncated config.json" "config.json"
gpt2_copy "$g"; rm "$g/config.json"
sed 's/"n_embd": *64/"n_embd": 128/' "$D64/config.json" >"$g/config.json"
run --json --model "$g"
if grep -q '"n_embd": *128' "$g/config.json"; then refused "config.json disagrees with the weights" "model.safetensors" "config.json"
else skip "config.json disagrees with the weights" "could not edit n_embd in config.json"; fi
gpt2_copy "$g"; rm "$g/vocab.json"
run --json --model "$g"
refused "missing vocab.json" "vocab.json"
gpt2_copy "$g"; rm "$g/merges.txt"; head -c 1000 "$D64/merges.txt" >"$g/merges.txt"
printf 'onlyonepart\n' >>"$g/merges.txt"
run --json --model "$g"
refused "corrupt merges.txt" "merges.txt"
gpt2_copy "$g"; rm "$g/vocab.json"; head -c 5000 "$D64/vocab.json" >"$g/vocab.json"
run --json --model "$g"
refused "truncated vocab.json" "vocab.json"

# a FIFO where a file is expected must not block the program
if command -v mkfifo >/dev/null 2>&1; then
    limit=5
    gpt2_copy "$g"; rm "$g/config.json"; mkfifo "$g/config.json"
    run --json --model "$g"
    refused "config.json is a FIFO (no hang)" "config.json"
    mkfifo "$tmp/fifo.bin"
    run --json --model "$tmp/fifo.bin"
    refused "a FIFO as the model (no hang)" "fifo.bin"
    rm -f "$tmp/fifo.bin"
    limit=60
fi
rm -rf "$g"

# ---------------------------------------------------------------- text
run --json --model "$STORIES" --prompt "$(printf 'ok \377 no')"
refused "invalid UTF-8 prompt" "UTF-8"
run --json --model "$D64" --prompt "$(printf 'a\300\257b')"
refused "overlong UTF-8 prompt (gpt2)" "UTF-8"
run --json --model "$D64" --prompt ""
refused "empty prompt (gpt2)" "empty"
run --json --model "$STORIES" --prompt ""
json_check "empty prompt (llama: BOS alone)"
printf 'nul\000inside' >"$tmp/nul.txt"
run_in "$tmp/nul.txt" --json --model "$STORIES" --prompt -
refused "NUL byte via --prompt -" "NUL"
printf 'tab\there \033[2J bell\007 del\177 \302\205 done\n' >"$tmp/ctl.txt"
run_in "$tmp/ctl.txt" --json --model "$D64" --prompt -
json_check "control characters via --prompt - (--json)"
run_in "$tmp/ctl.txt" --dump --model "$D64" --prompt - --generate 2
succeeded "control characters via --prompt - (--dump --generate 2)"
if LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')" "$out"; then
    fail "--dump shows control characters escaped" "raw control bytes on stdout: $(LC_ALL=C grep -n "$(printf '[\001-\010\016-\037\177]')" "$out" | head -1 | cat -v | head -c 200)"
else pass "--dump shows control characters escaped"; fi
printf 'e\314\201 \327\251\327\234\327\225\327\235 \342\200\256abc\342\200\254 \360\237\221\250\342\200\215\360\237\221\251' >"$tmp/uni.txt"
run_in "$tmp/uni.txt" --json --model "$D64" --prompt -
json_check "combining, right-to-left, bidi override and ZWJ emoji (gpt2)"
run_in "$tmp/uni.txt" --dump --model "$STORIES" --prompt -
succeeded "combining, right-to-left, bidi override and ZWJ emoji (llama --dump)"
run_in /dev/null --json --model "$STORIES" --prompt -
json_check "--prompt - with empty stdin (llama)"

# longer than the context (gpt2-test-d64: 128; stories260K: 512)
long=$(i=0; while [ $i -lt 200 ]; do printf 'word%d ' $i; i=$((i + 1)); done)
run --json --model "$D64" --prompt "$long"
refused "prompt longer than the context says --truncate" "--truncate" "128"
run --json --model "$D64" --prompt "$long" --truncate
json_check "prompt longer than the context with --truncate"
i=0; : >"$tmp/big.txt"
while [ $i -lt 200 ]; do printf 'Once upon a time there was a little girl named Lily. ' >>"$tmp/big.txt"; i=$((i + 1)); done
run_in "$tmp/big.txt" --json --model "$STORIES" --prompt - --truncate
json_check "10 KB prompt via stdin with --truncate (llama)"

# ---------------------------------------------------------------- success on both models
for m in "$STORIES" "$D64"; do
    mn=$(basename "$m")
    run --dump --model "$m"
    succeeded "--dump $mn" && { grep -q 'shape walk' "$out" && pass "--dump $mn: shows the shape walk" || fail "--dump $mn: shows the shape walk" "$(head -5 "$out")"; }
    # each sample is named by its tensor (issue 16: every one said x[0,4,:4]): xn at the norms, y after A@v, hid in the MLP
    if grep -A1 '^    3\.1\.a norm 1' "$out" | grep -q ' xn\[0,[0-9]*,:4\] = ' && grep -A1 '^    3\.1\.g ' "$out" | grep -q ' y\[0,[0-9]*,:4\] = ' &&
        grep -A2 '^    3\.1\.j ' "$out" | grep -q ' hid\[0,[0-9]*,:4\] = '; then pass "--dump $mn: samples named xn, y, hid"
    else fail "--dump $mn: samples named xn, y, hid" "$(grep -A2 '^    3\.1\.[agj] ' "$out" | head -9)"; fi
    # the LM head's matrix has one name, W_lm (issue 16: Eᵀ, W_cls, W_out, W_lmᵀ)
    if grep '^5 LM head' "$out" | grep -q 'logits = x @ W_lm' && ! grep -q 'W_cls\|W_out\|W_lmᵀ\|x @ Eᵀ' "$out"; then pass "--dump $mn: the LM head's matrix is W_lm"
    else fail "--dump $mn: the LM head's matrix is W_lm" "$(grep -A1 '^5 LM head' "$out")"; fi
    # the next token says the rule that picked it and the row's own last position (issue 16)
    if grep -q '^next token (last position of each prompt, t = len_b - 1): argmax (τ = 0, greedy):' "$out" && grep -q '^  prompt 1: .* rank [0-9]*  (t=[0-9]*)$' "$out"
    then pass "--dump $mn: the next token's rule (argmax), rank and position"
    else fail "--dump $mn: the next token's rule (argmax), rank and position" "$(grep -A2 '^next token' "$out")"; fi
    run --dump --model "$m" --temperature 0.8 --sample-top-k 40 --seed 3
    if grep -q '^next token (last position of each prompt, t = len_b - 1): sampled, τ 0.80, top-k 40, seed 3:' "$out"
    then pass "--dump $mn: a sampled next token names τ, top-k and the seed"
    else fail "--dump $mn: a sampled next token names τ, top-k and the seed" "$(grep -A2 '^next token' "$out")"; fi
    run --json --model "$m"
    json_check "--json $mn"
    run --json --logit-lens --model "$m" --prompt "Hello there" --prompt "a b c d e"
    json_check "--json --logit-lens, B=2 of different lengths, $mn"
    run --json --model "$m" --generate 12 --temperature 1 --top-p 0.9 --seed 7
    json_check "--json --generate 12 (sampled), $mn"
    cp "$out" "$tmp/gen1"
    run --json --model "$m" --generate 12 --temperature 1 --top-p 0.9 --seed 7
    if [ "$rc" -ne 0 ]; then fail "same seed, same output, $mn" "the second run exited $rc (124: killed after $limit s)"
    elif cmp -s "$out" "$tmp/gen1"; then pass "same seed, same output, $mn"
    else fail "same seed, same output, $mn" "outputs differ: $(cmp "$out" "$tmp/gen1" 2>&1 | head -1)"; fi
    run --json --model "$m" --top-k 1000 --sample-top-k 1000000 --temperature 100 --generate 3
    json_check "--top-k 1000 and extreme sampling, $mn"
    run --dump --model "$m" -p a -p b -p c -p d -p e -p f -p g -p h --generate 2
    succeeded "--dump with B=8 prompts and generation, $mn"
done
run --json --model "$D64" --prompt "Hello" --generate 200
refused "generating past the context (gpt2: 128) stops with a message" "context"
# --dump too refuses before printing (it printed the walk, then "generated (200 tokens" for 127)
run --dump --model "$D64" --prompt "Hello" --generate 200
refused "--dump --generate past the context is refused up front, naming the room left" "--generate 200" "127"
run --dump --model "$D64" --prompt "Hello" --generate 127
succeeded "--dump --generate that exactly fills the context" &&
    { grep -q 'generated (127 tokens, shapes now (B,T) = (1,128))' "$out" && pass "--dump says how many tokens were generated" ||
      fail "--dump says how many tokens were generated" "$(grep generated "$out")"; }

if [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
