/* Format-preserving YAML edits: a libyaml event parse into a tree with byte
 * ranges, splices recorded next to tree changes, and a commit that re-parses
 * the spliced text and insists it equals the intended tree. */
#include "edit/yaml_splice.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/mem.h"

const hf_ylimits hf_ylimits_default = {4u << 20, 64, 200000};

typedef struct splice {
    size_t start, end;
    size_t seq; /* creation order, to keep insertions at one point stable */
    char *text;
    size_t len;
} splice;

/* ---- trees ----------------------------------------------------------- */

static hf_ynode *node_new(hf_ykind kind)
{
    hf_ynode *n = hf_xcalloc(1, sizeof(*n));
    n->kind = kind;
    return n;
}

static void kid_insert(hf_ynode *parent, size_t at, hf_ynode *kid)
{
    if (parent->len == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 4;
        parent->kids = hf_xrealloc(parent->kids, parent->cap * sizeof(*parent->kids));
    }
    memmove(parent->kids + at + 1, parent->kids + at, (parent->len - at) * sizeof(*parent->kids));
    parent->kids[at] = kid;
    parent->len++;
    kid->parent = parent;
}

static void kid_remove(hf_ynode *parent, size_t at, size_t count)
{
    for (size_t i = 0; i < count; i++)
        hf_ynode_free(parent->kids[at + i]);
    memmove(parent->kids + at, parent->kids + at + count,
            (parent->len - at - count) * sizeof(*parent->kids));
    parent->len -= count;
}

hf_ynode *hf_ynode_scalar(const char *s, size_t len, hf_ystyle style)
{
    hf_ynode *n = node_new(HF_Y_SCALAR);
    n->value = hf_xstrndup(s, len);
    n->vlen = len;
    n->style = style;
    return n;
}

hf_ynode *hf_ynode_str(const char *s)
{
    return hf_ynode_scalar(s, strlen(s), HF_YS_DOUBLE);
}

hf_ynode *hf_ynode_map(void)
{
    return node_new(HF_Y_MAP);
}

hf_ynode *hf_ynode_seq(void)
{
    return node_new(HF_Y_SEQ);
}

void hf_ynode_map_put(hf_ynode *map, hf_ynode *key, hf_ynode *value)
{
    kid_insert(map, map->len, key);
    kid_insert(map, map->len, value);
}

void hf_ynode_seq_push(hf_ynode *seq, hf_ynode *item)
{
    kid_insert(seq, seq->len, item);
}

size_t hf_ynode_pairs(const hf_ynode *map)
{
    return map && map->kind == HF_Y_MAP ? map->len / 2 : 0;
}

hf_ynode *hf_ynode_key(const hf_ynode *map, size_t pair)
{
    return map->kids[2 * pair];
}

hf_ynode *hf_ynode_val(const hf_ynode *map, size_t pair)
{
    return map->kids[2 * pair + 1];
}

int hf_ynode_is(const hf_ynode *n, const char *s)
{
    return n && n->kind == HF_Y_SCALAR && n->vlen == strlen(s) && memcmp(n->value, s, n->vlen) == 0;
}

size_t hf_ynode_find(const hf_ynode *map, const char *key)
{
    for (size_t i = 0; i < hf_ynode_pairs(map); i++)
        if (hf_ynode_is(map->kids[2 * i], key))
            return i;
    return (size_t)-1;
}

hf_ynode *hf_ynode_get(const hf_ynode *map, const char *key)
{
    size_t i = hf_ynode_find(map, key);
    return i == (size_t)-1 ? NULL : map->kids[2 * i + 1];
}

const char *hf_ynode_text(const hf_ynode *n)
{
    return n && n->kind == HF_Y_SCALAR ? n->value : NULL;
}

hf_ynode *hf_ynode_copy(const hf_ynode *n)
{
    hf_ynode *c = node_new(n->kind);
    c->style = n->style;
    c->flow = n->flow;
    c->shared = n->shared;
    if (n->value) {
        c->value = hf_xstrndup(n->value, n->vlen);
        c->vlen = n->vlen;
    }
    for (size_t i = 0; i < n->len; i++)
        kid_insert(c, c->len, hf_ynode_copy(n->kids[i]));
    return c;
}

void hf_ynode_free(hf_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->len; i++)
        hf_ynode_free(n->kids[i]);
    free(n->kids);
    free(n->value);
    free(n);
}

static int word_in(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == len && memcmp(*words, s, len) == 0)
            return 1;
    return 0;
}

int hf_yaml_plain_is_typed(const char *s, size_t len)
{
    static const char *const words[] = {
        "~",     "null",  "Null",  "NULL",  "y",     "Y",     "yes",   "Yes",   "YES",
        "n",     "N",     "no",    "No",    "NO",    "true",  "True",  "TRUE",  "false",
        "False", "FALSE", "on",    "On",    "ON",    "off",   "Off",   "OFF",   ".inf",
        ".Inf",  ".INF",  "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan",
        ".NaN",  ".NAN",  "=",     "<<",    NULL};
    if (len == 0 || word_in(s, len, words))
        return 1;
    /* Numbers in any YAML 1.1/1.2 notation (decimal, 0x, 0o, 0b, exponents,
     * sexagesimal, underscores) and dates: anything that starts like a number
     * and holds only number characters counts. Quoting one string too many is
     * harmless; quoting one too few changes its type. */
    unsigned char c0 = (unsigned char)s[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == '+' || c0 == '-' || c0 == '.') {
        int digit = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= '0' && c <= '9')
                digit = 1;
            else if (!strchr("+-._:xXoObBeEaAcCdDfFtTzZ ", c) || c == '\0')
                return 0;
        }
        return digit;
    }
    return 0;
}

