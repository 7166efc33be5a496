/* tok_llama.c - the tokenizer of llama2.c (a SentencePiece BPE exported to a .bin), giving the
 * same ids as llama2.c run.c's encode(text, bos=1, eos=0):
 *
 *   1. <s> (id 1) first; then, when the text is not empty, the dummy-prefix piece " ";
 *   2. each UTF-8 code point is its own piece if the vocabulary has it, else its bytes
 *      become byte-fallback tokens <0xNN> (id = byte + 3);
 *   3. repeatedly join the adjacent pair whose joined piece has the highest score (the
 *      leftmost on ties) until no adjacent pair joins into a vocabulary piece.
 *
 * run.c rescans every pair after each join (O(n^2)); here a heap ordered by (score, position)
 * picks the same pair each time in O(log n).
 *
 * File: int32 max_token_length, then per token: float32 score, int32 length, the bytes
 * (little-endian, as written by llama2.c's tokenizer.py on x86/ARM).
 */
#include "tokenizer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "sw.h"

#define LLAMA_N_SPECIAL 3      /* <unk> <s> </s> */
#define LLAMA_BYTE0 3          /* <0x00> */

static int is_byte_piece(const char *s, size_t n, int *byte) {
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return 0;
    const char *h = strchr(hex, s[3]), *l = strchr(hex, s[4]);
    if (!h || !l || !s[3] || !s[4]) return 0;
    *byte = (int)((h - hex) * 16 + (l - hex));
    return 1;
}

Tokenizer *Tokenizer_open_llama(const char *path, int vocab_size, char *err) {
    if (!path) { sw_seterr(err, "Tokenizer_open_llama: NULL path"); return NULL; }
    if (vocab_size < LLAMA_N_SPECIAL + 256 || vocab_size > 10000000) {
        sw_seterr(err, "%s: the model's vocab_size %d is not usable; a llama2.c tokenizer has <unk> <s> </s> and 256 byte tokens, so at least 259",
                  path, vocab_size);
        return NULL;
    }
    SwMap m;
    if (sw_map_file(&m, path, err) != 0) return NULL;
    Tokenizer *t = Tokenizer_alloc(TOK_LLAMA, err);
    if (!t) { sw_unmap(&m); return NULL; }
    t->n_vocab = vocab_size;
    t->bos = 1;
    t->eos = 2;
    t->unk = 0;
    t->add_bos = 1;
    const uint8_t *d = m.data;
    size_t o = 4;
    int32_t max_len;
    if (m.len < 4) {
        sw_seterr(err, "%s: only %zu bytes; not a llama2.c tokenizer (.bin)", path, m.len);
        goto fail;
    }
    memcpy(&max_len, d, 4);
    if (max_len <= 0 || max_len > (1 << 20)) {
        sw_seterr(err, "%s: max_token_length %d is not plausible; not a llama2.c tokenizer (.bin)?", path, (int)max_len);
        goto fail;
    }
    t->score = malloc((size_t)vocab_size * sizeof *t->score);
    t->type = malloc((size_t)vocab_size);
    if (!t->score || !t->type || StrPool_init(&t->piece, vocab_size, m.len) != 0 ||
        StrPool_init(&t->sym, vocab_size, m.len) != 0 || StrPool_init(&t->bytes, vocab_size, m.len) != 0) {
        sw_seterr(err, "%s: out of memory", path);
        goto fail;
    }
    for (int i = 0; i < vocab_size; i++) {
        int32_t len;
        if (m.len - o < 8) {
            sw_seterr(err, "%s: ends after %d tokens but the model's vocab_size is %d (truncated, or the wrong tokenizer for this model?)",
                      path, i, vocab_size);
            goto fail;
        }
        memcpy(&t->score[i], d + o, 4);
        memcpy(&len, d + o + 4, 4);
        o += 8;
        if (len < 0 || (size_t)len > m.len - o) {
            sw_seterr(err, "%s: token %d has length %d but only %zu bytes remain (truncated or not a llama2.c tokenizer)",
                      path, i, (int)len, m.len - o);
            goto fail;
        }
        if (StrPool_add(&t->piece, (const char *)d + o, (size_t)len) != 0) {
            sw_seterr(err, "%s: out of memory", path);
            goto fail;
        }
        o += (size_t)len;
    }
    if (o != m.len) {
        sw_seterr(err, "%s: has %zu more bytes after token %d; the model's vocab_size is %d (the wrong tokenizer for this model?)",
                  path, m.len - o, vocab_size - 1, vocab_size);
        goto fail;
    }
    for (int i = 0; i < vocab_size; i++) {
        size_t n;
        const char *p = StrPool_get(&t->piece, i, &n);
        const char *sym = p, *bytes = p;
        size_t sn = n, bn = n;
        char one, *esc = NULL;
        int byte;
        t->type[i] = i == 0 ? TOK_TYPE_UNKNOWN : i < LLAMA_N_SPECIAL ? TOK_TYPE_CONTROL
                   : i < LLAMA_BYTE0 + 256 ? TOK_TYPE_BYTE : TOK_TYPE_NORMAL;
        if (i < LLAMA_N_SPECIAL) {                 /* "\n<s>\n" -> symbol "<s>", no bytes */
            while (sn && (sym[0] == '\n' || sym[0] == ' ')) { sym++; sn--; }
            while (sn && (sym[sn - 1] == '\n' || sym[sn - 1] == ' ')) sn--;
            bn = 0;
        } else if (i < LLAMA_BYTE0 + 256) {
            if (!is_byte_piece(p, n, &byte) || byte != i - LLAMA_BYTE0) {
                sw_seterr(err, "%s: token %d is \"%.*s\" but should be <0x%02X>; not a llama2.c tokenizer with byte fallback",
                          path, i, (int)(n > 20 ? 20 : n), p, i - LLAMA_BYTE0);
                goto fail;
            }
            one = (char)byte;
            bytes = &one;
            bn = 1;
        }
        if (Tokenizer_needs_escape(sym, sn)) {
            esc = Tokenizer_escape(t, sym, sn);
            if (esc) { sym = esc; sn = strlen(esc); }
        }
        int bad = StrPool_add(&t->sym, sym, sn) != 0 || StrPool_add(&t->bytes, bytes, bn) != 0;
        free(esc);
        if (bad) { sw_seterr(err, "%s: out of memory", path); goto fail; }
    }
    if (StrIndex_build(&t->piece_index, &t->piece) != 0) {
        sw_seterr(err, "%s: out of memory", path);
        goto fail;
    }
    if (Tokenizer_finish_open(t, err) != 0) goto fail;
    t->space_id = StrIndex_find(&t->piece_index, " ", 1);
    sw_unmap(&m);
    return t;
fail:
    sw_unmap(&m);
    Tokenizer_free(t);
    return NULL;
}

