/* Diffs of two trees with rename detection, rendered as an mbox patch that
 * `git am` applies byte for byte, as a display diff, or as a file list. The
 * mail is written here rather than by git_email_* so that it can carry MIME
 * headers and a quoted-printable body when the patch holds CRs. */
#include "git/patch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "git/remote.h"
#include "util/mem.h"

#ifndef HF_VERSION
#define HF_VERSION "0"
#endif

/* old_id NULL or zero: the empty tree. binary: full binary patches. */
static int tree_diff(git_diff **out, git_repository *repo, const git_oid *old_id,
                     const git_oid *new_id, bool binary, hf_error *err)
{
    git_tree *old_tree = NULL, *new_tree = NULL;
    git_diff_options opts;
    git_diff_find_options find;
    int rc = 0;

    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
    *out = NULL;
    if ((old_id && !git_oid_is_zero(old_id) && git_tree_lookup(&old_tree, repo, old_id) < 0) ||
        git_tree_lookup(&new_tree, repo, new_id) < 0) {
        rc = hf_error_set(err, "diff: %s", hf_git_last_error("tree not found"));
        goto done;
    }
    opts.context_lines = 3;
    if (binary)
        opts.flags |= GIT_DIFF_SHOW_BINARY;
    /* Explicit flags, so diff.renames and friends in some config file cannot
     * change what the patch says. */
    find.flags = GIT_DIFF_FIND_RENAMES;
    find.rename_limit = 5000;
    if (git_diff_tree_to_tree(out, repo, old_tree, new_tree, &opts) < 0 ||
        git_diff_find_similar(*out, &find) < 0) {
        rc = hf_error_set(err, "diff: %s", hf_git_last_error("failed"));
        git_diff_free(*out);
        *out = NULL;
    }
done:
    git_tree_free(old_tree);
    git_tree_free(new_tree);
    git_error_clear();
    return rc;
}

/* libgit2 splits a type change (file <-> symlink) into an add and a delete
 * of one path, and may list the add first; git apply needs the delete
 * first ("wrong type" otherwise). The order to show the deltas in; the
 * caller frees it. */
static size_t *delta_order(git_diff *diff, size_t *count)
{
    size_t n = git_diff_num_deltas(diff);
    size_t *order = hf_xcalloc(n ? n : 1, sizeof(*order));
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 0; i + 1 < n; i++) {
        const git_diff_delta *a = git_diff_get_delta(diff, order[i]);
        const git_diff_delta *b = git_diff_get_delta(diff, order[i + 1]);
        if (a->status == GIT_DELTA_ADDED && b->status == GIT_DELTA_DELETED &&
            strcmp(a->new_file.path, b->old_file.path) == 0) {
            size_t t = order[i];
            order[i] = order[i + 1];
            order[i + 1] = t;
            i++;
        }
    }
    *count = n;
    return order;
}

/* Every delta's patch in delta_order, appended to out. */
static int patch_text(hf_buf *out, git_diff *diff)
{
    size_t n;
    size_t *order = delta_order(diff, &n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        git_patch *patch = NULL;
        git_buf text = GIT_BUF_INIT;
        rc = git_patch_from_diff(&patch, diff, order[i]);
        if (rc == 0 && patch)
            rc = git_patch_to_buf(&text, patch);
        if (rc == 0)
            hf_buf_put(out, text.ptr, text.size);
        git_buf_dispose(&text);
        git_patch_free(patch);
    }
    free(order);
    return rc;
}

/* ---- mbox ---------------------------------------------------------------- */

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* RFC 2047 encoded-words ("=?UTF-8?q?...?="), split between characters so
 * no word grows past the 75 columns the RFC allows. */
static void put_encoded_words(hf_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t word = 0;
    hf_buf_puts(out, "=?UTF-8?q?");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int start_of_char = (*p & 0xC0) != 0x80;
        if (start_of_char && word > 45) {
            hf_buf_puts(out, "?=\n =?UTF-8?q?");
            word = 0;
        }
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '/' || *p == '+' || *p == '!' || *p == '*') {
            hf_buf_putc(out, (char)*p);
            word++;
        } else if (*p == ' ') {
            hf_buf_putc(out, '_');
            word++;
        } else {
            hf_buf_putc(out, '=');
            hf_buf_putc(out, hex[*p >> 4]);
            hf_buf_putc(out, hex[*p & 15]);
            word += 3;
        }
    }
    hf_buf_puts(out, "?=");
}

