/* The dashboard issue: finding handoff's block between its markers, splicing
 * new content into an issue body without touching the text around it, the
 * content itself, and the read-compare-write against GitHub. */
#include "batch/dashboard.h"
#include "util/log.h"
#include "util/mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_MARKER "<!-- handoff:status:begin fleet="
#define END_MARKER "<!-- handoff:status:end fleet="
#define MARKER_CLOSE " -->"

/* ---- OWNER/REPO#N ---------------------------------------------------- */

int hf_issue_ref_parse(const char *s, hf_issue_ref *out, hf_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *slash = s ? strchr(s, '/') : NULL;
    const char *hash = slash ? strchr(slash, '#') : NULL;
    size_t owner_len = slash ? (size_t)(slash - s) : 0;
    size_t repo_len = hash ? (size_t)(hash - slash - 1) : 0;
    bool ok = hash && owner_len >= 1 && owner_len < sizeof(out->owner) && repo_len >= 1 &&
              repo_len < sizeof(out->repo);
    for (size_t i = 0; ok && i < owner_len; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
    for (size_t i = 0; ok && i < repo_len; i++) {
        char c = slash[1 + i];
        ok = isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
    }
    if (ok) {
        memcpy(out->owner, s, owner_len);
        memcpy(out->repo, slash + 1, repo_len);
        ok = strcmp(out->repo, ".") != 0 && strcmp(out->repo, "..") != 0;
    }
    if (ok) {
        char *end;
        errno = 0;
        ok = isdigit((unsigned char)hash[1]);
        long n = ok ? strtol(hash + 1, &end, 10) : 0;
        ok = ok && errno == 0 && *end == '\0' && n >= 1;
        out->number = n;
    }
    if (!ok) {
        memset(out, 0, sizeof(*out));
        return hf_error_set(err, "'%s' is not an issue: write OWNER/REPO#N, as acme/ops#12",
                            s ? s : "");
    }
    return 0;
}

/* ---- markers --------------------------------------------------------- */

static void marker(hf_buf *out, const char *open, const char *fleet)
{
    hf_buf_clear(out);
    hf_buf_puts(out, open);
    for (const char *p = fleet && *fleet ? fleet : "fleet"; *p; p++)
        hf_buf_putc(out, isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_');
    hf_buf_puts(out, MARKER_CLOSE);
}

void hf_dashboard_markers(const char *fleet, hf_buf *begin, hf_buf *end)
{
    marker(begin, BEGIN_MARKER, fleet);
    marker(end, END_MARKER, fleet);
}

int hf_dashboard_find(const char *body, const char *fleet, hf_dashboard_block *out, hf_error *err)
{
    memset(out, 0, sizeof(*out));
    hf_buf begin = HF_BUF_INIT, end = HF_BUF_INIT;
    hf_dashboard_markers(fleet, &begin, &end);
    const char *b1 = strstr(body, begin.ptr), *e1 = strstr(body, end.ptr);
    const char *b2 = b1 ? strstr(b1 + begin.len, begin.ptr) : NULL;
    const char *e2 = e1 ? strstr(e1 + end.len, end.ptr) : NULL;
    const char *problem = NULL;
    if (b2)
        problem = "has the begin marker %s twice";
    else if (e2)
        problem = "has the end marker %s twice";
    else if (b1 && !e1)
        problem = "has the begin marker %s but not its end marker";
    else if (e1 && !b1)
        problem = "has the end marker %s but not its begin marker";
    else if (b1 && e1 < b1)
        problem = "has the end marker %s before its begin marker";
    int rc = 0;
    if (problem) {
        hf_buf msg = HF_BUF_INIT;
        hf_buf_printf(&msg, problem, b2 || (b1 && !e1) ? begin.ptr : end.ptr);
        rc = hf_error_set(err,
                          "the body %s; handoff changes nothing until the block is whole again "
                          "(delete both markers and what is between them to start afresh)",
                          msg.ptr);
        hf_buf_free(&msg);
    } else if (b1) {
        out->found = true;
        out->start = (size_t)(b1 - body);
        out->inner = out->start + begin.len;
        out->inner_end = (size_t)(e1 - body);
        out->end = out->inner_end + end.len;
    }
    hf_buf_free(&begin);
    hf_buf_free(&end);
    return rc;
}

/* ---- splicing -------------------------------------------------------- */

static bool ends_with(const hf_buf *b, const char *s)
{
    size_t n = strlen(s);
    return b->len >= n && memcmp(b->ptr + b->len - n, s, n) == 0;
}

int hf_dashboard_splice(const char *body, const char *fleet, const char *content, hf_buf *out,
                        hf_error *err)
{
    hf_buf_clear(out);
    hf_dashboard_block b;
    if (hf_dashboard_find(body, fleet, &b, err) < 0)
        return -1;
    const char *nl = strstr(body, "\r\n") ? "\r\n" : "\n";
    hf_buf begin = HF_BUF_INIT, end = HF_BUF_INIT, block = HF_BUF_INIT;
    hf_dashboard_markers(fleet, &begin, &end);
    hf_buf_puts(&block, begin.ptr);
    hf_buf_puts(&block, nl);
    for (const char *p = content; *p; p++) {
        if (*p == '\n')
            hf_buf_puts(&block, nl);
        else if (*p != '\r')
            hf_buf_putc(&block, *p);
    }
    if (*content && content[strlen(content) - 1] != '\n')
        hf_buf_puts(&block, nl);
    hf_buf_puts(&block, end.ptr);

    if (b.found) {
        hf_buf_put(out, body, b.start);
        hf_buf_put(out, block.ptr, block.len);
        hf_buf_puts(out, body + b.end);
    } else {
        hf_buf_puts(out, body);
        /* After a blank line, so the block never joins a person's paragraph. */
        if (out->len) {
            hf_buf two = HF_BUF_INIT;
            hf_buf_printf(&two, "%s%s", nl, nl);
            if (!ends_with(out, two.ptr))
                hf_buf_puts(out, ends_with(out, nl) ? nl : two.ptr);
            hf_buf_free(&two);
        }
        hf_buf_put(out, block.ptr, block.len);
    }
    hf_buf_free(&begin);
    hf_buf_free(&end);
    hf_buf_free(&block);
    return 0;
}

/* The text as it is compared: no CRs, no date line, no blank lines at
 * either end. */
static void comparable(const char *s, size_t n, hf_buf *out)
{
    hf_buf lines = HF_BUF_INIT;
    size_t prefix = strlen(HF_DASHBOARD_DATE_PREFIX);
    for (size_t i = 0; i < n;) {
        const char *line = s + i;
        const char *eol = memchr(line, '\n', n - i);
        size_t len = eol ? (size_t)(eol - line) : n - i;
        if (!(len >= prefix && memcmp(line, HF_DASHBOARD_DATE_PREFIX, prefix) == 0)) {
            for (size_t k = 0; k < len; k++)
                if (line[k] != '\r')
                    hf_buf_putc(&lines, line[k]);
            hf_buf_putc(&lines, '\n');
        }
        i += len + (eol ? 1 : 0);
    }
    size_t start = 0, stop = lines.len;
    while (start < stop && lines.ptr[start] == '\n')
        start++;
    while (stop > start && lines.ptr[stop - 1] == '\n')
        stop--;
    hf_buf_clear(out);
    if (stop > start)
        hf_buf_put(out, lines.ptr + start, stop - start);
    hf_buf_free(&lines);
}

bool hf_dashboard_same(const char *body, const hf_dashboard_block *b, const char *content)
{
    if (!b->found)
        return false;
    hf_buf have = HF_BUF_INIT, want = HF_BUF_INIT;
    comparable(body + b->inner, b->inner_end - b->inner, &have);
    comparable(content, strlen(content), &want);
    bool same =
        have.len == want.len && memcmp(hf_buf_cstr(&have), hf_buf_cstr(&want), have.len) == 0;
    hf_buf_free(&have);
    hf_buf_free(&want);
    return same;
}

/* ---- the content ----------------------------------------------------- */

/* A name and how often it was seen (names are borrowed). */
typedef struct tally_entry {
    const char *name;
    size_t n;
} tally_entry;

/* Counts name in t (tally_entry *, in the order first seen). */
static void tally_add(hf_vec *t, const char *name)
{
    for (size_t i = 0; i < t->len; i++) {
        tally_entry *e = t->items[i];
        if (!strcmp(e->name, name)) {
            e->n++;
            return;
        }
    }
    tally_entry *e = hf_xcalloc(1, sizeof(*e));
    e->name = name;
    e->n = 1;
    hf_vec_push(t, e);
}

static bool listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (!strcmp(*names, name))
            return true;
    return false;
}

static void write_count(hf_buf *out, const tally_entry *e, bool name_first, size_t *written)
{
    const char *sep = (*written)++ ? ", " : "";
    if (name_first)
        hf_buf_printf(out, "%s%s: %zu", sep, e->name, e->n);
    else
        hf_buf_printf(out, "%s%zu %s", sep, e->n, e->name);
}

/* "2 draft, 1 none" (or "name: N" when name_first): the names of order
 * first, in that order, then the others as first seen. */
static void write_counts(hf_buf *out, const hf_vec *t, const char *const *order, bool name_first)
{
    size_t written = 0;
    for (const char *const *o = order; o && *o; o++)
        for (size_t i = 0; i < t->len; i++)
            if (!strcmp(((const tally_entry *)t->items[i])->name, *o))
                write_count(out, t->items[i], name_first, &written);
    for (size_t i = 0; i < t->len; i++)
        if (!listed(order, ((const tally_entry *)t->items[i])->name))
            write_count(out, t->items[i], name_first, &written);
}

static const char *row_pr_state(const hf_matrix_live *row)
{
    const hf_repo_status *st = row->status;
    if (!st)
        return "none";
    if (st->pr_state)
        return st->pr_state;
    return st->pr ? "unknown" : "none";
}

void hf_dashboard_render(hf_buf *out, const hf_config *cfg, const hf_vec *repos,
                         const hf_matrix_live *rows, hf_date today)
{
    static const char *const pr_order[] = {"open", "draft", "closed", "merged", "none", NULL};
    char date[11];
    hf_date_format(today, date);
    hf_vec prs = HF_VEC_INIT, findings = HF_VEC_INIT, unchecked = HF_VEC_INIT;
    size_t repos_with_findings = 0;
    for (size_t i = 0; i < repos->len; i++) {
        const hf_matrix_live *row = &rows[i];
        const hf_repo *r = repos->items[i];
        tally_add(&prs, row_pr_state(row));
        if (row->scan.problems.len || (row->status && row->status->error))
            hf_vec_push(&unchecked, (void *)r->name);
        bool any = false;
        for (size_t k = 0; k < row->scan.findings.len; k++) {
            const hf_finding *f = row->scan.findings.items[k];
            if (f->state == HF_FINDING_EXCEPTED)
                continue;
            tally_add(&findings, f->rule->category);
            any = true;
        }
        repos_with_findings += any;
    }

    hf_buf_printf(out, "### handoff status: %s\n\n", cfg->fleet.name ? cfg->fleet.name : "");
    hf_buf_printf(out,
                  HF_DASHBOARD_DATE_PREFIX "%s by `handoff status --sync-issue`; edits between "
                                           "the handoff markers are overwritten._\n\n",
                  date);
    hf_buf_printf(out, "**Pull requests** (%zu repos): ", repos->len);
    write_counts(out, &prs, pr_order, false);
    hf_buf_puts(out, "  \n**Open contract findings**: ");
    if (findings.len) {
        write_counts(out, &findings, NULL, true);
        hf_buf_printf(out, " (in %zu repo%s)", repos_with_findings,
                      repos_with_findings == 1 ? "" : "s");
    } else {
        hf_buf_puts(out, "none");
    }
    if (unchecked.len) {
        hf_buf_puts(out, "  \n**Not checked this run** (could not be fetched or asked about): ");
        for (size_t i = 0; i < unchecked.len; i++)
            hf_buf_printf(out, "%s`%s`", i ? ", " : "", (const char *)unchecked.items[i]);
    }
    hf_buf_puts(out, "\n\n");

    char *table = NULL;
    size_t table_len = 0;
    FILE *f = open_memstream(&table, &table_len);
    if (f) {
        hf_matrix_write_table(f, cfg, repos, rows);
        fclose(f);
        hf_buf_put(out, table, table_len);
    }
    free(table);
    hf_vec_free(&prs, free);
    hf_vec_free(&findings, free);
    hf_vec_free(&unchecked, NULL);
}

/* ---- against GitHub ------------------------------------------------- */

const char *hf_dashboard_result_name(hf_dashboard_result r)
{
    switch (r) {
    case HF_DASHBOARD_UPDATED:
        return "updated";
    case HF_DASHBOARD_ADDED:
        return "added";
    default:
        return "unchanged";
    }
}

/* Characters, as GitHub counts them for its limit (UTF-8 code points). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    return chars;
}

int hf_dashboard_check(hf_http *h, const hf_issue_ref *issue, const char *fleet, hf_error *err)
{
    hf_gh_issue *cur = NULL;
    hf_dashboard_block b;
    int rc = hf_gh_issue_get(h, issue->owner, issue->repo, issue->number, &cur, err);
    if (rc == 0 && (rc = hf_dashboard_find(cur->body, fleet, &b, err)) < 0)
        hf_error_wrap(err, "issue %s/%s#%ld", issue->owner, issue->repo, issue->number);
    if (rc == 0 && strcmp(cur->state, "closed") == 0)
        hf_log_warn("issue %s/%s#%ld is closed; its block is kept true all the same", issue->owner,
                    issue->repo, issue->number);
    hf_gh_issue_free(cur);
    return rc;
}

int hf_dashboard_sync(hf_http *h, const hf_issue_ref *issue, const char *fleet, const char *content,
                      hf_dashboard_result *result, hf_error *err)
{
    *result = HF_DASHBOARD_UNCHANGED;
    hf_gh_issue *cur = NULL;
    hf_buf body = HF_BUF_INIT;
    hf_dashboard_block b;
    int rc = hf_gh_issue_get(h, issue->owner, issue->repo, issue->number, &cur, err);
    if (rc < 0)
        goto done;
    if ((rc = hf_dashboard_find(cur->body, fleet, &b, err)) < 0) {
        hf_error_wrap(err, "issue %s/%s#%ld", issue->owner, issue->repo, issue->number);
        goto done;
    }
    if (hf_dashboard_same(cur->body, &b, content))
        goto done;
    if ((rc = hf_dashboard_splice(cur->body, fleet, content, &body, err)) < 0)
        goto done;
    size_t chars = utf8_chars(body.ptr, body.len);
    if (chars > HF_DASHBOARD_MAX_BODY) {
        rc = hf_error_set(err,
                          "issue %s/%s#%ld: with the block its body would be %zu characters, "
                          "more than GitHub's %d; give part of the fleet (--family, --repo, "
                          "--shard) an issue of its own",
                          issue->owner, issue->repo, issue->number, chars, HF_DASHBOARD_MAX_BODY);
        goto done;
    }
    if ((rc = hf_gh_issue_set_body(h, issue->owner, issue->repo, issue->number, body.ptr, NULL,
                                   err)) < 0)
        goto done;
    *result = b.found ? HF_DASHBOARD_UPDATED : HF_DASHBOARD_ADDED;
done:
    hf_gh_issue_free(cur);
    hf_buf_free(&body);
    return rc;
}
