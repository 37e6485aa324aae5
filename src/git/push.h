/* Pushing handoff's commit to the batch branch of a remote, with a lease:
 * the branch is only overwritten while its tip is still the commit handoff
 * expects there, and never when it is a default or protected branch. */
#ifndef HF_GIT_PUSH_H
#define HF_GIT_PUSH_H

#include <git2.h>
#include <stdbool.h>

#include "git/remote.h"
#include "util/error.h"

/* Returned when the remote branch tip is not the expected one: someone else
 * pushed (or deleted the branch). Nothing was pushed. */
#define HF_GIT_ELEASE (-2)

typedef struct hf_push_options {
    hf_remote_spec remote;
    const char *branch;         /* the batch branch (short name) */
    const char *default_branch; /* the remote's default branch, as the mirror
                                 * learnt it; NULL: asked from the remote */
    const char *base_branch;    /* the base the commit was made on; refused too
                                 * (may be NULL) */
} hf_push_options;

typedef struct hf_push_result {
    git_oid remote_tip; /* the branch tip the remote had (zero: absent) */
    bool pushed;        /* false when the remote already was as asked */
} hf_push_result;

/* Sets refs/heads/<branch> on the remote to commit (which must be in repo)
 * when its tip equals expected (zero: the branch must be absent), forcing
 * over handoff's previous commit. The tip is read from the very connection
 * that pushes, so over smart HTTP the server itself refuses the update when
 * the branch moved in between; the local transport has no such guard.
 * The branch may not be main, master, the default or the base branch.
 * Returns HF_GIT_ELEASE ("remote changed") when the tip differs, -1 on any
 * other failure, including a push the server rejected. */
int hf_push_lease(git_repository *repo, const hf_push_options *opts, const git_oid *commit,
                  const git_oid *expected, hf_push_result *result, hf_error *err);

/* The branch rules alone, for a branch moved by other means (the forge's
 * API): a valid name that is not main, master, opts->default_branch or
 * opts->base_branch. */
int hf_push_check_branch(const hf_push_options *opts, hf_error *err);

/* Deletes refs/heads/<branch> on the remote under the same lease and branch
 * rules. A branch already absent is success with nothing pushed. */
int hf_push_delete(git_repository *repo, const hf_push_options *opts, const git_oid *expected,
                   hf_push_result *result, hf_error *err);

#endif
