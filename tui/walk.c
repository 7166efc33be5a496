/* walk.c - the forward-pass walk: the shape strip, the station's maths and explanation, and
 * the station's picture (the view Station_info()->view names), with the keys that move
 * through stations, layers, heads, batch rows and positions. What a station shows is
 * app/present.c's; where the walk is, is its own state (Walk). */
#include "tui/app.h"
#include "tui/quant.h"
#include "tui/walk_see.h"
#include "views/explain_view.h"

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
    int explain;                        /* i: the cell's computation is shown over the picture */
    int explain_rank;                   /* at the top-k stations: which row of the table it explains */
    int to_diagonal;                    /* an attention map was just opened: put the key on the query */
    ViewCtx strip_outer, strip_inner;   /* where the strips were drawn, for mouse hits */
    StripItem outer_items[VIEW_MAXSTRIP], inner_items[16];
    WalkSee see;                        /* W the weights, v attention on the text (tui/walk_see.c) */
    StationRef last;                    /* the station drawn last (a new one starts on page 1) */
    int n_pages;                        /* large print: pages the view needed */
} Walk;

static StationRef current(const Walk *w) {
    if (w->in_block && w->n_inner > 0) return w->inner[w->inner_i];
    if (w->n_outer > 0) return w->outer[w->outer_i];
    StationRef s = {ST_TOKENIZE, -1};
    return s;
}

/* After a move from station `from`: a station opens on its main tensor (w starts again),
 * and an attention map opens where the cursor's query meets the diagonal (key = query), not
 * on whatever key column the last picture left, which for a long prompt is an all-zero corner. */
