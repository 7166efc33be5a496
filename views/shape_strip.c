/* shape_strip.c - the whole walk as a chain of stations with their shapes:
 *     0 tokens → 1 embed → ... → 5 LM head → 6 softmax → 7 next
 *     (2,6)      ◆(2,6,64)       ◆(2,6,512)
 * the current station highlighted and the stations where the shape changes marked ◆.
 * When the walk does not fit, a window around the current station is shown with … at the
 * cut ends. Records where each item was drawn so a mouse click can jump there. */
#include "views/view.h"

#include <stdio.h>
#include <string.h>

static int item_width(const StripItem *it) {
    char top[48];
    snprintf(top, sizeof top, "%s %s", it->number, it->name);
    int a = View_width(top), b = View_width(it->shape) + (it->changes ? 1 : 0);
    return a > b ? a : b;
}

static void strip_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    c->hit_n = 0;
    c->hit_y0 = c->y;
    c->hit_y1 = c->y + (c->h >= 2 ? 1 : 0);
    if (c->h < 1 || c->w < 10 || c->n_strip <= 0) return;
    int n = c->n_strip > VIEW_MAXSTRIP ? VIEW_MAXSTRIP : c->n_strip;
    int cur = c->strip_cur < 0 ? 0 : c->strip_cur >= n ? n - 1 : c->strip_cur;
    int iw[VIEW_MAXSTRIP];
    for (int i = 0; i < n; i++) iw[i] = item_width(&c->strip[i]);
    const int arrow = 3;                         /* " → " */
    int tw = c->strip_title ? View_width(c->strip_title) + 1 : 0;
    if (tw > c->w / 3) tw = c->w / 3;
    int room = c->w - tw - 2;                    /* 1 col each side for '…' */
    /* grow a window [lo, hi] around cur while it fits */
    int lo = cur, hi = cur, used = iw[cur];
    for (;;) {
        int grown = 0;
        if (hi + 1 < n && used + arrow + iw[hi + 1] <= room) { hi++; used += arrow + iw[hi]; grown = 1; }
        if (lo > 0 && used + arrow + iw[lo - 1] <= room) { lo--; used += arrow + iw[lo]; grown = 1; }
        if (!grown) break;
    }
    int x = c->x;
    if (tw > 0) {
        Crt_set(w, CA_DIM);
        View_text(w, c->y, x, tw - 1, c->strip_title, 1);
        Crt_set(w, CA_NORMAL);
        x += tw;
    }
    Crt_set(w, CA_DIM);
    if (lo > 0) View_text(w, c->y, x, 1, "…", 0);
    Crt_set(w, CA_NORMAL);
    x += 1;
    for (int i = lo; i <= hi; i++) {
        const StripItem *it = &c->strip[i];
        char top[48];
        snprintf(top, sizeof top, "%s %s", it->number, it->name);
        CrtAttr ca = i == cur ? CA_CURRENT : it->changes ? CA_SHAPECHANGE : CA_NORMAL;
        Crt_set(w, ca);
        if (i == cur) for (int q = 0; q < iw[i]; q++) mvwaddch(w, c->y, x + q, ' ');
        View_text(w, c->y, x, iw[i], top, 1);
        if (c->h >= 2) {
            Crt_set(w, i == cur ? CA_CURRENT : it->changes ? CA_SHAPECHANGE : CA_DIM);
            if (i == cur) for (int q = 0; q < iw[i]; q++) mvwaddch(w, c->y + 1, x + q, ' ');
            char sh[56];
            snprintf(sh, sizeof sh, "%s%s", it->changes ? "◆" : "", it->shape);
            View_text(w, c->y + 1, x, iw[i], sh, 1);
        }
        if (c->hit_n < VIEW_MAXSTRIP) {
            c->hit_x0[c->hit_n] = x;
            c->hit_x1[c->hit_n] = x + iw[i] - 1;
            c->hit_idx[c->hit_n] = i;
            c->hit_n++;
        }
        x += iw[i];
        Crt_set(w, CA_DIM);
        if (i < hi) View_text(w, c->y, x, arrow, " → ", 0);
        Crt_set(w, CA_NORMAL);
        x += arrow;
    }
    Crt_set(w, CA_DIM);
    if (hi < n - 1) View_text(w, c->y, x - arrow + 1, 1, "…", 0);
    Crt_set(w, CA_NORMAL);
}

/* Which strip item is at screen (y, x), or -1. */
int View_strip_hit(const ViewCtx *c, int y, int x) {
    if (y < c->hit_y0 || y > c->hit_y1) return -1;
    for (int i = 0; i < c->hit_n; i++)
        if (x >= c->hit_x0[i] && x <= c->hit_x1[i]) return c->hit_idx[i];
    return -1;
}

const ViewClass View_shape_strip = {"shape strip", strip_draw, NULL, NULL};
