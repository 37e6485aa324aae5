/* The contract engine's judgement around the rules: exceptions (valid,
 * expired, not covering), inline allow comments, quarantine manifests,
 * binary and oversized files, the PCRE2 limit, and directory scans that
 * never follow symlinks (the small configuration in tests/check-cases/config:
 * rules no-foo, warn-bar, image-only); and its reading of code: test paths,
 * per-family allowed paths, comments and docstrings per syntax, literal
 * values, excerpt masks, and the validation of those keys
 * (tests/check-cases/engine-config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/scan.h"
#include "config/model.h"
#include "policy/contract.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

static const hf_date VALID_DAY = {2026, 7, 1}; /* scripts-foo valid, legacy-foo expired */
static const hf_date LATE_DAY = {2027, 7, 1};  /* every exception expired */

typedef struct fixture {
    hf_config cfg;
    hf_contract_engine *engine;
} fixture;

static void config_dir(hf_buf *out, const char *name)
{
    const char *root = getenv("HF_SOURCE_ROOT");
    hf_buf_printf(out, "%s/tests/check-cases/%s", root ? root : ".", name);
}

static int load(fixture *fx, const char *dir)
{
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = VALID_DAY, .expired_is_error = false};
    int rc = hf_config_load(&fx->cfg, dir, &opts, &diags);
    if (rc != 0)
        hf_diags_print(&diags, stderr);
    hf_diags_free(&diags);
    if (rc != 0)
        return -1;
    hf_error err;
    if (hf_contract_compile(&fx->engine, &fx->cfg, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    fixture *fx = hf_xcalloc(1, sizeof(*fx));
    hf_buf dir = HF_BUF_INIT;
    config_dir(&dir, "config");
    int rc = load(fx, dir.ptr);
    hf_buf_free(&dir);
    *state = fx;
    return rc;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    hf_contract_free(fx->engine);
    hf_config_free(&fx->cfg);
    free(fx);
    return 0;
}

/* Scans one file and returns its findings (the caller frees them). */
static hf_vec scan(fixture *fx, const char *repo, const char *family, hf_date today,
                   const char *path, const char *text, hf_scan_result *res)
{
    hf_scan_target t = {.repo = repo, .family = family, .today = today};
    hf_vec out = HF_VEC_INIT;
    hf_scan_result ignored;
    hf_error err;
    int rc = hf_contract_scan(fx->engine, &t, path, NULL, text, strlen(text), &out,
                              res ? res : &ignored, &err);
    if (rc < 0)
        fail_msg("scan failed: %s", err.msg);
    return out;
}

static const hf_finding *only(const hf_vec *v)
{
    assert_int_equal(v->len, 1);
    return v->items[0];
}

/* ---- exceptions ---------------------------------------------------------- */

static void exception_valid_is_excepted(void **state)
{
    fixture *fx = *state;
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "scripts/run.sh", "x FOO y\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_EXCEPTED);
    assert_string_equal(f->exception->id, "scripts-foo");
    assert_string_equal(f->message, "FOO is not allowed.");
    assert_int_equal(f->line, 1);
    assert_int_equal(f->column, 3);
    hf_contract_counts c;
    hf_contract_count(&v, &c);
    assert_int_equal(c.error, 0);
    assert_int_equal(c.excepted, 1);
    hf_vec_free(&v, hf_finding_free);
}

static void exception_expired_is_an_error_again(void **state)
{
    fixture *fx = *state;
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "legacy/old.sh", "FOO\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_int_equal(f->severity, HF_SEV_ERROR);
    assert_string_equal(f->message,
                        "FOO is not allowed. (exception 'legacy-foo' expired on 2026-01-31)");
    hf_vec_free(&v, hf_finding_free);

    /* the valid one, a day after its expiry */
    v = scan(fx, "acme/tenant-a", "tenant", LATE_DAY, "scripts/run.sh", "FOO\n", NULL);
    f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_string_equal(f->message,
                        "FOO is not allowed. (exception 'scripts-foo' expired on 2027-06-30)");
    hf_contract_counts c;
    hf_contract_count(&v, &c);
    assert_int_equal(c.error, 1);
    assert_int_equal(c.excepted, 0);
    hf_vec_free(&v, hf_finding_free);
}

static void exception_not_covering_leaves_finding_open(void **state)
{
    fixture *fx = *state;
    /* another path of the covered repo */
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/run.sh", "FOO\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_null(f->exception);
    assert_string_equal(f->message, "FOO is not allowed.");
    hf_vec_free(&v, hf_finding_free);
    /* the covered path in another repo */
    v = scan(fx, "acme/tenant-b", "tenant", VALID_DAY, "scripts/run.sh", "FOO\n", NULL);
    f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_null(f->exception);
    hf_vec_free(&v, hf_finding_free);
    /* the covered path and repo, another rule */
    v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "scripts/run.sh", "BAR\n", NULL);
    f = only(&v);
    assert_string_equal(f->rule->id, "warn-bar");
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_int_equal(f->severity, HF_SEV_WARNING);
    hf_vec_free(&v, hf_finding_free);
    /* an exception without paths covers every path of its repo */
    v = scan(fx, "acme/image", "image", VALID_DAY, "any/where.sh", "FOO\n", NULL);
    f = only(&v);
    assert_int_equal(f->state, HF_FINDING_EXCEPTED);
    assert_string_equal(f->exception->id, "image-foo");
    hf_vec_free(&v, hf_finding_free);
}

