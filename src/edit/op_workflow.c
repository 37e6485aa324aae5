/* Workflow operations: replace-job (a job becomes a reusable-workflow
 * caller), replace-step (a step becomes a `uses:` step, with the OIDC grant
 * it needs) and remove-job (with the `needs:` of other jobs fixed; a
 * workflow left without jobs is deleted). Jobs and steps are chosen by the
 * step's predicate (`where`); each job is handed over on its own, so one
 * that cannot be (an adapter input the workflow lacks) is listed and the
 * others go on. All go through the splice editor, so the rest of each file
 * keeps its bytes. */
#include "edit/ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

#define WORKFLOWS ".github/workflows/*.{yml,yaml}"

hf_ynode *hf_op_jobs(const hf_ydoc *doc)
{
    hf_ynode *jobs = hf_ynode_get(doc->root, "jobs");
    return jobs && jobs->kind == HF_Y_MAP ? jobs : NULL;
}

static int job_at(hf_op_run *r, const char *path, size_t j, hf_ydoc *doc, hf_ynode **id,
                  hf_ynode **job, hf_error *err)
{
    if (hf_op_load_yaml(r, path, doc, err) < 0)
        return -1;
    hf_matcher_reset(r->matcher);
    hf_ynode *jobs = hf_op_jobs(doc);
    if (!jobs || j >= hf_ynode_pairs(jobs)) {
        hf_ydoc_free(doc);
        return 0;
    }
    *id = hf_ynode_key(jobs, j);
    *job = hf_ynode_val(jobs, j);
    return 1;
}

int hf_op_each_job(hf_op_run *r, hf_job_fn fn, void *ctx, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    int rc = 0;
    hf_op_select(r, &r->step->files, WORKFLOWS, &files);
    for (size_t f = 0; f < files.len && rc == 0; f++) {
        for (size_t j = 0; rc == 0; j++) {
            hf_ydoc doc = HF_YDOC_INIT;
            hf_ynode *id, *job;
            int at = job_at(r, files.items[f], j, &doc, &id, &job, err);
            if (at <= 0) {
                rc = at;
                break;
            }
            rc = fn(r, &doc, id->value, job, ctx, err);
            hf_ydoc_free(&doc);
        }
    }
    hf_vec_free(&files, free);
    return rc;
}

static int content_error(const hf_ydoc *doc, const hf_ynode *n, hf_error *err, const char *what,
                         const char *id)
{
    return hf_error_set(err, "%s:%d:%d: %s '%s'", doc->path, n->line, n->col, what, id);
}

/* Scalars anywhere under n (but not under skip) that mention `needs.<id>`
 * or `jobs.<id>` in an expression. */
static const hf_ynode *find_expr_ref(const hf_ynode *n, const char *id, const hf_vec *skip)
{
    for (size_t i = 0; i < skip->len; i++)
        if (skip->items[i] == n)
            return NULL;
    if (n->kind == HF_Y_SCALAR) {
        const char *prefixes[] = {"needs.", "jobs."};
        size_t idl = strlen(id);
        for (size_t p = 0; p < 2; p++)
            for (const char *s = strstr(n->value, prefixes[p]); s; s = strstr(s + 1, prefixes[p])) {
                const char *t = s + strlen(prefixes[p]);
                int before_ok = s == n->value ||
                                !(s[-1] == '_' || s[-1] == '-' || s[-1] == '.' ||
                                  (s[-1] >= 'a' && s[-1] <= 'z') ||
                                  (s[-1] >= 'A' && s[-1] <= 'Z') || (s[-1] >= '0' && s[-1] <= '9'));
                if (before_ok && strncmp(t, id, idl) == 0 &&
                    (t[idl] == '.' || t[idl] == ' ' || t[idl] == '}' || t[idl] == '\0' ||
                     t[idl] == ')' || t[idl] == '['))
                    return n;
            }
        return NULL;
    }
    for (size_t i = 0; i < n->len; i++) {
        const hf_ynode *hit = find_expr_ref(n->kids[i], id, skip);
        if (hit)
            return hit;
    }
    return NULL;
}

