/* A commit made by GitHub rather than pushed: GraphQL createCommitOnBranch,
 * which GitHub signs (it shows as "Verified", and passes "require signed
 * commits"), put on a branch under a lease.
 *
 * What createCommitOnBranch can say (GitHub's FileChanges input): additions
 * are a path and the whole new contents in base64, which may be any bytes,
 * text or binary; deletions are a path that must exist. A rename is a
 * deletion and an addition. Every file it writes is a regular,
 * non-executable file (mode 100644); it has no field for a mode. So it
 * cannot create or change an executable file (100755), a symbolic link
 * (120000) or a submodule (160000), change a mode alone, or delete a
 * submodule; hf_gh_commit_check refuses those, naming the file.
 *
 * The commit appends to a branch's head, and the batch branch must instead
 * get a commit on the base, replacing handoff's older one. So the commit is
 * made on a scratch branch started at the base, compared with the planned
 * tree, and only then moved onto the batch branch by updateRefs with the
 * expected old tip as beforeOid: GitHub refuses the move when anyone moved
 * the branch meanwhile (the lease), and deletes the scratch branch in the
 * same atomic update. The batch branch is never left pointing at the base. */
#ifndef HF_FORGE_GH_COMMIT_H
#define HF_FORGE_GH_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "forge/http.h"
#include "util/buf.h"
#include "util/error.h"

/* One file of the change. */
typedef struct hf_gh_file {
    const char *path;
    unsigned old_mode; /* git file mode before; 0: absent */
    unsigned new_mode; /* after; 0: deleted */
    const char *data;  /* the new contents */
    size_t len;
} hf_gh_file;

/* Refuses, naming the first such file, a change createCommitOnBranch cannot
 * express (see above). */
int hf_gh_commit_check(const hf_gh_file *files, size_t n, hf_error *err);

typedef struct hf_gh_commit_spec {
    const char *branch;   /* the batch branch (short name) */
    const char *base;     /* the commit to build on (40 hex) */
    const char *expected; /* the branch's tip now (40 hex), "" or NULL: absent */
    const char *message;  /* the whole commit message: headline, blank line, body */
    const char *tree;     /* the tree the commit must have (40 hex) */
    const hf_gh_file *files;
    size_t n;
} hf_gh_commit_spec;

/* Returned when the branch is no longer at spec->expected: nothing moved. */
#define HF_GH_ELEASE (-2)

/* "handoff-scratch/<branch>": where the commit is made before it moves. */
void hf_gh_scratch_branch(hf_buf *out, const char *branch);

/* Makes the commit through the API and points the branch at it (creating
 * the branch when expected is absent). out receives the new commit's id
 * (41 bytes). Returns 0, HF_GH_ELEASE, or -1 (GitHub's commit not having
 * the planned tree is an error, and the branch is left alone). On every
 * failure the scratch branch is deleted again. */
int hf_gh_commit_on_branch(hf_http *h, const char *owner, const char *repo,
                           const hf_gh_commit_spec *spec, char out[41], hf_error *err);

#endif
