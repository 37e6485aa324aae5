/* Contract rules compiled once (PCRE2 with JIT, bounded by match and depth
 * limits) and matched file by file; findings are settled against exceptions
 * and inline `handoff: allow <rule> <exception>` comments. A file is read as
 * code: comments (and Python docstrings) are blanked out for the rules that
 * do not ask for them, a rule can demand that the value it found is a
 * literal, and excerpts hide what looks like a secret value. */
#include "policy/contract.h"
#include "util/buf.h"
#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* A pattern that backtracks this much on one line is a hostile or broken
 * rule: the scan fails with a clear error instead of hanging. */
#define MATCH_LIMIT 2000000
#define DEPTH_LIMIT 20000
#define BINARY_SNIFF 8000
#define EXCERPT_MAX 160
/* ovector pairs of the one match data a scan reuses for every pattern: at
 * least this many, more when a `value: literal` rule numbers its value group
 * higher. A pattern with more groups still matches (its ovector is cut
 * short; only the whole match, the value group and the inline allow's two
 * groups are read). */
#define OVECTOR_PAIRS 16

typedef struct compiled_rule {
    const hf_rule *rule;
    pcre2_code *re;
    hf_vec allow;         /* pcre2_code * */
    bool prefiltered;     /* part of the engine's line prefilter */
    uint32_t value_group; /* `value: literal`: the number of the group `value` */
} compiled_rule;

struct hf_contract_engine {
    const hf_config *cfg;
    hf_vec rules;          /* compiled_rule * */
    hf_vec allow_lines;    /* pcre2_code * */
    pcre2_code *mask_keys; /* NULL: no key is secret-shaped */
    hf_vec mask_values;    /* pcre2_code * */
    uint32_t ovector_pairs;
    pcre2_code *inline_allow;
    /* The alternation of every line rule that can be combined: a line it
     * does not match matches none of those rules, so most lines cost one
     * match call instead of one per rule. NULL when none combine. */
    pcre2_code *prefilter;
    pcre2_match_context *mctx;
};

static pcre2_code *compile(const char *pattern, uint32_t flags, const char *what, hf_error *err)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        hf_error_set(err, "%s: invalid regular expression at offset %zu: %s", what, (size_t)offset,
                     (const char *)msg);
        return NULL;
    }
    /* JIT is an optimisation; without it (unsupported CPU) matching still works */
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

static void code_free(void *p)
{
    pcre2_code_free(p);
}

static void compiled_rule_free(void *p)
{
    compiled_rule *c = p;
    pcre2_code_free(c->re);
    hf_vec_free(&c->allow, code_free);
    free(c);
}

void hf_contract_free(hf_contract_engine *e)
{
    if (!e)
        return;
    hf_vec_free(&e->rules, compiled_rule_free);
    hf_vec_free(&e->allow_lines, code_free);
    pcre2_code_free(e->mask_keys);
    hf_vec_free(&e->mask_values, code_free);
    pcre2_code_free(e->inline_allow);
    pcre2_code_free(e->prefilter);
    pcre2_match_context_free(e->mctx);
    free(e);
}

/* Whether a rule's pattern can be one branch of the prefilter: not when it
 * refers back to its own groups by number (the numbers shift in the
 * alternation) or turns on extended mode (a `#` comment would swallow the
 * closing parenthesis). */
static bool combinable(const compiled_rule *cr)
{
    uint32_t backrefs = 0;
    if (cr->rule->multiline || pcre2_pattern_info(cr->re, PCRE2_INFO_BACKREFMAX, &backrefs) != 0 ||
        backrefs)
        return false;
    for (const char *p = cr->rule->pattern; (p = strstr(p, "(?")) != NULL; p += 2) {
        size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ^-");
        if (memchr(p + 2, 'x', n))
            return false;
    }
    return true;
}

/* Builds the prefilter from the combinable line rules (rules may use the same
 * group names). If the alternation does not compile (it always should),
 * every rule is matched on its own. */
static void build_prefilter(hf_contract_engine *e)
{
    hf_buf alt = HF_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < e->rules.len; i++) {
        compiled_rule *cr = e->rules.items[i];
        if (!combinable(cr))
            continue;
        hf_buf_puts(&alt, n++ ? "|" : "");
        hf_buf_puts(&alt, cr->rule->ignore_case ? "(?i:" : "(?:");
        hf_buf_puts(&alt, cr->rule->pattern);
        hf_buf_puts(&alt, ")");
        cr->prefiltered = true;
    }
    int code;
    PCRE2_SIZE offset;
    if (n)
        e->prefilter =
            pcre2_compile((PCRE2_SPTR)alt.ptr, alt.len, PCRE2_DUPNAMES, &code, &offset, NULL);
    if (e->prefilter)
        pcre2_jit_compile(e->prefilter, PCRE2_JIT_COMPLETE);
    else
        for (size_t i = 0; i < e->rules.len; i++)
            ((compiled_rule *)e->rules.items[i])->prefiltered = false;
    hf_buf_free(&alt);
}

