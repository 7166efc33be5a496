/* test_tokenizer.c - both tokenizers against known answers.
 *
 * Where the expected numbers come from:
 *   - GPT-2 "Hello world! This is fun" and " The quick brown fox ..." ids: ../shared/README.md.
 *   - GPT-2 "The cat sat on mat": ../shared/models/gpt2-test-d64/reference.json (PyTorch reference).
 *   - tests/data/gpt2_tokens.json: 184 strings (scripts, RTL, emoji with ZWJ and flags, combining
 *     marks, whitespace runs, \r\n, numbers, contractions, code, URLs, <|endoftext|>, 120 seeded
 *     random mixes) with ids from the npm package gpt-3-encoder@1.1.4, made by
 *     tests/data/make_gpt2_tokens.js. gpt-3-encoder's JavaScript \s differs from encoder.py's
 *     (Python `regex`: Unicode White_Space) for U+FEFF and U+0085; for the two strings that show
 *     it the file also holds `ids_encoder_py` (tiktoken's gpt2 encoding, which agrees with a
 *     Python re-implementation of encoder.py), and that is what we must give.
 *   - Llama ids: ../shared/models/stories260K/reference.json (PyTorch reference using llama2.c's
 *     encode), plus a straight transcription of llama2.c run.c's encode() below, run on random
 *     strings against our heap-based version.
 *   - GGUF tokenizers (Tokenizer_from_spm / _from_bpe) get the arrays a GGUF file holds, built
 *     here from the same shared files: tok512.bin's pieces with spaces as "▁" and its specials
 *     trimmed (byte for byte stories260K-gguf's tokenizer.ggml.tokens/scores), GPT-2's
 *     encoder.json + vocab.bpe (and its first 1999 tokens + <|endoftext|> with the first 1743
 *     merges: byte for byte tiny-qwen2's and tiny-smollm's arrays; both checked once against
 *     the .gguf files by a throwaway reader). Expected ids: the llama2.c tokenizer's and the
 *     GPT-2 tokenizer's own output (the same algorithms on the same vocabulary), the `ids` of
 *     stories260K-gguf/ *.reference.json, tiny-qwen2 and tiny-smollm's reference.json, and
 *     tests/data/bpe_pre_tokens.json: ids for the qwen2, smollm and llama-bpe pre-tokenizers
 *     from the npm package tiktoken@1.0.22 (an independent Rust regex + BPE) with GPT-2's ranks,
 *     made by tests/data/make_bpe_pre_tokens.js. Small hand-made vocabularies check the errors
 *     and the special-token rules (expected ids written out by hand).
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sw.h"
#include "engine/tokenizer.h"
#include "tests/check.h"

static char path_buf[8][4096];
static const char *shared_path(int slot, const char *rel) {
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", shared_dir(), rel);
    return path_buf[slot];
}

/* a short printable name for a test string */
static const char *short_name(const char *s) {
    static char b[64];
    size_t o = 0;
    for (size_t i = 0; s[i] && o < 36; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) { b[o++] = '?'; continue; }
        b[o++] = (char)c;
    }
    while (o && ((unsigned char)b[o - 1] & 0xC0) == 0x80) o--;   /* cut at a character boundary */
    if (o && (unsigned char)b[o - 1] >= 0xC0) o--;
    b[o] = 0;
    return b;
}

static int same_ids(const int *a, int na, const int *b, int nb) {
    if (na != nb) return 0;
    for (int i = 0; i < na; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static void print_ids(char *out, size_t cap, const int *ids, int n) {
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < n && o + 16 < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%s%d", i ? "," : "", ids[i]);
}

static int encode_ok(const Tokenizer *t, const char *s, size_t len, int **ids, int *n) {
    char err[SW_ERR_LEN] = "";
    if (Tokenizer_encode(t, s, len, ids, n, err) != 0) {
        printf("  (encode error: %s)\n", err);
        return 0;
    }
    return 1;
}

/* encode, compare, and check decode gives the text back */
static void expect_ids(const Tokenizer *t, const char *name, const char *text, const int *want, int nwant) {
    int *ids, n;
    char nm[160], a[2048], b[2048];
    snprintf(nm, sizeof nm, "%s \"%s\"", name, short_name(text));
    if (!encode_ok(t, text, strlen(text), &ids, &n)) { fail(nm, "encode failed"); return; }
    print_ids(a, sizeof a, ids, n);
    print_ids(b, sizeof b, want, nwant);
    expect(same_ids(ids, n, want, nwant), nm, "got [%s] want [%s]", a, b);
    char *d = Tokenizer_decode(t, ids, n);
    if (!d || strcmp(d, text) != 0) fail(nm, "decode(encode(x)) != x");
    free(d);
    free(ids);
}

static int round_trips(const Tokenizer *t, const char *s, size_t len) {
    int *ids, n;
    if (!encode_ok(t, s, len, &ids, &n)) return 0;
    char *d = Tokenizer_decode(t, ids, n);
    int ok = d && strlen(d) == len && memcmp(d, s, len) == 0;
    free(d);
    free(ids);
    return ok;
}

/* ---- random valid UTF-8 -------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static size_t put_cp(char *o, uint32_t cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 63)); o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63)); o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static uint32_t random_cp(void) {
    static const uint32_t ws[] = { ' ', ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x180E, 0x2003,
                                   0x2028, 0x3000, 0xFEFF, 0x200D };
    switch (rnd() % 10) {
    case 0: case 1: case 2: return 0x20 + rnd() % 95;               /* ASCII */
    case 3: return ws[rnd() % (sizeof ws / sizeof ws[0])];         /* whitespace-ish */
    case 4: return 0x80 + rnd() % 0x780;                           /* Latin-1 .. Arabic */
    case 5: return 0x300 + rnd() % 0x70;                           /* combining marks */
    case 6: return 0x4E00 + rnd() % 0x5000;                        /* CJK */
    case 7: return 0x1F300 + rnd() % 0x800;                        /* emoji */
    case 8: return 1 + rnd() % 0x1F;                               /* C0 controls but NUL */
    default: {
        uint32_t cp;
        do cp = 1 + rnd() % 0x10FFFF; while (cp >= 0xD800 && cp <= 0xDFFF);
        return cp;
    }
    }
}

static size_t random_utf8(char *buf, size_t maxcp) {
    size_t n = rnd() % (maxcp + 1), o = 0;
    for (size_t i = 0; i < n; i++) o += put_cp(buf + o, random_cp());
    buf[o] = 0;
    return o;
}

/* ---- GPT-2 ----------------------------------------------------------------------------------- */

static void test_gpt2_known(const Tokenizer *g) {
    static const int hello[] = { 15496, 995, 0, 770, 318, 1257 };
    static const int fox[] = { 383, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13 };
    expect_ids(g, "gpt2 README", "Hello world! This is fun", hello, 6);
    expect_ids(g, "gpt2 README", " The quick brown fox jumps over the lazy dog.", fox, 10);
    expect(Tokenizer_kind(g) == TOK_GPT2 && Tokenizer_vocab_size(g) == 50257 && Tokenizer_eos(g) == 50256 &&
           Tokenizer_bos(g) == -1, "gpt2 kind/vocab/eos/bos", "kind %d vocab %d eos %d bos %d",
           Tokenizer_kind(g), Tokenizer_vocab_size(g), Tokenizer_eos(g), Tokenizer_bos(g));
}

