# tests/tui_lib.sh - helpers for the tmux-driven TUI tests (sourced by tests/tui_*.sh;
# run on its own it does nothing). Every wait is bounded; every session is killed.
#
#   tui_init NAME          pick a unique tmux socket, find the binary and the models
#   tui_start W H ENV... -- ARGS...   start "$SW_BIN ARGS" in a detached W x H session
#   tui_wait TEXT [SECS]   poll the screen until TEXT appears (default 10 s); 0 when found
#   tui_keys KEY...        tmux send-keys (tui_lit TEXT: literal text)
#   tui_replay FILE        send a file of keys, text and resizes (random-key floods)
#   tui_escapes            Esc three times: out of the editor, help, a station number
#   tui_resizes "W H"...   resize through several sizes
#   tui_screen             print the screen
#   tui_stop               kill the session and its server
#   expect_screen, expect_not, expect_quit, expect_no_colour NAME ...   PASS/FAIL lines
#                          (check.h's convention); tui_fail WHAT: a FAIL line and the screen

tui_init() {
    TUI_NAME="$1"
    TUI_SOCK="sw_$1_$$"
    : "${SHARED:=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)/shared}"
    : "${SW_BIN:=$PWD/shapewalk}"
    TUI_RC="${TMPDIR:-/tmp}/sw_tui_rc_$1_$$"
    rm -f "$TUI_RC"
    GPT2="$SHARED/models/gpt2-test-d64"
    STORIES="$SHARED/models/stories260K/stories260K.bin"
    TUI_FAILED=0
    trap 'tui_stop; rm -f "$TUI_RC"' EXIT INT TERM
    if ! command -v tmux >/dev/null 2>&1; then
        echo "SKIP: $1: tmux is not installed"
        exit 0
    fi
    if [ ! -x "$SW_BIN" ]; then
        echo "SKIP: $1: no binary at $SW_BIN (run make)"
        exit 0
    fi
    # slower under the sanitizers
    case "$SW_BIN" in *asan*) TUI_SLOW=3 ;; *) TUI_SLOW=1 ;; esac
}

# tui_start W H [VAR=VALUE...] -- ARGS...
tui_start() {
    w="$1"; h="$2"; shift 2
    envs=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
    [ "$1" = "--" ] && shift
    args=""
    for a in "$@"; do args="$args '$a'"; done
    rm -f "$TUI_RC"
    tui_stop
    # a server that is still shutting down can make new-session fail: retry a few times
    tries=0
    while [ $tries -lt 20 ]; do
        if tmux -L "$TUI_SOCK" -f /dev/null new-session -d -s t -x "$w" -y "$h" \
            "env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $envs '$SW_BIN' $args; echo \$? > '$TUI_RC'; sleep 30" \; \
            set -g status off \; set -g window-size manual >/dev/null 2>&1 &&
            tmux -L "$TUI_SOCK" has-session -t t 2>/dev/null; then
            return 0
        fi
        sleep 0.2
        tries=$((tries + 1))
    done
    echo "FAIL: $TUI_NAME: tmux could not start a session"
    TUI_FAILED=1
    return 1
}

tui_keys() { tmux -L "$TUI_SOCK" send-keys -t t "$@" 2>/dev/null; }
tui_lit() { tmux -L "$TUI_SOCK" send-keys -t t -l -- "$1" 2>/dev/null; }
tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p -t t 2>/dev/null; }
tui_screen_e() { tmux -L "$TUI_SOCK" capture-pane -p -e -t t 2>/dev/null; }
tui_resize() { tmux -L "$TUI_SOCK" resize-window -t t -x "$1" -y "$2" 2>/dev/null; }
tui_stop() {
    [ -n "$TUI_SOCK" ] || return 0
    tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
    # wait (bounded) until the server is gone
    i=0
    while [ $i -lt 20 ] && tmux -L "$TUI_SOCK" has-session 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    return 0
}

