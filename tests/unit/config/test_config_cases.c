/* Runs the configuration cases under tests/config-cases/malformed/: each case
 * replaces (or deletes) files of the valid base configuration and lists the
 * exact diagnostics the loader must report, file:line:col included. One
 * cmocka test per case file. */
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
#include <unistd.h>

#include "config/model.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

static const char *cases_dir(void)
{
    const char *root = getenv("HF_SOURCE_ROOT");
    static char path[4096];
    snprintf(path, sizeof(path), "%s/tests/config-cases", root ? root : ".");
    return path;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    hf_buf p = HF_BUF_INIT;
    hf_fs_join(&p, dir, name);
    FILE *f = fopen(p.ptr, "wb");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
    hf_buf_free(&p);
}

static void copy_base(const char *to)
{
    hf_buf from = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_fs_join(&from, cases_dir(), "base");
    DIR *d = opendir(from.ptr);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        hf_buf src = HF_BUF_INIT;
        hf_error err;
        hf_fs_join(&src, from.ptr, de->d_name);
        assert_int_equal(hf_fs_read(&text, src.ptr, 1 << 20, 1, &err), 0);
        write_file(to, de->d_name, text.ptr, text.len);
        hf_buf_free(&src);
    }
    closedir(d);
    hf_buf_free(&from);
    hf_buf_free(&text);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        hf_buf p = HF_BUF_INIT;
        hf_fs_join(&p, dir, de->d_name);
        unlink(p.ptr);
        hf_buf_free(&p);
    }
    closedir(d);
    rmdir(dir);
}

static void run_case(void **state)
{
    const char *case_path = *state;
    hf_buf text = HF_BUF_INIT, expect = HF_BUF_INIT, got = HF_BUF_INIT;
    hf_error err;
    assert_int_equal(hf_fs_read(&text, case_path, 1 << 20, 1, &err), 0);

    char tmp[] = "/tmp/hf-config-case-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    copy_base(tmp);

    hf_date today = {2026, 11, 27};
    /* Sections start with "--- ": "file NAME" (body up to the next section
     * replaces NAME), "delete NAME", "today DATE", "expect" (one diagnostic
     * per line). */
    char *p = text.ptr;
    char *section_name = NULL;
    int in_expect = 0;
    hf_buf body = HF_BUF_INIT;
    for (;;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int header = n >= 4 && strncmp(p, "--- ", 4) == 0;
        if (header || !*p) {
            if (section_name)
                write_file(tmp, section_name, body.ptr ? body.ptr : "", body.len);
            free(section_name);
            section_name = NULL;
            hf_buf_clear(&body);
            if (!*p)
                break;
            char *arg = hf_xstrndup(p + 4, n - 4);
            in_expect = 0;
            if (!strncmp(arg, "file ", 5)) {
                section_name = hf_xstrdup(arg + 5);
            } else if (!strncmp(arg, "delete ", 7)) {
                hf_buf victim = HF_BUF_INIT;
                hf_fs_join(&victim, tmp, arg + 7);
                assert_int_equal(unlink(victim.ptr), 0);
                hf_buf_free(&victim);
            } else if (!strncmp(arg, "today ", 6)) {
                assert_int_equal(hf_date_parse(&today, arg + 6, &err), 0);
            } else if (!strcmp(arg, "expect")) {
                in_expect = 1;
            } else {
                fail_msg("unknown section '%s' in %s", arg, case_path);
            }
            free(arg);
        } else if (in_expect) {
            hf_buf_put(&expect, p, n);
            hf_buf_putc(&expect, '\n');
        } else if (section_name) {
            hf_buf_put(&body, p, n);
            hf_buf_putc(&body, '\n');
        }
        if (!nl)
            p += n;
        else
            p = nl + 1;
    }
    hf_buf_free(&body);

    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(tmp), 0);
    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = today, .expired_is_error = true};
    int rc = hf_config_load(&cfg, ".", &opts, &diags);
    assert_int_equal(chdir(cwd), 0);
    hf_diags_sort(&diags);
    for (size_t i = 0; i < diags.items.len; i++) {
        const hf_diag *d = diags.items.items[i];
        if (d->line)
            hf_buf_printf(&got, "%s:%d:%d: %s\n", d->file, d->line, d->col, d->msg);
        else
            hf_buf_printf(&got, "%s: %s\n", d->file, d->msg);
    }
    assert_int_equal(rc, -1);
    assert_true(diags.errors > 0);
    if (!expect.len)
        fail_msg("%s has no expected diagnostics; the loader said:\n%s", case_path,
                 hf_buf_cstr(&got));
    assert_string_equal(hf_buf_cstr(&got), hf_buf_cstr(&expect));

    hf_diags_free(&diags);
    hf_config_free(&cfg);
    remove_dir(tmp);
    hf_buf_free(&text);
    hf_buf_free(&expect);
    hf_buf_free(&got);
}

/* The base configuration itself must load cleanly, or every case would pass
 * for the wrong reason. */
static void base_is_valid(void **state)
{
    (void)state;
    hf_buf base = HF_BUF_INIT;
    hf_fs_join(&base, cases_dir(), "base");
    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = {2026, 11, 27}, .expired_is_error = true};
    int rc = hf_config_load(&cfg, base.ptr, &opts, &diags);
    if (rc != 0)
        hf_diags_print(&diags, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(cfg.fleet.repos.len, 2);
    assert_int_equal(cfg.recipes.len, 1);
    hf_diags_free(&diags);
    hf_config_free(&cfg);
    hf_buf_free(&base);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    hf_buf dir = HF_BUF_INIT;
    hf_fs_join(&dir, cases_dir(), "malformed");
    DIR *d = opendir(dir.ptr);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir.ptr);
        return 1;
    }
    char **paths = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".case"))
            continue;
        paths = hf_xrealloc(paths, (n + 1) * sizeof(char *));
        hf_buf p = HF_BUF_INIT;
        hf_fs_join(&p, dir.ptr, de->d_name);
        paths[n++] = hf_buf_detach(&p);
    }
    closedir(d);
    qsort(paths, n, sizeof(char *), name_cmp);
    struct CMUnitTest *tests = hf_xcalloc(n + 1, sizeof(*tests));
    tests[0] = (struct CMUnitTest)cmocka_unit_test(base_is_valid);
    for (size_t i = 0; i < n; i++) {
        tests[i + 1].name = strrchr(paths[i], '/') + 1;
        tests[i + 1].test_func = run_case;
        tests[i + 1].initial_state = paths[i];
    }
    int failed = _cmocka_run_group_tests("config-cases", tests, n + 1, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(tests);
    hf_buf_free(&dir);
    return failed;
}
