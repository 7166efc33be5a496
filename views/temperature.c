/* temperature.c - softmax(logits / τ) on a slider: a low temperature sharpens the
 * distribution towards the argmax (one-hot), a high one flattens it towards uniform (1/V
 * each). Bars are relative to the top probability, so a flat distribution shows as equal
 * bars; the entropy says how far it is between 0 (argmax) and log V (uniform). */
#include "views/lesson_views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void slider(WINDOW *w, int y, int x, int width, double t, double tmin, double tmax) {
    if (width < 5 || !(t > 0) || !(tmin > 0) || !(tmax > tmin)) return;
    double f = (log(t) - log(tmin)) / (log(tmax) - log(tmin));
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    int pos = (int)(f * (width - 1) + 0.5);
    double f1 = (0 - log(tmin)) / (log(tmax) - log(tmin));   /* where τ = 1 sits */
    int one = (int)(f1 * (width - 1) + 0.5);
    for (int i = 0; i < width; i++) {
        Crt_set(w, i == pos ? CA_CURSOR : i <= pos ? CA_BAR : CA_DIM);
        mvwaddnwstr(w, y, x + i, i == pos ? L"●" : i == one ? L"┼" : L"━", 1);
    }
    Crt_set(w, CA_NORMAL);
}

static void temperature_draw(ViewCtx *vc) {
    TempCtx *c = (TempCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 40) return;
    const int zoom = vc->zoom < 1 ? 1 : vc->zoom;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    Crt_set(w, CA_TITLE);
    int used = View_printf(w, y, X, W, "p = softmax(logits / τ)   τ = %.2f", c->temp);
    Crt_set(w, CA_DIM);
    if (used + 4 < W) View_printf(w, y, X + used + 3, W - used - 3, "%s", c->where);
    Crt_set(w, CA_NORMAL);
    y++;
    /* the slider: log scale, τ = 1 (the model's own distribution) marked */
    if (y + 1 < bottom) {
        char lo[16], hi[16];
        snprintf(lo, sizeof lo, "%g", c->tmin);
        snprintf(hi, sizeof hi, "%g", c->tmax);
        int sw = W - 2 * 8;
        if (sw > 60) sw = 60;
        int sx = X + 8;
        Crt_set(w, CA_DIM);
        View_printf(w, y, X, 8, "τ %5s ", lo);
        slider(w, y, sx, sw, c->temp, c->tmin, c->tmax);
        Crt_set(w, CA_DIM);
        View_printf(w, y, sx + sw, W - (sx + sw - X), " %s", hi);
        y++;
        View_text(w, y, sx, 8, "argmax", 0);
        double f1 = (0 - log(c->tmin)) / (log(c->tmax) - log(c->tmin));
        int one = sx + (int)(f1 * (sw - 1) + 0.5);
        View_text(w, y, one - 1, 3, "τ=1", 0);
        View_text(w, y, sx + sw - 7, 7, "uniform", 0);
        Crt_set(w, CA_NORMAL);
        y++;
    }
    if (y < bottom) y++;
    int lw = View_label_width(c->label, c->n, 8, 18);
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, X, W, "%3s  %-*s %9s %9s   bars: relative to the top one", "#", lw, "token", "logit", "p at τ");
        Crt_set(w, CA_NORMAL);
    }
    const int foot = 2;
    const int fixed = 5 + lw + 1 + 9 + 10 + 2;
    int bw = W - fixed;
    if (bw > 50 * zoom) bw = 50 * zoom;
    double top = c->n > 0 && c->p[0] > 0 ? c->p[0] : 1;
    for (int i = 0; i < c->n && y < bottom - foot; i++) {
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, "\"%s\"", c->label[i]);
        Crt_set(w, i == 0 ? CA_TITLE : CA_NORMAL);
        View_printf(w, y, X, 5, "%3d", i + 1);
        View_text(w, y, X + 5, lw, lab, 1);
        View_printf(w, y, X + 5 + lw + 1, 9, "%9.3f", c->logit[i]);
        double pct = 100.0 * c->p[i];
        if (pct >= 0.01 || pct == 0) View_printf(w, y, X + 5 + lw + 10, 10, "%8.2f%%", pct);
        else View_printf(w, y, X + 5 + lw + 10, 10, "%9.1e", c->p[i]);
        Crt_set(w, CA_BAR);
        if (bw > 2) LessonView_bar(w, y, X + fixed, bw, c->p[i] / top);
        Crt_set(w, CA_NORMAL);
        y += zoom >= 2 && y + 2 < bottom - foot ? 2 : 1;
    }
    int fy = bottom - foot;
    if (fy < y) fy = y;
    if (fy < bottom) {
        Crt_set(w, CA_MATHS);
        View_printf(w, fy, X, W, "entropy H = %.3f nats (0 argmax ... log V = %.2f uniform: %.0f%%)  top-1 %.1f%%", c->entropy,
                    c->log_v, c->log_v > 0 ? 100.0 * c->entropy / c->log_v : 0.0, 100.0 * c->top_p);
        Crt_set(w, CA_NORMAL);
    }
    if (fy + 1 < bottom) {
        View_printf(w, fy + 1, X, W, "the lesson's [2, 1, 0] at this τ:  p = [%.3f, %.3f, %.3f]", c->demo_p[0], c->demo_p[1], c->demo_p[2]);
    }
}

static const char *const temperature_help[] = {
    "t T  ↑ ↓         temperature up / down (log steps);  Home: back to τ = 1",
    NULL,
};

const ViewClass View_temperature = {"temperature", temperature_draw, NULL, temperature_help};
