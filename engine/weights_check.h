/* weights_check.h - refuse weights that hold NaN or Inf, and find the first non-finite value of
 * a forward pass's numbers (the station that produced it can then be named).
 *
 * A NaN or Inf in a weight makes every probability after it NaN: --json would print null and
 * generation would pick token 0, with no word of warning. The loaders check every tensor once
 * at load (a single pass over the floats at memory speed) and refuse the file, naming the tensor.
 */
#ifndef SW_WEIGHTS_CHECK_H
#define SW_WEIGHTS_CHECK_H

#include <stddef.h>

/* Index of the first NaN or Inf in x[0..n), or n when all are finite. */
size_t Weights_first_nonfinite(const float *x, size_t n);

/* 0 when w[0..n) are all finite; else -1 with err:
 * "PATH: tensor NAME has NaN at element I of N; the file is damaged (fetch the model again)". */
int Weights_check_finite(const char *path_for_msg, const char *tensor_name, const float *w, size_t n, char *err);

/* The same over a whole llama2.c checkpoint's weights, w = the floats after the 28-byte header in
 * file order (token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, [RoPE
 * tables, not checked], [wcls when not shared]); the message names the tensor and its layer. */
int Weights_check_llama2c(const char *path, const float *w, size_t D, size_t F, size_t L, size_t kvd,
                          size_t V, size_t rope, int shared_classifier, char *err);

/* For a forward pass: 0 when x[0..n) are finite; else -1 with err
 * "STATION produced NaN (at value I of N); the model's numbers broke down here". */
int Weights_check_station(const char *station, const float *x, size_t n, char *err);


#include "trace.h"

/* After a forward pass: 0 when its numbers are finite where every later one depends on them
 * (the final norm of every real position, and the logits of each row's last position when the
 * pass kept its logits: about B*T*D + B*V floats, next to nothing). Otherwise -1 with err naming the first station, in
 * walk order, whose output holds a NaN or an Inf, e.g.
 * "the forward pass produced +Inf at station 3.2.b q, k, v (row b=0, position 3); its weights
 *  overflow float32 (a damaged or wrong file?)". Trace_run calls it. */
int Trace_check_finite(Trace *t, char *err);

#endif
