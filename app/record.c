/* record.c - reading and writing demo files (app/record.h): the format is described there. */
#include "app/record.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void Demo_init(Demo *d) {
    memset(d, 0, sizeof *d);
    d->large = d->tour = d->contrast = -1;
    d->temperature = d->top_p = -1;
    d->sample_top_k = -1;
}

void Demo_free(Demo *d) {
    for (int i = 0; i < d->n_prompts; i++) free(d->prompts[i]);
    free(d->model);
    free(d->keys);
    Demo_init(d);
}

int Demo_add_key(Demo *d, int code, int line) {
    if (d->n_keys >= DEMO_MAX_KEYS) return -1;
    if (d->n_keys == d->cap_keys) {
        int nc = d->cap_keys ? d->cap_keys * 2 : 64;
        DemoKey *nk = realloc(d->keys, sizeof *nk * (size_t)nc);
        if (!nk) return -1;
        d->keys = nk;
        d->cap_keys = nc;
    }
    d->keys[d->n_keys].code = code;
    d->keys[d->n_keys].line = line;
    d->n_keys++;
    return 0;
}

int Demo_add_prompt(Demo *d, const char *text) {
    if (d->n_prompts >= SW_MAX_B) return -1;
    char *s = strdup(text);
    if (!s) return -1;
    d->prompts[d->n_prompts++] = s;
    return 0;
}

/* ---- key names ---- */

static const struct { int code; const char *name; } NAMES[] = {
    {DK_RIGHT, "right"}, {DK_LEFT, "left"}, {DK_UP, "up"}, {DK_DOWN, "down"}, {DK_ENTER, "enter"},
    {DK_ESC, "esc"}, {DK_TAB, "tab"}, {DK_BTAB, "btab"}, {DK_BACKSPACE, "backspace"}, {DK_PGUP, "pgup"},
    {DK_PGDN, "pgdn"}, {DK_HOME, "home"}, {DK_END, "end"}, {DK_F1, "f1"}, {DK_DELETE, "delete"}, {' ', "space"}, {'#', "hash"},
};
#define N_NAMES ((int)(sizeof NAMES / sizeof *NAMES))

void Demo_key_name(int code, char *buf, size_t cap) {
    for (int i = 0; i < N_NAMES; i++)
        if (NAMES[i].code == code) { snprintf(buf, cap, "%s", NAMES[i].name); return; }
    if (code > ' ' && code < 127) snprintf(buf, cap, "%c", code);
    else snprintf(buf, cap, "U+%04X", (unsigned)code);
}

int Demo_key_from_name(const char *name) {
    for (int i = 0; i < N_NAMES; i++)
        if (strcmp(NAMES[i].name, name) == 0) return NAMES[i].code;
    if (name[0] > ' ' && name[0] < 127 && name[1] == 0) return name[0];
    if ((name[0] == 'U' || name[0] == 'u') && name[1] == '+') {
        char *end;
        const char *h = name + 2;
        size_t nh = strlen(h);
        if (nh < 4 || nh > 6 || strspn(h, "0123456789abcdefABCDEF") != nh) return -1;
        long v = strtol(h, &end, 16);
        if (*end || v <= 0 || v >= 0x110000 || (v >= 0xD800 && v <= 0xDFFF)) return -1;
        return (int)v;
    }
    return -1;
}

/* ---- UTF-8 ---- */

/* The character at s (n bytes left): its code and length in *len; -1 when not UTF-8
 * (a stray continuation byte, a cut sequence, an overlong form, a surrogate, > U+10FFFF). */
