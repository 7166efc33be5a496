/* lesson.c - the classroom mode (shapewalk --lesson, or C in the walk): the forward pass as
 * a guided lesson. Each outer station starts with a shape quiz (the student types the output
 * shape or picks it; checked; the station's picture is revealed), and some stations carry the
 * lesson's ideas on the live model's numbers: the dot product and nearest tokens (1), the
 * matmul shape rule (5), softmax's overflow and temperature (6), cross-entropy (7); a score
 * at the end. Presenter keys: a station by number, large print (z), high contrast (c).
 *
 * Layout of the body: the lesson strip (stations, quiz marks, score), the page's title, one
 * sentence of what to notice, the picture, and the page's keys on the last line.
 */
#include "tui/lesson.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END_STATION 8   /* the score page */

static void add_page(Lesson *ls, PageKind k, int station, int quiz) {
    if (ls->n_pages >= (int)(sizeof ls->pages / sizeof *ls->pages)) return;
    LessonPage *p = &ls->pages[ls->n_pages++];
    p->kind = k;
    p->station = station;
    p->quiz = quiz;
}

static void build_pages(Lesson *ls) {
    ls->n_pages = 0;
    for (int s = 0; s <= 7; s++) {
        for (int i = 0; i < LessonQuiz_count(); i++)
            if (LessonQuiz_item(i)->station == s) add_page(ls, PG_QUIZ, s, i);
        if (s == 0) add_page(ls, PG_GLOSS, s, -1);
        if (s == 3) { add_page(ls, PG_NORM, s, -1); add_page(ls, PG_MASK, s, -1); add_page(ls, PG_ATTNSM, s, -1); }
        if (s == 1) { add_page(ls, PG_DOT, s, -1); add_page(ls, PG_NEAR, s, -1); }
        if (s == 3) add_page(ls, PG_ROUND, s, -1);
        if (s == 5) add_page(ls, PG_MATMUL, s, -1);
        if (s == 6) { add_page(ls, PG_SOFTMAX, s, -1); add_page(ls, PG_TEMP, s, -1); }
        if (s == 7) add_page(ls, PG_XENT, s, -1);
    }
    add_page(ls, PG_SCORE, END_STATION, -1);
}

static int first_page_of(Lesson *ls, int station) {
    for (int i = 0; i < ls->n_pages; i++)
        if (ls->pages[i].station == station) return i;
    return -1;
}

static const LessonPage *cur(Lesson *ls) { return &ls->pages[ls->page]; }

static int asking(Lesson *ls) {
    const LessonPage *p = cur(ls);
    return p->kind == PG_QUIZ && !ls->ans[p->quiz].answered;
}

static void *lesson_create(App *a) {
    Lesson *ls = calloc(1, sizeof *ls);
    if (!ls) return NULL;
    build_pages(ls);
    ls->temp = 1;
    ls->mm_t = ls->sm_t = -1;
    ls->more_t = -1;
    ls->tok_a = ls->tok_b = -1;   /* chosen once a trace exists */
    if (a->o && a->o->station >= 0) {
        int p = first_page_of(ls, a->o->station);
        if (p >= 0) ls->page = p;
    }
    if (a->o && a->o->large) App_set_contrast(a, 1);   /* presenter: large print comes with high contrast */
    return ls;
}

static void lesson_destroy(void *self) {
    Lesson *ls = self;
    free(ls->norms);
    free(ls->skip);
    free(ls->col);
    free(ls->scratch);
    free(ls);
}

static void go_page(Lesson *ls, App *a, int p) {
    if (p < 0) p = 0;
    if (p >= ls->n_pages) p = ls->n_pages - 1;
    if (p != ls->page) {
        ls->typed[0] = 0;
        ls->unreadable = 0;
        ls->why[0] = 0;
        ls->sel = 0;
    }
    ls->page = p;
}

/* Default tokens for the dot product: a is the second token of the last row (" cat" in
 * GPT-2's ready-made batch, " Lily" in the stories'), b the other prompt token whose
 * embedding points most nearly the same way. */
