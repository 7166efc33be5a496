/* model.c - open a model of either family, describe it, and find it by name.
 *
 * Format detection (Model_open asks each entry of FORMATS in turn):
 *   folder with model.safetensors, or a model.safetensors file -> GPT-2 (model_gpt2.c)
 *   folder with one llama2.c .bin (tokenizer.bin / tok<V>.bin are tokenizers, not
 *   checkpoints), a .bin file, or a file whose first 28 bytes are a plausible llama2.c
 *   header                                                     -> llama2.c (model_llama.c)
 *   a .gguf file, a file starting with "GGUF", a folder with one .gguf -> GGUF (model_gguf.c)
 *   anything else -> "PATH: not a model shapewalk can open (...)"
 *
 * Default model search list (Model_resolve(NULL, ...)), first hit wins:
 *   1. each entry E of $SHAPEWALK_MODEL_PATH (colon-separated): E itself if it is a model
 *      (a GPT-2 folder, a folder with a .bin checkpoint or a .gguf, a .bin or a .gguf file),
 *      else E/gpt2, else E/stories260K
 *   2. DATA/gpt2             when fetched (has model.safetensors and config.json)
 *   3. DATA/stories260K
 *   4. ./models/stories260K
 *   5. ../shared/models/stories260K                      (relative to the current directory)
 *   6. EXEDIR/../shared/models/stories260K, EXEDIR/../../shared/models/stories260K
 *      (EXEDIR: the folder of the running executable, from /proc/self/exe)
 *   7. /usr/local/share/shapewalk/models/stories260K
 * DATA is Model_data_dir(): $SHAPEWALK_DATA, else $XDG_DATA_HOME/shapewalk, else
 * ~/.local/share/shapewalk. A stories260K candidate counts when it holds stories260K.bin.
 *
 * A bare NAME (`--model stories15M`) is DATA/NAME, else E/NAME for an entry E of
 * $SHAPEWALK_MODEL_PATH, else NAME in the folders of 4-7; an existing path is used as is.
 */
#include "model_internal.h"
#include "quant.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small path helpers ---- */

int model_is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int model_is_dir(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

void model_basename(const char *path, char *out, size_t cap) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    size_t s = n;
    while (s > 0 && path[s - 1] != '/') s--;
    snprintf(out, cap, "%.*s", (int)(n - s), path + s);
}

void model_dirname(const char *path, char *out, size_t cap) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    while (n > 0 && path[n - 1] != '/') n--;
    if (n == 0) { snprintf(out, cap, "."); return; }
    while (n > 1 && path[n - 1] == '/') n--;
    snprintf(out, cap, "%.*s", (int)n, path);
}


/* The names models/manifest.tsv knows (`make model NAME=...`); tests/test_model.c checks
 * that the two lists agree. */
const char *const Model_fetchable[] = { "gpt2", "gpt2-medium", "stories260K", "stories15M", "stories42M", "stories110M",
                                        "smollm2-135m", "smollm2-360m", "qwen2.5-0.5b", "tinyllama-1.1b", NULL };

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* first bytes of a file (returns how many were read, 0 on error) */
static size_t read_head(const char *path, uint8_t *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* tokenizer.bin, tok512.bin, tok32000.bin: llama2.c tokenizers, never checkpoints */
static int is_tokenizer_name(const char *name) {
    if (strcmp(name, "tokenizer.bin") == 0) return 1;
    if (strncmp(name, "tok", 3) != 0) return 0;
    const char *q = name + 3;
    if (*q < '0' || *q > '9') return 0;
    while (*q >= '0' && *q <= '9') q++;
    return strcmp(q, ".bin") == 0;
}

/* Find llama2.c checkpoints in dir: returns how many (stops counting at 3), first in out,
 * second in out2. */
static int find_bins(const char *dir, char *out, char *out2, size_t cap) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 3) {
        if (!ends_with(e->d_name, ".bin") || is_tokenizer_name(e->d_name)) continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        uint8_t h[28];
        if (!model_is_file(p) || !model_llama_header_plausible(h, read_head(p, h, sizeof h))) continue;
        if (n == 0) snprintf(out, cap, "%s", p);
        else if (n == 1) snprintf(out2, cap, "%s", p);
        n++;
    }
    closedir(d);
    return n;
}

