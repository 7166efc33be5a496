#!/bin/sh
# tests/test_setup.sh - a newcomer's path: ./setup, models/fetch.sh, make install, the man page.
# One line per check: PASS: name | FAIL: name: why | SKIP: name: why (tests/check.h's convention).
#
# models/fetch.sh is tested against a local HTTP server on 127.0.0.1 (python3, serving byte
# ranges so that resuming is real; killed on exit and never alive longer than 5 minutes), or,
# without python3, against file:// URLs. The mirror serves ../shared/models/stories260K, so the
# real manifest rows and their published sha256 are what gets checked.
cd "$(dirname "$0")/.." || exit 2
: "${SHARED:=$(cd .. && pwd)/shared}"
stories=$SHARED/models/stories260K
unset MAKEFLAGS MAKELEVEL MFLAGS     # a clean sub-make for the install check
unset SHAPEWALK_MIRROR SHAPEWALK_MANIFEST SHAPEWALK_ALLOW_UNVERIFIED

failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }
skip() { echo "SKIP: $1: $2"; }
expect() { if [ "$1" = 0 ]; then pass "$2"; else fail "$2" "$3"; fi; }

tmp=$(mktemp -d) || exit 2
srv_pid=
cleanup() {
    if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fetch() { sh models/fetch.sh "$@"; }

# ---------------------------------------------------------------- ./setup
if sh -n setup; then pass "setup: is valid sh"; else fail "setup: is valid sh" "sh -n setup failed"; fi
out=$(./setup --help 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q -- '--deps-only'; then pass "setup: --help"; else fail "setup: --help" "exit $rc"; fi
./setup --bogus >/dev/null 2>&1
[ $? -eq 2 ] && pass "setup: unknown option is exit 2" || fail "setup: unknown option is exit 2" "other exit"

# The sudo path and the no-root-no-sudo path, with fake dpkg-query/id/sudo/apt-get in PATH:
# nothing is installed for real.
fake=$tmp/fakebin
mkdir -p "$fake"
for t in sh dirname grep sed cat printf nproc env; do
    p=$(command -v $t) && ln -s "$p" "$fake/$t"
done
cat > "$fake/dpkg-query" <<'EOF'
#!/bin/sh
# everything but make is "installed"
for last; do :; done
[ "$last" = make ] && exit 1
echo "install ok installed"
EOF
printf '#!/bin/sh\necho 1000\n' > "$fake/id"
printf '#!/bin/sh\necho "apt-get $*" >> "$FAKELOG"\n[ "$1" = "${FAKEFAIL:-}" ] && exit 100\nexit 0\n' > "$fake/apt-get"
chmod +x "$fake/dpkg-query" "$fake/id" "$fake/apt-get"
out=$(PATH=$fake FAKELOG=$tmp/fake.log /bin/sh setup --deps-only 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'needs root' && printf '%s' "$out" | grep -q 'apt-get install --no-install-recommends make' && [ ! -f "$tmp/fake.log" ]; then
    pass "setup: without root or sudo it prints the exact apt-get line and exits 1"
else
    fail "setup: without root or sudo it prints the exact apt-get line and exits 1" "exit $rc: $out"
fi
printf '#!/bin/sh\necho "sudo $*" >> "$FAKELOG"\n"$@"\n' > "$fake/sudo"
chmod +x "$fake/sudo"
out=$(PATH=$fake FAKELOG=$tmp/fake.log /bin/sh setup --deps-only 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make$' "$tmp/fake.log" \
   && grep -q '^apt-get install -y -qq --no-install-recommends make$' "$tmp/fake.log"; then
    pass "setup: not root, installs only the missing package through sudo, noninteractive"
else
    fail "setup: not root, installs only the missing package through sudo, noninteractive" "exit $rc; log: $(cat "$tmp/fake.log" 2>/dev/null)"
fi
out=$(PATH=$fake FAKELOG=$tmp/fake2.log FAKEFAIL=update /bin/sh setup --deps-only 2>&1); rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'trying the install anyway' && grep -q 'apt-get install' "$tmp/fake2.log"
expect $? "setup: goes on to install when apt-get update reports errors" "exit $rc: $out"
out=$(PATH=$fake FAKELOG=$tmp/fake3.log FAKEFAIL=install /bin/sh setup 2>&1); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'apt-get could not install: make' && ! printf '%s' "$out" | grep -q building
expect $? "setup: a failed install stops with exit 1 and says what could not be installed" "exit $rc: $out"
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    out=$(./setup --check 2>&1)
    expect $? "setup: every package it installs is installed here (./setup --check)" "$out"
else
    skip "setup: --check" "not a Debian/Ubuntu system"
fi

# ---------------------------------------------------------------- fetch: names
data=$tmp/data
export SHAPEWALK_DATA="$data"
mkdir -p "$data"
for bad in "../x" ".." "." "a/b" "/etc" ".hidden" "stories260K/../../x" "gpt2 x" "" "-x"; do
    fetch "$bad" >/dev/null 2>&1; rc=$?
    if [ $rc -eq 2 ] && [ -z "$(ls -A "$data")" ] && [ ! -e "$tmp/x" ]; then
        pass "fetch: name '$bad' refused, nothing written"
    else
        fail "fetch: name '$bad' refused, nothing written" "exit $rc, data dir: $(ls -A "$data")"
    fi
done
# make model NAME=...: the name goes to fetch.sh without a shell or make expanding it, so
# backticks, $(...) and make's own $(shell ...) run nothing and create nothing
for bad in 'x`touch '"$tmp"'/PWNED1`' 'x$(touch '"$tmp"'/PWNED2)' '$(shell touch '"$tmp"'/PWNED3)' "x'; touch $tmp/PWNED4; '" 'x"; touch '"$tmp"'/PWNED5; "'; do
    out=$(make -s --no-print-directory model NAME="$bad" 2>&1); rc=$?
    if [ $rc -ne 0 ] && [ -z "$(ls -A "$data")" ] && ! ls "$tmp"/PWNED* >/dev/null 2>&1 && printf '%s' "$out" | head -1 | grep -q 'is not a model name'; then
        pass "make model NAME='$bad': refused, nothing run or written"
    else
        fail "make model NAME='$bad': refused, nothing run or written" "exit $rc, data dir: $(ls -A "$data"), $(ls "$tmp"/PWNED* 2>/dev/null): $out"
    fi
done
out=$(make -s --no-print-directory model 2>&1); rc=$?
[ $rc -ne 0 ] && printf '%s' "$out" | head -1 | grep -q 'no model name given'
expect $? "make model without NAME: the first line says no name was given" "exit $rc: $out"
out=$(fetch --bogus 2>&1); rc=$?
[ $rc -eq 2 ] && printf '%s' "$out" | head -1 | grep -q "unknown option '--bogus'"
expect $? "fetch: an unknown option says so on its first line" "exit $rc: $out"
fetch no-such-model >/dev/null 2>&1
[ $? -eq 2 ] && pass "fetch: unknown model is exit 2" || fail "fetch: unknown model is exit 2" "other exit"
out=$(fetch --list)
printf '%s' "$out" | grep -q 'gpt2 .*550 MB' && printf '%s' "$out" | grep -q stories15M
expect $? "fetch: --list shows the models and sizes" "$out"

# every manifest row: 5 fields, a plain file name, an https URL, a size, a 64-hex sha256 or -
bad=$(grep -v '^#' models/manifest.tsv | awk -F'\t' 'NF != 5 || $2 !~ /^[A-Za-z0-9][A-Za-z0-9._-]*$/ || $3 !~ /^https:\/\// || $4 !~ /^([0-9]+|-)$/ || !($5 == "-" || (length($5) == 64 && $5 !~ /[^0-9a-f]/))')   # no {64}: mawk lacks intervals
[ -z "$bad" ] && pass "fetch: manifest rows are well formed" || fail "fetch: manifest rows are well formed" "$bad"
# the rows whose bytes are in ../shared: the manifest's checksums are those bytes'
if [ -d "$SHARED/models" ]; then
    ok=0
    for pair in stories260K/stories260K.bin:stories260K/stories260K.bin stories260K/tok512.bin:stories260K/tok512.bin \
                gpt2/vocab.json:gpt2-tokenizer/encoder.json gpt2/merges.txt:gpt2-tokenizer/vocab.bpe; do
        row=${pair%%:*} f=$SHARED/models/${pair#*:}
        want=$(awk -F'\t' -v n="${row%%/*}" -v f="${row#*/}" '$1 == n && $2 == f { print $4 " " $5 }' models/manifest.tsv)
        have="$(wc -c < "$f" | tr -d ' ') $(sha256sum "$f" | cut -d' ' -f1)"
        [ "$want" = "$have" ] || { ok=1; fail "fetch: manifest matches ../shared bytes" "$row: manifest '$want', file '$have'"; }
    done
    [ $ok -eq 0 ] && pass "fetch: manifest size+sha256 match the copies in ../shared (stories260K, GPT-2 tokenizer)"
else
    skip "fetch: manifest matches ../shared bytes" "no $SHARED/models"
fi

# ---------------------------------------------------------------- fetch: the mirror
www=$tmp/www
mkdir -p "$www/good" "$www/bad/stories260K" "$www/short/stories260K" "$www/plain/stories260K"
ln -s "$stories" "$www/good/stories260K"
cp "$stories/tok512.bin" "$www/bad/stories260K/"
cp "$stories/tok512.bin" "$www/short/stories260K/"
cp "$stories/stories260K.bin" "$www/plain/stories260K/"
# same size, one byte changed (byte 1000: inside the first layer's weights)
{ head -c 1000 "$stories/stories260K.bin"; printf 'Z'; tail -c +1002 "$stories/stories260K.bin"; } > "$www/bad/stories260K/stories260K.bin"
head -c 500000 "$stories/stories260K.bin" > "$www/short/stories260K/stories260K.bin"

mode="file"
if command -v python3 >/dev/null 2>&1; then
    cat > "$tmp/serve.py" <<'EOF'
# A static file server that honours "Range: bytes=N-" (python's own http.server does not),
# logs each GET and its Range header, and prints its port.
import http.server, os, re, sys
root, log = os.path.realpath(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        rng = self.headers.get('Range')
        with open(log, 'a') as f: f.write('GET %s %s\n' % (self.path, rng or '-'))
        rel = self.path.split('?')[0].lstrip('/')
        p = os.path.normpath(os.path.join(root, rel))
        if rel.startswith('plain/'): rng = None   # a server that cannot resume
        if not p.startswith(root + os.sep) or not os.path.isfile(p):
            self.send_error(404); return
        data = open(p, 'rb').read(); start = 0
        if rng:
            m = re.match(r'bytes=(\d+)-$', rng); start = int(m.group(1)) if m else 0
            if start >= len(data):
                self.send_response(416); self.send_header('Content-Range', 'bytes */%d' % len(data))
                self.send_header('Content-Length', '0'); self.end_headers(); return
            self.send_response(206)
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header('Content-Length', str(len(data) - start)); self.end_headers()
        self.wfile.write(data[start:])
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
    timeout 300 python3 "$tmp/serve.py" "$www" "$tmp/server.log" > "$tmp/port" 2>"$tmp/server.err" &
    srv_pid=$!
    i=0
    while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    port=$(cat "$tmp/port" 2>/dev/null)
    if [ -n "$port" ]; then mode=http; base=http://127.0.0.1:$port
    else skip "fetch: local HTTP server" "python3 did not start ($(cat "$tmp/server.err")); using file:// URLs"
    fi
else
    skip "fetch: local HTTP server" "no python3; using file:// URLs instead"
fi
[ $mode = file ] && base=file://$www
: > "$tmp/server.log"

# success, from the real manifest's rows
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$data/stories260K/stories260K.bin" "$stories/stories260K.bin" \
   && cmp -s "$data/stories260K/tok512.bin" "$stories/tok512.bin" && [ -z "$(find "$data" -name '*.part')" ]; then
    pass "fetch: stories260K downloaded from the $mode mirror, sha256 verified, no .part left"
else
    fail "fetch: stories260K downloaded from the $mode mirror" "exit $rc: $out"
fi
printf '%s' "$out" | grep -q 'done: stories260K' && printf '%s' "$out" | grep -q 'shapewalk --model stories260K'
expect $? "fetch: says where the model is and how to open it" "$out"

# what fetch downloaded is what `shapewalk --model NAME` opens
bin=${SW_BIN:-build/shapewalk}
if [ -x "$bin" ]; then
    out=$(SHAPEWALK_DATA=$data SHAPEWALK_MODEL_PATH= timeout 60 "$bin" --model stories260K --prompt "Once upon a time" --json 2>&1); rc=$?
    [ $rc -eq 0 ] && printf '%s' "$out" | grep -q stories260K
    expect $? "fetch: shapewalk --model stories260K opens the fetched copy in the data directory" "exit $rc: $(printf '%s' "$out" | head -3)"
else
    skip "fetch: shapewalk --model opens the fetched copy" "no $bin"
fi

# one fetch per model at a time
mkdir "$data/stories260K/.fetch-lock"
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
[ $rc -eq 5 ] && printf '%s' "$out" | grep -q 'another fetch of stories260K is running'
expect $? "fetch: refuses to run twice at once for one model" "exit $rc: $out"
rmdir "$data/stories260K/.fetch-lock"

# a second run verifies and downloads nothing
: > "$tmp/server.log"
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'have stories260K/stories260K.bin (verified)' && [ ! -s "$tmp/server.log" ]; then
    pass "fetch: a second run verifies what is there and downloads nothing"
else
    fail "fetch: a second run verifies what is there and downloads nothing" "exit $rc: $out; server: $(cat "$tmp/server.log")"
fi
out=$(fetch --verify stories260K 2>&1)
expect $? "fetch: --verify passes on a good download" "$out"

# a changed file on disk is noticed and downloaded again
printf 'X' | dd of="$data/stories260K/tok512.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
fetch --verify stories260K >/dev/null 2>&1
[ $? -eq 4 ] && pass "fetch: --verify notices a changed file (exit 4)" || fail "fetch: --verify notices a changed file" "not exit 4"
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
[ $rc -eq 0 ] && cmp -s "$data/stories260K/tok512.bin" "$stories/tok512.bin"
expect $? "fetch: a file that no longer matches is downloaded again" "exit $rc: $out"

# resume: a broken download left 300000 bytes in .part
rm -f "$data/stories260K/stories260K.bin"
head -c 300000 "$stories/stories260K.bin" > "$data/stories260K/stories260K.bin.part"
: > "$tmp/server.log"
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$data/stories260K/stories260K.bin" "$stories/stories260K.bin" && [ ! -e "$data/stories260K/stories260K.bin.part" ] \
   && printf '%s' "$out" | grep -Eq 'resum(ing|ed) stories260K/stories260K.bin'; then
    if [ $mode = http ]; then
        if grep -q 'stories260K.bin bytes=300000-' "$tmp/server.log"; then
            pass "fetch: resumes a broken download (asked the server for bytes=300000-), then verifies"
        else
            fail "fetch: resumes a broken download" "the server saw: $(cat "$tmp/server.log")"
        fi
    else
        pass "fetch: resumes a broken download (file://), then verifies"
    fi
else
    fail "fetch: resumes a broken download" "exit $rc: $out"
fi

# resume of a wrong partial file: mismatch after resuming -> one fresh download -> ok
rm -f "$data/stories260K/stories260K.bin"
head -c 300000 "$www/bad/stories260K/stories260K.bin" > "$data/stories260K/stories260K.bin.part"
out=$(SHAPEWALK_MIRROR=$base/good fetch stories260K 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$data/stories260K/stories260K.bin" "$stories/stories260K.bin" && printf '%s' "$out" | grep -q 'again from the beginning'; then
    pass "fetch: a corrupt partial file fails the checksum after resuming and is fetched again whole"
else
    fail "fetch: a corrupt partial file is fetched again whole" "exit $rc: $out"
fi

# a server that cannot resume (answers 200 to a Range request)
if [ $mode = http ]; then
    data2=$tmp/data2; mkdir -p "$data2/stories260K"
    head -c 300000 "$stories/stories260K.bin" > "$data2/stories260K/stories260K.bin.part"
    cp "$stories/tok512.bin" "$www/plain/stories260K/"
    out=$(SHAPEWALK_DATA=$data2 SHAPEWALK_MIRROR=$base/plain fetch stories260K 2>&1); rc=$?
    [ $rc -eq 0 ] && cmp -s "$data2/stories260K/stories260K.bin" "$stories/stories260K.bin"
    expect $? "fetch: a server that cannot resume: starts again from the beginning" "exit $rc: $out"
else
    skip "fetch: a server that cannot resume" "needs the HTTP server"
fi

# checksum mismatch: error, nothing kept
data3=$tmp/data3
out=$(SHAPEWALK_DATA=$data3 SHAPEWALK_MIRROR=$base/bad fetch stories260K 2>&1); rc=$?
if [ $rc -eq 4 ] && [ ! -e "$data3/stories260K/stories260K.bin" ] && [ ! -e "$data3/stories260K/stories260K.bin.part" ] \
   && printf '%s' "$out" | grep -q 'does not match its sha256'; then
    pass "fetch: checksum mismatch: exit 4, the file removed, says so"
else
    fail "fetch: checksum mismatch: exit 4, the file removed" "exit $rc: $out; left: $(ls -A "$data3/stories260K" 2>/dev/null)"
fi
# size mismatch (a truncated upstream file)
out=$(SHAPEWALK_DATA=$data3 SHAPEWALK_MIRROR=$base/short fetch stories260K 2>&1); rc=$?
if [ $rc -eq 4 ] && [ ! -e "$data3/stories260K/stories260K.bin" ] && [ ! -e "$data3/stories260K/stories260K.bin.part" ] \
   && printf '%s' "$out" | grep -q 'has 500000 bytes, the manifest says 1056540'; then
    pass "fetch: size mismatch: exit 4, the file removed, says so"
else
    fail "fetch: size mismatch" "exit $rc: $out"
fi

# a missing file on the server
mkdir -p "$www/gone/stories260K"
out=$(SHAPEWALK_DATA=$data3 SHAPEWALK_MIRROR=$base/gone fetch stories260K 2>&1); rc=$?
if [ $mode = http ]; then
    [ $rc -eq 3 ] && printf '%s' "$out" | grep -q 'HTTP 404'
    expect $? "fetch: HTTP 404 is exit 3 and says 404" "exit $rc: $out"
else
    [ $rc -eq 3 ]
    expect $? "fetch: a missing file is exit 3" "exit $rc: $out"
fi

# offline: nothing listens on the port -> one clear line, exit 3, quickly
if [ $mode = http ]; then
    closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
else
    closed=9
fi
start=$(date +%s)
out=$(SHAPEWALK_DATA=$data3 SHAPEWALK_MIRROR=http://127.0.0.1:$closed timeout 60 sh models/fetch.sh stories260K 2>&1 >/dev/null); rc=$?
took=$(( $(date +%s) - start ))
err=$out
if [ $rc -eq 3 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && printf '%s' "$err" | grep -q 'cannot connect to 127.0.0.1.*offline' && [ $took -lt 30 ]; then
    pass "fetch: offline: exit 3 and one line: $err"
else
    fail "fetch: offline: exit 3 and one clear line" "exit $rc after ${took}s: $out"
fi

# a failed first download leaves no empty model folder behind (it would read as "not a model")
data5=$tmp/data5
SHAPEWALK_DATA=$data5 SHAPEWALK_MIRROR=http://127.0.0.1:$closed timeout 60 sh models/fetch.sh stories260K >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && [ ! -e "$data5/stories260K" ]
expect $? "fetch: a failed download leaves no empty DATA/NAME folder" "exit $rc, left: $(ls -A "$data5" 2>/dev/null)"

# a progress bar when there is a terminal (script(1) gives curl one)
if command -v script >/dev/null 2>&1; then
    data4=$tmp/data4
    script -qec "env SHAPEWALK_DATA=$data4 SHAPEWALK_MIRROR=$base/good sh models/fetch.sh stories260K" /dev/null > "$tmp/tty.out" 2>&1 </dev/null
    rc=$?
    if [ $rc -eq 0 ] && grep -q '100\.0%' "$tmp/tty.out" && grep -q '#' "$tmp/tty.out"; then
        pass "fetch: shows curl's progress bar on a terminal"
    else
        fail "fetch: shows curl's progress bar on a terminal" "exit $rc: $(tr '\r' '\n' < "$tmp/tty.out" | tail -3)"
    fi
else
    skip "fetch: progress bar" "no script(1)"
fi

# files without a published checksum: refused unless SHAPEWALK_ALLOW_UNVERIFIED=1
printf 'tiny\ttok512.bin\thttps://example.invalid/tok512.bin\t-\t-\n' > "$tmp/manifest.tsv"
mkdir -p "$www/good2/tiny" && cp "$stories/tok512.bin" "$www/good2/tiny/"
out=$(SHAPEWALK_MANIFEST=$tmp/manifest.tsv SHAPEWALK_MIRROR=$base/good2 fetch tiny 2>&1); rc=$?
if [ $rc -eq 5 ] && [ ! -e "$data/tiny/tok512.bin" ] && printf '%s' "$out" | grep -q 'SHAPEWALK_ALLOW_UNVERIFIED=1'; then
    pass "fetch: a file without a checksum is refused (exit 5) and the message says how to allow it"
else
    fail "fetch: a file without a checksum is refused" "exit $rc: $out"
fi
out=$(SHAPEWALK_ALLOW_UNVERIFIED=1 SHAPEWALK_MANIFEST=$tmp/manifest.tsv SHAPEWALK_MIRROR=$base/good2 fetch tiny 2>&1); rc=$?
[ $rc -eq 0 ] && cmp -s "$data/tiny/tok512.bin" "$stories/tok512.bin" && printf '%s' "$out" | grep -q 'UNVERIFIED'
expect $? "fetch: SHAPEWALK_ALLOW_UNVERIFIED=1 accepts it with a warning" "exit $rc: $out"

# a manifest file name that tries to leave the folder
printf 'evil\t../../evil.bin\thttps://example.invalid/x\t-\t-\n' > "$tmp/evil.tsv"
SHAPEWALK_ALLOW_UNVERIFIED=1 SHAPEWALK_MANIFEST=$tmp/evil.tsv SHAPEWALK_MIRROR=$base/good fetch evil >/dev/null 2>&1; rc=$?
[ $rc -eq 5 ] && [ ! -e "$tmp/evil.bin" ] && [ ! -e "$data/../evil.bin" ]
expect $? "fetch: a manifest file name with .. is refused" "exit $rc"

# a GGUF model: DATA/NAME/ holds its one .gguf file. A test manifest gives the real manifest's
# name and file name for qwen2.5-0.5b, and the mirror serves stories260K's Q8_0 GGUF (from
# ../shared) under that name, with its real size and sha256.
gguf_src=$SHARED/models/stories260K-gguf/stories260K-q8_0.gguf
gname=qwen2.5-0.5b
gfile=$(awk -F'\t' -v n=$gname '$1 == n { print $2 }' models/manifest.tsv)
if [ -f "$gguf_src" ] && [ -n "$gfile" ]; then
    mkdir -p "$www/gguf/$gname" "$www/ggufbad/$gname"
    cp "$gguf_src" "$www/gguf/$gname/$gfile"
    gsize=$(wc -c < "$gguf_src" | tr -d ' ')
    # same size, one byte changed near the end (inside the last tensor's data)
    { head -c $((gsize - 1000)) "$gguf_src"; printf 'Z'; tail -c 999 "$gguf_src"; } > "$www/ggufbad/$gname/$gfile"
    printf '%s\t%s\thttps://example.invalid/%s\t%s\t%s\n' "$gname" "$gfile" "$gfile" "$gsize" \
        "$(sha256sum "$gguf_src" | cut -d' ' -f1)" > "$tmp/gguf-manifest.tsv"
    data6=$tmp/data6
    out=$(SHAPEWALK_DATA=$data6 SHAPEWALK_MANIFEST=$tmp/gguf-manifest.tsv SHAPEWALK_MIRROR=$base/gguf fetch $gname 2>&1); rc=$?
    [ $rc -eq 0 ] && cmp -s "$data6/$gname/$gfile" "$gguf_src" && [ "$(ls -A "$data6/$gname")" = "$gfile" ] \
        && printf '%s' "$out" | grep -q "verified $gname/$gfile"
    expect $? "fetch: a GGUF model downloaded from the $mode mirror into DATA/$gname/$gfile, sha256 verified" "exit $rc: $out"
    out=$(SHAPEWALK_DATA=$data6 SHAPEWALK_MANIFEST=$tmp/gguf-manifest.tsv fetch --verify $gname 2>&1)
    expect $? "fetch: --verify passes on the GGUF download" "$out"
    data7=$tmp/data7
    out=$(SHAPEWALK_DATA=$data7 SHAPEWALK_MANIFEST=$tmp/gguf-manifest.tsv SHAPEWALK_MIRROR=$base/ggufbad fetch $gname 2>&1); rc=$?
    [ $rc -eq 4 ] && [ ! -e "$data7/$gname/$gfile" ] && [ ! -e "$data7/$gname/$gfile.part" ] \
        && printf '%s' "$out" | grep -q "$gname/$gfile .*does not match its sha256"
    expect $? "fetch: a GGUF file that does not match its sha256: exit 4, removed, says so" "exit $rc: $out; left: $(ls -A "$data7/$gname" 2>/dev/null)"
    if [ -x "$bin" ]; then
        out=$(SHAPEWALK_DATA=$data6 SHAPEWALK_MODEL_PATH= timeout 60 "$bin" --model $gname --prompt "Once upon a time" --dump 2>&1); rc=$?
        [ $rc -eq 0 ] && printf '%s' "$out" | head -1 | grep -q '^model: .* llama · Q8_0 · L=5 D=64'
        expect $? "fetch: shapewalk --model $gname --dump opens the fetched GGUF folder" "exit $rc: $(printf '%s' "$out" | head -3)"
    else
        skip "fetch: shapewalk --model $gname opens the fetched GGUF folder" "no $bin"
    fi
else
    skip "fetch: a GGUF model" "no $gguf_src, or no $gname row in models/manifest.tsv"
fi

# every real manifest file without a published checksum is refused before anything is downloaded
for gname in $(grep -v '^#' models/manifest.tsv | awk -F'\t' '$5 == "-" { print $1 }' | sort -u); do
    data8=$tmp/data8
    out=$(SHAPEWALK_DATA=$data8 SHAPEWALK_MIRROR=http://127.0.0.1:$closed fetch "$gname" 2>&1); rc=$?
    [ $rc -eq 5 ] && printf '%s' "$out" | grep -q "no published sha256 for $gname/" && [ ! -e "$data8/$gname" ]
    expect $? "fetch: $gname (no published sha256) is refused unless SHAPEWALK_ALLOW_UNVERIFIED=1, nothing written" "exit $rc: $out"
done

# the data directory: SHAPEWALK_DATA, else XDG_DATA_HOME/shapewalk, else ~/.local/share/shapewalk
out=$(env -u SHAPEWALK_DATA XDG_DATA_HOME=$tmp/xdg SHAPEWALK_MIRROR=$base/good sh models/fetch.sh stories260K 2>&1); rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/xdg/shapewalk/stories260K/stories260K.bin" ]
expect $? "fetch: uses \$XDG_DATA_HOME/shapewalk without SHAPEWALK_DATA" "exit $rc: $out"
out=$(env -u SHAPEWALK_DATA -u XDG_DATA_HOME HOME=$tmp/home SHAPEWALK_MIRROR=$base/good sh models/fetch.sh stories260K 2>&1); rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/home/.local/share/shapewalk/stories260K/stories260K.bin" ]
expect $? "fetch: uses ~/.local/share/shapewalk without either" "exit $rc: $out"

if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; srv_pid=; fi

# ---------------------------------------------------------------- README
# The first code block is the newcomer's two commands, exactly.
first=$(awk '/^```/ { if (inb) exit; inb = 1; next } inb' README.md)
if [ "$first" = "$(printf './setup\nmake test')" ]; then pass "README: its first commands are exactly ./setup and make test"
else fail "README: its first commands are exactly ./setup and make test" "found: $first"; fi
head -1 README.md | grep -q '^!\[.*\](screenshots/.*\.png)'
expect $? "README: opens with a screenshot" "first line: $(head -1 README.md)"
# every file of this repository that README.md and models/README.md name exists
missing=
for f in $(cat README.md models/README.md | grep -o '`[a-z][a-z_./-]*\.\(c\|h\|sh\|tsv\|1\|md\|json\)`' | tr -d '`' | sort -u); do
    case $f in */*) ;; *) continue ;; esac          # bare names (model files) are not paths here
    case $f in ../*|bench/results.json) continue ;; esac
    [ -e "$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass "README: every source file it names exists" || fail "README: every source file it names exists" "missing:$missing"
gone=
for fn in Forward_rows Model_resolve; do
    grep -q "^[a-zA-Z].*[ *]$fn(" engine/*.c || gone="$gone $fn"
done
[ -z "$gone" ] && pass "README: the functions it sends readers to exist" || fail "README: the functions it sends readers to exist" "missing:$gone"

# ---------------------------------------------------------------- the man page
if command -v man >/dev/null 2>&1; then
    warn=$(MANWIDTH=80 man -l shapewalk.1 2>&1 >/dev/null)
    out=$(MANWIDTH=80 man -l shapewalk.1 2>/dev/null)
    if [ -z "$warn" ] && printf '%s' "$out" | grep -q 'EXIT STATUS'; then pass "man: shapewalk.1 renders without warnings"
    else fail "man: shapewalk.1 renders without warnings" "$warn"; fi
elif command -v groff >/dev/null 2>&1; then
    warn=$(groff -man -Tutf8 -ww -z shapewalk.1 2>&1)
    [ -z "$warn" ] && pass "man: shapewalk.1 parses (groff)" || fail "man: shapewalk.1 parses (groff)" "$warn"
else
    skip "man: shapewalk.1 renders" "neither man nor groff is installed"
fi
# without man or groff too: every request line uses a man(7) macro this page is meant to use
bad=$(grep -n '^\.' shapewalk.1 | grep -v '^[0-9]*:\.\(\\"\|TH \|SH \|SS \|TP\|PP$\|RS$\|RE$\|B \|I \|BR \|BI \|IR \|IB \|RB \|RI \|br$\|nf$\|fi$\)')
[ -z "$bad" ] && pass "man: only man(7) macros" || fail "man: only man(7) macros" "$bad"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS KEYS ENVIRONMENT FILES '"EXIT STATUS"' EXAMPLES; do
    grep -q "^\.SH $s" shapewalk.1 || { fail "man: has every section" "no .SH $s"; s=; break; }
done
[ -n "$s" ] && pass "man: has every section"
# the man page documents exactly the long options of `shapewalk --help` (or, before the
# binary builds, of the usage text in tui/main.c)
if [ -x build/shapewalk ]; then help=$(build/shapewalk --help 2>&1); from="shapewalk --help"
elif [ -f tui/main.c ]; then help=$(grep '^"  ' tui/main.c); from="tui/main.c's usage"
else help=; fi
if [ -n "$help" ]; then
    printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u > "$tmp/opts.help"
    sed -n '/^\.SH OPTIONS/,/^\.SH KEYS/p' shapewalk.1 | grep '^\.B' | sed 's/\\-/-/g' \
        | grep -o -- '--[a-z][a-z-]*' | sort -u > "$tmp/opts.man"
    missing=$(comm -23 "$tmp/opts.help" "$tmp/opts.man" | tr '\n' ' ')
    extra=$(comm -13 "$tmp/opts.help" "$tmp/opts.man" | tr '\n' ' ')
    if [ -z "$missing$extra" ]; then pass "man: documents exactly the $(wc -l < "$tmp/opts.help") long options of $from"
    else fail "man: documents exactly the options of $from" "not in the man page: ${missing:-none}; only in the man page: ${extra:-none}"; fi
else
    skip "man: options match --help" "no binary and no tui/main.c yet"
fi

# ---------------------------------------------------------------- make install
prefix=$tmp/prefix
try_install() { make --no-print-directory install PREFIX="$prefix" > "$tmp/install.log" 2>&1; }
# The Makefile refreshes ./shapewalk with cp, which fails while another process runs it
# ("Text file busy", e.g. a TUI test in the same checkout): try once more after a moment.
if try_install || { grep -q 'Text file busy' "$tmp/install.log" && sleep 3 && try_install; }; then
    ok=0
    for f in bin/shapewalk share/man/man1/shapewalk.1 share/shapewalk/fetch.sh share/shapewalk/manifest.tsv; do
        [ -f "$prefix/$f" ] || { ok=1; fail "install: PREFIX holds the binary, man page, fetch script and manifest" "no $f"; }
    done
    [ $ok -eq 0 ] && [ -x "$prefix/bin/shapewalk" ] && pass "install: PREFIX holds the binary, man page, fetch script and manifest"
    v=$("$prefix/bin/shapewalk" --version 2>&1 | head -1); rc=$?
    printf '%s' "$v" | grep -q '^shapewalk [0-9]'
    expect $? "install: the installed binary runs (--version: $v)" "exit $rc: $v"
    out=$(sh "$prefix/share/shapewalk/fetch.sh" --list 2>&1)
    printf '%s' "$out" | grep -q stories260K
    expect $? "install: the installed fetch.sh finds its manifest" "$out"
    if command -v man >/dev/null 2>&1; then
        MANPATH=$prefix/share/man man -w shapewalk 2>/dev/null | grep -q "^$prefix/share/man/man1/shapewalk.1"
        expect $? "install: man finds the installed page (MANPATH=PREFIX/share/man man shapewalk)" "$(MANPATH=$prefix/share/man man -w shapewalk 2>&1)"
    fi
    make --no-print-directory uninstall PREFIX="$prefix" >/dev/null 2>&1
    left=$(find "$prefix" -type f)
    [ -z "$left" ] && pass "install: make uninstall removes it all" || fail "install: make uninstall removes it all" "left: $left"
elif grep -q 'Text file busy' "$tmp/install.log"; then
    skip "install: make install PREFIX=..." "./shapewalk is running in another process, and the Makefile's cp cannot replace a running binary"
elif [ ! -x build/shapewalk ]; then
    skip "install: make install PREFIX=..." "shapewalk does not build yet: $(grep -m1 -i 'error' "$tmp/install.log")"
else
    fail "install: make install PREFIX=..." "$(tail -3 "$tmp/install.log")"
fi

exit $failed
