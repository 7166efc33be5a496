/* test_quant.c - ggml's tensor types (engine/quant.c): sizes, exact dequantization against
 * ggml's own to_float, and the dot kernels (plain C and AVX2) against a double dot.
 *
 * Golden numbers: ../shared/models/quant-types/quant-types.reference.json holds, per tensor of
 * quant-types.gguf, every value ggml's to_float returns (written by the file's maker with
 * ggml itself); the *.reference.json beside the other GGUF files hold `dequantized_checks`
 * (the first 8 values of several tensors, rounded to 7 decimals by the maker). */
#include "tests/check.h"
#include "tests/refjson.h"

#include <float.h>
#include <string.h>

#include "engine/gguf.h"
#include "engine/quant.h"

static const int k_all[] = {QT_F32, QT_F16, QT_BF16, QT_Q8_0, QT_Q4_0, QT_Q4_1, QT_Q5_0,
                            QT_Q5_1, QT_Q2_K, QT_Q3_K, QT_Q4_K, QT_Q5_K, QT_Q6_K};
#define N_ALL ((int)(sizeof k_all / sizeof k_all[0]))

static const char *k_level[] = {"plain C", "AVX2", "AVX-512"};
static int g_max;            /* the most SIMD this CPU has (0..2) */
static char g_levels[64];    /* "plain C, AVX2, AVX-512" as far as tested */

static void test_sizes(void) {
    /* bits per weight as ggml documents them: bytes per block * 8 / weights per block */
    static const struct { int t; const char *name; int bs; size_t bytes; double bpw; } w[] = {
        {QT_F32, "F32", 1, 4, 32},        {QT_F16, "F16", 1, 2, 16},          {QT_BF16, "BF16", 1, 2, 16},
        {QT_Q8_0, "Q8_0", 32, 34, 8.5},   {QT_Q4_0, "Q4_0", 32, 18, 4.5},     {QT_Q4_1, "Q4_1", 32, 20, 5},
        {QT_Q5_0, "Q5_0", 32, 22, 5.5},   {QT_Q5_1, "Q5_1", 32, 24, 6},       {QT_Q2_K, "Q2_K", 256, 84, 2.625},
        {QT_Q3_K, "Q3_K", 256, 110, 3.4375}, {QT_Q4_K, "Q4_K", 256, 144, 4.5}, {QT_Q5_K, "Q5_K", 256, 176, 5.5},
        {QT_Q6_K, "Q6_K", 256, 210, 6.5625},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        size_t rb = 0;
        if (!Quant_supported(w[i].t) || strcmp(Quant_name(w[i].t), w[i].name) != 0 ||
            Quant_block_size(w[i].t) != w[i].bs || Quant_block_bytes(w[i].t) != w[i].bytes ||
            Quant_bits_per_weight(w[i].t) != w[i].bpw || Quant_row_bytes(w[i].t, 512, &rb) != 0 ||
            rb != 512 / (size_t)w[i].bs * w[i].bytes) {
            fail("quant: sizes", "%s wrong (block %d bytes %zu bpw %g)", w[i].name, Quant_block_size(w[i].t),
                 Quant_block_bytes(w[i].t), Quant_bits_per_weight(w[i].t));
            bad = 1;
        }
    }
    if (!bad) pass("quant: names, block sizes, bytes, bits per weight of all 13 types");
    size_t rb;
    expect(Quant_row_bytes(QT_Q4_0, 48, &rb) == -1 && Quant_row_bytes(QT_Q4_K, 128, &rb) == -1 &&
               Quant_row_bytes(99, 32, &rb) == -1 && Quant_row_bytes(QT_F32, -1, &rb) == -1 &&
               Quant_row_bytes(QT_F32, INT64_MAX, &rb) == -1,
           "quant: row_bytes refuses a partial block, an unknown type, n < 0, overflow", "accepted one");
    expect(!Quant_supported(16) && Quant_name(16) && strcmp(Quant_name(16), "IQ2_XXS") == 0 &&
               Quant_name(99) == NULL && Quant_block_size(99) == 0,
           "quant: ggml types shapewalk does not read are named, unknown ids are not", "got %s",
           Quant_name(16) ? Quant_name(16) : "NULL");
}

