/* safetensors.c - map a .safetensors file and validate its header (see safetensors.h). */
#include "safetensors.h"
#include "quant.h"
#include "weights_check.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

const char *SafeTensors_dtype_name(StDtype d) {
    switch (d) {
    case ST_F32: return "F32";
    case ST_F16: return "F16";
    case ST_BF16: return "BF16";
    }
    return "?";
}

static size_t dtype_size(StDtype d) { return d == ST_F32 ? 4 : 2; }

int SafeTensors_f32_direct(const StTensor *t) {
    return t->dtype == ST_F32 && ((uintptr_t)t->data % sizeof(float)) == 0;
}

void SafeTensors_to_f32(const StTensor *t, float *out) {
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case ST_F32:
        memcpy(out, p, t->nelem * 4);
        break;
    case ST_F16:   /* the same halves as ggml's F16 and BF16: one converter, engine/quant.c */
        Quant_dequant_row(QT_F16, p, out, (int64_t)t->nelem);
        break;
    case ST_BF16:
        Quant_dequant_row(QT_BF16, p, out, (int64_t)t->nelem);
        break;
    }
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const StTensor *)a)->name, ((const StTensor *)b)->name);
}

typedef struct { size_t offset; int i; } Span;
static int cmp_offset(const void *a, const void *b) {
    size_t x = ((const Span *)a)->offset, y = ((const Span *)b)->offset;
    return x < y ? -1 : x > y;
}

const StTensor *SafeTensors_find(const SafeTensors *st, const char *name) {
    int lo = 0, hi = st->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(name, st->t[mid].name);
        if (c == 0) return &st->t[mid];
        if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    return NULL;
}

void SafeTensors_close(SafeTensors *st) {
    if (!st) return;
    for (int i = 0; i < st->n; i++) free(st->t[i].name);
    free(st->t);
    st->t = NULL;
    st->n = 0;
    sw_unmap(&st->map);
}

/* A JSON number that is an integer in [0, 2^53] (exact in a double). */
static int json_size(const cJSON *v, size_t *out) {
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!(d >= 0) || d > 9007199254740992.0 || floor(d) != d) return -1;
    *out = (size_t)d;
    return 0;
}

static void shape_str(const StTensor *t, char *buf, size_t cap) {
    size_t k = 0;
    k += (size_t)snprintf(buf + k, cap - k, "(");
    for (int i = 0; i < t->ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%zu", i ? "," : "", t->shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, ")");
}

/* Validate one header entry into t (t->name already set). */
static int parse_entry(const char *path, const cJSON *e, StTensor *t, const uint8_t *area,
                       size_t area_len, size_t area_off, char *err) {
    char nmbuf[SW_SHORT_LEN], dbuf[SW_SHORT_LEN];
    const char *nm = sw_short(t->name, nmbuf);
    if (!cJSON_IsObject(e)) {
        sw_seterr(err, "%s: tensor %s: header entry is not a JSON object (corrupt file?)", path, nm);
        return -1;
    }
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsString(dt) || !dt->valuestring) {
        sw_seterr(err, "%s: tensor %s has no \"dtype\" string (corrupt header?)", path, nm);
        return -1;
    }
    const char *d = dt->valuestring;
    if (strcmp(d, "F32") == 0) t->dtype = ST_F32;
    else if (strcmp(d, "F16") == 0) t->dtype = ST_F16;
    else if (strcmp(d, "BF16") == 0) t->dtype = ST_BF16;
    else {
        sw_seterr(err, "%s: tensor %s has unsupported dtype \"%s\" (shapewalk reads F32, F16 and BF16 checkpoints)",
                  path, nm, sw_short(d, dbuf));
        return -1;
    }
    if (!cJSON_IsArray(sh)) {
        sw_seterr(err, "%s: tensor %s has no \"shape\" list (corrupt header?)", path, nm);
        return -1;
    }
    int nd = cJSON_GetArraySize(sh);
    if (nd > ST_MAX_DIMS) {
        sw_seterr(err, "%s: tensor %s has %d dimensions (at most %d supported)", path, nm, nd, ST_MAX_DIMS);
        return -1;
    }
    t->ndim = 0;
    t->nelem = 1;
    int overflow = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, sh) {
        size_t v;
        if (json_size(x, &v) != 0) {
            sw_seterr(err, "%s: tensor %s: shape entry %d is not an integer in 0..2^53 (corrupt header?)",
                      path, nm, t->ndim);
            return -1;
        }
        t->shape[t->ndim++] = v;
        if (sw_mul_size(t->nelem, v, &t->nelem) != 0) overflow = 1;
    }
    if (!overflow && sw_mul_size(t->nelem, dtype_size(t->dtype), &t->nbytes) != 0) overflow = 1;
    if (overflow) {
        char s[256];
        shape_str(t, s, sizeof s);
        sw_seterr(err, "%s: tensor %s has shape %s, too large to address (corrupt header?)", path, nm, s);
        return -1;
    }
    size_t b, en;
    if (!cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2 ||
        json_size(cJSON_GetArrayItem(of, 0), &b) != 0 || json_size(cJSON_GetArrayItem(of, 1), &en) != 0) {
        sw_seterr(err, "%s: tensor %s: \"data_offsets\" must be two non-negative integers [begin, end]",
                  path, nm);
        return -1;
    }
    if (b > en) {
        sw_seterr(err, "%s: tensor %s has data_offsets [%zu, %zu]: begin after end (corrupt header?)",
                  path, nm, b, en);
        return -1;
    }
    if (en > area_len) {
        sw_seterr(err, "%s: tensor %s ends at byte %zu of the data but the file has only %zu bytes of data (truncated download? fetch it again)",
                  path, nm, en, area_len);
        return -1;
    }
    if (en - b != t->nbytes) {
        char s[256];
        shape_str(t, s, sizeof s);
        sw_seterr(err, "%s: tensor %s: data_offsets [%zu, %zu] span %zu bytes but %s %s needs %zu",
                  path, nm, b, en, en - b, d, s, t->nbytes);
        return -1;
    }
    t->data = area + b;
    t->offset = area_off + b;
    return 0;
}

