/* blas.c - the OpenBLAS kernel choice (see blas.h). */
#include "engine/blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define SW_X86 1
#endif

#define BLAS_MARK "SHAPEWALK_BLAS_CHOSE"

/* OpenBLAS's x86-64 kernels (the DYNAMIC_ARCH list of 0.3.21) and what each needs */
static const struct { const char *name; int tier; unsigned need; } kernels[] = {
    {"Prescott", 1, BLAS_SSE3},
    {"Core2", 1, BLAS_SSE3},
    {"Penryn", 1, BLAS_SSE3},
    {"Dunnington", 1, BLAS_SSE3},
    {"Nehalem", 1, BLAS_SSE3},
    {"Atom", 1, BLAS_SSE3},
    {"Opteron", 1, BLAS_3DNOW},
    {"OpteronSSE3", 1, BLAS_SSE3 | BLAS_3DNOW},
    {"Barcelona", 1, BLAS_SSE3 | BLAS_SSE4A},
    {"Bobcat", 1, BLAS_SSE3 | BLAS_SSE4A},
    {"Sandybridge", 2, BLAS_AVX},
    {"Bulldozer", 2, BLAS_AVX | BLAS_FMA4},
    {"Piledriver", 2, BLAS_AVX | BLAS_FMA4},
    {"Steamroller", 2, BLAS_AVX | BLAS_FMA4},
    {"Excavator", 2, BLAS_AVX | BLAS_FMA4},
    {"Haswell", 3, BLAS_AVX | BLAS_AVX2},
    {"Zen", 3, BLAS_AVX | BLAS_AVX2},
    {"SkylakeX", 4, BLAS_AVX | BLAS_AVX2 | BLAS_AVX512},
    {"Cooperlake", 4, BLAS_AVX | BLAS_AVX2 | BLAS_AVX512 | BLAS_AVX512BF16},
};
#define N_KERNELS ((int)(sizeof kernels / sizeof *kernels))

static int kernel_index(const char *name) {
    for (int i = 0; name && i < N_KERNELS; i++)
        if (strcasecmp(name, kernels[i].name) == 0) return i;
    return -1;
}

const char *Blas_kernel_name(const char *name) {
    int i = kernel_index(name);
    return i < 0 ? NULL : kernels[i].name;
}

int Blas_kernel_tier(const char *name) {
    int i = kernel_index(name);
    return i < 0 ? 0 : kernels[i].tier;
}

int Blas_can_run(const BlasCpu *c, const char *name) {
    int i = kernel_index(name);
    return i >= 0 && (kernels[i].need & ~c->have) == 0;
}

const char *Blas_best_kernel(const BlasCpu *c) {
    if (c->have & BLAS_AVX512) return "SkylakeX";
    if (c->have & BLAS_AVX2) return c->amd ? "Zen" : "Haswell";
    if (c->have & BLAS_AVX) return "Sandybridge";
    return NULL;
}

static const char *tier_name(int tier) {
    static const char *names[] = {"unknown", "SSE", "AVX", "AVX2+FMA", "AVX-512"};
    return names[tier >= 0 && tier <= 4 ? tier : 0];
}

