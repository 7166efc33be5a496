/* view_harness.h - the drawing harness of the view tests (test_views.c, test_inspect_views.c,
 * test_lesson_views.c): a curses screen on /dev/null (xterm-256color, so every colour mode can
 * be set up), the text on it read back (mvwinnwstr) as UTF-8 lines, and a check that shows
 * the screen when it fails. Include after check.h. */
#ifndef SW_VIEW_HARNESS_H
#define SW_VIEW_HARNESS_H

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "term/crt.h"

static SCREEN *harness_scr;
static FILE *harness_out, *harness_in;

/* A UTF-8 locale and a screen on /dev/null for the terminal xterm-256color, with NO_COLOR and
 * COLORTERM unset. Returns 0, or -1 after a SKIP line for `what` (no /dev/null, no terminfo). */
static inline int harness_open(const char *what) {
    if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "");
    setenv("TERM", "xterm-256color", 1);
    unsetenv("NO_COLOR");
    unsetenv("COLORTERM");
    harness_out = fopen("/dev/null", "w");
    harness_in = fopen("/dev/null", "r");
    if (!harness_out || !harness_in) {
        skip(what, "cannot open /dev/null");
        if (harness_out) fclose(harness_out);
        if (harness_in) fclose(harness_in);
        return -1;
    }
    harness_scr = newterm("xterm-256color", harness_out, harness_in);
    if (!harness_scr) {
        skip(what, "no terminfo entry for xterm-256color");
        fclose(harness_out);
        fclose(harness_in);
        return -1;
    }
    set_term(harness_scr);
    return 0;
}

static inline void harness_close(void) {
    endwin();
    delscreen(harness_scr);
    fclose(harness_out);
    fclose(harness_in);
}

/* The whole screen as UTF-8 lines (up to 200x61, 255 columns a line). */
static char screen_buf[200 * 61 * 4 + 16];
static inline const char *screen_text(void) {
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    size_t o = 0;
    for (int y = 0; y < rows; y++) {
        wchar_t line[256];
        int n = mvwinnwstr(stdscr, y, 0, line, cols < 255 ? cols : 255);
        if (n < 0) n = 0;
        line[n] = 0;
        char mb[1024];
        size_t m = wcstombs(mb, line, sizeof mb - 1);
        if (m == (size_t)-1) m = 0;
        mb[m] = 0;
        if (o + m + 2 < sizeof screen_buf) {
            memcpy(screen_buf + o, mb, m);
            o += m;
            screen_buf[o++] = '\n';
        }
    }
    screen_buf[o] = 0;
    return screen_buf;
}

static inline int on_screen(const char *s) { return strstr(screen_text(), s) != NULL; }

/* Resize the terminal to rows x cols and blank it. */
static inline void size_to(int rows, int cols) {
    resizeterm(rows, cols);
    erase();
}

/* A check named by a printf format; when it fails, the screen is shown. */
static inline __attribute__((format(printf, 2, 3))) void expect_screen(int ok, const char *fmt, ...) {
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (ok) pass(name);
    else fail(name, "screen:\n%s", screen_text());
}

#endif
