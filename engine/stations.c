/* stations.c - what is shown about each station of the walk (docs/stations.md is written from
 * this table: make docs).
 * The computation itself is in engine/forward.c; each entry here says it in one line. */
#include "stations.h"
#include "quant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const StationInfo STATIONS[ST__COUNT] = {
    [ST_TOKENIZE] = {ST_TOKENIZE, "0", "tokenize",
        "ids = encode(text)", "ids = encode(text)", "B,T",
        "The text is cut into tokens and each token becomes an integer id from the vocabulary.",
        "The model never sees letters: only integers, one per token, T of them per prompt.",
        1, VK_TOKENS, "tokens",
        {{"x", "", NULL}}},
    [ST_EMBED] = {ST_EMBED, "1", "embedding lookup",
        "x = E[ids]    E is (V,D)", "x = E[ids]    E is (V,D)", "B,T,D",
        "Each id picks one row of the embedding table E: a vector of D numbers per token.",
        "The shape gains an axis here: (B,T) integers become (B,T,D) numbers.",
        1, VK_MATRIX, "embed",
        {{"x", "", NULL}}},
    [ST_POSITIONS] = {ST_POSITIONS, "2", "add positions",
        "x = x + P[0:T]    P is (ctx,D)",
        "nothing added: RoPE rotates q and k inside attention",
        "B,T,D",
        "Models with learned positions (GPT-2) add a vector for each position here; RoPE models (Llama, Qwen2) add nothing and rotate q and k by position inside attention instead.",
        "Adding keeps the shape: (B,T,D) + (T,D) broadcasts over B.",
        0, VK_MATRIX, "+pos",
        {{"x", "", NULL}}},
    [ST_BLOCK] = {ST_BLOCK, "3.l", "transformer block",
        "x = x + attn(LN(x));  x = x + mlp(LN(x))",
        "x = x + attn(RMSNorm(x));  x = x + mlp(RMSNorm(x))",
        "B,T,D",
        "A block lets every token look at earlier tokens (attention), then thinks about each token alone (MLP); both add to the residual stream x.",
        "The block's output has the same shape as its input, so blocks can be stacked L times.",
        0, VK_MATRIX, "block",
        {{"x", "", NULL}}},
    [ST_FINAL_NORM] = {ST_FINAL_NORM, "4", "final norm",
        "x = LN_f(x) = (x - mean) / sqrt(var + eps) * w + b",
        "x = RMSNorm(x) = x / sqrt(mean(x^2) + eps) * w",
        "B,T,D",
        "The residual stream is normalised once more before it is turned into scores over the vocabulary.",
        "Each row now has a fixed scale; the shape is unchanged.",
        0, VK_MATRIX, "norm",
        {{"x", "", NULL}}},
    [ST_LM_HEAD] = {ST_LM_HEAD, "5", "LM head",
        "logits = x @ W_lm    (B,T,D)@(D,V) -> (B,T,V)",
        "logits = x @ W_lm    (B,T,D)@(D,V) -> (B,T,V)",
        "B,T,V",
        "Each position's vector is dotted with every token's row of the output matrix: one score (logit) per vocabulary entry.",
        "The matmul shape rule: the inner D's meet and vanish, V appears.",
        1, VK_TOPK, "LM head",
        {{"x", "", NULL}}},
    [ST_SOFTMAX] = {ST_SOFTMAX, "6", "softmax",
        "probs = exp(logits - max) / sum(exp(logits - max))",
        "probs = exp(logits - max) / sum(exp(logits - max))",
        "B,T,V",
        "Scores become probabilities: exponentiate (after subtracting the max so nothing overflows) and divide by the sum.",
        "Subtracting the max changes nothing in the result but keeps exp() finite.",
        0, VK_TOPK, "softmax",
        {{"x", "", NULL}}},
    [ST_NEXT] = {ST_NEXT, "7", "next token",
        "next[b] = argmax(probs[b, len_b - 1, :])  (τ > 0: a draw from softmax(logits / τ))",
        "next[b] = argmax(probs[b, len_b - 1, :])  (τ > 0: a draw from softmax(logits / τ))",
        "B",
        "Only the last position's probabilities choose what comes next; append it and the walk runs again with T+1.",
        "One token per prompt: the shape (B,) - then (B,T) grows to (B,T+1).",
        1, VK_NEXT, "next",
        {{"x", "", NULL}}},
    [ST_NORM1] = {ST_NORM1, "3.l.a", "norm 1",
        "xn = LN_1(x) = (x - mean) / sqrt(var + eps) * w + b",
        "xn = RMSNorm(x) = x / sqrt(mean(x^2) + eps) * w",
        "B,T,D",
        "Each token's vector is rescaled to a standard size before attention reads it.",
        "Normalising acts on each row (each token) separately.",
        0, VK_MATRIX, "norm1",
        {{"xn", "", NULL}}},
    [ST_QKV] = {ST_QKV, "3.l.b", "queries, keys, values",
        "q|k|v = xn @ W_qkv + b    (B,T,D)@(D,3D), split into h heads of d",
        "q = xn @ Wq;  k = xn @ Wk;  v = xn @ Wv    (KV heads for k, v)",
        "B,h,T,d",
        "Three matmuls give each token a query (what it looks for), a key (what it offers) and a value (what it passes on), split into h heads.",
        "D = h x d: the same numbers, viewed as h heads of size d.",
        1, VK_MATRIX, "q,k,v",
        {{"q", "q: what each token looks for", "k, v"}, {"k", "k: what each token offers", "v, q"}, {"v", "v: what each token passes on", "q, k"}}},
    [ST_ROPE] = {ST_ROPE, "3.l.c", "rotary positions",
        "(no rotary step: this model adds learned positions at station 2)",
        "rotate each pair (q[2i], q[2i+1]) by angle pos * 10000^(-2i/d); same for k",
        "B,h,T,d",
        "RoPE marks positions by rotating pairs of numbers in q and k by an angle that grows with the position.",
        "After rotation a dot product q.k depends on how far apart the two tokens are.",
        0, VK_MATRIX, "rope",
        {{"q", "q after rotation", "k"}, {"k", "k after rotation", "q"}}},
    [ST_SCORES] = {ST_SCORES, "3.l.d", "attention scores",
        "S = q @ kᵀ / √d    (B,h,T,d)@(B,h,d,T) -> (B,h,T,T)",
        "S = q @ kᵀ / √d    (B,h,T,d)@(B,h,d,T) -> (B,h,T,T)",
        "B,h,T,T",
        "Every query is dotted with every key: a T x T table of how well token i's question matches token j's answer.",
        "A new shape: T x T per head - this is why attention costs grow with the square of T.",
        1, VK_ATTENTION, "scores",
        {{"S", "", NULL}}},
    [ST_MASK] = {ST_MASK, "3.l.e", "causal mask",
        "S[i,j] = -inf  for j > i",
        "S[i,j] = -inf  for j > i",
        "B,h,T,T",
        "A token may not look at tokens after it, so the upper triangle is set to minus infinity.",
        "exp(-inf) = 0: the future will get zero weight after the softmax.",
        0, VK_ATTENTION, "mask",
        {{"S", "", NULL}}},
    [ST_ATTN] = {ST_ATTN, "3.l.f", "attention probabilities",
        "A = softmax(S) along the last axis (max subtracted)",
        "A = softmax(S) along the last axis (max subtracted)",
        "B,h,T,T",
        "Each row of scores becomes weights that are positive and add up to 1.",
        "Every row sums to 1, and the masked future is exactly 0.",
        0, VK_ATTENTION, "probs",
        {{"A", "", NULL}}},
    [ST_WSUM] = {ST_WSUM, "3.l.g", "weighted sum of values",
        "y = A @ v    (B,h,T,T)@(B,h,T,d) -> (B,h,T,d), heads merged -> (B,T,D)",
        "y = A @ v    (B,h,T,T)@(B,h,T,d) -> (B,h,T,d), heads merged -> (B,T,D)",
        "B,T,D",
        "Each token collects a mix of the earlier tokens' values, weighted by its attention row; the heads are put side by side again.",
        "Back to (B,T,D): the T x T table was only the weights.",
        1, VK_MATRIX, "A@v",
        {{"y", "", NULL}}},
    [ST_OUT_PROJ] = {ST_OUT_PROJ, "3.l.h", "output projection + residual",
        "x = x + (y @ Wo + bo)    (B,T,D)@(D,D)",
        "x = x + y @ Wo    (B,T,D)@(D,D)",
        "B,T,D",
        "The mixed heads are projected back into the residual stream and added to what was there.",
        "The residual add: attention only adds a correction to x.",
        0, VK_MATRIX, "+attn",
        {{"x", "x + y@Wo: the residual after", "what was added"}, {"yWo", "y@Wo: what attention adds", "the sum"}}},
    [ST_NORM2] = {ST_NORM2, "3.l.i", "norm 2",
        "xn = LN_2(x)",
        "xn = RMSNorm(x)",
        "B,T,D",
        "The stream is normalised again before the MLP reads it.",
        "Same rule as norm 1, with its own weights.",
        0, VK_MATRIX, "norm2",
        {{"xn", "", NULL}}},
    [ST_MLP_UP] = {ST_MLP_UP, "3.l.j", "MLP up + activation",
        "hid = gelu(xn @ W1 + b1)    (B,T,D)@(D,F) -> (B,T,F)",
        "hid = silu(xn @ W1) * (xn @ W3)    (B,T,D)@(D,F) -> (B,T,F)",
        "B,T,F",
        "Each token's vector is widened to F numbers and passed through a nonlinearity, on its own - no mixing between tokens.",
        "The shape widens inside the MLP: D -> F.",
        1, VK_MATRIX, "MLP up",
        {{"hid", "gelu(xn@Wu+bu)", "before gelu"}, {"pre", "xn@Wu+bu before gelu", "after"}},
        {{"hid", "silu(xn@Wg)*(xn@Wu)", "before silu, up"}, {"pre", "xn@Wg before silu", "up"}, {"up", "xn@Wu, the up projection", "the product"}}},
    [ST_MLP_DOWN] = {ST_MLP_DOWN, "3.l.k", "MLP down + residual",
        "x = x + (hid @ W2 + b2)    (B,T,F)@(F,D) -> (B,T,D)",
        "x = x + hid @ W2    (B,T,F)@(F,D) -> (B,T,D)",
        "B,T,D",
        "The wide vector is projected back to D and added to the residual stream: the block's output.",
        "Back to D, so the next block sees the same shape.",
        1, VK_MATRIX, "+MLP",
        {{"x", "x + hid@Wd: the block's output", "what was added"}, {"hWd", "hid@Wd: what the MLP adds", "the sum"}}},
};

