/* Remote plumbing shared by the mirror cache and push: URLs, the token's
 * Authorization header and the callback that reports its refusal, and error
 * messages without credentials. */
#include "git/remote.h"

#include <openssl/evp.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

int hf_git_init(hf_error *err)
{
    if (git_libgit2_init() < 0)
        return hf_error_set(err, "libgit2: %s", hf_git_last_error("initialisation failed"));
    return 0;
}

void hf_git_shutdown(void)
{
    git_libgit2_shutdown();
}

const char *hf_git_last_error(const char *fallback)
{
    const git_error *e = git_error_last();
    return e && e->message && *e->message ? e->message : fallback;
}

/* A URL names its scheme ("https://", "file://") or is scp-like
 * ("git@host:path", a colon before any slash); anything else is a path. */
static int is_url(const char *s)
{
    if (strstr(s, "://"))
        return 1;
    const char *colon = strchr(s, ':');
    const char *slash = strchr(s, '/');
    return colon && colon != s && (!slash || colon < slash);
}

int hf_remote_url(hf_buf *out, const char *url, hf_error *err)
{
    hf_buf_clear(out);
    if (!url || !*url)
        return hf_error_set(err, "empty remote URL");
    if (is_url(url) || url[0] == '/') {
        hf_buf_puts(out, url);
        return 0;
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return hf_error_set(err, "%s: cannot resolve a relative path: no working directory", url);
    hf_buf_printf(out, "%s/%s", cwd, url);
    free(cwd);
    return 0;
}

void hf_remote_display_url(hf_buf *out, const char *url)
{
    hf_buf_clear(out);
    if (!url)
        return;
    const char *scheme = strstr(url, "://");
    if (!scheme) {
        hf_buf_puts(out, url);
        return;
    }
    const char *host = scheme + 3;
    size_t authority = strcspn(host, "/?#");
    const char *at = NULL;
    for (const char *p = host; p < host + authority; p++)
        if (*p == '@')
            at = p;
    hf_buf_put(out, url, (size_t)(host - url));
    hf_buf_puts(out, at ? at + 1 : host);
}

int hf_branch_name_check(const char *branch, hf_error *err)
{
    if (!branch || !*branch)
        return hf_error_set(err, "empty branch name");
    hf_buf ref = HF_BUF_INIT;
    hf_buf_printf(&ref, "refs/heads/%s", branch);
    int valid = 0;
    int rc = git_reference_name_is_valid(&valid, hf_buf_cstr(&ref));
    hf_buf_free(&ref);
    if (rc < 0 || !valid || strncmp(branch, "refs/", 5) == 0)
        return hf_error_set(err, "'%s' is not a valid branch name", branch);
    return 0;
}

/* The host name of a URL (no user info, no port), lower-cased; "" for a
 * path. */
static void url_host(char *out, size_t size, const char *url)
{
    out[0] = '\0';
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return;
    p += 3;
    size_t len = strcspn(p, "/?#");
    for (size_t i = len; i > 0; i--)
        if (p[i - 1] == '@') {
            p += i;
            len -= i;
            break;
        }
    size_t end = len;
    if (len && p[0] == '[') { /* [::1]:port */
        const char *close = memchr(p, ']', len);
        if (close)
            end = (size_t)(close - p) + 1;
    } else {
        const char *colon = memchr(p, ':', len);
        if (colon)
            end = (size_t)(colon - p);
    }
    size_t n = end < size - 1 ? end : size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
}

static int acquire_credential(git_credential **out, const char *url, const char *username_from_url,
                              unsigned int allowed_types, void *payload)
{
    hf_credential_state *st = payload;
    (void)username_from_url;
    char host[sizeof(st->host)];
    url_host(host, sizeof(host), url);
    /* A redirect may take the conversation elsewhere; the token stays with
     * the host it was configured for. */
    if (strcmp(host, st->host) != 0) {
        st->outcome = HF_CRED_OTHER_HOST;
        return GIT_EUSER;
    }
    /* The token went with the request and the server still asks. */
    if (st->header) {
        st->outcome = HF_CRED_REJECTED;
        return GIT_EUSER;
    }
    if (!(allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        st->outcome = HF_CRED_UNSUPPORTED;
        return GIT_EUSER;
    }
    if (!st->token || !*st->token) {
        st->outcome = HF_CRED_MISSING;
        return GIT_EUSER;
    }
    /* Asked again on the same connection: the token was refused. Giving up
     * here is what stops libgit2 from retrying the same secret in a loop. */
    if (st->asked++) {
        st->outcome = HF_CRED_REJECTED;
        return GIT_EUSER;
    }
    return git_credential_userpass_plaintext_new(out, "x-access-token", st->token);
}

/* "Authorization: Basic base64(x-access-token:TOKEN)", what git's
 * http.extraheader carries for GitHub; NULL for a token no header can hold. */
static char *basic_header(const char *token)
{
    if (strpbrk(token, "\r\n"))
        return NULL;
    hf_buf plain = HF_BUF_INIT;
    hf_buf_printf(&plain, "x-access-token:%s", token);
    size_t cap = 4 * ((plain.len + 2) / 3) + 1;
    unsigned char *b64 = hf_xmalloc(cap);
    int n = EVP_EncodeBlock(b64, (const unsigned char *)plain.ptr, (int)plain.len);
    hf_buf header = HF_BUF_INIT;
    if (n > 0) {
        hf_log_add_secret((const char *)b64);
        hf_buf_printf(&header, "Authorization: Basic %.*s", n, (const char *)b64);
    }
    memset(b64, 0, cap);
    free(b64);
    memset(plain.ptr, 0, plain.len);
    hf_buf_free(&plain);
    return n > 0 ? hf_buf_detach(&header) : NULL;
}

void hf_remote_connect_init(git_remote_connect_options *opts, hf_credential_state *st,
                            const hf_remote_spec *spec)
{
    git_remote_connect_options_init(opts, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
    memset(st, 0, sizeof(*st));
    st->token = spec->token;
    url_host(st->host, sizeof(st->host), spec->url);
    hf_log_add_secret(spec->token);
    /* Only http(s) has a host; a path or file:// never sees the token. */
    if (spec->token && *spec->token && *st->host && strncasecmp(spec->url, "http", 4) == 0)
        st->header = basic_header(spec->token);
    if (st->header) {
        st->header_list[0] = st->header;
        st->headers.strings = st->header_list;
        st->headers.count = 1;
        /* The header would follow a redirect anywhere; with NONE libgit2
         * still follows one on the same host and refuses any other. */
        opts->follow_redirects = GIT_REMOTE_REDIRECT_NONE;
    }
    opts->custom_headers = st->headers;
    opts->callbacks.credentials = acquire_credential;
    opts->callbacks.payload = st;
    opts->proxy_opts.type = GIT_PROXY_AUTO;
}

void hf_credential_state_dispose(hf_credential_state *st)
{
    hf_free_secret(st->header);
    memset(st, 0, sizeof(*st));
}

int hf_remote_open(git_remote **out, git_repository *repo, const hf_remote_spec *spec,
                   hf_error *err)
{
    hf_buf url = HF_BUF_INIT;
    int rc = 0;
    *out = NULL;
    if (hf_remote_url(&url, spec->url, err) < 0) {
        rc = hf_error_wrap(err, "%s", spec->repo);
        goto done;
    }
    /* No url.<base>.insteadOf rewriting: the URL handoff was given is the
     * one it talks to (a rewrite to ssh would also bypass the token). It
     * also avoids a libgit2 1.5 leak: its PCRE2 matcher leaks per config
     * entry scanned for insteadOf, about 100 KiB per remote. */
    git_remote_create_options create;
    git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    create.repository = repo;
    create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    rc = git_remote_create_with_opts(out, hf_buf_cstr(&url), &create);
    if (rc < 0)
        rc = hf_remote_fail(err, spec, "open remote", NULL);
done:
    hf_buf_free(&url);
    return rc;
}

int hf_remote_fail(hf_error *err, const hf_remote_spec *spec, const char *what,
                   const hf_credential_state *st)
{
    const char *reason = hf_git_last_error("unknown error");
    hf_buf why = HF_BUF_INIT;
    if (st && st->header && strncmp(reason, "cannot redirect from", 20) == 0) {
        hf_buf_printf(&why,
                      "%s: a server on another host asks for the request; the token is only "
                      "sent to the configured host",
                      reason);
        reason = why.ptr;
    }
    if (st) {
        switch (st->outcome) {
        case HF_CRED_REJECTED:
            reason = "authentication failed: the server refused the token";
            break;
        case HF_CRED_MISSING:
            reason = "authentication required and no token was given (set GITHUB_TOKEN)";
            break;
        case HF_CRED_UNSUPPORTED:
            reason = "the server asks for a kind of credential handoff cannot give "
                     "(only a token over http(s))";
            break;
        case HF_CRED_OTHER_HOST:
            reason = "a server on another host (after a redirect) asks for credentials; "
                     "the token is only sent to the configured host";
            break;
        case HF_CRED_OK:
            break;
        }
    }
    hf_buf url = HF_BUF_INIT, msg = HF_BUF_INIT;
    hf_remote_display_url(&url, spec->url);
    hf_buf_printf(&msg, "%s: %s %s: %s", spec->repo ? spec->repo : "?", what, hf_buf_cstr(&url),
                  reason);
    hf_log_redact(&msg);
    hf_error_set(err, "%s", hf_buf_cstr(&msg));
    hf_buf_free(&url);
    hf_buf_free(&msg);
    hf_buf_free(&why);
    git_error_clear();
    return -1;
}

char *hf_remote_default_branch(git_remote *remote)
{
    git_buf ref = GIT_BUF_INIT;
    char *out = NULL;
    if (git_remote_default_branch(&ref, remote) == 0 && ref.ptr &&
        strncmp(ref.ptr, "refs/heads/", 11) == 0 && ref.ptr[11])
        out = hf_xstrdup(ref.ptr + 11);
    git_buf_dispose(&ref);
    git_error_clear();
    return out;
}

int hf_remote_branch_tip(const hf_remote_spec *spec, const char *branch, git_oid *tip,
                         char **default_branch, hf_error *err)
{
    git_remote *remote = NULL;
    git_remote_connect_options co;
    hf_credential_state st;
    hf_buf ref = HF_BUF_INIT;
    int rc = 0;

    memset(tip, 0, sizeof(*tip));
    memset(&st, 0, sizeof(st));
    if (default_branch)
        *default_branch = NULL;
    if (hf_branch_name_check(branch, err) < 0)
        return hf_error_wrap(err, "%s", spec->repo);
    if ((rc = hf_remote_open(&remote, NULL, spec, err)) < 0)
        goto done;
    hf_remote_connect_init(&co, &st, spec);
    if (git_remote_connect_ext(remote, GIT_DIRECTION_FETCH, &co) < 0) {
        rc = hf_remote_fail(err, spec, "connect to", &st);
        goto done;
    }
    const git_remote_head **heads;
    size_t n;
    if (git_remote_ls(&heads, &n, remote) < 0) {
        rc = hf_remote_fail(err, spec, "list branches of", &st);
        goto done;
    }
    hf_buf_printf(&ref, "refs/heads/%s", branch);
    for (size_t i = 0; i < n; i++)
        if (strcmp(heads[i]->name, hf_buf_cstr(&ref)) == 0)
            git_oid_cpy(tip, &heads[i]->oid);
    if (default_branch)
        *default_branch = hf_remote_default_branch(remote);
done:
    if (remote)
        git_remote_disconnect(remote);
    git_remote_free(remote);
    hf_credential_state_dispose(&st);
    hf_buf_free(&ref);
    return rc;
}
