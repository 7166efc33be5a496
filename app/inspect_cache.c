/* inspect_cache.c - the inspection screens' numbers, cached per token prefix (see inspect_cache.h).
 *
 * Costs, measured on 2 cores (GPT-2 124M shapes, V = 50257, D = 768, L = 12):
 *   one logit-lens cell through Trace_logit_lens (a (D,V) sgemv)   ~19 ms: it reads all
 *     154 MB of W_lm for one row, so it is memory-bound;
 *   one position's 12 layers as one (12,D)@(D,V) sgemm                ~25 ms;
 *   every token's loss of a 38-token row (Trace_next_token_stats)     ~34 ms.
 *   8 positions x 12 layers as one (96,D)@(D,V) sgemm                  ~200-300 ms,
 *     against ~8 x 140 ms one column at a time (the CPU shared with other work).
 * So the lens is computed for the columns on screen, as few matmuls of whole columns (all
 * layers of a position) as fit INSPECT_BATCH rows; everything once per token prefix. */
#include "app/inspect_cache.h"

#include "engine/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static Inspect *g_inspect;

void Inspect_release(void) {
    Inspect *in = g_inspect;
    if (!in) return;
    free(in->ids);
    free(in->prob);
    free(in->loss);
    free(in->rank);
    free(in->lens_id);
    free(in->lens_p);
    free(in->xn);
    free(in->logits);
    free(in);
    g_inspect = NULL;
}

static void forget(Inspect *in, int b, int from) {
    in->forgets++;
    for (int p = from; p < in->cap; p++) {
        size_t i = Inspect_at(in, b, p);
        in->ids[i] = -1;
        in->prob[i] = -1;
        for (int l = 0; l < in->L; l++) in->lens_p[Inspect_lens_at(in, l, b, p)] = -1;
    }
}

Inspect *Inspect_get(const Model *m) {
    if (g_inspect && g_inspect->m == m) return g_inspect;
    Inspect_release();
    const Config *c = &m->c;
    Inspect *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    in->m = m;
    in->L = c->n_layers;
    in->cap = c->seq_len > 0 ? c->seq_len : 1;
    size_t bt = (size_t)SW_MAX_B * in->cap, lbt = (size_t)in->L * bt * INSPECT_LENS_K;
    in->ids = malloc(sizeof(int) * bt);
    in->prob = malloc(sizeof(float) * bt);
    in->loss = malloc(sizeof(float) * bt);
    in->rank = malloc(sizeof(int) * bt);
    in->lens_id = malloc(sizeof(int) * lbt);
    in->lens_p = malloc(sizeof(float) * lbt);
    /* rows per lens matmul: whole columns of L, about INSPECT_BATCH rows (more reuse of W_lm
     * per read), at most INSPECT_BATCH columns */
    int per = INSPECT_BATCH / in->L;
    if (per < 1) per = 1;
    in->rows = per * in->L;
    in->xn = malloc(sizeof(float) * (size_t)in->rows * c->dim);
    in->logits = malloc(sizeof(float) * (size_t)in->rows * c->vocab_size);
    g_inspect = in;
    if (!in->ids || !in->prob || !in->loss || !in->rank || !in->lens_id || !in->lens_p || !in->xn || !in->logits) {
        Inspect_release();
        return NULL;
    }
    for (int b = 0; b < SW_MAX_B; b++) forget(in, b, 0);
    return in;
}

void Inspect_sync(Inspect *in, const Trace *t) {
    for (int b = 0; b < SW_MAX_B; b++) {
        int len = t && b < t->B ? t->len[b] : 0;
        if (len > in->cap) len = in->cap;
        int p = 0;
        while (p < len && in->ids[Inspect_at(in, b, p)] == Trace_id(t, b, p)) p++;
        /* positions p.. held numbers for other tokens: stale. (Nothing held at p means
         * nothing after it either: numbers are only ever computed for a known prefix.) */
        if (p < in->cap && in->ids[Inspect_at(in, b, p)] != -1) forget(in, b, p);
        for (int q = p; q < len; q++) in->ids[Inspect_at(in, b, q)] = Trace_id(t, b, q);
    }
}

