/* createCommitOnBranch on a scratch branch, the tree checked, then one
 * atomic updateRefs that moves the batch branch under its lease and drops
 * the scratch branch; the refusals for what the mutation cannot say. */
#include "forge/gh_commit.h"
#include "forge/github.h"
#include "forge/jwt.h"
#include "util/buf.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODE_BLOB 0100644
#define MODE_EXEC 0100755
#define MODE_LINK 0120000
#define MODE_SUBMODULE 0160000
#define ZERO_OID "0000000000000000000000000000000000000000"

static const char commit_mutation[] =
    "mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) "
    "{ commit { oid tree { oid } } ref { repository { id } } } }";
static const char refs_mutation[] =
    "mutation($input: UpdateRefsInput!) { updateRefs(input: $input) { clientMutationId } }";

static const char *kind(unsigned mode)
{
    switch (mode) {
    case MODE_EXEC:
        return "an executable file (mode 100755)";
    case MODE_LINK:
        return "a symbolic link (mode 120000)";
    case MODE_SUBMODULE:
        return "a submodule (mode 160000)";
    default:
        return "a file of another mode";
    }
}

int hf_gh_commit_check(const hf_gh_file *files, size_t n, hf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const hf_gh_file *f = &files[i];
        const char *why = NULL;
        char buf[160];
        if (f->new_mode == 0) {
            if (f->old_mode == MODE_SUBMODULE)
                why = "deleting a submodule (deletions are of files)";
        } else if (f->new_mode != MODE_BLOB) {
            snprintf(buf, sizeof(buf), "it would be %s", kind(f->new_mode));
            why = buf;
        } else if (f->old_mode != 0 && f->old_mode != MODE_BLOB) {
            snprintf(buf, sizeof(buf), "it is %s and would become a regular file",
                     kind(f->old_mode));
            why = buf;
        }
        if (why)
            return hf_error_set(err,
                                "createCommitOnBranch cannot express %s: %s; the API writes "
                                "every file as a regular, non-executable file (mode 100644)",
                                f->path, why);
    }
    return 0;
}

void hf_gh_scratch_branch(hf_buf *out, const char *branch)
{
    hf_buf_clear(out);
    hf_buf_printf(out, "handoff-scratch/%s", branch);
}

/* "{ref}" under /repos/o/r/git/... */
static void ref_path(hf_buf *out, const char *repo_path, const char *kind_, const char *branch)
{
    hf_buf_clear(out);
    hf_buf_printf(out, "%s/git/%s/heads/", repo_path, kind_);
    hf_http_escape(out, branch, true);
}

/* The scratch branch at base: created, or moved there when a run that
 * died left it behind. */
static int scratch_at_base(hf_http *h, const char *repo_path, const char *scratch, const char *base,
                           hf_error *err)
{
    hf_buf path = HF_BUF_INIT, ref = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    cJSON *body = cJSON_CreateObject();
    hf_buf_printf(&ref, "refs/heads/%s", scratch);
    cJSON_AddStringToObject(body, "ref", ref.ptr);
    cJSON_AddStringToObject(body, "sha", base);
    char *text = cJSON_PrintUnformatted(body);
    hf_buf_printf(&path, "%s/git/refs", repo_path);
    int rc = hf_http_request(h, "POST", path.ptr, text, &resp, err);
    cJSON_free(text);
    cJSON_Delete(body);
    if (rc == 0 && resp.status == 422 && strstr(hf_buf_cstr(&resp.body), "already exists")) {
        body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "sha", base);
        cJSON_AddBoolToObject(body, "force", true);
        text = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        ref_path(&path, repo_path, "refs", scratch);
        rc = hf_http_request(h, "PATCH", path.ptr, text, &resp, err);
        cJSON_free(text);
        if (rc == 0 && resp.status != 200)
            rc = hf_http_fail(err, "PATCH", path.ptr, &resp);
    } else if (rc == 0 && resp.status != 201) {
        rc = hf_http_fail(err, "POST", path.ptr, &resp);
    }
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    hf_buf_free(&ref);
    return rc;
}

