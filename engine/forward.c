/* forward.c - the forward pass, one station after another, for every model.
 *
 * Read Forward_rows() top to bottom: it is the walk of docs/stations.md. Each step says its
 * maths in the lesson's letters: B prompts, T tokens, D hidden size, V vocabulary, L layers,
 * h heads of size d, KV key/value heads, F MLP size. What a block does comes from the
 * model's Config (norm, positions, MLP, biases), never from a family's name.
 *
 * The positions to compute are PACKED: N rows, row n being token position pos[n] of prompt
 * row[n]. A whole prompt pass packs all B*T real positions (padding is never computed); a
 * generation step packs one new position per prompt. Every matmul of 16 rows or more is
 * cblas_sgemm over all N rows (its output columns shared out over the pool's threads); below,
 * the fused dot kernels read W once for all rows (see linear()). Attention runs per (prompt,
 * head), the heads side by side on the pool's threads,
 * as two sgemms against that prompt's keys and values, which live in the KV cache, so a
 * generation step only computes its new rows.
 */
#include "forward.h"
#include "pool.h"
#include "quant.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Queries per block of causal attention when the (T,T) maps are not recorded. */
enum { QBLOCK = 128 };
/* Up to this many rows from several prompts share one LM-head matmul (a (LM_GATHER,V) scratch). */
enum { LM_GATHER = 64 };

/* Scratch for N packed rows attending over at most Tk keys. */
typedef struct {
    float *mem;
    float *x, *xn, *y, *tmp, *qkv, *h1, *h3;
    float *att;        /* scores scratch, one (min(N,QBLOCK),Tk) block per pool slot */
    size_t att_each;
    int slots;
} Work;

/* ---------------------------------------------------------------- small maths */

/* Few rows: y (N,out) = x (N,in) @ W (+ bias) for N < FEW_ROWS (generation: one new token per
 * prompt; short prompts). OpenBLAS's sgemm packs all of W on every call, which at so few rows
 * costs more than the maths, and N separate sgemv calls would read W N times. So W goes in
 * blocks of output units (jobs on the pool's threads, engine/pool.c); the fused dot kernels
 * (engine/quant.c, several weight rows a pass over x) meet every row of x with a few weight
 * rows while those are in L1, and W is read from memory once. The same route takes quantized
 * rows (W->type a ggml type): they are never turned into a float matrix as a whole. Several
 * matrices that read the same x (q, k, v; gate and up) go in ONE run of the pool. */
enum { FEW_ROWS = 16, FEW_BLOCK_FLOATS = 64 << 10 };   /* sgemm wins from 16 rows on; a block is 256 KB of F32 */
enum { QROWS = 4 };        /* quantized: more rows than this dequantize a block for one sgemm */
enum { ROWS_MAX_MATS = 3, ROWS_CHUNK = 256 };
typedef struct { const Linear *W; float *y; const float *bias; int units, first_job; } RowsMat;
typedef struct { const float *x; int N, nm, jobs; RowsMat m[ROWS_MAX_MATS]; } RowsRun;

/* The rows route: quantized (or odd-address) rows up to QROWS rows of x; F32 (out,in) rows
 * below FEW_ROWS when the CPU has the SIMD kernels (else OpenBLAS's sgemv is faster). */
static int rows_route(const Linear *W, int N) {
    if (!W->w) return N <= QROWS;
    return W->out_major && N < FEW_ROWS && Quant_simd_active() >= 1;
}

static void rows_job(void *ctx, int job, int slot) {
    const RowsRun *r = ctx;
    int i = 0;
    while (i + 1 < r->nm && job >= r->m[i + 1].first_job) i++;
    const RowsMat *mm = &r->m[i];
    const Linear *W = mm->W;
    const int type = W->w ? QT_F32 : W->type;
    const size_t rb = W->w ? sizeof(float) * (size_t)W->in : W->row_bytes;
    const uint8_t *base = W->w ? (const uint8_t *)W->w : (const uint8_t *)W->q;
    const int u0 = (job - mm->first_job) * mm->units, nu = W->out - u0 < mm->units ? W->out - u0 : mm->units;
    float tmp[FEW_ROWS * ROWS_CHUNK];
    for (int c = 0; c < nu; c += ROWS_CHUNK) {
        const int k = nu - c < ROWS_CHUNK ? nu - c : ROWS_CHUNK;
        Quant_dot_rows_n(type, base + (size_t)(u0 + c) * rb, rb, k, r->x, (size_t)W->in, r->N, W->in, tmp, ROWS_CHUNK);
        for (int n = 0; n < r->N; n++) {
            float *yn = mm->y + (size_t)n * W->out + u0 + c;
            const float *tn = tmp + (size_t)n * ROWS_CHUNK;
            if (mm->bias) for (int u = 0; u < k; u++) yn[u] = tn[u] + mm->bias[u0 + c + u];
            else memcpy(yn, tn, sizeof(float) * (size_t)k);
        }
    }
}

