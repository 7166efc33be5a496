/* walk.c - the forward-pass walk: the shape strip, the station's maths and explanation, and
 * the station's picture (the view Station_info()->view names), with the keys that move
 * through stations, layers, heads, batch rows and positions. */
#include "tui/app.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- per-station details shown by the walk ---- */

static const char *short_name(StationKind k) {
    switch (k) {
    case ST_TOKENIZE: return "tokens";
    case ST_EMBED: return "embed";
    case ST_POSITIONS: return "+pos";
    case ST_BLOCK: return "block";
    case ST_FINAL_NORM: return "norm";
    case ST_LM_HEAD: return "LM head";
    case ST_SOFTMAX: return "softmax";
    case ST_NEXT: return "next";
    case ST_NORM1: return "norm1";
    case ST_QKV: return "q,k,v";
    case ST_ROPE: return "rope";
    case ST_SCORES: return "scores";
    case ST_MASK: return "mask";
    case ST_ATTN: return "probs";
    case ST_WSUM: return "A@v";
    case ST_OUT_PROJ: return "+attn";
    case ST_NORM2: return "norm2";
    case ST_MLP_UP: return "MLP up";
    case ST_MLP_DOWN: return "+MLP";
    default: return "?";
    }
}

/* The tensors a station can show (w key cycles), their names and symbols. */
static int which_count(StationKind k, const Config *c) {
    switch (k) {
    case ST_QKV: return 3;
    case ST_ROPE: return 2;
    case ST_MLP_UP: return c->mlp == MLP_SWIGLU ? 3 : 2;
    case ST_OUT_PROJ: case ST_MLP_DOWN: return 2;
    default: return 1;
    }
}

static void which_names(StationKind k, const Config *c, int which, char *name, size_t ncap, char *sym, size_t scap) {
    const char *n = "", *s = "x";
    switch (k) {
    case ST_NORM1: case ST_NORM2: s = "xn"; break;
    case ST_QKV: s = which == 0 ? "q" : which == 1 ? "k" : "v";
        n = which == 0 ? "q: what each token looks for (w: k, v)" : which == 1 ? "k: what each token offers (w: v, q)" : "v: what each token passes on (w: q, k)";
        break;
    case ST_ROPE: s = which == 0 ? "q" : "k"; n = which == 0 ? "q after rotation (w: k)" : "k after rotation (w: q)"; break;
    case ST_SCORES: case ST_MASK: s = "S"; break;
    case ST_ATTN: s = "A"; break;
    case ST_WSUM: s = "y"; break;
    case ST_OUT_PROJ: s = which == 0 ? "x" : "yWo"; n = which == 0 ? "x + y@Wo: the residual after (w: what was added)" : "y@Wo: what attention adds (w: the sum)"; break;
    case ST_MLP_UP:
        s = which == 0 ? "hid" : which == 1 ? "pre" : "up";
        if (c->mlp == MLP_SWIGLU)
            n = which == 0 ? "silu(xn@Wg)*(xn@Wu) (w: before silu, up)" : which == 1 ? "xn@Wg before silu (w: up)" : "xn@Wu, the up projection (w: the product)";
        else
            n = which == 0 ? "gelu(xn@Wu+bu) (w: before gelu)" : "xn@Wu+bu before gelu (w: after)";
        break;
    case ST_MLP_DOWN: s = which == 0 ? "x" : "hW2"; n = which == 0 ? "x + hid@W2: the block's output (w: what was added)" : "hid@W2: what the MLP adds (w: the sum)"; break;
    default: break;
    }
    snprintf(name, ncap, "%s", n);
    snprintf(sym, scap, "%s", s);
}

StationRef App_station(const App *a) {
    if (a->in_block && a->n_inner > 0) return a->inner[a->inner_i];
    if (a->n_outer > 0) return a->outer[a->outer_i];
    StationRef s = {ST_TOKENIZE, -1};
    return s;
}

static void set_inner(App *a, int layer) {
    const Config *c = &a->m->c;
    if (layer < 0) layer = 0;
    if (layer >= c->n_layers) layer = c->n_layers - 1;
    a->vc.layer = layer;
    a->n_inner = Stations_inner(c, layer, a->inner, 16);
    if (a->n_inner > 16) a->n_inner = 16;
    if (a->inner_i >= a->n_inner) a->inner_i = a->n_inner - 1;
}

