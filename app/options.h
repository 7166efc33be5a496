/* options.h - what the command line asked for; filled by tui/main.c, read by the app and the ncurses program. */
#ifndef SW_OPTIONS_H
#define SW_OPTIONS_H

#include "engine/sw.h"
#include "engine/trace.h"
#include "views/view.h"

/* The most --top-k the program (not --dump/--json) shows: its top-k table's rows. */
#define OPTIONS_MAX_TOPK VIEW_MAXK

/* --save STATION --npy FILE / --npz FILE (app/npy.h) */
typedef struct { const char *station, *file; int npz; } SaveOpt;
#define OPTIONS_MAX_SAVE 16

typedef struct {
    const char *model;            /* --model NAME|PATH (NULL: the default model) */
    const char *tokenizer;        /* --tokenizer PATH (llama2.c) */
    const char *prompts[SW_MAX_B];/* --prompt TEXT (repeatable) */
    int n_prompts;                /* 0: the model's ready-made prompts */
    int top_k;                    /* --top-k K (default 10) */
    int max_new;                  /* --generate N (headless: tokens to generate) */
    int truncate;                 /* --truncate */
    int dump, json, logit_lens;   /* headless modes */
    int jsonl;                    /* --jsonl: one report per line of --prompt - / --prompt-file */
    SaveOpt save[OPTIONS_MAX_SAVE];/* --save STATION --npy FILE (repeatable), --save all --npz FILE */
    int n_save;
    int lesson;                   /* --lesson */
    int large;                    /* --large: large-print mode */
    int mono;                     /* --mono or NO_COLOR set */
    int contrast;                 /* --contrast: the high-contrast theme (projectors); c toggles it */
    int station;                  /* --station N: open at outer station N (-1: 0) */
    const char *station_name;     /* --station as given ("3.1.f", any Station_find number), or NULL */
    Sampler sampler;              /* --temperature --top-p --sample-top-k --seed */
    int threads;                  /* --threads N (0: automatic) */
    const char *note;             /* shown once on the status line (which default model opened) */
    const char *compare;          /* --compare PATH: a second model of the same shape and vocabulary */
    Model *compare_model;         /* it, opened and checked by tui/main.c (engine/compare.h), or NULL */
    int tour;                     /* --tour: a sentence for the room and a presenter line at each stop */
    const char *record;           /* --record FILE: the prompts, options and keys of this run */
    const char *replay;           /* --replay FILE: play a recorded demo */
    int replay_delay;             /* --replay-delay MS: a key every MS ms (0: Space plays the next) */
    const struct Demo *demo;      /* --replay's demo, read by tui/main.c (app/record.h) */
} Options;

/* The ready-made prompts when none are given (app/prompts.c): the lesson's B=2 batch for
 * GPT-2, story openings for TinyStories. Returns how many were written to out. */
int Prompts_default(const Model *m, const char **out, int cap);

#endif