static void arrive(App *a, Walk *w, StationRef from) {
    StationRef to = current(w);
    if (to.kind == from.kind) return;
    w->which = 0;
    const int att_to = Station_info(to.kind)->view == VK_ATTENTION, att_from = Station_info(from.kind)->view == VK_ATTENTION;
    if (att_to && !att_from) w->to_diagonal = 1;   /* done when drawn: the trace may not be here yet */
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
static void go_to(App *a, Walk *w, StationRef s);
static void walk_show(App *a, void *self, StationRef s) {
    Walk *w = self;
    StationRef from = current(w);
    go_to(a, w, s);
    arrive(a, w, from);
}

static void go_to(App *a, Walk *w, StationRef s) {
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

/* i: the cell under the cursor, worked out (engine/explain.c), in a box over the lower part
 * of the picture lines y .. bottom-1. c is the picture's context as the view left it; other:
 * the picture shows a second model or a difference (d), the explanation the reference. */
static void draw_explain(App *a, Walk *wk, const ViewCtx *c, StationRef s, int other, int y, int bottom) {
    static Explain e;   /* large; one explanation at a time */
    char err[SW_ERR_LEN] = "", where[256], label[96];
    Station_label(s, label, sizeof label);
    ViewKind vk = Station_info(s.kind)->view;
    int col = c->col, rank = 0;
    if (vk == VK_TOPK) {
        if (wk->explain_rank >= c->n_topk) wk->explain_rank = c->n_topk > 0 ? c->n_topk - 1 : 0;
        if (wk->explain_rank < 0) wk->explain_rank = 0;
        rank = wk->explain_rank;
        col = c->n_topk > 0 ? c->topk[rank].id : 0;
    }
    int ok = Explain_cell(a->trace, s, c->which, c->b, c->head, c->pos, col, a->temperature, &e, err) == 0;
    ExplainCtx ec;
    memset(&ec, 0, sizeof ec);
    ec.vc.win = stdscr;
    ec.e = ok ? &e : NULL;
    ec.why = err;
    ec.where = where;
    char top[48] = "";
    if (vk == VK_TOPK) snprintf(top, sizeof top, " · row %d of the table (< > another)", rank + 1);
    snprintf(where, sizeof where, "%s%s%s", label, top, other ? " · the first model's cell, not the picture's (d)" : "");
    int need = ok ? e.n + 4 : 4;
    int h = bottom - y;
    if (h > need) { y = bottom - need; h = need; }
    ec.vc.y = y; ec.vc.x = 0; ec.vc.h = h; ec.vc.w = a->cols;
    View_explain.draw(&ec.vc);
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
    if (s.kind != wk->last.kind || s.layer != wk->last.layer) a->vc.page = 0;   /* a new station starts on its first page */
    wk->last = s;
    char shape[128], nums[64];
    Present_shape(cfg, s, wk->which, a->trace ? a->trace->B : a->B, a->trace ? a->trace->T : 0, nums, sizeof nums, shape, sizeof shape);
    int large = a->zoom >= 2 && bottom - y >= 30;
    if (large) {
        /* large print: the formula in the big font (wrapped at spaces, two lines at most, else
         * small), the shape big beside its last line or under it */
        const char *maths = Station_maths(s.kind, cfg);
        int nl = View_big_lines(maths, W - 2, 1), rows = View_big_rows(1);
        int last_w = 0;
        Crt_set(w, CA_MATHS);
        if (nl <= 2) {
            View_big_wrap(w, y, 1, W - 2, nl, maths, 1, &last_w);
            y += (nl - 1) * (rows + 1);
        } else {
            View_text(w, y, 0, W, maths, 1);
            last_w = W;
            y -= rows - 1;
        }
        Crt_set(w, info->shape_changes && s.kind != ST_TOKENIZE ? CA_SHAPECHANGE : CA_TITLE);
        const char *big = View_big_width(shape) <= W - 2 ? shape : nums;
        int bw = View_big_width(big);
        if (last_w + 6 + bw <= W) View_big(w, y, W - 1 - bw, bw, big);
        else { y += rows + 1; View_big(w, y, 2, W - 2, big); }
        Crt_set(w, CA_NORMAL);
        y += rows + 1;
        int ex_lines = bottom - y >= 50 ? 2 : 1;
        y += View_wrap(w, y, 0, W, ex_lines, info->explain);
        if (y < bottom) y++;
        goto picture;
    }
    /* maths line: the formula, then the shape with letters and numbers */
    Crt_set(w, CA_MATHS);
    char maths[200];
    snprintf(maths, sizeof maths, "%s", Station_maths(s.kind, cfg));
    if (s.kind == ST_NEXT && a->trace && !a->busy_gen) {   /* the rule g uses now, at the row's own last position */
        int lb = a->trace->len[a->vc.b];
        if (a->sampler.temperature > 0)
            snprintf(maths, sizeof maths, "next[b] ~ softmax(logits[b,t,:] / τ)%s, t = len_b - 1 (b=%d: t = %d)",
                     a->sampler.top_k > 0 || (a->sampler.top_p > 0 && a->sampler.top_p < 1) ? " cut" : "", a->vc.b, lb - 1);
        else
            snprintf(maths, sizeof maths, "next[b] = argmax(probs[b,t,:]), t = len_b - 1 (b=%d: t = %d)", a->vc.b, lb - 1);
    }
    int used = View_text(w, y, 0, W, maths, 1);
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
    int ex_lines = WalkSee_shown(&wk->see, s) ? 0 : room >= 14 ? 2 : 1;   /* W, v: their picture takes the room */
    if (a->tour && room < 14) ex_lines = 0;   /* small: the tour's sentence speaks for the station */
    y += View_wrap(w, y, 0, W, ex_lines, info->explain);
    if (ex_lines && room >= 20 && y < bottom) {
        Crt_set(w, CA_DIM);
        char note[256];
        snprintf(note, sizeof note, "Notice: %s", info->notice);
        y += View_wrap(w, y, 0, W, 1, note);
        Crt_set(w, CA_NORMAL);
    }
    if (y < bottom) y++;   /* a blank line above the picture */

picture:;
    ViewCtx c = App_view_ctx(a, y, bottom - y);
    if (c.h < 1) return;
    if (!a->trace || a->busy_gen) {
        App_message(y, W, CA_DIM, a->busy_gen ? "generating one token (only the new position runs, using the KV cache)..." :
                    Worker_busy(&a->worker) != JOB_NONE ? "running the forward pass..." :
                    "nothing to show: the forward pass did not run (the reason is below); press e to edit the prompt");
        return;
    }
    if (wk->to_diagonal && info->view == VK_ATTENTION) {
        c.col = a->vc.col = c.pos;   /* the view scrolls its window to the cursor */
        c.col0 = a->vc.col0 = 0;
        c.row0 = a->vc.row0 = 0;
    }
    wk->to_diagonal = 0;
    if (WalkSee_draw(a, &wk->see, s, &c)) return;   /* W or v: their picture instead */
    char err[SW_ERR_LEN] = "";
    if (prepare(a, wk, &c, err) != 0) {
        App_message(y, W, CA_ERROR, err);
        return;
    }
    const float *ref = c.tv.data;
    Quant_walk_adjust(a, s, wk->which, &c);   /* d: the second model's numbers or the difference */
    const int other = c.has_tv && c.tv.data != ref;   /* the picture is not the reference's */
    const ViewClass *vcls = View_for(info->view);
    vcls->draw(&c);
    /* keep what the view adjusted */
    a->vc.col = c.col;
    a->vc.col0 = c.col0;
    a->vc.row0 = c.row0;
    a->vc.page = c.page;
    wk->n_pages = c.n_pages;
    a->vc.pos = c.pos;
    if (info->view == VK_ATTENTION) a->vc.head = c.head;
    if (wk->explain) draw_explain(a, wk, &c, s, other, y, bottom);
}

static void walk_where(App *a, void *self, char *buf, size_t cap) {
    const Walk *w = self;
    char label[96];
    Station_label(current(w), label, sizeof label);
    if (w->in_block)
        snprintf(buf, cap, "%s · step %d/%d of block %d of %d", label, w->inner_i + 1, w->n_inner, a->vc.layer + 1, a->m->c.n_layers);
    else if (current(w).kind == ST_BLOCK)   /* numbered as the strip is: 0..7, the blocks all 3 */
        snprintf(buf, cap, "%s · station 3 of 0..7, block %d of %d", label, current(w).layer + 1, a->m->c.n_layers);
    else
        snprintf(buf, cap, "%s · station %d of 0..7", label, Station_outer_number(current(w).kind));
}

/* ---- keys ---- */

static int walk_key_move(App *a, Walk *w, int ch);
static int walk_key(App *a, void *self, int ch) {
    Walk *w = self;
    if (!a->digits[0] && WalkSee_key(a, &w->see, current(w), ch)) return 1;   /* W, v and the keys inside them */
    if (ch == 'i' && !a->digits[0]) {
        w->explain = !w->explain;
        App_status(a, 0, "%s", w->explain ? "the cell under the cursor, worked out with its numbers; i or Esc closes" : " ");
        return 1;
    }
    if (ch == 27 && w->explain && !a->digits[0]) { w->explain = 0; App_status(a, 0, " "); return 1; }
    if (w->explain && (ch == '<' || ch == '>') && Station_info(current(w).kind)->view == VK_TOPK) {
        w->explain_rank += ch == '>' ? 1 : -1;   /* the draw keeps it inside the table */
        return 1;
    }
    StationRef from = current(w);
    int used = walk_key_move(a, w, ch);
    arrive(a, w, from);
    return used;
}

static int walk_key_move(App *a, Walk *w, int ch) {
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
        else if (!w->in_block) App_status(a, 0, "only a block (3.N) has steps inside: → walks on, i shows how a cell was made");
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
    case 't': case 'T': case 'o': case 'p': case 'P': case 'R': return App_sampler_key(a, ch);   /* τ, top-k, top-p, seed */
    case 'a': a->vc.all_heads = !a->vc.all_heads; return 1;
    case 'w': w->which++; return 1;
    case 'g': App_generate(a); return 1;
    case 'd': Quant_walk_cycle(a, current(w)); return 1;   /* with --compare: reference / second model / difference */
    case KEY_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) != OK) return 1;
        if (ev.bstate & BUTTON4_PRESSED) { move_station(a, w, -1); return 1; }
        if (ev.bstate & BUTTON5_PRESSED) { move_station(a, w, +1); return 1; }
        if (ev.y == 0 && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))) {   /* the header's letters: their legend */
            App_open(a, &Screen_legend);
            return 1;
        }
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
        c.zoom = a->zoom;
        if (v->key(&c, ch)) {
            a->vc.col = c.col;
            a->vc.col0 = c.col0;
            a->vc.page = c.page;
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
    "w                which tensor: q/k/v, pre/post activation, sum/added; a station opens on its first",
    "i                how was this made? the cell under the cursor, worked out with its numbers",
    "W                the station's weights as heatmaps with their shapes; W: the next",
    "v                attention steps: attention on the text (, . query  { } head  a all)",
    "a                attention: all heads of the layer as a grid / one head",
    "k K              more / fewer rows in the top-k table",
    "< > PgUp PgDn    heatmap / attention column cursor: by one / by 16",
    "Home End         heatmap / attention column cursor: first / last",
    "t T              τ (temperature) up / down, for top-k and g; 0 = greedy",
    "o                sampling top-k: off, 5, 10, 40, 100 (when τ > 0)",
    "p P              sampling top-p up / down: 0.1 … 0.95, off (τ > 0)",
    "R                the next seed (the same seed draws the same tokens)",
    "g                append the next token (argmax, or a draw if τ > 0): T+1",
    "d                with a second model (--compare, Q M): reference / it / difference",
    "mouse            click a station in the strip; the wheel walks; the header: the legend",
    "Space → ←        with --tour: the tour's next / previous stop, a sentence at each",
    "N                with --tour: hide / show the presenter line",
    "Space  Esc       with --replay FILE: play the demo's next key / stop the demo",
    "D                the legend: what B, T, D, V, L, h, d, F, KV and ◆ mean here",
    NULL,
};

/* the help's "This picture": the keys of the current station's view */
static const char *const *walk_more_help(App *a, void *self) { return View_for(Station_info(current(self).kind)->view)->help; }

static const char *walk_hint(App *a, void *self) {
    const Walk *w = self;
    if (a->zoom >= 2 && w->n_pages > 1)
        return "PgDn PgUp page (large print)  ← → station  , . token  b row  = compare  z normal print  ? help  q quit";
    if (a->tour) return "Space → next stop  ← back  N presenter line  D: legend  b row  g generate  = compare  ? help  q quit";
    return "← → station  D: legend of B T D  ⏎ enter block  [ ] layer  { } head  , . token  b row  g generate  = compare  e edit  ? help  q quit";
}

const Screen Screen_walk = {
    .name = "walk", .create = walk_create, .draw = walk_draw, .key = walk_key, .help = walk_help,
    .help_title = "Walking the forward pass", .more_help = walk_more_help, .where = walk_where, .hint = walk_hint,
    .station = walk_station, .show = walk_show,
};
