/* legend.h - what the letters of the header and the marks of the shape strip mean, with this
 * model's numbers: drawn by the legend screen (D, tui/legend.c) and the lesson's legend page. */
#ifndef SW_TUI_LEGEND_H
#define SW_TUI_LEGEND_H

#include "tui/app.h"

#define LEGEND_MAX 24
#define LEGEND_W 200

/* The legend's lines for this model and trace: out[i] is "term", what[i] its meaning.
 * Returns how many. */
int Legend_lines(const App *a, char (*term)[32], char (*what)[LEGEND_W], int cap);
/* The legend drawn at lines y .. y+h-1 from its line `first` on; returns how many lines it has. */
int Legend_draw(const App *a, int y, int h, int first);

#endif
