/* test_gguf.c - the GGUF reader (engine/gguf.c): the shared GGUF files, and malformed files
 * written here by a tiny GGUF writer into a temporary folder: each must be refused with one
 * line naming the problem, and a file truncated at any byte must fail cleanly.
 *
 * Golden numbers: the shared files' keys are checked against the `config` of their
 * reference.json (written by the files' maker, see ../shared/README.md). */
#include "tests/check.h"
#include "tests/refjson.h"
#include "tests/gguf_write.h"

#include <string.h>
#include <unistd.h>

#include "engine/gguf.h"
#include "engine/quant.h"

/* ---- a tiny GGUF writer (the bytes: tests/gguf_write.h) ---- */

typedef struct {
    const char *name;
    int type;
    int nd;
    uint64_t ne[5];
    int64_t offset;   /* -1: after the previous tensor, aligned */
} TSpec;

typedef struct {
    const char *magic;        /* NULL: "GGUF" */
    uint32_t version;         /* 0: 3 */
    uint64_t n_tensors_hdr;   /* 0: the real count */
    uint64_t n_kv_hdr;        /* 0: the real count */
    uint32_t alignment;       /* 0: no general.alignment key */
    int align_type;           /* type of the alignment key (0: u32) */
    const TSpec *t;
    int nt;
    int dup_key, nested_array, huge_strlen, bad_kv_type;
} FSpec;

#define N_KV_BASE 18

static void write_kvs(Buf *b, const FSpec *s) {
    key(b, "general.architecture", GGUF_STR);
    if (s->huge_strlen) u64(b, (uint64_t)1 << 40); else str(b, "llama");
    key(b, "llama.embedding_length", GGUF_U32); u32(b, 64);
    key(b, "llama.block_count", GGUF_I32); u32(b, 5);
    key(b, "llama.rope.freq_base", GGUF_F32); { float f = 10000.0f; uint32_t x; memcpy(&x, &f, 4); u32(b, x); }
    key(b, "llama.attention.layer_norm_rms_epsilon", GGUF_F64); { double d = 1e-5; uint64_t x; memcpy(&x, &d, 8); u64(b, x); }
    key(b, "t.u8", GGUF_U8); u8(b, 200);
    key(b, "t.i8", GGUF_I8); u8(b, (uint8_t)-5);
    key(b, "t.u16", GGUF_U16); u8(b, 0x34); u8(b, 0x12);
    key(b, "t.i16", GGUF_I16); u8(b, 0xFE); u8(b, 0xFF);
    key(b, "t.u64", GGUF_U64); u64(b, (uint64_t)1 << 40);
    key(b, "t.i64", GGUF_I64); u64(b, (uint64_t)-7);
    key(b, "t.neg32", GGUF_I32); u32(b, (uint32_t)-3);
    key(b, "tokenizer.ggml.add_bos_token", GGUF_BOOL); u8(b, 1);
    key(b, "tokenizer.ggml.tokens", GGUF_ARR); u32(b, GGUF_STR); u64(b, 3);
    str(b, "<unk>"); str(b, "\xe2\x96\x81" "a"); str(b, "");
    key(b, "tokenizer.ggml.scores", GGUF_ARR); u32(b, GGUF_F32); u64(b, 3);
    { float f[3] = {0.0f, -1.5f, 2.25f}; for (int i = 0; i < 3; i++) { uint32_t x; memcpy(&x, &f[i], 4); u32(b, x); } }
    key(b, "tokenizer.ggml.token_type", GGUF_ARR); u32(b, GGUF_I32); u64(b, 3);
    u32(b, 2); u32(b, 1); u32(b, (uint32_t)-1);
    key(b, "t.u8arr", GGUF_ARR); u32(b, GGUF_U8); u64(b, 2); u8(b, 7); u8(b, 9);
    key(b, "t.empty", GGUF_ARR); u32(b, GGUF_U64); u64(b, 0);
    if (s->dup_key) { key(b, "t.u8", GGUF_U8); u8(b, 1); }
    if (s->nested_array) { key(b, "t.nested", GGUF_ARR); u32(b, GGUF_ARR); u64(b, 1); u32(b, GGUF_U8); u64(b, 0); }
    if (s->bad_kv_type) { key(b, "t.bad", 13); u8(b, 0); }
    if (s->alignment) {
        int at = s->align_type ? s->align_type : GGUF_U32;
        key(b, "general.alignment", (uint32_t)at);
        if (at == GGUF_STR) str(b, "32"); else u32(b, s->alignment);
    }
}

