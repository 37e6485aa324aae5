/* Runs the rule cases of tests/check-cases/rules.txt and the precision
 * corpus of tests/check-cases/precision.txt against the shipped contract
 * (recipes/contract.yml): for each case, one file (family, path, content)
 * is scanned the way `handoff check` scans it, and the findings of that
 * case's rule must be exactly the listed line:col positions (a `fire` case)
 * or none (a `quiet` case); a `clean` case (the corpus) must draw no finding
 * from any rule. One cmocka test per rule, one for the corpus, one that
 * every rule of contract.yml has at least three cases of each kind, and one
 * that the corpus holds at least MIN_CLEAN cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "policy/contract.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#define MIN_CASES 3
#define MIN_CLEAN 40
#define MAX_LOCS 16

typedef struct rule_case {
    char *rule; /* NULL for a clean case: no rule may fire */
    int fire;
    char *family;
    char *path;
    int locs[MAX_LOCS][2]; /* line, column */
    int nlocs;
    hf_buf content;
    int src_line;    /* line of the case header in its file */
    const char *src; /* the file */
} rule_case;

static hf_config g_cfg;
static hf_contract_engine *g_engine;
static hf_vec g_cases = HF_VEC_INIT; /* rule_case * */
static char g_rules_path[4096];
static char g_precision_path[4096];

static void case_free(void *p)
{
    rule_case *c = p;
    free(c->rule);
    free(c->family);
    free(c->path);
    hf_buf_free(&c->content);
    free(c);
}

