/* headless.c - --dump (the shape walk as text) and --json (token probabilities, loss,
 * top-k alternatives, logit lens) for scripts. Output is stable; errors go to stderr. */
#include "app/headless.h"
#include "engine/quant.h"
#include "app/present.h"
#include "app/compare_out.h"
#include "engine/blas.h"
#include "app/npy.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A token for JSON: id, text (its bytes as valid UTF-8, U+FFFD for a partial character such
 * as half an emoji; a control token's name, "<s>"), bytes (the exact byte values; [] for a
 * token with none, llama2.c's <s>) and control (true for <s>, <|endoftext|>, ...). */
static void token_fields(cJSON *e, const Tokenizer *tok, int id) {
    size_t n = 0;
    const char *bytes = Tokenizer_bytes(tok, id, &n);
    cJSON_AddNumberToObject(e, "id", id);
    char *r = NULL;
    if (!bytes || n == 0 || Tokenizer_is_control(tok, id)) cJSON_AddStringToObject(e, "text", Tokenizer_symbol(tok, id));
    else if ((r = sw_utf8_repair(bytes, n))) cJSON_AddStringToObject(e, "text", r);
    else cJSON_AddStringToObject(e, "text", "");
    free(r);
    cJSON *arr = cJSON_AddArrayToObject(e, "bytes");
    for (size_t i = 0; bytes && i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateNumber((unsigned char)bytes[i]));
    if (Tokenizer_is_control(tok, id)) cJSON_AddBoolToObject(e, "control", 1);
}

/* ln of sum(exp(logits / tau - max)) plus max: log-softmax(x)[i] = x[i]/tau - row_lse. In double,
 * so that prob = exp(logprob) holds to double precision in the output, not float's. */
static double row_lse(const float *lg, int V, double tau) {
    double mx = lg[0];
    for (int i = 1; i < V; i++) if (lg[i] > mx) mx = lg[i];
    double sum = 0;
    for (int i = 0; i < V; i++) sum += exp((lg[i] - mx) / tau);
    return mx / tau + log(sum);
}

/* Text for the dump: control bytes as \n, \t, \xNN so the report stays plain lines. */
static void put_escaped(FILE *out, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7F) fprintf(out, "\\x%02X", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0) { fprintf(out, "\\u%04X", p[1]); p++; } /* C1 controls */
        else fputc(*p, out);
    }
}

static void print_values(FILE *out, const TensorView *v, const char *name, int b, int pos) {
    /* a few numbers of row b, position pos, so the dump shows real values, not only shapes */
    int last = v->dims[v->ndim - 1];
    int show = last < 4 ? last : 4;
    const float *p = v->data + (long)b * v->stride[0] + (long)pos * v->stride[1];
    fprintf(out, "  %s[%d,%d,:%d] = [", name && name[0] ? name : "x", b, pos, show);
    for (int i = 0; i < show; i++) fprintf(out, "%s%.4f", i ? ", " : "", p[i]);
    fprintf(out, "%s]", last > show ? ", ..." : "");
}

/* --dump --station: more of that one station's numbers, row 0 at its last position: the first 8
 * values of the vector (a (B,T,X) tensor) or head 0's row over the keys (a (B,h,T,T) map) */
static void dump_detail(FILE *out, const ViewCtx *c) {
    const TensorView *v = &c->tv;
    if (!c->has_tv || v->ndim < 3) return;
    long off = 0;
    const char *name = c->tensor_name[0] ? c->tensor_name : "x";
    if (v->ndim == 4) {   /* (B,h,T,T) or (B,h,T,d): head 0, query = the last position */
        off = (long)c->pos * v->stride[2];
        fprintf(out, "  %s[0,0,%d,:%d] =", name, c->pos, v->dims[3]);
    } else {
        off = (long)c->pos * v->stride[1];
        fprintf(out, "  %s[0,%d,:%d] =", name, c->pos, v->dims[2] < 8 ? v->dims[2] : 8);
    }
    int n = v->dims[v->ndim - 1], show = v->ndim == 4 ? n : (n < 8 ? n : 8);
    if (show > 64) show = 64;
    for (int i = 0; i < show; i++) {
        float x = v->data[off + (long)i * v->stride[v->ndim - 1]];
        if (isinf(x)) fprintf(out, " %s", x < 0 ? "-inf" : "inf");
        else fprintf(out, " %.4f", x);
    }
    fprintf(out, "%s\n", n > show ? " ..." : "");
}

