/* Adapters: how a job or step calls a capability (capabilities.yml), and
 * adopt-adapter, which finds every job that calls Launchplane by hand,
 * reads which routes it calls (in its steps and in the code they run),
 * and hands the call to that route's capability: the job becomes a caller
 * of the capability's reusable workflow, or the calling steps become one
 * step of its action. A job it cannot hand over (no route it knows, routes
 * of several capabilities, an input the adapter needs that the workflow
 * does not have) is left as it was and listed; the others go on. */
#include "edit/ops_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/comments.h"
#include "edit/seethrough.h"
#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

#define WORKFLOWS ".github/workflows/*.{yml,yaml}"

/* ---- variables a workflow offers a job ----------------------------------- */

static void inputs_of(const hf_ynode *trigger, hf_vars *vars)
{
    const hf_ynode *inputs = hf_ynode_get(trigger, "inputs");
    for (size_t i = 0; inputs && inputs->kind == HF_Y_MAP && i < hf_ynode_pairs(inputs); i++) {
        const char *name = hf_ynode_key(inputs, i)->value;
        const char *dflt = hf_ynode_text(hf_ynode_get(hf_ynode_val(inputs, i), "default"));
        hf_buf k = HF_BUF_INIT, v = HF_BUF_INIT;
        hf_buf_printf(&k, "input.%s", name);
        if (dflt && *dflt) {
            /* an input is empty on the workflow's other events: its default
             * is what a dispatch would have sent */
            hf_buf_printf(&v, "${{ inputs.%s || '", name);
            for (const char *c = dflt; *c; c++) {
                if (*c == '\'')
                    hf_buf_putc(&v, '\'');
                hf_buf_putc(&v, *c);
            }
            hf_buf_puts(&v, "' }}");
        } else {
            hf_buf_printf(&v, "${{ inputs.%s }}", name);
        }
        if (!hf_vars_get(vars, hf_buf_cstr(&k)))
            hf_vars_set(vars, hf_buf_cstr(&k), hf_buf_cstr(&v));
        hf_buf_free(&k);
        hf_buf_free(&v);
    }
}

/* The outputs a job has: its own `outputs:`, or, for a caller of a
 * capability's reusable workflow, the outputs capabilities.yml lists. */
static void job_outputs(const hf_config *cfg, const hf_ynode *job, hf_vec *names)
{
    const hf_ynode *outputs = hf_ynode_get(job, "outputs");
    for (size_t o = 0; outputs && outputs->kind == HF_Y_MAP && o < hf_ynode_pairs(outputs); o++)
        hf_vec_push(names, (void *)hf_ynode_key(outputs, o)->value);
    const char *uses = hf_ynode_text(hf_ynode_get(job, "uses"));
    for (size_t i = 0; uses && cfg && i < cfg->capabilities.len; i++) {
        const hf_adapter *a = ((const hf_capability *)cfg->capabilities.items[i])->adapter;
        if (a && a->workflow && !strcmp(a->workflow, uses))
            for (size_t k = 0; k < a->outputs.len; k++)
                hf_vec_push(names, a->outputs.items[k]);
    }
}

