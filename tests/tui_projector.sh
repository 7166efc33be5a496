#!/bin/sh
# tests/tui_projector.sh - the classroom on a projector, at 200x60 as a teacher would run it
# with two prompts ("The cat sat on the mat" / "The dog sat on the mat"): large print that is
# large (token chips and ids, top-k tokens, percentages and bars in the big font, filling most
# of the screen; paged with PgDn when they do not fit), the compare screen (=) with what
# differs marked, high contrast (c, --contrast) in the walk and the lesson, and 8/16-colour
# and --mono terminals.
#
# Where the expected numbers come from (none from this program): the token ids are GPT-2's
# vocabulary (a separate Python reading of the tokenizer's vocab.json: "The" 464, " cat" 3797,
# " dog" 3290, " sat" 3332, " mat" 2603), the same ids tests/tui_lesson.sh names. That the two
# rows differ at t=1 only follows from the ids; that query t=0 attends the same in both rows
# follows from causal attention (tests/test_rowcmp.c checks it on the numbers).
cd "$(dirname "$0")/.." || exit 2
. tests/tui_lib.sh
tui_init projector

if [ ! -f "$GPT2/model.safetensors" ]; then
    echo "SKIP: projector: no $GPT2"
    exit 0
fi

CAT="The cat sat on the mat"
DOG="The dog sat on the mat"

# big_rows: how many screen lines hold big-font pixels ("██", "▀▀", "▄▄": the big font's 2x
# letters; the small text never has two block characters in a row except the top-k bars, so
# the bars are counted only where that is meant)
big_rows() { tui_screen | grep -c -e '██' -e '▀▀' -e '▄▄'; }
# expect_big_rows NAME MIN: at least MIN of the 60 lines hold big print ("most of the screen":
# the body is 57 lines below the header and above the status line)
expect_big_rows() {
    if tui_poll 5 sh -c "[ \$(tmux -L '$TUI_SOCK' capture-pane -p -t t | grep -c -e '██' -e '▀▀' -e '▄▄') -ge $2 ]"; then
        echo "PASS: $TUI_NAME: $1 ($(big_rows) lines of 60)"
    else
        tui_fail "$1: only $(big_rows) lines of big print, wanted $2"
    fi
}

# ---------- large print at 200x60 ----------
tui_start 200 60 -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG" --large
expect_screen "large: station 0 chips in large print" "its id is below (large print)"
expect_screen "large: both rows' headings" "row b=1: 6 tokens"
expect_big_rows "large: token chips and ids fill most of the screen" 30
expect_not "large: nothing paged at 200x60" "page 1/"
# the id 3797 of " cat" drawn in the 2x3 font: the top of "3", "7", "9", "7" (3 columns a
# pixel pair, a 2-column gap) is one line of "██████  ██████  ██████  ██████"
expect_screen "large: the id 3797 in the big font" "██████  ██████  ██████  ██████"
expect_screen "large: the maths line big (ids = encode(text))" "▀█▀   █ ▄▀▀     ▄▄▄     █▀▀ █▀▄ ▄▀▀ ▄▀▄"
tui_keys 6 Enter
expect_screen "large: station 6 top-k in large print" "big: the token, its probability, a bar"
expect_screen "large: the numbers behind a big row, small" "logit-max 0.0000"
# 10 rows of 3 big lines (the 4th of each row is its small numbers) and the 2-line maths
expect_big_rows "large: top-k tokens, percentages and bars fill most of the screen" 34
# k = 30 rows do not fit: paged, never cut
tui_keys k k k
expect_screen "large: k=30 rows are paged" "page 1/"
expect_screen "large: the status line names the page keys" "PgDn PgUp page (large print)"
tui_keys NPage
expect_screen "large: PgDn shows the next page" "page 2/"
tui_keys PPage
expect_screen "large: PgUp goes back" "page 1/"
tui_keys 3 . 1 . f Enter
expect_screen "large: the attention map" "query t (down) x key t (across)"
# the key "␣cat" across the top in the big font: "▄ ▄" is ␣'s cup, then C A T
expect_screen "large: the heatmap's axis labels in the big font" "▄ ▄ █   █▀█  █"
tui_keys 1 Enter
expect_screen "large: station 1's heatmap" "row norm |x[t]|"
expect_screen "large: its row labels big (␣cat)" "▄ ▄ █   █▀█  █"
tui_keys 6 Enter
tui_keys z
expect_screen "large: z back to normal print: the table" "logit-max    exp(..)"
expect_quit "large: q quits with status 0"

