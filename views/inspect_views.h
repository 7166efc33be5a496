/* inspect_views.h - the pictures of the inspection screens (tui/surprise.c, tui/lens.c):
 *
 *   View_surprise   the prompt's tokens coloured by the probability the model gave each one
 *                   (from the position before), with -log p in nats underneath
 *   View_xent       cross-entropy at one position: Q[c], -log Q[c], and the one-hot P that
 *                   makes H(P,Q) reduce to it
 *   View_lens_grid  the logit lens: layers x positions, the top-1 token after every block,
 *                   and the selected cell's top-k
 *
 * Their numbers do not fit ViewCtx, so these views take an InspectCtx, whose first member
 * is the ViewCtx: call View_surprise.draw(&ic.vc). Like every view they never run the model:
 * the screen fills the numbers (tests fill them by hand).
 */
#ifndef SW_INSPECT_VIEWS_H
#define SW_INSPECT_VIEWS_H

#include "views/view.h"

typedef struct InspectCtx {
    ViewCtx vc;               /* first: the views receive &vc. vc.b = row, vc.pos = token t */

    /* per token of row vc.b, indexed by position t (what position t-1 gave token t) */
    const float *prob;        /* < 0: none (t = 0, or not computed) */
    const float *loss;        /* -ln prob, nats */
    const int *rank;          /* 1 = the model's top guess */
    int len, prompt_len;      /* tokens of the row; those from the prompt (the rest were generated) */
    double mean_loss;         /* over the prompt's predictions (tokens 1 .. prompt_len-1) */
    int n_loss;
    int V;                    /* vocabulary size (log V is the uniform guesser's loss) */
    int compact;              /* View_surprise: one summary line and the chips only (another row) */

    /* cross-entropy at token vc.pos (c = its id); vc.topk holds Q's best at temperature 1 */
    int c_id;
    float q_c_temp;           /* Q at the top-k temperature vc.temperature, for token c */
    double entropy1;          /* H(Q) at temperature 1, nats */

    /* logit lens of row vc.b: the i-th best guess (i < lens_k_cell, best first) after block l
     * at position t is lens_id[(l*lens_ls + t)*lens_k_cell + i], its probability lens_p[...]
     * (lens_p[...+0] < 0: not computed yet). Cells grow to show several when there is room. */
    int L;
    const int *lens_id;
    const float *lens_p;
    long lens_ls;
    int lens_k_cell;
    int ncols;                /* out (View_lens_layout): columns vc.col0 .. vc.col0+ncols-1 shown */
    int lens_k;               /* the selected cell (vc.layer, vc.pos): its top-k in vc.topk */

    /* a token id's printable label ("␣world"); set by the screen */
    void (*label)(const void *ud, int id, char *buf, size_t cap);
    const void *label_ud;
} InspectCtx;

extern const ViewClass View_surprise, View_xent, View_lens_grid;

/* Which positions the lens grid shows at this size (keeps vc.pos visible): sets vc.col0 and
 * ncols, so the screen computes only those columns before drawing. */
void View_lens_layout(InspectCtx *ic);

/* Lines View_surprise needs at width w to show every chip (it scrolls when given fewer). */
int View_surprise_lines(const InspectCtx *ic, int w);

/* The colour value (0..1) of a token's probability on the surprise scale: log p between
 * log(1/V) (0: no better than a uniform guess) and 0 (1: certain). */
double View_surprise_level(double prob, int V);

#endif
