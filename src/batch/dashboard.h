/* The dashboard issue of `status --sync-issue`: one GitHub issue whose body
 * holds, between handoff's markers, the fleet's owner matrix with each
 * repo's pull request and open contract findings, and the date. Only the
 * text between the markers is ever rewritten, and only when it changed: a
 * person's text around the block is left byte for byte. */
#ifndef HF_BATCH_DASHBOARD_H
#define HF_BATCH_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "batch/matrix.h"
#include "forge/github.h"
#include "forge/http.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"

/* OWNER/REPO#N */
typedef struct hf_issue_ref {
    char owner[101];
    char repo[101];
    long number;
} hf_issue_ref;

/* Parses "OWNER/REPO#N" (GitHub's names, N >= 1). */
int hf_issue_ref_parse(const char *s, hf_issue_ref *out, hf_error *err);

/* "<!-- handoff:status:begin fleet=NAME -->" and "<!-- handoff:status:end
 * fleet=NAME -->": each fleet has its own pair, so several fleets can share
 * an issue. NAME is the fleet's name with anything but letters, digits and
 * "._-" as '_' (nothing in it can close the comment). */
void hf_dashboard_markers(const char *fleet, hf_buf *begin, hf_buf *end);

/* Where a fleet's block is in a body (byte offsets). */
typedef struct hf_dashboard_block {
    bool found;
    size_t start;     /* the begin marker */
    size_t inner;     /* just after the begin marker */
    size_t inner_end; /* the end marker */
    size_t end;       /* just after the end marker */
} hf_dashboard_block;

/* Finds the fleet's block. 0 when there is one, or none (out->found false);
 * -1 when its markers are malformed (a second begin or end marker, a begin
 * without its end, an end without or before its begin): err says which,
 * and the body must be left alone. */
int hf_dashboard_find(const char *body, const char *fleet, hf_dashboard_block *out, hf_error *err);

/* out = body with the fleet's block holding content: in place of the old
 * block, or appended after a blank line when there is none. Outside the
 * block the bytes are body's. When body uses CRLF line ends (the web editor
 * writes them) the block does too. -1 on malformed markers. */
int hf_dashboard_splice(const char *body, const char *fleet, const char *content, hf_buf *out,
                        hf_error *err);

/* Whether the block b of body already says content, ignoring line-end style
 * and the date line: a run that would change nothing but the date leaves
 * the issue alone. */
bool hf_dashboard_same(const char *body, const hf_dashboard_block *b, const char *content);

/* The block's content: heading, the date line (HF_DASHBOARD_DATE_PREFIX),
 * pull requests by state, open findings by category, the repos that could
 * not be checked, and the owner matrix with its live columns. rows: one per
 * repo, as hf_matrix_gather_live filled them. */
void hf_dashboard_render(hf_buf *out, const hf_config *cfg, const hf_vec *repos,
                         const hf_matrix_live *rows, hf_date today);

#define HF_DASHBOARD_DATE_PREFIX "_Updated "

/* GitHub refuses an issue body longer than this (characters). */
#define HF_DASHBOARD_MAX_BODY 65536

typedef enum {
    HF_DASHBOARD_UNCHANGED, /* the block already said it: no PATCH */
    HF_DASHBOARD_UPDATED,   /* the block was rewritten */
    HF_DASHBOARD_ADDED      /* the issue had no block: appended */
} hf_dashboard_result;

const char *hf_dashboard_result_name(hf_dashboard_result r);

/* Reads the issue and checks its markers, changing nothing: done before the
 * fleet is gathered, so a wrong issue, a missing permission or malformed
 * markers fail in seconds rather than after every repo was fetched. */
int hf_dashboard_check(hf_http *h, const hf_issue_ref *issue, const char *fleet, hf_error *err);

/* GETs the issue (a conditional GET: 304 when nobody touched it since the
 * check), splices content in and PATCHes the body when the block differs.
 * The GET and the PATCH are not atomic on GitHub (issues take no If-Match):
 * a person's edit in the moment between them would be lost; reading right
 * before writing keeps that moment to one round trip. */
int hf_dashboard_sync(hf_http *h, const hf_issue_ref *issue, const char *fleet, const char *content,
                      hf_dashboard_result *result, hf_error *err);

#endif
