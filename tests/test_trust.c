/* test_trust.c - issue 15: the aligned-copy cache cannot be turned against the user, and a wrong
 * file is refused with one clear line.
 *   - cache attacks, in a mktemp -d folder with planted links and a fake HOME: links planted at
 *     the copy's temporary names (for the next pids), at its final name and at its note are never
 *     followed (their targets stay as they were); a cache folder writable by others, or another
 *     user's, is not used; without HOME (and XDG_CACHE_HOME) nothing is written anywhere and the
 *     weights stay in memory; a copy damaged in place (same size) is noticed and made again;
 *   - config.json / vocab.json with data after the value, a key twice, a duplicate or
 *     out-of-range id, an array; merges.txt with a NUL byte;
 *   - a NaN or an Inf in a GPT-2 tensor or a llama2.c tensor, named in the message;
 *   - a 400-character and an invalid-UTF-8 tensor name: the message stays one short line;
 *   - model.safetensors that is a folder / FIFO, a symbolic-link loop, an unreadable folder.
 * Every file is made here from $SHARED's gpt2-test-d64 and stories260K; nothing is kept. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/sw.h"
#include "engine/trace.h"

static char g_tmp[200];

static const char *tp(int slot, const char *fmt, const char *a) {
    static char buf[8][1200];
    char rel[1000];
    snprintf(rel, sizeof rel, fmt, a);
    snprintf(buf[slot & 7], sizeof buf[0], "%s/%s", g_tmp, rel);
    return buf[slot & 7];
}

static const char *sp(const char *rel) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[0], "%s/models/%s", shared_dir(), rel);
    return buf[k];
}

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, n, f);
    return (fclose(f) == 0 && w == n) ? 0 : -1;
}

static char *read_all(const char *path, size_t *n) {
    char err[SW_ERR_LEN];
    return sw_read_file(path, n, (size_t)1 << 30, err);
}

/* A GPT-2 folder dir: the shared d64 files as links, except the ones written after. */
static void gpt2_folder(const char *dir) {
    mkdir(dir, 0700);
    const char *files[] = {"config.json", "vocab.json", "merges.txt", "model.safetensors"};
    for (int i = 0; i < 4; i++) {
        char a[1300];
        snprintf(a, sizeof a, "%s/%s", dir, files[i]);
        unlink(a);
        char rel[100];
        snprintf(rel, sizeof rel, "gpt2-test-d64/%s", files[i]);
        if (symlink(sp(rel), a) != 0) fail("trust: set up a GPT-2 folder", "symlink %s", a);
    }
}

/* dir/name replaced by its own file holding text */
static void put(const char *dir, const char *name, const char *text, size_t n) {
    char a[1300];
    snprintf(a, sizeof a, "%s/%s", dir, name);
    unlink(a);
    if (write_file(a, text, n) != 0) fail("trust: write a test file", "%s", a);
}

/* One line, at most 200 bytes after "shapewalk: ", naming what it should. */
static int one_line(const char *err, size_t max) {
    return strchr(err, '\n') == NULL && strlen(err) <= max;
}

static void expect_refused(const char *dir, const char *name, const char *needle) {
    char err[SW_ERR_LEN] = "";
    Model *m = Model_open(dir, NULL, err);
    expect(!m && strstr(err, needle) && one_line(err, 300), name, "%s", m ? "opened (exit 0)" : err);
    Model_free(m);
}

/* ---- the cache ---------------------------------------------------------------------- */

/* dst: src with one space more in its header, so the data starts at an odd offset */
static int write_odd(const char *src, const char *dst) {
    size_t n;
    char *b = read_all(src, &n);
    if (!b) return -1;
    uint64_t h = 0;
    for (int i = 7; i >= 0; i--) h = (h << 8) | (uint8_t)b[i];
    FILE *f = fopen(dst, "wb");
    int ok = f != NULL;
    if (f) {
        uint64_t h1 = h + 1;
        uint8_t len[8];
        for (int i = 0; i < 8; i++) len[i] = (uint8_t)(h1 >> (8 * i));
        ok = fwrite(len, 1, 8, f) == 8 && fwrite(b + 8, 1, h, f) == h && fputc(' ', f) == ' ' &&
             fwrite(b + 8 + h, 1, n - 8 - h, f) == n - 8 - h;
        ok &= fclose(f) == 0;
    }
    free(b);
    return ok ? 0 : -1;
}

