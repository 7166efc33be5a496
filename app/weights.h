/* weights.h - the weight matrices a station multiplies by, as numbers to look at (the walk's
 * `W`): their names and shapes in the lesson's letters, and any window of their values,
 * dequantized when the model's weights are quantized (only the window's rows are).
 *
 * A matrix is shown the way the maths uses it: x @ W with W (in, out) (Wq (D, h·d), Wd
 * (F, D), W_lm (D, V)); the embedding E is (V, D) (row id = token id) and the position table
 * P[0:T] (T, D); a norm's gain g, its bias, a matrix's bias are one-row (1, n) matrices. */
#ifndef SW_WEIGHTS_H
#define SW_WEIGHTS_H

#include "engine/model.h"
#include "engine/stations.h"

#define WEIGHTS_MAX 12

typedef struct {
    char name[16];       /* "Wq", "E", "P[0:T]", "g1" */
    char shape[80];      /* "Wq (D, h·d) = (64, 64)" */
    char what[96];       /* "the query matrix: q = xn @ Wq" */
    char stored[48];     /* "" for F32, else " · Q4_0, shown dequantized" */
    int rows, cols;      /* as shown */
    int row_tokens;      /* 1: row r is token id r (E); 2: row r is position r (P) */
    int col_tokens;      /* 1: column c is token id c (W_lm) */
    /* where the numbers are (one of them) */
    const Linear *lin;   /* shown as (in, out), or (out, in) when transposed */
    int transposed;
    const float *vec;    /* a (1, cols) vector */
    const float *table;  /* a (rows, cols) row-major table (P) */
} WeightItem;

/* The weights station s multiplies by (T: the positions of the trace, for P[0:T]).
 * Returns how many (0: none at this station). */
int Weights_list(const Model *m, StationRef s, int T, WeightItem *out, int cap);

/* Values [r0, r0+nr) x [c0, c0+nc) of it (clipped to its shape) into out, row-major with row
 * stride nc. Returns 0, or -1 when the window is empty or the type cannot be read. */
int Weights_window(const WeightItem *it, int r0, int nr, int c0, int nc, float *out);

/* Why a station has no weights of its own ("the scores are q @ kᵀ / √d: no weights"). */
const char *Weights_none(const Config *c, StationKind k);

#endif