static void put_name(hf_buf *out, const char *name)
{
    if (!is_ascii(name)) {
        put_encoded_words(out, name);
        return;
    }
    if (strpbrk(name, "()<>@,;:\\\".[]") == NULL) {
        hf_buf_puts(out, name);
        return;
    }
    hf_buf_putc(out, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\')
            hf_buf_putc(out, '\\');
        hf_buf_putc(out, *p);
    }
    hf_buf_putc(out, '"');
}

/* RFC 2822 date in the signature's own offset, locale-independent. */
static void put_date(hf_buf *out, const git_time *when)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(when->time + (git_time_t)when->offset * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    int off = when->offset < 0 ? -when->offset : when->offset;
    hf_buf_printf(out, "%s, %d %s %d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  when->offset < 0 ? '-' : '+', off / 60, off % 60);
}

/* Quoted-printable (RFC 2045) with lines of at most 76 columns; "From " at
 * the start of a line is encoded too, so no mbox reader splits there. */
static void put_quoted_printable(hf_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            hf_buf_putc(out, '\n');
            col = 0;
            continue;
        }
        int at_eol = i + 1 == len || s[i + 1] == '\n';
        int from = col == 0 && len - i >= 5 && memcmp(s + i, "From ", 5) == 0;
        int literal =
            ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol)) && !from;
        size_t need = literal ? 1 : 3;
        /* Leave room for the soft break "=" unless this ends the line. */
        if (col + need > (at_eol ? 76u : 75u)) {
            hf_buf_puts(out, "=\n");
            col = 0;
        }
        if (literal) {
            hf_buf_putc(out, (char)c);
        } else {
            hf_buf_putc(out, '=');
            hf_buf_putc(out, hex[c >> 4]);
            hf_buf_putc(out, hex[c & 15]);
        }
        col += need;
    }
}