static size_t tensor_bytes(const TSpec *t) {
    uint64_t n = 1;
    for (int d = 0; d < t->nd; d++) n *= t->ne[d];
    size_t rb = 0;
    if (t->ne[0] == 0 || Quant_row_bytes(t->type, (int64_t)t->ne[0], &rb) != 0) return 64;
    return rb * (size_t)(n / t->ne[0]);
}

/* The file for s into b. */
static void build(Buf *b, const FSpec *s) {
    b->n = 0;
    uint32_t al = s->alignment ? s->alignment : 32;
    put(b, s->magic ? s->magic : "GGUF", 4);
    u32(b, s->version ? s->version : 3);
    u64(b, s->n_tensors_hdr ? s->n_tensors_hdr : (uint64_t)s->nt);
    uint64_t nkv = N_KV_BASE + (s->dup_key != 0) + (s->nested_array != 0) + (s->bad_kv_type != 0) + (s->alignment != 0);
    u64(b, s->n_kv_hdr ? s->n_kv_hdr : nkv);
    write_kvs(b, s);
    uint64_t off[16], next = 0, end = 0;
    for (int i = 0; i < s->nt; i++) {
        const TSpec *t = &s->t[i];
        str(b, t->name);
        u32(b, (uint32_t)t->nd);
        for (int d = 0; d < t->nd; d++) u64(b, t->ne[d]);
        u32(b, (uint32_t)t->type);
        off[i] = t->offset >= 0 ? (uint64_t)t->offset : next;
        u64(b, off[i]);
        size_t nb = tensor_bytes(t);
        if (t->offset < 0 && off[i] + nb > end) end = off[i] + nb;   /* data for the laid-out ones */
        if (t->offset < 0) next = (off[i] + nb + al - 1) / al * al;
    }
    if (s->nt == 0) return;
    while (b->n % al) u8(b, 0);
    size_t base = b->n;
    for (uint64_t i = 0; i < end; i++) u8(b, (uint8_t)(i * 7 + 1));
    /* the data: tensor i's byte k is (k*7+1), as written above from the section's start;
     * callers check the pointers, not the values */
    (void)base;
}

static char g_dir[256];
static int g_seq;

/* write b to a fresh file in the temp folder; returns its path (static) */
static const char *save(const Buf *b) {
    static char path[512];
    snprintf(path, sizeof path, "%s/f%d.gguf", g_dir, g_seq++);
    FILE *f = fopen(path, "wb");
    if (!f || (b->n && fwrite(b->p, 1, b->n, f) != b->n) || fclose(f) != 0) { perror(path); exit(1); }
    return path;
}

static const TSpec k_tensors[] = {
    {"token_embd.weight", QT_Q8_0, 2, {64, 3}, -1},
    {"output_norm.weight", QT_F32, 1, {64}, -1},
    {"blk.0.attn_q.weight", QT_Q4_K, 2, {256, 2}, -1},
    {"blk.0.ffn_down.weight", QT_F16, 2, {172, 2}, -1},
};
#define NT ((int)(sizeof k_tensors / sizeof k_tensors[0]))

/* opening s must fail with err containing `want` (and the file's path) */
static void refuse(const char *label, const FSpec *s, const char *want) {
    Buf b = {0};
    build(&b, s);
    const char *path = save(&b);
    GgufFile g;
    char err[SW_ERR_LEN] = "";
    if (Gguf_open(&g, path, err) == 0) {
        fail(label, "accepted");
        Gguf_close(&g);
    } else if (!strstr(err, want) || !strstr(err, path) || strchr(err, '\n')) {
        fail(label, "error \"%s\" does not say \"%s\" (with the path, on one line)", err, want);
    } else {
        char l2[400];
        snprintf(l2, sizeof l2, "%s (%s)", label, err + strlen(path) + 2);
        pass(l2);
    }
    free(b.p);
}

