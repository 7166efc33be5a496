/* tour.c - shapewalk --tour: the walk as a prepared talk. Space / → go to the next stop of a
 * short list (the outer stations, block 1's q/k/v, scores, attention and MLP, the last
 * block), ← back; at every station one sentence for the room, on this model's and this
 * prompt's real numbers (the tokens, the shapes, where attention looks most, the top token
 * and its probability), and a presenter line for the teacher in another style (N hides it). */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a station's place along the walk, for "the next stop after here" */
static long order(StationRef s) {
    if (s.kind == ST_BLOCK) return 300000L + (s.layer + 1) * 20L;
    if (s.kind >= ST_NORM1) return 300000L + (s.layer + 1) * 20L + (s.kind - ST_NORM1 + 1);
    return Station_outer_number(s.kind) * 100000L;
}

static int stops(const Config *c, StationRef *out, int cap) {
    char last[16];
    snprintf(last, sizeof last, "3.%d", c->n_layers);
    const char *names[] = {"0", "1", "2", "3.1", "3.1.b", "3.1.d", "3.1.f", "3.1.j", last, "4", "5", "6", "7"};
    int n = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names && n < cap; i++) {
        if (i == 8 && c->n_layers == 1) continue;   /* block 1 is the last */
        if (Station_find(c, names[i], &out[n]) == 0) n++;
    }
    return n;
}

int Tour_next(const App *a, StationRef cur, int dir, StationRef *out) {
    StationRef st[16];
    int n = stops(&a->m->c, st, 16);
    long k = order(cur);
    if (dir > 0) {
        for (int i = 0; i < n; i++)
            if (order(st[i]) > k) { *out = st[i]; return 1; }
    } else {
        for (int i = n - 1; i >= 0; i--)
            if (order(st[i]) < k) { *out = st[i]; return 1; }
    }
    return 0;
}

static const char *label(const App *a, int b, int p) {
    if (!a->tok_label || !a->trace || b >= a->trace->B || p < 0 || p >= a->trace->len[b]) return "?";
    return a->tok_label[(size_t)b * (a->trace->T > 0 ? a->trace->T : 1) + p];
}

static void token_name(const App *a, int id, char *buf, size_t cap) {
    Present_token_label(a->m->tok, id, buf, cap);
}

int Tour_focus(App *a, int layer, int *head, int *key, float *prob) {
    const Config *c = &a->m->c;
    Trace *t = a->trace;
    int b = a->vc.b;
    *key = -1;
    if (!t || b >= t->B || t->len[b] < 2) return 0;
    int last = t->len[b] - 1;
    char err[SW_ERR_LEN];
    const LayerRec *r = Trace_layer(t, layer, err);
    if (!r || !r->probs) return 0;
    float bp = -1;
    for (int h = 0; h < c->n_heads; h++)
        for (int k = 1; k <= last; k++) {   /* past BOS (0), where many heads rest */
            float p = r->probs[(((size_t)b * c->n_heads + h) * t->Tcap + last) * t->Tcap + k];
            if (p > bp) { bp = p; *head = h; *key = k; }
        }
    *prob = bp;
    return *key >= 0;
}

