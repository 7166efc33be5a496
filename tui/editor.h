/* editor.h - a one-line text editor for the prompt (wide characters, so UTF-8 input works). */
#ifndef SW_EDITOR_H
#define SW_EDITOR_H

#include <curses.h>
#include <wchar.h>

#define EDITOR_CAP 2048

typedef struct {
    wchar_t buf[EDITOR_CAP];
    int len, cur, scroll;
} Editor;

typedef enum { ED_CONTINUE, ED_ACCEPT, ED_CANCEL } EdResult;

/* Start editing UTF-8 text (invalid bytes are dropped). */
void Editor_set(Editor *e, const char *utf8);
/* One key from wget_wch: rc is OK or KEY_CODE_YES, ch the character or key code. */
EdResult Editor_key(Editor *e, int rc, wint_t ch);
/* The text as UTF-8 (malloc'd). */
char *Editor_text(const Editor *e);
/* Draw "label text" on row y from x, width w, with the cursor shown. */
void Editor_draw(Editor *e, WINDOW *win, int y, int x, int w, const char *label);

#endif
