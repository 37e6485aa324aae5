/* `handoff matrix`: the owner matrix of the fleet, from fleet.yml: every repo
 * with its operational surfaces, who owns each (launchplane, repo,
 * transitional, retired) and the capability or exception behind it. */
#include "batch/matrix.h"
#include "cmd/cli.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char matrix_usage[] =
    "usage: handoff matrix [--format markdown|json] [--repo GLOB] [--family F] [--shard K/N]\n"
    "\n"
    "Print the owner matrix of the fleet: one row per repo and operational surface,\n"
    "with the owner (launchplane, repo, transitional, retired) and the Launchplane\n"
    "capability or dated exception behind it.\n"
    "\n"
    "  -C DIR             the configuration directory (default: recipes)\n"
    "  --format FORMAT    markdown (default) or json\n"
    "  --repo GLOB        only repos whose owner/name matches (repeatable)\n"
    "  --family F         only repos of this family (repeatable)\n"
    "  --shard K/N        only the K-th of N deterministic slices of the fleet\n"
    "  --today DATE       the date used for exception expiry (default: today)\n"
    "  --live             also fetch each repo and add its open contract findings\n"
    "                     by category and the state of its pull request\n"
    "  --source NAME=LOC  with --live: fetch repo NAME from LOC (repeatable)\n"
    "  --forge-api URL    with --live: the GitHub API (default: fleet.yml's)\n"
    "  --token-file FILE  with --live: the token (default: GITHUB_TOKEN); without a\n"
    "                     token, pull requests as the state journal last saw them\n"
    "  --state FILE       with --live: apply's state journal (default: in the cache)\n"
    "  --app-id ID        with --live: ask as the GitHub App ID (with --app-key)\n"
    "  --app-key FILE     instead of a token: FILE is its PEM private key\n"
    "\n"
    "Exit status: 0, 1 when --live could not reach a repo, or 2 on a usage or\n"
    "configuration error.\n";

enum { OPT_LIVE = HF_OPT_FIRST_COMMAND_OPTION };

int hf_cmd_matrix(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS,
        {"format", required_argument, NULL, HF_OPT_FORMAT},
        {"today", required_argument, NULL, HF_OPT_TODAY},
        {"repo", required_argument, NULL, HF_OPT_REPO},
        {"family", required_argument, NULL, HF_OPT_FAMILY},
        {"shard", required_argument, NULL, HF_OPT_SHARD},
        {"live", no_argument, NULL, OPT_LIVE},
        {"source", required_argument, NULL, HF_OPT_SOURCE},
        {"forge-api", required_argument, NULL, HF_OPT_FORGE_API},
        {"token-file", required_argument, NULL, HF_OPT_TOKEN_FILE},
        {"state", required_argument, NULL, HF_OPT_STATE},
        {"app-id", required_argument, NULL, HF_OPT_APP_ID},
        {"app-key", required_argument, NULL, HF_OPT_APP_KEY},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_selection sel = {0};
    hf_date today = hf_date_today();
    int json = 0, live = 0, c, rc = HF_EXIT_OK;
    hf_remote_args ra = HF_REMOTE_ARGS_INIT;
    char *token = NULL;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "matrix");
        if (!handled)
            handled = hf_cli_selection(c, optarg, &sel, "matrix");
        if (!handled)
            handled = hf_cli_remote_option("matrix", c, optarg, &ra);
        if (handled < 0) {
            rc = HF_EXIT_USAGE;
            goto done;
        }
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(matrix_usage, stdout);
            goto done;
        case HF_OPT_TODAY:
            if (hf_cli_today("matrix", optarg, &today) < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            break;
        case HF_OPT_FORMAT:
            if (!strcmp(optarg, "json"))
                json = 1;
            else if (strcmp(optarg, "markdown")) {
                rc = hf_cli_usage_error("matrix", "--format takes markdown or json, not '%s'",
                                        optarg);
                goto done;
            }
            break;
        case OPT_LIVE:
            live = 1;
            break;
        default:
            rc = hf_cli_bad_option("matrix", argv);
            goto done;
        }
    }
    if (!live &&
        (ra.sources.len || ra.forge_api || ra.token_file || ra.state || ra.app_id || ra.app_key)) {
        rc = hf_cli_usage_error("matrix", "--source, --forge-api, --token-file, --state, "
                                          "--app-id and --app-key need --live");
        goto done;
    }
    if (live && !ra.app_id && !ra.app_key && hf_cli_token(ra.token_file, &token) < 0) {
        rc = HF_EXIT_USAGE;
        goto done;
    }

    if (optind < argc) {
        rc = hf_cli_usage_error("matrix", "unexpected argument '%s'", argv[optind]);
        goto done;
    }

    hf_config cfg;
    hf_vec repos = HF_VEC_INIT, statuses = HF_VEC_INIT;
    hf_state state = {0};
    hf_matrix_live *rows = NULL;
    hf_auth *auth = NULL;
    char *cache = NULL;
    if ((rc = hf_cli_fleet("matrix", &g, today, &sel, &ra.sources, &cfg, &repos)) != 0)
        goto out;
    if (live && (ra.app_id || ra.app_key) &&
        (rc = hf_cli_auth("matrix", &ra, ra.forge_api ? ra.forge_api : cfg.fleet.forge_api, NULL,
                          &repos, &auth)) != 0)
        goto out;
    if (live) {
        rows = hf_xcalloc(repos.len ? repos.len : 1, sizeof(*rows));
        cache = hf_cli_cache_dir(&g);
        hf_matrix_live_options lo = {.cfg = &cfg,
                                     .sources = &ra.sources,
                                     .token = token,
                                     .auth = auth,
                                     .forge_api = ra.forge_api,
                                     .cache_dir = cache,
                                     .state_path = ra.state,
                                     .today = today,
                                     .jobs = g.jobs};
        hf_error err;
        int lrc = hf_matrix_gather_live(&lo, &repos, rows, &statuses, &state, &err);
        if (lrc < 0)
            hf_log_error("%s", err.msg);
        rc = lrc ? HF_EXIT_RUNTIME : HF_EXIT_OK;
    }
    if (json)
        hf_matrix_write_json(stdout, &cfg, &repos, rows);
    else
        hf_matrix_write_markdown(stdout, &cfg, &repos, rows);
out:
    for (size_t i = 0; rows && i < repos.len; i++)
        hf_scan_report_free(&rows[i].scan);
    free(rows);
    free(cache);
    hf_auth_free(auth);
    hf_vec_free(&statuses, hf_repo_status_free);
    hf_state_free(&state);
    hf_vec_free(&repos, NULL);
    hf_config_free(&cfg);
done:
    hf_remote_args_free(&ra);
    free(token);
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    return rc;
}
