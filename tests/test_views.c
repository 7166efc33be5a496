/* test_views.c - every view drawn from hand-made numbers into a curses screen on /dev/null,
 * at sizes from 1x1 to 200x60, in colour and monochrome, then the text on the screen is read
 * back (mvwinnwstr) and checked. The numbers are made up here; the expected text follows
 * from them (e.g. the cursor cell's value is the value put there). */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "check.h"
#include "view_harness.h"
#include "term/crt.h"
#include "tui/editor.h"
#include "app/worker.h"
#include "views/view.h"

/* ---- synthetic data ---- */

enum { B = 2, T = 5, D = 16, H = 2, V = 50 };
static float mat[B][T][D];
static float att[B][H][T][T];
static int ids[B][8];
static char labels[B * T][VIEW_LABEL];
static char symbols[B * T][VIEW_LABEL];
static TokenTable tt;

static void make_data(void) {
    const char *words[B][T] = {{"Hello", "␣world", "!", "␣This", "␣is"}, {"The", "␣cat", "␣sat", "日本", "pad"}};
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            snprintf(labels[b * T + t], VIEW_LABEL, "%s", words[b][t]);
            snprintf(symbols[b * T + t], VIEW_LABEL, "S%d", t);
            ids[b][t] = 100 * b + t;
            for (int d = 0; d < D; d++) mat[b][t][d] = (float)((t - 2) * 0.5 + d * 0.01 - b);
            for (int h = 0; h < H; h++) {
                /* causal: uniform over keys 0..t, 0 above the diagonal */
                for (int j = 0; j < T; j++) att[b][h][t][j] = j <= t ? 1.0f / (t + 1) : 0.0f;
            }
        }
    tt.B = B;
    tt.T = T;
    tt.len[0] = 5;
    tt.len[1] = 4;      /* row 1 is padded */
    tt.prompt_len[0] = 4;   /* the last token of row 0 was generated */
    tt.prompt_len[1] = 4;
    tt.ids = &ids[0][0];
    tt.stride = 8;
    tt.label = labels;
    tt.symbol = symbols;
}

static TensorView tv3(void) {
    TensorView v;
    memset(&v, 0, sizeof v);
    v.data = &mat[0][0][0];
    v.ndim = 3;
    v.dims[0] = B, v.dims[1] = T, v.dims[2] = D;
    v.stride[0] = T * D, v.stride[1] = D, v.stride[2] = 1;
    return v;
}

static TensorView tv4(void) {
    TensorView v;
    memset(&v, 0, sizeof v);
    v.data = &att[0][0][0][0];
    v.ndim = 4;
    v.dims[0] = B, v.dims[1] = H, v.dims[2] = T, v.dims[3] = T;
    v.stride[0] = H * T * T, v.stride[1] = T * T, v.stride[2] = T, v.stride[3] = 1;
    return v;
}

static StripItem strip[12];

static void base_ctx(ViewCtx *c, int rows, int cols) {
    memset(c, 0, sizeof *c);
    c->win = stdscr;
    c->y = 0, c->x = 0, c->h = rows, c->w = cols;
    c->zoom = 1;
    c->byte_level = 1;
    c->tok = &tt;
    c->b = 0;
    c->pos = 4;
    c->temperature = 1;
    snprintf(c->tensor_name, sizeof c->tensor_name, "x");
    for (int b = 0; b < SW_MAX_B; b++) c->next_id[b] = -1;
}

static void fill_all(ViewCtx *c, ViewKind k) {
    if (k == VK_MATRIX) { c->tv = tv3(); c->has_tv = 1; c->scale = SCALE_DIV; }
    if (k == VK_ATTENTION) { c->tv = tv4(); c->has_tv = 1; c->scale = SCALE_SEQ; c->mask = 2; snprintf(c->tensor_name, sizeof c->tensor_name, "A"); }
    if (k == VK_TOPK) {
        c->n_topk = 3;
        float p[3] = {0.1780f, 0.0569f, 0.0412f};
        const char *l[3] = {"␣ride", "␣Tang", "aditional"};
        for (int i = 0; i < 3; i++) {
            c->topk[i].id = 10 + i;
            c->topk[i].prob = p[i];
            c->topk[i].logit = 16.3883f - i;
            snprintf(c->topk_label[i], VIEW_LABEL, "%s", l[i]);
        }
        c->max_logit = 16.3883;
        c->prob_sum = 1.0;
        c->entropy = 5.115;
        c->log_v = 10.82;
    }
    if (k == VK_NEXT) {
        c->next_id[0] = 6594, c->next_prob[0] = 0.178f, c->next_rank[0] = 1;
        c->next_id[1] = 25276, c->next_prob[1] = 0.121f, c->next_rank[1] = 1;
        snprintf(c->next_label[0], VIEW_LABEL, "␣ride");
        snprintf(c->next_label[1], VIEW_LABEL, "␣glut");
    }
}

