/* test_model.c - loading models: the two shared test models, F16/BF16 conversion, the
 * default-model search, and many broken files (all generated here in a mkdtemp dir).
 *
 * Expected weight values were read independently with python3 (struct.unpack on the raw
 * bytes, json.loads on the safetensors header), e.g.
 *   python3 -c "import struct,json; f=open('model.safetensors','rb').read(); ..."
 * Expected parameter counts are sums of the tensor sizes (python3, math.prod of each shape,
 * without the h.N.attn.bias mask buffers; llama: the layout in ../shared/README.md).
 */
#include "check.h"
#include "engine/model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];
static char err[SW_ERR_LEN];

/* ---------------------------------------------------------------- files */

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = len ? fwrite(data, 1, len, f) : 0;
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    if (b) { b[n] = 0; *len = (size_t)n; }
    return b;
}

static const char *tpath(const char *sub) {
    static char bufs[8][1024];
    static int k;
    char *b = bufs[k++ % 8];
    snprintf(b, 1024, "%s/%s", tmp, sub);
    return b;
}

static void mkd(const char *sub) { mkdir(tpath(sub), 0700); }

/* remove a tree made by this test (no symlinks are followed: lstat) */
static void rm_rf(const char *p) {
    struct stat sb;
    if (lstat(p, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(p);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char q[2048];
            snprintf(q, sizeof q, "%s/%s", p, e->d_name);
            rm_rf(q);
        }
        if (d) closedir(d);
        rmdir(p);
    } else {
        unlink(p);
    }
}

/* ---------------------------------------------------------------- the d64 source tensors */

typedef struct {
    char name[96];
    int ndim;
    long long shape[4];
    const float *vals;
    size_t n;
} Src;

static char *d64_bytes;
static Src src[64];
static int nsrc;

static int load_d64(void) {
    char p[1024];
    snprintf(p, sizeof p, "%s/models/gpt2-test-d64/model.safetensors", shared_dir());
    size_t len;
    d64_bytes = read_all(p, &len);
    if (!d64_bytes) return -1;
    uint64_t n;
    memcpy(&n, d64_bytes, 8);
    cJSON *h = cJSON_ParseWithLength(d64_bytes + 8, n);
    if (!h) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, h) {
        if (strcmp(e->string, "__metadata__") == 0) continue;
        Src *s = &src[nsrc++];
        snprintf(s->name, sizeof s->name, "%s", e->string);
        const cJSON *d;
        s->n = 1;
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(e, "shape")) {
            s->shape[s->ndim++] = (long long)d->valuedouble;
            s->n *= (size_t)d->valuedouble;
        }
        size_t b = (size_t)cJSON_GetArrayItem(cJSON_GetObjectItem(e, "data_offsets"), 0)->valuedouble;
        s->vals = (const float *)(void *)(d64_bytes + 8 + n + b);   /* header is 8-aligned */
    }
    cJSON_Delete(h);
    return 0;
}

static const Src *find_src(const char *name) {
    for (int i = 0; i < nsrc; i++)
        if (strcmp(src[i].name, name) == 0) return &src[i];
    return NULL;
}

/* ---------------------------------------------------------------- a safetensors writer */

/* The test's own F32 -> F16 / BF16 (round to nearest even), independent of the loader. */
static uint16_t to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, man = x & 0x7fffffu;
    int e = (int)((x >> 23) & 0xff) - 127 + 15;
    if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        man |= 0x800000u;
        int shift = 14 - e;
        uint32_t h = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

static uint16_t to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

typedef struct {
    char name[128];
    const char *dtype;    /* F32 F16 BF16, or anything (data written as zeros) */
    int ndim;
    long long shape[4];
    const float *vals;    /* n values (may be NULL: zeros) */
    size_t n;
} WT;

static size_t esize(const char *dt) {
    if (!strcmp(dt, "F32") || !strcmp(dt, "I32")) return 4;
    if (!strcmp(dt, "F16") || !strcmp(dt, "BF16")) return 2;
    if (!strcmp(dt, "F64")) return 8;
    return 1;
}

