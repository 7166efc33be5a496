/* fuzz_common.c - scratch folder, error-message checks, the mapped-file wrap and the model exercise
 * shared by the fuzz targets (see fuzz_common.h). */
#include "fuzz/fuzz_common.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/trace.h"

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...) {
    fprintf(stderr, "\nFUZZ FINDING at %s:%d: (%s) ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- scratch folder ---- */

static char g_dir[1024];

/* the folder holds plain files only */
static void rm_dir(void) {
    DIR *d = g_dir[0] ? opendir(g_dir) : NULL;
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlink(fz_path(3, g_dir, e->d_name));
    closedir(d);
    rmdir(g_dir);
}

const char *fz_dir(void) {
    if (g_dir[0]) return g_dir;
    const char *base = getenv("FUZZ_TMP");
    if (!base || !*base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(g_dir, sizeof g_dir, "%s/swfuzz.XXXXXX", base);
    if (!mkdtemp(g_dir)) {
        perror(g_dir);
        exit(2);
    }
    atexit(rm_dir);
    return g_dir;
}

static int verbose(void) {
    static int v = -1;
    if (v < 0) v = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE");
    return v;
}

void fz_check_err(const char *err, const char *names) {
    size_t n = strnlen(err, SW_ERR_LEN);
    if (verbose()) fprintf(stderr, "refused: %.*s\n", (int)n, err);
    FZ_ASSERT(n > 0, "a failure without an error message");
    FZ_ASSERT(n < SW_ERR_LEN, "error message not NUL-terminated within SW_ERR_LEN");
    FZ_ASSERT(!names || strstr(err, names), "error message does not name %s: %s", names, err);
    /* control bytes, newlines included (file content quoted raw). FUZZ_ERR_BYTES=0 turns
     * this check off, to look for other findings while it is open. */
    static int bytes_check = -1;
    if (bytes_check < 0) bytes_check = !(getenv("FUZZ_ERR_BYTES") && strcmp(getenv("FUZZ_ERR_BYTES"), "0") == 0);
    if (!bytes_check) return;
    FZ_ASSERT(!strchr(err, '\n'), "error message has a newline: %s", err);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)err[i];
        FZ_ASSERT(c >= 0x20 && c != 0x7f, "error message has control byte 0x%02X at %zu: %s", c, i, err);
    }
}

/* ---- the mapped-file wrap (ld --wrap=sw_map_file --wrap=sw_unmap) ---- */

int __real_sw_map_file(SwMap *m, const char *path, char *err);
void __real_sw_unmap(SwMap *m);

int __wrap_sw_map_file(SwMap *m, const char *path, char *err) {
    if (__real_sw_map_file(m, path, err) != 0) return -1;
    if (m->len == 0) return 0;
    size_t len = m->len;
    uint8_t *copy = malloc(len);
    if (!copy) abort();
    memcpy(copy, m->data, len);
    __real_sw_unmap(m);
    m->data = copy;
    m->len = len;
    return 0;
}

void __wrap_sw_unmap(SwMap *m) {
    free((void *)m->data);
    m->data = NULL;
    m->len = 0;
}

/* ---- checks after a successful open ---- */

static int printable_utf8(const char *s) {
    size_t n = strlen(s);
    if (!sw_utf8_valid(s, n, NULL)) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return 0;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0) return 0;   /* C1 */
    }
    return 1;
}

void fz_check_tokenizer(const Tokenizer *t) {
    int V = Tokenizer_vocab_size(t);
    FZ_ASSERT(V > 0, "vocab size %d", V);
    char lab[64], small[8];
    for (int id = 0; id < V; id++) {
        size_t n = 0;
        const char *b = Tokenizer_bytes(t, id, &n);
        FZ_ASSERT(b != NULL, "Tokenizer_bytes(%d) is NULL with V=%d", id, V);
        const char *sym = Tokenizer_symbol(t, id);
        FZ_ASSERT(sym != NULL, "Tokenizer_symbol(%d) is NULL", id);
        FZ_ASSERT(printable_utf8(sym), "Tokenizer_symbol(%d) is not printable UTF-8", id);
        int back = Tokenizer_lookup(t, sym);
        FZ_ASSERT(back >= 0 && back <= id, "Tokenizer_lookup(symbol of %d) = %d", id, back);
        Tokenizer_label(t, id, id & 1, lab, sizeof lab);
        FZ_ASSERT(strlen(lab) < sizeof lab && printable_utf8(lab), "label of %d not printable UTF-8", id);
        Tokenizer_label(t, id, 1, small, sizeof small);
        FZ_ASSERT(strlen(small) < sizeof small && printable_utf8(small), "8-byte label of %d not printable UTF-8", id);
    }
    size_t n = 1;
    FZ_ASSERT(Tokenizer_bytes(t, V, &n) == NULL && Tokenizer_bytes(t, -1, &n) == NULL, "bytes of an out-of-range id");
    FZ_ASSERT(Tokenizer_symbol(t, V) == NULL, "symbol of an out-of-range id");
    Tokenizer_label(t, V, 0, lab, sizeof lab);
    FZ_ASSERT(printable_utf8(lab), "label of an out-of-range id");
}

static volatile float g_sink;

