/* GitHub pull-request primitives over hf_http: each builds the REST path from
 * checked names, sends one logical request (pages and retries are the
 * client's), and turns the answer into an hf_gh_pr (or the hf_gh_issue of
 * the dashboard) or an error that says which repository and what GitHub
 * said. */
#include "forge/github.h"
#include "util/hash.h"
#include "util/mem.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARKER_OPEN "<!-- handoff:hash="
#define MARKER_CLOSE " -->"
#define MAX_HASH_HEX 64

/* ---- names and paths ------------------------------------------------ */

/* Owners are letters, digits and '-'; repositories add '_' and '.'. */
static int check_repo(const char *owner, const char *repo, hf_error *err)
{
    bool ok = owner && *owner && repo && *repo && strcmp(repo, ".") != 0 &&
              strcmp(repo, "..") != 0 && strlen(owner) <= 100 && strlen(repo) <= 100;
    for (const char *p = owner; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-' || *p == '_';
    for (const char *p = repo; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
    if (!ok)
        return hf_error_set(err, "'%s/%s' is not a valid GitHub repository name",
                            owner ? owner : "", repo ? repo : "");
    return 0;
}

/* The parts of git's ref-name rules that keep a branch name safe in a URL. */
static int check_branch(const char *owner, const char *repo, const char *branch, hf_error *err)
{
    bool ok = branch && *branch && branch[0] != '/' && branch[strlen(branch) - 1] != '/' &&
              !strstr(branch, "..") && !strstr(branch, "//") && !strstr(branch, "@{") &&
              strlen(branch) <= 255;
    for (const unsigned char *p = (const unsigned char *)branch; ok && *p; p++)
        ok = *p > 0x20 && *p != 0x7f && !strchr("\\~^:?*[", *p);
    if (!ok)
        return hf_error_set(err, "%s/%s: '%s' is not a valid branch name", owner, repo,
                            branch ? branch : "");
    return 0;
}

/* "/repos/OWNER/REPO" */
static void repo_path(hf_buf *out, const char *owner, const char *repo)
{
    hf_buf_clear(out);
    hf_buf_puts(out, "/repos/");
    hf_http_escape(out, owner, false);
    hf_buf_putc(out, '/');
    hf_http_escape(out, repo, false);
}

int hf_gh_repo_path(hf_buf *out, const char *owner, const char *repo, hf_error *err)
{
    if (check_repo(owner, repo, err) < 0)
        return -1;
    repo_path(out, owner, repo);
    return 0;
}

/* ---- parsing -------------------------------------------------------- */

static char *json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return hf_xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

static void json_names(const cJSON *obj, const char *array, const char *key, hf_vec *out)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(obj, array))
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
        if (cJSON_IsString(v))
            hf_vec_push(out, hf_xstrdup(v->valuestring));
    }
}

void hf_gh_pr_free(hf_gh_pr *pr)
{
    if (!pr)
        return;
    free(pr->state);
    free(pr->title);
    free(pr->body);
    free(pr->head_ref);
    free(pr->head_sha);
    free(pr->base_ref);
    free(pr->html_url);
    free(pr->user_login);
    hf_vec_free(&pr->labels, free);
    hf_vec_free(&pr->requested_reviewers, free);
    hf_vec_free(&pr->requested_teams, free);
    free(pr);
}

