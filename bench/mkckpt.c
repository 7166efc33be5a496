/* mkckpt.c - write a GPT-2-124M-shaped Hugging Face folder with seeded random weights, so the
 * benchmark needs no download.
 *
 *   mkckpt OUTDIR TOKDIR [SEED]
 *
 * OUTDIR gets model.safetensors (the tensor names, shapes and order of Hugging Face's `gpt2`:
 * wte (V,D), wpe (ctx,D), h.N.{ln_1,attn.bias,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj},
 * ln_f, sorted by name; Conv1D weights stored (in,out); F32; the data section at the real
 * file's place modulo the page size: see header_json), config.json, and vocab.json / merges.txt as
 * symlinks to TOKDIR's encoder.json / vocab.bpe (or vocab.json / merges.txt).
 * Weights ~ N(0, 0.02), LayerNorm weights 1 and biases 0, other biases 0, attn.bias the causal
 * mask buffer (lower triangle of ones) as in the real file. About 548 MB, like the real one.
 * When OUTDIR/model.safetensors already has exactly the expected size it is kept (cache).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

typedef enum { FILL_NORMAL, FILL_ONES, FILL_ZEROS, FILL_CAUSAL } Fill;

typedef struct {
    char name[64];
    int ndim;
    long long shape[4];
    Fill fill;
    size_t begin, end; /* byte offsets in the data section */
} Tensor;

#define MAX_TENSORS (4 + 13 * G_L + 2)
static Tensor tensors[MAX_TENSORS];
static int n_tensors;
static size_t data_bytes;

static void add(const char *name, Fill fill, int ndim, long long a, long long b, long long c, long long d) {
    Tensor *t = &tensors[n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = a; t->shape[1] = b; t->shape[2] = c; t->shape[3] = d;
    t->fill = fill;
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)t->shape[i];
    t->begin = data_bytes;
    t->end = data_bytes + 4 * n;
    data_bytes = t->end;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const Tensor *)a)->name, ((const Tensor *)b)->name);
}

static void layout(void) {
    char nm[64];
    add("wte.weight", FILL_NORMAL, 2, G_V, G_D, 0, 0);
    add("wpe.weight", FILL_NORMAL, 2, G_CTX, G_D, 0, 0);
    for (int l = 0; l < G_L; l++) {
#define T_(suffix, fill, nd, a, b, c, d) \
        snprintf(nm, sizeof nm, "h.%d.%s", l, suffix); add(nm, fill, nd, a, b, c, d)
        T_("ln_1.weight", FILL_ONES, 1, G_D, 0, 0, 0);
        T_("ln_1.bias", FILL_ZEROS, 1, G_D, 0, 0, 0);
        T_("attn.bias", FILL_CAUSAL, 4, 1, 1, G_CTX, G_CTX);
        T_("attn.c_attn.weight", FILL_NORMAL, 2, G_D, 3 * G_D, 0, 0);
        T_("attn.c_attn.bias", FILL_ZEROS, 1, 3 * G_D, 0, 0, 0);
        T_("attn.c_proj.weight", FILL_NORMAL, 2, G_D, G_D, 0, 0);
        T_("attn.c_proj.bias", FILL_ZEROS, 1, G_D, 0, 0, 0);
        T_("ln_2.weight", FILL_ONES, 1, G_D, 0, 0, 0);
        T_("ln_2.bias", FILL_ZEROS, 1, G_D, 0, 0, 0);
        T_("mlp.c_fc.weight", FILL_NORMAL, 2, G_D, G_F, 0, 0);
        T_("mlp.c_fc.bias", FILL_ZEROS, 1, G_F, 0, 0, 0);
        T_("mlp.c_proj.weight", FILL_NORMAL, 2, G_F, G_D, 0, 0);
        T_("mlp.c_proj.bias", FILL_ZEROS, 1, G_D, 0, 0, 0);
#undef T_
    }
    add("ln_f.weight", FILL_ONES, 1, G_D, 0, 0, 0);
    add("ln_f.bias", FILL_ZEROS, 1, G_D, 0, 0, 0);
    /* the file holds them sorted by name, as the safetensors writer stores them */
    qsort(tensors, (size_t)n_tensors, sizeof *tensors, by_name);
    data_bytes = 0;
    for (int i = 0; i < n_tensors; i++) {
        size_t len = tensors[i].end - tensors[i].begin;
        tensors[i].begin = data_bytes;
        tensors[i].end = data_bytes + len;
        data_bytes += len;
    }
}

