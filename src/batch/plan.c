/* The pipeline for one repo, run over the selected fleet by a worker pool:
 * fetch -> base tree -> recipes over the overlay -> gate -> contract before
 * and after -> commit (not pushed) -> patch and diff. Each worker owns its
 * libgit2 handles; the shared configuration and contract engine are only
 * read. */
#include "batch/plan.h"
#include "batch/progress.h"
#include "batch/scan.h"
#include "edit/ops.h"
#include "edit/overlay.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "git/cache.h"
#include "git/commit.h"
#include "git/patch.h"
#include "policy/gate.h"
#include "util/pool.h"
#include "util/buf.h"
#include "util/glob.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/path.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

const char *hf_plan_status_name(hf_plan_status s)
{
    static const char *const names[] = {"changes", "partial", "no-changes",
                                        "blocked", "failed",  "error"};
    return (unsigned)s < HF_PLAN_STATUSES ? names[s] : "?";
}

void hf_held_free(void *p)
{
    hf_held *h = p;
    if (!h)
        return;
    free(h->recipe);
    free(h->step_name);
    free(h->at);
    free(h->reason);
    free(h->unblock);
    free(h);
}

bool hf_plan_has_policy_hold(const hf_repo_plan *plan)
{
    for (size_t i = 0; i < plan->held.len; i++)
        if (((const hf_held *)plan->held.items[i])->policy)
            return true;
    return false;
}

bool hf_plan_has_patch(const hf_repo_plan *plan)
{
    return plan->status == HF_PLAN_CHANGES || plan->status == HF_PLAN_PARTIAL;
}

static void change_free(void *p)
{
    hf_plan_change *c = p;
    free(c->op);
    free(c->path);
    free(c->to);
    free(c->recipe);
    free(c->capability);
    free(c->exception);
    free(c);
}

void hf_repo_plan_free(void *p)
{
    hf_repo_plan *plan = p;
    if (!plan)
        return;
    free(plan->base_ref);
    hf_vec_free(&plan->changes, change_free);
    hf_vec_free(&plan->held, hf_held_free);
    hf_vec_free(&plan->notes, free);
    hf_vec_free(&plan->idle, free);
    hf_vec_free(&plan->open_errors, free);
    free(plan->patch);
    free(plan->diff);
    free(plan->diff_color);
    free(plan->message);
    free(plan->error);
    free(plan);
}

void hf_repo_plan_release_details(hf_repo_plan *plan)
{
    hf_vec_free(&plan->changes, change_free);
    hf_vec_free(&plan->notes, free);
    hf_vec_free(&plan->idle, free);
    hf_vec_free(&plan->open_errors, free);
    free(plan->patch);
    free(plan->diff);
    free(plan->diff_color);
    free(plan->message);
    plan->patch = plan->diff = plan->diff_color = plan->message = NULL;
    plan->details_released = true;
}

bool hf_plan_link_first(const hf_repo_plan *p, size_t i)
{
    const hf_plan_change *c = p->changes.items[i];
    const char *id = c->capability ? c->capability : c->exception;
    for (size_t k = 0; k < i; k++) {
        const hf_plan_change *d = p->changes.items[k];
        if (!strcmp(id, d->capability ? d->capability : d->exception))
            return false;
    }
    return true;
}

/* Distinct capabilities and exceptions behind the changes. */
static size_t count_links(const hf_repo_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->changes.len; i++)
        n += hf_plan_link_first(p, i);
    return n;
}

/* ---- one repo ------------------------------------------------------------ */

const char *hf_repo_source_url(const hf_config *cfg, const hf_vec *sources, const hf_repo *r,
                               hf_buf *scratch)
{
    /* the last --source for a repo wins, as with any repeated option */
    for (size_t i = sources ? sources->len : 0; i-- > 0;) {
        const hf_source *s = sources->items[i];
        if (!strcmp(s->name, r->name))
            return s->url;
    }
    if (r->url)
        return r->url;
    hf_buf_clear(scratch);
    hf_buf_printf(scratch, "%s/%s.git", cfg->fleet.forge_web, r->name);
    return scratch->ptr;
}

