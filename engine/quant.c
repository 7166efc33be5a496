/* quant.c - ggml's tensor types: sizes, exact dequantization, fused dot kernels (see quant.h).
 *
 * Exactness: each dequantizer evaluates the same float expression, in the same order, as
 * ggml's to_float (e.g. Q6_K: (d * scale) * q, Q4_K: (d * scale) * q - dmin * min), and the
 * build uses -std=c11, where GCC does not contract a * b + c into an FMA.
 * The dot kernels may group the arithmetic differently (scale applied to a group's sum), so
 * they agree with the exact dot to float rounding, not bit for bit.
 */
#include "quant.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QUANT_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* ---- type table ---- */

typedef struct { int type; const char *name; int bs; int bytes; } TypeInfo;
static const TypeInfo k_types[] = {
    {QT_F32, "F32", 1, 4},       {QT_F16, "F16", 1, 2},      {QT_BF16, "BF16", 1, 2},
    {QT_Q4_0, "Q4_0", 32, 18},   {QT_Q4_1, "Q4_1", 32, 20},  {QT_Q5_0, "Q5_0", 32, 22},
    {QT_Q5_1, "Q5_1", 32, 24},   {QT_Q8_0, "Q8_0", 32, 34},  {QT_Q2_K, "Q2_K", 256, 84},
    {QT_Q3_K, "Q3_K", 256, 110}, {QT_Q4_K, "Q4_K", 256, 144}, {QT_Q5_K, "Q5_K", 256, 176},
    {QT_Q6_K, "Q6_K", 256, 210},
};

/* types ggml defines that shapewalk does not read (for a clear refusal by name) */
static const char *other_name(int type) {
    switch (type) {
    case 4: return "Q4_2 (removed from ggml)";
    case 5: return "Q4_3 (removed from ggml)";
    case 9: return "Q8_1";
    case 15: return "Q8_K";
    case 16: return "IQ2_XXS";
    case 17: return "IQ2_XS";
    case 18: return "IQ3_XXS";
    case 19: return "IQ1_S";
    case 20: return "IQ4_NL";
    case 21: return "IQ3_S";
    case 22: return "IQ2_S";
    case 23: return "IQ4_XS";
    case 24: return "I8";
    case 25: return "I16";
    case 26: return "I32";
    case 27: return "I64";
    case 28: return "F64";
    case 29: return "IQ1_M";
    case 31: return "Q4_0_4_4 (removed from ggml)";
    case 32: return "Q4_0_4_8 (removed from ggml)";
    case 33: return "Q4_0_8_8 (removed from ggml)";
    case 34: return "TQ1_0";
    case 35: return "TQ2_0";
    case 36: return "IQ4_NL_4_4 (removed from ggml)";
    case 37: return "IQ4_NL_4_8 (removed from ggml)";
    case 38: return "IQ4_NL_8_8 (removed from ggml)";
    case 39: return "MXFP4";
    case 40: return "NVFP4";
    case 41: return "Q1_0";
    case 42: return "Q2_0";
    }
    return NULL;
}

static const TypeInfo *info(int type) {
    for (size_t i = 0; i < sizeof k_types / sizeof k_types[0]; i++)
        if (k_types[i].type == type) return &k_types[i];
    return NULL;
}

int Quant_supported(int type) { return info(type) != NULL; }

const char *Quant_name(int type) {
    const TypeInfo *t = info(type);
    return t ? t->name : other_name(type);
}

int Quant_block_size(int type) {
    const TypeInfo *t = info(type);
    return t ? t->bs : 0;
}

size_t Quant_block_bytes(int type) {
    const TypeInfo *t = info(type);
    return t ? (size_t)t->bytes : 0;
}

double Quant_bits_per_weight(int type) {
    const TypeInfo *t = info(type);
    return t ? 8.0 * t->bytes / t->bs : 0.0;
}

int Quant_row_bytes(int type, int64_t n, size_t *out) {
    const TypeInfo *t = info(type);
    if (!t || n < 0 || n % t->bs != 0) return -1;
    uint64_t blocks = (uint64_t)n / (uint64_t)t->bs;
    if (blocks > SIZE_MAX / (size_t)t->bytes) return -1;
    *out = (size_t)blocks * (size_t)t->bytes;
    return 0;
}

/* ---- scalars ---- */

