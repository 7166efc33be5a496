/* explain.h - "how was this made?": one cell of a station, its computation worked through
 * with the real numbers.
 *
 * Explain_cell() recomputes the cell from what the trace keeps (the residual stream, the
 * layer's inner steps) and the model's weights (quantized rows dequantized as the forward
 * pass reads them), and writes the steps as lines of text: the vectors that meet (their first
 * entries), the first terms of a dot product, the sum, the result. `result` is that
 * recomputation, `value` the trace's own cell; they agree within float rounding (the forward
 * pass sums in BLAS order, this in double). No curses: views/explain_view.c draws it.
 */
#ifndef SW_EXPLAIN_H
#define SW_EXPLAIN_H

#include "trace.h"

#define EXPLAIN_LINES 20
#define EXPLAIN_COLS 192

typedef struct {
    char title[EXPLAIN_COLS];                 /* "S[b=0, head 2, i=5, j=3] = q_5 · k_3 / √d" */
    char line[EXPLAIN_LINES][EXPLAIN_COLS];   /* the steps, top to bottom */
    int n;
    double value;      /* the trace's cell (-inf for a masked score) */
    double result;     /* the explanation's own result */
    double scale;      /* the size of what was summed (Σ|terms|, at least |result|): rounding
                        * differences are relative to it */
    int masked;        /* the cell is fixed by the causal mask (-inf or 0), result == value */
} Explain;

/* Explain cell (row, col) of station s, tensor `which` (as Trace_tensor numbers them), batch
 * row b and head `head` (the tensor's own head axis: a KV head for k, v of grouped-query
 * attention; the query head at the attention stations). row is the position t (the query i
 * at the attention stations), col the column (the key j at the attention stations; the token
 * id at the LM head and softmax, where temperature applies (<= 0: 1)). At the tokenize and
 * next-token stations the cell is a token id. Returns 0, or -1 with err. */
int Explain_cell(Trace *t, StationRef s, int which, int b, int head, int row, int col, float temperature, Explain *out,
                 char *err);

#endif
