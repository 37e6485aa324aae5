/* Loads and checks predicates (see predicate.h): the YAML form of the tests,
 * their regular expressions, the names they use, and whether each can be
 * evaluated on the job, step or file it is written for. */
#include "config/predicate.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define ALL_SUBJECTS (HF_SUBJ_JOB | HF_SUBJ_STEP | HF_SUBJ_FILE)
#define MAX_REF_DEPTH 32

static const struct field_spec {
    const char *name;
    hf_field field;
    unsigned subjects;
    bool is_map;
} fields[] = {
    {"id", HF_FIELD_ID, HF_SUBJ_JOB | HF_SUBJ_STEP, false},
    {"name", HF_FIELD_NAME, HF_SUBJ_JOB | HF_SUBJ_STEP, false},
    {"uses", HF_FIELD_USES, HF_SUBJ_JOB | HF_SUBJ_STEP, false},
    {"run", HF_FIELD_RUN, HF_SUBJ_STEP, false},
    {"if", HF_FIELD_IF, HF_SUBJ_JOB | HF_SUBJ_STEP, false},
    {"needs", HF_FIELD_NEEDS, HF_SUBJ_JOB, false},
    {"runs-on", HF_FIELD_RUNS_ON, HF_SUBJ_JOB, false},
    {"script", HF_FIELD_SCRIPT, HF_SUBJ_STEP, false},
    {"text", HF_FIELD_TEXT, HF_SUBJ_FILE, false},
    {"path", HF_FIELD_PATH, HF_SUBJ_FILE, false},
    {"with", HF_FIELD_WITH, HF_SUBJ_JOB | HF_SUBJ_STEP, true},
    {"env", HF_FIELD_ENV, HF_SUBJ_JOB | HF_SUBJ_STEP, true},
    {"secrets", HF_FIELD_SECRETS, HF_SUBJ_JOB, true},
    {"permissions", HF_FIELD_PERMISSIONS, HF_SUBJ_JOB, true},
    {"on", HF_FIELD_ON, ALL_SUBJECTS, false},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const combinators[] = {"all", "any", "not", "is", "has-step", NULL};

const char *hf_subject_name(hf_subject s)
{
    switch (s) {
    case HF_SUBJ_JOB:
        return "a job";
    case HF_SUBJ_STEP:
        return "a step";
    default:
        return "a file";
    }
}

static const struct field_spec *field_spec(hf_field f)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (fields[i].field == f)
            return &fields[i];
    return &fields[0];
}

const char *hf_field_name(hf_field f)
{
    return field_spec(f)->name;
}

unsigned hf_field_subjects(hf_field f)
{
    return field_spec(f)->subjects;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
err_at(hf_diags *d, hf_mark m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hf_diags_addv(d, HF_DIAG_ERROR, m.file, m.line, m.col, fmt, ap);
    va_end(ap);
}

static hf_pred *new_pred(hf_pred_kind kind, hf_mark mark)
{
    hf_pred *p = hf_xcalloc(1, sizeof(*p));
    p->kind = kind;
    p->mark = mark;
    return p;
}

void hf_pred_free(hf_pred *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->kids.len; i++)
        hf_pred_free(p->kids.items[i]);
    hf_vec_free(&p->kids, NULL);
    free(p->key);
    free(p->pattern);
    free(p->ref);
    free(p);
}

void hf_named_pred_free(void *v)
{
    hf_named_pred *n = v;
    if (!n)
        return;
    free(n->name);
    hf_pred_free(n->pred);
    free(n);
}

/* ---- regular expressions ------------------------------------------------- */

static pcre2_code *compile(const char *pattern, hf_mark mark, hf_diags *diags)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_MULTILINE | PCRE2_UTF, &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        hf_diags_add(diags, HF_DIAG_ERROR, mark.file, mark.line, mark.col,
                     "invalid regular expression at offset %zu: %s", (size_t)offset,
                     (const char *)msg);
    }
    return re;
}

/* Skips a quantifier at p; sets *unbounded when it has no upper bound and
 * is not possessive (a possessive quantifier never backtracks). */
