/* fuzz_tiny.c - tiny valid GPT-2 and llama2.c models and tokenizers, written from code
 * (see fuzz_tiny.h). No engine code here: gen_seeds links only this file. */
#include "fuzz/fuzz_tiny.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fz_path(int slot, const char *dir, const char *name) {
    static char buf[4][2048];
    snprintf(buf[slot & 3], sizeof buf[0], "%s/%s", dir, name);
    return buf[slot & 3];
}

int fz_write(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = n ? fwrite(data, 1, n, f) : 0;
    return (fclose(f) == 0 && w == n) ? 0 : -1;
}

void fz_put(FzBuf *b, const void *d, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n + 1) c *= 2;
        uint8_t *p = realloc(b->p, c);
        if (!p) abort();
        b->p = p;
        b->cap = c;
    }
    if (n) memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = 0;   /* always NUL-terminated, for text */
}
void fz_puts(FzBuf *b, const char *s) { fz_put(b, s, strlen(s)); }
static void fz_printf(FzBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fz_printf(FzBuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0) fz_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}
void fz_free(FzBuf *b) { free(b->p); memset(b, 0, sizeof *b); }

/* ---- numbers ---- */

static uint32_t g_lcg = 12345;
static float rnd(void) {   /* deterministic, in [-0.1, 0.1] */
    g_lcg = g_lcg * 1664525u + 1013904223u;
    return ((float)(g_lcg >> 8) / 16777216.0f - 0.5f) * 0.2f;
}

static uint16_t f32_to_f16(float f) {   /* enough for the small weights written here */
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    int ex = (int)((x >> 23) & 0xff) - 127 + 15;
    if (ex <= 0) return (uint16_t)sign;            /* too small: zero */
    if (ex >= 31) return (uint16_t)(sign | 0x7c00u);
    return (uint16_t)(sign | (uint32_t)ex << 10 | ((x >> 13) & 0x3ffu));
}

static void put_f32(FzBuf *b, float f) { fz_put(b, &f, 4); }   /* little-endian host */
static void put_i32(FzBuf *b, int32_t v) { fz_put(b, &v, 4); }

/* ---- tiny GPT-2 ---- */

void TinyGpt2_default(TinyGpt2 *g) {
    memset(g, 0, sizeof *g);
    g->D = 8; g->H = 2; g->L = 1; g->ctx = 16; g->F = 32; g->V = TINY_GPT2_TOK_V;
}

void TinyGpt2_config(const TinyGpt2 *g, FzBuf *out) {
    fz_printf(out, "{\n  \"activation_function\": \"gelu_new\",\n  \"architectures\": [\"GPT2LMHeadModel\"],\n");
    fz_printf(out, "  \"layer_norm_epsilon\": 1e-05,\n  \"model_type\": \"gpt2\",\n  \"n_ctx\": %d,\n", g->ctx);
    fz_printf(out, "  \"n_embd\": %d,\n  \"n_head\": %d,\n", g->D, g->H);
    if (g->F == 4 * g->D) fz_printf(out, "  \"n_inner\": null,\n");
    else fz_printf(out, "  \"n_inner\": %d,\n", g->F);
    fz_printf(out, "  \"n_layer\": %d,\n  \"n_positions\": %d,\n  \"vocab_size\": %d\n}\n", g->L, g->ctx, g->V);
}

typedef struct {
    FzBuf hdr, data;
    int count;
    int dtype;   /* as TinyGpt2.dtype */
} StWriter;

