/* model_gpt2.c - open a Hugging Face GPT-2 folder: config.json + model.safetensors +
 * tokenizer (vocab.json + merges.txt, or OpenAI's encoder.json + vocab.bpe).
 *
 * Tensors (names as in HF `gpt2`; GPT2LMHeadModel saves them under "transformer."):
 *   wte.weight (V,D)  wpe.weight (ctx,D)
 *   h.N.ln_1.{weight,bias} (D)   h.N.attn.c_attn.weight (D,3D) .bias (3D)
 *   h.N.attn.c_proj.weight (D,D) .bias (D)   h.N.ln_2.{weight,bias} (D)
 *   h.N.mlp.c_fc.weight (D,F) .bias (F)      h.N.mlp.c_proj.weight (F,D) .bias (D)
 *   ln_f.{weight,bias} (D)       lm_head.weight (V,D) optional; else tied to wte
 * h.N.attn.bias / h.N.attn.masked_bias are causal-mask buffers, not weights: skipped.
 * Conv1D weights are stored (in,out), so y = x @ W directly: Linear{out_major=0}.
 * Exception: shapewalk's aligned cache copy (safetensors.c) stores the four Conv1D weights per
 * layer transposed, (out,in) with swapped header shapes, and says so in its __metadata__
 * ("shapewalk_layout": "conv1d_transposed"); those F32 tensors are bound with out_major=1.
 */
#include "model_internal.h"
#include "safetensors.h"
#include "weights_check.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_BYTES (1u << 20)

/* Read a positive integer config value within [1, max]. Returns 1 if absent (and !required). */
static int cfg_int(const cJSON *root, const char *key, int required, long max, int *out,
                   const char *path, char *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) {
        if (!required) return 1;
        sw_seterr(err, "%s: missing key \"%s\" (is this a GPT-2 config.json?)", path, key);
        return -1;
    }
    if (!cJSON_IsNumber(v) || floor(v->valuedouble) != v->valuedouble || v->valuedouble < 1) {
        sw_seterr(err, "%s: \"%s\" must be a positive integer", path, key);
        return -1;
    }
    if (v->valuedouble > (double)max) {
        sw_seterr(err, "%s: \"%s\" = %g is larger than shapewalk supports (%ld)", path, key,
                  v->valuedouble, max);
        return -1;
    }
    *out = (int)v->valuedouble;
    return 0;
}