const StationInfo *Station_info(StationKind k) {
    if ((int)k < 0 || k >= ST__COUNT) return &STATIONS[ST_TOKENIZE];
    return &STATIONS[k];
}

/* The one-line maths follows what the model's blocks do: its norm, positions, q/k/v matrices
 * and biases, MLP and head (the table's two columns are the LayerNorm/learned-positions/GELU
 * and the RMSNorm/RoPE/SwiGLU wordings of the stations that do not depend on more). */
const char *Station_maths(StationKind k, const Config *c) {
    const StationInfo *s = Station_info(k);
    const int rms = c->norm == NORM_RMSNORM;
    switch (k) {
    case ST_POSITIONS: return c->pos == POS_ROPE ? s->maths_llama : s->maths_gpt2;
    case ST_BLOCK: case ST_FINAL_NORM: case ST_NORM1: case ST_NORM2:
        return rms ? s->maths_llama : s->maths_gpt2;
    case ST_QKV:
        if (c->qkv_fused) return "q|k|v = xn @ W_qkv + b    (B,T,D)@(D,3D), split into h heads of d";
        if (c->qkv_bias) return "q = xn @ Wq + bq;  k = xn @ Wk + bk;  v = xn @ Wv + bv    (KV heads for k, v)";
        return "q = xn @ Wq;  k = xn @ Wk;  v = xn @ Wv    (KV heads for k, v)";
    case ST_ROPE:
        if (c->pos != POS_ROPE) return "(no rotary step: positions were added at station 2)";
        return c->rope_pairing == ROPE_HALVES
                   ? "rotate each pair (q[i], q[i+d/2]) by angle pos * base^(-2i/d); same for k"
                   : "rotate each pair (q[2i], q[2i+1]) by angle pos * base^(-2i/d); same for k";
    case ST_OUT_PROJ: return c->proj_bias ? s->maths_gpt2 : s->maths_llama;
    case ST_MLP_UP: return c->mlp == MLP_SWIGLU ? "hid = silu(xn @ Wg) * (xn @ Wu)    (B,T,D)@(D,F) -> (B,T,F)"
                                                : "hid = gelu(xn @ Wu + bu)    (B,T,D)@(D,F) -> (B,T,F)";
    case ST_MLP_DOWN: return c->proj_bias ? "x = x + (hid @ Wd + bd)    (B,T,F)@(F,D) -> (B,T,D)"
                                          : "x = x + hid @ Wd    (B,T,F)@(F,D) -> (B,T,D)";
    case ST_LM_HEAD: return c->shared_classifier ? "logits = x @ W_lm,  W_lm = Eᵀ (tied)    (B,T,D)@(D,V) -> (B,T,V)"
                                                 : "logits = x @ W_lm    (B,T,D)@(D,V) -> (B,T,V)";
    default: return s->maths_gpt2;
    }
}

