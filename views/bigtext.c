/* bigtext.c - large print for projectors: text drawn in a 3x5 pixel font, two pixel rows per
 * character row with half blocks (▀ ▄ █), so one letter takes 3 columns and 3 rows. Lowercase
 * h and d have their own glyphs (the lesson's head count and head size); other lowercase
 * letters are drawn as capitals. A few non-ASCII characters have glyphs (␣ ᵀ · → …); any
 * other is drawn as '?', never dropped. Scale 2 doubles every pixel (5 rows, 8 columns a
 * letter). */
#include "views/view.h"

#include <string.h>

/* 5 rows of 3 bits, most significant bit on the left */
typedef struct { char ch; unsigned char rows[5]; } Glyph;

static const Glyph font[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 2, 2, 2}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}},
    {'A', {2, 5, 7, 5, 5}}, {'B', {6, 5, 6, 5, 6}}, {'C', {3, 4, 4, 4, 3}}, {'D', {6, 5, 5, 5, 6}},
    {'E', {7, 4, 6, 4, 7}}, {'F', {7, 4, 6, 4, 4}}, {'G', {3, 4, 5, 5, 3}}, {'H', {5, 5, 7, 5, 5}},
    {'I', {7, 2, 2, 2, 7}}, {'J', {1, 1, 1, 5, 2}}, {'K', {5, 5, 6, 5, 5}}, {'L', {4, 4, 4, 4, 7}},
    {'M', {5, 7, 7, 5, 5}}, {'N', {6, 5, 5, 5, 5}}, {'O', {2, 5, 5, 5, 2}}, {'P', {6, 5, 6, 4, 4}},
    {'Q', {2, 5, 5, 6, 3}}, {'R', {6, 5, 6, 5, 5}}, {'S', {3, 4, 2, 1, 6}}, {'T', {7, 2, 2, 2, 2}},
    {'U', {5, 5, 5, 5, 7}}, {'V', {5, 5, 5, 5, 2}}, {'W', {5, 5, 7, 7, 5}}, {'X', {5, 5, 2, 5, 5}},
    {'Y', {5, 5, 2, 2, 2}}, {'Z', {7, 1, 2, 4, 7}},
    {'h', {4, 4, 6, 5, 5}}, {'d', {1, 1, 3, 5, 3}},
    {'(', {2, 4, 4, 4, 2}}, {')', {2, 1, 1, 1, 2}}, {',', {0, 0, 0, 2, 4}}, {'.', {0, 0, 0, 0, 2}},
    {'=', {0, 7, 0, 7, 0}}, {'-', {0, 0, 7, 0, 0}}, {'>', {4, 2, 1, 2, 4}}, {'<', {1, 2, 4, 2, 1}},
    {':', {0, 2, 0, 2, 0}}, {'/', {1, 1, 2, 4, 4}}, {'+', {0, 2, 7, 2, 0}}, {'*', {0, 5, 2, 5, 0}},
    {'@', {7, 5, 7, 4, 3}}, {'[', {6, 4, 4, 4, 6}}, {']', {3, 1, 1, 1, 3}}, {' ', {0, 0, 0, 0, 0}},
    {'%', {5, 1, 2, 4, 5}}, {'"', {5, 0, 0, 0, 0}}, {'\'', {2, 2, 0, 0, 0}}, {'!', {2, 2, 2, 0, 2}},
    {'?', {7, 1, 2, 0, 2}}, {'_', {0, 0, 0, 0, 7}}, {'^', {2, 5, 0, 0, 0}}, {'#', {5, 7, 5, 7, 5}},
    {'&', {2, 5, 2, 5, 3}}, {'|', {2, 2, 2, 2, 2}}, {';', {0, 2, 0, 2, 4}}, {'{', {3, 2, 4, 2, 3}},
    {'}', {6, 2, 1, 2, 6}}, {'~', {0, 0, 3, 6, 0}}, {'$', {3, 6, 2, 3, 6}}, {'`', {4, 2, 0, 0, 0}},
};

/* Characters outside ASCII that labels and formulas use, drawn with glyphs of their own. */
typedef struct { unsigned cp; unsigned char rows[5]; } WideGlyph;
static const WideGlyph wide_font[] = {
    {0x2423, {0, 0, 0, 5, 7}},   /* ␣ a space token */
    {0x0120, {3, 4, 5, 5, 3}},   /* Ġ GPT-2's space byte: drawn as G */
    {0x1D40, {7, 2, 2, 0, 0}},   /* ᵀ transposed: a raised T */
    {0x00B7, {0, 0, 2, 0, 0}},   /* · */
    {0x2192, {0, 1, 7, 1, 0}},   /* → */
    {0x2026, {0, 0, 0, 0, 5}},   /* … */
    {0x221A, {1, 1, 2, 6, 2}},   /* √ */
    {0x2713, {0, 1, 1, 6, 2}},   /* ✓ */
};
static const Glyph unknown = {'?', {7, 1, 2, 0, 2}};

static const Glyph *glyph(char c) {
    for (size_t i = 0; i < sizeof font / sizeof *font; i++)
        if (font[i].ch == c) return &font[i];
    if (c >= 'a' && c <= 'z') return glyph((char)(c - 'a' + 'A'));
    return NULL;
}

