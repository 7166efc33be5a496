/* sw.c - errors, checked sizes, mapped files, UTF-8 validation. */
#include "sw.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Errors often quote bytes from a file (a tensor name, a dtype, a merge). Control bytes
 * are written as \xNN so a message stays one line and cannot drive the terminal. */
void sw_seterr(char *err, const char *fmt, ...) {
    if (!err) return;
    char raw[SW_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p && o + 1 < SW_ERR_LEN; p++) {
        if (*p < 0x20 || *p == 0x7F) {
            if (o + 5 >= SW_ERR_LEN) break;
            o += (size_t)snprintf(err + o, SW_ERR_LEN - o, "\\x%02X", *p);
        } else {
            err[o++] = (char)*p;
        }
    }
    err[o] = 0;
}

/* Open a regular file for reading without blocking on FIFOs or devices. */
static int open_regular(const char *path, struct stat *st, char *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        sw_seterr(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        sw_seterr(err, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

int sw_mul_size(size_t a, size_t b, size_t *out) {
    if (a && b > SIZE_MAX / a) return -1;
    *out = a * b;
    return 0;
}

int sw_add_size(size_t a, size_t b, size_t *out) {
    if (b > SIZE_MAX - a) return -1;
    *out = a + b;
    return 0;
}

/* A pass writes its trace and scratch (about 100 MB at T=256) into fresh memory: with 4 KB
 * pages that is 25,000 page faults a pass. Asking for 2 MB pages (where the kernel's THP setting
 * is "madvise", the default, nothing else does) makes them 50. Measured on an Intel Xeon
 * (AVX-512, 2 vCPUs, OpenBLAS SkylakeX, GPT-2-shaped F32, B=1 T=256, best of 8, four alternating
 * rounds): 307-315 ms with 4 KB pages, 288-303 ms so. Only the 2 MB-aligned inside of a block is
 * marked; free() unmaps it as before. */
enum { SW_HUGE_MIN = 4 << 20 };
static void huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t H = (uintptr_t)2 << 20, a = ((uintptr_t)p + H - 1) & ~(H - 1), e = ((uintptr_t)p + bytes) & ~(H - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);   /* a hint: refused is fine */
#else
    (void)p, (void)bytes;
#endif
}

void *sw_calloc(size_t n, size_t size, const char *what, char *err) {
    size_t bytes;
    if (sw_mul_size(n, size, &bytes) != 0) {
        sw_seterr(err, "%s: size overflows memory arithmetic", what);
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) sw_seterr(err, "out of memory allocating %.1f MB for %s", bytes / 1e6, what);
    else if (bytes >= SW_HUGE_MIN) huge_pages(p, bytes);
    return p;
}

int sw_map_fd(SwMap *m, int fd, const char *path, char *err) {
    m->data = NULL;
    m->len = 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        sw_seterr(err, "%s: not a regular file", path);
        return -1;
    }
    if (st.st_size == 0) return 0;
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        sw_seterr(err, "%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    m->data = p;
    m->len = (size_t)st.st_size;
    return 0;
}

int sw_map_file(SwMap *m, const char *path, char *err) {
    m->data = NULL;
    m->len = 0;
    struct stat st;
    int fd = open_regular(path, &st, err);
    if (fd < 0) return -1;
    int rc = sw_map_fd(m, fd, path, err);   /* the mapping outlives the descriptor */
    close(fd);
    return rc;
}

void sw_unmap(SwMap *m) {
    if (m->data) munmap((void *)m->data, m->len);
    m->data = NULL;
    m->len = 0;
}

char *sw_read_file(const char *path, size_t *len, size_t max_len, char *err) {
    struct stat st;
    int fd = open_regular(path, &st, err);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        sw_seterr(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) { fclose(f); sw_seterr(err, "%s: out of memory", path); return NULL; }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n > max_len) {
            free(buf); fclose(f);
            sw_seterr(err, "%s: larger than %zu bytes; is this the right file?", path, max_len);
            return NULL;
        }
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); sw_seterr(err, "%s: read error", path); return NULL; }
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

int sw_utf8_valid(const char *str, size_t n, size_t *bad_at) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned cp, min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; min = 0x10000; }
        else goto bad;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) goto bad;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
        i += k + 1;
    }
    return 1;
bad:
    if (bad_at) *bad_at = i;
    return 0;
}

char *sw_utf8_repair(const char *s, size_t n) {
    size_t cap;
    if (sw_mul_size(n, 3, &cap) != 0 || sw_add_size(cap, 1, &cap) != 0) return NULL;
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    size_t i = 0;
    while (i < n) {
        size_t bad;
        if (sw_utf8_valid(s + i, n - i, &bad)) { memcpy(o, s + i, n - i); o += n - i; break; }
        memcpy(o, s + i, bad);
        o += bad;
        memcpy(o, "\xEF\xBF\xBD", 3);   /* U+FFFD for the one bad byte */
        o += 3;
        i += bad + 1;
    }
    *o = 0;
    return out;
}

