/* forward.h - the forward pass's entry points inside the engine (used by trace.c and
 * predict.c only). Users of the engine call trace.h; threads are set with pool.h. */
#ifndef SW_FORWARD_H
#define SW_FORWARD_H

#include "trace.h"

/* Run packed rows (row[n], pos[n]) through the whole model; ids must be in t->ids and the
 * KV cache must hold every earlier position of those rows. record: fill t->rec too. */
int Forward_rows(Trace *t, const int *row, const int *pos, int N, int record, char *err);
/* Recompute layer l's inner steps (for every real position) into rec. */
int Forward_layer(Trace *t, int l, LayerRec *rec, char *err);
/* The model's final norm on one row of D (LayerNorm for GPT-2, RMSNorm for Llama). */
void Forward_norm_row(const Model *m, const float *w, const float *b, const float *x, float *out);
/* logits (N,V) = xn (N,D) @ W_lm */
void Forward_lm_head(const Model *m, const float *xn, int N, float *logits);

/* trace.c: buffers of layer l's LayerRec, allocated on first use (and, when not every layer
 * fits the budget, another layer's freed first). */
LayerRec *Trace_rec_alloc(Trace *t, int l, char *err);

#endif
