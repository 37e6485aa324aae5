/* apply, per repo: look at the batch branch the mirror fetched and at the
 * PR found by head branch, decide (hf_lease_decide, hf_pr_decide), push
 * under the lease, then converge the PR with as few requests as possible: a
 * repo already as wanted costs one GET and no push. A worker pool runs the
 * repos; each worker has its own HTTP client and mirror handles, and they
 * share the mutation governor, the journal and the --max-prs count. */
#include "batch/apply.h"
#include "forge/gh_commit.h"
#include "forge/governor.h"
#include "forge/http.h"
#include "git/cache.h"
#include "git/changes.h"
#include "git/commit.h"
#include "git/push.h"
#include "policy/gate.h"
#include "util/pool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names --------------------------------------------------------------- */

const char *hf_lease_name(hf_lease l)
{
    static const char *const names[] = {"absent", "current", "ours", "human"};
    return (unsigned)l < 4 ? names[l] : "?";
}

const char *hf_pr_action_name(hf_pr_action a)
{
    static const char *const names[] = {"nothing",      "create", "converge", "reopen",
                                        "leave-closed", "close",  "foreign"};
    return (unsigned)a < 7 ? names[a] : "?";
}

const char *hf_apply_result_name(hf_apply_result r)
{
    static const char *const names[] = {
        "error",  "blocked", "failed", "human-modified", "created",  "updated",    "unchanged",
        "pushed", "pending", "closed", "reopened",       "obsolete", "no-changes", "skipped"};
    return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *hf_pr_state_name(const hf_gh_pr *pr)
{
    if (!pr)
        return "none";
    if (pr->merged)
        return "merged";
    if (strcmp(pr->state, "open") != 0)
        return "closed";
    return pr->draft ? "draft" : "open";
}

void hf_repo_apply_free(void *p)
{
    hf_repo_apply *a = p;
    if (!a)
        return;
    free(a->pr_url);
    free(a->pr_state);
    hf_vec_free(&a->actions, free);
    free(a->message);
    free(a);
}

/* ---- decisions ----------------------------------------------------------- */

int hf_lease_decide(git_repository *repo, const git_oid *tip, const git_oid *base,
                    const git_oid *tree, const git_oid *recorded, const char *fleet, hf_lease *out,
                    hf_error *err)
{
    if (git_oid_is_zero(tip)) {
        *out = HF_LEASE_ABSENT;
        return 0;
    }
    if (tree) {
        bool same;
        if (hf_commit_is_change(repo, tip, base, tree, &same, err) < 0)
            return -1;
        if (same) {
            *out = HF_LEASE_CURRENT;
            return 0;
        }
    }
    if (recorded && !git_oid_is_zero(recorded) && git_oid_equal(tip, recorded)) {
        *out = HF_LEASE_OURS;
        return 0;
    }
    bool ours;
    if (hf_commit_range_is_handoff(repo, base, tip, fleet, &ours, NULL, err) < 0)
        return -1;
    *out = ours ? HF_LEASE_OURS : HF_LEASE_HUMAN;
    return 0;
}

static bool has_marker(const hf_gh_pr *pr)
{
    char hex[80];
    return hf_gh_body_hash(pr->body, hex, sizeof(hex)) == 1;
}

hf_pr_action hf_pr_decide(bool changes, const hf_gh_pr *pr, long closed_by_handoff, bool reopen)
{
    bool open = pr && strcmp(pr->state, "open") == 0;
    if (!changes) {
        if (!open)
            return HF_PR_NOTHING;
        return has_marker(pr) ? HF_PR_CLOSE : HF_PR_FOREIGN;
    }
    if (!pr || pr->merged)
        return HF_PR_CREATE;
    if (open)
        return HF_PR_CONVERGE;
    if (closed_by_handoff > 0 && pr->number == closed_by_handoff)
        return HF_PR_CREATE;
    return reopen ? HF_PR_REOPEN : HF_PR_LEAVE_CLOSED;
}

/* ---- the run ------------------------------------------------------------- */

typedef struct run {
    const hf_apply_options *o;
    const hf_vec *plans;
    hf_vec *results;
    hf_http **clients;    /* one per worker; NULL entries with --no-pr */
    hf_auth *auth;        /* opts->auth, or one made of opts->token */
    pthread_mutex_t lock; /* the journal and prs_created */
    long prs_created;
    atomic_size_t next;
    atomic_int worker_ids;
} run;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
action(hf_repo_apply *res, const char *fmt, ...)
{
    hf_buf b = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    hf_log_redact(&b);
    hf_vec_push(&res->actions, hf_buf_detach(&b));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
say(hf_repo_apply *res, const char *fmt, ...)
{
    hf_buf b = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    hf_log_redact(&b);
    free(res->message);
    res->message = hf_buf_detach(&b);
}

static void fail(hf_repo_apply *res, const char *msg)
{
    res->result = HF_APPLY_ERROR;
    say(res, "%s", msg ? msg : "failed");
}

static void set_pr(hf_repo_apply *res, const hf_gh_pr *pr)
{
    res->pr = pr ? pr->number : 0;
    hf_state_set(&res->pr_url, pr && *pr->html_url ? pr->html_url : NULL);
    hf_state_set(&res->pr_state, hf_pr_state_name(pr));
}

/* What a run writes into the journal for a repo. */
typedef struct record_opts {
    const char *lease; /* the new lease ("" none), NULL: unchanged */
    bool pr_known;     /* res->pr reflects the forge (else keep the journal's) */
    long closed_pr;    /* < 0: unchanged */
} record_opts;

/* Updates the repo's journal entry and writes the journal. Failing to write
 * it turns the repo into an error: --resume depends on it. */
static int record(run *r, hf_repo_apply *res, const char *result, const record_opts *ro)
{
    const hf_repo_plan *plan = res->plan;
    hf_error err;
    char now[21];
    hf_state_now(now);
    pthread_mutex_lock(&r->lock);
    hf_state_entry *e = hf_state_put(r->o->state, plan->repo->name);
    if (*plan->base_commit)
        memcpy(e->base, plan->base_commit, sizeof(e->base));
    if (hf_plan_has_patch(plan))
        memcpy(e->tree, plan->tree, sizeof(e->tree));
    else
        e->tree[0] = '\0';
    if (ro->lease)
        snprintf(e->pushed, sizeof(e->pushed), "%s", ro->lease);
    if (ro->pr_known) {
        e->pr = res->pr;
        hf_state_set(&e->pr_url, res->pr_url);
        hf_state_set(&e->pr_state, res->pr_state);
    }
    if (ro->closed_pr >= 0)
        e->closed_pr = ro->closed_pr;
    e->held = (long)plan->held.len;
    hf_state_set(&e->result, result);
    hf_state_set(&e->message, res->message);
    hf_state_set(&e->at, now);
    int rc = r->o->state_path ? hf_state_save(r->o->state, r->o->state_path, &err) : 0;
    pthread_mutex_unlock(&r->lock);
    if (rc < 0) {
        hf_error_wrap(&err, "state");
        fail(res, err.msg);
    }
    return rc;
}

/* After a push or a commit under the lease: a lease the remote refused
 * (lease_rc) means someone else moved the branch, any other failure is an
 * error; either is recorded. Returns true when this repo's run ends here. */
static bool lease_failed(run *r, hf_repo_apply *res, const record_opts *ro, int rc, int lease_rc,
                         const hf_error *err)
{
    if (rc == lease_rc) {
        res->result = HF_APPLY_HUMAN_MODIFIED;
        say(res, "%s", err->msg);
        record(r, res, "human-modified", ro);
        return true;
    }
    if (rc < 0) {
        fail(res, err->msg);
        record(r, res, "error", ro);
        return true;
    }
    return false;
}

static const char *source_url(const hf_apply_options *o, const hf_repo *r, hf_buf *scratch)
{
    for (size_t i = 0; o->sources && i < o->sources->len; i++) {
        const hf_source *s = o->sources->items[i];
        if (!strcmp(s->name, r->name))
            return s->url;
    }
    if (r->url)
        return r->url;
    hf_buf_clear(scratch);
    hf_buf_printf(scratch, "%s/%s.git", o->cfg->fleet.forge_web, r->name);
    return scratch->ptr;
}

/* The remote's default branch as the last fetch recorded it (the mirror's
 * HEAD), or NULL. */
static char *mirror_default_branch(git_repository *mirror)
{
    git_reference *head = NULL;
    char *out = NULL;
    if (git_reference_lookup(&head, mirror, "HEAD") == 0 &&
        git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
        const char *t = git_reference_symbolic_target(head);
        if (t && !strncmp(t, "refs/heads/", 11))
            out = hf_xstrdup(t + 11);
    }
    git_reference_free(head);
    git_error_clear();
    return out;
}

/* Results a --resume run need not redo on an unchanged base and plan. */
static bool done_result(const char *result)
{
    static const char *const done[] = {"created",    "updated",        "unchanged",
                                       "closed",     "reopened",       "obsolete",
                                       "no-changes", "human-modified", NULL};
    for (size_t i = 0; result && done[i]; i++)
        if (!strcmp(result, done[i]))
            return true;
    return false;
}

/* Reserves one of the --max-prs slots. */
static bool reserve_pr(run *r)
{
    bool ok;
    pthread_mutex_lock(&r->lock);
    ok = r->o->max_prs < 0 || r->prs_created < r->o->max_prs;
    if (ok)
        r->prs_created++;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

static void release_pr(run *r)
{
    pthread_mutex_lock(&r->lock);
    r->prs_created--;
    pthread_mutex_unlock(&r->lock);
}

/* Title/body when the marker differs, then the missing labels and reviewers.
 * fresh: the PR was opened in this very run (nobody reviewed it yet).
 * *changed tells whether anything was sent. */
static int converge_pr(hf_http *h, const hf_apply_options *o, const char *owner, const char *name,
                       hf_gh_pr **pr, bool fresh, const hf_pr_text *text, hf_repo_apply *res,
                       bool *changed, hf_error *err)
{
    const hf_pr_template *tpl = &o->cfg->fleet.pr;
    char have[80];
    if (!hf_gh_body_hash((*pr)->body, have, sizeof(have)) || strcmp(have, text->hash) != 0) {
        hf_gh_pr *updated = NULL;
        if (hf_gh_pr_update(h, owner, name, (*pr)->number, text->title, text->body, &updated, err) <
            0)
            return -1;
        hf_gh_pr_free(*pr);
        *pr = updated;
        action(res, "updated the title and body of PR #%ld", (*pr)->number);
        *changed = true;
    }
    size_t added = 0;
    if (tpl->labels.len &&
        hf_gh_labels_ensure(h, owner, name, (*pr)->number, (const char *const *)tpl->labels.items,
                            tpl->labels.len, *pr, &added, err) < 0)
        return -1;
    if (added) {
        action(res, "added %zu label%s", added, added == 1 ? "" : "s");
        *changed = true;
    }
    added = 0;
    if (tpl->reviewers.len &&
        hf_gh_reviewers_ensure(h, owner, name, (*pr)->number,
                               (const char *const *)tpl->reviewers.items, tpl->reviewers.len, *pr,
                               fresh, &added, err) < 0)
        return -1;
    if (added) {
        action(res, "requested %zu reviewer%s", added, added == 1 ? "" : "s");
        *changed = true;
    }
    return 0;
}

/* The largest change sent as one createCommitOnBranch (file contents before
 * base64). */
#define API_COMMIT_MAX_BYTES ((size_t)25 << 20)

/* The planned commit made by GitHub through the API instead of pushed, under
 * the same lease (expected: the tip the fetch saw; NULL: absent) and the
 * same branch rules. *made receives GitHub's commit. Returns 0,
 * HF_GH_ELEASE or -1. */
static int commit_via_api(hf_http *h, git_repository *mirror, const hf_repo_plan *plan,
                          const hf_push_options *popts, const char *owner, const char *name,
                          const git_oid *commit, const git_oid *expected, git_oid *made,
                          hf_error *err)
{
    git_commit *planned = NULL, *base = NULL;
    hf_vec changes = HF_VEC_INIT;
    hf_gh_file *files = NULL;
    char expected_hex[GIT_OID_HEXSZ + 1] = "", tree_hex[GIT_OID_HEXSZ + 1], out[41];
    int rc = 0;
    if ((rc = hf_push_check_branch(popts, err)) < 0)
        goto done;
    git_oid base_id;
    if (git_commit_lookup(&planned, mirror, commit) < 0 ||
        git_oid_fromstr(&base_id, plan->base_commit) < 0 ||
        git_commit_lookup(&base, mirror, &base_id) < 0) {
        rc = hf_error_set(err, "%s: read the planned commit: %s", plan->repo->name,
                          hf_git_last_error("failed"));
        goto done;
    }
    if ((rc = hf_tree_blob_changes(mirror, git_commit_tree_id(base), git_commit_tree_id(planned),
                                   API_COMMIT_MAX_BYTES, &changes, err)) < 0) {
        hf_error_wrap(err, "%s: --commit-via api", plan->repo->name);
        goto done;
    }
    files = hf_xcalloc(changes.len ? changes.len : 1, sizeof(*files));
    for (size_t i = 0; i < changes.len; i++) {
        const hf_blob_change *c = changes.items[i];
        files[i] =
            (hf_gh_file){c->path, c->old_mode, c->new_mode, c->contents.ptr, c->contents.len};
    }
    if ((rc = hf_gh_commit_check(files, changes.len, err)) < 0) {
        hf_error_wrap(err, "%s: --commit-via api", plan->repo->name);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof(err->msg) - n, "; use --commit-via git for this repository");
        goto done;
    }
    if (expected)
        git_oid_tostr(expected_hex, sizeof(expected_hex), expected);
    git_oid_tostr(tree_hex, sizeof(tree_hex), git_commit_tree_id(planned));
    hf_gh_commit_spec spec = {.branch = popts->branch,
                              .base = plan->base_commit,
                              .expected = expected_hex,
                              .message = git_commit_message(planned),
                              .tree = tree_hex,
                              .files = files,
                              .n = changes.len};
    rc = hf_gh_commit_on_branch(h, owner, name, &spec, out, err);
    if (rc == 0 && git_oid_fromstr(made, out) < 0)
        rc = hf_error_set(err, "%s: GitHub's commit id '%s' is not one", plan->repo->name, out);
done:
    free(files);
    hf_vec_free(&changes, hf_blob_change_free);
    git_commit_free(planned);
    git_commit_free(base);
    git_error_clear();
    return rc;
}

static void apply_repo(run *r, hf_http *h, hf_repo_apply *res)
{
    const hf_apply_options *o = r->o;
    const hf_repo_plan *plan = res->plan;
    const hf_repo *repo = plan->repo;
    const char *branch = o->cfg->fleet.branch;
    const bool changes = hf_plan_has_patch(plan);
    git_repository *mirror = NULL;
    hf_gh_pr *pr = NULL;
    hf_pr_text text = {0};
    hf_buf scratch = HF_BUF_INIT;
    char *default_branch = NULL, *owner = NULL, *token = NULL;
    const char *name = NULL;
    hf_error err;
    git_oid tip, base, commit, tree, recorded;
    bool have_recorded = false;
    long closed_by_handoff = 0;
    record_opts ro = {.lease = NULL, .pr_known = false, .closed_pr = -1};
    memset(&recorded, 0, sizeof(recorded));

    /* What the journal remembers; --resume skips what is done already. */
    pthread_mutex_lock(&r->lock);
    const hf_state_entry *e = hf_state_get(o->state, repo->name);
    bool skip = false;
    if (e) {
        if (*e->pushed && git_oid_fromstr(&recorded, e->pushed) == 0)
            have_recorded = true;
        closed_by_handoff = e->closed_pr;
        skip = o->resume && done_result(e->result) && *plan->base_commit &&
               !strcmp(e->base, plan->base_commit) && !strcmp(e->tree, changes ? plan->tree : "");
        if (skip) {
            res->result = HF_APPLY_SKIPPED;
            res->pr = e->pr;
            hf_state_set(&res->pr_url, e->pr_url);
            hf_state_set(&res->pr_state, e->pr_state ? e->pr_state : "none");
            snprintf(res->head, sizeof(res->head), "%s", e->pushed);
            say(res, "done already on this base (%s)", e->result);
        }
    }
    pthread_mutex_unlock(&r->lock);
    if (skip)
        goto done;

    if (plan->status == HF_PLAN_ERROR) {
        fail(res, plan->error);
        record(r, res, "error", &ro);
        goto done;
    }
    if (plan->status == HF_PLAN_BLOCKED || plan->status == HF_PLAN_FAILED) {
        const hf_held *b = hf_vec_get(&plan->held, 0);
        res->result = plan->status == HF_PLAN_BLOCKED ? HF_APPLY_BLOCKED : HF_APPLY_FAILED;
        say(res, "%s: %s%s", plan->status == HF_PLAN_BLOCKED ? "blocked by policy" : "nothing fits",
            b ? b->reason : "", plan->held.len > 1 ? " (and more; see handoff plan)" : "");
        record(r, res, plan->status == HF_PLAN_BLOCKED ? "blocked" : "failed", &ro);
        goto done;
    }

    const char *slash = strchr(repo->name, '/');
    owner = hf_xstrndup(repo->name, slash ? (size_t)(slash - repo->name) : 0);
    name = slash ? slash + 1 : repo->name;
    if (h)
        hf_http_set_scope(h, owner, name);
    if (hf_mirror_open(&mirror, o->cache_dir, repo->name, &err) < 0 ||
        hf_mirror_branch_tip(mirror, branch, &tip, &err) < 0) {
        fail(res, err.msg);
        record(r, res, "error", &ro);
        goto done;
    }
    if (git_oid_fromstr(&base, plan->base_commit) < 0 ||
        (changes &&
         (git_oid_fromstr(&commit, plan->commit) < 0 || git_oid_fromstr(&tree, plan->tree) < 0))) {
        fail(res, "the plan has no valid base or commit");
        record(r, res, "error", &ro);
        goto done;
    }
    hf_lease lease;
    if (hf_lease_decide(mirror, &tip, &base, changes ? &tree : NULL,
                        have_recorded ? &recorded : NULL, o->cfg->fleet.name, &lease, &err) < 0) {
        hf_error_wrap(&err, "%s: branch %s", repo->name, branch);
        fail(res, err.msg);
        record(r, res, "error", &ro);
        goto done;
    }
    if (!git_oid_is_zero(&tip))
        git_oid_tostr(res->head, sizeof(res->head), &tip);

    if (!o->no_pr) {
        if (hf_gh_pr_find(h, owner, name, branch, &pr, &err) < 0) {
            fail(res, err.msg);
            record(r, res, "error", &ro);
            goto done;
        }
        set_pr(res, pr);
        ro.pr_known = true;
    }

    if (lease == HF_LEASE_HUMAN) {
        res->result = HF_APPLY_HUMAN_MODIFIED;
        say(res,
            "branch %s has commits handoff did not make (tip %.12s); nothing pushed, the pull "
            "request left as it is",
            branch, res->head);
        record(r, res, "human-modified", &ro);
        goto done;
    }
    hf_pr_action act =
        o->no_pr ? HF_PR_NOTHING : hf_pr_decide(changes, pr, closed_by_handoff, o->reopen);
    default_branch = mirror_default_branch(mirror);
    const char *base_branch =
        plan->base_ref && !strncmp(plan->base_ref, "refs/heads/", 11) ? plan->base_ref + 11 : NULL;
    /* The token of this repository's owner, fresh for the push. */
    if (r->auth && hf_auth_token(r->auth, owner, name, &token, &err) < 0) {
        fail(res, err.msg);
        record(r, res, "error", &ro);
        goto done;
    }
    hf_push_options popts = {
        .remote = {.repo = repo->name, .url = source_url(o, repo, &scratch), .token = token},
        .branch = branch,
        .default_branch = default_branch,
        .base_branch = base_branch};
    hf_push_result pres;

    if (!changes) {
        if (act == HF_PR_FOREIGN) {
            res->result = HF_APPLY_NO_CHANGES;
            say(res, "PR #%ld is open but handoff did not write it; left open with its branch",
                pr->number);
            record(r, res, "no-changes", &ro);
            goto done;
        }
        bool closed = false;
        if (act == HF_PR_CLOSE) {
            hf_buf comment = HF_BUF_INIT;
            hf_pr_close_comment(&comment, &o->pr, plan);
            int rc = hf_gh_comment_add(h, owner, name, pr->number, comment.ptr, &err);
            hf_buf_free(&comment);
            hf_gh_pr *after = NULL;
            if (rc == 0)
                rc = hf_gh_pr_close(h, owner, name, pr->number, &after, &err);
            if (rc < 0) {
                fail(res, err.msg);
                record(r, res, "error", &ro);
                goto done;
            }
            action(res, "closed PR #%ld with a comment: no longer needed", pr->number);
            set_pr(res, after);
            hf_gh_pr_free(after);
            ro.closed_pr = res->pr;
            closed = true;
        }
        if (lease == HF_LEASE_OURS && o->no_pr) {
            say(res, "branch %s left in place (--no-pr)", branch);
        } else if (lease == HF_LEASE_OURS) {
            int rc = hf_push_delete(mirror, &popts, &tip, &pres, &err);
            if (lease_failed(r, res, &ro, rc, HF_GIT_ELEASE, &err))
                goto done;
            res->pushed = pres.pushed;
            res->head[0] = '\0';
            ro.lease = "";
            action(res, "deleted branch %s", branch);
        }
        res->result = closed ? HF_APPLY_OBSOLETE : HF_APPLY_NO_CHANGES;
        record(r, res, hf_apply_result_name(res->result), &ro);
        goto done;
    }

    if (act == HF_PR_LEAVE_CLOSED) {
        res->result = HF_APPLY_CLOSED;
        say(res, "PR #%ld was closed by a person; not reopened (--reopen would), nothing pushed",
            pr->number);
        record(r, res, "closed", &ro);
        goto done;
    }

    /* Push under the lease, or have GitHub make the commit under it. */
    if (lease == HF_LEASE_CURRENT) {
        ro.lease = res->head;
    } else if (o->commit_via_api) {
        git_oid made;
        int rc = commit_via_api(h, mirror, plan, &popts, owner, name, &commit,
                                lease == HF_LEASE_ABSENT ? NULL : &tip, &made, &err);
        if (lease_failed(r, res, &ro, rc, HF_GH_ELEASE, &err))
            goto done;
        res->pushed = true;
        git_oid_tostr(res->head, sizeof(res->head), &made);
        ro.lease = res->head;
        if (lease == HF_LEASE_ABSENT)
            action(res, "GitHub committed %.12s (signed) to new branch %s", res->head, branch);
        else
            action(res, "GitHub committed %.12s (signed) over %.12s (on base %.12s)", res->head,
                   git_oid_tostr_s(&tip), plan->base_commit);
        if (record(r, res, "pushed", &ro) < 0)
            goto done;
    } else {
        int rc = hf_push_lease(mirror, &popts, &commit, lease == HF_LEASE_ABSENT ? NULL : &tip,
                               &pres, &err);
        if (lease_failed(r, res, &ro, rc, HF_GIT_ELEASE, &err))
            goto done;
        res->pushed = pres.pushed;
        git_oid_tostr(res->head, sizeof(res->head), &commit);
        ro.lease = res->head;
        if (lease == HF_LEASE_ABSENT)
            action(res, "pushed %.12s to new branch %s", res->head, branch);
        else
            action(res, "force-pushed %.12s over %.12s (on base %.12s)", res->head,
                   git_oid_tostr_s(&tip), plan->base_commit);
        /* The push is on record before the PR: a run killed now resumes
         * with the PR only. */
        if (record(r, res, "pushed", &ro) < 0)
            goto done;
    }
    if (o->no_pr) {
        res->result = res->pushed ? HF_APPLY_PUSHED : HF_APPLY_UNCHANGED;
        record(r, res, hf_apply_result_name(res->result), &ro);
        goto done;
    }

    if (hf_pr_render(&o->pr, plan, &text, &err) < 0) {
        fail(res, err.msg);
        record(r, res, "error", &ro);
        goto done;
    }
    bool created = false, reopened = false, changed = false, adopted = false;
    if (act == HF_PR_CREATE) {
        if (!reserve_pr(r)) {
            res->result = HF_APPLY_PENDING;
            say(res, "--max-prs %ld reached: the pull request waits for a later run", o->max_prs);
            record(r, res, "pending", &ro);
            goto done;
        }
        hf_gh_pr_spec spec = {.title = text.title,
                              .body = text.body,
                              .head = branch,
                              .base = base_branch ? base_branch : "main",
                              .draft = o->cfg->fleet.pr.draft};
        hf_gh_pr *made = NULL;
        if (hf_gh_pr_create(h, owner, name, &spec, &made, &adopted, &err) < 0) {
            release_pr(r);
            fail(res, err.msg);
            record(r, res, "error", &ro);
            goto done;
        }
        hf_gh_pr_free(pr);
        pr = made;
        created = true;
        if (adopted)
            action(res, "adopted PR #%ld (GitHub says it exists already)", pr->number);
        else
            action(res, "opened %sPR #%ld", pr->draft ? "draft " : "", pr->number);
    } else if (act == HF_PR_REOPEN) {
        hf_gh_pr *again = NULL;
        if (hf_gh_pr_reopen(h, owner, name, pr->number, &again, &err) < 0) {
            fail(res, err.msg);
            record(r, res, "error", &ro);
            goto done;
        }
        hf_gh_pr_free(pr);
        pr = again;
        reopened = true;
        action(res, "reopened PR #%ld (--reopen)", pr->number);
    }
    set_pr(res, pr);
    /* An adopted PR may be older than this run: only one opened now is
     * known to have no review. */
    if (converge_pr(h, o, owner, name, &pr, created && !adopted, &text, res, &changed, &err) < 0) {
        fail(res, err.msg);
        record(r, res, "error", &ro);
        goto done;
    }
    set_pr(res, pr);
    res->result = created                  ? HF_APPLY_CREATED
                  : reopened               ? HF_APPLY_REOPENED
                  : res->pushed || changed ? HF_APPLY_UPDATED
                                           : HF_APPLY_UNCHANGED;
    record(r, res, hf_apply_result_name(res->result), &ro);
done:
    if (!o->quiet) {
        if (res->result == HF_APPLY_ERROR)
            hf_log_error("%s: %s", repo->name, res->message ? res->message : "failed");
        else
            hf_log_info("apply %s: %s", repo->name, hf_apply_result_name(res->result));
    }
    hf_pr_text_free(&text);
    hf_gh_pr_free(pr);
    hf_buf_free(&scratch);
    free(default_branch);
    free(owner);
    hf_auth_token_free(token);
    git_repository_free(mirror);
}

static void *worker(void *arg)
{
    run *r = arg;
    int w = atomic_fetch_add(&r->worker_ids, 1);
    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->results->len)
            break;
        apply_repo(r, r->clients[w], r->results->items[i]);
    }
    return NULL;
}