/* Write tensors back to back. misalign: pad the header so the data starts at 8k+2. */
static int write_st(const char *path, const WT *t, int nt, int misalign) {
    size_t cap = 1 << 16, hl = 0, off = 0;
    char *hdr = malloc(cap);
    hl += (size_t)snprintf(hdr + hl, cap - hl, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (int i = 0; i < nt; i++) {
        size_t bytes = t[i].n * esize(t[i].dtype);
        hl += (size_t)snprintf(hdr + hl, cap - hl, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", t[i].name, t[i].dtype);
        for (int d = 0; d < t[i].ndim; d++)
            hl += (size_t)snprintf(hdr + hl, cap - hl, "%s%lld", d ? "," : "", t[i].shape[d]);
        hl += (size_t)snprintf(hdr + hl, cap - hl, "],\"data_offsets\":[%zu,%zu]}", off, off + bytes);
        off += bytes;
    }
    hl += (size_t)snprintf(hdr + hl, cap - hl, "}");
    while ((8 + hl) % 8 != (misalign ? 2u : 0u)) hdr[hl++] = ' ';
    FILE *f = fopen(path, "wb");
    if (!f) { free(hdr); return -1; }
    uint64_t n = hl;
    fwrite(&n, 8, 1, f);
    fwrite(hdr, 1, hl, f);
    free(hdr);
    for (int i = 0; i < nt; i++) {
        size_t es = esize(t[i].dtype);
        uint8_t *buf = calloc(t[i].n ? t[i].n : 1, es);
        for (size_t k = 0; t[i].vals && k < t[i].n; k++) {
            float v = t[i].vals[k];
            if (!strcmp(t[i].dtype, "F32")) memcpy(buf + 4 * k, &v, 4);
            else if (!strcmp(t[i].dtype, "F16")) { uint16_t h = to_f16(v); memcpy(buf + 2 * k, &h, 2); }
            else if (!strcmp(t[i].dtype, "BF16")) { uint16_t h = to_bf16(v); memcpy(buf + 2 * k, &h, 2); }
        }
        fwrite(buf, es, t[i].n, f);
        free(buf);
    }
    return fclose(f);
}

/* The d64 checkpoint as WT entries with a dtype and a name prefix. */
static int d64_tensors(WT *out, const char *dtype, const char *prefix) {
    for (int i = 0; i < nsrc; i++) {
        WT *w = &out[i];
        snprintf(w->name, sizeof w->name, "%.30s%.90s", prefix, src[i].name);
        w->dtype = dtype;
        w->ndim = src[i].ndim;
        memcpy(w->shape, src[i].shape, sizeof w->shape);
        w->vals = src[i].vals;
        w->n = src[i].n;
    }
    return nsrc;
}

static const char *CONFIG =
    "{\"model_type\": \"gpt2\", \"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 4,"
    " \"n_layer\": 2, \"n_positions\": 128, \"n_ctx\": 128, \"layer_norm_epsilon\": 1e-05,"
    " \"activation_function\": \"gelu_new\"}";

/* A GPT-2 folder tmp/sub with config text (NULL: none) and tokenizer links (0/1/2 files). */
static const char *gpt2_dir(const char *sub, const char *config, int tok_files) {
    mkd(sub);
    char p[1024], s[1024];
    if (config) {
        snprintf(p, sizeof p, "%s/config.json", tpath(sub));
        write_file(p, config, strlen(config));
    }
    const char *names[2] = {"vocab.json", "merges.txt"};
    for (int i = 0; i < tok_files; i++) {
        snprintf(p, sizeof p, "%s/%s", tpath(sub), names[i]);
        snprintf(s, sizeof s, "%s/models/gpt2-test-d64/%s", shared_dir(), names[i]);
        if (symlink(s, p) != 0 && errno != EEXIST) perror(p);
    }
    return tpath(sub);
}

static const char *st_in(const char *sub) {
    static char p[1024];
    snprintf(p, sizeof p, "%s/model.safetensors", tpath(sub));
    return p;
}

/* ---------------------------------------------------------------- checks */

static int in_range(const void *p, size_t nbytes, const void *base, size_t len) {
    const uint8_t *a = p, *b = base;
    return p && base && a >= b && a + nbytes <= b + len;
}

static int one_line(const char *s) { return strchr(s, '\n') == NULL && *s; }

/* Model_open must fail, with a one-line err naming `file` and containing `what`. */
static void bad(const char *name, const char *path, const char *tok, const char *file, const char *what) {
    err[0] = 0;
    Model *m = Model_open(path, tok, err);
    if (m) {
        fail(name, "opened a broken model");
        Model_free(m);
        return;
    }
    if (!one_line(err)) fail(name, "err is empty or not one line: [%s]", err);
    else if (!strstr(err, file)) fail(name, "err does not name %s: %s", file, err);
    else if (what && !strstr(err, what)) fail(name, "err lacks \"%s\": %s", what, err);
    else pass(name);
    if (getenv("SW_TEST_VERBOSE")) printf("    err: %s\n", err);
}

/* ---------------------------------------------------------------- GPT-2 d64 */

static void test_gpt2_d64(void) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/models/gpt2-test-d64", shared_dir());
    err[0] = 0;
    Model *m = Model_open(dir, NULL, err);
    if (!m) { fail("gpt2 d64 opens", "%s", err); return; }
    pass("gpt2 d64 opens");
    const Config *c = &m->c;
    /* from config.json: n_embd 64, n_head 4, n_layer 2, n_positions 128, vocab 50257 */
    expect(c->norm == NORM_LAYERNORM && c->pos == POS_LEARNED && c->mlp == MLP_GELU && c->qkv_fused && c->qkv_bias && c->proj_bias && c->dim == 64 && c->n_heads == 4 && c->n_kv_heads == 4 &&
           c->head_dim == 16 && c->n_layers == 2 && c->hidden_dim == 256 && c->vocab_size == 50257 &&
           c->seq_len == 128 && close_to(c->norm_eps, 1e-5, 1e-12) && c->shared_classifier == 1,
           "gpt2 d64 config", "D=%d h=%d L=%d F=%d V=%d ctx=%d eps=%g", c->dim, c->n_heads, c->n_layers,
           c->hidden_dim, c->vocab_size, c->seq_len, c->norm_eps);
    expect(strcmp(m->name, "gpt2-test-d64") == 0, "gpt2 d64 name is the folder's", "%s", m->name);
    expect(strcmp(m->path, dir) == 0, "gpt2 d64 path recorded", "%s", m->path);
    /* python3 struct.unpack of model.safetensors at the tensors' data_offsets */
    const LayerWeights *w0 = &m->layers[0], *w1 = &m->layers[1];
    int ok = m->tok_emb.w[0] == -0.0558592826128006f && m->tok_emb.w[50256 * 64 + 63] == -0.204790398478508f &&
             m->pos_emb[127 * 64 + 1] == -0.10422766208648682f &&
             w1->attn_qkv.w[63 * 192 + 191] == -0.005230911076068878f &&
             w0->ffn_down.w[255 * 64 + 0] == -0.1680900901556015f && m->lnf_b[5] == 0.011915353126823902f &&
             w1->ffn_up_b[255] == -0.04839120805263519f && w0->attn_norm[3] == 0.9497637152671814f;
    expect(ok, "gpt2 d64 weight values match python", "wte[0][0]=%.9g", m->tok_emb.w[0]);
    expect(w0->attn_qkv.in == 64 && w0->attn_qkv.out == 192 && w0->attn_qkv.out_major == 0 &&
           w0->attn_out.in == 64 && w0->attn_out.out == 64 && w0->ffn_up.in == 64 && w0->ffn_up.out == 256 &&
           w0->ffn_down.in == 256 && w0->ffn_down.out == 64 && w0->ffn_down.out_major == 0,
           "gpt2 d64 Conv1D Linears are (in,out)", "c_attn in=%d out=%d", w0->attn_qkv.in, w0->attn_qkv.out);
    expect(m->lm_head.w == m->tok_emb.w && m->lm_head.in == 64 && m->lm_head.out == 50257 && m->lm_head.out_major == 1,
           "gpt2 d64 LM head tied to wte", "in=%d out=%d", m->lm_head.in, m->lm_head.out);
    const uint8_t *b = m->map.data;
    size_t L = m->map.len;
    ok = m->owned == NULL && in_range(m->tok_emb.w, 50257 * 64 * 4, b, L) && in_range(m->pos_emb, 128 * 64 * 4, b, L) &&
         in_range(m->lnf_w, 256, b, L) && in_range(m->lnf_b, 256, b, L);
    for (int l = 0; l < 2; l++) {
        const LayerWeights *w = &m->layers[l];
        ok = ok && in_range(w->attn_qkv.w, 64 * 192 * 4, b, L) && in_range(w->attn_out.w, 64 * 64 * 4, b, L) &&
             in_range(w->ffn_up.w, 64 * 256 * 4, b, L) && in_range(w->ffn_down.w, 256 * 64 * 4, b, L) &&
             in_range(w->attn_norm, 256, b, L) && in_range(w->ffn_norm_b, 256, b, L) && in_range(w->attn_qkv_b, 768, b, L) &&
             in_range(w->ffn_up_b, 1024, b, L) && in_range(w->ffn_down_b, 256, b, L) && in_range(w->attn_out_b, 256, b, L);
    }
    expect(ok, "gpt2 d64 F32 weights point into the mapping", "owned=%p", (void *)m->owned);
    /* V*D + ctx*D + L*(2D + 3D*D+3D + D*D+D + 2D + D*F+F + F*D+D) + 2D; python sum of shapes = 3324736 */
    expect(Model_n_params(m) == 3324736, "gpt2 d64 n_params", "%zu", Model_n_params(m));
    /* 4 bytes * (L*49984 + wte row + wpe row + ln_f (4D) + V*D) */
    expect(m->weight_bytes == 4u * (2 * 49984 + 4 * 64 + 50257 * 64), "gpt2 d64 weight_bytes", "%zu", m->weight_bytes);
    char d[256];
    Model_describe(m, d, sizeof d);
    expect(strcmp(d, "gpt2-test-d64 \xc2\xb7 F32 \xc2\xb7 L=2 D=64 h=4 V=50257 ctx=128 \xc2\xb7 3.3M params") == 0,
           "gpt2 d64 describe", "%s", d);
    expect(m->tok && Tokenizer_kind(m->tok) == TOK_GPT2, "gpt2 d64 tokenizer opened", "%p", (void *)m->tok);
    Model_free(m);

    /* the .safetensors file path opens its folder */
    char f[1100];
    snprintf(f, sizeof f, "%s/model.safetensors", dir);
    m = Model_open(f, NULL, err);
    expect(m && m->c.dim == 64 && strcmp(m->name, "gpt2-test-d64") == 0, "gpt2 via model.safetensors path", "%s",
           m ? m->name : err);
    Model_free(m);
    Model_free(NULL);
}

/* ---------------------------------------------------------------- stories260K */

static void check_stories(const char *label, Model *m) {
    char name[160];
    const Config *c = &m->c;
    snprintf(name, sizeof name, "%s: config", label);
    /* header ints, read with python3 struct.unpack('<7i') */
    expect(c->norm == NORM_RMSNORM && c->pos == POS_ROPE && c->rope_base == 10000.0f && c->rope_dims == 8 && c->rope_pairing == ROPE_PAIRS && c->mlp == MLP_SWIGLU && !c->qkv_fused && !c->qkv_bias && c->dim == 64 && c->hidden_dim == 172 && c->n_layers == 5 && c->n_heads == 8 &&
           c->n_kv_heads == 4 && c->head_dim == 8 && c->vocab_size == 512 && c->seq_len == 512 &&
           close_to(c->norm_eps, 1e-5, 1e-12) && c->shared_classifier == 1,
           name, "D=%d F=%d L=%d h=%d kv=%d V=%d", c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
           c->vocab_size);
    snprintf(name, sizeof name, "%s: name", label);
    expect(strcmp(m->name, "stories260K") == 0, name, "%s", m->name);
    /* python3: floats at 28 + 4*offset, offsets from the tensor order in ../shared/README.md */
    const LayerWeights *w = m->layers;
    int ok = m->tok_emb.w[0] == -0.29474878311157227f && m->tok_emb.w[511 * 64 + 63] == -0.424032598733902f &&
             w[0].attn_norm[0] == 0.9722429513931274f && w[4].attn_q.w[63 * 64 + 0] == 0.10651404410600662f &&
             w[2].attn_k.w[31 * 64 + 63] == 0.018669389188289642f && w[4].ffn_down.w[64 * 172 - 1] == -0.0035068716388195753f &&
             w[1].ffn_up.w[171 * 64 + 5] == 0.036107804626226425f && m->lnf_w[0] == 2.4583089351654053f &&
             w[3].ffn_norm[10] == 0.9055319428443909f;
    snprintf(name, sizeof name, "%s: weight values match python", label);
    expect(ok, name, "E[0]=%.9g", m->tok_emb.w[0]);
    snprintf(name, sizeof name, "%s: Linears are (out,in)", label);
    expect(w[0].attn_q.in == 64 && w[0].attn_q.out == 64 && w[0].attn_k.out == 32 && w[0].attn_v.out == 32 && w[0].attn_out.out == 64 &&
           w[0].ffn_gate.in == 64 && w[0].ffn_gate.out == 172 && w[0].ffn_down.in == 172 && w[0].ffn_down.out == 64 && w[0].ffn_up.out == 172 &&
           w[0].attn_q.out_major == 1 && w[0].ffn_down.out_major == 1 && m->lm_head.w == m->tok_emb.w && m->lm_head.in == 64 &&
           m->lm_head.out == 512 && m->lm_head.out_major == 1 && m->pos_emb == NULL && m->lnf_b == NULL,
           name, "wk out=%d", w[0].attn_k.out);
    const uint8_t *b = m->map.data;
    size_t L = m->map.len;
    ok = m->owned == NULL && in_range(m->tok_emb.w, 512 * 64 * 4, b, L) && in_range(m->lnf_w, 256, b, L);
    for (int l = 0; l < 5; l++)
        ok = ok && in_range(w[l].attn_q.w, 64 * 64 * 4, b, L) && in_range(w[l].attn_k.w, 32 * 64 * 4, b, L) &&
             in_range(w[l].ffn_down.w, 172 * 64 * 4, b, L) && in_range(w[l].ffn_up.w, 172 * 64 * 4, b, L) &&
             in_range(w[l].ffn_norm, 256, b, L);
    snprintf(name, sizeof name, "%s: weights point into the mapping", label);
    expect(ok, name, "owned=%p", (void *)m->owned);
    /* V*D + L*(2D + 2*D*D + 2*KV*d*D + 3*F*D) + D = 32768 + 5*45440 + 64 */
    snprintf(name, sizeof name, "%s: n_params, weight_bytes", label);
    expect(Model_n_params(m) == 260032 && m->weight_bytes == 4u * (5 * 45440 + 64 + 64 + 512 * 64), name,
           "%zu %zu", Model_n_params(m), m->weight_bytes);
    char d[256];
    Model_describe(m, d, sizeof d);
    snprintf(name, sizeof name, "%s: describe", label);
    expect(strcmp(d, "stories260K \xc2\xb7 llama \xc2\xb7 F32 \xc2\xb7 L=5 D=64 h=8 KV=4 V=512 ctx=512 \xc2\xb7 260K params") == 0, name, "%s", d);
    snprintf(name, sizeof name, "%s: tokenizer", label);
    expect(m->tok && Tokenizer_kind(m->tok) == TOK_LLAMA, name, "%p", (void *)m->tok);
}

static void test_stories(void) {
    char dir[1024], bin[1100], tok[1100];
    snprintf(dir, sizeof dir, "%s/models/stories260K", shared_dir());
    snprintf(bin, sizeof bin, "%s/stories260K.bin", dir);
    snprintf(tok, sizeof tok, "%s/tok512.bin", dir);
    const char *labels[3] = {"stories260K folder", "stories260K .bin", "stories260K .bin + tokenizer"};
    const char *paths[3] = {dir, bin, bin};
    const char *toks[3] = {NULL, NULL, tok};
    for (int i = 0; i < 3; i++) {
        err[0] = 0;
        Model *m = Model_open(paths[i], toks[i], err);
        if (!m) { fail(labels[i], "%s", err); continue; }
        pass(labels[i]);
        check_stories(labels[i], m);
        Model_free(m);
    }

    /* negative vocab_size: a separate classifier after the RoPE tables; built from the real
     * file with wcls = E + 1 so it is distinguishable */
    size_t len;
    char *b = read_all(bin, &len);
    if (!b) { fail("llama separate classifier", "cannot read %s", bin); return; }
    char *nb = malloc(len + 512 * 64 * 4);
    memcpy(nb, b, len);
    int32_t v = -512;
    memcpy(nb + 20, &v, 4);
    float *wc = (float *)(void *)(nb + len);
    for (int i = 0; i < 512 * 64; i++) {
        float e;
        memcpy(&e, b + 28 + 4 * i, 4);
        wc[i] = e + 1.0f;
    }
    mkd("sepcls");
    char p[1024];
    snprintf(p, sizeof p, "%s/sep.bin", tpath("sepcls"));
    write_file(p, nb, len + 512 * 64 * 4);
    Model *m = Model_open(p, tok, err);
    if (!m) fail("llama separate classifier", "%s", err);
    else {
        int ok = m->c.shared_classifier == 0 && m->lm_head.w != m->tok_emb.w && m->lm_head.out == 512 &&
                 m->lm_head.w[0] == m->tok_emb.w[0] + 1.0f && m->lm_head.w[511 * 64 + 63] == m->tok_emb.w[511 * 64 + 63] + 1.0f &&
                 in_range(m->lm_head.w, 512 * 64 * 4, m->map.data, m->map.len) && Model_n_params(m) == 260032 + 512 * 64 &&
                 strcmp(m->name, "sep") == 0;
        expect(ok, "llama separate classifier (negative vocab_size)", "shared=%d", m->c.shared_classifier);
        Model_free(m);
    }
    /* truncated at several points, and one byte too many */
    size_t cuts[4] = {10, 28 + 1000, len / 2, len - 4};
    for (int i = 0; i < 4; i++) {
        char nm[96];
        snprintf(p, sizeof p, "%s/cut%d.bin", tpath("sepcls"), i);
        write_file(p, b, cuts[i]);
        snprintf(nm, sizeof nm, "llama truncated at %zu bytes", cuts[i]);
        bad(nm, p, tok, "cut", "truncated");
    }
    snprintf(p, sizeof p, "%s/cut4.bin", tpath("sepcls"));
    write_file(p, b, 28 + 1000);
    err[0] = 0;
    Model_free(Model_open(p, tok, err));
    expect(strstr(err, "expected 1056540 bytes, file has 1028") != NULL, "llama truncated says expected/has",
           "%s", err);
    memcpy(nb, b, len);
    nb[len] = 0;
    snprintf(p, sizeof p, "%s/long.bin", tpath("sepcls"));
    write_file(p, nb, len + 1);
    bad("llama file longer than its header says", p, tok, "long.bin", "expected 1056540 bytes");
    free(nb);

    /* tokenizer missing: the checkpoint alone in a folder */
    mkd("lonely");
    snprintf(p, sizeof p, "%s/stories260K.bin", tpath("lonely"));
    symlink(bin, p);
    bad("llama tokenizer missing (file)", p, NULL, "stories260K.bin", "no tokenizer");
    bad("llama tokenizer missing (folder)", tpath("lonely"), NULL, "stories260K.bin", "no tokenizer");
    bad("llama --tokenizer does not exist", p, tpath("nope.bin"), "nope.bin", NULL);
    /* tok<V>.bin beside it is found */
    char t2[1100];
    snprintf(t2, sizeof t2, "%s/tok512.bin", tpath("lonely"));
    symlink(tok, t2);
    m = Model_open(tpath("lonely"), NULL, err);
    expect(m != NULL, "llama folder: one .bin + tok512.bin", "%s", err);
    Model_free(m);
    /* two checkpoints in one folder */
    snprintf(p, sizeof p, "%s/second.bin", tpath("lonely"));
    symlink(bin, p);
    bad("llama folder with two checkpoints", tpath("lonely"), NULL, "lonely", "several");
    free(b);
}

/* ---------------------------------------------------------------- F16 / BF16 / variants */

/* every element of the model's tensor `name` against the source, within rel (relative) */
static int close_all(const char *name, const float *got, double rel) {
    const Src *s = find_src(name);
    if (!s || !got) return 0;
    for (size_t i = 0; i < s->n; i++) {
        double a = got[i], e = s->vals[i];
        if (fabs(a - e) > fabs(e) * rel + 1e-7) {
            printf("  %s[%zu]: %.9g vs %.9g\n", name, i, a, e);
            return 0;
        }
    }
    return 1;
}

static int model_close(const Model *m, double rel) {
    int ok = close_all("wte.weight", m->tok_emb.w, rel) && close_all("wpe.weight", m->pos_emb, rel) &&
             close_all("ln_f.weight", m->lnf_w, rel) && close_all("ln_f.bias", m->lnf_b, rel);
    for (int l = 0; ok && l < 2; l++) {
        const LayerWeights *w = &m->layers[l];
        char n[64];
#define C(field, suffix) snprintf(n, sizeof n, "h.%d.%s", l, suffix); ok = ok && close_all(n, field, rel);
        C(w->attn_norm, "ln_1.weight") C(w->attn_norm_b, "ln_1.bias") C(w->attn_qkv.w, "attn.c_attn.weight")
        C(w->attn_qkv_b, "attn.c_attn.bias") C(w->attn_out.w, "attn.c_proj.weight") C(w->attn_out_b, "attn.c_proj.bias")
        C(w->ffn_norm, "ln_2.weight") C(w->ffn_norm_b, "ln_2.bias") C(w->ffn_up.w, "mlp.c_fc.weight")
        C(w->ffn_up_b, "mlp.c_fc.bias") C(w->ffn_down.w, "mlp.c_proj.weight") C(w->ffn_down_b, "mlp.c_proj.bias")
#undef C
    }
    return ok;
}

static int all_in_owned(const Model *m) {
    size_t cap = Model_n_params(m) * 4 + 128 * 128 * 4 * 2;   /* generous bound on owned's size */
    const void *o = m->owned;
    int ok = in_range(m->tok_emb.w, 4, o, cap) && in_range(m->pos_emb, 4, o, cap) && in_range(m->lnf_b, 4, o, cap);
    for (int l = 0; l < m->c.n_layers; l++)
        ok = ok && in_range(m->layers[l].attn_qkv.w, 4, o, cap) && in_range(m->layers[l].ffn_down_b, 4, o, cap);
    return ok && !in_range(m->tok_emb.w, 4, m->map.data, m->map.len);
}

static void test_dtypes(void) {
    static WT t[70];
    const char *dts[2] = {"F16", "BF16"};
    /* F16 keeps 11 significant bits, BF16 8: round-to-nearest error <= 2^-11, 2^-8 relative */
    const double rel[2] = {1.0 / 2048, 1.0 / 256};
    for (int k = 0; k < 2; k++) {
        char sub[32], name[64];
        snprintf(sub, sizeof sub, "dt_%s", dts[k]);
        gpt2_dir(sub, CONFIG, 2);
        int n = d64_tensors(t, dts[k], "");
        write_st(st_in(sub), t, n, 0);
        err[0] = 0;
        Model *m = Model_open(tpath(sub), NULL, err);
        snprintf(name, sizeof name, "%s checkpoint opens", dts[k]);
        if (!m) { fail(name, "%s", err); continue; }
        pass(name);
        snprintf(name, sizeof name, "%s converted into owned, not the map", dts[k]);
        expect(m->owned && all_in_owned(m), name, "owned=%p", (void *)m->owned);
        snprintf(name, sizeof name, "%s values within precision of the F32 originals", dts[k]);
        expect(model_close(m, rel[k]), name, "see above");
        Model_free(m);
    }

    /* "transformer." prefix, an untied lm_head.weight, and misaligned F32 data (copied) */
    gpt2_dir("prefixed", CONFIG, 2);
    int n = d64_tensors(t, "F32", "transformer.");
    WT *lm = &t[n++];
    snprintf(lm->name, sizeof lm->name, "lm_head.weight");
    lm->dtype = "F32";
    lm->ndim = 2;
    lm->shape[0] = 50257;
    lm->shape[1] = 64;
    lm->vals = find_src("wte.weight")->vals;
    lm->n = 50257 * 64;
    write_st(st_in("prefixed"), t, n, 1);
    err[0] = 0;
    /* no cache folder to write an aligned copy into (tests/test_aligned.c covers that path):
     * misaligned tensors are copied to memory */
    setenv("SHAPEWALK_CACHE", "/proc/shapewalk-no-cache", 1);
    Model *m = Model_open(tpath("prefixed"), NULL, err);
    unsetenv("SHAPEWALK_CACHE");
    if (!m) { fail("transformer. prefix + lm_head + misaligned F32", "%s", err); return; }
    pass("transformer. prefix + lm_head + misaligned F32");
    expect(model_close(m, 0.0) && close_all("wte.weight", m->lm_head.w, 0.0), "misaligned F32 copied exactly",
           "see above");
    expect(m->owned && all_in_owned(m), "misaligned F32 goes to owned", "owned=%p", (void *)m->owned);
    expect(m->c.shared_classifier == 0 && m->lm_head.w != m->tok_emb.w && m->lm_head.out_major == 1 &&
           m->lm_head.in == 64 && m->lm_head.out == 50257 && Model_n_params(m) == 3324736 + 50257 * 64,
           "untied lm_head.weight used", "shared=%d", m->c.shared_classifier);
    Model_free(m);
}

/* ---------------------------------------------------------------- broken GPT-2 folders */

/* a folder with a good config and tokenizer, and model.safetensors = 8-byte length + header + data */
static const char *raw_st(const char *sub, uint64_t hlen, const char *hdr, size_t data_len) {
    gpt2_dir(sub, CONFIG, 2);
    size_t n = strlen(hdr);
    char *buf = calloc(1, 8 + n + data_len);
    memcpy(buf, &hlen, 8);
    memcpy(buf + 8, hdr, n);
    write_file(st_in(sub), buf, 8 + n + data_len);
    free(buf);
    return tpath(sub);
}

static void bad_header(const char *name, const char *hdr, size_t data_len, const char *what) {
    static int k;
    char sub[32];
    snprintf(sub, sizeof sub, "hdr%d", k++);
    bad(name, raw_st(sub, strlen(hdr), hdr, data_len), NULL, "model.safetensors", what);
}

static void test_bad_gpt2(void) {
    static WT t[70];
    bad("missing folder", tpath("no-such-model"), NULL, "no-such-model", NULL);

    gpt2_dir("empty", CONFIG, 2);
    write_file(st_in("empty"), "", 0);
    bad("empty model.safetensors", tpath("empty"), NULL, "model.safetensors", "empty");

    /* truncated copies of the real file: inside the length, inside the header, right after
     * it, and in the middle of tensors */
    char p[1024];
    snprintf(p, sizeof p, "%s/models/gpt2-test-d64/model.safetensors", shared_dir());
    size_t len;
    char *real = read_all(p, &len);
    if (!real) { fail("truncated model.safetensors", "cannot read %s", p); return; }
    gpt2_dir("trunc", CONFIG, 2);
    size_t cuts[] = {4, 8 + 100, 8 + 1000, 8 + 2600, 8 + 2600 + 1000, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char nm[96];
        write_file(st_in("trunc"), real, cuts[i]);
        snprintf(nm, sizeof nm, "model.safetensors truncated at %zu of %zu bytes", cuts[i], len);
        bad(nm, tpath("trunc"), NULL, "model.safetensors", "truncated");
    }
    /* every cut inside the header region must fail cleanly too */
    int all = 1;
    for (size_t c = 0; c < 2700; c += 37) {
        write_file(st_in("trunc"), real, c);
        Model *m = Model_open(tpath("trunc"), NULL, err);
        if (m || !strstr(err, "model.safetensors")) { all = 0; Model_free(m); printf("  cut %zu: %s\n", c, err); }
    }
    expect(all, "model.safetensors cut at every 37th header byte fails cleanly", "see above");
    /* flipped header bytes never crash (they may still parse) */
    for (size_t i = 8; i < 2608; i += 13) {
        char save = real[i];
        real[i] = (char)(real[i] ^ 0x5a);
        write_file(st_in("trunc"), real, 8 + 2600 + 128);
        Model_free(Model_open(tpath("trunc"), NULL, err));
        real[i] = save;
    }
    pass("flipped header bytes do not crash");
    free(real);

    /* not safetensors at all */
    gpt2_dir("gguf", CONFIG, 2);
    write_file(st_in("gguf"), "GGUF\x03\0\0\0\0\0\0\0\0\0\0\0", 16);
    bad("wrong magic (GGUF)", tpath("gguf"), NULL, "model.safetensors", "GGUF");
    bad("header not JSON ('{' missing)", raw_st("nobrace", 12, "hello world!", 0), NULL, "model.safetensors", "'{'");
    bad("header length bigger than file", raw_st("biglen", 5000, "{}", 10), NULL, "model.safetensors", "runs past");
    bad("header length absurd", raw_st("hugelen", (uint64_t)1 << 40, "{}", 10), NULL, "model.safetensors", "plausible");
    bad_header("invalid JSON header", "{\"wte.weight\": {\"dtype\": \"F32\", \"shape\": [2", 0, "not valid JSON");
    bad_header("junk after the JSON", "{}   xyz", 0, "junk");
    bad_header("header entry not an object", "{\"a\": 5}", 0, "not a JSON object");
    bad_header("offsets outside the file", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
               "ends at byte 16");
    bad_header("overlapping tensors",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24, "overlap");
    bad_header("begin > end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", 16, "begin after end");
    bad_header("offsets span != shape bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", 16,
               "span");
    bad_header("dtype I8", "{\"a\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4, "unsupported dtype \"I8\"");
    bad_header("dtype F64", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", 32, "unsupported dtype \"F64\"");
    bad_header("dtype missing", "{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16, "dtype");
    bad_header("huge dims overflow",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,16]}}", 16,
               "too large");
    bad_header("huge dims overflow in bytes",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648],\"data_offsets\":[0,16]}}", 16, "too large");
    bad_header("dim beyond 2^53", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,16]}}", 16,
               "0..2^53");
    bad_header("negative dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", 16, "0..2^53");
    bad_header("fractional dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,16]}}", 16, "0..2^53");
    bad_header("duplicate tensor name",
               "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "twice");
    bad_header("valid file without GPT-2 tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
               "wte.weight is missing");

    /* well-formed files that disagree with config.json */
    int n = d64_tensors(t, "F32", "");
    for (int i = 0; i < n; i++) {
        if (strcmp(t[i].name, "h.0.mlp.c_fc.weight") == 0) { t[i].shape[1] = 200; t[i].n = 64 * 200; }
    }
    gpt2_dir("shape", CONFIG, 2);
    write_st(st_in("shape"), t, n, 0);
    bad("shape disagrees with config.json", tpath("shape"), NULL, "model.safetensors",
        "h.0.mlp.c_fc.weight has shape (64,200) but config.json says (64,256)");

    n = d64_tensors(t, "F32", "");
    for (int i = 0; i < n; i++) {
        if (strcmp(t[i].name, "h.1.ln_2.bias") == 0) { t[i] = t[n - 1]; n--; break; }
    }
    gpt2_dir("missing", CONFIG, 2);
    write_st(st_in("missing"), t, n, 0);
    bad("missing tensor named", tpath("missing"), NULL, "model.safetensors", "h.1.ln_2.bias is missing");

    /* config.json problems, with the real weights linked in */
    struct { const char *name, *cfg, *what; } cfgs[] = {
        {"config.json corrupt", "{\"n_embd\": 64, \"n_head\":", "JSON"},
        {"config.json not an object", "[1, 2]", "JSON"},
        {"config.json missing n_head", "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_layer\": 2, \"n_positions\": 128}", "n_head"},
        {"config.json missing n_positions", "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 2}", "n_positions"},
        {"config.json negative n_embd", "{\"vocab_size\": 50257, \"n_embd\": -64, \"n_head\": 4, \"n_layer\": 2, \"n_ctx\": 128}", "n_embd"},
        {"config.json n_embd huge", "{\"vocab_size\": 50257, \"n_embd\": 1e12, \"n_head\": 4, \"n_layer\": 2, \"n_ctx\": 128}", "larger"},
        {"config.json n_head not dividing n_embd", "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 5, \"n_layer\": 2, \"n_ctx\": 128}", "divisible"},
        {"config.json activation relu", "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 2, \"n_ctx\": 128, \"activation_function\": \"relu\"}", "relu"},
        {"config.json model_type llama", "{\"model_type\": \"llama\", \"hidden_size\": 64}", "llama"},
        {"config.json n_layer smaller than the file", "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 1, \"n_ctx\": 128}", "n_layer=1"},
        {"config.json vocab_size larger than the file", "{\"vocab_size\": 50304, \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 2, \"n_ctx\": 128}", "(50304,64)"},
    };
    char real_st[1024];
    snprintf(real_st, sizeof real_st, "%s/models/gpt2-test-d64/model.safetensors", shared_dir());
    for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
        char sub[32];
        snprintf(sub, sizeof sub, "cfg%zu", i);
        gpt2_dir(sub, cfgs[i].cfg, 2);
        symlink(real_st, st_in(sub));
        const char *file = strstr(cfgs[i].what, "n_layer=") || strstr(cfgs[i].what, "(50304") ? "model.safetensors"
                                                                                              : "config.json";
        bad(cfgs[i].name, tpath(sub), NULL, file, cfgs[i].what);
    }
    gpt2_dir("nocfg", NULL, 2);
    symlink(real_st, st_in("nocfg"));
    bad("config.json missing", tpath("nocfg"), NULL, "config.json", NULL);

    /* tokenizer files */
    gpt2_dir("notok", CONFIG, 0);
    symlink(real_st, st_in("notok"));
    bad("tokenizer files missing", tpath("notok"), NULL, "notok", "vocab.json");
    gpt2_dir("halftok", CONFIG, 1);
    symlink(real_st, st_in("halftok"));
    bad("merges.txt missing", tpath("halftok"), NULL, "merges.txt", "missing");
    char tokdir[1024];
    snprintf(tokdir, sizeof tokdir, "%s/models/gpt2-tokenizer", shared_dir());
    Model *m = Model_open(tpath("notok"), tokdir, err);
    expect(m != NULL, "GPT-2 tokenizer from --tokenizer folder (encoder.json + vocab.bpe)", "%s", err);
    Model_free(m);

    /* not a model */
    mkd("nothing");
    bad("folder without a model", tpath("nothing"), NULL, "nothing", "not a model shapewalk can open");
    write_file(tpath("notes.txt"), "hello, this is not a model at all", 33);
    bad("text file", tpath("notes.txt"), NULL, "notes.txt", "not a model shapewalk can open");
    gpt2_dir("cfgonly", CONFIG, 2);
    bad("config.json but no model.safetensors", tpath("cfgonly"), NULL, "model.safetensors", "missing");
}

