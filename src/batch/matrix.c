/* The owner matrix as Markdown and JSON, and what --live gathers for it. */
#include "batch/matrix.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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
void hf_matrix_findings_by_category(const hf_scan_report *scan, hf_buf *out)
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

static void live_cells(FILE *out, const hf_matrix_live *row)
{
    hf_buf b = HF_BUF_INIT;
    if (row->scan.problems.len)
        hf_buf_puts(&b, "not checked");
    else
        hf_matrix_findings_by_category(&row->scan, &b);
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

void hf_matrix_write_markdown(FILE *out, const hf_config *cfg, const hf_vec *repos,
                              const hf_matrix_live *live)
{
    fprintf(out, "# Owner matrix: ");
    md_cell(out, cfg->fleet.name);
    fputs("\n\n", out);
    hf_matrix_write_table(out, cfg, repos, live);
}

void hf_matrix_write_table(FILE *out, const hf_config *cfg, const hf_vec *repos,
                           const hf_matrix_live *live)
{
    if (live)
        fprintf(out, "| repo | family | contexts | product | surface | owner | link "
                     "| open findings | pull request |\n"
                     "|---|---|---|---|---|---|---|---|---|\n");
    else
        fprintf(out, "| repo | family | contexts | product | surface | owner | link |\n"
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

void hf_matrix_write_json(FILE *out, const hf_config *cfg, const hf_vec *repos,
                          const hf_matrix_live *live)
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
            const hf_matrix_live *row = &live[i];
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

/* The fetch credential of a repo when the forge speaks through an hf_auth
 * (a GitHub App's installation token, or the fixed token it wraps). */
static int repo_token(hf_auth *auth, const hf_repo *r, char **token, hf_scan_report *scan)
{
    hf_error err;
    const char *slash = strchr(r->name, '/');
    char *owner = hf_xstrndup(r->name, slash ? (size_t)(slash - r->name) : 0);
    int rc = hf_auth_token(auth, owner, slash ? slash + 1 : r->name, token, &err);
    free(owner);
    if (rc < 0) {
        hf_vec_push(&scan->problems, hf_xstrdup(err.msg));
        hf_log_error("%s: %s", r->name, err.msg);
        return -1;
    }
    return 0;
}

/* --live: for every selected repo, its open contract findings on the base
 * tree (fetched into the cache) and its pull request (from the forge, or the
 * state journal without a token or App). */
int hf_matrix_gather_live(const hf_matrix_live_options *o, const hf_vec *repos,
                          hf_matrix_live *rows, hf_vec *statuses, hf_state *state, hf_error *err)
{
    const hf_config *cfg = o->cfg;
    int rc = 0;
    hf_contract_engine *engine = NULL;
    char *state_path =
        o->state_path ? hf_xstrdup(o->state_path)
                      : hf_state_default_path(o->cache_dir, cfg->fleet.name, cfg->fleet.branch);
    if (hf_fs_mkdirs(o->cache_dir, err) < 0 || hf_contract_compile(&engine, cfg, err) < 0 ||
        hf_state_load(state, state_path, cfg->fleet.name, cfg->fleet.branch, err) < 0) {
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < repos->len; i++) {
        const hf_repo *r = repos->items[i];
        rows[i].scan.repo = hf_xstrdup(r->name);
        rows[i].scan.family = hf_xstrdup(r->family ? r->family : "");
        hf_log_info("[%zu/%zu] %s", i + 1, repos->len, r->name);
        char *token = NULL;
        if (!o->token && o->auth && repo_token(o->auth, r, &token, &rows[i].scan) < 0) {
            rc = 1;
            continue;
        }
        if (hf_scan_fleet_repo(cfg, engine, r, o->sources, o->cache_dir, token ? token : o->token,
                               o->today, o->jobs, &rows[i].scan) < 0) {
            hf_log_error("%s", (const char *)rows[i].scan.problems.items[0]);
            rc = 1;
        }
        hf_auth_token_free(token);
    }
    hf_status_options so = {.cfg = cfg,
                            .sources = o->sources,
                            .token = o->token,
                            .auth = o->auth,
                            .forge_api = o->forge_api ? o->forge_api : cfg->fleet.forge_api,
                            .cache_dir = o->cache_dir,
                            .state = state,
                            .no_forge = o->token == NULL && o->auth == NULL,
                            .jobs = o->jobs};
    if (hf_status_run(&so, repos, statuses, err) < 0) {
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < repos->len && i < statuses->len; i++) {
        rows[i].status = statuses->items[i];
        if (rows[i].status->error)
            rc = 1;
    }
done:
    hf_contract_free(engine);
    free(state_path);
    return rc;
}