static void not_a_model(const char *path, char *err) {
    sw_seterr(err, "%s: not a model shapewalk can open (expected a Hugging Face GPT-2 folder, a llama2.c .bin or a .gguf file)", path);
}

static const char *kind_of(mode_t m) {
    return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) || S_ISBLK(m) ? "a device" :
           S_ISSOCK(m) ? "a socket" : "not a plain file";
}

/* 0 when path can be read; else -1 with err naming the real problem (permission denied, a
 * symbolic-link loop, ...) */
static int readable(const char *path, int is_dir, char *err) {
    if (access(path, R_OK | (is_dir ? X_OK : 0)) == 0) return 0;
    sw_seterr(err, "%s: cannot read it: %s", path, strerror(errno));
    return -1;
}

/* ---- the formats, one table ----
 * sniff(path, is_dir, head, n, target, cap, err): is `path` (a folder, or a file whose first
 * bytes are head[0..n)) of this format? 1: yes, open `target`; 0: no; -1: yes but unusable
 * (err says why). Model_open asks each format in turn; a new format is a loader file and a
 * line here. */
typedef struct {
    int (*sniff)(const char *path, int is_dir, const uint8_t *head, size_t n, char *target, size_t cap, char *err);
    Model *(*open)(const char *target, const char *tok_path, char *err);
} ModelFormat;

static int sniff_safetensors(const char *path, int is_dir, const uint8_t *head, size_t n, char *target, size_t cap, char *err) {
    char buf[4400];
    if (is_dir) {
        snprintf(buf, sizeof buf, "%s/model.safetensors", path);
        struct stat ws;
        if (stat(buf, &ws) != 0) {
            if (errno == ENOENT) return 0;
            sw_seterr(err, "%s: %s", buf, strerror(errno));   /* a link loop, no permission: say that, not "missing" */
            return -1;
        }
        if (!S_ISREG(ws.st_mode)) {
            sw_seterr(err, "%s: not a regular file (%s); the weights must be a file", buf, kind_of(ws.st_mode));
            return -1;
        }
        snprintf(target, cap, "%s", path);
        return 1;
    }
    if (!ends_with(path, ".safetensors")) return 0;
    if (!ends_with(path, "/model.safetensors") && strcmp(path, "model.safetensors") != 0) {
        sw_seterr(err, "%s: GPT-2 weights must be called model.safetensors beside config.json; pass the folder", path);
        return -1;
    }
    model_dirname(path, target, cap);
    return 1;
}

static int sniff_llama2c(const char *path, int is_dir, const uint8_t *head, size_t n, char *target, size_t cap, char *err) {
    if (is_dir) {
        char other[4400];
        int k = find_bins(path, target, other, cap);
        if (k > 1) {
            char a[256], b[256];
            model_basename(target, a, sizeof a);
            model_basename(other, b, sizeof b);
            sw_seterr(err, "%s: holds several llama2.c checkpoints (%s, %s, ...); pass the .bin you want", path, a, b);
            return -1;
        }
        return k == 1;
    }
    if (!ends_with(path, ".bin") && !model_llama_header_plausible(head, n)) return 0;
    snprintf(target, cap, "%s", path);
    return 1;
}

/* a .gguf file, a file starting with "GGUF", or a folder holding one .gguf file */
static int sniff_gguf(const char *path, int is_dir, const uint8_t *head, size_t n, char *target, size_t cap, char *err) {
    if (!is_dir) {
        if (!ends_with(path, ".gguf") && !(n >= 4 && memcmp(head, "GGUF", 4) == 0)) return 0;
        snprintf(target, cap, "%s", path);
        return 1;
    }
    DIR *d = opendir(path);
    if (!d) return 0;
    int k = 0;
    char first[256] = "", second[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".gguf")) continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (!model_is_file(p)) continue;
        if (k == 0) { snprintf(first, sizeof first, "%s", e->d_name); snprintf(target, cap, "%s", p); }
        else if (k == 1) snprintf(second, sizeof second, "%s", e->d_name);
        k++;
    }
    closedir(d);
    if (k > 1) {
        sw_seterr(err, "%s: holds several .gguf files (%.60s, %.60s%s); pass the one you want", path, first, second, k > 2 ? ", ..." : "");
        return -1;
    }
    return k == 1;
}

