/* app.c - Tui_run: the main loop, layout, header and status line, help overlay, the
 * too-small message, the prompt editor, and the results of the background forward pass.
 *
 * Layout (lines):  0 header: model and sizes | where you are
 *                  1 the prompts of the batch (the chosen row highlighted)
 *                  2.. the screen's body (the walk: shape strip, maths, explanation, picture)
 *                  last: status / key hints / progress / the prompt editor
 */
#include "tui/app.h"

#include <locale.h>
#include <signal.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the screens (their table is tui/screens.c) ---- */

static int screen_index(const Screen *s) {
    for (int i = 0; Screens[i] && i < APP_MAX_SCREENS; i++)
        if (Screens[i] == s) return i;
    return -1;
}

void *App_state(App *a, const Screen *s) {
    int i = screen_index(s);
    if (i < 0 || !s->create) return NULL;
    if (!a->state[i]) a->state[i] = s->create(a);
    return a->state[i];
}

/* The screen's state into *self; 0 when it has one and there was no memory for it (the
 * screen's functions are then not called: the body says so). */
static int ready(App *a, const Screen *s, void **self) {
    *self = App_state(a, s);
    return *self || !s->create;
}

/* Screen s replaces the current one: the current one becomes s's opener, unless s is already
 * an opener (then the ones above it are dropped). Every screen is at most once in
 * opener[] + screen, so opener[] never holds more than the table's screens. */
static void switch_to(App *a, const Screen *s) {
    if (s == a->screen) return;
    for (int i = 0; i < a->n_opener; i++)
        if (a->opener[i] == s) { a->n_opener = i; a->screen = s; return; }
    if (a->screen && a->n_opener < APP_MAX_SCREENS) a->opener[a->n_opener++] = a->screen;
    a->screen = s;
}

void App_open(App *a, const Screen *s) {
    void *self;
    switch_to(a, s);
    if (s->enter && ready(a, s, &self)) s->enter(a, self);
}

void App_show(App *a, const Screen *s, StationRef st) {
    void *self;
    switch_to(a, s);
    if (s->show && ready(a, s, &self)) s->show(a, self, st);
}

const Screen *App_opener(const App *a) { return a->n_opener > 0 ? a->opener[a->n_opener - 1] : Screens[0]; }

void App_back(App *a) {
    const Screen *s = App_opener(a);
    if (a->n_opener > 0) a->n_opener--;
    if (s != a->screen) a->screen = s;
}

const char *App_back_name(const App *a) {
    static char buf[64];
    const Screen *s = App_opener(a);
    if (s->back_as) return s->back_as;
    snprintf(buf, sizeof buf, "the %.*s", (int)strcspn(s->name, ":"), s->name);
    return buf;
}

int App_station_of(App *a, const Screen *s, StationRef *out) {
    void *self;
    return s->station && ready(a, s, &self) ? s->station(a, self, out) : 0;
}

Present App_present(const App *a) {
    Present p = {a->m, a->trace, a->k, a->temperature, a->sampler.temperature, 0, &a->sampler, a->seed};
    return p;
}

void App_status(App *a, int err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_err = err;
}

void App_clamp_row(App *a) {
    int B = a->trace ? a->trace->B : a->B;
    if (a->vc.b >= B) a->vc.b = B - 1;
    if (a->vc.b < 0) a->vc.b = 0;
    if (a->trace) {
        int len = a->trace->len[a->vc.b];
        if (a->vc.pos >= len) a->vc.pos = len - 1;
        if (a->vc.pos < 0) a->vc.pos = 0;
    }
}

void App_set_contrast(App *a, int on) {
    a->contrast = on != 0;
    Crt_high_contrast(a->contrast);
}

void App_rerun(App *a) {
    Sampler s = a->sampler;
    s.rng = a->seed;   /* each run starts from the seed, as --json and --dump do: the same tokens */
    Worker_run(&a->worker, (const char *const *)a->prompts, a->B, &s);
}

/* ---- shared by the screens ---- */

ViewCtx App_view_ctx(const App *a, int y, int h) {
    ViewCtx c = a->vc;
    c.win = stdscr;
    c.y = y;
    c.x = 0;
    c.h = h;
    c.w = a->cols;
    c.zoom = a->zoom;
    c.byte_level = Tokenizer_byte_level(a->m->tok);
    c.bos_name = Tokenizer_bos(a->m->tok) >= 0 ? Tokenizer_symbol(a->m->tok, Tokenizer_bos(a->m->tok)) : NULL;
    c.cfg = &a->m->c;
    c.tok = &a->tok;
    return c;
}

void App_message(int y, int w, CrtAttr ca, const char *s) {
    Crt_set(stdscr, ca);
    View_text(stdscr, y, 0, w, s, 1);
    Crt_set(stdscr, CA_NORMAL);
}

int App_busy_message(const App *a, int y) {
    if (a->trace && !a->busy_gen) return 0;
    App_message(y, a->cols, CA_DIM,
                a->busy_gen ? "generating one token (the KV cache runs only the new position)..." : "running the forward pass...");
    return 1;
}

