/* tokenizer.h - text <-> token ids, for every model family.
 *
 *   GPT-2:  byte-level BPE (encoder.json/vocab.json + vocab.bpe/merges.txt), the GPT-2
 *           pre-tokenizer regex (PCRE2 with UCP for \p{L} \p{N}), bytes<->unicode map.
 *   Llama:  llama2.c's SentencePiece-style BPE (tokenizer .bin: scores + pieces) with
 *           byte fallback <0xNN>, a dummy-prefix space and BOS (<s> = 1) prepended.
 *   GGUF:   the same two algorithms built from a GGUF file's tokenizer.ggml.* arrays
 *           (Tokenizer_from_spm for tokenizer.ggml.model "llama", Tokenizer_from_bpe for
 *           "gpt2"), encoding as llama.cpp's llama-vocab.cpp does; see TokVocab below.
 */
#ifndef SW_TOKENIZER_H
#define SW_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    TOK_GPT2 = 1,       /* Tokenizer_open_gpt2 */
    TOK_LLAMA = 2,      /* Tokenizer_open_llama (llama2.c .bin) */
    TOK_GGUF_SPM = 3,   /* Tokenizer_from_spm: SentencePiece pieces ("▁world"), scores, <0xNN> */
    TOK_GGUF_BPE = 4    /* Tokenizer_from_bpe: byte-level BPE ("Ġworld"), merges, a pre-tokenizer */
} TokKind;

/* GGUF's tokenizer.ggml.token_type values (llama.cpp's llama_token_type); every kind
 * reports its tokens this way (llama2.c: <unk> UNKNOWN, <s> </s> CONTROL, <0xNN> BYTE;
 * GPT-2: <|endoftext|> CONTROL; everything else NORMAL). */
typedef enum {
    TOK_TYPE_UNDEFINED = 0, TOK_TYPE_NORMAL = 1, TOK_TYPE_UNKNOWN = 2, TOK_TYPE_CONTROL = 3,
    TOK_TYPE_USER_DEFINED = 4, TOK_TYPE_UNUSED = 5, TOK_TYPE_BYTE = 6
} TokType;

typedef struct Tokenizer Tokenizer;

/* GPT-2: encoder_path is encoder.json or vocab.json, merges_path is vocab.bpe or merges.txt */
Tokenizer *Tokenizer_open_gpt2(const char *encoder_path, const char *merges_path, char *err);
/* llama2.c tokenizer .bin (e.g. tok512.bin); vocab_size comes from the model header */
Tokenizer *Tokenizer_open_llama(const char *path, int vocab_size, char *err);

/* A vocabulary as a GGUF file's metadata holds it (tokenizer.ggml.*), as plain arrays.
 * Everything is COPIED by the constructors: the arrays (typically pointing into the file's
 * mapping) may be freed or unmapped as soon as the constructor returns.
 * Fill with TokVocab_init first (it sets the "absent" values), then set what the file has. */
typedef struct {
    const char *source;           /* named first in every error message, e.g. the file path */
    const char *const *tokens;    /* tokenizer.ggml.tokens: n_tokens strings (UTF-8) */
    const size_t *token_len;      /* their byte lengths (GGUF strings have no NUL); NULL: strlen */
    size_t n_tokens;
    const float *scores;          /* tokenizer.ggml.scores (SPM), n_scores of them; NULL: absent */
    size_t n_scores;
    const int32_t *types;         /* tokenizer.ggml.token_type (TokType), n_types; NULL: absent */
    size_t n_types;
    const char *const *merges;    /* tokenizer.ggml.merges (BPE): "left right", n_merges */
    const size_t *merge_len;      /* NULL: strlen */
    size_t n_merges;
    const char *pre;              /* tokenizer.ggml.pre (BPE): "gpt2", "smollm", "qwen2", "llama-bpe", ... */
    long long bos, eos, unk;      /* tokenizer.ggml.{bos,eos,unknown}_token_id; -1: absent */
    int add_bos;                  /* tokenizer.ggml.add_bos_token: 0/1, -1: absent (SPM: true,
                                   * BPE: false, llama-bpe: true, as llama.cpp) */
    int add_space_prefix;         /* tokenizer.ggml.add_space_prefix (SPM): 0/1, -1: absent (true) */
    int parse_special;            /* 1 (TokVocab_init): control/unknown tokens written in the text
                                   * ("<|im_start|>", "<s>") become those tokens, as llama-tokenize
                                   * does by default; 0: they are plain text (user-defined tokens,
                                   * type 4, are matched either way, as llama.cpp does) */
    long long model_vocab;        /* the model's V (token embedding rows); > 0: n_tokens must equal it */
} TokVocab;

void TokVocab_init(TokVocab *v);
/* tokenizer.ggml.model "llama": SentencePiece BPE. Text: spaces become "▁", a "▁" goes in
 * front (add_space_prefix) of the text and of any text after a special token, UTF-8
 * characters are joined by the highest-scoring piece (the leftmost on ties), characters no
 * piece covers become <0xNN> byte tokens (or unk). As in llama.cpp, a "▁" typed in the text
 * is a space. Absent ids default to llama.cpp's <unk> 0, <s> 1, </s> 2. No token_type array:
 * <0xNN> pieces are taken as byte tokens and <s> </s> <unk> as control/unknown. */