/* A plain scalar YAML reads as null: an empty value is written `null`. */
static int scalar_is_null(const hf_ynode *n)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    return n->style == HF_YS_PLAIN && (n->vlen == 0 || word_in(n->value, n->vlen, nulls));
}

static int scalar_is_string(const hf_ynode *n)
{
    return n->style != HF_YS_PLAIN || !hf_yaml_plain_is_typed(n->value, n->vlen);
}

int hf_ynode_equal(const hf_ynode *a, const hf_ynode *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->len != b->len)
        return 0;
    if (a->kind == HF_Y_SCALAR || a->kind == HF_Y_ALIAS) {
        if (a->kind == HF_Y_SCALAR && scalar_is_null(a) && scalar_is_null(b))
            return 1;
        if (a->vlen != b->vlen || memcmp(a->value, b->value, a->vlen) != 0)
            return 0;
        if (a->kind == HF_Y_SCALAR && (a->style == HF_YS_PLAIN) != (b->style == HF_YS_PLAIN) &&
            (!scalar_is_string(a) || !scalar_is_string(b)))
            return 0;
        return 1;
    }
    for (size_t i = 0; i < a->len; i++)
        if (!hf_ynode_equal(a->kids[i], b->kids[i]))
            return 0;
    return 1;
}

int hf_ynode_equal_unordered(const hf_ynode *a, const hf_ynode *b)
{
    if (!a || !b || a->kind != HF_Y_MAP || b->kind != HF_Y_MAP) {
        if (!a || !b || a->kind != b->kind || a->kind != HF_Y_SEQ)
            return hf_ynode_equal(a, b);
        if (a->len != b->len)
            return 0;
        for (size_t i = 0; i < a->len; i++)
            if (!hf_ynode_equal_unordered(a->kids[i], b->kids[i]))
                return 0;
        return 1;
    }
    if (hf_ynode_pairs(a) != hf_ynode_pairs(b))
        return 0;
    for (size_t i = 0; i < hf_ynode_pairs(a); i++) {
        const hf_ynode *v = hf_ynode_get(b, hf_ynode_key(a, i)->value);
        if (!v || !hf_ynode_equal_unordered(hf_ynode_val(a, i), v))
            return 0;
    }
    return 1;
}

static int subtree_shared(const hf_ynode *n)
{
    if (n->shared || n->kind == HF_Y_ALIAS)
        return 1;
    for (size_t i = 0; i < n->len; i++)
        if (subtree_shared(n->kids[i]))
            return 1;
    return 0;
}

int hf_ynode_is_shared(const hf_ynode *n)
{
    for (const hf_ynode *p = n->parent; p; p = p->parent)
        if (p->shared)
            return 1;
    return subtree_shared(n);
}

void hf_ynode_path(hf_buf *out, const hf_ynode *n)
{
    if (!n || !n->parent) {
        if (!out->len)
            hf_buf_puts(out, "(document)");
        return;
    }
    const hf_ynode *p = n->parent;
    size_t at = 0;
    while (at < p->len && p->kids[at] != n)
        at++;
    if (p->parent)
        hf_ynode_path(out, p);
    if (p->kind == HF_Y_MAP) {
        if (p->parent)
            hf_buf_putc(out, '.');
        const hf_ynode *k = p->kids[at & ~(size_t)1];
        hf_buf_put(out, k->value ? k->value : "?", k->value ? k->vlen : 1);
    } else {
        hf_buf_printf(out, "[%zu]", at);
    }
}

/* ---- rendering ---------------------------------------------------------- */

/* A string may be written plain: it reads back as the same string and adds
 * no structure, in block or (when flow) in flow context. */
static int plain_ok(const char *s, size_t len, int flow, int typed_ok)
{
    if (len == 0)
        return 0;
    /* "-x" is plain anywhere ("-1" must stay a number), "?x" and ":x" only
     * outside flow collections, as libyaml's scanner reads them */
    int indicator_ok = len > 1 && s[1] != ' ' && s[1] != '\t' &&
                       (s[0] == '-' || (!flow && (s[0] == '?' || s[0] == ':'))) &&
                       !(len >= 3 && s[0] == '-' && s[1] == '-' && s[2] == '-' &&
                         (len == 3 || s[3] == ' ')); /* a document marker */
    if (!indicator_ok && strchr("-?:,[]{}#&*!|>'\"%@` \t", (unsigned char)s[0]))
        return 0;
    if (s[len - 1] == ' ' || s[len - 1] == ':')
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c >= 0x80) {
            /* NEL, LS, PS and BOM are line breaks or markers to YAML; the
             * other C1 controls, U+FFFE and U+FFFF may not appear raw */
            if ((c == 0xc2 && i + 1 < len && ((unsigned char)s[i + 1] & 0xe0) == 0x80) ||
                (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbf &&
                 (unsigned char)s[i + 2] >= 0xbe) ||
                (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) ||
                (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbb &&
                 (unsigned char)s[i + 2] == 0xbf))
                return 0;
        }
        if (c == ':' && i + 1 < len && (s[i + 1] == ' ' || (flow && strchr(",[]{}?", s[i + 1]))))
            return 0;
        if (c == '#' && i > 0 && s[i - 1] == ' ')
            return 0;
        if (flow && strchr(",[]{}", c))
            return 0;
    }
    return typed_ok || !hf_yaml_plain_is_typed(s, len);
}