const char *Blas_choose(const BlasCpu *c, const char *mode, const char *env, const char *current, char *why,
                        size_t why_len) {
    char dummy[8];
    if (!why) why = dummy, why_len = sizeof dummy;
    if (env && !*env) env = NULL;
    if (mode && strcmp(mode, "keep") == 0) {
        snprintf(why, why_len, "--blas-kernel keep: %s stays", current ? current : "the library's pick");
        return NULL;
    }
    if (mode && strcmp(mode, "auto") != 0) {
        const char *k = Blas_kernel_name(mode);
        if (!k) { snprintf(why, why_len, "'%s' is not a kernel shapewalk knows", mode); return NULL; }
        if (env && strcasecmp(env, k) == 0) { snprintf(why, why_len, "OPENBLAS_CORETYPE is %s already", k); return NULL; }
        snprintf(why, why_len, "--blas-kernel %s", k);
        return k;
    }
    if (env) { snprintf(why, why_len, "OPENBLAS_CORETYPE=%s is set: left as it is", env); return NULL; }
    const char *best = Blas_best_kernel(c);
    int cur = Blas_kernel_tier(current);
    if (!best) { snprintf(why, why_len, "no kernel to prefer on this CPU: the library's pick stays"); return NULL; }
    if (!current || cur == 0) {
        /* a name this table lacks may be a newer library's better kernel: leave it */
        snprintf(why, why_len, "the library's kernel %s is not one shapewalk knows: left as it is", current ? current : "(none)");
        return NULL;
    }
    if (cur >= Blas_kernel_tier(best)) {
        snprintf(why, why_len, "the library's %s (%s) is as strong as %s", current, tier_name(cur), best);
        return NULL;
    }
    snprintf(why, why_len, "the library picked %s (%s kernels) on a CPU that runs %s (%s)", current, tier_name(cur), best,
             tier_name(Blas_kernel_tier(best)));
    return best;
}

void Blas_cpu(BlasCpu *c) {
    memset(c, 0, sizeof *c);
#ifdef SW_X86
    unsigned a, b, cx, d;
    if (!__get_cpuid(0, &a, &b, &cx, &d)) return;
    unsigned max_leaf = a;
    c->amd = (b == 0x68747541 && d == 0x69746e65 && cx == 0x444d4163) ||   /* "AuthenticAMD" */
             (b == 0x6f677948 && d == 0x6e65476e && cx == 0x656e6975);     /* "HygonGenuine" */
    __get_cpuid(1, &a, &b, &cx, &d);
    unsigned fam = (a >> 8) & 0xF;
    c->family = (int)(fam == 0xF ? fam + ((a >> 20) & 0xFF) : fam);
    if (cx & 1u) c->have |= BLAS_SSE3;
    int fma3 = (cx >> 12) & 1, osxsave = (cx >> 27) & 1, avx = (cx >> 28) & 1;
    unsigned xcr0 = 0;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = lo;
    }
    int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xE6) == 0xE6;
    if (avx && ymm) c->have |= BLAS_AVX;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, cx, d);
        unsigned sub1 = a;
        int avx2 = (b >> 5) & 1;
        int f = (b >> 16) & 1, dq = (b >> 17) & 1, cd = (b >> 28) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
        if (avx2 && fma3 && (c->have & BLAS_AVX)) c->have |= BLAS_AVX2;
        if (f && dq && cd && bw && vl && zmm && (c->have & BLAS_AVX2)) c->have |= BLAS_AVX512;
        if (sub1 >= 1) {
            __cpuid_count(7, 1, a, b, cx, d);
            if (((a >> 5) & 1) && (c->have & BLAS_AVX512)) c->have |= BLAS_AVX512BF16;
        }
    }
    __get_cpuid(0x80000000, &a, &b, &cx, &d);
    if (a >= 0x80000001) {
        __get_cpuid(0x80000001, &a, &b, &cx, &d);
        if ((cx >> 6) & 1) c->have |= BLAS_SSE4A;
        if (((cx >> 16) & 1) && (c->have & BLAS_AVX)) c->have |= BLAS_FMA4;
        if ((d >> 31) & 1) c->have |= BLAS_3DNOW;
    }
#endif
}