void App_step_k(App *a, int more) {
    static const int steps[] = {1, 3, 5, 10, 15, 20, 30, 40, 50, 64};
    int n = (int)(sizeof steps / sizeof *steps), i = 0;
    while (i < n - 1 && steps[i] < a->k) i++;
    i += more ? 1 : -1;
    a->k = steps[i < 0 ? 0 : i >= n ? n - 1 : i];
}

void App_step_temperature(App *a, int up) {
    float tt = a->sampler.temperature;
    if (tt <= 0) tt = up ? 1 : 0;   /* from greedy, t starts at the model's own distribution */
    else {
        tt *= up ? 1.25f : 0.8f;
        if (tt < 0.05f) tt = 0;     /* the limit of ever smaller τ: the argmax */
        if (tt > 20) tt = 20;
        if (fabsf(tt - 1) < 0.01f) tt = 1;
    }
    a->sampler.temperature = tt;
    a->temperature = tt > 0 ? tt : 1;   /* the top-k view: the model's own distribution when greedy */
}

void App_sampler_text(const App *a, char *buf, size_t cap) {
    const Sampler *s = &a->sampler;
    if (s->temperature <= 0) { snprintf(buf, cap, "greedy (τ = 0)"); return; }
    int o = snprintf(buf, cap, "τ %.2f", s->temperature);
    if (o >= 0 && (size_t)o < cap) o += snprintf(buf + o, cap - (size_t)o, s->top_k > 0 ? " · top-k %d" : " · top-k off", s->top_k);
    if (o >= 0 && (size_t)o < cap) {
        if (s->top_p > 0 && s->top_p < 1) o += snprintf(buf + o, cap - (size_t)o, " · top-p %.2f", s->top_p);
        else o += snprintf(buf + o, cap - (size_t)o, " · top-p off");
    }
    if (o >= 0 && (size_t)o < cap) snprintf(buf + o, cap - (size_t)o, " · seed %llu", a->seed);
}

void App_rechoose(App *a) {
    if (!a->trace || a->busy_gen) return;   /* collect() chooses again when the job lands */
    a->sampler.rng = a->draw_from;
    Trace_choose(a->trace, &a->sampler);
}

int App_sampler_key(App *a, int ch) {
    Sampler *s = &a->sampler;
    char what[160];
    switch (ch) {
    case 't': case 'T':
        App_step_temperature(a, ch == 't');
        break;
    case 'o': {
        static const int ks[] = {0, 5, 10, 40, 100};
        int n = (int)(sizeof ks / sizeof *ks), i = 0;
        while (i < n && ks[i] != s->top_k) i++;
        s->top_k = ks[i >= n - 1 ? 0 : i + 1];
        break;
    }
    case 'p': case 'P': {
        static const float ps[] = {0.1f, 0.25f, 0.5f, 0.8f, 0.9f, 0.95f, 1};
        int n = (int)(sizeof ps / sizeof *ps), i = 0;
        float cur = s->top_p > 0 && s->top_p < 1 ? s->top_p : 1;
        while (i < n - 1 && ps[i] < cur - 1e-4f) i++;
        if (ch == 'p' && i < n - 1 && ps[i] <= cur + 1e-4f) i++;
        else if (ch == 'P' && i > 0) i--;
        s->top_p = ps[i] < 1 ? ps[i] : 1;
        break;
    }
    case 'R':
        a->seed = a->seed + 1 ? a->seed + 1 : 1;
        a->draw_from = a->seed;
        break;
    default: return 0;
    }
    App_rechoose(a);
    App_sampler_text(a, what, sizeof what);
    if (s->temperature > 0) App_status(a, 0, "g samples: %s", what);
    else if (ch == 't' || ch == 'T') App_status(a, 0, "greedy (τ = 0): g takes the argmax; t samples");
    else {   /* kept for when τ > 0 */
        char set[48];
        if (ch == 'o') snprintf(set, sizeof set, s->top_k > 0 ? "top-k %d" : "top-k off", s->top_k);
        else if (ch == 'R') snprintf(set, sizeof set, "seed %llu", a->seed);
        else if (s->top_p > 0 && s->top_p < 1) snprintf(set, sizeof set, "top-p %.2f", s->top_p);
        else snprintf(set, sizeof set, "top-p off");
        App_status(a, 0, "%s, for when τ > 0 (t); greedy now: g takes the argmax", set);
    }
    return 1;
}

void App_generate(App *a) {
    if (!a->trace) { App_status(a, 1, "no trace yet: wait for the forward pass"); return; }
    if (Worker_generate(&a->worker, a->trace, &a->sampler) == 0) {
        a->busy_gen = 1;
        App_status(a, 0, "generating one token per row...");
    } else {
        App_status(a, 1, "busy: wait for the running forward pass");
    }
}

/* ---- tokens of a new trace ---- */

