/* Text, JSON, Markdown and --out renderings of a fleet plan. */
#include "batch/plan_report.h"
#include "policy/gate.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static bool same_group(const hf_plan_change *a, const hf_plan_change *b)
{
    return !strcmp(a->recipe, b->recipe) && a->step == b->step && !strcmp(a->op, b->op) &&
           !strcmp(a->capability ? a->capability : "", b->capability ? b->capability : "") &&
           !strcmp(a->exception ? a->exception : "", b->exception ? b->exception : "");
}

/* --stat: the changes instead of the diff, one line per step, operation and
 * link, naming at most three paths. */
static void write_stat(FILE *out, const hf_repo_plan *p)
{
    for (size_t i = 0; i < p->changes.len;) {
        const hf_plan_change *c = p->changes.items[i];
        size_t n = 1;
        while (i + n < p->changes.len && same_group(c, p->changes.items[i + n]))
            n++;
        fprintf(out, "   %s step %zu: %s ", c->recipe, c->step, c->op);
        for (size_t k = 0; k < n && k < 3; k++) {
            const hf_plan_change *e = p->changes.items[i + k];
            fprintf(out, "%s%s", k ? ", " : "", e->path);
            if (e->to)
                fprintf(out, " -> %s", e->to);
        }
        if (n > 3)
            fprintf(out, " and %zu more", n - 3);
        fprintf(out, " [%s %s]\n", c->capability ? "capability" : "exception",
                c->capability ? c->capability : c->exception);
        i += n;
    }
}

void hf_plan_write_text_repo(FILE *out, const hf_repo_plan *p, int color, bool stat)
{
    const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    fprintf(out, "%s== %s%s", bold, p->repo->name, off);
    if (p->base_ref)
        fprintf(out, " (%s %.12s)", p->base_ref, p->base_commit);
    fprintf(out, ": %s\n", hf_plan_status_name(p->status));
    if (p->status == HF_PLAN_ERROR)
        fprintf(out, "   error: %s\n", p->error ? p->error : "unknown");
    for (size_t k = 0; k < p->held.len; k++) {
        const hf_held *h = p->held.items[k];
        fprintf(out, "   %s: %s step %zu (%s): %s\n", h->policy ? "blocked" : "left", h->recipe,
                h->step, h->at, h->reason);
        if (h->unblock)
            fprintf(out, "      to unblock: %s\n", h->unblock);
    }
    for (size_t k = 0; k < p->notes.len; k++)
        fprintf(out, "   note: %s\n", (const char *)p->notes.items[k]);
    for (size_t k = 0; k < p->idle.len; k++)
        fprintf(out, "   idle: %s\n", (const char *)p->idle.items[k]);
    if (p->idle_steps && !p->idle.len)
        fprintf(out, "   %zu step%s had nothing to do; -v lists them\n", p->idle_steps,
                p->idle_steps == 1 ? "" : "s");
    if (hf_plan_has_patch(p) && p->after.error) {
        fprintf(out,
                "   contract: %zu error%s left on the result; a contract gate fails on %s "
                "until a person fixes %s:\n",
                p->after.error, p->after.error == 1 ? "" : "s", p->after.error == 1 ? "it" : "them",
                p->after.error == 1 ? "it" : "them");
        size_t shown = p->open_errors.len < 5 ? p->open_errors.len : 5;
        for (size_t k = 0; k < shown; k++)
            fprintf(out, "      %s\n", (const char *)p->open_errors.items[k]);
        if (p->after.error > shown)
            fprintf(out, "      and %zu more (plan.json lists %zu; handoff check lists all)\n",
                    p->after.error - shown, p->open_errors.len);
    }
    const char *diff = color && p->diff_color ? p->diff_color : p->diff;
    if (stat && hf_plan_has_patch(p)) {
        write_stat(out, p);
    } else if (hf_plan_has_patch(p) && diff) {
        fputc('\n', out);
        fputs(diff, out);
        if (*diff && diff[strlen(diff) - 1] != '\n')
            fputc('\n', out);
    }
    fputc('\n', out);
}

