/* test_lesson.c - the classroom mode's maths (engine/lesson.c).
 *
 * Where the expected numbers come from (none of them from this code):
 *   - hand-made vectors and matrices: worked by hand (values in the comments);
 *   - softmax of [2,1,0]: e^2/(e^2+e+1) = 0.665241, e/(..) = 0.244728, 1/(..) = 0.090031;
 *     and IEEE float: expf(1000) = inf, inf/inf = NaN;
 *   - stories260K nearest tokens: a separate pure-Python float64 computation of cosine
 *     similarity over the embedding table read straight from stories260K.bin and tok512.bin
 *     (for " he" (281): " she" 358 0.580977, " He" 346 0.560978, " they" 366 0.491978;
 *      for " big" (370): " little" 376 0.580579; " Lily"·" Tim" (317, 326) = 1.854828, cos 0.501146);
 *   - cross-entropy: reference.json of ../shared/models/gpt2-test-d64 and stories260K (independent PyTorch):
 *     each position's prob/loss/rank and, for gpt2-test-d64, mean_loss 18.373945;
 *   - an LM-head logit as a row·column dot product: the forward pass's own logits (a different
 *     code path: one cblas_sgemm over all rows), which test_forward.c checks against PyTorch.
 */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "refjson.h"
#include "engine/lesson.h"

static void test_vectors(void) {
    const float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, z[3] = {0, 0, 0}, na[3] = {-2, -4, -6};
    /* 1*4 + 2*5 + 3*6 = 32; |a| = sqrt 14; |b| = sqrt 77; cos = 32 / sqrt(1078) = 0.9746318 */
    expect(close_to(Lesson_dot(a, b, 3), 32, 1e-6), "dot: [1,2,3]·[4,5,6] = 32", "got %g", Lesson_dot(a, b, 3));
    expect(close_to(Lesson_norm(a, 3), sqrt(14.0), 1e-6), "norm: |[1,2,3]| = sqrt 14", "got %g", Lesson_norm(a, 3));
    expect(close_to(Lesson_cosine(a, b, 3), 0.9746318, 1e-6), "cosine: 32/sqrt(1078)", "got %.7f", Lesson_cosine(a, b, 3));
    expect(close_to(Lesson_cosine(a, a, 3), 1, 1e-6), "cosine: a vector with itself is 1", "got %.9f", Lesson_cosine(a, a, 3));
    expect(close_to(Lesson_cosine(a, na, 3), -1, 1e-6), "cosine: opposite vectors give -1", "got %.9f", Lesson_cosine(a, na, 3));
    expect(Lesson_cosine(a, z, 3) == 0.0f, "cosine: the zero vector gives 0, not NaN", "got %g", Lesson_cosine(a, z, 3));
    expect(Lesson_dot(a, b, 0) == 0 && Lesson_dot(NULL, b, 3) == 0, "dot: empty or NULL is 0", " ");
}