static void default_tokens(Lesson *ls, App *a) {
    const Trace *t = a->trace;
    if (!t || ls->tok_a >= 0) return;
    int n = LessonTok_at(t, -1, NULL, NULL), before = n - t->len[t->B - 1];
    int last = t->len[t->B - 1];
    ls->tok_a = before + (last > 1 ? 1 : 0);
    ls->tok_b = ls->tok_a > 0 ? ls->tok_a - 1 : (n > 1 ? 1 : 0);
    int ba = 0, pa = 0;
    if (LessonTok_at(t, ls->tok_a, &ba, &pa) != 0) return;
    int ida = Trace_id(t, ba, pa);
    float *rows = malloc(sizeof(float) * (size_t)a->m->c.dim * 2);   /* rows of a quantized E */
    const float *ea = Lesson_embedding(a->m, ida, rows);
    float best = -2;
    for (int i = 0; i < n && ea; i++) {
        int b = 0, p = 0;
        LessonTok_at(t, i, &b, &p);
        int id = Trace_id(t, b, p);
        const float *e = Lesson_embedding(a->m, id, rows ? rows + a->m->c.dim : NULL);
        if (id == ida || !e || id == Tokenizer_bos(a->m->tok)) continue;
        float c = Lesson_cosine(ea, e, a->m->c.dim);
        if (c > best) { best = c; ls->tok_b = i; }
    }
    free(rows);
}

/* ---- the walk at the same station ---- */

static void to_walk(Lesson *ls, App *a) {
    const LessonPage *p = cur(ls);
    char num[16];
    snprintf(num, sizeof num, "%d", p->station > 7 ? 0 : p->station);
    StationRef s;
    if (Station_find(&a->m->c, num, &s) != 0) s = (StationRef){ST_TOKENIZE, -1};
    if (p->kind == PG_QUIZ && LessonQuiz_station(p->quiz).kind >= ST_NORM1) s = LessonQuiz_station(p->quiz);   /* in block 1 */
    App_show(a, &Screen_walk, s);
    App_status(a, 0, "the walk at this station; C returns to the lesson");
}

/* ---- drawing ---- */

static void draw_strip(Lesson *ls, App *a, int y) {
    WINDOW *w = stdscr;
    const int W = a->cols;
    const LessonPage *p = cur(ls);
    int x = 0;
    Crt_set(w, CA_HEADER);
    for (int i = 0; i < W; i++) mvwaddch(w, y, i, ' ');
    x += View_text(w, y, x, W, " lesson │", 0);
    int right = 0, answered = 0;
    for (int s = 0; s <= END_STATION && x < W; s++) {
        char num[16];
        snprintf(num, sizeof num, s == END_STATION ? " score" : " %d", s);
        Crt_set(w, p->station == s ? CA_CURRENT : CA_HEADER);
        x += View_text(w, y, x, W - x, num, 0);
        for (int i = 0; i < LessonQuiz_count() && x < W; i++) {
            if (LessonQuiz_item(i)->station != s) continue;
            const QuizAnswer *an = &ls->ans[i];
            answered += an->answered;
            right += an->answered && an->right;
            int here = p->kind == PG_QUIZ && p->quiz == i;
            Crt_on(w, here ? CA_CURRENT : CA_HEADER, A_BOLD);
            x += View_text(w, y, x, W - x, !an->answered ? "·" : an->right ? "✓" : "✗", 0);
        }
        Crt_set(w, CA_HEADER);
    }
    char sc[64];
    snprintf(sc, sizeof sc, " │ %d of %d right │ page %d/%d ", right, answered, ls->page + 1, ls->n_pages);
    int sw = View_width(sc);
    if (x + sw <= W) View_text(w, y, W - sw, sw, sc, 0);
    Crt_set(w, CA_NORMAL);
}