/* kind: 0 random, 1 ones (norm gains), 2 zeros */
static void st_tensor(StWriter *w, const char *name, int ndim, const int *shape, int kind) {
    int dt = w->dtype == 3 ? w->count % 3 : w->dtype;
    static const char *names[3] = {"F32", "F16", "BF16"};
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    size_t begin = w->data.n;
    for (size_t i = 0; i < n; i++) {
        float v = kind == 1 ? 1.0f + rnd() : kind == 2 ? 0.0f : rnd();
        if (dt == 0) {
            put_f32(&w->data, v);
        } else {
            uint32_t x;
            memcpy(&x, &v, 4);
            uint16_t h = dt == 1 ? f32_to_f16(v) : (uint16_t)(x >> 16);
            fz_put(&w->data, &h, 2);
        }
    }
    fz_printf(&w->hdr, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", w->count ? "," : "", name, names[dt]);
    for (int i = 0; i < ndim; i++) fz_printf(&w->hdr, "%s%d", i ? "," : "", shape[i]);
    fz_printf(&w->hdr, "],\"data_offsets\":[%zu,%zu]}", begin, w->data.n);
    w->count++;
}

void TinyGpt2_safetensors(const TinyGpt2 *g, FzBuf *out) {
    StWriter w;
    memset(&w, 0, sizeof w);
    w.dtype = g->dtype;
    g_lcg = 12345;
    const char *p = g->prefix ? "transformer." : "";
    char nm[128];
    int D = g->D, F = g->F;
    fz_puts(&w.hdr, "{\"__metadata__\":{\"format\":\"pt\"},");
    w.count = 0;
#define T1(suffix, n, kind) do { int s_[1] = {n}; snprintf(nm, sizeof nm, "%s%s", p, suffix); st_tensor(&w, nm, 1, s_, kind); } while (0)
#define T2(suffix, a, b) do { int s_[2] = {a, b}; snprintf(nm, sizeof nm, "%s%s", p, suffix); st_tensor(&w, nm, 2, s_, 0); } while (0)
    T2("wte.weight", g->V, D);
    T2("wpe.weight", g->ctx, D);
    for (int l = 0; l < g->L; l++) {
        char s[64];
#define L1(suffix, n, kind) do { snprintf(s, sizeof s, "h.%d.%s", l, suffix); T1(s, n, kind); } while (0)
#define L2(suffix, a, b) do { snprintf(s, sizeof s, "h.%d.%s", l, suffix); T2(s, a, b); } while (0)
        L1("ln_1.weight", D, 1);
        L1("ln_1.bias", D, 2);
        if (g->attn_bias) {
            int sh[4] = {1, 1, g->ctx, g->ctx};
            snprintf(nm, sizeof nm, "%sh.%d.attn.bias", p, l);
            st_tensor(&w, nm, 4, sh, 1);
        }
        L2("attn.c_attn.weight", D, 3 * D);
        L1("attn.c_attn.bias", 3 * D, 0);
        L2("attn.c_proj.weight", D, D);
        L1("attn.c_proj.bias", D, 0);
        L1("ln_2.weight", D, 1);
        L1("ln_2.bias", D, 2);
        L2("mlp.c_fc.weight", D, F);
        L1("mlp.c_fc.bias", F, 0);
        L2("mlp.c_proj.weight", F, D);
        L1("mlp.c_proj.bias", D, 0);
#undef L1
#undef L2
    }
    T1("ln_f.weight", D, 1);
    T1("ln_f.bias", D, 2);
    if (g->untied) {
        int s_[2] = {g->V, D};
        st_tensor(&w, "lm_head.weight", 2, s_, 0);
    }
#undef T1
#undef T2
    fz_puts(&w.hdr, "}");
    /* pad the header with spaces so the data starts 8-aligned (as the safetensors library
     * does), or deliberately 4-misaligned */
    size_t want = g->misalign ? 1 : 0;
    while ((8 + w.hdr.n) % 8 != want) fz_puts(&w.hdr, " ");
    uint64_t n = w.hdr.n;
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(n >> (8 * i));
    fz_put(out, len, 8);
    fz_put(out, w.hdr.p, w.hdr.n);
    fz_put(out, w.data.p, w.data.n);
    fz_free(&w.hdr);
    fz_free(&w.data);
}

/* GPT-2's bytes_to_unicode: the printable Latin-1 bytes stand for themselves, the other 68
 * bytes get code points 256, 257, ... in byte order. ids 0..255 follow that list's order. */
static void byte_symbols(uint32_t cp_of_id[256]) {
    int id = 0, extra = 0;
    int printable[256] = {0};
    for (int b = '!'; b <= '~'; b++) printable[b] = 1;
    for (int b = 0xA1; b <= 0xAC; b++) printable[b] = 1;
    for (int b = 0xAE; b <= 0xFF; b++) printable[b] = 1;
    for (int b = 0; b < 256; b++) if (printable[b]) cp_of_id[id++] = (uint32_t)b;
    for (int b = 0; b < 256; b++) if (!printable[b]) cp_of_id[id++] = 256u + (uint32_t)extra++;
}

static void put_cp(FzBuf *b, uint32_t cp) {
    char u[4];
    int k;
    if (cp < 0x80) { u[0] = (char)cp; k = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); k = 2; }
    else { u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (char)(0x80 | (cp & 0x3F)); k = 3; }
    fz_put(b, u, (size_t)k);
}

static const char *const gpt2_merges[4][2] = {
    {"\xC4\xA0", "t"}, {"h", "e"}, {"\xC4\xA0t", "he"}, {"l", "l"}};   /* Ġ = U+0120 */