/* The branch's tip as GitHub has it now ("" when absent). */
static int branch_tip(hf_http *h, const char *repo_path, const char *branch, char out[41],
                      hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    out[0] = '\0';
    ref_path(&path, repo_path, "ref", branch);
    int rc = hf_http_request(h, "GET", path.ptr, NULL, &resp, err);
    if (rc == 0 && resp.status == 200) {
        cJSON *j = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
        const cJSON *sha =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "object"), "sha");
        if (cJSON_IsString(sha) && strlen(sha->valuestring) == 40)
            memcpy(out, sha->valuestring, 41);
        else
            rc = hf_error_set(err, "GET %s: the answer has no commit", path.ptr);
        cJSON_Delete(j);
    } else if (rc == 0 && resp.status != 404) {
        rc = hf_http_fail(err, "GET", path.ptr, &resp);
    }
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

static cJSON *commit_input(const char *owner, const char *repo, const char *scratch,
                           const hf_gh_commit_spec *spec)
{
    cJSON *input = cJSON_CreateObject();
    cJSON *branch = cJSON_AddObjectToObject(input, "branch");
    hf_buf full = HF_BUF_INIT;
    hf_buf_printf(&full, "%s/%s", owner, repo);
    cJSON_AddStringToObject(branch, "repositoryNameWithOwner", full.ptr);
    cJSON_AddStringToObject(branch, "branchName", scratch);
    hf_buf_free(&full);

    /* GitHub joins headline and body with a blank line. */
    const char *msg = spec->message ? spec->message : "";
    size_t head_len = strcspn(msg, "\n");
    cJSON *message = cJSON_AddObjectToObject(input, "message");
    char *headline = hf_xstrndup(msg, head_len);
    cJSON_AddStringToObject(message, "headline", headline);
    free(headline);
    const char *body = msg + head_len;
    while (*body == '\n')
        body++;
    if (*body)
        cJSON_AddStringToObject(message, "body", body);

    cJSON *changes = cJSON_AddObjectToObject(input, "fileChanges");
    cJSON *additions = cJSON_AddArrayToObject(changes, "additions");
    cJSON *deletions = cJSON_AddArrayToObject(changes, "deletions");
    hf_buf b64 = HF_BUF_INIT;
    for (size_t i = 0; i < spec->n; i++) {
        const hf_gh_file *f = &spec->files[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "path", f->path);
        if (f->new_mode == 0) {
            cJSON_AddItemToArray(deletions, item);
            continue;
        }
        hf_buf_clear(&b64);
        hf_base64(&b64, f->data, f->len);
        cJSON_AddStringToObject(item, "contents", hf_buf_cstr(&b64));
        cJSON_AddItemToArray(additions, item);
    }
    hf_buf_free(&b64);
    cJSON_AddStringToObject(input, "expectedHeadOid", spec->base);
    return input;
}

static void add_ref_update(cJSON *list, const char *branch, const char *before, const char *after,
                           bool force)
{
    cJSON *u = cJSON_CreateObject();
    hf_buf name = HF_BUF_INIT;
    hf_buf_printf(&name, "refs/heads/%s", branch);
    cJSON_AddStringToObject(u, "name", name.ptr);
    cJSON_AddStringToObject(u, "beforeOid", before);
    cJSON_AddStringToObject(u, "afterOid", after);
    if (force)
        cJSON_AddBoolToObject(u, "force", true);
    cJSON_AddItemToArray(list, u);
    hf_buf_free(&name);
}