void hf_op_job_vars(const hf_config *cfg, const hf_ydoc *doc, const char *job_id,
                    const hf_ynode *job, hf_vars *vars)
{
    hf_vars_set(vars, "job", job_id);
    const hf_ynode *on = hf_ynode_get(doc->root, "on");
    if (!on)
        on = hf_ynode_get(doc->root, "true"); /* `on:` read as a YAML 1.1 boolean key */
    if (on && on->kind == HF_Y_MAP) {
        inputs_of(hf_ynode_get(on, "workflow_dispatch"), vars);
        inputs_of(hf_ynode_get(on, "workflow_call"), vars);
    }
    const hf_ynode *matrix = hf_ynode_get(hf_ynode_get(job, "strategy"), "matrix");
    for (size_t i = 0; matrix && matrix->kind == HF_Y_MAP && i < hf_ynode_pairs(matrix); i++) {
        const char *key = hf_ynode_key(matrix, i)->value;
        if (!strcmp(key, "include") || !strcmp(key, "exclude"))
            continue;
        hf_buf k = HF_BUF_INIT, v = HF_BUF_INIT;
        hf_buf_printf(&k, "matrix.%s", key);
        hf_buf_printf(&v, "${{ matrix.%s }}", key);
        hf_vars_set(vars, hf_buf_cstr(&k), hf_buf_cstr(&v));
        hf_buf_free(&k);
        hf_buf_free(&v);
    }
    /* outputs of the jobs this one needs: the first job that has one wins */
    const hf_ynode *needs = hf_ynode_get(job, "needs");
    const hf_ynode *jobs = hf_ynode_get(doc->root, "jobs");
    size_t n = !needs ? 0 : needs->kind == HF_Y_SEQ ? needs->len : 1;
    for (size_t i = 0; i < n; i++) {
        const char *dep =
            needs->kind == HF_Y_SEQ ? hf_ynode_text(needs->kids[i]) : hf_ynode_text(needs);
        hf_vec outputs = HF_VEC_INIT;
        if (dep)
            job_outputs(cfg, hf_ynode_get(jobs, dep), &outputs);
        for (size_t o = 0; o < outputs.len; o++) {
            const char *out = outputs.items[o];
            hf_buf k = HF_BUF_INIT, v = HF_BUF_INIT;
            hf_buf_printf(&k, "needs.%s", out);
            hf_buf_printf(&v, "${{ needs.%s.outputs.%s }}", dep, out);
            if (!hf_vars_get(vars, hf_buf_cstr(&k)))
                hf_vars_set(vars, hf_buf_cstr(&k), hf_buf_cstr(&v));
            hf_buf_free(&k);
            hf_buf_free(&v);
        }
        hf_vec_free(&outputs, NULL);
    }
}

void hf_op_step_vars(const hf_ynode *step, hf_vars *vars)
{
    const hf_ynode *with = hf_ynode_get(step, "with");
    for (size_t i = 0; with && with->kind == HF_Y_MAP && i < hf_ynode_pairs(with); i++) {
        const hf_ynode *v = hf_ynode_val(with, i);
        if (v->kind != HF_Y_SCALAR)
            continue;
        hf_buf k = HF_BUF_INIT;
        hf_buf_printf(&k, "with.%s", hf_ynode_key(with, i)->value);
        hf_vars_set(vars, hf_buf_cstr(&k), v->value);
        hf_buf_free(&k);
    }
}

/* ---- rendering an adapter ------------------------------------------------ */

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

/* The names a template placeholder chain tries ("input.phase, matrix.phase"). */
static void chain_of(const char *tpl, hf_buf *out)
{
    hf_vec names = HF_VEC_INIT;
    hf_error ignore;
    hf_mark m = {"", 1, 1};
    hf_template_names(tpl, strlen(tpl), m, &names, &ignore);
    for (size_t i = 0; i < names.len; i++)
        hf_buf_printf(out, "%s%s", i ? ", " : "", (const char *)names.items[i]);
    hf_vec_free(&names, free);
}

/* Why a variable of a chain has no value here, for a person to act on. */
static void explain(hf_buf *out, const char *name)
{
    if (!strncmp(name, "input.", 6))
        hf_buf_printf(out, "; the workflow has no dispatch or call input '%s'", name + 6);
    else if (!strncmp(name, "matrix.", 7))
        hf_buf_printf(out, "; the job has no matrix key '%s'", name + 7);
    else if (!strncmp(name, "needs.", 6))
        hf_buf_printf(out, "; no job it needs has an output '%s'", name + 6);
}

/* The input the last failed render could not fill ("" when none). */
static _Thread_local char missing_input[128];

