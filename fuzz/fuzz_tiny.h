/* fuzz_tiny.h - tiny valid models and tokenizers written from code, so the fuzz targets'
 * inputs stay self-contained (and gen_seeds can make the seed corpus from the same code).
 *
 * Tiny GPT-2 (TinyGpt2_default): D=8 h=2 L=1 ctx=16 F=32, V=261 = 256 byte symbols + 4
 * merges + <|endoftext|>; weights from a fixed LCG. Tiny llama (TinyLlama_default): D=8 F=16
 * L=2 h=4 KV=2 V=265 seq=16; tokenizer <unk> <s> </s> <0x00>..<0xFF> then 6 pieces.
 */
#ifndef SW_FUZZ_TINY_H
#define SW_FUZZ_TINY_H

#include <stddef.h>
#include <stdint.h>

/* dir/name, in a static buffer per slot (slot 0..3). */
const char *fz_path(int slot, const char *dir, const char *name);
int fz_write(const char *path, const void *data, size_t n);   /* 0 or -1 */

/* A growable byte buffer. */
typedef struct { uint8_t *p; size_t n, cap; } FzBuf;
void fz_put(FzBuf *b, const void *d, size_t n);
void fz_puts(FzBuf *b, const char *s);
void fz_free(FzBuf *b);

/* ---- tiny GPT-2 ---- */
typedef struct {
    int D, H, L, ctx, F, V;   /* config values */
    int dtype;                /* 0 F32, 1 F16, 2 BF16, 3 mixed (varies per tensor) */
    int prefix;               /* tensor names under "transformer." */
    int untied;               /* separate lm_head.weight */
    int attn_bias;            /* include the h.N.attn.bias causal-mask buffers */
    int misalign;             /* header length not a multiple of 8: F32 data misaligned */
} TinyGpt2;
void TinyGpt2_default(TinyGpt2 *g);
#define TINY_GPT2_TOK_V 261   /* tokens in the tiny GPT-2 tokenizer */
void TinyGpt2_config(const TinyGpt2 *g, FzBuf *out);        /* config.json text */
void TinyGpt2_safetensors(const TinyGpt2 *g, FzBuf *out);   /* model.safetensors bytes */
void TinyGpt2_vocab(FzBuf *out);                            /* vocab.json */
void TinyGpt2_merges(FzBuf *out);                           /* merges.txt */
/* writes config.json (unless skip_config), model.safetensors (unless skip_weights), vocab.json, merges.txt */
int TinyGpt2_write(const TinyGpt2 *g, const char *dir, int skip_config, int skip_weights);

/* ---- tiny llama2.c ---- */
typedef struct {
    int D, F, L, H, KV, V, seq;
    int untied;               /* negative vocab_size in the header + a classifier at the end */
} TinyLlama;
void TinyLlama_default(TinyLlama *l);
#define TINY_LLAMA_TOK_V 265
void TinyLlama_checkpoint(const TinyLlama *l, FzBuf *out);
void TinyLlama_tokenizer(FzBuf *out);
/* Size in bytes of a legacy llama2.c checkpoint with this 28-byte header, or 0 if the header
 * has a value out of the loader's documented range (used to pad fuzzed headers). */
size_t TinyLlama_expected_size(const uint8_t *hdr);

#endif
