/* trace.h - a recorded forward pass: every station's numbers for a batch of prompts.
 *
 * Trace_run() tokenizes B prompts, runs the forward pass over all B*T positions at once
 * (cblas_sgemm on the packed rows; padding is never computed) and records:
 *   - always: ids, embedding rows, the residual stream after positions and after every
 *     block, the final norm, the logits (or, past a memory budget, logits recomputed per
 *     row on demand), and the KV cache for generation;
 *   - per block, the inner steps (norm, q/k/v, scores, probs, ...): kept for every layer
 *     when they fit the budget, otherwise recomputed for one layer on demand from the
 *     stored residual stream (Trace_layer()).
 * Rows have their own lengths len[b]; T = max len. Position t of row b exists iff
 * t < len[b]; others are padding and are shown as padding.
 *
 * Trace_generate() appends one token per row and runs only the new positions against the
 * KV cache; afterwards the trace covers T+1 positions exactly like a fresh run would.
 */
#ifndef SW_TRACE_H
#define SW_TRACE_H

#include "model.h"
#include "stations.h"

/* A strided view of up to 4 axes into trace memory (read-only). Element
 * [i0][i1][i2][i3] is data[i0*stride[0] + i1*stride[1] + ...]. */
typedef struct {
    const float *data;
    int ndim;
    int dims[4];
    long stride[4];
    char axes[4][4];   /* "B","T","D" / "B","h","T","T" / "B","T","F" / "B","h","T","d" */
} TensorView;

/* Inner-step numbers of one layer, each laid out [b][t][...] with row stride Tcap. */
typedef struct {
    float *norm1;     /* (B,Tcap,D)   */
    float *q, *k, *v; /* (B,Tcap,h*d) (B,Tcap,KV*d) (B,Tcap,KV*d), before RoPE */
    float *q_rot, *k_rot; /* Llama: after RoPE; GPT-2: NULL */
    float *scores;    /* (B,h,Tcap,Tcap) q.k/sqrt(d), before the mask (upper triangle too) */
    float *probs;     /* (B,h,Tcap,Tcap) softmax over the allowed keys, 0 above the diagonal */
    float *wsum;      /* (B,Tcap,D)   A@v, heads merged */
    float *attn_proj; /* (B,Tcap,D)   y@Wo (+bias) */
    float *resid_mid; /* (B,Tcap,D)   x + y@Wo */
    float *norm2;     /* (B,Tcap,D)   */
    float *mlp_pre;   /* (B,Tcap,F)   GPT-2: x@W1+b1 before gelu; Llama: x@W1 before silu */
    float *mlp_gate;  /* (B,Tcap,F)   Llama: x@W3; GPT-2 NULL */
    float *mlp_act;   /* (B,Tcap,F)   gelu(x@W1+b1) / silu(x@W1)*(x@W3) */
    float *mlp_out;   /* (B,Tcap,D)   h@W2 (+bias) */
    int valid;        /* numbers are current */
} LayerRec;

typedef struct {
    int max_new;          /* room to reserve for generated tokens (default 64) */
    int truncate;         /* 1: a too-long prompt keeps its BOS (when the tokenizer adds one)
                           * and the last tokens that fit the context */
    size_t budget_bytes;  /* memory for recorded inner steps and logits (default 256 MB) */
    /* progress: called after each block; return nonzero to cancel (Trace_run then fails
     * with err "cancelled"). May be NULL. Called on the thread running the pass. */
    int (*progress)(void *ud, int done, int total);
    void *progress_ud;
} TraceOpts;

typedef struct {
    float temperature;    /* 0 = greedy (argmax) */
    int top_k;            /* 0 = off */
    float top_p;          /* 1 or 0 = off */
    unsigned long long rng; /* seed/state; same seed, same tokens */
} Sampler;

typedef struct Trace {
    const Model *m;
    int B, T, Tcap;
    int len[SW_MAX_B];
    int prompt_len[SW_MAX_B]; /* tokens that came from the prompt (the rest were generated) */
    int truncated_from[SW_MAX_B]; /* the prompt's tokens before opts.truncate cut it (0: not cut) */
    char *prompts[SW_MAX_B];  /* copies of the prompt texts */
    int *ids;          /* (B,Tcap) */
    float *embed;      /* (B,Tcap,D)     E[ids] */
    float *resid;      /* (L+1,B,Tcap,D) [0] after positions; [l+1] after block l */
    float *final_norm; /* (B,Tcap,D) */
    float *logits;     /* (B,Tcap,V) or NULL when over budget (see Trace_logits_row) */
    float *key_cache, *value_cache; /* (L,B,KV,Tcap,d): each head's keys contiguous; k after RoPE for Llama */
    LayerRec *rec;     /* L entries */
    int keep_all_layers; /* inner steps of every layer fit the budget */
    int next_id[SW_MAX_B]; /* chosen next token per row (after Trace_choose) or -1 */
    TraceOpts opts;
    /* private scratch */
    float *scratch;    size_t scratch_len;
    float *row_logits; /* (LOGIT_CHUNK,V) for on-demand logits */
    int row_logits_bt; /* which (b*Tcap+t) row_logits starts at, or -1 */
    int row_logits_n;  /* how many positions it holds from there */
    float *probs_all;  /* lazy (B,Tcap,V) probabilities for the softmax tensor view */
    double run_ms;     /* wall time of the last forward */
    double matmul_ms;  /* of that, the time in its matmuls (weights times rows, the LM head's too) */
} Trace;

