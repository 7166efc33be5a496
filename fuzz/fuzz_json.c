/* fuzz_json.c - the strict JSON reader (sw_json_parse) and the two files read through it,
 * config.json and vocab.json.
 *
 * Input: one flags byte, then the file's bytes.
 *   flags & 1: the bytes are config.json of a tiny GPT-2 folder (Model_open)
 *   flags & 2: the bytes are vocab.json beside the tiny merges.txt (Tokenizer_open_gpt2)
 *   (neither: sw_json_parse alone)
 * The oracle, independent of sw_json_parse's own code: the text is accepted exactly when it
 * has no NUL byte, cJSON reads one value from it with nothing but JSON whitespace (space, tab,
 * CR, LF) after it, no object in it has a key twice (a plain pairwise comparison here) and no
 * number in it is beyond a double's range (strtod says ERANGE on its text, found by a scan of
 * the text here, not of the tree: a value like 1e999 that cJSON reads as infinity).
 * An accepted value prints and reads back equal. A refused config.json or vocab.json must make
 * the open fail with a one-line error naming the file.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tokenizer.h"
#include "fuzz/fuzz_common.h"

static const char *g_dir, *g_cfg, *g_voc, *g_mer;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    TinyGpt2 g;
    TinyGpt2_default(&g);
    g_dir = fz_dir();
    if (TinyGpt2_write(&g, g_dir, 0, 0) != 0) abort();
    g_cfg = strdup(fz_path(0, g_dir, "config.json"));
    g_voc = strdup(fz_path(0, g_dir, "vocab.json"));
    g_mer = strdup(fz_path(0, g_dir, "merges.txt"));
    return 0;
}

/* 1 when some object in v has a key twice (pairwise; inputs are small) */
static int naive_dup(const cJSON *v) {
    if (!v) return 0;
    if (cJSON_IsObject(v))
        for (const cJSON *a = v->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (strcmp(a->string ? a->string : "", b->string ? b->string : "") == 0) return 1;
    for (const cJSON *c = v->child; c; c = c->next)
        if (naive_dup(c)) return 1;
    return 0;
}

/* 1 when a number token of the (valid JSON) text z is beyond a double's range: a scan of
 * the text that skips string literals and reads each number with strtod */
static int huge_number_in_text(const char *z) {
    int in_str = 0;
    for (const char *p = z; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
        } else if (*p == '"') {
            in_str = 1;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            char *e = NULL;
            double d = strtod(p, &e);
            if (isinf(d)) return 1;
            p = e > p ? e - 1 : p;
        }
    }
    return 0;
}

static int oracle_accepts(const char *text, size_t len) {
    if (memchr(text, 0, len)) return 0;
    char *z = malloc(len + 1);
    if (!z) abort();
    memcpy(z, text, len);
    z[len] = 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(z, &end, 0);
    int ok = root != NULL;
    for (const char *q = end; ok && q && *q; q++) ok = *q == ' ' || *q == '\t' || *q == '\r' || *q == '\n';
    ok = ok && !naive_dup(root) && !huge_number_in_text(z);
    cJSON_Delete(root);
    free(z);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096) return 0;   /* the pairwise oracle stays cheap */
    unsigned flags = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[SW_ERR_LEN] = "";
    cJSON *root = sw_json_parse(text, len, "x.json", err);
    int want = oracle_accepts(text, len);
    FZ_ASSERT(!!root == want, "sw_json_parse %s, the oracle %s (%s)", root ? "accepted" : "refused",
              want ? "accepts" : "refuses", err);
    if (root) {
        char *s = cJSON_PrintUnformatted(root);
        cJSON *again = s ? cJSON_Parse(s) : NULL;
        FZ_ASSERT(!s || (again && cJSON_Compare(root, again, 1)), "printed value does not read back equal");
        cJSON_Delete(again);
        free(s);
        cJSON_Delete(root);
    } else {
        fz_check_err(err, "x.json");
    }
    if (flags & 1) {
        if (fz_write(g_cfg, text, len) != 0) abort();
        Model *m = Model_open(g_dir, NULL, err);
        FZ_ASSERT(want || !m, "config.json opened though it is not one clean JSON value");
        if (m) Model_free(m);
        else fz_check_err(err, g_dir);
        FzBuf b = {0};
        TinyGpt2 g;
        TinyGpt2_default(&g);
        TinyGpt2_config(&g, &b);
        if (fz_write(g_cfg, b.p, b.n) != 0) abort();
        fz_free(&b);
    }
    if (flags & 2) {
        if (fz_write(g_voc, text, len) != 0) abort();
        Tokenizer *t = Tokenizer_open_gpt2(g_voc, g_mer, err);
        FZ_ASSERT(want || !t, "vocab.json opened though it is not one clean JSON value");
        if (t) { fz_check_tokenizer(t); Tokenizer_free(t); }
        else fz_check_err(err, "vocab.json");
    }
    return 0;
}
