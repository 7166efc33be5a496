/* ceilings.c - this machine's own limits, the yardsticks for the forward pass:
 *
 *   1. memory read bandwidth: read a buffer much larger than the last-level cache (1 GB by
 *      default) with THREADS threads and with 1, by several methods (a plain sum the compiler
 *      vectorizes; explicit AVX2 / AVX-512 loads into 8 independent sums; the same with software
 *      prefetch ahead), and take the best pass of all, in GB/s (1e9 bytes/s): a ceiling must be
 *      one the hardware cannot beat, so every way of streaming gets its chance;
 *   2. the peak FMA rate of the cores: a tight loop of independent AVX-512 (else AVX2) FMAs on
 *      THREADS threads at once, chosen at run time by what the CPU has, in GFLOP/s (an FMA is 2);
 *   3. OpenBLAS sgemm GFLOP/s at the shapes of GPT-2 124M's forward pass on N rows
 *      (y(N,out) = x(N,in) @ W(in,out); the LM head uses Eᵀ, i.e. CblasTrans on (V,D)),
 *      with OpenBLAS threads set deliberately to THREADS by openblas_set_num_threads(), with the
 *      kernel OpenBLAS runs (openblas_get_corename(); run.sh sets OPENBLAS_CORETYPE to the
 *      fastest kernel it measured with bench/kernels).
 *
 *   ceilings OUT.json THREADS BUF_MB N [N...]
 *   ceilings OUT.json THREADS BUF_MB            bandwidth only (run.sh's generation rounds)
 *
 * The sgemm ceiling at N is the rate of the forward's own mix of matmuls:
 *   ceiling(N) = Σ_shapes per*2*N*in*out / Σ_shapes per*best_time(shape)
 * i.e. the speed of a forward pass that did nothing but its matmuls, each at its best measured
 * speed. Bandwidth is measured first, before OpenBLAS starts its (spinning) threads.
 */
#include <pthread.h>
#include <immintrin.h>
#include <cblas.h>

#include "bench.h"

/* ---- bandwidth ---- */

typedef struct { const float *x; size_t n; float sum; } SumJob;

static void *sum_part(void *arg) {
    SumJob *j = arg;
    /* 64 independent sums (8 AVX vectors) so the adds never wait on each other: the loop is
     * bound by memory, not by the add latency */
    float acc[64] = { 0 };
    size_t i = 0, n = j->n & ~(size_t)63;
    for (; i < n; i += 64)
        for (int k = 0; k < 64; k++) acc[k] += j->x[i + k];
    float s = 0;
    for (; i < j->n; i++) s += j->x[i];
    for (int k = 0; k < 64; k++) s += acc[k];
    j->sum = s;
    return NULL;
}

typedef struct { float *x; size_t n; } FillJob;
static void *fill_part(void *arg) {
    FillJob *j = arg;
    for (size_t i = 0; i < j->n; i++) j->x[i] = 1.0f;
    return NULL;
}

/* explicit vector loads into 8 independent sums, optionally prefetching 4 KB ahead */
__attribute__((target("avx2"))) static float sum_avx2(const float *x, size_t n, int prefetch) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        if (prefetch) _mm_prefetch((const char *)(x + i + 1024), _MM_HINT_T0);
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16)); a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
        a4 = _mm256_add_ps(a4, _mm256_loadu_ps(x + i + 32)); a5 = _mm256_add_ps(a5, _mm256_loadu_ps(x + i + 40));
        a6 = _mm256_add_ps(a6, _mm256_loadu_ps(x + i + 48)); a7 = _mm256_add_ps(a7, _mm256_loadu_ps(x + i + 56));
    }
    __m256 t = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    float v[8], s = 0;
    _mm256_storeu_ps(v, t);
    for (int k = 0; k < 8; k++) s += v[k];
    for (; i < n; i++) s += x[i];
    return s;
}
__attribute__((target("avx512f"))) static float sum_avx512(const float *x, size_t n, int prefetch) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        if (prefetch) {
            _mm_prefetch((const char *)(x + i + 1024), _MM_HINT_T0);
            _mm_prefetch((const char *)(x + i + 1024 + 64), _MM_HINT_T0);
        }
        a0 = _mm512_add_ps(a0, _mm512_loadu_ps(x + i));      a1 = _mm512_add_ps(a1, _mm512_loadu_ps(x + i + 16));
        a2 = _mm512_add_ps(a2, _mm512_loadu_ps(x + i + 32)); a3 = _mm512_add_ps(a3, _mm512_loadu_ps(x + i + 48));
        a4 = _mm512_add_ps(a4, _mm512_loadu_ps(x + i + 64)); a5 = _mm512_add_ps(a5, _mm512_loadu_ps(x + i + 80));
        a6 = _mm512_add_ps(a6, _mm512_loadu_ps(x + i + 96)); a7 = _mm512_add_ps(a7, _mm512_loadu_ps(x + i + 112));
    }
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))));
    for (; i < n; i++) s += x[i];
    return s;
}

