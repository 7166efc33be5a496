/* model.h - a pretrained model: its Config, its weights (memory-mapped), its tokenizer.
 *
 * One struct for every format and family; the Config says what the blocks do. Loaders
 * register in model.c's table of formats (sniff + open):
 *   model_gpt2.c   Hugging Face folder: model.safetensors + config.json + vocab.json/merges.txt
 *                  (or OpenAI's encoder.json/vocab.bpe): LayerNorm, learned positions, fused
 *                  q|k|v with biases, GELU (tanh approximation), LM head tied to the embedding.
 *   model_llama.c  llama2.c .bin checkpoint (+ tokenizer .bin beside it): RMSNorm, RoPE on
 *                  pairs (2i,2i+1), grouped-query attention, SwiGLU, tied or separate classifier.
 *   model_gguf.c   GGUF files (llama.cpp's format) of the `llama` and `qwen2` families, with
 *                  their tokenizer and quantized weights.
 *
 * F32 weights point straight into the mapping (no copy). F16/BF16 safetensors tensors are
 * converted to F32 once at load into m->owned; quantized GGUF weights stay in the mapping
 * and are dequantized row by row where they are used (engine/quant.c).
 */
#ifndef SW_MODEL_H
#define SW_MODEL_H

#include "sw.h"
#include "tokenizer.h"

/* What a model's blocks do, described by their parts. The forward pass, the trace, the
 * station table and every screen ask these questions ("has RoPE?", "has q/k/v biases?"),
 * never "which family is this?"; the family name is only shown. */
typedef enum { NORM_LAYERNORM = 1, NORM_RMSNORM = 2 } NormKind;  /* LayerNorm has a bias */
typedef enum { POS_LEARNED = 1, POS_ROPE = 2 } PosKind;          /* a table P added / q,k rotated */
typedef enum { ROPE_PAIRS = 1, ROPE_HALVES = 2 } RopePairing;    /* (2i,2i+1) / NEOX (i,i+d/2) */
typedef enum { MLP_GELU = 1, MLP_SWIGLU = 2 } MlpKind;           /* gelu(x@Wu+b) / silu(x@Wg)*(x@Wu) */

typedef struct {
    int dim;          /* D  */
    int hidden_dim;   /* F  (MLP size; 4D for GPT-2) */
    int n_layers;     /* L  */
    int n_heads;      /* h  */
    int n_kv_heads;   /* KV (== h without grouped-query attention) */
    int head_dim;     /* d = D/h */
    int vocab_size;   /* V  */
    int seq_len;      /* context length (n_positions / seq_len / context_length) */
    NormKind norm;
    float norm_eps;
    PosKind pos;
    float rope_base;  /* theta: pair i turns by pos * base^(-2i/rope_dims) */
    int rope_dims;    /* rotated dimensions of each head (<= d; the rest pass through) */
    RopePairing rope_pairing;
    MlpKind mlp;
    int qkv_fused;    /* one (D,3D) matrix for q|k|v */
    int qkv_bias;     /* q, k and v have biases */
    int proj_bias;    /* the attention output and the MLP matrices have biases */
    int shared_classifier; /* 1: logits = x @ E^T (the LM head is the embedding) */
    char family[24];  /* shown only: "gpt2", "llama", "qwen2" */
    char format[16];  /* shown only: "safetensors", "llama2.c", "gguf" */
} Config;

/* A weight matrix used as y = x @ W with x (N,in) and y (N,out).
 * w non-NULL: type 0 (F32), floats:
 *   out_major = 0: stored (in,out) row-major, as GPT-2's Conv1D weights.
 *   out_major = 1: stored (out,in) row-major, as nn.Linear, llama2.c and GGUF (and E for a tied head).
 * Otherwise (a ggml tensor type, see engine/quant.h, or F32 rows at an odd address): w is
 * NULL and q points to `out` rows of `in` weights, row_bytes each, always out_major. */
typedef struct {
    const float *w;
    int in, out;
    int out_major;
    int type;
    const void *q;
    size_t row_bytes;
} Linear;

static inline Linear Linear_f32(const float *w, int in, int out, int out_major) {
    Linear W = { w, in, out, out_major, 0, NULL, 0 };
    return W;
}

/* One block's weights, named by role (as in llama.cpp's GGUF names). A NULL bias is absent. */
typedef struct {
    const float *attn_norm, *attn_norm_b;   /* (D) gain, bias (LayerNorm only) */
    Linear attn_qkv;                        /* (D,3D) fused q|k|v, when Config.qkv_fused */
    const float *attn_qkv_b;                /* (3D) */
    Linear attn_q, attn_k, attn_v;          /* (D,D) (D,KV*d) (D,KV*d) otherwise */
    const float *attn_q_b, *attn_k_b, *attn_v_b;
    Linear attn_out;                        /* (D,D) */
    const float *attn_out_b;                /* (D) */
    const float *ffn_norm, *ffn_norm_b;     /* (D) */
    Linear ffn_gate;                        /* (D,F) SwiGLU: silu(x@Wg) */
    Linear ffn_up;                          /* (D,F) GELU: gelu(x@Wu + bu); SwiGLU: * (x@Wu) */
    const float *ffn_up_b;                  /* (F) */
    Linear ffn_down;                        /* (F,D) */
    const float *ffn_down_b;                /* (D) */
} LayerWeights;

