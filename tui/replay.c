/* replay.c - shapewalk --record FILE and --replay FILE: the keys of a run saved as a demo
 * file (app/record.h) and played back. A key is played only when the program is idle (no
 * forward pass or generation running, the last key's screen drawn), so the replay reaches
 * the same screens as the run it was recorded from whatever the machine's speed. Space (or
 * →) plays the next key, or --replay-delay MS plays one every MS ms (Space pauses); keys
 * typed into the prompt editor play on in one go; Esc stops the demo and leaves the
 * program to the user. */
#include "tui/app.h"
#include "app/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct Replay {
    Demo rec;              /* --record: filled as the run goes */
    int recording;
    const Demo *play;      /* --replay */
    int next;              /* the next key of play */
    int steps;             /* Space presses not yet played */
    int paused, stopped;
    double due;            /* timed: when the next key may play (ms) */
    char status[160];
};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* curses' key to the demo's, or -1 for a key a demo does not keep (mouse, resize, F2..) */
static int to_demo(int rc, wint_t wch) {
    if (rc == KEY_CODE_YES) {
        switch ((int)wch) {
        case KEY_RIGHT: return DK_RIGHT;
        case KEY_LEFT: return DK_LEFT;
        case KEY_UP: return DK_UP;
        case KEY_DOWN: return DK_DOWN;
        case KEY_ENTER: return DK_ENTER;
        case KEY_BTAB: return DK_BTAB;
        case KEY_BACKSPACE: return DK_BACKSPACE;
        case KEY_PPAGE: return DK_PGUP;
        case KEY_NPAGE: return DK_PGDN;
        case KEY_HOME: return DK_HOME;
        case KEY_END: return DK_END;
        case KEY_F(1): return DK_F1;
        case KEY_DC: return DK_DELETE;
        }
        return -1;
    }
    if (wch == '\n' || wch == '\r') return DK_ENTER;
    if (wch == 27) return DK_ESC;
    if (wch == '\t') return DK_TAB;
    if (wch == 127 || wch == 8) return DK_BACKSPACE;
    if (wch == 0 || wch >= 0x110000 || (wch >= 0xD800 && wch <= 0xDFFF)) return -1;
    return (int)wch;
}

static void from_demo(int code, int *rc, wint_t *wch) {
    static const struct { int dk, key; } map[] = {
        {DK_RIGHT, KEY_RIGHT}, {DK_LEFT, KEY_LEFT}, {DK_UP, KEY_UP}, {DK_DOWN, KEY_DOWN}, {DK_BTAB, KEY_BTAB},
        {DK_BACKSPACE, KEY_BACKSPACE}, {DK_PGUP, KEY_PPAGE}, {DK_PGDN, KEY_NPAGE}, {DK_HOME, KEY_HOME},
        {DK_END, KEY_END}, {DK_F1, KEY_F(1)}, {DK_DELETE, KEY_DC},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].dk == code) { *rc = KEY_CODE_YES; *wch = (wint_t)map[i].key; return; }
    *rc = OK;
    *wch = code == DK_ENTER ? '\n' : code == DK_ESC ? 27 : code == DK_TAB ? '\t' : (wint_t)code;
}

int Replay_start(App *a, char *err, size_t cap) {
    const Options *o = a->o;
    a->tour = o->tour;
    if (!o->record && !o->demo) return 0;
    struct Replay *r = calloc(1, sizeof *r);
    if (!r) { snprintf(err, cap, "out of memory"); return -1; }
    Demo_init(&r->rec);
    if (o->record) {
        r->recording = 1;
        for (int i = 0; i < a->B; i++)
            if (Demo_add_prompt(&r->rec, a->prompts[i]) != 0) { snprintf(err, cap, "out of memory"); Demo_free(&r->rec); free(r); return -1; }
        if (o->model) r->rec.model = strdup(o->model);
        if (o->station_name) snprintf(r->rec.station, sizeof r->rec.station, "%s", o->station_name);
        if (o->top_k != 10) r->rec.top_k = o->top_k;
        if (o->large) r->rec.large = 1;
        if (o->tour) r->rec.tour = 1;
        if (o->contrast) r->rec.contrast = 1;
        if (o->sampler.temperature > 0) r->rec.temperature = o->sampler.temperature;
        if (o->sampler.top_p > 0) r->rec.top_p = o->sampler.top_p;
        if (o->sampler.top_k > 0) r->rec.sample_top_k = o->sampler.top_k;
        if (o->sampler.rng != 1) r->rec.seed = o->sampler.rng;
    }
    r->play = o->demo;
    r->due = now_ms() + (o->replay_delay > 0 ? o->replay_delay : 0);
    a->replay = r;
    return 0;
}