int hf_apply_run(const hf_apply_options *opts, const hf_vec *plans, hf_vec *results, hf_error *err)
{
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)jobs > plans->len)
        jobs = plans->len ? (int)plans->len : 1;
    run r = {.o = opts, .plans = plans, .results = results, .auth = opts->auth};
    hf_governor *gov = NULL;
    hf_auth *own_auth = NULL;
    hf_buf etags = HF_BUF_INIT;
    int rc = 0;
    r.clients = hf_xcalloc((size_t)jobs, sizeof(hf_http *));
    if (!r.auth && opts->token && *opts->token) {
        if (hf_auth_new_token(&own_auth, opts->token, err) < 0) {
            free(r.clients);
            return -1;
        }
        r.auth = own_auth;
    }
    if (!opts->no_pr || opts->commit_via_api) {
        if (!opts->governor)
            gov = hf_governor_new(NULL, HF_GOVERNOR_INTERVAL);
        hf_fs_join(&etags, opts->cache_dir, "etags");
        hf_http_options ho = {.api_base = opts->forge_api,
                              .auth = r.auth,
                              .etag_dir = etags.ptr,
                              .governor = opts->governor ? opts->governor : gov};
        for (int i = 0; i < jobs; i++)
            if (hf_http_new(&r.clients[i], &ho, err) < 0) {
                hf_error_wrap(err, "forge API");
                rc = -1;
                goto done;
            }
    }
    for (size_t i = 0; i < plans->len; i++) {
        hf_repo_apply *a = hf_xcalloc(1, sizeof(*a));
        a->plan = plans->items[i];
        a->result = HF_APPLY_ERROR;
        hf_vec_push(results, a);
    }
    pthread_mutex_init(&r.lock, NULL);
    atomic_init(&r.next, 0);
    atomic_init(&r.worker_ids, 0);
    hf_pool_run(jobs, worker, &r);
    pthread_mutex_destroy(&r.lock);
