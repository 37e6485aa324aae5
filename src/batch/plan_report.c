/* Text, JSON, Markdown and --out renderings of a fleet plan. */
#include "batch/plan_report.h"
#include "policy/gate.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static size_t link_count(const hf_repo_plan *p)
{
    /* distinct capability / exception ids */
    hf_vec seen = HF_VEC_INIT;
    for (size_t i = 0; i < p->changes.len; i++) {
        const hf_plan_change *c = p->changes.items[i];
        const char *id = c->capability ? c->capability : c->exception;
        int dup = 0;
        for (size_t k = 0; k < seen.len && !dup; k++)
            dup = !strcmp(seen.items[k], id);
        if (!dup)
            hf_vec_push(&seen, (void *)id);
    }
    size_t n = seen.len;
    hf_vec_free(&seen, NULL);
    return n;
}

void hf_plan_write_text(FILE *out, const hf_plan_meta *meta, const hf_vec *plans, int color)
{
    const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        fprintf(out, "%s== %s%s", bold, p->repo->name, off);
        if (p->base_ref)
            fprintf(out, " (%s %.12s)", p->base_ref, p->base_commit);
        fprintf(out, ": %s\n", hf_plan_status_name(p->status));
        if (p->status == HF_PLAN_ERROR)
            fprintf(out, "   error: %s\n", p->error ? p->error : "unknown");
        for (size_t k = 0; k < p->blocks.len; k++) {
            const hf_block *b = p->blocks.items[k];
            fprintf(out, "   blocked: recipe %s: %s\n", b->recipe, b->reason);
        }
        for (size_t k = 0; k < p->notes.len; k++)
            fprintf(out, "   note: %s\n", (const char *)p->notes.items[k]);
        const char *diff = color && p->diff_color ? p->diff_color : p->diff;
        if (p->status == HF_PLAN_CHANGES && diff) {
            fputc('\n', out);
            fputs(diff, out);
            if (*diff && diff[strlen(diff) - 1] != '\n')
                fputc('\n', out);
        }
        fputc('\n', out);
    }
    fprintf(out, "%-40s %-11s %5s %5s  %s\n", "repo", "status", "files", "links",
            "contract errors");
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        char contract[64] = "-";
        if (p->status != HF_PLAN_ERROR)
            snprintf(contract, sizeof(contract), "%zu -> %zu", p->before.error, p->after.error);
        fprintf(out, "%-40s %-11s %5zu %5zu  %s\n", p->repo->name, hf_plan_status_name(p->status),
                p->files_changed, link_count(p), contract);
    }
    (void)meta;
}

static void add_counts(cJSON *obj, const char *key, const hf_contract_counts *c)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    cJSON_AddNumberToObject(o, "error", (double)c->error);
    cJSON_AddNumberToObject(o, "warning", (double)c->warning);
    cJSON_AddNumberToObject(o, "excepted", (double)c->excepted);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

