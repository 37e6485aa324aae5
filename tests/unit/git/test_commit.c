/* Tests of src/git/commit: the commit object handoff writes, the message
 * with its trailers, reading trailers back, and recognising handoff's own
 * commits on a branch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "git/commit.h"

static void message_has_sorted_unique_trailers(void **state)
{
    (void)state;
    hf_trailers t = HF_TRAILERS_INIT;
    hf_error err;
    hf_buf msg = HF_BUF_INIT;
    assert_int_equal(hf_trailers_add_capability(&t, "odoo.post-deploy", &err), 0);
    assert_int_equal(hf_trailers_add_capability(&t, "dokploy.deploy", &err), 0);
    assert_int_equal(hf_trailers_add_capability(&t, "odoo.post-deploy", &err), 0);
    assert_int_equal(hf_trailers_add_exception(&t, "legacy-backup", &err), 0);
    assert_int_equal(hf_trailers_add_exception(&t, "dev-tunnel", &err), 0);
    assert_int_equal(hf_trailers_add_exception(&t, "legacy-backup", &err), 0);
    assert_int_equal(hf_trailers_set_fleet(&t, "odoo", &err), 0);
    t.capability_key = "Launchplane-Capability"; /* the shipped fleet's key */
    assert_int_equal(hf_commit_message(&msg, "handoff: move deploys to Launchplane",
                                       "- modify .github/workflows/deploy.yml\n"
                                       "- delete scripts/deploy.sh\n\n\n",
                                       &t, &err),
                     0);
    assert_string_equal(hf_buf_cstr(&msg), "handoff: move deploys to Launchplane\n"
                                           "\n"
                                           "- modify .github/workflows/deploy.yml\n"
                                           "- delete scripts/deploy.sh\n"
                                           "\n"
                                           "Launchplane-Capability: dokploy.deploy\n"
                                           "Launchplane-Capability: odoo.post-deploy\n"
                                           "Handoff-Exception: dev-tunnel\n"
                                           "Handoff-Exception: legacy-backup\n"
                                           "Handoff-Fleet: odoo\n");
    hf_buf_free(&msg);
    hf_trailers_free(&t);
}

/* Without a key from the fleet the engine names no control plane, and a
 * parse reads capabilities back under either key. */
static void message_capability_key_defaults_to_handoffs(void **state)
{
    (void)state;
    hf_trailers t = HF_TRAILERS_INIT, back = HF_TRAILERS_INIT;
    hf_error err;
    hf_buf msg = HF_BUF_INIT;
    assert_int_equal(hf_trailers_add_capability(&t, "deploy", &err), 0);
    assert_int_equal(hf_trailers_set_fleet(&t, "acme", &err), 0);
    assert_int_equal(hf_commit_message(&msg, "s", NULL, &t, &err), 0);
    assert_string_equal(hf_buf_cstr(&msg),
                        "s\n\nHandoff-Capability: deploy\nHandoff-Fleet: acme\n");
    assert_int_equal(hf_trailers_parse(&back, hf_buf_cstr(&msg), &err), 0);
    assert_int_equal(back.capabilities.len, 1);
    assert_string_equal(back.capabilities.items[0], "deploy");
    hf_trailers_free(&back);
    assert_int_equal(
        hf_trailers_parse(&back, "s\n\nAcme-Capability: a\nCapability: no\nHandoff-Fleet: x\n",
                          &err),
        0);
    assert_int_equal(back.capabilities.len, 1);
    assert_string_equal(back.capabilities.items[0], "a");
    hf_trailers_free(&back);
    hf_buf_free(&msg);
    hf_trailers_free(&t);
}

static void message_guards_patch_separators(void **state)
{
    (void)state;
    hf_buf msg = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_commit_message(&msg, "subject",
                                       "text\n---\ndiff --git a/x b/x\nIndex: y\n--- a/z\nok", NULL,
                                       &err),
                     0);
    assert_string_equal(hf_buf_cstr(&msg),
                        "subject\n\ntext\n ---\n diff --git a/x b/x\n Index: y\n --- a/z\nok\n");
    assert_int_equal(hf_commit_message(&msg, "only a subject", NULL, NULL, &err), 0);
    assert_string_equal(hf_buf_cstr(&msg), "only a subject\n");
    hf_buf_free(&msg);
}

static void message_rejects_bad_input(void **state)
{
    (void)state;
    hf_trailers t = HF_TRAILERS_INIT;
    hf_buf msg = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_commit_message(&msg, "two\nlines", NULL, NULL, &err), -1);
    assert_int_equal(hf_commit_message(&msg, "", NULL, NULL, &err), -1);
    assert_int_equal(hf_trailers_add_capability(&t, "a\nHandoff-Fleet: evil", &err), -1);
    assert_int_equal(hf_trailers_add_exception(&t, "", &err), -1);
    assert_int_equal(hf_trailers_add_exception(&t, " padded", &err), -1);
    assert_int_equal(hf_trailers_set_fleet(&t, "x\r", &err), -1);
    assert_int_equal((int)t.capabilities.len + (int)t.exceptions.len, 0);
    hf_buf_free(&msg);
    hf_trailers_free(&t);
}

