/* Workflow operations: replace-job (a job becomes a reusable-workflow
 * caller), replace-step (a step becomes a `uses:` step, with the OIDC grant
 * it needs) and remove-job (with the `needs:` of other jobs fixed). All go
 * through the splice editor, so the rest of each file keeps its bytes. */
#include "edit/ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/glob.h"
#include "util/mem.h"

#define WORKFLOWS ".github/workflows/*.{yml,yaml}"

static hf_ynode *jobs_of(const hf_ydoc *doc)
{
    hf_ynode *jobs = hf_ynode_get(doc->root, "jobs");
    return jobs && jobs->kind == HF_Y_MAP ? jobs : NULL;
}

static int content_error(const hf_ydoc *doc, const hf_ynode *n, hf_error *err, const char *what,
                         const char *id)
{
    return hf_error_set(err, "%s:%d:%d: %s '%s'", doc->path, n->line, n->col, what, id);
}

/* Renders a step's `uses:` (a template) into a string node. */
static int render_uses(hf_op_run *r, const hf_vars *vars, hf_ynode **out, hf_error *err)
{
    hf_buf b = HF_BUF_INIT;
    const char *u = r->step->uses ? r->step->uses : "";
    if (!r->step->uses)
        return hf_error_set(err, "the step has no `uses`");
    /* hf_step keeps no mark for `uses`: positions are within its text */
    hf_mark origin = {"uses", 1, 1};
    if (hf_template_render(u, strlen(u), vars, origin, &b, err) < 0) {
        hf_buf_free(&b);
        return -1;
    }
    *out = hf_ynode_scalar(hf_buf_cstr(&b), b.len, HF_YS_DOUBLE);
    hf_buf_free(&b);
    return 0;
}

static int put_rendered(hf_ynode *map, const char *key, const hf_node *node, const hf_vars *vars,
                        hf_error *err)
{
    hf_ynode *v = NULL;
    if (!node)
        return 0;
    if (hf_template_render_node(node, vars, &v, err) < 0)
        return -1;
    hf_ynode_map_put(map, hf_ynode_scalar(key, strlen(key), HF_YS_PLAIN), v);
    return 0;
}

/* Whether node already is what the step would make of it: same uses, same
 * with, no steps/run left. Captures are unknown here, so a template using
 * them never counts as converged. */
static int already_done(hf_op_run *r, const hf_ynode *node, const char *leftover)
{
    hf_error ignore;
    hf_ynode *uses = NULL, *with = NULL;
    int same = 0;
    if (!hf_ynode_get(node, "uses") || hf_ynode_get(node, leftover))
        return 0;
    if (render_uses(r, &r->vars, &uses, &ignore) < 0)
        return 0;
    if (hf_ynode_equal(uses, hf_ynode_get(node, "uses"))) {
        const hf_ynode *have = hf_ynode_get(node, "with");
        if (!r->step->with)
            same = have == NULL;
        else if (hf_template_render_node(r->step->with, &r->vars, &with, &ignore) == 0)
            same = have && hf_ynode_equal(with, have);
    }
    hf_ynode_free(uses);
    hf_ynode_free(with);
    return same;
}

/* Does the job match the step's job id glob and/or pattern? The pattern
 * runs over the job's whole text (see hf_op_node_text), so it can combine
 * what several steps, the job's env and its name say; only a job that
 * still has steps can match (a caller job is already converted). */