void TinyGpt2_vocab(FzBuf *out) {
    uint32_t cp[256];
    byte_symbols(cp);
    fz_puts(out, "{");
    for (int id = 0; id < 256; id++) {
        fz_puts(out, id ? ", \"" : "\"");
        if (cp[id] == '"' || cp[id] == '\\') fz_puts(out, "\\");
        put_cp(out, cp[id]);
        fz_printf(out, "\": %d", id);
    }
    for (int i = 0; i < 4; i++) fz_printf(out, ", \"%s%s\": %d", gpt2_merges[i][0], gpt2_merges[i][1], 256 + i);
    fz_printf(out, ", \"<|endoftext|>\": %d}", 260);
}

void TinyGpt2_merges(FzBuf *out) {
    fz_puts(out, "#version: 0.2\n");
    for (int i = 0; i < 4; i++) fz_printf(out, "%s %s\n", gpt2_merges[i][0], gpt2_merges[i][1]);
}

int TinyGpt2_write(const TinyGpt2 *g, const char *dir, int skip_config, int skip_weights) {
    FzBuf b = {0};
    int rc = 0;
    if (!skip_config) { TinyGpt2_config(g, &b); rc |= fz_write(fz_path(0, dir, "config.json"), b.p, b.n); b.n = 0; }
    if (!skip_weights) { TinyGpt2_safetensors(g, &b); rc |= fz_write(fz_path(0, dir, "model.safetensors"), b.p, b.n); b.n = 0; }
    TinyGpt2_vocab(&b); rc |= fz_write(fz_path(0, dir, "vocab.json"), b.p, b.n); b.n = 0;
    TinyGpt2_merges(&b); rc |= fz_write(fz_path(0, dir, "merges.txt"), b.p, b.n);
    fz_free(&b);
    return rc;
}

/* ---- tiny llama2.c ---- */

void TinyLlama_default(TinyLlama *l) {
    memset(l, 0, sizeof *l);
    l->D = 8; l->F = 16; l->L = 2; l->H = 4; l->KV = 2; l->V = TINY_LLAMA_TOK_V; l->seq = 16;
}

static size_t llama_floats(long D, long F, long L, long H, long KV, long V, long seq, int untied) {
    long d = D / H, kvd = KV * d;
    long per_layer = D + D * D + 2 * kvd * D + D * D + D + 3 * F * D;
    return (size_t)(V * D + L * per_layer + D + 2 * seq * (d / 2) + (untied ? V * D : 0));
}

void TinyLlama_checkpoint(const TinyLlama *l, FzBuf *out) {
    put_i32(out, l->D); put_i32(out, l->F); put_i32(out, l->L); put_i32(out, l->H);
    put_i32(out, l->KV); put_i32(out, l->untied ? -l->V : l->V); put_i32(out, l->seq);
    g_lcg = 777;
    size_t n = llama_floats(l->D, l->F, l->L, l->H, l->KV, l->V, l->seq, l->untied);
    /* the norm gains (rms_att, rms_ffn, rms_final) would better be ~1, but random values are
     * still a valid model; keep it simple: all small random */
    for (size_t i = 0; i < n; i++) put_f32(out, rnd());
}

size_t TinyLlama_expected_size(const uint8_t *h) {
    int32_t v[7];
    memcpy(v, h, sizeof v);
    long D = v[0], F = v[1], L = v[2], H = v[3], KV = v[4], V = v[5] < 0 ? -(long)v[5] : v[5], seq = v[6];
    if (D < 1 || D > 65536 || F < 1 || F > (1 << 18) || L < 1 || L > 1024 || H < 1 || H > 1024 ||
        KV < 1 || KV > 1024 || V < 1 || V > (1 << 22) || seq < 1 || seq > (1 << 20))
        return 0;
    if (D % H || H % KV || (D / H) % 2) return 0;
    return 28 + 4 * llama_floats(D, F, L, H, KV, V, seq, v[5] < 0);
}

void TinyLlama_tokenizer(FzBuf *out) {
    static const char *const pieces[6] = {" t", "he", " the", " ", "a", " a"};
    put_i32(out, 6);   /* max_token_length */
    const char *special[3] = {"<unk>", "\n<s>\n", "\n</s>\n"};
    for (int i = 0; i < 3; i++) {
        put_f32(out, 0.0f); put_i32(out, (int32_t)strlen(special[i])); fz_puts(out, special[i]);
    }
    for (int b = 0; b < 256; b++) {
        char s[8];
        snprintf(s, sizeof s, "<0x%02X>", b);
        put_f32(out, 0.0f); put_i32(out, 6); fz_put(out, s, 6);
    }
    for (int i = 0; i < 6; i++) {
        put_f32(out, -(float)i); put_i32(out, (int32_t)strlen(pieces[i])); fz_puts(out, pieces[i]);
    }
}

