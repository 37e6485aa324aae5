/* The owner matrix of a fleet: every repo with its operational surfaces,
 * who owns each (launchplane, repo, transitional, retired) and the
 * capability or exception behind it; with live rows also its open contract
 * findings by category and the state of its pull request. Rendered as
 * Markdown (matrix, the dashboard issue) or JSON. */
#ifndef HF_BATCH_MATRIX_H
#define HF_BATCH_MATRIX_H

#include <stdio.h>

#include "batch/apply.h"
#include "batch/scan.h"
#include "batch/state.h"
#include "config/model.h"
#include "util/buf.h"

/* What --live adds to one repo's row. */
typedef struct hf_matrix_live {
    hf_scan_report scan;
    const hf_repo_status *status;
} hf_matrix_live;

typedef struct hf_matrix_live_options {
    const hf_config *cfg;
    const hf_vec *sources; /* --source NAME=LOC */
    const char *token;     /* NULL: no forge (PRs from the journal) */
    hf_auth *auth;         /* a GitHub App instead of a token */
    const char *forge_api; /* NULL: fleet.yml's */
    const char *cache_dir;
    const char *state_path; /* NULL: the journal in the cache */
    hf_date today;
    int jobs;
} hf_matrix_live_options;

/* Fills rows[i] (one per repo, zeroed by the caller) and statuses. Returns
 * 0, 1 when a repo could not be fetched or asked about (logged), or -1 when
 * nothing could start (err). */
int hf_matrix_gather_live(const hf_matrix_live_options *o, const hf_vec *repos,
                          hf_matrix_live *rows, hf_vec *statuses, hf_state *state, hf_error *err);

/* "dokploy-mutation: 3, oidc-client: 1": open findings by category. */
void hf_matrix_findings_by_category(const hf_scan_report *scan, hf_buf *out);

/* live: NULL, or one row per repo. */
void hf_matrix_write_markdown(FILE *out, const hf_config *cfg, const hf_vec *repos,
                              const hf_matrix_live *live);
/* The table alone, without the heading (the dashboard issue has its own). */
void hf_matrix_write_table(FILE *out, const hf_config *cfg, const hf_vec *repos,
                           const hf_matrix_live *live);
void hf_matrix_write_json(FILE *out, const hf_config *cfg, const hf_vec *repos,
                          const hf_matrix_live *live);

#endif
