/* The state journal of apply: per fleet and batch branch, what handoff last
 * did to each repo (the base it worked on, the commit it pushed last -- the
 * lease --, its pull request and the last result). Written whole and
 * atomically (temp file + rename) after every repo, so a run killed at any
 * point leaves the previous or the next complete journal, and `--resume`
 * can pick up from it. It never holds a credential. */
#ifndef HF_BATCH_STATE_H
#define HF_BATCH_STATE_H

#include <git2.h>
#include <stdbool.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

#define HF_STATE_VERSION 1

typedef struct hf_state_entry {
    char *repo;                     /* "owner/name" */
    char base[GIT_OID_HEXSZ + 1];   /* base commit of the last run ("" unknown) */
    char tree[GIT_OID_HEXSZ + 1];   /* the planned tree ("" without changes) */
    char pushed[GIT_OID_HEXSZ + 1]; /* the lease: the commit handoff pushed last */
    long pr;                        /* the PR handoff works with, 0 none */
    char *pr_url;                   /* NULL when unknown */
    char *pr_state;                 /* none, open, draft, closed, merged (NULL unknown) */
    long closed_pr;                 /* a PR handoff itself closed as no longer needed */
    long held;                      /* steps the last run held back (a partial plan) */
    char *result;                   /* the last apply result ("created", ...) */
    char *message;                  /* what went wrong or what was done; may be NULL */
    char *at;                       /* when: "YYYY-MM-DDTHH:MM:SSZ" */
} hf_state_entry;

typedef struct hf_state {
    char *fleet;
    char *branch;
    hf_vec entries; /* hf_state_entry *, kept sorted by repo */
} hf_state;

#define HF_STATE_INIT                                                                              \
    {                                                                                              \
        NULL, NULL, HF_VEC_INIT                                                                    \
    }

/* "<cache_dir>/state/<fleet>__<branch>.json", unsafe characters of the
 * names replaced by '_'. The caller frees. */
char *hf_state_default_path(const char *cache_dir, const char *fleet, const char *branch);

/* Parses the JSON text of a journal into an empty st. */
int hf_state_parse(hf_state *st, const char *text, size_t len, hf_error *err);
/* Loads path into an empty st; a missing file gives an empty journal for
 * fleet and branch. A journal of another fleet or branch is an error. */
int hf_state_load(hf_state *st, const char *path, const char *fleet, const char *branch,
                  hf_error *err);
/* The journal as JSON text (malloc'd). */
char *hf_state_json(const hf_state *st);
/* Writes the journal to path atomically, creating its directory. */
int hf_state_save(const hf_state *st, const char *path, hf_error *err);
void hf_state_free(hf_state *st);

/* Whether the last run left repo's work unfinished: an error, blocked by
 * policy, failed steps, or steps held back from its pull request. What
 * `apply --only failed` runs again. */
bool hf_state_unfinished(const hf_state_entry *e);

/* The entry of repo, or NULL. */
hf_state_entry *hf_state_get(const hf_state *st, const char *repo);
/* The entry of repo, created empty when missing. */
hf_state_entry *hf_state_put(hf_state *st, const char *repo);

/* Replaces a string field of an entry (value may be NULL). */
void hf_state_set(char **field, const char *value);
/* The current time as "YYYY-MM-DDTHH:MM:SSZ" (out: at least 21 bytes). */
void hf_state_now(char out[21]);

#endif
