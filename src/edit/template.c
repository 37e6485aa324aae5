/* {{name}} templates, rendered as text or as YAML that cannot be injected
 * into: YAML rendering first puts an inert token where each value goes,
 * parses that, then places each value as its spot needs and checks the
 * result has the template's structure. */
#include "edit/template.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void hf_vars_set(hf_vars *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->names.len; i++)
        if (strcmp(v->names.items[i], name) == 0) {
            free(v->values.items[i]);
            v->values.items[i] = hf_xstrdup(value);
            return;
        }
    hf_vec_push(&v->names, hf_xstrdup(name));
    hf_vec_push(&v->values, hf_xstrdup(value));
}

const char *hf_vars_get(const hf_vars *v, const char *name)
{
    for (size_t i = 0; i < v->names.len; i++)
        if (strcmp(v->names.items[i], name) == 0)
            return v->values.items[i];
    return NULL;
}

void hf_vars_copy(hf_vars *dst, const hf_vars *src)
{
    for (size_t i = 0; i < src->names.len; i++)
        hf_vars_set(dst, src->names.items[i], src->values.items[i]);
}

void hf_vars_free(hf_vars *v)
{
    hf_vec_free(&v->names, free);
    hf_vec_free(&v->values, free);
}

static int name_char(char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return 1;
    return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/* Where offset `at` of the template is, for messages. */
static hf_mark mark_at(hf_mark origin, const char *tpl, size_t at)
{
    hf_mark m = origin;
    for (size_t i = 0; i < at; i++) {
        if (tpl[i] == '\n') {
            m.line++;
            m.col = 1;
        } else if (((unsigned char)tpl[i] & 0xc0) != 0x80) {
            m.col++;
        }
    }
    return m;
}

/* The template scanner: calls emit for literal text and for each
 * placeholder, which the two renderers and the name lister share. */
typedef int (*emit_fn)(void *ctx, int is_var, const char *s, size_t n, size_t at, hf_error *err);

static int scan(const char *tpl, size_t len, hf_mark origin, emit_fn emit, void *ctx, hf_error *err)
{
    size_t lit = 0, i = 0;
    while (i + 1 < len) {
        if (tpl[i] == '$' && tpl[i + 1] == '{' && i + 2 < len && tpl[i + 2] == '{') {
            /* a GitHub expression: copied through to its closing braces */
            const char *close = NULL;
            for (size_t j = i + 3; j + 1 < len && !close; j++)
                if (tpl[j] == '}' && tpl[j + 1] == '}')
                    close = tpl + j;
            i = close ? (size_t)(close - tpl) + 2 : len;
            continue;
        }
        if (tpl[i] != '{' || tpl[i + 1] != '{') {
            i++;
            continue;
        }
        /* the body: alternatives `name` or 'literal', separated by `|` */
        size_t j = i + 2, ns, ne = 0;
        int ok = 1;
        while (j < len && tpl[j] == ' ')
            j++;
        ns = j;
        while (ok) {
            size_t as = j;
            if (j < len && (tpl[j] == '\'' || tpl[j] == '"')) {
                char q = tpl[j++];
                while (j < len && tpl[j] != q && tpl[j] != '\n')
                    j++;
                ok = j < len && tpl[j] == q;
                j++;
            } else {
                while (j < len && name_char(tpl[j], j == as))
                    j++;
                ok = j > as;
            }
            ne = j;
            while (j < len && tpl[j] == ' ')
                j++;
            if (!ok || j >= len || tpl[j] != '|')
                break;
            j++;
            while (j < len && tpl[j] == ' ')
                j++;
        }
        if (!ok || ne == ns || j + 1 >= len || tpl[j] != '}' || tpl[j + 1] != '}') {
            hf_mark m = mark_at(origin, tpl, i);
            return hf_error_set(err,
                                "%s:%d:%d: malformed template placeholder; write {{name}} or "
                                "{{name | other | 'literal'}}",
                                m.file ? m.file : "template", m.line, m.col);
        }
        if (emit(ctx, 0, tpl + lit, i - lit, lit, err) < 0 ||
            emit(ctx, 1, tpl + ns, ne - ns, i, err) < 0)
            return -1;
        i = j + 2;
        lit = i;
    }
    return emit(ctx, 0, tpl + lit, len - lit, lit, err);
}

/* One alternative of a placeholder body at s (n bytes left): its extent
 * and whether it is a quoted literal. */
static size_t alternative(const char *s, size_t n, size_t *alen, int *literal)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    size_t start = i;
    *literal = i < n && (s[i] == '\'' || s[i] == '"');
    if (*literal) {
        char q = s[i++];
        while (i < n && s[i] != q)
            i++;
        i++;
    } else {
        while (i < n && s[i] != ' ' && s[i] != '|')
            i++;
    }
    *alen = i - start;
    return start;
}

