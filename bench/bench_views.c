/* bench_views.c - draw time per frame of the heaviest views at 200x60.
 *
 *   bench_views MODEL_DIR OUT.json THREADS [quick]
 *
 * The attention grid (all heads of a layer), the heatmap (the MLP activation, the widest
 * matrix) and top-k are drawn into a curses screen whose output goes to /dev/null, for the
 * lesson's batch and for a T=128 prompt. A frame is what the walk does for a key press: the
 * data the view needs (Trace_tensor, Trace_topk, the softmax sum and entropy over V), the
 * draw, and doupdate. Each frame shows another layer or position. Median of 40 frames.
 * A program of its own, so that a change in the views' API costs only these figures.
 */
#include <locale.h>
#include <math.h>

#include "bench.h"
#include "engine/pool.h"
#include "engine/trace.h"
#include "views/view.h"

static int quick;

static Trace *run_ids(const Model *m, int B, int T, unsigned long long seed) {
    int *rows[SW_MAX_B], lens[SW_MAX_B];
    for (int b = 0; b < B; b++) {
        rows[b] = malloc(sizeof(int) * (size_t)T);
        bench_prompt_ids(rows[b], T, seed + (unsigned long long)b);
        lens[b] = T;
    }
    char err[SW_ERR_LEN] = "";
    Trace *t = Trace_run_ids(m, (const int *const *)rows, lens, B, NULL, err);
    for (int b = 0; b < B; b++) free(rows[b]);
    if (!t) fprintf(stderr, "bench_views: Trace_run_ids B=%d T=%d: %s\n", B, T, err);
    return t;
}

/* ---- views ---- */

typedef struct {
    TokenTable tt;
    char (*label)[VIEW_LABEL];
} Tokens;

static void tokens_fill(Tokens *k, const Trace *t) {
    memset(k, 0, sizeof *k);
    k->label = calloc((size_t)t->B * t->T, VIEW_LABEL);
    for (int b = 0; b < t->B; b++)
        for (int p = 0; p < t->len[b]; p++)
            Tokenizer_label(t->m->tok, Trace_id(t, b, p), 1, k->label[b * t->T + p], VIEW_LABEL);
    k->tt.B = t->B;
    k->tt.T = t->T;
    for (int b = 0; b < t->B; b++) { k->tt.len[b] = t->len[b]; k->tt.prompt_len[b] = t->prompt_len[b]; }
    k->tt.ids = t->ids;
    k->tt.stride = t->Tcap;
    k->tt.label = k->label;
}

/* Prepare (as the walk does before drawing) and draw one view; frame f varies what is shown
 * (layer or position) so every frame has new numbers to put on screen. */
static int draw_frame(int which, Trace *t, const Tokens *k, int f) {
    const Model *m = t->m;
    char err[SW_ERR_LEN];
    ViewCtx c;
    memset(&c, 0, sizeof c);
    c.win = stdscr; c.y = 4; c.x = 0; c.h = LINES - 6; c.w = COLS;   /* strip and maths lines above */
    c.zoom = 1;
    c.byte_level = Tokenizer_byte_level(m->tok); c.cfg = &m->c;
    c.tok = &k->tt;
    c.b = 0;
    c.pos = t->len[0] - 1;
    c.temperature = 1;
    for (int b = 0; b < SW_MAX_B; b++) c.next_id[b] = -1;
    werase(stdscr);
    const ViewClass *vc;
    if (which == 0) {            /* attention probabilities, all heads of a layer */
        c.st = (StationRef){ ST_ATTN, f % m->c.n_layers };
        c.layer = c.st.layer;
        if (Trace_tensor(t, c.st, 0, &c.tv, err) != 0) return -1;
        c.has_tv = 1; c.mask = 2; c.scale = SCALE_SEQ; c.all_heads = 1;
        snprintf(c.tensor_name, sizeof c.tensor_name, "A");
        vc = &View_attention;
    } else if (which == 1) {     /* heatmap of the MLP activation (B,T,F), the widest matrix */
        c.st = (StationRef){ ST_MLP_UP, f % m->c.n_layers };
        c.layer = c.st.layer;
        if (Trace_tensor(t, c.st, 0, &c.tv, err) != 0) return -1;
        c.has_tv = 1; c.scale = SCALE_DIV;
        c.pos = f % t->len[0];
        snprintf(c.tensor_name, sizeof c.tensor_name, "hid");
        vc = &View_heatmap;
    } else {                     /* top-k at a position, with the softmax's sum and entropy */
        c.st = (StationRef){ ST_SOFTMAX, -1 };
        c.pos = f % t->len[0];
        c.n_topk = Trace_topk(t, 0, c.pos, 1.0f, 10, c.topk);
        for (int i = 0; i < c.n_topk; i++) Tokenizer_label(m->tok, c.topk[i].id, 1, c.topk_label[i], VIEW_LABEL);
        const float *lg = Trace_logits_row(t, 0, c.pos);
        float mx = lg[0];
        for (int v = 1; v < m->c.vocab_size; v++) if (lg[v] > mx) mx = lg[v];
        c.max_logit = mx;
        static float p[G_V + 64];
        Trace_probs_row(t, 0, c.pos, 1.0f, p);
        double sum = 0;
        for (int v = 0; v < m->c.vocab_size; v++) sum += p[v];
        c.prob_sum = sum;
        c.entropy = sw_entropy(p, m->c.vocab_size);
        c.log_v = log((double)m->c.vocab_size);
        vc = &View_topk;
    }
    vc->draw(&c);
    wnoutrefresh(stdscr);
    doupdate();
    return 0;
}

