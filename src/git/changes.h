/* What turns one tree into another, file by file, with the new contents in
 * full: the shape in which an API that commits whole files (GitHub's
 * createCommitOnBranch) has to be told about a change. No rename detection:
 * a move is a deletion and an addition. */
#ifndef HF_GIT_CHANGES_H
#define HF_GIT_CHANGES_H

#include <git2.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

typedef struct hf_blob_change {
    char *path;        /* repository-relative, '/'-separated */
    unsigned old_mode; /* git file mode before (0: the path was absent) */
    unsigned new_mode; /* after (0: deleted) */
    hf_buf contents;   /* the new blob's bytes (a link's target for 120000);
                        * empty for deletions and submodules */
} hf_blob_change;

void hf_blob_change_free(void *change);

/* Appends one hf_blob_change * per path that differs between the trees
 * from and to of repo, in path order. A mode change alone is a change. The
 * new contents read come to max_bytes at most, else an error. */
int hf_tree_blob_changes(git_repository *repo, const git_oid *from, const git_oid *to,
                         size_t max_bytes, hf_vec *out, hf_error *err);

#endif
