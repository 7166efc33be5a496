/* model_gguf.c - open a GGUF file (llama.cpp's format) of the `llama` or `qwen2` family.
 *
 * The file is mapped once (engine/gguf.c validates it) and nothing is copied: F32 matrices
 * are used in place, quantized ones stay quantized and the forward pass dequantizes them as
 * it reads them (engine/quant.c). 1-D tensors (norm gains, biases) must be F32, as llama.cpp
 * writes them.
 *
 * What the blocks do comes from the metadata, keys prefixed by the architecture's name A:
 *   A.embedding_length D, A.block_count L, A.feed_forward_length F, A.attention.head_count h,
 *   A.attention.head_count_kv KV (default h), A.context_length, A.attention.layer_norm_rms_epsilon,
 *   A.rope.freq_base (default 10000), A.rope.dimension_count (default d).
 * Every family here has RMSNorm, RoPE, SwiGLU and no biases on the output projections; they
 * differ in the table below: how RoPE pairs the numbers, and which biases q/k/v carry (taken
 * from the tensors present). A new family of the same kind is one line in FAMILIES.
 * Tensors: token_embd (V rows of D), output_norm, output (absent: tied to token_embd), and
 * per block blk.N.<slot> for the slots of Model_layer_slots (model.c); any other tensor is a
 * part shapewalk does not run, and the file is refused naming it.
 * Tokenizer: tokenizer.ggml.model "llama" (SentencePiece) or "gpt2" (byte-level BPE with the
 * pre-tokenizer tokenizer.ggml.pre), built from the metadata arrays (engine/tokenizer.c).
 */
#include "gguf.h"
#include "model_internal.h"
#include "quant.h"
#include "weights_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *arch;
    RopePairing pairing;
} FAMILIES[] = {
    { "llama", ROPE_PAIRS },    /* llama.cpp rotates (2i, 2i+1) for LLAMA_ROPE_TYPE_NORM */
    { "qwen2", ROPE_HALVES },   /* NEOX: (i, i + d/2) */
};

/* The shortest readable form of a GGUF string for a message (NUL-free, at most 40 bytes). */
static void str_for_msg(GgufStr s, char *out, size_t cap) {
    size_t n = s.n < 40 ? s.n : 40, j = 0;
    for (size_t i = 0; i < n && j + 5 < cap; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch >= 0x20 && ch < 0x7f) out[j++] = (char)ch;
        else j += (size_t)snprintf(out + j, cap - j, "\\x%02x", ch);
    }
    if (s.n > n && j + 4 < cap) { memcpy(out + j, "...", 3); j += 3; }
    out[j] = 0;
}