static void read_view(const Trace *t, const TensorView *v) {
    FZ_ASSERT(v->ndim >= 1 && v->ndim <= 4 && v->data, "view ndim %d", v->ndim);
    int d[4] = {1, 1, 1, 1};
    long st[4] = {0, 0, 0, 0};
    for (int i = 0; i < v->ndim; i++) { d[i] = v->dims[i]; st[i] = v->stride[i]; FZ_ASSERT(d[i] >= 0, "dim %d", d[i]); }
    float s = 0;
    for (int a = 0; a < d[0]; a++)
        for (int b = 0; b < d[1]; b++)
            for (int c = 0; c < d[2]; c++)
                for (int e = 0; e < d[3]; e++)
                    s += v->data[a * st[0] + b * st[1] + c * st[2] + e * st[3]];
    g_sink = s;
    (void)t;
}

void fz_exercise_model(Model *m, int small_budget) {
    const Config *c = &m->c;
    FZ_ASSERT(c->dim > 0 && c->n_layers > 0 && c->n_heads > 0 && c->n_kv_heads > 0 && c->vocab_size > 0 &&
              c->seq_len > 0 && c->hidden_dim > 0, "config has a non-positive size");
    FZ_ASSERT(c->head_dim * c->n_heads == c->dim, "head_dim %d * h %d != D %d", c->head_dim, c->n_heads, c->dim);
    FZ_ASSERT(c->n_heads % c->n_kv_heads == 0, "h %% KV");
    FZ_ASSERT(m->tok && m->layers && m->tok_emb.w && m->lnf_w && m->lm_head.w, "model with a NULL part");
    FZ_ASSERT(Tokenizer_vocab_size(m->tok) <= c->vocab_size, "tokenizer larger than the model's vocab");
    FZ_ASSERT(m->lm_head.in == c->dim && m->lm_head.out == c->vocab_size, "lm_head (%d,%d)", m->lm_head.in, m->lm_head.out);
    char desc[256];
    Model_describe(m, desc, sizeof desc);
    FZ_ASSERT(strlen(desc) < sizeof desc, "describe");
    if (verbose()) fprintf(stderr, "opened: %s\n", desc);
    if (Model_n_params(m) > 4u * 1000 * 1000) return;   /* keep each run quick */

    TraceOpts o;
    TraceOpts_default(&o);
    o.max_new = 2;
    if (small_budget) o.budget_bytes = 1;   /* nothing kept: every inner step recomputed */
    const char *prompts[2] = {"the hello", "a"};
    char err[SW_ERR_LEN] = "";
    Trace *t = Trace_run(m, prompts, 2, &o, err);
    if (!t && strstr(err, "--truncate")) {   /* a tiny context: keep the last tokens */
        fz_check_err(err, NULL);
        o.truncate = 1;
        t = Trace_run(m, prompts, 2, &o, err);
    }
    if (!t) {
        FZ_ASSERT(err[0] && !strchr(err, '\n'), "Trace_run failed without a one-line error");
        if (verbose()) fprintf(stderr, "trace refused: %s\n", err);
        return;
    }
    if (verbose()) fprintf(stderr, "traced: B=%d T=%d\n", t->B, t->T);
    StationRef walk[64], inner[16];
    int n = Stations_outer(c, walk, 64);
    for (int i = 0; i < n; i++) {
        TensorView v;
        for (int which = 0; which < 3; which++)
            if (Trace_tensor(t, walk[i], which, &v, err) == 0) read_view(t, &v);
    }
    for (int l = 0; l < c->n_layers && l < 3; l++) {
        int ni = Stations_inner(c, l, inner, 16);
        for (int i = 0; i < ni; i++) {
            TensorView v;
            for (int which = 0; which < 3; which++)
                if (Trace_tensor(t, inner[i], which, &v, err) == 0) read_view(t, &v);
        }
    }
    TopK tk[5];
    for (int b = 0; b < t->B; b++) {
        for (int p = 0; p < t->len[b]; p++) {
            int k = Trace_topk(t, b, p, 1.0f, 5, tk);
            FZ_ASSERT(k >= 0 && k <= 5, "topk returned %d", k);
            for (int i = 0; i < k; i++) FZ_ASSERT(tk[i].id >= 0 && tk[i].id < c->vocab_size, "topk id %d", tk[i].id);
            float prob, loss;
            int rank;
            Trace_next_token_stats(t, b, p, &prob, &loss, &rank);
            k = Trace_logit_lens(t, c->n_layers - 1, b, p, 1, tk);
            for (int i = 0; i < k; i++) FZ_ASSERT(tk[i].id >= 0 && tk[i].id < c->vocab_size, "lens id %d", tk[i].id);
        }
    }
    Sampler s = {0.8f, 5, 0.9f, 7};
    if (Trace_generate(t, &s, err) == 0) {
        for (int b = 0; b < t->B; b++) {
            int id = Trace_id(t, b, t->len[b] - 1);
            FZ_ASSERT(id >= 0 && id < c->vocab_size, "generated id %d", id);
        }
    }
    Trace_free(t);
}

int fz_encode(const Tokenizer *t, const char *text, size_t size, int **ids, int *n) {
    int valid = sw_utf8_valid(text, size, NULL) && memchr(text, 0, size) == NULL;
    char err[SW_ERR_LEN] = "";
    *ids = NULL;
    *n = -1;
    int rc = Tokenizer_encode(t, text, size, ids, n, err);
    if (!valid) {
        FZ_ASSERT(rc != 0, "invalid UTF-8 or NUL was encoded into %d tokens", *n);
        FZ_ASSERT(*ids == NULL, "failed encode left an array");
        fz_check_err(err, NULL);
        return 0;
    }
    FZ_ASSERT(rc == 0, "valid text refused: %s", err);
    return 1;
}