static int job_matches(hf_op_run *r, const hf_ydoc *doc, const hf_ynode *id, const hf_ynode *job,
                       hf_vars *vars, hf_error *err)
{
    if (r->step->job && !hf_glob_match(r->step->job, id->value))
        return 0;
    if (!r->re)
        return r->step->job != NULL;
    const hf_ynode *steps = hf_ynode_get(job, "steps");
    if (!steps || steps->kind != HF_Y_SEQ)
        return 0;
    hf_buf text = HF_BUF_INIT;
    hf_vec texts = HF_VEC_INIT;
    hf_op_node_text(doc, job, &text);
    hf_vec_push(&texts, (void *)hf_buf_cstr(&text));
    int m = hf_op_match_texts(r, &texts, doc->path, vars, err);
    hf_vec_free(&texts, NULL);
    hf_buf_free(&text);
    return m;
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

int hf_op_replace_job(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    int rc = -1;
    if (!r->step->job && !r->re) {
        hf_error_set(err, "replace-job needs `job` or `pattern`");
        goto done;
    }
    hf_op_select(r, &r->step->files, WORKFLOWS, &files);
    for (size_t f = 0; f < files.len; f++) {
        hf_ydoc doc = HF_YDOC_INIT;
        size_t matched_here = 0;
        if (hf_op_load_yaml(r, files.items[f], &doc, err) < 0)
            goto done;
        hf_ynode *jobs = jobs_of(&doc);
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs); j++) {
            hf_ynode *id = hf_ynode_key(jobs, j), *job = hf_ynode_val(jobs, j);
            if (job->kind != HF_Y_MAP)
                continue;
            hf_vars vars = HF_VARS_INIT;
            hf_vars_copy(&vars, &r->vars);
            int m = job_matches(r, &doc, id, job, &vars, err);
            if (m <= 0) {
                hf_vars_free(&vars);
                if (m < 0) {
                    hf_ydoc_free(&doc);
                    goto done;
                }
                if (r->re && already_done(r, job, "steps")) {
                    r->rep->matched++;
                    r->rep->converged++;
                }
                continue;
            }
            r->rep->matched++;
            matched_here++;
            note_outputs(r, &doc, job, id->value);
            hf_ynode *extra = hf_ynode_map(), *uses = NULL;
            const char *keep[] = {"name", "needs", "if", "concurrency", "permissions"};
            size_t nkeep = r->step->permissions ? 4 : 5;
            int bad = put_rendered(extra, "permissions", r->step->permissions, &vars, err) < 0 ||
                      render_uses(r, &vars, &uses, err) < 0;
            if (!bad) {
                hf_ynode_map_put(extra, hf_ynode_scalar("uses", 4, HF_YS_PLAIN), uses);
                bad = put_rendered(extra, "with", r->step->with, &vars, err) < 0 ||
                      put_rendered(extra, "secrets", r->step->secrets, &vars, err) < 0;
            }
            hf_vars_free(&vars);
            if (bad || hf_yedit_rebuild_map(&doc, job, keep, nkeep, extra, err) < 0) {
                if (bad)
                    hf_ynode_free(extra);
                hf_ydoc_free(&doc);
                goto done;
            }
        }
        size_t before = hf_overlay_change_count(r->ctx->overlay);
        if (hf_op_store_yaml(r, &doc, err) < 0) {
            hf_ydoc_free(&doc);
            goto done;
        }
        if (hf_overlay_change_count(r->ctx->overlay) == before)
            r->rep->converged += matched_here;
        hf_ydoc_free(&doc);
    }
    rc = 0;
done:
    hf_vec_free(&files, free);
    return rc;
}

/* Gives the job `id-token: write`. Job permissions replace the workflow's
 * (or the defaults), so a job without its own block gets the workflow's
 * grants (or `contents: read`) plus the new one. */
static int grant_oidc(hf_ydoc *doc, hf_ynode *job, const char *id, hf_error *err)
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

