/* app.h - the ncurses program's state, shared by its screens.
 *
 * A Screen is one full-body mode of the program (the forward-pass walk is Screen_walk).
 * Adding a screen: write tui/NAME.c defining `const Screen Screen_NAME` (draw, key, help,
 * the key that opens it) and add it to the table in tui/app.c. Pictures inside a screen are
 * views (views/view.h).
 */
#ifndef SW_APP_H
#define SW_APP_H

#include "engine/model.h"
#include "engine/trace.h"
#include "tui/editor.h"
#include "app/options.h"
#include "app/worker.h"
#include "views/view.h"

#define APP_MIN_COLS 80
#define APP_MIN_LINES 24

struct App;

typedef struct Screen {
    const char *name;
    int hotkey;                                   /* opens the screen (0: none) */
    void (*enter)(struct App *a);                 /* optional */
    void (*draw)(struct App *a, int y, int h);    /* the body: lines y .. y+h-1, full width */
    int (*key)(struct App *a, int ch);            /* 1 when used */
    const char *const *help;                      /* "key  what" lines for `?` */
    void (*where)(struct App *a, char *buf, size_t cap); /* optional: "where you are" for the header */
    const char *(*hint)(struct App *a);           /* optional: key hints for the status line */
    int (*takes_text)(struct App *a);             /* optional: 1 while the screen reads typed text,
                                                     so its key() sees letters before the global keys */
} Screen;

typedef struct App {
    Model *m;
    const Options *o;
    Trace *trace;              /* current trace (NULL until the first run lands) */
    int busy_gen;              /* a GENERATE job owns the trace: do not read it */
    Worker worker;
    Sampler sampler;

    /* prompts of the batch */
    char *prompts[SW_MAX_B];
    int B;

    /* tokens of the trace, for views */
    TokenTable tok;
    char (*tok_label)[VIEW_LABEL];
    char (*tok_symbol)[VIEW_LABEL];

    /* where we are in the walk */
    StationRef outer[512];
    int n_outer, outer_i;
    StationRef inner[16];
    int n_inner, inner_i, in_block;

    /* shared view state: chosen batch row, position, layer, head, k, cursor, zoom */
    ViewCtx vc;
    int k;
    float temperature;         /* for the top-k view (1 = the model's own distribution) */
    int zoom;
    int which;

    /* UI */
    const Screen *screen;
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
    ViewCtx strip_outer, strip_inner;   /* for mouse hits */
    int dirty;
    int note_shown;            /* o->note was shown */
} App;

extern const Screen Screen_walk, Screen_surprise, Screen_lens, Screen_lesson;

/* The ncurses program: runs until the user quits. Takes the opened model; the first trace
 * is computed inside (off the UI thread). Returns the process exit code. */
int Tui_run(Model *m, const Options *o);

/* The current station. */
StationRef App_station(const App *a);
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
/* A token's label (a label callback: ud is the model's Tokenizer). */
void App_token_label(const void *tok, int id, char *buf, size_t cap);
/* Labels for c's top-k rows. */
void App_label_topk(const App *a, ViewCtx *c);
/* The top-k view's numbers at row b, position pos and temperature: the a->k best tokens with
 * their labels, the largest logit, Σp over the V tokens, the entropy of p and log V. probs
 * (V floats) receives p; NULL: a buffer of its own (Σp and the entropy are left alone when
 * there is no memory for it). */
void App_topk(const App *a, Trace *t, int b, int pos, float temperature, float *probs, ViewCtx *c);
/* Row b's chosen next token for the next-token view: its label and its probability at the
 * last position (0 when the logits are not at hand). Nothing when the row has none. */
void App_next_token(const App *a, Trace *t, int b, ViewCtx *c);
/* k K: the next larger / smaller number of top-k rows (1 3 5 10 15 20 30 40 50 64). */
void App_step_k(App *a, int more);
/* t T: the view temperature times 1.25 / 0.8, within [0.05, 20], snapped to 1 near 1. */
void App_step_temperature(App *a, int up);
/* g: append the sampler's next token to every row (in the background). */
void App_generate(App *a);

#endif