/* ---- inline allows -------------------------------------------------------- */

static void inline_allow_valid_and_covering(void **state)
{
    fixture *fx = *state;
    /* on the line */
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "scripts/a.sh",
                    "FOO # handoff: allow no-foo scripts-foo\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_EXCEPTED);
    assert_string_equal(f->exception->id, "scripts-foo");
    hf_vec_free(&v, hf_finding_free);
    /* on the line above (CRLF endings) */
    v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "scripts/a.sh",
             "# handoff: allow no-foo scripts-foo\r\nFOO\r\n", NULL);
    f = only(&v);
    assert_int_equal(f->line, 2);
    assert_int_equal(f->state, HF_FINDING_EXCEPTED);
    hf_vec_free(&v, hf_finding_free);
}

static void inline_allow_unknown_exception(void **state)
{
    fixture *fx = *state;
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/a.sh",
                    "FOO # handoff: allow no-foo no-such-exception\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_string_equal(f->message, "FOO is not allowed. (inline allow names unknown exception "
                                    "'no-such-exception')");
    hf_vec_free(&v, hf_finding_free);
}

static void inline_allow_expired_exception(void **state)
{
    fixture *fx = *state;
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "legacy/a.sh",
                    "# handoff: allow no-foo legacy-foo\nFOO\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_string_equal(f->message,
                        "FOO is not allowed. (exception 'legacy-foo' expired on 2026-01-31)");
    hf_vec_free(&v, hf_finding_free);
}

static void inline_allow_not_covering(void **state)
{
    fixture *fx = *state;
    /* scripts-foo covers the scripts directory only */
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/a.sh",
                    "FOO # handoff: allow no-foo scripts-foo\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_string_equal(f->message,
                        "FOO is not allowed. (inline allow: exception 'scripts-foo' does not "
                        "cover this)");
    hf_vec_free(&v, hf_finding_free);
    /* scripts-foo covers no-foo, not warn-bar */
    v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "scripts/a.sh",
             "BAR # handoff: allow warn-bar scripts-foo\n", NULL);
    f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_non_null(strstr(f->message, "does not cover this"));
    hf_vec_free(&v, hf_finding_free);
}

static void inline_allow_only_on_the_line_or_the_line_above(void **state)
{
    fixture *fx = *state;
    /* two lines above: not an allow for this line */
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/a.sh",
                    "# handoff: allow no-foo no-such-exception\n\nFOO\n", NULL);
    const hf_finding *f = only(&v);
    assert_int_equal(f->state, HF_FINDING_OPEN);
    assert_string_equal(f->message, "FOO is not allowed.");
    hf_vec_free(&v, hf_finding_free);
    /* an allow naming another rule does not apply */
    v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/a.sh",
             "FOO # handoff: allow warn-bar no-such-exception\n", NULL);
    f = only(&v);
    assert_string_equal(f->message, "FOO is not allowed.");
    hf_vec_free(&v, hf_finding_free);
}

/* ---- allowed lines, paths, families -------------------------------------- */

static void allowed_lines_paths_and_families(void **state)
{
    fixture *fx = *state;
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/a.sh",
                    "FOO ALLOWED-LINE\n  # BAR in a comment\nBAZ\n", NULL);
    assert_int_equal(v.len, 0); /* global allow-line, rule allow, image-only rule */
    hf_vec_free(&v, hf_finding_free);
    v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "docs/a.sh", "FOO\n", NULL);
    assert_int_equal(v.len, 0);
    hf_vec_free(&v, hf_finding_free);
    v = scan(fx, "acme/image", "image", VALID_DAY, "a.sh", "BAZ\n", NULL);
    assert_string_equal(only(&v)->rule->id, "image-only");
    hf_vec_free(&v, hf_finding_free);
    assert_true(hf_contract_wants_path(fx->engine, ".env.production"));
    assert_true(hf_contract_wants_path(fx->engine, "Dockerfile"));
    assert_true(hf_contract_wants_path(fx->engine, "a/b.yml"));
    assert_false(hf_contract_wants_path(fx->engine, "a/b.md"));
    assert_false(hf_contract_wants_path(fx->engine, "node_modules/x/a.sh"));
    assert_false(hf_contract_wants_path(fx->engine, "a/pip_cache/a.sh"));
}