void hf_yaml_put_string(hf_buf *out, const char *s, size_t len, int flow)
{
    if (plain_ok(s, len, flow, 0))
        hf_buf_put(out, s, len);
    else
        hf_yaml_put_quoted(out, s, len);
}

void hf_yaml_put_quoted(hf_buf *out, const char *s, size_t len)
{
    hf_buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            hf_buf_puts(out, "\\\"");
            continue;
        case '\\':
            hf_buf_puts(out, "\\\\");
            continue;
        case '\0':
            hf_buf_puts(out, "\\0");
            continue;
        case '\t':
            hf_buf_puts(out, "\\t");
            continue;
        case '\n':
            hf_buf_puts(out, "\\n");
            continue;
        case '\r':
            hf_buf_puts(out, "\\r");
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            hf_buf_printf(out, "\\x%02X", c);
        } else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
            hf_buf_puts(out, "\\N");
            i += 1;
        } else if (c == 0xc2 && i + 1 < len && ((unsigned char)s[i + 1] & 0xe0) == 0x80) {
            hf_buf_printf(out, "\\x%02X", (unsigned char)s[i + 1]); /* a C1 control */
            i += 1;
        } else if (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbf &&
                   (unsigned char)s[i + 2] >= 0xbe) {
            hf_buf_puts(out, (unsigned char)s[i + 2] == 0xbe ? "\\uFFFE" : "\\uFFFF");
            i += 2;
        } else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            hf_buf_puts(out, (unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P");
            i += 2;
        } else if (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbb &&
                   (unsigned char)s[i + 2] == 0xbf) {
            hf_buf_puts(out, "\\uFEFF");
            i += 2;
        } else {
            hf_buf_putc(out, (char)c);
        }
    }
    hf_buf_putc(out, '"');
}

static void put_scalar(hf_buf *out, const hf_ynode *n, int flow)
{
    if (n->style == HF_YS_PLAIN && plain_ok(n->value, n->vlen, flow, 1))
        hf_buf_put(out, n->value, n->vlen);
    else if (n->style == HF_YS_PLAIN && n->vlen == 0)
        hf_buf_puts(out, "null"); /* an empty plain scalar means null */
    else
        hf_yaml_put_string(out, n->value, n->vlen, flow);
}

static void put_spaces(hf_buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hf_buf_putc(out, ' ');
}

static void render_flow(hf_buf *out, const hf_ynode *v)
{
    if (v->kind == HF_Y_SCALAR) {
        put_scalar(out, v, 1);
        return;
    }
    int map = v->kind == HF_Y_MAP;
    hf_buf_putc(out, map ? '{' : '[');
    for (size_t i = 0; i < v->len; i += map ? 2 : 1) {
        if (i)
            hf_buf_puts(out, ", ");
        render_flow(out, v->kids[i]);
        if (map) {
            hf_buf_puts(out, ": ");
            render_flow(out, v->kids[i + 1]);
        }
    }
    hf_buf_putc(out, map ? '}' : ']');
}

static void render_block(const hf_ydoc *doc, hf_buf *out, const hf_ynode *v, size_t indent);

/* key: value at indent (the key already placed); no final line break. */
static void render_pair(const hf_ydoc *doc, hf_buf *out, const hf_ynode *key, const hf_ynode *val,
                        size_t indent)
{
    put_scalar(out, key, 0);
    hf_buf_putc(out, ':');
    if (val->kind == HF_Y_SCALAR) {
        hf_buf_putc(out, ' ');
        put_scalar(out, val, 0);
        return;
    }
    if (val->len == 0) {
        hf_buf_putc(out, ' ');
        render_flow(out, val);
        return;
    }
    size_t step = (size_t)doc->indent;
    size_t inner = indent + (val->kind == HF_Y_MAP || doc->seq_indent ? step : 0);
    hf_buf_puts(out, doc->nl);
    put_spaces(out, inner);
    render_block(doc, out, val, inner);
}

/* v as block content: its first line continues the current one, further
 * lines are indented by indent; no final line break. */
