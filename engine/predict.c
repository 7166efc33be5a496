/* predict.c - reading the model's output: softmax (with the max-subtraction trick),
 * top-k, each token's probability and cross-entropy loss, the logit lens, and picking
 * the next token (greedy or sampled). */
#include "forward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* probs = exp(x - max) / sum(exp(x - max)).
 * Subtracting the max changes nothing mathematically (it cancels in the ratio) but keeps
 * every exponent <= 0, so exp() cannot overflow: [1000, 999, 998] gives
 * [0.665, 0.245, 0.090] instead of inf/inf = NaN. out may equal x. */
float sw_softmax(const float *x, int n, float *out) {
    float mx = x[0];
    for (int i = 1; i < n; i++) if (x[i] > mx) mx = x[i];
    double sum = 0;
    for (int i = 0; i < n; i++) { out[i] = expf(x[i] - mx); sum += out[i]; }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) out[i] *= inv;
    return mx;
}

/* H(p) = -sum p ln p  (nats) */
double sw_entropy(const float *p, int n) {
    double h = 0;
    for (int i = 0; i < n; i++) if (p[i] > 0) h -= p[i] * log(p[i]);
    return h;
}

/* The k largest of probs (with their logits), best first: one pass with a small sorted list. */
static int topk_of(const float *probs, const float *logits, int V, int k, TopK *out) {
    if (k > V) k = V;
    if (k < 1) return 0;
    int n = 0;
    for (int i = 0; i < V; i++) {
        float p = probs[i];
        if (n == k && p <= out[k - 1].prob) continue;
        int j = n < k ? n++ : k - 1;
        while (j > 0 && out[j - 1].prob < p) { out[j] = out[j - 1]; j--; }
        out[j].id = i;
        out[j].prob = p;
        out[j].logit = logits[i];
    }
    return n;
}

static float *scratch_v(Trace *t, size_t n) {
    if (t->scratch_len < n) {
        float *s = realloc(t->scratch, n * sizeof(float));
        if (!s) return NULL;
        t->scratch = s;
        t->scratch_len = n;
    }
    return t->scratch;
}

int Trace_topk_probs(Trace *t, int b, int pos, float temperature, int k, TopK *out, float *probs) {
    const int V = t->m->c.vocab_size;
    if (!probs || b < 0 || b >= t->B || pos < 0 || pos >= t->len[b]) return 0;
    Trace_probs_row(t, b, pos, temperature, probs);
    return topk_of(probs, Trace_logits_row(t, b, pos), V, k, out);
}

int Trace_topk(Trace *t, int b, int pos, float temperature, int k, TopK *out) {
    return Trace_topk_probs(t, b, pos, temperature, k, out, scratch_v(t, (size_t)t->m->c.vocab_size));
}

/* ln Q[id] at (b,pos), the log-softmax of one entry with the max subtracted, and how many
 * tokens scored higher. */
static double token_logprob(Trace *t, int b, int pos, int id, int *above) {
    const int V = t->m->c.vocab_size;
    const float *lg = Trace_logits_row(t, b, pos);
    float mx = lg[0];
    for (int i = 1; i < V; i++) if (lg[i] > mx) mx = lg[i];
    double sum = 0;
    int n = 0;
    for (int i = 0; i < V; i++) {
        sum += exp((double)lg[i] - mx);
        if (lg[i] > lg[id]) n++;
    }
    if (above) *above = n;
    return (double)lg[id] - mx - log(sum);
}

float Trace_token_prob(Trace *t, int b, int pos, int id) {
    if (b < 0 || b >= t->B || pos < 0 || pos >= t->len[b] || id < 0 || id >= t->m->c.vocab_size) return 0;
    return (float)exp(token_logprob(t, b, pos, id, NULL));
}

/* Teacher forcing: position pos predicts the token at pos+1.
 * loss = -ln Q[c], the cross-entropy H(P,Q) with P one-hot on the correct token c. */
int Trace_next_token_stats(Trace *t, int b, int pos, float *prob, float *loss, int *rank) {
    if (b < 0 || b >= t->B || pos < 0 || pos + 1 >= t->len[b]) return -1;
    int above;
    double logp = token_logprob(t, b, pos, Trace_id(t, b, pos + 1), &above);
    if (prob) *prob = (float)exp(logp);
    if (loss) *loss = (float)-logp;
    if (rank) *rank = above + 1;
    return 0;
}