int hf_gh_pr_parse(const cJSON *json, hf_gh_pr **out, hf_error *err)
{
    *out = NULL;
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(json, "number");
    if (!cJSON_IsObject(json) || !cJSON_IsNumber(number) || number->valuedouble < 1)
        return hf_error_set(err, "the API answered with something that is not a pull request");
    hf_gh_pr *pr = hf_xcalloc(1, sizeof(*pr));
    pr->number = (long)number->valuedouble;
    pr->state = json_str(json, "state");
    const cJSON *merged = cJSON_GetObjectItemCaseSensitive(json, "merged");
    const cJSON *merged_at = cJSON_GetObjectItemCaseSensitive(json, "merged_at");
    /* Lists carry merged_at only; single PRs carry both. */
    pr->merged = cJSON_IsTrue(merged) || cJSON_IsString(merged_at);
    pr->draft = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "draft"));
    pr->title = json_str(json, "title");
    pr->body = json_str(json, "body");
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(json, "head");
    pr->head_ref = json_str(head, "ref");
    pr->head_sha = json_str(head, "sha");
    pr->base_ref = json_str(cJSON_GetObjectItemCaseSensitive(json, "base"), "ref");
    pr->html_url = json_str(json, "html_url");
    pr->user_login = json_str(cJSON_GetObjectItemCaseSensitive(json, "user"), "login");
    json_names(json, "labels", "name", &pr->labels);
    json_names(json, "requested_reviewers", "login", &pr->requested_reviewers);
    json_names(json, "requested_teams", "slug", &pr->requested_teams);
    *out = pr;
    return 0;
}

/* Parses a PR answer of one request; err names the repository. */
static int pr_from_response(const hf_http_response *resp, const char *owner, const char *repo,
                            hf_gh_pr **out, hf_error *err)
{
    cJSON *j = cJSON_ParseWithLength(resp->body.ptr, resp->body.len);
    int rc = hf_gh_pr_parse(j, out, err);
    cJSON_Delete(j);
    if (rc < 0)
        hf_error_wrap(err, "%s/%s", owner, repo);
    return rc;
}

/* Sends one request expecting `want`; on another status fails with the
 * repository, the request and GitHub's message. */
static int call(hf_http *h, const char *owner, const char *repo, const char *method,
                const char *path, const cJSON *body, long want, hf_http_response *resp,
                hf_error *err)
{
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    int rc = hf_http_request(h, method, path, text, resp, err);
    cJSON_free(text);
    if (rc == 0 && resp->status != want)
        rc = hf_http_fail(err, method, path, resp);
    if (rc < 0)
        hf_error_wrap(err, "%s/%s", owner, repo);
    return rc;
}

/* ---- finding and creating ------------------------------------------- */

int hf_gh_user_login(hf_http *h, char **login, hf_error *err)
{
    *login = NULL;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    int rc = hf_http_request(h, "GET", "/user", NULL, &resp, err);
    if (rc == 0 && resp.status != 200)
        rc = hf_http_fail(err, "GET", "/user", &resp);
    if (rc == 0) {
        cJSON *j = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "login");
        if (cJSON_IsString(v) && *v->valuestring)
            *login = hf_xstrdup(v->valuestring);
        else
            rc = hf_error_set(err, "GET /user: the answer has no login");
        cJSON_Delete(j);
    }
    hf_http_response_free(&resp);
    return rc;
}

