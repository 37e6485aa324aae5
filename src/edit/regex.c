/* PCRE2 with JIT and bounded matching for recipe patterns. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "edit/regex.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Bounds for one match attempt: generous for real workflow text, small
 * enough that catastrophic backtracking fails within a second. */
#define HF_RX_MATCH_LIMIT 2000000u
#define HF_RX_DEPTH_LIMIT 5000u
#define HF_RX_HEAP_LIMIT_KIB 65536u

struct hf_regex {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    char *pattern;
    hf_mark where;
};

int hf_regex_compile(hf_regex **out, const char *pattern, hf_mark where, hf_error *err)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_MULTILINE, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        return hf_error_set(err, "%s:%d:%d: invalid pattern at offset %zu: %s",
                            where.file ? where.file : "pattern", where.line, where.col,
                            (size_t)erroff, (const char *)msg);
    }
    hf_regex *re = hf_xcalloc(1, sizeof(*re));
    re->code = code;
    re->pattern = hf_xstrdup(pattern);
    re->where = where;
    /* JIT is an optimisation: a platform without it still matches, slower */
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0) {
        re->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    }
    re->md = pcre2_match_data_create_from_pattern(code, NULL);
    re->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(re->mctx, HF_RX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, HF_RX_DEPTH_LIMIT);
    pcre2_set_heap_limit(re->mctx, HF_RX_HEAP_LIMIT_KIB);
    if (re->jit_stack)
        pcre2_jit_stack_assign(re->mctx, NULL, re->jit_stack);
    *out = re;
    return 0;
}

void hf_regex_free(hf_regex *re)
{
    if (!re)
        return;
    pcre2_match_data_free(re->md);
    pcre2_match_context_free(re->mctx);
    pcre2_jit_stack_free(re->jit_stack);
    pcre2_code_free(re->code);
    free(re->pattern);
    free(re);
}

static int match_error(const hf_regex *re, int rc, const char *path, hf_error *err)
{
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof(msg));
    const char *why = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
                              rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT
                          ? " (the pattern backtracks catastrophically; make it more specific)"
                          : "";
    return hf_error_set(err, "%s: pattern '%s' (%s:%d:%d) failed: %s%s", path, re->pattern,
                        re->where.file ? re->where.file : "pattern", re->where.line, re->where.col,
                        (const char *)msg, why);
}

int hf_regex_search(hf_regex *re, const char *subject, size_t len, size_t offset, const char *path,
                    size_t *mstart, size_t *mend, hf_error *err)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, offset, 0, re->md, re->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return match_error(re, rc, path, err);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    *mstart = ov[0];
    *mend = ov[1];
    return 1;
}

void hf_regex_group_names(const hf_regex *re, hf_vec *names)
{
    uint32_t count = 0, entry_size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++)
        hf_vec_push(names, (void *)(table + i * entry_size + 2));
}

void hf_regex_captures(const hf_regex *re, const char *subject, hf_vars *vars)
{
    uint32_t count = 0, entry_size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    uint32_t pairs = pcre2_get_ovector_count(re->md);
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + i * entry_size;
        unsigned group = ((unsigned)e[0] << 8) | e[1];
        const char *name = (const char *)(e + 2);
        if (group < pairs && ov[2 * group] != PCRE2_UNSET) {
            char *v = hf_xstrndup(subject + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
            hf_vars_set(vars, name, v);
            free(v);
        } else if (!hf_vars_get(vars, name)) {
            hf_vars_set(vars, name, "");
        }
    }
}

int hf_regex_substitute(hf_regex *re, const char *subject, size_t len, const char *replacement,
                        const char *path, hf_buf *out, size_t *count, hf_error *err)
{
    hf_buf repl = HF_BUF_INIT;
    int rc = -1;
    /* `${{` can never be a group reference, so a GitHub expression in the
     * replacement is meant literally: escape its dollar for PCRE2 */
    for (const char *c = replacement; *c; c++) {
        if (c[0] == '$' && c[1] == '$') {
            hf_buf_puts(&repl, "$$");
            c++;
        } else if (c[0] == '$' && c[1] == '{' && c[2] == '{') {
            hf_buf_puts(&repl, "$$");
        } else {
            hf_buf_putc(&repl, *c);
        }
    }
    PCRE2_SIZE outlen = len + repl.len + 256;
    for (int attempt = 0; attempt < 2; attempt++) {
        hf_buf_clear(out);
        hf_buf_grow(out, outlen);
        PCRE2_SIZE got = outlen + 1;
        int n = pcre2_substitute(re->code, (PCRE2_SPTR)subject, len, 0,
                                 PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, re->md,
                                 re->mctx, (PCRE2_SPTR)hf_buf_cstr(&repl), repl.len,
                                 (PCRE2_UCHAR *)out->ptr, &got);
        if (n == PCRE2_ERROR_NOMEMORY && attempt == 0) {
            outlen = got;
            continue;
        }
        if (n < 0) {
            hf_buf_clear(out);
            match_error(re, n, path, err);
            goto done;
        }
        out->len = got;
        out->ptr[got] = '\0';
        *count = (size_t)n;
        rc = 0;
        break;
    }
done:
    hf_buf_free(&repl);
    return rc;
}

/* ---- the cache ----------------------------------------------------------- */

struct hf_regex_cache {
    const char **keys;
    hf_regex **values;
    size_t cap; /* a power of two */
    size_t len;
};

hf_regex_cache *hf_regex_cache_new(void)
{
    hf_regex_cache *c = hf_xcalloc(1, sizeof(*c));
    c->cap = 64;
    c->keys = hf_xcalloc(c->cap, sizeof(*c->keys));
    c->values = hf_xcalloc(c->cap, sizeof(*c->values));
    return c;
}

void hf_regex_cache_free(hf_regex_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        hf_regex_free(c->values[i]);
    free(c->keys);
    free(c->values);
    free(c);
}

static size_t slot(const hf_regex_cache *c, const char *key)
{
    size_t h = ((size_t)(uintptr_t)key >> 3) * 0x9E3779B97F4A7C15ull;
    size_t i = h & (c->cap - 1);
    while (c->keys[i] && c->keys[i] != key)
        i = (i + 1) & (c->cap - 1);
    return i;
}

int hf_regex_cache_get(hf_regex_cache *c, const char *pattern, hf_mark where, hf_regex **out,
                       hf_error *err)
{
    size_t i = slot(c, pattern);
    if (c->keys[i]) {
        *out = c->values[i];
        return 0;
    }
    hf_regex *re = NULL;
    if (hf_regex_compile(&re, pattern, where, err) < 0)
        return -1;
    if (2 * (c->len + 1) > c->cap) {
        hf_regex_cache grown = {hf_xcalloc(2 * c->cap, sizeof(*c->keys)),
                                hf_xcalloc(2 * c->cap, sizeof(*c->values)), 2 * c->cap, c->len};
        for (size_t k = 0; k < c->cap; k++)
            if (c->keys[k]) {
                size_t j = slot(&grown, c->keys[k]);
                grown.keys[j] = c->keys[k];
                grown.values[j] = c->values[k];
            }
        free(c->keys);
        free(c->values);
        *c = grown;
        i = slot(c, pattern);
    }
    c->keys[i] = pattern;
    c->values[i] = re;
    c->len++;
    *out = re;
    return 0;
}
