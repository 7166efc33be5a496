/* compare_out.h - the --compare report of --json (a "compare" object) and --dump (the
 * totals): the options' second model run on the trace's tokens (engine/compare.h). */
#ifndef SW_COMPARE_OUT_H
#define SW_COMPARE_OUT_H

#include <cJSON.h>
#include <stdio.h>

#include "app/options.h"
#include "engine/compare.h"

/* A short name for a model in reports: its file's name ("stories260K-q4_0.gguf"). */
const char *CompareOut_name(const Model *m);

/* When o->compare_model is set: add root["compare"] for the first plen[b] tokens of each row
 * (plen NULL: all). 0, or -1 with one line on errf. Nothing to do: 0. */
int CompareOut_json(cJSON *root, Trace *t, const Options *o, const int *plen, FILE *errf);
/* The same for --dump: the totals, the flips and the mean drift per block, as text. */
int CompareOut_dump(FILE *out, Trace *t, const Options *o, FILE *errf);

#endif