static void build_tokens(App *a) {
    Trace *t = a->trace;
    free(a->tok_label);
    free(a->tok_symbol);
    a->tok_label = NULL;
    a->tok_symbol = NULL;
    memset(&a->tok, 0, sizeof a->tok);
    if (!t) return;
    int T = t->T > 0 ? t->T : 1;
    a->tok_label = calloc((size_t)t->B * T, VIEW_LABEL);
    if (Tokenizer_byte_level(a->m->tok)) a->tok_symbol = calloc((size_t)t->B * T, VIEW_LABEL);
    a->tok.B = t->B;
    a->tok.T = t->T;
    a->tok.ids = t->ids;
    a->tok.stride = t->Tcap;
    a->tok.label = a->tok_label;
    a->tok.symbol = a->tok_symbol;
    for (int b = 0; b < t->B; b++) {
        a->tok.len[b] = t->len[b];
        a->tok.prompt_len[b] = t->prompt_len[b];
        for (int p = 0; p < t->len[b] && a->tok_label; p++) {
            int id = Trace_id(t, b, p);
            Tokenizer_label(a->m->tok, id, 1, a->tok_label[b * T + p], VIEW_LABEL);
            if (a->tok_symbol) {
                const char *sym = Tokenizer_symbol(a->m->tok, id);
                snprintf(a->tok_symbol[b * T + p], VIEW_LABEL, "%s", sym ? sym : "");
            }
        }
    }
    if (!a->tok_label) a->tok.label = NULL;
}

static void collect(App *a) {
    JobResult r;
    if (!Worker_poll(&a->worker, &r)) return;
    a->dirty = 1;
    a->busy_gen = 0;
    if (!r.ok) {
        int cancelled = strstr(r.err, "cancel") != NULL;
        if (!cancelled) App_status(a, 1, "%s (e edits it)", r.err);
        if (r.kind == JOB_GENERATE) build_tokens(a);
        if (r.kind == JOB_RUN && !cancelled && a->trace && Worker_busy(&a->worker) == JOB_NONE) {
            /* keep showing what was run; offer the refused text again in the editor */
            int row = a->want_b >= 0 && a->want_b < a->B ? a->want_b : a->vc.b;
            free(a->rejected);
            a->rejected = row < a->B && a->prompts[row] ? strdup(a->prompts[row]) : NULL;
            a->rejected_row = row < a->trace->B ? row : a->trace->B - 1;
            for (int i = 0; i < SW_MAX_B; i++) {
                free(a->prompts[i]);
                a->prompts[i] = i < a->trace->B ? strdup(a->trace->prompts[i] ? a->trace->prompts[i] : "") : NULL;
            }
            a->B = a->trace->B;
            a->want_b = -1;
            App_clamp_row(a);
        }
        return;
    }
    /* the generator moved on; τ, top-k and top-p stay as the keys set them meanwhile */
    int changed = r.sampler.temperature != a->sampler.temperature || r.sampler.top_k != a->sampler.top_k ||
                  r.sampler.top_p != a->sampler.top_p || (r.kind == JOB_RUN && r.chose_from != a->seed);
    a->sampler.rng = r.sampler.rng;
    a->draw_from = r.kind == JOB_RUN ? a->seed : r.chose_from;
    if (r.kind == JOB_RUN) {
        if (a->trace && a->trace != r.trace) Trace_free(a->trace);
        a->trace = r.trace;
        if (a->want_b >= 0) a->vc.b = a->want_b;
        a->want_b = -1;
        if (a->vc.b >= r.trace->B) a->vc.b = r.trace->B - 1;
        a->vc.pos = r.trace->len[a->vc.b] - 1;
        const char *note = a->o->note && !a->note_shown ? a->o->note : NULL;   /* once, after the first run */
        App_status(a, 0, "ran %d prompt%s, T=%d, in %.0f ms%s%s", r.trace->B, r.trace->B > 1 ? "s" : "", r.trace->T, r.ms,
                   note ? " · " : "", note ? note : "");
        a->note_shown = 1;
    } else {
        int was_last = a->trace && a->vc.pos >= a->trace->len[a->vc.b] - 2;
        if (was_last) a->vc.pos = a->trace->len[a->vc.b] - 1;
        App_status(a, 0, "appended one token per row: T is now %d (%.1f ms, KV cache)", a->trace->T, r.ms);
    }
    build_tokens(a);
    if (changed) App_rechoose(a);
    App_clamp_row(a);
}

/* ---- drawing ---- */