enum { M_SUM, M_AVX2, M_AVX2_PF, M_AVX512, M_AVX512_PF, M_COUNT };
static const char *method_names[M_COUNT] = {"plain sum", "AVX2 loads", "AVX2 loads + prefetch", "AVX-512 loads",
                                            "AVX-512 loads + prefetch"};
static int method_ok(int m) {
    if (m == M_AVX2 || m == M_AVX2_PF) return __builtin_cpu_supports("avx2");
    if (m == M_AVX512 || m == M_AVX512_PF) return __builtin_cpu_supports("avx512f");
    return 1;
}

typedef struct { const float *x; size_t n; float sum; int method; } ReadJob;
static void *read_part(void *arg) {
    ReadJob *j = arg;
    switch (j->method) {
    case M_AVX2: j->sum = sum_avx2(j->x, j->n, 0); break;
    case M_AVX2_PF: j->sum = sum_avx2(j->x, j->n, 1); break;
    case M_AVX512: j->sum = sum_avx512(j->x, j->n, 0); break;
    case M_AVX512_PF: j->sum = sum_avx512(j->x, j->n, 1); break;
    default: {
        SumJob sj = {j->x, j->n, 0};
        sum_part(&sj);
        j->sum = sj.sum;
    }
    }
    return NULL;
}

/* Best GB/s of `passes` parallel reads of x[0..n) with nthreads threads by method; *check gets
 * the sum. */
static double read_bandwidth(float *x, size_t n, int nthreads, int passes, int method, double *check) {
    pthread_t th[16];
    ReadJob jobs[16];
    double best = 1e300;
    for (int p = 0; p < passes; p++) {
        double t0 = bench_now_ms();
        for (int i = 0; i < nthreads; i++) {
            size_t a = n * i / nthreads, b = n * (i + 1) / nthreads;
            jobs[i] = (ReadJob){ x + a, b - a, 0, method };
            pthread_create(&th[i], NULL, read_part, &jobs[i]);
        }
        double s = 0;
        for (int i = 0; i < nthreads; i++) { pthread_join(th[i], NULL); s += jobs[i].sum; }
        double ms = bench_now_ms() - t0;
        if (ms < best) best = ms;
        *check = s;
    }
    return (double)n * sizeof(float) / (best / 1e3) / 1e9;
}

/* ---- peak FMA rate ---- */

/* iters rounds of 12 independent FMA chains (enough to cover the FMA latency times the FMA
 * ports); returns a value from the chains so none of them can be dropped */