/* ---- checks ---- */

static void test_helpers(void) {
    expect(View_width("abc") == 3, "View_width ascii", "got %d", View_width("abc"));
    expect(View_width("日本") == 4, "View_width double-width", "got %d", View_width("日本"));
    expect(View_width("␣a") == 2, "View_width visible space", "got %d", View_width("␣a"));
    expect(View_width("\xff" "a") == 2, "View_width invalid byte counts 1", "got %d", View_width("\xff" "a"));
    char b[32];
    View_num(b, sizeof b, -0.123456, 6);
    expect(strcmp(b, "-0.123") == 0, "View_num fits 6 chars", "got '%s'", b);
    View_num(b, sizeof b, 12345.6, 4);
    expect(strlen(b) <= 6, "View_num large value stays short", "got '%s'", b);
    View_num(b, sizeof b, -1.0 / 0.0, 6);
    expect(strcmp(b, "-inf") == 0, "View_num -inf", "got '%s'", b);
    TensorView v = tv4();
    Mat m;
    expect(View_matrix(&v, 1, 1, &m) == 0 && m.rows == T && m.cols == T && Mat_at(&m, 2, 1) == att[1][1][2][1],
           "View_matrix picks [b][head] of a 4-D view", "rows %d cols %d", m.rows, m.cols);
    expect(View_matrix(&v, 2, 0, &m) != 0, "View_matrix rejects a batch row out of range", " ");
    v = tv3();
    expect(View_matrix(&v, 1, 0, &m) == 0 && m.rows == T && m.cols == D && Mat_at(&m, 3, 7) == mat[1][3][7],
           "View_matrix of a 3-D view", " ");

    size_to(24, 80);
    int used = View_text(stdscr, 0, 0, 5, "abcdefgh", 1);
    expect(used == 5 && on_screen("abcd…"), "View_text clips with an ellipsis", "used %d", used);
    erase();
    used = View_text(stdscr, 0, 78, 10, "abcdef", 0);
    expect(used == 2, "View_text stops at the window edge", "used %d", used);
    used = View_text(stdscr, 30, 0, 10, "abc", 0);
    expect(used == 0, "View_text outside the window draws nothing", "used %d", used);
    /* "aaa bbb ccc" in 7 columns breaks at the space: "aaa bbb" then "ccc"; one line: "aaa bb…" */
    erase();
    int lines = View_wrap(stdscr, 0, 0, 7, 3, "aaa bbb ccc");
    expect_screen(lines == 2 && strncmp(screen_text(), "aaa bbb ", 8) == 0 && on_screen("\nccc "), "View_wrap breaks at a space");
    erase();
    lines = View_wrap(stdscr, 0, 0, 7, 1, "aaa bbb ccc");
    expect_screen(lines == 1 && on_screen("aaa bb…"), "View_wrap: the last line ends in …");
    erase();
    lines = View_wrap(stdscr, 0, 0, 1, 2, "日本");
    expect(lines == 0, "View_wrap: a double-width character in 1 column draws nothing", "lines %d", lines);
    /* quoted labels: widest + 2 ("日本語" is 6 columns -> 8), within [min, max] */
    char lab[2][VIEW_LABEL] = {"ab", "日本語"};
    expect(View_label_width(lab, 2, 4, 20) == 8 && View_label_width(lab, 2, 4, 6) == 6 && View_label_width(lab, 0, 4, 20) == 4,
           "View_label_width: widest label + 2, clamped", "%d %d %d", View_label_width(lab, 2, 4, 20), View_label_width(lab, 2, 4, 6),
           View_label_width(lab, 0, 4, 20));
}

static void test_crt(void) {
    int prev = -2, mono_ok = 1;
    for (int i = 0; i <= 10; i++) {
        int c = Crt_scale_color(SCALE_SEQ, i / 10.0);
        if (crt.mode == CRT_MONO && c != -1) mono_ok = 0;
        prev = c;
    }
    (void)prev;
    expect(crt.mode != CRT_MONO || mono_ok, "Crt_scale_color is -1 in mono", " ");
    expect(wcscmp(Crt_shade(0), L" ") == 0 && wcscmp(Crt_shade(1), L"█") == 0 && wcscmp(Crt_shade(0.5), L"▒") == 0,
           "Crt_shade ramp ' ░▒▓█'", " ");
    expect(wcscmp(Crt_shade(0.05), L"░") == 0, "Crt_shade: anything visible is at least ░", " ");
    if (crt.mode != CRT_MONO) {
        int lo = Crt_scale_color(SCALE_DIV, -1), mid = Crt_scale_color(SCALE_DIV, 0), hi = Crt_scale_color(SCALE_DIV, 1);
        expect(lo != mid && mid != hi && lo != hi, "diverging scale: blue, white, orange differ", "%d %d %d", lo, mid, hi);
        expect(Crt_text_fg(SCALE_DIV, 0) != Crt_text_fg(SCALE_DIV, -1), "text on white is dark, on deep blue light", " ");
    }
}

