/* tokenizer.c - what both tokenizer families share: string pools and hash lookups, input
 * checks, encode/decode dispatch, symbols and the printable labels the TUI puts on token chips.
 * The families themselves are in tok_gpt2.c (byte-level BPE), tok_llama.c (llama2.c BPE) and
 * tok_gguf.c (both built from GGUF metadata arrays).
 */
#include "tokenizer_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw.h"

/* ---- UTF-8 ---------------------------------------------------------------------------- */

int Utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (n == 0) return 0;
    unsigned c = s[0];
    int k;
    uint32_t v, min;
    if (c < 0x80) { *cp = c; return 1; }
    else if ((c & 0xE0) == 0xC0) { k = 1; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { k = 2; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { k = 3; v = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)k >= n) return 0;
    for (int j = 1; j <= k; j++) {
        if ((s[j] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[j] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return k + 1;
}

int Utf8_encode(uint32_t cp, char *out) {
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- StrPool / StrIndex ------------------------------------------------------------------ */

int StrPool_init(StrPool *p, int n_hint, size_t bytes_hint) {
    memset(p, 0, sizeof *p);
    p->cap = bytes_hint > 16 ? bytes_hint : 16;
    p->ocap = (size_t)(n_hint > 0 ? n_hint : 1) + 1;
    p->pool = malloc(p->cap);
    p->off = malloc(p->ocap * sizeof *p->off);
    if (!p->pool || !p->off) { StrPool_free(p); return -1; }
    p->off[0] = 0;
    return 0;
}

int StrPool_add(StrPool *p, const char *s, size_t len) {
    size_t need = p->used + len + 1;
    if (need <= p->used || p->n == INT_MAX - 1) return -1;
    if (need > p->cap) {
        size_t nc = p->cap;
        while (nc < need) nc *= 2;
        char *np = realloc(p->pool, nc);
        if (!np) return -1;
        p->pool = np;
        p->cap = nc;
    }
    if ((size_t)p->n + 2 > p->ocap) {
        size_t *no = realloc(p->off, p->ocap * 2 * sizeof *p->off);
        if (!no) return -1;
        p->off = no;
        p->ocap *= 2;
    }
    if (len) memcpy(p->pool + p->used, s, len);
    p->pool[p->used + len] = 0;
    p->used = need;
    p->n++;
    p->off[p->n] = p->used;
    return 0;
}

void StrPool_free(StrPool *p) {
    free(p->pool);
    free(p->off);
    memset(p, 0, sizeof *p);
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;           /* FNV-1a */
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
    return h ^ (h >> 29);
}

int StrIndex_build(StrIndex *ix, const StrPool *keys) {
    size_t cap = 16;
    while (cap < (size_t)keys->n * 2) cap *= 2;
    ix->keys = keys;
    ix->mask = cap - 1;
    ix->slot = malloc(cap * sizeof *ix->slot);
    if (!ix->slot) return -1;
    for (size_t i = 0; i < cap; i++) ix->slot[i] = -1;
    for (int id = 0; id < keys->n; id++) {
        size_t len;
        const char *s = StrPool_get(keys, id, &len);
        size_t h = (size_t)hash_bytes(s, len) & ix->mask;
        for (;;) {
            int o = ix->slot[h];
            if (o < 0) { ix->slot[h] = id; break; }
            size_t ol;
            const char *os = StrPool_get(keys, o, &ol);
            if (ol == len && memcmp(os, s, len) == 0) break;   /* keep the first */
            h = (h + 1) & ix->mask;
        }
    }
    return 0;
}

int StrIndex_find(const StrIndex *ix, const char *s, size_t len) {
    if (!ix->slot) return -1;
    size_t h = (size_t)hash_bytes(s, len) & ix->mask;
    for (;;) {
        int o = ix->slot[h];
        if (o < 0) return -1;
        size_t ol;
        const char *os = StrPool_get(ix->keys, o, &ol);
        if (ol == len && memcmp(os, s, len) == 0) return o;
        h = (h + 1) & ix->mask;
    }
}

void StrIndex_free(StrIndex *ix) {
    free(ix->slot);
    memset(ix, 0, sizeof *ix);
}

int IntVec_push(IntVec *a, int x) {
    if (a->n == a->cap) {
        int nc = a->cap ? a->cap * 2 : 64;
        if (nc < a->cap) return -1;
        int *nv = realloc(a->v, (size_t)nc * sizeof *nv);
        if (!nv) return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return 0;
}

/* ---- opening, freeing, simple accessors --------------------------------------------------- */

static pcre2_code *compile_class(const char *pat) {
    int ec;
    PCRE2_SIZE eo;
    return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED,
                         &ec, &eo, NULL);
}

Tokenizer *Tokenizer_alloc(TokKind kind, char *err) {
    Tokenizer *t = calloc(1, sizeof *t);
    if (!t) { sw_seterr(err, "tokenizer: out of memory"); return NULL; }
    t->kind = kind;
    t->bos = t->eos = t->unk = t->space_id = -1;
    /* controls, format characters (bidi overrides, ZWJ, BOM), line/paragraph separators,
     * private use: invisible or harmful in a terminal cell, so labels spell them \uXXXX */
    t->hidden_re = compile_class("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Co}]");
    t->mark_re = compile_class("\\p{M}");
    if (!t->hidden_re || !t->mark_re) {
        sw_seterr(err, "tokenizer: cannot compile the label character classes (PCRE2 built without Unicode?)");
        Tokenizer_free(t);
        return NULL;
    }
    return t;
}

int Tokenizer_finish_open(Tokenizer *t, char *err) {
    if (StrIndex_build(&t->sym_index, &t->sym) != 0) {
        sw_seterr(err, "tokenizer: out of memory building the symbol index");
        return -1;
    }
    return 0;
}

void Tokenizer_free(Tokenizer *t) {
    if (!t) return;
    StrPool_free(&t->sym);
    StrPool_free(&t->bytes);
    StrIndex_free(&t->sym_index);
    StrPool_free(&t->piece);
    StrIndex_free(&t->piece_index);
    if (t->hidden_re) pcre2_code_free(t->hidden_re);
    if (t->mark_re) pcre2_code_free(t->mark_re);
    if (t->pre_re) pcre2_code_free(t->pre_re);
    for (int i = 0; i < t->n_pre; i++) if (t->pre_list[i]) pcre2_code_free(t->pre_list[i]);
    free(t->pairs);
    free(t->score);
    free(t->type);
    free(t->special);
    free(t);
}

TokKind Tokenizer_kind(const Tokenizer *t) { return t->kind; }
int Tokenizer_byte_level(const Tokenizer *t) { return t->kind == TOK_GPT2 || t->kind == TOK_GGUF_BPE; }
int Tokenizer_vocab_size(const Tokenizer *t) { return t->n_vocab; }
int Tokenizer_bos(const Tokenizer *t) { return t->add_bos ? t->bos : -1; }
int Tokenizer_eos(const Tokenizer *t) { return t->eos; }
const char *Tokenizer_pre(const Tokenizer *t) { return t->pre_name; }

int Tokenizer_type(const Tokenizer *t, int id) {
    if (!t || id < 0 || id >= t->n_vocab) return -1;
    return t->type ? t->type[id] : TOK_TYPE_NORMAL;
}

int Tokenizer_is_control(const Tokenizer *t, int id) {
    if (!t || id < 0 || id >= t->n_vocab) return 0;
    if (id == t->bos || id == t->eos || id == t->unk) return 1;
    int ty = Tokenizer_type(t, id);
    return ty == TOK_TYPE_CONTROL || ty == TOK_TYPE_UNKNOWN;
}

const char *Tokenizer_bytes(const Tokenizer *t, int id, size_t *len) {
    if (!t || id < 0 || id >= t->n_vocab) { if (len) *len = 0; return NULL; }
    return StrPool_get(&t->bytes, id, len);
}

const char *Tokenizer_symbol(const Tokenizer *t, int id) {
    if (!t || id < 0 || id >= t->n_vocab) return NULL;
    return StrPool_get(&t->sym, id, NULL);
}

int Tokenizer_lookup(const Tokenizer *t, const char *symbol) {
    if (!t || !symbol) return -1;
    return StrIndex_find(&t->sym_index, symbol, strlen(symbol));
}

/* ---- encode / decode ------------------------------------------------------------------------ */

int Tokenizer_check_text(const char *text, size_t len, char *err) {
    const char *nul = len ? memchr(text, 0, len) : NULL;
    size_t upto = nul ? (size_t)(nul - text) : len;
    size_t bad = 0;
    if (!sw_utf8_valid(text, upto, &bad)) {
        sw_seterr(err, "text: invalid UTF-8 at byte offset %zu (byte 0x%02X); give the text as UTF-8",
                  bad, (unsigned char)text[bad]);
        return -1;
    }
    if (nul) {
        sw_seterr(err, "text: NUL byte at offset %zu; text cannot contain NUL characters", upto);
        return -1;
    }
    return 0;
}

int Tokenizer_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, char *err) {
    if (!ids || !n || !t) { sw_seterr(err, "Tokenizer_encode: NULL argument"); return -1; }
    *ids = NULL;
    *n = 0;
    if (!text && len) { sw_seterr(err, "Tokenizer_encode: NULL text"); return -1; }
    if (len > (size_t)INT_MAX - 16) {
        sw_seterr(err, "text: %zu bytes is too long to tokenize (limit 2 GB)", len);
        return -1;
    }
    if (len && Tokenizer_check_text(text, len, err) != 0) return -1;
    IntVec v = {0};
    const char *s = text ? text : "";
    int rc = t->kind == TOK_GPT2    ? Gpt2_encode(t, s, len, &v, err)
           : t->kind == TOK_LLAMA   ? Llama_encode(t, s, len, &v, err)
                                    : Gguf_encode(t, s, len, &v, err);
    if (rc == 0 && !v.v) {
        v.v = malloc(sizeof(int));   /* empty result: still something the caller frees */
        if (!v.v) { sw_seterr(err, "text: out of memory"); rc = -1; }
    }
    if (rc != 0) { free(v.v); return -1; }
    *ids = v.v;
    *n = v.n;
    return 0;
}

/* Out-of-range ids (e.g. a model's padded vocabulary) decode to nothing. The BOS encode adds
 * gives nothing; SentencePiece kinds: the piece after it loses one leading space (the dummy
 * prefix), as llama2.c. */
char *Tokenizer_decode(const Tokenizer *t, const int *ids, int n) {
    size_t total = 1;
    for (int i = 0; i < n; i++) {
        size_t l;
        if (Tokenizer_bytes(t, ids[i], &l)) total += l;
    }
    char *out = malloc(total);
    if (!out) return NULL;
    size_t o = 0;
    int after_bos = 0;
    int bos = Tokenizer_bos(t);
    int strip = t->kind == TOK_LLAMA || (t->kind == TOK_GGUF_SPM && t->add_space_prefix);
    for (int i = 0; i < n; i++) {
        size_t l;
        const char *b = Tokenizer_bytes(t, ids[i], &l);
        if (!b) continue;
        if (bos >= 0 && ids[i] == bos) { after_bos = strip; continue; }
        if (after_bos && l && b[0] == ' ') { b++; l--; }
        after_bos = 0;
        memcpy(out + o, b, l);
        o += l;
    }
    out[o] = 0;
    return out;
}

/* ---- labels ---------------------------------------------------------------------------------- */

/* Writes whole units (a character or an escape) while they fit under `limit` bytes. */
typedef struct {
    char *buf;       /* NULL: only count */
    size_t used, limit;
    int full;
} Sink;

static void put(Sink *s, const char *u, size_t k) {
    if (s->full) return;
    if (k > s->limit - s->used) { s->full = 1; return; }
    if (s->buf) memcpy(s->buf + s->used, u, k);
    s->used += k;
}

static void put_hex_byte(Sink *s, unsigned char c) {
    char e[8];
    snprintf(e, sizeof e, "\\x%02X", c);
    put(s, e, 4);
}

static int is_class(pcre2_code *re, pcre2_match_data **md, const char *s, size_t k) {
    if (!*md) *md = pcre2_match_data_create(1, NULL);
    if (!*md) return 0;
    return pcre2_match(re, (PCRE2_SPTR)s, k, 0, PCRE2_NO_UTF_CHECK, *md, NULL) >= 0;
}

/* The label's escaping (see tokenizer.h): \n \t, other C0/C1 controls and DEL and
 * invalid/partial UTF-8 bytes as \xNN, format/separator/private-use characters as \uXXXX,
 * a leading space as ␣ (show_space), a leading combining mark after a ◌ (mark_base). */
static void escape_into(const Tokenizer *t, Sink *s, const char *str, size_t n, int show_space, int mark_base) {
    const unsigned char *u = (const unsigned char *)str;
    pcre2_match_data *md = NULL;
    uint32_t cp;
    int k;
    if (mark_base && n && u[0] >= 0x80 && (k = Utf8_decode(u, n, &cp)) > 0 &&
        is_class(t->mark_re, &md, str, (size_t)k))
        put(s, "\xE2\x97\x8C", 3);   /* ◌ U+25CC */
    size_t i = 0;
    while (i < n && !s->full) {
        unsigned char c = u[i];
        if (i == 0 && show_space && c == ' ') { put(s, "\xE2\x90\xA3", 3); i++; continue; }   /* ␣ */
        if (c == '\n') { put(s, "\\n", 2); i++; continue; }
        if (c == '\t') { put(s, "\\t", 2); i++; continue; }
        if (c < 0x20 || c == 0x7F) { put_hex_byte(s, c); i++; continue; }
        if (c < 0x80) { put(s, (const char *)u + i, 1); i++; continue; }
        k = Utf8_decode(u + i, n - i, &cp);
        if (k == 0) { put_hex_byte(s, c); i++; continue; }
        if (cp < 0xA0) {                    /* C1 controls: their two bytes */
            put_hex_byte(s, u[i]);
            put_hex_byte(s, u[i + 1]);
        } else if (is_class(t->hidden_re, &md, str + i, (size_t)k)) {
            char e[16];
            int el = snprintf(e, sizeof e, "\\u%04X", (unsigned)cp);
            put(s, e, (size_t)el);
        } else {
            put(s, str + i, (size_t)k);
        }
        i += (size_t)k;
    }
    if (md) pcre2_match_data_free(md);
}

char *Tokenizer_escape(const Tokenizer *t, const char *str, size_t n) {
    Sink cnt = { NULL, 0, SIZE_MAX, 0 };
    escape_into(t, &cnt, str, n, 0, 0);
    char *out = malloc(cnt.used + 1);
    if (!out) return NULL;
    Sink w = { out, 0, cnt.used, 0 };
    escape_into(t, &w, str, n, 0, 0);
    out[w.used] = 0;
    return out;
}

/* 1 when the label escaping would change s (not valid UTF-8, or has controls) */
int Tokenizer_needs_escape(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k = Utf8_decode(u + i, n - i, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return 1;
        i += (size_t)k;
    }
    return 0;
}

void Tokenizer_label(const Tokenizer *t, int id, int show_space, char *buf, size_t cap) {
    if (!buf || cap == 0) return;
    buf[0] = 0;
    if (!t || id < 0 || id >= t->n_vocab) {
        snprintf(buf, cap, "<?%d>", id);
        return;
    }
    size_t n;
    const char *b = StrPool_get(&t->bytes, id, &n);
    /* control tokens by name (<s>, <|im_start|>); so are tokens that decode to nothing */
    int special = Tokenizer_is_control(t, id) || n == 0;
    if (special) b = StrPool_get(&t->sym, id, &n);
    Sink cnt = { NULL, 0, SIZE_MAX, 0 };
    escape_into(t, &cnt, b, n, show_space && !special, !special);
    Sink w = { buf, 0, cap - 1, 0 };
    int cut = cnt.used > cap - 1;
    if (cut && cap - 1 >= 3 + 1) w.limit = cap - 1 - 3;   /* leave room for … */
    escape_into(t, &w, b, n, show_space && !special, !special);
    if (cut && cap - 1 - w.used >= 3) { memcpy(buf + w.used, "\xE2\x80\xA6", 3); w.used += 3; }   /* … */
    buf[w.used] = 0;
}