int hf_gh_pr_find(hf_http *h, const char *owner, const char *repo, const char *branch,
                  hf_gh_pr **out, hf_error *err)
{
    *out = NULL;
    if (check_repo(owner, repo, err) < 0 || check_branch(owner, repo, branch, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT, head = HF_BUF_INIT;
    repo_path(&path, owner, repo);
    hf_buf_printf(&head, "%s:%s", owner, branch);
    hf_buf_puts(&path, "/pulls?state=all&per_page=100&head=");
    hf_http_escape(&path, head.ptr, false);
    cJSON *list = NULL;
    int rc = hf_http_get_all(h, path.ptr, NULL, &list, err);
    if (rc < 0) {
        hf_error_wrap(err, "%s/%s", owner, repo);
        goto done;
    }
    const cJSON *item, *best = NULL;
    bool best_open = false;
    double best_number = 0;
    cJSON_ArrayForEach(item, list)
    {
        /* GitHub filters by head already; checking again costs nothing and
         * keeps a server that ignores the filter from handing us another PR. */
        const cJSON *hd = cJSON_GetObjectItemCaseSensitive(item, "head");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(hd, "ref");
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(item, "number");
        const cJSON *state = cJSON_GetObjectItemCaseSensitive(item, "state");
        if (!cJSON_IsString(ref) || strcmp(ref->valuestring, branch) != 0 || !cJSON_IsNumber(num))
            continue;
        const cJSON *repo_owner =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(hd, "user"), "login");
        if (cJSON_IsString(repo_owner) && strcasecmp(repo_owner->valuestring, owner) != 0)
            continue;
        bool open = cJSON_IsString(state) && strcmp(state->valuestring, "open") == 0;
        if (!best || (open && !best_open) ||
            (open == best_open && num->valuedouble > best_number)) {
            best = item;
            best_open = open;
            best_number = num->valuedouble;
        }
    }
    if (best && (rc = hf_gh_pr_parse(best, out, err)) < 0)
        hf_error_wrap(err, "%s/%s", owner, repo);
done:
    cJSON_Delete(list);
    hf_buf_free(&path);
    hf_buf_free(&head);
    return rc;
}

int hf_gh_pr_get(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                 hf_error *err)
{
    *out = NULL;
    if (check_repo(owner, repo, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_printf(&path, "/pulls/%ld", number);
    int rc = call(h, owner, repo, "GET", path.ptr, NULL, 200, &resp, err);
    if (rc == 0)
        rc = pr_from_response(&resp, owner, repo, out, err);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* Whether a 422 says that a PR for this head exists already. */
static bool says_already_exists(const hf_http_response *resp)
{
    bool exists = false;
    cJSON *j = cJSON_ParseWithLength(resp->body.ptr, resp->body.len);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "errors"))
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (cJSON_IsString(m) && strcasestr(m->valuestring, "pull request already exists"))
            exists = true;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (cJSON_IsString(m) && strcasestr(m->valuestring, "pull request already exists"))
        exists = true;
    cJSON_Delete(j);
    return exists;
}

int hf_gh_pr_create(hf_http *h, const char *owner, const char *repo, const hf_gh_pr_spec *spec,
                    hf_gh_pr **out, bool *adopted, hf_error *err)
{
    *out = NULL;
    if (adopted)
        *adopted = false;
    if (check_repo(owner, repo, err) < 0 || check_branch(owner, repo, spec->head, err) < 0 ||
        check_branch(owner, repo, spec->base, err) < 0)
        return -1;
    if (strcmp(spec->head, spec->base) == 0)
        return hf_error_set(err, "%s/%s: the head branch '%s' is the base branch", owner, repo,
                            spec->head);
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_puts(&path, "/pulls");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "title", spec->title ? spec->title : "");
    cJSON_AddStringToObject(body, "body", spec->body ? spec->body : "");
    cJSON_AddStringToObject(body, "head", spec->head);
    cJSON_AddStringToObject(body, "base", spec->base);
    cJSON_AddBoolToObject(body, "draft", spec->draft);
    char *text = cJSON_PrintUnformatted(body);
    int rc = hf_http_request(h, "POST", path.ptr, text, &resp, err);
    if (rc < 0) {
        hf_error_wrap(err, "%s/%s", owner, repo);
    } else if (resp.status == 201) {
        rc = pr_from_response(&resp, owner, repo, out, err);
    } else if (resp.status == 422 && says_already_exists(&resp)) {
        rc = hf_gh_pr_find(h, owner, repo, spec->head, out, err);
        if (rc == 0 && !*out)
            rc = hf_error_set(err,
                              "%s/%s: GitHub says a pull request for %s already exists, but "
                              "none was found",
                              owner, repo, spec->head);
        if (rc == 0 && adopted)
            *adopted = true;
    } else {
        rc = hf_http_fail(err, "POST", path.ptr, &resp);
        hf_error_wrap(err, "%s/%s", owner, repo);
    }
    cJSON_free(text);
    cJSON_Delete(body);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* ---- changing a PR -------------------------------------------------- */

static int patch_pr(hf_http *h, const char *owner, const char *repo, long number, cJSON *body,
                    hf_gh_pr **out, hf_error *err)
{
    if (out)
        *out = NULL;
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    int rc = check_repo(owner, repo, err);
    if (rc == 0) {
        repo_path(&path, owner, repo);
        hf_buf_printf(&path, "/pulls/%ld", number);
        rc = call(h, owner, repo, "PATCH", path.ptr, body, 200, &resp, err);
    }
    if (rc == 0 && out)
        rc = pr_from_response(&resp, owner, repo, out, err);
    cJSON_Delete(body);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

int hf_gh_pr_update(hf_http *h, const char *owner, const char *repo, long number, const char *title,
                    const char *body, hf_gh_pr **out, hf_error *err)
{
    if (!title && !body) {
        if (out)
            *out = NULL;
        return hf_error_set(err, "%s/%s#%ld: nothing to update", owner, repo, number);
    }
    cJSON *patch = cJSON_CreateObject();
    if (title)
        cJSON_AddStringToObject(patch, "title", title);
    if (body)
        cJSON_AddStringToObject(patch, "body", body);
    return patch_pr(h, owner, repo, number, patch, out, err);
}

int hf_gh_pr_close(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                   hf_error *err)
{
    cJSON *patch = cJSON_CreateObject();
    cJSON_AddStringToObject(patch, "state", "closed");
    return patch_pr(h, owner, repo, number, patch, out, err);
}

int hf_gh_pr_reopen(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                    hf_error *err)
{
    cJSON *patch = cJSON_CreateObject();
    cJSON_AddStringToObject(patch, "state", "open");
    return patch_pr(h, owner, repo, number, patch, out, err);
}

int hf_gh_comment_add(hf_http *h, const char *owner, const char *repo, long number,
                      const char *body, hf_error *err)
{
    if (check_repo(owner, repo, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_printf(&path, "/issues/%ld/comments", number);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "body", body ? body : "");
    int rc = call(h, owner, repo, "POST", path.ptr, j, 201, &resp, err);
    cJSON_Delete(j);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* ---- issues --------------------------------------------------------- */

void hf_gh_issue_free(hf_gh_issue *issue)
{
    if (!issue)
        return;
    free(issue->state);
    free(issue->title);
    free(issue->body);
    free(issue->html_url);
    free(issue);
}

static int issue_from_response(const hf_http_response *resp, hf_gh_issue **out, hf_error *err)
{
    cJSON *j = cJSON_ParseWithLength(resp->body.ptr, resp->body.len);
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(j, "number");
    int rc = 0;
    if (!cJSON_IsObject(j) || !cJSON_IsNumber(number) || number->valuedouble < 1) {
        rc = hf_error_set(err, "the API answered with something that is not an issue");
    } else {
        hf_gh_issue *issue = hf_xcalloc(1, sizeof(*issue));
        issue->number = (long)number->valuedouble;
        issue->state = json_str(j, "state");
        issue->title = json_str(j, "title");
        issue->body = json_str(j, "body");
        issue->html_url = json_str(j, "html_url");
        issue->is_pull = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "pull_request"));
        *out = issue;
    }
    cJSON_Delete(j);
    return rc;
}

/* What a refusal of an issue request usually means, for the error. */
static const char *issue_refusal_hint(long status, bool write)
{
    switch (status) {
    case 401:
        return "the token was refused";
    case 403:
        return write ? "the token needs the Issues write permission on %s/%s"
                     : "the token needs the Issues read permission on %s/%s";
    case 404:
        return "no such issue, or the token cannot see %s/%s";
    case 410:
        return "the issue was deleted, or issues are turned off in %s/%s";
    default:
        return NULL;
    }
}

static int issue_call(hf_http *h, const char *owner, const char *repo, long number,
                      const char *method, const cJSON *body, hf_gh_issue **out, hf_error *err)
{
    if (out)
        *out = NULL;
    if (check_repo(owner, repo, err) < 0)
        return -1;
    if (number < 1)
        return hf_error_set(err, "%s/%s#%ld: not an issue number", owner, repo, number);
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_printf(&path, "/issues/%ld", number);
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    int rc = hf_http_request(h, method, path.ptr, text, &resp, err);
    if (rc == 0 && resp.status != 200) {
        rc = hf_http_fail(err, method, path.ptr, &resp);
        const char *hint = issue_refusal_hint(resp.status, body != NULL);
        if (hint) {
            hf_buf msg = HF_BUF_INIT;
            hf_buf_printf(&msg, "%s (", err->msg);
            hf_buf_printf(&msg, hint, owner, repo);
            hf_buf_putc(&msg, ')');
            hf_error_set(err, "%s", msg.ptr);
            hf_buf_free(&msg);
        }
    }
    if (rc == 0 && out)
        rc = issue_from_response(&resp, out, err);
    if (rc < 0)
        hf_error_wrap(err, "issue %s/%s#%ld", owner, repo, number);
    cJSON_free(text);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

int hf_gh_issue_get(hf_http *h, const char *owner, const char *repo, long number, hf_gh_issue **out,
                    hf_error *err)
{
    return issue_call(h, owner, repo, number, "GET", NULL, out, err);
}

int hf_gh_issue_set_body(hf_http *h, const char *owner, const char *repo, long number,
                         const char *body, hf_gh_issue **out, hf_error *err)
{
    cJSON *patch = cJSON_CreateObject();
    cJSON_AddStringToObject(patch, "body", body ? body : "");
    int rc = issue_call(h, owner, repo, number, "PATCH", patch, out, err);
    cJSON_Delete(patch);
    return rc;
}

/* ---- labels and reviewers ------------------------------------------- */

static bool vec_has_nocase(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcasecmp(v->items[i], s) == 0)
            return true;
    return false;
}

int hf_gh_labels_ensure(hf_http *h, const char *owner, const char *repo, long number,
                        const char *const *labels, size_t n, const hf_gh_pr *known, size_t *added,
                        hf_error *err)
{
    if (added)
        *added = 0;
    if (check_repo(owner, repo, err) < 0)
        return -1;
    int rc = 0;
    hf_buf path = HF_BUF_INIT;
    hf_vec have = HF_VEC_INIT;
    cJSON *list = NULL, *missing = cJSON_CreateArray();
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_printf(&path, "/issues/%ld/labels", number);
    if (known) {
        for (size_t i = 0; i < known->labels.len; i++)
            hf_vec_push(&have, hf_xstrdup(known->labels.items[i]));
    } else {
        hf_buf get = HF_BUF_INIT;
        hf_buf_printf(&get, "%s?per_page=100", path.ptr);
        rc = hf_http_get_all(h, get.ptr, NULL, &list, err);
        hf_buf_free(&get);
        if (rc < 0) {
            hf_error_wrap(err, "%s/%s", owner, repo);
            goto done;
        }
        const cJSON *item;
        cJSON_ArrayForEach(item, list)
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
            if (cJSON_IsString(name))
                hf_vec_push(&have, hf_xstrdup(name->valuestring));
        }
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!labels[i] || !*labels[i] || vec_has_nocase(&have, labels[i]))
            continue;
        hf_vec_push(&have, hf_xstrdup(labels[i])); /* a label listed twice is added once */
        cJSON_AddItemToArray(missing, cJSON_CreateString(labels[i]));
        count++;
    }
    if (count) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "labels", missing);
        missing = NULL;
        rc = call(h, owner, repo, "POST", path.ptr, body, 200, &resp, err);
        cJSON_Delete(body);
        if (rc == 0 && added)
            *added = count;
    }
