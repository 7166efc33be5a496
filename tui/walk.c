/* walk.c - the forward-pass walk: the shape strip, the station's maths and explanation, and
 * the station's picture (the view Station_info()->view names), with the keys that move
 * through stations, layers, heads, batch rows and positions. What a station shows is
 * app/present.c's; where the walk is, is its own state (Walk). */
#include "tui/app.h"
#include "tui/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The walk's own state: where it is among the stations. */
typedef struct {
    StationRef outer[512];
    int n_outer, outer_i;
    StationRef inner[16];
    int n_inner, inner_i, in_block;
    int which;                          /* w: which tensor of the station */
    ViewCtx strip_outer, strip_inner;   /* where the strips were drawn, for mouse hits */
    StripItem outer_items[VIEW_MAXSTRIP], inner_items[16];
} Walk;

static StationRef current(const Walk *w) {
    if (w->in_block && w->n_inner > 0) return w->inner[w->inner_i];
    if (w->n_outer > 0) return w->outer[w->outer_i];
    StationRef s = {ST_TOKENIZE, -1};
    return s;
}

static void set_inner(App *a, Walk *w, int layer) {
    const Config *c = &a->m->c;
    if (layer < 0) layer = 0;
    if (layer >= c->n_layers) layer = c->n_layers - 1;
    a->vc.layer = layer;
    w->n_inner = Stations_inner(c, layer, w->inner, 16);
    if (w->n_inner > 16) w->n_inner = 16;
    if (w->inner_i >= w->n_inner) w->inner_i = w->n_inner - 1;
}

static int block_outer_index(const Walk *w, int layer) {
    for (int i = 0; i < w->n_outer; i++)
        if (w->outer[i].kind == ST_BLOCK && w->outer[i].layer == layer) return i;
    return 0;
}

static void enter_block(App *a, Walk *w) {
    StationRef s = w->outer[w->outer_i];
    if (s.kind != ST_BLOCK) return;
    set_inner(a, w, s.layer);
    w->in_block = 1;
    w->inner_i = 0;
}

static void leave_block(App *a, Walk *w) {
    if (!w->in_block) return;
    w->in_block = 0;
    w->outer_i = block_outer_index(w, a->vc.layer);
}

static void move_station(App *a, Walk *w, int d) {
    const int L = a->m->c.n_layers;
    if (w->in_block) {
        int i = w->inner_i + d;
        if (i >= w->n_inner) {
            if (a->vc.layer + 1 < L) { set_inner(a, w, a->vc.layer + 1); w->inner_i = 0; }
            else { leave_block(a, w); if (w->outer_i + 1 < w->n_outer) w->outer_i++; }
        } else if (i < 0) {
            if (a->vc.layer > 0) { set_inner(a, w, a->vc.layer - 1); w->inner_i = w->n_inner - 1; }
            else { leave_block(a, w); if (w->outer_i > 0) w->outer_i--; }
        } else {
            w->inner_i = i;
        }
        return;
    }
    int i = w->outer_i + d;
    if (i < 0) i = 0;
    if (i >= w->n_outer) i = w->n_outer - 1;
    w->outer_i = i;
    if (w->outer[i].kind == ST_BLOCK) a->vc.layer = w->outer[i].layer;
}

/* Go to station s: an outer station, a block (its layer chosen) or a step inside a block. */
static void walk_show(App *a, void *self, StationRef s) {
    Walk *w = self;
    if (s.kind >= ST_NORM1) {
        set_inner(a, w, s.layer);
        for (int i = 0; i < w->n_inner; i++)
            if (w->inner[i].kind == s.kind) {
                w->outer_i = block_outer_index(w, s.layer);
                w->in_block = 1;
                w->inner_i = i;
                return;
            }
        return;
    }
    w->in_block = 0;
    if (s.kind == ST_BLOCK) {
        w->outer_i = block_outer_index(w, s.layer);
        a->vc.layer = s.layer;
        return;
    }
    for (int i = 0; i < w->n_outer; i++)
        if (w->outer[i].kind == s.kind) { w->outer_i = i; return; }
}

static int walk_station(App *a, void *self, StationRef *out) {
    *out = current(self);
    return 1;
}

static void *walk_create(App *a) {
    Walk *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n_outer = Stations_outer(&a->m->c, w->outer, 512);
    if (w->n_outer > 512) w->n_outer = 512;
    w->n_inner = Stations_inner(&a->m->c, 0, w->inner, 16);
    /* --station N, 3.N, 3.N.x (checked against this model by tui/main.c) */
    StationRef s;
    if (a->o->station_name && Station_find(&a->m->c, a->o->station_name, &s) == 0) walk_show(a, w, s);
    return w;
}

/* ---- filling the view context ---- */