static void test_nearest_hand(void) {
    char err[SW_ERR_LEN] = "";
    /* E (V=6, D=2); query = row 0 = [1,0].
     * cos with row 1 [0,1] = 0; row 2 [2,0.1] = 2/sqrt(4.01) = 0.998752; row 3 [-1,0] = -1;
     * row 4 [0,0] has no direction (left out); row 5 [3,0] = 1 exactly. */
    const float E[12] = {1, 0, 0, 1, 2, 0.1f, -1, 0, 0, 0, 3, 0};
    unsigned char skip[6] = {1, 0, 0, 0, 0, 0};
    LessonNear nb[6];
    int n = Lesson_nearest(E, NULL, 6, 2, E, skip, 6, nb, err);
    expect(n == 4, "nearest (hand): the query row and the zero row are left out", "n = %d (%s)", n, err);
    int order = n == 4 && nb[0].id == 5 && nb[1].id == 2 && nb[2].id == 1 && nb[3].id == 3;
    expect(order, "nearest (hand): best first 5, 2, 1, 3", "got %d %d %d %d", nb[0].id, nb[1].id, nb[2].id, nb[3].id);
    expect(n == 4 && close_to(nb[0].cos, 1, 1e-6) && close_to(nb[1].cos, 0.998752, 1e-5) && close_to(nb[2].cos, 0, 1e-6) &&
               close_to(nb[3].cos, -1, 1e-6),
           "nearest (hand): cosines 1, 0.998752, 0, -1", "got %g %g %g %g", nb[0].cos, nb[1].cos, nb[2].cos, nb[3].cos);
    expect(n == 4 && close_to(nb[1].dot, 2, 1e-6), "nearest (hand): dot of row 2 with the query = 2", "got %g", nb[1].dot);
    /* k smaller than the candidates: only the best k */
    n = Lesson_nearest(E, NULL, 6, 2, E, skip, 2, nb, err);
    expect(n == 2 && nb[0].id == 5 && nb[1].id == 2, "nearest (hand): k=2 keeps the best two", "n=%d", n);
    /* ties: rows 0 and 5 are both cos 1 with [1,0]; the lower id comes first */
    n = Lesson_nearest(E, NULL, 6, 2, E, NULL, 2, nb, err);
    expect(n == 2 && nb[0].id == 0 && nb[1].id == 5, "nearest (hand): ties keep the lower id first", "got %d %d", nb[0].id, nb[1].id);
    /* the zero query has no neighbours */
    const float zq[2] = {0, 0};
    n = Lesson_nearest(E, NULL, 6, 2, zq, NULL, 3, nb, err);
    expect(n == 0, "nearest (hand): zero query gives no neighbours", "n = %d", n);
    /* precomputed norms give the same */
    float *norms = Lesson_row_norms(E, 6, 2, err);
    n = norms ? Lesson_nearest(E, norms, 6, 2, E, skip, 6, nb, err) : -1;
    expect(n == 4 && nb[0].id == 5 && nb[3].id == 3, "nearest (hand): with precomputed row norms", "n = %d", n);
    free(norms);
    n = Lesson_nearest(NULL, NULL, 0, 2, E, NULL, 3, nb, err);
    expect(n == -1 && err[0], "nearest: an empty table is an error with a message", "n = %d", n);
}

static void test_softmax(void) {
    float x[3] = {2, 1, 0}, e[3], p[3], mx = 0;
    float s = Lesson_softmax_naive(x, 3, e, p);
    expect(close_to(p[0], 0.665241, 1e-6) && close_to(p[1], 0.244728, 1e-6) && close_to(p[2], 0.090031, 1e-6),
           "softmax naive: [2,1,0] -> [0.665241, 0.244728, 0.090031]", "got %g %g %g", p[0], p[1], p[2]);
    expect(close_to(s, exp(2) + exp(1) + 1, 1e-5), "softmax naive: sum e^2+e+1 = 11.107", "got %g", s);
    float big[3] = {1000, 999, 998};
    s = Lesson_softmax_naive(big, 3, e, p);
    expect(isinf(e[0]) && isinf(e[1]) && isinf(e[2]) && isinf(s), "softmax naive: expf(1000) overflows to inf in float", "e0 = %g", e[0]);
    expect(isnan(p[0]) && isnan(p[1]) && isnan(p[2]), "softmax naive: inf/inf = NaN", "p0 = %g", p[0]);
    double sum = Lesson_softmax_stable(big, 3, 1, e, p, &mx);
    expect(close_to(p[0], 0.665241, 1e-6) && close_to(p[1], 0.244728, 1e-6) && close_to(p[2], 0.090031, 1e-6),
           "softmax stable: [1000,999,998] gives the same as [2,1,0]", "got %g %g %g", p[0], p[1], p[2]);
    expect(mx == 1000 && e[0] == 1 && close_to(sum, 1 + exp(-1) + exp(-2), 1e-6), "softmax stable: max 1000 subtracted, exp(0) = 1",
           "max %g e0 %g sum %g", mx, e[0], sum);
    Lesson_softmax_stable(x, 3, 0, e, p, NULL);
    expect(p[0] == 1 && p[1] == 0 && p[2] == 0, "softmax T=0: one-hot on the argmax", "got %g %g %g", p[0], p[1], p[2]);
    Lesson_softmax_stable(x, 3, 0.05f, e, p, NULL);
    expect(p[0] > 0.999999, "softmax T=0.05: nearly argmax", "p0 = %.9f", p[0]);
    Lesson_softmax_stable(x, 3, 1000, e, p, NULL);
    expect(fabs(p[0] - 1.0 / 3) < 1e-3 && fabs(p[2] - 1.0 / 3) < 1e-3, "softmax T=1000: nearly uniform 1/3", "got %g %g %g", p[0], p[1], p[2]);
    /* temperature 2 = softmax([1, 0.5, 0]): e^1/(e^1+e^.5+1) = 0.506480 */
    Lesson_softmax_stable(x, 3, 2, e, p, NULL);
    expect(close_to(p[0], 0.506480, 1e-5), "softmax T=2: softmax(x/2)", "p0 = %g", p[0]);
    float tie[3] = {1, 1, 0};
    Lesson_softmax_stable(tie, 3, 0, e, p, NULL);
    expect(p[0] == 0.5f && p[1] == 0.5f && p[2] == 0, "softmax T=0: a tie shares the weight", "got %g %g %g", p[0], p[1], p[2]);
}

