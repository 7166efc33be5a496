/* pool.c - helper threads for Pool_run (see pool.h). Helpers start on first use; between runs
 * they spin a little (runs come in bursts: every matrix of a layer), then sleep on a condition
 * variable; they are stopped and joined at exit. A run is published by bumping `gen`; the
 * jobs are handed out by one atomic ticket (`next`); every helper (also one this run does not
 * need) counts itself off `busy`, and the caller waits for zero, spinning, then yielding. */
#include "pool.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* Spins of a helper looking for the next run before it yields, and yields before it sleeps;
 * spins of the caller waiting for the last helper before it yields. */
enum { POOL_MAX = 16, HELPER_SPIN = 4000, HELPER_YIELD = 50, CALLER_SPIN = 20000 };

/* Pool_enter's nesting in this thread: > 0 while it holds the pool */
static _Thread_local int t_depth;

static struct {
    pthread_mutex_t run;         /* held by the one caller using the helpers */
    pthread_mutex_t mu;          /* guards sleeping and starting */
    pthread_cond_t go;
    pthread_t th[POOL_MAX];
    unsigned born[POOL_MAX];     /* gen when helper i was started */
    _Atomic int nthreads;        /* wanted, caller included; 0 = OpenBLAS's count */
    int started;                 /* helpers running */
    _Atomic int stop;
    _Atomic unsigned gen;        /* bumped by each run */
    _Atomic int sleepers;        /* helpers in (or going into) pthread_cond_wait */
    _Atomic int next;            /* the next job to take */
    _Atomic int busy;            /* helpers still on this run */
    int parts, n;                /* written before gen is bumped */
    PoolFn fn;
    void *ctx;
    int blas;                    /* OpenBLAS's threads before Pool_enter (the holder's) */
} P = { .run = PTHREAD_MUTEX_INITIALIZER, .mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER };

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void work(int me) {
    const PoolFn fn = P.fn;
    void *ctx = P.ctx;
    const int n = P.n;
    for (int j; (j = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed)) < n;) fn(ctx, j, me);
}

static void *helper(void *arg) {
    const int me = (int)(intptr_t)arg;
    pthread_mutex_lock(&P.mu);
    unsigned seen = P.born[me];   /* the runs before this helper started are not its own */
    pthread_mutex_unlock(&P.mu);
    for (;;) {
        for (int i = 0; i < HELPER_SPIN && atomic_load(&P.gen) == seen; i++) relax();
        for (int i = 0; i < HELPER_YIELD && atomic_load(&P.gen) == seen; i++) sched_yield();
        if (atomic_load(&P.gen) == seen) {
            pthread_mutex_lock(&P.mu);
            atomic_fetch_add(&P.sleepers, 1);
            while (!atomic_load(&P.stop) && atomic_load(&P.gen) == seen) pthread_cond_wait(&P.go, &P.mu);
            atomic_fetch_sub(&P.sleepers, 1);
            pthread_mutex_unlock(&P.mu);
        }
        if (atomic_load(&P.stop)) break;
        seen = atomic_load(&P.gen);   /* acquire: the run's fields below were written before */
        if (me < P.parts) work(me);
        atomic_fetch_sub(&P.busy, 1);   /* release: this helper's results; every helper
                                         * counts itself off every run, so runs never overlap */
    }
    return NULL;
}

static void stop_helpers(void) {
    pthread_mutex_lock(&P.mu);
    atomic_store(&P.stop, 1);
    pthread_cond_broadcast(&P.go);
    int n = P.started;
    pthread_mutex_unlock(&P.mu);
    for (int i = 1; i <= n; i++) pthread_join(P.th[i], NULL);
}

void Pool_set_threads(int n) {
    if (n < 1) return;
    if (n > POOL_MAX) n = POOL_MAX;
    pthread_mutex_lock(&P.run);   /* not while a run uses the helpers */
    P.nthreads = n;
    pthread_mutex_unlock(&P.run);
    openblas_set_num_threads(n);
}

int Pool_threads(void) {
    int n = P.nthreads > 0 ? P.nthreads : openblas_get_num_threads();
    if (t_depth > 0) n = P.nthreads > 0 ? P.nthreads : P.blas;
    return n < 1 ? 1 : n > POOL_MAX ? POOL_MAX : n;
}

/* Start helpers 1..want-1 that are not running yet; returns how many threads can work. */
static int ensure_helpers(int want) {
    pthread_mutex_lock(&P.mu);
    if (P.started == 0 && want > 1) atexit(stop_helpers);
    while (P.started < want - 1 && !atomic_load(&P.stop)) {
        P.born[P.started + 1] = atomic_load(&P.gen);
        if (pthread_create(&P.th[P.started + 1], NULL, helper, (void *)(intptr_t)(P.started + 1)) != 0) break;
        P.started++;
    }
    int have = P.started + 1;
    pthread_mutex_unlock(&P.mu);
    return have < want ? have : want;
}

static int held_by_me(void) { return t_depth > 0; }

int Pool_enter(void) {
    if (held_by_me()) { t_depth++; return 1; }
    if (pthread_mutex_trylock(&P.run) != 0) return 0;
    P.blas = openblas_get_num_threads();
    t_depth = 1;
    if (P.blas > 1) openblas_set_num_threads(1);
    return 1;
}

void Pool_leave(int entered) {
    if (!entered || !held_by_me() || --t_depth > 0) return;
    if (P.blas > 1) openblas_set_num_threads(P.blas);
    pthread_mutex_unlock(&P.run);
}

int Pool_mine(void) {
    return held_by_me() && Pool_threads() > 1;
}

void Pool_run(int n, int slots, PoolFn fn, void *ctx) {
    int parts = Pool_threads();
    if (parts > n) parts = n;
    if (slots > 0 && parts > slots) parts = slots;
    const int mine = held_by_me();
    if (parts <= 1 || (!mine && pthread_mutex_trylock(&P.run) != 0)) {
        for (int j = 0; j < n; j++) fn(ctx, j, 0);
        return;
    }
    parts = ensure_helpers(parts);
    const int helpers = P.started;
    const int blas = mine ? 1 : openblas_get_num_threads();
    if (blas > 1) openblas_set_num_threads(1);
    P.fn = fn;
    P.ctx = ctx;
    P.n = n;
    P.parts = parts;
    atomic_store(&P.next, 0);
    atomic_store(&P.busy, helpers);
    atomic_fetch_add(&P.gen, 1);   /* seq_cst, then the sleepers: see the helper's wait */
    if (atomic_load(&P.sleepers) > 0) {
        pthread_mutex_lock(&P.mu);
        pthread_cond_broadcast(&P.go);
        pthread_mutex_unlock(&P.mu);
    }
    work(0);
    for (int i = 0; atomic_load(&P.busy) > 0; i++) {
        if (i < CALLER_SPIN) relax();
        else sched_yield();
    }
    if (blas > 1) openblas_set_num_threads(blas);
    if (!mine) pthread_mutex_unlock(&P.run);
}
