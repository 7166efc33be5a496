#!/bin/sh
# tests/tui_screen.sh - the screen under stress: resizing down to 1x1 and back, a terminal
# too small from the start, NO_COLOR / --mono (no colour escapes, shade characters), TERM=dumb.
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init screen
MODEL="$STORIES"
[ -f "$MODEL" ] || MODEL="$GPT2/model.safetensors"
[ -f "$STORIES" ] || MODEL="$GPT2"
if [ ! -e "$MODEL" ]; then echo "SKIP: screen: no test model in $SHARED/models"; exit 0; fi

# ---- resize to 1x1 and back, at several stations ----
tui_start 80 24 -- --model "$MODEL"
expect_screen "starts at 80x24" "0 tokenize"
# each station must show before the resizes, and the program must have drawn at 80x24 again
# after them (the station's name is back at the right of the header, which a wider frame cut
# off): keys read while the terminal is too small are ignored (issue 16)
header_has() { tui_screen | head -1 | grep -F -q -- "$1"; }
for step in "3 . 1 . f Enter|3.1.f attention" "a|3.1.f attention" "5 Enter|5 LM head" "1 Enter|1 embedding" "7 Enter|7 next token"; do
    # shellcheck disable=SC2086
    tui_keys ${step%%|*}
    tui_poll 10 header_has "${step#*|}"
    tui_resizes "1 1" "2 1" "1 3" "10 5" "79 23" "40 30" "200 60" "80 24"
    tui_poll 10 header_has "${step#*|}"
done
tui_resize 1 1
sleep 0.2
tui_resize 80 24
expect_screen "after 1x1 and back: the last station" "(B,) = (2,)"
tui_keys 1 Enter
expect_screen "after 1x1 and back: keys work" "(B,T,D) = ("
tui_resize 60 20
expect_screen "too small after a resize: clear message" "needs at least 80x24"
expect_screen "too small message names the size" "this terminal is 60x20"
# keys typed behind the message are ignored, not acted on after the resize (issue 16)
tui_keys 5 Enter Right
sleep 0.3   # the keys have to be read while the terminal is still small; nothing to wait for
tui_resize 120 40
expect_screen "back from too small" "1 embedding lookup"
expect_not "keys typed while too small were ignored" "5 LM head"
expect_not "no message at 120x40" "needs at least"
expect_quit "q quits after resizes"

# ---- too small from the start, and q still works ----
tui_start 40 10 -- --model "$MODEL"
expect_screen "starts too small: message" "needs at least"
tui_keys Right
sleep 0.3   # as above: Right must be read while small
tui_resize 80 24
expect_screen "grows into the walk" "0 tokenize"
expect_not "Right typed while small was ignored" "1 embedding lookup"
expect_quit "q quits (started too small)"

# ---- NO_COLOR and --mono: no colour escapes; the heatmap uses shade characters ----
for how in "NO_COLOR=1 --" "-- --mono"; do
    envs=${how%%--*}
    flag=${how#*--}
    # shellcheck disable=SC2086
    tui_start 100 30 $envs -- --model "$MODEL" $flag
    expect_screen "mono ($how): walk shows" "0 tokenize"
    tui_keys 1 Enter
    expect_screen "mono ($how): embed heatmap" "x[b=0]"
    expect_screen "mono ($how): legend explains the shades" "shade = |value|"
    if tui_screen | grep -q '[░▒▓█]'; then echo "PASS: screen: mono ($how): shade characters"; else
        tui_fail "mono ($how): no shade characters"; fi
    expect_no_colour "mono ($how): no 256/24-bit colour escapes"
    tui_keys 3 . 1 . f Enter
    expect_screen "mono ($how): attention shows" "A[b=0, head 0"
    expect_quit "mono ($how): q quits"
done

# ---- colour by default: 256-colour escapes appear ----
tui_start 100 30 -- --model "$MODEL"
tui_keys 1 Enter
expect_screen "colour: embed heatmap" "x[b=0]"
if tui_screen_e | grep -q '\[[0-9;]*48;5;'; then echo "PASS: screen: 256-colour backgrounds in the heatmap"; else
    echo "FAIL: screen: no 256-colour escapes in the heatmap"; TUI_FAILED=1; fi
expect_quit "colour: q quits"

# ---- Ctrl-C leaves cleanly (terminal restored, status 128+SIGINT) ----
tui_start 80 24 -- --model "$MODEL"
expect_screen "Ctrl-C: walk shows" "0 tokenize"
tui_keys C-c
rc=$(tui_exit_code 5)
if [ "$rc" = "130" ]; then echo "PASS: screen: Ctrl-C ends the program with status 130"; else
    tui_fail "Ctrl-C exit status '${rc:-still running}'" 5; fi

# ---- TERM=dumb: a clear one-line refusal that names --dump ----
tui_start 100 10 TERM=dumb -- --model "$MODEL"
expect_screen "TERM=dumb: suggests --dump" "--dump"
rc=$(tui_exit_code 5)
if [ -n "$rc" ] && [ "$rc" != "0" ]; then echo "PASS: screen: TERM=dumb exits with an error status ($rc)"; else
    echo "FAIL: screen: TERM=dumb exit status '$rc'"; TUI_FAILED=1; fi

exit $TUI_FAILED
