#!/bin/sh
# tests/tui_walk.sh - walk the forward pass in the real program inside tmux, as a person
# would, for both models, and check what the screen shows.
# Expected numbers: gpt2-test-d64 and stories260K reference.json in ../shared (computed by an
# independent PyTorch implementation): GPT-2 "Hello world! This is fun" -> ids 15496 995 0
# 770 318 1257, top-1 next id 6594 (" ride") p = 0.17798; layer 0 head 0 attention row 1 =
# [0.9996, 0.0004]. stories260K "Once upon a time" -> top-1 "," p = 0.96879.
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init walk

# ---------- GPT-2 architecture (random weights), 80x24 ----------
if [ -f "$GPT2/model.safetensors" ]; then
    tui_start 80 24 -- --model "$GPT2"
    expect_screen "gpt2: opens on the tokens station" "0 tokenize"
    expect_screen "gpt2: the lesson's prompt ids" "15496 995"
    expect_screen "gpt2: (B,T) shape of the batch" "(B,T) = (2,6)"
    expect_screen "gpt2: byte-level pieces" "Ġworld"
    expect_screen "gpt2: shorter row is padded" "pad"
    tui_keys Right
    expect_screen "gpt2: embed shape" "(B,T,D) = (2,6,64)"
    expect_screen "gpt2: embed maths" "x = E[ids]"
    tui_keys Right
    expect_screen "gpt2: positions maths" "P[0:T]"
    tui_keys Right
    expect_screen "gpt2: block 1" "3.1 transformer block"
    tui_keys Enter
    expect_screen "gpt2: inside block 1" "in block 1:"
    expect_screen "gpt2: norm 1" "3.1.a norm 1"
    tui_keys Right
    expect_screen "gpt2: q,k,v heads shape" "(B,h,T,d) = (2,4,6,16)"
    tui_keys Right
    expect_screen "gpt2: no rotary step, scores next" "(B,h,T,T) = (2,4,6,6)"
    tui_keys Right Right
    expect_screen "gpt2: attention probabilities" "3.1.f attention probabilities"
    expect_screen "gpt2: attention row 1 (reference 0.9996)" "0.9996"
    expect_screen "gpt2: row sums to 1" "row sum = 1.0000"
    tui_keys a
    expect_screen "gpt2: all heads grid" "all 4 heads of layer 1"
    tui_keys a 3 . 1 . j Enter
    expect_screen "gpt2: MLP up widens to F" "(B,T,F) = (2,6,256)"
    tui_keys Escape
    expect_screen "gpt2: left the block" "3.1 transformer block"
    tui_keys 5 Enter
    expect_screen "gpt2: jump to LM head" "5 LM head"
    expect_screen "gpt2: logits shape" "(B,T,V) = (2,6,50257)"
    expect_screen "gpt2: top-1 next token (reference id 6594)" "␣ride"
    expect_screen "gpt2: station 5 shows the logits and the matmul (reference logit 16.38831)" "x[0,5,:] · W_lm[:,v]"
    expect_screen "gpt2: the largest logit (reference 16.38831)" "largest logit 16.3883"
    expect_not "gpt2: station 5 has no softmax columns (station 6 has them)" "logit-max"
    tui_keys Right
    expect_screen "gpt2: top-1 probability (reference 0.17798)" "17.80%"
    expect_screen "gpt2: the max is subtracted" "max logit = 16.388"
    expect_screen "gpt2: station 6 shows the softmax's steps" "logit-max"
    expect_screen "gpt2: softmax sums to one" "sum of p over all V = 1.0000"
    tui_keys Right
    expect_screen "gpt2: next token station" "(B,) = (2,)"
    tui_keys g
    expect_screen "gpt2: g appends a token (T 6 -> 7)" "T is now 7"
    tui_keys 1 Enter
    expect_screen "gpt2: shapes grow to T+1" "(B,T,D) = (2,7,64)"
    tui_keys '?'
    expect_screen "gpt2: help overlay" "shapewalk keys"
    tui_keys Escape
    tui_gone "shapewalk keys"
    expect_not "gpt2: help closes" "shapewalk keys"
    # edit the prompt of row 0 and run again
    tui_keys e C-u
    tui_lit "The dog ran"
    tui_keys Enter
    expect_screen "gpt2: edited prompt reruns" "b0 \"The dog ran\" (3 tok)"
    tui_keys 0 Enter
    expect_screen "gpt2: edited prompt's ids" "464 3290 4966"
    expect_quit "gpt2: q quits with status 0"
else
    echo "SKIP: walk: gpt2: $GPT2 is missing"
fi

