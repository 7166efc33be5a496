/* record.h - a demo file: the prompts, options and keys of a run, as plain text a person can
 * read and edit (shapewalk --record FILE writes one, --replay FILE plays it back). No curses:
 * keys are this file's own codes (DemoKey), which tui/replay.c maps to and from the terminal's.
 *
 *     # shapewalk demo            comments start with # (a whole line; blank lines are skipped)
 *     prompt The cat sat on the mat
 *     prompt The dog sat on the mat   one line each (\n \r \t \\ for a newline, CR, tab, backslash; \xHH another control character)
 *     model stories260K           options: model, station, top-k, large, tour, contrast, temperature,
 *     station 3.1.f                        top-p, sample-top-k, seed
 *     keys                        then one key per line:
 *     right                         names (right left up down enter esc tab btab space
 *     enter                         backspace delete pgup pgdn home end hash f1), a printable
 *     g                             character as itself (g, D, 5, .), U+00E9 for any other,
 *     type The bird                 or `type TEXT`: each character of TEXT in turn
 *
 * Reading refuses, in one line naming the file and the line: an unknown word or key, a line
 * over DEMO_LINE_MAX bytes, a prompt over DEMO_PROMPT_MAX bytes, a NUL byte, text that is not
 * UTF-8, more than DEMO_MAX_KEYS keys, a file over DEMO_FILE_MAX bytes or one that is not a
 * regular file. Writing refuses what reading would (Demo_check_prompt, Demo_check_model), so
 * every file written reads back the same.
 * Writing goes to a new temporary file beside the target (O_EXCL|O_NOFOLLOW), renamed over it
 * at the end; a target that is a symbolic link or a folder is refused. */
#ifndef SW_RECORD_H
#define SW_RECORD_H

#include <stddef.h>
#include "engine/sw.h"

/* The program itself takes longer prompts (--prompt - reads up to 64 MB; the engine's limit
 * is the model's context, or none with --truncate), so a demo has its own: 64 KiB, a whole
 * 8192-token context of English text. A line holds the longest prompt with each byte
 * escaped (\xHH: 4 bytes) after "prompt ". */
#define DEMO_PROMPT_MAX 65536
#define DEMO_LINE_MAX (7 + 4 * DEMO_PROMPT_MAX)
#define DEMO_FILE_MAX ((size_t)4 << 20)
#define DEMO_MAX_KEYS 100000

/* A key: a Unicode character (0 < code < 0x110000) or one of these. */
enum {
    DK_BASE = 0x200000,
    DK_RIGHT = DK_BASE, DK_LEFT, DK_UP, DK_DOWN, DK_ENTER, DK_ESC, DK_TAB, DK_BTAB, DK_BACKSPACE,
    DK_PGUP, DK_PGDN, DK_HOME, DK_END, DK_F1, DK_DELETE,
    DK__END
};

typedef struct {
    int code;    /* a character or DK_* */
    int line;    /* the line of the file it came from (0: recorded) */
} DemoKey;

typedef struct Demo {
    char *prompts[SW_MAX_B];
    int n_prompts;
    char *model;            /* NULL: not given */
    char station[16];       /* "" : not given */
    int top_k;              /* 0: not given */
    int large, tour, contrast; /* -1: not given, else 0/1 */
    float temperature, top_p; /* < 0: not given */
    int sample_top_k;       /* < 0: not given */
    unsigned long long seed;/* 0: not given */
    DemoKey *keys;
    int n_keys, cap_keys;
} Demo;

/* An empty demo (nothing given). */
void Demo_init(Demo *d);
void Demo_free(Demo *d);
/* Append a key / a prompt (copied). 0, or -1 (out of memory, too many). */
int Demo_add_key(Demo *d, int code, int line);
int Demo_add_prompt(Demo *d, const char *text);

/* Parse a demo from text (n bytes; name is the file's name for messages). 0, or -1 with
 * err = "FILE line N: what is wrong". d must be Demo_init'ed; on error it is freed. */
int Demo_parse(Demo *d, const char *text, size_t n, const char *name, char *err, size_t cap);
/* Read and parse a file. */
int Demo_load(Demo *d, const char *path, char *err, size_t cap);
/* The demo as text (malloc'ed, NUL-terminated; *n its length), or NULL when out of memory. */
char *Demo_format(const Demo *d, size_t *n);
/* Whether a prompt can be written and read back the same: UTF-8, at most DEMO_PROMPT_MAX
 * bytes, no C1 control character (U+0080..U+009F: no escape writes one). 0, or -1 with err. */
int Demo_check_prompt(const char *p, char *err, size_t cap);
/* The same for the model's name or path: not empty, UTF-8, no control character but a tab,
 * no space or tab at its end (reading cuts them), its line at most DEMO_LINE_MAX bytes. */
int Demo_check_model(const char *m, char *err, size_t cap);
/* Write it to path safely (see above); its prompts and model must pass the checks above.
 * 0, or -1 with err naming the file. */
int Demo_save(const Demo *d, const char *path, char *err, size_t cap);
/* Whether path can be written later (its folder exists; it is not a link or a folder). */
int Demo_check_target(const char *path, char *err, size_t cap);

/* 1 when v has the form of a station number: 0..7, 3.N, 3.N.a..k (whether a model has it is
 * Station_find's question). */
int Demo_station_syntax(const char *v);

/* The name of a key as the file writes it ("right", "g", "U+00E9"), into buf. */
void Demo_key_name(int code, char *buf, size_t cap);
/* A key from its name; -1 when there is none. */
int Demo_key_from_name(const char *name);

#endif