/* The context for the current station's view. Returns 0, or -1 with err. */
static int prepare(App *a, Walk *w, ViewCtx *c, char *err) {
    Present p = App_present(a);
    p.w_hints = 1;
    c->all_heads = a->vc.all_heads;
    return Present_station(&p, current(w), w->which, c, err);
}

/* ---- drawing ---- */

/* A shape strip of n stations at line y, the current one cur; *sc keeps where it was drawn. */
static void draw_strip(App *a, ViewCtx *sc, int y, const StationRef *st, int n, int cur, StripItem *items, const char *title) {
    int B = a->trace ? a->trace->B : a->B, T = a->trace ? a->trace->T : 0;
    Present_strip(&a->m->c, st, n, B, T, items);
    memset(sc, 0, sizeof *sc);
    sc->win = stdscr; sc->y = y; sc->x = 0; sc->h = 2; sc->w = a->cols;
    sc->strip = items; sc->n_strip = n; sc->strip_cur = cur;
    sc->strip_title = title;
    View_shape_strip.draw(sc);
}

static void walk_draw(App *a, void *self, int y, int h) {
    Walk *wk = self;
    WINDOW *w = stdscr;
    App_clamp_row(a);
    const int W = a->cols;
    int bottom = y + h;
    const Config *cfg = &a->m->c;
    int no = wk->n_outer > VIEW_MAXSTRIP ? VIEW_MAXSTRIP : wk->n_outer;
    draw_strip(a, &wk->strip_outer, y, wk->outer, no, wk->outer_i, wk->outer_items, "walk");
    y += 2;
    wk->strip_inner.hit_n = 0;
    if (wk->in_block) {
        char title[32];
        snprintf(title, sizeof title, "in block %d:", a->vc.layer + 1);
        draw_strip(a, &wk->strip_inner, y, wk->inner, wk->n_inner, wk->inner_i, wk->inner_items, title);
        y += 2;
    }

    StationRef s = current(wk);
    const StationInfo *info = Station_info(s.kind);
    char shape[128], nums[64];
    Present_shape(cfg, s, wk->which, a->trace ? a->trace->B : a->B, a->trace ? a->trace->T : 0, nums, sizeof nums, shape, sizeof shape);
    /* maths line: the formula, then the shape with letters and numbers */
    Crt_set(w, CA_MATHS);
    int used = View_text(w, y, 0, W, Station_maths(s.kind, cfg), 1);
    int shw = View_width(shape);
    if (used + 4 + shw <= W) {
        Crt_set(w, info->shape_changes && s.kind != ST_TOKENIZE ? CA_SHAPECHANGE : CA_TITLE);
        View_text(w, y, W - shw, shw, shape, 0);
    } else if (y + 1 < bottom) {
        y++;
        Crt_set(w, CA_TITLE);
        View_text(w, y, 2, W - 2, shape, 1);
    }
    Crt_set(w, CA_NORMAL);
    y++;
    /* what the station multiplies by and how those weights are stored; GQA's head sharing */
    char extra[256];
    Crt_set(w, CA_DIM);
    if (bottom - y >= 8 && Station_weights(a->m, s, extra, sizeof extra) > 0) View_text(w, y++, 0, W, extra, 1);
    if (bottom - y >= 10 && Station_note(cfg, s.kind, extra, sizeof extra)) View_text(w, y++, 0, W, extra, 1);
    Crt_set(w, CA_NORMAL);
    if (a->tour) y += Tour_draw(a, s, y, bottom);   /* --tour: the room's sentence, the presenter's line */
    /* large print: the shape in big letters, for the back of the room */
    if (a->zoom >= 2 && bottom - y >= 18) {
        Crt_set(w, info->shape_changes && s.kind != ST_TOKENIZE ? CA_SHAPECHANGE : CA_TITLE);
        const char *big = View_big_width(shape) <= W - 2 ? shape : nums;
        if (View_big(w, y, 2, W - 2, big) > 0) y += 4;
        Crt_set(w, CA_NORMAL);
    }
    int room = bottom - y;
    int ex_lines = room >= 14 ? 2 : 1;
    y += View_wrap(w, y, 0, W, ex_lines, info->explain);
    if (room >= 20 && y < bottom) {
        Crt_set(w, CA_DIM);
        char note[256];
        snprintf(note, sizeof note, "Notice: %s", info->notice);
        y += View_wrap(w, y, 0, W, 1, note);
        Crt_set(w, CA_NORMAL);
    }
    if (y < bottom) y++;   /* a blank line above the picture */

    ViewCtx c = App_view_ctx(a, y, bottom - y);
    if (c.h < 1) return;
    if (!a->trace || a->busy_gen) {
        App_message(y, W, CA_DIM, a->busy_gen ? "generating one token (only the new position runs, using the KV cache)..." :
                    Worker_busy(&a->worker) != JOB_NONE ? "running the forward pass..." :
                    "nothing to show: the forward pass did not run (the reason is below); press e to edit the prompt");
        return;
    }
    char err[SW_ERR_LEN] = "";
    if (prepare(a, wk, &c, err) != 0) {
        App_message(y, W, CA_ERROR, err);
        return;
    }
    Quant_walk_adjust(a, s, wk->which, &c);   /* d: the second model's numbers or the difference */
    const ViewClass *vcls = View_for(info->view);
    vcls->draw(&c);
    /* keep what the view adjusted */
    a->vc.col = c.col;
    a->vc.col0 = c.col0;
    a->vc.row0 = c.row0;
    a->vc.pos = c.pos;
    if (info->view == VK_ATTENTION) a->vc.head = c.head;
}

