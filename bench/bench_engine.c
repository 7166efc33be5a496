/* bench_engine.c - time the engine on a GPT-2-124M-shaped checkpoint.
 *
 *   bench_engine all   MODEL_DIR OUT.json THREADS [quick]   everything below; writes OUT.json
 *   bench_engine start MODEL_DIR THREADS [T1 T2]            (child) open + tokenize + first forward
 *                                                           (the lesson's two prompts, or random ids of T1, T2 tokens)
 *   bench_engine rss   MODEL_DIR THREADS T                  (child) peak RSS of a T-token full trace
 *   bench_engine gen   MODEL_DIR OUT.json THREADS [quick]   generation only (run.sh alternates
 *                                                           it with `baseline ... gen`)
 *   bench_engine gguf  FILE.gguf OUT.json THREADS [quick]   a GGUF file (bench/mkgguf's): warm start,
 *                                                           prompt T=256, generation, peak RSS
 * (MODEL_DIR may be a .gguf file for gen, start and rss too.)
 *
 * `all` measures, in this order:
 *   - agreement with the plain-C baseline (its logits for bench_fox_ids, baseline_logits.bin
 *     beside OUT.json, when present): top-1 per position and the largest logit difference;
 *   - the whole-prompt forward (Trace_run_ids: tokens given, so only the pass and the trace's
 *     memory are timed), B=1 and B=2, T=8,64,256,1024, min/median of several repetitions after
 *     one warm-up pass (which faults the mapped weights in);
 *   - generation with the KV cache (Trace_generate, greedy), B=1, at contexts 64 and 512, and
 *     B=2 at 64;
 *   - start to first station, in fresh child processes: warm page cache, then cold (the
 *     weights file evicted with drop_caches or posix_fadvise(DONTNEED), checked with mincore);
 *     and `shapewalk --dump` end to end when SW_BIN names the program;
 *   - peak RSS of a child holding a T=1024 trace with every station recorded.
 * OpenBLAS threads are set to THREADS with Pool_set_threads() (openblas_set_num_threads).
 */
#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <math.h>

#include "bench.h"
#include "engine/blas.h"
#include "engine/pool.h"
#include "engine/trace.h"
#include "engine/model.h"
#include "engine/trace.h"

static int quick;

/* ---------------------------------------------------------------- helpers */

static long status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') { v = atol(line + kl + 1); break; }
    fclose(f);
    return v;
}

static Model *open_model(const char *dir, double *ms) {
    char err[SW_ERR_LEN] = "";
    double t0 = bench_now_ms();
    Model *m = Model_open(dir, NULL, err);
    if (ms) *ms = bench_now_ms() - t0;
    if (!m) { fprintf(stderr, "bench_engine: %s\n", err); exit(1); }
    return m;
}

static Trace *run_ids(const Model *m, int B, int T, int max_new, unsigned long long seed) {
    int *rows[SW_MAX_B], lens[SW_MAX_B];
    for (int b = 0; b < B; b++) {
        rows[b] = malloc(sizeof(int) * (size_t)T);
        bench_prompt_ids(rows[b], T, seed + (unsigned long long)b);
        for (int t = 0; t < T; t++) rows[b][t] %= m->c.vocab_size;   /* GPT-2's ids fit; a Llama's 32000 may not */
        lens[b] = T;
    }
    TraceOpts o;
    TraceOpts_default(&o);
    if (max_new > 0) o.max_new = max_new;
    char err[SW_ERR_LEN] = "";
    Trace *t = Trace_run_ids(m, (const int *const *)rows, lens, B, &o, err);
    for (int b = 0; b < B; b++) free(rows[b]);
    if (!t) { fprintf(stderr, "bench_engine: Trace_run_ids B=%d T=%d: %s\n", B, T, err); exit(1); }
    return t;
}

static char weights_file[4200];

