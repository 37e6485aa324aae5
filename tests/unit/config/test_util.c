/* Unit tests of the util layer and the YAML node reader: globs, paths,
 * dates, shards, bounded YAML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/node.h"
#include "config/select.h"
#include "util/buf.h"
#include "util/comments.h"
#include "util/date.h"
#include "util/glob.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/path.h"

static void glob_matches(void **state)
{
    (void)state;
    struct {
        const char *pattern, *path;
        int match;
    } cases[] = {
        {".github/workflows/*.yml", ".github/workflows/ci.yml", 1},
        {".github/workflows/*.yml", ".github/workflows/sub/ci.yml", 0},
        {"*.yml", "a/b.yml", 0},
        {"**/README.md", "README.md", 1},
        {"**/README.md", "docs/x/README.md", 1},
        {"**/README.md", "docs/x/README.mdx", 0},
        {"addons/**", "addons/a/b/c.py", 1},
        {"addons/**", "addonsx/a.py", 0},
        {"scripts/**/request-launchplane-*.mjs", "scripts/request-launchplane-x.mjs", 1},
        {"scripts/**/request-launchplane-*.mjs", "scripts/a/b/request-launchplane-x.mjs", 1},
        {"scripts/**/request-launchplane-*.mjs", "scripts/a/launchplane-x.mjs", 0},
        {"*_cache", "pytest_cache", 1},
        {"file.?s", "file.js", 1},
        {"file.?s", "file/s", 0},
        {"[abc].txt", "b.txt", 1},
        {"[!abc].txt", "b.txt", 0},
        {"[a-c].txt", "c.txt", 1},
        {"*.{js,mjs}", "x.mjs", 1},
        {"*.{js,mjs}", "x.ts", 0},
        {"{a,b/{c,d}}/x", "b/d/x", 1},
        {".env*", ".env.production", 1},
        {"a/**/b", "a/b", 1},
        {"a/**/b", "a/x/y/b", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t off;
        hf_error err;
        assert_int_equal(hf_glob_check(cases[i].pattern, &off, &err), 0);
        if (hf_glob_match(cases[i].pattern, cases[i].path) != cases[i].match)
            fail_msg("glob '%s' vs '%s': want %d", cases[i].pattern, cases[i].path, cases[i].match);
    }
}

static void glob_rejects(void **state)
{
    (void)state;
    struct {
        const char *pattern;
        size_t offset;
    } cases[] = {{"a/[bc", 2}, {"a}", 1}, {"{a,b", 0}, {"../x", 0}, {"a/../b", 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t off = 99;
        hf_error err;
        assert_int_equal(hf_glob_check(cases[i].pattern, &off, &err), -1);
        assert_int_equal(off, cases[i].offset);
    }
    size_t off;
    hf_error err;
    assert_int_equal(hf_glob_check("/etc/*", &off, &err), -1);
    assert_non_null(strstr(err.msg, "absolute"));
}

static void paths(void **state)
{
    (void)state;
    hf_buf b = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_path_normalize(&b, "./a//b/./c/", &err), 0);
    assert_string_equal(b.ptr, "a/b/c");
    assert_int_equal(hf_path_normalize(&b, "/etc/passwd", &err), -1);
    assert_int_equal(hf_path_normalize(&b, "a/../../b", &err), -1);
    assert_int_equal(hf_path_normalize(&b, "a/..", &err), -1);
    assert_int_equal(hf_path_normalize(&b, "a\\b", &err), -1);
    assert_int_equal(hf_path_normalize(&b, ".", &err), -1);
    assert_int_equal(hf_path_normalize(&b, "a\nb", &err), -1);
    assert_int_equal(hf_path_normalize(&b, "..hidden", &err), 0);
    assert_string_equal(hf_path_basename("a/b/c.yml"), "c.yml");
    assert_true(hf_path_under("archive/remote-ops/x", "archive"));
    assert_false(hf_path_under("archived/x", "archive"));
    hf_buf_free(&b);
}

