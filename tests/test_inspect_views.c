/* test_inspect_views.c - the inspection pictures (views/surprise.c, views/xent.c,
 * views/lens_grid.c) drawn from hand-made numbers into a curses screen on /dev/null, at
 * sizes from 1x1 to 200x60, in colour and monochrome; the text is read back and checked.
 * The numbers are made up here and the expected text follows from them:
 *   p = 0.5 -> -ln p = 0.693 ("0.69"), p = 0.01 -> 4.605, p = 1e-6 -> 13.816, p = 0.9 -> 0.105;
 *   mean over the prompt's three predictions (0.693 + 4.605 + 13.816) / 3 = 6.371;
 *   V = 1000 -> log V = 6.908. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "check.h"
#include "view_harness.h"
#include "term/crt.h"
#include "views/inspect_views.h"

/* ---- hand-made numbers: one row of 5 tokens, the last one generated ---- */

enum { T = 5, NV = 1000, L = 3, K = 3, CAP = 8 };
static int ids[2][CAP];
static char labels[2 * T][VIEW_LABEL];
static TokenTable tt;
static float prob[T], loss[T];
static int rank[T];
static int lens_id[L][2 * CAP][K];   /* [l][b*CAP + t][k]; stride per layer 2*CAP cells */
static float lens_p[L][2 * CAP][K];

static void make_data(void) {
    const char *words[T] = {"Hello", "␣world", "!", "␣This", "␣is"};
    const float p[T] = {-1, 0.5f, 0.01f, 1e-6f, 0.9f};
    const int r[T] = {0, 1, 3, 200, 1};
    for (int t = 0; t < T; t++) {
        snprintf(labels[t], VIEW_LABEL, "%s", words[t]);
        snprintf(labels[T + t], VIEW_LABEL, "w%d", t);
        ids[0][t] = 10 + t;
        ids[1][t] = 20 + t;
        prob[t] = p[t];
        loss[t] = p[t] > 0 ? (float)-log(p[t]) : 0;
        rank[t] = r[t];
    }
    tt.B = 2;
    tt.T = T;
    tt.len[0] = T;
    tt.len[1] = T;
    tt.prompt_len[0] = 4;   /* "␣is" was generated */
    tt.prompt_len[1] = T;
    tt.ids = &ids[0][0];
    tt.stride = CAP;
    tt.label = labels;
    /* lens: block l at position t guesses token 100*l + t + k with p = 0.6, 0.3, 0.1;
     * block 3 at t=1 guesses id 12 = the token at t=2 (a hit); block 1 at t=4 not computed */
    for (int l = 0; l < L; l++)
        for (int t = 0; t < T; t++)
            for (int k = 0; k < K; k++) {
                lens_id[l][t][k] = 100 * l + t + k;
                lens_p[l][t][k] = k == 0 ? 0.6f : k == 1 ? 0.3f : 0.1f;
            }
    lens_id[2][1][0] = 12;
    lens_p[0][4][0] = -1;
}

static void label_cb(const void *ud, int id, char *buf, size_t cap) {
    (void)ud;
    if (id >= 10 && id < 10 + T) snprintf(buf, cap, "%s", labels[id - 10]);
    else snprintf(buf, cap, "tok%d", id);
}

static void base(InspectCtx *ic, int rows, int cols) {
    memset(ic, 0, sizeof *ic);
    ViewCtx *c = &ic->vc;
    c->win = stdscr;
    c->h = rows, c->w = cols;
    c->zoom = 1;
    c->byte_level = 1;
    c->tok = &tt;
    c->b = 0;
    c->pos = 3;
    c->temperature = 1;
    for (int b = 0; b < SW_MAX_B; b++) c->next_id[b] = -1;
    ic->prob = prob;
    ic->loss = loss;
    ic->rank = rank;
    ic->len = T;
    ic->prompt_len = 4;
    ic->mean_loss = (loss[1] + loss[2] + loss[3]) / 3;
    ic->n_loss = 3;
    ic->V = NV;
    ic->label = label_cb;
    /* Q's best at t=2 (made up), c = "␣This" (id 13) is not among them */
    const char *q[3] = {"␣a", "␣the", "␣and"};
    const float qp[3] = {0.4f, 0.2f, 0.1f};
    c->n_topk = 3;
    for (int i = 0; i < 3; i++) {
        c->topk[i].id = 200 + i;
        c->topk[i].prob = qp[i];
        snprintf(c->topk_label[i], VIEW_LABEL, "%s", q[i]);
    }
    ic->c_id = 13;
    ic->q_c_temp = 1e-7f;
    ic->entropy1 = 2.5;
    ic->L = L;
    ic->lens_id = &lens_id[0][0][0];
    ic->lens_p = &lens_p[0][0][0];
    ic->lens_ls = 2 * CAP;
    ic->lens_k_cell = K;
}