static int render(const hf_adapter *a, const char *uses, const hf_vars *vars, bool job,
                  hf_ynode **extra, hf_error *err)
{
    missing_input[0] = '\0';
    hf_ynode *m = hf_ynode_map(), *with = NULL;
    hf_buf b = HF_BUF_INIT;
    int rc = -1;
    if (hf_template_render(uses, strlen(uses), vars, a->uses_mark, &b, err) < 0)
        goto done;
    if (job && put_rendered(m, "permissions", a->permissions, vars, err) < 0)
        goto done;
    hf_ynode_map_put(m, hf_ynode_scalar("uses", 4, HF_YS_PLAIN),
                     hf_ynode_scalar(hf_buf_cstr(&b), b.len, HF_YS_PLAIN));
    /* input by input, so a missing one is named */
    for (size_t i = 0; a->with && i < a->with->len; i++) {
        const hf_node *k = a->with->pairs[i].key, *v = a->with->pairs[i].value;
        hf_ynode *rv = NULL;
        hf_error why;
        if (hf_template_render_node(v, vars, &rv, &why) < 0) {
            hf_buf names = HF_BUF_INIT, hint = HF_BUF_INIT;
            if (v->kind == HF_NODE_SCALAR) {
                chain_of(v->value, &names);
                hf_vec list = HF_VEC_INIT;
                hf_mark mk = {"", 1, 1};
                hf_template_names(v->value, strlen(v->value), mk, &list, &why);
                for (size_t n = 0; n < list.len; n++)
                    explain(&hint, list.items[n]);
                hf_vec_free(&list, free);
            }
            hf_error_set(err, "%s needs input '%s' and nothing here gives it (tried %s%s)",
                         hf_path_basename(uses), k->value,
                         names.len ? hf_buf_cstr(&names) : "its template", hf_buf_cstr(&hint));
            snprintf(missing_input, 128, "%s", k->value);
            hf_buf_free(&names);
            hf_buf_free(&hint);
            goto done;
        }
        if (!with)
            with = hf_ynode_map();
        hf_ynode_map_put(with, hf_ynode_scalar(k->value, strlen(k->value), HF_YS_PLAIN), rv);
    }
    if (with) {
        hf_ynode_map_put(m, hf_ynode_scalar("with", 4, HF_YS_PLAIN), with);
        with = NULL;
    }
    if (job && put_rendered(m, "secrets", a->secrets, vars, err) < 0)
        goto done;
    *extra = m;
    m = NULL;
    rc = 0;
done:
    hf_ynode_free(m);
    hf_ynode_free(with);
    hf_buf_free(&b);
    return rc;
}

void hf_adapter_unblock(hf_op_run *r)
{
    if (missing_input[0])
        hf_op_unblock(r, false,
                      "give the workflow an input '%s' (workflow_dispatch or workflow_call) or "
                      "the job a matrix key '%s', then plan again",
                      missing_input, missing_input);
    else
        hf_op_unblock(r, false,
                      "hand the job over by hand, or fix the adapter in "
                      "capabilities.yml");
}

int hf_adapter_job(const hf_adapter *a, const hf_vars *vars, hf_ynode **extra, hf_error *err)
{
    if (!a->workflow)
        return hf_error_set(err, "the adapter calls an action, not a reusable workflow");
    return render(a, a->workflow, vars, true, extra, err);
}

int hf_adapter_step(const hf_adapter *a, const hf_vars *vars, hf_ynode **extra, hf_error *err)
{
    if (!a->action)
        return hf_error_set(err, "the adapter calls a reusable workflow, not an action");
    return render(a, a->action, vars, false, extra, err);
}

/* ---- routes -------------------------------------------------------------- */

static int route_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Whether route (with {placeholders} standing for one path segment)
 * occurs in text, not as the start of a longer route. */
static int names_route(const char *text, size_t len, const char *route)
{
    size_t rl = strlen(route);
    const char *brace = strchr(route, '{');
    size_t lit = brace ? (size_t)(brace - route) : rl;
    for (const char *p = memmem(text, len, route, lit); p;
         p = memmem(p + 1, len - (size_t)(p + 1 - text), route, lit)) {
        size_t i = (size_t)(p - text) + lit, r = lit;
        int ok = 1;
        while (ok && r < rl) {
            if (route[r] == '{') {
                const char *close = strchr(route + r, '}');
                r = close ? (size_t)(close - route) + 1 : rl;
                size_t start = i;
                while (i < len && text[i] != '/' && text[i] != ' ' && text[i] != '"' &&
                       text[i] != '\'' && text[i] != '`' && text[i] != '\n')
                    i++;
                ok = i > start;
            } else {
                ok = i < len && text[i] == route[r];
                i++;
                r++;
            }
        }
        if (ok && (i >= len || !route_char(text[i])))
            return 1;
    }
    return 0;
}

/* Whether the last segment of route appears as a word (`-` and `_` alike)
 * in text: a route an argument or a script name spells, not a path. */
static int names_slug(const char *text, size_t len, const char *route)
{
    const char *slug = strrchr(route, '/');
    slug = slug ? slug + 1 : route;
    size_t sl = strlen(slug);
    if (sl < 6 || strchr(slug, '{'))
        return 0; /* too short to be distinctive */
    for (size_t i = 0; i + sl <= len; i++) {
        /* a word of a name (`request-post-deploy.mjs`), not inside a word */
        if (i > 0 && route_char(text[i - 1]) && text[i - 1] != '-' && text[i - 1] != '_')
            continue;
        size_t k = 0;
        for (; k < sl; k++) {
            char a = text[i + k], b = slug[k];
            if (a == '_')
                a = '-';
            if (a != b)
                break;
        }
        if (k < sl)
            continue;
        char after = i + sl < len ? text[i + sl] : ' ';
        /* `post-deploy` must not be read in `post-deploy-inputs` */
        if (after == '-' || after == '_' || (after >= 'a' && after <= 'z') ||
            (after >= '0' && after <= '9'))
            continue;
        return 1;
    }
    return 0;
}

