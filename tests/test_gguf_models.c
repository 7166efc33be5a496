/* test_gguf_models.c - GGUF models end to end against independent numbers.
 *
 * Where the numbers come from: each ../shared/models/<dir>/<name>.reference.json was computed
 * by an independent PyTorch forward pass over the weights as ggml itself dequantizes them
 * (ggml's to_float), for the files written by ggml's own GGUF writer and quantizers (see
 * ../shared/README.md). For each prompt it holds the token ids, the top-10 next tokens at
 * the last position, every position's probability/loss/rank of the actual next token, the
 * logit lens (top-1 after every block), the residual after each block (last position, first
 * 8 values), layer 0 head 0's attention row of the last query, and the greedy continuation.
 *
 * Files: the real pretrained stories260K as F32, F16, Q8_0 and Q4_0; tiny-qwen2 (test data,
 * seeded random weights: q/k/v biases, NEOX RoPE base 1e6, eps 1e-6, GQA 4:1, untied head,
 * Q4_K/Q6_K) and tiny-smollm (test data: GQA 3:1, RoPE base 1e5, tied, F16 and Q8_0).
 *
 * Tolerances: probabilities 1e-4 absolute (the project's bound; they are in [0,1]); logits,
 * losses and residual values 1e-4 relative to max(1, |value|), because float32 sums in a
 * different order (OpenBLAS kernels, the dot kernels of engine/quant.c) differ from PyTorch's
 * by a few ulps of the largest terms, and these values reach 10 or more.
 */
#include "check.h"
#include "refjson.h"
#include "gguf_write.h"

#include "engine/gguf.h"
#include "engine/trace.h"
#include "engine/quant.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PTOL 1e-4
static double rel_tol(double v) { return 1e-4 * (fabs(v) > 1 ? fabs(v) : 1); }

/* worst |got - want| / tolerance over a JSON array of numbers against got[0..] (a value > 1 fails) */
static double worst_rel(const float *got, const cJSON *arr, int *n_out) {
    double worst = 0;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        double w = e->valuedouble, d = fabs(got[i] - w) / rel_tol(w);
        if (!(d <= worst)) worst = d;
        i++;
    }
    if (n_out) *n_out = i;
    return worst;
}

