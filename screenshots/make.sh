#!/bin/sh
# screenshots/make.sh - PNG screenshots of the real ./shapewalk at its main stations.
# Run by `make screenshots` (never by `make test`). For each picture: start ./shapewalk in a
# detached tmux session, press the keys a person would, wait until the expected text is on
# screen and the screen stops changing, capture it with its colours (tmux capture-pane -e),
# turn the ANSI text into HTML with aha, and photograph that with headless Chromium.
#
#   sh screenshots/make.sh            all pictures
#   sh screenshots/make.sh tokens lens   only these (names below)
#
# Environment: SW_BIN (default ./shapewalk), SW_MODEL (default: stories260K from ../shared,
# else the fetched stories260K), SHARED (default ../shared), SHOT_COLS / SHOT_ROWS (112 x 30).
# It installs nothing: it says what to apt-get install when a tool is missing.

cd "$(dirname "$0")/.." || exit 2

ALL="tokens embedding attention attention-heads softmax surprise lens lesson gguf-q4_0 quantization quantization-weight large compare"
SW_BIN="${SW_BIN:-$PWD/shapewalk}"
SHARED="${SHARED:-$(cd .. && pwd)/shared}"
COLS="${SHOT_COLS:-112}"
ROWS="${SHOT_ROWS:-30}"
OUT="$PWD/screenshots"

# ---- tools ----
missing=""
for t in tmux aha fc-list; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
CHROME=""
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then CHROME="$c"; break; fi
done
[ -n "$CHROME" ] || missing="$missing chromium"
if [ -z "$missing" ] && ! fc-list 'DejaVu Sans Mono' family | grep -q .; then
    missing="$missing DejaVu-Sans-Mono-font"
fi
if [ -n "$missing" ]; then
    echo "screenshots/make.sh: missing:$missing; install them with: apt-get install tmux aha chromium fonts-dejavu-core" >&2
    exit 1
fi
if [ ! -x "$SW_BIN" ]; then
    echo "screenshots/make.sh: no program at $SW_BIN; run make first" >&2
    exit 1
fi

# ---- the model: stories260K, a real pretrained model (named explicitly, so the status line
# shows the run, not the note about which default was found) ----
if [ -z "${SW_MODEL:-}" ]; then
    if [ -f "$SHARED/models/stories260K/stories260K.bin" ]; then
        SW_MODEL="$SHARED/models/stories260K/stories260K.bin"
    else
        SW_MODEL=stories260K
    fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/swshots.XXXXXX") || exit 2