static void rows_add(RowsRun *r, float *y, const Linear *W, const float *bias) {
    int units = FEW_BLOCK_FLOATS / W->in / 4 * 4;   /* whole groups of the kernels' 4 rows */
    if (units < 8) units = 8;
    RowsMat *mm = &r->m[r->nm++];
    mm->W = W; mm->y = y; mm->bias = bias; mm->units = units; mm->first_job = r->jobs;
    r->jobs += (W->out + units - 1) / units;
}

/* More rows than QROWS of quantized weights (a prompt): each job dequantizes a block of output
 * units into the job's scratch (nu,in) floats, which meets all N rows of x in one sgemm,
 * y[:, u0:u0+nu] = x @ blockᵀ: the dequantization is paid once per weight, the maths runs at
 * sgemm speed. The numbers are float x times the weights as ggml dequantizes them. */
typedef struct { float *y; const float *x; int N, units; const Linear *W; float *scratch; size_t each; int add; } QuantRows;

static void quant_rows_block(void *ctx, int job, int slot) {
    const QuantRows *f = ctx;
    const Linear *W = f->W;
    const int u0 = job * f->units, nu = W->out - u0 < f->units ? W->out - u0 : f->units;
    const uint8_t *rows = (const uint8_t *)W->q + (size_t)u0 * W->row_bytes;
    float *blk = f->scratch + (size_t)slot * f->each;
    for (int u = 0; u < nu; u++) Quant_dequant_row(W->type, rows + (size_t)u * W->row_bytes, blk + (size_t)u * W->in, W->in);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f->N, nu, W->in, 1.0f, f->x, W->in, blk, W->in,
                f->add ? 1.0f : 0.0f, f->y + u0, W->out);
}

static void linear_quant(float *y, const float *x, int N, const Linear *W, const float *bias) {
    int units = FEW_BLOCK_FLOATS / W->in;
    if (units < 8) units = 8;
    const int jobs = (W->out + units - 1) / units, slots = Pool_threads();
    QuantRows f = { y, x, N, units, W, NULL, (size_t)units * W->in, bias != NULL };
    f.scratch = malloc(sizeof(float) * f.each * (size_t)slots);
    if (!f.scratch) {   /* no room for blocks: the dot kernels need none, a row at a time */
        for (int n = 0; n < N; n++) {
            RowsRun r = { x + (size_t)n * W->in, 1, 0, 0, {{0}} };
            rows_add(&r, y + (size_t)n * W->out, W, bias);
            Pool_run(r.jobs, 0, rows_job, &r);
        }
        return;
    }
    if (bias)
        for (int n = 0; n < N; n++) memcpy(y + (size_t)n * W->out, bias, sizeof(float) * (size_t)W->out);
    Pool_run(jobs, slots, quant_rows_block, &f);
    free(f.scratch);
}

typedef struct { float *y; const float *x; int N, units; const Linear *W; float beta; } FewRows;
static void few_rows_block(void *ctx, int job, int slot) {
    const FewRows *f = ctx;
    const Linear *W = f->W;
    const int u0 = job * f->units, nu = W->out - u0 < f->units ? W->out - u0 : f->units;
    for (int n = 0; n < f->N; n++) {
        const float *xn = f->x + (size_t)n * W->in;
        float *yn = f->y + (size_t)n * W->out + u0;
        if (W->out_major)   /* W (out,in): rows u0.. of W */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, nu, W->in, 1.0f, W->w + (size_t)u0 * W->in, W->in, xn, 1, f->beta, yn, 1);
        else                /* W (in,out): columns u0.. of W */
            cblas_sgemv(CblasRowMajor, CblasTrans, W->in, nu, 1.0f, W->w + u0, W->out, xn, 1, f->beta, yn, 1);
    }
}

/* A big sgemm while this thread holds the pool (OpenBLAS single-threaded meanwhile): the
 * output columns go in blocks over the pool's threads, each block one sgemm of all N rows. */
typedef struct { float *y; const float *x; int N, units; const Linear *W; float beta; } ColsRun;
static void cols_job(void *ctx, int job, int slot) {
    const ColsRun *f = ctx;
    const Linear *W = f->W;
    const int u0 = job * f->units, nu = W->out - u0 < f->units ? W->out - u0 : f->units;
    if (W->out_major)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f->N, nu, W->in, 1.0f, f->x, W->in,
                    W->w + (size_t)u0 * W->in, W->in, f->beta, f->y + u0, W->out);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f->N, nu, W->in, 1.0f, f->x, W->in,
                    W->w + u0, W->out, f->beta, f->y + u0, W->out);
}
/* Blocks per thread: each block packs all of x again, but on a shared machine a thread can be
 * delayed, and smaller blocks let the other take over. Measured on AMD EPYC Zen 3 (2 vCPUs,
 * OpenBLAS Zen kernels, load 7-11), B=1 T=256, min of 5 passes in 3 alternating rounds: 1 block
 * per thread 720-725 ms, 2: 730-808 ms, 4: 684-702 ms. */
