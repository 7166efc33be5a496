/* test_inspect.c - the inspection screens' numbers (app/inspect_cache.c): per-token probability,
 * loss and rank, and the logit lens computed a column at a time, checked against
 *   ../shared/models/gpt2-test-d64/reference.json and ../shared/models/stories260K/reference.json
 * (an independent PyTorch implementation: next_token_probs[t] is what position t gave token
 * t+1, logit_lens_top1[l][t] the top-1 after block l), and against the engine's own
 * one-row Trace_logit_lens for the runners-up. Then the cache: what it keeps and forgets
 * when the prompt changes, grows by generation, or the model changes.
 * Tolerance: 1e-4 absolute for probabilities; losses 1e-3 absolute or 1e-4 relative. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "refjson.h"
#include "app/inspect_cache.h"

#define TOL 1e-4

/* Row b of t holds reference prompt p: compare the cache's numbers with the reference. */
static void check_row(Inspect *in, Trace *t, int b, const cJSON *p, const char *tag) {
    char name[256];
    double mean;
    int n;
    Inspect_row_stats(in, t, b, &mean, &n);
    int ok = 1, count = 0;
    double worst = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "next_token_probs")) {
        int pos = (int)refjson_num(e, "position");   /* predicts the token at pos+1 */
        size_t i = Inspect_at(in, b, pos + 1);
        double dp = fabs(in->prob[i] - refjson_num(e, "prob")), dl = fabs(in->loss[i] - refjson_num(e, "loss"));
        if (dp > worst) worst = dp;
        if (dl > 1e-3 && dl / refjson_num(e, "loss") > 1e-4) ok = 0;
        if (in->rank[i] != (int)refjson_num(e, "rank")) ok = 0;
        count++;
    }
    snprintf(name, sizeof name, "%s: each token's probability, loss and rank (reference)", tag);
    expect(ok && worst <= TOL && count == t->len[b] - 1, name, "worst prob %g, %s, %d positions", worst, ok ? "losses/ranks equal" : "differ", count);
    /* the reference's mean_loss, or the mean of its per-position losses when it has none */
    double ref_mean = refjson_opt(p, "mean_loss");
    if (isnan(ref_mean)) {
        double sum = 0;
        int k = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "next_token_probs")) sum += refjson_num(e, "loss"), k++;
        ref_mean = k ? sum / k : NAN;
    }
    snprintf(name, sizeof name, "%s: mean loss (reference)", tag);
    /* losses up to ~18 nats: relative to the mean's size */
    expect(rel_to(mean - ref_mean, ref_mean) <= 1e-4 && n == t->len[b] - 1, name, "%.6f vs %.6f over %d", mean, ref_mean, n);

    /* logit lens, a column at a time */
    ok = 1;
    worst = 0;
    int l = 0, cells = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "logit_lens_top1")) {
        int pos = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, e) {
            if (Inspect_lens_column(in, t, b, pos) != 0) ok = 0;
            size_t at = Inspect_lens_at(in, l, b, pos);
            if (in->lens_id[at] != (int)refjson_num(c, "id")) ok = 0;
            double d = fabs(in->lens_p[at] - refjson_num(c, "prob"));
            if (d > worst) worst = d;
            pos++;
            cells++;
        }
        l++;
    }
    snprintf(name, sizeof name, "%s: logit lens top-1 of every cell from one matmul per position (reference)", tag);
    expect(ok && worst <= TOL && l == in->L && cells == l * t->len[b], name, "worst %g, ids %s, %d cells", worst, ok ? "equal" : "differ", cells);

    /* the runners-up agree with the engine's one-row logit lens */
    ok = 1;
    worst = 0;
    for (l = 0; l < in->L; l++)
        for (int pos = 0; pos < t->len[b]; pos++) {
            TopK tk[INSPECT_LENS_K];
            int k = Trace_logit_lens(t, l, b, pos, INSPECT_LENS_K, tk);
            size_t at = Inspect_lens_at(in, l, b, pos);
            for (int i = 0; i < k; i++) {
                if (tk[i].id != in->lens_id[at + i]) ok = 0;
                if (fabs(tk[i].prob - in->lens_p[at + i]) > worst) worst = fabs(tk[i].prob - in->lens_p[at + i]);
            }
        }
    snprintf(name, sizeof name, "%s: logit lens top-%d per cell equals Trace_logit_lens", tag, INSPECT_LENS_K);
    expect(ok && worst <= 1e-5, name, "worst %g, ids %s", worst, ok ? "equal" : "differ");
}

