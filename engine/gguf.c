/* gguf.c - map a GGUF file and validate everything in it before use (see gguf.h). */
#include "gguf.h"
#include "quant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *Gguf_type_name(int type) {
    static const char *names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                  "bool", "string", "array", "u64", "i64", "f64"};
    return type >= 0 && type <= GGUF_F64 ? names[type] : "?";
}

/* bytes of a scalar of this type; 0 for string, array and unknown */
static size_t scalar_size(int type) {
    switch (type) {
    case GGUF_U8: case GGUF_I8: case GGUF_BOOL: return 1;
    case GGUF_U16: case GGUF_I16: return 2;
    case GGUF_U32: case GGUF_I32: case GGUF_F32: return 4;
    case GGUF_U64: case GGUF_I64: case GGUF_F64: return 8;
    }
    return 0;
}

/* ---- the cursor over the mapping ---- */

typedef struct {
    const char *path;
    const uint8_t *p;
    size_t len, pos;
    char *err;
} Rd;

static void truncated(Rd *r, const char *what, size_t need) {
    sw_seterr(r->err, "%s: truncated: %s needs %zu bytes at byte %zu but the file has %zu bytes (interrupted download? fetch it again)",
              r->path, what, need, r->pos, r->len);
}

static int need(Rd *r, size_t n, const char *what) {
    if (r->len - r->pos < n) { truncated(r, what, n); return -1; }
    return 0;
}

