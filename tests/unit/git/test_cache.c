/* Tests of src/git/cache: mirrors fetched from a local bare repo, a checkout,
 * file:// and the loopback smart-HTTP server with Basic auth; default branch
 * detection, a moved base, pruning, and the token's discretion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "git/cache.h"
#include "util/fs.h"
#include "util/log.h"

#define TOKEN "ghs_TestToken0123456789abcdef"

static const fx_file v1[] = {{"README.md", "v1\n", 0, 0}};
static const fx_file v2[] = {{"README.md", "v2\n", 0, 0}};

/* A server root holding owner/name.git with main (and feature) branches. */
typedef struct origin {
    char *root; /* server root */
    char *path; /* root/owner/name.git */
    git_repository *repo;
    git_oid main, feature;
} origin;

static void origin_new(origin *o, const char *head)
{
    o->root = fx_tmpdir("srv");
    hf_buf path = HF_BUF_INIT;
    hf_buf_printf(&path, "%s/owner/name.git", o->root);
    o->path = hf_buf_detach(&path);
    o->repo = fx_bare(o->path, head);
    fx_commit(o->repo, "refs/heads/main", NULL, v1, 1, "one\n", &o->main);
    fx_commit(o->repo, "refs/heads/feature", &o->main, v2, 1, "feature\n", &o->feature);
}

static void origin_free(origin *o)
{
    git_repository_free(o->repo);
    free(o->root);
    free(o->path);
}

static void mirror_path_rules(void **state)
{
    (void)state;
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_mirror_path(&out, "/c", "cbusillo/odoo-tenant_x.y", &err), 0);
    assert_string_equal(hf_buf_cstr(&out), "/c/cbusillo__odoo-tenant_x.y.git");
    const char *bad[] = {"noslash", "a/b/c", "../x",   "a/..",  "a/",
                         "/b",      "a/b c", "a__b/c", "a/b\n", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (hf_mirror_path(&out, "/c", bad[i], &err) == 0)
            fail_msg("'%s' accepted", bad[i]);
    hf_buf_free(&out);
}

