/* Tests of src/git/patch: the mbox patch must make `git am` (the real git)
 * rebuild exactly the planned tree on a clone of the base branch, whatever
 * the files hold; the display diff and the file list show renames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "git/commit.h"
#include "git/patch.h"
#include "util/fs.h"

static const char bin_old[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0"
                              "\x90\x91h6\0\0\0\x0cIDATx\x9c\x63\0\x01\0\0\x05\0\x01\r\n-\xb4";
static const char bin_new[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x20\x08\x06\0\0\0"
                              "szz\xf4\0\0\0\x0cIDATx\x9c\x63\0\x01\0\0\x05\0\x01\r\n-\xb5\0\0";

static const char renamed_old[] = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n"
                                  "line 8\nline 9\nline 10\nline 11\nline 12\n";
static const char renamed_new[] = "line 1\nline 2\nline 3\nline 4\nline 5\nline six\nline 7\n"
                                  "line 8\nline 9\nline 10\nline 11\nline 12\n";

/* The base: every awkward kind of file. */
static const fx_file base_files[] = {
    {"crlf.txt", "one\r\ntwo\r\nthree\r\nfour\r\n", 0, 0},
    {"nonl.txt", "first\nsecond", 0, 0},
    {"gains-newline.txt", "no newline yet", 0, 0},
    {"loses-newline.txt", "has one\n", 0, 0},
    {"bin.dat", bin_old, sizeof(bin_old) - 1, 0},
    {"script.sh", "#!/bin/sh\necho hi\n", 0, 0},
    {"old/name.txt", renamed_old, 0, 0},
    {"gone.txt", "delete me\n", 0, 0},
    {"trailing.txt", "spaces   \ntabs\t\n", 0, 0},
    {"link", "crlf.txt", 0, GIT_FILEMODE_LINK},
    {"dir with space/file \xc3\xbc.txt", "x\n", 0, 0},
    {"latin1.txt", "caf\xe9\n", 0, 0},
    {"schema.sql", "-- a comment\nselect 1;\n-- another\n", 0, 0},
    {".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n", 0, 0},
    {"link-to-file", "crlf.txt", 0, GIT_FILEMODE_LINK},
    {"file-to-link", "a file\n", 0, 0},
};

