/* Files on disk: bounded reads and atomic writes (temp file + rename), so an
 * interrupted run never leaves a half-written report or state file. */
#ifndef HF_UTIL_FS_H
#define HF_UTIL_FS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/* Reads a regular file (symlinks refused when nofollow) of at most max bytes. */
int hf_fs_read(hf_buf *out, const char *path, size_t max, int nofollow, hf_error *err);
/* Writes data to path via "path.tmp-XXXXXX" and rename(2). */
int hf_fs_write_atomic(const char *path, const void *data, size_t len, hf_error *err);
/* mkdir -p; mode 0777 before umask. */
int hf_fs_mkdirs(const char *path, hf_error *err);
/* Joins a and b with one '/'. */
void hf_fs_join(hf_buf *out, const char *a, const char *b);

#endif
