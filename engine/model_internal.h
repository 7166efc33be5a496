/* model_internal.h - what model.c, model_gpt2.c and model_llama.c share (not a public API). */
#ifndef SW_MODEL_INTERNAL_H
#define SW_MODEL_INTERNAL_H

#include "model.h"

/* Each loader fills everything but m->path (Model_open sets it). */
Model *Model_open_gpt2(const char *dir, const char *tok_path, char *err);
Model *Model_open_llama(const char *bin, const char *tok_path, char *err);
Model *Model_open_gguf(const char *path, const char *tok_path, char *err);

/* 1 if the first bytes look like a llama2.c header: 7 int32, all positive (vocab_size may be
 * negative), none absurdly large. Also 1 for llama2.c's newer "ak42" exports, so that the
 * llama loader can say they are not supported. */
int model_llama_header_plausible(const uint8_t *p, size_t len);

/* Last path component without trailing slashes ("a/b/stories260K.bin/" -> "stories260K.bin"). */
void model_basename(const char *path, char *out, size_t cap);
/* Folder part of a file path ("a/b.bin" -> "a", "b.bin" -> "."). */
void model_dirname(const char *path, char *out, size_t cap);
int model_is_file(const char *path);
int model_is_dir(const char *path);

#endif