static const ModelFormat FORMATS[] = {
    { sniff_safetensors, Model_open_gpt2 },   /* model_gpt2.c */
    { sniff_gguf, Model_open_gguf },          /* model_gguf.c */
    { sniff_llama2c, Model_open_llama },      /* model_llama.c */
};

static int model_opens;   /* Model_open calls that returned a model */

int Model_open_count(void) { return model_opens; }

Model *Model_open(const char *path, const char *tok_path, char *err) {
    if (!path || !*path) {
        sw_seterr(err, "no model path given (pass a GPT-2 folder, a llama2.c .bin, a .gguf file, or a name like gpt2)");
        return NULL;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        sw_seterr(err, "%s: %s (pass a GPT-2 folder, a llama2.c .bin, a .gguf file, or a name like gpt2)", path, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
        sw_seterr(err, "%s: not a regular file or folder (%s); pass a GPT-2 folder, a llama2.c .bin or a .gguf file", path, kind_of(sb.st_mode));
        return NULL;
    }
    const int is_dir = S_ISDIR(sb.st_mode);
    if (readable(path, is_dir, err) != 0) return NULL;
    uint8_t head[28];
    size_t got = is_dir ? 0 : read_head(path, head, sizeof head);
    char target[4400];
    for (size_t i = 0; i < sizeof FORMATS / sizeof FORMATS[0]; i++) {
        int r = FORMATS[i].sniff(path, is_dir, head, got, target, sizeof target, err);
        if (r < 0) return NULL;
        if (r == 0) continue;
        Model *m = FORMATS[i].open(target, tok_path, err);
        if (m) {
            snprintf(m->path, sizeof m->path, "%s", path);
            model_opens++;
        }
        return m;
    }
    char buf[4400];
    snprintf(buf, sizeof buf, "%s/config.json", path);
    if (is_dir && model_is_file(buf))
        sw_seterr(err, "%s/model.safetensors: missing (shapewalk reads the safetensors format; fetch the model again)", path);
    else
        not_a_model(path, err);
    return NULL;
}

void Model_free(Model *m) {
    if (!m) return;
    if (m->tok) Tokenizer_free(m->tok);
    free(m->layers);
    free(m->owned);
    sw_unmap(&m->map);
    free(m);
}

/* ---- the weights of a block, one table ---- */

#define SLOT_M(field, name, r, c) { name, offsetof(LayerWeights, field), 1, r, c }
#define SLOT_V(field, name, r) { name, offsetof(LayerWeights, field), 0, r, 0 }
const WeightSlot Model_layer_slots[] = {
    SLOT_V(attn_norm, "attn_norm.weight", 'D'),
    SLOT_V(attn_norm_b, "attn_norm.bias", 'D'),
    SLOT_M(attn_qkv, "attn_qkv.weight", 'D', '3'),
    SLOT_V(attn_qkv_b, "attn_qkv.bias", '3'),
    SLOT_M(attn_q, "attn_q.weight", 'D', 'D'),
    SLOT_V(attn_q_b, "attn_q.bias", 'D'),
    SLOT_M(attn_k, "attn_k.weight", 'D', 'K'),
    SLOT_V(attn_k_b, "attn_k.bias", 'K'),
    SLOT_M(attn_v, "attn_v.weight", 'D', 'K'),
    SLOT_V(attn_v_b, "attn_v.bias", 'K'),
    SLOT_M(attn_out, "attn_output.weight", 'D', 'D'),
    SLOT_V(attn_out_b, "attn_output.bias", 'D'),
    SLOT_V(ffn_norm, "ffn_norm.weight", 'D'),
    SLOT_V(ffn_norm_b, "ffn_norm.bias", 'D'),
    SLOT_M(ffn_gate, "ffn_gate.weight", 'D', 'F'),
    SLOT_M(ffn_up, "ffn_up.weight", 'D', 'F'),
    SLOT_V(ffn_up_b, "ffn_up.bias", 'F'),
    SLOT_M(ffn_down, "ffn_down.weight", 'F', 'D'),
    SLOT_V(ffn_down_b, "ffn_down.bias", 'D'),
};
#undef SLOT_M
#undef SLOT_V
const int Model_n_layer_slots = (int)(sizeof Model_layer_slots / sizeof Model_layer_slots[0]);

size_t Model_slot_size(const Config *c, char letter) {
    switch (letter) {
    case 'D': return (size_t)c->dim;
    case 'K': return (size_t)c->n_kv_heads * (size_t)c->head_dim;
    case 'F': return (size_t)c->hidden_dim;
    case '3': return 3 * (size_t)c->dim;
    default: return 0;
    }
}

size_t Linear_bytes(const Linear *W) {
    if (W->w) return sizeof(float) * (size_t)W->in * (size_t)W->out;
    return W->q ? W->row_bytes * (size_t)W->out : 0;
}

void Model_embed_row(const Model *m, int id, float *out) {
    const Linear *E = &m->tok_emb;
    if (E->w) memcpy(out, E->w + (size_t)id * E->in, sizeof(float) * (size_t)E->in);
    else Quant_dequant_row(E->type, (const uint8_t *)E->q + (size_t)id * E->row_bytes, out, E->in);
}

size_t Model_n_params(const Model *m) { return m->n_params; }

void Model_account(Model *m) {
    const Config *c = &m->c;
    const size_t D = (size_t)c->dim, V = (size_t)c->vocab_size;
    size_t n = V * D, bytes = Linear_bytes(&m->tok_emb) / (V ? V : 1);   /* one row of E a token */
    if (m->pos_emb) { n += (size_t)c->seq_len * D; bytes += sizeof(float) * D; }
    for (int l = 0; l < c->n_layers; l++)
        for (int i = 0; i < Model_n_layer_slots; i++) {
            const WeightSlot *s = &Model_layer_slots[i];
            if (s->matrix) {
                const Linear *W = Model_slot_linear(&m->layers[l], s);
                if (!W->w && !W->q) continue;
                n += (size_t)W->in * (size_t)W->out;
                bytes += Linear_bytes(W);
            } else if (Model_slot_vector(&m->layers[l], s)) {
                n += Model_slot_size(c, s->rows);
                bytes += sizeof(float) * Model_slot_size(c, s->rows);
            }
        }
    n += D * (m->lnf_b ? 2 : 1);
    bytes += sizeof(float) * D * (m->lnf_b ? 2 : 1);
    if (!c->shared_classifier) n += V * D;
    bytes += Linear_bytes(&m->lm_head);   /* the whole LM head, every token */
    m->n_params = n;
    m->weight_bytes = bytes;
}

static void human_count(size_t n, char *buf, size_t cap) {
    double x = (double)n;
    const char *unit = "";
    if (x >= 1e9) { x /= 1e9; unit = "B"; }
    else if (x >= 1e6) { x /= 1e6; unit = "M"; }
    else if (x >= 1e3) { x /= 1e3; unit = "K"; }
    if (*unit && x < 10) snprintf(buf, cap, "%.1f%s", x, unit);
    else snprintf(buf, cap, "%.0f%s", x, unit);
}

void Model_sizes(const Model *m, char *buf, size_t cap) {
    const Config *c = &m->c;
    char kv[32] = "";
    if (c->n_kv_heads != c->n_heads) snprintf(kv, sizeof kv, " KV=%d", c->n_kv_heads);
    snprintf(buf, cap, "L=%d D=%d h=%d%s V=%d ctx=%d", c->n_layers, c->dim, c->n_heads, kv, c->vocab_size, c->seq_len);
}

static void describe(const Model *m, int with_params, char *buf, size_t cap) {
    const Config *c = &m->c;
    char params[32], sizes[128];
    human_count(Model_n_params(m), params, sizeof params);
    Model_sizes(m, sizes, sizeof sizes);
    char fam[64] = "";   /* the family, unless the name says it already */
    if (c->family[0] && strncmp(m->name, c->family, strlen(c->family)) != 0)
        snprintf(fam, sizeof fam, "%s \xc2\xb7 ", c->family);
    snprintf(buf, cap, "%s \xc2\xb7 %s%s \xc2\xb7 %s%s%s%s", m->name, fam, m->weights[0] ? m->weights : "F32", sizes,
             with_params ? " \xc2\xb7 " : "", with_params ? params : "", with_params ? " params" : "");
}

void Model_describe(const Model *m, char *buf, size_t cap) { describe(m, 1, buf, cap); }
void Model_describe_short(const Model *m, char *buf, size_t cap) { describe(m, 0, buf, cap); }

/* ---- finding models ---- */

void Model_data_dir(char *out, size_t cap) {
    const char *s = getenv("SHAPEWALK_DATA");
    if (s && *s) { snprintf(out, cap, "%s", s); return; }
    s = getenv("XDG_DATA_HOME");
    if (s && *s) { snprintf(out, cap, "%s/shapewalk", s); return; }
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = (pw && pw->pw_dir) ? pw->pw_dir : ".";
    }
    snprintf(out, cap, "%s/.local/share/shapewalk", home);
}

