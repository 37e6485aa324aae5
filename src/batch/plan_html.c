/* The plan review page: HTML rendering of a fleet plan. Every string that
 * comes from a repo or the configuration goes through hf_html_escape. */
#include "batch/plan_html.h"
#include "batch/diff_view.h"
#include "batch/page_assets.h"
#include "util/html.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

struct hf_plan_page {
    const hf_config *cfg;
    const hf_plan_meta *meta;
    FILE *sections; /* the repo sections so far (an unlinked temporary file) */
    size_t added;
    hf_vec links; /* char *: per repo added, its links as HTML for the fleet table */
};

/* ---- syntax colouring, one line at a time ------------------------------- */

typedef enum { LANG_NONE, LANG_YAML, LANG_SHELL, LANG_PYTHON, LANG_MARKDOWN } lang;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static lang lang_of(const char *path)
{
    if (ends_with(path, ".yml") || ends_with(path, ".yaml"))
        return LANG_YAML;
    if (ends_with(path, ".sh") || ends_with(path, ".bash") || ends_with(path, ".env") ||
        ends_with(path, ".env.example"))
        return LANG_SHELL;
    if (ends_with(path, ".py"))
        return LANG_PYTHON;
    if (ends_with(path, ".md") || ends_with(path, ".markdown"))
        return LANG_MARKDOWN;
    return LANG_NONE;
}

static void span(hf_buf *out, char cls, const char *s, size_t len)
{
    if (!len)
        return;
    hf_buf_printf(out, "<span class=%c>", cls);
    hf_html_escape(out, s, len);
    hf_buf_puts(out, "</span>");
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool in_list(const char *w, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && !memcmp(*list, w, len))
            return true;
    return false;
}

static const char *const shell_words[] = {
    "if",     "then", "else", "elif",  "fi",       "for",      "while",  "until",
    "do",     "done", "case", "esac",  "in",       "function", "return", "local",
    "export", "set",  "exit", "unset", "readonly", "source",   "echo",   NULL};
static const char *const python_words[] = {
    "def",      "class", "import", "from",    "return",   "if",  "elif",   "else", "for",
    "while",    "try",   "except", "finally", "with",     "as",  "lambda", "pass", "raise",
    "yield",    "async", "await",  "in",      "not",      "and", "or",     "is",   "global",
    "nonlocal", "del",   "assert", "break",   "continue", NULL};
static const char *const python_literals[] = {"True", "False", "None", NULL};
static const char *const yaml_literals[] = {"true", "false", "null", "yes", "no",
                                            "on",   "off",   "~",    NULL};

/* The end of a quoted string starting at s[i] (its quote), or len. */
static size_t string_end(const char *s, size_t len, size_t i, bool escapes)
{
    char q = s[i];
    for (size_t k = i + 1; k < len; k++) {
        if (escapes && s[k] == '\\')
            k++;
        else if (s[k] == q)
            return k + 1;
    }
    return len;
}

/* Strings, comments, ${{ }} expressions, $variables, keywords and literals:
 * what YAML values, shell and Python lines share. */