static void render_block(const hf_ydoc *doc, hf_buf *out, const hf_ynode *v, size_t indent)
{
    if (v->kind == HF_Y_SCALAR) {
        put_scalar(out, v, 0);
        return;
    }
    if (v->len == 0) {
        render_flow(out, v);
        return;
    }
    if (v->kind == HF_Y_MAP) {
        for (size_t i = 0; i < v->len; i += 2) {
            if (i) {
                hf_buf_puts(out, doc->nl);
                put_spaces(out, indent);
            }
            render_pair(doc, out, v->kids[i], v->kids[i + 1], indent);
        }
        return;
    }
    for (size_t i = 0; i < v->len; i++) {
        if (i) {
            hf_buf_puts(out, doc->nl);
            put_spaces(out, indent);
        }
        hf_buf_puts(out, "- ");
        render_block(doc, out, v->kids[i], indent + 2);
    }
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct parser {
    const unsigned char *s;
    size_t len;
    size_t ci, bi; /* a character index and its byte offset */
    size_t nodes;
    int depth;
} parser;

/* libyaml 0.2.5 marks count characters; map one to a byte offset. Events
 * arrive almost in order, so walking a cursor both ways is linear. */
static size_t byte_at(parser *p, size_t ci)
{
    while (p->ci < ci && p->bi < p->len) {
        p->bi++;
        while (p->bi < p->len && (p->s[p->bi] & 0xc0) == 0x80)
            p->bi++;
        p->ci++;
    }
    while (p->ci > ci && p->bi > 0) {
        p->bi--;
        while (p->bi > 0 && (p->s[p->bi] & 0xc0) == 0x80)
            p->bi--;
        p->ci--;
    }
    return p->bi;
}

static void place(parser *p, hf_ynode *n, const yaml_mark_t *start, const yaml_mark_t *end)
{
    n->placed = 1;
    n->start = byte_at(p, start->index);
    n->end = byte_at(p, end->index);
    n->line = (int)start->line + 1;
    n->col = (int)start->column + 1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The end of a block collection is the end of its last content, not
 * libyaml's end mark (which falls at the next token). */
static void close_block(hf_ynode *n)
{
    if (n->len)
        n->end = n->kids[n->len - 1]->end;
}

static int parse_tree(const char *path, const char *text, size_t len, const hf_ylimits *lim,
                      hf_ynode **root_out, hf_error *err)
{
    yaml_parser_t yp;
    yaml_event_t ev;
    parser p = {(const unsigned char *)text, len, 0, 0, 0, 0};
    hf_ynode *root = NULL, *cur = NULL;
    int docs = 0, rc = -1, done = 0;

    if (len > lim->max_bytes)
        return hf_error_set(err, "%s: %zu bytes is over the %zu-byte limit for YAML edits", path,
                            len, lim->max_bytes);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.bi = 3; /* libyaml does not count the byte-order mark */
    if (!yaml_parser_initialize(&yp))
        return hf_error_set(err, "%s: cannot initialise the YAML parser", path);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
    while (!done) {
        if (!yaml_parser_parse(&yp, &ev)) {
            hf_error_set(err, "%s:%zu:%zu: invalid YAML: %s%s%s", path, yp.problem_mark.line + 1,
                         yp.problem_mark.column + 1, yp.problem ? yp.problem : "error",
                         yp.context ? " " : "", yp.context ? yp.context : "");
            goto done;
        }
        hf_ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                hf_error_set(err, "%s:%zu:%zu: a second YAML document; only one is supported", path,
                             ev.start_mark.line + 1, ev.start_mark.column + 1);
                yaml_event_delete(&ev);
                goto done;
            }
            break;
        case YAML_SCALAR_EVENT:
            n = node_new(HF_Y_SCALAR);
            n->value = hf_xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->vlen = ev.data.scalar.length;
            switch (ev.data.scalar.style) {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE:
                n->style = HF_YS_SINGLE;
                break;
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
                n->style = HF_YS_DOUBLE;
                break;
            case YAML_LITERAL_SCALAR_STYLE:
                n->style = HF_YS_LITERAL;
                break;
            case YAML_FOLDED_SCALAR_STYLE:
                n->style = HF_YS_FOLDED;
                break;
            default:
                n->style = HF_YS_PLAIN;
                break;
            }
            n->shared = ev.data.scalar.anchor || ev.data.scalar.tag;
            place(&p, n, &ev.start_mark, &ev.end_mark);
            if (n->style == HF_YS_LITERAL || n->style == HF_YS_FOLDED)
                while (n->end > n->start + 1 && is_space(p.s[n->end - 1]))
                    n->end--;
            break;
        case YAML_ALIAS_EVENT:
            n = node_new(HF_Y_ALIAS);
            n->value = hf_xstrdup((const char *)ev.data.alias.anchor);
            n->vlen = strlen(n->value);
            place(&p, n, &ev.start_mark, &ev.end_mark);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
            int map = ev.type == YAML_MAPPING_START_EVENT;
            n = node_new(map ? HF_Y_MAP : HF_Y_SEQ);
            n->flow = map ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                          : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
            n->shared = map ? (ev.data.mapping_start.anchor || ev.data.mapping_start.tag)
                            : (ev.data.sequence_start.anchor || ev.data.sequence_start.tag);
            place(&p, n, &ev.start_mark, &ev.end_mark);
            break;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (cur->flow)
                cur->end = byte_at(&p, ev.end_mark.index);
            else
                close_block(cur);
            cur = cur->parent;
            p.depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!n)
            continue;
        if (++p.nodes > lim->max_nodes) {
            hf_error_set(err, "%s:%d:%d: more than %zu YAML nodes", path, n->line, n->col,
                         lim->max_nodes);
            hf_ynode_free(n);
            goto done;
        }
        if (cur)
            kid_insert(cur, cur->len, n);
        else if (!root)
            root = n;
        else
            hf_ynode_free(n); /* cannot happen in one document */
        if (n->kind == HF_Y_MAP || n->kind == HF_Y_SEQ) {
            if (++p.depth > lim->max_depth) {
                hf_error_set(err, "%s:%d:%d: YAML nested more than %d deep", path, n->line, n->col,
                             lim->max_depth);
                goto done;
            }
            cur = n;
        }
    }
    *root_out = root;
    root = NULL;
    rc = 0;
done:
    hf_ynode_free(root);
    yaml_parser_delete(&yp);
    return rc;
}

/* The file's indentation step and sequence style, so inserted blocks look
 * like their neighbours. */