static void test_valid(void) {
    FSpec s = {.t = k_tensors, .nt = NT};
    Buf b = {0};
    build(&b, &s);
    const char *path = save(&b);
    GgufFile g;
    char err[SW_ERR_LEN] = "";
    if (Gguf_open(&g, path, err) != 0) { fail("gguf: a small valid file opens", "%s", err); free(b.p); return; }
    pass("gguf: a small valid file opens");
    uint32_t u = 0;
    int32_t i32 = 0;
    int64_t i64 = 0;
    uint64_t u64v = 0;
    float f = 0;
    int bo = 0;
    GgufStr st = {0};
    expect(g.version == 3 && g.alignment == 32 && g.n_kv == N_KV_BASE && g.n_tensors == NT && g.data_offset % 32 == 0,
           "gguf: version, alignment 32 by default, counts, data aligned", "v%u al %u kv %lld t %lld data %zu",
           g.version, g.alignment, (long long)g.n_kv, (long long)g.n_tensors, g.data_offset);
    expect(Gguf_get_str(&g, "general.architecture", &st, err) == GGUF_OK && st.n == 5 && memcmp(st.p, "llama", 5) == 0,
           "gguf: a string key (pointer and length into the file)", "got %.*s", (int)st.n, st.p);
    expect(Gguf_get_u32(&g, "llama.embedding_length", &u, err) == GGUF_OK && u == 64 &&
               Gguf_get_u32(&g, "llama.block_count", &u, err) == GGUF_OK && u == 5 &&
               Gguf_get_i32(&g, "llama.embedding_length", &i32, err) == GGUF_OK && i32 == 64 &&
               Gguf_get_u32(&g, "t.u8", &u, err) == GGUF_OK && u == 200 &&
               Gguf_get_i32(&g, "t.i8", &i32, err) == GGUF_OK && i32 == -5 &&
               Gguf_get_u32(&g, "t.u16", &u, err) == GGUF_OK && u == 0x1234 &&
               Gguf_get_i32(&g, "t.i16", &i32, err) == GGUF_OK && i32 == -2 &&
               Gguf_get_u64(&g, "t.u64", &u64v, err) == GGUF_OK && u64v == ((uint64_t)1 << 40) &&
               Gguf_get_i64(&g, "t.i64", &i64, err) == GGUF_OK && i64 == -7,
           "gguf: integer getters accept any integer type whose value fits", "%s", err);
    err[0] = 0;
    expect(Gguf_get_u32(&g, "t.neg32", &u, err) == GGUF_RANGE && strstr(err, "t.neg32") && strstr(err, "-3") &&
               Gguf_get_u32(&g, "t.u64", &u, err) == GGUF_RANGE,
           "gguf: an integer that does not fit is GGUF_RANGE, named", "%s", err);
    expect(Gguf_get_f32(&g, "llama.rope.freq_base", &f, err) == GGUF_OK && f == 10000.0f &&
               Gguf_get_f32(&g, "llama.attention.layer_norm_rms_epsilon", &f, err) == GGUF_OK && f == 1e-5f,
           "gguf: float getter reads f32 and f64", "%g", f);
    expect(Gguf_get_bool(&g, "tokenizer.ggml.add_bos_token", &bo, err) == GGUF_OK && bo == 1, "gguf: bool", "%d", bo);
    err[0] = 0;
    int rc = Gguf_get_u32(&g, "llama.context_length", &u, err);
    expect(rc == GGUF_MISSING && strstr(err, "llama.context_length") && strstr(err, "missing"),
           "gguf: a missing key is GGUF_MISSING with a message naming it", "rc %d: %s", rc, err);
    err[0] = 0;
    rc = Gguf_get_u32(&g, "general.architecture", &u, err);
    expect(rc == GGUF_WRONG_TYPE && strstr(err, "general.architecture is a string, expected an integer"),
           "gguf: a key of another type is GGUF_WRONG_TYPE, saying both types", "rc %d: %s", rc, err);
    err[0] = 0;
    rc = Gguf_get_str(&g, "tokenizer.ggml.tokens", &st, err);
    expect(rc == GGUF_WRONG_TYPE && strstr(err, "is an array of string"), "gguf: an array is not a string", "%s", err);

    int et = -1;
    uint64_t n = 0;
    const GgufKV *kv = NULL;
    GgufStr e0, e1, e2;
    expect(Gguf_get_arr(&g, "tokenizer.ggml.tokens", &et, &n, &kv, err) == GGUF_OK && et == GGUF_STR && n == 3 &&
               Gguf_arr_str(kv, 0, &e0) == 0 && Gguf_arr_str(kv, 1, &e1) == 0 && Gguf_arr_str(kv, 2, &e2) == 0 &&
               e0.n == 5 && memcmp(e0.p, "<unk>", 5) == 0 && e1.n == 4 && memcmp(e1.p, "\xe2\x96\x81" "a", 4) == 0 &&
               e2.n == 0 && Gguf_arr_str(kv, 3, &e0) == -1,
           "gguf: an array of strings, element by element (out of range refused)", "et %d n %llu", et, (unsigned long long)n);
    float sc[3];
    int64_t tt[3];
    expect(Gguf_get_arr(&g, "tokenizer.ggml.scores", &et, &n, &kv, err) == GGUF_OK && et == GGUF_F32 &&
               Gguf_arr_f32(kv, 0, &sc[0]) == 0 && Gguf_arr_f32(kv, 1, &sc[1]) == 0 && Gguf_arr_f32(kv, 2, &sc[2]) == 0 &&
               sc[1] == -1.5f && sc[2] == 2.25f && Gguf_arr_i64(kv, 0, &tt[0]) == -1 && Gguf_arr_str(kv, 0, &e0) == -1,
           "gguf: an array of f32 (no integer or string view of it)", "%g %g", sc[1], sc[2]);
    expect(Gguf_get_arr(&g, "tokenizer.ggml.token_type", &et, &n, &kv, err) == GGUF_OK && et == GGUF_I32 &&
               Gguf_arr_i64(kv, 0, &tt[0]) == 0 && Gguf_arr_i64(kv, 1, &tt[1]) == 0 && Gguf_arr_i64(kv, 2, &tt[2]) == 0 &&
               tt[0] == 2 && tt[1] == 1 && tt[2] == -1 && Gguf_arr_f32(kv, 2, &sc[0]) == 0 && sc[0] == -1.0f,
           "gguf: an array of i32 (signed), also as floats", "%lld %lld %lld", (long long)tt[0], (long long)tt[1], (long long)tt[2]);
    expect(Gguf_get_arr(&g, "t.empty", &et, &n, NULL, err) == GGUF_OK && et == GGUF_U64 && n == 0 &&
               Gguf_get_arr(&g, "t.u8arr", &et, &n, &kv, err) == GGUF_OK && n == 2 && Gguf_arr_i64(kv, 1, &tt[0]) == 0 && tt[0] == 9,
           "gguf: empty and u8 arrays", "n %llu", (unsigned long long)n);
    /* iteration in file order */
    expect(strcmp(g.kv[0].key, "general.architecture") == 0 && strcmp(g.kv[N_KV_BASE - 1].key, "t.empty") == 0 &&
               strcmp(Gguf_type_name(g.kv[1].type), "u32") == 0 && strcmp(Gguf_type_name(GGUF_ARR), "array") == 0,
           "gguf: keys in file order, type names", "%s", g.kv[0].key);
    char fb[200], small[12];
    int fmt_ok = strcmp(Gguf_kv_format(Gguf_find_key(&g, "llama.embedding_length"), fb, sizeof fb), "64") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "t.i64"), fb, sizeof fb), "-7") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "llama.rope.freq_base"), fb, sizeof fb), "10000") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "tokenizer.ggml.add_bos_token"), fb, sizeof fb), "true") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "general.architecture"), fb, sizeof fb), "\"llama\"") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "tokenizer.ggml.scores"), fb, sizeof fb), "[3 f32: 0, -1.5, 2.25]") == 0 &&
                 strcmp(Gguf_kv_format(Gguf_find_key(&g, "t.empty"), fb, sizeof fb), "[0 u64]") == 0;
    const char *want_tok = "[3 strings: \"<unk>\", \"\xe2\x96\x81" "a\", \"\"]";
    fmt_ok = fmt_ok && strcmp(Gguf_kv_format(Gguf_find_key(&g, "tokenizer.ggml.tokens"), fb, sizeof fb), want_tok) == 0;
    expect(fmt_ok, "gguf: values formatted on one line (numbers, bool, quoted strings, arrays)", "got %s", fb);
    GgufKV fake = {.key = "x", .type = GGUF_STR, .arr_type = -1, .n = 1,
                   .data = (const uint8_t *)"a\x1b[2J\xc2\x85\xff\"\xe2\x96\x81", .len = 12};
    expect(strcmp(Gguf_kv_format(&fake, fb, sizeof fb), "\"a\\x1b[2J\\xc2\\x85\\xff\\\"\xe2\x96\x81\"") == 0,
           "gguf: formatted strings escape control bytes, C1 controls and invalid UTF-8", "got %s", fb);
    expect(strcmp(Gguf_kv_format(Gguf_find_key(&g, "tokenizer.ggml.tokens"), small, sizeof small), "[3 strin...") == 0,
           "gguf: a formatted value cut to its buffer ends with ...", "got %s", small);
    double num = 0;
    expect(Gguf_kv_number(Gguf_find_key(&g, "t.i64"), &num) == 0 && num == -7 &&
               Gguf_kv_number(Gguf_find_key(&g, "general.architecture"), &num) == -1,
           "gguf: a scalar as a number", "%g", num);

    int ok = 1;
    for (int i = 0; i < NT; i++) {
        const GgufTensor *t = Gguf_find_tensor(&g, k_tensors[i].name);
        size_t nb = tensor_bytes(&k_tensors[i]);
        if (!t || t != &g.t[i] || t->type != k_tensors[i].type || t->n_dims != k_tensors[i].nd ||
            t->ne[0] != (int64_t)k_tensors[i].ne[0] || t->nbytes != nb ||
            (const uint8_t *)t->data != g.map.data + g.data_offset + t->offset || t->offset % 32 != 0 ||
            t->ne[2] != 1 || t->ne[3] != 1)
            ok = 0;
    }
    const GgufTensor *q = Gguf_find_tensor(&g, "blk.0.attn_q.weight");
    expect(ok && q && q->row_bytes == 144 && q->nelem == 512 && Gguf_find_tensor(&g, "nope") == NULL,
           "gguf: tensors found by name: type, dims (ne[0] = row), bytes, data pointer, aligned offset", "mismatch");
    Gguf_close(&g);

    /* truncated at every byte: each must fail with a message naming the file */
    int bad = 0;
    size_t full = b.n;
    for (size_t cut = 0; cut < full && !bad; cut++) {
        b.n = cut;
        const char *p = save(&b);
        char e2b[SW_ERR_LEN] = "";
        if (Gguf_open(&g, p, e2b) == 0) {
            fail("gguf: truncated files", "cut at %zu of %zu bytes accepted", cut, full);
            Gguf_close(&g);
            bad = 1;
        } else if (!strstr(e2b, p) || strchr(e2b, '\n')) {
            fail("gguf: truncated files", "cut at %zu: error \"%s\"", cut, e2b);
            bad = 1;
        }
        unlink(p);
    }
    if (!bad) {
        char l[200];
        snprintf(l, sizeof l, "gguf: the file cut at each of its %zu byte offsets fails cleanly with a message", full);
        pass(l);
    }
    b.n = 48;
    {
        const char *p = save(&b);
        char e2b[SW_ERR_LEN] = "";
        int r2 = Gguf_open(&g, p, e2b);
        expect(r2 != 0 && strstr(e2b, "truncated"), "gguf: a cut header says \"truncated\"", "%s", e2b);
    }
    free(b.p);
}

