/* gguf.h - a checked, memory-mapped reader for GGUF files (llama.cpp / ggml's format).
 *
 * Layout (little-endian; ggml's docs/gguf.md):
 *   "GGUF", u32 version (2 or 3), u64 tensor count, u64 key/value count,
 *   key/values: string key, u32 value type, value
 *     (string = u64 length + bytes, no NUL; array = u32 element type, u64 count, elements),
 *   tensor infos: string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset,
 *   padding to `general.alignment` (a u32 power of two, default 32), then the data section;
 *   a tensor's offset is relative to the data section's start.
 * ne[0] is the contiguous row length: a PyTorch (rows, cols) matrix has ne = {cols, rows}.
 *
 * Gguf_open maps the file (nothing is copied but the names) and checks, before returning:
 * magic, version (1 and others refused by number; big-endian files refused), every count
 * (keys, tensors, array lengths) and string length against the bytes left in the file (so a
 * count of 2^40 fails at once, without a large allocation), value types known (nested arrays
 * refused), no duplicate key or tensor names, names without NUL bytes, `general.alignment`
 * an integer power of two, n_dims <= 4, every ne > 0 and their product (and the byte size)
 * without overflow, the tensor type one shapewalk reads (quant.h: unknown ids and ggml types
 * shapewalk does not read are refused by number and name), ne[0] a multiple of the type's
 * block size, every offset aligned and inside the data section with the whole tensor, and no
 * two tensors overlapping. Each violation is a one-line error naming the file, the key or
 * tensor, and what is wrong; a truncated file always fails cleanly.
 *
 * Pointers (GgufStr.p, GgufKV.data, GgufTensor.data) point into the mapping and live until
 * Gguf_close. String bytes are NOT NUL-terminated (use the length); key and tensor names are
 * NUL-terminated copies. Tensor data is at an offset aligned to `alignment` from a page-aligned
 * mapping, so F32 data is 4-byte aligned when alignment >= 4 (the kernels in quant.h accept
 * any alignment anyway).
 *
 * Use:
 *   GgufFile g;
 *   char err[SW_ERR_LEN];
 *   if (Gguf_open(&g, path, err) != 0) { fprintf(stderr, "%s\n", err); exit(1); }
 *   uint32_t D;
 *   if (Gguf_get_u32(&g, "llama.embedding_length", &D, err) != GGUF_OK) ... err says why
 *   const GgufTensor *e = Gguf_find_tensor(&g, "token_embd.weight");     ne = {D, V}
 *   Quant_dot_rows(e->type, e->data, e->row_bytes, (int)e->ne[1], x, e->ne[0], logits);
 *   Gguf_close(&g);
 */
#ifndef SW_GGUF_H
#define SW_GGUF_H

#include "sw.h"

/* metadata value types (gguf.md's numbering) */
typedef enum {
    GGUF_U8 = 0, GGUF_I8 = 1, GGUF_U16 = 2, GGUF_I16 = 3, GGUF_U32 = 4, GGUF_I32 = 5,
    GGUF_F32 = 6, GGUF_BOOL = 7, GGUF_STR = 8, GGUF_ARR = 9, GGUF_U64 = 10, GGUF_I64 = 11,
    GGUF_F64 = 12
} GgufType;

#define GGUF_MAX_DIMS 4
#define GGUF_DEFAULT_ALIGNMENT 32

/* bytes in the mapping, NOT NUL-terminated */
typedef struct {
    const char *p;
    size_t n;
} GgufStr;

typedef struct {
    const char *key;        /* NUL-terminated copy */
    int type;               /* GgufType */
    int arr_type;           /* element type when type == GGUF_ARR, else -1 */
    uint64_t n;             /* element count of an array; 1 for a scalar or a string */
    const uint8_t *data;    /* into the mapping: the scalar's bytes, a string's first byte, an
                               array's first element (for arrays of strings: its u64 length) */
    size_t len;             /* a string's length; an array's bytes; a scalar's size */
    const size_t *str_off;  /* arrays of strings: offset in the file of each element's length prefix */
} GgufKV;

typedef struct {
    const char *name;       /* NUL-terminated copy */
    int type;               /* ggml type id (QuantType in quant.h) */
    int n_dims;             /* 1..4 (0: a scalar) */
    int64_t ne[GGUF_MAX_DIMS];  /* ne[0] = row length; unused dims are 1 */
    int64_t nelem;          /* product of ne */
    uint64_t offset;        /* in the data section (as stored) */
    const void *data;       /* into the mapping */
    size_t nbytes;
    size_t row_bytes;       /* bytes of one row of ne[0] weights */
} GgufTensor;

