/* lesson.h - the classroom mode's screen (Screen_lesson) and its state (Lesson, the screen's
 * own: every function takes it as ls), shared by tui/lesson.c (pages,
 * keys, the frame) and tui/lesson_pages.c (the quiz's questions and the numbers of each
 * page's picture). Private to those two files. */
#ifndef SW_TUI_LESSON_H
#define SW_TUI_LESSON_H

#include "engine/lesson.h"
#include "tui/app.h"
#include "views/lesson_views.h"

/* The pages, in teaching order (each belongs to an outer station 0..7). */
typedef enum { PG_QUIZ, PG_DOT, PG_NEAR, PG_MATMUL, PG_SOFTMAX, PG_TEMP, PG_XENT, PG_SCORE, PG_ROUND,
               PG_NORM, PG_MASK, PG_ATTNSM, PG_GLOSS /* tui/lesson_more.c */ } PageKind;

typedef struct {
    PageKind kind;
    int station;   /* outer station number 0..7 */
    int quiz;      /* PG_QUIZ: which question */
} LessonPage;

#define QUIZ_MAX 16

/* One question of the shape quiz: the station (inner ones are in block 1). */
typedef struct {
    StationKind kind;
    int station;            /* outer station it belongs to */
    const char *choices[4]; /* letters only */
} QuizItem;

typedef struct {
    int answered, right;
    char given[48];
    char why[SW_ERR_LEN];
} QuizAnswer;

typedef struct {
    int init;
    LessonPage pages[32];
    int n_pages, page;
    /* quiz */
    QuizAnswer ans[QUIZ_MAX];
    char typed[40];
    int sel, unreadable;
    char why[SW_ERR_LEN];
    int jumping;            /* 'g' pressed: digits go to the jump */
    /* dot product and nearest tokens: indices into the list of all (b,t) tokens */
    int tok_a, tok_b, active;
    float *norms;           /* |E[v]| for every row, once per model */
    unsigned char *skip;    /* V bytes */
    float *col;             /* D floats: a column of the LM head */
    float *scratch;         /* 2V floats for the softmax demo */
    /* other pages */
    int mm_t, mm_col;       /* matmul: position (-1 last), which top-5 token's column */
    int sm_t;               /* softmax: position (-1 last) */
    float temp;             /* temperature page */
    int ce_first;           /* cross-entropy: first row shown */
    int rd_unit;            /* rounding page (tui/lesson_round.c): which output unit of Wq */
    int more_t, more_head, more_first; /* norm, mask, softmax pages: position (-1 default), head; glossary: first line */
} Lesson;

/* lesson_pages.c */
int LessonQuiz_count(void);
const QuizItem *LessonQuiz_item(int i);
StationRef LessonQuiz_station(int i);
/* The question's texts and choices for this model and trace. */
void LessonQuiz_fill(Lesson *ls, App *a, int i, QuizCtx *q);
/* Check an answer (typed, or a choice) and record it. */
void LessonQuiz_answer(Lesson *ls, App *a, int i, const char *answer);

/* Draw a page's picture into (y, h). Each returns nothing; errors are drawn in place. */
void LessonPage_quiz(Lesson *ls, App *a, const LessonPage *p, int y, int h);
void LessonPage_dot(Lesson *ls, App *a, int y, int h);
void LessonPage_near(Lesson *ls, App *a, int y, int h);
void LessonPage_matmul(Lesson *ls, App *a, int y, int h);
void LessonPage_softmax(Lesson *ls, App *a, int y, int h);
void LessonPage_temp(Lesson *ls, App *a, int y, int h);
void LessonPage_xent(Lesson *ls, App *a, int y, int h);
void LessonPage_score(Lesson *ls, App *a, int y, int h);
void LessonPage_round(Lesson *ls, App *a, int y, int h);   /* tui/lesson_round.c */
/* tui/lesson_more.c: the norm, mask, attention-softmax and glossary pages */
void LessonMore_title(PageKind k, char *buf, size_t cap);
const char *LessonMore_notice(PageKind k);
const char *LessonMore_keys(PageKind k);
void LessonMore_draw(Lesson *ls, App *a, PageKind k, int y, int h);
int LessonMore_key(Lesson *ls, App *a, PageKind k, int ch);

/* The (b,t) of the i-th real token of the trace (all rows in order); count when i < 0. */
int LessonTok_at(const Trace *t, int i, int *b, int *pos);

#endif
