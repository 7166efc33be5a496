/* lens.c - the logit lens screen: a grid of blocks x positions showing what the residual
 * stream after each block would predict if the model stopped there (top-1 token and its
 * probability), the token that actually comes next, and the selected cell's top-k.
 * The grid's columns are computed when they first come on screen, one (L,D)@(D,V) matmul
 * per position (app/inspect_cache.c), and kept while the tokens up to them stay the same. */
#include "tui/app.h"
#include "app/inspect_cache.h"
#include "views/inspect_views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The screen's own state. */
typedef struct {
    int col0, row0;   /* the grid's scroll position (the walk keeps its own) */
    int ncols;        /* positions the grid showed last (a page for < >) */
    /* the selected cell's top-k, kept until the selection or the numbers change */
    struct {
        const Trace *t;
        int layer, b, pos, k, n;
        unsigned forgets;
        TopK top[VIEW_MAXK];
    } sel;
} Lens;

static void *lens_create(App *a) {
    Lens *ln = calloc(1, sizeof *ln);
    if (ln) ln->sel.n = -1;
    return ln;
}

static void clamp_sel(App *a) {
    if (!a->trace) return;
    if (a->vc.b < 0 || a->vc.b >= a->trace->B) a->vc.b = 0;
    int len = a->trace->len[a->vc.b];
    if (a->vc.pos >= len) a->vc.pos = len - 1;
    if (a->vc.pos < 0) a->vc.pos = 0;
    int L = a->m->c.n_layers;
    if (a->vc.layer >= L) a->vc.layer = L - 1;
    if (a->vc.layer < 0) a->vc.layer = 0;
}

static void lens_enter(App *a, void *self) { clamp_sel(a); }

static void lens_draw(App *a, void *self, int y, int h) {
    Lens *ln = self;
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    Trace *t = a->trace;
    if (App_busy_message(a, y)) return;
    Inspect *in = Inspect_get(a->m);
    if (!in) {
        App_message(y, W, CA_ERROR, "out of memory for the logit lens: close other programs or use a smaller model");
        return;
    }
    clamp_sel(a);
    Inspect_sync(in, t);
    const int b = a->vc.b;

    InspectCtx ic;
    memset(&ic, 0, sizeof ic);
    ic.vc = App_view_ctx(a, y, h - 1);
    ic.vc.col0 = ln->col0;
    ic.vc.row0 = ln->row0;
    ic.len = t->len[b] < in->cap ? t->len[b] : in->cap;
    if (b >= a->tok.B || a->tok.len[b] < ic.len) ic.len = b < a->tok.B ? a->tok.len[b] : 0;
    ic.prompt_len = t->prompt_len[b];
    ic.V = a->m->c.vocab_size;
    ic.L = in->L;
    ic.lens_id = in->lens_id + Inspect_lens_at(in, 0, b, 0);
    ic.lens_p = in->lens_p + Inspect_lens_at(in, 0, b, 0);
    ic.lens_ls = (long)SW_MAX_B * in->cap;
    ic.lens_k_cell = INSPECT_LENS_K;
    ic.label = Present_token_label;
    ic.label_ud = a->m->tok;
    if (ic.len < 1) return;

    /* compute the columns that will show (each once per token prefix) */
    View_lens_layout(&ic);
    Inspect_lens_columns(in, t, b, ic.vc.col0, ic.ncols);

    /* the selected cell's top-k */
    int k = a->k > VIEW_MAXK ? VIEW_MAXK : a->k;
    if (ln->sel.t != t || ln->sel.layer != ic.vc.layer || ln->sel.b != b || ln->sel.pos != ic.vc.pos || ln->sel.k != k || ln->sel.forgets != in->forgets) {
        ln->sel.t = t;
        ln->sel.layer = ic.vc.layer;
        ln->sel.b = b;
        ln->sel.pos = ic.vc.pos;
        ln->sel.k = k;
        ln->sel.forgets = in->forgets;
        ln->sel.n = Trace_logit_lens(t, ic.vc.layer, b, ic.vc.pos, k, ln->sel.top);
    }
    ic.vc.n_topk = ln->sel.n > 0 ? ln->sel.n : 0;
    memcpy(ic.vc.topk, ln->sel.top, sizeof(TopK) * (size_t)ic.vc.n_topk);
    Present_label_topk(a->m, &ic.vc);
    ic.lens_k = k;

    View_lens_grid.draw(&ic.vc);
    ln->col0 = ic.vc.col0;
    ln->row0 = ic.vc.row0;
    ln->ncols = ic.ncols;
    a->vc.pos = ic.vc.pos;

    /* the keys, with the page of positions when they do not all fit */
    char page[64] = "";
    if (ic.ncols < ic.len)
        snprintf(page, sizeof page, "< > page (t %d-%d of %d)", ic.vc.col0, ic.vc.col0 + ic.ncols - 1, ic.len);
    const char *wide[] = {"← → position", "↑ ↓ [ ] block", page, "b row", "k K rows", "s token surprise", "Esc back", "? help"};
    const char *narrow[] = {"←→ position", "↑↓ block", page, "b row", "k K rows", "s surprise", "Esc back", "? help"};
    Crt_set(w, CA_KEY);
    View_items(w, bottom - 1, 0, W, W >= 120 ? wide : narrow, 8);
    Crt_set(w, CA_NORMAL);
}

