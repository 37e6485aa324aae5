/* What a reviewer and `git am` read: the mbox patch of handoff's commit, a
 * unified diff of base tree -> new tree for display (ANSI colour optional),
 * and the list of changed files. All three detect renames the same way. */
#ifndef HF_GIT_PATCH_H
#define HF_GIT_PATCH_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

/* The commit (one parent, or a root commit) as one mbox message, as `git
 * format-patch` would write it: `git am` on a clone of the parent produces
 * exactly the commit's tree. Renames, file modes, symlinks, binary files
 * (full-index binary patches), CRLF endings and missing final newlines all
 * survive: when the patch holds a CR or NUL byte the body is sent
 * quoted-printable, since git am strips CRs from 8-bit mail. */
int hf_patch_mbox(hf_buf *out, git_repository *repo, const git_oid *commit, hf_error *err);

/* A unified diff (git diff style, a/ b/ prefixes, 3 lines of context) of
 * old_tree (NULL: the empty tree) -> new_tree. Binary files are summarised
 * ("Binary files ... differ"); colour adds ANSI escapes like git's. */
int hf_diff_text(hf_buf *out, git_repository *repo, const git_oid *old_tree,
                 const git_oid *new_tree, bool color, hf_error *err);

typedef enum {
    HF_FILE_ADDED,
    HF_FILE_MODIFIED, /* content or mode changed; also a type change */
    HF_FILE_DELETED,
    HF_FILE_RENAMED /* possibly with content or mode changes */
} hf_file_status;

const char *hf_file_status_name(hf_file_status s); /* "add", "modify", "delete", "rename" */

typedef struct hf_file_change {
    hf_file_status status;
    char *path;        /* the path before the change (for an add: the new path) */
    char *to;          /* rename: the new path; else NULL */
    unsigned old_mode; /* git file modes, 0 when absent */
    unsigned new_mode;
    bool binary;
    size_t additions; /* lines; 0 for binary files */
    size_t deletions;
} hf_file_change;

/* Appends one hf_file_change * per changed file, in path order (a rename
 * sorts by its new path; free with
 * hf_vec_free(out, hf_file_change_free)). */
int hf_diff_files(hf_vec *out, git_repository *repo, const git_oid *old_tree,
                  const git_oid *new_tree, hf_error *err);
void hf_file_change_free(void *change);

#endif
