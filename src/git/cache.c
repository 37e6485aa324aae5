/* Bare mirrors under the cache dir: open or create, fetch every branch with
 * prune through an anonymous remote (so no URL lands in the mirror's config),
 * record the remote's default branch as HEAD, resolve the base. */
#include "git/cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/mem.h"

void hf_base_free(hf_base *base)
{
    if (!base)
        return;
    free(base->branch);
    free(base->ref);
    free(base->default_branch);
    memset(base, 0, sizeof(*base));
}

static int name_part_ok(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int hf_mirror_path(hf_buf *out, const char *cache_dir, const char *repo, hf_error *err)
{
    hf_buf_clear(out);
    const char *slash = repo ? strchr(repo, '/') : NULL;
    if (!slash || !name_part_ok(repo, (size_t)(slash - repo)) ||
        !name_part_ok(slash + 1, strlen(slash + 1)))
        return hf_error_set(err, "'%s' is not a repository name of the form owner/name",
                            repo ? repo : "");
    /* "__" joins owner and name, so an owner holding it could collide with
     * another repo's mirror ("a__b/c" and "a/b__c"). */
    if (memmem(repo, (size_t)(slash - repo), "__", 2))
        return hf_error_set(err, "%s: an owner containing \"__\" is not supported", repo);
    hf_buf name = HF_BUF_INIT;
    hf_buf_put(&name, repo, (size_t)(slash - repo));
    hf_buf_printf(&name, "__%s.git", slash + 1);
    hf_fs_join(out, cache_dir, hf_buf_cstr(&name));
    hf_buf_free(&name);
    return 0;
}

int hf_mirror_open(git_repository **out, const char *cache_dir, const char *repo, hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    int rc = 0;
    *out = NULL;
    if ((rc = hf_mirror_path(&path, cache_dir, repo, err)) < 0)
        goto done;
    int open = git_repository_open_bare(out, hf_buf_cstr(&path));
    if (open == 0)
        goto done;
    if (open != GIT_ENOTFOUND) {
        rc = hf_error_set(err, "%s: open mirror %s: %s", repo, hf_buf_cstr(&path),
                          hf_git_last_error("not a git repository"));
        goto done;
    }
    if ((rc = hf_fs_mkdirs(cache_dir, err)) < 0) {
        hf_error_wrap(err, "%s: cache", repo);
        goto done;
    }
    /* Initialising is idempotent, so a mirror left half-created by an
     * interrupted run is completed here rather than reported. */
    git_repository_init_options init;
    git_repository_init_options_init(&init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    if (git_repository_init_ext(out, hf_buf_cstr(&path), &init) < 0)
        rc = hf_error_set(err, "%s: create mirror %s: %s", repo, hf_buf_cstr(&path),
                          hf_git_last_error("failed"));
done:
    git_error_clear();
    hf_buf_free(&path);
    return rc;
}

int hf_mirror_fetch(git_repository *mirror, const hf_remote_spec *remote, char **default_branch,
                    hf_error *err)
{
    git_remote *r = NULL;
    git_remote_connect_options co;
    hf_credential_state st;
    git_fetch_options fetch;
    char *spec = "+refs/heads/*:refs/heads/*";
    git_strarray refspecs = {&spec, 1};
    char *head = NULL;
    hf_buf ref = HF_BUF_INIT;
    int rc = 0;

    memset(&st, 0, sizeof(st));
    git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
    if (default_branch)
        *default_branch = NULL;
    if ((rc = hf_remote_open(&r, mirror, remote, err)) < 0)
        goto done;
    hf_remote_connect_init(&co, &st, remote);
    /* Connect first so the default branch is read from this very
     * advertisement, then fetch over the same connection (the fetch options
     * repeat the connection's, which libgit2 applies anew). git_remote_fetch
     * rather than git_remote_download + update_tips + prune: libgit2 1.5.1's
     * git_remote_download never frees its copy of the options, which would
     * leak the Authorization header with every fetch. */
    if (git_remote_connect_ext(r, GIT_DIRECTION_FETCH, &co) < 0) {
        rc = hf_remote_fail(err, remote, "fetch from", &st);
        goto done;
    }
    head = hf_remote_default_branch(r);
    fetch.callbacks = co.callbacks;
    fetch.proxy_opts = co.proxy_opts;
    fetch.follow_redirects = co.follow_redirects;
    fetch.custom_headers = co.custom_headers;
    fetch.prune = GIT_FETCH_PRUNE;
    fetch.update_fetchhead = 0;
    fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    if (git_remote_fetch(r, &refspecs, &fetch, NULL) < 0) {
        rc = hf_remote_fail(err, remote, "fetch from", &st);
        goto done;
    }
    if (head) {
        hf_buf_printf(&ref, "refs/heads/%s", head);
        if (git_repository_set_head(mirror, hf_buf_cstr(&ref)) < 0) {
            rc = hf_error_set(err, "%s: record default branch '%s': %s", remote->repo, head,
                              hf_git_last_error("failed"));
            goto done;
        }
    }
    if (default_branch) {
        *default_branch = head;
        head = NULL;
    }
done:
    if (r)
        git_remote_disconnect(r);
    git_remote_free(r);
    hf_credential_state_dispose(&st);
    free(head);
    hf_buf_free(&ref);
    git_error_clear();
    return rc;
}

/* The short name HEAD points to in the mirror, or NULL. */
static char *recorded_default(git_repository *mirror)
{
    git_reference *head = NULL;
    char *out = NULL;
    if (git_reference_lookup(&head, mirror, "HEAD") == 0 &&
        git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
        const char *target = git_reference_symbolic_target(head);
        if (strncmp(target, "refs/heads/", 11) == 0 && target[11])
            out = hf_xstrdup(target + 11);
    }
    git_reference_free(head);
    git_error_clear();
    return out;
}

int hf_mirror_base(hf_base *out, git_repository *mirror, const char *repo, const char *branch,
                   hf_error *err)
{
    git_reference *ref = NULL;
    git_commit *commit = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->default_branch = recorded_default(mirror);
    if (!branch && !out->default_branch) {
        rc = hf_error_set(err,
                          "%s: the remote names no default branch; configure the base "
                          "branch",
                          repo);
        goto done;
    }
    out->branch = hf_xstrdup(branch ? branch : out->default_branch);
    if ((rc = hf_branch_name_check(out->branch, err)) < 0) {
        hf_error_wrap(err, "%s: base", repo);
        goto done;
    }
    hf_buf name = HF_BUF_INIT;
    hf_buf_printf(&name, "refs/heads/%s", out->branch);
    out->ref = hf_buf_detach(&name);
    int found = git_reference_lookup(&ref, mirror, out->ref);
    if (found == GIT_ENOTFOUND) {
        rc = hf_error_set(err, "%s: base branch '%s' not found on the remote", repo, out->branch);
        goto done;
    }
    git_object *peeled = NULL;
    if (found < 0 || git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) < 0) {
        rc = hf_error_set(err, "%s: resolve base branch '%s': %s", repo, out->branch,
                          hf_git_last_error("failed"));
        goto done;
    }
    commit = (git_commit *)peeled;
    git_oid_cpy(&out->commit, git_commit_id(commit));
    git_oid_cpy(&out->tree, git_commit_tree_id(commit));
done:
    git_commit_free(commit);
    git_reference_free(ref);
    git_error_clear();
    if (rc < 0)
        hf_base_free(out);
    return rc;
}

int hf_mirror_branch_tip(git_repository *mirror, const char *branch, git_oid *out, hf_error *err)
{
    memset(out, 0, sizeof(*out));
    if (hf_branch_name_check(branch, err) < 0)
        return -1;
    hf_buf name = HF_BUF_INIT;
    hf_buf_printf(&name, "refs/heads/%s", branch);
    int rc = git_reference_name_to_id(out, mirror, hf_buf_cstr(&name));
    if (rc == GIT_ENOTFOUND) {
        memset(out, 0, sizeof(*out));
        rc = 0;
    } else if (rc < 0) {
        rc = hf_error_set(err, "read branch '%s': %s", branch, hf_git_last_error("failed"));
    }
    git_error_clear();
    hf_buf_free(&name);
    return rc;
}

int hf_mirror_sync(git_repository **out, hf_base *base, const hf_mirror_options *opts,
                   hf_error *err)
{
    git_repository *mirror = NULL;
    *out = NULL;
    memset(base, 0, sizeof(*base));
    if (hf_mirror_open(&mirror, opts->cache_dir, opts->remote.repo, err) < 0)
        return -1;
    if (hf_mirror_fetch(mirror, &opts->remote, NULL, err) < 0 ||
        hf_mirror_base(base, mirror, opts->remote.repo, opts->branch, err) < 0) {
        git_repository_free(mirror);
        return -1;
    }
    *out = mirror;
    return 0;
}
