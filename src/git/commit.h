/* The commit handoff proposes for a repo: parent = base head, tree = the
 * overlay's tree, a message whose trailers name every link that justifies
 * the change; and reading those trailers back for the lease check. */
#ifndef HF_GIT_COMMIT_H
#define HF_GIT_COMMIT_H

#include <git2.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

typedef struct hf_commit_options {
    const char *author_name;
    const char *author_email;
    const char *committer_name;  /* NULL: the author */
    const char *committer_email; /* NULL: the author's */
    bool fixed_time;             /* use time/offset instead of now */
    int64_t time;                /* seconds since the epoch */
    int offset;                  /* minutes east of UTC */
} hf_commit_options;

/* Writes a commit object into repo's object database and moves no ref.
 * parent NULL makes a root commit. */
int hf_commit_create(git_oid *out, git_repository *repo, const git_oid *parent, const git_oid *tree,
                     const char *message, const hf_commit_options *opts, hf_error *err);

/* The links a commit carries. Each list is sorted and free of duplicates;
 * the strings are owned (hf_trailers_free). */
typedef struct hf_trailers {
    hf_vec capabilities;        /* char *: one trailer each, keyed capability_key */
    hf_vec exceptions;          /* char *: Handoff-Exception */
    char *fleet;                /* Handoff-Fleet, NULL when absent */
    const char *capability_key; /* borrowed; NULL: HF_TRAILER_CAPABILITY */
} hf_trailers;

/* The capability trailer's key when the fleet names none. */
#define HF_TRAILER_CAPABILITY "Handoff-Capability"

#define HF_TRAILERS_INIT                                                                           \
    {                                                                                              \
        HF_VEC_INIT, HF_VEC_INIT, NULL, NULL                                                       \
    }

/* Adds one id (ignored when already there). An id is one line of printable
 * text without surrounding blanks. */
int hf_trailers_add_capability(hf_trailers *t, const char *id, hf_error *err);
int hf_trailers_add_exception(hf_trailers *t, const char *id, hf_error *err);
int hf_trailers_set_fleet(hf_trailers *t, const char *fleet, hf_error *err);
void hf_trailers_free(hf_trailers *t);

/* Composes "<subject>\n\n<body>\n\n<trailers>\n": the subject is one line;
 * the body (may be NULL) has trailing blanks trimmed, and its lines that `git
 * am` would read as the start of the patch ("---", "diff -", "Index: ") are
 * indented by one space. Trailers: every capability, then every exception,
 * then the fleet. */
int hf_commit_message(hf_buf *out, const char *subject, const char *body, const hf_trailers *t,
                      hf_error *err);

/* Reads the trailers of a message: its last paragraph, when that is not the
 * subject and every line of it is "Key: value". A key ending in "-Capability"
 * names a capability (whatever key the fleet chose). Unknown keys are skipped,
 * keys compare case-insensitively. A message without trailers gives an empty
 * result, not an error. */
int hf_trailers_parse(hf_trailers *out, const char *message, hf_error *err);

/* Whether commit has exactly one parent, base, and the given tree: the
 * batch branch already holds the planned change on the current base, so
 * there is nothing to push. A commit missing from repo is not a match. */
int hf_commit_is_change(git_repository *repo, const git_oid *commit, const git_oid *base,
                        const git_oid *tree, bool *out, hf_error *err);

/* Whether every commit reachable from tip but not from base carries
 * "Handoff-Fleet: <fleet>": then handoff made the branch and may force-push
 * over it. *count receives the number of such commits (may be NULL). */
int hf_commit_range_is_handoff(git_repository *repo, const git_oid *base, const git_oid *tip,
                               const char *fleet, bool *out, size_t *count, hf_error *err);

#endif
