/* handoff: entry point. Parses the global options, then hands the rest of
 * the command line to the command it names. */
#include "cmd/cli.h"

#include "git/remote.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const hf_command commands[] = {
    {"validate", "check the configuration in DIR (default ./recipes); touches no repo",
     hf_cmd_validate},
    {"plan", "dry run: fetch, apply recipes, gate, contract before/after, show diffs", hf_cmd_plan},
    {"apply", "plan, then commit to the batch branch, push, open or update the PR", hf_cmd_apply},
    {"status", "pull-request state of every fleet repo; --sync-issue: a dashboard issue",
     hf_cmd_status},
    {"check", "contract checks on local directories or fleet repos", hf_cmd_check},
    {"matrix", "the owner matrix of the fleet (markdown or json)", hf_cmd_matrix},
};

static void print_help(FILE *out)
{
    fputs("usage: handoff [-C DIR] [-j N] [--cache DIR] [--color auto|always|never] [-q|-v]\n"
          "               COMMAND [ARGS...]\n"
          "\n"
          "Move operational ownership out of a fleet of git repositories and into\n"
          "Launchplane, one reviewable pull request per repository.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Global options:\n"
          "  -C DIR             the configuration directory (default: recipes)\n"
          "  -j N               worker threads (default: number of CPUs)\n"
          "  --cache DIR        the mirror cache (default: $XDG_CACHE_HOME/handoff)\n"
          "  --color WHEN       auto (default: only on a terminal), always or never\n"
          "  -q, --quiet        no progress output\n"
          "  -v, --verbose      more detail on stderr\n"
          "  -h, --help         this help; 'handoff COMMAND --help' for a command\n"
          "  --version          print the version\n"
          "\n"
          "Exit status: 0 done, 1 a repo failed at run time, 2 usage or configuration\n"
          "error, 3 blocked by policy or contract findings, 4 changes pending.\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS, {"version", no_argument, NULL, HF_OPT_VERSION}, {NULL, 0, NULL, 0}};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    hf_global_opts g = {.config_dir = "recipes",
                        .jobs = ncpu > 0 ? (int)ncpu : 1,
                        .cache_dir = NULL,
                        .color = HF_COLOR_AUTO,
                        .verbosity = HF_LOG_NORMAL};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+" HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, NULL);
        if (handled < 0)
            return HF_EXIT_USAGE;
        if (handled)
            continue;
        if (c == 'h') {
            print_help(stdout);
            return HF_EXIT_OK;
        }
        if (c == HF_OPT_VERSION) {
            printf("handoff %s\n", HF_VERSION);
            return HF_EXIT_OK;
        }
        return hf_cli_bad_option(NULL, argv);
    }
    if (optind >= argc) {
        print_help(stderr);
        return HF_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (!strcmp(name, "help")) {
        if (optind + 1 < argc) {
            char *help_argv[] = {argv[optind + 1], "--help", NULL};
            for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(commands[i].name, argv[optind + 1]))
                    return commands[i].run(2, help_argv, &g);
            return hf_cli_usage_error(NULL, "unknown command '%s'", argv[optind + 1]);
        }
        print_help(stdout);
        return HF_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            hf_error err;
            if (hf_git_init(&err) < 0) {
                hf_log_error("%s", err.msg);
                return HF_EXIT_RUNTIME;
            }
            int rc = commands[i].run(argc - optind, argv + optind, &g);
            hf_git_shutdown();
            return rc;
        }
    }
    return hf_cli_usage_error(NULL, "unknown command '%s'", name);
}