__attribute__((target("avx512f"))) static float fma_avx512(long iters) {
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    /* each chain its own start: identical chains would be merged into one by the compiler */
    __m512 a0 = _mm512_set1_ps(1.00f), a1 = _mm512_set1_ps(1.01f), a2 = _mm512_set1_ps(1.02f), a3 = _mm512_set1_ps(1.03f),
           a4 = _mm512_set1_ps(1.04f), a5 = _mm512_set1_ps(1.05f), a6 = _mm512_set1_ps(1.06f), a7 = _mm512_set1_ps(1.07f),
           a8 = _mm512_set1_ps(1.08f), a9 = _mm512_set1_ps(1.09f), a10 = _mm512_set1_ps(1.10f), a11 = _mm512_set1_ps(1.11f);
    for (long i = 0; i < iters; i++) {
        a0 = _mm512_fmadd_ps(a0, m, c); a1 = _mm512_fmadd_ps(a1, m, c); a2 = _mm512_fmadd_ps(a2, m, c);
        a3 = _mm512_fmadd_ps(a3, m, c); a4 = _mm512_fmadd_ps(a4, m, c); a5 = _mm512_fmadd_ps(a5, m, c);
        a6 = _mm512_fmadd_ps(a6, m, c); a7 = _mm512_fmadd_ps(a7, m, c); a8 = _mm512_fmadd_ps(a8, m, c);
        a9 = _mm512_fmadd_ps(a9, m, c); a10 = _mm512_fmadd_ps(a10, m, c); a11 = _mm512_fmadd_ps(a11, m, c);
    }
    __m512 t = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    t = _mm512_add_ps(t, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    return _mm512_reduce_add_ps(t);
}
__attribute__((target("avx2,fma"))) static float fma_avx2(long iters) {
    __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    __m256 a0 = _mm256_set1_ps(1.00f), a1 = _mm256_set1_ps(1.01f), a2 = _mm256_set1_ps(1.02f), a3 = _mm256_set1_ps(1.03f),
           a4 = _mm256_set1_ps(1.04f), a5 = _mm256_set1_ps(1.05f), a6 = _mm256_set1_ps(1.06f), a7 = _mm256_set1_ps(1.07f),
           a8 = _mm256_set1_ps(1.08f), a9 = _mm256_set1_ps(1.09f), a10 = _mm256_set1_ps(1.10f), a11 = _mm256_set1_ps(1.11f);
    for (long i = 0; i < iters; i++) {
        a0 = _mm256_fmadd_ps(a0, m, c); a1 = _mm256_fmadd_ps(a1, m, c); a2 = _mm256_fmadd_ps(a2, m, c);
        a3 = _mm256_fmadd_ps(a3, m, c); a4 = _mm256_fmadd_ps(a4, m, c); a5 = _mm256_fmadd_ps(a5, m, c);
        a6 = _mm256_fmadd_ps(a6, m, c); a7 = _mm256_fmadd_ps(a7, m, c); a8 = _mm256_fmadd_ps(a8, m, c);
        a9 = _mm256_fmadd_ps(a9, m, c); a10 = _mm256_fmadd_ps(a10, m, c); a11 = _mm256_fmadd_ps(a11, m, c);
    }
    __m256 t = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    t = _mm256_add_ps(t, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float v[8], s = 0;
    _mm256_storeu_ps(v, t);
    for (int k = 0; k < 8; k++) s += v[k];
    return s;
}

typedef struct { long iters; int wide; float out; } FmaJob;
static void *fma_part(void *arg) {
    FmaJob *j = arg;
    j->out = j->wide == 16 ? fma_avx512(j->iters) : fma_avx2(j->iters);
    return NULL;
}

/* GFLOP/s of nthreads threads running the FMA loop at once, best of `passes`; wide: 16 (AVX-512)
 * or 8 (AVX2) floats per FMA */
static double fma_peak(int nthreads, int wide, int passes) {
    const long iters = 20000000;   /* 20M x 12 FMAs per thread: about 0.05-0.2 s */
    pthread_t th[16];
    FmaJob jobs[16];
    double best = 1e300;
    float sink = 0;
    for (int p = 0; p < passes; p++) {
        double t0 = bench_now_ms();
        for (int i = 0; i < nthreads; i++) {
            jobs[i] = (FmaJob){ iters, wide, 0 };
            pthread_create(&th[i], NULL, fma_part, &jobs[i]);
        }
        for (int i = 0; i < nthreads; i++) { pthread_join(th[i], NULL); sink += jobs[i].out; }
        double ms = bench_now_ms() - t0;
        if (ms < best) best = ms;
    }
    if (!(sink == sink)) fprintf(stderr, "ceilings: FMA loop gave NaN\n");
    return (double)nthreads * iters * 12 * wide * 2 / (best / 1e3) / 1e9;
}

/* ---- sgemm ---- */

/* Times y = x @ W for one shape at N rows: best and median seconds over reps. */
static void time_sgemm(int N, const BenchShape *s, float *x, float *w, float *y, double *best_s, double *med_s) {
    int in = s->in, out = s->out;
    enum { MAXR = 50 };
    double t[MAXR];
    double flops = 2.0 * N * in * out;
    /* about 0.4 s per shape, at least 3 and at most MAXR repetitions (after one warm-up) */
    int reps = (int)(0.4 / (flops / 60e9));
    if (reps < 3) reps = 3;
    if (reps > MAXR) reps = MAXR;
    for (int r = -1; r < reps; r++) {
        double t0 = bench_now_ms();
        if (s->trans_b)   /* W is (out,in) row-major: y = x @ Wᵀ */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
        else              /* W is (in,out) row-major */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, out, in, 1.0f, x, in, w, out, 0.0f, y, out);
        if (r >= 0) t[r] = (bench_now_ms() - t0) / 1e3;
    }
    *best_s = bench_min(t, reps);
    *med_s = bench_median(t, reps);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ceilings OUT.json THREADS BUF_MB [N...]\n");
        return 2;
    }
    const char *out_path = argv[1];
    int threads = atoi(argv[2]);
    size_t buf_mb = (size_t)atol(argv[3]);
    if (threads < 1 || threads > 16 || buf_mb < 1) { fprintf(stderr, "ceilings: bad THREADS or BUF_MB\n"); return 2; }

    cJSON *root = cJSON_CreateObject();

    /* 1. bandwidth */
    size_t n = buf_mb * 1000000 / sizeof(float);
    float *x = malloc(n * sizeof(float));
    if (!x) { fprintf(stderr, "ceilings: out of memory for a %zu MB buffer\n", buf_mb); return 1; }
    {   /* first touch in parallel, so pages are spread as the sum will read them */
        pthread_t th[16];
        FillJob fj[16];
        for (int i = 0; i < threads; i++) {
            size_t a = n * i / threads, b = n * (i + 1) / threads;
            fj[i] = (FillJob){ x + a, b - a };
            pthread_create(&th[i], NULL, fill_part, &fj[i]);
        }
        for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    }
    double check = 0, bw_best = 0, bw1 = 0, bwN = 0;
    const char *best_method = "";
    int best_threads = 0;
    cJSON *bw = cJSON_AddObjectToObject(root, "bandwidth");
    cJSON *ms = cJSON_AddArrayToObject(bw, "methods");
    for (int m = 0; m < M_COUNT; m++) {
        if (!method_ok(m)) continue;
        for (int t = 1; t <= threads; t = t == threads ? threads + 1 : threads) {
            double g = read_bandwidth(x, n, t, t == 1 ? 3 : 6, m, &check);
            if (check < 0.5 * n) { fprintf(stderr, "ceilings: bandwidth sum is wrong (%g, %s)\n", check, method_names[m]); return 1; }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "method", method_names[m]);
            cJSON_AddNumberToObject(o, "threads", t);
            cJSON_AddNumberToObject(o, "gb_s", g);
            cJSON_AddItemToArray(ms, o);
            if (t == 1 && g > bw1) bw1 = g;
            if (t == threads && g > bwN) bwN = g;
            if (g > bw_best) bw_best = g, best_method = method_names[m], best_threads = t;
        }
    }
    free(x);
    printf("ceilings: read bandwidth over %zu MB: %.1f GB/s (%s, %d thread%s; best %.1f with %d threads, %.1f with 1)\n",
           buf_mb, bw_best, best_method, best_threads, best_threads == 1 ? "" : "s", bwN, threads, bw1);
    cJSON_AddNumberToObject(bw, "buffer_mb", (double)buf_mb);
    cJSON_AddNumberToObject(bw, "threads", threads);
    cJSON_AddNumberToObject(bw, "gb_s", bw_best);
    cJSON_AddStringToObject(bw, "best_method", best_method);
    cJSON_AddNumberToObject(bw, "best_threads", best_threads);
    cJSON_AddNumberToObject(bw, "gb_s_threads", bwN);
    cJSON_AddNumberToObject(bw, "gb_s_1thread", bw1);

    if (argc == 4) {   /* bandwidth only */
        int rc = bench_write_json(out_path, root);
        cJSON_Delete(root);
        return rc ? 1 : 0;
    }

    /* 2. the cores' peak FMA rate, widest vectors this CPU has */
    {
        int wide = __builtin_cpu_supports("avx512f") ? 16 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
        cJSON *fm = cJSON_AddObjectToObject(root, "fma_peak");
        if (wide) {
            /* all threads at once, and one alone times the threads: on a shared machine the
             * first is often disturbed, and a ceiling must not be too low */
            double g = fma_peak(threads, wide, 5), g1 = fma_peak(1, wide, 5);
            double peak = g > g1 * threads ? g : g1 * threads;
            cJSON_AddStringToObject(fm, "isa", wide == 16 ? "AVX-512" : "AVX2");
            cJSON_AddNumberToObject(fm, "threads", threads);
            cJSON_AddNumberToObject(fm, "gflops", peak);
            cJSON_AddNumberToObject(fm, "gflops_all_threads", g);
            cJSON_AddNumberToObject(fm, "gflops_1thread", g1);
            printf("ceilings: peak FMA rate (%s, 12 independent chains): %.1f GFLOP/s (%.1f on %d threads at once, %.1f on 1)\n",
                   wide == 16 ? "AVX-512" : "AVX2", peak, g, threads, g1);
        } else {
            cJSON_AddStringToObject(fm, "isa", "none (no AVX2+FMA)");
        }
    }

    /* 3. sgemm */
    openblas_set_num_threads(threads);
    cJSON *sg = cJSON_AddObjectToObject(root, "sgemm");
    cJSON_AddNumberToObject(sg, "openblas_threads", openblas_get_num_threads());
    cJSON_AddStringToObject(sg, "openblas_config", openblas_get_config());
    cJSON_AddStringToObject(sg, "openblas_kernel", openblas_get_corename());
    printf("ceilings: OpenBLAS kernel %s (%s)\n", openblas_get_corename(), openblas_get_config());
    cJSON *byN = cJSON_AddArrayToObject(sg, "by_rows");
    int maxN = 0;
    for (int a = 4; a < argc; a++) if (atoi(argv[a]) > maxN) maxN = atoi(argv[a]);
    size_t maxin = G_F, maxout = G_V;
    float *xa = malloc((size_t)maxN * maxin * sizeof(float));
    float *wa = malloc((size_t)G_V * G_D * sizeof(float)); /* the largest W: E (V,D) */
    float *ya = malloc((size_t)maxN * maxout * sizeof(float));
    if (!xa || !wa || !ya) { fprintf(stderr, "ceilings: out of memory for sgemm buffers\n"); return 1; }
    unsigned long long rng = 7;
    for (size_t i = 0; i < (size_t)maxN * maxin; i++) xa[i] = (float)(bench_rand_u64(&rng) % 1000) / 1000.0f - 0.5f;
    for (size_t i = 0; i < (size_t)G_V * G_D; i++) wa[i] = (float)(bench_rand_u64(&rng) % 1000) / 50000.0f - 0.01f;
    memset(ya, 0, (size_t)maxN * maxout * sizeof(float));

    for (int a = 4; a < argc; a++) {
        int N = atoi(argv[a]);
        if (N < 1) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "N", N);
        cJSON *shapes = cJSON_AddArrayToObject(o, "shapes");
        double flops = 0, secs = 0;
        for (int s = 0; s < BENCH_N_SHAPES; s++) {
            const BenchShape *bs = &bench_shapes[s];
            double best, med;
            time_sgemm(N, bs, xa, wa, ya, &best, &med);
            double f = 2.0 * N * bs->in * bs->out;
            cJSON *so = cJSON_CreateObject();
            char shape[64];
            snprintf(shape, sizeof shape, "%dx%dx%d", N, bs->in, bs->out);
            cJSON_AddStringToObject(so, "name", bs->name);
            cJSON_AddStringToObject(so, "shape", shape);
            cJSON_AddNumberToObject(so, "gflops_best", f / best / 1e9);
            cJSON_AddNumberToObject(so, "gflops_median", f / med / 1e9);
            cJSON_AddItemToArray(shapes, so);
            printf("ceilings: sgemm %-9s %-16s %6.1f GFLOP/s best, %6.1f median\n", bs->name, shape,
                   f / best / 1e9, f / med / 1e9);
            flops += f * bs->per;
            secs += best * bs->per;
        }
        cJSON_AddNumberToObject(o, "ceiling_gflops", flops / secs / 1e9);
        cJSON_AddNumberToObject(o, "matmul_ms", secs * 1e3);
        printf("ceilings: sgemm ceiling at N=%d (the forward's matmul mix): %.1f GFLOP/s, %.1f ms of matmuls\n",
               N, flops / secs / 1e9, secs * 1e3);
        cJSON_AddItemToArray(byN, o);
    }
    free(xa); free(wa); free(ya);
    int rc = bench_write_json(out_path, root);
    cJSON_Delete(root);
    return rc ? 1 : 0;
}
