/* `handoff validate`: load and check the whole configuration, touching no
 * repo. Prints a one-line summary, or every problem found. */
#include "cmd/cli.h"
#include "util/diag.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char validate_usage[] =
    "usage: handoff validate [-C DIR] [--today YYYY-MM-DD] [--format text|json]\n"
    "\n"
    "Load and check every file of the configuration in DIR (default ./recipes):\n"
    "fleet.yml, capabilities.yml, exceptions.yml, contract.yml and *.recipe.yml.\n"
    "Reports every problem as file:line:col: message. Touches no repository.\n"
    "\n"
    "  -C DIR             the configuration directory (default: recipes)\n"
    "  --today DATE       the date exceptions must not have expired by (default: today)\n"
    "  --format FORMAT    text (default) or json\n"
    "\n"
    "Exit status: 0 when the configuration is valid, 2 otherwise.\n";

static void print_json(const hf_config *cfg, const hf_diags *diags, int ok)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "valid", ok);
    cJSON_AddStringToObject(root, "dir", cfg->dir ? cfg->dir : "");
    cJSON *counts = cJSON_AddObjectToObject(root, "counts");
    cJSON_AddNumberToObject(counts, "repos", (double)cfg->fleet.repos.len);
    cJSON_AddNumberToObject(counts, "capabilities", (double)cfg->capabilities.len);
    cJSON_AddNumberToObject(counts, "exceptions", (double)cfg->exceptions.len);
    cJSON_AddNumberToObject(counts, "recipes", (double)cfg->recipes.len);
    cJSON_AddNumberToObject(counts, "rules", (double)cfg->contract.rules.len);
    cJSON *problems = cJSON_AddArrayToObject(root, "problems");
    for (size_t i = 0; i < diags->items.len; i++) {
        const hf_diag *d = diags->items.items[i];
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "file", d->file);
        cJSON_AddNumberToObject(p, "line", d->line);
        cJSON_AddNumberToObject(p, "column", d->col);
        cJSON_AddStringToObject(p, "severity", d->level == HF_DIAG_ERROR ? "error" : "warning");
        cJSON_AddStringToObject(p, "message", d->msg);
        cJSON_AddItemToArray(problems, p);
    }
    char *text = cJSON_Print(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
}

int hf_cmd_validate(int argc, char **argv, const hf_global_opts *global)
{
    enum { OPT_FORMAT = HF_OPT_FORMAT, OPT_TODAY = HF_OPT_TODAY };
    static const struct option longopts[] = {HF_GLOBAL_LONGOPTS,
                                             {"today", required_argument, NULL, OPT_TODAY},
                                             {"format", required_argument, NULL, OPT_FORMAT},
                                             {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_date today = hf_date_today();
    int json = 0, c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "validate");
        if (handled < 0)
            return HF_EXIT_USAGE;
        if (handled)
            continue;
        switch (c) {
        case 'h':
            fputs(validate_usage, stdout);
            return HF_EXIT_OK;
        case OPT_TODAY:
            if (hf_cli_today("validate", optarg, &today) < 0)
                return HF_EXIT_USAGE;
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "json"))
                json = 1;
            else if (strcmp(optarg, "text"))
                return hf_cli_usage_error("validate", "--format takes text or json, not '%s'",
                                          optarg);
            break;
        default:
            return hf_cli_bad_option("validate", argv);
        }
    }
    if (optind < argc)
        return hf_cli_usage_error("validate", "unexpected argument '%s'", argv[optind]);

    hf_config cfg;
    hf_diags diags = HF_DIAGS_INIT;
    hf_load_options opts = {.today = today, .expired_is_error = true};
    int ok = hf_cli_check_config(&cfg, g.config_dir, &opts, &diags) == 0;
    hf_diags_sort(&diags);
    if (json) {
        print_json(&cfg, &diags, ok);
    } else if (ok) {
        hf_diags_print(&diags, stderr); /* warnings */
        printf("%s: valid: %zu repo%s, %zu capabilit%s, %zu exception%s, %zu recipe%s, %zu "
               "rule%s\n",
               g.config_dir, cfg.fleet.repos.len, cfg.fleet.repos.len == 1 ? "" : "s",
               cfg.capabilities.len, cfg.capabilities.len == 1 ? "y" : "ies", cfg.exceptions.len,
               cfg.exceptions.len == 1 ? "" : "s", cfg.recipes.len,
               cfg.recipes.len == 1 ? "" : "s", cfg.contract.rules.len,
               cfg.contract.rules.len == 1 ? "" : "s");
    } else {
        hf_diags_print(&diags, stderr);
        fprintf(stderr, "handoff: error: %zu problem%s in the configuration in %s\n",
                diags.errors, diags.errors == 1 ? "" : "s", g.config_dir);
    }
    hf_diags_free(&diags);
    hf_config_free(&cfg);
    return ok ? HF_EXIT_OK : HF_EXIT_USAGE;
}