int hf_contract_compile(hf_contract_engine **out, const hf_config *cfg, hf_error *err)
{
    hf_contract_engine *e = hf_xcalloc(1, sizeof(*e));
    e->cfg = cfg;
    e->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(e->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(e->mctx, DEPTH_LIMIT);
    const hf_contract *c = &cfg->contract;
    hf_buf what = HF_BUF_INIT;
    int rc = -1;
    for (size_t i = 0; i < c->allow_lines.len; i++) {
        pcre2_code *re = compile(c->allow_lines.items[i], 0, "contract.yml allow-lines", err);
        if (!re)
            goto done;
        hf_vec_push(&e->allow_lines, re);
    }
    e->ovector_pairs = OVECTOR_PAIRS;
    if (c->mask_keys && !(e->mask_keys = compile(c->mask_keys, 0, "contract.yml mask keys", err)))
        goto done;
    for (size_t i = 0; i < c->mask_values.len; i++) {
        pcre2_code *re = compile(c->mask_values.items[i], 0, "contract.yml mask values", err);
        if (!re)
            goto done;
        hf_vec_push(&e->mask_values, re);
    }
    for (size_t i = 0; i < c->rules.len; i++) {
        const hf_rule *r = c->rules.items[i];
        compiled_rule *cr = hf_xcalloc(1, sizeof(*cr));
        cr->rule = r;
        hf_vec_push(&e->rules, cr);
        uint32_t flags =
            (r->ignore_case ? PCRE2_CASELESS : 0) | (r->multiline ? PCRE2_MULTILINE : 0);
        hf_buf_clear(&what);
        hf_buf_printf(&what, "rule '%s'", r->id);
        if (!(cr->re = compile(r->pattern, flags, hf_buf_cstr(&what), err)))
            goto done;
        if (r->literal) {
            int n = pcre2_substring_number_from_name(cr->re, (PCRE2_SPTR) "value");
            if (n <= 0) {
                hf_error_set(err, "rule '%s': 'value: literal' needs a group named 'value'", r->id);
                goto done;
            }
            cr->value_group = (uint32_t)n;
            if (cr->value_group + 1 > e->ovector_pairs)
                e->ovector_pairs = cr->value_group + 1;
        }
        for (size_t j = 0; j < r->allow.len; j++) {
            pcre2_code *re = compile(r->allow.items[j], r->ignore_case ? PCRE2_CASELESS : 0,
                                     hf_buf_cstr(&what), err);
            if (!re)
                goto done;
            hf_vec_push(&cr->allow, re);
        }
    }
    e->inline_allow = compile("handoff:\\s*allow\\s+([A-Za-z0-9_.-]+)\\s+([A-Za-z0-9_.-]+)", 0,
                              "inline allow", err);
    if (!e->inline_allow)
        goto done;
    build_prefilter(e);
    rc = 0;
done:
    hf_buf_free(&what);
    if (rc < 0) {
        hf_contract_free(e);
        e = NULL;
    }
    *out = e;
    return rc;
}

size_t hf_contract_max_bytes(const hf_contract_engine *e)
{
    return e->cfg->contract.max_file_bytes;
}

static bool any_glob(const hf_vec *globs, const char *s)
{
    for (size_t i = 0; i < globs->len; i++)
        if (hf_glob_match(globs->items[i], s))
            return true;
    return false;
}

bool hf_contract_skips_dir(const hf_contract_engine *e, const char *dir_basename)
{
    return any_glob(&e->cfg->contract.skip_dirs, dir_basename);
}

bool hf_contract_wants_path(const hf_contract_engine *e, const char *path)
{
    const hf_contract *c = &e->cfg->contract;
    /* every directory on the way must be scanned */
    const char *p = path;
    for (const char *slash; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        char *dir = hf_xstrndup(p, (size_t)(slash - p));
        bool skip = any_glob(&c->skip_dirs, dir);
        free(dir);
        if (skip)
            return false;
    }
    const char *base = hf_path_basename(path);
    if (base[0] == '.' && any_glob(&c->dotfiles, base))
        return true;
    const char *dot = strrchr(base + 1, '.');
    const char *ext = dot ? dot : "";
    for (size_t i = 0; i < c->extensions.len; i++)
        if (strcmp(c->extensions.items[i], ext) == 0)
            return true;
    return false;
}

/* ---- quarantine ---------------------------------------------------------- */

/* The next cell of a Markdown table row starting at p (just after a '|'):
 * trimmed, without surrounding backquotes. Returns the position after the
 * closing '|', or NULL at the end of the row. */
static const char *next_cell(const char *p, const char *end, const char **cell, size_t *n)
{
    const char *bar = memchr(p, '|', (size_t)(end - p));
    if (!bar)
        return NULL;
    const char *s = p, *e = bar;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    if (e - s >= 2 && *s == '`' && e[-1] == '`')
        s++, e--;
    *cell = s;
    *n = (size_t)(e - s);
    return bar + 1;
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

/* Rows are `| original | new | blob |`; cells may be backquoted. Rows whose
 * third cell is not a 40-hex blob id (the header, the separator) are not
 * manifest entries. */
void hf_quarantine_add_manifest(hf_quarantine *q, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *s = p;
        while (s < eol && (*s == ' ' || *s == '\t'))
            s++;
        if (s < eol && *s == '|') {
            const char *cells[3];
            size_t lens[3];
            const char *c = s + 1;
            int k = 0;
            while (k < 3 && (c = next_cell(c, eol, &cells[k], &lens[k])) != NULL)
                k++;
            if (k == 3 && lens[2] == 40 && all_hex(cells[2], 40) && lens[1] > 0) {
                hf_vec_push(&q->paths, hf_xstrndup(cells[1], lens[1]));
                hf_vec_push(&q->blobs, hf_xstrndup(cells[2], lens[2]));
            }
        }
        p = eol + (nl ? 1 : 0);
    }
}

bool hf_quarantine_holds(const hf_quarantine *q, const char *path, const char *blob_hex)
{
    if (!q || !blob_hex)
        return false;
    for (size_t i = 0; i < q->paths.len; i++)
        if (!strcmp(q->paths.items[i], path) && !strcasecmp(q->blobs.items[i], blob_hex))
            return true;
    return false;
}

void hf_quarantine_free(hf_quarantine *q)
{
    hf_vec_free(&q->paths, free);
    hf_vec_free(&q->blobs, free);
}

/* ---- scanning ------------------------------------------------------------ */

void hf_finding_free(void *p)
{
    hf_finding *f = p;
    if (!f)
        return;
    free(f->path);
    free(f->excerpt);
    free(f->message);
    free(f);
}

static bool in_list(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return true;
    return false;
}

static bool rule_applies(const hf_rule *r, const hf_scan_target *t, const char *path,
                         bool test_path)
{
    if (test_path && !r->tests)
        return false;
    if (r->families.len && !(t->family && in_list(&r->families, t->family)))
        return false;
    if (r->include.len && !any_glob(&r->include, path))
        return false;
    return !any_glob(&r->exclude, path);
}

/* Paths the scan allows for every rule: scan.allow-paths, and the
 * family-allow-paths of the target's family. */
static bool path_allowed(const hf_contract *c, const hf_scan_target *t, const char *path)
{
    if (any_glob(&c->allow_paths, path))
        return true;
    for (size_t i = 0; t->family && i < c->family_allow_paths.len; i++) {
        const hf_family_paths *fp = c->family_allow_paths.items[i];
        if (!strcmp(fp->family, t->family) && any_glob(&fp->globs, path))
            return true;
    }
    return false;
}

/* 1 on a match, 0 on none, -1 when a limit was hit. md is the scan's match
 * data (rc 0 means a match whose groups did not all fit: still a match). */
static int match_at(const hf_contract_engine *e, pcre2_match_data *md, const pcre2_code *re,
                    const char *s, size_t n, size_t start, size_t *at)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, start, 0, md, e->mctx);
    if (rc >= 0 && at)
        *at = pcre2_get_ovector_pointer(md)[0];
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    return -1;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* ---- file syntax: comments and docstrings --------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The comment syntax of a file: the first scan.comments entry whose globs
 * match its basename; otherwise a `#!` line names the interpreter. */
