/* lesson_pages.c - the classroom mode's questions and the numbers behind each page's picture,
 * taken from the live model and the current trace (engine/lesson.c does the maths, the
 * views in views/lesson_views.h draw). */
#include "tui/lesson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the shape quiz ---- */

/* One question per outer station, and block 1's three shape changes (q, scores, MLP) before
 * the block's own output. Choices are the classic confusions; the right one moves around. */
static const QuizItem quiz[] = {
    {ST_TOKENIZE, 0, {"(B,T)", "(T,)", "(B,T,D)", "(B,V)"}},
    {ST_EMBED, 1, {"(V,D)", "(B,T,D)", "(B,T,V)", "(B,D)"}},
    {ST_POSITIONS, 2, {"(T,D)", "(B,T,T)", "(B,T,D)", "(B,D)"}},
    {ST_QKV, 3, {"(B,T,D)", "(B,T,h)", "(B,h,T,T)", "(B,h,T,d)"}},
    {ST_SCORES, 3, {"(B,h,T,T)", "(B,h,d,d)", "(B,h,T,d)", "(B,T,T)"}},
    {ST_MLP_UP, 3, {"(B,T,D)", "(B,T,F)", "(B,F,D)", "(B,F)"}},
    {ST_BLOCK, 3, {"(B,T,F)", "(B,h,T,T)", "(B,T,V)", "(B,T,D)"}},
    {ST_FINAL_NORM, 4, {"(B,T)", "(B,T,D)", "(T,D)", "(B,D)"}},
    {ST_LM_HEAD, 5, {"(B,T,D)", "(B,V)", "(B,T,V)", "(V,D)"}},
    {ST_SOFTMAX, 6, {"(B,T,V)", "(B,T)", "(B,V)", "(V,)"}},
    {ST_NEXT, 7, {"(B,T)", "(B,V)", "(V,)", "(B,)"}},
};

int LessonQuiz_count(void) { return (int)(sizeof quiz / sizeof *quiz); }
const QuizItem *LessonQuiz_item(int i) { return i >= 0 && i < LessonQuiz_count() ? &quiz[i] : &quiz[0]; }

StationRef LessonQuiz_station(int i) {
    const QuizItem *q = LessonQuiz_item(i);
    StationRef s = {q->kind, q->kind >= ST_NORM1 || q->kind == ST_BLOCK ? 0 : -1};
    return s;
}

static void shape_of(App *a, StationKind k, char *buf, size_t cap) {
    StationRef s = {k, k >= ST_NORM1 || k == ST_BLOCK ? 0 : -1};
    LessonShape sh;
    Lesson_station_shape(&a->m->c, s, a->trace ? a->trace->B : a->B, a->trace ? a->trace->T : 0, &sh);
    LessonShape_format(&sh, 2, buf, cap);
}