void hf_plan_write_text_table(FILE *out, const hf_vec *plans)
{
    fprintf(out, "%-40s %-11s %5s %5s  %s\n", "repo", "status", "files", "links",
            "contract errors");
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        char contract[64] = "-";
        if (p->status != HF_PLAN_ERROR)
            snprintf(contract, sizeof(contract), "%zu -> %zu", p->before.error, p->after.error);
        fprintf(out, "%-40s %-11s %5zu %5zu  %s\n", p->repo->name, hf_plan_status_name(p->status),
                p->files_changed, p->links, contract);
    }
}

void hf_plan_write_text(FILE *out, const hf_plan_meta *meta, const hf_vec *plans, int color)
{
    (void)meta;
    for (size_t i = 0; i < plans->len; i++)
        hf_plan_write_text_repo(out, plans->items[i], color, false);
    hf_plan_write_text_table(out, plans);
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

static cJSON *repo_json(const hf_repo_plan *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "repo", p->repo->name);
    cJSON *base = cJSON_AddObjectToObject(o, "base");
    add_str_or_null(base, "ref", p->base_ref);
    add_str_or_null(base, "commit", p->base_commit[0] ? p->base_commit : NULL);
    cJSON_AddStringToObject(o, "status", hf_plan_status_name(p->status));
    /* beyond DESIGN.md's shape: the planned commit and tree, so a reviewer
     * (or a test) can check that git am reproduces them */
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
    /* held back by policy, and steps (or their items) that did not fit,
     * kept apart */
    cJSON *blocked = cJSON_AddArrayToObject(o, "blocked");
    cJSON *failed = cJSON_AddArrayToObject(o, "failed");
    for (size_t k = 0; k < p->held.len; k++) {
        const hf_held *h = p->held.items[k];
        cJSON *bo = cJSON_CreateObject();
        cJSON_AddStringToObject(bo, "recipe", h->recipe);
        cJSON_AddNumberToObject(bo, "step", (double)h->step);
        cJSON_AddStringToObject(bo, "name", h->step_name);
        cJSON_AddStringToObject(bo, "at", h->at);
        cJSON_AddStringToObject(bo, "reason", h->reason);
        add_str_or_null(bo, "unblock", h->unblock);
        cJSON_AddItemToArray(h->policy ? blocked : failed, bo);
    }
    cJSON_AddNumberToObject(o, "idle_steps", (double)p->idle_steps);
    cJSON *contract = cJSON_AddObjectToObject(o, "contract");
    add_counts(contract, "before", &p->before);
    add_counts(contract, "after", &p->after);
    cJSON *open = cJSON_AddArrayToObject(contract, "open_errors");
    for (size_t k = 0; k < p->open_errors.len; k++)
        cJSON_AddItemToArray(open, cJSON_CreateString(p->open_errors.items[k]));
    char *patch = p->patch && hf_plan_has_patch(p) ? hf_plan_patch_name(p->repo->name) : NULL;
    add_str_or_null(o, "patch", patch);
    free(patch);
    add_str_or_null(o, "error", p->status == HF_PLAN_ERROR ? p->error : NULL);
    return o;
}

char *hf_plan_json_begin(const hf_plan_meta *meta)
{
    cJSON *root = cJSON_CreateObject();
    char today[11];
    hf_date_format(meta->today, today);
    cJSON_AddStringToObject(root, "fleet", meta->fleet ? meta->fleet : "");
    cJSON_AddStringToObject(root, "branch", meta->branch ? meta->branch : "");
    cJSON_AddStringToObject(root, "today", today);
    char *head = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    /* reopen the object to append the repos one by one */
    hf_buf b = HF_BUF_INIT;
    hf_buf_put(&b, head, strlen(head) - 1);
    hf_buf_puts(&b, ",\"repos\":[\n");
    free(head);
    return hf_buf_detach(&b);
}

char *hf_plan_json_repo(const hf_repo_plan *plan, bool first)
{
    cJSON *o = repo_json(plan);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    hf_buf b = HF_BUF_INIT;
    if (!first)
        hf_buf_puts(&b, ",\n");
    hf_buf_puts(&b, text);
    free(text);
    return hf_buf_detach(&b);
}

const char *hf_plan_json_end(void)
{
    return "\n]}\n";
}