/* The capabilities of the routes text names (full routes), or, failing
 * that, whose route slugs it spells. */
typedef struct route_hit {
    const hf_capability *cap;
    const char *route;
} route_hit;

static void add_hit(hf_vec *hits, const hf_capability *c, const char *route)
{
    for (size_t i = 0; i < hits->len; i++)
        if (((route_hit *)hits->items[i])->cap == c)
            return;
    route_hit *h = hf_xcalloc(1, sizeof(*h));
    h->cap = c;
    h->route = route;
    hf_vec_push(hits, h);
}

static void find_routes(const hf_config *cfg, const char *text, size_t len, bool slugs,
                        hf_vec *hits)
{
    for (size_t i = 0; i < cfg->capabilities.len; i++) {
        const hf_capability *c = cfg->capabilities.items[i];
        for (size_t r = 0; r < c->routes.len + c->aliases.len; r++) {
            const char *route =
                r < c->routes.len ? c->routes.items[r] : c->aliases.items[r - c->routes.len];
            if (slugs ? names_slug(text, len, route) : names_route(text, len, route))
                add_hit(hits, c, route);
        }
    }
}

static int subsumes(const hf_capability *c, const char *id)
{
    for (size_t i = 0; i < c->subsumes.len; i++)
        if (!strcmp(c->subsumes.items[i], id))
            return 1;
    return 0;
}

/* Drops the capabilities another one found subsumes. */
static void reduce(hf_vec *hits)
{
    for (size_t i = 0; i < hits->len;) {
        const route_hit *h = hits->items[i];
        int gone = 0;
        for (size_t k = 0; k < hits->len && !gone; k++)
            gone = k != i && subsumes(((route_hit *)hits->items[k])->cap, h->cap->id);
        if (gone) {
            free(hits->items[i]);
            memmove(&hits->items[i], &hits->items[i + 1], (hits->len - i - 1) * sizeof(void *));
            hits->len--;
        } else {
            i++;
        }
    }
}

/* The texts a step's call can be read in: its run script and the values of
 * its with and env (comments dropped), and the code it runs. names: the
 * names of what it runs (script paths, package scripts). */
static void step_evidence(hf_op_run *r, const hf_subject_ref *s, hf_buf *text, hf_buf *names)
{
    hf_buf tmp = HF_BUF_INIT;
    const char *run = hf_ynode_text(hf_ynode_get(s->step, "run"));
    if (run) {
        hf_strip_comments(HF_LANG_SHELL, run, strlen(run), &tmp);
        hf_buf_put(text, tmp.ptr, tmp.len);
        hf_buf_putc(text, '\n');
        hf_buf_put(names, tmp.ptr, tmp.len);
        hf_buf_putc(names, '\n');
    }
    static const char *const maps[] = {"with", "env", NULL};
    for (const char *const *k = maps; *k; k++) {
        hf_map_field_text(hf_ynode_get(s->step, *k), &tmp);
        hf_buf_put(text, tmp.ptr, tmp.len);
        hf_buf_putc(text, '\n');
    }
    const hf_vec *code = hf_matcher_executes(r->matcher, s);
    for (size_t i = 0; i < code->len; i++) {
        const hf_executed *e = code->items[i];
        hf_strip_comments(e->lang, e->text.ptr ? e->text.ptr : "", e->text.len, &tmp);
        hf_buf_put(text, tmp.ptr, tmp.len);
        hf_buf_putc(text, '\n');
        hf_buf_printf(names, "%s\n%s\n", e->path, e->via);
        /* command lines it runs (a package script, a make recipe) spell
         * arguments as the step's own script does */
        if (e->inline_code && e->lang == HF_LANG_SHELL) {
            hf_buf_put(names, tmp.ptr, tmp.len);
            hf_buf_putc(names, '\n');
        }
    }
    hf_buf_free(&tmp);
}