static hf_lang syntax_of(const hf_contract *c, const char *path, const char *data, size_t len)
{
    const char *base = hf_path_basename(path);
    for (size_t i = 0; i < c->comments.len; i++) {
        const hf_syntax_globs *sg = c->comments.items[i];
        if (any_glob(&sg->globs, base))
            return sg->syntax;
    }
    return c->comments.len ? hf_lang_of_shebang(data, len) : HF_LANG_NONE;
}

/* A copy of the file with comments (and docstrings) blanked out, or NULL
 * when the syntax is unknown. */
static char *code_only(hf_lang lang, const char *s, size_t n)
{
    if (lang == HF_LANG_NONE)
        return NULL;
    hf_buf out = HF_BUF_INIT;
    hf_strip_comments(lang, s, n, &out);
    return hf_buf_detach(&out);
}

/* ---- values ---------------------------------------------------------------- */

/* One value as the bound side of an assignment reads: where its text is and
 * whether it is a literal. */
typedef struct value_span {
    size_t start, end; /* the content, without quotes */
    bool literal;
} value_span;

static bool ieq_any(const char *s, size_t n, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == n && !strncasecmp(words[i], s, n))
            return true;
    return false;
}

static bool is_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        if (i == n)
            return false;
        for (; i < n; i++)
            if (!strchr("0123456789abcdefABCDEF_", s[i]))
                return false;
        return true;
    }
    bool digits = false, dot = false;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits = true;
        else if (s[i] == '.' && !dot)
            dot = true;
        else if (s[i] != '_')
            return false;
    }
    return digits;
}