static void sync_from_local_bare(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    /* A tag must not come along: only branches are mirrored. */
    git_object *target = NULL;
    git_oid tag;
    assert_int_equal(git_object_lookup(&target, o.repo, &o.main, GIT_OBJECT_COMMIT), 0);
    assert_int_equal(git_tag_create_lightweight(&tag, o.repo, "v1", target, 0), 0);
    git_object_free(target);

    char *cache = fx_tmpdir("cache");
    hf_buf cache_dir = HF_BUF_INIT;
    hf_buf_printf(&cache_dir, "%s/not/yet", cache);
    hf_mirror_options opts = {hf_buf_cstr(&cache_dir), {"owner/name", o.path, NULL}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(git_repository_is_bare(mirror));
    assert_string_equal(base.branch, "main");
    assert_string_equal(base.ref, "refs/heads/main");
    assert_string_equal(base.default_branch, "main");
    assert_true(git_oid_equal(&base.commit, &o.main));
    git_commit *c = NULL;
    assert_int_equal(git_commit_lookup(&c, o.repo, &o.main), 0);
    assert_true(git_oid_equal(&base.tree, git_commit_tree_id(c)));
    git_commit_free(c);

    git_oid tip;
    assert_int_equal(hf_mirror_branch_tip(mirror, "feature", &tip, &err), 0);
    assert_true(git_oid_equal(&tip, &o.feature));
    assert_int_equal(hf_mirror_branch_tip(mirror, "absent", &tip, &err), 0);
    assert_true(git_oid_is_zero(&tip));
    git_oid none;
    assert_int_equal(git_reference_name_to_id(&none, mirror, "refs/tags/v1"), GIT_ENOTFOUND);

    /* The mirror's config never learns the source. */
    hf_buf config = HF_BUF_INIT, path = HF_BUF_INIT;
    hf_buf_printf(&path, "%s/owner__name.git/config", hf_buf_cstr(&cache_dir));
    assert_int_equal(hf_fs_read(&config, hf_buf_cstr(&path), 1 << 20, 0, &err), 0);
    assert_null(strstr(hf_buf_cstr(&config), "remote"));
    assert_null(strstr(hf_buf_cstr(&config), o.path));

    hf_base_free(&base);
    git_repository_free(mirror);
    /* Opening again finds the same mirror, nothing re-created. */
    assert_int_equal(hf_mirror_open(&mirror, hf_buf_cstr(&cache_dir), "owner/name", &err), 0);
    assert_int_equal(hf_mirror_branch_tip(mirror, "main", &tip, &err), 0);
    assert_true(git_oid_equal(&tip, &o.main));
    git_repository_free(mirror);
    hf_buf_free(&config);
    hf_buf_free(&path);
    hf_buf_free(&cache_dir);
    free(cache);
    origin_free(&o);
}

static void sync_from_file_url_and_relative_path(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    char *cache = fx_tmpdir("cache");
    hf_buf url = HF_BUF_INIT;
    hf_buf_printf(&url, "file://%s", o.path);
    hf_mirror_options opts = {cache, {"owner/name", hf_buf_cstr(&url), NULL}, "feature"};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(base.branch, "feature");
    assert_string_equal(base.default_branch, "main");
    assert_true(git_oid_equal(&base.commit, &o.feature));
    hf_base_free(&base);
    git_repository_free(mirror);

    /* A relative path is taken from the working directory. */
    char *cwd = getcwd(NULL, 0);
    assert_int_equal(chdir(o.root), 0);
    char *cache2 = fx_tmpdir("cache");
    hf_mirror_options rel = {cache2, {"owner/name", "owner/name.git", NULL}, NULL};
    int rc = hf_mirror_sync(&mirror, &base, &rel, &err);
    assert_int_equal(chdir(cwd), 0);
    if (rc < 0)
        fail_msg("%s", err.msg);
    assert_true(git_oid_equal(&base.commit, &o.main));
    hf_base_free(&base);
    git_repository_free(mirror);
    free(cwd);
    free(cache2);
    hf_buf_free(&url);
    free(cache);
    origin_free(&o);
}

static void sync_from_checkout(void **state)
{
    (void)state;
    char *work = fx_tmpdir("checkout");
    assert_int_equal(fx_sh("cd '%s' && git init -q -b develop && echo hi > f && git add f && "
                           "git commit -qm one && git branch other",
                           work),
                     0);
    hf_buf head = HF_BUF_INIT;
    assert_int_equal(fx_sh_out(&head, "cd '%s' && git rev-parse HEAD", work), 0);
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/checkout", work, NULL}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(base.branch, "develop");
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &base.commit);
    assert_string_equal(hex, hf_buf_cstr(&head));
    hf_base_free(&base);
    git_repository_free(mirror);
    hf_buf_free(&head);
    free(cache);
    free(work);
}

