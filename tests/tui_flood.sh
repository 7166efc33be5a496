#!/bin/sh
# tests/tui_flood.sh - a flood of random keys (>= 2000 per model, including the prompt
# editor, generation, batch rows, resizes and UTF-8 text): the program must not crash, must
# still show a sane screen, and must quit with status 0. The key sequence is seeded
# (SW_FLOOD_SEED, default 7) so a failure can be replayed.
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init flood
SEED="${SW_FLOOD_SEED:-7}"
NKEYS="${SW_FLOOD_KEYS:-2000}"

# One line per tmux call (tui_replay): "K name..." (named keys) or "L text" (literal text) or "R w h".
# No q/Q (quit) and no C-c / C-z / C-\ (signals).
gen_keys() {
    awk -v seed="$1" -v n="$2" 'BEGIN {
        srand(seed);
        split("Left Right Up Down Enter Escape Tab BTab BSpace PageUp PageDown Home End DC F1 S-Left S-Right C-u C-w C-a C-e C-k", named, " ");
        nn = 0; for (i in named) nn++;
        lit = "abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789 .,[]{}<>?/+-=_!@#$%^&*()\"'\''`~|:";
        split("é 日本 ü ☃ 😀 ñ", uni, " ");
        sent = 0;
        while (sent < n) {
            r = rand();
            if (r < 0.45) {
                line = "K"; k = 1 + int(rand() * 8);
                for (j = 0; j < k; j++) line = line " " named[1 + int(rand() * nn)];
                print line; sent += k;
            } else if (r < 0.93) {
                s = ""; k = 1 + int(rand() * 12);
                for (j = 0; j < k; j++) {
                    if (rand() < 0.08) s = s uni[1 + int(rand() * 6)];
                    else s = s substr(lit, 1 + int(rand() * length(lit)), 1);
                }
                print "L " s; sent += k;
            } else if (r < 0.97) {
                # the keys that start things: edit, new row, generate, jump
                split("e g n x a w / z + - k K t T b B", act, " ");
                print "L " act[1 + int(rand() * 17)]; sent += 1;
            } else {
                split("1 1|20 5|79 23|80 24|120 40|200 60|3 2", sz, "|");
                print "R " sz[1 + int(rand() * 7)];
            }
        }
    }'
}

flood() {
    model="$1"; label="$2"; name="$3"
    tui_start 80 24 -- --model "$model"
    expect_screen "$label: starts" "0 tokenize"
    gen_keys "$SEED" "$NKEYS" > "${TUI_RC}.keys"
    tui_replay "${TUI_RC}.keys"
    rm -f "${TUI_RC}.keys"
    if [ -s "$TUI_RC" ]; then
        tui_fail "$label: the program ended during the flood (status $(cat "$TUI_RC"), seed $SEED)" 20
        return
    fi
    echo "PASS: flood: $label: survived $NKEYS random keys in $TUI_SENT batches (seed $SEED)"
    tui_resize 80 24
    # leave whatever mode the flood left: editor, help, station number
    tui_escapes
    expect_screen "$label: sane screen after the flood (header)" "$name" 20
    expect_screen "$label: sane screen after the flood (walk)" "walk" 10
    expect_not "$label: no error from a sanitizer" "Sanitizer"
    tui_keys 0 Enter
    expect_screen "$label: still answers keys" "0 tokenize" 20
    expect_quit "$label: q quits with status 0 after the flood"
}

[ -f "$STORIES" ] && flood "$STORIES" stories stories260K
[ -f "$GPT2/model.safetensors" ] && flood "$GPT2" gpt2 gpt2-test-d64
exit $TUI_FAILED