char *hf_plan_json(const hf_plan_meta *meta, const hf_vec *plans)
{
    hf_buf b = HF_BUF_INIT;
    char *part = hf_plan_json_begin(meta);
    hf_buf_puts(&b, part);
    free(part);
    for (size_t i = 0; i < plans->len; i++) {
        part = hf_plan_json_repo(plans->items[i], i == 0);
        hf_buf_puts(&b, part);
        free(part);
    }
    hf_buf_puts(&b, hf_plan_json_end());
    return hf_buf_detach(&b);
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
    size_t counts[HF_PLAN_STATUSES] = {0};
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        counts[p->status]++;
        hf_buf_puts(&b, "| `");
        md(&b, p->repo->name);
        hf_buf_printf(&b, "` | %s | %zu | %zu | ", hf_plan_status_name(p->status), p->files_changed,
                      p->links);
        if (p->status == HF_PLAN_ERROR)
            hf_buf_puts(&b, "- |\n");
        else
            hf_buf_printf(&b, "%zu -> %zu |\n", p->before.error, p->after.error);
    }
    hf_buf_printf(&b,
                  "\n%zu repos: %zu with changes, %zu partial, %zu without changes, %zu blocked "
                  "by policy, %zu with steps that do not fit, %zu errors.\n",
                  plans->len, counts[HF_PLAN_CHANGES], counts[HF_PLAN_PARTIAL],
                  counts[HF_PLAN_NO_CHANGES], counts[HF_PLAN_BLOCKED], counts[HF_PLAN_FAILED],
                  counts[HF_PLAN_ERROR]);
    for (size_t i = 0; i < plans->len; i++) {
        const hf_repo_plan *p = plans->items[i];
        if (!p->held.len && p->status != HF_PLAN_ERROR)
            continue;
        hf_buf_puts(&b, "\n### `");
        md(&b, p->repo->name);
        hf_buf_puts(&b, "`\n\n");
        if (p->status == HF_PLAN_ERROR) {
            hf_buf_puts(&b, "- error: ");
            md(&b, p->error);
            hf_buf_putc(&b, '\n');
        }
        for (int policy = 1; policy >= 0; policy--)
            for (size_t k = 0; k < p->held.len; k++) {
                const hf_held *h = p->held.items[k];
                if (h->policy != (policy == 1))
                    continue;
                hf_buf_printf(&b, "- [ ] %s: `", policy ? "blocked" : "left");
                md(&b, h->recipe);
                hf_buf_printf(&b, "` step %zu, ", h->step);
                md(&b, h->step_name);
                hf_buf_puts(&b, " (`");
                md(&b, h->at);
                hf_buf_puts(&b, "`): ");
                md(&b, h->reason);
                if (h->unblock) {
                    hf_buf_puts(&b, ". To unblock: ");
                    md(&b, h->unblock);
                }
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

int hf_plan_write_patch(const char *dir, const hf_repo_plan *p, hf_error *err)
{
    if (!hf_plan_has_patch(p) || !p->patch)
        return 0;
    hf_buf path = HF_BUF_INIT;
    char *name = hf_plan_patch_name(p->repo->name);
    hf_fs_join(&path, dir, name);
    free(name);
    int rc = hf_fs_write_atomic(path.ptr, p->patch, strlen(p->patch), err);
    hf_buf_free(&path);
    return rc;
}

int hf_plan_write_out(const char *dir, const hf_plan_meta *meta, const hf_vec *plans, hf_error *err)
{
    if (hf_fs_mkdirs(dir, err) < 0)
        return -1;
    hf_buf path = HF_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < plans->len && rc == 0; i++)
        rc = hf_plan_write_patch(dir, plans->items[i], err);
    if (rc == 0) {
        char *json = hf_plan_json(meta, plans);
        hf_fs_join(&path, dir, "plan.json");
        rc = hf_fs_write_atomic(path.ptr, json, strlen(json), err);
        free(json);
    }
    if (rc == 0)
        rc = hf_plan_write_summary(dir, meta, plans, err);
    hf_buf_free(&path);
    return rc;
}

int hf_plan_write_summary(const char *dir, const hf_plan_meta *meta, const hf_vec *plans,
                          hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    char *mdtext = hf_plan_markdown(meta, plans);
    hf_fs_join(&path, dir, "summary.md");
    int rc = hf_fs_write_atomic(path.ptr, mdtext, strlen(mdtext), err);
    free(mdtext);
    hf_buf_free(&path);
    return rc;
}
