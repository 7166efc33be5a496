/* fuzz_gguf.c - the GGUF reader (engine/gguf.c) and the dequantizers (engine/quant.c).
 *
 * Input: the bytes of a .gguf file. Gguf_open must either refuse it with a one-line error
 * naming the file, or accept it with everything inside the file: then every key is found by
 * name, every array element is read (strings inside the mapping), every tensor lies inside
 * the data section, is found by name, does not overlap another, and its first rows (up to
 * 8, of up to 65536 weights) dequantize and dot with x without a bad read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gguf.h"
#include "engine/quant.h"
#include "fuzz/fuzz_common.h"

static const char *g_file;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    g_file = strdup(fz_path(0, fz_dir(), "model.gguf"));
    return 0;
}

static int inside(const GgufFile *g, const void *p, size_t n) {
    const uint8_t *q = p;
    return q >= g->map.data && q <= g->map.data + g->map.len && n <= (size_t)(g->map.data + g->map.len - q);
}

static void check_keys(const GgufFile *g) {
    for (int64_t i = 0; i < g->n_kv; i++) {
        const GgufKV *kv = &g->kv[i];
        FZ_ASSERT(kv->key && Gguf_find_key(g, kv->key) == kv, "key %lld not found by name", (long long)i);
        FZ_ASSERT(kv->type >= 0 && kv->type <= GGUF_F64, "%s: type %d", kv->key, kv->type);
        FZ_ASSERT(strcmp(Gguf_type_name(kv->type), "?") != 0, "%s: no type name", kv->key);
        FZ_ASSERT(inside(g, kv->data, kv->len), "%s: value outside the file", kv->key);
        uint32_t u; int32_t s; uint64_t u6; int64_t s6; float f; int b; GgufStr st;
        char err[SW_ERR_LEN];
        int rc = Gguf_get_u32(g, kv->key, &u, err);
        FZ_ASSERT(rc == GGUF_OK || rc == GGUF_WRONG_TYPE || rc == GGUF_RANGE, "%s: get_u32 %d", kv->key, rc);
        (void)Gguf_get_i32(g, kv->key, &s, err);
        (void)Gguf_get_u64(g, kv->key, &u6, err);
        (void)Gguf_get_i64(g, kv->key, &s6, err);
        (void)Gguf_get_f32(g, kv->key, &f, err);
        (void)Gguf_get_bool(g, kv->key, &b, err);
        if (Gguf_get_str(g, kv->key, &st, err) == GGUF_OK)
            FZ_ASSERT(inside(g, st.p, st.n), "%s: string outside the file", kv->key);
        char line[160];
        Gguf_kv_format(kv, line, sizeof line);
        FZ_ASSERT(strlen(line) < sizeof line, "%s: format overran", kv->key);
        for (const char *c = line; *c; c++) {
            unsigned char uc = (unsigned char)*c;
            FZ_ASSERT(uc >= 0x20 && uc != 0x7f && !(uc == 0xC2 && (unsigned char)c[1] >= 0x80 && (unsigned char)c[1] < 0xA0),
                      "%s: control byte 0x%02x in the formatted value", kv->key, uc);
        }
        FZ_ASSERT(sw_utf8_valid(line, strlen(line), NULL) || strlen(line) == sizeof line - 1,
                  "%s: formatted value is not UTF-8", kv->key);
        double num;
        FZ_ASSERT((Gguf_kv_number(kv, &num) == 0) == (kv->type != GGUF_STR && kv->type != GGUF_ARR), "%s: number", kv->key);
        if (kv->type != GGUF_ARR) continue;
        int et;
        uint64_t n;
        const GgufKV *a;
        FZ_ASSERT(Gguf_get_arr(g, kv->key, &et, &n, &a, err) == GGUF_OK && a == kv && n == kv->n, "%s: get_arr", kv->key);
        FZ_ASSERT(et != GGUF_ARR, "%s: nested array accepted", kv->key);
        for (uint64_t k = 0; k < n; k++) {
            int64_t v;
            float x;
            if (et == GGUF_STR) {
                FZ_ASSERT(Gguf_arr_str(kv, k, &st) == 0, "%s[%llu]: string", kv->key, (unsigned long long)k);
                FZ_ASSERT(inside(g, st.p, st.n), "%s[%llu]: string outside the file", kv->key, (unsigned long long)k);
                if (st.n) {   /* read both ends (AddressSanitizer checks the reads) */
                    volatile char sink = st.p[0];
                    sink = st.p[st.n - 1];
                    (void)sink;
                }
            } else {
                (void)Gguf_arr_i64(kv, k, &v);
                (void)Gguf_arr_f32(kv, k, &x);
            }
        }
        int64_t v;
        GgufStr e;
        FZ_ASSERT(Gguf_arr_i64(kv, n, &v) == -1 && Gguf_arr_str(kv, n, &e) == -1, "%s: element n accepted", kv->key);
    }
    FZ_ASSERT(Gguf_find_key(g, "\x01no such key") == NULL, "found a key that is not there");
}

