/* Tests of src/git/push: creating the batch branch, force-pushing over
 * handoff's own commit, refusing when anyone else moved the branch or when
 * the branch is a default/base/main branch, deleting under the lease, and
 * the server's refusals (HTTP 403, a pre-receive hook) reported as errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "git/cache.h"
#include "git/commit.h"
#include "git/push.h"
#include "util/fs.h"

#define TOKEN "ghs_PushToken_0123456789abcdef"
#define BRANCH "handoff/launchplane"

typedef struct world {
    char *root;   /* server root */
    char *origin; /* root/owner/name.git */
    git_repository *origin_repo;
    git_oid base;
    git_repository *mirror;
    hf_base mbase;
} world;

static const fx_file base_files[] = {{"ci.yml", "run: deploy.sh\n", 0, 0}};

static void world_new(world *w, const char *head)
{
    hf_error err;
    w->root = fx_tmpdir("srv");
    hf_buf path = HF_BUF_INIT;
    hf_buf_printf(&path, "%s/owner/name.git", w->root);
    w->origin = hf_buf_detach(&path);
    w->origin_repo = fx_bare(w->origin, head);
    hf_buf ref = HF_BUF_INIT;
    hf_buf_printf(&ref, "refs/heads/%s", head);
    fx_commit(w->origin_repo, hf_buf_cstr(&ref), NULL, base_files, 1, "base\n", &w->base);
    hf_buf_free(&ref);
    char *cache = fx_tmpdir("cache");
    hf_mirror_options opts = {cache, {"owner/name", w->origin, NULL}, NULL};
    if (hf_mirror_sync(&w->mirror, &w->mbase, &opts, &err) < 0)
        fail_msg("%s", err.msg);
    free(cache);
}

static void world_free(world *w)
{
    git_repository_free(w->mirror);
    git_repository_free(w->origin_repo);
    hf_base_free(&w->mbase);
    free(w->root);
    free(w->origin);
}

/* A handoff commit on the base with one file's content. */
static void make_commit(world *w, const char *content, git_oid *out)
{
    hf_error err;
    git_oid tree;
    fx_file f[] = {{"ci.yml", content, 0, 0}};
    fx_tree(w->mirror, f, 1, &tree);
    hf_commit_options opts = {.author_name = "Handoff",
                              .author_email = "handoff@example.com",
                              .fixed_time = true,
                              .time = 1714000000};
    assert_int_equal(hf_commit_create(out, w->mirror, &w->base, &tree,
                                      "handoff\n\nHandoff-Fleet: odoo\n", &opts, &err),
                     0);
}

static void assert_remote_branch(world *w, const git_oid *want)
{
    git_oid got;
    fx_ref(w->origin, "refs/heads/" BRANCH, &got);
    if (!git_oid_equal(&got, want)) {
        char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
        fail_msg("remote branch is %s, want %s", git_oid_tostr(a, sizeof(a), &got),
                 git_oid_tostr(b, sizeof(b), want));
    }
}

static const git_oid zero_oid;