static size_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* Fraction of the file's pages in the page cache (mincore), or -1. */
static double resident_fraction(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t len = file_size(path);
    void *p = len ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED) return -1;
    long pg = sysconf(_SC_PAGESIZE);
    size_t n = (len + (size_t)pg - 1) / (size_t)pg, in = 0;
    unsigned char *vec = malloc(n);
    double r = -1;
    if (vec && mincore(p, len, vec) == 0) {
        for (size_t i = 0; i < n; i++) in += vec[i] & 1;
        r = (double)in / (double)n;
    }
    free(vec);
    munmap(p, len);
    return r;
}

/* The engine may map an aligned copy of the weights from its cache folder (SHAPEWALK_CACHE)
 * instead of the file itself. run.sh points SHAPEWALK_CACHE at a folder of the bench's own
 * (and says so with SW_BENCH_OWN_CACHE=1): its files are evicted with the weights, and emptied
 * to time a first start. */
static const char *own_cache(void) {
    const char *c = getenv("SHAPEWALK_CACHE"), *own = getenv("SW_BENCH_OWN_CACHE");
    return c && *c && own && strcmp(own, "1") == 0 ? c : NULL;
}

static int evict_one(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
    (void)ftw;
    if (type == FTW_F && S_ISREG(sb->st_mode)) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) { posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); close(fd); }
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
    (void)ftw;
    if (type == FTW_F && S_ISREG(sb->st_mode)) unlink(path);
    return 0;
}

/* Evict the weights from the page cache. Returns the method that worked, or NULL.
 * Pages still sitting in a CPU's LRU batch cannot be dropped until a kernel worker drains it,
 * and under SCHED_FIFO those workers only run while we sleep: so try a few times, sleeping. */
static const char *evict(const char *path, double *left) {
    const char *method = NULL;
    for (int attempt = 0; attempt < 6; attempt++) {
        if (attempt) usleep(200000);
        sync();
        FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
        if (f) {
            int ok = fputs("1\n", f) >= 0;
            ok &= fclose(f) == 0;
            *left = resident_fraction(path);
            if (ok && *left >= 0 && *left < 0.05) return "drop_caches";
            if (ok) method = "drop_caches";
        }
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        }
        if (own_cache()) nftw(own_cache(), evict_one, 16, FTW_PHYS);
        *left = resident_fraction(path);
        if (*left >= 0 && *left < 0.05) return method ? "drop_caches + posix_fadvise(DONTNEED)" : "posix_fadvise(DONTNEED)";
    }
    return NULL;
}

/* Run argv as a child; its stdout (up to cap-1 bytes) into out when out != NULL (else to
 * /dev/null). Returns the exit status (-1 on failure); *wall_ms and *maxrss_kb filled. */