static void test_gpt2_file(const Tokenizer *g) {
    char err[SW_ERR_LEN];
    const char *path = "tests/data/gpt2_tokens.json";
    char *txt = sw_read_file(path, NULL, 1 << 24, err);
    if (!txt) { fail("gpt2 cases file", "%s", err); return; }
    cJSON *root = cJSON_Parse(txt);
    cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) < 100) {
        fail("gpt2 cases file", "%s: no \"cases\" array of 100+ (regenerate with tests/data/make_gpt2_tokens.js)", path);
        cJSON_Delete(root);
        free(txt);
        return;
    }
    int k = 0, rand_ok = 0, rand_n = 0, js_diff = 0;
    char rand_fail[256] = "";
    for (cJSON *c = cases->child; c; c = c->next, k++) {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
        cJSON *js = cJSON_GetObjectItemCaseSensitive(c, "ids");
        cJSON *py = cJSON_GetObjectItemCaseSensitive(c, "ids_encoder_py");
        cJSON *want_j = py ? py : js;
        if (!text || !cJSON_IsArray(want_j)) { fail("gpt2 cases file", "case %d malformed", k); continue; }
        int nw = cJSON_GetArraySize(want_j);
        int *want = malloc(((size_t)nw + 1) * sizeof *want), i = 0;
        for (cJSON *x = want_j->child; x; x = x->next) want[i++] = (int)x->valuedouble;
        if (py) js_diff++;
        if (k < 64) {   /* the hand-written cases: one line each */
            expect_ids(g, py ? "gpt2 vs encoder.py" : "gpt2 vs gpt-3-encoder", text, want, nw);
        } else {        /* the seeded random mixes: one line for all */
            int *ids, n;
            rand_n++;
            if (encode_ok(g, text, strlen(text), &ids, &n)) {
                char *d = Tokenizer_decode(g, ids, n);
                if (same_ids(ids, n, want, nw) && d && strcmp(d, text) == 0) rand_ok++;
                else if (!rand_fail[0]) snprintf(rand_fail, sizeof rand_fail, "case %d \"%s\"", k, short_name(text));
                free(d);
                free(ids);
            }
        }
        free(want);
    }
    expect(rand_n >= 100 && rand_ok == rand_n, "gpt2 vs gpt-3-encoder: random mixes",
           "%d of %d agree; first bad: %s", rand_ok, rand_n, rand_fail);
    expect(js_diff == 2, "gpt2 cases: exactly the two JS-regex cases differ from encoder.py", "%d differ", js_diff);
    cJSON_Delete(root);
    free(txt);
}

static void test_gpt2_hf_files(const Tokenizer *g) {
    char err[SW_ERR_LEN] = "";
    Tokenizer *h = Tokenizer_open_gpt2(shared_path(0, "models/gpt2-test-d64/vocab.json"),
                                       shared_path(1, "models/gpt2-test-d64/merges.txt"), err);
    if (!h) { fail("gpt2 opens vocab.json + merges.txt", "%s", err); return; }
    pass("gpt2 opens vocab.json + merges.txt");
    static const int cat[] = { 464, 3797, 3332, 319, 2603 };
    expect_ids(h, "gpt2 d64 reference.json", "The cat sat on mat", cat, 5);
    int *a, na, *b, nb;
    const char *s = "Same files, same ids: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂";
    if (encode_ok(g, s, strlen(s), &a, &na) && encode_ok(h, s, strlen(s), &b, &nb)) {
        expect(same_ids(a, na, b, nb), "gpt2 encoder.json and vocab.json agree", "different ids");
        free(a);
        free(b);
    }
    Tokenizer_free(h);
}

static void test_gpt2_symbols(const Tokenizer *g) {
    size_t n;
    const char *b = Tokenizer_bytes(g, 995, &n);
    expect(b && n == 6 && memcmp(b, " world", 6) == 0, "gpt2 bytes(995) = \" world\"", "got %.*s", (int)n, b ? b : "");
    expect(strcmp(Tokenizer_symbol(g, 995), "\xC4\xA0world") == 0, "gpt2 symbol(995) = Ġworld", "got %s",
           Tokenizer_symbol(g, 995));
    expect(strcmp(Tokenizer_symbol(g, 198), "\xC4\x8A") == 0, "gpt2 symbol(198) = Ċ", "got %s", Tokenizer_symbol(g, 198));
    expect(Tokenizer_lookup(g, "\xC4\xA0world") == 995 && Tokenizer_lookup(g, "<|endoftext|>") == 50256 &&
           Tokenizer_lookup(g, "no such symbol!") == -1 && Tokenizer_lookup(g, " world") == -1,
           "gpt2 lookup", "wrong ids");
    b = Tokenizer_bytes(g, 50256, &n);
    expect(b && n == 13 && memcmp(b, "<|endoftext|>", 13) == 0, "gpt2 bytes(50256) = <|endoftext|>", "got %.*s", (int)n, b ? b : "");
    expect(Tokenizer_bytes(g, -1, &n) == NULL && Tokenizer_bytes(g, 50257, &n) == NULL && Tokenizer_symbol(g, 50257) == NULL,
           "gpt2 out-of-range ids give NULL", "not NULL");
    /* every byte has a token whose bytes are exactly that byte */
    int bytes_ok = 1;
    for (int i = 0; i < 256; i++) {
        char one = (char)i;
        int *ids, k;
        char err[SW_ERR_LEN];
        if (i == 0) continue;   /* NUL is refused by encode */
        if (i >= 0x80) break;   /* lone high bytes are not valid UTF-8 text */
        if (Tokenizer_encode(g, &one, 1, &ids, &k, err) != 0) { bytes_ok = 0; continue; }
        b = Tokenizer_bytes(g, ids[0], &n);
        if (k != 1 || n != 1 || b[0] != one) bytes_ok = 0;
        free(ids);
    }
    expect(bytes_ok, "gpt2 each ASCII byte is one token of that byte", "mismatch");
    int dec_ok = 1;
    for (int id = 0; id < 256; id++) {      /* ids 0..255 are the 256 single bytes */
        b = Tokenizer_bytes(g, id, &n);
        if (!b || n != 1) dec_ok = 0;
    }
    expect(dec_ok, "gpt2 ids 0..255 are single bytes", "not single bytes");
    int ids[] = { 50256, 15496, 50256 };
    char *d = Tokenizer_decode(g, ids, 3);
    expect(d && strcmp(d, "<|endoftext|>Hello<|endoftext|>") == 0, "gpt2 decode of 50256 writes <|endoftext|>", "got %s", d);
    free(d);
    int bad[] = { 15496, 99999, -5, 995 };
    d = Tokenizer_decode(g, bad, 4);
    expect(d && strcmp(d, "Hello world") == 0, "gpt2 decode skips out-of-range ids", "got %s", d);
    free(d);
}

/* ---- both: invalid input, round trips, labels ------------------------------------------------ */

static void test_invalid(const Tokenizer *t, const char *who) {
    static const struct { const char *s; size_t len; size_t at; } bad[] = {
        { "abc\xFF", 4, 3 },              /* never valid */
        { "ab\xC3", 3, 2 },               /* truncated 2-byte sequence */
        { "\xC0\xAF", 2, 0 },             /* overlong '/' */
        { "x\xED\xA0\x80y", 5, 1 },       /* surrogate U+D800 */
        { "\xF4\x90\x80\x80", 4, 0 },     /* beyond U+10FFFF */
        { "ok\x80", 3, 2 },               /* lone continuation byte */
        { "\xF0\x9F\x98", 3, 0 },         /* 3 of an emoji's 4 bytes */
        { "nul\0inside", 10, 3 },         /* NUL */
        { "\xF0\x9F\x98\x80 \xE2\x82", 7, 5 },
    };
    int ok = 1;
    char why[SW_ERR_LEN + 160] = "";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[SW_ERR_LEN] = "";
        int *ids = (int *)1, n = 7;
        int rc = Tokenizer_encode(t, bad[i].s, bad[i].len, &ids, &n, err);
        char want[64];
        snprintf(want, sizeof want, "offset %zu", bad[i].at);
        if (rc != -1 || ids != NULL || n != 0 || !strstr(err, want) || strchr(err, '\n')) {
            ok = 0;
            snprintf(why, sizeof why, "case %zu: rc %d, err \"%s\" (want \"%s\")", i, rc, err, want);
        }
    }
    char nm[80];
    snprintf(nm, sizeof nm, "%s rejects invalid UTF-8 and NUL with the byte offset", who);
    expect(ok, nm, "%s", why);
    int *ids, n;
    char err[SW_ERR_LEN];
    snprintf(nm, sizeof nm, "%s empty text", who);
    if (Tokenizer_encode(t, "", 0, &ids, &n, err) == 0) {
        int want = Tokenizer_bos(t) >= 0 ? 1 : 0;   /* just the BOS, if encode adds one */
        expect(ids && n == want && (want == 0 || ids[0] == Tokenizer_bos(t)), nm, "n = %d", n);
        char *d = Tokenizer_decode(t, ids, n);
        if (!d || *d) fail(nm, "decode not empty");
        free(d);
        free(ids);
    } else fail(nm, "%s", err);
}

