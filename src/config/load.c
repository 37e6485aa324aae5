/* Loads recipes/ into the typed model: reads each YAML file, checks keys and
 * types against the schema in README.md ("Configuration"), then resolves the
 * references between files (capabilities, exceptions, rules, recipes,
 * families, surfaces). Every problem becomes a file:line:col diagnostic; the
 * loader keeps going so one run reports them all. */
#include "config/model.h"
#include "util/buf.h"
#include "util/glob.h"
#include "util/mem.h"
#include "util/fs.h"
#include "util/path.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <dirent.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A reference to something defined elsewhere, resolved once every file is
 * loaded. */
typedef enum {
    REF_CAPABILITY,
    REF_EXCEPTION,
    REF_RULE,
    REF_RECIPE,
    REF_FAMILY,
    REF_SURFACE
} ref_kind;

typedef struct ref {
    ref_kind kind;
    const char *id;
    hf_mark mark;
} ref;

typedef struct loader {
    hf_config *cfg;
    const hf_load_options *opts;
    hf_diags *diags;
    hf_vec refs; /* ref * */
    /* A file that failed to parse defines nothing; references into it are
     * not reported again as dangling. */
    bool fleet_ok, capabilities_ok, exceptions_ok, contract_ok;
    hf_vec broken_recipes; /* char *: ids whose file failed to parse */
} loader;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
err_at(loader *ld, hf_mark m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hf_diags_addv(ld->diags, HF_DIAG_ERROR, m.file, m.line, m.col, fmt, ap);
    va_end(ap);
}

static void add_ref(loader *ld, ref_kind kind, const char *id, hf_mark mark)
{
    ref *r = hf_xcalloc(1, sizeof(*r));
    r->kind = kind;
    r->id = id;
    r->mark = mark;
    hf_vec_push(&ld->refs, r);
}

static const char *kind_name(const hf_node *n)
{
    switch (n->kind) {
    case HF_NODE_MAP:
        return "a mapping";
    case HF_NODE_SEQ:
        return "a list";
    default:
        return hf_node_is_null(n) ? "null" : "a string";
    }
}

/* ---- schema helpers ------------------------------------------------------ */

/* Reports keys of map that are not in `allowed` (NULL-terminated) and keys of
 * `required` that are missing. `what` names the map in messages. */
static void check_keys(loader *ld, const hf_node *map, const char *what, const char *const *allowed,
                       const char *const *required)
{
    for (size_t i = 0; i < map->len; i++) {
        const hf_node *k = map->pairs[i].key;
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k->value) == 0)
                known = 1;
        if (!known)
            err_at(ld, k->mark, "unknown key '%s' in %s", k->value, what);
    }
    for (const char *const *r = required; r && *r; r++)
        if (!hf_node_get(map, *r))
            err_at(ld, map->mark, "%s is missing required key '%s'", what, *r);
}

static int expect_map(loader *ld, const hf_node *n, const char *what)
{
    if (n && n->kind == HF_NODE_MAP)
        return 1;
    if (n)
        err_at(ld, n->mark, "%s must be a mapping, not %s", what, kind_name(n));
    return 0;
}

/* A string value: scalars only; NULL when absent or of the wrong type. */
static char *get_str(loader *ld, const hf_node *map, const char *key, hf_mark *mark)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return NULL;
    if (n->kind != HF_NODE_SCALAR || hf_node_is_null(n)) {
        err_at(ld, n->mark, "'%s' must be a string, not %s", key, kind_name(n));
        return NULL;
    }
    if (!*n->value) {
        err_at(ld, n->mark, "'%s' must not be empty", key);
        return NULL;
    }
    if (mark)
        *mark = n->mark;
    return hf_xstrdup(n->value);
}

static bool get_bool(loader *ld, const hf_node *map, const char *key, bool dflt)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return dflt;
    if (n->kind == HF_NODE_SCALAR && n->plain) {
        if (!strcmp(n->value, "true") || !strcmp(n->value, "True") || !strcmp(n->value, "TRUE"))
            return true;
        if (!strcmp(n->value, "false") || !strcmp(n->value, "False") || !strcmp(n->value, "FALSE"))
            return false;
    }
    err_at(ld, n->mark, "'%s' must be true or false", key);
    return dflt;
}

static int get_int(loader *ld, const hf_node *map, const char *key, int dflt, int min, int max)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return dflt;
    if (n->kind == HF_NODE_SCALAR && n->plain && *n->value) {
        char *end;
        long v = strtol(n->value, &end, 10);
        if (!*end && v >= min && v <= max)
            return (int)v;
    }
    err_at(ld, n->mark, "'%s' must be a whole number from %d to %d", key, min, max);
    return dflt;
}

/* A list of strings (a lone string is accepted as a list of one, since YAML
 * writers often forget the brackets). Each item's mark goes to marks when
 * given. */
static void get_str_list(loader *ld, const hf_node *map, const char *key, hf_vec *out,
                         hf_vec *marks)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n || hf_node_is_null(n))
        return;
    if (n->kind == HF_NODE_SCALAR) {
        hf_vec_push(out, hf_xstrdup(n->value));
        if (marks) {
            hf_mark *m = hf_xmalloc(sizeof(*m));
            *m = n->mark;
            hf_vec_push(marks, m);
        }
        return;
    }
    if (n->kind != HF_NODE_SEQ) {
        err_at(ld, n->mark, "'%s' must be a list of strings, not %s", key, kind_name(n));
        return;
    }
    for (size_t i = 0; i < n->len; i++) {
        const hf_node *it = n->items[i];
        if (it->kind != HF_NODE_SCALAR || hf_node_is_null(it)) {
            err_at(ld, it->mark, "items of '%s' must be strings, not %s", key, kind_name(it));
            continue;
        }
        hf_vec_push(out, hf_xstrdup(it->value));
        if (marks) {
            hf_mark *m = hf_xmalloc(sizeof(*m));
            *m = it->mark;
            hf_vec_push(marks, m);
        }
    }
}

static const hf_node *list_item_node(const hf_node *map, const char *key, size_t i)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return NULL;
    if (n->kind == HF_NODE_SCALAR)
        return n;
    size_t seen = 0;
    for (size_t j = 0; j < n->len; j++) {
        if (n->items[j]->kind != HF_NODE_SCALAR || hf_node_is_null(n->items[j]))
            continue;
        if (seen++ == i)
            return n->items[j];
    }
    return NULL;
}

static int get_date(loader *ld, const hf_node *map, const char *key, hf_date *out, hf_mark *mark)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return 0;
    hf_error err;
    if (n->kind != HF_NODE_SCALAR || hf_date_parse(out, n->value, &err) < 0) {
        err_at(ld, n->mark, "'%s' must be a date YYYY-MM-DD%s%s", key,
               n->kind == HF_NODE_SCALAR ? ": " : "", n->kind == HF_NODE_SCALAR ? err.msg : "");
        return 0;
    }
    if (mark)
        *mark = n->mark;
    return 1;
}

static int one_of(const char *v, const char *const *choices)
{
    for (int i = 0; choices[i]; i++)
        if (strcmp(v, choices[i]) == 0)
            return i;
    return -1;
}

static void join_choices(hf_buf *b, const char *const *choices)
{
    for (int i = 0; choices[i]; i++)
        hf_buf_printf(b, "%s%s", i ? ", " : "", choices[i]);
}

static int get_enum(loader *ld, const hf_node *map, const char *key, const char *const *choices,
                    int dflt)
{
    const hf_node *n = hf_node_get(map, key);
    if (!n)
        return dflt;
    int i = n->kind == HF_NODE_SCALAR ? one_of(n->value, choices) : -1;
    if (i < 0) {
        hf_buf b = HF_BUF_INIT;
        join_choices(&b, choices);
        err_at(ld, n->mark, "'%s' must be one of %s", key, hf_buf_cstr(&b));
        hf_buf_free(&b);
        return dflt;
    }
    return i;
}

static void check_regex(loader *ld, const char *pattern, hf_mark mark, const char *what)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (re) {
        pcre2_code_free(re);
        return;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    err_at(ld, mark, "invalid regular expression in %s at offset %zu: %s", what, (size_t)offset,
           (const char *)msg);
}

static void check_glob(loader *ld, const char *glob, hf_mark mark, const char *what)
{
    size_t offset;
    hf_error err;
    if (hf_glob_check(glob, &offset, &err) < 0)
        err_at(ld, mark, "invalid glob in '%s': %s", what, err.msg);
}

/* Checks each glob of a string list read from map[key]. */
static void check_glob_list(loader *ld, const hf_node *map, const char *key, const hf_vec *globs)
{
    for (size_t i = 0; i < globs->len; i++) {
        const hf_node *n = list_item_node(map, key, i);
        check_glob(ld, globs->items[i], n ? n->mark : map->mark, key);
    }
}

static void check_regex_list(loader *ld, const hf_node *map, const char *key, const hf_vec *res)
{
    for (size_t i = 0; i < res->len; i++) {
        const hf_node *n = list_item_node(map, key, i);
        check_regex(ld, res->items[i], n ? n->mark : map->mark, key);
    }
}