/* The plan: each of them changed. */
static const fx_file new_files[] = {
    {"crlf.txt", "one\r\n2\r\nthree\r\nfour\r\nfive\r\n", 0, 0},
    {"nonl.txt", "first\nsecond, changed", 0, 0},
    {"gains-newline.txt", "no newline yet\n", 0, 0},
    {"loses-newline.txt", "has one", 0, 0},
    {"bin.dat", bin_new, sizeof(bin_new) - 1, 0},
    {"bin-new.bin", "\0\0\0\x01\x02", 5, 0},
    {"script.sh", "#!/bin/sh\necho hi\n", 0, GIT_FILEMODE_BLOB_EXECUTABLE},
    {"new/place/name.txt", renamed_new, 0, 0},
    {"deep/new/dir/file.txt", "added\n", 0, 0},
    {"empty.txt", "", 0, 0},
    {"trailing.txt", "spaces   \ntabs\t\nmore  \n", 0, 0},
    {"link", "nonl.txt", 0, GIT_FILEMODE_LINK},
    {"dir with space/file \xc3\xbc.txt", "y\n", 0, 0},
    {"latin1.txt", "caf\xe9 cr\xe8me\n", 0, 0},
    {"schema.sql", "select 1;\n-- another\n++ not a header\n", 0, 0},
    {".github/workflows/ci.yml",
     "on: push\njobs:\n  a:\n    uses: x/y/.github/workflows/z.yml@main\n", 0, 0},
    {"link-to-file", "now a file\n", 0, 0},
    {"file-to-link", "nonl.txt", 0, GIT_FILEMODE_LINK},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct planned {
    char *origin;
    git_repository *repo;
    git_oid base, base_tree, tree, commit;
    hf_buf message;
} planned;

/* A bare origin with main = base, and the planned commit on top of it. */
static void plan(planned *p, const fx_file *base, size_t nbase, const fx_file *next, size_t nnext,
                 const char *subject, const char *author)
{
    hf_error err;
    hf_trailers t = HF_TRAILERS_INIT;
    memset(p, 0, sizeof(*p));
    p->origin = fx_tmpdir("origin.git");
    p->repo = fx_bare(p->origin, "main");
    fx_commit(p->repo, "refs/heads/main", NULL, base, nbase, "base\n", &p->base);
    fx_tree(p->repo, base, nbase, &p->base_tree);
    fx_tree(p->repo, next, nnext, &p->tree);
    assert_int_equal(hf_trailers_add_capability(&t, "odoo.post-deploy", &err), 0);
    assert_int_equal(hf_trailers_add_exception(&t, "legacy-backup", &err), 0);
    assert_int_equal(hf_trailers_set_fleet(&t, "odoo", &err), 0);
    assert_int_equal(hf_commit_message(&p->message, subject,
                                       "- modify crlf.txt\n- move old/name.txt\n", &t, &err),
                     0);
    hf_commit_options opts = {.author_name = author,
                              .author_email = "bot@example.com",
                              .fixed_time = true,
                              .time = 1714000000,
                              .offset = -300};
    assert_int_equal(hf_commit_create(&p->commit, p->repo, &p->base, &p->tree,
                                      hf_buf_cstr(&p->message), &opts, &err),
                     0);
    hf_trailers_free(&t);
}

static void planned_free(planned *p)
{
    git_repository_free(p->repo);
    free(p->origin);
    hf_buf_free(&p->message);
}

/* Writes the patch, clones origin, runs git am; returns the work dir. */
static char *apply_with_git_am(planned *p, hf_buf *patch)
{
    hf_error err;
    char *work = fx_tmpdir("work");
    hf_buf path = HF_BUF_INIT;
    hf_buf_printf(&path, "%s.patch", work);
    assert_int_equal(hf_fs_write_atomic(hf_buf_cstr(&path), patch->ptr, patch->len, &err), 0);
    if (fx_sh("git clone -q '%s' '%s/repo' && cd '%s/repo' && git am -q '%s' 2>'%s.err'", p->origin,
              work, work, hf_buf_cstr(&path), work) != 0) {
        hf_buf log = HF_BUF_INIT;
        fx_sh_out(&log, "cat '%s.err'", work);
        fail_msg("git am failed: %s\n--- patch ---\n%s", hf_buf_cstr(&log), hf_buf_cstr(patch));
    }
    hf_buf_free(&path);
    return work;
}

static void assert_tree_is(const char *work, const git_oid *want)
{
    hf_buf got = HF_BUF_INIT;
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), want);
    assert_int_equal(fx_sh_out(&got, "cd '%s/repo' && git rev-parse 'HEAD^{tree}'", work), 0);
    if (strcmp(hf_buf_cstr(&got), hex) != 0) {
        hf_buf diff = HF_BUF_INIT;
        fx_sh_out(&diff, "cd '%s/repo' && git diff --stat HEAD %s", work, hex);
        fail_msg("tree after git am is %s, planned %s:\n%s", hf_buf_cstr(&got), hex,
                 hf_buf_cstr(&diff));
    }
    hf_buf_free(&got);
}

static void mbox_applies_to_exact_tree(void **state)
{
    (void)state;
    planned p;
    hf_buf patch = HF_BUF_INIT;
    hf_error err;
    plan(&p, base_files, N(base_files), new_files, N(new_files), "handoff: odoo fleet", "Bot");
    assert_int_equal(hf_patch_mbox(&patch, p.repo, &p.commit, &err), 0);

    const char *text = hf_buf_cstr(&patch);
    assert_non_null(strstr(text, "rename from old/name.txt\nrename to new/place/name.txt\n"));
    assert_non_null(strstr(text, "old mode 100644\nnew mode 100755\n"));
    assert_non_null(strstr(text, "GIT binary patch"));
    assert_non_null(strstr(text, "deleted file mode 100644"));
    assert_non_null(strstr(text, "Content-Transfer-Encoding: quoted-printable\n"));
    assert_null(memchr(patch.ptr, '\r', patch.len));

    char *work = apply_with_git_am(&p, &patch);
    assert_tree_is(work, &p.tree);

    /* The message survives too, trailers included. */
    hf_buf msg = HF_BUF_INIT;
    assert_int_equal(fx_sh_out(&msg, "cd '%s/repo' && git log -1 --format=%%B", work), 0);
    hf_buf want = HF_BUF_INIT;
    hf_buf_put(&want, p.message.ptr, p.message.len - 1);
    assert_string_equal(hf_buf_cstr(&msg), hf_buf_cstr(&want));
    /* And the files on disk are byte for byte what was planned. */
    hf_buf file = HF_BUF_INIT;
    hf_buf_printf(&file, "%s/repo/crlf.txt", work);
    hf_buf content = HF_BUF_INIT;
    assert_int_equal(hf_fs_read(&content, hf_buf_cstr(&file), 1 << 20, 0, &err), 0);
    assert_string_equal(hf_buf_cstr(&content), "one\r\n2\r\nthree\r\nfour\r\nfive\r\n");

    hf_buf_free(&file);
    hf_buf_free(&content);
    hf_buf_free(&want);
    hf_buf_free(&msg);
    free(work);
    hf_buf_free(&patch);
    planned_free(&p);
}