static void dump_station(FILE *out, Trace *t, StationRef s, const char *indent, int one) {
    const Model *m = t->m;
    char label[96], shape[96], e[SW_ERR_LEN];
    const StationInfo *info = Station_info(s.kind);
    Station_label(s, label, sizeof label);
    Station_shape(&m->c, s, t->B, t->T, shape, sizeof shape);
    fprintf(out, "%s%-34s %-26s %s%s\n", indent, label, shape, Station_maths(s.kind, &m->c),
            info->shape_changes ? "   <- shape changes" : "");
    char wl[256];
    if (Station_weights(m, s, wl, sizeof wl) > 0) fprintf(out, "%s%-34s  %s\n", indent, "", wl);
    /* the model's notes once each: RoPE's base at the rotary step, GQA's sharing at q, k, v */
    if ((s.kind == ST_QKV || s.kind == ST_ROPE) && Station_note(&m->c, s.kind, wl, sizeof wl))
        fprintf(out, "%s%-34s  %s\n", indent, "", wl);
    /* what the walk shows there, for the last position of row 0 */
    ViewCtx c;
    memset(&c, 0, sizeof c);
    c.b = 0;
    c.pos = t->len[0] - 1;
    Present p = {m, t, 3, 1, 0, 0, NULL, 0};
    if (one && info->view != VK_TOPK) {   /* --station: this one's numbers, at any layer */
        if (Present_station(&p, s, 0, &c, e) == 0) dump_detail(out, &c);
        return;
    }
    if (info->view != VK_MATRIX && info->view != VK_TOPK) return;
    if (info->view == VK_MATRIX && s.layer >= 1) return;
    if (Present_station(&p, s, 0, &c, e) != 0) return;
    if (info->view == VK_TOPK) {
        /* the three largest logits, or probabilities */
        fprintf(out, "%s%-34s  %s[0,%d,:] top 3 =", indent, "", s.kind == ST_LM_HEAD ? "logits" : "probs", c.pos);
        for (int i = 0; i < c.n_topk; i++) {
            char lab[64];
            Tokenizer_label(m->tok, c.topk[i].id, 0, lab, sizeof lab);
            if (s.kind == ST_LM_HEAD) fprintf(out, "%s '%s' %.3f", i ? "," : "", lab, c.topk[i].logit);
            else fprintf(out, "%s '%s' %.4f", i ? "," : "", lab, c.topk[i].prob);
        }
        fputc('\n', out);
    } else if (c.has_tv && c.tv.ndim == 3) {
        fprintf(out, "%s%-34s", indent, "");
        print_values(out, &c.tv, c.tensor_name, 0, c.pos);
        fputc('\n', out);
    }
}