/* ---------------------------------------------------------------- broken llama headers */

static void llama_hdr(const char *name, int32_t d, int32_t f, int32_t l, int32_t h, int32_t kv, int32_t v,
                      int32_t s, const char *what) {
    int32_t hd[7] = {d, f, l, h, kv, v, s};
    char buf[28 + 4096];
    memset(buf, 0, sizeof buf);
    memcpy(buf, hd, 28);
    write_file(tpath("bad.bin"), buf, sizeof buf);
    bad(name, tpath("bad.bin"), NULL, "bad.bin", what);
}

static void test_bad_llama(void) {
    llama_hdr("llama dim 0", 0, 172, 5, 8, 4, 512, 512, "dim=0");
    llama_hdr("llama negative n_layers", 64, 172, -5, 8, 4, 512, 512, "n_layers=-5");
    llama_hdr("llama negative hidden_dim", 64, -172, 5, 8, 4, 512, 512, "hidden_dim=-172");
    llama_hdr("llama n_heads not dividing dim", 64, 172, 5, 7, 7, 512, 512, "divisible");
    llama_hdr("llama n_kv_heads not dividing n_heads", 64, 172, 5, 8, 3, 512, 512, "n_kv_heads=3");
    llama_hdr("llama n_kv_heads > n_heads", 64, 172, 5, 8, 16, 512, 512, "divisible");
    llama_hdr("llama odd head size", 24, 172, 5, 8, 4, 512, 512, "head size 3");
    llama_hdr("llama enormous dim", 1 << 30, 172, 5, 8, 4, 512, 512, "dim=1073741824");
    llama_hdr("llama enormous everything", INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MIN, INT32_MAX, "bad.bin");
    llama_hdr("llama vocab INT32_MIN", 64, 172, 5, 8, 4, INT32_MIN, 512, "vocab_size (absolute value)=2147483648");
    llama_hdr("llama vocab 0", 64, 172, 5, 8, 4, 0, 512, "vocab_size");
    llama_hdr("llama seq_len 0", 64, 172, 5, 8, 4, 512, 0, "seq_len=0");
    llama_hdr("llama plausible header, file too short", 64, 172, 5, 8, 4, 512, 512, "truncated");
    write_file(tpath("empty.bin"), "", 0);
    bad("llama empty file", tpath("empty.bin"), NULL, "empty.bin", "empty");
    int32_t v1[8] = {0x616b3432, 1, 64, 172, 5, 8, 4, 512};
    write_file(tpath("v1.bin"), v1, sizeof v1);
    bad("llama2.c version-1 export", tpath("v1.bin"), NULL, "v1.bin", "not supported");
}