float Quant_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t ex = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (ex == 0) {
        float f = (float)man * 5.9604644775390625e-8f;   /* zero or subnormal: man * 2^-24, exact */
        return sign ? -f : f;
    } else if (ex == 31) {
        bits = sign | 0x7f800000u | (man << 13);          /* inf / nan */
    } else {
        bits = sign | ((ex + 112u) << 23) | (man << 13);  /* rebias 15 -> 127 */
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float Quant_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* every f16 as a float (256 KB, made once): the plain path's F16 rows go 10x faster */
static float g_f16[65536];
static pthread_once_t g_f16_once = PTHREAD_ONCE_INIT;
static void f16_table(void) {
    for (uint32_t h = 0; h < 65536; h++) g_f16[h] = Quant_f16_to_f32((uint16_t)h);
}
static inline float rdh(const uint8_t *p) { return Quant_f16_to_f32(rd16(p)); }

/* Q4_K / Q5_K: the 6-bit scale and min of group j (0..7) from the 12 packed bytes */
static inline void scale_min_k4(int j, const uint8_t *q, int *sc, int *mn) {
    if (j < 4) {
        *sc = q[j] & 63;
        *mn = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *mn = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

/* Q3_K: the 16 signed 6-bit scales (stored +32) from the 12 packed bytes: low 4 bits in
 * bytes 0..7 (low nibble for groups 0..7, high nibble for 8..15), high 2 bits in bytes 8..11 */
static inline void scales_q3k(const uint8_t *b, int sc[16]) {
    for (int j = 0; j < 16; j++) {
        int lo = j < 8 ? (b[j] & 0xF) : (b[j - 8] >> 4);
        int hi = (b[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (lo | (hi << 4)) - 32;
    }
}

/* ---- dequantization, one block at a time (src: the block, y: its bs floats) ---- */

static void dq_q4_0(const uint8_t *b, float *y) {
    const float d = rdh(b);
    for (int j = 0; j < 16; j++) {
        y[j] = ((b[2 + j] & 0xF) - 8) * d;
        y[j + 16] = ((b[2 + j] >> 4) - 8) * d;
    }
}

static void dq_q4_1(const uint8_t *b, float *y) {
    const float d = rdh(b), m = rdh(b + 2);
    for (int j = 0; j < 16; j++) {
        y[j] = (b[4 + j] & 0xF) * d + m;
        y[j + 16] = (b[4 + j] >> 4) * d + m;
    }
}

static void dq_q5_0(const uint8_t *b, float *y) {
    const float d = rdh(b);
    uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
    for (int j = 0; j < 16; j++) {
        int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
        y[j] = (((b[6 + j] & 0xF) | (h0 << 4)) - 16) * d;
        y[j + 16] = (((b[6 + j] >> 4) | (h1 << 4)) - 16) * d;
    }
}

static void dq_q5_1(const uint8_t *b, float *y) {
    const float d = rdh(b), m = rdh(b + 2);
    uint32_t qh = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    for (int j = 0; j < 16; j++) {
        int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
        y[j] = ((b[8 + j] & 0xF) | (h0 << 4)) * d + m;
        y[j + 16] = ((b[8 + j] >> 4) | (h1 << 4)) * d + m;
    }
}

static void dq_q8_0(const uint8_t *b, float *y) {
    const float d = rdh(b);
    for (int j = 0; j < 32; j++) y[j] = (int8_t)b[2 + j] * d;
}

static void dq_q2_k(const uint8_t *b, float *y) {
    const uint8_t *scales = b, *q = b + 16;
    const float d = rdh(b + 80), mn = rdh(b + 82);
    int is = 0;
    for (int c = 0; c < 2; c++, q += 32)
        for (int shift = 0; shift < 8; shift += 2)
            for (int half = 0; half < 2; half++) {
                int sc = scales[is++];
                float dl = d * (sc & 0xF), ml = mn * (sc >> 4);
                for (int l = 0; l < 16; l++) *y++ = dl * ((q[l + 16 * half] >> shift) & 3) - ml;
            }
}

static void dq_q3_k(const uint8_t *b, float *y) {
    const uint8_t *hm = b, *q = b + 32;
    const float d = rdh(b + 108);
    int sc[16], is = 0;
    scales_q3k(b + 96, sc);
    unsigned m = 1;
    for (int c = 0; c < 2; c++, q += 32)
        for (int shift = 0; shift < 8; shift += 2, m <<= 1)
            for (int half = 0; half < 2; half++) {
                float dl = d * sc[is++];
                for (int l = 0; l < 16; l++) {
                    int k = l + 16 * half;
                    *y++ = dl * (((q[k] >> shift) & 3) - ((hm[k] & m) ? 0 : 4));
                }
            }
}

static void dq_q4_k(const uint8_t *b, float *y) {
    const float d = rdh(b), mn = rdh(b + 2);
    const uint8_t *scales = b + 4, *q = b + 16;
    for (int j = 0; j < 4; j++, q += 32) {
        int sc, m;
        scale_min_k4(2 * j, scales, &sc, &m);
        const float d1 = d * sc, m1 = mn * m;
        scale_min_k4(2 * j + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = mn * m;
        for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
        for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
    }
}

static void dq_q5_k(const uint8_t *b, float *y) {
    const float d = rdh(b), mn = rdh(b + 2);
    const uint8_t *scales = b + 4, *qh = b + 16, *ql = b + 48;
    unsigned u1 = 1, u2 = 2;
    for (int j = 0; j < 4; j++, ql += 32, u1 <<= 2, u2 <<= 2) {
        int sc, m;
        scale_min_k4(2 * j, scales, &sc, &m);
        const float d1 = d * sc, m1 = mn * m;
        scale_min_k4(2 * j + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = mn * m;
        for (int l = 0; l < 32; l++) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
        for (int l = 0; l < 32; l++) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
}

static void dq_q6_k(const uint8_t *b, float *y) {
    const uint8_t *ql = b, *qh = b + 128;
    const int8_t *sc = (const int8_t *)(b + 192);
    const float d = rdh(b + 208);
    for (int c = 0; c < 2; c++, y += 128, ql += 64, qh += 32, sc += 8)
        for (int l = 0; l < 32; l++) {
            int is = l / 16;
            int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * sc[is] * q1;
            y[l + 32] = d * sc[is + 2] * q2;
            y[l + 64] = d * sc[is + 4] * q3;
            y[l + 96] = d * sc[is + 6] * q4;
        }
}

void Quant_dequant_row(int type, const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    void (*blk)(const uint8_t *, float *) = NULL;
    switch (type) {
    case QT_F32: memcpy(dst, p, (size_t)n * 4); return;
    case QT_F16:
        pthread_once(&g_f16_once, f16_table);
        for (int64_t i = 0; i < n; i++) dst[i] = g_f16[rd16(p + 2 * i)];
        return;
    case QT_BF16: for (int64_t i = 0; i < n; i++) dst[i] = Quant_bf16_to_f32(rd16(p + 2 * i)); return;
    case QT_Q4_0: blk = dq_q4_0; break;
    case QT_Q4_1: blk = dq_q4_1; break;
    case QT_Q5_0: blk = dq_q5_0; break;
    case QT_Q5_1: blk = dq_q5_1; break;
    case QT_Q8_0: blk = dq_q8_0; break;
    case QT_Q2_K: blk = dq_q2_k; break;
    case QT_Q3_K: blk = dq_q3_k; break;
    case QT_Q4_K: blk = dq_q4_k; break;
    case QT_Q5_K: blk = dq_q5_k; break;
    case QT_Q6_K: blk = dq_q6_k; break;
    default: return;
    }
    const TypeInfo *t = info(type);
    for (int64_t i = 0; i + t->bs <= n; i += t->bs, p += t->bytes) blk(p, dst + i);
}

/* ---- plain C dot: dequantize QUANT_MAX_BLOCK weights at a time, then a float dot per
 * chunk (4 partial sums), chunks summed in double ---- */

static float dot_f32_plain(const float *w, const float *x, int64_t n) {
    /* 8 lane-wise partial sums: the compiler may turn them into vector adds (the order of
     * each lane's additions stays as written) */
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += w[i + k] * x[i + k];
    for (; i < n; i++) s[0] += w[i] * x[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

typedef float (*DotF32)(const float *, const float *, int64_t);

/* chunks of up to 256 weights (a multiple of every block size) through a stack buffer */
static float dot_chunked(int type, const uint8_t *row, const float *x, int64_t n, DotF32 dot) {
    const TypeInfo *t = info(type);
    if (!t) return 0.0f;
    float buf[QUANT_MAX_BLOCK];
    double total = 0;
    for (int64_t i = 0; i < n; i += QUANT_MAX_BLOCK) {
        int64_t m = n - i < QUANT_MAX_BLOCK ? n - i : QUANT_MAX_BLOCK;
        const uint8_t *src = row + (size_t)(i / t->bs) * (size_t)t->bytes;
        if (type == QT_F32) {
            float w[QUANT_MAX_BLOCK];
            memcpy(w, src, (size_t)m * 4);   /* the row may be unaligned */
            total += dot(w, x + i, m);
        } else {
            Quant_dequant_row(type, src, buf, m);
            total += dot(buf, x + i, m);
        }
    }
    return (float)total;
}

/* ---- AVX2 + FMA + F16C ---- */
#ifdef QUANT_X86
#define AVX2 __attribute__((target("avx2,fma,f16c")))

/* f16 at p -> float through F16C (exact, like Quant_f16_to_f32) */
AVX2 static inline float h2f(const uint8_t *p) { return _cvtsh_ss(rd16(p)); }

AVX2 static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* w: F32 weights at any alignment (a GGUF row or a stack buffer) */
AVX2 static float dot_f32u_avx2(const uint8_t *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
#define W8(k) _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(w + 4 * (i + (k)))))
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(W8(0), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(W8(8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(W8(16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(W8(24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(W8(0), _mm256_loadu_ps(x + i), a0);
#undef W8
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) {
        float wi;
        memcpy(&wi, w + 4 * i, 4);
        s += wi * x[i];
    }
    return s;
}

AVX2 static float dot_f32_avx2(const float *w, const float *x, int64_t n) {
    return dot_f32u_avx2((const uint8_t *)w, x, n);
}

AVX2 static float dot_f16_avx2(const uint8_t *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
#define H8(k) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + 2 * (i + (k)))))
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(H8(0), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(H8(8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(H8(16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(H8(24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(H8(0), _mm256_loadu_ps(x + i), a0);
#undef H8
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) s += rdh(w + 2 * i) * x[i];
    return s;
}

AVX2 static float dot_bf16_avx2(const uint8_t *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    int64_t i = 0;
#define B8(k) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32( \
        _mm_loadu_si128((const __m128i *)(w + 2 * (i + (k))))), 16))
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(B8(0), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(B8(8), _mm256_loadu_ps(x + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(B8(0), _mm256_loadu_ps(x + i), a0);
#undef B8
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += Quant_bf16_to_f32(rd16(w + 2 * i)) * x[i];
    return s;
}

/* 8 signed bytes -> 8 floats */
AVX2 static inline __m256 i8x8(__m128i v) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v)); }

/* sum over 16 int8 weights q (one 128-bit register) times x[0..16), as 8 lanes */
AVX2 static inline __m256 dot16(__m128i q, const float *x) {
    __m256 s = _mm256_mul_ps(i8x8(q), _mm256_loadu_ps(x));
    return _mm256_fmadd_ps(i8x8(_mm_srli_si128(q, 8)), _mm256_loadu_ps(x + 8), s);
}

/* sum over 32 int8 weights q (one 256-bit register) times x[0..32), as 8 lanes */
AVX2 static inline __m256 dot32(__m256i q, const float *x) {
    __m256 s = dot16(_mm256_castsi256_si128(q), x);
    return _mm256_add_ps(s, dot16(_mm256_extracti128_si256(q, 1), x + 16));
}

AVX2 static float dot_q8_0_avx2(const uint8_t *b, const float *x, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64, b += 68) {
        __m256 s0 = dot32(_mm256_loadu_si256((const __m256i *)(b + 2)), x + i);
        __m256 s1 = dot32(_mm256_loadu_si256((const __m256i *)(b + 36)), x + i + 32);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b)), s0, acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b + 34)), s1, acc1);
    }
    if (i < n) {
        __m256 s0 = dot32(_mm256_loadu_si256((const __m256i *)(b + 2)), x + i);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b)), s0, acc0);
    }
    return hsum8(_mm256_add_ps(acc0, acc1));
}

AVX2 static float dot_q4_0_avx2(const uint8_t *b, const float *x, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    const __m128i m4 = _mm_set1_epi8(0xF), eight = _mm_set1_epi8(8);
    for (int64_t i = 0; i < n; i += 32, b += 18) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + 2));
        __m128i lo = _mm_sub_epi8(_mm_and_si128(v, m4), eight);
        __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), m4), eight);
        __m256 s = _mm256_add_ps(dot16(lo, x + i), dot16(hi, x + i + 16));
        if ((i / 32) & 1) acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b)), s, acc1);
        else acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b)), s, acc0);
    }
    return hsum8(_mm256_add_ps(acc0, acc1));
}

