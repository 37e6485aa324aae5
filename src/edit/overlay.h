/* The in-memory overlay recipes edit: a repository's base tree (a libgit2
 * tree) plus the files written, deleted and moved on top of it, each change
 * recorded with its provenance (recipe, step, source mark) and its link
 * (capability or exception). Nothing is ever written to a working copy; the
 * result becomes a git tree for the commit. Not thread-safe: one per repo. */
#ifndef HF_EDIT_OVERLAY_H
#define HF_EDIT_OVERLAY_H

#include <git2.h>
#include <stddef.h>

#include "config/node.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

/* Why a change is made: the step that made it and what justifies it. The
 * overlay copies every string. */
typedef struct hf_provenance {
    const char *recipe;     /* recipe id */
    size_t step;            /* 1-based step index in the recipe */
    hf_mark mark;           /* where the step is written */
    const char *capability; /* the link: one of capability / exception */
    const char *exception;
} hf_provenance;

typedef enum { HF_CHANGE_ADD, HF_CHANGE_MODIFY, HF_CHANGE_DELETE, HF_CHANGE_MOVE } hf_change_kind;

const char *hf_change_kind_name(hf_change_kind k); /* "add", "modify", ... */

/* One recorded change, in the order made (a path can appear several times:
 * each step that touched it is listed with its own link). */
typedef struct hf_change {
    hf_change_kind kind;
    char *path;
    char *to; /* move: the new path; else NULL */
    char *recipe;
    size_t step;
    hf_mark mark; /* mark.file owned by the change */
    char *capability;
    char *exception;
} hf_change;

typedef struct hf_overlay_options {
    size_t max_text_bytes; /* text reads refuse bigger files (0: 1 MiB) */
} hf_overlay_options;

typedef struct hf_overlay hf_overlay;

/* Opens an overlay over base (NULL: an empty tree). repo is where blobs are
 * read from and where hf_overlay_build_tree writes; both must outlive the
 * overlay. */
int hf_overlay_new(hf_overlay **out, git_repository *repo, git_tree *base,
                   const hf_overlay_options *opts, hf_error *err);
void hf_overlay_free(hf_overlay *ov);

size_t hf_overlay_max_text_bytes(const hf_overlay *ov);

/* The git file mode of path (GIT_FILEMODE_BLOB, _BLOB_EXECUTABLE, _LINK,
 * _COMMIT), or 0 when absent. Paths are normalised; an invalid path is
 * absent. */
unsigned hf_overlay_mode(const hf_overlay *ov, const char *path);
/* 1 when some file lies under dir. */
int hf_overlay_is_dir(const hf_overlay *ov, const char *dir);

/* Raw content of a file or a symlink (its target), any mode but submodules. */
int hf_overlay_read(hf_overlay *ov, const char *path, hf_buf *out, unsigned *mode, hf_error *err);
/* Content of a regular file that may be edited as text: refuses symlinks,
 * submodules, binary files (a NUL in the first 8000 bytes), files over the
 * size bound and invalid UTF-8. */
int hf_overlay_read_text(hf_overlay *ov, const char *path, hf_buf *out, hf_error *err);
/* The blob id the path has now (hashed, not written, when changed). */
int hf_overlay_blob_id(hf_overlay *ov, const char *path, git_oid *out, hf_error *err);

/* Checks that data may be edited as text (see hf_overlay_read_text). */
int hf_text_check(const char *path, const char *data, size_t len, size_t max, hf_error *err);

/* Writes (adds or modifies) a regular file. mode 0 keeps the existing mode
 * (GIT_FILEMODE_BLOB for a new file). Refused when path is a symlink or a
 * submodule (never written through), a directory, or lies under a file or
 * symlink. Writing identical content records nothing. */
int hf_overlay_write(hf_overlay *ov, const char *path, const void *data, size_t len, unsigned mode,
                     const hf_provenance *prov, hf_error *err);
/* Deletes a file or a symlink (the link itself, never what it points to). */
int hf_overlay_delete(hf_overlay *ov, const char *path, const hf_provenance *prov, hf_error *err);
/* Moves a file or symlink (as a link) to a path that does not exist yet. */
int hf_overlay_move(hf_overlay *ov, const char *from, const char *to, const hf_provenance *prov,
                    hf_error *err);

/* Every present path (base and changes) matching glob (NULL: all), sorted,
 * as malloc'd strings the caller frees (hf_vec_free(v, free)). */
void hf_overlay_list(const hf_overlay *ov, const char *glob, hf_vec *out);

size_t hf_overlay_change_count(const hf_overlay *ov);
const hf_change *hf_overlay_change(const hf_overlay *ov, size_t i);

/* A step's changes are all or nothing: begin, then commit or rollback
 * (which restores every path touched since begin and drops its changes). */
void hf_overlay_begin(hf_overlay *ov);
void hf_overlay_commit(hf_overlay *ov);
void hf_overlay_rollback(hf_overlay *ov);

/* Writes the changed blobs and the trees into the repository's object
 * database and returns the root tree id (modes kept). */
int hf_overlay_build_tree(hf_overlay *ov, git_oid *out, hf_error *err);

#endif
