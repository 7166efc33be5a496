#!/bin/sh
# tests/tui_explain.sh - "how was this made?" (key i) in the real program inside tmux
# (stories260K, GPT-2 and a Q4_0 GGUF), and two walk defects of issue 16 (a station opens on
# its main tensor; a long prompt's attention map opens on the diagonal).
# Reference numbers: the cell's value as the attention view itself prints it under the map
# ("S[0,0,4,4] = 2.88955", the trace's number; its correctness against PyTorch is
# tests/tui_walk.sh's and test_forward's); the explanation must arrive at the same digits.
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init explain

# the value printed after "S[b,h,i,j] = " in the view's cursor line
cell_value() { tui_screen | sed -n 's/.*S\[[0-9,]*\] = \([-0-9.e+]*\).*/\1/p' | head -n 1; }
# the number the explanation reaches after "/ √d = ... = "
explained_value() { tui_screen | sed -n 's/.*\/ √d = .* = \([-0-9.e+]*\) *│.*/\1/p' | head -n 1; }

for size in "80 24" "120 40"; do
    for model in "$STORIES" "$GPT2" "$SHARED/models/stories260K-gguf/stories260K-q4_0.gguf"; do
        [ -e "$model" ] || continue
        name="$(basename "$model" .bin) $(echo "$size" | tr ' ' x)"
        # shellcheck disable=SC2086
        tui_start $size OPENBLAS_NUM_THREADS=1 -- --model "$model"
        expect_screen "$name: opens" "0 tokenize"
        tui_lit "3.1.d"; tui_keys Enter
        expect_screen "$name: at the scores" "3.1.d attention scores"
        tui_wait "] = " 5
        cell=$(cell_value)
        tui_keys i
        expect_screen "$name: i opens the explanation" "how was this made?"
        expect_screen "$name: the explanation names q · k" "· k_"
        tui_wait "/ √d" 5
        got=$(explained_value)
        # equal to the digits shown (%.6g both); 1e-5 relative covers a BLAS kernel that rounds
        # the last digit the other way (float32 sums of d <= 16 products: ~1e-7 of their size)
        if [ -n "$cell" ] && [ -n "$got" ] && awk -v a="$cell" -v b="$got" 'BEGIN { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; exit !(d <= 1e-5 * (m > 1 ? m : 1)) }'; then
            echo "PASS: $TUI_NAME: $name: q·k/√d = $got, the cell S shows $cell"
        else
            tui_fail "$name: q·k/√d gives '$got' but the cell shows '$cell'"
        fi
        expect_screen "$name: the result beside the cell" "the cell: "
        # it follows the cursor: one query up, the explanation names the new query
        qi=$(tui_screen | sed -n 's/.*query i=\([0-9]*\).*/\1/p' | head -n 1)
        tui_keys ,
        expect_screen "$name: , moves the explained cell" "query i=$((qi - 1))"
        tui_keys Escape
        if tui_gone "┌─ how was this made?" 5; then echo "PASS: $TUI_NAME: $name: Esc closes it"; else tui_fail "$name: Esc did not close it"; fi
        expect_screen "$name: still at the scores after Esc" "3.1.d attention scores"
        tui_keys i
        expect_screen "$name: i again" "how was this made?"
        tui_keys i
        if tui_gone "┌─ how was this made?" 5; then echo "PASS: $TUI_NAME: $name: i closes it"; else tui_fail "$name: i did not close it"; fi
        expect_quit "$name: q quits"
    done
done

# ---------- the LM head and the softmax: a logit x · W_lm[:, v], a probability ----------
# stories260K "Once upon a time": top-1 "," (id 432) with p = 0.96879 (reference.json)
if [ -e "$STORIES" ]; then
    tui_start 80 24 OPENBLAS_NUM_THREADS=1 -- --model "$STORIES"
    expect_screen "head: opens" "0 tokenize"
    tui_keys Right
    expect_screen "enter: at the embedding" "1 embedding lookup"
    tui_keys Enter
    expect_screen "enter: Enter outside a block points to i" "i shows how a cell was made"
    tui_lit "5"; tui_keys Enter
    expect_screen "head: at the LM head" "5 LM head"
    tui_keys i
    expect_screen "head: the logit is x · a column of W_lm" "x · W_lm[:, 432]"
    expect_screen "head: the top-1 token is explained" 'token ","'
    tui_lit "6"; tui_keys Enter
    expect_screen "softmax: the max is subtracted" "logit − max = "
    expect_screen "softmax: p of \",\" (reference 0.96879)" "result 0.96879"
    tui_keys '>'
    expect_screen "softmax: > explains the second row" "row 2 of the table"
    expect_quit "head: q quits"
fi

# ---------- defect: `w` carried over between stations ----------
if [ -e "$STORIES" ]; then
    tui_start 100 30 OPENBLAS_NUM_THREADS=1 -- --model "$STORIES"
    expect_screen "w: opens" "0 tokenize"
    tui_keys '?'
    expect_screen "help: ? lists i" "how was this made? the cell under the cursor"
    tui_keys Escape
    tui_gone "shapewalk keys" 5
    tui_lit "3.1.b"; tui_keys Enter
    expect_screen "w: q at 3.1.b" "q: what each token looks for"
    tui_keys w
    expect_screen "w: w shows k" "k: KV head"
    tui_lit "3.1.k"; tui_keys Enter
    expect_screen "w: 3.1.k opens on its sum, not the second tensor" "x + hid@Wd: the block's output"
    tui_keys w
    expect_screen "w: w at 3.1.k shows what was added" "hid@Wd: what the MLP adds"
    tui_keys Left Left Left Left Left Left Left Left Left
    expect_screen "w: back at 3.1.b" "3.1.b queries, keys, values"
    expect_screen "w: 3.1.b opens on q again" "q: what each token looks for"
    expect_quit "w: q quits"
fi

# ---------- defect: a long prompt's attention map opened on an all-zero corner ----------
if [ -e "$STORIES" ]; then
    long=""
    i=0
    while [ $i -lt 140 ]; do long="$long Once upon a time"; i=$((i + 1)); done
    tui_start 100 30 OPENBLAS_NUM_THREADS=1 -- --model "$STORIES" --truncate --prompt "$long"
    expect_screen "long: opens" "0 tokenize" 20
    tui_lit "3.1.f"; tui_keys Enter
    expect_screen "long: attention probabilities" "3.1.f attention probabilities"
    expect_screen "long: the cursor is on the diagonal at the last query" "A[0,0,511,511] ="
    tui_keys ,
    expect_screen "long: , moves the query" "A[0,0,510,511] ="
    expect_quit "long: q quits"
fi

exit $TUI_FAILED
