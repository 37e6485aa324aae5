/* Push with a lease through libgit2: connect, read the branch tip from the
 * advertisement, compare it with the expected one, then push (forced) over
 * the same connection so the server checks that old tip once more. */
#include "git/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

typedef struct push_state {
    hf_credential_state cred; /* first: the credential callback's payload */
    char *rejected;           /* "refs/heads/x: reason" from the server */
} push_state;

static int on_update_reference(const char *refname, const char *status, void *payload)
{
    push_state *ps = payload;
    if (status && !ps->rejected) {
        hf_buf msg = HF_BUF_INIT;
        hf_buf_printf(&msg, "%s: %s", refname, status);
        ps->rejected = hf_buf_detach(&msg);
    }
    return 0;
}

static int protected_branch(const hf_push_options *opts, const char *default_branch, hf_error *err)
{
    const char *b = opts->branch;
    if (strcmp(b, "main") == 0 || strcmp(b, "master") == 0)
        return hf_error_set(err,
                            "%s: refusing to push to '%s': handoff never pushes to a "
                            "main or master branch",
                            opts->remote.repo, b);
    if (default_branch && strcmp(b, default_branch) == 0)
        return hf_error_set(err,
                            "%s: refusing to push to '%s': it is the remote's default "
                            "branch",
                            opts->remote.repo, b);
    if (opts->base_branch && strcmp(b, opts->base_branch) == 0)
        return hf_error_set(err, "%s: refusing to push to '%s': it is the base branch",
                            opts->remote.repo, b);
    return 0;
}

static void short_id(char out[13], const git_oid *id)
{
    if (git_oid_is_zero(id))
        snprintf(out, 13, "(absent)");
    else
        git_oid_tostr(out, 13, id);
}

