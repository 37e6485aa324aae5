/* Renderings of a plan: the text a person reads (per repo a header and the
 * diff, then a summary table), plan.json, the Markdown summary a reviewer
 * pastes into an issue, and the --out directory (patches, plan.json,
 * summary.md, each written atomically). */
#ifndef HF_BATCH_PLAN_REPORT_H
#define HF_BATCH_PLAN_REPORT_H

#include <stdio.h>

#include "batch/plan.h"

typedef struct hf_plan_meta {
    const char *fleet;
    const char *branch;
    hf_date today;
    const char *command; /* how to reproduce the plan */
} hf_plan_meta;

void hf_plan_write_text(FILE *out, const hf_plan_meta *meta, const hf_vec *plans, int color);
/* Returns malloc'd JSON text (plan.json). */
char *hf_plan_json(const hf_plan_meta *meta, const hf_vec *plans);
/* Returns malloc'd Markdown. */
char *hf_plan_markdown(const hf_plan_meta *meta, const hf_vec *plans);
/* "<owner>__<name>.patch" */
char *hf_plan_patch_name(const char *repo);
/* Writes DIR/<owner>__<name>.patch for each plan with a patch, DIR/plan.json
 * and DIR/summary.md. */
int hf_plan_write_out(const char *dir, const hf_plan_meta *meta, const hf_vec *plans,
                      hf_error *err);

#endif