int Inspect_row_stats(Inspect *in, Trace *t, int b, double *mean_loss, int *n_loss) {
    double sum = 0;
    int n = 0;
    if (b < 0 || b >= t->B) return -1;
    int len = t->len[b] < in->cap ? t->len[b] : in->cap;
    for (int p = 1; p < len; p++) {
        size_t i = Inspect_at(in, b, p);
        if (in->prob[i] < 0) {
            float pr, lo;
            int rk;
            /* position p-1 predicted the token at p */
            if (Trace_next_token_stats(t, b, p - 1, &pr, &lo, &rk) != 0) continue;
            in->prob[i] = pr;
            in->loss[i] = lo;
            in->rank[i] = rk;
        }
        if (p < t->prompt_len[b]) {
            sum += in->loss[i];
            n++;
        }
    }
    if (mean_loss) *mean_loss = n ? sum / n : 0;
    if (n_loss) *n_loss = n;
    return 0;
}

int Inspect_lens_ready(const Inspect *in, int b, int pos) {
    if (b < 0 || b >= SW_MAX_B || pos < 0 || pos >= in->cap || in->L < 1) return 0;
    return in->lens_p[Inspect_lens_at(in, in->L - 1, b, pos)] >= 0;
}

/* Top INSPECT_LENS_K of one row of logits and their probabilities, into cell `at`. */
static void lens_cell(Inspect *in, const float *lg, int V, size_t at) {
    /* the K largest logits, best first (a small insertion list) */
    int top[INSPECT_LENS_K], n = 0;
    for (int v = 0; v < V; v++) {
        if (n == INSPECT_LENS_K && lg[v] <= lg[top[n - 1]]) continue;
        int j = n < INSPECT_LENS_K ? n++ : n - 1;
        while (j > 0 && lg[top[j - 1]] < lg[v]) { top[j] = top[j - 1]; j--; }
        top[j] = v;
    }
    /* p_i = exp(l_i - max) / sum_v exp(l_v - max), the max being the top logit */
    double sum = 0;
    for (int v = 0; v < V; v++) sum += exp((double)lg[v] - lg[top[0]]);
    for (int i = 0; i < INSPECT_LENS_K; i++) {
        in->lens_id[at + i] = i < n ? top[i] : -1;
        in->lens_p[at + i] = i < n ? (float)(exp((double)lg[top[i]] - lg[top[0]]) / sum) : 0;
    }
}

int Inspect_lens_columns(Inspect *in, Trace *t, int b, int pos0, int n) {
    const Model *m = t->m;
    const int L = in->L, V = m->c.vocab_size, per = in->rows / L;
    if (b < 0 || b >= t->B || pos0 < 0 || n < 1 || pos0 + n > t->len[b] || pos0 + n > in->cap) return -1;
    int todo[INSPECT_BATCH];
    for (int p = pos0; p < pos0 + n;) {
        /* up to `per` missing positions, L rows each, in one matmul:
         * logits (k*L, V) = final_norm(x after block l at position p) @ W_lm (D,V) */
        int k = 0;
        for (; p < pos0 + n && k < per; p++)
            if (!Inspect_lens_ready(in, b, p)) todo[k++] = p;
        if (k == 0) break;
        int *cl = malloc(sizeof(int) * 3 * (size_t)k * L);   /* layer, row, position of each cell */
        if (!cl) return -1;
        int *cb = cl + k * L, *cp = cb + k * L;
        for (int i = 0; i < k; i++)
            for (int l = 0; l < L; l++) { cl[i * L + l] = l; cb[i * L + l] = b; cp[i * L + l] = todo[i]; }
        Trace_lens_logits(t, k * L, cl, cb, cp, in->xn, in->logits);
        free(cl);
        for (int i = 0; i < k; i++)
            for (int l = 0; l < L; l++) lens_cell(in, in->logits + ((size_t)i * L + l) * V, V, Inspect_lens_at(in, l, b, todo[i]));
    }
    return 0;
}

int Inspect_lens_column(Inspect *in, Trace *t, int b, int pos) { return Inspect_lens_columns(in, t, b, pos, 1); }