static void check_prompt(Trace *t, int b, const cJSON *p, const char *tag) {
    const Model *m = t->m;
    char name[256], err[SW_ERR_LEN];
    /* ids exactly */
    int ids[512];
    int n = refjson_ints(cJSON_GetObjectItem(p, "ids"), ids, 512);
    int same = n == t->len[b];
    for (int i = 0; same && i < n; i++) same = Trace_id(t, b, i) == ids[i];
    snprintf(name, sizeof name, "%s: token ids", tag);
    expect(same, name, "T=%d, want %d", t->len[b], n);
    if (!same) return;
    const int last = t->len[b] - 1;

    /* top-10 at the last position: ids in order, probabilities, logits */
    TopK top[10];
    int k = Trace_topk(t, b, last, 1, 10, top);
    double wp = 0, wl = 0;
    int okid = k == 10, i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "top10")) {
        if (i >= k) { okid = 0; break; }
        double pr = refjson_num(e, "prob"), lg = refjson_num(e, "logit");
        /* two references within the tolerance may swap places: compare the id only when the
         * neighbours are clearly apart */
        if (top[i].id != (int)refjson_num(e, "id") && !(i + 1 < k && fabs(top[i].prob - top[i + 1].prob) < PTOL) &&
            !(i > 0 && fabs(top[i].prob - top[i - 1].prob) < PTOL))
            okid = 0;
        if (!(fabs(top[i].prob - pr) <= wp)) wp = fabs(top[i].prob - pr);
        if (!(fabs(top[i].logit - lg) / rel_tol(lg) <= wl)) wl = fabs(top[i].logit - lg) / rel_tol(lg);
        i++;
    }
    snprintf(name, sizeof name, "%s: top-10 ids", tag);
    expect(okid, name, "first got %d", k > 0 ? top[0].id : -1);
    snprintf(name, sizeof name, "%s: top-10 probabilities within 1e-4", tag);
    expect(wp <= PTOL, name, "worst %g", wp);
    snprintf(name, sizeof name, "%s: top-10 logits within 1e-4 relative", tag);
    expect(wl <= 1, name, "worst %g of the tolerance", wl);

    /* every position: prob, loss, rank of the actual next token */
    double wpr = 0, wls = 0;
    int okrank = 1, np = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "next_token_probs")) {
        int pos = (int)refjson_num(e, "position");
        float pr, ls;
        int rk;
        if (Trace_next_token_stats(t, b, pos, &pr, &ls, &rk) != 0) { okrank = 0; break; }
        double rpr = refjson_num(e, "prob"), rls = refjson_num(e, "loss");
        if (!(fabs(pr - rpr) <= wpr)) wpr = fabs(pr - rpr);
        if (!(fabs(ls - rls) / rel_tol(rls) <= wls)) wls = fabs(ls - rls) / rel_tol(rls);
        /* a rank can move by one only where two probabilities are within the tolerance */
        int rr = (int)refjson_num(e, "rank");
        if (rk != rr && abs(rk - rr) > 1) okrank = 0;
        np++;
    }
    snprintf(name, sizeof name, "%s: next-token prob at %d positions", tag, np);
    expect(np == last && wpr <= PTOL, name, "worst %g over %d", wpr, np);
    snprintf(name, sizeof name, "%s: next-token loss and rank", tag);
    expect(np == last && wls <= 1 && okrank, name, "loss worst %g of tol, ranks %s", wls, okrank ? "ok" : "differ");

    /* logit lens: top-1 after every block at every position */
    int lens_ok = 1, layers = 0;
    double wlp = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(p, "logit_lens_top1")) {
        int pos = 0;
        cJSON_ArrayForEach(e, row) {
            TopK one;
            if (Trace_logit_lens(t, layers, b, pos, 1, &one) != 1) { lens_ok = 0; break; }
            double rp = refjson_num(e, "prob");
            if (one.id != (int)refjson_num(e, "id")) lens_ok = 0;
            if (!(fabs(one.prob - rp) <= wlp)) wlp = fabs(one.prob - rp);
            pos++;
        }
        layers++;
    }
    snprintf(name, sizeof name, "%s: logit lens top-1 (%d blocks)", tag, layers);
    expect(layers == m->c.n_layers && lens_ok && wlp <= PTOL, name, "ids %s, worst prob %g", lens_ok ? "ok" : "differ", wlp);

    /* the residual after each block, last position, first 8 values */
    double wr = 0;
    int l = 0;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(p, "resid_last_first8")) {
        double w = worst_rel(Trace_resid(t, l + 1, b, last), row, NULL);
        if (!(w <= wr)) wr = w;
        l++;
    }
    snprintf(name, sizeof name, "%s: residual after each block", tag);
    expect(l == m->c.n_layers && wr <= 1, name, "worst %g of the tolerance", wr);

    /* layer 0, head 0: the last query's attention probabilities */
    TensorView v;
    StationRef s = {ST_ATTN, 0};
    double wa = 0;
    int na = 0, okv = Trace_tensor(t, s, 0, &v, err) == 0;
    if (okv)
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "attn_l0_h0_last_row")) {
            float got = v.data[b * v.stride[0] + last * v.stride[2] + na * v.stride[3]];
            if (!(fabs(got - e->valuedouble) <= wa)) wa = fabs(got - e->valuedouble);
            na++;
        }
    snprintf(name, sizeof name, "%s: layer 0 head 0 attention row", tag);
    expect(okv && na == t->len[b] && wa <= PTOL, name, "worst %g %s", wa, okv ? "" : err);
}

