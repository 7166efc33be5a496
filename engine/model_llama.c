/* model_llama.c - open a llama2.c checkpoint (the legacy "version 0" export of run.c).
 *
 * Header: 7 little-endian int32 (dim D, hidden_dim F, n_layers L, n_heads h, n_kv_heads KV,
 * vocab_size V, seq_len). V < 0 means a separate classifier follows; V > 0 means the
 * classifier is the embedding E. Then F32 tensors, each stored (out,in) like nn.Linear:
 *   E (V,D)  rms_att (L,D)  wq (L,D,D)  wk (L,KV*d,D)  wv (L,KV*d,D)  wo (L,D,D)
 *   rms_ffn (L,D)  w1 (L,F,D)  w2 (L,D,F)  w3 (L,F,D)  rms_final (D)
 *   freq_cis_real (seq_len,d/2)  freq_cis_imag (seq_len,d/2)   [RoPE tables; unused here]
 *   wcls (V,D) only when V < 0.
 * The 28-byte header keeps every tensor 4-byte aligned, so all weights point into the map.
 */
#include "model_internal.h"
#include "weights_check.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLAMA_MAGIC 0x616b3432   /* "ak42": llama2.c's newer export versions */

static int32_t rd32(const uint8_t *p) {
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

int model_llama_header_plausible(const uint8_t *p, size_t len) {
    if (len < 28) return 0;
    if ((uint32_t)rd32(p) == LLAMA_MAGIC) return 1;
    for (int i = 0; i < 7; i++) {
        int64_t v = rd32(p + 4 * i);
        if (i == 5 && v < 0) v = -v;
        if (v < 1 || v > (1 << 24)) return 0;
    }
    return 1;
}

/* One header field in [lo, hi]. */
static int field(const char *path, const char *name, long v, long lo, long hi, char *err) {
    if (v >= lo && v <= hi) return 0;
    sw_seterr(err, "%s: llama2.c header has %s=%ld, expected %ld..%ld (not a llama2.c checkpoint, or a corrupt one)",
              path, name, v, lo, hi);
    return -1;
}

/* n floats from the cursor; sizes were checked against the file length before any call */
static const float *take(const uint8_t *base, size_t *at, size_t n) {
    const float *p = (const float *)(const void *)(base + *at);
    *at += n * sizeof(float);
    return p;
}

static Tokenizer *open_tokenizer(const char *bin, const char *tok_path, int V, char *err) {
    char path[4200];
    if (tok_path && *tok_path) {
        if (!model_is_file(tok_path)) {
            sw_seterr(err, "%s: no such tokenizer file (the llama2.c tokenizer .bin, e.g. tok512.bin)", tok_path);
            return NULL;
        }
        snprintf(path, sizeof path, "%s", tok_path);
    } else {
        char dir[4096];
        model_dirname(bin, dir, sizeof dir);
        snprintf(path, sizeof path, "%s/tokenizer.bin", dir);
        if (!model_is_file(path)) {
            snprintf(path, sizeof path, "%s/tok%d.bin", dir, V);
            if (!model_is_file(path)) {
                char base[256];
                model_basename(bin, base, sizeof base);
                sw_seterr(err, "%s: no tokenizer for %s (looked for tokenizer.bin and tok%d.bin beside it; pass --tokenizer PATH)",
                          dir, base, V);
                return NULL;
            }
        }
    }
    return Tokenizer_open_llama(path, V, err);
}

Model *Model_open_llama(const char *bin, const char *tok_path, char *err) {
    SwMap map;
    if (sw_map_file(&map, bin, err) != 0) return NULL;
    const uint8_t *p = map.data;
    Model *m = NULL;
    if (map.len == 0) {
        sw_seterr(err, "%s: empty file (interrupted download? fetch it again)", bin);
        goto fail;
    }
    if (map.len < 28) {
        sw_seterr(err, "%s: truncated: expected at least the 28-byte llama2.c header, file has %zu bytes", bin, map.len);
        goto fail;
    }
    if ((uint32_t)rd32(p) == LLAMA_MAGIC) {
        sw_seterr(err, "%s: llama2.c export version %d (magic ak42) is not supported; export with --version 0 (legacy)",
                  bin, rd32(p + 4));
        goto fail;
    }
    Config c = {0};
    long dim = rd32(p), hid = rd32(p + 4), nl = rd32(p + 8), nh = rd32(p + 12), nkv = rd32(p + 16);
    long vocab = rd32(p + 20), seq = rd32(p + 24);
    /* upper bounds keep every product below (V*D, L*F*D, ...) far inside size_t */
    if (field(bin, "dim", dim, 1, 65536, err) || field(bin, "hidden_dim", hid, 1, 1 << 18, err) ||
        field(bin, "n_layers", nl, 1, 1024, err) || field(bin, "n_heads", nh, 1, 1024, err) ||
        field(bin, "n_kv_heads", nkv, 1, 1024, err) ||
        field(bin, "vocab_size (absolute value)", vocab < 0 ? -vocab : vocab, 1, 1 << 22, err) ||
        field(bin, "seq_len", seq, 1, 1 << 20, err))
        goto fail;
    if (dim % nh != 0) {
        sw_seterr(err, "%s: llama2.c header has dim=%ld not divisible by n_heads=%ld (corrupt checkpoint?)", bin, dim, nh);
        goto fail;
    }
    if (nh % nkv != 0) {
        sw_seterr(err, "%s: llama2.c header has n_heads=%ld not divisible by n_kv_heads=%ld (corrupt checkpoint?)",
                  bin, nh, nkv);
        goto fail;
    }
    if ((dim / nh) % 2 != 0) {
        sw_seterr(err, "%s: llama2.c header gives head size %ld, which RoPE needs even (corrupt checkpoint?)",
                  bin, dim / nh);
        goto fail;
    }
    c.dim = (int)dim;
    c.hidden_dim = (int)hid;
    c.n_layers = (int)nl;
    c.n_heads = (int)nh;
    c.n_kv_heads = (int)nkv;
    c.head_dim = (int)(dim / nh);
    c.vocab_size = (int)(vocab < 0 ? -vocab : vocab);
    c.seq_len = (int)seq;
    c.shared_classifier = vocab > 0;
    /* what run.c's blocks do */
    c.norm = NORM_RMSNORM;
    c.norm_eps = 1e-5f;
    c.pos = POS_ROPE;
    c.rope_base = 10000.0f;
    c.rope_dims = c.head_dim;
    c.rope_pairing = ROPE_PAIRS;
    c.mlp = MLP_SWIGLU;
    snprintf(c.family, sizeof c.family, "llama");
    snprintf(c.format, sizeof c.format, "llama2.c");

    /* expected size in floats; the bounds above keep this well inside size_t, checked anyway */
    size_t D = (size_t)c.dim, F = (size_t)c.hidden_dim, L = (size_t)c.n_layers, V = (size_t)c.vocab_size;
    size_t kvd = (size_t)c.n_kv_heads * (size_t)c.head_dim;
    size_t per_layer = D + D * D + 2 * kvd * D + D * D + D + 3 * F * D;
    size_t rope = 2 * (size_t)c.seq_len * (size_t)(c.head_dim / 2);
    size_t nf, tmp, want;
    int ovf = sw_mul_size(L, per_layer, &nf) || sw_add_size(nf, V * D + D + rope, &nf) ||
              (!c.shared_classifier && sw_add_size(nf, V * D, &nf)) ||
              sw_mul_size(nf, sizeof(float), &tmp) || sw_add_size(tmp, 28, &want);
    if (ovf) {
        sw_seterr(err, "%s: llama2.c header describes a model too large to address", bin);
        goto fail;
    }
    if (map.len < want) {
        sw_seterr(err, "%s: truncated: expected %zu bytes, file has %zu (interrupted download? fetch it again)",
                  bin, want, map.len);
        goto fail;
    }
    if (map.len > want) {
        sw_seterr(err, "%s: expected %zu bytes for the model its header describes, file has %zu (not a llama2.c legacy checkpoint?)",
                  bin, want, map.len);
        goto fail;
    }

    if (Weights_check_llama2c(bin, (const float *)(const void *)(p + 28), D, F, L, kvd, V, rope, c.shared_classifier, err) != 0) goto fail;
    m = sw_calloc(1, sizeof *m, "the model", err);
    if (!m) goto fail;
    m->c = c;
    m->layers = sw_calloc(L, sizeof *m->layers, "layer table", err);
    if (!m->layers) goto fail;
    size_t at = 28;
    const float *E = take(p, &at, V * D);
    const float *rms_att = take(p, &at, L * D);
    const float *wq = take(p, &at, L * D * D);
    const float *wk = take(p, &at, L * kvd * D);
    const float *wv = take(p, &at, L * kvd * D);
    const float *wo = take(p, &at, L * D * D);
    const float *rms_ffn = take(p, &at, L * D);
    const float *w1 = take(p, &at, L * F * D);
    const float *w2 = take(p, &at, L * D * F);
    const float *w3 = take(p, &at, L * F * D);
    m->lnf_w = take(p, &at, D);
    take(p, &at, rope);
    const float *wcls = c.shared_classifier ? E : take(p, &at, V * D);
    /* run.c's names -> roles: w1 is the SwiGLU gate, w3 the up projection, w2 down */
    m->tok_emb = Linear_f32(E, (int)D, (int)V, 1);
    for (size_t l = 0; l < L; l++) {
        LayerWeights *w = &m->layers[l];
        w->attn_norm = rms_att + l * D;
        w->attn_q = Linear_f32(wq + l * D * D, (int)D, (int)D, 1);
        w->attn_k = Linear_f32(wk + l * kvd * D, (int)D, (int)kvd, 1);
        w->attn_v = Linear_f32(wv + l * kvd * D, (int)D, (int)kvd, 1);
        w->attn_out = Linear_f32(wo + l * D * D, (int)D, (int)D, 1);
        w->ffn_norm = rms_ffn + l * D;
        w->ffn_gate = Linear_f32(w1 + l * F * D, (int)D, (int)F, 1);
        w->ffn_down = Linear_f32(w2 + l * D * F, (int)F, (int)D, 1);
        w->ffn_up = Linear_f32(w3 + l * F * D, (int)D, (int)F, 1);
    }
    m->lm_head = Linear_f32(wcls, (int)D, (int)V, 1);
    m->pos_emb = NULL;
    m->lnf_b = NULL;
    m->map = map;
    snprintf(m->weights, sizeof m->weights, "F32");
    Model_account(m);

    m->tok = open_tokenizer(bin, tok_path, c.vocab_size, err);
    if (!m->tok) {
        Model_free(m);
        return NULL;
    }
    if (Tokenizer_vocab_size(m->tok) > c.vocab_size) {
        sw_seterr(err, "%s: tokenizer has %d tokens but the model's vocab_size is %d (wrong tokenizer?)",
                  bin, Tokenizer_vocab_size(m->tok), c.vocab_size);
        Model_free(m);
        return NULL;
    }
    model_basename(bin, m->name, sizeof m->name);
    size_t n = strlen(m->name);
    if (n > 4 && strcmp(m->name + n - 4, ".bin") == 0) m->name[n - 4] = 0;
    return m;

fail:
    if (m) {
        free(m->layers);
        free(m);
    }
    sw_unmap(&map);
    return NULL;
}
