/* test_rowcmp.c - the compare screen's numbers (app/rowcmp.c): the difference of two rows'
 * matrices, the cells that moved most, the top-k tokens only one row has, where token ids
 * differ; on hand-made numbers (worked out by hand in the comments) and on a real trace of
 * "The cat sat on the mat" / "The dog sat on the mat", where causal attention gives exact
 * facts to check: the rows agree on everything before the first differing token. */
#include "app/rowcmp.h"
#include "engine/model.h"
#include "tests/check.h"

#include <stdio.h>
#include <string.h>

static void test_hand(void) {
    /* a = [[1, 0], [0.5, 0.5]], b = [[1, 0], [0.2, 0.8]] (row-major, 2x2) */
    float av[] = {1, 0, 0.5f, 0.5f}, bv[] = {1, 0, 0.2f, 0.8f};
    Mat a = {av, 2, 2, 2, 1}, b = {bv, 2, 2, 2, 1};
    float d[4];
    double amax = RowCmp_diff(&a, &b, 2, 2, d);
    /* b - a = [[0, 0], [-0.3, 0.3]]; the largest |b - a| is 0.3 */
    expect(d[0] == 0 && d[1] == 0 && close_to(d[2], -0.3, 1e-6) && close_to(d[3], 0.3, 1e-6), "diff is b - a cell by cell",
           "%g %g %g %g", d[0], d[1], d[2], d[3]);
    expect(close_to(amax, 0.3, 1e-6), "diff returns the largest |b - a|", "%g", amax);
    RowCmpCell m[3];
    int n = RowCmp_most_moved(&a, &b, 2, 2, 1, m, 3);
    /* causal: cells (0,0) (1,0) (1,1); sizes 0, 0.3, 0.3: the earlier of the equal two first,
     * and (0,0), which did not move, not at all */
    expect(n == 2 && m[0].r == 1 && m[0].c == 0 && m[1].r == 1 && m[1].c == 1, "most moved: largest first, ties keep the earlier, unmoved left out",
           "n %d (%d,%d) (%d,%d)", n, m[0].r, m[0].c, m[1].r, m[1].c);
    expect(close_to(m[0].a, 0.5, 1e-6) && close_to(m[0].b, 0.2, 1e-6), "most moved keeps both values", "%g %g", m[0].a, m[0].b);
    n = RowCmp_most_moved(&a, &b, 2, 2, 0, m, 1);
    expect(n == 1 && m[0].r == 1 && m[0].c == 0, "most moved: n = 1 keeps the largest", "n %d (%d,%d)", n, m[0].r, m[0].c);
    /* a transposed view (column stride 2) reads the same numbers the other way */
    Mat at = {av, 2, 2, 1, 2};
    RowCmp_diff(&at, &at, 2, 2, d);
    expect(d[0] == 0 && d[3] == 0, "diff of a matrix with itself is 0", "%g %g", d[0], d[3]);
    float inf = 1.0f / 0.0f, cv[] = {-inf, 1}, dv[] = {0, 2};
    Mat c1 = {cv, 1, 2, 2, 1}, c2 = {dv, 1, 2, 2, 1};
    RowCmp_diff(&c1, &c2, 1, 2, d);
    n = RowCmp_most_moved(&c1, &c2, 1, 2, 0, m, 2);
    expect(d[0] == 0 && d[1] == 1 && n == 1 && m[0].c == 1, "a masked (-inf) cell is no difference and never moved most", "%g %g n %d", d[0], d[1], n);

    /* top-k: a = {5, 7, 9}, b = {7, 3}: 5 and 9 only in a, 3 only in b, 7 in both */
    TopK ta[] = {{5, .5f, 0}, {7, .3f, 0}, {9, .2f, 0}}, tb[] = {{7, .6f, 0}, {3, .4f, 0}};
    int ab[3], ba[2];
    RowCmp_topk_match(ta, 3, tb, 2, ab, ba);
    expect(ab[0] == -1 && ab[1] == 0 && ab[2] == -1 && ba[0] == 1 && ba[1] == -1, "top-k: each token's place in the other list", "%d %d %d / %d %d",
           ab[0], ab[1], ab[2], ba[0], ba[1]);

    int i1[] = {464, 3797, 3332}, i2[] = {464, 3290, 3332}, nd = -1;
    expect(RowCmp_first_diff(i1, 3, i2, 3, &nd) == 1 && nd == 1, "first differing position and how many differ", "nd %d", nd);
    expect(RowCmp_first_diff(i1, 3, i1, 3, &nd) == -1 && nd == 0, "the same ids: no difference", "nd %d", nd);
    expect(RowCmp_first_diff(i1, 2, i1, 3, NULL) == 2, "a prefix: the shorter length", " ");
}

/* cat / dog on the small GPT-2: at 3.1.f (attention probabilities, every head of block 1)
 * the query t=0 ("The" in both) has the same weights in both rows, bit for bit (a causal
 * model sees only the prefix); the rows' weights each sum to 1, so every row of b - a sums to
 * 0 (to float rounding: 6 terms of size <= 1, 1e-5 is hundreds of ulp); the difference is
 * not 0 from t=1 on ("␣cat" vs "␣dog"). */
static void test_trace(void) {
    char path[512], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/gpt2-test-d64", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("rowcmp: cat/dog trace", "%s", err); return; }
    const char *texts[] = {"The cat sat on the mat", "The dog sat on the mat"};
    Trace *t = Trace_run(m, texts, 2, NULL, err);
    if (!t) { fail("rowcmp: Trace_run", "%s", err); Model_free(m); return; }
    expect(t->len[0] == 6 && t->len[1] == 6, "rowcmp: cat/dog are 6 tokens each", "%d %d", t->len[0], t->len[1]);
    int nd = 0;
    int first = RowCmp_first_diff(t->ids, t->len[0], t->ids + t->Tcap, t->len[1], &nd);
    expect(first == 1 && nd == 1, "rowcmp: cat/dog differ at t=1 only", "first %d nd %d", first, nd);
    const int T = t->T, Tc = t->Tcap, H = m->c.n_heads;
    int zero_t0 = 1, sums0 = 1, moved_later = 1;
    double worst = 0;
    for (int h = 0; h < H; h++) {
        const float *p = t->rec[0].probs;
        Mat a = {p + ((long)(0 * H + h) * Tc) * Tc, T, T, Tc, 1};
        Mat b = {p + ((long)(1 * H + h) * Tc) * Tc, T, T, Tc, 1};
        float d[64 * 64];
        RowCmp_diff(&a, &b, T, T, d);
        for (int c = 0; c < T; c++) if (d[c] != 0) zero_t0 = 0;
        for (int r = 0; r < T; r++) {
            double s = 0;
            for (int c = 0; c < T; c++) s += d[r * T + c];
            if (fabs(s) > worst) worst = fabs(s);
            if (fabs(s) > 1e-5) sums0 = 0;
        }
        RowCmpCell mv[1];
        if (RowCmp_most_moved(&a, &b, T, T, 1, mv, 1) != 1 || mv[0].r < 1) moved_later = 0;
    }
    expect(zero_t0, "rowcmp: query t=0 has the same weights in both rows (causal)", " ");
    expect(sums0, "rowcmp: each row of the attention difference sums to 0", "worst |sum| %g", worst);
    expect(moved_later, "rowcmp: what moved most is at t >= 1 in every head", " ");
    Trace_free(t);
    Model_free(m);
}

int main(void) {
    test_hand();
    test_trace();
    return check_done();
}