/* An integer key in [lo, hi]; a missing key takes def (def < 0: required). */
static int key_int(const GgufFile *g, const char *arch, const char *suffix, long def, long lo, long hi, int *out, char *err) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    int64_t v;
    char e2[SW_ERR_LEN];
    int r = Gguf_get_i64(g, key, &v, e2);
    if (r == GGUF_MISSING && def >= 0) { *out = (int)def; return 0; }
    if (r == GGUF_MISSING) {
        sw_seterr(err, "%s: missing key %s (every %s GGUF file has it; the file is incomplete)", g->path, key, arch);
        return -1;
    }
    if (r != GGUF_OK) { sw_seterr(err, "%s", e2); return -1; }
    if (v < lo || v > hi) {
        sw_seterr(err, "%s: key %s is %lld, expected %ld..%ld (a corrupt file?)", g->path, key, (long long)v, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int key_float(const GgufFile *g, const char *arch, const char *suffix, float def, float lo, float hi, float *out, char *err) {
    char key[160];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    char e2[SW_ERR_LEN];
    int r = Gguf_get_f32(g, key, out, e2);
    if (r == GGUF_MISSING) { *out = def; return 0; }
    if (r != GGUF_OK) { sw_seterr(err, "%s", e2); return -1; }
    if (!(*out >= lo && *out <= hi)) {
        sw_seterr(err, "%s: key %s is %g, expected %g..%g (a corrupt file?)", g->path, key, (double)*out, (double)lo, (double)hi);
        return -1;
    }
    return 0;
}

/* What the loader has bound, so it can tell which tensors of the file it did not use. */
typedef struct {
    const GgufFile *g;
    unsigned char *used;   /* one per tensor, in file order */
    char *err;
} Binder;

static const GgufTensor *find(Binder *b, const char *name) {
    const GgufTensor *t = Gguf_find_tensor(b->g, name);
    if (t) b->used[t - b->g->t] = 1;
    return t;
}

static void shape_str(const GgufTensor *t, char *buf, size_t cap) {
    size_t j = 0;
    j += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->n_dims && j < cap; i++) j += (size_t)snprintf(buf + j, cap - j, "%s%lld", i ? ", " : "", (long long)t->ne[i]);
    if (j < cap) snprintf(buf + j, cap - j, "]");
}

/* A 1-D F32 tensor of n values; NULL with err unless it may be absent (optional). */
static int bind_vector(Binder *b, const char *name, size_t n, int optional, const float **out) {
    const GgufTensor *t = find(b, name);
    *out = NULL;
    if (!t) {
        if (optional) return 0;
        sw_seterr(b->err, "%s: missing tensor %s", b->g->path, name);
        return -1;
    }
    if (t->n_dims != 1 || (size_t)t->ne[0] != n) {
        char sh[64];
        shape_str(t, sh, sizeof sh);
        sw_seterr(b->err, "%s: tensor %s has shape %s, expected [%zu]", b->g->path, name, sh, n);
        return -1;
    }
    if (t->type != QT_F32) {
        sw_seterr(b->err, "%s: tensor %s is %s; shapewalk reads 1-D tensors (norms, biases) in F32 only", b->g->path, name,
                  Quant_name(t->type));
        return -1;
    }
    if (Weights_check_finite(b->g->path, name, t->data, n, b->err) != 0) return -1;   /* no NaN or Inf */
    *out = t->data;
    return 0;
}

/* A matrix used as y = x @ W, stored as GGUF writes nn.Linear: ne = {in, out}. */
static int bind_matrix(Binder *b, const char *name, size_t in, size_t out, int optional, Linear *W) {
    const GgufTensor *t = find(b, name);
    memset(W, 0, sizeof *W);
    if (!t) {
        if (optional) return 0;
        sw_seterr(b->err, "%s: missing tensor %s", b->g->path, name);
        return -1;
    }
    if (t->n_dims != 2 || (size_t)t->ne[0] != in || (size_t)t->ne[1] != out) {
        char sh[64];
        shape_str(t, sh, sizeof sh);
        sw_seterr(b->err, "%s: tensor %s has shape %s, expected [%zu, %zu] (ne[0] = the row length)", b->g->path, name, sh,
                  in, out);
        return -1;
    }
    int64_t bad = Quant_first_nonfinite(t->type, t->data, (int64_t)out, (int64_t)in);
    if (bad >= 0) {
        sw_seterr(b->err, "%s: tensor %s has NaN or Inf in row %lld of %zu; the file is damaged (fetch the model again)",
                  b->g->path, name, (long long)bad, out);
        return -1;
    }
    W->in = (int)in;
    W->out = (int)out;
    W->out_major = 1;
    W->type = t->type;
    W->row_bytes = t->row_bytes;
    /* aligned F32 is used as floats (sgemm); anything else through the kernels of quant.h */
    if (t->type == QT_F32 && ((uintptr_t)t->data & 3) == 0) W->w = t->data;
    else W->q = t->data;
    return 0;
}

/* The most common matrix type, for the model line ("Q8_0"), or GGUF's file type name. */
static void weights_name(const GgufFile *g, char *out, size_t cap) {
    static const struct { int ft; const char *name; } FT[] = {
        {0, "F32"}, {1, "F16"}, {2, "Q4_0"}, {3, "Q4_1"}, {7, "Q8_0"}, {8, "Q5_0"}, {9, "Q5_1"},
        {10, "Q2_K"}, {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"}, {15, "Q4_K_M"},
        {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"}, {32, "BF16"},
    };
    uint32_t ft;
    if (Gguf_get_u32(g, "general.file_type", &ft, NULL) == GGUF_OK)
        for (size_t i = 0; i < sizeof FT / sizeof FT[0]; i++)
            if ((uint32_t)FT[i].ft == ft) { snprintf(out, cap, "%s", FT[i].name); return; }
    /* no (known) file type: the type holding the most weights among the 2-D tensors */
    int64_t count[64] = {0};
    int best = 0;
    for (int64_t i = 0; i < g->n_tensors; i++)
        if (g->t[i].n_dims == 2 && g->t[i].type >= 0 && g->t[i].type < 64) count[g->t[i].type] += g->t[i].nelem;
    for (int k = 1; k < 64; k++) if (count[k] > count[best]) best = k;
    snprintf(out, cap, "%s", Quant_name(best) ? Quant_name(best) : "?");
}

/* ---- tokenizer from tokenizer.ggml.* ---- */

/* An array of strings as pointers into the mapping and their lengths (malloc'd; -1: no memory). */
static int str_array(const GgufKV *kv, const char ***ptrs, size_t **lens) {
    const uint64_t n = kv->n;
    *ptrs = malloc(sizeof(char *) * (n ? n : 1));
    *lens = malloc(sizeof(size_t) * (n ? n : 1));
    if (!*ptrs || !*lens) return -1;
    for (uint64_t i = 0; i < n; i++) {
        GgufStr s;
        Gguf_arr_str(kv, i, &s);
        (*ptrs)[i] = s.p;
        (*lens)[i] = s.n;
    }
    return 0;
}

static Tokenizer *open_tokenizer(const GgufFile *g, int V, char *err) {
    GgufStr model;
    char e2[SW_ERR_LEN];
    if (Gguf_get_str(g, "tokenizer.ggml.model", &model, e2) != GGUF_OK) {
        sw_seterr(err, "%s: no tokenizer in the file (key tokenizer.ggml.model; shapewalk needs the vocabulary inside the GGUF)", g->path);
        return NULL;
    }
    const int spm = model.n == 5 && memcmp(model.p, "llama", 5) == 0;
    const int bpe = model.n == 4 && memcmp(model.p, "gpt2", 4) == 0;
    if (!spm && !bpe) {
        char m[64];
        str_for_msg(model, m, sizeof m);
        sw_seterr(err, "%s: tokenizer \"%s\" is not supported (shapewalk reads tokenizer.ggml.model llama and gpt2)", g->path, m);
        return NULL;
    }
    TokVocab v;
    TokVocab_init(&v);
    v.source = g->path;
    v.model_vocab = V;
    const GgufKV *kt, *ks = NULL, *ky = NULL, *km = NULL;
    uint64_t n;
    int et;
    int r = Gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n, &kt, e2);
    if (r != GGUF_OK || et != GGUF_STR) {
        sw_seterr(err, "%s: %s tokenizer.ggml.tokens (the vocabulary: an array of strings)", g->path,
                  r == GGUF_MISSING ? "missing key" : "wrong type of key");
        return NULL;
    }
    Tokenizer *tok = NULL;
    const char **toks = NULL, **merges = NULL;
    size_t *lens = NULL, *mlens = NULL;
    float *scores = NULL;
    int32_t *types = NULL;
    char pre[64] = "";
    if (str_array(kt, &toks, &lens) != 0) { sw_seterr(err, "%s: out of memory reading the vocabulary", g->path); goto done; }
    v.tokens = toks;
    v.token_len = lens;
    v.n_tokens = (size_t)n;
    uint64_t ns;
    if (Gguf_get_arr(g, "tokenizer.ggml.scores", &et, &ns, &ks, NULL) == GGUF_OK) {
        if (!(scores = malloc(sizeof(float) * (ns ? ns : 1)))) { sw_seterr(err, "%s: out of memory", g->path); goto done; }
        for (uint64_t i = 0; i < ns; i++)
            if (Gguf_arr_f32(ks, i, &scores[i]) != 0) {
                sw_seterr(err, "%s: key tokenizer.ggml.scores must be an array of numbers", g->path);
                goto done;
            }
        v.scores = scores;
        v.n_scores = (size_t)ns;
    }
    uint64_t ny;
    if (Gguf_get_arr(g, "tokenizer.ggml.token_type", &et, &ny, &ky, NULL) == GGUF_OK) {
        if (!(types = malloc(sizeof(int32_t) * (ny ? ny : 1)))) { sw_seterr(err, "%s: out of memory", g->path); goto done; }
        for (uint64_t i = 0; i < ny; i++) {
            int64_t x;
            if (Gguf_arr_i64(ky, i, &x) != 0 || x < INT32_MIN || x > INT32_MAX) {
                sw_seterr(err, "%s: key tokenizer.ggml.token_type must be an array of integers", g->path);
                goto done;
            }
            types[i] = (int32_t)x;
        }
        v.types = types;
        v.n_types = (size_t)ny;
    }
    uint64_t nm;
    if (Gguf_get_arr(g, "tokenizer.ggml.merges", &et, &nm, &km, NULL) == GGUF_OK) {
        if (et != GGUF_STR) { sw_seterr(err, "%s: key tokenizer.ggml.merges must be an array of strings", g->path); goto done; }
        if (str_array(km, &merges, &mlens) != 0) { sw_seterr(err, "%s: out of memory", g->path); goto done; }
        v.merges = merges;
        v.merge_len = mlens;
        v.n_merges = (size_t)nm;
    }
    GgufStr ps;
    if (Gguf_get_str(g, "tokenizer.ggml.pre", &ps, NULL) == GGUF_OK) {
        size_t k = ps.n < sizeof pre - 1 ? ps.n : sizeof pre - 1;
        memcpy(pre, ps.p, k);
        pre[k] = 0;
        if (memchr(pre, 0, k)) pre[0] = '?';
        v.pre = pre;
    }
    int64_t id;
    if (Gguf_get_i64(g, "tokenizer.ggml.bos_token_id", &id, NULL) == GGUF_OK) v.bos = id;
    if (Gguf_get_i64(g, "tokenizer.ggml.eos_token_id", &id, NULL) == GGUF_OK) v.eos = id;
    if (Gguf_get_i64(g, "tokenizer.ggml.unknown_token_id", &id, NULL) == GGUF_OK) v.unk = id;
    int flag;
    if (Gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &flag, NULL) == GGUF_OK) v.add_bos = flag;
    if (Gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &flag, NULL) == GGUF_OK) v.add_space_prefix = flag;
    tok = spm ? Tokenizer_from_spm(&v, err) : Tokenizer_from_bpe(&v, err);
done:
    free(toks); free(lens); free(scores); free(types); free(merges); free(mlens);
    return tok;
}

