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

static void next_draw(ViewCtx *c) {
    WINDOW *w = c->win;
    View_clear(c);
    if (c->h < 1 || c->w < 10 || !c->tok) return;
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