static uint64_t le(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static int rd_u32(Rd *r, uint32_t *out, const char *what) {
    if (need(r, 4, what)) return -1;
    *out = (uint32_t)le(r->p + r->pos, 4);
    r->pos += 4;
    return 0;
}

static int rd_u64(Rd *r, uint64_t *out, const char *what) {
    if (need(r, 8, what)) return -1;
    *out = le(r->p + r->pos, 8);
    r->pos += 8;
    return 0;
}

/* a string: u64 length, then that many bytes (length bounded by the bytes left) */
static int rd_str(Rd *r, GgufStr *s, const char *what) {
    uint64_t n;
    size_t at = r->pos;
    if (rd_u64(r, &n, what)) return -1;
    if (n > r->len - r->pos) {
        sw_seterr(r->err, "%s: %s at byte %zu has length %llu, past the end of the file (%zu bytes; truncated download or corrupt file?)",
                  r->path, what, at, (unsigned long long)n, r->len);
        return -1;
    }
    s->p = (const char *)r->p + r->pos;
    s->n = (size_t)n;
    r->pos += (size_t)n;
    return 0;
}

/* a name (key or tensor) as a NUL-terminated malloc'd copy */
static char *name_copy(Rd *r, GgufStr s, const char *what) {
    if (memchr(s.p, 0, s.n)) {
        sw_seterr(r->err, "%s: %s \"%.*s\" contains a NUL byte (corrupt file?)", r->path, what,
                  (int)(s.n < 100 ? s.n : 100), s.p);
        return NULL;
    }
    char *c = malloc(s.n + 1);
    if (!c) { sw_seterr(r->err, "%s: out of memory reading %s", r->path, what); return NULL; }
    memcpy(c, s.p, s.n);
    c[s.n] = 0;
    return c;
}

/* ---- key/values ---- */

static int parse_value(Rd *r, GgufKV *kv) {
    const char *k = kv->key;
    char what[300];
    snprintf(what, sizeof what, "the value of key %.200s", k);
    kv->arr_type = -1;
    kv->n = 1;
    if (kv->type == GGUF_STR) {
        GgufStr s;
        if (rd_str(r, &s, what)) return -1;
        kv->data = (const uint8_t *)s.p;
        kv->len = s.n;
        return 0;
    }
    if (kv->type != GGUF_ARR) {
        size_t sz = scalar_size(kv->type);
        if (sz == 0) {
            sw_seterr(r->err, "%s: key %.200s has unknown value type %d (corrupt file, or a newer GGUF?)", r->path, k, kv->type);
            return -1;
        }
        if (need(r, sz, what)) return -1;
        kv->data = r->p + r->pos;
        kv->len = sz;
        r->pos += sz;
        return 0;
    }
    uint32_t et;
    uint64_t n;
    if (rd_u32(r, &et, what) || rd_u64(r, &n, what)) return -1;
    kv->arr_type = (int)et;
    if (et == GGUF_ARR) {
        sw_seterr(r->err, "%s: key %.200s is an array of arrays (not supported)", r->path, k);
        return -1;
    }
    size_t esz = et == GGUF_STR ? 8 : scalar_size((int)et);   /* a string takes at least its length */
    if (esz == 0 || et > GGUF_F64) {
        sw_seterr(r->err, "%s: key %.200s is an array of unknown type %u (corrupt file?)", r->path, k, et);
        return -1;
    }
    size_t left = r->len - r->pos;
    if (n > left / esz) {
        sw_seterr(r->err, "%s: key %.200s: an array of %llu elements of type %s needs at least %llu bytes but only %zu are left in the file (truncated or corrupt?)",
                  r->path, k, (unsigned long long)n, Gguf_type_name((int)et),
                  n > UINT64_MAX / esz ? (unsigned long long)UINT64_MAX : (unsigned long long)(n * esz), left);
        return -1;
    }
    kv->n = n;
    kv->data = r->p + r->pos;
    if (et != GGUF_STR) {
        kv->len = (size_t)n * esz;
        r->pos += kv->len;
        return 0;
    }
    size_t *off = malloc(((size_t)n + 1) * sizeof *off);   /* n <= file bytes / 8 */
    if (!off) { sw_seterr(r->err, "%s: out of memory reading key %.200s", r->path, k); return -1; }
    kv->str_off = off;
    size_t start = r->pos;
    for (uint64_t i = 0; i < n; i++) {
        GgufStr s;
        off[i] = r->pos;
        snprintf(what, sizeof what, "element %llu of key %.200s", (unsigned long long)i, k);
        if (rd_str(r, &s, what)) return -1;
    }
    kv->len = r->pos - start;
    return 0;
}

/* ---- lookups ---- */

static int cmp_kv(const void *a, const void *b) {
    return strcmp((*(const GgufKV *const *)a)->key, (*(const GgufKV *const *)b)->key);
}
static int cmp_t(const void *a, const void *b) {
    return strcmp((*(const GgufTensor *const *)a)->name, (*(const GgufTensor *const *)b)->name);
}
static int cmp_t_off(const void *a, const void *b) {
    uint64_t x = (*(const GgufTensor *const *)a)->offset, y = (*(const GgufTensor *const *)b)->offset;
    return x < y ? -1 : x > y;
}

const GgufKV *Gguf_find_key(const GgufFile *g, const char *key) {
    int64_t lo = 0, hi = g->n_kv - 1;
    while (lo <= hi && g->kv_by_name) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, g->kv_by_name[mid]->key);
        if (c == 0) return g->kv_by_name[mid];
        if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    return NULL;
}

const GgufTensor *Gguf_find_tensor(const GgufFile *g, const char *name) {
    int64_t lo = 0, hi = g->n_tensors - 1;
    while (lo <= hi && g->t_by_name) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, g->t_by_name[mid]->name);
        if (c == 0) return g->t_by_name[mid];
        if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    return NULL;
}

/* ---- typed values ---- */

static int is_int_type(int t) {
    return t == GGUF_U8 || t == GGUF_I8 || t == GGUF_U16 || t == GGUF_I16 || t == GGUF_U32 ||
           t == GGUF_I32 || t == GGUF_U64 || t == GGUF_I64;
}
static int is_signed(int t) { return t == GGUF_I8 || t == GGUF_I16 || t == GGUF_I32 || t == GGUF_I64; }