/* the kernels this CPU runs, for messages */
static void runnable_list(const BlasCpu *c, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < N_KERNELS; i++) {
        if (!Blas_can_run(c, kernels[i].name)) continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", kernels[i].name);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

int Blas_startup(const char *mode, char **argv) {
    BlasCpu c;
    Blas_cpu(&c);
    if (mode && strcmp(mode, "auto") != 0 && strcmp(mode, "keep") != 0) {
        char list[512];
        runnable_list(&c, list, sizeof list);
        if (!Blas_kernel_name(mode)) {
            fprintf(stderr, "shapewalk: --blas-kernel '%s' is not an OpenBLAS kernel shapewalk knows; give auto, keep or one of: %s\n",
                    mode, list);
            return 2;
        }
        if (!Blas_can_run(&c, mode)) {
            fprintf(stderr, "shapewalk: --blas-kernel %s needs instructions this CPU lacks; give auto, keep or one of: %s\n",
                    Blas_kernel_name(mode), list);
            return 2;
        }
    }
    if (getenv(BLAS_MARK)) return 0;   /* the second start: never again */
    const char *env = getenv("OPENBLAS_CORETYPE");
    const char *current = openblas_get_corename();
    const char *k = Blas_choose(&c, mode, env, current, NULL, 0);
    if (!k) return 0;
    char mark[96], old_env[64] = "";
    /* "how:whose:kernel": auto or flag; the kernel before, the library's pick or the variable's */
    snprintf(mark, sizeof mark, "%s:%s:%s", mode && strcmp(mode, "auto") != 0 ? "flag" : "auto", env && *env ? "env" : "lib",
             current ? current : "");
    if (env) snprintf(old_env, sizeof old_env, "%s", env);
    setenv("OPENBLAS_CORETYPE", k, 1);
    setenv(BLAS_MARK, mark, 1);
    fflush(stdout);
    fflush(stderr);
    execv("/proc/self/exe", argv);
    /* no /proc or exec refused: go on with the library's pick */
    if (old_env[0]) setenv("OPENBLAS_CORETYPE", old_env, 1);
    else unsetenv("OPENBLAS_CORETYPE");
    unsetenv(BLAS_MARK);
    return 0;
}

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

void Blas_info(BlasInfo *b) {
    memset(b, 0, sizeof *b);
    /* "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." */
    const char *cfg = openblas_get_config();
    char name[32] = "OpenBLAS", ver[32] = "";
    if (cfg) sscanf(cfg, "%31s %31s", name, ver);
    snprintf(b->library, sizeof b->library, "%s%s%s", name, ver[0] ? " " : "", ver);
    int par = openblas_get_parallel();
    copy(b->threading, sizeof b->threading, par == 0 ? "sequential" : par == 2 ? "OpenMP" : "pthreads");
    copy(b->kernel, sizeof b->kernel, openblas_get_corename());
    const char *mark = getenv(BLAS_MARK), *env = getenv("OPENBLAS_CORETYPE");
    if (mark && env) {
        const char *before = strrchr(mark, ':');
        copy(b->chosen_by, sizeof b->chosen_by, strncmp(mark, "flag", 4) == 0 ? "--blas-kernel" : "shapewalk");
        copy(b->before, sizeof b->before, before ? before + 1 : "");
        b->before_from_env = strstr(mark, ":env:") != NULL;
    } else if (env && *env) {
        copy(b->chosen_by, sizeof b->chosen_by, "OPENBLAS_CORETYPE");
    } else {
        copy(b->chosen_by, sizeof b->chosen_by, "the library");
    }
    if (env && *env && strcasecmp(env, b->kernel) != 0) copy(b->asked, sizeof b->asked, env);
}

void Blas_describe(char *buf, size_t n) {
    BlasInfo b;
    Blas_info(&b);
    char extra[160] = "";
    if (b.before[0] && strcasecmp(b.before, b.kernel) != 0)
        snprintf(extra, sizeof extra, b.before_from_env ? "; OPENBLAS_CORETYPE was %s" : "; the library picked %s", b.before);
    if (b.asked[0]) snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "; %s was asked for, which this library does not know", b.asked);
    snprintf(buf, n, "%s (%s), kernel %s (chosen by %s%s)", b.library, b.threading, b.kernel, b.chosen_by, extra);
}