enum { COLS_PER_THREAD = 4, COLS_MIN = 128, COLS_MAX = 2048 };

/* y (N,out) = x (N,in) @ W (+ bias) */
static void linear_run(float *y, const float *x, int N, const Linear *W, const float *bias) {
    if (rows_route(W, N)) {
        RowsRun r = { x, N, 0, 0, {{0}} };
        rows_add(&r, y, W, bias);
        Pool_run(r.jobs, 0, rows_job, &r);
        return;
    }
    if (!W->w) {   /* quantized (or unaligned) rows, a prompt: see linear_quant() */
        linear_quant(y, x, N, W, bias);
        return;
    }
    float beta = 0.0f;
    if (bias) {
        for (int n = 0; n < N; n++) memcpy(y + (size_t)n * W->out, bias, sizeof(float) * (size_t)W->out);
        beta = 1.0f;
    }
    if (N < FEW_ROWS) {
        /* W (in,out), or no SIMD kernels: blocks of output units on the pool's threads (OpenBLAS
         * is single-threaded in a pass), each block meeting every row of x (one sgemv each)
         * while it is in L2, so W is read once. One row: a few wide blocks instead, so that
         * each of W's rows is read in long runs */
        int units = FEW_BLOCK_FLOATS / W->in;
        if (N == 1) {
            const int th = Pool_threads();
            units = ((W->out + 2 * th - 1) / (2 * th) + 63) / 64 * 64;
        }
        if (units < 8) units = 8;
        FewRows f = { y, x, N, units, W, beta };
        Pool_run((W->out + units - 1) / units, 0, few_rows_block, &f);
        return;
    }
    if (Pool_mine()) {
        const int th = Pool_threads();
        int units = (W->out + COLS_PER_THREAD * th - 1) / (COLS_PER_THREAD * th);
        units = (units + 31) / 32 * 32;
        units = units < COLS_MIN ? COLS_MIN : units > COLS_MAX ? COLS_MAX : units;
        ColsRun f = { y, x, N, units, W, beta };
        Pool_run((W->out + units - 1) / units, 0, cols_job, &f);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, W->out_major ? CblasTrans : CblasNoTrans,
                N, W->out, W->in, 1.0f, x, W->in, W->w, W->out_major ? W->in : W->out,
                beta, y, W->out);
}

/* Time in the matmuls of this thread's pass (Trace.matmul_ms): the bench's account of where a
 * pass's time goes. A clock read per matmul, 49 a GPT-2 pass. */
static _Thread_local double tl_matmul_ms;
static double clock_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void linear(float *y, const float *x, int N, const Linear *W, const float *bias) {
    const double t0 = clock_ms();
    linear_run(y, x, N, W, bias);
    tl_matmul_ms += clock_ms() - t0;
}

/* Up to ROWS_MAX_MATS matrices reading the same x: those on the rows route in one pool run. */
static void linear_same_x(int nm, float *const *y, const float *x, int N, const Linear *const *W, const float *const *bias) {
    const double t0 = clock_ms();
    RowsRun r = { x, N, 0, 0, {{0}} };
    for (int i = 0; i < nm; i++) {
        if (rows_route(W[i], N)) rows_add(&r, y[i], W[i], bias[i]);
        else linear_run(y[i], x, N, W[i], bias[i]);
    }
    if (r.nm) Pool_run(r.jobs, 0, rows_job, &r);
    tl_matmul_ms += clock_ms() - t0;
}

/* LayerNorm over one row of D: (x - mean) / sqrt(var + eps) * w + b */
static void layernorm(float *out, const float *x, const float *w, const float *b, int D, float eps) {
    double mean = 0, var = 0;
    for (int i = 0; i < D; i++) mean += x[i];
    mean /= D;
    for (int i = 0; i < D; i++) { double t = x[i] - mean; var += t * t; }
    var /= D;
    float rstd = (float)(1.0 / sqrt(var + eps));
    for (int i = 0; i < D; i++) out[i] = (float)(x[i] - mean) * rstd * w[i] + b[i];
}

/* RMSNorm over one row of D: x / sqrt(mean(x^2) + eps) * w */
static void rmsnorm(float *out, const float *x, const float *w, int D, float eps) {
    double ss = 0;
    for (int i = 0; i < D; i++) ss += (double)x[i] * x[i];
    float r = (float)(1.0 / sqrt(ss / D + eps));
    for (int i = 0; i < D; i++) out[i] = x[i] * r * w[i];
}

void Forward_norm_row(const Model *m, const float *w, const float *b, const float *x, float *out) {
    if (m->c.norm == NORM_LAYERNORM) layernorm(out, x, w, b, m->c.dim, m->c.norm_eps);
    else rmsnorm(out, x, w, m->c.dim, m->c.norm_eps);
}

