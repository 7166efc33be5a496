/* pool.c - helper threads for Pool_run (see pool.h). Helpers start on first use, sleep on a
 * condition variable between runs, and are stopped and joined at exit. */
#include "pool.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

enum { POOL_MAX = 16, POOL_SPIN = 200 };

static struct {
    pthread_mutex_t run;         /* held by the one caller using the helpers */
    pthread_mutex_t mu;          /* guards everything below */
    pthread_cond_t go, done;
    pthread_t th[POOL_MAX];
    unsigned born[POOL_MAX];     /* gen when helper i was started */
    _Atomic int nthreads;        /* wanted, caller included; 0 = OpenBLAS's count */
    int started;                 /* helpers running */
    int stop;
    _Atomic unsigned gen;        /* bumped by each run */
    int pending;                 /* helpers still on this run */
    int parts, n;
    PoolFn fn;
    void *ctx;
} P = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
        PTHREAD_COND_INITIALIZER, {0}, {0}, 0, 0, 0, 0, 0, 0, 0, NULL, NULL };

/* share i of `parts` contiguous shares of n jobs */
static void share(int n, int parts, int i, int *a, int *b) {
    *a = (int)((long)n * i / parts);
    *b = (int)((long)n * (i + 1) / parts);
}

static void *helper(void *arg) {
    const int me = (int)(intptr_t)arg;
    pthread_mutex_lock(&P.mu);
    unsigned seen = P.born[me];   /* the runs before this helper started are not its own */
    for (;;) {
        /* runs come in bursts (every layer of a pass): look for the next one a little while,
         * yielding the core, before sleeping */
        pthread_mutex_unlock(&P.mu);
        for (int i = 0; i < POOL_SPIN && atomic_load(&P.gen) == seen; i++) sched_yield();
        pthread_mutex_lock(&P.mu);
        while (!P.stop && P.gen == seen) pthread_cond_wait(&P.go, &P.mu);
        if (P.stop) break;
        seen = P.gen;
        if (me >= P.parts) continue;   /* this run uses fewer threads */
        PoolFn fn = P.fn;
        void *ctx = P.ctx;
        int a, b;
        share(P.n, P.parts, me, &a, &b);
        pthread_mutex_unlock(&P.mu);
        for (int j = a; j < b; j++) fn(ctx, j, me);
        pthread_mutex_lock(&P.mu);
        if (--P.pending == 0) pthread_cond_signal(&P.done);
    }
    pthread_mutex_unlock(&P.mu);
    return NULL;
}

static void stop_helpers(void) {
    pthread_mutex_lock(&P.mu);
    P.stop = 1;
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
    return n < 1 ? 1 : n > POOL_MAX ? POOL_MAX : n;
}

/* Start helpers 1..want-1 that are not running yet; returns how many threads can work. */
static int ensure_helpers(int want) {
    pthread_mutex_lock(&P.mu);
    if (P.started == 0 && want > 1) atexit(stop_helpers);
    while (P.started < want - 1 && !P.stop) {
        P.born[P.started + 1] = P.gen;
        if (pthread_create(&P.th[P.started + 1], NULL, helper, (void *)(intptr_t)(P.started + 1)) != 0) break;
        P.started++;
    }
    int have = P.started + 1;
    pthread_mutex_unlock(&P.mu);
    return have < want ? have : want;
}

void Pool_run(int n, int slots, PoolFn fn, void *ctx) {
    int parts = Pool_threads();
    if (parts > n) parts = n;
    if (slots > 0 && parts > slots) parts = slots;
    if (parts <= 1 || pthread_mutex_trylock(&P.run) != 0) {
        for (int j = 0; j < n; j++) fn(ctx, j, 0);
        return;
    }
    parts = ensure_helpers(parts);
    const int blas = openblas_get_num_threads();
    openblas_set_num_threads(1);
    pthread_mutex_lock(&P.mu);
    P.fn = fn;
    P.ctx = ctx;
    P.n = n;
    P.parts = parts;
    P.pending = parts - 1;
    P.gen++;
    pthread_cond_broadcast(&P.go);
    pthread_mutex_unlock(&P.mu);

    int a, b;
    share(n, parts, 0, &a, &b);
    for (int j = a; j < b; j++) fn(ctx, j, 0);

    pthread_mutex_lock(&P.mu);
    while (P.pending > 0) pthread_cond_wait(&P.done, &P.mu);
    pthread_mutex_unlock(&P.mu);
    openblas_set_num_threads(blas);
    pthread_mutex_unlock(&P.run);
}
