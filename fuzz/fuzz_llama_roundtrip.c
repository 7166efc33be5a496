/* fuzz_llama_roundtrip.c - llama2.c SentencePiece-style BPE: decode(encode(x)) == x.
 *
 * The real tokenizer is loaded once from $SHARED/models/stories260K/tok512.bin (512
 * tokens, byte fallback). Input: text bytes. Valid UTF-8 without NUL must encode to
 * BOS (1) and then ids in [0, 512) other than BOS, and decode (which drops BOS and the
 * dummy-prefix space) must give exactly the input; anything else must be refused with a
 * one-line error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"

static Tokenizer *g_tok;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    const char *shared = getenv("SHARED");
    char path[4096], err[SW_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/models/stories260K/tok512.bin", shared && *shared ? shared : "../../shared");
    g_tok = Tokenizer_open_llama(path, 512, err);
    if (!g_tok) {
        fprintf(stderr, "fuzz_llama_roundtrip: %s (set SHARED to the shared folder)\n", err);
        exit(2);
    }
    fz_check_tokenizer(g_tok);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    int *ids = NULL, n = -1;
    if (!fz_encode(g_tok, text, size, &ids, &n)) return 0;
    int bos = Tokenizer_bos(g_tok);
    FZ_ASSERT(bos == 1, "BOS is %d", bos);
    FZ_ASSERT(n >= 1 && ids[0] == bos, "encoding does not start with BOS");
    /* at most: BOS, the dummy prefix, one token per byte */
    FZ_ASSERT((size_t)n <= size + 2, "%zu bytes gave %d tokens", size, n);
    for (int i = 1; i < n; i++)
        FZ_ASSERT(ids[i] >= 3 && ids[i] < 512, "id %d at %d (unk/bos/eos or out of range)", ids[i], i);
    char *back = Tokenizer_decode(g_tok, ids, n);
    FZ_ASSERT(back != NULL, "decode returned NULL");
    FZ_ASSERT(strlen(back) == size && memcmp(back, text, size) == 0,
              "decode(encode(x)) != x: %zu bytes in, %zu out", size, strlen(back));
    free(back);
    free(ids);
    return 0;
}