/* exp(x) without branches or comparisons, so that loops calling it vectorize (GCC -O3 with
 * the default -ftrapping-math); relative error ~1e-7 on [-87, 88] like expf; beyond, it
 * saturates to ~1e-38 and ~2.4e38 instead of 0 and inf.
 *   exp(x) = 2^n e^r,  n = round(x / ln2),  r = x - n ln2 in [-ln2/2, ln2/2]
 * Clamps use max(a,b) = (a + b + |a - b|) / 2: exact for the small integers n, and off by
 * ~1e-8 for r only where x is far outside the range. e^r is Cephes' expf polynomial. */
static inline float exp_vec(float x) {
    float t = x * 1.44269504088896341f;
    t = 0.5f * (t - 130.0f + fabsf(t + 130.0f));             /* t in [-130, 130] */
    t = 0.5f * (t + 130.0f - fabsf(t - 130.0f));
    float n = (t + 12582912.0f) - 12582912.0f;               /* round(t): add and remove 1.5*2^23 */
    n = 0.5f * (n - 126.0f + fabsf(n + 126.0f));             /* n in [-126, 127]: 2^n is a normal float */
    n = 0.5f * (n + 127.0f - fabsf(n - 127.0f));
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;     /* x - n ln2, ln2 split in two */
    r = 0.5f * (r - 0.35f + fabsf(r + 0.35f));               /* r in [-0.35, 0.35] */
    r = 0.5f * (r + 0.35f - fabsf(r - 0.35f));
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* 2^n built from bits: n + 1.5*2^23 holds n in its low mantissa bits. Unsigned arithmetic
     * and no float-to-int conversion, so a NaN input (broken weights) gives NaN without UB,
     * and the loop still vectorizes. */
    union { float f; uint32_t u; } k = { .f = n + 12582912.0f }, two_n;
    two_n.u = (k.u - 0x4B400000u + 127u) << 23;
    return p * two_n.f;
}

/* GELU, tanh approximation (GPT-2's gelu_new):
 *   gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
 * with 1 + tanh(u) = 2 - 2 / (exp(2u) + 1): one exp. For large u, exp(2u) saturates near
 * 2.4e38 and gelu(x) = x to float precision; for very negative u it is 0. */
static float gelu(float x) {
    const float s = 0.7978845608028654f; /* sqrt(2/pi) */
    float u = s * (x + 0.044715f * x * x * x);
    return x - x / (exp_vec(2.0f * u) + 1.0f);
}

/* out[j] = exp(x[j] - max) / sum over j < n, max = max_j x[j] (in place when out == x).
 * Eight partial maxima and sums, so the loops vectorize. */
static void softmax_row(const float *x, float *out, int n) {
    float m8[8], s8[8] = { 0 };
    for (int k = 0; k < 8; k++) m8[k] = x[0];
    int j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) m8[k] = 0.5f * (m8[k] + x[j + k] + fabsf(m8[k] - x[j + k]));
    float mx = m8[0];
    for (int k = 1; k < 8; k++) if (m8[k] > mx) mx = m8[k];
    for (; j < n; j++) if (x[j] > mx) mx = x[j];
    for (j = 0; j < n; j++) out[j] = exp_vec(x[j] - mx);
    for (j = 0; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) s8[k] += out[j + k];
    float sum = 0;
    for (; j < n; j++) sum += out[j];
    for (int k = 0; k < 8; k++) sum += s8[k];
    float inv = 1.0f / sum;
    for (j = 0; j < n; j++) out[j] *= inv;
}

static float silu(float x) { return x / (1.0f + expf(-x)); }

/* Rotary positions: in each head of size d, the first r = rope_dims numbers form r/2 pairs,
 * and pair j turns by the angle pos * base^(-2j/r). The pairs are neighbours (v[2j], v[2j+1])
 * (llama2.c, GGUF `llama`) or halves (v[j], v[j + r/2]) (NEOX order, GGUF `qwen2`). */
static void rope(const Config *c, float *v, int nheads, int pos) {
    const int d = c->head_dim, r = c->rope_dims, half = c->rope_pairing == ROPE_HALVES;
    for (int j = 0; j < r / 2; j++) {
        float freq = 1.0f / powf(c->rope_base, (float)(2 * j) / (float)r);
        float a = pos * freq, cs = cosf(a), sn = sinf(a);
        const int i0 = half ? j : 2 * j, i1 = half ? j + r / 2 : 2 * j + 1;
        for (int hh = 0; hh < nheads; hh++) {
            float *p = v + (size_t)hh * d;
            float x0 = p[i0], x1 = p[i1];
            p[i0] = x0 * cs - x1 * sn;
            p[i1] = x0 * sn + x1 * cs;
        }
    }
}

/* ---------------------------------------------------------------- one block */

/* Copy packed row n (width w) to its place in a (B,Tcap,w) trace array. */
static void scatter(const Trace *t, float *dst, const float *src, const int *row, const int *pos, int N, int w) {
    for (int n = 0; n < N; n++)
        memcpy(dst + ((size_t)row[n] * t->Tcap + pos[n]) * w, src + (size_t)n * w, sizeof(float) * (size_t)w);
}

