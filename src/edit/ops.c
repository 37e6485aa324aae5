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

void hf_step_report_free(hf_step_report *rep)
{
    hf_vec_free(&rep->notes, free);
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

static void push_text(hf_vec *texts, const hf_ynode *n)
{
    if (n && n->kind == HF_Y_SCALAR)
        hf_vec_push(texts, n->value);
}

void hf_op_step_texts(const hf_ynode *step, hf_vec *texts)
{
    push_text(texts, hf_ynode_get(step, "run"));
    push_text(texts, hf_ynode_get(step, "uses"));
    push_text(texts, hf_ynode_get(hf_ynode_get(step, "with"), "script"));
}

void hf_op_node_text(const hf_ydoc *doc, const hf_ynode *n, hf_buf *out)
{
    hf_buf_clear(out);
    if (n->placed && n->start <= n->end && n->end <= doc->text.len) {
        hf_buf_put(out, doc->text.ptr + n->start, n->end - n->start);
        return;
    }
    /* not from the text (built by an earlier edit): its steps' texts */
    const hf_ynode *steps = hf_ynode_get(n, "steps");
    hf_vec texts = HF_VEC_INIT;
    if (steps && steps->kind == HF_Y_SEQ)
        for (size_t i = 0; i < steps->len; i++)
            hf_op_step_texts(steps->kids[i], &texts);
    else
        hf_op_step_texts(n, &texts);
    for (size_t i = 0; i < texts.len; i++)
        hf_buf_printf(out, "%s%s", i ? "\n" : "", (const char *)texts.items[i]);
    hf_vec_free(&texts, NULL);
}

int hf_op_match_texts(hf_op_run *r, const hf_vec *texts, const char *path, hf_vars *vars,
                      hf_error *err)
{
    for (size_t i = 0; i < texts->len; i++) {
        const char *t = texts->items[i];
        size_t s, e;
        int m = hf_regex_search(r->re, t, strlen(t), 0, path, &s, &e, err);
        if (m < 0)
            return -1;
        if (m) {
            if (vars)
                hf_regex_captures(r->re, t, vars);
            return 1;
        }
    }
    return 0;
}

/* Named captures become variables: one named like a built-in would make a
 * recipe silently mean something else. */
static int check_capture_names(hf_op_run *r, hf_error *err)
{
    hf_vec names = HF_VEC_INIT;
    int rc = 0;
    hf_regex_group_names(r->re, &names);
    for (size_t i = 0; i < names.len && rc == 0; i++)
        if (hf_vars_get(&r->vars, names.items[i]))
            rc = hf_error_set(err, "%s:%d:%d: capture group '%s' has the name of a variable",
                              r->step->pattern_mark.file ? r->step->pattern_mark.file : "pattern",
                              r->step->pattern_mark.line, r->step->pattern_mark.col,
                              (const char *)names.items[i]);
    hf_vec_free(&names, NULL);
    return rc;
}

int hf_step_apply(const hf_edit_ctx *ctx, const hf_step *step, hf_step_report *rep, hf_error *err)
{
    hf_op_run r = {ctx, step, rep, {0}, HF_VARS_INIT, NULL};
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
    if (!step->capability == !step->exception) {
        hf_error_set(&inner, "a step needs exactly one link: capability or exception");
        goto fail;
    }
    if (step->pattern && step->op != HF_OP_EDIT) {
        /* edit compiles its own: its pattern runs over whole files */
        if (hf_regex_compile(&r.re, step->pattern, step->pattern_mark, &inner) < 0 ||
            check_capture_names(&r, &inner) < 0)
            goto fail;
    }

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
        goto fail;
    }
    hf_overlay_commit(ctx->overlay);
    rep->changes = hf_overlay_change_count(ctx->overlay) - changes_before;
    if (rep->matched == 0)
        hf_op_note(&r, "step %zu (%s) matched nothing", step->index, hf_op_name(step->op));
    goto done;
fail:
    rc = -1;
    hf_error_set(err, "%s:%d:%d: step %zu (%s): %s", step->mark.file ? step->mark.file : "recipe",
                 step->mark.line, step->mark.col, step->index, hf_op_name(step->op), inner.msg);
done:
    hf_regex_free(r.re);
    hf_vars_free(&r.vars);
    return rc;
}
