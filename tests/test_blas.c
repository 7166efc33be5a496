/* test_blas.c - the OpenBLAS kernel choice (engine/blas.c) on fake CPUs and core names, and
 * the forward pass's numbers under every kernel this CPU runs: each kernel in a child process
 * (OPENBLAS_CORETYPE is read only when the library loads), against this process's numbers. */
#include <fcntl.h>
#include <strings.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cblas.h>

#include "check.h"
#include "engine/blas.h"
#include "engine/pool.h"
#include "engine/trace.h"

#define AVX2_ALL (BLAS_SSE3 | BLAS_SSE4A | BLAS_AVX | BLAS_AVX2)

static const char *choose(const BlasCpu *c, const char *mode, const char *env, const char *current) {
    char why[256];
    return Blas_choose(c, mode, env, current, why, sizeof why);
}
static int same(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static void test_choice(void) {
    /* the Intel Xeon of issue 12: AVX-512, OpenBLAS 0.3.21 picked Prescott */
    BlasCpu xeon = {BLAS_SSE3 | BLAS_AVX | BLAS_AVX2 | BLAS_AVX512, 0, 6};
    BlasCpu zen2 = {AVX2_ALL, 1, 23};
    BlasCpu zen5 = {AVX2_ALL | BLAS_AVX512 | BLAS_AVX512BF16, 1, 26};
    BlasCpu old = {BLAS_SSE3, 0, 6};
    BlasCpu bulldozer = {BLAS_SSE3 | BLAS_SSE4A | BLAS_AVX | BLAS_FMA4, 1, 21};
    expect(same(choose(&xeon, NULL, NULL, "Prescott"), "SkylakeX"), "choice: AVX-512 Xeon on Prescott kernels -> SkylakeX", " ");
    expect(same(choose(&xeon, "auto", NULL, "Prescott"), "SkylakeX"), "choice: auto is the default", " ");
    expect(!choose(&xeon, NULL, "Prescott", "Prescott"), "choice: OPENBLAS_CORETYPE set by the user is left alone", " ");
    expect(!choose(&xeon, "keep", NULL, "Prescott"), "choice: keep keeps the library's pick", " ");
    expect(!choose(&xeon, NULL, NULL, "SkylakeX") && !choose(&xeon, NULL, NULL, "Cooperlake"),
           "choice: an AVX-512 kernel already: no new start", " ");
    expect(same(choose(&xeon, NULL, NULL, "Haswell"), "SkylakeX"), "choice: AVX2 kernels on an AVX-512 CPU -> SkylakeX", " ");
    expect(same(choose(&zen2, NULL, NULL, "Prescott"), "Zen"), "choice: AMD Zen 2 on Prescott kernels -> Zen", " ");
    expect(!choose(&zen2, NULL, NULL, "Haswell") && !choose(&zen2, NULL, NULL, "Zen"),
           "choice: Zen 2 on Haswell or Zen kernels (both AVX2): no new start", " ");
    expect(same(choose(&zen5, NULL, NULL, "Haswell"), "SkylakeX") && same(choose(&zen5, NULL, NULL, "Zen"), "SkylakeX"),
           "choice: Zen 5 (AVX-512) on AVX2 kernels -> SkylakeX (measured faster, bench/README.md)", " ");
    expect(!choose(&zen5, NULL, NULL, "Cooperlake"), "choice: Zen 5 on Cooperlake (0.3.21's own pick there): kept", " ");
    expect(same(choose(&(BlasCpu){BLAS_SSE3 | BLAS_AVX | BLAS_AVX2, 0, 6}, NULL, NULL, "Nehalem"), "Haswell"),
           "choice: an Intel AVX2 CPU on Nehalem kernels -> Haswell", " ");
    expect(!choose(&old, NULL, NULL, "Prescott"), "choice: an SSE3-only CPU: left to the library", " ");
    expect(!choose(&bulldozer, NULL, NULL, "Piledriver"), "choice: Bulldozer family on its own kernels: kept (AVX tier)", " ");
    expect(!choose(&xeon, NULL, NULL, "SapphireRapids") && !choose(&xeon, NULL, NULL, NULL),
           "choice: a kernel name shapewalk does not know (a newer library's) is left alone", " ");
    expect(same(choose(&xeon, "haswell", NULL, "Prescott"), "Haswell"), "choice: --blas-kernel NAME (any case) starts with it", " ");
    expect(!choose(&xeon, "Haswell", "HASWELL", "Haswell"), "choice: --blas-kernel NAME already in OPENBLAS_CORETYPE: no new start", " ");
    expect(same(choose(&xeon, "Zen", "Prescott", "Prescott"), "Zen"), "choice: --blas-kernel NAME wins over OPENBLAS_CORETYPE", " ");
    expect(!choose(&xeon, "Bogus", NULL, "Prescott"), "choice: an unknown --blas-kernel name chooses nothing", " ");

    expect(same(Blas_kernel_name("skylakex"), "SkylakeX") && !Blas_kernel_name("Bogus") && !Blas_kernel_name(NULL),
           "kernel names: table spelling from any case; unknown -> NULL", " ");
    expect(Blas_kernel_tier("Prescott") == 1 && Blas_kernel_tier("Sandybridge") == 2 && Blas_kernel_tier("Zen") == 3 &&
               Blas_kernel_tier("Cooperlake") == 4 && Blas_kernel_tier("Bogus") == 0,
           "kernel tiers: SSE 1, AVX 2, AVX2 3, AVX-512 4, unknown 0", " ");
    expect(!Blas_can_run(&zen5, "Excavator") && !Blas_can_run(&zen5, "Opteron") && Blas_can_run(&zen5, "Cooperlake") &&
               Blas_can_run(&zen5, "Barcelona"),
           "can run: Zen 5 lacks FMA4 and 3DNow! (Bulldozer family, Opteron), has BF16 (Cooperlake)", " ");
    expect(!Blas_can_run(&xeon, "Cooperlake") && Blas_can_run(&xeon, "SkylakeX") && !Blas_can_run(&xeon, "Barcelona") &&
               !Blas_can_run(&old, "Haswell") && Blas_can_run(&bulldozer, "Bulldozer"),
           "can run: BF16, SSE4a, AVX2 and FMA4 are needed where the kernels use them", " ");
    expect(!Blas_best_kernel(&old) && same(Blas_best_kernel(&bulldozer), "Sandybridge") && same(Blas_best_kernel(&zen2), "Zen"),
           "best kernel: none for SSE3 only, Sandybridge for AVX, Zen for AMD AVX2", " ");

    BlasCpu me;
    Blas_cpu(&me);
#if defined(__x86_64__)
    expect((me.have & BLAS_SSE3) && me.family > 0, "this CPU: cpuid reads (SSE3 on any x86-64 that runs this)", "have %#x family %d",
           me.have, me.family);
#endif
    char d[256];
    Blas_describe(d, sizeof d);
    expect(strstr(d, "OpenBLAS") && strstr(d, openblas_get_corename()), "describe names the library and the kernel", "%s", d);
}

/* ---- the forward pass under each kernel ---- */

static const char *models[] = {"models/stories260K/stories260K.bin", "models/gpt2-test-d64"};
static const char *prompt = "Once upon a time, there was a little girl named Lily.";

/* every logit of the prompt's positions; NULL on failure */
static float *forward_logits(const char *rel, int *n_out, char *err) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", shared_dir(), rel);
    Model *m = Model_open(path, NULL, err);
    if (!m) return NULL;
    const char *texts[1] = {prompt};
    Trace *t = Trace_run(m, texts, 1, NULL, err);
    float *out = NULL;
    if (t) {
        int V = m->c.vocab_size, T = t->len[0];
        out = malloc(sizeof(float) * (size_t)V * (size_t)T);
        for (int p = 0; out && p < T; p++) memcpy(out + (size_t)p * V, Trace_logits_row(t, 0, p), sizeof(float) * (size_t)V);
        *n_out = V * T;
        Trace_free(t);
    }
    Model_free(m);
    return out;
}