/* Splits s at blanks into at most max words (s is modified). */
static int split_words(char *s, char **words, int max)
{
    int n = 0;
    for (char *tok = strtok(s, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
        words[n++] = tok;
    return n;
}

/* Ends a case: converts the content to CRLF or drops the final newline when
 * the case asks for it. */
static void finish_case(rule_case *c, int crlf, int nonl)
{
    if (!c)
        return;
    if (nonl && c->content.len && c->content.ptr[c->content.len - 1] == '\n')
        hf_buf_truncate(&c->content, c->content.len - 1);
    if (crlf) {
        hf_buf out = HF_BUF_INIT;
        for (size_t i = 0; i < c->content.len; i++) {
            if (c->content.ptr[i] == '\n')
                hf_buf_putc(&out, '\r');
            hf_buf_putc(&out, c->content.ptr[i]);
        }
        hf_buf_free(&c->content);
        c->content = out;
    }
    if (!c->content.ptr)
        hf_buf_puts(&c->content, "");
}

static int parse_cases(const char *path)
{
    hf_buf text = HF_BUF_INIT;
    hf_error err;
    if (hf_fs_read(&text, path, 4 << 20, 1, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    char *rule = NULL;
    rule_case *cur = NULL;
    const char *shown = path == g_precision_path ? g_precision_path : g_rules_path;
    int crlf = 0, nonl = 0, lineno = 0, rc = 0;
    char *p = text.ptr;
    while (p && *p && rc == 0) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (p[0] == '|') {
            if (!cur) {
                fprintf(stderr, "%s:%d: content line outside a case\n", path, lineno);
                rc = -1;
            } else {
                hf_buf_puts(&cur->content, p[1] == ' ' ? p + 2 : p + 1);
                hf_buf_putc(&cur->content, '\n');
            }
        } else if (p[0] == '#' || p[strspn(p, " \t")] == '\0') {
            /* comment or blank line */
        } else {
            finish_case(cur, crlf, nonl);
            cur = NULL;
            char *words[8];
            int n = split_words(p, words, 8);
            if (n == 2 && !strcmp(words[0], "rule")) {
                free(rule);
                rule = hf_xstrdup(words[1]);
            } else if ((n == 3 || n == 4) && !strcmp(words[0], "clean")) {
                cur = hf_xcalloc(1, sizeof(*cur));
                cur->family = hf_xstrdup(words[1]);
                cur->path = hf_xstrdup(words[2]);
                cur->src_line = lineno;
                cur->src = shown;
                crlf = nonl = 0;
                if (n == 4 && !strcmp(words[3], "crlf"))
                    crlf = 1;
                else if (n == 4) {
                    fprintf(stderr, "%s:%d: unknown flag '%s'\n", path, lineno, words[3]);
                    rc = -1;
                }
                hf_vec_push(&g_cases, cur);
            } else if (n >= 3 && (!strcmp(words[0], "fire") || !strcmp(words[0], "quiet")) &&
                       rule) {
                cur = hf_xcalloc(1, sizeof(*cur));
                cur->rule = hf_xstrdup(rule);
                cur->src = shown;
                cur->fire = words[0][0] == 'f';
                cur->family = hf_xstrdup(words[1]);
                cur->path = hf_xstrdup(words[2]);
                cur->src_line = lineno;
                crlf = nonl = 0;
                int w = 3;
                if (cur->fire) {
                    char *locs = n > 3 ? words[3] : NULL;
                    for (char *loc = locs ? strtok(locs, ",") : NULL; loc;
                         loc = strtok(NULL, ",")) {
                        if (cur->nlocs == MAX_LOCS ||
                            sscanf(loc, "%d:%d", &cur->locs[cur->nlocs][0],
                                   &cur->locs[cur->nlocs][1]) != 2)
                            break;
                        cur->nlocs++;
                    }
                    if (!cur->nlocs) {
                        fprintf(stderr, "%s:%d: a fire case needs LINE:COL[,LINE:COL...]\n", path,
                                lineno);
                        rc = -1;
                    }
                    w = 4;
                }
                for (; w < n; w++) {
                    if (!strcmp(words[w], "crlf"))
                        crlf = 1;
                    else if (!strcmp(words[w], "nonl"))
                        nonl = 1;
                    else {
                        fprintf(stderr, "%s:%d: unknown flag '%s'\n", path, lineno, words[w]);
                        rc = -1;
                    }
                }
                hf_vec_push(&g_cases, cur);
            } else {
                fprintf(stderr,
                        "%s:%d: expected `rule ID`, `fire FAMILY PATH LINE:COL`, "
                        "`quiet FAMILY PATH` or `clean FAMILY PATH`\n",
                        path, lineno);
                rc = -1;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    finish_case(cur, crlf, nonl);
    free(rule);
    hf_buf_free(&text);
    return rc;
}

static int loc_cmp(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

static void locs_text(hf_buf *out, int (*locs)[2], int n)
{
    if (!n)
        hf_buf_puts(out, "(none)");
    for (int i = 0; i < n; i++)
        hf_buf_printf(out, "%s%d:%d", i ? "," : "", locs[i][0], locs[i][1]);
}

/* Scans one case as `handoff check` would; returns 0 when it behaves as
 * listed, otherwise appends what went wrong to report. */
static int run_case(const rule_case *c, hf_buf *report)
{
    hf_scan_target t = {.repo = "check-cases/repo", .family = c->family, .today = {2026, 7, 1}};
    hf_vec found = HF_VEC_INIT;
    int got[MAX_LOCS * 4][2];
    int ngot = 0, bad = 0;
    hf_buf why = HF_BUF_INIT;
    if (hf_contract_wants_path(g_engine, c->path)) {
        hf_scan_result res;
        hf_error err;
        if (hf_contract_scan(g_engine, &t, c->path, NULL, c->content.ptr, c->content.len, &found,
                             &res, &err) < 0) {
            hf_buf_printf(&why, "scan error: %s", err.msg);
            bad = 1;
        }
    }
    for (size_t i = 0; i < found.len; i++) {
        const hf_finding *f = found.items[i];
        if (c->rule && strcmp(f->rule->id, c->rule))
            continue;
        if (!c->rule)
            hf_buf_printf(&why, "%s at %d:%d: %s; ", f->rule->id, f->line, f->column, f->excerpt);
        if (f->state != HF_FINDING_OPEN) {
            hf_buf_printf(&why, "finding at %d:%d is not open; ", f->line, f->column);
            bad = 1;
        }
        if (ngot < MAX_LOCS * 4) {
            got[ngot][0] = f->line;
            got[ngot][1] = f->column;
            ngot++;
        }
    }
    qsort(got, (size_t)ngot, sizeof(got[0]), loc_cmp);
    int want[MAX_LOCS][2];
    int nwant = c->fire ? c->nlocs : 0;
    memcpy(want, c->locs, sizeof(want));
    qsort(want, (size_t)nwant, sizeof(want[0]), loc_cmp);
    if (ngot != nwant || memcmp(got, want, sizeof(int[2]) * (size_t)ngot))
        bad = 1;
    if (bad) {
        hf_buf_printf(report, "%s:%d: %s %s %s: expected ", c->src, c->src_line,
                      c->fire   ? "fire"
                      : c->rule ? "quiet"
                                : "clean",
                      c->family, c->path);
        locs_text(report, want, nwant);
        hf_buf_puts(report, ", got ");
        locs_text(report, got, ngot);
        if (why.len)
            hf_buf_printf(report, " (%s)", why.ptr);
        hf_buf_putc(report, '\n');
    }
    hf_buf_free(&why);
    hf_vec_free(&found, hf_finding_free);
    return bad;
}

static void test_rule(void **state)
{
    const char *rule = *state;
    hf_buf report = HF_BUF_INIT;
    int failures = 0, ran = 0;
    for (size_t i = 0; i < g_cases.len; i++) {
        const rule_case *c = g_cases.items[i];
        if (!c->rule || strcmp(c->rule, rule))
            continue;
        ran++;
        failures += run_case(c, &report);
    }
    if (failures)
        fail_msg("rule %s: %d of %d cases failed:\n%s", rule, failures, ran, hf_buf_cstr(&report));
    hf_buf_free(&report);
}

/* The precision corpus: files written as real code reads, on which no rule
 * fires. */
static void test_precision_corpus(void **state)
{
    (void)state;
    hf_buf report = HF_BUF_INIT;
    int failures = 0, ran = 0;
    for (size_t i = 0; i < g_cases.len; i++) {
        const rule_case *c = g_cases.items[i];
        if (c->rule)
            continue;
        ran++;
        failures += run_case(c, &report);
    }
    if (ran < MIN_CLEAN)
        hf_buf_printf(&report, "%s holds %d clean cases (at least %d)\n", g_precision_path, ran,
                      MIN_CLEAN);
    if (report.len)
        fail_msg("precision corpus: %d of %d cases drew findings:\n%s", failures, ran,
                 hf_buf_cstr(&report));
    hf_buf_free(&report);
}

/* Every rule has enough cases of both kinds, and every case names a rule
 * that exists (a renamed rule must take its cases along). */
static void test_every_rule_covered(void **state)
{
    (void)state;
    hf_buf report = HF_BUF_INIT;
    for (size_t r = 0; r < g_cfg.contract.rules.len; r++) {
        const hf_rule *rule = g_cfg.contract.rules.items[r];
        int fire = 0, quiet = 0;
        for (size_t i = 0; i < g_cases.len; i++) {
            const rule_case *c = g_cases.items[i];
            if (c->rule && !strcmp(c->rule, rule->id))
                *(c->fire ? &fire : &quiet) += 1;
        }
        if (fire < MIN_CASES || quiet < MIN_CASES)
            hf_buf_printf(&report, "rule %s has %d fire and %d quiet cases (at least %d each)\n",
                          rule->id, fire, quiet, MIN_CASES);
    }
    for (size_t i = 0; i < g_cases.len; i++) {
        const rule_case *c = g_cases.items[i];
        if (c->rule && !hf_config_rule(&g_cfg, c->rule))
            hf_buf_printf(&report, "%s:%d: no rule '%s' in contract.yml\n", c->src, c->src_line,
                          c->rule);
    }
    if (report.len)
        fail_msg("%s", report.ptr);
    hf_buf_free(&report);
}

int main(void)
{
    const char *root = getenv("HF_SOURCE_ROOT");
    if (!root)
        root = ".";
    hf_buf dir = HF_BUF_INIT;
    hf_fs_join(&dir, root, "recipes");
    snprintf(g_rules_path, sizeof(g_rules_path), "%s/tests/check-cases/rules.txt", root);
    snprintf(g_precision_path, sizeof(g_precision_path), "%s/tests/check-cases/precision.txt",
             root);
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = {2026, 7, 1}, .expired_is_error = false};
    if (hf_config_load(&g_cfg, dir.ptr, &opts, &diags) != 0) {
        hf_diags_print(&diags, stderr);
        return 1;
    }
    hf_diags_free(&diags);
    hf_error err;
    if (hf_contract_compile(&g_engine, &g_cfg, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (parse_cases(g_rules_path) < 0 || parse_cases(g_precision_path) < 0)
        return 1;

    size_t n = g_cfg.contract.rules.len;
    struct CMUnitTest *tests = hf_xcalloc(n + 2, sizeof(*tests));
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_every_rule_covered);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_precision_corpus);
    for (size_t i = 0; i < n; i++) {
        const hf_rule *r = g_cfg.contract.rules.items[i];
        tests[i + 2].name = r->id;
        tests[i + 2].test_func = test_rule;
        tests[i + 2].initial_state = r->id;
    }
    int failed = _cmocka_run_group_tests("contract-rules", tests, n + 2, NULL, NULL);
    free(tests);
    hf_vec_free(&g_cases, case_free);
    hf_contract_free(g_engine);
    hf_config_free(&g_cfg);
    hf_buf_free(&dir);
    return failed;
}
