/* Commit objects and their trailers: handoff's commit names each capability
 * and exception it relies on and the fleet that made it, which is also how a
 * later run recognises its own commits on the batch branch. */
#include "git/commit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "git/remote.h"
#include "util/mem.h"

#define KEY_EXCEPTION "Handoff-Exception"
#define KEY_FLEET "Handoff-Fleet"

int hf_commit_create(git_oid *out, git_repository *repo, const git_oid *parent, const git_oid *tree,
                     const char *message, const hf_commit_options *opts, hf_error *err)
{
    git_signature *author = NULL, *committer = NULL;
    git_commit *parent_commit = NULL;
    git_tree *tree_obj = NULL;
    int rc = 0;

    if (!opts->author_name || !*opts->author_name || !opts->author_email)
        return hf_error_set(err, "commit: an author name and email are required");
    const char *cname = opts->committer_name ? opts->committer_name : opts->author_name;
    const char *cemail = opts->committer_email ? opts->committer_email : opts->author_email;
    int sig_rc;
    if (opts->fixed_time)
        sig_rc = git_signature_new(&author, opts->author_name, opts->author_email,
                                   (git_time_t)opts->time, opts->offset);
    else
        sig_rc = git_signature_now(&author, opts->author_name, opts->author_email);
    if (sig_rc == 0) {
        /* The committer shares the author's moment, as git commit does. */
        sig_rc =
            git_signature_new(&committer, cname, cemail, author->when.time, author->when.offset);
    }
    if (sig_rc < 0) {
        rc = hf_error_set(err, "commit: signature: %s", hf_git_last_error("invalid"));
        goto done;
    }
    if (git_tree_lookup(&tree_obj, repo, tree) < 0) {
        rc = hf_error_set(err, "commit: tree: %s", hf_git_last_error("not found"));
        goto done;
    }
    if (parent && git_commit_lookup(&parent_commit, repo, parent) < 0) {
        rc = hf_error_set(err, "commit: parent: %s", hf_git_last_error("not found"));
        goto done;
    }
    const git_commit *parents[1] = {parent_commit};
    if (git_commit_create(out, repo, NULL, author, committer, "UTF-8", message, tree_obj,
                          parent_commit ? 1 : 0, parents) < 0)
        rc = hf_error_set(err, "commit: %s", hf_git_last_error("failed"));
done:
    git_signature_free(author);
    git_signature_free(committer);
    git_commit_free(parent_commit);
    git_tree_free(tree_obj);
    git_error_clear();
    return rc;
}

/* ---- trailers ------------------------------------------------------------ */

static int check_id(const char *what, const char *id, hf_error *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0)
        return hf_error_set(err, "empty %s", what);
    if (isspace((unsigned char)id[0]) || isspace((unsigned char)id[n - 1]))
        return hf_error_set(err, "%s '%s' has surrounding blanks", what, id);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
            return hf_error_set(err, "%s contains a control character", what);
    return 0;
}

/* Inserts a copy of id in sorted position unless present. */
static void sorted_insert(hf_vec *v, const char *id)
{
    size_t at = 0;
    while (at < v->len) {
        int c = strcmp(v->items[at], id);
        if (c == 0)
            return;
        if (c > 0)
            break;
        at++;
    }
    hf_vec_push(v, NULL);
    memmove(&v->items[at + 1], &v->items[at], (v->len - 1 - at) * sizeof(void *));
    v->items[at] = hf_xstrdup(id);
}

int hf_trailers_add_capability(hf_trailers *t, const char *id, hf_error *err)
{
    if (check_id("capability id", id, err) < 0)
        return -1;
    sorted_insert(&t->capabilities, id);
    return 0;
}

int hf_trailers_add_exception(hf_trailers *t, const char *id, hf_error *err)
{
    if (check_id("exception id", id, err) < 0)
        return -1;
    sorted_insert(&t->exceptions, id);
    return 0;
}

int hf_trailers_set_fleet(hf_trailers *t, const char *fleet, hf_error *err)
{
    if (check_id("fleet name", fleet, err) < 0)
        return -1;
    free(t->fleet);
    t->fleet = hf_xstrdup(fleet);
    return 0;
}

void hf_trailers_free(hf_trailers *t)
{
    hf_vec_free(&t->capabilities, free);
    hf_vec_free(&t->exceptions, free);
    free(t->fleet);
    t->fleet = NULL;
}

/* A line git am's mail parser would take for the end of the message. */
static int breaks_patch(const char *line, size_t n)
{
    if (n >= 6 && memcmp(line, "diff -", 6) == 0)
        return 1;
    if (n >= 7 && memcmp(line, "Index: ", 7) == 0)
        return 1;
    return n >= 3 && memcmp(line, "---", 3) == 0;
}

int hf_commit_message(hf_buf *out, const char *subject, const char *body, const hf_trailers *t,
                      hf_error *err)
{
    hf_buf_clear(out);
    if (!subject || !*subject || strchr(subject, '\n') || strchr(subject, '\r'))
        return hf_error_set(err, "commit message: the subject must be one non-empty line");
    hf_buf_puts(out, subject);
    hf_buf_puts(out, "\n");

    size_t blen = body ? strlen(body) : 0;
    while (blen && isspace((unsigned char)body[blen - 1]))
        blen--;
    size_t start = 0;
    while (start < blen && (body[start] == '\n' || body[start] == '\r'))
        start++;
    if (start < blen) {
        hf_buf_puts(out, "\n");
        const char *p = body + start, *end = body + blen;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (breaks_patch(p, n))
                hf_buf_putc(out, ' ');
            hf_buf_put(out, p, n);
            hf_buf_putc(out, '\n');
            p += n + (nl ? 1 : 0);
        }
    }

    if (t && (t->capabilities.len || t->exceptions.len || t->fleet)) {
        hf_buf_puts(out, "\n");
        for (size_t i = 0; i < t->capabilities.len; i++)
            hf_buf_printf(out, "%s: %s\n",
                          t->capability_key ? t->capability_key : HF_TRAILER_CAPABILITY,
                          (const char *)t->capabilities.items[i]);
        for (size_t i = 0; i < t->exceptions.len; i++)
            hf_buf_printf(out, KEY_EXCEPTION ": %s\n", (const char *)t->exceptions.items[i]);
        if (t->fleet)
            hf_buf_printf(out, KEY_FLEET ": %s\n", t->fleet);
    }
    return 0;
}

