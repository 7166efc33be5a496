/* topk.c - the next-token distribution at one position: the k most probable tokens with
 * their logits, logits minus the max (the stability trick: exp never overflows), the
 * probabilities as bars and percentages, the sum over all V, and the entropy. */
#include "views/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- large print: tokens, percentages and bars in the big font, paged when k rows do not fit ---- */

static void topk_draw_big(ViewCtx *c) {
    WINDOW *w = c->win;
    int y = c->y;
    float temp = c->temperature > 0 ? c->temperature : 1;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, c->x, c->w, "next token after t=%d \"%s\" (row b=%d): top %d of V=%d", c->pos, TokenTable_label(c->tok, c->b, c->pos),
                c->b, c->n_topk, c->cfg ? c->cfg->vocab_size : 0);
    Crt_set(w, CA_MATHS);
    View_printf(w, y++, c->x, c->w, "p = softmax(%s),  max logit = %.4f   big: the token, %s, a bar",
                temp != 1 ? "(logits - max) / T" : "logits - max", c->max_logit, c->show_logits ? "its logit" : "its probability");
    Crt_set(w, CA_NORMAL);
    int avail = c->y + c->h - 2 - y;   /* two lines of footer */
    /* the largest print at which all k rows fit; else the smallest, paged */
    static const int sizes[][2] = {{3, 3}, {2, 3}, {2, 2}, {1, 2}, {1, 1}};
    int sx = 1, sy = 1, per = 1;
    for (size_t i = c->zoom >= 3 ? 0 : 2; i < sizeof sizes / sizeof *sizes; i++) {
        sx = sizes[i][0];
        sy = sizes[i][1];
        per = avail / (View_big_rows_xy(sy) + 1);
        if (per >= c->n_topk) break;
    }
    if (per < 1) per = 1;
    int rows = View_big_rows_xy(sy);
    int np = (c->n_topk + per - 1) / per;
    if (np < 1) np = 1;
    if (c->page >= np) c->page = np - 1;
    if (c->page < 0) c->page = 0;
    c->n_pages = np;
    /* columns: rank, "token", the number, the bar */
    char num[VIEW_MAXK][16];
    int lw = 0, nw = 0, rw = View_big_width_s(c->n_topk >= 10 ? "00" : "0", sx);
    for (int i = 0; i < c->n_topk; i++) {
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, "\"%s\"", c->topk_label[i]);
        int lwi = View_big_width_s(lab, sx);
        if (lwi > lw) lw = lwi;
        if (c->show_logits) snprintf(num[i], sizeof num[i], "%.2f", c->topk[i].logit);
        else snprintf(num[i], sizeof num[i], "%.1f%%", 100.0 * c->topk[i].prob);
        int nwi = View_big_width_s(num[i], sx);
        if (nwi > nw) nw = nwi;
    }
    if (lw > c->w * 2 / 5) lw = c->w * 2 / 5;   /* a long label is cut to the small text below it */
    int gap = 2 * sx;
    int x_lab = c->x + rw + gap, x_num = x_lab + lw + gap, x_bar = x_num + nw + gap;
    int bw = c->x + c->w - x_bar;
    double top = c->topk[0].prob > 0 ? c->topk[0].prob : 1;
    int first = c->page * per;
    for (int i = first; i < c->n_topk && i < first + per; i++) {
        const TopK *t = &c->topk[i];
        int chosen = c->next_id[c->b] == t->id;
        char rank[16], lab[VIEW_LABEL + 4];
        snprintf(rank, sizeof rank, "%d", i + 1);
        snprintf(lab, sizeof lab, "\"%s\"", c->topk_label[i]);
        Crt_set(w, chosen ? CA_CURRENT : CA_DIM);
        View_big_xy(w, y, c->x + rw - View_big_width_s(rank, sx), rw, rank, sx, sy);
        Crt_set(w, chosen ? CA_CURRENT : CA_NORMAL);
        if (View_big_xy(w, y, x_lab, lw, lab, sx, sy) < 0) View_text(w, y + rows / 2, x_lab, lw, lab, 1);
        Crt_set(w, CA_TITLE);
        View_big_xy(w, y, x_num + nw - View_big_width_s(num[i], sx), nw, num[i], sx, sy);
        Crt_set(w, CA_BAR);
        if (bw > 2) {
            int full8 = (int)(t->prob / top * bw * 8 + 0.5);
            static const wchar_t *eighth[] = {L" ", L"▏", L"▎", L"▍", L"▌", L"▋", L"▊", L"▉", L"█"};
            for (int q = 0; q < bw; q++) {
                int cell = full8 - q * 8;
                const wchar_t *ch = cell >= 8 ? eighth[8] : cell <= 0 ? eighth[0] : eighth[cell];
                if (crt.mode == CRT_MONO && cell > 0) ch = cell >= 4 ? L"█" : L"▌";
                for (int r = 0; r < rows; r++) mvwaddnwstr(w, y + r, x_bar + q, ch, 1);
            }
        }
        /* the numbers behind it, small, on the line under the row */
        Crt_set(w, CA_DIM);
        if (y + rows < c->y + c->h - 2)
            View_printf(w, y + rows, x_lab, c->x + c->w - x_lab, "id %d   logit %.4f   logit-max %.4f   p %.4f", t->id, t->logit,
                        t->logit - c->max_logit, t->prob);
        Crt_set(w, CA_NORMAL);
        y += rows + 1;
    }
    int fy = c->y + c->h - 2;
    double lv = c->log_v > 0 ? c->log_v : (c->cfg ? log((double)c->cfg->vocab_size) : 0);
    Crt_set(w, CA_MATHS);
    View_printf(w, fy, c->x, c->w, "sum of p over all V = %.4f   entropy H = %.3f nats (uniform: log V = %.2f)", c->prob_sum, c->entropy, lv);
    Crt_set(w, CA_DIM);
    if (np > 1)
        View_printf(w, fy + 1, c->x, c->w, "rows %d-%d of %d, page %d/%d: PgDn next page, PgUp previous   k/K rows   t/T τ %.2f   , . position",
                    first + 1, first + per < c->n_topk ? first + per : c->n_topk, c->n_topk, c->page + 1, np, temp);
    else
        View_printf(w, fy + 1, c->x, c->w, "k/K more/fewer rows   t/T τ %.2f   , . position   b batch row   z normal print", temp);
    Crt_set(w, CA_NORMAL);
}