static void page_title(Lesson *ls, App *a, const LessonPage *p, char *buf, size_t cap) {
    char label[96];
    switch (p->kind) {
    case PG_QUIZ: {
        Station_label(LessonQuiz_station(p->quiz), label, sizeof label);
        int n = 0, of = 0;
        for (int i = 0; i < LessonQuiz_count(); i++) { of++; if (i == p->quiz) n = of; }
        if (ls->ans[p->quiz].answered) snprintf(buf, cap, "%s — shape quiz %d of %d", label, n, of);
        else snprintf(buf, cap, "%s — shape quiz %d of %d: what shape comes out?", label, n, of);
        break;
    }
    case PG_DOT: snprintf(buf, cap, "1 embedding lookup — the dot product of two tokens' rows of E"); break;
    case PG_NEAR: snprintf(buf, cap, "1 embedding lookup — the nearest tokens in embedding space"); break;
    case PG_MATMUL: snprintf(buf, cap, "5 LM head — the matmul shape rule, and one entry by hand"); break;
    case PG_SOFTMAX: snprintf(buf, cap, "6 softmax — why the max is subtracted first"); break;
    case PG_TEMP: snprintf(buf, cap, "6 softmax — temperature"); break;
    case PG_XENT: snprintf(buf, cap, "7 next token — cross-entropy: how surprised was the model?"); break;
    case PG_SCORE: snprintf(buf, cap, "the shape quiz — your score"); break;
    case PG_ROUND: snprintf(buf, cap, "3 blocks — weights rounded to 8 or 4 bits: what happens to one dot product"); break;
    case PG_NORM: case PG_MASK: case PG_ATTNSM: case PG_GLOSS: LessonMore_title(p->kind, buf, cap); break;
    }
    (void)a;
}

static const char *page_notice(Lesson *ls, const LessonPage *p) {
    switch (p->kind) {
    case PG_QUIZ:
        if (ls->ans[p->quiz].answered) return Station_info(LessonQuiz_item(p->quiz)->kind)->notice;
        return "Every output shape follows from the input shapes and the one line of maths: keep the axes that stay, drop the ones that meet.";
    case PG_DOT:
        return "A dot product is multiply-pairs-and-add; the cosine divides out both lengths, so it measures direction only: 1 same, 0 unrelated, -1 opposite.";
    case PG_NEAR:
        return "Tokens the model uses alike get rows pointing the same way, so a token's neighbours are related words.";
    case PG_MATMUL:
        return "The inner D's meet and vanish, V appears - and each of the B·T·V logits is one dot product of a row of x with a column of the matrix.";
    case PG_SOFTMAX:
        return "In float, exp(1000) is inf and inf/inf is NaN; subtracting the max first gives the same probabilities and never overflows.";
    case PG_TEMP:
        return "Dividing the logits by T sharpens the distribution towards the argmax when T is small and flattens it towards uniform when T is large.";
    case PG_XENT:
        return "The loss is -log of the probability given to what really came next: 0 for a sure right guess, log V for uniform guessing.";
    case PG_ROUND:
        return "Each weight moves by up to half a step; the errors have mixed signs, so in a sum of D products most of them cancel.";
    case PG_NORM: case PG_MASK: case PG_ATTNSM: case PG_GLOSS: return LessonMore_notice(p->kind);
    case PG_SCORE:
        return "Every shape followed from the shapes before it; the matmul rule (..,n) @ (n,m) -> (..,m) did most of the work.";
    }
    return "";
}

static const char *page_keys(Lesson *ls, const LessonPage *p) {
    switch (p->kind) {
    case PG_QUIZ:
        return asking(ls) ? "type B,T,D or numbers · ↑↓ pick · ⏎ check · → skip · g 5 ⏎ jump · ? help"
                        : "→ ⏎ next · ← back · 5 ⏎ station 5 · w walk · c contrast · z large · ? help";
    case PG_DOT: return "↑↓ move the chosen token · Tab a/b · → next · ← back · 5 ⏎ station · ? help";
    case PG_NEAR: return "↑↓ choose the token · e edit the prompt · → next · ← back · ? help";
    case PG_MATMUL: return "↑↓ position t · Tab next column (top 5) · b row · → next · ← back · ? help";
    case PG_SOFTMAX: return "↑↓ position of the real logits · b row · → next · ← back · ? help";
    case PG_TEMP: return "t T ↑↓ temperature · b row · → next · ← back · 5 ⏎ station · ? help";
    case PG_XENT: return "↑↓ scroll · b row · e edit the prompt · → score · ← back · ? help";
    case PG_SCORE: return "R start the quiz again · Home first page · ← back · q quit";
    case PG_ROUND: return "↑↓ unit of Wq · b row · → next · ← back · 3 ⏎ station · ? help";
    case PG_NORM: case PG_MASK: case PG_ATTNSM: case PG_GLOSS: return LessonMore_keys(p->kind);
    }
    return "";
}

