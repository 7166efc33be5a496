/* quant.h - tensor types as ggml defines them: block layouts, dequantization, fused dots.
 *
 * A type id is ggml's own `enum ggml_type` number, so a GGUF tensor's type maps directly.
 * Weights are stored in blocks of QK weights (32, or 256 for the K-quants; 1 for the float
 * types); a row of n weights (n a multiple of QK) takes n / QK * block bytes. Layouts (bytes,
 * little-endian, "f16" an IEEE half):
 *   Q4_0  f16 d, u8 qs[16]                      w = (nibble - 8) * d            (lo nibbles 0..15, hi 16..31)
 *   Q4_1  f16 d, f16 m, u8 qs[16]               w = nibble * d + m
 *   Q5_0  f16 d, u8 qh[4], u8 qs[16]            w = ((nibble | bit<<4) - 16) * d (bit j of qh for weight j)
 *   Q5_1  f16 d, f16 m, u8 qh[4], u8 qs[16]     w = (nibble | bit<<4) * d + m
 *   Q8_0  f16 d, i8 qs[32]                      w = q * d
 *   Q2_K  u8 scales[16], u8 qs[64], f16 d, f16 dmin          16 groups of 16, 4-bit scale and min each
 *   Q3_K  u8 hmask[32], u8 qs[64], u8 scales[12], f16 d      16 groups of 16, 6-bit signed scales
 *   Q4_K  f16 d, f16 dmin, u8 scales[12], u8 qs[128]         8 groups of 32, 6-bit scale and min
 *   Q5_K  f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
 *   Q6_K  u8 ql[128], u8 qh[64], i8 scales[16], f16 d        16 groups of 16
 * (learned from ggml's ggml-common.h / ggml-quants.c; the code here is shapewalk's own).
 *
 * Quant_dequant_row gives, bit for bit, the floats ggml's to_float gives (tests/test_quant.c
 * checks every value of ../shared/models/quant-types). The dot kernels do NOT quantize x: they
 * return dot(dequant(row), x) in float arithmetic, within float rounding of the exact dot.
 * On x86-64 the kernels are chosen at run time from what the CPU has: AVX-512 (F+BW+VL+DQ)
 * or AVX2+FMA+F16C kernels for F32, F16, Q8_0, Q4_0, Q4_K, Q6_K (AVX2 also BF16), the other
 * types through a dequantized block and a SIMD dot; Quant_dot_rows runs F32, Q8_0 and Q4_0
 * four rows at a time. Elsewhere, or after Quant_set_simd(0), plain C. The build itself
 * stays portable (no -march): the SIMD code is compiled with target attributes.
 * Row pointers may be unaligned (GGUF data in a mapping).
 */
#ifndef SW_QUANT_H
#define SW_QUANT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    QT_F32 = 0, QT_F16 = 1, QT_Q4_0 = 2, QT_Q4_1 = 3, QT_Q5_0 = 6, QT_Q5_1 = 7, QT_Q8_0 = 8,
    QT_Q2_K = 10, QT_Q3_K = 11, QT_Q4_K = 12, QT_Q5_K = 13, QT_Q6_K = 14, QT_BF16 = 30
} QuantType;

#define QUANT_MAX_BLOCK 256   /* the largest block (K-quants), in weights */

/* 1 when shapewalk reads this type id (the 13 above), else 0. */
int Quant_supported(int type);
/* "Q4_K", ...; ggml's name for a type ggml knows but shapewalk does not read ("IQ2_XXS",
 * "Q8_1", "I32"...); NULL for an id ggml does not define. */
const char *Quant_name(int type);
/* Weights per block (1 for F32/F16/BF16); 0 for an unsupported type. */
int Quant_block_size(int type);
/* Bytes per block; 0 for an unsupported type. */
size_t Quant_block_bytes(int type);
/* Storage per weight in bits: 32, 16, 4.5 (Q4_0, Q4_K), 8.5 (Q8_0), 6.5625 (Q6_K)...; 0 if unsupported. */
double Quant_bits_per_weight(int type);
/* Bytes of a row of n weights into *out: 0, or -1 when the type is unsupported, n < 0,
 * n is not a multiple of the block size, or the size overflows. */
int Quant_row_bytes(int type, int64_t n, size_t *out);

/* dst[0..n) = the n weights at src (n a multiple of the block size; src any alignment). */
void Quant_dequant_row(int type, const void *src, float *dst, int64_t n);

/* dot(dequant(row[0..n)), x[0..n)). */
float Quant_dot_row(int type, const void *row, const float *x, int64_t n);
/* y[r] = Quant_dot_row(type, rows + r * row_bytes, x, n) for r < nrows (row_bytes is the
 * stride: Quant_row_bytes of n for a matrix stored row after row). */
void Quant_dot_rows(int type, const void *rows, size_t row_bytes, int nrows, const float *x, int64_t n, float *y);
/* The same for nx vectors at once, x + i * ldx into y + i * ldy (i < nx): the rows are read
 * once for all of them (a few output rows at a time meet every x while in cache). */
void Quant_dot_rows_n(int type, const void *rows, size_t row_bytes, int nrows, const float *x, size_t ldx, int nx,
                      int64_t n, float *y, size_t ldy);

/* The most SIMD the kernels may use: 0 plain C, 1 AVX2, 2 AVX-512 (the default: the best the
 * CPU has). For tests and measurements; returns the previous setting. Not thread-safe: set it
 * before kernels run. */
int Quant_set_simd(int level);
/* The level in use now: min(the setting, what the CPU has). */
int Quant_simd_active(void);

/* The first of nrows rows of n weights (stored one after another) that holds a NaN or Inf, or
 * -1 when all are finite. Quantized rows: their blocks' scales are checked (the quants
 * themselves are integers); float rows: every value. */
int64_t Quant_first_nonfinite(int type, const void *data, int64_t nrows, int64_t n);

/* IEEE half / bfloat16 bits -> float (exact). */
float Quant_f16_to_f32(uint16_t h);
float Quant_bf16_to_f32(uint16_t h);

#endif