/* Validate the header of the file mapped in st->map (st->path set); on failure st is closed. */
static int parse_mapped(SafeTensors *st, char *err) {
    const char *path = st->path;
    const uint8_t *p = st->map.data;
    size_t len = st->map.len;
    cJSON *root = NULL;
    Span *order = NULL;

    if (len == 0) {
        sw_seterr(err, "%s: empty file (interrupted download? fetch it again)", path);
        goto fail;
    }
    if (len >= 4 && memcmp(p, "GGUF", 4) == 0) {
        sw_seterr(err, "%s: a GGUF file, not safetensors; shapewalk reads Hugging Face safetensors or llama2.c .bin", path);
        goto fail;
    }
    if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
        sw_seterr(err, "%s: a zip (PyTorch pickle) file, not safetensors; download model.safetensors instead", path);
        goto fail;
    }
    if (len < 8) {
        sw_seterr(err, "%s: truncated: %zu bytes, shorter than the 8-byte header length (fetch it again)", path, len);
        goto fail;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    if (n > ST_MAX_HEADER) {
        sw_seterr(err, "%s: header length %llu bytes is not plausible (over 100 MB); not a safetensors file?",
                  path, (unsigned long long)n);
        goto fail;
    }
    if (n > len - 8) {
        sw_seterr(err, "%s: header length %llu bytes runs past the end of the file (%zu bytes; truncated download? fetch it again)",
                  path, (unsigned long long)n, len);
        goto fail;
    }
    const char *hdr = (const char *)p + 8;
    size_t hi = 0;
    while (hi < n && (hdr[hi] == ' ' || hdr[hi] == '\n' || hdr[hi] == '\r' || hdr[hi] == '\t')) hi++;
    if (hi == n || hdr[hi] != '{') {
        sw_seterr(err, "%s: header does not start with '{' (not a safetensors file)", path);
        goto fail;
    }
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(hdr, (size_t)n, &end, 0);
    if (!root) {
        const char *ep = cJSON_GetErrorPtr();
        size_t at = (ep && ep >= hdr && ep <= hdr + n) ? (size_t)(ep - hdr) : 0;
        sw_seterr(err, "%s: header is not valid JSON (near header byte %zu; corrupt file?)", path, at);
        goto fail;
    }
    for (const char *q = end; q && q < hdr + n; q++) {
        if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t' && *q != '\0') {
            sw_seterr(err, "%s: header has junk after the JSON object (at header byte %zu; corrupt file?)",
                      path, (size_t)(q - hdr));
            goto fail;
        }
    }
    if (!cJSON_IsObject(root)) {
        sw_seterr(err, "%s: header is not a JSON object (not a safetensors file?)", path);
        goto fail;
    }
    int oom = 0;
    const char *dup = sw_json_dup_key(root, &oom);   /* a tensor or a field given twice */
    if (dup || oom) {
        char sb[SW_SHORT_LEN];
        if (oom) sw_seterr(err, "%s: out of memory checking the header", path);
        else sw_seterr(err, "%s: \"%s\" appears twice in one object of the header (corrupt file?)", path, sw_short(dup, sb));
        goto fail;
    }
    int count = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, root) count++;
    st->t = sw_calloc((size_t)count, sizeof *st->t, "safetensors header", err);
    if (!st->t) goto fail;
    const uint8_t *area = p + 8 + n;
    size_t area_len = len - 8 - (size_t)n;
    cJSON_ArrayForEach(e, root) {
        if (!e->string) continue;
        if (strcmp(e->string, "__metadata__") == 0) continue;
        StTensor *t = &st->t[st->n];
        t->name = strdup(e->string);
        if (!t->name) { sw_seterr(err, "%s: out of memory reading the header", path); goto fail; }
        st->n++;
        if (parse_entry(path, e, t, area, area_len, 8 + (size_t)n, err) != 0) goto fail;
    }
    cJSON_Delete(root);
    root = NULL;

    /* no two tensors share bytes: sort by offset, each begins at or after every earlier end */
    if (st->n > 0) {
        order = malloc((size_t)st->n * sizeof *order);
        if (!order) { sw_seterr(err, "%s: out of memory checking the header", path); goto fail; }
        for (int i = 0; i < st->n; i++) order[i] = (Span){st->t[i].offset, i};
        qsort(order, (size_t)st->n, sizeof *order, cmp_offset);
        size_t max_end = 0;
        int max_i = -1;
        for (int k = 0; k < st->n; k++) {
            const StTensor *t = &st->t[order[k].i];
            if (t->nbytes == 0) continue;
            if (max_i >= 0 && t->offset < max_end) {
                char a[SW_SHORT_LEN], b[SW_SHORT_LEN];
                sw_seterr(err, "%s: tensors %s and %s overlap (bytes %zu..%zu and %zu..%zu; corrupt header?)",
                          path, sw_short(st->t[max_i].name, a), sw_short(t->name, b), st->t[max_i].offset, max_end,
                          t->offset, t->offset + t->nbytes);
                goto fail;
            }
            if (t->offset + t->nbytes > max_end) { max_end = t->offset + t->nbytes; max_i = order[k].i; }
        }
        free(order);
        order = NULL;
    }
    qsort(st->t, (size_t)st->n, sizeof *st->t, cmp_name);
    for (int i = 1; i < st->n; i++) {
        if (strcmp(st->t[i - 1].name, st->t[i].name) == 0) {
            char a[SW_SHORT_LEN];
            sw_seterr(err, "%s: tensor %s appears twice in the header (corrupt file?)", path, sw_short(st->t[i].name, a));
            goto fail;
        }
    }
    return 0;