/* an integer element at p of type t: as u64 (*neg = 0) or negative i64 (*neg = 1, *v = its bits) */
static void int_at(const uint8_t *p, int t, uint64_t *v, int *neg) {
    size_t sz = scalar_size(t);
    uint64_t u = le(p, (int)sz);
    *neg = 0;
    if (is_signed(t) && sz < 8 && (u >> (8 * sz - 1)) & 1) u |= ~(uint64_t)0 << (8 * sz);  /* sign-extend */
    if (is_signed(t) && (int64_t)u < 0) *neg = 1;
    *v = u;
}

static double float_at(const uint8_t *p, int t) {
    if (t == GGUF_F32) {
        uint32_t b = (uint32_t)le(p, 4);
        float f;
        memcpy(&f, &b, 4);
        return f;
    }
    uint64_t b = le(p, 8);
    double d;
    memcpy(&d, &b, 8);
    return d;
}

static const GgufKV *lookup(const GgufFile *g, const char *key, char *err) {
    const GgufKV *kv = Gguf_find_key(g, key);
    if (!kv) sw_seterr(err, "%s: key %s is missing", g->path, key);
    return kv;
}

static int wrong(const GgufFile *g, const GgufKV *kv, const char *want, char *err) {
    if (kv->type == GGUF_ARR)
        sw_seterr(err, "%s: key %s is an array of %s, expected %s", g->path, kv->key, Gguf_type_name(kv->arr_type), want);
    else
        sw_seterr(err, "%s: key %s is a%s %s, expected %s", g->path, kv->key,
                  kv->type == GGUF_I8 || kv->type == GGUF_U8 || kv->type == GGUF_I16 || kv->type == GGUF_U16 ||
                  kv->type == GGUF_I32 || kv->type == GGUF_U32 || kv->type == GGUF_I64 || kv->type == GGUF_U64 ||
                  kv->type == GGUF_F32 || kv->type == GGUF_F64 ? "n" : "",
                  Gguf_type_name(kv->type), want);
    return GGUF_WRONG_TYPE;
}

/* any integer key within [lo, hi] (as signed 128-ish: neg values compared by sign) */
static int get_int(const GgufFile *g, const char *key, int64_t lo, uint64_t hi, uint64_t *out, int *neg, char *err) {
    const GgufKV *kv = lookup(g, key, err);
    if (!kv) return GGUF_MISSING;
    if (!is_int_type(kv->type)) return wrong(g, kv, "an integer", err);
    int_at(kv->data, kv->type, out, neg);
    int ok = *neg ? (lo < 0 && (int64_t)*out >= lo) : *out <= hi;
    if (!ok) {
        if (*neg) sw_seterr(err, "%s: key %s is %lld, outside %lld..%llu", g->path, key, (long long)(int64_t)*out, (long long)lo, (unsigned long long)hi);
        else sw_seterr(err, "%s: key %s is %llu, outside %lld..%llu", g->path, key, (unsigned long long)*out, (long long)lo, (unsigned long long)hi);
        return GGUF_RANGE;
    }
    return GGUF_OK;
}

int Gguf_get_u32(const GgufFile *g, const char *key, uint32_t *out, char *err) {
    uint64_t v;
    int neg, rc = get_int(g, key, 0, UINT32_MAX, &v, &neg, err);
    if (rc == GGUF_OK) *out = (uint32_t)v;
    return rc;
}
int Gguf_get_i32(const GgufFile *g, const char *key, int32_t *out, char *err) {
    uint64_t v;
    int neg, rc = get_int(g, key, INT32_MIN, INT32_MAX, &v, &neg, err);
    if (rc == GGUF_OK) *out = (int32_t)(int64_t)v;
    return rc;
}
int Gguf_get_u64(const GgufFile *g, const char *key, uint64_t *out, char *err) {
    uint64_t v;
    int neg, rc = get_int(g, key, 0, UINT64_MAX, &v, &neg, err);
    if (rc == GGUF_OK) *out = v;
    return rc;
}
int Gguf_get_i64(const GgufFile *g, const char *key, int64_t *out, char *err) {
    uint64_t v;
    int neg, rc = get_int(g, key, INT64_MIN, INT64_MAX, &v, &neg, err);
    if (rc == GGUF_OK) *out = (int64_t)v;
    return rc;
}