int hf_patch_mbox(hf_buf *out, git_repository *repo, const git_oid *commit_id, hf_error *err)
{
    git_commit *commit = NULL;
    git_diff *diff = NULL;
    git_diff_stats *stats = NULL;
    git_buf stat_text = GIT_BUF_INIT;
    hf_buf body = HF_BUF_INIT, patch = HF_BUF_INIT;
    char id[GIT_OID_HEXSZ + 1];
    int rc = 0;

    hf_buf_clear(out);
    git_oid_tostr(id, sizeof(id), commit_id);
    if (git_commit_lookup(&commit, repo, commit_id) < 0) {
        rc = hf_error_set(err, "patch %s: %s", id, hf_git_last_error("commit not found"));
        goto done;
    }
    if (git_commit_parentcount(commit) > 1) {
        rc = hf_error_set(err, "patch %s: a merge commit has no single patch", id);
        goto done;
    }
    const git_oid *parent_tree = NULL;
    git_commit *parent = NULL;
    git_oid parent_tree_id;
    if (git_commit_parentcount(commit) == 1) {
        if (git_commit_parent(&parent, commit, 0) < 0) {
            rc = hf_error_set(err, "patch %s: parent: %s", id, hf_git_last_error("not found"));
            goto done;
        }
        git_oid_cpy(&parent_tree_id, git_commit_tree_id(parent));
        parent_tree = &parent_tree_id;
        git_commit_free(parent);
    }
    if ((rc = tree_diff(&diff, repo, parent_tree, git_commit_tree_id(commit), true, err)) < 0) {
        hf_error_wrap(err, "patch %s", id);
        goto done;
    }
    if (git_diff_get_stats(&stats, diff) < 0 ||
        git_diff_stats_to_buf(&stat_text, stats,
                              GIT_DIFF_STATS_FULL | GIT_DIFF_STATS_INCLUDE_SUMMARY, 0) < 0 ||
        patch_text(&patch, diff) < 0) {
        rc = hf_error_set(err, "patch %s: %s", id, hf_git_last_error("failed"));
        goto done;
    }

    /* The body git am reads: the message after the subject, "---", the
     * diffstat, the patch, and a signature that ends the mail. */
    const char *message_body = git_commit_body(commit);
    if (message_body && *message_body) {
        hf_buf_puts(&body, message_body);
        if (body.ptr[body.len - 1] != '\n')
            hf_buf_putc(&body, '\n');
    }
    hf_buf_puts(&body, "---\n");
    hf_buf_put(&body, stat_text.ptr, stat_text.size);
    hf_buf_putc(&body, '\n');
    hf_buf_put(&body, patch.ptr, patch.len);
    hf_buf_puts(&body, "-- \nhandoff " HF_VERSION "\n\n");
    int quoted = memchr(body.ptr, '\r', body.len) || memchr(body.ptr, '\0', body.len);

    const git_signature *author = git_commit_author(commit);
    const char *summary = git_commit_summary(commit);
    hf_buf_printf(out, "From %s Mon Sep 17 00:00:00 2001\nFrom: ", id);
    put_name(out, author->name);
    hf_buf_printf(out, " <%s>\nDate: ", author->email);
    put_date(out, &author->when);
    hf_buf_puts(out, "\nSubject: [PATCH] ");
    if (summary && is_ascii(summary))
        hf_buf_puts(out, summary);
    else if (summary)
        put_encoded_words(out, summary);
    hf_buf_printf(out,
                  "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                  "Content-Transfer-Encoding: %s\n\n",
                  quoted ? "quoted-printable" : "8bit");
    if (quoted)
        put_quoted_printable(out, body.ptr, body.len);
    else
        hf_buf_put(out, body.ptr, body.len);
done:
    git_buf_dispose(&stat_text);
    hf_buf_free(&patch);
    git_diff_stats_free(stats);
    git_diff_free(diff);
    git_commit_free(commit);
    hf_buf_free(&body);
    git_error_clear();
    if (rc < 0)
        hf_buf_clear(out);
    return rc;
}

/* ---- display diff -------------------------------------------------------- */

typedef struct print_state {
    hf_buf *out;
    bool color;
} print_state;

/* Writes text line by line, each wrapped in colour when one is given. */
static void put_lines(hf_buf *out, const char *color, char origin, const char *text, size_t len)
{
    size_t i = 0;
    do {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        if (color)
            hf_buf_puts(out, color);
        if (origin)
            hf_buf_putc(out, origin);
        hf_buf_put(out, text + i, n);
        if (color)
            hf_buf_puts(out, "\033[m");
        if (nl)
            hf_buf_putc(out, '\n');
        i += n + (nl ? 1 : 0);
        origin = 0;
    } while (i < len);
}

static int print_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
                      const git_diff_line *line, void *payload)
{
    print_state *ps = payload;
    (void)delta;
    (void)hunk;
    const char *color = NULL;
    char origin = 0;
    switch (line->origin) {
    case GIT_DIFF_LINE_FILE_HDR:
        color = "\033[1m";
        break;
    case GIT_DIFF_LINE_HUNK_HDR:
        color = "\033[36m";
        break;
    case GIT_DIFF_LINE_ADDITION:
        color = "\033[32m";
        origin = '+';
        break;
    case GIT_DIFF_LINE_DELETION:
        color = "\033[31m";
        origin = '-';
        break;
    case GIT_DIFF_LINE_CONTEXT:
        origin = ' ';
        break;
    default: /* "\ No newline at end of file", "Binary files ... differ" */
        break;
    }
    if (!ps->color) {
        if (origin)
            hf_buf_putc(ps->out, origin);
        hf_buf_put(ps->out, line->content, line->content_len);
        return 0;
    }
    if (line->content_len == 0) {
        if (origin)
            put_lines(ps->out, color, origin, "", 0);
        return 0;
    }
    /* Context lines get no colour; the others keep theirs per line so a
     * pager that cuts lines never bleeds colour into the next one. */
    put_lines(ps->out, line->origin == GIT_DIFF_LINE_CONTEXT ? NULL : color, origin, line->content,
              line->content_len);
    return 0;
}

