/* Shared option handling and configuration loading for the commands. */
#include "cmd/cli.h"
#include "batch/plan.h"
#include "edit/check.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hf_exit_merge(int a, int b)
{
    static const int rank[] = {[HF_EXIT_OK] = 0,
                               [HF_EXIT_PENDING] = 1,
                               [HF_EXIT_BLOCKED] = 2,
                               [HF_EXIT_RUNTIME] = 3,
                               [HF_EXIT_USAGE] = 4};
    return rank[a] >= rank[b] ? a : b;
}

int hf_cli_plan_exit(const hf_repo_plan *plan, bool strict, bool detailed)
{
    switch (plan->status) {
    case HF_PLAN_ERROR:
        return HF_EXIT_RUNTIME;
    case HF_PLAN_BLOCKED:
    case HF_PLAN_FAILED:
        return HF_EXIT_BLOCKED;
    case HF_PLAN_PARTIAL:
        return strict || detailed || hf_plan_has_policy_hold(plan) ? HF_EXIT_BLOCKED : HF_EXIT_OK;
    case HF_PLAN_CHANGES:
        return detailed ? HF_EXIT_PENDING : HF_EXIT_OK;
    default:
        return HF_EXIT_OK;
    }
}

int hf_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("handoff: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "Try 'handoff %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    return HF_EXIT_USAGE;
}

int hf_cli_bad_option(const char *cmd, char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt && optopt < 256 && (arg[0] != '-' || arg[1] != '-')) {
        if (strchr(HF_GLOBAL_SHORTOPTS, optopt) || optopt == 'o')
            return hf_cli_usage_error(cmd, "option '-%c' needs a value", optopt);
        return hf_cli_usage_error(cmd, "unknown option '-%c'", optopt);
    }
    return hf_cli_usage_error(cmd, "unknown option or missing value: '%s'", arg);
}

int hf_cli_global(int c, const char *arg, hf_global_opts *g, const char *cmd)
{
    switch (c) {
    case 'C':
        g->config_dir = arg;
        return 1;
    case 'j': {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || n < 1 || n > 256) {
            hf_cli_usage_error(cmd, "-j takes a number of workers from 1 to 256, not '%s'", arg);
            return -1;
        }
        g->jobs = (int)n;
        return 1;
    }
    case HF_OPT_CACHE:
        g->cache_dir = arg;
        return 1;
    case HF_OPT_COLOR:
        if (!strcmp(arg, "auto"))
            g->color = HF_COLOR_AUTO;
        else if (!strcmp(arg, "always"))
            g->color = HF_COLOR_ALWAYS;
        else if (!strcmp(arg, "never"))
            g->color = HF_COLOR_NEVER;
        else {
            hf_cli_usage_error(cmd, "--color takes auto, always or never, not '%s'", arg);
            return -1;
        }
        hf_log_set_color(g->color);
        return 1;
    case 'q':
        g->verbosity = HF_LOG_QUIET;
        hf_log_set_level(g->verbosity);
        return 1;
    case 'v':
        g->verbosity = HF_LOG_VERBOSE;
        hf_log_set_level(g->verbosity);
        return 1;
    default:
        return 0;
    }
}

int hf_cli_today(const char *cmd, const char *arg, hf_date *out)
{
    hf_error err;
    if (hf_date_parse(out, arg, &err) < 0) {
        hf_cli_usage_error(cmd, "--today: %s", err.msg);
        return -1;
    }
    return 0;
}