static void draw_header(App *a) {
    WINDOW *w = stdscr;
    const int W = a->cols;
    char desc[256], where[256] = "";
    Model_describe(a->m, desc, sizeof desc);
    void *self;
    if (a->screen->where && ready(a, a->screen, &self)) a->screen->where(a, self, where, sizeof where);
    char sizes[256];
    Model_describe_short(a->m, sizes, sizeof sizes);
    char where_short[256];
    snprintf(where_short, sizeof where_short, "%s", where);
    char *cut = strstr(where_short, " · ");
    if (cut) *cut = 0;
    Crt_set(w, CA_HEADER);
    for (int x = 0; x < W; x++) mvwaddch(w, 0, x, ' ');
    /* as much as fits: the whole description and place; else the sizes with the family and
     * weight type, or without, beside as much of the place as fits (all of it, the station's
     * name, its number); at worst the model's name and type */
    char full[768], compact[200];
    snprintf(full, sizeof full, " shapewalk \xe2\x94\x82 %s", desc);
    snprintf(compact, sizeof compact, " %s \xc2\xb7 %s", a->m->name, a->m->weights[0] ? a->m->weights : "F32");
    char sized[300];
    snprintf(sized, sizeof sized, " %s", sizes);
    char number[64];   /* the station's number alone: "3.1.j" */
    snprintf(number, sizeof number, "%.63s", where_short);
    char *sp = strchr(number, ' ');
    if (sp) *sp = 0;
    char plain[240], only[128];   /* the name and sizes alone */
    Model_sizes(a->m, only, sizeof only);
    snprintf(plain, sizeof plain, " %.100s %s", a->m->name, only);
    const char *pairs[][2] = {{full, where}, {sized, where}, {plain, where}, {sized, where_short}, {plain, where_short},
                              {compact, where_short}, {plain, number}, {compact, number}};
    const char *line = compact, *place = number;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (View_width(pairs[i][0]) + 2 + View_width(pairs[i][1]) + 1 <= W) { line = pairs[i][0]; place = pairs[i][1]; break; }
    View_text(w, 0, 0, W, line, 1);
    int pw = View_width(place) + 1;
    if (View_width(line) + 2 + pw <= W) View_text(w, 0, W - pw, pw, place, 0);
    Crt_set(w, CA_NORMAL);
    /* prompts, and at the right the sampler g uses when it samples */
    int x = 0;
    int PW = W;
    if (a->sampler.temperature > 0) {
        char smp[160];
        App_sampler_text(a, smp, sizeof smp);
        int sw = View_width(smp) + 1;
        if (sw + 30 <= W) {
            PW = W - sw - 1;
            Crt_set(w, CA_KEY);
            View_text(w, 1, W - sw, sw, smp, 0);
        }
    }
    for (int b = 0; b < a->B && x < PW; b++) {
        char buf[256];
        int len = a->trace && b < a->trace->B ? a->trace->len[b] : -1;
        if (len >= 0) snprintf(buf, sizeof buf, "b%d \"%s\" (%d tok)", b, a->prompts[b], len);
        else snprintf(buf, sizeof buf, "b%d \"%s\"", b, a->prompts[b]);
        Crt_set(w, b == a->vc.b ? CA_TITLE : CA_DIM);
        int maxw = PW - x;
        if (b + 1 < a->B && maxw > PW / a->B) maxw = PW / a->B;
        x += View_text(w, 1, x, maxw - 1, buf, 1) + 1;
        Crt_set(w, CA_DIM);
        if (b + 1 < a->B && x < PW) x += View_text(w, 1, x, 2, "│ ", 0);
    }
    Crt_set(w, CA_NORMAL);
}

/* The status line's text: the message, then as many of the screen's key hints (items two
 * spaces apart) as fit in the width, so that the line never ends in "…" mid-hint. */
static void status_hint(App *a, char *out, size_t cap) {
    void *self;
    char fallback[160];   /* the text and a back name of up to 63 bytes */
    snprintf(fallback, sizeof fallback, "Esc back to %s  e edit  ? help  q quit", App_back_name(a));
    const char *keys = a->screen->hint && ready(a, a->screen, &self) ? a->screen->hint(a, self) : fallback;
    int msg = a->status[0] && a->status[0] != ' ';
    const char *demo = Replay_status(a);   /* --record / --replay: where the demo is */
    snprintf(out, cap, " %s%s%s", demo ? demo : "", demo && msg ? "  │ " : "", msg ? a->status : "");
    size_t bare = strlen(out);   /* the message alone, before the "│" */
    if ((msg || demo) && bare + 8 < cap) strcat(out, "  │ ");
    size_t base = strlen(out);
    const char *p = keys;
    int first = 1;
    while (*p) {
        const char *e = strstr(p, "  ");
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char item[256];
        snprintf(item, sizeof item, "%s%.*s", first ? "" : "  ", (int)n, p);
        size_t used = strlen(out);
        if (used + strlen(item) + 1 < cap) {
            memcpy(out + used, item, strlen(item) + 1);
            if (View_width(out) > a->cols) { out[used] = 0; break; }
        }
        first = 0;
        p += n;
        while (*p == ' ') p++;
    }
    if (msg && strlen(out) == base) out[bare] = 0;   /* no hint fits: no "│" either */
}

/* Lines the status takes: 2 when its message alone does not fit in one line. */
static int status_rows(App *a) {
    if (a->editing || a->digits[0] || Worker_busy(&a->worker) == JOB_RUN) return 1;
    if (!a->status[0] || a->status[0] == ' ') return 1;
    return View_width(a->status) + 1 > a->cols ? 2 : 1;
}

