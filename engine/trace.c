/* trace.c - owning a recorded forward pass: memory, budget, views of its numbers,
 * and growing it when a token is appended. The maths is in forward.c and predict.c. */
#include "forward.h"
#include "weights_check.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOGIT_CHUNK 64   /* rows of logits computed at once when they are not kept */

void TraceOpts_default(TraceOpts *o) {
    memset(o, 0, sizeof *o);
    o->max_new = 64;
    o->budget_bytes = (size_t)256 << 20;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One table of a layer record's arrays: where each sits in LayerRec and how many floats it
 * holds per position ('D', 'K' = KV*d, 'F'), or per (head, position) for 'A' (a Tcap-long row
 * of the (T,T) maps). `need` says when the model has that step. Counting, allocating and
 * freeing a record all read this table. */
enum { NEED_ALWAYS, NEED_ROPE, NEED_GATE };
static const struct { size_t offset; char size; int need; } REC_ARRAYS[] = {
    { offsetof(LayerRec, norm1), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, q), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, k), 'K', NEED_ALWAYS },
    { offsetof(LayerRec, v), 'K', NEED_ALWAYS },
    { offsetof(LayerRec, q_rot), 'D', NEED_ROPE },
    { offsetof(LayerRec, k_rot), 'K', NEED_ROPE },
    { offsetof(LayerRec, scores), 'A', NEED_ALWAYS },
    { offsetof(LayerRec, probs), 'A', NEED_ALWAYS },
    { offsetof(LayerRec, wsum), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, attn_proj), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, resid_mid), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, norm2), 'D', NEED_ALWAYS },
    { offsetof(LayerRec, mlp_pre), 'F', NEED_ALWAYS },
    { offsetof(LayerRec, mlp_gate), 'F', NEED_GATE },
    { offsetof(LayerRec, mlp_act), 'F', NEED_ALWAYS },
    { offsetof(LayerRec, mlp_out), 'D', NEED_ALWAYS },
};
enum { N_REC_ARRAYS = sizeof REC_ARRAYS / sizeof REC_ARRAYS[0] };

static float **rec_array(LayerRec *r, int i) { return (float **)(void *)((char *)r + REC_ARRAYS[i].offset); }

/* Floats of array i at this B and Tcap; 0 when the model has no such step. */
static size_t rec_floats(const Trace *t, int i) {
    const Config *c = &t->m->c;
    if ((REC_ARRAYS[i].need == NEED_ROPE && c->pos != POS_ROPE) || (REC_ARRAYS[i].need == NEED_GATE && c->mlp != MLP_SWIGLU))
        return 0;
    size_t bt = (size_t)t->B * t->Tcap;
    switch (REC_ARRAYS[i].size) {
    case 'D': return bt * (size_t)c->dim;
    case 'K': return bt * (size_t)c->n_kv_heads * c->head_dim;
    case 'F': return bt * (size_t)c->hidden_dim;
    default: return bt * (size_t)c->n_heads * t->Tcap;   /* 'A': (B,h,Tcap,Tcap) */
    }
}

/* Bytes of one layer's inner-step record at this B and Tcap. */
static size_t rec_bytes(const Trace *t) {
    size_t n = 0;
    for (int i = 0; i < N_REC_ARRAYS; i++) n += rec_floats(t, i);
    return n * sizeof(float);
}

/* Budget: logits (B,T,V) take up to half of it; every layer's inner steps are kept when they
 * fit in the rest (else one layer at a time is recomputed on demand). */
static int logits_fit(const Trace *t, int Tcap) {
    return (size_t)t->B * Tcap * t->m->c.vocab_size * sizeof(float) <= t->opts.budget_bytes / 2;
}
static int all_layers_fit(const Trace *t) {
    size_t lb = t->logits ? (size_t)t->B * t->Tcap * t->m->c.vocab_size * sizeof(float) : 0;
    return rec_bytes(t) * (size_t)t->m->c.n_layers <= t->opts.budget_bytes - lb;
}

