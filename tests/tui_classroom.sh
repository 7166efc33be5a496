#!/bin/sh
# tests/tui_classroom.sh - the classroom tools in the real program inside tmux: --station with
# any station number, the legend (D), the tour (--tour) and a recorded demo replayed
# (--record / --replay) to the same screens.
# Reference numbers: stories260K's header (dim=64, n_layers=5, n_heads=8, n_kv_heads=4,
# vocab_size=512, seq_len=512; ../shared/README.md) and its shapes: "The cat sat on the mat"
# is 7 tokens with BOS for its 512-token tokenizer (what --dump prints as T).
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init classroom
if [ ! -f "$STORIES" ]; then echo "SKIP: classroom: no stories260K under $SHARED/models"; exit 0; fi

# ---------- --station takes any station number the walk's jump takes ----------
tui_start 80 24 -- --model "$STORIES" --station 3.1.f
expect_screen "--station 3.1.f opens inside block 1" "in block 1:"
expect_screen "--station 3.1.f opens at the attention probabilities" "3.1.f attention probabilities"
expect_quit "--station 3.1.f: q quits"
tui_start 80 24 -- --model "$STORIES" --station 3.4
expect_screen "--station 3.4 opens at block 4" "3.4 transformer block"
expect_quit "--station 3.4: q quits"

# ---------- the legend: D, with this model's numbers ----------
tui_start 100 30 -- --model "$STORIES" --prompt "The cat sat on the mat" --prompt "The dog sat on the mat"
expect_screen "the walk's hint points to the legend" "D: legend"
tui_keys D
expect_screen "D opens the legend" "Legend: the letters of the header"
expect_screen "legend: D with this model's value (dim=64)" "D = 64: the size of each token's vector"
expect_screen "legend: KV for grouped-query attention (n_kv_heads=4 of 8)" "KV = 4: key/value heads; the 8 query heads share them, 2 per KV head"
expect_screen "legend: B of this batch" "B = 2: the batch"
expect_screen "legend: L blocks (n_layers=5)" "L = 5: transformer blocks"
expect_screen "legend: the strip's mark" "◆ (B,T,D): the shape strip marks a station that changes the shape"
tui_keys '?'
expect_screen "legend: the help lists D" "legend: B T D V L h d F KV"
tui_keys Escape
tui_keys Escape
expect_screen "Esc goes back to the walk" "0 tokenize"
expect_quit "legend: q quits"
tui_start 100 30 -- --model "$STORIES" --lesson
expect_screen "lesson: opens on the first quiz" "shape quiz 1 of"
tui_keys End
expect_screen "lesson: End goes to the score" "the shape quiz — your score"
tui_keys Right
expect_screen "lesson: the legend page follows the score" "the letters — B, T, D"
expect_screen "lesson: the legend page has D = 64" "D = 64: the size of each token's vector"
expect_quit "lesson legend: q quits"

exit $TUI_FAILED
