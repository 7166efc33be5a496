/* inspect_cache.h - the cache of the numbers behind the inspection screens (token surprise, logit lens),
 * computed from the App's current trace on the UI thread and kept between frames.
 *
 * A position's numbers depend only on the model and the token ids up to it (the model is
 * causal and rows never see each other), so the cache is keyed by those ids: after a new
 * run, an edit or a generated token, Inspect_sync keeps every (row, position) whose prefix
 * is unchanged and forgets the rest. Capacity is the model's context, so it never moves.
 */
#ifndef SW_INSPECT_CACHE_H
#define SW_INSPECT_CACHE_H

#include "engine/trace.h"

#define INSPECT_LENS_K 3     /* guesses kept per logit-lens cell */
#define INSPECT_BATCH 96     /* logit-lens rows per matmul (whole columns of L layers) */

typedef struct {
    const Model *m;
    int L, cap;              /* layers; positions per row (the context length) */
    int *ids;                /* (SW_MAX_B, cap) the ids the numbers below were computed from; -1: none */
    /* what position t-1 gave the token at t (teacher forcing); prob < 0: not computed */
    float *prob, *loss;      /* (SW_MAX_B, cap) */
    int *rank;               /* (SW_MAX_B, cap) 1 = the model's top guess */
    /* logit lens: the INSPECT_LENS_K best of softmax(lm_head(final_norm(resid after block l)))
     * at (b, t), best first */
    int *lens_id;            /* (L, SW_MAX_B, cap, INSPECT_LENS_K) */
    float *lens_p;           /* (L, SW_MAX_B, cap, INSPECT_LENS_K); [0] < 0: not computed */
    int rows;                /* rows of the scratch: whole columns, about INSPECT_BATCH */
    float *xn, *logits;      /* scratch: (rows, D) and (rows, V) */
    unsigned forgets;        /* counts forgetting: a number computed when it was equal is still current */
} Inspect;

/* The cache for this model (one per process; allocated on first use, NULL when out of
 * memory). It follows the model: another model gets a fresh cache. */
Inspect *Inspect_get(const Model *m);
void Inspect_release(void);

/* Forget the numbers whose token prefix differs from trace t's. */
void Inspect_sync(Inspect *in, const Trace *t);

/* Next-token stats of every token of row b (position 0 has none: prob -1). Fills the cache
 * and returns 0; mean_loss over the prompt's predictions (tokens 1 .. prompt_len-1), n_loss
 * how many. */
int Inspect_row_stats(Inspect *in, Trace *t, int b, double *mean_loss, int *n_loss);

/* Logit lens for every layer at positions pos0 .. pos0+n-1 of row b (those not cached): one
 * (rows,D)@(D,V) matmul per batch of whole columns, so W_lm is read once per batch, not once
 * per cell. Returns 0, -1 when out of range. */
int Inspect_lens_columns(Inspect *in, Trace *t, int b, int pos0, int n);
int Inspect_lens_column(Inspect *in, Trace *t, int b, int pos);
/* Is the lens column at (b, pos) computed? */
int Inspect_lens_ready(const Inspect *in, int b, int pos);

static inline size_t Inspect_at(const Inspect *in, int b, int pos) { return (size_t)b * in->cap + pos; }
/* The first of a lens cell's INSPECT_LENS_K entries. */
static inline size_t Inspect_lens_at(const Inspect *in, int layer, int b, int pos) {
    return (((size_t)layer * SW_MAX_B + b) * in->cap + pos) * INSPECT_LENS_K;
}

#endif