static void test_level(void) {
    expect(fabs(View_surprise_level(1.0 / NV, NV)) < 1e-9, "surprise colour: p = 1/V is the bottom of the scale", "%g",
           View_surprise_level(1.0 / NV, NV));
    expect(fabs(View_surprise_level(1, NV) - 1) < 1e-9, "surprise colour: p = 1 is the top", " ");
    expect(fabs(View_surprise_level(1 / sqrt(NV), NV) - 0.5) < 1e-9, "surprise colour: p = V^-1/2 is the middle (log scale)", " ");
    expect(View_surprise_level(1e-30, NV) == 0 && View_surprise_level(0, NV) == 0 && View_surprise_level(NAN, NV) == 0,
           "surprise colour: below 1/V, zero and NaN clamp to 0", " ");
}

static void test_surprise(const char *mode) {
    InspectCtx ic;
    size_to(24, 80);
    base(&ic, 20, 80);
    View_surprise.draw(&ic.vc);
    expect_screen(on_screen("mean loss 6.371 nats over") && on_screen("perplexity e^loss = 584.8"), "%s surprise 80x24: mean loss and perplexity",
                  mode);
    expect_screen(on_screen("log V = 6.91"), "%s surprise 80x24: the uniform guesser's log V", mode);
    expect_screen(on_screen("0.69") && on_screen("4.61") && on_screen("13.8") && on_screen("0.11") && on_screen("Hello") && on_screen("␣This"),
                  "%s surprise 80x24: -log p under every token", mode);
    expect_screen(on_screen("t=3 \"␣This\" (id 13): p = 1e-06") && on_screen("  -log p = 13.816 nats  rank 200 of 1000"),
                  "%s surprise 80x24: the selected token's p, loss and rank", mode);
    expect_screen(on_screen("mean loss 6.371 nats over the prompt's 3 ·"), "%s surprise: generated tokens are left out of the mean", mode);
    expect_screen(on_screen("(this row: better)"), "surprise: row beats the uniform guesser");

    /* compact (another row of the batch) */
    erase();
    base(&ic, 4, 80);
    ic.compact = 1;
    View_surprise.draw(&ic.vc);
    expect_screen(on_screen("row b=0: mean loss 6.371") && on_screen("13.8") && !on_screen("sanity") && View_surprise_lines(&ic, 80) == 3,
                  "%s surprise compact: one summary line and the chips", mode);

    /* a row of one token: nothing predicted */
    erase();
    base(&ic, 10, 80);
    ic.len = 1;
    ic.n_loss = 0;
    ic.vc.pos = 0;
    View_surprise.draw(&ic.vc);
    expect_screen(on_screen("nothing was predicted") && on_screen("t=0 \"Hello\""), "%s surprise: one token says nothing was predicted", mode);

    /* many tokens scroll so the selected one shows */
    static float p2[200], l2[200];
    static int r2[200], id2[200];
    static char lab2[200][VIEW_LABEL];
    TokenTable t2 = tt;
    for (int i = 0; i < 200; i++) {
        p2[i] = i ? 0.25f : -1;
        l2[i] = (float)-log(0.25);
        r2[i] = 2;
        id2[i] = i;
        snprintf(lab2[i], VIEW_LABEL, "w%03d", i);
    }
    t2.B = 1;
    t2.T = 200;
    t2.len[0] = 200;
    t2.prompt_len[0] = 200;
    t2.ids = id2;
    t2.stride = 200;
    t2.label = lab2;
    erase();
    base(&ic, 12, 80);
    ic.vc.tok = &t2;
    ic.prob = p2, ic.loss = l2, ic.rank = r2;
    ic.len = 200;
    ic.prompt_len = 200;
    ic.vc.pos = 190;
    View_surprise.draw(&ic.vc);
    expect_screen(on_screen("w190") && on_screen("t=190 \"w190\"") && !on_screen("w001"), "%s surprise: 200 tokens scroll to the selected one", mode);
}

