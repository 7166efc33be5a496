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

exit $TUI_FAILED