static void put_tokens(hf_buf *out, lang l, const char *s, size_t len)
{
    size_t plain = 0, i = 0;
#define FLUSH() (hf_html_escape(out, s + plain, i - plain))
    while (i < len) {
        char c = s[i];
        size_t end = 0;
        char cls = 0;
        if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            end = len;
            cls = 'c';
        } else if ((c == '"' || c == '\'') &&
                   (i == 0 || !word_char(s[i - 1]) || l == LANG_PYTHON)) {
            end = string_end(s, len, i, c == '"' || l == LANG_PYTHON);
            cls = 's';
        } else if (c == '$' && i + 2 < len && s[i + 1] == '{' && s[i + 2] == '{') {
            const char *close = NULL;
            for (size_t k = i + 3; k + 1 < len && !close; k++)
                if (s[k] == '}' && s[k + 1] == '}')
                    close = s + k + 2;
            end = close ? (size_t)(close - s) : len;
            cls = 'v';
        } else if (c == '$' && l == LANG_SHELL && i + 1 < len) {
            end = i + 1;
            if (s[end] == '{') {
                while (end < len && s[end] != '}')
                    end++;
                end += end < len;
            } else {
                while (end < len && word_char(s[end]))
                    end++;
            }
            cls = end > i + 1 ? 'v' : 0;
        } else if (word_char(c) && (i == 0 || !word_char(s[i - 1]))) {
            end = i;
            while (end < len && (word_char(s[end]) || (l == LANG_YAML && s[end] == '.')))
                end++;
            const char *w = s + i;
            size_t n = end - i;
            if ((l == LANG_SHELL && in_list(w, n, shell_words)) ||
                (l == LANG_PYTHON && in_list(w, n, python_words)))
                cls = 'w';
            else if ((l == LANG_PYTHON && in_list(w, n, python_literals)) ||
                     (l == LANG_YAML && in_list(w, n, yaml_literals)) || (c >= '0' && c <= '9'))
                cls = 'l';
            if (!cls) {
                i = end;
                continue;
            }
        }
        if (!cls) {
            i++;
            continue;
        }
        FLUSH();
        span(out, cls, s + i, end - i);
        i = plain = end;
    }
    FLUSH();
#undef FLUSH
}

/* A YAML line: sequence dashes, then a plain key before ": ", then the value. */
static void put_yaml(hf_buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    hf_buf_put(out, s, i);
    while (i + 1 < len && s[i] == '-' && s[i + 1] == ' ') {
        span(out, 'p', s + i, 1);
        hf_buf_putc(out, ' ');
        i += 2;
    }
    size_t key = i;
    while (key < len && s[key] != ':' && s[key] != '#' && s[key] != '"' && s[key] != '\'' &&
           s[key] != '{' && s[key] != '[')
        key++;
    if (key > i && key < len && s[key] == ':' && (key + 1 == len || s[key + 1] == ' ')) {
        span(out, 'k', s + i, key - i);
        span(out, 'p', s + key, 1);
        i = key + 1;
    }
    put_tokens(out, LANG_YAML, s + i, len - i);
}

/* A Markdown line: headings whole, list and quote markers, `code` spans. */
static void put_markdown(hf_buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] == '#')
        i++;
    if (i && i <= 6 && (i == len || s[i] == ' ')) {
        span(out, 'm', s, len);
        return;
    }
    i = 0;
    while (i < len && s[i] == ' ')
        i++;
    hf_buf_put(out, s, i);
    size_t marker = i;
    while (marker < len && s[marker] >= '0' && s[marker] <= '9')
        marker++;
    if (marker > i && marker < len && s[marker] == '.')
        marker++;
    else if (marker == i && marker < len && strchr("-*+>", s[marker]))
        marker++;
    if (marker > i && (marker == len || s[marker] == ' ')) {
        span(out, 'p', s + i, marker - i);
        i = marker;
    }
    size_t plain = i;
    while (i < len) {
        if (s[i] == '`') {
            const char *close = memchr(s + i + 1, '`', len - i - 1);
            if (close) {
                hf_html_escape(out, s + plain, i - plain);
                size_t end = (size_t)(close - s) + 1;
                span(out, 'q', s + i, end - i);
                i = plain = end;
                continue;
            }
        }
        i++;
    }
    hf_html_escape(out, s + plain, len - plain);
}

/* One line of code, coloured for its language; a CRLF line's CR and a
 * missing final newline are marked. */
static void put_code(hf_buf *out, lang l, const hf_diff_side *side)
{
    size_t len = side->len;
    bool cr = len && side->text[len - 1] == '\r';
    len -= cr;
    if (l == LANG_YAML)
        put_yaml(out, side->text, len);
    else if (l == LANG_MARKDOWN)
        put_markdown(out, side->text, len);
    else if (l == LANG_SHELL || l == LANG_PYTHON)
        put_tokens(out, l, side->text, len);
    else
        hf_html_escape(out, side->text, len);
    if (cr)
        hf_buf_puts(out, "<span class=eol title=\"CRLF line ending\">\xE2\x90\x8D</span>");
    if (side->no_eol)
        hf_buf_puts(out, "<span class=eol title=\"no newline at end of file\">\xE2\x88\x85</span>");
}