/* Before a job stops being a job with steps, other jobs may read its
 * outputs; say so, since the reusable workflow must provide them. */
static void note_outputs(hf_op_run *r, const hf_ydoc *doc, const hf_ynode *job, const char *id)
{
    if (!hf_ynode_get(job, "outputs"))
        return;
    hf_vec skip = HF_VEC_INIT;
    hf_vec_push(&skip, (void *)job);
    const hf_ynode *ref = find_expr_ref(doc->root, id, &skip);
    if (ref)
        hf_op_note(r,
                   "%s:%d:%d: job '%s' had outputs that are still read here; check that the "
                   "reusable workflow provides them",
                   doc->path, ref->line, ref->col, id);
    hf_vec_free(&skip, NULL);
}

int hf_op_make_caller(hf_op_run *r, hf_ydoc *doc, hf_ynode *job, hf_ynode *extra, hf_error *err)
{
    static const char *const keep[] = {"name",        "needs",    "if",
                                       "concurrency", "strategy", "permissions"};
    const hf_ynode *id = NULL;
    hf_ynode *jobs = hf_op_jobs(doc);
    for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs) && !id; j++)
        if (hf_ynode_val(jobs, j) == job)
            id = hf_ynode_key(jobs, j);
    if (id) {
        note_outputs(r, doc, job, id->value);
        /* a caller job cannot keep these: say so where they mattered */
        const hf_ynode *env = hf_ynode_get(job, "environment");
        const char *name = env && env->kind == HF_Y_SCALAR ? env->value
                           : env ? hf_ynode_text(hf_ynode_get(env, "name"))
                                 : NULL;
        if (env)
            hf_op_note(r,
                       "%s:%d:%d: job '%s' had environment '%s'; a job that calls a reusable "
                       "workflow cannot have one: its protection rules must come from the "
                       "called workflow",
                       doc->path, env->line, env->col, id->value, name ? name : "?");
    }
    /* the job's own permissions block stays, byte for byte, when it already
     * grants what the adapter asks, in whatever order */
    const hf_ynode *want = hf_ynode_get(extra, "permissions");
    if (want && hf_ynode_equal_unordered(want, hf_ynode_get(job, "permissions"))) {
        hf_ynode *rest = hf_ynode_map();
        for (size_t i = 0; i < hf_ynode_pairs(extra); i++)
            if (!hf_ynode_is(hf_ynode_key(extra, i), "permissions"))
                hf_ynode_map_put(rest, hf_ynode_copy(hf_ynode_key(extra, i)),
                                 hf_ynode_copy(hf_ynode_val(extra, i)));
        hf_ynode_free(extra);
        extra = rest;
        want = NULL;
    }
    size_t nkeep = want ? 5 : 6;
    return hf_yedit_rebuild_map(doc, job, keep, nkeep, extra, err);
}

int hf_op_make_uses_step(hf_op_run *r, hf_ydoc *doc, hf_ynode *step, hf_ynode *extra, hf_error *err)
{
    static const char *const keep[] = {"id", "name", "if"};
    (void)r;
    return hf_yedit_rebuild_map(doc, step, keep, 3, extra, err);
}

/* The adapter a replace-job or replace-step uses: its own `uses`/`with`/...
 * when written, else its capability's. */
static const hf_adapter *step_adapter(hf_op_run *r, hf_adapter *own, int job, hf_error *err)
{
    const hf_step *st = r->step;
    if (st->uses) {
        memset(own, 0, sizeof(*own));
        own->mark = st->mark;
        if (job)
            own->workflow = st->uses;
        else
            own->action = st->uses;
        own->uses_mark = st->uses_mark;
        own->with = st->with;
        own->secrets = st->secrets;
        own->permissions = st->permissions;
        own->needs_oidc = st->needs_oidc;
        return own;
    }
    const hf_capability *c =
        st->capability && r->ctx->cfg ? hf_config_capability(r->ctx->cfg, st->capability) : NULL;
    const hf_adapter *a = c ? c->adapter : NULL;
    if (!a) {
        hf_error_set(err, "the step has no `uses` and capability '%s' has no adapter",
                     st->capability  ? st->capability
                     : st->exception ? st->exception
                                     : "by-route");
        return NULL;
    }
    if (job ? !a->workflow : !a->action) {
        hf_error_set(
            err, "capability '%s' is called through %s; a %s step needs %s", st->capability,
            a->workflow ? "a reusable workflow" : "an action", job ? "replace-job" : "replace-step",
            job ? "a reusable workflow (use replace-step)" : "an action (use replace-job)");
        return NULL;
    }
    return a;
}

