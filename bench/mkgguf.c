/* mkgguf.c - write a GGUF file of a `llama` model with seeded random weights, so the benchmark
 * can measure GGUF files of real sizes without a download.
 *
 *   mkgguf OUT.gguf TYPE [D L F V h KV ctx [SEED]]
 *
 * TYPE is the matrices' type: F32, F16, Q8_0 or Q4_0 (norms stay F32, as llama.cpp writes
 * them). The default shape is stories110M's (D=768 L=12 F=2048 V=32000 h=12 KV=12 ctx=1024):
 * a Llama of GPT-2-124M's size. Weights ~ N(0, 0.02), norm gains 1; the LM head is tied to the
 * embedding. The vocabulary is a SentencePiece-style one (<unk> <s> </s>, the 256 byte
 * tokens, then made-up pieces "▁tN"), enough for the tokenizer to load and encode any text.
 * Quantization follows ggml's reference rounding for Q8_0 (d = max|x| / 127) and Q4_0 (d =
 * the signed largest / -8); the values are random anyway, only the sizes and types matter.
 * When OUT already exists with exactly the size this run would write, it is kept (cache).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q8_0 = 8 };
static int D = 768, L = 12, F = 2048, V = 32000, H = 12, KV = 12, CTX = 1024;

static FILE *out;
static void w8(uint8_t v) { fputc(v, out); }
static void wle(uint64_t v, int n) { for (int i = 0; i < n; i++) w8((uint8_t)(v >> (8 * i))); }
static void wstr(const char *s) { size_t n = strlen(s); wle(n, 8); fwrite(s, 1, n, out); }
static void key(const char *k, uint32_t type) { wstr(k); wle(type, 4); }
static void kv_u32(const char *k, uint32_t v) { key(k, 4); wle(v, 4); }
static void kv_f32(const char *k, float f) { uint32_t u; memcpy(&u, &f, 4); key(k, 6); wle(u, 4); }
static void kv_str(const char *k, const char *s) { key(k, 8); wstr(s); }

/* xorshift64* and Box-Muller: N(0, sd) */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return ((rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static float normal(float sd) {
    double u = uniform(), v = uniform();
    if (u < 1e-300) u = 1e-300;
    return (float)(sd * sqrt(-2 * log(u)) * cos(6.283185307179586 * v));
}

static uint16_t to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, e = (x >> 23) & 0xff, m = x & 0x7fffff;
    int ex = (int)e - 127 + 15;
    if (e == 0xff) return (uint16_t)(sign | 0x7c00 | (m ? 0x200 : 0));
    if (ex >= 31) return (uint16_t)(sign | 0x7c00);
    if (ex <= 0) {   /* subnormal half (or zero) */
        if (ex < -10) return (uint16_t)sign;
        m |= 0x800000;
        uint32_t sh = (uint32_t)(14 - ex), h = m >> sh, rem = m & ((1u << sh) - 1), half = 1u << (sh - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)ex << 10) | (m >> 13), rem = m & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

static size_t row_bytes(int type, int n) {
    switch (type) {
    case T_F32: return 4 * (size_t)n;
    case T_F16: return 2 * (size_t)n;
    case T_Q8_0: return (size_t)n / 32 * 34;
    default: return (size_t)n / 32 * 18;
    }
}

/* one row of n random weights, in type */
static void write_row(int type, int n, float sd, float fill) {
    float x[32];
    for (int b = 0; b < n; b += 32) {
        int k = n - b < 32 ? n - b : 32;
        for (int i = 0; i < k; i++) x[i] = sd > 0 ? normal(sd) : fill;
        if (type == T_F32) { for (int i = 0; i < k; i++) { uint32_t u; memcpy(&u, &x[i], 4); wle(u, 4); } continue; }
        if (type == T_F16) { for (int i = 0; i < k; i++) wle(to_f16(x[i]), 2); continue; }
        if (type == T_Q8_0) {
            float amax = 0;
            for (int i = 0; i < 32; i++) if (fabsf(x[i]) > amax) amax = fabsf(x[i]);
            float d = amax / 127, id = d ? 1 / d : 0;
            wle(to_f16(d), 2);
            for (int i = 0; i < 32; i++) w8((uint8_t)(int8_t)roundf(x[i] * id));
            continue;
        }
        float amax = 0, mx = 0;   /* Q4_0 */
        for (int i = 0; i < 32; i++) if (fabsf(x[i]) > amax) { amax = fabsf(x[i]); mx = x[i]; }
        float d = mx / -8, id = d ? 1 / d : 0;
        wle(to_f16(d), 2);
        for (int i = 0; i < 16; i++) {
            int a = (int)(x[i] * id + 8.5f), c = (int)(x[i + 16] * id + 8.5f);
            a = a < 0 ? 0 : a > 15 ? 15 : a;
            c = c < 0 ? 0 : c > 15 ? 15 : c;
            w8((uint8_t)(a | c << 4));
        }
    }
}

typedef struct { char name[64]; int type, rows, cols; float sd, fill; uint64_t off; } Tensor;
static Tensor ts[16 + 9 * 1024];
static int nt;
static uint64_t data_end;

static void add(const char *name, int type, int rows, int cols, float sd, float fill) {
    Tensor *t = &ts[nt++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->type = type; t->rows = rows; t->cols = cols; t->sd = sd; t->fill = fill;
    t->off = data_end;
    data_end += (row_bytes(type, cols) * (size_t)rows + 31) / 32 * 32;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: mkgguf OUT.gguf F32|F16|Q8_0|Q4_0 [D L F V h KV ctx [SEED]]\n");
        return 2;
    }
    const char *path = argv[1];
    int type = strcmp(argv[2], "F32") == 0 ? T_F32 : strcmp(argv[2], "F16") == 0 ? T_F16 :
               strcmp(argv[2], "Q8_0") == 0 ? T_Q8_0 : strcmp(argv[2], "Q4_0") == 0 ? T_Q4_0 : -1;
    if (type < 0) { fprintf(stderr, "mkgguf: type %s: use F32, F16, Q8_0 or Q4_0\n", argv[2]); return 2; }
    if (argc >= 10) {
        D = atoi(argv[3]); L = atoi(argv[4]); F = atoi(argv[5]); V = atoi(argv[6]);
        H = atoi(argv[7]); KV = atoi(argv[8]); CTX = atoi(argv[9]);
    }
    if (argc >= 11) rng ^= strtoull(argv[10], NULL, 10) * 0x100000001B3ull;
    if (D % 32 || F % 32 || D % H || H % KV || V < 300 || L < 1 || L > 1024) {
        fprintf(stderr, "mkgguf: D and F must be multiples of 32, h divide D, KV divide h, V >= 300\n");
        return 2;
    }
    const int kvd = D / H * KV;
    char nm[64];
    add("token_embd.weight", type, V, D, 0.02f, 0);
    add("output_norm.weight", T_F32, 1, D, 0, 1);
    for (int l = 0; l < L; l++) {
        snprintf(nm, sizeof nm, "blk.%d.attn_norm.weight", l); add(nm, T_F32, 1, D, 0, 1);
        snprintf(nm, sizeof nm, "blk.%d.attn_q.weight", l); add(nm, type, D, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.attn_k.weight", l); add(nm, type, kvd, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.attn_v.weight", l); add(nm, type, kvd, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.attn_output.weight", l); add(nm, type, D, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.ffn_norm.weight", l); add(nm, T_F32, 1, D, 0, 1);
        snprintf(nm, sizeof nm, "blk.%d.ffn_gate.weight", l); add(nm, type, F, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.ffn_up.weight", l); add(nm, type, F, D, 0.02f, 0);
        snprintf(nm, sizeof nm, "blk.%d.ffn_down.weight", l); add(nm, type, D, F, 0.02f, 0);
    }

    /* the header goes to memory first, so the size is known before anything is written */
    char *hdr = NULL;
    size_t hn = 0;
    out = open_memstream(&hdr, &hn);
    if (!out) { perror("mkgguf"); return 1; }
    fwrite("GGUF", 1, 4, out);
    wle(3, 4);
    wle((uint64_t)nt, 8);
    wle(18, 8);   /* the keys below */
    kv_str("general.architecture", "llama");
    kv_str("general.name", "bench-llama (random weights)");
    kv_u32("general.alignment", 32);
    kv_u32("llama.embedding_length", (uint32_t)D);
    kv_u32("llama.block_count", (uint32_t)L);
    kv_u32("llama.feed_forward_length", (uint32_t)F);
    kv_u32("llama.attention.head_count", (uint32_t)H);
    kv_u32("llama.attention.head_count_kv", (uint32_t)KV);
    kv_u32("llama.context_length", (uint32_t)CTX);
    kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    kv_f32("llama.rope.freq_base", 10000.0f);
    kv_u32("llama.rope.dimension_count", (uint32_t)(D / H));
    kv_str("tokenizer.ggml.model", "llama");
    key("tokenizer.ggml.tokens", 9); wle(8, 4); wle((uint64_t)V, 8);
    for (int i = 0; i < V; i++) {
        char p[32];
        if (i == 0) snprintf(p, sizeof p, "<unk>");
        else if (i == 1) snprintf(p, sizeof p, "<s>");
        else if (i == 2) snprintf(p, sizeof p, "</s>");
        else if (i < 259) snprintf(p, sizeof p, "<0x%02X>", i - 3);
        else snprintf(p, sizeof p, "\xe2\x96\x81t%d", i);
        wstr(p);
    }
    key("tokenizer.ggml.scores", 9); wle(6, 4); wle((uint64_t)V, 8);
    for (int i = 0; i < V; i++) { float s = -(float)i; uint32_t u; memcpy(&u, &s, 4); wle(u, 4); }
    key("tokenizer.ggml.token_type", 9); wle(5, 4); wle((uint64_t)V, 8);
    for (int i = 0; i < V; i++) wle(i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1, 4);
    kv_u32("tokenizer.ggml.bos_token_id", 1);
    kv_u32("tokenizer.ggml.eos_token_id", 2);
    for (int i = 0; i < nt; i++) {
        wstr(ts[i].name);
        if (ts[i].rows == 1) { wle(1, 4); wle((uint64_t)ts[i].cols, 8); }
        else { wle(2, 4); wle((uint64_t)ts[i].cols, 8); wle((uint64_t)ts[i].rows, 8); }
        wle((uint64_t)ts[i].type, 4);
        wle(ts[i].off, 8);
    }
    while (ftell(out) % 32) w8(0);
    fclose(out);
    const uint64_t total = hn + data_end;

    struct stat sb;
    if (stat(path, &sb) == 0 && (uint64_t)sb.st_size == total) {
        printf("mkgguf: %s kept (%.0f MB)\n", path, total / 1e6);
        free(hdr);
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    out = fopen(tmp, "wb");
    if (!out) { fprintf(stderr, "mkgguf: %s: %s\n", tmp, strerror(errno)); free(hdr); return 1; }
    fwrite(hdr, 1, hn, out);
    free(hdr);
    for (int i = 0; i < nt; i++) {
        for (int r = 0; r < ts[i].rows; r++) write_row(ts[i].type, ts[i].cols, ts[i].sd, ts[i].fill);
        long at = ftell(out);
        while ((uint64_t)(at - (long)hn) % 32) { w8(0); at++; }
    }
    if (fclose(out) != 0 || rename(tmp, path) != 0) { fprintf(stderr, "mkgguf: writing %s failed: %s\n", path, strerror(errno)); return 1; }
    printf("mkgguf: wrote %s (%.0f MB, %s matrices)\n", path, total / 1e6, argv[2]);
    return 0;
}
