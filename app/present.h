/* present.h - the station presenter: what a station shows, in one place. The walk
 * (tui/walk.c), the lesson's quiz pictures (tui/lesson_pages.c) and --dump (app/headless.c)
 * all fill their view context here, from the station table (engine/stations.c) and the trace.
 * No drawing: a view (views/) draws what this fills.
 */
#ifndef SW_PRESENT_H
#define SW_PRESENT_H

#include "engine/stations.h"
#include "engine/trace.h"
#include "views/view.h"

/* What the caller asks of the presenter. */
typedef struct {
    const Model *m;
    Trace *t;
    int k;                    /* top-k rows (at most VIEW_MAXK) */
    float temperature;        /* of the top-k view (1: the model's own distribution) */
    float sample_temperature; /* of the sampler (0: argmax), for the next-token view */
    int w_hints;              /* name the tensor `w` shows next: "q: ... (w: k, v)" */
    const Sampler *sampler;   /* what picked the next tokens (NULL: argmax), for the next-token view */
    unsigned long long seed;  /* the seed its generator started from */
} Present;

/* Fill c for station s of p->t: the station, its tensor `which` (taken modulo the station's
 * count), that tensor's symbol and name, and the numbers its view draws (the tensor, the
 * top-k at c->b, c->pos, the next tokens). The caller sets c->b, c->pos, c->head and
 * c->all_heads; c->pos is kept inside the row for a top-k, c->head becomes the KV head
 * for k and v of grouped-query attention. Returns 0, or -1 with err. */
int Present_station(const Present *p, StationRef s, int which, ViewCtx *c, char *err);

/* The top-k numbers at row b, position pos and temperature: the p->k best tokens with their
 * labels, the largest logit, Σp over the V tokens, the entropy of p and log V. probs (V
 * floats) receives p; NULL: a buffer of its own (Σp and the entropy are left alone when
 * there is no memory for it). */
void Present_topk(const Present *p, int b, int pos, float temperature, float *probs, ViewCtx *c);
/* Labels for c's top-k rows. */
void Present_label_topk(const Model *m, ViewCtx *c);
/* A token's label (a label callback: tok is the model's Tokenizer). */
void Present_token_label(const void *tok, int id, char *buf, size_t cap);
/* Row b's chosen next token for the next-token view: its label, its probability at the last
 * position (τ = 1), its rank there, its probability at the sampler's τ and the chance the
 * sampler (s, NULL: argmax) had of picking it. Nothing when the row has none. */
void Present_next_token(const Model *m, Trace *t, int b, const Sampler *s, ViewCtx *c);

/* Station s's output shape for a trace of B rows and T positions: nums "(2,6,64)"; full
 * (may be NULL) "(B,h,T,T) = (2,12,6,6)", for k and v (which > 0) with the KV heads. */
void Present_shape(const Config *c, StationRef s, int which, int B, int T, char *nums, size_t ncap, char *full, size_t fcap);
/* The shape strip's items for n stations. */
void Present_strip(const Config *c, const StationRef *st, int n, int B, int T, StripItem *items);

#endif