/* The value of a placeholder body "a | b | 'literal'": the first variable
 * that is set (and, unless it is the last alternative, not empty), or the
 * first literal reached. NULL when none is. */
static const char *resolve_chain(const char *s, size_t n, const hf_vars *vars, hf_buf *scratch)
{
    size_t i = 0;
    while (i < n) {
        size_t alen;
        int literal;
        size_t start = alternative(s + i, n - i, &alen, &literal);
        const char *a = s + i + start;
        size_t next = i + start + alen;
        while (next < n && s[next] == ' ')
            next++;
        int last = next >= n;
        if (literal) {
            /* a literal may hold placeholders of its own: rendered in turn */
            hf_buf_clear(scratch);
            if (memmem(a + 1, alen - 2, "{{", 2)) {
                hf_error ignore;
                hf_mark m = {"template", 1, 1};
                if (hf_template_render(a + 1, alen - 2, vars, m, scratch, &ignore) < 0)
                    return NULL;
            } else {
                hf_buf_put(scratch, a + 1, alen - 2);
            }
            return hf_buf_cstr(scratch);
        }
        char *name = hf_xstrndup(a, alen);
        const char *v = vars ? hf_vars_get(vars, name) : NULL;
        free(name);
        if (v && (*v || last))
            return v;
        i = next + 1; /* past the `|` */
    }
    return NULL;
}

/* Appends each variable name of a placeholder body to names. */
static void chain_names(const char *s, size_t n, hf_vec *names)
{
    size_t i = 0;
    while (i < n) {
        size_t alen;
        int literal;
        size_t start = alternative(s + i, n - i, &alen, &literal);
        if (!literal) {
            hf_vec_push(names, hf_xstrndup(s + i + start, alen));
        } else if (alen > 2 && memmem(s + i + start + 1, alen - 2, "{{", 2)) {
            hf_error ignore;
            hf_mark m = {"template", 1, 1};
            hf_template_names(s + i + start + 1, alen - 2, m, names, &ignore);
        }
        i += start + alen;
        while (i < n && s[i] == ' ')
            i++;
        i++;
    }
}

typedef struct text_ctx {
    const char *tpl;
    hf_mark origin;
    const hf_vars *vars;
    hf_buf *out;
    hf_vec *names;
    hf_buf scratch; /* a literal alternative's text */
} text_ctx;

static int unknown(const text_ctx *t, const char *name, size_t n, size_t at, hf_error *err)
{
    hf_mark m = mark_at(t->origin, t->tpl, at);
    hf_buf known = HF_BUF_INIT;
    for (size_t i = 0; t->vars && i < t->vars->names.len; i++)
        hf_buf_printf(&known, "%s%s", i ? ", " : "", (const char *)t->vars->names.items[i]);
    if (memchr(name, '|', n))
        hf_error_set(err,
                     "%s:%d:%d: no value for {{%.*s}}: none of its variables is known here "
                     "(known: %s)",
                     m.file ? m.file : "template", m.line, m.col, (int)n, name,
                     known.len ? hf_buf_cstr(&known) : "none");
    else
        hf_error_set(err, "%s:%d:%d: unknown template variable '%.*s' (known: %s)",
                     m.file ? m.file : "template", m.line, m.col, (int)n, name,
                     known.len ? hf_buf_cstr(&known) : "none");
    hf_buf_free(&known);
    return -1;
}

static int emit_text(void *ctx, int is_var, const char *s, size_t n, size_t at, hf_error *err)
{
    text_ctx *t = ctx;
    if (!is_var) {
        hf_buf_put(t->out, s, n);
        return 0;
    }
    const char *v = resolve_chain(s, n, t->vars, &t->scratch);
    if (!v)
        return unknown(t, s, n, at, err);
    hf_buf_puts(t->out, v);
    return 0;
}

