/* walk_see.c - the walk's weights view (W) and attention on the text (v): tui/walk_see.h. */
#include "tui/walk_see.h"

#include <stdio.h>
#include <string.h>

static int same_station(StationRef a, StationRef b) { return a.kind == b.kind && a.layer == b.layer; }

static int trace_T(const App *a) { return a->trace ? a->trace->T : 0; }

/* ---- W: the weights ---- */

static int weights_key(App *a, WalkSee *s, StationRef st, int ch) {
    WeightItem items[WEIGHTS_MAX];
    int n = Weights_list(a->m, st, trace_T(a), items, WEIGHTS_MAX);
    if (ch == 'W') {
        if (!a->trace && st.kind == ST_POSITIONS) {   /* P[0:T] needs T */
            App_status(a, 0, "the forward pass is still running: W again once it is in");
            return 1;
        }
        if (!s->w_on || !same_station(s->w_st, st)) {
            if (n == 0) { App_status(a, 0, "%s", Weights_none(&a->m->c, st.kind)); s->w_on = 0; return 1; }
            s->w_on = 1;
        } else
            s->w_on = s->w_on >= n ? 0 : s->w_on + 1;
        s->w_st = st;
        s->w_r = s->w_c = s->w_row0 = s->w_col0 = 0;
        if (s->w_on) {
            const WeightItem *it = &items[s->w_on - 1];
            if (it->row_tokens == 1 && a->trace && a->trace->len[a->vc.b] > 0)   /* E: start on the chosen token's row */
                s->w_r = Trace_id(a->trace, a->vc.b, a->vc.pos < a->trace->len[a->vc.b] ? a->vc.pos : 0);
            if (st.kind == ST_LM_HEAD && a->trace && !a->busy_gen && a->vc.pos < a->trace->len[a->vc.b]) {   /* W_lm: the top token's column */
                TopK top;
                if (Trace_topk(a->trace, a->vc.b, a->vc.pos, 1, 1, &top) == 1) s->w_c = top.id;
            }
            App_status(a, 0, "%s%s", it->shape, s->w_on < n ? "  (W: the next)" : "  (W: back to the station)");
        } else
            App_status(a, 0, "back to the station's own picture");
        s->v_on = 0;
        return 1;
    }
    if (!s->w_on || !same_station(s->w_st, st) || s->w_on > n) return 0;
    const WeightItem *it = &items[s->w_on - 1];
    switch (ch) {
    case '<': case KEY_SLEFT: s->w_c--; break;
    case '>': case KEY_SRIGHT: s->w_c++; break;
    case KEY_NPAGE: s->w_c += 16; break;
    case KEY_PPAGE: s->w_c -= 16; break;
    case KEY_HOME: s->w_c = 0; break;
    case KEY_END: s->w_c = it->cols - 1; break;
    case ',': case KEY_BTAB: s->w_r--; break;
    case '.': s->w_r++; break;
    case '\t': s->w_r = s->w_r + 1 >= it->rows ? 0 : s->w_r + 1; break;
    case 27: s->w_on = 0; App_status(a, 0, "back to the station's own picture"); return 1;
    default: return 0;
    }
    if (s->w_c < 0) s->w_c = 0;
    if (s->w_c >= it->cols) s->w_c = it->cols - 1;
    if (s->w_r < 0) s->w_r = 0;
    if (s->w_r >= it->rows) s->w_r = it->rows - 1;
    return 1;
}

/* The window's first index for a cursor at cur in n, the view's first visible at vis0. */
static int window0(int cur, int vis0, int n, int win) {
    if (n <= win) return 0;
    int w0 = vis0 - win / 4;
    if (cur < w0 || cur >= w0 + win) w0 = cur - win / 2;
    if (w0 > n - win) w0 = n - win;
    if (w0 < 0) w0 = 0;
    return w0;
}

