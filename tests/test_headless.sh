#!/bin/sh
# tests/test_headless.sh - what a script reads from shapewalk: --json's token objects
# (generated tokens, sampler, version, bytes, --truncate, top_k), --jsonl, --save .npy/.npz,
# checked against docs/shapewalk.schema.json. Runs the real binary ($SW_BIN) on stories260K
# and the GPT-2 test checkpoint into a mktemp -d folder, then tests/headless_check.py reads
# the outputs (python3 with only its standard library; SKIP without python3).
cd "$(dirname "$0")/.." || exit 2
. tests/cli_lib.sh
cli_init headless
cli_require
if ! command -v python3 >/dev/null 2>&1; then skip "all" "python3 not installed"; exit 0; fi
cli_tmp
# sw NAME ARGS...: run the binary (stdin /dev/null, 60 s limit); stdout in $tmp/NAME, stderr
# in $tmp/NAME.err, exit code in $tmp/NAME.rc
sw() { n=$1; shift; timeout 60 "$BIN" "$@" </dev/null >"$tmp/$n" 2>"$tmp/$n.err"; echo $? >"$tmp/$n.rc"; }
# sw_in NAME INPUT ARGS...: the same with stdin from INPUT
sw_in() { n=$1; f=$2; shift 2; timeout 60 "$BIN" "$@" <"$f" >"$tmp/$n" 2>"$tmp/$n.err"; echo $? >"$tmp/$n.rc"; }

sw version.txt --version
# generated tokens: greedy, with a temperature, with top-k/top-p; both models
sw s_greedy.json --json -m "$STORIES" -p "Once upon a time" -g 8 -k 5
sw s_temp.json --json -m "$STORIES" -p "Once upon a time" -g 6 -k 5 --temperature 0.8 --seed 3
sw s_cut.json --json -m "$STORIES" -p "Lily and Tom" -g 4 -k 3 --temperature 1 --sample-top-k 3 --top-p 0.9 --seed 9
sw g_greedy.json --json -m "$D64" -p "Hello world! This is fun" -g 4 -k 5
sw g_temp.json --json -m "$D64" -p "Hi 😀 café ☃" -g 6 -k 4 --temperature 0.7 --seed 2 --logit-lens
# top_k is what came back (V = 512)
sw s_k1000.json --json -m "$STORIES" -p "Once" -k 1000
# --truncate: BOS kept (stories), the last tokens (both)
i=0; : >"$tmp/long.txt"
while [ $i -lt 60 ]; do printf 'Once upon a time there was a girl %d. ' $i >>"$tmp/long.txt"; i=$((i + 1)); done
sw_in s_trunc.json "$tmp/long.txt" --json -m "$STORIES" --prompt - --truncate -k 1
sw_in g_trunc.json "$tmp/long.txt" --json -m "$D64" --prompt - --truncate -k 1
# sampling cuts without sampling are refused
sw r_topp --json -m "$STORIES" -p hi --top-p 0.5
sw r_stopk --json -m "$STORIES" -p hi --sample-top-k 5

# --jsonl: 100 lines, one model load; line 50 is not UTF-8 and fails alone
i=1; : >"$tmp/lines.txt"
while [ $i -le 100 ]; do
    if [ $i -eq 50 ]; then printf 'caf\351 au lait\n' >>"$tmp/lines.txt"; else printf 'Line %d: once upon a time\n' $i >>"$tmp/lines.txt"; fi
    i=$((i + 1))
done
sw_in s_lines.jsonl "$tmp/lines.txt" --jsonl --prompt - -m "$STORIES" -k 2 -g 1
sw g_lines.jsonl --jsonl --prompt-file "$tmp/lines.txt" -m "$D64" -k 2
sw r_jsonl_p --jsonl -p "hi" -m "$STORIES"

# --save: .npy of single stations, .npz of all; the same prompt's --dump to compare with
mkdir -p "$tmp/npy"
sw s_dump.txt --dump -m "$STORIES" -p "Once upon a time"
sw s_save.txt -m "$STORIES" -p "Once upon a time" --save 1 --npy "$tmp/npy/embed.npy" --save 3.1.j --npy "$tmp/npy/hid.npy" \
    --save 3.2.f --npy "$tmp/npy/attn.npy" --save 5 --npy "$tmp/npy/logits.npy" --save 0 --npy "$tmp/npy/ids.npy" \
    --save 3.1.b.k --npy "$tmp/npy/k.npy" --save 3.1.e --npy "$tmp/npy/mask.npy"
sw s_save.json --json -k 1 -m "$STORIES" -p "Once upon a time" -p "Lily" --save all --npz "$tmp/npy/s_all.npz"
sw g_save.json --json -k 1 -m "$D64" -p "Hello world! This is fun" --save all --npz "$tmp/npy/g_all.npz"
# refused: a planted link at the destination (never written through), a missing folder, a bad station
echo keep >"$tmp/npy/target.txt"
ln -s "$tmp/npy/target.txt" "$tmp/npy/link.npy"
sw r_link -m "$STORIES" -p hi --save 1 --npy "$tmp/npy/link.npy"
sw r_nodir -m "$STORIES" -p hi --save 1 --npy "$tmp/npy/no/such/x.npy"
sw r_station -m "$STORIES" -p hi --save 3.9.f --npy "$tmp/npy/x.npy"
sw r_next -m "$STORIES" -p hi --save 7 --npy "$tmp/npy/x.npy"
sw r_allnpy -m "$STORIES" -p hi --save all --npy "$tmp/npy/x.npy"
sw r_nofile -m "$STORIES" -p hi --save 1

python3 tests/headless_check.py "$tmp" "$SHARED" || failed=1
[ "$failed" -eq 0 ]