static void default_branch_is_detected(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "trunk");
    git_oid trunk;
    fx_commit(o.repo, "refs/heads/trunk", &o.main, v2, 1, "trunk\n", &trunk);
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/name", o.path, NULL}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(base.branch, "trunk");
    assert_string_equal(base.default_branch, "trunk");
    assert_true(git_oid_equal(&base.commit, &trunk));
    /* Recorded as the mirror's HEAD. */
    git_reference *head = NULL;
    assert_int_equal(git_reference_lookup(&head, mirror, "HEAD"), 0);
    assert_string_equal(git_reference_symbolic_target(head), "refs/heads/trunk");
    git_reference_free(head);
    hf_base_free(&base);

    /* The configured base wins; the default is still reported. */
    assert_int_equal(hf_mirror_base(&base, mirror, "owner/name", "main", &err), 0);
    assert_string_equal(base.branch, "main");
    assert_string_equal(base.default_branch, "trunk");
    assert_true(git_oid_equal(&base.commit, &o.main));
    hf_base_free(&base);

    /* Over the wire as well. */
    fx_server srv;
    fx_server_start(&srv, o.root, NULL, NULL, NULL);
    hf_buf url = HF_BUF_INIT;
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    char *def = NULL;
    git_oid tip;
    hf_remote_spec spec = {"owner/name", hf_buf_cstr(&url), NULL};
    if (hf_remote_branch_tip(&spec, "feature", &tip, &def, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(def, "trunk");
    assert_true(git_oid_equal(&tip, &o.feature));
    free(def);
    char *cache2 = fx_tmpdir("cache");
    hf_mirror_options http = {cache2, spec, NULL};
    git_repository *mirror2 = NULL;
    if (hf_mirror_sync(&mirror2, &base, &http, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(base.branch, "trunk");
    assert_true(git_oid_equal(&base.commit, &trunk));
    hf_base_free(&base);
    git_repository_free(mirror2);
    fx_server_stop(&srv);
    hf_buf_free(&url);
    free(cache2);

    git_repository_free(mirror);
    free(cache);
    origin_free(&o);
}

static void base_moves_and_branches_are_pruned(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/name", o.path, NULL}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    assert_int_equal(hf_mirror_sync(&mirror, &base, &opts, &err), 0);
    assert_true(git_oid_equal(&base.commit, &o.main));
    hf_base_free(&base);
    git_repository_free(mirror);

    /* Upstream moves on: a new commit on main, feature deleted, and main
     * force-pushed to something unrelated later. */
    git_oid moved;
    fx_commit(o.repo, "refs/heads/main", &o.main, v2, 1, "two\n", &moved);
    git_reference *feature = NULL;
    assert_int_equal(git_reference_lookup(&feature, o.repo, "refs/heads/feature"), 0);
    assert_int_equal(git_reference_delete(feature), 0);
    git_reference_free(feature);

    assert_int_equal(hf_mirror_sync(&mirror, &base, &opts, &err), 0);
    assert_true(git_oid_equal(&base.commit, &moved));
    git_oid tip;
    assert_int_equal(hf_mirror_branch_tip(mirror, "feature", &tip, &err), 0);
    assert_true(git_oid_is_zero(&tip));
    hf_base_free(&base);
    git_repository_free(mirror);

    git_oid rewritten;
    fx_commit(o.repo, NULL, NULL, v1, 1, "rewritten history\n", &rewritten);
    git_reference *main = NULL;
    assert_int_equal(git_reference_create(&main, o.repo, "refs/heads/main", &rewritten, 1, NULL),
                     0);
    git_reference_free(main);
    assert_int_equal(hf_mirror_sync(&mirror, &base, &opts, &err), 0);
    assert_true(git_oid_equal(&base.commit, &rewritten));
    hf_base_free(&base);
    git_repository_free(mirror);
    free(cache);
    origin_free(&o);
}

static void errors_name_repo_and_source(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    char *cache = fx_tmpdir("cache");
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;

    hf_mirror_options missing_branch = {cache, {"owner/name", o.path, NULL}, "nope"};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &missing_branch, &err), -1);
    assert_null(mirror);
    assert_string_equal(err.msg, "owner/name: base branch 'nope' not found on the remote");

    hf_buf missing = HF_BUF_INIT, prefix = HF_BUF_INIT;
    hf_buf_printf(&missing, "%s/missing.git", o.root);
    hf_buf_printf(&prefix, "owner/name: fetch from %s: ", hf_buf_cstr(&missing));
    hf_mirror_options bad_source = {cache, {"owner/name", hf_buf_cstr(&missing), NULL}, NULL};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &bad_source, &err), -1);
    assert_memory_equal(err.msg, prefix.ptr, prefix.len);

    /* A repository without any branch yet. */
    hf_buf empty = HF_BUF_INIT;
    hf_buf_printf(&empty, "%s/owner/empty.git", o.root);
    git_repository_free(fx_bare(hf_buf_cstr(&empty), "main"));
    hf_mirror_options no_branches = {cache, {"owner/empty", hf_buf_cstr(&empty), NULL}, NULL};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &no_branches, &err), -1);
    assert_string_equal(err.msg, "owner/empty: base branch 'main' not found on the remote");
    hf_buf_free(&empty);

    hf_mirror_options bad_name = {cache, {"not a repo name", o.path, NULL}, NULL};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &bad_name, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name"));

    /* Credentials in a URL never reach a message. */
    fx_server srv;
    fx_server_start(&srv, o.root, NULL, NULL, NULL);
    hf_buf url = HF_BUF_INIT, shown = HF_BUF_INIT;
    hf_buf_printf(&url, "http://someone:hunter2secret@127.0.0.1:%d/owner/absent.git", srv.port);
    hf_buf_printf(&shown,
                  "owner/name: fetch from http://127.0.0.1:%d/owner/absent.git: ", srv.port);
    hf_mirror_options creds = {cache, {"owner/name", hf_buf_cstr(&url), NULL}, NULL};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &creds, &err), -1);
    assert_memory_equal(err.msg, shown.ptr, shown.len);
    assert_null(strstr(err.msg, "hunter2secret"));
    fx_server_stop(&srv);

    hf_buf_free(&url);
    hf_buf_free(&shown);
    hf_buf_free(&missing);
    hf_buf_free(&prefix);
    free(cache);
    origin_free(&o);
}

