/* test_lesson_views.c - the classroom mode's pictures (views/lesson_views.h) drawn from
 * hand-made numbers into a curses screen on /dev/null, at sizes from 1x1 to 200x60, in colour,
 * monochrome and high contrast; the text is read back and checked. The numbers are made up
 * here and the expected text follows from them by hand:
 *   a = [1, 2, 3, 4], b = [0.5, -1, 2, 0]: products 0.5 -2 6 0, running sums 0.5 -1.5 4.5 4.5,
 *   |a| = sqrt 30 = 5.4772, |b| = sqrt 5.25 = 2.2913, cos = 4.5 / 12.5499 = 0.3586;
 *   softmax([2,1,0]) = 0.6652 0.2447 0.0900 and exp(1000) = inf, inf/inf = NaN (IEEE float);
 *   -log(0.5) = 0.693, mean of 0.693 and 2.303 = 1.498, log 512 = 6.24. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "check.h"
#include "view_harness.h"
#include "term/crt.h"
#include "views/lesson_views.h"

static ViewCtx geom(int rows, int cols, int zoom) {
    size_to(rows, cols);
    ViewCtx c;
    memset(&c, 0, sizeof c);
    c.win = stdscr;
    c.h = rows;
    c.w = cols;
    c.zoom = zoom;
    return c;
}

static const float va[4] = {1, 2, 3, 4}, vb[4] = {0.5f, -1, 2, 0};

static void fill_dot(DotCtx *d) {
    d->a = va;
    d->b = vb;
    d->n = 4;
    snprintf(d->a_name, sizeof d->a_name, "a = E[1] \"one\"");
    snprintf(d->b_name, sizeof d->b_name, "b = E[2] \"two\"");
    snprintf(d->a_sym, sizeof d->a_sym, "a[i]");
    snprintf(d->b_sym, sizeof d->b_sym, "b[i]");
    snprintf(d->index_sym, sizeof d->index_sym, "i");
    snprintf(d->sum_name, sizeof d->sum_name, "a·b");
    d->dot = Lesson_dot(va, vb, 4);
    d->norm_a = Lesson_norm(va, 4);
    d->norm_b = Lesson_norm(vb, 4);
    d->cosine = Lesson_cosine(va, vb, 4);
    d->show_cos = 1;
}

static void test_dot(const char *mode) {
    DotCtx d;
    memset(&d, 0, sizeof d);
    d.vc = geom(24, 80, 1);
    fill_dot(&d);
    View_dot.draw(&d.vc);
    expect_screen(on_screen(" 0.5000 -2.0000  6.0000  0.0000"), "%s: dot: the products 0.5 -2 6 0", mode);
    expect_screen(on_screen(" 0.5000 -1.5000  4.5000  4.5000"), "%s: dot: running sums end at 4.5", mode);
    expect_screen(on_screen("a·b = sum of all 4 products = 4.5") && on_screen("|a| = √(a·a) = 5.4772") && on_screen("|b| = √(b·b) = 2.2913") &&
                      on_screen("= 0.3586"),
                  "%s: dot: all 4 terms, the sum, lengths, cosine", mode);
    /* a check against the model's own number */
    d.has_check = 1;
    d.check = 4.5f;
    snprintf(d.check_name, sizeof d.check_name, "the model's logit");
    d.vc = geom(24, 80, 1);
    View_dot.draw(&d.vc);
    expect_screen(on_screen("the model's logit: 4.5000  ✓ the same number"), "%s: dot: the same number as the model's", mode);
    d.check = 5;
    d.vc = geom(24, 80, 1);
    View_dot.draw(&d.vc);
    expect_screen(on_screen("✗ differs"), "%s: dot: a different number is flagged", mode);
    /* 64 terms at 80 columns: the first ones, "… 63", the hidden part's sum */
    static float a64[64], b64[64];
    for (int i = 0; i < 64; i++) { a64[i] = 1; b64[i] = (float)i; }   /* Σ i = 2016 */
    d.a = a64;
    d.b = b64;
    d.n = 64;
    d.has_check = 0;
    d.dot = Lesson_dot(a64, b64, 64);
    d.vc = geom(24, 80, 1);
    d.vc.h = 12;
    View_dot.draw(&d.vc);
    expect_screen(on_screen("… 63") && on_screen("sum of all 64 products = 2016") && on_screen("not shown"),
                  "%s: dot: 64 terms in 80 columns show the last one after …", mode);
    d.vc = geom(60, 200, 1);
    View_dot.draw(&d.vc);
    expect_screen(!on_screen("not shown") && on_screen(" 63") && on_screen("2016.00"), "%s: dot: 200x60 shows every term", mode);
}