void LessonQuiz_fill(Lesson *ls, App *a, int i, QuizCtx *q) {
    const Config *c = &a->m->c;
    const int learned_pos = c->pos == POS_LEARNED, layernorm = c->norm == NORM_LAYERNORM;
    const QuizItem *it = LessonQuiz_item(i);
    StationRef s = LessonQuiz_station(i);
    int B = a->trace ? a->trace->B : a->B, T = a->trace ? a->trace->T : 0;
    char in[96], sh[96];
    Station_label(s, q->station, sizeof q->station);
    q->known[0][0] = q->known[1][0] = 0;
    for (int k = 0; k < 4; k++) q->choices[k] = it->choices[k];
    q->n_choices = 4;
    switch (it->kind) {
    case ST_TOKENIZE:
        snprintf(q->maths, sizeof q->maths, "ids = encode(text)");
        snprintf(q->known[0], sizeof q->known[0], "B = %d prompt%s, cut into tokens; the longest has T = %d tokens", B,
                 B == 1 ? "" : "s", T);
        snprintf(q->question, sizeof q->question, "What shape is ids?");
        break;
    case ST_EMBED:
        snprintf(q->maths, sizeof q->maths, "x = E[ids]   (each id picks one row of E)");
        snprintf(q->known[0], sizeof q->known[0], "ids is (B,T) = (%d,%d), one integer per token; E is (V,D) = (%d,%d)", B, T, c->vocab_size, c->dim);
        snprintf(q->question, sizeof q->question, "What shape is x?");
        break;
    case ST_POSITIONS:
        shape_of(a, ST_EMBED, in, sizeof in);
        if (learned_pos) {
            snprintf(q->maths, sizeof q->maths, "x = x + P[0:T]   (a learned vector per position)");
            snprintf(q->known[0], sizeof q->known[0], "x is %s; P[0:T] is (T,D) = (%d,%d), shared by all B rows", in, T, c->dim);
            snprintf(q->question, sizeof q->question, "What shape is x + P[0:T]?");
        } else {
            snprintf(q->maths, sizeof q->maths, "nothing is added here: RoPE rotates q and k by position inside attention");
            snprintf(q->known[0], sizeof q->known[0], "x is %s", in);
            snprintf(q->question, sizeof q->question, "What shape comes out?");
        }
        break;
    case ST_QKV:
        shape_of(a, ST_NORM1, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "%s", c->qkv_fused ? "q|k|v = xn @ W_qkv + b, then q is split into h heads"
                                                  : c->qkv_bias ? "q = xn @ Wq + bq, then split into h heads" : "q = xn @ Wq, then split into h heads");
        snprintf(q->known[0], sizeof q->known[0], "xn is %s; Wq is (D,D) = (%d,%d)", in, c->dim, c->dim);
        snprintf(q->known[1], sizeof q->known[1], "D = h × d = %d × %d: each of the h heads gets d of the D numbers", c->n_heads, c->head_dim);
        snprintf(q->question, sizeof q->question, "What shape is q (heads as an axis before T)?");
        break;
    case ST_SCORES:
        shape_of(a, ST_QKV, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "S = q @ kᵀ / √d   (for each batch row and head)");
        snprintf(q->known[0], sizeof q->known[0], "q is %s; kᵀ swaps k's last two axes: (B,h,d,T)", in);
        snprintf(q->question, sizeof q->question, "What shape is S?");
        break;
    case ST_MLP_UP:
        shape_of(a, ST_NORM2, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "%s", c->mlp == MLP_GELU ? "hid = gelu(xn @ Wu + bu)" : "hid = silu(xn @ Wg) * (xn @ Wu)");
        snprintf(q->known[0], sizeof q->known[0], "xn is %s; Wu is (D,F) = (%d,%d)", in, c->dim, c->hidden_dim);
        snprintf(q->question, sizeof q->question, "What shape is hid?");
        break;
    case ST_BLOCK:
        shape_of(a, ST_EMBED, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "%s", layernorm ? "x = x + attn(LN(x));  x = x + mlp(LN(x))" : "x = x + attn(RMSNorm(x));  x = x + mlp(RMSNorm(x))");
        snprintf(q->known[0], sizeof q->known[0], "the block's input x is %s", in);
        snprintf(q->known[1], sizeof q->known[1], "inside: scores (B,h,T,T), MLP (B,T,F); each part is added back to x");
        snprintf(q->question, sizeof q->question, "What shape leaves block 1?");
        break;
    case ST_FINAL_NORM:
        shape_of(a, ST_BLOCK, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "%s", layernorm ? "x = LN_f(x)" : "x = RMSNorm(x)");
        snprintf(q->known[0], sizeof q->known[0], "x is %s; the norm rescales each token's row of D numbers", in);
        snprintf(q->question, sizeof q->question, "What shape comes out?");
        break;
    case ST_LM_HEAD:
        shape_of(a, ST_FINAL_NORM, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "%s", c->shared_classifier ? "logits = x @ W_lm   (W_lm = Eᵀ: the embedding E, transposed)" : "logits = x @ W_lm");
        snprintf(q->known[0], sizeof q->known[0], "x is %s; W_lm is (D,V) = (%d,%d)", in, c->dim, c->vocab_size);
        snprintf(q->question, sizeof q->question, "What shape are the logits?");
        break;
    case ST_SOFTMAX:
        shape_of(a, ST_LM_HEAD, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "probs = exp(logits - max) / Σ exp(logits - max)   (along the last axis)");
        snprintf(q->known[0], sizeof q->known[0], "logits are %s", in);
        snprintf(q->question, sizeof q->question, "What shape are the probabilities?");
        break;
    case ST_NEXT:
        shape_of(a, ST_SOFTMAX, in, sizeof in);
        snprintf(q->maths, sizeof q->maths, "next[b] = argmax(probs[b, len_b - 1, :])");
        snprintf(q->known[0], sizeof q->known[0], "probs are %s; [b, len_b - 1, :] keeps row b's own last position", in);
        snprintf(q->known[1], sizeof q->known[1], "and argmax picks one of the V entries");
        snprintf(q->question, sizeof q->question, "What shape is next?");
        break;
    default:
        break;
    }
    shape_of(a, it->kind, sh, sizeof sh);
    snprintf(q->answer, sizeof q->answer, "%s", sh);
    LessonShape want;
    Lesson_station_shape(c, s, B, T, &want);
    LessonShape_format(&want, 0, q->answer_letters, sizeof q->answer_letters);
    const QuizAnswer *an = &ls->ans[i];
    q->answered = an->answered;
    q->right = an->right;
    snprintf(q->given, sizeof q->given, "%s", an->given);
    if (an->answered) snprintf(q->why, sizeof q->why, "%s", an->why);
    else snprintf(q->why, sizeof q->why, "%s", ls->why);
    snprintf(q->typed, sizeof q->typed, "%s", ls->typed);
    q->sel = ls->sel;
    q->unreadable = ls->unreadable;
}

