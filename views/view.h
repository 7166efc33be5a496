/* view.h - one renderer per kind of picture ("view classes", htop style).
 *
 * A view draws into a rectangle of a curses window from a ViewCtx that the caller filled:
 * the numbers (a TensorView, top-k rows, token labels) are prepared by the app layer
 * (app/present.c for a station of the walk) or the screen that uses the view, so views never
 * run the model, hold no trace, and can be drawn from hand-made data in tests
 * (tests/test_views.c). The terminal's colours and cells are term/crt.h's.
 *
 * Adding a picture: write views/NAME.c defining `const ViewClass View_NAME = {...}` and
 * declare it below (docs/ARCHITECTURE.md). A screen picks the view it needs (the walk picks
 * by Station_info()->view through View_for()).
 */
#ifndef SW_VIEW_H
#define SW_VIEW_H

#include <curses.h>
#include "engine/trace.h"
#include "term/crt.h"

#define VIEW_LABEL 48   /* bytes for one token's display label */
#define VIEW_MAXK 64    /* most top-k rows */
#define VIEW_MAXSTRIP 96

/* The tokens of the trace, with printable labels (filled once per trace). */
typedef struct {
    int B, T;                      /* T = max len over rows */
    int len[SW_MAX_B];
    int prompt_len[SW_MAX_B];      /* the rest were generated */
    const int *ids;                /* ids[b*stride + t] */
    int stride;
    char (*label)[VIEW_LABEL];     /* [b*T + t]: "␣world", "\n" shown escaped */
    char (*symbol)[VIEW_LABEL];    /* [b*T + t]: vocabulary spelling ("Ġworld"); may be NULL */
} TokenTable;

static inline const char *TokenTable_label(const TokenTable *tt, int b, int t) {
    return (tt && tt->label && b >= 0 && b < tt->B && t >= 0 && t < tt->T) ? tt->label[b * tt->T + t] : "?";
}

/* One station in the shape strip. */
typedef struct {
    char name[24];     /* short: "embed", "block 3", "scores" */
    char number[12];   /* "1", "3.3", "3.3.d" */
    char shape[48];    /* numbers only: "(2,6,64)" */
    int changes;       /* the shape changes here */
} StripItem;

/* A 2-D slice of a TensorView: element (r,c) = base[r*rs + c*cs]. */
typedef struct {
    const float *base;
    int rows, cols;
    long rs, cs;
} Mat;
static inline float Mat_at(const Mat *m, int r, int c) { return m->base[(long)r * m->rs + (long)c * m->cs]; }

typedef struct ViewCtx {
    /* where to draw */
    WINDOW *win;
    int y, x, h, w;
    int zoom;                 /* 1 normal; 2, 3 large print (bigger cells, fewer of them) */

    /* the model */
    int byte_level;           /* byte-level BPE tokenizer: show the pieces' spelling too */
    const char *bos_name;     /* the token the tokenizer puts in front ("<s>"), or NULL */
    const Config *cfg;        /* may be NULL in tests */

    /* where we are */
    StationRef st;
    int b, pos, layer, head;
    int which;                /* which tensor of a station (q/k/v, activation/pre/gate, ...) */
    char which_name[64];      /* "q", "gelu(x@W1+b1)" */
    char tensor_name[24];     /* the symbol shown for values: "x", "S", "A", "h" */

    const TokenTable *tok;

    /* matrix / attention */
    TensorView tv;
    int has_tv;
    ScaleKind scale;          /* SEQ for probabilities, DIV for signed values */
    int mask;                 /* attention: 0 none, 1 upper triangle is -inf, 2 upper triangle is 0 */
    int all_heads;            /* attention: grid of all heads */
    int col, col0;            /* cursor column, first visible column (kept in range by the view) */
    int row0;                 /* first visible row when T does not fit */
    /* heatmap of a window of a larger matrix (the walk's weights view, W): the window's first
     * row and column in it and its whole size, for the labels; full_rows 0: no window */
    int row_base, col_base, full_rows, full_cols;
    int page;                 /* large print: the page shown when the big text does not fit (PgDn PgUp) */
    int n_pages;              /* out: how many pages the view needed (1: it all fits) */

    /* top-k */
    TopK topk[VIEW_MAXK];
    char topk_label[VIEW_MAXK][VIEW_LABEL];
    int n_topk;
    double max_logit, prob_sum, entropy, log_v;
    float temperature;        /* of the top-k view (1 = the model's own distribution) */
    float sample_temperature; /* of the sampler that picks the next token (0 = argmax) */
    int sample_top_k;         /* its top-k (0 = off) */
    float sample_top_p;       /* its top-p (0 or 1 = off) */
    unsigned long long sample_seed; /* the seed its generator started from */
    int show_logits;          /* LM head: emphasise logits; softmax: probabilities */

    /* next token */
    int next_id[SW_MAX_B];
    float next_prob[SW_MAX_B];      /* at τ = 1 */
    int next_rank[SW_MAX_B];        /* 1 = the most probable */
    float next_prob_tau[SW_MAX_B];  /* at the sampler's τ (before top-k and top-p cut) */
    float next_pick_prob[SW_MAX_B]; /* the chance the sampler had of picking it (1 when greedy) */
    char next_label[SW_MAX_B][VIEW_LABEL];

    /* shape strip */
    const StripItem *strip;
    int n_strip, strip_cur;
    const char *strip_title;  /* "walk" or "block 3 of 5" */
    /* out: where each strip item was drawn (for mouse clicks) */
    int hit_y0, hit_y1, hit_n;
    int hit_x0[VIEW_MAXSTRIP], hit_x1[VIEW_MAXSTRIP], hit_idx[VIEW_MAXSTRIP];
} ViewCtx;