static void test_variants(void) {
    FSpec s = {.t = k_tensors, .nt = NT, .version = 2};
    Buf b = {0};
    build(&b, &s);
    GgufFile g;
    char err[SW_ERR_LEN] = "";
    const char *path = save(&b);
    int rc = Gguf_open(&g, path, err);
    expect(rc == 0 && g.version == 2, "gguf: version 2 opens", "%s", err);
    if (rc == 0) Gguf_close(&g);
    FSpec s64 = {.t = k_tensors, .nt = NT, .alignment = 64};
    build(&b, &s64);
    path = save(&b);
    rc = Gguf_open(&g, path, err);
    int ok = rc == 0 && g.alignment == 64 && g.data_offset % 64 == 0;
    for (int i = 0; ok && i < g.n_tensors; i++) ok = g.t[i].offset % 64 == 0;
    expect(ok, "gguf: general.alignment 64: data and offsets on 64", "%s", err);
    if (rc == 0) Gguf_close(&g);
    FSpec s0 = {.nt = 0};
    build(&b, &s0);
    path = save(&b);
    rc = Gguf_open(&g, path, err);
    expect(rc == 0 && g.n_tensors == 0 && g.n_kv == N_KV_BASE, "gguf: keys only, no tensors", "%s", err);
    if (rc == 0) Gguf_close(&g);
    free(b.p);
}

