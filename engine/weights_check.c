/* weights_check.c - NaN / Inf checks for weights and for a forward pass (see weights_check.h). */
#include "weights_check.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sw.h"

/* An IEEE float is NaN or Inf when its 8 exponent bits are all ones; adding one to the exponent
 * field then carries into the float's top bit (and no further, so two floats fit in one 64-bit
 * word). OR-ing that over a block needs no branch per value and runs at memory speed; only a
 * block that has one is searched value by value. */
size_t Weights_first_nonfinite(const float *x, size_t n) {
    const uint64_t EXP = 0x7f8000007f800000ull, ONE = 0x0080000000800000ull, TOP = 0x8000000080000000ull;
    const size_t B = 4096;   /* floats per block (a multiple of 8) */
    for (size_t i0 = 0; i0 < n; i0 += B) {
        size_t i1 = i0 + B < n ? i0 + B : n, i = i0;
        uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, w[4];
        for (; i + 8 <= i1; i += 8) {
            memcpy(w, x + i, 32);
            a0 |= (w[0] & EXP) + ONE;
            a1 |= (w[1] & EXP) + ONE;
            a2 |= (w[2] & EXP) + ONE;
            a3 |= (w[3] & EXP) + ONE;
        }
        int found = ((a0 | a1 | a2 | a3) & TOP) != 0;
        for (; i < i1; i++) found |= !isfinite(x[i]);
        if (found)
            for (i = i0; i < i1; i++)
                if (!isfinite(x[i])) return i;
    }
    return n;
}