/* The target of an adapter without its template variables, for telling a
 * job that already calls it: "owner/repo/path" before the @. */
static int calls_target(const hf_ynode *node, const hf_adapter *a)
{
    const char *uses = hf_ynode_text(hf_ynode_get(node, "uses"));
    const char *target = a->workflow ? a->workflow : a->action;
    const char *at = strchr(target, '@');
    size_t n = at ? (size_t)(at - target) : strlen(target);
    return uses && !strchr(target, '{') && !strncmp(uses, target, n) && uses[n] == '@';
}

/* replace-job, one job: it becomes a caller of the adapter (ctx). */
static int replace_job(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, void *ctx,
                       hf_error *err)
{
    const hf_adapter *a = ctx;
    if (job->kind != HF_Y_MAP || hf_op_held(r, doc->path, id))
        return 0;
    if (calls_target(job, a)) {
        r->rep->matched++;
        r->rep->converged++;
        return 0;
    }
    hf_vars vars = HF_VARS_INIT;
    hf_buf what = HF_BUF_INIT;
    hf_vars_copy(&vars, &r->vars);
    hf_buf_printf(&what, "%s: job '%s'", doc->path, id);
    hf_subject_ref s = {HF_SUBJ_JOB, doc, id, job, NULL, doc->path, NULL, 0};
    int m = hf_ynode_get(job, "steps")
                ? hf_op_test(r, r->step->where, &s, &vars, hf_buf_cstr(&what), err)
                : 0;
    hf_buf_free(&what);
    if (m == 1) {
        hf_ynode *extra = NULL;
        hf_error why;
        r->rep->matched++;
        hf_op_job_vars(r->ctx->cfg, doc, id, job, &vars);
        if (hf_adapter_job(a, &vars, &extra, &why) < 0) {
            hf_op_leave(r, doc->path, id, "%s:%d:%d: job '%s': %s", doc->path, job->line, job->col,
                        id, why.msg);
            hf_adapter_unblock(r);
        } else {
            hf_op_record_handed(r, doc, job, r->step->capability);
            if (hf_op_make_caller(r, doc, job, extra, err) < 0 || hf_op_store_yaml(r, doc, err) < 0)
                m = -1;
        }
    }
    hf_vars_free(&vars);
    return m < 0 ? -1 : 0;
}

int hf_op_replace_job(hf_op_run *r, hf_error *err)
{
    hf_adapter own;
    const hf_adapter *a = step_adapter(r, &own, 1, err);
    return a ? hf_op_each_job(r, replace_job, (void *)a, err) : -1;
}

/* replace-step, one job: its steps `where` holds for become steps of the
 * action adapter (ctx); the job goes whole or not at all. */