static void trailers_round_trip(void **state)
{
    (void)state;
    hf_trailers t = HF_TRAILERS_INIT, back = HF_TRAILERS_INIT;
    hf_buf msg = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_trailers_add_capability(&t, "b.cap", &err), 0);
    assert_int_equal(hf_trailers_add_capability(&t, "a.cap", &err), 0);
    assert_int_equal(hf_trailers_add_exception(&t, "exc-1", &err), 0);
    assert_int_equal(hf_trailers_set_fleet(&t, "odoo fleet", &err), 0);
    assert_int_equal(hf_commit_message(&msg, "s", "body\n\nmore: not a trailer block\nx", &t, &err),
                     0);
    assert_int_equal(hf_trailers_parse(&back, hf_buf_cstr(&msg), &err), 0);
    assert_int_equal(back.capabilities.len, 2);
    assert_string_equal(back.capabilities.items[0], "a.cap");
    assert_string_equal(back.capabilities.items[1], "b.cap");
    assert_int_equal(back.exceptions.len, 1);
    assert_string_equal(back.exceptions.items[0], "exc-1");
    assert_string_equal(back.fleet, "odoo fleet");
    hf_trailers_free(&back);
    hf_trailers_free(&t);
    hf_buf_free(&msg);
}

static void trailers_parse_edge_cases(void **state)
{
    (void)state;
    hf_trailers t;
    hf_error err;
    /* A subject alone is never a trailer block. */
    assert_int_equal(hf_trailers_parse(&t, "Handoff-Fleet: odoo\n", &err), 0);
    assert_null(t.fleet);
    hf_trailers_free(&t);
    /* The last paragraph must be trailers only. */
    assert_int_equal(hf_trailers_parse(&t, "s\n\nHandoff-Fleet: odoo\nplain words\n", &err), 0);
    assert_null(t.fleet);
    hf_trailers_free(&t);
    /* Keys compare case-insensitively; unknown keys and CRLF are fine;
     * trailing blank lines are ignored. */
    assert_int_equal(hf_trailers_parse(&t,
                                       "s\r\n\r\nbody\r\n\r\nhandoff-fleet:  odoo \r\n"
                                       "Signed-off-by: A <a@b>\r\n"
                                       "LAUNCHPLANE-CAPABILITY: x\r\n\r\n\n",
                                       &err),
                     0);
    assert_string_equal(t.fleet, "odoo");
    assert_int_equal(t.capabilities.len, 1);
    assert_string_equal(t.capabilities.items[0], "x");
    hf_trailers_free(&t);
    assert_int_equal(hf_trailers_parse(&t, "", &err), 0);
    assert_null(t.fleet);
    hf_trailers_free(&t);
}

static void commit_object_moves_no_ref(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("commit");
    git_repository *repo = fx_bare(dir, "main");
    fx_file files[] = {{"a.txt", "one\n", 0, 0}};
    git_oid base, tree, id;
    fx_commit(repo, "refs/heads/main", NULL, files, 1, "base\n", &base);
    fx_file next[] = {{"a.txt", "two\n", 0, 0}, {"b.txt", "new\n", 0, 0}};
    fx_tree(repo, next, 2, &tree);

    hf_commit_options opts = {.author_name = "Handoff Bot",
                              .author_email = "bot@example.com",
                              .committer_name = "Committer",
                              .committer_email = "c@example.com",
                              .fixed_time = true,
                              .time = 1714000000,
                              .offset = 120};
    hf_error err;
    assert_int_equal(
        hf_commit_create(&id, repo, &base, &tree, "msg\n\nHandoff-Fleet: f\n", &opts, &err), 0);
    git_commit *c = NULL;
    assert_int_equal(git_commit_lookup(&c, repo, &id), 0);
    assert_int_equal(git_commit_parentcount(c), 1);
    assert_true(git_oid_equal(git_commit_parent_id(c, 0), &base));
    assert_true(git_oid_equal(git_commit_tree_id(c), &tree));
    assert_string_equal(git_commit_author(c)->name, "Handoff Bot");
    assert_string_equal(git_commit_author(c)->email, "bot@example.com");
    assert_int_equal(git_commit_author(c)->when.time, 1714000000);
    assert_int_equal(git_commit_author(c)->when.offset, 120);
    assert_string_equal(git_commit_committer(c)->name, "Committer");
    assert_int_equal(git_commit_committer(c)->when.time, 1714000000);
    assert_string_equal(git_commit_message(c), "msg\n\nHandoff-Fleet: f\n");
    git_commit_free(c);

    /* Reproducible: the same inputs give the same id. */
    git_oid again;
    assert_int_equal(
        hf_commit_create(&again, repo, &base, &tree, "msg\n\nHandoff-Fleet: f\n", &opts, &err), 0);
    assert_true(git_oid_equal(&id, &again));

    /* No ref moved: main is still the base. */
    git_oid main;
    assert_int_equal(git_reference_name_to_id(&main, repo, "refs/heads/main"), 0);
    assert_true(git_oid_equal(&main, &base));

    /* Without a committer, the author commits; now is used without fixed_time. */
    hf_commit_options plain = {.author_name = "A", .author_email = "a@example.com"};
    assert_int_equal(hf_commit_create(&id, repo, NULL, &tree, "root\n", &plain, &err), 0);
    assert_int_equal(git_commit_lookup(&c, repo, &id), 0);
    assert_int_equal(git_commit_parentcount(c), 0);
    assert_string_equal(git_commit_committer(c)->name, "A");
    assert_true(git_commit_author(c)->when.time > 1700000000);
    git_commit_free(c);

    /* Errors: missing author, unknown tree. */
    hf_commit_options none = {0};
    assert_int_equal(hf_commit_create(&id, repo, &base, &tree, "x\n", &none, &err), -1);
    git_oid bogus;
    git_oid_fromstr(&bogus, "1111111111111111111111111111111111111111");
    assert_int_equal(hf_commit_create(&id, repo, &base, &bogus, "x\n", &opts, &err), -1);
    assert_non_null(strstr(err.msg, "tree"));

    git_repository_free(repo);
    free(dir);
}

