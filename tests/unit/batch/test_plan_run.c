/* hf_plan_run appends: apply as a GitHub App plans one owner's repos at a
 * time into the same vector, and the plans already there must be left as
 * they are (not planned again with the next owner's token). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "batch/plan.h"
#include "config/model.h"
#include "fixture.h"

static hf_config cfg;
static hf_contract_engine *engine;

static int setup(void **state)
{
    (void)state;
    fx_global_setup();
    hf_buf dir = HF_BUF_INIT;
    hf_buf_printf(&dir, "%s/tests/apply-config", getenv("HF_SOURCE_ROOT"));
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options lo = {.today = {2026, 6, 1}};
    int rc = hf_config_load(&cfg, dir.ptr, &lo, &diags);
    hf_diags_print(&diags, stderr);
    hf_diags_free(&diags);
    hf_buf_free(&dir);
    hf_error err;
    if (rc == 0 && hf_contract_compile(&engine, &cfg, &err) < 0)
        rc = -1;
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    hf_contract_free(engine);
    hf_config_free(&cfg);
    fx_global_teardown();
    return 0;
}

static void ready(hf_repo_plan *plan, void *ctx)
{
    hf_vec *order = ctx;
    hf_vec_push(order, (void *)plan->repo->name);
}

static void appends_and_leaves_earlier_plans_alone(void **state)
{
    (void)state;
    char *cache = fx_tmpdir("plan-run-cache");
    hf_vec sources = HF_VEC_INIT, repos = HF_VEC_INIT, plans = HF_VEC_INIT, order = HF_VEC_INIT;
    hf_repo_plan *earlier = calloc(1, sizeof(*earlier));
    earlier->repo = hf_config_repo(&cfg, "acme/odoo-tenant-cm");
    earlier->status = HF_PLAN_NO_CHANGES;
    hf_vec_push(&plans, earlier);
    hf_vec_push(&repos, (void *)hf_config_repo(&cfg, "acme/odoo-docker"));
    hf_vec_push(&repos, (void *)hf_config_repo(&cfg, "acme/odoo-ai"));
    /* sources nowhere: each new plan ends in a fetch error */
    hf_plan_options o = {.cfg = &cfg,
                         .engine = engine,
                         .today = {2026, 6, 1},
                         .cache_dir = cache,
                         .sources = &sources,
                         .jobs = 2,
                         .quiet = true,
                         .on_ready = ready,
                         .ready_ctx = &order};
    hf_source nowhere[] = {{"acme/odoo-docker", "/nonexistent/odoo-docker.git"},
                           {"acme/odoo-ai", "/nonexistent/odoo-ai.git"}};
    hf_vec_push(&sources, &nowhere[0]);
    hf_vec_push(&sources, &nowhere[1]);
    assert_int_equal(hf_plan_run(&o, &repos, &plans), 0);
    assert_int_equal(plans.len, 3);
    assert_ptr_equal(plans.items[0], earlier);
    assert_int_equal(earlier->status, HF_PLAN_NO_CHANGES);
    assert_null(earlier->error);
    for (size_t i = 1; i < 3; i++) {
        const hf_repo_plan *p = plans.items[i];
        assert_ptr_equal(p->repo, repos.items[i - 1]);
        assert_int_equal(p->status, HF_PLAN_ERROR);
    }
    /* the new plans only, in fleet order */
    assert_int_equal(order.len, 2);
    assert_string_equal(order.items[0], "acme/odoo-docker");
    assert_string_equal(order.items[1], "acme/odoo-ai");
    hf_vec_free(&plans, hf_repo_plan_free);
    hf_vec_free(&repos, NULL);
    hf_vec_free(&order, NULL);
    hf_vec_free(&sources, NULL);
    free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends_and_leaves_earlier_plans_alone),
    };
    return cmocka_run_group_tests_name("batch-plan-run", tests, setup, teardown);
}
