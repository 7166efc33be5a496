/* check.h - the tests' tiny harness. Each check prints one line:
 *   PASS: name | FAIL: name: why | SKIP: name: why
 * tests/run.sh counts them; a test binary exits 1 when any check failed. */
#ifndef SW_CHECK_H
#define SW_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

static int check_failed_;

static inline void check_line_(const char *tag, const char *name, const char *fmt, va_list ap) {
    printf("%s: %s", tag, name);
    if (fmt && *fmt) { printf(": "); vprintf(fmt, ap); }
    printf("\n");
    fflush(stdout);
}
static inline void pass(const char *name) { printf("PASS: %s\n", name); fflush(stdout); }
static inline __attribute__((format(printf, 2, 3))) void fail(const char *name, const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); check_line_("FAIL", name, fmt, ap); va_end(ap);
    check_failed_ = 1;
}
static inline __attribute__((format(printf, 2, 3))) void skip(const char *name, const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); check_line_("SKIP", name, fmt, ap); va_end(ap);
}
/* expect(cond, name, why...) */
#define expect(cond, name, ...) do { if (cond) pass(name); else fail(name, __VA_ARGS__); } while (0)
static inline int check_done(void) { return check_failed_ ? 1 : 0; }

/* Where ../shared is (the Makefile passes SHARED; tests run from the project root). */
static inline const char *shared_dir(void) {
    const char *s = getenv("SHARED");
    return (s && *s) ? s : "../shared";
}
static inline int close_to(double a, double b, double tol) { return fabs(a - b) <= tol; }
/* A difference measured against the size of the values compared (at least 1, so values near
 * 0 keep an absolute bound). Why relative: the same float products summed in another order
 * differ by a few ulp of the operands' size, and OpenBLAS sums in a different order on each
 * CPU (sgemv against sgemm, SSE3 against AVX-512 kernels): 1e-5 absolute held for logits near
 * 18 on one kernel and failed on another. */
static inline double rel_to(double diff, double scale) { return fabs(diff) / fmax(1.0, fabs(scale)); }

#endif