static void lesson_draw(App *a, void *self, int y, int h) {
    Lesson *ls = self;
    WINDOW *w = stdscr;
    const int W = a->cols;
    const int bottom = y + h;
    if (h < 6) return;
    const LessonPage *p = cur(ls);
    draw_strip(ls, a, y++);
    char title[256];
    page_title(ls, a, p, title, sizeof title);
    Crt_on(w, CA_TITLE, a->zoom >= 2 ? A_UNDERLINE : 0);
    View_text(w, y++, 0, W, title, 1);
    Crt_set(w, CA_KEY);
    char notice[512];
    snprintf(notice, sizeof notice, "Notice: %s", page_notice(ls, p));
    y += View_wrap(w, y, 0, W, h >= 22 ? 3 : 2, notice);
    Crt_set(w, CA_NORMAL);
    y++;
    /* the page's keys on the last line */
    Crt_set(w, CA_DIM);
    if (ls->jumping && !a->digits[0]) View_text(w, bottom - 1, 0, W, "go to station: type 0..7 (8 = score), then Enter; Esc cancels", 1);
    else View_text(w, bottom - 1, 0, W, page_keys(ls, p), 1);
    Crt_set(w, CA_NORMAL);
    int ph = bottom - 1 - y;
    if (ph < 2) return;
    if (!a->trace || a->busy_gen) {
        App_message(y, W, CA_DIM, a->busy_gen ? "generating a token..." : "running the forward pass...");
        return;
    }
    default_tokens(ls, a);
    switch (p->kind) {
    case PG_QUIZ: LessonPage_quiz(ls, a, p, y, ph); break;
    case PG_DOT: LessonPage_dot(ls, a, y, ph); break;
    case PG_NEAR: LessonPage_near(ls, a, y, ph); break;
    case PG_MATMUL: LessonPage_matmul(ls, a, y, ph); break;
    case PG_SOFTMAX: LessonPage_softmax(ls, a, y, ph); break;
    case PG_TEMP: LessonPage_temp(ls, a, y, ph); break;
    case PG_XENT: LessonPage_xent(ls, a, y, ph); break;
    case PG_SCORE: LessonPage_score(ls, a, y, ph); break;
    case PG_ROUND: LessonPage_round(ls, a, y, ph); break;
    case PG_NORM: case PG_MASK: case PG_ATTNSM: case PG_GLOSS: LessonMore_draw(ls, a, p->kind, y, ph); break;
    }
}

static void lesson_where(App *a, void *self, char *buf, size_t cap) {
    Lesson *ls = self;
    const LessonPage *p = cur(ls);
    if (p->station > 7) snprintf(buf, cap, "lesson · score · page %d/%d", ls->page + 1, ls->n_pages);
    else snprintf(buf, cap, "lesson · station %d · page %d/%d", p->station, ls->page + 1, ls->n_pages);
}

/* ---- keys ---- */

static int jump_key(Lesson *ls, App *a, int ch) {
    size_t nd = strlen(a->digits);
    if (ch >= '0' && ch <= '9') {
        if (nd + 1 < sizeof a->digits) { a->digits[nd] = (char)ch; a->digits[nd + 1] = 0; }
        return 1;
    }
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        int s = a->digits[0] ? atoi(a->digits) : -1;
        int pg = first_page_of(ls, s);
        if (pg < 0) App_status(a, 1, "no station %s in the lesson: 0..7, or 8 for the score", a->digits);
        else { go_page(ls, a, pg); App_status(a, 0, " "); }
        a->digits[0] = 0;
        ls->jumping = 0;
        return 1;
    }
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (nd > 0) a->digits[nd - 1] = 0;
        else ls->jumping = 0;
        return 1;
    }
    /* anything else cancels */
    a->digits[0] = 0;
    ls->jumping = 0;
    return ch == 27;
}

/* Characters a typed shape may contain; the rest stay commands. */
static int shape_char(int ch) {
    return (ch >= '0' && ch <= '9') || ch == ',' || ch == '(' || ch == ')' || ch == ' ' || (ch < 128 && strchr("BTDVFHKbtdvfh", ch) && ch);
}

