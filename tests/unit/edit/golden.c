/* Golden tests of the edit engine: every directory under tests/golden/ with a
 * case.yml is one case (a before/ tree, the steps to run, and the expected
 * after/ tree, changes.txt, notes.txt or error.txt). The before tree goes
 * into a scratch bare repository, the steps run over an overlay of it, and
 * the tree built from the overlay is compared byte for byte. With
 * HF_GOLDEN_UPDATE=1 the expected files are (re)written instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/model.h"
#include "config/node.h"
#include "edit/ops.h"
#include "edit/overlay.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

typedef struct golden_case {
    char *name;
    char *dir;
} golden_case;

static const char *golden_root;
static int update_mode;

/* ---- files ------------------------------------------------------------- */

static int read_file(const char *path, hf_buf *out)
{
    hf_error err;
    hf_buf_clear(out);
    return hf_fs_read(out, path, 64u << 20, 1, &err);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_rf(const char *path)
{
    if (exists(path))
        nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *data, size_t len)
{
    hf_error err;
    hf_buf dir = HF_BUF_INIT;
    const char *slash = strrchr(path, '/');
    hf_buf_put(&dir, path, (size_t)(slash - path));
    hf_fs_mkdirs(hf_buf_cstr(&dir), &err);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    hf_buf_free(&dir);
}

/* ---- trees: a directory into git, a git tree into a listing -------------- */

static void dir_to_tree(git_repository *repo, const char *dir, git_oid *out)
{
    git_treebuilder *tb = NULL;
    DIR *d = opendir(dir);
    assert_non_null(d);
    assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
    struct dirent *de;
    hf_buf path = HF_BUF_INIT, data = HF_BUF_INIT;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, ".gitkeep") == 0)
            continue;
        struct stat st;
        hf_buf_clear(&path);
        hf_buf_printf(&path, "%s/%s", dir, de->d_name);
        assert_int_equal(lstat(path.ptr, &st), 0);
        git_oid oid;
        git_filemode_t mode;
        if (S_ISDIR(st.st_mode)) {
            dir_to_tree(repo, path.ptr, &oid);
            mode = GIT_FILEMODE_TREE;
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(path.ptr, target, sizeof(target));
            assert_true(n > 0);
            assert_int_equal(git_blob_create_from_buffer(&oid, repo, target, (size_t)n), 0);
            mode = GIT_FILEMODE_LINK;
        } else {
            assert_int_equal(read_file(path.ptr, &data), 0);
            assert_int_equal(git_blob_create_from_buffer(&oid, repo, hf_buf_cstr(&data), data.len),
                             0);
            mode = st.st_mode & 0100 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
        }
        assert_int_equal(git_treebuilder_insert(NULL, tb, de->d_name, &oid, mode), 0);
    }
    closedir(d);
    assert_int_equal(git_treebuilder_write(out, tb), 0);
    git_treebuilder_free(tb);
    hf_buf_free(&path);
    hf_buf_free(&data);
}

/* "mode path\n<content>" listing of a tree, sorted, for comparison. */
typedef struct listing {
    git_repository *repo;
    hf_buf *out;
    const char *write_to; /* update mode: materialise the tree here */
} listing;

static int list_cb(const char *root, const git_tree_entry *te, void *payload)
{
    listing *l = payload;
    if (git_tree_entry_filemode(te) == GIT_FILEMODE_TREE)
        return 0;
    git_blob *blob = NULL;
    assert_int_equal(git_blob_lookup(&blob, l->repo, git_tree_entry_id(te)), 0);
    const char *content = git_blob_rawcontent(blob);
    size_t len = (size_t)git_blob_rawsize(blob);
    unsigned mode = (unsigned)git_tree_entry_filemode(te);
    hf_buf_printf(l->out, "== %06o %s%s (%zu bytes)\n", mode, root, git_tree_entry_name(te), len);
    hf_buf_put(l->out, content, len);
    hf_buf_puts(l->out, "\n");
    if (l->write_to) {
        hf_buf p = HF_BUF_INIT;
        hf_buf_printf(&p, "%s/%s%s", l->write_to, root, git_tree_entry_name(te));
        if (mode == GIT_FILEMODE_LINK) {
            hf_buf dir = HF_BUF_INIT, target = HF_BUF_INIT;
            hf_error err;
            hf_buf_put(&dir, p.ptr, (size_t)(strrchr(p.ptr, '/') - p.ptr));
            hf_fs_mkdirs(hf_buf_cstr(&dir), &err);
            hf_buf_put(&target, content, len);
            assert_int_equal(symlink(hf_buf_cstr(&target), p.ptr), 0);
            hf_buf_free(&dir);
            hf_buf_free(&target);
        } else {
            write_file(p.ptr, content, len);
            if (mode == GIT_FILEMODE_BLOB_EXECUTABLE)
                chmod(p.ptr, 0755);
        }
        hf_buf_free(&p);
    }
    git_blob_free(blob);
    return 0;
}