/* Whether uses names what an adapter of the configuration calls (any ref). */
static int uses_adapter(const hf_config *cfg, const char *uses)
{
    const char *at = uses ? strchr(uses, '@') : NULL;
    size_t n = at ? (size_t)(at - uses) : (uses ? strlen(uses) : 0);
    for (size_t i = 0; uses && i < cfg->capabilities.len; i++) {
        const hf_adapter *a = ((const hf_capability *)cfg->capabilities.items[i])->adapter;
        const char *target = a ? (a->workflow ? a->workflow : a->action) : NULL;
        if (target && !strncmp(target, uses, n) && target[n] == '@')
            return 1;
    }
    return 0;
}

/* The capabilities a step's call names (none for a step that already uses
 * an adapter). */
static void step_routes(hf_op_run *r, const hf_subject_ref *s, hf_vec *hits)
{
    if (uses_adapter(r->ctx->cfg, hf_ynode_text(hf_ynode_get(s->step, "uses"))))
        return;
    hf_buf text = HF_BUF_INIT, names = HF_BUF_INIT;
    step_evidence(r, s, &text, &names);
    find_routes(r->ctx->cfg, hf_buf_cstr(&text), text.len, false, hits);
    if (!hits->len)
        find_routes(r->ctx->cfg, hf_buf_cstr(&names), names.len, true, hits);
    hf_buf_free(&text);
    hf_buf_free(&names);
}

static void hits_list(hf_buf *out, const hf_vec *hits)
{
    for (size_t i = 0; i < hits->len; i++) {
        const route_hit *h = hits->items[i];
        hf_buf_printf(out, "%s%s (%s)", i ? ", " : "", h->cap->id, h->route);
    }
}

int hf_route_named(const hf_op_run *r, const char *text, size_t len)
{
    hf_vec hits = HF_VEC_INIT;
    find_routes(r->ctx->cfg, text, len, false, &hits);
    int n = hits.len > 0;
    hf_vec_free(&hits, free);
    return n;
}

const hf_capability *hf_route_capability(hf_op_run *r, const char *text, size_t len,
                                         const char *path, hf_buf *why)
{
    hf_vec hits = HF_VEC_INIT;
    const hf_capability *c = NULL;
    find_routes(r->ctx->cfg, text, len, false, &hits);
    if (!hits.len)
        find_routes(r->ctx->cfg, path, strlen(path), true, &hits);
    reduce(&hits);
    hf_buf_clear(why);
    if (hits.len == 1) {
        c = ((route_hit *)hits.items[0])->cap;
    } else if (!hits.len) {
        hf_buf_puts(why, "names no route of capabilities.yml, and no job that ran it was handed "
                         "over in this run, so no capability can justify deleting it");
    } else {
        hf_buf_puts(why, "names routes of several capabilities (");
        hits_list(why, &hits);
        hf_buf_putc(why, ')');
    }
    hf_vec_free(&hits, free);
    return c;
}

static void add_handed(hf_op_run *r, const char *path, const char *capability)
{
    if (hf_op_handed(r, path))
        return;
    hf_buf b = HF_BUF_INIT;
    hf_buf_printf(&b, "%s\t%s", path, capability);
    hf_vec_push(r->ctx->handed, hf_buf_detach(&b));
}

void hf_op_record_handed(hf_op_run *r, const hf_ydoc *doc, const hf_ynode *job,
                         const char *capability)
{
    if (!r->ctx->handed || !capability)
        return;
    hf_subject_ref js = {HF_SUBJ_JOB, doc, NULL, job, NULL, doc->path, NULL, 0}, s;
    const hf_ydoc *callee = hf_matcher_callee(r->matcher, job);
    if (callee)
        add_handed(r, callee->path, capability);
    for (size_t i = 0; hf_matcher_job_step(r->matcher, &js, i, &s); i++) {
        hf_vec code = HF_VEC_INIT;
        hf_step_executes(r->ctx->overlay, s.path, s.job, s.step, &code);
        for (size_t k = 0; k < code.len; k++) {
            const hf_executed *e = code.items[k];
            if (!e->inline_code)
                add_handed(r, e->path, capability);
        }
        hf_vec_free(&code, hf_executed_free);
    }
}

const char *hf_op_handed(const hf_op_run *r, const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; r->ctx->handed && i < r->ctx->handed->len; i++) {
        const char *e = r->ctx->handed->items[i];
        if (!strncmp(e, path, n) && e[n] == '\t')
            return e + n + 1;
    }
    return NULL;
}

/* ---- adopt-adapter ------------------------------------------------------- */