static int run_child(char *const argv[], char *out, size_t cap, double *wall_ms, long *maxrss_kb) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    double t0 = bench_now_ms();
    pid_t pid = fork();
    if (pid < 0) { close(pfd[0]); close(pfd[1]); return -1; }
    if (pid == 0) {
        close(pfd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(out ? pfd[1] : devnull, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    char sink[4096];
    for (;;) {
        ssize_t k = out ? read(pfd[0], out + n, cap - 1 - n) : read(pfd[0], sink, sizeof sink);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        if (out) { n += (size_t)k; if (n >= cap - 1) break; }
    }
    close(pfd[0]);
    if (out) out[n] = 0;
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &st, 0, &ru) < 0) return -1;
    if (wall_ms) *wall_ms = bench_now_ms() - t0;
    if (maxrss_kb) *maxrss_kb = ru.ru_maxrss;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---------------------------------------------------------------- child modes */

/* start: what the program does before its first station can be drawn. */
static int mode_start(const char *dir, int threads, const char *p1, const char *p2) {
    double t0 = bench_now_ms();
    Pool_set_threads(threads);
    double open_ms;
    Model *m = open_model(dir, &open_ms);
    const char *prompts[2] = { "Hello world! This is fun", "The cat sat on mat" }; /* the lesson's batch */
    char err[SW_ERR_LEN] = "";
    double t1 = bench_now_ms();
    Trace *t;
    if (p1 && p2) {   /* token counts: seeded random ids */
        int l[2] = { atoi(p1), atoi(p2) }, ids[2][64];
        if (l[0] < 1 || l[0] > 64 || l[1] < 1 || l[1] > 64) { fprintf(stderr, "bench_engine start: T1 T2 in 1..64\n"); return 2; }
        const int *rows[2] = { ids[0], ids[1] };
        for (int b = 0; b < 2; b++) {
            bench_prompt_ids(ids[b], l[b], 300 + (unsigned long long)b);
            for (int i = 0; i < l[b]; i++) ids[b][i] %= m->c.vocab_size;
        }
        t = Trace_run_ids(m, rows, l, 2, NULL, err);
    } else {
        t = Trace_run(m, prompts, 2, NULL, err);
    }
    double run_ms = bench_now_ms() - t1;
    if (!t) { fprintf(stderr, "bench_engine start: %s\n", err); return 1; }
    printf("{\"open_ms\": %.3f, \"run_ms\": %.3f, \"total_ms\": %.3f, \"T\": %d}\n",
           open_ms, run_ms, bench_now_ms() - t0, t->T);
    Trace_free(t);
    Model_free(m);
    return 0;
}

/* rss: a T-token trace with every station recorded (default options), then the peak. */
static int mode_rss(const char *dir, int threads, int T) {
    Pool_set_threads(threads);
    Model *m = open_model(dir, NULL);
    long before = status_kb("VmHWM");
    Trace *t = run_ids(m, 1, T, 0, 100);
    /* touch what a user may look at: every layer's inner steps (recomputed when not kept) */
    char err[SW_ERR_LEN];
    for (int l = 0; l < m->c.n_layers; l++) Trace_layer(t, l, err);
    printf("{\"vmhwm_kb\": %ld, \"vmhwm_after_open_kb\": %ld, \"vmrss_kb\": %ld, \"keep_all_layers\": %d}\n",
           status_kb("VmHWM"), before, status_kb("VmRSS"), t->keep_all_layers);
    Trace_free(t);
    Model_free(m);
    return 0;
}

/* ---------------------------------------------------------------- all */

static cJSON *agreement(const Model *m, const char *logits_path) {
    cJSON *o = cJSON_CreateObject();
    FILE *f = fopen(logits_path, "rb");
    if (!f) {
        cJSON_AddStringToObject(o, "status", "no baseline logits (baseline did not run)");
        return o;
    }
    const int V = m->c.vocab_size, n = BENCH_FOX_N;
    float *base = malloc(sizeof(float) * (size_t)V * n);
    size_t got = fread(base, sizeof(float), (size_t)V * n, f);
    fclose(f);
    int lens[1] = { n };
    const int *rows[1] = { bench_fox_ids };
    char err[SW_ERR_LEN] = "";
    Trace *t = Trace_run_ids(m, rows, lens, 1, NULL, err);
    if (got != (size_t)V * n || !t) {
        cJSON_AddStringToObject(o, "status", t ? "baseline logits file is short" : err);
        free(base);
        if (t) Trace_free(t);
        return o;
    }
    int same = 0;
    double maxdiff = 0, maxabs = 0;
    for (int p = 0; p < n; p++) {
        const float *e = Trace_logits_row(t, 0, p), *b = base + (size_t)p * V;
        int ae = 0, ab = 0;
        for (int v = 0; v < V; v++) {
            if (e[v] > e[ae]) ae = v;
            if (b[v] > b[ab]) ab = v;
            double d = fabs((double)e[v] - b[v]);
            if (d > maxdiff) maxdiff = d;
            if (fabs(b[v]) > maxabs) maxabs = fabs(b[v]);
        }
        same += ae == ab;
    }
    cJSON_AddStringToObject(o, "status", same == n && maxdiff <= 1e-3 * (1 + maxabs) ? "agree" : "DISAGREE");
    cJSON_AddNumberToObject(o, "positions", n);
    cJSON_AddNumberToObject(o, "top1_equal", same);
    cJSON_AddNumberToObject(o, "max_abs_logit_diff", maxdiff);
    cJSON_AddNumberToObject(o, "max_abs_logit", maxabs);
    printf("bench_engine: agreement with the baseline on %d positions: top-1 equal %d/%d, max |logit diff| %.2e (logits up to %.2f)\n",
           n, same, n, maxdiff, maxabs);
    Trace_free(t);
    free(base);
    return o;
}

static cJSON *prompt_timings(const Model *m) {
    cJSON *arr = cJSON_CreateArray();
    static const int Ts[] = { 8, 64, 256, 1024 };
    Trace_free(run_ids(m, 1, 64, 0, 100)); /* warm-up: fault the weights in, start the threads */
    for (int B = 1; B <= 2; B++) {
        for (int ti = 0; ti < 4; ti++) {
            int T = Ts[ti];
            int reps = T <= 64 ? 10 : T <= 256 ? 5 : 3;
            if (quick) reps = T <= 256 ? 3 : 2;
            double ms[16], run[16], mm[16];
            int keep = 0, lm = 1, fastest = 0;   /* the rep of the fastest pass (bench_median sorts ms) */
            for (int r = 0; r < reps; r++) {
                double t0 = bench_now_ms();
                Trace *t = run_ids(m, B, T, 0, 100);
                ms[r] = bench_now_ms() - t0;
                run[r] = t->run_ms;
                mm[r] = t->matmul_ms;
                if (ms[r] < ms[fastest]) fastest = r;
                keep = t->keep_all_layers;
                lm = t->logits != NULL;   /* no: the LM head runs per row on demand, not in the pass */
                Trace_free(t);
            }
            double mn = bench_min(ms, reps), med = bench_median(ms, reps);
            double gflops = bench_forward_flops(B, T, lm) / (mn / 1e3) / 1e9;
            printf("bench_engine: prompt B=%d T=%-4d %8.1f ms min %8.1f ms median  %6.1f GFLOP/s (%d reps)\n",
                   B, T, mn, med, gflops, reps);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "B", B);
            cJSON_AddNumberToObject(o, "T", T);
            cJSON_AddNumberToObject(o, "ms_min", mn);
            cJSON_AddNumberToObject(o, "ms_median", med);
            cJSON_AddNumberToObject(o, "engine_run_ms_min", bench_min(run, reps));
            cJSON_AddNumberToObject(o, "engine_matmul_ms", mm[fastest]);
            cJSON_AddNumberToObject(o, "engine_run_ms", run[fastest]);
            cJSON_AddNumberToObject(o, "reps", reps);
            cJSON_AddNumberToObject(o, "useful_gflop", bench_forward_flops(B, T, lm) / 1e9);
            cJSON_AddNumberToObject(o, "lm_head_in_pass", lm);
            cJSON_AddNumberToObject(o, "gflops", gflops);
            cJSON_AddNumberToObject(o, "keep_all_layers", keep);
            cJSON_AddItemToArray(arr, o);
        }
    }
    return arr;
}

