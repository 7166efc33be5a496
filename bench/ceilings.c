/* ceilings.c - this machine's own limits, the yardsticks for the forward pass:
 *
 *   1. memory read bandwidth: sum the floats of a buffer much larger than the last-level cache
 *      (1 GB by default) with THREADS threads and with 1; the best pass of either, in GB/s
 *      (1e9 bytes/s) (one core alone nearly saturates memory on small machines);
 *   2. OpenBLAS sgemm GFLOP/s at the shapes of GPT-2 124M's forward pass on N rows
 *      (y(N,out) = x(N,in) @ W(in,out); the LM head uses Eᵀ, i.e. CblasTrans on (V,D)),
 *      with OpenBLAS threads set deliberately to THREADS by openblas_set_num_threads().
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

/* Best GB/s of `passes` parallel sums of x[0..n) with nthreads threads; *check gets the sum. */
static double read_bandwidth(float *x, size_t n, int nthreads, int passes, double *check) {
    pthread_t th[16];
    SumJob jobs[16];
    double best = 1e300;
    for (int p = 0; p < passes; p++) {
        double t0 = bench_now_ms();
        for (int i = 0; i < nthreads; i++) {
            size_t a = n * i / nthreads, b = n * (i + 1) / nthreads;
            jobs[i] = (SumJob){ x + a, b - a, 0 };
            pthread_create(&th[i], NULL, sum_part, &jobs[i]);
        }
        double s = 0;
        for (int i = 0; i < nthreads; i++) { pthread_join(th[i], NULL); s += jobs[i].sum; }
        double ms = bench_now_ms() - t0;
        if (ms < best) best = ms;
        *check = s;
    }
    return (double)n * sizeof(float) / (best / 1e3) / 1e9;
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
    double check1 = 0, checkN = 0;
    double bw1 = read_bandwidth(x, n, 1, 5, &check1);
    double bwN = read_bandwidth(x, n, threads, 10, &checkN);
    free(x);
    if (checkN < 0.5 * n) { fprintf(stderr, "ceilings: bandwidth sum is wrong (%g)\n", checkN); return 1; }
    double bw_best = bwN > bw1 ? bwN : bw1;
    printf("ceilings: read bandwidth over %zu MB: %.1f GB/s (%.1f with %d threads, %.1f with 1)\n",
           buf_mb, bw_best, bwN, threads, bw1);
    cJSON *bw = cJSON_AddObjectToObject(root, "bandwidth");
    cJSON_AddNumberToObject(bw, "buffer_mb", (double)buf_mb);
    cJSON_AddNumberToObject(bw, "threads", threads);
    cJSON_AddNumberToObject(bw, "gb_s", bw_best);
    cJSON_AddNumberToObject(bw, "gb_s_threads", bwN);
    cJSON_AddNumberToObject(bw, "gb_s_1thread", bw1);

    if (argc == 4) {   /* bandwidth only */
        int rc = bench_write_json(out_path, root);
        cJSON_Delete(root);
        return rc ? 1 : 0;
    }

    /* 2. sgemm */
    openblas_set_num_threads(threads);
    cJSON *sg = cJSON_AddObjectToObject(root, "sgemm");
    cJSON_AddNumberToObject(sg, "openblas_threads", openblas_get_num_threads());
    cJSON_AddStringToObject(sg, "openblas_config", openblas_get_config());
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