void LessonQuiz_answer(Lesson *ls, App *a, int i, const char *answer) {
    if (i < 0 || i >= LessonQuiz_count() || !a->trace) return;
    LessonShape want;
    Lesson_station_shape(&a->m->c, LessonQuiz_station(i), a->trace->B, a->trace->T, &want);
    char why[SW_ERR_LEN] = "";
    LessonVerdict v = Lesson_check_shape(&want, answer, why, sizeof why);
    if (v == LESSON_UNREADABLE) {
        ls->unreadable = 1;
        snprintf(ls->why, sizeof ls->why, "%s", why);
        return;
    }
    QuizAnswer *an = &ls->ans[i];
    an->answered = 1;
    an->right = v == LESSON_RIGHT;
    /* what was said, tidied: "b t d" -> "b t d" as typed, trimmed */
    while (*answer == ' ') answer++;
    snprintf(an->given, sizeof an->given, "%s", answer);
    size_t n = strlen(an->given);
    while (n > 0 && an->given[n - 1] == ' ') an->given[--n] = 0;
    snprintf(an->why, sizeof an->why, "%s", v == LESSON_RIGHT ? "" : why);
    ls->typed[0] = 0;
    ls->unreadable = 0;
    ls->why[0] = 0;
}

/* ---- helpers ---- */

/* The view context with the chosen row and position kept inside the trace. */
static ViewCtx base_ctx(App *a, int y, int h) {
    ViewCtx c = App_view_ctx(a, y, h);
    if (a->trace) {
        if (c.b < 0 || c.b >= a->trace->B) c.b = 0;
        if (c.pos < 0 || c.pos >= a->trace->len[c.b]) c.pos = a->trace->len[c.b] - 1;
    }
    return c;
}

int LessonTok_at(const Trace *t, int i, int *b, int *pos) {
    int n = 0;
    if (!t) return 0;
    for (int r = 0; r < t->B; r++) {
        if (i >= 0 && i < n + t->len[r]) {
            if (b) *b = r;
            if (pos) *pos = i - n;
            return 0;
        }
        n += t->len[r];
    }
    return i < 0 ? n : -1;
}

