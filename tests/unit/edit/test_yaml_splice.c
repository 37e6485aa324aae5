/* Unit tests of the YAML splice editor: safe scalars, byte offsets through
 * multi-byte text and CRLF, refusals, the read-back check, and a property
 * test: random edits over a corpus of workflow files always re-parse as
 * intended and leave every byte outside the edited ranges unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edit/yaml_splice.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

static const char *const nasty[] = {
    "plain",
    "a: b",
    "a #b",
    "# c",
    "x\ny: 1",
    "\"q\"",
    "'s'",
    "*alias",
    "&anchor",
    "!tag",
    "|block",
    ">fold",
    "%dir",
    "@at",
    "`tick`",
    "${{ x }}",
    "{a: 1}",
    "[1, 2]",
    "- item",
    "? key",
    ": v",
    "true",
    "null",
    "~",
    "0755",
    "1e3",
    "2026-07-01",
    "",
    " lead",
    "trail ",
    "tab\there",
    "cr\rlf",
    "nul\0inside",
    "back\\slash",
    "k:",
    "a,b",
    "café → ok",
    "nel\xc2\x85x",
    "ls\xe2\x80\xa8x",
    "---",
    "...",
    "yes",
};

static size_t nasty_len(size_t i)
{
    return i == 32 ? 11 : strlen(nasty[i]); /* "nul\0inside" */
}

static void parse_ok(hf_ydoc *doc, const char *text)
{
    hf_error err;
    if (hf_ydoc_parse(doc, "t.yml", text, strlen(text), NULL, &err) < 0)
        fail_msg("parse: %s\n%s", err.msg, text);
}

static void safe_scalars_read_back(void **state)
{
    (void)state;
    for (int flow = 0; flow < 2; flow++)
        for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
            hf_buf text = HF_BUF_INIT;
            hf_ydoc doc;
            hf_buf_puts(&text, flow ? "k: [" : "k: ");
            hf_yaml_put_string(&text, nasty[i], nasty_len(i), flow);
            hf_buf_puts(&text, flow ? "]\nz: 1\n" : "\nz: 1\n");
            hf_error err;
            if (hf_ydoc_parse(&doc, "t.yml", text.ptr, text.len, NULL, &err) < 0)
                fail_msg("'%s' broke the YAML: %s\n%s", nasty[i], err.msg, text.ptr);
            hf_ynode *v = hf_ynode_get(doc.root, "k");
            if (flow)
                v = v && v->len == 1 ? v->kids[0] : NULL;
            assert_non_null(v);
            assert_int_equal(hf_ynode_pairs(doc.root), 2);
            assert_int_equal(v->kind, HF_Y_SCALAR);
            if (v->vlen != nasty_len(i) || memcmp(v->value, nasty[i], v->vlen) != 0)
                fail_msg("'%s' read back as '%s'", nasty[i], v->value);
            if (v->style == HF_YS_PLAIN && hf_yaml_plain_is_typed(v->value, v->vlen))
                fail_msg("'%s' read back typed", nasty[i]);
            hf_ydoc_free(&doc);
            hf_buf_free(&text);
        }
}

static void offsets_are_bytes(void **state)
{
    (void)state;
    hf_ydoc doc;
    /* é and → are multi-byte; CRLF lines; libyaml counts characters */
    const char *text = "# é → x\r\na: \"é→\"\r\nb: [x, ü]\r\nc: |\r\n  z\r\n\r\n# end\r\n";
    parse_ok(&doc, text);
    assert_string_equal(doc.nl, "\r\n");
    const hf_ynode *a = hf_ynode_get(doc.root, "a"), *b = hf_ynode_get(doc.root, "b"),
                   *c = hf_ynode_get(doc.root, "c");
    assert_memory_equal(text + a->start, "\"é→\"", a->end - a->start);
    assert_int_equal(a->end - a->start, strlen("\"é→\""));
    assert_memory_equal(text + b->start, "[x, ü]", b->end - b->start);
    assert_int_equal(b->end - b->start, strlen("[x, ü]"));
    assert_memory_equal(text + b->kids[1]->start, "ü", 2);
    /* a block scalar's range stops at its last content, not at "# end" */
    assert_int_equal(text[c->end - 1], 'z');
    hf_ydoc_free(&doc);
}

