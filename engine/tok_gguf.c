/* tok_gguf.c - tokenizers built from a GGUF file's tokenizer.ggml.* arrays, encoding as
 * llama.cpp's src/llama-vocab.cpp does (read to learn; this is our own code):
 *
 *   1. special tokens: the text is cut at every control/unknown token's text (parse_special)
 *      and every user-defined token's text, longest token first; those pieces are the tokens.
 *   2. SPM ("llama"): each remaining piece gets spaces written as "▁" and, when it is the
 *      first piece or follows a special token, a "▁" in front (add_space_prefix); its UTF-8
 *      characters are joined pairwise, always the adjacent pair whose joined text is the
 *      highest-scoring token (the leftmost on ties), until no pair joins into a token;
 *      a character left that is no token becomes its bytes' <0xNN> tokens (else unk).
 *   3. BPE ("gpt2"): each piece is split by the pre-tokenizer's regexes in turn (each one
 *      splits the pieces the one before produced; the text between matches stays a piece);
 *      each piece's bytes go through GPT-2's byte-level BPE (tok_gpt2.c), merge rank = the
 *      merge's position. llama-bpe: a piece that is itself a token is that token (llama.cpp's
 *      ignore_merges).
 * The regexes run with PCRE2 (UTF + UCP), \s written \p{White_Space} as in tok_gpt2.c.
 */
#include "tokenizer_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw.h"

#define SPACE_MARK "\xE2\x96\x81"   /* ▁ U+2581 */

void TokVocab_init(TokVocab *v) {
    memset(v, 0, sizeof *v);
    v->bos = v->eos = v->unk = -1;
    v->add_bos = v->add_space_prefix = -1;
    v->parse_special = 1;
}

/* ---- pre-tokenizers ------------------------------------------------------------------- */

/* \s is \p{White_Space} (what Python's regex and llama.cpp call whitespace; PCRE2's \s adds
 * U+180E); for PCRE2 older than 10.40 the pattern is compiled again with \s. */
#define WS "\\p{White_Space}"
#define NWS "\\P{White_Space}"
#define GPT2_RE "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" WS "\\p{L}\\p{N}]+|" WS "+(?!" NWS ")|" WS "+"
#define CONTRACTIONS_CI "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
#define QWEN2_RE CONTRACTIONS_CI "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n]*|" \
                 WS "*[\\r\\n]+|" WS "+(?!" NWS ")|" WS "+"
#define LLAMA3_RE CONTRACTIONS_CI "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n]*|" \
                  WS "*[\\r\\n]+|" WS "+(?!" NWS ")|" WS "+"

typedef struct {
    const char *names;       /* the tokenizer.ggml.pre values, '|' between */
    const char *re[4];       /* applied in turn */
    int ignore_merges, add_bos;
} PreTok;

/* as llama.cpp's llm_tokenizer_bpe (the case-insensitive contractions spelled out as
 * llama.cpp does, so (?i) does not also take U+017F ſ or U+212A K) */
