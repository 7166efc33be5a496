/* next_token.c - the token chosen for every row from its last position (argmax, or a sample),
 * shown at the end of the row's text, and the key that appends it and runs again: the
 * shapes grow from T to T+1. */
#include "views/view.h"

#include <stdio.h>
#include <string.h>

/* label with the visible-space sign turned back into a space, for running text */
static void plain(char *out, size_t cap, const char *lab) {
    size_t o = 0;
    for (const char *p = lab; *p && o + 1 < cap;) {
        if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x90 && (unsigned char)p[2] == 0xA3) {
            out[o++] = ' ';
            p += 3;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
}

/* Large print: each row's last words and its next token in the big font, the probability big
 * beside it when it fits. Returns 0 when the rows do not fit (the small view draws then). */
static int next_draw_big(ViewCtx *c) {
    WINDOW *w = c->win;
    const TokenTable *tt = c->tok;
    const int rows = View_big_rows(1), per = rows + 2;
    if (c->h < 3 + tt->B * per) return 0;
    int y = c->y;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, c->x, c->w, "next token for each row, from its last position's probabilities (%s; large print)",
                c->sample_temperature > 0 ? "sampled" : "argmax");
    Crt_set(w, CA_NORMAL);
    y++;
    for (int b = 0; b < tt->B; b++) {
        int n = tt->len[b];
        char chip[VIEW_LABEL + 8], pct[24] = "";
        snprintf(chip, sizeof chip, "%s", c->next_id[b] >= 0 ? c->next_label[b] : "?");
        if (c->next_id[b] >= 0) snprintf(pct, sizeof pct, "%.1f%%", 100.0 * c->next_prob[b]);
        int chipw = View_big_width(chip) + 2, pw = View_big_width(pct);
        int x0 = c->x + 7;
        int show_pct = x0 + 8 * 4 + chipw + 4 + pw <= c->x + c->w;   /* room for 8 letters of text, the chip, the % */
        int room = c->x + c->w - x0 - chipw - 2 - (show_pct ? pw + 4 : 0);
        /* the row's text (BOS left out) from the end, as much as fits big */
        char text[1024] = "", piece[VIEW_LABEL];
        size_t len = 0;
        for (int t = 0; t < n; t++) {
            if (t == 0 && c->bos_name && strcmp(TokenTable_label(tt, b, t), c->bos_name) == 0) continue;
            plain(piece, sizeof piece, TokenTable_label(tt, b, t));
            size_t pl = strlen(piece);
            if (len + pl + 1 >= sizeof text) { memmove(text, text + pl, len - pl + 1); len -= pl; }
            memcpy(text + len, piece, pl + 1);
            len += pl;
        }
        const char *tail = text;
        while (*tail && View_big_width(tail) > room) {
            tail++;
            while ((*tail & 0xC0) == 0x80) tail++;   /* a whole UTF-8 character at a time */
        }
        Crt_set(w, b == c->b ? CA_TITLE : CA_DIM);
        View_printf(w, y + 1, c->x, 7, "b=%d:", b);
        Crt_set(w, CA_NORMAL);
        int x = x0;
        if (tail != text) { View_text(w, y + 2, x, 1, "…", 0); x += 2; }
        int used = View_big(w, y, x, c->x + c->w - x, tail);
        if (used > 0) x += used + 2;
        Crt_set(w, CA_CURRENT);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < chipw; q++) mvwaddch(w, y + r, x + q, ' ');
        if (View_big(w, y, x + 1, chipw - 1, chip) < 0) View_text(w, y + 1, x + 1, chipw - 1, chip, 1);
        x += chipw + 2;
        Crt_set(w, CA_TITLE);
        if (show_pct) View_big(w, y, x + 2, c->x + c->w - x - 2, pct);
        Crt_set(w, CA_DIM);
        if (c->next_id[b] >= 0)
            View_printf(w, y + rows, c->x + 7, c->w - 7, "id %d, p = %.2f%%, after t=%d; g appends it: t=%d", c->next_id[b], 100.0 * c->next_prob[b],
                        n - 1, n);
        Crt_set(w, CA_NORMAL);
        y += per;
    }
    if (y < c->y + c->h) {
        Crt_set(w, CA_KEY);
        View_printf(w, y, c->x, c->w, "g: append these tokens and run again: (B,T) = (%d,%d) -> (%d,%d)", tt->B, tt->T, tt->B, tt->T + 1);
        Crt_set(w, CA_NORMAL);
    }
    return 1;
}