static cJSON *generation(const Model *m) {
    cJSON *arr = cJSON_CreateArray();
    /* B=1 at contexts 64 and 512 (the figures), then B=2 at 64: two prompts' new
     * tokens in one step (the "B" entries after the B=1 ones, so a lookup by context finds B=1) */
    static const int Bs[] = { 1, 1, 2 }, Cs[] = { 64, 512, 64 };
    for (int ci = 0; ci < 3; ci++) {
        /* 4 steps to warm up, then n timed ones */
        int B = Bs[ci], c = Cs[ci], n = quick ? 8 : 48, warm = 4;
        Trace *t = run_ids(m, B, c, n + warm + 1, 200);
        Sampler s = { 0 };
        double ms[64];
        char err[SW_ERR_LEN] = "";
        for (int i = -warm; i < n; i++) {
            double t0 = bench_now_ms();
            if (Trace_generate(t, &s, err) != 0) { fprintf(stderr, "bench_engine: Trace_generate: %s\n", err); exit(1); }
            if (i >= 0) ms[i] = bench_now_ms() - t0;
        }
        Trace_free(t);
        double med = bench_median(ms, n), mn = bench_min(ms, n);
        printf("bench_engine: generate B=%d at context %-4d %6.2f ms/step median (%.1f tokens/s)\n", B, c, med, B * 1e3 / med);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "B", B);
        cJSON_AddNumberToObject(o, "context", c);
        cJSON_AddNumberToObject(o, "ms_per_token_median", med);   /* per step: B tokens */
        cJSON_AddNumberToObject(o, "ms_per_token_min", mn);
        cJSON_AddNumberToObject(o, "tokens_per_s", B * 1e3 / med);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* n warm starts of argv in fresh processes, after one that fills the page cache: their median
 * times (whole start, open, tokenize+forward) into parent[key], and one line of output ending
 * in tail. out keeps the last run's report. Returns how many runs were measured. */
static int warm_starts(char **argv, int n, cJSON *parent, const char *key, const char *tail, char *out, size_t cap) {
    double wall, w[8], wrun[8], wopen[8];
    int nw = 0;
    run_child(argv, out, cap, &wall, NULL);   /* warms the page cache */
    for (int i = 0; i < n && nw < 8; i++) {
        if (run_child(argv, out, cap, &wall, NULL) != 0) break;
        cJSON *j = cJSON_Parse(out);
        if (!j) break;
        w[nw] = wall;
        wopen[nw] = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "open_ms"));
        wrun[nw] = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "run_ms"));
        nw++;
        cJSON_Delete(j);
    }
    if (nw > 0) {
        cJSON *wo = cJSON_AddObjectToObject(parent, key);
        cJSON_AddNumberToObject(wo, "ms_median", bench_median(w, nw));
        cJSON_AddNumberToObject(wo, "ms_min", bench_min(w, nw));
        cJSON_AddNumberToObject(wo, "open_ms_median", bench_median(wopen, nw));
        cJSON_AddNumberToObject(wo, "forward_ms_median", bench_median(wrun, nw));
        printf("bench_engine: start to first station, warm: %.0f ms median (open %.0f, tokenize+forward %.0f)%s\n",
               bench_median(w, nw), bench_median(wopen, nw), bench_median(wrun, nw), tail);
    }
    return nw;
}

