/* stations.h - the walk through a forward pass: the source of docs/stations.md (make docs
 * writes it from this table; tests/test_stations_doc checks it is current).
 *
 * Outer walk:  0 tokenize, 1 embed, 2 positions, 3.l block l (l = 1..L), 4 final norm,
 *              5 LM head, 6 softmax, 7 next token.
 * Inside a block (entered from a 3.l station): a norm 1, b q/k/v, c rotary (RoPE models),
 *              d scores, e causal mask, f attention probs, g weighted sum,
 *              h out projection + residual, i norm 2, j MLP up + activation,
 *              k MLP down + residual.
 * The maths of every station lives in engine/forward.c (one commented function);
 * this table holds what is shown about it.
 */
#ifndef SW_STATIONS_H
#define SW_STATIONS_H

#include <stddef.h>
#include <stdio.h>
#include "model.h"

typedef enum {
    /* outer */
    ST_TOKENIZE, ST_EMBED, ST_POSITIONS, ST_BLOCK, ST_FINAL_NORM, ST_LM_HEAD, ST_SOFTMAX, ST_NEXT,
    /* inner: need a layer */
    ST_NORM1, ST_QKV, ST_ROPE, ST_SCORES, ST_MASK, ST_ATTN, ST_WSUM, ST_OUT_PROJ,
    ST_NORM2, ST_MLP_UP, ST_MLP_DOWN,
    ST__COUNT
} StationKind;

/* What kind of picture fits the station (which view draws it). */
typedef enum {
    VK_TOKENS,     /* token chips with ids */
    VK_MATRIX,     /* (T,D)/(T,F)/(T,d) heatmap for one batch row */
    VK_ATTENTION,  /* (T,T) per head, grid of heads */
    VK_TOPK,       /* logits/probabilities at one position: top-k bars */
    VK_NEXT        /* the chosen next token per row */
} ViewKind;

/* A station in the walk: its kind and, for block and inner stations, its layer (0-based). */
typedef struct {
    StationKind kind;
    int layer;      /* -1 for outer stations other than ST_BLOCK */
} StationRef;

/* One tensor a station can show; `w` in the walk cycles through a station's tensors. */
typedef struct {
    const char *symbol;     /* the values' symbol: "x", "q", "S", "hid" */
    const char *name;       /* what it is, "q: what each token looks for" ("" for a lone x) */
    const char *next;       /* what `w` shows next: "k, v" (NULL: nothing else to show) */
} StationTensor;

#define STATION_MAX_TENSORS 3

typedef struct {
    StationKind kind;
    const char *number;     /* "0", "1", "3.l", "3.l.d" as in docs/stations.md */
    const char *name;       /* "attention scores" */
    const char *maths_gpt2; /* one line, lesson notation: "S = q @ kᵀ / √d"; LayerNorm, learned */
    const char *maths_llama;/*   positions, biases / RMSNorm, RoPE (Station_maths picks) */
    const char *axes;       /* output axes: "B,T,D", "B,h,T,T", "B,T,V", "B" */
    const char *explain;    /* one plain sentence */
    const char *notice;     /* what the student should notice here (one sentence) */
    int shape_changes;      /* 1 when this station changes the shape (1, 5; 3.l.b, 3.l.d, 3.l.j) */
    ViewKind view;
    const char *short_name; /* for the shape strip: "embed", "scores", "A@v" */
    StationTensor tensors[STATION_MAX_TENSORS];       /* symbol NULL ends the list */
    StationTensor tensors_swiglu[STATION_MAX_TENSORS]; /* SwiGLU MLPs; symbol NULL in [0]: as tensors */
} StationInfo;

const StationInfo *Station_info(StationKind k);
/* The station's maths in one line, chosen by what the model does (e.g. q = xn @ Wq + bq
 * when q has a bias). */
const char *Station_maths(StationKind k, const Config *c);
/* The tensors a station shows for this model (at least one); *out points at them. */
int Station_tensors(StationKind k, const Config *c, const StationTensor **out);

/* The station a number names: "5" outer station 5, "3" or "3.2" a block (1-based, "3" is
 * block 1), "3.2.d" step d inside block 2. 0 and *out, or -1 when this model has none. */
int Station_find(const Config *c, const char *number, StationRef *out);
/* The outer station (0..7) a station belongs to: 3 for a block and its inner steps. */
int Station_outer_number(StationKind k);

/* The station list as Markdown (docs/stations.md), from this table. */
void Stations_markdown(FILE *out);

/* The outer walk for a model: fills out[] (cap entries) and returns the count:
 * 0,1,2, L blocks, 4,5,6,7  ->  7 + L stations. */
int Stations_outer(const Config *c, StationRef *out, int cap);
/* The inner steps of block `layer` (the rotary step only for RoPE models). */
int Stations_inner(const Config *c, int layer, StationRef *out, int cap);

/* The output shape with letters and numbers: "(B,h,T,T) = (2,12,6,6)".
 * B and T are this trace's; the rest come from the config. */
void Station_shape(const Config *c, StationRef s, int B, int T, char *buf, size_t cap);
/* Station label for headers: "3.4.d attention scores" (1-based layer in the number). */
void Station_label(StationRef s, char *buf, size_t cap);

/* The weight matrices the station multiplies by and how they are stored, one line:
 * "weights: Wq, Wk · Q4_0 · 4.5 bits/weight  Wv · Q6_K · 6.562 bits/weight" (layer from s).
 * Returns how many matrices (0: the station has none, buf is ""). */
int Station_weights(const Model *m, StationRef s, char *buf, size_t cap);
/* What this model's numbers are at the station, one line: RoPE's base and pairing at the
 * rotary step; for grouped-query attention (KV < h) at the attention stations, which query
 * heads share which key/value head. Returns 0 (buf "") where there is nothing to add. */
int Station_note(const Config *c, StationKind k, char *buf, size_t cap);

#endif