static void test_heatmap(const char *mode) {
    char name[128];
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    fill_all(&c, VK_MATRIX);
    c.col = 3;
    View_heatmap.draw(&c);
    expect_screen(on_screen("x[b=0] rows t (T=5) x cols 0..15 of 16"), "%s heatmap: title with rows and columns", mode);
    expect_screen(on_screen("␣world") && on_screen("␣This"), "%s heatmap: token labels on rows", mode);
    /* cursor at t=4, d=3: (4-2)*0.5 + 0.03 = 1.03 */
    expect_screen(on_screen("x[0,4,3] = 1.03"), "%s heatmap: cursor cell's exact value", mode);
    expect_screen(on_screen("-1.15") && on_screen("1.15"), "%s heatmap: legend is symmetric (min -max)", mode);
    /* row 1 is padded at t=4 */
    erase();
    c.b = 1;
    c.pos = 4;
    View_heatmap.draw(&c);
    snprintf(name, sizeof name, "%s heatmap: padding row shown as pad, cursor moved to a real token", mode);
    expect(on_screen("pad") && c.pos == 3, name, "pos %d screen:\n%s", c.pos, screen_text());
    /* scrolling: the cursor column past the visible ones scrolls col0 */
    size_to(24, 20);
    base_ctx(&c, 20, 20);
    fill_all(&c, VK_MATRIX);
    c.col = 15;
    View_heatmap.draw(&c);
    snprintf(name, sizeof name, "%s heatmap: scrolls to keep the cursor column visible", mode);
    expect(c.col0 > 0 && c.col0 <= 15, name, "col0 %d", c.col0);
    snprintf(name, sizeof name, "%s heatmap: key > moves the cursor, End goes to the last column", mode);
    c.col = 0;
    View_heatmap.key(&c, '>');
    int one = c.col;
    View_heatmap.key(&c, KEY_END);
    View_heatmap.draw(&c);
    expect(one == 1 && c.col == D - 1, name, "col %d then %d", one, c.col);
    /* the footer's "row min/max" is the cursor row's: t=4 holds (4-2)*0.5 + d*0.01 = 1.00..1.15
     * (the whole matrix goes down to (0-2)*0.5 = -1) */
    size_to(24, 160);
    base_ctx(&c, 20, 160);
    fill_all(&c, VK_MATRIX);
    View_heatmap.draw(&c);
    expect_screen(on_screen("row min 1 max 1.15"), "%s heatmap: row min and max are the cursor row's", mode);
    /* a 4-D tensor (B,h,T,d) such as q: the cursor's index names the head, [b,head,t,col];
     * head 1, t=4, col 0 holds 1/(4+1) = 0.2 */
    erase();
    c.tv = tv4();
    c.head = 1;
    c.col = 0;
    View_heatmap.draw(&c);
    expect_screen(on_screen("head 1 of 2") && on_screen("x[0,1,4,0] = 0.2 "), "%s heatmap: a 4-D index names the head", mode);
}

/* a long prompt: T=40 rows in a short window -> two positions per text row */
static void test_heatmap_half(const char *mode) {
    enum { TL = 40 };
    static float big[TL][D];
    static char lab[TL][VIEW_LABEL];
    static int bid[TL];
    for (int t = 0; t < TL; t++) {
        for (int d = 0; d < D; d++) big[t][d] = (float)(t - d) / 10;
        snprintf(lab[t], VIEW_LABEL, "w%d", t);
        bid[t] = t;
    }
    TokenTable lt = {0};
    lt.B = 1, lt.T = TL, lt.len[0] = TL, lt.prompt_len[0] = TL, lt.ids = bid, lt.stride = TL, lt.label = lab;
    ViewCtx c;
    size_to(30, 80);
    base_ctx(&c, 26, 80);
    c.tok = &lt;
    c.pos = 39;
    c.tv.data = &big[0][0];
    c.tv.ndim = 3;
    c.tv.dims[0] = 1, c.tv.dims[1] = TL, c.tv.dims[2] = D;
    c.tv.stride[0] = TL * D, c.tv.stride[1] = D, c.tv.stride[2] = 1;
    c.has_tv = 1;
    View_heatmap.draw(&c);
    char name[128];
    if (crt.mode != CRT_MONO) {
        expect_screen(on_screen("▀") && on_screen("w0/w1"), "%s heatmap: half blocks for two positions per row", mode);
        /* the cursor cell (t=39, column 0) is marked there too: the last text row starts with it */
        expect_screen(on_screen("w38/w39 *") || on_screen("w38/w39 []"), "%s heatmap: the cursor cell is marked in half-block rows", mode);
    } else {
        snprintf(name, sizeof name, "%s heatmap: rows scroll to the cursor when T does not fit", mode);
        expect(on_screen("w39") && c.row0 > 0, name, "row0 %d screen:\n%s", c.row0, screen_text());
    }
    expect_screen(on_screen("x[0,39,0] = 3.9"), "%s heatmap: the last position's value", mode);
}