/* ---- skipped content ------------------------------------------------------ */

static void binary_and_oversized_files_are_skipped(void **state)
{
    fixture *fx = *state;
    hf_scan_target t = {.repo = "acme/tenant-a", .family = "tenant", .today = VALID_DAY};
    hf_vec out = HF_VEC_INIT;
    hf_scan_result res;
    hf_error err;
    static const char bin[] = "FOO\n\0\x01\x02FOO\n";
    assert_int_equal(
        hf_contract_scan(fx->engine, &t, "bin/a.sh", NULL, bin, sizeof(bin) - 1, &out, &res, &err),
        0);
    assert_int_equal(res, HF_SCAN_SKIPPED_BINARY);
    assert_int_equal(out.len, 0);

    size_t n = hf_contract_max_bytes(fx->engine) + 1;
    char *big = hf_xmalloc(n);
    memset(big, 'x', n);
    memcpy(big, "FOO\n", 4);
    assert_int_equal(hf_contract_scan(fx->engine, &t, "bin/a.sh", NULL, big, n, &out, &res, &err),
                     0);
    assert_int_equal(res, HF_SCAN_SKIPPED_SIZE);
    assert_int_equal(out.len, 0);
    /* exactly at the limit: scanned */
    assert_int_equal(
        hf_contract_scan(fx->engine, &t, "bin/a.sh", NULL, big, n - 1, &out, &res, &err), 0);
    assert_int_equal(res, HF_SCAN_DONE);
    assert_int_equal(out.len, 1);
    free(big);
    hf_vec_free(&out, hf_finding_free);
}

/* ---- quarantine ------------------------------------------------------------ */

static void blob_id(const char *text, char hex[GIT_OID_HEXSZ + 1])
{
    git_oid id;
    assert_int_equal(git_odb_hash(&id, text, strlen(text), GIT_OBJECT_BLOB), 0);
    git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &id);
}

static void quarantine_needs_listing_and_matching_blob(void **state)
{
    fixture *fx = *state;
    const char *text = "FOO\n";
    char hex[GIT_OID_HEXSZ + 1], other[GIT_OID_HEXSZ + 1];
    blob_id(text, hex);
    blob_id("FOO changed\n", other);
    hf_buf manifest = HF_BUF_INIT;
    hf_buf_printf(&manifest,
                  "# Archived: `remote-ops`\n\n## Manifest\n\n"
                  "| original path | new path | blob |\n|---|---|---|\n"
                  "| `tools/a.sh` | `archive/remote-ops/tools/a.sh` | `%s` |\n"
                  "| tools/b.sh | archive/remote-ops/tools/b.sh | %s |\n",
                  hex, hex);
    hf_quarantine q = {HF_VEC_INIT, HF_VEC_INIT};
    hf_quarantine_add_manifest(&q, manifest.ptr, manifest.len);
    assert_int_equal(q.paths.len, 2);

    hf_scan_target t = {
        .repo = "acme/tenant-a", .family = "tenant", .today = VALID_DAY, .quarantine = &q};
    hf_vec out = HF_VEC_INIT;
    hf_scan_result res;
    hf_error err;
    /* listed, same blob (backquoted and plain cells): quarantined */
    assert_int_equal(hf_contract_scan(fx->engine, &t, "archive/remote-ops/tools/a.sh", hex, text,
                                      strlen(text), &out, &res, &err),
                     0);
    assert_int_equal(res, HF_SCAN_QUARANTINED);
    assert_int_equal(hf_contract_scan(fx->engine, &t, "archive/remote-ops/tools/b.sh", hex, text,
                                      strlen(text), &out, &res, &err),
                     0);
    assert_int_equal(res, HF_SCAN_QUARANTINED);
    assert_int_equal(out.len, 0);
    /* listed, blob changed since: scanned */
    assert_int_equal(hf_contract_scan(fx->engine, &t, "archive/remote-ops/tools/a.sh", other,
                                      "FOO changed\n", 12, &out, &res, &err),
                     0);
    assert_int_equal(res, HF_SCAN_DONE);
    assert_int_equal(out.len, 1);
    /* not listed: scanned */
    assert_int_equal(hf_contract_scan(fx->engine, &t, "archive/remote-ops/tools/c.sh", hex, text,
                                      strlen(text), &out, &res, &err),
                     0);
    assert_int_equal(res, HF_SCAN_DONE);
    assert_int_equal(out.len, 2);
    /* listed path outside archive/ (a manifest cannot hide active files) */
    hf_quarantine q2 = {HF_VEC_INIT, HF_VEC_INIT};
    hf_buf_clear(&manifest);
    hf_buf_printf(&manifest, "| `bin/a.sh` | `bin/a.sh` | `%s` |\n", hex);
    hf_quarantine_add_manifest(&q2, manifest.ptr, manifest.len);
    t.quarantine = &q2;
    assert_int_equal(
        hf_contract_scan(fx->engine, &t, "bin/a.sh", hex, text, strlen(text), &out, &res, &err), 0);
    assert_int_equal(res, HF_SCAN_DONE);
    assert_int_equal(out.len, 3);
    hf_vec_free(&out, hf_finding_free);
    hf_quarantine_free(&q);
    hf_quarantine_free(&q2);
    hf_buf_free(&manifest);
}