/* Contiguous runs of packed rows that belong to one prompt: [start, end). Rows of one
 * prompt are always packed in increasing position order. */
static int next_segment(const int *row, int N, int start) {
    int e = start + 1;
    while (e < N && row[e] == row[start]) e++;
    return e;
}

/* The row-wise steps (the norms, the MLP activation) are shared out over the pool's threads
 * when a pass has enough rows to pay for the hand-off; each job does whole rows. */
enum { ROWS_PER_JOB = 32 };
static int rows_end(int job, int N) { return (job + 1) * ROWS_PER_JOB < N ? (job + 1) * ROWS_PER_JOB : N; }

typedef struct { const Model *m; const float *w, *b, *x; float *out; int N; } NormRows;
static void norm_rows_job(void *ctx, int job, int slot) {
    const NormRows *r = ctx;
    const int D = r->m->c.dim;
    for (int n = job * ROWS_PER_JOB; n < rows_end(job, r->N); n++)
        Forward_norm_row(r->m, r->w, r->b, r->x + (size_t)n * D, r->out + (size_t)n * D);
}
/* out (N,D) = norm of every row of x */
static void norm_rows(const Model *m, const float *w, const float *b, const float *x, float *out, int N) {
    NormRows r = { m, w, b, x, out, N };
    Pool_run((N + ROWS_PER_JOB - 1) / ROWS_PER_JOB, 0, norm_rows_job, &r);
}

typedef struct { float *h1; const float *h3; int N, F; } ActRows;
static void act_rows_job(void *ctx, int job, int slot) {
    const ActRows *r = ctx;
    const size_t i0 = (size_t)job * ROWS_PER_JOB * r->F, i1 = (size_t)rows_end(job, r->N) * r->F;
    if (!r->h3) for (size_t i = i0; i < i1; i++) r->h1[i] = gelu(r->h1[i]);
    else for (size_t i = i0; i < i1; i++) r->h1[i] = silu(r->h1[i]) * r->h3[i];
}

/* One layer's attention: what every (prompt, head) job shares. Segment i is the packed rows
 * [seg[i], seg[i+1]) of one prompt, at increasing positions. */
typedef struct {
    Trace *t;
    Work *w;
    LayerRec *rec;
    const float *q;
    int ldq;
    const int *row, *pos;
    int seg[SW_MAX_B + 1], nseg;
    float *kc, *vc;   /* this layer's KV cache, (B,KV,Tcap,d) */
} Attn;

/* Attention of head hh for the segment's rows [s, e) of prompt b at positions p0.., against
 * keys 0..(last position). When nothing is recorded, queries go in blocks of QBLOCK rows and
 * each block meets only the keys it may see (0..its last position), so the masked upper
 * triangle is not computed and each S block stays in cache. */
static void attend(void *ctx, int job, int slot) {
    const Attn *a = ctx;
    const Trace *t = a->t;
    const Config *c = &t->m->c;
    const int D = c->dim, d = c->head_dim, H = c->n_heads, KV = c->n_kv_heads;
    const int sg = job / H, hh = job % H;
    const int s = a->seg[sg], e = a->seg[sg + 1], b = a->row[s], Tq = e - s, p0 = a->pos[s];
    const int kvh = hh / (H / KV);   /* grouped-query attention: heads share k, v */
    const float *K = a->kc + ((size_t)b * KV + kvh) * t->Tcap * d;   /* (Tk,d) */
    const float *Vh = a->vc + ((size_t)b * KV + kvh) * t->Tcap * d;  /* (Tk,d) */
    const float scale = 1.0f / sqrtf((float)d);
    LayerRec *rec = a->rec;
    const int qblock = rec ? Tq : QBLOCK;   /* recording keeps the whole (T,T) map */
    for (int i0 = 0; i0 < Tq; i0 += qblock) {
        const int bq = Tq - i0 < qblock ? Tq - i0 : qblock;
        const int Tk = rec ? a->pos[e - 1] + 1 : p0 + i0 + bq;   /* keys this block sees */
        const float *qi = a->q + (size_t)(s + i0) * a->ldq + hh * d;
        float *yi = a->w->y + (size_t)(s + i0) * D + hh * d;
        float *S;
        int ldS;
        if (rec) { S = rec->scores + (((size_t)b * H + hh) * t->Tcap + p0) * t->Tcap; ldS = t->Tcap; }
        else { S = a->w->att + (size_t)slot * a->w->att_each; ldS = Tk; }

        /* 3.l.d  scores:  S = q @ kᵀ / √d      (Tq,d)@(d,Tk) -> (Tq,Tk)
         *        (one query when generating: S = K q, a matrix-vector product) */
        if (bq == 1)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Tk, d, scale, K, d, qi, 1, 0.0f, S, 1);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bq, Tk, d, scale,
                        qi, a->ldq, K, d, 0.0f, S, ldS);

        /* 3.l.e  causal mask: S[i,j] = -inf for j > i, so the row's softmax covers 0..i.
         * 3.l.f  A = softmax(S) with the row's max subtracted; masked entries are 0. */
        float *A = rec ? rec->probs + (((size_t)b * H + hh) * t->Tcap + p0) * t->Tcap : S;
        for (int i = 0; i < bq; i++) {
            const int allowed = p0 + i0 + i + 1;
            const float *si = S + (size_t)i * ldS;
            float *ai = A + (size_t)i * ldS;
            softmax_row(si, ai, allowed);
            for (int j = allowed; j < Tk; j++) ai[j] = 0.0f;
        }

        /* 3.l.g  weighted sum:  y = A @ v      (Tq,Tk)@(Tk,d) -> (Tq,d), into head hh's columns */
        if (bq == 1)
            cblas_sgemv(CblasRowMajor, CblasTrans, Tk, d, 1.0f, Vh, d, A, 1, 0.0f, yi, 1);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bq, d, Tk, 1.0f,
                        A, ldS, Vh, d, 0.0f, yi, D);
    }
}