/* The SwiGLU list (tensors_swiglu) where the station has one and the model's MLP is SwiGLU. */
int Station_tensors(StationKind k, const Config *c, const StationTensor **out) {
    const StationInfo *s = Station_info(k);
    const StationTensor *t = c->mlp == MLP_SWIGLU && s->tensors_swiglu[0].symbol ? s->tensors_swiglu : s->tensors;
    int n = 0;
    while (n < STATION_MAX_TENSORS && t[n].symbol) n++;
    *out = t;
    return n > 0 ? n : 1;
}

int Station_outer_number(StationKind k) {
    return k == ST_BLOCK || k >= ST_NORM1 ? 3 : atoi(Station_info(k)->number);
}

int Station_find(const Config *c, const char *number, StationRef *out) {
    char *end;
    long n = strtol(number, &end, 10);
    if (end == number || n < 0) return -1;
    if (n == 3) {
        long l = 1;
        if (*end == '.') {
            l = strtol(end + 1, &end, 10);
            if (l < 1 || l > c->n_layers) return -1;
        }
        if (*end == 0) { out->kind = ST_BLOCK; out->layer = (int)l - 1; return 0; }
        if (*end != '.' || !end[1] || end[2]) return -1;
        StationRef inner[16];
        int ni = Stations_inner(c, (int)l - 1, inner, 16);
        for (int i = 0; i < ni; i++)
            if (Station_info(inner[i].kind)->number[4] == end[1]) { *out = inner[i]; return 0; }   /* "3.l.d" */
        return -1;
    }
    if (*end) return -1;
    for (int k = 0; k < ST_NORM1; k++)
        if (k != ST_BLOCK && atoi(STATIONS[k].number) == n) { out->kind = (StationKind)k; out->layer = -1; return 0; }
    return -1;
}

