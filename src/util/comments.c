/* Blanking comments per language (see comments.h). The scanners know
 * strings well enough not to take a '#' or '//' inside one for a comment;
 * they are not parsers, and where a language is ambiguous (a JavaScript
 * regex literal, a shell heredoc) they keep the text rather than drop it. */
#include "util/comments.h"

#include <stdbool.h>
#include <string.h>

#include "util/path.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

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
    return hf_lang_of_shebang(text, len);
}

hf_lang hf_lang_of_shebang(const char *text, size_t len)
{
    if (!text || len < 2 || text[0] != '#' || text[1] != '!')
        return HF_LANG_NONE;
    const char *nl = memchr(text, '\n', len);
    size_t n = nl ? (size_t)(nl - text) : len;
    if (memmem(text, n, "python", 6))
        return HF_LANG_PYTHON;
    if (memmem(text, n, "node", 4) || memmem(text, n, "deno", 4) || memmem(text, n, "bun", 3))
        return HF_LANG_JS;
    return HF_LANG_SHELL;
}

/* Blanks bytes [from, to) of out, keeping line ends. */
static void blank(char *out, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (out[i] != '\n' && out[i] != '\r')
            out[i] = ' ';
}

static size_t line_end(const char *s, size_t n, size_t i)
{
    const char *nl = memchr(s + i, '\n', n - i);
    return nl ? (size_t)(nl - s) : n;
}

/* YAML, TOML, Dockerfile, Makefile, env files and, with shell, scripts: `#`
 * starts a comment at the start of a line or after a blank (in shell also
 * after ; & | or a parenthesis), outside quotes. Quotes span lines only in
 * shell; an apostrophe inside a word (don't) opens none. */
static void blank_hash(const char *s, size_t n, char *out, bool shell)
{
    bool sq = false, dq = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' && !shell) {
            sq = dq = false;
        } else if (sq) {
            sq = c != '\'';
        } else if (dq) {
            if (c == '\\' && i + 1 < n && s[i + 1] != '\n')
                i++;
            else
                dq = c != '"';
        } else if (c == '\\' && i + 1 < n && s[i + 1] != '\n') {
            i++;
        } else if (c == '"') {
            dq = true;
        } else if (c == '\'' && (i == 0 || !is_word(s[i - 1]))) {
            sq = true;
        } else if (c == '#' && (i == 0 || is_blank(s[i - 1]) || s[i - 1] == '\n' ||
                                (shell && strchr(";&|(", s[i - 1])))) {
            size_t e = line_end(s, n, i);
            blank(out, i, e);
            i = e - 1;
        }
    }
}

/* INI: `#` or `;` first on a line. */
static void blank_ini(const char *s, size_t n, char *out)
{
    for (size_t i = 0; i < n; i = line_end(s, n, i) + 1) {
        size_t k = i;
        while (k < n && is_blank(s[k]))
            k++;
        if (k < n && (s[k] == '#' || s[k] == ';'))
            blank(out, k, line_end(s, n, k));
        if (line_end(s, n, i) == n)
            break;
    }
}

/* The end of a Python string whose quote starts at q (after any prefix):
 * past its closing quote, or the end of its line when a one-line string is
 * left open. */
static size_t python_string_end(const char *s, size_t n, size_t q)
{
    char quote = s[q];
    bool triple = q + 2 < n && s[q + 1] == quote && s[q + 2] == quote;
    size_t i = q + (triple ? 3 : 1);
    while (i < n) {
        if (s[i] == '\\') {
            i += 2;
            continue;
        }
        if (!triple && s[i] == '\n')
            return i;
        if (s[i] == quote) {
            if (!triple)
                return i + 1;
            if (i + 2 < n && s[i + 1] == quote && s[i + 2] == quote)
                return i + 3;
        }
        i++;
    }
    return n;
}

/* Python: `#` comments, and docstrings: a string that makes a statement on
 * its own (first on a logical line outside brackets, nothing but a comment
 * after it). Strings that are data (assigned, passed, in brackets) stay. */
static void blank_python(const char *s, size_t n, char *out)
{
    int depth = 0;
    bool stmt_start = true, continued = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            if (depth == 0 && !continued)
                stmt_start = true;
            continued = false;
            continue;
        }
        if (is_blank(c) || c == '\r' || c == '\f')
            continue;
        if (c == '\\' && (i + 1 == n || s[i + 1] == '\n' || s[i + 1] == '\r')) {
            continued = true;
            continue;
        }
        if (c == '#') {
            size_t e = line_end(s, n, i);
            blank(out, i, e);
            i = e - 1;
            continue;
        }
        size_t q = i;
        if (is_word(c)) {
            size_t w = i;
            while (w < n && is_word(s[w]))
                w++;
            bool prefix = w - i <= 2 && w < n && (s[w] == '"' || s[w] == '\'');
            for (size_t k = i; prefix && k < w; k++)
                prefix = strchr("rRbBuUfF", s[k]) != NULL;
            if (!prefix) {
                stmt_start = false;
                i = w - 1;
                continue;
            }
            q = w;
        }
        if (s[q] == '"' || s[q] == '\'') {
            size_t end = python_string_end(s, n, q);
            size_t k = end;
            while (k < n && (is_blank(s[k]) || s[k] == '\r'))
                k++;
            if (stmt_start && depth == 0 && (k == n || s[k] == '\n' || s[k] == '#'))
                blank(out, i, end);
            stmt_start = false;
            i = end - 1;
            continue;
        }
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0)
            depth--;
        stmt_start = false;
    }
}

