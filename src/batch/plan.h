/* The plan of a fleet run: for each repo, its base, the changes the recipes
 * made over the overlay (with their links), what the gate blocked, the
 * contract findings before and after, and the commit and patch that would
 * be pushed. hf_plan_run fills it with a worker pool; nothing is pushed and
 * no working copy is written. */
#ifndef HF_BATCH_PLAN_H
#define HF_BATCH_PLAN_H

#include <git2.h>
#include <stdbool.h>

#include "config/model.h"
#include "edit/template.h"
#include "policy/contract.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/vec.h"

/* changes: a patch with every change the recipes make; partial: a patch
 * with the changes that could be made, and a list of what is left (held);
 * no-changes: nothing to do; blocked: nothing could be made and policy
 * refused something (a link unknown, expired, not implemented); failed:
 * nothing could be made and only recipe steps did not fit the repo;
 * error: the repo could not be planned (fetch, git). */
typedef enum {
    HF_PLAN_CHANGES,
    HF_PLAN_PARTIAL,
    HF_PLAN_NO_CHANGES,
    HF_PLAN_BLOCKED,
    HF_PLAN_FAILED,
    HF_PLAN_ERROR
} hf_plan_status;

#define HF_PLAN_STATUSES 6

/* How many of the contract errors left on a planned tree are listed. */
#define HF_PLAN_OPEN_ERRORS 20

const char *hf_plan_status_name(hf_plan_status s);

/* One change of the plan, as plan.json lists it. */
typedef struct hf_plan_change {
    char *op; /* add, modify, delete, move */
    char *path;
    char *to; /* move only */
    char *recipe;
    size_t step;
    char *capability;
    char *exception;
} hf_plan_change;

/* What a plan held back: a whole step, or one item of a step (a job, a
 * file), left as it was for a person. */
typedef struct hf_held {
    char *recipe;
    size_t step;
    char *step_name; /* the step's name, or its op */
    char *at;        /* where the step is written: "recipes/x.recipe.yml:12:5" */
    char *reason;    /* "path:line:col: what" (an item) or what failed (a step) */
    char *unblock;   /* what would unblock it, or NULL */
    bool policy;     /* refused by policy (a link); else the recipe did not fit */
} hf_held;

void hf_held_free(void *held);

typedef struct hf_repo_plan {
    const hf_repo *repo;
    hf_plan_status status;
    char *base_ref; /* "refs/heads/main" */
    char base_commit[GIT_OID_HEXSZ + 1];
    char commit[GIT_OID_HEXSZ + 1]; /* the planned commit ("" without changes) */
    char tree[GIT_OID_HEXSZ + 1];
    hf_vec changes;    /* hf_plan_change * */
    hf_vec held;       /* hf_held *: what is left for a person */
    hf_vec notes;      /* char *: what steps had to say */
    size_t idle_steps; /* steps that found nothing to do */
    hf_vec idle;       /* char *: those steps, named (kept for -v) */
    hf_contract_counts before, after;
    hf_vec open_errors; /* char *: "path:line:col: rule-id": the first contract errors
                           left on the planned tree (at most HF_PLAN_OPEN_ERRORS) */
    size_t files_changed;
    char *patch;      /* mbox text, or NULL */
    char *diff;       /* unified diff for display, or NULL */
    char *diff_color; /* the same with ANSI colour */
    char *message;    /* the commit message */
    char *error;      /* HF_PLAN_ERROR: why */
    size_t links;     /* distinct links, kept when the details are released */
    bool details_released;
} hf_repo_plan;

void hf_repo_plan_free(void *plan);

/* Whether change i is the first of p's changes behind its capability or
 * exception (for listing each link once). */
bool hf_plan_link_first(const hf_repo_plan *p, size_t i);
/* Whether a plan holds something back by policy. */
bool hf_plan_has_policy_hold(const hf_repo_plan *plan);
/* Whether the plan carries a patch (changes or partial). */
bool hf_plan_has_patch(const hf_repo_plan *plan);
/* Frees what only the per-repo output needs (changes, notes, patch, diffs,
 * message), keeping status, counts and what is held for the summary. */
void hf_repo_plan_release_details(hf_repo_plan *plan);

/* Where a fleet repo is fetched from instead of its forge URL. */
typedef struct hf_source {
    const char *name; /* owner/name */
    const char *url;  /* path, file://, http(s):// */
} hf_source;

/* Where repo r is fetched from: its last --source, else its url from
 * fleet.yml, else <forge web>/<owner>/<name>.git (built in scratch). */
const char *hf_repo_source_url(const hf_config *cfg, const hf_vec *sources, const hf_repo *r,
                               hf_buf *scratch);

typedef struct hf_plan_options {
    const hf_config *cfg;
    const hf_contract_engine *engine;
    hf_date today;
    const char *cache_dir;
    const char *templates_dir; /* archive-templates/ */
    const hf_vec *sources;     /* hf_source * */
    const char *token;         /* for http(s) fetches; may be NULL */
    int jobs;
    bool progress_tty; /* live progress display */
    bool quiet;
    /* What the caller will print or write: only that is kept per repo, so
     * memory does not grow with the fleet (the commit is built either way). */
    bool keep_patch;
    bool keep_diff;
    bool keep_color_diff;
    bool strict;  /* a repo with anything held gets no patch */
    bool verbose; /* record idle steps and what steps examined */
    /* Called for each repo in fleet order as soon as it and every repo
     * before it are planned, one call at a time (may be NULL). */
    void (*on_ready)(hf_repo_plan *plan, void *ctx);
    void *ready_ctx;
} hf_plan_options;

/* Plans every repo (const hf_repo *), appending to plans (hf_repo_plan *, in
 * the order of repos; plans already there are left alone). Returns 0;
 * per-repo failures are in each plan's status. */
int hf_plan_run(const hf_plan_options *opts, const hf_vec *repos, hf_vec *plans);

/* The variables every fleet template sees for a repo: {{repo}}, {{owner}},
 * {{name}}, {{family}}, {{context}}, {{contexts}}, {{product}}, {{today}},
 * {{fleet}}, {{branch}} and, when fleet.yml has a `gate`, {{gate-repository}},
 * {{gate-ref}}, {{gate-version}}. */
void hf_plan_repo_vars(hf_vars *v, const hf_config *cfg, const hf_repo *r, hf_date today);

#endif