done:
    for (int i = 0; i < jobs; i++)
        hf_http_free(r.clients[i]);
    free(r.clients);
    if (gov)
        hf_governor_free(gov);
    hf_auth_free(own_auth);
    hf_buf_free(&etags);
    return rc;
}

void hf_plan_with_auth(hf_plan_options *popts, hf_auth *auth, const hf_vec *repos, hf_vec *plans)
{
    if (!hf_auth_is_app(auth)) {
        char *token = NULL;
        hf_error err;
        if (auth && hf_auth_token(auth, NULL, NULL, &token, &err) < 0)
            token = NULL; /* a fixed token is always there */
        popts->token = token;
        hf_plan_run(popts, repos, plans);
        popts->token = NULL;
        hf_auth_token_free(token);
        return;
    }
    hf_vec done = HF_VEC_INIT; /* hf_repo_plan *, any order */
    bool *taken = hf_xcalloc(repos->len ? repos->len : 1, sizeof(bool));
    for (size_t i = 0; i < repos->len; i++) {
        if (taken[i])
            continue;
        const hf_repo *lead = repos->items[i];
        const char *slash = strchr(lead->name, '/');
        size_t olen = slash ? (size_t)(slash - lead->name) : 0;
        hf_vec group = HF_VEC_INIT;
        for (size_t k = i; k < repos->len; k++) {
            const hf_repo *r = repos->items[k];
            if (!taken[k] && strlen(r->name) > olen && r->name[olen] == '/' &&
                strncasecmp(r->name, lead->name, olen) == 0) {
                taken[k] = true;
                hf_vec_push(&group, (void *)r);
            }
        }
        char *owner = hf_xstrndup(lead->name, olen), *token = NULL;
        hf_error err;
        if (hf_auth_token(auth, owner, slash ? slash + 1 : "", &token, &err) == 0) {
            popts->token = token;
            hf_plan_run(popts, &group, &done);
            popts->token = NULL;
        } else {
            for (size_t k = 0; k < group.len; k++) {
                hf_repo_plan *p = hf_xcalloc(1, sizeof(*p));
                p->repo = group.items[k];
                p->status = HF_PLAN_ERROR;
                p->error = hf_xstrdup(err.msg);
                hf_vec_push(&done, p);
            }
        }
        hf_auth_token_free(token);
        free(owner);
        hf_vec_free(&group, NULL);
    }
    /* Back in the order of repos. */
    for (size_t i = 0; i < repos->len; i++)
        for (size_t k = 0; k < done.len; k++) {
            hf_repo_plan *p = done.items[k];
            if (p && p->repo == repos->items[i]) {
                hf_vec_push(plans, p);
                done.items[k] = NULL;
                break;
            }
        }
    hf_vec_free(&done, hf_repo_plan_free);
    free(taken);
}

