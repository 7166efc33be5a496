#!/bin/sh
# tests/check_layers.sh - the one-way rule (docs/ARCHITECTURE.md): a file includes only from
# its own layer and the layers below it. Bottom up:
#   engine/  files, tokenizers, forward pass, trace        includes engine/
#   term/    the terminal: colours, attributes, cells      includes term/
#   views/   one renderer per picture                       engine/ term/ views/
#   app/     what the program does, without curses          engine/ term/ views/ app/
#   tui/     the ncurses program                            everything
# engine/ and app/ never include curses themselves. Also `make check-layers`.
cd "$(dirname "$0")/.." || exit 2
bad=0
allowed() {   # allowed LAYER TARGET
    case "$1:$2" in
    engine:engine|term:term) return 0 ;;
    views:engine|views:term|views:views) return 0 ;;
    app:engine|app:term|app:views|app:app) return 0 ;;
    tui:*) return 0 ;;
    esac
    return 1
}
for f in engine/*.[ch] term/*.[ch] views/*.[ch] app/*.[ch] tui/*.[ch]; do
    [ -f "$f" ] || continue
    layer=${f%%/*}
    # "dir/file.h" names a layer; a bare "file.h" is the file's own folder
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case "$inc" in */*) target=${inc%%/*} ;; *) target=$layer ;; esac
        if ! allowed "$layer" "$target"; then
            echo "FAIL: check-layers: $f includes \"$inc\": $layer/ may not include $target/ (the one-way rule, docs/ARCHITECTURE.md)"
            bad=$((bad + 1))
        fi
    done
    case "$layer" in engine|app)
        if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<n?curses' "$f"; then
            echo "FAIL: check-layers: $f includes curses: $layer/ has no terminal code (move it to term/, views/ or tui/)"
            bad=$((bad + 1))
        fi ;;
    esac
done
[ $bad -eq 0 ] && echo "PASS: check-layers: no file includes from a layer above its own"
[ $bad -eq 0 ]