static void test_attention(const char *mode) {
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    fill_all(&c, VK_ATTENTION);
    c.pos = 1;
    c.col = 0;
    View_attention.draw(&c);
    expect_screen(on_screen("A[b=0, head 0 of 2]"), "%s attention: title names the head", mode);
    expect_screen(on_screen("Hello") && on_screen("␣is"), "%s attention: key labels across the top", mode);
    expect_screen(on_screen("A[0,0,1,0] = 0.5") && on_screen("row sum = 1.0000"), "%s attention: cursor value and row sum", mode);
    expect_screen(on_screen("0.3333"), "%s attention: numbers in cells (1/3 = 0.3333)", mode);
    /* the mask as -inf */
    erase();
    c.mask = 1;
    c.scale = SCALE_DIV;
    snprintf(c.tensor_name, sizeof c.tensor_name, "S");
    c.col = 3;
    View_attention.draw(&c);
    expect_screen(on_screen("-inf") && on_screen("S[0,0,1,3] = -inf (masked)"), "%s attention: masked upper triangle is -inf", mode);
    /* the grid of heads */
    erase();
    c.all_heads = 1;
    c.head = 1;
    View_attention.draw(&c);
    expect_screen(on_screen("all 2 heads of layer 1") && on_screen("h0") && on_screen("h1"), "%s attention: grid of all heads", mode);
    /* padding in row 1 */
    erase();
    c.all_heads = 0;
    c.b = 1;
    c.mask = 2;
    View_attention.draw(&c);
    expect_screen(on_screen("pad"), "%s attention: padded key column is labelled pad", mode);
    /* PgDn / PgUp move the key cursor by a page, as the README and help say */
    c.col = 0;
    int pg = View_attention.key(&c, KEY_NPAGE);
    int down = c.col;
    View_attention.key(&c, KEY_PPAGE);
    char name[96];
    snprintf(name, sizeof name, "%s attention: PgDn / PgUp move the key cursor by a page", mode);
    expect(pg == 1 && down == 16 && c.col == 0, name, "used %d, col %d then %d", pg, down, c.col);
}

static void test_topk(const char *mode) {
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    fill_all(&c, VK_TOPK);
    View_topk.draw(&c);
    expect_screen(on_screen("\"␣ride\"") && on_screen("17.80%") && on_screen("5.69%"), "%s top-k: rows with tokens and percentages", mode);
    expect_screen(on_screen("max logit = 16.3883") && on_screen("-1.0000"), "%s top-k: the max is subtracted", mode);
    expect_screen(on_screen("sum of p over all V = 1.0000") && on_screen("entropy H = 5.115"), "%s top-k: sum and entropy", mode);
    expect_screen(on_screen("█"), "%s top-k: bars", mode);
    /* k = 3 in 6 lines: title, maths, column names, two rows, a one-line footer: the title says so */
    erase();
    c.h = 6;
    View_topk.draw(&c);
    expect_screen(on_screen("top 3 of V=0, 2 fit here"), "%s top-k: the title says when not all k rows fit", mode);
}

static void test_tokens(const char *mode) {
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    View_tokens.draw(&c);
    expect_screen(on_screen("␣world") && on_screen("101") && on_screen("日本"), "%s tokens: chips with ids", mode);
    expect_screen(on_screen("S1"), "%s tokens: byte-level symbols for GPT-2", mode);
    expect_screen(on_screen("padded to T=5") && on_screen("1 generated"), "%s tokens: padding and generated tokens are told apart", mode);
    /* narrow: chips wrap */
    size_to(24, 12);
    base_ctx(&c, 20, 12);
    View_tokens.draw(&c);
    expect_screen(on_screen("␣This"), "%s tokens: wrap in a narrow window", mode);
}