static void check_tensors(const GgufFile *g) {
    size_t data_len = g->map.len >= g->data_offset ? g->map.len - g->data_offset : 0;
    for (int64_t i = 0; i < g->n_tensors; i++) {
        const GgufTensor *t = &g->t[i];
        FZ_ASSERT(t->name && Gguf_find_tensor(g, t->name) == t, "tensor %lld not found by name", (long long)i);
        FZ_ASSERT(Quant_supported(t->type), "%s: type %d accepted", t->name, t->type);
        FZ_ASSERT(t->n_dims >= 0 && t->n_dims <= GGUF_MAX_DIMS, "%s: n_dims %d", t->name, t->n_dims);
        int64_t ne = 1;
        for (int d = 0; d < GGUF_MAX_DIMS; d++) {
            FZ_ASSERT(t->ne[d] >= 1, "%s: ne[%d] = %lld", t->name, d, (long long)t->ne[d]);
            ne *= t->ne[d];
        }
        FZ_ASSERT(ne == t->nelem, "%s: nelem", t->name);
        size_t rb;
        FZ_ASSERT(Quant_row_bytes(t->type, t->ne[0], &rb) == 0 && rb == t->row_bytes, "%s: row bytes", t->name);
        FZ_ASSERT(t->nbytes == rb * (size_t)(t->nelem / t->ne[0]), "%s: nbytes", t->name);
        FZ_ASSERT(t->offset % g->alignment == 0, "%s: misaligned", t->name);
        FZ_ASSERT(t->offset <= data_len && t->nbytes <= data_len - t->offset, "%s: outside the data", t->name);
        FZ_ASSERT(t->data == g->map.data + g->data_offset + t->offset, "%s: data pointer", t->name);
        if (g->n_tensors <= 256)
            for (int64_t j = 0; j < i; j++) {
                const GgufTensor *u = &g->t[j];
                FZ_ASSERT(t->offset + t->nbytes <= u->offset || u->offset + u->nbytes <= t->offset,
                          "%s and %s overlap", t->name, u->name);
            }
        /* the first rows (up to 8) through the dequantizer and the dot kernels */
        if (t->ne[0] > (1 << 16)) continue;
        int64_t n = t->ne[0], rows = t->nelem / n;
        if (rows > 8) rows = 8;
        float *w = malloc((size_t)n * sizeof *w), *x = malloc((size_t)n * sizeof *x), y[8];
        if (!w || !x) abort();
        for (int64_t k = 0; k < n; k++) x[k] = (float)(k % 5) - 2.0f;
        for (int64_t r = 0; r < rows; r++) Quant_dequant_row(t->type, (const uint8_t *)t->data + r * rb, w, n);
        int old = Quant_set_simd(0);
        (void)Quant_dot_row(t->type, t->data, x, n);
        Quant_set_simd(old);
        Quant_dot_rows(t->type, t->data, rb, (int)rows, x, n, y);
        free(w);
        free(x);
    }
    FZ_ASSERT(Gguf_find_tensor(g, "\x01no such tensor") == NULL, "found a tensor that is not there");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (fz_write(g_file, data, size) != 0) abort();
    GgufFile g;
    char err[SW_ERR_LEN] = "";
    if (Gguf_open(&g, g_file, err) != 0) {
        fz_check_err(err, g_file);
        return 0;
    }
    FZ_ASSERT(g.version == 2 || g.version == 3, "version %u", g.version);
    FZ_ASSERT(g.alignment && (g.alignment & (g.alignment - 1)) == 0, "alignment %u", g.alignment);
    if (getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "opened: v%u, %lld keys, %lld tensors\n", g.version, (long long)g.n_kv, (long long)g.n_tensors);
    check_keys(&g);
    check_tensors(&g);
    Gguf_close(&g);
    return 0;
}
