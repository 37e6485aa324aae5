/* Validation-time checks of recipe templates (see check.h). */
#include "edit/check.h"
#include "edit/ops.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/path.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hf_repo_variables[] = {"repo",    "owner",    "name",    "family",
                                         "context", "contexts", "product", "today",
                                         "fleet",   "branch",   NULL};

/* The contract gate's home: plan sets these from fleet.yml's `gate` only
 * when it is there. */
static const char *const gate_variables[] = {"gate-repository", "gate-ref", "gate-version", NULL};

/* The archive marker and banners also see these. */
static const char *const archive_variables[] = {"set",           "archive",  "reason", "link",
                                                "justification", "manifest", "count",  "path",
                                                "marker",        NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static bool in_vec(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return true;
    return false;
}

typedef struct step_check {
    const hf_step *step; /* NULL for an adapter of capabilities.yml */
    hf_vec groups;       /* char *: named groups of the step's predicates */
    bool archive;
    bool job_vars;   /* a job's variables (input.X, matrix.X, needs.X, job, route) */
    bool fleet;      /* a template of fleet.yml: the repo's variables only */
    bool gate;       /* fleet.yml has a `gate` */
    char *gate_user; /* the first gate variable used without one, or NULL */
    hf_diags *diags;
    size_t errors;
} step_check;

/* Every job handed to an adapter has these; the dynamic families depend on
 * the workflow (a missing one leaves the job for a person, with why). */
static const char *const job_variables[] = {"job", "route", "capability", NULL};

static bool dynamic(const char *n)
{
    return !strncmp(n, "input.", 6) || !strncmp(n, "matrix.", 7) || !strncmp(n, "needs.", 6) ||
           !strncmp(n, "with.", 5);
}

static void check_text(step_check *sc, const char *text, size_t len, hf_mark origin,
                       const char *what)
{
    hf_vec names = HF_VEC_INIT;
    hf_error err;
    if (hf_template_names(text, len, origin, &names, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col, "%s: %s", what,
                     err.msg);
        sc->errors++;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *n = names.items[i];
        if (in_list(hf_repo_variables, n) || (!sc->fleet && in_list(hf_step_variables, n)) ||
            in_vec(&sc->groups, n) || (sc->archive && in_list(archive_variables, n)) ||
            (sc->job_vars && (in_list(job_variables, n) || dynamic(n))))
            continue;
        if (in_list(gate_variables, n) && !(sc->fleet && !sc->gate)) {
            if (!sc->gate && !sc->gate_user)
                sc->gate_user = hf_xstrdup(n);
            continue;
        }
        if (sc->fleet)
            hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col,
                         "unknown template variable '%s' in %s (a fleet template sees the "
                         "repo's variables only)",
                         n, what);
        else if (sc->step)
            hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col,
                         "step %zu: unknown template variable '%s' in %s", sc->step->index, n,
                         what);
        else
            hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col,
                         "unknown template variable '%s' in the adapter's %s", n, what);
        sc->errors++;
    }
    hf_vec_free(&names, free);
}

static void check_node(step_check *sc, const hf_node *n, const char *what)
{
    if (!n)
        return;
    if (n->kind == HF_NODE_SCALAR) {
        check_text(sc, n->value, strlen(n->value), n->mark, what);
    } else if (n->kind == HF_NODE_SEQ) {
        for (size_t i = 0; i < n->len; i++)
            check_node(sc, n->items[i], what);
    } else {
        for (size_t i = 0; i < n->len; i++) {
            check_text(sc, n->pairs[i].key->value, strlen(n->pairs[i].key->value),
                       n->pairs[i].key->mark, what);
            check_node(sc, n->pairs[i].value, what);
        }
    }
}

/* Reads a template file at dir/rel (confined to dir) and checks its names. */
static void check_file(step_check *sc, const char *dir, const char *rel, const char *what)
{
    hf_buf norm = HF_BUF_INIT, path = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error err;
    const hf_mark m = sc->step->mark;
    if (hf_path_normalize(&norm, rel, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, m.file, m.line, m.col, "step %zu: %s: %s",
                     sc->step->index, what, err.msg);
        sc->errors++;
        goto done;
    }
    hf_fs_join(&path, dir, norm.ptr);
    if (hf_fs_read(&text, path.ptr, 1 << 20, 1, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, m.file, m.line, m.col, "step %zu: %s: %s",
                     sc->step->index, what, err.msg);
        sc->errors++;
        goto done;
    }
    hf_mark origin = {path.ptr, 1, 1};
    check_text(sc, text.ptr, text.len, origin, what);
done:
    hf_buf_free(&norm);
    hf_buf_free(&path);
    hf_buf_free(&text);
}

