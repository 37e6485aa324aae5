/* Predicate evaluation (see match.h). */
#include "edit/match.h"

#include <stdlib.h>
#include <string.h>

#include "util/comments.h"
#include "edit/seethrough.h"
#include "util/mem.h"

#define MAX_REF_DEPTH 32

struct hf_matcher {
    hf_overlay *ov;
    hf_regex_cache *regexes;
    hf_regex_cache *own;       /* when the caller gave none */
    const hf_ynode *exec_step; /* the step whose code exec holds */
    hf_vec exec;               /* hf_executed * */
    const hf_ynode *callee_of; /* the job whose local reusable workflow callee holds */
    hf_ydoc callee;
    bool has_callee;
    hf_buf scratch;
};

hf_matcher *hf_matcher_new(hf_overlay *ov, hf_regex_cache *regexes)
{
    hf_matcher *m = hf_xcalloc(1, sizeof(*m));
    m->ov = ov;
    m->callee = (hf_ydoc)HF_YDOC_INIT;
    if (!regexes)
        regexes = m->own = hf_regex_cache_new();
    m->regexes = regexes;
    return m;
}

void hf_matcher_forget_steps(hf_matcher *m)
{
    hf_vec_free(&m->exec, hf_executed_free);
    m->exec_step = NULL;
}

void hf_matcher_reset(hf_matcher *m)
{
    hf_matcher_forget_steps(m);
    hf_ydoc_free(&m->callee);
    m->callee_of = NULL;
    m->has_callee = false;
}

void hf_matcher_free(hf_matcher *m)
{
    if (!m)
        return;
    hf_matcher_reset(m);
    hf_regex_cache_free(m->own);
    hf_buf_free(&m->scratch);
    free(m);
}

const hf_vec *hf_matcher_executes(hf_matcher *m, const hf_subject_ref *s)
{
    if (m->exec_step != s->step) {
        hf_matcher_forget_steps(m);
        hf_step_executes(m->ov, s->path, s->job, s->step, &m->exec);
        m->exec_step = s->step;
    }
    return &m->exec;
}

const hf_ydoc *hf_matcher_callee(hf_matcher *m, const hf_ynode *job)
{
    if (m->callee_of != job) {
        hf_ydoc_free(&m->callee);
        m->callee = (hf_ydoc)HF_YDOC_INIT;
        m->has_callee = job && hf_job_callee(m->ov, job, &m->callee) == 1;
        m->callee_of = job;
    }
    return m->has_callee ? &m->callee : NULL;
}

static void put_lines(hf_buf *out, const hf_ynode *n, int indent)
{
    if (!n)
        return;
    if (n->kind == HF_Y_SCALAR) {
        hf_buf_puts(out, n->value);
        return;
    }
    if (n->kind == HF_Y_SEQ) {
        for (size_t i = 0; i < n->len; i++) {
            if (out->len)
                hf_buf_putc(out, '\n');
            hf_buf_printf(out, "%*s", indent, "");
            put_lines(out, n->kids[i], indent + 2);
        }
        return;
    }
    for (size_t i = 0; i < hf_ynode_pairs(n); i++) {
        const hf_ynode *v = hf_ynode_val(n, i);
        if (out->len)
            hf_buf_putc(out, '\n');
        hf_buf_printf(out, "%*s%s:", indent, "", hf_ynode_key(n, i)->value);
        if (v->kind == HF_Y_SCALAR)
            hf_buf_printf(out, " %s", v->value);
        else
            put_lines(out, v, indent + 2);
    }
}

void hf_map_field_text(const hf_ynode *field, hf_buf *out)
{
    hf_buf_clear(out);
    put_lines(out, field, 0);
}

static const hf_ynode *subject_node(const hf_subject_ref *s)
{
    return s->kind == HF_SUBJ_STEP ? s->step : s->job;
}