fail:
    free(order);
    cJSON_Delete(root);
    SafeTensors_close(st);
    return -1;
}

static int little_endian(const char *path, char *err) {
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1) {
        sw_seterr(err, "%s: this machine is big-endian; shapewalk reads safetensors on little-endian machines only", path);
        return 0;
    }
    return 1;
}

int SafeTensors_open(SafeTensors *st, const char *path, char *err) {
    memset(st, 0, sizeof *st);
    snprintf(st->path, sizeof st->path, "%s", path);
    if (!little_endian(path, err)) return -1;
    if (sw_map_file(&st->map, path, err) != 0) return -1;
    return parse_mapped(st, err);
}

/* ---- an aligned copy for files whose data area starts at an odd offset ----
 *
 * Hugging Face's gpt2 model.safetensors has an odd header length, so its F32 tensors sit at
 * odd addresses once mapped and cannot be read as floats in place. Rather than copying all
 * 500 MB into memory on every start, write once a copy whose header is padded with spaces
 * (the format allows that) so the data starts on a 64-byte boundary, keep it in the cache
 * directory, and map that copy from then on. The copy is keyed by the original's path, device,
 * inode, size and modification time (and the copy's format version), so a changed original
 * gets a new copy.
 *
 * The copy also stores GPT-2's four Conv1D matrices per layer (h.N.attn.c_attn, h.N.attn.c_proj,
 * h.N.mlp.c_fc, h.N.mlp.c_proj .weight, with or without "transformer.", F32, 2-D) transposed:
 * (in,out) becomes (out,in), the header shape is swapped, and __metadata__ gets
 * "shapewalk_layout": "conv1d_transposed". Generation reads every weight once per token with
 * sgemv, and OpenBLAS's sgemv is ~25% faster on (out,in) (NoTrans) than on (in,out) (Trans).
 * model_gpt2.c binds those tensors with out_major = 1 when the metadata says so.
 *
 * Trust: the cache folder must belong to the user and be writable by nobody else (else it is
 * not used); everything in it is reached through the folder's descriptor, created with
 * O_EXCL | O_NOFOLLOW under a random name and renamed into place, and opened with O_NOFOLLOW,
 * so a planted link is never followed. Beside each copy, aligned-H.source holds the source's
 * path, a checksum of the whole copy, a quick checksum (header and samples), the copy file's
 * identity (device, inode, size, time) and whether its F32 tensors are all finite. Before the
 * copy is used, the quick checksum is verified when the file is the one written; a copy written
 * to since (or otherwise changed) is verified in full (memory speed, ~0.1 s per 500 MB), and a
 * copy that fails is made again, with one line saying so. Without a cache folder
 * (no usable HOME or XDG_CACHE_HOME, or one that is not safe) the tensors stay in memory. */

