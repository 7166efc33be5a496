#!/bin/sh
# bench/run.sh - run the benchmarks in order and print the summary (called by bench/Makefile).
#   1. the checkpoint: the real GPT-2 124M from the data directory when present, else a
#      GPT-2-124M-shaped one with seeded random weights (written once, cached in build/);
#   2. this machine's ceilings (sgemm at the forward's shapes, read bandwidth);
#   3. the plain-C baseline (llama2.c run.c style);
#   4. the engine (when it links), then the report: table + results.json.
# Env: SHARED (test data), THREADS (default 2), QUICK (non-empty: fewer repetitions),
#      GEN_ROUNDS (default 3): extra alternating generation rounds of baseline and engine,
#      SHAPEWALK_DATA / XDG_DATA_HOME (where a fetched gpt2 lives),
#      BENCH_RT (default 1): run the timed programs under SCHED_FIFO (chrt -f 1) when allowed, so
#      other processes on a shared machine disturb the figures less (the kernel still keeps 5%
#      of each second for them); 0 runs them as ordinary processes.
cd "$(dirname "$0")" || exit 2
B=$PWD/build
: "${SHARED:=$(cd ../.. && pwd)/shared}"
: "${THREADS:=2}"
q=${QUICK:+quick}
t0=$(date +%s)

# CPU time of the whole machine (jiffies busy) and of this script's finished children, so the
# report can say how much of the machine other processes took while we measured.
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
mine() { awk '{print $16+$17}' /proc/$$/stat; }
busy0=$(busy); mine0=$(mine)
# How the timed programs run: real-time FIFO priority when allowed, each with a time limit.
run() { $rt timeout 900 "$@"; }
rt=
if [ "${BENCH_RT:-1}" != 0 ] && command -v chrt >/dev/null 2>&1 && chrt -f 1 true 2>/dev/null; then
    rt="chrt -f 1"
    echo "bench: timed programs run with SCHED_FIFO priority 1 (chrt -f 1; BENCH_RT=0 to turn off)"
else
    echo "bench: timed programs run as ordinary processes (no SCHED_FIFO)"
fi
rm -f "$B/ceilings.json" "$B/baseline.json" "$B/engine.json" "$B/views.json" "$B/baseline_logits.bin" "$B/kernels.json"

# OpenBLAS's kernels. A machine-wide OPENBLAS_CORETYPE would decide every figure: the bench
# measures what a user gets without it (BENCH_KEEP_CORETYPE=1 keeps it). The engine and
# shapewalk choose as the program does (engine/blas.c); the sgemm ceiling is measured with the
# fastest kernel of those this CPU runs (build/kernels at the forward's shapes, each its own
# process: the variable is read when the library loads).
if [ -n "${OPENBLAS_CORETYPE:-}" ] && [ "${BENCH_KEEP_CORETYPE:-0}" != 1 ]; then
    echo "bench: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE is set in the environment: unset for the bench (BENCH_KEEP_CORETYPE=1 keeps it)"
    BENCH_ENV_CORETYPE=$OPENBLAS_CORETYPE
    unset OPENBLAS_CORETYPE
fi
export BENCH_ENV_CORETYPE
best_kernel=${OPENBLAS_CORETYPE:-}
if [ -z "$best_kernel" ] && [ -x "$B/kernels" ]; then
    best_rate=0
    echo "[" > "$B/kernels.json"
    sep=""
    # the forward's sgemm in both layouts (the aligned copy of a checkpoint uses TransB), x10
    rate_of() { printf '%s' "$1" | sed 's/.*"sgemm_256x768x3072_nn_gflops": \([0-9.]*\).*"sgemm_256x768x3072_nt_gflops": \([0-9.]*\).*/\1 \2/' |
                awk '{ printf "%d", ($1 + $2) * 5 }'; }
    reps=25; [ -n "$q" ] && reps=8
    for k in $("$B/kernels" --list); do
        case "$k" in Prescott|Nehalem|Sandybridge|Haswell|Zen|SkylakeX|Cooperlake) ;; *) continue ;; esac
        # twice, the better run kept: a shared machine disturbs single runs by 2x
        line=""; lr=0
        for pass in 1 2; do
            l=$(run env OPENBLAS_CORETYPE="$k" "$B/kernels" "$THREADS" "$reps") || continue
            case "$l" in *"\"kernel\": \"$k\""*) ;; *) continue ;; esac   # the library does not know it
            r=$(rate_of "$l")
            if [ "$r" -gt "$lr" ]; then lr=$r; line=$l; fi
        done
        [ -n "$line" ] || continue
        printf '%s%s\n' "$sep" "$line" >> "$B/kernels.json"
        sep=","
        echo "bench: kernel $line"
        if [ "$lr" -gt "$best_rate" ]; then best_rate=$lr; best_kernel=$k; fi
    done
    echo "]" >> "$B/kernels.json"
fi
echo "bench: sgemm ceiling measured with OpenBLAS kernel ${best_kernel:-(the library's pick)}"

# The engine keeps an aligned copy of a weights file with odd offsets in its cache folder: use
# one of the bench's own, so the user's stays untouched and the bench may evict and empty it.
SHAPEWALK_CACHE=$B/cache
SW_BENCH_OWN_CACHE=1
export SHAPEWALK_CACHE SW_BENCH_OWN_CACHE