/* ---- directories on disk --------------------------------------------------- */

static void put(const char *root, const char *rel, const char *text)
{
    hf_buf p = HF_BUF_INIT;
    hf_error err;
    hf_fs_join(&p, root, rel);
    char *slash = strrchr(p.ptr, '/');
    *slash = '\0';
    assert_int_equal(hf_fs_mkdirs(p.ptr, &err), 0);
    *slash = '/';
    FILE *f = fopen(p.ptr, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    hf_buf_free(&p);
}

static void remove_tree(const char *dir)
{
    hf_buf cmd = HF_BUF_INIT;
    hf_buf_printf(&cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd.ptr), 0);
    hf_buf_free(&cmd);
}

static void finding_paths(const hf_scan_report *r, hf_buf *out)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const hf_finding *f = r->findings.items[i];
        hf_buf_printf(out, "%s:%d:%d %s\n", f->path, f->line, f->column, f->rule->id);
    }
}

static void directory_scan_quarantine_symlinks_and_skips(void **state)
{
    fixture *fx = *state;
    char tmpl[] = "/tmp/hf-policy-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    assert_non_null(tmp);
    hf_buf repo = HF_BUF_INIT, outside = HF_BUF_INIT, link = HF_BUF_INIT;
    hf_fs_join(&repo, tmp, "repo");
    hf_fs_join(&outside, tmp, "outside");
    put(outside.ptr, "secret.sh", "FOO outside\n");
    put(outside.ptr, "dir/x.sh", "FOO outside dir\n");

    const char *kept = "FOO kept\n";
    char hex[GIT_OID_HEXSZ + 1];
    blob_id(kept, hex);
    hf_buf manifest = HF_BUF_INIT;
    hf_buf_printf(&manifest,
                  "| original path | new path | blob |\n|---|---|---|\n"
                  "| `tools/kept.sh` | `archive/remote-ops/tools/kept.sh` | `%s` |\n"
                  "| `tools/edited.sh` | `archive/remote-ops/tools/edited.sh` | `%s` |\n",
                  hex, hex);
    put(repo.ptr, "archive/remote-ops/ARCHIVED.md", manifest.ptr);
    put(repo.ptr, "archive/remote-ops/tools/kept.sh", kept);
    put(repo.ptr, "archive/remote-ops/tools/edited.sh", "FOO kept, then edited\n");
    put(repo.ptr, "archive/remote-ops/tools/added.sh", "FOO added later\n");
    put(repo.ptr, "bin/run.sh", "echo ok\nFOO\n");
    put(repo.ptr, ".env.production", "FOO=1\n");
    put(repo.ptr, "notes.md", "FOO\n");
    put(repo.ptr, "node_modules/pkg/a.sh", "FOO\n");
    put(repo.ptr, "pip_cache/a.sh", "FOO\n");
    put(repo.ptr, ".git/hooks/pre-commit", "FOO\n");
    put(repo.ptr, "bin/blob.sh", "FOO");
    {
        hf_buf p = HF_BUF_INIT;
        hf_fs_join(&p, repo.ptr, "bin/blob.sh");
        FILE *f = fopen(p.ptr, "wb");
        fwrite("FOO\n\0\0\0", 1, 7, f);
        fclose(f);
        hf_buf_clear(&p);
        hf_fs_join(&p, repo.ptr, "bin/big.sh");
        f = fopen(p.ptr, "wb");
        fputs("FOO\n", f);
        for (int i = 0; i < 5000; i++)
            fputc('x', f);
        fclose(f);
        hf_buf_free(&p);
    }
    /* symlinks to a file and to a directory outside the repo */
    hf_fs_join(&link, repo.ptr, "bin/link.sh");
    hf_buf target = HF_BUF_INIT;
    hf_fs_join(&target, outside.ptr, "secret.sh");
    assert_int_equal(symlink(target.ptr, link.ptr), 0);
    hf_buf_clear(&link);
    hf_buf_clear(&target);
    hf_fs_join(&link, repo.ptr, "linked-dir");
    hf_fs_join(&target, outside.ptr, "dir");
    assert_int_equal(symlink(target.ptr, link.ptr), 0);

    hf_scan_target t = {.repo = "acme/tenant-a", .family = "tenant", .today = VALID_DAY};
    hf_scan_report r = {0};
    hf_error err;
    assert_int_equal(hf_scan_dir(fx->engine, &t, repo.ptr, 2, &r, &err), 0);
    hf_buf got = HF_BUF_INIT;
    finding_paths(&r, &got);
    assert_string_equal(got.ptr, ".env.production:1:1 no-foo\n"
                                 "archive/remote-ops/tools/added.sh:1:1 no-foo\n"
                                 "archive/remote-ops/tools/edited.sh:1:1 no-foo\n"
                                 "bin/run.sh:2:1 no-foo\n");
    /* scanned: .env.production, added, edited, run.sh; skipped: kept
     * (quarantined), blob.sh (binary), big.sh (size), two symlinks */
    assert_int_equal(r.files_scanned, 4);
    assert_int_equal(r.files_skipped, 5);
    assert_int_equal(r.problems.len, 0);
    hf_scan_report_free(&r);
    hf_buf_free(&got);
    hf_buf_free(&target);
    hf_buf_free(&link);
    hf_buf_free(&manifest);
    hf_buf_free(&repo);
    hf_buf_free(&outside);
    remove_tree(tmp);
}