/* ---- reports ------------------------------------------------------------- */

static size_t count_result(const hf_vec *results, hf_apply_result want)
{
    size_t n = 0;
    for (size_t i = 0; i < results->len; i++)
        n += ((const hf_repo_apply *)results->items[i])->result == want;
    return n;
}

void hf_apply_write_text(FILE *out, const hf_vec *results)
{
    for (size_t i = 0; i < results->len; i++) {
        const hf_repo_apply *a = results->items[i];
        fprintf(out, "%s: %s", a->plan->repo->name, hf_apply_result_name(a->result));
        if (a->pr)
            fprintf(out, " (PR #%ld, %s)", a->pr, a->pr_state ? a->pr_state : "?");
        if (a->pr_url)
            fprintf(out, " %s", a->pr_url);
        fputc('\n', out);
        for (size_t k = 0; k < a->actions.len; k++)
            fprintf(out, "  - %s\n", (const char *)a->actions.items[k]);
        if (a->message)
            fprintf(out, "  %s\n", a->message);
        if (a->plan->status == HF_PLAN_PARTIAL)
            fprintf(out, "  %zu step%s held back: the PR lists %s under \"Left for a person\"\n",
                    a->plan->held.len, a->plan->held.len == 1 ? "" : "s",
                    a->plan->held.len == 1 ? "it" : "them");
    }
    fprintf(out, "%zu repo%s:", results->len, results->len == 1 ? "" : "s");
    const char *sep = " ";
    for (int r = HF_APPLY_ERROR; r <= HF_APPLY_SKIPPED; r++) {
        size_t n = count_result(results, (hf_apply_result)r);
        if (n) {
            fprintf(out, "%s%zu %s", sep, n, hf_apply_result_name((hf_apply_result)r));
            sep = ", ";
        }
    }
    fputc('\n', out);
}