static void test_xent(const char *mode) {
    InspectCtx ic;
    size_to(24, 80);
    base(&ic, 16, 80);
    View_xent.draw(&ic.vc);
    expect_screen(on_screen("H(P,Q) = -Σ_v P[v]·log Q[v] = -log Q[c] = -log 1e-06 = 13.816 nats"), "%s xent: H(P,Q) reduces to -log Q[c]", mode);
    expect_screen(on_screen("P = one-hot(c), c = \"␣This\" (id 13)") && on_screen("Q = softmax(logits at t=2 \"!\")"), "%s xent: P is one-hot on c",
                  mode);
    expect_screen(on_screen("0 × 0.916 = 0") && on_screen("0 × 1.609 = 0"), "%s xent: other tokens' terms are 0 x (-log Q)",
                  mode); /* -ln 0.4, -ln 0.2 */
    expect_screen(on_screen("1 × 13.816 = 13.816"), "%s xent: c's own term is 1 x (-log Q[c])", mode);
    expect_screen(on_screen("… 996 more"), "%s xent: the rest of the vocabulary", mode);
    expect_screen(on_screen("c ranks 200 of 1000") && on_screen("log V = 6.91") && on_screen("mean of 3 such terms = 6.371 nats"),
                  "%s xent: rank, uniform guess and the row's mean", mode);

    /* temperature: Q_tau[c] shown, loss still at 1 */
    erase();
    base(&ic, 16, 80);
    ic.vc.temperature = 2;
    View_xent.draw(&ic.vc);
    expect_screen(on_screen("at τ = 2.00 (flatter): Q[c] = 1e-07, -log Q[c] = 16.118") && on_screen("= 13.816 nats"),
                  "%s xent: temperature 2 shows Q_tau[c], the loss stays at 1", mode);

    /* c among Q's best: marked in the table, no extra row */
    erase();
    base(&ic, 16, 80);
    ic.c_id = 201;
    ic.vc.pos = 1;
    View_xent.draw(&ic.vc);
    expect_screen(on_screen("\"␣the\" = c") && on_screen("1 × 1.609 = 1.609") && on_screen("… 997 more"),
                  "%s xent: c among the best is marked in place", mode);

    /* t = 0 has no prediction */
    erase();
    base(&ic, 16, 80);
    ic.vc.pos = 0;
    View_xent.draw(&ic.vc);
    expect_screen(on_screen("no prediction, no loss"), "%s xent: t=0 has no loss", mode);
}

