/* Comments out of the way: a text test matches what code does, not what a
 * comment says about it, unless the test asks for comments. The language of
 * a file comes from its extension (or a shebang); comments are blanked to
 * spaces, so offsets and line numbers stay those of the file. */
#ifndef HF_EDIT_COMMENTS_H
#define HF_EDIT_COMMENTS_H

#include <stddef.h>

#include "util/buf.h"

typedef enum {
    HF_LANG_NONE,    /* nothing is a comment */
    HF_LANG_SHELL,   /* # */
    HF_LANG_PYTHON,  /* # outside strings */
    HF_LANG_JS,      /* // and block comments, outside strings and regex literals */
    HF_LANG_HASH,    /* YAML, TOML, dotenv, Makefile: # after whitespace, outside quotes */
    HF_LANG_INI,     /* # or ; at the start of a line */
    HF_LANG_MARKDOWN /* HTML comments */
} hf_lang;

/* The language of path (its extension, else a #! line of text). */
hf_lang hf_lang_of(const char *path, const char *text, size_t len);

/* Replaces text (len bytes) in out by a copy whose comments are spaces
 * (line breaks inside block comments are kept). */
void hf_strip_comments(hf_lang lang, const char *text, size_t len, hf_buf *out);

#endif