/* ---- encode ----------------------------------------------------------------------------- */

typedef struct {
    float score;      /* the joined piece's score: highest first */
    int left;         /* then leftmost */
    int a, b, merged;
} LCand;

typedef struct {
    int *id, *next, *prev;
    LCand *heap;
    int nheap;
    char *cat;        /* two pieces joined */
    size_t catcap;
} Merge;

static int lc_before(const LCand *x, const LCand *y) {
    return x->score > y->score || (x->score == y->score && x->left < y->left);
}

static void lheap_push(Merge *w, LCand c) {
    int i = w->nheap++;
    while (i > 0) {
        int up = (i - 1) / 2;
        if (!lc_before(&c, &w->heap[up])) break;
        w->heap[i] = w->heap[up];
        i = up;
    }
    w->heap[i] = c;
}

static LCand lheap_pop(Merge *w) {
    LCand top = w->heap[0], last = w->heap[--w->nheap];
    int i = 0, n = w->nheap;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && lc_before(&w->heap[c + 1], &w->heap[c])) c++;
        if (!lc_before(&w->heap[c], &last)) break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (n) w->heap[i] = last;
    return top;
}

/* push the pair starting at `left` if its joined piece is in the vocabulary; -1 out of memory */
static int lpush_pair(const Tokenizer *t, Merge *w, int left) {
    if (left < 0 || w->next[left] < 0) return 0;
    int a = w->id[left], b = w->id[w->next[left]];
    size_t la, lb;
    const char *pa = StrPool_get(&t->piece, a, &la), *pb = StrPool_get(&t->piece, b, &lb);
    if (la + lb > w->catcap) {
        size_t nc = (la + lb) * 2;
        char *c = realloc(w->cat, nc);
        if (!c) return -1;
        w->cat = c;
        w->catcap = nc;
    }
    memcpy(w->cat, pa, la);
    memcpy(w->cat + la, pb, lb);
    int m = StrIndex_find(&t->piece_index, w->cat, la + lb);
    if (m >= 0 && t->score[m] > -1e10f)   /* run.c starts best_score at -1e10 */
        lheap_push(w, (LCand){ t->score[m], left, a, b, m });
    return 0;
}

int Llama_encode(const Tokenizer *t, const char *text, size_t len, IntVec *out, char *err) {
    IntVec v = {0};
    Merge w = {0};
    int rc = -1;
    if (IntVec_push(&v, t->bos) != 0) goto oom;
    if (len) {
        int sp = t->space_id >= 0 ? t->space_id : LLAMA_BYTE0 + ' ';
        if (IntVec_push(&v, sp) != 0) goto oom;
    }
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = Utf8_decode(u + i, len - i, &cp);   /* text was checked: k >= 1 */
        if (k <= 0) k = 1;
        int id = StrIndex_find(&t->piece_index, text + i, (size_t)k);
        if (id >= 0) {
            if (IntVec_push(&v, id) != 0) goto oom;
        } else {
            for (int j = 0; j < k; j++)
                if (IntVec_push(&v, u[i + j] + LLAMA_BYTE0) != 0) goto oom;
        }
        i += (size_t)k;
    }
    int n = v.n;
    w.id = v.v;
    w.next = malloc((size_t)n * sizeof *w.next);
    w.prev = malloc((size_t)n * sizeof *w.prev);
    w.heap = malloc((size_t)n * 3 * sizeof *w.heap);
    if (!w.next || !w.prev || !w.heap) goto oom;
    for (int i = 0; i < n; i++) {
        w.prev[i] = i - 1;
        w.next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (int i = 0; i + 1 < n; i++)
        if (lpush_pair(t, &w, i) != 0) goto oom;
    while (w.nheap) {
        LCand c = lheap_pop(&w);
        int l = c.left, r = w.next[l];
        if (w.id[l] != c.a || r < 0 || w.id[r] != c.b) continue;   /* stale */
        w.id[l] = c.merged;
        w.next[l] = w.next[r];
        if (w.next[r] >= 0) w.prev[w.next[r]] = l;
        w.id[r] = -1;
        if (lpush_pair(t, &w, w.prev[l]) != 0 || lpush_pair(t, &w, l) != 0) goto oom;
    }
    for (int i = 0; i >= 0; i = w.next[i])
        if (IntVec_push(out, w.id[i]) != 0) goto oom;
    rc = 0;
    goto done;
oom:
    sw_seterr(err, "text: out of memory tokenizing %zu bytes", len);
done:
    free(v.v);
    free(w.next);
    free(w.prev);
    free(w.heap);
    free(w.cat);
    return rc;
}