/* sum of x[0..32) as 8 lanes */
AVX2 static inline __m256 sum32(const float *x) {
    return _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8)),
                         _mm256_add_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24)));
}

/* Q4_K: per group of 32, d*scale * sum(q x) - dmin*min * sum(x) */
AVX2 static float dot_q4_k_avx2(const uint8_t *b, const float *x, int64_t n) {
    __m256 acc = _mm256_setzero_ps(), accm = acc;
    const __m256i m4 = _mm256_set1_epi8(0xF);
    for (int64_t i = 0; i < n; i += 256, b += 144) {
        const float d = h2f(b), mn = h2f(b + 2);
        const uint8_t *q = b + 16;
        for (int j = 0; j < 4; j++) {
            const float *xx = x + i + 64 * j;
            __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * j));
            __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            int sc1, m1, sc2, m2;
            scale_min_k4(2 * j, b + 4, &sc1, &m1);
            scale_min_k4(2 * j + 1, b + 4, &sc2, &m2);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc1), dot32(lo, xx), acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc2), dot32(hi, xx + 32), acc);
            accm = _mm256_fmadd_ps(_mm256_set1_ps(mn * m1), sum32(xx), accm);
            accm = _mm256_fmadd_ps(_mm256_set1_ps(mn * m2), sum32(xx + 32), accm);
        }
    }
    return hsum8(acc) - hsum8(accm);
}

/* Q6_K: 16 groups of 16, q = 6 bits - 32, w = d * scale * q */
AVX2 static float dot_q6_k_avx2(const uint8_t *b, const float *x, int64_t n) {
    __m256 acc = _mm256_setzero_ps(), acc1 = acc;
    const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3), k32 = _mm256_set1_epi8(32);
    float fs[16] __attribute__((aligned(32)));   /* d * scale of the 16 groups (broadcasts from memory) */
    for (int64_t i = 0; i < n; i += 256, b += 210) {
        const __m256 d = _mm256_set1_ps(h2f(b + 208));
        __m128i s8 = _mm_loadu_si128((const __m128i *)(b + 192));
        _mm256_store_ps(fs, _mm256_mul_ps(d, i8x8(s8)));
        _mm256_store_ps(fs + 8, _mm256_mul_ps(d, i8x8(_mm_srli_si128(s8, 8))));
        for (int c = 0; c < 2; c++) {
            const uint8_t *ql = b + 64 * c, *qh = b + 128 + 32 * c;
            const float *f = fs + 8 * c;
            const float *xx = x + i + 128 * c;
            __m256i a = _mm256_loadu_si256((const __m256i *)ql);
            __m256i a2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i h = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(a, m4), _mm256_slli_epi16(_mm256_and_si256(h, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(a2, m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a2, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m2), 4));
            for (int k = 0; k < 4; k++) {
                __m256i s = _mm256_sub_epi8(q[k], k32);
                __m256 g0 = dot16(_mm256_castsi256_si128(s), xx + 32 * k);
                __m256 g1 = dot16(_mm256_extracti128_si256(s, 1), xx + 32 * k + 16);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(f[2 * k]), g0, acc);
                acc1 = _mm256_fmadd_ps(_mm256_set1_ps(f[2 * k + 1]), g1, acc1);
            }
        }
    }
    return hsum8(_mm256_add_ps(acc, acc1));
}

/* Quant_dot_rows on AVX2: Q8_0 and Q4_0 four rows at a time (each block's x loaded once) */
/* a Q8_0 / Q4_0 block's 32 weights as four float vectors of 8 */
AVX2 static inline void q8_0_w_avx2(const uint8_t *b, __m256 *w) {
    for (int k = 0; k < 4; k++) w[k] = i8x8(_mm_loadl_epi64((const __m128i *)(b + 2 + 8 * k)));
}
AVX2 static inline void q4_0_w_avx2(const uint8_t *b, __m256 *w) {
    const __m128i m4 = _mm_set1_epi8(0xF), eight = _mm_set1_epi8(8);
    __m128i v = _mm_loadu_si128((const __m128i *)(b + 2));
    __m128i lo = _mm_sub_epi8(_mm_and_si128(v, m4), eight);
    __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), m4), eight);
    w[0] = i8x8(lo), w[1] = i8x8(_mm_srli_si128(lo, 8)), w[2] = i8x8(hi), w[3] = i8x8(_mm_srli_si128(hi, 8));
}
/* those 32 weights times x[0..32) (xv: four vectors of 8), the scale not applied */
AVX2 static inline __m256 block_dot_avx2(const __m256 *w, const __m256 *xv) {
    __m256 s = _mm256_mul_ps(w[0], xv[0]);
    for (int k = 1; k < 4; k++) s = _mm256_fmadd_ps(w[k], xv[k], s);
    return s;
}
AVX2 static inline __m256 q8_block_avx2(const uint8_t *b, const __m256 *xv) {
    __m256 w[4];
    q8_0_w_avx2(b, w);
    return block_dot_avx2(w, xv);
}
AVX2 static inline __m256 q4_block_avx2(const uint8_t *b, const __m256 *xv) {
    __m256 w[4];
    q4_0_w_avx2(b, w);
    return block_dot_avx2(w, xv);
}

AVX2 static void rows4_avx2(int type, const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    const size_t bb = type == QT_Q8_0 ? 34 : 18;
    int r = 0;
    for (; r + 4 <= nrows; r += 4) {
        const uint8_t *b0 = rows + (size_t)r * rb, *b1 = b0 + rb, *b2 = b1 + rb, *b3 = b2 + rb;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t i = 0; i < n; i += 32, b0 += bb, b1 += bb, b2 += bb, b3 += bb) {
            __m256 xv[4] = {_mm256_loadu_ps(x + i), _mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(x + i + 16),
                            _mm256_loadu_ps(x + i + 24)};
            if (type == QT_Q8_0) {
                a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b0)), q8_block_avx2(b0, xv), a0);
                a1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b1)), q8_block_avx2(b1, xv), a1);
                a2 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b2)), q8_block_avx2(b2, xv), a2);
                a3 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b3)), q8_block_avx2(b3, xv), a3);
            } else {
                a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b0)), q4_block_avx2(b0, xv), a0);
                a1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b1)), q4_block_avx2(b1, xv), a1);
                a2 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b2)), q4_block_avx2(b2, xv), a2);
                a3 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(b3)), q4_block_avx2(b3, xv), a3);
            }
        }
        y[r] = hsum8(a0);
        y[r + 1] = hsum8(a1);
        y[r + 2] = hsum8(a2);
        y[r + 3] = hsum8(a3);
    }
    for (; r < nrows; r++)
        y[r] = type == QT_Q8_0 ? dot_q8_0_avx2(rows + (size_t)r * rb, x, n) : dot_q4_0_avx2(rows + (size_t)r * rb, x, n);
}

