#!/bin/sh
# tests/tui_see.sh - issue 16's "see it" pictures at 80x24 (tmux): the logit lens legible with
# fewer, wider columns and < > paging; status lines that fit; the weights view (W); attention
# on the text (v); the lesson's mask, softmax, norm and glossary pages.
. "$(dirname "$0")/tui_lib.sh"
tui_init see

# the token cells of the lens (lines "block N ...") hold no "…": every label fits whole
lens_cells_whole() { ! tui_screen | grep '^block [0-9]' | grep -q '…'; }

if [ -f "$STORIES" ]; then
    # 14 tokens: more positions than fit at 80 columns, so the lens pages
    tui_start 80 24 -- --model "$STORIES" --prompt "Once upon a time there was a little girl named Lily"
    expect_screen "lens: the walk opens" "Once upon a time there"
    tui_keys L
    expect_screen "lens: opens" "what each block would predict"
    expect_screen "lens: the status names the page" "< > page (t 9-13 of 14)"
    if tui_poll 5 lens_cells_whole; then echo "PASS: $TUI_NAME: lens: no token cell cut with … at 80x24"
    else tui_fail "lens: a token cell is cut with …"; fi
    # five positions a page at 80 columns: "␣little" (t=8) shows whole in its column header
    tui_keys '<'
    expect_screen "lens: < goes a page back" "< > page (t 4-8 of 14)"
    expect_screen "lens: the column header shows the whole token" "8 ␣little"
    if tui_poll 5 lens_cells_whole; then echo "PASS: $TUI_NAME: lens: the page before has no cut cell either"
    else tui_fail "lens: a token cell is cut with … on the page before"; fi
    tui_keys '>'
    expect_screen "lens: > goes a page on" "< > page (t 9-13 of 14)"
    tui_keys Escape
    # the walk's status line: key hints that do not fit are left out, never cut with …
    expect_screen "status: the walk again" "0 tokenize"
    if tui_screen | tail -n 1 | grep -q '…'; then tui_fail "status: the walk's key line ends in …" 3
    else echo "PASS: $TUI_NAME: status: the walk's key line fits at 80 columns"; fi
    # a long message wraps to two lines instead of ending in …: the lesson's greeting (81 columns)
    tui_keys C
    expect_screen "status: a long message is shown whole on two lines" "w back to the walk"
    if tui_screen | tail -n 2 | grep -q '…'; then tui_fail "status: a long message ends in …" 3
    else echo "PASS: $TUI_NAME: status: no … in a long message"; fi
    tui_keys w
    expect_screen "status: back in the walk" "0 tokenize"
    # the pictures' key lines (the body's last two lines) fit too, at every station
    for st in 0 1 3.1.a 3.1.b 3.1.d 3.1.e 3.1.f 3.1.j 5 6 7; do
        # shellcheck disable=SC2046
        tui_keys $(echo "$st" | sed 's/\(.\)/\1 /g') Enter
        label=$(echo "$st" | sed 's/^3\.1/3.1/')
        tui_wait "$label " 5
        sleep 0.2
        if tui_screen | tail -n 3 | head -n 2 | grep -q '…'; then tui_fail "status: a key line at station $st ends in …" 4
        else echo "PASS: $TUI_NAME: status: the key lines at station $st fit at 80 columns"; fi
    done
    expect_quit "lens: q quits with status 0"

    # ---- W: the weights of a station, as heatmaps with their shapes ----
    tui_start 80 24 -- --model "$STORIES"
    expect_screen "weights: the walk opens" "Once upon a time"
    expect_screen "weights: the forward pass is in" "ran 2 prompts"
    tui_keys 3 . 1 . b Enter
    expect_screen "weights: at 3.1.b" "3.1.b queries, keys, values"
    tui_keys W
    expect_screen "weights: W shows Wq with its shape" "Wq (D, h·d) = (64, 64)"
    # the cursor cell: Wq[0,0] of stories260K's layer 1 is wq[0][0][0] in stories260K.bin = 0.0443928
    expect_screen "weights: the cursor's value is the file's Wq[0,0]" "Wq[0,0] = 0.0443928"
    tui_keys i
    expect_screen "weights: i over the weights says to go back to the station first" "i explains a cell of the station's own picture: W first"
    tui_keys W
    expect_screen "weights: W again shows Wk, with KV" "Wk (D, KV·d) = (64, 32)"
    expect_screen "weights: the station's weights listed, this one bracketed" "W: Wq [Wk] Wv"
    tui_keys '>' '.'
    expect_screen "weights: < > , . move the cursor over the matrix" "Wk[1,1] ="
    tui_keys W W
    expect_screen "weights: past the last, W goes back to the station" "back to the station's own picture"
    tui_keys 3 . 1 . d Enter W
    expect_screen "weights: a station without weights says why" "no weights here: S = q @ kᵀ / √d"
    tui_keys 1 Enter W
    expect_screen "weights: station 1 shows E (V, D)" "E (V, D) = (512, 64)"
    # station 5: W_lm opens on the top token's column (reference.json: "," after "Once upon a time")
    tui_keys 5 Enter W
    expect_screen "weights: W_lm at the LM head, tied" "W_lm = Eᵀ (D, V) = (64, 512)"
    expect_screen "weights: on the top token's column (432)" 'column 432 = token ","'
    tui_keys '?'
    expect_screen "help: ? lists W" "W                the station's weights as heatmaps"
    # the help is longer than 24 lines: scroll (↓) until the line is on screen, at most 40 lines
    i=0
    while [ $i -lt 40 ] && ! tui_has "v                attention steps: attention on the text"; do tui_keys Down; sleep 0.05; i=$((i + 1)); done
    expect_screen "help: ? lists v" "v                attention steps: attention on the text"
    tui_keys Escape
    expect_quit "weights: q quits with status 0"