static void range_is_handoff_recognises_own_commits(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("range");
    git_repository *repo = fx_bare(dir, "main");
    fx_file files[] = {{"a.txt", "one\n", 0, 0}};
    git_oid base, mine, theirs;
    fx_commit(repo, "refs/heads/main", NULL, files, 1, "base\n", &base);
    fx_file f2[] = {{"a.txt", "two\n", 0, 0}};
    fx_commit(repo, NULL, &base, f2, 1,
              "handoff: x\n\nLaunchplane-Capability: c\nHandoff-Fleet: odoo\n", &mine);
    fx_file f3[] = {{"a.txt", "three\n", 0, 0}};
    fx_commit(repo, NULL, &mine, f3, 1, "a person's fix\n", &theirs);

    hf_error err;
    bool ok = false;
    size_t n = 0;
    assert_int_equal(hf_commit_range_is_handoff(repo, &base, &mine, "odoo", &ok, &n, &err), 0);
    assert_true(ok);
    assert_int_equal(n, 1);
    assert_int_equal(hf_commit_range_is_handoff(repo, &base, &mine, "other", &ok, &n, &err), 0);
    assert_false(ok);
    assert_int_equal(hf_commit_range_is_handoff(repo, &base, &theirs, "odoo", &ok, &n, &err), 0);
    assert_false(ok);
    assert_int_equal(n, 2);
    /* The branch already holds the change on this base, or not. */
    git_commit *c = NULL;
    assert_int_equal(git_commit_lookup(&c, repo, &mine), 0);
    git_oid mine_tree;
    git_oid_cpy(&mine_tree, git_commit_tree_id(c));
    git_commit_free(c);
    assert_int_equal(hf_commit_is_change(repo, &mine, &base, &mine_tree, &ok, &err), 0);
    assert_true(ok);
    assert_int_equal(hf_commit_is_change(repo, &theirs, &base, &mine_tree, &ok, &err), 0);
    assert_false(ok); /* parent is not the base */
    assert_int_equal(hf_commit_is_change(repo, &mine, &theirs, &mine_tree, &ok, &err), 0);
    assert_false(ok); /* the base moved */
    git_oid absent;
    git_oid_fromstr(&absent, "2222222222222222222222222222222222222222");
    assert_int_equal(hf_commit_is_change(repo, &absent, &base, &mine_tree, &ok, &err), 0);
    assert_false(ok);

    /* Tip == base: nothing of anyone's on top. */
    assert_int_equal(hf_commit_range_is_handoff(repo, &base, &base, "odoo", &ok, &n, &err), 0);
    assert_true(ok);
    assert_int_equal(n, 0);
    git_repository_free(repo);
    free(dir);
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
        cmocka_unit_test(message_has_sorted_unique_trailers),
        cmocka_unit_test(message_capability_key_defaults_to_handoffs),
        cmocka_unit_test(message_guards_patch_separators),
        cmocka_unit_test(message_rejects_bad_input),
        cmocka_unit_test(trailers_round_trip),
        cmocka_unit_test(trailers_parse_edge_cases),
        cmocka_unit_test(commit_object_moves_no_ref),
        cmocka_unit_test(range_is_handoff_recognises_own_commits),
    };
    return cmocka_run_group_tests_name("git-commit", tests, setup, teardown);
}
