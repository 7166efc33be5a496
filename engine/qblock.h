/* qblock.h - inside a quantized weight matrix: one block's scale(s) and integer codes, its
 * dequantized values, and the rounding error of the whole matrix against a reference copy of
 * the same tensor (the F32 file of the same model). For the quantization screen (tui/quant.c)
 * and the lesson on rounding (its numbers come from the real model's weights). */
#ifndef SW_QBLOCK_H
#define SW_QBLOCK_H

#include "model.h"
#include "quant.h"

/* One block of a matrix row. Codes are decoded for the 32-weight types (Q4_0, Q4_1, Q5_0,
 * Q5_1, Q8_0): w = (code - offset) * scale + min; other types give the values only. */
typedef struct {
    int type;
    int n;                      /* weights in the block (1 for F32/F16/BF16: one "block" = 32 values shown) */
    int has_codes;
    float scale, min;           /* d, and m for Q4_1/Q5_1 (else 0) */
    int offset;                 /* the code of zero: 8 (Q4_0), 16 (Q5_0), 0 (Q8_0's signed codes, Q4_1, Q5_1) */
    int bits;                   /* bits of one code: 4, 5, 8 */
    int codes[QUANT_MAX_BLOCK];
    float w[QUANT_MAX_BLOCK];   /* dequantized, as the forward pass uses them */
    int n_blocks;               /* blocks in a row */
    double bits_per_weight;
} QBlock;

/* The matrices of a model in GGUF's order and names ("token_embd.weight", "blk.0.attn_q.weight",
 * ..., "output.weight" when untied). Model_matrix returns the i-th (NULL past the end) and
 * writes its name. */
int Model_n_matrices(const Model *m);
const Linear *Model_matrix(const Model *m, int i, char *name, size_t cap);

/* Row r of W (an output unit: `in` weights) as floats, whatever W's type and layout. */
void Linear_row(const Linear *W, int r, float *out);

/* Block `blk` of row r of W: 0, or -1 when r or blk is out of range. Float types: 32 values
 * from blk * 32, no codes. */
int QBlock_read(const Linear *W, int r, int blk, QBlock *out);

/* Round n floats (n a multiple of 32) to Q8_0 or Q4_0 and back, as ggml's reference
 * quantizer does (Q8_0: d = max|x| / 127, code = round(x / d); Q4_0: d = the block's value of
 * largest magnitude / -8, code = min(15, trunc(x / d + 8.5)); d stored as f16): out holds the
 * values the quantized file would give. 0, or -1 for another type or a ragged n. */
int QBlock_round(int type, const float *x, int n, float *out);
/* float -> IEEE half bits, rounding to nearest even (overflow: inf). */
uint16_t QBlock_f32_to_f16(float f);

#define QERR_BINS 21
/* The rounding error e = w_q - w_ref over every weight of two same-shaped matrices. */
typedef struct {
    long n;
    double mean, rms, max_abs;  /* of e */
    double rms_w;               /* of w_ref: the scale the error is measured against */
    double lo, hi;              /* the histogram's range: [-max_abs, max_abs] */
    long hist[QERR_BINS];
} QError;
/* 0, or -1 with err when the shapes differ or memory runs out. */
int QError_measure(const Linear *q, const Linear *ref, QError *out, char *err);

#endif
