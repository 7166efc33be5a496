/* lesson.c - the classroom mode's own maths (see lesson.h): dot products, cosine
 * similarity and nearest tokens in embedding space, an LM-head column, softmax naive and
 * stable, the cross-entropy table, and reading a typed shape. */
#include "lesson.h"
#include "quant.h"

#include <cblas.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- vectors ---- */

float Lesson_dot(const float *a, const float *b, int n) {
    if (!a || !b || n <= 0) return 0;
    return cblas_sdot(n, a, 1, b, 1);
}

float Lesson_norm(const float *a, int n) {
    if (!a || n <= 0) return 0;
    return cblas_snrm2(n, a, 1);
}

float Lesson_cosine(const float *a, const float *b, int n) {
    float na = Lesson_norm(a, n), nb = Lesson_norm(b, n);
    if (!(na > 0) || !(nb > 0)) return 0;
    float c = Lesson_dot(a, b, n) / (na * nb);
    /* rounding can step just past ±1 for (anti)parallel vectors */
    if (c > 1) c = 1;
    if (c < -1) c = -1;
    return c;
}

const float *Lesson_embedding(const Model *m, int id, float *buf) {
    if (!m || id < 0 || id >= m->c.vocab_size) return NULL;
    if (m->tok_emb.w) return m->tok_emb.w + (size_t)id * m->c.dim;
    if (!buf || !m->tok_emb.q) return NULL;
    Model_embed_row(m, id, buf);
    return buf;
}

/* ---- nearest tokens ---- */

float *Lesson_row_norms(const float *E, int V, int D, char *err) {
    if (!E || V <= 0 || D <= 0) {
        sw_seterr(err, "nearest tokens: empty embedding table (V=%d, D=%d)", V, D);
        return NULL;
    }
    float *n = sw_calloc((size_t)V, sizeof(float), "embedding row norms", err);
    if (!n) return NULL;
    for (int v = 0; v < V; v++) n[v] = cblas_snrm2(D, E + (size_t)v * D, 1);
    return n;
}

/* The k best cosines s[v] / (|E[v]| |q|) into out, best first (ties: the lower id). */
static int rank_nearest(const float *s, const float *norms, float qn, int V, const unsigned char *skip, int k, LessonNear *out) {
    int n = 0;
    for (int v = 0; v < V; v++) {
        if ((skip && skip[v]) || !(norms[v] > 0)) continue;
        float c = s[v] / (norms[v] * qn);
        if (c > 1) c = 1;
        if (c < -1) c = -1;
        if (n == k && c <= out[k - 1].cos) continue;   /* equal: the lower id stays */
        int j = n < k ? n++ : k - 1;
        while (j > 0 && out[j - 1].cos < c) { out[j] = out[j - 1]; j--; }
        out[j].id = v;
        out[j].cos = c;
        out[j].dot = s[v];
    }
    return n;
}

int Lesson_nearest(const float *E, const float *norms, int V, int D, const float *q,
                   const unsigned char *skip, int k, LessonNear *out, char *err) {
    if (!E || !q || V <= 0 || D <= 0) {
        sw_seterr(err, "nearest tokens: empty embedding table (V=%d, D=%d)", V, D);
        return -1;
    }
    if (k <= 0) return 0;
    float qn = cblas_snrm2(D, q, 1);
    if (!(qn > 0)) return 0;                 /* the zero vector has no direction */
    float *own = NULL;
    if (!norms) {
        own = Lesson_row_norms(E, V, D, err);
        if (!own) return -1;
        norms = own;
    }
    float *s = sw_calloc((size_t)V, sizeof(float), "nearest-token scores", err);
    if (!s) { free(own); return -1; }
    /* s (V) = E (V,D) @ q (D): every token's dot product with the query at once */
    cblas_sgemv(CblasRowMajor, CblasNoTrans, V, D, 1.0f, E, D, q, 1, 0.0f, s, 1);
    int n = rank_nearest(s, norms, qn, V, skip, k, out);
    free(s);
    free(own);
    return n;
}

float *Lesson_model_row_norms(const Model *m, char *err) {
    const Linear *E = &m->tok_emb;
    const int V = m->c.vocab_size, D = m->c.dim;
    if (E->w) return Lesson_row_norms(E->w, V, D, err);
    float *n = sw_calloc((size_t)V, sizeof(float), "embedding row norms", err);
    float *row = n ? sw_calloc((size_t)D, sizeof(float), "an embedding row", err) : NULL;
    if (!row) { free(n); return NULL; }
    for (int v = 0; v < V; v++) {
        Model_embed_row(m, v, row);
        n[v] = cblas_snrm2(D, row, 1);
    }
    free(row);
    return n;
}