done:
    cJSON_Delete(missing);
    cJSON_Delete(list);
    hf_vec_free(&have, free);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* The current requests, the author and everyone who reviewed already. */
static int reviewers_present(hf_http *h, const char *owner, const char *repo, long number,
                             const hf_gh_pr *known, hf_vec *users, hf_vec *teams, hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    int rc = 0;
    repo_path(&path, owner, repo);
    if (known) {
        for (size_t i = 0; i < known->requested_reviewers.len; i++)
            hf_vec_push(users, hf_xstrdup(known->requested_reviewers.items[i]));
        for (size_t i = 0; i < known->requested_teams.len; i++)
            hf_vec_push(teams, hf_xstrdup(known->requested_teams.items[i]));
        if (*known->user_login)
            hf_vec_push(users, hf_xstrdup(known->user_login));
    } else {
        hf_buf_printf(&path, "/pulls/%ld/requested_reviewers", number);
        rc = call(h, owner, repo, "GET", path.ptr, NULL, 200, &resp, err);
        if (rc < 0)
            goto done;
        cJSON *j = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
        json_names(j, "users", "login", users);
        json_names(j, "teams", "slug", teams);
        cJSON_Delete(j);
    }
done:
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

static int reviewed_already(hf_http *h, const char *owner, const char *repo, long number,
                            hf_vec *users, hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    cJSON *list = NULL;
    repo_path(&path, owner, repo);
    hf_buf_printf(&path, "/pulls/%ld/reviews?per_page=100", number);
    int rc = hf_http_get_all(h, path.ptr, NULL, &list, err);
    if (rc < 0) {
        hf_error_wrap(err, "%s/%s", owner, repo);
    } else {
        const cJSON *item;
        cJSON_ArrayForEach(item, list)
        {
            const cJSON *login = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(item, "user"), "login");
            if (cJSON_IsString(login))
                hf_vec_push(users, hf_xstrdup(login->valuestring));
        }
    }
    cJSON_Delete(list);
    hf_buf_free(&path);
    return rc;
}

