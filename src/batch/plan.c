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
#include "edit/template.h"
#include "git/cache.h"
#include "git/commit.h"
#include "git/patch.h"
#include "policy/gate.h"
#include "util/buf.h"
#include "util/glob.h"
#include "util/log.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

const char *hf_plan_status_name(hf_plan_status s)
{
    static const char *const names[] = {"changes", "no-changes", "blocked", "error"};
    return (unsigned)s < 4 ? names[s] : "?";
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
    hf_vec_free(&plan->blocks, hf_block_free);
    hf_vec_free(&plan->notes, free);
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
    free(plan->patch);
    free(plan->diff);
    free(plan->diff_color);
    free(plan->message);
    plan->patch = plan->diff = plan->diff_color = plan->message = NULL;
    plan->details_released = true;
}

/* Distinct capabilities and exceptions behind the changes. */
static size_t count_links(const hf_repo_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->changes.len; i++) {
        const hf_plan_change *c = p->changes.items[i];
        const char *id = c->capability ? c->capability : c->exception;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const hf_plan_change *d = p->changes.items[k];
            seen = !strcmp(id, d->capability ? d->capability : d->exception);
        }
        n += !seen;
    }
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

static void set_vars(hf_vars *v, const hf_plan_options *o, const hf_repo *r)
{
    char today[11];
    hf_date_format(o->today, today);
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
    hf_vars_set(v, "today", today);
    hf_vars_set(v, "fleet", o->cfg->fleet.name ? o->cfg->fleet.name : "");
    hf_vars_set(v, "branch", o->cfg->fleet.branch ? o->cfg->fleet.branch : "");
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

static const hf_step *find_step(const hf_config *cfg, const char *recipe, size_t index)
{
    const hf_recipe *rc = hf_config_recipe(cfg, recipe);
    return rc ? hf_vec_get(&rc->steps, index - 1) : NULL;
}

static void add_block(hf_repo_plan *plan, const char *recipe, size_t step, const char *reason)
{
    hf_block *b = hf_xcalloc(1, sizeof(*b));
    b->recipe = hf_xstrdup(recipe);
    b->step = step;
    b->reason = hf_xstrdup(reason);
    hf_vec_push(&plan->blocks, b);
}

static void fail(hf_repo_plan *plan, const char *msg)
{
    plan->status = HF_PLAN_ERROR;
    free(plan->error);
    plan->error = hf_xstrdup(msg);
}

static int scan_counts(const hf_plan_options *o, const hf_repo *r, git_repository *mirror,
                       const git_oid *tree, hf_contract_counts *counts, hf_error *err)
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
    hf_scan_report_free(&rep);
    return rc;
}

/* The commit message: a subject, one line per change, and the trailers. */
static int compose_message(const hf_plan_options *o, hf_repo_plan *plan, hf_buf *out,
                           hf_error *err)
{
    hf_trailers tr = HF_TRAILERS_INIT;
    hf_buf body = HF_BUF_INIT;
    int rc = 0;
    hf_buf_puts(&body, "Changes, each linked to a Launchplane capability or a dated exception:\n");
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
    if (rc == 0) {
        hf_buf subject = HF_BUF_INIT;
        hf_buf_printf(&subject, "Hand %s operations over to Launchplane", plan->repo->name);
        rc = hf_commit_message(out, subject.ptr, body.ptr, &tr, err);
        hf_buf_free(&subject);
    }
    hf_buf_free(&body);
    hf_trailers_free(&tr);
    return rc;
}

