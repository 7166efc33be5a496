/* test_explain.c - "how was this made?" (engine/explain.c): for every station kind, on a
 * Llama (stories260K, llama2.c), a GPT-2 (the seeded gpt2-test-d64 safetensors), quantized
 * GGUF files (stories260K Q8_0 and Q4_0; tiny-qwen2: q/k/v biases, NEOX RoPE, GQA, Q4_K/Q6_K)
 * the explanation's own result equals the trace's cell.
 *
 * The reference numbers are the trace's own cells (engine/forward.c, itself checked against
 * independent PyTorch numbers by test_forward and test_gguf_models); the explanation
 * recomputes them another way (one cell, in double, from the kept inputs and the weights
 * dequantized by Quant_dequant_row).
 *
 * Tolerance: |result - cell| <= 1e-5 * scale + 1e-6, where scale is Explain.scale, the sum of
 * the terms' sizes Σ|a_i b_i| (for a probability, 1). Why: the trace sums n float32 products
 * in BLAS's order, the explanation in double; float32 summation of n terms is off by at most
 * about n * 2^-24 * Σ|terms| and in practice by sqrt(n) * 2^-24 * Σ|terms| (n <= 256 here:
 * 16 * 6e-8 = 1e-6 of the scale), so 1e-5 leaves room for kernels that sum differently while
 * still catching a wrong column, head, bias or pairing (those are off by the size of a term).
 * The absolute 1e-6 covers cells near 0 whose scale is itself tiny. */
#include "check.h"
#include "view_harness.h"
#include "engine/explain.h"
#include "engine/model.h"
#include "engine/trace.h"
#include "views/explain_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int n_checked;

static void check_cell(const char *model, Trace *t, StationRef s, int which, int b, int head, int row, int col, float tau,
                       int *bad, char *first_bad, size_t cap) {
    Explain e;
    char err[SW_ERR_LEN] = "";
    char label[64];
    Station_label(s, label, sizeof label);
    if (Explain_cell(t, s, which, b, head, row, col, tau, &e, err) != 0) {
        if (!*bad) snprintf(first_bad, cap, "%s %s w=%d b=%d h=%d (%d,%d): %s", model, label, which, b, head, row, col, err);
        (*bad)++;
        return;
    }
    n_checked++;
    int ok;
    if (e.masked || isinf(e.value)) ok = e.result == e.value || (isinf(e.result) && isinf(e.value));
    else ok = fabs(e.result - e.value) <= 1e-5 * e.scale + 1e-6 && e.n > 0 && e.title[0];
    if (!ok) {
        if (!*bad)
            snprintf(first_bad, cap, "%s %s w=%d b=%d h=%d (%d,%d): explained %.9g, cell %.9g (scale %.3g)", model, label, which, b,
                     head, row, col, e.result, e.value, e.scale);
        (*bad)++;
    }
}

/* Every station kind, several cells of each (rows, columns, heads, the w tensors). */
static void check_model(const char *name, const char *path) {
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip(name, "%s", err); return; }
    const char *texts[2] = {"Once upon a time there was a little dog", "Lily and Tom went"};
    Trace *t = Trace_run(m, texts, 2, NULL, err);
    if (!t) { fail(name, "%s", err); Model_free(m); return; }
    Sampler sm = {0};
    Trace_choose(t, &sm);
    const Config *c = &m->c;
    const int kinds[] = {ST_TOKENIZE, ST_EMBED, ST_POSITIONS, ST_BLOCK, ST_FINAL_NORM, ST_LM_HEAD, ST_SOFTMAX, ST_NEXT,
                         ST_NORM1, ST_QKV, ST_ROPE, ST_SCORES, ST_MASK, ST_ATTN, ST_WSUM, ST_OUT_PROJ, ST_NORM2,
                         ST_MLP_UP, ST_MLP_DOWN};
    for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
        const StationKind k = (StationKind)kinds[ki];
        if (k == ST_ROPE && c->pos != POS_ROPE) continue;
        int bad = 0, before = n_checked;
        char first[512] = "";
        const int layers[2] = {0, c->n_layers - 1};
        const int nl = k >= ST_NORM1 || k == ST_BLOCK ? 2 : 1;
        const StationTensor *tens;
        const int nw = Station_tensors(k, c, &tens);
        for (int li = 0; li < nl; li++) {
            StationRef s = {k, k >= ST_NORM1 || k == ST_BLOCK ? layers[li] : -1};
            for (int w = 0; w < nw; w++)
                for (int b = 0; b < t->B; b++)
                    for (int row = 0; row < t->len[b]; row += 2) {
                        int heads = k == ST_QKV || k == ST_ROPE ? (w == 0 ? c->n_heads : c->n_kv_heads)
                                  : (k == ST_SCORES || k == ST_MASK || k == ST_ATTN) ? c->n_heads : 1;
                        for (int h = 0; h < heads; h += heads > 2 ? heads - 1 : 1) {
                            int width = k == ST_MLP_UP ? c->hidden_dim : (k == ST_LM_HEAD || k == ST_SOFTMAX) ? c->vocab_size
                                      : (k == ST_QKV || k == ST_ROPE) ? c->head_dim
                                      : (k == ST_SCORES || k == ST_MASK || k == ST_ATTN) ? t->len[b] : c->dim;
                            int cols[4] = {0, 1, width / 2, width - 1};
                            if (k == ST_TOKENIZE || k == ST_NEXT) { check_cell(name, t, s, w, b, h, row, 0, 1, &bad, first, sizeof first); continue; }
                            for (int ci = 0; ci < 4; ci++)
                                check_cell(name, t, s, w, b, h, row, cols[ci], k == ST_SOFTMAX && ci == 2 ? 0.7f : 1, &bad, first,
                                           sizeof first);
                        }
                    }
        }
        char cname[128];
        snprintf(cname, sizeof cname, "%s: %s (%s) explained = the cell (%d cells)", name, Station_info(k)->number, Station_info(k)->name,
                 n_checked - before);
        expect(!bad && n_checked > before, cname, "%d wrong; first: %s", bad, first);
    }
    /* the explanation of a score names the numbers it multiplies and shows √d */
    {
        StationRef s = {ST_SCORES, 0};
        Explain e;
        int ok = Explain_cell(t, s, 0, 0, 0, 3, 1, 1, &e, err) == 0;
        int has_sqrt = 0, has_q = 0;
        for (int i = 0; ok && i < e.n; i++) {
            if (strstr(e.line[i], "√d")) has_sqrt = 1;
            if (strstr(e.line[i], "q_3 · k_1 =")) has_q = 1;
        }
        char nm[128];
        snprintf(nm, sizeof nm, "%s: S[i,j]'s explanation shows q_i · k_j and / √d", name);
        expect(ok && has_sqrt && has_q, nm, "%s", ok ? e.title : err);
        /* padding and columns out of range are refused, not read */
        snprintf(nm, sizeof nm, "%s: a padded position or a column past the end is refused", name);
        int pad = t->len[1] < t->T ? Explain_cell(t, s, 0, 1, 0, t->T - 1, 0, 1, &e, err) : -1;
        StationRef n1 = {ST_NORM1, 0};
        int past = Explain_cell(t, n1, 0, 0, 0, 0, c->dim, 1, &e, err);
        expect(pad == -1 && past == -1, nm, "pad %d past %d", pad, past);
    }
    Trace_free(t);
    Model_free(m);
}

