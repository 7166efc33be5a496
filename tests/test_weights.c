/* test_weights.c - app/weights.c: the weights a station shows, their shapes, and windows of
 * their values equal to the model file's own numbers.
 * References: stories260K.bin read directly here (llama2.c's layout, ../shared/README.md:
 * 7 int32, then token_embedding (V,D), rms_att (L,D), wq (L,D,D) stored (out,in), wk, wv (L,KV*d,D),
 * ...), and the Q4_0/Q8_0/F16 GGUF's reference.json `dequantized_checks` (the first 8 values of a
 * tensor as ggml's to_float gives them, PyTorch's (out,in) row-major order). */
#include "tests/check.h"
#include "tests/refjson.h"
#include "app/weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const WeightItem *find(const WeightItem *it, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(it[i].name, name) == 0) return &it[i];
    return NULL;
}

static void test_stories_f32(void) {
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.bin", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("weights: stories260K", "%s", err); return; }
    FILE *f = fopen(path, "rb");
    long D = 64, V = 512, L = 5, KVd = 32;
    float *raw = malloc(sizeof(float) * (size_t)(V * D + L * D + L * D * D + 2 * L * KVd * D));
    int rd = f && fseek(f, 28, SEEK_SET) == 0 && fread(raw, sizeof(float), (size_t)(V * D + L * D + L * D * D + 2 * L * KVd * D), f) ==
                                                    (size_t)(V * D + L * D + L * D * D + 2 * L * KVd * D);
    if (f) fclose(f);
    expect(rd, "weights: read stories260K.bin's own numbers", "short read");
    if (!rd) { free(raw); Model_free(m); return; }
    const float *E = raw, *rms = raw + V * D, *wq = rms + L * D, *wk = wq + L * D * D;

    WeightItem it[WEIGHTS_MAX];
    StationRef qkv = {ST_QKV, 1};
    int n = Weights_list(m, qkv, 5, it, WEIGHTS_MAX);
    const WeightItem *q = find(it, n, "Wq"), *k = find(it, n, "Wk");
    expect(n == 3 && q && k, "weights: 3.2.b shows Wq, Wk, Wv", "n=%d", n);
    if (q) expect(strcmp(q->shape, "Wq (D, h·d) = (64, 64)") == 0, "weights: Wq's shape in letters and numbers", "'%s'", q->shape);
    if (k) expect(strcmp(k->shape, "Wk (D, KV·d) = (64, 32)") == 0, "weights: Wk's shape names KV", "'%s'", k->shape);
    /* a window of Wq of layer 2 as x @ Wq uses it: W[r][c] = wq[l][c][r] (stored (out, in)) */
    float win[3 * 64];   /* the largest window below */
    int same = q && Weights_window(q, 20, 10, 30, 7, win) == 0;
    for (int r = 0; same && r < 10; r++)
        for (int c = 0; c < 7; c++)
            if (win[r * 7 + c] != wq[1 * D * D + (30 + c) * D + (20 + r)]) same = 0;   /* a copy: exactly equal */
    expect(same, "weights: a window of Wq (layer 2) equals the file's numbers", "differs");
    same = k && Weights_window(k, 60, 8, 28, 8, win) == 0;   /* clipped at the edges: rows 60..63, cols 28..31 */
    for (int r = 0; same && r < 4; r++)
        for (int c = 0; c < 4; c++)
            if (win[r * 8 + c] != wk[1 * KVd * D + (28 + c) * D + (60 + r)]) same = 0;
    expect(same, "weights: a window of Wk clipped at its corner equals the file", "differs");

    StationRef emb = {ST_EMBED, -1};
    n = Weights_list(m, emb, 5, it, WEIGHTS_MAX);
    expect(n == 1 && strcmp(it[0].shape, "E (V, D) = (512, 64)") == 0 && it[0].row_tokens == 1, "weights: station 1 shows E (V, D)",
           "n=%d '%s'", n, n ? it[0].shape : "");
    same = n == 1 && Weights_window(&it[0], 400, 3, 0, 64, win) == 0;
    for (int r = 0; same && r < 3; r++)
        for (int c = 0; c < 64; c++)
            if (win[r * 64 + c] != E[(400 + r) * D + c]) { same = 0; break; }
    expect(same, "weights: E's rows 400..402 are the embedding's rows", "differs");

    StationRef norm = {ST_NORM1, 3};
    n = Weights_list(m, norm, 5, it, WEIGHTS_MAX);
    same = n == 1 && strcmp(it[0].name, "g1") == 0 && it[0].rows == 1 && Weights_window(&it[0], 0, 1, 0, 64, win) == 0;
    for (int c = 0; same && c < 64; c++)
        if (win[c] != rms[3 * D + c]) same = 0;
    expect(same, "weights: 3.4.a's gain g1 is rms_att of layer 4 (RMSNorm: no bias)", "n=%d", n);

    StationRef none = {ST_SCORES, 0}, pos = {ST_POSITIONS, -1};
    expect(Weights_list(m, none, 5, it, WEIGHTS_MAX) == 0 && strstr(Weights_none(&m->c, ST_SCORES), "no weights"),
           "weights: the scores have none, and say why", "listed some");
    expect(Weights_list(m, pos, 5, it, WEIGHTS_MAX) == 0, "weights: RoPE has no position table", "listed one");
    StationRef lm = {ST_LM_HEAD, -1};
    n = Weights_list(m, lm, 5, it, WEIGHTS_MAX);
    same = n == 1 && it[0].rows == 64 && it[0].cols == 512 && Weights_window(&it[0], 5, 2, 300, 2, win) == 0 &&
           win[0] == E[300 * D + 5] && win[1] == E[301 * D + 5] && win[2] == E[300 * D + 6];
    expect(same, "weights: W_lm (D, V) is E turned over (tied): W_lm[i][v] = E[v][i]", "n=%d", n);
    if (n == 1) expect(strcmp(it[0].shape, "W_lm = Eᵀ (D, V) = (64, 512)") == 0 && it[0].col_tokens, "weights: W_lm's shape says it is Eᵀ", "'%s'", it[0].shape);
    free(raw);
    Model_free(m);
}