static int block_outer_index(const App *a, int layer) {
    for (int i = 0; i < a->n_outer; i++)
        if (a->outer[i].kind == ST_BLOCK && a->outer[i].layer == layer) return i;
    return 0;
}

static void enter_block(App *a) {
    StationRef s = a->outer[a->outer_i];
    if (s.kind != ST_BLOCK) return;
    set_inner(a, s.layer);
    a->in_block = 1;
    a->inner_i = 0;
}

static void leave_block(App *a) {
    if (!a->in_block) return;
    a->in_block = 0;
    a->outer_i = block_outer_index(a, a->vc.layer);
}

static void move_station(App *a, int d) {
    const int L = a->m->c.n_layers;
    if (a->in_block) {
        int i = a->inner_i + d;
        if (i >= a->n_inner) {
            if (a->vc.layer + 1 < L) { set_inner(a, a->vc.layer + 1); a->inner_i = 0; }
            else { leave_block(a); if (a->outer_i + 1 < a->n_outer) a->outer_i++; }
        } else if (i < 0) {
            if (a->vc.layer > 0) { set_inner(a, a->vc.layer - 1); a->inner_i = a->n_inner - 1; }
            else { leave_block(a); if (a->outer_i > 0) a->outer_i--; }
        } else {
            a->inner_i = i;
        }
        return;
    }
    int i = a->outer_i + d;
    if (i < 0) i = 0;
    if (i >= a->n_outer) i = a->n_outer - 1;
    a->outer_i = i;
    if (a->outer[i].kind == ST_BLOCK) a->vc.layer = a->outer[i].layer;
}

/* "5" outer station 5; "3.2" block 2; "3.2.d" step d of block 2 (1-based layers). */
static int jump_to(App *a, const char *s) {
    const int L = a->m->c.n_layers;
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s) return -1;
    if (n == 3 && *end == '.') {
        long l = strtol(end + 1, &end, 10);
        if (l < 1 || l > L) return -1;
        if (*end == 0) {
            a->in_block = 0;
            a->outer_i = block_outer_index(a, (int)l - 1);
            a->vc.layer = (int)l - 1;
            return 0;
        }
        if (*end != '.' || !end[1] || end[2]) return -1;
        set_inner(a, (int)l - 1);
        for (int i = 0; i < a->n_inner; i++) {
            const char *num = Station_info(a->inner[i].kind)->number;   /* "3.l.d" */
            if (num[4] == end[1]) {
                a->outer_i = block_outer_index(a, (int)l - 1);
                a->in_block = 1;
                a->inner_i = i;
                return 0;
            }
        }
        return -1;
    }
    if (*end) return -1;
    for (int i = 0; i < a->n_outer; i++) {
        const StationInfo *in = Station_info(a->outer[i].kind);
        if ((n == 3 && a->outer[i].kind == ST_BLOCK) || (a->outer[i].kind != ST_BLOCK && atoi(in->number) == n)) {
            a->in_block = 0;
            a->outer_i = i;
            if (a->outer[i].kind == ST_BLOCK) a->vc.layer = a->outer[i].layer;
            return 0;
        }
    }
    return -1;
}

/* ---- filling the view context ---- */

static void numbers_of_shape(const App *a, StationRef s, char *out, size_t cap, char *full, size_t fcap) {
    int B = a->trace ? a->trace->B : a->B, T = a->trace ? a->trace->T : 0;
    const Config *c = &a->m->c;
    char buf[128];
    Station_shape(c, s, B, T, buf, sizeof buf);
    /* k and v of grouped-query attention have KV heads, not h (the maths line; the strip shows q) */
    int kv_view = (s.kind == ST_QKV || s.kind == ST_ROPE) && a->which % which_count(s.kind, c) != 0;
    if (full && kv_view && c->n_kv_heads != c->n_heads)
        snprintf(buf, sizeof buf, "(B,KV,T,d) = (%d,%d,%d,%d)", B, c->n_kv_heads, T, c->head_dim);
    if (full) snprintf(full, fcap, "%s", buf);
    const char *eq = strstr(buf, " = ");
    snprintf(out, cap, "%.47s", eq ? eq + 3 : buf);
}

