/* `handoff apply`: plan every selected repo, then push handoff's commit to
 * the batch branch under a lease and open, update or close its pull
 * request. A re-run with nothing changed sends no mutation and pushes
 * nothing. The token comes from GITHUB_TOKEN or --token-file, never argv. */
#include "batch/apply.h"
#include "batch/plan.h"
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
#include <sys/stat.h>
#include <unistd.h>

static const char apply_usage[] =
    "usage: handoff apply [options] [REPO...]\n"
    "\n"
    "Plan every selected repo, then commit to the batch branch, push it under a\n"
    "lease and open or update one pull request per repo. Converges: a re-run\n"
    "with nothing changed pushes nothing and changes nothing on the forge; a PR\n"
    "handoff opened that is no longer needed is closed with a comment and its\n"
    "branch deleted. Commits someone else made on the batch branch are never\n"
    "pushed over (the repo is reported human-modified).\n"
    "\n"
    "  -C DIR               the configuration directory (default: recipes)\n"
    "  -j N                 repos worked on in parallel (default: number of CPUs)\n"
    "  --cache DIR          the mirror cache (default: $XDG_CACHE_HOME/handoff)\n"
    "  --repo GLOB          only repos whose owner/name matches (repeatable)\n"
    "  --family F           only repos of this family (repeatable)\n"
    "  --shard K/N          only the K-th of N deterministic slices of the fleet\n"
    "  --source NAME=LOC    fetch repo NAME from LOC (a path, file:// or http(s)://)\n"
    "                       and push there instead of its forge URL (repeatable)\n"
    "  --today DATE         the date for exception expiry and markers (default: today)\n"
    "  --format FORMAT      text (default), json or markdown\n"
    "  --no-pr              push only; no pull-request requests at all\n"
    "  --commit-via WAY     git (default): push handoff's commit; api: have GitHub\n"
    "                       make it (createCommitOnBranch), so it is signed\n"
    "  --max-prs N          open at most N new pull requests in this run\n"
    "  --reopen             reopen a handoff PR that a person closed\n"
    "  --state FILE         the state journal (default: in the cache, per fleet\n"
    "                       and branch); written atomically after every repo\n"
    "  --resume             skip repos the journal says are done on the same base\n"
    "  --only failed        only the repos the journal says the last run left\n"
    "                       unfinished: an error, blocked or failed, or steps\n"
    "                       held back from the pull request\n"
    "  --strict             all or nothing per repo: a repo with a step held back\n"
    "                       gets no commit and no pull request\n"
    "  --forge-api URL      the GitHub REST API (default: fleet.yml forge api);\n"
    "                       GitHub Enterprise: https://HOST/api/v3\n"
    "  --token-file FILE    read the token from FILE instead of GITHUB_TOKEN\n"
    "  --app-id ID          act as the GitHub App ID (with --app-key) instead of a\n"
    "  --app-key FILE       token: FILE is its PEM private key\n"
    "  -q                   no progress on stderr\n"
    "\n"
    "The token comes from GITHUB_TOKEN or --token-file, never from argv; a GitHub\n"
    "App's installation tokens are minted per repository owner and renewed\n"
    "before their hour ends. A token goes to the API and, with the first request\n"
    "of every http(s) fetch and push, to git as user x-access-token; it never\n"
    "appears in output, the state file or the cache.\n"
    "\n"
    "Exit status: 0 done or converged (a partial repo, whose PR lists what is\n"
    "left for a person, included), 1 a repo failed at run time (the others went\n"
    "on), 2 usage or configuration error (nothing touched), 3 a repo was blocked\n"
    "by policy or its steps do not fit, a step was held back by policy, or with\n"
    "--strict any step was held back.\n";

enum {
    OPT_NO_PR = HF_OPT_FIRST_COMMAND_OPTION,
    OPT_MAX_PRS,
    OPT_REOPEN,
    OPT_RESUME,
    OPT_COMMIT_VIA,
    OPT_ONLY,
    OPT_STRICT,
};

/* "handoff -C DIR plan [--today D]": what reproduces the plan in a PR body.
 * --today goes in only when it was asked for, so the body (and its hash)
 * stays the same from one day to the next. */
static char *reproduce_command(const char *config_dir, const char *today_arg)
{
    hf_buf b = HF_BUF_INIT;
    if (strpbrk(config_dir, " \t'\"$*?"))
        hf_buf_printf(&b, "handoff -C '%s' plan", config_dir);
    else
        hf_buf_printf(&b, "handoff -C %s plan", config_dir);
    if (today_arg)
        hf_buf_printf(&b, " --today %s", today_arg);
    return hf_buf_detach(&b);
}