static const char *what(float v) { return isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

int Weights_check_finite(const char *path_for_msg, const char *tensor_name, const float *w, size_t n, char *err) {
    size_t i = Weights_first_nonfinite(w, n);
    if (i == n) return 0;
    char sb[SW_SHORT_LEN];
    sw_seterr(err, "%s: tensor %s has %s at element %zu of %zu; the weights are damaged (fetch the model again)",
              path_for_msg, sw_short(tensor_name, sb), what(w[i]), i, n);
    return -1;
}

int Weights_check_llama2c(const char *path, const float *w, size_t D, size_t F, size_t L, size_t kvd,
                          size_t V, size_t rope, int shared_classifier, char *err) {
    const struct { const char *name; size_t n; int per_layer; } sec[] = {
        {"token_embedding", V * D, 0}, {"rms_att", D, 1}, {"wq", D * D, 1}, {"wk", kvd * D, 1},
        {"wv", kvd * D, 1}, {"wo", D * D, 1}, {"rms_ffn", D, 1}, {"w1", F * D, 1}, {"w2", D * F, 1},
        {"w3", F * D, 1}, {"rms_final", D, 0}, {NULL, rope, 0}, {"wcls", shared_classifier ? 0 : V * D, 0},
    };
    const float *p = w;
    for (size_t s = 0; s < sizeof sec / sizeof sec[0]; s++) {
        size_t n = sec[s].per_layer ? sec[s].n * L : sec[s].n;
        size_t i = sec[s].name ? Weights_first_nonfinite(p, n) : n;
        if (i < n) {
            char name[64];
            if (sec[s].per_layer) snprintf(name, sizeof name, "%s (layer %zu)", sec[s].name, i / sec[s].n);
            else snprintf(name, sizeof name, "%s", sec[s].name);
            sw_seterr(err, "%s: tensor %s has %s at element %zu of %zu; the weights are damaged (fetch the model again)",
                      path, name, what(p[i]), sec[s].per_layer ? i % sec[s].n : i, sec[s].n);
            return -1;
        }
        p += n;
    }
    return 0;
}

int Weights_check_station(const char *station, const float *x, size_t n, char *err) {
    size_t i = Weights_first_nonfinite(x, n);
    if (i == n) return 0;
    sw_seterr(err, "%s produced %s (at value %zu of %zu); the model's numbers broke down here", station, what(x[i]), i, n);
    return -1;
}

/* The first non-finite value of a view over the real positions (axes named "T" stop at the
 * row's length): 1 with *bad_b / *bad_pos / *bad set, else 0. */
static int view_nonfinite(const Trace *t, const TensorView *v, int *bad_b, int *bad_pos, float *bad) {
    int dims[4] = {1, 1, 1, 1};
    long st[4] = {0, 0, 0, 0};
    for (int a = 0; a < v->ndim && a < 4; a++) { dims[a] = v->dims[a]; st[a] = v->stride[a]; }
    for (int i0 = 0; i0 < dims[0]; i0++) {
        int len = t->len[i0 < SW_MAX_B ? i0 : 0];
        int lim[4];
        for (int a = 0; a < 4; a++) lim[a] = a < v->ndim && strcmp(v->axes[a], "T") == 0 && dims[a] > len ? len : dims[a];
        for (int i1 = 0; i1 < lim[1]; i1++)
            for (int i2 = 0; i2 < lim[2]; i2++) {
                const float *row = v->data + i0 * st[0] + i1 * st[1] + i2 * st[2];
                for (int i3 = 0; i3 < lim[3]; i3++) {
                    float x = row[i3 * st[3]];
                    if (!isfinite(x)) {
                        *bad_b = i0;
                        *bad_pos = v->ndim >= 2 && strcmp(v->axes[1], "T") == 0 ? i1 : v->ndim >= 3 && strcmp(v->axes[2], "T") == 0 ? i2 : -1;
                        *bad = x;
                        return 1;
                    }
                }
            }
    }
    return 0;
}

static int say_station(Trace *t, StationRef s, int which, char *err) {
    TensorView v;
    char e2[SW_ERR_LEN];
    if (Trace_tensor(t, s, which, &v, e2) != 0) return 0;
    int b = 0, pos = -1;
    float x = 0;
    if (!view_nonfinite(t, &v, &b, &pos, &x)) return 0;
    char label[96], at[48] = "";
    Station_label(s, label, sizeof label);
    if (pos >= 0) snprintf(at, sizeof at, ", position %d", pos);
    sw_seterr(err, "the forward pass produced %s at station %s (row b=%d%s); its weights overflow float32 (a damaged or wrong file?)",
              what(x), label, b, at);
    return 1;
}

int Trace_check_finite(Trace *t, char *err) {
    const Config *c = &t->m->c;
    int ok = 1;
    for (int b = 0; ok && b < t->B; b++) {
        const float *fn = t->final_norm + (size_t)b * t->Tcap * c->dim;
        ok = Weights_first_nonfinite(fn, (size_t)t->len[b] * c->dim) == (size_t)t->len[b] * c->dim;
        /* logits only when the pass kept them (computing rows here would cost an LM head) */
        const float *lg = t->logits ? t->logits + ((size_t)b * t->Tcap + (size_t)(t->len[b] - 1)) * c->vocab_size : NULL;
        ok = ok && (!lg || Weights_first_nonfinite(lg, (size_t)c->vocab_size) == (size_t)c->vocab_size);
    }
    if (ok) return 0;
    /* find where it began: the outer stations in order, and inside the first bad block its steps */
    StationRef outer[4 + 1024 + 8];
    int no = Stations_outer(c, outer, (int)(sizeof outer / sizeof outer[0]));
    for (int i = 0; i < no; i++) {
        StationRef s = outer[i];
        if (s.kind == ST_TOKENIZE || s.kind == ST_NEXT || s.kind == ST_SOFTMAX) continue;
        if (s.kind == ST_BLOCK) {
            TensorView v;
            int b, pos;
            float x;
            char e2[SW_ERR_LEN];
            if (Trace_tensor(t, s, 0, &v, e2) != 0 || !view_nonfinite(t, &v, &b, &pos, &x)) continue;
            StationRef in[16];
            int ni = Stations_inner(c, s.layer, in, 16);
            for (int k = 0; k < ni; k++) {
                if (in[k].kind == ST_MASK) continue;   /* -inf above the diagonal is the mask itself */
                for (int which = 0; which < 3; which++)
                    if (say_station(t, in[k], which, err)) return -1;
            }
            if (say_station(t, s, 0, err)) return -1;
            break;
        }
        if (s.kind == ST_LM_HEAD) break;
        if (say_station(t, s, 0, err)) return -1;
    }
    sw_seterr(err, "the forward pass produced a NaN or an Inf in the logits (station 5 LM head); its weights overflow float32 (a damaged or wrong file?)");
    return -1;
}