static cJSON *start_times(const char *self, const char *dir, int threads, int with_dump) {
    cJSON *o = cJSON_CreateObject();
    char weights[4200];
    snprintf(weights, sizeof weights, "%s/model.safetensors", dir);
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    char *argv[] = { (char *)self, "start", (char *)dir, th, NULL };
    char out[4096];
    double wall;
    int warm_n = quick ? 2 : 5, cold_n = quick ? 1 : 3;
    /* A first start: with an empty cache folder the engine may write its aligned copy. */
    if (own_cache()) {
        nftw(own_cache(), remove_one, 16, FTW_PHYS);
        if (run_child(argv, out, sizeof out, &wall, NULL) == 0) {
            cJSON_AddNumberToObject(o, "first_start_ms", wall);
            printf("bench_engine: first start (empty cache folder %s): %.0f ms\n", own_cache(), wall);
        }
    }
    warm_starts(argv, warm_n, o, "warm", " in a fresh process", out, sizeof out);
    double left = -1;
    const char *method = evict(weights, &left);
    cJSON *co = cJSON_AddObjectToObject(o, "cold");
    if (!method) {
        char why[160];
        snprintf(why, sizeof why, "not measurable: could not evict the weights (%.0f%% still cached)", left * 100);
        cJSON_AddStringToObject(co, "status", why);
        printf("bench_engine: start, cold: %s\n", why);
    } else {
        double c[8];
        int nc = 0;
        for (int i = 0; i < cold_n; i++) {
            if (i > 0 && !evict(weights, &left)) break;
            if (run_child(argv, out, sizeof out, &wall, NULL) != 0) break;
            c[nc++] = wall;
        }
        cJSON_AddStringToObject(co, "status", nc ? "ok" : "child failed");
        cJSON_AddStringToObject(co, "method", method);
        if (nc) {
            cJSON_AddNumberToObject(co, "ms_median", bench_median(c, nc));
            cJSON_AddNumberToObject(co, "ms_min", bench_min(c, nc));
            printf("bench_engine: start to first station, cold (%s): %.0f ms median\n", method, bench_median(c, nc));
        }
    }
    /* the real program, headless, end to end */
    const char *bin = getenv("SW_BIN");
    if (with_dump && bin && access(bin, X_OK) == 0) {
        char *dargv[] = { (char *)bin, "--model", (char *)dir, "--threads", th, "--dump", NULL };
        double d[8];
        int nd = 0;
        run_child(dargv, NULL, 0, &wall, NULL);
        for (int i = 0; i < warm_n; i++) {
            if (run_child(dargv, NULL, 0, &wall, NULL) != 0) break;
            d[nd++] = wall;
        }
        cJSON *dj = cJSON_AddObjectToObject(o, "shapewalk_dump");
        if (nd) {
            cJSON_AddNumberToObject(dj, "warm_ms_median", bench_median(d, nd));
            printf("bench_engine: `shapewalk --dump` end to end, warm: %.0f ms median\n", bench_median(d, nd));
            if (method && evict(weights, &left) && run_child(dargv, NULL, 0, &wall, NULL) == 0) {
                cJSON_AddNumberToObject(dj, "cold_ms", wall);
                printf("bench_engine: `shapewalk --dump` end to end, cold: %.0f ms\n", wall);
            }
        } else {
            cJSON_AddStringToObject(dj, "status", "shapewalk --dump failed");
        }
    }
    return o;
}