/* F32 rows (any alignment), four at a time sharing each x load, two sums a row */
AVX2 static void rows_f32_avx2(const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    int r = 0;
    if ((n & 15) == 0)
        for (; r + 4 <= nrows; r += 4) {
            const uint8_t *w0 = rows + (size_t)r * rb, *w1 = w0 + rb, *w2 = w1 + rb, *w3 = w2 + rb;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int64_t i = 0; i < n; i += 16) {
                const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w0 + 4 * i)), x0, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w1 + 4 * i)), x0, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w2 + 4 * i)), x0, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w3 + 4 * i)), x0, a3);
                b0 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w0 + 4 * i + 32)), x1, b0);
                b1 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w1 + 4 * i + 32)), x1, b1);
                b2 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w2 + 4 * i + 32)), x1, b2);
                b3 = _mm256_fmadd_ps(_mm256_loadu_ps((const float *)(const void *)(w3 + 4 * i + 32)), x1, b3);
            }
            y[r] = hsum8(_mm256_add_ps(a0, b0));
            y[r + 1] = hsum8(_mm256_add_ps(a1, b1));
            y[r + 2] = hsum8(_mm256_add_ps(a2, b2));
            y[r + 3] = hsum8(_mm256_add_ps(a3, b3));
        }
    for (; r < nrows; r++) y[r] = dot_f32u_avx2(rows + (size_t)r * rb, x, n);
}

/* Two x at once on AVX2 (two prompts generating together; the AVX-512 twins below say why):
 * two rows at a time (16 registers), each row's sums in the order of rows_f32_avx2 /
 * rows4_avx2, whose groups of four they cover, and the rows past them through the same
 * single-row dots: the same y as one x at a time, bit for bit. Measured with the AVX2 kernels
 * forced on the Intel Xeon of the AVX-512 note (context 64, median of 30 steps, two rounds), a
 * B=2 step before / after: GPT-2 F32 19.2 / 18.0-18.5 ms, llama-Q8_0 8.5 / 6.4-6.5 ms,
 * llama-Q4_0 8.7 / 5.8-5.9 ms (B=1: 15.5-16.1, 5.3, 4.7 ms). */
AVX2 static void rows_f32_avx2_x2(const uint8_t *rows, size_t rb, int nrows, const float *xa, const float *xb, int64_t n,
                                  float *ya, float *yb) {
    const int g = (n & 15) == 0 ? nrows / 4 * 4 : 0;
    int r = 0;
    for (; r < g; r += 2) {
        const uint8_t *w0 = rows + (size_t)r * rb, *w1 = w0 + rb;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        for (int64_t i = 0; i < n; i += 16) {
            const __m256 x0 = _mm256_loadu_ps(xa + i), x1 = _mm256_loadu_ps(xa + i + 8);
            const __m256 z0 = _mm256_loadu_ps(xb + i), z1 = _mm256_loadu_ps(xb + i + 8);
            __m256 v;
            v = _mm256_loadu_ps((const float *)(const void *)(w0 + 4 * i)), a0 = _mm256_fmadd_ps(v, x0, a0), c0 = _mm256_fmadd_ps(v, z0, c0);
            v = _mm256_loadu_ps((const float *)(const void *)(w1 + 4 * i)), a1 = _mm256_fmadd_ps(v, x0, a1), c1 = _mm256_fmadd_ps(v, z0, c1);
            v = _mm256_loadu_ps((const float *)(const void *)(w0 + 4 * i + 32)), b0 = _mm256_fmadd_ps(v, x1, b0), d0 = _mm256_fmadd_ps(v, z1, d0);
            v = _mm256_loadu_ps((const float *)(const void *)(w1 + 4 * i + 32)), b1 = _mm256_fmadd_ps(v, x1, b1), d1 = _mm256_fmadd_ps(v, z1, d1);
        }
        ya[r] = hsum8(_mm256_add_ps(a0, b0));
        ya[r + 1] = hsum8(_mm256_add_ps(a1, b1));
        yb[r] = hsum8(_mm256_add_ps(c0, d0));
        yb[r + 1] = hsum8(_mm256_add_ps(c1, d1));
    }
    for (; r < nrows; r++) {
        ya[r] = dot_f32u_avx2(rows + (size_t)r * rb, xa, n);
        yb[r] = dot_f32u_avx2(rows + (size_t)r * rb, xb, n);
    }
}

#define ROWS_X2_AVX2(NAME, WV, BB, DOT)                                                                             \
    AVX2 static void NAME(const uint8_t *rows, size_t rb, int nrows, const float *xa, const float *xb, int64_t n,   \
                          float *ya, float *yb) {                                                                   \
        const int g = nrows / 4 * 4;                                                                                \
        int r = 0;                                                                                                  \
        for (; r < g; r += 2) {                                                                                     \
            const uint8_t *b[2] = { rows + (size_t)r * rb, rows + (size_t)(r + 1) * rb };                            \
            __m256 a[2], c[2];                                                                                      \
            for (int k = 0; k < 2; k++) a[k] = c[k] = _mm256_setzero_ps();                                          \
            for (int64_t i = 0; i < n; i += 32) {                                                                   \
                const __m256 xv[4] = { _mm256_loadu_ps(xa + i), _mm256_loadu_ps(xa + i + 8), _mm256_loadu_ps(xa + i + 16), \
                                       _mm256_loadu_ps(xa + i + 24) };                                              \
                const __m256 zv[4] = { _mm256_loadu_ps(xb + i), _mm256_loadu_ps(xb + i + 8), _mm256_loadu_ps(xb + i + 16), \
                                       _mm256_loadu_ps(xb + i + 24) };                                              \
                for (int k = 0; k < 2; k++) {                                                                       \
                    __m256 w[4];                                                                                    \
                    WV(b[k], w);                                                                                    \
                    const __m256 d = _mm256_set1_ps(h2f(b[k]));                                                     \
                    a[k] = _mm256_fmadd_ps(d, block_dot_avx2(w, xv), a[k]);                                         \
                    c[k] = _mm256_fmadd_ps(d, block_dot_avx2(w, zv), c[k]);                                         \
                    b[k] += BB;                                                                                     \
                }                                                                                                   \
            }                                                                                                       \
            for (int k = 0; k < 2; k++) ya[r + k] = hsum8(a[k]), yb[r + k] = hsum8(c[k]);                           \
        }                                                                                                           \
        for (; r < nrows; r++) {                                                                                    \
            ya[r] = DOT(rows + (size_t)r * rb, xa, n);                                                              \
            yb[r] = DOT(rows + (size_t)r * rb, xb, n);                                                              \
        }                                                                                                           \
    }
ROWS_X2_AVX2(rows_q8_0_avx2_x2, q8_0_w_avx2, 34, dot_q8_0_avx2)
ROWS_X2_AVX2(rows_q4_0_avx2_x2, q4_0_w_avx2, 18, dot_q4_0_avx2)
#undef ROWS_X2_AVX2

static float dot_avx2(int type, const uint8_t *row, const float *x, int64_t n) {
    switch (type) {
    case QT_F32: return dot_f32u_avx2(row, x, n);
    case QT_F16: return dot_f16_avx2(row, x, n);
    case QT_BF16: return dot_bf16_avx2(row, x, n);
    case QT_Q8_0: return dot_q8_0_avx2(row, x, n);
    case QT_Q4_0: return dot_q4_0_avx2(row, x, n);
    case QT_Q4_K: return dot_q4_k_avx2(row, x, n);
    case QT_Q6_K: return dot_q6_k_avx2(row, x, n);
    }
    return dot_chunked(type, row, x, n, dot_f32_avx2);
}

static int cpu_has_avx2(void) {
    __builtin_cpu_init();
    /* F16C from CPUID leaf 1, ECX bit 29 (clang's __builtin_cpu_supports does not know "f16c");
     * "avx2" also tells the OS saves the YMM registers */
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 29))) return 0;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

