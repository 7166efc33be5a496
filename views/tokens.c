/* tokens.c - the prompt split into token chips: each chip shows the token's text, its id
 * underneath and, for GPT-2, the byte-level vocabulary spelling ("Ġworld"). One block of
 * chips per batch row; padding positions of shorter rows are shown as padding. */
#include "views/view.h"

#include <stdio.h>
#include <string.h>

/* Draw the chips of row b from line y; returns the next free line. */
static int draw_row(ViewCtx *c, int b, int y, int bottom, int show_sym) {
    WINDOW *w = c->win;
    const TokenTable *tt = c->tok;
    int lines = show_sym ? 3 : 2;
    int zoom = c->zoom < 1 ? 1 : c->zoom;
    int pad_x = zoom;                                  /* space between chips */
    Crt_set(w, b == c->b ? CA_TITLE : CA_DIM);
    View_printf(w, y, c->x, c->w, "%s row b=%d: %d token%s%s", b == c->b ? ">" : " ", b, tt->len[b], tt->len[b] == 1 ? "" : "s",
                tt->len[b] < tt->T ? ", padded to T=" : "");
    if (tt->len[b] < tt->T) { char n[16]; snprintf(n, sizeof n, "%d", tt->T); View_text(w, y, getcurx(w), 6, n, 0); }
    if (tt->prompt_len[b] < tt->len[b]) {
        char n[64];
        snprintf(n, sizeof n, " (%d from the prompt, %d generated)", tt->prompt_len[b], tt->len[b] - tt->prompt_len[b]);
        View_text(w, y, getcurx(w), c->x + c->w - getcurx(w), n, 1);
    }
    Crt_set(w, CA_NORMAL);
    y++;
    int x = c->x + 2;
    for (int t = 0; t < tt->T; t++) {
        int pad = t >= tt->len[b];
        char id[16];
        const char *lab = pad ? "pad" : TokenTable_label(tt, b, t);
        const char *sym = (!pad && tt->symbol) ? tt->symbol[b * tt->T + t] : "";
        if (pad) snprintf(id, sizeof id, "-");
        else snprintf(id, sizeof id, "%d", tt->ids[b * tt->stride + t]);
        int cw = View_width(lab);
        if ((int)strlen(id) > cw) cw = (int)strlen(id);
        if (show_sym && View_width(sym) > cw) cw = View_width(sym);
        int maxcw = c->w - 4;
        if (cw > maxcw) cw = maxcw;
        if (cw < 1) cw = 1;
        if (x + cw > c->x + c->w) {
            x = c->x + 2;
            y += lines;
        }
        if (y + lines - 1 >= bottom) return bottom;
        int cur = (b == c->b && t == c->pos);
        int gen = !pad && t >= tt->prompt_len[b];
        CrtAttr ca = pad ? CA_PAD : cur ? CA_CURSOR : gen ? CA_SHAPECHANGE : (t % 2 ? CA_CHIP1 : CA_CHIP0);
        Crt_set(w, ca);
        for (int q = 0; q < cw; q++) mvwaddch(w, y, x + q, ' ');
        View_text(w, y, x, cw, lab, 1);
        Crt_set(w, cur ? CA_TITLE : CA_DIM);
        View_text(w, y + 1, x, cw, id, 0);
        if (show_sym) {
            Crt_set(w, CA_DIM);
            View_text(w, y + 2, x, cw, sym, 1);
        }
        Crt_set(w, CA_NORMAL);
        x += cw + pad_x;
    }
    return y + lines;
}

/* ---- large print: chips and ids in the big font, paged when they do not fit ---- */

/* One line of big chips (row b, positions t0 .. t1-1) or a row's heading (t0 = -1). */
typedef struct { int b, t0, t1; } BigUnit;
#define BIG_UNITS 512

