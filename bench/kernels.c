/* kernels.c - the OpenBLAS kernel in use (OPENBLAS_CORETYPE, read when the library loads) at
 * the forward pass's shapes: run.sh runs it once per kernel this CPU can run, to show which is
 * fastest here. GPT-2 124M's c_fc is x (N,768) times W (768,3072); the engine's aligned copy
 * stores W as (3072,768) and calls sgemm with TransB, so both layouts are timed; sgemv for one
 * token with that matrix (9.4 MB: from L3 after the first call) and with the LM head
 * (50257x768, 154 MB: from memory). Best of REPS calls, OpenBLAS threads = THREADS.
 *
 *   kernels [THREADS] [REPS]     one JSON object on stdout
 *   kernels --list               the kernels this CPU runs (engine/blas.c), one a line
 *   kernels --auto               the kernel shapewalk's auto choice names for this CPU */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
#include <string.h>

#include "engine/blas.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static float *filled(size_t n, unsigned seed) {
    float *p = malloc(n * sizeof *p);
    for (size_t i = 0; p && i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (float)((seed >> 9) & 0xFFFF) / 65536.0f - 0.5f;
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--list") == 0 || strcmp(argv[1], "--auto") == 0)) {
        static const char *all[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Opteron",
                                    "OpteronSSE3", "Barcelona", "Bobcat", "Sandybridge", "Bulldozer", "Piledriver",
                                    "Steamroller", "Excavator", "Haswell", "Zen", "SkylakeX", "Cooperlake"};
        BlasCpu c;
        Blas_cpu(&c);
        if (argv[1][2] == 'a') {
            const char *b = Blas_best_kernel(&c);
            printf("%s\n", b ? b : "");
            return 0;
        }
        for (size_t i = 0; i < sizeof all / sizeof *all; i++)
            if (Blas_can_run(&c, all[i])) printf("%s\n", all[i]);
        return 0;
    }
    int threads = argc > 1 ? atoi(argv[1]) : 2, reps = argc > 2 ? atoi(argv[2]) : 20;
    if (threads < 1 || reps < 1) { fprintf(stderr, "kernels: usage: kernels [THREADS] [REPS]\n"); return 2; }
    openblas_set_num_threads(threads);
    const int M = 256, K = 768, N = 3072, V = 50257;
    float *A = filled((size_t)M * K, 1), *W = filled((size_t)K * N, 2), *C = filled((size_t)M * N, 3);
    float *E = filled((size_t)V * K, 4), *x = filled(K, 5), *y = filled(V, 6);
    if (!A || !W || !C || !E || !x || !y) { fprintf(stderr, "kernels: out of memory\n"); return 1; }
    double nn = 1e9, nt = 1e9, gv = 1e9, gvt = 1e9, head = 1e9;
    for (int r = 0; r < reps; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, A, K, W, N, 0, C, N);
        if ((t = now() - t) < nn) nn = t;
        t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, A, K, W, K, 0, C, N);
        if ((t = now() - t) < nt) nt = t;
    }
    for (int r = 0; r < reps * 5; r++) {
        double t = now();
        cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, 1, W, K, x, 1, 0, y, 1);
        if ((t = now() - t) < gv) gv = t;
        t = now();
        cblas_sgemv(CblasRowMajor, CblasTrans, K, N, 1, W, N, x, 1, 0, y, 1);
        if ((t = now() - t) < gvt) gvt = t;
    }
    for (int r = 0; r < reps / 2 + 2; r++) {
        double t = now();
        cblas_sgemv(CblasRowMajor, CblasNoTrans, V, K, 1, E, K, x, 1, 0, y, 1);
        if ((t = now() - t) < head) head = t;
    }
    double fl = 2.0 * M * N * K;
    printf("{\"kernel\": \"%s\", \"threads\": %d, \"sgemm_256x768x3072_nn_gflops\": %.1f, "
           "\"sgemm_256x768x3072_nt_gflops\": %.1f, \"sgemv_3072x768_gbs\": %.1f, \"sgemv_768x3072_t_gbs\": %.1f, "
           "\"sgemv_lm_head_gbs\": %.1f}\n",
           openblas_get_corename(), threads, fl / nn * 1e-9, fl / nt * 1e-9, 4.0 * K * N / gv * 1e-9,
           4.0 * K * N / gvt * 1e-9, 4.0 * V * K / head * 1e-9);
    free(A); free(W); free(C); free(E); free(x); free(y);
    return 0;
}