static void test_round_trips(const Tokenizer *t, const char *who) {
    char buf[60 * 4 + 1];
    int ok = 0, total = 400;
    char first[128] = "";
    for (int i = 0; i < total; i++) {
        size_t len = random_utf8(buf, 60);
        if (round_trips(t, buf, len)) ok++;
        else if (!first[0]) snprintf(first, sizeof first, "string %d (%zu bytes)", i, len);
    }
    char nm[80];
    snprintf(nm, sizeof nm, "%s decode(encode(x)) == x for %d random UTF-8 strings", who, total);
    expect(ok == total, nm, "%d of %d; first bad: %s", ok, total, first);

    /* long inputs finish (no quadratic blow-up, no regex stack trouble) and round-trip */
    size_t big = 1 << 20;
    char *s = malloc(big + 1);
    const char *fills[] = { " ", "a", "!", "\xF0\x9F\x99\x82", "ab ", "\t\n" };
    int long_ok = 1;
    for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
        size_t fl = strlen(fills[f]), o = 0;
        while (o + fl <= big) { memcpy(s + o, fills[f], fl); o += fl; }
        s[o] = 0;
        if (!round_trips(t, s, o)) long_ok = 0;
    }
    free(s);
    snprintf(nm, sizeof nm, "%s 1 MB runs of one character round-trip", who);
    expect(long_ok, nm, "failed");
}

static int valid_printable(const char *s) {
    size_t bad;
    if (!sw_utf8_valid(s, strlen(s), &bad)) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return 0;
    /* no C1 controls (U+0080..U+009F = C2 80..C2 9F) */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return 0;
    return 1;
}

static void test_labels_all(const Tokenizer *t, const char *who) {
    int ok = 1, bad_id = -1;
    char buf[96];
    for (int id = -2; id < Tokenizer_vocab_size(t) + 2; id++) {
        for (int sp = 0; sp < 2; sp++) {
            Tokenizer_label(t, id, sp, buf, sizeof buf);
            if (!valid_printable(buf) || !*buf) { ok = 0; bad_id = id; }
            for (size_t cap = 1; cap <= 12; cap++) {   /* short cells: cut whole characters */
                char small[12 + 8];
                memset(small, 'Z', sizeof small);
                Tokenizer_label(t, id, sp, small, cap);
                if (small[cap] != 'Z' || strlen(small) >= cap || !valid_printable(small)) { ok = 0; bad_id = id; }
            }
        }
        const char *sym = Tokenizer_symbol(t, id);
        if (id >= 0 && id < Tokenizer_vocab_size(t) && (!sym || !valid_printable(sym) || Tokenizer_lookup(t, sym) < 0)) {
            ok = 0;
            bad_id = id;
        }
    }
    char nm[96];
    snprintf(nm, sizeof nm, "%s every label and symbol is printable UTF-8, any cap", who);
    expect(ok, nm, "id %d", bad_id);
}

static void expect_label(const Tokenizer *t, int id, int sp, const char *want) {
    char buf[64], nm[128];
    Tokenizer_label(t, id, sp, buf, sizeof buf);
    snprintf(nm, sizeof nm, "label(%d, show_space=%d) = %s", id, sp, want);
    expect(strcmp(buf, want) == 0, nm, "got \"%s\"", buf);
}

static int single_token(const Tokenizer *g, const char *s) {
    int *ids, n, id = -1;
    char err[SW_ERR_LEN];
    if (Tokenizer_encode(g, s, strlen(s), &ids, &n, err) == 0) {
        if (n == 1) id = ids[0];
        free(ids);
    }
    return id;
}

static void test_gpt2_labels(const Tokenizer *g) {
    expect_label(g, 995, 1, "\xE2\x90\xA3world");   /* ␣world */
    expect_label(g, 995, 0, " world");
    expect_label(g, 198, 1, "\\n");
    expect_label(g, 197, 1, "\\t");
    expect_label(g, 201, 0, "\\x0D");               /* \r */
    expect_label(g, 8582, 0, "\\xF0\\x9F");          /* first half of an emoji */
    expect_label(g, 50256, 0, "<|endoftext|>");
    expect_label(g, -1, 0, "<?-1>");
    int zwj = single_token(g, "\xE2\x80\x8D");
    if (zwj >= 0) expect_label(g, zwj, 0, "\\u200D");
    int acute = single_token(g, "\xCC\x81");        /* U+0301 alone: shown on a dotted circle */
    if (acute >= 0) expect_label(g, acute, 0, "\xE2\x97\x8C\xCC\x81");
    char small[8];
    Tokenizer_label(g, 18045, 1, small, sizeof small);   /* "␣jumps" is 8 bytes: cut with … */
    expect(strcmp(small, "\xE2\x90\xA3j\xE2\x80\xA6") == 0, "label cut to a small cap ends with …", "got \"%s\"", small);
}

/* ---- Llama --------------------------------------------------------------------------------- */

/* llama2.c run.c encode(), transcribed as plainly as possible (O(n^2)), for comparison */
typedef struct {
    char **piece;
    float *score;
    int n;
} RefVocab;

static int ref_load(RefVocab *v, const char *path, int n) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int maxlen;
    v->n = n;
    v->piece = calloc((size_t)n, sizeof *v->piece);
    v->score = calloc((size_t)n, sizeof *v->score);
    if (fread(&maxlen, 4, 1, f) != 1) { fclose(f); return -1; }
    for (int i = 0; i < n; i++) {
        int len;
        if (fread(&v->score[i], 4, 1, f) != 1 || fread(&len, 4, 1, f) != 1) { fclose(f); return -1; }
        v->piece[i] = malloc((size_t)len + 1);
        if (fread(v->piece[i], 1, (size_t)len, f) != (size_t)len) { fclose(f); return -1; }
        v->piece[i][len] = 0;
    }
    fclose(f);
    return 0;
}

static void ref_free(RefVocab *v) {
    for (int i = 0; i < v->n; i++) free(v->piece[i]);
    free(v->piece);
    free(v->score);
}

static int ref_lookup(const RefVocab *v, const char *s) {
    for (int i = 0; i < v->n; i++) if (strcmp(v->piece[i], s) == 0) return i;
    return -1;
}

static int ref_encode(const RefVocab *v, const char *text, int *tokens) {
    char buf[64];
    int n = 0;
    size_t str_len = 0;
    tokens[n++] = 1;
    if (text[0] != '\0') tokens[n++] = ref_lookup(v, " ");
    for (const char *c = text; *c != '\0'; c++) {
        if ((*c & 0xC0) != 0x80) str_len = 0;
        buf[str_len++] = *c;
        buf[str_len] = '\0';
        if ((*(c + 1) & 0xC0) == 0x80 && str_len < 4) continue;
        int id = ref_lookup(v, buf);
        if (id != -1) tokens[n++] = id;
        else for (size_t i = 0; i < str_len; i++) tokens[n++] = (unsigned char)buf[i] + 3;
        str_len = 0;
    }
    char *cat = malloc(4096);
    for (;;) {
        float best_score = -1e10f;
        int best_id = -1, best_idx = -1;
        for (int i = 0; i < n - 1; i++) {
            snprintf(cat, 4096, "%s%s", v->piece[tokens[i]], v->piece[tokens[i + 1]]);
            int id = ref_lookup(v, cat);
            if (id != -1 && v->score[id] > best_score) { best_score = v->score[id]; best_id = id; best_idx = i; }
        }
        if (best_idx == -1) break;
        tokens[best_idx] = best_id;
        for (int i = best_idx + 1; i < n - 1; i++) tokens[i] = tokens[i + 1];
        n--;
    }
    free(cat);
    return n;
}

