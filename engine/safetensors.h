/* safetensors.h - a checked reader for Hugging Face .safetensors files.
 *
 * Layout: u64 little-endian N, then N bytes of JSON
 *   {"name": {"dtype": "F32", "shape": [V, D], "data_offsets": [begin, end]}, ...,
 *    "__metadata__": {...}}
 * then the data area; offsets are relative to its start (byte 8 + N).
 *
 * SafeTensors_open maps the file and validates every tensor before anything is read:
 * header length within the file and below 100 MB, a JSON object, known dtype (F32, F16,
 * BF16; anything else is "unsupported dtype"), shape entries non-negative integers,
 * element count * element size without overflow, 0 <= begin <= end <= data size,
 * end - begin == bytes of the shape, no two tensors overlapping, no duplicate names.
 * Misaligned F32 data is allowed here; SafeTensors_f32_direct() says whether a tensor can
 * be used in place (model_gpt2.c copies the ones that cannot).
 */
#ifndef SW_SAFETENSORS_H
#define SW_SAFETENSORS_H

#include "sw.h"

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER (100u * 1000u * 1000u)

typedef enum { ST_F32 = 1, ST_F16 = 2, ST_BF16 = 3 } StDtype;

typedef struct {
    char *name;
    StDtype dtype;
    int ndim;
    size_t shape[ST_MAX_DIMS];
    size_t nelem;            /* product of shape (1 for a scalar) */
    const uint8_t *data;     /* into the mapping (may be unaligned for F32) */
    size_t nbytes;
    size_t offset;           /* absolute byte offset of data in the file */
} StTensor;

typedef struct {
    char path[4096];
    SwMap map;
    StTensor *t;             /* sorted by name */
    int n;
    int f32_finite;          /* 1: every F32 tensor is known to hold no NaN or Inf (checked when
                                the cached aligned copy was made; 0: not known) */
} SafeTensors;

/* Map and validate `path`. On failure returns -1 with err naming path (and the tensor). */
int SafeTensors_open(SafeTensors *st, const char *path, char *err);
void SafeTensors_close(SafeTensors *st);

/* The tensor called name, or NULL. */
const StTensor *SafeTensors_find(const SafeTensors *st, const char *name);

/* 1 if the tensor is F32 and 4-byte aligned in memory, i.e. usable as const float * in place. */
int SafeTensors_f32_direct(const StTensor *t);

/* Convert a tensor's nelem values to F32 into out (any dtype, any alignment). */
void SafeTensors_to_f32(const StTensor *t, float *out);

/* __metadata__ of shapewalk's own aligned copies: the Conv1D matrices are stored (out,in). */
#define ST_LAYOUT_KEY "shapewalk_layout"
#define ST_LAYOUT_T "conv1d_transposed"

/* 1 when the file is large (8 MB or more) and some F32 tensor is not 4-byte aligned in the
 * mapping (the data area starts at an odd offset, as in Hugging Face's gpt2 model.safetensors). */
int SafeTensors_needs_alignment(const SafeTensors *st);
/* Replace st by a copy of its file whose header is padded so the data is 64-byte aligned,
 * written once into the cache folder ($SHAPEWALK_CACHE, else $XDG_CACHE_HOME/shapewalk, else
 * ~/.cache/shapewalk) and reused while the original keeps its path, size and time. On
 * failure st is unchanged and err says why (the caller may then copy tensors to memory). */
int SafeTensors_reopen_aligned(SafeTensors *st, char *out_path, size_t cap, char *err);

/* "F32" / "F16" / "BF16" */
const char *SafeTensors_dtype_name(StDtype d);


#endif
