/* A YAML document as a tree of nodes that remember where they came from
 * (file, line, column, byte range). The configuration loader reads recipes/
 * through this; comments are not kept (the edit engine splices source text
 * instead). Aliases are refused and size and depth are bounded, so a hostile
 * file cannot exhaust memory. */
#ifndef HF_CONFIG_NODE_H
#define HF_CONFIG_NODE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/diag.h"

typedef enum { HF_NODE_SCALAR, HF_NODE_MAP, HF_NODE_SEQ } hf_node_kind;

typedef struct hf_mark {
    const char *file; /* owned by the document */
    int line;         /* 1-based */
    int col;          /* 1-based, in characters */
} hf_mark;

typedef struct hf_node hf_node;

typedef struct hf_pair {
    hf_node *key; /* always a scalar */
    hf_node *value;
} hf_pair;

struct hf_node {
    hf_node_kind kind;
    hf_mark mark;
    char *value;    /* scalars: the text (NUL-terminated; NUL inside is refused) */
    int plain;      /* scalars: unquoted (so `null`, `true`, `12` are typed) */
    hf_pair *pairs; /* maps */
    hf_node **items; /* sequences */
    size_t len;     /* number of pairs or items */
};

typedef struct hf_doc {
    char *file;
    hf_node *root; /* NULL for an empty document */
} hf_doc;

typedef struct hf_yaml_limits {
    size_t max_bytes; /* file size */
    int max_depth;    /* nesting of maps and sequences */
    size_t max_nodes;
} hf_yaml_limits;

extern const hf_yaml_limits hf_yaml_default_limits;

/* Parses one YAML document from text. On failure adds a diagnostic to diags
 * and returns -1 (doc is left empty). `file` is the name used in marks. */
int hf_doc_parse(hf_doc *doc, const char *file, const char *text, size_t len,
                 const hf_yaml_limits *limits, hf_diags *diags);
/* Reads and parses a file (size-checked before reading; symlinks refused). */
int hf_doc_load(hf_doc *doc, const char *path, const char *display_name,
                const hf_yaml_limits *limits, hf_diags *diags);
void hf_doc_free(hf_doc *doc);

/* Lookup in a map by key; NULL when absent or node is not a map. */
hf_node *hf_node_get(const hf_node *map, const char *key);
/* A plain scalar that YAML reads as null (`~`, `null`, empty). */
int hf_node_is_null(const hf_node *n);

#endif
