/* Path glob matching with `**`, classes and brace alternatives. */
#include "util/glob.h"
#include "util/buf.h"

#include <string.h>

/* Braces may spell at most this many alternatives: matching tries each. */
#define MAX_ALTERNATIVES 1024

/* Every alternative the braces of a pattern spell must stay in the
 * repository ("{..,a}/x" also means "../x"). Expands like match_braces. */
static int check_alternatives(const char *orig, const char *pattern, size_t *count,
                              hf_error *err)
{
    const char *open = strchr(pattern, '{'), *close = NULL;
    int depth = 0;
    for (const char *c = open; c && *c && !close; c++) {
        if (*c == '{')
            depth++;
        else if (*c == '}' && --depth == 0)
            close = c;
    }
    if (!close) {
        if (++*count > MAX_ALTERNATIVES)
            return hf_error_set(err, "glob '%s' spells more than %d alternatives", orig,
                                MAX_ALTERNATIVES);
        for (const char *p = pattern; *p;) {
            size_t n = strcspn(p, "/");
            if (n == 2 && p[0] == '.' && p[1] == '.')
                return hf_error_set(err, "glob '%s' has an alternative '%s' that climbs out of "
                                         "the repository with '..'",
                                    orig, pattern);
            p += n;
            if (*p)
                p++;
        }
        return 0;
    }
    const char *alt = open + 1;
    depth = 0;
    for (const char *c = open + 1; c <= close; c++) {
        if (*c == '{') {
            depth++;
        } else if (*c == '}' && depth > 0) {
            depth--;
        } else if ((*c == ',' && depth == 0) || c == close) {
            hf_buf one = HF_BUF_INIT;
            hf_buf_put(&one, pattern, (size_t)(open - pattern));
            hf_buf_put(&one, alt, (size_t)(c - alt));
            hf_buf_puts(&one, close + 1);
            int rc = check_alternatives(orig, hf_buf_cstr(&one), count, err);
            hf_buf_free(&one);
            if (rc < 0)
                return -1;
            alt = c + 1;
        }
    }
    return 0;
}

int hf_glob_check(const char *pattern, size_t *offset, hf_error *err)
{
    int brace_depth = 0;
    size_t brace_open = 0;
    *offset = 0;
    if (!*pattern)
        return hf_error_set(err, "empty glob");
    if (pattern[0] == '/')
        return hf_error_set(err, "glob '%s' is absolute; globs are relative to the repository",
                            pattern);
    for (size_t i = 0; pattern[i]; i++) {
        char c = pattern[i];
        if (c == '[') {
            size_t j = i + 1;
            if (pattern[j] == '!' || pattern[j] == '^')
                j++;
            if (pattern[j] == ']')
                j++;
            while (pattern[j] && pattern[j] != ']')
                j++;
            if (!pattern[j]) {
                *offset = i;
                return hf_error_set(err, "unterminated character class '[' at offset %zu", i);
            }
            i = j;
        } else if (c == '{') {
            if (brace_depth++ == 0)
                brace_open = i;
            if (brace_depth > 8) {
                *offset = i;
                return hf_error_set(err, "braces nested too deeply at offset %zu", i);
            }
        } else if (c == '}') {
            if (brace_depth == 0) {
                *offset = i;
                return hf_error_set(err, "unmatched '}' at offset %zu", i);
            }
            brace_depth--;
        } else if (c == '\\') {
            *offset = i;
            return hf_error_set(err, "backslash at offset %zu: globs match '/'-separated paths",
                                i);
        } else if (c == '.' && (i == 0 || pattern[i - 1] == '/') && pattern[i + 1] == '.' &&
                   (pattern[i + 2] == '/' || pattern[i + 2] == '\0')) {
            *offset = i;
            return hf_error_set(err, "'..' at offset %zu climbs out of the repository", i);
        }
    }
    if (brace_depth) {
        *offset = brace_open;
        return hf_error_set(err, "unterminated '{' at offset %zu", brace_open);
    }
    size_t alternatives = 0;
    return check_alternatives(pattern, pattern, &alternatives, err);
}

int hf_glob_is_literal(const char *pattern)
{
    return strpbrk(pattern, "*?[{") == NULL;
}

/* Matches a brace-free pattern [p, pe) against [s, se). */
static int match_plain(const char *p, const char *pe, const char *s, const char *se)
{
    while (p < pe) {
        if (*p == '*') {
            if (p + 1 < pe && p[1] == '*') {
                /* A double star is any run of characters including '/'; as a
                 * whole segment followed by '/', it may also match no segment. */
                const char *rest = p + 2;
                if (rest < pe && *rest == '/') {
                    /* zero segments first, then every prefix ending in '/' */
                    if (match_plain(rest + 1, pe, s, se))
                        return 1;
                    for (const char *t = s; t < se; t++)
                        if (*t == '/' && match_plain(rest + 1, pe, t + 1, se))
                            return 1;
                    return 0;
                }
                for (const char *t = se; t >= s; t--)
                    if (match_plain(rest, pe, t, se))
                        return 1;
                return 0;
            }
            p++;
            for (const char *t = s;; t++) {
                if (match_plain(p, pe, t, se))
                    return 1;
                if (t == se || *t == '/')
                    return 0;
            }
        }
        if (s == se)
            return 0;
        if (*p == '?') {
            if (*s == '/')
                return 0;
            p++, s++;
            continue;
        }
        if (*p == '[') {
            const char *q = p + 1;
            int negate = 0, hit = 0;
            if (*q == '!' || *q == '^')
                negate = 1, q++;
            const char *first = q;
            while (q < pe && (*q != ']' || q == first)) {
                if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
                    if (*s >= q[0] && *s <= q[2])
                        hit = 1;
                    q += 3;
                } else {
                    if (*s == *q)
                        hit = 1;
                    q++;
                }
            }
            if (*s == '/' || hit == negate)
                return 0;
            p = q + 1, s++;
            continue;
        }
        if (*p != *s)
            return 0;
        p++, s++;
    }
    return s == se;
}

/* Expands the first brace group and recurses; plain patterns go to
 * match_plain. */
static int match_braces(const char *pattern, const char *path)
{
    const char *open = strchr(pattern, '{');
    if (!open)
        return match_plain(pattern, pattern + strlen(pattern), path, path + strlen(path));
    int depth = 0;
    const char *close = NULL;
    for (const char *c = open; *c; c++) {
        if (*c == '{')
            depth++;
        else if (*c == '}' && --depth == 0) {
            close = c;
            break;
        }
    }
    if (!close)
        return match_plain(pattern, pattern + strlen(pattern), path, path + strlen(path));
    const char *alt = open + 1;
    depth = 0;
    for (const char *c = open + 1; c <= close; c++) {
        if (*c == '{')
            depth++;
        else if (*c == '}' && depth > 0)
            depth--;
        else if ((*c == ',' && depth == 0) || c == close) {
            hf_buf one = HF_BUF_INIT;
            hf_buf_put(&one, pattern, (size_t)(open - pattern));
            hf_buf_put(&one, alt, (size_t)(c - alt));
            hf_buf_puts(&one, close + 1);
            int m = match_braces(hf_buf_cstr(&one), path);
            hf_buf_free(&one);
            if (m)
                return 1;
            alt = c + 1;
        }
    }
    return 0;
}

int hf_glob_match(const char *pattern, const char *path)
{
    return match_braces(pattern, path);
}
