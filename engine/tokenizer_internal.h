/* tokenizer_internal.h - what tokenizer.c, tok_gpt2.c and tok_llama.c share (not a public API).
 *
 * A Tokenizer keeps, for every id, two strings in pools (each NUL-terminated, lengths from
 * offsets): the symbol (printable spelling) and the bytes (what it decodes to). Lookups by
 * string go through StrIndex, an open-addressing hash table of ids keyed by a pool's strings.
 */
#ifndef SW_TOKENIZER_INTERNAL_H
#define SW_TOKENIZER_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "tokenizer.h"

/* n strings packed one after another: string i is pool[off[i] .. off[i+1]-1), NUL included */
typedef struct {
    char *pool;
    size_t *off;     /* n+1 offsets */
    size_t used, cap;  /* bytes in pool */
    size_t ocap;       /* room in off */
    int n;
} StrPool;

/* hash table string -> id over a StrPool; the first id added wins for equal strings */
typedef struct {
    const StrPool *keys;
    int *slot;       /* id, or -1 when empty */
    size_t mask;     /* capacity - 1 (capacity a power of two) */
} StrIndex;

/* a GPT-2 merge: the pair (a, b) joins into `merged` at priority `rank` (lower first) */
typedef struct {
    uint64_t key;    /* a << 32 | b, or UINT64_MAX when empty */
    int rank;
    int merged;
} PairSlot;

struct Tokenizer {
    TokKind kind;
    int n_vocab;
    int bos, eos, unk;      /* -1 when the vocabulary has none */
    int add_bos;            /* encode puts bos first */
    unsigned char *type;    /* TokType of every id */
    StrPool sym;            /* printable spelling (encoder.json key / llama piece) */
    StrPool bytes;          /* decoded bytes */
    StrIndex sym_index;     /* for Tokenizer_lookup */
    pcre2_code *hidden_re;  /* code points a label escapes (controls, format chars) */
    pcre2_code *mark_re;    /* combining marks (a label starting with one gets a ◌) */

    /* GPT-2 */
    pcre2_code *pre_re;     /* the pre-tokenizer pattern */
    int byte_id[256];       /* id of the one-byte symbol for each byte */
    PairSlot *pairs;        /* merges hash table */
    size_t pair_mask;

    /* Llama (and both GGUF kinds: piece = the token text as the file has it) */
    StrPool piece;          /* raw pieces as in the .bin (llama2.c concatenates these) */
    StrIndex piece_index;
    float *score;
    int space_id;           /* the dummy prefix " " */

    /* GGUF kinds */
    int add_space_prefix;   /* SPM: a "▁" before the text (and after each special token) */
    int *special;           /* ids matched literally in the text, longest first */
    int n_special;
    pcre2_code *pre_list[4];/* BPE: the pre-tokenizer's regexes, applied in turn */
    int n_pre;
    int ignore_merges;      /* BPE (llama-bpe): a piece that is a token is that token */
    char pre_name[24];
};

#define TOK_MAX_VOCAB 10000000

/* StrPool */
int StrPool_init(StrPool *p, int n_hint, size_t bytes_hint);
int StrPool_add(StrPool *p, const char *s, size_t len);   /* 0, or -1 out of memory */
void StrPool_free(StrPool *p);
static inline const char *StrPool_get(const StrPool *p, int i, size_t *len) {
    if (len) *len = p->off[i + 1] - p->off[i] - 1;
    return p->pool + p->off[i];
}

/* StrIndex over all strings of `keys` */
int StrIndex_build(StrIndex *ix, const StrPool *keys);
int StrIndex_find(const StrIndex *ix, const char *s, size_t len);   /* id or -1 */
void StrIndex_free(StrIndex *ix);

/* shared parts of opening: calloc + the label regexes; then (symbols filled) the symbol index */
Tokenizer *Tokenizer_alloc(TokKind kind, char *err);
int Tokenizer_finish_open(Tokenizer *t, char *err);

/* checks that text is valid UTF-8 without NUL bytes; one-line error otherwise */
int Tokenizer_check_text(const char *text, size_t len, char *err);

/* 1 when s[0..n) is not valid UTF-8 or has control characters (C0, DEL, C1) */
int Tokenizer_needs_escape(const char *s, size_t n);
/* escape s[0..n) into a printable string the way labels do (no space marker, no ◌);
 * used for symbols that are not printable as they stand. malloc'd, NULL if out of memory. */
char *Tokenizer_escape(const Tokenizer *t, const char *s, size_t n);

/* a growable int array for encode output */
typedef struct {
    int *v;
    int n, cap;
} IntVec;
int IntVec_push(IntVec *a, int x);

int Gpt2_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err);
int Gguf_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err);

/* tok_gpt2.c's parts the GGUF BPE shares */
#define GPT2_U2B_N 324   /* code points bytes_to_unicode uses: up to 0xFF, then 256+0 .. 256+67 */
void Gpt2_byte_map(uint32_t b2u[256], int u2b[GPT2_U2B_N]);
int Gpt2_pairs_alloc(Tokenizer *t, size_t n_merges);   /* 0, or -1 out of memory */
/* add merge (a,b) -> merged; keep_first: a repeated pair keeps its first rank (llama.cpp),
 * else its last (encoder.py) */
void Gpt2_pair_add(Tokenizer *t, int a, int b, int rank, int merged, int keep_first);
int Gpt2_has_pair(const Tokenizer *t, int a, int b);
typedef struct Bpe Bpe;
/* BPE of one pre-token's bytes, ids appended to out; *w is scratch reused across calls
 * (start NULL, free with Gpt2_bpe_free). -1 out of memory. */
int Gpt2_bpe_piece(const Tokenizer *t, Bpe **w, const unsigned char *s, size_t n, IntVec *out);
void Gpt2_bpe_free(Bpe *w);
int Llama_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err);

/* decode one UTF-8 sequence at s[0..n): returns its length and sets *cp, or 0 if invalid */
int Utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* encode cp into out (4 bytes room), returns the length */
int Utf8_encode(uint32_t cp, char *out);

#endif
