/* baseline.c - a plain-C GPT-2 forward written the way llama2.c's run.c does it, as the
 * yardstick the engine's speed-ups are measured against.
 *
 * As in run.c: one token at a time (forward(token, pos) gives that position's logits), a KV
 * cache, and every matrix-vector product `xout = W @ x` with W stored (out,in) row-major as a
 * loop over output rows parallelised with `#pragma omp parallel for`; attention parallelised
 * over heads. Built with -O3 -march=native -fopenmp. No BLAS.
 *
 * Weights: the same model.safetensors, memory-mapped; the header parsed with cJSON. GPT-2
 * stores its Conv1D weights (in,out); llama2.c's export writes nn.Linear weights (out,in), so
 * those four matrices per layer are transposed once at load (not timed) into the (out,in) layout
 * run.c's matmul reads. wte (V,D) already is (out,in) for the tied LM head, and wte/wpe rows
 * are read from the mapping.
 *
 *   baseline MODEL_DIR OUT.json THREADS [quick] [gen]
 *
 * Writes OUT.json: the whole-prompt times (B=1 and B=2, the rows one after another as run.c
 * can only do), generation tokens/s at contexts 64 and 512, and the logits for the agreement
 * check (bench_fox_ids, all positions) to OUT.json's sibling baseline_logits.bin. With `gen`,
 * generation only: run.sh runs it in rounds alternating with the engine's.
 */
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

typedef struct {
    const float *wte, *wpe;                  /* (V,D) (ctx,D), from the mapping */
    const float *ln1_w[G_L], *ln1_b[G_L], *ln2_w[G_L], *ln2_b[G_L];
    float *c_attn[G_L];                      /* (3D,D) transposed copy */
    const float *c_attn_b[G_L];              /* (3D) */
    float *attn_proj[G_L];                   /* (D,D) transposed copy */
    const float *attn_proj_b[G_L];
    float *c_fc[G_L];                        /* (F,D) transposed copy */
    const float *c_fc_b[G_L];
    float *mlp_proj[G_L];                    /* (D,F) transposed copy */
    const float *mlp_proj_b[G_L];
    const float *lnf_w, *lnf_b;
    float eps;
} Weights;

typedef struct {
    float x[G_D], xb[G_D], xb2[G_D], qkv[3 * G_D], hb[G_F];
    float att[G_H][G_CTX];
    float logits[G_V];
    float *key_cache, *value_cache;          /* (L,ctx,D) */
} RunState;

/* ---- loading ---- */

static const uint8_t *map_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 8) { close(fd); return NULL; }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return NULL;
    *len = (size_t)st.st_size;
    return p;
}

/* A tensor by name (with or without a "transformer." prefix), checked to be F32 with n floats. */
static const float *tensor(cJSON *hdr, const uint8_t *data, size_t data_len, const char *name, size_t n) {
    cJSON *t = cJSON_GetObjectItemCaseSensitive(hdr, name);
    if (!t) {
        char alt[128];
        snprintf(alt, sizeof alt, "transformer.%s", name);
        t = cJSON_GetObjectItemCaseSensitive(hdr, alt);
    }
    cJSON *dt = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    if (!t || !cJSON_IsString(dt) || strcmp(dt->valuestring, "F32") != 0 || cJSON_GetArraySize(off) != 2) {
        fprintf(stderr, "baseline: tensor %s missing or not F32\n", name);
        exit(1);
    }
    size_t a = (size_t)cJSON_GetArrayItem(off, 0)->valuedouble, b = (size_t)cJSON_GetArrayItem(off, 1)->valuedouble;
    if (b < a || b > data_len || b - a != n * 4 || a % 4) {
        fprintf(stderr, "baseline: tensor %s has %zu bytes, expected %zu\n", name, b - a, n * 4);
        exit(1);
    }
    return (const float *)(data + a);
}

/* W (in,out) -> malloc'd (out,in) */
static float *transposed(const float *w, int in, int out) {
    float *t = malloc((size_t)in * out * sizeof(float));
    if (!t) { fprintf(stderr, "baseline: out of memory\n"); exit(1); }
    for (int i = 0; i < in; i++)
        for (int o = 0; o < out; o++) t[(size_t)o * in + i] = w[(size_t)i * out + o];
    return t;
}