static int dump(Trace *t, const Options *o, FILE *out, Sampler *smp) {
    const Model *m = t->m;
    const Tokenizer *tok = m->tok;
    char desc[256], lab[128];
    Model_describe(m, desc, sizeof desc);
    fprintf(out, "model: %s\n", desc);
    char blas[256];
    Blas_describe(blas, sizeof blas);
    fprintf(out, "blas: %s\n", blas);
    fprintf(out, "batch: B=%d, T=%d (longest prompt; shorter ones are padded and masked)\n", t->B, t->T);
    for (int b = 0; b < t->B; b++) {
        fprintf(out, "  prompt %d (T=%d): ", b, t->len[b]);
        for (int p = 0; p < t->len[b]; p++) {
            Tokenizer_label(tok, Trace_id(t, b, p), 0, lab, sizeof lab);
            fprintf(out, "%s[%s|%d]", p ? " " : "", lab, Trace_id(t, b, p));
        }
        fputc('\n', out);
    }
    StationRef walk[512], inner[16], one;
    if (o->station_name && Station_find(&m->c, o->station_name, &one) == 0) {   /* --station: that one only */
        fprintf(out, "\nstation %s:\n", o->station_name);
        dump_station(out, t, one, "", 1);
    } else {
        fputs("\nthe shape walk:\n", out);
    }
    int n = o->station_name ? 0 : Stations_outer(&m->c, walk, 512);
    for (int i = 0; i < n; i++) {
        dump_station(out, t, walk[i], "", 0);
        if (walk[i].kind == ST_BLOCK && walk[i].layer == 0) {
            int ni = Stations_inner(&m->c, 0, inner, 16);
            for (int j = 0; j < ni; j++) dump_station(out, t, inner[j], "    ", 0);
        }
    }
    if (o->logit_lens) {
        fputs("\nlogit lens (top-1 after each block, prompt 0):\n", out);
        for (int l = 0; l < m->c.n_layers; l++) {
            fprintf(out, "  block %2d:", l + 1);
            for (int p = 0; p < t->len[0]; p++) {
                TopK tk;
                if (Trace_logit_lens(t, l, 0, p, 1, &tk) == 1) {
                    Tokenizer_label(tok, tk.id, 0, lab, sizeof lab);
                    fprintf(out, "%s '%s' %.2f", p ? "," : "", lab, tk.prob);   /* quoted as in the top-3 lines */
                }
            }
            fputc('\n', out);
        }
    }
    /* the rule that picks it, as the program's station 7 says it */
    if (smp->temperature > 0) {
        fprintf(out, "\nnext token (last position of each prompt, t = len_b - 1): sampled, τ %.2f", smp->temperature);
        if (smp->top_k > 0) fprintf(out, ", top-k %d", smp->top_k);
        if (smp->top_p > 0 && smp->top_p < 1) fprintf(out, ", top-p %.2f", smp->top_p);
        fprintf(out, ", seed %llu:\n", smp->rng);
    } else {
        fputs("\nnext token (last position of each prompt, t = len_b - 1): argmax (τ = 0, greedy):\n", out);
    }
    Trace_choose(t, smp);
    for (int b = 0; b < t->B; b++) {
        int id = t->next_id[b];
        Tokenizer_label(tok, id, 0, lab, sizeof lab);
        int above = 0;   /* its rank: how many tokens scored higher, plus one */
        const float *lg = Trace_logits_row(t, b, t->len[b] - 1);
        for (int v = 0; v < m->c.vocab_size; v++) above += lg[v] > lg[id];
        fprintf(out, "  prompt %d: %d '%s'  p=%.4f  rank %d  (t=%d)\n", b, id, lab, Trace_token_prob(t, b, t->len[b] - 1, id), above + 1,
                t->len[b] - 1);
    }
    return 0;
}

/* The k most likely tokens after (b,pos): id, text, bytes, prob, logit; with tau (> 0, != 1) also
 * prob_at_temperature (the same order: dividing by tau keeps it). prob is exp(logit - lse) in
 * double. The logits row is re-read here: Trace_topk may have moved it. */
static cJSON *topk_json(Trace *t, int b, int pos, int k, float tau, TopK *tk) {
    cJSON *arr = cJSON_CreateArray();
    const int V = t->m->c.vocab_size;
    int n = tk ? Trace_topk(t, b, pos, 1, k, tk) : 0;
    const float *lg = Trace_logits_row(t, b, pos);
    double lse = row_lse(lg, V, 1), lse_t = tau > 0 && tau != 1 ? row_lse(lg, V, tau) : 0;
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        token_fields(e, t->m->tok, tk[i].id);
        cJSON_AddNumberToObject(e, "prob", exp(lg[tk[i].id] - lse));
        if (tau > 0 && tau != 1) cJSON_AddNumberToObject(e, "prob_at_temperature", exp(lg[tk[i].id] / tau - lse_t));
        cJSON_AddNumberToObject(e, "logit", tk[i].logit);
        cJSON_AddItemToArray(arr, e);
    }
    return arr;
}

/* What position pos-1 gave the token at pos (row b): prob, logprob (= ln prob), loss, rank and
 * the k it expected; generated tokens (gen) add the temperature's numbers and the sampler's. */
