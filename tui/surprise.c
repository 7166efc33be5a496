/* surprise.c - the token surprise screen: how probable the model found each token of a
 * prompt (teacher forcing: position t-1 predicts the token at t), the row's mean loss and
 * perplexity against the uniform guesser's log V, and for the selected token either the
 * alternatives the model expected there (the top-k view, at the chosen temperature) or the
 * cross-entropy worked through (both side by side on a wide terminal).
 * Numbers: Trace_next_token_stats / Trace_topk on the current trace, cached per token
 * prefix in app/inspect_cache.c. */
#include "tui/app.h"
#include "app/inspect_cache.h"
#include "views/inspect_views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The screen's own state. */
typedef struct {
    int panel;   /* 0: the alternatives (top-k), 1: cross-entropy */
} Surprise;

static void *surprise_create(App *a) { return calloc(1, sizeof(Surprise)); }

/* Keep the row and the token in range; the first token has nothing before it, so the
 * selection starts at 1 when there is more than one token. */
static void clamp_sel(App *a) {
    if (!a->trace) return;
    if (a->vc.b < 0 || a->vc.b >= a->trace->B) a->vc.b = 0;
    int len = a->trace->len[a->vc.b];
    if (a->vc.pos >= len) a->vc.pos = len - 1;
    if (a->vc.pos < 1) a->vc.pos = len > 1 ? 1 : 0;
}

static void surprise_enter(App *a, void *self) { clamp_sel(a); }

/* The sampler and the view temperature, and what the temperature does to the entropy. */
static void sampling_line(App *a, int y, int W, double h_tau, double h_1) {
    char s[256], smp[128];
    App_sampler_text(a, smp, sizeof smp);
    float tau = a->temperature;
    const char *what = fabsf(tau - 1) < 1e-4f ? "the model's own" : tau < 1 ? "sharper → argmax" : "flatter → uniform";
    if (a->sampler.temperature <= 0)   /* greedy: the alternatives are the model's own distribution */
        snprintf(s, sizeof s, "τ = 0 (t T): g takes the argmax · alternatives at τ = 1, the model's own · H = %.2f nats", h_tau);
    else if (fabsf(tau - 1) < 1e-4f)
        snprintf(s, sizeof s, "τ = %.2f (t T): %s · H = %.2f nats · sampler: %s", tau, what, h_tau, smp);
    else
        snprintf(s, sizeof s, "τ = %.2f (t T): %s · H = %.2f nats (τ=1: %.2f) · sampler: %s", tau, what, h_tau, h_1, smp);
    Crt_set(stdscr, CA_DIM);
    View_text(stdscr, y, 0, W, s, 1);
    Crt_set(stdscr, CA_NORMAL);
}

/* The chips' context for row b (its numbers computed now if they are not cached). */
static void fill_row(App *a, Inspect *in, Trace *t, int b, InspectCtx *ic) {
    double mean = 0;
    int nl = 0;
    Inspect_row_stats(in, t, b, &mean, &nl);
    memset(ic, 0, sizeof *ic);
    ic->vc = App_view_ctx(a, 0, 0);   /* the caller places it */
    ic->vc.b = b;
    ic->vc.temperature = a->temperature;
    ic->prob = in->prob + Inspect_at(in, b, 0);
    ic->loss = in->loss + Inspect_at(in, b, 0);
    ic->rank = in->rank + Inspect_at(in, b, 0);
    ic->len = t->len[b] < in->cap ? t->len[b] : in->cap;
    /* the token table is rebuilt with the trace; never read past it */
    if (a->tok.B != t->B || b >= a->tok.B || a->tok.len[b] < ic->len) ic->len = b < a->tok.B ? a->tok.len[b] : 0;
    ic->prompt_len = t->prompt_len[b];
    ic->mean_loss = mean;
    ic->n_loss = nl;
    ic->V = a->m->c.vocab_size;
    ic->label = Present_token_label;
    ic->label_ud = a->m->tok;
}