/* does dir hold a .gguf file? (Model_open then takes it, or says there are several) */
static int has_gguf(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int found_one = 0;
    struct dirent *e;
    while (!found_one && (e = readdir(d)) != NULL) {
        char p[4400];
        snprintf(p, sizeof p, "%.4000s/%.255s", dir, e->d_name);
        found_one = ends_with(e->d_name, ".gguf") && model_is_file(p);
    }
    closedir(d);
    return found_one;
}

/* A folder or file Model_open would take (cheap checks only, nothing is parsed). */
static int looks_like_model(const char *p) {
    char buf[4400], other[4400];
    if (model_is_file(p)) return ends_with(p, ".bin") || ends_with(p, ".gguf");
    if (!model_is_dir(p)) return 0;
    snprintf(buf, sizeof buf, "%s/model.safetensors", p);
    if (model_is_file(buf)) return 1;
    return find_bins(p, buf, other, sizeof buf) >= 1 || has_gguf(p);
}

static int gpt2_fetched(const char *dir) {
    char a[4400], b[4400];
    snprintf(a, sizeof a, "%.4300s/model.safetensors", dir);
    snprintf(b, sizeof b, "%.4300s/config.json", dir);
    return model_is_file(a) && model_is_file(b);
}

static int has_stories(const char *dir) {
    char a[4400];
    snprintf(a, sizeof a, "%.4300s/stories260K.bin", dir);
    return model_is_file(a);
}