/* Greedy continuation with the KV cache, one prompt at a time. */
static void check_greedy(const Model *m, const cJSON *p, const char *tag) {
    char name[256], err[SW_ERR_LEN];
    int want[1024];
    int n = refjson_ints(cJSON_GetObjectItem(p, "greedy_ids"), want, 1024);
    int plen = cJSON_GetArraySize(cJSON_GetObjectItem(p, "ids"));
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(p, "text"));
    TraceOpts o;
    TraceOpts_default(&o);
    o.max_new = n - plen;
    Trace *t = Trace_run(m, &text, 1, &o, err);
    int ok = t != NULL;
    Sampler g = {0};
    for (int i = plen; ok && i < n; i++) ok = Trace_generate(t, &g, err) == 0;
    int same = ok && t->len[0] == n, at = -1;
    for (int i = 0; same && i < n; i++)
        if (Trace_id(t, 0, i) != want[i]) { same = 0; at = i; }
    snprintf(name, sizeof name, "%s: greedy %d tokens with the KV cache", tag, n - plen);
    expect(same, name, "%s (first difference at %d)", ok ? "ids differ" : err, at);
    Trace_free(t);
}

static void test_file(const char *dir, const char *file, int greedy_b1) {
    char path[1024], ref_path[1024], err[SW_ERR_LEN], tag[160];
    snprintf(path, sizeof path, "%s/models/%s/%s.gguf", shared_dir(), dir, file);
    snprintf(ref_path, sizeof ref_path, "%s/models/%s/%s.reference.json", shared_dir(), dir, file);
    Model *m = Model_open(path, NULL, err);
    snprintf(tag, sizeof tag, "%s: open", file);
    expect(m != NULL, tag, "%s", err);
    if (!m) return;
    cJSON *ref = refjson_load(ref_path);
    if (!ref) { fail(file, "cannot read %s", ref_path); Model_free(m); return; }

    /* the config the reference describes */
    const cJSON *c = cJSON_GetObjectItem(ref, "config");
    const Config *mc = &m->c;
    int cfg_ok = mc->dim == (int)refjson_num(c, "D") && mc->hidden_dim == (int)refjson_num(c, "F") &&
                 mc->n_layers == (int)refjson_num(c, "L") && mc->n_heads == (int)refjson_num(c, "H") &&
                 mc->n_kv_heads == (int)refjson_num(c, "KV") && mc->vocab_size == (int)refjson_num(c, "V") &&
                 fabs(mc->rope_base - refjson_num(c, "theta")) <= 1e-3 * refjson_num(c, "theta") &&
                 fabs(mc->norm_eps - refjson_num(c, "eps")) <= 1e-3 * refjson_num(c, "eps") &&
                 mc->shared_classifier == cJSON_IsTrue(cJSON_GetObjectItem(c, "tied")) &&
                 mc->norm == NORM_RMSNORM && mc->pos == POS_ROPE && mc->mlp == MLP_SWIGLU;
    const cJSON *qb = cJSON_GetObjectItem(c, "qkv_bias");
    if (qb) cfg_ok = cfg_ok && mc->qkv_bias == cJSON_IsTrue(qb);
    snprintf(tag, sizeof tag, "%s: config (D F L h KV V theta eps tied biases)", file);
    expect(cfg_ok, tag, "D=%d F=%d L=%d h=%d KV=%d V=%d base=%g eps=%g tied=%d", mc->dim, mc->hidden_dim, mc->n_layers,
           mc->n_heads, mc->n_kv_heads, mc->vocab_size, mc->rope_base, mc->norm_eps, mc->shared_classifier);

    /* every tensor has the type the reference lists (as the forward pass uses it) */
    const cJSON *ty;
    int types_ok = 1, nty = 0;
    cJSON_ArrayForEach(ty, cJSON_GetObjectItem(ref, "tensor_types")) {
        const char *want = cJSON_GetStringValue(ty);
        int l = -1, got = -1;
        char role[64];
        if (sscanf(ty->string, "blk.%d.%63s", &l, role) == 2 && l >= 0 && l < mc->n_layers) {
            for (int i = 0; i < Model_n_layer_slots; i++)
                if (Model_layer_slots[i].matrix && strcmp(Model_layer_slots[i].name, role) == 0)
                    got = Model_slot_linear(&m->layers[l], &Model_layer_slots[i])->type;
            if (got < 0 && strstr(role, "norm")) got = QT_F32;
            if (got < 0 && strstr(role, "bias")) got = QT_F32;
        } else if (strcmp(ty->string, "token_embd.weight") == 0) {
            got = m->tok_emb.type;
        } else if (strcmp(ty->string, "output.weight") == 0) {
            got = m->lm_head.type;
        } else if (strcmp(ty->string, "output_norm.weight") == 0) {
            got = QT_F32;
        }
        if (got < 0 || !want || !Quant_name(got) || strcmp(Quant_name(got), want) != 0) {
            if (types_ok) printf("    %s: %s, want %s\n", ty->string, got >= 0 && Quant_name(got) ? Quant_name(got) : "?", want ? want : "?");
            types_ok = 0;
        }
        nty++;
    }
    snprintf(tag, sizeof tag, "%s: the %d tensors' types", file, nty);
    expect(types_ok && nty > 0, tag, "a type differs");

    /* all prompts as one batch (padding masked), each checked against its own numbers */
    const char *texts[8];
    int B = refjson_prompts(ref, texts, 8);
    Trace *t = Trace_run(m, texts, B, NULL, err);
    snprintf(tag, sizeof tag, "%s: run B=%d", file, B);
    expect(t != NULL, tag, "%s", err);
    if (t) {
        int pi = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(ref, "prompts")) {
            snprintf(tag, sizeof tag, "%s prompt %d (B=%d)", file, pi, B);
            check_prompt(t, pi, p, tag);
            if (pi == 0 || greedy_b1) {
                snprintf(tag, sizeof tag, "%s prompt %d", file, pi);
                check_greedy(m, p, tag);
            }
            pi++;
        }
        Trace_free(t);
    }
    cJSON_Delete(ref);
    Model_free(m);
}