static char *checked_path(loader *ld, const hf_node *map, const char *key)
{
    hf_mark m;
    char *raw = get_str(ld, map, key, &m);
    if (!raw)
        return NULL;
    hf_buf norm = HF_BUF_INIT;
    hf_error err;
    if (hf_path_normalize(&norm, raw, &err) < 0) {
        err_at(ld, m, "invalid path in '%s': %s", key, err.msg);
        hf_buf_free(&norm);
        return raw;
    }
    free(raw);
    return hf_buf_detach(&norm);
}

/* Reads a top-level list of maps under `key` of a file's root. */
static const hf_node *root_list(loader *ld, const hf_doc *doc, const char *key,
                                const char *const *allowed_root)
{
    if (!doc->root) {
        hf_diags_add(ld->diags, HF_DIAG_ERROR, doc->file, 1, 1, "file is empty");
        return NULL;
    }
    if (!expect_map(ld, doc->root, "the top level"))
        return NULL;
    const char *required[] = {key, NULL};
    check_keys(ld, doc->root, "the top level", allowed_root, required);
    const hf_node *list = hf_node_get(doc->root, key);
    if (!list)
        return NULL;
    if (list->kind != HF_NODE_SEQ) {
        if (!hf_node_is_null(list))
            err_at(ld, list->mark, "'%s' must be a list, not %s", key, kind_name(list));
        return NULL;
    }
    return list;
}

/* ---- capabilities.yml ---------------------------------------------------- */

/* An adapter: a reusable workflow (job level) or an action (step level),
 * with the inputs, secrets and permissions its caller passes. */
static hf_adapter *load_adapter(loader *ld, const hf_node *m, const char *name)
{
    static const char *const keys[] = {"workflow",    "action",     "with",    "secrets",
                                       "permissions", "needs-oidc", "outputs", NULL};
    hf_adapter *a = hf_xcalloc(1, sizeof(*a));
    a->mark = m->mark;
    a->name = name ? hf_xstrdup(name) : NULL;
    check_keys(ld, m, "an adapter", keys, NULL);
    hf_mark wm = m->mark, am = m->mark;
    a->workflow = get_str(ld, m, "workflow", &wm);
    a->action = get_str(ld, m, "action", &am);
    a->uses_mark = a->workflow ? wm : am;
    if (!a->workflow == !a->action)
        err_at(ld, m->mark, "an adapter needs exactly one of 'workflow' or 'action'");
    const char *uses = a->workflow ? a->workflow : a->action;
    if (uses && !strchr(uses, '@'))
        err_at(ld, a->uses_mark, "adapter '%s' must be pinned with @ref", uses);
    if (a->workflow && !strstr(a->workflow, "/.github/workflows/"))
        err_at(ld, wm,
               "'workflow' must name a reusable workflow "
               "(owner/repo/.github/workflows/FILE.yml@ref)");
    a->with = hf_node_get(m, "with");
    if (a->with && !expect_map(ld, a->with, "'with'"))
        a->with = NULL;
    a->secrets = hf_node_get(m, "secrets");
    if (a->secrets &&
        ((a->secrets->kind == HF_NODE_SCALAR && strcmp(a->secrets->value, "inherit")) ||
         a->secrets->kind == HF_NODE_SEQ)) {
        err_at(ld, a->secrets->mark, "'secrets' must be 'inherit' or a mapping");
        a->secrets = NULL;
    }
    if (a->secrets && a->action)
        err_at(ld, a->secrets->mark, "an action adapter takes no 'secrets' (its inputs do)");
    a->permissions = hf_node_get(m, "permissions");
    if (a->permissions && a->permissions->kind == HF_NODE_SEQ) {
        err_at(ld, a->permissions->mark, "'permissions' must be a mapping or read-all/write-all");
        a->permissions = NULL;
    }
    a->needs_oidc = get_bool(ld, m, "needs-oidc", false);
    get_str_list(ld, m, "outputs", &a->outputs, NULL);
    return a;
}

static void adapter_free(void *p)
{
    hf_adapter *a = p;
    if (!a)
        return;
    free(a->name);
    free(a->workflow);
    free(a->action);
    hf_vec_free(&a->outputs, free);
    free(a);
}

static void load_capabilities(loader *ld, const hf_doc *doc)
{
    static const char *const root_keys[] = {"capabilities", "adapters", NULL};
    static const char *const keys[] = {"id",      "title",    "group",      "routes",
                                       "authz",   "status",   "strategies", "doc",
                                       "adapter", "subsumes", "aliases",    NULL};
    static const char *const required[] = {"id", "title", "routes", "authz", "status", "doc", NULL};
    static const char *const statuses[] = {"implemented", "planned", NULL};
    const hf_node *list = root_list(ld, doc, "capabilities", root_keys);
    const hf_node *adapters = doc->root ? hf_node_get(doc->root, "adapters") : NULL;
    if (adapters && expect_map(ld, adapters, "'adapters'")) {
        for (size_t i = 0; i < adapters->len; i++) {
            const hf_node *k = adapters->pairs[i].key, *v = adapters->pairs[i].value;
            if (hf_config_adapter(ld->cfg, k->value))
                err_at(ld, k->mark, "duplicate adapter '%s'", k->value);
            if (expect_map(ld, v, "an adapter"))
                hf_vec_push(&ld->cfg->adapters, load_adapter(ld, v, k->value));
        }
    }
    for (size_t i = 0; list && i < list->len; i++) {
        const hf_node *m = list->items[i];
        if (!expect_map(ld, m, "a capability"))
            continue;
        check_keys(ld, m, "a capability", keys, required);
        hf_capability *c = hf_xcalloc(1, sizeof(*c));
        c->mark = m->mark;
        c->id = get_str(ld, m, "id", &c->mark);
        c->title = get_str(ld, m, "title", NULL);
        c->group = get_str(ld, m, "group", NULL);
        get_str_list(ld, m, "routes", &c->routes, NULL);
        get_str_list(ld, m, "aliases", &c->aliases, NULL);
        get_str_list(ld, m, "authz", &c->authz, NULL);
        c->status = (hf_cap_status)get_enum(ld, m, "status", statuses, HF_CAP_PLANNED);
        get_str_list(ld, m, "strategies", &c->strategies, NULL);
        c->doc = get_str(ld, m, "doc", NULL);
        hf_vec sub_marks = HF_VEC_INIT;
        get_str_list(ld, m, "subsumes", &c->subsumes, &sub_marks);
        for (size_t k = 0; k < c->subsumes.len; k++)
            add_ref(ld, REF_CAPABILITY, c->subsumes.items[k], *(hf_mark *)sub_marks.items[k]);
        hf_vec_free(&sub_marks, free);
        const hf_node *an = hf_node_get(m, "adapter");
        if (an && an->kind == HF_NODE_MAP) {
            c->own_adapter = load_adapter(ld, an, NULL);
            c->adapter = c->own_adapter;
        } else if (an && an->kind == HF_NODE_SCALAR && !hf_node_is_null(an)) {
            c->adapter_ref = hf_xstrdup(an->value);
            c->adapter_mark = an->mark;
        } else if (an) {
            err_at(ld, an->mark, "'adapter' must be the name of an adapter or a mapping");
        }
        for (size_t r = 0; r < c->routes.len; r++) {
            const char *route = c->routes.items[r];
            if (strncmp(route, "/v1/", 4) != 0) {
                const hf_node *n = list_item_node(m, "routes", r);
                err_at(ld, n ? n->mark : m->mark, "route '%s' must start with /v1/", route);
            }
        }
        if (hf_node_get(m, "routes") && c->routes.len == 0)
            err_at(ld, hf_node_get(m, "routes")->mark, "'routes' must list at least one route");
        hf_vec_push(&ld->cfg->capabilities, c);
    }
    /* named adapters are known now */
    for (size_t i = 0; i < ld->cfg->capabilities.len; i++) {
        hf_capability *c = ld->cfg->capabilities.items[i];
        if (!c->adapter_ref)
            continue;
        c->adapter = hf_config_adapter(ld->cfg, c->adapter_ref);
        if (!c->adapter)
            err_at(ld, c->adapter_mark, "unknown adapter '%s' (not under 'adapters')",
                   c->adapter_ref);
    }
}

/* ---- exceptions.yml ------------------------------------------------------ */