static void test_softmax(const char *mode) {
    SoftmaxCtx *s = calloc(1, sizeof *s);
    if (!s) return;
    s->vc = geom(24, 80, 1);
    const float small[3] = {2, 1, 0}, big[3] = {1000, 999, 998};
    const float *xs[2] = {small, big};
    const char *titles[2] = {"[2, 1, 0]", "[1000, 999, 998]"};
    for (int k = 0; k < 2; k++) {
        SoftmaxExample *e = &s->ex[k];
        snprintf(e->title, sizeof e->title, "%s", titles[k]);
        e->n = e->total = 3;
        memcpy(e->x, xs[k], sizeof(float) * 3);
        e->sum_naive = Lesson_softmax_naive(xs[k], 3, e->e_naive, e->p_naive);
        e->sum_stable = Lesson_softmax_stable(xs[k], 3, 1, e->e_stable, e->p_stable, &e->max);
    }
    s->n_ex = 2;
    snprintf(s->note, sizeof s->note, "a note under the tables");
    View_softmax_demo.draw(&s->vc);
    expect_screen(on_screen("2.0000     7.3891   0.6652  │    0.0000     1.0000   0.6652"), "%s: softmax: [2,1,0] naive = stable", mode);
    expect_screen(on_screen("1000.0000        inf      NaN  │    0.0000     1.0000   0.6652") && on_screen("Σ = inf"),
                  "%s: softmax: [1000,999,998] naive is inf and NaN, stable is fine", mode);
    expect_screen(on_screen("a note under the tables"), "%s: softmax: the note", mode);
    /* narrow: the naive half only, no crash */
    s->vc = geom(24, 50, 1);
    View_softmax_demo.draw(&s->vc);
    expect_screen(on_screen("NaN") && !on_screen("x - max"), "%s: softmax: 50 columns keep the naive half", mode);
    free(s);
}

