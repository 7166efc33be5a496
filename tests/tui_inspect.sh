#!/bin/sh
# tests/tui_inspect.sh - the inspection screens (token surprise: s, logit lens: L) in the real
# program inside tmux, for both models, at 80x24 and 200x60, in colour and mono.
#
# Where the expected numbers come from: `shapewalk --json --logit-lens` for the same model and
# prompts (the screens must show what the JSON says), and the JSON itself is first checked
# against reference.json in ../shared (an independent PyTorch implementation: per-position
# probability, loss and rank of the actual next token, and the logit lens top-1), so the
# chain is screen = JSON = PyTorch. Needs python3 for the JSON (else those checks SKIP).
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init inspect
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw_inspect.XXXXXX")
trap 'tui_stop; rm -f "$TUI_RC"; rm -rf "$tmp"' EXIT INT TERM

PY=
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then PY=python3; fi

# expected PREFIX MODEL: run --json --logit-lens and write shell assignments PREFIX_... with the
# strings the screens print (same formats as views/surprise.c, views/xent.c, views/lens_grid.c)
expected() {
    pre=$1
    shift
    "$SW_BIN" "$@" --json --logit-lens --top-k 10 >"$tmp/$pre.json" 2>"$tmp/$pre.err" || return 1
    $PY - "$tmp/$pre.json" "$pre" >"$tmp/$pre.env" <<'EOF' || return 1
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8")); pre = sys.argv[2]
def lab(s): return "\u2423" + s[1:] if s.startswith(" ") else s
def q(v): return "'" + str(v).replace("'", "'\\''") + "'"
out = []
for b, p in enumerate(d["prompts"]):
    out.append(f"{pre}_MEAN{b}={q('%.3f' % p['mean_loss'])}")
    out.append(f"{pre}_PPL{b}={q('%.4g' % p['perplexity'])}")
    out.append(f"{pre}_LEN{b}={len(p['tokens'])}")
    for tk in p["tokens"]:
        t = tk["position"]
        if tk["loss"] is None: continue
        out.append(f"{pre}_LOSS{b}_{t}={q('%.3f' % tk['loss'])}")
        out.append(f"{pre}_RANK{b}_{t}={tk['rank']}")
        out.append(f"{pre}_P{b}_{t}={q('%.4g' % tk['prob'])}")
        out.append(f"{pre}_CHIP{b}_{t}={q(('%.2f' if tk['loss'] < 9.995 else '%.1f') % tk['loss'])}")
        out.append(f"{pre}_ALT{b}_{t}={q(lab(tk['expected'][0]['text']))}")
    for l, row in enumerate(p.get("logit_lens", [])):
        for t, c in enumerate(row):
            out.append(f"{pre}_LENS{b}_{l}_{t}={q(lab(c['text'])[:4])}")
            pc = int(c["prob"] * 100 + 0.5)
            out.append(f"{pre}_LENSP{b}_{l}_{t}={q('<1%' if pc == 0 and c['prob'] > 0 else '%d%%' % pc)}")
print("\n".join(out))
EOF
    . "$tmp/$pre.env"
}

