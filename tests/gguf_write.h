/* gguf_write.h - the tests' bytes-in-memory writer for GGUF files (little-endian, ggml's
 * layout: see engine/gguf.h): test_gguf.c builds malformed files with it, test_gguf_models.c
 * rewrites a real file with one thing changed. Include after the standard headers. */
#ifndef SW_TESTS_GGUF_WRITE_H
#define SW_TESTS_GGUF_WRITE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *p; size_t n, cap; } Buf;
static inline void put(Buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static inline void u8(Buf *b, uint8_t v) { put(b, &v, 1); }
static inline void u32(Buf *b, uint32_t v) { for (int i = 0; i < 4; i++) u8(b, (uint8_t)(v >> (8 * i))); }
static inline void u64(Buf *b, uint64_t v) { for (int i = 0; i < 8; i++) u8(b, (uint8_t)(v >> (8 * i))); }
/* a GGUF string: u64 length, then the bytes (no NUL) */
static inline void strn(Buf *b, const char *s, size_t n) { u64(b, n); put(b, s, n); }
static inline void str(Buf *b, const char *s) { strn(b, s, strlen(s)); }
/* a key and its value's type; the value follows */
static inline void key(Buf *b, const char *k, uint32_t type) { str(b, k); u32(b, type); }

#endif