static const char *map_key(hf_field f)
{
    switch (f) {
    case HF_FIELD_WITH:
        return "with";
    case HF_FIELD_ENV:
        return "env";
    case HF_FIELD_SECRETS:
        return "secrets";
    case HF_FIELD_PERMISSIONS:
        return "permissions";
    case HF_FIELD_NAME:
        return "name";
    case HF_FIELD_USES:
        return "uses";
    case HF_FIELD_IF:
        return "if";
    case HF_FIELD_NEEDS:
        return "needs";
    case HF_FIELD_RUNS_ON:
        return "runs-on";
    case HF_FIELD_RUN:
        return "run";
    default:
        return NULL;
    }
}

int hf_workflow_triggers(const hf_ynode *root, hf_buf *out)
{
    const hf_ynode *on = hf_ynode_get(root, "on");
    hf_buf_clear(out);
    if (!on)
        return 0;
    if (on->kind == HF_Y_SCALAR)
        hf_buf_puts(out, on->value);
    for (size_t i = 0; on->kind == HF_Y_SEQ && i < on->len; i++)
        if (on->kids[i]->kind == HF_Y_SCALAR)
            hf_buf_printf(out, "%s%s", out->len ? "\n" : "", on->kids[i]->value);
    for (size_t i = 0; on->kind == HF_Y_MAP && i < hf_ynode_pairs(on); i++)
        hf_buf_printf(out, "%s%s", out->len ? "\n" : "", hf_ynode_key(on, i)->value);
    return 1;
}

/* The triggers of a workflow file's text; 0 when it is no workflow. */
static int file_triggers(const hf_subject_ref *s, hf_buf *out)
{
    const char *ext = strrchr(s->path, '.');
    if (!ext || (strcmp(ext, ".yml") && strcmp(ext, ".yaml")))
        return 0;
    hf_ydoc doc = HF_YDOC_INIT;
    hf_error err;
    int rc = hf_ydoc_parse(&doc, s->path, s->text, s->len, NULL, &err) == 0 &&
             hf_workflow_triggers(doc.root, out);
    hf_ydoc_free(&doc);
    return rc;
}

/* The text a TEXT test reads; 0 when the field is absent. */
static int field_text(const hf_pred *p, const hf_subject_ref *s, hf_buf *out)
{
    hf_buf_clear(out);
    if (p->field == HF_FIELD_ON)
        return s->kind == HF_SUBJ_FILE ? file_triggers(s, out)
                                       : hf_workflow_triggers(s->doc->root, out);
    if (s->kind == HF_SUBJ_FILE) {
        if (p->field == HF_FIELD_PATH) {
            hf_buf_puts(out, s->path);
            return 1;
        }
        if (p->comments)
            hf_buf_put(out, s->text, s->len);
        else
            hf_strip_comments(hf_lang_of(s->path, s->text, s->len), s->text, s->len, out);
        return 1;
    }
    const hf_ynode *node = subject_node(s);
    if (p->field == HF_FIELD_ID) {
        const char *id =
            s->kind == HF_SUBJ_JOB ? s->job_id : hf_ynode_text(hf_ynode_get(node, "id"));
        if (!id)
            return 0;
        hf_buf_puts(out, id);
        return 1;
    }
    const hf_ynode *v = hf_ynode_get(node, map_key(p->field));
    if (!v)
        return 0;
    if (p->field == HF_FIELD_RUN && v->kind == HF_Y_SCALAR && !p->comments) {
        hf_strip_comments(HF_LANG_SHELL, v->value, strlen(v->value), out);
        return 1;
    }
    put_lines(out, v, 0);
    return 1;
}

static void note_failure(hf_buf *why, const hf_pred *p, const char *what)
{
    if (!why || why->len)
        return;
    hf_buf_printf(why, "%s:%d:%d: %s", p->mark.file ? p->mark.file : "predicate", p->mark.line,
                  p->mark.col, what);
}

static int search(hf_matcher *m, const hf_pred *p, const char *text, size_t len, const char *path,
                  hf_vars *captures, hf_error *err)
{
    hf_regex *re = NULL;
    size_t ms, me;
    if (hf_regex_cache_get(m->regexes, p->pattern, p->pattern_mark, &re, err) < 0)
        return -1;
    int rc = hf_regex_search(re, text, len, 0, path, &ms, &me, err);
    if (rc == 1 && captures)
        hf_regex_captures(re, text, captures);
    return rc;
}