static void draw_status(App *a) {
    WINDOW *w = stdscr;
    const int y = a->rows - 1, W = a->cols;
    if (a->editing) {
        char label[80];
        snprintf(label, sizeof label, " prompt b=%d (Enter runs, Esc cancels): ", a->edit_row);
        Editor_draw(&a->ed, w, y, 0, W, label);
        return;
    }
    Crt_set(w, CA_STATUS);
    for (int x = 0; x < W; x++) mvwaddch(w, y, x, ' ');
    JobKind busy = Worker_busy(&a->worker);
    if (a->digits[0]) {
        View_printf(w, y, 0, W, " go to station: %s_   (Enter jumps, Esc cancels)", a->digits);
    } else if (busy == JOB_RUN) {
        int done, total;
        Worker_progress(&a->worker, &done, &total);
        char bar[64] = "";
        int bw = 20;
        if (total > 0) {
            int f = done * bw / total;
            size_t o = 0;
            for (int i = 0; i < bw && o + 4 < sizeof bar; i++) {
                const char *s = i < f ? "█" : "░";
                memcpy(bar + o, s, strlen(s));
                o += strlen(s);
            }
            bar[o] = 0;
        }
        View_printf(w, y, 0, W, " running the forward pass: block %d/%d %s  (keys still work; e edits and restarts)", done, total, bar);
    } else if (a->status[0] && a->status_err) {
        Crt_set(w, CA_ERROR);
        for (int x = 0; x < W; x++) mvwaddch(w, y, x, ' ');
        if (status_rows(a) == 2) {   /* too long for one line: two */
            for (int x = 0; x < W; x++) mvwaddch(w, y - 1, x, ' ');
            View_wrap(w, y - 1, 1, W - 1, 2, a->status);
        } else
            View_printf(w, y, 0, W, " %s", a->status);
    } else {
        char hint[1024];
        status_hint(a, hint, sizeof hint);
        if (status_rows(a) == 2) {   /* a message too long for one line: two lines, no key hints */
            Crt_set(w, CA_STATUS);
            for (int x = 0; x < W; x++) mvwaddch(w, y - 1, x, ' ');
            View_wrap(w, y - 1, 1, W - 1, 2, a->status);
        } else
            View_text(w, y, 0, W, hint, 1);
    }
    Crt_set(w, CA_NORMAL);
}

static const char *const global_help[] = {
    "?                this help (↑ ↓ scroll, any other key closes)",
    "e  /             edit the chosen row's prompt (Enter runs, Esc cancels)",
    "n                add a row to the batch and edit it; x removes a row",
    "z                large print on/off (projector);  + -  zoom in / out",
    "c                high contrast on/off (projector; also --contrast)",
    "r                run the prompts again",
    "q                quit",
    NULL,
};

static int help_lines(App *a, const char **out, int *title, int cap) {
    int n = 0;
    /* the screens and the keys that open them */
    static char screen_lines[APP_MAX_SCREENS][96];
    int ns = 0;
    if (n < cap) { title[n] = 1; out[n++] = "Screens"; }
    for (int i = 0; Screens[i] && ns < APP_MAX_SCREENS; i++) {
        if (!Screens[i]->hotkey) continue;
        snprintf(screen_lines[ns], sizeof screen_lines[ns], "%-16c %s%s", Screens[i]->hotkey, Screens[i]->name,
                 Screens[i] == a->screen ? " (this one)" : "");
        if (n < cap) out[n++] = screen_lines[ns];
        ns++;
    }
    static char back_line[160];   /* the text and a back name of up to 63 bytes */
    snprintf(back_line, sizeof back_line, "Esc              back to %s (the screen this one was opened from)", App_back_name(a));
    if (n < cap) out[n++] = a->screen == Screens[0] ? "Esc              (on the other screens) back to the one that opened them" : back_line;
    if (n < cap) out[n++] = "";
    const char *const *lists[3] = {a->screen->help, global_help, NULL};
    void *self;
    if (a->screen->more_help && ready(a, a->screen, &self)) lists[2] = a->screen->more_help(a, self);
    const char *titles[3] = {a->screen->help_title ? a->screen->help_title : a->screen->name, "Program", "This picture"};
    for (int l = 0; l < 3; l++) {
        if (!lists[l]) continue;
        if (n < cap) { title[n] = 1; out[n++] = titles[l]; }
        for (int i = 0; lists[l][i] && n < cap; i++) out[n++] = lists[l][i];
        if (n < cap) out[n++] = "";
    }
    return n;
}