/* printf (%s, %(name)s, %-5d) or str.format/f-string ({}, {0}, {name})
 * placeholders, or an expansion ($X, ${X}, $(cmd), ${{ expr }}). */
static bool has_placeholder(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '$' &&
            (s[i + 1] == '{' || s[i + 1] == '(' || s[i + 1] == '_' ||
             (s[i + 1] >= 'A' && s[i + 1] <= 'Z') || (s[i + 1] >= 'a' && s[i + 1] <= 'z')))
            return true;
        if (s[i] == '{' && s[i + 1] == '{')
            return true;
        if (s[i] == '%') {
            size_t k = i + 1;
            if (k < n && s[k] == '(') {
                while (k < n && s[k] != ')')
                    k++;
                k++;
            }
            while (k < n && strchr("-+ #0123456789.", s[k]))
                k++;
            if (k < n && strchr("sdifrxXoeEgGcu", s[k]))
                return true;
        }
        if (s[i] == '{') {
            size_t k = i + 1;
            while (k < n && (is_word(s[k]) || s[k] == '.' || s[k] == '!' || s[k] == ':'))
                k++;
            if (k < n && s[k] == '}')
                return true;
        }
    }
    return false;
}

/* Reads the value that starts at s[i] (blanks skipped). In code (Python,
 * JavaScript) only a quoted string can be a literal; elsewhere (shell, YAML,
 * env files, TOML, JSON) an unquoted word that ends its line is one too.
 * Never a literal: an
 * empty value, an expansion or placeholder, a number, a boolean or null, a
 * YAML block, anchor, alias, tag or flow collection, a string that an
 * operator or method call goes on to change. */
static value_span read_value(const char *s, size_t n, size_t i, bool code)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on",        "off",
                                        "null", "none",  "nil", "~",  "undefined", NULL};
    value_span v = {i, i, false};
    while (i < n && is_blank(s[i]))
        i++;
    v.start = v.end = i;
    if (i == n)
        return v;
    size_t q = i;
    bool fstring = false;
    if (code && is_word(s[i])) {
        size_t w = i;
        while (w < n && is_word(s[w]))
            w++;
        bool prefix = w - i <= 2 && w < n && (s[w] == '"' || s[w] == '\'');
        for (size_t k = i; prefix && k < w; k++) {
            prefix = strchr("rRbBuUfF", s[k]) != NULL;
            fstring |= s[k] == 'f' || s[k] == 'F';
        }
        if (!prefix)
            return v; /* an identifier, a call, an expression */
        q = w;
    }
    char quote = s[q];
    if (quote == '"' || quote == '\'' || quote == '`') {
        bool triple = q + 2 < n && s[q + 1] == quote && s[q + 2] == quote;
        size_t open = triple ? 3 : 1, k = q + open;
        while (k < n && s[k] != quote) {
            if (s[k] == '\\' && (code || quote == '"'))
                k++;
            k++;
        }
        if (k > n)
            k = n;
        v.start = q + open;
        v.end = k;
        size_t after = k < n ? k + open : n;
        if (after > n)
            after = n;
        while (after < n && is_blank(s[after]))
            after++;
        const char *c = s + v.start;
        size_t len = v.end - v.start;
        if (!len || (fstring && memchr(c, '{', len)) || has_placeholder(c, len) ||
            is_number(c, len))
            return v;
        if (code && after < n && strchr("%+.*[", s[after]))
            return v; /* "..." % x, "..." + x, "...".format(...) */
        v.literal = true;
        return v;
    }
    if (code || strchr("$%|>&*[{(<!`", s[i]))
        return v;
    size_t k = i;
    while (k < n && !is_blank(s[k]) && !strchr(",;)]}", s[k]) &&
           !(s[k] == '#' && k > i && is_blank(s[k - 1])))
        k++;
    while (k > i && (s[k - 1] == '\r' || s[k - 1] == '\\'))
        k--;
    v.end = k;
    /* a bare word ends its line (a comment, a separator or a continuation
     * may follow); more words after it are a command or code */
    size_t after = k;
    while (after < n && (is_blank(s[after]) || s[after] == '\r'))
        after++;
    bool alone = after == n || strchr("#\\,;)]}", s[after]);
    v.literal = k > i && alone && !is_number(s + i, k - i) && !ieq_any(s + i, k - i, words) &&
                !has_placeholder(s + i, k - i);
    return v;
}

