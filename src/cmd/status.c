/* `handoff status`: where every selected fleet repo stands -- its pull
 * request (none, open, draft, closed, merged), its batch branch (behind the
 * base? human-modified?) and the last apply result from the state journal.
 * Reads only: fetches into the cache and GETs from the API; except with
 * --sync-issue, which keeps the dashboard block of one issue true. */
#include "batch/apply.h"
#include "batch/dashboard.h"
#include "batch/matrix.h"
#include "batch/state.h"
#include "cmd/cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char status_usage[] =
    "usage: handoff status [options] [REPO...]\n"
    "\n"
    "One row per fleet repo: its pull request (number, URL, state: none, open,\n"
    "draft, closed or merged), its batch branch (human-modified, behind the\n"
    "base) and the last apply result with its time, from the state journal.\n"
    "\n"
    "  -C DIR               the configuration directory (default: recipes)\n"
    "  -j N                 repos asked about in parallel (default: number of CPUs)\n"
    "  --cache DIR          the mirror cache (default: $XDG_CACHE_HOME/handoff)\n"
    "  --repo GLOB          only repos whose owner/name matches (repeatable)\n"
    "  --family F           only repos of this family (repeatable)\n"
    "  --shard K/N          only the K-th of N deterministic slices of the fleet\n"
    "  --source NAME=LOC    fetch repo NAME from LOC instead of its forge URL\n"
    "  --format FORMAT      text (default), json or markdown\n"
    "  --state FILE         the state journal apply wrote (default: in the cache)\n"
    "  --offline            the journal only: no fetch, no API request\n"
    "  --forge-api URL      the GitHub REST API (default: fleet.yml forge api)\n"
    "  --token-file FILE    read the token from FILE instead of GITHUB_TOKEN\n"
    "  --app-id ID          ask as the GitHub App ID (with --app-key) instead of a\n"
    "  --app-key FILE       token: FILE is its PEM private key\n"
    "  --sync-issue OWNER/REPO#N\n"
    "                       keep the dashboard block in that issue's body true\n"
    "                       instead of printing the table (see below)\n"
    "  --today DATE         the date the block says, and for exception expiry\n"
    "                       (default: today)\n"
    "\n"
    "Without a token the PR columns come from the journal.\n"
    "\n"
    "--sync-issue writes, between the markers\n"
    "<!-- handoff:status:begin fleet=NAME --> and <!-- handoff:status:end fleet=NAME -->,\n"
    "the date, the pull requests by state, the open contract findings by category\n"
    "and the owner matrix with each repo's findings and PR. Text outside the\n"
    "markers is never changed; an issue without them gets the block appended.\n"
    "The issue is edited only when the block changed: a run that would change\n"
    "nothing but the date edits nothing. Malformed markers are refused and the\n"
    "issue left alone. It prints one line, \"issue OWNER/REPO#N: added\", \"updated\"\n"
    "or \"unchanged\", and needs a token (or App) with Issues write on that\n"
    "repository.\n"
    "\n"
    "Exit status: 0 done, 1 a repo could not be fetched or asked about, or the\n"
    "issue could not be read or written, 2 usage or configuration error.\n";

enum { OPT_OFFLINE = HF_OPT_FIRST_COMMAND_OPTION, OPT_SYNC_ISSUE };

/* --sync-issue: the fleet gathered as matrix --live does, rendered as the
 * dashboard block and spliced into the issue. The issue is read first, so
 * a wrong issue, a missing permission or malformed markers fail before
 * every repo is fetched. Returns an exit status. */