static void test_llama(void) {
    char err[SW_ERR_LEN] = "";
    const char *tok = shared_path(2, "models/stories260K/tok512.bin");
    Tokenizer *t = Tokenizer_open_llama(tok, 512, err);
    if (!t) { fail("llama open tok512.bin", "%s", err); return; }
    pass("llama open tok512.bin");
    expect(Tokenizer_kind(t) == TOK_LLAMA && Tokenizer_vocab_size(t) == 512 && Tokenizer_bos(t) == 1 &&
           Tokenizer_eos(t) == 2, "llama kind/vocab/bos/eos", "wrong");

    /* reference.json's three prompts */
    char *txt = sw_read_file(shared_path(3, "models/stories260K/reference.json"), NULL, 1 << 26, err);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    cJSON *prompts = cJSON_GetObjectItemCaseSensitive(root, "prompts");
    int np = 0;
    for (cJSON *p = prompts ? prompts->child : NULL; p; p = p->next) {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "text"));
        cJSON *ids = cJSON_GetObjectItemCaseSensitive(p, "ids");
        if (!text || !cJSON_IsArray(ids)) continue;
        int want[256], nw = 0;
        for (cJSON *x = ids->child; x && nw < 256; x = x->next) want[nw++] = (int)x->valuedouble;
        expect_ids(t, "llama reference.json", text, want, nw);
        np++;
    }
    expect(np == 3, "llama reference.json has three prompts", "found %d (%s)", np, txt ? "parsed" : err);
    cJSON_Delete(root);
    free(txt);
    static const int once[] = { 1, 403, 407, 261, 378 };
    expect_ids(t, "llama brief", "Once upon a time", once, 5);

    /* byte fallback: 'Ж' is not in the 512 pieces, so its two bytes + 3 */
    int *ids, n;
    if (encode_ok(t, "\xD0\x96", 2, &ids, &n)) {
        expect(n == 4 && ids[0] == 1 && ids[2] == 0xD0 + 3 && ids[3] == 0x96 + 3, "llama byte fallback Ж -> <0xD0><0x96>",
               "n %d", n);
        free(ids);
    }
    size_t bl;
    const char *b = Tokenizer_bytes(t, 13, &bl);
    expect(b && bl == 1 && b[0] == '\n', "llama bytes(<0x0A>) is one newline byte", "len %zu", bl);
    b = Tokenizer_bytes(t, 0xF0 + 3, &bl);
    expect(b && bl == 1 && (unsigned char)b[0] == 0xF0, "llama bytes(<0xF0>) is byte 0xF0", "len %zu", bl);
    b = Tokenizer_bytes(t, 1, &bl);
    expect(b && bl == 0, "llama bytes(<s>) is empty", "len %zu", bl);
    expect(strcmp(Tokenizer_symbol(t, 1), "<s>") == 0 && strcmp(Tokenizer_symbol(t, 2), "</s>") == 0 &&
           strcmp(Tokenizer_symbol(t, 0), "<unk>") == 0 && strcmp(Tokenizer_symbol(t, 13), "<0x0A>") == 0 &&
           strcmp(Tokenizer_symbol(t, 403), " Once") == 0, "llama symbols", "got %s %s %s %s",
           Tokenizer_symbol(t, 0), Tokenizer_symbol(t, 1), Tokenizer_symbol(t, 2), Tokenizer_symbol(t, 13));
    expect(Tokenizer_lookup(t, "<s>") == 1 && Tokenizer_lookup(t, "</s>") == 2 && Tokenizer_lookup(t, "<0x0A>") == 13 &&
           Tokenizer_lookup(t, " Once") == 403 && Tokenizer_lookup(t, "Once") == -1, "llama lookup", "wrong ids");
    expect_label(t, 1, 1, "<s>");
    expect_label(t, 2, 0, "</s>");
    expect_label(t, 403, 1, "\xE2\x90\xA3Once");
    expect_label(t, 13, 0, "\\n");
    expect_label(t, 0xE2 + 3, 0, "\\xE2");

    /* decode: BOS dropped, one space after BOS dropped, none elsewhere */
    int d1[] = { 1, 403, 407, 2 };
    char *d = Tokenizer_decode(t, d1, 4);
    expect(d && strcmp(d, "Once upon") == 0, "llama decode drops <s>, the prefix space, </s>", "got \"%s\"", d);
    free(d);
    int d2[] = { 403, 407 };
    d = Tokenizer_decode(t, d2, 2);
    expect(d && strcmp(d, " Once upon") == 0, "llama decode without <s> keeps the space", "got \"%s\"", d);
    free(d);
    static const char *sp[] = { " ", "  x", " leading", "trailing  ", "\n\nnewlines\n", "tabs\there" };
    int sp_ok = 1;
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++) sp_ok &= round_trips(t, sp[i], strlen(sp[i]));
    expect(sp_ok, "llama round trip with leading/trailing spaces", "failed");

    /* our heap merge gives run.c's ids */
    RefVocab v;
    if (ref_load(&v, tok, 512) == 0) {
        int agree = 0, total = 300;
        char first[160] = "";
        char buf[40 * 4 + 1];
        int *ref = malloc(sizeof(int) * (40 * 4 + 2));
        for (int i = 0; i < total; i++) {
            size_t len;
            if (i % 2) len = random_utf8(buf, 40);
            else {   /* mostly story-like ASCII, where merges happen */
                static const char *words[] = { "Once", " upon", " a", " time", " there", " was", " little", " girl",
                                               " named", " Lily", ".", ",", " She", " loved", " to", " play", "\n", "  ",
                                               "!", " the", "ing", "é", "\xF0\x9F\x99\x82" };
                size_t o = 0;
                int nw = (int)(rnd() % 12);
                for (int w = 0; w < nw; w++) {
                    const char *wd = words[rnd() % (sizeof words / sizeof words[0])];
                    if (o + strlen(wd) >= sizeof buf) break;
                    memcpy(buf + o, wd, strlen(wd));
                    o += strlen(wd);
                }
                buf[o] = 0;
                len = o;
            }
            int nr = ref_encode(&v, buf, ref);
            if (encode_ok(t, buf, len, &ids, &n)) {
                if (same_ids(ids, n, ref, nr)) agree++;
                else if (!first[0]) snprintf(first, sizeof first, "\"%s\"", short_name(buf));
                free(ids);
            }
        }
        free(ref);
        expect(agree == total, "llama encode equals run.c's encode on 300 strings", "%d of %d; first bad %s", agree,
               total, first);
        ref_free(&v);
    } else {
        fail("llama run.c comparison", "cannot read %s", tok);
    }

    test_invalid(t, "llama");
    test_round_trips(t, "llama");
    test_labels_all(t, "llama");
    Tokenizer_free(t);
}

/* ---- GGUF vocabularies from arrays ------------------------------------------------------------ */

#define SPACE_MARK "\xE2\x96\x81"

/* tok512.bin as a GGUF file holds it: "▁" for spaces, specials without llama2.c's "\n" */
typedef struct {
    char **tok;
    float *score;
    int32_t *type;
    int n;
} SpmArrays;

static int spm_arrays(SpmArrays *a) {
    RefVocab v;
    if (ref_load(&v, shared_path(2, "models/stories260K/tok512.bin"), 512) != 0) return -1;
    a->n = 512;
    a->tok = calloc(512, sizeof *a->tok);
    a->score = calloc(512, sizeof *a->score);
    a->type = calloc(512, sizeof *a->type);
    for (int i = 0; i < 512; i++) {
        const char *p = v.piece[i];
        char *o = malloc(strlen(p) * 3 + 1);
        size_t k = 0;
        if (i < 3) {                       /* "\n<s>\n" -> "<s>" */
            while (*p == '\n') p++;
            while (*p && *p != '\n') o[k++] = *p++;
        } else {
            for (; *p; p++) {
                if (*p == ' ' && i >= 259) { memcpy(o + k, SPACE_MARK, 3); k += 3; }
                else o[k++] = *p;
            }
        }
        o[k] = 0;
        a->tok[i] = o;
        a->score[i] = v.score[i];
        a->type[i] = i == 0 ? TOK_TYPE_UNKNOWN : i < 3 ? TOK_TYPE_CONTROL : i < 259 ? TOK_TYPE_BYTE : TOK_TYPE_NORMAL;
    }
    ref_free(&v);
    return 0;
}

static void spm_arrays_free(SpmArrays *a) {
    for (int i = 0; i < a->n; i++) free(a->tok[i]);
    free(a->tok);
    free(a->score);
    free(a->type);
}

static void spm_vocab(TokVocab *v, const SpmArrays *a) {
    TokVocab_init(v);
    v->source = "stories260K (arrays)";
    v->tokens = (const char *const *)a->tok;
    v->n_tokens = (size_t)a->n;
    v->scores = a->score;
    v->n_scores = (size_t)a->n;
    v->types = a->type;
    v->n_types = (size_t)a->n;
    v->bos = 1;
    v->eos = 2;
    v->unk = 0;
    v->add_bos = 1;
    v->model_vocab = a->n;
}

/* GPT-2's encoder.json (by id) and vocab.bpe as GGUF arrays */
typedef struct {
    char **tok;
    int32_t *type;
    int n;
    char **merge;
    int nm;
} BpeArrays;

static int bpe_arrays(BpeArrays *a) {
    char err[SW_ERR_LEN];
    memset(a, 0, sizeof *a);
    char *js = sw_read_file(shared_path(4, "models/gpt2-tokenizer/encoder.json"), NULL, 1 << 26, err);
    size_t ml;
    char *mt = sw_read_file(shared_path(5, "models/gpt2-tokenizer/vocab.bpe"), &ml, 1 << 26, err);
    cJSON *root = js ? cJSON_Parse(js) : NULL;
    int ok = root && mt;
    if (ok) {
        a->n = cJSON_GetArraySize(root);
        a->tok = calloc((size_t)a->n, sizeof *a->tok);
        a->type = calloc((size_t)a->n, sizeof *a->type);
        for (cJSON *it = root->child; it; it = it->next) {
            int id = (int)it->valuedouble;
            if (id >= 0 && id < a->n) a->tok[id] = strdup(it->string);
        }
        for (int i = 0; i < a->n; i++) {
            if (!a->tok[i]) ok = 0;
            a->type[i] = a->tok[i] && strcmp(a->tok[i], "<|endoftext|>") == 0 ? TOK_TYPE_CONTROL : TOK_TYPE_NORMAL;
        }
        a->merge = calloc(ml / 3 + 1, sizeof *a->merge);
        for (char *line = strtok(mt, "\n"); line; line = strtok(NULL, "\n"))
            if (strncmp(line, "#version", 8) != 0 && *line) a->merge[a->nm++] = strdup(line);
    }
    cJSON_Delete(root);
    free(js);
    free(mt);
    return ok ? 0 : -1;
}