static void edit_and_commit(hf_ydoc *doc, hf_buf *out)
{
    hf_error err;
    if (hf_yedit_commit(doc, out, &err) < 0)
        fail_msg("commit: %s", err.msg);
}

static void anchors_are_refused(void **state)
{
    (void)state;
    hf_ydoc doc;
    hf_error err;
    parse_ok(&doc, "base: &b {x: 1}\njobs:\n  a: *b\n  c:\n    y: 2\n");
    hf_ynode *jobs = hf_ynode_get(doc.root, "jobs");
    assert_int_equal(hf_yedit_replace(&doc, hf_ynode_get(jobs, "a"), hf_ynode_str("z"), &err), -1);
    assert_non_null(strstr(err.msg, "anchor"));
    assert_int_equal(hf_yedit_remove_pair(&doc, doc.root, 0, &err), -1);
    /* an unrelated part of the same file may still be edited */
    assert_int_equal(
        hf_yedit_replace(&doc, hf_ynode_get(hf_ynode_get(jobs, "c"), "y"), hf_ynode_str("3"), &err),
        0);
    hf_buf out = HF_BUF_INIT;
    edit_and_commit(&doc, &out);
    assert_string_equal(out.ptr, "base: &b {x: 1}\njobs:\n  a: *b\n  c:\n    y: \"3\"\n");
    hf_buf_free(&out);
    hf_ydoc_free(&doc);
}

static void read_back_check_catches_mismatch(void **state)
{
    (void)state;
    hf_ydoc doc;
    hf_error err;
    hf_buf out = HF_BUF_INIT;
    parse_ok(&doc, "a: 1\nb: 2\n");
    assert_int_equal(hf_yedit_replace(&doc, hf_ynode_get(doc.root, "a"), hf_ynode_str("x"), &err),
                     0);
    /* pretend the intended tree says something the text does not */
    hf_ynode *b = hf_ynode_get(doc.root, "b");
    free(b->value);
    b->value = hf_xstrdup("3");
    assert_int_equal(hf_yedit_commit(&doc, &out, &err), -1);
    assert_non_null(strstr(err.msg, "does not read back as intended at b"));
    assert_int_equal(out.len, 0);
    hf_buf_free(&out);
    hf_ydoc_free(&doc);
}

static void pair_edits_keep_layout(void **state)
{
    (void)state;
    struct {
        const char *in, *key, *out;
    } removals[] = {
        {"- a: 1\n  b: 2\n", "a", "- b: 2\n"},
        {"x: {a: 1, b: 2}", "a", "x: {b: 2}"},
        {"x: {a: 1, b: 2}", "b", "x: {a: 1}"},
        {"x:\n  a: 1 # c\n  # between\n  b: 2", "b", "x:\n  a: 1 # c\n  # between\n"},
        {"x:\n  only: 1\ny: 2\n", "only", "x:\n  {}\ny: 2\n"},
    };
    for (size_t i = 0; i < sizeof(removals) / sizeof(removals[0]); i++) {
        hf_ydoc doc;
        hf_error err;
        hf_buf out = HF_BUF_INIT;
        parse_ok(&doc, removals[i].in);
        hf_ynode *map = doc.root->kind == HF_Y_SEQ ? doc.root->kids[0] : hf_ynode_val(doc.root, 0);
        if (hf_yedit_remove_pair(&doc, map, hf_ynode_find(map, removals[i].key), &err) < 0)
            fail_msg("%s", err.msg);
        edit_and_commit(&doc, &out);
        assert_string_equal(out.ptr, removals[i].out);
        hf_buf_free(&out);
        hf_ydoc_free(&doc);
    }
    /* appending at the end of a file without a final newline */
    hf_ydoc doc;
    hf_error err;
    hf_buf out = HF_BUF_INIT;
    parse_ok(&doc, "job:\n  runs-on: x");
    hf_ynode *job = hf_ynode_get(doc.root, "job");
    hf_ynode *perm = hf_ynode_map();
    hf_ynode_map_put(perm, hf_ynode_str("id-token"), hf_ynode_str("write"));
    assert_int_equal(hf_yedit_insert_pair(&doc, job, 1, hf_ynode_str("permissions"), perm, &err),
                     0);
    edit_and_commit(&doc, &out);
    assert_string_equal(out.ptr, "job:\n  runs-on: x\n  permissions:\n    id-token: write");
    hf_buf_free(&out);
    hf_ydoc_free(&doc);
}