/* ---- the PCRE2 limit --------------------------------------------------------- */

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    hf_buf src = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error err;
    hf_fs_join(&src, from_dir, name);
    assert_int_equal(hf_fs_read(&text, src.ptr, 1 << 20, 1, &err), 0);
    put(to_dir, name, hf_buf_cstr(&text));
    hf_buf_free(&src);
    hf_buf_free(&text);
}

static void catastrophic_pattern_is_a_clear_error(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/hf-policy-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    assert_non_null(tmp);
    hf_buf base = HF_BUF_INIT;
    config_dir(&base, "config");
    copy_file(base.ptr, tmp, "fleet.yml");
    copy_file(base.ptr, tmp, "capabilities.yml");
    copy_file(base.ptr, tmp, "exceptions.yml");
    put(tmp, "contract.yml",
        "scan:\n"
        "  extensions: [\"\", .sh]\n"
        "rules:\n"
        "  - id: no-foo\n"
        "    category: provider-mutation\n"
        "    severity: error\n"
        "    message: FOO\n"
        "    pattern: 'FOO'\n"
        "  - id: warn-bar\n"
        "    category: provider-mutation\n"
        "    severity: warning\n"
        "    message: BAR\n"
        "    pattern: 'BAR'\n"
        "  - id: image-only\n"
        "    category: provider-mutation\n"
        "    severity: error\n"
        "    message: backtracks\n"
        "    pattern: '^(\\w+\\s?)*$'\n");
    fixture fx = {0};
    assert_int_equal(load(&fx, tmp), 0);
    hf_scan_target t = {.repo = "acme/tenant-a", .family = "tenant", .today = VALID_DAY};
    hf_vec out = HF_VEC_INIT;
    hf_scan_result res;
    hf_error err;
    const char *text =
        "ok\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n";
    assert_int_equal(
        hf_contract_scan(fx.engine, &t, "bin/slow.sh", NULL, text, strlen(text), &out, &res, &err),
        -1);
    assert_non_null(strstr(err.msg, "bin/slow.sh"));
    assert_non_null(strstr(err.msg, "'image-only'"));
    assert_non_null(strstr(err.msg, "limit"));
    hf_vec_free(&out, hf_finding_free);
    hf_contract_free(fx.engine);
    hf_config_free(&fx.cfg);
    hf_buf_free(&base);
    remove_tree(tmp);
}

/* ---- reading code: test paths, family paths, comments, literals, excerpts ---- */

/* The engine-config configuration (rules word, anywhere, in-tests, literal,
 * multi-literal); a separate fixture from the one above. */
static int setup_reading(void **state)
{
    fixture *fx = hf_xcalloc(1, sizeof(*fx));
    hf_buf dir = HF_BUF_INIT;
    config_dir(&dir, "engine-config");
    int rc = load(fx, dir.ptr);
    hf_buf_free(&dir);
    *state = fx;
    return rc;
}

/* "rule@line:col ..." of every finding of one file, rule by rule (each rule
 * reports a line once, at its first match there). */