/* copy p into out (absolute when it can be made so); 0 on success */
static int found(const char *p, char *out, size_t cap, char *err) {
    char real[PATH_MAX];
    const char *src = realpath(p, real) ? real : p;
    if (strlen(src) >= cap) {
        sw_seterr(err, "%s: path too long", p);
        return -1;
    }
    snprintf(out, cap, "%s", src);
    return 0;
}

/* The folders that may hold models on this machine, after $SHAPEWALK_MODEL_PATH and the data
 * directory: ./models, ../shared/models, EXEDIR/../shared/models, EXEDIR/../../shared/models,
 * /usr/local/share/shapewalk/models. Returns how many were written. */
#define DIRLEN 1024
static int local_model_dirs(char dirs[5][DIRLEN]) {
    int n = 0;
    snprintf(dirs[n++], DIRLEN, "models");
    snprintf(dirs[n++], DIRLEN, "../shared/models");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char dir[PATH_MAX];
        model_dirname(exe, dir, sizeof dir);
        snprintf(dirs[n++], DIRLEN, "%.900s/../shared/models", dir);
        snprintf(dirs[n++], DIRLEN, "%.900s/../../shared/models", dir);
    }
    snprintf(dirs[n++], DIRLEN, "/usr/local/share/shapewalk/models");
    return n;
}