int hf_diff_text(hf_buf *out, git_repository *repo, const git_oid *old_tree,
                 const git_oid *new_tree, bool color, hf_error *err)
{
    git_diff *diff = NULL;
    hf_buf_clear(out);
    if (tree_diff(&diff, repo, old_tree, new_tree, false, err) < 0)
        return -1;
    print_state ps = {out, color};
    size_t n;
    size_t *order = delta_order(diff, &n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        git_patch *patch = NULL;
        if (git_patch_from_diff(&patch, diff, order[i]) < 0 ||
            (patch && git_patch_print(patch, print_line, &ps) < 0))
            rc = hf_error_set(err, "diff: %s", hf_git_last_error("failed"));
        git_patch_free(patch);
    }
    free(order);
    git_diff_free(diff);
    git_error_clear();
    return rc;
}

/* ---- file list ----------------------------------------------------------- */

const char *hf_file_status_name(hf_file_status s)
{
    switch (s) {
    case HF_FILE_ADDED:
        return "add";
    case HF_FILE_MODIFIED:
        return "modify";
    case HF_FILE_DELETED:
        return "delete";
    case HF_FILE_RENAMED:
        return "rename";
    }
    return "?";
}

void hf_file_change_free(void *change)
{
    hf_file_change *c = change;
    if (!c)
        return;
    free(c->path);
    free(c->to);
    free(c);
}

/* One change from a delta; counts lines through its patch. */
static hf_file_change *file_change(git_diff *diff, size_t idx, hf_error *err)
{
    git_patch *patch = NULL;
    if (git_patch_from_diff(&patch, diff, idx) < 0 || !patch) {
        hf_error_set(err, "diff: %s", hf_git_last_error("failed"));
        git_patch_free(patch);
        return NULL;
    }
    const git_diff_delta *d = git_patch_get_delta(patch);
    hf_file_change *c = hf_xcalloc(1, sizeof(*c));
    switch (d->status) {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_COPIED:
        c->status = HF_FILE_ADDED;
        break;
    case GIT_DELTA_DELETED:
        c->status = HF_FILE_DELETED;
        break;
    case GIT_DELTA_RENAMED:
        c->status = HF_FILE_RENAMED;
        break;
    default:
        c->status = HF_FILE_MODIFIED;
        break;
    }
    c->path = hf_xstrdup(c->status == HF_FILE_ADDED ? d->new_file.path : d->old_file.path);
    if (c->status == HF_FILE_RENAMED)
        c->to = hf_xstrdup(d->new_file.path);
    c->old_mode = c->status == HF_FILE_ADDED ? 0 : d->old_file.mode;
    c->new_mode = c->status == HF_FILE_DELETED ? 0 : d->new_file.mode;
    c->binary = (d->flags & GIT_DIFF_FLAG_BINARY) != 0;
    if (!c->binary)
        git_patch_line_stats(NULL, &c->additions, &c->deletions, patch);
    git_patch_free(patch);
    return c;
}

int hf_diff_files(hf_vec *out, git_repository *repo, const git_oid *old_tree,
                  const git_oid *new_tree, hf_error *err)
{
    git_diff *diff = NULL;
    int rc = 0;
    if (tree_diff(&diff, repo, old_tree, new_tree, false, err) < 0)
        return -1;
    size_t n;
    size_t *order = delta_order(diff, &n);
    hf_file_change *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        hf_file_change *c = file_change(diff, order[i], err);
        if (!c) {
            rc = -1;
            break;
        }
        /* A type change (delete then add of one path) is one modification. */
        if (prev && prev->status == HF_FILE_DELETED && c->status == HF_FILE_ADDED &&
            strcmp(prev->path, c->path) == 0) {
            prev->status = HF_FILE_MODIFIED;
            prev->new_mode = c->new_mode;
            prev->binary = prev->binary || c->binary;
            prev->additions = c->additions;
            hf_file_change_free(c);
            prev = NULL;
            continue;
        }
        hf_vec_push(out, c);
        prev = c;
    }
    free(order);
    git_diff_free(diff);
    git_error_clear();
    return rc;
}
