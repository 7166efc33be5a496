/* tok_gpt2.c - GPT-2's byte-level BPE, giving the same ids as OpenAI's encoder.py.
 *
 *   1. pre-tokenize: split the text with GPT-2's pattern
 *        's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *      (PCRE2, UTF + UCP). \s is written \p{White_Space}: that is exactly what Python's `regex`
 *      module (used by encoder.py) calls \s, while PCRE2's own \s adds U+180E. (JavaScript's
 *      \s, used by the npm gpt-3-encoder, differs too: it has U+FEFF and lacks U+0085.)
 *      Letters/digits come from PCRE2's Unicode tables (Unicode 14 in PCRE2 10.42), so code
 *      points assigned later are "other" here.
 *   2. each piece's UTF-8 bytes become one symbol each (bytes_to_unicode: printable bytes stand
 *      for themselves, the other 68 for U+0100 + n), and
 *   3. BPE: repeatedly join every occurrence of the adjacent pair with the lowest merge rank,
 *      left to right, until no pair has a rank. A heap of candidate pairs makes this
 *      O(n log n) per piece where encoder.py's loop is O(n^2), with the same result.
 *
 * `<|endoftext|>` inside the text is plain text (it becomes < | end of text | >), as in
 * encoder.py and the npm package gpt-3-encoder; only an id 50256 put there by the caller
 * means end-of-text. That keeps encode total and decode(encode(x)) == x.
 */
#include "tokenizer_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw.h"

#define GPT2_MAX_FILE (64u << 20)

/* ---- bytes <-> unicode (OpenAI's bytes_to_unicode) ------------------------------------- */

#define U2B_N GPT2_U2B_N

void Gpt2_byte_map(uint32_t b2u[256], int u2b[U2B_N]) {
    int n = 0;
    for (int i = 0; i < U2B_N; i++) u2b[i] = -1;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        b2u[b] = printable ? (uint32_t)b : (uint32_t)(256 + n++);
        u2b[b2u[b]] = b;
    }
}

/* ---- merges hash table: (a,b) -> rank, merged ------------------------------------------ */

