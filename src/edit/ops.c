/* Runs one recipe step: sets up its variables, pattern and provenance, calls
 * the operation inside an overlay transaction, checks `expect`, and puts the
 * step's mark in front of any error. */
#include "edit/ops_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/glob.h"
#include "util/mem.h"

const char *const hf_step_variables[] = {"capability", "exception", NULL};

void hf_left_free(void *p)
{
    hf_left *l = p;
    if (!l)
        return;
    free(l->text);
    free(l->unblock);
    free(l);
}

void hf_stale_free(void *p)
{
    hf_stale *s = p;
    if (!s)
        return;
    free(s->path);
    free(s->target);
    free(s->needle);
    free(s->now);
    free(s);
}

void hf_step_report_free(hf_step_report *rep)
{
    hf_vec_free(&rep->stale, hf_stale_free);
    hf_vec_free(&rep->notes, free);
    hf_vec_free(&rep->left, hf_left_free);
    hf_vec_free(&rep->examined, free);
}

void hf_op_note(hf_op_run *r, const char *fmt, ...)
{
    hf_buf b = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    hf_vec_push(&r->rep->notes, hf_buf_detach(&b));
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A glob written `!glob` excludes what it matches from the others. */
static int negated(const char *glob)
{
    return glob[0] == '!' && glob[1];
}

void hf_op_select(const hf_op_run *r, const hf_vec *globs, const char *dflt, hf_vec *paths)
{
    hf_vec all = HF_VEC_INIT;
    size_t positive = 0;
    for (size_t g = 0; g < globs->len; g++)
        positive += !negated(globs->items[g]);
    hf_overlay_list(r->ctx->overlay, NULL, &all);
    for (size_t i = 0; i < all.len; i++) {
        const char *p = all.items[i];
        int hit = 0;
        for (size_t g = 0; g < globs->len && !hit; g++)
            hit = !negated(globs->items[g]) && hf_glob_match(globs->items[g], p);
        if (!positive && dflt)
            hit = hf_glob_match(dflt, p);
        for (size_t g = 0; g < globs->len && hit; g++)
            if (negated(globs->items[g]) && hf_glob_match((const char *)globs->items[g] + 1, p))
                hit = 0;
        if (hit)
            hf_vec_push(paths, hf_xstrdup(p));
    }
    hf_vec_free(&all, free);
    hf_vec_sort(paths, str_cmp);
}

int hf_op_load_yaml(hf_op_run *r, const char *path, hf_ydoc *doc, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    int rc = hf_overlay_read_text(r->ctx->overlay, path, &text, err);
    if (rc == 0)
        rc = hf_ydoc_parse(doc, path, hf_buf_cstr(&text), text.len, r->ctx->yaml_limits, err);
    hf_buf_free(&text);
    return rc;
}

int hf_op_store_yaml(hf_op_run *r, hf_ydoc *doc, hf_error *err)
{
    hf_buf out = HF_BUF_INIT;
    int rc = 0;
    if (hf_yedit_pending(doc)) {
        rc = hf_yedit_commit(doc, &out, err);
        if (rc == 0)
            rc = hf_overlay_write(r->ctx->overlay, doc->path, out.ptr ? out.ptr : "", out.len, 0,
                                  &r->prov, err);
    }
    hf_buf_free(&out);
    return rc;
}

static void held_key(hf_buf *b, const char *path, const char *job)
{
    hf_buf_clear(b);
    hf_buf_puts(b, path);
    if (job)
        hf_buf_printf(b, "#%s", job);
}

void hf_op_leave(hf_op_run *r, const char *path, const char *job, const char *fmt, ...)
{
    hf_buf b = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    hf_left *l = hf_xcalloc(1, sizeof(*l));
    l->text = hf_buf_detach(&b);
    hf_vec_push(&r->rep->left, l);
    if (r->ctx->held && path && !hf_op_held(r, path, job)) {
        held_key(&b, path, job);
        hf_vec_push(r->ctx->held, hf_buf_detach(&b));
    }
    hf_buf_free(&b);
}

void hf_op_unblock(hf_op_run *r, bool policy, const char *fmt, ...)
{
    hf_left *l = hf_vec_get(&r->rep->left, r->rep->left.len - 1);
    if (!l)
        return;
    hf_buf b = HF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    hf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(l->unblock);
    l->unblock = hf_buf_detach(&b);
    l->policy = policy;
}

int hf_op_held(const hf_op_run *r, const char *path, const char *job)
{
    if (!r->ctx->held)
        return 0;
    hf_buf key = HF_BUF_INIT;
    int found = 0;
    for (int pass = 0; pass < 2 && !found; pass++) {
        held_key(&key, path, pass ? job : NULL);
        if (pass && !job)
            break;
        for (size_t i = 0; i < r->ctx->held->len && !found; i++)
            found = strcmp(r->ctx->held->items[i], hf_buf_cstr(&key)) == 0;
    }
    hf_buf_free(&key);
    return found;
}

void hf_op_examined(hf_op_run *r, const char *what, const hf_buf *why)
{
    if (!r->rep->verbose)
        return;
    hf_buf b = HF_BUF_INIT;
    hf_buf_printf(&b, "%s: %s", what, why && why->len ? hf_buf_cstr(why) : "does not match");
    hf_vec_push(&r->rep->examined, hf_buf_detach(&b));
}

int hf_op_test(hf_op_run *r, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
               const char *what, hf_error *err)
{
    hf_buf why = HF_BUF_INIT;
    int rc = hf_pred_eval(r->matcher, p, s, captures, r->rep->verbose ? &why : NULL, err);
    if (rc == 0)
        hf_op_examined(r, what, &why);
    hf_buf_free(&why);
    return rc;
}

/* Named captures become variables: one named like a built-in would make a
 * recipe silently mean something else. */
static int check_capture_names(hf_op_run *r, const hf_pred *p, hf_error *err)
{
    hf_vec names = HF_VEC_INIT;
    int rc = 0;
    hf_pred_capture_names(p, &names);
    for (size_t i = 0; i < names.len && rc == 0; i++)
        if (hf_vars_get(&r->vars, names.items[i]))
            rc = hf_error_set(err, "%s:%d:%d: capture group '%s' has the name of a variable",
                              p->mark.file ? p->mark.file : "predicate", p->mark.line, p->mark.col,
                              (const char *)names.items[i]);
    hf_vec_free(&names, free);
    return rc;
}

int hf_step_apply(const hf_edit_ctx *ctx, const hf_step *step, hf_step_report *rep, hf_error *err)
{
    hf_op_run r = {ctx, step, rep, {0}, HF_VARS_INIT, NULL};
    r.matcher = hf_matcher_new(ctx->overlay, ctx->regexes);
    hf_error inner;
    int rc = -1;
    size_t changes_before = hf_overlay_change_count(ctx->overlay);

    inner.msg[0] = '\0';
    r.prov.recipe = ctx->recipe;
    r.prov.step = step->index;
    r.prov.mark = step->mark;
    r.prov.capability = step->capability;
    r.prov.exception = step->exception;
    if (ctx->vars)
        hf_vars_copy(&r.vars, ctx->vars);
    if (step->capability)
        hf_vars_set(&r.vars, "capability", step->capability);
    if (step->exception)
        hf_vars_set(&r.vars, "exception", step->exception);
    if ((step->capability != NULL) + (step->exception != NULL) + step->by_route != 1) {
        hf_error_set(&inner, "a step needs exactly one link: capability or exception");
        goto fail;
    }
    if (check_capture_names(&r, step->where, &inner) < 0 ||
        check_capture_names(&r, step->in_job, &inner) < 0)
        goto fail;

    hf_overlay_begin(ctx->overlay);
    switch (step->op) {
    case HF_OP_REPLACE_JOB:
        rc = hf_op_replace_job(&r, &inner);
        break;
    case HF_OP_REPLACE_STEP:
        rc = hf_op_replace_step(&r, &inner);
        break;
    case HF_OP_REMOVE_JOB:
        rc = hf_op_remove_job(&r, &inner);
        break;
    case HF_OP_DELETE_WORKFLOW:
    case HF_OP_DELETE:
        rc = hf_op_delete(&r, &inner);
        break;
    case HF_OP_ARCHIVE:
        rc = hf_op_archive(&r, &inner);
        break;
    case HF_OP_EDIT:
        rc = hf_op_edit(&r, &inner);
        break;
    case HF_OP_WRITE:
        rc = hf_op_write(&r, &inner);
        break;
    case HF_OP_ADOPT_ADAPTER:
        rc = hf_op_adopt_adapter(&r, &inner);
        break;
    }
    if (rc == 0 && step->expect >= 0 && rep->matched != (size_t)step->expect) {
        hf_error_set(&inner, "expected %d match%s, found %zu", step->expect,
                     step->expect == 1 ? "" : "es", rep->matched);
        rc = -1;
    }
    if (rc < 0) {
        /* nothing the step did stays, so neither do its notes */
        hf_overlay_rollback(ctx->overlay);
        hf_vec_free(&rep->notes, free);
        hf_vec_free(&rep->left, hf_left_free);
        goto fail;
    }
    hf_overlay_commit(ctx->overlay);
    rep->changes = hf_overlay_change_count(ctx->overlay) - changes_before;
    goto done;
fail:
    rc = -1;
    hf_error_set(err, "%s:%d:%d: step %zu (%s): %s", step->mark.file ? step->mark.file : "recipe",
                 step->mark.line, step->mark.col, step->index, hf_op_name(step->op), inner.msg);
done:
    hf_matcher_free(r.matcher);
    hf_vars_free(&r.vars);
    return rc;
}
