/* compare.h - one model against another of the same shape and vocabulary (a quantized copy
 * against its reference), on the same prompts: how far apart their predictions and their
 * residual streams are, position by position and block by block.
 *
 * For each compared position t of row b (t < the shorter of the two rows):
 *   kl        KL(P_ref || P_q) of the next-token distributions, in nats, from the logits in
 *             double (log-softmax with the max subtracted, so no exp overflows);
 *   top_ref, top_q  each model's most probable next token (same id = "agree");
 *   loss_ref, loss_q  -ln P(the actual token at t+1), nats; NAN at the row's last position.
 * For each stream s = 0..L (0: the residual entering block 1, after the embedding and the
 * positions; l+1: after block l) and each position:
 *   rel = ||x_q - x_ref|| / ||x_ref||, cos = x_q.x_ref / (||x_q|| ||x_ref||) (double sums).
 * Totals: the mean and largest KL and the top-1 agreement over every compared position; the
 * mean loss of each model, their difference and the perplexities exp(mean loss) over every
 * position with a next token.
 */
#ifndef SW_COMPARE_H
#define SW_COMPARE_H

#include "model.h"
#include "trace.h"

typedef struct {
    int B, T, L;              /* T: the longest compared row; L + 1 streams */
    int len[SW_MAX_B];        /* compared positions of row b */
    /* per position, index b * T + t */
    double *kl;
    int *top_ref, *top_q;
    double *loss_ref, *loss_q;
    /* per stream and position, index (s * B + b) * T + t */
    double *rel, *cos;
    /* totals */
    int n_pos, n_agree, n_loss;
    double mean_kl, max_kl, agree;                 /* agree = n_agree / n_pos */
    double mean_loss_ref, mean_loss_q, dloss;      /* dloss = q - ref */
    double ppl_ref, ppl_q, dppl;
    double mean_rel[64];      /* mean rel per stream (first 64 streams) */
    int flip_b, flip_t;       /* the first position where top-1 differs, or -1 */
} Compare;

/* 0 when q can be compared with ref: the same sizes (D, F, L, h, KV, V) and the same
 * tokenizer (vocabulary size, every token's bytes, or the symbol of one without bytes, BOS). Otherwise -1 and one line
 * in err naming both files and what differs. */
int Compare_check(const Model *ref, const Model *q, char *err);

/* Open the model at path (tok_path may be NULL) and Compare_check it against ref: the model,
 * or NULL with err. */
Model *Compare_open(const Model *ref, const char *path, const char *tok_path, char *err);

/* Run model q on ref's token ids: row b's first lens[b] tokens (lens NULL: all of
 * ref->len[b]). NULL with err on failure. */
Trace *Compare_run(const Model *q, const Trace *ref, const int *lens, char *err);

/* The comparison of two traces of the same token ids (ids checked: a row whose ids differ
 * is an error). NULL with err. */
Compare *Compare_build(Trace *ref, Trace *q, char *err);
void Compare_free(Compare *c);

/* KL(P || Q) in nats for P = softmax(a), Q = softmax(b) over n logits, in double. */
double Compare_kl_logits(const float *a, const float *b, int n);

static inline int Compare_at(const Compare *c, int b, int t) { return b * c->T + t; }
static inline int Compare_sat(const Compare *c, int s, int b, int t) { return (s * c->B + b) * c->T + t; }

#endif