static cJSON *views(const Model *m) {
    cJSON *o = cJSON_CreateObject();
    setlocale(LC_ALL, "C.UTF-8");
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "60", 1);
    setenv("COLUMNS", "200", 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = out && in ? newterm("xterm-256color", out, in) : NULL;
    if (!scr) {
        cJSON_AddStringToObject(o, "status", "n/a: no curses screen (newterm failed)");
        if (out) fclose(out);
        if (in) fclose(in);
        return o;
    }
    set_term(scr);
    resizeterm(60, 200);
    Crt_setup_colors(0);
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddNumberToObject(o, "cols", COLS);
    cJSON_AddNumberToObject(o, "lines", LINES);
    static const char *names[3] = { "attention_all_heads", "heatmap", "topk" };
    /* the lesson's batch (what a user sees first) and a longer prompt (T=128) */
    const char *prompts[2] = { "Hello world! This is fun", "The cat sat on mat" };
    char err[SW_ERR_LEN] = "";
    Trace *traces[2] = { Trace_run(m, prompts, 2, NULL, err), run_ids(m, 1, 128, 300) };
    static const char *tnames[2] = { "lesson_B2", "T128" };
    double worst[3] = { 0, 0, 0 };
    for (int ti = 0; ti < 2; ti++) {
        Trace *t = traces[ti];
        if (!t) continue;
        Tokens k;
        tokens_fill(&k, t);
        cJSON *to = cJSON_AddObjectToObject(o, tnames[ti]);
        cJSON_AddNumberToObject(to, "T", t->T);
        for (int v = 0; v < 3; v++) {
            int frames = quick ? 10 : 40;
            double ms[64];
            draw_frame(v, t, &k, 0); /* first touch of each layer's numbers is not a frame's cost */
            for (int f = 0; f < m->c.n_layers; f++) draw_frame(v, t, &k, f);
            int bad = 0;
            for (int f = 0; f < frames; f++) {
                double t0 = bench_now_ms();
                bad |= draw_frame(v, t, &k, f) != 0;
                ms[f] = bench_now_ms() - t0;
            }
            double med = bench_median(ms, frames);
            cJSON_AddNumberToObject(to, names[v], bad ? -1 : med);
            if (med > worst[v]) worst[v] = med;
        }
        free(k.label);
        Trace_free(t);
    }
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    cJSON *w = cJSON_AddObjectToObject(o, "worst_ms_per_frame");
    for (int v = 0; v < 3; v++) {
        cJSON_AddNumberToObject(w, names[v], worst[v]);
        printf("bench_views: view %-20s %6.2f ms per frame at 200x60 (worst of the lesson batch and T=128)\n", names[v], worst[v]);
    }
    return o;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_views MODEL_DIR OUT.json THREADS [quick]\n");
        return 2;
    }
    quick = argc > 4 && strcmp(argv[4], "quick") == 0;
    Pool_set_threads(atoi(argv[3]));
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(argv[1], NULL, err);
    if (!m) { fprintf(stderr, "bench_views: %s\n", err); return 1; }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "views", views(m));
    Model_free(m);
    int rc = bench_write_json(argv[2], root);
    cJSON_Delete(root);
    return rc ? 1 : 0;
}