/* ---- AVX-512 (F, BW, VL) ----
 * The same sums with 16 lanes: converting int8 weights to float is the bottleneck (the x
 * stays float), so twice the lanes is nearly twice the speed. Q8_0 and Q4_0 go 4 rows at a
 * time in Quant_dot_rows (as on AVX2), sharing each block's x registers. */
#ifdef QUANT_X86
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))

AVX512 static inline float h2f5(const uint8_t *p) { return _cvtsh_ss(rd16(p)); }
/* the f16 at p in all 16 lanes (a broadcast load and one conversion) */
AVX512 static inline __m512 h2f5_all(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _mm512_cvtph_ps(_mm256_set1_epi16((short)h));
}
/* 16 signed / unsigned bytes -> 16 floats */
AVX512 static inline __m512 i8x16(__m128i v) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(v)); }
AVX512 static inline __m512 u8x16(__m128i v) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(v)); }

AVX512 static float dot_f32u_512(const uint8_t *w, const float *x, int64_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * i), _mm512_loadu_ps(x + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * (i + 16)), _mm512_loadu_ps(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * (i + 32)), _mm512_loadu_ps(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * (i + 48)), _mm512_loadu_ps(x + i + 48), a3);
    }
    for (; i + 16 <= n; i += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * i), _mm512_loadu_ps(x + i), a0);
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
    for (; i < n; i++) {
        float wi;
        memcpy(&wi, w + 4 * i, 4);
        s += wi * x[i];
    }
    return s;
}

AVX512 static float dot_f32_512(const float *w, const float *x, int64_t n) {
    return dot_f32u_512((const uint8_t *)w, x, n);
}

AVX512 static float dot_f16_512(const uint8_t *w, const float *x, int64_t n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
#define H16(k) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + 2 * (i + (k)))))
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_fmadd_ps(H16(0), _mm512_loadu_ps(x + i), a0);
        a1 = _mm512_fmadd_ps(H16(16), _mm512_loadu_ps(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(H16(32), _mm512_loadu_ps(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(H16(48), _mm512_loadu_ps(x + i + 48), a3);
    }
    for (; i + 16 <= n; i += 16) a0 = _mm512_fmadd_ps(H16(0), _mm512_loadu_ps(x + i), a0);
#undef H16
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
    for (; i < n; i++) s += h2f5(w + 2 * i) * x[i];
    return s;
}

/* A Q8_0 / Q4_0 block's 32 weights as two float vectors (0..15, 16..31): the int8-to-float
 * conversion, the costly part of these dots (done once for two x in the _x2 kernels). */
AVX512 static inline void q8_0_lh_512(const uint8_t *b, __m512 *lo, __m512 *hi) {
    *lo = i8x16(_mm_loadu_si128((const __m128i *)(b + 2)));
    *hi = i8x16(_mm_loadu_si128((const __m128i *)(b + 18)));
}
AVX512 static inline void q4_0_lh_512(const uint8_t *b, __m512 *lo, __m512 *hi) {
    const __m128i m4 = _mm_set1_epi8(0xF), eight = _mm_set1_epi8(8);
    __m128i v = _mm_loadu_si128((const __m128i *)(b + 2));
    *lo = i8x16(_mm_sub_epi8(_mm_and_si128(v, m4), eight));
    *hi = i8x16(_mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), m4), eight));
}

/* Q8_0 block b times x[0..32): 16 lanes (scale not applied) */
AVX512 static inline __m512 q8_block_512(const uint8_t *b, __m512 x0, __m512 x1) {
    __m512 lo, hi;
    q8_0_lh_512(b, &lo, &hi);
    return _mm512_fmadd_ps(hi, x1, _mm512_mul_ps(lo, x0));
}
#define Q8_BLOCK(b, x0, x1) q8_block_512((b), (x0), (x1))

AVX512 static float dot_q8_0_512(const uint8_t *b, const float *x, int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64, b += 68) {
        __m512 s0 = Q8_BLOCK(b, _mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16));
        __m512 s1 = Q8_BLOCK(b + 34, _mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(x + i + 48));
        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b)), s0, acc0);
        acc1 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b + 34)), s1, acc1);
    }
    if (i < n) acc0 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b)), Q8_BLOCK(b, _mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16)), acc0);
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

AVX512 static void rows_q8_0_512(const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    int r = 0;
    for (; r + 4 <= nrows; r += 4) {
        const uint8_t *b0 = rows + (size_t)r * rb, *b1 = b0 + rb, *b2 = b1 + rb, *b3 = b2 + rb;
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t i = 0; i < n; i += 32, b0 += 34, b1 += 34, b2 += 34, b3 += 34) {
            __m512 x0 = _mm512_loadu_ps(x + i), x1 = _mm512_loadu_ps(x + i + 16);
            a0 = _mm512_fmadd_ps(h2f5_all(b0), Q8_BLOCK(b0, x0, x1), a0);
            a1 = _mm512_fmadd_ps(h2f5_all(b1), Q8_BLOCK(b1, x0, x1), a1);
            a2 = _mm512_fmadd_ps(h2f5_all(b2), Q8_BLOCK(b2, x0, x1), a2);
            a3 = _mm512_fmadd_ps(h2f5_all(b3), Q8_BLOCK(b3, x0, x1), a3);
        }
        y[r] = _mm512_reduce_add_ps(a0);
        y[r + 1] = _mm512_reduce_add_ps(a1);
        y[r + 2] = _mm512_reduce_add_ps(a2);
        y[r + 3] = _mm512_reduce_add_ps(a3);
    }
    for (; r < nrows; r++) y[r] = dot_q8_0_512(rows + (size_t)r * rb, x, n);
}
#undef Q8_BLOCK

/* F32 rows (any alignment), four at a time sharing each x load, two sums a row */
AVX512 static void rows_f32_512(const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    int r = 0;
    if ((n & 31) == 0)
        for (; r + 4 <= nrows; r += 4) {
            const uint8_t *w0 = rows + (size_t)r * rb, *w1 = w0 + rb, *w2 = w1 + rb, *w3 = w2 + rb;
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int64_t i = 0; i < n; i += 32) {
                const __m512 x0 = _mm512_loadu_ps(x + i), x1 = _mm512_loadu_ps(x + i + 16);
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + 4 * i), x0, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + 4 * i), x0, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + 4 * i), x0, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + 4 * i), x0, a3);
                b0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + 4 * i + 64), x1, b0);
                b1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + 4 * i + 64), x1, b1);
                b2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + 4 * i + 64), x1, b2);
                b3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + 4 * i + 64), x1, b3);
            }
            y[r] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));
            y[r + 1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));
            y[r + 2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));
            y[r + 3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));
        }
    for (; r < nrows; r++) y[r] = dot_f32u_512(rows + (size_t)r * rb, x, n);
}

/* The same for two x at once (two prompts generating together): each weight load meets both,
 * so the rows stream from memory in one pass instead of a second pass from L1 that stalls the
 * stream. Each row's sums run in the same order as rows_f32_512's: the same y, bit for bit. */