SOCK="swshots_$$"
FAILED=0
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; [ -n "${SHOT_KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# aha's grey ramp (256-colour 232..255) is a little off xterm's (8 + 10 * (n - 232)): give
# aha those greys as exact 24-bit colours
n=232
while [ $n -le 255 ]; do
    v=$((8 + 10 * (n - 232)))
    printf 's/\\[\\([34]\\)8;5;%dm/[\\18;2;%d;%d;%dm/g\n' "$n" "$v" "$v" "$v"
    n=$((n + 1))
done > "$TMP/greys.sed"

# ---- the page: cells of 9 x 17 px. DejaVu Sans Mono's advance is 1233/2048 em, so this font
# size makes a cell 9 px wide (letter-spacing takes up the browser's rounding of the size);
# its ascent+descent (2384/2048 em = 17.4 px) overlaps the 17 px row a little, so coloured
# cells and half blocks tile with no gaps between rows. ----
CELL_PX=9
ROW_PX=17
FONT_PX=14.9489
PAD_PX=8
FG="#d0d0d0"
BG="#000000"
win_w() { echo $(($1 * CELL_PX + 2 * PAD_PX)); }
win_h() { echo $(($1 * ROW_PX + 2 * PAD_PX)); }

# ---- tmux ----
# start W H [ARGS...]: ./shapewalk --model MODEL ARGS in a fresh W x H session (256 colours).
# TERM is tmux-256color, the terminal it really runs in: xterm-256color has bce, with which
# ncurses ends a coloured bar with one erase, and capture-pane leaves erased cells out, so
# the header and status bars would stop short in the picture.
start() {
    w="$1"; h="$2"; shift 2
    args="--model '$SW_MODEL'"
    for a in "$@"; do args="$args '$a'"; done
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    i=0
    while [ $i -lt 20 ]; do
        if tmux -L "$SOCK" -f /dev/null new-session -d -s shot -x "$w" -y "$h" \
            "env -u COLORTERM TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '$SW_BIN' $args; sleep 60" \; \
            set -g status off \; set -g window-size manual >/dev/null 2>&1; then
            SHOT_W="$w"; SHOT_H="$h"
            return 0
        fi
        sleep 0.2
        i=$((i + 1))
    done
    echo "screenshots/make.sh: tmux could not start a session" >&2
    return 1
}
keys() { tmux -L "$SOCK" send-keys -t shot "$@"; }
screen() { tmux -L "$SOCK" capture-pane -p -t shot 2>/dev/null; }

# wait_for TEXT: up to 15 s for TEXT, then up to 3 s for the screen to stop changing
wait_for() {
    i=0
    until screen | grep -F -q -- "$1"; do
        i=$((i + 1))
        if [ $i -gt 150 ]; then
            echo "screenshots/make.sh: \"$1\" never showed up; the screen was:" >&2
            screen | awk '{ l[NR] = $0 } NF { n = NR } END { for (i = 1; i <= n; i++) print "    | " l[i] }' >&2
            return 1
        fi
        sleep 0.1
    done
    prev=""
    i=0
    while [ $i -lt 30 ]; do
        sleep 0.2
        now=$(tmux -L "$SOCK" capture-pane -e -p -t shot)
        [ "$now" = "$prev" ] && return 0
        prev="$now"
        i=$((i + 1))
    done
    return 0
}

# shoot NAME: the screen as it is now -> screenshots/NAME.png
shoot() {
    name="$1"
    tmux -L "$SOCK" capture-pane -e -p -N -t shot > "$TMP/$name.ans" || return 1
    {
        printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>\n'
        printf 'html, body { margin: 0; padding: 0; overflow: hidden; background: %s; }\n' "$BG"
        printf 'pre { margin: 0; padding: %dpx; color: %s; background: %s;\n' "$PAD_PX" "$FG" "$BG"
        printf '      font: %spx/%dpx "DejaVu Sans Mono", monospace; white-space: pre;\n' "$FONT_PX" "$ROW_PX"
        printf '      letter-spacing: calc(%dpx - 1ch); }\n' "$CELL_PX"
        # block characters are painted as boxes in the text colour (a font's glyphs leave
        # hairline seams between neighbours); the glyph itself is made transparent
        printf '.b { -webkit-text-fill-color: transparent; }\n'
        printf '.bf { background: currentColor; }\n'
        printf '.bu { background: linear-gradient(currentColor 50%%, transparent 50%%); }\n'
        printf '.bd { background: linear-gradient(transparent 50%%, currentColor 50%%); }\n'
        for e in 1 2 3 4 5 6 7; do
            printf '.b%d { background: linear-gradient(to right, currentColor %s%%, transparent %s%%); }\n' \
                "$e" "$((e * 125 / 10)).$((e * 125 % 10))" "$((e * 125 / 10)).$((e * 125 % 10))"
        done
        printf '</style></head><body><pre>'
        sed -f "$TMP/greys.sed" "$TMP/$name.ans" | aha --no-header | sed \
            -e 's|█|<span class="b bf">█</span>|g' -e 's|▀|<span class="b bu">▀</span>|g' \
            -e 's|▄|<span class="b bd">▄</span>|g' -e 's|▏|<span class="b b1">▏</span>|g' \
            -e 's|▎|<span class="b b2">▎</span>|g' -e 's|▍|<span class="b b3">▍</span>|g' \
            -e 's|▌|<span class="b b4">▌</span>|g' -e 's|▋|<span class="b b5">▋</span>|g' \
            -e 's|▊|<span class="b b6">▊</span>|g' -e 's|▉|<span class="b b7">▉</span>|g'
        printf '</pre></body></html>\n'
    } > "$TMP/$name.html"
    rm -f "$OUT/$name.png"
    "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --force-device-scale-factor=1 \
        --user-data-dir="$TMP/chrome" --window-size="$(win_w "$SHOT_W"),$(win_h "$SHOT_H")" \
        --screenshot="$OUT/$name.png" "file://$TMP/$name.html" > "$TMP/chrome.log" 2>&1
    if [ ! -s "$OUT/$name.png" ]; then
        echo "screenshots/make.sh: chromium made no $name.png:" >&2
        tail -5 "$TMP/chrome.log" >&2
        return 1
    fi
    echo "screenshots/$name.png ($(wc -c < "$OUT/$name.png") bytes)"
}

# ---- the pictures ----
shot_tokens() {
    start "$COLS" 24 &&
    wait_for "0 tokenize" && wait_for "ran 2 prompts" &&
    shoot tokens
}
shot_embedding() {
    start "$COLS" "$ROWS" --station 1 &&
    wait_for "x = E[ids]" && wait_for "ran 2 prompts" &&
    shoot embedding
}
# block 1's attention probabilities (3.1.f), one head with its numbers
shot_attention() {
    start "$COLS" "$ROWS" &&
    wait_for "ran 2 prompts" &&
    keys 3 . 1 . f Enter && wait_for "3.1.f attention probabilities" && wait_for "row sum = 1.0000" &&
    shoot attention
}
# all heads of a layer at once, on a longer prompt so the maps have some texture
shot_attention_heads() {
    start "$COLS" "$ROWS" --prompt "Once upon a time, there was a little girl named Lily. She loved to play outside." &&
    wait_for "ran 1 prompt" &&
    keys 3 . 1 . f Enter && wait_for "3.1.f attention probabilities" &&
    keys a && wait_for "all 8 heads of layer 1" &&
    shoot attention-heads
}
# a prompt where the next piece is a real choice (" g" for girl, " b" for boy), 15 rows
shot_softmax() {
    start "$COLS" "$ROWS" --station 6 --prompt "Once upon a time, there was a little" &&
    wait_for "sum of p over all V = 1.0000" &&
    keys k && wait_for "top 15" &&
    shoot softmax
}
# a prompt that starts as a typical story and ends somewhere the model did not expect
shot_surprise() {
    start "$COLS" "$ROWS" --prompt "Once upon a time, there was a little girl named Lily. She loved to eat her green car." &&
    wait_for "ran 1 prompt" &&
    keys s && wait_for "perplexity" &&
    shoot surprise
}
shot_lens() {
    start "$COLS" "$ROWS" &&
    wait_for "ran 2 prompts" &&
    keys L && wait_for "logit lens, row b=0" && wait_for "block 5" &&
    shoot lens
}
# the lesson's softmax page: why the max is subtracted first
shot_lesson() {
    start "$COLS" "$ROWS" --lesson &&
    wait_for "shape quiz 1 of" &&
    keys g 6 Enter && wait_for "6 softmax" &&
    keys Right && wait_for "why the max is subtracted first" &&
    shoot lesson
}

# the same real stories260K as a quantized GGUF file (Q4_0 matrices, Q8_0 embedding): the
# q, k, v step of block 1, with each weight's type and bits per weight on screen
shot_gguf_q4_0() {
    q4="$SHARED/models/stories260K-gguf/stories260K-q4_0.gguf"
    [ -f "$q4" ] || { echo "screenshots/make.sh: gguf-q4_0 needs $q4" >&2; return 1; }
    saved="$SW_MODEL"
    SW_MODEL="$q4"
    start "$COLS" "$ROWS" --prompt "Lily and Tom went to the park. They saw a big" &&
    wait_for "ran 1 prompt" &&
    keys 3 . 1 . b Enter && wait_for "3.1.b queries, keys, values" && wait_for "Q4_0" &&
    shoot gguf-q4_0
    rc=$?
    SW_MODEL="$saved"
    return $rc
}

# the quantization screen (Q) at COLS x 24: stories260K's F32 file against its Q4_0 copy on the
# prompt where Q4_0 changes the next token; NAME for messages. Sets SW_MODEL; the caller restores it.
start_quantization() {
    g="$SHARED/models/stories260K-gguf"
    [ -f "$g/stories260K-q4_0.gguf" ] || { echo "screenshots/make.sh: $2 needs $g" >&2; return 1; }
    SW_MODEL="$g/stories260K-f32.gguf"
    start "$1" 24 --compare "$g/stories260K-q4_0.gguf" --prompt "Lily and Tom went to the park. They saw a big" &&
    wait_for "ran 1 prompt" &&
    keys Q && wait_for "top-1 same 15/17"
}

# 144 columns so all 17 positions and the blocks' means show
shot_quantization() {
    saved="$SW_MODEL"
    start_quantization 144 quantization && wait_for "(flipped)" && wait_for "mean 0.2139" &&
    shoot quantization
    rc=$?
    SW_MODEL="$saved"
    return $rc
}

# inside a weight: block 0 of row 0 of blk.0.attn_q in the Q4_0 file, against the F32 file's
shot_quantization_weight() {
    saved="$SW_MODEL"
    start_quantization 132 quantization-weight &&
    keys w ] && wait_for "blk.0.attn_q.weight (2 of 36)" && wait_for "rounding error" &&
    shoot quantization-weight
    rc=$?
    SW_MODEL="$saved"
    return $rc
}

# large print for a projector (--large) at 160 x 45: station 0's chips and ids in the big font
shot_large() {
    start 160 45 --large --prompt "The cat sat on the mat" --prompt "The dog sat on the mat" &&
    wait_for "its id is below (large print)" && wait_for "ran 2 prompts" &&
    shoot large
}
# the compare screen (=) at 3.1.f: both rows' attention, their difference, what moved most
shot_compare() {
    start 160 40 --prompt "The cat sat on the mat" --prompt "The dog sat on the mat" &&
    wait_for "ran 2 prompts" &&
    keys 3 . 1 . f Enter && wait_for "3.1.f attention probabilities" &&
    keys = && wait_for "moved most from b=0 to b=1" &&
    shoot compare
}

[ $# -gt 0 ] || set -- $ALL
for name in "$@"; do
    case " $ALL " in
        *" $name "*) ;;
        *) echo "screenshots/make.sh: no picture named '$name' (one of: $ALL)" >&2; FAILED=1; continue ;;
    esac
    fn="shot_$(echo "$name" | tr - _)"
    if ! "$fn"; then
        echo "screenshots/make.sh: $name failed" >&2
        FAILED=1
    fi
done
tmux -L "$SOCK" kill-server >/dev/null 2>&1
exit $FAILED