int hf_template_render(const char *tpl, size_t len, const hf_vars *vars, hf_mark origin,
                       hf_buf *out, hf_error *err)
{
    text_ctx t = {tpl, origin, vars, out, NULL, HF_BUF_INIT};
    int rc = scan(tpl, len, origin, emit_text, &t, err);
    hf_buf_free(&t.scratch);
    return rc;
}

static int emit_name(void *ctx, int is_var, const char *s, size_t n, size_t at, hf_error *err)
{
    (void)at;
    (void)err;
    if (is_var)
        chain_names(s, n, ((text_ctx *)ctx)->names);
    return 0;
}

int hf_template_names(const char *tpl, size_t len, hf_mark origin, hf_vec *names, hf_error *err)
{
    text_ctx t = {tpl, origin, NULL, NULL, names, HF_BUF_INIT};
    return scan(tpl, len, origin, emit_name, &t, err);
}

/* ---- YAML rendering ---------------------------------------------------- */

#define TOKEN_PREFIX "hfTplValue"

typedef struct yaml_ctx {
    text_ctx text;
    hf_vec values;   /* const char *: the value of token k */
    hf_vec literals; /* char *: literal alternatives values point into */
} yaml_ctx;

static int emit_token(void *ctx, int is_var, const char *s, size_t n, size_t at, hf_error *err)
{
    yaml_ctx *y = ctx;
    if (!is_var) {
        hf_buf_put(y->text.out, s, n);
        return 0;
    }
    const char *v = resolve_chain(s, n, y->text.vars, &y->text.scratch);
    if (!v)
        return unknown(&y->text, s, n, at, err);
    if (v == hf_buf_cstr(&y->text.scratch)) {
        char *copy = hf_xstrdup(v);
        hf_vec_push(&y->literals, copy);
        v = copy;
    }
    hf_buf_printf(y->text.out, TOKEN_PREFIX "%zuX", y->values.len);
    hf_vec_push(&y->values, (void *)v);
    return 0;
}

/* Token k at p (length *n), or -1. */
static long token_at(const char *p, const char *end, size_t *n)
{
    size_t pl = sizeof(TOKEN_PREFIX) - 1;
    if ((size_t)(end - p) <= pl || memcmp(p, TOKEN_PREFIX, pl) != 0)
        return -1;
    const char *q = p + pl;
    long k = 0;
    if (q >= end || *q < '0' || *q > '9')
        return -1;
    /* a number past any real count of values stays big, without overflow */
    for (; q < end && *q >= '0' && *q <= '9'; q++)
        if (k < 100000000)
            k = k * 10 + (*q - '0');
    if (q >= end || *q != 'X')
        return -1;
    *n = (size_t)(q + 1 - p);
    return k;
}

/* Replaces the tokens in [s, s+n) with their values, escaped by esc:
 * 0 raw, 'd' inside double quotes, 's' inside single quotes. */
static int put_detokenized(hf_buf *out, const char *s, size_t n, const yaml_ctx *y, int esc)
{
    const char *end = s + n;
    while (s < end) {
        size_t tn;
        long k = token_at(s, end, &tn);
        if (k < 0 || (size_t)k >= y->values.len) {
            hf_buf_putc(out, *s++);
            continue;
        }
        const char *v = y->values.items[k];
        if (esc == 'd') {
            hf_buf tmp = HF_BUF_INIT;
            hf_yaml_put_quoted(&tmp, v, strlen(v));
            hf_buf_put(out, tmp.ptr + 1, tmp.len - 2); /* already inside quotes */
            hf_buf_free(&tmp);
        } else if (esc == 'c') {
            if (strpbrk(v, "\r\n"))
                return -1; /* a comment ends at the line break */
            hf_buf_puts(out, v);
        } else if (esc == 's') {
            for (const char *c = v; *c; c++) {
                if (*c == '\n' || *c == '\r')
                    return -1;
                hf_buf_putc(out, *c);
                if (*c == '\'')
                    hf_buf_putc(out, '\'');
            }
        } else {
            hf_buf_puts(out, v);
        }
        s += tn;
    }
    return 0;
}

