/* lesson.h - the maths the classroom mode (shapewalk --lesson) shows that the forward pass
 * itself does not need: dot products and cosine similarity of embedding rows, the nearest
 * tokens in embedding space, one LM-head logit as a row·column dot product, softmax the
 * naive way (overflowing) beside the max-subtracted way, temperature, the cross-entropy
 * table, and checking a typed shape. Lesson notation: B batch, T tokens, D hidden, V vocab.
 * No ncurses here (the screens are tui/lesson*.c, the pictures views/lesson_views.h).
 */
#ifndef SW_LESSON_H
#define SW_LESSON_H

#include "model.h"
#include "stations.h"
#include "trace.h"

/* ---- vectors ---- */

/* a·b = Σ_i a[i] b[i]  (cblas_sdot) */
float Lesson_dot(const float *a, const float *b, int n);
/* |a| = √(a·a)  (cblas_snrm2) */
float Lesson_norm(const float *a, int n);
/* cos(a,b) = a·b / (|a| |b|), in [-1, 1]; 0 when a or b is the zero vector. */
float Lesson_cosine(const float *a, const float *b, int n);

/* Row `id` of the embedding table E (V,D), or NULL when id is out of range. A pointer into E
 * for F32 weights; for quantized ones the row dequantized into buf (D floats; NULL: no row). */
const float *Lesson_embedding(const Model *m, int id, float *buf);

/* ---- nearest tokens in embedding space ---- */

typedef struct {
    int id;
    float cos;   /* cosine similarity to the query */
    float dot;   /* E[id]·q */
} LessonNear;

/* |E[v]| for every row of E (V,D): a malloc'd array of V floats (caller frees), NULL + err. */
float *Lesson_row_norms(const float *E, int V, int D, char *err);

/* The k rows of E (V,D) most similar to the vector q (D) by cosine, best first:
 * one cblas_sgemv s = E q (V dot products at once), then cos[v] = s[v] / (|E[v]| |q|).
 * norms: from Lesson_row_norms (NULL: computed here). skip (V bytes, may be NULL): rows to
 * leave out (the query token itself, special tokens). Zero rows are left out. Ties: the
 * lower id first. Returns how many were written (0 when q is the zero vector), -1 + err. */
int Lesson_nearest(const float *E, const float *norms, int V, int D, const float *q,
                   const unsigned char *skip, int k, LessonNear *out, char *err);

/* The same for a model's own E in whatever type it is stored (quantized rows are
 * dequantized one at a time; their dot products go through engine/quant.c's kernels). */
float *Lesson_model_row_norms(const Model *m, char *err);
int Lesson_model_nearest(const Model *m, const float *norms, const float *q, const unsigned char *skip, int k,
                         LessonNear *out, char *err);

/* ---- the LM head as a matmul: logits (B,T,V) = x (B,T,D) @ W (D,V) ---- */

/* Column v of W (D,V) into col (D floats): logits[b,t,v] = x[b,t,:] · W[:,v].
 * For a tied head (GPT-2, stories260K) W = Eᵀ, so the column is E's row v. -1 if v is out of range. */
int Lesson_lm_column(const Model *m, int v, float *col);

/* ---- softmax ---- */

/* The naive softmax, in float, as first written: e[i] = expf(x[i]), p[i] = e[i] / Σe.
 * For x = [1000, 999, 998] every expf overflows to inf and inf/inf = NaN: that is the
 * lesson. Returns Σe (a float; inf when it overflowed). */
float Lesson_softmax_naive(const float *x, int n, float *e, float *p);

/* The stable softmax with a temperature: e[i] = expf((x[i] - max) / temp), p = e / Σe
 * (Σ accumulated in double). Every exponent is <= 0, so nothing overflows; the result equals
 * softmax(x / temp). temp <= 0 is the limit T -> 0: p is one-hot on the argmax (ties share).
 * *max_out (may be NULL) gets max x. Returns Σe. */
double Lesson_softmax_stable(const float *x, int n, float temp, float *e, float *p, float *max_out);

/* ---- cross-entropy: H(P,Q) = -Σ P log Q with P one-hot on the real next token c ---- */

typedef struct {
    int pos;      /* the position that predicts */
    int target;   /* c: the token that really came at pos+1 */
    float q;      /* Q[c] */
    float loss;   /* -log Q[c] in nats: 0 for a sure right guess, log V for uniform guessing */
    int rank;     /* 1 = the model's top choice */
} LessonCE;

/* Every position of row b that has a next token (len[b]-1 of them): fills up to cap rows
 * and returns how many exist; *mean (may be NULL) gets the mean loss over all of them. */
int Lesson_cross_entropy(Trace *t, int b, LessonCE *out, int cap, double *mean);

/* ---- shapes ---- */

#define LESSON_MAX_AXES 6

typedef struct {
    char letter[LESSON_MAX_AXES];  /* 'B','T','D','V','h','d','F' */
    long size[LESSON_MAX_AXES];
    int n;
} LessonShape;

/* A station's output shape for a trace of B rows and T positions (as Station_shape shows it). */
void Lesson_station_shape(const Config *c, StationRef s, int B, int T, LessonShape *out);
/* "(B,T,D)" (what = 0), "(2,6,64)" (1) or "(B,T,D) = (2,6,64)" (2); one axis: "(B,)". */
void LessonShape_format(const LessonShape *s, int what, char *buf, size_t cap);

typedef enum { LESSON_UNREADABLE = -1, LESSON_WRONG = 0, LESSON_RIGHT = 1 } LessonVerdict;

/* Check a typed shape. Axes are separated by commas or spaces (parentheses optional; "BTD"
 * without separators is read letter by letter); each axis may be a letter or its number:
 * "(B,T,D)", "B T D", "btd", "2,6,64", "(B,6,D)", "(B,)". b t v f and H are read as B T V F h;
 * D (hidden size) and d (head size) are different. why (may be NULL) gets one line: what is
 * wrong, or how to type a shape when the answer cannot be read. */
LessonVerdict Lesson_check_shape(const LessonShape *want, const char *answer, char *why, size_t cap);

#endif
