/* Reports of contract scans: text for people, JSON for tools (the shape of
 * DESIGN.md), SARIF 2.1.0 for GitHub code scanning. */
#ifndef HF_BATCH_CHECK_REPORT_H
#define HF_BATCH_CHECK_REPORT_H

#include <stdio.h>

#include "batch/scan.h"

typedef enum { HF_CHECK_TEXT, HF_CHECK_JSON, HF_CHECK_SARIF } hf_check_format;

/* reports: hf_scan_report *. In text, a directory's findings read
 * "<dir>/<path>:line:col" so they name a file on disk, a fleet repo's
 * "<owner>/<name>: <path>:line:col". */
void hf_check_report_write(FILE *out, const hf_vec *reports, hf_check_format fmt, int color);

#endif