static int replace_steps(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, void *ctx,
                         hf_error *err)
{
    const hf_adapter *a = ctx;
    hf_ynode *steps = hf_ynode_get(job, "steps");
    hf_subject_ref js = {HF_SUBJ_JOB, doc, id, job, NULL, doc->path, NULL, 0};
    int m = steps && steps->kind == HF_Y_SEQ && !hf_op_held(r, doc->path, id);
    if (m && r->step->in_job) {
        hf_buf what = HF_BUF_INIT;
        hf_buf_printf(&what, "%s: job '%s'", doc->path, id);
        m = hf_op_test(r, r->step->in_job, &js, NULL, hf_buf_cstr(&what), err);
        hf_buf_free(&what);
    }
    int changed = 0, left = 0, converged = 0;
    for (size_t i = steps ? steps->len : 0; m == 1 && i-- > 0;) {
        hf_ynode *item = steps->kids[i];
        if (item->kind != HF_Y_MAP)
            continue;
        if (calls_target(item, a)) {
            converged++;
            continue;
        }
        hf_vars vars = HF_VARS_INIT;
        hf_buf what = HF_BUF_INIT;
        hf_vars_copy(&vars, &r->vars);
        hf_buf_printf(&what, "%s: job '%s' step %zu", doc->path, id, i + 1);
        hf_subject_ref s = {HF_SUBJ_STEP, doc, id, job, item, doc->path, NULL, 0};
        int t = hf_op_test(r, r->step->where, &s, &vars, hf_buf_cstr(&what), err);
        hf_buf_free(&what);
        if (t == 1) {
            hf_ynode *extra = NULL;
            hf_error why;
            r->rep->matched++;
            hf_op_job_vars(r->ctx->cfg, doc, id, job, &vars);
            hf_op_step_vars(item, &vars);
            if (hf_adapter_step(a, &vars, &extra, &why) < 0) {
                hf_op_leave(r, doc->path, id, "%s:%d:%d: job '%s' step %zu: %s", doc->path,
                            item->line, item->col, id, i + 1, why.msg);
                left = 1;
            } else if (hf_op_make_uses_step(r, doc, item, extra, err) < 0) {
                t = -1;
            } else {
                changed = 1;
            }
        }
        hf_vars_free(&vars);
        if (t < 0)
            m = -1;
    }
    r->rep->matched += (size_t)converged;
    r->rep->converged += (size_t)converged;
    if (m == 1 && (changed || converged) && !left && a->needs_oidc &&
        hf_op_grant_oidc(doc, job, id, err) < 0)
        m = -1;
    if (m == 1 && changed && left)
        return 0; /* the job goes whole or not at all */
    if (m == 1 && hf_op_store_yaml(r, doc, err) < 0)
        m = -1;
    return m < 0 ? -1 : 0;
}

int hf_op_replace_step(hf_op_run *r, hf_error *err)
{
    hf_adapter own;
    const hf_adapter *a = step_adapter(r, &own, 0, err);
    return a ? hf_op_each_job(r, replace_steps, (void *)a, err) : -1;
}

/* Gives the job `id-token: write`. Job permissions replace the workflow's
 * (or the defaults), so a job without its own block gets the workflow's
 * grants (or `contents: read`) plus the new one. */
int hf_op_grant_oidc(hf_ydoc *doc, hf_ynode *job, const char *id, hf_error *err)
{
    hf_ynode *perms = hf_ynode_get(job, "permissions");
    if (perms) {
        if (perms->kind == HF_Y_SCALAR) {
            if (hf_ynode_is(perms, "write-all"))
                return 0;
            return hf_error_set(err,
                                "%s:%d:%d: job '%s' has `permissions: %s`; write it as a map so "
                                "`id-token: write` can be added",
                                doc->path, perms->line, perms->col, id, perms->value);
        }
        if (perms->kind != HF_Y_MAP)
            return content_error(doc, perms, err, "unexpected permissions in job", id);
        hf_ynode *idt = hf_ynode_get(perms, "id-token");
        if (hf_ynode_is(idt, "write"))
            return 0;
        if (idt)
            return hf_yedit_replace(doc, idt, hf_ynode_scalar("write", 5, HF_YS_PLAIN), err);
        return hf_yedit_insert_pair(doc, perms, hf_ynode_pairs(perms),
                                    hf_ynode_scalar("id-token", 8, HF_YS_PLAIN),
                                    hf_ynode_scalar("write", 5, HF_YS_PLAIN), err);
    }
    const hf_ynode *wf = hf_ynode_get(doc->root, "permissions");
    if (hf_ynode_is(wf, "write-all"))
        return 0;
    if (wf && wf->kind == HF_Y_SCALAR && !hf_ynode_is(wf, ""))
        return hf_error_set(err,
                            "%s:%d:%d: the workflow has `permissions: %s`; job '%s' needs "
                            "`id-token: write`: write the permissions as a map",
                            doc->path, wf->line, wf->col, wf->value, id);
    hf_ynode *grant = hf_ynode_map();
    for (size_t i = 0; wf && i < hf_ynode_pairs(wf); i++)
        if (!hf_ynode_is(hf_ynode_key(wf, i), "id-token") &&
            hf_ynode_val(wf, i)->kind == HF_Y_SCALAR)
            hf_ynode_map_put(grant, hf_ynode_copy(hf_ynode_key(wf, i)),
                             hf_ynode_copy(hf_ynode_val(wf, i)));
    if (!grant->len)
        hf_ynode_map_put(grant, hf_ynode_scalar("contents", 8, HF_YS_PLAIN),
                         hf_ynode_scalar("read", 4, HF_YS_PLAIN));
    hf_ynode_map_put(grant, hf_ynode_scalar("id-token", 8, HF_YS_PLAIN),
                     hf_ynode_scalar("write", 5, HF_YS_PLAIN));
    size_t at = hf_ynode_find(job, "steps");
    if (at == (size_t)-1 || at == 0)
        at = hf_ynode_pairs(job);
    return hf_yedit_insert_pair(doc, job, at, hf_ynode_scalar("permissions", 11, HF_YS_PLAIN),
                                grant, err);
}