static void rec_release(LayerRec *r) {
    for (int i = 0; i < N_REC_ARRAYS; i++) free(*rec_array(r, i));
    memset(r, 0, sizeof *r);
}

LayerRec *Trace_rec_alloc(Trace *t, int l, char *err) {
    const Config *c = &t->m->c;
    LayerRec *r = &t->rec[l];
    if (r->norm1) return r;
    if (!t->keep_all_layers)
        for (int i = 0; i < c->n_layers; i++) if (i != l) rec_release(&t->rec[i]);
    for (int i = 0; i < N_REC_ARRAYS; i++) {
        size_t n = rec_floats(t, i);
        if (n && !(*rec_array(r, i) = sw_calloc(n, sizeof(float), "layer record", err))) {
            rec_release(r);
            return NULL;
        }
    }
    return r;
}

/* Allocate every per-position array for Tcap positions. */
static int alloc_arrays(Trace *t, char *err) {
    const Config *c = &t->m->c;
    size_t bt = (size_t)t->B * t->Tcap, D = (size_t)c->dim, kvd = (size_t)c->n_kv_heads * c->head_dim;
    size_t L = (size_t)c->n_layers, V = (size_t)c->vocab_size;
    if (!(t->ids = sw_calloc(bt, sizeof(int), "token ids", err))) return -1;
    if (!(t->embed = sw_calloc(bt * D, sizeof(float), "embeddings", err))) return -1;
    if (!(t->resid = sw_calloc((L + 1) * bt * D, sizeof(float), "residual stream", err))) return -1;
    if (!(t->final_norm = sw_calloc(bt * D, sizeof(float), "final norm", err))) return -1;
    if (!(t->key_cache = sw_calloc(L * bt * kvd, sizeof(float), "key cache", err))) return -1;
    if (!(t->value_cache = sw_calloc(L * bt * kvd, sizeof(float), "value cache", err))) return -1;
    if (!(t->rec = sw_calloc(L, sizeof(LayerRec), "layer records", err))) return -1;
    if (!(t->row_logits = sw_calloc((size_t)LOGIT_CHUNK * V, sizeof(float), "logits", err))) return -1;
    if (logits_fit(t, t->Tcap) && !(t->logits = sw_calloc(bt * V, sizeof(float), "logits", err))) return -1;
    t->keep_all_layers = all_layers_fit(t);
    t->row_logits_bt = -1;
    return 0;
}

void Trace_free(Trace *t) {
    if (!t) return;
    for (int b = 0; b < SW_MAX_B; b++) free(t->prompts[b]);
    if (t->rec) for (int l = 0; l < t->m->c.n_layers; l++) rec_release(&t->rec[l]);
    free(t->rec); free(t->ids); free(t->embed); free(t->resid); free(t->final_norm);
    free(t->logits); free(t->key_cache); free(t->value_cache); free(t->row_logits);
    free(t->probs_all); free(t->scratch);
    free(t);
}