/* ---- links ---------------------------------------------------------------- */

static void link_anchor(hf_buf *out, const char *capability, const char *exception)
{
    hf_buf_printf(out, "<a href=\"#%s-", capability ? "cap" : "exc");
    hf_html_puts(out, capability ? capability : exception);
    hf_buf_printf(out, "\">%s ", capability ? "capability" : "exception");
    hf_html_puts(out, capability ? capability : exception);
    hf_buf_puts(out, "</a>");
}

/* An exception's issue as a URL: itself, or "owner/repo#N" on the forge. */
static void issue_url(hf_buf *out, const hf_config *cfg, const char *issue)
{
    const char *hash = strchr(issue, '#');
    if (!hf_html_url_ok(issue) && hash && strchr(issue, '/') && cfg->fleet.forge_web)
        hf_buf_printf(out, "%s/%.*s/issues/%s", cfg->fleet.forge_web, (int)(hash - issue), issue,
                      hash + 1);
    else
        hf_buf_puts(out, issue);
}

/* A link the page may follow (http or https), else the text alone. */
static void put_url(hf_buf *out, const char *url, const char *text)
{
    if (hf_html_url_ok(url)) {
        hf_buf_puts(out, "<a href=\"");
        hf_html_puts(out, url);
        hf_buf_puts(out, "\">");
        hf_html_puts(out, text);
        hf_buf_puts(out, "</a>");
    } else {
        hf_html_puts(out, text);
    }
}

/* ---- one repo --------------------------------------------------------------- */

static bool change_touches(const hf_plan_change *c, const hf_diff_file *f)
{
    return (c->to && f->new_path && !strcmp(c->to, f->new_path)) ||
           (f->old_path && !strcmp(c->path, f->old_path)) ||
           (f->new_path && !strcmp(c->path, f->new_path));
}

/* The steps that changed file f, each with its link, once each. */
static void step_labels(hf_buf *out, const hf_config *cfg, const hf_repo_plan *p,
                        const hf_diff_file *f)
{
    size_t n = 0;
    for (size_t i = 0; i < p->changes.len; i++) {
        const hf_plan_change *c = p->changes.items[i];
        if (!change_touches(c, f))
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const hf_plan_change *d = p->changes.items[k];
            seen =
                change_touches(d, f) && !strcmp(c->recipe, d->recipe) && c->step == d->step &&
                !strcmp(c->capability ? c->capability : "", d->capability ? d->capability : "") &&
                !strcmp(c->exception ? c->exception : "", d->exception ? d->exception : "");
        }
        if (seen)
            continue;
        const hf_recipe *r = hf_config_recipe(cfg, c->recipe);
        const hf_step *st = r ? hf_vec_get(&r->steps, c->step - 1) : NULL;
        hf_buf_puts(out, "<span class=step");
        if (st) {
            hf_buf_puts(out, " title=\"");
            hf_html_puts(out, st->mark.file);
            hf_buf_printf(out, ":%d:%d", st->mark.line, st->mark.col);
            if (st->name) {
                hf_buf_puts(out, ": ");
                hf_html_puts(out, st->name);
            }
            hf_buf_putc(out, '"');
        }
        hf_buf_putc(out, '>');
        hf_html_puts(out, c->recipe);
        hf_buf_printf(out, " step %zu (", c->step);
        hf_html_puts(out, c->op);
        hf_buf_puts(out, ") \xE2\x86\x92 ");
        link_anchor(out, c->capability, c->exception);
        hf_buf_puts(out, "</span>");
        n++;
    }
    if (!n)
        hf_buf_puts(out, "<span class=step>no step recorded</span>");
}