static void test_gguf_quantized(void) {
    char path[1024], ref_path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/stories260K-gguf/stories260K-q4_0.gguf", shared_dir());
    snprintf(ref_path, sizeof ref_path, "%s/models/stories260K-gguf/stories260K-q4_0.reference.json", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("weights: stories260K-q4_0.gguf", "%s", err); return; }
    cJSON *ref = refjson_load(ref_path);
    const cJSON *dq = ref ? cJSON_GetObjectItem(ref, "dequantized_checks") : NULL;
    if (!dq) { fail("weights: q4_0 reference", "cannot read %s", ref_path); Model_free(m); return; }
    struct { StationRef st; const char *name, *tensor; int along_rows; } cases[] = {
        {{ST_QKV, 0}, "Wq", "blk.0.attn_q.weight", 1},           /* Q4_0: (out,in) row 0 = column 0 of Wq (D, h·d) */
        {{ST_OUT_PROJ, 0}, "Wo", "blk.0.attn_output.weight", 1},
        {{ST_MLP_UP, 0}, "Wg", "blk.0.ffn_gate.weight", 1},
        {{ST_MLP_DOWN, 0}, "Wd", "blk.0.ffn_down.weight", 1},    /* F16 */
        {{ST_EMBED, -1}, "E", "token_embd.weight", 0},          /* Q8_0: E's row 0 */
        {{ST_NORM1, 0}, "g1", "blk.0.attn_norm.weight", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        WeightItem it[WEIGHTS_MAX];
        int n = Weights_list(m, cases[i].st, 5, it, WEIGHTS_MAX);
        const WeightItem *w = find(it, n, cases[i].name);
        const cJSON *want = cJSON_GetObjectItem(dq, cases[i].tensor);
        float got[8];
        int ok = w && want && cJSON_GetArraySize(want) == 8 &&
                 (cases[i].along_rows ? Weights_window(w, 0, 8, 0, 1, got) : Weights_window(w, 0, 1, 0, 8, got)) == 0;
        double worst = 0;
        for (int j = 0; ok && j < 8; j++) {
            /* the reference prints 7 significant digits: a relative 1e-6 (at least 1e-7 absolute near 0) */
            double r = cJSON_GetArrayItem(want, j)->valuedouble, d = fabs(got[j] - r) / (fabs(r) > 0.1 ? fabs(r) : 0.1);
            if (d > worst) worst = d;
        }
        char name[160];
        snprintf(name, sizeof name, "weights: %s (%s) dequantized equals ggml's first 8 values", cases[i].name, cases[i].tensor);
        expect(ok && worst <= 1e-6, name, "%s worst relative difference %g", ok ? "" : "not found", worst);
        if (w && strcmp(cases[i].name, "Wq") == 0)
            expect(strstr(w->stored, "Q4_0") != NULL, "weights: a quantized matrix says it is shown dequantized", "'%s'", w->stored);
    }
    cJSON_Delete(ref);
    Model_free(m);
}

static void test_gpt2_positions(void) {
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/gpt2-test-d64", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("weights: gpt2-test-d64", "%s", err); return; }
    WeightItem it[WEIGHTS_MAX];
    StationRef pos = {ST_POSITIONS, -1};
    int n = Weights_list(m, pos, 6, it, WEIGHTS_MAX);
    float win[6 * 64];
    int ok = n == 1 && it[0].rows == 6 && it[0].cols == 64 && Weights_window(&it[0], 0, 6, 0, 64, win) == 0 &&
             memcmp(win, m->pos_emb, sizeof win) == 0;
    expect(ok, "weights: GPT-2's station 2 shows P[0:T] alone, T rows of the table", "n=%d", n);
    if (n == 1) expect(strncmp(it[0].shape, "P[0:T] (T, D) = (6, 64)", 22) == 0, "weights: P's shape says T and ctx", "'%s'", it[0].shape);
    StationRef qkv = {ST_QKV, 0};
    n = Weights_list(m, qkv, 6, it, WEIGHTS_MAX);
    expect(n == 2 && strcmp(it[0].shape, "W_qkv (D, 3D) = (64, 192)") == 0 && strcmp(it[1].name, "b_qkv") == 0,
           "weights: GPT-2's fused W_qkv and its bias", "n=%d '%s'", n, n ? it[0].shape : "");
    Model_free(m);
}

int main(void) {
    test_stories_f32();
    test_gguf_quantized();
    test_gpt2_positions();
    return check_done();
}
