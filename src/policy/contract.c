/* Contract rules compiled once (PCRE2 with JIT, bounded by match and depth
 * limits) and matched file by file; findings are settled against exceptions
 * and inline `handoff: allow <rule> <exception>` comments. */
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
/* ovector pairs of the one match data a scan reuses for every pattern; a
 * pattern with more groups still matches (its ovector is cut short, and
 * only the whole match and the inline allow's two groups are read) */
#define OVECTOR_PAIRS 16

typedef struct compiled_rule {
    const hf_rule *rule;
    pcre2_code *re;
    hf_vec allow; /* pcre2_code * */
    bool prefiltered; /* part of the engine's line prefilter */
} compiled_rule;

struct hf_contract_engine {
    const hf_config *cfg;
    hf_vec rules;       /* compiled_rule * */
    hf_vec allow_lines; /* pcre2_code * */
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
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &code,
                                   &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        hf_error_set(err, "%s: invalid regular expression at offset %zu: %s", what,
                     (size_t)offset, (const char *)msg);
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

/* Builds the prefilter from the combinable line rules. If the alternation
 * does not compile (it always should), every rule is matched on its own. */
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
        e->prefilter = pcre2_compile((PCRE2_SPTR)alt.ptr, alt.len, 0, &code, &offset, NULL);
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
    for (size_t i = 0; i < c->rules.len; i++) {
        const hf_rule *r = c->rules.items[i];
        compiled_rule *cr = hf_xcalloc(1, sizeof(*cr));
        cr->rule = r;
        hf_vec_push(&e->rules, cr);
        uint32_t flags = (r->ignore_case ? PCRE2_CASELESS : 0) | (r->multiline ? PCRE2_MULTILINE : 0);
        hf_buf_clear(&what);
        hf_buf_printf(&what, "rule '%s'", r->id);
        if (!(cr->re = compile(r->pattern, flags, hf_buf_cstr(&what), err)))
            goto done;
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

static bool rule_applies(const hf_rule *r, const hf_scan_target *t, const char *path)
{
    if (r->families.len && !(t->family && in_list(&r->families, t->family)))
        return false;
    if (r->include.len && !any_glob(&r->include, path))
        return false;
    return !any_glob(&r->exclude, path);
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

/* The line as shown in reports: leading blanks trimmed, shortened at a
 * character boundary, and for secret-bearing categories the value after the
 * first '=' or ':' masked so a finding never prints the secret it found. */
static char *excerpt_of(const hf_rule *r, const char *line, size_t n)
{
    while (n && (*line == ' ' || *line == '\t'))
        line++, n--;
    hf_buf b = HF_BUF_INIT;
    size_t cut = n;
    if (cut > EXCERPT_MAX) {
        cut = EXCERPT_MAX;
        while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--;
    }
    bool mask = !strcmp(r->category, "managed-secret-authority") ||
                !strcmp(r->category, "durable-runtime-config");
    for (size_t i = 0; i < cut; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (mask && (ch == '=' || (ch == ':' && i + 1 < cut && line[i + 1] == ' '))) {
            hf_buf_put(&b, line, i + 1);
            hf_buf_puts(&b, ch == ':' ? " ***" : "***");
            cut = 0;
            break;
        }
        (void)ch;
    }
    if (cut) {
        for (size_t i = 0; i < cut; i++) {
            unsigned char ch = (unsigned char)line[i];
            hf_buf_putc(&b, ch < 0x20 && ch != '\t' ? '?' : (char)ch);
        }
        if (cut < n)
            hf_buf_puts(&b, "...");
    }
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

static bool line_allowed(const hf_contract_engine *e, pcre2_match_data *md, const compiled_rule *cr,
                         const line_span *l, int *limit_hit)
{
    for (size_t i = 0; i < e->allow_lines.len; i++) {
        int m = match_at(e, md, e->allow_lines.items[i], l->s, l->n, 0, NULL);
        if (m < 0)
            *limit_hit = 1;
        if (m > 0)
            return true;
    }
    for (size_t i = 0; i < cr->allow.len; i++) {
        int m = match_at(e, md, cr->allow.items[i], l->s, l->n, 0, NULL);
        if (m < 0)
            *limit_hit = 1;
        if (m > 0)
            return true;
    }
    return false;
}

static void add_finding(const hf_contract_engine *e, pcre2_match_data *md, const hf_scan_target *t,
                        const compiled_rule *cr, const char *path, const line_span *lines,
                        size_t li, size_t col_bytes, hf_vec *out)
{
    hf_finding *f = hf_xcalloc(1, sizeof(*f));
    f->rule = cr->rule;
    f->severity = cr->rule->severity;
    f->path = hf_xstrdup(path);
    f->line = (int)li + 1;
    f->column = (int)utf8_chars(lines[li].s, col_bytes) + 1;
    f->excerpt = excerpt_of(cr->rule, lines[li].s, lines[li].n);
    char exc[128];
    bool has_inline = inline_allow(e, md, lines, li, cr->rule->id, exc, sizeof(exc));
    settle(e, t, f, has_inline ? exc : NULL);
    hf_vec_push(out, f);
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

int hf_contract_scan(const hf_contract_engine *e, const hf_scan_target *t, const char *path,
                     const char *blob_hex, const char *data, size_t len, hf_vec *out,
                     hf_scan_result *result, hf_error *err)
{
    *result = HF_SCAN_DONE;
    if (hf_path_under(path, "archive") && t->quarantine &&
        hf_quarantine_holds(t->quarantine, path, blob_hex)) {
        *result = HF_SCAN_QUARANTINED;
        return 0;
    }
    if (any_glob(&e->cfg->contract.allow_paths, path))
        return 0;
    if (len > e->cfg->contract.max_file_bytes) {
        *result = HF_SCAN_SKIPPED_SIZE;
        return 0;
    }
    if (memchr(data, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF)) {
        *result = HF_SCAN_SKIPPED_BINARY;
        return 0;
    }
    hf_vec applicable = HF_VEC_INIT;
    for (size_t i = 0; i < e->rules.len; i++) {
        compiled_rule *cr = e->rules.items[i];
        if (rule_applies(cr->rule, t, path))
            hf_vec_push(&applicable, cr);
    }
    if (!applicable.len) {
        hf_vec_free(&applicable, NULL);
        return 0;
    }
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
    pcre2_match_data *md = pcre2_match_data_create(OVECTOR_PAIRS, NULL);
    /* Lines the prefilter matches (or could not decide on): only these can
     * hold a finding of a prefiltered rule. */
    unsigned char *candidate = NULL;
    bool any_prefiltered = false;
    for (size_t r = 0; r < applicable.len; r++)
        any_prefiltered |= ((const compiled_rule *)applicable.items[r])->prefiltered;
    if (e->prefilter && any_prefiltered) {
        candidate = hf_xmalloc(nlines);
        for (size_t li = 0; li < nlines; li++)
            candidate[li] = match_at(e, md, e->prefilter, lines[li].s, lines[li].n, 0, NULL) != 0;
    }
    int rc = 0;
    for (size_t r = 0; r < applicable.len && rc == 0; r++) {
        const compiled_rule *cr = applicable.items[r];
        int limit_hit = 0;
        if (cr->rule->multiline) {
            size_t start = 0, at;
            size_t last_line = (size_t)-1;
            int m;
            while (start <= len && (m = match_at(e, md, cr->re, data, len, start, &at)) > 0) {
                size_t li = line_of(lines, nlines, data, at);
                if (li != last_line && !line_allowed(e, md, cr, &lines[li], &limit_hit))
                    add_finding(e, md, t, cr, path, lines, li, at - (size_t)(lines[li].s - data),
                                out);
                last_line = li;
                /* continue after this line so one line yields one finding */
                start = (size_t)(lines[li].s - data) + lines[li].n + 1;
                if (li + 1 < nlines)
                    start = (size_t)(lines[li + 1].s - data);
                else
                    break;
            }
            if (m < 0)
                limit_hit = 1;
        } else {
            for (size_t li = 0; li < nlines; li++) {
                if (candidate && cr->prefiltered && !candidate[li])
                    continue;
                size_t at;
                int m = match_at(e, md, cr->re, lines[li].s, lines[li].n, 0, &at);
                if (m < 0) {
                    limit_hit = 1;
                    break;
                }
                if (m > 0 && !line_allowed(e, md, cr, &lines[li], &limit_hit))
                    add_finding(e, md, t, cr, path, lines, li, at, out);
            }
        }
        if (limit_hit)
            rc = hf_error_set(err,
                              "%s: rule '%s' hit the PCRE2 match or depth limit; the pattern "
                              "backtracks too much on this input",
                              path, cr->rule->id);
    }
    pcre2_match_data_free(md);
    free(candidate);
    free(lines);
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
