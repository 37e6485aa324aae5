/* Unit tests of the overlay (changes over a libgit2 tree, links, refusals,
 * all-or-nothing steps, the built tree), templates (text and YAML context)
 * and bounded PCRE2 matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/overlay.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "util/buf.h"
#include "util/mem.h"

typedef struct fixture {
    char dir[64];
    git_repository *repo;
    git_tree *base;
    hf_overlay *ov;
} fixture;

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A base tree: a.txt, bin/tool (binary, executable), docs/guide.md and
 * docs/link -> guide.md. */
static int setup(void **state)
{
    fixture *f = hf_xcalloc(1, sizeof(*f));
    git_treebuilder *root = NULL, *docs = NULL, *bin = NULL;
    git_oid a, tool, guide, link, docs_id, bin_id, root_id;
    hf_error err;
    strcpy(f->dir, "/tmp/hf-engine-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(git_repository_init(&f->repo, f->dir, 1), 0);
    git_blob_create_from_buffer(&a, f->repo, "alpha\n", 6);
    git_blob_create_from_buffer(&tool, f->repo,
                                "\x7f"
                                "ELF\0\0",
                                6);
    git_blob_create_from_buffer(&guide, f->repo, "# Guide\n", 8);
    git_blob_create_from_buffer(&link, f->repo, "guide.md", 8);
    git_treebuilder_new(&docs, f->repo, NULL);
    git_treebuilder_insert(NULL, docs, "guide.md", &guide, GIT_FILEMODE_BLOB);
    git_treebuilder_insert(NULL, docs, "link", &link, GIT_FILEMODE_LINK);
    git_treebuilder_write(&docs_id, docs);
    git_treebuilder_new(&bin, f->repo, NULL);
    git_treebuilder_insert(NULL, bin, "tool", &tool, GIT_FILEMODE_BLOB_EXECUTABLE);
    git_treebuilder_write(&bin_id, bin);
    git_treebuilder_new(&root, f->repo, NULL);
    git_treebuilder_insert(NULL, root, "a.txt", &a, GIT_FILEMODE_BLOB);
    git_treebuilder_insert(NULL, root, "docs", &docs_id, GIT_FILEMODE_TREE);
    git_treebuilder_insert(NULL, root, "bin", &bin_id, GIT_FILEMODE_TREE);
    git_treebuilder_write(&root_id, root);
    git_treebuilder_free(root);
    git_treebuilder_free(docs);
    git_treebuilder_free(bin);
    assert_int_equal(git_tree_lookup(&f->base, f->repo, &root_id), 0);
    hf_overlay_options opts = {100};
    assert_int_equal(hf_overlay_new(&f->ov, f->repo, f->base, &opts, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hf_overlay_free(f->ov);
    git_tree_free(f->base);
    git_repository_free(f->repo);
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static const hf_provenance prov = {"r", 2, {"recipes/r.recipe.yml", 5, 3}, "cap", NULL};

static void overlay_reads_and_refuses(void **state)
{
    fixture *f = *state;
    hf_buf b = HF_BUF_INIT;
    hf_error err;
    unsigned mode;
    assert_int_equal(hf_overlay_read_text(f->ov, "./a.txt", &b, &err), 0);
    assert_string_equal(b.ptr, "alpha\n");
    assert_int_equal(hf_overlay_mode(f->ov, "bin/tool"), GIT_FILEMODE_BLOB_EXECUTABLE);
    assert_int_equal(hf_overlay_read(f->ov, "docs/link", &b, &mode, &err), 0);
    assert_int_equal(mode, GIT_FILEMODE_LINK);
    assert_string_equal(b.ptr, "guide.md");
    assert_int_equal(hf_overlay_read_text(f->ov, "docs/link", &b, &err), -1);
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_int_equal(hf_overlay_read_text(f->ov, "bin/tool", &b, &err), -1);
    assert_non_null(strstr(err.msg, "binary"));
    assert_int_equal(hf_overlay_read_text(f->ov, "../a.txt", &b, &err), -1);
    assert_int_equal(hf_overlay_write(f->ov, "docs/link", "x", 1, 0, &prov, &err), -1);
    assert_int_equal(hf_overlay_write(f->ov, "docs/link/x", "x", 1, 0, &prov, &err), -1);
    assert_int_equal(hf_overlay_write(f->ov, "docs", "x", 1, 0, &prov, &err), -1);
    assert_int_equal(hf_overlay_write(f->ov, "/etc/passwd", "x", 1, 0, &prov, &err), -1);
    char big[200];
    memset(big, 'x', sizeof(big));
    assert_int_equal(hf_overlay_write(f->ov, "big.txt", big, sizeof(big), 0, &prov, &err), 0);
    assert_int_equal(hf_overlay_read_text(f->ov, "big.txt", &b, &err), -1);
    assert_non_null(strstr(err.msg, "limit"));
    assert_int_equal(hf_text_check("x", "a\xff", 2, 100, &err), -1);
    assert_non_null(strstr(err.msg, "x:1:2: invalid UTF-8"));
    assert_int_equal(hf_text_check("x", "\xed\xa0\x80", 3, 100, &err), -1); /* surrogate */
    hf_buf_free(&b);
}

static void overlay_changes_and_tree(void **state)
{
    fixture *f = *state;
    hf_error err;
    hf_vec paths = HF_VEC_INIT;
    assert_int_equal(hf_overlay_write(f->ov, "a.txt", "alpha\n", 6, 0, &prov, &err), 0);
    assert_int_equal(hf_overlay_change_count(f->ov), 0); /* same bytes: nothing */
    assert_int_equal(hf_overlay_write(f->ov, "new/dir/n.yml", "n: 1\n", 5, 0, &prov, &err), 0);
    assert_int_equal(hf_overlay_move(f->ov, "docs/link", "archive/x/docs/link", &prov, &err), 0);
    assert_int_equal(hf_overlay_move(f->ov, "bin/tool", "a.txt", &prov, &err), -1); /* exists */
    assert_int_equal(hf_overlay_delete(f->ov, "docs/guide.md", &prov, &err), 0);
    assert_int_equal(hf_overlay_delete(f->ov, "docs/guide.md", &prov, &err), -1);
    assert_int_equal(hf_overlay_change_count(f->ov), 3);
    const hf_change *c = hf_overlay_change(f->ov, 1);
    assert_int_equal(c->kind, HF_CHANGE_MOVE);
    assert_string_equal(c->to, "archive/x/docs/link");
    assert_string_equal(c->recipe, "r");
    assert_int_equal(c->step, 2);
    assert_string_equal(c->mark.file, "recipes/r.recipe.yml");
    assert_string_equal(c->capability, "cap");
    assert_false(hf_overlay_is_dir(f->ov, "docs"));
    hf_overlay_list(f->ov, "**/*.{yml,txt}", &paths);
    assert_int_equal(paths.len, 2);
    assert_string_equal(paths.items[0], "a.txt");
    assert_string_equal(paths.items[1], "new/dir/n.yml");
    hf_vec_free(&paths, free);

    git_oid id;
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    assert_int_equal(hf_overlay_build_tree(f->ov, &id, &err), 0);
    assert_int_equal(git_tree_lookup(&tree, f->repo, &id), 0);
    assert_int_equal(git_tree_entry_bypath(&e, tree, "archive/x/docs/link"), 0);
    assert_int_equal(git_tree_entry_filemode(e), GIT_FILEMODE_LINK);
    git_tree_entry_free(e);
    assert_int_equal(git_tree_entry_bypath(&e, tree, "bin/tool"), 0);
    assert_int_equal(git_tree_entry_filemode(e), GIT_FILEMODE_BLOB_EXECUTABLE);
    git_tree_entry_free(e);
    assert_int_not_equal(git_tree_entry_bypath(&e, tree, "docs"), 0); /* empty dir gone */
    git_tree_free(tree);
}

static void overlay_rollback_restores(void **state)
{
    fixture *f = *state;
    hf_error err;
    hf_buf b = HF_BUF_INIT;
    assert_int_equal(hf_overlay_write(f->ov, "a.txt", "one\n", 4, 0, &prov, &err), 0);
    hf_overlay_begin(f->ov);
    assert_int_equal(hf_overlay_write(f->ov, "a.txt", "two\n", 4, 0, &prov, &err), 0);
    assert_int_equal(hf_overlay_move(f->ov, "a.txt", "b.txt", &prov, &err), 0);
    assert_int_equal(hf_overlay_write(f->ov, "c.txt", "c\n", 2, 0, &prov, &err), 0);
    assert_int_equal(hf_overlay_delete(f->ov, "docs/guide.md", &prov, &err), 0);
    hf_overlay_rollback(f->ov);
    assert_int_equal(hf_overlay_change_count(f->ov), 1);
    assert_int_equal(hf_overlay_read_text(f->ov, "a.txt", &b, &err), 0);
    assert_string_equal(b.ptr, "one\n");
    assert_int_equal(hf_overlay_mode(f->ov, "b.txt"), 0);
    assert_int_equal(hf_overlay_mode(f->ov, "c.txt"), 0);
    assert_int_equal(hf_overlay_mode(f->ov, "docs/guide.md"), GIT_FILEMODE_BLOB);
    git_oid id, want;
    assert_int_equal(hf_overlay_blob_id(f->ov, "a.txt", &id, &err), 0);
    git_odb_hash(&want, "one\n", 4, GIT_OBJECT_BLOB);
    assert_true(git_oid_equal(&id, &want));
    hf_buf_free(&b);
}

static void empty_base(void **state)
{
    fixture *f = *state;
    hf_overlay *ov = NULL;
    hf_error err;
    git_oid id;
    assert_int_equal(hf_overlay_new(&ov, f->repo, NULL, NULL, &err), 0);
    assert_int_equal(
        hf_overlay_write(ov, "x/y.txt", "y", 1, GIT_FILEMODE_BLOB_EXECUTABLE, &prov, &err), 0);
    assert_int_equal(hf_overlay_build_tree(ov, &id, &err), 0);
    hf_overlay_free(ov);
}

/* ---- templates --------------------------------------------------------- */

static void templates_render_text(void **state)
{
    (void)state;
    hf_vars v = HF_VARS_INIT;
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    hf_mark m = {"t.md", 3, 5};
    hf_vars_set(&v, "repo", "o/r");
    hf_vars_set(&v, "route", "post-deploy");
    const char *t = "{{repo}} {{ route }} ${{ vars.X }} ${{ inputs.y || '{{x}}' }}";
    assert_int_equal(hf_template_render(t, strlen(t), &v, m, &out, &err), 0);
    assert_string_equal(out.ptr, "o/r post-deploy ${{ vars.X }} ${{ inputs.y || '{{x}}' }}");
    const char *bad = "ok\n  {{regoin}}";
    assert_int_equal(hf_template_render(bad, strlen(bad), &v, m, &out, &err), -1);
    assert_string_equal(err.msg,
                        "t.md:4:3: unknown template variable 'regoin' (known: repo, route)");
    const char *malformed = "{{ not closed";
    assert_int_equal(hf_template_render(malformed, strlen(malformed), &v, m, &out, &err), -1);
    assert_non_null(strstr(err.msg, "t.md:3:5: malformed"));
    hf_vec names = HF_VEC_INIT;
    assert_int_equal(hf_template_names(t, strlen(t), m, &names, &err), 0);
    assert_int_equal(names.len, 2);
    hf_vec_free(&names, free);
    hf_vars_free(&v);
    hf_buf_free(&out);
}

static void templates_render_yaml_safely(void **state)
{
    (void)state;
    hf_vars v = HF_VARS_INIT;
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    hf_mark m = {"t.yml", 1, 1};
    hf_vars_set(&v, "evil", "x: 1\nkey: [oops] # c");
    hf_vars_set(&v, "q", "it's \"quoted\"");
    hf_vars_set(&v, "ok", "cm");
    const char *t = "a: {{evil}}\nb: \"pre {{q}}\"\nc: 'pre {{q}}'\nd: pre {{ok}} post\n"
                    "e: [{{evil}}]\n# about {{ok}}\n";
    assert_int_equal(hf_template_render_yaml(t, strlen(t), &v, m, &out, &err), 0);
    assert_string_equal(out.ptr, "a: \"x: 1\\nkey: [oops] # c\"\n"
                                 "b: \"pre it's \\\"quoted\\\"\"\n"
                                 "c: 'pre it''s \"quoted\"'\n"
                                 "d: pre cm post\n"
                                 "e: [\"x: 1\\nkey: [oops] # c\"]\n"
                                 "# about cm\n");
    hf_buf_clear(&out);
    const char *comment = "a: 1 # {{evil}}\n";
    assert_int_equal(hf_template_render_yaml(comment, strlen(comment), &v, m, &out, &err), -1);
    assert_non_null(strstr(err.msg, "comment"));
    hf_vars_free(&v);
    hf_buf_free(&out);
}

/* ---- patterns ---------------------------------------------------------- */

static void regex_bounded_and_captures(void **state)
{
    (void)state;
    hf_regex *re = NULL;
    hf_error err;
    hf_mark m = {"r.yml", 2, 9};
    hf_vars v = HF_VARS_INIT;
    size_t s, e, count;
    hf_buf out = HF_BUF_INIT;
    assert_int_equal(hf_regex_compile(&re, "(unclosed", m, &err), -1);
    assert_non_null(strstr(err.msg, "r.yml:2:9: invalid pattern"));
    assert_int_equal(hf_regex_compile(&re, "odoo/(?<route>[a-z-]+)", m, &err), 0);
    const char *subj = "POST /v1/drivers/odoo/post-deploy now";
    assert_int_equal(hf_regex_search(re, subj, strlen(subj), 0, "f", &s, &e, &err), 1);
    hf_regex_captures(re, subj, &v);
    assert_string_equal(hf_vars_get(&v, "route"), "post-deploy");
    assert_int_equal(hf_regex_substitute(re, subj, strlen(subj), "${{ x }}-$1-${route}", "f", &out,
                                         &count, &err),
                     0);
    assert_int_equal(count, 1);
    assert_string_equal(out.ptr, "POST /v1/drivers/${{ x }}-post-deploy-post-deploy now");
    hf_regex_free(re);
    char evil[64];
    memset(evil, 'a', 40);
    strcpy(evil + 40, "b");
    assert_int_equal(hf_regex_compile(&re, "^(a|a?)+$", m, &err), 0);
    assert_int_equal(hf_regex_search(re, evil, strlen(evil), 0, "f", &s, &e, &err), -1);
    assert_non_null(strstr(err.msg, "limit"));
    hf_regex_free(re);
    hf_vars_free(&v);
    hf_buf_free(&out);
}

int main(void)
{
    git_libgit2_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(overlay_reads_and_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(overlay_changes_and_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(overlay_rollback_restores, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_base, setup, teardown),
        cmocka_unit_test(templates_render_text),
        cmocka_unit_test(templates_render_yaml_safely),
        cmocka_unit_test(regex_bounded_and_captures),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    git_libgit2_shutdown();
    return rc;
}