static int valid_issue_ref(const char *s)
{
    if (strncmp(s, "https://", 8) == 0)
        return strlen(s) > 8;
    const char *slash = strchr(s, '/');
    const char *hash = strchr(s, '#');
    if (!slash || !hash || slash == s || hash < slash + 2 || !hash[1])
        return 0;
    for (const char *p = hash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static void load_exceptions(loader *ld, const hf_doc *doc)
{
    static const char *const root_keys[] = {"exceptions", NULL};
    static const char *const keys[] = {"id",      "reason",      "issue",  "owner", "since",
                                       "expires", "delete-when", "covers", NULL};
    static const char *const required[] = {"id",      "reason",      "issue", "owner",
                                           "expires", "delete-when", NULL};
    static const char *const cover_keys[] = {"repos", "paths", "rules", NULL};
    const hf_node *list = root_list(ld, doc, "exceptions", root_keys);
    for (size_t i = 0; list && i < list->len; i++) {
        const hf_node *m = list->items[i];
        if (!expect_map(ld, m, "an exception"))
            continue;
        check_keys(ld, m, "an exception", keys, required);
        hf_exception *e = hf_xcalloc(1, sizeof(*e));
        e->mark = m->mark;
        e->id = get_str(ld, m, "id", &e->mark);
        e->reason = get_str(ld, m, "reason", NULL);
        hf_mark issue_mark;
        e->issue = get_str(ld, m, "issue", &issue_mark);
        if (e->issue && !valid_issue_ref(e->issue))
            err_at(ld, issue_mark, "'issue' must be owner/repo#N or an https URL, not '%s'",
                   e->issue);
        e->owner = get_str(ld, m, "owner", NULL);
        get_date(ld, m, "since", &e->since, NULL);
        if (get_date(ld, m, "expires", &e->expires, &e->expires_mark)) {
            if (ld->opts->expired_is_error && hf_exception_expired(e, ld->opts->today)) {
                char d[11], t[11];
                hf_date_format(e->expires, d);
                hf_date_format(ld->opts->today, t);
                err_at(ld, e->expires_mark, "exception '%s' expired on %s (today is %s)",
                       e->id ? e->id : "?", d, t);
            }
        }
        e->delete_when = get_str(ld, m, "delete-when", NULL);
        const hf_node *cov = hf_node_get(m, "covers");
        if (cov && expect_map(ld, cov, "'covers'")) {
            check_keys(ld, cov, "'covers'", cover_keys, NULL);
            get_str_list(ld, cov, "repos", &e->repos, NULL);
            get_str_list(ld, cov, "paths", &e->paths, NULL);
            hf_vec rule_marks = HF_VEC_INIT;
            get_str_list(ld, cov, "rules", &e->rules, &rule_marks);
            check_glob_list(ld, cov, "repos", &e->repos);
            check_glob_list(ld, cov, "paths", &e->paths);
            for (size_t r = 0; r < e->rules.len; r++)
                add_ref(ld, REF_RULE, e->rules.items[r], *(hf_mark *)rule_marks.items[r]);
            hf_vec_free(&rule_marks, free);
        }
        hf_vec_push(&ld->cfg->exceptions, e);
    }
}

/* ---- fleet.yml ----------------------------------------------------------- */

static const char *const owner_names[] = {"launchplane", "repo", "transitional", "retired", NULL};

static void load_surfaces(loader *ld, hf_repo *repo, const hf_node *map)
{
    static const char *const keys[] = {"owner", "capability", "exception", "note", NULL};
    static const char *const required[] = {"owner", NULL};
    if (!expect_map(ld, map, "'surfaces'"))
        return;
    for (size_t i = 0; i < map->len; i++) {
        const hf_node *k = map->pairs[i].key;
        const hf_node *v = map->pairs[i].value;
        hf_surface *s = hf_xcalloc(1, sizeof(*s));
        s->mark = k->mark;
        s->surface = hf_xstrdup(k->value);
        add_ref(ld, REF_SURFACE, s->surface, k->mark);
        hf_vec_push(&repo->surfaces, s);
        if (!expect_map(ld, v, "a surface"))
            continue;
        check_keys(ld, v, "a surface", keys, required);
        s->owner = (hf_owner)get_enum(ld, v, "owner", owner_names, HF_OWNER_REPO);
        hf_mark cm = v->mark, em = v->mark;
        s->capability = get_str(ld, v, "capability", &cm);
        s->exception = get_str(ld, v, "exception", &em);
        s->note = get_str(ld, v, "note", NULL);
        if (s->capability)
            add_ref(ld, REF_CAPABILITY, s->capability, cm);
        if (s->exception)
            add_ref(ld, REF_EXCEPTION, s->exception, em);
        if (s->capability && s->exception)
            err_at(ld, v->mark, "surface '%s' has both a capability and an exception; give one",
                   s->surface);
        if (hf_node_get(v, "owner")) {
            if (s->owner == HF_OWNER_LAUNCHPLANE && !s->capability)
                err_at(ld, v->mark, "surface '%s' is owned by launchplane but names no capability",
                       s->surface);
            if (s->owner == HF_OWNER_TRANSITIONAL && !s->exception)
                err_at(ld, v->mark, "surface '%s' is transitional but names no exception",
                       s->surface);
        }
    }
}

/* owner/name: one slash, letters, digits, '-', '_' and '.', no "..". */
static int valid_repo_name(const char *s)
{
    const char *slash = strchr(s, '/');
    int ok = slash && slash != s && slash[1] && !strchr(slash + 1, '/');
    for (const char *p = s; ok && *p; p++)
        if (!(*p == '/' || *p == '-' || *p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            ok = 0;
    return ok && !strstr(s, "..");
}

static void load_repo(loader *ld, const hf_node *m)
{
    static const char *const keys[] = {"name",    "url",     "base",     "family", "contexts",
                                       "product", "recipes", "surfaces", NULL};
    static const char *const required[] = {"name", "family", NULL};
    if (!expect_map(ld, m, "a repo"))
        return;
    check_keys(ld, m, "a repo", keys, required);
    hf_repo *r = hf_xcalloc(1, sizeof(*r));
    r->mark = m->mark;
    hf_mark nm;
    r->name = get_str(ld, m, "name", &nm);
    if (r->name) {
        r->mark = nm;
        if (!valid_repo_name(r->name))
            err_at(ld, nm, "repo name '%s' must be owner/name", r->name);
    }
    r->url = get_str(ld, m, "url", NULL);
    r->base = get_str(ld, m, "base", NULL);
    hf_mark fm;
    r->family = get_str(ld, m, "family", &fm);
    if (r->family)
        add_ref(ld, REF_FAMILY, r->family, fm);
    get_str_list(ld, m, "contexts", &r->contexts, NULL);
    r->product = get_str(ld, m, "product", NULL);
    get_str_list(ld, m, "recipes", &r->recipes, &r->recipe_marks);
    for (size_t i = 0; i < r->recipes.len; i++)
        add_ref(ld, REF_RECIPE, r->recipes.items[i], *(hf_mark *)r->recipe_marks.items[i]);
    const hf_node *s = hf_node_get(m, "surfaces");
    if (s && !hf_node_is_null(s))
        load_surfaces(ld, r, s);
    hf_vec_push(&ld->cfg->fleet.repos, r);
}

/* A well-formed value nobody has filled in yet (template markers such as
 * <owner> are refused as malformed before this). Validation cannot ask
 * GitHub whether a repository exists, so it refuses what is recognisably not
 * a real value: words such as example, changeme, placeholder, todo, your; a
 * path segment owner, org or repo; version 0.0.0; and the repository the
 * first caller template named although handoff was never published there. */
static int is_placeholder(const char *v)
{
    static const char *const words[] = {"example", "changeme", "placeholder", "todo", "tbd",
                                        "fixme",   "xxx",      "your",        NULL};
    static const char *const segments[] = {"owner", "org", "repo", "0.0.0", NULL};
    if (!strcasecmp(v, "cbusillo/handoff"))
        return 1;
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, "/");
        for (const char *const *s = segments; *s; s++)
            if (strlen(*s) == n && !strncasecmp(p, *s, n))
                return 1;
        p += n + (p[n] == '/');
    }
    for (const char *p = v; *p;) {
        size_t skip = 0, n = 0;
        while (p[skip] && !isalnum((unsigned char)p[skip]))
            skip++;
        p += skip;
        while (isalnum((unsigned char)p[n]))
            n++;
        for (const char *const *w = words; n && *w; w++)
            if (strlen(*w) == n && !strncasecmp(p, *w, n))
                return 1;
        p += n;
    }
    return 0;
}

/* A branch, tag or commit as `uses: ...@REF` takes it. */
static int valid_ref(const char *s)
{
    if (*s == '-' || *s == '/' || *s == '.' || s[strlen(s) - 1] == '/' || strstr(s, "..") ||
        strstr(s, "//"))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == '/'))
            return 0;
    return 1;
}

/* A release version: 1.2.3, optionally -prerelease. */
static int valid_version(const char *s)
{
    const char *p = s;
    for (int part = 0; part < 3; part++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
        if (part < 2 && *p++ != '.')
            return 0;
    }
    if (*p == '-' && p[1])
        for (p++; *p; p++)
            if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
                return 0;
    return !*p;
}

static void load_gate(loader *ld, hf_gate *g, const hf_node *map)
{
    static const char *const keys[] = {"repository", "ref", "version", NULL};
    hf_mark rm, fm, vm;
    check_keys(ld, map, "'gate'", keys, keys);
    g->repository = get_str(ld, map, "repository", &rm);
    g->ref = get_str(ld, map, "ref", &fm);
    g->version = get_str(ld, map, "version", &vm);
    if (g->repository && !valid_repo_name(g->repository))
        err_at(ld, rm, "'repository' must be owner/name, not '%s'", g->repository);
    else if (g->repository && is_placeholder(g->repository))
        err_at(ld, rm,
               "'repository' is a placeholder ('%s'): name the repository that hosts handoff's "
               ".github/workflows/contract-check.yml and its releases",
               g->repository);
    if (g->ref && !valid_ref(g->ref))
        err_at(ld, fm, "'ref' must be a branch, tag or commit, not '%s'", g->ref);
    else if (g->ref && is_placeholder(g->ref))
        err_at(ld, fm,
               "'ref' is a placeholder ('%s'): name the tag (v<version>), branch or "
               "commit of the contract-check workflow",
               g->ref);
    if (g->version && (g->version[0] == 'v' || g->version[0] == 'V') &&
        valid_version(g->version + 1))
        err_at(ld, vm, "'version' takes no leading 'v': write '%s' (its release tag is '%s')",
               g->version + 1, g->version);
    else if (g->version && !valid_version(g->version))
        err_at(ld, vm, "'version' must be a released version such as 0.1.0, not '%s'", g->version);
    else if (g->version && is_placeholder(g->version))
        err_at(ld, vm, "'version' is a placeholder ('%s'): name a released handoff version",
               g->version);
}

