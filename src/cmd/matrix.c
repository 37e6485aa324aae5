/* `handoff matrix`: the owner matrix of the fleet, from fleet.yml: every repo
 * with its operational surfaces, who owns each (launchplane, repo,
 * transitional, retired) and the capability or exception behind it. */
#include "cmd/cli.h"

#include <cjson/cJSON.h>
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
    "\n"
    "Exit status: 0, or 2 on a usage or configuration error.\n";

/* Markdown table cells: a '|' or newline would break the row. */
static void md_cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static void md_list(FILE *out, const hf_vec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        if (i)
            fputs(", ", out);
        md_cell(out, v->items[i]);
    }
}

static void print_markdown(const hf_config *cfg, const hf_vec *repos, FILE *out)
{
    fprintf(out, "# Owner matrix: ");
    md_cell(out, cfg->fleet.name);
    fprintf(out, "\n\n| repo | family | contexts | product | surface | owner | link |\n"
                 "|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < repos->len; i++) {
        const hf_repo *r = repos->items[i];
        size_t rows = r->surfaces.len ? r->surfaces.len : 1;
        for (size_t j = 0; j < rows; j++) {
            fputs("| ", out);
            if (j == 0) {
                fputc('`', out);
                md_cell(out, r->name);
                fputs("` | ", out);
                md_cell(out, r->family);
                fputs(" | ", out);
                md_list(out, &r->contexts);
                fputs(" | ", out);
                md_cell(out, r->product);
                fputs(" | ", out);
            } else {
                fputs(" |  |  |  | ", out);
            }
            const hf_surface *s = hf_vec_get(&r->surfaces, j);
            if (!s) {
                fputs("(none classified) |  |  |\n", out);
                continue;
            }
            md_cell(out, s->surface);
            fprintf(out, " | %s | ", hf_owner_name(s->owner));
            if (s->capability) {
                fputs("capability `", out);
                md_cell(out, s->capability);
                fputc('`', out);
            } else if (s->exception) {
                const hf_exception *e = hf_config_exception(cfg, s->exception);
                fputs("exception `", out);
                md_cell(out, s->exception);
                fputc('`', out);
                if (e) {
                    char d[11];
                    hf_date_format(e->expires, d);
                    fprintf(out, " (until %s, ", d);
                    md_cell(out, e->issue);
                    fputc(')', out);
                }
            }
            fputs(" |\n", out);
        }
    }
}

static void print_json(const hf_config *cfg, const hf_vec *repos, FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "fleet", cfg->fleet.name ? cfg->fleet.name : "");
    cJSON *arr = cJSON_AddArrayToObject(root, "repos");
    for (size_t i = 0; i < repos->len; i++) {
        const hf_repo *r = repos->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", r->name);
        cJSON_AddStringToObject(o, "family", r->family ? r->family : "");
        cJSON *ctx = cJSON_AddArrayToObject(o, "contexts");
        for (size_t c = 0; c < r->contexts.len; c++)
            cJSON_AddItemToArray(ctx, cJSON_CreateString(r->contexts.items[c]));
        if (r->product)
            cJSON_AddStringToObject(o, "product", r->product);
        else
            cJSON_AddNullToObject(o, "product");
        cJSON *surfaces = cJSON_AddArrayToObject(o, "surfaces");
        for (size_t j = 0; j < r->surfaces.len; j++) {
            const hf_surface *s = r->surfaces.items[j];
            cJSON *so = cJSON_CreateObject();
            cJSON_AddStringToObject(so, "surface", s->surface);
            cJSON_AddStringToObject(so, "owner", hf_owner_name(s->owner));
            if (s->capability)
                cJSON_AddStringToObject(so, "capability", s->capability);
            else
                cJSON_AddNullToObject(so, "capability");
            if (s->exception)
                cJSON_AddStringToObject(so, "exception", s->exception);
            else
                cJSON_AddNullToObject(so, "exception");
            cJSON_AddItemToArray(surfaces, so);
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_Print(root);
    fputs(text, out);
    fputc('\n', out);
    free(text);
    cJSON_Delete(root);
}

int hf_cmd_matrix(int argc, char **argv, const hf_global_opts *global)
{
    static const struct option longopts[] = {
        HF_GLOBAL_LONGOPTS,
        {"format", required_argument, NULL, HF_OPT_FORMAT},
        {"today", required_argument, NULL, HF_OPT_TODAY},
        {"repo", required_argument, NULL, HF_OPT_REPO},
        {"family", required_argument, NULL, HF_OPT_FAMILY},
        {"shard", required_argument, NULL, HF_OPT_SHARD},
        {NULL, 0, NULL, 0}};
    hf_global_opts g = *global;
    hf_selection sel = {0};
    hf_date today = hf_date_today();
    int json = 0, c, rc = HF_EXIT_OK;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, HF_GLOBAL_SHORTOPTS, longopts, NULL)) != -1) {
        int handled = hf_cli_global(c, optarg, &g, "matrix");
        if (!handled)
            handled = hf_cli_selection(c, optarg, &sel, "matrix");
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
        default:
            rc = hf_cli_bad_option("matrix", argv);
            goto done;
        }
    }
    if (optind < argc) {
        rc = hf_cli_usage_error("matrix", "unexpected argument '%s'", argv[optind]);
        goto done;
    }

    hf_config cfg;
    if ((rc = hf_cli_load_config(&cfg, &g, today, 0)) != 0) {
        hf_config_free(&cfg);
        goto done;
    }
    hf_vec repos = HF_VEC_INIT;
    hf_error err;
    if (hf_select_repos(&cfg, &sel, &repos, &err) < 0) {
        rc = hf_cli_usage_error("matrix", "%s", err.msg);
    } else if (json) {
        print_json(&cfg, &repos, stdout);
    } else {
        print_markdown(&cfg, &repos, stdout);
    }
    hf_vec_free(&repos, NULL);
    hf_config_free(&cfg);
done:
    hf_vec_free(&sel.repo_globs, NULL);
    hf_vec_free(&sel.families, NULL);
    return rc;
}
