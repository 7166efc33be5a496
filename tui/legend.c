/* legend.c - the legend screen (D): every letter of the header (B, T, D, V, L, h, d, F, KV,
 * ctx) and every mark of the shape strip (◆, the highlight, …, →) defined in one line with
 * this model's value, e.g. "D = 64: the size of each token's vector". The letters' lines are
 * also the first part of the lesson's glossary (tui/lesson_more.c). */
#include "tui/legend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUT(t, ...) do { if (n < cap) { snprintf(term[n], 32, "%s", t); snprintf(what[n], LEGEND_W, __VA_ARGS__); n++; } } while (0)

int Legend_letters(const App *a, char (*term)[32], char (*what)[LEGEND_W], int cap) {
    const Config *c = &a->m->c;
    int B = a->trace ? a->trace->B : a->B, T = a->trace ? a->trace->T : 0;
    int n = 0;
    if (B > 1) PUT("B", "B = %d: the batch, how many prompts run side by side (rows b0 .. b%d on line 2)", B, B - 1);
    else PUT("B", "B = 1: the batch, how many prompts run side by side (one here: row b0 on line 2; n adds one)");
    if (T > 0) PUT("T", "T = %d: tokens in each prompt (the longest; shorter rows are padded at the end)", T);
    else PUT("T", "T: tokens in each prompt (known once the forward pass has run)");
    PUT("D", "D = %d: the size of each token's vector, the width of the residual stream", c->dim);
    PUT("V", "V = %d: the vocabulary, how many different tokens the model knows (one logit each)", c->vocab_size);
    PUT("L", "L = %d: transformer blocks, one after the other (stations 3.1 .. 3.%d)", c->n_layers, c->n_layers);
    PUT("h", "h = %d: attention heads in each block, each looking at the tokens its own way", c->n_heads);
    PUT("d", "d = %d: the size of one head's q, k and v vectors, D / h = %d / %d", c->head_dim, c->dim, c->n_heads);
    PUT("F", "F = %d: the MLP's hidden width (%s)", c->hidden_dim,
        c->mlp == MLP_SWIGLU ? "SwiGLU: two (D,F) matrices, gate and up, then one (F,D) down" : "one (D,F) matrix up, GELU, one (F,D) down");
    if (c->n_kv_heads != c->n_heads)
        PUT("KV", "KV = %d: key/value heads; the %d query heads share them, %d per KV head (grouped-query attention)", c->n_kv_heads,
            c->n_heads, c->n_kv_heads > 0 ? c->n_heads / c->n_kv_heads : 0);
    else PUT("KV", "KV = %d: key/value heads, as many as h: every head has its own keys and values", c->n_kv_heads);
    PUT("ctx", "ctx = %d: the longest T the model can take (its context)", c->seq_len);
    return n;
}

int Legend_lines(const App *a, char (*term)[32], char (*what)[LEGEND_W], int cap) {
    const Config *c = &a->m->c;
    int B = a->trace ? a->trace->B : a->B, T = a->trace ? a->trace->T : 0;
    int n = Legend_letters(a, term, what, cap);
    PUT("", "%s", "");
    PUT("\xe2\x97\x86", "\xe2\x97\x86 (B,T,D): the shape strip marks a station that changes the shape (e.g. embed: (B,T) to (B,T,D))");
    PUT("highlight", "the station you are on is highlighted in the strip; its number is at the right of the header");
    PUT("\xe2\x80\xa6", "\xe2\x80\xa6 at an end of the strip: more stations than fit; walk on with \xe2\x86\x92 and they scroll in");
    PUT("\xe2\x86\x92", "\xe2\x86\x92 between stations: the tensor flows from one to the next, left to right");
    PUT("(B,T,D) =", "(B,T,D) = (%d,%d,%d): a shape with its letters, then this prompt's numbers in the same order", B, T, c->dim);
    PUT("3.2.d", "3.2.d: a station's number: outer station 3 (the blocks), block 2, step d inside it");
    return n;
}
#undef PUT

int Legend_draw(const App *a, int y, int h, int first) {
    static char term[LEGEND_MAX][32], what[LEGEND_MAX][LEGEND_W];
    int n = Legend_lines(a, term, what, LEGEND_MAX);
    WINDOW *w = stdscr;
    const int W = a->cols;
    if (first > n - 1) first = n - 1;
    if (first < 0) first = 0;
    /* each line wraps onto a second when the terminal is narrow (80 columns) */
    int wrap = 2, bottom = y + h;
    for (int i = first; i < n && y < bottom; i++) {
        const char *t = term[i];
        int single = strlen(t) <= 3 && (unsigned char)t[0] < 0x80;   /* a letter: shown beside its line */
        Crt_set(w, CA_TITLE);
        if (single) View_text(w, y, 1, 5, t, 0);
        Crt_set(w, single ? CA_NORMAL : CA_DIM);
        int lines = what[i][0] ? View_wrap(w, y, 6, W - 6, bottom - y < wrap ? bottom - y : wrap, what[i]) : 1;
        y += lines > 0 ? lines : 1;
    }
    Crt_set(w, CA_NORMAL);
    return n;
}

/* ---- the screen ---- */

typedef struct { int first; } Legend;

static void *legend_create(App *a) { return calloc(1, sizeof(Legend)); }

static void legend_draw(App *a, void *self, int y, int h) {
    Legend *lg = self;
    Crt_set(stdscr, CA_TITLE);
    View_text(stdscr, y, 0, a->cols, "Legend: the letters of the header and the marks of the shape strip, for this model", 1);
    Crt_set(stdscr, CA_NORMAL);
    int n = Legend_draw(a, y + 2, h - 2, lg->first);
    if (lg->first > n - 1) lg->first = n - 1;
}

static int legend_key(App *a, void *self, int ch) {
    Legend *lg = self;
    if (ch == KEY_DOWN || ch == 'j') { lg->first++; return 1; }
    if ((ch == KEY_UP || ch == 'k') && lg->first > 0) { lg->first--; return 1; }
    if (ch == 'D' || ch == 27 || ch == '\n' || ch == '\r' || ch == KEY_ENTER) { App_back(a); return 1; }
    return 0;
}

static void legend_where(App *a, void *self, char *buf, size_t cap) { snprintf(buf, cap, "legend"); }

static const char *legend_hint(App *a, void *self) {
    static char buf[128];
    snprintf(buf, sizeof buf, "↓ ↑ scroll (more below)  D Esc back to %s  ? help  q quit", App_back_name(a));
    return buf;
}

static const char *const legend_help[] = {
    "↑ ↓ j k          scroll the legend",
    "D Enter Esc      back to the screen that opened it (the walk, the lesson)",
    NULL,
};

const Screen Screen_legend = {
    .name = "legend: B T D V L h d F KV and the strip's marks", .hotkey = 'D', .create = legend_create,
    .draw = legend_draw, .key = legend_key, .help = legend_help, .help_title = "The legend", .back_as = "the legend", .where = legend_where,
    .hint = legend_hint,
};
