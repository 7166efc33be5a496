/* explain_view.c - one cell's computation in a framed box (explain_view.h): the cell as a
 * formula on the frame's first line, the steps with their numbers, and last the result beside
 * the cell's own value, so a student can see they agree. Long lines wrap onto a second line
 * when there is room, else end in '…'. */
#include "views/explain_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* lines a text of width tw takes in iw columns, at most 2 */
static int lines_of(int tw, int iw) { return tw > iw ? 2 : 1; }

static void explain_draw(ViewCtx *vc) {
    ExplainCtx *ec = (ExplainCtx *)vc;
    WINDOW *w = vc->win;
    const int bw = vc->w, bh = vc->h, x0 = vc->x, y0 = vc->y;
    if (bw < 20 || bh < 4) return;
    Crt_set(w, CA_NORMAL);
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) mvwaddch(w, y0 + y, x0 + x, ' ');
    Crt_set(w, CA_TITLE);
    Crt_box(w, y0, x0, bh, bw);
    char top[EXPLAIN_COLS + 64];
    snprintf(top, sizeof top, " how was this made? %s ", ec->where ? ec->where : "");
    View_text(w, y0, x0 + 2, bw - 4, top, 1);
    View_text(w, y0 + bh - 1, x0 + 2, bw - 4, " i or Esc closes · , . < > move the cell · w another tensor ", 1);
    const int iw = bw - 4, inner = bh - 2;
    int y = y0 + 1;
    const Explain *e = ec->e;
    if (!e) {
        Crt_set(w, CA_DIM);
        View_wrap(w, y, x0 + 2, iw, inner, ec->why ? ec->why : "nothing to explain here");
        Crt_set(w, CA_NORMAL);
        return;
    }
    /* the result line: the explanation's number beside the cell's */
    char res[EXPLAIN_COLS];
    if (e->masked) snprintf(res, sizeof res, "the cell shows %s: fixed by the causal mask", isinf(e->value) ? "-inf" : "0");
    else {
        /* both to the same digits: 6, or fewer when float rounding differs in the last ones */
        char r1[32], r2[32];
        int digits = 6;
        for (; digits > 3; digits--) {
            snprintf(r1, sizeof r1, "%.*g", digits, e->result);
            snprintf(r2, sizeof r2, "%.*g", digits, e->value);
            if (!strcmp(r1, r2)) break;
        }
        snprintf(res, sizeof res, "result %s    the cell: %s", r1, r2);
    }
    /* room: title, lines, result; wrap only while everything still fits */
    int need = 2 + e->n;
    int wrap = 1;
    for (int i = 0; i < e->n; i++) need += lines_of(View_width(e->line[i]), iw) - 1;
    if (need > inner) wrap = 0;
    Crt_set(w, CA_CURSOR);
    View_text(w, y++, x0 + 2, iw, e->title, 1);
    Crt_set(w, CA_NORMAL);
    int last = y0 + bh - 2;   /* the result goes on the last inner line */
    for (int i = 0; i < e->n && y < last; i++) {
        if (wrap && View_width(e->line[i]) > iw && y + 1 < last) y += View_wrap(w, y, x0 + 2, iw, 2, e->line[i]);
        else View_text(w, y++, x0 + 2, iw, e->line[i], 1);
    }
    Crt_set(w, e->masked || fabs(e->result - e->value) <= 1e-5 * e->scale + 1e-6 ? CA_OK : CA_ERROR);
    View_text(w, last, x0 + 2, iw, res, 1);
    Crt_set(w, CA_NORMAL);
}

static const char *const explain_help[] = {
    "i    how was this made? the cell's computation with its numbers (again: close)",
    NULL,
};

const ViewClass View_explain = {"explain", explain_draw, NULL, explain_help};