/* fleet.yml `commit`: the wording of the batch commit. */
static void load_commit(loader *ld, hf_commit_template *c, const hf_node *m)
{
    static const char *const keys[] = {"subject", "body", "capability-trailer", NULL};
    static const char *const reserved[] = {"Handoff-Exception", "Handoff-Fleet", NULL};
    check_keys(ld, m, "'commit'", keys, NULL);
    c->subject = get_str(ld, m, "subject", &c->subject_mark);
    c->body = get_str(ld, m, "body", &c->body_mark);
    c->capability_trailer = get_str(ld, m, "capability-trailer", &c->trailer_mark);
    if (c->subject && strpbrk(c->subject, "\r\n"))
        err_at(ld, c->subject_mark, "'subject' must be one line");
    const char *t = c->capability_trailer;
    if (t) {
        bool ok = isalpha((unsigned char)t[0]);
        for (const char *p = t; ok && *p; p++)
            ok = isalnum((unsigned char)*p) || *p == '-';
        if (!ok)
            err_at(ld, c->trailer_mark,
                   "'capability-trailer' '%s' must be a trailer key: a letter, then letters, "
                   "digits and '-'",
                   t);
        for (size_t i = 0; ok && reserved[i]; i++)
            if (strcasecmp(t, reserved[i]) == 0)
                err_at(ld, c->trailer_mark, "'capability-trailer' '%s' is handoff's own trailer",
                       t);
    }
}

/* fleet.yml `archive-templates`: a directory, relative to the configuration
 * directory, that holds ARCHIVED.md.tmpl and the banners. */
static void check_templates_dir(loader *ld, const char *path, hf_mark m)
{
    hf_buf full = HF_BUF_INIT;
    struct stat st;
    if (path[0] == '/')
        hf_buf_puts(&full, path);
    else
        hf_fs_join(&full, ld->cfg->dir, path);
    if (stat(full.ptr, &st) < 0 || !S_ISDIR(st.st_mode))
        err_at(ld, m, "'archive-templates' '%s' is not a directory (read as %s)", path, full.ptr);
    hf_buf_free(&full);
}

static void load_fleet(loader *ld, const hf_doc *doc)
{
    static const char *const keys[] = {"fleet",
                                       "forge",
                                       "branch",
                                       "author",
                                       "pull-request",
                                       "commit",
                                       "archive-templates",
                                       "families",
                                       "surfaces",
                                       "repos",
                                       "gate",
                                       NULL};
    static const char *const required[] = {"fleet",    "forge",        "branch",
                                           "author",   "pull-request", "families",
                                           "surfaces", "repos",        NULL};
    static const char *const forge_keys[] = {"kind", "api", "web", NULL};
    static const char *const author_keys[] = {"name", "email", NULL};
    static const char *const pr_keys[] = {"title", "body", "labels", "reviewers", "draft", NULL};
    static const char *const forge_kinds[] = {"github", NULL};
    hf_fleet *f = &ld->cfg->fleet;
    if (!doc->root) {
        hf_diags_add(ld->diags, HF_DIAG_ERROR, doc->file, 1, 1, "file is empty");
        return;
    }
    if (!expect_map(ld, doc->root, "the top level"))
        return;
    const hf_node *root = doc->root;
    f->mark = root->mark;
    check_keys(ld, root, "the top level", keys, required);
    f->name = get_str(ld, root, "fleet", NULL);
    hf_mark branch_mark;
    f->branch = get_str(ld, root, "branch", &branch_mark);
    const hf_node *forge = hf_node_get(root, "forge");
    if (forge && expect_map(ld, forge, "'forge'")) {
        check_keys(ld, forge, "'forge'", forge_keys, forge_keys);
        if (get_enum(ld, forge, "kind", forge_kinds, -1) == 0)
            f->forge_kind = hf_xstrdup("github");
        hf_mark am, wm;
        f->forge_api = get_str(ld, forge, "api", &am);
        f->forge_web = get_str(ld, forge, "web", &wm);
        if (f->forge_api && strncmp(f->forge_api, "https://", 8) &&
            strncmp(f->forge_api, "http://", 7))
            err_at(ld, am, "'api' must be an http(s) URL");
        if (f->forge_web && strncmp(f->forge_web, "https://", 8) &&
            strncmp(f->forge_web, "http://", 7))
            err_at(ld, wm, "'web' must be an http(s) URL");
    }
    const hf_node *author = hf_node_get(root, "author");
    if (author && expect_map(ld, author, "'author'")) {
        check_keys(ld, author, "'author'", author_keys, author_keys);
        f->author_name = get_str(ld, author, "name", NULL);
        f->author_email = get_str(ld, author, "email", NULL);
    }
    const hf_node *pr = hf_node_get(root, "pull-request");
    if (pr && expect_map(ld, pr, "'pull-request'")) {
        check_keys(ld, pr, "'pull-request'", pr_keys, NULL);
        f->pr.title = get_str(ld, pr, "title", &f->pr.title_mark);
        f->pr.body = get_str(ld, pr, "body", &f->pr.body_mark);
        get_str_list(ld, pr, "labels", &f->pr.labels, NULL);
        get_str_list(ld, pr, "reviewers", &f->pr.reviewers, NULL);
        f->pr.draft = get_bool(ld, pr, "draft", false);
    }
    const hf_node *commit = hf_node_get(root, "commit");
    if (commit && expect_map(ld, commit, "'commit'"))
        load_commit(ld, &f->commit, commit);
    f->archive_templates = get_str(ld, root, "archive-templates", &f->archive_templates_mark);
    if (f->archive_templates)
        check_templates_dir(ld, f->archive_templates, f->archive_templates_mark);
    const hf_node *gate = hf_node_get(root, "gate");
    if (gate && expect_map(ld, gate, "'gate'"))
        load_gate(ld, &f->gate, gate);
    get_str_list(ld, root, "families", &f->families, NULL);
    get_str_list(ld, root, "surfaces", &f->surfaces, NULL);
    const hf_node *repos = hf_node_get(root, "repos");
    if (repos && repos->kind != HF_NODE_SEQ)
        err_at(ld, repos->mark, "'repos' must be a list, not %s", kind_name(repos));
    else if (repos)
        for (size_t i = 0; i < repos->len; i++)
            load_repo(ld, repos->items[i]);
    /* handoff never pushes to a base branch, so the batch branch may not be
     * one. */
    if (f->branch) {
        int clash = !strcmp(f->branch, "main") || !strcmp(f->branch, "master");
        for (size_t i = 0; !clash && i < f->repos.len; i++) {
            const hf_repo *r = f->repos.items[i];
            clash = r->base && !strcmp(r->base, f->branch);
        }
        if (clash)
            err_at(ld, branch_mark,
                   "batch branch '%s' is a base branch; handoff never pushes "
                   "to a base branch",
                   f->branch);
    }
}

/* ---- contract.yml -------------------------------------------------------- */

static const char *const categories[] = {
    "provider-mutation",       "durable-runtime-config", "managed-secret-authority",
    "dokploy-mutation",        "runner-hygiene",         "oidc-client",
    "launchplane-http-client", "record-derivation",      "quarantine",
    "registry-cleanup",        "remote-mutation",        NULL};

/* scan.family-allow-paths: family -> path globs never reported there. */
static void load_family_allow_paths(loader *ld, const hf_node *map, hf_contract *c)
{
    if (!map || !expect_map(ld, map, "'family-allow-paths'"))
        return;
    for (size_t i = 0; i < map->len; i++) {
        hf_family_paths *fp = hf_xcalloc(1, sizeof(*fp));
        fp->family = hf_xstrdup(map->pairs[i].key->value);
        add_ref(ld, REF_FAMILY, fp->family, map->pairs[i].key->mark);
        get_str_list(ld, map, fp->family, &fp->globs, NULL);
        check_glob_list(ld, map, fp->family, &fp->globs);
        hf_vec_push(&c->family_allow_paths, fp);
    }
}

/* scan.comments: comment syntax -> basename globs of the files using it. */
static void load_comment_syntaxes(loader *ld, const hf_node *map, hf_contract *c)
{
    static const char *const names[] = {"hash", "python", "slash", NULL};
    static const hf_lang kinds[] = {HF_LANG_HASH, HF_LANG_PYTHON, HF_LANG_JS};
    if (!map || !expect_map(ld, map, "'comments'"))
        return;
    check_keys(ld, map, "'comments'", names, NULL);
    for (size_t i = 0; i < map->len; i++) {
        int k = one_of(map->pairs[i].key->value, names);
        if (k < 0)
            continue;
        hf_syntax_globs *sg = hf_xcalloc(1, sizeof(*sg));
        sg->syntax = kinds[k];
        get_str_list(ld, map, names[k], &sg->globs, NULL);
        check_glob_list(ld, map, names[k], &sg->globs);
        hf_vec_push(&c->comments, sg);
    }
}