# ---------- generating until the context (128) is full, g pressed quickly ----------
# Each g comes 40 ms after the last: longer than a generation step of this tiny model (3 ms
# idle), shorter than the main loop's 50 ms wait, so a finished step must be collected before
# the next key (it was refused as "busy" every other time). Row 0 has 6 tokens: 122 steps fill
# it. On a busy machine a step can outlast the gap, and that press is refused as busy, rightly:
# so after the quick presses (their count is printed), g goes one at a time, each waiting with
# a deadline for the token it should bring, until the context is full.
row0_tokens() { tui_screen | grep '^b0 ' | grep -o '([0-9]* tok)' | head -1 | tr -dc 0-9; }
row0_above() { n=$(row0_tokens); [ -n "$n" ] && [ "$n" -gt "$1" ]; }
if [ -f "$GPT2/model.safetensors" ]; then
    tui_start 80 24 -- --model "$GPT2"
    expect_screen "gpt2 gen: ready" "(6 tok)"
    tui_keys 7 Enter
    expect_screen "gpt2 gen: next token station" "next token for each row"
    gap=$(awk "BEGIN { print 0.04 * $TUI_SLOW }")
    i=0
    while [ $i -lt 122 ]; do tui_keys g; sleep "$gap"; i=$((i + 1)); done
    tui_poll 2 row0_above 127                      # the last quick press's step, if it was taken
    tui_gone "only the new position runs" 10      # no step running any more
    quick=$(row0_tokens)
    extra=0
    while n=$(row0_tokens); [ -n "$n" ] && [ "$n" -lt 128 ] && [ $extra -lt 122 ]; do
        tui_keys g
        tui_poll 10 row0_above "$n" || break
        extra=$((extra + 1))
    done
    echo "  (122 quick g presses reached ${quick:-?} tokens of 128; $extra more, one at a time)"
    expect_screen "gpt2 gen: g presses append one token each until the context is full (T 6 -> 128)" "(128 tok)" 5
    expect_screen "gpt2 gen: the full context is told, not T -> T+1" "context full: row b=0 has 128 tokens"
    expect_not "gpt2 gen: no (B,T) -> T+1 promise" "-> (2,129)"
    tui_keys g
    expect_screen "gpt2 gen: g at the full context gives the reason" "context of 128 tokens"
    expect_quit "gpt2 gen: q quits with status 0"
fi

# ---------- stories260K (Llama), 80x24 ----------
if [ -f "$STORIES" ]; then
    tui_start 80 24 -- --model "$STORIES"
    expect_screen "stories: opens with its prompts" "Once upon a time"
    expect_screen "stories: BOS chip" "<s>"
    expect_screen "stories: (B,T) shape" "(B,T) = (2,5)"
    tui_keys l
    expect_screen "stories: embed shape" "(B,T,D) = (2,5,64)"
    tui_keys l
    expect_screen "stories: Llama adds no positions" "RoPE rotates q and k"
    # a mouse click (X10 encoding: ESC [ M button x+33 y+33) on "2 +pos" in the shape strip
    tui_keys 0 Enter
    tui_lit "$(printf '\033[M ?#\033[M#?#')"
    expect_screen "stories: a click on the shape strip jumps there" "2 add positions"
    tui_keys 3 . 2 . c Enter
    expect_screen "stories: jump to a rotary step" "3.2.c rotary positions"
    tui_keys w
    expect_screen "stories: w shows k with KV heads" "(B,KV,T,d) = (2,4,5,8)"
    expect_screen "stories: which KV head serves the query head" "KV head 0 serves query he"
    tui_keys 3 . 5 . e Enter
    expect_screen "stories: causal mask shows -inf" "-inf"
    tui_keys Right
    expect_screen "stories: attention probabilities" "3.5.f attention probabilities"
    tui_keys ']'
    expect_screen "stories: ] moves to the next layer" "3.5.f" 2
    tui_keys '[' '[' 
    expect_screen "stories: [ moves back a layer" "3.3.f attention probabilities"
    tui_keys 6 Enter
    expect_screen "stories: softmax station" "6 softmax"
    expect_screen "stories: top-1 is a comma (reference 0.96879)" "96.88%"
    tui_keys k
    expect_screen "stories: k shows more rows" "top 15 of V=512"
    tui_keys b
    expect_screen "stories: b switches to row 1" "(row b=1)"
    tui_keys 7 Enter
    expect_screen "stories: next token" "next token for each row"
    tui_keys g
    expect_screen "stories: generate grows T" "T is now 6"
    expect_quit "stories: q quits with status 0"
else
    echo "SKIP: walk: stories: $STORIES is missing"
fi

# ---------- a big terminal and large print ----------
if [ -f "$STORIES" ]; then
    tui_start 200 60 -- --model "$STORIES" --large
    expect_screen "200x60 large: walk shows" "0 tokenize"
    tui_keys 3 . 1 . f Enter
    expect_screen "200x60 large: attention" "A[b=0, head 0 of 8]"
    tui_keys z
    expect_screen "200x60: z leaves large print" "normal print"
    tui_keys 4 Enter
    expect_screen "200x60: final norm heatmap" "x[b=0] rows t (T=5)"
    expect_quit "200x60: q quits with status 0"
fi

exit $TUI_FAILED
