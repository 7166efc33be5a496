#!/bin/sh
# tests/tui_lesson.sh - the classroom mode (shapewalk --lesson) driven in tmux as a teacher and
# a student would: the shape quiz, the dot product, nearest tokens, the matmul rule, softmax,
# temperature, cross-entropy, the score, jumping to a station, the walk and back, large print,
# high contrast, mono, 80x24 and a big terminal; for both models.
#
# Where the expected numbers come from (none from this program):
#   gpt2-test-d64: a separate pure-Python reading of wte.weight in model.safetensors:
#     " cat" (3797) · "The" (464) = 2.708813, cos 0.185470; nearest to " cat" by cosine:
#     2186 (" repl") 0.503808.  reference.json (independent PyTorch): top-1 after "␣fun"
#     is 6594 (" ride") with logit 16.38831 and p 0.17798; mean loss over the 5 predictions
#     18.373945; log V = ln 50257 = 10.82.
#   stories260K: the same Python over stories260K.bin: nearest to " Lily" (317) is " Timmy"
#     (405) 0.554614.  reference.json: top-1 after "Once upon a time" is "," (432) p 0.96879,
#     and the mean of its 4 per-position losses is 0.068522.
#   [2,1,0] -> softmax 0.6652 0.2447 0.0900 (e^2/(e^2+e+1) ...); expf(1000) = inf in float.
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init lesson

# ---------- GPT-2 architecture, 80x24 ----------
if [ -f "$GPT2/model.safetensors" ]; then
    tui_start 80 24 -- --lesson --model "$GPT2"
    expect_screen "gpt2: opens on the first question" "0 tokenize — shape quiz 1 of 11"
    expect_screen "gpt2: the question" "What shape is ids?"
    expect_screen "gpt2: choices" "(B,T)     (T,)     (B,T,D)"
    expect_screen "gpt2: the page's keys on the last line of the body" "↑↓ pick · ⏎ check"
    expect_not "gpt2: the answer is not shown before answering" "(B,T) = (2,6)"
    tui_lit "B,T"
    expect_screen "gpt2: the typed answer echoes" "your answer: B,T_"
    tui_keys Enter
    expect_screen "gpt2: a right typed answer" "✓ right: (B,T) = (2,6)"
    expect_screen "gpt2: the station is revealed (token ids)" "15496 995"
    expect_screen "gpt2: the strip marks it" "0✓"
    tui_keys Right
    expect_screen "gpt2: after station 0's quiz, the glossary with this model's sizes" "V = 50257"
    tui_keys Right
    expect_screen "gpt2: the embed question" "What shape is x?"
    tui_lit "b,t,d"
    tui_keys Enter
    expect_screen "gpt2: small d is wrong for D" "✗ you said b,t,d; it is (B,T,D) = (2,6,64)"
    expect_screen "gpt2: and why" "small d is the head size"
    expect_screen "gpt2: the embedding heatmap is revealed" "x[b=0] rows t (T=6)"
    tui_keys Right
    expect_screen "gpt2: dot product page" "the dot product of two tokens' rows of E"
    expect_screen "gpt2: a is \" cat\"" "a = E[3797] \"␣cat\""
    expect_screen "gpt2: b is \"The\"" "b = E[464] \"The\""
    expect_screen "gpt2: a·b (Python 2.708813)" "a·b = sum of all 64 products = 2.70881"
    expect_screen "gpt2: cosine (Python 0.185470)" "cos(a,b) = a·b / (|a| |b|) = 0.1855"
    expect_screen "gpt2: the notice sentence" "Notice: A dot product is multiply-pairs-and-add"
    tui_keys Tab Down
    expect_screen "gpt2: Tab then ↓ moves b" "b = E[3797] \"␣cat\""
    expect_screen "gpt2: a token with itself has cosine 1" "= 1.0000"
    tui_keys Right
    expect_screen "gpt2: nearest tokens page" "nearest to \"␣cat\" (id 3797) among the V = 50257 rows"
    expect_screen "gpt2: top neighbour (Python: 2186, 0.503808)" "2186  0.5038"
    tui_keys 5 Enter
    expect_screen "gpt2: 5 Enter jumps to the LM head" "5 LM head — shape quiz 9 of 11"
    tui_lit "5"
    tui_keys Enter
    expect_screen "gpt2: a bare number on a quiz is not taken as an answer" "one number is not a shape of 3 axes"
    tui_keys BSpace Down Down Enter
    expect_screen "gpt2: picking the third choice" "✓ right: (B,T,V) = (2,6,50257)"
    expect_screen "gpt2: top-1 revealed (reference: ␣ride)" "␣ride"
    tui_keys Right
    expect_screen "gpt2: matmul rule" "(B,T, D) @ ( D,    V) -> (B,T,    V)"
    expect_screen "gpt2: in numbers" "(2,6,64) @ (64,50257) -> (2,6,50257)"
    expect_screen "gpt2: one entry as row·column" "one entry: logits[0,5,6594] = row x[0,5,:] · column W_lm[:,6594]"
    expect_screen "gpt2: the dot product is the model's logit (reference 16.38831)" "16.3883  ✓ the same number"
    tui_keys Tab
    expect_screen "gpt2: Tab takes the next column (reference #2: 18816)" "logits[0,5,18816]"
    expect_screen "gpt2: still the model's own number" "✓ the same number"
    tui_keys Right Right
    expect_screen "gpt2: softmax demo" "why the max is subtracted first"
    expect_screen "gpt2: [2,1,0] naive and stable" "2.0000     7.3891   0.6652  │    0.0000     1.0000   0.6652"
    expect_screen "gpt2: [1000,999,998] overflows to inf and NaN" "1000.0000        inf      NaN  │    0.0000     1.0000   0.6652"
    expect_screen "gpt2: real logits (reference p 0.17798)" "16.3883  1.310e+07   0.1780"
    tui_keys Right
    expect_screen "gpt2: temperature page" "τ = 1.00"
    tui_keys T T T T T T T T
    expect_screen "gpt2: low T is argmax" "top-1 100.0%"
    tui_keys t t t t t t t t t t t t t t t t t t t t t t
    expect_screen "gpt2: high τ reaches the slider's end" "τ = 100.00"
    expect_screen "gpt2: high T flattens [2,1,0]" "p = [0.337, 0.333, 0.330]"
    tui_keys g 7 Enter
    expect_screen "gpt2: g 7 Enter jumps from any page" "7 next token — shape quiz 11 of 11"
    tui_keys Right
    expect_screen "gpt2: cross-entropy table" "H(P,Q) = -Σ P log Q = -log Q[c]"
    expect_screen "gpt2: first row (reference Q 1.86e-08, loss 17.799, rank 22313)" "1.86e-08    17.799   22313"
    expect_screen "gpt2: mean loss (reference 18.373945)" "mean loss over 5 predictions = 18.374 nats"
    expect_screen "gpt2: the lesson's thresholds" "log V = log 50257 = 10.82 = uniform guessing"
    tui_keys End
    expect_screen "gpt2: the score" "score: 2 right of 11 questions (3 answered)"
    expect_screen "gpt2: a wrong answer in the score" "you said b,t,d"
    tui_keys c
    expect_screen "gpt2: c switches to high contrast" "high contrast"
    tui_keys c
    expect_screen "gpt2: and back" "normal colours"
    tui_keys w
    expect_screen "gpt2: w opens the walk at the station" "0 tokenize · station 0 of 0..7"
    tui_keys C
    expect_screen "gpt2: C comes back to the lesson" "lesson · station 0"
    tui_keys '?'
    expect_screen "gpt2: help lists the lesson's keys" "quiz: B,T,D"
    tui_keys Escape
    tui_keys End R
    expect_screen "gpt2: R starts the quiz again" "0 of 0 right"
    expect_quit "gpt2: q quits with status 0"