Trace *Trace_run_ids(const Model *m, const int *const *ids, const int *lens, int B, const TraceOpts *opts, char *err) {
    const Config *c = &m->c;
    if (B < 1 || B > SW_MAX_B) { sw_seterr(err, "batch of %d prompts: give 1 to %d", B, SW_MAX_B); return NULL; }
    int T = 0;
    for (int b = 0; b < B; b++) {
        if (lens[b] < 1) { sw_seterr(err, "prompt b=%d has no tokens", b); return NULL; }
        if (lens[b] > c->seq_len) {
            sw_seterr(err, "prompt b=%d is %d tokens but %s's context is %d: shorten it (on the command line, --truncate keeps the last %d)",
                      b, lens[b], m->name, c->seq_len, c->seq_len);
            return NULL;
        }
        for (int i = 0; i < lens[b]; i++)
            if (ids[b][i] < 0 || ids[b][i] >= c->vocab_size) {
                sw_seterr(err, "prompt b=%d: token id %d is outside the vocabulary (0..%d)", b, ids[b][i], c->vocab_size - 1);
                return NULL;
            }
        if (lens[b] > T) T = lens[b];
    }
    Trace *t = calloc(1, sizeof *t);
    if (!t) { sw_seterr(err, "out of memory"); return NULL; }
    t->m = m;
    if (opts) t->opts = *opts; else TraceOpts_default(&t->opts);
    if (t->opts.max_new < 0) t->opts.max_new = 0;
    t->B = B;
    t->T = T;
    t->Tcap = T + t->opts.max_new > c->seq_len ? c->seq_len : T + t->opts.max_new;
    if (t->Tcap < 1) t->Tcap = 1;
    if (alloc_arrays(t, err) != 0) { Trace_free(t); return NULL; }

    int N = 0;
    for (int b = 0; b < B; b++) {
        t->len[b] = t->prompt_len[b] = lens[b];
        t->next_id[b] = -1;
        memcpy(t->ids + (size_t)b * t->Tcap, ids[b], sizeof(int) * (size_t)lens[b]);
        N += lens[b];
    }
    /* pack every real position: prompt by prompt, position by position */
    int *row = malloc(sizeof(int) * (size_t)N), *pos = malloc(sizeof(int) * (size_t)N);
    if (!row || !pos) { free(row); free(pos); Trace_free(t); sw_seterr(err, "out of memory"); return NULL; }
    for (int b = 0, n = 0; b < B; b++)
        for (int p = 0; p < lens[b]; p++, n++) { row[n] = b; pos[n] = p; }
    double t0 = now_ms();
    int rc = Forward_rows(t, row, pos, N, t->keep_all_layers, err);
    t->run_ms = now_ms() - t0;
    free(row);
    free(pos);
    if (rc != 0 || Trace_check_finite(t, err) != 0) { Trace_free(t); return NULL; }   /* no NaN/Inf shown as numbers */
    return t;
}

Trace *Trace_run(const Model *m, const char *const *prompts, int B, const TraceOpts *opts, char *err) {
    if (B < 1 || B > SW_MAX_B) { sw_seterr(err, "batch of %d prompts: give 1 to %d", B, SW_MAX_B); return NULL; }
    int *ids[SW_MAX_B] = {0}, lens[SW_MAX_B] = {0}, cut[SW_MAX_B] = {0};
    Trace *t = NULL;
    int ctx = m->c.seq_len;
    for (int b = 0; b < B; b++) {
        char e2[SW_ERR_LEN];
        const char *p = prompts[b] ? prompts[b] : "";
        if (Tokenizer_encode(m->tok, p, strlen(p), &ids[b], &lens[b], e2) != 0) {
            sw_seterr(err, "prompt b=%d: %s", b, e2);
            goto done;
        }
        if (lens[b] == 0) {
            sw_seterr(err, "prompt b=%d is empty: type at least one word", b);
            goto done;
        }
        if (lens[b] > ctx) {
            if (!(opts && opts->truncate)) {
                sw_seterr(err, "prompt b=%d is %d tokens but %s's context is %d: shorten it (on the command line, --truncate keeps the last %d)",
                          b, lens[b], m->name, ctx, ctx);
                goto done;
            }
            /* keep BOS (the model was trained with it first) and the last tokens that fit */
            int keep_bos = ctx > 1 && Tokenizer_bos(m->tok) >= 0 && ids[b][0] == Tokenizer_bos(m->tok);
            memmove(ids[b] + keep_bos, ids[b] + (lens[b] - ctx + keep_bos), sizeof(int) * (size_t)(ctx - keep_bos));
            cut[b] = lens[b];
            lens[b] = ctx;
        }
    }
    t = Trace_run_ids(m, (const int *const *)ids, lens, B, opts, err);
    if (t)
        for (int b = 0; b < B; b++) {
            t->prompts[b] = strdup(prompts[b] ? prompts[b] : "");
            t->truncated_from[b] = cut[b];
        }
done:
    for (int b = 0; b < B; b++) free(ids[b]);
    return t;
}

const LayerRec *Trace_layer(Trace *t, int layer, char *err) {
    if (layer < 0 || layer >= t->m->c.n_layers) { sw_seterr(err, "no layer %d", layer + 1); return NULL; }
    LayerRec *r = &t->rec[layer];
    if (r->valid) return r;
    if (!Trace_rec_alloc(t, layer, err)) return NULL;
    if (Forward_layer(t, layer, r, err) != 0) return NULL;
    return r;
}