/* the one aligned-*.safetensors copy in dir (name only), or "" */
static const char *copy_in(const char *dir) {
    static char name[300];
    name[0] = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "aligned-", 8) == 0 && strstr(e->d_name, ".safetensors") && !strstr(e->d_name, ".tmp."))
            snprintf(name, sizeof name, "%s", e->d_name);
    if (d) closedir(d);
    return name;
}

static int count_files(const char *dir) {
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static double max_logit_diff(const Model *a, const Model *b) {
    char err[SW_ERR_LEN];
    const char *prompt[1] = {"Hello world! This is fun"};
    Trace *x = Trace_run(a, prompt, 1, NULL, err), *y = Trace_run(b, prompt, 1, NULL, err);
    double worst = x && y ? 0 : INFINITY;
    for (int p = 0; x && y && p < x->len[0]; p++) {
        const float *u = Trace_logits_row(x, 0, p), *v = Trace_logits_row(y, 0, p);
        for (int i = 0; i < a->c.vocab_size; i++)
            if (!(fabs(u[i] - v[i]) <= worst)) worst = fabs(u[i] - v[i]);
    }
    Trace_free(x);
    Trace_free(y);
    return worst;
}

/* 1 when the model's weights are mapped from a file (the aligned copy), 0 when copied to memory */
static int mapped(const Model *m) {
    return m && !m->owned && (const uint8_t *)m->tok_emb.w >= m->map.data &&
           (const uint8_t *)m->tok_emb.w < m->map.data + m->map.len;
}

static void test_cache(void) {
    const char *odd = tp(0, "%s", "odd");
    gpt2_folder(odd);
    char w[1300];
    snprintf(w, sizeof w, "%s/model.safetensors", odd);
    unlink(w);
    if (write_odd(sp("gpt2-test-d64/model.safetensors"), w) != 0) { fail("cache: write the odd file", "%s", w); return; }
    char err[SW_ERR_LEN] = "";
    Model *ref = Model_open(sp("gpt2-test-d64"), NULL, err);
    if (!ref) { fail("cache: open the reference", "%s", err); return; }

    /* learn the copy's name (it depends on the source only) in a first cache folder */
    const char *c1 = tp(1, "%s", "cache1");
    setenv("SHAPEWALK_CACHE", c1, 1);
    Model *m = Model_open(odd, NULL, err);
    char name[300];
    snprintf(name, sizeof name, "%s", copy_in(c1));
    struct stat sb;
    expect(mapped(m) && name[0] && stat(c1, &sb) == 0 && (sb.st_mode & 0777) == 0700,
           "cache: a new cache folder is the user's alone (0700) and holds the copy", "%s", m ? name : err);
    Model_free(m);
    if (!name[0]) return;

    /* a second cache folder with links planted at every name the copy and its note go by:
     * the next 64 pids' temporary names, the copy's name and the note's name */
    const char *c2 = tp(2, "%s", "cache2");
    mkdir(c2, 0700);
    const char *victim = tp(3, "%s", "victim");
    if (write_file(victim, "precious\n", 9) != 0) { fail("cache: victim", "%s", victim); return; }
    char link[1600], note[300];
    snprintf(note, sizeof note, "%.*s.source", (int)(strlen(name) - strlen(".safetensors")), name);
    for (int pid = (int)getpid(); pid < (int)getpid() + 64; pid++) {
        snprintf(link, sizeof link, "%s/%s.tmp.%d", c2, name, pid);
        if (symlink(victim, link) != 0) fail("cache: plant a link", "%s", link);
        snprintf(link, sizeof link, "%s/%s.tmp.%d", c2, note, pid);
        if (symlink(victim, link) != 0) fail("cache: plant a link", "%s", link);
    }
    snprintf(link, sizeof link, "%s/%s", c2, name);
    if (symlink(victim, link) != 0) fail("cache: plant a link", "%s", link);
    snprintf(link, sizeof link, "%s/%s", c2, note);
    if (symlink(victim, link) != 0) fail("cache: plant a link", "%s", link);
    setenv("SHAPEWALK_CACHE", c2, 1);
    m = Model_open(odd, NULL, err);
    size_t vn = 0;
    char *v = read_all(victim, &vn);
    snprintf(link, sizeof link, "%s/%s", c2, name);
    struct stat ls;
    int copy_ok = lstat(link, &ls) == 0 && S_ISREG(ls.st_mode);
    expect(m && v && vn == 9 && memcmp(v, "precious\n", 9) == 0 && copy_ok && mapped(m) && max_logit_diff(m, ref) <= 1e-4,
           "cache: links planted at the copy's temporary, final and note names are never followed (target unchanged)",
           "%s; victim now %zu bytes; copy a regular file: %d", m ? "opened" : err, vn, copy_ok);
    free(v);
    Model_free(m);

    /* a copy damaged in place (80 KB overwritten, same size) is noticed and made again */
    snprintf(link, sizeof link, "%s/%s", c1, name);
    int fd = open(link, O_WRONLY);
    char junk[80 * 1024];
    memset(junk, 0x7f, sizeof junk);
    int wrote = fd >= 0 && pwrite(fd, junk, sizeof junk, 1 << 20) == (ssize_t)sizeof junk;
    if (fd >= 0) close(fd);
    struct stat before, after;
    stat(link, &before);
    setenv("SHAPEWALK_CACHE", c1, 1);
    /* the one line goes to stderr: catch it in a file */
    const char *errf = tp(4, "%s", "stderr.txt");
    fflush(stderr);
    int saved = dup(2), ef = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(ef, 2);
    m = Model_open(odd, NULL, err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(ef);
    size_t en = 0;
    char *said = read_all(errf, &en);
    stat(link, &after);
    double d = m ? max_logit_diff(m, ref) : INFINITY;
    expect(wrote && mapped(m) && d <= 1e-4 && said && strstr(said, "damaged") && strchr(said, '\n') == said + en - 1 &&
               (before.st_ino != after.st_ino || before.st_mtim.tv_nsec != after.st_mtim.tv_nsec),
           "cache: a copy damaged in place (same size) is noticed in one line and made again; same numbers",
           "%s; said: %s; max |diff| %g", m ? "opened" : err, said ? said : "(nothing)", d);
    free(said);
    Model_free(m);

    /* a cache folder others can write to is not used: the weights stay in memory */
    const char *c3 = tp(5, "%s", "cache3");
    mkdir(c3, 0700);
    chmod(c3, 0777);
    setenv("SHAPEWALK_CACHE", c3, 1);
    m = Model_open(odd, NULL, err);
    expect(m && !mapped(m) && count_files(c3) == 0 && max_logit_diff(m, ref) == 0,
           "cache: a folder writable by others is not used (weights in memory, nothing written there)", "%s; %d files",
           m ? "opened" : err, count_files(c3));
    Model_free(m);
    if (geteuid() == 0) {
        /* another user's folder (root can make one) */
        chmod(c3, 0755);
        if (chown(c3, 65534, 65534) == 0) {
            m = Model_open(odd, NULL, err);
            expect(m && !mapped(m) && count_files(c3) == 0, "cache: another user's folder is not used", "%s", m ? "mapped" : err);
            Model_free(m);
        } else {
            skip("cache: another user's folder is not used", "chown failed");
        }
    } else {
        skip("cache: another user's folder is not used", "needs root to make one");
    }

    /* a fake HOME: the copy goes to HOME/.cache/shapewalk */
    const char *home = tp(6, "%s", "home");
    mkdir(home, 0700);
    unsetenv("SHAPEWALK_CACHE");
    unsetenv("XDG_CACHE_HOME");
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", home, 1);
    m = Model_open(odd, NULL, err);
    char hc[1300];
    snprintf(hc, sizeof hc, "%s/.cache/shapewalk", home);
    expect(mapped(m) && copy_in(hc)[0], "cache: with HOME set, the copy is in HOME/.cache/shapewalk", "%s", m ? "not there" : err);
    Model_free(m);
    /* no HOME, no XDG_CACHE_HOME (or a relative one): nothing written, weights in memory */
    unsetenv("HOME");
    setenv("XDG_CACHE_HOME", "relative/cache", 1);
    struct stat t0;
    int had_tmp = stat("/tmp/.cache/shapewalk", &t0) == 0;
    m = Model_open(odd, NULL, err);
    struct stat t1;
    int tmp_same = had_tmp ? stat("/tmp/.cache/shapewalk", &t1) == 0 && t1.st_mtim.tv_sec == t0.st_mtim.tv_sec &&
                                 t1.st_mtim.tv_nsec == t0.st_mtim.tv_nsec
                           : stat("/tmp/.cache/shapewalk", &t1) != 0;
    expect(m && !mapped(m) && tmp_same && access("relative", F_OK) != 0 && max_logit_diff(m, ref) == 0,
           "cache: without HOME nothing is written (not /tmp/.cache, not a relative XDG_CACHE_HOME); weights in memory",
           "%s", m ? "wrote or mapped" : err);
    Model_free(m);
    unsetenv("XDG_CACHE_HOME");
    if (old_home) setenv("HOME", old_home, 1);
    free(old_home);

    /* the note beside a good copy records that its F32 tensors were checked finite (so later
     * opens skip that pass) */
    char nb[1400];
    snprintf(nb, sizeof nb, "%s/%s", c1, note);
    size_t nn = 0;
    char *nt = read_all(nb, &nn);
    expect(nt && strstr(nt, "\nfinite 1\n") && strstr(nt, "\nsum "), "cache: the note keeps the checksum and 'finite 1'",
           "%s", nt ? nt : "no note");
    free(nt);

    /* a NaN in an odd file's Conv1D weight (stored transposed in the copy): still refused, named */
    SafeTensors st;
    if (SafeTensors_open(&st, w, err) == 0) {
        const StTensor *t = SafeTensors_find(&st, "h.0.attn.c_proj.weight");
        size_t off = t ? t->offset + 4 * 77 : 0;
        SafeTensors_close(&st);
        int fd2 = off ? open(w, O_WRONLY) : -1;
        float nan = NAN;
        int ok = fd2 >= 0 && pwrite(fd2, &nan, 4, (off_t)off) == 4;
        if (fd2 >= 0) close(fd2);
        setenv("SHAPEWALK_CACHE", c1, 1);
        m = ok ? Model_open(odd, NULL, err) : NULL;
        expect(ok && !m && strstr(err, "h.0.attn.c_proj.weight has NaN"),
               "cache: a NaN in an odd file is refused through its aligned copy, naming the tensor", "%s", m ? "opened" : err);
        Model_free(m);
    }
    Model_free(ref);
}

/* ---- wrong JSON files ---------------------------------------------------------------- */

static void test_json(void) {
    const char *g = tp(0, "%s", "json");
    size_t n;
    char *cfg = read_all(sp("gpt2-test-d64/config.json"), &n);
    if (!cfg) { fail("json: read config.json", " "); return; }
    while (n && (cfg[n - 1] == '\n' || cfg[n - 1] == ' ')) cfg[--n] = 0;
    char buf[8192];
    gpt2_folder(g);
    snprintf(buf, sizeof buf, "%s}garbage{", cfg);
    put(g, "config.json", buf, strlen(buf));
    expect_refused(g, "config.json with }garbage{ after the object is refused", "more after the JSON value");
    snprintf(buf, sizeof buf, "%s\n%s\n", cfg, cfg);
    put(g, "config.json", buf, strlen(buf));
    expect_refused(g, "config.json with a second object is refused", "more after the JSON value");
    snprintf(buf, sizeof buf, "{\"n_layer\": 1, %s", cfg + 1);
    put(g, "config.json", buf, strlen(buf));
    expect_refused(g, "config.json with a key twice (n_layer) is refused", "\"n_layer\" appears twice");
    /* 1e999 reads as infinity (found by fuzz_json: it printed back as null) */
    snprintf(buf, sizeof buf, "{\"initializer_scale\": 1e999, %s", cfg + 1);
    put(g, "config.json", buf, strlen(buf));
    expect_refused(g, "config.json with a number beyond a double (1e999) is refused",
                   "\"initializer_scale\" is too large for a double");
    snprintf(buf, sizeof buf, "%s", cfg);
    buf[n / 2] = 0;
    put(g, "config.json", buf, n + 1);   /* a NUL byte in the middle */
    expect_refused(g, "config.json with a NUL byte is refused", "NUL byte");
    put(g, "config.json", "[1, 2]", 6);
    expect_refused(g, "config.json that is an array is refused", "not a JSON object");
    free(cfg);

    gpt2_folder(g);
    char *voc = read_all(sp("gpt2-test-d64/vocab.json"), &n);
    if (!voc) { fail("json: read vocab.json", " "); return; }
    while (n && voc[n - 1] != '}') n--;
    char *b = malloc(n + 200);
    memcpy(b, voc, n);
    memcpy(b + n, "garbage{}", 9);
    put(g, "vocab.json", b, n + 9);
    expect_refused(g, "vocab.json with data after the object is refused", "more after the JSON value");
    memcpy(b + n, "\n{\"a\": 1}", 9);
    put(g, "vocab.json", b, n + 9);
    expect_refused(g, "vocab.json with a second object is refused", "more after the JSON value");
    /* "<|endoftext|>": 50256 becomes a second "!" (id 0 is "!") */
    char *eot = strstr(voc, "\"<|endoftext|>\"");
    if (eot) {
        size_t at = (size_t)(eot - voc);
        memcpy(b, voc, at);
        int k = snprintf(b + at, 200, "\"!\"");
        size_t rest = n - (at + 15);
        memcpy(b + at + k, eot + 15, rest);
        put(g, "vocab.json", b, at + (size_t)k + rest);
        expect_refused(g, "vocab.json with a key twice (\"!\" as ids 0 and 50256) is refused", "\"!\" appears twice");
        /* the same token id twice: <|endoftext|> gets id 0 */
        memcpy(b, voc, n);
        char *num = strstr(b + at, "50256");
        if (num) {
            memcpy(num, "    0", 5);
            put(g, "vocab.json", b, n);
            expect_refused(g, "vocab.json with an id twice is refused", "id 0 is given to both");
            memcpy(num, "99999", 5);
            put(g, "vocab.json", b, n);
            expect_refused(g, "vocab.json with an id out of range is refused", "out of range");
        }
    } else {
        skip("vocab.json duplicates", "no <|endoftext|> in the shared vocab.json");
    }
    put(g, "vocab.json", "[\"a\", \"b\"]", 10);
    expect_refused(g, "vocab.json that is an array says so (no 'byte -1')", "is a JSON array");
    {
        char e2[SW_ERR_LEN] = "";
        Model *m = Model_open(g, NULL, e2);
        expect(!m && !strstr(e2, "-1"), "vocab.json that is an array: no 'near byte -1'", "%s", e2);
        Model_free(m);
    }
    free(b);
    free(voc);

    /* merges.txt with a NUL byte inside a line: the first line of the message says NUL */
    gpt2_folder(g);
    char *mer = read_all(sp("gpt2-test-d64/merges.txt"), &n);
    if (mer && n > 200) {
        char *nl = memchr(mer + 100, '\n', n - 100);
        if (nl) nl[2] = 0;
        put(g, "merges.txt", mer, n);
        expect_refused(g, "merges.txt with a NUL byte says so", "NUL byte");
    }
    free(mer);
}

/* ---- NaN / Inf in weights ------------------------------------------------------------ */

static void test_nonfinite(void) {
    size_t n;
    char err[SW_ERR_LEN] = "";
    /* llama2.c: a NaN in layer 2's wq (header 28 bytes, then E (512x64), rms_att (5x64), wq) */
    char *bin = read_all(sp("stories260K/stories260K.bin"), &n);
    const char *d = tp(0, "%s", "nanllama");
    mkdir(d, 0700);
    char tok[1300];
    snprintf(tok, sizeof tok, "%s/tok512.bin", d);
    if (symlink(sp("stories260K/tok512.bin"), tok) != 0) fail("nan: link tok512.bin", "%s", tok);
    if (bin) {
        size_t at = 28 + 4 * (512 * 64 + 5 * 64 + 2 * 64 * 64 + 100);
        float nan = NAN, inf = INFINITY;
        memcpy(bin + at, &nan, 4);
        put(d, "m.bin", bin, n);
        Model *m = Model_open(tp(1, "%s", "nanllama/m.bin"), NULL, err);
        expect(!m && strstr(err, "wq (layer 2)") && strstr(err, "NaN") && strstr(err, "element 100 "),
               "llama2.c: a NaN in wq of layer 2 is refused, naming the tensor, layer and element", "%s", m ? "opened" : err);
        Model_free(m);
        float one = 1;
        memcpy(bin + at, &one, 4);
        memcpy(bin + 28 + 4 * 7, &inf, 4);   /* token_embedding[7] */
        put(d, "m.bin", bin, n);
        m = Model_open(tp(1, "%s", "nanllama/m.bin"), NULL, err);
        expect(!m && strstr(err, "token_embedding") && strstr(err, "+Inf"),
               "llama2.c: an Inf in the token embedding is refused, naming it", "%s", m ? "opened" : err);
        Model_free(m);
        /* finite but huge: row 0 of layer 1's wq all 3e38, so q overflows float32 in the pass;
         * Trace_run refuses with the station where it began (3.2.b), not NaN probabilities */
        memcpy(bin + 28 + 4 * 7, bin + 28 + 4 * 8, 4);
        float big = 3e38f;
        for (int j = 0; j < 64; j++) memcpy(bin + 28 + 4 * (512 * 64 + 5 * 64 + 64 * 64 + j), &big, 4);
        put(d, "m.bin", bin, n);
        m = Model_open(tp(1, "%s", "nanllama/m.bin"), NULL, err);
        const char *prompt[1] = {"Once upon a time"};
        Trace *t = m ? Trace_run(m, prompt, 1, NULL, err) : NULL;
        expect(m && !t && strstr(err, "station 3.2.b") && one_line(err, 300),
               "llama2.c: weights that overflow in the pass: Trace_run refuses, naming the station (3.2.b)",
               "%s", t ? "ran" : err);
        Trace_free(t);
        Model_free(m);
    }
    free(bin);

    /* GPT-2: a NaN in h.1.mlp.c_fc.weight, an Inf in ln_f.bias */
    const char *g = tp(2, "%s", "nangpt2");
    gpt2_folder(g);
    SafeTensors st;
    if (SafeTensors_open(&st, sp("gpt2-test-d64/model.safetensors"), err) != 0) { fail("nan: open d64", "%s", err); return; }
    const StTensor *fc = SafeTensors_find(&st, "h.1.mlp.c_fc.weight"), *lb = SafeTensors_find(&st, "ln_f.bias");
    char *raw = malloc(st.map.len);
    size_t rn = st.map.len;
    memcpy(raw, st.map.data, rn);
    size_t fco = fc ? fc->offset : 0, lbo = lb ? lb->offset : 0;
    SafeTensors_close(&st);
    if (fc && lb) {
        float nan = NAN, inf = -INFINITY;
        memcpy(raw + fco + 4 * 1234, &nan, 4);
        put(g, "model.safetensors", raw, rn);
        expect_refused(g, "GPT-2: a NaN in h.1.mlp.c_fc.weight is refused, naming the tensor", "h.1.mlp.c_fc.weight has NaN at element 1234");
        memcpy(raw + fco + 4 * 1234, raw + fco, 4);
        memcpy(raw + lbo + 4 * 3, &inf, 4);
        put(g, "model.safetensors", raw, rn);
        expect_refused(g, "GPT-2: an Inf in ln_f.bias is refused, naming the tensor", "ln_f.bias has -Inf");
    }
    free(raw);
}

/* ---- messages stay one line ---------------------------------------------------------- */

static void test_names(void) {
    char name[401];
    memset(name, 'a', 400);
    name[400] = 0;
    char json[1200];
    snprintf(json, sizeof json, "{\"%s\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", name);
    size_t jn = strlen(json);
    uint8_t file[1300] = {0};
    for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)jn >> (8 * i));
    memcpy(file + 8, json, jn);
    const char *p = tp(0, "%s", "long.safetensors");
    write_file(p, file, 8 + jn + 8);
    SafeTensors st;
    char err[SW_ERR_LEN] = "";
    int rc = SafeTensors_open(&st, p, err);
    /* path (~40 bytes) + 40 name characters + the explanation: well under 200 bytes */
    expect(rc != 0 && strlen(err) <= 200 && strstr(err, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xE2\x80\xA6") &&
               strstr(err, "unsupported dtype"),
           "a 400-character tensor name is shortened to 40 characters + an ellipsis; the message fits one line",
           "%zu bytes: %s", strlen(err), err);
    if (rc == 0) SafeTensors_close(&st);
    snprintf(json, sizeof json, "{\"ok\xff\xfe\x1b[2J\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}");
    jn = strlen(json);
    for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)jn >> (8 * i));
    memcpy(file + 8, json, jn);
    memset(file + 8 + jn, 0, 8);
    write_file(p, file, 8 + jn + 8);
    rc = SafeTensors_open(&st, p, err);
    size_t bad;
    expect(rc != 0 && strstr(err, "ok\\xFF\\xFE\\x1B[2J") && sw_utf8_valid(err, strlen(err), &bad),
           "invalid UTF-8 and control bytes in a tensor name are escaped (\\xFF)", "%s", err);
    if (rc == 0) SafeTensors_close(&st);
    char sb[SW_SHORT_LEN];
    char mb[160];
    memset(mb, 0, sizeof mb);
    for (int i = 0; i < 50; i++) memcpy(mb + 3 * i, "\xE2\x82\xAC", 3);   /* 50 euro signs */
    sw_short(mb, sb);
    expect(strlen(sb) == 40 * 3 + 3 && sw_utf8_valid(sb, strlen(sb), &bad),
           "sw_short counts characters, not bytes, and never cuts a UTF-8 sequence", "%s", sb);
}

