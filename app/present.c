/* present.c - the station presenter (present.h). */
#include "app/present.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void Present_token_label(const void *tok, int id, char *buf, size_t cap) { Tokenizer_label((const Tokenizer *)tok, id, 1, buf, cap); }

void Present_label_topk(const Model *m, ViewCtx *c) {
    for (int i = 0; i < c->n_topk; i++) Tokenizer_label(m->tok, c->topk[i].id, 1, c->topk_label[i], VIEW_LABEL);
}

void Present_topk(const Present *p, int b, int pos, float temperature, float *probs, ViewCtx *c) {
    const int V = p->m->c.vocab_size;
    int k = p->k > VIEW_MAXK ? VIEW_MAXK : p->k;
    float *pr = probs ? probs : malloc(sizeof(float) * (size_t)V);
    /* one softmax gives the top-k and the whole row (its sum, its entropy) */
    c->n_topk = pr ? Trace_topk_probs(p->t, b, pos, temperature, k, c->topk, pr) : Trace_topk(p->t, b, pos, temperature, k, c->topk);
    Present_label_topk(p->m, c);
    const float *lg = Trace_logits_row(p->t, b, pos);
    float mx = lg[0];
    for (int v = 1; v < V; v++) if (lg[v] > mx) mx = lg[v];
    c->max_logit = mx;
    if (pr) {
        double sum = 0;
        for (int v = 0; v < V; v++) sum += pr[v];
        c->prob_sum = sum;
        c->entropy = sw_entropy(pr, V);
        if (pr != probs) free(pr);
    }
    c->log_v = log((double)V);
}

void Present_next_token(const Model *m, Trace *t, int b, const Sampler *s, ViewCtx *c) {
    const int id = t->next_id[b], V = m->c.vocab_size;
    if (id < 0) return;
    Tokenizer_label(m->tok, id, 1, c->next_label[b], VIEW_LABEL);
    c->next_prob[b] = Trace_token_prob(t, b, t->len[b] - 1, id);   /* its entry in the last softmax */
    /* its rank (dividing by τ keeps the order) and its probability at τ: exp(l/τ - max/τ) / Σ */
    const float *lg = Trace_logits_row(t, b, t->len[b] - 1);
    const double tau = s && s->temperature > 0 ? s->temperature : 1;
    float mx = lg[0];
    for (int v = 1; v < V; v++) if (lg[v] > mx) mx = lg[v];
    int above = 0;
    double sum = 0;
    for (int v = 0; v < V; v++) {
        sum += exp(((double)lg[v] - mx) / tau);
        if (lg[v] > lg[id]) above++;
    }
    c->next_rank[b] = above + 1;
    c->next_prob_tau[b] = (float)(exp(((double)lg[id] - mx) / tau) / sum);
    double pp = Sampler_prob(s, lg, V, id);   /* the same cut Sampler_pick drew from */
    c->next_pick_prob[b] = pp >= 0 ? (float)pp : c->next_prob_tau[b];
}

void Present_shape(const Config *c, StationRef s, int which, int B, int T, char *nums, size_t ncap, char *full, size_t fcap) {
    char buf[128];
    Station_shape(c, s, B, T, buf, sizeof buf);
    /* k and v of grouped-query attention have KV heads, not h (the maths line; the strip shows q) */
    const StationTensor *tens;
    int kv_view = (s.kind == ST_QKV || s.kind == ST_ROPE) && which % Station_tensors(s.kind, c, &tens) != 0;
    if (full && kv_view && c->n_kv_heads != c->n_heads)
        snprintf(buf, sizeof buf, "(B,KV,T,d) = (%d,%d,%d,%d)", B, c->n_kv_heads, T, c->head_dim);
    if (full) snprintf(full, fcap, "%s", buf);
    const char *eq = strstr(buf, " = ");
    snprintf(nums, ncap, "%.47s", eq ? eq + 3 : buf);
}

void Present_strip(const Config *c, const StationRef *st, int n, int B, int T, StripItem *items) {
    for (int i = 0; i < n; i++) {
        char label[96];
        Station_label(st[i], label, sizeof label);
        char *sp = strchr(label, ' ');
        if (sp) *sp = 0;
        snprintf(items[i].number, sizeof items[i].number, "%.11s", label);
        snprintf(items[i].name, sizeof items[i].name, "%s", Station_info(st[i].kind)->short_name);
        Present_shape(c, st[i], 0, B, T, items[i].shape, sizeof items[i].shape, NULL, 0);
        items[i].changes = Station_info(st[i].kind)->shape_changes && st[i].kind != ST_TOKENIZE;
    }
}

int Present_station(const Present *p, StationRef s, int which, ViewCtx *c, char *err) {
    Trace *t = p->t;
    const Config *cfg = &p->m->c;
    c->st = s;
    if (s.layer >= 0) c->layer = s.layer;
    c->has_tv = 0;
    c->n_topk = 0;
    c->mask = 0;
    c->scale = SCALE_DIV;
    c->temperature = p->temperature;
    c->sample_temperature = p->sampler ? p->sampler->temperature : p->sample_temperature;
    c->sample_top_k = p->sampler ? p->sampler->top_k : 0;
    c->sample_top_p = p->sampler ? p->sampler->top_p : 0;
    c->sample_seed = p->seed;
    const StationTensor *tens;
    int nw = Station_tensors(s.kind, cfg, &tens);
    which %= nw;
    c->which = which;
    const StationTensor *st = &tens[which];
    if (p->w_hints && st->name[0] && st->next) snprintf(c->which_name, sizeof c->which_name, "%s (w: %s)", st->name, st->next);
    else snprintf(c->which_name, sizeof c->which_name, "%s", st->name);
    snprintf(c->tensor_name, sizeof c->tensor_name, "%s", st->symbol);
    for (int b = 0; b < SW_MAX_B; b++) c->next_id[b] = -1;
    if (!t) return 0;
    ViewKind vk = Station_info(s.kind)->view;
    for (int b = 0; b < t->B; b++) {
        c->next_id[b] = t->next_id[b];
        /* the chosen token's probability (a V-long softmax per row): only where it is shown */
        if (vk == VK_NEXT) Present_next_token(p->m, t, b, p->sampler, c);
    }
    /* every picture but the tokens, the top-k and the next token draws the station's tensor */
    if (vk != VK_TOKENS && vk != VK_TOPK && vk != VK_NEXT) {
        if (Trace_tensor(t, s, which, &c->tv, err) != 0) return -1;
        c->has_tv = 1;
        if (vk == VK_ATTENTION) {
            c->mask = s.kind == ST_MASK ? 1 : s.kind == ST_ATTN ? 2 : 0;
            c->scale = s.kind == ST_ATTN ? SCALE_SEQ : SCALE_DIV;
        } else if (c->tv.ndim == 4 && c->tv.dims[1] < cfg->n_heads && c->tv.dims[1] > 0) {
            /* k, v with fewer KV heads: the one query head c->head reads */
            int group = cfg->n_heads / c->tv.dims[1];
            c->head /= group;
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
        Present_topk(p, b, pos, p->temperature, NULL, c);
        c->show_logits = s.kind == ST_LM_HEAD;
    }
    return 0;
}