int Trace_logit_lens(Trace *t, int layer, int b, int pos, int k, TopK *out) {
    const Model *m = t->m;
    const int D = m->c.dim, V = m->c.vocab_size;
    if (layer < 0 || layer >= m->c.n_layers || b < 0 || b >= t->B || pos < 0 || pos >= t->len[b]) return 0;
    float *s = scratch_v(t, (size_t)2 * V + D);
    if (!s) return 0;
    float *logits = s, *probs = s + V, *xn = s + 2 * V;
    Trace_lens_logits(t, 1, &layer, &b, &pos, xn, logits);
    sw_softmax(logits, V, probs);
    return topk_of(probs, logits, V, k, out);
}

void Trace_lens_logits(const Trace *t, int n, const int *layer, const int *b, const int *pos, float *xn, float *out) {
    const Model *m = t->m;
    const int D = m->c.dim;
    /* the residual stream after block `layer`, read as if it were the last block's output:
     * logits = final_norm(x) @ W_lm */
    for (int i = 0; i < n; i++)
        Forward_norm_row(m, m->lnf_w, m->lnf_b, Trace_resid(t, layer[i] + 1, b[i], pos[i]), xn + (size_t)i * D);
    Forward_lm_head(m, xn, n, out);
}

/* xorshift64*: a small seeded generator, same seed -> same tokens */
static unsigned long long rng_next(unsigned long long *s) {
    if (*s == 0) *s = 0x9E3779B97F4A7C15ULL;
    *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}
static float rng_float(unsigned long long *s) { return (rng_next(s) >> 40) / 16777216.0f; }

typedef struct { float p; int i; } PI;
static int cmp_desc(const void *a, const void *b) {
    float x = ((const PI *)a)->p, y = ((const PI *)b)->p;
    return (x < y) - (x > y);
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
    return best;
}

/* The sampler's candidates: c[0..*m) with weights exp((logit - max) / temperature), after
 * top-k and top-p (sorted best first when either cuts); *sum is their total. Sampler_pick
 * and Sampler_prob share it, so a reported probability is the one the pick used. */
static void sampler_keep(const Sampler *s, const float *logits, int n, PI *c, int *m_out, double *sum_out) {
    float mx = logits[argmax(logits, n)];
    double sum = 0;
    for (int i = 0; i < n; i++) { c[i].p = expf((logits[i] - mx) / s->temperature); c[i].i = i; sum += c[i].p; }
    int m = n;
    if ((s->top_k > 0 && s->top_k < n) || (s->top_p > 0 && s->top_p < 1)) {
        qsort(c, (size_t)n, sizeof(PI), cmp_desc);
        if (s->top_k > 0 && s->top_k < m) m = s->top_k;
        double kept = 0;
        for (int i = 0; i < m; i++) kept += c[i].p;
        if (s->top_p > 0 && s->top_p < 1) {      /* smallest prefix with mass >= top_p */
            double acc = 0;
            for (int i = 0; i < m; i++) {
                acc += c[i].p;
                if (acc >= s->top_p * kept) { m = i + 1; break; }
            }
        }
        sum = 0;
        for (int i = 0; i < m; i++) sum += c[i].p;
    }
    *m_out = m;
    *sum_out = sum;
}

int Sampler_pick(Sampler *s, const float *logits, int n) {
    if (!s || s->temperature <= 0) return argmax(logits, n);   /* greedy: argmax */
    PI *c = malloc(sizeof(PI) * (size_t)n);
    if (!c) return argmax(logits, n);
    int m;
    double sum;
    sampler_keep(s, logits, n, c, &m, &sum);
    double r = rng_float(&s->rng) * sum, acc = 0;
    int pick = c[m - 1].i;
    for (int i = 0; i < m; i++) {
        acc += c[i].p;
        if (r < acc) { pick = c[i].i; break; }
    }
    free(c);
    return pick;
}

double Sampler_prob(const Sampler *s, const float *logits, int n, int id) {
    if (!s || s->temperature <= 0) return id == argmax(logits, n);
    PI *c = malloc(sizeof(PI) * (size_t)n);
    if (!c) return -1;
    int m;
    double sum, p = 0;
    sampler_keep(s, logits, n, c, &m, &sum);
    for (int i = 0; i < m; i++)
        if (c[i].i == id) { p = c[i].p / sum; break; }
    free(c);
    return p;
}
