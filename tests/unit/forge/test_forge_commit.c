/* Commits made by GitHub (createCommitOnBranch) against the fake GitHub
 * serving a real bare repository: the commit lands on the batch branch with
 * the planned tree, parent and message, signed; a rebuild on a moved base
 * replaces handoff's commit; a branch someone moved is left alone (the
 * lease); a commit whose tree is not the plan's never reaches the branch;
 * a scratch branch left by a killed run is reused; binary contents and
 * deletions go through; what the API cannot express is refused by name
 * before any request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_forge.h"
#include "forge/gh_commit.h"
#include "forge/http.h"
#include "util/fs.h"

#define TOKEN "ghp_commitTestToken_0123456789"
#define BRANCH "handoff/launchplane"

static fake_forge forge;
static int forge_status = -1;
static char root[64]; /* the git root: root/shop.git is acme/shop */
static char work[128];

static int sh_out(hf_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh_out(hf_buf *out, const char *fmt, ...)
{
    hf_buf cmd = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd.ptr, "r");
    char chunk[4096];
    size_t n;
    if (out)
        hf_buf_clear(out);
    while (p && (n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        if (out)
            hf_buf_put(out, chunk, n);
    int status = p ? pclose(p) : -1;
    if (out)
        while (out->len && out->ptr[out->len - 1] == '\n')
            hf_buf_truncate(out, out->len - 1);
    hf_buf_free(&cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

#define SH(...) assert_int_equal(sh_out(NULL, __VA_ARGS__), 0)

/* The tip of a ref of the bare repo ("" when absent). */
static void tip(hf_buf *out, const char *ref)
{
    if (sh_out(out, "git --git-dir %s/shop.git rev-parse -q --verify %s 2>/dev/null", root, ref))
        hf_buf_clear(out);
}

static int group_setup(void **state)
{
    (void)state;
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("GIT_AUTHOR_NAME", "A Person", 1);
    setenv("GIT_AUTHOR_EMAIL", "person@example.invalid", 1);
    setenv("GIT_COMMITTER_NAME", "A Person", 1);
    setenv("GIT_COMMITTER_EMAIL", "person@example.invalid", 1);
    snprintf(root, sizeof(root), "/tmp/hf-forge-commit-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    snprintf(work, sizeof(work), "%s/work", root);
    forge_status = fake_forge_start_git(&forge, TOKEN, root);
    return forge_status == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    if (forge_status == 0)
        fake_forge_stop(&forge);
    sh_out(NULL, "rm -rf '%s'", root);
    return 0;
}

typedef struct ctx {
    fake_clock clock;
    hf_governor *governor;
    hf_http *http;
    char base[41];
} ctx;

/* A fresh acme/shop: main with a README, an executable script, a link and
 * notes; a work tree to compute planned trees in. */
static int setup(void **state)
{
    if (forge_status != 0)
        return -1;
    fake_forge_control(&forge, "reset", "{}");
    SH("rm -rf '%s/shop.git' '%s' && git init -q --bare -b main '%s/shop.git' && "
       "git init -q -b main '%s' && cd '%s' && printf 'shop\\n' >README.md && "
       "printf '#!/bin/sh\\n' >run.sh && chmod +x run.sh && ln -s README.md link && "
       "printf 'old notes\\n' >NOTES.md && git add -A && git commit -q -m base && "
       "git push -q '%s/shop.git' main",
       root, work, root, work, work, root);
    ctx *c = calloc(1, sizeof(*c));
    fake_clock_init(&c->clock, 1700000000.0);
    c->governor = hf_governor_new(&c->clock.clock, HF_GOVERNOR_INTERVAL);
    hf_http_options o = {.api_base = forge.base,
                         .token = TOKEN,
                         .clock = &c->clock.clock,
                         .governor = c->governor,
                         .timeout = 30};
    hf_error err;
    if (hf_http_new(&c->http, &o, &err) < 0)
        fail_msg("%s", err.msg);
    hf_buf b = HF_BUF_INIT;
    tip(&b, "main");
    snprintf(c->base, sizeof(c->base), "%s", b.ptr);
    hf_buf_free(&b);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    if (!c)
        return 0;
    hf_http_free(c->http);
    hf_governor_free(c->governor);
    fake_clock_destroy(&c->clock);
    free(c);
    return 0;
}

/* The tree of the work tree's index after `change` ran in it (then reset). */
static void planned_tree(hf_buf *out, const char *change)
{
    assert_int_equal(sh_out(out,
                            "cd '%s' && git reset -q --hard && git clean -qfdx && %s && git add -A "
                            "&& git write-tree && git reset -q --hard && git clean -qfdx",
                            work, change),
                     0);
}

static const char message[] = "Launchplane handoff: acme/shop\n\nWhat changed and why.\n\n"
                              "Launchplane-Capability: post-deploy\nHandoff-Fleet: odoo\n";

static void commits_on_the_branch_through_the_api(void **state)
{
    ctx *c = *state;
    hf_buf tree = HF_BUF_INIT, got = HF_BUF_INIT;
    /* Binary contents (NUL and high bytes), a modified file, a deletion. */
    static const char bin[] = {'\x89', 'P', 'N', 'G', '\0', '\x01', '\xff', '\n'};
    SH("printf '\\211PNG\\000\\001\\377\\n' >'%s/../logo.bin'", work);
    planned_tree(&tree, "printf 'shop, with Launchplane\\n' >README.md && rm NOTES.md && "
                        "cp ../logo.bin logo.bin");
    hf_gh_file files[] = {
        {"NOTES.md", 0100644, 0, NULL, 0},
        {"README.md", 0100644, 0100644, "shop, with Launchplane\n", 23},
        {"logo.bin", 0, 0100644, bin, sizeof(bin)},
    };
    hf_gh_commit_spec spec = {.branch = BRANCH,
                              .base = c->base,
                              .expected = "",
                              .message = message,
                              .tree = tree.ptr,
                              .files = files,
                              .n = 3};
    char made[41];
    hf_error err;
    if (hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err) < 0)
        fail_msg("%s", err.msg);
    tip(&got, "refs/heads/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), made);
    tip(&got, "refs/heads/handoff-scratch/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), ""); /* the scratch branch is gone */
    SH("test \"$(git --git-dir %s/shop.git rev-parse %s^)\" = %s", root, made, c->base);
    SH("test \"$(git --git-dir %s/shop.git rev-parse %s^{tree})\" = %s", root, made, tree.ptr);
    /* GitHub made and signed it; the message and its trailers are kept. */
    sh_out(&got, "git --git-dir %s/shop.git cat-file commit %s", root, made);
    assert_non_null(strstr(got.ptr, "\ncommitter GitHub <noreply@github.com> "));
    assert_non_null(strstr(got.ptr, "\ngpgsig -----BEGIN PGP SIGNATURE-----"));
    if (!strstr(got.ptr, "\n\nLaunchplane handoff: acme/shop\n\nWhat changed and why.\n\n"
                         "Launchplane-Capability: post-deploy\nHandoff-Fleet: odoo"))
        fail_msg("commit:\n%s", got.ptr);
    sh_out(&got, "git --git-dir %s/shop.git cat-file -p %s:logo.bin | od -An -tx1 | tr -d ' \\n'",
           root, made);
    assert_string_equal(hf_buf_cstr(&got), "89504e470001ff0a");
    fake_forge_assert_log(&forge, false,
                          "POST /repos/acme/shop/git/refs 201\n"
                          "POST /graphql 200\n"
                          "POST /graphql 200\n");
    /* What was asked: base64 contents, deletions by path, the base as the
     * expected head of the scratch branch. */
    cJSON *log = fake_forge_log(&forge);
    cJSON *body = cJSON_Parse(fake_forge_str(cJSON_GetArrayItem(log, 1), "body"));
    char *input = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(body, "variables"), "input"));
    hf_buf want = HF_BUF_INIT;
    hf_buf_printf(&want,
                  "{\"branch\":{\"repositoryNameWithOwner\":\"acme/shop\",\"branchName\":"
                  "\"handoff-scratch/" BRANCH "\"},\"message\":{\"headline\":\"Launchplane "
                  "handoff: acme/shop\",\"body\":\"What changed and why.\\n\\n"
                  "Launchplane-Capability: post-deploy\\nHandoff-Fleet: odoo\\n\"},"
                  "\"fileChanges\":{\"additions\":[{\"path\":\"README.md\",\"contents\":"
                  "\"c2hvcCwgd2l0aCBMYXVuY2hwbGFuZQo=\"},{\"path\":\"logo.bin\",\"contents\":"
                  "\"iVBORwAB/wo=\"}],\"deletions\":[{\"path\":\"NOTES.md\"}]},"
                  "\"expectedHeadOid\":\"%s\"}",
                  c->base);
    assert_string_equal(input, want.ptr);
    free(input);
    cJSON_Delete(body);
    cJSON_Delete(log);
    hf_buf_free(&want);

    /* The base moves: the commit is rebuilt on it and replaces handoff's. */
    SH("cd '%s' && git reset -q --hard && printf 'more\\n' >MORE.md && git add -A && "
       "git commit -q -m more && git push -q '%s/shop.git' main",
       work, root);
    hf_buf base2 = HF_BUF_INIT;
    tip(&base2, "main");
    planned_tree(&tree, "printf 'shop, with Launchplane\\n' >README.md && rm NOTES.md && "
                        "cp ../logo.bin logo.bin");
    char first[41];
    memcpy(first, made, 41);
    spec.base = base2.ptr;
    spec.expected = first;
    spec.tree = tree.ptr;
    if (hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_not_equal(made, first);
    tip(&got, "refs/heads/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), made);
    SH("test \"$(git --git-dir %s/shop.git rev-parse %s^)\" = %s", root, made, base2.ptr);

    /* Someone moved the branch since: the lease holds, nothing moves. */
    SH("cd '%s' && git fetch -q '%s/shop.git' " BRANCH " && git checkout -q FETCH_HEAD && "
       "printf 'fix\\n' >FIX.md && git add -A && git commit -q -m fix && "
       "git push -q '%s/shop.git' HEAD:refs/heads/" BRANCH " && git checkout -q main",
       work, root, root);
    hf_buf human = HF_BUF_INIT;
    tip(&human, "refs/heads/" BRANCH);
    spec.expected = made; /* what handoff believes (and the output buffer too) */
    fake_forge_clear_log(&forge);
    assert_int_equal(hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err),
                     HF_GH_ELEASE);
    assert_string_equal(made, "");
    assert_non_null(strstr(err.msg, "acme/shop: remote changed: branch '" BRANCH "' is at"));
    tip(&got, "refs/heads/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), human.ptr);
    tip(&got, "refs/heads/handoff-scratch/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), "");
    fake_forge_assert_log(
        &forge, false,
        "POST /repos/acme/shop/git/refs 201\n"
        "POST /graphql 200\n"
        "POST /graphql 200\n"
        "GET /repos/acme/shop/git/ref/heads/handoff/launchplane 200\n"
        "DELETE /repos/acme/shop/git/refs/heads/handoff-scratch/handoff/launchplane 204\n");

    hf_buf_free(&human);
    hf_buf_free(&base2);
    hf_buf_free(&tree);
    hf_buf_free(&got);
}

static void a_tree_other_than_the_plan_never_reaches_the_branch(void **state)
{
    ctx *c = *state;
    hf_buf tree = HF_BUF_INIT, got = HF_BUF_INIT;
    /* The plan says README.md changes mode too; the API writes 100644. */
    planned_tree(&tree, "printf 'x\\n' >README.md && chmod +x README.md");
    hf_gh_file files[] = {{"README.md", 0100644, 0100644, "x\n", 2}};
    hf_gh_commit_spec spec = {.branch = BRANCH,
                              .base = c->base,
                              .expected = "",
                              .message = "m\n",
                              .tree = tree.ptr,
                              .files = files,
                              .n = 1};
    char made[41];
    hf_error err;
    assert_int_equal(hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err), -1);
    assert_non_null(strstr(err.msg, "acme/shop: GitHub's commit "));
    assert_non_null(strstr(err.msg, "the branch was left as it was"));
    tip(&got, "refs/heads/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), "");
    tip(&got, "refs/heads/handoff-scratch/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), "");
    hf_buf_free(&tree);
    hf_buf_free(&got);
}

static void a_scratch_branch_left_behind_is_reused(void **state)
{
    ctx *c = *state;
    hf_buf tree = HF_BUF_INIT, got = HF_BUF_INIT;
    /* A killed run left the scratch branch at some commit. */
    SH("git --git-dir %s/shop.git update-ref refs/heads/handoff-scratch/" BRANCH " %s", root,
       c->base);
    SH("cd '%s' && git commit -q --allow-empty -m stray && git push -q '%s/shop.git' "
       "HEAD:refs/heads/handoff-scratch/" BRANCH " && git reset -q --hard HEAD^",
       work, root);
    planned_tree(&tree, "printf 'y\\n' >NEW.md");
    hf_gh_file files[] = {{"NEW.md", 0, 0100644, "y\n", 2}};
    hf_gh_commit_spec spec = {.branch = BRANCH,
                              .base = c->base,
                              .expected = NULL,
                              .message = "one line\n",
                              .tree = tree.ptr,
                              .files = files,
                              .n = 1};
    char made[41];
    hf_error err;
    fake_forge_clear_log(&forge);
    if (hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err) < 0)
        fail_msg("%s", err.msg);
    fake_forge_assert_log(
        &forge, false,
        "POST /repos/acme/shop/git/refs 422\n"
        "PATCH /repos/acme/shop/git/refs/heads/handoff-scratch/handoff/launchplane 200\n"
        "POST /graphql 200\n"
        "POST /graphql 200\n");
    SH("test \"$(git --git-dir %s/shop.git rev-parse %s^)\" = %s", root, made, c->base);
    tip(&got, "refs/heads/handoff-scratch/" BRANCH);
    assert_string_equal(hf_buf_cstr(&got), "");
    hf_buf_free(&tree);
    hf_buf_free(&got);
}

static void refuses_what_the_api_cannot_express(void **state)
{
    ctx *c = *state;
    static const struct {
        hf_gh_file f;
        const char *why;
    } cases[] = {
        {{"bin/deploy", 0, 0100755, "x", 1},
         "bin/deploy: it would be an executable file (mode 100755)"},
        {{"run.sh", 0100755, 0100755, "y", 1}, "run.sh: it would be an executable file"},
        {{"latest", 0, 0120000, "README.md", 9},
         "latest: it would be a symbolic link (mode 120000)"},
        {{"vendor/lib", 0, 0160000, "", 0}, "vendor/lib: it would be a submodule (mode 160000)"},
        {{"run.sh", 0100755, 0100644, "z", 1},
         "run.sh: it is an executable file (mode 100755) and would become a regular file"},
        {{"link", 0120000, 0100644, "w", 1},
         "link: it is a symbolic link (mode 120000) and would become a regular file"},
        {{"vendor/lib", 0160000, 0, NULL, 0}, "vendor/lib: deleting a submodule"},
    };
    fake_forge_clear_log(&forge);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hf_gh_file files[2] = {{"README.md", 0100644, 0100644, "ok\n", 3}, cases[i].f};
        hf_gh_commit_spec spec = {.branch = BRANCH,
                                  .base = c->base,
                                  .message = "m\n",
                                  .tree = c->base,
                                  .files = files,
                                  .n = 2};
        char made[41];
        hf_error err;
        assert_int_equal(hf_gh_commit_on_branch(c->http, "acme", "shop", &spec, made, &err), -1);
        if (!strstr(err.msg, cases[i].why))
            fail_msg("case %zu: %s", i, err.msg);
        assert_non_null(strstr(err.msg, "acme/shop: createCommitOnBranch cannot express "));
    }
    /* What it can express: deleting an executable file or a link. */
    hf_gh_file fine[] = {{"run.sh", 0100755, 0, NULL, 0}, {"link", 0120000, 0, NULL, 0}};
    hf_error err;
    assert_int_equal(hf_gh_commit_check(fine, 2, &err), 0);
    fake_forge_assert_log(&forge, false, ""); /* refused before any request */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commits_on_the_branch_through_the_api, setup, teardown),
        cmocka_unit_test_setup_teardown(a_tree_other_than_the_plan_never_reaches_the_branch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_scratch_branch_left_behind_is_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_what_the_api_cannot_express, setup, teardown),
    };
    return cmocka_run_group_tests_name("forge-commit", tests, group_setup, group_teardown);
}