static cJSON *peak_rss(const char *self, const char *dir, int threads) {
    cJSON *o = cJSON_CreateObject();
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    char *argv[] = { (char *)self, "rss", (char *)dir, th, "1024", NULL };
    char out[4096];
    double wall;
    long maxrss = 0;
    if (run_child(argv, out, sizeof out, &wall, &maxrss) != 0) {
        cJSON_AddStringToObject(o, "status", "child failed");
        return o;
    }
    cJSON *j = cJSON_Parse(out);
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddNumberToObject(o, "T", 1024);
    cJSON_AddNumberToObject(o, "maxrss_mb", maxrss * 1024 / 1e6);  /* getrusage of the child (wait4), KiB -> MB */
    if (j) {
        cJSON_AddNumberToObject(o, "vmhwm_mb", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "vmhwm_kb")) * 1024 / 1e6);
        cJSON_AddNumberToObject(o, "vmhwm_after_open_mb", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "vmhwm_after_open_kb")) * 1024 / 1e6);
        cJSON_AddNumberToObject(o, "keep_all_layers", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "keep_all_layers")));
        cJSON_Delete(j);
    }
    char weights[4200];
    snprintf(weights, sizeof weights, "%s/model.safetensors", dir);
    printf("bench_engine: peak RSS with a T=1024 full trace: %.0f MB (weights file %.0f MB)\n",
           maxrss * 1024 / 1e6, file_size(weights) / 1e6);
    return o;
}

