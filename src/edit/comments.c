/* Blanking comments per language (see comments.h). The scanners know
 * strings well enough not to take a '#' or '//' inside one for a comment;
 * they are not parsers, and where a language is ambiguous (a JavaScript
 * regex literal, a shell heredoc) they keep the text rather than drop it. */
#include "edit/comments.h"

#include <string.h>

#include "util/path.h"

static int ext_is(const char *ext, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(ext, *list) == 0)
            return 1;
    return 0;
}

hf_lang hf_lang_of(const char *path, const char *text, size_t len)
{
    static const char *const shell[] = {".sh", ".bash", ".zsh", ".ksh", NULL};
    static const char *const js[] = {".js",  ".mjs", ".cjs", ".ts", ".mts",
                                     ".cts", ".jsx", ".tsx", NULL};
    static const char *const hash[] = {".yml",  ".yaml", ".toml", ".env", ".cfg",
                                       ".conf", ".mk",   ".txt",  NULL};
    static const char *const md[] = {".md", ".markdown", NULL};
    const char *base = path ? hf_path_basename(path) : "";
    const char *ext = strrchr(base, '.');
    if (ext && ext != base) {
        if (ext_is(ext, shell))
            return HF_LANG_SHELL;
        if (!strcmp(ext, ".py") || !strcmp(ext, ".pyi"))
            return HF_LANG_PYTHON;
        if (ext_is(ext, js))
            return HF_LANG_JS;
        if (ext_is(ext, hash))
            return HF_LANG_HASH;
        if (!strcmp(ext, ".ini"))
            return HF_LANG_INI;
        if (ext_is(ext, md))
            return HF_LANG_MARKDOWN;
    }
    if (base[0] == '.' && !strncmp(base, ".env", 4))
        return HF_LANG_HASH;
    if (!strcmp(base, "Makefile") || !strcmp(base, "Dockerfile") || !strcmp(base, "Containerfile"))
        return HF_LANG_HASH;
    if (text && len > 2 && text[0] == '#' && text[1] == '!') {
        const char *nl = memchr(text, '\n', len);
        size_t n = nl ? (size_t)(nl - text) : len;
        if (memmem(text, n, "python", 6))
            return HF_LANG_PYTHON;
        if (memmem(text, n, "node", 4) || memmem(text, n, "deno", 4) || memmem(text, n, "bun", 3))
            return HF_LANG_JS;
        return HF_LANG_SHELL;
    }
    return HF_LANG_NONE;
}

/* Blanks [from, to) of s, keeping line breaks. */
static void blank(char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] != '\n' && s[i] != '\r')
            s[i] = ' ';
}

static size_t line_end(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] != '\n')
        i++;
    return i;
}

/* A quoted string starting at s[i] (the quote); returns the index after it
 * (or the end of the line for an unterminated one). */
static size_t skip_quoted(const char *s, size_t len, size_t i, int escapes, int multiline)
{
    char q = s[i++];
    while (i < len && s[i] != q) {
        if (s[i] == '\n' && !multiline)
            return i;
        if (escapes && s[i] == '\\')
            i++;
        i++;
    }
    return i < len ? i + 1 : len;
}

static void strip_shell(char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\'') {
            i = skip_quoted(s, len, i, 0, 1);
        } else if (c == '"') {
            i = skip_quoted(s, len, i, 1, 1);
        } else if (c == '\\') {
            i += 2;
        } else if (c == '$' && i + 1 < len && (s[i + 1] == '#' || s[i + 1] == '{')) {
            i += 2; /* $# and ${#var} are not comments */
        } else if (c == '#' &&
                   (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' ||
                    s[i - 1] == ';' || s[i - 1] == '&' || s[i - 1] == '|' || s[i - 1] == '(')) {
            size_t e = line_end(s, len, i);
            blank(s, i, e);
            i = e;
        } else {
            i++;
        }
    }
}