static void mbox_plain_text_is_8bit(void **state)
{
    (void)state;
    static const fx_file before[] = {{"a.txt", "alpha\nbeta\n", 0, 0}};
    static const fx_file after[] = {{"a.txt", "alpha\ngamma\n", 0, 0}};
    planned p;
    hf_buf patch = HF_BUF_INIT;
    hf_error err;
    plan(&p, before, 1, after, 1, "handoff: plain", "Handoff Bot");
    assert_int_equal(hf_patch_mbox(&patch, p.repo, &p.commit, &err), 0);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &p.commit);
    hf_buf head = HF_BUF_INIT;
    hf_buf_printf(&head,
                  "From %s Mon Sep 17 00:00:00 2001\n"
                  "From: Handoff Bot <bot@example.com>\n"
                  "Date: Wed, 24 Apr 2024 18:06:40 -0500\n"
                  "Subject: [PATCH] handoff: plain\n"
                  "MIME-Version: 1.0\n"
                  "Content-Type: text/plain; charset=UTF-8\n"
                  "Content-Transfer-Encoding: 8bit\n"
                  "\n"
                  "- modify crlf.txt\n",
                  hex);
    assert_true(patch.len > head.len);
    assert_memory_equal(patch.ptr, head.ptr, head.len);
    assert_non_null(strstr(hf_buf_cstr(&patch), "\n---\n a.txt | 2 +-\n"));
    assert_non_null(strstr(hf_buf_cstr(&patch), "-beta\n+gamma\n"));
    char *work = apply_with_git_am(&p, &patch);
    assert_tree_is(work, &p.tree);
    free(work);
    hf_buf_free(&head);
    hf_buf_free(&patch);
    planned_free(&p);
}

static void mbox_non_ascii_headers(void **state)
{
    (void)state;
    static const fx_file before[] = {{"a.txt", "a\n", 0, 0}};
    static const fx_file after[] = {{"a.txt", "b\n", 0, 0}};
    const char *subject =
        "handoff: d\xc3\xa9ploiement vers Launchplane \xe2\x80\x94 "
        "une tr\xc3\xa8s longue ligne de sujet pour couper les mots encod\xc3\xa9s";
    planned p;
    hf_buf patch = HF_BUF_INIT, got = HF_BUF_INIT, want = HF_BUF_INIT;
    hf_error err;
    plan(&p, before, 1, after, 1, subject, "J\xc3\xa9r\xc3\xb4me Bot");
    assert_int_equal(hf_patch_mbox(&patch, p.repo, &p.commit, &err), 0);
    assert_non_null(strstr(hf_buf_cstr(&patch), "Subject: [PATCH] =?UTF-8?q?"));
    char *work = apply_with_git_am(&p, &patch);
    assert_tree_is(work, &p.tree);
    assert_int_equal(fx_sh_out(&got, "cd '%s/repo' && git log -1 --format='%%an|%%s'", work), 0);
    hf_buf_printf(&want, "J\xc3\xa9r\xc3\xb4me Bot|%s", subject);
    assert_string_equal(hf_buf_cstr(&got), hf_buf_cstr(&want));
    free(work);
    planned_free(&p);

    /* An ASCII name with specials is quoted, and git am unquotes it. */
    plan(&p, before, 1, after, 1, "quoted", "Bot, The \"Handoff\" Team");
    assert_int_equal(hf_patch_mbox(&patch, p.repo, &p.commit, &err), 0);
    assert_non_null(strstr(hf_buf_cstr(&patch), "From: \"Bot, The \\\"Handoff\\\" Team\" <bot@"));
    work = apply_with_git_am(&p, &patch);
    assert_int_equal(fx_sh_out(&got, "cd '%s/repo' && git log -1 --format='%%an'", work), 0);
    assert_string_equal(hf_buf_cstr(&got), "Bot, The \"Handoff\" Team");
    free(work);
    hf_buf_free(&got);
    hf_buf_free(&want);
    hf_buf_free(&patch);
    planned_free(&p);
}