static void label_of(App *a, int id, char *buf, size_t cap) { Tokenizer_label(a->m->tok, id, 1, buf, cap); }

/* One line listing the tokens of every row, the chosen ones marked: a (and b). */
static void draw_chooser(App *a, int y, int sel_a, int sel_b, int active) {
    WINDOW *w = stdscr;
    const Trace *t = a->trace;
    const int W = a->cols;
    int n = LessonTok_at(t, -1, NULL, NULL);
    /* start so that the active token is visible */
    int act = active ? sel_b : sel_a;
    int start = 0, width = 0;
    for (int i = act; i >= 0; i--) {
        int b = 0, p = 0;
        LessonTok_at(t, i, &b, &p);
        char lab[VIEW_LABEL];
        label_of(a, Trace_id(t, b, p), lab, sizeof lab);
        width += View_width(lab) + 3;
        if (width > W - 12) break;
        start = i;
    }
    int x = 0;
    Crt_set(w, CA_DIM);
    x += View_text(w, y, x, W, start > 0 ? "… " : "", 0);
    int last_b = -1;
    for (int i = start; i < n && x < W; i++) {
        int b = 0, p = 0;
        LessonTok_at(t, i, &b, &p);
        if (last_b >= 0 && b != last_b) {
            Crt_set(w, CA_DIM);
            x += View_text(w, y, x, W - x, "│ ", 0);
        }
        last_b = b;
        char lab[VIEW_LABEL];
        label_of(a, Trace_id(t, b, p), lab, sizeof lab);
        const char *tag = i == sel_a ? "a:" : (sel_b >= 0 && i == sel_b) ? "b:" : "";
        char chip[VIEW_LABEL + 8];
        snprintf(chip, sizeof chip, "%.2s%s", tag, lab);
        int chosen = i == sel_a || (sel_b >= 0 && i == sel_b);
        int is_active = i == act;
        Crt_set(w, is_active ? CA_CURSOR : chosen ? CA_CHIP0 : CA_NORMAL);
        x += View_text(w, y, x, W - x, chip, 1);
        Crt_set(w, CA_NORMAL);
        x += View_text(w, y, x, W - x, " ", 0);
    }
    Crt_set(w, CA_NORMAL);
}

static void clamp_tokens(Lesson *ls, App *a) {
    int n = LessonTok_at(a->trace, -1, NULL, NULL);
    if (n <= 0) return;
    if (ls->tok_a < 0) ls->tok_a = 0;
    if (ls->tok_a >= n) ls->tok_a = n - 1;
    if (ls->tok_b < 0) ls->tok_b = 0;
    if (ls->tok_b >= n) ls->tok_b = n - 1;
}

/* ---- quiz page: the question, then (answered) the station's own picture ---- */

/* The station's picture as the walk shows it, at temperature 1, the first tensor, one head. */
static int station_ctx(App *a, StationRef s, ViewCtx *c, char *err) {
    Present p = App_present(a);
    p.temperature = 1;
    c->layer = s.layer >= 0 ? s.layer : 0;
    c->all_heads = 0;
    if (Station_info(s.kind)->view == VK_TOPK) c->pos = a->trace->len[c->b] - 1;   /* what comes after the prompt */
    return Present_station(&p, s, 0, c, err);
}

void LessonPage_quiz(Lesson *ls, App *a, const LessonPage *p, int y, int h) {
    QuizCtx q;
    memset(&q, 0, sizeof q);
    q.vc = base_ctx(a, y, h);
    LessonQuiz_fill(ls, a, p->quiz, &q);
    View_quiz.draw(&q.vc);
    if (!q.answered) return;
    int py = y + q.used + 1, ph = h - q.used - 1;
    if (ph < 3) return;
    ViewCtx c = base_ctx(a, py, ph);
    char err[SW_ERR_LEN] = "";
    StationRef s = LessonQuiz_station(p->quiz);
    if (station_ctx(a, s, &c, err) != 0) {
        App_message(py, a->cols, CA_ERROR, err);
        return;
    }
    View_for(Station_info(s.kind)->view)->draw(&c);
    /* keep what the view scrolled */
    a->vc.col = c.col;
    a->vc.col0 = c.col0;
    a->vc.row0 = c.row0;
}

