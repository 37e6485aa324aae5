/* The contract rule engine: compiled PCRE2 rules (JIT) from contract.yml,
 * applied to one file at a time. It decides which files are scanned, finds
 * rule matches line by line (or over the whole file for multi-line rules),
 * and settles each finding against exceptions and inline allow comments.
 * Sources (directories, git trees, overlays) live in the layers above; they
 * hand the engine a path, the bytes and the blob id. Thread-safe: one engine
 * is shared by every worker, each scan allocates its own match data. */
#ifndef HF_POLICY_CONTRACT_H
#define HF_POLICY_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/model.h"
#include "util/error.h"
#include "util/vec.h"

typedef struct hf_contract_engine hf_contract_engine;

typedef enum {
    HF_FINDING_OPEN,     /* counts against the repo */
    HF_FINDING_EXCEPTED, /* covered by a valid exception */
} hf_finding_state;

typedef struct hf_finding {
    const hf_rule *rule;
    hf_severity severity;
    char *path;
    int line;   /* 1-based */
    int column; /* 1-based, in characters */
    char *excerpt; /* the line, trimmed and shortened */
    char *message; /* the rule's message, plus why an exception did not apply */
    hf_finding_state state;
    const hf_exception *exception; /* the covering exception, or the expired one */
} hf_finding;

void hf_finding_free(void *finding);

/* What is being scanned: the repo (owner/name, or a directory name for paths
 * outside the fleet), its family (rules are scoped by family) and the date
 * exceptions are judged against. */
typedef struct hf_quarantine hf_quarantine;

typedef struct hf_scan_target {
    const char *repo;
    const char *family;
    hf_date today;
    const hf_quarantine *quarantine; /* may be NULL */
} hf_scan_target;

/* An archive set's manifest: files moved under archive/<set>/ with the blob
 * id they had. Only files listed with a matching blob id are quarantined
 * (skipped); anything else under archive/ is scanned like any file. */
struct hf_quarantine {
    hf_vec paths; /* char *: new path under archive/ */
    hf_vec blobs; /* char *: 40-hex blob id, parallel to paths */
};

int hf_contract_compile(hf_contract_engine **out, const hf_config *cfg, hf_error *err);
void hf_contract_free(hf_contract_engine *e);

/* Whether a path is scanned at all: extensions, dotfiles, skipped
 * directories. (Files under allowed paths are never reported.) */
bool hf_contract_wants_path(const hf_contract_engine *e, const char *path);
/* Whether a directory (repo-relative) is skipped entirely. */
bool hf_contract_skips_dir(const hf_contract_engine *e, const char *dir_basename);
size_t hf_contract_max_bytes(const hf_contract_engine *e);

/* Reads ARCHIVED.md text into q (adds to what is there). Rows of the manifest
 * table are `| original | new | blob |` with backquoted cells. */
void hf_quarantine_add_manifest(hf_quarantine *q, const char *text, size_t len);
/* True when path is listed with this blob id. */
bool hf_quarantine_holds(const hf_quarantine *q, const char *path, const char *blob_hex);
void hf_quarantine_free(hf_quarantine *q);

typedef enum {
    HF_SCAN_DONE,
    HF_SCAN_SKIPPED_BINARY,
    HF_SCAN_SKIPPED_SIZE,
    HF_SCAN_QUARANTINED
} hf_scan_result;

/* Scans one file whose blob id is blob_hex (40 hex digits; needed only for
 * files under archive/). Binary content (a NUL in the first 8000 bytes), an
 * oversized file and a quarantined file are skipped, as *result says. Findings are appended to out (hf_finding *,
 * owned by the caller: free with hf_finding_free). Errors only for limits
 * hit (a pattern too expensive for this input) — the message names rule and
 * path. */
int hf_contract_scan(const hf_contract_engine *e, const hf_scan_target *t, const char *path,
                     const char *blob_hex, const char *data, size_t len, hf_vec *out,
                     hf_scan_result *result, hf_error *err);

/* Counts of open errors, open warnings and excepted findings. */
typedef struct hf_contract_counts {
    size_t error, warning, excepted;
} hf_contract_counts;

void hf_contract_count(const hf_vec *findings, hf_contract_counts *c);

#endif