int Gguf_get_f32(const GgufFile *g, const char *key, float *out, char *err) {
    const GgufKV *kv = lookup(g, key, err);
    if (!kv) return GGUF_MISSING;
    if (kv->type != GGUF_F32 && kv->type != GGUF_F64) return wrong(g, kv, "a float (f32 or f64)", err);
    *out = (float)float_at(kv->data, kv->type);
    return GGUF_OK;
}

int Gguf_get_bool(const GgufFile *g, const char *key, int *out, char *err) {
    const GgufKV *kv = lookup(g, key, err);
    if (!kv) return GGUF_MISSING;
    if (kv->type != GGUF_BOOL) return wrong(g, kv, "a bool", err);
    *out = kv->data[0] != 0;
    return GGUF_OK;
}

int Gguf_get_str(const GgufFile *g, const char *key, GgufStr *out, char *err) {
    const GgufKV *kv = lookup(g, key, err);
    if (!kv) return GGUF_MISSING;
    if (kv->type != GGUF_STR) return wrong(g, kv, "a string", err);
    out->p = (const char *)kv->data;
    out->n = kv->len;
    return GGUF_OK;
}

int Gguf_get_arr(const GgufFile *g, const char *key, int *elem_type, uint64_t *n, const GgufKV **out, char *err) {
    const GgufKV *kv = lookup(g, key, err);
    if (!kv) return GGUF_MISSING;
    if (kv->type != GGUF_ARR) return wrong(g, kv, "an array", err);
    if (elem_type) *elem_type = kv->arr_type;
    if (n) *n = kv->n;
    if (out) *out = kv;
    return GGUF_OK;
}

int Gguf_arr_i64(const GgufKV *kv, uint64_t i, int64_t *out) {
    if (!kv || kv->type != GGUF_ARR || i >= kv->n) return -1;
    int t = kv->arr_type;
    if (t == GGUF_BOOL) { *out = kv->data[i] != 0; return 0; }
    if (!is_int_type(t)) return -1;
    uint64_t v;
    int neg;
    int_at(kv->data + i * scalar_size(t), t, &v, &neg);
    if (!neg && v > INT64_MAX) return -1;
    *out = (int64_t)v;
    return 0;
}

int Gguf_arr_f32(const GgufKV *kv, uint64_t i, float *out) {
    if (!kv || kv->type != GGUF_ARR || i >= kv->n) return -1;
    int t = kv->arr_type;
    const uint8_t *p = kv->data + i * scalar_size(t);
    if (t == GGUF_F32 || t == GGUF_F64) { *out = (float)float_at(p, t); return 0; }
    if (!is_int_type(t)) return -1;
    uint64_t v;
    int neg;
    int_at(p, t, &v, &neg);
    *out = neg ? (float)(int64_t)v : (float)v;
    return 0;
}

int Gguf_arr_str(const GgufKV *kv, uint64_t i, GgufStr *out) {
    if (!kv || kv->type != GGUF_ARR || kv->arr_type != GGUF_STR || i >= kv->n || !kv->str_off) return -1;
    /* the offsets were made from the mapping at open: data points at element 0's length */
    const uint8_t *base = kv->data - kv->str_off[0];
    const uint8_t *p = base + kv->str_off[i];
    out->n = (size_t)le(p, 8);
    out->p = (const char *)p + 8;
    return 0;
}

int Gguf_kv_number(const GgufKV *kv, double *out) {
    if (!kv) return -1;
    if (kv->type == GGUF_F32 || kv->type == GGUF_F64) { *out = float_at(kv->data, kv->type); return 0; }
    if (kv->type == GGUF_BOOL) { *out = kv->data[0] != 0; return 0; }
    if (!is_int_type(kv->type)) return -1;
    uint64_t v;
    int neg;
    int_at(kv->data, kv->type, &v, &neg);
    *out = neg ? (double)(int64_t)v : (double)v;
    return 0;
}