/* scan.mask: which values excerpts hide. */
static void load_mask(loader *ld, const hf_node *map, hf_contract *c)
{
    static const char *const mask_keys[] = {"keys", "values", NULL};
    if (!map || !expect_map(ld, map, "'mask'"))
        return;
    check_keys(ld, map, "'mask'", mask_keys, NULL);
    hf_mark km;
    c->mask_keys = get_str(ld, map, "keys", &km);
    if (c->mask_keys)
        check_regex(ld, c->mask_keys, km, "'keys'");
    get_str_list(ld, map, "values", &c->mask_values, NULL);
    check_regex_list(ld, map, "values", &c->mask_values);
}

/* Whether a pattern compiles with a group named `value`. */
static bool has_value_group(const char *pattern)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    bool ok = re && pcre2_substring_number_from_name(re, (PCRE2_SPTR) "value") > 0;
    pcre2_code_free(re);
    return ok;
}

static void load_contract(loader *ld, const hf_doc *doc)
{
    static const char *const root_keys[] = {"scan", "rules", NULL};
    static const char *const scan_keys[] = {"extensions",     "dotfiles",   "skip-dirs",
                                            "allow-paths",    "test-paths", "family-allow-paths",
                                            "allow-lines",    "comments",   "mask",
                                            "max-file-bytes", NULL};
    static const char *const keys[] = {"id",          "category",  "severity", "message", "pattern",
                                       "ignore-case", "multiline", "families", "include", "exclude",
                                       "allow",       "comments",  "tests",    "value",   NULL};
    static const char *const required[] = {"id",      "category", "severity",
                                           "message", "pattern",  NULL};
    static const char *const severities[] = {"error", "warning", NULL};
    hf_contract *c = &ld->cfg->contract;
    const hf_node *list = root_list(ld, doc, "rules", root_keys);
    const hf_node *scan = doc->root ? hf_node_get(doc->root, "scan") : NULL;
    c->max_file_bytes = 2 * 1024 * 1024;
    if (scan && expect_map(ld, scan, "'scan'")) {
        check_keys(ld, scan, "'scan'", scan_keys, NULL);
        get_str_list(ld, scan, "extensions", &c->extensions, NULL);
        get_str_list(ld, scan, "dotfiles", &c->dotfiles, NULL);
        get_str_list(ld, scan, "skip-dirs", &c->skip_dirs, NULL);
        get_str_list(ld, scan, "allow-paths", &c->allow_paths, NULL);
        get_str_list(ld, scan, "allow-lines", &c->allow_lines, NULL);
        c->max_file_bytes =
            (size_t)get_int(ld, scan, "max-file-bytes", (int)c->max_file_bytes, 1, 1 << 30);
        for (size_t i = 0; i < c->extensions.len; i++) {
            const char *e = c->extensions.items[i];
            if (*e && (e[0] != '.' || strchr(e + 1, '.') || strchr(e, '/'))) {
                const hf_node *n = list_item_node(scan, "extensions", i);
                err_at(ld, n ? n->mark : scan->mark,
                       "extension '%s' must look like \".yml\" (or \"\" for none)", e);
            }
        }
        check_glob_list(ld, scan, "dotfiles", &c->dotfiles);
        check_glob_list(ld, scan, "skip-dirs", &c->skip_dirs);
        check_glob_list(ld, scan, "allow-paths", &c->allow_paths);
        check_regex_list(ld, scan, "allow-lines", &c->allow_lines);
        get_str_list(ld, scan, "test-paths", &c->test_paths, NULL);
        check_glob_list(ld, scan, "test-paths", &c->test_paths);
        load_family_allow_paths(ld, hf_node_get(scan, "family-allow-paths"), c);
        load_comment_syntaxes(ld, hf_node_get(scan, "comments"), c);
        load_mask(ld, hf_node_get(scan, "mask"), c);
    }
    for (size_t i = 0; list && i < list->len; i++) {
        const hf_node *m = list->items[i];
        if (!expect_map(ld, m, "a rule"))
            continue;
        check_keys(ld, m, "a rule", keys, required);
        hf_rule *r = hf_xcalloc(1, sizeof(*r));
        r->mark = m->mark;
        r->id = get_str(ld, m, "id", &r->mark);
        hf_mark catm;
        r->category = get_str(ld, m, "category", &catm);
        if (r->category && one_of(r->category, categories) < 0) {
            hf_buf b = HF_BUF_INIT;
            join_choices(&b, categories);
            err_at(ld, catm, "unknown category '%s'; one of %s", r->category, hf_buf_cstr(&b));
            hf_buf_free(&b);
        }
        r->severity = (hf_severity)get_enum(ld, m, "severity", severities, HF_SEV_ERROR);
        r->message = get_str(ld, m, "message", NULL);
        r->pattern = get_str(ld, m, "pattern", &r->pattern_mark);
        if (r->pattern)
            check_regex(ld, r->pattern, r->pattern_mark, "'pattern'");
        r->ignore_case = get_bool(ld, m, "ignore-case", false);
        r->multiline = get_bool(ld, m, "multiline", false);
        hf_vec fam_marks = HF_VEC_INIT;
        get_str_list(ld, m, "families", &r->families, &fam_marks);
        for (size_t f = 0; f < r->families.len; f++)
            add_ref(ld, REF_FAMILY, r->families.items[f], *(hf_mark *)fam_marks.items[f]);
        hf_vec_free(&fam_marks, free);
        get_str_list(ld, m, "include", &r->include, NULL);
        get_str_list(ld, m, "exclude", &r->exclude, NULL);
        get_str_list(ld, m, "allow", &r->allow, NULL);
        check_glob_list(ld, m, "include", &r->include);
        check_glob_list(ld, m, "exclude", &r->exclude);
        check_regex_list(ld, m, "allow", &r->allow);
        r->comments = get_bool(ld, m, "comments", false);
        r->tests = get_bool(ld, m, "tests", false);
        hf_mark vm;
        char *value = get_str(ld, m, "value", &vm);
        if (value && strcmp(value, "literal"))
            err_at(ld, vm, "'value' must be literal, not '%s'", value);
        else if (value && r->pattern && !has_value_group(r->pattern))
            err_at(ld, vm, "'value: literal' needs a group named 'value' in 'pattern'");
        r->literal = value != NULL;
        free(value);
        hf_vec_push(&c->rules, r);
    }
}

/* ---- recipes ------------------------------------------------------------- */

static const char *const op_names[] = {
    "replace-job", "replace-step", "remove-job", "delete-workflow", "delete",
    "archive",     "edit",         "write",      "adopt-adapter",   NULL};

const char *hf_op_name(hf_op op)
{
    return (unsigned)op < sizeof(op_names) / sizeof(op_names[0]) - 1 ? op_names[op] : "?";
}

/* Keys each op takes besides the common ones, and the ones it requires. */
static const struct op_schema {
    const char *const keys[10];
    const char *const required[4];
} op_schemas[] = {
    [HF_OP_REPLACE_JOB] = {{"files", "where", "uses", "with", "secrets", "permissions"}, {"where"}},
    [HF_OP_REPLACE_STEP] = {{"files", "where", "in-job", "uses", "with", "needs-oidc"}, {"where"}},
    [HF_OP_REMOVE_JOB] = {{"files", "where"}, {"where"}},
    [HF_OP_DELETE_WORKFLOW] = {{"files", "where"}, {"files"}},
    [HF_OP_DELETE] = {{"paths", "where", "references"}, {"paths"}},
    [HF_OP_ARCHIVE] = {{"set", "paths", "reason", "link", "template"}, {"set", "paths", "reason"}},
    [HF_OP_EDIT] = {{"files", "where", "pattern", "replace", "within", "unit"},
                    {"files", "pattern"}},
    [HF_OP_WRITE] = {{"path", "template", "content"}, {"path"}},
    [HF_OP_ADOPT_ADAPTER] = {{"files", "where", "drop-steps"}, {"where"}},
};

static const char *const common_step_keys[] = {
    "op", "name", "id", "after", "capability", "exception", "strategy", "expect", NULL};

