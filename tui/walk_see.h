/* walk_see.h - two pictures the walk shows in place of a station's own (tui/walk_see.c):
 *   W  the weights the station multiplies by, as heatmaps with their shapes (app/weights.c);
 *   v  attention on the text: the prompt's tokens, each key's background its attention
 *      weight for the chosen query (views/attn_text.c).
 * Their state sits in the walk's (tui/walk.c); the walk calls the hooks below. */
#ifndef SW_WALK_SEE_H
#define SW_WALK_SEE_H

#include "tui/app.h"
#include "app/weights.h"

#define SEE_WIN_R 256   /* the weights window: rows x columns read (dequantized) per frame */
#define SEE_WIN_C 128

typedef struct {
    /* W */
    int w_on;                 /* 0 off, else the weight shown is item w_on-1 */
    StationRef w_st;          /* where it was opened (another station turns it off) */
    int w_r, w_c;             /* the cursor in the whole matrix */
    int w_row0, w_col0;       /* the first row / column on screen, in the whole matrix */
    float w_buf[SEE_WIN_R * SEE_WIN_C];
    char w_label[SEE_WIN_R][VIEW_LABEL];
    TokenTable w_tt;
    /* v */
    int v_on;
    StationRef v_st;
} WalkSee;

/* Keys W and v, and while one is shown the keys that move in it. 1 when used. */
int WalkSee_key(App *a, WalkSee *s, StationRef st, int ch);
/* 1 when W or v shows its picture at station st. */
int WalkSee_shown(const WalkSee *s, StationRef st);
/* Draws the picture in (c->y .. c->y+c->h) when one is on at station st: 1, else 0. */
int WalkSee_draw(App *a, WalkSee *s, StationRef st, ViewCtx *c);

#endif
