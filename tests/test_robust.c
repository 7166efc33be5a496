/* test_robust.c - bad input at the engine's C API that test_model.c, test_tokenizer.c and
 * test_forward.c do not already cover:
 *   - a hostile file's bytes quoted in an error message (tensor names, dtypes, config
 *     strings, tokenizer pieces) must not carry control characters or newlines into the
 *     one-line message (they would reach the terminal as escape sequences);
 *   - a FIFO where a file is expected must not block (sw_read_file, sw_map_file);
 *   - the Trace API refuses out-of-range batches, ids, layers and stations with an error,
 *     and generation stops at the context length with a message;
 *   - the sw_* helpers' edges: size overflow, oversize reads, directories;
 *   - NULL / empty arguments to the _free functions and Model_open.
 * Broken files are made in a mktemp -d folder from $SHARED's files; nothing is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/sw.h"
#include "engine/tokenizer.h"
#include "engine/trace.h"

static char g_tmp[200];

static const char *tpath(int slot, const char *name) {
    static char buf[4][1024];
    snprintf(buf[slot & 3], sizeof buf[0], "%s/%s", g_tmp, name);
    return buf[slot & 3];
}

static const char *spath(int slot, const char *rel) {
    static char buf[4][1024];
    snprintf(buf[slot & 3], sizeof buf[0], "%s/%s", shared_dir(), rel);
    return buf[slot & 3];
}

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, n, f);
    return (fclose(f) == 0 && w == n) ? 0 : -1;
}

/* safetensors bytes: u64 header length + header + `data` zero bytes */
static const char *write_st(const char *name, const char *json, size_t data) {
    size_t n = strlen(json);
    uint8_t *b = calloc(1, 8 + n + data);
    if (!b) return NULL;
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(b + 8, json, n);
    const char *p = tpath(0, name);
    int rc = write_file(p, b, 8 + n + data);
    free(b);
    return rc == 0 ? p : NULL;
}

/* err is one line that names `file` and holds no control bytes (C0, DEL) */
static void expect_clean_err(const char *name, int failed_ok, const char *err, const char *file) {
    if (!failed_ok) { fail(name, "the broken input was accepted"); return; }
    const unsigned char *u = (const unsigned char *)err;
    size_t n = strlen(err);
    if (n == 0) { fail(name, "no error message"); return; }
    if (file && !strstr(err, file)) { fail(name, "message does not name %s: %s", file, err); return; }
    for (size_t i = 0; i < n; i++) {
        if (u[i] < 0x20 || u[i] == 0x7f) {
            char shown[SW_ERR_LEN * 4 + 1];
            size_t k = 0;
            for (size_t j = 0; j < n && k + 5 < sizeof shown; j++)
                k += (size_t)(u[j] < 0x20 || u[j] == 0x7f ? snprintf(shown + k, sizeof shown - k, "\\x%02X", u[j])
                                                          : snprintf(shown + k, sizeof shown - k, "%c", u[j]));
            fail(name, "control byte 0x%02X at %zu quoted from the file: %s", u[i], i, shown);
            return;
        }
    }
    pass(name);
}

/* ---------------------------------------------------------------- hostile bytes in messages */

