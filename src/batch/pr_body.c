/* Rendering the pull request of one repo: the fleet's title and intro
 * templates, then the change table, the contract counts and how to
 * reproduce the plan, then the hash marker over all of it. Everything here
 * is a function of the plan and the configuration, never of the time of the
 * run, so a re-run with nothing changed renders the same bytes. */
#include "batch/pr_body.h"
#include "edit/template.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void hf_pr_text_free(hf_pr_text *t)
{
    free(t->title);
    free(t->body);
    t->title = t->body = NULL;
    t->hash[0] = '\0';
}

void hf_pr_md_cell(hf_buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            hf_buf_puts(out, "\\|");
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            hf_buf_putc(out, ' ');
        else
            hf_buf_putc(out, *s);
    }
}

/* `s` as inline code in a table cell; backticks inside become quotes. */
static void md_code(hf_buf *out, const char *s)
{
    hf_buf_putc(out, '`');
    for (; s && *s; s++) {
        if (*s == '`')
            hf_buf_putc(out, '\'');
        else if (*s == '|')
            hf_buf_puts(out, "\\|");
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            hf_buf_putc(out, ' ');
        else
            hf_buf_putc(out, *s);
    }
    hf_buf_putc(out, '`');
}

static void link_cell(hf_buf *out, const hf_config *cfg, const hf_plan_change *c)
{
    if (c->capability) {
        const hf_capability *cap = hf_config_capability(cfg, c->capability);
        hf_buf_puts(out, "capability ");
        md_code(out, c->capability);
        if (!cap)
            return;
        for (size_t i = 0; i < cap->routes.len; i++) {
            hf_buf_puts(out, i ? ", " : ": ");
            md_code(out, cap->routes.items[i]);
        }
        if (cap->doc) {
            hf_buf_puts(out, " ([doc](");
            hf_pr_md_cell(out, cap->doc);
            hf_buf_puts(out, "))");
        }
        return;
    }
    const hf_exception *e = hf_config_exception(cfg, c->exception);
    hf_buf_puts(out, "exception ");
    md_code(out, c->exception ? c->exception : "?");
    if (!e)
        return;
    char expires[11];
    hf_date_format(e->expires, expires);
    hf_buf_puts(out, ": issue ");
    hf_pr_md_cell(out, e->issue);
    hf_buf_puts(out, ", owner ");
    hf_pr_md_cell(out, e->owner);
    hf_buf_printf(out, ", expires %s, delete when: ", expires);
    hf_pr_md_cell(out, e->delete_when);
}

static void change_table(hf_buf *out, const hf_config *cfg, const hf_repo_plan *plan)
{
    hf_buf_puts(out, "### Changes\n\n"
                     "| # | op | path | recipe | link |\n"
                     "|---|---|---|---|---|\n");
    for (size_t i = 0; i < plan->changes.len; i++) {
        const hf_plan_change *c = plan->changes.items[i];
        hf_buf_printf(out, "| %zu | %s | ", i + 1, c->op);
        md_code(out, c->path);
        if (c->to) {
            hf_buf_puts(out, " → ");
            md_code(out, c->to);
        }
        hf_buf_puts(out, " | ");
        hf_pr_md_cell(out, c->recipe);
        hf_buf_printf(out, " step %zu | ", c->step);
        link_cell(out, cfg, c);
        hf_buf_puts(out, " |\n");
    }
}

/* What the plan held back, as a checklist a person works through. */
static void left_list(hf_buf *out, const hf_repo_plan *plan)
{
    if (!plan->held.len)
        return;
    hf_buf_puts(out, "### Left for a person\n\n"
                     "These steps (or items of them) were held back; the changes above do not "
                     "include them.\n\n");
    for (int policy = 1; policy >= 0; policy--)
        for (size_t i = 0; i < plan->held.len; i++) {
            const hf_held *h = plan->held.items[i];
            if (h->policy != (policy == 1))
                continue;
            hf_buf_printf(out, "- [ ] **%s**: ", policy ? "blocked by policy" : "does not fit");
            hf_pr_md_cell(out, h->recipe);
            hf_buf_printf(out, " step %zu, ", h->step);
            hf_pr_md_cell(out, h->step_name);
            hf_buf_puts(out, " (");
            md_code(out, h->at);
            hf_buf_puts(out, "): ");
            hf_pr_md_cell(out, h->reason);
            if (h->unblock) {
                hf_buf_puts(out, ". *To unblock:* ");
                hf_pr_md_cell(out, h->unblock);
            }
            hf_buf_putc(out, '\n');
        }
    hf_buf_putc(out, '\n');
}