static void walk_where(App *a, void *self, char *buf, size_t cap) {
    const Walk *w = self;
    char label[96];
    Station_label(current(w), label, sizeof label);
    if (w->in_block)
        snprintf(buf, cap, "%s · step %d/%d of block %d of %d", label, w->inner_i + 1, w->n_inner, a->vc.layer + 1, a->m->c.n_layers);
    else
        snprintf(buf, cap, "%s · station %d/%d", label, w->outer_i + 1, w->n_outer);
}

/* ---- keys ---- */

static int walk_key(App *a, void *self, int ch) {
    Walk *w = self;
    const Config *cfg = &a->m->c;
    size_t nd = strlen(a->digits);
    /* typing a station number: digits, dots, and a step letter after "3.l." */
    if ((ch >= '0' && ch <= '9') || (nd > 0 && ch == '.') ||
        (nd > 0 && ch >= 'a' && ch <= 'k' && strchr(a->digits, '.') && strchr(a->digits, '.') != strrchr(a->digits, '.'))) {
        if (nd + 1 < sizeof a->digits) { a->digits[nd] = (char)ch; a->digits[nd + 1] = 0; }
        return 1;
    }
    if (nd > 0) {
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
            StationRef to;
            if (Station_find(cfg, a->digits, &to) == 0) { walk_show(a, w, to); App_status(a, 0, " "); }
            else App_status(a, 1, "no station %s: try 0..7, 3.N for block N, 3.N.a..k for a step inside", a->digits);
            a->digits[0] = 0;
            return 1;
        }
        if (ch == 27) { a->digits[0] = 0; return 1; }
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) { a->digits[nd - 1] = 0; return 1; }
        a->digits[0] = 0;
    }
    if (a->tour) {   /* --tour: → and Space go to the tour's next stop, ← back; N the presenter line */
        StationRef to;
        int dir = ch == KEY_RIGHT || ch == 'l' || ch == ' ' ? 1 : ch == KEY_LEFT || ch == 'h' || ch == KEY_BACKSPACE || ch == 127 || ch == 8 ? -1 : 0;
        if (dir && Tour_next(a, current(w), dir, &to)) {
            int hd, key;
            float p;
            walk_show(a, w, to);
            if (to.kind == ST_ATTN && Tour_focus(a, to.layer, &hd, &key, &p)) a->vc.head = hd;   /* the head the sentence names */
            return 1;
        }
        if (dir > 0) { App_status(a, 0, "the end of the tour: g appends the next token, b shows the other prompt, 0 Enter starts again"); return 1; }
        if (dir < 0) return 1;
        if (ch == 'N') { a->notes_off = !a->notes_off; App_status(a, 0, "presenter line %s", a->notes_off ? "hidden (N shows it)" : "shown"); return 1; }
    }
    switch (ch) {
    case KEY_RIGHT: case 'l': case ' ': move_station(a, w, +1); return 1;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8: move_station(a, w, -1); return 1;
    case '\n': case '\r': case KEY_ENTER: case KEY_DOWN: case 'j':
        if (!w->in_block && w->outer[w->outer_i].kind == ST_BLOCK) enter_block(a, w);
        else if (!w->in_block) App_status(a, 0, "only a block (3.N) has inner steps; use → to walk on");
        return 1;
    case 27: case KEY_UP:
        if (w->in_block) leave_block(a, w);
        return 1;
    case '[': case ']': {
        int d = ch == ']' ? 1 : -1;
        int l = a->vc.layer + d;
        if (l < 0 || l >= cfg->n_layers) return 1;
        if (w->in_block) set_inner(a, w, l);
        else if (w->outer[w->outer_i].kind == ST_BLOCK) w->outer_i = block_outer_index(w, l);
        a->vc.layer = l;
        return 1;
    }
    case '{': case '}': {
        int hh = a->vc.head + (ch == '}' ? 1 : -1);
        if (hh >= 0 && hh < cfg->n_heads) a->vc.head = hh;
        return 1;
    }
    case 'b': case 'B':
        if (a->trace && a->trace->B > 1) {
            int old_last = a->vc.pos == a->trace->len[a->vc.b] - 1;
            a->vc.b = (a->vc.b + (ch == 'b' ? 1 : a->trace->B - 1)) % a->trace->B;
            if (old_last) a->vc.pos = a->trace->len[a->vc.b] - 1;
            App_clamp_row(a);
        }
        return 1;
    case ',': case KEY_BTAB: a->vc.pos--; App_clamp_row(a); return 1;
    case '.': a->vc.pos++; App_clamp_row(a); return 1;
    case '\t':
        App_clamp_row(a);
        if (a->trace && a->trace->len[a->vc.b] > 0) a->vc.pos = (a->vc.pos + 1) % a->trace->len[a->vc.b];
        return 1;
    case 'k': case 'K':
        App_step_k(a, ch == 'k');
        App_status(a, 0, "top-k shows k = %d", a->k);
        return 1;
    case 't': case 'T':
        App_step_temperature(a, ch == 't');
        App_status(a, 0, "temperature %.2f for the top-k view: low sharpens towards argmax, high flattens towards uniform", a->temperature);
        return 1;
    case 'a': a->vc.all_heads = !a->vc.all_heads; return 1;
    case 'w': w->which++; return 1;
    case 'g': App_generate(a); return 1;
    case 'd': Quant_walk_cycle(a, current(w)); return 1;   /* with --compare: reference / second model / difference */
    case KEY_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) != OK) return 1;
        if (ev.bstate & BUTTON4_PRESSED) { move_station(a, w, -1); return 1; }
        if (ev.bstate & BUTTON5_PRESSED) { move_station(a, w, +1); return 1; }
        int i = View_strip_hit(&w->strip_outer, ev.y, ev.x);
        if (i >= 0) {
            if (w->in_block) leave_block(a, w);
            w->outer_i = i;
            if (w->outer[i].kind == ST_BLOCK) a->vc.layer = w->outer[i].layer;
            return 1;
        }
        i = View_strip_hit(&w->strip_inner, ev.y, ev.x);
        if (i >= 0 && w->in_block) w->inner_i = i;
        return 1;
    }
    }
    /* view-specific keys */
    const ViewClass *v = View_for(Station_info(current(w).kind)->view);
    if (v->key) {
        ViewCtx c = a->vc;
        if (v->key(&c, ch)) {
            a->vc.col = c.col;
            a->vc.col0 = c.col0;
            return 1;
        }
    }
    return 0;
}