void hf_plan_repo_vars(hf_vars *v, const hf_config *cfg, const hf_repo *r, hf_date today)
{
    char day[11];
    hf_date_format(today, day);
    const char *slash = strchr(r->name, '/');
    char *owner = hf_xstrndup(r->name, slash ? (size_t)(slash - r->name) : 0);
    hf_vars_set(v, "repo", r->name);
    hf_vars_set(v, "owner", owner);
    hf_vars_set(v, "name", slash ? slash + 1 : r->name);
    hf_vars_set(v, "family", r->family ? r->family : "");
    hf_vars_set(v, "context", r->contexts.len ? r->contexts.items[0] : "");
    hf_buf contexts = HF_BUF_INIT;
    for (size_t i = 0; i < r->contexts.len; i++)
        hf_buf_printf(&contexts, "%s%s", i ? "," : "", (const char *)r->contexts.items[i]);
    hf_vars_set(v, "contexts", hf_buf_cstr(&contexts));
    hf_vars_set(v, "product", r->product ? r->product : "");
    hf_vars_set(v, "today", day);
    hf_vars_set(v, "fleet", cfg->fleet.name ? cfg->fleet.name : "");
    hf_vars_set(v, "branch", cfg->fleet.branch ? cfg->fleet.branch : "");
    const hf_gate *gate = &cfg->fleet.gate;
    if (gate->repository && gate->ref && gate->version) {
        hf_vars_set(v, "gate-repository", gate->repository);
        hf_vars_set(v, "gate-ref", gate->ref);
        hf_vars_set(v, "gate-version", gate->version);
    }
    hf_buf_free(&contexts);
    free(owner);
}

/* A recipe the repo lists runs only when its applies-to also admits the
 * repo: a recipe written for tenants never runs on an image repo by a slip
 * in fleet.yml. */
static bool recipe_admits(const hf_recipe *rc, const hf_repo *r)
{
    for (size_t i = 0; i < rc->families.len; i++)
        if (r->family && !strcmp(rc->families.items[i], r->family))
            return true;
    for (size_t i = 0; i < rc->repos.len; i++)
        if (hf_glob_match(rc->repos.items[i], r->name))
            return true;
    return false;
}

static void add_held(hf_repo_plan *plan, const hf_recipe *rc, const hf_step *step,
                     const char *reason, const char *unblock, bool policy)
{
    hf_held *h = hf_xcalloc(1, sizeof(*h));
    hf_buf at = HF_BUF_INIT;
    h->recipe = hf_xstrdup(rc->id);
    h->step = step->index;
    h->step_name = hf_xstrdup(step->name ? step->name : hf_op_name(step->op));
    hf_buf_printf(&at, "%s:%d:%d", step->mark.file ? step->mark.file : rc->file, step->mark.line,
                  step->mark.col);
    h->at = hf_buf_detach(&at);
    h->reason = hf_xstrdup(reason);
    h->unblock = unblock ? hf_xstrdup(unblock) : NULL;
    h->policy = policy;
    hf_vec_push(&plan->held, h);
}

/* A failed step's error reads "recipe:line:col: step N (op): what": the
 * held entry names the step itself, so keep only "what". */
static const char *what_failed(const char *msg)
{
    const char *p = strstr(msg, "): ");
    return p && strstr(msg, " step ") && strstr(msg, " step ") < p ? p + 3 : msg;
}

/* Gates the changes a step just made (from `from` on): each must rest on
 * an implemented capability or a valid exception covering its path. */
static size_t gate_step(const hf_plan_options *o, const hf_repo *r, hf_overlay *ov,
                        const hf_step *step, size_t from, hf_vec *blocks)
{
    size_t n = hf_overlay_change_count(ov) - from;
    if (!n)
        return 0;
    hf_link_use *uses = hf_xcalloc(n, sizeof(*uses));
    for (size_t i = 0; i < n; i++) {
        const hf_change *c = hf_overlay_change(ov, from + i);
        uses[i] = (hf_link_use){c->recipe, c->step,       c->mark,      c->path,
                                c->to,     c->capability, c->exception, step->strategy};
    }
    size_t added = hf_gate_check(o->cfg, r->name, o->today, uses, n, blocks);
    free(uses);
    return added;
}