const char *sw_short(const char *s, char out[SW_SHORT_LEN]) {
    size_t n = strlen(s), i = 0, o = 0;
    int chars = 0;
    while (i < n && chars < 40) {
        size_t bad = 0, k = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            k = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            if (i + k > n || !sw_utf8_valid(s + i, k, &bad)) k = 0;
        }
        if (k == 0 || c < 0x20 || c == 0x7F) {
            o += (size_t)snprintf(out + o, SW_SHORT_LEN - o, "\\x%02X", c);
            i++;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
        chars++;
    }
    if (i < n) { memcpy(out + o, "\xE2\x80\xA6", 3); o += 3; }   /* U+2026 ... */
    out[o] = 0;
    return out;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *sw_json_dup_key(const cJSON *v, int *oom) {
    if (!v || !(cJSON_IsObject(v) || cJSON_IsArray(v))) return NULL;
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next) n++;
    if (cJSON_IsObject(v) && n > 1) {
        const char **keys = malloc(n * sizeof *keys);
        if (!keys) { *oom = 1; return NULL; }
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next) keys[k++] = c->string ? c->string : "";
        qsort(keys, n, sizeof *keys, cmp_str);
        const char *dup = NULL;
        for (size_t i = 1; i < n && !dup; i++)
            if (strcmp(keys[i - 1], keys[i]) == 0) dup = keys[i];
        free(keys);
        if (dup) return dup;
    }
    for (const cJSON *c = v->child; c; c = c->next) {
        const char *d = sw_json_dup_key(c, oom);
        if (d || *oom) return d;
    }
    return NULL;
}

/* the first number in v too large for a double (cJSON reads 1e999 as infinity, which no
 * value shapewalk reads can mean and which cJSON would print back as null), or NULL */
static const cJSON *json_huge_number(const cJSON *v) {
    if (!v) return NULL;
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) return v;
    for (const cJSON *c = v->child; c; c = c->next) {
        const cJSON *h = json_huge_number(c);
        if (h) return h;
    }
    return NULL;
}

static int line_of(const char *text, size_t at) {
    int line = 1;
    for (size_t i = 0; i < at; i++) line += text[i] == '\n';
    return line;
}

/* the JSON whitespace at text[at..len): where it ends (text need not be NUL-terminated) */
static size_t skip_ws(const char *text, size_t at, size_t len) {
    while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) at++;
    return at;
}

cJSON *sw_json_parse(const char *text, size_t len, const char *path, char *err) {
    const char *nul = memchr(text, 0, len);
    if (nul) {
        sw_seterr(err, "%s: has a NUL byte at byte %zu (line %d); a JSON file is text (corrupt download? fetch it again)",
                  path, (size_t)(nul - text), line_of(text, (size_t)(nul - text)));
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = (at && at >= text && at <= text + len) ? (size_t)(at - text) : 0;
        if (skip_ws(text, 0, len) == len)
            sw_seterr(err, "%s: empty (no JSON in it; fetch it again)", path);
        else
            sw_seterr(err, "%s: not valid JSON (error near byte %zu, line %d; corrupt or truncated? fetch it again)",
                      path, off, line_of(text, off));
        return NULL;
    }
    size_t e = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
    e = skip_ws(text, e, len);
    if (e < len) {
        sw_seterr(err, "%s: more after the JSON value (at byte %zu, line %d); a JSON file holds one value (corrupt or joined files?)",
                  path, e, line_of(text, e));
        cJSON_Delete(root);
        return NULL;
    }
    int oom = 0;
    const char *dup = sw_json_dup_key(root, &oom);
    if (dup || oom) {
        char sb[SW_SHORT_LEN];
        if (oom) sw_seterr(err, "%s: out of memory checking its keys", path);
        else sw_seterr(err, "%s: key \"%s\" appears twice in one object; each key must appear once (which value is meant?)",
                       path, sw_short(dup, sb));
        cJSON_Delete(root);
        return NULL;
    }
    const cJSON *huge = json_huge_number(root);
    if (huge) {
        char sb[SW_SHORT_LEN];
        if (huge->string)
            sw_seterr(err, "%s: the number under key \"%s\" is too large for a double (beyond 1.8e308); write it in range",
                      path, sw_short(huge->string, sb));
        else
            sw_seterr(err, "%s: a number too large for a double (beyond 1.8e308); write it in range", path);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