static int playing(const struct Replay *r) { return r && r->play && !r->stopped && r->next < r->play->n_keys; }

int Replay_next(App *a, int *rc, wint_t *wch) {
    struct Replay *r = a->replay;
    if (!playing(r)) return 0;
    /* idle: the trace there, nothing running, no key waiting to be drawn */
    if (!a->trace || a->busy_gen || Worker_busy(&a->worker) != JOB_NONE || a->dirty) return 0;
    int timed = a->o->replay_delay > 0;
    if (!a->editing) {   /* typed text plays on in one go */
        if (timed) {
            if (r->paused || now_ms() < r->due) return 0;
        } else if (r->steps <= 0) {
            return 0;
        }
    }
    const DemoKey *k = &r->play->keys[r->next++];
    if (!a->editing) {
        if (timed) r->due = now_ms() + a->o->replay_delay;
        else r->steps--;
    }
    from_demo(k->code, rc, wch);
    return 1;
}

int Replay_intercept(App *a, int rc, wint_t wch) {
    struct Replay *r = a->replay;
    if (!playing(r) || a->editing || a->help) return 0;
    int key = to_demo(rc, wch);
    if (key == DK_ESC) {
        r->stopped = 1;
        App_status(a, 0, "demo stopped after %d of %d keys: the keys are yours", r->next, r->play->n_keys);
        return 1;
    }
    if (key == ' ' || key == DK_RIGHT) {
        if (a->o->replay_delay > 0) {
            r->paused = !r->paused;
            r->due = now_ms() + a->o->replay_delay;
        } else {
            r->steps++;
        }
        return 1;
    }
    return 0;
}

void Replay_note(App *a, int rc, wint_t wch, int quit) {
    struct Replay *r = a->replay;
    if (!r || !r->recording || quit) return;   /* the q that ends the run is not part of the demo */
    int key = to_demo(rc, wch);
    if (key >= 0) Demo_add_key(&r->rec, key, 0);
}

const char *Replay_status(App *a) {
    struct Replay *r = a->replay;
    if (!r) return NULL;
    if (r->play && !r->stopped) {
        if (r->next >= r->play->n_keys)
            snprintf(r->status, sizeof r->status, "demo finished: %d keys played; the program is yours", r->play->n_keys);
        else if (a->o->replay_delay > 0)
            snprintf(r->status, sizeof r->status, "demo: key %d of %d%s · Space pauses · Esc stops", r->next, r->play->n_keys, r->paused ? " (paused)" : "");
        else
            snprintf(r->status, sizeof r->status, "demo: key %d of %d · Space plays the next · Esc stops", r->next, r->play->n_keys);
        return r->status;
    }
    if (r->recording) {
        snprintf(r->status, sizeof r->status, "recording: %d keys (saved when you quit)", r->rec.n_keys);
        return r->status;
    }
    return NULL;
}

int Replay_finish(App *a) {
    struct Replay *r = a->replay;
    int rc = 0;
    if (!r) return 0;
    if (r->recording) {
        char err[SW_ERR_LEN + 64];
        if (Demo_save(&r->rec, a->o->record, err, sizeof err) != 0) {
            fprintf(stderr, "shapewalk: --record %s\n", err);
            rc = 1;
        }
    }
    Demo_free(&r->rec);
    free(r);
    a->replay = NULL;
    return rc;
}
