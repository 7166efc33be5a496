/* fuzz_common.h - what the libFuzzer targets share: a scratch folder on tmpfs, the tiny
 * models of fuzz_tiny.h, checks on error messages and tokenizers, and a forward pass over
 * whatever model a target managed to open.
 *
 * fuzz_common.c also wraps sw_map_file/sw_unmap (linked with -Wl,--wrap=...): each mapped
 * file is copied into a malloc'd block of exactly its length, so AddressSanitizer sees a
 * read one byte past the end of a file (a plain mapping would hide it in the page's slack).
 */
#ifndef SW_FUZZ_COMMON_H
#define SW_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "engine/model.h"
#include "fuzz/fuzz_tiny.h"

/* Abort with a message (a finding) when cond is false. */
#define FZ_ASSERT(cond, ...) do { if (!(cond)) fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); } while (0)
void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));

/* A private scratch folder ($FUZZ_TMP, else /dev/shm, else /tmp), removed at exit. */
const char *fz_dir(void);
/* A failed open's err: non-empty, naming `names` (a path or file name; NULL: any), one line
 * without terminal control characters (a hostile file must not drive the terminal; env
 * FUZZ_ERR_BYTES=0 skips this last check). */
void fz_check_err(const char *err, const char *names);

/* ---- after a successful open ---- */
/* Check the model's invariants and run a small batch through the forward pass, every
 * station's tensor view, top-k, logit lens and one generated token. Aborts on a broken
 * invariant; engine errors (out of budget, context) are fine. small_budget: a 1-byte trace
 * budget, so every inner step is recomputed on demand. */
void fz_exercise_model(Model *m, int small_budget);
/* Labels/symbols of every id must be printable UTF-8 and fit. */
void fz_check_tokenizer(const Tokenizer *t);
/* Encode text: invalid UTF-8 or NUL must be refused with a clean one-line error (returns 0);
 * valid text must be encoded (returns 1 with *ids, *n set; caller frees ids). */
int fz_encode(const Tokenizer *t, const char *text, size_t size, int **ids, int *n);

#endif
