/* compare.c - two rows of the batch side by side at the walk's station (key =): the same
 * layer, head and position in two panels, with what differs marked. Token chips: the
 * positions whose tokens differ. A matrix or attention map: both rows' pictures, the
 * difference b - a as a signed map of its own (the diverging blue-orange scale) and the cells
 * that moved most. A top-k: both lists, the tokens one row has and the other does not
 * starred, the probability the other row gives a shared token. The numbers are app/rowcmp.c's.
 * The walk's keys move the station, layer, head and position; b picks the second row. */
#include "tui/app.h"
#include "app/rowcmp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int other;        /* the second row (-1: the row after the chosen one) */
    int which;        /* w: which tensor of the station (q/k/v, ...) */
    int page, n_pages;/* the top-k lists' page (PgDn PgUp) when their rows do not fit */
    StationRef last;  /* the station drawn last: a new one starts on page 1 */
    float *diff;      /* the difference map */
    size_t diff_cap;
} Compare;

static void *compare_create(App *a) {
    Compare *c = calloc(1, sizeof *c);
    if (c) c->other = -1;
    return c;
}

static void compare_destroy(void *self) {
    Compare *c = self;
    if (!c) return;
    free(c->diff);
    free(c);
}

/* The two rows: the chosen one and the other. 0 when the batch has one row. */
static int rows_of(App *a, Compare *cs, int *ra, int *rb) {
    int B = a->trace ? a->trace->B : 0;
    if (B < 2) return 0;
    *ra = a->vc.b < B ? a->vc.b : 0;
    int o = cs->other;
    if (o < 0 || o >= B || o == *ra) o = (*ra + 1) % B;
    *rb = o;
    return 1;
}

static StationRef walk_station(App *a) {
    StationRef s = {ST_TOKENIZE, -1};
    App_station_of(a, Screens[0], &s);
    return s;
}

/* "b=0 "The cat sat on the mat"" in at most w columns at (y, x) */
static void row_title(App *a, int y, int x, int w, int b, CrtAttr ca) {
    char buf[160];
    snprintf(buf, sizeof buf, "b=%d \"%.120s\"", b, a->prompts[b] && b < a->B ? a->prompts[b] : "");
    Crt_set(stdscr, ca);
    View_text(stdscr, y, x, w, buf, 1);
    Crt_set(stdscr, CA_NORMAL);
}

/* ---- token chips: the two rows aligned by position, the differing positions marked ---- */

/* the chip texts of position t in both rows */
static void chip_texts(const TokenTable *tt, int ra, int rb, int t, const char **lab_a, const char **lab_b, char *ida, char *idb, size_t cap) {
    int la = tt->len[ra], lb = tt->len[rb];
    *lab_a = t < la ? TokenTable_label(tt, ra, t) : "";
    *lab_b = t < lb ? TokenTable_label(tt, rb, t) : "";
    ida[0] = idb[0] = 0;
    if (t < la) snprintf(ida, cap, "%d", tt->ids[ra * tt->stride + t]);
    if (t < lb) snprintf(idb, cap, "%d", tt->ids[rb * tt->stride + t]);
}