static void dates(void **state)
{
    (void)state;
    hf_date d;
    hf_error err;
    assert_int_equal(hf_date_parse(&d, "2028-02-29", &err), 0);
    assert_int_equal(hf_date_parse(&d, "2027-02-29", &err), -1);
    assert_int_equal(hf_date_parse(&d, "2100-02-29", &err), -1);
    assert_int_equal(hf_date_parse(&d, "2027-6-30", &err), -1);
    assert_int_equal(hf_date_parse(&d, "2027-06-30x", &err), -1);
    hf_date a = {2027, 6, 30}, b = {2027, 7, 1};
    assert_true(hf_date_cmp(a, b) < 0);
    hf_date epoch = {1970, 1, 1}, leap = {2024, 3, 1};
    assert_true(hf_date_epoch(epoch) == 0);
    assert_true(hf_date_epoch(leap) == 1709251200LL);
    char s[11];
    hf_date_format(a, s);
    assert_string_equal(s, "2027-06-30");
}

static void shards_partition(void **state)
{
    (void)state;
    /* every name lands in exactly one of N shards, and the same one each time */
    char name[32];
    unsigned counts[4] = {0};
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "org/repo-%d", i);
        unsigned s = hf_hash_shard(name, 4);
        assert_true(s < 4);
        assert_int_equal(s, hf_hash_shard(name, 4));
        counts[s]++;
    }
    for (int k = 0; k < 4; k++)
        assert_in_range(counts[k], 200, 300); /* roughly even */
    /* FNV-1a 64 of "a" is a published constant: the hash is portable */
    assert_true(hf_hash_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
    unsigned k, n;
    hf_error err;
    assert_int_equal(hf_shard_parse("2/4", &k, &n, &err), 0);
    assert_int_equal(k, 2);
    assert_int_equal(n, 4);
    assert_int_equal(hf_shard_parse("0/4", &k, &n, &err), -1);
    assert_int_equal(hf_shard_parse("5/4", &k, &n, &err), -1);
    assert_int_equal(hf_shard_parse("2/", &k, &n, &err), -1);
}

static int parse(const char *text, hf_diags *diags, hf_doc *doc)
{
    return hf_doc_parse(doc, "t.yml", text, strlen(text), NULL, diags);
}

static void yaml_marks_and_limits(void **state)
{
    (void)state;
    hf_diags diags = HF_DIAGS_INIT;
    hf_doc doc;
    assert_int_equal(parse("a: 1\nb:\n  - x\n  - 'y'\n", &diags, &doc), 0);
    hf_node *b = hf_node_get(doc.root, "b");
    assert_non_null(b);
    assert_int_equal(b->kind, HF_NODE_SEQ);
    assert_int_equal(b->items[1]->mark.line, 4);
    assert_int_equal(b->items[1]->mark.col, 5);
    assert_false(b->items[1]->plain);
    hf_doc_free(&doc);

    /* a billion-laughs document never expands: the first alias is refused */
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
    assert_int_equal(parse(bomb, &diags, &doc), -1);
    hf_doc_free(&doc);

    /* oversized input is refused before parsing */
    hf_yaml_limits small = {.max_bytes = 8, .max_depth = 4, .max_nodes = 100};
    assert_int_equal(hf_doc_parse(&doc, "t.yml", "a: 123456789\n", 13, &small, &diags), -1);
    hf_doc_free(&doc);
    /* too many nodes */
    hf_yaml_limits few = {.max_bytes = 1000, .max_depth = 4, .max_nodes = 3};
    assert_int_equal(hf_doc_parse(&doc, "t.yml", "[1, 2, 3, 4]", 12, &few, &diags), -1);
    hf_doc_free(&doc);
    /* two documents in one file */
    assert_int_equal(parse("a: 1\n---\nb: 2\n", &diags, &doc), -1);
    hf_doc_free(&doc);
    assert_int_equal(diags.errors, 4);
    hf_diags_free(&diags);
}