/* ---- one-line values ---- */

typedef struct { char *p; size_t cap, n; } Out;

static void out_c(Out *o, char c) {
    if (o->n + 1 < o->cap) o->p[o->n] = c;
    o->n++;
}
static void out_s(Out *o, const char *s) { while (*s) out_c(o, *s++); }

static void out_str(Out *o, const char *s, size_t n, size_t max) {
    out_c(o, '"');
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[8];
        if (c == '"' || c == '\\') { out_c(o, '\\'); out_c(o, (char)c); }
        else if (c == '\n') out_s(o, "\\n");
        else if (c < 0x20 || c == 0x7f) { snprintf(e, sizeof e, "\\x%02x", c); out_s(o, e); }
        else if (c < 0x80) out_c(o, (char)c);
        else {
            /* a valid UTF-8 sequence is kept, except C1 controls (U+0080..U+009F); else \xNN */
            size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            int keep = k > 1 && i + k <= n && sw_utf8_valid(s + i, k, NULL) &&
                       !(c == 0xC2 && (unsigned char)s[i + 1] < 0xA0);
            if (keep) { for (size_t j = 0; j < k; j++) out_c(o, s[i + j]); i += k - 1; }
            else { snprintf(e, sizeof e, "\\x%02x", c); out_s(o, e); }
        }
    }
    if (n > max) out_s(o, "...");
    out_c(o, '"');
}

/* element i of an array (or the scalar when kv is not an array) */
static void out_scalar(Out *o, int t, const uint8_t *p) {
    char b[64];
    if (t == GGUF_BOOL) { out_s(o, *p ? "true" : "false"); return; }
    if (t == GGUF_F32 || t == GGUF_F64) { snprintf(b, sizeof b, "%.9g", float_at(p, t)); out_s(o, b); return; }
    uint64_t v;
    int neg;
    int_at(p, t, &v, &neg);
    if (neg) snprintf(b, sizeof b, "%lld", (long long)(int64_t)v);
    else snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    out_s(o, b);
}

char *Gguf_kv_format(const GgufKV *kv, char *buf, size_t cap) {
    if (!buf || cap == 0) return buf;
    Out o = {buf, cap, 0};
    if (!kv) out_s(&o, "(none)");
    else if (kv->type == GGUF_STR) out_str(&o, (const char *)kv->data, kv->len, 200);
    else if (kv->type != GGUF_ARR) out_scalar(&o, kv->type, kv->data);
    else {
        char b[64];
        snprintf(b, sizeof b, "[%llu %s%s", (unsigned long long)kv->n,
                 kv->arr_type == GGUF_STR ? "string" : Gguf_type_name(kv->arr_type),
                 kv->arr_type == GGUF_STR && kv->n != 1 ? "s" : "");
        out_s(&o, b);
        for (uint64_t i = 0; i < kv->n && i < 8; i++) {
            out_s(&o, i ? ", " : ": ");
            GgufStr e;
            if (kv->arr_type == GGUF_STR && Gguf_arr_str(kv, i, &e) == 0) out_str(&o, e.p, e.n, 40);
            else out_scalar(&o, kv->arr_type, kv->data + i * scalar_size(kv->arr_type));
        }
        if (kv->n > 8) out_s(&o, ", ...");
        out_c(&o, ']');
    }
    if (o.n >= cap && cap > 4) memcpy(buf + cap - 4, "...", 4);   /* cut: end with ... */
    else buf[o.n < cap ? o.n : cap - 1] = 0;
    return buf;
}

/* ---- tensors ---- */

