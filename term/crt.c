/* crt.c - terminal and colour set-up (see crt.h). Nothing else calls initscr/start_color. */
#include "term/crt.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

Crt crt;
static SCREEN *crt_screen;
static int crt_utf8 = 1;

/* ---- palettes: anchors in RGB, interpolated to CRT_LEVELS steps ---- */

typedef struct { unsigned char r, g, b; } Rgb;

/* sequential: dark violet -> teal -> yellow (a viridis-like ramp: brightness grows with p) */
static const Rgb seq_anchor[] = {
    {48, 18, 59}, {62, 74, 137}, {38, 130, 142}, {31, 158, 137},
    {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37},
};
/* diverging: blue (negative) -> white (zero) -> orange (positive). Blue against orange stays
 * apart for the common colour blindnesses (red-green) and on a washed-out projector, where
 * the two ends still differ in brightness too. */
static const Rgb div_anchor[] = {
    {8, 48, 107}, {33, 102, 172}, {66, 146, 198}, {133, 188, 225}, {198, 224, 240},
    {247, 247, 247},
    {254, 224, 182}, {253, 184, 99}, {241, 130, 40}, {200, 80, 0}, {127, 45, 4},
};

static Rgb scale_rgb[2][CRT_LEVELS];
static int scale_col[2][CRT_LEVELS];   /* colour numbers to use */
static int col_black = 16, col_white = 231;
#define PALETTE_SLOT0 160              /* redefined entries (24-bit via init_extended_color) */

static Rgb lerp_anchor(const Rgb *a, int n, double t) {
    if (t <= 0) return a[0];
    if (t >= 1) return a[n - 1];
    double f = t * (n - 1);
    int i = (int)f;
    if (i >= n - 1) i = n - 2;
    double u = f - i;
    Rgb c = {
        (unsigned char)(a[i].r + (a[i + 1].r - a[i].r) * u + 0.5),
        (unsigned char)(a[i].g + (a[i + 1].g - a[i].g) * u + 0.5),
        (unsigned char)(a[i].b + (a[i + 1].b - a[i].b) * u + 0.5),
    };
    return c;
}