static void put_side(hf_buf *out, lang l, const hf_diff_side *side, char cls)
{
    if (!side->text) {
        hf_buf_puts(out, "<td class=ln><td class=e>");
        return;
    }
    hf_buf_printf(out, "<td class=ln>%zu<td", side->line);
    if (cls)
        hf_buf_printf(out, " class=%c", cls);
    hf_buf_putc(out, '>');
    put_code(out, l, side);
}

static void put_file(hf_buf *out, const hf_config *cfg, const hf_repo_plan *p,
                     const hf_diff_file *f)
{
    const char *op = !f->old_path                       ? "add"
                     : !f->new_path                     ? "delete"
                     : strcmp(f->old_path, f->new_path) ? "move"
                                                        : "modify";
    hf_buf labels = HF_BUF_INIT;
    step_labels(&labels, cfg, p, f);
    hf_buf_printf(out, "<details class=file open><summary><span class=op>%s</span> <code>", op);
    if (f->old_path && f->new_path && strcmp(f->old_path, f->new_path)) {
        hf_html_puts(out, f->old_path);
        hf_buf_puts(out, "</code> \xE2\x86\x92 <code>");
    }
    hf_html_puts(out, hf_diff_file_path(f));
    hf_buf_puts(out, "</code>");
    hf_buf_put(out, labels.ptr, labels.len);
    hf_buf_puts(out, "</summary>\n");
    for (size_t i = 0; i < f->meta.len; i++) {
        const char *m = f->meta.items[i];
        if (!strncmp(m, "Binary files ", 13) || !strncmp(m, "similarity ", 11) ||
            strstr(m, "mode ")) {
            hf_buf_puts(out, "<p class=filemeta>");
            hf_html_puts(out, m);
            hf_buf_puts(out, "</p>\n");
        }
    }
    if (f->hunks.len) {
        lang l = lang_of(hf_diff_file_path(f));
        hf_buf_puts(out, "<table class=diff><col class=ln><col><col class=ln><col>\n");
        for (size_t i = 0; i < f->hunks.len; i++) {
            const hf_diff_hunk *h = f->hunks.items[i];
            hf_buf_puts(out, "<tr class=h><th colspan=4>");
            hf_html_escape(out, h->header, h->header_len);
            hf_buf_put(out, labels.ptr, labels.len);
            hf_buf_puts(out, "</tr>\n");
            for (size_t k = 0; k < h->rows.len; k++) {
                const hf_diff_row *r = h->rows.items[k];
                hf_buf_puts(out, r->kind == HF_ROW_CHANGED ? "<tr class=x>" : "<tr>");
                char del = r->kind == HF_ROW_CONTEXT ? 0 : 'd';
                char add = r->kind == HF_ROW_CONTEXT ? 0 : 'a';
                put_side(out, l, &r->old, del);
                put_side(out, l, &r->new, add);
                hf_buf_puts(out, "</tr>\n");
            }
        }
        hf_buf_puts(out, "</table>\n");
    }
    hf_buf_puts(out, "</details>\n");
    hf_buf_free(&labels);
}

static void status_badge(hf_buf *out, hf_plan_status s)
{
    const char *name = hf_plan_status_name(s);
    hf_buf_printf(out, "<span class=\"st st-%s\">%s</span>", name, name);
}

static void put_held(hf_buf *out, const hf_repo_plan *p, bool brief)
{
    if (!p->held.len)
        return;
    hf_buf_puts(out, "<ul class=held>");
    for (size_t k = 0; k < p->held.len; k++) {
        const hf_held *h = p->held.items[k];
        const hf_held *prev = k ? p->held.items[k - 1] : NULL;
        /* the table names each step once; the section lists every item */
        if (brief && prev && prev->policy == h->policy && prev->step == h->step &&
            !strcmp(prev->recipe, h->recipe))
            continue;
        hf_buf_printf(out, "<li class=%s>%s: ", h->policy ? "blocked" : "left",
                      h->policy ? "blocked" : "left");
        hf_html_puts(out, h->recipe);
        hf_buf_printf(out, " step %zu (", h->step);
        hf_html_puts(out, h->step_name);
        hf_buf_puts(out, ")");
        if (!brief) {
            hf_buf_puts(out, " at <code>");
            hf_html_puts(out, h->at);
            hf_buf_puts(out, "</code>: ");
            hf_html_puts(out, h->reason);
            if (h->unblock) {
                hf_buf_puts(out, "<br><span class=unblock>to unblock: ");
                hf_html_puts(out, h->unblock);
                hf_buf_puts(out, "</span>");
            }
        }
        hf_buf_puts(out, "</li>");
    }
    hf_buf_puts(out, "</ul>\n");
}

