/* Tests of apply's decisions: what the batch branch is compared with what
 * handoff wants (hf_lease_decide, over real commits), and what to do about
 * the PR found by head branch (hf_pr_decide). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "batch/apply.h"
#include "fixture.h"

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

#define HANDOFF_MSG "Hand over\n\nHandoff-Fleet: odoo\n"

static void tree_of(git_repository *repo, const git_oid *commit, git_oid *out)
{
    git_commit *c;
    assert_int_equal(git_commit_lookup(&c, repo, commit), 0);
    git_oid_cpy(out, git_commit_tree_id(c));
    git_commit_free(c);
}

static hf_lease decide(git_repository *repo, const git_oid *tip, const git_oid *base,
                       const git_oid *tree, const git_oid *recorded)
{
    hf_lease l;
    hf_error err;
    assert_int_equal(hf_lease_decide(repo, tip, base, tree, recorded, "odoo", &l, &err), 0);
    return l;
}

static void lease(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("lease");
    git_repository *repo = fx_bare(dir, "main");
    fx_file base_files[] = {{"a.txt", "a\n", 0, 0}};
    fx_file want_files[] = {{"a.txt", "b\n", 0, 0}};
    fx_file human_files[] = {{"a.txt", "b\n", 0, 0}, {"fix.txt", "fix\n", 0, 0}};
    fx_file moved_files[] = {{"a.txt", "a\n", 0, 0}, {"n.txt", "n\n", 0, 0}};
    git_oid base, moved, ours, ours_moved, human, other_fleet, want_tree, zero;
    memset(&zero, 0, sizeof(zero));
    fx_commit(repo, "refs/heads/main", NULL, base_files, 1, "base", &base);
    fx_commit(repo, NULL, &base, want_files, 1, HANDOFF_MSG, &ours);
    tree_of(repo, &ours, &want_tree);
    fx_commit(repo, NULL, &base, moved_files, 2, "moved", &moved);
    fx_commit(repo, NULL, &moved, want_files, 1, HANDOFF_MSG, &ours_moved);
    fx_commit(repo, NULL, &ours, human_files, 2, "A reviewer's fix", &human);
    fx_commit(repo, NULL, &base, want_files, 1, "Hand over\n\nHandoff-Fleet: other\n",
              &other_fleet);

    assert_int_equal(decide(repo, &zero, &base, &want_tree, NULL), HF_LEASE_ABSENT);
    assert_int_equal(decide(repo, &ours, &base, &want_tree, NULL), HF_LEASE_CURRENT);
    /* base moved: the old commit is handoff's by its trailer */
    assert_int_equal(decide(repo, &ours, &moved, &want_tree, NULL), HF_LEASE_OURS);
    assert_int_equal(decide(repo, &ours_moved, &moved, &want_tree, NULL), HF_LEASE_CURRENT);
    /* a person's commit on top: hands off, unless the journal says we pushed it */
    assert_int_equal(decide(repo, &human, &base, &want_tree, NULL), HF_LEASE_HUMAN);
    assert_int_equal(decide(repo, &human, &moved, &want_tree, &zero), HF_LEASE_HUMAN);
    assert_int_equal(decide(repo, &human, &moved, &want_tree, &ours), HF_LEASE_HUMAN);
    assert_int_equal(decide(repo, &human, &moved, &want_tree, &human), HF_LEASE_OURS);
    /* another fleet's trailer is not ours */
    assert_int_equal(decide(repo, &other_fleet, &moved, &want_tree, NULL), HF_LEASE_HUMAN);
    /* no change wanted: our branch may go, a person's may not */
    assert_int_equal(decide(repo, &ours, &base, NULL, NULL), HF_LEASE_OURS);
    assert_int_equal(decide(repo, &human, &base, NULL, NULL), HF_LEASE_HUMAN);
    /* a branch already merged into the base holds nothing of its own */
    assert_int_equal(decide(repo, &base, &moved, &want_tree, NULL), HF_LEASE_OURS);
    git_repository_free(repo);
    free(dir);
}

static hf_gh_pr *pr(long number, const char *state, bool merged, const char *body)
{
    hf_gh_pr *p = calloc(1, sizeof(*p));
    p->number = number;
    p->state = strdup(state);
    p->merged = merged;
    p->body = strdup(body);
    p->title = strdup("");
    p->head_ref = strdup("handoff/x");
    p->head_sha = strdup("");
    p->base_ref = strdup("main");
    p->html_url = strdup("");
    p->user_login = strdup("bot");
    return p;
}

static void pr_decisions(void **state)
{
    (void)state;
    hf_gh_pr *open = pr(3, "open", false, "text\n\n<!-- handoff:hash=0123456789abcdef -->\n");
    hf_gh_pr *foreign = pr(4, "open", false, "a person's PR");
    hf_gh_pr *closed = pr(5, "closed", false, "x");
    hf_gh_pr *merged = pr(6, "closed", true, "x");

    assert_int_equal(hf_pr_decide(true, NULL, 0, false), HF_PR_CREATE);
    assert_int_equal(hf_pr_decide(true, open, 0, false), HF_PR_CONVERGE);
    assert_int_equal(hf_pr_decide(true, foreign, 0, false), HF_PR_CONVERGE);
    assert_int_equal(hf_pr_decide(true, merged, 0, false), HF_PR_CREATE);
    assert_int_equal(hf_pr_decide(true, closed, 0, false), HF_PR_LEAVE_CLOSED);
    assert_int_equal(hf_pr_decide(true, closed, 0, true), HF_PR_REOPEN);
    /* closed by handoff itself (its branch is gone): a new one */
    assert_int_equal(hf_pr_decide(true, closed, 5, false), HF_PR_CREATE);
    assert_int_equal(hf_pr_decide(true, closed, 4, false), HF_PR_LEAVE_CLOSED);

    assert_int_equal(hf_pr_decide(false, NULL, 0, false), HF_PR_NOTHING);
    assert_int_equal(hf_pr_decide(false, open, 0, false), HF_PR_CLOSE);
    assert_int_equal(hf_pr_decide(false, foreign, 0, false), HF_PR_FOREIGN);
    assert_int_equal(hf_pr_decide(false, closed, 0, true), HF_PR_NOTHING);
    assert_int_equal(hf_pr_decide(false, merged, 0, false), HF_PR_NOTHING);

    assert_string_equal(hf_pr_state_name(NULL), "none");
    assert_string_equal(hf_pr_state_name(open), "open");
    open->draft = true;
    assert_string_equal(hf_pr_state_name(open), "draft");
    assert_string_equal(hf_pr_state_name(closed), "closed");
    assert_string_equal(hf_pr_state_name(merged), "merged");
    assert_string_equal(hf_apply_result_name(HF_APPLY_HUMAN_MODIFIED), "human-modified");
    assert_string_equal(hf_apply_result_name(HF_APPLY_SKIPPED), "skipped");
    hf_gh_pr_free(open);
    hf_gh_pr_free(foreign);
    hf_gh_pr_free(closed);
    hf_gh_pr_free(merged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lease),
        cmocka_unit_test(pr_decisions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
