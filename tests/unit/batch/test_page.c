/* Tests of the plan review page's pieces: HTML escaping (util/html), the
 * unified diff read back into side-by-side rows (batch/diff_view), and one
 * repo's section with hostile names in it (batch/plan_html). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/diff_view.h"
#include "batch/plan_html.h"
#include "config/model.h"
#include "util/html.h"

static hf_config cfg;

static int setup(void **state)
{
    (void)state;
    hf_buf dir = HF_BUF_INIT;
    hf_buf_printf(&dir, "%s/tests/apply-config", getenv("HF_SOURCE_ROOT"));
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options lo = {.today = {2026, 6, 1}};
    int rc = hf_config_load(&cfg, dir.ptr, &lo, &diags);
    hf_diags_print(&diags, stderr);
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

static void escapes_markup_and_quotes(void **state)
{
    (void)state;
    hf_buf b = HF_BUF_INIT;
    hf_html_puts(&b, "<script>alert('x') & \"y\"</script>");
    assert_string_equal(b.ptr,
                        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    hf_buf_clear(&b);
    hf_html_escape(&b, "a\0b", 3);
    assert_string_equal(b.ptr, "a\xEF\xBF\xBD"
                               "b");
    hf_buf_clear(&b);
    hf_html_puts(&b, NULL);
    hf_html_puts(&b, "plain text, untouched");
    assert_string_equal(b.ptr, "plain text, untouched");
    hf_buf_free(&b);

    assert_true(hf_html_url_ok("https://github.com/acme/launchplane/issues/42"));
    assert_true(hf_html_url_ok("HTTP://example.invalid/x"));
    assert_false(hf_html_url_ok("javascript:alert(1)"));
    assert_false(hf_html_url_ok("data:text/html,<script>"));
    assert_false(hf_html_url_ok("acme/launchplane#42"));
    assert_false(hf_html_url_ok("https://example.invalid/a b"));
    assert_false(hf_html_url_ok(NULL));
}

static const hf_diff_row *row(const hf_diff_hunk *h, size_t i)
{
    assert_true(i < h->rows.len);
    return h->rows.items[i];
}

static void side_is(const hf_diff_side *s, const char *text, size_t line)
{
    if (!text) {
        assert_null(s->text);
        return;
    }
    assert_non_null(s->text);
    assert_int_equal(s->len, strlen(text));
    assert_memory_equal(s->text, text, s->len);
    assert_int_equal(s->line, line);
}

static void pairs_removed_and_added_lines(void **state)
{
    (void)state;
    const char *diff = "diff --git a/ci.yml b/ci.yml\n"
                       "index 1111111..2222222 100644\n"
                       "--- a/ci.yml\n"
                       "+++ b/ci.yml\n"
                       "@@ -3,6 +3,7 @@ jobs:\n"
                       " keep\n"
                       "-old one\n"
                       "-old two\n"
                       "+new one\n"
                       "+new two\n"
                       "+new three\n"
                       " middle\n"
                       "-gone\n"
                       " end\r\n"
                       "+tail\n"
                       "\\ No newline at end of file\n";
    hf_vec files = HF_VEC_INIT;
    hf_diff_view_parse(&files, diff);
    assert_int_equal(files.len, 1);
    const hf_diff_file *f = files.items[0];
    assert_string_equal(f->old_path, "ci.yml");
    assert_string_equal(f->new_path, "ci.yml");
    assert_int_equal(f->hunks.len, 1);
    const hf_diff_hunk *h = f->hunks.items[0];
    assert_int_equal(h->header_len, strlen("@@ -3,6 +3,7 @@ jobs:"));
    assert_int_equal(h->rows.len, 8);

    assert_int_equal(row(h, 0)->kind, HF_ROW_CONTEXT);
    side_is(&row(h, 0)->old, "keep", 3);
    side_is(&row(h, 0)->new, "keep", 3);
    /* the two removed lines beside the first two added, the third alone */
    assert_int_equal(row(h, 1)->kind, HF_ROW_CHANGED);
    side_is(&row(h, 1)->old, "old one", 4);
    side_is(&row(h, 1)->new, "new one", 4);
    assert_int_equal(row(h, 2)->kind, HF_ROW_CHANGED);
    side_is(&row(h, 2)->old, "old two", 5);
    side_is(&row(h, 2)->new, "new two", 5);
    assert_int_equal(row(h, 3)->kind, HF_ROW_ADDED);
    side_is(&row(h, 3)->old, NULL, 0);
    side_is(&row(h, 3)->new, "new three", 6);
    side_is(&row(h, 4)->old, "middle", 6);
    side_is(&row(h, 4)->new, "middle", 7);
    assert_int_equal(row(h, 5)->kind, HF_ROW_REMOVED);
    side_is(&row(h, 5)->old, "gone", 7);
    side_is(&row(h, 5)->new, NULL, 0);
    /* a CRLF line keeps its CR; the missing final newline marks its line */
    side_is(&row(h, 6)->old, "end\r", 8);
    assert_int_equal(row(h, 7)->kind, HF_ROW_ADDED);
    side_is(&row(h, 7)->new, "tail", 9);
    assert_true(row(h, 7)->new.no_eol);
    assert_false(row(h, 6)->new.no_eol);
    hf_vec_free(&files, hf_diff_file_free);
}