static uint64_t mix64(uint64_t x) {   /* splitmix64's finalizer */
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27; x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static const PairSlot *pair_find(const Tokenizer *t, int a, int b) {
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    size_t h = (size_t)mix64(key) & t->pair_mask;
    for (;;) {
        const PairSlot *s = &t->pairs[h];
        if (s->key == key) return s;
        if (s->key == UINT64_MAX) return NULL;
        h = (h + 1) & t->pair_mask;
    }
}

int Gpt2_has_pair(const Tokenizer *t, int a, int b) { return pair_find(t, a, b) != NULL; }

int Gpt2_pairs_alloc(Tokenizer *t, size_t n_merges) {
    size_t cap = 16;
    while (cap < n_merges * 2) cap *= 2;
    t->pairs = malloc(cap * sizeof *t->pairs);
    if (!t->pairs) return -1;
    for (size_t i = 0; i < cap; i++) t->pairs[i].key = UINT64_MAX;
    t->pair_mask = cap - 1;
    return 0;
}

/* encoder.py: a repeated pair keeps the later rank, as dict(zip(merges, range(...))) does;
 * llama.cpp (keep_first): the first, as unordered_map::emplace does */
void Gpt2_pair_add(Tokenizer *t, int a, int b, int rank, int merged, int keep_first) {
    uint64_t key = (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
    size_t h = (size_t)mix64(key) & t->pair_mask;
    while (t->pairs[h].key != UINT64_MAX && t->pairs[h].key != key) h = (h + 1) & t->pair_mask;
    if (keep_first && t->pairs[h].key == key) return;
    t->pairs[h].key = key;
    t->pairs[h].rank = rank;
    t->pairs[h].merged = merged;
}

/* ---- loading ---------------------------------------------------------------------------- */

static int load_vocab(Tokenizer *t, const char *path, char *err) {
    size_t len;
    char *text = sw_read_file(path, &len, GPT2_MAX_FILE, err);
    if (!text) return -1;
    int rc = -1;
    const char **key_of = NULL;
    /* one JSON value, nothing after it, no key twice (a token given two ids) */
    cJSON *root = sw_json_parse(text, len, path, err);
    if (!root) goto done;
    if (!cJSON_IsObject(root)) {
        sw_seterr(err, "%s: is a JSON %s, not a JSON object of token -> id; is this GPT-2's encoder.json/vocab.json?",
                  path, cJSON_IsArray(root) ? "array" : cJSON_IsString(root) ? "string" : "number or literal");
        goto done;
    }
    int n = cJSON_GetArraySize(root);
    if (n < 256 || n > 10000000) {
        sw_seterr(err, "%s: has %d tokens; a byte-level BPE vocabulary has at least 256", path, n);
        goto done;
    }
    key_of = calloc((size_t)n, sizeof *key_of);
    if (!key_of) { sw_seterr(err, "%s: out of memory", path); goto done; }
    for (cJSON *it = root->child; it; it = it->next) {
        double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
        if (!(v >= 0 && v < n && v == floor(v))) {
            char sb[SW_SHORT_LEN];
            sw_seterr(err, "%s: token \"%s\" has an id %s; ids must be whole numbers 0..%d (one per token)", path,
                      sw_short(it->string, sb), cJSON_IsNumber(it) ? "out of range" : "that is not a number", n - 1);
            goto done;
        }
        int id = (int)v;
        if (key_of[id]) {
            char sa[SW_SHORT_LEN], sb[SW_SHORT_LEN];
            sw_seterr(err, "%s: id %d is given to both \"%s\" and \"%s\"; each id must appear once",
                      path, id, sw_short(key_of[id], sa), sw_short(it->string, sb));
            goto done;
        }
        key_of[id] = it->string;
    }
    /* n distinct ids in 0..n-1: every id has a key */
    uint32_t b2u[256];
    int u2b[U2B_N];
    Gpt2_byte_map(b2u, u2b);
    char *buf = malloc(1024);
    size_t bcap = 1024;
    if (!buf || StrPool_init(&t->sym, n, len) != 0 || StrPool_init(&t->bytes, n, len)) {
        free(buf);
        sw_seterr(err, "%s: out of memory", path);
        goto done;
    }
    for (int id = 0; id < n; id++) {
        const char *k = key_of[id];
        size_t kl = strlen(k);
        char *esc = Tokenizer_needs_escape(k, kl) ? Tokenizer_escape(t, k, kl) : NULL;
        const char *sym = esc ? esc : k;
        int bad = StrPool_add(&t->sym, sym, strlen(sym));
        free(esc);
        /* bytes: each mapped code point is one byte; anything else stands for itself */
        if (kl * 4 + 1 > bcap) {
            char *nb = realloc(buf, kl * 4 + 1);
            if (!nb) bad = -1; else { buf = nb; bcap = kl * 4 + 1; }
        }
        size_t bl = 0, i = 0;
        while (!bad && i < kl) {
            uint32_t cp;
            int cl = Utf8_decode((const unsigned char *)k + i, kl - i, &cp);
            if (cl == 0) { buf[bl++] = k[i++]; continue; }
            if (cp < U2B_N && u2b[cp] >= 0) buf[bl++] = (char)u2b[cp];
            else { memcpy(buf + bl, k + i, (size_t)cl); bl += (size_t)cl; }
            i += (size_t)cl;
        }
        if (bad || StrPool_add(&t->bytes, buf, bl) != 0) {
            free(buf);
            sw_seterr(err, "%s: out of memory", path);
            goto done;
        }
    }
    free(buf);
    t->n_vocab = n;
    if (Tokenizer_finish_open(t, err) != 0) goto done;
    for (int b = 0; b < 256; b++) {
        char u[4];
        int ul = Utf8_encode(b2u[b], u);
        t->byte_id[b] = StrIndex_find(&t->sym_index, u, (size_t)ul);
        if (t->byte_id[b] < 0) {
            sw_seterr(err, "%s: no token for byte 0x%02X (symbol \"%.*s\"); not a GPT-2 byte-level vocabulary",
                      path, b, ul, u);
            goto done;
        }
    }
    t->eos = StrIndex_find(&t->sym_index, "<|endoftext|>", 13);
    t->type = malloc((size_t)n);
    if (!t->type) { sw_seterr(err, "%s: out of memory", path); goto done; }
    memset(t->type, TOK_TYPE_NORMAL, (size_t)n);
    if (t->eos >= 0) t->type[t->eos] = TOK_TYPE_CONTROL;
    rc = 0;
done:
    free(key_of);
    cJSON_Delete(root);
    free(text);
    return rc;
}

static int clip(size_t n) { return n > 60 ? 60 : (int)n; }

/* vocab.bpe / merges.txt: an optional "#version" first line, then "A B" per line, rank = order */
static int load_merges(Tokenizer *t, const char *path, const char *vocab_path, char *err) {
    size_t len;
    char *text = sw_read_file(path, &len, GPT2_MAX_FILE, err);
    if (!text) return -1;
    int rc = -1;
    char *cat = NULL;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    if (Gpt2_pairs_alloc(t, lines) != 0) { sw_seterr(err, "%s: out of memory", path); goto done; }

    size_t catcap = 256;
    cat = malloc(catcap);
    if (!cat) { sw_seterr(err, "%s: out of memory", path); goto done; }
    const char *nul = memchr(text, 0, len);
    if (nul) {
        int at = 1;
        for (const char *q = text; q < nul; q++) at += *q == '\n';
        sw_seterr(err, "%s line %d: has a NUL byte (byte %zu); a merges file is text (corrupt download? fetch it again)",
                  path, at, (size_t)(nul - text));
        goto done;
    }
    int lineno = 0, rank = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        lineno++;
        char *line = p;
        p = nl ? nl + 1 : end;
        if (le > line && le[-1] == '\r') le--;
        if (lineno == 1 && (size_t)(le - line) >= 8 && memcmp(line, "#version", 8) == 0) continue;
        /* split at spaces/tabs into exactly two parts */
        char *f[3];
        size_t fl[3];
        int nf = 0;
        char *q = line;
        while (q < le) {
            while (q < le && (*q == ' ' || *q == '\t')) q++;
            if (q == le) break;
            char *s = q;
            while (q < le && *q != ' ' && *q != '\t') q++;
            if (nf < 3) { f[nf] = s; fl[nf] = (size_t)(q - s); }
            nf++;
        }
        if (nf == 0) continue;
        if (nf != 2) {
            sw_seterr(err, "%s line %d: expected two symbols separated by a space, got \"%.*s\"",
                      path, lineno, clip((size_t)(le - line)), line);
            goto done;
        }
        if (fl[0] + fl[1] + 1 > catcap) {
            catcap = fl[0] + fl[1] + 1;
            char *nc = realloc(cat, catcap);
            if (!nc) { sw_seterr(err, "%s: out of memory", path); goto done; }
            cat = nc;
        }
        memcpy(cat, f[0], fl[0]);
        memcpy(cat + fl[0], f[1], fl[1]);
        int a = StrIndex_find(&t->sym_index, f[0], fl[0]);
        int b = StrIndex_find(&t->sym_index, f[1], fl[1]);
        int m = StrIndex_find(&t->sym_index, cat, fl[0] + fl[1]);
        if (a < 0 || b < 0 || m < 0) {
            const char *miss = a < 0 ? f[0] : b < 0 ? f[1] : cat;
            size_t ml = a < 0 ? fl[0] : b < 0 ? fl[1] : fl[0] + fl[1];
            sw_seterr(err, "%s line %d: merge \"%.*s %.*s\" needs \"%.*s\", which %s lacks; are both files from the same tokenizer?",
                      path, lineno, clip(fl[0]), f[0], clip(fl[1]), f[1], clip(ml), miss, vocab_path);
            goto done;
        }
        Gpt2_pair_add(t, a, b, rank++, m, 0);
    }
    rc = 0;
done:
    free(cat);
    free(text);
    return rc;
}

/* GPT-2's pattern; \s spelled \p{White_Space} to match Python's `regex` (see the top) */
static const char GPT2_PATTERN[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\p{White_Space}\\p{L}\\p{N}]+"
    "|\\p{White_Space}+(?!\\P{White_Space})|\\p{White_Space}+";
/* for PCRE2 older than 10.40 (no White_Space property): differs only for U+180E */
static const char GPT2_PATTERN_OLD[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

Tokenizer *Tokenizer_open_gpt2(const char *encoder_path, const char *merges_path, char *err) {
    if (!encoder_path || !merges_path) { sw_seterr(err, "Tokenizer_open_gpt2: NULL path"); return NULL; }
    Tokenizer *t = Tokenizer_alloc(TOK_GPT2, err);
    if (!t) return NULL;
    snprintf(t->pre_name, sizeof t->pre_name, "gpt2");
    if (load_vocab(t, encoder_path, err) != 0 || load_merges(t, merges_path, encoder_path, err) != 0) {
        Tokenizer_free(t);
        return NULL;
    }
    int ec;
    PCRE2_SIZE eo;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP;
    t->pre_re = pcre2_compile((PCRE2_SPTR)GPT2_PATTERN, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
    if (!t->pre_re)
        t->pre_re = pcre2_compile((PCRE2_SPTR)GPT2_PATTERN_OLD, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
    if (!t->pre_re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        sw_seterr(err, "GPT-2 pre-tokenizer pattern: PCRE2 cannot compile it (%s); install PCRE2 with Unicode support", (char *)msg);
        Tokenizer_free(t);
        return NULL;
    }
    /* JIT: encode about 20% faster (BPE is most of the time); without it the interpreter runs */
    pcre2_jit_compile(t->pre_re, PCRE2_JIT_COMPLETE);
    return t;
}

/* ---- BPE on one pre-token ------------------------------------------------------------------ */

typedef struct {
    int rank, left;   /* heap order: lowest rank, then leftmost */
    int a, b;         /* the ids the pair had when pushed (stale entries are skipped) */
} Cand;

struct Bpe {
    int *id, *next, *prev;   /* a linked list of symbols; id -1 = joined into its left */
    Cand *heap, *batch;
    int nheap;
    size_t cap;              /* nodes; the heap holds at most 3 per node */
};

static int cand_less(const Cand *x, const Cand *y) {
    return x->rank < y->rank || (x->rank == y->rank && x->left < y->left);
}

static void heap_push(Bpe *w, Cand c) {
    int i = w->nheap++;
    while (i > 0) {
        int up = (i - 1) / 2;
        if (!cand_less(&c, &w->heap[up])) break;
        w->heap[i] = w->heap[up];
        i = up;
    }
    w->heap[i] = c;
}

static Cand heap_pop(Bpe *w) {
    Cand top = w->heap[0], last = w->heap[--w->nheap];
    int i = 0, n = w->nheap;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && cand_less(&w->heap[c + 1], &w->heap[c])) c++;
        if (!cand_less(&w->heap[c], &last)) break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (n) w->heap[i] = last;
    return top;
}

static void push_pair(const Tokenizer *t, Bpe *w, int left) {
    if (left < 0 || w->next[left] < 0) return;
    int a = w->id[left], b = w->id[w->next[left]];
    const PairSlot *s = pair_find(t, a, b);
    if (s) heap_push(w, (Cand){ s->rank, left, a, b });
}

static int bpe_reserve(Bpe *w, size_t n) {
    if (n <= w->cap) return 0;
    size_t c = w->cap ? w->cap : 64;
    while (c < n) c *= 2;
    int *id = realloc(w->id, c * sizeof *id);
    if (id) w->id = id;
    int *nx = realloc(w->next, c * sizeof *nx);
    if (nx) w->next = nx;
    int *pv = realloc(w->prev, c * sizeof *pv);
    if (pv) w->prev = pv;
    Cand *h = realloc(w->heap, 3 * c * sizeof *h);
    if (h) w->heap = h;
    Cand *bt = realloc(w->batch, 3 * c * sizeof *bt);
    if (bt) w->batch = bt;
    if (!id || !nx || !pv || !h || !bt) return -1;
    w->cap = c;
    return 0;
}

static void bpe_free(Bpe *w) {
    free(w->id); free(w->next); free(w->prev); free(w->heap); free(w->batch);
}

static int bpe_piece(const Tokenizer *t, Bpe *w, const unsigned char *s, size_t n, IntVec *out) {
    if (n == 1) return IntVec_push(out, t->byte_id[s[0]]);
    if (bpe_reserve(w, n) != 0) return -1;
    int ni = (int)n;
    for (int i = 0; i < ni; i++) {
        w->id[i] = t->byte_id[s[i]];
        w->prev[i] = i - 1;
        w->next[i] = i + 1 < ni ? i + 1 : -1;
    }
    w->nheap = 0;
    for (int i = 0; i + 1 < ni; i++) push_pair(t, w, i);
    while (w->nheap) {
        /* all candidates of the lowest rank (one pair of symbols), leftmost first */
        int rank = w->heap[0].rank, nb = 0;
        while (w->nheap && w->heap[0].rank == rank) w->batch[nb++] = heap_pop(w);
        for (int k = 0; k < nb; k++) {
            Cand c = w->batch[k];
            int l = c.left, r = w->next[l];
            if (w->id[l] != c.a || r < 0 || w->id[r] != c.b) continue;   /* stale / overlapped */
            w->id[l] = pair_find(t, c.a, c.b)->merged;
            w->next[l] = w->next[r];
            if (w->next[r] >= 0) w->prev[w->next[r]] = l;
            w->id[r] = -1;
            push_pair(t, w, w->prev[l]);
            push_pair(t, w, l);
        }
    }
    for (int i = 0; i >= 0; i = w->next[i])
        if (IntVec_push(out, w->id[i]) != 0) return -1;
    return 0;
}

int Gpt2_bpe_piece(const Tokenizer *t, Bpe **w, const unsigned char *s, size_t n, IntVec *out) {
    if (!*w && !(*w = calloc(1, sizeof **w))) return -1;
    return bpe_piece(t, *w, s, n, out);
}

void Gpt2_bpe_free(Bpe *w) {
    if (!w) return;
    bpe_free(w);
    free(w);
}

int Gpt2_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err) {
    if (len == 0) return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->pre_re, NULL);
    Bpe w = {0};
    int rc = -1;
    if (!md) { sw_seterr(err, "text: out of memory"); goto done; }
    size_t pos = 0;
    while (pos < len) {
        int m = pcre2_match(t->pre_re, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (m == PCRE2_ERROR_JIT_STACKLIMIT)   /* very long runs: the interpreter keeps its stack on the heap */
            m = pcre2_match(t->pre_re, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, NULL);
        if (m == PCRE2_ERROR_NOMATCH) break;   /* cannot happen: every character has a class */
        if (m < 0) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(m, msg, sizeof msg);
            sw_seterr(err, "text: splitting into words failed at byte %zu (%s); try a shorter text", pos, (char *)msg);
            goto done;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[1] <= ov[0]) break;             /* no alternative matches empty; be safe */
        if (bpe_piece(t, &w, (const unsigned char *)text + ov[0], ov[1] - ov[0], out) != 0) {
            sw_seterr(err, "text: out of memory tokenizing %zu bytes", len);
            goto done;
        }
        pos = ov[1];
    }
    rc = 0;
done:
    bpe_free(&w);
    if (md) pcre2_match_data_free(md);
    return rc;
}