static int mode_all(const char *self, const char *dir, const char *out_path, int threads) {
    cJSON *root = cJSON_CreateObject();
    Pool_set_threads(threads);
    cJSON_AddNumberToObject(root, "openblas_threads", openblas_get_num_threads());
    double open_ms;
    Model *m = open_model(dir, &open_ms);
    char desc[256];
    Model_describe(m, desc, sizeof desc);
    printf("bench_engine: %s, OpenBLAS threads %d\n", desc, openblas_get_num_threads());
    char blas[256];
    Blas_describe(blas, sizeof blas);
    printf("bench_engine: BLAS %s\n", blas);
    cJSON_AddStringToObject(root, "blas", blas);
    cJSON_AddStringToObject(root, "blas_kernel", openblas_get_corename());
    cJSON_AddStringToObject(root, "model", desc);
    cJSON_AddStringToObject(root, "model_dir", dir);
    cJSON_AddNumberToObject(root, "weight_bytes", (double)m->weight_bytes);
    cJSON_AddNumberToObject(root, "weights_file_bytes", (double)file_size(weights_file));
    cJSON_AddNumberToObject(root, "n_params", (double)Model_n_params(m));
    cJSON_AddNumberToObject(root, "flops_formula_matmul_params", bench_matmul_params());

    char lpath[4200];
    snprintf(lpath, sizeof lpath, "%s", out_path);
    char *slash = strrchr(lpath, '/');
    snprintf(slash ? slash + 1 : lpath, sizeof lpath - (size_t)(slash ? slash + 1 - lpath : 0), "baseline_logits.bin");
    cJSON_AddItemToObject(root, "agreement", agreement(m, lpath));
    cJSON_AddItemToObject(root, "prompt", prompt_timings(m));
    cJSON_AddItemToObject(root, "generate", generation(m));
    Model_free(m);   /* the children below start from nothing, and eviction needs no mapping */
    cJSON_AddItemToObject(root, "start", start_times(self, dir, threads, 1));
    cJSON_AddItemToObject(root, "rss", peak_rss(self, dir, threads));
    /* The same checkpoint with its data section 64-byte aligned (SW_BENCH_ALIGNED_DIR): the
     * engine maps those tensors instead of copying them out of an odd offset. */
    const char *al = getenv("SW_BENCH_ALIGNED_DIR");
    if (al && *al) {
        char w[4200];
        snprintf(w, sizeof w, "%s/model.safetensors", al);
        if (file_size(w) > 0) {
            printf("bench_engine: the same weights, data section 64-byte aligned (%s):\n", al);
            cJSON *ao = cJSON_AddObjectToObject(root, "aligned_copy");
            cJSON_AddStringToObject(ao, "model_dir", al);
            cJSON_AddItemToObject(ao, "start", start_times(self, al, threads, 0));
            cJSON_AddItemToObject(ao, "rss", peak_rss(self, al, threads));
        }
    }
    int rc = bench_write_json(out_path, root);
    cJSON_Delete(root);
    return rc ? 1 : 0;
}

/* gguf: the figures of issue 13's speed part for one GGUF file (bench/mkgguf writes them in
 * F32, Q8_0, Q4_0): warm start to first station (fresh processes, as start_times), the
 * whole-prompt forward at T=256, generation at contexts 64 and 512 (run.sh also alternates
 * `gen` rounds of the types), peak RSS of a T=256 trace against the file's size. */