static void reads_file_headers(void **state)
{
    (void)state;
    const char *diff = "diff --git a/new file.md b/new file.md\n"
                       "new file mode 100644\n"
                       "index 0000000..3333333\n"
                       "--- /dev/null\n"
                       "+++ b/new file.md\n"
                       "@@ -0,0 +1,2 @@\n"
                       "+# Title\n"
                       "+--- not a header\n"
                       "diff --git a/old.sh b/old.sh\n"
                       "deleted file mode 100755\n"
                       "index 4444444..0000000\n"
                       "--- a/old.sh\n"
                       "+++ /dev/null\n"
                       "@@ -1 +0,0 @@\n"
                       "-echo hi\n"
                       "diff --git a/docs/a.md b/archive/docs/a.md\n"
                       "similarity index 90%\n"
                       "rename from docs/a.md\n"
                       "rename to archive/docs/a.md\n"
                       "diff --git \"a/\\303\\244 \\\"q\\\".txt\" \"b/\\303\\244 \\\"q\\\".txt\"\n"
                       "index 5555555..6666666 100644\n"
                       "Binary files \"a/\\303\\244 \\\"q\\\".txt\" and \"b/\\303\\244 "
                       "\\\"q\\\".txt\" differ\n";
    hf_vec files = HF_VEC_INIT;
    hf_diff_view_parse(&files, diff);
    assert_int_equal(files.len, 4);
    const hf_diff_file *added = files.items[0];
    assert_null(added->old_path);
    assert_string_equal(added->new_path, "new file.md");
    const hf_diff_hunk *h = added->hunks.items[0];
    assert_int_equal(h->rows.len, 2);
    side_is(&row(h, 0)->new, "# Title", 1);
    /* counted by the hunk header, a line starting "---" is content */
    side_is(&row(h, 1)->new, "--- not a header", 2);

    const hf_diff_file *deleted = files.items[1];
    assert_string_equal(deleted->old_path, "old.sh");
    assert_null(deleted->new_path);
    assert_string_equal(hf_diff_file_path(deleted), "old.sh");
    side_is(&row(deleted->hunks.items[0], 0)->old, "echo hi", 1);

    const hf_diff_file *moved = files.items[2];
    assert_string_equal(moved->old_path, "docs/a.md");
    assert_string_equal(moved->new_path, "archive/docs/a.md");
    assert_int_equal(moved->hunks.len, 0);
    assert_string_equal(moved->meta.items[0], "similarity index 90%");

    const hf_diff_file *binary = files.items[3];
    assert_true(binary->binary);
    assert_string_equal(binary->new_path, "\xC3\xA4 \"q\".txt");
    hf_vec_free(&files, hf_diff_file_free);
}

static hf_plan_change *change(const char *op, const char *path, const char *exception)
{
    hf_plan_change *c = calloc(1, sizeof(*c));
    c->op = strdup(op);
    c->path = strdup(path);
    c->recipe = strdup("image-hygiene");
    c->step = 2;
    c->exception = strdup(exception);
    return c;
}

/* A file named with markup and a diff line holding markup render as text,
 * and every hunk names the step and link that made it. */
static void section_escapes_repo_text(void **state)
{
    (void)state;
    const char *path = "ops/<script>window.pwned=1</script>.sh";
    hf_repo_plan *p = calloc(1, sizeof(*p));
    p->repo = hf_config_repo(&cfg, "acme/odoo-docker");
    p->status = HF_PLAN_CHANGES;
    p->base_ref = strdup("refs/heads/main");
    p->files_changed = 1;
    p->links = 1;
    hf_vec_push(&p->changes, change("modify", path, "runner-hygiene"));
    hf_buf diff = HF_BUF_INIT;
    hf_buf_printf(&diff,
                  "diff --git a/%s b/%s\nindex 1..2 100644\n--- a/%s\n+++ b/%s\n"
                  "@@ -1,2 +1,2 @@\n echo \"$HOME\" # keep\n-<img src=x onerror=alert(1)>\n"
                  "+if true; then echo '</td>'; fi\n",
                  path, path, path, path);
    p->diff = hf_buf_detach(&diff);
    snprintf(p->commit, sizeof(p->commit), "%s", "abc");

    hf_buf out = HF_BUF_INIT;
    hf_plan_html_repo(&out, &cfg, p, 7);
    const char *html = out.ptr;
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "'</td>'"));
    const char *want[] = {
        "<section class=repo id=repo-7 tabindex=-1 data-status=changes data-family=\"image\" "
        "data-repo-name=\"acme/odoo-docker\">",
        "<code>ops/&lt;script&gt;window.pwned=1&lt;/script&gt;.sh</code>",
        "<td class=d>&lt;img src=x onerror=alert(<span class=l>1</span>)&gt;",
        /* shell colouring: keyword, variable, string, comment */
        "<span class=w>if</span>",
        "<span class=s>&quot;$HOME&quot;</span> <span class=c># keep</span>",
        "<span class=s>&#39;&lt;/td&gt;&#39;</span>",
        /* the hunk is labelled with its step and link */
        "<tr class=h><th colspan=4>@@ -1,2 +1,2 @@<span class=step",
        "image-hygiene step 2 (modify) \xE2\x86\x92 <a href=\"#exc-runner-hygiene\">exception "
        "runner-hygiene</a>",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(html, want[i])) {
            fprintf(stderr, "%s\n", html);
            fail_msg("missing (the section is above):\n%s", want[i]);
        }
    hf_buf_free(&out);
    hf_repo_plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_markup_and_quotes),
        cmocka_unit_test(pairs_removed_and_added_lines),
        cmocka_unit_test(reads_file_headers),
        cmocka_unit_test(section_escapes_repo_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
