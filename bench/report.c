/* report.c - gather the bench programs' figures, print one summary table with the issue's
 * targets beside each figure, and write results.json.
 *
 *   report BUILD_DIR OUT.json MODEL_KIND
 *
 * Reads BUILD_DIR/ceilings.json, baseline.json, engine.json and views.json (any may be missing: its
 * figures print as n/a). Fractions:
 *   prompt:     useful FLOPs (bench_forward_flops) / time / sgemm ceiling at the same N = B*T
 *               (the forward's own matmul mix, see ceilings.c; N=256 when N was not measured)
 *   generation: weight_bytes (bytes of weights read per token, Model.weight_bytes) * tokens/s
 *               / read bandwidth, per run (the main run with ceilings.json's bandwidth, each
 *               alternating round with the bandwidth measured just before it), median over
 *               the runs; tokens/s is the median over the runs too
 * Times are the minimum over repetitions unless said otherwise (medians are in the JSON).
 * Targets are issue 12's. A figure over 100% of a ceiling means the ceiling is wrong (too low):
 * the report says so beside it.
 */
#include <math.h>
#include <unistd.h>

#include "bench.h"

static cJSON *C, *BL, *E, *VW, *K;   /* ceilings, baseline, engine, views, kernels */
static cJSON *targets;

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}
static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
static cJSON *find_BT(const cJSON *arr, const char *k1, double v1, const char *k2, double v2) {
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
        if (num(it, k1) == v1 && (!k2 || num(it, k2) == v2)) return (cJSON *)it;
    return NULL;
}

/* sgemm ceiling (GFLOP/s) for N rows: measured at N, else at 256; *atN gets which. With
 * lm_head 0, the mix without the LM head (Σ FLOPs / Σ best times over the other shapes). */
static double ceiling_at(int N, int *atN, int lm_head) {
    const cJSON *byN = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(C, "sgemm"), "by_rows");
    const cJSON *o = find_BT(byN, "N", N, NULL, 0);
    if (!o) { o = find_BT(byN, "N", 256, NULL, 0); N = 256; }
    *atN = N;
    if (!o) return NAN;
    if (lm_head) return num(o, "ceiling_gflops");
    double flops = 0, secs = 0;
    const cJSON *sh;
    int i = 0;
    cJSON_ArrayForEach(sh, cJSON_GetObjectItemCaseSensitive(o, "shapes")) {
        if (i < BENCH_N_SHAPES && strcmp(bench_shapes[i].name, "lm_head") != 0) {
            double f = 2.0 * N * bench_shapes[i].in * bench_shapes[i].out;
            flops += f * bench_shapes[i].per;
            secs += f / (num(sh, "gflops_best") * 1e9) * bench_shapes[i].per;
        }
        i++;
    }
    return secs > 0 ? flops / secs / 1e9 : NAN;
}

/* Generation at context ctx, run by run: run 0 is the main run (engine.json, baseline.json,
 * bandwidth from ceilings.json), run r >= 1 an alternating round of run.sh (gen-engine-R.json,
 * gen-baseline-R.json, gen-bw-R.json, the bandwidth measured just before). Per run: the
 * engine's and the baseline's median ms per token and the bandwidth in GB/s, NAN where a file
 * or figure is missing. Returns the number of runs. */
enum { GEN_MAX_ROUNDS = 16 };
static double gen_ms(const cJSON *j, int ctx) {
    return num(find_BT(cJSON_GetObjectItemCaseSensitive(j, "generate"), "context", ctx, NULL, 0), "ms_per_token_median");
}
/* run.sh's generation round r of WHO ("engine", "baseline", "bw"), or NULL when it did not run */
static cJSON *gen_round(const char *build, const char *who, int r) {
    char p[4200];
    snprintf(p, sizeof p, "%s/gen-%s-%d.json", build, who, r);
    return access(p, R_OK) == 0 ? bench_read_json(p) : NULL;
}
static int gen_runs(const char *build, int ctx, double bw0, double *ems, double *bms, double *bw) {
    ems[0] = gen_ms(E, ctx);
    bms[0] = gen_ms(BL, ctx);
    bw[0] = bw0;
    int n = 1;
    for (int r = 1; r <= GEN_MAX_ROUNDS; r++, n++) {
        cJSON *j[3];
        static const char *const who[3] = { "engine", "baseline", "bw" };
        for (int k = 0; k < 3; k++) j[k] = gen_round(build, who[k], r);
        if (!j[0] && !j[1] && !j[2]) break;
        ems[r] = gen_ms(j[0], ctx);
        bms[r] = gen_ms(j[1], ctx);
        bw[r] = num(cJSON_GetObjectItemCaseSensitive(j[2], "bandwidth"), "gb_s");
        for (int k = 0; k < 3; k++) cJSON_Delete(j[k]);
    }
    return n;
}

/* median of the numbers of v[0..n) that are not NAN (NAN when none is) */
static double median_of(const double *v, int n) {
    double w[GEN_MAX_ROUNDS + 1];
    int m = 0;
    for (int i = 0; i < n; i++) if (!isnan(v[i])) w[m++] = v[i];
    return m ? bench_median(w, m) : NAN;
}

static void fmt(char *buf, size_t cap, const char *f, double v) {
    if (isnan(v)) snprintf(buf, cap, "n/a");
    else snprintf(buf, cap, f, v);
}