AVX512 static void rows_f32_512_x2(const uint8_t *rows, size_t rb, int nrows, const float *xa, const float *xb, int64_t n,
                                   float *ya, float *yb) {
    int r = 0;
    if ((n & 31) == 0)
        for (; r + 4 <= nrows; r += 4) {
            const uint8_t *w0 = rows + (size_t)r * rb, *w1 = w0 + rb, *w2 = w1 + rb, *w3 = w2 + rb;
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            __m512 c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            for (int64_t i = 0; i < n; i += 32) {
                const __m512 x0 = _mm512_loadu_ps(xa + i), x1 = _mm512_loadu_ps(xa + i + 16);
                const __m512 z0 = _mm512_loadu_ps(xb + i), z1 = _mm512_loadu_ps(xb + i + 16);
                __m512 v;
                v = _mm512_loadu_ps(w0 + 4 * i), a0 = _mm512_fmadd_ps(v, x0, a0), c0 = _mm512_fmadd_ps(v, z0, c0);
                v = _mm512_loadu_ps(w1 + 4 * i), a1 = _mm512_fmadd_ps(v, x0, a1), c1 = _mm512_fmadd_ps(v, z0, c1);
                v = _mm512_loadu_ps(w2 + 4 * i), a2 = _mm512_fmadd_ps(v, x0, a2), c2 = _mm512_fmadd_ps(v, z0, c2);
                v = _mm512_loadu_ps(w3 + 4 * i), a3 = _mm512_fmadd_ps(v, x0, a3), c3 = _mm512_fmadd_ps(v, z0, c3);
                v = _mm512_loadu_ps(w0 + 4 * i + 64), b0 = _mm512_fmadd_ps(v, x1, b0), d0 = _mm512_fmadd_ps(v, z1, d0);
                v = _mm512_loadu_ps(w1 + 4 * i + 64), b1 = _mm512_fmadd_ps(v, x1, b1), d1 = _mm512_fmadd_ps(v, z1, d1);
                v = _mm512_loadu_ps(w2 + 4 * i + 64), b2 = _mm512_fmadd_ps(v, x1, b2), d2 = _mm512_fmadd_ps(v, z1, d2);
                v = _mm512_loadu_ps(w3 + 4 * i + 64), b3 = _mm512_fmadd_ps(v, x1, b3), d3 = _mm512_fmadd_ps(v, z1, d3);
            }
            ya[r] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));
            ya[r + 1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));
            ya[r + 2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));
            ya[r + 3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));
            yb[r] = _mm512_reduce_add_ps(_mm512_add_ps(c0, d0));
            yb[r + 1] = _mm512_reduce_add_ps(_mm512_add_ps(c1, d1));
            yb[r + 2] = _mm512_reduce_add_ps(_mm512_add_ps(c2, d2));
            yb[r + 3] = _mm512_reduce_add_ps(_mm512_add_ps(c3, d3));
        }
    for (; r < nrows; r++) {
        ya[r] = dot_f32u_512(rows + (size_t)r * rb, xa, n);
        yb[r] = dot_f32u_512(rows + (size_t)r * rb, xb, n);
    }
}

/* Q4_0 block b times x[0..32), 16 lanes: low nibbles are weights 0..15, high 16..31 */
#define Q4_BLOCK(b, x0, x1) q4_block_512((b), (x0), (x1))
AVX512 static inline __m512 q4_block_512(const uint8_t *b, __m512 x0, __m512 x1) {
    __m512 lo, hi;
    q4_0_lh_512(b, &lo, &hi);
    return _mm512_fmadd_ps(hi, x1, _mm512_mul_ps(lo, x0));
}

AVX512 static float dot_q4_0_512(const uint8_t *b, const float *x, int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64, b += 36) {
        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b)), Q4_BLOCK(b, _mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16)), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b + 18)),
                               Q4_BLOCK(b + 18, _mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(x + i + 48)), acc1);
    }
    if (i < n) acc0 = _mm512_fmadd_ps(_mm512_set1_ps(h2f5(b)), Q4_BLOCK(b, _mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16)), acc0);
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

AVX512 static void rows_q4_0_512(const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    int r = 0;
    for (; r + 4 <= nrows; r += 4) {
        const uint8_t *b0 = rows + (size_t)r * rb, *b1 = b0 + rb, *b2 = b1 + rb, *b3 = b2 + rb;
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t i = 0; i < n; i += 32, b0 += 18, b1 += 18, b2 += 18, b3 += 18) {
            __m512 x0 = _mm512_loadu_ps(x + i), x1 = _mm512_loadu_ps(x + i + 16);
            a0 = _mm512_fmadd_ps(h2f5_all(b0), Q4_BLOCK(b0, x0, x1), a0);
            a1 = _mm512_fmadd_ps(h2f5_all(b1), Q4_BLOCK(b1, x0, x1), a1);
            a2 = _mm512_fmadd_ps(h2f5_all(b2), Q4_BLOCK(b2, x0, x1), a2);
            a3 = _mm512_fmadd_ps(h2f5_all(b3), Q4_BLOCK(b3, x0, x1), a3);
        }
        y[r] = _mm512_reduce_add_ps(a0);
        y[r + 1] = _mm512_reduce_add_ps(a1);
        y[r + 2] = _mm512_reduce_add_ps(a2);
        y[r + 3] = _mm512_reduce_add_ps(a3);
    }
    for (; r < nrows; r++) y[r] = dot_q4_0_512(rows + (size_t)r * rb, x, n);
}
#undef Q4_BLOCK

/* rows_q8_0_512 / rows_q4_0_512 for two x at once: each block converted once, met by both.
 * The sums run in those functions' order (fmadd(hi, x1, lo * x0), then the scale), and rows
 * past the last group of 4 go through the same single-row dots: the same y, bit for bit. */
#define ROWS_X2_512(NAME, LH, BB, DOT)                                                                              \
    AVX512 static void NAME(const uint8_t *rows, size_t rb, int nrows, const float *xa, const float *xb, int64_t n, \
                            float *ya, float *yb) {                                                                 \
        int r = 0;                                                                                                  \
        for (; r + 4 <= nrows; r += 4) {                                                                            \
            const uint8_t *b[4] = { rows + (size_t)r * rb, rows + (size_t)(r + 1) * rb, rows + (size_t)(r + 2) * rb, \
                                    rows + (size_t)(r + 3) * rb };                                                  \
            __m512 a[4], c[4];                                                                                      \
            for (int k = 0; k < 4; k++) a[k] = c[k] = _mm512_setzero_ps();                                          \
            for (int64_t i = 0; i < n; i += 32) {                                                                   \
                const __m512 x0 = _mm512_loadu_ps(xa + i), x1 = _mm512_loadu_ps(xa + i + 16);                       \
                const __m512 z0 = _mm512_loadu_ps(xb + i), z1 = _mm512_loadu_ps(xb + i + 16);                       \
                for (int k = 0; k < 4; k++) {                                                                       \
                    __m512 lo, hi;                                                                                  \
                    LH(b[k], &lo, &hi);                                                                             \
                    const __m512 d = h2f5_all(b[k]);                                                                \
                    a[k] = _mm512_fmadd_ps(d, _mm512_fmadd_ps(hi, x1, _mm512_mul_ps(lo, x0)), a[k]);                \
                    c[k] = _mm512_fmadd_ps(d, _mm512_fmadd_ps(hi, z1, _mm512_mul_ps(lo, z0)), c[k]);                \
                    b[k] += BB;                                                                                     \
                }                                                                                                   \
            }                                                                                                       \
            for (int k = 0; k < 4; k++) {                                                                           \
                ya[r + k] = _mm512_reduce_add_ps(a[k]);                                                             \
                yb[r + k] = _mm512_reduce_add_ps(c[k]);                                                             \
            }                                                                                                       \
        }                                                                                                           \
        for (; r < nrows; r++) {                                                                                    \
            ya[r] = DOT(rows + (size_t)r * rb, xa, n);                                                              \
            yb[r] = DOT(rows + (size_t)r * rb, xb, n);                                                              \
        }                                                                                                           \
    }
ROWS_X2_512(rows_q8_0_512_x2, q8_0_lh_512, 34, dot_q8_0_512)
ROWS_X2_512(rows_q4_0_512_x2, q4_0_lh_512, 18, dot_q4_0_512)
#undef ROWS_X2_512

/* Q4_K: d*scale_j * dot(q_j, x_j) per group of 32, minus dmin * sum_j min_j * sum(x_j); xs[g]
 * = sum of x over group g (made once per call, shared by the rows) */
