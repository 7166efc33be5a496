/* pool.h - helper threads, so independent jobs (the attention heads of a layer) run on every core.
 *
 * Pool_run(n, slots, fn, ctx) calls fn(ctx, job, slot) for job = 0..n-1: the calling thread
 * takes the first contiguous share of the jobs, each helper the next (so each thread streams
 * its own part of the memory); slot (0 = caller, < slots when slots > 0) picks per-thread
 * scratch. Meanwhile OpenBLAS runs single-threaded, the cores being the pool's. With one
 * thread, or when another caller holds the pool, every job runs in the calling thread.
 */
#ifndef SW_POOL_H
#define SW_POOL_H

typedef void (*PoolFn)(void *ctx, int job, int slot);

void Pool_set_threads(int n);   /* threads in all, the caller included; OpenBLAS uses as many */
int Pool_threads(void);         /* slots a Pool_run may use (>= 1) */
void Pool_run(int n, int slots, PoolFn fn, void *ctx);

#endif
