/* The cache of bare mirrors, one per fleet repo (<cache>/<owner>__<name>.git,
 * never checked out): created on first use, fetched from the repo's source
 * afterwards, and the base the recipes start from resolved in it. */
#ifndef HF_GIT_CACHE_H
#define HF_GIT_CACHE_H

#include <git2.h>

#include "git/remote.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct hf_mirror_options {
    const char *cache_dir;
    hf_remote_spec remote; /* remote.repo ("owner/name") also names the mirror */
    const char *branch;    /* the base branch; NULL: the remote's default */
} hf_mirror_options;

/* Where the recipes start from. Owns its strings: hf_base_free. */
typedef struct hf_base {
    char *branch;         /* "main" */
    char *ref;            /* "refs/heads/main" */
    char *default_branch; /* the remote's default branch; NULL when unknown */
    git_oid commit;
    git_oid tree;
} hf_base;

void hf_base_free(hf_base *base);

/* "<cache_dir>/<owner>__<name>.git"; refuses names that are not exactly
 * "owner/name" with each part made of [A-Za-z0-9._-] and not "." or "..". */
int hf_mirror_path(hf_buf *out, const char *cache_dir, const char *repo, hf_error *err);

/* Opens the mirror of repo, creating the cache dir and an empty bare
 * repository when missing. The handle belongs to the calling thread;
 * git_repository_free it. */
int hf_mirror_open(git_repository **out, const char *cache_dir, const char *repo, hf_error *err);

/* Fetches every branch of the remote into the mirror's refs/heads/ (forced,
 * pruning branches the remote no longer has; no tags) and records the
 * remote's default branch as the mirror's HEAD. default_branch (may be NULL)
 * receives that branch (caller frees), NULL when the remote does not say. */
int hf_mirror_fetch(git_repository *mirror, const hf_remote_spec *remote, char **default_branch,
                    hf_error *err);

/* Resolves branch (NULL: the default recorded by the last fetch) in the
 * mirror to its commit and tree. repo names the repo in errors. */
int hf_mirror_base(hf_base *out, git_repository *mirror, const char *repo, const char *branch,
                   hf_error *err);

/* The commit refs/heads/<branch> points to in the mirror (as of the last
 * fetch); zero when the branch is absent. */
int hf_mirror_branch_tip(git_repository *mirror, const char *branch, git_oid *out, hf_error *err);

/* Open (or create), fetch and resolve in one call: what plan does per repo.
 * On success *out is the mirror and base is filled (hf_base_free it). */
int hf_mirror_sync(git_repository **out, hf_base *base, const hf_mirror_options *opts,
                   hf_error *err);

#endif