# tui_poll SECONDS CMD...: run CMD every 0.1 s until it succeeds (0) or SECONDS pass (1)
tui_poll() {
    n=$(($1 * 10 * TUI_SLOW))
    shift
    i=0
    while [ $i -lt $n ]; do
        if "$@"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
tui_has() { tui_screen | grep -F -q -- "$1"; }
tui_lacks() { ! tui_has "$1"; }

# tui_wait TEXT [SECONDS]: poll until TEXT is on screen (default 10 s)
tui_wait() { tui_poll "${2:-10}" tui_has "$1"; }

# tui_gone TEXT [SECONDS]: poll until TEXT is no longer on screen (default 5 s)
tui_gone() { tui_poll "${2:-5}" tui_lacks "$1"; }

# tui_exit_code [SECONDS]: wait for the program to end; prints its status ("" on timeout)
tui_exit_code() {
    if tui_poll "${1:-5}" test -s "$TUI_RC"; then cat "$TUI_RC"; else echo ""; fi
}

# tui_replay FILE: send FILE's lines, one tmux call each: "K name..." (named keys), "L text"
# (literal text), "R w h" (resize). Stops early when the program ends; 1 then, else 0.
# TUI_SENT: the lines sent.
tui_replay() {
    TUI_SENT=0
    while IFS= read -r line; do
        case "$line" in
            K\ *) # shellcheck disable=SC2086
                  tui_keys ${line#K } ;;
            L\ *) tui_lit "${line#L }" ;;
            R\ *) # shellcheck disable=SC2086
                  tui_resize ${line#R } ;;
        esac
        TUI_SENT=$((TUI_SENT + 1))
        # stop early if the program died
        if [ -s "$TUI_RC" ]; then return 1; fi
    done < "$1"
    [ ! -s "$TUI_RC" ]
}

# tui_escapes: Esc three times, 0.2 s apart: leaves the editor, help or a station number
tui_escapes() {
    tui_keys Escape; sleep 0.2
    tui_keys Escape; sleep 0.2
    tui_keys Escape; sleep 0.2
}

# tui_resizes "W H"...: the terminal through each size, 0.05 s apart
tui_resizes() {
    for size in "$@"; do
        # shellcheck disable=SC2086
        tui_resize $size
        sleep 0.05
    done
}

# tui_fail WHAT [LINES]: "FAIL: NAME: WHAT:" and the screen (its last LINES lines)
tui_fail() {
    echo "FAIL: $TUI_NAME: $1:"
    if [ -n "$2" ]; then tui_screen | tail -n "$2"; else tui_screen; fi | sed 's/^/    | /'
    TUI_FAILED=1
}

# expect_screen NAME TEXT [SECS]: PASS when TEXT shows up, else FAIL with the screen
expect_screen() {
    if tui_wait "$2" "${3:-10}"; then
        echo "PASS: $TUI_NAME: $1"
    else
        tui_fail "$1: \"$2\" not on screen"
    fi
}

# expect_not NAME TEXT: PASS when TEXT is absent now
expect_not() {
    if tui_has "$2"; then
        tui_fail "$1: \"$2\" is on screen"
    else
        echo "PASS: $TUI_NAME: $1"
    fi
}

# expect_quit NAME: q quits with status 0
expect_quit() {
    tui_keys q
    rc=$(tui_exit_code 5)
    if [ "$rc" = "0" ]; then
        echo "PASS: $TUI_NAME: $1"
    else
        tui_fail "$1: exit status '${rc:-still running}'" 20
    fi
}

# expect_no_colour NAME: PASS when no 256-colour or 24-bit colour escape is on screen
expect_no_colour() {
    if tui_screen_e | grep -q '\[[0-9;]*[34]8;[25];'; then
        echo "FAIL: $TUI_NAME: $1: colour escapes on screen"
        TUI_FAILED=1
    else
        echo "PASS: $TUI_NAME: $1"
    fi
}