static void load(Weights *w, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    size_t len = 0;
    const uint8_t *map = map_file(path, &len);
    if (!map) { fprintf(stderr, "baseline: %s: cannot map\n", path); exit(1); }
    uint64_t hlen;
    memcpy(&hlen, map, 8);
    if (hlen > len - 8) { fprintf(stderr, "baseline: %s: bad header length\n", path); exit(1); }
    cJSON *hdr = cJSON_ParseWithLength((const char *)map + 8, (size_t)hlen);
    if (!hdr) { fprintf(stderr, "baseline: %s: header is not JSON\n", path); exit(1); }
    const uint8_t *data = map + 8 + hlen;
    size_t dlen = len - 8 - hlen;
    char nm[96];
    w->wte = tensor(hdr, data, dlen, "wte.weight", (size_t)G_V * G_D);
    w->wpe = tensor(hdr, data, dlen, "wpe.weight", (size_t)G_CTX * G_D);
    for (int l = 0; l < G_L; l++) {
#define GET(field, suffix, n) snprintf(nm, sizeof nm, "h.%d.%s", l, suffix); field = tensor(hdr, data, dlen, nm, n)
        GET(w->ln1_w[l], "ln_1.weight", G_D);
        GET(w->ln1_b[l], "ln_1.bias", G_D);
        GET(w->ln2_w[l], "ln_2.weight", G_D);
        GET(w->ln2_b[l], "ln_2.bias", G_D);
        GET(w->c_attn_b[l], "attn.c_attn.bias", 3 * G_D);
        GET(w->attn_proj_b[l], "attn.c_proj.bias", G_D);
        GET(w->c_fc_b[l], "mlp.c_fc.bias", G_F);
        GET(w->mlp_proj_b[l], "mlp.c_proj.bias", G_D);
        const float *m;
        GET(m, "attn.c_attn.weight", (size_t)G_D * 3 * G_D); w->c_attn[l] = transposed(m, G_D, 3 * G_D);
        GET(m, "attn.c_proj.weight", (size_t)G_D * G_D);     w->attn_proj[l] = transposed(m, G_D, G_D);
        GET(m, "mlp.c_fc.weight", (size_t)G_D * G_F);        w->c_fc[l] = transposed(m, G_D, G_F);
        GET(m, "mlp.c_proj.weight", (size_t)G_F * G_D);      w->mlp_proj[l] = transposed(m, G_F, G_D);
#undef GET
    }
    w->lnf_w = tensor(hdr, data, dlen, "ln_f.weight", G_D);
    w->lnf_b = tensor(hdr, data, dlen, "ln_f.bias", G_D);
    w->eps = 1e-5f;
    cJSON_Delete(hdr);
}

/* ---- the forward pass, run.c style ---- */

/* xout (d) = W (d,n) @ x (n): one dot product per output row, rows shared among threads.
 * run.c's loop verbatim; llama2.c builds it with -Ofast so the compiler may reorder the sum
 * into SIMD lanes. Under -O3 `omp simd reduction` grants the same reordering for this loop
 * only (without it the sum stays scalar and the baseline is ~3x slower than run.c's). */
static void matmul(float *xout, const float *x, const float *w, int n, int d) {
    int i;
#pragma omp parallel for private(i)
    for (i = 0; i < d; i++) {
        float val = 0.0f;
        const float *wi = w + (size_t)i * n;
#pragma omp simd reduction(+:val)
        for (int j = 0; j < n; j++) val += wi[j] * x[j];
        xout[i] = val;
    }
}