static void load_step(loader *ld, hf_recipe *recipe, const hf_node *m, size_t index)
{
    if (!expect_map(ld, m, "a step"))
        return;
    hf_step *s = hf_xcalloc(1, sizeof(*s));
    s->mark = m->mark;
    s->index = index;
    s->expect = -1;
    hf_vec_push(&recipe->steps, s);

    const hf_node *opn = hf_node_get(m, "op");
    int op = -1;
    if (!opn) {
        err_at(ld, m->mark, "step %zu is missing required key 'op'", index);
    } else {
        op = get_enum(ld, m, "op", op_names, -1);
    }
    if (op >= 0) {
        s->op = (hf_op)op;
        const struct op_schema *sc = &op_schemas[op];
        const char *allowed[20];
        size_t n = 0;
        for (size_t i = 0; common_step_keys[i]; i++)
            allowed[n++] = common_step_keys[i];
        for (size_t i = 0; i < 10 && sc->keys[i]; i++)
            allowed[n++] = sc->keys[i];
        allowed[n] = NULL;
        const char *required[5];
        n = 0;
        for (size_t i = 0; i < 4 && sc->required[i]; i++)
            required[n++] = sc->required[i];
        required[n] = NULL;
        char what[64];
        snprintf(what, sizeof(what), "a %s step", op_names[op]);
        check_keys(ld, m, what, allowed, required);
    }
    s->name = get_str(ld, m, "name", NULL);
    hf_mark idm = m->mark;
    s->id = get_str(ld, m, "id", &idm);
    for (size_t i = 0; s->id && i + 1 < recipe->steps.len; i++) {
        const hf_step *o = recipe->steps.items[i];
        if (o->id && !strcmp(o->id, s->id))
            err_at(ld, idm, "step id '%s' is used twice in this recipe", s->id);
    }
    hf_vec after_marks = HF_VEC_INIT;
    get_str_list(ld, m, "after", &s->after, &after_marks);
    for (size_t a = 0; a < s->after.len; a++) {
        int found = 0;
        for (size_t i = 0; i + 1 < recipe->steps.len && !found; i++) {
            const hf_step *o = recipe->steps.items[i];
            found = o->id && !strcmp(o->id, s->after.items[a]);
        }
        if (!found)
            err_at(ld, *(hf_mark *)after_marks.items[a],
                   "'after' names '%s', which is no earlier step's id in this recipe",
                   (const char *)s->after.items[a]);
    }
    hf_vec_free(&after_marks, free);
    hf_mark cm = m->mark, em = m->mark;
    s->capability = get_str(ld, m, "capability", &cm);
    s->exception = get_str(ld, m, "exception", &em);
    if (s->capability && strcmp(s->capability, "by-route") == 0) {
        free(s->capability);
        s->capability = NULL;
        s->by_route = true;
        if (op != HF_OP_ADOPT_ADAPTER && op != HF_OP_DELETE)
            err_at(ld, cm,
                   "'capability: by-route' is for adopt-adapter and delete steps; "
                   "link this step to one capability");
    }
    if ((s->capability || s->by_route) && s->exception)
        err_at(ld, m->mark,
               "step %zu has both 'capability' and 'exception'; a step carries "
               "exactly one link",
               index);
    else if (!s->capability && !s->by_route && !s->exception && !hf_node_get(m, "capability") &&
             !hf_node_get(m, "exception"))
        err_at(ld, m->mark,
               "step %zu has neither 'capability' nor 'exception'; every change "
               "must be linked",
               index);
    if (op == HF_OP_ADOPT_ADAPTER && !s->by_route && s->capability)
        err_at(ld, cm,
               "an adopt-adapter step hands each call to the capability of its route: "
               "write 'capability: by-route'");
    if (s->capability)
        add_ref(ld, REF_CAPABILITY, s->capability, cm);
    if (s->exception)
        add_ref(ld, REF_EXCEPTION, s->exception, em);
    s->strategy = get_str(ld, m, "strategy", NULL);
    s->expect = get_int(ld, m, "expect", -1, 0, 100000);

    get_str_list(ld, m, "files", &s->files, NULL);
    check_glob_list(ld, m, "files", &s->files);
    s->where = hf_pred_load(hf_node_get(m, "where"), ld->diags);
    s->in_job = hf_pred_load(hf_node_get(m, "in-job"), ld->diags);
    s->drop_steps = hf_pred_load(hf_node_get(m, "drop-steps"), ld->diags);
    s->pattern = get_str(ld, m, "pattern", &s->pattern_mark);
    if (s->pattern) {
        check_regex(ld, s->pattern, s->pattern_mark, "'pattern'");
        hf_regex_warn_nested(s->pattern, s->pattern_mark, ld->diags);
    }
    static const char *const units[] = {"match", "markdown-block", NULL};
    s->drop_blocks = get_enum(ld, m, "unit", units, 0) == 1;
    if (op == HF_OP_EDIT && !s->drop_blocks && !hf_node_get(m, "replace"))
        err_at(ld, m->mark,
               "an edit step needs 'replace' (or 'unit: markdown-block', which "
               "drops what it matches)");
    if (s->drop_blocks && hf_node_get(m, "replace"))
        err_at(ld, hf_node_get(m, "replace")->mark,
               "'unit: markdown-block' drops each block whole; it takes no 'replace'");
    s->within = get_str(ld, m, "within", &s->within_mark);
    if (s->within) {
        check_regex(ld, s->within, s->within_mark, "'within'");
        hf_regex_warn_nested(s->within, s->within_mark, ld->diags);
    }
    const hf_node *repl = hf_node_get(m, "replace");
    if (repl && repl->kind == HF_NODE_SCALAR &&
        !(repl->plain && hf_node_is_null(repl) && *repl->value)) {
        s->replacement = hf_xstrdup(repl->value); /* "" (replace by nothing) is allowed */
        s->replacement_mark = repl->mark;
    } else if (repl)
        err_at(ld, repl->mark, "'replace' must be a string, not %s", kind_name(repl));
    s->uses = get_str(ld, m, "uses", &s->uses_mark);
    s->with = hf_node_get(m, "with");
    if (s->with && !expect_map(ld, s->with, "'with'"))
        s->with = NULL;
    s->secrets = hf_node_get(m, "secrets");
    if (s->secrets && s->secrets->kind == HF_NODE_SCALAR && strcmp(s->secrets->value, "inherit")) {
        err_at(ld, s->secrets->mark, "'secrets' must be 'inherit' or a mapping");
        s->secrets = NULL;
    } else if (s->secrets && s->secrets->kind == HF_NODE_SEQ) {
        err_at(ld, s->secrets->mark, "'secrets' must be 'inherit' or a mapping");
        s->secrets = NULL;
    }
    s->permissions = hf_node_get(m, "permissions");
    if (s->permissions && s->permissions->kind == HF_NODE_SEQ) {
        err_at(ld, s->permissions->mark, "'permissions' must be a mapping or read-all/write-all");
        s->permissions = NULL;
    }
    s->needs_oidc = get_bool(ld, m, "needs-oidc", false);
    get_str_list(ld, m, "paths", &s->paths, NULL);
    check_glob_list(ld, m, "paths", &s->paths);
    get_str_list(ld, m, "references", &s->references, NULL);
    check_glob_list(ld, m, "references", &s->references);
    hf_mark setm;
    s->set = get_str(ld, m, "set", &setm);
    if (s->set) {
        hf_buf norm = HF_BUF_INIT;
        hf_error err;
        if (hf_path_normalize(&norm, s->set, &err) < 0)
            err_at(ld, setm, "invalid archive set: %s", err.msg);
        else if (strchr(s->set, '/'))
            err_at(ld, setm, "archive set '%s' must be one path segment", s->set);
        hf_buf_free(&norm);
    }
    s->reason = get_str(ld, m, "reason", NULL);
    s->link = get_str(ld, m, "link", NULL);
    s->template_path = checked_path(ld, m, "template");
    s->content = get_str(ld, m, "content", &s->content_mark);
    s->dest = checked_path(ld, m, "path");
    if (op == HF_OP_WRITE && !hf_node_get(m, "template") == !hf_node_get(m, "content"))
        err_at(ld, m->mark, "a write step needs exactly one of 'template' or 'content'");
}

static void load_recipe(loader *ld, const hf_doc *doc, const char *id)
{
    static const char *const keys[] = {"title",      "description", "applies-to",
                                       "predicates", "steps",       NULL};
    static const char *const required[] = {"title", "applies-to", "steps", NULL};
    static const char *const applies_keys[] = {"families", "repos", NULL};
    hf_recipe *r = hf_xcalloc(1, sizeof(*r));
    r->id = hf_xstrdup(id);
    r->file = hf_xstrdup(doc->file);
    r->mark.file = doc->file;
    r->mark.line = r->mark.col = 1;
    hf_vec_push(&ld->cfg->recipes, r);
    if (!doc->root) {
        hf_diags_add(ld->diags, HF_DIAG_ERROR, doc->file, 1, 1, "file is empty");
        return;
    }
    if (!expect_map(ld, doc->root, "a recipe"))
        return;
    const hf_node *root = doc->root;
    r->mark = root->mark;
    check_keys(ld, root, "a recipe", keys, required);
    r->title = get_str(ld, root, "title", NULL);
    r->description = get_str(ld, root, "description", NULL);
    const hf_node *ap = hf_node_get(root, "applies-to");
    if (ap && expect_map(ld, ap, "'applies-to'")) {
        check_keys(ld, ap, "'applies-to'", applies_keys, NULL);
        hf_vec fam_marks = HF_VEC_INIT;
        get_str_list(ld, ap, "families", &r->families, &fam_marks);
        for (size_t f = 0; f < r->families.len; f++)
            add_ref(ld, REF_FAMILY, r->families.items[f], *(hf_mark *)fam_marks.items[f]);
        hf_vec_free(&fam_marks, free);
        get_str_list(ld, ap, "repos", &r->repos, NULL);
        check_glob_list(ld, ap, "repos", &r->repos);
        if (!r->families.len && !r->repos.len)
            err_at(ld, ap->mark, "'applies-to' must name families or repos");
    }
    hf_pred_load_named(hf_node_get(root, "predicates"), &r->predicates, ld->diags);
    const hf_node *steps = hf_node_get(root, "steps");
    if (steps && steps->kind != HF_NODE_SEQ)
        err_at(ld, steps->mark, "'steps' must be a list, not %s", kind_name(steps));
    else if (steps)
        for (size_t i = 0; i < steps->len; i++)
            load_step(ld, r, steps->items[i], i + 1);
}