/* ---- the model ---- */

Model *Model_open_gguf(const char *path, const char *tok_path, char *err) {
    GgufFile g;
    if (Gguf_open(&g, path, err) != 0) return NULL;
    Model *m = NULL;
    Binder b = { &g, calloc((size_t)g.n_tensors + 1, 1), err };
    if (!b.used) { sw_seterr(err, "%s: out of memory", path); goto fail; }
    if (tok_path && *tok_path) {
        sw_seterr(err, "%s: a GGUF file carries its own tokenizer; drop --tokenizer", path);
        goto fail;
    }
    GgufStr a;
    char e2[SW_ERR_LEN];
    if (Gguf_get_str(&g, "general.architecture", &a, e2) != GGUF_OK) {
        sw_seterr(err, "%s: missing key general.architecture (not a model file, or an incomplete one)", path);
        goto fail;
    }
    char arch[64];
    str_for_msg(a, arch, sizeof arch);
    int fam = -1;
    for (size_t i = 0; i < sizeof FAMILIES / sizeof FAMILIES[0]; i++)
        if (strlen(FAMILIES[i].arch) == a.n && memcmp(FAMILIES[i].arch, a.p, a.n) == 0) fam = (int)i;
    if (fam < 0) {
        sw_seterr(err, "%s: architecture \"%s\" is not supported (shapewalk runs GGUF files of: llama, qwen2)", path, arch);
        goto fail;
    }

    Config c = {0};
    snprintf(c.family, sizeof c.family, "%.23s", arch);
    snprintf(c.format, sizeof c.format, "gguf");
    c.norm = NORM_RMSNORM;
    c.pos = POS_ROPE;
    c.mlp = MLP_SWIGLU;
    c.rope_pairing = FAMILIES[fam].pairing;
    /* upper bounds keep every product (V*D, L*F*D, ...) far inside size_t */
    if (key_int(&g, arch, "embedding_length", -1, 1, 65536, &c.dim, err) ||
        key_int(&g, arch, "block_count", -1, 1, 1024, &c.n_layers, err) ||
        key_int(&g, arch, "feed_forward_length", -1, 1, 1 << 18, &c.hidden_dim, err) ||
        key_int(&g, arch, "attention.head_count", -1, 1, 1024, &c.n_heads, err) ||
        key_int(&g, arch, "attention.head_count_kv", c.n_heads, 1, 1024, &c.n_kv_heads, err) ||
        key_int(&g, arch, "context_length", -1, 1, 1 << 20, &c.seq_len, err) ||
        key_float(&g, arch, "attention.layer_norm_rms_epsilon", 1e-5f, 1e-12f, 0.1f, &c.norm_eps, err) ||
        key_float(&g, arch, "rope.freq_base", 10000.0f, 1.0f, 1e12f, &c.rope_base, err))
        goto fail;
    if (c.dim % c.n_heads != 0) {
        sw_seterr(err, "%s: %s.attention.head_count=%d does not divide embedding_length=%d (a corrupt file?)", path, arch,
                  c.n_heads, c.dim);
        goto fail;
    }
    if (c.n_heads % c.n_kv_heads != 0) {
        sw_seterr(err, "%s: %s.attention.head_count_kv=%d does not divide head_count=%d (a corrupt file?)", path, arch,
                  c.n_kv_heads, c.n_heads);
        goto fail;
    }
    c.head_dim = c.dim / c.n_heads;
    int kl;
    if (key_int(&g, arch, "attention.key_length", c.head_dim, 1, 65536, &kl, err)) goto fail;
    if (kl != c.head_dim) {
        sw_seterr(err, "%s: heads of size %d (attention.key_length) differ from D/h = %d; shapewalk does not run such models",
                  path, kl, c.head_dim);
        goto fail;
    }
    if (key_int(&g, arch, "rope.dimension_count", c.head_dim, 2, c.head_dim, &c.rope_dims, err)) goto fail;
    if (c.rope_dims % 2 != 0) {
        sw_seterr(err, "%s: %s.rope.dimension_count=%d is odd: RoPE turns pairs", path, arch, c.rope_dims);
        goto fail;
    }
    GgufStr st;
    if (Gguf_get_str(&g, arch[0] == 'l' ? "llama.rope.scaling.type" : "qwen2.rope.scaling.type", &st, NULL) == GGUF_OK &&
        !(st.n == 4 && memcmp(st.p, "none", 4) == 0)) {
        char sc[64];
        str_for_msg(st, sc, sizeof sc);
        sw_seterr(err, "%s: RoPE scaling \"%s\" is not supported (shapewalk runs plain RoPE)", path, sc);
        goto fail;
    }

    const GgufTensor *te = find(&b, "token_embd.weight");
    if (!te) { sw_seterr(err, "%s: missing tensor token_embd.weight", path); goto fail; }
    if (te->n_dims != 2 || te->ne[0] != c.dim || te->ne[1] < 1 || te->ne[1] > (1 << 22)) {
        char sh[64];
        shape_str(te, sh, sizeof sh);
        sw_seterr(err, "%s: tensor token_embd.weight has shape %s, expected [%d, V]", path, sh, c.dim);
        goto fail;
    }
    c.vocab_size = (int)te->ne[1];

    m = sw_calloc(1, sizeof *m, "the model", err);
    if (!m) goto fail;
    m->layers = sw_calloc((size_t)c.n_layers, sizeof *m->layers, "layer table", err);
    if (!m->layers) goto fail;
    const size_t D = (size_t)c.dim, V = (size_t)c.vocab_size;
    if (bind_matrix(&b, "token_embd.weight", D, V, 0, &m->tok_emb) != 0) goto fail;
    if (bind_vector(&b, "output_norm.weight", D, 0, &m->lnf_w) != 0) goto fail;
    Linear out;
    if (bind_matrix(&b, "output.weight", D, V, 1, &out) != 0) goto fail;
    c.shared_classifier = !out.w && !out.q;
    m->lm_head = c.shared_classifier ? m->tok_emb : out;
    for (int l = 0; l < c.n_layers; l++) {
        LayerWeights *w = &m->layers[l];
        for (int i = 0; i < Model_n_layer_slots; i++) {
            const WeightSlot *s = &Model_layer_slots[i];
            char nm[96];
            snprintf(nm, sizeof nm, "blk.%d.%s", l, s->name);
            /* RMSNorm has no bias; the fused q|k|v slot is not a `llama`/`qwen2` tensor;
             * everything else of the SwiGLU block is required but the q/k/v biases */
            const int is_bias = strstr(s->name, ".bias") != NULL;
            const int skip = strncmp(s->name, "attn_qkv", 8) == 0 || strstr(s->name, "norm.bias") != NULL ||
                             strcmp(s->name, "attn_output.bias") == 0 || strcmp(s->name, "ffn_up.bias") == 0 ||
                             strcmp(s->name, "ffn_down.bias") == 0;
            if (skip) continue;
            const int optional = is_bias;
            void *slot = (char *)w + s->offset;
            int rc = s->matrix ? bind_matrix(&b, nm, Model_slot_size(&c, s->rows), Model_slot_size(&c, s->cols), optional, slot)
                               : bind_vector(&b, nm, Model_slot_size(&c, s->rows), optional, slot);
            if (rc != 0) goto fail;
        }
        const int nb = !!w->attn_q_b + !!w->attn_k_b + !!w->attn_v_b;
        if (nb != 0 && nb != 3) {
            sw_seterr(err, "%s: block %d has biases on only some of q, k, v (a corrupt file?)", path, l);
            goto fail;
        }
        if (l == 0) c.qkv_bias = nb == 3;
        else if (c.qkv_bias != (nb == 3)) {
            sw_seterr(err, "%s: block %d %s q/k/v biases unlike block 0 (a corrupt file?)", path, l, nb ? "has" : "lacks");
            goto fail;
        }
    }
    for (int64_t i = 0; i < g.n_tensors; i++)
        if (!b.used[i] && strcmp(g.t[i].name, "rope_freqs.weight") != 0) {
            sw_seterr(err, "%s: tensor %.60s is a part shapewalk's %s blocks do not have (a variant it does not run)", path,
                      g.t[i].name, arch);
            goto fail;
        }
    if (Gguf_find_tensor(&g, "rope_freqs.weight")) {
        sw_seterr(err, "%s: has rope_freqs.weight (scaled RoPE, as in Llama 3.1); shapewalk runs plain RoPE", path);
        goto fail;
    }
    m->c = c;
    weights_name(&g, m->weights, sizeof m->weights);

    m->tok = open_tokenizer(&g, c.vocab_size, err);
    if (!m->tok) goto fail;

    GgufStr name;
    if (Gguf_get_str(&g, "general.name", &name, NULL) == GGUF_OK && name.n > 0) {
        str_for_msg(name, m->name, sizeof m->name);
    } else {
        model_basename(path, m->name, sizeof m->name);
        size_t n = strlen(m->name);
        if (n > 5 && strcmp(m->name + n - 5, ".gguf") == 0) m->name[n - 5] = 0;
    }
    Model_account(m);
    /* the mapping now belongs to the model; the rest of the reader goes */
    m->map = g.map;
    g.map = (SwMap){0};
    Gguf_close(&g);
    free(b.used);
    return m;

fail:
    if (m) {
        if (m->tok) Tokenizer_free(m->tok);
        free(m->layers);
        free(m);
    }
    free(b.used);
    Gguf_close(&g);
    return NULL;
}