int Lesson_model_nearest(const Model *m, const float *norms, const float *q, const unsigned char *skip, int k,
                         LessonNear *out, char *err) {
    const Linear *E = &m->tok_emb;
    const int V = m->c.vocab_size, D = m->c.dim;
    if (E->w) return Lesson_nearest(E->w, norms, V, D, q, skip, k, out, err);
    if (!q || !E->q) { sw_seterr(err, "nearest tokens: no embedding table"); return -1; }
    if (k <= 0) return 0;
    float qn = cblas_snrm2(D, q, 1);
    if (!(qn > 0)) return 0;
    float *own = NULL;
    if (!norms && !(norms = own = Lesson_model_row_norms(m, err))) return -1;
    float *s = sw_calloc((size_t)V, sizeof(float), "nearest-token scores", err);
    if (!s) { free(own); return -1; }
    /* s (V) = E q: every row's dot product with the query, straight from the stored rows */
    Quant_dot_rows(E->type, E->q, E->row_bytes, V, q, D, s);
    int n = rank_nearest(s, norms, qn, V, skip, k, out);
    free(s);
    free(own);
    return n;
}

/* ---- LM head column ---- */

int Lesson_lm_column(const Model *m, int v, float *col) {
    if (!m || !col || v < 0 || v >= m->c.vocab_size) return -1;
    const Linear *W = &m->lm_head;
    const int D = m->c.dim;
    if ((!W->w && !W->q) || W->in != D || W->out != m->c.vocab_size) return -1;
    if (!W->w) {
        /* quantized (V,D) rows: row v, dequantized */
        Quant_dequant_row(W->type, (const uint8_t *)W->q + (size_t)v * W->row_bytes, col, D);
    } else if (W->out_major) {
        /* stored (V,D) (a tied head is E itself): column v of W (D,V) is row v of the store */
        memcpy(col, W->w + (size_t)v * D, sizeof(float) * (size_t)D);
    } else {
        /* stored (D,V) row-major: W[d][v] */
        for (int d = 0; d < D; d++) col[d] = W->w[(size_t)d * W->out + v];
    }
    return 0;
}

/* ---- softmax ---- */

float Lesson_softmax_naive(const float *x, int n, float *e, float *p) {
    /* float throughout, on purpose: expf(89) already overflows to inf */
    float sum = 0;
    for (int i = 0; i < n; i++) {
        e[i] = expf(x[i]);
        sum += e[i];
    }
    for (int i = 0; i < n; i++) p[i] = e[i] / sum;   /* inf / inf = NaN */
    return sum;
}

double Lesson_softmax_stable(const float *x, int n, float temp, float *e, float *p, float *max_out) {
    if (n <= 0) return 0;
    float mx = x[0];
    for (int i = 1; i < n; i++) if (x[i] > mx) mx = x[i];
    if (max_out) *max_out = mx;
    double sum = 0;
    if (!(temp > 0)) {
        /* T -> 0: all the weight on the largest logit(s) */
        for (int i = 0; i < n; i++) { e[i] = x[i] == mx ? 1.0f : 0.0f; sum += e[i]; }
    } else {
        for (int i = 0; i < n; i++) { e[i] = expf((x[i] - mx) / temp); sum += e[i]; }
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) p[i] = e[i] * inv;
    return sum;
}

/* ---- cross-entropy ---- */

int Lesson_cross_entropy(Trace *t, int b, LessonCE *out, int cap, double *mean) {
    if (mean) *mean = 0;
    if (!t || b < 0 || b >= t->B) return 0;
    int n = 0;
    double total = 0;
    for (int pos = 0; pos + 1 < t->len[b]; pos++) {
        float q, loss;
        int rank;
        if (Trace_next_token_stats(t, b, pos, &q, &loss, &rank) != 0) break;
        if (out && n < cap) {
            out[n].pos = pos;
            out[n].target = Trace_id(t, b, pos + 1);
            out[n].q = q;
            out[n].loss = loss;
            out[n].rank = rank;
        }
        total += loss;
        n++;
    }
    if (mean && n > 0) *mean = total / n;
    return n;
}

/* ---- shapes ---- */

void Lesson_station_shape(const Config *c, StationRef s, int B, int T, LessonShape *out) {
    memset(out, 0, sizeof *out);
    const char *axes = Station_info(s.kind)->axes;
    for (const char *p = axes; *p && out->n < LESSON_MAX_AXES; p++)
        if (*p != ',') out->letter[out->n++] = *p;
    /* the sizes exactly as the walk shows them: "(B,T,D) = (2,6,64)" */
    char buf[160];
    Station_shape(c, s, B, T, buf, sizeof buf);
    const char *q = strstr(buf, "= (");
    if (!q) return;
    q += 3;
    for (int i = 0; i < out->n && *q; i++) {
        char *end;
        out->size[i] = strtol(q, &end, 10);
        q = end;
        if (*q == ',') q++;
    }
}

