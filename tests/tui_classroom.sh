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
# the score is the last page: → stays on it, so ← then goes to the page before it
tui_keys Right Left
expect_screen "lesson: the score is the last page (→ ←: cross-entropy)" "7 next token — cross-entropy"
# the letters are the glossary's, in the legend's own words (tui/legend.c)
tui_keys Home Right
expect_screen "lesson: the glossary after station 0's quiz" "0 glossary"
expect_screen "lesson glossary: the legend's D = 64" "D = 64: the size of each token's vector"
expect_screen "lesson glossary: the legend's KV line" "KV = 4: key/value heads; the 8 query heads share them, 2 per KV head"
expect_screen "lesson glossary: the legend's ctx" "ctx = 512: the longest T the model can take"
expect_screen "lesson glossary: and its own words" "embedding  the row E[id] of D numbers"
expect_quit "lesson glossary: q quits"

# a click on the header's letters (X10 mouse encoding: ESC [ M button x+33 y+33; row 0) opens it too
tui_start 100 30 -- --model "$STORIES"
expect_screen "header click: the walk first" "0 tokenize"
tui_lit "$(printf '\033[M ?!\033[M#?!')"
expect_screen "a click on the header (L=5 D=64 ...) opens the legend" "Legend: the letters of the header"
expect_quit "header click: q quits"
tui_start 80 24 -- --model "$STORIES"
tui_keys D
expect_screen "legend at 80x24: D = 64 (dim=64), wrapped, not cut" "D = 64: the size of each token's vector, the width of the"
expect_quit "legend at 80x24: q quits"

# ---------- --tour: one sentence per stop, on this model's numbers ----------
tui_start 100 30 -- --model "$STORIES" --tour --prompt "The cat sat on the mat" --prompt "The dog sat on the mat"
expect_screen "tour: tokenize's sentence (T = 10 tokens with BOS)" "became T = 10 tokens"
expect_screen "tour: the presenter line" "presenter (N hides): Ask: how many tokens"
tui_keys N
if tui_gone "presenter (N hides)"; then echo "PASS: classroom: tour: N hides the presenter line"; else tui_fail "tour: N hides the presenter line"; fi
tui_keys N Space
expect_screen "tour: Space goes to the embedding" "Each id picks one row of the (V,D) = (512,64) table"
tui_keys Space Space Space
expect_screen "tour: the fourth Space goes inside block 1 (q, k, v)" "h = 8 heads of d = 8 numbers"
tui_keys Space Space
expect_screen "tour: attention names where the last token looks" "At the last token \"at\", head"
tui_keys Space Space Space Space Space
expect_screen "tour: softmax gives the top token and its probability" "Softmax turns the 512 logits into probabilities"
tui_keys Left
expect_screen "tour: ← goes back a stop" "meets all V = 512 words of the vocabulary"
expect_quit "tour: q quits"
# at 80x24 the presenter's line is whole inside a block too: two lines, the station's own
# explanation left out while the room is short (before, it ended in "…" at 3.1.f)
tui_start 80 24 -- --model "$STORIES" --tour
expect_screen "tour 80x24: opens" "presenter (N hides)" 20
tui_keys Space Space Space Space Space Space
expect_screen "tour 80x24: 3.1.f's presenter line ends whole" "no peeking at the future."
expect_quit "tour 80x24: q quits"

# ---------- --record, then --replay: the same screens ----------
tmp=$(mktemp -d) || exit 2
trap 'tui_stop; rm -f "$TUI_RC"; rm -rf "$tmp"' EXIT INT TERM
demo=$tmp/demo.txt
tui_start 100 30 -- --model "$STORIES" --prompt "The cat sat on the mat" --prompt "The dog sat on the mat" --record "$demo"
expect_screen "record: the status says it records" "recording: 0 keys"
tui_keys Right Right Right Enter
expect_screen "record: inside block 1" "in block 1:"
tui_keys Right Right Right Right Right
expect_screen "record: at 3.1.f" "3.1.f attention probabilities"
tui_keys '}' b
tui_keys e End BSpace BSpace BSpace
tui_lit "rug"
tui_keys Enter
expect_screen "record: the edited prompt ran" "b1 \"The dog sat on the rug\""
tui_keys 5 Enter
expect_screen "record: jumped to the LM head" "5 LM head"
tui_keys D
expect_screen "record: the legend" "Legend: the letters"
tui_keys Escape
expect_screen "record: back in the walk" "5 LM head"
expect_screen "record: 24 keys noted" "recording: 24 keys"
tui_screen | sed '$d' > "$tmp/recorded.screen"
expect_quit "record: q quits (and saves)"
if [ -f "$demo" ] && grep -q '^prompt The dog sat on the mat$' "$demo" && grep -q '^right$' "$demo" && ! grep -q '^q$' "$demo"; then
    echo "PASS: classroom: record: the demo file holds the prompts and the keys, not the final q"
else
    echo "FAIL: classroom: record: the demo file:"; sed 's/^/    | /' "$demo" 2>/dev/null; TUI_FAILED=1
fi
tui_start 100 30 -- --model "$STORIES" --replay "$demo" --replay-delay 20
expect_screen "replay (timed): plays to the end" "demo finished: 24 keys played" 30
tui_screen | sed '$d' > "$tmp/replayed.screen"
if cmp -s "$tmp/recorded.screen" "$tmp/replayed.screen"; then
    echo "PASS: classroom: replay (timed): the same screen as the recorded run (all but the status line)"
else
    echo "FAIL: classroom: replay (timed): the screens differ:"; diff "$tmp/recorded.screen" "$tmp/replayed.screen" | sed 's/^/    | /'; TUI_FAILED=1
fi
expect_quit "replay: q quits"
tui_start 100 30 -- --model "$STORIES" --replay "$demo"
expect_screen "replay (steps): waits for Space" "demo: key 0 of 24 · Space plays the next"
tui_keys Space Space Space
expect_screen "replay (steps): three Spaces, three keys (3.1 block)" "3.1 transformer block"
expect_screen "replay (steps): the count" "demo: key 3 of 24"
tui_keys Escape
expect_screen "replay (steps): Esc stops the demo" "demo stopped after 3 of 24 keys"
tui_keys Right
expect_screen "replay (steps): after Esc the keys are the user's (→ walks on)" "3.2 transformer block"
expect_quit "replay (steps): q quits"

# ---------- the example demo in docs/demos plays to its end ----------
tui_start 80 24 -- --model "$STORIES" --replay docs/demos/cat-and-dog.txt --replay-delay 20
expect_screen "docs/demos/cat-and-dog.txt: the prompts come from the file" "b1 \"The dog sat on the mat\""
expect_screen "docs/demos/cat-and-dog.txt: plays to its end" "demo finished: 19 keys played" 40
expect_screen "docs/demos/cat-and-dog.txt: ends at the next token after g (T 10 -> 11)" "(B,T) = (2,11) -> (2,12)"
expect_quit "docs/demos/cat-and-dog.txt: q quits"

exit $TUI_FAILED