typedef struct job_plan {
    const hf_capability *cap;
    const char *route;
    hf_vec calls; /* size_t: indexes of the steps that call it (action adapters) */
    hf_vec drops; /* size_t: indexes of steps that go with the call */
} job_plan;

static void job_plan_free(job_plan *jp)
{
    hf_vec_free(&jp->calls, NULL);
    hf_vec_free(&jp->drops, NULL);
}

/* Whether a workflow runs only when another workflow calls it (its `on` is
 * workflow_call and nothing else). */
static bool only_called(const hf_ydoc *doc)
{
    hf_buf on = HF_BUF_INIT;
    bool only = hf_workflow_triggers(doc->root, &on) && !strcmp(hf_buf_cstr(&on), "workflow_call");
    hf_buf_free(&on);
    return only;
}

/* Whether the workflow at path calls a route of capabilities.yml as
 * written, in its steps or the code they run (not only through the inputs
 * its callers give). */
static bool names_own_route(hf_op_run *r, const char *path)
{
    hf_buf text = HF_BUF_INIT;
    hf_ydoc doc = HF_YDOC_INIT;
    hf_vec hits = HF_VEC_INIT;
    hf_error err;
    if (hf_overlay_read_text(r->ctx->overlay, path, &text, &err) == 0 &&
        hf_ydoc_parse(&doc, path, hf_buf_cstr(&text), text.len, NULL, &err) == 0) {
        const hf_ynode *jobs = hf_op_jobs(&doc);
        for (size_t j = 0; jobs && j < hf_ynode_pairs(jobs) && !hits.len; j++) {
            const hf_ynode *job = hf_ynode_val(jobs, j), *steps = hf_ynode_get(job, "steps");
            for (size_t i = 0; steps && steps->kind == HF_Y_SEQ && i < steps->len; i++) {
                hf_subject_ref s = {
                    HF_SUBJ_STEP, &doc, hf_ynode_key(jobs, j)->value, job, steps->kids[i], doc.path,
                    NULL,         0};
                if (s.step->kind == HF_Y_MAP)
                    step_routes(r, &s, &hits);
            }
        }
    }
    bool named = hits.len > 0;
    hf_vec_free(&hits, free);
    hf_matcher_forget_steps(r->matcher);
    hf_ydoc_free(&doc);
    hf_buf_free(&text);
    return named;
}

/* Decides what becomes of a job that calls Launchplane by hand: 1 with jp
 * filled, 0 when it is left (the reason recorded), -1 on error. */
