/* `handoff check`: the contract checks on local directories (and, through
 * the mirror cache, on fleet repos). Exit 3 when an error-level finding is
 * open; excepted findings and warnings do not fail the check. */
#include "batch/check_report.h"
#include "batch/plan.h"
#include "batch/scan.h"
#include "cmd/cli.h"
#include "util/mem.h"
#include "util/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char check_usage[] =
    "usage: handoff check [options] [PATH|REPO...]\n"
    "\n"
    "Run the contract checks of contract.yml: provider mutation, durable runtime\n"
    "config, managed-secret authority, direct Dokploy mutation, shared runner\n"
    "chores, repo-local Launchplane clients, record-id derivation, registry cleanup\n"
    "without the protected-artifacts guard, and references to quarantined files.\n"
    "\n"
    "A PATH is a directory on disk. One named like a fleet repo (odoo-tenant-cm, or\n"
    "odoo-tenant-cm.git) is checked as that repo; any other needs --family. A REPO\n"
    "(owner/name or a glob; no argument at all: the whole fleet) is checked on the\n"
    "base tree of its mirror in the cache, fetched first.\n"
    "\n"
    "  -C DIR             the configuration directory (default: recipes)\n"
    "  -j N               files scanned in parallel (default: number of CPUs)\n"
    "  --cache DIR        the mirror cache (default: $XDG_CACHE_HOME/handoff)\n"
    "  --family F         the family of a directory that is not a fleet repo; with\n"
    "                     fleet repos, only repos of this family\n"
    "  --repo GLOB        fleet repos whose owner/name matches (repeatable)\n"
    "  --shard K/N        only the K-th of N deterministic slices of the fleet\n"
    "  --source NAME=LOC  fetch fleet repo NAME from LOC instead of its forge URL\n"
    "  --format FORMAT    text (default), json or sarif (SARIF 2.1.0)\n"
    "  --today DATE       the date exceptions are judged against (default: today)\n"
    "\n"
    "A finding covered by a valid exception (repo, path, rule) is reported as\n"
    "excepted; an inline comment `handoff: allow <rule> <exception>` on the line or\n"
    "the line above counts only when that exception is valid and covers it.\n"
    "\n"
    "Exit status: 0 no open error, 1 a source could not be read or fetched, 2 usage\n"
    "or configuration error, 3 open error findings.\n";

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
        {"repo", required_argument, NULL, HF_OPT_REPO},
        {"shard", required_argument, NULL, HF_OPT_SHARD},
        {"source", required_argument, NULL, HF_OPT_SOURCE},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_date today = hf_date_today();
    hf_check_format fmt = HF_CHECK_TEXT;
    const char *family = NULL;
    hf_selection sel = {0};
    hf_remote_args ra = HF_REMOTE_ARGS_INIT;
    hf_vec dirs = HF_VEC_INIT, repos = HF_VEC_INIT;
    hf_vec reports = HF_VEC_INIT;
    hf_config cfg;
    int cfg_loaded = 0, c, rc = HF_EXIT_OK;
    hf_contract_engine *engine = NULL;
    char *cache = NULL;
    hf_error err;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "check");
        if (!handled && c != HF_OPT_FAMILY)
            handled = hf_cli_selection(c, optarg, &sel, "check");
        if (!handled)
            handled = hf_cli_remote_option("check", c, optarg, &ra);
        if (handled < 0) {
            rc = HF_EXIT_USAGE;
            goto done;
        }
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(check_usage, stdout);
            goto done;
        case HF_OPT_TODAY:
            if (hf_cli_today("check", optarg, &today) < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            break;
        case HF_OPT_FAMILY:
            /* a directory's family, and a filter over fleet repos */
            family = optarg;
            hf_vec_push(&sel.families, optarg);
            break;
        case HF_OPT_FORMAT:
            if (!strcmp(optarg, "text"))
                fmt = HF_CHECK_TEXT;
            else if (!strcmp(optarg, "json"))
                fmt = HF_CHECK_JSON;
            else if (!strcmp(optarg, "sarif"))
                fmt = HF_CHECK_SARIF;
            else {
                rc = hf_cli_usage_error("check", "--format takes text, json or sarif, not '%s'",
                                        optarg);
                goto done;
            }
            break;
        default:
            rc = hf_cli_bad_option("check", argv);
            goto done;
        }
    }

    if ((rc = hf_cli_load_config(&cfg, &g, today, 0)) != 0) {
        cfg_loaded = 1;
        goto done;
    }
    cfg_loaded = 1;
    if (family) {
        int known = 0;
        for (size_t i = 0; i < cfg.fleet.families.len; i++)
            known |= !strcmp(cfg.fleet.families.items[i], family);
        if (!known) {
            rc = hf_cli_usage_error("check", "unknown family '%s'", family);
            goto done;
        }
    }
    if (hf_contract_compile(&engine, &cfg, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    /* Every argument is a directory or names fleet repos; all are checked
     * before anything is scanned, so bad input changes nothing. */
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!family && !repo_for_dir(&cfg, argv[i])) {
                rc = hf_cli_usage_error(
                    "check", "'%s' is not a fleet repo; say which family with --family", argv[i]);
                goto done;
            }
            hf_vec_push(&dirs, argv[i]);
        } else {
            hf_selection one = {0};
            hf_vec probe = HF_VEC_INIT;
            hf_vec_push(&one.repo_globs, argv[i]);
            int found = hf_select_repos(&cfg, &one, &probe, &err) == 0 && probe.len > 0;
            hf_vec_free(&probe, NULL);
            hf_vec_free(&one.repo_globs, NULL);
            if (!found) {
                rc = hf_cli_usage_error("check", "'%s' is neither a directory nor a fleet repo",
                                        argv[i]);
                goto done;
            }
            hf_vec_push(&sel.repo_globs, argv[i]);
        }
    }
    /* no argument at all: the fleet (as --repo/--family/--shard select it) */
    if ((sel.repo_globs.len || !dirs.len) && hf_select_repos(&cfg, &sel, &repos, &err) < 0) {
        rc = hf_cli_usage_error("check", "%s", err.msg);
        goto done;
    }
    if ((rc = hf_cli_sources_known("check", &cfg, &ra.sources)) != 0)
        goto done;
    const char *token = getenv("GITHUB_TOKEN");
    if (token && *token)
        hf_log_add_secret(token);
    for (size_t i = 0; i < dirs.len; i++) {
        const char *dir = dirs.items[i];
        const hf_repo *repo = repo_for_dir(&cfg, dir);
        hf_scan_report *rep = hf_xcalloc(1, sizeof(*rep));
        /* "dir/" and "dir" report the same paths (no "dir//file") */
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        rep->repo = hf_xstrndup(dir, n);
        rep->on_disk = true;
        rep->family = hf_xstrdup(family ? family : repo->family);
        hf_scan_target t = {.repo = repo ? repo->name : dir, .family = rep->family,
                            .today = today};
        if (hf_scan_dir(engine, &t, dir, g.jobs, rep, &err) < 0) {
            hf_log_error("%s", err.msg);
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        }
        hf_vec_push(&reports, rep);
    }
    if (repos.len) {
        cache = hf_cli_cache_dir(&g);
        for (size_t i = 0; i < repos.len; i++) {
            const hf_repo *repo = repos.items[i];
            hf_scan_report *rep = hf_xcalloc(1, sizeof(*rep));
            rep->repo = hf_xstrdup(repo->name);
            rep->family = hf_xstrdup(repo->family ? repo->family : "");
            hf_log_info("[%zu/%zu] %s", i + 1, repos.len, repo->name);
            if (hf_scan_fleet_repo(&cfg, engine, repo, &ra.sources, cache,
                                   token && *token ? token : NULL, today, g.jobs,
                                   rep) < 0)
                rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
            hf_vec_push(&reports, rep);
        }
    }
    for (size_t i = 0; i < reports.len; i++) {
        const hf_scan_report *rep = reports.items[i];
        hf_contract_counts counts;
        hf_contract_count(&rep->findings, &counts);
        if (rep->problems.len)
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        if (counts.error)
            rc = hf_exit_merge(rc, HF_EXIT_BLOCKED);
    }
    hf_check_report_write(stdout, &reports, fmt, fmt == HF_CHECK_TEXT && hf_log_color_on(stdout));
done:
    hf_vec_free(&reports, report_free);
    hf_contract_free(engine);
    if (cfg_loaded)
        hf_config_free(&cfg);
    hf_vec_free(&repos, NULL);
    hf_vec_free(&dirs, NULL);
    hf_remote_args_free(&ra);
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    free(cache);
    return rc;
}