static void http_token_travels_only_in_basic_auth(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    fx_server srv;
    fx_server_start(&srv, o.root, "x-access-token", TOKEN, NULL);
    hf_buf url = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/name", hf_buf_cstr(&url), TOKEN}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(git_oid_equal(&base.commit, &o.main));
    hf_base_free(&base);
    git_repository_free(mirror);

    fx_server_log(&srv, &log);
    assert_true(fx_count(hf_buf_cstr(&log), "auth=ok") >= 2); /* refs and the pack */
    assert_int_equal(fx_count(hf_buf_cstr(&log), "auth=bad"), 0);
    assert_null(strstr(hf_buf_cstr(&log), TOKEN));
    /* Nothing on disk knows the token either. */
    assert_int_equal(fx_sh("grep -rq '%s' '%s'", TOKEN, cache), 1);
    /* And the log redacts it from now on. */
    hf_buf probe = HF_BUF_INIT;
    hf_buf_puts(&probe, "token " TOKEN " here");
    hf_log_redact(&probe);
    assert_string_equal(hf_buf_cstr(&probe), "token *** here");
    hf_buf_free(&probe);

    fx_server_stop(&srv);
    hf_buf_free(&url);
    hf_buf_free(&log);
    free(cache);
    origin_free(&o);
}