#define ST_CACHE_VERSION "v3-" ST_LAYOUT_T   /* in the cache key: older copies (no checksum) are not reused */

/* One line on stderr, the first time only (a fallback that works but is slower). */
static void notice_once(const char *msg) {
    static int said;
    if (said) return;
    said = 1;
    fprintf(stderr, "shapewalk: %s\n", msg);
}

/* The cache folder: $SHAPEWALK_CACHE, else $XDG_CACHE_HOME/shapewalk, else $HOME/.cache/shapewalk
 * (XDG_CACHE_HOME and HOME only when absolute). -1 when there is none. */
static int cache_dir(char *out, size_t cap) {
    const char *e = getenv("SHAPEWALK_CACHE");
    if (e && *e) { snprintf(out, cap, "%s", e); return 0; }
    e = getenv("XDG_CACHE_HOME");
    if (e && e[0] == '/') { snprintf(out, cap, "%s/shapewalk", e); return 0; }
    e = getenv("HOME");
    if (e && e[0] == '/') { snprintf(out, cap, "%s/.cache/shapewalk", e); return 0; }
    return -1;
}

/* mkdir -p; folders it makes are the user's alone (0700) */
static int make_dirs(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Open the cache folder (made if missing): a folder owned by this user that nobody else can
 * write to. Returns its descriptor, or -1 with err saying why. */
static int cache_open(const char *dir, char *err) {
    if (make_dirs(dir) != 0) {
        sw_seterr(err, "%s: cannot create the cache folder: %s", dir, strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat sb;
    if (dfd < 0 || fstat(dfd, &sb) != 0) {
        sw_seterr(err, "%s: cannot open the cache folder: %s", dir, strerror(errno));
        if (dfd >= 0) close(dfd);
        return -1;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
        sw_seterr(err, "%s: the cache folder %s; not using it (chmod go-w it, or set SHAPEWALK_CACHE to a folder of your own)",
                  dir, sb.st_uid != geteuid() ? "belongs to another user" : "is writable by others");
        close(dfd);
        return -1;
    }
    return dfd;
}

/* Create dir/NAME.tmp.PID.RANDOM exclusively (never through a link); name gets the name. */
static int create_tmp(int dfd, const char *base, char *name, size_t cap) {
    static unsigned long long ctr;
    for (int tries = 0; tries < 100; tries++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long r = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
                               (++ctr * 0x9E3779B97F4A7C15ULL) ^ (uintptr_t)name;
        snprintf(name, cap, "%s.tmp.%ld.%012llx", base, (long)getpid(), r & 0xffffffffffffULL);
        int fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Read dir/name (a regular file, not a link, at most cap-1 bytes) into buf; 0 on success. */
static int read_small(int dfd, const char *name, char *buf, size_t cap) {
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat sb;
    ssize_t got = -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) got = read(fd, buf, cap - 1);
    close(fd);
    if (got < 0) return -1;
    buf[got] = 0;
    return 0;
}

/* A 64-bit checksum of n bytes: four lanes of a weighted sum of 8-byte words (a += w*K, b += a:
 * a changed word changes a, two words swapped change b), mixed at the end; it runs at memory
 * speed. It catches corruption, not an attacker (the folder is the user's own). */
static uint64_t mix64(uint64_t h, uint64_t w) {
    h ^= w * 0x9E3779B97F4A7C15ULL;
    h = (h << 31) | (h >> 33);
    return h * 0xC2B2AE3D27D4EB4FULL;
}
static uint64_t checksum(const uint8_t *p, size_t n) {
    const uint64_t K = 0x9E3779B97F4A7C15ULL;
    uint64_t a[4] = {1, 2, 3, 4}, b[4] = {0, 0, 0, 0}, w, t = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) { memcpy(&w, p + i + 8 * k, 8); a[k] += w * K; b[k] += a[k]; }
    for (; i < n; i++) t = (t << 8 | t >> 56) ^ p[i];
    uint64_t r = mix64((uint64_t)n, t);
    for (int k = 0; k < 4; k++) r = mix64(mix64(r, a[k]), b[k]);
    return r;
}
/* The quick check: the first 64 KB (the header) and 64 blocks of 4 KB spread over the file. */
static uint64_t quick_sum(const uint8_t *p, size_t n) {
    uint64_t r = checksum(p, n < 65536 ? n : 65536);
    for (size_t k = 0; k < 64 && n > 4096; k++) {
        size_t at = (n - 4096) / 63 * k;
        r = mix64(r, checksum(p + at, 4096));
    }
    return r;
}

/* What the note aligned-H.source says about copy aligned-H.safetensors. Line 1: the source's
 * path; then "sum HEX" (the whole copy), "quick HEX" (quick_sum), "copy DEV INO SIZE MTIME" (the
 * copy file as it was written, so a copy written to since is checked in full), "finite 0|1"
 * (every F32 tensor was checked and holds no NaN or Inf). */
typedef struct {
    uint64_t sum, quick;
    unsigned long long dev, ino, size, sec, nsec;
    int finite;
} CacheNote;

static void note_identity(CacheNote *n, const struct stat *sb) {
    n->dev = (unsigned long long)sb->st_dev;
    n->ino = (unsigned long long)sb->st_ino;
    n->size = (unsigned long long)sb->st_size;
    n->sec = (unsigned long long)sb->st_mtim.tv_sec;
    n->nsec = (unsigned long long)sb->st_mtim.tv_nsec;
}

/* Write the note in place of any old one (a new file renamed over it). */
static int write_note(int dfd, const char *note, const char *real, const CacheNote *n) {
    char tmp[4500], text[4400];
    int fd = create_tmp(dfd, note, tmp, sizeof tmp);
    if (fd < 0) return -1;
    int len = snprintf(text, sizeof text, "%s\nsum %016llx\nquick %016llx\ncopy %llu %llu %llu %llu.%09llu\nfinite %d\n",
                       real, (unsigned long long)n->sum, (unsigned long long)n->quick, n->dev, n->ino, n->size,
                       n->sec, n->nsec, n->finite);
    int bad = len <= 0 || (size_t)len >= sizeof text || write(fd, text, (size_t)len) != len;
    if (close(fd) != 0) bad = 1;
    if (bad || renameat(dfd, tmp, dfd, note) != 0) { unlinkat(dfd, tmp, 0); return -1; }
    return 0;
}

/* Read the note for source real: 0, or -1 (missing, another source's, unreadable, malformed). */
static int read_note(int dfd, const char *note, const char *real, CacheNote *n) {
    char text[4400];
    if (read_small(dfd, note, text, sizeof text) != 0) return -1;
    size_t rl = strlen(real);
    if (strncmp(text, real, rl) != 0 || text[rl] != '\n') return -1;
    unsigned long long sum, quick;
    int used = 0;
    if (sscanf(text + rl + 1, "sum %16llx\nquick %16llx\ncopy %llu %llu %llu %llu.%9llu\nfinite %d\n%n", &sum, &quick,
               &n->dev, &n->ino, &n->size, &n->sec, &n->nsec, &n->finite, &used) != 8 || used == 0)
        return -1;
    n->sum = sum;
    n->quick = quick;
    return 0;
}

/* After a new copy `made` of source `real` is in the cache folder, remove what is no longer
 * wanted: older copies of the same source (it was changed or replaced, so their key no longer
 * matches) and unfinished copies (.tmp.PID...) of processes that are gone. A copy another
 * process still maps stays readable until unmapped. */
static void cache_tidy(int dfd, const char *made, const char *real) {
    char note[4400];
    snprintf(note, sizeof note, "%.*s.source", (int)(strlen(made) - strlen(".safetensors")), made);
    int fd2 = dup(dfd);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) { if (fd2 >= 0) close(fd2); return; }
    for (struct dirent *e; (e = readdir(d));) {
        const char *nm = e->d_name, *dot;
        if (strncmp(nm, "aligned-", 8) != 0) continue;
        if ((dot = strstr(nm, ".tmp.")) != NULL) {
            long pid = strtol(dot + 5, NULL, 10);
            if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) unlinkat(dfd, nm, 0);
            continue;
        }
        size_t n = strlen(nm);
        if (n < 8 || strcmp(nm + n - 7, ".source") != 0 || strcmp(nm, note) == 0) continue;
        char src[4300];
        if (read_small(dfd, nm, src, sizeof src) != 0) continue;
        src[strcspn(src, "\n")] = 0;
        if (strcmp(src, real) != 0) continue;
        char old[4400];
        snprintf(old, sizeof old, "%.*s.safetensors", (int)(n - 7), nm);
        unlinkat(dfd, old, 0);
        unlinkat(dfd, nm, 0);
    }
    closedir(d);
}

static int write_all(int fd, const void *buf, size_t n) {
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n > (1u << 24) ? (1u << 24) : n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int SafeTensors_needs_alignment(const SafeTensors *st) {
    if (st->map.len < ((size_t)8 << 20)) return 0;   /* small files: copying the tensors is cheap */
    for (int i = 0; i < st->n; i++)
        if (st->t[i].dtype == ST_F32 && !SafeTensors_f32_direct(&st->t[i])) return 1;
    return 0;
}

/* 1 for a GPT-2 Conv1D weight the copy stores transposed:
 * [transformer.]h.<N>.{attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj}.weight, F32, 2-D. */
static int conv1d_transposable(const StTensor *t) {
    if (t->dtype != ST_F32 || t->ndim != 2) return 0;
    const char *s = t->name;
    if (strncmp(s, "transformer.", 12) == 0) s += 12;
    if (strncmp(s, "h.", 2) != 0) return 0;
    s += 2;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
    return strcmp(s, ".attn.c_attn.weight") == 0 || strcmp(s, ".attn.c_proj.weight") == 0 ||
           strcmp(s, ".mlp.c_fc.weight") == 0 || strcmp(s, ".mlp.c_proj.weight") == 0;
}

/* The copy's header JSON: shapes of the transposed tensors swapped, the layout in
 * __metadata__ (other metadata kept). Returns a malloc'd string or NULL. */
static char *transposed_header(const SafeTensors *st, const uint8_t *hdr, size_t n) {
    cJSON *root = cJSON_ParseWithLength((const char *)hdr, n);
    if (!root) return NULL;
    char *out = NULL;
    for (int i = 0; i < st->n; i++) {
        if (!conv1d_transposable(&st->t[i])) continue;
        cJSON *sh = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, st->t[i].name), "shape");
        cJSON *a = cJSON_CreateNumber((double)st->t[i].shape[1]);
        cJSON *b = cJSON_CreateNumber((double)st->t[i].shape[0]);
        if (!a || !b || !cJSON_IsArray(sh) || cJSON_GetArraySize(sh) != 2 ||
            !cJSON_ReplaceItemInArray(sh, 0, a)) {
            cJSON_Delete(a);
            cJSON_Delete(b);
            goto done;
        }
        if (!cJSON_ReplaceItemInArray(sh, 1, b)) { cJSON_Delete(b); goto done; }
    }
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
    if (!cJSON_IsObject(meta)) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "__metadata__");
        meta = cJSON_AddObjectToObject(root, "__metadata__");
        if (!meta) goto done;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(meta, ST_LAYOUT_KEY);
    if (!cJSON_AddStringToObject(meta, ST_LAYOUT_KEY, ST_LAYOUT_T)) goto done;
    out = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return out;
}