# json_vs_reference NAME MODEL REFERENCE: --json --logit-lens on the reference's own prompts
# agrees with it: per-token prob/loss/rank and the lens top-1
json_vs_reference() {
    set --  "$1" "$tmp/ref.json" "$3" "$2"
    n=0
    while :; do
        p=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8"))["prompts"]; i=int(sys.argv[2]); print(d[i]["text"] if i < len(d) else "")' "$3" $n) || break
        [ -n "$p" ] || break
        set -- "$@" --prompt "$p"
        n=$((n + 1))
    done
    name=$1 refjson=$2 ref=$3 model=$4
    shift 4
    if ! "$SW_BIN" --model "$model" "$@" --json --logit-lens >"$refjson" 2>"$tmp/ref.err"; then
        echo "FAIL: $TUI_NAME: $name: --json failed: $(head -c 300 "$tmp/ref.err")"
        TUI_FAILED=1
        return
    fi
    set -- "$name" "$refjson" "$ref"
    if out=$($PY - "$2" "$3" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8")); ref = json.load(open(sys.argv[2], encoding="utf-8"))
bad = []
for b, rp in enumerate(ref["prompts"]):
    p = d["prompts"][b]
    for r in rp["next_token_probs"]:
        tk = p["tokens"][r["position"] + 1]
        if tk["rank"] != r["rank"] or abs(tk["prob"] - r["prob"]) > 1e-4 or abs(tk["loss"] - r["loss"]) > max(1e-3, 1e-4 * r["loss"]):
            bad.append(f"prompt {b} position {r['position']}: {tk['prob']} {tk['loss']} {tk['rank']} vs {r['prob']} {r['loss']} {r['rank']}")
    for l, row in enumerate(rp["logit_lens_top1"]):
        for t, c in enumerate(row):
            x = p["logit_lens"][l][t]
            if x["id"] != c["id"] or abs(x["prob"] - c["prob"]) > 1e-4:
                bad.append(f"prompt {b} lens block {l} t {t}: {x['id']} {x['prob']} vs {c['id']} {c['prob']}")
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
EOF
    ); then echo "PASS: $TUI_NAME: $1"; else
        echo "FAIL: $TUI_NAME: $1: $out"
        TUI_FAILED=1
    fi
}

# expect_line NAME PREFIX TEXT...: the first line of the screen holding PREFIX holds every TEXT
# (expect_below: the line under it)
expect_line() { below=0; expect_line_ "$@"; }
expect_below() { below=1; expect_line_ "$@"; }
expect_line_() {
    name=$1 prefix=$2
    shift 2
    i=0
    while :; do   # poll (bounded): the screen may not have caught up with the keys yet
        if [ $below = 1 ]; then line=$(tui_screen | grep -F -A1 -- "$prefix" | sed -n 2p)
        else line=$(tui_screen | grep -F -- "$prefix" | head -1); fi
        ok=1
        [ -n "$line" ] || ok=0
        for s in "$@"; do case "$line" in *"$s"*) ;; *) ok=0 ;; esac; done
        [ $ok = 1 ] && break
        i=$((i + 1))
        [ $i -ge $((50 * TUI_SLOW)) ] && break
        sleep 0.1
    done
    if [ $ok = 1 ]; then echo "PASS: $TUI_NAME: $name"; else tui_fail "$name: line \"$prefix\" lacks $*"; fi
}

# entropy_moves NAME less|more: on the sampling line "H = X nats (τ=1: Y)", X < Y or X > Y
entropy_moves() {
    line=$(tui_screen | grep -F 'τ=1:' | head -1)
    x=$(printf '%s\n' "$line" | sed -n 's/.*H = \([0-9.]*\) nats (τ=1: \([0-9.]*\)).*/\1/p')
    y=$(printf '%s\n' "$line" | sed -n 's/.*H = \([0-9.]*\) nats (τ=1: \([0-9.]*\)).*/\2/p')
    if [ -n "$x" ] && [ -n "$y" ] && awk -v x="$x" -v y="$y" -v d="$2" 'BEGIN { exit !((d == "less") ? x < y : x > y) }'; then
        echo "PASS: $TUI_NAME: $1 (H $x vs $y at τ=1)"
    else
        echo "FAIL: $TUI_NAME: $1: entropy line \"$line\""
        TUI_FAILED=1
    fi
}

# ready NAME PREFIX MODEL FILE: FILE (MODEL's weights) is there, python3 is, and `expected`
# filled PREFIX_... for MODEL; else a SKIP or FAIL line and 1
ready() {
    if [ ! -f "$4" ]; then
        echo "SKIP: inspect: $1: $3 is missing"
    elif [ -z "$PY" ]; then
        echo "SKIP: inspect: $1: python3 is needed to read the JSON"
    elif ! expected "$2" --model "$3"; then
        echo "FAIL: inspect: $1: --json --logit-lens failed: $(head -c 300 "$tmp/$2.err")"
        TUI_FAILED=1
    else
        return 0
    fi
    return 1
}