static void draw_tokens(App *a, Compare *cs, int ra, int rb, int y, int h) {
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    const TokenTable *tt = &a->tok;
    int la = tt->len[ra], lb = tt->len[rb], T = la > lb ? la : lb;
    int nd = 0;
    int first = RowCmp_first_diff(tt->ids + ra * tt->stride, la, tt->ids + rb * tt->stride, lb, &nd);
    int big = a->zoom >= 2 ? 1 : 0;
    int rows = big ? View_big_rows(1) : 1, gap = big ? 4 : 2;
    /* chips for both rows, one column width per position; lines of chips wrap together */
    int line_h = 2 * (2 * rows) + 2;   /* per row: label and id; a mark line; a gap */
    int *cwt = malloc(sizeof(int) * (size_t)(T > 0 ? T : 1)), *line = malloc(sizeof(int) * (size_t)(T > 0 ? T : 1));
    if (!cwt || !line) { free(cwt); free(line); App_message(y, W, CA_ERROR, "no memory for the chips"); return; }
    int nlines = T > 0 ? 1 : 0;
    for (int t = 0, x = 2; t < T; t++) {
        char ida[16], idb[16];
        const char *texts[4];
        chip_texts(tt, ra, rb, t, &texts[0], &texts[2], ida, idb, sizeof ida);
        texts[1] = ida;
        texts[3] = idb;
        int cw = 1;
        for (int i = 0; i < 4; i++) {
            int tw = big ? View_big_width(texts[i]) : View_width(texts[i]);
            if (tw > cw) cw = tw;
        }
        if (cw > W - 4) cw = W - 4;
        if (x > 2 && x + cw > W - 1) { x = 2; nlines++; }
        cwt[t] = cw;
        line[t] = nlines - 1;
        x += cw + gap;
    }
    /* what does not fit is paged (PgDn PgUp): whole lines of chip pairs, 3 lines kept for the story */
    int per = (h - 3) / line_h;
    if (per < 1) per = 1;
    int np = (nlines + per - 1) / per;
    if (np < 1) np = 1;
    if (cs->page >= np) cs->page = np - 1;
    if (cs->page < 0) cs->page = 0;
    cs->n_pages = np;
    int l0 = cs->page * per;
    int x = 2;
    for (int t = 0; t < T; t++) {
        if (line[t] < l0 || line[t] >= l0 + per) continue;
        if (t > 0 && line[t] != line[t - 1]) x = 2;
        int yl = y + (line[t] - l0) * line_h;
        if (yl + line_h - 1 > bottom) break;
        char ida[16], idb[16];
        const char *lab_a, *lab_b;
        chip_texts(tt, ra, rb, t, &lab_a, &lab_b, ida, idb, sizeof ida);
        int cw = cwt[t];
        int differs = t >= la || t >= lb || tt->ids[ra * tt->stride + t] != tt->ids[rb * tt->stride + t];
        int cur = t == a->vc.pos;
        for (int k = 0; k < 2; k++) {
            int yy = yl + k * (2 * rows + 1);
            const char *lab = k == 0 ? lab_a : lab_b, *id = k == 0 ? ida : idb;
            CrtAttr ca = cur ? CA_CURSOR : differs ? CA_SHAPECHANGE : (t % 2 ? CA_CHIP1 : CA_CHIP0);
            Crt_on(w, ca, differs && !cur ? A_REVERSE : 0);
            for (int r = 0; r < rows; r++)
                for (int q = 0; q < cw; q++) mvwaddch(w, yy + r, x + q, ' ');
            if (!big || View_big(w, yy, x, cw, lab) < 0) View_text(w, yy, x, cw, lab, 1);
            Crt_set(w, differs ? CA_SHAPECHANGE : CA_NORMAL);
            if (!big || View_big(w, yy + rows, x, cw, id) < 0) View_text(w, yy + rows, x, cw, id, 0);
        }
        /* the mark under the pair */
        Crt_set(w, differs ? CA_SHAPECHANGE : CA_DIM);
        if (differs) for (int q = 0; q < cw; q++) mvwaddch(w, yl + 2 * (2 * rows + 1) - 1, x + q, '^');
        else if (cur) View_text(w, yl + 2 * (2 * rows + 1) - 1, x, cw, "t", 0);
        Crt_set(w, CA_NORMAL);
        x += cw + gap;
    }
    int shown = nlines - l0 < per ? nlines - l0 : per;
    free(cwt);
    free(line);
    y += shown * line_h;
    if (np > 1 && y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, 0, W, "page %d/%d of the chips: PgDn next page, PgUp previous", cs->page + 1, np);
        Crt_set(w, CA_NORMAL);
    }
    if (y < bottom) {
        char msg[320];
        if (first < 0) snprintf(msg, sizeof msg, "the two rows have the same tokens: every station shows the same numbers");
        else if (first < la && first < lb)
            snprintf(msg, sizeof msg,
                     "%d position%s differ%s, first t=%d: \"%s\" (%d) in b=%d, \"%s\" (%d) in b=%d. Before t=%d the rows are the same; "
                     "from t=%d on every position sees a different prefix, so its numbers differ too (causal attention).",
                     nd, nd == 1 ? "" : "s", nd == 1 ? "s" : "", first, TokenTable_label(tt, ra, first), tt->ids[ra * tt->stride + first], ra,
                     TokenTable_label(tt, rb, first), tt->ids[rb * tt->stride + first], rb, first, first);
        else snprintf(msg, sizeof msg, "the rows agree on their first %d tokens; one is longer (padding fills the other)", first);
        Crt_set(w, CA_TITLE);
        View_wrap(w, y, 0, W, bottom - y, msg);
        Crt_set(w, CA_NORMAL);
    }
}