/* the exact double dot of dequantized w and x, and the sum of |w x| (the scale of its rounding) */
static double exact_dot(const float *w, const float *x, int64_t n, double *mag) {
    double s = 0, m = 0;
    for (int64_t i = 0; i < n; i++) {
        s += (double)w[i] * x[i];
        m += fabs((double)w[i] * x[i]);
    }
    *mag = m;
    return s;
}

/* Tolerance of a float dot: the kernels sum products in float along chains of at most
 * n/8 + 64 additions per lane (8 lanes, blocks of up to 256 with one FMA per group), and
 * a chain of k float additions errs by at most about k * 2^-24 of the sum of |w x|
 * (Higham's gamma_k). Twice that bound, plus FLT_MIN for rows that sum to nothing. */
static double dot_tol(int64_t n, double mag) {
    return 2.0 * (double)(n / 8 + 64) * ldexp(1.0, -24) * mag + FLT_MIN;
}

static void test_quant_types(void) {
    char path[4096], err[SW_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/models/quant-types/quant-types.gguf", shared_dir());
    GgufFile g;
    if (Gguf_open(&g, path, err) != 0) { fail("quant: quant-types.gguf opens", "%s", err); return; }
    snprintf(path, sizeof path, "%s/models/quant-types/quant-types.reference.json", shared_dir());
    cJSON *ref = refjson_load(path);
    const cJSON *tensors = cJSON_GetObjectItem(ref, "tensors");
    if (!tensors) { fail("quant: quant-types reference", "cannot read %s", path); Gguf_close(&g); return; }
    int n_types = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, tensors) {
        const char *name = e->string;
        char label[160];
        snprintf(label, sizeof label, "quant: %s dequantizes to ggml's values exactly", name);
        const GgufTensor *t = Gguf_find_tensor(&g, name);
        const cJSON *dq = cJSON_GetObjectItem(e, "dequantized");
        const cJSON *ty = cJSON_GetObjectItem(e, "type");
        if (!t || !cJSON_IsArray(dq) || !cJSON_IsString(ty)) { fail(label, "tensor or reference missing"); continue; }
        if (strcmp(Quant_name(t->type), ty->valuestring) != 0 || t->ne[0] != 512 || t->ne[1] != 4) {
            fail(label, "type %s shape %lldx%lld, reference says %s 4x512", Quant_name(t->type),
                 (long long)t->ne[1], (long long)t->ne[0], ty->valuestring);
            continue;
        }
        n_types++;
        float w[512], x[512];
        int bad = 0, checked = 0;
        for (int r = 0; r < 4 && !bad; r++) {
            const uint8_t *row = (const uint8_t *)t->data + (size_t)r * t->row_bytes;
            Quant_dequant_row(t->type, row, w, 512);
            const cJSON *rr = cJSON_GetArrayItem(dq, r);
            for (int c = 0; c < 512; c++) {
                const cJSON *v = cJSON_GetArrayItem(rr, c);
                if (!cJSON_IsNumber(v)) { fail(label, "reference row %d col %d missing", r, c); bad = 1; break; }
                float want = (float)v->valuedouble;
                if (memcmp(&want, &w[c], 4) != 0 && !(want == 0 && w[c] == 0)) {
                    fail(label, "row %d col %d: %.9g, ggml gives %.9g", r, c, w[c], want);
                    bad = 1;
                    break;
                }
                checked++;
            }
            /* the dot kernels on the same row, plain and SIMD, against the double dot */
            for (int c = 0; c < 512; c++) x[c] = (float)sin(0.37 * c + r) * (1.0f + (c % 7));
            double mag, ex = exact_dot(w, x, 512, &mag);
            for (int lv = 0; lv <= g_max; lv++) {
                Quant_set_simd(lv);
                float got = Quant_dot_row(t->type, row, x, 512);
                if (fabs(got - ex) > dot_tol(512, mag)) {
                    char l2[200];
                    snprintf(l2, sizeof l2, "quant: %s dot row %d (%s)", name, r, k_level[lv]);
                    fail(l2, "%.9g, exact %.9g (tolerance %.3g)", got, ex, dot_tol(512, mag));
                    bad = 1;
                }
            }
            Quant_set_simd(2);
        }
        if (!bad) {
            pass(label);
            char l2[200];
            snprintf(l2, sizeof l2, "quant: %s dot of each row within float rounding (%s)", name, g_levels);
            pass(l2);
        }
        (void)checked;
    }
    expect(n_types == N_ALL, "quant: quant-types.gguf has all 13 types", "%d found", n_types);
    cJSON_Delete(ref);
    Gguf_close(&g);
}