static int utf8_next(const unsigned char *s, size_t n, int *len) {
    unsigned c = s[0];
    if (c < 0x80) { *len = 1; return (int)c; }
    int k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (!k || c > 0xF4 || (size_t)k > n) return -1;
    unsigned v = c & (0xFF >> (k + 1));
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const unsigned minv[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < minv[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return -1;
    *len = k;
    return (int)v;
}

/* ---- reading ---- */

static int fail(char *err, size_t cap, const char *name, int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t cap, const char *name, int line, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0) snprintf(err, cap, "%s line %d: %s", name, line, what);
    else snprintf(err, cap, "%s: %s", name, what);
    for (char *p = err; *p; p++)   /* a quoted tab (the only control character a line may hold) */
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    return -1;
}

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The escape a prompt line may hold at s: \n \r \t \\, and \xHH for a control character (01-1f,
 * 7f; \x00 and any other \xHH are text, so a prompt is a C string and stays UTF-8). Returns its
 * length in the file (2 or 4) and the byte it stands for in *c, or 0 where s starts none. */
static int escape_at(const char *s, char *c) {
    if (s[0] != '\\') return 0;
    switch (s[1]) {
    case 'n': *c = '\n'; return 2;
    case 'r': *c = '\r'; return 2;
    case 't': *c = '\t'; return 2;
    case '\\': *c = '\\'; return 2;
    case 'x': {
        int h = hexval(s[2]), l = h >= 0 ? hexval(s[3]) : -1;
        if (l < 0) return 0;
        int v = h * 16 + l;
        if (!((v > 0 && v < 0x20) || v == 0x7f)) return 0;
        *c = (char)v;
        return 4;
    }
    default: return 0;
    }
}

/* a prompt's text with its escapes decoded (other backslashes stay) into out (at least n+1
 * bytes; a decoding is never longer than its escape) */
static void unescape(const char *s, char *out) {
    while (*s) {
        char c;
        int k = escape_at(s, &c);
        if (k) { *out++ = c; s += k; }
        else *out++ = *s++;
    }
    *out = 0;
}

int Demo_station_syntax(const char *v) {
    const char *p = v;
    if (!(*p >= '0' && *p <= '7')) return 0;
    if (p[1] == 0) return 1;
    if (*p != '3' || p[1] != '.') return 0;
    p += 2;
    if (!(*p >= '1' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9' && p - v < 8) p++;
    if (*p == 0) return 1;
    return *p == '.' && p[1] >= 'a' && p[1] <= 'k' && p[2] == 0;
}

static int parse_onoff(const char *v, int *out) {
    if (strcmp(v, "on") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0) { *out = 1; return 0; }
    if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0) { *out = 0; return 0; }
    return -1;
}

static int parse_num(const char *v, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno == ERANGE || !(x >= lo && x <= hi)) return -1;
    *out = x;
    return 0;
}

/* one line (NUL-terminated, no newline); in_keys: past the `keys` line */
static int parse_line(Demo *d, char *s, int line, int *in_keys, const char *name, char *err, size_t cap) {
    /* leading spaces are skipped, except in a prompt's text */
    while (*s == ' ' || *s == '\t') s++;
    if (!*s || *s == '#') return 0;
    if (*in_keys) {
        if (strncmp(s, "type ", 5) == 0) {
            const unsigned char *p = (const unsigned char *)s + 5;
            size_t n = strlen((const char *)p);
            while (n > 0) {
                int len, c = utf8_next(p, n, &len);
                if (c < 32 || c == 127) return fail(err, cap, name, line, "`type` takes printable text (a control character is in it)");
                if (Demo_add_key(d, c, line) != 0) return fail(err, cap, name, line, "more than %d keys", DEMO_MAX_KEYS);
                p += len;
                n -= (size_t)len;
            }
            return 0;
        }
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
        int c = Demo_key_from_name(s);
        if (c < 0) return fail(err, cap, name, line, "'%.40s' is not a key; use a name (right left up down enter esc tab space backspace ...), one character, U+XXXX, or type TEXT", s);
        if (Demo_add_key(d, c, line) != 0) return fail(err, cap, name, line, "more than %d keys", DEMO_MAX_KEYS);
        return 0;
    }
    char *v = strchr(s, ' ');
    if (v) *v++ = 0;
    else v = s + strlen(s);
    if (strcmp(s, "prompt") == 0) {
        if (d->n_prompts >= SW_MAX_B) return fail(err, cap, name, line, "more than %d prompts (a batch holds at most %d)", SW_MAX_B, SW_MAX_B);
        char *t = malloc(strlen(v) + 1);
        if (!t) return fail(err, cap, name, line, "out of memory");
        unescape(v, t);
        if (strlen(t) > DEMO_PROMPT_MAX) {
            free(t);
            return fail(err, cap, name, line, "a prompt over %d bytes; a demo holds prompts up to %d bytes", DEMO_PROMPT_MAX, DEMO_PROMPT_MAX);
        }
        d->prompts[d->n_prompts++] = t;
        return 0;
    }
    if (strcmp(s, "keys") == 0 && !*v) { *in_keys = 1; return 0; }
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) v[--n] = 0;
    double x;
    int on;
    if (strcmp(s, "model") == 0) {
        if (!*v) return fail(err, cap, name, line, "`model` needs a name or path");
        free(d->model);
        if (!(d->model = strdup(v))) return fail(err, cap, name, line, "out of memory");
    } else if (strcmp(s, "station") == 0) {
        if (strlen(v) >= sizeof d->station || !Demo_station_syntax(v))
            return fail(err, cap, name, line, "`station %.20s` is not a station number (0..7, 3.N, 3.N.a..k)", v);
        snprintf(d->station, sizeof d->station, "%s", v);
    } else if (strcmp(s, "top-k") == 0) {
        if (parse_num(v, 1, 64, &x) || x != (int)x) return fail(err, cap, name, line, "`top-k %.20s`: give a whole number from 1 to 64", v);
        d->top_k = (int)x;
    } else if (strcmp(s, "large") == 0 || strcmp(s, "tour") == 0 || strcmp(s, "contrast") == 0) {
        if (parse_onoff(v, &on)) return fail(err, cap, name, line, "`%s %.20s`: give on or off", s, v);
        if (s[0] == 'l') d->large = on; else if (s[0] == 't') d->tour = on; else d->contrast = on;
    } else if (strcmp(s, "temperature") == 0) {
        if (parse_num(v, 0, 100, &x)) return fail(err, cap, name, line, "`temperature %.20s`: give a number from 0 to 100", v);
        d->temperature = (float)x;
    } else if (strcmp(s, "top-p") == 0) {
        if (parse_num(v, 0, 1, &x)) return fail(err, cap, name, line, "`top-p %.20s`: give a number from 0 to 1", v);
        d->top_p = (float)x;
    } else if (strcmp(s, "sample-top-k") == 0) {
        if (parse_num(v, 0, 1000000, &x) || x != (int)x) return fail(err, cap, name, line, "`sample-top-k %.20s`: give a whole number from 0", v);
        d->sample_top_k = (int)x;
    } else if (strcmp(s, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long sd = strtoull(v, &end, 10);
        if (!*v || *end || v[0] == '-' || errno == ERANGE) return fail(err, cap, name, line, "`seed %.30s`: give a whole number", v);
        d->seed = sd ? sd : 1;
    } else {
        return fail(err, cap, name, line, "'%.40s' is not a demo line; lines are prompt, model, station, top-k, large, tour, contrast, temperature, top-p, sample-top-k, seed, then keys", s);
    }
    return 0;
}

int Demo_parse(Demo *d, const char *text, size_t n, const char *name, char *err, size_t cap) {
    if (n > DEMO_FILE_MAX) { fail(err, cap, name, 0, "over %zu bytes; a demo is a short text file", DEMO_FILE_MAX); Demo_free(d); return -1; }
    char *buf = malloc(DEMO_LINE_MAX + 1);
    if (!buf) { fail(err, cap, name, 0, "out of memory"); Demo_free(d); return -1; }
    int line = 0, in_keys = 0, rc = 0;
    size_t i = 0;
    while (i < n && rc == 0) {
        line++;
        size_t j = i;
        while (j < n && text[j] != '\n') j++;
        size_t len = j - i;
        if (len > 0 && text[i + len - 1] == '\r') len--;   /* CRLF */
        if (len > DEMO_LINE_MAX) { rc = fail(err, cap, name, line, "longer than %d bytes", DEMO_LINE_MAX); break; }
        const char *nul = memchr(text + i, 0, len);
        if (nul) { rc = fail(err, cap, name, line, "a NUL byte at column %zu; a demo is text", (size_t)(nul - (text + i)) + 1); break; }
        for (size_t k = 0; k < len;) {
            int cl, cp = utf8_next((const unsigned char *)text + i + k, len - k, &cl);
            if (cp < 0) {
                rc = fail(err, cap, name, line, "not UTF-8 text (byte 0x%02X at column %zu)", (unsigned char)text[i + k], k + 1);
                break;
            }
            /* no terminal control characters (escape sequences) anywhere: write \n, or U+001B as a key */
            if ((cp < 32 && cp != '\t') || (cp >= 127 && cp < 160)) {
                rc = fail(err, cap, name, line, "a control character (U+%04X) at column %zu; write a key as its name or U+XXXX", (unsigned)cp, k + 1);
                break;
            }
            k += (size_t)cl;
        }
        if (rc) break;
        memcpy(buf, text + i, len);
        buf[len] = 0;
        rc = parse_line(d, buf, line, &in_keys, name, err, cap);
        i = j + 1;
    }
    free(buf);
    if (rc) Demo_free(d);
    return rc;
}

int Demo_load(Demo *d, const char *path, char *err, size_t cap) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);   /* a FIFO must not block */
    if (fd < 0) { fail(err, cap, path, 0, "%s", strerror(errno)); Demo_free(d); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        fail(err, cap, path, 0, "%s", S_ISDIR(st.st_mode) ? "is a folder; give a demo file" : "is not a regular file");
        Demo_free(d);
        return -1;
    }
    if ((size_t)st.st_size > DEMO_FILE_MAX) {
        close(fd);
        fail(err, cap, path, 0, "%lld bytes, over %zu; a demo is a short text file", (long long)st.st_size, DEMO_FILE_MAX);
        Demo_free(d);
        return -1;
    }
    size_t sz = (size_t)st.st_size, got = 0;
    char *text = malloc(sz + 1);
    if (!text) { close(fd); fail(err, cap, path, 0, "out of memory"); Demo_free(d); return -1; }
    while (got < sz) {
        ssize_t r = read(fd, text + got, sz - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    int rc = Demo_parse(d, text, got, path, err, cap);
    free(text);
    return rc;
}

/* ---- writing ---- */

/* Every file the writer makes fits the reader's DEMO_FILE_MAX: the two comment lines (under
 * 256 bytes), at most SW_MAX_B prompt lines and a model line of DEMO_LINE_MAX + 1 bytes each,
 * eight short option lines and `keys`, then DEMO_MAX_KEYS keys of at most 10 bytes ("backspace"). */
_Static_assert(256 + (SW_MAX_B + 1) * ((size_t)DEMO_LINE_MAX + 1) + 9 * 64 + (size_t)DEMO_MAX_KEYS * 10 <= DEMO_FILE_MAX,
               "a demo the writer makes must fit DEMO_FILE_MAX");

/* the first character of s (UTF-8) that a line of the file cannot hold raw, or 0; -1 for bytes
 * that are not UTF-8 (at *at, the byte offset) */
static int bad_char(const char *s, size_t *at) {
    size_t n = strlen(s);
    for (size_t k = 0; k < n;) {
        int cl, cp = utf8_next((const unsigned char *)s + k, n - k, &cl);
        *at = k;
        if (cp < 0) return -1;
        if (cp >= 0x80 && cp < 0xA0) return cp;
        k += (size_t)cl;
    }
    return 0;
}

/* why a check failed, into err (one line); -1 */
static int say(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

int Demo_check_prompt(const char *p, char *err, size_t cap) {
    size_t n = strlen(p), at;
    if (n > DEMO_PROMPT_MAX) return say(err, cap, "%zu bytes, over the %d a demo file holds", n, DEMO_PROMPT_MAX);
    int c = bad_char(p, &at);
    if (c < 0) return say(err, cap, "not UTF-8 text (byte 0x%02X at %zu); a demo file holds text", (unsigned char)p[at], at + 1);
    if (c) return say(err, cap, "a control character (U+%04X) at byte %zu, which a demo file cannot hold", (unsigned)c, at + 1);
    return 0;
}

int Demo_check_model(const char *m, char *err, size_t cap) {
    size_t n = strlen(m), at;
    if (!n) return say(err, cap, "the model: an empty name");
    if (6 + n > DEMO_LINE_MAX) return say(err, cap, "the model: a name of %zu bytes, over the %d of a demo file's line", n, DEMO_LINE_MAX - 6);
    int c = bad_char(m, &at);
    if (c < 0) return say(err, cap, "the model: a name that is not UTF-8 (byte 0x%02X at %zu)", (unsigned char)m[at], at + 1);
    for (size_t k = 0; !c && k < n; k++)
        if (((unsigned char)m[k] < 0x20 && m[k] != '\t') || m[k] == 0x7f) c = (unsigned char)m[k], at = k;   /* a line may hold a tab */
    if (c) return say(err, cap, "the model: a control character (U+%04X) in its name at byte %zu", (unsigned)c, at + 1);
    if (m[n - 1] == ' ' || m[n - 1] == '\t') return say(err, cap, "the model: a name ending in a space or tab, which a demo file's line drops");
    return 0;
}

typedef struct { char *s; size_t n, cap; int oom; } Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (w < 0) { b->oom = 1; return; }
        if ((size_t)w < b->cap - b->n) { b->n += (size_t)w; return; }
        size_t nc = (b->cap + (size_t)w + 1) * 2;
        char *ns = realloc(b->s, nc);
        if (!ns) { b->oom = 1; return; }
        b->s = ns;
        b->cap = nc;
    }
}