static void mbox_long_crlf_lines_survive_soft_breaks(void **state)
{
    (void)state;
    hf_buf longline = HF_BUF_INIT, longer = HF_BUF_INIT;
    for (int i = 0; i < 40; i++)
        hf_buf_puts(&longline, "key=value; ");
    hf_buf_puts(&longline, "  \r\n");
    hf_buf_printf(&longer, "From the start of a line\r\n%s=\r\n\ttab end\t\r\n",
                  hf_buf_cstr(&longline));
    fx_file before[] = {{"long.txt", longline.ptr, 0, 0}};
    fx_file after[] = {{"long.txt", longer.ptr, 0, 0}};
    planned p;
    hf_buf patch = HF_BUF_INIT;
    hf_error err;
    plan(&p, before, 1, after, 1, "handoff: long lines", "Bot");
    assert_int_equal(hf_patch_mbox(&patch, p.repo, &p.commit, &err), 0);
    /* No encoded line is longer than 76 columns. */
    const char *body = strstr(hf_buf_cstr(&patch), "\n\n");
    for (const char *l = body; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        assert_true(n <= 76);
        l = nl ? nl + 1 : NULL;
    }
    char *work = apply_with_git_am(&p, &patch);
    assert_tree_is(work, &p.tree);
    free(work);
    hf_buf_free(&patch);
    hf_buf_free(&longline);
    hf_buf_free(&longer);
    planned_free(&p);
}

static void diff_text_shows_renames_and_colour(void **state)
{
    (void)state;
    planned p;
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    plan(&p, base_files, N(base_files), new_files, N(new_files), "x", "Bot");
    assert_int_equal(hf_diff_text(&out, p.repo, &p.base_tree, &p.tree, false, &err), 0);
    const char *text = hf_buf_cstr(&out);
    assert_non_null(strstr(text, "diff --git a/old/name.txt b/new/place/name.txt\n"));
    assert_non_null(strstr(text, "rename from old/name.txt\n"));
    assert_non_null(strstr(text, "-line 6\n+line six\n"));
    assert_non_null(strstr(text, "Binary files a/bin.dat and b/bin.dat differ\n"));
    assert_non_null(strstr(text, "\\ No newline at end of file\n"));
    assert_null(strstr(text, "\033["));
    assert_null(strstr(text, "GIT binary patch"));

    assert_int_equal(hf_diff_text(&out, p.repo, &p.base_tree, &p.tree, true, &err), 0);
    text = hf_buf_cstr(&out);
    assert_non_null(strstr(text, "\033[1mdiff --git a/old/name.txt b/new/place/name.txt\033[m\n"));
    assert_non_null(strstr(text, "\033[31m-line 6\033[m\n\033[32m+line six\033[m\n"));
    assert_non_null(strstr(text, "\033[36m@@ "));
    assert_non_null(strstr(text, "\n line 5\n"));

    /* From the empty tree: everything is added. */
    assert_int_equal(hf_diff_text(&out, p.repo, NULL, &p.base_tree, false, &err), 0);
    assert_non_null(strstr(hf_buf_cstr(&out), "new file mode 100644\n"));
    hf_buf_free(&out);
    planned_free(&p);
}