/* dequantized_checks of the model references: first 8 values, PyTorch row-major order (the
 * first row = the first ne[0] values of the tensor), rounded to 7 decimals: compare within
 * 5e-8 (half the last decimal) plus 1e-7 relative for the float32 print. */
static void test_model_checks(const char *rel_gguf, const char *rel_ref) {
    char path[4096], rpath[4096], err[SW_ERR_LEN] = "", label[300];
    snprintf(path, sizeof path, "%s/models/%s", shared_dir(), rel_gguf);
    snprintf(rpath, sizeof rpath, "%s/models/%s", shared_dir(), rel_ref);
    snprintf(label, sizeof label, "quant: %s dequantized_checks", rel_gguf);
    GgufFile g;
    if (Gguf_open(&g, path, err) != 0) { fail(label, "%s", err); return; }
    cJSON *ref = refjson_load(rpath);
    const cJSON *checks = cJSON_GetObjectItem(ref, "dequantized_checks");
    const cJSON *types = cJSON_GetObjectItem(ref, "tensor_types");
    if (!checks) { fail(label, "no dequantized_checks in %s", rpath); cJSON_Delete(ref); Gguf_close(&g); return; }
    int n = 0, bad = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, checks) {
        const GgufTensor *t = Gguf_find_tensor(&g, e->string);
        if (!t) { fail(label, "tensor %s missing", e->string); bad = 1; continue; }
        const cJSON *ty = cJSON_GetObjectItem(types, e->string);
        if (cJSON_IsString(ty) && strcmp(ty->valuestring, Quant_name(t->type)) != 0) {
            fail(label, "%s is %s, reference says %s", e->string, Quant_name(t->type), ty->valuestring);
            bad = 1;
        }
        float *w = malloc((size_t)t->ne[0] * sizeof *w);
        if (!w) abort();
        Quant_dequant_row(t->type, t->data, w, t->ne[0]);
        int k = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, e) {
            if (k >= t->ne[0]) break;
            double want = v->valuedouble;
            if (fabs(w[k] - want) > 5e-8 + 1e-7 * fabs(want)) {
                fail(label, "%s[%d] = %.9g, reference %.9g", e->string, k, w[k], want);
                bad = 1;
            }
            k++;
        }
        free(w);
        n++;
    }
    if (!bad) {
        char l2[400];
        snprintf(l2, sizeof l2, "%s (%d tensors)", label, n);
        pass(l2);
    }
    cJSON_Delete(ref);
    Gguf_close(&g);
}

/* a valid block of any type from a seeded generator: random bytes, with the f16 scales set
 * to sane values (random bits could be inf/nan) */