/* position t's token in both rows: "␣sat" when the same, "␣cat"/"␣dog" when not */
static void pair_label(App *a, int ra, int rb, int t, char *buf, size_t cap) {
    const char *x = TokenTable_label(&a->tok, ra, t), *y = TokenTable_label(&a->tok, rb, t);
    if (strcmp(x, y) == 0) snprintf(buf, cap, "\"%s\"", x);
    else snprintf(buf, cap, "\"%s\"/\"%s\"", x, y);
}

/* ---- a matrix or an attention map: a | b | b - a, and the cells that moved most ---- */

static void draw_matrix(App *a, Compare *cs, StationRef s, ViewCtx *ca, ViewCtx *cb, int ra, int rb, int y, int h) {
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    const StationInfo *info = Station_info(s.kind);
    int attention = info->view == VK_ATTENTION;
    Mat ma, mb;
    if (View_matrix(&ca->tv, ra, ca->head, &ma) != 0 || View_matrix(&cb->tv, rb, cb->head, &mb) != 0) {
        App_message(y, W, CA_ERROR, "no numbers to compare at this station");
        return;
    }
    int la = a->tok.len[ra], lb = a->tok.len[rb];
    int rows = la < lb ? la : lb;
    if (rows > ma.rows) rows = ma.rows;
    int cols = attention ? rows : ma.cols;
    if (cols > ma.cols) cols = ma.cols;
    if (rows < 1 || cols < 1) return;
    size_t need = (size_t)rows * (size_t)cols;
    if (need > cs->diff_cap) {
        float *nd = realloc(cs->diff, need * sizeof *nd);
        if (!nd) { App_message(y, W, CA_ERROR, "no memory for the difference map"); return; }
        cs->diff = nd;
        cs->diff_cap = need;
    }
    double amax = RowCmp_diff(&ma, &mb, rows, cols, cs->diff);
    RowCmpCell moved[8];
    int n_moved = RowCmp_most_moved(&ma, &mb, rows, cols, attention, moved, 8);

    /* the difference as a tensor of its own: every batch row and head read the one map */
    ViewCtx cd = *ca;
    TensorView tv = ca->tv;
    tv.data = cs->diff;
    if (tv.ndim == 4) {
        tv.stride[0] = tv.stride[1] = 0;
        tv.dims[2] = rows; tv.dims[3] = cols; tv.stride[2] = cols; tv.stride[3] = 1;
    } else {
        tv.ndim = 3;
        tv.dims[0] = ca->tv.ndim >= 3 ? ca->tv.dims[0] : a->trace->B;
        tv.stride[0] = 0;
        tv.dims[1] = rows; tv.dims[2] = cols; tv.stride[1] = cols; tv.stride[2] = 1;
    }
    cd.tv = tv;
    cd.has_tv = 1;
    cd.scale = SCALE_DIV;
    cd.mask = 0;
    cd.all_heads = 0;
    snprintf(cd.tensor_name, sizeof cd.tensor_name, "Δ");
    snprintf(cd.which_name, sizeof cd.which_name, "b=%d minus b=%d", rb, ra);

    int three = W >= 150;
    /* three panels in a row and the list below them; or a, b above, the difference and the
     * list below them side by side */
    int list_h = !three ? 0 : n_moved > 0 ? (h >= 30 ? 8 : h >= 18 ? 4 : 2) : 0;
    int ph = h - list_h - 1;
    if (ph < 4) ph = 4;
    int pw = three ? W / 3 : W / 2;
    const ViewClass *vcls = View_for(info->view);
    struct { ViewCtx *c; int b, x, y, w, h; const char *what; } panel[3] = {
        {ca, ra, 0, y, pw - 1, three ? ph : ph / 2, NULL},
        {cb, rb, pw, y, pw - 1, three ? ph : ph / 2, NULL},
        {&cd, ra, three ? 2 * pw : 0, three ? y : y + ph / 2, three ? W - 2 * pw : pw - 1, three ? ph : ph - ph / 2, "Δ"},
    };
    for (int i = 0; i < 3; i++) {
        ViewCtx *c = panel[i].c;
        c->win = stdscr;
        c->x = panel[i].x;
        c->y = panel[i].y + 1;
        c->w = panel[i].w;
        c->h = panel[i].h - 1;
        c->all_heads = 0;
        c->b = panel[i].b;
        if (i < 2) row_title(a, panel[i].y, panel[i].x, panel[i].w, panel[i].b, CA_TITLE);
        else {
            char t[160];
            snprintf(t, sizeof t, "b=%d minus b=%d: orange = more in b=%d, blue = less; max |Δ| %.3g", rb, ra, rb, amax);
            Crt_set(w, CA_TITLE);
            View_text(w, panel[i].y, panel[i].x, panel[i].w, t, 1);
            Crt_set(w, CA_NORMAL);
        }
        if (c->h < 2) continue;
        if (i < 2) vcls->draw(c);
        else View_heatmap.draw(c);
    }
    /* keep what the first view adjusted (cursor, scroll), as the walk does */
    a->vc.col = ca->col;
    a->vc.col0 = ca->col0;
    a->vc.pos = ca->pos;
    /* the cells that moved most, with the tokens they stand for */
    if (n_moved > 0) {
        int ly = three ? y + ph : y + ph / 2, lx = three ? 0 : pw, lw = three ? W : W - pw, lbottom = three ? bottom : y + ph;
        if (ly >= bottom) ly = bottom - 1;
        Crt_set(w, CA_TITLE);
        View_printf(w, ly++, lx, lw, "moved most from b=%d to b=%d (%s):", ra, rb,
                    attention ? "query t looks at key s: the weight in each row" : "position t, column: the value in each row");
        int per_line = three ? 2 : 1;
        int col_w = lw / per_line;
        for (int i = 0; i < n_moved && ly < lbottom; i++) {
            const RowCmpCell *m = &moved[i];
            char line[320], where[240];
            char qt[100], kt[100];
            pair_label(a, ra, rb, m->r, qt, sizeof qt);
            pair_label(a, ra, rb, m->c, kt, sizeof kt);
            if (attention) snprintf(where, sizeof where, "t=%d %s -> s=%d %s", m->r, qt, m->c, kt);
            else snprintf(where, sizeof where, "t=%d %s, col %d", m->r, qt, m->c);
            snprintf(line, sizeof line, "%d. %s: %.4f -> %.4f (%+.4f)", i + 1, where, m->a, m->b, m->b - m->a);
            Crt_set(w, m->b > m->a ? CA_SHAPECHANGE : CA_MATHS);
            View_text(w, ly, lx + (i % per_line) * col_w, col_w - 1, line, 1);
            if (i % per_line == per_line - 1 || i == n_moved - 1) ly++;
        }
        Crt_set(w, CA_NORMAL);
    }
}