/* JavaScript and TypeScript: line comments (`//`) and block comments,
 * outside strings, template literals (with their ${...} code) and regular
 * expression literals. */
static void blank_slash(const char *s, size_t n, char *out)
{
    enum { CODE, TEMPLATE };
    struct {
        int mode, braces;
    } stack[32] = {{CODE, 0}};
    int top = 0;
    char prev = '\0';         /* last significant character of code: decides regex or division */
    bool prev_word_op = true; /* the last word can precede a regex (return, typeof ...) */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (stack[top].mode == TEMPLATE) {
            if (c == '\\')
                i++;
            else if (c == '`')
                top--;
            else if (c == '$' && i + 1 < n && s[i + 1] == '{' && top + 1 < 32) {
                stack[++top].mode = CODE;
                stack[top].braces = 0;
                i++;
                prev = '{';
            }
            continue;
        }
        if (is_blank(c) || c == '\n' || c == '\r')
            continue;
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            size_t e = line_end(s, n, i);
            blank(out, i, e);
            i = e - 1;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            const char *close = NULL;
            for (size_t k = i + 2; k + 1 < n && !close; k++)
                if (s[k] == '*' && s[k + 1] == '/')
                    close = s + k;
            size_t e = close ? (size_t)(close - s) + 2 : n;
            blank(out, i, e);
            i = e - 1;
            continue;
        }
        if (c == '"' || c == '\'') {
            size_t k = i + 1;
            while (k < n && s[k] != c && s[k] != '\n')
                k += s[k] == '\\' ? 2 : 1;
            i = k < n && s[k] == c ? k : k - 1;
            prev = c;
            prev_word_op = false;
            continue;
        }
        if (c == '`') {
            if (top + 1 < 32)
                stack[++top].mode = TEMPLATE;
            continue;
        }
        if (c == '/' && (prev == '\0' || strchr("(,=:[!&|?{};+-*%<>~^", prev) || prev_word_op)) {
            bool cls = false;
            size_t k = i + 1;
            while (k < n && s[k] != '\n' && (cls || s[k] != '/')) {
                if (s[k] == '\\')
                    k++;
                else if (s[k] == '[')
                    cls = true;
                else if (s[k] == ']')
                    cls = false;
                k++;
            }
            i = k < n && s[k] == '/' ? k : k - 1;
            prev = '/';
            prev_word_op = false;
            continue;
        }
        if (is_word(c) || c == '$') {
            size_t w = i;
            while (w < n && (is_word(s[w]) || s[w] == '$'))
                w++;
            static const char *const ops[] = {"return", "typeof",     "case",  "do",     "else",
                                              "in",     "of",         "new",   "delete", "void",
                                              "throw",  "instanceof", "yield", "await",  NULL};
            prev_word_op = false;
            for (int k = 0; ops[k]; k++)
                if (strlen(ops[k]) == w - i && !memcmp(ops[k], s + i, w - i))
                    prev_word_op = true;
            prev = 'a';
            i = w - 1;
            continue;
        }
        if (top > 0 && c == '{')
            stack[top].braces++;
        if (top > 0 && c == '}') {
            if (stack[top].braces-- == 0) {
                top--;
                continue;
            }
        }
        prev = c;
        prev_word_op = false;
    }
}

static void blank_markdown(const char *s, size_t len, char *out)
{
    for (size_t i = 0; i + 3 < len;) {
        if (!memcmp(s + i, "<!--", 4)) {
            const char *end = NULL;
            for (size_t j = i + 4; j + 2 < len && !end; j++)
                if (!memcmp(s + j, "-->", 3))
                    end = s + j;
            size_t e = end ? (size_t)(end - s) + 3 : len;
            blank(out, i, e);
            i = e;
        } else {
            i++;
        }
    }
}

/* out (n bytes, a copy of s) gets the comments of s blanked. */
static void blank_comments(hf_lang lang, const char *s, size_t n, char *out)
{
    if (lang == HF_LANG_NONE)
        return;
    if (n > 1 && s[0] == '#' && s[1] == '!')
        blank(out, 0, line_end(s, n, 0));
    switch (lang) {
    case HF_LANG_SHELL:
        blank_hash(s, n, out, true);
        break;
    case HF_LANG_HASH:
        blank_hash(s, n, out, false);
        break;
    case HF_LANG_PYTHON:
        blank_python(s, n, out);
        break;
    case HF_LANG_JS:
        blank_slash(s, n, out);
        break;
    case HF_LANG_INI:
        blank_ini(s, n, out);
        break;
    case HF_LANG_MARKDOWN:
        blank_markdown(s, n, out);
        break;
    case HF_LANG_NONE:
        break;
    }
}

void hf_strip_comments(hf_lang lang, const char *text, size_t len, hf_buf *out)
{
    hf_buf_clear(out);
    hf_buf_put(out, text, len);
    if (out->ptr)
        blank_comments(lang, text, len, out->ptr);
}