# ---------- GPT-2 architecture (d64, random weights), 80x24 ----------
if ready gpt2 G "$GPT2" "$GPT2/model.safetensors"; then
    json_vs_reference "gpt2: --json per-token numbers and lens match reference.json (PyTorch)" "$GPT2" "$GPT2/reference.json"
    tui_start 80 24 -- --model "$GPT2"
    expect_screen "gpt2: the walk opens" "0 tokenize"
    tui_keys s
    expect_screen "gpt2 80x24: s opens the token surprise" "mean loss $G_MEAN0 nats over 5 predictions"
    expect_screen "gpt2: perplexity = e^(mean loss) as in the JSON" "perplexity e^loss = $G_PPL0"
    expect_screen "gpt2: the uniform guesser's log V = 10.82" "log V = 10.82"
    expect_screen "gpt2: random weights do worse than uniform" "(this row: worse!)"
    expect_line "gpt2: the last token's p, -log p and rank = JSON" 't=5 "␣fun"' "p = $G_P0_5 " "-log p = $G_LOSS0_5 nats" "rank $G_RANK0_5 of 50257"
    expect_below "gpt2: every token's -log p under it = JSON" "Hello ␣world" "$G_CHIP0_1" "$G_CHIP0_2" "$G_CHIP0_3" "$G_CHIP0_4" "$G_CHIP0_5"
    expect_screen "gpt2: the alternatives expected at t=4" "next token after t=4 \"␣is\""
    expect_line "gpt2: the model's top alternative = JSON expected[0]" "  1 \"" "\"$G_ALT0_5\""
    tui_keys Left Left
    expect_line "gpt2: ← moves to t=3; its numbers = JSON" 't=3 "␣This"' "-log p = $G_LOSS0_3 nats" "rank $G_RANK0_3 of 50257"
    tui_keys w
    expect_screen "gpt2: w shows the cross-entropy" "cross-entropy at t=3"
    expect_screen "gpt2: P is one-hot on the correct token" "P = one-hot(c), c = \"␣This\" (id 770)"
    expect_screen "gpt2: H(P,Q) reduces to -log Q[c] = JSON loss" "= -log Q[c] = -log $G_P0_3 = $G_LOSS0_3 nats"
    expect_screen "gpt2: c's own term" "1 × $G_LOSS0_3 = $G_LOSS0_3"
    expect_screen "gpt2: the row's loss is the mean of the terms" "mean of 5 such terms = $G_MEAN0 nats"
    expect_screen "gpt2: greedy by default: g takes the argmax, the alternatives at τ = 1" "τ = 0 (t T): g takes the argmax · alternatives at τ = 1"
    tui_keys t T T   # greedy (τ = 0) -> 1 -> 0.8 -> 0.64
    expect_screen "gpt2: T lowers the temperature: sharper" "τ = 0.64 (t T): sharper → argmax"
    entropy_moves "gpt2: a lower temperature lowers the entropy" less
    expect_screen "gpt2: the loss stays at temperature 1" "the loss uses τ = 1"
    tui_keys t t t t
    expect_screen "gpt2: t raises it: flatter" "τ = 1.56 (t T): flatter → uniform"
    entropy_moves "gpt2: a higher temperature raises the entropy" more
    tui_keys w b
    expect_screen "gpt2: b shows row 1 with its own mean loss (JSON)" "mean loss $G_MEAN1 nats over 4 predictions"
    tui_keys b L
    expect_screen "gpt2: L opens the logit lens" "logit lens, row b=0"
    expect_line "gpt2: block 1 at t=0: top-1 and p = JSON --logit-lens" "block 1 " "$G_LENS0_0_0" "$G_LENSP0_0_0"
    expect_line "gpt2: block 2 at t=0: top-1 and p = JSON --logit-lens" "block 2 " "$G_LENS0_1_0" "$G_LENSP0_1_0"
    expect_line "gpt2: block 2 at t=3 = JSON" "block 2 " "$G_LENS0_1_3" "$G_LENSP0_1_3"
    expect_screen "gpt2: the tokens that come next, under the grid" "next:"
    tui_keys Down End Left
    expect_screen "gpt2: the selected cell's top-k" "after block 2 of 2 at t=4 \"␣is\": top 10 (= the model's own output)"
    expect_line "gpt2: the last block's top-1 = the JSON's expected[0] for the next token" "  1 \"" "\"$G_ALT0_5\""
    tui_keys Escape
    tui_gone "logit lens, row"
    expect_not "gpt2: Esc goes back to the walk" "logit lens, row"
    # generating on the surprise screen: the generated token is shown, not averaged
    tui_keys s g
    expect_screen "gpt2: g generates and the mean keeps to the prompt" "mean loss $G_MEAN0 nats over the prompt's 5"
    # resizing while on the screens
    tui_resizes "1 1" "30 10" "79 23" "200 60" "80 24"
    expect_screen "gpt2: surprise survives resizes to 1x1 and back" "mean loss $G_MEAN0"
    tui_keys L
    tui_resizes "1 1" "40 12" "200 60" "80 24"
    expect_screen "gpt2: lens survives resizes to 1x1 and back" "logit lens, row b=0"
    expect_quit "gpt2: q quits with status 0"

    # ---------- 200x60: alternatives and cross-entropy side by side, every row ----------
    tui_start 200 60 -- --model "$GPT2"
    expect_screen "gpt2 200x60: the walk opens" "0 tokenize"
    tui_keys s
    expect_screen "gpt2 200x60: the alternatives" "next token after t=4 \"␣is\" (row b=0)"
    expect_screen "gpt2 200x60: the cross-entropy beside them" "cross-entropy at t=5"
    expect_screen "gpt2 200x60: the batch's other row, compact, with its JSON mean" "row b=1: mean loss $G_MEAN1 nats"
    tui_keys L
    expect_screen "gpt2 200x60: lens cells show the top 3" "cell = top-3"
    expect_screen "gpt2 200x60: the selected cell's top-k beside the grid" "after block"
    expect_quit "gpt2 200x60: q quits with status 0"

    # ---------- mono ----------
    tui_start 80 24 -- --model "$GPT2" --mono
    expect_screen "gpt2 mono: the walk opens" "0 tokenize"
    tui_keys s
    expect_screen "gpt2 mono: token surprise" "mean loss $G_MEAN0"
    expect_no_colour "gpt2 mono: surprise has no colour escapes"
    tui_keys L
    expect_screen "gpt2 mono: logit lens" "logit lens, row b=0"
    expect_no_colour "gpt2 mono: lens has no colour escapes"
    expect_quit "gpt2 mono: q quits with status 0"
