/* ce_table.c - cross-entropy for every position of a prompt: the probability Q[c] the model
 * gave the token c that really came next, and the loss -log Q[c], with the lesson's marks:
 * 0 for a sure right guess, log V for guessing uniformly over the V tokens. */
#include "views/lesson_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void ce_draw(ViewCtx *vc) {
    CeCtx *c = (CeCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 40) return;
    const int zoom = vc->zoom < 1 ? 1 : vc->zoom;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    Crt_set(w, CA_MATHS);
    View_text(w, y++, X, W, "H(P,Q) = -Σ P log Q = -log Q[c]   (P is one-hot on c, the real next token)", 1);
    Crt_set(w, CA_NORMAL);
    if (c->n <= 0) {
        if (y < bottom) View_text(w, y, X, W, "this row has one token: nothing to predict yet (add words, or g in the walk)", 1);
        return;
    }
    int lw = View_label_width(c->before, c->n, 7, 14), lt = View_label_width(c->target, c->n, 7, 14);
    if (lt > lw) lw = lt;   /* one width for both columns */
    const int xt = X, xb = xt + 4, xc = xb + lw + 1, xq = xc + lw + 1, xl = xq + 10, xr = xl + 10, xbar = xr + 8;
    int bw = X + W - xbar;
    if (bw > 40 * zoom) bw = 40 * zoom;
    double scale = c->log_v * 1.25;
    for (int i = 0; i < c->n; i++) if (c->rows[i].loss > scale) scale = c->rows[i].loss;
    if (!(scale > 0)) scale = 1;
    int mark = bw > 4 ? (int)(c->log_v / scale * bw + 0.5) : -1;
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y, xt, 4, "%3s", "t");
        View_text(w, y, xb, lw, "token", 1);
        View_text(w, y, xc, lw, "next c", 1);
        View_printf(w, y, xq, 10, "%9s", "Q[c]");
        View_printf(w, y, xl, 10, "%9s", "-log Q[c]");
        View_printf(w, y, xr, 8, "%7s", "rank");
        if (bw > 12) {
            View_text(w, y, xbar, 2, "0", 0);
            if (mark >= 0 && mark + 6 <= bw) View_text(w, y, xbar + mark - 2, 6, "log V", 0);
        }
        Crt_set(w, CA_NORMAL);
        y++;
    }
    const int foot = 2;
    const int step = zoom >= 2 ? 2 : 1;
    int first = c->first < 0 ? 0 : c->first;
    if (first > c->n - 1) first = c->n - 1;
    for (int i = first; i < c->n && y < bottom - foot; i++, y += step) {
        const LessonCE *r = &c->rows[i];
        char lab[VIEW_LABEL + 4];
        Crt_set(w, CA_NORMAL);
        View_printf(w, y, xt, 4, "%3d", r->pos);
        snprintf(lab, sizeof lab, "\"%s\"", c->before[i]);
        View_text(w, y, xb, lw, lab, 1);
        Crt_set(w, CA_TITLE);
        snprintf(lab, sizeof lab, "\"%s\"", c->target[i]);
        View_text(w, y, xc, lw, lab, 1);
        Crt_set(w, CA_NORMAL);
        if (r->q >= 0.001) View_printf(w, y, xq, 10, "%9.4f", r->q);
        else View_printf(w, y, xq, 10, "%9.2e", r->q);
        Crt_set(w, r->loss > c->log_v ? CA_ERROR : r->loss < 1 ? CA_OK : CA_NORMAL);
        View_printf(w, y, xl, 10, "%9.3f", r->loss);
        Crt_set(w, CA_NORMAL);
        View_printf(w, y, xr, 8, "%7d", r->rank);
        if (bw > 4) {
            Crt_set(w, CA_BAR);
            LessonView_bar(w, y, xbar, bw, r->loss / scale);
            if (mark >= 0 && mark < bw) {
                Crt_set(w, CA_SHAPECHANGE);
                mvwaddnwstr(w, y, xbar + mark, L"│", 1);
            }
            Crt_set(w, CA_NORMAL);
        }
    }
    int fy = bottom - foot;
    if (fy < y) fy = y;
    if (fy < bottom) {
        Crt_set(w, CA_TITLE);
        int shown_all = first == 0 && c->n >= c->total;
        View_printf(w, fy, X, W, "mean loss over %d predictions = %.3f nats%s   (perplexity e^H = %.4g)", c->total, c->mean,
                    shown_all ? "" : " (all of them)", exp(c->mean));
        Crt_set(w, CA_NORMAL);
    }
    if (fy + 1 < bottom) {
        Crt_set(w, CA_MATHS);
        View_printf(w, fy + 1, X, W, "0 = sure and right (Q[c] = 1)   log V = log %d = %.2f = uniform guessing", c->V, c->log_v);
        Crt_set(w, CA_NORMAL);
    }
}

static const char *const ce_help[] = {
    "↑ ↓              scroll the positions;  b  the batch row",
    NULL,
};

const ViewClass View_ce_table = {"cross-entropy table", ce_draw, NULL, ce_help};