static void strip_python(char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\'' || c == '"') {
            if (i + 2 < len && s[i + 1] == c && s[i + 2] == c) {
                const char *end = NULL;
                for (size_t j = i + 3; j + 2 < len && !end; j++) {
                    if (s[j] == '\\') {
                        j++;
                        continue;
                    }
                    if (s[j] == c && s[j + 1] == c && s[j + 2] == c)
                        end = s + j;
                }
                i = end ? (size_t)(end - s) + 3 : len;
            } else {
                i = skip_quoted(s, len, i, 1, 0);
            }
        } else if (c == '#') {
            size_t e = line_end(s, len, i);
            blank(s, i, e);
            i = e;
        } else {
            i++;
        }
    }
}

/* Whether a '/' at s[i] starts a regex literal: after an operator, an
 * opening bracket or at the start, not after a value. */
static int regex_start(const char *s, size_t i)
{
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
        i--;
    if (i == 0)
        return 1;
    return strchr("(,=:[!&|?{};+-*%<>~^\n", s[i - 1]) != NULL;
}

static void strip_js(char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\'' || c == '"') {
            i = skip_quoted(s, len, i, 1, 0);
        } else if (c == '`') {
            i = skip_quoted(s, len, i, 1, 1);
        } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            size_t e = line_end(s, len, i);
            blank(s, i, e);
            i = e;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len && !end; j++)
                if (s[j] == '*' && s[j + 1] == '/')
                    end = s + j;
            size_t e = end ? (size_t)(end - s) + 2 : len;
            blank(s, i, e);
            i = e;
        } else if (c == '/' && regex_start(s, i)) {
            size_t j = i + 1;
            int in_class = 0;
            while (j < len && s[j] != '\n' && (in_class || s[j] != '/')) {
                if (s[j] == '\\')
                    j++;
                else if (s[j] == '[')
                    in_class = 1;
                else if (s[j] == ']')
                    in_class = 0;
                j++;
            }
            i = j < len && s[j] == '/' ? j + 1 : i + 1;
        } else {
            i++;
        }
    }
}

static void strip_hash(char *s, size_t len, int ini)
{
    size_t bol = 0;
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\n') {
            bol = ++i;
            continue;
        }
        int at_start = 1;
        for (size_t k = bol; k < i; k++)
            if (s[k] != ' ' && s[k] != '\t')
                at_start = 0;
        if (ini) {
            if ((c == '#' || c == ';') && at_start) {
                size_t e = line_end(s, len, i);
                blank(s, i, e);
                i = e;
            } else {
                i = line_end(s, len, i);
            }
            continue;
        }
        if ((c == '\'' || c == '"') && !at_start && i > bol && s[i - 1] != ' ' && s[i - 1] != ':' &&
            s[i - 1] != '=' && s[i - 1] != '[' && s[i - 1] != ',' && s[i - 1] != '{') {
            i++; /* a quote inside a word (don't, it's) opens no string */
        } else if (c == '\'' || c == '"') {
            i = skip_quoted(s, len, i, c == '"', 0);
        } else if (c == '#' && (at_start || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            size_t e = line_end(s, len, i);
            blank(s, i, e);
            i = e;
        } else {
            i++;
        }
    }
}

static void strip_markdown(char *s, size_t len)
{
    for (size_t i = 0; i + 3 < len;) {
        if (!memcmp(s + i, "<!--", 4)) {
            const char *end = NULL;
            for (size_t j = i + 4; j + 2 < len && !end; j++)
                if (!memcmp(s + j, "-->", 3))
                    end = s + j;
            size_t e = end ? (size_t)(end - s) + 3 : len;
            blank(s, i, e);
            i = e;
        } else {
            i++;
        }
    }
}

void hf_strip_comments(hf_lang lang, const char *text, size_t len, hf_buf *out)
{
    hf_buf_clear(out);
    hf_buf_put(out, text, len);
    char *s = out->ptr;
    if (!s)
        return;
    switch (lang) {
    case HF_LANG_SHELL:
        strip_shell(s, len);
        break;
    case HF_LANG_PYTHON:
        strip_python(s, len);
        break;
    case HF_LANG_JS:
        strip_js(s, len);
        break;
    case HF_LANG_HASH:
        strip_hash(s, len, 0);
        break;
    case HF_LANG_INI:
        strip_hash(s, len, 1);
        break;
    case HF_LANG_MARKDOWN:
        strip_markdown(s, len);
        break;
    case HF_LANG_NONE:
        break;
    }
}
