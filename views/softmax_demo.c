/* softmax_demo.c - softmax two ways side by side, for the lesson's examples and the model's
 * real logits: naive, p = exp(x) / Σ exp(x) in float (exp(1000) overflows to inf, and
 * inf / inf = NaN), and stable, p = exp(x - max) / Σ exp(x - max) (every exponent <= 0). */
#include "views/lesson_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* column widths: label | x | exp(x) | p || x-max | exp(x-max) | p */
enum { CL = 11, CX = 10, CE = 11, CP = 9, SEP = 3, CXM = 10, CE2 = 11, CP2 = 9 };

static void cell(WINDOW *w, int y, int x, int width, double v, CrtAttr normal) {
    char num[32];
    LessonView_num(num, sizeof num, v, width - 1);
    Crt_set(w, isfinite(v) ? normal : CA_ERROR);
    View_text(w, y, x, width, num, 0);
    Crt_set(w, CA_NORMAL);
}

static void softmax_demo_draw(ViewCtx *vc) {
    SoftmaxCtx *c = (SoftmaxCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 40) return;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    const int xl = X, xx = xl + CL, xe = xx + CX, xp = xe + CE, xs = xp + CP, xm = xs + SEP, xe2 = xm + CXM, xp2 = xe2 + CE2;
    const int right = xp2 + CP2 <= X + W;   /* the stable half fits beside the naive one */
    Crt_set(w, CA_MATHS);
    View_text(w, y, xx, (right ? xs : X + W) - xx, "naive, in float", 1);
    if (right) View_text(w, y, xm, X + W - xm, "stable: the max subtracted first", 1);
    y++;
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y, xx, CX, "%*s", CX - 1, "x");
        View_printf(w, y, xe, CE, "%*s", CE - 1, "exp(x)");
        View_printf(w, y, xp, CP, "%*s", CP - 1, "p");
        if (right) {
            View_printf(w, y, xm, CXM, "%*s", CXM - 1, "x - max");
            View_printf(w, y, xe2, CE2, "%*s", CE2 - 1, "exp(x-max)");
            View_printf(w, y, xp2, CP2, "%*s", CP2 - 1, "p");
        }
        Crt_set(w, CA_NORMAL);
        y++;
    }
    for (int k = 0; k < c->n_ex && y < bottom; k++) {
        const SoftmaxExample *e = &c->ex[k];
        if (k > 0 && y + 1 + e->n < bottom) y++;   /* a blank line between examples when it fits */
        /* title with the sums over the whole vector */
        Crt_set(w, CA_TITLE);
        char sn[32];
        LessonView_num(sn, sizeof sn, e->sum_naive, 1);
        if (right) {
            View_text(w, y, xl, xp - 4 - xl, e->title, 1);
            Crt_set(w, isfinite(e->sum_naive) && e->sum_naive > 0 ? CA_NORMAL : CA_ERROR);
            char sum[48];
            snprintf(sum, sizeof sum, "Σ = %s", sn);
            View_printf(w, y, xs - View_width(sum), View_width(sum), "%s", sum);
            Crt_set(w, CA_NORMAL);
            snprintf(sum, sizeof sum, "Σ = %.4f", e->sum_stable);
            View_printf(w, y, xp2 + CP2 - View_width(sum), View_width(sum), "%s", sum);
        } else {
            View_printf(w, y, xl, W, "%s   Σ = %s", e->title, sn);
        }
        Crt_set(w, CA_NORMAL);
        y++;
        for (int i = 0; i < e->n && y < bottom; i++, y++) {
            Crt_set(w, CA_DIM);
            if (e->label[i][0]) View_printf(w, y, xl, CL - 1, "\"%s\"", e->label[i]);
            Crt_set(w, CA_NORMAL);
            cell(w, y, xx, CX, e->x[i], CA_NORMAL);
            cell(w, y, xe, CE, e->e_naive[i], CA_NORMAL);
            cell(w, y, xp, CP, e->p_naive[i], CA_NORMAL);
            if (right) {
                Crt_set(w, CA_DIM);
                View_text(w, y, xs + 1, 1, "│", 0);
                cell(w, y, xm, CXM, (double)e->x[i] - e->max, CA_NORMAL);
                cell(w, y, xe2, CE2, e->e_stable[i], CA_NORMAL);
                cell(w, y, xp2, CP2, e->p_stable[i], CA_TITLE);
            }
        }
    }
    if (c->note[0] && y < bottom) {
        Crt_set(w, CA_KEY);
        View_text(w, y, X, W, c->note, 1);
        Crt_set(w, CA_NORMAL);
    }
}

static const char *const softmax_help[] = {
    "↑ ↓ , .          the position whose real logits are shown;  b  the batch row",
    NULL,
};

const ViewClass View_softmax_demo = {"softmax demo", softmax_demo_draw, NULL, softmax_help};
