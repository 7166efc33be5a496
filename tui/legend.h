/* legend.h - what the letters of the header and the marks of the shape strip mean, with this
 * model's numbers: drawn by the legend screen (D, tui/legend.c); the letters are also the
 * lesson's glossary (tui/lesson_more.c). */
#ifndef SW_TUI_LEGEND_H
#define SW_TUI_LEGEND_H

#include "tui/app.h"

#define LEGEND_MAX 24
#define LEGEND_W 200

/* The lines of the letters B, T, D, V, L, h, d, F, KV, ctx for this model and trace: term[i]
 * is the letter, what[i] its meaning with its value. Returns how many (at most cap). */
int Legend_letters(const App *a, char (*term)[32], char (*what)[LEGEND_W], int cap);
/* The legend's lines: the letters, a blank line, then the marks of the shape strip.
 * Returns how many (at most cap). */
int Legend_lines(const App *a, char (*term)[32], char (*what)[LEGEND_W], int cap);
/* The legend drawn at lines y .. y+h-1 from its line `first` on; returns how many lines it has. */
int Legend_draw(const App *a, int y, int h, int first);

#endif
