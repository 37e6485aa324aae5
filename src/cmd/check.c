/* `handoff check`: the contract checks on local directories (and, through
 * the mirror cache, on fleet repos). Exit 3 when an error-level finding is
 * open; excepted findings and warnings do not fail the check. */
#include "batch/check_report.h"
#include "batch/scan.h"
#include "cmd/cli.h"
#include "util/mem.h"
#include "util/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char check_usage[] =
    "usage: handoff check [--family F] [--format text|json|sarif] [--today DATE] PATH...\n"
    "\n"
    "Run the contract checks of contract.yml on each directory: provider mutation,\n"
    "durable runtime config, managed-secret authority, direct Dokploy mutation,\n"
    "shared runner chores, repo-local Launchplane clients, record-id derivation,\n"
    "registry cleanup without the protected-artifacts guard, and references to\n"
    "quarantined files. A directory named like a fleet repo (odoo-tenant-cm, or\n"
    "odoo-tenant-cm.git) is checked as that repo; any other needs --family.\n"
    "\n"
    "  -C DIR             the configuration directory (default: recipes)\n"
    "  -j N               files scanned in parallel (default: number of CPUs)\n"
    "  --family F         the family of a directory that is not a fleet repo\n"
    "  --format FORMAT    text (default), json or sarif (SARIF 2.1.0)\n"
    "  --today DATE       the date exceptions are judged against (default: today)\n"
    "\n"
    "A finding covered by a valid exception (repo, path, rule) is reported as\n"
    "excepted; an inline comment `handoff: allow <rule> <exception>` on the line or\n"
    "the line above counts only when that exception is valid and covers it.\n"
    "\n"
    "Exit status: 0 no open error, 1 a source could not be read, 2 usage or\n"
    "configuration error, 3 open error findings.\n";

/* The fleet repo a directory stands for: its last path component, without
 * a trailing ".git", equal to the name part of a fleet repo. */
static const hf_repo *repo_for_dir(const hf_config *cfg, const char *dir)
{
    hf_buf norm = HF_BUF_INIT;
    hf_buf_puts(&norm, dir);
    while (norm.len > 1 && norm.ptr[norm.len - 1] == '/')
        hf_buf_truncate(&norm, norm.len - 1);
    const char *base = hf_path_basename(norm.ptr);
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".git"))
        n -= 4;
    const hf_repo *hit = NULL;
    for (size_t i = 0; i < cfg->fleet.repos.len && !hit; i++) {
        const hf_repo *r = cfg->fleet.repos.items[i];
        const char *name = r->name ? strchr(r->name, '/') : NULL;
        if (name && strlen(name + 1) == n && !strncmp(name + 1, base, n))
            hit = r;
    }
    hf_buf_free(&norm);
    return hit;
}

static void report_free(void *p)
{
    hf_scan_report_free(p);
    free(p);
}

int hf_cmd_check(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS,
        {"format", required_argument, NULL, HF_OPT_FORMAT},
        {"today", required_argument, NULL, HF_OPT_TODAY},
        {"family", required_argument, NULL, HF_OPT_FAMILY},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_date today = hf_date_today();
    hf_check_format fmt = HF_CHECK_TEXT;
    const char *family = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "check");
        if (handled < 0)
            return HF_EXIT_USAGE;
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(check_usage, stdout);
            return HF_EXIT_OK;
        case HF_OPT_TODAY:
            if (hf_cli_today("check", optarg, &today) < 0)
                return HF_EXIT_USAGE;
            break;
        case HF_OPT_FAMILY:
            family = optarg;
            break;
        case HF_OPT_FORMAT:
            if (!strcmp(optarg, "text"))
                fmt = HF_CHECK_TEXT;
            else if (!strcmp(optarg, "json"))
                fmt = HF_CHECK_JSON;
            else if (!strcmp(optarg, "sarif"))
                fmt = HF_CHECK_SARIF;
            else
                return hf_cli_usage_error("check", "--format takes text, json or sarif, not '%s'",
                                          optarg);
            break;
        default:
            return hf_cli_bad_option("check", argv);
        }
    }
    if (optind >= argc)
        return hf_cli_usage_error("check", "name at least one directory to check");

    hf_config cfg;
    int rc = hf_cli_load_config(&cfg, &g, today, 0);
    if (rc) {
        hf_config_free(&cfg);
        return rc;
    }
    if (family) {
        int known = 0;
        for (size_t i = 0; i < cfg.fleet.families.len; i++)
            known |= !strcmp(cfg.fleet.families.items[i], family);
        if (!known) {
            hf_config_free(&cfg);
            return hf_cli_usage_error("check", "unknown family '%s'", family);
        }
    }
    hf_contract_engine *engine = NULL;
    hf_error err;
    if (hf_contract_compile(&engine, &cfg, &err) < 0) {
        hf_log_error("%s", err.msg);
        hf_config_free(&cfg);
        return HF_EXIT_USAGE;
    }
    /* every argument is checked before any is scanned: bad input changes nothing */
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
            rc = hf_cli_usage_error("check", "'%s' is not a directory", argv[i]);
            goto done;
        }
        if (!family && !repo_for_dir(&cfg, argv[i])) {
            rc = hf_cli_usage_error("check",
                                    "'%s' is not a fleet repo; say which family with --family",
                                    argv[i]);
            goto done;
        }
    }
    hf_vec reports = HF_VEC_INIT;
    for (int i = optind; i < argc; i++) {
        const hf_repo *repo = repo_for_dir(&cfg, argv[i]);
        hf_scan_report *rep = hf_xcalloc(1, sizeof(*rep));
        /* "dir/" and "dir" report the same paths (no "dir//file") */
        size_t n = strlen(argv[i]);
        while (n > 1 && argv[i][n - 1] == '/')
            n--;
        rep->repo = hf_xstrndup(argv[i], n);
        rep->family = hf_xstrdup(family ? family : repo->family);
        hf_scan_target t = {.repo = repo ? repo->name : argv[i], .family = rep->family,
                            .today = today};
        if (hf_scan_dir(engine, &t, argv[i], g.jobs, rep, &err) < 0) {
            hf_log_error("%s", err.msg);
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        }
        if (rep->problems.len)
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        hf_contract_counts counts;
        hf_contract_count(&rep->findings, &counts);
        if (counts.error)
            rc = hf_exit_merge(rc, HF_EXIT_BLOCKED);
        hf_vec_push(&reports, rep);
    }
    hf_check_report_write(stdout, &reports, fmt, 1, fmt == HF_CHECK_TEXT && hf_log_color_on(stdout));
    hf_vec_free(&reports, report_free);
done:
    hf_contract_free(engine);
    hf_config_free(&cfg);
    return rc;
}