/* ---- dot product of two tokens' embedding rows ---- */

void LessonPage_dot(Lesson *ls, App *a, int y, int h) {
    const Model *m = a->m;
    const Trace *t = a->trace;
    clamp_tokens(ls, a);
    draw_chooser(a, y, ls->tok_a, ls->tok_b, ls->active);
    int ba = 0, pa = 0, bb = 0, pb = 0;
    if (LessonTok_at(t, ls->tok_a, &ba, &pa) != 0 || LessonTok_at(t, ls->tok_b, &bb, &pb) != 0) return;
    int ida = Trace_id(t, ba, pa), idb = Trace_id(t, bb, pb);
    DotCtx d;
    memset(&d, 0, sizeof d);
    d.vc = base_ctx(a, y + 2, h - 2);
    float *ra = malloc(sizeof(float) * (size_t)m->c.dim * 2);   /* rows of a quantized E */
    d.a = Lesson_embedding(m, ida, ra);
    d.b = Lesson_embedding(m, idb, ra ? ra + m->c.dim : NULL);
    d.n = m->c.dim;
    if (!d.a || !d.b) { free(ra); return; }
    char la[VIEW_LABEL], lb[VIEW_LABEL];
    label_of(a, ida, la, sizeof la);
    label_of(a, idb, lb, sizeof lb);
    snprintf(d.a_name, sizeof d.a_name, "a = E[%d] \"%s\" (b=%d t=%d)", ida, la, ba, pa);
    snprintf(d.b_name, sizeof d.b_name, "b = E[%d] \"%s\" (b=%d t=%d)", idb, lb, bb, pb);
    snprintf(d.a_sym, sizeof d.a_sym, "a[i]");
    snprintf(d.b_sym, sizeof d.b_sym, "b[i]");
    snprintf(d.index_sym, sizeof d.index_sym, "i");
    snprintf(d.sum_name, sizeof d.sum_name, "a·b");
    d.dot = Lesson_dot(d.a, d.b, d.n);
    d.norm_a = Lesson_norm(d.a, d.n);
    d.norm_b = Lesson_norm(d.b, d.n);
    d.cosine = Lesson_cosine(d.a, d.b, d.n);
    d.show_cos = 1;
    View_dot.draw(&d.vc);
    free(ra);
}

/* ---- nearest tokens in embedding space ---- */