static void redaction(void **state)
{
    (void)state;
    hf_log_add_secret("ghp_supersecret123");
    hf_buf b = HF_BUF_INIT;
    hf_buf_puts(&b, "token ghp_supersecret123 and ghp_supersecret123!");
    hf_log_redact(&b);
    assert_string_equal(b.ptr, "token *** and ***!");
    hf_buf_free(&b);
    hf_log_clear_secrets();
}

/* Comments blanked per language; what is code stays byte for byte, and the
 * offsets do not move. */
static void comments_blanked(void **state)
{
    (void)state;
    struct {
        hf_lang lang;
        const char *in, *out;
    } cases[] = {
        {HF_LANG_SHELL, "curl x # call it\n", "curl x          \n"},
        {HF_LANG_SHELL, "a;# b\necho $# ${#v}\n", "a;   \necho $# ${#v}\n"},
        {HF_LANG_SHELL, "echo 'a\n# not' # yes\n", "echo 'a\n# not'      \n"},
        {HF_LANG_SHELL, "#!/bin/sh\nx=1\n", "         \nx=1\n"},
        {HF_LANG_HASH, "key: \"a # b\" # c\nk2: it's # d\n", "key: \"a # b\"    \nk2: it's    \n"},
        {HF_LANG_HASH, "url: x#y\n", "url: x#y\n"},
        {HF_LANG_PYTHON, "x = 1  # one\ns = '#no'\n", "x = 1       \ns = '#no'\n"},
        {HF_LANG_PYTHON, "def f():\n    \"\"\"Doc.\"\"\"\n    return \"v\"\n",
         "def f():\n              \n    return \"v\"\n"},
        {HF_LANG_JS, "a = 1; // c\nb = '//x'\n", "a = 1;     \nb = '//x'\n"},
        {HF_LANG_JS, "/* a\nb */ f(`${x}//y`)", "    \n     f(`${x}//y`)"},
        {HF_LANG_JS, "r = /\\/\\//; x", "r = /\\/\\//; x"},
        {HF_LANG_INI, "; c\nk = v ; v\n  # d\n", "   \nk = v ; v\n     \n"},
        {HF_LANG_MARKDOWN, "a <!-- b\nc --> d", "a       \n      d"},
        {HF_LANG_NONE, "# x", "# x"},
    };
    hf_buf out = HF_BUF_INIT;
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        hf_strip_comments(cases[i].lang, cases[i].in, strlen(cases[i].in), &out);
        assert_string_equal(hf_buf_cstr(&out), cases[i].out);
    }
    hf_buf_free(&out);
}

static void comment_languages(void **state)
{
    (void)state;
    const char *py = "#!/usr/bin/env python3\n", *node = "#!/usr/bin/env node\n";
    assert_int_equal(hf_lang_of("a/b.sh", "", 0), HF_LANG_SHELL);
    assert_int_equal(hf_lang_of("x.mjs", "", 0), HF_LANG_JS);
    assert_int_equal(hf_lang_of(".env.production", "", 0), HF_LANG_HASH);
    assert_int_equal(hf_lang_of("Dockerfile", "", 0), HF_LANG_HASH);
    assert_int_equal(hf_lang_of("docs/x.md", "", 0), HF_LANG_MARKDOWN);
    assert_int_equal(hf_lang_of("bin/tool", py, strlen(py)), HF_LANG_PYTHON);
    assert_int_equal(hf_lang_of("bin/tool", node, strlen(node)), HF_LANG_JS);
    assert_int_equal(hf_lang_of("bin/tool", "plain", 5), HF_LANG_NONE);
    assert_int_equal(hf_lang_of_shebang("#!/bin/bash\n", 12), HF_LANG_SHELL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_matches),
        cmocka_unit_test(glob_rejects),
        cmocka_unit_test(paths),
        cmocka_unit_test(dates),
        cmocka_unit_test(shards_partition),
        cmocka_unit_test(yaml_marks_and_limits),
        cmocka_unit_test(redaction),
        cmocka_unit_test(comments_blanked),
        cmocka_unit_test(comment_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