/* ---- excerpts ---------------------------------------------------------------- */

/* A value an excerpt shows although its key is secret-shaped: a path, a
 * name (an environment variable's, ODOO_DB_PASSWORD, or a dotted setting's,
 * shopify.pause_webhook_processing), a URL without credentials. */
static bool shown_anyway(const char *s, size_t n)
{
    if (n && (s[0] == '/' || s[0] == '~' || (n > 1 && s[0] == '.' && (s[1] == '/' || s[1] == '.'))))
        return true;
    bool env = n > 0 && s[0] >= 'A' && s[0] <= 'Z', dotted = n > 0 && s[0] >= 'a' && s[0] <= 'z';
    bool underscore = false, dot = false;
    for (size_t i = 0; (env || dotted) && i < n; i++) {
        char c = s[i];
        env = env && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
        dotted = dotted && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                            c == '-' || (c == '.' && s[i - 1] != '.'));
        underscore |= c == '_';
        dot |= c == '.';
    }
    if ((env && underscore) || (dotted && dot && s[n - 1] != '.'))
        return true;
    const char *scheme = n > 3 ? memmem(s, n, "://", 3) : NULL;
    return scheme && !memchr(s, '@', n) && !memchr(s, ' ', n);
}

static bool key_char(char c)
{
    return is_word(c) || c == '-' || c == '.';
}

/* Marks in hide[] what the excerpt of this line must not show: what the
 * mask values match, and literal values bound to secret-shaped keys. */
static void mark_secrets(const hf_contract_engine *e, pcre2_match_data *md, bool code,
                         const char *s, size_t n, unsigned char *hide)
{
    for (size_t r = 0; r < e->mask_values.len; r++) {
        size_t start = 0;
        while (start <= n) {
            int rc = pcre2_match(e->mask_values.items[r], (PCRE2_SPTR)s, n, start, 0, md, e->mctx);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (ov[1] > ov[0])
                memset(hide + ov[0], 1, ov[1] - ov[0]);
            start = ov[1] > start ? ov[1] : start + 1;
        }
    }
    if (!e->mask_keys)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!key_char(s[i]) || (i > 0 && key_char(s[i - 1])))
            continue;
        size_t k = i;
        while (k < n && key_char(s[k]))
            k++;
        size_t j = k;
        if (j < n && (s[j] == '"' || s[j] == '\'') && i > 0 && s[i - 1] == s[j])
            j++;
        while (j < n && is_blank(s[j]))
            j++;
        bool sep =
            j < n && ((s[j] == '=' && (j + 1 == n || (s[j + 1] != '=' && s[j + 1] != '>'))) ||
                      (s[j] == ':' && (j + 1 == n || s[j + 1] != ':')));
        if (sep && pcre2_match(e->mask_keys, (PCRE2_SPTR)(s + i), k - i, 0, 0, md, e->mctx) >= 0) {
            value_span v = read_value(s, n, j + 1, code);
            if (v.literal && !shown_anyway(s + v.start, v.end - v.start))
                memset(hide + v.start, 1, v.end - v.start);
        }
        i = k - 1;
    }
}

/* The line as shown in reports: leading blanks trimmed, what looks like a
 * secret value replaced by ***, control characters by ?, shortened at a
 * character boundary. */