static void fill_strip(const App *a, const StationRef *st, int n, StripItem *items) {
    for (int i = 0; i < n; i++) {
        char label[96];
        Station_label(st[i], label, sizeof label);
        char *sp = strchr(label, ' ');
        if (sp) *sp = 0;
        snprintf(items[i].number, sizeof items[i].number, "%.11s", label);
        if (st[i].kind == ST_BLOCK) snprintf(items[i].name, sizeof items[i].name, "block");
        else snprintf(items[i].name, sizeof items[i].name, "%s", short_name(st[i].kind));
        numbers_of_shape(a, st[i], items[i].shape, sizeof items[i].shape, NULL, 0);
        items[i].changes = Station_info(st[i].kind)->shape_changes && st[i].kind != ST_TOKENIZE;
    }
}

/* Prepare the context for the current station's view. Returns 0, or -1 with err. */
static int prepare(App *a, ViewCtx *c, char *err) {
    StationRef s = App_station(a);
    Trace *t = a->trace;
    const Config *cfg = &a->m->c;
    c->st = s;
    if (s.layer >= 0) c->layer = s.layer;
    c->has_tv = 0;
    c->n_topk = 0;
    c->mask = 0;
    c->scale = SCALE_DIV;
    c->all_heads = a->vc.all_heads;
    c->temperature = a->temperature;
    c->sample_temperature = a->sampler.temperature;
    int nw = which_count(s.kind, cfg);
    int which = a->which % nw;
    c->which = which;
    which_names(s.kind, cfg, which, c->which_name, sizeof c->which_name, c->tensor_name, sizeof c->tensor_name);
    for (int b = 0; b < SW_MAX_B; b++) c->next_id[b] = -1;
    if (!t) return 0;
    ViewKind vk = Station_info(s.kind)->view;
    for (int b = 0; b < t->B; b++) {
        c->next_id[b] = t->next_id[b];
        /* the chosen token's probability (a V-long softmax per row): only where it is shown */
        if (vk == VK_NEXT) App_next_token(a, t, b, c);
    }
    if (vk == VK_MATRIX || vk == VK_ATTENTION) {
        if (Trace_tensor(t, s, which, &c->tv, err) != 0) return -1;
        c->has_tv = 1;
        if (vk == VK_ATTENTION) {
            c->mask = s.kind == ST_MASK ? 1 : s.kind == ST_ATTN ? 2 : 0;
            c->scale = s.kind == ST_ATTN ? SCALE_SEQ : SCALE_DIV;
        } else if (c->tv.ndim == 4 && c->tv.dims[1] < cfg->n_heads && c->tv.dims[1] > 0) {
            /* k, v with fewer KV heads: the one query head `head` reads */
            int group = cfg->n_heads / c->tv.dims[1];
            c->head = a->vc.head / group;
            char tmp[160];
            snprintf(tmp, sizeof tmp, "%s: KV head %d serves query heads %d-%d", c->tensor_name, c->head, c->head * group,
                     c->head * group + group - 1);
            snprintf(c->which_name, sizeof c->which_name, "%.63s", tmp);
        }
    } else if (vk == VK_TOPK) {
        int b = c->b, pos = c->pos;
        if (pos >= t->len[b]) pos = t->len[b] - 1;
        if (pos < 0) pos = 0;
        c->pos = pos;
        App_topk(a, t, b, pos, a->temperature, NULL, c);
        c->show_logits = s.kind == ST_LM_HEAD;
    }
    return 0;
}

/* ---- drawing ---- */

