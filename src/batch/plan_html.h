/* The review page of a fleet plan (plan --format html, --out DIR/index.html):
 * one self-contained HTML file with the run's header, the owner matrix, the
 * fleet table and, per repo, its diffs side by side with each hunk labelled
 * by the recipe steps and links that made it. Repo sections are rendered as
 * each plan finishes and kept in a temporary file, so memory does not grow
 * with the fleet; the page is assembled at the end. */
#ifndef HF_BATCH_PLAN_HTML_H
#define HF_BATCH_PLAN_HTML_H

#include <stdio.h>

#include "batch/plan.h"
#include "batch/plan_report.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct hf_plan_page hf_plan_page;

/* cfg and meta must outlive the page. */
int hf_plan_page_new(hf_plan_page **page, const hf_config *cfg, const hf_plan_meta *meta,
                     hf_error *err);
/* Renders plan's section; call for every repo in fleet order, before its
 * details (changes, diff) are released. */
int hf_plan_page_add(hf_plan_page *page, const hf_repo_plan *plan, hf_error *err);
/* Writes the whole page to out: header, matrix and fleet table of plans
 * (their details may be released by now), the links, then every section
 * added. May be called more than once (stdout and --out). */
int hf_plan_page_write(hf_plan_page *page, FILE *out, const hf_vec *plans, hf_error *err);
void hf_plan_page_free(hf_plan_page *page);

/* One repo's section as hf_plan_page_add renders it; index is its place in
 * the fleet (from 1), which names its anchor ("repo-3"). */
void hf_plan_html_repo(hf_buf *out, const hf_config *cfg, const hf_repo_plan *plan, size_t index);

#endif