char *hf_apply_json(const hf_config *cfg, const hf_vec *results)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "fleet", cfg->fleet.name ? cfg->fleet.name : "");
    cJSON_AddStringToObject(root, "branch", cfg->fleet.branch ? cfg->fleet.branch : "");
    cJSON *repos = cJSON_AddArrayToObject(root, "repos");
    for (size_t i = 0; i < results->len; i++) {
        const hf_repo_apply *a = results->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", a->plan->repo->name);
        cJSON_AddStringToObject(o, "result", hf_apply_result_name(a->result));
        cJSON_AddStringToObject(o, "plan", hf_plan_status_name(a->plan->status));
        cJSON_AddNumberToObject(o, "held", (double)a->plan->held.len);
        cJSON_AddBoolToObject(o, "pushed", a->pushed);
        if (*a->head)
            cJSON_AddStringToObject(o, "head", a->head);
        else
            cJSON_AddNullToObject(o, "head");
        if (a->pr) {
            cJSON *p = cJSON_AddObjectToObject(o, "pr");
            cJSON_AddNumberToObject(p, "number", (double)a->pr);
            cJSON_AddStringToObject(p, "url", a->pr_url ? a->pr_url : "");
            cJSON_AddStringToObject(p, "state", a->pr_state ? a->pr_state : "");
        } else {
            cJSON_AddNullToObject(o, "pr");
        }
        cJSON *acts = cJSON_AddArrayToObject(o, "actions");
        for (size_t k = 0; k < a->actions.len; k++)
            cJSON_AddItemToArray(acts, cJSON_CreateString(a->actions.items[k]));
        if (a->message)
            cJSON_AddStringToObject(o, "message", a->message);
        else
            cJSON_AddNullToObject(o, "message");
        cJSON_AddItemToArray(repos, o);
    }
    cJSON *summary = cJSON_AddObjectToObject(root, "summary");
    for (int r = HF_APPLY_ERROR; r <= HF_APPLY_SKIPPED; r++) {
        size_t n = count_result(results, (hf_apply_result)r);
        if (n)
            cJSON_AddNumberToObject(summary, hf_apply_result_name((hf_apply_result)r), (double)n);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = hf_xstrdup(text);
    cJSON_free(text);
    return out;
}