# ---------- compare (=) ----------
tui_start 200 60 -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG"
expect_screen "compare: the walk opens" "0 tokenize · station 0 of 0..7"
tui_keys =
expect_screen "compare: = opens it" "compare b=0 with b=1 at 0 tokenize"
expect_screen "compare: the differing position named (ids 3797 / 3290)" "1 position differs, first t=1: \"␣cat\" (3797) in b=0, \"␣dog\" (3290) in b=1"
expect_screen "compare: the differing chip is marked" "^^^^"
tui_keys 3 . 1 . f Enter
expect_screen "compare: the walk's station keys work here (3.1.f)" "compare b=0 with b=1 at 3.1.f attention"
expect_screen "compare: both rows' attention maps" "A[b=1, head 0 of 4]"
expect_screen "compare: the difference as its own signed map" "b=1 minus b=0: orange = more in b=1, blue = less"
expect_screen "compare: the weights that moved most" "moved most from b=0 to b=1"
expect_screen "compare: query t=0 is the same in both rows (causal)" "0 The  0.0000  0.0000"
expect_screen "compare: a moved weight names cat/dog" "\"␣cat\"/\"␣dog\""
tui_keys "}"
expect_screen "compare: { } move the head in both panels" "A[b=1, head 1 of 4]"
tui_keys 6 Enter
expect_screen "compare: top-k of both rows" "★ = in one top 10 only"
expect_screen "compare: a token in one list only is starred" "only in b="
tui_keys z
expect_screen "compare: large print top-k" "large print"
tui_keys k k
expect_screen "compare: k=20 big rows are paged, never cut" "of 20, page 1/"
tui_keys NPage
expect_screen "compare: PgDn pages both lists" "of 20, page 2/"
tui_keys X
expect_screen "compare: X swaps the rows" "compare b=1 with b=0 at 6 softmax"
tui_keys Escape
expect_screen "compare: Esc back to the walk" "6 softmax · station 6 of 0..7"
expect_quit "compare: q quits with status 0"

# one prompt: compare says how to get two
tui_start 100 30 -- --model "$GPT2" --prompt "$CAT"
expect_screen "compare one row: the walk opens" "0 tokenize · station 0 of 0..7"
tui_keys =
expect_screen "compare one row: says how to add a second prompt" "Press n to add a row"
expect_quit "compare one row: q quits with status 0"

# 80x24: the compare screen fits the smallest terminal
tui_start 80 24 -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG"
expect_screen "compare 80x24: the walk opens" "0 tokenize"
tui_keys = 3 . 1 . f Enter
expect_screen "compare 80x24: the difference map" "b=1 minus b=0"
expect_quit "compare 80x24: q quits with status 0"

# 80x24 in large print with longer prompts: the chips are paged, never cut
tui_start 80 24 -- --model "$GPT2" --large --prompt "The cat sat on the mat and looked at the dog" --prompt "The dog sat on the mat and looked at the cat"
expect_screen "compare paged: the walk opens" "0 tokenize"
tui_keys =
expect_screen "compare paged: the chips' first page" "page 1/"
tui_keys NPage
expect_screen "compare paged: PgDn the next" "page 2/"
expect_quit "compare paged: q quits with status 0"

# ---------- high contrast: c in the walk and the lesson, --contrast ----------
has_black_bg() { tui_screen_e | grep -q '48;5;16m'; }
tui_start 120 40 -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG"
expect_screen "contrast: the walk opens" "0 tokenize · station 0 of 0..7"
# the run's own status line ("ran 2 prompts") first, so it does not replace c's
expect_screen "contrast: the run is done" "ran 2 prompts"
if has_black_bg; then tui_fail "contrast: black background before c"; else echo "PASS: $TUI_NAME: contrast: normal colours at first"; fi
tui_keys c
expect_screen "contrast: c in the walk turns it on" "high contrast (c: normal colours)"
if tui_poll 3 has_black_bg; then echo "PASS: $TUI_NAME: contrast: black background"; else tui_fail "contrast: no black background after c"; fi
tui_keys c
expect_screen "contrast: c again turns it off in the walk" "normal colours (c: high contrast)"
if tui_poll 3 sh -c "! tmux -L '$TUI_SOCK' capture-pane -p -e -t t | grep -q '48;5;16m'"; then
    echo "PASS: $TUI_NAME: contrast: the black background is gone"
