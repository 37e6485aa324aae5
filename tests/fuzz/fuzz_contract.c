/* libFuzzer target for the contract rule loader and engine. The input is
 * contract.yml, the path of a file, the file's bytes and (optionally)
 * exceptions.yml, separated by "%%%%" lines; fleet.yml and
 * capabilities.yml are fixed. A contract that loads must compile, and a
 * scan must end (within PCRE2's limits) with findings that point into the
 * file, or with an error that names the rule. */
#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "fuzz_common.h"
#include "policy/contract.h"
#include "util/buf.h"
#include "util/path.h"

static const char fleet[] =
    "fleet: fuzz\n"
    "forge: {kind: github, api: https://api.github.com, web: https://github.com}\n"
    "branch: handoff/fuzz\n"
    "author: {name: handoff, email: handoff@example.invalid}\n"
    "pull-request: {title: t}\n"
    "families: [tenant, shared-addons, image, devkit, retired]\n"
    "surfaces: [build-test]\n"
    "repos:\n"
    "  - {name: acme/tenant-a, family: tenant}\n"
    "  - {name: acme/image, family: image}\n";
static const char capabilities[] =
    "capabilities:\n"
    "  - {id: c, title: c, routes: [/v1/c], authz: [c.x], status: implemented, doc: d}\n";
static const char exceptions[] =
    "exceptions:\n"
    "  - {id: e, reason: r, issue: a/b#1, owner: o, expires: 2027-06-30, delete-when: w,\n"
    "     covers: {repos: [acme/tenant-a], paths: ['scripts/**']}}\n";

static void put_fixed(const char *name, const char *text)
{
    hf_fuzz_part p = {text, strlen(text)};
    hf_fuzz_put(name, &p);
}

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        put_fixed("fleet.yml", fleet);
        put_fixed("capabilities.yml", capabilities);
        ready = 1;
    }
    hf_fuzz_part parts[4];
    size_t n = hf_fuzz_split(data, size, parts, 4);
    hf_fuzz_put("contract.yml", &parts[0]);
    if (n > 3)
        hf_fuzz_put("exceptions.yml", &parts[3]);
    else
        put_fixed("exceptions.yml", exceptions);

    hf_buf path = HF_BUF_INIT;
    hf_error err;
    if (n > 1) {
        const char *nl = memchr(parts[1].ptr, '\n', parts[1].len);
        char *raw = strndup(parts[1].ptr, nl ? (size_t)(nl - parts[1].ptr) : parts[1].len);
        if (hf_path_normalize(&path, raw, &err) < 0)
            hf_buf_clear(&path);
        free(raw);
    }
    if (!path.len)
        hf_buf_puts(&path, "scripts/run.sh");
    const char *content = n > 2 ? parts[2].ptr : "";
    size_t clen = n > 2 ? parts[2].len : 0;

    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = {2026, 11, 27}, .expired_is_error = false};
    if (hf_config_load(&cfg, hf_fuzz_dir(), &opts, &diags) == 0) {
        hf_contract_engine *engine = NULL;
        if (hf_contract_compile(&engine, &cfg, &err) < 0)
            abort(); /* the loader passed every pattern */
        const char *p = hf_buf_cstr(&path);
        (void)hf_contract_wants_path(engine, p);
        (void)hf_contract_skips_dir(engine, hf_path_basename(p));
        hf_quarantine q = {HF_VEC_INIT, HF_VEC_INIT};
        hf_quarantine_add_manifest(&q, content, clen);
        static const char *const repos[] = {"acme/tenant-a", "acme/image"};
        hf_scan_target t = {repos[size & 1], (size & 1) ? "image" : "tenant", {2026, 11, 27}, &q};
        hf_vec findings = HF_VEC_INIT;
        hf_scan_result result;
        size_t lines = count_lines(content, clen);
        if (hf_contract_scan(engine, &t, p, "0123456789abcdef0123456789abcdef01234567", content,
                             clen, &findings, &result, &err) < 0) {
            if (!strstr(err.msg, "rule '"))
                abort();
        }
        for (size_t i = 0; i < findings.len; i++) {
            const hf_finding *f = findings.items[i];
            if (f->line < 1 || (size_t)f->line > lines || f->column < 1 || !f->excerpt ||
                !f->message || strcmp(f->path, p))
                abort();
        }
        hf_contract_counts counts;
        hf_contract_count(&findings, &counts);
        if (counts.error + counts.warning + counts.excepted != findings.len)
            abort();
        hf_vec_free(&findings, hf_finding_free);
        hf_quarantine_free(&q);
        hf_contract_free(engine);
    }
    hf_diags_free(&diags);
    hf_config_free(&cfg);
    hf_buf_free(&path);
    return 0;
}