/* x (N,D) in place: x = x + attn(norm1(x)); x = x + mlp(norm2(x)).
 * rec, when non-NULL, receives every inner step's numbers. */
static void block(Trace *t, Work *w, int l, float *x, const int *row, const int *pos, int N, LayerRec *rec) {
    const Model *m = t->m;
    const Config *c = &m->c;
    const LayerWeights *lw = &m->layers[l];
    const int D = c->dim, d = c->head_dim, H = c->n_heads, KV = c->n_kv_heads, F = c->hidden_dim;
    const int kvd = KV * d;
    const int swiglu = c->mlp == MLP_SWIGLU;

    /* 3.l.a  norm 1:  xn = LayerNorm(x) (with a bias)  or  RMSNorm(x)       (N,D) */
    norm_rows(m, lw->attn_norm, lw->attn_norm_b, x, w->xn, N);
    if (rec) scatter(t, rec->norm1, w->xn, row, pos, N, D);

    /* 3.l.b  q, k, v.  Fused: qkv = xn @ W_qkv + b  (N,D)@(D,3D), then split.
     *                  Else: q = xn @ Wq (+ bq) (N,D); k = xn @ Wk, v = xn @ Wv (N,KV*d). */
    float *q, *k, *v;
    int ldq, ldk;
    if (c->qkv_fused) {
        linear(w->qkv, w->xn, N, &lw->attn_qkv, lw->attn_qkv_b);
        q = w->qkv; k = w->qkv + D; v = w->qkv + 2 * D; ldq = ldk = 3 * D;
    } else {
        q = w->qkv; k = w->qkv + (size_t)N * D; v = k + (size_t)N * kvd; ldq = D; ldk = kvd;
        float *const ys[3] = { q, k, v };
        const Linear *const Ws[3] = { &lw->attn_q, &lw->attn_k, &lw->attn_v };
        const float *const bs[3] = { lw->attn_q_b, lw->attn_k_b, lw->attn_v_b };
        linear_same_x(3, ys, w->xn, N, Ws, bs);
    }
    if (rec) {
        for (int n = 0; n < N; n++) {
            size_t at = (size_t)row[n] * t->Tcap + pos[n];
            memcpy(rec->q + at * D, q + (size_t)n * ldq, sizeof(float) * D);
            memcpy(rec->k + at * kvd, k + (size_t)n * ldk, sizeof(float) * kvd);
            memcpy(rec->v + at * kvd, v + (size_t)n * ldk, sizeof(float) * kvd);
        }
    }

    /* 3.l.c  rotary positions (RoPE models): rotate pairs of q and k by their position. */
    if (c->pos == POS_ROPE) {
        for (int n = 0; n < N; n++) {
            rope(c, q + (size_t)n * ldq, H, pos[n]);
            rope(c, k + (size_t)n * ldk, KV, pos[n]);
        }
        if (rec) {
            scatter(t, rec->q_rot, q, row, pos, N, D);
            scatter(t, rec->k_rot, k, row, pos, N, kvd);
        }
    }

    /* The KV cache keeps k and v of every position seen, so later rows can attend to them.
     * It holds each (prompt, head)'s keys contiguously, (B,KV,Tcap,d) per layer. */
    Attn at = { t, w, rec, q, ldq, row, pos, {0}, 0,
                t->key_cache + (size_t)l * t->B * KV * t->Tcap * d,
                t->value_cache + (size_t)l * t->B * KV * t->Tcap * d };
    for (int n = 0; n < N; n++)
        for (int g = 0; g < KV; g++) {
            size_t o = (((size_t)row[n] * KV + g) * t->Tcap + pos[n]) * d;
            memcpy(at.kc + o, k + (size_t)n * ldk + g * d, sizeof(float) * d);
            memcpy(at.vc + o, v + (size_t)n * ldk + g * d, sizeof(float) * d);
        }

    /* 3.l.d-g  attention, one job per (prompt, head), spread over the cores: see attend(). */
    for (int s = 0; s < N; s = next_segment(row, N, s)) at.seg[at.nseg++] = s;
    at.seg[at.nseg] = N;
    Pool_run(at.nseg * H, w->slots, attend, &at);
    if (rec) scatter(t, rec->wsum, w->y, row, pos, N, D);

    /* 3.l.h  output projection and residual:  x = x + (y @ W_o + b_o)     (N,D)@(D,D) */
    linear(w->tmp, w->y, N, &lw->attn_out, lw->attn_out_b);
    for (size_t i = 0; i < (size_t)N * D; i++) x[i] += w->tmp[i];
    if (rec) {
        scatter(t, rec->attn_proj, w->tmp, row, pos, N, D);
        scatter(t, rec->resid_mid, x, row, pos, N, D);
    }

    /* 3.l.i  norm 2 */
    norm_rows(m, lw->ffn_norm, lw->ffn_norm_b, x, w->xn, N);
    if (rec) scatter(t, rec->norm2, w->xn, row, pos, N, D);

    /* 3.l.j  MLP up + activation          (N,D)@(D,F) -> (N,F)
     *        GELU: hid = gelu(xn @ Wu + bu);  SwiGLU: hid = silu(xn @ Wg) * (xn @ Wu) */
    if (!swiglu) {
        linear(w->h1, w->xn, N, &lw->ffn_up, lw->ffn_up_b);
        if (rec) scatter(t, rec->mlp_pre, w->h1, row, pos, N, F);
    } else {
        float *const ys[2] = { w->h1, w->h3 };
        const Linear *const Ws[2] = { &lw->ffn_gate, &lw->ffn_up };
        const float *const bs[2] = { NULL, lw->ffn_up_b };
        linear_same_x(2, ys, w->xn, N, Ws, bs);
        if (rec) {
            scatter(t, rec->mlp_pre, w->h1, row, pos, N, F);
            scatter(t, rec->mlp_gate, w->h3, row, pos, N, F);
        }
    }
    ActRows act = { w->h1, swiglu ? w->h3 : NULL, N, F };   /* hid = gelu(h1) or silu(h1) * h3 */
    Pool_run((N + ROWS_PER_JOB - 1) / ROWS_PER_JOB, 0, act_rows_job, &act);
    if (rec) scatter(t, rec->mlp_act, w->h1, row, pos, N, F);

    /* 3.l.k  MLP down and residual:  x = x + (hid @ W2 + b2)      (N,F)@(F,D) -> (N,D) */
    linear(w->tmp, w->h1, N, &lw->ffn_down, lw->ffn_down_b);
    for (size_t i = 0; i < (size_t)N * D; i++) x[i] += w->tmp[i];
    if (rec) scatter(t, rec->mlp_out, w->tmp, row, pos, N, D);
}