static uint32_t g_rng = 12345;
static uint32_t rnd(void) { g_rng = g_rng * 1664525u + 1013904223u; return g_rng >> 8; }
static void put_f16(uint8_t *p, float scale) {
    /* an f16 in [scale/2, scale) with random mantissa: exponent of scale, random low bits */
    int e = 0;
    frexpf(scale, &e);
    uint16_t h = (uint16_t)(((e - 1 + 15) << 10) | (rnd() & 0x3ff));
    if (rnd() & 1) h |= 0x8000;
    p[0] = (uint8_t)h;
    p[1] = (uint8_t)(h >> 8);
}
static void random_row(int type, uint8_t *p, size_t nbytes, int64_t n) {
    for (size_t i = 0; i < nbytes; i++) p[i] = (uint8_t)rnd();
    int bs = Quant_block_size(type);
    size_t bb = Quant_block_bytes(type);
    for (int64_t b = 0; b < n / bs; b++) {
        uint8_t *q = p + (size_t)b * bb;
        switch (type) {
        case QT_F32:
            for (int k = 0; k < 1; k++) { float f = (float)((int)(rnd() % 20001) - 10000) / 7777.0f; memcpy(q, &f, 4); }
            break;
        case QT_F16: put_f16(q, 1.0f); break;
        case QT_BF16: q[1] = (uint8_t)((q[1] & 0x80) | 0x3f); break;   /* exponent near 1 */
        case QT_Q4_0: case QT_Q5_0: case QT_Q8_0: put_f16(q, 0.01f); break;
        case QT_Q4_1: case QT_Q5_1: put_f16(q, 0.01f); put_f16(q + 2, 0.1f); break;
        case QT_Q2_K: put_f16(q + 80, 0.01f); put_f16(q + 82, 0.01f); break;
        case QT_Q3_K: put_f16(q + 108, 0.01f); break;
        case QT_Q4_K: case QT_Q5_K: put_f16(q, 0.01f); put_f16(q + 2, 0.01f); break;
        case QT_Q6_K: put_f16(q + 208, 0.01f); break;
        }
    }
}

/* every type, every block multiple up to 3072 weights (K-quants: 256..3072): the dots of each
 * SIMD level the CPU has, and Quant_dot_rows (which may go 4 rows at a time), against the
 * double dot of the dequantized row */
static void test_random_rows(void) {
    for (int ti = 0; ti < N_ALL; ti++) {
        int type = k_all[ti], bs = Quant_block_size(type), bad = 0;
        int step = bs == 1 ? 7 : bs;   /* float types: odd lengths too (the tails) */
        char label[200];
        for (int64_t n = step; n <= 3072 && !bad; n += step) {
            size_t rb;
            if (Quant_row_bytes(type, n, &rb) != 0) { fail("quant: random rows", "row_bytes"); return; }
            /* 6 rows (a group of 4 and 2 more), starting at an odd address */
            enum { R = 6 };
            uint8_t *buf = malloc(R * rb + 1);
            float *w = malloc((size_t)n * sizeof *w), *x = malloc((size_t)n * sizeof *x);
            if (!buf || !w || !x) abort();
            uint8_t *rows = buf + 1;
            random_row(type, rows, R * rb, R * n);
            for (int64_t i = 0; i < n; i++) x[i] = (float)((int)(rnd() % 2001) - 1000) / 1000.0f;
            for (int lv = 0; lv <= g_max && !bad; lv++) {
                Quant_set_simd(lv);
                float y[R];
                Quant_dot_rows(type, rows, rb, R, x, n, y);
                for (int r = 0; r < R && !bad; r++) {
                    const uint8_t *row = rows + (size_t)r * rb;
                    Quant_dequant_row(type, row, w, n);
                    double mag, ex = exact_dot(w, x, n, &mag), tol = dot_tol(n, mag);
                    float one = Quant_dot_row(type, row, x, n);
                    if (fabs(one - ex) > tol || fabs(y[r] - ex) > tol) {
                        snprintf(label, sizeof label, "quant: %s random rows (%s)", Quant_name(type), k_level[lv]);
                        fail(label, "n=%lld row %d: dot_row %.9g dot_rows %.9g exact %.9g (tol %.3g)",
                             (long long)n, r, one, y[r], ex, tol);
                        bad = 1;
                    }
                }
            }
            Quant_set_simd(2);
            free(buf);
            free(w);
            free(x);
        }
        if (!bad) {
            snprintf(label, sizeof label, "quant: %s dot_row and dot_rows of random rows of every block multiple up to 3072 (%s)",
                     Quant_name(type), g_levels);
            pass(label);
        }
    }
    if (g_max < 2) skip("quant: AVX-512 path", "this CPU has no AVX-512 (F, BW, VL, DQ); not tested here");
    if (g_max < 1) skip("quant: AVX2 path", "this CPU has no AVX2+FMA+F16C; only the plain path was tested");
}

