/* Path globs as the configuration writes them: `*` and `?` stay within one
 * path segment, `**` spans any number of segments (including none), `[...]`
 * is a character class (`[!...]` negates), `{a,b}` alternatives. A pattern
 * matches the whole repository-relative path. */
#ifndef HF_UTIL_GLOB_H
#define HF_UTIL_GLOB_H

#include <stddef.h>

#include "util/error.h"

/* Checks syntax; on error, *offset is the 0-based byte offset of the problem. */
int hf_glob_check(const char *pattern, size_t *offset, hf_error *err);

/* 1 when path matches pattern, 0 otherwise. Patterns are assumed checked. */
int hf_glob_match(const char *pattern, const char *path);

/* True when the pattern has no glob syntax, so it names one path. */
int hf_glob_is_literal(const char *pattern);

#endif
