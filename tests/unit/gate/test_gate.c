/* The link gate: a change passes only on an implemented capability (with the
 * strategy it relies on) or a valid, covering, unexpired exception. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "policy/gate.h"
#include "util/buf.h"
#include "util/fs.h"

static hf_config cfg;

static int setup(void **state)
{
    (void)state;
    hf_buf dir = HF_BUF_INIT;
    const char *root = getenv("HF_SOURCE_ROOT");
    hf_fs_join(&dir, root ? root : ".", "tests/config-cases/base");
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = {2026, 11, 27}, .expired_is_error = false};
    int rc = hf_config_load(&cfg, dir.ptr, &opts, &diags);
    hf_diags_free(&diags);
    hf_buf_free(&dir);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    hf_config_free(&cfg);
    return 0;
}

/* Runs one use through the gate; returns the reason or NULL. */
static char *gate_one(const hf_link_use *u, const char *repo, hf_date today)
{
    hf_vec blocks = HF_VEC_INIT;
    hf_gate_check(&cfg, repo, today, u, 1, &blocks);
    char *reason = NULL;
    if (blocks.len) {
        hf_block *b = blocks.items[0];
        reason = strdup(b->reason);
    }
    hf_vec_free(&blocks, hf_block_free);
    return reason;
}

static const hf_date today = {2026, 11, 27};
static const hf_mark mark = {"tenant.recipe.yml", 5, 5};

static void implemented_capability_passes(void **state)
{
    (void)state;
    hf_link_use u = {"tenant", 1, mark, "scripts/a.mjs", NULL, "artifact-publish", NULL, NULL};
    assert_null(gate_one(&u, "acme/tenant-a", today));
}

static void unknown_capability_blocks(void **state)
{
    (void)state;
    hf_link_use u = {"tenant", 2, mark, "x", NULL, "nope", NULL, NULL};
    char *r = gate_one(&u, "acme/tenant-a", today);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 2: unknown capability 'nope'");
    free(r);
}

static void strategy_must_be_implemented(void **state)
{
    (void)state;
    hf_link_use ok = {"tenant", 1, mark, "x", NULL, "stable-bootstrap", NULL, "empty"};
    assert_null(gate_one(&ok, "acme/tenant-a", today));
    hf_link_use bad = {"tenant", 1, mark, "x", NULL, "stable-bootstrap", NULL, "snapshot-restore"};
    char *r = gate_one(&bad, "acme/tenant-a", today);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 1: capability 'stable-bootstrap' does "
                           "not implement strategy 'snapshot-restore' (implemented: empty "
                           "recreate-in-place)");
    free(r);
}

static void exception_rules(void **state)
{
    (void)state;
    hf_link_use u = {"image", 3, mark, ".github/workflows/ghcr-retention.yml", NULL, NULL,
                     "ghcr-retention", NULL};
    assert_null(gate_one(&u, "acme/image", today));
    /* another repo */
    char *r = gate_one(&u, "acme/tenant-a", today);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 3: exception 'ghcr-retention' does not "
                           "cover repo acme/tenant-a");
    free(r);
    /* a path outside its globs */
    hf_link_use other = u;
    other.path = "scripts/cleanup.sh";
    r = gate_one(&other, "acme/image", today);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 3: exception 'ghcr-retention' does not "
                           "cover path scripts/cleanup.sh");
    free(r);
    /* a move whose destination it does not cover */
    hf_link_use move = u;
    move.to = "archive/x/ghcr-retention.yml";
    r = gate_one(&move, "acme/image", today);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 3: exception 'ghcr-retention' does not "
                           "cover path archive/x/ghcr-retention.yml");
    free(r);
    /* the day after it expired */
    hf_date later = {2027, 7, 1};
    r = gate_one(&u, "acme/image", later);
    assert_string_equal(r, "tenant.recipe.yml:5:5: step 3: exception 'ghcr-retention' expired "
                           "on 2027-06-30");
    free(r);
    /* its last day still counts */
    hf_date last = {2027, 6, 30};
    assert_null(gate_one(&u, "acme/image", last));
}

static void one_block_per_step_and_reason(void **state)
{
    (void)state;
    hf_link_use uses[3] = {
        {"tenant", 4, mark, "a", NULL, "nope", NULL, NULL},
        {"tenant", 4, mark, "b", NULL, "nope", NULL, NULL},
        {"tenant", 5, mark, "c", NULL, NULL, NULL, NULL},
    };
    hf_vec blocks = HF_VEC_INIT;
    assert_int_equal(hf_gate_check(&cfg, "acme/tenant-a", today, uses, 3, &blocks), 2);
    hf_block *b = blocks.items[1];
    assert_string_equal(b->reason, "tenant.recipe.yml:5:5: step 5: the change carries no single "
                                   "link (capability or exception)");
    hf_vec_free(&blocks, hf_block_free);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(implemented_capability_passes),
        cmocka_unit_test(unknown_capability_blocks),
        cmocka_unit_test(strategy_must_be_implemented),
        cmocka_unit_test(exception_rules),
        cmocka_unit_test(one_block_per_step_and_reason),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