static void creates_absent_branch_then_forces_over_own_commit(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1, c2;
    make_commit(&w, "uses: launchplane\n", &c1);
    make_commit(&w, "uses: launchplane@v2\n", &c2);
    hf_push_options opts = {
        {"owner/name", w.origin, NULL}, BRANCH, w.mbase.default_branch, w.mbase.branch};
    hf_push_result res;
    hf_error err;

    if (hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(res.pushed);
    assert_true(git_oid_is_zero(&res.remote_tip));
    assert_remote_branch(&w, &c1);

    /* Same commit again: nothing to push. */
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &c1, &res, &err), 0);
    assert_false(res.pushed);
    assert_true(git_oid_equal(&res.remote_tip, &c1));

    /* A recomputed commit (not a descendant) replaces handoff's own. */
    hf_buf url = HF_BUF_INIT;
    hf_buf_printf(&url, "file://%s", w.origin);
    opts.remote.url = hf_buf_cstr(&url);
    if (hf_push_lease(w.mirror, &opts, &c2, &c1, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(res.pushed);
    assert_true(git_oid_equal(&res.remote_tip, &c1));
    assert_remote_branch(&w, &c2);

    /* The temporary push ref is gone from the mirror. */
    git_oid tmp;
    assert_int_equal(git_reference_name_to_id(&tmp, w.mirror, "refs/handoff/push/" BRANCH),
                     GIT_ENOTFOUND);
    hf_buf_free(&url);
    world_free(&w);
}

static void refuses_when_remote_changed(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1, c2, theirs;
    make_commit(&w, "uses: launchplane\n", &c1);
    make_commit(&w, "uses: launchplane@v2\n", &c2);
    hf_push_options opts = {{"owner/name", w.origin, NULL}, BRANCH, "main", "main"};
    hf_push_result res;
    hf_error err;
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err), 0);

    /* Someone adds a commit on top of handoff's. */
    fx_file f[] = {{"ci.yml", "a person's fix\n", 0, 0}};
    fx_commit(w.origin_repo, "refs/heads/" BRANCH, &c1, f, 1, "fix by hand\n", &theirs);

    assert_int_equal(hf_push_lease(w.mirror, &opts, &c2, &c1, &res, &err), HF_GIT_ELEASE);
    assert_false(res.pushed);
    assert_true(git_oid_equal(&res.remote_tip, &theirs));
    assert_non_null(strstr(err.msg, "owner/name: remote changed: branch '" BRANCH "'"));
    assert_remote_branch(&w, &theirs);

    /* Expecting the branch absent while it exists. */
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c2, &zero_oid, &res, &err), HF_GIT_ELEASE);
    assert_non_null(strstr(err.msg, "expected (absent)"));

    /* Expecting a tip while the branch is gone. */
    git_reference *ref = NULL;
    assert_int_equal(git_reference_lookup(&ref, w.origin_repo, "refs/heads/" BRANCH), 0);
    assert_int_equal(git_reference_delete(ref), 0);
    git_reference_free(ref);
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c2, &c1, &res, &err), HF_GIT_ELEASE);
    assert_non_null(strstr(err.msg, "is at (absent)"));
    assert_remote_branch(&w, &zero_oid);
    world_free(&w);
}

static void refuses_default_base_main_and_master(void **state)
{
    (void)state;
    world w;
    world_new(&w, "trunk");
    git_oid c1;
    make_commit(&w, "uses: launchplane\n", &c1);
    hf_push_result res;
    hf_error err;
    struct {
        const char *branch, *default_branch, *base, *reason;
    } cases[] = {
        {"main", NULL, NULL, "never pushes to a main or master branch"},
        {"master", "trunk", NULL, "never pushes to a main or master branch"},
        {"trunk", "trunk", NULL, "the remote's default branch"},
        {"trunk", NULL, NULL, "the remote's default branch"}, /* asked from the remote */
        {"release", "trunk", "release", "it is the base branch"},
        {"bad..name", "trunk", NULL, "not a valid branch name"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hf_push_options opts = {{"owner/name", w.origin, NULL},
                                cases[i].branch,
                                cases[i].default_branch,
                                cases[i].base};
        assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &w.base, &res, &err), -1);
        if (!strstr(err.msg, cases[i].reason))
            fail_msg("%s: got '%s'", cases[i].branch, err.msg);
        assert_int_equal(hf_push_delete(w.mirror, &opts, &w.base, &res, &err), -1);
    }
    git_oid trunk;
    fx_ref(w.origin, "refs/heads/trunk", &trunk);
    assert_true(git_oid_equal(&trunk, &w.base));
    world_free(&w);
}