static void test_quoted_content(void) {
    char err[SW_ERR_LEN];
    SafeTensors st;
    const char *p;

    p = write_st("name.safetensors", "{\"wte\\u001b[2J\\nX\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
    err[0] = 0;
    int rc = p ? SafeTensors_open(&st, p, err) : 0;
    if (rc == 0 && p) SafeTensors_close(&st);
    expect_clean_err("safetensors: tensor name with ESC and newline is not echoed raw", rc != 0, err, "name.safetensors");

    p = write_st("dtype.safetensors", "{\"w\":{\"dtype\":\"\\u001b]0;title\\u0007\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
    err[0] = 0;
    rc = p ? SafeTensors_open(&st, p, err) : 0;
    if (rc == 0 && p) SafeTensors_close(&st);
    expect_clean_err("safetensors: dtype with an OSC sequence is not echoed raw", rc != 0, err, "dtype.safetensors");

    /* config.json strings: a folder with config.json and a (never read) model.safetensors */
    const char *dir = tpath(1, "cfg");
    mkdir(dir, 0755);
    const char *cfg = tpath(2, "cfg/config.json"), *stp = tpath(3, "cfg/model.safetensors");
    write_file(stp, "x", 1);
    const char *mt = "{\"model_type\": \"\\u001b[31mllama\\n\", \"n_embd\": 64}";
    write_file(cfg, mt, strlen(mt));
    err[0] = 0;
    Model *m = Model_open(dir, NULL, err);
    Model_free(m);
    expect_clean_err("config.json: model_type with ESC and newline is not echoed raw", m == NULL, err, "config.json");
    const char *act = "{\"vocab_size\": 50257, \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 2, \"n_ctx\": 128,"
                      " \"activation_function\": \"\\u001b[2J\\r\"}";
    write_file(cfg, act, strlen(act));
    err[0] = 0;
    m = Model_open(dir, NULL, err);
    Model_free(m);
    expect_clean_err("config.json: activation_function with ESC is not echoed raw", m == NULL, err, "config.json");

    /* tok512.bin with the piece of byte token <0x00> (id 3) replaced by 6 control bytes */
    size_t len = 0;
    char *raw = sw_read_file(spath(0, "models/stories260K/tok512.bin"), &len, 1 << 20, err);
    if (!raw) { skip("llama tokenizer: a bad byte-fallback piece is not echoed raw", "%s", err); }
    else {
        /* layout: i32 max_len, then per token f32 score, i32 len, bytes: id 3's bytes start at
         * 4 + 3 * (8 + 5/5/6) ... found by walking */
        size_t at = 4;
        for (int id = 0; id < 3 && at + 8 <= len; id++) {
            int32_t l;
            memcpy(&l, raw + at + 4, 4);
            at += 8 + (size_t)l;
        }
        int32_t l3 = 0;
        if (at + 8 <= len) memcpy(&l3, raw + at + 4, 4);
        if (l3 == 6 && at + 14 <= len) {
            memcpy(raw + at + 8, "\x1b[2J\n\a", 6);
            write_file(tpath(0, "tokctl.bin"), raw, len);
            err[0] = 0;
            Tokenizer *t = Tokenizer_open_llama(tpath(0, "tokctl.bin"), 512, err);
            Tokenizer_free(t);
            expect_clean_err("llama tokenizer: a bad byte-fallback piece is not echoed raw", t == NULL, err, "tokctl.bin");
        } else {
            skip("llama tokenizer: a bad byte-fallback piece is not echoed raw", "unexpected tok512.bin layout");
        }
        free(raw);
    }

    /* encoder.json with an extra first key holding controls that reuses id 0 */
    raw = sw_read_file(spath(1, "models/gpt2-tokenizer/encoder.json"), &len, 1 << 24, err);
    if (!raw || len < 2 || raw[0] != '{') { skip("vocab.json: a duplicate id's key is not echoed raw", "cannot read encoder.json"); }
    else {
        const char *extra = "{\"\\u001b[2J\\n\": 0, ";
        size_t el = strlen(extra);
        char *v = malloc(len + el);
        if (v) {
            memcpy(v, extra, el);
            memcpy(v + el, raw + 1, len - 1);
            write_file(tpath(0, "vocab.json"), v, len - 1 + el);
            free(v);
            err[0] = 0;
            Tokenizer *t = Tokenizer_open_gpt2(tpath(0, "vocab.json"), spath(2, "models/gpt2-tokenizer/vocab.bpe"), err);
            Tokenizer_free(t);
            expect_clean_err("vocab.json: a duplicate id's key is not echoed raw", t == NULL, err, "vocab.json");
        }
    }
    free(raw);
    const char *merges = "#version: 0.2\n\x1b[2J \x1b[0m\n";
    write_file(tpath(0, "merges.txt"), merges, strlen(merges));
    err[0] = 0;
    Tokenizer *t = Tokenizer_open_gpt2(spath(1, "models/gpt2-tokenizer/encoder.json"), tpath(0, "merges.txt"), err);
    Tokenizer_free(t);
    expect_clean_err("merges.txt: an unknown merge with ESC is not echoed raw", t == NULL, err, "merges.txt");
}

/* ---------------------------------------------------------------- FIFOs */

/* Run fn(path) in a child with a 5 s alarm: 1 if it returned, 0 if it blocked. */
static int returns_in_time(int (*fn)(const char *), const char *path) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        alarm(5);
        fn(path);
        _exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
static int call_read_file(const char *p) {
    char err[SW_ERR_LEN];
    free(sw_read_file(p, NULL, 1 << 20, err));
    return 0;
}
static int call_map_file(const char *p) {
    char err[SW_ERR_LEN];
    SwMap m;
    if (sw_map_file(&m, p, err) == 0) sw_unmap(&m);
    return 0;
}

static void test_fifo(void) {
    const char *fifo = tpath(2, "fifo");
    if (mkfifo(fifo, 0600) != 0) { skip("FIFO", "mkfifo: %s", strerror(errno)); return; }
    int r = returns_in_time(call_read_file, fifo);
    expect(r == 1, "sw_read_file on a FIFO returns (config.json as a FIFO must not hang)", "%s",
           r == 0 ? "blocked for 5 s in open/read" : "fork failed");
    r = returns_in_time(call_map_file, fifo);
    expect(r == 1, "sw_map_file on a FIFO returns", "%s", r == 0 ? "blocked for 5 s in open" : "fork failed");
    unlink(fifo);
}

/* ---------------------------------------------------------------- sw helpers */

static void test_sw(void) {
    size_t out = 0;
    expect(sw_mul_size(SIZE_MAX, 2, &out) == -1 && sw_mul_size(SIZE_MAX / 2, 2, &out) == 0 && out == SIZE_MAX - 1 &&
           sw_mul_size(0, SIZE_MAX, &out) == 0 && out == 0,
           "sw_mul_size detects overflow at SIZE_MAX", "out=%zu", out);
    expect(sw_add_size(SIZE_MAX, 1, &out) == -1 && sw_add_size(SIZE_MAX - 1, 1, &out) == 0 && out == SIZE_MAX,
           "sw_add_size detects overflow at SIZE_MAX", "out=%zu", out);
    char err[SW_ERR_LEN] = "";
    void *p = sw_calloc(SIZE_MAX / 2, 4, "a huge table", err);
    expect(p == NULL && strstr(err, "a huge table"), "sw_calloc overflow names what", "%s", err);
    free(p);
    err[0] = 0;
    p = sw_read_file(g_tmp, NULL, 100, err);
    expect(p == NULL && strstr(err, g_tmp), "sw_read_file on a folder fails naming it", "%s", err);
    free(p);
    write_file(tpath(0, "big.txt"), "0123456789abcdef", 16);
    err[0] = 0;
    p = sw_read_file(tpath(0, "big.txt"), NULL, 10, err);
    expect(p == NULL && strstr(err, "big.txt"), "sw_read_file over max_len fails naming the file", "%s", err);
    free(p);
    size_t len = 99;
    write_file(tpath(0, "empty.txt"), "", 0);
    char *s = sw_read_file(tpath(0, "empty.txt"), &len, 10, err);
    expect(s && len == 0 && s[0] == 0, "sw_read_file of an empty file is \"\"", "len %zu", len);
    free(s);
    SwMap m;
    err[0] = 0;
    int rc = sw_map_file(&m, g_tmp, err);
    if (rc == 0) sw_unmap(&m);
    expect(rc == -1 && strstr(err, g_tmp), "sw_map_file on a folder fails naming it", "%s", err);
    rc = sw_map_file(&m, tpath(0, "empty.txt"), err);
    expect(rc == 0 && m.data == NULL && m.len == 0, "sw_map_file of an empty file is len 0", "rc %d", rc);
    if (rc == 0) sw_unmap(&m);
    size_t bad = 99;
    expect(sw_utf8_valid("\xF4\x8F\xBF\xBF", 4, NULL) && !sw_utf8_valid("ab\xF5\x80\x80\x80", 6, &bad) && bad == 2,
           "sw_utf8_valid: U+10FFFF valid, F5 lead byte invalid at its offset", "bad_at %zu", bad);
    bad = 99;
    expect(!sw_utf8_valid("abc\xE2\x82", 5, &bad) && bad == 3, "sw_utf8_valid: sequence cut at the end", "bad_at %zu", bad);
}

/* ---------------------------------------------------------------- NULL and odd arguments */

static void test_null_args(void) {
    Model_free(NULL);
    Tokenizer_free(NULL);
    Trace_free(NULL);
    pass("Model_free/Tokenizer_free/Trace_free accept NULL");
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(NULL, NULL, err);
    expect(!m && err[0] && !strchr(err, '\n'), "Model_open(NULL) refuses with a message", "%s", err);
    err[0] = 0;
    m = Model_open("", NULL, err);
    expect(!m && err[0], "Model_open(\"\") refuses with a message", "%s", err);
    char *longp = malloc(20000);
    if (longp) {
        memset(longp, 'a', 19999);
        longp[0] = '/';
        longp[19999] = 0;
        err[0] = 0;
        m = Model_open(longp, NULL, err);
        expect(!m && err[0] && strlen(err) < SW_ERR_LEN && !strchr(err, '\n'), "a 20000-byte path is refused in one line",
               "%.80s", err);
        Model_free(m);
        char out[4096];
        err[0] = 0;
        int rc = Model_resolve(longp + 1, out, sizeof out, err);   /* a bare 19998-byte NAME */
        expect(rc == -1 && err[0] && strlen(err) < SW_ERR_LEN, "Model_resolve of a 19998-byte name refuses", "%.80s", err);
        free(longp);
    }
}

/* ---------------------------------------------------------------- the Trace API */

static void test_trace(void) {
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(spath(0, "models/stories260K/stories260K.bin"), NULL, err);
    if (!m) { skip("trace API", "cannot open stories260K: %s", err); return; }
    const Config *c = &m->c;
    const char *one[1] = {"Once upon a time"};
    const char *nine[9] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    err[0] = 0;
    Trace *t = Trace_run(m, one, 0, NULL, err);
    expect(!t && err[0], "Trace_run with B=0 refuses", "%s", err);
    Trace_free(t);
    err[0] = 0;
    t = Trace_run(m, nine, 9, NULL, err);
    expect(!t && strstr(err, "8"), "Trace_run with B=9 refuses (SW_MAX_B = 8)", "%s", err);
    Trace_free(t);

    int ids_bad[3] = {1, -1, 5}, ids_big[3] = {1, c->vocab_size, 5}, ids_ok[3] = {1, 403, 407};
    const int *rows[1];
    int lens[1] = {3};
    rows[0] = ids_bad;
    err[0] = 0;
    t = Trace_run_ids(m, rows, lens, 1, NULL, err);
    expect(!t && strstr(err, "-1"), "Trace_run_ids refuses id -1", "%s", err);
    Trace_free(t);
    rows[0] = ids_big;
    err[0] = 0;
    t = Trace_run_ids(m, rows, lens, 1, NULL, err);
    expect(!t && strstr(err, "512"), "Trace_run_ids refuses id V", "%s", err);
    Trace_free(t);
    rows[0] = ids_ok;
    lens[0] = 0;
    err[0] = 0;
    t = Trace_run_ids(m, rows, lens, 1, NULL, err);
    expect(!t && err[0], "Trace_run_ids refuses a row of length 0", "%s", err);
    Trace_free(t);

    /* a prompt of ctx-1 tokens: one generated token fits, the next is refused with a message */
    int n = c->seq_len - 1;
    int *ids = malloc(sizeof(int) * (size_t)(c->seq_len + 1));
    if (!ids) { Model_free(m); return; }
    for (int i = 0; i < c->seq_len + 1; i++) ids[i] = i == 0 ? 1 : 300 + i % 100;
    lens[0] = c->seq_len + 1;
    rows[0] = ids;
    err[0] = 0;
    t = Trace_run_ids(m, rows, lens, 1, NULL, err);
    expect(!t && strstr(err, "--truncate"), "Trace_run_ids refuses ctx+1 tokens, pointing at --truncate", "%s", err);
    Trace_free(t);
    lens[0] = n;
    TraceOpts o;
    TraceOpts_default(&o);
    o.max_new = 4;
    err[0] = 0;
    t = Trace_run_ids(m, rows, lens, 1, &o, err);
    free(ids);
    if (!t) { fail("trace at the context edge", "%s", err); Model_free(m); return; }
    Sampler s = {0, 0, 0, 1};
    int g1 = Trace_generate(t, &s, err);
    err[0] = 0;
    int g2 = Trace_generate(t, &s, err);
    expect(g1 == 0 && g2 == -1 && strstr(err, "context") && t->len[0] == c->seq_len,
           "generation fills the context, then stops with a message", "g1 %d g2 %d len %d: %s", g1, g2, t->len[0], err);
    TopK tk[3];
    expect(Trace_topk(t, 0, t->len[0] - 1, 1, 3, tk) == 3, "the full trace still answers top-k at its last position", "no entries");

    /* out-of-range stations, layers and positions */
    TensorView v;
    StationRef bad_refs[] = {{ST_BLOCK, c->n_layers}, {ST_BLOCK, -1}, {ST_NORM1, -1}, {ST_NORM1, c->n_layers},
                             {ST_ATTN, 1000}, {ST_TOKENIZE, -1}, {ST_NEXT, -1}, {ST__COUNT, 0}};
    int all = 1, which_bad = -1;
    for (size_t i = 0; i < sizeof bad_refs / sizeof bad_refs[0]; i++) {
        err[0] = 0;
        if (Trace_tensor(t, bad_refs[i], 0, &v, err) != -1 || !err[0]) { all = 0; which_bad = (int)i; }
    }
    expect(all, "Trace_tensor refuses unknown stations and layers with a message", "case %d", which_bad);
    err[0] = 0;
    expect(Trace_layer(t, c->n_layers, err) == NULL && err[0], "Trace_layer(L) refuses", "%s", err);
    err[0] = 0;
    int wr = Trace_tensor(t, (StationRef){ST_QKV, 0}, 7, &v, err);
    expect(wr == -1 || (wr == 0 && v.data != NULL), "Trace_tensor(q/k/v, which=7) refuses or gives a view", "rc %d", wr);
    float prob;
    int rank;
    expect(Trace_topk(t, 0, t->len[0], 1, 3, tk) == 0 && Trace_topk(t, 1, 0, 1, 3, tk) == 0 &&
           Trace_topk(t, 0, 0, 1, 0, tk) == 0 && Trace_topk(t, 0, -1, 1, 3, tk) == 0,
           "Trace_topk: bad row/position or k=0 gives 0 entries", "some gave entries");
    TopK *big = malloc(sizeof(TopK) * (size_t)(c->vocab_size + 10));
    if (big) {
        int k = Trace_topk(t, 0, 0, 1, c->vocab_size + 10, big);
        expect(k == c->vocab_size, "Trace_topk with k > V gives V entries", "k = %d", k);
        free(big);
    }
    expect(Trace_next_token_stats(t, 0, t->len[0] - 1, &prob, NULL, &rank) == -1 &&
           Trace_next_token_stats(t, 0, -1, &prob, NULL, &rank) == -1 && Trace_next_token_stats(t, 3, 0, &prob, NULL, &rank) == -1,
           "Trace_next_token_stats: last position and bad indices give -1", "one gave 0");
    expect(Trace_logit_lens(t, c->n_layers, 0, 0, 1, tk) == 0 && Trace_logit_lens(t, -1, 0, 0, 1, tk) == 0 &&
           Trace_logit_lens(t, 0, 0, t->len[0], 1, tk) == 0,
           "Trace_logit_lens: bad layer or position gives 0 entries", "some gave entries");
    Trace_free(t);

    /* the text path: NULL text of length 0 is the empty prompt; decode of nothing is "" */
    int *out_ids = NULL, nout = -1;
    err[0] = 0;
    int rc = Tokenizer_encode(m->tok, NULL, 0, &out_ids, &nout, err);
    expect(rc == 0 && nout == 1 && out_ids && out_ids[0] == 1, "llama encode(NULL, 0) is BOS alone", "rc %d n %d %s", rc, nout, err);
    free(out_ids);
    char *d = Tokenizer_decode(m->tok, NULL, 0);
    expect(d && d[0] == 0, "decode of no ids is \"\"", "%s", d ? d : "(null)");
    free(d);
    Model_free(m);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sw_robust_XXXXXX");
    if (!mkdtemp(g_tmp)) {
        fail("mkdtemp", "%s", strerror(errno));
        return check_done();
    }
    test_quoted_content();
    test_fifo();
    test_sw();
    test_null_args();
    test_trace();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
    if (system(cmd) != 0) printf("(could not remove %s)\n", g_tmp);
    return check_done();
}