char *hf_apply_markdown(const hf_config *cfg, const hf_vec *results)
{
    hf_buf b = HF_BUF_INIT;
    hf_buf_printf(&b,
                  "# handoff apply: %s\n\nBranch `%s`.\n\n| repo | result | PR | what happened "
                  "|\n|---|---|---|---|\n",
                  cfg->fleet.name ? cfg->fleet.name : "",
                  cfg->fleet.branch ? cfg->fleet.branch : "");
    for (size_t i = 0; i < results->len; i++) {
        const hf_repo_apply *a = results->items[i];
        hf_buf_printf(&b, "| `%s` | %s | ", a->plan->repo->name, hf_apply_result_name(a->result));
        if (a->pr && a->pr_url)
            hf_buf_printf(&b, "[#%ld](%s) %s", a->pr, a->pr_url, a->pr_state ? a->pr_state : "");
        else if (a->pr)
            hf_buf_printf(&b, "#%ld %s", a->pr, a->pr_state ? a->pr_state : "");
        hf_buf_puts(&b, " | ");
        for (size_t k = 0; k < a->actions.len; k++) {
            if (k)
                hf_buf_puts(&b, "; ");
            hf_pr_md_cell(&b, a->actions.items[k]);
        }
        if (a->message) {
            if (a->actions.len)
                hf_buf_puts(&b, "; ");
            hf_pr_md_cell(&b, a->message);
        }
        hf_buf_puts(&b, " |\n");
    }
    return hf_buf_detach(&b);
}

