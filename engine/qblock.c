/* qblock.c - one block of a quantized matrix, and its rounding error (engine/qblock.h). */
#include "qblock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the i-th present matrix (a slot the family does not use, as the fused q|k|v of a llama, is skipped) */
static const Linear *nth_matrix(const Model *m, int i, char *name, size_t cap, int *count) {
    int n = 0;
    if (m->tok_emb.w || m->tok_emb.q) {
        if (n++ == i) { snprintf(name, cap, "token_embd.weight"); return &m->tok_emb; }
    }
    for (int l = 0; l < m->c.n_layers; l++)
        for (int k = 0; k < Model_n_layer_slots; k++) {
            const WeightSlot *s = &Model_layer_slots[k];
            if (!s->matrix) continue;
            const Linear *W = Model_slot_linear(&m->layers[l], s);
            if (!W->w && !W->q) continue;
            if (n++ == i) { snprintf(name, cap, "blk.%d.%s", l, s->name); return W; }
        }
    if (!m->c.shared_classifier && (m->lm_head.w || m->lm_head.q))
        if (n++ == i) { snprintf(name, cap, "output.weight"); return &m->lm_head; }
    if (count) *count = n;
    return NULL;
}

int Model_n_matrices(const Model *m) {
    char nm[8];
    int n = 0;
    nth_matrix(m, -1, nm, sizeof nm, &n);
    return n;
}

const Linear *Model_matrix(const Model *m, int i, char *name, size_t cap) {
    if (i < 0) return NULL;
    return nth_matrix(m, i, name, cap, NULL);
}

void Linear_row(const Linear *W, int r, float *out) {
    if (W->w) {
        if (W->out_major) memcpy(out, W->w + (size_t)r * W->in, sizeof(float) * (size_t)W->in);
        else for (int i = 0; i < W->in; i++) out[i] = W->w[(size_t)i * W->out + r];
    } else {
        Quant_dequant_row(W->type, (const char *)W->q + (size_t)r * W->row_bytes, out, W->in);
    }
}

static float half_at(const uint8_t *p) { return Quant_f16_to_f32((uint16_t)(p[0] | p[1] << 8)); }

