#!/bin/sh
# tests/tui_sample.sh - sampling in the program (issue 16): t T set τ (0 = greedy), o top-k,
# p P top-p, R the seed, and g appends what the same sampler as --json's picks. Every expected
# token comes from the headless program itself (--json --generate 1 with the same τ, top-k,
# top-p and seed): the TUI and --json share engine/predict.c's Sampler_pick, so their draws
# must agree exactly; greedy's token is --json's next[0] (the argmax).
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init sample
if [ ! -f "$STORIES" ]; then echo "SKIP: sample: no stories260K in $SHARED/models"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then echo "SKIP: sample: no python3 to read --json"; exit 0; fi
TMPJ=$(mktemp)
trap 'tui_stop; rm -f "$TUI_RC" "$TMPJ"' EXIT INT TERM

# json ARGS... : the headless report on the default prompts, in $TMPJ
json() { OPENBLAS_NUM_THREADS=1 "$SW_BIN" --model "$STORIES" --json --generate 1 "$@" > "$TMPJ" 2>/dev/null; }
# row0_ends ID: station 0's first row of ids (the line under row b=0's chips) ends in ID
row0_ends() { tui_screen | grep -A2 "row b=0:" | sed -n 3p | grep -E -q " $1 *\$"; }
# next_is B ID: station 7's line under row B's text starts with "id ID ·"
next_is() { tui_screen | grep -A1 "^b=$1:" | sed -n 2p | grep -q "^ *id $2 ·"; }
# field PY: a python expression over r (the report)
field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$TMPJ"; }

# τ = 1.5625 is three presses of t from greedy (1, 1.25, 1.5625: exact in float)
TAU=1.5625
json
GREEDY=$(field "r['prompts'][0]['next'][0]['id']")
GREEDY_GEN=$(field "r['prompts'][0]['generated']['ids'][0]")
# the first seed from 1 up whose draw for row 0 is not the argmax
SEED=""
for s in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40; do
    json --temperature $TAU --seed $s
    if [ "$(field "r['prompts'][0]['generated']['ids'][0]")" != "$GREEDY" ]; then SEED=$s; break; fi
done
if [ -z "$SEED" ]; then echo "FAIL: sample: no seed in 1..40 draws a non-greedy token at τ $TAU"; exit 1; fi
ID=$(field "r['prompts'][0]['generated']['ids'][0]")
RANK=$(field "r['prompts'][0]['generated']['tokens'][0]['rank']")
PT=$(field "'%.2f%%' % (100 * r['prompts'][0]['generated']['tokens'][0]['prob_at_temperature'])")
P1=$(field "'%.2f%%' % (100 * r['prompts'][0]['generated']['tokens'][0]['prob'])")
ID1=$(field "r['prompts'][1]['generated']['ids'][0]")
TXT=$(field "r['prompts'][0]['text'] + r['prompts'][0]['generated']['text']")
# the second token of each row: --generate 2 from the same seed (the draws go on in the same order)
json --temperature $TAU --seed "$SEED" --generate 2
ID_2=$(field "r['prompts'][0]['generated']['ids'][1]")
ID1_2=$(field "r['prompts'][1]['generated']['ids'][1]")
echo "PASS: sample: --json at τ $TAU: seed $SEED draws id $ID (rank $RANK, p $PT at τ), not the argmax $GREEDY"

tui_start 100 30 -- --model "$STORIES" --seed "$SEED"
expect_screen "opens on the walk" "0 tokenize"
tui_keys 7 Enter
expect_screen "station 7, greedy by default: the rule" "argmax (τ = 0, greedy)"
expect_screen "greedy: row 0's token is --json's argmax" "id $GREEDY · rank 1 of 512"
expect_screen "greedy: the maths names the row's own last position" "next[b] = argmax(probs[b,t,:]), t = len_b - 1 (b=0: t = 4)"
tui_keys o
expect_screen "o at τ 0: top-k is kept for when τ > 0" "top-k 5, for when τ > 0 (t); greedy now: g takes the argmax"
expect_screen "o at τ 0: still greedy" "argmax (τ = 0, greedy)"
tui_keys o o o o
expect_screen "o cycles 5, 10, 40, 100, off" "top-k off, for when τ > 0"
tui_keys t t t
expect_screen "t t t: τ 1.56, sampling, with the seed" "sampled, τ 1.56 · top-k off · top-p off · seed $SEED"
expect_screen "the header shows the sampler" "τ 1.56 · top-k off · top-p off · seed $SEED"
expect_screen "row 0's draw = --json's at the same τ and seed: its rank and p (τ = 1)" "id $ID · rank $RANK of 512 · p $P1 · after t=4"
expect_screen "and its p at τ = --json's prob_at_temperature" "at τ 1.56: p $PT, the chance of this draw"
expect_screen "the maths says a draw" "next[b] ~ softmax(logits[b,t,:] / τ), t = len_b - 1 (b=0: t = 4)"
expect_not "no argmax in the rule" "argmax (τ = 0"
if tui_poll 10 next_is 1 "$ID1"; then echo "PASS: $TUI_NAME: row 1's draw = --json's ($ID1)"; else tui_fail "row 1's draw is not --json's $ID1"; fi
tui_keys g
expect_screen "g appends the drawn token" "T is now 6"
if tui_poll 10 next_is 0 "$ID_2"; then echo "PASS: $TUI_NAME: after g, row 0's next draw = --json --generate 2's second ($ID_2)"
else tui_fail "after g, row 0's next draw is not --json's second token $ID_2"; fi
if tui_poll 10 next_is 1 "$ID1_2"; then echo "PASS: $TUI_NAME: after g, row 1's next draw = --json --generate 2's second ($ID1_2)"
else tui_fail "after g, row 1's next draw is not --json's second token $ID1_2"; fi
tui_keys 0 Enter
expect_screen "station 0: one token generated" "6 tokens (5 from the prompt, 1 generated)"
if tui_poll 10 row0_ends "$ID"; then echo "PASS: $TUI_NAME: row 0's ids end in the drawn id $ID"; else tui_fail "row 0's ids do not end in $ID"; fi
# the ids at station 0 are row 0's; --json's prompt 1 draw is the second draw from the seed
tui_keys 7 Enter b
expect_screen "row 1 after g: its own last position t = 5" "(b=1: t = 5)"
# adding a row keeps the generated tokens (issue 16: they were silently dropped): they join
# their prompt's text, and the batch runs again with the new row
tui_keys n
tui_lit "Hi"
tui_keys Enter
expect_screen "n: the new row runs with the others" "b2 \"Hi\""
expect_screen "n: row 0 kept its generated token as text (station 7's row)" "b=0:   <s> $TXT "
tui_keys 0 Enter
if tui_poll 10 row0_ends "$ID"; then echo "PASS: $TUI_NAME: after n, row 0's ids still end in $ID"; else tui_fail "after n, row 0's ids do not end in $ID"; fi
expect_quit "q quits"