static void big_chip_text(const ViewCtx *c, int b, int t, const char **lab, char *id, size_t cap) {
    int pad = t >= c->tok->len[b];
    *lab = pad ? "pad" : TokenTable_label(c->tok, b, t);
    if (pad) snprintf(id, cap, "-");
    else snprintf(id, cap, "%d", c->tok->ids[b * c->tok->stride + t]);
}

static int big_chip_width(const ViewCtx *c, int b, int t, int scale) {
    const char *lab;
    char id[16];
    big_chip_text(c, b, t, &lab, id, sizeof id);
    int cw = View_big_width_s(lab, scale), iw = View_big_width_s(id, scale);
    if (iw > cw) cw = iw;
    if (cw > c->w - 4) cw = c->w - 4;   /* a label wider than the screen: drawn small, below */
    return cw < 1 ? 1 : cw;
}

/* The units at this scale, the chosen row first; returns how many. */
static int big_layout(const ViewCtx *c, int scale, BigUnit *u) {
    const TokenTable *tt = c->tok;
    int n = 0, gap = 2 * scale;
    for (int k = 0; k < tt->B && n < BIG_UNITS; k++) {
        int b = (c->b + k) % tt->B;
        u[n++] = (BigUnit){b, -1, -1};
        int x = 0, t0 = 0;
        for (int t = 0; t < tt->T && n < BIG_UNITS; t++) {
            int cw = big_chip_width(c, b, t, scale);
            if (x > 0 && x + cw > c->w - 2) { u[n++] = (BigUnit){b, t0, t}; t0 = t; x = 0; }
            x += cw + gap;
        }
        if (t0 < tt->T && n < BIG_UNITS) u[n++] = (BigUnit){b, t0, tt->T};
    }
    return n;
}

static int big_unit_h(const BigUnit *u, int sy) { return u->t0 < 0 ? 1 : 2 * View_big_rows_xy(sy) + 1; }

/* Page starts for units in height h; returns the number of pages. */
static int big_pages(const BigUnit *u, int n, int sy, int h, int *start, int cap) {
    int np = 0, used = 0;
    for (int i = 0; i < n; i++) {
        int uh = big_unit_h(&u[i], sy);
        /* a heading stays with the chips under it */
        int need = uh + (u[i].t0 < 0 && i + 1 < n ? big_unit_h(&u[i + 1], sy) : 0);
        if (np == 0 || (used + need > h && used > 0)) {
            if (np < cap) start[np] = i;
            np++;
            used = 0;
        }
        used += uh;
    }
    return np;
}

