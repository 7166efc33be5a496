/* refjson.h - reading the reference.json files in ../shared/models/NAME/ (the numbers of an
 * independent PyTorch implementation: prompts with their ids, top-10, per-position stats,
 * logit lens, greedy continuation). Include after check.h. A key the tests ask for that
 * the file does not have is a FAIL, never a crash. */
#ifndef SW_REFJSON_H
#define SW_REFJSON_H

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/sw.h"

/* The parsed file at path, or NULL (unreadable, over 64 MiB, or not JSON). cJSON_Delete it. */
static inline cJSON *refjson_load(const char *path) {
    char err[SW_ERR_LEN];
    char *s = sw_read_file(path, NULL, 64u << 20, err);
    if (!s) return NULL;
    cJSON *j = cJSON_Parse(s);
    free(s);
    return j;
}

/* o[k] as a number, or NaN when o has no number k (an optional key). */
static inline double refjson_opt(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* o[k] as a number; NaN and a FAIL line when o has no number k. */
static inline double refjson_num(const cJSON *o, const char *k) {
    if (!cJSON_IsNumber(cJSON_GetObjectItem(o, k))) {
        fail("reference.json", "no number \"%s\" where the test expects one", k);
        return NAN;
    }
    return refjson_opt(o, k);
}

/* The integers of a JSON array into out (at most cap); returns how many. */
static inline int refjson_ints(const cJSON *arr, int *out, int cap) {
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) if (n < cap) out[n++] = e->valueint;
    return n;
}

/* The "text" of each of ref's "prompts" into texts (at most cap); returns how many, stopping
 * (with a FAIL line) at a prompt without text. */
static inline int refjson_prompts(const cJSON *ref, const char **texts, int cap) {
    int n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(ref, "prompts")) {
        if (n >= cap) break;
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(p, "text"));
        if (!s) {
            fail("reference.json", "prompt %d has no \"text\"", n);
            break;
        }
        texts[n++] = s;
    }
    return n;
}

#endif