static const char *quantifier(const char *p, bool *unbounded)
{
    *unbounded = false;
    if (*p == '*' || *p == '+') {
        *unbounded = true;
        p++;
    } else if (*p == '?') {
        p++;
    } else if (*p == '{') {
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == p + 1 || (*q != ',' && *q != '}'))
            return p; /* a literal brace */
        if (*q == ',') {
            const char *r = q + 1;
            while (*r >= '0' && *r <= '9')
                r++;
            if (*r != '}')
                return p;
            *unbounded = r == q + 1;
            q = r;
        }
        p = q + 1;
    } else {
        return p;
    }
    if (*p == '+') {
        *unbounded = false;
        p++;
    } else if (*p == '?') {
        p++;
    }
    return p;
}

void hf_regex_warn_nested(const char *pattern, hf_mark mark, hf_diags *diags)
{
    /* one frame per open group: whether something inside repeats without
     * bound, and whether the group is atomic (never backtracks into) */
    struct frame {
        bool unbounded_inside;
        bool atomic;
    } stack[64];
    size_t depth = 0;
    stack[0].unbounded_inside = false;
    stack[0].atomic = false;
    const char *p = pattern;
    while (*p) {
        bool atom = true;
        if (*p == '\\') {
            if (p[1] == 'Q') {
                const char *e = strstr(p + 2, "\\E");
                p = e ? e + 2 : p + strlen(p);
            } else {
                p += p[1] ? 2 : 1;
            }
        } else if (*p == '[') {
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (*p == '\\' && p[1])
                    p++;
                else if (*p == '[' && p[1] == ':') {
                    const char *e = strstr(p, ":]");
                    if (e)
                        p = e + 1;
                }
                p++;
            }
            if (*p)
                p++;
        } else if (*p == '(') {
            if (depth + 1 < sizeof(stack) / sizeof(stack[0])) {
                depth++;
                stack[depth].unbounded_inside = false;
                stack[depth].atomic = p[1] == '?' && p[2] == '>';
            }
            p++;
            if (*p == '?' || *p == '*')
                p++; /* the group's kind: (?:, (?<name>, (*VERB) ... are not atoms */
            continue;
        } else if (*p == ')') {
            p++;
            if (depth == 0)
                continue;
            struct frame closed = stack[depth--];
            bool unbounded;
            const char *after = quantifier(p, &unbounded);
            if (unbounded && closed.unbounded_inside && !closed.atomic) {
                hf_diags_add(diags, HF_DIAG_WARNING, mark.file, mark.line, mark.col,
                             "regular expression nests unbounded repeats ('%.*s' is repeated "
                             "and repeats inside): it can backtrack without end on a large "
                             "file; bound the inner repeat or make it possessive",
                             (int)(after - pattern > 40 ? 40 : after - pattern),
                             after - pattern > 40 ? after - 40 : pattern);
                return;
            }
            if ((closed.unbounded_inside && !closed.atomic) || unbounded)
                stack[depth].unbounded_inside = true;
            p = after;
            continue;
        } else {
            atom = *p != '|' && *p != '^' && *p != '$';
            p++;
        }
        if (atom) {
            bool unbounded;
            p = quantifier(p, &unbounded);
            if (unbounded)
                stack[depth].unbounded_inside = true;
        }
    }
}

static char *load_pattern(const hf_node *n, hf_diags *diags, hf_mark *mark)
{
    if (n->kind != HF_NODE_SCALAR || hf_node_is_null(n) || !*n->value) {
        hf_diags_add(diags, HF_DIAG_ERROR, n->mark.file, n->mark.line, n->mark.col,
                     "a test needs a regular expression (a non-empty string)");
        return NULL;
    }
    pcre2_code *re = compile(n->value, n->mark, diags);
    if (!re)
        return NULL;
    pcre2_code_free(re);
    hf_regex_warn_nested(n->value, n->mark, diags);
    *mark = n->mark;
    return hf_xstrdup(n->value);
}

/* ---- loading ------------------------------------------------------------- */

static void known_keys(hf_buf *b)
{
    for (size_t i = 0; combinators[i]; i++)
        hf_buf_printf(b, "%s%s", i ? ", " : "", combinators[i]);
    for (size_t i = 0; i < NFIELDS; i++)
        hf_buf_printf(b, ", %s", fields[i].name);
}