static void view3(TensorView *v, const float *data, int B, int T, int Tcap, int w, const char *last) {
    memset(v, 0, sizeof *v);
    v->data = data; v->ndim = 3;
    v->dims[0] = B; v->dims[1] = T; v->dims[2] = w;
    v->stride[0] = (long)Tcap * w; v->stride[1] = w; v->stride[2] = 1;
    strcpy(v->axes[0], "B"); strcpy(v->axes[1], "T"); strcpy(v->axes[2], last);
}

/* (B,Tcap,heads*d) seen as (B,heads,T,d) */
static void view_heads(TensorView *v, const float *data, int B, int T, int Tcap, int heads, int d, const char *hname) {
    memset(v, 0, sizeof *v);
    v->data = data; v->ndim = 4;
    v->dims[0] = B; v->dims[1] = heads; v->dims[2] = T; v->dims[3] = d;
    v->stride[0] = (long)Tcap * heads * d; v->stride[1] = d; v->stride[2] = (long)heads * d; v->stride[3] = 1;
    strcpy(v->axes[0], "B"); strcpy(v->axes[1], hname); strcpy(v->axes[2], "T"); strcpy(v->axes[3], "d");
}

static void view_att(TensorView *v, const float *data, int B, int H, int T, int Tcap) {
    memset(v, 0, sizeof *v);
    v->data = data; v->ndim = 4;
    v->dims[0] = B; v->dims[1] = H; v->dims[2] = T; v->dims[3] = T;
    v->stride[0] = (long)H * Tcap * Tcap; v->stride[1] = (long)Tcap * Tcap; v->stride[2] = Tcap; v->stride[3] = 1;
    strcpy(v->axes[0], "B"); strcpy(v->axes[1], "h"); strcpy(v->axes[2], "T"); strcpy(v->axes[3], "T");
}

