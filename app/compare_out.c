/* compare_out.c - --json's "compare" object and --dump's comparison lines (app/compare_out.h). */
#include "app/compare_out.h"

#include <math.h>
#include <string.h>

const char *CompareOut_name(const Model *m) {
    const char *s = strrchr(m->path, '/');
    return s && s[1] ? s + 1 : m->path[0] ? m->path : m->name;
}

static Compare *run(Trace *t, const Options *o, const int *plen, Trace **tq, FILE *errf) {
    char err[SW_ERR_LEN];
    *tq = Compare_run(o->compare_model, t, plen, err);
    Compare *c = *tq ? Compare_build(t, *tq, err) : NULL;
    if (!c) {
        fprintf(errf, "shapewalk: --compare %s: %s\n", CompareOut_name(o->compare_model), err);
        Trace_free(*tq);
        *tq = NULL;
    }
    return c;
}

static cJSON *token(const Tokenizer *tok, int id) {
    char lab[128];
    Tokenizer_label(tok, id, 0, lab, sizeof lab);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "id", id);
    cJSON_AddStringToObject(e, "label", lab);
    return e;
}

static void model_json(cJSON *o, const char *k, const Model *m) {
    cJSON *j = cJSON_AddObjectToObject(o, k);
    cJSON_AddStringToObject(j, "file", CompareOut_name(m));
    cJSON_AddStringToObject(j, "weights", m->weights);
}

/* NaN as null (JSON has no NaN) */
static void num(cJSON *o, const char *k, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

int CompareOut_json(cJSON *root, Trace *t, const Options *o, const int *plen, FILE *errf) {
    if (!o->compare_model) return 0;
    Trace *tq;
    Compare *c = run(t, o, plen, &tq, errf);
    if (!c) return -1;
    const Tokenizer *tok = t->m->tok;
    cJSON *j = cJSON_AddObjectToObject(root, "compare");
    model_json(j, "reference", t->m);
    model_json(j, "model", o->compare_model);
    cJSON_AddStringToObject(j, "kl", "KL(P_reference || P_model) of the next-token distributions, nats");
    cJSON_AddNumberToObject(j, "positions", c->n_pos);
    cJSON_AddNumberToObject(j, "mean_kl", c->mean_kl);
    cJSON_AddNumberToObject(j, "max_kl", c->max_kl);
    cJSON_AddNumberToObject(j, "top1_same", c->n_agree);
    cJSON_AddNumberToObject(j, "top1_agreement", c->agree);
    num(j, "mean_loss_reference", c->n_loss ? c->mean_loss_ref : NAN);
    num(j, "mean_loss_model", c->n_loss ? c->mean_loss_q : NAN);
    num(j, "delta_mean_loss", c->n_loss ? c->dloss : NAN);
    num(j, "perplexity_reference", c->n_loss ? c->ppl_ref : NAN);
    num(j, "perplexity_model", c->n_loss ? c->ppl_q : NAN);
    num(j, "delta_perplexity", c->n_loss ? c->dppl : NAN);
    cJSON *jd = cJSON_AddArrayToObject(j, "mean_drift");   /* per stream: embedding, block 1.. */
    for (int s = 0; s <= c->L && s < 64; s++) cJSON_AddItemToArray(jd, cJSON_CreateNumber(c->mean_rel[s]));
    cJSON *jp = cJSON_AddArrayToObject(j, "prompts");
    for (int b = 0; b < c->B; b++) {
        cJSON *pr = cJSON_CreateObject();
        cJSON_AddItemToArray(jp, pr);
        cJSON *pos = cJSON_AddArrayToObject(pr, "positions");
        for (int p = 0; p < c->len[b]; p++) {
            int i = Compare_at(c, b, p);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(pos, e);
            cJSON_AddNumberToObject(e, "position", p);
            cJSON_AddNumberToObject(e, "kl", c->kl[i]);
            cJSON_AddItemToObject(e, "top1_reference", token(tok, c->top_ref[i]));
            cJSON_AddItemToObject(e, "top1_model", token(tok, c->top_q[i]));
            cJSON_AddBoolToObject(e, "top1_same", c->top_ref[i] == c->top_q[i]);
            num(e, "loss_reference", c->loss_ref[i]);
            num(e, "loss_model", c->loss_q[i]);
            num(e, "delta_loss", c->loss_q[i] - c->loss_ref[i]);
        }
        /* drift[s][p]: stream s = 0 the embedding (+ positions), s = l+1 after block l */
        cJSON *dr = cJSON_AddArrayToObject(pr, "drift");
        for (int s = 0; s <= c->L; s++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(dr, e);
            cJSON_AddStringToObject(e, "after", s == 0 ? "embedding" : "block");
            if (s > 0) cJSON_AddNumberToObject(e, "block", s);
            cJSON *rel = cJSON_AddArrayToObject(e, "rel_error"), *cs = cJSON_AddArrayToObject(e, "cosine");
            for (int p = 0; p < c->len[b]; p++) {
                int k = Compare_sat(c, s, b, p);
                cJSON_AddItemToArray(rel, cJSON_CreateNumber(isfinite(c->rel[k]) ? c->rel[k] : 1e300));
                cJSON_AddItemToArray(cs, cJSON_CreateNumber(c->cos[k]));
            }
        }
    }
    Compare_free(c);
    Trace_free(tq);
    return 0;
}

int CompareOut_dump(FILE *out, Trace *t, const Options *o, FILE *errf) {
    if (!o->compare_model) return 0;
    Trace *tq;
    Compare *c = run(t, o, NULL, &tq, errf);
    if (!c) return -1;
    const Tokenizer *tok = t->m->tok;
    char a[64], b[64];
    fprintf(out, "\ncompare: %s (%s) against %s (%s), the same tokens:\n", CompareOut_name(o->compare_model),
            o->compare_model->weights, CompareOut_name(t->m), t->m->weights);
    fprintf(out, "  mean KL(P_ref || P_q) %.4f nats (max %.4f) over %d positions\n", c->mean_kl, c->max_kl, c->n_pos);
    fprintf(out, "  top-1 agreement %d/%d (%.1f%%)\n", c->n_agree, c->n_pos, 100 * c->agree);
    for (int r = 0; r < c->B; r++)
        for (int p = 0; p < c->len[r]; p++) {
            int i = Compare_at(c, r, p);
            if (c->top_ref[i] == c->top_q[i]) continue;
            Tokenizer_label(tok, c->top_ref[i], 0, a, sizeof a);
            Tokenizer_label(tok, c->top_q[i], 0, b, sizeof b);
            fprintf(out, "    flipped: prompt %d position %d: '%s' -> '%s' (KL %.4f)\n", r, p, a, b, c->kl[i]);
        }
    if (c->n_loss)
        fprintf(out, "  mean loss %.4f -> %.4f nats (delta %+.4f); perplexity %.3f -> %.3f (delta %+.3f)\n",
                c->mean_loss_ref, c->mean_loss_q, c->dloss, c->ppl_ref, c->ppl_q, c->dppl);
    fputs("  residual drift ||x_q - x||/||x|| (mean over positions): embedding", out);
    for (int s = 0; s <= c->L && s < 64; s++) fprintf(out, "%s %.4f", s ? s == 1 ? ", block 1" : "," : "", c->mean_rel[s]);
    fputc('\n', out);
    Compare_free(c);
    Trace_free(tq);
    return 0;
}