/* ---- cross-file checks --------------------------------------------------- */

static int has_str(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i], s) == 0)
            return 1;
    return 0;
}

/* Reports a second definition of the same id. getter returns the id and mark
 * of item i. */
static void check_unique(loader *ld, const hf_vec *items, const char *what,
                         const char *(*id_of)(const void *, hf_mark *))
{
    for (size_t i = 0; i < items->len; i++) {
        hf_mark mi;
        const char *a = id_of(items->items[i], &mi);
        if (!a)
            continue;
        for (size_t j = 0; j < i; j++) {
            hf_mark mj;
            const char *b = id_of(items->items[j], &mj);
            if (b && strcmp(a, b) == 0) {
                err_at(ld, mi, "duplicate %s id '%s' (first defined at %s:%d:%d)", what, a, mj.file,
                       mj.line, mj.col);
                break;
            }
        }
    }
}

static const char *cap_id(const void *p, hf_mark *m)
{
    *m = ((const hf_capability *)p)->mark;
    return ((const hf_capability *)p)->id;
}
static const char *exc_id(const void *p, hf_mark *m)
{
    *m = ((const hf_exception *)p)->mark;
    return ((const hf_exception *)p)->id;
}
static const char *rule_id(const void *p, hf_mark *m)
{
    *m = ((const hf_rule *)p)->mark;
    return ((const hf_rule *)p)->id;
}
static const char *repo_id(const void *p, hf_mark *m)
{
    *m = ((const hf_repo *)p)->mark;
    return ((const hf_repo *)p)->name;
}

static void resolve_refs(loader *ld)
{
    const hf_config *cfg = ld->cfg;
    for (size_t i = 0; i < ld->refs.len; i++) {
        const ref *r = ld->refs.items[i];
        switch (r->kind) {
        case REF_CAPABILITY:
            if (ld->capabilities_ok && !hf_config_capability(cfg, r->id))
                err_at(ld, r->mark, "unknown capability '%s' (not in capabilities.yml)", r->id);
            break;
        case REF_EXCEPTION:
            if (ld->exceptions_ok && !hf_config_exception(cfg, r->id))
                err_at(ld, r->mark, "unknown exception '%s' (not in exceptions.yml)", r->id);
            break;
        case REF_RULE:
            if (ld->contract_ok && !hf_config_rule(cfg, r->id))
                err_at(ld, r->mark, "unknown contract rule '%s' (not in contract.yml)", r->id);
            break;
        case REF_RECIPE:
            if (!hf_config_recipe(cfg, r->id) && !has_str(&ld->broken_recipes, r->id))
                err_at(ld, r->mark, "unknown recipe '%s' (no %s.recipe.yml)", r->id, r->id);
            break;
        case REF_FAMILY:
            if (ld->fleet_ok && !has_str(&cfg->fleet.families, r->id))
                err_at(ld, r->mark, "unknown family '%s' (not in fleet.yml families)", r->id);
            break;
        case REF_SURFACE:
            if (ld->fleet_ok && !has_str(&cfg->fleet.surfaces, r->id))
                err_at(ld, r->mark, "unknown surface '%s' (not in fleet.yml surfaces)", r->id);
            break;
        }
    }
}

/* Binds the names predicates use, then checks that each step's predicates
 * test what the step selects (jobs, steps or files). */
static void resolve_predicates(loader *ld)
{
    hf_config *cfg = ld->cfg;
    for (size_t i = 0; i < cfg->predicates.len; i++)
        hf_pred_resolve(((hf_named_pred *)cfg->predicates.items[i])->pred, NULL, &cfg->predicates,
                        ld->diags);
    for (size_t r = 0; r < cfg->recipes.len; r++) {
        hf_recipe *rc = cfg->recipes.items[r];
        for (size_t i = 0; i < rc->predicates.len; i++) {
            const hf_named_pred *n = rc->predicates.items[i];
            const hf_named_pred *dup = NULL;
            for (size_t k = 0; k < cfg->predicates.len && !dup; k++)
                if (!strcmp(((hf_named_pred *)cfg->predicates.items[k])->name, n->name))
                    dup = cfg->predicates.items[k];
            if (dup)
                err_at(ld, n->mark, "predicate '%s' is already defined in predicates.yml (%d:%d)",
                       n->name, dup->mark.line, dup->mark.col);
            hf_pred_resolve(n->pred, &rc->predicates, &cfg->predicates, ld->diags);
        }
        for (size_t i = 0; i < rc->steps.len; i++) {
            hf_step *st = rc->steps.items[i];
            hf_subject subject = HF_SUBJ_JOB;
            if (st->op == HF_OP_REPLACE_STEP)
                subject = HF_SUBJ_STEP;
            else if (st->op == HF_OP_DELETE || st->op == HF_OP_DELETE_WORKFLOW ||
                     st->op == HF_OP_EDIT)
                subject = HF_SUBJ_FILE;
            hf_pred_resolve(st->where, &rc->predicates, &cfg->predicates, ld->diags);
            hf_pred_check_subject(st->where, subject, "'where'", ld->diags);
            hf_pred_resolve(st->in_job, &rc->predicates, &cfg->predicates, ld->diags);
            hf_pred_check_subject(st->in_job, HF_SUBJ_JOB, "'in-job'", ld->diags);
            hf_pred_resolve(st->drop_steps, &rc->predicates, &cfg->predicates, ld->diags);
            hf_pred_check_subject(st->drop_steps, HF_SUBJ_STEP, "'drop-steps'", ld->diags);
        }
    }
}

/* ---- entry --------------------------------------------------------------- */

static hf_doc *load_doc(loader *ld, const char *dir, const char *name)
{
    hf_buf path = HF_BUF_INIT, display = HF_BUF_INIT;
    hf_buf_printf(&path, "%s/%s", dir, name);
    if (strcmp(dir, ".") == 0)
        hf_buf_puts(&display, name);
    else
        hf_buf_puts(&display, hf_buf_cstr(&path));
    hf_doc *doc = hf_xcalloc(1, sizeof(*doc));
    int rc = hf_doc_load(doc, hf_buf_cstr(&path), hf_buf_cstr(&display), NULL, ld->diags);
    hf_buf_free(&path);
    hf_buf_free(&display);
    hf_vec_push(&ld->cfg->docs, doc);
    return rc < 0 ? NULL : doc;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int hf_config_load(hf_config *cfg, const char *dir, const hf_load_options *opts, hf_diags *diags)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->dir = hf_xstrdup(dir);
    loader ld = {.cfg = cfg, .opts = opts, .diags = diags};
    size_t errors_before = diags->errors;

    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        hf_diags_add(diags, HF_DIAG_ERROR, dir, 0, 0, "not a configuration directory");
        return -1;
    }
    const hf_doc *doc;
    if ((doc = load_doc(&ld, dir, "fleet.yml")) != NULL) {
        ld.fleet_ok = true;
        load_fleet(&ld, doc);
    }
    if ((doc = load_doc(&ld, dir, "capabilities.yml")) != NULL) {
        ld.capabilities_ok = true;
        load_capabilities(&ld, doc);
    }
    if ((doc = load_doc(&ld, dir, "exceptions.yml")) != NULL) {
        ld.exceptions_ok = true;
        load_exceptions(&ld, doc);
    }
    if ((doc = load_doc(&ld, dir, "contract.yml")) != NULL) {
        ld.contract_ok = true;
        load_contract(&ld, doc);
    }

    /* predicates.yml is optional: predicates every recipe may use by name */
    hf_buf ppath = HF_BUF_INIT;
    hf_buf_printf(&ppath, "%s/predicates.yml", dir);
    if (access(hf_buf_cstr(&ppath), F_OK) == 0 &&
        (doc = load_doc(&ld, dir, "predicates.yml")) != NULL) {
        static const char *const pkeys[] = {"predicates", NULL};
        if (doc->root && expect_map(&ld, doc->root, "the top level")) {
            check_keys(&ld, doc->root, "the top level", pkeys, pkeys);
            hf_pred_load_named(hf_node_get(doc->root, "predicates"), &cfg->predicates, diags);
        }
    }
    hf_buf_free(&ppath);

    hf_vec names = HF_VEC_INIT;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        static const char suffix[] = ".recipe.yml";
        if (n > sizeof(suffix) - 1 && strcmp(de->d_name + n - (sizeof(suffix) - 1), suffix) == 0)
            hf_vec_push(&names, hf_xstrdup(de->d_name));
    }
    if (d)
        closedir(d);
    hf_vec_sort(&names, str_cmp);
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        char *id = hf_xstrndup(name, strlen(name) - strlen(".recipe.yml"));
        if ((doc = load_doc(&ld, dir, name)) != NULL) {
            load_recipe(&ld, doc, id);
            free(id);
        } else {
            hf_vec_push(&ld.broken_recipes, id);
        }
    }
    hf_vec_free(&names, free);

    check_unique(&ld, &cfg->capabilities, "capability", cap_id);
    check_unique(&ld, &cfg->exceptions, "exception", exc_id);
    check_unique(&ld, &cfg->contract.rules, "rule", rule_id);
    check_unique(&ld, &cfg->fleet.repos, "repo", repo_id);
    resolve_predicates(&ld);
    resolve_refs(&ld);
    hf_vec_free(&ld.refs, free);
    hf_vec_free(&ld.broken_recipes, free);
    return diags->errors > errors_before ? -1 : 0;
}