static void scored_token(cJSON *e, Trace *t, int b, int pos, int k, const Sampler *smp, int gen, TopK *tk) {
    const int V = t->m->c.vocab_size, id = Trace_id(t, b, pos);
    float fprob, floss;
    int rank;
    if (pos < 1 || Trace_next_token_stats(t, b, pos - 1, &fprob, &floss, &rank) != 0) {
        cJSON_AddNullToObject(e, "prob");
        cJSON_AddNullToObject(e, "logprob");
        cJSON_AddNullToObject(e, "loss");
        cJSON_AddNullToObject(e, "rank");
        cJSON_AddNullToObject(e, "expected");
        return;
    }
    const float *lg = Trace_logits_row(t, b, pos - 1);
    double lp = lg[id] - row_lse(lg, V, 1);
    cJSON_AddNumberToObject(e, "prob", exp(lp));
    cJSON_AddNumberToObject(e, "logprob", lp);
    cJSON_AddNumberToObject(e, "loss", -lp);
    cJSON_AddNumberToObject(e, "rank", rank);
    if (gen) {
        const float tau = smp->temperature;
        if (tau > 0 && tau != 1) {
            double lpt = lg[id] / tau - row_lse(lg, V, tau);
            cJSON_AddNumberToObject(e, "prob_at_temperature", exp(lpt));
            cJSON_AddNumberToObject(e, "logprob_at_temperature", lpt);
        }
        /* what the draw used: temperature, then --sample-top-k and --top-p, renormalised */
        double ps = Sampler_prob(smp, lg, V, id);
        if (ps >= 0) cJSON_AddNumberToObject(e, "sampler_prob", ps);
    }
    cJSON_AddItemToObject(e, "expected", topk_json(t, b, pos - 1, k, gen ? smp->temperature : 1, tk));
}

/* A float option as the user wrote it (0.9, not 0.899999976): the shortest decimal that reads back as the float. */
static double as_typed(float f) {
    char buf[32];
    for (int prec = 6; prec < 10; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        if ((float)strtod(buf, NULL) == f) break;
    }
    return strtod(buf, NULL);
}

/* The sampler the run used: mode, temperature, top_p (1 = off), top_k (0 = off), seed. */
static void json_sampler(cJSON *root, const Sampler *s) {
    cJSON *j = cJSON_AddObjectToObject(root, "sampler");
    cJSON_AddStringToObject(j, "mode", s->temperature > 0 ? "sample" : "greedy");
    cJSON_AddNumberToObject(j, "temperature", as_typed(s->temperature));
    cJSON_AddNumberToObject(j, "top_p", s->top_p > 0 && s->top_p < 1 ? as_typed(s->top_p) : 1);
    cJSON_AddNumberToObject(j, "top_k", s->top_k);
    if (s->rng <= (1ULL << 53)) cJSON_AddNumberToObject(j, "seed", (double)s->rng);
    else {   /* past 2^53 a JSON number (a double) would change it: the digits as a string */
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", s->rng);
        cJSON_AddStringToObject(j, "seed", buf);
    }
}

/* What the model's blocks do, as the engine's Config says it. */
static void json_features(cJSON *jm, const Config *c) {
    cJSON *f = cJSON_AddObjectToObject(jm, "features");
    cJSON_AddStringToObject(f, "norm", c->norm == NORM_LAYERNORM ? "layernorm" : "rmsnorm");
    cJSON_AddNumberToObject(f, "norm_eps", c->norm_eps);
    cJSON_AddStringToObject(f, "positions", c->pos == POS_LEARNED ? "learned" : "rope");
    if (c->pos == POS_ROPE) {
        cJSON_AddNumberToObject(f, "rope_base", c->rope_base);
        cJSON_AddNumberToObject(f, "rope_dims", c->rope_dims);
        cJSON_AddStringToObject(f, "rope_pairs", c->rope_pairing == ROPE_HALVES ? "halves" : "adjacent");
    }
    cJSON_AddStringToObject(f, "mlp", c->mlp == MLP_GELU ? "gelu" : "swiglu");
    cJSON_AddBoolToObject(f, "qkv_fused", c->qkv_fused);
    cJSON_AddBoolToObject(f, "qkv_bias", c->qkv_bias);
    cJSON_AddBoolToObject(f, "proj_bias", c->proj_bias);
    cJSON_AddBoolToObject(f, "tied_head", c->shared_classifier);
    cJSON_AddNumberToObject(f, "KV", c->n_kv_heads);
}