/* ---- top-k: both lists, the tokens only one row has starred ---- */

static void draw_topk_list(App *a, Compare *cs, ViewCtx *c, const ViewCtx *other, const int *in_other, int b, int x, int y, int pw, int h) {
    WINDOW *w = stdscr;
    int big = a->zoom >= 2;
    int rows = big ? View_big_rows(1) : 1, rh = rows + (big ? 1 : 0);
    char t[200];
    row_title(a, y, x, pw, b, CA_TITLE);
    snprintf(t, sizeof t, "after t=%d \"%s\": top %d of V%s", c->pos, TokenTable_label(c->tok, b, c->pos), c->n_topk,
             c->show_logits ? ", by logit (bars: p)" : "");
    Crt_set(w, CA_DIM);
    View_text(w, y + 1, x, pw, t, 1);
    y += 2;
    int fit = (h - 2) / rh;
    if (fit < 1) fit = 1;
    /* what does not fit is paged (PgDn PgUp), both lists alike */
    int np = (c->n_topk + fit - 1) / fit;
    if (np < 1) np = 1;
    if (cs->page >= np) cs->page = np - 1;
    if (cs->page < 0) cs->page = 0;
    cs->n_pages = np;
    int first = cs->page * fit;
    int n = c->n_topk - first < fit ? c->n_topk - first : fit;
    int lw = View_label_width(c->topk_label, c->n_topk, 6, big ? 12 : 16);
    int lab_w = big ? 4 * lw : lw;
    if (lab_w > pw / 2) lab_w = pw / 2;
    int num_w = big ? View_big_width("00.0%") : 7;
    int x_num = x + 4 + lab_w + 1, x_bar = x_num + num_w + 2;
    int note_w = big ? 0 : 22;
    int bw = x + pw - note_w - 1 - x_bar;
    double top = c->topk[0].prob > 0 ? c->topk[0].prob : 1;
    for (int i = first; i < first + n; i++) {
        const TopK *k = &c->topk[i];
        int only = in_other[i] < 0;
        char lab[VIEW_LABEL + 4], num[16];
        snprintf(lab, sizeof lab, "%s", c->topk_label[i]);
        if (c->show_logits) snprintf(num, sizeof num, "%.2f", k->logit);   /* the LM head: its logits */
        else snprintf(num, sizeof num, "%.1f%%", 100.0 * k->prob);
        Crt_set(w, only ? CA_SHAPECHANGE : CA_DIM);
        View_text(w, y, x, 3, only ? "★" : "", 0);
        View_printf(w, y + (big ? rows / 2 : 0), x + 1, 3, "%2d", i + 1);
        Crt_on(w, only ? CA_SHAPECHANGE : CA_NORMAL, only ? A_BOLD : 0);
        if (!big || View_big(w, y, x + 4, lab_w, lab) < 0) {
            char q[VIEW_LABEL + 4];
            snprintf(q, sizeof q, "\"%s\"", c->topk_label[i]);
            View_text(w, y + (big ? rows / 2 : 0), x + 4, lab_w, q, 1);
        }
        Crt_set(w, CA_TITLE);
        if (!big || View_big(w, y, x_num + num_w - View_big_width(num), num_w, num) < 0) {
            if (c->show_logits) View_printf(w, y, x_num, num_w, "%7.3f", k->logit);
            else View_printf(w, y, x_num, num_w, "%6.2f%%", 100.0 * k->prob);
        }
        Crt_set(w, only ? CA_SHAPECHANGE : CA_BAR);
        if (bw > 2) {
            int cells = (int)(k->prob / top * bw + 0.5);
            for (int r = 0; r < rows; r++)
                for (int q = 0; q < cells && q < bw; q++) mvwaddnwstr(w, y + r, x_bar + q, L"█", 1);
        }
        /* the other row's probability for it */
        Crt_set(w, CA_DIM);
        char note[64];
        if (only) snprintf(note, sizeof note, "only in b=%d", b);
        else if (c->show_logits)
            snprintf(note, sizeof note, "b=%d: %.2f (%+.2f)", other->b, other->topk[in_other[i]].logit, k->logit - other->topk[in_other[i]].logit);
        else snprintf(note, sizeof note, "b=%d: %.1f%% (%+.1f)", other->b, 100.0 * other->topk[in_other[i]].prob,
                      100.0 * (k->prob - other->topk[in_other[i]].prob));
        if (big) View_text(w, y + rows, x + 4, pw - 4, note, 1);
        else View_text(w, y, x + pw - note_w, note_w, note, 1);
        Crt_set(w, CA_NORMAL);
        y += rh;
    }
    if (np > 1) {
        Crt_set(w, CA_DIM);
        View_printf(w, y, x, pw, "rows %d-%d of %d, page %d/%d: PgDn next page, PgUp previous", first + 1, first + n, c->n_topk, cs->page + 1, np);
        Crt_set(w, CA_NORMAL);
    }
}