int hf_cli_selection(int c, const char *arg, hf_selection *sel, const char *cmd)
{
    hf_error err;
    switch (c) {
    case HF_OPT_REPO:
        hf_vec_push(&sel->repo_globs, (void *)arg);
        return 1;
    case HF_OPT_FAMILY:
        hf_vec_push(&sel->families, (void *)arg);
        return 1;
    case HF_OPT_SHARD:
        if (hf_shard_parse(arg, &sel->shard_k, &sel->shard_n, &err) < 0) {
            hf_cli_usage_error(cmd, "%s", err.msg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

void hf_cli_templates_dir(hf_buf *out, const hf_config *cfg, const char *config_dir)
{
    struct stat st;
    hf_buf_clear(out);
    if (cfg && cfg->fleet.archive_templates) {
        if (cfg->fleet.archive_templates[0] == '/')
            hf_buf_puts(out, cfg->fleet.archive_templates);
        else
            hf_buf_printf(out, "%s/%s", config_dir, cfg->fleet.archive_templates);
        return;
    }
    hf_buf_printf(out, "%s/archive-templates", config_dir);
    if (stat(out->ptr, &st) < 0 || !S_ISDIR(st.st_mode)) {
        hf_buf_clear(out);
        hf_buf_printf(out, "%s/../archive-templates", config_dir);
    }
}

int hf_cli_check_config(hf_config *cfg, const char *config_dir, const hf_load_options *opts,
                        hf_diags *diags)
{
    int rc = hf_config_load(cfg, config_dir, opts, diags);
    if (rc == 0) {
        hf_buf templates = HF_BUF_INIT;
        hf_cli_templates_dir(&templates, cfg, config_dir);
        if (hf_recipes_check(cfg, templates.ptr, diags) > 0)
            rc = -1;
        hf_buf_free(&templates);
    }
    return rc;
}

int hf_cli_load_config(hf_config *cfg, const hf_global_opts *g, hf_date today, int expired_is_error)
{
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = today, .expired_is_error = expired_is_error};
    int rc = hf_cli_check_config(cfg, g->config_dir, &opts, &diags);
    hf_diags_sort(&diags);
    hf_diags_print(&diags, stderr);
    if (rc < 0)
        fprintf(stderr, "handoff: error: %zu problem%s in the configuration in %s\n", diags.errors,
                diags.errors == 1 ? "" : "s", g->config_dir);
    hf_diags_free(&diags);
    return rc < 0 ? HF_EXIT_USAGE : 0;
}

char *hf_cli_cache_dir(const hf_global_opts *g)
{
    if (g->cache_dir)
        return hf_xstrdup(g->cache_dir);
    hf_buf b = HF_BUF_INIT;
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg == '/')
        hf_buf_printf(&b, "%s/handoff", xdg);
    else if (home && *home)
        hf_buf_printf(&b, "%s/.cache/handoff", home);
    else
        hf_buf_puts(&b, ".handoff-cache");
    return hf_buf_detach(&b);
}

/* NAME=LOC; a LOC that is neither a URL nor absolute is made absolute, so
 * the cache never depends on the directory handoff ran in. */
int hf_cli_source(const char *cmd, const char *arg, hf_vec *sources, hf_vec *owned)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return hf_cli_usage_error(cmd, "--source takes NAME=URL|PATH, not '%s'", arg);
    hf_source *s = hf_xcalloc(1, sizeof(*s));
    char *name = hf_xstrndup(arg, (size_t)(eq - arg));
    const char *loc = eq + 1;
    char *url;
    if (strstr(loc, "://") || loc[0] == '/') {
        url = hf_xstrdup(loc);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
            free(name);
            free(s);
            return hf_cli_usage_error(cmd, "cannot resolve '%s'", loc);
        }
        hf_buf b = HF_BUF_INIT;
        hf_buf_printf(&b, "%s/%s", cwd, loc);
        url = hf_buf_detach(&b);
    }
    s->name = name;
    s->url = url;
    hf_vec_push(owned, name);
    hf_vec_push(owned, url);
    hf_vec_push(sources, s);
    return 0;
}

int hf_cli_token(const char *file, char **out)
{
    *out = NULL;
    if (!file) {
        const char *env = getenv("GITHUB_TOKEN");
        if (env && *env) {
            *out = hf_xstrdup(env);
            hf_log_add_secret(*out);
        }
        return 0;
    }
    hf_buf b = HF_BUF_INIT;
    hf_error err;
    if (hf_fs_read(&b, file, 64 * 1024, 0, &err) < 0) {
        hf_log_error("--token-file: %s", err.msg);
        return -1;
    }
    size_t start = 0, end = b.len;
    while (start < end && isspace((unsigned char)b.ptr[start]))
        start++;
    while (end > start && isspace((unsigned char)b.ptr[end - 1]))
        end--;
    bool ok = end > start && !memchr(b.ptr + start, '\n', end - start) &&
              !memchr(b.ptr + start, '\0', end - start);
    if (ok) {
        *out = hf_xstrndup(b.ptr + start, end - start);
        hf_log_add_secret(*out);
    }
    hf_buf_free(&b);
    if (!ok) {
        hf_log_error("--token-file %s: expected one line holding the token", file);
        return -1;
    }
    return 0;
}