/* child: run the forward for model index mi and write the logits to fd 1; exit 3 when the
 * library runs another kernel than asked (it does not know the name) */
static int child(const char *kernel, int mi) {
    if (strcasecmp(openblas_get_corename(), kernel) != 0) return 3;
    char err[SW_ERR_LEN];
    int n = 0;
    float *l = forward_logits(models[mi], &n, err);
    if (!l) { fprintf(stderr, "%s\n", err); return 1; }
    size_t want = sizeof(float) * (size_t)n, done = 0;
    while (done < want) {
        ssize_t w = write(1, (char *)l + done, want - done);
        if (w <= 0) return 1;
        done += (size_t)w;
    }
    free(l);
    return 0;
}

static void test_kernels(void) {
    static const char *all[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Opteron",
                                "OpteronSSE3", "Barcelona", "Bobcat", "Sandybridge", "Bulldozer", "Piledriver",
                                "Steamroller", "Excavator", "Haswell", "Zen", "SkylakeX", "Cooperlake"};
    BlasCpu me;
    Blas_cpu(&me);
    for (int mi = 0; mi < 2; mi++) {
        char err[SW_ERR_LEN], name[256];
        int n = 0;
        float *ref = forward_logits(models[mi], &n, err);
        if (!ref) { skip("kernels: forward", "%s: %s", models[mi], err); continue; }
        int V = mi == 0 ? 512 : 50257;
        char ran[512] = "", skipped[512] = "";
        double worst = 0;
        int ok = 1;
        for (size_t k = 0; k < sizeof all / sizeof *all; k++) {
            if (!Blas_can_run(&me, all[k])) {
                snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), " %s", all[k]);
                continue;
            }
            char tmpl[] = "/tmp/sw_blas_XXXXXX";
            int fd = mkstemp(tmpl);
            if (fd < 0) { ok = 0; break; }
            unlink(tmpl);
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                dup2(fd, 1);
                setenv("OPENBLAS_CORETYPE", all[k], 1);
                char mis[16];
                snprintf(mis, sizeof mis, "%d", mi);
                execl("/proc/self/exe", "test_blas", "--child", all[k], mis, (char *)NULL);
                _exit(127);
            }
            int st = 0;
            waitpid(pid, &st, 0);
            if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {   /* this library does not know the name */
                snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), " %s(unknown)", all[k]);
                close(fd);
                continue;
            }
            float *got = malloc(sizeof(float) * (size_t)n);
            ssize_t r = got ? pread(fd, got, sizeof(float) * (size_t)n, 0) : -1;
            close(fd);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || r != (ssize_t)(sizeof(float) * (size_t)n)) {
                fail("kernels: child", "%s under %s: status %#x, %zd bytes", models[mi], all[k], st, r);
                ok = 0;
                free(got);
                continue;
            }
            /* per position: |difference| against that row's largest |logit| (rel_to): the same
             * sums in each kernel's own order (tests/test_forward.c REORDER_TOL) */
            for (int p = 0; p < n / V; p++) {
                double d = 0, size = 0;
                for (int v = 0; v < V; v++) {
                    double x = ref[(size_t)p * V + v], y = got[(size_t)p * V + v];
                    if (fabs(x - y) > d || isnan(y)) d = isnan(y) ? INFINITY : fabs(x - y);
                    if (fabs(x) > size) size = fabs(x);
                }
                if (rel_to(d, size) > worst) worst = rel_to(d, size);
            }
            snprintf(ran + strlen(ran), sizeof ran - strlen(ran), " %s", all[k]);
            free(got);
        }
        snprintf(name, sizeof name, "kernels: %s: every kernel this CPU runs gives the same logits (1e-5 of each row's size)",
                 mi == 0 ? "stories260K" : "gpt2-d64");
        expect(ok && ran[0] && worst <= 1e-5, name, "worst %g; ran%s; skipped%s", worst, ran, skipped);
        printf("  (%s: ran%s; not on this CPU%s; worst %g)\n", models[mi], ran, skipped[0] ? skipped : " none", worst);
        free(ref);
    }
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--child") == 0) return child(argv[2], atoi(argv[3]));
    test_choice();
    test_kernels();
    return check_done();
}