/* Whether a step waits for one the plan held back (its `after`). */
static const char *waits_for(const hf_recipe *rc, const hf_step *step, const hf_vec *held_steps)
{
    for (size_t a = 0; a < step->after.len; a++)
        for (size_t i = 0; i < held_steps->len; i++) {
            const hf_step *h = held_steps->items[i];
            if (h->id && !strcmp(h->id, step->after.items[a]))
                return h->id;
        }
    (void)rc;
    return NULL;
}

/* Whether text names path on its own (not as the tail of a longer path,
 * such as the archived one). */
static bool names_path(const char *text, size_t len, const char *path)
{
    size_t n = strlen(path);
    for (const char *p = memmem(text, len, path, n); p;
         p = memmem(p + 1, len - (size_t)(p + 1 - text), path, n)) {
        char b = p > text ? p[-1] : ' ';
        if (b == '/' || b == '.' || b == '_' || b == '-' || (b >= 'a' && b <= 'z') ||
            (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9'))
            continue;
        return true;
    }
    return false;
}

/* Files that, after every step, still name a path a step moved away: one
 * note per file (its first lines), for a person to update. Files that were
 * archived themselves, or removed, say nothing. */
static void note_stale(hf_repo_plan *plan, hf_overlay *ov, const hf_vec *stale)
{
    hf_buf msg = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error ignore;
    for (size_t i = 0; i < stale->len; i++) {
        const hf_stale *s = stale->items[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(((const hf_stale *)stale->items[k])->path, s->path);
        if (seen || !hf_overlay_mode(ov, s->path) || hf_path_under(s->path, "archive") ||
            hf_overlay_read_text(ov, s->path, &text, &ignore) < 0)
            continue;
        size_t count = 0;
        hf_buf_clear(&msg);
        for (size_t k = i; k < stale->len; k++) {
            const hf_stale *t = stale->items[k];
            /* still there, and still gone from where it is named */
            if (strcmp(t->path, s->path) || hf_overlay_mode(ov, t->target) ||
                !names_path(text.ptr ? text.ptr : "", text.len, t->needle))
                continue;
            if (count < 3) {
                hf_buf_printf(&msg, "%s%d: %s", count ? "; " : "", t->line, t->target);
                if (strcmp(t->needle, t->target))
                    hf_buf_printf(&msg, " (as '%s')", t->needle);
                hf_buf_printf(&msg, ", now %s", t->now);
            }
            count++;
        }
        if (!count)
            continue;
        hf_buf buf = HF_BUF_INIT;
        hf_buf_printf(&buf, "%s still names moved files at line %s%s", s->path, hf_buf_cstr(&msg),
                      count > 3 ? " and more" : "");
        hf_vec_push(&plan->notes, hf_buf_detach(&buf));
    }
    hf_buf_free(&msg);
    hf_buf_free(&text);
}

/* Runs one recipe over the overlay: each step all or nothing, gated as it
 * goes; what a step cannot do, or policy refuses, is held (with the steps
 * that wait for it) and the others go on. */
static void run_recipe(const hf_plan_options *o, hf_repo_plan *plan, const hf_recipe *rc,
                       hf_edit_ctx *ctx, hf_overlay *ov, hf_vec *stale)
{
    hf_vec held_steps = HF_VEC_INIT;
    hf_buf msg = HF_BUF_INIT;
    for (size_t s = 0; s < rc->steps.len; s++) {
        const hf_step *step = rc->steps.items[s];
        hf_step_report rep = HF_STEP_REPORT_INIT;
        hf_error err;
        rep.verbose = o->verbose;
        const char *dep = waits_for(rc, step, &held_steps);
        if (dep) {
            hf_buf_clear(&msg);
            hf_buf_printf(&msg, "waits for step '%s', which was held back", dep);
            add_held(plan, rc, step, hf_buf_cstr(&msg), "unblock that step first", false);
            hf_vec_push(&held_steps, (void *)step);
            continue;
        }
        size_t from = hf_overlay_change_count(ov);
        hf_overlay_begin(ov);
        if (hf_step_apply(ctx, step, &rep, &err) < 0) {
            hf_overlay_rollback(ov);
            add_held(plan, rc, step, what_failed(err.msg),
                     "make the step fit the repo (or the repo fit the step) and plan again", false);
            hf_vec_push(&held_steps, (void *)step);
        } else {
            hf_vec blocks = HF_VEC_INIT;
            if (gate_step(o, plan->repo, ov, step, from, &blocks)) {
                hf_overlay_rollback(ov);
                for (size_t b = 0; b < blocks.len; b++) {
                    const hf_block *bl = blocks.items[b];
                    const char *why = strstr(bl->reason, "step ");
                    why = why && strchr(why, ':') ? strchr(why, ':') + 2 : bl->reason;
                    add_held(plan, rc, step, why, bl->unblock, true);
                }
                hf_vec_push(&held_steps, (void *)step);
            } else {
                hf_overlay_commit(ov);
            }
            hf_vec_free(&blocks, hf_block_free);
        }
        for (size_t k = 0; k < rep.left.len; k++) {
            const hf_left *l = rep.left.items[k];
            add_held(plan, rc, step, l->text, l->unblock, l->policy);
        }
        for (size_t k = 0; k < rep.stale.len; k++)
            hf_vec_push(stale, rep.stale.items[k]);
        rep.stale.len = 0;
        for (size_t k = 0; k < rep.notes.len; k++) {
            hf_buf_clear(&msg);
            hf_buf_printf(&msg, "%s step %zu: %s", rc->id, step->index,
                          (const char *)rep.notes.items[k]);
            hf_vec_push(&plan->notes, hf_xstrdup(msg.ptr));
        }
        bool step_held = held_steps.len && held_steps.items[held_steps.len - 1] == step;
        if (rep.matched == 0 && rep.left.len == 0 && !step_held) {
            plan->idle_steps++;
            if (o->verbose) {
                hf_buf_clear(&msg);
                hf_buf_printf(&msg, "%s step %zu (%s) had nothing to do", rc->id, step->index,
                              step->name ? step->name : hf_op_name(step->op));
                hf_vec_push(&plan->idle, hf_xstrdup(msg.ptr));
                for (size_t k = 0; k < rep.examined.len; k++) {
                    hf_buf_clear(&msg);
                    hf_buf_printf(&msg, "%s step %zu: %s", rc->id, step->index,
                                  (const char *)rep.examined.items[k]);
                    hf_vec_push(&plan->idle, hf_xstrdup(msg.ptr));
                }
            }
        }
        hf_step_report_free(&rep);
    }
    hf_vec_free(&held_steps, NULL);
    hf_buf_free(&msg);
}

static void fail(hf_repo_plan *plan, const char *msg)
{
    plan->status = HF_PLAN_ERROR;
    free(plan->error);
    plan->error = hf_xstrdup(msg);
}

static int scan_counts(const hf_plan_options *o, const hf_repo *r, git_repository *mirror,
                       const git_oid *tree, hf_contract_counts *counts, hf_vec *open_errors,
                       hf_error *err)
{
    hf_scan_report rep = {0};
    hf_scan_target t = {.repo = r->name, .family = r->family, .today = o->today};
    int rc = hf_scan_tree(o->engine, &t, git_repository_path(mirror), tree, 1, &rep, err);
    /* a file the contract could not judge (a rule hit the PCRE2 limits, an
     * unreadable blob) must not count as clean */
    if (rc == 0 && rep.problems.len)
        rc = hf_error_set(err, "contract scan: %s", (const char *)rep.problems.items[0]);
    if (rc == 0)
        hf_contract_count(&rep.findings, counts);
    for (size_t i = 0; rc == 0 && open_errors && i < rep.findings.len; i++) {
        const hf_finding *f = rep.findings.items[i];
        if (f->state != HF_FINDING_EXCEPTED && f->severity == HF_SEV_ERROR &&
            open_errors->len < HF_PLAN_OPEN_ERRORS) {
            hf_buf b = HF_BUF_INIT;
            hf_buf_printf(&b, "%s:%d:%d: %s", f->path, f->line, f->column, f->rule->id);
            hf_vec_push(open_errors, hf_buf_detach(&b));
        }
    }
    hf_scan_report_free(&rep);
    return rc;
}

/* The commit message: a subject, one line per change, and the trailers,
 * worded by fleet.yml `commit` (the engine's defaults name no control
 * plane). */
static int compose_message(const hf_plan_options *o, hf_repo_plan *plan, hf_buf *out, hf_error *err)
{
    const hf_commit_template *ct = &o->cfg->fleet.commit;
    const char *subject_tpl = ct->subject ? ct->subject : "handoff: hand {{repo}} over ({{fleet}})";
    const char *body_tpl =
        ct->body ? ct->body : "Changes, each linked to a capability or a dated exception:";
    hf_trailers tr = HF_TRAILERS_INIT;
    hf_vars vars = HF_VARS_INIT;
    hf_buf subject = HF_BUF_INIT, body = HF_BUF_INIT;
    tr.capability_key = ct->capability_trailer;
    hf_plan_repo_vars(&vars, o->cfg, plan->repo, o->today);
    int rc = hf_template_render(subject_tpl, strlen(subject_tpl), &vars, ct->subject_mark, &subject,
                                err);
    if (rc == 0)
        rc = hf_template_render(body_tpl, strlen(body_tpl), &vars, ct->body_mark, &body, err);
    if (rc < 0)
        hf_error_wrap(err, "%s: fleet.yml commit template", plan->repo->name);
    while (body.len && (body.ptr[body.len - 1] == '\n' || body.ptr[body.len - 1] == ' '))
        hf_buf_truncate(&body, body.len - 1);
    hf_buf_putc(&body, '\n');
    for (size_t i = 0; i < plan->changes.len && rc == 0; i++) {
        const hf_plan_change *c = plan->changes.items[i];
        hf_buf_printf(&body, "\n- %s %s%s%s (%s step %zu; %s %s)", c->op, c->path,
                      c->to ? " -> " : "", c->to ? c->to : "", c->recipe, c->step,
                      c->capability ? "capability" : "exception",
                      c->capability ? c->capability : c->exception);
        if (c->capability)
            rc = hf_trailers_add_capability(&tr, c->capability, err);
        else
            rc = hf_trailers_add_exception(&tr, c->exception, err);
    }
    if (rc == 0)
        rc = hf_trailers_set_fleet(&tr, o->cfg->fleet.name, err);
    if (rc == 0)
        rc = hf_commit_message(out, subject.ptr, body.ptr, &tr, err);
    hf_buf_free(&subject);
    hf_buf_free(&body);
    hf_vars_free(&vars);
    hf_trailers_free(&tr);
    return rc;
}

static void plan_repo(const hf_plan_options *o, hf_repo_plan *plan, hf_progress *prog, int w,
                      hf_regex_cache *regexes)
{
    const hf_repo *r = plan->repo;
    git_repository *mirror = NULL;
    git_tree *base_tree = NULL;
    hf_overlay *ov = NULL;
    hf_base base = {0};
    hf_vars vars = HF_VARS_INIT;
    hf_buf scratch = HF_BUF_INIT, msg = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_vec files = HF_VEC_INIT, held = HF_VEC_INIT, stale = HF_VEC_INIT, handed = HF_VEC_INIT;
    size_t n;
    hf_error err;

    hf_progress_stage(prog, w, r->name, "fetch");
    hf_mirror_options mo = {.cache_dir = o->cache_dir,
                            .remote = {.repo = r->name,
                                       .url = hf_repo_source_url(o->cfg, o->sources, r, &scratch),
                                       .token = o->token},
                            .branch = r->base};
    if (hf_mirror_sync(&mirror, &base, &mo, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    plan->base_ref = hf_xstrdup(base.ref);
    git_oid_tostr(plan->base_commit, sizeof(plan->base_commit), &base.commit);
    if (git_tree_lookup(&base_tree, mirror, &base.tree) < 0) {
        hf_buf_clear(&scratch);
        hf_buf_printf(&scratch, "%s: base tree: %s", r->name, hf_git_last_error("unreadable"));
        fail(plan, scratch.ptr);
        goto done;
    }
    if (hf_overlay_new(&ov, mirror, base_tree, NULL, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }

    hf_progress_stage(prog, w, r->name, "recipes");
    hf_plan_repo_vars(&vars, o->cfg, r, o->today);
    for (size_t i = 0; i < r->recipes.len; i++) {
        const hf_recipe *rc = hf_config_recipe(o->cfg, r->recipes.items[i]);
        if (!rc)
            continue;
        if (!recipe_admits(rc, r)) {
            hf_buf_clear(&scratch);
            hf_buf_printf(&scratch, "recipe %s does not apply to %s (family %s); skipped", rc->id,
                          r->name, r->family);
            hf_vec_push(&plan->notes, hf_xstrdup(scratch.ptr));
            continue;
        }
        hf_edit_ctx ctx = {.cfg = o->cfg,
                           .overlay = ov,
                           .vars = &vars,
                           .recipe = rc->id,
                           .templates_dir = o->templates_dir,
                           .config_dir = o->cfg->dir,
                           .regexes = regexes,
                           .held = &held,
                           .handed = &handed};
        run_recipe(o, plan, rc, &ctx, ov, &stale);
    }
    note_stale(plan, ov, &stale);

    n = hf_overlay_change_count(ov);
    for (size_t i = 0; i < n; i++) {
        const hf_change *c = hf_overlay_change(ov, i);
        hf_plan_change *pc = hf_xcalloc(1, sizeof(*pc));
        pc->op = hf_xstrdup(hf_change_kind_name(c->kind));
        pc->path = hf_xstrdup(c->path);
        pc->to = c->to ? hf_xstrdup(c->to) : NULL;
        pc->recipe = hf_xstrdup(c->recipe);
        pc->step = c->step;
        pc->capability = c->capability ? hf_xstrdup(c->capability) : NULL;
        pc->exception = c->exception ? hf_xstrdup(c->exception) : NULL;
        hf_vec_push(&plan->changes, pc);
    }

    hf_progress_stage(prog, w, r->name, "contract");
    git_oid new_tree;
    if (hf_overlay_build_tree(ov, &new_tree, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    git_oid_tostr(plan->tree, sizeof(plan->tree), &new_tree);
    if (scan_counts(o, r, mirror, &base.tree, &plan->before, NULL, &err) < 0 ||
        scan_counts(o, r, mirror, &new_tree, &plan->after, &plan->open_errors, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    if (hf_diff_files(&files, mirror, &base.tree, &new_tree, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    plan->files_changed = files.len;
    bool nothing = git_oid_equal(&new_tree, &base.tree);
    if (plan->held.len && (o->strict || nothing)) {
        /* all or nothing (--strict), or nothing could be made */
        plan->status = hf_plan_has_policy_hold(plan) ? HF_PLAN_BLOCKED : HF_PLAN_FAILED;
        goto done;
    }
    if (nothing) {
        plan->status = HF_PLAN_NO_CHANGES;
        goto done;
    }

    hf_progress_stage(prog, w, r->name, "commit");
    if (compose_message(o, plan, &msg, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    plan->message = hf_xstrdup(msg.ptr);
    hf_commit_options co = {.author_name = o->cfg->fleet.author_name,
                            .author_email = o->cfg->fleet.author_email,
                            .fixed_time = true,
                            /* the run's date, so a re-run makes the same commit */
                            .time = (int64_t)hf_date_epoch(o->today)};
    git_oid commit;
    if (hf_commit_create(&commit, mirror, &base.commit, &new_tree, msg.ptr, &co, &err) < 0 ||
        (o->keep_patch && hf_patch_mbox(&text, mirror, &commit, &err) < 0)) {
        fail(plan, err.msg);
        goto done;
    }
    git_oid_tostr(plan->commit, sizeof(plan->commit), &commit);
    if (o->keep_patch)
        plan->patch = hf_buf_detach(&text);
    if (o->keep_diff) {
        hf_buf_clear(&text);
        if (hf_diff_text(&text, mirror, &base.tree, &new_tree, false, &err) < 0) {
            fail(plan, err.msg);
            goto done;
        }
        plan->diff = hf_buf_detach(&text);
    }
    if (o->keep_color_diff) {
        hf_buf_clear(&text);
        if (hf_diff_text(&text, mirror, &base.tree, &new_tree, true, &err) < 0) {
            fail(plan, err.msg);
            goto done;
        }
        plan->diff_color = hf_buf_detach(&text);
    }
    plan->status = plan->held.len ? HF_PLAN_PARTIAL : HF_PLAN_CHANGES;
done:
    plan->links = count_links(plan);
    hf_progress_done(prog, w, r->name, hf_plan_status_name(plan->status));
    hf_vec_free(&files, hf_file_change_free);
    hf_vec_free(&held, free);
    hf_vec_free(&stale, hf_stale_free);
    hf_vec_free(&handed, free);
    hf_vars_free(&vars);
    hf_buf_free(&scratch);
    hf_buf_free(&msg);
    hf_buf_free(&text);
    hf_overlay_free(ov);
    git_tree_free(base_tree);
    hf_base_free(&base);
    git_repository_free(mirror);
}

/* ---- the pool ------------------------------------------------------------ */

typedef struct pool {
    const hf_plan_options *opts;
    hf_vec *plans;
    atomic_size_t next;
    atomic_int worker_ids;
    hf_progress *progress;
    pthread_mutex_t lock; /* guards done[] and next_ready */
    size_t first;         /* plans before it were there before this run */
    bool *done;           /* per plan of this run, from first */
    size_t next_ready;
} pool;

/* Marks plan i done and hands every plan now ready, in fleet order, to the
 * caller. */
static void finished(pool *p, size_t i)
{
    if (!p->opts->on_ready)
        return;
    pthread_mutex_lock(&p->lock);
    p->done[i - p->first] = true;
    while (p->next_ready < p->plans->len && p->done[p->next_ready - p->first]) {
        p->opts->on_ready(p->plans->items[p->next_ready], p->opts->ready_ctx);
        p->next_ready++;
    }
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    pool *p = arg;
    int w = atomic_fetch_add(&p->worker_ids, 1);
    hf_regex_cache *regexes = hf_regex_cache_new();
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->plans->len)
            break;
        plan_repo(p->opts, p->plans->items[i], p->progress, w, regexes);
        finished(p, i);
    }
    hf_regex_cache_free(regexes);
    return NULL;
}

int hf_plan_run(const hf_plan_options *opts, const hf_vec *repos, hf_vec *plans)
{
    size_t first = plans->len;
    for (size_t i = 0; i < repos->len; i++) {
        hf_repo_plan *plan = hf_xcalloc(1, sizeof(*plan));
        plan->repo = repos->items[i];
        plan->status = HF_PLAN_ERROR;
        hf_vec_push(plans, plan);
    }
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)jobs > repos->len)
        jobs = repos->len ? (int)repos->len : 1;
    pool p = {.opts = opts,
              .plans = plans,
              .progress = hf_progress_new(repos->len, jobs, opts->progress_tty, opts->quiet)};
    p.first = p.next_ready = first;
    atomic_init(&p.next, first);
    atomic_init(&p.worker_ids, 0);
    pthread_mutex_init(&p.lock, NULL);
    p.done = hf_xcalloc(repos->len ? repos->len : 1, sizeof(bool));
    hf_pool_run(jobs, worker, &p);
    free(p.done);
    pthread_mutex_destroy(&p.lock);
    hf_progress_free(p.progress);
    return 0;
}