/* "owner/repo/path" of a pinned target, and its ref. */
static void split_ref(const char *uses, hf_buf *path, const char **ref)
{
    const char *at = strrchr(uses, '@');
    hf_buf_clear(path);
    hf_buf_put(path, uses, at ? (size_t)(at - uses) : strlen(uses));
    *ref = at ? at + 1 : "";
}

/* A replace-job / replace-step that writes its own `uses`/`secrets` must
 * not contradict its capability's adapter: the same target at another ref,
 * another target, or secrets the adapter does not pass. */
static void check_adapter_agrees(const hf_config *cfg, const hf_step *st, hf_diags *diags,
                                 size_t *errors)
{
    if ((st->op != HF_OP_REPLACE_JOB && st->op != HF_OP_REPLACE_STEP) || !st->capability)
        return;
    const hf_capability *c = hf_config_capability(cfg, st->capability);
    const hf_adapter *a = c ? c->adapter : NULL;
    if (!a)
        return;
    const char *target = a->workflow ? a->workflow : a->action;
    if (st->uses && !strchr(st->uses, '{')) {
        hf_buf want = HF_BUF_INIT, got = HF_BUF_INIT;
        const char *wref, *gref;
        split_ref(target, &want, &wref);
        split_ref(st->uses, &got, &gref);
        if (strcmp(want.ptr, got.ptr) != 0) {
            hf_diags_add(diags, HF_DIAG_ERROR, st->uses_mark.file, st->uses_mark.line,
                         st->uses_mark.col,
                         "step %zu: capability '%s' is called through %s (capabilities.yml); "
                         "this step uses %s",
                         st->index, c->id, target, st->uses);
            (*errors)++;
        } else if (strcmp(wref, gref) != 0) {
            hf_diags_add(diags, HF_DIAG_ERROR, st->uses_mark.file, st->uses_mark.line,
                         st->uses_mark.col,
                         "step %zu: '%s' is pinned at @%s, but capability '%s' calls it at @%s",
                         st->index, st->uses, gref, c->id, wref);
            (*errors)++;
        }
        hf_buf_free(&want);
        hf_buf_free(&got);
    }
    if (st->secrets && st->secrets->kind == HF_NODE_SCALAR &&
        !strcmp(st->secrets->value, "inherit") &&
        !(a->secrets && a->secrets->kind == HF_NODE_SCALAR &&
          !strcmp(a->secrets->value, "inherit"))) {
        hf_diags_add(diags, HF_DIAG_ERROR, st->secrets->mark.file, st->secrets->mark.line,
                     st->secrets->mark.col,
                     "step %zu: 'secrets: inherit', but capability '%s' passes its reusable "
                     "workflow no secrets",
                     st->index, c->id);
        (*errors)++;
    }
}

static void add_groups(step_check *sc, const hf_pred *p)
{
    hf_pred_capture_names(p, &sc->groups);
}