static const PreTok PRETOKS[] = {
    { "gpt2|gpt-2", { GPT2_RE }, 0, 0 },
    /* llama.cpp's fallback "default": punctuation runs first, then GPT-2's, then digits */
    { "default", { "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_RE, "\\p{N}+", "[0-9][0-9][0-9]" }, 0, 0 },
    { "smollm", { "\\p{N}", GPT2_RE }, 0, 0 },
    { "qwen2|deepseek-r1-qwen", { QWEN2_RE }, 0, 0 },
    { "llama-bpe|llama3|llama-v3", { LLAMA3_RE }, 1, 1 },
};
#define N_PRETOKS (int)(sizeof PRETOKS / sizeof PRETOKS[0])
#define PRE_KNOWN "gpt2, default, smollm, qwen2, llama-bpe"

static int name_in(const char *names, const char *name) {
    size_t n = strlen(name);
    for (const char *p = names; *p;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && memcmp(p, name, n) == 0) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

/* "\s" for "\p{White_Space}" and "\S" for "\P{White_Space}" */
static char *old_pcre_pattern(const char *re) {
    char *o = malloc(strlen(re) + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (const char *p = re; *p;) {
        if (strncmp(p, WS, strlen(WS)) == 0) { o[k++] = '\\'; o[k++] = 's'; p += strlen(WS); }
        else if (strncmp(p, NWS, strlen(NWS)) == 0) { o[k++] = '\\'; o[k++] = 'S'; p += strlen(NWS); }
        else o[k++] = *p++;
    }
    o[k] = 0;
    return o;
}

static pcre2_code *compile_pre(const char *re, char *msg, size_t cap) {
    int ec;
    PCRE2_SIZE eo;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
    if (!c) {
        char *old = old_pcre_pattern(re);
        if (old) c = pcre2_compile((PCRE2_SPTR)old, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
        free(old);
    }
    if (!c) {
        PCRE2_UCHAR m[160];
        pcre2_get_error_message(ec, m, sizeof m);
        snprintf(msg, cap, "%s", (char *)m);
        return NULL;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

/* ---- checking and copying the arrays ---------------------------------------------------- */

static const char *src(const TokVocab *v) { return v->source && *v->source ? v->source : "tokenizer"; }

static size_t tok_len(const TokVocab *v, size_t i) {
    if (!v->tokens[i]) return 0;
    return v->token_len ? v->token_len[i] : strlen(v->tokens[i]);
}

/* s[0..n) for a message: escaped like a label, cut to about 40 bytes (malloc'd or NULL) */
static char *show(const Tokenizer *t, const char *s, size_t n) {
    size_t k = n > 40 ? 40 : n;
    while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;   /* whole characters */
    char *e = Tokenizer_escape(t, s, k);
    if (e && k < n) {
        size_t l = strlen(e);
        char *m = realloc(e, l + 4);
        if (m) { memcpy(m + l, "...", 4); e = m; }
    }
    return e;
}

static int check_id(const TokVocab *v, long long id, const char *key, char *err) {
    if (id == -1 || (id >= 0 && (size_t)id < v->n_tokens)) return 0;
    sw_seterr(err, "%s: tokenizer.ggml.%s %lld is not a token id (the vocabulary has %zu: 0..%zu)",
              src(v), key, id, v->n_tokens, v->n_tokens - 1);
    return -1;
}

/* the checks and copies both kinds share: token texts into t->piece (index built, duplicates
 * refused), printable symbols into t->sym, types, special ids, the list of specials */
static Tokenizer *build_common(const TokVocab *v, TokKind kind, char *err) {
    if (!v || !v->tokens) {
        sw_seterr(err, "%s: no tokenizer.ggml.tokens array", v ? src(v) : "tokenizer");
        return NULL;
    }
    size_t n = v->n_tokens;
    if (n == 0 || n > TOK_MAX_VOCAB) {
        sw_seterr(err, "%s: tokenizer.ggml.tokens has %zu tokens; expected 1..%d", src(v), n, TOK_MAX_VOCAB);
        return NULL;
    }
    if (v->model_vocab > 0 && (size_t)v->model_vocab != n) {
        if ((size_t)v->model_vocab > n)
            sw_seterr(err, "%s: tokenizer.ggml.tokens has %zu tokens but the model's embedding has %lld rows; the vocabulary must name every row",
                      src(v), n, v->model_vocab);
        else
            sw_seterr(err, "%s: tokenizer.ggml.tokens has %zu tokens but the model's embedding has only %lld rows (ids from %lld on would have no embedding)",
                      src(v), n, v->model_vocab, v->model_vocab);
        return NULL;
    }
    if (v->scores && v->n_scores != n) {
        sw_seterr(err, "%s: tokenizer.ggml.scores has %zu entries but tokenizer.ggml.tokens has %zu; they must match",
                  src(v), v->n_scores, n);
        return NULL;
    }
    if (v->types && v->n_types != n) {
        sw_seterr(err, "%s: tokenizer.ggml.token_type has %zu entries but tokenizer.ggml.tokens has %zu; they must match",
                  src(v), v->n_types, n);
        return NULL;
    }
    if (check_id(v, v->bos, "bos_token_id", err) || check_id(v, v->eos, "eos_token_id", err) ||
        check_id(v, v->unk, "unknown_token_id", err))
        return NULL;

    Tokenizer *t = Tokenizer_alloc(kind, err);
    if (!t) return NULL;
    int nv = (int)n;
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += tok_len(v, i) + 1;
    t->n_vocab = nv;
    t->type = malloc(n);
    if (!t->type || StrPool_init(&t->piece, nv, bytes) != 0 || StrPool_init(&t->sym, nv, bytes) != 0 ||
        StrPool_init(&t->bytes, nv, bytes) != 0) {
        sw_seterr(err, "%s: out of memory for %zu tokens", src(v), n);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = v->tokens[i];
        size_t l = tok_len(v, i), bad = 0;
        if (!s || l == 0) {
            sw_seterr(err, "%s: tokenizer.ggml.tokens[%zu] is empty; every token needs its text", src(v), i);
            goto fail;
        }
        if (memchr(s, 0, l) || !sw_utf8_valid(s, l, &bad)) {
            char *e = show(t, s, l);
            if (memchr(s, 0, l))
                sw_seterr(err, "%s: tokenizer.ggml.tokens[%zu] (\"%s\") has a NUL byte; tokens are text", src(v), i, e ? e : "?");
            else
                sw_seterr(err, "%s: tokenizer.ggml.tokens[%zu] (\"%s\") is not valid UTF-8 (byte %zu); tokens are UTF-8 text",
                          src(v), i, e ? e : "?", bad);
            free(e);
            goto fail;
        }
        int ty = v->types ? v->types[i] : TOK_TYPE_NORMAL;
        if (ty < TOK_TYPE_UNDEFINED || ty > TOK_TYPE_BYTE) {
            sw_seterr(err, "%s: tokenizer.ggml.token_type[%zu] is %d; token types are 0..6", src(v), i, ty);
            goto fail;
        }
        t->type[i] = (unsigned char)(ty == TOK_TYPE_UNDEFINED ? TOK_TYPE_NORMAL : ty);
        char *esc = Tokenizer_needs_escape(s, l) ? Tokenizer_escape(t, s, l) : NULL;
        if (StrPool_add(&t->piece, s, l) != 0 || StrPool_add(&t->sym, esc ? esc : s, esc ? strlen(esc) : l) != 0) {
            free(esc);
            sw_seterr(err, "%s: out of memory for %zu tokens", src(v), n);
            goto fail;
        }
        free(esc);
    }
    if (StrIndex_build(&t->piece_index, &t->piece) != 0) {
        sw_seterr(err, "%s: out of memory for %zu tokens", src(v), n);
        goto fail;
    }
    for (int i = 0; i < nv; i++) {
        size_t l;
        const char *s = StrPool_get(&t->piece, i, &l);
        int first = StrIndex_find(&t->piece_index, s, l);
        if (first != i) {
            char *e = show(t, s, l);
            sw_seterr(err, "%s: tokenizer.ggml.tokens[%d] and [%d] are both \"%s\"; each token must appear once",
                      src(v), first, i, e ? e : "?");
            free(e);
            goto fail;
        }
    }
    if (Tokenizer_finish_open(t, err) != 0) goto fail;
    t->bos = (int)v->bos;
    t->eos = (int)v->eos;
    t->unk = (int)v->unk;
    return t;
fail:
    Tokenizer_free(t);
    return NULL;
}

typedef struct {
    size_t len;
    int id;
} LenId;

static int lenid_cmp(const void *a, const void *b) {
    const LenId *x = a, *y = b;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;   /* longest first */
    return (x->id > y->id) - (x->id < y->id);
}

/* the tokens cut out of the text before tokenizing: user-defined always, control and
 * unknown when parse_special (llama.cpp's cache_special_tokens + tokenizer_st_partition) */
static int collect_specials(Tokenizer *t, int parse_special, char *err, const char *who) {
    int n = 0;
    for (int i = 0; i < t->n_vocab; i++) {
        int ty = t->type[i];
        if (ty == TOK_TYPE_USER_DEFINED || (parse_special && (ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_UNKNOWN))) n++;
    }
    if (!n) return 0;
    LenId *li = malloc((size_t)n * sizeof *li);
    t->special = malloc((size_t)n * sizeof *t->special);
    if (!li || !t->special) { free(li); sw_seterr(err, "%s: out of memory", who); return -1; }
    int k = 0;
    for (int i = 0; i < t->n_vocab; i++) {
        int ty = t->type[i];
        if (ty == TOK_TYPE_USER_DEFINED || (parse_special && (ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_UNKNOWN))) {
            StrPool_get(&t->piece, i, &li[k].len);
            li[k++].id = i;
        }
    }
    qsort(li, (size_t)n, sizeof *li, lenid_cmp);
    for (int i = 0; i < n; i++) t->special[i] = li[i].id;
    t->n_special = n;
    free(li);
    return 0;
}

static int is_byte_piece(const char *s, size_t n, int *byte) {
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return 0;
    const char *h = memchr(hex, s[3], 16), *l = memchr(hex, s[4], 16);
    if (!h || !l) return 0;
    *byte = (int)((h - hex) * 16 + (l - hex));
    return 1;
}

/* ---- SPM ------------------------------------------------------------------------------- */

/* What each token decodes to, into t->bytes. A byte token <0xNN> is its byte. SentencePiece
 * (u2b NULL): "▁" is a space; control and unknown tokens decode to nothing (as llama.cpp's
 * detokenizer and llama2.c); user-defined ones to their text. Byte-level BPE (u2b, GPT-2's
 * unicode-to-byte map): symbols back to bytes; control, unknown and user-defined tokens their
 * text as it stands (llama.cpp's token_to_piece, special). Unused tokens (type 5) decode as
 * normal ones, so that a merge reaching one still decodes. 0, or -1 with err. */
static int fill_bytes(Tokenizer *t, const int *u2b, const char *who, char *err) {
    char *buf = NULL;
    size_t bcap = 0;
    for (int i = 0; i < t->n_vocab; i++) {
        size_t l, bl = 0;
        const char *p = StrPool_get(&t->piece, i, &l);
        int ty = t->type[i], byte;
        if (l + 4 > bcap) {
            char *nb = realloc(buf, l + 4);
            if (!nb) { free(buf); sw_seterr(err, "%s: out of memory", who); return -1; }
            buf = nb;
            bcap = l + 4;
        }
        const int special = ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_UNKNOWN;
        if (ty == TOK_TYPE_BYTE && is_byte_piece(p, l, &byte)) {
            buf[bl++] = (char)byte;
        } else if (special && !u2b) {
            bl = 0;
        } else if (special || ty == TOK_TYPE_USER_DEFINED) {
            memcpy(buf, p, l);
            bl = l;
        } else if (!u2b) {
            for (size_t k = 0; k < l;) {
                if (l - k >= 3 && memcmp(p + k, SPACE_MARK, 3) == 0) { buf[bl++] = ' '; k += 3; }
                else buf[bl++] = p[k++];
            }
        } else {
            for (size_t k = 0; k < l;) {
                uint32_t cp;
                int cl = Utf8_decode((const unsigned char *)p + k, l - k, &cp);
                if (cl <= 0) cl = 1;
                if (cp < GPT2_U2B_N && u2b[cp] >= 0) buf[bl++] = (char)u2b[cp];
                else { memcpy(buf + bl, p + k, (size_t)cl); bl += (size_t)cl; }
                k += (size_t)cl;
            }
        }
        if (StrPool_add(&t->bytes, buf, bl) != 0) { free(buf); sw_seterr(err, "%s: out of memory", who); return -1; }
    }
    free(buf);
    return 0;
}

Tokenizer *Tokenizer_from_spm(const TokVocab *v, char *err) {
    TokVocab d;
    if (!v) { sw_seterr(err, "Tokenizer_from_spm: NULL vocabulary"); return NULL; }
    d = *v;
    /* llama.cpp's defaults for a "llama" vocabulary: <unk> 0, <s> 1, </s> 2 */
    if (d.bos == -1 && d.n_tokens > 1) d.bos = 1;
    if (d.eos == -1 && d.n_tokens > 2) d.eos = 2;
    if (d.unk == -1 && d.n_tokens > 0) d.unk = 0;
    Tokenizer *t = build_common(&d, TOK_GGUF_SPM, err);
    if (!t) return NULL;
    const char *who = src(v);
    t->add_bos = v->add_bos != 0;
    t->add_space_prefix = v->add_space_prefix != 0;
    if (t->add_bos && t->bos < 0) {
        sw_seterr(err, "%s: tokenizer.ggml.add_bos_token is true but there is no bos_token_id", who);
        goto fail;
    }
    int n = t->n_vocab;
    t->score = malloc((size_t)n * sizeof *t->score);
    if (!t->score) { sw_seterr(err, "%s: out of memory", who); goto fail; }
    for (int i = 0; i < n; i++) t->score[i] = v->scores ? v->scores[i] : 0.0f;
    for (int b = 0; b < 256; b++) t->byte_id[b] = -1;
    for (int i = 0; i < n; i++) {
        size_t l;
        const char *p = StrPool_get(&t->piece, i, &l);
        int byte;
        if (!v->types) {   /* no types in the file: infer the byte and special tokens */
            if (is_byte_piece(p, l, &byte)) t->type[i] = TOK_TYPE_BYTE;
            else if (i == t->unk) t->type[i] = TOK_TYPE_UNKNOWN;
            else if (i == t->bos || i == t->eos) t->type[i] = TOK_TYPE_CONTROL;
        }
        if (is_byte_piece(p, l, &byte) && t->byte_id[byte] < 0) t->byte_id[byte] = i;
    }
    for (int b = 0; b < 256; b++) {   /* no <0xNN>: llama.cpp falls back to the byte itself */
        char one = (char)b;
        if (t->byte_id[b] < 0 && b > 0) t->byte_id[b] = StrIndex_find(&t->piece_index, &one, 1);
    }
    if (fill_bytes(t, NULL, who, err) != 0) goto fail;
    if (collect_specials(t, v->parse_special, err, who) != 0) goto fail;
    return t;
fail:
    Tokenizer_free(t);
    return NULL;
}

typedef struct {
    float score;     /* the joined token's score: highest first */
    int left, right; /* then leftmost */
    size_t size;     /* the joined length when pushed (a changed symbol makes it stale) */
} SCand;

typedef struct {
    size_t *start, *len;   /* symbols: byte spans of the escaped text; len 0 = joined into its left */
    int *next, *prev;
    SCand *heap;
    int nheap, hcap;
} Spm;

static int sc_before(const SCand *x, const SCand *y) {
    return x->score > y->score || (x->score == y->score && x->left < y->left);
}

static int sheap_push(Spm *w, SCand c) {
    if (w->nheap == w->hcap) {
        int nc = w->hcap ? w->hcap * 2 : 64;
        SCand *h = realloc(w->heap, (size_t)nc * sizeof *h);
        if (!h) return -1;
        w->heap = h;
        w->hcap = nc;
    }
    int i = w->nheap++;
    while (i > 0) {
        int up = (i - 1) / 2;
        if (!sc_before(&c, &w->heap[up])) break;
        w->heap[i] = w->heap[up];
        i = up;
    }
    w->heap[i] = c;
    return 0;
}

static SCand sheap_pop(Spm *w) {
    SCand top = w->heap[0], last = w->heap[--w->nheap];
    int i = 0, n = w->nheap;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && sc_before(&w->heap[c + 1], &w->heap[c])) c++;
        if (!sc_before(&w->heap[c], &last)) break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (n) w->heap[i] = last;
    return top;
}

/* the pair (left, right) is a candidate when its joined text is a token */
static int spm_try(const Tokenizer *t, Spm *w, const char *s, int left, int right) {
    if (left < 0 || right < 0) return 0;
    size_t size = w->len[left] + w->len[right];
    int id = StrIndex_find(&t->piece_index, s + w->start[left], size);
    if (id < 0) return 0;
    return sheap_push(w, (SCand){ t->score[id], left, right, size });
}

static int spm_piece(const Tokenizer *t, const char *text, size_t len, int prefix, IntVec *out) {
    int rc = -1;
    Spm w = {0};
    char *s = malloc((prefix ? 3 : 0) + len * 3 + 1);
    size_t n = 0;
    if (!s) return -1;
    if (prefix) { memcpy(s, SPACE_MARK, 3); n = 3; }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ') { memcpy(s + n, SPACE_MARK, 3); n += 3; }
        else s[n++] = text[i];
    }
    if (n == 0) { free(s); return 0; }
    w.start = malloc(n * sizeof *w.start);
    w.len = malloc(n * sizeof *w.len);
    w.next = malloc(n * sizeof *w.next);
    w.prev = malloc(n * sizeof *w.prev);
    if (!w.start || !w.len || !w.next || !w.prev) goto done;
    int ns = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = Utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k <= 0) k = 1;   /* cannot happen: the text was checked */
        w.start[ns] = i;
        w.len[ns] = (size_t)k;
        w.prev[ns] = ns - 1;
        w.next[ns] = i + (size_t)k < n ? ns + 1 : -1;
        ns++;
        i += (size_t)k;
    }
    for (int i = 1; i < ns; i++)
        if (spm_try(t, &w, s, i - 1, i) != 0) goto done;
    while (w.nheap) {
        SCand c = sheap_pop(&w);
        int l = c.left, r = c.right;
        if (w.len[l] == 0 || w.len[r] == 0 || w.len[l] + w.len[r] != c.size) continue;   /* stale */
        w.len[l] += w.len[r];
        w.len[r] = 0;
        w.next[l] = w.next[r];
        if (w.next[r] >= 0) w.prev[w.next[r]] = l;
        if (spm_try(t, &w, s, w.prev[l], l) != 0 || spm_try(t, &w, s, l, w.next[l]) != 0) goto done;
    }
    for (int i = 0; i >= 0; i = w.next[i]) {
        int id = StrIndex_find(&t->piece_index, s + w.start[i], w.len[i]);
        if (id >= 0) {
            if (IntVec_push(out, id) != 0) goto done;
            continue;
        }
        for (size_t k = 0; k < w.len[i]; k++) {   /* byte fallback */
            int b = t->byte_id[(unsigned char)s[w.start[i] + k]];
            if (b < 0) b = t->unk;
            if (b >= 0 && IntVec_push(out, b) != 0) goto done;
        }
    }
    rc = 0;
done:
    free(s);
    free(w.start); free(w.len); free(w.next); free(w.prev); free(w.heap);
    return rc;
}

/* ---- BPE ------------------------------------------------------------------------------- */

Tokenizer *Tokenizer_from_bpe(const TokVocab *v, char *err) {
    if (!v) { sw_seterr(err, "Tokenizer_from_bpe: NULL vocabulary"); return NULL; }
    const char *who = src(v);
    const PreTok *pre = NULL;
    const char *pname = v->pre && *v->pre ? v->pre : "default";   /* llama.cpp: missing = default */
    for (int i = 0; i < N_PRETOKS && !pre; i++)
        if (name_in(PRETOKS[i].names, pname)) pre = &PRETOKS[i];
    if (!pre) {
        char tmp[80];
        snprintf(tmp, sizeof tmp, "%.60s", pname);
        for (char *p = tmp; *p; p++)   /* names are ASCII; anything else must not reach a terminal */
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F) *p = '?';
        sw_seterr(err, "%s: tokenizer.ggml.pre \"%s\" is a pre-tokenizer shapewalk does not know; known: " PRE_KNOWN,
                  who, tmp);
        return NULL;
    }
    if (v->n_merges > (size_t)INT_MAX / 4 || (v->n_merges && !v->merges)) {
        sw_seterr(err, "%s: tokenizer.ggml.merges has %zu entries; not a usable merges array", who, v->n_merges);
        return NULL;
    }
    Tokenizer *t = build_common(v, TOK_GGUF_BPE, err);
    if (!t) return NULL;
    snprintf(t->pre_name, sizeof t->pre_name, "%s", pname);
    t->add_bos = v->add_bos < 0 ? pre->add_bos : v->add_bos != 0;
    t->ignore_merges = pre->ignore_merges;
    if (t->add_bos && t->bos < 0) {
        sw_seterr(err, "%s: tokenizer.ggml.add_bos_token is true but there is no bos_token_id", who);
        goto fail;
    }
    uint32_t b2u[256];
    int u2b[GPT2_U2B_N];
    Gpt2_byte_map(b2u, u2b);
    for (int b = 0; b < 256; b++) {
        char u[4];
        int ul = Utf8_encode(b2u[b], u);
        t->byte_id[b] = StrIndex_find(&t->piece_index, u, (size_t)ul);
        if (t->byte_id[b] < 0) {
            sw_seterr(err, "%s: no token for byte 0x%02X (\"%.*s\"); a byte-level BPE vocabulary has all 256 byte symbols",
                      who, b, ul, u);
            goto fail;
        }
    }
    if (fill_bytes(t, u2b, who, err) != 0) goto fail;
    /* merges: "left right", split at the first space after the first byte (llama.cpp) */
    if (Gpt2_pairs_alloc(t, v->n_merges) != 0) { sw_seterr(err, "%s: out of memory", who); goto fail; }
    for (size_t i = 0; i < v->n_merges; i++) {
        const char *m = v->merges[i];
        size_t ml = m ? (v->merge_len ? v->merge_len[i] : strlen(m)) : 0;
        const char *sp = ml > 1 ? memchr(m + 1, ' ', ml - 1) : NULL;
        if (!sp || sp + 1 == m + ml) {
            char *e = m ? show(t, m, ml) : NULL;
            sw_seterr(err, "%s: tokenizer.ggml.merges[%zu] (\"%s\") is not two tokens with a space between", who, i,
                      e ? e : "");
            free(e);
            goto fail;
        }
        size_t la = (size_t)(sp - m), lb = ml - la - 1;
        int a = StrIndex_find(&t->piece_index, m, la);
        int b = StrIndex_find(&t->piece_index, sp + 1, lb);
        int j = -1;
        char *cat = NULL;
        if (a >= 0 && b >= 0) {
            cat = malloc(la + lb);
            if (!cat) { sw_seterr(err, "%s: out of memory", who); goto fail; }
            memcpy(cat, m, la);
            memcpy(cat + la, sp + 1, lb);
            j = StrIndex_find(&t->piece_index, cat, la + lb);
        }
        if (a < 0 || b < 0 || j < 0) {
            const char *miss = a < 0 ? m : b < 0 ? sp + 1 : cat;
            size_t missl = a < 0 ? la : b < 0 ? lb : la + lb;
            char *e = show(t, m, ml), *f = show(t, miss, missl);
            sw_seterr(err, "%s: tokenizer.ggml.merges[%zu] (\"%s\") needs the token \"%s\", which tokenizer.ggml.tokens lacks",
                      who, i, e ? e : "?", f ? f : "?");
            free(e);
            free(f);
            free(cat);
            goto fail;
        }
        free(cat);
        Gpt2_pair_add(t, a, b, (int)i, j, 1);
    }
    for (int i = 0; i < 4 && pre->re[i]; i++) {
        char msg[160];
        t->pre_list[i] = compile_pre(pre->re[i], msg, sizeof msg);
        t->n_pre = i + 1;
        if (!t->pre_list[i]) {
            sw_seterr(err, "%s: pre-tokenizer %s: PCRE2 cannot compile its pattern (%s); install PCRE2 with Unicode support",
                      who, pname, msg);
            goto fail;
        }
    }
    if (collect_specials(t, v->parse_special, err, who) != 0) goto fail;
    return t;
fail:
    Tokenizer_free(t);
    return NULL;
}

typedef struct {
    size_t start, len;
} Span;

typedef struct {
    Span *v;
    int n, cap;
} SpanVec;

static int span_push(SpanVec *a, size_t start, size_t len) {
    if (a->n == a->cap) {
        int nc = a->cap ? a->cap * 2 : 64;
        if (nc < a->cap) return -1;
        Span *nv = realloc(a->v, (size_t)nc * sizeof *nv);
        if (!nv) return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = (Span){ start, len };
    return 0;
}

/* split s[sp.start .. +len) by re into `out`: matches and the text between them.
 * The piece is the whole subject, so a lookahead does not see past it (as llama.cpp). */
static int regex_split(pcre2_code *re, pcre2_match_data *md, const char *s, Span sp, SpanVec *out, char *err) {
    const char *subj = s + sp.start;
    size_t n = sp.len, kept = 0, pos = 0;
    while (pos < n) {
        int m = pcre2_match(re, (PCRE2_SPTR)subj, n, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (m == PCRE2_ERROR_JIT_STACKLIMIT)
            m = pcre2_match(re, (PCRE2_SPTR)subj, n, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, NULL);
        if (m == PCRE2_ERROR_NOMATCH) break;
        if (m < 0) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(m, msg, sizeof msg);
            sw_seterr(err, "text: splitting into words failed at byte %zu (%s); try a shorter text", sp.start + pos, (char *)msg);
            return -1;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        if (me <= ms) {   /* an empty match: look again one character on */
            uint32_t cp;
            int k = Utf8_decode((const unsigned char *)subj + ms, n - ms, &cp);
            pos = ms + (size_t)(k > 0 ? k : 1);
            continue;
        }
        if (ms > kept && span_push(out, sp.start + kept, ms - kept) != 0) goto oom;
        if (span_push(out, sp.start + ms, me - ms) != 0) goto oom;
        kept = pos = me;
    }
    if (kept < n && span_push(out, sp.start + kept, n - kept) != 0) goto oom;
    return 0;
oom:
    sw_seterr(err, "text: out of memory splitting into words");
    return -1;
}

static int bpe_text(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err) {
    SpanVec a = {0}, b = {0};
    Bpe *w = NULL;
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    char *enc = NULL;
    size_t ecap = 0;
    int rc = -1;
    if (!md || span_push(&a, 0, len) != 0) { sw_seterr(err, "text: out of memory"); goto done; }
    for (int r = 0; r < t->n_pre; r++) {
        b.n = 0;
        for (int i = 0; i < a.n; i++)
            if (regex_split(t->pre_list[r], md, text, a.v[i], &b, err) != 0) goto done;
        SpanVec tmp = a;
        a = b;
        b = tmp;
    }
    for (int i = 0; i < a.n; i++) {
        const unsigned char *p = (const unsigned char *)text + a.v[i].start;
        size_t n = a.v[i].len;
        if (t->ignore_merges && n > 1) {   /* the piece spelled byte-level: is it a token? */
            if (n * 2 > ecap) {
                char *ne = realloc(enc, n * 2);
                if (!ne) { sw_seterr(err, "text: out of memory"); goto done; }
                enc = ne;
                ecap = n * 2;
            }
            size_t el = 0;
            for (size_t k = 0; k < n; k++) {
                size_t bl;
                const char *bs = StrPool_get(&t->piece, t->byte_id[p[k]], &bl);
                memcpy(enc + el, bs, bl);
                el += bl;
            }
            int id = StrIndex_find(&t->piece_index, enc, el);
            if (id >= 0) {
                if (IntVec_push(out, id) != 0) { sw_seterr(err, "text: out of memory"); goto done; }
                continue;
            }
        }
        if (Gpt2_bpe_piece(t, &w, p, n, out) != 0) {
            sw_seterr(err, "text: out of memory tokenizing %zu bytes", len);
            goto done;
        }
    }
    rc = 0;
done:
    free(a.v);
    free(b.v);
    free(enc);
    Gpt2_bpe_free(w);
    if (md) pcre2_match_data_free(md);
    return rc;
}

/* ---- encode: special tokens, then the pieces between them --------------------------------- */

typedef struct {
    size_t start, len;
    int id;              /* >= 0: a special token; -1: text */
} Frag;

typedef struct {
    Frag *v;
    int n, cap;
} FragVec;

static int frag_push(FragVec *a, size_t start, size_t len, int id) {
    if (a->n == a->cap) {
        int nc = a->cap ? a->cap * 2 : 16;
        if (nc < a->cap) return -1;
        Frag *nv = realloc(a->v, (size_t)nc * sizeof *nv);
        if (!nv) return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = (Frag){ start, len, id };
    return 0;
}

static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn) {
    if (nn == 0 || nn > hn) return NULL;
    const char *end = h + hn - nn;
    for (const char *p = h; p <= end; p++) {
        p = memchr(p, nd[0], (size_t)(end - p) + 1);
        if (!p) return NULL;
        if (memcmp(p, nd, nn) == 0) return p;
    }
    return NULL;
}

/* cut every special token's text out of the text pieces, longest token first */
static int partition(const Tokenizer *t, const char *text, size_t len, FragVec *out) {
    FragVec a = {0}, b = {0};
    if (frag_push(&a, 0, len, -1) != 0) goto oom;
    for (int k = 0; k < t->n_special; k++) {
        int id = t->special[k];
        size_t sl;
        const char *s = StrPool_get(&t->piece, id, &sl);
        b.n = 0;
        for (int i = 0; i < a.n; i++) {
            Frag f = a.v[i];
            if (f.id >= 0 || f.len < sl) { if (frag_push(&b, f.start, f.len, f.id) != 0) goto oom; continue; }
            size_t at = f.start, end = f.start + f.len;
            const char *hit;
            while ((hit = find_bytes(text + at, end - at, s, sl)) != NULL) {
                size_t h = (size_t)(hit - text);
                if (h > at && frag_push(&b, at, h - at, -1) != 0) goto oom;
                if (frag_push(&b, h, sl, id) != 0) goto oom;
                at = h + sl;
            }
            if (at < end && frag_push(&b, at, end - at, -1) != 0) goto oom;
        }
        FragVec tmp = a;
        a = b;
        b = tmp;
    }
    free(b.v);
    *out = a;
    return 0;
oom:
    free(a.v);
    free(b.v);
    return -1;
}

int Gguf_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err) {
    FragVec f = {0};
    int rc = -1;
    if (t->add_bos && t->bos >= 0 && IntVec_push(out, t->bos) != 0) goto oom;
    if (len == 0) return 0;
    if (partition(t, text, len, &f) != 0) goto oom;
    int prev_special = 1;   /* SPM: the first piece and every piece after a special get "▁" */
    for (int i = 0; i < f.n; i++) {
        if (f.v[i].id >= 0) {
            if (IntVec_push(out, f.v[i].id) != 0) goto oom;
            prev_special = 1;
            continue;
        }
        if (t->kind == TOK_GGUF_SPM) {
            if (spm_piece(t, text + f.v[i].start, f.v[i].len, t->add_space_prefix && prev_special, out) != 0) goto oom;
        } else if (bpe_text(t, text + f.v[i].start, f.v[i].len, out, err) != 0) {
            goto done;
        }
        prev_special = 0;
    }
    rc = 0;
    goto done;
oom:
    sw_seterr(err, "text: out of memory tokenizing %zu bytes", len);
done:
    free(f.v);
    return rc;
}
