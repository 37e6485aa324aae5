/* The commands behind `handoff COMMAND`. Each takes the arguments after its
 * name (argv[0] is the command name) and the global options, and returns the
 * process exit status (see hf_exit). */
#ifndef HF_CMD_CMD_H
#define HF_CMD_CMD_H

#include "util/log.h"

/* Exit statuses of DESIGN.md. When several apply: USAGE, then RUNTIME, then
 * BLOCKED, then PENDING (hf_exit_merge). */
enum hf_exit {
    HF_EXIT_OK = 0,
    HF_EXIT_RUNTIME = 1,
    HF_EXIT_USAGE = 2,
    HF_EXIT_BLOCKED = 3,
    HF_EXIT_PENDING = 4
};

int hf_exit_merge(int a, int b);

typedef struct hf_global_opts {
    const char *config_dir; /* -C, default "recipes" */
    int jobs;               /* -j, default: number of CPUs */
    const char *cache_dir;  /* --cache, default $XDG_CACHE_HOME/handoff */
    hf_color_mode color;
    hf_log_level verbosity;
} hf_global_opts;

typedef struct hf_command {
    const char *name;
    const char *summary; /* one line for `handoff --help` */
    int (*run)(int argc, char **argv, const hf_global_opts *g);
} hf_command;

int hf_cmd_validate(int argc, char **argv, const hf_global_opts *g);
int hf_cmd_matrix(int argc, char **argv, const hf_global_opts *g);
int hf_cmd_check(int argc, char **argv, const hf_global_opts *g);
int hf_cmd_plan(int argc, char **argv, const hf_global_opts *g);
int hf_cmd_apply(int argc, char **argv, const hf_global_opts *g);
int hf_cmd_status(int argc, char **argv, const hf_global_opts *g);

#endif