/* The glyph of the UTF-8 character at *p (moving *p past it); NULL for a character not drawn
 * (control bytes). Characters without a glyph are drawn as '?', so nothing vanishes. */
static const unsigned char *next_glyph(const char **p) {
    const unsigned char *u = (const unsigned char *)*p;
    unsigned cp;
    int n;
    if (u[0] < 0x80) { cp = u[0]; n = 1; }
    else if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) { cp = (u[0] & 0x1Fu) << 6 | (u[1] & 0x3Fu); n = 2; }
    else if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
        n = 3;
    } else if ((u[0] & 0xF8) == 0xF0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 && (u[3] & 0xC0) == 0x80) {
        cp = 0x10000;   /* emoji and the like: '?' */
        n = 4;
    } else { cp = 0xFFFD; n = 1; }
    *p += n;
    if (cp < 0x80) {
        if (cp < 32 || cp == 127) return NULL;
        const Glyph *g = glyph((char)cp);
        return g ? g->rows : unknown.rows;
    }
    for (size_t i = 0; i < sizeof wide_font / sizeof *wide_font; i++)
        if (wide_font[i].cp == cp) return wide_font[i].rows;
    return unknown.rows;
}

static int n_glyphs(const char *s) {
    int n = 0;
    for (const char *p = s; *p;)
        if (next_glyph(&p)) n++;
    return n;
}

int View_big_rows_xy(int sy) { return sy < 1 ? 3 : (5 * sy + 1) / 2; }
int View_big_rows(int scale) { return View_big_rows_xy(scale); }

int View_big_width_s(const char *s, int scale) {
    if (scale < 1) scale = 1;
    int n = n_glyphs(s);
    return n > 0 ? 4 * scale * n - scale : 0;
}

int View_big_width(const char *s) { return View_big_width_s(s, 1); }

int View_big_xy(WINDOW *w, int y, int x, int maxw, const char *s, int sx, int sy) {
    if (sx < 1) sx = 1;
    if (sy < 1) sy = 1;
    int width = View_big_width_s(s, sx), rows = View_big_rows_xy(sy);
    if (width > maxw || width == 0) return -1;
    int mx = getmaxx(w), my = getmaxy(w);
    if (y < 0 || y + rows > my || x < 0 || x + width > mx) return -1;
    int cx = x;
    for (const char *p = s; *p;) {
        const unsigned char *g = next_glyph(&p);
        if (!g) continue;
        /* pixel (px, py) of the 3sx x 5sy grid is glyph bit (px/sx, py/sy); two pixel rows a cell */
        for (int r = 0; r < rows; r++) {
            int pt = 2 * r, pb = 2 * r + 1;
            unsigned top = pt < 5 * sy ? g[pt / sy] : 0, bot = pb < 5 * sy ? g[pb / sy] : 0;
            for (int col = 0; col < 3 * sx; col++) {
                unsigned bit = 4u >> (col / sx);
                int t = (top & bit) != 0, b = (bot & bit) != 0;
                const wchar_t *ch = t && b ? L"█" : t ? L"▀" : b ? L"▄" : L" ";
                mvwaddnwstr(w, y + r, cx + col, ch, 1);
            }
            for (int col = 3 * sx; col < 4 * sx && cx + col < x + width; col++) mvwaddch(w, y + r, cx + col, ' ');
        }
        cx += 4 * sx;
    }
    return width;
}

int View_big_s(WINDOW *w, int y, int x, int maxw, const char *s, int scale) { return View_big_xy(w, y, x, maxw, s, scale, scale); }

int View_big(WINDOW *w, int y, int x, int maxw, const char *s) { return View_big_s(w, y, x, maxw, s, 1); }

/* The longest prefix of s (in bytes) whose big width fits maxw, cut after a space when there is one. */
static size_t fit_prefix(const char *s, int maxw, int scale, int *cut_at_space) {
    size_t best = 0, last_space = 0;
    int n = 0;
    const char *p = s;
    while (*p) {
        const char *q = p;
        const unsigned char *g = next_glyph(&q);
        if (g) n++;
        if (4 * scale * n - scale > maxw) break;
        if (*p == ' ') last_space = (size_t)(p - s);
        p = q;
        best = (size_t)(p - s);
    }
    *cut_at_space = 0;
    if (*p && last_space > 0) { *cut_at_space = 1; return last_space; }
    return best;
}

int View_big_lines(const char *s, int maxw, int scale) {
    int lines = 0;
    while (*s) {
        while (*s == ' ') s++;
        if (!*s) break;
        int sp;
        size_t n = fit_prefix(s, maxw, scale, &sp);
        if (n == 0) n = 1;
        s += n;
        lines++;
    }
    return lines;
}

int View_big_wrap(WINDOW *w, int y, int x, int maxw, int maxlines, const char *s, int scale, int *last_w) {
    char line[512];
    int lines = 0, rows = View_big_rows(scale);
    while (*s && lines < maxlines) {
        while (*s == ' ') s++;
        if (!*s) break;
        int sp;
        size_t n = fit_prefix(s, maxw, scale, &sp);
        if (n == 0) n = 1;
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, s, n);
        line[n] = 0;
        View_big_s(w, y + lines * (rows + 1), x, maxw, line, scale);
        if (last_w) *last_w = View_big_width_s(line, scale);
        s += n;
        lines++;
    }
    return lines;
}
