/* fuzz_gpt2_roundtrip.c - GPT-2 byte-level BPE: decode(encode(x)) == x.
 *
 * The real tokenizer is loaded once from $SHARED/models/gpt2-tokenizer (encoder.json +
 * vocab.bpe; SHARED defaults to ../shared beside the checkout). Input: text bytes.
 * Valid UTF-8 without NUL must encode to ids in [0, 50257) that decode to exactly the
 * input, and the ids' bytes must concatenate to the input; anything else must be refused
 * with a one-line error (not crash, not half-encode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

static Tokenizer *g_tok;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *shared = getenv("SHARED");
    char enc[4096], mer[4096], err[SW_ERR_LEN] = "";
    snprintf(enc, sizeof enc, "%s/models/gpt2-tokenizer/encoder.json", shared && *shared ? shared : "../../shared");
    snprintf(mer, sizeof mer, "%s/models/gpt2-tokenizer/vocab.bpe", shared && *shared ? shared : "../../shared");
    g_tok = Tokenizer_open_gpt2(enc, mer, err);
    if (!g_tok) {
        fprintf(stderr, "fuzz_gpt2_roundtrip: %s (set SHARED to the shared folder)\n", err);
        exit(2);
    }
    FZ_ASSERT(Tokenizer_vocab_size(g_tok) == 50257, "vocab %d", Tokenizer_vocab_size(g_tok));
    fz_check_tokenizer(g_tok);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    int *ids = NULL, n = -1;
    if (!fz_encode(g_tok, text, size, &ids, &n)) return 0;
    FZ_ASSERT(n >= 0 && (size_t)n <= size, "%zu bytes gave %d tokens", size, n);
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        FZ_ASSERT(ids[i] >= 0 && ids[i] < 50257, "id %d out of range", ids[i]);
        size_t len;
        const char *b = Tokenizer_bytes(g_tok, ids[i], &len);
        FZ_ASSERT(b && len > 0 && at + len <= size && memcmp(b, text + at, len) == 0,
                  "token %d (id %d) bytes do not match the input at byte %zu", i, ids[i], at);
        at += len;
    }
    FZ_ASSERT(at == size, "tokens cover %zu of %zu bytes", at, size);
    char *back = Tokenizer_decode(g_tok, ids, n);
    FZ_ASSERT(back && strlen(back) == size && memcmp(back, text, size) == 0, "decode(encode(x)) != x");
    free(back);
    free(ids);
    return 0;
}