static int sync_issue(const hf_config *cfg, const hf_vec *repos, const hf_remote_args *ra,
                      hf_auth *auth, const char *cache, hf_date today, int jobs,
                      const hf_issue_ref *issue)
{
    int rc = HF_EXIT_OK;
    hf_http *h = NULL;
    hf_buf etags = HF_BUF_INIT, content = HF_BUF_INIT;
    hf_vec statuses = HF_VEC_INIT;
    hf_state state = HF_STATE_INIT;
    hf_matrix_live *rows = hf_xcalloc(repos->len ? repos->len : 1, sizeof(*rows));
    hf_dashboard_result result;
    hf_error err;

    hf_fs_join(&etags, cache, "etags");
    hf_http_options ho = {.api_base = ra->forge_api ? ra->forge_api : cfg->fleet.forge_api,
                          .auth = auth,
                          .etag_dir = etags.ptr};
    if (hf_fs_mkdirs(cache, &err) < 0 || hf_http_new(&h, &ho, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    hf_http_set_scope(h, issue->owner, issue->repo);
    if (hf_dashboard_check(h, issue, cfg->fleet.name, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    hf_matrix_live_options lo = {.cfg = cfg,
                                 .sources = &ra->sources,
                                 .auth = auth,
                                 .forge_api = ra->forge_api,
                                 .cache_dir = cache,
                                 .state_path = ra->state,
                                 .today = today,
                                 .jobs = jobs};
    int lrc = hf_matrix_gather_live(&lo, repos, rows, &statuses, &state, &err);
    if (lrc < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    for (size_t i = 0; i < statuses.len; i++) {
        const hf_repo_status *s = statuses.items[i];
        if (s->error)
            hf_log_error("%s: %s", s->repo->name, s->error);
    }
    hf_dashboard_render(&content, cfg, repos, rows, today);
    if (hf_dashboard_sync(h, issue, cfg->fleet.name, content.ptr, &result, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    printf("issue %s/%s#%ld: %s\n", issue->owner, issue->repo, issue->number,
           hf_dashboard_result_name(result));
    rc = lrc ? HF_EXIT_RUNTIME : HF_EXIT_OK;
done:
    for (size_t i = 0; i < repos->len; i++)
        hf_scan_report_free(&rows[i].scan);
    free(rows);
    hf_vec_free(&statuses, hf_repo_status_free);
    hf_state_free(&state);
    hf_http_free(h);
    hf_buf_free(&etags);
    hf_buf_free(&content);
    return rc;
}

int hf_cmd_status(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS,
        {"format", required_argument, NULL, HF_OPT_FORMAT},
        {"repo", required_argument, NULL, HF_OPT_REPO},
        {"family", required_argument, NULL, HF_OPT_FAMILY},
        {"shard", required_argument, NULL, HF_OPT_SHARD},
        {"source", required_argument, NULL, HF_OPT_SOURCE},
        {"state", required_argument, NULL, HF_OPT_STATE},
        {"offline", no_argument, NULL, OPT_OFFLINE},
        {"forge-api", required_argument, NULL, HF_OPT_FORGE_API},
        {"token-file", required_argument, NULL, HF_OPT_TOKEN_FILE},
        {"app-id", required_argument, NULL, HF_OPT_APP_ID},
        {"app-key", required_argument, NULL, HF_OPT_APP_KEY},
        {"sync-issue", required_argument, NULL, OPT_SYNC_ISSUE},
        {"today", required_argument, NULL, HF_OPT_TODAY},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_selection sel = {0};
    hf_remote_args ra = HF_REMOTE_ARGS_INIT;
    enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN } fmt = FMT_TEXT;
    bool offline = false, fmt_given = false;
    const char *sync = NULL;
    hf_issue_ref issue;
    hf_date today = hf_date_today();
    int c, rc = HF_EXIT_OK;
    char *cache = NULL, *state_path = NULL;
    hf_auth *auth = NULL;
    hf_config cfg;
    int cfg_loaded = 0;
    hf_state state = HF_STATE_INIT;
    hf_vec repos = HF_VEC_INIT, statuses = HF_VEC_INIT;
    hf_error err;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "status");
        if (!handled)
            handled = hf_cli_selection(c, optarg, &sel, "status");
        if (!handled)
            handled = hf_cli_remote_option("status", c, optarg, &ra);
        if (handled < 0) {
            rc = HF_EXIT_USAGE;
            goto done;
        }
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(status_usage, stdout);
            goto done;
        case HF_OPT_FORMAT: {
            static const char *const formats[] = {"text", "json", "markdown", NULL};
            int f = hf_cli_format("status", optarg, formats);
            if (f < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            fmt = f == 0 ? FMT_TEXT : f == 1 ? FMT_JSON : FMT_MARKDOWN;
            fmt_given = true;
            break;
        }
        case OPT_SYNC_ISSUE:
            sync = optarg;
            break;
        case HF_OPT_TODAY:
            if (hf_cli_today("status", optarg, &today) < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_OFFLINE:
            offline = true;
            break;
        default:
            rc = hf_cli_bad_option("status", argv);
            goto done;
        }
    }
    for (int i = optind; i < argc; i++)
        hf_vec_push(&sel.repo_globs, argv[i]);
    if (!ra.app_id != !ra.app_key) {
        rc = hf_cli_usage_error("status", "--app-id and --app-key go together");
        goto done;
    }
    if (sync) {
        hf_error err;
        if (hf_issue_ref_parse(sync, &issue, &err) < 0) {
            rc = hf_cli_usage_error("status", "--sync-issue: %s", err.msg);
            goto done;
        }
        if (offline || fmt_given) {
            rc = hf_cli_usage_error("status", "--sync-issue asks the forge and prints one line: "
                                              "it takes neither --offline nor --format");
            goto done;
        }
    }

    cfg_loaded = 1;
    if ((rc = hf_cli_fleet("status", &g, today, &sel, &ra.sources, &cfg, &repos)) != 0)
        goto done;
    if (!offline &&
        (rc = hf_cli_auth("status", &ra, ra.forge_api ? ra.forge_api : cfg.fleet.forge_api, NULL,
                          &repos, &auth)) != 0)
        goto done;
    cache = hf_cli_cache_dir(&g);
    if (sync) {
        if (!auth) {
            rc = hf_cli_usage_error("status", "--sync-issue needs a token (GITHUB_TOKEN or "
                                              "--token-file) or --app-id and --app-key");
            goto done;
        }
        rc = sync_issue(&cfg, &repos, &ra, auth, cache, today, g.jobs, &issue);
        goto done;
    }
    state_path = ra.state ? hf_xstrdup(ra.state)
                          : hf_state_default_path(cache, cfg.fleet.name, cfg.fleet.branch);
    if (hf_state_load(&state, state_path, cfg.fleet.name, cfg.fleet.branch, &err) < 0) {
        hf_log_error("--state: %s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    if (!offline && hf_fs_mkdirs(cache, &err) < 0) {
        hf_log_error("cache: %s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    if (!offline && !auth)
        hf_log_warn("no token (GITHUB_TOKEN or --token-file): pull requests as the state "
                    "journal last saw them");
    hf_status_options so = {.cfg = &cfg,
                            .sources = &ra.sources,
                            .auth = auth,
                            .forge_api = ra.forge_api ? ra.forge_api : cfg.fleet.forge_api,
                            .cache_dir = cache,
                            .state = &state,
                            .offline = offline,
                            .no_forge = !auth,
                            .jobs = g.jobs};
    if (hf_status_run(&so, &repos, &statuses, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    if (fmt == FMT_JSON) {
        char *json = hf_status_json(&cfg, &statuses);
        puts(json);
        free(json);
    } else if (fmt == FMT_MARKDOWN) {
        char *md = hf_status_markdown(&cfg, &statuses);
        fputs(md, stdout);
        free(md);
    } else {
        hf_status_write_text(stdout, &statuses);
    }
    for (size_t i = 0; i < statuses.len; i++) {
        const hf_repo_status *s = statuses.items[i];
        if (s->error) {
            hf_log_error("%s: %s", s->repo->name, s->error);
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        }
    }
done:
    hf_vec_free(&statuses, hf_repo_status_free);
    hf_vec_free(&repos, NULL);
    hf_state_free(&state);
    if (cfg_loaded)
        hf_config_free(&cfg);
    hf_remote_args_free(&ra);
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    free(cache);
    free(state_path);
    hf_auth_free(auth);
    return rc;
}