/* ---------------------------------------------------------------- the walk */

static int Work_init(Work *w, const Config *c, int N, int Tk, char *err) {
    memset(w, 0, sizeof *w);
    const size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim, kvd = (size_t)c->n_kv_heads * c->head_dim;
    size_t qkv = (size_t)N * (D + 2 * (c->qkv_fused ? D : kvd));
    size_t qb = N < QBLOCK ? (size_t)N : QBLOCK;   /* one block of scores: (qb,Tk) */
    w->slots = Pool_threads();
    size_t total = (size_t)N * D * 4 + qkv + (size_t)N * F * 2 + qb * Tk * (size_t)w->slots;
    w->mem = sw_calloc(total, sizeof(float), "forward pass buffers", err);
    if (!w->mem) return -1;
    float *p = w->mem;
    w->x = p;   p += (size_t)N * D;
    w->xn = p;  p += (size_t)N * D;
    w->y = p;   p += (size_t)N * D;
    w->tmp = p; p += (size_t)N * D;
    w->qkv = p; p += qkv;
    w->h1 = p;  p += (size_t)N * F;
    w->h3 = p;  p += (size_t)N * F;
    w->att = p;
    w->att_each = qb * (size_t)Tk;
    return 0;
}

static void Work_free(Work *w) {
    free(w->mem);
    memset(w, 0, sizeof *w);
}

