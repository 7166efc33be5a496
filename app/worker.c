/* worker.c - one background thread for the forward pass (see worker.h). */
#include "app/worker.h"

#include <stdlib.h>
#include <string.h>

/* TraceOpts progress callback: record progress; nonzero cancels the run. */
static int on_progress(void *ud, int done, int total) {
    Worker *w = ud;
    atomic_store(&w->done, done);
    atomic_store(&w->total, total);
    return atomic_load(&w->cancel);
}

static void free_req(Worker *w) {
    for (int i = 0; i < SW_MAX_B; i++) {
        free(w->req_prompts[i]);
        w->req_prompts[i] = NULL;
    }
    w->req = JOB_NONE;
    w->req_trace = NULL;
}

static void *worker_main(void *arg) {
    Worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->req == JOB_NONE) pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop) break;
        /* take the request */
        JobKind kind = w->req;
        char *prompts[SW_MAX_B];
        int B = w->req_B;
        memcpy(prompts, w->req_prompts, sizeof prompts);
        memset(w->req_prompts, 0, sizeof w->req_prompts);
        Trace *t = w->req_trace;
        Sampler s = w->req_sampler;
        w->req = JOB_NONE;
        w->req_trace = NULL;
        w->running = kind;
        atomic_store(&w->cancel, 0);
        atomic_store(&w->done, 0);
        atomic_store(&w->total, 0);
        pthread_mutex_unlock(&w->mu);

        JobResult r;
        memset(&r, 0, sizeof r);
        r.kind = kind;
        if (kind == JOB_RUN) {
            r.trace = Trace_run(w->m, (const char *const *)prompts, B, &w->opts, r.err);
            r.chose_from = s.rng;
            if (r.trace) Trace_choose(r.trace, &s);
            r.ok = r.trace != NULL;
            for (int i = 0; i < SW_MAX_B; i++) free(prompts[i]);
        } else {
            r.trace = t;
            r.ok = Trace_generate(t, &s, r.err) == 0;
            r.chose_from = s.rng;
            if (r.ok) Trace_choose(t, &s);
        }
        r.sampler = s;
        if (r.ok) r.ms = r.trace->run_ms;

        pthread_mutex_lock(&w->mu);
        w->running = JOB_NONE;
        if (w->has_result && w->res.kind == JOB_RUN && w->res.trace && w->res.trace != r.trace) {
            /* an uncollected older run is superseded */
            Trace_free(w->res.trace);
        }
        w->res = r;
        w->has_result = 1;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int Worker_start(Worker *w, const Model *m, const TraceOpts *opts, char *err) {
    memset(w, 0, sizeof *w);
    w->m = m;
    if (opts) w->opts = *opts;
    else TraceOpts_default(&w->opts);
    w->opts.progress = on_progress;
    w->opts.progress_ud = w;
    atomic_init(&w->cancel, 0);
    atomic_init(&w->done, 0);
    atomic_init(&w->total, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
        sw_seterr(err, "cannot start the worker thread for the forward pass");
        return -1;
    }
    w->started = 1;
    return 0;
}

void Worker_stop(Worker *w) {
    if (!w->started) return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    atomic_store(&w->cancel, 1);
    free_req(w);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    if (w->has_result && w->res.kind == JOB_RUN && w->res.trace) Trace_free(w->res.trace);
    w->has_result = 0;
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = 0;
}

void Worker_run(Worker *w, const char *const *prompts, int B, const Sampler *s) {
    pthread_mutex_lock(&w->mu);
    if (w->req != JOB_GENERATE) free_req(w);
    if (w->req == JOB_NONE) {
        for (int i = 0; i < B && i < SW_MAX_B; i++) w->req_prompts[i] = strdup(prompts[i] ? prompts[i] : "");
        w->req_B = B;
        w->req_sampler = *s;
        w->req = JOB_RUN;
    }
    if (w->running == JOB_RUN) atomic_store(&w->cancel, 1);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int Worker_generate(Worker *w, Trace *t, const Sampler *s) {
    int rc = -1;
    pthread_mutex_lock(&w->mu);
    if (w->req == JOB_NONE && w->running == JOB_NONE && !w->has_result) {
        w->req = JOB_GENERATE;
        w->req_trace = t;
        w->req_sampler = *s;
        pthread_cond_signal(&w->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int Worker_poll(Worker *w, JobResult *r) {
    int got = 0;
    pthread_mutex_lock(&w->mu);
    if (w->has_result) {
        *r = w->res;
        w->has_result = 0;
        memset(&w->res, 0, sizeof w->res);
        got = 1;
    }
    pthread_mutex_unlock(&w->mu);
    return got;
}

JobKind Worker_busy(Worker *w) {
    pthread_mutex_lock(&w->mu);
    JobKind k = w->running != JOB_NONE ? w->running : w->req;
    pthread_mutex_unlock(&w->mu);
    return k;
}

void Worker_progress(Worker *w, int *done, int *total) {
    *done = atomic_load(&w->done);
    *total = atomic_load(&w->total);
}
