/* tokenizer.h - text <-> token ids, for both model families.
 *
 *   GPT-2:  byte-level BPE (encoder.json/vocab.json + vocab.bpe/merges.txt), the GPT-2
 *           pre-tokenizer regex (PCRE2 with UCP for \p{L} \p{N}), bytes<->unicode map.
 *   Llama:  llama2.c's SentencePiece-style BPE (tokenizer .bin: scores + pieces) with
 *           byte fallback <0xNN>, a dummy-prefix space and BOS (<s> = 1) prepended.
 */
#ifndef SW_TOKENIZER_H
#define SW_TOKENIZER_H

#include <stddef.h>

typedef enum { TOK_GPT2 = 1, TOK_LLAMA = 2 } TokKind;

typedef struct Tokenizer Tokenizer;

/* GPT-2: encoder_path is encoder.json or vocab.json, merges_path is vocab.bpe or merges.txt */
Tokenizer *Tokenizer_open_gpt2(const char *encoder_path, const char *merges_path, char *err);
/* llama2.c tokenizer .bin (e.g. tok512.bin); vocab_size comes from the model header */
Tokenizer *Tokenizer_open_llama(const char *path, int vocab_size, char *err);
void Tokenizer_free(Tokenizer *t);

TokKind Tokenizer_kind(const Tokenizer *t);
int Tokenizer_vocab_size(const Tokenizer *t);
int Tokenizer_bos(const Tokenizer *t);   /* id prepended by encode, or -1 (GPT-2) */
int Tokenizer_eos(const Tokenizer *t);
/* 1 for tokens that mark structure rather than text: BOS, EOS, <unk>, control tokens. */
int Tokenizer_is_control(const Tokenizer *t, int id);   /* <|endoftext|> 50256 for GPT-2, </s> 2 for Llama */

/* Encode UTF-8 text. Fails (returns -1, one-line err) on invalid UTF-8 or NUL bytes.
 * On success *ids is malloc'd (caller frees) and *n set; llama prepends BOS. */
int Tokenizer_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, char *err);

/* The bytes this token stands for, as they appear in decoded text (may be a partial UTF-8
 * sequence for byte-level tokens, e.g. half an emoji). Returns NULL for an out-of-range id.
 * For llama: byte-fallback tokens give their single byte; <s>/</s> give "" (empty). */
const char *Tokenizer_bytes(const Tokenizer *t, int id, size_t *len);

/* The vocabulary's own spelling of the token, always valid UTF-8 and printable:
 * GPT-2 "Ġworld", "Ċ" (byte-level pieces); llama " world", "<0x0A>", "<s>". */
const char *Tokenizer_symbol(const Tokenizer *t, int id);

/* Decode ids to a malloc'd NUL-terminated string (bytes concatenated; llama drops BOS and
 * the dummy-prefix space after it). decode(encode(x)) == x for valid UTF-8 x. */
char *Tokenizer_decode(const Tokenizer *t, const int *ids, int n);

/* A short printable label for showing a token in a cell/chip: the token's bytes with
 * invalid/partial UTF-8 shown as \xNN, newline as \n, tab as \t, other controls as \xNN,
 * a leading space shown as '␣' when show_space is set. Writes at most cap bytes incl NUL. */
void Tokenizer_label(const Tokenizer *t, int id, int show_space, char *buf, size_t cap);

/* Id of an exact vocabulary symbol (GPT-2 byte-level spelling, llama piece), or -1. */
int Tokenizer_lookup(const Tokenizer *t, const char *symbol);

#endif