fi

# ---------- stories260K (Llama, trained), 80x24 ----------
if ready stories S "$STORIES" "$STORIES"; then
    json_vs_reference "stories: --json per-token numbers and lens match reference.json (PyTorch)" "$STORIES" "$(dirname "$STORIES")/reference.json"
    tui_start 80 24 -- --model "$STORIES"
    expect_screen "stories: the walk opens" "0 tokenize"
    tui_keys s
    expect_screen "stories: mean loss = JSON" "mean loss $S_MEAN0 nats over 4 predictions"
    expect_screen "stories: perplexity = JSON" "perplexity e^loss = $S_PPL0"
    expect_screen "stories: log V for V=512" "log V = 6.24 (this row: better)"
    expect_line "stories: \"␣time\" is the top guess, loss = JSON" 't=4 "␣time"' "-log p = $S_LOSS0_4 nats" "rank $S_RANK0_4 of 512 · top guess"
    tui_keys Home
    expect_line "stories: Home goes to t=1 (the first token has no prediction)" 't=1 "␣Once"' "-log p = $S_LOSS0_1 nats"
    tui_keys b
    expect_line "stories: b: row 1's t=1 = JSON" 't=1 "␣Lily"' "-log p = $S_LOSS1_1 nats" "rank $S_RANK1_1 of 512"
    expect_screen "stories: row 1's mean loss = JSON" "mean loss $S_MEAN1 nats"
    tui_keys b L End
    expect_screen "stories: the lens of row 0" "logit lens, row b=0"
    expect_line "stories: block 5 at t=4 = JSON --logit-lens" "block 5 " "$S_LENS0_4_4" "$S_LENSP0_4_4"
    expect_line "stories: block 1 at t=1 = JSON --logit-lens" "block 1 " "$S_LENS0_0_1" "$S_LENSP0_0_1"
    tui_keys k
    expect_screen "stories: k shows more of the cell's top-k" "top 15"
    expect_quit "stories: q quits with status 0"
fi

exit $TUI_FAILED
