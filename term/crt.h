/* crt.h - the one place that owns the terminal: locale, curses set-up, mouse, colours.
 *
 * Colour modes:
 *   CRT_MONO   no colour (NO_COLOR, --mono, or a terminal without colours): values are drawn
 *              with the shade characters ' ░▒▓█' and the UI uses bold/reverse/dim.
 *   CRT_256    the xterm 256-colour palette (default): scales snap to the 6x6x6 cube/grey ramp.
 *   CRT_TRUE   24-bit: COLORTERM=truecolor/24bit and either a direct-colour terminal
 *              (colour numbers are 0xRRGGBB) or one that lets us redefine palette entries
 *              (init_extended_color), so the scales are exact.
 *   CRT_BASIC  an 8- or 16-colour terminal (TERM=xterm-16color, the Linux console): every
 *              colour, of the UI and of the scales, snaps to the nearest basic colour.
 * Scales: sequential (probabilities, 0..1, dark -> bright) and diverging (signed values,
 * -1..1, blue -> white -> orange: colour-blind safe, no red against green).
 */
#ifndef SW_CRT_H
#define SW_CRT_H

#include <curses.h>

typedef enum { CRT_MONO, CRT_256, CRT_TRUE, CRT_BASIC } CrtMode;
typedef enum { SCALE_SEQ, SCALE_DIV } ScaleKind;

/* Semantic UI colours. */
typedef enum {
    CA_NORMAL, CA_HEADER, CA_TITLE, CA_DIM, CA_CURRENT, CA_SHAPECHANGE, CA_MATHS, CA_KEY,
    CA_ERROR, CA_OK, CA_CHIP0, CA_CHIP1, CA_CURSOR, CA_BAR, CA_MASK, CA_PAD, CA_STATUS,
    CA__COUNT
} CrtAttr;

#define CRT_LEVELS 24   /* steps per colour scale */

typedef struct {
    CrtMode mode;
    int colors;          /* COLORS */
    int has_mouse;
    int screen_owned;    /* we called initscr/newterm */
} Crt;

extern Crt crt;

/* Set up the terminal. want_mono forces monochrome. Returns 0, or -1 with a one-line err
 * (TERM unset/dumb, no terminal). */
int Crt_init(int want_mono, char *err, size_t errcap);
/* Colours etc. on an already created SCREEN (tests use newterm on a file). */
void Crt_setup_colors(int want_mono);
void Crt_done(void);
/* The high-contrast theme (white on black, bold, nothing dim) on or off; for projectors. */
void Crt_high_contrast(int on);

/* Why the terminal cannot be used, or NULL: TERM unset or "dumb". */
const char *Crt_unusable(void);

/* An attribute for a semantic UI colour (colour pair or mono fallback). */
void Crt_set(WINDOW *w, CrtAttr a);       /* wattr_set with the pair */
void Crt_on(WINDOW *w, CrtAttr a, attr_t extra);

/* A scale value -> colour number (-1 in mono). v in [0,1] (SEQ) or [-1,1] (DIV), clamped. */
int Crt_scale_color(ScaleKind k, double v);
/* Pair for fg/bg colour numbers (-1 = default), allocated on demand. */
int Crt_pair(int fg, int bg);
/* Black or white text, whichever reads on that scale value. */
int Crt_text_fg(ScaleKind k, double v);

/* Shade character for a magnitude 0..1: " ░▒▓█" */
const wchar_t *Crt_shade(double mag);

/* Draw width cells at (y,x) filled with the value's colour (or shade in mono). */
void Crt_fill(WINDOW *w, int y, int x, int width, ScaleKind k, double v);
/* a frame of box-drawing lines around the rectangle y0..y0+h-1, x0..x0+w-1 (in the current
 * attribute; the inside is left as it is) */
void Crt_box(WINDOW *w, int y0, int x0, int h, int wd);
/* Two values in one character cell: top half fg, bottom half bg ('▀'). has_bot 0: bottom empty. */
void Crt_half(WINDOW *w, int y, int x, int width, ScaleKind k, double vtop, double vbot, int has_bot);
/* Text drawn over a value's colour (mono: text plain/reverse by magnitude). */
void Crt_text_on(WINDOW *w, int y, int x, int width, ScaleKind k, double v, const char *txt);

#endif
