/* Repository-relative paths: every path handoff takes from configuration or
 * writes into a tree is relative, normalised, and confined to the repo. */
#ifndef HF_UTIL_PATH_H
#define HF_UTIL_PATH_H

#include "util/buf.h"
#include "util/error.h"

/* Normalises `path` into `out` ("./a//b/" -> "a/b"). Refuses empty paths,
 * absolute paths, any ".." component, NUL-free control characters and
 * backslashes (which would mean a different path on Windows checkouts). */
int hf_path_normalize(hf_buf *out, const char *path, hf_error *err);

/* The last component ("a/b.yml" -> "b.yml"); points into path. */
const char *hf_path_basename(const char *path);

/* True when `path` equals `dir` or lies beneath it. */
int hf_path_under(const char *path, const char *dir);

#endif