static void detect_style(hf_ydoc *doc, const hf_ynode *n, int *found_step, int *found_seq)
{
    if (n->kind != HF_Y_MAP && n->kind != HF_Y_SEQ)
        return;
    if (n->kind == HF_Y_MAP && !n->flow) {
        for (size_t i = 0; i + 1 < n->len; i += 2) {
            const hf_ynode *k = n->kids[i], *v = n->kids[i + 1];
            if (v->flow || !v->placed || v->line == k->line)
                continue;
            if (v->kind == HF_Y_MAP && !*found_step && v->col > k->col) {
                doc->indent = v->col - k->col;
                *found_step = 1;
            } else if (v->kind == HF_Y_SEQ && !*found_seq) {
                doc->seq_indent = v->col > k->col;
                *found_seq = 1;
            }
        }
    }
    for (size_t i = 0; i < n->len; i++)
        detect_style(doc, n->kids[i], found_step, found_seq);
}

int hf_ydoc_parse(hf_ydoc *doc, const char *path, const char *text, size_t len,
                  const hf_ylimits *limits, hf_error *err)
{
    hf_ydoc fresh = HF_YDOC_INIT;
    *doc = fresh;
    doc->limits = limits ? *limits : hf_ylimits_default;
    doc->path = hf_xstrdup(path);
    hf_buf_put(&doc->text, text, len);
    const char *lf = memchr(text, '\n', len);
    if (lf && lf > text && lf[-1] == '\r')
        doc->nl = "\r\n";
    if (parse_tree(path, doc->text.ptr, len, &doc->limits, &doc->root, err) < 0)
        return -1;
    int found_step = 0, found_seq = 0;
    if (doc->root)
        detect_style(doc, doc->root, &found_step, &found_seq);
    if (doc->indent < 1 || doc->indent > 8)
        doc->indent = 2;
    return 0;
}

static void splice_free(void *p)
{
    splice *s = p;
    free(s->text);
    free(s);
}

void hf_ydoc_free(hf_ydoc *doc)
{
    hf_ynode_free(doc->root);
    free(doc->path);
    hf_buf_free(&doc->text);
    hf_vec_free(&doc->splices, splice_free);
    doc->root = NULL;
    doc->path = NULL;
}

/* ---- edits -------------------------------------------------------------- */

static size_t line_start(const hf_ydoc *doc, size_t pos)
{
    while (pos > 0 && doc->text.ptr[pos - 1] != '\n')
        pos--;
    return pos;
}

/* Just past the line break of the line holding pos (or the end of text). */
static size_t line_end(const hf_ydoc *doc, size_t pos)
{
    const char *lf = memchr(doc->text.ptr + pos, '\n', doc->text.len - pos);
    return lf ? (size_t)(lf - doc->text.ptr) + 1 : doc->text.len;
}

static int only_spaces(const hf_ydoc *doc, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (doc->text.ptr[i] != ' ')
            return 0;
    return 1;
}

static size_t column_of(const hf_ydoc *doc, size_t pos)
{
    return pos - line_start(doc, pos);
}

static int ends_line(const hf_ydoc *doc, size_t end)
{
    return end > 0 && doc->text.ptr[end - 1] == '\n';
}

static void add_splice(hf_ydoc *doc, size_t start, size_t end, hf_buf *text)
{
    splice *s = hf_xcalloc(1, sizeof(*s));
    s->start = start;
    s->end = end;
    s->seq = doc->splices.len;
    s->len = text->len;
    s->text = hf_buf_detach(text);
    hf_vec_push(&doc->splices, s);
}

static int in_flow(const hf_ynode *n)
{
    for (const hf_ynode *p = n->parent; p; p = p->parent)
        if (p->flow)
            return 1;
    return 0;
}

static int refuse(const hf_ydoc *doc, const hf_ynode *n, const char *what, hf_error *err)
{
    hf_buf path = HF_BUF_INIT;
    hf_ynode_path(&path, n);
    /* a rewritten node has no place of its own: name the nearest that has */
    const hf_ynode *at = n;
    while (at->parent && !at->placed)
        at = at->parent;
    hf_error_set(err, "%s:%d:%d: refusing to %s %s: %s", doc->path, at->line, at->col, what,
                 hf_buf_cstr(&path),
                 n->placed ? "it is under a YAML anchor, alias or tag (an edit could change or "
                             "duplicate other parts)"
                           : "it was already rewritten by this step");
    hf_buf_free(&path);
    return -1;
}

/* An edit takes its byte range from the text positions of the nodes it
 * touches; a node an earlier edit of this step put in has none. */
static int placed(const hf_ydoc *doc, const hf_ynode *n, const char *what, hf_error *err)
{
    return n->placed ? 0 : refuse(doc, n, what, err);
}

static int editable(const hf_ydoc *doc, const hf_ynode *n, const char *what, hf_error *err)
{
    if (!n->placed || hf_ynode_is_shared(n))
        return refuse(doc, n, what, err);
    return 0;
}

/* The range a block collection occupies: from its first content to the end
 * of the line of its last content. */
static void block_range(const hf_ydoc *doc, const hf_ynode *n, size_t *start, size_t *end)
{
    *start = n->start;
    *end = line_end(doc, n->end);
}

static size_t kid_index(const hf_ynode *parent, const hf_ynode *kid)
{
    for (size_t i = 0; i < parent->len; i++)
        if (parent->kids[i] == kid)
            return i;
    return (size_t)-1;
}

