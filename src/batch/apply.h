/* Converging a fleet on its plan: for each planned repo, push handoff's
 * commit to the batch branch under a lease and open, update or close its
 * pull request, so that every later run finds it true and does nothing.
 * Never duplicates a PR, never pushes over commits handoff did not make,
 * never pushes to a default or base branch. The state journal is updated
 * and written after every repo. */
#ifndef HF_BATCH_APPLY_H
#define HF_BATCH_APPLY_H

#include <git2.h>
#include <stdbool.h>

#include "batch/plan.h"
#include "batch/pr_body.h"
#include "batch/state.h"
#include "forge/auth.h"
#include "forge/github.h"
#include "forge/governor.h"

/* ---- the decisions, kept pure for the tests ------------------------------ */

/* What the remote batch branch is, compared with what handoff wants there. */
typedef enum {
    HF_LEASE_ABSENT,  /* no branch */
    HF_LEASE_CURRENT, /* one commit on the current base with the planned tree */
    HF_LEASE_OURS,    /* handoff's commits only (the recorded lease, or every
                       * commit since the base carries Handoff-Fleet): may be
                       * force-pushed over or deleted */
    HF_LEASE_HUMAN    /* someone else committed: hands off */
} hf_lease;

const char *hf_lease_name(hf_lease l);

/* Classifies the branch tip (zero: absent) against base and the planned tree
 * (NULL: no change wanted). recorded (may be NULL or zero) is the commit the
 * state journal says handoff pushed last. */
int hf_lease_decide(git_repository *repo, const git_oid *tip, const git_oid *base,
                    const git_oid *tree, const git_oid *recorded, const char *fleet, hf_lease *out,
                    hf_error *err);

typedef enum {
    HF_PR_NOTHING,      /* nothing to do on the forge */
    HF_PR_CREATE,       /* open a new PR */
    HF_PR_CONVERGE,     /* the open PR: title/body, labels, reviewers */
    HF_PR_REOPEN,       /* reopen the PR a person closed (--reopen), then converge */
    HF_PR_LEAVE_CLOSED, /* a person closed it: report `closed`, push nothing */
    HF_PR_CLOSE,        /* handoff's PR is no longer needed: comment and close */
    HF_PR_FOREIGN       /* an open PR handoff did not write, no change needed: leave it */
} hf_pr_action;

const char *hf_pr_action_name(hf_pr_action a);

/* changes: the plan wants a change. pr: the PR found by head branch (NULL:
 * none). closed_by_handoff: the PR number the journal says handoff closed
 * itself (0: none); such a PR is replaced by a new one rather than
 * reopened, since its branch was deleted. */
hf_pr_action hf_pr_decide(bool changes, const hf_gh_pr *pr, long closed_by_handoff, bool reopen);

/* "open", "draft", "closed", "merged" ("none" for NULL). */
const char *hf_pr_state_name(const hf_gh_pr *pr);

/* ---- a run --------------------------------------------------------------- */

typedef enum {
    HF_APPLY_ERROR,          /* a runtime failure (exit 1) */
    HF_APPLY_BLOCKED,        /* the plan was blocked by policy (exit 3) */
    HF_APPLY_FAILED,         /* the recipes' steps do not fit the repo (exit 3) */
    HF_APPLY_HUMAN_MODIFIED, /* someone else committed to the batch branch */
    HF_APPLY_CREATED,        /* a PR was opened */
    HF_APPLY_UPDATED,        /* pushed, and/or the PR was changed */
    HF_APPLY_UNCHANGED,      /* converged already: nothing sent */
    HF_APPLY_PUSHED,         /* pushed; no PR wanted (--no-pr) */
    HF_APPLY_PENDING,        /* pushed; the PR waits for a later run (--max-prs) */
    HF_APPLY_CLOSED,         /* a person closed the PR; left closed */
    HF_APPLY_REOPENED,       /* --reopen reopened it */
    HF_APPLY_OBSOLETE,       /* no longer needed: PR closed, branch deleted */
    HF_APPLY_NO_CHANGES,     /* nothing needed and nothing open */
    HF_APPLY_SKIPPED         /* --resume: done already on this base */
} hf_apply_result;

const char *hf_apply_result_name(hf_apply_result r);

