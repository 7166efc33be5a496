#!/bin/sh
# tests/debootstrap-check.sh - type the README's two commands on a fresh, minimal Debian.
#
# NOT run by `make test`: it needs root, the Debian mirror and several minutes. Run it by hand
# (as root) before changing ./setup, the package list, or the README's first lines:
#
#   sh tests/debootstrap-check.sh [--worktree] [--keep] [WORKDIR]
#
# What it does, honestly:
#   1. `debootstrap --variant=minbase bookworm WORKDIR/base` once (a Debian with no make, no
#      compiler, no git; reused by later runs), then a fresh copy WORKDIR/root for this run.
#   2. copies a `git clone` of this checkout (its committed HEAD; --worktree: the working tree
#      as it is, uncommitted files included) to /root/shapewalk and ../shared to /root/shared,
#      mounts /proc, /dev, /dev/pts, copies /etc/resolv.conf.
#   3. types `./setup` in /root/shapewalk inside the chroot, in a tmux pane (a real terminal):
#      waits for the TUI to be on screen, saves the screen, presses q; setup must exit 0.
#   4. runs `make test` there; its last line must say "N passed, 0 failed".
# Logs and the TUI's screen are kept in WORKDIR/logs. --keep leaves WORKDIR/root for a look
# (chroot WORKDIR/root /bin/bash); mounts are always undone.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), SHARED (default ../shared),
# SETUP_TIMEOUT / TEST_TIMEOUT in seconds (default 1800 / 3600).
set -u

# tests/run.sh runs every tests/*.sh; this one is manual only (root, network, minutes).
if [ -n "${SW_BUILD:-}" ]; then
    echo "SKIP: debootstrap-check: a manual check (sh tests/debootstrap-check.sh as root), not part of make test"
    exit 0
fi

worktree=0 keep=0 work=/tmp/shapewalk-debootstrap
for a in "$@"; do
    case $a in
        --worktree) worktree=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "debootstrap-check: unknown option $a" >&2; exit 2 ;;
        *) work=$a ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${SHARED:-$repo/../shared}" 2>/dev/null && pwd) || { echo "debootstrap-check: no shared dir (set SHARED)" >&2; exit 2; }
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
setup_timeout=${SETUP_TIMEOUT:-1800}
test_timeout=${TEST_TIMEOUT:-3600}
base=$work/base
root=$work/root
logs=$work/logs
sock=swcheck.$$
failed=0

say() { printf 'debootstrap-check: %s\n' "$*"; }
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

[ "$(id -u)" -eq 0 ] || { say "run me as root (debootstrap, chroot and mount need it)"; exit 2; }
for tool in debootstrap tmux git; do
    command -v $tool >/dev/null 2>&1 && continue
    say "installing $tool on the host"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null || { say "cannot install $tool"; exit 2; }
done
mkdir -p "$work" "$logs" || exit 2

# ---- mounts: always undone, and nothing is deleted while anything is mounted inside ----
mounted_inside() { awk -v r="$root" '$2 == r || index($2, r "/") == 1' /proc/mounts | grep -q .; }
chroot_pids() {
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
    done
}
# shapewalk running inside the chroot (tmux's pane_current_command would say "sh": setup runs
# in `sh -c`, without job control, so shapewalk stays in sh's process group)
tui_running() {
    for p in $(chroot_pids); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = shapewalk ] && return 0
    done
    return 1
}
undo() {
    tmux -L "$sock" kill-server 2>/dev/null
    # processes this script started inside the chroot (setup, make, tmux servers of the tests)
    pids=$(chroot_pids)
    [ -n "$pids" ] && kill $pids 2>/dev/null && sleep 1
    pids=$(chroot_pids)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    for m in dev/pts dev proc; do
        if awk -v p="$root/$m" '$2 == p' /proc/mounts | grep -q .; then
            umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
        fi
    done
}
trap 'undo; exit 130' INT TERM
trap 'undo' EXIT

fresh_root() {
    undo
    if mounted_inside; then say "something is still mounted under $root; not deleting it"; exit 2; fi
    rm -rf "$root"
    cp -a "$base" "$root" || exit 2
}

