/* fuzz_safetensors.c - the safetensors parser and the GPT-2 folder loader.
 *
 * Input: the bytes of model.safetensors. They are written into a scratch folder that also
 * holds the tiny GPT-2's config.json and tokenizer (fuzz_common.c), then
 *   1. SafeTensors_open: on success every tensor must lie inside the file, match its shape,
 *      be found by name, not overlap another, and convert to F32 without a bad read;
 *   2. Model_open on the folder: on success the tiny model runs a forward pass.
 * A failure must come with a one-line error naming the file.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/safetensors.h"
#include "fuzz/fuzz_common.h"

static const char *g_file;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    TinyGpt2 g;
    TinyGpt2_default(&g);
    if (TinyGpt2_write(&g, fz_dir(), 0, 1) != 0) abort();
    g_file = strdup(fz_path(0, fz_dir(), "model.safetensors"));
    return 0;
}

static size_t dtype_bytes(StDtype d) { return d == ST_F32 ? 4 : 2; }

static void check_tensors(const SafeTensors *st) {
    for (int i = 0; i < st->n; i++) {
        const StTensor *t = &st->t[i];
        FZ_ASSERT(t->name, "tensor %d has no name", i);
        FZ_ASSERT(t->ndim >= 0 && t->ndim <= ST_MAX_DIMS, "%s: ndim %d", t->name, t->ndim);
        size_t n = 1;
        for (int k = 0; k < t->ndim; k++) n *= t->shape[k];
        FZ_ASSERT(n == t->nelem, "%s: nelem %zu, shape gives %zu", t->name, t->nelem, n);
        FZ_ASSERT(t->nbytes == t->nelem * dtype_bytes(t->dtype), "%s: nbytes %zu", t->name, t->nbytes);
        FZ_ASSERT(t->offset <= st->map.len && t->nbytes <= st->map.len - t->offset,
                  "%s: bytes %zu+%zu outside the %zu-byte file", t->name, t->offset, t->nbytes, st->map.len);
        FZ_ASSERT(t->nbytes == 0 || t->data == st->map.data + t->offset, "%s: data pointer", t->name);
        FZ_ASSERT(t->offset >= 8, "%s: data inside the length prefix", t->name);
        FZ_ASSERT(SafeTensors_find(st, t->name) == t, "%s: SafeTensors_find does not return it", t->name);
        if (i > 0) FZ_ASSERT(strcmp(st->t[i - 1].name, t->name) < 0, "names not sorted/unique at %s", t->name);
        if (st->n <= 256)
            for (int j = 0; j < i; j++) {
                const StTensor *u = &st->t[j];
                if (!t->nbytes || !u->nbytes) continue;
                FZ_ASSERT(t->offset + t->nbytes <= u->offset || u->offset + u->nbytes <= t->offset,
                          "%s and %s overlap", t->name, u->name);
            }
        if (t->nelem && t->nelem <= (1u << 20)) {
            float *out = malloc(t->nelem * sizeof(float));
            if (!out) abort();
            SafeTensors_to_f32(t, out);
            free(out);
        }
    }
    FZ_ASSERT(SafeTensors_find(st, "\x01no such tensor") == NULL, "found a tensor that is not there");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (fz_write(g_file, data, size) != 0) abort();
    SafeTensors st;
    char err[SW_ERR_LEN] = "";
    if (SafeTensors_open(&st, g_file, err) != 0) {
        fz_check_err(err, g_file);
        return 0;
    }
    check_tensors(&st);
    SafeTensors_close(&st);
    Model *m = Model_open(fz_dir(), NULL, err);
    if (!m) {
        fz_check_err(err, fz_dir());
        return 0;
    }
    fz_exercise_model(m, size & 1);
    Model_free(m);
    return 0;
}