static void draw_topk(App *a, Compare *cs, ViewCtx *ca, ViewCtx *cb, int ra, int rb, int y, int h) {
    WINDOW *w = stdscr;
    const int W = a->cols;
    int a_in_b[VIEW_MAXK], b_in_a[VIEW_MAXK];
    RowCmp_topk_match(ca->topk, ca->n_topk, cb->topk, cb->n_topk, a_in_b, b_in_a);
    int only_a = 0, only_b = 0;
    for (int i = 0; i < ca->n_topk; i++) only_a += a_in_b[i] < 0;
    for (int i = 0; i < cb->n_topk; i++) only_b += b_in_a[i] < 0;
    char sum[400];
    int same_top = ca->n_topk > 0 && cb->n_topk > 0 && ca->topk[0].id == cb->topk[0].id;
    snprintf(sum, sizeof sum, "top-1: \"%s\" %.1f%% in b=%d, \"%s\" %.1f%% in b=%d%s   ★ = in one top %d only: %d in b=%d, %d in b=%d",
             ca->n_topk ? ca->topk_label[0] : "", ca->n_topk ? 100.0 * ca->topk[0].prob : 0.0, ra, cb->n_topk ? cb->topk_label[0] : "",
             cb->n_topk ? 100.0 * cb->topk[0].prob : 0.0, rb, same_top ? " (the same token)" : " (they differ)", ca->n_topk, only_a, ra, only_b, rb);
    Crt_set(w, CA_MATHS);
    View_text(w, y, 0, W, sum, 1);
    Crt_set(w, CA_NORMAL);
    int pw = W / 2;
    draw_topk_list(a, cs, ca, cb, a_in_b, ra, 0, y + 1, pw - 1, h - 1);
    draw_topk_list(a, cs, cb, ca, b_in_a, rb, pw, y + 1, W - pw, h - 1);
}