int Stations_outer(const Config *c, StationRef *out, int cap) {
    int n = 0;
#define PUT(k, l) do { if (n < cap) { out[n].kind = (k); out[n].layer = (l); } n++; } while (0)
    PUT(ST_TOKENIZE, -1);
    PUT(ST_EMBED, -1);
    PUT(ST_POSITIONS, -1);
    for (int l = 0; l < c->n_layers; l++) PUT(ST_BLOCK, l);
    PUT(ST_FINAL_NORM, -1);
    PUT(ST_LM_HEAD, -1);
    PUT(ST_SOFTMAX, -1);
    PUT(ST_NEXT, -1);
    return n < cap ? n : cap;
}

int Stations_inner(const Config *c, int layer, StationRef *out, int cap) {
    static const StationKind inner[] = {ST_NORM1, ST_QKV, ST_ROPE, ST_SCORES, ST_MASK, ST_ATTN,
                                        ST_WSUM, ST_OUT_PROJ, ST_NORM2, ST_MLP_UP, ST_MLP_DOWN};
    int n = 0;
    for (size_t i = 0; i < sizeof inner / sizeof inner[0]; i++) {
        if (inner[i] == ST_ROPE && c->pos != POS_ROPE) continue;
        PUT(inner[i], layer);
    }
#undef PUT
    return n < cap ? n : cap;
}