static int is_removed(const hf_vec *removed_ids, const hf_ynode *n)
{
    for (size_t i = 0; i < removed_ids->len; i++)
        if (hf_ynode_is(n, removed_ids->items[i]))
            return 1;
    return 0;
}

/* Drops the removed jobs from job's `needs:` (scalar or list); a list that
 * would be left empty goes with its key. */
static int fix_needs(hf_ydoc *doc, hf_ynode *job, const hf_vec *removed_ids, hf_error *err)
{
    size_t at = hf_ynode_find(job, "needs");
    if (at == (size_t)-1)
        return 0;
    hf_ynode *needs = hf_ynode_val(job, at);
    if (needs->kind == HF_Y_SCALAR)
        return is_removed(removed_ids, needs) ? hf_yedit_remove_pair(doc, job, at, err) : 0;
    if (needs->kind != HF_Y_SEQ)
        return 0;
    size_t gone = 0;
    for (size_t i = 0; i < needs->len; i++)
        gone += (size_t)is_removed(removed_ids, needs->kids[i]);
    if (gone == 0)
        return 0;
    if (gone == needs->len)
        return hf_yedit_remove_pair(doc, job, at, err);
    for (size_t i = needs->len; i-- > 0;)
        if (is_removed(removed_ids, needs->kids[i]) && hf_yedit_remove_item(doc, needs, i, err) < 0)
            return -1;
    return 0;
}

/* Other workflows that call this one (`uses: ./.github/workflows/<file>`). */
static int called_by(hf_op_run *r, const char *path, hf_buf *who)
{
    hf_vec all = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT, needle = HF_BUF_INIT;
    hf_error ignore;
    int found = 0;
    hf_buf_printf(&needle, "./%s", path);
    hf_overlay_list(r->ctx->overlay, WORKFLOWS, &all);
    for (size_t i = 0; i < all.len && !found; i++) {
        if (!strcmp(all.items[i], path))
            continue;
        if (hf_overlay_read_text(r->ctx->overlay, all.items[i], &text, &ignore) == 0 &&
            memmem(text.ptr ? text.ptr : "", text.len, needle.ptr, needle.len)) {
            hf_buf_puts(who, all.items[i]);
            found = 1;
        }
    }
    hf_vec_free(&all, free);
    hf_buf_free(&text);
    hf_buf_free(&needle);
    return found;
}