static void test_malformed(void) {
    FSpec s = {.t = k_tensors, .nt = NT};
    FSpec v;
    v = s; v.magic = "GGUG"; refuse("gguf: wrong magic", &v, "not a GGUF file");
    v = s; v.version = 1; refuse("gguf: version 1", &v, "version 1 is not supported (GGUF v2 or v3 expected)");
    v = s; v.version = 99; refuse("gguf: version 99", &v, "version 99 is not supported");
    v = s; v.version = 0x03000000u; refuse("gguf: big-endian", &v, "big-endian");
    v = s; v.n_tensors_hdr = (uint64_t)1 << 40; refuse("gguf: 2^40 tensors", &v, "1099511627776 tensors");
    v = s; v.n_kv_hdr = (uint64_t)1 << 40; refuse("gguf: 2^40 keys", &v, "1099511627776 keys");
    v = s; v.n_kv_hdr = N_KV_BASE + 1; refuse("gguf: one key more than written", &v, "");
    v = s; v.huge_strlen = 1; refuse("gguf: a string length past the end", &v, "past the end of the file");
    v = s; v.dup_key = 1; refuse("gguf: duplicate key", &v, "key t.u8 appears twice");
    v = s; v.nested_array = 1; refuse("gguf: nested array", &v, "key t.nested is an array of arrays");
    v = s; v.bad_kv_type = 1; refuse("gguf: unknown value type", &v, "key t.bad has unknown value type 13");
    v = s; v.alignment = 48; refuse("gguf: alignment not a power of two", &v, "general.alignment is 48, not a power of two");
    v = s; v.alignment = 32; v.align_type = GGUF_STR; refuse("gguf: alignment a string", &v, "general.alignment is a string");

    TSpec t[NT];
    memcpy(t, k_tensors, sizeof t);
    v = s; v.t = t;
    t[1].offset = 1 << 20;
    refuse("gguf: tensor offset out of range", &v, "tensor output_norm.weight (256 bytes at offset 1048576 of the data) ends past the end");
    memcpy(t, k_tensors, sizeof t);
    t[1].offset = 230;   /* the first is 3 rows x 68 bytes = 204 -> the next at 224; 230 is misaligned */
    refuse("gguf: misaligned tensor offset", &v, "offset 230 is not a multiple of the alignment 32");
    memcpy(t, k_tensors, sizeof t);
    t[1].offset = 192;   /* inside token_embd (0..204) */
    refuse("gguf: overlapping tensors", &v, "overlap");
    memcpy(t, k_tensors, sizeof t);
    t[2].type = 99;
    refuse("gguf: unknown tensor type", &v, "unknown tensor type 99");
    t[2].type = 16;
    refuse("gguf: a ggml type shapewalk does not read", &v, "type IQ2_XXS (16), which shapewalk does not read");
    memcpy(t, k_tensors, sizeof t);
    t[0].type = QT_Q4_0;
    t[0].ne[0] = 48;
    refuse("gguf: a Q4_0 row of 48", &v, "rows of 48 weights are not a multiple of Q4_0's block of 32");
    memcpy(t, k_tensors, sizeof t);
    t[1].nd = 4;
    t[1].ne[0] = (uint64_t)1 << 32; t[1].ne[1] = (uint64_t)1 << 32; t[1].ne[2] = 4; t[1].ne[3] = 1;
    refuse("gguf: dims whose product overflows", &v, "product overflows");
    memcpy(t, k_tensors, sizeof t);
    t[1].nd = 2; t[1].ne[1] = (uint64_t)1 << 56;   /* 2^62 floats: 2^64 bytes */
    refuse("gguf: a tensor too large to address", &v, "too large");
    memcpy(t, k_tensors, sizeof t);
    t[1].ne[0] = 0;
    refuse("gguf: a zero dimension", &v, "dimension ne[0] is 0");
    memcpy(t, k_tensors, sizeof t);
    t[1].nd = 5; t[1].ne[1] = t[1].ne[2] = t[1].ne[3] = t[1].ne[4] = 1;
    refuse("gguf: 5 dimensions", &v, "has 5 dimensions (at most 4)");
    memcpy(t, k_tensors, sizeof t);
    t[3].name = "token_embd.weight";
    refuse("gguf: duplicate tensor name", &v, "tensor token_embd.weight appears twice");
    memcpy(t, k_tensors, sizeof t);
    t[3].name = "";
    refuse("gguf: empty tensor name", &v, "empty name");

    Buf b = {0};
    GgufFile g;
    char err[SW_ERR_LEN] = "";
    const char *p = save(&b);
    expect(Gguf_open(&g, p, err) != 0 && strstr(err, "empty file"), "gguf: empty file", "%s", err);
    expect(Gguf_open(&g, "/nonexistent/x.gguf", err) != 0 && strstr(err, "/nonexistent/x.gguf"),
           "gguf: a missing file names the path", "%s", err);
    free(b.p);
}