/* commit NULL: delete the branch. */
static int push_branch(git_repository *repo, const hf_push_options *opts, const git_oid *commit,
                       const git_oid *expected, hf_push_result *result, hf_error *err)
{
    const hf_remote_spec *spec = &opts->remote;
    git_remote *remote = NULL;
    git_remote_connect_options co;
    push_state ps = {0};
    hf_buf dst = HF_BUF_INIT, src = HF_BUF_INIT, refspec = HF_BUF_INIT;
    char *asked_default = NULL;
    int made_src = 0;
    int rc = 0;

    memset(result, 0, sizeof(*result));
    if (hf_branch_name_check(opts->branch, err) < 0)
        return hf_error_wrap(err, "%s: push", spec->repo);
    if (protected_branch(opts, opts->default_branch, err) < 0)
        return -1;
    if (!opts->default_branch) {
        git_oid ignored;
        if (hf_remote_branch_tip(spec, opts->branch, &ignored, &asked_default, err) < 0)
            return -1;
        if ((rc = protected_branch(opts, asked_default, err)) < 0)
            goto done;
    }

    if ((rc = hf_remote_open(&remote, repo, spec, err)) < 0)
        goto done;
    hf_remote_connect_init(&co, &ps.cred, spec);
    co.callbacks.push_update_reference = on_update_reference;
    co.callbacks.payload = &ps;
    if (git_remote_connect_ext(remote, GIT_DIRECTION_PUSH, &co) < 0) {
        rc = hf_remote_fail(err, spec, "push to", &ps.cred);
        goto done;
    }
    /* A receive-pack advertisement rarely names HEAD, but when it does it is
     * the freshest word on the default branch. */
    char *pushed_default = hf_remote_default_branch(remote);
    rc = protected_branch(opts, pushed_default, err);
    free(pushed_default);
    if (rc < 0)
        goto done;

    const git_remote_head **heads;
    size_t n;
    if (git_remote_ls(&heads, &n, remote) < 0) {
        rc = hf_remote_fail(err, spec, "push to", &ps.cred);
        goto done;
    }
    hf_buf_printf(&dst, "refs/heads/%s", opts->branch);
    for (size_t i = 0; i < n; i++)
        if (strcmp(heads[i]->name, hf_buf_cstr(&dst)) == 0)
            git_oid_cpy(&result->remote_tip, &heads[i]->oid);

    if (!commit && git_oid_is_zero(&result->remote_tip))
        goto done; /* nothing to delete */
    if (commit && git_oid_equal(commit, &result->remote_tip))
        goto done; /* already there */
    git_oid zero;
    memset(&zero, 0, sizeof(zero));
    if (!git_oid_equal(&result->remote_tip, expected ? expected : &zero)) {
        char have[13], want[13];
        short_id(have, &result->remote_tip);
        short_id(want, expected ? expected : &zero);
        rc = hf_error_set(err,
                          "%s: remote changed: branch '%s' is at %s, expected %s; not "
                          "pushing over commits handoff did not make",
                          spec->repo, opts->branch, have, want);
        rc = HF_GIT_ELEASE;
        goto done;
    }

    /* libgit2 pushes from a local reference, so the commit gets one outside
     * refs/heads/ (a later fetch neither prunes nor overwrites it). */
    if (commit) {
        git_reference *tmp = NULL;
        hf_buf_printf(&src, "refs/handoff/push/%s", opts->branch);
        if (git_reference_create(&tmp, repo, hf_buf_cstr(&src), commit, 1, NULL) < 0) {
            rc = hf_error_set(err, "%s: push: %s", spec->repo, hf_git_last_error("failed"));
            goto done;
        }
        git_reference_free(tmp);
        made_src = 1;
        hf_buf_printf(&refspec, "+%s:%s", hf_buf_cstr(&src), hf_buf_cstr(&dst));
    } else {
        hf_buf_printf(&refspec, ":%s", hf_buf_cstr(&dst));
    }
    char *specs[1] = {refspec.ptr};
    git_strarray refspecs = {specs, 1};
    git_push_options push;
    git_push_options_init(&push, GIT_PUSH_OPTIONS_VERSION);
    push.callbacks = co.callbacks;
    push.proxy_opts = co.proxy_opts;
    push.follow_redirects = co.follow_redirects;
    push.custom_headers = co.custom_headers;
    if (git_remote_upload(remote, &refspecs, &push) < 0) {
        rc = hf_remote_fail(err, spec, "push to", &ps.cred);
        goto done;
    }
    if (ps.rejected) {
        hf_buf url = HF_BUF_INIT;
        hf_remote_display_url(&url, spec->url);
        rc = hf_error_set(err, "%s: push to %s: rejected: %s", spec->repo, hf_buf_cstr(&url),
                          ps.rejected);
        hf_buf_free(&url);
        goto done;
    }
    result->pushed = true;
done:
    if (made_src) {
        git_reference *tmp = NULL;
        if (git_reference_lookup(&tmp, repo, hf_buf_cstr(&src)) == 0)
            git_reference_delete(tmp);
        git_reference_free(tmp);
    }
    if (remote)
        git_remote_disconnect(remote);
    git_remote_free(remote);
    hf_credential_state_dispose(&ps.cred);
    free(ps.rejected);
    free(asked_default);
    hf_buf_free(&dst);
    hf_buf_free(&src);
    hf_buf_free(&refspec);
    git_error_clear();
    return rc;
}

int hf_push_check_branch(const hf_push_options *opts, hf_error *err)
{
    if (hf_branch_name_check(opts->branch, err) < 0)
        return hf_error_wrap(err, "%s", opts->remote.repo);
    return protected_branch(opts, opts->default_branch, err);
}

int hf_push_lease(git_repository *repo, const hf_push_options *opts, const git_oid *commit,
                  const git_oid *expected, hf_push_result *result, hf_error *err)
{
    return push_branch(repo, opts, commit, expected, result, err);
}

int hf_push_delete(git_repository *repo, const hf_push_options *opts, const git_oid *expected,
                   hf_push_result *result, hf_error *err)
{
    return push_branch(repo, opts, NULL, expected, result, err);
}