void hf_plan_html_repo(hf_buf *out, const hf_config *cfg, const hf_repo_plan *p, size_t index)
{
    const hf_repo *r = p->repo;
    hf_buf_printf(out, "<section class=repo id=repo-%zu tabindex=-1 data-status=%s data-family=\"",
                  index, hf_plan_status_name(p->status));
    hf_html_puts(out, r->family);
    hf_buf_puts(out, "\" data-repo-name=\"");
    hf_html_puts(out, r->name);
    hf_buf_printf(out, "\">\n<h2><a href=\"#repo-%zu\">", index);
    hf_html_puts(out, r->name);
    hf_buf_puts(out, "</a> ");
    status_badge(out, p->status);
    hf_buf_puts(out, "</h2>\n<p class=meta>");
    if (p->base_ref) {
        hf_html_puts(out, p->base_ref);
        hf_buf_printf(out, " %.12s \xC2\xB7 ", p->base_commit);
    }
    hf_buf_printf(out, "%zu file%s \xC2\xB7 %zu link%s", p->files_changed,
                  p->files_changed == 1 ? "" : "s", p->links, p->links == 1 ? "" : "s");
    if (p->status != HF_PLAN_ERROR)
        hf_buf_printf(out, " \xC2\xB7 contract errors %zu \xE2\x86\x92 %zu", p->before.error,
                      p->after.error);
    hf_buf_puts(out, "</p>\n");
    if (p->status == HF_PLAN_ERROR) {
        hf_buf_puts(out, "<p class=held>error: ");
        hf_html_puts(out, p->error ? p->error : "unknown");
        hf_buf_puts(out, "</p>\n");
    }
    put_held(out, p, false);
    if (p->notes.len) {
        hf_buf_puts(out, "<ul class=notes>");
        for (size_t k = 0; k < p->notes.len; k++) {
            hf_buf_puts(out, "<li>note: ");
            hf_html_puts(out, p->notes.items[k]);
            hf_buf_puts(out, "</li>");
        }
        hf_buf_puts(out, "</ul>\n");
    }
    if (hf_plan_has_patch(p) && p->diff) {
        hf_vec files = HF_VEC_INIT;
        hf_diff_view_parse(&files, p->diff);
        for (size_t i = 0; i < files.len; i++)
            put_file(out, cfg, p, files.items[i]);
        hf_vec_free(&files, hf_diff_file_free);
    }
    hf_buf_puts(out, "</section>\n");
}

/* The distinct links of a plan's changes, for its fleet table row. */
static char *links_html(const hf_repo_plan *p)
{
    hf_buf b = HF_BUF_INIT;
    for (size_t i = 0; i < p->changes.len; i++) {
        const hf_plan_change *c = p->changes.items[i];
        if (!hf_plan_link_first(p, i))
            continue;
        hf_buf_puts(&b, "<small>");
        link_anchor(&b, c->capability, c->exception);
        hf_buf_puts(&b, "</small>");
    }
    return hf_buf_detach(&b);
}

/* ---- the page ----------------------------------------------------------------- */

int hf_plan_page_new(hf_plan_page **page, const hf_config *cfg, const hf_plan_meta *meta,
                     hf_error *err)
{
    FILE *sections = tmpfile();
    if (!sections)
        return hf_error_set(err, "cannot create a temporary file for the page");
    hf_plan_page *p = hf_xcalloc(1, sizeof(*p));
    p->cfg = cfg;
    p->meta = meta;
    p->sections = sections;
    *page = p;
    return 0;
}

