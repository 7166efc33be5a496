/* sw.h - things every engine file shares: the error convention and limits.
 *
 * Errors: a function that can fail takes `char *err` (SW_ERR_LEN bytes) and returns
 * -1 (or NULL) after writing ONE line into it that names the file or value and says
 * what to do, e.g.
 *   "model.safetensors: tensor h.0.attn.c_attn.weight ends at byte 9000 but the file has 8000 bytes (truncated download? fetch it again)"
 * On success it returns 0 (or a non-NULL pointer) and leaves err alone.
 */
#ifndef SW_H
#define SW_H

#include <stddef.h>
#include <stdint.h>

#define SW_ERR_LEN 512
#define SW_MAX_B 8          /* most prompts in one batch */
#define SW_VERSION "0.1.0"

/* printf into err (truncating safely; control bytes written as \xNN). err may be NULL. */
void sw_seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* checked size arithmetic: return 0 and set *out, or -1 on overflow */
int sw_mul_size(size_t a, size_t b, size_t *out);
int sw_add_size(size_t a, size_t b, size_t *out);

/* allocation that reports failure through err ("out of memory allocating N MB for WHAT") */
void *sw_calloc(size_t n, size_t size, const char *what, char *err);

/* A read-only memory-mapped file. */
typedef struct {
    const uint8_t *data;
    size_t len;
} SwMap;
int sw_map_file(SwMap *m, const char *path, char *err);   /* empty files map to len 0, data NULL */
/* Map an open regular file (fd stays open and the caller's); path is for errors. */
int sw_map_fd(SwMap *m, int fd, const char *path, char *err);
void sw_unmap(SwMap *m);

/* Read a whole (small) file into a NUL-terminated malloc'd buffer. */
char *sw_read_file(const char *path, size_t *len, size_t max_len, char *err);

/* 1 if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). On failure
 * *bad_at (if non-NULL) gets the byte offset of the first bad sequence. */
int sw_utf8_valid(const char *s, size_t n, size_t *bad_at);

/* A malloc'd NUL-terminated copy of s[0..n) with each byte that is not part of valid UTF-8
 * replaced by U+FFFD (for JSON and screens). NULL on OOM. */
char *sw_utf8_repair(const char *s, size_t n);

/* Parse text[0..len) (a whole file, path for messages) as exactly one JSON value, stricter than
 * cJSON alone: a NUL byte, anything but whitespace after the value, and a key given twice in
 * any object are errors (which of two values is meant cannot be known), and so is a number too
 * large for a double (1e999). NULL with err on failure;
 * free with cJSON_Delete. */
struct cJSON;
struct cJSON *sw_json_parse(const char *text, size_t len, const char *path, char *err);
/* The first key that appears twice in one object in v (at any depth), or NULL. *oom is set to 1
 * when memory ran out (then NULL). */
const char *sw_json_dup_key(const struct cJSON *v, int *oom);

/* s as it goes into a one-line message: its first 40 characters, then "\u2026" when longer;
 * bytes that are not valid UTF-8, and control bytes, written as \xNN. Returns out. */
#define SW_SHORT_LEN 200
const char *sw_short(const char *s, char out[SW_SHORT_LEN]);

#endif