else
    echo "SKIP: see: $STORIES is missing"
fi

# ---- v: attention on the text ----
# reference: stories260K-f32.reference.json, prompt "The cat sat", attn_l0_h0_last_row =
# [0, 0, 0.08, 0, 0.92, 0] in % (rounded as the view rounds): the last "at" looks at "␣s" 92%
SF32="$SHARED/models/stories260K-gguf/stories260K-f32.gguf"
if [ -f "$SF32" ]; then
    tui_start 80 24 -- --model "$SF32" --prompt "The cat sat"
    expect_screen "attn text: the walk opens" "The cat sat"
    tui_keys 3 . 1 . f Enter
    expect_screen "attn text: at 3.1.f" "3.1.f attention probabilities"
    tui_keys v
    expect_screen "attn text: v asks the question as text" 'what does "at" (t=5) look at?  block 1, head 0 of 8'
    expect_screen "attn text: the query's chip is marked" "[at]"
    expect_screen "attn text: its strongest key with the reference weight" '"at" looks most at: "␣s" (t=4) 92%'
    tui_keys ,
    expect_screen "attn text: , moves the query back" 'what does "␣s" (t=4) look at?'
    expect_screen "attn text: the token after the query is masked" "masked"
    tui_keys '}'
    expect_screen "attn text: } the next head" "head 1 of 8"
    tui_keys a
    expect_screen "attn text: a averages the heads" "all 8 heads averaged"
    tui_keys v
    expect_screen "attn text: v again goes back to the map" "back to the attention map"
    tui_keys 3 . 1 . b Enter v
    expect_screen "attn text: elsewhere v says where it is" "attention on the text is at a block's attention steps"
    expect_quit "attn text: q quits with status 0"
fi
# a long prompt: the chips' lines scroll so that the query (the last token) stays in view
if [ -f "$STORIES" ]; then
    tui_start 80 24 -- --model "$STORIES" --prompt "Once upon a time there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She ran to it and kicked it high into the sky"
    expect_screen "attn text long: the walk opens" "Once upon a time there"
    tui_keys 3 . 1 . f Enter v
    expect_screen "attn text long: the last token is the query" 'what does "y" (t=64) look at?'
    expect_screen "attn text long: its chip is in view" "[y]"
    expect_screen "attn text long: the lines before are said to be there" "earlier lines of the text)"
    tui_keys Tab
    expect_screen "attn text long: Tab wraps to the first token, its chip in view" "[<s>]"
    expect_quit "attn text long: q quits with status 0"
fi

