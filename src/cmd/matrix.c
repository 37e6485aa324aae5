/* `handoff matrix`: the owner matrix of the fleet, from fleet.yml: every repo
 * with its operational surfaces, who owns each (launchplane, repo,
 * transitional, retired) and the capability or exception behind it. */
#include "batch/apply.h"
#include "batch/plan.h"
#include "batch/scan.h"
#include "batch/state.h"
#include "cmd/cli.h"
#include "util/fs.h"
#include "util/mem.h"

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
    "  --live             also fetch each repo and add its open contract findings\n"
    "                     by category and the state of its pull request\n"
    "  --source NAME=LOC  with --live: fetch repo NAME from LOC (repeatable)\n"
    "  --forge-api URL    with --live: the GitHub API (default: fleet.yml's)\n"
    "  --token-file FILE  with --live: the token (default: GITHUB_TOKEN); without a\n"
    "                     token, pull requests as the state journal last saw them\n"
    "  --state FILE       with --live: apply's state journal (default: in the cache)\n"
    "\n"
    "Exit status: 0, 1 when --live could not reach a repo, or 2 on a usage or\n"
    "configuration error.\n";

enum { OPT_LIVE = HF_OPT_FIRST_COMMAND_OPTION };

/* What --live adds per repo (parallel to the selected repos). */
typedef struct live_row {
    hf_scan_report scan;
    const hf_repo_status *status;
} live_row;

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

/* "dokploy-mutation: 3, oidc-client: 1" (open findings by category). */
static void findings_by_category(const hf_scan_report *scan, hf_buf *out)
{
    hf_vec cats = HF_VEC_INIT;
    for (size_t i = 0; i < scan->findings.len; i++) {
        const hf_finding *f = scan->findings.items[i];
        if (f->state == HF_FINDING_EXCEPTED)
            continue;
        bool seen = false;
        for (size_t k = 0; k < cats.len && !seen; k++)
            seen = !strcmp(cats.items[k], f->rule->category);
        if (!seen)
            hf_vec_push(&cats, f->rule->category);
    }
    for (size_t k = 0; k < cats.len; k++) {
        size_t n = 0;
        for (size_t i = 0; i < scan->findings.len; i++) {
            const hf_finding *f = scan->findings.items[i];
            n += f->state != HF_FINDING_EXCEPTED && !strcmp(f->rule->category, cats.items[k]);
        }
        hf_buf_printf(out, "%s%s: %zu", k ? ", " : "", (const char *)cats.items[k], n);
    }
    hf_vec_free(&cats, NULL);
}

static void live_cells(FILE *out, const live_row *row)
{
    hf_buf b = HF_BUF_INIT;
    if (row->scan.problems.len)
        hf_buf_puts(&b, "not checked");
    else
        findings_by_category(&row->scan, &b);
    md_cell(out, b.len ? b.ptr : "none");
    fputs(" | ", out);
    const hf_repo_status *st = row->status;
    if (st && st->pr) {
        fprintf(out, "[#%ld](", st->pr);
        md_cell(out, st->pr_url ? st->pr_url : "");
        fprintf(out, ") %s", st->pr_state ? st->pr_state : "unknown");
    } else {
        md_cell(out, st && st->pr_state ? st->pr_state : "none");
    }
    if (st && st->human_modified)
        fputs(", human-modified", out);
    if (st && st->behind_base)
        fputs(", behind base", out);
    fputs(" |", out);
    hf_buf_free(&b);
}

static void print_markdown(const hf_config *cfg, const hf_vec *repos, const live_row *live,
                           FILE *out)
{
    fprintf(out, "# Owner matrix: ");
    md_cell(out, cfg->fleet.name);
    if (live)
        fprintf(out, "\n\n| repo | family | contexts | product | surface | owner | link "
                     "| open findings | pull request |\n"
                     "|---|---|---|---|---|---|---|---|---|\n");
    else
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
                fputs("(none classified) |  |  |", out);
                if (live) {
                    fputc(' ', out);
                    live_cells(out, &live[i]);
                }
                fputc('\n', out);
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
            fputs(" |", out);
            if (live && j == 0) {
                fputc(' ', out);
                live_cells(out, &live[i]);
            } else if (live) {
                fputs("  |  |", out);
            }
            fputc('\n', out);
        }
    }
}