/* The header: u64 length, then JSON padded with spaces to a multiple of 8 (as safetensors does). */
static char *header_json(unsigned long long seed, size_t *len) {
    cJSON *root = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
    cJSON_AddStringToObject(meta, "format", "pt");
    char desc[64];
    snprintf(desc, sizeof desc, "bench seed %llu", seed);
    cJSON_AddStringToObject(meta, "shapewalk", desc);
    for (int i = 0; i < n_tensors; i++) {
        Tensor *t = &tensors[i];
        cJSON *o = cJSON_AddObjectToObject(root, t->name);
        cJSON_AddStringToObject(o, "dtype", "F32");
        cJSON *sh = cJSON_AddArrayToObject(o, "shape");
        for (int k = 0; k < t->ndim; k++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t->shape[k]));
        cJSON *off = cJSON_AddArrayToObject(o, "data_offsets");
        cJSON_AddItemToArray(off, cJSON_CreateNumber((double)t->begin));
        cJSON_AddItemToArray(off, cJSON_CreateNumber((double)t->end));
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s) return NULL;
    /* The data section starts at byte 8 + header length. The real gpt2 model.safetensors is
     * 548,105,171 bytes: odd, while every tensor in it is F32 (a multiple of 4 bytes), so its
     * header length is odd and its tensors sit at odd addresses when mapped. Its tensor bytes
     * add up to 548,090,880 (124,439,808 weights and 12 attn.bias masks), which leaves a
     * 14,283-byte header: the data starts at byte 14,291. By default the header is padded with
     * spaces so the data starts at the same place (mod 4096, the page size), so the engine
     * sees the real file's alignment. SW_BENCH_ALIGN=N instead aligns the data to N bytes. */
    const char *al = getenv("SW_BENCH_ALIGN");
    size_t n = strlen(s), padded;
    if (al && atoi(al) >= 1) {
        size_t a = (size_t)atoi(al);
        padded = (8 + n + a - 1) / a * a - 8;
    } else {
        padded = 14283;
        while (padded < n) padded += 4096;
    }
    char *p = realloc(s, padded + 1);
    if (!p) { free(s); return NULL; }
    memset(p + n, ' ', padded - n);
    p[padded] = 0;
    *len = padded;
    return p;
}

/* N(0, sd) by Box-Muller on splitmix64 draws. */
static void fill_normal(float *x, size_t n, float sd, unsigned long long *rng) {
    for (size_t i = 0; i < n; i += 2) {
        uint64_t r = bench_rand_u64(rng);
        double u1 = ((r >> 40) + 1.0) / 16777217.0;          /* (0,1] */
        double u2 = ((r & 0xFFFFFF) + 0.5) / 16777216.0;     /* (0,1)  */
        double rad = sqrt(-2.0 * log(u1)) * sd;
        x[i] = (float)(rad * cos(6.283185307179586 * u2));
        if (i + 1 < n) x[i + 1] = (float)(rad * sin(6.283185307179586 * u2));
    }
}

static int write_data(FILE *f, const Tensor *t, unsigned long long *rng) {
    enum { CHUNK = 1 << 20 };
    static float buf[CHUNK];
    size_t n = (t->end - t->begin) / 4, done = 0;
    size_t cols = t->ndim == 4 ? (size_t)t->shape[3] : 0;
    while (done < n) {
        size_t k = n - done < CHUNK ? n - done : CHUNK;
        for (size_t i = 0; i < k; i++) {
            switch (t->fill) {
            case FILL_ONES: buf[i] = 1.0f; break;
            case FILL_ZEROS: buf[i] = 0.0f; break;
            case FILL_CAUSAL: { size_t e = done + i; buf[i] = (e % cols) <= (e / cols) % cols ? 1.0f : 0.0f; } break;
            case FILL_NORMAL: break;
            }
        }
        if (t->fill == FILL_NORMAL) fill_normal(buf, k, 0.02f, rng);
        if (fwrite(buf, 4, k, f) != k) return -1;
        done += k;
    }
    return 0;
}

