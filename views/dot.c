/* dot.c - a dot product term by term: a[i], b[i], their product and the running sum for the
 * first terms (and the last), then a·b, the lengths |a| |b| and cos(a,b) on a -1..1 bar.
 * Also the helpers the lesson's other pictures share (numbers of a fixed width, bars). */
#include "views/lesson_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void LessonView_num(char *buf, size_t cap, double v, int width) {
    if (v != v) { snprintf(buf, cap, "%*s", width, "NaN"); return; }
    if (isinf(v)) { snprintf(buf, cap, "%*s", width, v > 0 ? "inf" : "-inf"); return; }
    if (width <= 1) { snprintf(buf, cap, "%.6g", v); return; }   /* as wide as it needs */
    if (fabs(v) >= 1e4) {
        /* big: scientific, as many digits as fit */
        for (int prec = 3; prec >= 0; prec--) {
            snprintf(buf, cap, "%*.*e", width, prec, v);
            if ((int)strlen(buf) <= width) return;
        }
    }
    for (int prec = 4; prec >= 1; prec--) {
        snprintf(buf, cap, "%*.*f", width, prec, v);
        if ((int)strlen(buf) <= width) return;
    }
    snprintf(buf, cap, "%*.*e", width, width >= 9 ? 2 : width >= 8 ? 1 : 0, v);
    if ((int)strlen(buf) > width) snprintf(buf, cap, "%*.0e", width, v);
}

void LessonView_bar(WINDOW *w, int y, int x, int width, double f) {
    static const wchar_t *eighth[] = {L" ", L"▏", L"▎", L"▍", L"▌", L"▋", L"▊", L"▉", L"█"};
    if (width <= 0) return;
    if (!(f > 0)) f = 0;   /* NaN too */
    if (f > 1) f = 1;
    int full8 = (int)(f * width * 8 + 0.5);
    for (int q = 0; q < width; q++) {
        int cell = full8 - q * 8;
        const wchar_t *ch = cell >= 8 ? eighth[8] : cell <= 0 ? eighth[0] : eighth[cell];
        if (crt.mode == CRT_MONO && cell > 0) ch = cell >= 4 ? L"█" : L"▌";
        mvwaddnwstr(w, y, x + q, ch, 1);
    }
}

/* A -1..1 bar with a tick at 0 and a block at v. */
static void signed_bar(WINDOW *w, int y, int x, int width, double v) {
    if (width < 5 || v != v) return;
    int mid = width / 2;
    int pos = (int)((v + 1) / 2 * (width - 1) + 0.5);
    if (pos < 0) pos = 0;
    if (pos > width - 1) pos = width - 1;
    Crt_set(w, CA_DIM);
    for (int i = 0; i < width; i++) mvwaddnwstr(w, y, x + i, i == mid ? L"┼" : L"─", 1);
    Crt_set(w, CA_BAR);
    int lo = pos < mid ? pos : mid, hi = pos < mid ? mid : pos;
    for (int i = lo; i <= hi; i++) mvwaddnwstr(w, y, x + i, i == pos ? L"█" : L"━", 1);
    Crt_set(w, CA_NORMAL);
}