static char *excerpt_of(const hf_contract_engine *e, pcre2_match_data *md, bool code,
                        const char *line, size_t n)
{
    while (n && is_blank(*line))
        line++, n--;
    unsigned char *hide = hf_xcalloc(n + 1, 1);
    mark_secrets(e, md, code, line, n, hide);
    hf_buf b = HF_BUF_INIT;
    size_t shown = 0, i = 0;
    for (; i < n && shown < EXCERPT_MAX; shown++) {
        if (hide[i]) {
            hf_buf_puts(&b, "***");
            while (i < n && hide[i])
                i++;
            continue;
        }
        unsigned char ch = (unsigned char)line[i];
        size_t len = 1;
        while (ch >= 0x80 && i + len < n && ((unsigned char)line[i + len] & 0xC0) == 0x80)
            len++;
        if (ch < 0x20 && ch != '\t')
            hf_buf_putc(&b, '?');
        else
            hf_buf_put(&b, line + i, len);
        i += len;
    }
    if (i < n)
        hf_buf_puts(&b, "...");
    free(hide);
    return hf_buf_detach(&b);
}

typedef struct line_span {
    const char *s;
    size_t n; /* without the line ending */
} line_span;

/* Whether an inline `handoff: allow <rule> <exception>` on this line or the
 * one before names this rule; fills the exception id. */
static bool inline_allow(const hf_contract_engine *e, pcre2_match_data *md, const line_span *lines,
                         size_t li, const char *rule_id, char *exc_id, size_t exc_cap)
{
    for (size_t k = 0; k < 2; k++) {
        if (k > li)
            break;
        const line_span *l = &lines[li - k];
        int rc = pcre2_match(e->inline_allow, (PCRE2_SPTR)l->s, l->n, 0, 0, md, e->mctx);
        bool hit = false;
        if (rc >= 3) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t rn = ov[3] - ov[2], xn = ov[5] - ov[4];
            if (rn == strlen(rule_id) && !memcmp(l->s + ov[2], rule_id, rn) && xn < exc_cap) {
                memcpy(exc_id, l->s + ov[4], xn);
                exc_id[xn] = '\0';
                hit = true;
            }
        }
        if (hit)
            return true;
    }
    return false;
}

/* Decides whether the finding stands, is excepted, or stands because the
 * exception that would cover it expired or the inline allow is not backed. */
static void settle(const hf_contract_engine *e, const hf_scan_target *t, hf_finding *f,
                   const char *inline_exc)
{
    const hf_config *cfg = e->cfg;
    const hf_exception *expired = NULL;
    hf_buf msg = HF_BUF_INIT;
    hf_buf_puts(&msg, f->rule->message);
    if (inline_exc) {
        const hf_exception *x = hf_config_exception(cfg, inline_exc);
        if (!x) {
            hf_buf_printf(&msg, " (inline allow names unknown exception '%s')", inline_exc);
        } else if (!hf_exception_covers(x, t->repo, f->path, f->rule->id)) {
            hf_buf_printf(&msg, " (inline allow: exception '%s' does not cover this)", x->id);
        } else if (hf_exception_expired(x, t->today)) {
            expired = x;
        } else {
            f->state = HF_FINDING_EXCEPTED;
            f->exception = x;
        }
    } else {
        for (size_t i = 0; i < cfg->exceptions.len; i++) {
            const hf_exception *x = cfg->exceptions.items[i];
            if (!x->id || !hf_exception_covers(x, t->repo, f->path, f->rule->id))
                continue;
            if (hf_exception_expired(x, t->today)) {
                expired = x;
                continue;
            }
            f->state = HF_FINDING_EXCEPTED;
            f->exception = x;
            break;
        }
    }
    if (f->state != HF_FINDING_EXCEPTED && expired) {
        char d[11];
        hf_date_format(expired->expires, d);
        hf_buf_printf(&msg, " (exception '%s' expired on %s)", expired->id, d);
        f->exception = expired;
    }
    f->message = hf_buf_detach(&msg);
}

/* What one file scan shares between its rules. */
typedef struct file_scan {
    const hf_contract_engine *e;
    const hf_scan_target *t;
    const char *path;
    pcre2_match_data *md;
    line_span *lines; /* the file as it is */
    line_span *code;  /* the same lines with comments blanked (== lines without a syntax) */
    size_t nlines;
    bool code_syntax; /* Python or JavaScript: bare words are not literals */
    int limit_hit;
    hf_vec *out;
} file_scan;

