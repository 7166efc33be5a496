/* fuzz_gguf_tok.c - Tokenizer_from_spm / Tokenizer_from_bpe on arbitrary vocabularies.
 *
 * Input: a flags byte, then three parts split at the first two NUL bytes: the tokens (one per
 * line; a first byte 0x01..0x06 is the token's type), the merges (one per line), and the
 * text (the rest). Flags: bit 0 BPE (else SPM); bits 1-3 the pre-tokenizer (gpt2, default,
 * smollm, qwen2, llama-bpe, or an unknown name); bit 4 parse_special; bit 5 add_bos
 * (with a BOS); bit 6 add_space_prefix; bit 7 put the usual base tokens first (BPE: GPT-2's
 * 256 byte symbols; SPM: <unk> <s> </s> and <0x00>..<0xFF>).
 *
 * A refusal must be a one-line error naming the source. An opened tokenizer must have
 * printable symbols and labels (fz_check_tokenizer) and encode the text to in-range ids whose
 * bytes make its decode; for byte-level BPE, decode(encode(x)) == x for valid UTF-8 x (the
 * target keeps special types off tokens the BPE itself could produce, where a control token's
 * name and its byte-level spelling would differ: that is a broken vocabulary, not a bug).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

#define MAX_TOK 2048
#define MAX_MERGE 2048

static const char *const PRES[] = { "gpt2", "default", "smollm", "qwen2", "llama-bpe", "gpt-4o", "", "smollm" };

static int g_u2b[324];
static char g_bytesym[256][3];

/* GPT-2's bytes_to_unicode, written out here so the target checks the engine's own */
static void byte_symbols(void) {
    int n = 0;
    for (int i = 0; i < 324; i++) g_u2b[i] = -1;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        unsigned cp = printable ? (unsigned)b : 256u + (unsigned)n++;
        g_u2b[cp] = b;
        if (cp < 0x80) { g_bytesym[b][0] = (char)cp; g_bytesym[b][1] = 0; }
        else { g_bytesym[b][0] = (char)(0xC0 | cp >> 6); g_bytesym[b][1] = (char)(0x80 | (cp & 0x3F)); g_bytesym[b][2] = 0; }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    byte_symbols();
    return 0;
}

/* could byte-level BPE output this token (every character a byte symbol), and would its
 * raw text then differ from its bytes (anything but printable ASCII)? */
static int bpe_reachable_differs(const char *s, size_t n) {
    int ascii = 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp;
        size_t k;
        if (c < 0x80) { cp = c; k = 1; }
        else if ((c & 0xE0) == 0xC0 && i + 1 < n) { cp = (unsigned)(c & 0x1F) << 6 | ((unsigned char)s[i + 1] & 0x3F); k = 2; }
        else return 0;   /* 3-4 byte characters are no byte symbols */
        if (cp >= 324 || g_u2b[cp] < 0) return 0;
        if (!(cp >= '!' && cp <= '~')) ascii = 0;
        i += k;
    }
    return !ascii;
}