typedef struct ViewClass {
    const char *name;
    void (*draw)(ViewCtx *c);
    int (*key)(ViewCtx *c, int ch);   /* optional: view-specific keys; returns 1 when used */
    const char *const *help;          /* optional: NULL-terminated "key  what" lines for `?` */
} ViewClass;

extern const ViewClass View_shape_strip, View_tokens, View_heatmap, View_attention, View_topk, View_next_token;
extern const ViewClass View_attn_text;   /* attention on the text (the walk's v) */

/* The view that draws a station kind's picture. */
const ViewClass *View_for(ViewKind k);
/* The shape strip item drawn at screen (y, x), or -1 (for mouse clicks). */
int View_strip_hit(const ViewCtx *c, int y, int x);

/* ---- helpers shared by views (views/view.c) ---- */

/* Display width (columns) of UTF-8 text; invalid bytes count 1. */
int View_width(const char *s);
/* Draw UTF-8 text at (y,x) clipped to maxw columns (with '…' when cut if ellipsis). Returns columns used. */
int View_text(WINDOW *w, int y, int x, int maxw, const char *s, int ellipsis);
/* Text wrapped at spaces into at most maxlines lines of width columns from (y,x); the last
 * line ends in '…' when the rest does not fit. Returns the lines drawn. */
int View_wrap(WINDOW *w, int y, int x, int width, int maxlines, const char *s);
/* Columns for n token labels shown in quotes: the widest label + 2, within [min, max]. */
int View_label_width(const char (*label)[VIEW_LABEL], int n, int min, int max);
/* Items (key hints) two spaces apart at (y,x), in order, leaving out any that does not fit
 * whole in maxw (the first always shows, cut with '…' only when it alone is too wide).
 * Returns columns used. */
int View_items(WINDOW *w, int y, int x, int maxw, const char *const *items, int n);
/* A view's key function for large print's pages: PgDn PgUp move c->page (the draw keeps it in
 * range); 0 for any other key or in normal print. */
int View_page_key(ViewCtx *c, int ch);
/* printf then View_text */
int View_printf(WINDOW *w, int y, int x, int maxw, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Blank the context's rectangle. */
void View_clear(const ViewCtx *c);
/* A compact number: fits in width chars ("-0.123", "12.3", "1e+04"). */
void View_num(char *buf, size_t cap, double v, int width);
/* The (rows, cols) matrix of tv for batch row b and head (4-D views pick [b][head]). -1 if unusable. */
int View_matrix(const TensorView *tv, int b, int head, Mat *out);
/* A colour legend bar: "lo ▕gradient▏ hi" in at most w columns. Returns columns used. */
int View_legend(WINDOW *w, int y, int x, int maxw, ScaleKind k, double lo, double hi);
/* Large print (views/bigtext.c): text in a 3x5 pixel font, 3 rows high, 4 columns per
 * character. View_big returns the columns used, or -1 (drawing nothing) when it does not fit. */
int View_big_width(const char *s);
int View_big(WINDOW *w, int y, int x, int maxw, const char *s);
/* The same at scale 1, 2, 3 (pixels scale x scale): View_big_rows(scale) rows high, 4*scale
 * columns a character. */
int View_big_rows(int scale);
int View_big_width_s(const char *s, int scale);
int View_big_s(WINDOW *w, int y, int x, int maxw, const char *s, int scale);
/* Wider and taller apart: sx columns and sy half-rows a pixel (View_big_rows_xy(sy) rows). */
int View_big_rows_xy(int sy);
int View_big_xy(WINDOW *w, int y, int x, int maxw, const char *s, int sx, int sy);
/* Big text wrapped at spaces into lines maxw wide, one blank row between them: how many lines
 * it takes, and drawing at most maxlines of them (returns the lines drawn). */
int View_big_lines(const char *s, int maxw, int scale);
int View_big_wrap(WINDOW *w, int y, int x, int maxw, int maxlines, const char *s, int scale, int *last_w);   /* last_w: the last line's width (may be NULL) */
/* Is (b, t) a real token (not padding)? */
static inline int View_valid(const ViewCtx *c, int b, int t) {
    return c->tok && b >= 0 && b < c->tok->B && t >= 0 && t < c->tok->len[b];
}

#endif