void LessonPage_near(Lesson *ls, App *a, int y, int h) {
    const Model *m = a->m;
    const Trace *t = a->trace;
    const int V = m->c.vocab_size, D = m->c.dim;
    clamp_tokens(ls, a);
    draw_chooser(a, y, ls->tok_a, -1, 0);
    char err[SW_ERR_LEN] = "";
    if (!ls->norms) ls->norms = Lesson_model_row_norms(m, err);
    if (!ls->skip) ls->skip = calloc((size_t)V, 1);
    if (!ls->norms || !ls->skip) {
        App_message(y + 2, a->cols, CA_ERROR, err[0] ? err : "out of memory for the nearest-token search");
        return;
    }
    int b = 0, p = 0;
    if (LessonTok_at(t, ls->tok_a, &b, &p) != 0) return;
    int id = Trace_id(t, b, p);
    NearCtx *nc = calloc(1, sizeof *nc);
    if (!nc) return;
    nc->vc = base_ctx(a, y + 2, h - 2);
    /* the query itself, and the tokenizer's control tokens (<s>, </s>, <|endoftext|>, ...) */
    memset(ls->skip, 0, (size_t)V);
    ls->skip[id] = 1;
    int specials = 0;
    char names[64] = "";
    for (int s = 0; s < V; s++)
        if (s != id && Tokenizer_is_control(m->tok, s)) {
            ls->skip[s] = 1;
            if (specials++ < 3) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%.16s", used ? " " : "", Tokenizer_symbol(m->tok, s));
            }
        }
    int k = (h - 2 - 4) / (a->zoom >= 2 ? 2 : 1);
    if (k < 1) k = 1;
    if (k > LESSON_MAXROWS) k = LESSON_MAXROWS;
    if (k > V - 1) k = V - 1;
    float *qbuf = malloc(sizeof(float) * (size_t)D);
    nc->n = Lesson_model_nearest(m, ls->norms, Lesson_embedding(m, id, qbuf), ls->skip, k, nc->near, err);
    free(qbuf);
    if (nc->n < 0) {
        App_message(y + 2, a->cols, CA_ERROR, err);
        free(nc);
        return;
    }
    label_of(a, id, nc->query, sizeof nc->query);
    nc->query_id = id;
    nc->V = V;
    nc->D = D;
    for (int i = 0; i < nc->n; i++) label_of(a, nc->near[i].id, nc->label[i], VIEW_LABEL);
    if (specials) snprintf(nc->note, sizeof nc->note, "left out: the token itself and %s%s;  e edits the prompt", names, specials > 3 ? " ..." : "");
    else snprintf(nc->note, sizeof nc->note, "left out: the token itself.  (GPT-2 124M: \"␣cat\" finds \"␣dog\", \"␣cats\")");
    View_nearest.draw(&nc->vc);
    free(nc);
}

/* ---- the matmul rule at the LM head ---- */

void LessonPage_matmul(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const Model *m = a->m;
    const int D = m->c.dim;
    ViewCtx base = base_ctx(a, y, h);
    int b = base.b;
    int pos = ls->mm_t < 0 || ls->mm_t >= t->len[b] ? t->len[b] - 1 : ls->mm_t;
    TopK top[5];
    int nk = Trace_topk(t, b, pos, 1, 5, top);
    if (nk <= 0) return;
    int v = top[((ls->mm_col % nk) + nk) % nk].id;
    if (!ls->col) ls->col = malloc(sizeof(float) * (size_t)D);
    if (!ls->col || Lesson_lm_column(m, v, ls->col) != 0) {
        App_message(y, a->cols, CA_ERROR, "cannot read the LM head's column");
        return;
    }
    MatmulCtx *mc = calloc(1, sizeof *mc);
    if (!mc) return;
    mc->vc = base;
    snprintf(mc->x_name, sizeof mc->x_name, "x");
    snprintf(mc->w_name, sizeof mc->w_name, "W_lm");
    snprintf(mc->out_name, sizeof mc->out_name, "logits");
    mc->B = t->B;
    mc->T = t->T;
    mc->D = D;
    mc->V = m->c.vocab_size;
    mc->b = b;
    mc->t = pos;
    mc->v = v;
    label_of(a, v, mc->v_label, sizeof mc->v_label);
    label_of(a, Trace_id(t, b, pos), mc->t_label, sizeof mc->t_label);
    DotCtx *d = &mc->dot;
    d->a = t->final_norm + ((size_t)b * t->Tcap + pos) * D;
    d->b = ls->col;
    d->n = D;
    snprintf(d->a_sym, sizeof d->a_sym, "x[%d,%d,d]", b, pos);
    snprintf(d->b_sym, sizeof d->b_sym, "W_lm[d,%d]", v);
    snprintf(d->index_sym, sizeof d->index_sym, "d");
    snprintf(d->sum_name, sizeof d->sum_name, "logits[%d,%d,%d]", b, pos, v);
    d->dot = Lesson_dot(d->a, d->b, D);
    d->has_check = 1;
    d->check = Trace_logits_row(t, b, pos)[v];
    snprintf(d->check_name, sizeof d->check_name, "the model's own logit (one sgemm for all rows)");
    View_matmul.draw(&mc->vc);
    free(mc);
}

/* ---- softmax, naive and stable ---- */