static void surprise_draw(App *a, void *self, int y, int h) {
    const Surprise *S = self;
    WINDOW *w = stdscr;
    const int W = a->cols, bottom = y + h;
    Trace *t = a->trace;
    if (App_busy_message(a, y)) return;
    Inspect *in = Inspect_get(a->m);
    if (!in) { App_message(y, W, CA_ERROR, "out of memory for the token statistics: close other programs or use a smaller model"); return; }
    clamp_sel(a);
    Inspect_sync(in, t);
    const int b = a->vc.b, pos = a->vc.pos, V = a->m->c.vocab_size;

    /* the token chips */
    InspectCtx ic;
    fill_row(a, in, t, b, &ic);

    int foot = 2;   /* sampling line, keys */
    int avail = h - foot;
    int want = View_surprise_lines(&ic, W);
    int cap = avail - 9 > 6 ? avail - 9 : 6;    /* leave the panel at least ~9 lines */
    int sh = want < cap ? want : cap;
    if (sh > avail) sh = avail;
    ic.vc.x = 0; ic.vc.y = y; ic.vc.w = W; ic.vc.h = sh;
    View_surprise.draw(&ic.vc);

    /* a tall terminal shows the batch's other rows too, compactly, for comparison */
    if (h >= 36 && t->B > 1) {
        int spare = avail - sh - 16, oy = y + sh + 1;
        for (int k = 1; k < t->B; k++) {
            int r = (b + k) % t->B;
            InspectCtx oc;
            fill_row(a, in, t, r, &oc);
            oc.compact = 1;
            int need = View_surprise_lines(&oc, W);
            if (need > spare) break;
            oc.vc.x = 0; oc.vc.y = oy; oc.vc.w = W; oc.vc.h = need;
            View_surprise.draw(&oc.vc);
            oy += need + 1;
            spare -= need + 1;
            sh += need + 1;
        }
    }

    /* the distribution at pos-1: at temperature τ for the alternatives, at 1 for the loss */
    float *p_tau = malloc(sizeof(float) * (size_t)V), *p_1 = malloc(sizeof(float) * (size_t)V);
    double h_tau = 0, h_1 = 0;
    ViewCtx tk = ic.vc;
    tk.n_topk = 0;
    int has = pos >= 1 && pos < ic.len;
    if (has && p_tau && p_1) {
        int prev = pos - 1;
        tk.pos = prev;
        Present p = App_present(a);
        Present_topk(&p, b, prev, a->temperature, p_tau, &tk);
        h_tau = tk.entropy;
        Trace_probs_row(t, b, prev, 1, p_1);
        h_1 = sw_entropy(p_1, V);
        tk.show_logits = 0;
        tk.sample_temperature = a->sampler.temperature;
        for (int r = 0; r < SW_MAX_B; r++) tk.next_id[r] = -1;
        int c_id = Trace_id(t, b, pos);
        tk.next_id[b] = c_id;   /* the token that actually came: highlighted in the table */
        /* cross-entropy: Q at temperature 1 */
        ic.c_id = c_id;
        ic.q_c_temp = p_tau[c_id];
        ic.entropy1 = h_1;
        ic.vc.n_topk = Trace_topk(t, b, prev, 1, 5, ic.vc.topk);
        Present_label_topk(a->m, &ic.vc);
    }

    int py = y + sh + (avail - sh > 9 ? 1 : 0);
    int ph = bottom - foot - py;
    if (ph > 0) {
        if (!has) {
            App_message(py, W, CA_DIM, "only one token: nothing was predicted yet. Edit the prompt (e) to add more.");
        } else if (W >= 160) {
            int lw = W / 2;
            tk.x = 0; tk.y = py; tk.w = lw - 1; tk.h = ph;
            View_topk.draw(&tk);
            ic.vc.x = lw + 1; ic.vc.y = py; ic.vc.w = W - lw - 1; ic.vc.h = ph;
            View_xent.draw(&ic.vc);
        } else if (S->panel == 0) {
            tk.x = 0; tk.y = py; tk.w = W; tk.h = ph;
            View_topk.draw(&tk);
        } else {
            ic.vc.x = 0; ic.vc.y = py; ic.vc.w = W; ic.vc.h = ph;
            View_xent.draw(&ic.vc);
        }
    }
    free(p_tau);
    free(p_1);

    if (has) sampling_line(a, bottom - 2, W, h_tau, h_1);
    Crt_set(w, CA_KEY);
    View_text(w, bottom - 1, 0, W,
              W >= 160 ? "← → token  b row  t T τ  k K rows  g generate  L logit lens  Esc back  ? help"
                       : S->panel == 0 ? "←→ token  b row  t T τ  k K rows  w cross-entropy  L lens  Esc back  ? help"
                                      : "←→ token  b row  t T τ  w alternatives  L lens  Esc back  ? help",
              1);
    Crt_set(w, CA_NORMAL);
}

