/* Renderings of a plan: the text a person reads (per repo a header and the
 * diff, then a summary table), plan.json, the Markdown summary a reviewer
 * pastes into an issue, and the --out directory (patches, plan.json,
 * summary.md, each written atomically). */
#ifndef HF_BATCH_PLAN_REPORT_H
#define HF_BATCH_PLAN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "batch/plan.h"

typedef struct hf_plan_meta {
    const char *fleet;
    const char *branch;
    hf_date today;
    const char *command; /* how to reproduce the plan */
} hf_plan_meta;

void hf_plan_write_text(FILE *out, const hf_plan_meta *meta, const hf_vec *plans, int color);
/* The same in pieces, for output streamed as repos finish: one repo's
 * header, notes and diff; then the summary table of all. */
/* One repo: its status, what is held back, notes, and its diff, or with
 * stat one line per step and link that names the files instead. */
void hf_plan_write_text_repo(FILE *out, const hf_repo_plan *plan, int color, bool stat);
void hf_plan_write_text_table(FILE *out, const hf_vec *plans);

/* Returns malloc'd JSON text (plan.json). */
char *hf_plan_json(const hf_plan_meta *meta, const hf_vec *plans);
/* The same in pieces: begin, one repo at a time (first: no separator), end.
 * The caller frees what begin and repo return. */
char *hf_plan_json_begin(const hf_plan_meta *meta);
char *hf_plan_json_repo(const hf_repo_plan *plan, bool first);
const char *hf_plan_json_end(void);
/* Returns malloc'd Markdown. */
char *hf_plan_markdown(const hf_plan_meta *meta, const hf_vec *plans);
/* "<owner>__<name>.patch" */
char *hf_plan_patch_name(const char *repo);
/* Writes DIR/<owner>__<name>.patch for each plan with a patch, DIR/plan.json
 * and DIR/summary.md. */
int hf_plan_write_out(const char *dir, const hf_plan_meta *meta, const hf_vec *plans,
                      hf_error *err);
/* One repo's patch (nothing without one), and summary.md alone. */
int hf_plan_write_patch(const char *dir, const hf_repo_plan *plan, hf_error *err);
int hf_plan_write_summary(const char *dir, const hf_plan_meta *meta, const hf_vec *plans,
                          hf_error *err);

#endif