/* Every weight matrix by role, with its type as stored: {"name": "blk.0.attn_q.weight",
 * "type": "Q4_0", "bits_per_weight": 4.5, "in": 64, "out": 64}. */
static void json_tensor(cJSON *arr, const char *name, const Linear *W) {
    if (!W->w && !W->q) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "type", Quant_name(W->type) ? Quant_name(W->type) : "?");
    cJSON_AddNumberToObject(o, "bits_per_weight", Quant_bits_per_weight(W->type));
    cJSON_AddNumberToObject(o, "in", W->in);
    cJSON_AddNumberToObject(o, "out", W->out);
    cJSON_AddItemToArray(arr, o);
}

static void json_tensors(cJSON *jm, const Model *m) {
    cJSON *arr = cJSON_AddArrayToObject(jm, "tensors");
    json_tensor(arr, "token_embd.weight", &m->tok_emb);
    for (int l = 0; l < m->c.n_layers; l++)
        for (int i = 0; i < Model_n_layer_slots; i++) {
            const WeightSlot *s = &Model_layer_slots[i];
            if (!s->matrix) continue;
            char nm[96];
            snprintf(nm, sizeof nm, "blk.%d.%s", l, s->name);
            json_tensor(arr, nm, Model_slot_linear(&m->layers[l], s));
        }
    if (!m->c.shared_classifier) json_tensor(arr, "output.weight", &m->lm_head);
}