int Trace_tensor(Trace *t, StationRef s, int which, TensorView *out, char *err) {
    const Config *c = &t->m->c;
    const int B = t->B, T = t->T, Tc = t->Tcap, D = c->dim, F = c->hidden_dim;
    const size_t plane = (size_t)B * Tc * D;
    switch (s.kind) {
    case ST_EMBED: view3(out, t->embed, B, T, Tc, D, "D"); return 0;
    case ST_POSITIONS: view3(out, t->resid, B, T, Tc, D, "D"); return 0;
    case ST_BLOCK:
        if (s.layer < 0 || s.layer >= c->n_layers) break;
        view3(out, t->resid + (size_t)(s.layer + 1) * plane, B, T, Tc, D, "D");
        return 0;
    case ST_FINAL_NORM: view3(out, t->final_norm, B, T, Tc, D, "D"); return 0;
    case ST_LM_HEAD:
        if (!t->logits) { sw_seterr(err, "logits for all %d positions are over the memory budget; read rows with Trace_logits_row", T); return -1; }
        view3(out, t->logits, B, T, Tc, c->vocab_size, "V");
        return 0;
    case ST_SOFTMAX: {
        if (!t->logits) { sw_seterr(err, "probabilities for all %d positions are over the memory budget", T); return -1; }
        if (!t->probs_all) {
            size_t V = (size_t)c->vocab_size;
            if (!(t->probs_all = sw_calloc((size_t)B * Tc * V, sizeof(float), "probabilities", err))) return -1;
            for (int b = 0; b < B; b++)
                for (int p = 0; p < t->len[b]; p++) {
                    size_t at = ((size_t)b * Tc + p) * V;
                    sw_softmax(t->logits + at, (int)V, t->probs_all + at);
                }
        }
        view3(out, t->probs_all, B, T, Tc, c->vocab_size, "V");
        return 0;
    }
    case ST_TOKENIZE:
    case ST_NEXT:
        sw_seterr(err, "station %s holds token ids, not numbers", Station_info(s.kind)->name);
        return -1;
    default: break;
    }
    /* inner stations */
    const LayerRec *r = Trace_layer(t, s.layer, err);
    if (!r) return -1;
    const int H = c->n_heads, KV = c->n_kv_heads, d = c->head_dim;
    switch (s.kind) {
    case ST_NORM1: view3(out, r->norm1, B, T, Tc, D, "D"); return 0;
    case ST_QKV:
        if (which == 0) view_heads(out, r->q, B, T, Tc, H, d, "h");
        else view_heads(out, which == 1 ? r->k : r->v, B, T, Tc, KV, d, KV == H ? "h" : "KV");
        return 0;
    case ST_ROPE:
        if (!r->q_rot) { sw_seterr(err, "GPT-2 has no rotary step: it adds positions at station 2"); return -1; }
        if (which == 0) view_heads(out, r->q_rot, B, T, Tc, H, d, "h");
        else view_heads(out, r->k_rot, B, T, Tc, KV, d, KV == H ? "h" : "KV");
        return 0;
    case ST_SCORES: case ST_MASK: view_att(out, r->scores, B, H, T, Tc); return 0;
    case ST_ATTN: view_att(out, r->probs, B, H, T, Tc); return 0;
    case ST_WSUM: view3(out, r->wsum, B, T, Tc, D, "D"); return 0;
    case ST_OUT_PROJ: view3(out, which == 1 ? r->attn_proj : r->resid_mid, B, T, Tc, D, "D"); return 0;
    case ST_NORM2: view3(out, r->norm2, B, T, Tc, D, "D"); return 0;
    case ST_MLP_UP:
        if (which == 2 && !r->mlp_gate) { sw_seterr(err, "GPT-2's MLP has no gate"); return -1; }
        view3(out, which == 1 ? r->mlp_pre : which == 2 ? r->mlp_gate : r->mlp_act, B, T, Tc, F, "F");
        return 0;
    case ST_MLP_DOWN:
        if (which == 1) view3(out, r->mlp_out, B, T, Tc, D, "D");
        else view3(out, t->resid + (size_t)(s.layer + 1) * plane, B, T, Tc, D, "D");
        return 0;
    default: break;
    }
    sw_seterr(err, "unknown station");
    return -1;
}

const float *Trace_logits_row(Trace *t, int b, int pos) {
    const Config *c = &t->m->c;
    const size_t V = (size_t)c->vocab_size;
    if (t->logits) return t->logits + ((size_t)b * t->Tcap + pos) * V;
    /* Not kept: compute a chunk of LOGIT_CHUNK positions of this row at once (one sgemm),
     * so walking along a row costs one weight read per chunk, not per position. The newest
     * position, the one generation samples from, is computed alone (one sgemv). */
    const int at = b * t->Tcap + pos;
    if (t->row_logits_bt < 0 || at < t->row_logits_bt || at >= t->row_logits_bt + t->row_logits_n) {
        const int newest = pos == t->len[b] - 1;
        const int start = newest ? pos : pos - pos % LOGIT_CHUNK;
        int n = newest ? 1 : t->len[b] - start;
        if (n > LOGIT_CHUNK) n = LOGIT_CHUNK;
        if (n < 1) n = 1;
        t->row_logits_bt = b * t->Tcap + start;
        t->row_logits_n = n;
        Forward_lm_head(t->m, t->final_norm + (size_t)t->row_logits_bt * c->dim, n, t->row_logits);
    }
    return t->row_logits + (size_t)(at - t->row_logits_bt) * V;
}

void Trace_probs_row(Trace *t, int b, int pos, float temperature, float *out) {
    const int V = t->m->c.vocab_size;
    const float *lg = Trace_logits_row(t, b, pos);
    if (temperature <= 0 || temperature == 1.0f) { sw_softmax(lg, V, out); return; }
    for (int i = 0; i < V; i++) out[i] = lg[i] / temperature;
    sw_softmax(out, V, out);
}

