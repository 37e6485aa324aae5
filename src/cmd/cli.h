/* Option handling shared by the commands: the global options are accepted
 * before the command name and after it, and usage errors look the same
 * everywhere ("handoff: error: ..." plus where to find help, exit 2). */
#ifndef HF_CMD_CLI_H
#define HF_CMD_CLI_H

#include <getopt.h>

#include "batch/plan.h"
#include "cmd/cmd.h"
#include "config/model.h"
#include "config/select.h"
#include "forge/auth.h"
#include "util/buf.h"
#include "util/date.h"

enum {
    HF_OPT_CACHE = 1000,
    HF_OPT_COLOR,
    HF_OPT_TODAY,
    HF_OPT_FORMAT,
    HF_OPT_SHARD,
    HF_OPT_REPO,
    HF_OPT_FAMILY,
    HF_OPT_VERSION,
    HF_OPT_SOURCE,
    HF_OPT_FORGE_API,
    HF_OPT_TOKEN_FILE,
    HF_OPT_STATE,
    HF_OPT_APP_ID,
    HF_OPT_APP_KEY,
    HF_OPT_FIRST_COMMAND_OPTION /* commands number their own options from here */
};

#define HF_GLOBAL_SHORTOPTS "C:j:qvh"
#define HF_GLOBAL_LONGOPTS                                                                         \
    {"cache", required_argument, NULL, HF_OPT_CACHE},                                              \
        {"color", required_argument, NULL, HF_OPT_COLOR}, {"quiet", no_argument, NULL, 'q'},       \
        {"verbose", no_argument, NULL, 'v'},                                                       \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Handles a global option. Returns 1 when c was one (and applied to g), 0
 * when it is not a global option, -1 after printing a usage error. */
int hf_cli_global(int c, const char *arg, hf_global_opts *g, const char *cmd);

/* The exit status a plan of this repo asks for: RUNTIME on an error;
 * BLOCKED when blocked or failed, for a partial plan holding something by
 * policy, or with --strict or --detailed-exitcode for any partial plan;
 * PENDING for changes with --detailed-exitcode; else OK. */
int hf_cli_plan_exit(const hf_repo_plan *plan, bool strict, bool detailed);

/* Prints "handoff: error: <msg>" and a pointer to the command's help;
 * returns HF_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int hf_cli_usage_error(const char *cmd, const char *fmt, ...);

/* Reports the option getopt_long rejected (c == '?' or ':'). */
int hf_cli_bad_option(const char *cmd, char **argv);

/* Parses --today. */
int hf_cli_today(const char *cmd, const char *arg, hf_date *out);

/* The selection options common to plan/apply/check/status/matrix. Returns 1
 * when c was one of them, 0 when not, -1 after a usage error. */
int hf_cli_selection(int c, const char *arg, hf_selection *sel, const char *cmd);

/* The mirror cache: --cache, else $XDG_CACHE_HOME/handoff, else
 * ~/.cache/handoff. The caller frees the string. */
char *hf_cli_cache_dir(const hf_global_opts *g);

/* Parses --source NAME=LOC into sources (hf_source *); a relative LOC is
 * made absolute. Strings go to owned (freed by the caller with free). */
int hf_cli_source(const char *cmd, const char *arg, hf_vec *sources, hf_vec *owned);

/* The token from --token-file (one line, trimmed), else GITHUB_TOKEN; *out
 * NULL when there is none. Returns -1 after an error about the file that
 * never shows its content. Never from argv. The token is registered as a
 * secret, so no message ever prints it. */
int hf_cli_token(const char *file, char **out);

/* The archive templates: fleet.yml `archive-templates` (relative to DIR),
 * else DIR/archive-templates, else DIR/../archive-templates. cfg may be NULL. */
void hf_cli_templates_dir(hf_buf *out, const hf_config *cfg, const char *config_dir);

/* Loads the configuration and checks its recipes' templates (every problem
 * goes to diags); 0 when there is no error. */
int hf_cli_check_config(hf_config *cfg, const char *config_dir, const hf_load_options *opts,
                        hf_diags *diags);

/* Loads the configuration, printing every diagnostic on stderr. Returns 0, or
 * HF_EXIT_USAGE when the configuration has errors. */
int hf_cli_load_config(hf_config *cfg, const hf_global_opts *g, hf_date today,
                       int expired_is_error);

/* What plan, apply, status and matrix start with: the configuration loaded
 * and checked (cfg must be freed by the caller whatever the result), the
 * selected repos (const hf_repo *) in repos, and every --source naming a
 * fleet repo. Returns 0 or an exit status after printing why. */
int hf_cli_fleet(const char *cmd, const hf_global_opts *g, hf_date today, const hf_selection *sel,
                 const hf_vec *sources, hf_config *cfg, hf_vec *repos);

/* A usage error unless every --source names a fleet repo. */
int hf_cli_sources_known(const char *cmd, const hf_config *cfg, const hf_vec *sources);

/* A usage error unless url is NULL or an http(s) URL. */
int hf_cli_forge_api(const char *cmd, const char *url);

/* The index of arg in names (NULL-terminated), or -1 after a usage error
 * listing the choices. */
int hf_cli_format(const char *cmd, const char *arg, const char *const *names);

/* The options of the commands that reach fleet repos and the forge:
 * --source (repeatable), --forge-api, --token-file, --state, and for apply
 * and status --app-id and --app-key. */
typedef struct hf_remote_args {
    hf_vec sources; /* hf_source * */
    hf_vec owned;   /* the strings behind sources */
    const char *forge_api;
    const char *token_file;
    const char *state;
    const char *app_id;
    const char *app_key;
} hf_remote_args;

#define HF_REMOTE_ARGS_INIT                                                                        \
    {                                                                                              \
        HF_VEC_INIT, HF_VEC_INIT, NULL, NULL, NULL, NULL, NULL                                     \
    }

/* Handles one of those options like hf_cli_global: 1 when c was one, 0 when
 * not, -1 after a usage error. */
int hf_cli_remote_option(const char *cmd, int c, const char *arg, hf_remote_args *ra);
void hf_remote_args_free(hf_remote_args *ra);

/* Who apply and status are to GitHub: the App of --app-id and --app-key
 * (both or neither), else the token (hf_cli_token); *auth is NULL with
 * neither. An App is tried once on the owner of the first repo: a JWT
 * GitHub refuses ends the command here. Returns 0, or an exit status after
 * printing why (2: bad options, a key file that is no key, a refused JWT). */
int hf_cli_auth(const char *cmd, const hf_remote_args *ra, const char *forge_api,
                hf_governor *governor, const hf_vec *repos, hf_auth **auth);

#endif