static int plan_job(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, job_plan *jp,
                    hf_error *err)
{
    hf_vec all = HF_VEC_INIT;
    int rc = 0;
    hf_subject_ref js = {HF_SUBJ_JOB, doc, id, job, NULL, doc->path, NULL, 0}, s;
    const hf_ydoc *callee = hf_matcher_callee(r->matcher, job);
    if (callee && names_own_route(r, callee->path)) {
        hf_op_note(r,
                   "%s:%d:%d: job '%s' calls %s, which names its route itself: that workflow "
                   "is handed over, and this job keeps calling it",
                   doc->path, job->line, job->col, id, callee->path);
        goto done;
    }
    for (size_t i = 0; hf_matcher_job_step(r->matcher, &js, i, &s); i++) {
        if (s.step->kind != HF_Y_MAP)
            continue;
        hf_vec hits = HF_VEC_INIT;
        step_routes(r, &s, &hits);
        if (hits.len && !callee)
            hf_vec_push(&jp->calls, (void *)(uintptr_t)i);
        for (size_t k = 0; k < hits.len; k++) {
            route_hit *h = hits.items[k];
            add_hit(&all, h->cap, h->route);
        }
        hf_vec_free(&hits, free);
        if (r->step->drop_steps && !callee) {
            int m = hf_pred_eval(r->matcher, r->step->drop_steps, &s, NULL, NULL, err);
            if (m < 0) {
                rc = -1;
                goto done;
            }
            if (m)
                hf_vec_push(&jp->drops, (void *)(uintptr_t)i);
        }
    }
    if (all.len == 0) {
        /* the route may sit in the job's or the workflow's env (or the
         * called workflow's) */
        hf_buf env = HF_BUF_INIT, one = HF_BUF_INIT;
        const hf_ynode *envs[] = {hf_ynode_get(job, "env"), hf_ynode_get(doc->root, "env"),
                                  callee ? hf_ynode_get(callee->root, "env") : NULL};
        for (size_t e = 0; e < sizeof(envs) / sizeof(*envs); e++) {
            hf_map_field_text(envs[e], &one);
            hf_buf_put(&env, one.ptr, one.len);
            hf_buf_putc(&env, '\n');
        }
        find_routes(r->ctx->cfg, hf_buf_cstr(&env), env.len, false, &all);
        hf_buf_free(&env);
        hf_buf_free(&one);
    }
    reduce(&all);
    if (all.len == 0 && only_called(doc)) {
        /* a reusable workflow of the repository, its route given by its
         * callers: it is handed over through them */
        hf_op_note(r,
                   "%s:%d:%d: job '%s' of a workflow only other workflows call: handed over "
                   "with the jobs that call it",
                   doc->path, job->line, job->col, id);
        goto done;
    }
    if (all.len == 0) {
        hf_op_leave(r, doc->path, id,
                    "%s:%d:%d: job '%s' calls Launchplane by hand but names no route of "
                    "capabilities.yml",
                    doc->path, job->line, job->col, id);
        hf_op_unblock(r, false,
                      "make the job name the route it calls (/v1/...), or hand it "
                      "over with a replace-job step linked to its capability");
        goto done;
    }
    if (all.len > 1) {
        hf_buf list = HF_BUF_INIT;
        hits_list(&list, &all);
        hf_op_leave(r, doc->path, id, "%s:%d:%d: job '%s' calls routes of several capabilities: %s",
                    doc->path, job->line, job->col, id, hf_buf_cstr(&list));
        hf_op_unblock(r, false,
                      "split the job by operation, or mark in capabilities.yml the "
                      "capability whose adapter also calls the others `subsumes` them");
        hf_buf_free(&list);
        goto done;
    }
    const route_hit *h = all.items[0];
    if (!h->cap->adapter) {
        hf_op_leave(r, doc->path, id,
                    "%s:%d:%d: job '%s' calls %s (capability %s), which has no adapter in "
                    "capabilities.yml",
                    doc->path, job->line, job->col, id, h->route, h->cap->id);
        hf_op_unblock(r, false, "give capability '%s' an adapter in capabilities.yml", h->cap->id);
        goto done;
    }
    if (h->cap->adapter->action && callee) {
        hf_op_leave(r, doc->path, id,
                    "%s:%d:%d: job '%s' calls %s through %s, and the adapter of %s is a step "
                    "(the request action), which a job that calls a workflow cannot hold",
                    doc->path, job->line, job->col, id, h->route, callee->path, h->cap->id);
        hf_op_unblock(r, false,
                      "give the job steps of its own that make the request, or give "
                      "capability '%s' a reusable workflow",
                      h->cap->id);
        goto done;
    }
    if (h->cap->adapter->action && !jp->calls.len) {
        hf_op_leave(r, doc->path, id,
                    "%s:%d:%d: job '%s' calls %s through its env, and no one step of it does; "
                    "which step to replace with the request is not clear",
                    doc->path, job->line, job->col, id, h->route);
        hf_op_unblock(r, false, "name the route in the step that sends the request");
        goto done;
    }
    jp->cap = h->cap;
    jp->route = h->route;
    rc = 1;
done:
    hf_vec_free(&all, free);
    return rc;
}

static void set_link(hf_op_run *r, const hf_capability *c)
{
    r->prov.capability = c->id;
    r->prov.exception = NULL;
}

static int in_vec(const hf_vec *v, size_t x)
{
    for (size_t i = 0; i < v->len; i++)
        if ((uintptr_t)v->items[i] == x)
            return 1;
    return 0;
}

/* Forgets what was recorded as handed over since from (a job that was not
 * handed over after all). */
static void forget_handed(hf_op_run *r, size_t from)
{
    while (r->ctx->handed && r->ctx->handed->len > from)
        free(hf_vec_pop(r->ctx->handed));
}

/* Hands one job over: 1 done, 0 left (recorded), -1 error. Edits doc in
 * place; the caller stores it. */