int hf_cli_fleet(const char *cmd, const hf_global_opts *g, hf_date today, const hf_selection *sel,
                 const hf_vec *sources, hf_config *cfg, hf_vec *repos)
{
    int rc = hf_cli_load_config(cfg, g, today, 0);
    if (rc)
        return rc;
    hf_error err;
    if (hf_select_repos(cfg, sel, repos, &err) < 0)
        return hf_cli_usage_error(cmd, "%s", err.msg);
    return hf_cli_sources_known(cmd, cfg, sources);
}

int hf_cli_sources_known(const char *cmd, const hf_config *cfg, const hf_vec *sources)
{
    for (size_t i = 0; sources && i < sources->len; i++) {
        const hf_source *s = sources->items[i];
        if (!hf_config_repo(cfg, s->name))
            return hf_cli_usage_error(cmd, "--source names '%s', which is not a fleet repo",
                                      s->name);
    }
    return 0;
}

int hf_cli_forge_api(const char *cmd, const char *url)
{
    if (url && strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
        return hf_cli_usage_error(cmd, "--forge-api takes an http(s) URL, not '%s'", url);
    return 0;
}

int hf_cli_format(const char *cmd, const char *arg, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(arg, names[i]))
            return i;
    hf_buf list = HF_BUF_INIT;
    for (int i = 0; names[i]; i++)
        hf_buf_printf(&list, "%s%s", i ? (names[i + 1] ? ", " : " or ") : "", names[i]);
    hf_cli_usage_error(cmd, "--format takes %s, not '%s'", list.ptr, arg);
    hf_buf_free(&list);
    return -1;
}

int hf_cli_remote_option(const char *cmd, int c, const char *arg, hf_remote_args *ra)
{
    switch (c) {
    case HF_OPT_SOURCE:
        return hf_cli_source(cmd, arg, &ra->sources, &ra->owned) == 0 ? 1 : -1;
    case HF_OPT_FORGE_API:
        ra->forge_api = arg;
        return hf_cli_forge_api(cmd, arg) == 0 ? 1 : -1;
    case HF_OPT_TOKEN_FILE:
        ra->token_file = arg;
        return 1;
    case HF_OPT_STATE:
        ra->state = arg;
        return 1;
    case HF_OPT_APP_ID:
        ra->app_id = arg;
        return 1;
    case HF_OPT_APP_KEY:
        ra->app_key = arg;
        return 1;
    default:
        return 0;
    }
}

int hf_cli_auth(const char *cmd, const hf_remote_args *ra, const char *forge_api,
                hf_governor *governor, const hf_vec *repos, hf_auth **auth)
{
    hf_error err;
    char *token = NULL;
    *auth = NULL;
    if (!ra->app_id != !ra->app_key)
        return hf_cli_usage_error(cmd, "--app-id and --app-key go together");
    if (!ra->app_id) {
        if (hf_cli_token(ra->token_file, &token) < 0)
            return HF_EXIT_USAGE;
        int rc = token && hf_auth_new_token(auth, token, &err) < 0;
        hf_free_secret(token);
        if (rc)
            return hf_cli_usage_error(cmd, "%s", err.msg);
        return 0;
    }
    hf_app_options o = {
        .app_id = ra->app_id, .key_path = ra->app_key, .api_base = forge_api, .governor = governor};
    if (hf_auth_new_app(auth, &o, &err) < 0)
        return hf_cli_usage_error(cmd, "%s", err.msg);
    const hf_repo *first = repos && repos->len ? repos->items[0] : NULL;
    const char *slash = first ? strchr(first->name, '/') : NULL;
    if (slash) {
        char *owner = hf_xstrndup(first->name, (size_t)(slash - first->name));
        int rc = hf_auth_token(*auth, owner, slash + 1, &token, &err);
        free(owner);
        hf_auth_token_free(token);
        if (rc == HF_AUTH_EREFUSED) {
            hf_log_error("%s", err.msg);
            hf_auth_free(*auth);
            *auth = NULL;
            return HF_EXIT_USAGE;
        }
    }
    return 0;
}

void hf_remote_args_free(hf_remote_args *ra)
{
    hf_vec_free(&ra->sources, free);
    hf_vec_free(&ra->owned, free);
}
