/* fuzz_llama_tok.c - the llama2.c tokenizer .bin loader.
 *
 * Input: two bytes giving the vocab_size the model header would pass (1 + u16 % 1024), then
 * the tokenizer file's bytes. On success: every id's symbol and label must be printable
 * UTF-8, lookups must find the symbols, and a few texts must encode to in-range ids and
 * decode without a bad read. On failure: a one-line error naming the file.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

static const char *g_file;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    g_file = strdup(fz_path(0, fz_dir(), "tok.bin"));
    return 0;
}

static const char *const probes[] = {
    "", "a", "the hello", " the  the\n", "h\xC3\xA9llo \xF0\x9F\x98\x80\t", "\x01\x7f", "<s>", "<0x41>",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    int vocab = 1 + (int)((data[0] | data[1] << 8) % 1024);
    if (fz_write(g_file, data + 2, size - 2) != 0) abort();
    char err[SW_ERR_LEN] = "";
    Tokenizer *t = Tokenizer_open_llama(g_file, vocab, err);
    if (!t) {
        fz_check_err(err, g_file);
        return 0;
    }
    FZ_ASSERT(Tokenizer_kind(t) == TOK_LLAMA, "kind");
    FZ_ASSERT(Tokenizer_vocab_size(t) == vocab, "opened with vocab_size %d but has %d", vocab, Tokenizer_vocab_size(t));
    fz_check_tokenizer(t);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int *ids = NULL, n = 0;
        if (Tokenizer_encode(t, probes[i], strlen(probes[i]), &ids, &n, err) != 0) {
            fz_check_err(err, NULL);
            continue;
        }
        for (int k = 0; k < n; k++) FZ_ASSERT(ids[k] >= 0 && ids[k] < vocab, "encode gave id %d (V=%d)", ids[k], vocab);
        char *back = Tokenizer_decode(t, ids, n);
        FZ_ASSERT(back != NULL, "decode returned NULL");
        free(back);
        free(ids);
    }
    Tokenizer_free(t);
    return 0;
}
