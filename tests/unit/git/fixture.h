/* Test fixtures for src/git: temporary directories, repositories and
 * commits built with libgit2, the git CLI for verification, and the
 * loopback smart-HTTP server. */
#ifndef HF_TEST_GIT_FIXTURE_H
#define HF_TEST_GIT_FIXTURE_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

/* A file of a test tree. len 0 with data: strlen(data). mode 0: 100644. */
typedef struct fx_file {
    const char *path;
    const char *data;
    size_t len;
    unsigned mode;
} fx_file;

/* Sets a hermetic environment (HOME, git identity, no system config) and
 * initialises libgit2. Call from each test program's group setup. */
void fx_global_setup(void);
void fx_global_teardown(void);

/* A fresh directory under the test's temporary root (removed at teardown). */
char *fx_tmpdir(const char *name);

/* Builds a tree from files in repo's object database. */
void fx_tree(git_repository *repo, const fx_file *files, size_t n, git_oid *out);
/* Commits files (parent may be NULL) and points ref at it when ref is not
 * NULL. Fixed author and time so ids are reproducible. */
void fx_commit(git_repository *repo, const char *ref, const git_oid *parent, const fx_file *files,
               size_t n, const char *message, git_oid *out);
/* A bare repository whose HEAD names head_branch. */
git_repository *fx_bare(const char *path, const char *head_branch);
/* The commit a ref of the repository at path points to (zero when absent). */
void fx_ref(const char *repo_path, const char *ref, git_oid *out);

/* Runs a shell command; returns its exit status. fx_sh_out also captures
 * stdout (trailing newline trimmed). */
int fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fx_sh_out(hf_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The loopback git server (tests/git-server). */
typedef struct fx_server {
    pid_t pid;
    int port;
    char *log; /* request log path */
} fx_server;

/* How to start it; NULL and false leave an option out. */
typedef struct fx_server_opts {
    const char *root;
    const char *user; /* NULL: no auth */
    const char *password;
    const char *tokens_file; /* more passwords with their expiry */
    bool body_401;           /* 401 with a body, as nginx answers */
    const char *reject_file; /* while it exists, pushes are refused */
    const char *redirect;    /* answer every request with a redirect here */
} fx_server_opts;

void fx_server_start_opts(fx_server *s, const fx_server_opts *o);
/* user NULL: no auth. reject_file NULL: pushes accepted. */
void fx_server_start(fx_server *s, const char *root, const char *user, const char *password,
                     const char *reject_file);
/* A server that answers every request with a redirect to url_prefix. */
void fx_server_start_redirect(fx_server *s, const char *url_prefix);
void fx_server_stop(fx_server *s);
/* The request log so far. */
void fx_server_log(fx_server *s, hf_buf *out);
/* How many lines of the log contain needle. */
size_t fx_count(const char *haystack, const char *needle);

#endif