int hf_plan_page_add(hf_plan_page *page, const hf_repo_plan *plan, hf_error *err)
{
    hf_buf b = HF_BUF_INIT;
    hf_plan_html_repo(&b, page->cfg, plan, ++page->added);
    hf_vec_push(&page->links, links_html(plan));
    size_t n = fwrite(b.ptr, 1, b.len, page->sections);
    int rc = n == b.len ? 0 : hf_error_set(err, "page: cannot write a temporary file");
    hf_buf_free(&b);
    return rc;
}

static void put_lines(hf_buf *out, const char *const *lines)
{
    for (; *lines; lines++)
        hf_buf_puts(out, *lines);
}

static void put_head(hf_buf *out, const hf_plan_page *page, size_t repos)
{
    const hf_plan_meta *m = page->meta;
    char today[11];
    hf_date_format(m->today, today);
    hf_buf_puts(out, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
                     "<meta name=viewport content=\"width=device-width, initial-scale=1\">\n");
    /* nothing is fetched and only the page's own script runs, even if
     * something from a repo were to slip through unescaped */
    hf_buf_printf(out,
                  "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; script-src 'sha256-%s'; base-uri 'none'; "
                  "form-action 'none'\">\n",
                  hf_page_js_sha256);
    hf_buf_puts(out, "<title>handoff plan: ");
    hf_html_puts(out, m->fleet);
    hf_buf_printf(out, " (%s)</title>\n<style>\n", today);
    put_lines(out, hf_page_css);
    hf_buf_puts(out, "</style>\n</head>\n<body>\n<header>\n");
    hf_buf_puts(out, "<h1>handoff plan: ");
    hf_html_puts(out, m->fleet);
    hf_buf_printf(out, "</h1>\n<p class=meta>%s \xC2\xB7 branch <code>", today);
    hf_html_puts(out, m->branch);
    hf_buf_printf(out, "</code> \xC2\xB7 %zu repo%s</p>\n", repos, repos == 1 ? "" : "s");
    if (m->command) {
        hf_buf_puts(out, "<code class=cmd>");
        hf_html_puts(out, m->command);
        hf_buf_puts(out, "</code>\n");
    }
    hf_buf_puts(out, "<p class=keys id=keys hidden>Keys: <kbd>j</kbd>/<kbd>n</kbd> next repo, "
                     "<kbd>k</kbd>/<kbd>p</kbd> previous.</p>\n</header>\n");
}

static void put_filters(hf_buf *out, const hf_vec *plans)
{
    size_t counts[HF_PLAN_STATUSES] = {0};
    hf_vec families = HF_VEC_INIT;
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        counts[p->status]++;
        const char *f = p->repo->family ? p->repo->family : "";
        bool seen = false;
        for (size_t k = 0; k < families.len && !seen; k++)
            seen = !strcmp(families.items[k], f);
        if (!seen)
            hf_vec_push(&families, (void *)f);
    }
    hf_buf_puts(out, "<form id=filters hidden><strong>Show</strong>");
    for (int s = 0; s < HF_PLAN_STATUSES; s++) {
        if (!counts[s])
            continue;
        const char *name = hf_plan_status_name((hf_plan_status)s);
        hf_buf_printf(out,
                      "<label><input type=checkbox name=status value=%s checked> %s (%zu)</label>",
                      name, name, counts[s]);
    }
    hf_buf_puts(out, "<label>family <select name=family><option value=\"\">all</option>");
    for (size_t k = 0; k < families.len; k++) {
        hf_buf_puts(out, "<option value=\"");
        hf_html_puts(out, families.items[k]);
        hf_buf_puts(out, "\">");
        hf_html_puts(out, families.items[k]);
        hf_buf_puts(out, "</option>");
    }
    hf_buf_puts(out, "</select></label><span id=shown></span></form>\n");
    hf_vec_free(&families, NULL);
}