static int forward_rows(Trace *t, const int *row, const int *pos, int N, int record, char *err) {
    const Model *m = t->m;
    const Config *c = &m->c;
    const int D = c->dim, L = c->n_layers;
    int maxpos = 0;
    for (int n = 0; n < N; n++) if (pos[n] > maxpos) maxpos = pos[n];
    Work w;
    if (Work_init(&w, c, N, maxpos + 1, err) != 0) return -1;
    float *x = w.x;
    tl_matmul_ms = 0;

    /* 1  embedding lookup:  x = E[ids]      (N,) -> (N,D), E is (V,D) */
    for (int n = 0; n < N; n++)
        Model_embed_row(m, t->ids[(size_t)row[n] * t->Tcap + pos[n]], x + (size_t)n * D);
    scatter(t, t->embed, x, row, pos, N, D);

    /* 2  positions.  Learned: x = x + P[pos], P is (ctx,D).  RoPE: nothing here (3.l.c). */
    if (c->pos == POS_LEARNED)
        for (int n = 0; n < N; n++)
            for (int i = 0; i < D; i++) x[(size_t)n * D + i] += m->pos_emb[(size_t)pos[n] * D + i];
    scatter(t, t->resid, x, row, pos, N, D);

    /* 3.l  L blocks:  x = x + attn(norm(x)); x = x + mlp(norm(x))      (N,D) -> (N,D) */
    for (int l = 0; l < L; l++) {
        LayerRec *rec = record ? Trace_rec_alloc(t, l, err) : NULL;
        if (record && !rec) { Work_free(&w); return -1; }
        block(t, &w, l, x, row, pos, N, rec);
        if (rec) rec->valid = 1;
        scatter(t, t->resid + (size_t)(l + 1) * t->B * t->Tcap * D, x, row, pos, N, D);
        if (t->opts.progress && t->opts.progress(t->opts.progress_ud, l + 1, L)) {
            Work_free(&w);
            sw_seterr(err, "cancelled");
            return -1;
        }
    }

    /* 4  final norm:  x = LN_f(x)  or  RMSNorm(x) */
    for (int n = 0; n < N; n++)
        Forward_norm_row(m, m->lnf_w, m->lnf_b, x + (size_t)n * D, w.xn + (size_t)n * D);
    scatter(t, t->final_norm, w.xn, row, pos, N, D);

    /* 5  LM head:  logits = x @ W_lm      (N,D)@(D,V) -> (N,V), straight into the trace
     *    (when it keeps logits; otherwise rows are computed on demand by Trace_logits_row). */
    if (t->logits) {
        const size_t V = (size_t)c->vocab_size;
        const int several = N > 0 && next_segment(row, N, 0) < N;   /* rows of 2+ prompts */
        float *all = several && N <= LM_GATHER ? malloc(sizeof(float) * (size_t)N * V) : NULL;
        if (all) {
            /* several short segments (B prompts' new tokens when generating): one matmul over
             * all N rows reads W_lm (V*D floats) once, then each row goes to its place */
            linear(all, w.xn, N, &m->lm_head, NULL);
            for (int n = 0; n < N; n++)
                memcpy(t->logits + ((size_t)row[n] * t->Tcap + pos[n]) * V, all + (size_t)n * V, sizeof(float) * V);
            free(all);
        } else {
            for (int s = 0, e; s < N; s = e) {
                e = next_segment(row, N, s);
                float *dst = t->logits + ((size_t)row[s] * t->Tcap + pos[s]) * V;
                linear(dst, w.xn + (size_t)s * D, e - s, &m->lm_head, NULL);
            }
        }
    }
    /* 6 softmax and 7 next token read these logits: see engine/predict.c. */
    t->matmul_ms = tl_matmul_ms;
    Work_free(&w);
    return 0;
}

/* Recompute layer l's inner steps for every real position from the stored residual stream
 * (resid after block l-1), exactly as the prompt pass did. */
static int forward_layer(Trace *t, int l, LayerRec *rec, char *err) {
    const int D = t->m->c.dim;
    int N = 0;
    for (int b = 0; b < t->B; b++) N += t->len[b];
    int *row = malloc(sizeof(int) * (size_t)N), *pos = malloc(sizeof(int) * (size_t)N);
    if (!row || !pos) { free(row); free(pos); sw_seterr(err, "out of memory recomputing layer %d", l + 1); return -1; }
    int n = 0;
    for (int b = 0; b < t->B; b++)
        for (int p = 0; p < t->len[b]; p++) { row[n] = b; pos[n] = p; n++; }
    Work w;
    if (Work_init(&w, &t->m->c, N, t->T, err) != 0) { free(row); free(pos); return -1; }
    const float *in = t->resid + (size_t)l * t->B * t->Tcap * D;
    for (n = 0; n < N; n++)
        memcpy(w.x + (size_t)n * D, in + ((size_t)row[n] * t->Tcap + pos[n]) * D, sizeof(float) * D);
    block(t, &w, l, w.x, row, pos, N, rec);
    rec->valid = 1;
    Work_free(&w);
    free(row);
    free(pos);
    return 0;
}

void Forward_lm_head(const Model *m, const float *xn, int N, float *logits) {
    const int pe = Pool_enter();
    linear(logits, xn, N, &m->lm_head, NULL);
    Pool_leave(pe);
}

/* A pass holds the pool from start to end (engine/pool.h): OpenBLAS single-threaded, the
 * pool's threads share out every matmul, and no run waits for the library's threads. */
int Forward_rows(Trace *t, const int *row, const int *pos, int N, int record, char *err) {
    const int pe = Pool_enter();
    const int rc = forward_rows(t, row, pos, N, record, err);
    Pool_leave(pe);
    return rc;
}

int Forward_layer(Trace *t, int l, LayerRec *rec, char *err) {
    const int pe = Pool_enter();
    const int rc = forward_layer(t, l, rec, err);
    Pool_leave(pe);
    return rc;
}
