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

static void tokens_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 10 || !c->tok) return;
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

const ViewClass View_tokens = {"tokens", tokens_draw, NULL, NULL};