int Model_resolve(const char *name, char *out, size_t cap, char *err) {
    char data[4096], p[4400];
    Model_data_dir(data, sizeof data);
    const char *mp = getenv("SHAPEWALK_MODEL_PATH");
    if (!mp) mp = "";

    if (name && *name) {
        if (access(name, F_OK) == 0) {
            if (strlen(name) >= cap) { sw_seterr(err, "%s: path too long", name); return -1; }
            snprintf(out, cap, "%s", name);
            return 0;
        }
        if (errno != ENOENT) {   /* e.g. a symbolic-link loop or a folder on the way that cannot be read */
            sw_seterr(err, "%s: %s", name, strerror(errno));
            return -1;
        }
        if (strchr(name, '/')) {
            sw_seterr(err, "%s: no such file or directory", name);
            return -1;
        }
        snprintf(p, sizeof p, "%s/%s", data, name);
        if (model_is_dir(p) || model_is_file(p)) return found(p, out, cap, err);
        for (const char *s = mp; *s;) {
            size_t n = strcspn(s, ":");
            if (n > 0) {
                snprintf(p, sizeof p, "%.*s/%s", (int)n, s, name);
                if (looks_like_model(p)) return found(p, out, cap, err);
            }
            s += n;
            if (*s == ':') s++;
        }
        char dirs[5][DIRLEN];
        int nd = local_model_dirs(dirs);
        for (int i = 0; i < nd; i++) {
            snprintf(p, sizeof p, "%.1000s/%.1000s", dirs[i], name);
            if (looks_like_model(p)) return found(p, out, cap, err);
        }
        int fetchable = 0;
        char names[256] = "";
        for (int i = 0; Model_fetchable[i]; i++) {
            fetchable |= strcmp(name, Model_fetchable[i]) == 0;
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", Model_fetchable[i]);
        }
        if (fetchable)
            sw_seterr(err, "model %s not found in %s; run `make model NAME=%s` (needs internet) or pass its folder, .bin or .gguf path",
                      name, data, name);
        else
            sw_seterr(err, "no model called %s: pass a model's folder, .bin or .gguf path, or a name `make model NAME=...` fetches (%s)",
                      name, names);
        return -1;
    }

    /* 1. $SHAPEWALK_MODEL_PATH */
    for (const char *s = mp; *s;) {
        size_t n = strcspn(s, ":");
        if (n > 0) {
            snprintf(p, sizeof p, "%.*s", (int)n, s);
            if (looks_like_model(p)) return found(p, out, cap, err);
            snprintf(p, sizeof p, "%.*s/gpt2", (int)n, s);
            if (gpt2_fetched(p)) return found(p, out, cap, err);
            snprintf(p, sizeof p, "%.*s/stories260K", (int)n, s);
            if (has_stories(p)) return found(p, out, cap, err);
        }
        s += n;
        if (*s == ':') s++;
    }
    /* 2, 3. the data directory */
    snprintf(p, sizeof p, "%s/gpt2", data);
    if (gpt2_fetched(p)) return found(p, out, cap, err);
    snprintf(p, sizeof p, "%s/stories260K", data);
    if (has_stories(p)) return found(p, out, cap, err);
    /* 4-7. folders on this machine */
    char dirs[5][DIRLEN];
    int nd = local_model_dirs(dirs);
    for (int i = 0; i < nd; i++) {
        snprintf(p, sizeof p, "%.1000s/stories260K", dirs[i]);
        if (has_stories(p)) return found(p, out, cap, err);
    }
    sw_seterr(err, "no model found; run `make model NAME=gpt2` (548 MB) or `make model NAME=stories260K` (1 MB), or set SHAPEWALK_MODEL_PATH=DIR");
    return -1;
}
