/* nearest.c - the tokens nearest to one token in embedding space: every row of E (V,D) is
 * compared with the token's row by cosine similarity (one matrix-vector product), best first,
 * with a bar per cosine. */
#include "views/lesson_views.h"

#include <stdio.h>
#include <string.h>

static void nearest_draw(ViewCtx *vc) {
    NearCtx *c = (NearCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 20) return;
    const int zoom = vc->zoom < 1 ? 1 : vc->zoom;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, X, W, "nearest to \"%s\" (id %d) among the V = %d rows of E, by cosine similarity", c->query, c->query_id, c->V);
    Crt_set(w, CA_MATHS);
    if (y < bottom) View_text(w, y++, X, W, "cos[v] = E[v]·q / (|E[v]| |q|), all V at once: s = E q, one (V,D)@(D) product", 1);
    Crt_set(w, CA_NORMAL);
    if (c->n <= 0) {
        if (y < bottom) View_text(w, y, X, W, "no neighbours (a zero vector has no direction)", 1);
        return;
    }
    int lw = View_label_width(c->label, c->n, 8, 20);
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, X, W, "%3s  %-*s %7s %8s", "#", lw, "token", "id", "cos");
        Crt_set(w, CA_NORMAL);
    }
    const int fixed = 5 + lw + 1 + 7 + 9 + 2;
    int bw = W - fixed;
    if (bw > 40 * zoom) bw = 40 * zoom;
    const int foot = c->note[0] ? 1 : 0;
    const int step = zoom >= 2 ? 2 : 1;
    for (int i = 0; i < c->n && y < bottom - foot; i++, y += step) {
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, "\"%s\"", c->label[i]);
        Crt_set(w, i == 0 ? CA_TITLE : CA_NORMAL);
        View_printf(w, y, X, 5, "%3d", i + 1);
        View_text(w, y, X + 5, lw, lab, 1);
        View_printf(w, y, X + 5 + lw + 1, 7, "%7d", c->near[i].id);
        View_printf(w, y, X + 5 + lw + 8, 9, "%8.4f", c->near[i].cos);
        Crt_set(w, CA_BAR);
        if (bw > 2) LessonView_bar(w, y, X + fixed, bw, c->near[i].cos);
        Crt_set(w, CA_NORMAL);
    }
    if (foot && bottom - 1 >= y) {
        Crt_set(w, CA_DIM);
        View_text(w, bottom - 1, X, W, c->note, 1);
        Crt_set(w, CA_NORMAL);
    }
}

static const char *const nearest_help[] = {
    "↑ ↓ , .          choose the token (any token of the prompts; e edits the prompt)",
    NULL,
};

const ViewClass View_nearest = {"nearest tokens", nearest_draw, NULL, nearest_help};
