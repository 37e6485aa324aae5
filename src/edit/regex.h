/* PCRE2 for recipe patterns: compiled with JIT, run with match, depth and
 * heap limits, so a catastrophic pattern fails with a clear error instead of
 * hanging a fleet run. Subjects must be valid UTF-8 (text files are checked
 * before they are edited). */
#ifndef HF_EDIT_REGEX_H
#define HF_EDIT_REGEX_H

#include <stddef.h>

#include "config/node.h"
#include "edit/template.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct hf_regex hf_regex;

/* `^`/`$` match at line boundaries. where: the pattern's place in the
 * configuration, for messages. */
int hf_regex_compile(hf_regex **out, const char *pattern, hf_mark where, hf_error *err);
void hf_regex_free(hf_regex *re);

/* Searches subject from offset: 1 and the match range when found, 0 when
 * not, -1 on error (limits hit). path names the subject in messages. */
int hf_regex_search(hf_regex *re, const char *subject, size_t len, size_t offset, const char *path,
                    size_t *mstart, size_t *mend, hf_error *err);

/* Sets every named group of the last successful search as a variable (an
 * unset group gives ""). */
void hf_regex_captures(const hf_regex *re, const char *subject, hf_vars *vars);

/* Names of the pattern's named groups (borrowed strings, valid while re). */
void hf_regex_group_names(const hf_regex *re, hf_vec *names);

/* Replaces every match in subject (PCRE2 substitution syntax: $1, ${name},
 * $$; a GitHub `${{` is kept literally). count: matches replaced. */
int hf_regex_substitute(hf_regex *re, const char *subject, size_t len, const char *replacement,
                        const char *path, hf_buf *out, size_t *count, hf_error *err);

/* Compiled patterns of one worker, keyed by the address of the pattern
 * string (the configuration keeps it for the whole run), so a pattern a
 * predicate uses on every job of every repo is compiled once. Not
 * thread-safe: one per worker. */
typedef struct hf_regex_cache hf_regex_cache;

hf_regex_cache *hf_regex_cache_new(void);
void hf_regex_cache_free(hf_regex_cache *c);
/* The compiled pattern (owned by the cache). */
int hf_regex_cache_get(hf_regex_cache *c, const char *pattern, hf_mark where, hf_regex **out,
                       hf_error *err);

#endif