static cJSON *json_report(Trace *t, const Options *o, const Sampler *smp, int gen_from[SW_MAX_B]) {
    const Model *m = t->m;
    const Tokenizer *tok = m->tok;
    const int k = o->top_k < m->c.vocab_size ? o->top_k : m->c.vocab_size;   /* what comes back */
    TopK *tk = malloc(sizeof(TopK) * (size_t)k);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", SW_VERSION);
    json_sampler(root, smp);
    cJSON *jm = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(jm, "name", m->name);
    cJSON_AddStringToObject(jm, "arch", m->c.family);
    cJSON_AddStringToObject(jm, "format", m->c.format);
    cJSON_AddStringToObject(jm, "weights", m->weights);
    json_features(jm, &m->c);
    json_tensors(jm, m);
    cJSON_AddNumberToObject(jm, "L", m->c.n_layers);
    cJSON_AddNumberToObject(jm, "D", m->c.dim);
    cJSON_AddNumberToObject(jm, "h", m->c.n_heads);
    cJSON_AddNumberToObject(jm, "V", m->c.vocab_size);
    cJSON_AddNumberToObject(jm, "context", m->c.seq_len);
    BlasInfo bi;
    Blas_info(&bi);
    cJSON *jb = cJSON_AddObjectToObject(root, "blas");
    cJSON_AddStringToObject(jb, "library", bi.library);
    cJSON_AddStringToObject(jb, "threading", bi.threading);
    cJSON_AddStringToObject(jb, "kernel", bi.kernel);
    cJSON_AddStringToObject(jb, "chosen_by", bi.chosen_by);
    if (bi.before[0]) cJSON_AddStringToObject(jb, bi.before_from_env ? "before_from_OPENBLAS_CORETYPE" : "library_pick", bi.before);
    cJSON_AddNumberToObject(root, "B", t->B);
    cJSON_AddNumberToObject(root, "top_k", k);
    cJSON_AddNumberToObject(root, "uniform_loss", log((double)m->c.vocab_size));
    cJSON *jp = cJSON_AddArrayToObject(root, "prompts");
    for (int b = 0; b < t->B; b++) {
        cJSON *pr = cJSON_CreateObject();
        cJSON_AddItemToArray(jp, pr);
        int plen = gen_from[b];
        const int *row = t->ids + (size_t)b * t->Tcap;
        if (t->truncated_from[b] > 0) {
            /* --truncate: the text of the tokens kept, not the whole prompt */
            char *d = Tokenizer_decode(tok, row, plen);
            char *r = d ? sw_utf8_repair(d, strlen(d)) : NULL;
            cJSON_AddStringToObject(pr, "text", r ? r : "");
            free(r);
            free(d);
            cJSON_AddNumberToObject(pr, "truncated_from", t->truncated_from[b]);
        } else {
            cJSON_AddStringToObject(pr, "text", t->prompts[b] ? t->prompts[b] : "");
            cJSON_AddNullToObject(pr, "truncated_from");
        }
        cJSON_AddNumberToObject(pr, "T", plen);
        cJSON *toks = cJSON_AddArrayToObject(pr, "tokens");
        double sum_loss = 0;
        int n_loss = 0;
        for (int p = 0; p < plen; p++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(toks, e);
            cJSON_AddNumberToObject(e, "position", p);
            token_fields(e, tok, row[p]);
            scored_token(e, t, b, p, k, smp, 0, tk);
            cJSON *l = cJSON_GetObjectItem(e, "loss");
            if (cJSON_IsNumber(l)) { sum_loss += l->valuedouble; n_loss++; }
        }
        if (n_loss) {
            cJSON_AddNumberToObject(pr, "mean_loss", sum_loss / n_loss);
            cJSON_AddNumberToObject(pr, "perplexity", exp(sum_loss / n_loss));
        } else {
            cJSON_AddNullToObject(pr, "mean_loss");
            cJSON_AddNullToObject(pr, "perplexity");
        }
        /* the prediction after the prompt's last token */
        cJSON_AddItemToObject(pr, "next", topk_json(t, b, plen - 1, k, 1, tk));
        if (o->logit_lens) {
            cJSON *lens = cJSON_AddArrayToObject(pr, "logit_lens");
            for (int l = 0; l < m->c.n_layers; l++) {
                cJSON *layer = cJSON_CreateArray();
                cJSON_AddItemToArray(lens, layer);
                for (int p = 0; p < plen; p++) {
                    TopK one;
                    if (Trace_logit_lens(t, l, b, p, 1, &one) == 1) {
                        cJSON *e = cJSON_CreateObject();
                        token_fields(e, tok, one.id);
                        cJSON_AddNumberToObject(e, "prob", one.prob);
                        cJSON_AddNumberToObject(e, "logit", one.logit);
                        cJSON_AddItemToArray(layer, e);
                    }
                }
            }
        }
        if (t->len[b] > plen) {
            cJSON *g = cJSON_AddObjectToObject(pr, "generated");
            cJSON *ids = cJSON_AddArrayToObject(g, "ids");
            for (int p = plen; p < t->len[b]; p++) cJSON_AddItemToArray(ids, cJSON_CreateNumber(row[p]));
            /* sampled tokens may end inside a UTF-8 sequence: JSON strings must be valid */
            char *s = Tokenizer_decode(tok, row + plen, t->len[b] - plen);
            char *r = s ? sw_utf8_repair(s, strlen(s)) : NULL;
            cJSON_AddStringToObject(g, "text", r ? r : "");
            free(r);
            free(s);
            /* each token under the sampler that drew it (the KV-cached trace holds every logit row) */
            cJSON *gt = cJSON_AddArrayToObject(g, "tokens");
            for (int p = plen; p < t->len[b]; p++) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddItemToArray(gt, e);
                cJSON_AddNumberToObject(e, "position", p);
                token_fields(e, tok, row[p]);
                scored_token(e, t, b, p, k, smp, 1, tk);
            }
        }
    }
    free(tk);
    return root;
}

/* Run B prompts and, when gen, append o->max_new tokens with the options' sampler. plen gets
 * each row's prompt length. NULL with err (one line) when a prompt cannot run or --generate
 * does not fit the context (refused before anything is printed). */
static Trace *headless_trace(Model *m, const Options *o, const char **prompts, int B, int gen, int plen[SW_MAX_B], char *err) {
    TraceOpts to;
    TraceOpts_default(&to);
    to.truncate = o->truncate;
    to.max_new = o->max_new > 0 ? o->max_new : 1;
    Trace *t = Trace_run(m, prompts, B, &to, err);
    if (!t) return NULL;
    for (int b = 0; b < B; b++) {
        plen[b] = t->len[b];
        if (o->max_new > 0 && t->len[b] + o->max_new > m->c.seq_len) {
            int room = m->c.seq_len - t->len[b];
            if (room > 0)
                sw_seterr(err, "--generate %d takes prompt %d (T=%d) past %s's context of %d tokens; use --generate %d or less",
                          o->max_new, b, t->len[b], m->name, m->c.seq_len, room);
            else
                sw_seterr(err, "--generate %d: prompt %d (T=%d) already fills %s's context of %d tokens; give a shorter prompt",
                          o->max_new, b, t->len[b], m->name, m->c.seq_len);
            Trace_free(t);
            return NULL;
        }
    }
    Sampler smp = o->sampler;   /* each run starts from the seed: the same line, the same tokens */
    for (int i = 0; gen && i < o->max_new; i++)
        if (Trace_generate(t, &smp, err) != 0) {
            Trace_free(t);
            return NULL;
        }
    return t;
}