static void bpe_arrays_free(BpeArrays *a) {
    for (int i = 0; i < a->n; i++) free(a->tok[i]);
    for (int i = 0; i < a->nm; i++) free(a->merge[i]);
    free(a->tok);
    free(a->type);
    free(a->merge);
}

/* n_tok < a->n: the first n_tok - 1 tokens and <|endoftext|> (the tiny models' vocabulary) */
static Tokenizer *bpe_from(const BpeArrays *a, int n_tok, int n_merge, const char *pre, int parse_special, char *err) {
    const char **tok = malloc((size_t)n_tok * sizeof *tok);
    int32_t *type = malloc((size_t)n_tok * sizeof *type);
    for (int i = 0; i < n_tok; i++) { tok[i] = a->tok[i]; type[i] = a->type[i]; }
    if (n_tok < a->n) { tok[n_tok - 1] = "<|endoftext|>"; type[n_tok - 1] = TOK_TYPE_CONTROL; }
    TokVocab v;
    TokVocab_init(&v);
    v.source = "gpt2 (arrays)";
    v.tokens = tok;
    v.n_tokens = (size_t)n_tok;
    v.types = type;
    v.n_types = (size_t)n_tok;
    v.merges = (const char *const *)a->merge;
    v.n_merges = (size_t)n_merge;
    v.pre = pre;
    v.eos = n_tok - 1;
    v.add_bos = 0;   /* llama-bpe would add one by default; these vocabularies have no BOS */
    v.parse_special = parse_special;
    v.model_vocab = n_tok;
    Tokenizer *t = Tokenizer_from_bpe(&v, err);
    free(tok);   /* the tokenizer keeps copies */
    free(type);
    return t;
}

/* the `ids` of every prompt in a *.reference.json */
static void expect_reference_ids(const Tokenizer *t, const char *rel, int want_prompts) {
    char err[SW_ERR_LEN] = "", nm[160];
    char *txt = sw_read_file(shared_path(3, rel), NULL, 1 << 26, err);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    cJSON *prompts = cJSON_GetObjectItemCaseSensitive(root, "prompts");
    int np = 0;
    for (cJSON *p = prompts ? prompts->child : NULL; p; p = p->next) {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "text"));
        cJSON *ids = cJSON_GetObjectItemCaseSensitive(p, "ids");
        if (!text || !cJSON_IsArray(ids)) continue;
        int want[512], nw = 0;
        for (cJSON *x = ids->child; x && nw < 512; x = x->next) want[nw++] = (int)x->valuedouble;
        expect_ids(t, rel, text, want, nw);
        np++;
    }
    snprintf(nm, sizeof nm, "%s has %d prompts", rel, want_prompts);
    expect(np == want_prompts, nm, "found %d (%s)", np, txt ? "parsed" : err);
    cJSON_Delete(root);
    free(txt);
}

/* both tokenizers give the same ids for text */
static int same_encoding(const Tokenizer *a, const Tokenizer *b, const char *text, size_t len) {
    int *x, nx, *y, ny;
    if (!encode_ok(a, text, len, &x, &nx)) return 0;
    if (!encode_ok(b, text, len, &y, &ny)) { free(x); return 0; }
    int ok = same_ids(x, nx, y, ny);
    free(x);
    free(y);
    return ok;
}

static const char *const SPM_STRINGS[] = {
    "Once upon a time", "Lily and Tom went to the park. They saw a big", "", " ", "  ", "   x", " leading",
    "trailing ", "trailing   ", "two  spaces   three", "\n", "\n\nnew\nlines\n", "tab\there", "a\r\nb",
    "h\xC3\xA9llo caf\xC3\xA9", "\xD0\x96\xD0\xB8\xD0\xB7\xD0\xBD\xD1\x8C", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
    "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!", "hair\xE2\x80\x8Aspace", "<0x41>",
    "She said, \"Hello!\" and ran.", "12345 + 678 = 13023", "x", "The end.\n",
};

