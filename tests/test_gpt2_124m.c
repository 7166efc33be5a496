/* test_gpt2_124m.c - the real GPT-2 124M, when it has been fetched (`make model NAME=gpt2`).
 *
 * Expected answers are published ones, not this code's:
 *   - "The dog" -> next token 373 " was" (greedy), as Hugging Face's gpt2 gives;
 *   - Hugging Face's greedy continuation of "Alan Turing theorized that computers would one
 *     day become" is " the most powerful machines on the planet." (the transformers docs'
 *     generation example);
 *   - the GPT-2 tokenizer's known ids for "Hello world! This is fun" (../shared/README.md).
 * Without the model (no internet on the development machines) every check is a SKIP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/pool.h"
#include "engine/trace.h"

int main(void) {
    char path[4096], err[SW_ERR_LEN];
    if (Model_resolve("gpt2", path, sizeof path, err) != 0) {
        skip("gpt2 124M: \"The dog\" -> \" was\"", "gpt2 not fetched (make model NAME=gpt2)");
        skip("gpt2 124M: Alan Turing greedy continuation", "gpt2 not fetched (make model NAME=gpt2)");
        return 0;
    }
    Model *m = Model_open(path, NULL, err);
    if (!m) { fail("gpt2 124M: open", "%s", err); return check_done(); }
    expect(m->c.n_layers == 12 && m->c.dim == 768 && m->c.vocab_size == 50257,
           "gpt2 124M: config L=12 D=768 V=50257", "L=%d D=%d V=%d", m->c.n_layers, m->c.dim, m->c.vocab_size);

    const char *dog[1] = {"The dog"};
    Trace *t = Trace_run(m, dog, 1, NULL, err);
    TopK top;
    int ok = t && Trace_topk(t, 0, t->len[0] - 1, 1, 1, &top) == 1 && top.id == 373;
    expect(ok, "gpt2 124M: \"The dog\" -> \" was\" (373)", "%s", t ? "top-1 differs" : err);
    Trace_free(t);

    const char *turing[1] = {"Alan Turing theorized that computers would one day become"};
    t = Trace_run(m, turing, 1, NULL, err);
    Sampler greedy = {0};
    const char *want = " the most powerful machines on the planet.";
    char *text = NULL;
    if (t) {
        int start = t->len[0];
        for (int i = 0; i < 9 && Trace_generate(t, &greedy, err) == 0; i++) {}
        text = Tokenizer_decode(m->tok, t->ids + start, t->len[0] - start);
    }
    expect(text && strncmp(text, want, strlen(want)) == 0, "gpt2 124M: Alan Turing greedy continuation",
           "got \"%s\"", text ? text : err);
    free(text);
    Trace_free(t);
    Model_free(m);
    return check_done();
}
