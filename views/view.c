/* view.c - helpers every view uses: UTF-8 text clipped to a width, numbers, legends,
 * picking a 2-D slice out of a TensorView, and the station-kind -> view table. */
#include "views/view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

const ViewClass *View_for(ViewKind k) {
    switch (k) {
    case VK_TOKENS: return &View_tokens;
    case VK_MATRIX: return &View_heatmap;
    case VK_ATTENTION: return &View_attention;
    case VK_TOPK: return &View_topk;
    case VK_NEXT: return &View_next_token;
    }
    return &View_heatmap;
}

/* Next character of s: its wide char and byte length (an invalid byte -> '?', 1 byte). */
static size_t next_char(const char *s, size_t n, wchar_t *wc) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t r = mbrtowc(wc, s, n, &st);
    if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
        *wc = L'?';
        return 1;
    }
    return r;
}

static int char_width(wchar_t wc) {
    int cw = wcwidth(wc);
    return cw < 0 ? 1 : cw;
}

int View_width(const char *s) {
    int w = 0;
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        size_t r = next_char(s, n, &wc);
        w += char_width(wc);
        s += r;
        n -= r;
    }
    return w;
}

int View_text(WINDOW *w, int y, int x, int maxw, const char *s, int ellipsis) {
    int mx = getmaxx(w), my = getmaxy(w);
    if (y < 0 || y >= my || x < 0 || maxw <= 0) return 0;
    if (x + maxw > mx) maxw = mx - x;
    if (maxw <= 0) return 0;
    int full = View_width(s);
    int limit = (ellipsis && full > maxw) ? maxw - 1 : maxw;
    int used = 0;
    size_t n = strlen(s);
    wmove(w, y, x);
    while (n > 0) {
        wchar_t wc;
        size_t r = next_char(s, n, &wc);
        int cw = char_width(wc);
        if (used + cw > limit) break;
        if (cw == 0) { s += r; n -= r; continue; } /* combining marks: skip (keeps columns exact) */
        if (wc < 32 || wc == 127) wc = L'?';
        wchar_t ws[2] = {wc, 0};
        waddnwstr(w, ws, 1);
        used += cw;
        s += r;
        n -= r;
    }
    if (ellipsis && full > maxw && used < maxw) {
        waddnwstr(w, L"…", 1);
        used++;
    }
    return used;
}

int View_wrap(WINDOW *w, int y, int x, int width, int maxlines, const char *s) {
    int lines = 0;
    while (*s && lines < maxlines) {
        /* the longest prefix that fits, broken at a space */
        size_t n = strlen(s), take = 0, best = 0;
        char tmp[512];
        for (size_t i = 1; i <= n && i < sizeof tmp; i++) {
            if (i < n && (s[i] & 0xC0) == 0x80) continue;
            memcpy(tmp, s, i);
            tmp[i] = 0;
            if (View_width(tmp) > width) break;
            take = i;
            if (i == n || s[i] == ' ') best = i;
        }
        if (take == 0) break;
        if (take < n && best > 0) take = best;
        if (lines == maxlines - 1 && take < n) {
            View_text(w, y + lines, x, width, s, 1);
            return lines + 1;
        }
        memcpy(tmp, s, take);
        tmp[take] = 0;
        View_text(w, y + lines, x, width, tmp, 0);
        lines++;
        s += take;
        while (*s == ' ') s++;
    }
    return lines;
}

int View_label_width(const char (*label)[VIEW_LABEL], int n, int min, int max) {
    int lw = min;
    for (int i = 0; i < n; i++) {
        int tw = View_width(label[i]) + 2;
        if (tw > lw) lw = tw;
    }
    return lw > max ? max : lw;
}

int View_printf(WINDOW *w, int y, int x, int maxw, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return View_text(w, y, x, maxw, buf, 1);
}