void LessonShape_format(const LessonShape *s, int what, char *buf, size_t cap) {
    char l[64] = "", n[128] = "";
    size_t ol = 0, on = 0;
    for (int i = 0; i < s->n; i++) {
        ol += (size_t)snprintf(l + ol, sizeof l - ol, "%s%c", i ? "," : "", s->letter[i]);
        on += (size_t)snprintf(n + on, sizeof n - on, "%s%ld", i ? "," : "", s->size[i]);
        if (ol >= sizeof l || on >= sizeof n) break;
    }
    const char *one = s->n == 1 ? "," : "";
    if (what == 0) snprintf(buf, cap, "(%s%s)", l, one);
    else if (what == 1) snprintf(buf, cap, "(%s%s)", n, one);
    else snprintf(buf, cap, "(%s%s) = (%s%s)", l, one, n, one);
}

/* The lesson's axis letters; the case-blind ones are folded to their spelling. 0 if unknown. */
static char axis_letter(char c) {
    switch (c) {
    case 'B': case 'b': return 'B';
    case 'T': case 't': return 'T';
    case 'V': case 'v': return 'V';
    case 'F': case 'f': return 'F';
    case 'h': case 'H': return 'h';
    case 'D': return 'D';
    case 'd': return 'd';
    default: return 0;
    }
}

static const char *axis_meaning(char c) {
    switch (c) {
    case 'B': return "the batch (prompts)";
    case 'T': return "the tokens";
    case 'D': return "the hidden size";
    case 'V': return "the vocabulary";
    case 'h': return "the heads";
    case 'd': return "the head size D/h";
    case 'F': return "the MLP size";
    default: return "?";
    }
}

/* One typed axis: a letter or a number. */
typedef struct { char letter; long num; } Axis;

LessonVerdict Lesson_check_shape(const LessonShape *want, const char *answer, char *why, size_t cap) {
    static const char how[] = "type the axes as letters or numbers, e.g. (B,T,D) or 2,6,64";
    Axis got[16];
    int n = 0;
    const char *p = answer ? answer : "";
    /* split on commas, spaces, parentheses; "BTD" (letters only, no separators) is three axes */
    while (*p) {
        if (*p == ',' || *p == '(' || *p == ')' || *p == '[' || *p == ']' || isspace((unsigned char)*p)) { p++; continue; }
        if (n == 16) { sw_seterr(why, "too many axes; %s", how); return LESSON_UNREADABLE; }
        if (isdigit((unsigned char)*p)) {
            char *end;
            long v = strtol(p, &end, 10);
            if (isalpha((unsigned char)*end)) {
                sw_seterr(why, "\"%.*s\" mixes digits and letters; %s", (int)(strcspn(p, ", ()") > 20 ? 20 : strcspn(p, ", ()")), p, how);
                return LESSON_UNREADABLE;
            }
            got[n].letter = 0;
            got[n].num = v;
            n++;
            p = end;
            continue;
        }
        char l = axis_letter(*p);
        if (!l) {
            if (isprint((unsigned char)*p)) sw_seterr(why, "'%c' is not one of the lesson's letters B T D V h d F; %s", *p, how);
            else sw_seterr(why, "that is not a letter of the lesson (B T D V h d F); %s", how);
            return LESSON_UNREADABLE;
        }
        got[n].letter = l;
        got[n].num = -1;
        n++;
        p++;
    }
    if (n == 0) { sw_seterr(why, "%s", how); return LESSON_UNREADABLE; }
    char shape[96];
    LessonShape_format(want, 0, shape, sizeof shape);
    if (n != want->n) {
        sw_seterr(why, "this tensor has %d ax%s %s, not %d", want->n, want->n == 1 ? "is" : "es", shape, n);
        return LESSON_WRONG;
    }
    for (int i = 0; i < n; i++) {
        char wl = want->letter[i];
        if (got[i].letter ? got[i].letter == wl : got[i].num == want->size[i]) continue;
        if (got[i].letter == 'd' && wl == 'D')
            sw_seterr(why, "axis %d is D (%ld), the hidden size; small d is the head size D/h", i + 1, want->size[i]);
        else if (got[i].letter == 'D' && wl == 'd')
            sw_seterr(why, "axis %d is d (%ld), the head size D/h; capital D is the whole hidden size", i + 1, want->size[i]);
        else if (got[i].letter)
            sw_seterr(why, "axis %d is %c (%ld), %s - not %c, %s", i + 1, wl, want->size[i], axis_meaning(wl), got[i].letter,
                      axis_meaning(got[i].letter));
        else
            sw_seterr(why, "axis %d is %c = %ld, %s - not %ld", i + 1, wl, want->size[i], axis_meaning(wl), got[i].num);
        return LESSON_WRONG;
    }
    return LESSON_RIGHT;
}