/* One target: prints nothing, records {name, value, target, met} and returns "MET"/"MISSED"/"n/a". */
static const char *target(const char *name, double value, const char *cmp, double limit, const char *unit) {
    const char *st = isnan(value) || isnan(limit) ? "n/a"
                   : (strcmp(cmp, ">=") == 0 ? value >= limit : value <= limit) ? "MET" : "MISSED";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    if (isnan(value)) cJSON_AddNullToObject(o, "value"); else cJSON_AddNumberToObject(o, "value", value);
    char t[64];
    snprintf(t, sizeof t, "%s %g%s", cmp, limit, unit);
    cJSON_AddStringToObject(o, "target", t);
    cJSON_AddStringToObject(o, "status", st);
    cJSON_AddItemToArray(targets, o);
    return st;
}

/* GGUF (issue 13's speed part): bench/mkgguf's llama of GPT-2-124M's size in F32, Q8_0, Q4_0.
 * BUILD/gguf-TYPE.json (bench_engine gguf: prompt, generation, warm start, RSS) and the
 * alternating rounds BUILD/gguf-gen-TYPE-R.json with BUILD/gguf-bw-R.json (the bandwidth just
 * before). Generation figures are medians over the main run and the rounds; the Q8_0/F32
 * ratio is taken round by round (the two measured one after the other), then the median. */
enum { GG_TYPES = 3 };
static const char *const gg_types[GG_TYPES] = { "F32", "Q8_0", "Q4_0" };
static int gguf_runs(const char *build, int ty, int ctx, double bw0, double *ms, double *bw) {
    char p[4200];
    snprintf(p, sizeof p, "%s/gguf-%s.json", build, gg_types[ty]);
    cJSON *j = access(p, R_OK) == 0 ? bench_read_json(p) : NULL;
    ms[0] = gen_ms(j, ctx);
    bw[0] = bw0;
    cJSON_Delete(j);
    int n = 1;
    for (int r = 1; r <= GEN_MAX_ROUNDS; r++, n++) {
        snprintf(p, sizeof p, "%s/gguf-bw-%d.json", build, r);
        if (access(p, R_OK) != 0) break;
        cJSON *b = bench_read_json(p);
        bw[r] = num(cJSON_GetObjectItemCaseSensitive(b, "bandwidth"), "gb_s");
        cJSON_Delete(b);
        snprintf(p, sizeof p, "%s/gguf-gen-%s-%d.json", build, gg_types[ty], r);
        j = access(p, R_OK) == 0 ? bench_read_json(p) : NULL;
        ms[r] = gen_ms(j, ctx);
        cJSON_Delete(j);
    }
    return n;
}