static void draw_help(App *a) {
    WINDOW *w = stdscr;
    const char *lines[96];
    int title[96] = {0};
    int n = help_lines(a, lines, title, 96);
    int bw = a->cols - 4 > 100 ? 100 : a->cols - 4;
    int bh = a->rows - 2;
    if (bw < 10 || bh < 4) return;
    int x0 = (a->cols - bw) / 2, y0 = 1;
    int inner = bh - 2;
    if (a->help_scroll > n - inner) a->help_scroll = n - inner;
    if (a->help_scroll < 0) a->help_scroll = 0;
    Crt_set(w, CA_NORMAL);
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) mvwaddch(w, y0 + y, x0 + x, ' ');
    Crt_set(w, CA_TITLE);
    Crt_box(w, y0, x0, bh, bw);
    View_text(w, y0, x0 + 2, bw - 4, " shapewalk keys ", 0);
    View_text(w, y0 + bh - 1, x0 + 2, bw - 4, n > inner ? " ↑ ↓ scroll · any other key closes " : " any key closes ", 0);
    for (int i = 0; i < inner && a->help_scroll + i < n; i++) {
        const char *s = lines[a->help_scroll + i];
        int is_title = title[a->help_scroll + i];
        Crt_set(w, is_title ? CA_TITLE : CA_NORMAL);
        View_text(w, y0 + 1 + i, x0 + 2, bw - 4, s, 1);
    }
    Crt_set(w, CA_NORMAL);
}

static void draw_too_small(App *a) {
    char msg[160];
    snprintf(msg, sizeof msg, "shapewalk needs at least %dx%d; this terminal is %dx%d. Enlarge it, or press q to quit.", APP_MIN_COLS,
             APP_MIN_LINES, a->cols, a->rows);
    /* wrap the message into the space there is, never past the edges */
    int W = a->cols, H = a->rows;
    if (W < 1 || H < 1) return;
    Crt_set(stdscr, CA_TITLE);
    int y = H / 2 - 1 < 0 ? 0 : H / 2 - 1;
    const char *p = msg;
    while (*p && y < H) {
        int n = (int)strlen(p);
        int take = n < W ? n : W;
        if (take < n) {
            int sp = take;
            while (sp > 0 && p[sp] != ' ') sp--;
            if (sp > 0) take = sp;
        }
        char line[160];
        memcpy(line, p, (size_t)take);
        line[take] = 0;
        int x = (W - take) / 2;
        View_text(stdscr, y++, x < 0 ? 0 : x, W, line, 0);
        p += take;
        while (*p == ' ') p++;
    }
    Crt_set(stdscr, CA_NORMAL);
}

static void draw(App *a) {
    getmaxyx(stdscr, a->rows, a->cols);
    erase();
    /* too small: a message, never a clipped walk (keys typed meanwhile still count) */
    if (a->cols < APP_MIN_COLS || a->rows < APP_MIN_LINES) {
        draw_too_small(a);
        refresh();
        return;
    }
    draw_header(a);
    void *self;
    if (ready(a, a->screen, &self)) a->screen->draw(a, self, 2, a->rows - 2 - status_rows(a));
    else App_message(2, a->cols, CA_ERROR, "out of memory for this screen: Esc goes back, q quits");
    draw_status(a);
    if (a->help) draw_help(a);
    refresh();
}

/* ---- keys ---- */

/* Generated tokens live in the trace, not in the prompts, so a run of the prompts would drop
 * them: before a row is edited, added or removed, each row's generated tokens join its prompt's
 * text (decoded; the next run tokenizes the whole text again). Returns how many were kept. */
static int keep_generated(App *a) {
    Trace *t = a->trace;
    if (!t || a->busy_gen || Worker_busy(&a->worker) != JOB_NONE) return 0;   /* the trace is not the prompts' */
    int kept = 0;
    for (int b = 0; b < t->B && b < a->B; b++) {
        if (t->len[b] <= t->prompt_len[b]) continue;
        char *s = Tokenizer_decode(a->m->tok, t->ids + (size_t)b * t->Tcap, t->len[b]);
        char *r = s ? sw_utf8_repair(s, strlen(s)) : NULL;   /* a byte token may end mid-character */
        free(s);
        if (!r) continue;
        kept += t->len[b] - t->prompt_len[b];
        free(a->prompts[b]);
        a->prompts[b] = r;
    }
    return kept;
}

static void start_edit(App *a, int row) {
    a->editing = 1;
    a->edit_row = row;
    if (a->rejected && a->rejected_row == row) {
        Editor_set(&a->ed, a->rejected);
        free(a->rejected);
        a->rejected = NULL;
    } else {
        Editor_set(&a->ed, a->prompts[row] ? a->prompts[row] : "");
    }
}

static void finish_edit(App *a) {
    char *text = Editor_text(&a->ed);
    a->editing = 0;
    if (!text) return;
    free(a->prompts[a->edit_row]);
    a->prompts[a->edit_row] = text;
    a->want_b = a->edit_row;
    App_rerun(a);
    App_status(a, 0, "running the new prompt...");
}