static void walk_draw(App *a, int y, int h) {
    WINDOW *w = stdscr;
    App_clamp_row(a);
    const int W = a->cols;
    int bottom = y + h;
    const Config *cfg = &a->m->c;
    static StripItem outer_items[VIEW_MAXSTRIP], inner_items[16];
    int no = a->n_outer > VIEW_MAXSTRIP ? VIEW_MAXSTRIP : a->n_outer;
    fill_strip(a, a->outer, no, outer_items);

    ViewCtx *so = &a->strip_outer;
    memset(so, 0, sizeof *so);
    so->win = w; so->y = y; so->x = 0; so->h = 2; so->w = W;
    so->strip = outer_items; so->n_strip = no; so->strip_cur = a->outer_i;
    so->strip_title = a->in_block ? "walk" : "walk";
    View_shape_strip.draw(so);
    y += 2;
    a->strip_inner.hit_n = 0;
    if (a->in_block) {
        fill_strip(a, a->inner, a->n_inner, inner_items);
        char title[32];
        snprintf(title, sizeof title, "in block %d:", a->vc.layer + 1);
        ViewCtx *si = &a->strip_inner;
        memset(si, 0, sizeof *si);
        si->win = w; si->y = y; si->x = 0; si->h = 2; si->w = W;
        si->strip = inner_items; si->n_strip = a->n_inner; si->strip_cur = a->inner_i;
        si->strip_title = title;
        View_shape_strip.draw(si);
        y += 2;
    }

    StationRef s = App_station(a);
    const StationInfo *info = Station_info(s.kind);
    char shape[128], nums[64];
    numbers_of_shape(a, s, nums, sizeof nums, shape, sizeof shape);
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
    if (prepare(a, &c, err) != 0) {
        App_message(y, W, CA_ERROR, err);
        return;
    }
    const ViewClass *vcls = View_for(info->view);
    vcls->draw(&c);
    /* keep what the view adjusted */
    a->vc.col = c.col;
    a->vc.col0 = c.col0;
    a->vc.row0 = c.row0;
    a->vc.pos = c.pos;
    if (info->view == VK_ATTENTION) a->vc.head = c.head;
}

static void walk_where(App *a, char *buf, size_t cap) {
    StationRef s = App_station(a);
    char label[96];
    Station_label(s, label, sizeof label);
    if (a->in_block)
        snprintf(buf, cap, "%s · step %d/%d of block %d of %d", label, a->inner_i + 1, a->n_inner, a->vc.layer + 1, a->m->c.n_layers);
    else
        snprintf(buf, cap, "%s · station %d/%d", label, a->outer_i + 1, a->n_outer);
}

/* ---- keys ---- */

static int walk_key(App *a, int ch) {
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
            if (jump_to(a, a->digits) != 0) App_status(a, 1, "no station %s: try 0..7, 3.N for block N, 3.N.a..k for a step inside", a->digits);
            else App_status(a, 0, " ");
            a->digits[0] = 0;
            return 1;
        }
        if (ch == 27) { a->digits[0] = 0; return 1; }
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) { a->digits[nd - 1] = 0; return 1; }
        a->digits[0] = 0;
    }
    switch (ch) {
    case KEY_RIGHT: case 'l': case ' ': move_station(a, +1); return 1;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8: move_station(a, -1); return 1;
    case '\n': case '\r': case KEY_ENTER: case KEY_DOWN: case 'j':
        if (!a->in_block && a->outer[a->outer_i].kind == ST_BLOCK) enter_block(a);
        else if (!a->in_block) App_status(a, 0, "only a block (3.N) has inner steps; use → to walk on");
        return 1;
    case 27: case KEY_UP:
        if (a->in_block) leave_block(a);
        return 1;
    case '[': case ']': {
        int d = ch == ']' ? 1 : -1;
        int l = a->vc.layer + d;
        if (l < 0 || l >= cfg->n_layers) return 1;
        if (a->in_block) set_inner(a, l);
        else if (a->outer[a->outer_i].kind == ST_BLOCK) a->outer_i = block_outer_index(a, l);
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
    case 'w': a->which++; return 1;
    case 'g': App_generate(a); return 1;
    case KEY_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) != OK) return 1;
        if (ev.bstate & BUTTON4_PRESSED) { move_station(a, -1); return 1; }
        if (ev.bstate & BUTTON5_PRESSED) { move_station(a, +1); return 1; }
        int i = View_strip_hit(&a->strip_outer, ev.y, ev.x);
        if (i >= 0) {
            if (a->in_block) leave_block(a);
            a->outer_i = i;
            if (a->outer[i].kind == ST_BLOCK) a->vc.layer = a->outer[i].layer;
            return 1;
        }
        i = View_strip_hit(&a->strip_inner, ev.y, ev.x);
        if (i >= 0 && a->in_block) a->inner_i = i;
        return 1;
    }
    }
    /* view-specific keys */
    StationRef s = App_station(a);
    const ViewClass *v = View_for(Station_info(s.kind)->view);
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
    "mouse            click a station in the strip; the wheel walks",
    NULL,
};

const Screen Screen_walk = {"walk", 0, NULL, walk_draw, walk_key, walk_help, walk_where, NULL, NULL};
