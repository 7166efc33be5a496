/* bigtext.c - large print for projectors: text drawn in a 3x5 pixel font, two pixel rows per
 * character row with half blocks (▀ ▄ █), so one letter takes 3 columns and 3 rows. Lowercase
 * h and d have their own glyphs (the lesson's head count and head size); other lowercase
 * letters are drawn as capitals. */
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
};

static const Glyph *glyph(char c) {
    for (size_t i = 0; i < sizeof font / sizeof *font; i++)
        if (font[i].ch == c) return &font[i];
    if (c >= 'a' && c <= 'z') return glyph((char)(c - 'a' + 'A'));
    return NULL;
}

int View_big_width(const char *s) {
    int n = 0;
    for (const char *p = s; *p; p++)
        if (glyph(*p)) n++;
    return n > 0 ? 4 * n - 1 : 0;
}

int View_big(WINDOW *w, int y, int x, int maxw, const char *s) {
    int width = View_big_width(s);
    if (width > maxw || width == 0) return -1;
    int mx = getmaxx(w), my = getmaxy(w);
    if (y < 0 || y + 3 > my || x < 0 || x + width > mx) return -1;
    int cx = x;
    for (const char *p = s; *p; p++) {
        const Glyph *g = glyph(*p);
        if (!g) continue;
        for (int r = 0; r < 3; r++) {
            unsigned top = g->rows[2 * r], bot = r < 2 ? g->rows[2 * r + 1] : 0;
            for (int col = 0; col < 3; col++) {
                unsigned bit = 4u >> col;
                int t = (top & bit) != 0, b = (bot & bit) != 0;
                const wchar_t *ch = t && b ? L"█" : t ? L"▀" : b ? L"▄" : L" ";
                mvwaddnwstr(w, y + r, cx + col, ch, 1);
            }
        }
        cx += 4;
    }
    return width;
}
