#!/bin/sh
# tests/tui_quant.sh - the quantization screen (Q) in the real program inside tmux: stories260K
# F32 against its Q4_0 copy (--compare) on "Lily and Tom went to the park. They saw a big".
# Expected: the two reference.json files of ../shared/models/stories260K-gguf (independent
# PyTorch runs over each file's weights): F32's top-1 after "big" is ' b', Q4_0's is ','
# (a flip), and at position 1 ' and' against ' was'; 15 of 17 top-1s agree. The KL figures
# themselves are checked in tests/test_compare.c; here the screen must show the same ones
# as --dump (0.0612 nats is --dump's mean KL for this prompt).
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init quant
G="$SHARED/models/stories260K-gguf"
if [ ! -f "$G/stories260K-q4_0.gguf" ]; then echo "SKIP: quant: no $G"; exit 0; fi
P="Lily and Tom went to the park. They saw a big"

tui_start 150 32 -- --model "$G/stories260K-f32.gguf" --compare "$G/stories260K-q4_0.gguf" --prompt "$P"
expect_screen "opens on the walk" "0 tokenize" 20
tui_keys Q
expect_screen "Q opens the quantization screen (and does not quit)" "quantization: stories260K-q4_0.gguf (Q4_0) against stories260K-f32.gguf (F32)"
expect_screen "totals: mean KL and top-1 agreement" "mean KL 0.0612 nats · top-1 same 15/17 (88%)"
expect_screen "totals: Δ mean loss and perplexity" "perplexity 2.331 → 2.686"
expect_screen "the cursor starts at the last position: the flip after 'big'" "t=16 '␣big': ref says '␣b', Q4_0 says ',' (flipped)"
if tui_screen | grep -q "^           same   FLIP .* FLIP *$"; then echo "PASS: quant: the same/FLIP row flips positions 1 and 16"
else tui_fail "the same/FLIP row"; fi
expect_screen "the drift heatmap has a row per block" "block 5 "
expect_screen "the drift heatmap starts at the embedding" "embedding  0.00"
expect_screen "each block's mean drift, as --dump prints it (block 5: 0.2139)" "mean 0.2139"
tui_keys Home
expect_screen "Home: position 0" "t=0 '<s>'"
tui_keys Right
expect_screen "→: the flip at position 1" "t=1 '␣Lily': ref says '␣and', Q4_0 says '␣was' (flipped)"
# the walk's d: the same station of the reference, of the Q4_0 copy, and their difference.
# The residual after block 5 at the last position, first value: F32 0.538289 and Q4_0
# 0.615772 in the two reference.json files' resid_last_first8 (independent PyTorch runs), so
# the difference is 0.077483 (the screen prints 6 significant digits; the 5th is the check).
tui_keys End Escape
expect_screen "Esc: back to the walk" "0 tokenize"
tui_keys 3 . 5 Enter
expect_screen "walk: block 5's output, reference (0.538289)" "x[0,16,0] = 0.53828"
tui_keys d
expect_screen "walk d: the Q4_0 copy's numbers (0.615772)" "x [Q4_0][0,16,0] = 0.61577"
expect_screen "walk d: the status line says which" "d: the second model (Q4_0, stories260K-q4_0.gguf)"
tui_keys d
expect_screen "walk d d: the difference (0.077483)" "Δx [Q4_0−F32][0,16,0] = 0.07748"
tui_keys d
expect_screen "walk d d d: the reference again" "x[0,16,0] = 0.53828"
tui_keys Q
expect_screen "Q again" "quantization: stories260K-q4_0.gguf (Q4_0) against"
# w: inside a weight. blk.0.attn_q.weight's first dequantized values 0.0375366 0.0750732 0.0
# are the Q4_0 reference's dequantized_checks (ggml's own to_float): codes 9 10 8 with d
# 0.0375366 give (9-8)d, (10-8)d, (8-8)d
tui_keys w
expect_screen "w: inside a weight, the embedding first (Q8_0 in the Q4_0 file)" "token_embd.weight (1 of 36) · Q8_0 · 8.5 bits per weight"
tui_keys ]
expect_screen "]: blk.0.attn_q is Q4_0 at 4.5 bits" "blk.0.attn_q.weight (2 of 36) · Q4_0 · 4.5 bits per weight"
expect_screen "the block's scale" "scale d = 0.0375366"
expect_screen "its codes" "code       9      10     8"
expect_screen "its dequantized values (the reference's dequantized_checks)" "w Q4_0     0.0375 0.0751 0.0000"
expect_screen "the rounding error's distribution against F32" "rounding error w_Q4_0 − w_F32 over all 4096 weights"
tui_keys w
expect_screen "w again: back to the comparison" "top-1 same 15/17"
# M: another model from a typed path; a refused one leaves the comparison as it was
tui_keys M
expect_screen "M asks for a path" "model to compare (Enter opens, Esc cancels):"
tui_keys C-u
tui_lit "$SHARED/models/tiny-smollm-gguf/tiny-smollm.gguf"
tui_keys Enter
expect_screen "a model of another shape is refused on the status line" "their shapes differ (D=96 against D=64)"
expect_screen "and the comparison stays" "stories260K-q4_0.gguf (Q4_0) against"
tui_keys M C-u
tui_lit "$G/stories260K-q8_0.gguf"
tui_keys Enter
expect_screen "M opens the Q8_0 copy: all 17 agree" "top-1 same 17/17 (100%)"
tui_keys Escape
expect_screen "Esc: back to the walk where it was" "3.5 transformer block · station"
expect_quit "q quits"