void TraceOpts_default(TraceOpts *o);

/* Tokenize and run B prompts (1..SW_MAX_B). Empty prompts are an error for GPT-2 (nothing
 * to predict from); for Llama BOS alone is fine. A prompt longer than the context fails
 * ("prompt 1 is 1500 tokens but gpt2's context is 1024; use --truncate to keep the last
 * 1024") unless opts->truncate (then truncated_from[b] says how many tokens it had). opts may be NULL. */
Trace *Trace_run(const Model *m, const char *const *prompts, int B, const TraceOpts *opts, char *err);
/* Same from token ids (each row its own length). */
Trace *Trace_run_ids(const Model *m, const int *const *ids, const int *lens, int B, const TraceOpts *opts, char *err);
void Trace_free(Trace *t);

/* The numbers of a station for all rows: e.g. ST_EMBED -> (B,T,D); ST_SCORES -> (B,h,T,T);
 * ST_LM_HEAD -> (B,T,V) (only when logits are stored); ST_QKV gives q (which=0), k (1), v (2);
 * ST_ROPE gives q_rot (0) / k_rot (1); ST_MLP_UP gives the activation (0), pre-activation (1),
 * Llama gate x@W3 (2); ST_OUT_PROJ: residual after (0), y@Wo (1); ST_MLP_DOWN: residual
 * after (0), h@W2 (1). dims[T] is the trace's T (padding included; check len[b]).
 * Inner stations recompute their layer if needed. ST_TOKENIZE/ST_NEXT have no floats:
 * returns -1 with err. */
int Trace_tensor(Trace *t, StationRef s, int which, TensorView *out, char *err);

/* The inner steps of a layer, recomputed from resid[layer] when not kept. NULL on OOM. */
const LayerRec *Trace_layer(Trace *t, int layer, char *err);

/* Logits / probabilities at (b, t): V floats. Valid until the next call for another row. */
const float *Trace_logits_row(Trace *t, int b, int pos);
/* probs = softmax(logits / temperature) with the max subtracted; temperature <= 0 means 1. */
void Trace_probs_row(Trace *t, int b, int pos, float temperature, float *out);

/* Index helpers */
static inline int Trace_id(const Trace *t, int b, int pos) { return t->ids[(size_t)b * t->Tcap + pos]; }
static inline const float *Trace_resid(const Trace *t, int layer_plus_1, int b, int pos) {
    const Config *c = &t->m->c;
    return t->resid + (((size_t)layer_plus_1 * t->B + b) * t->Tcap + pos) * c->dim;
}

/* ---- next token and generation ---- */

/* Choose next_id[b] for every row from its last position's logits. */
void Trace_choose(Trace *t, Sampler *s);
/* Append next_id[b] to every row (choosing first with s when next_id is -1) and run only the
 * new positions with the KV cache. Fails when a row reaches the context length. */
int Trace_generate(Trace *t, Sampler *s, char *err);

/* ---- what the model predicts (maths in engine/predict.c) ---- */

typedef struct { int id; float prob; float logit; } TopK;

/* The k most probable tokens at (b,pos) for temperature (<=0 means 1), best first. Returns k. */
int Trace_topk(Trace *t, int b, int pos, float temperature, int k, TopK *out);
/* The same, leaving all V probabilities in probs (one softmax for both). Returns k. */
int Trace_topk_probs(Trace *t, int b, int pos, float temperature, int k, TopK *out, float *probs);

/* What position pos gave the actual token at pos+1 (teacher forcing):
 * prob, loss = -ln(prob) in nats, rank (1 = top). Returns -1 when pos+1 >= len[b]. */
int Trace_next_token_stats(Trace *t, int b, int pos, float *prob, float *loss, int *rank);

/* Q[id] at (b,pos): the probability the model gives token id there (temperature 1); 0 when out of range. */
float Trace_token_prob(Trace *t, int b, int pos, int id);

/* Logit lens: top-k of softmax(lm_head(final_norm(resid after block `layer`))) at (b,pos). */
int Trace_logit_lens(Trace *t, int layer, int b, int pos, int k, TopK *out);

/* The logit lens for n cells at once, with one sgemm: out (n,V) = final_norm(x) @ W_lm where
 * x is the residual stream after block layer[i] at (b[i], pos[i]). xn: scratch of n*D floats. */
void Trace_lens_logits(const Trace *t, int n, const int *layer, const int *b, const int *pos, float *xn, float *out);

/* softmax with the max subtracted: out = exp(x - max) / sum. Returns the max. n >= 1. */
float sw_softmax(const float *x, int n, float *out);
/* Entropy in nats of a probability vector. */
double sw_entropy(const float *p, int n);

/* Sample an index from logits (n of them) with s (temperature 0 = argmax). */
int Sampler_pick(Sampler *s, const float *logits, int n);
/* The probability that Sampler_pick(s, logits, n) returns id, under s's temperature, top-k
 * and top-p (greedy: 1 for the argmax, 0 otherwise). s is not advanced. -1 on OOM. */
double Sampler_prob(const Sampler *s, const float *logits, int n, int id);

#endif
