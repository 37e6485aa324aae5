/* Tests of src/batch/state: the apply journal survives a round trip, stays
 * sorted, refuses another fleet's journal and malformed records, and is
 * written atomically. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/state.h"
#include "fixture.h"
#include "util/fs.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"

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

static void round_trip(void **state)
{
    (void)state;
    hf_state st = HF_STATE_INIT, back = HF_STATE_INIT;
    hf_error err;
    st.fleet = strdup("odoo");
    st.branch = strdup("handoff/x");
    hf_state_entry *b = hf_state_put(&st, "acme/b");
    hf_state_entry *a = hf_state_put(&st, "acme/a");
    assert_ptr_equal(hf_state_put(&st, "acme/b"), b);
    memcpy(b->base, C1, sizeof(b->base));
    memcpy(b->pushed, C2, sizeof(b->pushed));
    b->pr = 42;
    b->closed_pr = 7;
    hf_state_set(&b->pr_url, "https://github.com/acme/b/pull/42");
    hf_state_set(&b->pr_state, "draft");
    hf_state_set(&b->result, "created");
    hf_state_set(&b->message, "line \"one\"\nline two");
    hf_state_set(&a->result, "no-changes");
    char *json = hf_state_json(&st);
    assert_int_equal(hf_state_parse(&back, json, strlen(json), &err), 0);
    assert_string_equal(back.fleet, "odoo");
    assert_int_equal(back.entries.len, 2);
    const hf_state_entry *first = back.entries.items[0];
    assert_string_equal(first->repo, "acme/a"); /* sorted */
    const hf_state_entry *e = hf_state_get(&back, "acme/b");
    assert_non_null(e);
    assert_string_equal(e->base, C1);
    assert_string_equal(e->pushed, C2);
    assert_string_equal(e->tree, "");
    assert_int_equal(e->pr, 42);
    assert_int_equal(e->closed_pr, 7);
    assert_string_equal(e->pr_state, "draft");
    assert_string_equal(e->message, "line \"one\"\nline two");
    assert_null(hf_state_get(&back, "acme/c"));
    char *again = hf_state_json(&back);
    assert_string_equal(json, again);
    free(json);
    free(again);
    hf_state_free(&st);
    hf_state_free(&back);
}

static void refuses_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "not json",
        "[]",
        "{\"version\":2,\"repos\":{}}",
        "{\"version\":1,\"repos\":[]}",
        "{\"version\":1,\"repos\":{\"acme/a\":{\"pushed\":\"xyz\"}}}",
        "{\"version\":1,\"repos\":{\"acme/a\":{\"pr\":\"7\"}}}",
        "{\"version\":1,\"repos\":{\"acme/a\":{\"pr\":-1}}}",
        "{\"version\":1,\"repos\":{\"acme/a\":{\"result\":3}}}",
        "{\"version\":1,\"repos\":{\"acme/a\":5}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hf_state st = HF_STATE_INIT;
        hf_error err;
        assert_int_equal(hf_state_parse(&st, bad[i], strlen(bad[i]), &err), -1);
        hf_state_free(&st);
    }
}

static void load_save_and_fleet_check(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("state");
    hf_buf path = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error err;
    hf_buf_printf(&path, "%s/deep/er/journal.json", dir);
    hf_state st = HF_STATE_INIT;
    /* missing: an empty journal of this fleet */
    assert_int_equal(hf_state_load(&st, path.ptr, "odoo", "handoff/x", &err), 0);
    assert_int_equal(st.entries.len, 0);
    hf_state_set(&hf_state_put(&st, "acme/a")->result, "created");
    assert_int_equal(hf_state_save(&st, path.ptr, &err), 0);
    struct stat sb;
    assert_int_equal(stat(path.ptr, &sb), 0);
    /* no temp file left behind */
    assert_int_equal(fx_sh("test \"$(ls %s/deep/er | wc -l)\" -eq 1", dir), 0);
    hf_state_free(&st);

    hf_state again = HF_STATE_INIT;
    assert_int_equal(hf_state_load(&again, path.ptr, "odoo", "handoff/x", &err), 0);
    assert_string_equal(hf_state_get(&again, "acme/a")->result, "created");
    hf_state_free(&again);

    hf_state other = HF_STATE_INIT;
    assert_int_equal(hf_state_load(&other, path.ptr, "other", "handoff/x", &err), -1);
    assert_non_null(strstr(err.msg, "fleet 'odoo'"));
    hf_state_free(&other);
    hf_state branch = HF_STATE_INIT;
    assert_int_equal(hf_state_load(&branch, path.ptr, "odoo", "handoff/y", &err), -1);
    hf_state_free(&branch);

    assert_int_equal(hf_fs_write_atomic(path.ptr, "{", 1, &err), 0);
    hf_state broken = HF_STATE_INIT;
    assert_int_equal(hf_state_load(&broken, path.ptr, "odoo", "handoff/x", &err), -1);
    assert_non_null(strstr(err.msg, path.ptr));
    hf_state_free(&broken);
    hf_buf_free(&path);
    hf_buf_free(&text);
    free(dir);
}

static void default_path_is_per_fleet_and_branch(void **state)
{
    (void)state;
    char *p = hf_state_default_path("/c", "launchplane-odoo", "handoff/launchplane thin");
    assert_string_equal(p, "/c/state/launchplane-odoo__handoff_launchplane_thin.json");
    free(p);
    char now[21];
    hf_state_now(now);
    assert_int_equal(strlen(now), 20);
    assert_int_equal(now[19], 'Z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(refuses_malformed),
        cmocka_unit_test(load_save_and_fleet_check),
        cmocka_unit_test(default_path_is_per_fleet_and_branch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