/* every GGUF file in the shared folder: opens; its keys agree with its reference config */
static void test_shared(void) {
    static const struct { const char *gguf, *ref; } f[] = {
        {"stories260K-gguf/stories260K-f32.gguf", "stories260K-gguf/stories260K-f32.reference.json"},
        {"stories260K-gguf/stories260K-f16.gguf", "stories260K-gguf/stories260K-f16.reference.json"},
        {"stories260K-gguf/stories260K-q8_0.gguf", "stories260K-gguf/stories260K-q8_0.reference.json"},
        {"stories260K-gguf/stories260K-q4_0.gguf", "stories260K-gguf/stories260K-q4_0.reference.json"},
        {"tiny-qwen2-gguf/tiny-qwen2.gguf", "tiny-qwen2-gguf/tiny-qwen2.reference.json"},
        {"tiny-smollm-gguf/tiny-smollm.gguf", "tiny-smollm-gguf/tiny-smollm.reference.json"},
        {"quant-types/quant-types.gguf", NULL},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        char path[4096], label[300], err[SW_ERR_LEN] = "";
        snprintf(path, sizeof path, "%s/models/%s", shared_dir(), f[i].gguf);
        snprintf(label, sizeof label, "gguf: %s", f[i].gguf);
        GgufFile g;
        if (Gguf_open(&g, path, err) != 0) { fail(label, "%s", err); continue; }
        if (!f[i].ref) {
            expect(g.n_tensors == 13, label, "%lld tensors", (long long)g.n_tensors);
            Gguf_close(&g);
            continue;
        }
        snprintf(path, sizeof path, "%s/models/%s", shared_dir(), f[i].ref);
        cJSON *ref = refjson_load(path);
        const cJSON *cfg = cJSON_GetObjectItem(ref, "config");
        const cJSON *types = cJSON_GetObjectItem(ref, "tensor_types");
        const cJSON *arch = cJSON_GetObjectItem(cfg, "arch");
        GgufStr a = {0};
        char k[128];
        uint32_t D = 0, L = 0, H = 0, KV = 0, F = 0;
        float theta = 0, eps = 0;
        uint64_t nv = 0;
        int et = -1, bad = 0;
        if (!cJSON_IsString(arch) || Gguf_get_str(&g, "general.architecture", &a, err) != GGUF_OK ||
            a.n != strlen(arch->valuestring) || memcmp(a.p, arch->valuestring, a.n) != 0) {
            fail(label, "general.architecture: %s", err);
            bad = 1;
        } else {
            const char *A = arch->valuestring;
#define KEY(s) (snprintf(k, sizeof k, "%s.%s", A, s), k)
            if (Gguf_get_u32(&g, KEY("embedding_length"), &D, err) || Gguf_get_u32(&g, KEY("block_count"), &L, err) ||
                Gguf_get_u32(&g, KEY("attention.head_count"), &H, err) ||
                Gguf_get_u32(&g, KEY("attention.head_count_kv"), &KV, err) ||
                Gguf_get_u32(&g, KEY("feed_forward_length"), &F, err) || Gguf_get_f32(&g, KEY("rope.freq_base"), &theta, err) ||
                Gguf_get_f32(&g, KEY("attention.layer_norm_rms_epsilon"), &eps, err) ||
                Gguf_get_arr(&g, "tokenizer.ggml.tokens", &et, &nv, NULL, err)) {
                fail(label, "%s", err);
                bad = 1;
            }
#undef KEY
        }
        if (!bad && (D != refjson_num(cfg, "D") || L != refjson_num(cfg, "L") || H != refjson_num(cfg, "H") ||
                     KV != refjson_num(cfg, "KV") || F != refjson_num(cfg, "F") || nv != refjson_num(cfg, "V") ||
                     et != GGUF_STR || theta != (float)refjson_num(cfg, "theta") || eps != (float)refjson_num(cfg, "eps"))) {
            fail(label, "D %u L %u H %u KV %u F %u V %llu theta %g eps %g differ from the reference config", D, L, H, KV,
                 F, (unsigned long long)nv, theta, eps);
            bad = 1;
        }
        /* every tensor the reference lists, with its type; token_embd is (V, D): ne = {D, V} */
        int nt = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, types) {
            const GgufTensor *t = Gguf_find_tensor(&g, e->string);
            nt++;
            if (!t || strcmp(Quant_name(t->type), e->valuestring) != 0) {
                fail(label, "tensor %s: %s, reference %s", e->string, t ? Quant_name(t->type) : "missing", e->valuestring);
                bad = 1;
            }
        }
        const GgufTensor *te = Gguf_find_tensor(&g, "token_embd.weight");
        if (!bad && (nt != g.n_tensors || !te || te->ne[0] != D || te->ne[1] != (int64_t)nv)) {
            fail(label, "%d tensors in the reference, %lld in the file; token_embd ne %lld x %lld", nt,
                 (long long)g.n_tensors, te ? (long long)te->ne[0] : -1LL, te ? (long long)te->ne[1] : -1LL);
            bad = 1;
        }
        /* the tokenizer keys as ../shared/README.md describes them */
        GgufStr model = {0}, pre = {0}, tok = {0};
        const GgufKV *toks = NULL;
        int is_llama_tok = strstr(f[i].gguf, "stories260K") != NULL;
        uint32_t bos = 0;
        uint64_t nmerges = 0, nscores = 0;
        if (!bad) {
            int ok = Gguf_get_str(&g, "tokenizer.ggml.model", &model, err) == GGUF_OK &&
                     Gguf_get_arr(&g, "tokenizer.ggml.tokens", NULL, NULL, &toks, err) == GGUF_OK;
            if (ok && is_llama_tok) {
                /* SentencePiece style: <unk> <s> </s>, then byte tokens <0x00>...; scores; BOS 1 */
                ok = model.n == 5 && memcmp(model.p, "llama", 5) == 0 && Gguf_arr_str(toks, 1, &tok) == 0 &&
                     tok.n == 3 && memcmp(tok.p, "<s>", 3) == 0 && Gguf_arr_str(toks, 3, &tok) == 0 &&
                     tok.n == 6 && memcmp(tok.p, "<0x00>", 6) == 0 &&
                     Gguf_get_arr(&g, "tokenizer.ggml.scores", &et, &nscores, NULL, err) == GGUF_OK &&
                     et == GGUF_F32 && nscores == nv &&
                     Gguf_get_u32(&g, "tokenizer.ggml.bos_token_id", &bos, err) == GGUF_OK && bos == 1;
            } else if (ok) {
                /* byte-level BPE: merges, the pre-tokenizer named after the family, last token <|endoftext|> */
                const char *want_pre = strstr(f[i].gguf, "qwen2") ? "qwen2" : "smollm";
                ok = model.n == 4 && memcmp(model.p, "gpt2", 4) == 0 &&
                     Gguf_get_str(&g, "tokenizer.ggml.pre", &pre, err) == GGUF_OK && pre.n == strlen(want_pre) &&
                     memcmp(pre.p, want_pre, pre.n) == 0 &&
                     Gguf_get_arr(&g, "tokenizer.ggml.merges", &et, &nmerges, NULL, err) == GGUF_OK &&
                     et == GGUF_STR && nmerges == 1743 && Gguf_arr_str(toks, nv - 1, &tok) == 0 &&
                     tok.n == 13 && memcmp(tok.p, "<|endoftext|>", 13) == 0;
            }
            if (!ok) {
                fail(label, "tokenizer keys: model %.*s pre %.*s token %.*s merges %llu scores %llu bos %u (%s)",
                     (int)model.n, model.p, (int)pre.n, pre.p, (int)tok.n, tok.p, (unsigned long long)nmerges,
                     (unsigned long long)nscores, bos, err);
                bad = 1;
            }
        }
        if (!bad) {
            snprintf(label, sizeof label, "gguf: %s opens; arch, D, L, H, KV, F, V, theta, eps, every tensor's type agree with the reference; tokenizer keys",
                     f[i].gguf);
            pass(label);
        }
        cJSON_Delete(ref);
        Gguf_close(&g);
    }
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "%s/swgguf.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) { perror("mkdtemp"); return 1; }
    test_valid();
    test_variants();
    test_malformed();
    test_shared();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return check_done();
}
