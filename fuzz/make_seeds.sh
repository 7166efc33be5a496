#!/bin/sh
# fuzz/make_seeds.sh - regenerate the seed corpus in fuzz/corpus/<target>/ from code
# (gen_seeds.c: tiny valid models and tokenizers, hand-broken variants, sample texts).
# Files named regress-* are kept. Only the 28-byte header of stories260K.bin is read from $SHARED. Keep the corpus small.
set -eu
cd "$(dirname "$0")"
: "${SHARED:=$(cd ../.. && pwd)/shared}"
export SHARED
make --no-print-directory build/gen_seeds >/dev/null
# regress-* files are inputs a fuzzer once found (kept by hand, not made by gen_seeds)
find corpus -type f ! -name 'regress-*' -delete 2>/dev/null || true
./build/gen_seeds corpus
echo "seeds: $(find corpus -type f | wc -l) files, $(cat corpus/*/* | wc -c) bytes in fuzz/corpus/"
