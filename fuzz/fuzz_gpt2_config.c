/* fuzz_gpt2_config.c - the config.json reader (through Model_open on a GPT-2 folder).
 *
 * Input: one flags byte, then the bytes of config.json. The folder also holds the tiny
 * GPT-2 tokenizer and a model.safetensors chosen by the flags:
 *   0x01  weights matching the config's own sizes when this harness can read them (small
 *         sizes only; its reading is independent of the engine's and may disagree, which
 *         just gives a shape error); else the tiny GPT-2's weights (D=8 h=2 L=1 ctx=16)
 *   0x06  dtype: F32, F16, BF16, mixed      0x08  names under "transformer."
 *   0x10  untied lm_head.weight             0x20  h.N.attn.bias buffers present
 *   0x40  F32 data misaligned               0x80  a 1-byte trace budget
 * Success runs a forward pass; failure needs a one-line error naming the folder.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

static const char *g_dir, *g_cfg, *g_st;
static TinyGpt2 g_last;
static int g_have_last;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    TinyGpt2 g;
    TinyGpt2_default(&g);
    g_dir = fz_dir();
    if (TinyGpt2_write(&g, g_dir, 1, 1) != 0) abort();
    g_cfg = strdup(fz_path(0, g_dir, "config.json"));
    g_st = strdup(fz_path(0, g_dir, "model.safetensors"));
    return 0;
}

static int get_int(const cJSON *root, const char *key, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 1 || v->valuedouble > 4096)
        return -1;
    *out = (int)v->valuedouble;
    return 0;
}

/* The config's sizes as this harness reads them, if small enough to build weights for. */
static int sizes_from_config(const char *text, size_t len, TinyGpt2 *g) {
    cJSON *root = cJSON_ParseWithLength(text, len);
    int ok = root && cJSON_IsObject(root) &&
             get_int(root, "n_embd", &g->D) == 0 && get_int(root, "n_head", &g->H) == 0 &&
             get_int(root, "n_layer", &g->L) == 0 && get_int(root, "vocab_size", &g->V) == 0 &&
             (get_int(root, "n_positions", &g->ctx) == 0 || get_int(root, "n_ctx", &g->ctx) == 0);
    if (ok && get_int(root, "n_inner", &g->F) != 0) g->F = 4 * g->D;
    cJSON_Delete(root);
    if (!ok) return -1;
    if (g->D > 64 || g->L > 4 || g->V < TINY_GPT2_TOK_V || g->V > 1024 || g->ctx > 64 || g->F > 256) return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    TinyGpt2 g;
    TinyGpt2_default(&g);
    if (flags & 0x01) {
        TinyGpt2 want = g;
        if (sizes_from_config(text, len, &want) == 0) g = want;
    }
    g.dtype = (int)(flags >> 1) & 3;
    g.prefix = !!(flags & 0x08);
    g.untied = !!(flags & 0x10);
    g.attn_bias = !!(flags & 0x20);
    g.misalign = !!(flags & 0x40);
    if (!g_have_last || memcmp(&g, &g_last, sizeof g) != 0) {
        FzBuf b = {0};
        TinyGpt2_safetensors(&g, &b);
        if (fz_write(g_st, b.p, b.n) != 0) abort();
        fz_free(&b);
        g_last = g;
        g_have_last = 1;
    }
    if (fz_write(g_cfg, text, len) != 0) abort();
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(g_dir, NULL, err);
    if (!m) {
        fz_check_err(err, g_dir);
        return 0;
    }
    fz_exercise_model(m, !!(flags & 0x80));
    Model_free(m);
    return 0;
}