static int eval_script(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
                       hf_buf *why, hf_error *err)
{
    const hf_vec *code = hf_matcher_executes(m, s);
    hf_buf text = HF_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < code->len && rc == 0; i++) {
        const hf_executed *e = code->items[i];
        if (!e->text.len)
            continue;
        if (p->comments) {
            hf_buf_clear(&text);
            hf_buf_put(&text, e->text.ptr, e->text.len);
        } else {
            hf_strip_comments(e->lang, e->text.ptr, e->text.len, &text);
        }
        rc = search(m, p, hf_buf_cstr(&text), text.len, e->path, captures, err);
        if (rc == 1 && captures)
            hf_vars_set(captures, "script", e->path);
    }
    hf_buf_free(&text);
    if (rc == 0)
        note_failure(why, p,
                     code->len ? "'script': the code the step runs does not match"
                               : "'script': the step runs no code from the repository");
    return rc;
}

static int eval(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
                hf_buf *why, hf_error *err, int depth);

int hf_matcher_job_step(hf_matcher *m, const hf_subject_ref *s, size_t n, hf_subject_ref *out)
{
    *out = *s;
    out->kind = HF_SUBJ_STEP;
    const hf_ynode *steps = hf_ynode_get(s->job, "steps");
    if (steps && steps->kind == HF_Y_SEQ) {
        if (n >= steps->len)
            return 0;
        out->step = steps->kids[n];
        return 1;
    }
    const hf_ydoc *callee = hf_matcher_callee(m, s->job);
    const hf_ynode *jobs = callee ? hf_ynode_get(callee->root, "jobs") : NULL;
    for (size_t j = 0; jobs && jobs->kind == HF_Y_MAP && j < hf_ynode_pairs(jobs); j++) {
        const hf_ynode *job = hf_ynode_val(jobs, j);
        const hf_ynode *cs = hf_ynode_get(job, "steps");
        size_t len = cs && cs->kind == HF_Y_SEQ ? cs->len : 0;
        if (n < len) {
            *out = (hf_subject_ref){
                HF_SUBJ_STEP, callee, hf_ynode_key(jobs, j)->value, job, cs->kids[n], callee->path,
                NULL,         0};
            return 1;
        }
        n -= len;
    }
    return 0;
}

static int eval_has_step(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s,
                         hf_vars *captures, hf_buf *why, hf_error *err, int depth)
{
    hf_subject_ref st;
    if (!hf_matcher_job_step(m, s, 0, &st)) {
        note_failure(why, p, "'has-step': the job has no steps");
        return 0;
    }
    hf_buf first = HF_BUF_INIT;
    for (size_t i = 0; hf_matcher_job_step(m, s, i, &st); i++) {
        if (st.step->kind != HF_Y_MAP)
            continue;
        hf_vars scratch = HF_VARS_INIT;
        if (captures)
            hf_vars_copy(&scratch, captures);
        int rc = eval(m, p->kids.items[0], &st, captures ? &scratch : NULL,
                      first.len ? NULL : &first, err, depth);
        if (rc == 1 && captures) {
            hf_vars_free(captures);
            *captures = scratch;
        } else {
            hf_vars_free(&scratch);
        }
        if (rc != 0) {
            hf_buf_free(&first);
            return rc;
        }
    }
    if (why && !why->len) {
        hf_buf_printf(why, "%s:%d:%d: 'has-step': no step holds (step 1: %s)",
                      p->mark.file ? p->mark.file : "predicate", p->mark.line, p->mark.col,
                      first.len ? hf_buf_cstr(&first) : "-");
    }
    hf_buf_free(&first);
    return 0;
}

