/* quiz.c - the shape quiz: before a station is shown, the student says what shape comes out
 * of it (typed as letters or numbers, or picked from choices); then the verdict and the shape
 * with letters and numbers. Also the score at the end, question by question. */
#include "views/lesson_views.h"

#include <stdio.h>
#include <string.h>

static void quiz_draw(ViewCtx *vc) {
    QuizCtx *c = (QuizCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    c->used = 0;
    if (vc->h < 1 || vc->w < 30) return;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    const int gap = vc->zoom >= 2 ? 1 : 0;
    Crt_set(w, CA_MATHS);
    if (c->maths[0] && y < bottom) View_text(w, y++, X, W, c->maths, 1);
    Crt_set(w, CA_NORMAL);
    /* once answered, the verdict replaces what was known (room for the picture) */
    for (int i = 0; i < 2 && !c->answered; i++)
        if (c->known[i][0] && y < bottom) View_text(w, y++, X, W, c->known[i], 1);
    y += gap;
    if (y < bottom && !c->answered) {
        Crt_set(w, CA_TITLE);
        int used = View_text(w, y, X, W, c->question, 1);
        Crt_set(w, CA_DIM);
        if (!c->answered && used + 3 < W) View_text(w, y, X + used + 2, W - used - 2, "type it, or pick with ↑ ↓; then Enter", 1);
        Crt_set(w, CA_NORMAL);
        y++;
    }
    if (!c->answered) {
        /* the choices on one line */
        if (y < bottom && c->n_choices > 0) {
            int x = X + 2;
            for (int i = 0; i < c->n_choices && c->choices[i]; i++) {
                char b[64];
                snprintf(b, sizeof b, " %s ", c->choices[i]);
                int bw = View_width(b);
                if (x + bw > X + W) break;
                Crt_set(w, i == c->sel && !c->typed[0] ? CA_CURSOR : CA_NORMAL);
                View_text(w, y, x, bw, b, 0);
                Crt_set(w, CA_NORMAL);
                x += bw + 3;
            }
            y++;
        }
        y += gap;
        if (y < bottom) {
            Crt_set(w, CA_KEY);
            int used = View_text(w, y, X + 2, W - 2, "your answer: ", 0);
            Crt_set(w, c->typed[0] ? CA_CURSOR : CA_DIM);
            char t[64];
            snprintf(t, sizeof t, "%s_", c->typed);
            View_text(w, y, X + 2 + used, W - 2 - used, c->typed[0] ? t : "_  (empty: Enter takes the highlighted choice)", 1);
            Crt_set(w, CA_NORMAL);
            y++;
            /* large print: the typed answer big enough for the back row */
            if (vc->zoom >= 2 && c->typed[0] && y + 3 <= bottom) {
                Crt_set(w, CA_KEY);
                if (View_big(w, y, X + 2, W - 2, c->typed) > 0) y += 4;
                Crt_set(w, CA_NORMAL);
            }
        }
        if (c->unreadable && c->why[0] && y < bottom) {
            Crt_set(w, CA_ERROR);
            View_text(w, y++, X + 2, W - 2, c->why, 1);
            Crt_set(w, CA_NORMAL);
        }
    } else {
        if (y < bottom) {
            char line[512];
            if (c->right) snprintf(line, sizeof line, "%s  ✓ right: %s", c->question, c->answer);
            else if (c->given[0]) snprintf(line, sizeof line, "%s  ✗ you said %s; it is %s", c->question, c->given, c->answer);
            else snprintf(line, sizeof line, "%s  %s", c->question, c->answer);
            Crt_on(w, c->right ? CA_OK : c->given[0] ? CA_ERROR : CA_TITLE, A_BOLD);
            if (View_width(line) > W && y + 1 < bottom) {
                /* too long for one line: the question, then the verdict under it */
                size_t ql = strlen(c->question);
                View_text(w, y++, X, W, c->question, 1);
                View_text(w, y++, X + 2, W - 2, line + ql + 2, 1);
            } else {
                View_text(w, y++, X, W, line, 1);
            }
            Crt_set(w, CA_NORMAL);
        }
        if (!c->right && c->given[0] && c->why[0] && y < bottom) {
            Crt_set(w, CA_NORMAL);
            View_text(w, y++, X + 2, W - 2, c->why, 1);
        }
        /* large print: the shape itself, big */
        if (vc->zoom >= 2 && y + 3 <= bottom) {
            const char *big = View_big_width(c->answer) <= W - 2 ? c->answer : c->answer_letters;
            Crt_set(w, c->right ? CA_OK : CA_TITLE);
            if (View_big(w, y, X + 2, W - 2, big) > 0) y += 4;
            Crt_set(w, CA_NORMAL);
        }
    }
    c->used = y - vc->y;
}

static const char *const quiz_help[] = {
    "letters digits , ( )  type the shape, e.g. B,T,D or 2,6,64 (D hidden, d head size)",
    "↑ ↓ Tab          highlight a choice;  Enter checks (the typed answer, else the choice)",
    "Backspace        delete a typed character;  Esc clears",
    NULL,
};

const ViewClass View_quiz = {"shape quiz", quiz_draw, NULL, quiz_help};

static void score_draw(ViewCtx *vc) {
    ScoreCtx *c = (ScoreCtx *)vc;
    WINDOW *w = vc->win;
    View_clear(vc);
    if (vc->h < 1 || vc->w < 30) return;
    int y = vc->y;
    const int bottom = vc->y + vc->h, X = vc->x, W = vc->w;
    const int step = vc->zoom >= 2 && c->n * 2 + 3 <= vc->h ? 2 : 1;
    Crt_set(w, CA_TITLE);
    View_printf(w, y++, X, W, "score: %d right of %d questions (%d answered)", c->right, c->n, c->answered);
    Crt_set(w, CA_NORMAL);
    if (y < bottom) y++;
    int sw = 8;
    for (int i = 0; i < c->n; i++) {
        int a = View_width(c->station[i]);
        if (a > sw) sw = a;
    }
    if (sw > 30) sw = 30;
    for (int i = 0; i < c->n && y < bottom; i++, y += step) {
        const char *mark = c->state[i] == 1 ? "✓" : c->state[i] == 2 ? "✗" : "·";
        Crt_set(w, c->state[i] == 1 ? CA_OK : c->state[i] == 2 ? CA_ERROR : CA_DIM);
        View_text(w, y, X + 1, 2, mark, 0);
        Crt_set(w, CA_NORMAL);
        View_text(w, y, X + 3, sw, c->station[i], 1);
        Crt_set(w, CA_MATHS);
        View_text(w, y, X + 4 + sw, 22, c->answer[i], 1);
        Crt_set(w, CA_DIM);
        if (c->state[i] == 2) View_printf(w, y, X + 27 + sw, W - 27 - sw, "you said %s", c->given[i]);
        else if (c->state[i] == 0) View_text(w, y, X + 27 + sw, W - 27 - sw, "not answered", 1);
        Crt_set(w, CA_NORMAL);
    }
}

const ViewClass View_lesson_score = {"score", score_draw, NULL, NULL};