typedef struct Model {
    Config c;
    char name[128];        /* short name shown to users: "gpt2", "stories260K" */
    char path[4096];       /* what was opened */
    Linear tok_emb;        /* E (V,D): V rows of D (out_major; `out` = V) */
    const float *pos_emb;  /* P (ctx,D) for learned positions, else NULL */
    LayerWeights *layers;  /* L of them */
    const float *lnf_w, *lnf_b; /* final norm (lnf_b NULL for RMSNorm) */
    Linear lm_head;        /* (D,V) */
    Tokenizer *tok;
    char weights[16];      /* shown only: the weights' type, "F32", "F16", "Q8_0", "Q4_K_M" */
    size_t n_params;       /* parameters (Model_account) */
    /* ownership */
    SwMap map;             /* the weights file, mapped read-only */
    float *owned;          /* converted F16/BF16 tensors, or NULL */
    size_t weight_bytes;   /* bytes of weights read per token (for bandwidth figures) */
} Model;

/* Open a model. `path` may be:
 *   - a folder with model.safetensors + config.json + tokenizer files (GPT-2 family),
 *   - a llama2.c .bin checkpoint (tokenizer: `tok_path` if given, else tokenizer.bin or
 *     tok<V>.bin beside it),
 *   - a folder holding one llama2.c .bin and its tokenizer.
 * tok_path may be NULL. On failure returns NULL with a one-line err naming the file. */
Model *Model_open(const char *path, const char *tok_path, char *err);
void Model_free(Model *m);
/* How many models Model_open has opened in this process (--jsonl reports it: one load for all lines). */
int Model_open_count(void);

/* One-line description: "gpt2 · F32 · L=12 D=768 h=12 V=50257 ctx=1024 · 124M params" */
void Model_describe(const Model *m, char *buf, size_t cap);
/* The same without the parameter count, for narrow places (the TUI's header). */
void Model_describe_short(const Model *m, char *buf, size_t cap);
/* The sizes alone: "L=12 D=768 h=12 V=50257 ctx=1024" (" KV=n" after h when KV < h). */
void Model_sizes(const Model *m, char *buf, size_t cap);
size_t Model_n_params(const Model *m);

/* The weights of a block, one table: the role's name (as in GGUF: "attn_q.weight"), where it
 * sits in LayerWeights, and its size in the lesson's letters: 'D', 'K' (KV*d), 'F', '3' (3D).
 * A matrix slot is a Linear (in = rows, out = cols); a vector slot a const float * of `rows`. */
typedef struct {
    const char *name;
    size_t offset;
    int matrix;
    char rows, cols;
} WeightSlot;
extern const WeightSlot Model_layer_slots[];
extern const int Model_n_layer_slots;
/* The size a slot letter stands for in this config. */
size_t Model_slot_size(const Config *c, char letter);
static inline const Linear *Model_slot_linear(const LayerWeights *w, const WeightSlot *s) {
    return (const Linear *)(const void *)((const char *)w + s->offset);
}
static inline const float *Model_slot_vector(const LayerWeights *w, const WeightSlot *s) {
    return *(const float *const *)(const void *)((const char *)w + s->offset);
}

/* Bytes a Linear's weights take, in its own type. */
size_t Linear_bytes(const Linear *W);
/* Row id of the embedding E (V,D) as D floats (dequantized when E is quantized). */
void Model_embed_row(const Model *m, int id, float *out);
/* Loaders call this last: counts the parameters and the bytes read per generated token from
 * the weights present (m->n_params, m->weight_bytes). */
void Model_account(Model *m);

/* Find a model by NAME or path, for `--model NAME` and the default with no arguments.
 * An existing path is returned as is. A bare NAME ("gpt2", "stories15M") is looked up in
 * the data directory ($SHAPEWALK_DATA, else $XDG_DATA_HOME/shapewalk, else
 * ~/.local/share/shapewalk) as NAME/ . With name == NULL: the default model: gpt2 when
 * fetched, else the first stories260K found in $SHAPEWALK_MODEL_PATH (colon-separated)
 * and the documented search list (see models/README.md). Writes the path into out.
 * On failure err says exactly what to run to get the model. */
int Model_resolve(const char *name, char *out, size_t cap, char *err);

/* The model names `make model NAME=...` can fetch (models/manifest.tsv), NULL-terminated. */
extern const char *const Model_fetchable[];

/* Directory where fetched models live (see Model_resolve). */
void Model_data_dir(char *out, size_t cap);

#endif
