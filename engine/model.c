/* model.c - open a model of either family, describe it, and find it by name.
 *
 * Format detection (Model_open):
 *   folder with model.safetensors          -> GPT-2 (model_gpt2.c)
 *   folder with one llama2.c .bin          -> llama (model_llama.c); tokenizer.bin / tok<V>.bin
 *                                             in the folder are tokenizers, not checkpoints
 *   a .safetensors file                    -> GPT-2, from its folder
 *   a .bin file, or a file whose first 28 bytes are a plausible llama2.c header -> llama
 *   anything else                          -> "PATH: not a model shapewalk can open (...)"
 *
 * Default model search list (Model_resolve(NULL, ...)), first hit wins:
 *   1. each entry E of $SHAPEWALK_MODEL_PATH (colon-separated): E itself if it is a model
 *      (a GPT-2 folder, a folder with a .bin checkpoint, or a .bin), else E/gpt2, else
 *      E/stories260K
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

#include <dirent.h>
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
const char *const Model_fetchable[] = { "gpt2", "gpt2-medium", "stories260K", "stories15M", "stories42M", "stories110M", NULL };

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
    sw_seterr(err, "%s: not a model shapewalk can open (expected a Hugging Face GPT-2 folder or a llama2.c .bin)", path);
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

Model *Model_open(const char *path, const char *tok_path, char *err) {
    if (!path || !*path) {
        sw_seterr(err, "no model path given (pass a GPT-2 folder, a llama2.c .bin, or a name like gpt2)");
        return NULL;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        sw_seterr(err, "%s: %s (pass a GPT-2 folder, a llama2.c .bin, or a name like gpt2)", path, strerror(errno));
        return NULL;
    }
    Model *m = NULL;
    char buf[4400], other[4400];
    if (S_ISDIR(sb.st_mode)) {
        if (readable(path, 1, err) != 0) return NULL;
        snprintf(buf, sizeof buf, "%s/model.safetensors", path);
        struct stat ws;
        int wst = stat(buf, &ws);
        if (wst != 0 && errno != ENOENT) {   /* a link loop, no permission: say that, not "missing" */
            sw_seterr(err, "%s: %s", buf, strerror(errno));
            return NULL;
        }
        if (wst == 0 && !S_ISREG(ws.st_mode)) {
            sw_seterr(err, "%s: not a regular file (%s); the weights must be a file", buf, kind_of(ws.st_mode));
            return NULL;
        }
        if (wst == 0) {
            m = Model_open_gpt2(path, tok_path, err);
        } else {
            int n = find_bins(path, buf, other, sizeof buf);
            if (n == 1) {
                m = Model_open_llama(buf, tok_path, err);
            } else if (n > 1) {
                char a[256], b[256];
                model_basename(buf, a, sizeof a);
                model_basename(other, b, sizeof b);
                sw_seterr(err, "%s: holds several llama2.c checkpoints (%s, %s, ...); pass the .bin you want", path, a, b);
                return NULL;
            } else {
                snprintf(buf, sizeof buf, "%s/config.json", path);
                if (model_is_file(buf))
                    sw_seterr(err, "%s/model.safetensors: missing (shapewalk reads the safetensors format; fetch the model again)", path);
                else
                    not_a_model(path, err);
                return NULL;
            }
        }
    } else if (S_ISREG(sb.st_mode)) {
        if (readable(path, 0, err) != 0) return NULL;
        uint8_t h[28];
        size_t got = read_head(path, h, sizeof h);
        if (ends_with(path, ".safetensors")) {
            model_dirname(path, buf, sizeof buf);
            if (!ends_with(path, "/model.safetensors") && strcmp(path, "model.safetensors") != 0) {
                sw_seterr(err, "%s: GPT-2 weights must be called model.safetensors beside config.json; pass the folder", path);
                return NULL;
            }
            m = Model_open_gpt2(buf, tok_path, err);
        } else if (ends_with(path, ".bin") || model_llama_header_plausible(h, got)) {
            m = Model_open_llama(path, tok_path, err);
        } else {
            not_a_model(path, err);
            return NULL;
        }
    } else {
        sw_seterr(err, "%s: not a regular file or folder (%s); pass a GPT-2 folder or a llama2.c .bin", path, kind_of(sb.st_mode));
        return NULL;
    }
    if (m) snprintf(m->path, sizeof m->path, "%s", path);
    return m;
}

void Model_free(Model *m) {
    if (!m) return;
    if (m->tok) Tokenizer_free(m->tok);
    free(m->layers);
    free(m->owned);
    sw_unmap(&m->map);
    free(m);
}

size_t Model_n_params(const Model *m) {
    const Config *c = &m->c;
    size_t D = (size_t)c->dim, F = (size_t)c->hidden_dim, L = (size_t)c->n_layers;
    size_t V = (size_t)c->vocab_size, kvd = (size_t)c->n_kv_heads * (size_t)c->head_dim;
    size_t n, per_layer;
    if (c->arch == ARCH_GPT2) {
        /* E, P, per block: 2 LayerNorms, c_attn, c_proj, c_fc, mlp c_proj (+ biases), ln_f */
        per_layer = 2 * D + (D * 3 * D + 3 * D) + (D * D + D) + 2 * D + (D * F + F) + (F * D + D);
        n = V * D + (size_t)c->seq_len * D + L * per_layer + 2 * D;
    } else {
        /* E, per block: 2 RMSNorm gains, wq wk wv wo, w1 w2 w3; final norm (RoPE tables are not parameters) */
        per_layer = 2 * D + D * D + 2 * kvd * D + D * D + 3 * F * D;
        n = V * D + L * per_layer + D;
    }
    if (!c->shared_classifier) n += V * D;
    return n;
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

void Model_describe(const Model *m, char *buf, size_t cap) {
    const Config *c = &m->c;
    char params[32], kv[32] = "";
    human_count(Model_n_params(m), params, sizeof params);
    if (c->n_kv_heads != c->n_heads) snprintf(kv, sizeof kv, " KV=%d", c->n_kv_heads);
    snprintf(buf, cap, "%s \xc2\xb7 L=%d D=%d h=%d%s V=%d ctx=%d \xc2\xb7 %s params", m->name, c->n_layers,
             c->dim, c->n_heads, kv, c->vocab_size, c->seq_len, params);
}

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

/* A folder or file Model_open would take (cheap checks only, nothing is parsed). */
static int looks_like_model(const char *p) {
    char buf[4400], other[4400];
    if (model_is_file(p)) return ends_with(p, ".bin");
    if (!model_is_dir(p)) return 0;
    snprintf(buf, sizeof buf, "%s/model.safetensors", p);
    if (model_is_file(buf)) return 1;
    return find_bins(p, buf, other, sizeof buf) >= 1;
}

static int gpt2_fetched(const char *dir) {
    char a[4400], b[4400];
    snprintf(a, sizeof a, "%s/model.safetensors", dir);
    snprintf(b, sizeof b, "%s/config.json", dir);
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
            sw_seterr(err, "model %s not found in %s; run `make model NAME=%s` (needs internet) or pass its folder or .bin path",
                      name, data, name);
        else
            sw_seterr(err, "no model called %s: pass a model's folder or .bin path, or a name `make model NAME=...` fetches (%s)",
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