/* The room's sentence and the presenter's line for station s. */
void Tour_text(App *a, StationRef s, char *room, size_t rcap, char *note, size_t ncap) {
    const Config *c = &a->m->c;
    Trace *t = a->trace;
    int b = a->vc.b, B = t ? t->B : a->B, T = t ? t->T : 0;
    int len = t && b < t->B ? t->len[b] : 0, last = len - 1;
    room[0] = note[0] = 0;
    if (!t || len < 1) { snprintf(room, rcap, "Wait for the forward pass: the numbers come from this very run."); return; }
    switch (s.kind) {
    case ST_TOKENIZE: {
        char ids[160] = "";
        size_t o = 0;
        for (int p = 0; p < len && p < 8 && o + 12 < sizeof ids; p++) o += (size_t)snprintf(ids + o, sizeof ids - o, "%s%d", p ? " " : "", Trace_id(t, b, p));
        snprintf(room, rcap, "The text \"%.60s\" became T = %d tokens; the model never sees letters, only these ids: %s%s", t->prompts[b] ? t->prompts[b] : "", len, ids,
                 len > 8 ? " ..." : ".");
        snprintf(note, ncap, "Ask: how many tokens will the prompt be? Point at a word split in two (%s %s).", label(a, b, len > 3 ? 3 : 0), label(a, b, len > 4 ? 4 : 0));
        break;
    }
    case ST_EMBED:
        snprintf(room, rcap, "Each id picks one row of the (V,D) = (%d,%d) table: every token is now a list of D = %d numbers, one row of the heatmap.", c->vocab_size, c->dim, c->dim);
        snprintf(note, ncap, "Shape (B,T) becomes (B,T,D) = (%d,%d,%d): the ◆ in the strip marks it. Same word, same row.", B, T, c->dim);
        break;
    case ST_POSITIONS:
        if (c->pos == POS_ROPE)
            snprintf(room, rcap, "This model adds no position table here: it turns each query and key by its position later, in step c of every block.");
        else
            snprintf(room, rcap, "A learned position vector is added to each row: the same word at another place now has a different vector.");
        snprintf(note, ncap, "Ask: without positions, could the model tell \"cat sat\" from \"sat cat\"?");
        break;
    case ST_BLOCK:
        snprintf(room, rcap, "Block %d of L = %d: attention mixes information between tokens, the MLP works on each token alone; the shape stays (B,T,D) = (%d,%d,%d).",
                 s.layer + 1, c->n_layers, B, T, c->dim);
        snprintf(note, ncap, s.layer == 0 ? "Enter goes inside the block; the tour goes in by itself on →." : "Every block adds to the same stream of D = %d numbers per token.", c->dim);
        break;
    case ST_QKV:
        snprintf(room, rcap, "Each token makes a query (what it looks for), a key (what it offers) and a value (what it passes on): h = %d heads of d = %d numbers.", c->n_heads, c->head_dim);
        if (c->n_kv_heads != c->n_heads) snprintf(note, ncap, "Only KV = %d key/value heads: %d query heads share each one (grouped-query attention). w shows k and v.", c->n_kv_heads, c->n_heads / (c->n_kv_heads ? c->n_kv_heads : 1));
        else snprintf(note, ncap, "w shows k and v; { } changes the head.");
        break;
    case ST_SCORES:
        snprintf(room, rcap, "Every query meets every key: a (T,T) = (%d,%d) table of scores in each of the %d heads, q·k divided by √d = √%d.", T, T, c->n_heads, c->head_dim);
        snprintf(note, ncap, "Ask: why is the table square? (each token against each token)");
        break;
    case ST_ATTN: {
        int bh = 0, bk = -1;
        float bp = -1;
        Tour_focus(a, s.layer, &bh, &bk, &bp);
        if (bk >= 0)
            snprintf(room, rcap, "Each row sums to 1: how much each token looks at the ones before it. At the last token \"%s\", head %d (shown) looks most at \"%s\" (%.0f%%).",
                     label(a, b, last), bh, label(a, b, bk), bp * 100);
        else
            snprintf(room, rcap, "Each row sums to 1: how much each token looks at the ones before it; nothing looks ahead (the mask).");
        snprintf(note, ncap, "Press a for all heads at once; { } steps through them. The upper triangle is empty: no peeking at the future.");
        break;
    }
    case ST_MLP_UP:
        snprintf(room, rcap, "The MLP widens each token from D = %d to F = %d numbers and back: it thinks about each token on its own, no mixing.", c->dim, c->hidden_dim);
        snprintf(note, ncap, "The ◆ marks the widening to (B,T,F); Esc leaves the block.");
        break;
    case ST_FINAL_NORM:
        snprintf(room, rcap, "One last normalization scales each token's vector of D = %d numbers before the prediction.", c->dim);
        snprintf(note, ncap, "Nothing new to see in the shape: (B,T,D) = (%d,%d,%d) still.", B, T, c->dim);
        break;
    case ST_LM_HEAD:
        snprintf(room, rcap, "Each token's vector meets all V = %d words of the vocabulary: %d scores (logits), one per possible next token.", c->vocab_size, c->vocab_size);
        snprintf(note, ncap, "The shape rule: (B,T,D) @ (D,V) -> (B,T,V); D meets D and vanishes.");
        break;
    case ST_SOFTMAX:
    case ST_NEXT: {
        TopK top[2];
        int nk = Trace_topk(t, b, last, 1, 2, top);
        char w1[64] = "?", w2[64] = "?";
        if (nk > 0) token_name(a, top[0].id, w1, sizeof w1);
        if (nk > 1) token_name(a, top[1].id, w2, sizeof w2);
        if (s.kind == ST_SOFTMAX)
            snprintf(room, rcap, "Softmax turns the %d logits into probabilities that sum to 1: after \"%s\" the model gives \"%s\" %.1f%% and \"%s\" %.1f%%.", c->vocab_size,
                     label(a, b, last), w1, nk > 0 ? top[0].prob * 100 : 0, w2, nk > 1 ? top[1].prob * 100 : 0);
        else
            snprintf(room, rcap, "The next token for \"%.40s\" is \"%s\" (%.1f%%): g appends it and runs again with T = %d.", t->prompts[b] ? t->prompts[b] : "", w1,
                     nk > 0 ? top[0].prob * 100 : 0, T + 1);
        snprintf(note, ncap, B > 1 ? "b shows the other prompt: does one word change the prediction?" : "Ask the room to guess the next word before you press →.");
        break;
    }
    default: {
        const StationInfo *info = Station_info(s.kind);
        snprintf(room, rcap, "%s", info->notice);
        snprintf(note, ncap, "→ goes on to the next stop of the tour.");
        break;
    }
    }
}

int Tour_draw(App *a, StationRef s, int y, int bottom) {
    char room[512], note[512];
    Tour_text(a, s, room, sizeof room, note, sizeof note);
    int y0 = y;
    if (y < bottom && room[0]) {
        Crt_set(stdscr, CA_TITLE);
        char line[540];
        snprintf(line, sizeof line, "▶ %s", room);
        y += View_wrap(stdscr, y, 0, a->cols, bottom - y >= 12 ? 2 : 1, line);
    }
    if (y < bottom && note[0] && !a->notes_off) {
        Crt_on(stdscr, CA_KEY, A_ITALIC);
        char line[540];
        snprintf(line, sizeof line, "presenter (N hides): %s", note);
        y += View_wrap(stdscr, y, 0, a->cols, bottom - y >= 10 ? 2 : 1, line);   /* whole at 80x24 too */
    }
    Crt_set(stdscr, CA_NORMAL);
    return y - y0;
}