static void list_tree(git_repository *repo, const git_oid *id, hf_buf *out, const char *write_to)
{
    git_tree *tree = NULL;
    listing l = {repo, out, write_to};
    assert_int_equal(git_tree_lookup(&tree, repo, id), 0);
    assert_int_equal(git_tree_walk(tree, GIT_TREEWALK_PRE, list_cb, &l), 0);
    git_tree_free(tree);
}

/* ---- case.yml -> steps ---------------------------------------------------- */

static char *str_of(const hf_node *map, const char *key)
{
    const hf_node *n = hf_node_get(map, key);
    return n && n->kind == HF_NODE_SCALAR ? hf_xstrdup(n->value) : NULL;
}

/* The configuration every case runs against (capabilities with their
 * adapters, exceptions): tests/golden/config. */
static hf_config base_config;
static hf_vec kept_docs; /* hf_doc *: the case files the loaded recipes point into */

/* ---- one case ---------------------------------------------------------- */

static void check_or_update(const char *path, const hf_buf *got, const char *what)
{
    hf_buf want = HF_BUF_INIT;
    if (update_mode) {
        if (got->len)
            write_file(path, hf_buf_cstr(got), got->len);
        else
            remove(path);
        return;
    }
    if (read_file(path, &want) < 0)
        hf_buf_clear(&want);
    if (want.len != got->len || memcmp(hf_buf_cstr(&want), hf_buf_cstr(got), got->len) != 0) {
        print_error("%s differs from %s\n--- want ---\n%s\n--- got ---\n%s\n", what, path,
                    hf_buf_cstr(&want), hf_buf_cstr(got));
        hf_buf_free(&want);
        fail();
    }
    hf_buf_free(&want);
}