static void surprise_where(App *a, void *self, char *buf, size_t cap) {
    if (!a->trace) { snprintf(buf, cap, "token surprise"); return; }
    snprintf(buf, cap, "token surprise · t=%d of %d · row %d", a->vc.pos, a->trace->len[a->vc.b], a->vc.b);
}

static int surprise_key(App *a, void *self, int ch) {
    Surprise *S = self;
    switch (ch) {
    case KEY_LEFT: case 'h': case ',': case KEY_BTAB: a->vc.pos--; clamp_sel(a); return 1;
    case KEY_RIGHT: case 'l': case '.': case ' ': a->vc.pos++; clamp_sel(a); return 1;
    case '\t': if (a->trace) a->vc.pos = a->vc.pos + 1 >= a->trace->len[a->vc.b] ? 1 : a->vc.pos + 1; clamp_sel(a); return 1;
    case KEY_HOME: case '0': a->vc.pos = 1; clamp_sel(a); return 1;
    case KEY_END: case '$': if (a->trace) a->vc.pos = a->trace->len[a->vc.b] - 1; clamp_sel(a); return 1;
    case 'b': case 'B':
        if (a->trace && a->trace->B > 1) {
            a->vc.b = (a->vc.b + (ch == 'b' ? 1 : a->trace->B - 1)) % a->trace->B;
            clamp_sel(a);
        }
        return 1;
    case 't': case 'T': case 'o': case 'p': case 'P': case 'R': return App_sampler_key(a, ch);   /* τ, top-k, top-p, seed */
    case 'k': case 'K':
        App_step_k(a, ch == 'k');
        App_status(a, 0, "the alternatives show k = %d", a->k);
        return 1;
    case 'w': S->panel = !S->panel; return 1;   /* which panel (c is contrast, as everywhere) */
    case 'g': App_generate(a); return 1;
    case 27: App_back(a); return 1;
    }
    return 0;
}

static const char *const surprise_help[] = {
    "Each token coloured by the probability the model gave it from the token",
    "before; -log p (nats) under it; the row's mean loss and perplexity.",
    "← → , . h l      previous / next token     Home End  first / last",
    "b B              next / previous batch row (prompt)",
    "t T              τ up / down: sharper (τ<1) / flatter (τ>1); 0 = greedy g",
    "o  p P  R        sampling top-k, top-p up / down, the next seed",
    "k K              more / fewer alternatives",
    "w                alternatives / cross-entropy (both when ≥160 wide)",
    "g                append the sampler's next token to every row",
    "L                the logit lens",
    "Esc              back to the screen that opened this one (the walk, the lesson)",
    NULL,
};

const Screen Screen_surprise = {
    .name = "token surprise", .hotkey = 's', .create = surprise_create, .enter = surprise_enter, .draw = surprise_draw,
    .key = surprise_key, .help = surprise_help, .where = surprise_where,
};