static void test_next(const char *mode) {
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    fill_all(&c, VK_NEXT);
    View_next_token.draw(&c);
    expect_screen(on_screen("Hello world! This is") && on_screen("␣ride") && on_screen("id 6594 · rank 1 · p 17.80%"), "%s next: text then the chosen token",
                  mode);
    expect_screen(on_screen("argmax (τ = 0, greedy)") && !on_screen("sampled"), "%s next: greedy says argmax", mode);
    expect_screen(on_screen("(B,T) = (2,5) -> (2,6)"), "%s next: T grows to T+1", mode);
    /* sampled (issue 16): the rule with τ, top-k, top-p and the seed; where the token stood at τ
     * and the chance of this draw after the cut (numbers made up for the view) */
    c.sample_temperature = 0.8f, c.sample_top_k = 40, c.sample_top_p = 1, c.sample_seed = 7;
    c.next_id[0] = 11, c.next_rank[0] = 3, c.next_prob[0] = 0.05f, c.next_prob_tau[0] = 0.04f, c.next_pick_prob[0] = 0.25f;
    erase();
    View_next_token.draw(&c);
    expect_screen(on_screen("sampled, τ 0.80 · top-k 40 · top-p off · seed 7") && !on_screen("argmax"), "%s next: sampled names its rule", mode);
    expect_screen(on_screen("id 11 · rank 3 · p 5.00% · after t=4") && on_screen("at τ 0.80: p 4.00% · after the cut: drawn with 25.00%"),
                  "%s next: where a sampled token stood", mode);
    c.sample_temperature = 0, c.sample_top_k = 0, c.sample_top_p = 0;
    fill_all(&c, VK_NEXT);
    /* a context of 5 tokens: row 0 (5 tokens) is full, so g cannot append to any row */
    Config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.seq_len = 5;
    c.cfg = &cfg;
    erase();
    View_next_token.draw(&c);
    expect_screen(on_screen("context full: row b=0 has 5 tokens") && !on_screen("-> (2,6)") && !on_screen("becomes t="),
                  "%s next: a full context says g cannot append", mode);
}

static void test_strip(const char *mode) {
    const char *nm[12] = {"tokens", "embed", "+pos", "block", "block", "block", "block", "norm", "LM head", "softmax", "next", "x"};
    for (int i = 0; i < 11; i++) {
        snprintf(strip[i].name, sizeof strip[i].name, "%s", nm[i]);
        snprintf(strip[i].number, sizeof strip[i].number, "%d", i);
        snprintf(strip[i].shape, sizeof strip[i].shape, "(2,5,%d)", i == 8 || i == 9 ? 50257 : 64);
        strip[i].changes = i == 1 || i == 8;
    }
    char name[128];
    ViewCtx c;
    size_to(24, 200);
    base_ctx(&c, 2, 200);
    c.strip = strip;
    c.n_strip = 11;
    c.strip_cur = 8;
    c.strip_title = "walk";
    View_shape_strip.draw(&c);
    expect_screen(on_screen("0 tokens") && on_screen("10 next") && on_screen("◆(2,5,50257)") && !on_screen("…"),
                  "%s strip: the whole walk fits at 200 columns", mode);
    int hit = View_strip_hit(&c, 0, c.hit_x0[2] + 1);
    snprintf(name, sizeof name, "%s strip: a click maps to its station", mode);
    expect(hit == c.hit_idx[2], name, "hit %d", hit);
    expect(View_strip_hit(&c, 5, 1) == -1, "strip: a click below misses", " ");
    size_to(24, 40);
    base_ctx(&c, 2, 40);
    c.strip = strip;
    c.n_strip = 11;
    c.strip_cur = 8;
    View_shape_strip.draw(&c);
    expect_screen(on_screen("8 LM head") && on_screen("…"), "%s strip: narrow window keeps the current station with … at the cuts", mode);
}