static bool line_allowed(file_scan *fs, const compiled_rule *cr, const line_span *l)
{
    const hf_contract_engine *e = fs->e;
    for (size_t i = 0; i < e->allow_lines.len; i++) {
        int m = match_at(e, fs->md, e->allow_lines.items[i], l->s, l->n, 0, NULL);
        if (m < 0)
            fs->limit_hit = 1;
        if (m > 0)
            return true;
    }
    for (size_t i = 0; i < cr->allow.len; i++) {
        int m = match_at(e, fs->md, cr->allow.items[i], l->s, l->n, 0, NULL);
        if (m < 0)
            fs->limit_hit = 1;
        if (m > 0)
            return true;
    }
    return false;
}

static void add_finding(file_scan *fs, const compiled_rule *cr, size_t li, size_t col_bytes)
{
    hf_finding *f = hf_xcalloc(1, sizeof(*f));
    f->rule = cr->rule;
    f->severity = cr->rule->severity;
    f->path = hf_xstrdup(fs->path);
    f->line = (int)li + 1;
    f->column = (int)utf8_chars(fs->lines[li].s, col_bytes) + 1;
    f->excerpt = excerpt_of(fs->e, fs->md, fs->code_syntax, fs->lines[li].s, fs->lines[li].n);
    char exc[128];
    bool has_inline = inline_allow(fs->e, fs->md, fs->lines, li, cr->rule->id, exc, sizeof(exc));
    settle(fs->e, fs->t, f, has_inline ? exc : NULL);
    hf_vec_push(fs->out, f);
}