int hf_yedit_replace(hf_ydoc *doc, hf_ynode *node, hf_ynode *value, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    size_t start, end;
    if (editable(doc, node, "replace", err) < 0) {
        hf_ynode_free(value);
        return -1;
    }
    if (node->parent && node->parent->kind == HF_Y_MAP &&
        (kid_index(node->parent, node) & 1) == 0) {
        hf_ynode_free(value);
        return hf_error_set(err, "%s:%d:%d: internal: a key cannot be replaced", doc->path,
                            node->line, node->col);
    }
    if ((node->kind == HF_Y_MAP || node->kind == HF_Y_SEQ) && !node->flow) {
        block_range(doc, node, &start, &end);
        if (!only_spaces(doc, line_start(doc, start), start) &&
            !strchr("- ", doc->text.ptr[start - 1])) {
            hf_ynode_free(value);
            return hf_error_set(err, "%s:%d:%d: cannot find the indentation of this block",
                                doc->path, node->line, node->col);
        }
        render_block(doc, &text, value, column_of(doc, start));
        if (ends_line(doc, end))
            hf_buf_puts(&text, doc->nl);
    } else {
        start = node->start;
        end = node->end;
        /* an empty value sits right after its "key:" or "-" */
        if (start == end && start > 0 && doc->text.ptr[start - 1] != ' ')
            hf_buf_putc(&text, ' ');
        if (value->kind == HF_Y_SCALAR)
            put_scalar(&text, value, in_flow(node));
        else
            render_flow(&text, value);
    }
    add_splice(doc, start, end, &text);
    hf_ynode *parent = node->parent;
    if (parent) {
        size_t at = kid_index(parent, node);
        parent->kids[at] = value;
        value->parent = parent;
    } else {
        doc->root = value;
    }
    hf_ynode_free(node);
    return 0;
}

int hf_yedit_rebuild_map(hf_ydoc *doc, hf_ynode *map, const char *const *keep, size_t nkeep,
                         hf_ynode *extra, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    hf_vec kept = HF_VEC_INIT; /* hf_ynode *: key, value, ... */
    size_t start, end, indent = 0, parts = 0;
    if (map->kind != HF_Y_MAP || editable(doc, map, "rewrite", err) < 0) {
        hf_ynode_free(extra);
        if (map->kind != HF_Y_MAP)
            return hf_error_set(err, "%s:%d:%d: expected a mapping", doc->path, map->line,
                                map->col);
        return -1;
    }
    for (size_t i = 0; i + 1 < map->len; i += 2) {
        int keepit = 0;
        for (size_t j = 0; j < nkeep && !keepit; j++)
            keepit = hf_ynode_is(map->kids[i], keep[j]);
        /* a kept pair is copied from the text, so it must still be there */
        if (keepit && (placed(doc, map->kids[i], "keep", err) < 0 ||
                       placed(doc, map->kids[i + 1], "keep", err) < 0)) {
            hf_ynode_free(extra);
            return -1;
        }
    }
    if (map->flow) {
        start = map->start;
        end = map->end;
        hf_buf_putc(&text, '{');
    } else {
        block_range(doc, map, &start, &end);
        indent = column_of(doc, start);
    }
    for (size_t i = 0; i + 1 < map->len; i += 2) {
        hf_ynode *k = map->kids[i], *v = map->kids[i + 1];
        int keepit = 0;
        for (size_t j = 0; j < nkeep && !keepit; j++)
            keepit = hf_ynode_is(k, keep[j]);
        if (!keepit)
            continue;
        if (parts++) {
            if (map->flow) {
                hf_buf_puts(&text, ", ");
            } else {
                hf_buf_puts(&text, doc->nl);
                put_spaces(&text, indent);
            }
        }
        size_t pend = map->flow ? v->end : line_end(doc, v->end);
        if (!map->flow) {
            /* the pair's own lines, without the final line break */
            if (pend > k->start && doc->text.ptr[pend - 1] == '\n')
                pend--;
            if (pend > k->start && doc->text.ptr[pend - 1] == '\r')
                pend--;
        }
        hf_buf_put(&text, doc->text.ptr + k->start, pend - k->start);
        hf_vec_push(&kept, k);
        hf_vec_push(&kept, v);
    }
    for (size_t i = 0; i + 1 < extra->len; i += 2) {
        if (parts++) {
            if (map->flow) {
                hf_buf_puts(&text, ", ");
            } else {
                hf_buf_puts(&text, doc->nl);
                put_spaces(&text, indent);
            }
        }
        if (map->flow) {
            render_flow(&text, extra->kids[i]);
            hf_buf_puts(&text, ": ");
            render_flow(&text, extra->kids[i + 1]);
        } else {
            render_pair(doc, &text, extra->kids[i], extra->kids[i + 1], indent);
        }
    }
    if (map->flow)
        hf_buf_putc(&text, '}');
    else if (!parts)
        hf_buf_puts(&text, "{}");
    if (!map->flow && ends_line(doc, end))
        hf_buf_puts(&text, doc->nl);
    add_splice(doc, start, end, &text);

    /* the tree: kept pairs move over, the others are freed */
    for (size_t i = 0; i < map->len; i++) {
        int moved = 0;
        for (size_t j = 0; j < kept.len && !moved; j++)
            moved = kept.items[j] == map->kids[i];
        if (!moved)
            hf_ynode_free(map->kids[i]);
    }
    map->len = 0;
    for (size_t j = 0; j < kept.len; j++)
        kid_insert(map, map->len, kept.items[j]);
    for (size_t i = 0; i < extra->len; i++)
        kid_insert(map, map->len, extra->kids[i]);
    extra->len = 0;
    hf_ynode_free(extra);
    if (!parts)
        map->flow = 1;
    map->placed = 0; /* its text is now the splice: no nested edits */
    hf_vec_free(&kept, NULL);
    return 0;
}

