/* fuzz_gpt2_tokfiles.c - the GPT-2 tokenizer loader (vocab.json + merges.txt).
 *
 * Input: two bytes n (little-endian), then n bytes of vocab.json, then merges.txt (the
 * rest). On success: every id's symbol and label must be printable UTF-8 and a few texts
 * must encode to in-range ids and decode back exactly (any loaded GPT-2 tokenizer has the
 * 256 byte symbols, so every valid text is encodable). On failure: a one-line error naming
 * one of the two files.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

static const char *g_enc, *g_mer;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    g_enc = strdup(fz_path(0, fz_dir(), "vocab.json"));
    g_mer = strdup(fz_path(1, fz_dir(), "merges.txt"));
    return 0;
}

static const char *const probes[] = {
    "", "a", "Hello world! This is fun", " the  the\n\n", "h\xC3\xA9llo \xF0\x9F\x98\x80\t", "\x01\x7f",
    "<|endoftext|>", "it's 1234 ll",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t n = (size_t)(data[0] | data[1] << 8);
    if (n > size - 2) n = size - 2;
    if (fz_write(g_enc, data + 2, n) != 0 || fz_write(g_mer, data + 2 + n, size - 2 - n) != 0) abort();
    char err[SW_ERR_LEN] = "";
    Tokenizer *t = Tokenizer_open_gpt2(g_enc, g_mer, err);
    if (!t) {
        fz_check_err(err, fz_dir());
        return 0;
    }
    FZ_ASSERT(Tokenizer_kind(t) == TOK_GPT2, "kind");
    int V = Tokenizer_vocab_size(t);
    fz_check_tokenizer(t);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int *ids = NULL, k = 0;
        size_t len = strlen(probes[i]);
        if (Tokenizer_encode(t, probes[i], len, &ids, &k, err) != 0) {
            fz_check_err(err, NULL);
            continue;
        }
        for (int j = 0; j < k; j++) FZ_ASSERT(ids[j] >= 0 && ids[j] < V, "encode gave id %d (V=%d)", ids[j], V);
        char *back = Tokenizer_decode(t, ids, k);
        FZ_ASSERT(back != NULL, "decode returned NULL");
        FZ_ASSERT(strlen(back) == len && memcmp(back, probes[i], len) == 0,
                  "round trip of probe %zu gave \"%s\"", i, back);
        free(back);
        free(ids);
    }
    Tokenizer_free(t);
    return 0;
}