static void contract_table(hf_buf *out, const hf_repo_plan *plan)
{
    hf_buf_printf(out,
                  "### Contract findings\n\n"
                  "| | errors | warnings | excepted |\n"
                  "|---|---|---|---|\n"
                  "| before | %zu | %zu | %zu |\n"
                  "| after | %zu | %zu | %zu |\n",
                  plan->before.error, plan->before.warning, plan->before.excepted,
                  plan->after.error, plan->after.warning, plan->after.excepted);
    if (!plan->after.error)
        return;
    hf_buf_printf(out, "\nThe contract gate fails on this branch until a person fixes what is "
                       "left:\n\n");
    for (size_t i = 0; i < plan->open_errors.len; i++) {
        hf_buf_puts(out, "- [ ] ");
        md_code(out, plan->open_errors.items[i]);
        hf_buf_putc(out, '\n');
    }
    if (plan->after.error > plan->open_errors.len)
        hf_buf_printf(out, "- and %zu more: `handoff check` lists them\n",
                      plan->after.error - plan->open_errors.len);
}

static void reproduce(hf_buf *out, const hf_pr_context *ctx, const hf_repo_plan *plan)
{
    hf_buf_printf(out,
                  "### Reproduce\n\n"
                  "```sh\n"
                  "%s --repo %s\n"
                  "```\n",
                  ctx->command ? ctx->command : "handoff plan", plan->repo->name);
}

int hf_pr_render(const hf_pr_context *ctx, const hf_repo_plan *plan, hf_pr_text *out, hf_error *err)
{
    const hf_config *cfg = ctx->cfg;
    const hf_pr_template *tpl = &cfg->fleet.pr;
    hf_vars vars = HF_VARS_INIT;
    hf_buf title = HF_BUF_INIT, body = HF_BUF_INIT, marked = HF_BUF_INIT;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    hf_plan_repo_vars(&vars, cfg, plan->repo, ctx->today);

    const char *title_tpl = tpl->title ? tpl->title : "handoff: {{repo}} ({{fleet}})";
    if (hf_template_render(title_tpl, strlen(title_tpl), &vars, tpl->title_mark, &title, err) < 0) {
        rc = hf_error_wrap(err, "%s: pull-request title", plan->repo->name);
        goto done;
    }
    /* A title is one line. */
    for (char *p = title.ptr; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (tpl->body) {
        if (hf_template_render(tpl->body, strlen(tpl->body), &vars, tpl->body_mark, &body, err) <
            0) {
            rc = hf_error_wrap(err, "%s: pull-request body", plan->repo->name);
            goto done;
        }
        while (body.len && (body.ptr[body.len - 1] == '\n' || body.ptr[body.len - 1] == ' '))
            hf_buf_truncate(&body, body.len - 1);
        hf_buf_puts(&body, "\n\n");
    } else {
        hf_buf_printf(&body,
                      "handoff made this pull request for `%s` (fleet `%s`). Every change "
                      "below is linked to a capability or to an explicit, dated exception.\n\n",
                      plan->repo->name, cfg->fleet.name ? cfg->fleet.name : "");
    }
    change_table(&body, cfg, plan);
    hf_buf_putc(&body, '\n');
    left_list(&body, plan);
    contract_table(&body, plan);
    hf_buf_putc(&body, '\n');
    if (plan->notes.len) {
        hf_buf_puts(&body, "### Notes\n\n");
        for (size_t i = 0; i < plan->notes.len; i++) {
            hf_buf_puts(&body, "- ");
            hf_pr_md_cell(&body, plan->notes.items[i]);
            hf_buf_putc(&body, '\n');
        }
        hf_buf_putc(&body, '\n');
    }
    reproduce(&body, ctx, plan);

    hf_gh_content_hash(title.ptr, body.ptr, out->hash);
    hf_gh_body_with_hash(&marked, body.ptr, out->hash);
    out->title = hf_buf_detach(&title);
    out->body = hf_buf_detach(&marked);
done:
    hf_vars_free(&vars);
    hf_buf_free(&title);
    hf_buf_free(&body);
    hf_buf_free(&marked);
    return rc;
}

void hf_pr_close_comment(hf_buf *out, const hf_pr_context *ctx, const hf_repo_plan *plan)
{
    hf_buf_printf(out,
                  "handoff is closing this pull request: it is no longer needed. The recipes "
                  "of the `%s` fleet make no change to `%s` on `%s` at %.12s any more (the "
                  "base branch already has the change, or the recipes no longer ask for "
                  "it), so the branch `%s` is deleted too.\n\n"
                  "To check:\n\n"
                  "```sh\n"
                  "%s --repo %s\n"
                  "```\n",
                  ctx->cfg->fleet.name ? ctx->cfg->fleet.name : "", plan->repo->name,
                  plan->base_ref ? plan->base_ref : "the base branch", plan->base_commit,
                  ctx->cfg->fleet.branch ? ctx->cfg->fleet.branch : "",
                  ctx->command ? ctx->command : "handoff plan", plan->repo->name);
}