/* "Key: value" with a key of letters, digits and '-'. */
static int trailer_line(const char *line, size_t n, size_t *key_len)
{
    size_t k = 0;
    while (k < n && (isalnum((unsigned char)line[k]) || line[k] == '-'))
        k++;
    if (k == 0 || k >= n || line[k] != ':')
        return 0;
    *key_len = k;
    return 1;
}

static int blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i]))
            return 0;
    return 1;
}

/* The key of a capability trailer: handoff's own, or any key a fleet chose
 * that ends in "-Capability" (fleet.yml `commit.capability-trailer`). */
static bool is_capability_key(const char *key, size_t n)
{
    static const char suffix[] = "-Capability";
    size_t sn = sizeof(suffix) - 1;
    return n > sn && strncasecmp(key + n - sn, suffix, sn) == 0;
}

int hf_trailers_parse(hf_trailers *out, const char *message, hf_error *err)
{
    hf_trailers parsed = HF_TRAILERS_INIT;
    (void)err;
    memset(out, 0, sizeof(*out));
    if (!message)
        return 0;

    /* Split into lines and find the last paragraph (a run of non-blank
     * lines after the last blank one), which must not be the first. */
    size_t len = strlen(message);
    while (len && isspace((unsigned char)message[len - 1]))
        len--;
    size_t para = 0;
    int blank_seen = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(message + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (message + i)) : len - i;
        if (blank_line(message + i, n)) {
            blank_seen = 1;
            para = i + n + 1;
        }
        i += n + 1;
    }
    if (!blank_seen || para >= len)
        return 0;

    for (size_t i = para; i < len;) {
        const char *line = message + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += n + 1;
        if (n && line[n - 1] == '\r')
            n--;
        size_t k;
        if (!trailer_line(line, n, &k)) {
            hf_trailers_free(&parsed);
            return 0;
        }
        const char *v = line + k + 1;
        size_t vn = n - k - 1;
        while (vn && isspace((unsigned char)*v))
            v++, vn--;
        while (vn && isspace((unsigned char)v[vn - 1]))
            vn--;
        if (vn == 0)
            continue;
        char *value = hf_xstrndup(v, vn);
        if (is_capability_key(line, k))
            sorted_insert(&parsed.capabilities, value);
        else if (k == strlen(KEY_EXCEPTION) && strncasecmp(line, KEY_EXCEPTION, k) == 0)
            sorted_insert(&parsed.exceptions, value);
        else if (k == strlen(KEY_FLEET) && strncasecmp(line, KEY_FLEET, k) == 0) {
            free(parsed.fleet);
            parsed.fleet = hf_xstrdup(value);
        }
        free(value);
    }
    *out = parsed;
    return 0;
}

int hf_commit_is_change(git_repository *repo, const git_oid *commit, const git_oid *base,
                        const git_oid *tree, bool *out, hf_error *err)
{
    git_commit *c = NULL;
    *out = false;
    int rc = git_commit_lookup(&c, repo, commit);
    if (rc == GIT_ENOTFOUND) {
        git_error_clear();
        return 0;
    }
    if (rc < 0) {
        hf_error_set(err, "read commit: %s", hf_git_last_error("failed"));
        git_error_clear();
        return -1;
    }
    *out = git_commit_parentcount(c) == 1 && git_oid_equal(git_commit_parent_id(c, 0), base) &&
           git_oid_equal(git_commit_tree_id(c), tree);
    git_commit_free(c);
    return 0;
}

int hf_commit_range_is_handoff(git_repository *repo, const git_oid *base, const git_oid *tip,
                               const char *fleet, bool *out, size_t *count, hf_error *err)
{
    git_revwalk *walk = NULL;
    git_oid id;
    size_t n = 0;
    int rc = 0;

    *out = true;
    if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, tip) < 0 ||
        (base && !git_oid_is_zero(base) && git_revwalk_hide(walk, base) < 0)) {
        rc = hf_error_set(err, "walk commits: %s", hf_git_last_error("failed"));
        goto done;
    }
    int next;
    while ((next = git_revwalk_next(&id, walk)) == 0) {
        git_commit *c = NULL;
        hf_trailers t = HF_TRAILERS_INIT;
        if (git_commit_lookup(&c, repo, &id) < 0) {
            rc = hf_error_set(err, "walk commits: %s", hf_git_last_error("failed"));
            goto done;
        }
        hf_trailers_parse(&t, git_commit_message(c), NULL);
        if (!t.fleet || strcmp(t.fleet, fleet) != 0)
            *out = false;
        hf_trailers_free(&t);
        git_commit_free(c);
        n++;
    }
    if (next != GIT_ITEROVER)
        rc = hf_error_set(err, "walk commits: %s", hf_git_last_error("failed"));
done:
    if (count)
        *count = n;
    git_revwalk_free(walk);
    git_error_clear();
    return rc;
}