static int replace_with_empty(hf_ydoc *doc, hf_ynode *coll, hf_error *err)
{
    return hf_yedit_replace(doc, coll, coll->kind == HF_Y_MAP ? hf_ynode_map() : hf_ynode_seq(),
                            err);
}

static int removable(const hf_ydoc *doc, hf_ynode *coll, const hf_ynode *a, const hf_ynode *b,
                     hf_error *err)
{
    if (!coll->placed)
        return refuse(doc, coll, "change", err);
    for (const hf_ynode *p = coll; p; p = p->parent)
        if (p->shared)
            return refuse(doc, coll, "change", err);
    if (subtree_shared(a) || (b && subtree_shared(b)))
        return refuse(doc, a, "remove", err);
    return 0;
}

int hf_yedit_remove_pair(hf_ydoc *doc, hf_ynode *map, size_t pair, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    size_t n = hf_ynode_pairs(map), start, end;
    if (pair >= n)
        return hf_error_set(err, "%s: internal: no pair %zu to remove", doc->path, pair);
    hf_ynode *k = map->kids[2 * pair], *v = map->kids[2 * pair + 1];
    if (removable(doc, map, k, v, err) < 0)
        return -1;
    if (n == 1)
        return replace_with_empty(doc, map, err);
    if (placed(doc, k, "remove", err) < 0 || placed(doc, v, "remove", err) < 0)
        return -1;
    if (map->flow) {
        if (placed(doc, map->kids[pair > 0 ? 2 * pair - 1 : 2], "remove next to", err) < 0)
            return -1;
        if (pair > 0) {
            start = map->kids[2 * pair - 1]->end;
            end = v->end;
        } else {
            start = k->start;
            end = map->kids[2]->start;
        }
    } else {
        size_t ls = line_start(doc, k->start);
        if (only_spaces(doc, ls, k->start)) {
            start = ls;
            end = line_end(doc, v->end);
        } else if (pair + 1 < n) {
            /* first pair after "- ": the next key moves up into its place */
            if (placed(doc, map->kids[2 * pair + 2], "remove next to", err) < 0)
                return -1;
            start = k->start;
            end = map->kids[2 * pair + 2]->start;
        } else {
            return hf_error_set(err, "%s:%d:%d: cannot remove this entry in place", doc->path,
                                k->line, k->col);
        }
    }
    add_splice(doc, start, end, &text);
    kid_remove(map, 2 * pair, 2);
    return 0;
}

/* Where the "-" of a block sequence item is. */
static int item_dash(const hf_ydoc *doc, const hf_ynode *item, size_t *dash)
{
    size_t d = item->start;
    while (d > 0 && (doc->text.ptr[d - 1] == ' ' || doc->text.ptr[d - 1] == '\t'))
        d--;
    if (d == 0 || doc->text.ptr[d - 1] != '-')
        return -1;
    *dash = d - 1;
    return 0;
}

int hf_yedit_remove_item(hf_ydoc *doc, hf_ynode *seq, size_t index, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    size_t n = seq->kind == HF_Y_SEQ ? seq->len : 0, start, end, dash;
    if (index >= n)
        return hf_error_set(err, "%s: internal: no item %zu to remove", doc->path, index);
    hf_ynode *item = seq->kids[index];
    if (removable(doc, seq, item, NULL, err) < 0)
        return -1;
    if (n == 1)
        return replace_with_empty(doc, seq, err);
    if (placed(doc, item, "remove", err) < 0)
        return -1;
    if (seq->flow) {
        if (placed(doc, seq->kids[index > 0 ? index - 1 : 1], "remove next to", err) < 0)
            return -1;
        if (index > 0) {
            start = seq->kids[index - 1]->end;
            end = item->end;
        } else {
            start = item->start;
            end = seq->kids[1]->start;
        }
    } else {
        if (item_dash(doc, item, &dash) < 0)
            return hf_error_set(err, "%s:%d:%d: cannot find this item's '-'", doc->path, item->line,
                                item->col);
        size_t ls = line_start(doc, dash);
        if (only_spaces(doc, ls, dash)) {
            start = ls;
            end = line_end(doc, item->end);
        } else {
            size_t next;
            if (index + 1 < n && placed(doc, seq->kids[index + 1], "remove next to", err) < 0)
                return -1;
            if (index + 1 >= n || item_dash(doc, seq->kids[index + 1], &next) < 0)
                return hf_error_set(err, "%s:%d:%d: cannot remove this item in place", doc->path,
                                    item->line, item->col);
            start = dash;
            end = next;
        }
    }
    add_splice(doc, start, end, &text);
    kid_remove(seq, index, 1);
    return 0;
}