static int weights_draw(App *a, WalkSee *s, StationRef st, ViewCtx *c) {
    WeightItem items[WEIGHTS_MAX];
    int n = Weights_list(a->m, st, trace_T(a), items, WEIGHTS_MAX);
    if (s->w_on > n) s->w_on = 0;
    if (!s->w_on) return 0;
    const WeightItem *it = &items[s->w_on - 1];
    WINDOW *w = c->win;
    /* a line naming it: the shape in letters and numbers, what it does, how it is stored */
    Crt_set(w, CA_TITLE);
    int used = View_printf(w, c->y, c->x, c->w, "%s", it->shape);
    /* the station's weights, this one bracketed (W steps through them), and what it does */
    char list[160];
    size_t o = (size_t)snprintf(list, sizeof list, "W:");
    for (int i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, i == s->w_on - 1 ? " [%s]" : " %s", items[i].name);
    const char *stored = strncmp(it->stored, " · ", strlen(" · ")) == 0 ? it->stored + strlen(" · ") : it->stored;
    const char *parts[] = {list, stored, it->what};
    Crt_set(w, CA_DIM);
    if (used + 2 < c->w) View_items(w, c->y, c->x + used + 2, c->w - used - 2, parts, 3);
    Crt_set(w, CA_NORMAL);
    c->y++;
    c->h--;
    if (c->h < 3) return 1;
    /* the window of the matrix around the cursor (a large E or W_lm is never read whole) */
    int r0 = window0(s->w_r, s->w_row0, it->rows, SEE_WIN_R), c0 = window0(s->w_c, s->w_col0, it->cols, SEE_WIN_C);
    int nr = it->rows - r0 < SEE_WIN_R ? it->rows - r0 : SEE_WIN_R;
    int nc = it->cols - c0 < SEE_WIN_C ? it->cols - c0 : SEE_WIN_C;
    if (Weights_window(it, r0, nr, c0, nc, s->w_buf) != 0) {
        App_message(c->y, c->w, CA_ERROR, "these weights cannot be read (their type is not one shapewalk dequantizes)");
        return 1;
    }
    /* row labels: a token's piece for E, the prompt's token for P, else none */
    memset(&s->w_tt, 0, sizeof s->w_tt);
    s->w_tt.B = 1;
    s->w_tt.T = nr;
    s->w_tt.len[0] = nr;
    s->w_tt.prompt_len[0] = nr;
    s->w_tt.label = s->w_label;
    for (int r = 0; r < nr; r++) {
        s->w_label[r][0] = 0;
        if (it->row_tokens == 1) Present_token_label(a->m->tok, r0 + r, s->w_label[r], VIEW_LABEL);
        else if (it->row_tokens == 2) snprintf(s->w_label[r], VIEW_LABEL, "%s", TokenTable_label(&a->tok, a->vc.b, r0 + r));
    }
    c->tok = &s->w_tt;
    c->b = 0;
    memset(&c->tv, 0, sizeof c->tv);
    c->tv.data = s->w_buf;
    c->tv.ndim = 2;
    c->tv.dims[0] = nr;
    c->tv.dims[1] = nc;
    c->tv.stride[0] = nc;
    c->tv.stride[1] = 1;
    c->has_tv = 1;
    c->scale = SCALE_DIV;
    c->pos = s->w_r - r0;
    c->col = s->w_c - c0;
    c->row0 = s->w_row0 - r0;
    c->col0 = s->w_col0 - c0;
    c->row_base = r0;
    c->col_base = c0;
    c->full_rows = it->rows;
    c->full_cols = it->cols;
    snprintf(c->tensor_name, sizeof c->tensor_name, "%s", it->name);
    char col_tok[VIEW_LABEL] = "";
    if (it->col_tokens) Present_token_label(a->m->tok, s->w_c, col_tok, sizeof col_tok);
    if (it->col_tokens) snprintf(c->which_name, sizeof c->which_name, "column %d = token \"%.24s\"", s->w_c, col_tok);
    else snprintf(c->which_name, sizeof c->which_name, "W: %s", s->w_on < n ? "the next weight" : "back to the station");
    View_heatmap.draw(c);
    s->w_row0 = r0 + c->row0;
    s->w_col0 = c0 + c->col0;
    return 1;
}

/* ---- v: attention on the text ---- */

static int attention_station(StationKind k) { return k == ST_SCORES || k == ST_MASK || k == ST_ATTN || k == ST_WSUM; }

static int text_key(App *a, WalkSee *s, StationRef st, int ch) {
    if (ch == 'v') {
        if (!attention_station(st.kind)) {
            App_status(a, 0, "attention on the text is at a block's attention steps: 3.l.d to 3.l.g");
            return 1;
        }
        s->v_on = !(s->v_on && same_station(s->v_st, st));
        s->v_st = st;
        s->w_on = 0;
        App_status(a, 0, s->v_on ? "attention on the text: , . the query  { } head  a all heads" : "back to the attention map");
        return 1;
    }
    if (s->v_on && same_station(s->v_st, st) && ch == 27) { s->v_on = 0; return 1; }
    return 0;
}

static int text_draw(App *a, WalkSee *s, StationRef st, ViewCtx *c) {
    if (!s->v_on) return 0;
    Present p = App_present(a);
    StationRef at = {ST_ATTN, st.layer};
    char err[SW_ERR_LEN] = "";
    c->all_heads = a->vc.all_heads;
    if (Present_station(&p, at, 0, c, err) != 0) {
        App_message(c->y, c->w, CA_ERROR, err);
        return 1;
    }
    c->layer = st.layer;
    c->head = a->vc.head;
    View_attn_text.draw(c);
    a->vc.pos = c->pos;
    a->vc.head = c->head;
    return 1;
}

int WalkSee_key(App *a, WalkSee *s, StationRef st, int ch) {
    if (ch == 'i' && ((s->w_on && same_station(s->w_st, st)) || (s->v_on && same_station(s->v_st, st)))) {
        App_status(a, 0, "i explains a cell of the station's own picture: %s first goes back to it", s->w_on ? "W" : "v");
        return 1;
    }
    if (weights_key(a, s, st, ch)) return 1;
    if (text_key(a, s, st, ch)) return 1;
    return 0;
}

int WalkSee_shown(const WalkSee *s, StationRef st) {
    return (s->w_on && same_station(s->w_st, st)) || (s->v_on && same_station(s->v_st, st));
}

int WalkSee_draw(App *a, WalkSee *s, StationRef st, ViewCtx *c) {
    if (s->w_on && !same_station(s->w_st, st)) s->w_on = 0;
    if (s->v_on && !same_station(s->v_st, st)) s->v_on = 0;
    if (weights_draw(a, s, st, c)) return 1;
    if (text_draw(a, s, st, c)) return 1;
    return 0;
}