static void plan_repo(const hf_plan_options *o, hf_repo_plan *plan, hf_progress *prog, int w)
{
    const hf_repo *r = plan->repo;
    git_repository *mirror = NULL;
    git_tree *base_tree = NULL;
    hf_overlay *ov = NULL;
    hf_base base = {0};
    hf_vars vars = HF_VARS_INIT;
    hf_buf scratch = HF_BUF_INIT, msg = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_link_use *uses = NULL;
    hf_vec files = HF_VEC_INIT;
    hf_error err;

    hf_progress_stage(prog, w, r->name, "fetch");
    hf_mirror_options mo = {.cache_dir = o->cache_dir,
                            .remote = {.repo = r->name, .url = hf_repo_source_url(o->cfg, o->sources, r, &scratch),
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
    set_vars(&vars, o, r);
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
        hf_edit_ctx ctx = {.overlay = ov,
                           .vars = &vars,
                           .recipe = rc->id,
                           .templates_dir = o->templates_dir,
                           .config_dir = o->cfg->dir};
        for (size_t s = 0; s < rc->steps.len; s++) {
            const hf_step *step = rc->steps.items[s];
            hf_step_report rep = HF_STEP_REPORT_INIT;
            if (hf_step_apply(&ctx, step, &rep, &err) < 0)
                add_block(plan, rc->id, step->index, err.msg);
            for (size_t k = 0; k < rep.notes.len; k++) {
                hf_buf_clear(&scratch);
                hf_buf_printf(&scratch, "%s step %zu: %s", rc->id, step->index,
                              (const char *)rep.notes.items[k]);
                hf_vec_push(&plan->notes, hf_xstrdup(scratch.ptr));
            }
            hf_step_report_free(&rep);
        }
    }

    hf_progress_stage(prog, w, r->name, "gate");
    size_t n = hf_overlay_change_count(ov);
    uses = hf_xcalloc(n ? n : 1, sizeof(*uses));
    for (size_t i = 0; i < n; i++) {
        const hf_change *c = hf_overlay_change(ov, i);
        const hf_step *step = find_step(o->cfg, c->recipe, c->step);
        uses[i] = (hf_link_use){c->recipe, c->step, c->mark, c->path, c->to, c->capability,
                                c->exception, step ? step->strategy : NULL};
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
    hf_gate_check(o->cfg, r->name, o->today, uses, n, &plan->blocks);

    hf_progress_stage(prog, w, r->name, "contract");
    git_oid new_tree;
    if (hf_overlay_build_tree(ov, &new_tree, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    git_oid_tostr(plan->tree, sizeof(plan->tree), &new_tree);
    if (scan_counts(o, r, mirror, &base.tree, &plan->before, &err) < 0 ||
        scan_counts(o, r, mirror, &new_tree, &plan->after, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    if (hf_diff_files(&files, mirror, &base.tree, &new_tree, &err) < 0) {
        fail(plan, err.msg);
        goto done;
    }
    plan->files_changed = files.len;
    if (plan->blocks.len) {
        plan->status = HF_PLAN_BLOCKED;
        goto done;
    }
    if (git_oid_equal(&new_tree, &base.tree)) {
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
    plan->status = HF_PLAN_CHANGES;
done:
    plan->links = count_links(plan);
    hf_progress_done(prog, w, r->name, hf_plan_status_name(plan->status));
    free(uses);
    hf_vec_free(&files, hf_file_change_free);
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
    bool *done;
    size_t next_ready;
} pool;

/* Marks plan i done and hands every plan now ready, in fleet order, to the
 * caller. */
static void finished(pool *p, size_t i)
{
    if (!p->opts->on_ready)
        return;
    pthread_mutex_lock(&p->lock);
    p->done[i] = true;
    while (p->next_ready < p->plans->len && p->done[p->next_ready]) {
        p->opts->on_ready(p->plans->items[p->next_ready], p->opts->ready_ctx);
        p->next_ready++;
    }
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    pool *p = arg;
    int w = atomic_fetch_add(&p->worker_ids, 1);
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->plans->len)
            break;
        plan_repo(p->opts, p->plans->items[i], p->progress, w);
        finished(p, i);
    }
    return NULL;
}

int hf_plan_run(const hf_plan_options *opts, const hf_vec *repos, hf_vec *plans)
{
    for (size_t i = 0; i < repos->len; i++) {
        hf_repo_plan *plan = hf_xcalloc(1, sizeof(*plan));
        plan->repo = repos->items[i];
        plan->status = HF_PLAN_ERROR;
        hf_vec_push(plans, plan);
    }
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)jobs > repos->len)
        jobs = repos->len ? (int)repos->len : 1;
    pool p = {.opts = opts, .plans = plans, .progress = hf_progress_new(repos->len, jobs,
                                                                       opts->progress_tty,
                                                                       opts->quiet)};
    atomic_init(&p.next, 0);
    atomic_init(&p.worker_ids, 0);
    pthread_mutex_init(&p.lock, NULL);
    p.done = hf_xcalloc(repos->len ? repos->len : 1, sizeof(bool));
    pthread_t *threads = hf_xcalloc((size_t)jobs, sizeof(pthread_t));
    int started = 0;
    for (int i = 1; i < jobs; i++) {
        if (pthread_create(&threads[i], NULL, worker, &p) != 0)
            break;
        started = i;
    }
    worker(&p);
    for (int i = 1; i <= started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(p.done);
    pthread_mutex_destroy(&p.lock);
    hf_progress_free(p.progress);
    return 0;
}