else
    tui_fail "contrast: still a black background after c c"
fi
tui_keys C
expect_screen "contrast: the lesson opens" "lesson"
tui_keys End
expect_screen "contrast: the lesson's score page" "score:"
tui_keys c
expect_screen "contrast: c in the lesson" "high contrast"
tui_keys w
expect_screen "contrast: back in the walk" "station"
if has_black_bg; then echo "PASS: $TUI_NAME: contrast: the lesson's contrast stays in the walk"; else tui_fail "contrast: lost leaving the lesson"; fi
tui_keys c
expect_screen "contrast: and c turns it off in the walk" "normal colours (c: high contrast)"
expect_quit "contrast: q quits with status 0"

tui_start 100 30 -- --model "$GPT2" --prompt "$CAT" --contrast
expect_screen "--contrast: the walk opens" "0 tokenize · station 0 of 0..7"
if tui_poll 3 has_black_bg; then echo "PASS: $TUI_NAME: --contrast: black background from the start"; else tui_fail "--contrast: no black background"; fi
expect_quit "--contrast: q quits with status 0"

# ---------- 8 and 16 colours, --mono ----------
# xterm-16color is in ncurses-term, often not installed: then its entry is made here, as
# ncurses-term writes it (xterm with 16 colours: 30-37/40-47, then 90-97/100-107)
TI_DIR="${TMPDIR:-/tmp}/sw_terminfo_$$"
TI_ENV=""
if ! infocmp xterm-16color >/dev/null 2>&1 && command -v tic >/dev/null 2>&1; then
    mkdir -p "$TI_DIR"
    printf '%s\n' 'xterm-16color|xterm with 16 colors,' '	colors#16, pairs#256,' \
        '	setab=\E[%?%p1%{8}%<%t%p1%{40}%+%e%p1%{92}%+%;%dm,' \
        '	setaf=\E[%?%p1%{8}%<%t%p1%{30}%+%e%p1%{82}%+%;%dm,' '	use=xterm,' > "$TI_DIR/x16.src"
    tic -o "$TI_DIR" "$TI_DIR/x16.src" 2>/dev/null && TI_ENV="TERMINFO=$TI_DIR"
fi
for term in xterm xterm-16color; do
    if ! env $TI_ENV infocmp "$term" >/dev/null 2>&1; then echo "SKIP: $TUI_NAME: $term: no terminfo entry"; continue; fi
    # shellcheck disable=SC2086
    tui_start 120 40 TERM="$term" $TI_ENV -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG"
    expect_screen "$term: the walk shows text" "0 tokenize · station 0 of 0..7"
    tui_keys 3 . 1 . f Enter
    expect_screen "$term: the attention map" "query t (down) x key t (across)"
    if tui_screen_e | grep -q '\[[0-9;]*[34]8;5;'; then
        tui_fail "$term: 256-colour escapes on a basic terminal"
    else
        echo "PASS: $TUI_NAME: $term: only basic colours"
    fi
    tui_keys =
    expect_screen "$term: the compare screen" "b=1 minus b=0"
    tui_keys c
    expect_screen "$term: c high contrast" "high contrast"
    expect_quit "$term: q quits with status 0"
done
rm -rf "$TI_DIR"

tui_start 120 40 -- --model "$GPT2" --prompt "$CAT" --prompt "$DOG" --mono --large
expect_screen "mono: the walk shows text" "0 tokenize · station 0 of 0..7"
expect_screen "mono: big chips" "its id is below (large print)"
tui_keys = 3 . 1 . f Enter
expect_screen "mono: the compare screen" "b=1 minus b=0"
tui_keys c
expect_screen "mono: c does not crash" "high contrast"
expect_no_colour "mono: no colour escapes"
expect_quit "mono: q quits with status 0"

exit $TUI_FAILED