else
    echo "SKIP: lesson: gpt2: $GPT2 is missing"
fi

# ---------- stories260K (Llama), 80x24, and the station from the command line ----------
if [ -f "$STORIES" ]; then
    tui_start 80 24 -- --lesson --model "$STORIES"
    expect_screen "stories: opens on the first question" "shape quiz 1 of 11"
    expect_screen "stories: the question once the forward pass is in" "What shape is ids?"
    tui_keys Enter
    expect_screen "stories: Enter takes the highlighted choice" "✓ right: (B,T) = (2,5)"
    # a screen opened from the lesson closes back to the lesson, on the same page
    tui_keys Right
    expect_screen "stories: the glossary page" "0 glossary — the letters and words"
    tui_keys D
    expect_screen "stories: D opens the legend from the lesson" "Legend: the letters of the header"
    tui_keys Escape
    expect_screen "stories: Esc from that legend goes back to the lesson's glossary page" "0 glossary — the letters and words"
    expect_screen "stories: (the lesson's own header)" "lesson · station 0 · page 2/23"
    tui_keys g 3 Enter
    expect_screen "stories: block 1's q" "3.1.b queries, keys, values"
    tui_lit "B h T d"
    tui_keys Enter
    expect_screen "stories: q with 8 heads of 8" "(B,h,T,d) = (2,8,5,8)"
    tui_keys Right
    tui_lit "B,h,T,T"
    tui_keys Enter
    expect_screen "stories: the scores" "(B,h,T,T) = (2,8,5,5)"
    tui_keys Right
    tui_lit "2,5,172"
    tui_keys Enter
    expect_screen "stories: the MLP widens to F = 172, answered in numbers" "✓ right: (B,T,F) = (2,5,172)"
    tui_keys 1 Enter Right Right
    expect_screen "stories: nearest to \" Lily\"" "nearest to \"␣Lily\" (id 317)"
    expect_screen "stories: \" Timmy\" (Python 0.554614)" "405  0.5546"
    expect_screen "stories: special tokens left out" "<unk> <s> </s>"
    tui_keys 6 Enter Right
    expect_screen "stories: real logits (reference: \",\" 0.96879)" "0.9688"
    tui_keys 7 Enter Right
    expect_screen "stories: cross-entropy (reference mean 0.068522)" "mean loss over 4 predictions = 0.069 nats"
    expect_screen "stories: log V for V = 512" "log V = log 512 = 6.24"
    tui_keys b
    expect_screen "stories: b shows the other row" "\"␣Lily\""
    expect_quit "stories: q quits with status 0"

    tui_start 80 24 -- --lesson --station 5 --model "$STORIES"
    expect_screen "stories: --station 5 opens the LM head question" "5 LM head — shape quiz 9 of 11"
    tui_keys Right
    expect_screen "stories: tied head: W_lm" "one entry: logits[0,4,432] = row x[0,4,:] · column W_lm[:,432]"
    expect_screen "stories: its logit is the model's" "17.7994  ✓ the same number"
    expect_quit "stories: q quits with status 0 (2)"

    # mono: no colour escapes at all
    tui_start 80 24 NO_COLOR=1 -- --lesson --model "$STORIES"
    expect_screen "mono: the quiz shows" "What shape is ids?"
    tui_keys Enter Right Right Right
    expect_screen "mono: dot product (after the glossary and the embed question)" "cos(a,b)"
    expect_no_colour "mono: no colour escapes"
    expect_quit "mono: q quits with status 0"

    # large print and high contrast for a projector
    tui_start 80 24 -- --lesson --large --model "$STORIES"
    expect_screen "large: the quiz shows" "What shape is ids?"
    tui_lit "B,T"
    expect_screen "large: the typed answer in big letters" "█▀▄     ▀█▀"
    tui_keys Enter
    expect_screen "large: the answer in big letters" "✓ right: (B,T) = (2,5)"
    if tui_screen_e | grep -q '48;5;16m'; then
        echo "PASS: $TUI_NAME: large: high contrast (black background) comes with --large"
    else
        echo "FAIL: $TUI_NAME: large: no black background with --large"
        tui_screen_e | head -5 | cat -v | sed 's/^/    | /'
        TUI_FAILED=1
    fi
    expect_quit "large: q quits with status 0"

    # a big terminal: every one of the 64 terms of the dot product
    tui_start 160 50 -- --lesson --model "$STORIES"
    expect_screen "160x50: the quiz" "What shape is ids?"
    tui_keys Right Right Right   # the glossary, the embed question (skipped), the dot product
    expect_screen "160x50: all 64 terms" "a·b = sum of all 64 products = 1.41778"
    expect_not "160x50: nothing hidden" "not shown"
    expect_screen "160x50: the last block ends at term 63" "63"
    expect_quit "160x50: q quits with status 0"