static void print_json(const hf_config *cfg, const hf_vec *repos, const live_row *live,
                       FILE *out)
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
        if (live) {
            const live_row *row = &live[i];
            if (row->scan.problems.len) {
                cJSON_AddNullToObject(o, "findings");
                cJSON_AddStringToObject(o, "error", row->scan.problems.items[0]);
            } else {
                cJSON *fo = cJSON_AddObjectToObject(o, "findings");
                for (size_t k = 0; k < row->scan.findings.len; k++) {
                    const hf_finding *f = row->scan.findings.items[k];
                    if (f->state == HF_FINDING_EXCEPTED)
                        continue;
                    cJSON *n = cJSON_GetObjectItemCaseSensitive(fo, f->rule->category);
                    if (n)
                        cJSON_SetNumberValue(n, n->valuedouble + 1);
                    else
                        cJSON_AddNumberToObject(fo, f->rule->category, 1);
                }
            }
            cJSON *pr = cJSON_AddObjectToObject(o, "pull_request");
            const hf_repo_status *st = row->status;
            if (st && st->pr)
                cJSON_AddNumberToObject(pr, "number", (double)st->pr);
            else
                cJSON_AddNullToObject(pr, "number");
            cJSON_AddStringToObject(pr, "state", st && st->pr_state ? st->pr_state : "none");
            if (st && st->pr_url)
                cJSON_AddStringToObject(pr, "url", st->pr_url);
            cJSON_AddBoolToObject(pr, "human_modified", st && st->human_modified);
            cJSON_AddBoolToObject(pr, "behind_base", st && st->behind_base);
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_Print(root);
    fputs(text, out);
    fputc('\n', out);
    free(text);
    cJSON_Delete(root);
}

/* --live: for every selected repo, its open contract findings on the base
 * tree (fetched into the cache) and its pull request (from the forge, or the
 * state journal without a token). Returns the exit status so far. */
static int gather_live(const hf_config *cfg, const hf_global_opts *g, const hf_vec *repos,
                       const hf_vec *sources, const char *token, const char *forge_api,
                       const char *state_arg, hf_date today, live_row *rows, hf_vec *statuses,
                       hf_state *state)
{
    int rc = HF_EXIT_OK;
    hf_error err;
    hf_contract_engine *engine = NULL;
    char *cache = hf_cli_cache_dir(g);
    char *state_path = state_arg ? hf_xstrdup(state_arg)
                                 : hf_state_default_path(cache, cfg->fleet.name, cfg->fleet.branch);
    if (hf_fs_mkdirs(cache, &err) < 0 || hf_contract_compile(&engine, cfg, &err) < 0 ||
        hf_state_load(state, state_path, cfg->fleet.name, cfg->fleet.branch, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    for (size_t i = 0; i < repos->len; i++) {
        const hf_repo *r = repos->items[i];
        rows[i].scan.repo = hf_xstrdup(r->name);
        rows[i].scan.family = hf_xstrdup(r->family ? r->family : "");
        hf_log_info("[%zu/%zu] %s", i + 1, repos->len, r->name);
        if (hf_scan_fleet_repo(cfg, engine, r, sources, cache, token, today, g->jobs,
                               &rows[i].scan) < 0) {
            hf_log_error("%s", (const char *)rows[i].scan.problems.items[0]);
            rc = HF_EXIT_RUNTIME;
        }
    }
    hf_status_options so = {.cfg = cfg,
                            .sources = sources,
                            .token = token,
                            .forge_api = forge_api ? forge_api : cfg->fleet.forge_api,
                            .cache_dir = cache,
                            .state = state,
                            .no_forge = token == NULL};
    if (hf_status_run(&so, repos, statuses, &err) < 0) {
        hf_log_error("%s", err.msg);
        rc = HF_EXIT_RUNTIME;
        goto done;
    }
    for (size_t i = 0; i < repos->len && i < statuses->len; i++) {
        rows[i].status = statuses->items[i];
        if (rows[i].status->error)
            rc = HF_EXIT_RUNTIME;
    }
done:
    hf_contract_free(engine);
    free(cache);
    free(state_path);
    return rc;
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
        {"live", no_argument, NULL, OPT_LIVE},
        {"source", required_argument, NULL, HF_OPT_SOURCE},
        {"forge-api", required_argument, NULL, HF_OPT_FORGE_API},
        {"token-file", required_argument, NULL, HF_OPT_TOKEN_FILE},
        {"state", required_argument, NULL, HF_OPT_STATE},
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
    if (!live && (ra.sources.len || ra.forge_api || ra.token_file || ra.state)) {
        rc = hf_cli_usage_error("matrix",
                                "--source, --forge-api, --token-file and --state need --live");
        goto done;
    }
    if (live && hf_cli_token(ra.token_file, &token) < 0) {
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
    live_row *rows = NULL;
    if ((rc = hf_cli_fleet("matrix", &g, today, &sel, &ra.sources, &cfg, &repos)) != 0)
        goto out;
    if (live) {
        rows = hf_xcalloc(repos.len ? repos.len : 1, sizeof(*rows));
        rc = gather_live(&cfg, &g, &repos, &ra.sources, token, ra.forge_api, ra.state, today,
                         rows, &statuses, &state);
    }
    if (json)
        print_json(&cfg, &repos, rows, stdout);
    else
        print_markdown(&cfg, &repos, rows, stdout);
out:
    for (size_t i = 0; rows && i < repos.len; i++)
        hf_scan_report_free(&rows[i].scan);
    free(rows);
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