/* --save: write every requested file from t; say what was written as lines on txt ("saved
 * 3.2.f (1,8,5,5) float32 to attn.npy") and/or as objects in arr. 0, or -1 with err. */
static int do_saves(Trace *t, const Options *o, FILE *txt, cJSON *arr, char *err) {
    for (int i = 0; i < o->n_save; i++) {
        const SaveOpt *so = &o->save[i];
        SavedArray *a;
        char e2[SW_ERR_LEN];
        int n = Npy_save(t, so->station, so->file, so->npz, &a, e2);
        if (n < 0) { sw_seterr(err, "%s %s: %s", so->npz ? "--npz" : "--npy", so->file, e2); return -1; }
        cJSON *f = arr ? cJSON_CreateObject() : NULL;
        cJSON *ja = NULL;
        if (f) {
            cJSON_AddItemToArray(arr, f);
            cJSON_AddStringToObject(f, "station", so->station);
            cJSON_AddStringToObject(f, "file", so->file);
            cJSON_AddStringToObject(f, "format", so->npz ? "npz" : "npy");
            ja = cJSON_AddArrayToObject(f, "arrays");
        }
        for (int k = 0; k < n; k++) {
            char shape[96] = "";
            size_t at = 0;
            for (int d = 0; d < a[k].ndim; d++) at += (size_t)snprintf(shape + at, sizeof shape - at, "%s%d", d ? "," : "", a[k].dims[d]);
            if (txt && (n == 1 || k < 3)) fprintf(txt, "saved %s (%s) %s %s %s\n", a[k].name, shape, a[k].is_int ? "int32" : "float32", so->npz ? "in" : "to", so->file);
            if (ja) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddItemToArray(ja, e);
                cJSON_AddStringToObject(e, "name", a[k].name);
                cJSON *sh = cJSON_AddArrayToObject(e, "shape");
                for (int d = 0; d < a[k].ndim; d++) cJSON_AddItemToArray(sh, cJSON_CreateNumber(a[k].dims[d]));
                cJSON_AddStringToObject(e, "dtype", a[k].is_int ? "int32" : "float32");
            }
        }
        if (txt && n > 3) fprintf(txt, "saved %d more arrays in %s (%d in all)\n", n - 3, so->file, n);
        free(a);
    }
    return 0;
}