static void put_matrix(hf_buf *out, const hf_config *cfg, const hf_vec *plans)
{
    const hf_vec *columns = &cfg->fleet.surfaces;
    hf_buf_puts(out, "<h3 id=matrix>Owner matrix</h3>\n<p class=legend>"
                     "<span class=o-launchplane>launchplane</span><span class=o-repo>repo</span>"
                     "<span class=o-transitional>transitional</span>"
                     "<span class=o-retired>retired</span></p>\n"
                     "<div class=scroll><table class=grid>\n<thead><tr><th>repo");
    for (size_t c = 0; c < columns->len; c++) {
        hf_buf_puts(out, "<th>");
        hf_html_puts(out, columns->items[c]);
    }
    hf_buf_puts(out, "</thead>\n<tbody>\n");
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo *r = ((const hf_repo_plan *)plans->items[i])->repo;
        hf_buf_printf(out, "<tr data-repo=repo-%zu><th><a href=\"#repo-%zu\">", i + 1, i + 1);
        hf_html_puts(out, r->name);
        hf_buf_puts(out, "</a>");
        for (size_t c = 0; c < columns->len; c++) {
            const hf_surface *s = NULL;
            for (size_t k = 0; k < r->surfaces.len && !s; k++) {
                const hf_surface *t = r->surfaces.items[k];
                if (!strcmp(t->surface, columns->items[c]))
                    s = t;
            }
            if (!s) {
                hf_buf_puts(out, "<td class=o-none>\xE2\x80\x94");
                continue;
            }
            const char *owner = hf_owner_name(s->owner);
            const char *link = s->capability ? s->capability : s->exception;
            hf_buf_printf(out, "<td class=o-%s data-surface=\"", owner);
            hf_html_puts(out, s->surface);
            hf_buf_puts(out, "\">");
            if (link) {
                hf_buf_printf(out, "<a href=\"#%s-", s->capability ? "cap" : "exc");
                hf_html_puts(out, link);
                hf_buf_printf(out, "\">%s<small>", owner);
                hf_html_puts(out, link);
                hf_buf_puts(out, "</small></a>");
            } else {
                hf_buf_puts(out, owner);
            }
        }
        hf_buf_puts(out, "</tr>\n");
    }
    hf_buf_puts(out, "</tbody>\n</table></div>\n");
}

static void put_fleet_table(hf_buf *out, const hf_plan_page *page, const hf_vec *plans)
{
    hf_buf_puts(out, "<h3 id=fleet>Repos</h3>\n<table class=fleet>\n<thead><tr><th>repo"
                     "<th>family<th>status<th>files<th>links"
                     "<th>contract errors<br>before \xE2\x86\x92 after<th>held back</thead>\n"
                     "<tbody>\n");
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        hf_buf_printf(out, "<tr data-repo=repo-%zu><td><a href=\"#repo-%zu\">", i + 1, i + 1);
        hf_html_puts(out, p->repo->name);
        hf_buf_puts(out, "</a><td>");
        hf_html_puts(out, p->repo->family);
        hf_buf_puts(out, "<td>");
        status_badge(out, p->status);
        hf_buf_printf(out, "<td class=n>%zu<td>%zu", p->files_changed, p->links);
        const char *links = hf_vec_get(&page->links, i);
        if (links)
            hf_buf_puts(out, links);
        if (p->status == HF_PLAN_ERROR) {
            hf_buf_puts(out, "<td>\xE2\x80\x94<td>");
            hf_html_puts(out, p->error);
        } else {
            hf_buf_printf(
                out, "<td>%zu \xE2\x86\x92 %zu<small>warnings %zu \xE2\x86\x92 %zu</small><td>",
                p->before.error, p->after.error, p->before.warning, p->after.warning);
            put_held(out, p, true);
        }
        hf_buf_puts(out, "</tr>\n");
    }
    hf_buf_puts(out, "</tbody>\n</table>\n");
}