/* every view at every size and zoom: nothing crashes (ASan/UBSan check the memory) */
static void test_sizes(const char *mode) {
    static const int sizes[][2] = {{1, 1}, {1, 10}, {2, 8}, {3, 20}, {5, 9}, {24, 80}, {60, 200}, {10, 300}};
    const ViewClass *views[] = {&View_heatmap, &View_attention, &View_topk, &View_tokens, &View_next_token, &View_shape_strip};
    const ViewKind kinds[] = {VK_MATRIX, VK_ATTENTION, VK_TOPK, VK_TOKENS, VK_NEXT, VK_TOKENS};
    int n = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t v = 0; v < sizeof views / sizeof *views; v++)
            for (int zoom = 1; zoom <= 3; zoom++)
                for (int ah = 0; ah < 2; ah++) {
                    size_to(sizes[s][0], sizes[s][1]);
                    ViewCtx c;
                    base_ctx(&c, sizes[s][0], sizes[s][1]);
                    fill_all(&c, kinds[v]);
                    c.zoom = zoom;
                    c.all_heads = ah;
                    c.strip = strip;
                    c.n_strip = 11;
                    c.strip_cur = 10;
                    c.col = 1 << 20;     /* out of range on purpose: views clamp */
                    c.pos = 99;
                    c.head = 7;
                    views[v]->draw(&c);
                    n++;
                }
    char name[96];
    snprintf(name, sizeof name, "%s: %d view drawings at sizes 1x1..60x200, zoom 1-3, no crash", mode, n);
    pass(name);
    /* a view's rectangle inside a bigger window, also clipped at the window's edge */
    size_to(24, 80);
    ViewCtx c;
    base_ctx(&c, 30, 100);
    c.y = 10, c.x = 50;
    fill_all(&c, VK_MATRIX);
    View_heatmap.draw(&c);
    snprintf(name, sizeof name, "%s: a rectangle past the window's edge is clipped", mode);
    pass(name);
}

static void test_editor(void) {
    Editor e;
    Editor_set(&e, "héllo");
    expect(e.len == 5 && e.cur == 5, "editor: UTF-8 text is 5 characters", "len %d", e.len);
    Editor_key(&e, OK, L'日');
    Editor_key(&e, KEY_CODE_YES, KEY_LEFT);
    Editor_key(&e, KEY_CODE_YES, KEY_LEFT);
    Editor_key(&e, OK, 127);     /* backspace deletes the 'l' before the cursor */
    char *s = Editor_text(&e);
    expect(s && strcmp(s, "hélo日") == 0, "editor: insert, move, backspace", "got '%s'", s ? s : "(null)");
    free(s);
    Editor_key(&e, KEY_CODE_YES, KEY_END);
    Editor_key(&e, OK, L' ');
    Editor_key(&e, OK, L'x');
    Editor_key(&e, OK, 23);      /* Ctrl-W: the word before the cursor */
    s = Editor_text(&e);
    expect(s && strcmp(s, "hélo日 ") == 0, "editor: Ctrl-W deletes a word", "got '%s'", s ? s : "(null)");
    free(s);
    Editor_key(&e, OK, 21);      /* Ctrl-U */
    expect(e.len == 0, "editor: Ctrl-U clears to the start", "len %d", e.len);
    Editor_key(&e, OK, 7);       /* a control character is not inserted */
    expect(e.len == 0, "editor: control characters are ignored", "len %d", e.len);
    expect(Editor_key(&e, OK, '\n') == ED_ACCEPT && Editor_key(&e, OK, 27) == ED_CANCEL, "editor: Enter accepts, Esc cancels", " ");
    for (int i = 0; i < EDITOR_CAP + 10; i++) Editor_key(&e, OK, L'a');
    expect(e.len == EDITOR_CAP - 1, "editor: stops at its capacity", "len %d", e.len);
    size_to(3, 30);
    Editor_draw(&e, stdscr, 0, 0, 30, "prompt: ");
    expect_screen(on_screen("prompt: aaaa"), "editor: draws with the cursor kept in view");
    Editor_draw(&e, stdscr, 0, 0, 1, "a very long label");
    pass("editor: draws into 1 column");
    /* the cursor on a wide character keeps it on screen (a blank over its first half erased it) */
    Editor_set(&e, "ab日本🎉c");
    Editor_key(&e, KEY_CODE_YES, KEY_HOME);
    Editor_key(&e, KEY_CODE_YES, KEY_RIGHT);
    Editor_key(&e, KEY_CODE_YES, KEY_RIGHT);
    size_to(3, 30);
    Editor_draw(&e, stdscr, 0, 0, 30, "p: ");
    int ok1 = on_screen("p: ab日本🎉c");
    Editor_key(&e, KEY_CODE_YES, KEY_RIGHT);
    Editor_key(&e, KEY_CODE_YES, KEY_RIGHT);
    erase();
    Editor_draw(&e, stdscr, 0, 0, 30, "p: ");
    expect(ok1 && on_screen("p: ab日本🎉c"), "editor: the cursor on a wide character (日, an emoji) keeps it", "screen:\n%s", screen_text());
}

/* The background forward pass: a burst of runs (each cancelling the one before) ends with
 * the last prompts' trace; generate appends a token. Expected: stories260K reference.json
 * ("Once upon a time" -> ids 1 403 407 261 378, top-1 next id 432 ",", greedy). */