static void diff_files_lists_each_change(void **state)
{
    (void)state;
    planned p;
    hf_vec files = HF_VEC_INIT;
    hf_error err;
    plan(&p, base_files, N(base_files), new_files, N(new_files), "x", "Bot");
    assert_int_equal(hf_diff_files(&files, p.repo, &p.base_tree, &p.tree, &err), 0);
    struct {
        const char *path, *to;
        hf_file_status status;
    } want[] = {
        {".github/workflows/ci.yml", NULL, HF_FILE_MODIFIED},
        {"bin-new.bin", NULL, HF_FILE_ADDED},
        {"bin.dat", NULL, HF_FILE_MODIFIED},
        {"crlf.txt", NULL, HF_FILE_MODIFIED},
        {"deep/new/dir/file.txt", NULL, HF_FILE_ADDED},
        {"dir with space/file \xc3\xbc.txt", NULL, HF_FILE_MODIFIED},
        {"empty.txt", NULL, HF_FILE_ADDED},
        {"file-to-link", NULL, HF_FILE_MODIFIED},
        {"gains-newline.txt", NULL, HF_FILE_MODIFIED},
        {"gone.txt", NULL, HF_FILE_DELETED},
        {"latin1.txt", NULL, HF_FILE_MODIFIED},
        {"link", NULL, HF_FILE_MODIFIED},
        {"link-to-file", NULL, HF_FILE_MODIFIED},
        {"loses-newline.txt", NULL, HF_FILE_MODIFIED},
        {"old/name.txt", "new/place/name.txt", HF_FILE_RENAMED},
        {"nonl.txt", NULL, HF_FILE_MODIFIED},
        {"schema.sql", NULL, HF_FILE_MODIFIED},
        {"script.sh", NULL, HF_FILE_MODIFIED},
        {"trailing.txt", NULL, HF_FILE_MODIFIED},
    };
    assert_int_equal(files.len, N(want));
    for (size_t i = 0; i < files.len; i++) {
        const hf_file_change *c = files.items[i];
        assert_string_equal(c->path, want[i].path);
        assert_int_equal(c->status, want[i].status);
        if (want[i].to)
            assert_string_equal(c->to, want[i].to);
        else
            assert_null(c->to);
        if (strcmp(c->path, "script.sh") == 0) {
            assert_int_equal(c->old_mode, GIT_FILEMODE_BLOB);
            assert_int_equal(c->new_mode, GIT_FILEMODE_BLOB_EXECUTABLE);
        }
        if (strcmp(c->path, "bin.dat") == 0)
            assert_true(c->binary);
        if (strcmp(c->path, "link-to-file") == 0) {
            assert_int_equal(c->old_mode, GIT_FILEMODE_LINK);
            assert_int_equal(c->new_mode, GIT_FILEMODE_BLOB);
            assert_int_equal(c->additions, 1);
            assert_int_equal(c->deletions, 1);
        }
        if (strcmp(c->path, "old/name.txt") == 0) {
            assert_int_equal(c->additions, 1);
            assert_int_equal(c->deletions, 1);
        }
        if (strcmp(c->path, "gone.txt") == 0) {
            assert_int_equal(c->new_mode, 0);
            assert_int_equal(c->deletions, 1);
        }
    }
    assert_string_equal(hf_file_status_name(HF_FILE_RENAMED), "rename");
    hf_vec_free(&files, hf_file_change_free);

    /* No change, no entries. */
    assert_int_equal(hf_diff_files(&files, p.repo, &p.tree, &p.tree, &err), 0);
    assert_int_equal(files.len, 0);
    hf_vec_free(&files, hf_file_change_free);
    planned_free(&p);
}

static void mbox_errors(void **state)
{
    (void)state;
    planned p;
    hf_buf out = HF_BUF_INIT;
    hf_error err;
    static const fx_file one[] = {{"a", "a\n", 0, 0}};
    plan(&p, one, 1, one, 1, "x", "Bot");
    git_oid bogus;
    git_oid_fromstr(&bogus, "1111111111111111111111111111111111111111");
    assert_int_equal(hf_patch_mbox(&out, p.repo, &bogus, &err), -1);
    assert_non_null(strstr(err.msg, "1111111111111111111111111111111111111111"));
    assert_int_equal(out.len, 0);
    /* A commit with no change still makes a (diff-less) patch. */
    assert_int_equal(hf_patch_mbox(&out, p.repo, &p.commit, &err), 0);
    assert_non_null(strstr(hf_buf_cstr(&out), "Subject: [PATCH] x\n"));
    hf_buf_free(&out);
    planned_free(&p);
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
        cmocka_unit_test(mbox_applies_to_exact_tree),
        cmocka_unit_test(mbox_plain_text_is_8bit),
        cmocka_unit_test(mbox_non_ascii_headers),
        cmocka_unit_test(mbox_long_crlf_lines_survive_soft_breaks),
        cmocka_unit_test(diff_text_shows_renames_and_colour),
        cmocka_unit_test(diff_files_lists_each_change),
        cmocka_unit_test(mbox_errors),
    };
    return cmocka_run_group_tests_name("git-patch", tests, setup, teardown);
}
