/* safetensors.c - map a .safetensors file and validate its header (see safetensors.h). */
#include "safetensors.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
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

float sw_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t ex = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (ex == 0) {
        /* zero or subnormal: man * 2^-24 */
        float f = (float)man * 5.9604644775390625e-8f;
        return sign ? -f : f;
    } else if (ex == 31) {
        bits = sign | 0x7f800000u | (man << 13);          /* inf / nan */
    } else {
        bits = sign | ((ex + 112u) << 23) | (man << 13);   /* rebias 15 -> 127 */
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float sw_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;   /* bfloat16 is the top half of an F32 */
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int SafeTensors_f32_direct(const StTensor *t) {
    return t->dtype == ST_F32 && ((uintptr_t)t->data % sizeof(float)) == 0;
}

void SafeTensors_to_f32(const StTensor *t, float *out) {
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case ST_F32:
        memcpy(out, p, t->nelem * 4);
        break;
    case ST_F16:
        for (size_t i = 0; i < t->nelem; i++)
            out[i] = sw_f16_to_f32((uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
        break;
    case ST_BF16:
        for (size_t i = 0; i < t->nelem; i++)
            out[i] = sw_bf16_to_f32((uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
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
    const char *nm = t->name;
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
        sw_seterr(err, "%s: tensor %s has unsupported dtype \"%.40s\" (shapewalk reads F32, F16 and BF16 checkpoints)",
                  path, nm, d);
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

int SafeTensors_open(SafeTensors *st, const char *path, char *err) {
    memset(st, 0, sizeof *st);
    snprintf(st->path, sizeof st->path, "%s", path);
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1) {
        sw_seterr(err, "%s: this machine is big-endian; shapewalk reads safetensors on little-endian machines only", path);
        return -1;
    }
    if (sw_map_file(&st->map, path, err) != 0) return -1;
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
                sw_seterr(err, "%s: tensors %s and %s overlap (bytes %zu..%zu and %zu..%zu; corrupt header?)",
                          path, st->t[max_i].name, t->name, st->t[max_i].offset, max_end,
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
            sw_seterr(err, "%s: tensor %s appears twice in the header (corrupt file?)", path, st->t[i].name);
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

/* ---- an aligned copy for files whose data area starts at an odd offset ----
 *
 * Hugging Face's gpt2 model.safetensors has an odd header length, so its F32 tensors sit at
 * odd addresses once mapped and cannot be read as floats in place. Rather than copying all
 * 500 MB into memory on every start, write once a copy whose header is padded with spaces
 * (the format allows that) so the data starts on a 64-byte boundary, keep it in the cache
 * directory, and map that copy from then on. The copy is keyed by the original's path, size
 * and modification time, so a changed original gets a new copy. */

static void cache_dir(char *out, size_t cap) {
    const char *e = getenv("SHAPEWALK_CACHE");
    if (e && *e) { snprintf(out, cap, "%s", e); return; }
    e = getenv("XDG_CACHE_HOME");
    if (e && *e) { snprintf(out, cap, "%s/shapewalk", e); return; }
    e = getenv("HOME");
    snprintf(out, cap, "%s/.cache/shapewalk", e && *e ? e : "/tmp");
}

/* mkdir -p */
static int make_dirs(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
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

int SafeTensors_reopen_aligned(SafeTensors *st, char *out_path, size_t cap, char *err) {
    const uint8_t *p = st->map.data;
    size_t len = st->map.len;
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | p[i];
    uint64_t n2 = n;
    while ((8 + n2) % 64) n2++;            /* header padded so the data starts at 64 bytes */
    struct stat sb;
    char real[4096];
    if (stat(st->path, &sb) != 0 || !realpath(st->path, real)) {
        sw_seterr(err, "%s: cannot stat: %s", st->path, strerror(errno));
        return -1;
    }
    /* FNV-1a over "realpath|size|mtime" names the copy */
    char key[4200];
    snprintf(key, sizeof key, "%s|%lld|%lld.%09ld", real, (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
             sb.st_mtim.tv_nsec);
    uint64_t h = 1469598103934665603ULL;
    for (const char *k = key; *k; k++) { h ^= (uint8_t)*k; h *= 1099511628211ULL; }
    char dir[4096], path[4400], tmp[4500];
    cache_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/aligned-%016llx.safetensors", dir, (unsigned long long)h);
    size_t want = len + (size_t)(n2 - n);
    struct stat cs;
    if (!(stat(path, &cs) == 0 && S_ISREG(cs.st_mode) && (size_t)cs.st_size == want)) {
        if (make_dirs(dir) != 0) {
            sw_seterr(err, "%s: cannot create the cache folder: %s", dir, strerror(errno));
            return -1;
        }
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            sw_seterr(err, "%s: cannot write an aligned copy: %s", tmp, strerror(errno));
            return -1;
        }
        uint8_t lenbuf[8];
        for (int i = 0; i < 8; i++) lenbuf[i] = (uint8_t)(n2 >> (8 * i));
        char pad[64];
        memset(pad, ' ', sizeof pad);
        int bad = write_all(fd, lenbuf, 8) || write_all(fd, p + 8, (size_t)n) ||
                  write_all(fd, pad, (size_t)(n2 - n)) || write_all(fd, p + 8 + n, len - 8 - (size_t)n);
        if (close(fd) != 0) bad = 1;
        if (bad || rename(tmp, path) != 0) {
            sw_seterr(err, "%s: cannot write an aligned copy (%s)", tmp, strerror(errno));
            unlink(tmp);
            return -1;
        }
    }
    SafeTensors aligned;
    if (SafeTensors_open(&aligned, path, err) != 0) return -1;
    if (SafeTensors_needs_alignment(&aligned) || aligned.n != st->n) {
        sw_seterr(err, "%s: the aligned copy does not match %s", path, st->path);
        SafeTensors_close(&aligned);
        return -1;
    }
    SafeTensors_close(st);
    *st = aligned;
    if (out_path) snprintf(out_path, cap, "%s", path);
    return 0;
}