data=${SHAPEWALK_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/shapewalk}
if [ -f "$data/gpt2/model.safetensors" ]; then
    model=$data/gpt2
    kind="the real GPT-2 124M from $model"
else
    "$B/mkckpt" "$B/gpt2-rand" "$SHARED/models/gpt2-tokenizer" 1234 || exit 1
    model=$B/gpt2-rand
    kind="GPT-2 124M shapes, seeded random weights N(0,0.02), written by bench/mkckpt with the real file's data offset"
    # SW_BENCH_ALIGNED_DIR=DIR (a checkpoint written with SW_BENCH_ALIGN=64 mkckpt DIR ...) adds
    # the start time and RSS of the same weights with a 64-byte-aligned data section.
fi
echo "bench: model $model"
for o in "$B/lib/engine/forward.o" ../build/engine/forward.o; do
    [ -f "$o" ] || continue
    flags=$(readelf --debug-dump=info "$o" 2>/dev/null | grep -m1 DW_AT_producer | sed 's/.*DW_AT_producer *: *//; s/(indirect string[^)]*): *//')
    echo "bench: $o compiled with: $flags"
    break
done

# Rows N = B*T of every whole-prompt pass (B=1,2; T=8,64,256,1024).
ck=""; [ -n "$best_kernel" ] && ck="env OPENBLAS_CORETYPE=$best_kernel"
run $ck "$B/ceilings" "$B/ceilings.json" "$THREADS" 1000 8 16 64 128 256 512 1024 2048 || echo "bench: ceilings failed"
OMP_NUM_THREADS=$THREADS run "$B/baseline" "$model" "$B/baseline.json" "$THREADS" $q || echo "bench: baseline failed"
if [ -x "$B/bench_engine" ]; then
    SW_BIN=$B/lib/shapewalk run "$B/bench_engine" all "$model" "$B/engine.json" "$THREADS" $q || echo "bench: engine bench failed"
else
    echo "bench: build/bench_engine not built: engine figures are n/a"
fi
# Generation is bound by memory bandwidth, which on a shared machine drifts by 10% or more
# over minutes. So the engine and the baseline also generate in alternating rounds, each
# round a fresh process of each after a new bandwidth measurement; the report takes the
# medians over all rounds, and each round's fraction of its own bandwidth.
rm -f "$B"/gen-*.json
if [ -x "$B/bench_engine" ]; then
    r=1
    while [ "$r" -le "${GEN_ROUNDS:-3}" ]; do
        run "$B/ceilings" "$B/gen-bw-$r.json" "$THREADS" 1000 >/dev/null || echo "bench: bandwidth round $r failed"
        OMP_NUM_THREADS=$THREADS run "$B/baseline" "$model" "$B/gen-baseline-$r.json" "$THREADS" $q gen >/dev/null || echo "bench: baseline generation round $r failed"
        run "$B/bench_engine" gen "$model" "$B/gen-engine-$r.json" "$THREADS" $q >/dev/null || echo "bench: engine generation round $r failed"
        r=$((r + 1))
    done
fi
# GGUF (issue 13): bench/mkgguf's llama of GPT-2-124M's size (stories110M's shape) in F32,
# Q8_0 and Q4_0, written once into build/ (kept while the size is right). Each type's main run
# (warm start, T=256 prompt, generation, RSS), then GEN_ROUNDS alternating generation rounds
# of the types after a new bandwidth measurement, so the Q8_0/F32 ratio is side by side.
rm -f "$B"/gguf-*.json
if [ -x "$B/bench_engine" ] && [ -x "$B/mkgguf" ]; then
    gtypes=""
    for ty in F32 Q8_0 Q4_0; do
        "$B/mkgguf" "$B/llama-$ty.gguf" "$ty" || continue
        gtypes="$gtypes $ty"
        run "$B/bench_engine" gguf "$B/llama-$ty.gguf" "$B/gguf-$ty.json" "$THREADS" $q || echo "bench: GGUF $ty bench failed"
    done
    r=1
    while [ "$r" -le "${GEN_ROUNDS:-3}" ]; do
        run "$B/ceilings" "$B/gguf-bw-$r.json" "$THREADS" 1000 >/dev/null || echo "bench: GGUF bandwidth round $r failed"
        for ty in $gtypes; do
            run "$B/bench_engine" gen "$B/llama-$ty.gguf" "$B/gguf-gen-$ty-$r.json" "$THREADS" $q >/dev/null || echo "bench: GGUF $ty generation round $r failed"
        done
        r=$((r + 1))
    done
fi
if [ -x "$B/bench_views" ]; then
    run "$B/bench_views" "$model" "$B/views.json" "$THREADS" $q || echo "bench: view bench failed"
else
    echo "bench: build/bench_views not built: view figures are n/a"
fi
busy1=$(busy); mine1=$(mine)
secs=$(( $(date +%s) - t0 ))
ncpu=$(getconf _NPROCESSORS_ONLN)
hz=$(getconf CLK_TCK)
# percent of all cores' time that went to other processes while the bench ran
BENCH_OTHERS_PCT=$(( (busy1 - busy0 - (mine1 - mine0)) * 100 / (hz * ncpu * (secs > 0 ? secs : 1)) ))
BENCH_RT_USED=${rt:+1}
export BENCH_OTHERS_PCT BENCH_RT_USED
"$B/report" "$B" "$PWD/results.json" "$kind"
echo "bench: total $(( $(date +%s) - t0 )) s"
