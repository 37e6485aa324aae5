/* Fixtures for the src/git tests: a hermetic git environment, repositories
 * built with libgit2, shell commands for checking results with the real git
 * CLI, and the loopback smart-HTTP server started as a child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git/remote.h"
#include "util/fs.h"

static char *tmp_root;
static int tmp_seq;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fx_global_setup(void)
{
    const char *base = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/hf-git-test-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(path));
    tmp_root = strdup(path);

    char home[4200];
    snprintf(home, sizeof(home), "%s/home", tmp_root);
    hf_error err;
    assert_int_equal(hf_fs_mkdirs(home, &err), 0);
    setenv("HOME", home, 1);
    setenv("XDG_CONFIG_HOME", home, 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_AUTHOR_NAME", "Test Author", 1);
    setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
    setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
    setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    assert_int_equal(fx_sh("git config --global init.defaultBranch main && "
                           "git config --global advice.detachedHead false"),
                     0);
    assert_int_equal(hf_git_init(&err), 0);
}

void fx_global_teardown(void)
{
    hf_git_shutdown();
    if (tmp_root && !getenv("HF_KEEP_TMP"))
        nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(tmp_root);
    tmp_root = NULL;
}

char *fx_tmpdir(const char *name)
{
    hf_buf path = HF_BUF_INIT;
    hf_error err;
    hf_buf_printf(&path, "%s/%d-%s", tmp_root, ++tmp_seq, name);
    assert_int_equal(hf_fs_mkdirs(hf_buf_cstr(&path), &err), 0);
    return hf_buf_detach(&path);
}

void fx_tree(git_repository *repo, const fx_file *files, size_t n, git_oid *out)
{
    git_index *index = NULL;
    assert_int_equal(git_index_new(&index), 0);
    for (size_t i = 0; i < n; i++) {
        git_index_entry e;
        memset(&e, 0, sizeof(e));
        size_t len = files[i].len ? files[i].len : strlen(files[i].data);
        assert_int_equal(git_blob_create_from_buffer(&e.id, repo, files[i].data, len), 0);
        e.mode = files[i].mode ? files[i].mode : GIT_FILEMODE_BLOB;
        e.path = files[i].path;
        assert_int_equal(git_index_add(index, &e), 0);
    }
    assert_int_equal(git_index_write_tree_to(out, index, repo), 0);
    git_index_free(index);
}

void fx_commit(git_repository *repo, const char *ref, const git_oid *parent, const fx_file *files,
               size_t n, const char *message, git_oid *out)
{
    git_oid tree_id;
    git_tree *tree = NULL;
    git_commit *parent_commit = NULL;
    git_signature *sig = NULL;
    static int tick;
    fx_tree(repo, files, n, &tree_id);
    assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
    if (parent)
        assert_int_equal(git_commit_lookup(&parent_commit, repo, parent), 0);
    assert_int_equal(
        git_signature_new(&sig, "Fixture", "fixture@example.com", 1700000000 + 60 * ++tick, 0), 0);
    const git_commit *parents[1] = {parent_commit};
    assert_int_equal(
        git_commit_create(out, repo, ref, sig, sig, NULL, message, tree, parent ? 1 : 0, parents),
        0);
    git_signature_free(sig);
    git_commit_free(parent_commit);
    git_tree_free(tree);
}

git_repository *fx_bare(const char *path, const char *head_branch)
{
    git_repository *repo = NULL;
    assert_int_equal(git_repository_init(&repo, path, 1), 0);
    hf_buf ref = HF_BUF_INIT;
    hf_buf_printf(&ref, "refs/heads/%s", head_branch);
    assert_int_equal(git_repository_set_head(repo, hf_buf_cstr(&ref)), 0);
    hf_buf_free(&ref);
    return repo;
}

void fx_ref(const char *repo_path, const char *ref, git_oid *out)
{
    git_repository *repo = NULL;
    memset(out, 0, sizeof(*out));
    assert_int_equal(git_repository_open(&repo, repo_path), 0);
    if (git_reference_name_to_id(out, repo, ref) < 0)
        memset(out, 0, sizeof(*out));
    git_repository_free(repo);
}

static int run(hf_buf *out, const char *fmt, va_list ap)
{
    hf_buf cmd = HF_BUF_INIT;
    hf_buf_vprintf(&cmd, fmt, ap);
    FILE *p = popen(hf_buf_cstr(&cmd), "r");
    assert_non_null(p);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        if (out)
            hf_buf_put(out, chunk, n);
    int status = pclose(p);
    if (out)
        while (out->len && out->ptr[out->len - 1] == '\n')
            hf_buf_truncate(out, out->len - 1);
    hf_buf_free(&cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

int fx_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = run(NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int fx_sh_out(hf_buf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hf_buf_clear(out);
    int rc = run(out, fmt, ap);
    va_end(ap);
    return rc;
}

void fx_server_start_opts(fx_server *s, const fx_server_opts *o)
{
    const char *exe = getenv("HF_GIT_HTTP_SERVER");
    if (!exe)
        fail_msg("HF_GIT_HTTP_SERVER is not set (run the tests through meson)");
    char *dir = fx_tmpdir("server");
    hf_buf log = HF_BUF_INIT;
    hf_buf_printf(&log, "%s/requests.log", dir);
    free(dir);
    s->log = hf_buf_detach(&log);

    const char *argv[20];
    int argc = 0;
    argv[argc++] = exe;
    argv[argc++] = "--root";
    argv[argc++] = o->root;
    argv[argc++] = "--log";
    argv[argc++] = s->log;
    if (o->user) {
        argv[argc++] = "--user";
        argv[argc++] = o->user;
        argv[argc++] = "--password";
        argv[argc++] = o->password;
    }
    if (o->tokens_file) {
        argv[argc++] = "--tokens-file";
        argv[argc++] = o->tokens_file;
    }
    if (o->body_401)
        argv[argc++] = "--401-body";
    if (o->reject_file) {
        argv[argc++] = "--reject-push";
        argv[argc++] = o->reject_file;
    }
    if (o->redirect) {
        argv[argc++] = "--redirect";
        argv[argc++] = o->redirect;
    }
    argv[argc] = NULL;

    int out[2];
    assert_int_equal(pipe(out), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char port[32] = {0};
    size_t got = 0;
    while (got < sizeof(port) - 1) {
        ssize_t r = read(out[0], port + got, 1);
        if (r <= 0 || port[got] == '\n')
            break;
        got++;
    }
    close(out[0]);
    s->port = atoi(port);
    if (s->port <= 0)
        fail_msg("the git server did not start");
}

void fx_server_start(fx_server *s, const char *root, const char *user, const char *password,
                     const char *reject_file)
{
    fx_server_opts o = {
        .root = root, .user = user, .password = password, .reject_file = reject_file};
    fx_server_start_opts(s, &o);
}

void fx_server_start_redirect(fx_server *s, const char *url_prefix)
{
    fx_server_opts o = {.root = "/nonexistent", .redirect = url_prefix};
    fx_server_start_opts(s, &o);
}

void fx_server_stop(fx_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
    free(s->log);
    s->log = NULL;
}

void fx_server_log(fx_server *s, hf_buf *out)
{
    hf_error err;
    hf_buf_clear(out);
    if (access(s->log, F_OK) == 0)
        assert_int_equal(hf_fs_read(out, s->log, 1 << 20, 0, &err), 0);
}

size_t fx_count(const char *haystack, const char *needle)
{
    size_t n = 0;
    const char *line = haystack;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (memmem(line, len, needle, strlen(needle)))
            n++;
        line = nl ? nl + 1 : NULL;
    }
    return n;
}
