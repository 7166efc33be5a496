/* fuzz_llama_model.c - the llama2.c checkpoint loader.
 *
 * Input: one flags byte, then the bytes of model.bin. With flags & 1 the file is cut or
 * padded (with small floats) to the size its 28-byte header describes, when that is at most
 * 4 MB, so that header mutations reach the loader's later checks and the forward pass
 * instead of stopping at "truncated". flags & 2: a 1-byte trace budget. The folder holds
 * the tiny llama tokenizer as tok265.bin and, when $SHARED is there, a link tok512.bin to
 * stories260K's tokenizer, so vocab_size 265 and 512 find a tokenizer (the loader looks
 * for tokenizer.bin, then tok<V>.bin).
 * Success runs a forward pass; failure needs a one-line error naming the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"

static const char *g_bin;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    FzBuf b = {0};
    TinyLlama_tokenizer(&b);
    if (fz_write(fz_path(0, fz_dir(), "tok265.bin"), b.p, b.n) != 0) abort();
    fz_free(&b);
    const char *shared = getenv("SHARED");
    char real[4096];
    snprintf(real, sizeof real, "%s/models/stories260K/tok512.bin", shared && *shared ? shared : "../../shared");
    if (access(real, R_OK) == 0 && symlink(real, fz_path(0, fz_dir(), "tok512.bin")) != 0) abort();
    g_bin = strdup(fz_path(0, fz_dir(), "model.bin"));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned flags = data[0];
    data++;
    size--;
    uint8_t *padded = NULL;
    if ((flags & 1) && size >= 28) {
        size_t want = TinyLlama_expected_size(data);
        if (want && want <= (4u << 20)) {
            padded = malloc(want);
            if (!padded) abort();
            size_t keep = size < want ? size : want;
            memcpy(padded, data, keep);
            uint32_t s = 99;
            for (size_t i = keep; i < want; i += 4) {
                s = s * 1664525u + 1013904223u;
                float f = ((float)(s >> 8) / 16777216.0f - 0.5f) * 0.2f;
                memcpy(padded + i, &f, want - i < 4 ? want - i : 4);
            }
            data = padded;
            size = want;
        }
    }
    int rc = fz_write(g_bin, data, size);
    free(padded);
    if (rc != 0) abort();
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(g_bin, NULL, err);
    if (!m) {
        fz_check_err(err, fz_dir());
        return 0;
    }
    fz_exercise_model(m, !!(flags & 2));
    Model_free(m);
    return 0;
}
