/* screens.c - the program's screens, in one table: a new screen is one file plus one line
 * here. The first is home (Esc goes back to it); the order is the help's. */
#include "tui/app.h"

const Screen *const Screens[] = {&Screen_walk, &Screen_surprise, &Screen_lens, &Screen_lesson, &Screen_quant, &Screen_compare, &Screen_legend, NULL};

const Screen *Screens_first(const Options *o) { return o->lesson ? &Screen_lesson : &Screen_walk; }