/* ---- property test ------------------------------------------------------- */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void collect(hf_ynode *n, hf_vec *all)
{
    hf_vec_push(all, n);
    for (size_t i = 0; i < n->len; i++)
        collect(n->kids[i], all);
}

static int related(const hf_ynode *a, const hf_ynode *b)
{
    for (const hf_ynode *p = a; p; p = p->parent)
        if (p == b)
            return 1;
    for (const hf_ynode *p = b; p; p = p->parent)
        if (p == a)
            return 1;
    return 0;
}

static int is_key(const hf_ynode *n)
{
    const hf_ynode *p = n->parent;
    if (!p || p->kind != HF_Y_MAP)
        return 0;
    for (size_t i = 0; i < p->len; i += 2)
        if (p->kids[i] == n)
            return 1;
    return 0;
}

/* One random edit on a node unrelated to the ones edited before. */
static int random_edit(hf_ydoc *doc, hf_vec *touched)
{
    hf_vec all = HF_VEC_INIT;
    hf_error err;
    int done = 0;
    collect(doc->root, &all);
    for (int attempt = 0; attempt < 20 && !done; attempt++) {
        hf_ynode *n = all.items[rnd((unsigned)all.len)];
        int clash = !n->placed || hf_ynode_is_shared(n);
        for (size_t i = 0; i < touched->len && !clash; i++)
            clash = related(n, touched->items[i]) ||
                    (n->parent && n->parent == ((hf_ynode *)touched->items[i])->parent);
        if (clash)
            continue;
        int kind = (int)rnd(4);
        hf_ynode *parent = n->parent;
        if (kind == 0 && n->kind == HF_Y_SCALAR && parent && !is_key(n)) {
            size_t k = rnd(sizeof(nasty) / sizeof(nasty[0]));
            done = hf_yedit_replace(doc, n, hf_ynode_scalar(nasty[k], nasty_len(k), HF_YS_DOUBLE),
                                    &err) == 0;
            if (done)
                hf_vec_push(touched, parent);
        } else if (kind == 1 && n->kind == HF_Y_MAP && hf_ynode_pairs(n) > 1) {
            done = hf_yedit_remove_pair(doc, n, rnd((unsigned)hf_ynode_pairs(n)), &err) == 0;
            if (done)
                hf_vec_push(touched, n);
        } else if (kind == 2 && n->kind == HF_Y_SEQ && n->len > 1) {
            done = hf_yedit_remove_item(doc, n, rnd((unsigned)n->len), &err) == 0;
            if (done)
                hf_vec_push(touched, n);
        } else if (kind == 3 && n->kind == HF_Y_MAP && n->len && !n->flow) {
            size_t k = rnd(sizeof(nasty) / sizeof(nasty[0]));
            hf_ynode *v = hf_ynode_map();
            hf_ynode_map_put(v, hf_ynode_str("inner"),
                             hf_ynode_scalar(nasty[k], nasty_len(k), HF_YS_DOUBLE));
            done = hf_yedit_insert_pair(doc, n, hf_ynode_pairs(n), hf_ynode_str("hf-added-key"), v,
                                        &err) == 0;
            if (done)
                hf_vec_push(touched, n);
        }
    }
    hf_vec_free(&all, NULL);
    return done;
}

