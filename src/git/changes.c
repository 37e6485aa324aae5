/* Tree-to-tree changes with full contents: libgit2's tree diff (type
 * changes kept as one delta, no renames), then the new blob of each
 * addition or modification read whole. */
#include "git/changes.h"
#include "git/remote.h"
#include "util/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void hf_blob_change_free(void *p)
{
    hf_blob_change *c = p;
    if (!c)
        return;
    free(c->path);
    hf_buf_free(&c->contents);
    free(c);
}

int hf_tree_blob_changes(git_repository *repo, const git_oid *from, const git_oid *to,
                         size_t max_bytes, hf_vec *out, hf_error *err)
{
    git_tree *a = NULL, *b = NULL;
    git_diff *diff = NULL;
    size_t total = 0;
    int rc = 0;
    if (git_tree_lookup(&a, repo, from) < 0 || git_tree_lookup(&b, repo, to) < 0) {
        rc = hf_error_set(err, "read tree: %s", hf_git_last_error("failed"));
        goto done;
    }
    git_diff_options opts;
    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE | GIT_DIFF_INCLUDE_TYPECHANGE_TREES;
    if (git_diff_tree_to_tree(&diff, repo, a, b, &opts) < 0) {
        rc = hf_error_set(err, "compare trees: %s", hf_git_last_error("failed"));
        goto done;
    }
    size_t n = git_diff_num_deltas(diff);
    for (size_t i = 0; i < n; i++) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        hf_blob_change *c = hf_xcalloc(1, sizeof(*c));
        bool gone = d->status == GIT_DELTA_DELETED;
        c->path = hf_xstrdup(gone ? d->old_file.path : d->new_file.path);
        c->old_mode = d->status == GIT_DELTA_ADDED ? 0 : d->old_file.mode;
        c->new_mode = gone ? 0 : d->new_file.mode;
        hf_vec_push(out, c);
        if (gone || c->new_mode == GIT_FILEMODE_COMMIT)
            continue;
        git_blob *blob = NULL;
        if (git_blob_lookup(&blob, repo, &d->new_file.id) < 0) {
            rc = hf_error_set(err, "%s: read blob: %s", c->path, hf_git_last_error("failed"));
            goto done;
        }
        size_t len = (size_t)git_blob_rawsize(blob);
        total += len;
        if (total > max_bytes) {
            git_blob_free(blob);
            rc = hf_error_set(err, "the changed files come to more than %zu bytes", max_bytes);
            goto done;
        }
        hf_buf_put(&c->contents, git_blob_rawcontent(blob), len);
        git_blob_free(blob);
    }
done:
    git_diff_free(diff);
    git_tree_free(a);
    git_tree_free(b);
    git_error_clear();
    return rc;
}
