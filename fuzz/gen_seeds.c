/* gen_seeds.c - write the seed corpus: gen_seeds OUTDIR (make_seeds.sh runs it).
 * Small valid inputs made by fuzz_common.c's tiny-model writers, a few hand-broken ones,
 * and texts for the tokenizer round trips. SHARED (env) gives the 28-byte stories260K
 * header seed and the first 16 KB of stories260K-q4_0.gguf (a GGUF header with its
 * tokenizer and tensor infos); nothing else is taken from the shared folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz_tiny.h"

static const char *g_out;

static void seed(const char *target, const char *name, const void *data, size_t n) {
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", g_out, target);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s/%s", g_out, target, name);
    if (fz_write(p, data, n) != 0) { perror(p); exit(1); }
}

/* flags byte + body */
static void seed_flag(const char *target, const char *name, unsigned flags, const void *d, size_t n) {
    FzBuf b = {0};
    uint8_t f = (uint8_t)flags;
    fz_put(&b, &f, 1);
    fz_put(&b, d, n);
    seed(target, name, b.p, b.n);
    fz_free(&b);
}

static void safetensors_header(const char *name, const char *json, size_t data_bytes) {
    FzBuf b = {0};
    uint64_t n = strlen(json);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(n >> (8 * i));
    fz_put(&b, len, 8);
    fz_puts(&b, json);
    for (size_t i = 0; i < data_bytes; i++) fz_put(&b, "\0", 1);
    seed("fuzz_safetensors", name, b.p, b.n);
    fz_free(&b);
}

