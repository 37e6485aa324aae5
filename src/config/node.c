/* YAML documents to node trees with source marks, using libyaml's event
 * parser. Limits on size, depth and node count bound what a hostile file can
 * make us allocate; aliases are refused outright. */
#include "config/node.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const hf_yaml_limits hf_yaml_default_limits = {
    .max_bytes = 1024 * 1024,
    .max_depth = 64,
    .max_nodes = 200000,
};

typedef struct parse_state {
    yaml_parser_t parser;
    const char *file;
    const hf_yaml_limits *limits;
    size_t nodes;
    hf_diags *diags;
    int failed;
} parse_state;

static void node_free(hf_node *n)
{
    if (!n)
        return;
    free(n->value);
    for (size_t i = 0; i < n->len; i++) {
        if (n->kind == HF_NODE_MAP) {
            node_free(n->pairs[i].key);
            node_free(n->pairs[i].value);
        } else if (n->kind == HF_NODE_SEQ) {
            node_free(n->items[i]);
        }
    }
    free(n->pairs);
    free(n->items);
    free(n);
}

static void fail_at(parse_state *st, yaml_mark_t m, const char *msg)
{
    if (st->failed)
        return;
    st->failed = 1;
    hf_diags_add(st->diags, HF_DIAG_ERROR, st->file, (int)m.line + 1, (int)m.column + 1, "%s",
                 msg);
}

static hf_node *node_new(parse_state *st, hf_node_kind kind, yaml_mark_t m)
{
    if (++st->nodes > st->limits->max_nodes) {
        fail_at(st, m, "too many YAML nodes (limit reached)");
        return NULL;
    }
    hf_node *n = hf_xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->mark.file = st->file;
    n->mark.line = (int)m.line + 1;
    n->mark.col = (int)m.column + 1;
    return n;
}

static int next_event(parse_state *st, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&st->parser, ev)) {
        if (!st->failed) {
            st->failed = 1;
            yaml_mark_t m = st->parser.problem_mark;
            yaml_mark_t c = st->parser.context_mark;
            const char *problem = st->parser.problem ? st->parser.problem : "invalid YAML";
            if (st->parser.context && (c.line != m.line || c.column != m.column))
                hf_diags_add(st->diags, HF_DIAG_ERROR, st->file, (int)m.line + 1,
                             (int)m.column + 1, "YAML syntax error: %s %s that began at %d:%d",
                             problem, st->parser.context, (int)c.line + 1, (int)c.column + 1);
            else
                hf_diags_add(st->diags, HF_DIAG_ERROR, st->file, (int)m.line + 1,
                             (int)m.column + 1, "YAML syntax error: %s%s%s", problem,
                             st->parser.context ? " " : "",
                             st->parser.context ? st->parser.context : "");
        }
        return -1;
    }
    return 0;
}

static hf_node *parse_node(parse_state *st, yaml_event_t *ev, int depth);

/* Parses the children of a collection whose start event was consumed. */
static int parse_children(parse_state *st, hf_node *coll, int depth)
{
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(st, &ev) < 0)
            return -1;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        hf_node *child = parse_node(st, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!child)
            return -1;
        if (coll->kind == HF_NODE_SEQ) {
            if (coll->len == cap) {
                cap = cap ? cap * 2 : 4;
                coll->items = hf_xrealloc(coll->items, cap * sizeof(hf_node *));
            }
            coll->items[coll->len++] = child;
            continue;
        }
        /* a map: child is the key, the next node its value */
        if (child->kind != HF_NODE_SCALAR) {
            yaml_mark_t m = {0, (size_t)child->mark.line - 1, (size_t)child->mark.col - 1};
            fail_at(st, m, "mapping keys must be scalars");
            node_free(child);
            return -1;
        }
        for (size_t i = 0; i < coll->len; i++) {
            if (strcmp(coll->pairs[i].key->value, child->value) == 0) {
                yaml_mark_t m = {0, (size_t)child->mark.line - 1, (size_t)child->mark.col - 1};
                char msg[512];
                snprintf(msg, sizeof(msg), "duplicate key '%.200s' (first at line %d)",
                         child->value, coll->pairs[i].key->mark.line);
                fail_at(st, m, msg);
                node_free(child);
                return -1;
            }
        }
        yaml_event_t vev;
        if (next_event(st, &vev) < 0) {
            node_free(child);
            return -1;
        }
        hf_node *value = parse_node(st, &vev, depth + 1);
        yaml_event_delete(&vev);
        if (!value) {
            node_free(child);
            return -1;
        }
        if (coll->len == cap) {
            cap = cap ? cap * 2 : 4;
            coll->pairs = hf_xrealloc(coll->pairs, cap * sizeof(hf_pair));
        }
        coll->pairs[coll->len].key = child;
        coll->pairs[coll->len].value = value;
        coll->len++;
    }
}