int Headless_run(Model *m, const Options *o, FILE *out, FILE *errf) {
    const char *prompts[SW_MAX_B];
    int B = o->n_prompts;
    if (B > 0) memcpy(prompts, o->prompts, sizeof(const char *) * (size_t)B);
    else B = Prompts_default(m, prompts, SW_MAX_B);
    char err[SW_ERR_LEN];
    for (int i = 0; i < o->n_save; i++)   /* a wrong station is refused before the model runs */
        if (Npy_check(m, o->save[i].station, o->save[i].npz, err) != 0) {
            fprintf(errf, "shapewalk: %s\n", err);
            return 1;
        }
    int plen[SW_MAX_B];
    const int walk = o->dump;   /* --dump prints the walk before it generates */
    Trace *t = headless_trace(m, o, prompts, B, !walk, plen, err);
    if (!t) {
        fprintf(errf, "shapewalk: %s\n", err);
        return 1;
    }
    int rc = 0;
    cJSON *saved = o->json && o->n_save ? cJSON_CreateArray() : NULL;
    /* the files first: a failure is one line on stderr and nothing on stdout */
    if (!walk && do_saves(t, o, o->json ? NULL : out, saved, err) != 0) {
        fprintf(errf, "shapewalk: %s\n", err);
        cJSON_Delete(saved);
        Trace_free(t);
        return 1;
    }
    if (!o->json && !walk) {
        Trace_free(t);   /* --save alone: the lines above were the output */
        return 0;
    }
    if (o->json) {
        cJSON *root = json_report(t, o, &o->sampler, plen);
        if (saved) cJSON_AddItemToObject(root, "saved", saved);
        if (CompareOut_json(root, t, o, plen, errf) != 0) rc = 1;   /* --compare */
        char *s = cJSON_Print(root);
        if (s) { fputs(s, out); fputc('\n', out); }
        else { fprintf(errf, "shapewalk: out of memory printing JSON\n"); rc = 1; }
        free(s);
        cJSON_Delete(root);
    } else {
        Sampler smp = o->sampler;
        dump(t, o, out, &smp);
        if (CompareOut_dump(out, t, o, errf) != 0) rc = 1;   /* --compare */
        if (o->max_new > 0) {
            int made = 0;
            for (; made < o->max_new; made++)
                if (Trace_generate(t, &smp, err) != 0) {
                    fprintf(errf, "shapewalk: %s\n", err);
                    rc = 1;
                    break;
                }
            fprintf(out, "\ngenerated (%d token%s, shapes now (B,T) = (%d,%d)):\n", made, made == 1 ? "" : "s", t->B, t->T);
            for (int b = 0; b < t->B; b++) {
                char *s = Tokenizer_decode(m->tok, t->ids + (size_t)b * t->Tcap, t->len[b]);
                char *r = s ? sw_utf8_repair(s, strlen(s)) : NULL;
                fprintf(out, "  prompt %d: ", b);
                put_escaped(out, r ? r : "");
                fputc('\n', out);
                free(r);
                free(s);
            }
        }
        if (o->n_save && rc == 0) {
            /* after the walk (and any generation: then the files hold the longer trace) */
            fputc('\n', out);
            if (do_saves(t, o, out, NULL, err) != 0) { fprintf(errf, "shapewalk: %s\n", err); rc = 1; }
        }
    }
    Trace_free(t);
    return rc;
}

int Headless_jsonl(Model *m, const Options *o, FILE *in, const char *src, FILE *out, FILE *errf) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int n = 0, bad = 0;
    while ((got = getline(&line, &cap, in)) >= 0) {
        n++;
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        char err[SW_ERR_LEN];
        cJSON *root = NULL;
        if (memchr(line, 0, len)) {
            sw_seterr(err, "%s line %d has a NUL byte at column %zu; prompts are text", src, n, (size_t)((char *)memchr(line, 0, len) - line) + 1);
        } else {
            const char *p[1] = {line};
            int plen[SW_MAX_B];
            Trace *t = headless_trace(m, o, p, 1, 1, plen, err);
            if (t) {
                root = json_report(t, o, &o->sampler, plen);
                Trace_free(t);
            } else if (strncmp(err, "prompt b=0", 10) == 0) {   /* the trace's name for it: here it is the line */
                char e2[SW_ERR_LEN];
                snprintf(e2, sizeof e2, "the line%s", err + 10);
                memcpy(err, e2, sizeof e2);
            }
        }
        if (root) {
            cJSON_AddNumberToObject(root, "line", n);
            /* models opened by this process: 1 for every line (the model is loaded once) */
            cJSON_AddNumberToObject(root, "model_loads", Model_open_count());
        } else {
            bad++;
            root = cJSON_CreateObject();
            cJSON_AddNumberToObject(root, "line", n);
            cJSON_AddStringToObject(root, "error", err);
        }
        char *s = cJSON_PrintUnformatted(root);
        cJSON_Delete(root);
        if (!s) { fprintf(errf, "shapewalk: out of memory printing line %d's JSON\n", n); free(line); return 1; }
        fputs(s, out);
        fputc('\n', out);
        fflush(out);   /* a reader of the pipe sees each line as it is done */
        free(s);
    }
    int rd = ferror(in);
    free(line);
    if (rd) { fprintf(errf, "shapewalk: cannot read %s after line %d: %s\n", src, n, strerror(errno)); return 1; }
    if (bad) { fprintf(errf, "shapewalk: --jsonl: %d of %d lines could not run; their objects hold \"error\"\n", bad, n); return 1; }
    return 0;
}
