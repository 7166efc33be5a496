#!/bin/sh
# tests/test_compare_cli.sh - --compare through the real binary ($SW_BIN): --json's "compare"
# object and --dump's totals on stories260K F32 against Q4_0 on "Lily and Tom went to the
# park. They saw a big", and the refusals (another shape, a missing file: exit non-zero,
# nothing on stdout, one line on stderr naming the file).
# Where the numbers come from: the top-1 flips (position 1 ' and' -> ' was', position 16
# ' b' -> ',') and the agreement 15/17 are the two reference.json files' logit lens after the
# last block (tests/test_compare.c checks the KL and losses themselves); here the JSON must
# say the same as the dump and carry one entry per position and per block.
cd "$(dirname "$0")/.." || exit 2
: "${SHARED:=$(cd .. && pwd)/shared}"
BIN=${SW_BIN:-$PWD/build/shapewalk}
G=$SHARED/models/stories260K-gguf
export OPENBLAS_NUM_THREADS=1
failed=0
pass() { echo "PASS: compare cli: $1"; }
fail() { echo "FAIL: compare cli: $1: $2"; failed=1; }
if [ ! -x "$BIN" ] || [ ! -f "$G/stories260K-q4_0.gguf" ]; then
    echo "SKIP: compare cli: all: no binary or no $G"; exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then echo "SKIP: compare cli: all: no python3 to read the JSON"; exit 0; fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
P="Lily and Tom went to the park. They saw a big"

timeout 60 "$BIN" -m "$G/stories260K-f32.gguf" --compare "$G/stories260K-q4_0.gguf" -p "$P" --json -g 3 </dev/null >"$tmp/j" 2>"$tmp/e"
rc=$?
if [ $rc -ne 0 ]; then fail "--json --compare" "exit $rc: $(head -c 300 "$tmp/e")"
else
    out=$(python3 - "$tmp/j" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["compare"]
p = c["prompts"][0]
pos = p["positions"]
flips = [(e["position"], e["top1_reference"]["label"], e["top1_model"]["label"]) for e in pos if not e["top1_same"]]
ok = (c["positions"] == 17 and len(pos) == 17 and c["top1_same"] == 15
      and abs(c["top1_agreement"] - 15 / 17) < 1e-12
      and flips == [(1, " and", " was"), (16, " b", ",")]
      and abs(sum(e["kl"] for e in pos) / 17 - c["mean_kl"]) < 1e-9
      and pos[16]["delta_loss"] is None and pos[0]["delta_loss"] is not None
      and len(p["drift"]) == 6 and p["drift"][0]["after"] == "embedding" and p["drift"][5]["block"] == 5
      and all(len(d["rel_error"]) == 17 and len(d["cosine"]) == 17 for d in p["drift"])
      and c["mean_drift"][5] > c["mean_drift"][0] > 0
      and c["model"]["weights"] == "Q4_0" and c["reference"]["weights"] == "F32")
print("ok" if ok else "bad %s %s %s" % (c["top1_same"], flips, c["mean_drift"]))
print("%.4f" % c["mean_kl"])
PY
)
    case "$out" in ok*) pass "--json has the compare object: 17 positions, 15 agree, the two flips, 6 drift rows (generated tokens not compared)" ;;
        *) fail "--json compare object" "$out" ;; esac
    kl=$(printf '%s\n' "$out" | sed -n 2p)
fi

timeout 60 "$BIN" -m "$G/stories260K-f32.gguf" --compare "$G/stories260K-q4_0.gguf" -p "$P" --dump </dev/null >"$tmp/d" 2>"$tmp/e"
rc=$?
if [ $rc -eq 0 ] && grep -q "mean KL(P_ref || P_q) $kl nats" "$tmp/d" && grep -q "top-1 agreement 15/17" "$tmp/d" &&
   grep -q "flipped: prompt 0 position 16: ' b' -> ','" "$tmp/d" && grep -q "perplexity .* (delta +" "$tmp/d" &&
   grep -q "residual drift" "$tmp/d"; then
    pass "--dump prints the totals (the same mean KL as --json), the flips and the drift"
else
    fail "--dump totals" "exit $rc: $(tail -8 "$tmp/d" | tr '\n' '|') $(head -c 300 "$tmp/e")"
fi

# refusals: one line naming the file, nothing on stdout
refuse() {   # what, compare-path, expected text
    timeout 30 "$BIN" -m "$G/stories260K-f32.gguf" --compare "$2" -p "$P" --json </dev/null >"$tmp/o" 2>"$tmp/e"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ ! -s "$tmp/o" ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q "$3" "$tmp/e"; then
        pass "$1 is refused with one line"
    else
        fail "$1" "exit $rc, stdout $(wc -c <"$tmp/o") bytes, stderr: $(head -c 400 "$tmp/e")"
    fi
}
refuse "a model of another shape" "$SHARED/models/tiny-smollm-gguf/tiny-smollm.gguf" "tiny-smollm.gguf with stories260K-f32.gguf: their shapes differ"
refuse "a model of another shape and vocabulary (GPT-2 layout)" "$SHARED/models/gpt2-test-d64" "gpt2-test-d64 with stories260K-f32.gguf: their shapes differ"
refuse "a missing file" "$tmp/none.gguf" "none.gguf"
# the llama2.c checkpoint is the same model with the same vocabulary written another way: accepted
if timeout 60 "$BIN" -m "$SHARED/models/stories260K/stories260K.bin" --compare "$G/stories260K-f32.gguf" -p "$P" --dump </dev/null 2>"$tmp/e" |
   grep -q "top-1 agreement 17/17"; then
    pass "the llama2.c .bin against its GGUF F32 copy: accepted, all agree"
else
    fail "llama2.c .bin against GGUF F32" "$(head -c 300 "$tmp/e")"
fi
exit $failed