static int mode_gguf(const char *self, const char *file, const char *out_path, int threads) {
    cJSON *root = cJSON_CreateObject();
    Pool_set_threads(threads);
    Model *m = open_model(file, NULL);
    char desc[256];
    Model_describe(m, desc, sizeof desc);
    printf("bench_engine: %s (%s)\n", desc, file);
    cJSON_AddStringToObject(root, "model", desc);
    cJSON_AddStringToObject(root, "file", file);
    cJSON_AddStringToObject(root, "weights", m->weights);
    cJSON_AddNumberToObject(root, "weight_bytes", (double)m->weight_bytes);
    cJSON_AddNumberToObject(root, "file_bytes", (double)file_size(file));
    cJSON_AddNumberToObject(root, "n_params", (double)Model_n_params(m));
    /* prompt T=256, B=1, after one warm-up pass */
    Trace_free(run_ids(m, 1, 64, 0, 100));
    int reps = quick ? 2 : 5;
    double ms[8];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ms();
        Trace_free(run_ids(m, 1, 256, 0, 100));
        ms[r] = bench_now_ms() - t0;
    }
    cJSON *po = cJSON_AddObjectToObject(root, "prompt256");
    cJSON_AddNumberToObject(po, "ms_min", bench_min(ms, reps));
    cJSON_AddNumberToObject(po, "ms_median", bench_median(ms, reps));
    cJSON_AddNumberToObject(po, "tokens_per_s", 256e3 / bench_min(ms, reps));
    printf("bench_engine: prompt T=256 %.1f ms min (%.0f tokens/s)\n", bench_min(ms, reps), 256e3 / bench_min(ms, reps));
    cJSON_AddItemToObject(root, "generate", generation(m));
    Model_free(m);
    /* warm start in fresh processes */
    char th[16];
    snprintf(th, sizeof th, "%d", threads);
    /* mkgguf's vocabulary has no pieces for English: the lesson's prompts would fall back on one
     * byte token a letter (T=36 instead of GPT-2's 6 and 5). So the start runs token ids of
     * the lengths a Llama tokenizer gives the lesson's prompts (GPT-2's 6 and 5, + <s>). */
    char *argv[] = { (char *)self, "start", (char *)file, th, "7", "6", NULL };
    char out[4096];
    double wall;
    if (warm_starts(argv, quick ? 2 : 5, root, "start_warm", "", out, sizeof out) > 0) {
        cJSON *jt = cJSON_Parse(out);
        printf("bench_engine: start prompts: T=%.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItem(jt, "T")));
        cJSON_Delete(jt);
    }
    /* peak RSS of a child holding a T=256 trace */
    char *rargv[] = { (char *)self, "rss", (char *)file, th, "256", NULL };
    long maxrss = 0;
    if (run_child(rargv, out, sizeof out, &wall, &maxrss) == 0) {
        cJSON *ro = cJSON_AddObjectToObject(root, "rss");
        cJSON_AddNumberToObject(ro, "T", 256);
        cJSON_AddNumberToObject(ro, "maxrss_mb", maxrss * 1024 / 1e6);
        printf("bench_engine: peak RSS with a T=256 trace: %.0f MB (file %.0f MB)\n", maxrss * 1024 / 1e6, file_size(file) / 1e6);
    }
    int rc = bench_write_json(out_path, root);
    cJSON_Delete(root);
    return rc ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_engine all|gen|gguf MODEL_DIR OUT.json THREADS [quick] | start MODEL_DIR THREADS | rss MODEL_DIR THREADS T\n");
        return 2;
    }
    /* as the program does first thing: OpenBLAS's better kernels when it picked weaker ones */
    int brc = Blas_startup(NULL, argv);
    if (brc) return brc;
    const char *mode = argv[1], *dir = argv[2];
    snprintf(weights_file, sizeof weights_file, "%s/model.safetensors", dir);
    if (strcmp(mode, "start") == 0) return mode_start(dir, atoi(argv[3]), argc >= 6 ? argv[4] : NULL, argc >= 6 ? argv[5] : NULL);
    if (strcmp(mode, "rss") == 0 && argc >= 5) return mode_rss(dir, atoi(argv[3]), atoi(argv[4]));
    quick = argc > 5 && strcmp(argv[5], "quick") == 0;   /* gen and all */
    if (strcmp(mode, "gen") == 0 && argc >= 5) {
        Pool_set_threads(atoi(argv[4]));
        double open_ms;
        Model *m = open_model(dir, &open_ms);
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "generate", generation(m));
        Model_free(m);
        int rc = bench_write_json(argv[3], root);
        cJSON_Delete(root);
        return rc ? 1 : 0;
    }
    if ((strcmp(mode, "all") == 0 || strcmp(mode, "gguf") == 0) && argc >= 5) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) { fprintf(stderr, "bench_engine: cannot find my own path\n"); return 1; }
        self[n] = 0;
        if (strcmp(mode, "gguf") == 0) return mode_gguf(self, dir, argv[3], atoi(argv[4]));
        return mode_all(self, dir, argv[3], atoi(argv[4]));
    }
    fprintf(stderr, "bench_engine: unknown mode %s\n", mode);
    return 2;
}
