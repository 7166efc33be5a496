/* lesson_views.h - the pictures of the classroom mode (tui/lesson*.c):
 *
 *   View_quiz          the shape quiz: the question, what is known, choices, the typed answer,
 *                      then the verdict and the shape with letters and numbers
 *   View_lesson_score  the quiz's score, question by question
 *   View_dot           the dot product of two vectors term by term, the running sum, both
 *                      lengths and the cosine similarity (embedding rows; an LM-head entry)
 *   View_nearest       the tokens nearest to one token in embedding space, by cosine
 *   View_matmul        the shape rule (B,T,D)@(D,V) -> (B,T,V) with the inner D's marked,
 *                      and one output entry as a row · column dot product (drawn with View_dot)
 *   View_softmax_demo  softmax done naively (exp overflows to inf, inf/inf = NaN) beside the
 *                      max-subtracted way, for the lesson's examples and the real logits
 *   View_temperature   softmax(logits / τ) for a temperature slider: argmax when τ is low,
 *                      near uniform when it is high
 *   View_ce_table      cross-entropy for every position: Q[c], -log Q[c], rank, with the
 *                      lesson's marks 0 (sure and right) and log V (uniform guessing)
 *
 * Like the other views they never run the model: the screen fills the numbers (and a test
 * can fill them by hand). Each takes its own context whose first member is the ViewCtx
 * (geometry, zoom, tokens): call View_dot.draw(&dc.vc).
 */
#ifndef SW_VIEWS_LESSON_H
#define SW_VIEWS_LESSON_H

#include "engine/lesson.h"
#include "views/view.h"

#define LESSON_MAXROWS 64   /* most rows of a table (neighbours, top-k, positions) */

/* ---- quiz ---- */

typedef struct QuizCtx {
    ViewCtx vc;
    char station[64];        /* "1 embedding lookup" */
    char maths[160];         /* the formula, without its shape */
    char known[2][256];      /* what the student knows: the inputs' shapes */
    char question[128];      /* "What shape is x?" */
    const char *choices[4];  /* letters only: "(B,T,D)" */
    int n_choices, sel;      /* the highlighted choice */
    char typed[40];
    int answered;            /* 0: asking; 1: answered (verdict below) */
    int right;
    char given[48];          /* what the student answered */
    char answer[96];         /* "(B,T,D) = (2,6,64)" */
    char answer_letters[48]; /* "(B,T,D)": large print when the whole answer is too wide */
    char why[SW_ERR_LEN];    /* what was wrong, or why it could not be read */
    int unreadable;          /* the last try could not be read (still asking) */
    char number_line[96];    /* question i of n, score so far */
    int used;                /* out: lines drawn */
} QuizCtx;

typedef struct ScoreCtx {
    ViewCtx vc;
    int n;
    char station[16][48];
    char answer[16][48];
    char given[16][48];
    int state[16];           /* 0 not answered, 1 right, 2 wrong */
    int right, answered;
} ScoreCtx;

/* ---- dot product ---- */

typedef struct DotCtx {
    ViewCtx vc;
    const float *a, *b;      /* n numbers each */
    int n;
    char a_name[96], b_name[96];   /* "a = E[3797] \"␣cat\"" */
    char a_sym[24], b_sym[24];     /* row labels in the table: "a", "x[0,5,d]" */
    char index_sym[8];             /* "i" or "d" */
    char sum_name[96];             /* "a·b", "logits[0,5,6594]" */
    float dot, norm_a, norm_b, cosine;
    int show_cos;            /* 1: lengths and cosine lines */
    int has_check;           /* 1: compare the sum with check (the model's own number) */
    float check;
    char check_name[64];     /* "the model's logit" */
    int used;                /* out: lines drawn */
} DotCtx;

/* ---- nearest tokens ---- */

typedef struct NearCtx {
    ViewCtx vc;
    char query[VIEW_LABEL];
    int query_id;
    int V, D;
    LessonNear near[LESSON_MAXROWS];
    char label[LESSON_MAXROWS][VIEW_LABEL];
    int n;
    char note[160];          /* one line under the table (what was left out) */
} NearCtx;

/* ---- matmul rule at the LM head ---- */

typedef struct MatmulCtx {
    ViewCtx vc;
    char x_name[24], w_name[24], out_name[24];  /* "x", "W_lm", "logits" */
    int B, T, D, V;
    int b, t, v;
    char v_label[VIEW_LABEL], t_label[VIEW_LABEL];
    DotCtx dot;              /* the entry (its vc is set by the view) */
} MatmulCtx;

/* ---- softmax, naive and stable ---- */

#define SOFTMAX_DEMO_N 3
#define SOFTMAX_DEMO_ROWS 4

typedef struct {
    char title[128];         /* "[1000, 999, 998]" */
    int n;                   /* rows shown */
    float x[SOFTMAX_DEMO_ROWS];
    float e_naive[SOFTMAX_DEMO_ROWS], p_naive[SOFTMAX_DEMO_ROWS];
    float e_stable[SOFTMAX_DEMO_ROWS], p_stable[SOFTMAX_DEMO_ROWS];
    char label[SOFTMAX_DEMO_ROWS][VIEW_LABEL];   /* token labels for real logits ("" else) */
    float sum_naive;         /* Σ exp(x) over all entries (float: inf when it overflowed) */
    double sum_stable;       /* Σ exp(x - max) */
    float max;
    int total;               /* entries in the whole vector (V for real logits) */
} SoftmaxExample;

typedef struct SoftmaxCtx {
    ViewCtx vc;
    SoftmaxExample ex[SOFTMAX_DEMO_N];
    int n_ex;
    char note[192];          /* under the tables when there is room (e.g. the real logits underflow) */
} SoftmaxCtx;

/* ---- temperature ---- */

typedef struct TempCtx {
    ViewCtx vc;
    float temp, tmin, tmax;  /* slider range (log scale) */
    int n;
    char label[LESSON_MAXROWS][VIEW_LABEL];
    float logit[LESSON_MAXROWS], p[LESSON_MAXROWS];   /* p at this temperature */
    double entropy, log_v, top_p;
    float demo_p[3];         /* softmax([2,1,0] / τ) */
    char where[96];          /* "after t=5 \"␣fun\" (row b=0)" */
} TempCtx;

/* ---- cross-entropy table ---- */

typedef struct CeCtx {
    ViewCtx vc;
    LessonCE rows[LESSON_MAXROWS];
    char before[LESSON_MAXROWS][VIEW_LABEL];  /* the token at pos */
    char target[LESSON_MAXROWS][VIEW_LABEL];  /* c, the token at pos+1 */
    int n, total;            /* rows filled, positions in all */
    int first;               /* first row shown (scrolling) */
    double mean, log_v;
    int V;
} CeCtx;

extern const ViewClass View_quiz, View_lesson_score, View_dot, View_nearest, View_matmul, View_softmax_demo,
    View_temperature, View_ce_table;

/* Shared by these views (views/dot.c): a number in exactly width columns, right-aligned,
 * "inf" / "NaN" spelled out. */
void LessonView_num(char *buf, size_t cap, double v, int width);
/* A horizontal bar of fraction f (0..1) in width cells with eighth blocks. */
void LessonView_bar(WINDOW *w, int y, int x, int width, double f);

#endif