static float *scratch(Lesson *ls, App *a) {
    if (!ls->scratch) ls->scratch = malloc(sizeof(float) * 2 * (size_t)a->m->c.vocab_size);
    return ls->scratch;
}

static void demo_example(SoftmaxExample *e, const char *title, const float *x, int n) {
    float en[4], pn[4], es[4], ps[4];
    snprintf(e->title, sizeof e->title, "%s", title);
    e->n = n;
    e->total = n;
    e->sum_naive = Lesson_softmax_naive(x, n, en, pn);
    e->sum_stable = Lesson_softmax_stable(x, n, 1, es, ps, &e->max);
    for (int i = 0; i < n; i++) {
        e->x[i] = x[i];
        e->e_naive[i] = en[i];
        e->p_naive[i] = pn[i];
        e->e_stable[i] = es[i];
        e->p_stable[i] = ps[i];
        e->label[i][0] = 0;
    }
}

void LessonPage_softmax(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const int V = a->m->c.vocab_size;
    SoftmaxCtx *sc = calloc(1, sizeof *sc);
    float *s = scratch(ls, a);
    if (!sc || !s) { free(sc); return; }
    sc->vc = base_ctx(a, y, h);
    static const float small[3] = {2, 1, 0}, big[3] = {1000, 999, 998};
    demo_example(&sc->ex[0], "[2, 1, 0]", small, 3);
    demo_example(&sc->ex[1], "[1000, 999, 998]", big, 3);
    int b = sc->vc.b;
    int pos = ls->sm_t < 0 || ls->sm_t >= t->len[b] ? t->len[b] - 1 : ls->sm_t;
    TopK top[3];
    int nk = Trace_topk(t, b, pos, 1, 3, top);
    const float *lg = Trace_logits_row(t, b, pos);
    SoftmaxExample *e = &sc->ex[2];
    char lab[VIEW_LABEL];
    label_of(a, Trace_id(t, b, pos), lab, sizeof lab);
    snprintf(e->title, sizeof e->title, "logits after \"%s\"", lab);
    e->n = nk;
    e->total = V;
    float *ev = s, *pv = s + V;
    e->sum_naive = Lesson_softmax_naive(lg, V, ev, pv);
    for (int i = 0; i < nk; i++) {
        e->x[i] = lg[top[i].id];
        e->e_naive[i] = ev[top[i].id];
        e->p_naive[i] = pv[top[i].id];
        label_of(a, top[i].id, e->label[i], VIEW_LABEL);
    }
    e->sum_stable = Lesson_softmax_stable(lg, V, 1, ev, pv, &e->max);
    for (int i = 0; i < nk; i++) {
        e->e_stable[i] = ev[top[i].id];
        e->p_stable[i] = pv[top[i].id];
    }
    sc->n_ex = 3;
    /* real logits can break the naive way too: all very negative (exp underflows, 0/0) or large */
    if (e->sum_naive == 0)
        snprintf(sc->note, sizeof sc->note, "the model's own logits underflow: every exp(x) is 0 in float, so p = 0/0 = NaN; x - max fixes that too");
    else if (!isfinite(e->sum_naive))
        snprintf(sc->note, sizeof sc->note, "the model's own logits overflow: Σ exp(x) is inf in float; x - max keeps every exponent <= 0");
    View_softmax_demo.draw(&sc->vc);
    free(sc);
}

/* ---- temperature ---- */

