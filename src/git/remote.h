/* What every conversation with a remote shares: where it is (a local path,
 * file:// or http(s)), how the token travels (an Authorization header sent
 * with the first request, only to the configured host) and error messages
 * that never show a credential. */
#ifndef HF_GIT_REMOTE_H
#define HF_GIT_REMOTE_H

#include <git2.h>
#include <stdbool.h>

#include "util/buf.h"
#include "util/error.h"

/* Initialises libgit2 for the process: call once before any worker thread
 * starts, and hf_git_shutdown once after the last one ended. */
int hf_git_init(hf_error *err);
void hf_git_shutdown(void);

/* A remote as handoff talks to it. Nothing here is ever written into a
 * repository's configuration. */
typedef struct hf_remote_spec {
    const char *repo;  /* "owner/name": names the repo in error messages */
    const char *url;   /* a local path (checkout or bare), file://, http(s):// */
    const char *token; /* http(s): sent as user x-access-token in an
                        * Authorization header with every request to url's
                        * host (a redirect to another host is refused);
                        * NULL: anonymous. Registered with hf_log_add_secret
                        * on first use. */
} hf_remote_spec;

/* The URL handed to libgit2: a local path is made absolute, others unchanged. */
int hf_remote_url(hf_buf *out, const char *url, hf_error *err);
/* The URL as shown in messages: user info dropped
 * ("https://u:p@host/x.git" -> "https://host/x.git"). */
void hf_remote_display_url(hf_buf *out, const char *url);

/* Checks that branch is a short branch name git accepts ("handoff/x"). */
int hf_branch_name_check(const char *branch, hf_error *err);

/* Reads the tip of refs/heads/<branch> on the remote (git ls-remote): zero
 * when the branch is absent. default_branch (may be NULL) receives the
 * remote's default branch as a short name the caller frees, or NULL when the
 * remote does not say. No repository is needed. */
int hf_remote_branch_tip(const hf_remote_spec *spec, const char *branch, git_oid *tip,
                         char **default_branch, hf_error *err);

/* ---- for src/git only ---------------------------------------------------- */

/* The credentials of one connection. With a token over http(s) the
 * Authorization header goes with the first request (as actions/checkout's
 * http.extraheader does): no 401 round trip, so none of libgit2 1.5.1's
 * trouble replaying a request after a 401 that has a body. The credential
 * callback then only runs when the server refused that header, and ends the
 * operation. Without a token it answers MISSING when the server asks. */
typedef struct hf_credential_state {
    const char *token;
    char host[256]; /* the token goes to this host name only */
    int asked;
    char *header; /* "Authorization: Basic ...", sent with every request, or NULL
                     (a secret; wiped on dispose) */
    char *header_list[1];
    git_strarray headers; /* custom_headers for libgit2: the header or nothing */
    enum {
        HF_CRED_OK,
        HF_CRED_REJECTED,
        HF_CRED_MISSING,
        HF_CRED_UNSUPPORTED,
        HF_CRED_OTHER_HOST
    } outcome;
} hf_credential_state;

/* Fills st for spec's token and host and opts (initialised here) with the
 * credential callback, automatic proxy, the header and no redirects to
 * another host while a token is sent. hf_credential_state_dispose st. */
void hf_remote_connect_init(git_remote_connect_options *opts, hf_credential_state *st,
                            const hf_remote_spec *spec);
void hf_credential_state_dispose(hf_credential_state *st);
/* A remote for spec->url (made absolute when local), detached when repo is NULL. */
int hf_remote_open(git_remote **out, git_repository *repo, const hf_remote_spec *spec,
                   hf_error *err);
/* Sets "<repo>: <what> <display url>: <reason>", the reason taken from the
 * credential outcome when it failed, else libgit2's last error. Returns -1. */
int hf_remote_fail(hf_error *err, const hf_remote_spec *spec, const char *what,
                   const hf_credential_state *st);
/* The short name of the default branch the connected remote advertises, or
 * NULL (caller frees). */
char *hf_remote_default_branch(git_remote *remote);
/* libgit2's last error message, or fallback. */
const char *hf_git_last_error(const char *fallback);

#endif
