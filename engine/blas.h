/* blas.h - which OpenBLAS kernels this CPU should run, and starting the program again with
 * them. OpenBLAS (DYNAMIC_ARCH builds, as Debian's) picks its kernels by CPU model when it
 * loads, and versions before 0.3.25 fall back to old ones for models they do not list: SSE3
 * "Prescott" on newer Intel Xeons (5x slower sgemm), AVX2 "Haswell" on AMD Zen 5 with AVX-512.
 * The variable OPENBLAS_CORETYPE overrides the pick, but it is read only when the library
 * loads, so the program sets it and execs itself once (Blas_startup, first thing in main).
 * The choice itself is pure functions of CPU flags and core names, testable on fake ones. */
#ifndef SW_BLAS_H
#define SW_BLAS_H

#include <stddef.h>

/* instruction sets a kernel may need (BlasCpu.have, a kernel's needs) */
enum {
    BLAS_SSE3 = 1 << 0,
    BLAS_AVX = 1 << 1,        /* with the OS saving the YMM state */
    BLAS_AVX2 = 1 << 2,       /* AVX2 + FMA3 */
    BLAS_AVX512 = 1 << 3,     /* AVX-512 F, CD, BW, DQ, VL, with the OS saving the ZMM state */
    BLAS_AVX512BF16 = 1 << 4,
    BLAS_FMA4 = 1 << 5,       /* AMD Bulldozer family (not on Zen) */
    BLAS_3DNOW = 1 << 6,      /* AMD K8 (not on Zen) */
    BLAS_SSE4A = 1 << 7,      /* AMD Barcelona and later */
};

typedef struct {
    unsigned have;   /* BLAS_* bits */
    int amd;         /* vendor AuthenticAMD / HygonGenuine */
    int family;      /* cpuid display family (base + extended): 23 Zen 1-2, 25 Zen 3-4, 26 Zen 5 */
} BlasCpu;

/* This CPU (cpuid and xgetbv; all zero off x86). */
void Blas_cpu(BlasCpu *c);

/* The kernel table's spelling of name (any case), or NULL when it is not an OpenBLAS x86-64
 * kernel this code knows. */
const char *Blas_kernel_name(const char *name);
/* 1 SSE kernels, 2 AVX, 3 AVX2 + FMA, 4 AVX-512; 0 for an unknown name. */
int Blas_kernel_tier(const char *name);
/* 1 when the CPU has every instruction set the kernel needs. */
int Blas_can_run(const BlasCpu *c, const char *name);
/* The kernel to run on this CPU: AVX-512 -> SkylakeX (measured faster than Zen's and
 * Cooperlake's at the forward's shapes on a Zen 5, see bench/README.md), AVX2 + FMA -> Zen on
 * AMD, Haswell otherwise; AVX -> Sandybridge; NULL for older CPUs (left to the library). */
const char *Blas_best_kernel(const BlasCpu *c);

/* The kernel to start again with, or NULL to go on as we are. mode: NULL or "auto" (choose
 * when the library picked a weaker kernel than the CPU runs, unless env is set), "keep", or a
 * kernel name (that kernel, unless env already says so). env: OPENBLAS_CORETYPE (NULL when
 * unset), current: the library's pick. why gets one line saying why (may be NULL). */
const char *Blas_choose(const BlasCpu *c, const char *mode, const char *env, const char *current, char *why,
                        size_t why_len);

/* First thing in main, before any BLAS call: mode is --blas-kernel's value (NULL when not
 * given); may exec /proc/self/exe once with OPENBLAS_CORETYPE set (argv, stdin and the
 * terminal untouched; the variable SHAPEWALK_BLAS_CHOSE marks the second start, so it never
 * loops). Returns 0 to go on, or 2 after printing one line for a bad --blas-kernel value. */
int Blas_startup(const char *mode, char **argv);

/* What runs, for --version and the --dump / --json header. */
typedef struct {
    char library[64];   /* "OpenBLAS 0.3.21" */
    char threading[16]; /* "pthreads", "OpenMP", "sequential" */
    char kernel[32];    /* openblas_get_corename() */
    char chosen_by[32]; /* "shapewalk" (auto), "--blas-kernel", "OPENBLAS_CORETYPE", "the library" */
    char before[32];    /* the kernel before shapewalk started again ("" when it did not) */
    int before_from_env;    /* that was OPENBLAS_CORETYPE's (else the library's own pick) */
    char asked[32];     /* the kernel asked for, when the library runs another ("" otherwise) */
} BlasInfo;
void Blas_info(BlasInfo *b);
/* "OpenBLAS 0.3.21 (pthreads), kernel SkylakeX (chosen by shapewalk; the library picked Prescott)" */
void Blas_describe(char *buf, size_t n);

#endif