void LessonPage_temp(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    const int V = a->m->c.vocab_size;
    TempCtx *tc = calloc(1, sizeof *tc);
    float *s = scratch(ls, a);
    if (!tc || !s) { free(tc); return; }
    tc->vc = base_ctx(a, y, h);
    int b = tc->vc.b;
    int pos = ls->sm_t < 0 || ls->sm_t >= t->len[b] ? t->len[b] - 1 : ls->sm_t;
    tc->temp = ls->temp;
    tc->tmin = 0.05f;
    tc->tmax = 100;
    int k = h - 8;
    if (a->zoom >= 2) k /= 2;
    if (k < 1) k = 1;
    if (k > 10 && a->rows < 40) k = 10;
    if (k > LESSON_MAXROWS) k = LESSON_MAXROWS;
    /* the same tokens at every temperature: the top k by logit (T = 1), p at this T */
    TopK top[LESSON_MAXROWS];
    tc->n = Trace_topk(t, b, pos, 1, k, top);
    Trace_probs_row(t, b, pos, ls->temp, s);
    for (int i = 0; i < tc->n; i++) {
        label_of(a, top[i].id, tc->label[i], VIEW_LABEL);
        tc->logit[i] = top[i].logit;
        tc->p[i] = s[top[i].id];
    }
    tc->entropy = sw_entropy(s, V);
    tc->log_v = log((double)V);
    tc->top_p = tc->n > 0 ? tc->p[0] : 0;
    static const float demo[3] = {2, 1, 0};
    float e3[3];
    Lesson_softmax_stable(demo, 3, ls->temp, e3, tc->demo_p, NULL);
    char lab[VIEW_LABEL];
    label_of(a, Trace_id(t, b, pos), lab, sizeof lab);
    snprintf(tc->where, sizeof tc->where, "next token after t=%d \"%s\" (row b=%d)", pos, lab, b);
    View_temperature.draw(&tc->vc);
    free(tc);
}

/* ---- cross-entropy table ---- */

void LessonPage_xent(Lesson *ls, App *a, int y, int h) {
    Trace *t = a->trace;
    CeCtx *cc = calloc(1, sizeof *cc);
    if (!cc) return;
    cc->vc = base_ctx(a, y, h);
    int b = cc->vc.b;
    double mean = 0;
    int n = Lesson_cross_entropy(t, b, NULL, 0, &mean);
    LessonCE *all = n > 0 ? calloc((size_t)n, sizeof *all) : NULL;
    if (n > 0 && !all) { free(cc); return; }
    if (n > 0) Lesson_cross_entropy(t, b, all, n, &mean);
    int step = a->zoom >= 2 ? 2 : 1;
    int rows = (h - 4) / step;
    if (rows < 1) rows = 1;
    if (rows > LESSON_MAXROWS) rows = LESSON_MAXROWS;
    if (ls->ce_first > n - rows) ls->ce_first = n - rows;
    if (ls->ce_first < 0) ls->ce_first = 0;
    for (int i = 0; i < rows && ls->ce_first + i < n; i++) {
        const LessonCE *r = &all[ls->ce_first + i];
        cc->rows[i] = *r;
        label_of(a, Trace_id(t, b, r->pos), cc->before[i], VIEW_LABEL);
        label_of(a, r->target, cc->target[i], VIEW_LABEL);
        cc->n = i + 1;
    }
    cc->total = n;
    cc->first = 0;
    cc->mean = mean;
    cc->V = a->m->c.vocab_size;
    cc->log_v = log((double)cc->V);
    View_ce_table.draw(&cc->vc);
    free(all);
    free(cc);
}

/* ---- the score ---- */

void LessonPage_score(Lesson *ls, App *a, int y, int h) {
    ScoreCtx *sc = calloc(1, sizeof *sc);
    if (!sc) return;
    sc->vc = base_ctx(a, y, h);
    sc->n = LessonQuiz_count();
    if (sc->n > 16) sc->n = 16;
    for (int i = 0; i < sc->n; i++) {
        Station_label(LessonQuiz_station(i), sc->station[i], sizeof sc->station[i]);
        char sh[96];
        shape_of(a, LessonQuiz_item(i)->kind, sh, sizeof sh);
        snprintf(sc->answer[i], sizeof sc->answer[i], "%.47s", sh);
        const QuizAnswer *an = &ls->ans[i];
        sc->state[i] = !an->answered ? 0 : an->right ? 1 : 2;
        snprintf(sc->given[i], sizeof sc->given[i], "%s", an->given);
        sc->answered += an->answered;
        sc->right += an->answered && an->right;
    }
    View_lesson_score.draw(&sc->vc);
    free(sc);
}