/* Quant_dot_rows_n (several x a pass over the rows: prompts generating together) gives each x
 * exactly what Quant_dot_rows gives it alone, bit for bit: every row's sum runs in the same
 * order however many x share the pass (the batch must not change a prompt's numbers). Row
 * counts around the 4-row groups and the chunks; lengths with and without the 32-float tail. */
static void test_rows_n(void) {
    static const int types[] = { QT_F32, QT_Q8_0, QT_Q4_0, QT_F16 };
    static const int64_t lens[] = { 32, 96, 768, 800, 999 };
    for (unsigned ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        const int type = types[ti];
        int bad = 0;
        char label[200];
        for (unsigned li = 0; li < sizeof lens / sizeof lens[0] && !bad; li++) {
            const int64_t n = lens[li];
            size_t rb;
            if (n % Quant_block_size(type) || Quant_row_bytes(type, n, &rb) != 0) continue;
            enum { R = 23, NX = 5 };
            uint8_t *rows = malloc(R * rb);
            float *x = malloc(sizeof(float) * (size_t)(n * NX)), one[R], all[NX * R];
            if (!rows || !x) abort();
            random_row(type, rows, R * rb, R * n);
            for (int64_t i = 0; i < n * NX; i++) x[i] = (float)((int)(rnd() % 2001) - 1000) / 1000.0f;
            for (int lv = 0; lv <= g_max && !bad; lv++) {
                Quant_set_simd(lv);
                for (int nx = 1; nx <= NX && !bad; nx++) {
                    Quant_dot_rows_n(type, rows, rb, R, x, (size_t)n, nx, n, all, R);
                    for (int k = 0; k < nx && !bad; k++) {
                        Quant_dot_rows(type, rows, rb, R, x + k * n, n, one);
                        for (int r = 0; r < R && !bad; r++)
                            if (memcmp(&one[r], &all[k * R + r], sizeof(float)) != 0) {
                                snprintf(label, sizeof label, "quant: %s dot_rows_n (%s)", Quant_name(type), k_level[lv]);
                                fail(label, "n=%lld, %d x: x %d row %d gives %.9g, alone %.9g", (long long)n, nx, k, r,
                                     all[k * R + r], one[r]);
                                bad = 1;
                            }
                    }
                }
            }
            Quant_set_simd(2);
            free(rows);
            free(x);
        }
        if (!bad) {
            snprintf(label, sizeof label, "quant: %s dot_rows_n with 1-5 x gives each x what dot_rows gives it alone, bit for bit (%s)",
                     Quant_name(type), g_levels);
            pass(label);
        }
    }
}

int main(void) {
    Quant_set_simd(2);
    g_max = Quant_simd_active();
    snprintf(g_levels, sizeof g_levels, "%s%s%s", k_level[0], g_max >= 1 ? ", AVX2" : "", g_max >= 2 ? ", AVX-512" : "");
    test_sizes();
    test_quant_types();
    test_model_checks("stories260K-gguf/stories260K-f32.gguf", "stories260K-gguf/stories260K-f32.reference.json");
    test_model_checks("stories260K-gguf/stories260K-f16.gguf", "stories260K-gguf/stories260K-f16.reference.json");
    test_model_checks("stories260K-gguf/stories260K-q8_0.gguf", "stories260K-gguf/stories260K-q8_0.reference.json");
    test_model_checks("stories260K-gguf/stories260K-q4_0.gguf", "stories260K-gguf/stories260K-q4_0.reference.json");
    test_model_checks("tiny-qwen2-gguf/tiny-qwen2.gguf", "tiny-qwen2-gguf/tiny-qwen2.reference.json");
    test_model_checks("tiny-smollm-gguf/tiny-smollm.gguf", "tiny-smollm-gguf/tiny-smollm.reference.json");
    test_random_rows();
    test_rows_n();
    return check_done();
}
