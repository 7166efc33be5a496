/* lens_grid.c - the logit lens: for every block l and position t, the residual stream
 * after block l read as if it were the model's last hidden state,
 *     lens[l][t] = softmax(final_norm(x_l[t]) @ W_lm),
 * shown as a grid (block 1 at the top, the last block at the bottom) of each cell's top-1
 * token and its probability, so the prediction can be watched forming layer by layer. The
 * last block's row is the model's own prediction. Under the grid: the token that actually
 * comes next (cells that already predict it are underlined), and the selected cell's top-k. */
#include "views/inspect_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LAB_W 9   /* "block 12 " */

static void label_of(const InspectCtx *ic, int id, char *buf, size_t cap);

/* The widest token near the selected position: the column headers' and the best guesses'
 * computed so far (a long token widens the cells rather than being cut). */
static int widest_near(const InspectCtx *ic) {
    const ViewCtx *c = &ic->vc;
    int wmax = 0, kc = ic->lens_k_cell > 0 ? ic->lens_k_cell : 1;
    int t0 = c->pos - 16 < 0 ? 0 : c->pos - 16, t1 = c->pos + 16 > ic->len ? ic->len : c->pos + 16;
    for (int t = t0; t < t1; t++) {
        int w = View_width(TokenTable_label(c->tok, c->b, t)) + 1 + (t >= 100 ? 3 : t >= 10 ? 2 : 1);   /* "12 ␣named" */
        if (w - 5 > wmax) wmax = w - 5;   /* the header has room for the percent's columns */
        for (int l = 0; l < ic->L && ic->lens_p && ic->lens_id; l++) {
            size_t at = ((size_t)l * ic->lens_ls + t) * kc;
            if (ic->lens_p[at] < 0 || ic->lens_id[at] < 0) continue;
            char lab[VIEW_LABEL];
            label_of(ic, ic->lens_id[at], lab, sizeof lab);
            int lw = View_width(lab);
            if (lw > wmax) wmax = lw;
        }
    }
    return wmax;
}

static int cell_width(const InspectCtx *ic) {
    int zoom = ic->vc.zoom < 1 ? 1 : ic->vc.zoom;
    int room = ic->vc.w - LAB_W;
    int n = ic->len > 0 ? ic->len : 1;
    int cw = room / n;
    /* at least room for an 8-column token and "100%" (at 80 columns: five positions a page),
     * wider for a longer token nearby, up to 22 */
    int lo = 14 + 4 * (zoom - 1), hi = 22 + 8 * (zoom - 1);
    int need = widest_near(ic) + 6;   /* token, blank, "100%", the gap */
    if (need > lo) lo = need > hi ? hi : need;
    if (cw < lo) cw = lo;
    if (cw > hi) cw = hi;
    return cw;
}

void View_lens_layout(InspectCtx *ic) {
    ViewCtx *c = &ic->vc;
    int cw = cell_width(ic);
    int n = (c->w - LAB_W) / cw;
    if (n < 1) n = 1;
    if (n > ic->len) n = ic->len;
    if (c->pos < 0) c->pos = 0;
    if (c->pos >= ic->len) c->pos = ic->len - 1;
    if (c->col0 > c->pos) c->col0 = c->pos;
    if (c->pos >= c->col0 + n) c->col0 = c->pos - n + 1;
    if (c->col0 > ic->len - n) c->col0 = ic->len - n;
    if (c->col0 < 0) c->col0 = 0;
    ic->ncols = n;
}

static void label_of(const InspectCtx *ic, int id, char *buf, size_t cap) {
    if (ic->label) ic->label(ic->label_ud, id, buf, cap);
    else snprintf(buf, cap, "#%d", id);
}

/* A cell's attributes: its probability's colour (mono: reverse when p > 0.5). */
static void cell_attr(WINDOW *w, double p, int sel, int hit) {
    attr_t extra = hit ? A_UNDERLINE : A_NORMAL;
    if (sel) { Crt_on(w, CA_CURSOR, extra); return; }
    if (crt.mode == CRT_MONO) {
        attr_t at = (p > 0.5 ? A_REVERSE : p < 0.1 ? A_DIM : A_NORMAL) | extra;
        wattr_set(w, at, 0, &(int){0});
        return;
    }
    int pair = Crt_pair(Crt_text_fg(SCALE_SEQ, p), Crt_scale_color(SCALE_SEQ, p));
    wattr_set(w, extra, 0, &pair);
}

