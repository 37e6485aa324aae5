/* Contract scans of whole sources: a directory on disk or a git tree. Files
 * are listed first, then scanned by a pool of threads (-j) that share one
 * compiled engine; findings come back sorted by path, line and column. */
#ifndef HF_BATCH_SCAN_H
#define HF_BATCH_SCAN_H

#include <git2.h>
#include <stdbool.h>

#include "policy/contract.h"
#include "util/diag.h"

typedef struct hf_scan_report {
    char *repo;            /* owner/name or the directory as given */
    char *family;
    bool on_disk;          /* a directory: text output names <dir>/<path> */
    size_t files_scanned;
    size_t files_skipped;  /* binary, oversized, quarantined or symlinks */
    hf_vec findings;       /* hf_finding * */
    hf_vec problems;       /* char *: what could not be scanned, and why */
} hf_scan_report;

void hf_scan_report_free(hf_scan_report *r);

/* Scans a directory on disk (symlinks are never followed; .git and the
 * configured directories are skipped). */
int hf_scan_dir(const hf_contract_engine *e, const hf_scan_target *t, const char *root,
                int jobs, hf_scan_report *out, hf_error *err);

/* Scans a git tree (blobs read through the repository's object database; the
 * repository is opened once per worker from its path). */
int hf_scan_tree(const hf_contract_engine *e, const hf_scan_target *t, const char *repo_path,
                 const git_oid *tree_id, int jobs, hf_scan_report *out, hf_error *err);

/* Fetches a fleet repo into the mirror cache (from its --source, url or
 * forge URL) and scans its base tree into rep (rep->family must be set).
 * On failure the reason is added to rep->problems and -1 returned. */
int hf_scan_fleet_repo(const hf_config *cfg, const hf_contract_engine *e, const hf_repo *repo,
                       const hf_vec *sources, const char *cache_dir, const char *token,
                       hf_date today, int jobs, hf_scan_report *rep);

#endif