# the lesson's rounding page (station 3): block 1's Wq row 0 rounded to 4 bits by the page
# must be what ggml wrote into the Q4_0 file: 0.0375366 0.0750732 0.0 (the Q4_0 reference's
# dequantized_checks for blk.0.attn_q.weight); the F32 dot is the trace's own q
tui_start 120 32 -- --model "$G/stories260K-f32.gguf" --prompt "$P" --lesson
expect_screen "lesson opens" "shape quiz 1 of" 20
tui_keys g 3 Enter
i=0
while [ $i -lt 10 ] && ! tui_has "weights rounded to 8 or 4 bits"; do tui_keys Right; sleep 0.2; i=$((i + 1)); done
expect_screen "the rounding page is in the lesson at station 3" "3 blocks — weights rounded to 8 or 4 bits"
expect_screen "its 4-bit weights are the Q4_0 file's (reference dequantized_checks)" "w 4-bit     0.0375 0.0751 0.0000"
expect_screen "the F32 dot is the trace's q" "y = -0.024990   (the trace's q[16][0] = -0.024990)"
expect_screen "the 4-bit error against its worst case" "rounded to 4 bits       y = -0.031671   error -0.006681   worst case"
expect_quit "q quits the lesson"

# at 80x24 the title, the totals and the cursor's line fit: shortened or split at a " · ",
# never cut with "…" (before: all three ended in "…" below about 120 columns)
tui_start 80 24 -- --model "$G/stories260K-f32.gguf" --compare "$G/stories260K-q4_0.gguf" --prompt "$P"
expect_screen "80x24 opens" "0 tokenize" 20
tui_keys Q
expect_screen "80x24: the short title" "stories260K-q4_0.gguf (Q4_0) vs stories260K-f32.gguf (F32) · row 0/1"
expect_screen "80x24: the totals' second line" "perplexity 2.331 → 2.686 (Δ +0.355)"
expect_screen "80x24: the cursor's second line" "drift after block 5 0.182, cos 0.9842"
if tui_screen | sed -n '3,22p' | grep -q '…'; then tui_fail "80x24: a line of the Q screen is cut with …"
else echo "PASS: quant: no line of the Q screen's body is cut at 80x24"; fi
expect_quit "q quits at 80x24"

# without --compare: the screen says how to get a second model
tui_start 80 24 -- --model "$G/stories260K-f32.gguf" --prompt "$P"
# the pass's own "ran 1 prompt" message must be in before d's: it replaces any message when
# the pass ends (seen on a busy machine: d pressed while the pass ran, its message lost)
expect_screen "opens, the pass done" "ran 1 prompt" 20
tui_keys d
expect_screen "walk d without a second model says how to open one" "d compares with a second model: start with --compare PATH"
tui_keys Q
expect_screen "no second model: the screen says how" "Start with --compare PATH"
expect_quit "q quits from there"
exit $TUI_FAILED