static void run_case(void **state)
{
    const golden_case *gc = *state;
    hf_buf path = HF_BUF_INIT, text = HF_BUF_INIT, got_tree = HF_BUF_INIT, want_tree = HF_BUF_INIT,
           changes = HF_BUF_INIT, notes = HF_BUF_INIT, errors = HF_BUF_INIT, display = HF_BUF_INIT;
    hf_doc doc = {0};
    hf_diags diags = HF_DIAGS_INIT;
    hf_vars vars = HF_VARS_INIT;
    const hf_recipe *recipe = NULL;
    git_repository *repo = NULL;
    git_tree *base = NULL;
    hf_overlay *ov = NULL;
    hf_error err;
    char tmp[] = "/tmp/hf-golden-XXXXXX";

    hf_buf_printf(&path, "%s/case.yml", gc->dir);
    hf_buf_printf(&display, "tests/golden/%s/case.yml", gc->name);
    assert_int_equal(read_file(path.ptr, &text), 0);
    if (hf_doc_parse(&doc, display.ptr, hf_buf_cstr(&text), text.len, &hf_yaml_default_limits,
                     &diags) < 0) {
        hf_diags_print(&diags, stderr);
        fail();
    }
    const hf_node *vnode = hf_node_get(doc.root, "vars");
    hf_vars_set(&vars, "repo", "cbusillo/odoo-tenant-cm");
    hf_vars_set(&vars, "family", "tenant");
    hf_vars_set(&vars, "context", "cm");
    hf_vars_set(&vars, "product", "odoo-tenant-cm");
    hf_vars_set(&vars, "today", "2026-07-01");
    for (size_t i = 0; vnode && i < vnode->len; i++)
        hf_vars_set(&vars, vnode->pairs[i].key->value, vnode->pairs[i].value->value);
    const hf_node *snode = hf_node_get(doc.root, "steps");
    assert_non_null(snode);
    /* the steps go through the real loader, as in a *.recipe.yml */
    size_t errors_before = diags.errors;
    recipe = hf_config_add_recipe(&base_config, gc->name, display.ptr,
                                  hf_node_get(doc.root, "predicates"), snode, &diags);
    if (diags.errors > errors_before) {
        hf_diags_sort(&diags);
        for (size_t i = 0; i < diags.items.len; i++) {
            const hf_diag *g = diags.items.items[i];
            hf_buf_printf(&errors, "%s:%d:%d: %s\n", g->file, g->line, g->col, g->msg);
        }
    }

    /* the before tree, in a scratch bare repository */
    assert_non_null(mkdtemp(tmp));
    assert_int_equal(git_repository_init(&repo, tmp, 1), 0);
    hf_buf_clear(&path);
    hf_buf_printf(&path, "%s/before", gc->dir);
    git_oid base_id;
    dir_to_tree(repo, path.ptr, &base_id);
    assert_int_equal(git_tree_lookup(&base, repo, &base_id), 0);

    hf_overlay_options opts = {0};
    char *max = str_of(doc.root, "max-file-bytes");
    if (max)
        opts.max_text_bytes = (size_t)atol(max);
    free(max);
    assert_int_equal(hf_overlay_new(&ov, repo, base, &opts, &err), 0);

    hf_buf templates = HF_BUF_INIT;
    hf_buf_printf(&templates, "%s/archive-templates", golden_root);
    hf_vec held = HF_VEC_INIT, handed = HF_VEC_INIT;
    hf_edit_ctx ctx = {.cfg = &base_config,
                       .overlay = ov,
                       .vars = &vars,
                       .recipe = gc->name,
                       .templates_dir = templates.ptr,
                       .config_dir = gc->dir,
                       .held = &held,
                       .handed = &handed};
    for (size_t i = 0; !errors.len && i < recipe->steps.len; i++) {
        hf_step_report rep = HF_STEP_REPORT_INIT;
        int rc = hf_step_apply(&ctx, recipe->steps.items[i], &rep, &err);
        for (size_t k = 0; k < rep.left.len; k++) {
            const hf_left *l = rep.left.items[k];
            hf_buf_printf(&notes, "left: %s\n", l->text);
            if (l->unblock)
                hf_buf_printf(&notes, "  to unblock: %s\n", l->unblock);
        }
        for (size_t k = 0; k < rep.stale.len; k++) {
            const hf_stale *st = rep.stale.items[k];
            hf_buf_printf(&notes, "stale: %s:%d names %s (now %s)\n", st->path, st->line,
                          st->target, st->now);
        }
        for (size_t k = 0; k < rep.notes.len; k++)
            hf_buf_printf(&notes, "%s\n", (const char *)rep.notes.items[k]);
        hf_buf_printf(&notes, "step %zu: matched %zu, converged %zu, changes %zu\n", i + 1,
                      rep.matched, rep.converged, rep.changes);
        hf_step_report_free(&rep);
        if (rc < 0) {
            hf_buf_printf(&errors, "%s\n", err.msg);
            break;
        }
    }
    for (size_t i = 0; i < hf_overlay_change_count(ov); i++) {
        const hf_change *c = hf_overlay_change(ov, i);
        hf_buf_printf(&changes, "%s %s%s%s %s#%zu %s %s\n", hf_change_kind_name(c->kind), c->path,
                      c->to ? " -> " : "", c->to ? c->to : "", c->recipe, c->step,
                      c->capability ? "capability" : "exception",
                      c->capability ? c->capability : c->exception);
    }

    git_oid result;
    assert_int_equal(hf_overlay_build_tree(ov, &result, &err), 0);
    hf_buf_clear(&path);
    hf_buf_printf(&path, "%s/after", gc->dir);
    if (update_mode) {
        rm_rf(path.ptr);
        if (errors.len == 0)
            list_tree(repo, &result, &got_tree, path.ptr);
    } else {
        list_tree(repo, &result, &got_tree, NULL);
        git_oid want_id = base_id;
        if (exists(path.ptr))
            dir_to_tree(repo, path.ptr, &want_id);
        list_tree(repo, &want_id, &want_tree, NULL);
        if (want_tree.len != got_tree.len ||
            memcmp(hf_buf_cstr(&want_tree), hf_buf_cstr(&got_tree), got_tree.len) != 0) {
            print_error("the tree differs from %s\n--- want ---\n%s\n--- got ---\n%s\n", path.ptr,
                        hf_buf_cstr(&want_tree), hf_buf_cstr(&got_tree));
            fail();
        }
    }
    hf_buf_clear(&path);
    hf_buf_printf(&path, "%s/changes.txt", gc->dir);
    check_or_update(path.ptr, &changes, "changes");
    hf_buf_clear(&path);
    hf_buf_printf(&path, "%s/notes.txt", gc->dir);
    check_or_update(path.ptr, &notes, "notes");
    hf_buf_clear(&path);
    hf_buf_printf(&path, "%s/error.txt", gc->dir);
    check_or_update(path.ptr, &errors, "error");
    if (errors.len)
        assert_int_equal(hf_overlay_change_count(ov), 0); /* failed steps leave nothing */

    hf_overlay_free(ov);
    git_tree_free(base);
    git_repository_free(repo);
    rm_rf(tmp);
    hf_vars_free(&vars);
    hf_vec_free(&held, free);
    hf_vec_free(&handed, free);
    hf_diags_free(&diags);
    hf_buf_free(&templates);
    hf_buf_free(&path);
    hf_buf_free(&text);
    hf_buf_free(&got_tree);
    hf_buf_free(&want_tree);
    hf_buf_free(&changes);
    hf_buf_free(&notes);
    hf_buf_free(&errors);
    hf_buf_free(&display);
    /* the recipe's nodes live in doc: keep doc until the run ends */
    hf_doc *keep = hf_xmalloc(sizeof(*keep));
    *keep = doc;
    hf_vec_push(&kept_docs, keep);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    static hf_buf root = HF_BUF_INIT;
    const char *src = getenv("HF_SOURCE_ROOT");
    hf_buf_printf(&root, "%s/tests/golden", argc > 1 ? argv[1] : src ? src : ".");
    golden_root = root.ptr;
    update_mode = getenv("HF_GOLDEN_UPDATE") && strcmp(getenv("HF_GOLDEN_UPDATE"), "1") == 0;
    git_libgit2_init();

    hf_vec names = HF_VEC_INIT;
    DIR *d = opendir(golden_root);
    if (!d) {
        fprintf(stderr, "no golden cases at %s\n", golden_root);
        return 1;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        hf_buf p = HF_BUF_INIT;
        hf_buf_printf(&p, "%s/%s/case.yml", golden_root, de->d_name);
        if (de->d_name[0] != '.' && exists(p.ptr))
            hf_vec_push(&names, hf_xstrdup(de->d_name));
        hf_buf_free(&p);
    }
    closedir(d);
    hf_vec_sort(&names, name_cmp);

    struct CMUnitTest *tests = hf_xcalloc(names.len, sizeof(*tests));
    golden_case *cases = hf_xcalloc(names.len, sizeof(*cases));
    for (size_t i = 0; i < names.len; i++) {
        hf_buf dir = HF_BUF_INIT;
        hf_buf_printf(&dir, "%s/%s", golden_root, (const char *)names.items[i]);
        cases[i].name = names.items[i];
        cases[i].dir = hf_buf_detach(&dir);
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = &cases[i];
    }
    hf_buf config_dir = HF_BUF_INIT;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options lo = {0};
    hf_buf_printf(&config_dir, "%s/config", golden_root);
    if (hf_config_load(&base_config, config_dir.ptr, &lo, &diags) < 0) {
        hf_diags_print(&diags, stderr);
        return 1;
    }
    hf_diags_free(&diags);
    hf_buf_free(&config_dir);
    int failed = _cmocka_run_group_tests("golden", tests, names.len, NULL, NULL);
    hf_config_free(&base_config);
    for (size_t i = 0; i < kept_docs.len; i++) {
        hf_doc_free(kept_docs.items[i]);
        free(kept_docs.items[i]);
    }
    hf_vec_free(&kept_docs, NULL);
    for (size_t i = 0; i < names.len; i++)
        free(cases[i].dir);
    free(cases);
    free(tests);
    hf_vec_free(&names, free);
    hf_buf_free(&root);
    git_libgit2_shutdown();
    return failed;
}