static char *found(fixture *fx, const char *family, const char *path, const char *text)
{
    const char *repo = !strcmp(family, "devkit") ? "acme/devkit" : "acme/tenant-a";
    hf_vec v = scan(fx, repo, family, VALID_DAY, path, text, NULL);
    hf_buf b = HF_BUF_INIT;
    hf_buf_puts(&b, "");
    for (size_t i = 0; i < v.len; i++) {
        const hf_finding *f = v.items[i];
        hf_buf_printf(&b, "%s%s@%d:%d", i ? " " : "", f->rule->id, f->line, f->column);
    }
    hf_vec_free(&v, hf_finding_free);
    return hf_buf_detach(&b);
}

#define assert_found(fx, family, path, text, want)                                                 \
    do {                                                                                           \
        char *got_ = found(fx, family, path, text);                                                \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_paths_at_any_depth(void **state)
{
    fixture *fx = *state;
    const char *text = "WORD TESTWORD\n";
    assert_found(fx, "tenant", "tests/run.sh", text, "in-tests@1:6");
    assert_found(fx, "tenant", "addon/tests/unit/run.sh", text, "in-tests@1:6");
    assert_found(fx, "tenant", "addon/models/test_sale.py", text, "in-tests@1:6");
    /* named like a test, but not a test path */
    assert_found(fx, "tenant", "addon/tests_helper.sh", text, "word@1:1 in-tests@1:6");
    assert_found(fx, "tenant", "addon/latest_sale.py", text, "word@1:1 in-tests@1:6");
    /* allowed paths stay allowed for every rule, tests: true or not */
    assert_found(fx, "tenant", "docs/tests/run.sh", text, "");
}

static void family_allow_paths_only_in_that_family(void **state)
{
    fixture *fx = *state;
    const char *text = "WORD\n";
    assert_found(fx, "devkit", "tools/local_runtime.py", text, "");
    assert_found(fx, "tenant", "tools/local_runtime.py", text, "word@1:1");
    assert_found(fx, "devkit", "tools/remote_runtime.py", text, "word@1:1");
}

static void hash_comments_are_blanked(void **state)
{
    fixture *fx = *state;
    const char *sh = "echo WORD # WORD\n"
                     "  # WORD ANYWHERE\n"
                     "echo \"a # WORD\"\n"
                     "echo 'b # WORD'\n"
                     "echo it's # WORD\n"
                     "echo a#WORD\n"
                     "echo \\# WORD\n";
    assert_found(fx, "tenant", "bin/run.sh", sh,
                 "word@1:6 word@3:11 word@4:11 word@6:8 word@7:9 anywhere@2:10");
    assert_found(fx, "tenant", ".github/workflows/ci.yml",
                 "# WORD\nenv: {A: WORD}  # WORD\nrun: |\n  make # WORD\n", "word@2:10");
    /* a file of no known syntax is read whole */
    assert_found(fx, "tenant", "notes.txt", "# WORD\n", "word@1:3");
}

static void python_comments_and_docstrings_are_blanked(void **state)
{
    fixture *fx = *state;
    const char *py = "\"\"\"Module WORD.\n"
                     "\n"
                     "More WORD.\n"
                     "\"\"\"\n"
                     "X = \"\"\"WORD\"\"\"  # WORD\n"
                     "def f():\n"
                     "    r'''WORD doc'''\n"
                     "    call(\"a\", '# WORD')\n"
                     "    s = (\n"
                     "        \"WORD\"\n"
                     "    )\n"
                     "    \"WORD\".lower()\n"
                     "    # ANYWHERE WORD\n";
    assert_found(fx, "tenant", "tools/x.py", py,
                 "word@5:8 word@8:18 word@10:10 word@12:6 anywhere@13:7");
}

static void slash_comments_are_blanked(void **state)
{
    fixture *fx = *state;
    const char *js = "// WORD\n"
                     "/* WORD\n"
                     "   WORD */ const a = \"// WORD\";\n"
                     "const b = `${x /* WORD */} // WORD`;\n"
                     "const re = /\\/\\/ WORD/; // WORD\n"
                     "const c = a / 2; // WORD\n"
                     "/* é */ WORD\n";
    assert_found(fx, "tenant", "src/x.js", js, "word@3:26 word@4:31 word@5:18 word@7:9");
}

static void shebang_names_the_syntax(void **state)
{
    fixture *fx = *state;
    assert_found(fx, "tenant", "bin/tool", "#!/usr/bin/env python3\n# WORD\nx = \"WORD\"\n",
                 "word@3:6");
    assert_found(fx, "tenant", "bin/tool", "#!/bin/sh\n# WORD\necho WORD\n", "word@3:6");
    assert_found(fx, "tenant", "bin/tool", "#!/usr/bin/env node\n// WORD\nWORD\n", "word@3:1");
    /* no #! line: read whole */
    assert_found(fx, "tenant", "bin/tool", "// WORD\n", "word@1:4");
}

static void literal_values(void **state)
{
    fixture *fx = *state;
    /* env, shell, YAML: a bare word that ends its line is a literal */
    const char *env = "TOKEN=abc\n"
                      "TOKEN=\n"
                      "TOKEN=$X\n"
                      "TOKEN=\"${X}\"\n"
                      "TOKEN=123\n"
                      "TOKEN=true\n"
                      "TOKEN=abc cmd --flag\n"
                      "TOKEN=\"abc\"\n"
                      "TOKEN='%s'\n"
                      "TOKEN=<your token>\n"
                      "export TOKEN=abc  # rotate\n"
                      "TOKEN=${{ secrets.TOKEN }}\n";
    assert_found(fx, "tenant", ".env.local", env, "literal@1:1 literal@8:1 literal@11:1");
    /* Python: only quoted strings, and not formatted or computed ones */
    const char *py = "TOKEN = \"abc\"\n"
                     "TOKEN = abc\n"
                     "TOKEN = \"abc\" % x\n"
                     "TOKEN = f\"{x}\"\n"
                     "TOKEN = rb'abc'\n"
                     "TOKEN = \"{}\"\n"
                     "TOKEN = \"\"\n"
                     "TOKEN = \"5432\"\n"
                     "TOKEN = \"abc\".strip()\n"
                     "TOKEN = (\"abc\",)\n"
                     "TOKEN: \"abc\"\n";
    assert_found(fx, "tenant", "tools/x.py", py, "literal@1:1 literal@5:1 literal@11:1");
    /* JavaScript: template literals with ${} are not literals */
    assert_found(fx, "tenant", "src/x.js",
                 "TOKEN = `abc`\nTOKEN = `${a}`\nTOKEN = process.env.X\nTOKEN = 'abc' + x\n",
                 "literal@1:1");
    /* a multi-line rule moves on to a later match when one binds no literal */
    assert_found(fx, "tenant", ".env.local", "SECRET=$A\nSECRET=\nSECRET=abc\n",
                 "multi-literal@3:1");
}

/* The excerpt of a finding on each line (rule word), after masking. */
static void excerpts_hide_only_secret_values(void **state)
{
    fixture *fx = *state;
    const char *lines[][2] = {
        {"WORD PASSWORD=hunter2\n", "WORD PASSWORD=***"},
        {"WORD PASSWORD=\"hunter2\" next\n", "WORD PASSWORD=\"***\" next"},
        {"WORD TOKEN: ${{ secrets.TOKEN }}\n", "WORD TOKEN: ${{ secrets.TOKEN }}"},
        {"WORD password: /run/secrets/db\n", "WORD password: /run/secrets/db"},
        {"WORD token=ODOO_TOKEN\n", "WORD token=ODOO_TOKEN"},
        {"WORD token=4096\n", "WORD token=4096"},
        {"WORD token_key=odoo.token.param\n", "WORD token_key=odoo.token.param"},
        {"WORD url=https://u:pw@host/x\n", "WORD url=https://u:***@host/x"},
        {"WORD x=ghp_abcdefgh1234 y\n", "WORD x=*** y"},
        {"WORD {\"password\": \"s3cret\", \"user\": \"odoo\"}\n",
         "WORD {\"password\": \"***\", \"user\": \"odoo\"}"},
        {"  WORD\tname=value\001\n", "WORD\tname=value?"},
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "bin/x.sh", lines[i][0], NULL);
        assert_int_equal(v.len, 1);
        assert_string_equal(((const hf_finding *)v.items[0])->excerpt, lines[i][1]);
        hf_vec_free(&v, hf_finding_free);
    }
    /* in Python an identifier after a secret key is a name, shown as is */
    hf_vec v = scan(fx, "acme/tenant-a", "tenant", VALID_DAY, "tools/x.py",
                    "WORD({\"TOKEN\": normalized_token, \"PASSWORD\": 'x'})\n", NULL);
    assert_int_equal(v.len, 1);
    assert_string_equal(((const hf_finding *)v.items[0])->excerpt,
                        "WORD({\"TOKEN\": normalized_token, \"PASSWORD\": '***'})");
    hf_vec_free(&v, hf_finding_free);
}