/* Index of the line holding byte offset off. */
static size_t line_of(const line_span *lines, size_t nlines, const char *base, size_t off)
{
    size_t lo = 0, hi = nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if ((size_t)(lines[mid].s - base) <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* For a `value: literal` rule, whether the match just made (in md) binds a
 * literal: true when the group `value` did not take part in it. */
static bool binds_literal(const file_scan *fs, const compiled_rule *cr, const char *s, size_t n)
{
    if (!cr->rule->literal)
        return true;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(fs->md);
    PCRE2_SIZE at = ov[2 * cr->value_group];
    if (at == PCRE2_UNSET)
        return true;
    const char *nl = memchr(s + at, '\n', n - at);
    size_t end = nl ? (size_t)(nl - s) : n;
    return read_value(s, end, at, fs->code_syntax).literal;
}

/* A multi-line rule over the whole text (original or code-only): one
 * finding per line at most. */
static void scan_multiline(file_scan *fs, const compiled_rule *cr, const char *data, size_t len,
                           const line_span *view)
{
    size_t start = 0, at;
    size_t last_line = (size_t)-1;
    int m;
    while (start <= len && (m = match_at(fs->e, fs->md, cr->re, data, len, start, &at)) > 0) {
        size_t li = line_of(view, fs->nlines, data, at);
        if (!binds_literal(fs, cr, data, len)) {
            start = at + 1; /* a later match may bind one */
            continue;
        }
        if (li != last_line && !line_allowed(fs, cr, &view[li]))
            add_finding(fs, cr, li, at - (size_t)(view[li].s - data));
        last_line = li;
        /* continue after this line so one line yields one finding */
        if (li + 1 >= fs->nlines)
            break;
        start = (size_t)(view[li + 1].s - data);
    }
    if (m < 0)
        fs->limit_hit = 1;
}

/* A line rule: the first match of each line that binds a literal (when the
 * rule asks for one) and that no allow pattern excuses. */
static void scan_lines(file_scan *fs, const compiled_rule *cr, const line_span *view,
                       const unsigned char *candidate)
{
    for (size_t li = 0; li < fs->nlines && !fs->limit_hit; li++) {
        if (candidate && cr->prefiltered && !candidate[li])
            continue;
        const line_span *l = &view[li];
        size_t at = 0, start = 0;
        int m;
        bool hit = false;
        while (!hit && (m = match_at(fs->e, fs->md, cr->re, l->s, l->n, start, &at)) > 0) {
            hit = binds_literal(fs, cr, l->s, l->n);
            if (at >= l->n)
                break;
            start = at + 1;
        }
        if (m < 0) {
            fs->limit_hit = 1;
            break;
        }
        if (hit && !line_allowed(fs, cr, l))
            add_finding(fs, cr, li, at);
    }
}

static line_span *split_lines(const char *data, size_t len, size_t *count)
{
    size_t nlines = 0, cap = 64;
    line_span *lines = hf_xmalloc(cap * sizeof(*lines));
    for (size_t i = 0; i <= len;) {
        const char *nl = i < len ? memchr(data + i, '\n', len - i) : NULL;
        size_t end = nl ? (size_t)(nl - data) : len;
        if (nlines == cap) {
            cap *= 2;
            lines = hf_xrealloc(lines, cap * sizeof(*lines));
        }
        size_t n = end - i;
        if (n && data[end - 1] == '\r')
            n--;
        lines[nlines].s = data + i;
        lines[nlines].n = n;
        nlines++;
        if (!nl)
            break;
        i = end + 1;
    }
    *count = nlines;
    return lines;
}

int hf_contract_scan(const hf_contract_engine *e, const hf_scan_target *t, const char *path,
                     const char *blob_hex, const char *data, size_t len, hf_vec *out,
                     hf_scan_result *result, hf_error *err)
{
    const hf_contract *c = &e->cfg->contract;
    *result = HF_SCAN_DONE;
    if (hf_path_under(path, "archive") && t->quarantine &&
        hf_quarantine_holds(t->quarantine, path, blob_hex)) {
        *result = HF_SCAN_QUARANTINED;
        return 0;
    }
    if (path_allowed(c, t, path))
        return 0;
    if (len > c->max_file_bytes) {
        *result = HF_SCAN_SKIPPED_SIZE;
        return 0;
    }
    if (memchr(data, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF)) {
        *result = HF_SCAN_SKIPPED_BINARY;
        return 0;
    }
    bool test_path = any_glob(&c->test_paths, path);
    hf_vec applicable = HF_VEC_INIT;
    bool any_prefiltered = false, any_code_only = false;
    for (size_t i = 0; i < e->rules.len; i++) {
        compiled_rule *cr = e->rules.items[i];
        if (!rule_applies(cr->rule, t, path, test_path))
            continue;
        hf_vec_push(&applicable, cr);
        any_prefiltered |= cr->prefiltered;
        any_code_only |= !cr->rule->comments;
    }
    if (!applicable.len) {
        hf_vec_free(&applicable, NULL);
        return 0;
    }
    hf_lang syn = syntax_of(c, path, data, len);
    char *code = any_code_only ? code_only(syn, data, len) : NULL;
    file_scan fs = {.e = e,
                    .t = t,
                    .path = path,
                    .out = out,
                    .code_syntax = syn == HF_LANG_PYTHON || syn == HF_LANG_JS};
    fs.lines = split_lines(data, len, &fs.nlines);
    fs.code = fs.lines;
    if (code) {
        size_t n;
        fs.code = split_lines(code, len, &n);
    }
    fs.md = pcre2_match_data_create(e->ovector_pairs, NULL);
    /* Lines the prefilter matches (or could not decide on), as they are or
     * with comments blanked: only these can hold a finding of a prefiltered
     * rule. */
    unsigned char *candidate = NULL;
    if (e->prefilter && any_prefiltered) {
        candidate = hf_xmalloc(fs.nlines);
        for (size_t li = 0; li < fs.nlines; li++) {
            const line_span *a = &fs.lines[li], *b = &fs.code[li];
            candidate[li] = match_at(e, fs.md, e->prefilter, a->s, a->n, 0, NULL) != 0;
            if (!candidate[li] && b->s != a->s && memcmp(a->s, b->s, a->n))
                candidate[li] = match_at(e, fs.md, e->prefilter, b->s, b->n, 0, NULL) != 0;
        }
    }
    int rc = 0;
    for (size_t r = 0; r < applicable.len && rc == 0; r++) {
        const compiled_rule *cr = applicable.items[r];
        bool whole = cr->rule->comments || !code;
        if (cr->rule->multiline)
            scan_multiline(&fs, cr, whole ? data : code, len, whole ? fs.lines : fs.code);
        else
            scan_lines(&fs, cr, whole ? fs.lines : fs.code, candidate);
        if (fs.limit_hit)
            rc = hf_error_set(err,
                              "%s: rule '%s' hit the PCRE2 match or depth limit; the pattern "
                              "backtracks too much on this input",
                              path, cr->rule->id);
    }
    pcre2_match_data_free(fs.md);
    free(candidate);
    if (fs.code != fs.lines)
        free(fs.code);
    free(fs.lines);
    free(code);
    hf_vec_free(&applicable, NULL);
    return rc;
}

void hf_contract_count(const hf_vec *findings, hf_contract_counts *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < findings->len; i++) {
        const hf_finding *f = findings->items[i];
        if (f->state == HF_FINDING_EXCEPTED)
            c->excepted++;
        else if (f->severity == HF_SEV_ERROR)
            c->error++;
        else
            c->warning++;
    }
}