/* ---------------------------------------------------------------- finding models */

static void test_resolve(void) {
    char out[4096], want[4096];
    char *old_data = getenv("SHAPEWALK_DATA") ? strdup(getenv("SHAPEWALK_DATA")) : NULL;
    char *old_mp = getenv("SHAPEWALK_MODEL_PATH") ? strdup(getenv("SHAPEWALK_MODEL_PATH")) : NULL;
    char *old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    setenv("SHAPEWALK_DATA", "/x/data", 1);
    Model_data_dir(out, sizeof out);
    expect(strcmp(out, "/x/data") == 0, "data dir from SHAPEWALK_DATA", "%s", out);
    unsetenv("SHAPEWALK_DATA");
    setenv("XDG_DATA_HOME", "/x/xdg", 1);
    Model_data_dir(out, sizeof out);
    expect(strcmp(out, "/x/xdg/shapewalk") == 0, "data dir from XDG_DATA_HOME", "%s", out);
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/x/home", 1);
    Model_data_dir(out, sizeof out);
    expect(strcmp(out, "/x/home/.local/share/shapewalk") == 0, "data dir from HOME", "%s", out);

    mkd("data");
    setenv("SHAPEWALK_DATA", tpath("data"), 1);
    unsetenv("SHAPEWALK_MODEL_PATH");

    /* an existing path is returned as is */
    int rc = Model_resolve(tpath("notes.txt"), out, sizeof out, err);
    expect(rc == 0 && strcmp(out, tpath("notes.txt")) == 0, "resolve: existing path as is", "%s", out);
    /* a bare name not fetched: err says what to run */
    err[0] = 0;
    rc = Model_resolve("stories15M", out, sizeof out, err);
    expect(rc == -1 && strstr(err, "make model NAME=stories15M") && one_line(err), "resolve: missing name says make model",
           "%s", err);
    /* a name nothing can fetch: no `make model` for it, but the names that exist */
    rc = Model_resolve("gpt3", out, sizeof out, err);
    expect(rc == -1 && !strstr(err, "NAME=gpt3") && strstr(err, "gpt2, gpt2-medium") && one_line(err),
           "resolve: an unknown name lists the names make model fetches", "%s", err);
    /* Model_fetchable is models/manifest.tsv's list of names, in its order */
    {
        char mpath[2048], line[1024], manifest[16][64];
        int nm = 0, same = 1, ne = 0;
        /* this binary is BUILD/tests/test_model: the manifest is ../../models/ from it */
        char self[1024] = "";
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = 0;
        for (int up = 0; up < 2; up++) { char *sl = strrchr(self, '/'); if (sl) *sl = 0; }
        snprintf(mpath, sizeof mpath, "%s/../models/manifest.tsv", self);
        FILE *f = fopen(mpath, "r");
        while (f && fgets(line, sizeof line, f)) {
            if (line[0] == '#' || line[0] == '\n') continue;
            line[strcspn(line, "\t\n")] = 0;
            if (nm == 0 || strcmp(manifest[nm - 1], line) != 0)
                if (nm < 16) snprintf(manifest[nm++], sizeof manifest[0], "%.63s", line);
        }
        if (f) fclose(f);
        while (Model_fetchable[ne]) ne++;
        same = f && nm == ne;
        for (int i = 0; same && i < nm; i++) same = strcmp(manifest[i], Model_fetchable[i]) == 0;
        expect(same, "Model_fetchable lists models/manifest.tsv's names", "%s: %d names, engine %d", mpath, nm, ne);
    }
    rc = Model_resolve("/no/such/dir/model", out, sizeof out, err);
    expect(rc == -1 && strstr(err, "/no/such/dir/model"), "resolve: missing path", "%s", err);
    /* a bare name in the data dir */
    mkd("data/mymodel");
    rc = Model_resolve("mymodel", out, sizeof out, err);
    expect(rc == 0 && strstr(out, "/data/mymodel"), "resolve: name in the data dir", "%s", rc ? err : out);
    /* a bare name in SHAPEWALK_MODEL_PATH */
    char mp[2048];
    snprintf(mp, sizeof mp, "/nonexistent:%s/models", shared_dir());
    setenv("SHAPEWALK_MODEL_PATH", mp, 1);
    rc = Model_resolve("gpt2-test-d64", out, sizeof out, err);
    expect(rc == 0 && strstr(out, "gpt2-test-d64"), "resolve: name in SHAPEWALK_MODEL_PATH", "%s", rc ? err : out);
    /* the default from SHAPEWALK_MODEL_PATH: DIR/stories260K */
    char sdir[1024];
    snprintf(sdir, sizeof sdir, "%s/models/stories260K", shared_dir());
    if (!realpath(sdir, want)) snprintf(want, sizeof want, "%s", sdir);
    rc = Model_resolve(NULL, out, sizeof out, err);
    expect(rc == 0 && strcmp(out, want) == 0, "resolve: default from SHAPEWALK_MODEL_PATH", "%s", rc ? err : out);
    /* an entry that is itself a model */
    setenv("SHAPEWALK_MODEL_PATH", sdir, 1);
    rc = Model_resolve(NULL, out, sizeof out, err);
    expect(rc == 0 && strcmp(out, want) == 0, "resolve: SHAPEWALK_MODEL_PATH entry is a model", "%s", rc ? err : out);
    /* a GGUF model is a folder holding one .gguf (what `make model NAME=qwen2.5-0.5b` writes):
     * found by name on SHAPEWALK_MODEL_PATH, and a .gguf file is itself a model. Only the
     * name is looked at here, so four bytes stand in for the file. */
    mkd("mp");
    mkd("mp/qwen2.5-0.5b");
    mkd("mp/not-gguf");
    write_file(tpath("mp/qwen2.5-0.5b/qwen2.5-0.5b-instruct-q4_k_m.gguf"), "GGUF", 4);
    write_file(tpath("mp/not-gguf/notes.txt"), "GGUF", 4);
    snprintf(mp, sizeof mp, "%s", tpath("mp"));
    setenv("SHAPEWALK_MODEL_PATH", mp, 1);
    rc = Model_resolve("qwen2.5-0.5b", out, sizeof out, err);
    expect(rc == 0 && strstr(out, "/mp/qwen2.5-0.5b") && !strstr(out, ".gguf"), "resolve: a folder holding a .gguf is a model",
           "%s", rc ? err : out);
    rc = Model_resolve("not-gguf", out, sizeof out, err);
    expect(rc == -1, "resolve: a folder without a model file is not a model", "%s", rc ? err : out);
    snprintf(mp, sizeof mp, "%s", tpath("mp/qwen2.5-0.5b/qwen2.5-0.5b-instruct-q4_k_m.gguf"));
    setenv("SHAPEWALK_MODEL_PATH", mp, 1);
    rc = Model_resolve(NULL, out, sizeof out, err);
    expect(rc == 0 && strstr(out, "qwen2.5-0.5b-instruct-q4_k_m.gguf"), "resolve: SHAPEWALK_MODEL_PATH entry is a .gguf file",
           "%s", rc ? err : out);
    /* a fetched gpt2 in the data dir wins over the built-in list */
    unsetenv("SHAPEWALK_MODEL_PATH");
    mkd("data/gpt2");
    write_file(tpath("data/gpt2/config.json"), "{}", 2);
    write_file(tpath("data/gpt2/model.safetensors"), "", 0);
    rc = Model_resolve(NULL, out, sizeof out, err);
    expect(rc == 0 && strstr(out, "/data/gpt2"), "resolve: default prefers a fetched gpt2", "%s", rc ? err : out);
    rc = Model_resolve("gpt2", out, sizeof out, err);
    expect(rc == 0 && strstr(out, "/data/gpt2"), "resolve: gpt2 by name", "%s", rc ? err : out);
    /* nothing anywhere: run from an empty folder with an empty data dir */
    mkd("data2");
    mkd("cwd");
    setenv("SHAPEWALK_DATA", tpath("data2"), 1);
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) && chdir(tpath("cwd")) == 0) {
        struct stat sb;
        err[0] = 0;
        rc = Model_resolve(NULL, out, sizeof out, err);
        if (stat("/usr/local/share/shapewalk/models/stories260K/stories260K.bin", &sb) == 0)
            skip("resolve: nothing found", "a model is installed in /usr/local/share/shapewalk");
        else if (rc == 0)
            skip("resolve: nothing found", "found %s beside the test binary", out);
        else
            expect(strstr(err, "no model found; run `make model NAME=gpt2` (548 MB) or `make model NAME=stories260K` (1 MB), or set SHAPEWALK_MODEL_PATH=DIR"),
                   "resolve: nothing found says what to run", "%s", err);
        if (chdir(cwd) != 0) fail("resolve: chdir back", "%s", strerror(errno));
    }

#define RESTORE(var, old) do { if (old) setenv(var, old, 1); else unsetenv(var); free(old); } while (0)
    RESTORE("SHAPEWALK_DATA", old_data);
    RESTORE("SHAPEWALK_MODEL_PATH", old_mp);
    RESTORE("XDG_DATA_HOME", old_xdg);
    RESTORE("HOME", old_home);
}

int main(void) {
    snprintf(tmp, sizeof tmp, "/tmp/sw_test_model_XXXXXX");
    if (!mkdtemp(tmp)) {
        fail("mkdtemp", "%s", strerror(errno));
        return check_done();
    }
    if (load_d64() != 0) {
        fail("read gpt2-test-d64", "cannot read %s/models/gpt2-test-d64/model.safetensors", shared_dir());
    } else {
        test_gpt2_d64();
        test_dtypes();
        test_bad_gpt2();
    }
    test_stories();
    test_bad_llama();
    test_resolve();
    rm_rf(tmp);
    free(d64_bytes);
    return check_done();
}
