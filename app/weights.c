/* weights.c - the weights a station multiplies by, and windows of their values
 * (app/weights.h). No curses: the walk draws them with the heatmap view. */
#include "app/weights.h"
#include "engine/quant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static WeightItem *put(WeightItem *out, int *n, int cap, const char *name, const char *what) {
    if (*n >= cap) return NULL;
    WeightItem *it = &out[(*n)++];
    memset(it, 0, sizeof *it);
    snprintf(it->name, sizeof it->name, "%s", name);
    snprintf(it->what, sizeof it->what, "%s", what);
    return it;
}

/* A matrix used as x @ W: (in, out), its letters given ("D", "h·d"). */
static void put_linear(WeightItem *out, int *n, int cap, const Linear *W, const char *name, const char *rl, const char *cl,
                       const char *what) {
    if (!W || (!W->w && !W->q) || W->in < 1 || W->out < 1) return;
    WeightItem *it = put(out, n, cap, name, what);
    if (!it) return;
    it->lin = W;
    if (W->type != 0) snprintf(it->stored, sizeof it->stored, " · %s, shown dequantized", Quant_name(W->type) ? Quant_name(W->type) : "quantized");
    it->rows = W->in;
    it->cols = W->out;
    snprintf(it->shape, sizeof it->shape, "%s (%s, %s) = (%d, %d)", name, rl, cl, it->rows, it->cols);
}

static void put_vector(WeightItem *out, int *n, int cap, const float *v, int len, const char *name, const char *letter,
                       const char *what) {
    if (!v || len < 1) return;
    WeightItem *it = put(out, n, cap, name, what);
    if (!it) return;
    it->vec = v;
    it->rows = 1;
    it->cols = len;
    snprintf(it->shape, sizeof it->shape, "%s (%s) = (%d)", name, letter, len);
}

int Weights_list(const Model *m, StationRef s, int T, WeightItem *out, int cap) {
    const Config *c = &m->c;
    int n = 0;
    const LayerWeights *lw = s.layer >= 0 && s.layer < c->n_layers && m->layers ? &m->layers[s.layer] : NULL;
    const int D = c->dim;
    const int rms = c->norm == NORM_RMSNORM;
    const char *kvd = c->n_kv_heads < c->n_heads ? "KV·d" : "h·d";
    switch (s.kind) {
    case ST_EMBED: {
        const Linear *E = &m->tok_emb;
        if (!E->w && !E->q) break;
        WeightItem *it = put(out, &n, cap, "E", "the embedding: row id is token id's vector, x = E[ids]");
        if (!it) break;
        it->lin = E;
        if (E->type != 0) snprintf(it->stored, sizeof it->stored, " · %s, shown dequantized", Quant_name(E->type) ? Quant_name(E->type) : "quantized");
        it->transposed = 1;   /* stored for x @ W as (D, V); shown as the table (V, D) */
        it->rows = E->out;
        it->cols = E->in;
        it->row_tokens = 1;
        snprintf(it->shape, sizeof it->shape, "E (V, D) = (%d, %d)", it->rows, it->cols);
        break;
    }
    case ST_POSITIONS:
        if (m->pos_emb && T > 0) {
            WeightItem *it = put(out, &n, cap, "P[0:T]", "the position table's first T rows, x = E[ids] + P[0:T]");
            if (!it) break;
            it->table = m->pos_emb;
            it->rows = T < c->seq_len ? T : c->seq_len;
            it->cols = D;
            it->row_tokens = 2;
            snprintf(it->shape, sizeof it->shape, "P[0:T] (T, D) = (%d, %d) of P (ctx, D) = (%d, %d)", it->rows, D, c->seq_len, D);
        }
        break;
    case ST_NORM1: case ST_NORM2: {
        if (!lw) break;
        int one = s.kind == ST_NORM1;
        const float *g = one ? lw->attn_norm : lw->ffn_norm, *b = one ? lw->attn_norm_b : lw->ffn_norm_b;
        put_vector(out, &n, cap, g, D, one ? "g1" : "g2", "D", rms ? "the gain: xn = x / rms(x) * g" : "the gain: xn = (x - mean) / std * g + b");
        put_vector(out, &n, cap, b, D, one ? "b1" : "b2", "D", "the bias: xn = (x - mean) / std * g + b");
        break;
    }
    case ST_FINAL_NORM:
        put_vector(out, &n, cap, m->lnf_w, D, "g_f", "D", rms ? "the final norm's gain: x / rms(x) * g_f" : "the final norm's gain: (x - mean) / std * g_f + b_f");
        put_vector(out, &n, cap, m->lnf_b, D, "b_f", "D", "the final norm's bias");
        break;
    case ST_QKV:
        if (!lw) break;
        if (c->qkv_fused) {
            put_linear(out, &n, cap, &lw->attn_qkv, "W_qkv", "D", "3D", "q|k|v = xn @ W_qkv + b, one matrix for the three");
            put_vector(out, &n, cap, lw->attn_qkv_b, 3 * D, "b_qkv", "3D", "the bias of q|k|v");
            break;
        }
        put_linear(out, &n, cap, &lw->attn_q, "Wq", "D", "h·d", "q = xn @ Wq: what each token looks for");
        put_linear(out, &n, cap, &lw->attn_k, "Wk", "D", kvd, "k = xn @ Wk: what each token offers to be found by");
        put_linear(out, &n, cap, &lw->attn_v, "Wv", "D", kvd, "v = xn @ Wv: what each token hands over");
        put_vector(out, &n, cap, lw->attn_q_b, lw->attn_q.out, "bq", "h·d", "the bias of q");
        put_vector(out, &n, cap, lw->attn_k_b, lw->attn_k.out, "bk", kvd, "the bias of k");
        put_vector(out, &n, cap, lw->attn_v_b, lw->attn_v.out, "bv", kvd, "the bias of v");
        break;
    case ST_OUT_PROJ:
        if (!lw) break;
        put_linear(out, &n, cap, &lw->attn_out, "Wo", "h·d", "D", "x = x + y @ Wo: the heads mixed back into the residual");
        put_vector(out, &n, cap, lw->attn_out_b, D, "bo", "D", "the bias of the output projection");
        break;
    case ST_MLP_UP:
        if (!lw) break;
        if (c->mlp == MLP_SWIGLU) put_linear(out, &n, cap, &lw->ffn_gate, "Wg", "D", "F", "the gate: silu(xn @ Wg) * (xn @ Wu)");
        put_linear(out, &n, cap, &lw->ffn_up, "Wu", "D", "F", c->mlp == MLP_SWIGLU ? "the up projection: silu(xn @ Wg) * (xn @ Wu)" : "the up projection: gelu(xn @ Wu + bu)");
        put_vector(out, &n, cap, lw->ffn_up_b, c->hidden_dim, "bu", "F", "the bias of the up projection");
        break;
    case ST_MLP_DOWN:
        if (!lw) break;
        put_linear(out, &n, cap, &lw->ffn_down, "Wd", "F", "D", "x = x + hid @ Wd: back down to D, added to the residual");
        put_vector(out, &n, cap, lw->ffn_down_b, D, "bd", "D", "the bias of the down projection");
        break;
    case ST_LM_HEAD:
        put_linear(out, &n, cap, &m->lm_head, "W_lm", "D", "V",
                   c->shared_classifier ? "logits = x @ W_lm; W_lm is the embedding E turned over (tied)" : "logits = x @ W_lm: a score for every token");
        if (n > 0 && out[n - 1].lin == &m->lm_head) {
            out[n - 1].col_tokens = 1;
            if (c->shared_classifier)
                snprintf(out[n - 1].shape, sizeof out[n - 1].shape, "W_lm = Eᵀ (D, V) = (%d, %d)", out[n - 1].rows, out[n - 1].cols);
        }
        break;
    default: break;
    }
    return n;
}