static void test_lens(const char *mode) {
    char name[128];
    InspectCtx ic;
    size_to(24, 80);
    base(&ic, 21, 80);
    ic.vc.layer = 1;
    ic.vc.pos = 1;
    ic.vc.n_topk = 2;
    ic.vc.topk[0].id = 101, ic.vc.topk[0].prob = 0.6f;
    ic.vc.topk[1].id = 102, ic.vc.topk[1].prob = 0.3f;
    snprintf(ic.vc.topk_label[0], VIEW_LABEL, "tok101");
    snprintf(ic.vc.topk_label[1], VIEW_LABEL, "tok102");
    View_lens_grid.draw(&ic.vc);
    expect_screen(on_screen("block 1") && on_screen("block 3") && on_screen("1 ␣world") && on_screen("4 ␣is"),
                  "%s lens 80x24: a row per block, the token at each position", mode);
    expect_screen(on_screen("tok100") && on_screen("60%") && on_screen("tok203"), "%s lens 80x24: cells show the top-1 and its p", mode);
    expect_screen(on_screen("…"), "%s lens 80x24: a cell not computed yet", mode);
    expect_screen(on_screen("next:") && on_screen("?"), "%s lens 80x24: the next tokens under the grid", mode);
    expect_screen(on_screen("after block 2 of 3 at t=1 \"␣world\": top 2") && on_screen("\"tok101\"") && on_screen("60.00%"),
                  "%s lens 80x24: the selected cell's top-k", mode);
    /* block 3 at t=1 predicts "!" = the token at t=2: underlined */
    int found = 0, under = 0;
    for (int y = 0; y < 24 && !found; y++)
        for (int x = 0; x + 1 < 80; x++) {
            chtype ch = mvwinch(stdscr, y, x);
            wchar_t wc[4];
            if (mvwinnwstr(stdscr, y, x, wc, 1) == 1 && wc[0] == L'!' && y > 3) {
                /* the "next:" row underlines too; take the first hit in the grid */
                found = 1;
                under = (ch & A_UNDERLINE) != 0;
                break;
            }
        }
    snprintf(name, sizeof name, "%s lens: a cell that already predicts the next token is underlined", mode);
    expect(found && under, name, "found %d underlined %d\n%s", found, under, screen_text());

    /* the last block is the model's own prediction */
    erase();
    base(&ic, 21, 80);
    ic.vc.layer = 2;
    ic.vc.n_topk = 1;
    snprintf(ic.vc.topk_label[0], VIEW_LABEL, "x");
    View_lens_grid.draw(&ic.vc);
    expect_screen(on_screen("(= the model's own output)"), "%s lens: the last block says it is the model's output", mode);

    /* big: runners-up in each cell, the top-k beside the grid */
    size_to(60, 200);
    base(&ic, 57, 200);
    View_lens_grid.draw(&ic.vc);
    expect_screen(on_screen("cell = top-3") && on_screen("tok1") && on_screen("30%") && on_screen("10%"), "%s lens 200x60: top-3 in every cell",
                  mode);

    /* layout keeps the selected position visible */
    base(&ic, 21, 30);
    ic.vc.pos = 4;
    ic.vc.col0 = 0;
    View_lens_layout(&ic);
    snprintf(name, sizeof name, "%s lens: the layout scrolls to the selected position", mode);
    expect(ic.ncols >= 1 && ic.vc.col0 <= 4 && 4 < ic.vc.col0 + ic.ncols, name, "col0 %d ncols %d", ic.vc.col0, ic.ncols);
}

/* Every size, every view: nothing drawn outside, nothing crashes (ASan checks the rest). */
static void test_sizes(const char *mode) {
    static const int sizes[][2] = {{1, 1}, {2, 3}, {5, 10}, {10, 20}, {10, 40}, {24, 80}, {30, 100}, {40, 120}, {60, 200}};
    const ViewClass *views[] = {&View_surprise, &View_xent, &View_lens_grid};
    int ok = 1;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_to(sizes[i][0], sizes[i][1]);
        for (int v = 0; v < 3; v++)
            for (int zoom = 1; zoom <= 3; zoom++)
                for (int pos = 0; pos < T; pos++) {
                    InspectCtx ic;
                    base(&ic, sizes[i][0], sizes[i][1]);
                    ic.vc.zoom = zoom;
                    ic.vc.pos = pos;
                    ic.vc.layer = pos % L;
                    erase();
                    views[v]->draw(&ic.vc);
                    if (getmaxy(stdscr) != sizes[i][0]) ok = 0;
                }
    }
    char name[64];
    snprintf(name, sizeof name, "%s inspect views at 1x1 .. 200x60, zoom 1-3", mode);
    expect(ok, name, " ");
}

int main(void) {
    if (harness_open("inspect views") != 0) return 0;
    make_data();
    test_level();

    Crt_setup_colors(0);
    test_surprise("256");
    test_xent("256");
    test_lens("256");
    test_sizes("256");

    Crt_setup_colors(1);
    test_surprise("mono");
    test_xent("mono");
    test_lens("mono");
    test_sizes("mono");

    harness_close();
    return check_done();
}
