#!/bin/sh
# models/fetch.sh - download a model listed in models/manifest.tsv into shapewalk's data directory.
#
#   sh models/fetch.sh NAME        download NAME (what `make model NAME=...` runs)
#   sh models/fetch.sh --list      the models it knows, with their download sizes
#   sh models/fetch.sh --verify NAME   check the files already downloaded, download nothing
#
# Each file goes to DATA_DIR/NAME/FILE.part first (curl -C - resumes it after a broken
# download), is checked against the manifest's size and sha256, and only then renamed to
# DATA_DIR/NAME/FILE, where `shapewalk --model NAME` looks. NAME must be a manifest name, so
# nothing is ever written outside DATA_DIR/NAME.
#
# DATA_DIR: $SHAPEWALK_DATA, else $XDG_DATA_HOME/shapewalk, else ~/.local/share/shapewalk.
# SHAPEWALK_MIRROR=URL   fetch FILE from URL/NAME/FILE instead of the manifest's URL
# SHAPEWALK_MANIFEST=F   use another manifest (tests)
# SHAPEWALK_ALLOW_UNVERIFIED=1   accept files whose manifest checksum is "-"
#
# Exit status: 0 done, 2 usage or unknown model, 3 network (offline, HTTP error),
# 4 size or checksum mismatch, 5 local problem (disk, permissions, missing tool, unverified file).
set -u
set -f   # no globbing: manifest rows are split on tabs below

prog=fetch.sh
here=$(cd "$(dirname "$0")" && pwd)
manifest=${SHAPEWALK_MANIFEST:-$here/manifest.tsv}
tab=$(printf '\t')
nl='
'

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }

usage() {
    cat <<EOF
usage: sh models/fetch.sh NAME | --list | --verify NAME | --help
Downloads model NAME (see --list) into $(data_dir 2>/dev/null || echo 'the data directory')/NAME,
resuming a broken download and verifying every file's sha256 before it is used.
Environment: SHAPEWALK_DATA (data directory), SHAPEWALK_MIRROR (base URL: fetch URL/NAME/FILE),
SHAPEWALK_ALLOW_UNVERIFIED=1 (accept files without a published checksum).
EOF
}

# Where models live; the same rule as Model_data_dir() in engine/model.c.
data_dir() {
    if [ -n "${SHAPEWALK_DATA:-}" ]; then printf '%s\n' "$SHAPEWALK_DATA"
    elif [ -n "${XDG_DATA_HOME:-}" ]; then printf '%s/shapewalk\n' "$XDG_DATA_HOME"
    elif [ -n "${HOME:-}" ]; then printf '%s/.local/share/shapewalk\n' "$HOME"
    else return 1
    fi
}

# "548 MB", "6 kB"
human() {
    case $1 in
        -) echo "size unknown" ;;
        *) awk -v b="$1" 'BEGIN { if (b >= 1e9) printf "%.2f GB\n", b/1e9; else if (b >= 1e6) printf "%.0f MB\n", b/1e6; else printf "%.0f kB\n", (b+999)/1e3 }' ;;
    esac
}

file_size() { wc -c < "$1" | tr -d ' '; }

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
    else die 5 "need sha256sum (coreutils) or shasum to verify downloads"
    fi
}