int Weights_window(const WeightItem *it, int r0, int nr, int c0, int nc, float *out) {
    if (!it || nr < 1 || nc < 1) return -1;
    if (r0 < 0) r0 = 0;
    if (c0 < 0) c0 = 0;
    int r1 = r0 + nr > it->rows ? it->rows : r0 + nr;
    int cn = c0 + nc > it->cols ? it->cols : c0 + nc;
    if (r1 <= r0 || cn <= c0) return -1;
    if (it->vec) {
        for (int j = c0; j < cn; j++) out[j - c0] = it->vec[j];
        return 0;
    }
    if (it->table) {
        for (int r = r0; r < r1; r++)
            for (int j = c0; j < cn; j++) out[(size_t)(r - r0) * nc + (j - c0)] = it->table[(size_t)r * it->cols + j];
        return 0;
    }
    const Linear *W = it->lin;
    if (!W) return -1;
    if (W->w) {
        /* element (i in, o out) */
        for (int r = r0; r < r1; r++)
            for (int j = c0; j < cn; j++) {
                long i = it->transposed ? j : r, o = it->transposed ? r : j;
                out[(size_t)(r - r0) * nc + (j - c0)] = W->out_major ? W->w[o * W->in + i] : W->w[i * W->out + o];
            }
        return 0;
    }
    if (!W->q || !Quant_supported(W->type)) return -1;
    /* stored rows are `out` rows of `in`: dequantize only the rows the window touches */
    float *row = malloc(sizeof(float) * (size_t)W->in);
    if (!row) return -1;
    int o0 = it->transposed ? r0 : c0, o1 = it->transposed ? r1 : cn;
    for (int o = o0; o < o1; o++) {
        Quant_dequant_row(W->type, (const unsigned char *)W->q + (size_t)o * W->row_bytes, row, W->in);
        if (it->transposed)
            for (int j = c0; j < cn; j++) out[(size_t)(o - r0) * nc + (j - c0)] = row[j];
        else
            for (int r = r0; r < r1; r++) out[(size_t)(r - r0) * nc + (o - c0)] = row[r];
    }
    free(row);
    return 0;
}

const char *Weights_none(const Config *c, StationKind k) {
    switch (k) {
    case ST_TOKENIZE: return "no weights here: tokenizing only looks words up in the vocabulary";
    case ST_POSITIONS: return c->pos == POS_ROPE ? "no weights here: RoPE turns q and k by angles computed from the position (3.l.c)"
                                                 : "no position table in this model";
    case ST_BLOCK: return "a block's weights are at its steps: Enter, then W at 3.l.a, b, h, i, j, k";
    case ST_ROPE: return "no weights here: the angles come from the position and base, not from training";
    case ST_SCORES: return "no weights here: S = q @ kᵀ / √d; q and k were made with Wq, Wk at 3.l.b";
    case ST_MASK: return "no weights here: the mask is fixed, -inf above the diagonal";
    case ST_ATTN: return "no weights here: A = softmax(S) row by row";
    case ST_WSUM: return "no weights here: y = A @ v; v was made with Wv at 3.l.b";
    case ST_SOFTMAX: return "no weights here: probs = softmax(logits)";
    case ST_NEXT: return "no weights here: the next token is picked from probs";
    default: return "no weights at this station";
    }
}