/* ---- broken models: a real file written again with one thing changed ----
 * The rewriter copies tiny-smollm.gguf key by key and tensor by tensor (the bytes as read by
 * engine/gguf.c) and changes one key: dropped, given another value, or an array cut short.
 * Each result is a valid GGUF file whose model is wrong; the loader must refuse it with one
 * line that names the problem. The bytes are written with tests/gguf_write.h. */
typedef struct {
    const char *key;      /* the key to change */
    int drop;             /* leave it out */
    const char *str;      /* a string value instead */
    int has_u32;          /* a u32 value instead */
    uint32_t u32;
    int cut;              /* an array: drop its last `cut` elements */
    const char *nan;      /* a tensor whose first value (or first block's scale) becomes NaN */
} Change;

static int write_changed(const GgufFile *g, const Change *ch, const char *path) {
    Buf o = {0};
    put(&o, "GGUF", 4);
    u32(&o, 3);
    u64(&o, (uint64_t)g->n_tensors);
    u64(&o, (uint64_t)g->n_kv - (ch->drop ? 1 : 0));
    for (int64_t i = 0; i < g->n_kv; i++) {
        const GgufKV *kv = &g->kv[i];
        const int mine = strcmp(kv->key, ch->key) == 0;
        if (mine && ch->drop) continue;
        str(&o, kv->key);
        if (mine && ch->str) { u32(&o, GGUF_STR); str(&o, ch->str); continue; }
        if (mine && ch->has_u32) { u32(&o, GGUF_U32); u32(&o, ch->u32); continue; }
        u32(&o, (uint32_t)kv->type);
        if (kv->type == GGUF_STR) { strn(&o, (const char *)kv->data, kv->len); continue; }
        if (kv->type != GGUF_ARR) { put(&o, kv->data, kv->len); continue; }
        uint64_t n = kv->n - (mine ? (uint64_t)ch->cut : 0);
        u32(&o, (uint32_t)kv->arr_type);
        u64(&o, n);
        if (kv->arr_type == GGUF_STR) {
            for (uint64_t k = 0; k < n; k++) {
                GgufStr e;
                Gguf_arr_str(kv, k, &e);
                strn(&o, e.p, e.n);
            }
        } else {
            put(&o, kv->data, kv->n ? (size_t)(kv->len / kv->n * n) : 0);
        }
    }
    for (int64_t i = 0; i < g->n_tensors; i++) {
        const GgufTensor *t = &g->t[i];
        str(&o, t->name);
        u32(&o, (uint32_t)t->n_dims);
        for (int d = 0; d < t->n_dims; d++) u64(&o, (uint64_t)t->ne[d]);
        u32(&o, (uint32_t)t->type);
        u64(&o, t->offset);
    }
    while (o.n % g->alignment) u8(&o, 0);
    size_t data_at = o.n;
    put(&o, g->map.data + g->data_offset, g->map.len - g->data_offset);
    const GgufTensor *pt = ch->nan ? Gguf_find_tensor(g, ch->nan) : NULL;
    if (pt) {
        uint8_t *d = o.p + data_at + pt->offset;
        static const uint8_t f32_nan[4] = {0, 0, 0xc0, 0x7f}, f16_nan[2] = {0, 0x7e};
        /* f16 scale offset in a block: Q2_K 80, Q3_K 108, Q6_K 208, the others first */
        int at = pt->type == QT_Q2_K ? 80 : pt->type == QT_Q3_K ? 108 : pt->type == QT_Q6_K ? 208 : 0;
        if (pt->type == QT_F32) memcpy(d, f32_nan, 4);
        else memcpy(d + at, f16_nan, 2);
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(o.p, 1, o.n, f) == o.n;
    if (f) ok = fclose(f) == 0 && ok;
    free(o.p);
    return ok ? 0 : -1;
}

static void test_broken_models(void) {
    char src[1024], err[SW_ERR_LEN], dir[] = "/tmp/sw-gguf-bad-XXXXXX";
    snprintf(src, sizeof src, "%s/models/tiny-smollm-gguf/tiny-smollm.gguf", shared_dir());
    GgufFile g;
    if (Gguf_open(&g, src, err) != 0) { fail("broken gguf models: open the source", "%s", err); return; }
    if (!mkdtemp(dir)) { fail("broken gguf models: temp folder", " "); Gguf_close(&g); return; }
    static const struct { const char *what; Change ch; const char *want; } cases[] = {
        {"missing embedding_length", {.key = "llama.embedding_length", .drop = 1}, "missing key llama.embedding_length"},
        {"head_count not dividing D", {.key = "llama.attention.head_count", .has_u32 = 1, .u32 = 5}, "does not divide embedding_length"},
        {"head_count_kv not dividing h", {.key = "llama.attention.head_count_kv", .has_u32 = 1, .u32 = 4}, "does not divide head_count"},
        {"another architecture", {.key = "general.architecture", .str = "phi3"}, "architecture \"phi3\" is not supported"},
        {"an unknown pre-tokenizer", {.key = "tokenizer.ggml.pre", .str = "mystery"}, "mystery"},
        {"an unknown tokenizer model", {.key = "tokenizer.ggml.model", .str = "bert"}, "tokenizer \"bert\" is not supported"},
        {"vocabulary smaller than the embedding's rows", {.key = "tokenizer.ggml.tokens", .cut = 1}, "1999"},
        {"no vocabulary", {.key = "tokenizer.ggml.tokens", .drop = 1}, "tokenizer.ggml.tokens"},
        {"rope dimensions over the head size", {.key = "llama.rope.dimension_count", .has_u32 = 1, .u32 = 64}, "rope.dimension_count"},
        {"a zero context", {.key = "llama.context_length", .has_u32 = 1, .u32 = 0}, "context_length"},
        {"NaN in an F16 matrix", {.key = "", .nan = "blk.0.attn_q.weight"}, "blk.0.attn_q.weight has NaN or Inf"},
        {"NaN in a Q8_0 matrix's scale", {.key = "", .nan = "blk.1.ffn_up.weight"}, "blk.1.ffn_up.weight has NaN or Inf"},
        {"NaN in a norm", {.key = "", .nan = "output_norm.weight"}, "output_norm.weight has NaN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512], name[160];
        snprintf(path, sizeof path, "%s/bad%zu.gguf", dir, i);
        snprintf(name, sizeof name, "gguf model with %s: refused, one line naming it", cases[i].what);
        if (write_changed(&g, &cases[i].ch, path) != 0) { fail(name, "cannot write %s", path); continue; }
        err[0] = 0;
        Model *m = Model_open(path, NULL, err);
        if (getenv("SW_TEST_VERBOSE")) printf("    %s\n", err);
        expect(!m && strstr(err, cases[i].want) && strstr(err, path) && !strchr(err, '\n') && strlen(err) < 300, name,
               "%s", m ? "accepted" : err);
        Model_free(m);
        unlink(path);
    }
    /* the unchanged rewrite opens and predicts as the original (the rewriter itself is right) */
    char path[512];
    snprintf(path, sizeof path, "%s/same.gguf", dir);
    Change none = {.key = ""};
    Model *a = write_changed(&g, &none, path) == 0 ? Model_open(path, NULL, err) : NULL;
    Model *b = Model_open(src, NULL, err);
    int same = 0;
    if (a && b) {
        const char *text = "Hello";
        Trace *ta = Trace_run(a, &text, 1, NULL, err), *tb = Trace_run(b, &text, 1, NULL, err);
        same = ta && tb && memcmp(Trace_logits_row(ta, 0, ta->len[0] - 1), Trace_logits_row(tb, 0, 0 + tb->len[0] - 1),
                                  sizeof(float) * (size_t)a->c.vocab_size) == 0;
        Trace_free(ta);
        Trace_free(tb);
    }
    expect(same, "gguf rewriter: an unchanged copy gives the same logits", "%s", err);
    Model_free(a);
    Model_free(b);
    unlink(path);
    rmdir(dir);
    Gguf_close(&g);
}

/* Quant_first_nonfinite on every type of quant-types.gguf (ggml's own blocks): clean rows
 * pass; a NaN put where the type keeps its scale (or its first value) is found in its row. */
static void test_nonfinite_types(void) {
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/quant-types/quant-types.gguf", shared_dir());
    GgufFile g;
    if (Gguf_open(&g, path, err) != 0) { fail("non-finite check: open quant-types", "%s", err); return; }
    int ok = 1, n = 0;
    for (int64_t i = 0; i < g.n_tensors; i++) {
        const GgufTensor *t = &g.t[i];
        const int64_t rows = t->nelem / t->ne[0];
        uint8_t *copy = malloc(t->nbytes);
        memcpy(copy, t->data, t->nbytes);
        int64_t clean = Quant_first_nonfinite(t->type, copy, rows, t->ne[0]);
        /* poison row 2: F32 an exponent of all ones, the others the f16 at the scale's place */
        uint8_t *r2 = copy + 2 * t->row_bytes;
        int at = t->type == QT_Q2_K ? 80 : t->type == QT_Q3_K ? 108 : t->type == QT_Q6_K ? 208 : 0;
        if (t->type == QT_F32) { r2[2] |= 0x80; r2[3] |= 0x7f; }
        else if (t->type == QT_BF16) { r2[0] |= 0x80; r2[1] |= 0x7f; }
        else { r2[at] = 0; r2[at + 1] = 0x7c; }   /* f16 +Inf */
        int64_t found = Quant_first_nonfinite(t->type, copy, rows, t->ne[0]);
        if (clean != -1 || found != 2) {
            printf("    %s: clean %lld, poisoned row found at %lld\n", t->name, (long long)clean, (long long)found);
            ok = 0;
        }
        free(copy);
        n++;
    }
    char name[96];
    snprintf(name, sizeof name, "non-finite check: %d types, clean rows pass, a NaN/Inf scale is found in its row", n);
    expect(ok && n == 13, name, "see above");
    Gguf_close(&g);
}

int main(void) {
    test_nonfinite_types();
    test_broken_models();
    test_file("stories260K-gguf", "stories260K-f32", 1);
    test_file("stories260K-gguf", "stories260K-f16", 0);
    test_file("stories260K-gguf", "stories260K-q8_0", 0);
    test_file("stories260K-gguf", "stories260K-q4_0", 1);
    test_file("tiny-qwen2-gguf", "tiny-qwen2", 1);
    test_file("tiny-smollm-gguf", "tiny-smollm", 1);
    return check_done();
}