static const char *string_at(const cJSON *obj, const char *a, const char *b, const char *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    if (c)
        v = cJSON_GetObjectItemCaseSensitive(v, c);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int hf_gh_commit_on_branch(hf_http *h, const char *owner, const char *repo,
                           const hf_gh_commit_spec *spec, char out[41], hf_error *err)
{
    hf_buf rpath = HF_BUF_INIT, scratch = HF_BUF_INIT;
    cJSON *vars = NULL, *data = NULL;
    bool made_scratch = false;
    int rc = 0;
    char expected[41], had[41];
    /* Copied first: out may be the caller's buffer behind spec->expected. */
    snprintf(had, sizeof(had), "%s", spec->expected ? spec->expected : "");
    snprintf(expected, sizeof(expected), "%s", *had ? had : ZERO_OID);
    out[0] = '\0';

    if ((rc = hf_gh_repo_path(&rpath, owner, repo, err)) < 0)
        goto done;
    if ((rc = hf_gh_commit_check(spec->files, spec->n, err)) < 0)
        goto done;
    hf_gh_scratch_branch(&scratch, spec->branch);
    if ((rc = scratch_at_base(h, rpath.ptr, scratch.ptr, spec->base, err)) < 0)
        goto done;
    made_scratch = true;

    vars = cJSON_CreateObject();
    cJSON_AddItemToObject(vars, "input", commit_input(owner, repo, scratch.ptr, spec));
    if ((rc = hf_http_graphql(h, commit_mutation, vars, &data, err)) < 0)
        goto done;
    const cJSON *made = cJSON_GetObjectItemCaseSensitive(data, "createCommitOnBranch");
    const char *oid = string_at(made, "commit", "oid", NULL);
    const char *tree = string_at(made, "commit", "tree", "oid");
    const char *repo_id = string_at(made, "ref", "repository", "id");
    if (!oid || strlen(oid) != 40 || !tree || !repo_id) {
        rc =
            hf_error_set(err, "createCommitOnBranch: the answer has no commit, tree or repository");
        goto done;
    }
    if (strcmp(tree, spec->tree) != 0) {
        rc = hf_error_set(err,
                          "GitHub's commit %.12s has tree %.12s, not the planned %.12s; the "
                          "branch was left as it was",
                          oid, tree, spec->tree);
        goto done;
    }
    char commit[41];
    memcpy(commit, oid, 41);

    /* The batch branch moves under its lease and the scratch branch goes,
     * in one atomic update. */
    cJSON_Delete(vars);
    vars = cJSON_CreateObject();
    cJSON *input = cJSON_AddObjectToObject(vars, "input");
    cJSON_AddStringToObject(input, "repositoryId", repo_id);
    cJSON *updates = cJSON_AddArrayToObject(input, "refUpdates");
    add_ref_update(updates, spec->branch, expected, commit, true);
    add_ref_update(updates, scratch.ptr, commit, ZERO_OID, true);
    cJSON_Delete(data);
    data = NULL;
    hf_error why;
    if (hf_http_graphql(h, refs_mutation, vars, &data, &why) < 0) {
        char tip[41];
        if (branch_tip(h, rpath.ptr, spec->branch, tip, err) < 0) {
            rc = -1;
            goto done;
        }
        if (strcmp(tip, had) != 0) {
            rc = hf_error_set(err,
                              "remote changed: branch '%s' is at %.12s, expected %.12s; not "
                              "moving it over commits handoff did not make",
                              spec->branch, *tip ? tip : "(absent)",
                              *expected != '0' ? expected : "(absent)");
            rc = HF_GH_ELEASE;
        } else {
            *err = why;
            rc = -1;
        }
        goto done;
    }
    made_scratch = false; /* gone with the update */
    memcpy(out, commit, 41);
done:
    if (made_scratch) {
        hf_error ignored;
        hf_gh_branch_delete(h, owner, repo, scratch.ptr, NULL, &ignored);
    }
    cJSON_Delete(vars);
    cJSON_Delete(data);
    hf_buf_free(&rpath);
    hf_buf_free(&scratch);
    if (rc < 0)
        hf_error_wrap(err, "%s/%s", owner, repo);
    return rc;
}