static const char *const walk_help[] = {
    "→ l Space        next station          ← h Backspace   previous station",
    "Enter ↓ j        enter a block's steps  Esc ↑           leave the block",
    "3 . 2 . d Enter  jump to a station: 5 = LM head, 3.2 = block 2, 3.2.d",
    "[ ]              previous / next layer (block)",
    "{ }              previous / next attention head",
    "b B              next / previous batch row (prompt)",
    ", .  Tab         previous / next token position",
    "w                which tensor: q/k/v, pre/post activation, sum/added",
    "a                attention: all heads of the layer as a grid / one head",
    "k K              more / fewer rows in the top-k table",
    "t T              temperature up / down (top-k view)",
    "g                append the next token to every row, run again: T+1",
    "d                with a second model (--compare, Q M): reference / it / difference",
    "mouse            click a station in the strip; the wheel walks",
    "Space → ←        with --tour: the tour's next / previous stop, a sentence at each",
    "N                with --tour: hide / show the presenter line",
    "Space  Esc       with --replay FILE: play the demo's next key / stop the demo",
    "D                the legend: what B, T, D, V, L, h, d, F, KV and ◆ mean here",
    NULL,
};

/* the help's "This picture": the keys of the current station's view */
static const char *const *walk_more_help(App *a, void *self) { return View_for(Station_info(current(self).kind)->view)->help; }

static const char *walk_hint(App *a, void *self) {
    if (a->tour) return "Space → next stop  ← back  N presenter line  D: legend  b row  g generate  ? help  q quit";
    return "← → station  D: legend (B T D…)  ⏎ enter block  [ ] layer  { } head  , . token  b row  g generate  e edit  ? help  q quit";
}

const Screen Screen_walk = {
    .name = "walk", .create = walk_create, .draw = walk_draw, .key = walk_key, .help = walk_help,
    .help_title = "Walking the forward pass", .more_help = walk_more_help, .where = walk_where, .hint = walk_hint,
    .station = walk_station, .show = walk_show,
};
