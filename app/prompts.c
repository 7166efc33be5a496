/* prompts.c - the ready-made prompts, in one place. */
#include "app/options.h"

int Prompts_default(Arch arch, const char **out, int cap) {
    /* GPT-2: the lesson's batch of B=2 (tokens 15496 995 0 770 318 1257 and a shorter row,
     * so the padding shows). Llama (TinyStories): story openings it was trained on. */
    static const char *gpt2[] = {"Hello world! This is fun", "The cat sat on mat"};
    static const char *llama[] = {"Once upon a time", "Lily and Tom"};
    const char **src = arch == ARCH_GPT2 ? gpt2 : llama;
    int n = 2;
    for (int i = 0; i < n && i < cap; i++) out[i] = src[i];
    return n < cap ? n : cap;
}
