/* model.h - a pretrained model: its Config, its weights (memory-mapped), its tokenizer.
 *
 * Two families, one struct:
 *   ARCH_GPT2   Hugging Face folder: model.safetensors + config.json + vocab.json/merges.txt
 *               (or OpenAI's encoder.json/vocab.bpe). LayerNorm, learned positions (wpe),
 *               fused c_attn, GELU (tanh approximation), LM head tied to wte.
 *   ARCH_LLAMA  llama2.c .bin checkpoint (+ tokenizer .bin beside it). RMSNorm, RoPE,
 *               grouped-query attention, SwiGLU, classifier shared with the embedding or not.
 *
 * F32 weights point straight into the mapping (no copy). F16/BF16 safetensors tensors are
 * converted to F32 once at load into m->owned.
 */
#ifndef SW_MODEL_H
#define SW_MODEL_H

#include "sw.h"
#include "tokenizer.h"

typedef enum { ARCH_GPT2 = 1, ARCH_LLAMA = 2 } Arch;

typedef struct {
    Arch arch;
    int dim;          /* D  */
    int hidden_dim;   /* F  (MLP size; 4D for GPT-2) */
    int n_layers;     /* L  */
    int n_heads;      /* h  */
    int n_kv_heads;   /* KV (== h for GPT-2) */
    int head_dim;     /* d = D/h */
    int vocab_size;   /* V  */
    int seq_len;      /* context length (n_positions / seq_len) */
    float norm_eps;   /* layer_norm_epsilon (GPT-2) / 1e-5 (llama2.c) */
    int shared_classifier; /* 1: logits = x @ E^T */
} Config;

/* A weight matrix used as y = x @ W with x (N,in) and y (N,out).
 * out_major = 0: stored (in,out) row-major, as GPT-2's Conv1D weights.
 * out_major = 1: stored (out,in) row-major, as llama2.c's and nn.Linear weights (and E for a tied head). */
typedef struct {
    const float *w;
    int in, out;
    int out_major;
} Linear;

typedef struct {
    /* GPT-2 */
    const float *ln1_w, *ln1_b;   /* (D) */
    Linear c_attn;                /* (D,3D) fused q|k|v */
    const float *c_attn_b;        /* (3D) */
    Linear c_proj;                /* (D,D) attention output projection */
    const float *c_proj_b;        /* (D) */
    const float *ln2_w, *ln2_b;   /* (D) */
    Linear c_fc;                  /* (D,F) */
    const float *c_fc_b;          /* (F) */
    Linear mlp_proj;              /* (F,D) */
    const float *mlp_proj_b;      /* (D) */
    /* Llama */
    const float *rms_att;         /* (D) */
    Linear wq, wk, wv, wo;        /* (D,D) (D,KV*d) (D,KV*d) (D,D) */
    const float *rms_ffn;         /* (D) */
    Linear w1, w2, w3;            /* (D,F) (F,D) (D,F) */
} LayerWeights;

typedef struct Model {
    Config c;
    char name[128];        /* short name shown to users: "gpt2", "stories260K" */
    char path[4096];       /* what was opened */
    const float *tok_emb;  /* E (V,D) */
    const float *pos_emb;  /* P (ctx,D) GPT-2; NULL for Llama */
    LayerWeights *layers;  /* L of them */
    const float *lnf_w, *lnf_b; /* final norm (lnf_b NULL for Llama RMSNorm) */
    Linear lm_head;        /* (D,V) */
    Tokenizer *tok;
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

/* One-line description: "gpt2 · L=12 D=768 h=12 V=50257 ctx=1024 · 124M params" */
void Model_describe(const Model *m, char *buf, size_t cap);
size_t Model_n_params(const Model *m);

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