static void lens_where(App *a, void *self, char *buf, size_t cap) {
    snprintf(buf, cap, "logit lens · block %d of %d · t=%d · row %d", a->vc.layer + 1, a->m->c.n_layers, a->vc.pos, a->vc.b);
}

static int lens_key(App *a, void *self, int ch) {
    Lens *ln = self;
    switch (ch) {
    case KEY_LEFT: case 'h': case ',': case KEY_BTAB: a->vc.pos--; break;
    case KEY_RIGHT: case 'l': case '.': case ' ': a->vc.pos++; break;
    case '\t': if (a->trace) a->vc.pos = a->vc.pos + 1 >= a->trace->len[a->vc.b] ? 0 : a->vc.pos + 1; break;
    case '<': case '>': {   /* a page of positions: as many as the grid shows */
        int n = ln->ncols > 0 ? ln->ncols : 1;
        if (ch == '>') { a->vc.pos = ln->col0 + n >= (a->trace ? a->trace->len[a->vc.b] : 0) ? a->vc.pos : ln->col0 + n; ln->col0 += n; }
        else { ln->col0 = ln->col0 >= n ? ln->col0 - n : 0; a->vc.pos = ln->col0 + n - 1; }
        break;
    }
    case KEY_HOME: case '0': a->vc.pos = 0; break;
    case KEY_END: case '$': if (a->trace) a->vc.pos = a->trace->len[a->vc.b] - 1; break;
    case KEY_UP: case '[': a->vc.layer--; break;
    case KEY_DOWN: case ']': a->vc.layer++; break;
    case KEY_PPAGE: a->vc.layer = 0; break;
    case KEY_NPAGE: a->vc.layer = a->m->c.n_layers - 1; break;
    case 'b': case 'B':
        if (a->trace && a->trace->B > 1) a->vc.b = (a->vc.b + (ch == 'b' ? 1 : a->trace->B - 1)) % a->trace->B;
        break;
    case 'k': case 'K':
        App_step_k(a, ch == 'k');
        App_status(a, 0, "the selected cell shows its top %d", a->k);
        break;
    case 27: App_back(a); return 1;
    default: return 0;
    }
    clamp_sel(a);
    return 1;
}

static const char *const lens_help[] = {
    "The residual stream after every block, through the final norm and the",
    "LM head as if that block were the last: each cell's top token and p.",
    "← → , . h l      previous / next position  Home End  first / last",
    "↑ ↓ [ ]          previous / next block     PgUp PgDn  first / last",
    "< >              previous / next page of positions (when they do not all fit)",
    "b B              next / previous batch row (prompt)",
    "k K              more / fewer rows in the selected cell's top-k",
    "s                token surprise",
    "Esc              back to the screen that opened this one (the walk, the lesson)",
    NULL,
};

const Screen Screen_lens = {
    .name = "logit lens", .hotkey = 'L', .create = lens_create, .enter = lens_enter, .draw = lens_draw, .key = lens_key,
    .help = lens_help, .where = lens_where,
};