size_t hf_recipes_check(const hf_config *cfg, const char *templates_dir, hf_diags *diags)
{
    size_t errors = 0;
    bool gate_reported = false;
    /* fleet.yml's wording of commits and pull requests */
    const hf_fleet *f = &cfg->fleet;
    step_check fc = {.fleet = true, .gate = f->gate.repository != NULL, .diags = diags};
    const struct {
        const char *text;
        hf_mark mark;
        const char *what;
    } fleet_texts[] = {{f->pr.title, f->pr.title_mark, "pull-request title"},
                       {f->pr.body, f->pr.body_mark, "pull-request body"},
                       {f->commit.subject, f->commit.subject_mark, "commit subject"},
                       {f->commit.body, f->commit.body_mark, "commit body"}};
    for (size_t i = 0; i < sizeof(fleet_texts) / sizeof(fleet_texts[0]); i++)
        if (fleet_texts[i].text)
            check_text(&fc, fleet_texts[i].text, strlen(fleet_texts[i].text), fleet_texts[i].mark,
                       fleet_texts[i].what);
    errors += fc.errors;
    /* the adapters' templates, with a job's variables */
    for (size_t i = 0; i < cfg->capabilities.len; i++) {
        const hf_capability *c = cfg->capabilities.items[i];
        const hf_adapter *a = c->own_adapter;
        if (!a)
            continue;
        step_check sc = {.job_vars = true, .diags = diags};
        const char *target = a->workflow ? a->workflow : a->action;
        if (target)
            check_text(&sc, target, strlen(target), a->uses_mark, "uses");
        check_node(&sc, a->with, "with");
        check_node(&sc, a->secrets, "secrets");
        check_node(&sc, a->permissions, "permissions");
        errors += sc.errors;
        free(sc.gate_user);
    }
    for (size_t i = 0; i < cfg->adapters.len; i++) {
        const hf_adapter *a = cfg->adapters.items[i];
        step_check sc = {.job_vars = true, .diags = diags};
        const char *target = a->workflow ? a->workflow : a->action;
        if (target)
            check_text(&sc, target, strlen(target), a->uses_mark, "uses");
        check_node(&sc, a->with, "with");
        errors += sc.errors;
        free(sc.gate_user);
    }
    for (size_t r = 0; r < cfg->recipes.len; r++) {
        const hf_recipe *rc = cfg->recipes.items[r];
        for (size_t i = 0; i < rc->steps.len; i++) {
            const hf_step *st = rc->steps.items[i];
            step_check sc = {.step = st,
                             .archive = st->op == HF_OP_ARCHIVE,
                             .job_vars = st->op == HF_OP_REPLACE_JOB ||
                                         st->op == HF_OP_REPLACE_STEP ||
                                         st->op == HF_OP_ADOPT_ADAPTER,
                             .gate = cfg->fleet.gate.repository != NULL,
                             .diags = diags};
            add_groups(&sc, st->where);
            add_groups(&sc, st->in_job);
            if (st->pattern) {
                hf_regex *re = NULL;
                hf_error err;
                if (hf_regex_compile(&re, st->pattern, st->pattern_mark, &err) == 0) {
                    hf_vec borrowed = HF_VEC_INIT; /* valid only while re lives */
                    hf_regex_group_names(re, &borrowed);
                    for (size_t k = 0; k < borrowed.len; k++)
                        hf_vec_push(&sc.groups, hf_xstrdup(borrowed.items[k]));
                    hf_vec_free(&borrowed, NULL);
                }
                hf_regex_free(re);
            }
            check_adapter_agrees(cfg, st, diags, &sc.errors);
            if (st->uses)
                check_text(&sc, st->uses, strlen(st->uses), st->uses_mark, "uses");
            if (st->replacement)
                check_text(&sc, st->replacement, strlen(st->replacement), st->replacement_mark,
                           "replace");
            if (st->content)
                check_text(&sc, st->content, strlen(st->content), st->content_mark, "content");
            check_node(&sc, st->with, "with");
            check_node(&sc, st->secrets, "secrets");
            check_node(&sc, st->permissions, "permissions");
            if (st->op == HF_OP_WRITE && st->template_path)
                check_file(&sc, cfg->dir, st->template_path, "template");
            if (st->op == HF_OP_ARCHIVE && templates_dir) {
                check_file(&sc, templates_dir,
                           st->template_path ? st->template_path : "ARCHIVED.md.tmpl",
                           "archive template");
                /* banners are optional; the ones present must render */
                static const char *const banners[] = {"banner-hash.tmpl", "banner-slash.tmpl",
                                                      "banner-markdown.tmpl", NULL};
                for (size_t b = 0; banners[b]; b++) {
                    hf_buf path = HF_BUF_INIT;
                    hf_fs_join(&path, templates_dir, banners[b]);
                    if (access(path.ptr, F_OK) == 0)
                        check_file(&sc, templates_dir, banners[b], "banner template");
                    hf_buf_free(&path);
                }
            }
            /* once, where the missing key belongs */
            if (sc.gate_user && !gate_reported) {
                const hf_mark m = cfg->fleet.mark;
                hf_diags_add(diags, HF_DIAG_ERROR, m.file, m.line, m.col,
                             "the top level is missing required key 'gate' (repository, ref, "
                             "version of the contract gate): step %zu of %s renders {{%s}}",
                             st->index, rc->file ? rc->file : rc->id, sc.gate_user);
                gate_reported = true;
                sc.errors++;
            }
            errors += sc.errors;
            free(sc.gate_user);
            hf_vec_free(&sc.groups, free);
        }
    }
    return errors;
}