/* One axis letter -> its size for this config and trace. */
static int axis_size(const Config *c, char a, int B, int T, int *ok) {
    *ok = 1;
    switch (a) {
    case 'B': return B;
    case 'T': return T;
    case 'D': return c->dim;
    case 'V': return c->vocab_size;
    case 'h': return c->n_heads;
    case 'd': return c->head_dim;
    case 'F': return c->hidden_dim;
    default: *ok = 0; return 0;
    }
}

void Station_shape(const Config *c, StationRef s, int B, int T, char *buf, size_t cap) {
    const char *axes = Station_info(s.kind)->axes;
    char letters[64] = "", nums[96] = "";
    size_t nl = 0, nn = 0;
    for (const char *p = axes; *p; p++) {
        if (*p == ',') continue;
        int ok;
        int v = axis_size(c, *p, B, T, &ok);
        nl += (size_t)snprintf(letters + nl, sizeof letters - nl, "%s%c", nl ? "," : "", *p);
        nn += (size_t)snprintf(nums + nn, sizeof nums - nn, "%s%d", nn ? "," : "", v);
        if (nl >= sizeof letters || nn >= sizeof nums) break;
    }
    /* a one-axis shape is written (B,) as in Python */
    int one = strchr(axes, ',') == NULL;
    snprintf(buf, cap, "(%s%s) = (%s%s)", letters, one ? "," : "", nums, one ? "," : "");
}

void Station_label(StationRef s, char *buf, size_t cap) {
    const StationInfo *i = Station_info(s.kind);
    if (s.layer < 0) {
        snprintf(buf, cap, "%s %s", i->number, i->name);
        return;
    }
    /* "3.l" / "3.l.d" with l replaced by the 1-based layer number */
    const char *suffix = i->number + 3; /* "" or ".d" */
    snprintf(buf, cap, "3.%d%s %s", s.layer + 1, suffix, i->name);
}

/* ---- docs/stations.md ---- */

static const char *view_name(ViewKind v) {
    switch (v) {
    case VK_TOKENS: return "token chips";
    case VK_MATRIX: return "heatmap";
    case VK_ATTENTION: return "attention (T,T)";
    case VK_TOPK: return "top-k bars";
    case VK_NEXT: return "next token";
    }
    return "?";
}

/* Markdown table cells: '|' would end the cell. */
static void md_cell(FILE *out, const char *s) {
    fputc(' ', out);
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
    fputs(" |", out);
}

static void md_tensors(FILE *out, const StationTensor *t) {
    for (int i = 0; i < STATION_MAX_TENSORS && t[i].symbol; i++)
        fprintf(out, "%s`%s`%s%s", i ? ", " : "", t[i].symbol, t[i].name[0] ? " " : "", t[i].name);
}