static void gguf_section(const char *build, cJSON *R, double bw0, double st_warm_ms) {
    cJSON *G[GG_TYPES];
    int any = 0;
    for (int ty = 0; ty < GG_TYPES; ty++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/gguf-%s.json", build, gg_types[ty]);
        G[ty] = access(p, R_OK) == 0 ? bench_read_json(p) : NULL;
        any |= G[ty] != NULL;
    }
    if (!any) { printf("\nGGUF: n/a (bench_engine gguf did not run)\n"); return; }
    /* llama.cpp's Q8_0 generation on this shape: issue 13 measured 290 tokens/s on its 2-core
     * machine (llama-bench, 2 threads); BENCH_LLAMACPP_Q8_TPS gives one measured by hand here. */
    const char *lc = getenv("BENCH_LLAMACPP_Q8_TPS");
    double llama_q8 = lc && *lc ? atof(lc) : 290;
    cJSON *out = cJSON_AddArrayToObject(R, "gguf");
    char a[64], b[64], c[64], d[64], e[64], f[64];
    printf("\nGGUF: bench/mkgguf's llama of GPT-2-124M's size (%s), seeded random weights; B=1 greedy generation\n",
           str(G[1] ? G[1] : G[0], "model") ? str(G[1] ? G[1] : G[0], "model") : "?");
    printf("  (tokens/s: medians over the main run and run.sh's alternating rounds; of bandwidth: Model.weight_bytes x tokens/s / the bandwidth measured with each run)\n");
    printf("  %-5s %8s %9s %11s %11s %9s %11s %9s %10s %10s\n", "type", "file MB", "MB/token", "start warm", "T=256 ms", "tok/s", "gen@64 tok/s", "of bw", "gen@512", "RSS MB");
    double tps64[GG_TYPES], ms64[GG_TYPES][GEN_MAX_ROUNDS + 1];
    int n64[GG_TYPES];
    for (int ty = 0; ty < GG_TYPES; ty++) {
        tps64[ty] = NAN; n64[ty] = 0;
        if (!G[ty]) continue;
        double wb = num(G[ty], "weight_bytes"), fb = num(G[ty], "file_bytes");
        const cJSON *sw = cJSON_GetObjectItemCaseSensitive(G[ty], "start_warm");
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(G[ty], "prompt256");
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(G[ty], "rss");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", gg_types[ty]);
        cJSON_AddItemToObject(o, "main_run", cJSON_Duplicate(G[ty], 1));
        double tps[2], frac[2];
        static const int Cs[2] = { 64, 512 };
        for (int ci = 0; ci < 2; ci++) {
            double ms[GEN_MAX_ROUNDS + 1], bw[GEN_MAX_ROUNDS + 1], fr[GEN_MAX_ROUNDS + 1];
            int n = gguf_runs(build, ty, Cs[ci], bw0, ms, bw);
            for (int i = 0; i < n; i++) fr[i] = wb / (ms[i] / 1e3) / (bw[i] * 1e9);
            tps[ci] = 1e3 / median_of(ms, n);
            frac[ci] = median_of(fr, n);
            if (ci == 0) { memcpy(ms64[ty], ms, sizeof(double) * (size_t)n); n64[ty] = n; tps64[ty] = tps[0]; }
            char k[64];
            snprintf(k, sizeof k, "tokens_per_s_at_%d", Cs[ci]);
            cJSON_AddNumberToObject(o, k, tps[ci]);
            snprintf(k, sizeof k, "fraction_of_bandwidth_at_%d", Cs[ci]);
            cJSON_AddNumberToObject(o, k, frac[ci]);
            snprintf(k, sizeof k, "runs_at_%d", Cs[ci]);
            cJSON_AddNumberToObject(o, k, n);
        }
        fmt(a, sizeof a, "%.0f ms", num(sw, "ms_median"));
        fmt(b, sizeof b, "%.0f", num(pr, "ms_min"));
        fmt(c, sizeof c, "%.0f", num(pr, "tokens_per_s"));
        fmt(d, sizeof d, "%.1f", tps[0]);
        fmt(e, sizeof e, "%.0f%%", 100 * frac[0]);
        char g512[64] = "n/a";
        if (!isnan(tps[1])) {
            if (isnan(frac[1])) snprintf(g512, sizeof g512, "%.1f", tps[1]);
            else snprintf(g512, sizeof g512, "%.1f (%.0f%%)", tps[1], 100 * frac[1]);
        }
        fmt(f, sizeof f, "%.0f", num(rs, "maxrss_mb"));
        printf("  %-5s %8.0f %9.1f %11s %11s %9s %11s %9s %10s %10s\n", gg_types[ty], fb / 1e6, wb / 1e6, a, b, c, d, e, g512, f);
        cJSON_AddItemToArray(out, o);
    }
    for (int ty = 0; ty < GG_TYPES; ty++) {
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(G[ty], "rss");
        if (!G[ty] || !rs) continue;
        printf("  %s RSS (T=256 trace, peak): %.0f MB = the file's %.0f MB x %.2f (+%.0f MB)\n", gg_types[ty],
               num(rs, "maxrss_mb"), num(G[ty], "file_bytes") / 1e6, num(rs, "maxrss_mb") * 1e6 / num(G[ty], "file_bytes"),
               num(rs, "maxrss_mb") - num(G[ty], "file_bytes") / 1e6);
    }
    /* targets */
    double rr[GEN_MAX_ROUNDS + 1];
    int nr = n64[0] < n64[1] ? n64[0] : n64[1];
    for (int i = 0; i < nr; i++) rr[i] = ms64[0][i] / ms64[1][i];
    double q8_ratio = nr ? median_of(rr, nr) : NAN;
    fmt(a, sizeof a, "%.2fx", q8_ratio);
    printf("  Q8_0 generation at context 64 = %s the F32's (median of the runs' ratios, each pair measured one after the other)   target >= 3x: %s\n",
           a, target("GGUF Q8_0 generation / F32 generation", q8_ratio, ">=", 3, "x"));
    for (int ty = 0; ty < GG_TYPES; ty++) {
        const cJSON *sw = cJSON_GetObjectItemCaseSensitive(G[ty], "start_warm");
        if (!G[ty]) continue;
        double r = num(sw, "ms_median") / st_warm_ms;
        char nm[96];
        snprintf(nm, sizeof nm, "GGUF %s start to first station / safetensors GPT-2's", gg_types[ty]);
        fmt(a, sizeof a, "%.2fx", r);
        fmt(b, sizeof b, "%.0f ms", st_warm_ms);
        printf("  %s start to first station, warm = %s the safetensors GPT-2's (%s; open %.0f ms, tokenize+forward %.0f ms)   target <= 1.2x: %s\n",
               gg_types[ty], a, b, num(sw, "open_ms_median"), num(sw, "forward_ms_median"), target(nm, r, "<=", 1.2, "x"));
    }
    double aim = tps64[1] / llama_q8;
    fmt(a, sizeof a, "%.2fx", aim);
    printf("  Q8_0 generation = %s llama.cpp's %.0f tokens/s (%s)   aim >= 0.5x: %s\n", a, llama_q8,
           lc && *lc ? "BENCH_LLAMACPP_Q8_TPS, measured by hand" : "issue 13's figure from an Intel Xeon of 2026-11; BENCH_LLAMACPP_Q8_TPS=N gives one measured on this machine",
           target("GGUF Q8_0 generation / llama.cpp Q8_0", aim, ">=", 0.5, "x"));
    if (!isnan(tps64[1]) && !isnan(bw0) && G[1]) {
        double wb = num(G[1], "weight_bytes");
        printf("  where a Q8_0 token's %.1f ms go: reading its %.0f MB of weights at %.1f GB/s would take %.1f ms; the other %.1f ms are "
               "the dot kernels' arithmetic, attention and the small ops (bench/README.md, \"GGUF\": where the Q8_0 token's time goes, from perf)\n",
               1e3 / tps64[1], wb / 1e6, bw0, wb / (bw0 * 1e9) * 1e3, 1e3 / tps64[1] - wb / (bw0 * 1e9) * 1e3);
    }
    for (int ty = 0; ty < GG_TYPES; ty++) cJSON_Delete(G[ty]);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: report BUILD_DIR OUT.json MODEL_KIND\n"); return 2; }
    char p[4096];
    snprintf(p, sizeof p, "%s/ceilings.json", argv[1]); C = bench_read_json(p);
    snprintf(p, sizeof p, "%s/baseline.json", argv[1]); BL = bench_read_json(p);
    snprintf(p, sizeof p, "%s/engine.json", argv[1]); E = bench_read_json(p);
    snprintf(p, sizeof p, "%s/views.json", argv[1]); VW = bench_read_json(p);
    snprintf(p, sizeof p, "%s/kernels.json", argv[1]); K = bench_read_json(p);
    const char *kind = argv[3];
    const char *build = argv[1];
    targets = cJSON_CreateArray();
    cJSON *R = cJSON_CreateObject();
    char a[64], b[64], c[64], d[64], e[64], f[64];

    const cJSON *bw = cJSON_GetObjectItemCaseSensitive(C, "bandwidth");
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(C, "sgemm");
    double bw_gbs = num(bw, "gb_s");
    int n256;
    double ceil256 = ceiling_at(256, &n256, 1);
    double wbytes = num(E, "weight_bytes");
    if (isnan(wbytes)) wbytes = 4.0 * (bench_matmul_params() + 2.0 * G_L * G_D * 8);   /* ~124M floats */

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\n=== shapewalk bench ===========================================================================\n");
    printf("model     %s (%s)\n", str(E, "model") ? str(E, "model") : "gpt2 124M shapes", kind);
    printf("machine   %ld cores; OpenBLAS threads set to %g by openblas_set_num_threads (engine: %g); baseline OpenMP threads %g\n",
           ncpu, num(sg, "openblas_threads"), num(E, "openblas_threads"), num(BL, "omp_threads"));
    const cJSON *fm = cJSON_GetObjectItemCaseSensitive(C, "fma_peak");
    double fma_gf = num(fm, "gflops");
    {   /* OpenBLAS's kernels: each measured at the forward's shapes, and which one ran what */
        const cJSON *k;
        if (cJSON_IsArray(K) && cJSON_GetArraySize(K) > 0) {
            printf("kernels   OpenBLAS at 256x768x3072 (sgemm NN / NT GFLOP/s; sgemv 3072x768 from L3, LM head from memory GB/s):\n");
            cJSON_ArrayForEach(k, K)
                printf("            %-12s sgemm %6.1f / %6.1f   sgemv %6.1f   LM-head sgemv %5.1f\n", str(k, "kernel") ? str(k, "kernel") : "?",
                       num(k, "sgemm_256x768x3072_nn_gflops"), num(k, "sgemm_256x768x3072_nt_gflops"), num(k, "sgemv_3072x768_gbs"),
                       num(k, "sgemv_lm_head_gbs"));
        }
        const char *env = getenv("BENCH_ENV_CORETYPE");
        printf("          sgemm ceiling measured with %s; the engine ran %s%s%s%s\n",
               str(sg, "openblas_kernel") ? str(sg, "openblas_kernel") : "?", str(E, "blas") ? str(E, "blas") : "?",
               env && *env ? " (OPENBLAS_CORETYPE=" : "", env && *env ? env : "", env && *env ? " in the environment was unset for the bench)" : "");
    }
    fmt(a, sizeof a, "%.1f", ceil256);
    fmt(b, sizeof b, "%.1f", bw_gbs);
    fmt(c, sizeof c, "%.0f", fma_gf);
    printf("ceilings  sgemm %s GFLOP/s at N=256 (the forward's matmul mix, best of reps, kernel %s)\n", a,
           str(sg, "openblas_kernel") ? str(sg, "openblas_kernel") : "?");
    printf("          FMA peak %s GFLOP/s (%s loop on %g threads; sgemm at N=256 is %.0f%% of it)\n", c, str(fm, "isa") ? str(fm, "isa") : "n/a",
           num(fm, "threads"), 100 * ceil256 / fma_gf);
    printf("          read bandwidth %s GB/s (%g MB; best of %d ways: %s, %g thread%s)\n", b, num(bw, "buffer_mb"),
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(bw, "methods")), str(bw, "best_method") ? str(bw, "best_method") : "plain sum",
           num(bw, "best_threads"), num(bw, "best_threads") == 1 ? "" : "s");
    const char *others = getenv("BENCH_OTHERS_PCT");
    double others_pct = others && *others ? atof(others) : NAN;
    const char *rtu = getenv("BENCH_RT_USED");
    int rt = rtu && *rtu == '1';
    if (!isnan(others_pct))
        printf("noise     other processes took %.0f%% of the machine's CPU time while the bench ran%s%s\n", others_pct,
               rt ? "; the timed programs ran under SCHED_FIFO, ahead of them" : "",
               others_pct <= 5 ? " (quiet enough)" : rt ? " (figures may still be disturbed a little)"
                                                        : ": THE FIGURES ARE DISTURBED; run again on a quiet machine");
    cJSON *mach = cJSON_AddObjectToObject(R, "machine");
    cJSON_AddNumberToObject(mach, "cores", (double)ncpu);
    if (!isnan(others_pct)) cJSON_AddNumberToObject(mach, "others_cpu_percent", others_pct);
    cJSON_AddBoolToObject(mach, "sched_fifo", rt);
    cJSON_AddItemToObject(mach, "ceilings", C ? cJSON_Duplicate(C, 1) : cJSON_CreateNull());
    if (K) cJSON_AddItemToObject(mach, "kernels", cJSON_Duplicate(K, 1));
    cJSON_AddStringToObject(R, "model_kind", kind);
    if (E) cJSON_AddStringToObject(R, "model", str(E, "model") ? str(E, "model") : "");

    /* agreement */
    const cJSON *ag = cJSON_GetObjectItemCaseSensitive(E, "agreement");
    if (ag) {
        printf("agreement engine vs plain-C baseline on \" The quick brown fox...\": %s (top-1 equal %g/%g, max |logit diff| %.1e)\n",
               str(ag, "status") ? str(ag, "status") : "?", num(ag, "top1_equal"), num(ag, "positions"), num(ag, "max_abs_logit_diff"));
        cJSON_AddItemToObject(R, "agreement", cJSON_Duplicate(ag, 1));
    } else {
        printf("agreement n/a (the engine bench did not run)\n");
    }

    /* whole prompt */
    printf("\nwhole-prompt forward (Trace_run_ids, full trace)         useful FLOPs = 2*N*%.1fM + 2*L*B*D*T*(T+1)\n", bench_matmul_params() / 1e6);
    printf("  (ceiling at N = B*T: the sgemm rate of the forward's own matmuls at that many rows)\n");
    printf("  %-3s %-5s %11s %11s %9s %13s %8s %12s %9s   %s\n", "B", "T", "min ms", "median ms", "GFLOP/s", "of ceiling", "of peak", "baseline ms", "speed-up", "target");
    char where[512] = "";
    cJSON *pr = cJSON_AddArrayToObject(R, "prompt");
    static const int Ts[] = { 8, 64, 256, 1024 };
    for (int B = 1; B <= 2; B++) {
        for (int ti = 0; ti < 4; ti++) {
            int T = Ts[ti], N = B * T, atN;
            const cJSON *eo = find_BT(cJSON_GetObjectItemCaseSensitive(E, "prompt"), "B", B, "T", T);
            const cJSON *bo = find_BT(cJSON_GetObjectItemCaseSensitive(BL, "prompt"), "B", B, "T", T);
            double mn = num(eo, "ms_min"), med = num(eo, "ms_median");
            int lm = !eo || num(eo, "lm_head_in_pass") != 0;
            double gf = bench_forward_flops(B, T, lm) / (mn / 1e3) / 1e9;
            /* the ceiling of the matmuls actually run (without the LM head when it was skipped) */
            double ceil = ceiling_at(N, &atN, lm);
            double frac = gf / ceil;
            double bms = num(bo, "ms_min");
            double speed = bms / mn;
            fmt(a, sizeof a, "%.1f", mn); fmt(b, sizeof b, "%.1f", med); fmt(c, sizeof c, "%.1f", gf);
            char fr[64];
            if (isnan(frac)) snprintf(fr, sizeof fr, "n/a"); else snprintf(fr, sizeof fr, "%.0f%% (N=%d)", 100 * frac, atN);
            fmt(d, sizeof d, "%.1f", bms); fmt(e, sizeof e, "%.1fx", speed);
            char tg[200] = "", pk[32];
            fmt(pk, sizeof pk, "%.0f%%", 100 * gf / fma_gf);
            if (!lm) snprintf(tg, sizeof tg, "(no LM head in the pass: logits over the trace budget)");
            if (B == 1 && T == 256) {
                const char *s1 = target("prompt B=1 T=256 fraction of sgemm ceiling", frac, ">=", 0.80, "");
                const char *s2 = target("prompt B=1 T=256 speed-up over baseline", speed, ">=", 8, "x");
                snprintf(tg, sizeof tg, ">=80%%: %s; >=8x: %s", s1, s2);
                if (strcmp(s1, "MISSED") == 0 || strcmp(s2, "MISSED") == 0) {
                    const cJSON *cn = find_BT(cJSON_GetObjectItemCaseSensitive(sg, "by_rows"), "N", 256, NULL, 0);
                    double mm = num(cn, "matmul_ms"), emm = num(eo, "engine_matmul_ms");
                    if (!isnan(emm) && emm > 0)   /* the engine timed its own matmuls in that pass */
                        snprintf(where, sizeof where,
                                 "  where the time went at T=256: %.0f ms, of which the matmuls took %.0f ms (%.0f%% of the ceiling's rate: "
                                 "at the ceiling they would take %.0f ms; the ceiling times each shape on one W call after call, a pass "
                                 "reads each W once, from memory) and the other %.0f ms are attention, norms, GELU, the trace's copies and page faults\n",
                                 mn, emm, 100 * mm / emm, mm, mn - emm);
                    else
                        snprintf(where, sizeof where,
                                 "  where the time went at T=256: %.0f ms, of which the matmuls at the sgemm ceiling would take %.0f ms; "
                                 "the other %.0f ms are attention, norms, GELU, copies and matmuls below the ceiling\n",
                                 mn, mm, mn - mm);
                }
            }
            if (frac > 1.0)
                snprintf(tg + strlen(tg), sizeof tg - strlen(tg), "%sOVER 100%% of the sgemm ceiling: that ceiling is too low%s",
                         tg[0] ? "; " : "", N < 16 ? " here (below 16 rows the engine does not use sgemm)" : " (a bug in ceilings.c)");
            if (gf > fma_gf) snprintf(tg + strlen(tg), sizeof tg - strlen(tg), "; OVER the FMA peak: a bug in the peak loop");
            printf("  %-3d %-5d %11s %11s %9s %13s %8s %12s %9s   %s\n", B, T, a, b, c, fr, pk, d, e, tg);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "B", B);
            cJSON_AddNumberToObject(o, "T", T);
            cJSON_AddNumberToObject(o, "useful_gflop", bench_forward_flops(B, T, lm) / 1e9);
            cJSON_AddBoolToObject(o, "lm_head_in_pass", lm);
            if (eo) {
                cJSON_AddNumberToObject(o, "ms_min", mn);
                cJSON_AddNumberToObject(o, "ms_median", med);
                cJSON_AddNumberToObject(o, "gflops", gf);
                cJSON_AddNumberToObject(o, "ceiling_gflops", ceil);
                cJSON_AddNumberToObject(o, "ceiling_at_N", atN);
                cJSON_AddNumberToObject(o, "fraction_of_sgemm_ceiling", frac);
                cJSON_AddNumberToObject(o, "fraction_of_fma_peak", gf / fma_gf);
            }
            if (bo) {
                cJSON_AddNumberToObject(o, "baseline_ms_min", bms);
                cJSON_AddNumberToObject(o, "baseline_ms_median", num(bo, "ms_median"));
                if (eo) cJSON_AddNumberToObject(o, "speedup_over_baseline", speed);
            }
            cJSON_AddItemToArray(pr, o);
        }
    }

    printf("%s", where);

    /* generation */
    printf("\ngeneration with the KV cache, B=1, greedy                 bytes read per token = %.1f MB (Model.weight_bytes)\n", wbytes / 1e6);
    printf("  (medians over the main run and run.sh's alternating rounds; each run against the bandwidth measured with it)\n");
    printf("  %-8s %12s %14s %15s %14s %9s   %s\n", "context", "tokens/s", "of bandwidth", "baseline tok/s", "of bandwidth", "ratio", "target");
    cJSON *ge = cJSON_AddArrayToObject(R, "generate");
    static const int Cs[] = { 64, 512 };
    for (int ci = 0; ci < 2; ci++) {
        int ctx = Cs[ci];
        /* medians over the main run and the alternating rounds (run.sh); a run's fraction is
         * of the bandwidth measured with it */
        double ems[GEN_MAX_ROUNDS + 1], bms[GEN_MAX_ROUNDS + 1], bws[GEN_MAX_ROUNDS + 1];
        double ef[GEN_MAX_ROUNDS + 1], bf[GEN_MAX_ROUNDS + 1], rr[GEN_MAX_ROUNDS + 1];
        int nr = gen_runs(build, ctx, bw_gbs, ems, bms, bws);
        for (int i = 0; i < nr; i++) {
            ef[i] = wbytes / (ems[i] / 1e3) / (bws[i] * 1e9);
            bf[i] = wbytes / (bms[i] / 1e3) / (bws[i] * 1e9);
            rr[i] = bms[i] / ems[i];
        }
        double tps = 1e3 / median_of(ems, nr), btps = 1e3 / median_of(bms, nr);
        double frac = median_of(ef, nr), bfrac = median_of(bf, nr);
        double ratio = tps / btps;
        fmt(a, sizeof a, "%.1f", tps); fmt(b, sizeof b, "%.0f%%", 100 * frac);
        fmt(c, sizeof c, "%.1f", btps); fmt(d, sizeof d, "%.0f%%", 100 * bfrac); fmt(e, sizeof e, "%.2fx", ratio);
        char nm1[96], nm2[96], tg[96];
        snprintf(nm1, sizeof nm1, "generation at context %d fraction of bandwidth", ctx);
        snprintf(nm2, sizeof nm2, "generation at context %d ratio to baseline", ctx);
        const char *s1 = target(nm1, frac, ">=", 0.80, "");
        const char *s2 = target(nm2, ratio, ">=", 1.1, "x");
        char tg2[200];
        snprintf(tg2, sizeof tg2, ">=80%%: %s; >=1.1x baseline: %s%s", s1, s2,
                 frac > 1.0 ? "; OVER 100% of the read bandwidth: that ceiling is too low (a bug in ceilings.c)" : "");
        printf("  %-8d %12s %14s %15s %14s %9s   %s\n", ctx, a, b, c, d, e, tg2);
        if (strcmp(s1, "MISSED") == 0 || strcmp(s2, "MISSED") == 0)
            printf("  where the time went at context %d: %.1f ms a token, of which reading the %.0f MB of weights at %.1f GB/s would take %.1f ms; "
                   "the other %.1f ms are attention over the cache, the small ops, and sgemv below the bandwidth\n",
                   ctx, 1e3 / tps, wbytes / 1e6, bw_gbs, wbytes / (bw_gbs * 1e9) * 1e3, 1e3 / tps - wbytes / (bw_gbs * 1e9) * 1e3);
        (void)tg;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "context", ctx);
        cJSON_AddNumberToObject(o, "runs", nr);
        cJSON *jr = cJSON_AddArrayToObject(o, "ratio_by_run");
        cJSON *jf = cJSON_AddArrayToObject(o, "fraction_of_bandwidth_by_run");
        cJSON *jb = cJSON_AddArrayToObject(o, "bandwidth_gb_s_by_run");
        for (int i = 0; i < nr; i++) {
            cJSON_AddItemToArray(jr, isnan(rr[i]) ? cJSON_CreateNull() : cJSON_CreateNumber(rr[i]));
            cJSON_AddItemToArray(jf, isnan(ef[i]) ? cJSON_CreateNull() : cJSON_CreateNumber(ef[i]));
            cJSON_AddItemToArray(jb, isnan(bws[i]) ? cJSON_CreateNull() : cJSON_CreateNumber(bws[i]));
        }
        if (!isnan(tps)) {
            cJSON_AddNumberToObject(o, "tokens_per_s", tps);
            cJSON_AddNumberToObject(o, "ms_per_token_median", 1e3 / tps);
            cJSON_AddNumberToObject(o, "fraction_of_bandwidth", frac);
        }
        if (!isnan(btps)) {
            cJSON_AddNumberToObject(o, "baseline_tokens_per_s", btps);
            cJSON_AddNumberToObject(o, "baseline_fraction_of_bandwidth", bfrac);
            if (!isnan(tps)) cJSON_AddNumberToObject(o, "ratio_to_baseline", ratio);
        }
        cJSON_AddItemToArray(ge, o);
    }

    {   /* how much the machine's bandwidth moved over the runs: a drifting host moves every figure */
        double ems[GEN_MAX_ROUNDS + 1], bms[GEN_MAX_ROUNDS + 1], bws[GEN_MAX_ROUNDS + 1], lo = INFINITY, hi = 0;
        int nr = gen_runs(build, 64, bw_gbs, ems, bms, bws);
        for (int i = 0; i < nr; i++)
            if (!isnan(bws[i])) { lo = bws[i] < lo ? bws[i] : lo; hi = bws[i] > hi ? bws[i] : hi; }
        if (hi > 0) {
            printf("  read bandwidth over the %d runs: %.1f-%.1f GB/s (%.0f%% apart)%s\n", nr, lo, hi, 100 * (hi - lo) / hi,
                   hi - lo > 0.15 * hi ? ": the host's memory was busy, figures may be off by as much" : "");
            cJSON_AddNumberToObject(R, "bandwidth_spread", (hi - lo) / hi);
        }
    }
    {   /* two prompts generating together: one step makes a token for each */
        const cJSON *b2 = find_BT(cJSON_GetObjectItemCaseSensitive(E, "generate"), "B", 2, "context", 64);
        if (b2) {
            /* the ratio of each run (the main one and run.sh's rounds: B=1 and B=2 a few seconds
             * apart in one process), then their median: the memory's speed drifts between runs */
            double rr[GEN_MAX_ROUNDS + 1], lo = INFINITY, hi = 0;
            int nr = 0;
            for (int r = 0; r <= GEN_MAX_ROUNDS; r++) {
                cJSON *j = r == 0 ? NULL : gen_round(build, "engine", r);
                if (r > 0 && !j) break;
                const cJSON *g = cJSON_GetObjectItemCaseSensitive(r == 0 ? E : j, "generate");
                double v = num(find_BT(g, "B", 2, "context", 64), "ms_per_token_median") /
                           num(find_BT(g, "B", 1, "context", 64), "ms_per_token_median");
                if (!isnan(v)) {
                    rr[nr++] = v;
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                }
                cJSON_Delete(j);
            }
            double r2 = median_of(rr, nr);
            char range[64] = "";
            if (nr > 1) snprintf(range, sizeof range, " (median of %d runs' ratios: %.2f-%.2fx)", nr, lo, hi);
            printf("  B=2 at context 64: %.1f ms per step = %.1f tokens/s (one step reads the weights once for both prompts); "
                   "%.2fx the time of B=1's step%s   target <= 1.2x: %s\n",
                   num(b2, "ms_per_token_median"), num(b2, "tokens_per_s"), r2, range,
                   target("B=2 step time over B=1's, context 64", r2, "<=", 1.2, "x"));
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "B", 2);
            cJSON_AddNumberToObject(o, "context", 64);
            cJSON_AddNumberToObject(o, "ms_per_step_median", num(b2, "ms_per_token_median"));
            cJSON_AddNumberToObject(o, "tokens_per_s", num(b2, "tokens_per_s"));
            cJSON_AddNumberToObject(o, "step_ratio_to_B1_median", r2);
            cJSON_AddItemToObject(R, "generate_B2", o);
        }
    }

    /* start */
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(E, "start");
    const cJSON *warm = cJSON_GetObjectItemCaseSensitive(st, "warm"), *cold = cJSON_GetObjectItemCaseSensitive(st, "cold");
    const cJSON *dump = cJSON_GetObjectItemCaseSensitive(st, "shapewalk_dump");
    printf("\nstart to first station (fresh process: model open + tokenize + first forward, the lesson's B=2 prompts)\n");
    fmt(a, sizeof a, "%.0f ms", num(warm, "ms_median"));
    fmt(b, sizeof b, "%.0f", num(warm, "open_ms_median"));
    fmt(c, sizeof c, "%.0f", num(warm, "forward_ms_median"));
    printf("  warm page cache   %-10s (open %s ms, tokenize+forward %s ms)   target <= 300 ms: %s\n", a, b, c,
           target("start to first station, warm", num(warm, "ms_median"), "<=", 300, " ms"));
    if (!isnan(num(st, "first_start_ms")))
        printf("  first start       %.0f ms     (empty cache folder: includes any aligned copy of the weights the engine makes once)\n",
               num(st, "first_start_ms"));
    if (cold && !isnan(num(cold, "ms_median"))) {
        fmt(a, sizeof a, "%.0f ms", num(cold, "ms_median"));
        printf("  cold page cache   %-10s (weights evicted with %s)\n", a, str(cold, "method") ? str(cold, "method") : "?");
    } else {
        printf("  cold page cache   %s\n", cold && str(cold, "status") ? str(cold, "status") : "n/a");
    }
    if (dump && !isnan(num(dump, "warm_ms_median"))) {
        fmt(a, sizeof a, "%.0f ms", num(dump, "warm_ms_median"));
        fmt(b, sizeof b, "%.0f ms", num(dump, "cold_ms"));
        printf("  `shapewalk --dump` end to end: warm %s, cold %s\n", a, b);
    } else {
        printf("  `shapewalk --dump` end to end: n/a (%s)\n", dump && str(dump, "status") ? str(dump, "status") : "program not built or not given");
    }
    const cJSON *alc = cJSON_GetObjectItemCaseSensitive(E, "aligned_copy");
    const cJSON *ast = cJSON_GetObjectItemCaseSensitive(alc, "start");
    if (ast) {
        const cJSON *aw = cJSON_GetObjectItemCaseSensitive(ast, "warm"), *ac = cJSON_GetObjectItemCaseSensitive(ast, "cold");
        fmt(a, sizeof a, "%.0f ms", num(aw, "ms_median"));
        fmt(b, sizeof b, "%.0f", num(aw, "open_ms_median"));
        fmt(c, sizeof c, "%.0f ms", num(ac, "ms_median"));
        printf("  the same weights with the data section 64-byte aligned (mapped, not copied): warm %s (open %s ms), cold %s\n", a, b, c);
        cJSON_AddItemToObject(R, "aligned_copy", cJSON_Duplicate(alc, 1));
    }
    if (st) cJSON_AddItemToObject(R, "start", cJSON_Duplicate(st, 1));

    /* views */
    const cJSON *vw = cJSON_GetObjectItemCaseSensitive(VW, "views");
    const cJSON *worst = cJSON_GetObjectItemCaseSensitive(vw, "worst_ms_per_frame");
    printf("\nview draw time per frame at 200x60 (prepare + draw + doupdate to /dev/null; worst of the lesson batch and a T=128 prompt)\n");
    static const char *vn[3] = { "attention_all_heads", "heatmap", "topk" };
    for (int i = 0; i < 3; i++) {
        double ms = num(worst, vn[i]);
        char nm[96];
        snprintf(nm, sizeof nm, "view %s ms per frame", vn[i]);
        fmt(a, sizeof a, "%.2f ms", ms);
        printf("  %-22s %-10s target < 10 ms: %s\n", vn[i], a, target(nm, ms, "<=", 10, " ms"));
    }
    if (!vw) printf("  (n/a: bench_views did not build or run)\n");
    else if (str(vw, "status") && strcmp(str(vw, "status"), "ok") != 0) printf("  (%s)\n", str(vw, "status"));
    if (vw) cJSON_AddItemToObject(R, "views", cJSON_Duplicate(vw, 1));

    /* rss */
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(E, "rss");
    double wfile = num(E, "weights_file_bytes") / 1e6, peak = num(rs, "maxrss_mb");
    printf("\npeak RSS, T=1024 with the full trace (child process, getrusage maxrss; MB = 10^6 bytes)\n");
    fmt(a, sizeof a, "%.0f MB", peak);
    fmt(b, sizeof b, "%.0f MB", wfile);
    fmt(c, sizeof c, "%.0f MB", wfile + 400);
    fmt(f, sizeof f, "%.0f MB", peak - wfile);
    printf("  %-10s = weights file %s + %s      target <= %s: %s\n", a, b, f, c,
           target("peak RSS at T=1024 minus weights file", peak - wfile, "<=", 400, " MB"));
    const cJSON *ars = cJSON_GetObjectItemCaseSensitive(alc, "rss");
    if (ars) {
        fmt(a, sizeof a, "%.0f MB", num(ars, "maxrss_mb"));
        fmt(f, sizeof f, "%.0f MB", num(ars, "maxrss_mb") - wfile);
        printf("  the same weights 64-byte aligned: %s = weights file + %s\n", a, f);
    }
    if (rs) cJSON_AddItemToObject(R, "rss", cJSON_Duplicate(rs, 1));

    gguf_section(build, R, bw_gbs, num(warm, "ms_median"));

    /* summary of targets */
    int met = 0, missed = 0, na = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, targets) {
        const char *s = str(it, "status");
        if (!strcmp(s, "MET")) met++; else if (!strcmp(s, "MISSED")) missed++; else na++;
    }
    printf("\ntargets: %d met, %d missed, %d n/a   (figures: %s)\n", met, missed, na, argv[2]);
    cJSON_AddItemToObject(R, "targets", targets);
    if (E) cJSON_AddItemToObject(R, "engine_raw", cJSON_Duplicate(E, 1));
    if (BL) cJSON_AddItemToObject(R, "baseline_raw", cJSON_Duplicate(BL, 1));
    int rc = bench_write_json(argv[2], R);
    cJSON_Delete(R);
    cJSON_Delete(C); cJSON_Delete(BL); cJSON_Delete(E); cJSON_Delete(VW); cJSON_Delete(K);
    return rc ? 1 : 0;
}