static int hand_over(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, const job_plan *jp,
                     hf_error *err)
{
    hf_vars vars = HF_VARS_INIT;
    hf_ynode *extra = NULL;
    hf_error why;
    int rc = 0;
    hf_vars_copy(&vars, &r->vars);
    hf_vars_set(&vars, "capability", jp->cap->id);
    hf_vars_set(&vars, "route", jp->route);
    hf_op_job_vars(r->ctx->cfg, doc, id, job, &vars);
    /* what the job ran, before it changes, for the deletes that follow */
    size_t handed_from = r->ctx->handed ? r->ctx->handed->len : 0;
    hf_op_record_handed(r, doc, job, jp->cap->id);
    if (jp->cap->adapter->workflow) {
        if (hf_adapter_job(jp->cap->adapter, &vars, &extra, &why) < 0) {
            hf_op_leave(r, doc->path, id, "%s:%d:%d: job '%s' (capability %s): %s", doc->path,
                        job->line, job->col, id, jp->cap->id, why.msg);
            hf_adapter_unblock(r);
            goto done;
        }
        rc = hf_op_make_caller(r, doc, job, extra, err) < 0 ? -1 : 1;
        goto done;
    }
    /* an action: each calling step becomes one request, the steps that go
     * with the call are dropped, and the job gets the OIDC grant */
    hf_ynode *steps = hf_ynode_get(job, "steps");
    hf_vec rendered = HF_VEC_INIT;
    for (size_t i = 0; i < jp->calls.len; i++) {
        hf_ynode *one = NULL;
        hf_vars sv = HF_VARS_INIT;
        hf_vars_copy(&sv, &vars);
        hf_op_step_vars(steps->kids[(uintptr_t)jp->calls.items[i]], &sv);
        int bad = hf_adapter_step(jp->cap->adapter, &sv, &one, &why) < 0;
        hf_vars_free(&sv);
        if (bad) {
            hf_op_leave(r, doc->path, id, "%s:%d:%d: job '%s' (capability %s): %s", doc->path,
                        job->line, job->col, id, jp->cap->id, why.msg);
            hf_adapter_unblock(r);
            hf_vec_free(&rendered, (void (*)(void *))hf_ynode_free);
            goto done;
        }
        hf_vec_push(&rendered, one);
    }
    /* from the end, so earlier indexes stay valid */
    for (size_t i = steps->len; i-- > 0 && rc == 0;) {
        for (size_t k = 0; k < jp->calls.len; k++)
            if ((uintptr_t)jp->calls.items[k] == i) {
                rc = hf_op_make_uses_step(r, doc, steps->kids[i], rendered.items[k], err);
                rendered.items[k] = NULL;
            }
        if (rc == 0 && !in_vec(&jp->calls, i) && in_vec(&jp->drops, i))
            rc = hf_yedit_remove_item(doc, steps, i, err);
    }
    hf_vec_free(&rendered, (void (*)(void *))hf_ynode_free);
    if (rc == 0 && jp->cap->adapter->needs_oidc)
        rc = hf_op_grant_oidc(doc, job, id, err);
    rc = rc < 0 ? -1 : 1;
done:
    if (rc != 1)
        forget_handed(r, handed_from);
    hf_vars_free(&vars);
    return rc;
}

/* adopt-adapter, one job: handed to the adapter of the route it calls, or
 * left with the reason. */
static int adopt_job(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, void *ctx,
                     hf_error *err)
{
    (void)ctx;
    hf_buf what = HF_BUF_INIT;
    hf_buf_printf(&what, "%s: job '%s'", doc->path, id);
    hf_subject_ref s = {HF_SUBJ_JOB, doc, id, job, NULL, doc->path, NULL, 0};
    int m = job->kind == HF_Y_MAP && !hf_op_held(r, doc->path, id)
                ? hf_op_test(r, r->step->where, &s, NULL, hf_buf_cstr(&what), err)
                : 0;
    hf_buf_free(&what);
    if (m <= 0)
        return m;
    r->rep->matched++;
    job_plan jp = {0};
    size_t handed_from = r->ctx->handed ? r->ctx->handed->len : 0;
    int p = plan_job(r, doc, id, job, &jp, err);
    int h = p == 1 ? hand_over(r, doc, id, job, &jp, err) : p;
    job_plan_free(&jp);
    if (h == 1) {
        set_link(r, jp.cap);
        hf_error store;
        if (hf_op_store_yaml(r, doc, &store) < 0) {
            forget_handed(r, handed_from);
            hf_op_leave(r, doc->path, id, "%s: job '%s': %s", doc->path, id, store.msg);
            hf_op_unblock(r, false, "hand the job over by hand");
        }
    }
    return h < 0 ? -1 : 0;
}

int hf_op_adopt_adapter(hf_op_run *r, hf_error *err)
{
    if (!r->ctx->cfg)
        return hf_error_set(err, "adopt-adapter needs the capabilities of the configuration");
    return hf_op_each_job(r, adopt_job, NULL, err);
}
