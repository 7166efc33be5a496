/* attn_text.c - attention on the text: the row's tokens as chips, wrapped like a sentence,
 * each key token's background its attention weight A[query, key] for the chosen query
 * (c->pos) in one head (c->head) or averaged over the layer's heads (c->all_heads). The
 * query's own chip is bracketed; tokens after it are masked (the causal mask: it cannot see
 * them). Under the text: the keys it looks at most, with their weights. So "what does ␣sat
 * look at?" reads as text. c->tv is the layer's probabilities (B,h,T,T). */
#include "views/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The weight query i gives key j: one head's, or the mean over the heads. */
static double weight(const ViewCtx *c, int i, int j) {
    int nh = c->tv.ndim == 4 ? c->tv.dims[1] : 1;
    int h0 = c->all_heads ? 0 : c->head, h1 = c->all_heads ? nh : c->head + 1;
    double s = 0;
    int n = 0;
    for (int h = h0; h < h1; h++) {
        Mat m;
        if (View_matrix(&c->tv, c->b, h, &m) != 0 || i >= m.rows || j >= m.cols) continue;
        s += Mat_at(&m, i, j);
        n++;
    }
    return n ? s / n : 0;
}

static void attn_text_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 2 || c->w < 20) return;
    if (!c->has_tv || c->tv.ndim != 4 || !c->tok || c->b < 0 || c->b >= c->tok->B) {
        Crt_set(w, CA_DIM);
        View_text(w, c->y, c->x, c->w, "no attention to show here", 1);
        Crt_set(w, CA_NORMAL);
        return;
    }
    const int nh = c->tv.dims[1];
    int len = c->tok->len[c->b];
    if (len > c->tv.dims[2]) len = c->tv.dims[2];
    if (len < 1) return;
    if (c->pos >= len) c->pos = len - 1;
    if (c->pos < 0) c->pos = 0;
    if (c->head < 0) c->head = 0;
    if (c->head >= nh) c->head = nh - 1;
    const int q = c->pos;
    const int bottom = c->y + c->h;
    int y = c->y;

    char who[64];
    if (c->all_heads) snprintf(who, sizeof who, "all %d heads averaged", nh);
    else snprintf(who, sizeof who, "head %d of %d", c->head, nh);
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, c->x, c->w, "what does \"%s\" (t=%d) look at?  block %d, %s", TokenTable_label(c->tok, c->b, q), q,
                c->layer + 1, who);
    Crt_set(w, CA_DIM);
    if (y < bottom) View_text(w, y++, c->x, c->w, "each token's background: the weight A[t, key] it gets (softmax row t, sums to 1)", 1);
    Crt_set(w, CA_NORMAL);
    if (y < bottom) y++;

    /* the chips, wrapped: " label " over the weight's colour, the weight in % beneath; when
     * they take more lines than fit, the lines scroll so that the query's stays in view */
    int rows = (bottom - y - 2) / 3;   /* chip lines that fit, keeping two lines below */
    if (rows < 1) rows = 1;
    int qline = 0, nline = 0;
    for (int j = 0, x = c->x; j < len; j++) {
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, j == q ? "[%s]" : " %s ", TokenTable_label(c->tok, c->b, j));
        int width = View_width(lab) > 6 ? View_width(lab) : 6;
        if (width > c->w) width = c->w;
        if (x + width > c->x + c->w && x > c->x) { x = c->x; nline++; }
        if (j == q) qline = nline;
        x += width + 1;
    }
    int line0 = qline >= rows ? qline - rows + 1 : 0;
    if (line0 > 0 && y < bottom) {
        Crt_set(w, CA_DIM);
        View_printf(w, y - 1, c->x, c->w, "(… %d earlier lines of the text)", line0);
        Crt_set(w, CA_NORMAL);
    }
    int x = c->x, cur_line = 0;
    const int y0 = y;
    for (int j = 0; j < len; j++) {
        char lab[VIEW_LABEL + 4], pct[16];
        snprintf(lab, sizeof lab, j == q ? "[%s]" : " %s ", TokenTable_label(c->tok, c->b, j));
        int masked = j > q;
        double a = masked ? 0 : weight(c, q, j);
        if (masked) snprintf(pct, sizeof pct, "masked");
        else snprintf(pct, sizeof pct, "%.0f%%", 100 * a);
        int cw = View_width(lab);
        int width = cw > 6 ? cw : 6;   /* room for "masked" and "100%" */
        if (width > c->w) width = c->w;
        if (x + width > c->x + c->w && x > c->x) { x = c->x; cur_line++; }
        y = y0 + 3 * (cur_line - line0);
        if (cur_line < line0) { x += width + 1; continue; }
        if (y + 1 >= bottom || cur_line >= line0 + rows) break;
        if (masked) {
            Crt_set(w, CA_MASK);
            View_text(w, y, x, width, lab, 1);
            Crt_set(w, CA_DIM);
            View_text(w, y + 1, x, width, pct, 0);
        } else {
            char cell[VIEW_LABEL + 8];
            snprintf(cell, sizeof cell, "%-*s", width, lab);
            Crt_text_on(w, y, x, width, SCALE_SEQ, a, cell);
            Crt_set(w, j == q ? CA_TITLE : CA_NORMAL);
            View_text(w, y + 1, x, width, pct, 0);
        }
        Crt_set(w, CA_NORMAL);
        x += width + 1;
    }
    y = y0 + 3 * (cur_line - line0 + 1 < rows ? cur_line - line0 + 1 : rows);

    /* the keys it looks at most */
    if (y < bottom) {
        int best[3] = {-1, -1, -1};
        for (int j = 0; j <= q; j++) {
            double a = weight(c, q, j);
            for (int r = 0; r < 3; r++)
                if (best[r] < 0 || a > weight(c, q, best[r])) {
                    for (int s = 2; s > r; s--) best[s] = best[s - 1];
                    best[r] = j;
                    break;
                }
        }
        char line[256];
        int o = snprintf(line, sizeof line, "\"%s\" looks most at:", TokenTable_label(c->tok, c->b, q));
        for (int r = 0; r < 3 && best[r] >= 0 && o < (int)sizeof line; r++)
            o += snprintf(line + o, sizeof line - (size_t)o, "%s \"%s\" (t=%d) %.0f%%", r ? "," : "", TokenTable_label(c->tok, c->b, best[r]),
                          best[r], 100 * weight(c, q, best[r]));
        View_text(w, y++, c->x, c->w, line, 1);
    }
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        View_text(w, y, c->x, c->w, crt.mode == CRT_MONO ? ", . Tab query  { } head  a all heads  v back to the map  (reverse: > 50%)"
                                                         : ", . Tab query  { } head  a all heads averaged  v back to the map", 1);
        Crt_set(w, CA_NORMAL);
    }
}

static const char *const attn_text_help[] = {
    ", .  Tab         the query token (whose attention is shown)",
    "{ }              previous / next head;  a  all heads averaged / one",
    "v                back to the (T,T) map",
    NULL,
};

const ViewClass View_attn_text = {"attention on the text", attn_text_draw, NULL, attn_text_help};
