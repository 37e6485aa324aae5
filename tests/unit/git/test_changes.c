/* Tests of src/git/changes: the files between two trees with their new
 * contents in full (binary bytes kept), modes before and after, type
 * changes as one entry, moves as a deletion and an addition, and the cap on
 * the bytes read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "git/changes.h"

static void lists_every_file_with_its_new_contents(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("changes");
    git_repository *repo = fx_bare(dir, "main");
    static const char png[] = "\x89PNG\0\x01\xff";
    const fx_file before[] = {
        {"README.md", "v1\n", 0, 0},  {"docs/old.md", "moved\n", 0, 0},
        {"gone.txt", "bye\n", 0, 0},  {"run.sh", "#!/bin/sh\n", 0, 0100755},
        {"to-link", "plain\n", 0, 0},
    };
    const fx_file after[] = {
        {"README.md", "v2\n", 0, 0},           {"docs/new.md", "moved\n", 0, 0},
        {"logo.png", png, sizeof(png) - 1, 0}, {"run.sh", "#!/bin/sh\n", 0, 0100644},
        {"to-link", "README.md", 0, 0120000},
    };
    git_oid a, b;
    fx_tree(repo, before, 5, &a);
    fx_tree(repo, after, 5, &b);
    hf_vec out = HF_VEC_INIT;
    hf_error err;
    assert_int_equal(hf_tree_blob_changes(repo, &a, &b, 1 << 20, &out, &err), 0);
    static const struct {
        const char *path;
        unsigned old_mode, new_mode;
        const char *data;
        size_t len;
    } want[] = {
        {"README.md", 0100644, 0100644, "v2\n", 3},
        {"docs/new.md", 0, 0100644, "moved\n", 6},
        {"docs/old.md", 0100644, 0, "", 0},
        {"gone.txt", 0100644, 0, "", 0},
        {"logo.png", 0, 0100644, png, sizeof(png) - 1},
        {"run.sh", 0100755, 0100644, "#!/bin/sh\n", 10},
        {"to-link", 0100644, 0120000, "README.md", 9},
    };
    assert_int_equal(out.len, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < out.len; i++) {
        const hf_blob_change *c = out.items[i];
        assert_string_equal(c->path, want[i].path);
        assert_int_equal(c->old_mode, want[i].old_mode);
        assert_int_equal(c->new_mode, want[i].new_mode);
        assert_int_equal(c->contents.len, want[i].len);
        if (want[i].len)
            assert_memory_equal(c->contents.ptr, want[i].data, want[i].len);
    }
    hf_vec_free(&out, hf_blob_change_free);

    /* The same trees: nothing. More bytes than allowed: an error. */
    assert_int_equal(hf_tree_blob_changes(repo, &a, &a, 1 << 20, &out, &err), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(hf_tree_blob_changes(repo, &a, &b, 8, &out, &err), -1);
    assert_string_equal(err.msg, "the changed files come to more than 8 bytes");
    hf_vec_free(&out, hf_blob_change_free);
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
        cmocka_unit_test(lists_every_file_with_its_new_contents),
    };
    return cmocka_run_group_tests_name("git-changes", tests, setup, teardown);
}