static void test_model(const char *model_rel, const char *ref_rel, const char *tag) {
    char path[1024], rpath[1024], err[SW_ERR_LEN], name[256];
    snprintf(path, sizeof path, "%s/%s", shared_dir(), model_rel);
    snprintf(rpath, sizeof rpath, "%s/%s", shared_dir(), ref_rel);
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip(tag, "cannot open %s: %s", path, err); return; }
    cJSON *ref = refjson_load(rpath);
    if (!ref) { fail(tag, "cannot read %s", rpath); Model_free(m); return; }
    const char *texts[SW_MAX_B];
    int np = refjson_prompts(ref, texts, SW_MAX_B);
    Trace *t = Trace_run(m, texts, np, NULL, err);
    if (!t) { fail(tag, "Trace_run: %s", err); cJSON_Delete(ref); Model_free(m); return; }
    Inspect *in = Inspect_get(m);
    if (!in) { fail(tag, "Inspect_get: out of memory"); Trace_free(t); cJSON_Delete(ref); Model_free(m); return; }
    Inspect_sync(in, t);
    int b = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(ref, "prompts")) {
        char tg[128];
        snprintf(tg, sizeof tg, "%s prompt %d", tag, b);
        check_row(in, t, b, p, tg);
        b++;
    }
    snprintf(name, sizeof name, "%s: the cache is the same object for the same model", tag);
    expect(Inspect_get(m) == in, name, " ");

    /* the same trace again: everything kept */
    unsigned f0 = in->forgets;
    Inspect_sync(in, t);
    snprintf(name, sizeof name, "%s: syncing the same tokens forgets nothing", tag);
    expect(in->forgets == f0 && in->prob[Inspect_at(in, 0, 1)] >= 0 && Inspect_lens_ready(in, 0, 0), name, "forgets %u -> %u", f0, in->forgets);

    /* row 0 keeps its first tokens, then differs: the shared prefix stays, the rest goes;
     * row 1 becomes another prompt entirely */
    char edited[512];
    snprintf(edited, sizeof edited, "%s and more", texts[0]);
    const char *np2[2] = {edited, "Zebra"};
    Trace *t2 = Trace_run(m, np2, 2, NULL, err);
    if (!t2) { fail(tag, "Trace_run (edited): %s", err); goto done; }
    int keep = 0;   /* tokens row 0 shares with the old trace */
    while (keep < t->len[0] && keep < t2->len[0] && Trace_id(t, 0, keep) == Trace_id(t2, 0, keep)) keep++;
    Inspect_sync(in, t2);
    int kept = 1, gone = 1;
    for (int q = 1; q < keep; q++) if (in->prob[Inspect_at(in, 0, q)] < 0 || !Inspect_lens_ready(in, 0, q)) kept = 0;
    for (int q = keep; q < in->cap; q++) if (in->prob[Inspect_at(in, 0, q)] >= 0 || Inspect_lens_ready(in, 0, q)) gone = 0;
    snprintf(name, sizeof name, "%s: an edit keeps the %d shared tokens' numbers and forgets the rest", tag, keep);
    expect(keep >= 2 && kept && gone, name, "keep %d kept %d gone %d", keep, kept, gone);
    /* recomputed numbers equal what the new trace says */
    Inspect_row_stats(in, t2, 0, NULL, NULL);
    Inspect_row_stats(in, t2, 1, NULL, NULL);
    int same = 1;
    for (int r = 0; r < 2; r++)
        for (int q = 1; q < t2->len[r]; q++) {
            float pr, lo;
            int rk;
            Trace_next_token_stats(t2, r, q - 1, &pr, &lo, &rk);
            size_t i = Inspect_at(in, r, q);
            if (fabs(in->prob[i] - pr) > 1e-6 || in->rank[i] != rk) same = 0;
        }
    snprintf(name, sizeof name, "%s: after the edit every token's numbers match the new trace", tag);
    expect(same, name, " ");
    Inspect_lens_columns(in, t2, 0, 0, t2->len[0]);   /* every column at once (some cached) */
    same = 1;
    for (int l = 0; l < in->L; l++)
        for (int q = 0; q < t2->len[0]; q++) {
            TopK one;
            Trace_logit_lens(t2, l, 0, q, 1, &one);
            if (one.id != in->lens_id[Inspect_lens_at(in, l, 0, q)]) same = 0;
        }
    snprintf(name, sizeof name, "%s: after the edit the lens matches the new trace", tag);
    expect(same, name, " ");

    /* generation appends a position: old numbers stay, the new one is computed */
    Sampler s = {0};
    int len0 = t2->len[0];
    f0 = in->forgets;
    if (Trace_generate(t2, &s, err) != 0) { fail(tag, "Trace_generate: %s", err); Trace_free(t2); goto done; }
    Inspect_sync(in, t2);
    double mean;
    int n;
    Inspect_row_stats(in, t2, 0, &mean, &n);
    float pr, lo;
    int rk;
    Trace_next_token_stats(t2, 0, len0 - 1, &pr, &lo, &rk);
    snprintf(name, sizeof name, "%s: a generated token keeps the cache and adds its own numbers", tag);
    expect(in->forgets == f0 && fabs(in->prob[Inspect_at(in, 0, len0)] - pr) < 1e-6 && rk == 1 && n == len0 - 1, name,
           "forgets %u -> %u, p %g vs %g, rank %d, n %d", f0, in->forgets, in->prob[Inspect_at(in, 0, len0)], pr, rk, n);
    snprintf(name, sizeof name, "%s: out-of-range lens columns are refused", tag);
    expect(Inspect_lens_column(in, t2, 0, t2->len[0]) == -1 && Inspect_lens_column(in, t2, 5, 0) == -1 && Inspect_lens_column(in, t2, 0, -1) == -1 &&
               Inspect_lens_columns(in, t2, 0, 1, t2->len[0]) == -1 && Inspect_lens_columns(in, t2, 0, 0, 0) == -1,
           name, " ");
    Trace_free(t2);

done:
    Inspect_release();   /* the next model may land at this one's address */
    Trace_free(t);
    cJSON_Delete(ref);
    Model_free(m);
}

int main(void) {
    test_model("models/gpt2-test-d64", "models/gpt2-test-d64/reference.json", "gpt2-d64");
    test_model("models/stories260K/stories260K.bin", "models/stories260K/reference.json", "stories260K");

    /* another model gets a fresh cache */
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.bin", shared_dir());
    Model *a = Model_open(path, NULL, err), *b = Model_open(path, NULL, err);
    if (a && b) {
        Inspect *ia = Inspect_get(a);
        Inspect *ib = Inspect_get(b);
        expect(ia && ib && ib->m == b && ib->prob[Inspect_at(ib, 0, 1)] < 0, "a new model gets a fresh cache", " ");
    } else {
        skip("a new model gets a fresh cache", "%s", err);
    }
    Inspect_release();
    if (a) Model_free(a);
    if (b) Model_free(b);
    return check_done();
}