static void cancel_edit(App *a) {
    a->editing = 0;
    /* a row added with n and left empty is removed again */
    if (a->edit_row == a->B - 1 && a->prompts[a->edit_row] && !a->prompts[a->edit_row][0] && a->B > 1 &&
        (!a->trace || a->trace->B < a->B)) {
        free(a->prompts[--a->B]);
        a->prompts[a->B] = NULL;
    }
}

static int app_key(App *a, int rc, wint_t wch) {
    /* behind the "needs at least 80x24" message a key does nothing but q (the message says so):
     * nothing typed there is acted on after the terminal grows */
    if (a->cols < APP_MIN_COLS || a->rows < APP_MIN_LINES) {
        if (rc != KEY_CODE_YES && wch == 'q' && !a->editing) a->quit = 1;
        return 1;
    }
    if (a->editing) {
        EdResult r = Editor_key(&a->ed, rc, wch);
        if (r == ED_ACCEPT) finish_edit(a);
        else if (r == ED_CANCEL) cancel_edit(a);
        return 1;
    }
    /* one int per key: key codes as they are, ASCII as itself, other characters ignored */
    int ch = rc == KEY_CODE_YES ? (int)wch : (wch < 128 ? (int)wch : -1);
    if (ch == KEY_RESIZE) return 1;
    if (a->help) {
        if (ch == KEY_DOWN || ch == 'j') a->help_scroll++;
        else if (ch == KEY_UP || ch == 'k') a->help_scroll--;
        else if (ch == KEY_NPAGE || ch == ' ') a->help_scroll += 10;
        else if (ch == KEY_PPAGE) a->help_scroll -= 10;
        else a->help = 0;
        return 1;
    }
    if (ch < 0) return 0;
    /* a screen reading typed text (the lesson's shape quiz) gets printable keys first */
    void *self;
    if (!ready(a, a->screen, &self)) {   /* no memory for the screen: Esc leaves it */
        if (ch == 'q') a->quit = 1;
        else if (ch == 27 && a->screen != Screens[0]) App_back(a);
        return 1;
    }
    if (a->screen->takes_text && a->screen->takes_text(a, self) && ch >= 32 && ch < 127 && a->screen->key(a, self, ch)) return 1;
    if (ch == 'q') { a->quit = 1; return 1; }   /* only q: Q is the quantization screen */
    if (a->digits[0] && ((ch >= '0' && ch <= '9') || ch == '.' || (ch >= 'a' && ch <= 'k') || ch == '\n' || ch == '\r' ||
                         ch == KEY_ENTER || ch == 27 || ch == KEY_BACKSPACE || ch == 127 || ch == 8))
        return a->screen->key(a, self, ch);
    switch (ch) {
    case '?': case KEY_F(1): a->help = 1; a->help_scroll = 0; return 1;
    case 'e': case '/': {
        int kept = keep_generated(a);
        if (kept) App_status(a, 0, "the %d generated token%s joined the prompts' text: a new run tokenizes it again", kept, kept == 1 ? "" : "s");
        start_edit(a, a->vc.b < a->B ? a->vc.b : 0);
        return 1;
    }
    case 'n': {
        if (a->B >= SW_MAX_B) { App_status(a, 1, "a batch holds at most %d prompts", SW_MAX_B); return 1; }
        int kept = keep_generated(a);
        if (kept) App_status(a, 0, "the %d generated token%s joined the prompts' text: the batch runs again with the new row", kept, kept == 1 ? "" : "s");
        a->prompts[a->B] = strdup("");
        a->B++;
        start_edit(a, a->B - 1);
        return 1;
    }
    case 'x':
        if (a->B <= 1) { App_status(a, 1, "the batch needs at least one prompt"); return 1; }
    {
        keep_generated(a);
        int r = a->vc.b < a->B ? a->vc.b : a->B - 1;
        free(a->prompts[r]);
        memmove(a->prompts + r, a->prompts + r + 1, sizeof(char *) * (size_t)(a->B - r - 1));
        a->prompts[--a->B] = NULL;
        if (a->vc.b >= a->B) a->vc.b = a->B - 1;
    }
        App_rerun(a);
        return 1;
    case 'r': {
        int dropped = 0;
        for (int b = 0; a->trace && !a->busy_gen && b < a->trace->B; b++) dropped += a->trace->len[b] - a->trace->prompt_len[b];
        App_rerun(a);
        if (dropped) App_status(a, 0, "running the prompts as typed: the %d generated token%s are dropped (e, then Enter, runs them as text)", dropped, dropped == 1 ? "" : "s");
        return 1;
    }
    case 'z': a->zoom = a->zoom > 1 ? 1 : 2; App_status(a, 0, "%s", a->zoom > 1 ? "large print" : "normal print"); return 1;
    case '+': if (a->zoom < 3) a->zoom++; return 1;
    case '-': case '_': if (a->zoom > 1) a->zoom--; return 1;
    }
    for (int i = 0; Screens[i]; i++)
        if (Screens[i]->hotkey && Screens[i]->hotkey == ch && Screens[i] != a->screen) {
            App_open(a, Screens[i]);
            return 1;
        }
    if (a->screen->key(a, self, ch)) return 1;
    /* after the screen's own keys: the surprise screen's c switches its panel */
    if (ch == 'c') {
        App_set_contrast(a, !a->contrast);
        App_status(a, 0, "%s", a->contrast ? "high contrast (c: normal colours)" : "normal colours (c: high contrast)");
        return 1;
    }
    return 0;
}