static void test_spm_arrays(void) {
    char err[SW_ERR_LEN] = "";
    SpmArrays a;
    if (spm_arrays(&a) != 0) { fail("gguf spm arrays from tok512.bin", "cannot read tok512.bin"); return; }
    Tokenizer *ll = Tokenizer_open_llama(shared_path(2, "models/stories260K/tok512.bin"), 512, err);
    TokVocab v;
    spm_vocab(&v, &a);
    Tokenizer *t = Tokenizer_from_spm(&v, err);
    if (!t || !ll) { fail("gguf spm from tok512.bin's arrays", "%s", err); Tokenizer_free(ll); spm_arrays_free(&a); return; }
    pass("gguf spm from tok512.bin's arrays");
    spm_arrays_free(&a);   /* the tokenizer must not need them any more */
    expect(Tokenizer_kind(t) == TOK_GGUF_SPM && Tokenizer_vocab_size(t) == 512 && Tokenizer_bos(t) == 1 &&
           Tokenizer_eos(t) == 2, "gguf spm kind/vocab/bos/eos", "kind %d V %d bos %d eos %d", Tokenizer_kind(t),
           Tokenizer_vocab_size(t), Tokenizer_bos(t), Tokenizer_eos(t));

    /* the same ids as llama2.c's tokenizer, and decode(encode(x)) == x */
    int same = 1, rt = 1;
    char first[96] = "";
    for (size_t i = 0; i < sizeof SPM_STRINGS / sizeof SPM_STRINGS[0]; i++) {
        const char *s = SPM_STRINGS[i];
        if (!same_encoding(t, ll, s, strlen(s))) { same = 0; if (!first[0]) snprintf(first, sizeof first, "\"%s\"", short_name(s)); }
        if (!round_trips(t, s, strlen(s))) { rt = 0; if (!first[0]) snprintf(first, sizeof first, "round trip \"%s\"", short_name(s)); }
    }
    expect(same && rt, "gguf spm equals llama2.c's tokenizer on spaces, newlines, unicode, emoji", "first bad %s", first);
    int agree = 0, total = 400;
    char buf[60 * 4 + 1];
    for (int i = 0; i < total; i++) {
        size_t len;
        if (i % 2) len = random_utf8(buf, 60);
        else {
            static const char *words[] = { "Once", " upon", " a", " time", " Lily", ".", ",", "\n", "  ", "!", " the",
                                           "ing", "\xC3\xA9", "\xF0\x9F\x99\x82", " ", "Tom", " park", "\t" };
            size_t o = 0;
            int nw = (int)(rnd() % 14);
            for (int w = 0; w < nw; w++) {
                const char *wd = words[rnd() % (sizeof words / sizeof words[0])];
                if (o + strlen(wd) >= sizeof buf) break;
                memcpy(buf + o, wd, strlen(wd));
                o += strlen(wd);
            }
            buf[o] = 0;
            len = o;
        }
        agree += same_encoding(t, ll, buf, len) && round_trips(t, buf, len);
    }
    expect(agree == total, "gguf spm equals llama2.c's tokenizer and round-trips on 400 random strings", "%d of %d",
           agree, total);
    static const char *const refs[] = { "models/stories260K-gguf/stories260K-f32.reference.json",
                                        "models/stories260K-gguf/stories260K-f16.reference.json",
                                        "models/stories260K-gguf/stories260K-q8_0.reference.json",
                                        "models/stories260K-gguf/stories260K-q4_0.reference.json" };
    for (int i = 0; i < 4; i++) expect_reference_ids(t, refs[i], 3);

    /* labels, bytes and control tokens agree with llama2.c's; symbols are the file's spelling */
    int lab_same = 1, bad_id = -1;
    for (int id = 0; id < 512; id++) {
        char x[64], y[64];
        size_t lx, ly;
        const char *bx = Tokenizer_bytes(t, id, &lx), *by = Tokenizer_bytes(ll, id, &ly);
        Tokenizer_label(t, id, 1, x, sizeof x);
        Tokenizer_label(ll, id, 1, y, sizeof y);
        if (strcmp(x, y) != 0 || lx != ly || memcmp(bx, by, lx) != 0 ||
            Tokenizer_is_control(t, id) != Tokenizer_is_control(ll, id) || Tokenizer_type(t, id) != Tokenizer_type(ll, id)) {
            lab_same = 0;
            bad_id = id;
        }
    }
    expect(lab_same, "gguf spm labels, bytes, types and control flags equal llama2.c's for all 512", "id %d", bad_id);
    expect(strcmp(Tokenizer_symbol(t, 403), SPACE_MARK "Once") == 0 && Tokenizer_lookup(t, SPACE_MARK "Once") == 403 &&
           strcmp(Tokenizer_symbol(t, 1), "<s>") == 0, "gguf spm symbols are the file's pieces (\xE2\x96\x81Once)",
           "got %s", Tokenizer_symbol(t, 403));
    test_invalid(t, "gguf spm");
    test_round_trips(t, "gguf spm");
    test_labels_all(t, "gguf spm");

    /* control tokens written in the text: llama-tokenize's default (parse_special) makes "<s>" the
     * token 1, and the text after a special token gets its own "▁" (llama.cpp's is_prev_special):
     * "a<s>b" = <s> + encode("a") + <s> + encode("b") without their <s> */
    int *ia, na, *ib, nb, *ic, nc;
    if (encode_ok(ll, "a", 1, &ia, &na) && encode_ok(ll, "b", 1, &ib, &nb) && encode_ok(t, "a<s>b", 5, &ic, &nc)) {
        int want[16], nw = 0;
        want[nw++] = 1;
        for (int i = 1; i < na; i++) want[nw++] = ia[i];
        want[nw++] = 1;
        for (int i = 1; i < nb; i++) want[nw++] = ib[i];
        char g[128], w[128];
        print_ids(g, sizeof g, ic, nc);
        print_ids(w, sizeof w, want, nw);
        expect(same_ids(ic, nc, want, nw), "gguf spm parses <s> in the text as the token (parse_special)", "got [%s] want [%s]", g, w);
        free(ia); free(ib); free(ic);
    }
    Tokenizer_free(t);
    spm_arrays(&a);
    spm_vocab(&v, &a);
    v.parse_special = 0;
    t = Tokenizer_from_spm(&v, err);
    expect(t && same_encoding(t, ll, "a<s>b</s><unk>", 14), "gguf spm without parse_special: <s> is text, as llama2.c",
           "%s", t ? "ids differ" : err);
    Tokenizer_free(t);
    v.parse_special = 1;
    v.add_bos = 0;
    v.add_space_prefix = 0;
    t = Tokenizer_from_spm(&v, err);
    if (t && encode_ok(t, "Once", 4, &ia, &na)) {
        char *d = Tokenizer_decode(t, ia, na);
        /* no <s>, no "▁" in front: "Once" is joined from O n c e alone, so no ▁Once (403) */
        expect(na >= 1 && ia[0] != 1 && ia[0] != 403 && d && strcmp(d, "Once") == 0 && Tokenizer_bos(t) == -1,
               "gguf spm add_bos=0, add_space_prefix=0", "n %d first %d decode \"%s\"", na, ia[0], d ? d : "");
        free(d);
        free(ia);
    } else fail("gguf spm add_bos=0, add_space_prefix=0", "%s", err);
    Tokenizer_free(t);
    /* a "▁" written in the text is a space to SentencePiece (as llama.cpp): "a▁b" is "a b" */
    v.add_bos = 1;
    v.add_space_prefix = 1;
    t = Tokenizer_from_spm(&v, err);
    expect(t && same_encoding(t, ll, "a" SPACE_MARK "b", 5) == 0, "gguf spm: a written â differs from llama2.c", "same ids");
    if (t && encode_ok(t, "a" SPACE_MARK "b", 5, &ia, &na) && encode_ok(ll, "a b", 3, &ib, &nb)) {
        expect(same_ids(ia, na, ib, nb), "gguf spm: a written â is a space", "differs from \"a b\"");
        free(ia);
        free(ib);
    }
    Tokenizer_free(t);
    spm_arrays_free(&a);
    Tokenizer_free(ll);
}

static void test_bpe_arrays(void) {
    char err[SW_ERR_LEN] = "";
    BpeArrays a;
    if (bpe_arrays(&a) != 0 || a.n != 50257 || a.nm != 50000) {
        fail("gguf bpe arrays from encoder.json + vocab.bpe", "cannot read them (%d tokens, %d merges)", a.n, a.nm);
        return;
    }
    Tokenizer *g = Tokenizer_open_gpt2(shared_path(0, "models/gpt2-tokenizer/encoder.json"),
                                       shared_path(1, "models/gpt2-tokenizer/vocab.bpe"), err);
    Tokenizer *t = bpe_from(&a, a.n, a.nm, "gpt2", 0, err);
    if (!g || !t) { fail("gguf bpe from GPT-2's arrays (pre gpt2)", "%s", err); goto out; }
    pass("gguf bpe from GPT-2's arrays (pre gpt2)");
    expect(Tokenizer_kind(t) == TOK_GGUF_BPE && Tokenizer_vocab_size(t) == 50257 && Tokenizer_bos(t) == -1 &&
           Tokenizer_eos(t) == 50256 && strcmp(Tokenizer_pre(t), "gpt2") == 0, "gguf bpe kind/vocab/bos/eos/pre", "wrong");

    /* every string of tests/data/gpt2_tokens.json: the GPT-2 tokenizer's ids (<|endoftext|> as text) */
    char *txt = sw_read_file("tests/data/gpt2_tokens.json", NULL, 1 << 24, err);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    int nc = 0, agree = 0;
    char first[96] = "";
    for (cJSON *c = cases ? cases->child : NULL; c; c = c->next) {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
        if (!s) continue;
        nc++;
        if (same_encoding(t, g, s, strlen(s)) && round_trips(t, s, strlen(s))) agree++;
        else if (!first[0]) snprintf(first, sizeof first, "\"%s\"", short_name(s));
    }
    expect(nc > 150 && agree == nc, "gguf bpe (gpt2) equals the GPT-2 tokenizer on tests/data/gpt2_tokens.json",
           "%d of %d; first bad %s", agree, nc, first);
    cJSON_Delete(root);
    free(txt);
    int same = 1;
    char buf[60 * 4 + 1];
    for (int i = 0; i < 300; i++) {
        size_t len = random_utf8(buf, 60);
        same &= same_encoding(t, g, buf, len);
    }
    expect(same, "gguf bpe (gpt2) equals the GPT-2 tokenizer on 300 random strings", "differ");
    test_invalid(t, "gguf bpe");
    test_round_trips(t, "gguf bpe");
    test_labels_all(t, "gguf bpe");
    Tokenizer_free(t);

    /* parse_special: <|endoftext|> in the text is the control token 50256 (a = 64, b = 65) */
    t = bpe_from(&a, a.n, a.nm, "gpt2", 1, err);
    if (t) {
        static const int one[] = { 50256 }, mid[] = { 64, 50256, 65 };
        expect_ids(t, "gguf bpe parse_special", "<|endoftext|>", one, 1);
        expect_ids(t, "gguf bpe parse_special", "a<|endoftext|>b", mid, 3);
        char lab[64];
        Tokenizer_label(t, 50256, 1, lab, sizeof lab);
        expect(Tokenizer_is_control(t, 50256) && !Tokenizer_is_control(t, 64) && strcmp(lab, "<|endoftext|>") == 0,
               "gguf bpe <|endoftext|> is a control token labelled by name", "label %s", lab);
        Tokenizer_free(t);
    } else fail("gguf bpe parse_special", "%s", err);

    /* qwen2 / smollm / llama-bpe against tiktoken (tests/data/bpe_pre_tokens.json) */
    txt = sw_read_file("tests/data/bpe_pre_tokens.json", NULL, 1 << 24, err);
    root = txt ? cJSON_Parse(txt) : NULL;
    cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    static const char *const pres[] = { "qwen2", "smollm", "llama-bpe" };
    for (int k = 0; k < 3; k++) {
        t = bpe_from(&a, a.n, a.nm, pres[k], 0, err);
        char nm[96];
        snprintf(nm, sizeof nm, "gguf bpe pre %s", pres[k]);
        if (!t) { fail(nm, "%s", err); continue; }
        nc = 0;
        for (cJSON *c = cases ? cases->child : NULL; c; c = c->next) {
            const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "text"));
            cJSON *ids = cJSON_GetObjectItemCaseSensitive(c, pres[k]);
            if (!s || !cJSON_IsArray(ids)) continue;
            int want[512], nw = 0;
            for (cJSON *x = ids->child; x && nw < 512; x = x->next) want[nw++] = (int)x->valuedouble;
            expect_ids(t, nm, s, want, nw);
            nc++;
        }
        char nm2[192];
        snprintf(nm2, sizeof nm2, "%s: tests/data/bpe_pre_tokens.json has cases", nm);
        expect(nc >= 20, nm2, "found %d", nc);
        Tokenizer_free(t);
    }
    cJSON_Delete(root);
    free(txt);

    /* the tiny GGUF models' vocabulary (GPT-2's first 1999 tokens + <|endoftext|>, 1743 merges):
     * the `ids` of their reference.json */
    t = bpe_from(&a, 2000, 1743, "qwen2", 1, err);
    if (t) {
        expect_reference_ids(t, "models/tiny-qwen2-gguf/tiny-qwen2.reference.json", 3);
        expect(Tokenizer_is_control(t, 1999) && Tokenizer_bos(t) == -1, "tiny-qwen2 vocabulary: <|endoftext|> control, no BOS",
               "wrong");
        test_labels_all(t, "tiny-qwen2 vocabulary");
        Tokenizer_free(t);
    } else fail("tiny-qwen2 vocabulary", "%s", err);
    t = bpe_from(&a, 2000, 1743, "smollm", 1, err);
    if (t) {
        expect_reference_ids(t, "models/tiny-smollm-gguf/tiny-smollm.reference.json", 3);
        Tokenizer_free(t);
    } else fail("tiny-smollm vocabulary", "%s", err);

    /* llama.cpp's "default": punctuation runs alone first, then GPT-2's regex, then digit runs,
     * then 3-digit groups; expected = the GPT-2 tokenizer on each piece, split by hand */
    t = bpe_from(&a, a.n, a.nm, "default", 0, err);
    if (t) {
        static const char *const pieces[] = { "don", "'", "t", " pay", " ", "123", "456", "7", "!?" };
        int want[64], nw = 0, *ids, n;
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
            if (encode_ok(g, pieces[i], strlen(pieces[i]), &ids, &n)) {
                for (int k = 0; k < n && nw < 64; k++) want[nw++] = ids[k];
                free(ids);
            }
        expect_ids(t, "gguf bpe pre default", "don't pay 1234567!?", want, nw);
        Tokenizer_free(t);
    } else fail("gguf bpe pre default", "%s", err);

    /* llama-bpe adds a BOS unless the file says not to (llama.cpp); here <|endoftext|> plays it */
    {
        TokVocab v;
        TokVocab_init(&v);
        v.source = "gpt2 (arrays)";
        v.tokens = (const char *const *)a.tok;
        v.n_tokens = (size_t)a.n;
        v.types = a.type;
        v.n_types = (size_t)a.n;
        v.merges = (const char *const *)a.merge;
        v.n_merges = (size_t)a.nm;
        v.pre = "llama-bpe";
        err[0] = 0;
        t = Tokenizer_from_bpe(&v, err);
        expect(!t && strstr(err, "add_bos_token") && !strchr(err, '\n'), "gguf llama-bpe without a bos id is refused",
               "err \"%s\"", err);
        Tokenizer_free(t);
        v.bos = 50256;
        t = Tokenizer_from_bpe(&v, err);
        static const int hello[] = { 50256, 15496, 995 };
        if (t) {
            expect(Tokenizer_bos(t) == 50256, "gguf llama-bpe adds its BOS by default", "bos %d", Tokenizer_bos(t));
            expect_ids(t, "gguf llama-bpe with BOS", "Hello world", hello, 3);
        } else fail("gguf llama-bpe with a bos id", "%s", err);
        Tokenizer_free(t);
    }

    /* an unknown pre-tokenizer is refused by name, listing the known ones */
    err[0] = 0;
    t = bpe_from(&a, a.n, a.nm, "tekken", 0, err);
    expect(!t && strstr(err, "\"tekken\"") && strstr(err, "qwen2") && strstr(err, "llama-bpe") && !strchr(err, '\n'),
           "gguf bpe refuses an unknown pre-tokenizer by name", "err \"%s\"", err);
    Tokenizer_free(t);