void Trace_choose(Trace *t, Sampler *s) {
    for (int b = 0; b < t->B; b++)
        t->next_id[b] = Sampler_pick(s, Trace_logits_row(t, b, t->len[b] - 1), t->m->c.vocab_size);
}

/* Move an (outer, B, Tcap, w) array to a larger Tcap (B may count (prompt, head) pairs). */
static int relayout(void **p, size_t outer, int B, int oldcap, int newcap, size_t w, size_t esz, char *err) {
    char *n = sw_calloc(outer * B * (size_t)newcap * w, esz, "growing the trace", err);
    if (!n) return -1;
    const char *o = *p;
    for (size_t i = 0; i < outer * B; i++)
        memcpy(n + i * newcap * w * esz, o + i * oldcap * w * esz, (size_t)oldcap * w * esz);
    free(*p);
    *p = n;
    return 0;
}

static int grow(Trace *t, int newcap, char *err) {
    const Config *c = &t->m->c;
    size_t D = (size_t)c->dim, L = (size_t)c->n_layers;
    int old = t->Tcap, B = t->B;
    if (relayout((void **)&t->ids, 1, B, old, newcap, 1, sizeof(int), err) ||
        relayout((void **)&t->embed, 1, B, old, newcap, D, sizeof(float), err) ||
        relayout((void **)&t->resid, L + 1, B, old, newcap, D, sizeof(float), err) ||
        relayout((void **)&t->final_norm, 1, B, old, newcap, D, sizeof(float), err) ||
        relayout((void **)&t->key_cache, L, B * c->n_kv_heads, old, newcap, (size_t)c->head_dim, sizeof(float), err) ||
        relayout((void **)&t->value_cache, L, B * c->n_kv_heads, old, newcap, (size_t)c->head_dim, sizeof(float), err))
        return -1;
    if (t->logits) {
        size_t V = (size_t)c->vocab_size;
        if (logits_fit(t, newcap)) {
            if (relayout((void **)&t->logits, 1, B, old, newcap, V, sizeof(float), err)) return -1;
        } else {
            free(t->logits);   /* past the budget: rows are computed on demand from now on */
            t->logits = NULL;
        }
    }
    for (size_t l = 0; l < L; l++) rec_release(&t->rec[l]);
    t->Tcap = newcap;
    t->keep_all_layers = all_layers_fit(t);
    return 0;
}

int Trace_generate(Trace *t, Sampler *s, char *err) {
    const Config *c = &t->m->c;
    int maxlen = 0;
    for (int b = 0; b < t->B; b++) {
        if (t->len[b] >= c->seq_len) {
            sw_seterr(err, "prompt b=%d has reached %s's context of %d tokens; start a shorter prompt", b, t->m->name, c->seq_len);
            return -1;
        }
        if (t->len[b] > maxlen) maxlen = t->len[b];
    }
    if (maxlen + 1 > t->Tcap) {
        int newcap = t->Tcap * 2 > c->seq_len ? c->seq_len : t->Tcap * 2;
        if (grow(t, newcap, err) != 0) return -1;
    }
    for (int b = 0; b < t->B; b++)
        if (t->next_id[b] < 0)
            t->next_id[b] = Sampler_pick(s, Trace_logits_row(t, b, t->len[b] - 1), c->vocab_size);
    int row[SW_MAX_B], pos[SW_MAX_B];
    for (int b = 0; b < t->B; b++) {
        row[b] = b;
        pos[b] = t->len[b];
        t->ids[(size_t)b * t->Tcap + t->len[b]] = t->next_id[b];
    }
    /* only the new position of each prompt: earlier keys and values come from the cache */
    double t0 = now_ms();
    if (Forward_rows(t, row, pos, t->B, 0, err) != 0) return -1;
    t->run_ms = now_ms() - t0;
    for (int b = 0; b < t->B; b++) {
        t->len[b]++;
        t->next_id[b] = -1;
    }
    t->T = maxlen + 1;
    for (int l = 0; l < c->n_layers; l++) t->rec[l].valid = 0;   /* recomputed on demand */
    t->row_logits_bt = -1;
    free(t->probs_all);
    t->probs_all = NULL;
    return 0;
}