static void tokens_draw_big(ViewCtx *c) {
    WINDOW *w = c->win;
    const TokenTable *tt = c->tok;
    static BigUnit u[BIG_UNITS];
    int start[BIG_UNITS];
    int avail = c->h - 2;   /* a title line above, the keys below */
    /* the largest print at which everything fits (wide x tall pixels); else the smallest, paged */
    static const int sizes[][2] = {{3, 3}, {2, 3}, {2, 2}, {1, 2}, {1, 1}};
    const int nsizes = (int)(sizeof sizes / sizeof *sizes);
    int scale = 1, sy = 1, n = 0, np = 0;
    for (int i = c->zoom >= 3 ? 0 : 1; i < nsizes; i++) {
        scale = sizes[i][0];
        sy = sizes[i][1];
        n = big_layout(c, scale, u);
        np = big_pages(u, n, sy, avail, start, BIG_UNITS);
        if (np <= 1) break;
    }
    if (np > BIG_UNITS) np = BIG_UNITS;
    if (c->page >= np) c->page = np - 1;
    if (c->page < 0) c->page = 0;
    c->n_pages = np;
    int y = c->y;
    Crt_set(w, CA_DIM);
    View_printf(w, y++, c->x, c->w, "text -> token ids: each chip is one token; its id is below (large print%s)",
                np > 1 ? ", paged" : "");
    int first = start[c->page], last = c->page + 1 < np ? start[c->page + 1] : n;
    int rows = View_big_rows_xy(sy), gap = 2 * scale;
    for (int i = first; i < last && y < c->y + c->h - 1; i++) {
        const BigUnit *bu = &u[i];
        if (bu->t0 < 0) {
            Crt_set(w, bu->b == c->b ? CA_TITLE : CA_NORMAL);
            View_printf(w, y, c->x, c->w, "%s row b=%d: %d token%s%s", bu->b == c->b ? ">" : " ", bu->b, tt->len[bu->b],
                        tt->len[bu->b] == 1 ? "" : "s", tt->len[bu->b] < tt->T ? " (then padding)" : "");
            y++;
            continue;
        }
        int x = c->x + 2;
        for (int t = bu->t0; t < bu->t1; t++) {
            const char *lab;
            char id[16];
            big_chip_text(c, bu->b, t, &lab, id, sizeof id);
            int cw = big_chip_width(c, bu->b, t, scale);
            int pad = t >= tt->len[bu->b];
            int cur = bu->b == c->b && t == c->pos;
            int gen = !pad && t >= tt->prompt_len[bu->b];
            CrtAttr ca = pad ? CA_PAD : cur ? CA_CURSOR : gen ? CA_SHAPECHANGE : (t % 2 ? CA_CHIP1 : CA_CHIP0);
            Crt_set(w, ca);
            for (int r = 0; r < rows; r++)
                for (int q = 0; q < cw; q++) mvwaddch(w, y + r, x + q, ' ');
            if (View_big_xy(w, y, x, cw, lab, scale, sy) < 0) View_text(w, y + rows / 2, x, cw, lab, 1);
            Crt_set(w, cur ? CA_TITLE : CA_NORMAL);
            if (View_big_xy(w, y + rows, x, cw, id, scale, sy) < 0) View_text(w, y + rows, x, cw, id, 0);
            x += cw + gap;
        }
        Crt_set(w, CA_NORMAL);
        y += big_unit_h(bu, sy);
    }
    Crt_set(w, CA_DIM);
    if (np > 1)
        View_printf(w, c->y + c->h - 1, c->x, c->w, "page %d/%d: PgDn next page, PgUp previous   , . choose a token   b batch row   z normal print",
                    c->page + 1, np);
    else
        View_printf(w, c->y + c->h - 1, c->x, c->w, ", . choose a token   b batch row   e edit the prompt   z normal print");
    Crt_set(w, CA_NORMAL);
}

static void tokens_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    c->n_pages = 1;
    if (c->h < 1 || c->w < 10 || !c->tok) return;
    if (c->zoom >= 2 && c->h >= 10 && c->tok->B > 0) { tokens_draw_big(c); return; }
    const TokenTable *tt = c->tok;
    int bottom = c->y + c->h - 1;
    int y = c->y;
    int show_sym = c->byte_level && tt->symbol != NULL && c->h >= 6;
    Crt_set(w, CA_DIM);
    View_printf(w, y++, c->x, c->w, "text -> token ids: each chip is one token; its id is below%s",
                show_sym ? ", then its byte-level spelling (Ġ = a space)" : "");
    Crt_set(w, CA_NORMAL);
    /* the chosen row first when not all rows fit */
    for (int k = 0; k < tt->B && y < bottom; k++) {
        int b = (c->b + k) % tt->B;
        y = draw_row(c, b, y, bottom, show_sym);
        y++;
    }
    Crt_set(w, CA_DIM);
    if (c->h >= 4) {
        char bos[64] = "";
        if (c->bos_name) snprintf(bos, sizeof bos, "(%.24s = BOS, added in front)", c->bos_name);
        const char *items[] = {", . choose a token", "b batch row", "e edit the prompt", bos};
        View_items(w, c->y + c->h - 1, c->x, c->w, items, 4);
    }
    Crt_set(w, CA_NORMAL);
}

static const char *const tokens_help[] = {
    "PgDn PgUp        large print: next / previous page of chips (when they do not fit)",
    NULL,
};

const ViewClass View_tokens = {"tokens", tokens_draw, View_page_key, tokens_help};   /* PgDn PgUp: the chips' pages */
