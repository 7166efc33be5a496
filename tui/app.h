/* app.h - the ncurses program's state shared by its screens, and the Screen interface.
 *
 * A Screen is one full-body mode of the program (the forward-pass walk is Screen_walk). It
 * keeps its own state in a struct of its own (create makes it, the program hands it back as
 * `self`); what all screens share (the prompts, the trace, the chosen row, position, layer,
 * head, k, temperature) is in App. Adding a screen: write tui/NAME.c defining
 * `const Screen Screen_NAME` and add it to the table in tui/screens.c (docs/ARCHITECTURE.md).
 * Pictures inside a screen are views (views/view.h), filled by the app layer (app/present.h).
 */
#ifndef SW_APP_H
#define SW_APP_H

#include "engine/model.h"
#include "engine/trace.h"
#include "tui/editor.h"
#include "app/options.h"
#include "app/present.h"
#include "app/worker.h"
#include "views/view.h"

#define APP_MIN_COLS 80
#define APP_MIN_LINES 24

struct App;

/* Every function gets the screen's own state as self (NULL when it has no create). */
typedef struct Screen {
    const char *name;
    int hotkey;                                               /* opens the screen (0: none) */
    void *(*create)(struct App *a);                           /* optional: its state, made on first use */
    void (*destroy)(void *self);                              /* optional: frees it */
    void (*enter)(struct App *a, void *self);                 /* optional: opened by its key */
    void (*draw)(struct App *a, void *self, int y, int h);    /* the body: lines y .. y+h-1, full width */
    int (*key)(struct App *a, void *self, int ch);            /* 1 when used */
    const char *const *help;                                  /* "key  what" lines for `?` */
    const char *help_title;                                   /* optional: their heading (default: name) */
    const char *back_as;                                      /* optional: its name in "Esc back to ..." (default: "the " + name up to a ':') */
    const char *const *(*more_help)(struct App *a, void *self); /* optional: "This picture" lines */
    void (*where)(struct App *a, void *self, char *buf, size_t cap); /* optional: "where you are" for the header */
    const char *(*hint)(struct App *a, void *self);           /* optional: key hints for the status line */
    int (*takes_text)(struct App *a, void *self);             /* optional: 1 while the screen reads typed text,
                                                                 so its key() sees letters before the global keys */
    int (*station)(struct App *a, void *self, StationRef *out); /* optional: the station it shows (1) */
    void (*show)(struct App *a, void *self, StationRef s);    /* optional: go to station s */
} Screen;

/* The screens (tui/screens.c): Screens[0] is home (Esc goes back to it); NULL-terminated. */
#define APP_MAX_SCREENS 16
extern const Screen *const Screens[];
/* The screen the program opens on. */
const Screen *Screens_first(const Options *o);

typedef struct App {
    Model *m;
    const Options *o;
    Trace *trace;              /* current trace (NULL until the first run lands) */
    int busy_gen;              /* a GENERATE job owns the trace: do not read it */
    Worker worker;
    Sampler sampler;           /* what g uses: τ, top-k, top-p and the generator's state */
    unsigned long long seed;   /* the seed each run starts from (R picks the next one) */
    unsigned long long draw_from; /* the generator's state before the rows' next tokens were chosen */

    /* prompts of the batch */
    char *prompts[SW_MAX_B];
    int B;

    /* tokens of the trace, for views */
    TokenTable tok;
    char (*tok_label)[VIEW_LABEL];
    char (*tok_symbol)[VIEW_LABEL];

    /* shared view state: chosen batch row, position, layer, head, k, cursor, zoom */
    ViewCtx vc;
    int k;
    float temperature;         /* for the top-k view (1 = the model's own distribution) */
    int zoom;
    int contrast;              /* the high-contrast theme is on (--contrast, c) */

    /* UI */
    const Screen *screen;
    const Screen *opener[APP_MAX_SCREENS]; /* the screens that opened this one, oldest first (each once) */
    int n_opener;
    void *state[APP_MAX_SCREENS];  /* each screen's own, by its place in Screens[] */
    int rows, cols;
    int help, help_scroll;
    int editing, edit_row;
    int want_b;                /* row to choose when the pending run lands (-1: keep) */
    char *rejected;            /* an edited prompt the model refused, offered again by `e` */
    int rejected_row;
    Editor ed;
    char digits[16];
    char status[SW_ERR_LEN + 64];
    int status_err;
    int quit;
    int dirty;
    int note_shown;            /* o->note was shown */
    /* the classroom: --tour, --record, --replay (tui/tour.c, tui/replay.c) */
    int tour, notes_off;       /* the tour's sentences on; N hides the presenter line */
    struct Replay *replay;     /* what --record saves and --replay plays (NULL: neither) */
} App;

extern const Screen Screen_walk, Screen_surprise, Screen_lens, Screen_lesson, Screen_quant, Screen_compare, Screen_legend;