static void topk_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    c->n_pages = 1;
    if (c->h < 1 || c->w < 10) return;
    if (c->zoom >= 2 && c->h >= 8 && c->n_topk > 0) { topk_draw_big(c); return; }
    int y = c->y;
    const int bottom = c->y + c->h;
    float temp = c->temperature > 0 ? c->temperature : 1;
    /* the table's rows start 3 lines down (title, maths, column names) above a footer */
    int foot = c->h >= 8 ? 2 : c->h >= 5 ? 1 : 0;
    int fit = bottom - foot - (c->y + 3);
    if (fit < 0) fit = 0;
    int shown = c->n_topk < fit ? c->n_topk : fit;
    char fits[64] = "";
    if (shown < c->n_topk) snprintf(fits, sizeof fits, ", %d fit here", shown);   /* k asked for more than fit */
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, c->x, c->w, "next token after t=%d \"%s\" (row b=%d): top %d of V=%d%s", c->pos,
                TokenTable_label(c->tok, c->b, c->pos), c->b, c->n_topk, c->cfg ? c->cfg->vocab_size : 0, fits);
    Crt_set(w, CA_NORMAL);
    if (c->n_topk <= 0) {
        Crt_set(w, CA_DIM);
        View_text(w, y, c->x, c->w, "no distribution here (computing?)", 1);
        Crt_set(w, CA_NORMAL);
        return;
    }
    if (y < bottom) {
        /* p = exp(l - max) / Z, and the top token has l = max, so Z = 1 / p(top) */
        double z = c->topk[0].prob > 0 ? 1.0 / c->topk[0].prob : 0;
        Crt_set(w, CA_MATHS);
        if (c->show_logits)   /* station 5: the matmul's result, before any softmax */
            View_printf(w, y++, c->x, c->w, "logits[%d,%d,v] = x[%d,%d,:] · W_lm[:,v] (D=%d products summed), for all V=%d v", c->b, c->pos,
                        c->b, c->pos, c->cfg ? c->cfg->dim : 0, c->cfg ? c->cfg->vocab_size : 0);
        else if (temp != 1)
            View_printf(w, y++, c->x, c->w, "p = exp((logit - max) / τ) / Z,  Z = Σ exp(..) = %.4g,  max logit = %.4f", z, c->max_logit);
        else
            View_printf(w, y++, c->x, c->w, "p = exp(logit - max) / Z,  Z = Σ exp(..) = %.4g,  max logit = %.4f", z, c->max_logit);
        Crt_set(w, CA_NORMAL);
    }
    /* table: rank  token  logit  logit-max  prob  bar */
    int lw = View_label_width(c->topk_label, c->n_topk, 6, 16);
    int zoom = c->zoom < 1 ? 1 : c->zoom;
    int fixed = 4 + lw + 1 + 10 + 11 + 11 + 8 + 1;
    int bw = c->w - fixed;
    if (bw > 60 * zoom) bw = 60 * zoom;
    if (y < bottom) {
        Crt_set(w, CA_DIM);
        if (c->show_logits) View_printf(w, y++, c->x, c->w, "%3s %-*s %9s", "#", lw, "token", "logit");
        else View_printf(w, y++, c->x, c->w, "%3s %-*s %9s %10s %10s %7s", "#", lw, "token", "logit", "logit-max",
                         temp != 1 ? "exp(../τ)" : "exp(..)", "prob");
        Crt_set(w, CA_NORMAL);
    }
    int rh = zoom >= 2 && y + c->n_topk * 2 <= bottom - foot ? 2 : 1;
    double top = c->topk[0].prob > 0 ? c->topk[0].prob : 1;
    double shown_sum = 0;
    for (int i = 0; i < c->n_topk; i++) shown_sum += c->topk[i].prob;
    for (int i = 0; i < c->n_topk && y < bottom - foot; i++) {
        const TopK *t = &c->topk[i];
        char lab[VIEW_LABEL + 4];
        snprintf(lab, sizeof lab, "\"%s\"", c->topk_label[i]);
        int chosen = c->next_id[c->b] == t->id;
        Crt_set(w, chosen ? CA_CURRENT : CA_NORMAL);
        View_printf(w, y, c->x, 4, "%3d", i + 1);
        View_text(w, y, c->x + 4, lw, lab, 1);
        Crt_set(w, c->show_logits ? CA_TITLE : CA_NORMAL);
        View_printf(w, y, c->x + 4 + lw + 1, 9, "%9.4f", t->logit);
        if (c->show_logits) {   /* station 5 shows the scores alone: the softmax is station 6 */
            Crt_set(w, CA_NORMAL);
            y += rh;
            continue;
        }
        Crt_set(w, CA_DIM);
        View_printf(w, y, c->x + 4 + lw + 11, 10, "%10.4f", t->logit - c->max_logit);
        View_printf(w, y, c->x + 4 + lw + 22, 10, "%10.4f", exp((t->logit - c->max_logit) / temp));
        Crt_set(w, c->show_logits ? CA_NORMAL : CA_TITLE);
        View_printf(w, y, c->x + 4 + lw + 33, 7, "%6.2f%%", 100.0 * t->prob);
        Crt_set(w, CA_BAR);
        if (bw > 2) {
            double f = t->prob / top;
            int full8 = (int)(f * bw * 8 + 0.5);
            int x0 = c->x + fixed;
            for (int q = 0; q < bw; q++) {
                int cell = full8 - q * 8;
                static const wchar_t *eighth[] = {L" ", L"▏", L"▎", L"▍", L"▌", L"▋", L"▊", L"▉", L"█"};
                const wchar_t *ch = cell >= 8 ? eighth[8] : cell <= 0 ? eighth[0] : eighth[cell];
                if (crt.mode == CRT_MONO && cell > 0) ch = cell >= 4 ? L"█" : L"▌";
                mvwaddnwstr(w, y, x0 + q, ch, 1);
                if (rh == 2 && y + 1 < bottom - foot) mvwaddnwstr(w, y + 1, x0 + q, ch, 1);
            }
        }
        Crt_set(w, CA_NORMAL);
        y += rh;
    }
    if (foot >= 1) {
        int fy = bottom - foot;
        double lv = c->log_v > 0 ? c->log_v : (c->cfg ? log((double)c->cfg->vocab_size) : 0);
        Crt_set(w, CA_MATHS);
        /* p = exp(l - max) / Z, and the top token has l = max, so Z = 1 / p(top) */
        double z = c->topk[0].prob > 0 ? 1.0 / c->topk[0].prob : 0;
        if (c->show_logits)
            View_printf(w, fy, c->x, c->w, "largest logit %.4f: scores, not probabilities yet (station 6 makes them)",
                        c->max_logit);
        else {
            char s1[64], s2[96], s3[48], s4[48];   /* as many whole parts as fit */
            snprintf(s1, sizeof s1, "sum of p over all V = %.4f", c->prob_sum);
            snprintf(s2, sizeof s2, "entropy H = %.3f nats (uniform: log V = %.2f)", c->entropy, lv);
            snprintf(s3, sizeof s3, " Z = sum of exp = %.4g", z);
            snprintf(s4, sizeof s4, " top %d hold %.1f%%", c->n_topk, 100.0 * shown_sum);
            const char *parts[] = {s1, s2, s3, s4};
            View_items(w, fy, c->x, c->w, parts, 4);
        }
        Crt_set(w, CA_NORMAL);
        if (foot >= 2) {
            Crt_set(w, CA_DIM);
            View_printf(w, fy + 1, c->x, c->w, "k/K more/fewer rows   t/T τ %.2f   , . position   b batch row", temp);
            Crt_set(w, CA_NORMAL);
        }
    }
}

static const char *const topk_help[] = {
    "PgDn PgUp        large print: next / previous page of rows (when k rows do not fit)",
    NULL,
};

const ViewClass View_topk = {"top-k", topk_draw, View_page_key, topk_help};   /* PgDn PgUp: the rows' pages */