static int quiz_key(Lesson *ls, App *a, int ch) {
    const LessonPage *p = cur(ls);
    size_t n = strlen(ls->typed);
    if (shape_char(ch)) {
        if (ch == ' ' && n == 0) return 1;
        if (n + 1 < sizeof ls->typed) { ls->typed[n] = (char)ch; ls->typed[n + 1] = 0; }
        ls->unreadable = 0;
        return 1;
    }
    switch (ch) {
    case KEY_BACKSPACE: case 127: case 8:
        if (n > 0) ls->typed[n - 1] = 0;
        ls->unreadable = 0;
        return 1;
    case 27:
        ls->typed[0] = 0;
        ls->unreadable = 0;
        return 1;
    case KEY_UP: case KEY_BTAB:
        ls->sel = (ls->sel + 3) % 4;
        ls->typed[0] = 0;
        return 1;
    case KEY_DOWN: case '\t':
        ls->sel = (ls->sel + 1) % 4;
        ls->typed[0] = 0;
        return 1;
    case '\n': case '\r': case KEY_ENTER: {
        if (!a->trace || a->busy_gen) {
            App_status(a, 1, "wait a moment: the forward pass is still running");
            return 1;
        }
        /* one bare number for a shape of several axes is most likely a station to go to */
        if (ls->typed[0] && strspn(ls->typed, "0123456789") == n) {
            LessonShape want;
            Lesson_station_shape(&a->m->c, LessonQuiz_station(p->quiz), a->trace ? a->trace->B : a->B, a->trace ? a->trace->T : 0, &want);
            if (want.n > 1) {
                snprintf(ls->why, sizeof ls->why, "one number is not a shape of %d axes; to go to station %s press g %s Enter", want.n,
                         ls->typed, ls->typed);
                ls->unreadable = 1;
                return 1;
            }
        }
        const char *ans = ls->typed[0] ? ls->typed : LessonQuiz_item(p->quiz)->choices[ls->sel];
        char copy[48];
        snprintf(copy, sizeof copy, "%s", ans);
        LessonQuiz_answer(ls, a, p->quiz, copy);
        return 1;
    }
    }
    return 0;
}

static void move_token(Lesson *ls, App *a, int d) {
    int n = LessonTok_at(a->trace, -1, NULL, NULL);
    if (n <= 0) return;
    int *t = ls->active && cur(ls)->kind == PG_DOT ? &ls->tok_b : &ls->tok_a;
    *t = ((*t + d) % n + n) % n;
}

static int page_key(Lesson *ls, App *a, int ch) {
    const LessonPage *p = cur(ls);
    Trace *t = a->trace;
    int up = ch == KEY_UP || ch == ',' || ch == 'k';
    int down = ch == KEY_DOWN || ch == '.' || ch == 'j';
    switch (p->kind) {
    case PG_DOT:
    case PG_NEAR:
        if (up || down) { move_token(ls, a, down ? 1 : -1); return 1; }
        if (ch == '\t' && p->kind == PG_DOT) { ls->active = !ls->active; return 1; }
        break;
    case PG_MATMUL:
    case PG_SOFTMAX: {
        int *pt = p->kind == PG_MATMUL ? &ls->mm_t : &ls->sm_t;
        if (t && (up || down)) {
            int len = t->len[a->vc.b < t->B ? a->vc.b : 0];
            int pos = *pt < 0 || *pt >= len ? len - 1 : *pt;
            pos += down ? 1 : -1;
            if (pos < 0) pos = 0;
            if (pos >= len) pos = len - 1;
            *pt = pos == len - 1 ? -1 : pos;   /* the last position follows the prompt */
            return 1;
        }
        if (ch == '\t' && p->kind == PG_MATMUL) { ls->mm_col = (ls->mm_col + 1) % 5; return 1; }
        break;
    }
    case PG_TEMP:
        if (ch == 't' || ch == KEY_UP || ch == 'T' || ch == KEY_DOWN) {
            float f = (ch == 't' || ch == KEY_UP) ? 1.5f : 1 / 1.5f;
            float tt = ls->temp * f;
            if (tt < 0.05f) tt = 0.05f;
            if (tt > 100) tt = 100;
            if (tt > 0.9f && tt < 1.1f) tt = 1;
            ls->temp = tt;
            return 1;
        }
        break;
    case PG_ROUND:
        if (up || down) { ls->rd_unit += down ? 1 : -1; return 1; }
        break;
    case PG_XENT:
        if (up) { if (ls->ce_first > 0) ls->ce_first--; return 1; }
        if (down) { ls->ce_first++; return 1; }
        break;
    case PG_SCORE:
        if (ch == 'R') {
            memset(ls->ans, 0, sizeof ls->ans);
            go_page(ls, a, 0);
            App_status(a, 0, "the quiz starts again");
            return 1;
        }
        break;
    case PG_NORM: case PG_MASK: case PG_ATTNSM: case PG_GLOSS: return LessonMore_key(ls, a, p->kind, ch);
    case PG_QUIZ:
        break;
    }
    return 0;
}