static int parse_tensor_info(Rd *r, GgufTensor *t, int64_t idx) {
    char what[300];
    GgufStr nm;
    snprintf(what, sizeof what, "the name of tensor %lld", (long long)idx);
    if (rd_str(r, &nm, what)) return -1;
    if (nm.n == 0) {
        sw_seterr(r->err, "%s: tensor %lld has an empty name (corrupt file?)", r->path, (long long)idx);
        return -1;
    }
    if (!(t->name = name_copy(r, nm, "tensor name"))) return -1;
    const char *n = t->name;
    snprintf(what, sizeof what, "the shape of tensor %.200s", n);
    uint32_t nd;
    if (rd_u32(r, &nd, what)) return -1;
    if (nd > GGUF_MAX_DIMS) {
        sw_seterr(r->err, "%s: tensor %.200s has %u dimensions (at most %d)", r->path, n, nd, GGUF_MAX_DIMS);
        return -1;
    }
    t->n_dims = (int)nd;
    t->nelem = 1;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    int overflow = 0;
    for (uint32_t d = 0; d < nd; d++) {
        uint64_t v;
        if (rd_u64(r, &v, what)) return -1;
        if (v == 0 || v > (uint64_t)INT64_MAX) {
            sw_seterr(r->err, "%s: tensor %.200s: dimension ne[%u] is %llu (each must be 1..2^63-1; corrupt file?)",
                      r->path, n, d, (unsigned long long)v);
            return -1;
        }
        t->ne[d] = (int64_t)v;
        if (!overflow && (uint64_t)t->nelem > (uint64_t)INT64_MAX / v) overflow = 1;
        if (!overflow) t->nelem *= (int64_t)v;
    }
    if (overflow) {
        sw_seterr(r->err, "%s: tensor %.200s has %u dimensions whose product overflows (ne = %lld x %lld x %lld x %lld; corrupt file?)",
                  r->path, n, nd, (long long)t->ne[0], (long long)t->ne[1], (long long)t->ne[2], (long long)t->ne[3]);
        return -1;
    }
    uint32_t ty;
    snprintf(what, sizeof what, "the type of tensor %.200s", n);
    if (rd_u32(r, &ty, what)) return -1;
    t->type = (int)ty;
    if (!Quant_supported(t->type)) {
        const char *tn = ty <= 1000 ? Quant_name((int)ty) : NULL;
        if (tn)
            sw_seterr(r->err, "%s: tensor %.200s has type %s (%u), which shapewalk does not read (it reads F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K)",
                      r->path, n, tn, ty);
        else
            sw_seterr(r->err, "%s: tensor %.200s has unknown tensor type %u (corrupt file, or a newer ggml type?)", r->path, n, ty);
        return -1;
    }
    int bs = Quant_block_size(t->type);
    if (t->ne[0] % bs != 0) {
        sw_seterr(r->err, "%s: tensor %.200s: rows of %lld weights are not a multiple of %s's block of %d (corrupt file?)",
                  r->path, n, (long long)t->ne[0], Quant_name(t->type), bs);
        return -1;
    }
    size_t rows = (size_t)(t->nelem / t->ne[0]);
    if (Quant_row_bytes(t->type, t->ne[0], &t->row_bytes) != 0 || sw_mul_size(t->row_bytes, rows, &t->nbytes) != 0) {
        sw_seterr(r->err, "%s: tensor %.200s is too large to address (%lld weights of %s)", r->path, n,
                  (long long)t->nelem, Quant_name(t->type));
        return -1;
    }
    snprintf(what, sizeof what, "the offset of tensor %.200s", n);
    return rd_u64(r, &t->offset, what);
}

void Gguf_close(GgufFile *g) {
    if (!g) return;
    for (int64_t i = 0; g->kv && i < g->n_kv; i++) {
        free((char *)g->kv[i].key);
        free((size_t *)g->kv[i].str_off);
    }
    for (int64_t i = 0; g->t && i < g->n_tensors; i++) free((char *)g->t[i].name);
    free(g->kv);
    free(g->t);
    free(g->kv_by_name);
    free(g->t_by_name);
    sw_unmap(&g->map);
    memset(g, 0, sizeof *g);
}