char *hf_plan_json(const hf_plan_meta *meta, const hf_vec *plans)
{
    cJSON *root = cJSON_CreateObject();
    char today[11];
    hf_date_format(meta->today, today);
    cJSON_AddStringToObject(root, "fleet", meta->fleet ? meta->fleet : "");
    cJSON_AddStringToObject(root, "branch", meta->branch ? meta->branch : "");
    cJSON_AddStringToObject(root, "today", today);
    cJSON *repos = cJSON_AddArrayToObject(root, "repos");
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", p->repo->name);
        cJSON *base = cJSON_AddObjectToObject(o, "base");
        add_str_or_null(base, "ref", p->base_ref);
        add_str_or_null(base, "commit", p->base_commit[0] ? p->base_commit : NULL);
        cJSON_AddStringToObject(o, "status", hf_plan_status_name(p->status));
        /* beyond DESIGN.md's shape: the planned commit and tree, so a
         * reviewer (or a test) can check that git am reproduces them */
        add_str_or_null(o, "commit", p->commit[0] ? p->commit : NULL);
        add_str_or_null(o, "tree", p->commit[0] ? p->tree : NULL);
        cJSON *changes = cJSON_AddArrayToObject(o, "changes");
        for (size_t k = 0; k < p->changes.len; k++) {
            const hf_plan_change *c = p->changes.items[k];
            cJSON *co = cJSON_CreateObject();
            cJSON_AddStringToObject(co, "op", c->op);
            cJSON_AddStringToObject(co, "path", c->path);
            add_str_or_null(co, "to", c->to);
            cJSON_AddStringToObject(co, "recipe", c->recipe);
            cJSON_AddNumberToObject(co, "step", (double)c->step);
            add_str_or_null(co, "capability", c->capability);
            add_str_or_null(co, "exception", c->exception);
            cJSON_AddItemToArray(changes, co);
        }
        cJSON *blocked = cJSON_AddArrayToObject(o, "blocked");
        for (size_t k = 0; k < p->blocks.len; k++) {
            const hf_block *b = p->blocks.items[k];
            cJSON *bo = cJSON_CreateObject();
            cJSON_AddStringToObject(bo, "recipe", b->recipe);
            cJSON_AddNumberToObject(bo, "step", (double)b->step);
            cJSON_AddStringToObject(bo, "reason", b->reason);
            cJSON_AddItemToArray(blocked, bo);
        }
        cJSON *contract = cJSON_AddObjectToObject(o, "contract");
        add_counts(contract, "before", &p->before);
        add_counts(contract, "after", &p->after);
        char *patch = p->patch && p->status == HF_PLAN_CHANGES ? hf_plan_patch_name(p->repo->name)
                                                               : NULL;
        add_str_or_null(o, "patch", patch);
        free(patch);
        add_str_or_null(o, "error", p->status == HF_PLAN_ERROR ? p->error : NULL);
        cJSON_AddItemToArray(repos, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* Markdown table cells must not break the row. */
static void md(hf_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            hf_buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            hf_buf_putc(b, ' ');
        else
            hf_buf_putc(b, *s);
    }
}

char *hf_plan_markdown(const hf_plan_meta *meta, const hf_vec *plans)
{
    hf_buf b = HF_BUF_INIT;
    char today[11];
    hf_date_format(meta->today, today);
    hf_buf_puts(&b, "## handoff plan: ");
    md(&b, meta->fleet);
    hf_buf_printf(&b, " (%s)\n\n", today);
    hf_buf_puts(&b, "| repo | status | files | links | contract errors before -> after |\n"
                    "|---|---|---|---|---|\n");
    size_t counts[4] = {0};
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        counts[p->status]++;
        hf_buf_puts(&b, "| `");
        md(&b, p->repo->name);
        hf_buf_printf(&b, "` | %s | %zu | %zu | ", hf_plan_status_name(p->status),
                      p->files_changed, link_count(p));
        if (p->status == HF_PLAN_ERROR)
            hf_buf_puts(&b, "- |\n");
        else
            hf_buf_printf(&b, "%zu -> %zu |\n", p->before.error, p->after.error);
    }
    hf_buf_printf(&b, "\n%zu repos: %zu with changes, %zu without, %zu blocked, %zu failed.\n",
                  plans->len, counts[HF_PLAN_CHANGES], counts[HF_PLAN_NO_CHANGES],
                  counts[HF_PLAN_BLOCKED], counts[HF_PLAN_ERROR]);
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        if (!p->blocks.len && p->status != HF_PLAN_ERROR)
            continue;
        hf_buf_puts(&b, "\n### `");
        md(&b, p->repo->name);
        hf_buf_puts(&b, "`\n\n");
        if (p->status == HF_PLAN_ERROR) {
            hf_buf_puts(&b, "- error: ");
            md(&b, p->error);
            hf_buf_putc(&b, '\n');
        }
        for (size_t k = 0; k < p->blocks.len; k++) {
            const hf_block *bl = p->blocks.items[k];
            hf_buf_puts(&b, "- blocked: recipe `");
            md(&b, bl->recipe);
            hf_buf_puts(&b, "`: ");
            md(&b, bl->reason);
            hf_buf_putc(&b, '\n');
        }
    }
    if (meta->command)
        hf_buf_printf(&b, "\nReproduce with `%s`.\n", meta->command);
    return hf_buf_detach(&b);
}

char *hf_plan_patch_name(const char *repo)
{
    hf_buf b = HF_BUF_INIT;
    for (const char *c = repo; *c; c++) {
        if (*c == '/')
            hf_buf_puts(&b, "__");
        else
            hf_buf_putc(&b, *c);
    }
    hf_buf_puts(&b, ".patch");
    return hf_buf_detach(&b);
}

int hf_plan_write_out(const char *dir, const hf_plan_meta *meta, const hf_vec *plans,
                      hf_error *err)
{
    if (hf_fs_mkdirs(dir, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < plans->len && rc == 0; i++) {
        const hf_repo_plan *p = plans->items[i];
        if (p->status != HF_PLAN_CHANGES || !p->patch)
            continue;
        char *name = hf_plan_patch_name(p->repo->name);
        hf_fs_join(&path, dir, name);
        free(name);
        rc = hf_fs_write_atomic(path.ptr, p->patch, strlen(p->patch), err);
    }
    if (rc == 0) {
        char *json = hf_plan_json(meta, plans);
        hf_fs_join(&path, dir, "plan.json");
        hf_buf text = HF_BUF_INIT;
        hf_buf_puts(&text, json);
        hf_buf_putc(&text, '\n');
        rc = hf_fs_write_atomic(path.ptr, text.ptr, text.len, err);
        hf_buf_free(&text);
        free(json);
    }
    if (rc == 0) {
        char *mdtext = hf_plan_markdown(meta, plans);
        hf_fs_join(&path, dir, "summary.md");
        rc = hf_fs_write_atomic(path.ptr, mdtext, strlen(mdtext), err);
        free(mdtext);
    }
    hf_buf_free(&path);
    return rc;
}