Tokenizer *Tokenizer_from_spm(const TokVocab *v, char *err);
/* tokenizer.ggml.model "gpt2": byte-level BPE from tokens + merges (rank = order; a repeated
 * pair keeps its first rank, as llama.cpp), split first by the pre-tokenizer named by
 * v->pre: "gpt2" (also "gpt-2"), "smollm", "qwen2" (also "deepseek-r1-qwen"), "llama-bpe"
 * (also "llama3", "llama-v3"; adds BOS by default and takes a piece that is a token as that
 * token, as llama.cpp), "default" (llama.cpp's fallback, also used when v->pre is NULL:
 * punctuation runs, then GPT-2's regex, then digit runs, then 3-digit groups). Any other
 * name is refused with the list of known ones. The vocabulary must have all 256 byte
 * symbols, and every merge's two tokens and their join must be tokens. */
Tokenizer *Tokenizer_from_bpe(const TokVocab *v, char *err);
void Tokenizer_free(Tokenizer *t);

TokKind Tokenizer_kind(const Tokenizer *t);
/* 1 for byte-level BPE (GPT-2 files, GGUF "gpt2"): pieces are spelled in bytes-as-unicode ("Ġworld") */
int Tokenizer_byte_level(const Tokenizer *t);
int Tokenizer_vocab_size(const Tokenizer *t);
int Tokenizer_bos(const Tokenizer *t);   /* id prepended by encode, or -1 (GPT-2, add_bos false) */
int Tokenizer_eos(const Tokenizer *t);   /* <|endoftext|> 50256 for GPT-2, </s> 2 for Llama; -1 none */
/* the pre-tokenizer's name for TOK_GGUF_BPE ("qwen2"), "gpt2" for GPT-2, "" otherwise */
const char *Tokenizer_pre(const Tokenizer *t);

/* 1 for a token that is not text: BOS, EOS, the unknown token and every token of type
 * CONTROL or UNKNOWN (llama2.c's <unk> <s> </s>, GPT-2's <|endoftext|>, "<|im_start|>").
 * Views show these by name, marked as control tokens, never as text. 0 otherwise and for
 * out-of-range ids. */
int Tokenizer_is_control(const Tokenizer *t, int id);
/* the token's TokType; -1 for an out-of-range id */
int Tokenizer_type(const Tokenizer *t, int id);

/* Encode UTF-8 text. Fails (returns -1, one-line err) on invalid UTF-8 or NUL bytes.
 * On success *ids is malloc'd (caller frees) and *n set; llama prepends BOS (GGUF kinds:
 * when add_bos). GGUF kinds with parse_special turn control tokens written in the text into
 * those tokens; GPT-2 and llama2.c never do (<|endoftext|> in the text is text). */
int Tokenizer_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, char *err);

/* The bytes this token stands for, as they appear in decoded text (may be a partial UTF-8
 * sequence for byte-level tokens, e.g. half an emoji). Returns NULL for an out-of-range id.
 * Byte tokens <0xNN> give their single byte. Control/unknown tokens: "" (empty) for the
 * SentencePiece kinds (llama2.c <s> </s> <unk>; as llama.cpp's detokenizer), their name for
 * the byte-level kinds (GPT-2's <|endoftext|>; so decode(encode(x)) == x when control
 * tokens are parsed from the text). Unused tokens (type 5) decode as normal ones. */
const char *Tokenizer_bytes(const Tokenizer *t, int id, size_t *len);

/* The vocabulary's own spelling of the token, always valid UTF-8 and printable:
 * GPT-2 and GGUF BPE "Ġworld", "Ċ" (byte-level pieces); llama2.c " world", "<0x0A>", "<s>";
 * GGUF SPM "▁world" (as the file spells it). */
const char *Tokenizer_symbol(const Tokenizer *t, int id);

/* Decode ids to a malloc'd NUL-terminated string (bytes concatenated; the BOS encode adds
 * is dropped, and for the SentencePiece kinds the dummy-prefix space after it).
 * decode(encode(x)) == x for valid UTF-8 x (GGUF SPM: when add_bos and add_space_prefix
 * agree, as in every llama file, and x holds no control-token names). No clean-up of
 * spaces before punctuation (llama.cpp's clean_spaces) is done. */
char *Tokenizer_decode(const Tokenizer *t, const int *ids, int n);

/* A short printable label for showing a token in a cell/chip: the token's bytes with
 * invalid/partial UTF-8 shown as \xNN, newline as \n, tab as \t, other controls as \xNN,
 * a leading space shown as '␣' when show_space is set. Control tokens (Tokenizer_is_control)
 * and tokens without bytes get their symbol instead ("<s>", "<|im_start|>"); views mark
 * them with Tokenizer_is_control. Writes at most cap bytes incl NUL. */
void Tokenizer_label(const Tokenizer *t, int id, int show_space, char *buf, size_t cap);

/* Id of an exact vocabulary symbol (Tokenizer_symbol's spelling), or -1. */
int Tokenizer_lookup(const Tokenizer *t, const char *symbol);

#endif