static int has_token(const char *s, size_t n)
{
    const char *end = s + n;
    for (; s < end; s++) {
        size_t tn;
        if (token_at(s, end, &tn) >= 0)
            return 1;
    }
    return 0;
}

typedef struct scalar_fix {
    size_t start, end;
    hf_buf text;
} scalar_fix;

static int in_flow(const hf_ynode *n)
{
    for (const hf_ynode *p = n->parent; p; p = p->parent)
        if (p->flow)
            return 1;
    return 0;
}

/* Decides how each scalar holding a token is written, and turns the token
 * tree into the intended tree (values in place of tokens). */
static int plan_scalars(hf_ynode *n, const char *src, const yaml_ctx *y, hf_vec *fixes,
                        hf_error *err, const char *file)
{
    if (n->kind == HF_Y_SCALAR && has_token(n->value, n->vlen)) {
        hf_buf value = HF_BUF_INIT;
        put_detokenized(&value, n->value, n->vlen, y, 0);
        scalar_fix *f = hf_xcalloc(1, sizeof(*f));
        f->start = n->start;
        f->end = n->end;
        const char *s = src + n->start;
        size_t sn = n->end - n->start;
        int ok = 0;
        if (n->style == HF_YS_PLAIN) {
            size_t tn;
            int whole = token_at(n->value, n->value + n->vlen, &tn) >= 0 && tn == n->vlen;
            hf_buf raw = HF_BUF_INIT;
            put_detokenized(&raw, s, sn, y, 0);
            hf_buf q = HF_BUF_INIT;
            hf_yaml_put_string(&q, value.ptr ? value.ptr : "", value.len, in_flow(n));
            /* keep the template's plain text when the value reads back the
             * same; else the whole scalar becomes a quoted string */
            if (!whole && q.len == value.len && strchr(raw.ptr ? raw.ptr : "", '\n') == NULL &&
                raw.len == value.len)
                hf_buf_put(&f->text, raw.ptr, raw.len);
            else
                hf_buf_put(&f->text, q.ptr, q.len);
            hf_buf_free(&raw);
            hf_buf_free(&q);
            n->style = HF_YS_DOUBLE; /* a rendered value is a string */
            ok = 1;
        } else if (n->style == HF_YS_DOUBLE) {
            ok = put_detokenized(&f->text, s, sn, y, 'd') == 0;
        } else if (n->style == HF_YS_SINGLE) {
            ok = put_detokenized(&f->text, s, sn, y, 's') == 0;
        } else {
            /* block scalars: a value may not bring its own line breaks */
            ok = strchr(hf_buf_cstr(&value), '\n') == NULL &&
                 put_detokenized(&f->text, s, sn, y, 0) == 0;
        }
        if (!ok) {
            hf_error_set(err,
                         "%s:%d:%d: a value with a line break cannot go into this scalar's style",
                         file, n->line, n->col);
            hf_buf_free(&f->text);
            free(f);
            hf_buf_free(&value);
            return -1;
        }
        hf_vec_push(fixes, f);
        free(n->value);
        n->vlen = value.len;
        n->value = hf_buf_detach(&value);
        return 0;
    }
    for (size_t i = 0; i < n->len; i++)
        if (plan_scalars(n->kids[i], src, y, fixes, err, file) < 0)
            return -1;
    return 0;
}

static int fix_cmp(const void *a, const void *b)
{
    const scalar_fix *x = *(const scalar_fix *const *)a, *y = *(const scalar_fix *const *)b;
    return x->start < y->start ? -1 : (x->start > y->start);
}

static void fix_free(void *p)
{
    scalar_fix *f = p;
    hf_buf_free(&f->text);
    free(f);
}

