/* bench.h - what the bench programs share: clocks, min/median, GPT-2 124M's shapes and the
 * useful-FLOP count of a forward pass, and writing a figures file with cJSON.
 *
 * Letters as in the lesson: B batch, T tokens, N = B*T rows, D hidden, F MLP size, V vocab,
 * L layers, h heads, d = D/h head size.
 */
#ifndef SW_BENCH_H
#define SW_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

/* GPT-2 124M */
enum { G_L = 12, G_D = 768, G_H = 12, G_F = 4 * 768, G_V = 50257, G_CTX = 1024 };

static inline double bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench_cmp_double_(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
/* Sorts v in place; returns the median (mean of the middle two for even n). */
static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double_);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
static inline double bench_min(const double *v, int n) {
    double m = v[0];
    for (int i = 1; i < n; i++) if (v[i] < m) m = v[i];
    return m;
}

/* The matmuls of one GPT-2 forward on N rows: y(N,out) = x(N,in) @ W(in,out).
 * Per layer: c_attn (D,3D), attn c_proj (D,D), c_fc (D,F), mlp c_proj (F,D); then the LM head
 * (D,V), which is wte (V,D) used transposed (logits = x @ Eᵀ). `per` is how many per forward. */
typedef struct { const char *name; int in, out, per, trans_b; } BenchShape;
static const BenchShape bench_shapes[] = {
    { "c_attn",    G_D, 3 * G_D, G_L, 0 },
    { "attn_proj", G_D, G_D,     G_L, 0 },
    { "c_fc",      G_D, G_F,     G_L, 0 },
    { "mlp_proj",  G_F, G_D,     G_L, 0 },
    { "lm_head",   G_D, G_V,     1,   1 },
};
#define BENCH_N_SHAPES 5

/* Weights that go through a matmul: L*(3D² + D² + DF + FD) + D*V = 123.5M for GPT-2 124M. */
static inline double bench_matmul_params(void) {
    double p = 0;
    for (int i = 0; i < BENCH_N_SHAPES; i++)
        p += (double)bench_shapes[i].in * bench_shapes[i].out * bench_shapes[i].per;
    return p;
}

/* Useful FLOPs of a whole-prompt forward of B rows of T tokens (a multiply-add is 2 FLOPs):
 *   matmuls:    2 * N * P_mm                 (N = B*T, P_mm = bench_matmul_params(); without
 *                                             the LM head's D*V when lm_head is 0: the engine
 *                                             skips it when the logits are over its budget)
 *   attention:  per layer, batch row and head, S = q@kᵀ and y = A@v each take d MACs per
 *               allowed (query, key) pair, and causal attention allows T(T+1)/2 pairs:
 *               L * B * h * 2 * 2 * d * T(T+1)/2  =  2 * L * B * D * T * (T+1)
 * Norms, GELU, softmax and the embedding lookup are left out (they are O(N*D), not FLOP-bound).
 * Work a pass does on masked-out scores is not useful and not counted. */
static inline double bench_forward_flops(int B, int T, int lm_head) {
    double N = (double)B * T;
    double p = bench_matmul_params() - (lm_head ? 0.0 : (double)G_D * G_V);
    return 2.0 * N * p + 2.0 * G_L * B * (double)G_D * T * (T + 1.0);
}

/* Write a cJSON tree to path (pretty). Returns 0 or -1 (message on stderr). */
static inline int bench_write_json(const char *path, const cJSON *root) {
    char *s = cJSON_Print(root);
    if (!s) { fprintf(stderr, "%s: out of memory printing JSON\n", path); return -1; }
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "%s: cannot write\n", path); free(s); return -1; }
    int bad = fputs(s, f) < 0 || fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    free(s);
    if (bad) { fprintf(stderr, "%s: write failed\n", path); return -1; }
    return 0;
}

/* Read a JSON file (small) with cJSON; NULL when missing or unparsable. */
static inline cJSON *bench_read_json(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > (64L << 20)) { fclose(f); return NULL; }
    char *buf = malloc((size_t)n + 1);
    if (!buf) { fclose(f); return NULL; }
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = 0;
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    return j;
}

/* A small reproducible generator (splitmix64) for token ids and weights. */
static inline unsigned long long bench_rand_u64(unsigned long long *s) {
    unsigned long long z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
/* Token ids for a timing prompt: seeded, in [0, V-1) (never <|endoftext|>). */
static inline void bench_prompt_ids(int *ids, int T, unsigned long long seed) {
    for (int t = 0; t < T; t++) ids[t] = (int)(bench_rand_u64(&seed) % (G_V - 1));
}

/* " The quick brown fox jumps over the lazy dog." in GPT-2 ids (shared/README.md's known
 * answer): the prompt on which the baseline and the engine must agree. */
static const int bench_fox_ids[] = { 383, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13 };
#define BENCH_FOX_N 10

#endif