static int read_config(const char *dir, Config *c, char *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/config.json", dir);
    size_t len = 0;
    char *text = sw_read_file(path, &len, CFG_MAX_BYTES, err);
    if (!text) return -1;
    cJSON *root = sw_json_parse(text, len, path, err);   /* one value, no trailing data, no key twice */
    int rc = -1;
    if (!root) goto done;
    if (!cJSON_IsObject(root)) {
        sw_seterr(err, "%s: not a JSON object of settings (is this a GPT-2 config.json? fetch the model again)", path);
        goto done;
    }
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    if (cJSON_IsString(mt) && mt->valuestring && strcmp(mt->valuestring, "gpt2") != 0) {
        char sb[SW_SHORT_LEN];
        sw_seterr(err, "%s: model_type \"%s\" is not supported (shapewalk reads GPT-2 folders and llama2.c .bin checkpoints)",
                  path, sw_short(mt->valuestring, sb));
        goto done;
    }
    memset(c, 0, sizeof *c);
    /* upper bounds keep every product (V*D, L*D*F, ...) far inside size_t */
    if (cfg_int(root, "n_embd", 1, 65536, &c->dim, path, err) != 0) goto done;
    if (cfg_int(root, "n_head", 1, 1024, &c->n_heads, path, err) != 0) goto done;
    if (cfg_int(root, "n_layer", 1, 1024, &c->n_layers, path, err) != 0) goto done;
    if (cfg_int(root, "vocab_size", 1, 1 << 22, &c->vocab_size, path, err) != 0) goto done;
    int r = cfg_int(root, "n_positions", 0, 1 << 20, &c->seq_len, path, err);
    if (r < 0) goto done;
    if (r == 1) {
        r = cfg_int(root, "n_ctx", 0, 1 << 20, &c->seq_len, path, err);
        if (r < 0) goto done;
        if (r == 1) {
            sw_seterr(err, "%s: missing key \"n_positions\" (or \"n_ctx\")", path);
            goto done;
        }
    }
    r = cfg_int(root, "n_inner", 0, 1 << 18, &c->hidden_dim, path, err);
    if (r < 0) goto done;
    if (r == 1) c->hidden_dim = 4 * c->dim;
    if (c->hidden_dim > (1 << 18)) {
        sw_seterr(err, "%s: 4 * n_embd = %d is larger than shapewalk supports", path, c->hidden_dim);
        goto done;
    }
    c->norm_eps = 1e-5f;
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(root, "layer_norm_epsilon");
    if (eps && !cJSON_IsNull(eps)) {
        if (!cJSON_IsNumber(eps) || !(eps->valuedouble > 0) || !(eps->valuedouble < 1)) {
            sw_seterr(err, "%s: \"layer_norm_epsilon\" must be a number between 0 and 1", path);
            goto done;
        }
        c->norm_eps = (float)eps->valuedouble;
    }
    /* GPT-2 uses the tanh approximation ("gelu_new"); plain "gelu" is accepted as the same */
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation_function");
    if (act && !cJSON_IsNull(act)) {
        const char *a = cJSON_IsString(act) ? act->valuestring : NULL;
        if (!a || (strcmp(a, "gelu_new") != 0 && strcmp(a, "gelu") != 0 &&
                   strcmp(a, "gelu_pytorch_tanh") != 0)) {
            char sb[SW_SHORT_LEN];
            sw_seterr(err, "%s: activation_function \"%s\" is not supported (shapewalk runs GPT-2's gelu_new)",
                      path, a ? sw_short(a, sb) : "(not a string)");
            goto done;
        }
    }
    if (c->dim % c->n_heads != 0) {
        sw_seterr(err, "%s: n_embd=%d is not divisible by n_head=%d", path, c->dim, c->n_heads);
        goto done;
    }
    c->n_kv_heads = c->n_heads;
    c->head_dim = c->dim / c->n_heads;
    c->shared_classifier = 1;
    /* what GPT-2's blocks do */
    c->norm = NORM_LAYERNORM;
    c->pos = POS_LEARNED;
    c->mlp = MLP_GELU;
    c->qkv_fused = 1;
    c->qkv_bias = 1;
    c->proj_bias = 1;
    snprintf(c->family, sizeof c->family, "gpt2");
    snprintf(c->format, sizeof c->format, "safetensors");
    rc = 0;
done:
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* Binding tensors runs twice: pass 0 checks every name and shape and counts the floats to
 * convert (F16/BF16, or misaligned F32); pass 1 points F32 tensors into the mapping and
 * converts the rest into m->owned. */
typedef struct {
    const SafeTensors *st;
    const char *prefix;       /* "" or "transformer." */
    const char *file;         /* for errors */
    int conv1d_transposed;    /* __metadata__ says F32 Conv1D weights are stored (out,in) */
    int pass;
    float *owned;
    size_t owned_n, used;
    char *err;
} Binder;

static int bind(Binder *b, const float **out, const char *name, size_t d0, size_t d1, int ndim) {
    char full[256];
    snprintf(full, sizeof full, "%s%s", b->prefix, name);
    const StTensor *t = SafeTensors_find(b->st, full);
    if (!t) {
        sw_seterr(b->err, "%s: tensor %s is missing (not a GPT-2 checkpoint, or an incomplete one?)",
                  b->file, full);
        return -1;
    }
    if (b->pass == 0) {
        size_t want[2] = {d0, d1};
        int ok = t->ndim == ndim;
        for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == want[i];
        if (!ok) {
            char got[160], exp[64];
            size_t k = 0;
            got[0] = 0;
            for (int i = 0; i < t->ndim && k < sizeof got; i++)
                k += (size_t)snprintf(got + k, sizeof got - k, "%s%zu", i ? "," : "", t->shape[i]);
            if (ndim == 1) snprintf(exp, sizeof exp, "%zu", d0);
            else snprintf(exp, sizeof exp, "%zu,%zu", d0, d1);
            sw_seterr(b->err, "%s: %s has shape (%s) but config.json says (%s)", b->file, full, got, exp);
            return -1;
        }
        if (!SafeTensors_f32_direct(t) && sw_add_size(b->owned_n, t->nelem, &b->owned_n) != 0) {
            sw_seterr(b->err, "%s: tensors too large to convert", b->file);
            return -1;
        }
        return 0;
    }
    if (SafeTensors_f32_direct(t)) {
        *out = (const float *)(const void *)t->data;
    } else {
        SafeTensors_to_f32(t, b->owned + b->used);
        *out = b->owned + b->used;
        b->used += t->nelem;
    }
    if (!(b->st->f32_finite && t->dtype == ST_F32) && Weights_check_finite(b->file, full, *out, t->nelem, b->err) != 0)
        return -1;   /* no NaN or Inf (F32 tensors of a cached copy were checked when it was made) */
    return 0;
}

/* A Conv1D weight: stored (in,out), or (out,in) when the file's metadata says the F32 ones
 * were transposed (shapewalk's aligned copy). */
static int bind_conv1d(Binder *b, Linear *lin, const char *name, size_t din, size_t dout) {
    char full[256];
    snprintf(full, sizeof full, "%s%s", b->prefix, name);
    const StTensor *t = SafeTensors_find(b->st, full);
    int tr = b->conv1d_transposed && t && t->dtype == ST_F32;
    const float *p = NULL;
    if (bind(b, &p, name, tr ? dout : din, tr ? din : dout, 2) != 0) return -1;
    *lin = Linear_f32(p, (int)din, (int)dout, tr);
    return 0;
}

/* 1 if the header's __metadata__ has "shapewalk_layout": "conv1d_transposed". The header was
 * validated by SafeTensors_open. */
static int conv1d_transposed(const SafeTensors *st) {
    const uint8_t *p = st->map.data;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    cJSON *root = cJSON_ParseWithLength((const char *)p + 8, (size_t)n);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
    const cJSON *lay = cJSON_GetObjectItemCaseSensitive(meta, ST_LAYOUT_KEY);
    int yes = cJSON_IsString(lay) && lay->valuestring && strcmp(lay->valuestring, ST_LAYOUT_T) == 0;
    cJSON_Delete(root);
    return yes;
}

static int bind_all(Binder *b, Model *m, const char *lm_name) {
    const Config *c = &m->c;
    size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim, V = (size_t)c->vocab_size;
    char nm[128];
    const float *E = NULL;
    if (bind(b, &E, "wte.weight", V, D, 2) != 0) return -1;
    m->tok_emb = Linear_f32(E, (int)D, (int)V, 1);
    if (bind(b, &m->pos_emb, "wpe.weight", (size_t)c->seq_len, D, 2) != 0) return -1;
    for (int l = 0; l < c->n_layers; l++) {
        LayerWeights *w = &m->layers[l];
#define B1(field, suffix, n) \
        snprintf(nm, sizeof nm, "h.%d.%s", l, suffix); \
        if (bind(b, &w->field, nm, n, 0, 1) != 0) return -1;
#define B2(lin, suffix, din, dout) \
        snprintf(nm, sizeof nm, "h.%d.%s", l, suffix); \
        if (bind_conv1d(b, &w->lin, nm, din, dout) != 0) return -1;
        B1(attn_norm, "ln_1.weight", D)
        B1(attn_norm_b, "ln_1.bias", D)
        B2(attn_qkv, "attn.c_attn.weight", D, 3 * D)
        B1(attn_qkv_b, "attn.c_attn.bias", 3 * D)
        B2(attn_out, "attn.c_proj.weight", D, D)
        B1(attn_out_b, "attn.c_proj.bias", D)
        B1(ffn_norm, "ln_2.weight", D)
        B1(ffn_norm_b, "ln_2.bias", D)
        B2(ffn_up, "mlp.c_fc.weight", D, F)
        B1(ffn_up_b, "mlp.c_fc.bias", F)
        B2(ffn_down, "mlp.c_proj.weight", F, D)
        B1(ffn_down_b, "mlp.c_proj.bias", D)
#undef B1
#undef B2
    }
    if (bind(b, &m->lnf_w, "ln_f.weight", D, 0, 1) != 0) return -1;
    if (bind(b, &m->lnf_b, "ln_f.bias", D, 0, 1) != 0) return -1;
    if (lm_name) {
        /* untied head (V,D) as nn.Linear: logits = x @ W^T */
        const char *saved = b->prefix;
        const float *p = NULL;
        b->prefix = "";
        int rc = bind(b, &p, lm_name, V, D, 2);
        b->prefix = saved;
        if (rc != 0) return -1;
        m->lm_head = Linear_f32(p, (int)D, (int)V, 1);
    } else {
        /* tied: logits = x @ E^T, E (V,D) */
        m->lm_head = m->tok_emb;
    }
    return 0;
}

/* Find vocab.json + merges.txt (Hugging Face) or encoder.json + vocab.bpe (OpenAI) in tdir. */
static int tok_files(const char *tdir, char *enc, char *mer, size_t cap, char *err) {
    static const char *pairs[2][2] = {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}};
    for (int half = 0; half < 2; half++) {
        for (int i = 0; i < 2; i++) {
            snprintf(enc, cap, "%s/%s", tdir, pairs[i][0]);
            snprintf(mer, cap, "%s/%s", tdir, pairs[i][1]);
            int a = model_is_file(enc), b = model_is_file(mer);
            if (half == 0 && a && b) return 0;
            if (half == 1 && a != b) {
                sw_seterr(err, "%s: missing tokenizer file (%s is there; fetch the model again)",
                          a ? mer : enc, a ? enc : mer);
                return -1;
            }
        }
    }
    sw_seterr(err, "%s: no GPT-2 tokenizer files (need vocab.json + merges.txt, or encoder.json + vocab.bpe)",
              tdir);
    return -1;
}