/* contract.yml refuses the new keys used wrongly, with file:line:col. */
static void reading_keys_are_validated(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"    value: literal\n", "contract.yml:9:12: 'value: literal' needs a group named 'value'"},
        {"    value: bound\n", "contract.yml:9:12: 'value' must be literal, not 'bound'"},
        {"    comments: sometimes\n", "contract.yml:9:15: 'comments' must be true or false"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char tmpl[] = "/tmp/hf-policy-XXXXXX";
        char *tmp = mkdtemp(tmpl);
        assert_non_null(tmp);
        hf_buf base = HF_BUF_INIT, contract = HF_BUF_INIT;
        config_dir(&base, "engine-config");
        copy_file(base.ptr, tmp, "fleet.yml");
        copy_file(base.ptr, tmp, "capabilities.yml");
        copy_file(base.ptr, tmp, "exceptions.yml");
        hf_buf_printf(&contract,
                      "scan:\n"
                      "  comments: {hash: [\"*.sh\"]}\n"
                      "rules:\n"
                      "  - id: r\n"
                      "    category: quarantine\n"
                      "    severity: error\n"
                      "    message: m\n"
                      "    pattern: 'TOKEN='\n"
                      "%s",
                      cases[i].yaml);
        put(tmp, "contract.yml", contract.ptr);
        hf_config cfg;
        hf_diags diags = HF_DIAGS_INIT;
        hf_load_options opts = {.today = VALID_DAY};
        assert_int_not_equal(hf_config_load(&cfg, tmp, &opts, &diags), 0);
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        hf_diags_print(&diags, mem);
        fclose(mem);
        if (!strstr(text, cases[i].want))
            fail_msg("want '%s' in:\n%s", cases[i].want, text);
        free(text);
        hf_diags_free(&diags);
        hf_config_free(&cfg);
        hf_buf_free(&base);
        hf_buf_free(&contract);
        remove_tree(tmp);
    }
    /* an unknown comment syntax and a family that the fleet lacks */
    char tmpl[] = "/tmp/hf-policy-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    assert_non_null(tmp);
    hf_buf base = HF_BUF_INIT;
    config_dir(&base, "engine-config");
    copy_file(base.ptr, tmp, "fleet.yml");
    copy_file(base.ptr, tmp, "capabilities.yml");
    copy_file(base.ptr, tmp, "exceptions.yml");
    put(tmp, "contract.yml",
        "scan:\n"
        "  comments: {semicolon: [\"*.ini\"]}\n"
        "  family-allow-paths: {robots: [\"x/**\"]}\n"
        "rules: []\n");
    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = VALID_DAY};
    assert_int_not_equal(hf_config_load(&cfg, tmp, &opts, &diags), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    hf_diags_print(&diags, mem);
    fclose(mem);
    if (!strstr(text, "contract.yml:2:14: unknown key 'semicolon' in 'comments'") ||
        !strstr(text, "contract.yml:3:24: ") || !strstr(text, "robots"))
        fail_msg("unexpected diagnostics:\n%s", text);
    free(text);
    hf_diags_free(&diags);
    hf_config_free(&cfg);
    hf_buf_free(&base);
    remove_tree(tmp);
}