int hf_cmd_apply(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS,
        {"format", required_argument, NULL, HF_OPT_FORMAT},
        {"today", required_argument, NULL, HF_OPT_TODAY},
        {"repo", required_argument, NULL, HF_OPT_REPO},
        {"family", required_argument, NULL, HF_OPT_FAMILY},
        {"shard", required_argument, NULL, HF_OPT_SHARD},
        {"source", required_argument, NULL, HF_OPT_SOURCE},
        {"no-pr", no_argument, NULL, OPT_NO_PR},
        {"max-prs", required_argument, NULL, OPT_MAX_PRS},
        {"reopen", no_argument, NULL, OPT_REOPEN},
        {"state", required_argument, NULL, HF_OPT_STATE},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"forge-api", required_argument, NULL, HF_OPT_FORGE_API},
        {"token-file", required_argument, NULL, HF_OPT_TOKEN_FILE},
        {"app-id", required_argument, NULL, HF_OPT_APP_ID},
        {"app-key", required_argument, NULL, HF_OPT_APP_KEY},
        {"commit-via", required_argument, NULL, OPT_COMMIT_VIA},
        {"only", required_argument, NULL, OPT_ONLY},
        {"strict", no_argument, NULL, OPT_STRICT},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_selection sel = {0};
    hf_remote_args ra = HF_REMOTE_ARGS_INIT;
    hf_auth *auth = NULL;
    hf_governor *governor = NULL;
    hf_date today = hf_date_today();
    const char *today_arg = NULL;
    enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN } fmt = FMT_TEXT;
    bool no_pr = false, resume = false, reopen = false, via_api = false, strict = false;
    bool only_failed = false;
    long max_prs = -1;
    int c, rc = HF_EXIT_OK;
    char *cache = NULL, *command = NULL, *state_path = NULL;
    hf_config cfg;
    int cfg_loaded = 0;
    hf_contract_engine *engine = NULL;
    hf_state state = HF_STATE_INIT;
    hf_vec repos = HF_VEC_INIT, plans = HF_VEC_INIT, results = HF_VEC_INIT;
    hf_buf templates = HF_BUF_INIT;
    hf_error err;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "apply");
        if (!handled)
            handled = hf_cli_selection(c, optarg, &sel, "apply");
        if (!handled)
            handled = hf_cli_remote_option("apply", c, optarg, &ra);
        if (handled < 0) {
            rc = HF_EXIT_USAGE;
            goto done;
        }
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(apply_usage, stdout);
            goto done;
        case HF_OPT_TODAY:
            if (hf_cli_today("apply", optarg, &today) < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            today_arg = optarg;
            break;
        case HF_OPT_FORMAT: {
            static const char *const formats[] = {"text", "json", "markdown", NULL};
            int f = hf_cli_format("apply", optarg, formats);
            if (f < 0) {
                rc = HF_EXIT_USAGE;
                goto done;
            }
            fmt = f == 0 ? FMT_TEXT : f == 1 ? FMT_JSON : FMT_MARKDOWN;
            break;
        }
        case OPT_NO_PR:
            no_pr = true;
            break;
        case OPT_MAX_PRS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 0 || n > 1000000) {
                rc = hf_cli_usage_error("apply", "--max-prs takes a number >= 0, not '%s'", optarg);
                goto done;
            }
            max_prs = n;
            break;
        }
        case OPT_REOPEN:
            reopen = true;
            break;
        case OPT_RESUME:
            resume = true;
            break;
        case OPT_STRICT:
            strict = true;
            break;
        case OPT_ONLY:
            if (strcmp(optarg, "failed") != 0) {
                rc = hf_cli_usage_error("apply", "--only takes 'failed', not '%s'", optarg);
                goto done;
            }
            only_failed = true;
            break;
        case OPT_COMMIT_VIA: {
            static const char *const ways[] = {"git", "api", NULL};
            int w = -1;
            for (int k = 0; ways[k]; k++)
                if (!strcmp(optarg, ways[k]))
                    w = k;
            if (w < 0) {
                rc = hf_cli_usage_error("apply", "--commit-via takes git or api, not '%s'", optarg);
                goto done;
            }
            via_api = w == 1;
            break;
        }
        default:
            rc = hf_cli_bad_option("apply", argv);
            goto done;
        }
    }
    for (int i = optind; i < argc; i++)
        hf_vec_push(&sel.repo_globs, argv[i]);
    if (!ra.app_id != !ra.app_key) {
        rc = hf_cli_usage_error("apply", "--app-id and --app-key go together");
        goto done;
    }
    if (!ra.app_id && !ra.token_file && !(getenv("GITHUB_TOKEN") && *getenv("GITHUB_TOKEN")) &&
        (!no_pr || via_api)) {
        rc = hf_cli_usage_error("apply",
                                "no token: set GITHUB_TOKEN, use --token-file or --app-id and "
                                "--app-key%s",
                                via_api ? "" : " (or --no-pr to push only)");
        goto done;
    }

    cfg_loaded = 1;
    if ((rc = hf_cli_fleet("apply", &g, today, &sel, &ra.sources, &cfg, &repos)) != 0)
        goto done;
    if (hf_contract_compile(&engine, &cfg, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    cache = hf_cli_cache_dir(&g);
    if (hf_fs_mkdirs(cache, &err) < 0) {
        hf_log_error("cache: %s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    state_path = ra.state ? hf_xstrdup(ra.state)
                          : hf_state_default_path(cache, cfg.fleet.name, cfg.fleet.branch);
    if (hf_state_load(&state, state_path, cfg.fleet.name, cfg.fleet.branch, &err) < 0) {
        hf_log_error("--state: %s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }
    if (resume && !state.entries.len)
        hf_log_warn("--resume: %s holds no earlier run; applying everything", state_path);
    if (only_failed) {
        /* the repos the last run left unfinished, in the fleet's order */
        size_t kept = 0;
        for (size_t i = 0; i < repos.len; i++) {
            const hf_repo *repo = repos.items[i];
            if (hf_state_unfinished(hf_state_get(&state, repo->name)))
                repos.items[kept++] = repos.items[i];
        }
        if (!state.entries.len)
            hf_log_warn("--only failed: %s holds no earlier run; nothing to run again", state_path);
        else if (g.verbosity != HF_LOG_QUIET)
            hf_log_info("--only failed: %zu of %zu selected repo%s left unfinished by the last "
                        "run",
                        kept, repos.len, repos.len == 1 ? "" : "s");
        repos.len = kept;
    }
    governor = hf_governor_new(NULL, HF_GOVERNOR_INTERVAL);
    if ((rc = hf_cli_auth("apply", &ra, ra.forge_api ? ra.forge_api : cfg.fleet.forge_api, governor,
                          &repos, &auth)) != 0)
        goto done;

    hf_cli_templates_dir(&templates, &cfg, g.config_dir);
    hf_plan_options popts = {.cfg = &cfg,
                             .engine = engine,
                             .today = today,
                             .cache_dir = cache,
                             .templates_dir = templates.ptr,
                             .sources = &ra.sources,
                             .jobs = g.jobs,
                             .progress_tty = isatty(STDERR_FILENO),
                             .strict = strict,
                             .quiet = g.verbosity == HF_LOG_QUIET};
    hf_plan_with_auth(&popts, auth, &repos, &plans);

    command = reproduce_command(g.config_dir, today_arg);
    hf_apply_options aopts = {.cfg = &cfg,
                              .sources = &ra.sources,
                              .auth = auth,
                              .governor = governor,
                              .forge_api = ra.forge_api ? ra.forge_api : cfg.fleet.forge_api,
                              .cache_dir = cache,
                              .state_path = state_path,
                              .state = &state,
                              .pr = {.cfg = &cfg, .today = today, .command = command},
                              .no_pr = no_pr,
                              .commit_via_api = via_api,
                              .resume = resume,
                              .reopen = reopen,
                              .max_prs = max_prs,
                              .jobs = g.jobs,
                              .quiet = g.verbosity == HF_LOG_QUIET};
    if (hf_apply_run(&aopts, &plans, &results, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_USAGE;
        goto done;
    }

    if (fmt == FMT_JSON) {
        char *json = hf_apply_json(&cfg, &results);
        puts(json);
        free(json);
    } else if (fmt == FMT_MARKDOWN) {
        char *md = hf_apply_markdown(&cfg, &results);
        fputs(md, stdout);
        free(md);
    } else {
        hf_apply_write_text(stdout, &results);
    }
    for (size_t i = 0; i < results.len; i++) {
        const hf_repo_apply *a = results.items[i];
        if (a->result == HF_APPLY_ERROR)
            rc = hf_exit_merge(rc, HF_EXIT_RUNTIME);
        else if (a->result == HF_APPLY_BLOCKED || a->result == HF_APPLY_FAILED)
            rc = hf_exit_merge(rc, HF_EXIT_BLOCKED);
        else if (a->plan && a->plan->status == HF_PLAN_PARTIAL &&
                 hf_cli_plan_exit(a->plan, strict, false) == HF_EXIT_BLOCKED)
            rc = hf_exit_merge(rc, HF_EXIT_BLOCKED);
    }
done:
    hf_vec_free(&results, hf_repo_apply_free);
    hf_vec_free(&plans, hf_repo_plan_free);
    hf_vec_free(&repos, NULL);
    hf_state_free(&state);
    hf_contract_free(engine);
    if (cfg_loaded)
        hf_config_free(&cfg);
    hf_remote_args_free(&ra);
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    hf_buf_free(&templates);
    free(cache);
    free(command);
    free(state_path);
    hf_auth_free(auth);
    if (governor)
        hf_governor_free(governor);
    return rc;
}