/* The selected cell's top-k with bars in (y, x, h, w). */
static void draw_detail(InspectCtx *ic, int y, int x, int h, int W) {
    ViewCtx *c = &ic->vc;
    WINDOW *w = c->win;
    if (h < 1 || W < 20) return;
    const int bottom = y + h;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, x, W, "after block %d of %d at t=%d \"%s\": top %d%s", c->layer + 1, ic->L, c->pos, TokenTable_label(c->tok, c->b, c->pos),
                c->n_topk, c->layer == ic->L - 1 ? " (= the model's own output)" : "");
    Crt_set(w, CA_NORMAL);
    if (c->n_topk <= 0) {
        Crt_set(w, CA_DIM);
        if (y < bottom) View_text(w, y, x, W, "computing...", 1);
        Crt_set(w, CA_NORMAL);
        return;
    }
    int next_id = -1;
    if (c->tok && c->pos + 1 < c->tok->len[c->b]) next_id = c->tok->ids[c->b * c->tok->stride + c->pos + 1];
    int lw = View_label_width(c->topk_label, c->n_topk, 8, 18);
    int fixed = 4 + lw + 1 + 8 + 1;
    int bw = W - fixed;
    if (bw > 40) bw = 40;
    double top = c->topk[0].prob > 0 ? c->topk[0].prob : 1;
    for (int i = 0; i < c->n_topk && y < bottom; i++, y++) {
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, "\"%s\"", c->topk_label[i]);
        Crt_on(w, c->topk[i].id == next_id ? CA_CURRENT : CA_NORMAL, A_NORMAL);
        View_printf(w, y, x, 4, "%3d", i + 1);
        View_text(w, y, x + 4, lw, lab, 1);
        Crt_set(w, CA_TITLE);
        View_printf(w, y, x + 4 + lw + 1, 8, "%6.2f%%", 100.0 * c->topk[i].prob);
        Crt_set(w, CA_BAR);
        int n8 = bw > 0 ? (int)(c->topk[i].prob / top * bw * 8 + 0.5) : 0;
        for (int q = 0; q < bw; q++) {
            static const wchar_t *eighth[] = {L" ", L"▏", L"▎", L"▍", L"▌", L"▋", L"▊", L"▉", L"█"};
            int cell = n8 - q * 8;
            const wchar_t *ch = cell >= 8 ? eighth[8] : cell <= 0 ? eighth[0] : eighth[cell];
            if (crt.mode == CRT_MONO && cell > 0) ch = cell >= 4 ? L"█" : L"▌";
            mvwaddnwstr(w, y, x + fixed + q, ch, 1);
        }
        Crt_set(w, CA_NORMAL);
    }
}