AVX512 static float dot_q4_k_512x(const uint8_t *b, const float *x, const float *xs, int64_t n) {
    __m512 acc = _mm512_setzero_ps();
    const __m256i m4 = _mm256_set1_epi8(0xF);
    float mins = 0;
    for (int64_t i = 0; i < n; i += 256, b += 144, xs += 8) {
        const float d = h2f5(b), dmin = h2f5(b + 2);
        const uint8_t *q = b + 16;
        float ms = 0;
        for (int j = 0; j < 4; j++) {
            const float *xx = x + i + 64 * j;
            __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * j));
            __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            int sc1, m1, sc2, m2;
            scale_min_k4(2 * j, b + 4, &sc1, &m1);
            scale_min_k4(2 * j + 1, b + 4, &sc2, &m2);
            __m512 s1 = _mm512_fmadd_ps(u8x16(_mm256_extracti128_si256(lo, 1)), _mm512_loadu_ps(xx + 16),
                                        _mm512_mul_ps(u8x16(_mm256_castsi256_si128(lo)), _mm512_loadu_ps(xx)));
            __m512 s2 = _mm512_fmadd_ps(u8x16(_mm256_extracti128_si256(hi, 1)), _mm512_loadu_ps(xx + 48),
                                        _mm512_mul_ps(u8x16(_mm256_castsi256_si128(hi)), _mm512_loadu_ps(xx + 32)));
            acc = _mm512_fmadd_ps(_mm512_set1_ps(d * sc1), s1, acc);
            acc = _mm512_fmadd_ps(_mm512_set1_ps(d * sc2), s2, acc);
            ms += m1 * xs[2 * j] + m2 * xs[2 * j + 1];
        }
        mins += dmin * ms;
    }
    return _mm512_reduce_add_ps(acc) - mins;
}

/* sums of x over groups of 32 into xs (n / 32 of them) */
AVX512 static void group_sums_512(const float *x, int64_t n, float *xs) {
    for (int64_t g = 0; g < n / 32; g++)
        xs[g] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_loadu_ps(x + 32 * g), _mm512_loadu_ps(x + 32 * g + 16)));
}

/* Q6_K: 16 groups of 16, q = 6 bits - 32, w = d * scale * q. The 16 scales times d are made
 * once per block (one vector) and stored, so each group's broadcast is a load, not a shuffle. */
AVX512 static float dot_q6_k_512(const uint8_t *b, const float *x, int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
    const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3), k32 = _mm256_set1_epi8(32);
    float fs[16] __attribute__((aligned(64)));
    for (int64_t i = 0; i < n; i += 256, b += 210) {
        __m512 sc = i8x16(_mm_loadu_si128((const __m128i *)(b + 192)));
        _mm512_store_ps(fs, _mm512_mul_ps(_mm512_set1_ps(h2f5(b + 208)), sc));
        for (int c = 0; c < 2; c++) {
            const uint8_t *ql = b + 64 * c, *qh = b + 128 + 32 * c;
            const float *f = fs + 8 * c;
            const float *xx = x + i + 128 * c;
            __m256i a = _mm256_loadu_si256((const __m256i *)ql);
            __m256i a2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i h = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(a, m4), _mm256_slli_epi16(_mm256_and_si256(h, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(a2, m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a2, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m2), 4));
            for (int k = 0; k < 4; k++) {
                __m256i v = _mm256_sub_epi8(q[k], k32);
                __m512 g0 = _mm512_mul_ps(i8x16(_mm256_castsi256_si128(v)), _mm512_loadu_ps(xx + 32 * k));
                __m512 g1 = _mm512_mul_ps(i8x16(_mm256_extracti128_si256(v, 1)), _mm512_loadu_ps(xx + 32 * k + 16));
                acc0 = _mm512_fmadd_ps(_mm512_set1_ps(f[2 * k]), g0, acc0);
                acc1 = _mm512_fmadd_ps(_mm512_set1_ps(f[2 * k + 1]), g1, acc1);
            }
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

#define XS_MAX 4096   /* Q4_K rows up to 131072 weights take the group-sum route */

static float dot_512(int type, const uint8_t *row, const float *x, int64_t n) {
    switch (type) {
    case QT_F32: return dot_f32u_512(row, x, n);
    case QT_F16: return dot_f16_512(row, x, n);
    case QT_Q8_0: return dot_q8_0_512(row, x, n);
    case QT_Q4_0: return dot_q4_0_512(row, x, n);
    case QT_Q6_K: return dot_q6_k_512(row, x, n);
    case QT_Q4_K:
        if (n / 32 <= XS_MAX) {
            float xs[XS_MAX];
            group_sums_512(x, n, xs);
            return dot_q4_k_512x(row, x, xs, n);
        }
        return dot_q4_k_avx2(row, x, n);
    case QT_BF16: return dot_bf16_avx2(row, x, n);
    }
    return dot_chunked(type, row, x, n, dot_f32_512);
}

static void rows_512(int type, const uint8_t *rows, size_t rb, int nrows, const float *x, int64_t n, float *y) {
    if (type == QT_F32) { rows_f32_512(rows, rb, nrows, x, n, y); return; }
    if (type == QT_Q8_0) { rows_q8_0_512(rows, rb, nrows, x, n, y); return; }
    if (type == QT_Q4_0) { rows_q4_0_512(rows, rb, nrows, x, n, y); return; }
    if (type == QT_Q4_K && n / 32 <= XS_MAX) {
        float xs[XS_MAX];
        group_sums_512(x, n, xs);
        for (int r = 0; r < nrows; r++) y[r] = dot_q4_k_512x(rows + (size_t)r * rb, x, xs, n);
        return;
    }
    for (int r = 0; r < nrows; r++) y[r] = dot_512(type, rows + (size_t)r * rb, x, n);
}

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
#endif

/* ---- dispatch ---- */

static int g_want = 2;    /* the most Quant_set_simd allows: 0 plain, 1 AVX2, 2 AVX-512 */
static int g_cpu;         /* what the CPU has (asked once) */
static pthread_once_t g_cpu_once = PTHREAD_ONCE_INIT;
static _Atomic int g_active = -1;   /* min(g_want, g_cpu) once asked: the kernels ask per chunk */
#ifdef QUANT_X86
static void ask_cpu(void) { g_cpu = cpu_has_avx512() ? 2 : cpu_has_avx2() ? 1 : 0; }
#endif

int Quant_set_simd(int level) {
    int old = g_want;
    g_want = level < 0 ? 0 : level > 2 ? 2 : level;
    atomic_store(&g_active, -1);
    return old;
}

int Quant_simd_active(void) {
#ifdef QUANT_X86
    int lv = atomic_load_explicit(&g_active, memory_order_relaxed);
    if (lv >= 0) return lv;
    pthread_once(&g_cpu_once, ask_cpu);
    lv = g_want < g_cpu ? g_want : g_cpu;
    atomic_store_explicit(&g_active, lv, memory_order_relaxed);
    return lv;
#else
    return 0;
#endif
}

float Quant_dot_row(int type, const void *row, const float *x, int64_t n) {
    if (!Quant_supported(type) || n <= 0) return 0.0f;
#ifdef QUANT_X86
    int lv = Quant_simd_active();
    if (lv == 2) return dot_512(type, row, x, n);
    if (lv == 1) return dot_avx2(type, row, x, n);
#endif
    return dot_chunked(type, row, x, n, dot_f32_plain);
}

static void dot_rows_chunk(int type, const void *rows, size_t row_bytes, int nrows, const float *x, int64_t n, float *y);

/* The rows go in chunks of about 2 KB (whole groups of 4 rows), and before a chunk is computed
 * the one two chunks ahead is requested (software prefetch): short rows (768 weights of Q8_0
 * are 816 bytes) read four at a time are too short a stream for the hardware prefetcher to
 * ramp up. Measured on one core (AMD EPYC Zen 5, matrix 3072x768 Q8_0, not in cache): 2-7 GB/s
 * without, 11-27 GB/s with (a busy shared machine; the ranges of repeated runs). Rows of
 * PF_LONG bytes or more (F32 rows of 768 weights and up) are long streams the hardware
 * prefetcher follows: on AMD EPYC Zen 3 (2 threads, GPT-2's F32 generation, four alternating
 * rounds of 40 steps) software prefetch there measured 0-10% slower than none. With the AVX2
 * kernels (Zen 3, which has no AVX-512) the chunk itself is requested right before it is
 * computed instead (all its cache lines in flight at once, rather than as the loop reaches
 * them): llama-Q8_0 generation, three alternating rounds of 40 steps, 14.9-18.4 ms a token
 * (mean) so, 19.1-22.7 ms two chunks ahead, 22.4-26.7 ms before these changes (chunks of
 * 1-8 KB, 1-4 ahead: all slower than the chunk itself). Two ahead stays for AVX-512, where it
 * was measured. */
enum { PF_CHUNK = 2048, PF_AHEAD = 2, PF_LONG = 3072 };

void Quant_dot_rows(int type, const void *rows, size_t row_bytes, int nrows, const float *x, int64_t n, float *y) {
    Quant_dot_rows_n(type, rows, row_bytes, nrows, x, 0, 1, n, y, 0);
}

/* Each chunk (in L1 by then) meets every x in turn, so the rows are read from memory once. F32
 * rows on AVX-512 meet two x a pass (rows_f32_512_x2): measured on an Intel Xeon (AVX-512, 2
 * vCPUs, GPT-2-shaped F32, context 64, median of 40 steps, two rounds) a B=2 step took 1.25-1.28x
 * B=1's with a second pass per x over the chunk, 1.15-1.17x so. Q8_0 and Q4_0 rows likewise
 * convert each block once for both x: on the same machine (bench/mkgguf's llama) a B=2 step
 * went from 10.4-10.6 to 8.6-8.8 ms (Q8_0) and from 9.8-10.3 to 6.1-6.4 ms (Q4_0). */
void Quant_dot_rows_n(int type, const void *rows, size_t row_bytes, int nrows, const float *x, size_t ldx, int nx,
                      int64_t n, float *y, size_t ldy) {
    const uint8_t *p = rows;
    const int ch = row_bytes >= PF_CHUNK ? 4 : (int)((PF_CHUNK / row_bytes + 3) / 4 * 4);
    const int ahead = Quant_simd_active() == 2 ? PF_AHEAD : 0;   /* chunks ahead; 0: this one */
#ifdef QUANT_X86
    typedef void (*RowsX2)(const uint8_t *, size_t, int, const float *, const float *, int64_t, float *, float *);
    static const RowsX2 k_x2[3][3] = { { NULL, NULL, NULL },   /* plain C: one x at a time */
                                       { rows_f32_avx2_x2, rows_q8_0_avx2_x2, rows_q4_0_avx2_x2 },
                                       { rows_f32_512_x2, rows_q8_0_512_x2, rows_q4_0_512_x2 } };
    const int ti = type == QT_F32 ? 0 : type == QT_Q8_0 ? 1 : type == QT_Q4_0 ? 2 : -1;
    const RowsX2 x2 = nx < 2 || n <= 0 || ti < 0 ? NULL : k_x2[Quant_simd_active()][ti];
#endif
    for (int r0 = 0; r0 < nrows; r0 += ch) {
        const int k = nrows - r0 < ch ? nrows - r0 : ch;
        for (int d = r0 == 0 && ahead ? 1 : ahead; d <= ahead && row_bytes < PF_LONG; d++) {   /* at the start, the chunks before it too */
            const int a0 = r0 + d * ch;
            if (a0 >= nrows) break;
            const size_t nb = (size_t)(nrows - a0 < ch ? nrows - a0 : ch) * row_bytes;
            for (size_t o = 0; o < nb; o += 64) __builtin_prefetch(p + (size_t)a0 * row_bytes + o);
        }
        int i = 0;
#ifdef QUANT_X86
        if (x2)   /* two x a pass over the chunk */
            for (; i + 2 <= nx; i += 2)
                x2(p + (size_t)r0 * row_bytes, row_bytes, k, x + i * ldx, x + (i + 1) * ldx, n, y + i * ldy + r0,
                   y + (i + 1) * ldy + r0);
#endif
        for (; i < nx; i++)
            dot_rows_chunk(type, p + (size_t)r0 * row_bytes, row_bytes, k, x + i * ldx, n, y + i * ldy + r0);
    }
}

static void dot_rows_chunk(int type, const void *rows, size_t row_bytes, int nrows, const float *x, int64_t n, float *y) {
    const uint8_t *p = rows;
#ifdef QUANT_X86
    int lv = Quant_supported(type) && n > 0 ? Quant_simd_active() : 0;
    if (lv == 2) {
        rows_512(type, p, row_bytes, nrows, x, n, y);
        return;
    }
    if (lv == 1 && type == QT_F32) {
        rows_f32_avx2(p, row_bytes, nrows, x, n, y);
        return;
    }
    if (lv == 1 && (type == QT_Q8_0 || type == QT_Q4_0)) {
        rows4_avx2(type, p, row_bytes, nrows, x, n, y);
        return;
    }
#endif
    for (int r = 0; r < nrows; r++) y[r] = Quant_dot_row(type, p + (size_t)r * row_bytes, x, n);
}

/* ---- non-finite weights ----
 * Quantized weights are small integers times per-block f16 scales (and minimums), so only those
 * can be NaN or Inf: each block's scale fields are checked, at their offsets in the layouts
 * above. Float rows are checked value by value, a word at a time: a lane's exponent bits plus
 * one carry into its sign bit exactly when they are all ones (NaN or Inf). */
static int f16_nonfinite(const uint8_t *p) { return ((p[1] >> 2) & 0x1f) == 0x1f; }

/* 1 when one of the n 16-bit floats at p is NaN or Inf; exp = the exponent mask of one lane */
static int halves_nonfinite(const uint8_t *p, int64_t n, uint16_t exp) {
    const uint64_t E = 0x0001000100010001ull * exp, ONE = 0x0001000100010001ull * (uint16_t)(exp & -exp),
                   TOP = 0x8000800080008000ull;
    uint64_t acc = 0, w;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) { memcpy(&w, p + 2 * i, 8); acc |= (w & E) + ONE; }
    for (; i < n; i++) { uint16_t h = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8); if ((h & exp) == exp) return 1; }
    return (acc & TOP) != 0;
}