/* (rows,cols) row-major at src (any alignment) -> (cols,rows) row-major at dst, through the
 * aligned scratch buf (rows*cols floats); 64x64 blocks keep both sides in cache. */
static void transpose_f32(const uint8_t *src, size_t rows, size_t cols, float *buf, float *dst) {
    memcpy(buf, src, rows * cols * sizeof(float));
    const size_t B = 64;
    for (size_t i0 = 0; i0 < rows; i0 += B)
        for (size_t j0 = 0; j0 < cols; j0 += B) {
            size_t i1 = i0 + B < rows ? i0 + B : rows, j1 = j0 + B < cols ? j0 + B : cols;
            for (size_t j = j0; j < j1; j++)
                for (size_t i = i0; i < i1; i++) dst[j * rows + i] = buf[i * cols + j];
        }
}

static int cmp_tensor_offset(const void *a, const void *b) {
    size_t x = (*(const StTensor *const *)a)->offset, y = (*(const StTensor *const *)b)->offset;
    return x < y ? -1 : x > y;
}

/* Write the data area of st to fd, the transposable tensors transposed (tr: them, by offset). */
static int write_data(int fd, const SafeTensors *st, size_t area_off, const StTensor **tr, int ntr) {
    const uint8_t *p = st->map.data;
    size_t pos = area_off, maxel = 0;
    for (int k = 0; k < ntr; k++) if (tr[k]->nelem > maxel) maxel = tr[k]->nelem;
    float *buf = NULL, *out = NULL;
    if (ntr > 0) {
        buf = malloc((maxel + 1) * sizeof(float));
        out = malloc((maxel + 1) * sizeof(float));
        if (!buf || !out) { free(buf); free(out); errno = ENOMEM; return -1; }
    }
    int bad = 0;
    for (int k = 0; k < ntr && !bad; k++) {
        const StTensor *t = tr[k];
        if (t->nbytes == 0) continue;   /* nothing to move (and its offset may lie anywhere) */
        transpose_f32(p + t->offset, t->shape[0], t->shape[1], buf, out);
        bad = write_all(fd, p + pos, t->offset - pos) || write_all(fd, out, t->nbytes);
        pos = t->offset + t->nbytes;
    }
    if (!bad) bad = write_all(fd, p + pos, st->map.len - pos);
    free(buf);
    free(out);
    return bad ? -1 : 0;
}