hf_recipe *hf_config_add_recipe(hf_config *cfg, const char *id, const char *file,
                                const hf_node *predicates, const hf_node *steps, hf_diags *diags)
{
    hf_load_options opts = {0};
    loader ld = {.cfg = cfg,
                 .opts = &opts,
                 .diags = diags,
                 .fleet_ok = true,
                 .capabilities_ok = true,
                 .exceptions_ok = true,
                 .contract_ok = true};
    hf_recipe *r = hf_xcalloc(1, sizeof(*r));
    r->id = hf_xstrdup(id);
    r->file = hf_xstrdup(file);
    r->title = hf_xstrdup(id);
    r->mark.file = r->file;
    r->mark.line = r->mark.col = 1;
    hf_vec_push(&cfg->recipes, r);
    hf_pred_load_named(predicates, &r->predicates, diags);
    if (steps && steps->kind == HF_NODE_SEQ)
        for (size_t i = 0; i < steps->len; i++)
            load_step(&ld, r, steps->items[i], i + 1);
    resolve_predicates(&ld);
    resolve_refs(&ld);
    hf_vec_free(&ld.refs, free);
    return r;
}

/* ---- lookups and freeing ------------------------------------------------- */

const hf_capability *hf_config_capability(const hf_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->capabilities.len; i++) {
        const hf_capability *c = cfg->capabilities.items[i];
        if (c->id && strcmp(c->id, id) == 0)
            return c;
    }
    return NULL;
}

const hf_exception *hf_config_exception(const hf_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->exceptions.len; i++) {
        const hf_exception *e = cfg->exceptions.items[i];
        if (e->id && strcmp(e->id, id) == 0)
            return e;
    }
    return NULL;
}

const hf_recipe *hf_config_recipe(const hf_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->recipes.len; i++) {
        const hf_recipe *r = cfg->recipes.items[i];
        if (strcmp(r->id, id) == 0)
            return r;
    }
    return NULL;
}

const hf_rule *hf_config_rule(const hf_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->contract.rules.len; i++) {
        const hf_rule *r = cfg->contract.rules.items[i];
        if (r->id && strcmp(r->id, id) == 0)
            return r;
    }
    return NULL;
}

const hf_adapter *hf_config_adapter(const hf_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->adapters.len; i++) {
        const hf_adapter *a = cfg->adapters.items[i];
        if (a->name && strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

const hf_repo *hf_config_repo(const hf_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->fleet.repos.len; i++) {
        const hf_repo *r = cfg->fleet.repos.items[i];
        if (r->name && strcmp(r->name, name) == 0)
            return r;
    }
    return NULL;
}

bool hf_exception_covers(const hf_exception *e, const char *repo, const char *path,
                         const char *rule)
{
    int hit = e->repos.len == 0;
    for (size_t i = 0; !hit && i < e->repos.len; i++)
        hit = hf_glob_match(e->repos.items[i], repo);
    if (!hit)
        return false;
    if (path && e->paths.len) {
        hit = 0;
        for (size_t i = 0; !hit && i < e->paths.len; i++)
            hit = hf_glob_match(e->paths.items[i], path);
        if (!hit)
            return false;
    }
    if (rule)
        return has_str(&e->rules, rule);
    return true;
}

bool hf_exception_expired(const hf_exception *e, hf_date today)
{
    return hf_date_cmp(today, e->expires) > 0;
}

const char *hf_owner_name(hf_owner o)
{
    return (unsigned)o < 4 ? owner_names[o] : "?";
}

static void str_vec_free(hf_vec *v)
{
    hf_vec_free(v, free);
}

static void capability_free(void *p)
{
    hf_capability *c = p;
    free(c->id);
    free(c->title);
    free(c->group);
    str_vec_free(&c->routes);
    str_vec_free(&c->aliases);
    str_vec_free(&c->authz);
    str_vec_free(&c->strategies);
    free(c->doc);
    adapter_free(c->own_adapter);
    free(c->adapter_ref);
    str_vec_free(&c->subsumes);
    free(c);
}

static void exception_free(void *p)
{
    hf_exception *e = p;
    free(e->id);
    free(e->reason);
    free(e->issue);
    free(e->owner);
    free(e->delete_when);
    str_vec_free(&e->repos);
    str_vec_free(&e->paths);
    str_vec_free(&e->rules);
    free(e);
}

static void surface_free(void *p)
{
    hf_surface *s = p;
    free(s->surface);
    free(s->capability);
    free(s->exception);
    free(s->note);
    free(s);
}

static void repo_free(void *p)
{
    hf_repo *r = p;
    free(r->name);
    free(r->url);
    free(r->base);
    free(r->family);
    str_vec_free(&r->contexts);
    free(r->product);
    str_vec_free(&r->recipes);
    hf_vec_free(&r->recipe_marks, free);
    hf_vec_free(&r->surfaces, surface_free);
    free(r);
}

static void family_paths_free(void *p)
{
    hf_family_paths *fp = p;
    free(fp->family);
    str_vec_free(&fp->globs);
    free(fp);
}

static void syntax_globs_free(void *p)
{
    hf_syntax_globs *sg = p;
    str_vec_free(&sg->globs);
    free(sg);
}

static void rule_free(void *p)
{
    hf_rule *r = p;
    free(r->id);
    free(r->category);
    free(r->message);
    free(r->pattern);
    str_vec_free(&r->families);
    str_vec_free(&r->include);
    str_vec_free(&r->exclude);
    str_vec_free(&r->allow);
    free(r);
}

static void step_free(void *p)
{
    hf_step *s = p;
    free(s->name);
    free(s->id);
    str_vec_free(&s->after);
    free(s->capability);
    free(s->exception);
    free(s->strategy);
    str_vec_free(&s->files);
    hf_pred_free(s->where);
    hf_pred_free(s->in_job);
    hf_pred_free(s->drop_steps);
    free(s->pattern);
    free(s->within);
    free(s->replacement);
    free(s->uses);
    str_vec_free(&s->paths);
    str_vec_free(&s->references);
    free(s->set);
    free(s->reason);
    free(s->link);
    free(s->template_path);
    free(s->content);
    free(s->dest);
    free(s);
}

static void recipe_free(void *p)
{
    hf_recipe *r = p;
    free(r->id);
    free(r->file);
    free(r->title);
    free(r->description);
    str_vec_free(&r->families);
    str_vec_free(&r->repos);
    hf_vec_free(&r->predicates, hf_named_pred_free);
    hf_vec_free(&r->steps, step_free);
    free(r);
}

static void doc_free(void *p)
{
    hf_doc_free(p);
    free(p);
}

void hf_config_free(hf_config *cfg)
{
    hf_fleet *f = &cfg->fleet;
    free(f->name);
    free(f->forge_kind);
    free(f->forge_api);
    free(f->forge_web);
    free(f->branch);
    free(f->author_name);
    free(f->author_email);
    free(f->pr.title);
    free(f->pr.body);
    free(f->commit.subject);
    free(f->commit.body);
    free(f->commit.capability_trailer);
    free(f->archive_templates);
    str_vec_free(&f->pr.labels);
    str_vec_free(&f->pr.reviewers);
    str_vec_free(&f->families);
    str_vec_free(&f->surfaces);
    hf_vec_free(&f->repos, repo_free);
    free(f->gate.repository);
    free(f->gate.ref);
    free(f->gate.version);
    hf_vec_free(&cfg->capabilities, capability_free);
    hf_vec_free(&cfg->exceptions, exception_free);
    hf_contract *c = &cfg->contract;
    str_vec_free(&c->extensions);
    str_vec_free(&c->dotfiles);
    str_vec_free(&c->skip_dirs);
    str_vec_free(&c->allow_paths);
    str_vec_free(&c->allow_lines);
    str_vec_free(&c->test_paths);
    hf_vec_free(&c->family_allow_paths, family_paths_free);
    hf_vec_free(&c->comments, syntax_globs_free);
    free(c->mask_keys);
    str_vec_free(&c->mask_values);
    hf_vec_free(&c->rules, rule_free);
    hf_vec_free(&cfg->recipes, recipe_free);
    hf_vec_free(&cfg->predicates, hf_named_pred_free);
    hf_vec_free(&cfg->adapters, adapter_free);
    hf_vec_free(&cfg->docs, doc_free);
    free(cfg->dir);
    memset(cfg, 0, sizeof(*cfg));
}