/* ---- the screen ---- */

static void compare_draw(App *a, void *self, int y, int h) {
    Compare *cs = self;
    const int W = a->cols;
    App_clamp_row(a);
    if (App_busy_message(a, y)) return;
    int ra, rb;
    if (!rows_of(a, cs, &ra, &rb)) {
        App_message(y, W, CA_TITLE, "compare shows two prompts side by side: the batch has one. Press n to add a row and type a second prompt,");
        App_message(y + 1, W, CA_NORMAL, "or start with two: shapewalk --prompt \"The cat sat on the mat\" --prompt \"The dog sat on the mat\"");
        return;
    }
    StationRef s = walk_station(a);
    const StationInfo *info = Station_info(s.kind);
    if (s.kind != cs->last.kind || s.layer != cs->last.layer) cs->page = 0;
    cs->last = s;
    cs->n_pages = 1;
    char label[96];
    Station_label(s, label, sizeof label);
    /* both rows at the same position (inside both) */
    int la = a->tok.len[ra], lb = a->tok.len[rb], lmin = la < lb ? la : lb;
    if (a->vc.pos >= lmin) a->vc.pos = lmin - 1;
    if (a->vc.pos < 0) a->vc.pos = 0;
    char where[200];
    snprintf(where, sizeof where, "compare b=%d with b=%d at %s · layer %d · head %d · position t=%d", ra, rb, label, a->vc.layer + 1, a->vc.head,
             a->vc.pos);
    Crt_set(stdscr, CA_TITLE);
    View_text(stdscr, y, 0, W, where, 1);
    Crt_set(stdscr, CA_DIM);
    View_text(stdscr, y + 1, 0, W, Station_maths(s.kind, &a->m->c), 1);
    Crt_set(stdscr, CA_NORMAL);
    y += 3;
    h -= 3;
    if (h < 3) return;
    if (info->view == VK_TOKENS) { draw_tokens(a, cs, ra, rb, y, h); return; }

    Present p = App_present(a);
    ViewCtx ca = App_view_ctx(a, y, h), cb;
    ca.all_heads = 0;
    ca.b = ra;
    cb = ca;
    cb.b = rb;
    char err[SW_ERR_LEN] = "";
    if (Present_station(&p, s, cs->which, &ca, err) != 0 || Present_station(&p, s, cs->which, &cb, err) != 0) {
        App_message(y, W, CA_ERROR, err);
        return;
    }
    if (info->view == VK_TOPK || info->view == VK_NEXT) {
        if (info->view == VK_NEXT) {
            ca.pos = la - 1;
            cb.pos = lb - 1;
        }
        Present_topk(&p, ra, ca.pos, a->temperature, NULL, &ca);
        Present_topk(&p, rb, cb.pos, a->temperature, NULL, &cb);
        draw_topk(a, cs, &ca, &cb, ra, rb, y, h);
        return;
    }
    draw_matrix(a, cs, s, &ca, &cb, ra, rb, y, h);
}