static void lens_draw(ViewCtx *c) {
    InspectCtx *ic = (InspectCtx *)c;
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 3 || c->w < LAB_W + 8 || ic->len < 1 || ic->L < 1) return;
    View_lens_layout(ic);
    const int bottom = c->y + c->h;
    const int cw = cell_width(ic);
    int y = c->y;

    /* how many layer rows fit, keeping 4 lines for the top-k below when we can */
    int below_min = 4;
    int head = 2 + 1;   /* title, maths, column header */
    int foot = 2;       /* next tokens, legend */
    int gridw = LAB_W + ic->ncols * cw;
    int side = c->w - gridw >= 44;   /* top-k to the right of the grid */
    if (head + ic->L + foot + (side ? 0 : below_min) > c->h) head = 2;          /* drop the maths line */
    if (head + ic->L + foot + (side ? 0 : below_min) > c->h) below_min = side ? 0 : 2;
    int room = c->h - head - foot - (side ? 0 : below_min);
    /* a big terminal shows each cell's runners-up too: cl lines per block */
    int kc = ic->lens_k_cell > 0 ? ic->lens_k_cell : 1;
    int cl = (room - (side ? 0 : 6)) / (ic->L > 0 ? ic->L : 1);   /* the top-k below keeps ~10 lines first */
    if (cl > kc) cl = kc;
    if (cl < 1) cl = 1;
    int nrows = room / cl;
    if (nrows > ic->L) nrows = ic->L;
    if (nrows < 1) nrows = 1;
    if (c->layer < 0) c->layer = 0;
    if (c->layer >= ic->L) c->layer = ic->L - 1;
    if (c->row0 > c->layer) c->row0 = c->layer;
    if (c->layer >= c->row0 + nrows) c->row0 = c->layer - nrows + 1;
    if (c->row0 > ic->L - nrows) c->row0 = ic->L - nrows;
    if (c->row0 < 0) c->row0 = 0;

    Crt_set(w, CA_TITLE);
    View_printf(w, y++, c->x, c->w, "logit lens, row b=%d: what each block would predict if it were the last one", c->b);
    if (head == 3) {
        Crt_set(w, CA_MATHS);
        View_printf(w, y++, c->x, c->w, "cell = top-%d of softmax(norm_f(x after block l, at t) @ W_lm) and p", cl);
    }
    /* column headers: the token at each position */
    Crt_set(w, CA_DIM);
    View_text(w, y, c->x, LAB_W, "t →", 0);
    for (int i = 0; i < ic->ncols; i++) {
        int t = c->col0 + i;
        char h[VIEW_LABEL + 8];
        snprintf(h, sizeof h, "%d %s", t, TokenTable_label(c->tok, c->b, t));
        Crt_set(w, t == c->pos ? CA_TITLE : CA_DIM);
        View_text(w, y, c->x + LAB_W + i * cw, cw - 1, h, 1);
    }
    if (c->col0 > 0) { Crt_set(w, CA_DIM); View_text(w, y, c->x + LAB_W - 2, 1, "←", 0); }
    if (c->col0 + ic->ncols < ic->len) { Crt_set(w, CA_DIM); View_text(w, y, c->x + gridw - 1, 1, "→", 0); }
    y++;
    int grid_top = y;

    /* the grid: block 1 at the top; each cell its best guess (and runners-up when cl > 1) */
    for (int r = 0; r < nrows && y < bottom; r++) {
        int l = c->row0 + r;
        Crt_set(w, l == c->layer ? CA_TITLE : CA_DIM);
        View_printf(w, y, c->x, LAB_W, "block %d", l + 1);
        for (int k = 0; k < cl && y < bottom; k++, y++) {
            for (int i = 0; i < ic->ncols; i++) {
                int t = c->col0 + i;
                int xx = c->x + LAB_W + i * cw;
                size_t at = ((size_t)l * ic->lens_ls + t) * kc;
                float p = ic->lens_p ? ic->lens_p[at] : -1;
                int sel = l == c->layer && t == c->pos;
                if (p < 0) {
                    Crt_set(w, sel ? CA_CURSOR : CA_DIM);
                    View_text(w, y, xx, cw - 1, k == 0 ? "…" : "", 0);
                    continue;
                }
                int id = ic->lens_id[at + k];
                p = ic->lens_p[at + k];
                if (id < 0) continue;
                int hit = c->tok && t + 1 < c->tok->len[c->b] && c->tok->ids[c->b * c->tok->stride + t + 1] == id;
                char lab[VIEW_LABEL], pct[16];
                label_of(ic, id, lab, sizeof lab);
                int pc = (int)(p * 100 + 0.5);
                if (pc == 0 && p > 0) snprintf(pct, sizeof pct, "<1%%");
                else snprintf(pct, sizeof pct, "%d%%", pc > 100 ? 100 : pc);
                int pw = (int)strlen(pct);
                cell_attr(w, p, sel, hit);
                for (int q = 0; q < cw - 1; q++) mvwaddch(w, y, xx + q, ' ');
                View_text(w, y, xx, cw - 2 - pw, lab, 1);
                View_text(w, y, xx + cw - 1 - pw, pw, pct, 0);
            }
            Crt_set(w, CA_NORMAL);
        }
        if (cl > 1 && r + 1 < nrows && y < bottom - foot && room >= nrows * (cl + 1)) y++;   /* a gap between blocks when it fits */
    }
    if (c->row0 > 0) { Crt_set(w, CA_DIM); View_text(w, grid_top, c->x + LAB_W - 1, 1, "↑", 0); }
    if (c->row0 + nrows < ic->L) { Crt_set(w, CA_DIM); View_text(w, y - 1, c->x + LAB_W - 1, 1, "↓", 0); }

    /* what actually comes next */
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_text(w, y, c->x, LAB_W, "next:", 0);
        for (int i = 0; i < ic->ncols; i++) {
            int t = c->col0 + i;
            const char *s = t + 1 < ic->len ? TokenTable_label(c->tok, c->b, t + 1) : "?";
            Crt_on(w, t == c->pos ? CA_TITLE : CA_DIM, A_UNDERLINE);
            View_text(w, y, c->x + LAB_W + i * cw, cw - 1, s, 1);
        }
        y++;
    }
    /* beside the grid: the selected cell's top-k; the legend goes under whichever is longer */
    if (side) {
        int dy = c->y + (head == 3 ? 2 : 1);
        int dh = c->n_topk + 1;
        if (dh > bottom - 1 - dy) dh = bottom - 1 - dy;
        draw_detail(ic, dy, c->x + gridw + 2, dh, c->w - gridw - 2);
        if (dy + dh > y) y = dy + dh;
    }
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        int x = c->x + View_text(w, y, c->x, c->w, "colour: p  0 ", 0);
        for (int i = 0; i < 8 && x < c->x + c->w; i++, x++) Crt_fill(w, y, x, 1, SCALE_SEQ, i / 7.0);
        Crt_set(w, CA_DIM);
        View_text(w, y, x, c->x + c->w - x, " 1 · underlined: it already predicts the next token", 1);
        y++;
    }
    Crt_set(w, CA_NORMAL);

    if (!side && y + 1 < bottom) draw_detail(ic, y + (bottom - y > 4 ? 1 : 0), c->x, bottom - y - (bottom - y > 4 ? 1 : 0), c->w);
}

const ViewClass View_lens_grid = {"logit lens", lens_draw, NULL, NULL};