/* xterm 256-colour palette entry -> RGB (cube 16..231, greys 232..255, ANSI 0..15 approximate) */
static Rgb xterm_rgb(int idx) {
    static const Rgb ansi[16] = {
        {0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    if (idx < 16) return ansi[idx < 0 ? 0 : idx];
    if (idx < 232) {
        int i = idx - 16;
        Rgb c = {(unsigned char)lv[i / 36], (unsigned char)lv[(i / 6) % 6], (unsigned char)lv[i % 6]};
        return c;
    }
    unsigned char g = (unsigned char)(8 + 10 * (idx - 232));
    Rgb c = {g, g, g};
    return c;
}

static int rgb_dist(Rgb a, Rgb b) {
    int dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
    return dr * dr * 3 + dg * dg * 4 + db * db * 2;
}

static int nearest_xterm(Rgb c) {
    int best = 16, bd = 1 << 30;
    for (int i = 16; i < 256; i++) {
        int d = rgb_dist(c, xterm_rgb(i));
        if (d < bd) { bd = d; best = i; }
    }
    return best;
}

/* The nearest of a basic terminal's 8 or 16 colours. */
static int nearest_basic(Rgb c) {
    int n = crt.colors >= 16 ? 16 : 8, best = 0, bd = 1 << 30;
    for (int i = 0; i < n; i++) {
        int d = rgb_dist(c, xterm_rgb(i));
        if (d < bd) { bd = d; best = i; }
    }
    return best;
}

/* The diverging scale in 256 colours, picked by hand: the nearest cube colour of each step
 * would be teal at the blue end, pink near white and dark red at the orange end. Blue
 * (dark to light), the grey 255 for zero (level 12), then light to dark orange. */
static const int div256[CRT_LEVELS] = {
    24, 25, 26, 32, 33, 68, 74, 110, 117, 153, 189, 195,
    255,
    230, 223, 216, 215, 214, 208, 172, 202, 166, 130, 94,
};

/* The scales on a basic terminal: the nearest basic colour of each step would not grow in
 * brightness (the grey 8 sits in the middle of the sequential ramp), so the ramps are picked
 * by hand, dark to bright and blue - white - yellow/brown (orange's nearest). */
static int basic_ramp(int diverging, double t) {
    static const int seq16[] = {0, 4, 12, 6, 14, 10, 11, 15}, seq8[] = {0, 4, 6, 2, 3, 7};
    static const int div16[] = {4, 12, 14, 15, 11, 3, 1}, div8[] = {4, 6, 7, 3, 1};
    const int *r;
    int n;
    if (crt.colors >= 16) { r = diverging ? div16 : seq16; n = diverging ? 7 : 8; }
    else { r = diverging ? div8 : seq8; n = diverging ? 5 : 6; }
    int i = (int)(t * (n - 1) + 0.5);
    return r[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* A UI colour given as an xterm index, as a number for the current mode. */
static int ui_color(int xterm_idx) {
    if (crt.mode == CRT_BASIC) return nearest_basic(xterm_rgb(xterm_idx));
    if (crt.mode == CRT_TRUE && crt.colors >= 0x1000000) {
        Rgb c = xterm_rgb(xterm_idx);
        return (c.r << 16) | (c.g << 8) | c.b;
    }
    return xterm_idx;
}

/* ---- semantic UI attributes ---- */

static attr_t ui_attr[CA__COUNT];
static int ui_pair[CA__COUNT];

static void ui_define(CrtAttr a, int fg, int bg, attr_t colour_attr, attr_t mono_attr) {
    if (crt.mode == CRT_MONO) {
        ui_attr[a] = mono_attr;
        ui_pair[a] = 0;
    } else {
        ui_attr[a] = colour_attr;
        ui_pair[a] = Crt_pair(fg < 0 ? -1 : ui_color(fg), bg < 0 ? -1 : ui_color(bg));
    }
}

static int ui_high_contrast;   /* Crt_high_contrast */

/* The high-contrast theme (classroom projectors): white on black, saturated colours, bold,
 * nothing dim. */
static void ui_setup_high_contrast(void) {
    ui_define(CA_NORMAL, 231, 16, A_NORMAL, A_NORMAL);
    ui_define(CA_HEADER, 16, 231, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_TITLE, 226, 16, A_BOLD, A_BOLD);
    ui_define(CA_DIM, 231, 16, A_NORMAL, A_NORMAL);
    ui_define(CA_CURRENT, 16, 226, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_SHAPECHANGE, 208, 16, A_BOLD, A_BOLD | A_UNDERLINE);
    ui_define(CA_MATHS, 51, 16, A_BOLD, A_BOLD);
    ui_define(CA_KEY, 46, 16, A_BOLD, A_BOLD);
    ui_define(CA_ERROR, 231, 160, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_OK, 46, 16, A_BOLD, A_BOLD);
    ui_define(CA_CHIP0, 16, 159, A_BOLD, A_REVERSE);
    ui_define(CA_CHIP1, 16, 229, A_BOLD, A_UNDERLINE | A_BOLD);
    ui_define(CA_CURSOR, 16, 226, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_BAR, 231, 16, A_BOLD, A_BOLD);
    ui_define(CA_MASK, 250, 16, A_NORMAL, A_NORMAL);
    ui_define(CA_PAD, 250, 16, A_NORMAL, A_NORMAL);
    ui_define(CA_STATUS, 16, 231, A_BOLD, A_REVERSE | A_BOLD);
}

static void ui_setup(void) {
    if (ui_high_contrast) { ui_setup_high_contrast(); return; }
    ui_define(CA_NORMAL, -1, -1, A_NORMAL, A_NORMAL);
    ui_define(CA_HEADER, 231, 24, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_TITLE, 221, -1, A_BOLD, A_BOLD);
    ui_define(CA_DIM, 245, -1, A_NORMAL, A_DIM);
    ui_define(CA_CURRENT, 16, 220, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_SHAPECHANGE, 209, -1, A_BOLD, A_BOLD | A_UNDERLINE);
    ui_define(CA_MATHS, 117, -1, A_BOLD, A_BOLD);
    ui_define(CA_KEY, 114, -1, A_BOLD, A_BOLD);
    ui_define(CA_ERROR, 231, 124, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_OK, 114, -1, A_NORMAL, A_NORMAL);
    ui_define(CA_CHIP0, 16, 153, A_NORMAL, A_REVERSE);
    ui_define(CA_CHIP1, 16, 223, A_NORMAL, A_UNDERLINE);
    ui_define(CA_CURSOR, 16, 220, A_BOLD, A_REVERSE | A_BOLD);
    ui_define(CA_BAR, 75, -1, A_NORMAL, A_NORMAL);
    ui_define(CA_MASK, 240, -1, A_NORMAL, A_DIM);
    ui_define(CA_PAD, 239, -1, A_NORMAL, A_DIM);
    ui_define(CA_STATUS, 16, 250, A_NORMAL, A_REVERSE);
}

void Crt_high_contrast(int on) {
    ui_high_contrast = on != 0;
    ui_setup();
    if (!stdscr) return;
    /* the blank cells too: black behind everything in high contrast */
    cchar_t bg;
    int pair = ui_high_contrast ? ui_pair[CA_NORMAL] : 0;
    setcchar(&bg, L" ", A_NORMAL, 0, &pair);
    wbkgrndset(stdscr, &bg);
}

void Crt_set(WINDOW *w, CrtAttr a) {
    int pair = ui_pair[a];
    wattr_set(w, ui_attr[a], 0, &pair);
}

void Crt_on(WINDOW *w, CrtAttr a, attr_t extra) {
    int pair = ui_pair[a];
    wattr_set(w, ui_attr[a] | extra, 0, &pair);
}

/* ---- set-up ---- */

const char *Crt_unusable(void) {
    const char *term = getenv("TERM");
    if (!term || !*term) return "TERM is not set, so the terminal is unknown";
    if (strcmp(term, "dumb") == 0) return "this terminal (TERM=dumb) cannot draw the screen";
    return NULL;
}

static int env_truecolor(void) {
    const char *ct = getenv("COLORTERM");
    return ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0);
}

void Crt_setup_colors(int want_mono) {
    const char *nc = getenv("NO_COLOR");
    crt.mode = CRT_MONO;
    crt.colors = 0;
    if (!want_mono && !(nc && *nc) && has_colors()) {
        start_color();
        use_default_colors();
        crt.colors = COLORS;
        crt.mode = COLORS >= 256 ? CRT_256 : COLORS >= 8 ? CRT_BASIC : CRT_MONO;
        if (crt.mode == CRT_256 && env_truecolor() &&
            (COLORS >= 0x1000000 || (can_change_color() && COLORS >= PALETTE_SLOT0 + 2 * CRT_LEVELS)))
            crt.mode = CRT_TRUE;
    }
    for (int s = 0; s < 2; s++) {
        const Rgb *a = s == 0 ? seq_anchor : div_anchor;
        int n = s == 0 ? (int)(sizeof seq_anchor / sizeof *a) : (int)(sizeof div_anchor / sizeof *a);
        for (int i = 0; i < CRT_LEVELS; i++) {
            Rgb c = lerp_anchor(a, n, (double)i / (CRT_LEVELS - 1));
            scale_rgb[s][i] = c;
            if (crt.mode == CRT_TRUE && crt.colors >= 0x1000000) {
                scale_col[s][i] = (c.r << 16) | (c.g << 8) | c.b;
            } else if (crt.mode == CRT_TRUE) {
                int slot = PALETTE_SLOT0 + s * CRT_LEVELS + i;
                init_extended_color(slot, c.r * 1000 / 255, c.g * 1000 / 255, c.b * 1000 / 255);
                scale_col[s][i] = slot;
            } else if (crt.mode == CRT_256 && s == 1) {
                scale_col[s][i] = div256[i];
                scale_rgb[s][i] = xterm_rgb(div256[i]);   /* text on it: judged by the colour shown */
            } else if (crt.mode == CRT_256) {
                scale_col[s][i] = nearest_xterm(c);
            } else if (crt.mode == CRT_BASIC) {
                scale_col[s][i] = basic_ramp(s, (double)i / (CRT_LEVELS - 1));
                scale_rgb[s][i] = xterm_rgb(scale_col[s][i]);   /* text on it: judged by the colour shown */
            } else {
                scale_col[s][i] = -1;
            }
        }
    }
    if (crt.mode == CRT_TRUE && crt.colors >= 0x1000000) { col_black = 0x101010; col_white = 0xffffff; }
    else if (crt.mode == CRT_BASIC) { col_black = 0; col_white = crt.colors >= 16 ? 15 : 7; }
    else { col_black = 16; col_white = 231; }
    ui_setup();
}

int Crt_init(int want_mono, char *err, size_t errcap) {
    setlocale(LC_ALL, "");
    const char *why = Crt_unusable();
    if (why) {
        snprintf(err, errcap, "%s; use --dump or --json for text output, or set TERM (e.g. TERM=xterm-256color)", why);
        return -1;
    }
    const char *cs = nl_langinfo(CODESET);
    crt_utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    crt_screen = newterm(NULL, stdout, stdin);
    if (!crt_screen) {
        snprintf(err, errcap, "cannot open the terminal TERM=%s (no terminfo entry?); use --dump or --json, or set TERM=xterm-256color",
                 getenv("TERM"));
        return -1;
    }
    set_term(crt_screen);
    crt.screen_owned = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    crt.has_mouse = mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
    mouseinterval(0);
    Crt_setup_colors(want_mono);
    return 0;
}

void Crt_done(void) {
    if (!crt.screen_owned) return;
    curs_set(1);
    endwin();
    delscreen(crt_screen);
    crt_screen = NULL;
    crt.screen_owned = 0;
}

/* ---- scales ---- */

static int level_of(ScaleKind k, double v) {
    if (v != v) v = 0;                 /* NaN: treat as zero */
    double t = k == SCALE_SEQ ? v : (v + 1) / 2;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    return (int)(t * (CRT_LEVELS - 1) + 0.5);
}

int Crt_scale_color(ScaleKind k, double v) {
    if (crt.mode == CRT_MONO) return -1;
    return scale_col[k == SCALE_DIV][level_of(k, v)];
}

int Crt_pair(int fg, int bg) {
    if (crt.mode == CRT_MONO) return 0;
    int p = alloc_pair(fg, bg);
    return p < 0 ? 0 : p;
}

int Crt_text_fg(ScaleKind k, double v) {
    Rgb c = scale_rgb[k == SCALE_DIV][level_of(k, v)];
    double lum = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
    return lum > 140 ? col_black : col_white;
}

const wchar_t *Crt_shade(double mag) {
    static const wchar_t *u[] = {L" ", L"░", L"▒", L"▓", L"█"};
    static const wchar_t *a[] = {L" ", L".", L":", L"#", L"@"};
    if (mag != mag || mag < 0) mag = 0;
    if (mag > 1) mag = 1;
    int i = (int)(mag * 4 + 0.5);
    if (mag > 0.02 && i == 0) i = 1;   /* anything visible is at least ░ */
    return crt_utf8 ? u[i] : a[i];
}

static void put_w(WINDOW *w, int y, int x, const wchar_t *s, attr_t at, int pair) {
    cchar_t cc;
    setcchar(&cc, s, at, 0, &pair);
    mvwadd_wch(w, y, x, &cc);
}

void Crt_fill(WINDOW *w, int y, int x, int width, ScaleKind k, double v) {
    if (crt.mode == CRT_MONO) {
        /* magnitude as shade; negative values of a signed scale are underlined */
        double mag = k == SCALE_SEQ ? v : (v < 0 ? -v : v);
        const wchar_t *s = Crt_shade(mag);
        attr_t at = (k == SCALE_DIV && v < 0) ? A_UNDERLINE : A_NORMAL;
        for (int i = 0; i < width; i++) put_w(w, y, x + i, (k == SCALE_DIV && v < -0.02 && i == 0 && width > 1) ? L"-" : s, at, 0);
        return;
    }
    int pair = Crt_pair(-1, Crt_scale_color(k, v));
    for (int i = 0; i < width; i++) put_w(w, y, x + i, L" ", A_NORMAL, pair);
}

void Crt_half(WINDOW *w, int y, int x, int width, ScaleKind k, double vtop, double vbot, int has_bot) {
    if (crt.mode == CRT_MONO || !crt_utf8) {
        double a = k == SCALE_SEQ ? vtop : (vtop < 0 ? -vtop : vtop);
        double b = has_bot ? (k == SCALE_SEQ ? vbot : (vbot < 0 ? -vbot : vbot)) : a;
        double m = a > b ? a : b;
        Crt_fill(w, y, x, width, SCALE_SEQ, m);
        return;
    }
    int pair = Crt_pair(Crt_scale_color(k, vtop), has_bot ? Crt_scale_color(k, vbot) : -1);
    for (int i = 0; i < width; i++) put_w(w, y, x + i, L"▀", A_NORMAL, pair);
}

void Crt_text_on(WINDOW *w, int y, int x, int width, ScaleKind k, double v, const char *txt) {
    int pair = 0;
    attr_t at = A_NORMAL;
    if (crt.mode == CRT_MONO) {
        double mag = k == SCALE_SEQ ? v : (v < 0 ? -v : v);
        if (mag > 0.5) at = A_REVERSE;
        if (k == SCALE_DIV && v < 0) at |= A_UNDERLINE;
    } else {
        pair = Crt_pair(Crt_text_fg(k, v), Crt_scale_color(k, v));
    }
    wattr_set(w, at, 0, &pair);
    /* blank the cell, then the UTF-8 text character by character while it fits the width */
    for (int i = 0; i < width; i++) mvwaddch(w, y, x + i, ' ');
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = txt;
    size_t left = strlen(txt);
    int used = 0;
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, left, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) break;
        int cw = wcwidth(wc);
        if (cw < 0 || used + cw > width) break;
        mvwaddnstr(w, y, x + used, p, (int)n);
        used += cw;
        p += n;
        left -= n;
    }
    wattr_set(w, A_NORMAL, 0, &(int){0});
}

void Crt_box(WINDOW *w, int y0, int x0, int h, int wd) {
    if (h < 2 || wd < 2) return;
    for (int x = 1; x < wd - 1; x++) { mvwaddnwstr(w, y0, x0 + x, L"─", 1); mvwaddnwstr(w, y0 + h - 1, x0 + x, L"─", 1); }
    for (int y = 1; y < h - 1; y++) { mvwaddnwstr(w, y0 + y, x0, L"│", 1); mvwaddnwstr(w, y0 + y, x0 + wd - 1, L"│", 1); }
    mvwaddnwstr(w, y0, x0, L"┌", 1);
    mvwaddnwstr(w, y0, x0 + wd - 1, L"┐", 1);
    mvwaddnwstr(w, y0 + h - 1, x0, L"└", 1);
    mvwaddnwstr(w, y0 + h - 1, x0 + wd - 1, L"┘", 1);
}