int hf_template_render_yaml(const char *tpl, size_t len, const hf_vars *vars, hf_mark origin,
                            hf_buf *out, hf_error *err)
{
    hf_buf tokened = HF_BUF_INIT, result = HF_BUF_INIT;
    yaml_ctx y = {{tpl, origin, vars, &tokened, NULL, HF_BUF_INIT}, HF_VEC_INIT, HF_VEC_INIT};
    hf_ydoc doc = HF_YDOC_INIT, check = HF_YDOC_INIT;
    hf_vec fixes = HF_VEC_INIT;
    const char *file = origin.file ? origin.file : "template";
    int rc = -1;

    if (has_token(tpl, len)) {
        hf_error_set(err, "%s: the template contains the reserved text '" TOKEN_PREFIX "'", file);
        goto done;
    }
    if (scan(tpl, len, origin, emit_token, &y, err) < 0)
        goto done;
    if (hf_ydoc_parse(&doc, file, hf_buf_cstr(&tokened), tokened.len, NULL, err) < 0) {
        hf_error_wrap(err, "the template is not valid YAML");
        goto done;
    }
    if (doc.root && plan_scalars(doc.root, doc.text.ptr, &y, &fixes, err, file) < 0)
        goto done;
    hf_vec_sort(&fixes, fix_cmp);
    size_t prev = 0;
    for (size_t i = 0; i <= fixes.len; i++) {
        size_t upto = i < fixes.len ? ((scalar_fix *)fixes.items[i])->start : tokened.len;
        /* tokens outside scalars (comments): raw, but never a new line */
        const char *seg = tokened.ptr + prev;
        size_t seglen = upto - prev;
        hf_buf part = HF_BUF_INIT;
        if (put_detokenized(&part, seg, seglen, &y, 'c') < 0) {
            hf_error_set(err, "%s: a value with a line break cannot go into a comment", file);
            hf_buf_free(&part);
            goto done;
        }
        hf_buf_put(&result, hf_buf_cstr(&part), part.len);
        hf_buf_free(&part);
        if (i < fixes.len) {
            scalar_fix *f = fixes.items[i];
            hf_buf_put(&result, hf_buf_cstr(&f->text), f->text.len);
            prev = f->end;
        }
    }
    if (hf_ydoc_parse(&check, file, hf_buf_cstr(&result), result.len, NULL, err) < 0) {
        hf_error_wrap(err, "a template value broke the YAML");
        goto done;
    }
    if (!hf_ynode_equal(doc.root, check.root)) {
        hf_error_set(err, "%s: a template value would change the document's structure; refused",
                     file);
        goto done;
    }
    hf_buf_put(out, hf_buf_cstr(&result), result.len);
    rc = 0;
done:
    hf_vec_free(&fixes, fix_free);
    hf_vec_free(&y.values, NULL);
    hf_vec_free(&y.literals, free);
    hf_buf_free(&y.text.scratch);
    hf_ydoc_free(&doc);
    hf_ydoc_free(&check);
    hf_buf_free(&tokened);
    hf_buf_free(&result);
    return rc;
}

int hf_template_render_node(const hf_node *node, const hf_vars *vars, hf_ynode **out, hf_error *err)
{
    hf_ynode *n = NULL;
    if (node->kind == HF_NODE_SCALAR) {
        hf_buf text = HF_BUF_INIT;
        const char *v = node->value ? node->value : "";
        if (hf_template_render(v, strlen(v), vars, node->mark, &text, err) < 0) {
            hf_buf_free(&text);
            return -1;
        }
        int same = text.len == strlen(v) && memcmp(hf_buf_cstr(&text), v, text.len) == 0;
        n = hf_ynode_scalar(hf_buf_cstr(&text), text.len,
                            node->plain && same ? HF_YS_PLAIN : HF_YS_DOUBLE);
        hf_buf_free(&text);
    } else if (node->kind == HF_NODE_MAP) {
        n = hf_ynode_map();
        for (size_t i = 0; i < node->len; i++) {
            hf_ynode *v = NULL;
            const hf_node *k = node->pairs[i].key;
            if (hf_template_render_node(node->pairs[i].value, vars, &v, err) < 0) {
                hf_ynode_free(n);
                return -1;
            }
            const char *ks = k->value ? k->value : "";
            hf_ynode_map_put(
                n, hf_ynode_scalar(ks, strlen(ks), k->plain ? HF_YS_PLAIN : HF_YS_DOUBLE), v);
        }
    } else {
        n = hf_ynode_seq();
        for (size_t i = 0; i < node->len; i++) {
            hf_ynode *v = NULL;
            if (hf_template_render_node(node->items[i], vars, &v, err) < 0) {
                hf_ynode_free(n);
                return -1;
            }
            hf_ynode_seq_push(n, v);
        }
    }
    *out = n;
    return 0;
}