int64_t Quant_first_nonfinite(int type, const void *data, int64_t nrows, int64_t n) {
    const TypeInfo *ti = info(type);
    if (!ti || nrows <= 0 || n <= 0) return -1;
    const uint8_t *p = data;
    size_t rb = 0;
    if (Quant_row_bytes(type, n, &rb) != 0) return -1;
    if (type == QT_F32 || type == QT_F16 || type == QT_BF16) {
        for (int64_t r = 0; r < nrows; r++, p += rb) {
            int bad;
            if (type == QT_F32) {
                const uint64_t E = 0x7f8000007f800000ull, ONE = 0x0080000000800000ull, TOP = 0x8000000080000000ull;
                uint64_t acc = 0, w;
                int64_t i = 0;
                for (; i + 2 <= n; i += 2) { memcpy(&w, p + 4 * i, 8); acc |= (w & E) + ONE; }
                bad = (acc & TOP) != 0;
                if (i < n) { float f; memcpy(&f, p + 4 * i, 4); bad |= !isfinite(f); }
            } else {
                bad = halves_nonfinite(p, n, type == QT_F16 ? 0x7c00 : 0x7f80);
            }
            if (bad) return r;
        }
        return -1;
    }
    /* the scale fields of a block: offsets of f16 values (-1: none) */
    int off[2] = {-1, -1};
    switch (type) {
    case QT_Q4_0: case QT_Q5_0: case QT_Q8_0: off[0] = 0; break;
    case QT_Q4_1: case QT_Q5_1: case QT_Q4_K: case QT_Q5_K: off[0] = 0; off[1] = 2; break;
    case QT_Q2_K: off[0] = 80; off[1] = 82; break;
    case QT_Q3_K: off[0] = 108; break;
    case QT_Q6_K: off[0] = 208; break;
    default: break;
    }
    const int64_t per_row = n / ti->bs;
    for (int64_t r = 0; r < nrows; r++)
        for (int64_t k = 0; k < per_row; k++, p += ti->bytes)
            if (f16_nonfinite(p + off[0]) || (off[1] >= 0 && f16_nonfinite(p + off[1]))) return r;
    return -1;
}
