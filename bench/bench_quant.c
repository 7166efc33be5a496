/* bench_quant.c - matrix-vector speed of the quantized dot kernels (engine/quant.c) against
 * OpenBLAS's F32 cblas_sgemv, one thread: y = W x for W of out rows x in weights.
 *
 *   bench_quant [REPS]     (make -C bench quant)
 *
 * Two settings per shape: "hot" (one matrix again and again: in cache) and "cold" (cycling
 * through copies that add up to 256 MB of F32 weights, and as many copies of the quantized
 * ones, so every pass reads the weights from memory as a generated token does). Weights are
 * random valid blocks (the kernels' speed does not depend on the values); times are the best
 * single call over REPS passes (the 2-core host is shared: the best is the least disturbed;
 * a cold call still reads its matrix from memory). GB/s = the bytes
 * of the weights read per second; "x F32" = sgemv's time / this kernel's time.
 */
#include <cblas.h>
#include <math.h>
#include <stdint.h>

#include "bench.h"
#include "engine/quant.h"

void openblas_set_num_threads(int);

static uint32_t g_rng = 1;
static uint32_t rnd(void) { g_rng = g_rng * 1664525u + 1013904223u; return g_rng >> 8; }

/* random bytes, every 2-byte word with a small exponent so f16 scales and F16 weights are finite */
static void fill(int type, uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
    if (type == QT_F32) {
        float *f = (float *)(void *)p;
        for (size_t i = 0; i < n / 4; i++) f[i] = (float)((int)(rnd() % 2001) - 1000) / 1000.0f;
        return;
    }
    for (size_t i = 1; i < n; i += 2) p[i] &= 0x3b;
}

typedef struct { const char *name; int type; } Kind;

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    if (reps < 3) reps = 3;
    openblas_set_num_threads(1);
    static const Kind kinds[] = {{"F32 sgemv", -1}, {"F32", QT_F32}, {"F16", QT_F16}, {"Q8_0", QT_Q8_0},
                                 {"Q4_0", QT_Q4_0}, {"Q4_K", QT_Q4_K}, {"Q6_K", QT_Q6_K}};
    static const int shapes[][2] = {{3072, 768}, {768, 3072}};   /* out rows, in weights per row */
    printf("bench_quant: y = W x, one thread, %s kernels (plain C, cold, in brackets), best call of %d passes\n",
           Quant_simd_active() == 2 ? "AVX-512" : Quant_simd_active() ? "AVX2" : "plain C", reps);
    for (int s = 0; s < 2; s++) {
        int out = shapes[s][0], in = shapes[s][1];
        size_t f32_bytes = (size_t)out * in * 4;
        int copies = (int)((256u << 20) / f32_bytes) + 1;
        float *x = malloc((size_t)in * sizeof *x), *y = malloc((size_t)out * sizeof *y);
        for (int i = 0; i < in; i++) x[i] = (float)sin(i * 0.1);
        printf("\n%d x %d (out x in), cold = %d copies:\n", out, in, copies);
        printf("  %-10s %9s %10s %9s %8s   %9s %8s\n", "", "MB", "hot ms", "hot GB/s", "cold ms", "cold GB/s", "x F32");
        double sgemv_cold = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            int type = kinds[k].type < 0 ? QT_F32 : kinds[k].type;
            size_t rb;
            if (Quant_row_bytes(type, in, &rb) != 0) continue;
            size_t mb = rb * (size_t)out;
            uint8_t *w = malloc(mb * (size_t)copies);
            if (!w) { printf("  %s: out of memory\n", kinds[k].name); continue; }
            fill(type, w, mb * (size_t)copies);
            /* the best single call: hot = the same matrix again; cold = each copy in turn (the
             * others pushed it out of the caches); cold plain = the plain C kernels, cold */
            double best[3] = {1e30, 1e30, 1e30};
            int n = reps;
            for (int mode = 0; mode < 3; mode++) {
                if (mode == 2 && kinds[k].type < 0) break;
                int old = Quant_set_simd(mode == 2 ? 0 : 2);
                int m = mode >= 1 ? copies : 1;
                for (int r = 0; r < n; r++)
                    for (int c = 0; c < m; c++) {
                        const uint8_t *W = w + (size_t)c * mb;
                        double t0 = bench_now_ms();
                        if (kinds[k].type < 0)
                            cblas_sgemv(CblasRowMajor, CblasNoTrans, out, in, 1.0f, (const float *)(const void *)W, in, x, 1, 0.0f, y, 1);
                        else
                            Quant_dot_rows(type, W, rb, out, x, in, y);
                        double dt = bench_now_ms() - t0;
                        if (dt < best[mode]) best[mode] = dt;
                    }
                Quant_set_simd(old);
            }
            double hot = best[0], cold = best[1];
            if (kinds[k].type < 0) sgemv_cold = cold;
            printf("  %-10s %9.2f %10.3f %9.1f %8.3f   %9.1f %8.2f", kinds[k].name, mb / 1e6, hot, mb / hot / 1e6,
                   cold, mb / cold / 1e6, sgemv_cold / cold);
            if (kinds[k].type >= 0) {
                double pl = best[2];
                printf("   (plain %.3f ms, %.1f GB/s)", pl, mb / pl / 1e6);
            }
            printf("\n");
            free(w);
        }
        free(x);
        free(y);
    }
    return 0;
}