static int eval(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
                hf_buf *why, hf_error *err, int depth)
{
    if (depth > MAX_REF_DEPTH)
        return hf_error_set(err, "%s:%d:%d: predicates nest too deeply",
                            p->mark.file ? p->mark.file : "predicate", p->mark.line, p->mark.col);
    switch (p->kind) {
    case HF_PRED_REF:
        if (!p->target)
            return hf_error_set(err, "%s:%d:%d: unknown predicate '%s'",
                                p->mark.file ? p->mark.file : "predicate", p->mark.line,
                                p->mark.col, p->ref);
        return eval(m, p->target, s, captures, why, err, depth + 1);
    case HF_PRED_ALL: {
        hf_vars scratch = HF_VARS_INIT;
        if (captures)
            hf_vars_copy(&scratch, captures);
        int rc = 1;
        for (size_t i = 0; i < p->kids.len && rc == 1; i++)
            rc = eval(m, p->kids.items[i], s, captures ? &scratch : NULL, why, err, depth);
        if (rc == 1 && captures) {
            hf_vars_free(captures);
            *captures = scratch;
        } else {
            hf_vars_free(&scratch);
        }
        return rc;
    }
    case HF_PRED_ANY: {
        hf_buf first = HF_BUF_INIT;
        for (size_t i = 0; i < p->kids.len; i++) {
            int rc = eval(m, p->kids.items[i], s, captures, first.len ? NULL : &first, err, depth);
            if (rc != 0) {
                hf_buf_free(&first);
                return rc;
            }
        }
        if (why && !why->len)
            hf_buf_printf(why, "%s:%d:%d: 'any': none of %zu holds (the first: %s)",
                          p->mark.file ? p->mark.file : "predicate", p->mark.line, p->mark.col,
                          p->kids.len, hf_buf_cstr(&first));
        hf_buf_free(&first);
        return 0;
    }
    case HF_PRED_NOT: {
        int rc = eval(m, p->kids.items[0], s, NULL, NULL, err, depth);
        if (rc == 1)
            note_failure(why, p, "'not': the test inside holds");
        return rc < 0 ? -1 : !rc;
    }
    case HF_PRED_HAS_STEP:
        return eval_has_step(m, p, s, captures, why, err, depth);
    case HF_PRED_TEXT: {
        if (p->field == HF_FIELD_SCRIPT)
            return eval_script(m, p, s, captures, why, err);
        if (!field_text(p, s, &m->scratch)) {
            hf_buf msg = HF_BUF_INIT;
            hf_buf_printf(&msg, "'%s': absent", hf_field_name(p->field));
            note_failure(why, p, hf_buf_cstr(&msg));
            hf_buf_free(&msg);
            return 0;
        }
        /* the scratch buffer is reused by nested tests: match a copy */
        char *text = hf_xstrndup(m->scratch.ptr ? m->scratch.ptr : "", m->scratch.len);
        size_t len = m->scratch.len;
        int rc = search(m, p, text, len, s->path, captures, err);
        free(text);
        if (rc == 0) {
            hf_buf msg = HF_BUF_INIT;
            hf_buf_printf(&msg, "'%s' does not match", hf_field_name(p->field));
            note_failure(why, p, hf_buf_cstr(&msg));
            hf_buf_free(&msg);
        }
        return rc;
    }
    case HF_PRED_KEY: {
        const hf_ynode *map = hf_ynode_get(subject_node(s), map_key(p->field));
        const hf_ynode *v = map && map->kind == HF_Y_MAP ? hf_ynode_get(map, p->key) : NULL;
        hf_buf msg = HF_BUF_INIT;
        int rc;
        if (!p->pattern) {
            rc = (v != NULL) == p->present;
            if (!rc)
                hf_buf_printf(&msg, "'%s.%s' is %s", hf_field_name(p->field), p->key,
                              v ? "present" : "absent");
        } else if (!v) {
            rc = 0;
            hf_buf_printf(&msg, "'%s.%s' is absent", hf_field_name(p->field), p->key);
        } else {
            hf_buf text = HF_BUF_INIT;
            put_lines(&text, v, 0);
            rc = search(m, p, hf_buf_cstr(&text), text.len, s->path, captures, err);
            hf_buf_free(&text);
            if (rc == 0)
                hf_buf_printf(&msg, "'%s.%s' does not match", hf_field_name(p->field), p->key);
        }
        if (rc == 0)
            note_failure(why, p, hf_buf_cstr(&msg));
        hf_buf_free(&msg);
        return rc;
    }
    }
    return 0;
}

int hf_pred_eval(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
                 hf_buf *why, hf_error *err)
{
    if (why)
        hf_buf_clear(why);
    return eval(m, p, s, captures, why, err, 0);
}