static void put_links(hf_buf *out, const hf_config *cfg)
{
    char d[11];
    hf_buf_puts(out, "<h3 id=links>Capabilities and exceptions</h3>\n<table class=links>\n"
                     "<thead><tr><th>link<th>what<th>details</thead>\n<tbody>\n");
    for (size_t i = 0; i < cfg->capabilities.len; i++) {
        const hf_capability *c = cfg->capabilities.items[i];
        hf_buf_puts(out, "<tr id=\"cap-");
        hf_html_puts(out, c->id);
        hf_buf_puts(out, "\"><td>capability <code>");
        hf_html_puts(out, c->id);
        hf_buf_puts(out, "</code><td>");
        hf_html_puts(out, c->title);
        hf_buf_printf(out, "<td>%s", c->status == HF_CAP_IMPLEMENTED ? "implemented" : "planned");
        for (size_t k = 0; k < c->routes.len; k++) {
            hf_buf_puts(out, " \xC2\xB7 <code>");
            hf_html_puts(out, c->routes.items[k]);
            hf_buf_puts(out, "</code>");
        }
        if (c->doc) {
            hf_buf_puts(out, " \xC2\xB7 ");
            put_url(out, c->doc, "doc");
        }
        hf_buf_puts(out, "</tr>\n");
    }
    for (size_t i = 0; i < cfg->exceptions.len; i++) {
        const hf_exception *e = cfg->exceptions.items[i];
        hf_buf_puts(out, "<tr id=\"exc-");
        hf_html_puts(out, e->id);
        hf_buf_puts(out, "\"><td>exception <code>");
        hf_html_puts(out, e->id);
        hf_buf_puts(out, "</code><td>");
        hf_html_puts(out, e->reason);
        hf_date_format(e->expires, d);
        hf_buf_puts(out, "<td>owner ");
        hf_html_puts(out, e->owner);
        hf_buf_printf(out, " \xC2\xB7 until %s", d);
        hf_buf_puts(out, " \xC2\xB7 ");
        hf_buf url = HF_BUF_INIT;
        issue_url(&url, cfg, e->issue ? e->issue : "");
        put_url(out, url.ptr, e->issue);
        hf_buf_free(&url);
        if (e->delete_when) {
            hf_buf_puts(out, " \xC2\xB7 delete when: ");
            hf_html_puts(out, e->delete_when);
        }
        hf_buf_puts(out, "</tr>\n");
    }
    hf_buf_puts(out, "</tbody>\n</table>\n");
}

static int put_all(FILE *out, const char *s, size_t len, hf_error *err)
{
    if (fwrite(s, 1, len, out) != len)
        return hf_error_set(err, "page: write failed");
    return 0;
}

int hf_plan_page_write(hf_plan_page *page, FILE *out, const hf_vec *plans, hf_error *err)
{
    hf_buf b = HF_BUF_INIT;
    put_head(&b, page, plans->len);
    put_filters(&b, plans);
    hf_buf_puts(&b, "<main>\n");
    put_matrix(&b, page->cfg, plans);
    put_fleet_table(&b, page, plans);
    put_links(&b, page->cfg);
    hf_buf_puts(&b, "<h3 id=diffs>Changes by repo</h3>\n");
    int rc = put_all(out, b.ptr, b.len, err);
    if (rc == 0 && (fflush(page->sections) != 0 || fseek(page->sections, 0, SEEK_SET) != 0))
        rc = hf_error_set(err, "page: cannot read back its temporary file");
    char chunk[65536];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), page->sections)) > 0)
        rc = put_all(out, chunk, n, err);
    if (rc == 0 && ferror(page->sections))
        rc = hf_error_set(err, "page: cannot read back its temporary file");
    fseek(page->sections, 0, SEEK_END);
    hf_buf_clear(&b);
    hf_buf_puts(&b, "</main>\n<script>");
    put_lines(&b, hf_page_js);
    hf_buf_puts(&b, "</script>\n</body>\n</html>\n");
    if (rc == 0)
        rc = put_all(out, b.ptr, b.len, err);
    hf_buf_free(&b);
    return rc;
}

void hf_plan_page_free(hf_plan_page *page)
{
    if (!page)
        return;
    fclose(page->sections);
    hf_vec_free(&page->links, free);
    free(page);
}
