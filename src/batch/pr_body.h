/* What handoff writes on a pull request: the title from the fleet's
 * template, and a body that says what changed and why -- one row per change
 * with its capability (routes, doc link) or exception (issue, owner, expiry,
 * delete condition) --, the contract findings before and after, the command
 * that reproduces the plan, and a hidden hash marker that lets a later run
 * see whether the PR already says exactly this. Also the comment left on a
 * PR closed because it is no longer needed. */
#ifndef HF_BATCH_PR_BODY_H
#define HF_BATCH_PR_BODY_H

#include "batch/plan.h"
#include "forge/github.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"

typedef struct hf_pr_context {
    const hf_config *cfg;
    hf_date today;       /* for {{today}} in the fleet's templates */
    const char *command; /* reproduces the plan, without the repo selection
                          * ("handoff -C recipes plan"); the repo is added */
} hf_pr_context;

/* The title and the body (marker included) of plan's PR, and the hash in the
 * marker. Owned; hf_pr_text_free. */
typedef struct hf_pr_text {
    char *title;
    char *body;
    char hash[HF_GH_HASH_HEX + 1];
} hf_pr_text;

void hf_pr_text_free(hf_pr_text *t);

/* Renders the PR for a plan with changes. A template error (an unknown
 * variable in fleet.yml's pull-request title or body) fails naming it. */
int hf_pr_render(const hf_pr_context *ctx, const hf_repo_plan *plan, hf_pr_text *out,
                 hf_error *err);

/* The comment on a PR closed because the recipes no longer change the repo. */
void hf_pr_close_comment(hf_buf *out, const hf_pr_context *ctx, const hf_repo_plan *plan);

/* Appends s for a Markdown table cell: '|' escaped, line breaks as spaces. */
void hf_pr_md_cell(hf_buf *out, const char *s);

#endif
