/* rowcmp.c - what differs between two rows of the batch (see rowcmp.h). */
#include "app/rowcmp.h"

#include <math.h>

double RowCmp_diff(const Mat *a, const Mat *b, int rows, int cols, float *out) {
    double amax = 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            float va = Mat_at(a, r, c), vb = Mat_at(b, r, c);
            float d = (isfinite(va) && isfinite(vb)) ? vb - va : 0.0f;
            out[(long)r * cols + c] = d;
            if (fabs(d) > amax) amax = fabs(d);
        }
    return amax;
}

int RowCmp_most_moved(const Mat *a, const Mat *b, int rows, int cols, int causal, RowCmpCell *out, int n) {
    int have = 0;
    if (n <= 0) return 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            if (causal && c > r) continue;
            float va = Mat_at(a, r, c), vb = Mat_at(b, r, c);
            if (!isfinite(va) || !isfinite(vb)) continue;
            float d = fabsf(vb - va);
            if (!(d > 0)) continue;   /* it did not move */
            /* insertion into the sorted list of the n largest; equal sizes keep the earlier */
            int i = have < n ? have : n;
            if (i == n && !(d > fabsf(out[n - 1].b - out[n - 1].a))) continue;
            if (i == n) i = n - 1;
            while (i > 0 && d > fabsf(out[i - 1].b - out[i - 1].a)) { out[i] = out[i - 1]; i--; }
            out[i] = (RowCmpCell){r, c, va, vb};
            if (have < n) have++;
        }
    return have;
}

void RowCmp_topk_match(const TopK *a, int na, const TopK *b, int nb, int *a_in_b, int *b_in_a) {
    for (int i = 0; i < na; i++) {
        a_in_b[i] = -1;
        for (int j = 0; j < nb; j++)
            if (a[i].id == b[j].id) { a_in_b[i] = j; break; }
    }
    for (int j = 0; j < nb; j++) {
        b_in_a[j] = -1;
        for (int i = 0; i < na; i++)
            if (b[j].id == a[i].id) { b_in_a[j] = i; break; }
    }
}

int RowCmp_first_diff(const int *ids_a, int len_a, const int *ids_b, int len_b, int *n_diff) {
    int n = len_a < len_b ? len_a : len_b, first = -1, nd = 0;
    for (int t = 0; t < n; t++)
        if (ids_a[t] != ids_b[t]) {
            if (first < 0) first = t;
            nd++;
        }
    if (first < 0 && len_a != len_b) first = n;
    if (n_diff) *n_diff = nd;
    return first;
}