static void dot_draw(ViewCtx *vc) {
    DotCtx *c = (DotCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    c->used = 0;
    if (vc->h < 1 || vc->w < 20 || !c->a || !c->b || c->n <= 0) return;
    const int zoom = vc->zoom < 1 ? 1 : vc->zoom;
    const int gap = zoom >= 2 ? 1 : 0;   /* large print: a blank line between table rows */
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;

    /* what is being multiplied */
    Crt_set(w, CA_TITLE);
    int nw = View_width(c->a_name), bw = View_width(c->b_name);
    if (nw + bw == 0) {
        /* no names: the caller said what is multiplied */
    } else if (nw + 4 + bw <= W) {
        View_text(w, y, X, W, c->a_name, 1);
        View_text(w, y, X + nw + 4, W - nw - 4, c->b_name, 1);
        y++;
    } else {
        View_text(w, y++, X, W, c->a_name, 1);
        if (y < bottom) View_text(w, y++, X, W, c->b_name, 1);
    }
    Crt_set(w, CA_NORMAL);

    /* the table: columns of terms, in blocks of rows when the screen is tall enough */
    int lw = 5;
    if ((int)strlen(c->a_sym) + 1 > lw) lw = (int)strlen(c->a_sym) + 1;
    if ((int)strlen(c->b_sym) + 1 > lw) lw = (int)strlen(c->b_sym) + 1;
    if (lw < 9) lw = 9;   /* "Σ so far" */
    const int cw = zoom >= 2 ? 10 : 8;
    int ncols = (W - lw) / cw;
    if (ncols < 2) ncols = 2;
    const int block_h = 5 + 4 * gap;          /* index, a, b, product, running sum */
    const int foot = (c->show_cos ? 2 : 0) + (c->has_check ? 1 : 0) + 1;
    int nblocks = (bottom - y - foot + 1) / (block_h + 1);
    if (nblocks < 1) nblocks = 1;
    int need = (c->n + ncols - 1) / ncols;
    if (nblocks > need) nblocks = need;
    const int cap = nblocks * ncols;
    const int all = c->n <= cap;
    const int shown = all ? c->n : cap - 1;   /* the first terms, then the last one */
    double maxabs = 0, run = 0, head_sum = 0;
    for (int i = 0; i < c->n; i++) {
        double t = (double)c->a[i] * c->b[i];
        if (fabs(t) > maxabs) maxabs = fabs(t);
    }
    if (!(maxabs > 0)) maxabs = 1;
    const char *rowname[5] = {c->index_sym[0] ? c->index_sym : "i", c->a_sym, c->b_sym, "product", "Σ so far"};
    int ys[8][5];
    for (int k = 0; k < nblocks && k < 8; k++) {
        if (k > 0) y++;
        for (int r = 0; r < 5; r++) {
            ys[k][r] = y;
            if (y >= bottom) continue;
            Crt_set(w, r == 0 ? CA_DIM : CA_NORMAL);
            View_text(w, y, X, lw, rowname[r], 1);
            y += 1 + (r < 4 ? gap : 0);
        }
    }
    if (y > bottom) y = bottom;
    int slot = 0;
    for (int i = 0; i < c->n; i++) {
        double t = (double)c->a[i] * c->b[i];
        run += t;
        if (i < shown) head_sum = run;
        int visible = i < shown || i == c->n - 1;
        if (!visible) continue;
        int k = slot / ncols;
        if (k >= 8) break;
        int x = X + lw + (slot % ncols) * cw;
        const int *yr = ys[k];
        char num[32];
        if (yr[0] < bottom) {
            Crt_set(w, CA_DIM);
            if (!all && i == c->n - 1) snprintf(num, sizeof num, "… %d", i);   /* the terms between are hidden */
            else snprintf(num, sizeof num, "%d", i);
            View_printf(w, yr[0], x, cw, "%*s", cw - 1, num);
        }
        Crt_set(w, CA_NORMAL);
        if (yr[1] < bottom) { LessonView_num(num, sizeof num, c->a[i], cw - 1); View_text(w, yr[1], x, cw, num, 0); }
        if (yr[2] < bottom) { LessonView_num(num, sizeof num, c->b[i], cw - 1); View_text(w, yr[2], x, cw, num, 0); }
        if (yr[3] < bottom) {
            LessonView_num(num, sizeof num, t, cw - 1);
            Crt_text_on(w, yr[3], x, cw - 1, SCALE_DIV, t / maxabs, num);
        }
        if (yr[4] < bottom) {
            Crt_set(w, i == c->n - 1 ? CA_TITLE : CA_DIM);
            LessonView_num(num, sizeof num, run, cw - 1);
            View_text(w, yr[4], x, cw, num, 0);
        }
        Crt_set(w, CA_NORMAL);
        slot++;
    }

    /* the sum, the lengths, the cosine */
    if (y < bottom) {
        Crt_set(w, CA_MATHS);
        char s1[32];
        LessonView_num(s1, sizeof s1, c->dot, 1);
        const char *name = c->sum_name[0] ? c->sum_name : "a·b";
        if (all)
            View_printf(w, y++, X, W, "%s = sum of all %d products = %s", name, c->n, s1);
        else
            View_printf(w, y++, X, W, "%s = sum of all %d products = %s  (%d not shown: %.4f)", name, c->n, s1,
                        c->n - shown - 1, run - head_sum - (double)c->a[c->n - 1] * c->b[c->n - 1]);
        Crt_set(w, CA_NORMAL);
    }
    if (c->has_check && y < bottom) {
        double diff = fabs((double)c->dot - c->check);
        int same = diff <= 1e-4 * (fabs(c->check) > 1 ? fabs(c->check) : 1);
        Crt_set(w, same ? CA_OK : CA_ERROR);
        View_printf(w, y++, X, W, "%s: %.4f  %s", c->check_name, c->check, same ? "✓ the same number" : "✗ differs");
        Crt_set(w, CA_NORMAL);
    }
    if (c->show_cos && y < bottom) {
        y += gap && y + 3 < bottom ? 1 : 0;
        View_printf(w, y++, X, W, "lengths: |a| = √(a·a) = %.4f    |b| = √(b·b) = %.4f", c->norm_a, c->norm_b);
    }
    if (c->show_cos && y < bottom) {
        Crt_set(w, CA_TITLE);
        int used = View_printf(w, y, X, W, "cos(a,b) = a·b / (|a| |b|) = %.4f ", c->cosine);
        Crt_set(w, CA_DIM);
        int room = W - used - 6;
        if (room > 40) room = 40;
        if (room >= 9) {
            View_text(w, y, X + used, 3, "-1 ", 0);
            signed_bar(w, y, X + used + 3, room, c->cosine);
            Crt_set(w, CA_DIM);
            View_text(w, y, X + used + 3 + room, 3, " 1", 0);
        }
        Crt_set(w, CA_NORMAL);
        y++;
    }
    c->used = y - vc->y;
}

static const char *const dot_help[] = {
    "↑ ↓ , .          move the chosen token (Tab: switch between a and b)",
    NULL,
};

const ViewClass View_dot = {"dot product", dot_draw, NULL, dot_help};