static void test_worker(void) {
    char path[1024], err[SW_ERR_LEN];
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.bin", shared_dir());
    Model *m = Model_open(path, NULL, err);
    if (!m) { skip("worker", "%s", err); return; }
    Worker w;
    if (Worker_start(&w, m, NULL, err) != 0) { fail("worker: start", "%s", err); Model_free(m); return; }
    Sampler s;
    memset(&s, 0, sizeof s);
    s.rng = 1;
    const char *p1[] = {"Lily and Tom", "The sun was shining"};
    const char *last[] = {"Once upon a time"};
    for (int i = 0; i < 20; i++) Worker_run(&w, p1, 1 + i % 2, &s);
    Worker_run(&w, last, 1, &s);
    Trace *t = NULL;
    int results = 0, cancelled = 0;
    for (int spin = 0; spin < 2000; spin++) {   /* at most ~20 s */
        JobResult r;
        if (Worker_poll(&w, &r)) {
            results++;
            if (!r.ok) cancelled += strstr(r.err, "cancel") != NULL;
            if (r.ok) { if (t) Trace_free(t); t = r.trace; }
            continue;
        }
        if (Worker_busy(&w) == JOB_NONE && results > 0) break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    expect(t && t->B == 1 && t->prompts[0] && strcmp(t->prompts[0], "Once upon a time") == 0, "worker: the last of a burst of runs wins",
           "B %d prompt '%s' after %d results", t ? t->B : -1, t && t->prompts[0] ? t->prompts[0] : "", results);
    expect(results <= 21, "worker: superseded runs do not pile up", "%d results (%d cancelled)", results, cancelled);
    if (t) {
        expect(t->len[0] == 5 && Trace_id(t, 0, 4) == 378 && t->next_id[0] == 432, "worker: ids and the chosen next token (reference)",
               "len %d next %d", t->len[0], t->next_id[0]);
        int busy = Worker_generate(&w, t, &s);
        expect(busy == 0, "worker: generate starts when idle", " ");
        int got = 0;
        for (int spin = 0; spin < 2000 && !got; spin++) {
            JobResult r;
            if (Worker_poll(&w, &r)) { got = 1; expect(r.ok && r.kind == JOB_GENERATE, "worker: generate succeeds", "%s", r.err); break; }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        expect(got && t->len[0] == 6 && Trace_id(t, 0, 5) == 432, "worker: generate appends the chosen token (T 5 -> 6)", "len %d", t->len[0]);
    }
    Worker_stop(&w);
    if (t) Trace_free(t);
    /* stopping while a run is queued frees everything (ASan checks) */
    if (Worker_start(&w, m, NULL, err) == 0) {
        for (int i = 0; i < 5; i++) Worker_run(&w, p1, 2, &s);
        Worker_stop(&w);
        pass("worker: stop with runs pending");
    }
    Model_free(m);
}

/* attention on the text (the walk's v): uniform causal weights, so query t gives each of its
 * t+1 keys 1/(t+1) */
static void test_attn_text(const char *mode) {
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    fill_all(&c, VK_ATTENTION);
    c.pos = 2;
    c.head = 1;
    View_attn_text.draw(&c);
    expect_screen(on_screen("what does \"!\" (t=2) look at?  block 1, head 1 of 2"), "%s attn text: the question names the query and head", mode);
    expect_screen(on_screen("[!]") && on_screen("Hello") && on_screen("␣world"), "%s attn text: the tokens as chips, the query bracketed", mode);
    expect_screen(on_screen("33%") && !on_screen("25%"), "%s attn text: each allowed key's weight (1/3)", mode);
    expect_screen(on_screen("masked"), "%s attn text: the keys after the query are masked", mode);
    erase();
    c.all_heads = 1;
    c.pos = 3;
    View_attn_text.draw(&c);
    expect_screen(on_screen("all 2 heads averaged") && on_screen("25%"), "%s attn text: all heads averaged (1/4 each at t=3)", mode);
}

/* a window of a larger matrix (the weights view): labels in the whole matrix's indices */
static void test_heatmap_window(const char *mode) {
    static float w[3][4] = {{0.1f, -0.2f, 0.3f, -0.4f}, {0.5f, -0.6f, 0.7f, 0.125f}, {0.9f, -1.0f, 1.1f, -1.2f}};
    static char lab[3][VIEW_LABEL];
    TokenTable wt;
    memset(&wt, 0, sizeof wt);
    wt.B = 1, wt.T = 3, wt.len[0] = 3, wt.prompt_len[0] = 3, wt.label = lab;
    ViewCtx c;
    size_to(24, 80);
    base_ctx(&c, 20, 80);
    c.tok = &wt;
    c.tv.data = &w[0][0];
    c.tv.ndim = 2;
    c.tv.dims[0] = 3, c.tv.dims[1] = 4;
    c.tv.stride[0] = 4, c.tv.stride[1] = 1;
    c.has_tv = 1;
    c.scale = SCALE_DIV;
    c.pos = 1, c.col = 3;
    c.row_base = 100, c.col_base = 200, c.full_rows = 1000, c.full_cols = 500;
    snprintf(c.tensor_name, sizeof c.tensor_name, "Wq");
    View_heatmap.draw(&c);
    expect_screen(on_screen("Wq  rows 100..102 of 1000 x cols 200..203 of 500"), "%s heatmap window: the title in the whole matrix's indices", mode);
    expect_screen(on_screen("Wq[101,203] = 0.125"), "%s heatmap window: the cursor's place in the whole matrix", mode);
    expect_screen(on_screen("203") && on_screen("101"), "%s heatmap window: column ticks and row numbers offset", mode);
}

static void run_all(const char *mode) {
    test_attn_text(mode);
    test_heatmap_window(mode);
    test_heatmap(mode);
    test_heatmap_half(mode);
    test_attention(mode);
    test_topk(mode);
    test_tokens(mode);
    test_next(mode);
    test_strip(mode);
    test_sizes(mode);
}

int main(void) {
    if (harness_open("views") != 0) return 0;
    make_data();
    test_helpers();
    test_editor();
    test_worker();

    Crt_setup_colors(0);
    expect(crt.mode == CRT_256, "xterm-256color gives the 256-colour mode", "mode %d", (int)crt.mode);
    test_crt();
    run_all("256");

    Crt_setup_colors(1);
    expect(crt.mode == CRT_MONO, "--mono gives the monochrome mode", "mode %d", (int)crt.mode);
    test_crt();
    run_all("mono");

    /* 24-bit: COLORTERM=truecolor on a terminal that can redefine its palette (xterm-256color
     * has ccc/initc) gives exact scale colours in redefined palette slots */
    setenv("COLORTERM", "truecolor", 1);
    Crt_setup_colors(0);
    expect(crt.mode == CRT_TRUE, "COLORTERM=truecolor on xterm-256color gives the 24-bit mode", "mode %d can_change %d", (int)crt.mode,
           (int)can_change_color());
    test_crt();
    run_all("24-bit");
    unsetenv("COLORTERM");

    /* an 8-colour terminal (TERM=xterm): every colour, of the UI and the scales, is one of the
     * 8 basic ones, and the scales still run dark to bright / blue - white - orange's nearest */
    {
        FILE *o8 = fopen("/dev/null", "w"), *i8 = fopen("/dev/null", "r");
        SCREEN *s8 = o8 && i8 ? newterm("xterm", o8, i8) : NULL;
        if (!s8) skip("8 colours", "no terminfo entry for xterm");
        else {
            set_term(s8);
            Crt_setup_colors(0);
            expect(crt.mode == CRT_BASIC, "xterm (8 colours) gives the basic-colour mode", "mode %d colors %d", (int)crt.mode, crt.colors);
            int in_range = 1;
            for (int i = 0; i <= 20; i++) {
                int cs = Crt_scale_color(SCALE_SEQ, i / 20.0), cd = Crt_scale_color(SCALE_DIV, i / 10.0 - 1);
                if (cs < 0 || cs >= 8 || cd < 0 || cd >= 8) in_range = 0;
            }
            expect(in_range, "8 colours: every scale colour is a basic colour", " ");
            expect(Crt_scale_color(SCALE_SEQ, 0) == 0 && Crt_scale_color(SCALE_DIV, -1) == 4 && Crt_scale_color(SCALE_DIV, 0) == 7,
                   "8 colours: the sequential scale starts black, the diverging one is blue - white", "%d %d %d",
                   Crt_scale_color(SCALE_SEQ, 0), Crt_scale_color(SCALE_DIV, -1), Crt_scale_color(SCALE_DIV, 0));
            test_crt();
            run_all("8 colours");
            Crt_high_contrast(1);
            run_all("8 colours, high contrast");
            Crt_high_contrast(0);
            endwin();
            set_term(harness_scr);
            delscreen(s8);
        }
        if (o8) fclose(o8);
        if (i8) fclose(i8);
    }

    setenv("NO_COLOR", "1", 1);
    Crt_setup_colors(0);
    expect(crt.mode == CRT_MONO, "NO_COLOR gives the monochrome mode", "mode %d", (int)crt.mode);
    unsetenv("NO_COLOR");

    setenv("TERM", "dumb", 1);
    expect(Crt_unusable() != NULL, "TERM=dumb is refused", " ");
    unsetenv("TERM");
    expect(Crt_unusable() != NULL, "no TERM is refused", " ");

    harness_close();
    return check_done();
}
