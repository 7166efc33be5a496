/* explain_view.h - "how was this made?" (views/explain_view.c): one cell's computation, as
 * engine/explain.c worked it out, in a framed box over the picture. The walk (tui/walk.c,
 * key i) fills an ExplainCtx, whose first member is the ViewCtx: View_explain.draw(&ec.vc).
 */
#ifndef SW_EXPLAIN_VIEW_H
#define SW_EXPLAIN_VIEW_H

#include "engine/explain.h"
#include "views/view.h"

typedef struct ExplainCtx {
    ViewCtx vc;              /* first: where to draw (vc.win, y, x, h, w) */
    const Explain *e;        /* the steps; NULL with why set: nothing to explain here */
    const char *why;         /* the reason there is none ("a padded position") */
    const char *where;       /* "3.1.d attention scores", shown in the frame */
} ExplainCtx;

extern const ViewClass View_explain;

#endif