static void http_wrong_token_gives_up_after_one_try(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    fx_server srv;
    fx_server_start(&srv, o.root, "x-access-token", TOKEN, NULL);
    hf_buf url = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    char *cache = fx_tmpdir("cache");
    const char *wrong = "ghs_WrongToken_ShouldNeverBeShown";
    hf_mirror_options opts = {cache, {"owner/name", hf_buf_cstr(&url), wrong}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    assert_int_equal(hf_mirror_sync(&mirror, &base, &opts, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name: fetch from http://127.0.0.1:"));
    assert_non_null(strstr(err.msg, "the server refused the token"));
    assert_null(strstr(err.msg, wrong));
    fx_server_log(&srv, &log);
    assert_int_equal(fx_count(hf_buf_cstr(&log), "auth=bad"), 1);
    assert_null(strstr(hf_buf_cstr(&log), wrong));

    /* No token at all: said so, without asking twice. */
    hf_mirror_options anon = {cache, {"owner/name", hf_buf_cstr(&url), NULL}, NULL};
    assert_int_equal(hf_mirror_sync(&mirror, &base, &anon, &err), -1);
    assert_non_null(strstr(err.msg, "no token was given"));

    fx_server_stop(&srv);
    hf_buf_free(&url);
    hf_buf_free(&log);
    free(cache);
    origin_free(&o);
}

static void token_never_follows_a_redirect_to_another_host(void **state)
{
    (void)state;
    origin o;
    origin_new(&o, "main");
    /* The repo lives behind auth at "localhost"; "127.0.0.1" redirects
     * there: the same machine, but another host name. */
    fx_server target, front;
    fx_server_start(&target, o.root, "x-access-token", TOKEN, NULL);
    hf_buf prefix = HF_BUF_INIT, url = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&prefix, "http://localhost:%d", target.port);
    fx_server_start_redirect(&front, hf_buf_cstr(&prefix));
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", front.port);
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/name", hf_buf_cstr(&url), TOKEN}, NULL};
    git_repository *mirror = NULL;
    hf_base base;
    hf_error err;
    assert_int_equal(hf_mirror_sync(&mirror, &base, &opts, &err), -1);
    assert_non_null(strstr(err.msg, "the token is only sent to the configured host"));
    fx_server_log(&front, &log);
    assert_int_equal(fx_count(hf_buf_cstr(&log), "status=301"), 1);
    /* The redirect is refused before any request goes to the other host:
     * the Authorization header would have gone with it. */
    fx_server_log(&target, &log);
    assert_int_equal(hf_buf_cstr(&log)[0], '\0');
    assert_null(strstr(err.msg, TOKEN));

    /* Configured for that host, the same token is used. */
    hf_buf_clear(&url);
    hf_buf_printf(&url, "http://LOCALHOST:%d/owner/name.git", target.port);
    hf_mirror_options direct = {cache, {"owner/name", hf_buf_cstr(&url), TOKEN}, NULL};
    if (hf_mirror_sync(&mirror, &base, &direct, &err) < 0)
        fail_msg("%s", err.msg);
    hf_base_free(&base);
    git_repository_free(mirror);

    /* A redirect on the same host name (as GitHub answers for a renamed
     * repository) is followed, with the token. */
    fx_server same;
    hf_buf_clear(&prefix);
    hf_buf_printf(&prefix, "http://127.0.0.1:%d", target.port);
    fx_server_start_redirect(&same, hf_buf_cstr(&prefix));
    hf_buf_clear(&url);
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", same.port);
    hf_mirror_options moved = {cache, {"owner/name", hf_buf_cstr(&url), TOKEN}, NULL};
    if (hf_mirror_sync(&mirror, &base, &moved, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(git_oid_equal(&base.commit, &o.main));
    hf_base_free(&base);
    git_repository_free(mirror);
    fx_server_stop(&same);

    fx_server_stop(&front);
    fx_server_stop(&target);
    hf_buf_free(&prefix);
    hf_buf_free(&url);
    hf_buf_free(&log);
    free(cache);
    origin_free(&o);
}

/* The token goes with the first request (as actions/checkout's
 * http.extraheader does): one info/refs per fetch and no 401, whether the
 * server's refusal would have had a body or not. libgit2 1.5.1 fails
 * ("http parser error") replaying a request after a 401 with a body, so the
 * style with a body is what a challenge-first client could not survive. */
static void token_goes_up_front_one_round_trip_per_fetch(void **state)
{
    (void)state;
    for (int body = 0; body <= 1; body++) {
        origin o;
        origin_new(&o, "main");
        fx_server srv;
        fx_server_opts so = {
            .root = o.root, .user = "x-access-token", .password = TOKEN, .body_401 = body};
        fx_server_start_opts(&srv, &so);
        hf_buf url = HF_BUF_INIT, log = HF_BUF_INIT;
        hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
        char *cache = fx_tmpdir("cache");
        hf_mirror_options opts = {cache, {"owner/name", hf_buf_cstr(&url), TOKEN}, NULL};
        for (int round = 0; round < 2; round++) { /* a clone, then a fetch */
            git_repository *mirror = NULL;
            hf_base base;
            hf_error err;
            if (hf_mirror_sync(&mirror, &base, &opts, &err) < 0)
                fail_msg("401 %s: %s", body ? "with a body" : "without a body", err.msg);
            assert_true(git_oid_equal(&base.commit, &o.main));
            hf_base_free(&base);
            git_repository_free(mirror);
        }
        fx_server_log(&srv, &log);
        const char *l = hf_buf_cstr(&log);
        assert_int_equal(fx_count(l, "GET /owner/name.git/info/refs?service=git-upload-pack"), 2);
        assert_int_equal(fx_count(l, "GET /owner/name.git/info/refs?service=git-upload-pack "
                                     "auth=ok status=200"),
                         2);
        assert_int_equal(fx_count(l, "status=401"), 0);
        assert_int_equal(fx_count(l, "auth=none"), 0);
        assert_null(strstr(l, TOKEN));
        assert_int_equal(fx_sh("grep -rq '%s' '%s'", TOKEN, cache), 1);

        /* Refused up front: one request, said so, no parser fault. */
        const char *wrong = "ghs_WrongUpFront_NeverShown";
        hf_mirror_options bad = {cache, {"owner/name", hf_buf_cstr(&url), wrong}, NULL};
        git_repository *mirror = NULL;
        hf_base base;
        hf_error err;
        assert_int_equal(hf_mirror_sync(&mirror, &base, &bad, &err), -1);
        assert_non_null(strstr(err.msg, "the server refused the token"));
        assert_null(strstr(err.msg, wrong));
        fx_server_log(&srv, &log);
        assert_int_equal(fx_count(hf_buf_cstr(&log), "auth=bad status=401"), 1);

        /* No token: the server asks, handoff says what is missing. */
        hf_mirror_options anon = {cache, {"owner/name", hf_buf_cstr(&url), NULL}, NULL};
        assert_int_equal(hf_mirror_sync(&mirror, &base, &anon, &err), -1);
        assert_non_null(strstr(err.msg, "no token was given"));

        fx_server_stop(&srv);
        hf_buf_free(&url);
        hf_buf_free(&log);
        free(cache);
        origin_free(&o);
    }
}

typedef struct worker {
    const char *cache;
    char repo[64];
    char url[256];
    git_oid want;
    int ok;
    hf_error err;
} worker;

static void *sync_worker(void *arg)
{
    worker *w = arg;
    git_repository *mirror = NULL;
    hf_base base;
    hf_mirror_options opts = {w->cache, {w->repo, w->url, TOKEN}, NULL};
    for (int round = 0; round < 3; round++) {
        if (hf_mirror_sync(&mirror, &base, &opts, &w->err) < 0)
            return NULL;
        w->ok = git_oid_equal(&base.commit, &w->want);
        hf_base_free(&base);
        git_repository_free(mirror);
    }
    return NULL;
}

static void threads_sync_their_own_mirrors(void **state)
{
    (void)state;
    enum { N = 4 };
    char *root = fx_tmpdir("srv");
    char *cache = fx_tmpdir("cache");
    fx_server srv;
    fx_server_start(&srv, root, "x-access-token", TOKEN, NULL);
    worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].cache = cache;
        snprintf(w[i].repo, sizeof(w[i].repo), "owner/repo%d", i);
        snprintf(w[i].url, sizeof(w[i].url), "http://127.0.0.1:%d/owner/repo%d.git", srv.port, i);
        hf_buf path = HF_BUF_INIT;
        hf_buf_printf(&path, "%s/owner/repo%d.git", root, i);
        git_repository *r = fx_bare(hf_buf_cstr(&path), "main");
        fx_file f[] = {{"n.txt", w[i].repo, 0, 0}};
        fx_commit(r, "refs/heads/main", NULL, f, 1, "x\n", &w[i].want);
        git_repository_free(r);
        hf_buf_free(&path);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, sync_worker, &w[i]), 0);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        if (!w[i].ok)
            fail_msg("%s: %s", w[i].repo, w[i].err.msg);
    }
    fx_server_stop(&srv);
    free(root);
    free(cache);
}

static int setup(void **state)
{
    (void)state;
    fx_global_setup();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mirror_path_rules),
        cmocka_unit_test(sync_from_local_bare),
        cmocka_unit_test(sync_from_file_url_and_relative_path),
        cmocka_unit_test(sync_from_checkout),
        cmocka_unit_test(default_branch_is_detected),
        cmocka_unit_test(base_moves_and_branches_are_pruned),
        cmocka_unit_test(errors_name_repo_and_source),
        cmocka_unit_test(http_token_travels_only_in_basic_auth),
        cmocka_unit_test(http_wrong_token_gives_up_after_one_try),
        cmocka_unit_test(token_never_follows_a_redirect_to_another_host),
        cmocka_unit_test(token_goes_up_front_one_round_trip_per_fetch),
        cmocka_unit_test(threads_sync_their_own_mirrors),
    };
    return cmocka_run_group_tests_name("git-cache", tests, setup, teardown);
}