static hf_node *parse_node(parse_state *st, yaml_event_t *ev, int depth)
{
    if (depth > st->limits->max_depth) {
        fail_at(st, ev->start_mark, "YAML nested too deeply");
        return NULL;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        fail_at(st, ev->start_mark, "YAML aliases are not supported in handoff configuration");
        return NULL;
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.anchor) {
            fail_at(st, ev->start_mark,
                    "YAML anchors are not supported in handoff configuration");
            return NULL;
        }
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
            fail_at(st, ev->start_mark, "NUL character in a YAML scalar");
            return NULL;
        }
        hf_node *n = node_new(st, HF_NODE_SCALAR, ev->start_mark);
        if (!n)
            return NULL;
        n->value = hf_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        const yaml_char_t *anchor = ev->type == YAML_SEQUENCE_START_EVENT
                                        ? ev->data.sequence_start.anchor
                                        : ev->data.mapping_start.anchor;
        if (anchor) {
            fail_at(st, ev->start_mark,
                    "YAML anchors are not supported in handoff configuration");
            return NULL;
        }
        hf_node *n = node_new(st,
                              ev->type == YAML_SEQUENCE_START_EVENT ? HF_NODE_SEQ : HF_NODE_MAP,
                              ev->start_mark);
        if (!n)
            return NULL;
        if (parse_children(st, n, depth) < 0) {
            node_free(n);
            return NULL;
        }
        return n;
    }
    default:
        fail_at(st, ev->start_mark, "unexpected YAML event");
        return NULL;
    }
}

int hf_doc_parse(hf_doc *doc, const char *file, const char *text, size_t len,
                 const hf_yaml_limits *limits, hf_diags *diags)
{
    memset(doc, 0, sizeof(*doc));
    doc->file = hf_xstrdup(file);
    if (!limits)
        limits = &hf_yaml_default_limits;
    if (len > limits->max_bytes) {
        hf_diags_add(diags, HF_DIAG_ERROR, doc->file, 0, 0,
                     "file is %zu bytes, larger than the limit of %zu", len, limits->max_bytes);
        return -1;
    }
    parse_state st = {.file = doc->file, .limits = limits, .diags = diags};
    yaml_parser_initialize(&st.parser);
    yaml_parser_set_input_string(&st.parser, (const unsigned char *)text, len);
    int rc = -1;
    yaml_event_t ev;
    int docs = 0;
    for (;;) {
        if (next_event(&st, &ev) < 0)
            goto done;
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_DOCUMENT_START_EVENT) {
            if (++docs > 1) {
                fail_at(&st, ev.start_mark, "only one YAML document per file is allowed");
                yaml_event_delete(&ev);
                goto done;
            }
        } else if (type != YAML_STREAM_START_EVENT && type != YAML_DOCUMENT_END_EVENT) {
            hf_node *root = parse_node(&st, &ev, 0);
            if (!root) {
                yaml_event_delete(&ev);
                goto done;
            }
            doc->root = root;
        }
        yaml_event_delete(&ev);
    }
    rc = 0;
done:
    yaml_parser_delete(&st.parser);
    if (rc < 0) {
        node_free(doc->root);
        doc->root = NULL;
    }
    return rc;
}

int hf_doc_load(hf_doc *doc, const char *path, const char *display_name,
                const hf_yaml_limits *limits, hf_diags *diags)
{
    hf_buf text = HF_BUF_INIT;
    hf_error err;
    if (!limits)
        limits = &hf_yaml_default_limits;
    if (hf_fs_read(&text, path, limits->max_bytes, 1, &err) < 0) {
        memset(doc, 0, sizeof(*doc));
        doc->file = hf_xstrdup(display_name);
        /* the message from hf_fs_read starts with the path; show the display name */
        const char *msg = err.msg;
        size_t plen = strlen(path);
        if (strncmp(msg, path, plen) == 0 && msg[plen] == ':')
            msg += plen + 2;
        hf_diags_add(diags, HF_DIAG_ERROR, display_name, 0, 0, "cannot read the file: %s", msg);
        hf_buf_free(&text);
        return -1;
    }
    int rc = hf_doc_parse(doc, display_name, hf_buf_cstr(&text), text.len, limits, diags);
    hf_buf_free(&text);
    return rc;
}

void hf_doc_free(hf_doc *doc)
{
    node_free(doc->root);
    free(doc->file);
    doc->root = NULL;
    doc->file = NULL;
}

hf_node *hf_node_get(const hf_node *map, const char *key)
{
    if (!map || map->kind != HF_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->len; i++)
        if (strcmp(map->pairs[i].key->value, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

int hf_node_is_null(const hf_node *n)
{
    if (!n || n->kind != HF_NODE_SCALAR || !n->plain)
        return 0;
    return !*n->value || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
           strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0;
}
