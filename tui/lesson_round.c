/* lesson_round.c - the lesson's rounding page: one real dot product of block 1, the query
 * q[t][r] = xn[t] · Wq[r], with Wq's row rounded to 8 bits (Q8_0) and to 4 bits (Q4_0) the way
 * ggml rounds them (engine/qblock.c), the products side by side, and what the rounding does to
 * the sum: each weight moves by up to half a step d/2, but the errors' signs mix, so the dot's
 * error is far below the worst case sum of |e_i x_i|. */
#include "tui/lesson.h"
#include "engine/qblock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LW 12   /* row names */
#define CW 7    /* one product's column */

void LessonPage_round(Lesson *ls, App *a, int y, int h) {
    const Model *m = a->m;
    Trace *t = a->trace;
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h, D = m->c.dim;
    char line[512], num[32], err[SW_ERR_LEN] = "";
    const LayerWeights *lw = &m->layers[0];
    const Linear *Wq = lw->attn_q.w || lw->attn_q.q ? &lw->attn_q : &lw->attn_qkv;   /* GPT-2: q is the first D of q|k|v */
    const float *bias = lw->attn_q.w || lw->attn_q.q ? lw->attn_q_b : lw->attn_qkv_b;
    if (D % 32 || Wq->in != D) {
        App_message(y, W, CA_DIM, "this model's rows are not whole blocks of 32: the page needs D a multiple of 32");
        return;
    }
    const LayerRec *rec = Trace_layer(t, 0, err);
    if (!rec) { App_message(y, W, CA_ERROR, err[0] ? err : "out of memory"); return; }
    int b = a->vc.b < t->B ? a->vc.b : 0, pos = t->len[b] - 1;
    if (ls->rd_unit < 0) ls->rd_unit = D - 1;
    if (ls->rd_unit >= D) ls->rd_unit = 0;
    const int r = ls->rd_unit;
    float *wf = malloc(sizeof(float) * (size_t)D * 3);
    if (!wf) return;
    float *w8 = wf + D, *w4 = wf + 2 * D;
    Linear_row(Wq, r, wf);
    QBlock_round(QT_Q8_0, wf, D, w8);
    QBlock_round(QT_Q4_0, wf, D, w4);
    const float *x = rec->norm1 + ((size_t)b * t->Tcap + pos) * D;
    double y32 = 0, y8 = 0, y4 = 0, worst4 = 0, worst8 = 0, e4sq = 0, e8sq = 0, ww = 0, xx = 0;
    for (int i = 0; i < D; i++) {
        double e8 = ((double)w8[i] - wf[i]) * x[i], e4 = ((double)w4[i] - wf[i]) * x[i];
        y32 += (double)wf[i] * x[i];
        y8 += (double)w8[i] * x[i];
        y4 += (double)w4[i] * x[i];
        worst8 += fabs(e8);
        worst4 += fabs(e4);
        e8sq += e8 * e8;
        e4sq += e4 * e4;
        ww += (double)wf[i] * wf[i];
        xx += (double)x[i] * x[i];
    }
    const double scale = sqrt(ww * xx);   /* |y| can be at most |w||x| */
    /* the trace's own q at (b, pos, r), before its bias: the same number as the F32 dot */
    double q_trace = rec->q[((size_t)b * t->Tcap + pos) * (size_t)(m->c.n_heads * m->c.head_dim) + r] - (bias ? bias[r] : 0);
    char lab[64];
    Tokenizer_label(m->tok, Trace_id(t, b, pos), 1, lab, sizeof lab);
    snprintf(line, sizeof line, "q[t][r] = xn[t] · Wq[r]: block 1's query unit r=%d (↑↓) at t=%d '%s' (row %d): %d products summed", r, pos,
             lab, b, D);
    App_message(y, W, CA_TITLE, line);
    snprintf(line, sizeof line, "Wq is %s in this file; below it is rounded again the way ggml does: 8 bits (Q8_0: 256 levels, step d = max|w|/127",
             m->weights);
    App_message(y + 1, W, CA_DIM, line);
    App_message(y + 2, W, CA_DIM, "per block of 32) and 4 bits (Q4_0: 16 levels, step d = max|w|/8, so 16 times coarser).");
    int per = (W - LW) / CW;
    if (per > 32) per = 32;
    int row = y + 4;
    const char *names[] = {"i", "x = xn[i]", "w (file)", "w 8-bit", "w 4-bit", "4-bit err·x"};
    double emax = 1e-12;
    for (int i = 0; i < per && i < D; i++) {
        double e = ((double)w4[i] - wf[i]) * x[i];
        if (fabs(e) > emax) emax = fabs(e);
    }
    for (int k = 0; k < 6 && row < bottom - 6; k++, row++) {
        mvwhline(w, row, 0, ' ', W);
        Crt_set(w, CA_DIM);
        View_text(w, row, 0, LW - 1, names[k], 1);
        Crt_set(w, k == 0 ? CA_DIM : CA_NORMAL);
        for (int i = 0; i < per && i < D; i++) {
            int cx = LW + i * CW;
            double v = k == 1 ? x[i] : k == 2 ? wf[i] : k == 3 ? w8[i] : k == 4 ? w4[i] : ((double)w4[i] - wf[i]) * x[i];
            if (k == 0) snprintf(num, sizeof num, "%d", i);
            else View_num(num, sizeof num, v, CW - 1);
            if (k == 5) Crt_text_on(w, row, cx, CW - 1, SCALE_DIV, v / emax, num);
            else View_text(w, row, cx, CW - 1, num, 0);
        }
        Crt_set(w, CA_NORMAL);
    }
    if (per < D && row < bottom - 6) {
        snprintf(line, sizeof line, "(the first %d of the %d products; the sums below take all of them)", per, D);
        App_message(row++, W, CA_DIM, line);
    }
    row++;
    if (row < bottom) {
        snprintf(line, sizeof line, "  weights as in the file  y = %+.6f   (the trace's q[%d][%d]%s = %+.6f)", y32, pos, r, bias ? " − bias" : "", q_trace);
        App_message(row++, W, CA_NORMAL, line);
    }
    if (row < bottom) {
        snprintf(line, sizeof line, "  rounded to 8 bits       y = %+.6f   error %+.6f   worst case Σ|e·x| %.5f, typical ±√Σ(e·x)² %.5f", y8, y8 - y32,
                 worst8, sqrt(e8sq));
        App_message(row++, W, CA_NORMAL, line);
    }
    if (row < bottom) {
        snprintf(line, sizeof line, "  rounded to 4 bits       y = %+.6f   error %+.6f   worst case Σ|e·x| %.5f, typical ±√Σ(e·x)² %.5f", y4, y4 - y32,
                 worst4, sqrt(e4sq));
        App_message(row++, W, CA_NORMAL, line);
    }
    if (row < bottom) {
        snprintf(line, sizeof line, "  against |w|·|x| = %.4f (the most |y| can be): 8 bits %.2f%%, 4 bits %.2f%%", scale,
                 scale > 0 ? 100 * fabs(y8 - y32) / scale : 0, scale > 0 ? 100 * fabs(y4 - y32) / scale : 0);
        App_message(row++, W, CA_NORMAL, line);
    }
    if (row < bottom) {
        snprintf(line, sizeof line, "The errors' signs mix: a sum of %d of them grows like √%d = %.0f of one, not %d; 4-bit steps are 16× coarser than 8-bit ones.", D, D,
                 sqrt((double)D), D);
        App_message(row++, W, CA_KEY, line);
    }
    free(wf);
}