# the same τ with top-k 5 and top-p 0.95 (o, P) and the next seed (R): --json with the same
json --temperature $TAU --seed $((SEED + 1)) --sample-top-k 5 --top-p 0.95
IDC=$(field "r['prompts'][0]['generated']['ids'][0]")
RANKC=$(field "r['prompts'][0]['generated']['tokens'][0]['rank']")
SP=$(field "'%.2f%%' % (100 * r['prompts'][0]['generated']['tokens'][0]['sampler_prob'])")
tui_start 100 30 -- --model "$STORIES" --seed "$SEED"
expect_screen "opens again" "0 tokenize"
tui_keys 7 Enter t t t o P R
expect_screen "o P R: top-k 5, top-p 0.95, the next seed" "sampled, τ 1.56 · top-k 5 · top-p 0.95 · seed $((SEED + 1))"
expect_screen "the draw = --json's with --sample-top-k 5 --top-p 0.95" "id $IDC · rank $RANKC of 512 · p "
expect_screen "the chance of the draw = --json's sampler_prob" "after the cut: drawn with $SP"
# back to greedy: T from τ 1.56 down past 0.05 (1.56 * 0.8^n < 0.05 takes 16 presses)
tui_keys T T T T T T T T T T T T T T T T
expect_screen "T down to τ 0: greedy again" "argmax (τ = 0, greedy)"
expect_screen "greedy: the argmax again" "id $GREEDY · rank 1 of 512"
tui_keys g
expect_screen "g at τ 0 appends the argmax" "T is now 6"
tui_keys 0 Enter
expect_screen "station 0: one token generated (2)" "6 tokens (5 from the prompt, 1 generated)"
if tui_poll 10 row0_ends "$GREEDY_GEN"; then echo "PASS: $TUI_NAME: row 0's ids end in --json's greedy token $GREEDY_GEN"
else tui_fail "row 0's ids do not end in $GREEDY_GEN"; fi
expect_quit "q quits (2)"

# ---- a padded row predicts from its own last position, not from -1 (issue 16) ----
if [ -f "$GPT2/model.safetensors" ]; then
    OPENBLAS_NUM_THREADS=1 "$SW_BIN" --model "$GPT2" --json > "$TMPJ" 2>/dev/null
    T0=$(field "r['prompts'][0]['T']")
    T1=$(field "r['prompts'][1]['T']")
    tui_start 100 30 -- --model "$GPT2"
    expect_screen "gpt2: opens" "0 tokenize"
    tui_keys 7 Enter
    expect_screen "gpt2: row 0 predicts from its last position t = T0 - 1 = $((T0 - 1))" "(b=0: t = $((T0 - 1)))"
    expect_not "gpt2: no -1 index in the maths" "[:, -1, :]"
    tui_keys b
    if [ "$T1" -lt "$T0" ]; then
        expect_screen "gpt2: padded row 1 (T=$T1 of $T0) predicts from t = $((T1 - 1))" "(b=1: t = $((T1 - 1)))"
    else
        echo "SKIP: $TUI_NAME: gpt2: the default rows are not padded (T $T0, $T1)"
    fi
    # ? lists every key that works in the walk, the sampler's and the column cursor's too
    tui_resize 100 50
    tui_keys '?'
    expect_screen "help: the column cursor's keys" "< > PgUp PgDn"
    expect_screen "help: Home End" "Home End         heatmap / attention column cursor"
    expect_screen "help: t T is τ" "t T              τ (temperature) up / down"
    expect_screen "help: o, top-k" "o                sampling top-k"
    expect_screen "help: p P, top-p" "p P              sampling top-p"
    expect_screen "help: R, the seed" "R                the next seed"
    tui_keys Escape
    expect_quit "gpt2: q quits"
fi

exit $TUI_FAILED