static void test_shapes(void) {
    Config c;
    memset(&c, 0, sizeof c);
    c.norm = NORM_LAYERNORM; c.pos = POS_LEARNED; c.mlp = MLP_GELU; c.qkv_fused = 1; c.dim = 64; c.hidden_dim = 256; c.n_layers = 2; c.n_heads = 4; c.n_kv_heads = 4;
    c.head_dim = 16; c.vocab_size = 50257; c.seq_len = 128;
    LessonShape s;
    char buf[128], why[SW_ERR_LEN];
    StationRef embed = {ST_EMBED, -1}, next = {ST_NEXT, -1}, scores = {ST_SCORES, 0}, qkv = {ST_QKV, 0}, head = {ST_LM_HEAD, -1};
    Lesson_station_shape(&c, embed, 2, 6, &s);
    LessonShape_format(&s, 2, buf, sizeof buf);
    expect(strcmp(buf, "(B,T,D) = (2,6,64)") == 0, "shape: embed is (B,T,D) = (2,6,64)", "got %s", buf);
    Lesson_station_shape(&c, next, 2, 6, &s);
    LessonShape_format(&s, 2, buf, sizeof buf);
    expect(strcmp(buf, "(B,) = (2,)") == 0, "shape: next token is (B,) = (2,)", "got %s", buf);
    Lesson_station_shape(&c, scores, 2, 6, &s);
    LessonShape_format(&s, 1, buf, sizeof buf);
    expect(strcmp(buf, "(2,4,6,6)") == 0, "shape: scores are (2,4,6,6)", "got %s", buf);

    Lesson_station_shape(&c, embed, 2, 6, &s);
    struct { const char *answer; LessonVerdict v; } cases[] = {
        {"(B,T,D)", LESSON_RIGHT}, {"B,T,D", LESSON_RIGHT}, {"B T D", LESSON_RIGHT}, {"BTD", LESSON_RIGHT},
        {" ( b , t , D ) ", LESSON_RIGHT}, {"2,6,64", LESSON_RIGHT}, {"(2, 6, 64)", LESSON_RIGHT}, {"B,6,D", LESSON_RIGHT},
        {"(B,T,V)", LESSON_WRONG}, {"(B,T)", LESSON_WRONG}, {"b,t,d", LESSON_WRONG}, {"2,6,50257", LESSON_WRONG},
        {"(B,T,D,D)", LESSON_WRONG}, {"", LESSON_UNREADABLE}, {"(B,Q,D)", LESSON_UNREADABLE}, {"2x6", LESSON_UNREADABLE},
        {"6b", LESSON_UNREADABLE}, {"()", LESSON_UNREADABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        why[0] = 0;
        LessonVerdict v = Lesson_check_shape(&s, cases[i].answer, why, sizeof why);
        char name[160];
        snprintf(name, sizeof name, "shape check: \"%s\" for (B,T,D) is %s", cases[i].answer,
                 cases[i].v == LESSON_RIGHT ? "right" : cases[i].v == LESSON_WRONG ? "wrong" : "unreadable");
        expect(v == cases[i].v && (v == LESSON_RIGHT || why[0]), name, "got %d (%s)", v, why);
    }
    Lesson_check_shape(&s, "b,t,d", why, sizeof why);
    expect(strstr(why, "head size") != NULL, "shape check: small d for D explains the head size", "why: %s", why);
    Lesson_check_shape(&s, "B,T,V", why, sizeof why);
    expect(strstr(why, "axis 3 is D (64)") != NULL, "shape check: names the first wrong axis", "why: %s", why);
    Lesson_check_shape(&s, "(B,T)", why, sizeof why);
    expect(strstr(why, "3 axes") != NULL, "shape check: counts the axes", "why: %s", why);
    Lesson_station_shape(&c, next, 2, 6, &s);
    expect(Lesson_check_shape(&s, "(B,)", why, sizeof why) == LESSON_RIGHT && Lesson_check_shape(&s, "2", why, sizeof why) == LESSON_RIGHT,
           "shape check: (B,) and 2 for the next token", "why: %s", why);
    Lesson_station_shape(&c, qkv, 2, 6, &s);
    expect(Lesson_check_shape(&s, "B,H,T,d", why, sizeof why) == LESSON_RIGHT && Lesson_check_shape(&s, "B,h,T,D", why, sizeof why) == LESSON_WRONG,
           "shape check: q is (B,h,T,d); H reads as h, D is not d", "why: %s", why);
    Lesson_station_shape(&c, head, 2, 6, &s);
    expect(Lesson_check_shape(&s, "B,T,50257", why, sizeof why) == LESSON_RIGHT, "shape check: letters and numbers mixed", "why: %s", why);
    /* long and odd input never overflows */
    char longans[4096];
    memset(longans, 'B', sizeof longans - 1);
    longans[sizeof longans - 1] = 0;
    expect(Lesson_check_shape(&s, longans, why, sizeof why) == LESSON_UNREADABLE, "shape check: 4095 letters are unreadable, not a crash", " ");
    expect(Lesson_check_shape(&s, "\x01\xff", why, sizeof why) == LESSON_UNREADABLE, "shape check: control bytes are unreadable", " ");
    expect(Lesson_check_shape(&s, NULL, why, sizeof why) == LESSON_UNREADABLE, "shape check: NULL is unreadable", " ");
}

/* stories260K: nearest tokens and dot products against the Python computation. */
static void test_stories(void) {
    char path[4096], err[SW_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.bin", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("stories260K", "%s", err); return; }
    const int V = m->c.vocab_size, D = m->c.dim;
    float *norms = Lesson_row_norms(m->tok_emb.w, V, D, err);
    unsigned char *skip_ = calloc((size_t)V, 1);
    LessonNear nb[5];
    int he = Tokenizer_lookup(m->tok, " he"), big = Tokenizer_lookup(m->tok, " big");
    expect(he == 281 && big == 370, "stories: ids of \" he\" and \" big\"", "got %d %d", he, big);
    if (he == 281 && norms && skip_) {
        skip_[he] = 1;
        int n = Lesson_nearest(m->tok_emb.w, norms, V, D, Lesson_embedding(m, he, NULL), skip_, 5, nb, err);
        expect(n == 5 && nb[0].id == 358 && nb[1].id == 346 && nb[2].id == 366, "stories: nearest to \" he\" are \" she\", \" He\", \" they\"",
               "got %d %d %d", nb[0].id, nb[1].id, nb[2].id);
        expect(n == 5 && close_to(nb[0].cos, 0.580977, 1e-5) && close_to(nb[1].cos, 0.560978, 1e-5) && close_to(nb[2].cos, 0.491978, 1e-5),
               "stories: their cosines 0.580977 0.560978 0.491978 (Python)", "got %.6f %.6f %.6f", nb[0].cos, nb[1].cos, nb[2].cos);
        skip_[he] = 0;
        skip_[big] = 1;
        n = Lesson_nearest(m->tok_emb.w, NULL, V, D, Lesson_embedding(m, big, NULL), skip_, 1, nb, err);
        expect(n == 1 && nb[0].id == 376 && close_to(nb[0].cos, 0.580579, 1e-5), "stories: nearest to \" big\" is \" little\" 0.580579",
               "got %d %.6f", nb[0].id, nb[0].cos);
    }
    const float *lily = Lesson_embedding(m, 317, NULL), *tim = Lesson_embedding(m, 326, NULL);
    expect(lily && tim && close_to(Lesson_dot(lily, tim, D), 1.854828, 1e-5) && close_to(Lesson_cosine(lily, tim, D), 0.501146, 1e-5),
           "stories: \" Lily\"·\" Tim\" = 1.854828, cos 0.501146 (Python)", "got %.6f %.6f", lily && tim ? Lesson_dot(lily, tim, D) : 0,
           lily && tim ? Lesson_cosine(lily, tim, D) : 0);
    expect(Lesson_embedding(m, -1, NULL) == NULL && Lesson_embedding(m, V, NULL) == NULL, "stories: embedding ids out of range give NULL", " ");
    free(norms);
    free(skip_);
    Model_free(m);
}

/* One model: an LM-head entry as row·column, and the cross-entropy table vs reference.json. */
static void test_model(const char *tag, const char *model_path, const char *ref_path, double mean_ref) {
    char err[SW_ERR_LEN] = "", name[256];
    Model *m = Model_open(model_path, NULL, err);
    if (!m) { skip(tag, "%s", err); return; }
    cJSON *ref = refjson_load(ref_path);
    const cJSON *p0 = ref ? cJSON_GetArrayItem(cJSON_GetObjectItem(ref, "prompts"), 0) : NULL;
    const cJSON *text = p0 ? cJSON_GetObjectItem(p0, "text") : NULL;
    if (!cJSON_IsString(text)) {
        skip(tag, "no prompt in %s", ref_path);
        cJSON_Delete(ref);
        Model_free(m);
        return;
    }
    const char *prompts[1] = {text->valuestring};
    Trace *t = Trace_run(m, prompts, 1, NULL, err);
    if (!t) {
        fail(tag, "Trace_run: %s", err);
        cJSON_Delete(ref);
        Model_free(m);
        return;
    }
    const int D = m->c.dim, V = m->c.vocab_size;
    /* logits[0,t,v] = final_norm[0,t,:] · W[:,v] for a few entries */
    float *col = malloc(sizeof(float) * (size_t)D);
    double worst = 0;
    int checked = 0;
    for (int pos = 0; col && pos < t->len[0]; pos++) {
        const float *x = t->final_norm + (size_t)pos * D;
        int vs[4] = {0, V - 1, V / 2, Trace_id(t, 0, pos)};
        for (int i = 0; i < 4; i++) {
            if (Lesson_lm_column(m, vs[i], col) != 0) { worst = 1e9; break; }
            float dot = Lesson_dot(x, col, D);
            float lg = Trace_logits_row(t, 0, pos)[vs[i]];
            double rel = fabs(dot - lg) / (fabs(lg) > 1 ? fabs(lg) : 1);
            if (rel > worst) worst = rel;
            checked++;
        }
    }
    snprintf(name, sizeof name, "%s: an LM-head entry = row of x · column of W (%d entries)", tag, checked);
    expect(worst < 1e-4 && checked > 0, name, "worst relative difference %g", worst);
    expect(Lesson_lm_column(m, V, col) == -1 && Lesson_lm_column(m, -1, col) == -1, "lm column: out-of-range v is refused", " ");
    free(col);

    /* cross-entropy table */
    LessonCE ce[256];
    double mean = 0;
    int n = Lesson_cross_entropy(t, 0, ce, 256, &mean);
    int i = 0, ok = n == t->len[0] - 1;
    double worst_q = 0, worst_l = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(p0, "next_token_probs")) {
        if (i >= n) { ok = 0; break; }
        double q = refjson_num(e, "prob"), l = refjson_num(e, "loss");
        if (ce[i].pos != (int)refjson_num(e, "position") || ce[i].target != (int)refjson_num(e, "next_id") ||
            ce[i].rank != (int)refjson_num(e, "rank"))
            ok = 0;
        if (fabs(ce[i].q - q) > worst_q) worst_q = fabs(ce[i].q - q);
        if (fabs(ce[i].loss - l) / (l > 1 ? l : 1) > worst_l) worst_l = fabs(ce[i].loss - l) / (l > 1 ? l : 1);
        i++;
    }
    snprintf(name, sizeof name, "%s: cross-entropy table (%d positions) matches reference.json", tag, n);
    expect(ok && i == n && worst_q < 1e-4 && worst_l < 1e-4, name, "ok %d, rows %d/%d, worst |dQ| %g, worst rel dloss %g", ok, i, n, worst_q,
           worst_l);
    if (mean_ref > 0) {
        snprintf(name, sizeof name, "%s: mean loss %.6f (reference)", tag, mean_ref);
        expect(rel_to(mean - mean_ref, mean_ref) < 1e-4, name, "got %.6f", mean);   /* losses up to ~18 nats: relative */
    }
    /* fewer rows than positions: the count and mean still cover them all */
    double mean2 = 0;
    int n2 = Lesson_cross_entropy(t, 0, ce, 1, &mean2);
    expect(n2 == n && close_to(mean2, mean, 1e-12), "cross-entropy: cap smaller than T still counts every position", "n %d vs %d", n2, n);
    expect(Lesson_cross_entropy(t, 5, ce, 256, &mean2) == 0 && mean2 == 0, "cross-entropy: a missing row gives 0 rows", " ");
    Trace_free(t);
    cJSON_Delete(ref);
    Model_free(m);
}

/* A quantized embedding table (stories260K in GGUF Q8_0, its E in Q8_0; Q4_0 file: the same):
 * the lesson's nearest tokens, rows and LM-head columns equal the float path run over the
 * rows dequantized one by one (the numbers are ggml's dequantized weights either way; the
 * cosines differ only by the order of float sums, 1e-5 on values in [-1,1]). */
static void test_quantized_embedding(void) {
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/stories260K-gguf/stories260K-q8_0.gguf", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { fail("q8_0 embedding: open", "%s", err); return; }
    const int V = m->c.vocab_size, D = m->c.dim;
    float *E = malloc(sizeof(float) * (size_t)V * D), *row = malloc(sizeof(float) * (size_t)D);
    for (int v = 0; v < V; v++) Model_embed_row(m, v, E + (size_t)v * D);
    expect(m->tok_emb.w == NULL && Lesson_embedding(m, 317, row) == row && memcmp(row, E + 317 * D, sizeof(float) * D) == 0 &&
               Lesson_embedding(m, 317, NULL) == NULL,
           "q8_0 embedding: a row is dequantized into the caller's buffer", " ");
    LessonNear a[8], b[8];
    int na = Lesson_model_nearest(m, NULL, E + 317 * D, NULL, 8, a, err);
    int nb = Lesson_nearest(E, NULL, V, D, E + 317 * D, NULL, 8, b, err);
    int same = na == 8 && nb == 8;
    for (int i = 0; same && i < 8; i++) same = a[i].id == b[i].id && fabsf(a[i].cos - b[i].cos) <= 1e-5f;
    expect(same, "q8_0 embedding: nearest tokens equal the float path over dequantized rows", "na %d nb %d %s", na, nb, err);
    int col_ok = Lesson_lm_column(m, 400, row) == 0 && memcmp(row, E + 400 * D, sizeof(float) * D) == 0;
    expect(col_ok, "q8_0 embedding: the tied LM head's column is E's dequantized row", " ");
    free(E);
    free(row);
    Model_free(m);
}

int main(void) {
    test_quantized_embedding();
    test_vectors();
    test_nearest_hand();
    test_softmax();
    test_shapes();
    test_stories();
    char mp[4096], rp[4096];
    snprintf(mp, sizeof mp, "%s/models/gpt2-test-d64", shared_dir());
    snprintf(rp, sizeof rp, "%s/models/gpt2-test-d64/reference.json", shared_dir());
    test_model("gpt2-test-d64", mp, rp, 18.373945236206055);
    snprintf(mp, sizeof mp, "%s/models/stories260K/stories260K.bin", shared_dir());
    snprintf(rp, sizeof rp, "%s/models/stories260K/reference.json", shared_dir());
    test_model("stories260K", mp, rp, 0);
    return check_done();
}