/* ---- the program ---- */

/* Ctrl-C, kill, a closed terminal: leave the loop and restore the terminal. */
static volatile sig_atomic_t app_signal;
static void on_signal(int sig) { app_signal = sig; }

int Tui_run(Model *m, const Options *o) {
    char err[SW_ERR_LEN];
    App *a = calloc(1, sizeof *a);
    if (!a) { fprintf(stderr, "shapewalk: out of memory\n"); return 1; }
    a->m = m;
    a->o = o;
    a->sampler = o->sampler;
    a->seed = a->draw_from = o->sampler.rng;
    a->k = o->top_k > 0 ? (o->top_k > VIEW_MAXK ? VIEW_MAXK : o->top_k) : 10;
    a->temperature = o->sampler.temperature > 0 ? o->sampler.temperature : 1;
    a->zoom = o->large ? 2 : 1;
    a->screen = Screens_first(o);
    a->want_b = -1;
    const char *defaults[SW_MAX_B];
    int n = o->n_prompts;
    if (n > 0) for (int i = 0; i < n && i < SW_MAX_B; i++) defaults[i] = o->prompts[i];
    else n = Prompts_default(m, defaults, SW_MAX_B);
    if (n > SW_MAX_B) n = SW_MAX_B;
    for (int i = 0; i < n; i++) a->prompts[i] = strdup(defaults[i]);
    a->B = n;
    a->vc.layer = 0;

    if (Crt_init(o->mono, err, sizeof err) != 0) {
        fprintf(stderr, "shapewalk: %s\n", err);
        for (int i = 0; i < a->B; i++) free(a->prompts[i]);
        free(a);
        return 1;
    }
    if (o->contrast) App_set_contrast(a, 1);
    TraceOpts topts;
    TraceOpts_default(&topts);
    topts.truncate = o->truncate;
    if (Worker_start(&a->worker, m, &topts, err) != 0) {
        Crt_done();
        fprintf(stderr, "shapewalk: %s\n", err);
        for (int i = 0; i < a->B; i++) free(a->prompts[i]);
        free(a);
        return 1;
    }
    app_signal = 0;
    struct sigaction sa, old_int, old_term, old_hup;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    if (Replay_start(a, err, sizeof err) != 0) App_status(a, 1, "--record/--replay: %s", err);
    App_rerun(a);
    wtimeout(stdscr, 50);
    a->dirty = 1;
    int last_done = -1;
    JobKind last_busy = JOB_NONE;
    while (!a->quit && !app_signal) {
        collect(a);
        JobKind busy = Worker_busy(&a->worker);
        int done, total;
        Worker_progress(&a->worker, &done, &total);
        if (busy != last_busy || (busy && done != last_done)) a->dirty = 1;
        last_busy = busy;
        last_done = done;
        if (a->dirty) {
            a->dirty = 0;   /* before drawing, so a screen may ask for another frame */
            draw(a);
        }
        int prc;
        wint_t pwch;
        /* idle first, then collect: a job that ended just now counts (and is drawn) before the next demo key */
        if (a->replay && Worker_busy(&a->worker) == JOB_NONE) collect(a);
        if (Replay_next(a, &prc, &pwch)) {   /* --replay: the demo's next key, once idle and drawn */
            app_key(a, prc, pwch);
            Replay_note(a, prc, pwch, a->quit);
            a->dirty = 1;
            continue;
        }
        wint_t wch;
        int rc = wget_wch(stdscr, &wch);
        if (rc == ERR) continue;
        /* a job that finished while we waited counts before the key: g pressed again right
         * after a generation step must find the worker free, not "busy" with an uncollected result */
        collect(a);
        if (Replay_intercept(a, rc, wch)) { a->dirty = 1; continue; }   /* Space steps the demo, Esc stops it */
        app_key(a, rc, wch);
        Replay_note(a, rc, wch, a->quit);   /* --record */
        a->dirty = 1;
    }

    Worker_stop(&a->worker);
    Crt_done();
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    int rc = app_signal ? 128 + app_signal : 0;
    if (Replay_finish(a) != 0 && rc == 0) rc = 1;   /* --record's file, after the terminal is back */
    if (a->trace) Trace_free(a->trace);
    free(a->tok_label);
    free(a->tok_symbol);
    free(a->rejected);
    for (int i = 0; i < SW_MAX_B; i++) free(a->prompts[i]);
    for (int i = 0; Screens[i] && i < APP_MAX_SCREENS; i++)
        if (a->state[i]) { if (Screens[i]->destroy) Screens[i]->destroy(a->state[i]); else free(a->state[i]); }
    free(a);
    return rc;
}