static int link_tok(const char *outdir, const char *tokdir, const char *name, const char *alt1, const char *alt2) {
    char dst[4096], src[4096];
    snprintf(dst, sizeof dst, "%s/%s", outdir, name);
    const char *alts[2] = { alt1, alt2 };
    for (int i = 0; i < 2; i++) {
        snprintf(src, sizeof src, "%s/%s", tokdir, alts[i]);
        if (access(src, R_OK) != 0) continue;
        char real[4096];
        if (!realpath(src, real)) continue;
        unlink(dst);
        if (symlink(real, dst) != 0) {
            fprintf(stderr, "mkckpt: %s: cannot symlink to %s: %s\n", dst, real, strerror(errno));
            return -1;
        }
        return 0;
    }
    fprintf(stderr, "mkckpt: %s: neither %s nor %s found (is SHARED right?)\n", tokdir, alt1, alt2);
    return -1;
}

static int write_config(const char *outdir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", outdir);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "model_type", "gpt2");
    cJSON *arch = cJSON_AddArrayToObject(c, "architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("GPT2LMHeadModel"));
    cJSON_AddNumberToObject(c, "vocab_size", G_V);
    cJSON_AddNumberToObject(c, "n_embd", G_D);
    cJSON_AddNumberToObject(c, "n_head", G_H);
    cJSON_AddNumberToObject(c, "n_layer", G_L);
    cJSON_AddNumberToObject(c, "n_positions", G_CTX);
    cJSON_AddNumberToObject(c, "n_ctx", G_CTX);
    cJSON_AddNumberToObject(c, "layer_norm_epsilon", 1e-5);
    cJSON_AddStringToObject(c, "activation_function", "gelu_new");
    int rc = bench_write_json(path, c);
    cJSON_Delete(c);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: mkckpt OUTDIR TOKDIR [SEED]\n");
        return 2;
    }
    const char *outdir = argv[1], *tokdir = argv[2];
    unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1234;
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkckpt: %s: cannot create: %s\n", outdir, strerror(errno));
        return 1;
    }
    layout();
    size_t hlen = 0;
    char *hdr = header_json(seed, &hlen);
    if (!hdr) { fprintf(stderr, "mkckpt: out of memory building the header\n"); return 1; }
    size_t total = 8 + hlen + data_bytes;

    if (write_config(outdir) != 0) return 1;
    if (link_tok(outdir, tokdir, "vocab.json", "encoder.json", "vocab.json") != 0) return 1;
    if (link_tok(outdir, tokdir, "merges.txt", "vocab.bpe", "merges.txt") != 0) return 1;

    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/model.safetensors", outdir);
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size == total) {
        printf("mkckpt: %s: cached (%.1f MB)\n", path, total / 1e6);
        free(hdr);
        return 0;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    double t0 = bench_now_ms();
    FILE *f = fopen(tmp, "wb");
    if (!f) { fprintf(stderr, "mkckpt: %s: cannot write: %s\n", tmp, strerror(errno)); free(hdr); return 1; }
    uint64_t h64 = hlen; /* little-endian on every machine this targets (x86-64, arm64) */
    int bad = fwrite(&h64, 8, 1, f) != 1 || fwrite(hdr, 1, hlen, f) != hlen;
    unsigned long long rng = seed;
    for (int i = 0; i < n_tensors && !bad; i++) bad = write_data(f, &tensors[i], &rng) != 0;
    bad |= fclose(f) != 0;
    free(hdr);
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "mkckpt: %s: write failed (disk full? %.0f MB needed)\n", tmp, total / 1e6);
        unlink(tmp);
        return 1;
    }
    printf("mkckpt: wrote %s (%.1f MB, %d tensors, seed %llu) in %.1f s\n",
           path, total / 1e6, n_tensors, seed, (bench_now_ms() - t0) / 1e3);
    return 0;
}