int Gguf_open(GgufFile *g, const char *path, char *err) {
    memset(g, 0, sizeof *g);
    snprintf(g->path, sizeof g->path, "%s", path);
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1) {
        sw_seterr(err, "%s: this machine is big-endian; shapewalk reads GGUF on little-endian machines only", path);
        return -1;
    }
    if (sw_map_file(&g->map, path, err) != 0) return -1;
    Rd r = {path, g->map.data, g->map.len, 0, err};
    const GgufTensor **by_off = NULL;
    if (r.len == 0) {
        sw_seterr(err, "%s: empty file (interrupted download? fetch it again)", path);
        goto fail;
    }
    if (r.len < 4 || memcmp(r.p, "GGUF", 4) != 0) {
        sw_seterr(err, "%s: not a GGUF file (it does not start with \"GGUF\")", path);
        goto fail;
    }
    r.pos = 4;
    if (rd_u32(&r, &g->version, "the version")) goto fail;
    if (g->version != 2 && g->version != 3) {
        if (g->version >= 0x01000000u && (g->version & 0xFFFFu) == 0)
            sw_seterr(err, "%s: a big-endian GGUF file (version %u byte-swapped); shapewalk reads little-endian GGUF v2 or v3",
                      path, (unsigned)(((g->version >> 24) & 0xFF) | ((g->version >> 8) & 0xFF00)));
        else
            sw_seterr(err, "%s: GGUF version %u is not supported (GGUF v2 or v3 expected)", path, g->version);
        goto fail;
    }
    uint64_t nt, nkv;
    if (rd_u64(&r, &nt, "the tensor count") || rd_u64(&r, &nkv, "the key count")) goto fail;
    /* a key/value takes at least 13 bytes (name length, type, a u8); a tensor info 24 */
    size_t left = r.len - r.pos;
    if (nkv > left / 13) {
        sw_seterr(err, "%s: the header says %llu keys, more than the %zu bytes left in the file can hold (truncated or corrupt file?)",
                  path, (unsigned long long)nkv, left);
        goto fail;
    }
    if (nt > left / 24) {
        sw_seterr(err, "%s: the header says %llu tensors, more than the %zu bytes left in the file can hold (truncated or corrupt file?)",
                  path, (unsigned long long)nt, left);
        goto fail;
    }
    g->kv = sw_calloc((size_t)nkv + 1, sizeof *g->kv, "GGUF keys", err);
    g->t = sw_calloc((size_t)nt + 1, sizeof *g->t, "GGUF tensor infos", err);
    g->kv_by_name = sw_calloc((size_t)nkv + 1, sizeof *g->kv_by_name, "GGUF keys", err);
    g->t_by_name = sw_calloc((size_t)nt + 1, sizeof *g->t_by_name, "GGUF tensor infos", err);
    if (!g->kv || !g->t || !g->kv_by_name || !g->t_by_name) goto fail;

    for (uint64_t i = 0; i < nkv; i++) {
        GgufKV *kv = &g->kv[i];
        GgufStr k;
        char what[64];
        snprintf(what, sizeof what, "the name of key %llu", (unsigned long long)i);
        if (rd_str(&r, &k, what)) goto fail;
        if (!(kv->key = name_copy(&r, k, "key name"))) goto fail;
        g->n_kv++;
        uint32_t ty;
        char w2[300];
        snprintf(w2, sizeof w2, "the type of key %.200s", kv->key);
        if (rd_u32(&r, &ty, w2)) goto fail;
        if (ty > GGUF_F64) {
            sw_seterr(err, "%s: key %.200s has unknown value type %u (corrupt file, or a newer GGUF?)", path, kv->key, ty);
            goto fail;
        }
        kv->type = (int)ty;
        if (parse_value(&r, kv)) goto fail;
        g->kv_by_name[i] = kv;
    }
    qsort(g->kv_by_name, (size_t)g->n_kv, sizeof *g->kv_by_name, cmp_kv);
    for (int64_t i = 1; i < g->n_kv; i++)
        if (strcmp(g->kv_by_name[i - 1]->key, g->kv_by_name[i]->key) == 0) {
            sw_seterr(err, "%s: key %.200s appears twice (corrupt file?)", path, g->kv_by_name[i]->key);
            goto fail;
        }

    g->alignment = GGUF_DEFAULT_ALIGNMENT;
    const GgufKV *al = Gguf_find_key(g, "general.alignment");
    if (al) {
        uint32_t a = 0;
        if (Gguf_get_u32(g, "general.alignment", &a, err) != GGUF_OK) goto fail;
        if (a == 0 || (a & (a - 1)) != 0) {
            sw_seterr(err, "%s: key general.alignment is %u, not a power of two (corrupt file?)", path, a);
            goto fail;
        }
        g->alignment = a;
    }

    for (uint64_t i = 0; i < nt; i++) {
        GgufTensor *t = &g->t[i];
        int rc = parse_tensor_info(&r, t, (int64_t)i);
        if (t->name) g->n_tensors++;
        if (rc) goto fail;
        g->t_by_name[i] = t;
    }
    qsort(g->t_by_name, (size_t)g->n_tensors, sizeof *g->t_by_name, cmp_t);
    for (int64_t i = 1; i < g->n_tensors; i++)
        if (strcmp(g->t_by_name[i - 1]->name, g->t_by_name[i]->name) == 0) {
            sw_seterr(err, "%s: tensor %.200s appears twice (corrupt file?)", path, g->t_by_name[i]->name);
            goto fail;
        }

    /* the data section starts at the next multiple of the alignment */
    size_t pad = (g->alignment - r.pos % g->alignment) % g->alignment;
    g->data_offset = r.pos + pad;
    if (g->n_tensors == 0) return 0;
    if (pad > r.len - r.pos) {
        sw_seterr(err, "%s: truncated: the data section would start at byte %zu but the file has %zu bytes (interrupted download? fetch it again)",
                  path, g->data_offset, r.len);
        goto fail;
    }
    size_t data_len = r.len - g->data_offset;
    for (int64_t i = 0; i < g->n_tensors; i++) {
        GgufTensor *t = &g->t[i];
        if (t->offset % g->alignment != 0) {
            sw_seterr(err, "%s: tensor %.200s: offset %llu is not a multiple of the alignment %u (corrupt file?)",
                      path, t->name, (unsigned long long)t->offset, g->alignment);
            goto fail;
        }
        if (t->offset > data_len || t->nbytes > data_len - (size_t)t->offset) {
            sw_seterr(err, "%s: tensor %.200s (%zu bytes at offset %llu of the data) ends past the end of the file's %zu bytes of data (truncated download? fetch it again)",
                      path, t->name, t->nbytes, (unsigned long long)t->offset, data_len);
            goto fail;
        }
        t->data = g->map.data + g->data_offset + t->offset;
    }
    /* no two tensors share bytes: by offset, each starts at or after every earlier end */
    by_off = malloc((size_t)g->n_tensors * sizeof *by_off);
    if (!by_off) { sw_seterr(err, "%s: out of memory checking the tensors", path); goto fail; }
    for (int64_t i = 0; i < g->n_tensors; i++) by_off[i] = &g->t[i];
    qsort(by_off, (size_t)g->n_tensors, sizeof *by_off, cmp_t_off);
    const GgufTensor *far = by_off[0];
    for (int64_t i = 1; i < g->n_tensors; i++) {
        const GgufTensor *t = by_off[i];
        if (t->offset < far->offset + far->nbytes) {
            sw_seterr(err, "%s: tensors %.200s and %.200s overlap (data bytes %llu..%llu and %llu..%llu; corrupt file?)",
                      path, far->name, t->name, (unsigned long long)far->offset,
                      (unsigned long long)(far->offset + far->nbytes), (unsigned long long)t->offset,
                      (unsigned long long)(t->offset + t->nbytes));
            goto fail;
        }
        if (t->offset + t->nbytes > far->offset + far->nbytes) far = t;
    }
    free(by_off);
    return 0;

fail:
    free(by_off);
    Gguf_close(g);
    return -1;
}