static const struct field_spec *field_by_name(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static hf_pred *load_text_test(const struct field_spec *fs, const hf_node *key, const hf_node *v,
                               hf_diags *diags)
{
    hf_pred *p = new_pred(HF_PRED_TEXT, key->mark);
    p->field = fs->field;
    if (v->kind == HF_NODE_MAP) {
        for (size_t i = 0; i < v->len; i++) {
            const hf_node *k = v->pairs[i].key, *x = v->pairs[i].value;
            if (strcmp(k->value, "pattern") == 0) {
                p->pattern = load_pattern(x, diags, &p->pattern_mark);
            } else if (strcmp(k->value, "comments") == 0) {
                if (x->kind == HF_NODE_SCALAR && x->plain &&
                    (!strcmp(x->value, "true") || !strcmp(x->value, "false")))
                    p->comments = !strcmp(x->value, "true");
                else
                    err_at(diags, x->mark, "'comments' must be true or false");
            } else {
                err_at(diags, k->mark, "unknown key '%s' in a '%s' test (known: pattern, comments)",
                       k->value, fs->name);
            }
        }
        if (!hf_node_get(v, "pattern"))
            err_at(diags, v->mark, "a '%s' test written as a mapping needs 'pattern'", fs->name);
    } else {
        p->pattern = load_pattern(v, diags, &p->pattern_mark);
    }
    if (!p->pattern) {
        hf_pred_free(p);
        return NULL;
    }
    return p;
}

/* with / env / secrets / permissions: a pattern over "key: value" lines, or
 * a mapping of key -> pattern | true (present) | false (absent). */
static hf_pred *load_map_test(const struct field_spec *fs, const hf_node *key, const hf_node *v,
                              hf_diags *diags)
{
    if (v->kind != HF_NODE_MAP)
        return load_text_test(fs, key, v, diags);
    hf_pred *all = new_pred(HF_PRED_ALL, key->mark);
    for (size_t i = 0; i < v->len; i++) {
        const hf_node *k = v->pairs[i].key, *x = v->pairs[i].value;
        hf_pred *p = new_pred(HF_PRED_KEY, k->mark);
        p->field = fs->field;
        p->key = hf_xstrdup(k->value);
        if (x->kind == HF_NODE_SCALAR && x->plain &&
            (!strcmp(x->value, "true") || !strcmp(x->value, "false"))) {
            p->present = !strcmp(x->value, "true");
        } else if ((p->pattern = load_pattern(x, diags, &p->pattern_mark)) == NULL) {
            hf_pred_free(p);
            continue;
        }
        hf_vec_push(&all->kids, p);
    }
    if (all->kids.len == 1) {
        hf_pred *only = all->kids.items[0];
        all->kids.len = 0;
        hf_pred_free(all);
        return only;
    }
    return all;
}

static hf_pred *load_list(hf_pred_kind kind, const hf_node *key, const hf_node *v, hf_diags *diags)
{
    if (v->kind != HF_NODE_SEQ || v->len == 0) {
        err_at(diags, v->mark, "'%s' takes a non-empty list of predicates", key->value);
        return NULL;
    }
    hf_pred *p = new_pred(kind, key->mark);
    for (size_t i = 0; i < v->len; i++) {
        hf_pred *k = hf_pred_load(v->items[i], diags);
        if (k)
            hf_vec_push(&p->kids, k);
    }
    return p;
}

static hf_pred *load_one(hf_pred_kind kind, const hf_node *key, const hf_node *v, hf_diags *diags)
{
    hf_pred *k = hf_pred_load(v, diags);
    if (!k)
        return NULL;
    hf_pred *p = new_pred(kind, key->mark);
    hf_vec_push(&p->kids, k);
    return p;
}

static hf_pred *load_ref(const hf_node *n, hf_diags *diags)
{
    if (n->kind != HF_NODE_SCALAR || hf_node_is_null(n) || !*n->value) {
        err_at(diags, n->mark, "a predicate name must be a non-empty string");
        return NULL;
    }
    hf_pred *p = new_pred(HF_PRED_REF, n->mark);
    p->ref = hf_xstrdup(n->value);
    return p;
}

static hf_pred *load_pair(const hf_node *key, const hf_node *v, hf_diags *diags)
{
    const char *k = key->value;
    if (!strcmp(k, "all"))
        return load_list(HF_PRED_ALL, key, v, diags);
    if (!strcmp(k, "any"))
        return load_list(HF_PRED_ANY, key, v, diags);
    if (!strcmp(k, "not"))
        return load_one(HF_PRED_NOT, key, v, diags);
    if (!strcmp(k, "has-step"))
        return load_one(HF_PRED_HAS_STEP, key, v, diags);
    if (!strcmp(k, "is"))
        return load_ref(v, diags);
    const struct field_spec *fs = field_by_name(k);
    if (!fs) {
        hf_buf known = HF_BUF_INIT;
        known_keys(&known);
        err_at(diags, key->mark, "unknown test '%s' in a predicate (known: %s)", k,
               hf_buf_cstr(&known));
        hf_buf_free(&known);
        return NULL;
    }
    return fs->is_map ? load_map_test(fs, key, v, diags) : load_text_test(fs, key, v, diags);
}

hf_pred *hf_pred_load(const hf_node *node, hf_diags *diags)
{
    if (!node || hf_node_is_null(node)) {
        if (node)
            err_at(diags, node->mark, "a predicate must not be empty");
        return NULL;
    }
    if (node->kind == HF_NODE_SCALAR)
        return load_ref(node, diags);
    if (node->kind == HF_NODE_SEQ) {
        err_at(diags, node->mark,
               "a predicate is a name or a mapping of tests; write a list under all: or "
               "any:");
        return NULL;
    }
    if (node->len == 0) {
        err_at(diags, node->mark, "a predicate must test something");
        return NULL;
    }
    hf_pred *all = new_pred(HF_PRED_ALL, node->mark);
    for (size_t i = 0; i < node->len; i++) {
        hf_pred *p = load_pair(node->pairs[i].key, node->pairs[i].value, diags);
        if (p)
            hf_vec_push(&all->kids, p);
    }
    if (all->kids.len == 0) {
        hf_pred_free(all);
        return NULL;
    }
    if (all->kids.len == 1 && node->len == 1) {
        hf_pred *only = all->kids.items[0];
        all->kids.len = 0;
        hf_pred_free(all);
        return only;
    }
    return all;
}

void hf_pred_load_named(const hf_node *map, hf_vec *out, hf_diags *diags)
{
    if (!map || hf_node_is_null(map))
        return;
    if (map->kind != HF_NODE_MAP) {
        err_at(diags, map->mark, "'predicates' must be a mapping of name: predicate");
        return;
    }
    for (size_t i = 0; i < map->len; i++) {
        const hf_node *k = map->pairs[i].key;
        for (size_t j = 0; j < out->len; j++) {
            const hf_named_pred *seen = out->items[j];
            if (strcmp(seen->name, k->value) == 0)
                hf_diags_add(diags, HF_DIAG_ERROR, k->mark.file, k->mark.line, k->mark.col,
                             "predicate '%s' is defined twice (first at %s:%d:%d)", k->value,
                             seen->mark.file, seen->mark.line, seen->mark.col);
        }
        if (field_by_name(k->value) || !strcmp(k->value, "all") || !strcmp(k->value, "any") ||
            !strcmp(k->value, "not") || !strcmp(k->value, "is") || !strcmp(k->value, "has-step"))
            err_at(diags, k->mark, "predicate name '%s' is the name of a test", k->value);
        hf_pred *p = hf_pred_load(map->pairs[i].value, diags);
        if (!p)
            continue;
        hf_named_pred *n = hf_xcalloc(1, sizeof(*n));
        n->name = hf_xstrdup(k->value);
        n->mark = k->mark;
        n->pred = p;
        hf_vec_push(out, n);
    }
}

/* ---- names --------------------------------------------------------------- */

static const hf_named_pred *find_named(const hf_vec *v, const char *name)
{
    for (size_t i = 0; v && i < v->len; i++) {
        const hf_named_pred *n = v->items[i];
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return NULL;
}

static void bind(hf_pred *p, const hf_vec *local, const hf_vec *shared, hf_diags *diags)
{
    if (p->kind == HF_PRED_REF && !p->target) {
        const hf_named_pred *n = find_named(local, p->ref);
        if (!n)
            n = find_named(shared, p->ref);
        if (n)
            p->target = n->pred;
        else
            err_at(diags, p->mark,
                   "unknown predicate '%s' (not in this recipe's predicates nor in "
                   "predicates.yml)",
                   p->ref);
    }
    for (size_t i = 0; i < p->kids.len; i++)
        bind(p->kids.items[i], local, shared, diags);
}

/* Follows names from p; a name reached again while it is being followed is
 * a cycle: reported at the reference that closes it, which is then cut so
 * later walks end. */
static void find_cycles(hf_pred *p, const hf_pred **stack, size_t depth, hf_diags *diags)
{
    if (p->kind == HF_PRED_REF && p->target) {
        for (size_t i = 0; i < depth; i++)
            if (stack[i] == p->target) {
                err_at(diags, p->mark,
                       "predicate '%s' refers to itself through its own "
                       "tests",
                       p->ref);
                p->target = NULL;
                return;
            }
        if (depth >= MAX_REF_DEPTH) {
            err_at(diags, p->mark, "predicate '%s' nests names too deeply", p->ref);
            p->target = NULL;
            return;
        }
        stack[depth] = p->target;
        find_cycles((hf_pred *)p->target, stack, depth + 1, diags);
        return;
    }
    for (size_t i = 0; i < p->kids.len; i++)
        find_cycles(p->kids.items[i], stack, depth, diags);
}

void hf_pred_resolve(hf_pred *p, const hf_vec *local, const hf_vec *shared, hf_diags *diags)
{
    if (!p)
        return;
    bind(p, local, shared, diags);
    const hf_pred *stack[MAX_REF_DEPTH + 1];
    find_cycles(p, stack, 0, diags);
}

/* ---- subjects ------------------------------------------------------------ */

unsigned hf_pred_subjects(const hf_pred *p)
{
    unsigned s = ALL_SUBJECTS;
    switch (p->kind) {
    case HF_PRED_TEXT:
    case HF_PRED_KEY:
        return hf_field_subjects(p->field);
    case HF_PRED_REF:
        return p->target ? hf_pred_subjects(p->target) : ALL_SUBJECTS;
    case HF_PRED_HAS_STEP:
        return p->kids.len && (hf_pred_subjects(p->kids.items[0]) & HF_SUBJ_STEP) ? HF_SUBJ_JOB : 0;
    default:
        for (size_t i = 0; i < p->kids.len; i++)
            s &= hf_pred_subjects(p->kids.items[i]);
        return s;
    }
}

/* The first part of p that cannot be evaluated on subject: reports it and
 * returns 1. */
static int first_misfit(const hf_pred *p, hf_subject subject, const char *what, const char *via,
                        hf_diags *diags)
{
    hf_mark m = p->mark;
    switch (p->kind) {
    case HF_PRED_TEXT:
    case HF_PRED_KEY:
        if (hf_field_subjects(p->field) & subject)
            return 0;
        hf_diags_add(diags, HF_DIAG_ERROR, m.file, m.line, m.col,
                     "'%s' does not test %s (in %s%s%s)%s", hf_field_name(p->field),
                     hf_subject_name(subject), what, via ? ", through predicate " : "",
                     via ? via : "",
                     subject == HF_SUBJ_JOB && (hf_field_subjects(p->field) & HF_SUBJ_STEP)
                         ? "; to test a job's steps write has-step: {...}"
                         : "");
        return 1;
    case HF_PRED_HAS_STEP:
        if (subject != HF_SUBJ_JOB) {
            hf_diags_add(diags, HF_DIAG_ERROR, m.file, m.line, m.col,
                         "'has-step' tests a job, not %s (in %s)", hf_subject_name(subject), what);
            return 1;
        }
        return p->kids.len &&
               first_misfit(p->kids.items[0], HF_SUBJ_STEP, "'has-step'", via, diags);
    case HF_PRED_REF:
        return p->target && first_misfit(p->target, subject, what, p->ref, diags);
    default:
        for (size_t i = 0; i < p->kids.len; i++)
            if (first_misfit(p->kids.items[i], subject, what, via, diags))
                return 1;
        return 0;
    }
}

void hf_pred_check_subject(const hf_pred *p, hf_subject subject, const char *what, hf_diags *diags)
{
    if (p)
        first_misfit(p, subject, what, NULL, diags);
}

/* ---- captures ------------------------------------------------------------ */

static void names_of(const char *pattern, hf_vec *names)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_MULTILINE | PCRE2_UTF, &code, &offset, NULL);
    if (!re)
        return;
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++)
        hf_vec_push(names, hf_xstrdup((const char *)(table + i * size + 2)));
    pcre2_code_free(re);
}

static void captures_of(const hf_pred *p, hf_vec *names, size_t depth)
{
    if (depth > MAX_REF_DEPTH)
        return;
    if (p->pattern)
        names_of(p->pattern, names);
    if (p->kind == HF_PRED_REF && p->target)
        captures_of(p->target, names, depth + 1);
    for (size_t i = 0; i < p->kids.len; i++)
        captures_of(p->kids.items[i], names, depth);
}

void hf_pred_capture_names(const hf_pred *p, hf_vec *names)
{
    if (p)
        captures_of(p, names, 0);
}