/* ---- status -------------------------------------------------------------- */

void hf_repo_status_free(void *p)
{
    hf_repo_status *s = p;
    if (!s)
        return;
    free(s->pr_url);
    free(s->pr_state);
    free(s->error);
    free(s);
}

static void status_fail(hf_repo_status *s, const char *msg)
{
    hf_buf b = HF_BUF_INIT;
    hf_buf_puts(&b, msg);
    hf_log_redact(&b);
    free(s->error);
    s->error = hf_buf_detach(&b);
}

static void status_repo(const hf_status_options *o, hf_auth *auth, hf_http *h, hf_repo_status *s)
{
    const hf_repo *repo = s->repo;
    const char *branch = o->cfg->fleet.branch;
    git_repository *mirror = NULL;
    hf_base base = {0};
    hf_buf scratch = HF_BUF_INIT;
    hf_gh_pr *pr = NULL;
    char *owner = NULL, *token = NULL;
    hf_error err;

    s->last = hf_state_get(o->state, repo->name);
    if (s->last && s->last->pr > 0) {
        s->pr = s->last->pr;
        hf_state_set(&s->pr_url, s->last->pr_url);
        hf_state_set(&s->pr_state, s->last->pr_state);
    }
    if (o->offline)
        goto done;

    const char *slash = strchr(repo->name, '/');
    owner = hf_xstrndup(repo->name, slash ? (size_t)(slash - repo->name) : 0);
    const char *name = slash ? slash + 1 : repo->name;
    if (h)
        hf_http_set_scope(h, owner, name);
    /* Without a forge client the token still opens the repository. */
    if (auth && hf_auth_token(auth, owner, name, &token, &err) < 0) {
        status_fail(s, err.msg);
        goto done;
    }
    hf_apply_options ao = {.cfg = o->cfg, .sources = o->sources};
    hf_mirror_options mo = {
        .cache_dir = o->cache_dir,
        .remote = {.repo = repo->name, .url = source_url(&ao, repo, &scratch), .token = token},
        .branch = repo->base};
    git_oid tip;
    if (hf_mirror_sync(&mirror, &base, &mo, &err) < 0 ||
        hf_mirror_branch_tip(mirror, branch, &tip, &err) < 0) {
        status_fail(s, err.msg);
        goto done;
    }
    s->branch_known = true;
    git_oid_tostr(s->base, sizeof(s->base), &base.commit);
    if (!git_oid_is_zero(&tip)) {
        git_oid_tostr(s->branch, sizeof(s->branch), &tip);
        git_oid recorded;
        memset(&recorded, 0, sizeof(recorded));
        if (s->last && *s->last->pushed)
            git_oid_fromstr(&recorded, s->last->pushed);
        hf_lease lease;
        if (hf_lease_decide(mirror, &tip, &base.commit, NULL, &recorded, o->cfg->fleet.name, &lease,
                            &err) < 0) {
            status_fail(s, err.msg);
            goto done;
        }
        s->human_modified = lease == HF_LEASE_HUMAN;
        s->behind_base = !git_oid_equal(&tip, &base.commit) &&
                         git_graph_descendant_of(mirror, &tip, &base.commit) != 1;
        git_error_clear();
    }
    if (!h)
        goto done;
    if (hf_gh_pr_find(h, owner, name, branch, &pr, &err) < 0) {
        status_fail(s, err.msg);
        goto done;
    }
    s->pr_live = true;
    s->pr = pr ? pr->number : 0;
    hf_state_set(&s->pr_url, pr && *pr->html_url ? pr->html_url : NULL);
    hf_state_set(&s->pr_state, hf_pr_state_name(pr));
done:
    hf_gh_pr_free(pr);
    free(owner);
    hf_auth_token_free(token);
    hf_buf_free(&scratch);
    hf_base_free(&base);
    git_repository_free(mirror);
}

typedef struct status_run {
    const hf_status_options *o;
    hf_vec *out;       /* hf_repo_status *, filled before the workers start */
    hf_http **clients; /* one per worker, NULL without the forge */
    hf_auth *auth;     /* NULL: anonymous */
    atomic_size_t next;
    atomic_int worker_ids;
} status_run;

static void *status_worker(void *arg)
{
    status_run *r = arg;
    int w = atomic_fetch_add(&r->worker_ids, 1);
    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->out->len)
            break;
        status_repo(r->o, r->auth, r->clients[w], r->out->items[i]);
    }
    return NULL;
}

int hf_status_run(const hf_status_options *opts, const hf_vec *repos, hf_vec *out, hf_error *err)
{
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)jobs > repos->len)
        jobs = repos->len ? (int)repos->len : 1;
    status_run r = {.o = opts, .out = out, .auth = opts->auth};
    hf_auth *own_auth = NULL;
    hf_buf etags = HF_BUF_INIT;
    int rc = 0;
    r.clients = hf_xcalloc((size_t)jobs, sizeof(hf_http *));
    if (!r.auth && opts->token && *opts->token) {
        if ((rc = hf_auth_new_token(&own_auth, opts->token, err)) < 0)
            goto done;
        r.auth = own_auth;
    }
    if (!opts->offline && !opts->no_forge) {
        hf_fs_join(&etags, opts->cache_dir, "etags");
        hf_http_options ho = {.api_base = opts->forge_api, .auth = r.auth, .etag_dir = etags.ptr};
        for (int i = 0; i < jobs; i++)
            if (hf_http_new(&r.clients[i], &ho, err) < 0) {
                rc = hf_error_wrap(err, "forge API");
                goto done;
            }
    }
    size_t first = out->len;
    for (size_t i = 0; i < repos->len; i++) {
        hf_repo_status *s = hf_xcalloc(1, sizeof(*s));
        s->repo = repos->items[i];
        hf_vec_push(out, s);
    }
    atomic_init(&r.next, first);
    atomic_init(&r.worker_ids, 0);
    hf_pool_run(jobs, status_worker, &r);