int hf_gh_reviewers_ensure(hf_http *h, const char *owner, const char *repo, long number,
                           const char *const *reviewers, size_t n, const hf_gh_pr *known,
                           bool fresh, size_t *added, hf_error *err)
{
    if (added)
        *added = 0;
    if (check_repo(owner, repo, err) < 0)
        return -1;
    hf_vec users = HF_VEC_INIT, teams = HF_VEC_INIT;
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    cJSON *want_users = cJSON_CreateArray(), *want_teams = cJSON_CreateArray();
    bool looked_at_reviews = fresh;
    size_t count = 0;
    int rc = reviewers_present(h, owner, repo, number, known, &users, &teams, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *r = reviewers[i];
        if (!r || !*r)
            continue;
        if (*r == '@')
            r++;
        const char *slash = strchr(r, '/');
        if (slash) {
            const char *slug = slash + 1;
            if (vec_has_nocase(&teams, slug))
                continue;
            hf_vec_push(&teams, hf_xstrdup(slug));
            cJSON_AddItemToArray(want_teams, cJSON_CreateString(slug));
            count++;
            continue;
        }
        if (vec_has_nocase(&users, r))
            continue;
        if (!looked_at_reviews) {
            /* Only when someone is missing: a reviewer who already reviewed
             * is no longer listed as requested. */
            looked_at_reviews = true;
            rc = reviewed_already(h, owner, repo, number, &users, err);
            if (rc < 0 || vec_has_nocase(&users, r))
                continue;
        }
        hf_vec_push(&users, hf_xstrdup(r));
        cJSON_AddItemToArray(want_users, cJSON_CreateString(r));
        count++;
    }
    if (rc == 0 && count) {
        repo_path(&path, owner, repo);
        hf_buf_printf(&path, "/pulls/%ld/requested_reviewers", number);
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "reviewers", want_users);
        cJSON_AddItemToObject(body, "team_reviewers", want_teams);
        want_users = want_teams = NULL;
        rc = call(h, owner, repo, "POST", path.ptr, body, 201, &resp, err);
        cJSON_Delete(body);
        if (rc == 0 && added)
            *added = count;
    }
    cJSON_Delete(want_users);
    cJSON_Delete(want_teams);
    hf_vec_free(&users, free);
    hf_vec_free(&teams, free);
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* ---- branches ------------------------------------------------------- */

