/* matmul.c - the matmul shape rule at the LM head, (B,T,D) @ (D,V) -> (B,T,V), in letters
 * and in numbers with the two inner D's marked (they must match, then vanish), and one
 * entry of the output computed in front of the student as a row · column dot product. */
#include "views/lesson_views.h"

#include <stdio.h>
#include <string.h>

enum { SEG_TEXT, SEG_AXIS };
typedef struct { int kind; char letter; long size; CrtAttr attr; const char *text; } Seg;

/* Two lines, letters above numbers, each axis as wide as the wider of its two spellings.
 * Writes the column of each segment into xs. Returns the width. */
static int draw_rule(WINDOW *w, int y, int x, int maxw, const Seg *s, int n, int *xs, int draw) {
    int cx = x;
    for (int i = 0; i < n; i++) {
        xs[i] = cx;
        if (s[i].kind == SEG_TEXT) {
            int tw = View_width(s[i].text);
            if (draw && cx - x + tw <= maxw) {
                Crt_set(w, CA_MATHS);
                View_text(w, y, cx, tw, s[i].text, 0);
                View_text(w, y + 1, cx, tw, s[i].text, 0);
            }
            cx += tw;
        } else {
            char l[4] = {s[i].letter, 0}, num[24];
            snprintf(num, sizeof num, "%ld", s[i].size);
            int aw = (int)strlen(num) > 1 ? (int)strlen(num) : 1;
            if (draw && cx - x + aw <= maxw) {
                Crt_set(w, s[i].attr);
                View_printf(w, y, cx, aw, "%*s", aw, l);
                View_printf(w, y + 1, cx, aw, "%*s", aw, num);
            }
            xs[i] = cx + aw - 1;   /* the column under the letter */
            cx += aw;
        }
    }
    Crt_set(w, CA_NORMAL);
    return cx - x;
}

static void matmul_draw(ViewCtx *vc) {
    MatmulCtx *c = (MatmulCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 30) return;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, X, W, "%s = %s @ %s: the matmul shape rule", c->out_name, c->x_name, c->w_name);
    Crt_set(w, CA_NORMAL);
    const Seg segs[] = {
        {SEG_TEXT, 0, 0, CA_MATHS, "("}, {SEG_AXIS, 'B', c->B, CA_MATHS, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ","},
        {SEG_AXIS, 'T', c->T, CA_MATHS, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ","}, {SEG_AXIS, 'D', c->D, CA_SHAPECHANGE, 0},
        {SEG_TEXT, 0, 0, CA_MATHS, ") @ ("}, {SEG_AXIS, 'D', c->D, CA_SHAPECHANGE, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ","},
        {SEG_AXIS, 'V', c->V, CA_TITLE, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ") -> ("}, {SEG_AXIS, 'B', c->B, CA_MATHS, 0},
        {SEG_TEXT, 0, 0, CA_MATHS, ","}, {SEG_AXIS, 'T', c->T, CA_MATHS, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ","},
        {SEG_AXIS, 'V', c->V, CA_TITLE, 0}, {SEG_TEXT, 0, 0, CA_MATHS, ")"},
    };
    const int ns = (int)(sizeof segs / sizeof *segs);
    int xs[32];
    int rw = draw_rule(w, y, X + 2, W - 2, segs, ns, xs, 0);
    if (y + 2 < bottom) {
        draw_rule(w, y, X + 2, W - 2, segs, ns, xs, 1);
        /* beside the rule, in words */
        int tx = X + 2 + rw + 3;
        if (tx + 20 < X + W) {
            Crt_set(w, CA_NORMAL);
            View_text(w, y, tx, X + W - tx, "the inner D's must match,", 1);
            View_text(w, y + 1, tx, X + W - tx, "then vanish; V appears", 1);
        }
        y += 2;
        /* a bracket under the two inner D's */
        int d1 = xs[5], d2 = xs[7];
        if (y < bottom && d2 > d1 + 1) {
            Crt_set(w, CA_SHAPECHANGE);
            mvwaddnwstr(w, y, d1, L"└", 1);
            for (int x = d1 + 1; x < d2; x++) mvwaddnwstr(w, y, x, L"─", 1);
            mvwaddnwstr(w, y, d2, L"┘", 1);
            char lab[48];
            snprintf(lab, sizeof lab, " D = %d ", c->D);
            int lw = (int)strlen(lab);
            if (d2 - d1 - 1 >= lw) View_text(w, y, d1 + 1 + (d2 - d1 - 1 - lw) / 2, lw, lab, 0);
            else View_text(w, y, d2 + 2, X + W - d2 - 2, "summed over: each entry is a dot product of length D", 1);
            Crt_set(w, CA_NORMAL);
            y++;
        }
    }
    if (y < bottom && vc->h >= 18) y++;
    if (y < bottom) {
        Crt_set(w, CA_TITLE);
        View_printf(w, y++, X, W, "one entry: %s[%d,%d,%d] = row %s[%d,%d,:] · column %s[:,%d]", c->out_name, c->b, c->t, c->v, c->x_name, c->b,
                    c->t, c->w_name, c->v);
        Crt_set(w, CA_NORMAL);
    }
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y++, X, W, "(the score of token \"%s\" as the next token after t=%d \"%s\" in row b=%d)", c->v_label, c->t, c->t_label, c->b);
        Crt_set(w, CA_NORMAL);
    }
    const int foot = 1;
    if (bottom - foot - y >= 4) {
        c->dot.vc = *vc;
        c->dot.vc.y = y;
        c->dot.vc.h = bottom - foot - y;
        View_dot.draw(&c->dot.vc);
        y += c->dot.used;
    }
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        long long entries = (long long)c->B * c->T * c->V;
        View_printf(w, y, X, W, "B·T·V = %d·%d·%d = %lld such dot products, each of length D = %d", c->B, c->T, c->V, entries, c->D);
        Crt_set(w, CA_NORMAL);
    }
}

static const char *const matmul_help[] = {
    "↑ ↓ , .          the position t (the row of x)",
    "Tab              the column: the next of the top-5 tokens at that position",
    "b                the batch row",
    NULL,
};

const ViewClass View_matmul = {"matmul rule", matmul_draw, NULL, matmul_help};
