/* worker.h - the forward pass off the UI thread.
 *
 * One background thread runs jobs: RUN (Trace_run on new prompts; a new RUN cancels the one
 * in progress through the progress callback) and GENERATE (Trace_generate on the current
 * trace, which the UI must not read until the result is collected). The UI polls with
 * Worker_poll every loop turn and shows Worker_progress.
 */
#ifndef SW_WORKER_H
#define SW_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include "engine/trace.h"

typedef enum { JOB_NONE, JOB_RUN, JOB_GENERATE } JobKind;

typedef struct {
    JobKind kind;
    int ok;
    Trace *trace;           /* RUN: the new trace (caller owns); GENERATE: the trace it grew */
    Sampler sampler;        /* the sampler's state after the job */
    unsigned long long chose_from; /* its state before the rows' next tokens were chosen */
    char err[SW_ERR_LEN];
    double ms;
} JobResult;

typedef struct {
    const Model *m;
    TraceOpts opts;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, stop;
    /* the next job */
    JobKind req;
    char *req_prompts[SW_MAX_B];
    int req_B;
    Trace *req_trace;
    Sampler req_sampler;
    /* the running job */
    JobKind running;
    atomic_int cancel, done, total;
    /* finished, not yet collected */
    int has_result;
    JobResult res;
} Worker;

int Worker_start(Worker *w, const Model *m, const TraceOpts *opts, char *err);
/* Stop the thread (cancelling a run) and free what it holds. */
void Worker_stop(Worker *w);
/* Run these prompts; replaces a waiting request and cancels a running RUN. */
void Worker_run(Worker *w, const char *const *prompts, int B, const Sampler *s);
/* Generate one token on t (only when idle; returns -1 when busy). */
int Worker_generate(Worker *w, Trace *t, const Sampler *s);
/* 1 and fills r when a job finished. */
int Worker_poll(Worker *w, JobResult *r);
/* Is a job waiting or running? Which kind (JOB_NONE when idle)? */
JobKind Worker_busy(Worker *w);
/* Blocks done / total of the running job. */
void Worker_progress(Worker *w, int *done, int *total);

#endif