void Stations_markdown(FILE *out) {
    fputs("# The stations of the walk\n\n"
          "Written by `make docs` from the table in `engine/stations.c`, which is the source: edit the\n"
          "table, then run `make docs` (`tests/test_stations_doc` fails while this file is out of date).\n"
          "The maths of every station is computed in `engine/forward.c`.\n\n"
          "The outer walk is 0 1 2, then 3.l for every block l = 1..L, then 4 5 6 7. Enter on a block\n"
          "walks its inner steps 3.l.a .. 3.l.k (3.l.c, the rotary step, only where the model rotates\n"
          "q and k). Axes: B batch rows, T positions, D model width, V vocabulary, h heads, d = D/h,\n"
          "F the MLP's width.\n\n"
          "| number | station | strip | output axes | view | shape changes |\n"
          "| --- | --- | --- | --- | --- | --- |\n", out);
    static const StationKind order[] = {ST_TOKENIZE, ST_EMBED, ST_POSITIONS, ST_BLOCK, ST_NORM1, ST_QKV, ST_ROPE,
                                        ST_SCORES, ST_MASK, ST_ATTN, ST_WSUM, ST_OUT_PROJ, ST_NORM2, ST_MLP_UP,
                                        ST_MLP_DOWN, ST_FINAL_NORM, ST_LM_HEAD, ST_SOFTMAX, ST_NEXT};
    const size_t n = sizeof order / sizeof *order;
    for (size_t i = 0; i < n; i++) {
        const StationInfo *s = Station_info(order[i]);
        fputc('|', out);
        md_cell(out, s->number);
        md_cell(out, s->name);
        md_cell(out, s->short_name);
        char axes[32];
        snprintf(axes, sizeof axes, "(%s%s)", s->axes, strchr(s->axes, ',') ? "" : ",");
        md_cell(out, axes);
        md_cell(out, view_name(s->view));
        md_cell(out, s->shape_changes && s->kind != ST_TOKENIZE ? "yes" : "");
        fputc('\n', out);
    }
    for (size_t i = 0; i < n; i++) {
        const StationInfo *s = Station_info(order[i]);
        fprintf(out, "\n## %s %s\n\n", s->number, s->name);
        fprintf(out, "%s\n\n", s->explain);
        /* the maths as three kinds of block say it (Station_maths picks by what a block does) */
        static const struct { const char *what; Config c; } kinds[] = {
            {"LayerNorm, learned positions, fused q|k|v, GELU, biases (GPT-2)",
             {.norm = NORM_LAYERNORM, .pos = POS_LEARNED, .mlp = MLP_GELU, .qkv_fused = 1, .qkv_bias = 1, .proj_bias = 1, .shared_classifier = 1}},
            {"RMSNorm, RoPE on pairs, SwiGLU, no biases (Llama, SmolLM)",
             {.norm = NORM_RMSNORM, .pos = POS_ROPE, .rope_pairing = ROPE_PAIRS, .mlp = MLP_SWIGLU, .shared_classifier = 1}},
            {"as Llama with q/k/v biases, RoPE on halves, separate head (Qwen2)",
             {.norm = NORM_RMSNORM, .pos = POS_ROPE, .rope_pairing = ROPE_HALVES, .mlp = MLP_SWIGLU, .qkv_bias = 1}},
        };
        const char *m0 = Station_maths(s->kind, &kinds[0].c);
        int same = 1;
        for (size_t k = 1; k < sizeof kinds / sizeof kinds[0]; k++) same &= strcmp(m0, Station_maths(s->kind, &kinds[k].c)) == 0;
        if (same) fprintf(out, "- maths: `%s`\n", m0);
        else
            for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
                fprintf(out, "- maths, %s: `%s`\n", kinds[k].what, Station_maths(s->kind, &kinds[k].c));
        fprintf(out, "- output axes: (%s%s)\n", s->axes, strchr(s->axes, ',') ? "" : ",");
        if (s->view == VK_MATRIX || s->view == VK_ATTENTION) {
            fputs("- tensors (`w` cycles): ", out);
            md_tensors(out, s->tensors);
            if (s->tensors_swiglu[0].symbol) {
                fputs("; SwiGLU MLP: ", out);
                md_tensors(out, s->tensors_swiglu);
            }
            fputc('\n', out);
        }
        fprintf(out, "- notice: %s\n", s->notice);
    }
}