int hf_op_remove_job(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    int rc = -1;
    hf_op_select(r, &r->step->files, WORKFLOWS, &files);
    for (size_t f = 0; f < files.len; f++) {
        hf_ydoc doc = HF_YDOC_INIT;
        hf_vec removed = HF_VEC_INIT, ids = HF_VEC_INIT; /* job nodes; their ids */
        int bad = 0;
        if (hf_op_load_yaml(r, files.items[f], &doc, err) < 0)
            goto done;
        hf_matcher_reset(r->matcher);
        hf_ynode *jobs = hf_op_jobs(&doc);
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs) && !bad; j++) {
            hf_ynode *id = hf_ynode_key(jobs, j), *job = hf_ynode_val(jobs, j);
            if (job->kind != HF_Y_MAP || !hf_ynode_get(job, "steps") ||
                hf_op_held(r, doc.path, id->value))
                continue;
            hf_buf what = HF_BUF_INIT;
            hf_buf_printf(&what, "%s: job '%s'", doc.path, id->value);
            hf_subject_ref s = {HF_SUBJ_JOB, &doc, id->value, job, NULL, doc.path, NULL, 0};
            int m = hf_op_test(r, r->step->where, &s, NULL, hf_buf_cstr(&what), err);
            hf_buf_free(&what);
            if (m < 0)
                bad = 1;
            else if (m) {
                hf_vec_push(&removed, job);
                hf_vec_push(&ids, hf_xstrdup(id->value));
                /* what it ran goes with it (deleted when nothing else runs it) */
                hf_op_record_handed(r, &doc, job,
                                    r->step->capability ? r->step->capability : r->step->exception);
            }
        }
        if (!bad && removed.len && removed.len == hf_ynode_pairs(jobs)) {
            /* nothing of the workflow is left: the file goes, unless another
             * workflow calls it */
            hf_buf who = HF_BUF_INIT;
            if (called_by(r, doc.path, &who)) {
                hf_op_leave(r, doc.path, NULL,
                            "%s:%d:%d: every job of this workflow goes, but %s calls it; "
                            "left as it is",
                            doc.path, jobs->line, jobs->col, hf_buf_cstr(&who));
            } else {
                r->rep->matched += removed.len;
                if (hf_overlay_delete(r->ctx->overlay, doc.path, &r->prov, err) < 0)
                    bad = 1;
                else
                    hf_op_note(r, "%s: every job went, so the workflow was deleted", doc.path);
            }
            hf_buf_free(&who);
            hf_vec_free(&removed, NULL);
            hf_vec_free(&ids, free);
            hf_ydoc_free(&doc);
            if (bad)
                goto done;
            continue;
        }
        for (size_t i = 0; i < ids.len && !bad; i++) {
            hf_vec skip = HF_VEC_INIT;
            for (size_t k = 0; k < removed.len; k++)
                hf_vec_push(&skip, removed.items[k]);
            const hf_ynode *ref = find_expr_ref(doc.root, ids.items[i], &skip);
            hf_vec_free(&skip, NULL);
            if (ref) {
                hf_error_set(err, "%s:%d:%d: still reads the outputs or result of job '%s'",
                             doc.path, ref->line, ref->col, (const char *)ids.items[i]);
                bad = 1;
            }
        }
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs) && !bad && removed.len; j++) {
            hf_ynode *job = hf_ynode_val(jobs, j);
            int gone = 0;
            for (size_t k = 0; k < removed.len; k++)
                gone |= removed.items[k] == job;
            if (!gone && job->kind == HF_Y_MAP && fix_needs(&doc, job, &ids, err) < 0)
                bad = 1;
        }
        for (size_t k = 0; k < removed.len && !bad; k++) {
            size_t at = (size_t)-1;
            for (size_t j = 0; j < hf_ynode_pairs(jobs); j++)
                if (hf_ynode_val(jobs, j) == removed.items[k])
                    at = j;
            if (hf_yedit_remove_pair(&doc, jobs, at, err) < 0)
                bad = 1;
        }
        r->rep->matched += removed.len;
        hf_vec_free(&removed, NULL);
        hf_vec_free(&ids, free);
        if (bad || hf_op_store_yaml(r, &doc, err) < 0) {
            hf_ydoc_free(&doc);
            goto done;
        }
        hf_ydoc_free(&doc);
    }
    rc = 0;
done:
    hf_vec_free(&files, free);
    return rc;
}