int hf_op_replace_step(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    int rc = -1;
    if (!r->re) {
        hf_error_set(err, "replace-step needs `pattern`");
        goto done;
    }
    hf_op_select(r, &r->step->files, WORKFLOWS, &files);
    for (size_t f = 0; f < files.len; f++) {
        hf_ydoc doc = HF_YDOC_INIT;
        size_t matched_here = 0;
        if (hf_op_load_yaml(r, files.items[f], &doc, err) < 0)
            goto done;
        hf_ynode *jobs = jobs_of(&doc);
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs); j++) {
            hf_ynode *id = hf_ynode_key(jobs, j), *job = hf_ynode_val(jobs, j);
            hf_ynode *steps = hf_ynode_get(job, "steps");
            int oidc = 0;
            if (r->step->job && !hf_glob_match(r->step->job, id->value))
                continue;
            for (size_t s = 0; steps && steps->kind == HF_Y_SEQ && s < steps->len; s++) {
                hf_ynode *item = steps->kids[s];
                if (item->kind != HF_Y_MAP)
                    continue;
                hf_vec texts = HF_VEC_INIT;
                hf_vars vars = HF_VARS_INIT;
                hf_buf text = HF_BUF_INIT;
                hf_vars_copy(&vars, &r->vars);
                /* the step's whole text: run, uses, with, env, name */
                hf_op_node_text(&doc, item, &text);
                hf_vec_push(&texts, (void *)hf_buf_cstr(&text));
                int m = hf_op_match_texts(r, &texts, doc.path, &vars, err);
                hf_vec_free(&texts, NULL);
                hf_buf_free(&text);
                if (m <= 0) {
                    hf_vars_free(&vars);
                    if (m < 0) {
                        hf_ydoc_free(&doc);
                        goto done;
                    }
                    if (already_done(r, item, "run")) {
                        r->rep->matched++;
                        r->rep->converged++;
                        oidc |= r->step->needs_oidc;
                    }
                    continue;
                }
                r->rep->matched++;
                matched_here++;
                oidc |= r->step->needs_oidc;
                hf_ynode *extra = hf_ynode_map(), *uses = NULL;
                const char *keep[] = {"id", "name", "if"};
                int bad = render_uses(r, &vars, &uses, err) < 0;
                if (!bad) {
                    hf_ynode_map_put(extra, hf_ynode_scalar("uses", 4, HF_YS_PLAIN), uses);
                    bad = put_rendered(extra, "with", r->step->with, &vars, err) < 0;
                }
                hf_vars_free(&vars);
                if (bad || hf_yedit_rebuild_map(&doc, item, keep, 3, extra, err) < 0) {
                    if (bad)
                        hf_ynode_free(extra);
                    hf_ydoc_free(&doc);
                    goto done;
                }
            }
            if (oidc && grant_oidc(&doc, job, id->value, err) < 0) {
                hf_ydoc_free(&doc);
                goto done;
            }
        }
        size_t before = hf_overlay_change_count(r->ctx->overlay);
        if (hf_op_store_yaml(r, &doc, err) < 0) {
            hf_ydoc_free(&doc);
            goto done;
        }
        if (hf_overlay_change_count(r->ctx->overlay) == before)
            r->rep->converged += matched_here;
        hf_ydoc_free(&doc);
    }
    rc = 0;
done:
    hf_vec_free(&files, free);
    return rc;
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

int hf_op_remove_job(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    int rc = -1;
    if (!r->step->job && !r->re) {
        hf_error_set(err, "remove-job needs `job` or `pattern`");
        goto done;
    }
    hf_op_select(r, &r->step->files, WORKFLOWS, &files);
    for (size_t f = 0; f < files.len; f++) {
        hf_ydoc doc = HF_YDOC_INIT;
        hf_vec removed = HF_VEC_INIT, ids = HF_VEC_INIT; /* job nodes; their ids */
        int bad = 0;
        if (hf_op_load_yaml(r, files.items[f], &doc, err) < 0)
            goto done;
        hf_ynode *jobs = jobs_of(&doc);
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs) && !bad; j++) {
            hf_ynode *id = hf_ynode_key(jobs, j), *job = hf_ynode_val(jobs, j);
            int m = job_matches(r, &doc, id, job, NULL, err);
            if (m < 0)
                bad = 1;
            else if (m) {
                hf_vec_push(&removed, job);
                hf_vec_push(&ids, hf_xstrdup(id->value));
            }
        }
        if (!bad && removed.len && removed.len == hf_ynode_pairs(jobs)) {
            hf_error_set(err,
                         "%s:%d:%d: removing every job would leave an empty workflow; use "
                         "delete-workflow",
                         doc.path, jobs->line, jobs->col);
            bad = 1;
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