# ---- the lesson's pages: glossary, norm, mask, attention's softmax ----
# Their numbers are the page's own arithmetic set beside the model's: each page says "✓" when
# they agree (the norm to 1e-4 of |xn|, the weights to 1e-5), so "✓" is the check here.
if [ -f "$STORIES" ]; then
    tui_start 80 24 -- --lesson --model "$STORIES"
    expect_screen "lesson pages: the lesson opens" "What shape is ids?"
    tui_keys Right
    expect_screen "lesson pages: the glossary follows station 0's quiz" "0 glossary"
    expect_screen "lesson pages: the glossary gives this model's KV (the legend's line)" "KV = 4: key/value heads"
    expect_screen "lesson pages: and its F, wrapped at 80 columns, not cut" "then one (F,D) down)"
    # ↓ stops when the last entry is on the last line: more ↓ than entries leave W in view
    tui_keys Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
    expect_screen "lesson pages: ↓ scrolls the glossary to τ" "τ (tau)    the temperature"
    expect_screen "lesson pages: the glossary's last entry wraps, not cut" "shows them"
    expect_screen "lesson pages: q k v wraps onto a second line" "gives)"
    tui_keys g 3 Enter
    expect_screen "lesson pages: at block 1's first question" "3.1.b queries, keys, values"
    tui_keys Right Right Right Right
    expect_screen "lesson pages: the norm page after block 1's quizzes" "3 blocks — the norm"
    expect_screen "lesson pages: RMSNorm's rms worked out" "rms(x) = √("
    expect_screen "lesson pages: the worked xn is the model's" "✓ same"
    tui_keys Right
    expect_screen "lesson pages: the causal mask page" "3 blocks — the causal mask"
    expect_screen "lesson pages: the query in the middle of the prompt" 'the query t=2 "␣upon"'
    expect_screen "lesson pages: the future masked" "-inf     -inf"
    tui_keys Down
    expect_screen "lesson pages: ↓ moves the query" 'the query t=3 "␣a"'
    tui_keys Right
    expect_screen "lesson pages: attention's softmax page" "attention's softmax"
    expect_screen "lesson pages: the weights are the model's" "✓ the page's weights are the model's (3.1.f)"
    tui_keys Tab
    expect_screen "lesson pages: Tab takes the next head" "head 1 of 8"
    expect_screen "lesson pages: still the model's weights" "✓ the page's weights are the model's"
    expect_quit "lesson pages: q quits with status 0"
fi
if [ -f "$GPT2/model.safetensors" ]; then
    tui_start 80 24 -- --lesson --model "$GPT2"
    expect_screen "lesson pages gpt2: the lesson opens" "What shape is ids?"
    tui_keys g 3 Enter
    expect_screen "lesson pages gpt2: at block 1's first question" "3.1.b queries, keys, values"
    tui_keys Right Right Right Right
    expect_screen "lesson pages gpt2: LayerNorm's mean and variance" "variance σ² = Σ (x − μ)² / D"
    expect_screen "lesson pages gpt2: the worked xn is the model's" "✓ same"
    expect_quit "lesson pages gpt2: q quits with status 0"
fi

# a quantized GGUF: Wq shown dequantized; its first values are reference.json's dequantized_checks
# ("blk.0.attn_q.weight": 0.0375366, 0.0750732, ... down Wq's column 0)
SQ4="$SHARED/models/stories260K-gguf/stories260K-q4_0.gguf"
if [ -f "$SQ4" ]; then
    tui_start 80 24 -- --model "$SQ4"
    expect_screen "weights q4_0: the forward pass is in" "ran 2 prompts"
    tui_keys 3 . 1 . b Enter W
    expect_screen "weights q4_0: Wq is said to be shown dequantized" "Q4_0, shown dequantized"
    expect_screen "weights q4_0: Wq[0,0] as ggml dequantizes it" "Wq[0,0] = 0.0375366"
    tui_keys .
    expect_screen "weights q4_0: Wq[1,0] as ggml dequantizes it" "Wq[1,0] = 0.0750732"
    expect_quit "weights q4_0: q quits with status 0"
fi

# GPT-2's station 2: the position table P[0:T] alone
if [ -f "$GPT2/model.safetensors" ]; then
    tui_start 80 24 -- --model "$GPT2"
    expect_screen "weights gpt2: the walk opens" "Hello world"
    expect_screen "weights gpt2: the forward pass is in" "ran 2 prompts"
    tui_keys 2 Enter W
    expect_screen "weights gpt2: station 2 shows P[0:T]" "P[0:T] (T, D) = (6, 64)"
    # the header at 3.1.h: the model line and the station's name apart (at least two blanks)
    tui_keys 3 . 1 . h Enter
    expect_screen "header: at 3.1.h" "3.1.h output projection"
    if tui_screen | head -n 1 | grep -q '[^ ]  *3\.1\.h' && ! tui_screen | head -n 1 | grep -q '[^ ] \?3\.1\.h'; then
        echo "PASS: $TUI_NAME: header: the model line and 3.1.h do not touch at 80 columns"
    else tui_fail "header: the model line runs into the station's name" 2; fi
    expect_quit "weights gpt2: q quits with status 0"
fi

exit $TUI_FAILED