/* The box (views/explain_view.c) on a real explanation: the title, the steps, the result
 * beside the cell; nothing outside its rectangle; a refusal shows why. */
static void check_view(const char *path) {
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("explain view", "%s", err); return; }
    const char *texts[1] = {"Once upon a time"};
    Trace *t = Trace_run(m, texts, 1, NULL, err);
    if (!t) { fail("explain view", "%s", err); Model_free(m); return; }
    if (harness_open("explain view") != 0) { Trace_free(t); Model_free(m); return; }
    Crt_setup_colors(0);
    static Explain e;
    StationRef s = {ST_SCORES, 0};
    int ok = Explain_cell(t, s, 0, 0, 0, 4, 4, 1, &e, err) == 0;
    size_to(24, 80);
    ExplainCtx ec;
    memset(&ec, 0, sizeof ec);
    ec.vc.win = stdscr; ec.vc.y = 10; ec.vc.x = 0; ec.vc.h = 14; ec.vc.w = 80;
    ec.e = ok ? &e : NULL;
    ec.why = err;
    ec.where = "3.1.d attention scores";
    View_explain.draw(&ec.vc);
    char want[96];
    snprintf(want, sizeof want, "the cell: %.6g", e.value);
    expect_screen(ok && on_screen("how was this made? 3.1.d attention scores") && on_screen("S[0,0,4,4] = q_4 · k_4 / √d"),
                  "explain view: the frame names the station and the cell");
    expect_screen(on_screen("q_4 · k_4 =") && on_screen("/ √d ="), "explain view: the dot product and / √d are shown");
    expect_screen(on_screen(want), "explain view: the result beside the cell's value (%s)", want);
    int outside = 0;
    for (int y = 0; y < 10; y++) {
        chtype ch = mvinch(y, 0) & A_CHARTEXT;
        if (ch != ' ') outside = 1;
    }
    expect_screen(!outside, "explain view: nothing drawn above its rectangle");
    erase();
    ec.e = NULL;
    ec.why = "no token at row b=1, position 5 (padding)";
    View_explain.draw(&ec.vc);
    expect_screen(on_screen("no token at row b=1"), "explain view: without an explanation it says why");
    harness_close();
    Trace_free(t);
    Model_free(m);
}

int main(void) {
    char p[4][1024];
    snprintf(p[0], sizeof p[0], "%s/models/stories260K/stories260K.bin", shared_dir());
    snprintf(p[1], sizeof p[1], "%s/models/gpt2-test-d64", shared_dir());
    snprintf(p[2], sizeof p[2], "%s/models/stories260K-gguf/stories260K-q8_0.gguf", shared_dir());
    snprintf(p[3], sizeof p[3], "%s/models/stories260K-gguf/stories260K-q4_0.gguf", shared_dir());
    check_model("stories260K", p[0]);
    check_model("gpt2-test-d64", p[1]);
    check_model("stories260K-q8_0", p[2]);
    check_model("stories260K-q4_0", p[3]);
    char q[1024];
    snprintf(q, sizeof q, "%s/models/tiny-qwen2-gguf/tiny-qwen2.gguf", shared_dir());
    check_model("tiny-qwen2", q);
    check_view(p[0]);
    return check_done();
}
