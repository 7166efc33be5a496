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