char *Demo_format(const Demo *d, size_t *n) {
    Buf b = {malloc(4096), 0, 4096, 0};
    if (!b.s) return NULL;
    b.s[0] = 0;
    put(&b, "# shapewalk demo: play it with  shapewalk --replay FILE  (Space steps; --replay-delay MS times it)\n"
            "# Lines: prompt TEXT, options, then `keys` and one key per line (right, enter, g, type TEXT; # comments).\n");
    for (int i = 0; i < d->n_prompts; i++) {
        put(&b, "prompt ");
        /* the reverse of unescape, never longer than the line it was read from: a backslash
         * is doubled only where it would start an escape; a tab stays a tab (a line may hold one) */
        for (const char *p = d->prompts[i]; *p; p++) {
            char c;
            if (*p == '\n') put(&b, "\\n");
            else if (*p == '\r') put(&b, "\\r");
            else if (*p == '\t') put(&b, "\t");
            else if (*p == '\\' && (escape_at(p, &c) || (p[1] && p[1] != '\t' && ((unsigned char)p[1] < 0x20 || p[1] == 0x7f))))
                put(&b, "\\\\");   /* it starts an escape, or the next byte is written as one */
            else if ((unsigned char)*p < 0x20 || *p == 0x7f) put(&b, "\\x%02x", (unsigned char)*p);   /* never raw in the file */
            else put(&b, "%c", *p);
        }
        put(&b, "\n");
    }
    if (d->model) put(&b, "model %s\n", d->model);
    if (d->station[0]) put(&b, "station %s\n", d->station);
    if (d->top_k > 0) put(&b, "top-k %d\n", d->top_k);
    if (d->large >= 0) put(&b, "large %s\n", d->large ? "on" : "off");
    if (d->tour >= 0) put(&b, "tour %s\n", d->tour ? "on" : "off");
    if (d->contrast >= 0) put(&b, "contrast %s\n", d->contrast ? "on" : "off");
    if (d->temperature >= 0) put(&b, "temperature %.9g\n", d->temperature);
    if (d->top_p >= 0) put(&b, "top-p %.9g\n", d->top_p);
    if (d->sample_top_k >= 0) put(&b, "sample-top-k %d\n", d->sample_top_k);
    if (d->seed) put(&b, "seed %llu\n", d->seed);
    put(&b, "keys\n");
    for (int i = 0; i < d->n_keys; i++) {
        char name[32];
        Demo_key_name(d->keys[i].code, name, sizeof name);
        put(&b, "%s\n", name);
    }
    if (b.oom) { free(b.s); return NULL; }
    *n = b.n;
    return b.s;
}