static void test_tables(const char *mode) {
    /* nearest */
    NearCtx *n = calloc(1, sizeof *n);
    CeCtx *ce = calloc(1, sizeof *ce);
    TempCtx *tc = calloc(1, sizeof *tc);
    MatmulCtx *mm = calloc(1, sizeof *mm);
    if (!n || !ce || !tc || !mm) { free(n); free(ce); free(tc); free(mm); return; }
    n->vc = geom(24, 80, 1);
    snprintf(n->query, sizeof n->query, "␣cat");
    n->query_id = 3797;
    n->V = 50257;
    n->D = 768;
    n->n = 2;
    n->near[0] = (LessonNear){1, 0.75f, 3};
    n->near[1] = (LessonNear){2, -0.25f, -1};
    snprintf(n->label[0], VIEW_LABEL, "␣dog");
    snprintf(n->label[1], VIEW_LABEL, "␣cats");
    View_nearest.draw(&n->vc);
    expect_screen(on_screen("nearest to \"␣cat\" (id 3797) among the V = 50257 rows") && on_screen("\"␣dog\"") && on_screen("0.7500") &&
                      on_screen("-0.2500"),
                  "%s: nearest: the query and the rows", mode);
    /* cross-entropy */
    ce->vc = geom(24, 80, 1);
    ce->n = ce->total = 2;
    ce->rows[0] = (LessonCE){0, 5, 0.5f, (float)-log(0.5), 1};
    ce->rows[1] = (LessonCE){1, 6, 0.1f, (float)-log(0.1), 3};
    snprintf(ce->before[0], VIEW_LABEL, "A");
    snprintf(ce->before[1], VIEW_LABEL, "B");
    snprintf(ce->target[0], VIEW_LABEL, "B");
    snprintf(ce->target[1], VIEW_LABEL, "C");
    ce->mean = (-log(0.5) - log(0.1)) / 2;
    ce->V = 512;
    ce->log_v = log(512.0);
    View_ce_table.draw(&ce->vc);
    expect_screen(on_screen("0.5000     0.693") && on_screen("0.1000     2.303") && on_screen("mean loss over 2 predictions = 1.498 nats") &&
                      on_screen("log V = log 512 = 6.24"),
                  "%s: cross-entropy: rows, mean and thresholds", mode);
    ce->n = ce->total = 0;
    ce->vc = geom(24, 80, 1);
    View_ce_table.draw(&ce->vc);
    expect_screen(on_screen("nothing to predict yet"), "%s: cross-entropy: a one-token row says so", mode);
    /* temperature */
    tc->vc = geom(24, 80, 1);
    tc->temp = 0.5f;
    tc->tmin = 0.05f;
    tc->tmax = 100;
    tc->n = 2;
    snprintf(tc->label[0], VIEW_LABEL, "x");
    snprintf(tc->label[1], VIEW_LABEL, "y");
    tc->logit[0] = 2;
    tc->logit[1] = 1;
    tc->p[0] = 0.8808f;
    tc->p[1] = 0.1192f;
    tc->log_v = log(2.0);
    tc->entropy = 0.367;
    tc->top_p = 0.8808;
    View_temperature.draw(&tc->vc);
    expect_screen(on_screen("τ = 0.50") && on_screen("88.08%") && on_screen("argmax") && on_screen("uniform") && on_screen("τ=1") &&
                  on_screen("softmax(logits / τ)"), "%s: temperature: τ, the rows, the slider", mode);
    /* matmul */
    mm->vc = geom(24, 80, 1);
    snprintf(mm->x_name, sizeof mm->x_name, "x");
    snprintf(mm->w_name, sizeof mm->w_name, "W");
    snprintf(mm->out_name, sizeof mm->out_name, "logits");
    mm->B = 2; mm->T = 6; mm->D = 4; mm->V = 50257; mm->b = 0; mm->t = 5; mm->v = 7;
    fill_dot(&mm->dot);
    mm->dot.a_name[0] = mm->dot.b_name[0] = 0;
    View_matmul.draw(&mm->vc);
    expect_screen(on_screen("(B,T,D) @ (D,    V) -> (B,T,    V)") && on_screen("(2,6,4) @ (4,50257) -> (2,6,50257)") &&
                      on_screen("one entry: logits[0,5,7] = row x[0,5,:] · column W[:,7]") && on_screen("B·T·V = 2·6·50257 = 603084"),
                  "%s: matmul: the rule in letters and numbers, one entry", mode);
    free(n);
    free(ce);
    free(tc);
    free(mm);
}

static void test_quiz(const char *mode) {
    QuizCtx q;
    memset(&q, 0, sizeof q);
    q.vc = geom(24, 80, 1);
    snprintf(q.maths, sizeof q.maths, "x = E[ids]");
    snprintf(q.known[0], sizeof q.known[0], "ids is (B,T)");
    snprintf(q.question, sizeof q.question, "What shape is x?");
    static const char *ch[4] = {"(V,D)", "(B,T,D)", "(B,T,V)", "(B,D)"};
    for (int i = 0; i < 4; i++) q.choices[i] = ch[i];
    q.n_choices = 4;
    snprintf(q.typed, sizeof q.typed, "B,T");
    snprintf(q.answer, sizeof q.answer, "(B,T,D) = (2,6,64)");
    snprintf(q.answer_letters, sizeof q.answer_letters, "(B,T,D)");
    View_quiz.draw(&q.vc);
    expect_screen(on_screen("(V,D)") && on_screen("your answer: B,T_") && !on_screen("(2,6,64)"),
                  "%s: quiz: asking shows the choices and the typed text, not the answer", mode);
    q.answered = 1;
    q.right = 0;
    snprintf(q.given, sizeof q.given, "b,t,d");
    snprintf(q.why, sizeof q.why, "small d is the head size");
    q.vc = geom(24, 80, 2);
    View_quiz.draw(&q.vc);
    expect_screen(on_screen("✗ you said b,t,d; it is (B,T,D) = (2,6,64)") && on_screen("small d is the head size") && on_screen("▀"),
                  "%s: quiz: a wrong answer, the shape, the reason, big print", mode);
    ScoreCtx *s = calloc(1, sizeof *s);
    if (!s) return;
    s->vc = geom(24, 80, 1);
    s->n = 2;
    snprintf(s->station[0], 48, "0 tokenize");
    snprintf(s->station[1], 48, "1 embedding lookup");
    snprintf(s->answer[0], 48, "(B,T) = (2,6)");
    snprintf(s->answer[1], 48, "(B,T,D) = (2,6,64)");
    s->state[0] = 1;
    s->state[1] = 2;
    snprintf(s->given[1], 48, "b,t,d");
    s->right = 1;
    s->answered = 2;
    View_lesson_score.draw(&s->vc);
    expect_screen(on_screen("score: 1 right of 2 questions (2 answered)") && on_screen("you said b,t,d"), "%s: score", mode);
    free(s);
}