/* Map the open file fd as st (path for messages); header not parsed yet. */
static int map_fd(SafeTensors *st, int fd, const char *path, char *err) {
    memset(st, 0, sizeof *st);
    snprintf(st->path, sizeof st->path, "%.4000s", path);
    return sw_map_fd(&st->map, fd, path, err);
}

/* Write the aligned copy into a new temporary file in the cache folder, checksum it, note it,
 * rename it into place and map it as *out. */
static int write_copy(int dfd, const char *dir, const char *name, const char *note, const char *real,
                      const SafeTensors *st, const char *hdr, uint64_t h_len, uint64_t n2, uint64_t n,
                      const StTensor **tr, int ntr, SafeTensors *out, char *err) {
    char tmp[600], path[4800];
    int fd = create_tmp(dfd, name, tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/%s", dir, tmp);
    if (fd < 0) {
        sw_seterr(err, "%s: cannot write an aligned copy: %s", path, strerror(errno));
        return -1;
    }
    uint8_t lenbuf[8];
    for (int i = 0; i < 8; i++) lenbuf[i] = (uint8_t)(n2 >> (8 * i));
    char pad[64];
    memset(pad, ' ', sizeof pad);
    const uint8_t *p = st->map.data;
    int bad = write_all(fd, lenbuf, 8) || write_all(fd, hdr ? (const uint8_t *)hdr : p + 8, (size_t)h_len) ||
              write_all(fd, pad, (size_t)(n2 - h_len)) || write_data(fd, st, 8 + (size_t)n, tr, ntr);
    struct stat sb;
    if (!bad) bad = map_fd(out, fd, path, err) != 0 || fstat(fd, &sb) != 0;
    if (close(fd) != 0) bad = 1;
    if (!bad) {
        snprintf(out->path, sizeof out->path, "%.4000s/%.60s", dir, name);
        CacheNote cn = {checksum(out->map.data, out->map.len), quick_sum(out->map.data, out->map.len), 0, 0, 0, 0, 0, 0};
        note_identity(&cn, &sb);
        bad = write_note(dfd, note, real, &cn) != 0 || renameat(dfd, tmp, dfd, name) != 0;
    }
    if (bad) {
        sw_seterr(err, "%s: cannot write an aligned copy (%s)", path, strerror(errno));
        sw_unmap(&out->map);
        unlinkat(dfd, tmp, 0);
        return -1;
    }
    cache_tidy(dfd, name, real);
    return 0;
}

int SafeTensors_reopen_aligned(SafeTensors *st, char *out_path, size_t cap, char *err) {
    const uint8_t *p = st->map.data;
    size_t len = st->map.len;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    /* the Conv1D matrices to transpose, in file order */
    const StTensor **tr = malloc(((size_t)st->n + 1) * sizeof *tr);
    if (!tr) { sw_seterr(err, "%s: out of memory making an aligned copy", st->path); return -1; }
    int ntr = 0;
    for (int i = 0; i < st->n; i++)
        if (conv1d_transposable(&st->t[i])) tr[ntr++] = &st->t[i];
    qsort(tr, (size_t)ntr, sizeof *tr, cmp_tensor_offset);
    char *hdr = NULL;   /* the copy's header (NULL: the original's, unchanged) */
    if (ntr > 0 && !(hdr = transposed_header(st, p + 8, (size_t)n))) {
        sw_seterr(err, "%s: out of memory making an aligned copy's header", st->path);
        free(tr);
        return -1;
    }
    uint64_t h_len = hdr ? strlen(hdr) : n, n2 = h_len;
    while ((8 + n2) % 64) n2++;            /* header padded so the data starts at 64 bytes */
    int rc = -1, dfd = -1;
    struct stat sb;
    char real[4096], dir[4096], path[4096], name[64], note[64];
    SafeTensors aligned;
    memset(&aligned, 0, sizeof aligned);
    if (stat(st->path, &sb) != 0 || !realpath(st->path, real)) {
        sw_seterr(err, "%s: cannot stat: %s", st->path, strerror(errno));
        goto out;
    }
    /* FNV-1a over "version|realpath|device|inode|size|mtime" names the copy */
    char key[4400];
    snprintf(key, sizeof key, "%s|%s|%llu|%llu|%lld|%lld.%09ld", ST_CACHE_VERSION, real,
             (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino, (long long)sb.st_size,
             (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
    uint64_t h = 1469598103934665603ULL;
    for (const char *k = key; *k; k++) { h ^= (uint8_t)*k; h *= 1099511628211ULL; }
    if (cache_dir(dir, sizeof dir) != 0) {
        sw_seterr(err, "no cache folder for an aligned copy of %s (HOME is not set; set SHAPEWALK_CACHE to a folder of your own)",
                  st->path);
        goto out;
    }
    if ((dfd = cache_open(dir, err)) < 0) goto out;
    snprintf(name, sizeof name, "aligned-%016llx.safetensors", (unsigned long long)h);
    snprintf(note, sizeof note, "aligned-%016llx.source", (unsigned long long)h);
    snprintf(path, sizeof path, "%.4000s/%.60s", dir, name);
    size_t want = 8 + (size_t)n2 + (len - 8 - (size_t)n);
    /* an existing copy: a regular file of ours (not a link), of the right size and checksum */
    int have = 0, damaged = 0;
    CacheNote cn;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        struct stat cs;
        char e2[SW_ERR_LEN];
        if (fstat(fd, &cs) == 0 && S_ISREG(cs.st_mode) && cs.st_uid == geteuid() && (size_t)cs.st_size == want &&
            map_fd(&aligned, fd, path, e2) == 0 && read_note(dfd, note, real, &cn) == 0) {
            /* the copy as it was written (same file, size and time, same samples): the quick check;
             * else (written to since, or copied elsewhere and back) the whole checksum */
            CacheNote now = cn;
            note_identity(&now, &cs);
            int same_file = now.dev == cn.dev && now.ino == cn.ino && now.size == cn.size && now.sec == cn.sec &&
                            now.nsec == cn.nsec;
            if (same_file && quick_sum(aligned.map.data, aligned.map.len) == cn.quick) {
                have = 1;
            } else if (checksum(aligned.map.data, aligned.map.len) == cn.sum) {
                have = 1;
                (void)write_note(dfd, note, real, &now);   /* the new identity, for the quick check */
                cn = now;
            }
        }
        if (!have) sw_unmap(&aligned.map);
        damaged = !have;
        close(fd);
    } else if (errno != ENOENT) {
        damaged = 1;   /* a link (ELOOP) or something else that is not our copy */
    }
    if (damaged) {
        fprintf(stderr, "shapewalk: %s: the cached aligned copy of %s is damaged (checksum or size); making it again\n",
                path, st->path);
        unlinkat(dfd, name, 0);
    }
    if (!have && write_copy(dfd, dir, name, note, real, st, hdr, h_len, n2, n, tr, ntr, &aligned, err) != 0)
        goto out;
    if (!have && read_note(dfd, note, real, &cn) != 0) memset(&cn, 0, sizeof cn);
    if (parse_mapped(&aligned, err) != 0) goto out;
    /* same tensors, same dtypes; shapes swapped exactly for the transposed ones */
    int same = !SafeTensors_needs_alignment(&aligned) && aligned.n == st->n;
    for (int i = 0; same && i < st->n; i++) {
        const StTensor *a = &st->t[i], *b = &aligned.t[i];
        int swap = conv1d_transposable(a);
        same = strcmp(a->name, b->name) == 0 && a->dtype == b->dtype && a->ndim == b->ndim &&
               a->nbytes == b->nbytes;
        for (int d = 0; same && d < a->ndim; d++)
            same = b->shape[d] == a->shape[swap ? a->ndim - 1 - d : d];
    }
    if (!same) {
        sw_seterr(err, "%s: the aligned copy does not match %s (delete it to have it made again)", path, st->path);
        SafeTensors_close(&aligned);
        goto out;
    }
    /* NaN / Inf: every F32 tensor checked once, when the copy is new; the note keeps the answer */
    if (!cn.finite && cn.sum) {
        int fin = 1;
        for (int i = 0; fin && i < aligned.n; i++)
            if (aligned.t[i].dtype == ST_F32)
                fin = Weights_first_nonfinite((const float *)(const void *)aligned.t[i].data, aligned.t[i].nelem) ==
                      aligned.t[i].nelem;
        if (fin) {
            cn.finite = 1;
            (void)write_note(dfd, note, real, &cn);
        }
    }
    aligned.f32_finite = cn.finite;
    SafeTensors_close(st);
    *st = aligned;
    if (out_path) snprintf(out_path, cap, "%s", path);
    rc = 0;
out:
    if (rc != 0) {
        char msg[SW_ERR_LEN + 80];
        snprintf(msg, sizeof msg, "%s; the weights are copied into memory instead", err);
        notice_once(msg);
    }
    if (dfd >= 0) close(dfd);
    free(hdr);
    free(tr);
    return rc;
}