static int compare_key(App *a, void *self, int ch) {
    Compare *cs = self;
    int ra, rb;
    switch (ch) {
    case 27: App_back(a); return 1;
    case 'b': case 'B':
        if (rows_of(a, cs, &ra, &rb)) {
            int B = a->trace->B, o = rb;
            do o = (o + (ch == 'b' ? 1 : B - 1)) % B; while (o == ra);
            cs->other = o;
        }
        return 1;
    case 'w': cs->which++; return 1;
    case KEY_NPAGE: case KEY_PPAGE: {
        /* the top-k lists' pages; elsewhere PgDn PgUp scroll the maps (the walk's keys) */
        ViewKind vk = Station_info(walk_station(a).kind)->view;
        if (vk == VK_TOPK || vk == VK_NEXT || vk == VK_TOKENS) {
            if (ch == KEY_NPAGE) cs->page++;
            else if (cs->page > 0) cs->page--;
            return 1;
        }
        break;
    }   /* Present_station takes it modulo the station's tensors */
    case 'X':   /* swap the two rows (x is the program's: remove a row) */
        if (rows_of(a, cs, &ra, &rb)) { a->vc.b = rb; cs->other = ra; }
        return 1;
    }
    /* the walk's keys: station, layer, head, position, a station by number */
    void *walk = App_state(a, Screens[0]);
    if (walk && Screens[0]->key) return Screens[0]->key(a, walk, ch);
    return 0;
}

static int compare_station(App *a, void *self, StationRef *out) {
    *out = walk_station(a);
    return 1;
}

static void compare_where(App *a, void *self, char *buf, size_t cap) {
    int ra, rb;
    char label[96];
    Station_label(walk_station(a), label, sizeof label);
    if (rows_of(a, self, &ra, &rb)) snprintf(buf, cap, "compare b=%d · b=%d at %s", ra, rb, label);
    else snprintf(buf, cap, "compare (one row)");
}

static const char *compare_hint(App *a, void *self) {
    const Compare *cs = self;
    if (cs->n_pages > 1) return "PgDn PgUp page  ← → station  , . position  b the other row  X swap  z large  Esc back  ? help";
    return "← → station  [ ] layer  { } head  , . position  b the other row  X swap  z large  Esc back  ? help";
}

static const char *const compare_help[] = {
    "=                compare: two rows of the batch side by side at the walk's station",
    "← → ⏎ ↑ 5 ⏎      the walk's station keys: next / previous, into / out of a block, by number",
    "Esc              back to the screen that opened this one (the walk, the lesson)",
    "[ ] { } , .      the same layer, head and position in both panels",
    "b B              which row is the second one (the first is the chosen row)",
    "X                swap the two rows",
    "w                which tensor: q/k/v, before/after the activation, ...",
    "PgDn PgUp        chips, top-k: the next / previous page when they do not fit",
    "chips            positions whose tokens differ are marked ^^^ under the pair",
    "maps             b - a as its own signed map: orange = more in the second row, blue = less",
    "top-k            ★ = a token in one row's top k and not in the other's",
    NULL,
};

const Screen Screen_compare = {
    .name = "compare", .hotkey = '=', .create = compare_create, .destroy = compare_destroy, .draw = compare_draw,
    .key = compare_key, .help = compare_help, .help_title = "Comparing two rows", .back_as = "the two rows", .where = compare_where, .hint = compare_hint,
    .station = compare_station,
};