done:
    for (int i = 0; i < jobs; i++)
        hf_http_free(r.clients[i]);
    free(r.clients);
    hf_auth_free(own_auth);
    hf_buf_free(&etags);
    return rc;
}

static const char *status_pr_state(const hf_repo_status *s)
{
    return s->pr_state ? s->pr_state : (s->pr ? "?" : "none");
}

/* "behind-base, human-modified" or "" */
static void status_flags(hf_buf *out, const hf_repo_status *s)
{
    hf_buf_clear(out);
    if (s->human_modified)
        hf_buf_puts(out, "human-modified");
    if (s->behind_base)
        hf_buf_printf(out, "%sbehind-base", out->len ? ", " : "");
    if (s->branch_known && !*s->branch && s->pr && !strcmp(status_pr_state(s), "open"))
        hf_buf_printf(out, "%sbranch-missing", out->len ? ", " : "");
}

void hf_status_write_text(FILE *out, const hf_vec *statuses)
{
    hf_buf flags = HF_BUF_INIT;
    fprintf(out, "%-32s %-6s %-7s %-13s %-28s %s\n", "repo", "pr", "state", "branch", "flags",
            "last result");
    for (size_t i = 0; i < statuses->len; i++) {
        const hf_repo_status *s = statuses->items[i];
        char pr[24] = "-", branch[16] = "-";
        if (s->pr)
            snprintf(pr, sizeof(pr), "#%ld", s->pr);
        if (!s->branch_known)
            snprintf(branch, sizeof(branch), "?");
        else if (*s->branch)
            snprintf(branch, sizeof(branch), "%.12s", s->branch);
        status_flags(&flags, s);
        fprintf(out, "%-32s %-6s %-7s %-13s %-28s ", s->repo->name, pr, status_pr_state(s), branch,
                flags.len ? flags.ptr : "-");
        if (s->last && s->last->result)
            fprintf(out, "%s %s", s->last->result, s->last->at ? s->last->at : "");
        else
            fputs("-", out);
        fputc('\n', out);
        if (s->pr_url)
            fprintf(out, "  %s\n", s->pr_url);
        if (s->error)
            fprintf(out, "  error: %s\n", s->error);
    }
    hf_buf_free(&flags);
}

char *hf_status_json(const hf_config *cfg, const hf_vec *statuses)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "fleet", cfg->fleet.name ? cfg->fleet.name : "");
    cJSON_AddStringToObject(root, "branch", cfg->fleet.branch ? cfg->fleet.branch : "");
    cJSON *repos = cJSON_AddArrayToObject(root, "repos");
    for (size_t i = 0; i < statuses->len; i++) {
        const hf_repo_status *s = statuses->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", s->repo->name);
        if (s->pr) {
            cJSON *p = cJSON_AddObjectToObject(o, "pr");
            cJSON_AddNumberToObject(p, "number", (double)s->pr);
            if (s->pr_url)
                cJSON_AddStringToObject(p, "url", s->pr_url);
            else
                cJSON_AddNullToObject(p, "url");
        } else {
            cJSON_AddNullToObject(o, "pr");
        }
        cJSON_AddStringToObject(o, "state", status_pr_state(s));
        cJSON_AddStringToObject(o, "source", s->pr_live ? "forge" : "state");
        if (s->branch_known) {
            cJSON *b = cJSON_AddObjectToObject(o, "branch");
            if (*s->branch)
                cJSON_AddStringToObject(b, "commit", s->branch);
            else
                cJSON_AddNullToObject(b, "commit");
            cJSON_AddStringToObject(b, "base", s->base);
            cJSON_AddBoolToObject(b, "behind_base", s->behind_base);
            cJSON_AddBoolToObject(b, "human_modified", s->human_modified);
        } else {
            cJSON_AddNullToObject(o, "branch");
        }
        if (s->last) {
            cJSON *l = cJSON_AddObjectToObject(o, "last");
            cJSON_AddStringToObject(l, "result", s->last->result ? s->last->result : "");
            cJSON_AddStringToObject(l, "at", s->last->at ? s->last->at : "");
            if (s->last->message)
                cJSON_AddStringToObject(l, "message", s->last->message);
            else
                cJSON_AddNullToObject(l, "message");
        } else {
            cJSON_AddNullToObject(o, "last");
        }
        if (s->error)
            cJSON_AddStringToObject(o, "error", s->error);
        else
            cJSON_AddNullToObject(o, "error");
        cJSON_AddItemToArray(repos, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = hf_xstrdup(text);
    cJSON_free(text);
    return out;
}

char *hf_status_markdown(const hf_config *cfg, const hf_vec *statuses)
{
    hf_buf b = HF_BUF_INIT, flags = HF_BUF_INIT;
    hf_buf_printf(&b,
                  "# handoff status: %s\n\nBranch `%s`.\n\n"
                  "| repo | PR | state | branch | flags | last result |\n"
                  "|---|---|---|---|---|---|\n",
                  cfg->fleet.name ? cfg->fleet.name : "",
                  cfg->fleet.branch ? cfg->fleet.branch : "");
    for (size_t i = 0; i < statuses->len; i++) {
        const hf_repo_status *s = statuses->items[i];
        hf_buf_printf(&b, "| `%s` | ", s->repo->name);
        if (s->pr && s->pr_url)
            hf_buf_printf(&b, "[#%ld](%s)", s->pr, s->pr_url);
        else if (s->pr)
            hf_buf_printf(&b, "#%ld", s->pr);
        hf_buf_printf(&b, " | %s | ", status_pr_state(s));
        if (!s->branch_known)
            hf_buf_puts(&b, "?");
        else if (*s->branch)
            hf_buf_printf(&b, "`%.12s`", s->branch);
        status_flags(&flags, s);
        hf_buf_printf(&b, " | %s | ", flags.len ? flags.ptr : "");
        if (s->last && s->last->result)
            hf_buf_printf(&b, "%s %s", s->last->result, s->last->at ? s->last->at : "");
        if (s->error) {
            hf_buf_puts(&b, " error: ");
            hf_pr_md_cell(&b, s->error);
        }
        hf_buf_puts(&b, " |\n");
    }
    hf_buf_free(&flags);
    return hf_buf_detach(&b);
}