/* Every view at every size, with NaN and inf in the numbers: nothing may crash or draw
 * outside the screen (ASan/UBSan builds check the casts). */
static void test_sizes(const char *mode) {
    static const int sizes[][2] = {{1, 1}, {2, 3}, {5, 20}, {10, 30}, {23, 79}, {24, 80}, {40, 120}, {60, 200}};
    DotCtx *d = calloc(1, sizeof *d);
    SoftmaxCtx *s = calloc(1, sizeof *s);
    NearCtx *n = calloc(1, sizeof *n);
    CeCtx *ce = calloc(1, sizeof *ce);
    TempCtx *tc = calloc(1, sizeof *tc);
    MatmulCtx *mm = calloc(1, sizeof *mm);
    QuizCtx *q = calloc(1, sizeof *q);
    ScoreCtx *sc = calloc(1, sizeof *sc);
    if (d && s && n && ce && tc && mm && q && sc) {
        static float nan_a[3];
        nan_a[0] = NAN;
        nan_a[1] = INFINITY;
        nan_a[2] = -INFINITY;
        d->a = nan_a;
        d->b = vb;
        d->n = 3;
        d->dot = NAN;
        d->cosine = NAN;
        d->show_cos = 1;
        d->has_check = 1;
        d->check = NAN;
        s->n_ex = 1;
        s->ex[0].n = 3;
        s->ex[0].x[0] = NAN;
        s->ex[0].sum_naive = INFINITY;
        n->n = 1;
        n->near[0].cos = NAN;
        ce->n = ce->total = 1;
        ce->rows[0].q = 0;
        ce->rows[0].loss = INFINITY;
        ce->log_v = log(50257.0);
        ce->mean = INFINITY;
        tc->n = 1;
        tc->p[0] = NAN;
        tc->temp = NAN;
        tc->tmin = 0.05f;
        tc->tmax = 100;
        mm->dot = *d;
        mm->B = 1; mm->T = 1; mm->D = 3; mm->V = 1;
        q->n_choices = 4;
        static const char *ch[4] = {"(B,T)", "(T,)", "(B,T,D)", "(B,V)"};
        for (int i = 0; i < 4; i++) q->choices[i] = ch[i];
        sc->n = 16;
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            for (int zoom = 1; zoom <= 3; zoom++) {
                ViewCtx g = geom(sizes[i][0], sizes[i][1], zoom);
                d->vc = s->vc = n->vc = ce->vc = tc->vc = mm->vc = q->vc = sc->vc = g;
                View_dot.draw(&d->vc);
                View_softmax_demo.draw(&s->vc);
                View_nearest.draw(&n->vc);
                View_ce_table.draw(&ce->vc);
                View_temperature.draw(&tc->vc);
                View_matmul.draw(&mm->vc);
                q->answered = zoom == 2;
                View_quiz.draw(&q->vc);
                View_lesson_score.draw(&sc->vc);
            }
        }
        char name[96];
        snprintf(name, sizeof name, "%s: every lesson view at 1x1 .. 200x60, zoom 1-3, with NaN and inf", mode);
        pass(name);
    }
    free(d); free(s); free(n); free(ce); free(tc); free(mm); free(q); free(sc);
}

static void run_all(const char *mode) {
    test_dot(mode);
    test_softmax(mode);
    test_tables(mode);
    test_quiz(mode);
    test_sizes(mode);
}

int main(void) {
    if (harness_open("lesson views") != 0) return 0;
    Crt_setup_colors(0);
    run_all("256");
    Crt_high_contrast(1);
    run_all("high contrast");
    Crt_high_contrast(0);
    Crt_setup_colors(1);
    run_all("mono");
    Crt_high_contrast(1);
    run_all("mono high contrast");
    Crt_high_contrast(0);
    harness_close();
    return check_done();
}