static void next_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 10 || !c->tok) return;
    if (c->zoom >= 2 && next_draw_big(c)) return;
    const TokenTable *tt = c->tok;
    int y = c->y, bottom = c->y + c->h;
    /* a row that fills the context cannot grow: generation appends to every row or none */
    const int ctx = c->cfg ? c->cfg->seq_len : 0;
    int full = -1;
    for (int b = 0; b < tt->B && ctx > 0; b++)
        if (tt->len[b] >= ctx) { full = b; break; }
    /* the rule that picked it: argmax, or a draw with the sampler's settings */
    const int sampled = c->sample_temperature > 0;
    const int cut = sampled && ((c->sample_top_k > 0) || (c->sample_top_p > 0 && c->sample_top_p < 1));
    const int tau1 = !sampled || (c->sample_temperature > 0.9999f && c->sample_temperature < 1.0001f);
    char rule[160];
    if (!sampled)
        snprintf(rule, sizeof rule, "argmax (τ = 0, greedy)");
    else {
        char kk[24] = "top-k off", pp[24] = "top-p off";
        if (c->sample_top_k > 0) snprintf(kk, sizeof kk, "top-k %d", c->sample_top_k);
        if (c->sample_top_p > 0 && c->sample_top_p < 1) snprintf(pp, sizeof pp, "top-p %.2f", c->sample_top_p);
        snprintf(rule, sizeof rule, "sampled, τ %.2f · %s · %s · seed %llu", c->sample_temperature, kk, pp, c->sample_seed);
    }
    Crt_set(w, CA_TITLE);
    char title[240];
    snprintf(title, sizeof title, "next token: %s, from each row's last position", rule);
    if (sampled && View_width(title) > c->w) snprintf(title, sizeof title, "next token: %s", rule);   /* 80 columns: the rule alone */
    if (sampled) View_text(w, y++, c->x, c->w, title, 1);
    else View_printf(w, y++, c->x, c->w, "next token for each row, from its last position: %s", rule);
    Crt_set(w, CA_NORMAL);
    y++;
    for (int b = 0; b < tt->B && y + 1 < bottom; b++) {
        int n = tt->len[b];
        /* the tail of the text that fits before the chip */
        char chip[VIEW_LABEL + 8];
        snprintf(chip, sizeof chip, " %s ", c->next_id[b] >= 0 ? c->next_label[b] : "?");
        int chipw = View_width(chip);
        int room = c->w - 8 - chipw - 2;
        if (room < 4) room = 4;
        int t0 = n, width = 0;
        char piece[VIEW_LABEL];
        while (t0 > 0) {
            plain(piece, sizeof piece, TokenTable_label(tt, b, t0 - 1));
            int pw = View_width(piece);
            if (width + pw > room) break;
            width += pw;
            t0--;
        }
        Crt_set(w, b == c->b ? CA_TITLE : CA_DIM);
        View_printf(w, y, c->x, 8, "b=%d:", b);
        int x = c->x + 7;
        Crt_set(w, CA_NORMAL);
        if (t0 > 0) x += View_text(w, y, x, 1, "…", 0);
        for (int t = t0; t < n; t++) {
            plain(piece, sizeof piece, TokenTable_label(tt, b, t));
            int bos = t == 0 && c->bos_name && strcmp(TokenTable_label(tt, b, t), c->bos_name) == 0;   /* BOS: not text */
            Crt_set(w, bos ? CA_DIM : t >= tt->prompt_len[b] ? CA_SHAPECHANGE : CA_NORMAL);
            x += View_text(w, y, x, c->x + c->w - x, piece, 0);
        }
        Crt_set(w, CA_CURRENT);
        x += View_text(w, y, x, c->x + c->w - x, chip, 1);
        Crt_set(w, CA_NORMAL);
        y++;
        if (y < bottom && c->next_id[b] >= 0) {
            Crt_set(w, CA_DIM);
            /* where the token stood: its rank and probability in the model's own distribution;
             * when sampled, on the (otherwise blank) line below: its probability at τ and the
             * chance of this draw after top-k / top-p renormalised */
            char stood[160];
            int o = snprintf(stood, sizeof stood, "id %d · rank %d", c->next_id[b], c->next_rank[b]);
            if (c->cfg && o > 0 && (size_t)o < sizeof stood) o += snprintf(stood + o, sizeof stood - (size_t)o, " of %d", c->cfg->vocab_size);
            if (o > 0 && (size_t)o < sizeof stood) snprintf(stood + o, sizeof stood - (size_t)o, " · p %.2f%%", 100.0 * c->next_prob[b]);
            if (full >= 0)   /* nothing will be appended, to this row or any */
                View_printf(w, y, c->x + 7, c->w - 7, "%s · after t=%d%s", stood, n - 1, n >= ctx ? "; the context is full" : "");
            else
                View_printf(w, y, c->x + 7, c->w - 7, "%s · after t=%d, becomes t=%d", stood, n - 1, n);
            if (sampled && y + 1 < bottom) {
                char at[64] = "";
                if (!tau1) snprintf(at, sizeof at, "at τ %.2f: p %.2f%%", c->sample_temperature, 100.0 * c->next_prob_tau[b]);
                if (cut)
                    View_printf(w, y + 1, c->x + 7, c->w - 7, "%s%safter the cut: drawn with %.2f%%", at, at[0] ? " · " : "", 100.0 * c->next_pick_prob[b]);
                else if (at[0])
                    View_printf(w, y + 1, c->x + 7, c->w - 7, "%s, the chance of this draw", at);
                else
                    View_printf(w, y + 1, c->x + 7, c->w - 7, "at τ 1 the draw follows p itself: %.2f%%", 100.0 * c->next_pick_prob[b]);
            }
            Crt_set(w, CA_NORMAL);
        }
        y += 2;
    }
    if (y < bottom) {
        if (full >= 0) {
            Crt_set(w, CA_ERROR);
            View_printf(w, y, c->x, c->w, "context full: row b=%d has %d tokens, g cannot append; r reruns the prompts, e edits one", full, ctx);
        } else {
            Crt_set(w, CA_KEY);
            View_printf(w, y, c->x, c->w, "g: append these tokens and run again: (B,T) = (%d,%d) -> (%d,%d), only the new position is computed (KV cache)",
                        tt->B, tt->T, tt->B, tt->T + 1);
        }
        Crt_set(w, CA_NORMAL);
    }
}

const ViewClass View_next_token = {"next token", next_draw, NULL, NULL};