int QBlock_read(const Linear *W, int r, int blk, QBlock *out) {
    memset(out, 0, sizeof *out);
    if ((!W->w && !W->q) || r < 0 || r >= W->out || blk < 0) return -1;
    int type = W->w ? QT_F32 : W->type, bs = Quant_block_size(type);
    if (bs <= 1) bs = 32;   /* float rows: show 32 values at a time */
    if (bs > QUANT_MAX_BLOCK) bs = QUANT_MAX_BLOCK;
    out->n_blocks = (W->in + bs - 1) / bs;
    if (blk >= out->n_blocks) return -1;
    out->type = type;
    out->bits_per_weight = Quant_bits_per_weight(type);
    float *row = malloc(sizeof(float) * (size_t)W->in);
    if (!row) return -1;
    Linear_row(W, r, row);
    int n = W->in - blk * bs < bs ? W->in - blk * bs : bs;
    out->n = n;
    memcpy(out->w, row + (size_t)blk * bs, sizeof(float) * (size_t)n);
    free(row);
    if (W->w) return 0;
    const uint8_t *b = (const uint8_t *)W->q + (size_t)r * W->row_bytes + (size_t)blk * Quant_block_bytes(type);
    /* the layouts of engine/quant.h */
    switch (type) {
    case QT_Q4_0: case QT_Q4_1: case QT_Q5_0: case QT_Q5_1: {
        int has_min = type == QT_Q4_1 || type == QT_Q5_1, five = type == QT_Q5_0 || type == QT_Q5_1;
        out->scale = half_at(b);
        out->min = has_min ? half_at(b + 2) : 0;
        const uint8_t *qh = b + (has_min ? 4 : 2), *qs = qh + (five ? 4 : 0);
        uint32_t h = five ? (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 | (uint32_t)qh[3] << 24 : 0;
        for (int j = 0; j < 16; j++) {
            out->codes[j] = (qs[j] & 0xF) | (five ? (int)((h >> j) & 1) << 4 : 0);
            out->codes[j + 16] = (qs[j] >> 4) | (five ? (int)((h >> (j + 16)) & 1) << 4 : 0);
        }
        out->bits = five ? 5 : 4;
        out->offset = has_min ? 0 : (five ? 16 : 8);
        out->has_codes = 1;
        break;
    }
    case QT_Q8_0:
        out->scale = half_at(b);
        for (int j = 0; j < 32; j++) out->codes[j] = (int8_t)b[2 + j];
        out->bits = 8;
        out->has_codes = 1;
        break;
    default: break;
    }
    return 0;
}

int QError_measure(const Linear *q, const Linear *ref, QError *out, char *err) {
    memset(out, 0, sizeof *out);
    if (q->in != ref->in || q->out != ref->out) {
        sw_seterr(err, "the two tensors have different shapes (%dx%d against %dx%d)", q->out, q->in, ref->out, ref->in);
        return -1;
    }
    float *a = malloc(sizeof(float) * (size_t)q->in), *b = malloc(sizeof(float) * (size_t)q->in);
    if (!a || !b) { free(a); free(b); sw_seterr(err, "out of memory"); return -1; }
    double s = 0, s2 = 0, w2 = 0, mx = 0;
    /* two passes: the range, then the histogram */
    for (int pass = 0; pass < 2; pass++)
        for (int r = 0; r < q->out; r++) {
            Linear_row(q, r, a);
            Linear_row(ref, r, b);
            for (int i = 0; i < q->in; i++) {
                double e = (double)a[i] - (double)b[i];
                if (pass == 0) {
                    s += e;
                    s2 += e * e;
                    w2 += (double)b[i] * b[i];
                    if (fabs(e) > mx) mx = fabs(e);
                } else if (mx > 0) {
                    int k = (int)floor((e + mx) / (2 * mx) * QERR_BINS);
                    if (k < 0) k = 0;
                    if (k >= QERR_BINS) k = QERR_BINS - 1;
                    out->hist[k]++;
                } else {
                    out->hist[QERR_BINS / 2]++;
                }
            }
        }
    free(a);
    free(b);
    out->n = (long)q->in * q->out;
    out->mean = s / out->n;
    out->rms = sqrt(s2 / out->n);
    out->rms_w = sqrt(w2 / out->n);
    out->max_abs = mx;
    out->lo = -mx;
    out->hi = mx;
    return 0;
}

uint16_t QBlock_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, ex = (x >> 23) & 0xFF, man = x & 0x7FFFFF;
    if (ex == 0xFF) return (uint16_t)(sign | 0x7C00 | (man ? 0x200 : 0));   /* inf, NaN */
    int e = (int)ex - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00);
    if (e <= 0) {   /* a half subnormal (or 0): shift the mantissa with its hidden bit */
        if (e < -10) return (uint16_t)sign;
        man |= 0x800000;
        int shift = 14 - e;
        uint32_t h = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;   /* may carry into the exponent: right */
    return (uint16_t)(sign | h);
}

int QBlock_round(int type, const float *x, int n, float *out) {
    if ((type != QT_Q8_0 && type != QT_Q4_0) || n % 32) return -1;
    for (int b = 0; b < n; b += 32) {
        const float *v = x + b;
        float *o = out + b;
        if (type == QT_Q8_0) {
            float amax = 0;
            for (int j = 0; j < 32; j++) if (fabsf(v[j]) > amax) amax = fabsf(v[j]);
            float d = amax / 127, id = d != 0 ? 1 / d : 0;
            float dh = Quant_f16_to_f32(QBlock_f32_to_f16(d));
            for (int j = 0; j < 32; j++) o[j] = (float)(int)roundf(v[j] * id) * dh;
        } else {
            float amax = 0, mx = 0;
            for (int j = 0; j < 32; j++)
                if (fabsf(v[j]) > amax) { amax = fabsf(v[j]); mx = v[j]; }
            float d = mx / -8, id = d != 0 ? 1 / d : 0;
            float dh = Quant_f16_to_f32(QBlock_f32_to_f16(d));
            for (int j = 0; j < 32; j++) {
                int q = (int)(signed char)(v[j] * id + 8.5f);
                if (q > 15) q = 15;
                o[j] = (float)(q - 8) * dh;
            }
        }
    }
    return 0;
}