out:
    Tokenizer_free(g);
    bpe_arrays_free(&a);
}

/* a small byte-level vocabulary: GPT-2's 256 byte symbols + extra tokens; merges given */
static Tokenizer *small_bpe(const BpeArrays *a, const char *const *extra, const int32_t *extra_type, int n_extra,
                            const char *const *merges, int n_merges, char *err) {
    const char *tok[300];
    int32_t type[300];
    for (int i = 0; i < 256; i++) { tok[i] = a->tok[i]; type[i] = TOK_TYPE_NORMAL; }
    for (int i = 0; i < n_extra; i++) { tok[256 + i] = extra[i]; type[256 + i] = extra_type ? extra_type[i] : TOK_TYPE_NORMAL; }
    TokVocab v;
    TokVocab_init(&v);
    v.source = "small.gguf";
    v.tokens = tok;
    v.n_tokens = (size_t)(256 + n_extra);
    v.types = type;
    v.n_types = v.n_tokens;
    v.merges = merges;
    v.n_merges = (size_t)n_merges;
    v.pre = "qwen2";
    return Tokenizer_from_bpe(&v, err);
}

static void test_gguf_control(void) {
    char err[SW_ERR_LEN] = "";
    BpeArrays a;
    if (bpe_arrays(&a) != 0) { fail("gguf control tokens", "cannot read GPT-2's files"); return; }
    /* ids: 256 "<|im_start|>" (control), 257 "<|im_end|>" (control), 258 "Ġu" (from "Ġ u"),
     * 259 "<tool>" (user-defined), 260 "us" (from "u s") */
    static const char *const extra[] = { "<|im_start|>", "<|im_end|>", "\xC4\xA0u", "<tool>", "us" };
    static const int32_t ty[] = { TOK_TYPE_CONTROL, TOK_TYPE_CONTROL, TOK_TYPE_NORMAL, TOK_TYPE_USER_DEFINED, TOK_TYPE_NORMAL };
    static const char *const merges[] = { "\xC4\xA0 u", "u s" };
    Tokenizer *t = small_bpe(&a, extra, ty, 5, merges, 2, err);
    if (!t) { fail("gguf control tokens", "%s", err); bpe_arrays_free(&a); return; }
    /* "<|im_start|>us <|im_end|> u<tool>": 256, us 260, then " " is its own piece before the special
     * (qwen2's \s+), 257, " u" 258, 259; by hand from the rules in tok_gguf.c's header */
    static const int want[] = { 256, 260, 220, 257, 258, 259 };
    expect_ids(t, "gguf control tokens in the text", "<|im_start|>us <|im_end|> u<tool>", want, 6);
    char lab[64];
    Tokenizer_label(t, 256, 1, lab, sizeof lab);
    expect(strcmp(lab, "<|im_start|>") == 0 && Tokenizer_is_control(t, 256) && Tokenizer_is_control(t, 257) &&
           !Tokenizer_is_control(t, 259) && !Tokenizer_is_control(t, 258) && Tokenizer_type(t, 259) == TOK_TYPE_USER_DEFINED,
           "gguf control token labelled by name; user-defined is not control", "label %s", lab);
    Tokenizer_free(t);
    /* parse_special off: control names are text, user-defined tokens still matched (llama.cpp) */
    const char *tok[262];
    int32_t type[262];
    for (int i = 0; i < 256; i++) { tok[i] = a.tok[i]; type[i] = TOK_TYPE_NORMAL; }
    for (int i = 0; i < 5; i++) { tok[256 + i] = extra[i]; type[256 + i] = ty[i]; }
    TokVocab v;
    TokVocab_init(&v);
    v.tokens = tok;
    v.n_tokens = 261;
    v.types = type;
    v.n_types = 261;
    v.merges = merges;
    v.n_merges = 2;
    v.pre = "qwen2";
    v.parse_special = 0;
    t = Tokenizer_from_bpe(&v, err);
    if (t) {
        int *ids, n;
        if (encode_ok(t, "<|im_start|><tool>", 18, &ids, &n)) {
            expect(n > 2 && ids[0] != 256 && ids[n - 1] == 259, "gguf without parse_special: control names are text, user-defined matched",
                   "n %d", n);
            free(ids);
        }
        Tokenizer_free(t);
    } else fail("gguf without parse_special", "%s", err);
    bpe_arrays_free(&a);
}

