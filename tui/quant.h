/* quant.h - the walk's view of a comparison (tui/quant.c): with a second model open (--compare,
 * or M on the quantization screen), `d` in the walk cycles what every station's heatmap shows:
 * the reference's numbers, the second model's, or their difference (second - reference), with
 * the same cursor. */
#ifndef SW_TUI_QUANT_H
#define SW_TUI_QUANT_H

#include "tui/app.h"

/* d at station st: the next of reference / second model / difference (a status line says
 * which, or how to open a second model). */
void Quant_walk_cycle(App *a, StationRef st);
/* Turn c (filled by the presenter for station s, tensor which, of the reference) into the
 * second model's numbers or the difference, as d chose. Nothing when no comparison is open,
 * or the station has no tensor. */
void Quant_walk_adjust(App *a, StationRef s, int which, ViewCtx *c);

#endif