int hf_yedit_insert_pair(hf_ydoc *doc, hf_ynode *map, size_t before, hf_ynode *key, hf_ynode *value,
                         hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    size_t n = hf_ynode_pairs(map), pos;
    if (map->kind != HF_Y_MAP || before > n || editable(doc, map, "change", err) < 0) {
        hf_ynode_free(key);
        hf_ynode_free(value);
        if (map->kind != HF_Y_MAP || before > n)
            return hf_error_set(err, "%s: internal: bad insertion", doc->path);
        return -1;
    }
    /* the insertion point is the next key, or the end of the last value */
    if (n &&
        placed(doc, map->kids[before < n ? 2 * before : 2 * n - 1], "insert next to", err) < 0) {
        hf_ynode_free(key);
        hf_ynode_free(value);
        return -1;
    }
    if (map->flow) {
        if (n == 0) {
            pos = map->end - 1;
        } else if (before == n) {
            pos = map->kids[2 * n - 1]->end;
            hf_buf_puts(&text, ", ");
        } else {
            pos = map->kids[2 * before]->start;
        }
        render_flow(&text, key);
        hf_buf_puts(&text, ": ");
        render_flow(&text, value);
        if (n && before < n)
            hf_buf_puts(&text, ", ");
    } else if (n == 0) {
        hf_ynode_free(key);
        hf_ynode_free(value);
        return hf_error_set(err, "%s:%d:%d: internal: an empty block mapping", doc->path, map->line,
                            map->col);
    } else {
        size_t indent = column_of(doc, map->start);
        if (before < n) {
            size_t ks = map->kids[2 * before]->start, ls = line_start(doc, ks);
            if (only_spaces(doc, ls, ks)) {
                pos = ls;
                put_spaces(&text, indent);
                render_pair(doc, &text, key, value, indent);
                hf_buf_puts(&text, doc->nl);
            } else {
                pos = ks;
                render_pair(doc, &text, key, value, indent);
                hf_buf_puts(&text, doc->nl);
                put_spaces(&text, indent);
            }
        } else {
            pos = line_end(doc, map->kids[2 * n - 1]->end);
            if (ends_line(doc, pos)) {
                put_spaces(&text, indent);
                render_pair(doc, &text, key, value, indent);
                hf_buf_puts(&text, doc->nl);
            } else {
                /* the file ends without a line break: one added after a
                 * block scalar would become part of its value */
                const hf_ynode *last = map;
                while (last->len)
                    last = last->kids[last->len - 1];
                if (last->style == HF_YS_LITERAL || last->style == HF_YS_FOLDED) {
                    hf_ynode_free(key);
                    hf_ynode_free(value);
                    return hf_error_set(err,
                                        "%s:%d:%d: cannot add after a block scalar that ends a "
                                        "file without a final newline",
                                        doc->path, last->line, last->col);
                }
                hf_buf_puts(&text, doc->nl);
                put_spaces(&text, indent);
                render_pair(doc, &text, key, value, indent);
            }
        }
    }
    add_splice(doc, pos, pos, &text);
    kid_insert(map, 2 * before, key);
    kid_insert(map, 2 * before + 1, value);
    return 0;
}

size_t hf_yedit_pending(const hf_ydoc *doc)
{
    return doc->splices.len;
}

static int splice_cmp(const void *a, const void *b)
{
    const splice *x = *(const splice *const *)a, *y = *(const splice *const *)b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

int hf_yedit_range(const hf_ydoc *doc, size_t i, size_t *start, size_t *end, size_t *new_len)
{
    if (i >= doc->splices.len)
        return -1;
    const splice *s = doc->splices.items[i];
    *start = s->start;
    *end = s->end;
    if (new_len)
        *new_len = s->len;
    return 0;
}

/* First place where got differs from want, for the error message. */
static const hf_ynode *first_difference(const hf_ynode *want, const hf_ynode *got,
                                        const hf_ynode **got_at)
{
    *got_at = got;
    if (!want || !got || want->kind != got->kind || want->kind == HF_Y_SCALAR ||
        want->kind == HF_Y_ALIAS || want->len != got->len)
        return want;
    for (size_t i = 0; i < want->len; i++)
        if (!hf_ynode_equal(want->kids[i], got->kids[i]))
            return first_difference(want->kids[i], got->kids[i], got_at);
    return want;
}

int hf_yedit_commit(hf_ydoc *doc, hf_buf *out, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    hf_ynode *reread = NULL;
    int rc = -1;
    hf_vec_sort(&doc->splices, splice_cmp);
    size_t prev = 0;
    for (size_t i = 0; i < doc->splices.len; i++) {
        const splice *s = doc->splices.items[i];
        if (s->start < prev) {
            hf_error_set(err, "%s: internal: two edits overlap at byte %zu; file left unchanged",
                         doc->path, s->start);
            goto done;
        }
        hf_buf_put(&text, doc->text.ptr + prev, s->start - prev);
        hf_buf_put(&text, s->text, s->len);
        prev = s->end;
    }
    hf_buf_put(&text, doc->text.ptr + prev, doc->text.len - prev);
    if (parse_tree(doc->path, hf_buf_cstr(&text), text.len, &doc->limits, &reread, err) < 0) {
        hf_error_wrap(err, "%s: the edited file would not parse; file left unchanged", doc->path);
        goto done;
    }
    if (!hf_ynode_equal(doc->root, reread)) {
        const hf_ynode *got = NULL;
        const hf_ynode *want = first_difference(doc->root, reread, &got);
        hf_buf where = HF_BUF_INIT;
        hf_ynode_path(&where, want);
        hf_error_set(err,
                     "%s: the edited YAML does not read back as intended at %s (line %d); file "
                     "left unchanged",
                     doc->path, hf_buf_cstr(&where), got && got->placed ? got->line : 0);
        hf_buf_free(&where);
        goto done;
    }
    hf_buf_clear(out);
    hf_buf_put(out, hf_buf_cstr(&text), text.len);
    rc = 0;
done:
    hf_ynode_free(reread);
    hf_buf_free(&text);
    return rc;
}