else
    echo "SKIP: lesson: stories: $STORIES is missing"
fi

# ---------- a flood of random keys inside the lesson (seeded; SW_FLOOD_SEED replays) ----------
lesson_keys() {
    awk -v seed="$1" -v n="$2" 'BEGIN {
        srand(seed);
        split("Left Right Up Down Enter Escape Tab BTab BSpace PageUp PageDown Home End", named, " ");
        nn = 13;
        lit = "BTDVFHhdbtdvf0123456789,() cCwRgGtTlkj.e";
        sent = 0;
        while (sent < n) {
            r = rand();
            if (r < 0.45) {
                line = "K"; k = 1 + int(rand() * 6);
                for (j = 0; j < k; j++) line = line " " named[1 + int(rand() * nn)];
                print line; sent += k;
            } else if (r < 0.96) {
                s = ""; k = 1 + int(rand() * 8);
                for (j = 0; j < k; j++) s = s substr(lit, 1 + int(rand() * length(lit)), 1);
                print "L " s; sent += k;
            } else {
                split("79 23|80 24|160 50|3 2|120 40", sz, "|");
                print "R " sz[1 + int(rand() * 5)];
            }
        }
    }'
}

if [ -f "$STORIES" ] && [ -f "$GPT2/model.safetensors" ]; then
    SEED="${SW_FLOOD_SEED:-11}"
    for model in "$STORIES" "$GPT2"; do
        tui_start 80 24 -- --lesson --model "$model"
        expect_screen "flood: starts ($(basename "$model"))" "What shape is ids?"
        lesson_keys "$SEED" 1000 > "${TUI_RC}.keys"
        tui_replay "${TUI_RC}.keys"
        rm -f "${TUI_RC}.keys"
        if [ -s "$TUI_RC" ]; then
            tui_fail "flood: the program ended (status $(cat "$TUI_RC"), seed $SEED)" 20
            continue
        fi
        echo "PASS: $TUI_NAME: flood: 1000 random keys in the lesson ($(basename "$model"), seed $SEED)"
        tui_resize 80 24
        # out of the editor or help, to the walk, then back to the lesson
        tui_escapes
        tui_keys C
        expect_screen "flood: the lesson answers keys afterwards" "lesson │" 20
        expect_not "flood: no error from a sanitizer" "Sanitizer"
        expect_quit "flood: q quits with status 0"
    done
fi

exit $TUI_FAILED
