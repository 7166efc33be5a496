/* npy.h - any station's tensor as a NumPy file (--save STATION --npy FILE, --save all --npz FILE).
 *
 * .npy (NumPy's format 1.0): the magic "\x93NUMPY", version 1.0, a little-endian u16 header
 * length, a Python-dict header {'descr': '<f4', 'fortran_order': False, 'shape': (B, T, D), }
 * padded with spaces to a multiple of 64 bytes and ended by '\n', then the values in C order,
 * little-endian float32 (station 0's token ids: int32). Shapes are the walk's: (B,T,D),
 * (B,h,T,d), (B,h,T,T), (B,T,F), (B,T,V); padded positions (t >= a row's length) are 0
 * (ids: -1), the causal mask station (3.l.e) holds -inf above the diagonal.
 * .npz: an uncompressed ZIP (method 0, "stored", with each member's CRC-32) of .npy files named
 * after the stations, "3.1.f.npy"; np.load(FILE)["3.1.f"] reads one.
 *
 * A station with several tensors names each by its symbol: "3.1.b" is q (the walk's first),
 * "3.1.b.k" and "3.1.b.v" the others; "all" is every station with every tensor.
 * Files are written to a new name beside the destination (O_CREAT | O_EXCL | O_NOFOLLOW) and
 * renamed over it, so a planted link is never written through; a destination that is a
 * symbolic link is refused. */
#ifndef SW_NPY_H
#define SW_NPY_H

#include "engine/trace.h"

/* What one save wrote: an array's name ("3.2.f", "3.1.b.k"), shape and type. */
typedef struct {
    char name[32];
    int ndim;
    int dims[4];
    int is_int;       /* 1: int32 token ids (station 0), 0: float32 */
} SavedArray;

/* Check spec ("3.2.f", "3.1.b.k", "5", "all") against the model before running anything;
 * npz: the file is an .npz (all needs one). 0, or -1 with err (one line, what to do). */
int Npy_check(const Model *m, const char *spec, int npz, char *err);

/* Write spec's tensor(s) from trace t to path (.npy, or .npz when npz). On success returns
 * the number of arrays and *out (malloc'd, caller frees) describes them; -1 with err. */
int Npy_save(Trace *t, const char *spec, const char *path, int npz, SavedArray **out, char *err);

/* CRC-32 (ZIP's: reflected polynomial 0xEDB88320), continuing from crc (0 to start). */
unsigned long Npy_crc32(unsigned long crc, const void *data, size_t n);

#endif
