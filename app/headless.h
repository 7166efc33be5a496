/* headless.h - shapewalk without a terminal: the shape walk as text (--dump) and the
 * prompt's token probabilities as JSON (--json, --logit-lens). No ncurses here. */
#ifndef SW_HEADLESS_H
#define SW_HEADLESS_H

#include <stdio.h>

#include "app/options.h"

/* Run the options' prompts (or the model's ready prompts) and print the report to out;
 * errors go to errf as one line. Returns the exit code (0 on success). */
int Headless_run(Model *m, const Options *o, FILE *out, FILE *errf);
/* --jsonl: each line of in (named src in errors) is one prompt; out gets one JSON object per
 * line, the --json report plus "line" (1-based) and "model_loads", or {"line", "error"} for a
 * line that cannot run (the rest go on). Returns 1 when any line failed, else 0. */
int Headless_jsonl(Model *m, const Options *o, FILE *in, const char *src, FILE *out, FILE *errf);


#endif