typedef struct {
    char path[4096];
    SwMap map;
    uint32_t version;
    uint32_t alignment;
    size_t data_offset;     /* start of the data section in the file */
    GgufKV *kv;             /* in file order */
    int64_t n_kv;
    GgufTensor *t;          /* in file order */
    int64_t n_tensors;
    const GgufKV **kv_by_name;      /* sorted by key (for lookups) */
    const GgufTensor **t_by_name;   /* sorted by name */
} GgufFile;

/* Map and validate path. On failure returns -1, err names the file and the problem. */
int Gguf_open(GgufFile *g, const char *path, char *err);
void Gguf_close(GgufFile *g);

/* "u8" "i8" "u16" "i16" "u32" "i32" "f32" "bool" "string" "array" "u64" "i64" "f64"; "?" else */
const char *Gguf_type_name(int type);

/* The key's entry, or NULL. */
const GgufKV *Gguf_find_key(const GgufFile *g, const char *key);
/* The tensor called name, or NULL. */
const GgufTensor *Gguf_find_tensor(const GgufFile *g, const char *name);

/* Typed getters. Each returns GGUF_OK (and sets *out), GGUF_MISSING, GGUF_WRONG_TYPE (the
 * key holds another type) or GGUF_RANGE (an integer that does not fit); on anything but
 * GGUF_OK, err (if non-NULL) gets one line naming the file and key, e.g.
 *   "m.gguf: key llama.embedding_length is a string, expected an integer". */
enum { GGUF_OK = 0, GGUF_MISSING = 1, GGUF_WRONG_TYPE = 2, GGUF_RANGE = 3 };
/* integers: any integer type whose value fits (files use u32 for some keys, i32 for others) */
int Gguf_get_u32(const GgufFile *g, const char *key, uint32_t *out, char *err);
int Gguf_get_i32(const GgufFile *g, const char *key, int32_t *out, char *err);
int Gguf_get_u64(const GgufFile *g, const char *key, uint64_t *out, char *err);
int Gguf_get_i64(const GgufFile *g, const char *key, int64_t *out, char *err);
/* f32 or f64 (f64 rounded to float) */
int Gguf_get_f32(const GgufFile *g, const char *key, float *out, char *err);
int Gguf_get_bool(const GgufFile *g, const char *key, int *out, char *err);
/* *out points into the mapping, NOT NUL-terminated */
int Gguf_get_str(const GgufFile *g, const char *key, GgufStr *out, char *err);
/* An array: *elem_type and *n of the array (either may be NULL), *kv (may be NULL) its entry
 * for the element accessors below. */
int Gguf_get_arr(const GgufFile *g, const char *key, int *elem_type, uint64_t *n, const GgufKV **kv, char *err);

/* Elements of an array entry (i < kv->n). Each returns 0, or -1 when kv is not an array of a
 * fitting type or i is out of range. */
int Gguf_arr_i64(const GgufKV *kv, uint64_t i, int64_t *out);   /* integer or bool elements (u64 above INT64_MAX: -1) */
int Gguf_arr_f32(const GgufKV *kv, uint64_t i, float *out);     /* f32, f64 or integer elements */
int Gguf_arr_str(const GgufKV *kv, uint64_t i, GgufStr *out);   /* string elements, into the mapping */

/* A scalar value as a number: integers and bools exactly (u64 above 2^53 rounded), floats.
 * -1 when kv is a string or an array. */
int Gguf_kv_number(const GgufKV *kv, double *out);

/* The value on one line into buf (NUL-terminated, cut to cap with "..."), for dumps and
 * messages: 64 | -3 | 1e-05 | true | "llama" | [2000 strings: "!", "\"", "#", ...] |
 * [3 f32: 0, -1.5, 2.25]. Strings are quoted, with '"', '\', control bytes (C0, DEL, C1)
 * and bytes that are not valid UTF-8 escaped (\n, \xNN), so the line is safe to print on a
 * terminal; at most the first 8 array elements are shown. Returns buf. */
char *Gguf_kv_format(const GgufKV *kv, char *buf, size_t cap);

#endif