typedef struct hf_repo_apply {
    const hf_repo_plan *plan;
    hf_apply_result result;
    bool pushed;                  /* this run changed the remote branch */
    char head[GIT_OID_HEXSZ + 1]; /* the branch tip handoff left ("" absent) */
    long pr;                      /* 0: none */
    char *pr_url;
    char *pr_state; /* none, open, draft, closed, merged */
    hf_vec actions; /* char *: what was done, in order */
    char *message;  /* why (errors, human-modified, closed, ...); may be NULL */
} hf_repo_apply;

void hf_repo_apply_free(void *a);

typedef struct hf_apply_options {
    const hf_config *cfg;
    const hf_vec *sources; /* hf_source * */
    const char *token;     /* for the API and http(s) pushes; may be NULL with no_pr */
    hf_auth *auth;         /* instead of token (a GitHub App): asked per repository */
    hf_governor *governor; /* shared with auth's own requests; NULL: one of the run */
    const char *forge_api; /* the REST base URL */
    const char *cache_dir; /* mirrors, and the ETag cache under etags/ */
    const char *state_path;
    hf_state *state; /* the loaded journal; updated and saved after every repo */
    hf_pr_context pr;
    bool no_pr;
    bool commit_via_api; /* GitHub makes (and signs) the commit: createCommitOnBranch */
    bool resume;
    bool reopen;
    long max_prs; /* PRs created at most in this run; < 0: no cap */
    int jobs;
    bool quiet;
} hf_apply_options;

/* hf_plan_run for a GitHub App: the repos of each owner are planned with
 * that owner's installation token, the plans put back in the order of
 * repos. An owner whose token cannot be had gets an error plan per repo.
 * With a fixed token (or none) this is hf_plan_run. popts->token is
 * changed. */
void hf_plan_with_auth(hf_plan_options *popts, hf_auth *auth, const hf_vec *repos, hf_vec *plans);

/* Applies every plan (hf_repo_plan *, as hf_plan_run made them) and appends
 * one hf_repo_apply * per plan to results, in the same order. Returns 0, or
 * -1 when the run could not start (err set; nothing touched). Per-repo
 * failures are in each result. */
int hf_apply_run(const hf_apply_options *opts, const hf_vec *plans, hf_vec *results, hf_error *err);

/* The results as text (one line per repo and a count), JSON or Markdown. */
void hf_apply_write_text(FILE *out, const hf_vec *results);
char *hf_apply_json(const hf_config *cfg, const hf_vec *results);
char *hf_apply_markdown(const hf_config *cfg, const hf_vec *results);

/* ---- status -------------------------------------------------------------- */

/* Where a repo stands: its PR (from the forge, or from the journal when
 * offline), its batch branch (from a fetch) and the last apply result. */
typedef struct hf_repo_status {
    const hf_repo *repo;
    long pr;                        /* 0: none */
    char *pr_url;                   /* may be NULL */
    char *pr_state;                 /* none, open, draft, closed, merged; NULL: unknown */
    bool pr_live;                   /* asked of the forge now (else the journal's word) */
    bool branch_known;              /* the repo was fetched */
    char branch[GIT_OID_HEXSZ + 1]; /* the batch branch tip, "" absent */
    char base[GIT_OID_HEXSZ + 1];   /* the base head, "" unknown */
    bool behind_base;               /* the branch does not contain the current base */
    bool human_modified;            /* someone else committed to the branch */
    const hf_state_entry *last;     /* the journal's entry, or NULL */
    char *error;                    /* fetching or asking failed */
} hf_repo_status;

void hf_repo_status_free(void *s);

typedef struct hf_status_options {
    const hf_config *cfg;
    const hf_vec *sources;
    const char *token;
    hf_auth *auth; /* instead of token (a GitHub App) */
    const char *forge_api;
    const char *cache_dir;
    const hf_state *state;
    bool offline;  /* the journal only: no fetch, no API request */
    bool no_forge; /* fetch, but take PRs from the journal (no token) */
    int jobs;      /* repos asked about in parallel (< 1: one) */
} hf_status_options;

/* One hf_repo_status * per repo (const hf_repo *) into out, in the order of
 * repos, by opts->jobs workers each with its own forge client. Returns 0,
 * or -1 when a forge client could not be made. */
int hf_status_run(const hf_status_options *opts, const hf_vec *repos, hf_vec *out, hf_error *err);

void hf_status_write_text(FILE *out, const hf_vec *statuses);
char *hf_status_json(const hf_config *cfg, const hf_vec *statuses);
char *hf_status_markdown(const hf_config *cfg, const hf_vec *statuses);

#endif