/* ---- the weights a station multiplies by ---- */

int Station_weights(const Model *m, StationRef s, char *buf, size_t cap) {
    const Config *c = &m->c;
    const Linear *W[3] = {0};
    const char *sym[3] = {0};
    int n = 0;
    const LayerWeights *lw = s.layer >= 0 && s.layer < c->n_layers ? &m->layers[s.layer] : NULL;
#define PUT(lin, name) do { W[n] = (lin); sym[n] = (name); n++; } while (0)
    switch (s.kind) {
    case ST_EMBED: PUT(&m->tok_emb, "E"); break;
    case ST_LM_HEAD: PUT(&m->lm_head, c->shared_classifier ? "W_lm = Eᵀ" : "W_lm"); break;
    case ST_QKV:
        if (!lw) break;
        if (c->qkv_fused) PUT(&lw->attn_qkv, "W_qkv");
        else { PUT(&lw->attn_q, "Wq"); PUT(&lw->attn_k, "Wk"); PUT(&lw->attn_v, "Wv"); }
        break;
    case ST_OUT_PROJ: if (lw) PUT(&lw->attn_out, "Wo"); break;
    case ST_MLP_UP:
        if (!lw) break;
        if (c->mlp == MLP_SWIGLU) PUT(&lw->ffn_gate, "Wg");
        PUT(&lw->ffn_up, "Wu");
        break;
    case ST_MLP_DOWN: if (lw) PUT(&lw->ffn_down, "Wd"); break;
    default: break;
    }
#undef PUT
    buf[0] = 0;
    if (n == 0) return 0;
    size_t used = (size_t)snprintf(buf, cap, "weights:");
    for (int i = 0; i < n && used < cap; i++) {
        /* neighbours of one type share its note: "Wq, Wk · Q4_0 · 4.5 bits/weight" */
        used += (size_t)snprintf(buf + used, cap - used, "%s %s", i && W[i]->type == W[i - 1]->type ? "," : i ? "  " : "", sym[i]);
        if (i + 1 < n && W[i + 1]->type == W[i]->type) continue;
        const char *tn = Quant_name(W[i]->type);
        if (used < cap)
            used += (size_t)snprintf(buf + used, cap - used, " \xc2\xb7 %s \xc2\xb7 %.3g bits/weight", tn ? tn : "?",
                                     Quant_bits_per_weight(W[i]->type));
    }
    return n;
}

int Station_note(const Config *c, StationKind k, char *buf, size_t cap) {
    buf[0] = 0;
    if (k == ST_ROPE && c->pos == POS_ROPE) {
        char dims[64] = "all d";
        if (c->rope_dims != c->head_dim) snprintf(dims, sizeof dims, "the first %d of d=%d", c->rope_dims, c->head_dim);
        snprintf(buf, cap, "base = %.0f; %s numbers of each head turn, in %s; pair i's angle shrinks as i grows",
                 (double)c->rope_base, dims, c->rope_pairing == ROPE_HALVES ? "halves (i, i+d/2)" : "neighbours (2i, 2i+1)");
        return 1;
    }
    if (c->n_kv_heads == c->n_heads || (k != ST_QKV && k != ST_SCORES && k != ST_ATTN && k != ST_WSUM)) return 0;
    const int g = c->n_heads / c->n_kv_heads;
    snprintf(buf, cap, "grouped-query attention: h=%d query heads share KV=%d key/value heads, %d each: head i uses k, v of i/%d",
             c->n_heads, c->n_kv_heads, g, g);
    return 1;
}
