/* rowcmp.h - two rows of the batch at one station, side by side: what differs (the compare
 * screen, tui/compare.c). Pure numbers, no curses: the difference of two matrices over the
 * cells both rows really have, the cells that moved most, and which top-k tokens one row
 * has and the other does not.
 */
#ifndef SW_ROWCMP_H
#define SW_ROWCMP_H

#include "engine/trace.h"
#include "views/view.h"

/* out[r*cols + c] = b(r,c) - a(r,c) for r < rows, c < cols (out holds rows*cols floats);
 * cells that are not finite in either are 0. Returns the largest |difference|. */
double RowCmp_diff(const Mat *a, const Mat *b, int rows, int cols, float *out);

/* A cell that moved: where, and its value in each row. */
typedef struct { int r, c; float a, b; } RowCmpCell;

/* The n cells of the rows x cols window with the largest |b - a|, largest first (ties: the
 * earlier cell). causal: only c <= r (attention: a query never sees later keys). Cells whose
 * values are not finite, and cells that did not move (b = a), are skipped. Returns how many were written (at most n). */
int RowCmp_most_moved(const Mat *a, const Mat *b, int rows, int cols, int causal, RowCmpCell *out, int n);

/* For each of a's na tokens, its place in b's list (-1: only in a); the same for b. */
void RowCmp_topk_match(const TopK *a, int na, const TopK *b, int nb, int *a_in_b, int *b_in_a);

/* The first position where two rows' token ids differ (the shorter row's length when one is
 * a prefix of the other; -1 when they are the same), and in *n_diff (may be NULL) how many of
 * the positions both have differ. */
int RowCmp_first_diff(const int *ids_a, int len_a, const int *ids_b, int len_b, int *n_diff);

#endif