static int lesson_key(App *a, void *self, int ch) {
    Lesson *ls = self;
    if (ls->jumping || a->digits[0]) return jump_key(ls, a, ch);
    if (asking(ls) && quiz_key(ls, a, ch)) return 1;
    if (page_key(ls, a, ch)) return 1;
    switch (ch) {
    case KEY_RIGHT: case KEY_NPAGE: case ' ': case '\n': case '\r': case KEY_ENTER: case 'l':
        go_page(ls, a, ls->page + 1);
        return 1;
    case KEY_LEFT: case KEY_PPAGE: case KEY_BACKSPACE: case 127: case 8: case 'h':
        go_page(ls, a, ls->page - 1);
        return 1;
    case KEY_HOME: go_page(ls, a, 0); return 1;
    case KEY_END: go_page(ls, a, first_page_of(ls, END_STATION)); return 1;   /* the score */
    case 'g': case 'G': ls->jumping = 1; a->digits[0] = 0; return 1;
    case 'w': case 'W': case 27: to_walk(ls, a); return 1;
    case 'C':   /* c (the program's key) and C: high contrast */
        App_set_contrast(a, !a->contrast);
        App_status(a, 0, "%s", a->contrast ? "high contrast" : "normal colours");
        return 1;
    case 'b': case 'B':
        if (a->trace && a->trace->B > 1) a->vc.b = (a->vc.b + 1) % a->trace->B;
        return 1;
    }
    if (ch >= '0' && ch <= '9') {
        /* a station number: the app sends the next digits and Enter here too */
        a->digits[0] = (char)ch;
        a->digits[1] = 0;
        return 1;
    }
    return 0;
}

static void lesson_enter(App *a, void *self) {
    Lesson *ls = self;
    /* the walk's station, unless the lesson is already there */
    StationRef s;
    int num = App_station_of(a, &Screen_walk, &s) ? Station_outer_number(s.kind) : 0;
    int pg = first_page_of(ls, num);
    if (pg >= 0 && cur(ls)->station != num) go_page(ls, a, pg);
    App_status(a, 0, "lesson: → next page, ← back, a station number + Enter jumps, w back to the walk");
}

static const char *const lesson_help[] = {
    "→ Space Enter    next page;  ← Backspace  previous page",
    "0..7 Enter       a station's first page (8: score); on a quiz: g 5 Enter",
    "Home End         the first page / the score",
    "quiz: B,T,D      type the shape: letters B T D V h d F, or 2,6,64",
    "quiz: ↑ ↓ Tab    highlight a choice; Enter checks (typed, else choice)",
    "↑ ↓ , .          the token (dot, nearest) or the position (matmul ...)",
    "Tab              dot product: a or b moves; matmul: the next column",
    "Tab (mask, softmax pages)  the next attention head; ↑ ↓ the query t",
    "t T              temperature up / down (temperature page)",
    "b                the batch row",
    "w Esc            this station in the walk (C comes back)",
    "c                high contrast on/off;  z  large print (projector)",
    "R                on the score page: start the quiz again",
    NULL,
};

static int lesson_takes_text(App *a, void *self) {
    Lesson *ls = self;
    return ls->n_pages > 0 && asking(ls);
}

/* the page's own keys are on the lesson's last line; the status line has the rest */
static const char *lesson_hint(App *a, void *self) {
    return "w walk  c contrast  z large  g N ⏎ station N  ? help  q quit";
}

const Screen Screen_lesson = {
    .name = "lesson", .hotkey = 'C', .create = lesson_create, .destroy = lesson_destroy, .enter = lesson_enter,
    .draw = lesson_draw, .key = lesson_key, .help = lesson_help, .where = lesson_where, .hint = lesson_hint,
    .takes_text = lesson_takes_text,
};
