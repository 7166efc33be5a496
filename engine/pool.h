/* pool.h - helper threads, so independent jobs (the attention heads of a layer, the blocks of
 * a weight matrix) run on every core.
 *
 * Pool_run(n, slots, fn, ctx) calls fn(ctx, job, slot) for job = 0..n-1: every thread (the
 * caller and the helpers) takes the next job from one shared ticket counter until none is
 * left, so a thread that a busy machine delays takes fewer jobs; slot (0 = caller, < slots
 * when slots > 0) picks per-thread scratch. Meanwhile OpenBLAS runs single-threaded, the
 * cores being the pool's. With one thread, or when another caller holds the pool, every job
 * runs in the calling thread.
 *
 * Pool_enter() / Pool_leave() bracket a burst of runs (a forward pass): the calling thread
 * holds the pool throughout and OpenBLAS stays single-threaded, so each run is one atomic
 * ticket and no hand-over of the library's threads. Pool_mine() says whether the caller holds
 * it (then a big sgemm is best split over the pool by the caller).
 */
#ifndef SW_POOL_H
#define SW_POOL_H

typedef void (*PoolFn)(void *ctx, int job, int slot);

void Pool_set_threads(int n);   /* threads in all, the caller included; OpenBLAS uses as many */
int Pool_threads(void);         /* slots a Pool_run may use (>= 1) */
void Pool_run(int n, int slots, PoolFn fn, void *ctx);
/* 1 when this thread now holds the pool (nested calls count), 0 when another thread does
 * (then Pool_run runs inline and Pool_leave(0) does nothing). */
int Pool_enter(void);
void Pool_leave(int entered);
int Pool_mine(void);            /* 1 inside this thread's Pool_enter with 2+ threads */

#endif
