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
    # a long message wraps to two lines instead of ending in …
    tui_keys t
    expect_screen "status: a long message is shown whole on two lines" "towards uniform"
    if tui_screen | tail -n 2 | grep -q '…'; then tui_fail "status: a long message ends in …" 3
    else echo "PASS: $TUI_NAME: status: no … in a long message"; fi
    expect_quit "lens: q quits with status 0"
else
    echo "SKIP: see: $STORIES is missing"
fi

exit $TUI_FAILED