int hf_gh_branch_delete(hf_http *h, const char *owner, const char *repo, const char *branch,
                        bool *deleted, hf_error *err)
{
    if (deleted)
        *deleted = false;
    if (check_repo(owner, repo, err) < 0 || check_branch(owner, repo, branch, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT;
    hf_http_response resp = HF_HTTP_RESPONSE_INIT;
    repo_path(&path, owner, repo);
    hf_buf_puts(&path, "/git/refs/heads/");
    hf_http_escape(&path, branch, true);
    int rc = hf_http_request(h, "DELETE", path.ptr, NULL, &resp, err);
    if (rc < 0) {
        hf_error_wrap(err, "%s/%s", owner, repo);
    } else if (resp.status == 204) {
        if (deleted)
            *deleted = true;
    } else if (resp.status == 422 && strcasestr(hf_buf_cstr(&resp.body), "does not exist")) {
        /* Gone already: deleted by a person, or by our own retried request. */
    } else {
        rc = hf_http_fail(err, "DELETE", path.ptr, &resp);
        hf_error_wrap(err, "%s/%s", owner, repo);
    }
    hf_http_response_free(&resp);
    hf_buf_free(&path);
    return rc;
}

/* ---- the hash marker ------------------------------------------------ */

void hf_gh_content_hash(const char *title, const char *body, char out[HF_GH_HASH_HEX + 1])
{
    hf_buf all = HF_BUF_INIT;
    /* The NUL between the parts keeps ("ab","c") and ("a","bc") apart. */
    hf_buf_puts(&all, title ? title : "");
    hf_buf_putc(&all, '\0');
    hf_buf_puts(&all, body ? body : "");
    snprintf(out, HF_GH_HASH_HEX + 1, "%016" PRIx64, hf_hash_fnv1a64(all.ptr, all.len));
    hf_buf_free(&all);
}

/* Length of a well-formed marker at p (0 if there is none). */
static size_t marker_at(const char *p, const char **hex, size_t *hex_len)
{
    size_t open = strlen(MARKER_OPEN);
    if (strncmp(p, MARKER_OPEN, open) != 0)
        return 0;
    const char *h = p + open;
    size_t n = 0;
    while ((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f'))
        n++;
    if (n == 0 || n > MAX_HASH_HEX || strncmp(h + n, MARKER_CLOSE, strlen(MARKER_CLOSE)) != 0)
        return 0;
    if (hex) {
        *hex = h;
        *hex_len = n;
    }
    return open + n + strlen(MARKER_CLOSE);
}

void hf_gh_body_with_hash(hf_buf *out, const char *body, const char *hex)
{
    hf_buf_clear(out);
    const char *p = body ? body : "";
    while (*p) {
        size_t n = marker_at(p, NULL, NULL);
        if (n) {
            p += n;
            if (*p == '\r')
                p++;
            if (*p == '\n')
                p++;
        } else {
            hf_buf_putc(out, *p++);
        }
    }
    while (out->len && (out->ptr[out->len - 1] == '\n' || out->ptr[out->len - 1] == '\r' ||
                        out->ptr[out->len - 1] == ' '))
        hf_buf_truncate(out, out->len - 1);
    if (out->len)
        hf_buf_puts(out, "\n\n");
    hf_buf_printf(out, MARKER_OPEN "%s" MARKER_CLOSE "\n", hex);
}

int hf_gh_body_hash(const char *body, char *out, size_t out_size)
{
    int found = 0;
    for (const char *p = body ? strstr(body, MARKER_OPEN) : NULL; p;
         p = strstr(p + 1, MARKER_OPEN)) {
        const char *hex;
        size_t n;
        if (marker_at(p, &hex, &n) && n < out_size) {
            memcpy(out, hex, n);
            out[n] = '\0';
            found = 1;
        }
    }
    return found;
}