# A plain file or model name: letters, digits, . _ -; not starting with a dot; no "..".
safe_name() {
    case $1 in ''|.*|*..*|*/*|*[!A-Za-z0-9._-]*) return 1 ;; esac
    return 0
}

manifest_rows() { grep -v '^#' "$manifest" | grep -v '^[[:space:]]*$'; }

# one line per model: name, download size ("?" when the manifest has none, "+" when only some
# files have one), files; "(no published sha256)" marks a model fetch refuses without
# SHAPEWALK_ALLOW_UNVERIFIED=1
list_models() {
    manifest_rows | awk -F'\t' '
        { if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 }
          if ($4 == "-") unknown[$1] = 1; else { bytes[$1] += $4; known[$1] = 1 }
          if ($5 == "-") unverified[$1] = 1
          files[$1] = files[$1] " " $2 }
        END { for (i = 0; i < n; i++) { m = order[i]; b = bytes[m]
              s = (b >= 1e9) ? sprintf("%.2f GB", b/1e9) : (b >= 1e6) ? sprintf("%.0f MB", b/1e6) : sprintf("%.0f kB", b/1e3)
              if (unknown[m]) s = known[m] ? s "+" : "?"
              printf "  %-15s %9s  %s%s\n", m, s, files[m], unverified[m] ? "  (no published sha256)" : "" } }'
}

# The curl exit status as a sentence.
curl_reason() {
    case $1 in
        5) echo "cannot resolve the proxy" ;;
        6) echo "cannot resolve host $2" ;;
        7) echo "cannot connect to $2" ;;
        28) echo "timed out talking to $2" ;;
        35|51|53|54|58|59|60|77|80|83|90|91) echo "TLS/certificate problem with $2 (is the ca-certificates package installed? is the clock right?)" ;;
        18|52|55|56|92|95) echo "the connection to $2 broke off" ;;
        23) echo "cannot write the download (disk full? permissions?)" ;;
        *) echo "curl failed with exit status $1 talking to $2" ;;
    esac
}

# verify FILE SIZE SHA -> 0 ok, 1 size differs, 2 checksum differs
verify() {
    if [ "$2" != - ] && [ "$(file_size "$1")" != "$2" ]; then return 1; fi
    [ "$3" = - ] && return 0
    [ "$(sha256_of "$1")" = "$3" ] || return 2
    return 0
}

# fetch_one NAME FILE URL SIZE SHA
fetch_one() {
    name=$1 file=$2 url=$3 size=$4 sha=$5
    safe_name "$file" || die 5 "$manifest: bad file name '$file' for $name (must be a plain file name)"
    [ -n "${SHAPEWALK_MIRROR:-}" ] && url=${SHAPEWALK_MIRROR%/}/$name/$file
    host=${url#*://}; host=${host%%/*}
    dest=$dir/$file
    part=$dest.part
    for f in "$dest" "$part"; do
        [ -L "$f" ] && die 5 "$f is a symbolic link; remove it and run again"
    done

    if [ -f "$dest" ]; then
        if verify "$dest" "$size" "$sha"; then
            say "have $name/$file (verified)"
            return 0
        fi
        say "$dest does not match the manifest; downloading it again"
        rm -f "$dest" || die 5 "cannot remove $dest"
    fi
    if [ "$sha" = - ] && [ "${SHAPEWALK_ALLOW_UNVERIFIED:-0}" != 1 ]; then
        die 5 "no published sha256 for $name/$file, so it cannot be verified: refusing it (set SHAPEWALK_ALLOW_UNVERIFIED=1 to accept it unverified)"
    fi
    if [ "$size" != - ]; then
        have=0; [ -f "$part" ] && have=$(file_size "$part")
        [ "$have" -gt "$size" ] && { rm -f "$part"; have=0; }
        need_kb=$(( (size - have) / 1024 + 1 ))
        free_kb=$(df -Pk "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
        if [ -n "$free_kb" ] && [ "$free_kb" -lt "$need_kb" ]; then
            die 5 "$dir has $(human $((free_kb * 1024))) free but $name/$file needs $(human $((need_kb * 1024))) more; free some space (or set SHAPEWALK_DATA) and run again"
        fi
    fi

    tries=0
    while :; do
        tries=$((tries + 1))
        resumed=0
        [ -s "$part" ] && resumed=1
        if [ "$size" != - ] && [ -f "$part" ] && [ "$(file_size "$part")" = "$size" ]; then
            :   # complete already: only the check below is left
        else
            # without a terminal nothing is said before the outcome, so that an error is the first line
            from=$(human "$(file_size "$part" 2>/dev/null || echo 0)")
            if [ -t 2 ] && [ $resumed = 1 ]; then
                say "resuming $name/$file at $from of $(human "$size") from $host"
            elif [ -t 2 ]; then
                say "downloading $name/$file ($(human "$size")) from $host"
            fi
            if [ -t 2 ]; then show=--progress-bar; else show=--silent; fi
            code=$(curl $show --fail --location --continue-at - \
                        --connect-timeout 20 --speed-limit 1024 --speed-time 60 \
                        --retry 2 --retry-delay 1 \
                        --output "$part" --write-out '%{http_code}' "$url" </dev/null)
            rc=$?
            if [ $rc -eq 33 ] && [ $tries -lt 2 ]; then
                say "$host cannot resume; starting $name/$file again from the beginning"
                rm -f "$part"
                continue
            fi
            if [ $rc -eq 22 ] && [ "$code" = 416 ] && [ $tries -lt 2 ]; then
                rm -f "$part"       # asked to resume past the end: the partial file is wrong
                continue
            fi
            if [ $rc -ne 0 ]; then
                case $rc in
                    22) die 3 "$host answered HTTP $code for $url; check the name, or try again later" ;;
                    5|6|7|28) die 3 "$(curl_reason $rc "$host") - are you offline? Connect and run 'make model NAME=$name' again (a partial download resumes)" ;;
                    18|52|55|56|92|95) die 3 "$(curl_reason $rc "$host") after $(human "$(file_size "$part" 2>/dev/null || echo 0)"); run 'make model NAME=$name' again to resume" ;;
                    23) die 5 "$(curl_reason $rc "$host") writing $part" ;;
                    *) die 3 "$(curl_reason $rc "$host") for $url; run 'make model NAME=$name' again to resume" ;;
                esac
            fi
            [ -t 2 ] || [ $resumed = 0 ] || say "resumed $name/$file at $from of $(human "$size") from $host"
        fi
        [ -f "$part" ] || die 3 "$host sent nothing for $url"
        [ "$size" != - ] && [ "$size" -gt 50000000 ] && say "checking the sha256 of $name/$file..."
        verify "$part" "$size" "$sha"
        v=$?
        if [ $v -eq 0 ]; then
            break
        fi
        got=$(file_size "$part")
        rm -f "$part"
        if [ $resumed = 1 ] && [ $tries -lt 2 ]; then
            say "$name/$file does not match its checksum after resuming; downloading it again from the beginning"
            continue
        fi
        if [ $v -eq 1 ]; then
            die 4 "$name/$file from $host has $got bytes, the manifest says $size; removed it - run 'make model NAME=$name' again, or report a changed upstream file"
        fi
        die 4 "$name/$file from $host does not match its sha256 in $manifest; removed it - run 'make model NAME=$name' again, or report a changed upstream file"
    done
    if [ "$sha" = - ]; then
        say "WARNING: $name/$file is UNVERIFIED (no published checksum); sha256 $(sha256_of "$part")"
    fi
    mv -f "$part" "$dest" || die 5 "cannot rename $part to $dest"
    say "verified $name/$file"
}

# ---- main ----
[ -r "$manifest" ] || die 5 "cannot read the manifest $manifest"
mode=fetch
case ${1:-} in
    -h|--help) usage; exit 0 ;;
    -l|--list) echo "models (make model NAME=...):"; list_models; exit 0 ;;
    --verify) mode=verify; shift ;;
    --from-env) shift; set -- "${SW_FETCH_NAME:-}" ;;   # make model NAME=...: the name as typed
    -*) say "unknown option '$1'; usage: sh models/fetch.sh NAME | --list | --verify NAME"; exit 2 ;;
esac
if [ $# -ne 1 ] || [ -z "$1" ]; then
    if [ $# -gt 1 ]; then say "give one model name, not $#; one of:"
    else say "no model name given: run make model NAME=gpt2 (or another of these):"
    fi
    list_models >&2; exit 2
fi
name=$1
if ! safe_name "$name"; then
    die 2 "'$name' is not a model name (names are plain words like gpt2 or stories15M; see 'sh models/fetch.sh --list')"
fi
rows=$(manifest_rows | awk -F'\t' -v n="$name" '$1 == n')
if [ -z "$rows" ]; then
    say "unknown model '$name'; these can be fetched:"; list_models >&2; exit 2
fi
command -v curl >/dev/null 2>&1 || [ $mode = verify ] || die 5 "need curl to download (sudo apt-get install curl ca-certificates)"
base=$(data_dir) || die 5 "cannot tell where to put models: set SHAPEWALK_DATA or HOME"
dir=$base/$name
if [ $mode = verify ]; then
    bad=0
    IFS=$nl
    for row in $rows; do
        IFS=$tab; set -- $row; unset IFS   # split on tabs (globbing is off)
        if [ ! -f "$dir/$2" ]; then say "missing $dir/$2"; bad=1
        elif verify "$dir/$2" "$4" "$5"; then say "ok $name/$2"
        else say "MISMATCH $dir/$2"; bad=1
        fi
    done
    [ $bad -eq 0 ] || exit 4
    exit 0
fi
mkdir -p "$dir" || die 5 "cannot create $dir"
# one fetch per model at a time: two curls appending to one .part would spoil it
lock=$dir/.fetch-lock
mkdir "$lock" 2>/dev/null || die 5 "another fetch of $name is running (if none is, remove $lock and run again)"
# on the way out: the lock goes, and so does the model's folder if a failed fetch left it empty
# (an empty DATA/NAME would later read as "not a model")
trap 'rmdir "$lock" 2>/dev/null; rmdir "$dir" 2>/dev/null' EXIT
trap 'say "interrupted; run make model NAME=$name again to resume"; exit 130' INT TERM
IFS=$nl
for row in $rows; do
    IFS=$tab; set -- $row; unset IFS   # split on tabs (globbing is off)
    [ $# -eq 5 ] || die 5 "$manifest: a row for $name does not have 5 tab-separated fields"
    fetch_one "$@"
done
say "done: $name is in $dir - open it with: ./shapewalk --model $name"