static void check_file(const char *path, const hf_buf *orig)
{
    for (int round = 0; round < 40; round++) {
        hf_ydoc doc;
        hf_error err;
        hf_vec touched = HF_VEC_INIT;
        hf_buf out = HF_BUF_INIT;
        if (hf_ydoc_parse(&doc, path, orig->ptr, orig->len, NULL, &err) < 0)
            fail_msg("%s", err.msg);
        int edits = 0;
        for (unsigned want = 1 + rnd(3); doc.root && want-- > 0;)
            edits += random_edit(&doc, &touched);
        hf_vec_free(&touched, NULL);
        if (!edits) {
            hf_ydoc_free(&doc);
            continue;
        }
        if (hf_yedit_commit(&doc, &out, &err) < 0)
            fail_msg("%s round %d: %s", path, round, err.msg);
        /* every byte outside the edited ranges is where it was */
        size_t prev = 0, at = 0, s, e, n;
        for (size_t i = 0; hf_yedit_range(&doc, i, &s, &e, &n) == 0; i++) {
            assert_true(at + (s - prev) <= out.len);
            if (memcmp(out.ptr + at, orig->ptr + prev, s - prev) != 0)
                fail_msg("%s: bytes before edit %zu changed", path, i);
            at += (s - prev) + n;
            prev = e;
        }
        assert_int_equal(out.len - at, orig->len - prev);
        if (memcmp(out.ptr + at, orig->ptr + prev, orig->len - prev) != 0)
            fail_msg("%s: bytes after the last edit changed", path);
        hf_buf_free(&out);
        hf_ydoc_free(&doc);
    }
}

static void walk_corpus(const char *dir, size_t *files)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        hf_buf p = HF_BUF_INIT;
        struct stat st;
        hf_buf_printf(&p, "%s/%s", dir, de->d_name);
        if (lstat(p.ptr, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_corpus(p.ptr, files);
        } else if (S_ISREG(st.st_mode) &&
                   (strstr(de->d_name, ".yml") || strstr(de->d_name, ".yaml"))) {
            hf_buf text = HF_BUF_INIT;
            hf_error err;
            if (hf_fs_read(&text, p.ptr, 1u << 20, 1, &err) == 0) {
                hf_ydoc probe;
                int ok =
                    hf_ydoc_parse(&probe, p.ptr, hf_buf_cstr(&text), text.len, NULL, &err) == 0;
                hf_ydoc_free(&probe);
                if (ok) {
                    check_file(p.ptr, &text);
                    (*files)++;
                }
            }
            hf_buf_free(&text);
        }
        hf_buf_free(&p);
    }
    closedir(d);
}

static void random_edits_keep_other_bytes(void **state)
{
    (void)state;
    const char *src = getenv("HF_SOURCE_ROOT");
    hf_buf dir = HF_BUF_INIT;
    size_t files = 0;
    hf_buf_printf(&dir, "%s/tests/golden", src ? src : ".");
    walk_corpus(dir.ptr, &files);
    hf_buf_clear(&dir);
    hf_buf_printf(&dir, "%s/tests/sample-fleet", src ? src : ".");
    walk_corpus(dir.ptr, &files);
    assert_true(files >= 20);
    hf_buf_free(&dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(safe_scalars_read_back),
        cmocka_unit_test(offsets_are_bytes),
        cmocka_unit_test(anchors_are_refused),
        cmocka_unit_test(read_back_check_catches_mismatch),
        cmocka_unit_test(pair_edits_keep_layout),
        cmocka_unit_test(random_edits_keep_other_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
