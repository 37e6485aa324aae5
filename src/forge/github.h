/* The GitHub pull-request primitives that convergence is built from: find a
 * PR by its head branch, create (adopting a duplicate), update, close, reopen,
 * comment, add missing labels and reviewers, delete the branch; and the hash
 * marker that says whether a PR's title and body are already what handoff
 * would write; and reading and rewriting an issue's body (the dashboard
 * issue). Each call names the repository as owner and repo. */
#ifndef HF_FORGE_GITHUB_H
#define HF_FORGE_GITHUB_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "forge/http.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

/* A pull request as GitHub reports it. Strings are never NULL ("" when the
 * API gave null). Free with hf_gh_pr_free. */
typedef struct hf_gh_pr {
    long number;
    char *state; /* "open" or "closed" */
    bool merged;
    bool draft;
    char *title;
    char *body;
    char *head_ref;
    char *head_sha;
    char *base_ref;
    char *html_url;
    char *user_login;
    hf_vec labels;              /* char *: label names */
    hf_vec requested_reviewers; /* char *: user logins */
    hf_vec requested_teams;     /* char *: team slugs */
} hf_gh_pr;

/* What to open. head is the branch in the same repository. */
typedef struct hf_gh_pr_spec {
    const char *title;
    const char *body;
    const char *head;
    const char *base;
    bool draft;
} hf_gh_pr_spec;

void hf_gh_pr_free(hf_gh_pr *pr);
/* Parses one pull-request object of the REST API. */
int hf_gh_pr_parse(const cJSON *json, hf_gh_pr **out, hf_error *err);

/* The login of the token's user (GET /user): the author of the PRs handoff
 * opens. The caller frees *login. */
int hf_gh_user_login(hf_http *h, char **login, hf_error *err);

/* The PR whose head is owner:branch, open or closed (all pages). When there
 * are several, an open one wins, then the highest number. *out is NULL when
 * there is none. */
int hf_gh_pr_find(hf_http *h, const char *owner, const char *repo, const char *branch,
                  hf_gh_pr **out, hf_error *err);
int hf_gh_pr_get(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                 hf_error *err);
/* Opens a PR. When GitHub answers 422 because a PR for that head already
 * exists (say, a retried request that had succeeded), that PR is returned and
 * *adopted (optional) is set. */
int hf_gh_pr_create(hf_http *h, const char *owner, const char *repo, const hf_gh_pr_spec *spec,
                    hf_gh_pr **out, bool *adopted, hf_error *err);
/* PATCHes title and/or body (NULL leaves one as it is). out is optional. */
int hf_gh_pr_update(hf_http *h, const char *owner, const char *repo, long number, const char *title,
                    const char *body, hf_gh_pr **out, hf_error *err);
int hf_gh_pr_close(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                   hf_error *err);
int hf_gh_pr_reopen(hf_http *h, const char *owner, const char *repo, long number, hf_gh_pr **out,
                    hf_error *err);
int hf_gh_comment_add(hf_http *h, const char *owner, const char *repo, long number,
                      const char *body, hf_error *err);

/* Adds those of labels[0..n) the issue lacks (names compare without case);
 * no request is sent when none is missing. The current labels come from
 * `known` when given (a PR just fetched), else from a GET. *added optional. */
int hf_gh_labels_ensure(hf_http *h, const char *owner, const char *repo, long number,
                        const char *const *labels, size_t n, const hf_gh_pr *known, size_t *added,
                        hf_error *err);
/* Requests review from those of reviewers[0..n) not yet requested: "login"
 * for a user, "org/slug" for a team. The PR's author and users who already
 * reviewed count as present (re-requesting them would notify them again on
 * every run). Current requests come from `known` when given, else a GET.
 * fresh: the PR was opened by this caller moments ago, so nobody has
 * reviewed it and the reviews are not asked for. */
int hf_gh_reviewers_ensure(hf_http *h, const char *owner, const char *repo, long number,
                           const char *const *reviewers, size_t n, const hf_gh_pr *known,
                           bool fresh, size_t *added, hf_error *err);

/* out = "/repos/OWNER/REPO" after checking both names; -1 when they are not
 * GitHub names. */
int hf_gh_repo_path(hf_buf *out, const char *owner, const char *repo, hf_error *err);

/* Deletes refs/heads/branch. A branch that is already gone is not an error;
 * *deleted (optional) says whether this call removed it. */
int hf_gh_branch_delete(hf_http *h, const char *owner, const char *repo, const char *branch,
                        bool *deleted, hf_error *err);

/* ---- issues --------------------------------------------------------- */

/* An issue as GitHub reports it (the fields the dashboard needs). Strings
 * are never NULL: a body GitHub gives as null reads "". Free with
 * hf_gh_issue_free. */
typedef struct hf_gh_issue {
    long number;
    char *state; /* "open" or "closed" */
    char *title;
    char *body;
    char *html_url;
    bool is_pull; /* the number is a pull request's (GitHub shares them) */
} hf_gh_issue;

void hf_gh_issue_free(hf_gh_issue *issue);

/* GET /repos/{owner}/{repo}/issues/{number}: conditional when the client
 * has an ETag cache, so an unchanged issue costs a 304. Errors name the
 * issue and, for 403, 404 and 410, what usually causes them. */
int hf_gh_issue_get(hf_http *h, const char *owner, const char *repo, long number, hf_gh_issue **out,
                    hf_error *err);
/* PATCHes the body alone (title, state and labels are left as they are).
 * out is optional. */
int hf_gh_issue_set_body(hf_http *h, const char *owner, const char *repo, long number,
                         const char *body, hf_gh_issue **out, hf_error *err);

/* ---- the hash marker ------------------------------------------------ */

#define HF_GH_HASH_HEX 16

/* The hash of what handoff would write (title and body without a marker),
 * as 16 lowercase hex digits. */
void hf_gh_content_hash(const char *title, const char *body, char out[HF_GH_HASH_HEX + 1]);
/* out = body without any marker, then "<!-- handoff:hash=HEX -->" on its own
 * last line. hex must be 1-64 lowercase hex digits. */
void hf_gh_body_with_hash(hf_buf *out, const char *body, const char *hex);
/* Reads the last marker of body into out (at least 65 bytes): 1 when found,
 * 0 when the body has none (or only malformed ones). */
int hf_gh_body_hash(const char *body, char *out, size_t out_size);

#endif