static void seeds_safetensors(void) {
    const char *T = "fuzz_safetensors";
    TinyGpt2 g;
    FzBuf b = {0};
    static const struct { const char *name; int dtype, prefix, untied, attn_bias, misalign; } v[] = {
        {"tiny_f32", 0, 0, 0, 0, 0},       {"tiny_f16", 1, 0, 0, 0, 0},
        {"tiny_bf16_prefix", 2, 1, 0, 0, 0}, {"tiny_mixed_untied", 3, 0, 1, 0, 0},
        {"tiny_attn_bias", 1, 1, 0, 1, 0}, {"tiny_misaligned", 0, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        TinyGpt2_default(&g);
        g.dtype = v[i].dtype; g.prefix = v[i].prefix; g.untied = v[i].untied;
        g.attn_bias = v[i].attn_bias; g.misalign = v[i].misalign;
        b.n = 0;
        TinyGpt2_safetensors(&g, &b);
        seed(T, v[i].name, b.p, b.n);
        if (i == 1) {
            seed(T, "truncated_header", b.p, 300);
            seed(T, "truncated_data", b.p, b.n - 100);
        }
    }
    fz_free(&b);
    safetensors_header("empty_object", "{}", 0);
    safetensors_header("metadata_only", "{\"__metadata__\":{\"format\":\"pt\"}}", 0);
    safetensors_header("one_tensor", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 24);
    safetensors_header("scalar_bf16", "{\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,2]}}", 2);
    safetensors_header("bad_json", "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", 24);
    safetensors_header("unknown_dtype", "{\"x\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    safetensors_header("past_end", "{\"x\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", 16);
    safetensors_header("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                  "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24);
    safetensors_header("overflow_shape", "{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],"
                                         "\"data_offsets\":[0,0]}}", 0);
    safetensors_header("negative_offset", "{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[-2,0]}}", 2);
    safetensors_header("duplicate_name", "{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                                         "\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", 4);
    seed(T, "gguf", "GGUF\3\0\0\0\0\0\0\0\0\0\0\0", 16);
    seed(T, "short", "\x10\0\0", 3);
}

static void seeds_config(void) {
    const char *T = "fuzz_gpt2_config";
    TinyGpt2 g;
    FzBuf b = {0};
    TinyGpt2_default(&g);
    TinyGpt2_config(&g, &b);
    seed_flag(T, "tiny", 0x00, b.p, b.n);
    seed_flag(T, "tiny_f16_prefix", 0x0b, b.p, b.n);
    seed_flag(T, "tiny_mixed_untied_small_budget", 0x97, b.p, b.n);
    seed_flag(T, "tiny_bias_misaligned", 0x61, b.p, b.n);
    static const struct { const char *name; int D, H, L, ctx, F, V; } v[] = {
        {"d16_l2", 16, 4, 2, 32, 64, 300}, {"d4_h1_l3_inner", 4, 1, 3, 8, 12, 261}, {"d12_h3_ctx4", 12, 3, 1, 4, 48, 512},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        g.D = v[i].D; g.H = v[i].H; g.L = v[i].L; g.ctx = v[i].ctx; g.F = v[i].F; g.V = v[i].V;
        b.n = 0;
        TinyGpt2_config(&g, &b);
        seed_flag(T, v[i].name, 0x01, b.p, b.n);
    }
    fz_free(&b);
    static const struct { const char *name; const char *text; } h[] = {
        {"hf_style", "{\"model_type\":\"gpt2\",\"n_embd\":8,\"n_head\":2,\"n_layer\":1,\"n_positions\":16,"
                     "\"vocab_size\":261,\"layer_norm_epsilon\":1e-5,\"activation_function\":\"gelu_new\","
                     "\"bos_token_id\":50256,\"eos_token_id\":50256,\"n_inner\":null}"},
        {"n_ctx_only", "{\"n_embd\":8,\"n_head\":2,\"n_layer\":1,\"n_ctx\":16,\"vocab_size\":261}"},
        {"llama_type", "{\"model_type\":\"llama\",\"hidden_size\":8}"},
        {"float_sizes", "{\"n_embd\":8.5,\"n_head\":2,\"n_layer\":1,\"n_positions\":16,\"vocab_size\":261}"},
        {"huge", "{\"n_embd\":1e300,\"n_head\":2,\"n_layer\":99999999999,\"n_positions\":16,\"vocab_size\":261}"},
        {"strings", "{\"n_embd\":\"8\",\"n_head\":2,\"n_layer\":1,\"n_positions\":16,\"vocab_size\":261}"},
        {"relu", "{\"n_embd\":8,\"n_head\":2,\"n_layer\":1,\"n_positions\":16,\"vocab_size\":261,\"activation_function\":\"relu\"}"},
        {"eps_zero", "{\"n_embd\":8,\"n_head\":2,\"n_layer\":1,\"n_positions\":16,\"vocab_size\":261,\"layer_norm_epsilon\":0}"},
        {"not_object", "[8,2,1,16,261]"},
        {"truncated", "{\"n_embd\":8,\"n_head\":2,\"n_la"},
        {"empty", ""},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) seed_flag(T, h[i].name, 0x01, h[i].text, strlen(h[i].text));
}

static void seeds_llama(void) {
    const char *T = "fuzz_llama_model";
    TinyLlama l;
    FzBuf b = {0};
    TinyLlama_default(&l);
    TinyLlama_checkpoint(&l, &b);
    seed_flag(T, "tiny", 0x00, b.p, b.n);
    seed_flag(T, "tiny_small_budget", 0x02, b.p, b.n);
    seed_flag(T, "truncated", 0x00, b.p, b.n / 2);
    seed_flag(T, "header_only_padded", 0x01, b.p, 28);
    l.untied = 1;
    b.n = 0;
    TinyLlama_checkpoint(&l, &b);
    seed_flag(T, "tiny_untied_header_padded", 0x03, b.p, 28);
    static const struct { const char *name; int D, F, L, H, KV, V, seq; } v[] = {
        {"mha_d4", 4, 4, 1, 2, 2, 265, 4}, {"gqa_d16", 16, 40, 2, 8, 1, 265, 32}, {"v300_no_tokenizer", 8, 16, 1, 2, 1, 300, 8}, {"one_head", 2, 1, 1, 1, 1, 265, 1},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        TinyLlama_default(&l);
        l.D = v[i].D; l.F = v[i].F; l.L = v[i].L; l.H = v[i].H; l.KV = v[i].KV; l.V = v[i].V; l.seq = v[i].seq;
        b.n = 0;
        TinyLlama_checkpoint(&l, &b);
        seed_flag(T, v[i].name, 0x01, b.p, 28);
    }
    fz_free(&b);
    static const int32_t bad[][7] = {
        {64, 172, 5, 8, 4, 512, 0}, {63, 172, 5, 8, 4, 512, 512}, {64, 172, 5, 8, 3, 512, 512},
        {2147483647, 2147483647, 2147483647, 1, 1, 2147483647, 2147483647}, {0x616b3432, 1, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad_header_%zu", i);
        seed_flag(T, name, i & 1, bad[i], 28);
    }
    /* the real stories260K header (28 bytes), padded by the harness to the real size */
    const char *shared = getenv("SHARED");
    if (shared && *shared) {
        char p[4096];
        snprintf(p, sizeof p, "%s/models/stories260K/stories260K.bin", shared);
        FILE *f = fopen(p, "rb");
        uint8_t h[28];
        if (f && fread(h, 1, 28, f) == 28) {
            seed_flag(T, "stories260K_header_padded", 0x01, h, 28);
            seed_flag(T, "stories260K_header_raw", 0x00, h, 28);
        }
        if (f) fclose(f);
    }
}

static void seed_vocab(const char *T, const char *name, unsigned vocab, const void *d, size_t n) {
    FzBuf b = {0};
    uint8_t v[2] = {(uint8_t)((vocab - 1) & 0xff), (uint8_t)((vocab - 1) >> 8)};
    fz_put(&b, v, 2);
    fz_put(&b, d, n);
    seed(T, name, b.p, b.n);
    fz_free(&b);
}

static void seeds_llama_tok(void) {
    const char *T = "fuzz_llama_tok";
    FzBuf b = {0};
    TinyLlama_tokenizer(&b);
    seed_vocab(T, "tiny", TINY_LLAMA_TOK_V, b.p, b.n);
    seed_vocab(T, "tiny_fewer", 200, b.p, b.n);
    seed_vocab(T, "tiny_more", 300, b.p, b.n);
    seed_vocab(T, "truncated", TINY_LLAMA_TOK_V, b.p, b.n - 7);
    int32_t neg = -5;
    memcpy(b.p + 4 + 4, &neg, 4);   /* token 0's length */
    seed_vocab(T, "negative_length", TINY_LLAMA_TOK_V, b.p, b.n);
    fz_free(&b);
    seed_vocab(T, "empty", 3, "", 0);
}

static void seeds_gpt2_tokfiles(void) {
    const char *T = "fuzz_gpt2_tokfiles";
    FzBuf v = {0}, m = {0}, b = {0};
    TinyGpt2_vocab(&v);
    TinyGpt2_merges(&m);
    uint8_t n[2] = {(uint8_t)(v.n & 0xff), (uint8_t)(v.n >> 8)};
    fz_put(&b, n, 2); fz_put(&b, v.p, v.n); fz_put(&b, m.p, m.n);
    seed(T, "tiny", b.p, b.n);
    /* merges without the #version line, CRLF endings */
    b.n = 0;
    fz_put(&b, n, 2); fz_put(&b, v.p, v.n); fz_puts(&b, "\xC4\xA0 t\r\nh e\r\n");
    seed(T, "crlf_no_version", b.p, b.n);
    /* a merge of symbols the vocabulary lacks */
    b.n = 0;
    fz_put(&b, n, 2); fz_put(&b, v.p, v.n); fz_puts(&b, "#version: 0.2\nq z\nzz y\n");
    seed(T, "unknown_merge", b.p, b.n);
    /* vocabulary without the byte symbol "!" (id 0) */
    const char *rest = strchr((const char *)v.p, ',');
    b.n = 0;
    FzBuf v2 = {0};
    fz_puts(&v2, "{");
    fz_puts(&v2, rest + 1);
    uint8_t n2[2] = {(uint8_t)(v2.n & 0xff), (uint8_t)(v2.n >> 8)};
    fz_put(&b, n2, 2); fz_put(&b, v2.p, v2.n); fz_put(&b, m.p, m.n);
    seed(T, "missing_byte", b.p, b.n);
    const char *small = "{\"a\": 0, \"b\": 1, \"ab\": 2}";
    uint8_t n3[2] = {(uint8_t)strlen(small), 0};
    b.n = 0;
    fz_put(&b, n3, 2); fz_puts(&b, small); fz_puts(&b, "#version: 0.2\na b\n");
    seed(T, "three_tokens", b.p, b.n);
    fz_free(&v); fz_free(&v2); fz_free(&m); fz_free(&b);
}

/* fuzz_gguf_tok: flags, tokens "\n"-separated (a first byte 1..6 = type), NUL, merges, NUL, text */
static void gguf_tok_seed(const char *name, unsigned flags, const char *toks, const char *merges, const char *text, size_t tn) {
    FzBuf b = {0};
    fz_puts(&b, toks);
    fz_put(&b, "", 1);
    fz_puts(&b, merges);
    fz_put(&b, "", 1);
    fz_put(&b, text, tn ? tn : strlen(text));
    seed_flag("fuzz_gguf_tok", name, flags, b.p, b.n);
    fz_free(&b);
}

static void seeds_gguf_tok(void) {
    /* BPE (bit 0), pre-tokenizer (bits 1-3), parse_special (16), add_bos (32), base tokens (128) */
    static const char *const pre[] = { "gpt2", "default", "smollm", "qwen2", "llama_bpe" };
    const char *bpe_toks = "\xC4\xA0t\nhe\n\xC4\xA0the\nin\n\x03<|im_start|>\n\x03<|im_end|>\n\x04<tool>\n\x05[PAD0]";
    const char *bpe_merges = "\xC4\xA0 t\nh e\n\xC4\xA0t he\ni n";
    const char *text = "<|im_start|>the tea <tool> in 2024, it's IT'S\n\n  x\r\n\xF0\x9F\x98\x80<|im_end|>";
    for (unsigned i = 0; i < 5; i++) {
        char nm[64];
        snprintf(nm, sizeof nm, "bpe_%s", pre[i]);
        gguf_tok_seed(nm, 1u | i << 1 | 16u | 128u, bpe_toks, bpe_merges, text, 0);
    }
    gguf_tok_seed("bpe_no_special", 1u | 3u << 1 | 128u, bpe_toks, bpe_merges, text, 0);
    gguf_tok_seed("bpe_bos", 1u | 3u << 1 | 16u | 32u | 128u, bpe_toks, bpe_merges, text, 0);
    gguf_tok_seed("bpe_unknown_pre", 1u | 5u << 1 | 128u, bpe_toks, bpe_merges, text, 0);
    gguf_tok_seed("bpe_no_bytes", 1u | 3u << 1, bpe_toks, bpe_merges, text, 0);
    gguf_tok_seed("bpe_merge_no_space", 1u | 3u << 1 | 128u, bpe_toks, "\xC4\xA0t", text, 0);
    gguf_tok_seed("bpe_merge_unknown", 1u | 3u << 1 | 128u, bpe_toks, "q zz", text, 0);
    gguf_tok_seed("bpe_duplicate", 1u | 3u << 1 | 128u, "he\nhe", "", text, 0);
    gguf_tok_seed("bpe_bad_utf8", 1u | 3u << 1 | 128u, "h\xFF", "", text, 0);
    gguf_tok_seed("bpe_bad_text", 1u | 3u << 1 | 128u, bpe_toks, bpe_merges, "ab\xE2\x82", 4);
    /* SPM: add_bos (32), add_space_prefix (64), base <unk> <s> </s> <0xNN> (128) */
    const char *spm_toks = "\xE2\x96\x81t\nhe\n\xE2\x96\x81the\n\xE2\x96\x81" "a\nt\nh\ne\na\nc\n\xE2\x96\x81\n\x04<tool>";
    const char *spm_text = "the cat  sat\n\xF0\x9F\x98\x80 <s>a</s> <tool>\xE2\x96\x81x";
    gguf_tok_seed("spm", 16u | 32u | 64u | 128u, spm_toks, "", spm_text, 0);
    gguf_tok_seed("spm_no_prefix", 32u | 128u, spm_toks, "", spm_text, 0);
    gguf_tok_seed("spm_no_base", 16u | 64u, spm_toks, "", spm_text, 0);
    gguf_tok_seed("spm_empty_token", 128u, "a\n\nb", "", spm_text, 0);
}

static const char *const texts[] = {
    "Hello world! This is fun",
    " The quick brown fox jumps over the lazy dog.",
    "Once upon a time, there was a little girl named Lily.",
    "",
    " ",
    "   leading and trailing   ",
    "\n\n\ttabs\tand\nnewlines\r\n",
    "it's don't I'll we've they're I'd you'll",
    "12345 3.14159 1,000,000",
    "caf\xC3\xA9 na\xC3\xAFve \xC3\xBC\x62\x65r",
    "e\xCC\x81 a\xCC\x8A combining",
    "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 rtl",
    "\xE2\x80\xAE override \xE2\x80\xAC",
    "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
    "\xF0\x9F\x98\x80\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 emoji",
    "\x01\x02\x1b[31mred\x1b[0m\x7f",
    "\xC2\x80\xC2\x9F C1",
    "<|endoftext|> <s> </s> <0x41>",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "\xEF\xBB\xBF BOM \xEF\xBF\xBD",
    "\xF4\x8F\xBF\xBF max",
};
static const struct { const char *name; const char *bytes; size_t n; } bad_texts[] = {
    {"bad_ff", "\xff", 1},
    {"bad_truncated", "ab\xE2\x82", 4},
    {"bad_overlong", "\xC0\xAF", 2},
    {"bad_surrogate", "\xED\xA0\x80", 3},
    {"bad_nul", "a\0b", 3},
    {"bad_too_big", "\xF4\x90\x80\x80", 4},
};

static void seeds_text(const char *T) {
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "text_%02zu", i);
        seed(T, name, texts[i], strlen(texts[i]));
    }
    for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++)
        seed(T, bad_texts[i].name, bad_texts[i].bytes, bad_texts[i].n);
}


/* ---- GGUF seeds: a small writer (little-endian, ggml's layout; see engine/gguf.h) ---- */
static void g32(FzBuf *b, uint32_t v) { for (int i = 0; i < 4; i++) { uint8_t c = (uint8_t)(v >> (8 * i)); fz_put(b, &c, 1); } }
static void g64(FzBuf *b, uint64_t v) { for (int i = 0; i < 8; i++) { uint8_t c = (uint8_t)(v >> (8 * i)); fz_put(b, &c, 1); } }
static void gstr(FzBuf *b, const char *s) { g64(b, strlen(s)); fz_puts(b, s); }

typedef struct { const char *name; uint32_t type; uint64_t ne0, ne1; } GSeedT;
/* block size and bytes of the types the seeds use */
static void gtype(uint32_t t, int *bs, int *bytes) {
    static const int tab[][3] = {{0, 1, 4}, {1, 1, 2}, {30, 1, 2}, {2, 32, 18}, {3, 32, 20}, {6, 32, 22},
                                 {7, 32, 24}, {8, 32, 34}, {10, 256, 84}, {11, 256, 110}, {12, 256, 144},
                                 {13, 256, 176}, {14, 256, 210}};
    *bs = 1; *bytes = 4;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if ((uint32_t)tab[i][0] == t) { *bs = tab[i][1]; *bytes = tab[i][2]; }
}

/* version, alignment (0: no key), the tensors; cut > 0 keeps only the first cut bytes */
static void gguf_seed(const char *name, uint32_t version, uint32_t align, const GSeedT *t, int nt, size_t cut) {
    FzBuf b = {0};
    fz_put(&b, "GGUF", 4);
    g32(&b, version);
    g64(&b, (uint64_t)nt);
    g64(&b, align ? 9 : 8);
    gstr(&b, "general.architecture"); g32(&b, 8); gstr(&b, "llama");
    gstr(&b, "llama.embedding_length"); g32(&b, 4); g32(&b, 64);
    gstr(&b, "llama.block_count"); g32(&b, 5); g32(&b, 1);
    gstr(&b, "llama.rope.freq_base"); g32(&b, 6); g32(&b, 0x461c4000u);   /* 10000.0f */
    gstr(&b, "t.f64"); g32(&b, 12); g64(&b, 0x3ee4f8b588e368f1ull);        /* 1e-5 */
    gstr(&b, "tokenizer.ggml.add_bos_token"); g32(&b, 7); fz_put(&b, "\1", 1);
    gstr(&b, "tokenizer.ggml.tokens"); g32(&b, 9); g32(&b, 8); g64(&b, 3);
    gstr(&b, "<unk>"); gstr(&b, "\xe2\x96\x81" "a"); gstr(&b, "<0x0A>");
    gstr(&b, "tokenizer.ggml.scores"); g32(&b, 9); g32(&b, 6); g64(&b, 2); g32(&b, 0); g32(&b, 0xbfc00000u);
    if (align) { gstr(&b, "general.alignment"); g32(&b, 4); g32(&b, align); }
    uint32_t al = align ? align : 32;
    uint64_t off = 0;
    for (int i = 0; i < nt; i++) {
        int bs, bytes;
        gtype(t[i].type, &bs, &bytes);
        gstr(&b, t[i].name);
        g32(&b, t[i].ne1 ? 2 : 1);
        g64(&b, t[i].ne0);
        if (t[i].ne1) g64(&b, t[i].ne1);
        g32(&b, t[i].type);
        g64(&b, off);
        off += (t[i].ne0 / (uint64_t)bs * (uint64_t)bytes * (t[i].ne1 ? t[i].ne1 : 1) + al - 1) / al * al;
    }
    if (nt) while (b.n % al) fz_put(&b, "", 1);
    uint32_t x = 1;
    for (uint64_t i = 0; i < off; i++) {
        /* bytes from an LCG, every second byte small so f16 scales stay finite */
        x = x * 1664525u + 1013904223u;
        uint8_t c = (uint8_t)(x >> 24);
        if (i & 1) c &= 0x3b;
        fz_put(&b, &c, 1);
    }
    seed("fuzz_gguf", name, b.p, cut && cut < b.n ? cut : b.n);
    fz_free(&b);
}

static void seeds_gguf(void) {
    static const GSeedT all[] = {
        {"t.f32", 0, 8, 2}, {"t.f16", 1, 8, 2}, {"t.bf16", 30, 8, 1}, {"t.q8_0", 8, 32, 2},
        {"t.q4_0", 2, 32, 1}, {"t.q4_1", 3, 32, 1}, {"t.q5_0", 6, 64, 1}, {"t.q5_1", 7, 32, 1},
        {"t.q2_k", 10, 256, 1}, {"t.q3_k", 11, 256, 1}, {"t.q4_k", 12, 256, 2}, {"t.q5_k", 13, 256, 1},
        {"t.q6_k", 14, 256, 1},
    };
    static const GSeedT one[] = {{"token_embd.weight", 8, 64, 4}, {"output_norm.weight", 0, 64, 0}};
    gguf_seed("all_types", 3, 0, all, 13, 0);
    gguf_seed("v2_two", 2, 0, one, 2, 0);
    gguf_seed("align64", 3, 64, one, 2, 0);
    gguf_seed("keys_only", 3, 0, NULL, 0, 0);
    gguf_seed("cut_in_tensors", 3, 0, all, 13, 400);
    static const GSeedT bad[] = {{"t.q4_0", 2, 48, 1}};
    gguf_seed("q4_0_row_48", 3, 0, bad, 1, 0);
    static const GSeedT unk[] = {{"t.x", 99, 32, 1}};
    gguf_seed("unknown_type", 3, 0, unk, 1, 0);
    gguf_seed("version1", 1, 0, one, 2, 0);
    /* the first 16 KB of a shared file: its keys, tokenizer and tensor infos, a little data */
    const char *shared = getenv("SHARED");
    char p[2048];
    snprintf(p, sizeof p, "%s/models/stories260K-gguf/stories260K-q4_0.gguf", shared ? shared : "../../shared");
    FILE *f = fopen(p, "rb");
    if (f) {
        static uint8_t head[16384];
        size_t n = fread(head, 1, sizeof head, f);
        fclose(f);
        seed("fuzz_gguf", "stories260K_head", head, n);
    }
}

/* fuzz_json: flags byte (1 config.json, 2 vocab.json, 0 the parser alone) + the file; clean
 * files, then the issue 15 cases: data after the value, a second object, a key twice (at the
 * top and deeper), a NUL byte, an array */
static void seeds_json(void) {
    const char *T = "fuzz_json";
    FzBuf c = {0}, v = {0}, b = {0};
    TinyGpt2 g;
    TinyGpt2_default(&g);
    TinyGpt2_config(&g, &c);
    TinyGpt2_vocab(&v);
    for (int which = 1; which <= 2; which++) {
        const FzBuf *f = which == 1 ? &c : &v;
        const char *tag = which == 1 ? "config" : "vocab";
        char name[64];
        size_t n = f->n;
        while (n && f->p[n - 1] != '}') n--;
        snprintf(name, sizeof name, "%s_clean", tag);
        seed_flag(T, name, (unsigned)which, f->p, f->n);
        static const char *tails[] = {"}garbage{", "\n{\"a\": 1}", "  \r\n\t", "\x01", "\0{}"};
        static const size_t tail_n[] = {9, 9, 5, 1, 3};
        static const char *tail_names[] = {"garbage", "second_object", "whitespace_ok", "control_byte", "nul_then_object"};
        for (int k = 0; k < 5; k++) {
            b.n = 0;
            fz_put(&b, f->p, n);
            fz_put(&b, tails[k], tail_n[k]);
            snprintf(name, sizeof name, "%s_%s", tag, tail_names[k]);
            seed_flag(T, name, (unsigned)which, b.p, b.n);
        }
        /* the first key given again at the front: {"K": ..., K: ...} */
        const char *t0 = (const char *)f->p;
        const char *q = memchr(t0, '"', f->n), *e = q ? memchr(q + 1, ',', f->n - (size_t)(q + 1 - t0)) : NULL;
        if (q && e) {
            b.n = 0;
            fz_puts(&b, "{");
            fz_put(&b, q, (size_t)(e - q) + 1);
            fz_put(&b, f->p + 1, f->n - 1);
            snprintf(name, sizeof name, "%s_key_twice", tag);
            seed_flag(T, name, (unsigned)which, b.p, b.n);
        }
    }
    static const struct { const char *name; const char *text; } h[] = {
        {"array", "[\"!\", \"a\"]"}, {"nested_dup", "{\"a\": {\"x\": 1, \"x\": 2}, \"b\": [ {\"y\": 1} ]}"},
        {"dup_ids", "{\"a\": 0, \"b\": 0}"}, {"empty", ""}, {"spaces", "   "}, {"two_values", "1 2"},
        {"escaped_keys", "{\"\\u0041\": 1, \"A\": 2}"}, {"nul_key", "{\"a\\u0000b\": 1, \"a\": 2}"},
        {"huge_number", "{\"n_embd\": 1e999}"}, {"huge_in_array", "[1, -2e400, \"1e999\"]"},
        {"tiny_number", "[1e-400]"},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) seed_flag(T, h[i].name, 0, h[i].text, strlen(h[i].text));
    fz_free(&c);
    fz_free(&v);
    fz_free(&b);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: gen_seeds OUTDIR\n"); return 2; }
    g_out = argv[1];
    mkdir(g_out, 0755);
    seeds_safetensors();
    seeds_config();
    seeds_llama();
    seeds_llama_tok();
    seeds_gpt2_tokfiles();
    seeds_json();
    seeds_text("fuzz_gpt2_roundtrip");
    seeds_text("fuzz_llama_roundtrip");
    seeds_gguf();
    seeds_gguf_tok();
    return 0;
}