/* Screen s's own state (made on first use; NULL for a screen without one). */
void *App_state(App *a, const Screen *s);
/* Switch to screen s (its enter runs); the screen left is the one s goes back to. Opening a
 * screen that is already among the openers goes back to it instead (no loops pile up). */
void App_open(App *a, const Screen *s);
/* Switch to screen s at station st (a screen without `show` just opens); as App_open. */
void App_show(App *a, const Screen *s, StationRef st);
/* Close the screen (Esc): back to the screen that opened it, as it was left (its enter does
 * not run), or to Screens[0] when none did. */
void App_back(App *a);
/* The screen App_back goes to. */
const Screen *App_opener(const App *a);
/* Its name for "Esc back to ..." ("the walk", "the lesson"). */
const char *App_back_name(const App *a);
/* The station screen s shows: 1 and *out, or 0 when it shows none. */
int App_station_of(App *a, const Screen *s, StationRef *out);
/* The high-contrast theme on or off (c, --contrast; the lesson turns it on with --large). */
void App_set_contrast(App *a, int on);
/* Present for the current trace: the app's k and temperatures. */
Present App_present(const App *a);

/* The ncurses program: runs until the user quits. Takes the opened model; the first trace
 * is computed inside (off the UI thread). Returns the process exit code. */
int Tui_run(Model *m, const Options *o);

/* Set the status line (err: shown as an error). */
void App_status(App *a, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Keep the chosen batch row inside the current trace (rows may be added or removed while a
 * run is pending). */
void App_clamp_row(App *a);
/* Start running the current prompts in the background. */
void App_rerun(App *a);

/* ---- shared by the screens ---- */

/* The view context for a picture at lines y .. y+h-1, full width: the chosen row, position,
 * layer, head, scroll (a->vc), the model, the trace, its tokens and the zoom. */
ViewCtx App_view_ctx(const App *a, int y, int h);
/* One line of text in attribute ca across w columns at line y. */
void App_message(int y, int w, CrtAttr ca, const char *s);
/* While there is no trace yet, or a generated token is on its way: a line saying so, and 1. */
int App_busy_message(const App *a, int y);
/* k K: the next larger / smaller number of top-k rows (1 3 5 10 15 20 30 40 50 64). */
void App_step_k(App *a, int more);
/* t T: the view temperature times 1.25 / 0.8, within [0.05, 20], snapped to 1 near 1. */
void App_step_temperature(App *a, int up);
/* g: append the sampler's next token to every row (in the background). */
void App_generate(App *a);
/* The sampler's keys, shared by the screens that show the next token: t T (τ up / down; below
 * 0.05 it becomes 0 = greedy, and t from greedy starts at 1), o (top-k off/5/10/40/100),
 * p P (top-p up / down), R (the next seed). The rows' next tokens are chosen again. 1 when used. */
int App_sampler_key(App *a, int ch);
/* "greedy (τ = 0)" or "τ 0.80 · top-k 40 · top-p 0.90 · seed 1". */
void App_sampler_text(const App *a, char *buf, size_t cap);
/* Choose every row's next token again with the sampler as it is now, from the generator's
 * state before the last choice (so the same settings give the same tokens). */
void App_rechoose(App *a);

/* ---- the classroom (tui/tour.c, tui/replay.c) ---- */

/* --tour: the next (dir > 0) or previous stop of the tour from cur; 0 when there is none. */
int Tour_next(const App *a, StationRef cur, int dir, StationRef *out);
/* The sentence for the room and the presenter's line at station s (this trace's numbers). */
void Tour_text(App *a, StationRef s, char *room, size_t rcap, char *note, size_t ncap);
/* Where the last token of the chosen row looks most in layer `layer`, past BOS: 1 and its
 * head, key position and probability. */
int Tour_focus(App *a, int layer, int *head, int *key, float *prob);
/* Both drawn from line y (not past bottom); returns the lines used. */
int Tour_draw(App *a, StationRef s, int y, int bottom);
/* --record / --replay: set up from the options (0, or -1 with err). */
int Replay_start(App *a, char *err, size_t cap);
/* The next key of the demo when it is due (the worker idle, a step asked for or its time
 * come): 1 and the key in *rc, *wch as wget_wch gives it. */
int Replay_next(App *a, int *rc, wint_t *wch);
/* A key typed while a demo plays (Space / → step, Esc stops it): 1 when the demo used it. */
int Replay_intercept(App *a, int rc, wint_t wch);
/* Note a key the program handled, for --record (quit: whether it ended the program). */
void Replay_note(App *a, int rc, wint_t wch, int quit);
/* The status line's word on the demo ("demo: key 3 of 12 · Space plays the next"), or NULL. */
const char *Replay_status(App *a);
/* At the end: write --record's file; free. Returns 0, or 1 when the file could not be written
 * (the reason on stderr). */
int Replay_finish(App *a);

#endif
