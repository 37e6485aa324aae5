/* Comments out of the way: a test or a rule matches what code does, not
 * what a comment says about it, unless it asks for comments. The language
 * of a file comes from its extension, or its #! line; comments are blanked
 * to spaces, so offsets and line numbers stay those of the file. */
#ifndef HF_UTIL_COMMENTS_H
#define HF_UTIL_COMMENTS_H

#include <stddef.h>

#include "util/buf.h"

typedef enum {
    HF_LANG_NONE,    /* nothing is a comment */
    HF_LANG_SHELL,   /* # after a blank or ; & | (, outside quotes (which span lines) */
    HF_LANG_PYTHON,  /* # outside strings, and docstrings */
    HF_LANG_JS,      /* // and block comments, outside strings, templates and regex literals */
    HF_LANG_HASH,    /* YAML, TOML, dotenv, Makefile: # after a blank, outside quotes */
    HF_LANG_INI,     /* # or ; at the start of a line */
    HF_LANG_MARKDOWN /* HTML comments */
} hf_lang;

/* The language of path (its extension, else a #! line of text). */
hf_lang hf_lang_of(const char *path, const char *text, size_t len);
/* The language a #! line names: python, node (deno, bun), else shell;
 * HF_LANG_NONE without one. */
hf_lang hf_lang_of_shebang(const char *text, size_t len);

/* out holds a copy of text with its comments blanked (a #! line too,
 * whatever the language but none). */
void hf_strip_comments(hf_lang lang, const char *text, size_t len, hf_buf *out);

#endif