/* split s[0..n) at '\n' into at most max strings (pointers into s) */
static int lines(char *s, size_t n, char **out, size_t *len, int max) {
    if (n == 0) return 0;
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && k < max; i++)
        if (i == n || s[i] == '\n') { out[k] = s + start; len[k++] = i - start; start = i + 1; }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    const char *p = (const char *)data + 1;
    size_t rest = size - 1;
    const char *z1 = memchr(p, 0, rest);
    size_t tl = z1 ? (size_t)(z1 - p) : rest;
    const char *mp = z1 ? z1 + 1 : p + rest;
    size_t mrest = z1 ? rest - tl - 1 : 0;
    const char *z2 = memchr(mp, 0, mrest);
    size_t ml = z2 ? (size_t)(z2 - mp) : mrest;
    const char *text = z2 ? z2 + 1 : mp + mrest;
    size_t textl = z2 ? mrest - ml - 1 : 0;
    int bpe = flags & 1, base = (flags >> 7) & 1;

    char *tcopy = malloc(tl + 1), *mcopy = malloc(ml + 1);
    memcpy(tcopy, p, tl);
    tcopy[tl] = 0;
    memcpy(mcopy, mp, ml);
    mcopy[ml] = 0;
    static char *fl[MAX_TOK], *ms[MAX_MERGE];
    static size_t fll[MAX_TOK], msl[MAX_MERGE];
    int nf = lines(tcopy, tl, fl, fll, MAX_TOK - 260);
    int nm = lines(mcopy, ml, ms, msl, MAX_MERGE);

    static const char *tok[MAX_TOK];
    static size_t tlen[MAX_TOK];
    static int32_t type[MAX_TOK];
    static float score[MAX_TOK];
    static char bytetok[256][7];
    int n = 0;
    if (base && bpe) {
        for (int b = 0; b < 256; b++) { tok[n] = g_bytesym[b]; tlen[n] = strlen(g_bytesym[b]); type[n++] = 1; }
    } else if (base) {
        static const char *const sp[] = { "<unk>", "<s>", "</s>" };
        for (int i = 0; i < 3; i++) { tok[n] = sp[i]; tlen[n] = strlen(sp[i]); type[n++] = i ? 3 : 2; }
        for (int b = 0; b < 256; b++) {
            snprintf(bytetok[b], sizeof bytetok[b], "<0x%02X>", b);
            tok[n] = bytetok[b]; tlen[n] = 6; type[n++] = 6;
        }
    }
    for (int i = 0; i < nf; i++) {
        const char *s = fl[i];
        size_t l = fll[i];
        int ty = 1;
        if (l && (unsigned char)s[0] >= 1 && (unsigned char)s[0] <= 6) { ty = s[0]; s++; l--; }
        tok[n] = s;
        tlen[n] = l;
        type[n++] = ty;
    }
    for (int i = 0; i < n; i++) score[i] = -(float)i;
    if (bpe) {   /* keep special types off what the BPE itself could produce (see the top) */
        for (int i = 0; i < n; i++) {
            if (type[i] == 1) continue;
            int reach = type[i] == 6 || bpe_reachable_differs(tok[i], tlen[i]);
            for (int k = 0; k < nm && !reach; k++) {
                const char *sp = msl[k] > 1 ? memchr(ms[k] + 1, ' ', msl[k] - 1) : NULL;
                if (!sp) continue;
                size_t la = (size_t)(sp - ms[k]), lb = msl[k] - la - 1;
                reach = la + lb == tlen[i] && memcmp(ms[k], tok[i], la) == 0 && memcmp(sp + 1, tok[i] + la, lb) == 0;
            }
            if (reach) type[i] = 1;
        }
    }

    TokVocab v;
    TokVocab_init(&v);
    v.source = "fuzz.gguf";
    v.tokens = tok;
    v.token_len = tlen;
    v.n_tokens = (size_t)n;
    v.types = type;
    v.n_types = (size_t)n;
    if (!bpe) { v.scores = score; v.n_scores = (size_t)n; }
    v.merges = (const char *const *)ms;
    v.merge_len = msl;
    v.n_merges = (size_t)nm;
    v.pre = PRES[(flags >> 1) & 7];
    v.parse_special = (flags >> 4) & 1;
    v.add_bos = (flags >> 5) & 1;
    if (v.add_bos && n > 1) v.bos = base && !bpe ? 1 : n - 1;
    if (!bpe) v.add_space_prefix = (flags >> 6) & 1;

    char err[SW_ERR_LEN] = "";
    Tokenizer *t = bpe ? Tokenizer_from_bpe(&v, err) : Tokenizer_from_spm(&v, err);
    /* the tokenizer keeps copies: scribble over the arrays it was given */
    memset(tcopy, 0x5A, tl);
    memset(mcopy, 0x5A, ml);
    if (!t) {
        fz_check_err(err, "fuzz.gguf");
        goto out;
    }
    int V = Tokenizer_vocab_size(t);
    FZ_ASSERT(V == n, "opened with %d tokens but has %d", n, V);
    FZ_ASSERT(Tokenizer_kind(t) == (bpe ? TOK_GGUF_BPE : TOK_GGUF_SPM), "kind");
    fz_check_tokenizer(t);
    int *ids = NULL, k = 0;
    if (fz_encode(t, text, textl, &ids, &k)) {
        size_t total = 0;
        for (int i = 0; i < k; i++) {
            FZ_ASSERT(ids[i] >= 0 && ids[i] < V, "encode gave id %d (V=%d)", ids[i], V);
            size_t bl;
            FZ_ASSERT(Tokenizer_bytes(t, ids[i], &bl) != NULL, "bytes of id %d", ids[i]);
            total += bl;
        }
        char *back = Tokenizer_decode(t, ids, k);
        FZ_ASSERT(back != NULL, "decode returned NULL");
        FZ_ASSERT(strlen(back) <= total, "decode longer than its tokens' bytes");
        if (bpe && Tokenizer_bos(t) < 0)
            FZ_ASSERT(strlen(back) == textl && memcmp(back, text, textl) == 0, "byte-level BPE: decode(encode(x)) != x");
        free(back);
        free(ids);
    }
    Tokenizer_free(t);
out:
    free(tcopy);
    free(mcopy);
    return 0;
}