/* one-line errors naming the source and what is wrong */
static void expect_vocab_error(Tokenizer *t, const char *err, const char *name, const char *must) {
    int ok = !t && err[0] && !strchr(err, '\n') && strstr(err, must) && strncmp(err, "small.gguf: ", 12) == 0;
    expect(ok, name, "%s (err \"%s\", want \"%s\")", t ? "opened" : "wrong message", err, must);
    Tokenizer_free(t);
}

static void test_gguf_errors(void) {
    char err[SW_ERR_LEN];
    BpeArrays a;
    if (bpe_arrays(&a) != 0) { fail("gguf vocabulary errors", "cannot read GPT-2's files"); return; }
    static const char *const one[] = { "\xC4\xA0t" };
    static const char *const ok_m[] = { "\xC4\xA0 t" };
    err[0] = 0;
    Tokenizer *t = small_bpe(&a, one, NULL, 1, ok_m, 1, err);
    expect(t != NULL, "gguf small vocabulary opens", "%s", err);
    Tokenizer_free(t);
    static const char *const nospace[] = { "\xC4\xA0t" };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, one, NULL, 1, nospace, 1, err), err, "gguf merge without a space", "merges[0]");
    static const char *const unknown[] = { "\xC4\xA0 t", "zz q" };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, one, NULL, 1, unknown, 2, err), err, "gguf merge naming an unknown token", "\"zz\"");
    static const char *const notok[] = { "t h" };   /* "th" is no token here */
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, one, NULL, 1, notok, 1, err), err, "gguf merge making an unknown token", "\"th\"");
    static const char *const dup[] = { "\xC4\xA0t", "\xC4\xA0t" };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, dup, NULL, 2, ok_m, 1, err), err, "gguf duplicate token", "[256] and [257]");
    static const char *const empty[] = { "" };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, empty, NULL, 1, NULL, 0, err), err, "gguf empty token", "tokens[256] is empty");
    static const char *const badutf[] = { "ab\xFF" };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, badutf, NULL, 1, NULL, 0, err), err, "gguf token with invalid UTF-8 (escaped)",
                       "\"ab\\xFF\"");
    static const int32_t badty[] = { 9 };
    err[0] = 0;
    expect_vocab_error(small_bpe(&a, one, badty, 1, ok_m, 1, err), err, "gguf token type out of range", "token_type[256] is 9");

    /* counts, ids, the model's V, bytes, pre-tokenizer */
    const char *tok[257];
    int32_t type[257];
    float score[257];
    for (int i = 0; i < 256; i++) { tok[i] = a.tok[i]; type[i] = TOK_TYPE_NORMAL; score[i] = 0; }
    tok[256] = one[0];
    type[256] = TOK_TYPE_NORMAL;
    score[256] = 0;
    TokVocab v;
    TokVocab_init(&v);
    v.source = "small.gguf";
    v.tokens = tok;
    v.n_tokens = 257;
    v.types = type;
    v.n_types = 200;
    v.pre = "qwen2";
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf token_type count differs", "token_type has 200 entries");
    v.n_types = 257;
    v.scores = score;
    v.n_scores = 10;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_spm(&v, err), err, "gguf scores count differs", "scores has 10 entries");
    v.scores = NULL;
    v.bos = 257;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf bos id out of range", "bos_token_id 257");
    v.bos = -1;
    v.eos = -5;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf eos id negative", "eos_token_id -5");
    v.eos = -1;
    v.model_vocab = 300;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf vocabulary smaller than the embedding", "has 300 rows");
    v.model_vocab = 200;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf vocabulary larger than the embedding", "only 200 rows");
    v.model_vocab = 257;
    v.add_bos = 1;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf add_bos without a bos id", "add_bos_token");
    v.add_bos = -1;
    tok[65] = "not a byte";   /* 'b' missing */
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf byte-level vocabulary missing a byte", "byte 0x62");
    tok[65] = a.tok[65];
    v.pre = "gpt-4o";
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf unknown pre-tokenizer", "\"gpt-4o\"");
    v.pre = "qwen2";
    v.n_tokens = 0;
    err[0] = 0;
    expect_vocab_error(Tokenizer_from_bpe(&v, err), err, "gguf no tokens", "0 tokens");
    bpe_arrays_free(&a);
}

/* ---- opening bad files ----------------------------------------------------------------------- */

static char tmpdir[64];

/* len 0: data is a string */
static const char *write_tmp(const char *name, const void *data, size_t len) {
    static char p[4][160];
    if (!len) len = strlen(data);
    static int k;
    char *path = p[k++ % 4];
    snprintf(path, 160, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) { fwrite(data, 1, len, f); fclose(f); }
    return path;
}

static void expect_open_error(Tokenizer *t, const char *err, const char *name, const char *must) {
    int ok = !t && err[0] && !strchr(err, '\n') && strstr(err, must);
    expect(ok, name, "%s (err \"%s\")", t ? "opened" : "wrong message", err);
    Tokenizer_free(t);
}

static void test_bad_files(void) {
    char err[SW_ERR_LEN];
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sw_tok_XXXXXX");
    if (!mkdtemp(tmpdir)) { skip("tokenizer bad files", "no temp dir"); return; }
    const char *enc = shared_path(4, "models/gpt2-tokenizer/encoder.json");
    const char *bpe = shared_path(5, "models/gpt2-tokenizer/vocab.bpe");
    const char *tok = shared_path(6, "models/stories260K/tok512.bin");

    err[0] = 0;
    expect_open_error(Tokenizer_open_gpt2("/nonexistent/encoder.json", bpe, err), err, "gpt2 missing encoder.json", "cannot open");
    err[0] = 0;
    const char *notjson = write_tmp("bad.json", "{\"a\": 0, ", 0);
    expect_open_error(Tokenizer_open_gpt2(notjson, bpe, err), err, "gpt2 broken JSON", "bad.json");
    err[0] = 0;
    const char *arr = write_tmp("arr.json", "[1,2,3]", 0);
    expect_open_error(Tokenizer_open_gpt2(arr, bpe, err), err, "gpt2 JSON that is not an object", "not a JSON object");
    err[0] = 0;
    const char *merges = write_tmp("m.txt", "#version: 0.2\n\xC4\xA0 t\nqqq zzzz\n", 0);
    expect_open_error(Tokenizer_open_gpt2(enc, merges, err), err, "gpt2 merges with unknown symbols", "line 3");
    err[0] = 0;
    const char *three = write_tmp("m3.txt", "a b c\n", 0);
    expect_open_error(Tokenizer_open_gpt2(enc, three, err), err, "gpt2 merges line with three parts", "line 1");

    char *raw;
    size_t len;
    raw = sw_read_file(tok, &len, 1 << 20, err);
    if (raw) {
        err[0] = 0;
        expect_open_error(Tokenizer_open_llama(tok, 600, err), err, "llama vocab_size larger than the file", "600");
        err[0] = 0;
        expect_open_error(Tokenizer_open_llama(tok, 300, err), err, "llama vocab_size smaller than the file", "300");
        err[0] = 0;
        expect_open_error(Tokenizer_open_llama(tok, 100, err), err, "llama vocab_size below 259", "259");
        err[0] = 0;
        const char *cut = write_tmp("cut.bin", raw, len / 2);
        expect_open_error(Tokenizer_open_llama(cut, 512, err), err, "llama truncated tokenizer", "cut.bin");
        err[0] = 0;
        const char *tiny = write_tmp("tiny.bin", raw, 2);
        expect_open_error(Tokenizer_open_llama(tiny, 512, err), err, "llama 2-byte file", "tiny.bin");
        free(raw);
    }
    err[0] = 0;
    expect_open_error(Tokenizer_open_llama("/nonexistent/tok.bin", 512, err), err, "llama missing file", "cannot open");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("(could not remove %s)\n", tmpdir);
}

int main(void) {
    char err[SW_ERR_LEN] = "";
    Tokenizer *g = Tokenizer_open_gpt2(shared_path(0, "models/gpt2-tokenizer/encoder.json"),
                                       shared_path(1, "models/gpt2-tokenizer/vocab.bpe"), err);
    if (!g) {
        fail("gpt2 open encoder.json + vocab.bpe", "%s", err);
    } else {
        pass("gpt2 open encoder.json + vocab.bpe");
        test_gpt2_known(g);
        test_gpt2_file(g);
        test_gpt2_hf_files(g);
        test_gpt2_symbols(g);
        test_gpt2_labels(g);
        test_invalid(g, "gpt2");
        test_round_trips(g, "gpt2");
        test_labels_all(g, "gpt2");
        Tokenizer_free(g);
    }
    test_llama();
    test_spm_arrays();
    test_bpe_arrays();
    test_gguf_control();
    test_gguf_errors();
    test_bad_files();
    return check_done();
}