# ---- 1. the fresh machine ----
if [ ! -f "$base/.shapewalk-complete" ]; then
    say "debootstrap --variant=minbase bookworm $base (about a minute)"
    rm -rf "$base"
    if ! debootstrap --variant=minbase bookworm "$base" "$mirror" > "$logs/debootstrap.log" 2>&1; then
        say "debootstrap failed; see $logs/debootstrap.log"; tail -5 "$logs/debootstrap.log"; exit 2
    fi
    touch "$base/.shapewalk-complete"
fi
fresh_root
tools=$(chroot "$root" /bin/sh -c 'for t in make gcc cc git; do command -v $t; done')
if [ -z "$tools" ]; then pass "fresh minbase Debian has no make, gcc, cc or git"
else fail "fresh minbase Debian has no make, gcc, cc or git" "found: $tools"; fi

# ---- 2. the clone and ../shared ----
if [ $worktree -eq 1 ]; then
    mkdir -p "$root/root/shapewalk"
    (cd "$repo" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$root/root/shapewalk"
    cp -a "$repo/.git" "$root/root/shapewalk/.git"
    what="working tree of $repo"
else
    git clone --quiet "$repo" "$root/root/shapewalk" || exit 2
    what="clone of $repo at $(git -C "$repo" rev-parse --short HEAD)"
fi
cp -a "$shared" "$root/root/shared"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" || { say "mount failed"; exit 2; }
say "chroot $root holds the $what"

in_chroot="chroot $root /usr/bin/env -i HOME=/root TERM=xterm-256color LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# ---- 3. command one: ./setup, in a real terminal ----
tmux -L "$sock" new-session -d -s check -x 100 -y 32 \
    "$in_chroot /bin/sh -c 'cd /root/shapewalk && ./setup; echo SETUP-EXIT=\$?'" || exit 2
tmux -L "$sock" set-option -t check remain-on-exit on >/dev/null
tmux -L "$sock" pipe-pane -t check -o "cat >> '$logs/setup.log'"
: > "$logs/setup.log"
start=$(date +%s) tui=0 exit_line=
while :; do
    now=$(date +%s)
    screen=$(tmux -L "$sock" capture-pane -p -t check 2>/dev/null)
    exit_line=$(printf '%s\n' "$screen" | grep -o 'SETUP-EXIT=[0-9]*' | tail -1)
    [ -n "$exit_line" ] && break
    if tui_running; then
        sleep 5    # let the first forward pass draw
        tmux -L "$sock" capture-pane -p -t check > "$logs/tui-screen.txt"
        tui=1
        tmux -L "$sock" send-keys -t check q
        sleep 3
        continue
    fi
    [ $((now - start)) -gt "$setup_timeout" ] && break
    sleep 3
done
tmux -L "$sock" capture-pane -p -S -60 -t check > "$logs/setup-screen.txt" 2>/dev/null
took=$(( $(date +%s) - start ))
if [ "$exit_line" = SETUP-EXIT=0 ] && [ $tui -eq 1 ]; then
    pass "./setup installed, built and opened the TUI; q quit it, exit 0 (${took}s; screen in $logs/tui-screen.txt)"
elif [ -z "$exit_line" ]; then
    fail "./setup" "no exit after ${took}s (TUI seen: $tui); last screen in $logs/setup-screen.txt"
    tail -15 "$logs/setup-screen.txt"
else
    fail "./setup" "$exit_line, TUI seen: $tui (${took}s); last screen in $logs/setup-screen.txt"
    tail -25 "$logs/setup-screen.txt"
fi
tmux -L "$sock" kill-server 2>/dev/null

# ---- 4. command two: make test ----
start=$(date +%s)
timeout "$test_timeout" $in_chroot /bin/sh -c 'cd /root/shapewalk && make test' > "$logs/make-test.log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/make-test.log" | tail -1)
if [ $rc -eq 0 ] && printf '%s' "$summary" | grep -q ' 0 failed'; then
    pass "make test: $summary (${took}s)"
else
    fail "make test" "exit $rc, summary '${summary:-none}' (${took}s); log in $logs/make-test.log"
    grep -E 'FAIL|error' "$logs/make-test.log" | head -20
fi

undo
if [ $keep -eq 0 ]; then
    if mounted_inside; then say "still mounted under $root; leaving it"; else rm -rf "$root"; fi
fi
[ $failed -eq 0 ] && say "the README's two commands work on a fresh minimal Debian" || say "see $logs"
exit $failed