/* ---- files that are not what they seem ---------------------------------------------- */

static void test_files(void) {
    const char *g = tp(0, "%s", "kinds");
    gpt2_folder(g);
    char w[1300];
    snprintf(w, sizeof w, "%s/model.safetensors", g);
    unlink(w);
    mkdir(w, 0700);
    expect_refused(g, "model.safetensors that is a folder: 'not a regular file'", "not a regular file (a folder)");
    rmdir(w);
    mkfifo(w, 0600);
    expect_refused(g, "model.safetensors that is a FIFO: 'not a regular file'", "not a regular file (a FIFO)");
    unlink(w);
    if (symlink("model.safetensors", w) != 0) fail("kinds: loop", "%s", w);
    expect_refused(g, "model.safetensors that is a symbolic-link loop says so", "Too many levels of symbolic links");
    const char *loop = tp(1, "%s", "loop");
    if (symlink(loop, loop) != 0) fail("kinds: loop", "%s", loop);
    char err[SW_ERR_LEN] = "", path[4096];
    int rc = Model_resolve(loop, path, sizeof path, err);
    Model *m = rc == 0 ? Model_open(path, NULL, err) : NULL;
    expect(!m && strstr(err, "Too many levels of symbolic links"), "--model LOOP: 'too many levels of symbolic links', not 'no such file'",
           "%s", err);
    Model_free(m);
    const char *fifo = tp(2, "%s", "fifo");
    mkfifo(fifo, 0600);
    m = Model_open(fifo, NULL, err);
    expect(!m && strstr(err, "a FIFO"), "--model FIFO: says it is a FIFO", "%s", err);
    Model_free(m);
    if (geteuid() != 0) {
        const char *locked = tp(3, "%s", "locked");
        gpt2_folder(locked);
        chmod(locked, 0);
        m = Model_open(locked, NULL, err);
        expect(!m && strstr(err, "Permission denied") && strstr(err, locked), "an unreadable model folder: 'permission denied' with the path",
               "%s", err);
        Model_free(m);
        chmod(locked, 0700);
    } else {
        skip("an unreadable model folder: permission denied", "root reads every folder");
    }
}

int main(void) {
    snprintf(g_tmp, sizeof g_tmp, "/tmp/sw_trust_XXXXXX");
    if (!mkdtemp(g_tmp)) { fail("trust: temp dir", "mkdtemp failed"); return check_done(); }
    test_cache();
    test_json();
    test_nonfinite();
    test_names();
    test_files();
    char rm[500];
    snprintf(rm, sizeof rm, "chmod -R u+rwx %s 2>/dev/null; rm -rf %s", g_tmp, g_tmp);
    if (system(rm) != 0) skip("trust: cleanup", "%s", g_tmp);
    return check_done();
}