static void layernorm(float *o, const float *x, const float *g, const float *b, int n, float eps) {
    float mean = 0, var = 0;
    for (int i = 0; i < n; i++) mean += x[i];
    mean /= n;
    for (int i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
    var /= n;
    float s = 1.0f / sqrtf(var + eps);
    for (int i = 0; i < n; i++) o[i] = (x[i] - mean) * s * g[i] + b[i];
}

static void softmax(float *x, int n) {
    float max = x[0];
    for (int i = 1; i < n; i++) if (x[i] > max) max = x[i];
    float sum = 0;
    for (int i = 0; i < n; i++) { x[i] = expf(x[i] - max); sum += x[i]; }
    for (int i = 0; i < n; i++) x[i] /= sum;
}

/* GELU, tanh approximation (GPT-2's gelu_new) */
static float gelu(float x) {
    return 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
}

static float *forward(const Weights *w, RunState *s, int token, int pos) {
    const int D = G_D, F = G_F, d = G_D / G_H;
    float *x = s->x;
    for (int i = 0; i < D; i++) x[i] = w->wte[(size_t)token * D + i] + w->wpe[(size_t)pos * D + i];
    for (int l = 0; l < G_L; l++) {
        layernorm(s->xb, x, w->ln1_w[l], w->ln1_b[l], D, w->eps);
        matmul(s->qkv, s->xb, w->c_attn[l], D, 3 * D);
        for (int i = 0; i < 3 * D; i++) s->qkv[i] += w->c_attn_b[l][i];
        float *kc = s->key_cache + (size_t)l * G_CTX * D, *vc = s->value_cache + (size_t)l * G_CTX * D;
        memcpy(kc + (size_t)pos * D, s->qkv + D, D * sizeof(float));
        memcpy(vc + (size_t)pos * D, s->qkv + 2 * D, D * sizeof(float));
        int h;
#pragma omp parallel for private(h)
        for (h = 0; h < G_H; h++) {
            const float *q = s->qkv + h * d;
            float *att = s->att[h];
            for (int t = 0; t <= pos; t++) {
                const float *k = kc + (size_t)t * D + h * d;
                float score = 0;
#pragma omp simd reduction(+:score)
                for (int i = 0; i < d; i++) score += q[i] * k[i];
                att[t] = score / sqrtf((float)d);
            }
            softmax(att, pos + 1);
            float *xb = s->xb + h * d;
            memset(xb, 0, d * sizeof(float));
            for (int t = 0; t <= pos; t++) {
                const float *v = vc + (size_t)t * D + h * d;
                for (int i = 0; i < d; i++) xb[i] += att[t] * v[i];
            }
        }
        matmul(s->xb2, s->xb, w->attn_proj[l], D, D);
        for (int i = 0; i < D; i++) x[i] += s->xb2[i] + w->attn_proj_b[l][i];
        layernorm(s->xb, x, w->ln2_w[l], w->ln2_b[l], D, w->eps);
        matmul(s->hb, s->xb, w->c_fc[l], D, F);
        for (int i = 0; i < F; i++) s->hb[i] = gelu(s->hb[i] + w->c_fc_b[l][i]);
        matmul(s->xb2, s->hb, w->mlp_proj[l], F, D);
        for (int i = 0; i < D; i++) x[i] += s->xb2[i] + w->mlp_proj_b[l][i];
    }
    layernorm(x, x, w->lnf_w, w->lnf_b, D, w->eps);
    matmul(s->logits, x, w->wte, D, G_V);
    return s->logits;
}

/* ---- timings ---- */

static int argmax(const float *x, int n) {
    int b = 0;
    for (int i = 1; i < n; i++) if (x[i] > x[b]) b = i;
    return b;
}

/* The whole prompt of B rows of T tokens, row after row, token by token (logits at every position). */
static double run_prompt(const Weights *w, RunState *s, int B, int T) {
    int *ids = malloc((size_t)T * sizeof(int));
    double t0 = bench_now_ms();
    for (int b = 0; b < B; b++) {
        bench_prompt_ids(ids, T, 100 + b);
        for (int t = 0; t < T; t++) forward(w, s, ids[t], t);
    }
    free(ids);
    return bench_now_ms() - t0;
}

/* generation: one token at a time at context c (positions c..c+n-1). A step's time does not
 * depend on the cached keys/values' values, only on how many there are. */
static cJSON *generation(Weights *w, RunState *s, int quick) {
    cJSON *gen = cJSON_CreateArray();
    static const int Cs[] = { 64, 512 };
    for (int ci = 0; ci < 2; ci++) {
        /* 4 steps to warm up, then n timed ones */
        int c = Cs[ci], n = quick ? 8 : 48, warm = 4;
        double ms[64];
        int tok = 464;
        for (int i = -warm; i < n; i++) {
            double a = bench_now_ms();
            tok = argmax(forward(w, s, tok, c + warm + i), G_V);
            if (i >= 0) ms[i] = bench_now_ms() - a;
        }
        double med = bench_median(ms, n), mn = bench_min(ms, n);
        printf("baseline: generate at context %-4d %6.2f ms/token median (%.1f tokens/s)\n", c, med, 1e3 / med);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "context", c);
        cJSON_AddNumberToObject(o, "ms_per_token_median", med);
        cJSON_AddNumberToObject(o, "ms_per_token_min", mn);
        cJSON_AddNumberToObject(o, "tokens_per_s", 1e3 / med);
        cJSON_AddItemToArray(gen, o);
    }
    return gen;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: baseline MODEL_DIR OUT.json THREADS [quick] [gen]\n");
        return 2;
    }
    const char *dir = argv[1], *out = argv[2];
    int threads = atoi(argv[3]), quick = 0, gen_only = 0;
    for (int i = 4; i < argc; i++) {
        quick |= strcmp(argv[i], "quick") == 0;
        gen_only |= strcmp(argv[i], "gen") == 0;   /* generation only (run.sh's rounds) */
    }
    omp_set_num_threads(threads > 0 ? threads : 2);

    static Weights w;
    static RunState s;
    double t0 = bench_now_ms();
    load(&w, dir);
    s.key_cache = calloc((size_t)G_L * G_CTX * G_D, sizeof(float));
    s.value_cache = calloc((size_t)G_L * G_CTX * G_D, sizeof(float));
    if (!s.key_cache || !s.value_cache) { fprintf(stderr, "baseline: out of memory\n"); return 1; }
    /* Write every page of the caches once. Untouched calloc pages all map the kernel's one zero
     * page, which reads from cache: generation at context 512 would then read earlier keys and
     * values for free, where the engine (whose prompt pass wrote them) reads them from memory. */
    for (size_t i = 0; i < (size_t)G_L * G_CTX * G_D; i++) s.key_cache[i] = s.value_cache[i] = 0.01f;
    printf("baseline: loaded %s in %.0f ms (%d OpenMP threads)\n", dir, bench_now_ms() - t0, omp_get_max_threads());

    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "omp_threads", omp_get_max_threads());

    /* agreement: the fox prompt's logits at every position, for the engine bench to compare */
    if (!gen_only) {
        char path[4096];
        snprintf(path, sizeof path, "%s", out);
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "baseline_logits.bin");
        FILE *f = fopen(path, "wb");
        cJSON *top1 = cJSON_AddArrayToObject(root, "fox_top1");
        for (int t = 0; t < BENCH_FOX_N; t++) {
            float *lg = forward(&w, &s, bench_fox_ids[t], t);
            cJSON_AddItemToArray(top1, cJSON_CreateNumber(argmax(lg, G_V)));
            if (f) fwrite(lg, sizeof(float), G_V, f);
        }
        if (!f || fclose(f) != 0) fprintf(stderr, "baseline: %s: cannot write\n", path);
        cJSON_AddStringToObject(root, "fox_logits_file", path);
    }

    /* whole prompt */
    cJSON *pr = cJSON_AddArrayToObject(root, "prompt");
    static const int Ts[] = { 8, 64, 256 };
    for (int bi = 1; bi <= 2 && !gen_only; bi++) {
        for (int ti = 0; ti < 3; ti++) {
            int T = Ts[ti], B = bi;
            /* run.c processes rows one after another, so B=2 costs two B=1 passes; at T=256
             * (~6 s a pass here) B=2 is timed once only, with quick fewer still */
            int reps = T <= 8 ? 5 : T <= 64 ? 3 : (B == 1 ? 2 : 1);
            if (quick) reps = T <= 64 ? 2 : 1;
            double ms[8];
            for (int r = 0; r < reps; r++) ms[r] = run_prompt(&w, &s, B, T);
            double mn = bench_min(ms, reps), med = bench_median(ms, reps);
            printf("baseline: prompt B=%d T=%-4d %9.1f ms min %9.1f ms median (%d reps)\n", B, T, mn, med, reps);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "B", B);
            cJSON_AddNumberToObject(o, "T", T);
            cJSON_AddNumberToObject(o, "ms_min", mn);
            cJSON_AddNumberToObject(o, "ms_median", med);
            cJSON_AddNumberToObject(o, "reps", reps);
            cJSON_AddItemToArray(pr, o);
        }
    }

    cJSON_AddItemToObject(root, "generate", generation(&w, &s, quick));
    int rc = bench_write_json(out, root);
    cJSON_Delete(root);
    return rc ? 1 : 0;
}
