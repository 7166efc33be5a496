/* editor.c - the prompt line editor: ←/→ Home/End (Ctrl-A/E), Backspace/Delete, Ctrl-U
 * (clear to start), Ctrl-K (clear to end), Ctrl-W (delete word); Enter accepts, Esc cancels. */
#include "tui/editor.h"

#include <stdlib.h>
#include <string.h>
#include "term/crt.h"
#include "views/view.h"

void Editor_set(Editor *e, const char *s) {
    memset(e, 0, sizeof *e);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = strlen(s);
    while (n > 0 && e->len < EDITOR_CAP - 1) {
        wchar_t wc;
        size_t r = mbrtowc(&wc, s, n, &st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
            memset(&st, 0, sizeof st);
            s++, n--;
            continue;
        }
        e->buf[e->len++] = wc;
        s += r;
        n -= r;
    }
    e->cur = e->len;
}

static void del_range(Editor *e, int a, int b) {
    if (a < 0) a = 0;
    if (b > e->len) b = e->len;
    if (a >= b) return;
    memmove(e->buf + a, e->buf + b, (size_t)(e->len - b) * sizeof(wchar_t));
    e->len -= b - a;
    if (e->cur > b) e->cur -= b - a;
    else if (e->cur > a) e->cur = a;
}

EdResult Editor_key(Editor *e, int rc, wint_t ch) {
    if (rc == KEY_CODE_YES) {
        switch (ch) {
        case KEY_LEFT: if (e->cur > 0) e->cur--; break;
        case KEY_RIGHT: if (e->cur < e->len) e->cur++; break;
        case KEY_HOME: e->cur = 0; break;
        case KEY_END: e->cur = e->len; break;
        case KEY_BACKSPACE: del_range(e, e->cur - 1, e->cur); break;
        case KEY_DC: del_range(e, e->cur, e->cur + 1); break;
        case KEY_ENTER: return ED_ACCEPT;
        default: break;
        }
        return ED_CONTINUE;
    }
    if (rc != OK) return ED_CONTINUE;
    switch (ch) {
    case 27: return ED_CANCEL;
    case '\n': case '\r': return ED_ACCEPT;
    case 1: e->cur = 0; return ED_CONTINUE;              /* Ctrl-A */
    case 5: e->cur = e->len; return ED_CONTINUE;         /* Ctrl-E */
    case 2: if (e->cur > 0) e->cur--; return ED_CONTINUE;        /* Ctrl-B */
    case 6: if (e->cur < e->len) e->cur++; return ED_CONTINUE;   /* Ctrl-F */
    case 8: case 127: del_range(e, e->cur - 1, e->cur); return ED_CONTINUE;
    case 4: del_range(e, e->cur, e->cur + 1); return ED_CONTINUE; /* Ctrl-D */
    case 21: del_range(e, 0, e->cur); return ED_CONTINUE;         /* Ctrl-U */
    case 11: del_range(e, e->cur, e->len); return ED_CONTINUE;    /* Ctrl-K */
    case 23: {                                                    /* Ctrl-W */
        int a = e->cur;
        while (a > 0 && e->buf[a - 1] == L' ') a--;
        while (a > 0 && e->buf[a - 1] != L' ') a--;
        del_range(e, a, e->cur);
        return ED_CONTINUE;
    }
    case '\t': ch = L' '; break;
    default: break;
    }
    if (ch < 32 || ch == 127 || (ch >= 0x80 && ch < 0xA0)) return ED_CONTINUE;  /* other controls */
    if (ch >= 0xD800 && ch <= 0xDFFF) return ED_CONTINUE;
    if (e->len >= EDITOR_CAP - 1) return ED_CONTINUE;
    memmove(e->buf + e->cur + 1, e->buf + e->cur, (size_t)(e->len - e->cur) * sizeof(wchar_t));
    e->buf[e->cur++] = (wchar_t)ch;
    e->len++;
    return ED_CONTINUE;
}

char *Editor_text(const Editor *e) {
    size_t cap = (size_t)e->len * MB_CUR_MAX + 1;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t o = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < e->len; i++) {
        size_t r = wcrtomb(out + o, e->buf[i], &st);
        if (r == (size_t)-1) { memset(&st, 0, sizeof st); continue; }
        o += r;
    }
    out[o] = 0;
    return out;
}

static int wc_w(wchar_t c) {
    int w = wcwidth(c);
    return w < 0 ? 1 : w;
}

void Editor_draw(Editor *e, WINDOW *win, int y, int x, int w, const char *label) {
    Crt_set(win, CA_STATUS);
    for (int i = 0; i < w; i++) mvwaddch(win, y, x + i, ' ');
    int lw = View_text(win, y, x, w / 2, label, 1);
    int tx = x + lw, tw = w - lw - 1;
    if (tw < 1) { Crt_set(win, CA_NORMAL); return; }
    /* keep the cursor on screen: scroll so that columns from scroll to cur fit */
    if (e->cur < e->scroll) e->scroll = e->cur;
    for (;;) {
        int cols = 0;
        for (int i = e->scroll; i < e->cur; i++) cols += wc_w(e->buf[i]);
        if (cols < tw || e->scroll >= e->cur) break;
        e->scroll++;
    }
    Crt_set(win, CA_NORMAL);
    for (int i = 0; i < tw; i++) mvwaddch(win, y, tx + i, ' ');
    int cx = tx, curx = tx;
    for (int i = e->scroll; i <= e->len; i++) {
        if (i == e->cur) curx = cx;
        if (i == e->len) break;
        int cw = wc_w(e->buf[i]);
        if (cx + cw > tx + tw) break;
        wchar_t s[2] = {e->buf[i], 0};
        if (cw > 0) mvwaddnwstr(win, y, cx, s, 1);
        cx += cw;
    }
    /* the cursor as a reverse cell (the hardware cursor is hidden); on a wide character
     * (日, an emoji) the whole character is reversed: a blank over its first half would
     * erase it and shift what follows */
    cchar_t cc;
    wchar_t under[2] = {L' ', 0};
    if (e->cur < e->len && wcwidth(e->buf[e->cur]) >= 1) under[0] = e->buf[e->cur];
    setcchar(&cc, under, A_REVERSE, 0, NULL);
    if (curx < tx + tw + 1) mvwadd_wch(win, y, curx, &cc);
}