/* the folder of path (a copy in out) */
static void dir_of(const char *path, char *out, size_t cap) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(out, cap, "%s", dirname(tmp));
}

int Demo_check_target(const char *path, char *err, size_t cap) {
    struct stat st;
    if (!*path) return fail(err, cap, "--record", 0, "give a file name");
    if (strlen(path) >= 4000) return fail(err, cap, "--record", 0, "the file name is too long");
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) return fail(err, cap, path, 0, "is a symbolic link; the demo is not written through links (give the real path)");
        if (!S_ISREG(st.st_mode)) return fail(err, cap, path, 0, "exists and is not a regular file");
    }
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return fail(err, cap, path, 0, "its folder %s does not exist", dir);
    if (access(dir, W_OK) != 0) return fail(err, cap, path, 0, "its folder %s is not writable", dir);
    return 0;
}

int Demo_save(const Demo *d, const char *path, char *err, size_t cap) {
    if (Demo_check_target(path, err, cap) != 0) return -1;
    char why[SW_ERR_LEN];
    for (int i = 0; i < d->n_prompts; i++)
        if (Demo_check_prompt(d->prompts[i], why, sizeof why) != 0) return fail(err, cap, path, 0, "not written: prompt %d: %s", i + 1, why);
    if (d->model && Demo_check_model(d->model, why, sizeof why) != 0) return fail(err, cap, path, 0, "not written: %s", why);
    size_t n;
    char *text = Demo_format(d, &n);
    if (!text) return fail(err, cap, path, 0, "out of memory");
    char dir[4096], tmp[4200];
    dir_of(path, dir, sizeof dir);
    int fd = -1;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        seed = seed * 1103515245u + 12345u;
        snprintf(tmp, sizeof tmp, "%s/.shapewalk-demo.%u.%08x.tmp", dir, (unsigned)getpid(), seed);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) { int e = errno; free(text); return fail(err, cap, path, 0, "cannot create a file in %s: %s", dir, strerror(e)); }
    size_t off = 0;
    int werr = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { werr = errno ? errno : EIO; break; }
        off += (size_t)w;
    }
    free(text);
    if (!werr && fsync(fd) != 0) werr = errno;
    if (close(fd) != 0 && !werr) werr = errno;
    if (werr) { unlink(tmp); return fail(err, cap, path, 0, "cannot write: %s", strerror(werr)); }
    /* the target may have turned into a link meanwhile: rename replaces the link itself, never its target */
    if (rename(tmp, path) != 0) { int e = errno; unlink(tmp); return fail(err, cap, path, 0, "cannot rename into place: %s", strerror(e)); }
    return 0;
}