void View_clear(const ViewCtx *c) {
    int my = getmaxy(c->win), mx = getmaxx(c->win);
    wattr_set(c->win, A_NORMAL, 0, &(int){0});
    for (int r = c->y; r < c->y + c->h && r < my; r++) {
        if (r < 0) continue;
        for (int i = c->x; i < c->x + c->w && i < mx; i++) mvwaddch(c->win, r, i, ' ');
    }
}

void View_num(char *buf, size_t cap, double v, int width) {
    if (v != v) { snprintf(buf, cap, "nan"); return; }
    if (v == 1.0 / 0.0) { snprintf(buf, cap, "inf"); return; }
    if (v == -1.0 / 0.0) { snprintf(buf, cap, "-inf"); return; }
    for (int prec = 4; prec >= 0; prec--) {
        snprintf(buf, cap, "%.*f", prec, v);
        if ((int)strlen(buf) <= width) {
            /* "-0.00" reads as a value; keep it */
            return;
        }
    }
    snprintf(buf, cap, "%.0e", v);
}

int View_matrix(const TensorView *tv, int b, int head, Mat *out) {
    if (!tv || !tv->data) return -1;
    if (tv->ndim == 4) {
        if (b < 0 || b >= tv->dims[0] || head < 0 || head >= tv->dims[1]) return -1;
        out->base = tv->data + b * tv->stride[0] + head * tv->stride[1];
        out->rows = tv->dims[2];
        out->cols = tv->dims[3];
        out->rs = tv->stride[2];
        out->cs = tv->stride[3];
        return 0;
    }
    if (tv->ndim == 3) {
        if (b < 0 || b >= tv->dims[0]) return -1;
        out->base = tv->data + b * tv->stride[0];
        out->rows = tv->dims[1];
        out->cols = tv->dims[2];
        out->rs = tv->stride[1];
        out->cs = tv->stride[2];
        return 0;
    }
    if (tv->ndim == 2) {           /* (T, X) already */
        out->base = tv->data;
        out->rows = tv->dims[0];
        out->cols = tv->dims[1];
        out->rs = tv->stride[0];
        out->cs = tv->stride[1];
        return 0;
    }
    return -1;
}

int View_legend(WINDOW *w, int y, int x, int maxw, ScaleKind k, double lo, double hi) {
    char a[24], b[24];
    View_num(a, sizeof a, lo, 7);
    View_num(b, sizeof b, hi, 7);
    int la = (int)strlen(a), lb = (int)strlen(b);
    int bar = maxw - la - lb - 2;
    if (bar > 24) bar = 24;
    if (bar < 3) return View_printf(w, y, x, maxw, "%s..%s", a, b);
    Crt_set(w, CA_DIM);
    View_text(w, y, x, la, a, 0);
    for (int i = 0; i < bar; i++) {
        double t = (double)i / (bar - 1);
        Crt_fill(w, y, x + la + 1 + i, 1, k, k == SCALE_SEQ ? t : 2 * t - 1);
    }
    Crt_set(w, CA_DIM);
    View_text(w, y, x + la + 2 + bar, lb, b, 0);
    Crt_set(w, CA_NORMAL);
    return la + lb + bar + 2;
}

int View_items(WINDOW *w, int y, int x, int maxw, const char *const *items, int n) {
    int used = 0;
    for (int i = 0; i < n; i++) {
        if (!items[i] || !items[i][0]) continue;
        int iw = View_width(items[i]);
        if (used == 0) { used = View_text(w, y, x, maxw, items[i], 1); continue; }
        if (used + 2 + iw > maxw) continue;   /* a shorter one after it may still fit */
        used += View_text(w, y, x + used, 2, "  ", 0);
        used += View_text(w, y, x + used, iw, items[i], 0);
    }
    return used;
}

int View_page_key(ViewCtx *c, int ch) {
    if (c->zoom < 2) return 0;
    if (ch == KEY_NPAGE) { c->page++; return 1; }
    if (ch == KEY_PPAGE) { c->page = c->page > 0 ? c->page - 1 : 0; return 1; }
    return 0;
}