static void deletes_under_the_lease(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1, c2;
    make_commit(&w, "uses: launchplane\n", &c1);
    make_commit(&w, "uses: launchplane@v2\n", &c2);
    hf_push_options opts = {{"owner/name", w.origin, NULL}, BRANCH, "main", NULL};
    hf_push_result res;
    hf_error err;
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err), 0);

    assert_int_equal(hf_push_delete(w.mirror, &opts, &c2, &res, &err), HF_GIT_ELEASE);
    assert_non_null(strstr(err.msg, "remote changed"));
    assert_remote_branch(&w, &c1);

    if (hf_push_delete(w.mirror, &opts, &c1, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(res.pushed);
    assert_true(git_oid_equal(&res.remote_tip, &c1));
    assert_remote_branch(&w, &zero_oid);

    /* Already gone: done, nothing pushed. */
    assert_int_equal(hf_push_delete(w.mirror, &opts, &c1, &res, &err), 0);
    assert_false(res.pushed);
    world_free(&w);
}

static void http_push_with_token(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1, c2;
    make_commit(&w, "uses: launchplane\n", &c1);
    make_commit(&w, "uses: launchplane@v2\n", &c2);
    fx_server srv;
    fx_server_start(&srv, w.root, "x-access-token", TOKEN, NULL);
    hf_buf url = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    hf_push_options opts = {{"owner/name", hf_buf_cstr(&url), TOKEN}, BRANCH, NULL, "main"};
    hf_push_result res;
    hf_error err;
    if (hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_remote_branch(&w, &c1);
    if (hf_push_lease(w.mirror, &opts, &c2, &c1, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_remote_branch(&w, &c2);
    fx_server_log(&srv, &log);
    assert_true(fx_count(hf_buf_cstr(&log), "POST /owner/name.git/git-receive-pack auth=ok") == 2);
    assert_int_equal(fx_count(hf_buf_cstr(&log), "auth=bad"), 0);
    assert_null(strstr(hf_buf_cstr(&log), TOKEN));

    /* A refused token: one attempt, a clear message, the token nowhere. */
    const char *wrong = "ghs_NotTheRightToken_9876";
    hf_push_options bad = {{"owner/name", hf_buf_cstr(&url), wrong}, BRANCH, "main", "main"};
    assert_int_equal(hf_push_lease(w.mirror, &bad, &c1, &c2, &res, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name: push to http://127.0.0.1:"));
    assert_non_null(strstr(err.msg, "the server refused the token"));
    assert_null(strstr(err.msg, wrong));
    fx_server_log(&srv, &log);
    assert_int_equal(fx_count(hf_buf_cstr(&log), "auth=bad"), 1);
    assert_remote_branch(&w, &c2);

    fx_server_stop(&srv);
    hf_buf_free(&url);
    hf_buf_free(&log);
    world_free(&w);
}

/* With the token sent up front a push is one info/refs and one
 * receive-pack, also against a server whose 401 has a body. */
static void http_push_one_round_trip_per_push(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1, c2;
    make_commit(&w, "uses: launchplane\n", &c1);
    make_commit(&w, "uses: launchplane@v3\n", &c2);
    fx_server srv;
    fx_server_opts so = {
        .root = w.root, .user = "x-access-token", .password = TOKEN, .body_401 = true};
    fx_server_start_opts(&srv, &so);
    hf_buf url = HF_BUF_INIT, log = HF_BUF_INIT;
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    hf_push_options opts = {{"owner/name", hf_buf_cstr(&url), TOKEN}, BRANCH, "main", "main"};
    hf_push_result res;
    hf_error err;
    if (hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err) < 0)
        fail_msg("%s", err.msg);
    if (hf_push_lease(w.mirror, &opts, &c2, &c1, &res, &err) < 0)
        fail_msg("%s", err.msg);
    if (hf_push_delete(w.mirror, &opts, &c2, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_remote_branch(&w, &zero_oid);
    fx_server_log(&srv, &log);
    const char *l = hf_buf_cstr(&log);
    assert_int_equal(fx_count(l, "GET /owner/name.git/info/refs?service=git-receive-pack "
                                 "auth=ok status=200"),
                     3);
    assert_int_equal(fx_count(l, "info/refs"), 3);
    assert_int_equal(fx_count(l, "POST /owner/name.git/git-receive-pack auth=ok status=200"), 3);
    assert_int_equal(fx_count(l, "status=401"), 0);
    assert_null(strstr(l, TOKEN));

    fx_server_stop(&srv);
    hf_buf_free(&url);
    hf_buf_free(&log);
    world_free(&w);
}

static void server_refusals_are_errors(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1;
    make_commit(&w, "uses: launchplane\n", &c1);
    char *dir = fx_tmpdir("flags");
    hf_buf flag = HF_BUF_INIT, url = HF_BUF_INIT;
    hf_error err;
    hf_buf_printf(&flag, "%s/reject", dir);
    assert_int_equal(hf_fs_write_atomic(hf_buf_cstr(&flag), "1", 1, &err), 0);
    fx_server srv;
    fx_server_start(&srv, w.root, NULL, NULL, hf_buf_cstr(&flag));
    hf_buf_printf(&url, "http://127.0.0.1:%d/owner/name.git", srv.port);
    hf_push_options opts = {{"owner/name", hf_buf_cstr(&url), NULL}, BRANCH, "main", "main"};
    hf_push_result res;

    /* The server answers 403 to receive-pack. */
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name: push to http://127.0.0.1:"));
    assert_non_null(strstr(err.msg, "403"));
    assert_false(res.pushed);
    assert_remote_branch(&w, &zero_oid);

    /* A pre-receive hook declines the update. */
    assert_int_equal(unlink(hf_buf_cstr(&flag)), 0);
    assert_int_equal(fx_sh("printf '#!/bin/sh\\necho branch is protected >&2\\nexit 1\\n' > "
                           "'%s/hooks/pre-receive' && chmod +x '%s/hooks/pre-receive'",
                           w.origin, w.origin),
                     0);
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err), -1);
    assert_non_null(strstr(err.msg, "rejected: refs/heads/" BRANCH ": pre-receive hook declined"));
    assert_false(res.pushed);
    assert_remote_branch(&w, &zero_oid);

    /* Hook gone: the same push goes through. */
    assert_int_equal(fx_sh("rm '%s/hooks/pre-receive'", w.origin), 0);
    if (hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_remote_branch(&w, &c1);

    fx_server_stop(&srv);
    hf_buf_free(&flag);
    hf_buf_free(&url);
    free(dir);
    world_free(&w);
}

static void push_to_checkout_is_an_error(void **state)
{
    (void)state;
    world w;
    world_new(&w, "main");
    git_oid c1;
    make_commit(&w, "uses: launchplane\n", &c1);
    char *work = fx_tmpdir("checkout");
    assert_int_equal(fx_sh("git clone -q '%s' '%s/repo'", w.origin, work), 0);
    hf_buf path = HF_BUF_INIT;
    hf_buf_printf(&path, "%s/repo", work);
    hf_push_options opts = {{"owner/name", hf_buf_cstr(&path), NULL}, BRANCH, "main", "main"};
    hf_push_result res;
    hf_error err;
    assert_int_equal(hf_push_lease(w.mirror, &opts, &c1, &zero_oid, &res, &err), -1);
    assert_non_null(strstr(err.msg, "owner/name: push to "));
    hf_buf_free(&path);
    free(work);
    world_free(&w);
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
        cmocka_unit_test(creates_absent_branch_then_forces_over_own_commit),
        cmocka_unit_test(refuses_when_remote_changed),
        cmocka_unit_test(refuses_default_base_main_and_master),
        cmocka_unit_test(deletes_under_the_lease),
        cmocka_unit_test(http_push_with_token),
        cmocka_unit_test(http_push_one_round_trip_per_push),
        cmocka_unit_test(server_refusals_are_errors),
        cmocka_unit_test(push_to_checkout_is_an_error),
    };
    return cmocka_run_group_tests_name("git-push", tests, setup, teardown);
}
