/* fuzz_demo.c - the demo file reader (app/record.c: Demo_parse), which --replay runs on a
 * file someone else may have written.
 *
 * Input: the file's bytes. The oracle: a refusal is one line naming the file ("demo.txt")
 * and its line, with no control byte (fz_check_err); an accepted demo has no control
 * character in any prompt (it will be drawn on the terminal), every key is a character
 * (0 < code < 0x110000, no surrogate) or a DK_* key, and it formats (Demo_format) to a text
 * that parses again to the same prompts, options and keys; its prompts and model pass the
 * writer's checks (Demo_check_prompt, Demo_check_model).
 */
#include <stdlib.h>
#include <string.h>

#include "app/record.h"
#include "fuzz/fuzz_common.h"

static void same(const Demo *a, const Demo *b) {
    FZ_ASSERT(a->n_prompts == b->n_prompts, "prompts %d then %d", a->n_prompts, b->n_prompts);
    for (int i = 0; i < a->n_prompts; i++) FZ_ASSERT(strcmp(a->prompts[i], b->prompts[i]) == 0, "prompt %d changed: '%s' / '%s'", i, a->prompts[i], b->prompts[i]);
    FZ_ASSERT((!a->model && !b->model) || (a->model && b->model && strcmp(a->model, b->model) == 0), "the model changed");
    FZ_ASSERT(strcmp(a->station, b->station) == 0, "station '%s' then '%s'", a->station, b->station);
    FZ_ASSERT(a->top_k == b->top_k && a->large == b->large && a->tour == b->tour && a->contrast == b->contrast && a->sample_top_k == b->sample_top_k && a->seed == b->seed,
              "an option changed");
    FZ_ASSERT(a->temperature == b->temperature && a->top_p == b->top_p, "temperature %g/%g top-p %g/%g", a->temperature, b->temperature, a->top_p, b->top_p);
    FZ_ASSERT(a->n_keys == b->n_keys, "keys %d then %d", a->n_keys, b->n_keys);
    for (int i = 0; i < a->n_keys; i++) FZ_ASSERT(a->keys[i].code == b->keys[i].code, "key %d: %#x then %#x", i, a->keys[i].code, b->keys[i].code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Demo d;
    char err[SW_ERR_LEN];
    Demo_init(&d);
    if (Demo_parse(&d, (const char *)data, size, "demo.txt", err, sizeof err) != 0) {
        fz_check_err(err, "demo.txt");
        FZ_ASSERT(d.n_prompts == 0 && d.n_keys == 0 && !d.keys, "a refused demo was not freed");
        return 0;
    }
    /* a prompt may hold control characters (written \t, \xHH in the file); the file holds none but tabs */
    for (int i = 0; i < d.n_keys; i++) {
        int c = d.keys[i].code;
        FZ_ASSERT((c > 0 && c < 0x110000 && !(c >= 0xD800 && c <= 0xDFFF)) || (c >= DK_BASE && c < DK__END), "key %d is %#x", i, c);
        FZ_ASSERT(d.keys[i].line > 0, "key %d has no line", i);
    }
    /* what was read can be written again: --replay A --record B never refuses A's prompts or model */
    char why[SW_ERR_LEN];
    for (int i = 0; i < d.n_prompts; i++) FZ_ASSERT(Demo_check_prompt(d.prompts[i], why, sizeof why) == 0, "prompt %d read but not writable: %s", i, why);
    FZ_ASSERT(!d.model || Demo_check_model(d.model, why, sizeof why) == 0, "the model read but not writable: %s", why);
    size_t n;
    char *text = Demo_format(&d, &n);
    FZ_ASSERT(text != NULL, "Demo_format failed");
    for (size_t i = 0; i < n; i++)   /* (a tab may stand in a line, as the reader allows) */
        FZ_ASSERT((unsigned char)text[i] >= 0x20 ? text[i] != 0x7f : text[i] == '\n' || text[i] == '\t', "the formatted demo has control byte 0x%02X at %zu",
                  (unsigned char)text[i], i);
    Demo e;
    Demo_init(&e);
    int rc = Demo_parse(&e, text, n, "demo.txt", err, sizeof err);
    FZ_ASSERT(rc == 0, "the formatted demo does not parse: %s", err);
    same(&d, &e);
    free(text);
    Demo_free(&e);
    Demo_free(&d);
    return 0;
}