static Tokenizer *open_tokenizer(const char *dir, const char *tok_path, int V, char *err) {
    char tdir[4096];
    if (tok_path && *tok_path) {
        if (model_is_dir(tok_path)) snprintf(tdir, sizeof tdir, "%s", tok_path);
        else if (model_is_file(tok_path)) model_dirname(tok_path, tdir, sizeof tdir);
        else {
            sw_seterr(err, "%s: no such tokenizer file or folder", tok_path);
            return NULL;
        }
    } else {
        snprintf(tdir, sizeof tdir, "%s", dir);
    }
    char enc[4200], mer[4200];
    if (tok_files(tdir, enc, mer, sizeof enc, err) != 0) return NULL;
    Tokenizer *t = Tokenizer_open_gpt2(enc, mer, err);
    if (!t) return NULL;
    if (Tokenizer_vocab_size(t) > V) {
        sw_seterr(err, "%s: tokenizer has %d tokens but the model's vocab_size is %d (wrong tokenizer?)",
                  enc, Tokenizer_vocab_size(t), V);
        Tokenizer_free(t);
        return NULL;
    }
    return t;
}

static void gpt2_name(const Config *c, const char *dir, char *out, size_t cap) {
    static const struct { int D, L; const char *name; } known[] = {
        {768, 12, "gpt2"}, {1024, 24, "gpt2-medium"}, {1280, 36, "gpt2-large"}, {1600, 48, "gpt2-xl"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (c->dim == known[i].D && c->n_layers == known[i].L) {
            snprintf(out, cap, "%s", known[i].name);
            return;
        }
    }
    char real[PATH_MAX];
    model_basename(realpath(dir, real) ? real : dir, out, cap);
}

Model *Model_open_gpt2(const char *dir, const char *tok_path, char *err) {
    Config c;
    if (read_config(dir, &c, err) != 0) return NULL;
    Model *m = sw_calloc(1, sizeof *m, "the model", err);
    if (!m) return NULL;
    m->c = c;
    SafeTensors st;
    char file[4200];
    snprintf(file, sizeof file, "%s/model.safetensors", dir);
    if (SafeTensors_open(&st, file, err) != 0) {
        free(m);
        return NULL;
    }
    /* tensors at odd addresses: map an aligned copy (made once) instead of copying them all */
    if (SafeTensors_needs_alignment(&st)) {
        char e2[SW_ERR_LEN];   /* on failure (no cache folder) the tensors are copied below */
        (void)SafeTensors_reopen_aligned(&st, NULL, 0, e2);
    }
    m->layers = sw_calloc((size_t)c.n_layers, sizeof *m->layers, "layer table", err);
    if (!m->layers) goto fail;

    Binder b = {.st = &st, .prefix = "", .file = file, .err = err, .conv1d_transposed = conv1d_transposed(&st)};
    if (!SafeTensors_find(&st, "wte.weight") && SafeTensors_find(&st, "transformer.wte.weight"))
        b.prefix = "transformer.";
    const char *lm_name = NULL;
    if (SafeTensors_find(&st, "lm_head.weight")) lm_name = "lm_head.weight";
    else if (SafeTensors_find(&st, "transformer.lm_head.weight")) lm_name = "transformer.lm_head.weight";
    char extra[128];
    snprintf(extra, sizeof extra, "%sh.%d.ln_1.weight", b.prefix, c.n_layers);
    if (SafeTensors_find(&st, extra)) {
        sw_seterr(err, "%s: has tensor %s but config.json says n_layer=%d (config and weights disagree)",
                  file, extra, c.n_layers);
        goto fail;
    }
    if (bind_all(&b, m, lm_name) != 0) goto fail;
    if (b.owned_n) {
        m->owned = sw_calloc(b.owned_n, sizeof(float), "converted F16/BF16 weights", err);
        if (!m->owned) goto fail;
        b.owned = m->owned;
    }
    b.pass = 1;
    if (bind_all(&b, m, lm_name) != 0) goto fail;
    m->c.shared_classifier = lm_name ? 0 : 1;

    /* the mapping now belongs to the model */
    m->map = st.map;
    st.map = (SwMap){0};
    SafeTensors_close(&st);

    snprintf(m->weights, sizeof m->weights, "F32");
    Model_account(m);

    m->tok = open_tokenizer(dir, tok_path, c.vocab_size, err);
    if (!m->tok) {
        Model_free(m);
        return NULL;
    }
    gpt2_name(&m->c, dir, m->name, sizeof m->name);
    return m;

fail:
    SafeTensors_close(&st);
    free(m->layers);
    free(m->owned);
    free(m);
    return NULL;
}