int main(void)
{
    git_libgit2_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exception_valid_is_excepted),
        cmocka_unit_test(exception_expired_is_an_error_again),
        cmocka_unit_test(exception_not_covering_leaves_finding_open),
        cmocka_unit_test(inline_allow_valid_and_covering),
        cmocka_unit_test(inline_allow_unknown_exception),
        cmocka_unit_test(inline_allow_expired_exception),
        cmocka_unit_test(inline_allow_not_covering),
        cmocka_unit_test(inline_allow_only_on_the_line_or_the_line_above),
        cmocka_unit_test(allowed_lines_paths_and_families),
        cmocka_unit_test(binary_and_oversized_files_are_skipped),
        cmocka_unit_test(quarantine_needs_listing_and_matching_blob),
        cmocka_unit_test(directory_scan_quarantine_symlinks_and_skips),
        cmocka_unit_test(catastrophic_pattern_is_a_clear_error),
    };
    const struct CMUnitTest reading[] = {
        cmocka_unit_test(test_paths_at_any_depth),
        cmocka_unit_test(family_allow_paths_only_in_that_family),
        cmocka_unit_test(hash_comments_are_blanked),
        cmocka_unit_test(python_comments_and_docstrings_are_blanked),
        cmocka_unit_test(slash_comments_are_blanked),
        cmocka_unit_test(shebang_names_the_syntax),
        cmocka_unit_test(literal_values),
        cmocka_unit_test(excerpts_hide_only_secret_values),
        cmocka_unit_test(reading_keys_are_validated),
    };
    int failed = cmocka_run_group_tests_name("contract-engine", tests, setup, teardown);
    failed += cmocka_run_group_tests_name("contract-reading", reading, setup_reading, teardown);
    git_libgit2_shutdown();
    return failed;
}
