/* Format-preserving YAML edits. A file is parsed with libyaml into a tree whose
 * nodes know their byte ranges; an edit changes the tree (the intended
 * structure) and records a text splice side by side. Commit applies the
 * splices, re-parses, and accepts the text only if it reads back as exactly
 * the intended tree, so bytes outside the edited ranges never change. */
#ifndef HF_EDIT_YAML_SPLICE_H
#define HF_EDIT_YAML_SPLICE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

typedef enum { HF_Y_SCALAR, HF_Y_MAP, HF_Y_SEQ, HF_Y_ALIAS } hf_ykind;

/* How a scalar is written, which decides how it is typed: a plain scalar is
 * resolved (null, bool, number, string), any other style is a string. */
typedef enum { HF_YS_PLAIN, HF_YS_SINGLE, HF_YS_DOUBLE, HF_YS_LITERAL, HF_YS_FOLDED } hf_ystyle;

typedef struct hf_ynode hf_ynode;
struct hf_ynode {
    hf_ykind kind;
    hf_ystyle style; /* scalars */
    int flow;        /* collections written as {..} / [..] */
    int shared;      /* carries an anchor or a tag: never edited */
    char *value;     /* scalar text or alias name, NUL-terminated */
    size_t vlen;
    int placed;        /* parsed from the text: the positions below are valid */
    size_t start, end; /* byte range in the text (end exclusive) */
    int line, col;     /* 1-based; col counts characters */
    hf_ynode **kids;   /* map: key, value, key, value, ...; seq: items */
    size_t len;
    size_t cap;
    hf_ynode *parent;
};

typedef struct hf_ylimits {
    size_t max_bytes;
    int max_depth;
    size_t max_nodes;
} hf_ylimits;

extern const hf_ylimits hf_ylimits_default;

/* One parsed file and the edits pending on it. */
typedef struct hf_ydoc {
    char *path;     /* repo-relative path used in messages */
    hf_buf text;    /* the source bytes (a copy) */
    hf_ynode *root; /* NULL for an empty document */
    const char *nl; /* the file's line ending: "\n" or "\r\n" */
    int indent;     /* indentation step the file uses (2 when unknown) */
    int seq_indent; /* block sequences under a key are indented (1) or not */
    hf_ylimits limits;
    hf_vec splices; /* pending edits (internal) */
} hf_ydoc;

#define HF_YDOC_INIT                                                                               \
    {                                                                                              \
        NULL, HF_BUF_INIT, NULL, "\n", 2, 1, {0, 0, 0}, HF_VEC_INIT                                \
    }

/* Parses one YAML document (a stream with several is refused). Errors read
 * "path:line:col: message". limits may be NULL for the defaults. */
int hf_ydoc_parse(hf_ydoc *doc, const char *path, const char *text, size_t len,
                  const hf_ylimits *limits, hf_error *err);
void hf_ydoc_free(hf_ydoc *doc);

/* ---- trees ------------------------------------------------------------- */

/* New unplaced nodes for intended structure. A scalar made with
 * HF_YS_PLAIN keeps its resolved type (`true` stays a bool); any other style
 * makes it a string whatever it looks like. */
hf_ynode *hf_ynode_scalar(const char *s, size_t len, hf_ystyle style);
hf_ynode *hf_ynode_str(const char *s); /* a string scalar */
hf_ynode *hf_ynode_map(void);
hf_ynode *hf_ynode_seq(void);
/* Appends; the container takes ownership of key and value. */
void hf_ynode_map_put(hf_ynode *map, hf_ynode *key, hf_ynode *value);
void hf_ynode_seq_push(hf_ynode *seq, hf_ynode *item);
size_t hf_ynode_pairs(const hf_ynode *map);
hf_ynode *hf_ynode_key(const hf_ynode *map, size_t pair);
hf_ynode *hf_ynode_val(const hf_ynode *map, size_t pair);
/* Value for key, or NULL (also when map is not a map). */
hf_ynode *hf_ynode_get(const hf_ynode *map, const char *key);
/* The text of a scalar node, or NULL for none or another kind. */
const char *hf_ynode_text(const hf_ynode *n);
/* Pair index of key, or (size_t)-1. */
size_t hf_ynode_find(const hf_ynode *map, const char *key);
/* 1 when n is a scalar whose text is s. */
int hf_ynode_is(const hf_ynode *n, const char *s);
/* Deep copy, unplaced. */
hf_ynode *hf_ynode_copy(const hf_ynode *n);
void hf_ynode_free(hf_ynode *n);
/* Same structure: kinds, scalar text and resolved type, order of pairs. */
int hf_ynode_equal(const hf_ynode *a, const hf_ynode *b);
/* The same, but maps are equal whatever the order of their keys. */
int hf_ynode_equal_unordered(const hf_ynode *a, const hf_ynode *b);
/* 1 when n, an ancestor or a descendant carries an anchor, tag or alias: an
 * edit there could silently change (or duplicate) other parts. */
int hf_ynode_is_shared(const hf_ynode *n);
/* "jobs.build.steps[2]" for messages. */
void hf_ynode_path(hf_buf *out, const hf_ynode *n);

/* ---- rendering ----------------------------------------------------------- */

/* Appends s as a scalar that reads back as the string s and can never add
 * structure: plain when that is safe, else double-quoted with escapes.
 * flow: the scalar sits inside [..] or {..}. */
void hf_yaml_put_string(hf_buf *out, const char *s, size_t len, int flow);
/* Appends s double-quoted, every character that needs it escaped. */
void hf_yaml_put_quoted(hf_buf *out, const char *s, size_t len);
/* Whether a plain scalar with this text would be read as something other
 * than a string (null, bool, number, date). */
int hf_yaml_plain_is_typed(const char *s, size_t len);

/* ---- edits (record a splice and change the tree) ------------------------- */

/* Replaces node (a map value, sequence item or the root) by value, which
 * the tree takes. The old node is freed. */
int hf_yedit_replace(hf_ydoc *doc, hf_ynode *node, hf_ynode *value, hf_error *err);

/* Rebuilds map: the pairs whose keys are in keep stay byte for byte in their
 * order, the rest are dropped, and the pairs of extra (a map, taken) follow.
 * Used to turn a job or step into its replacement while keeping id/name/if. */
int hf_yedit_rebuild_map(hf_ydoc *doc, hf_ynode *map, const char *const *keep, size_t nkeep,
                         hf_ynode *extra, hf_error *err);

/* Removes a pair (and its line range, for block maps). A map left empty is
 * written `{}`. */
int hf_yedit_remove_pair(hf_ydoc *doc, hf_ynode *map, size_t pair, hf_error *err);
/* Removes a sequence item. A sequence left empty is written `[]`. */
int hf_yedit_remove_item(hf_ydoc *doc, hf_ynode *seq, size_t index, hf_error *err);
/* Inserts key: value before pair `before` (hf_ynode_pairs(map) to append). */
int hf_yedit_insert_pair(hf_ydoc *doc, hf_ynode *map, size_t before, hf_ynode *key, hf_ynode *value,
                         hf_error *err);

/* Number of edits pending. */
size_t hf_yedit_pending(const hf_ydoc *doc);

/* Applies the pending edits (in order of position; they must not overlap),
 * re-parses and compares with the intended tree. On success out holds the
 * new text. On failure out is untouched and err says what went wrong; the
 * document must then be freed (its tree no longer matches its text). */
int hf_yedit_commit(hf_ydoc *doc, hf_buf *out, hf_error *err);

/* The i-th edit (in order of position after commit): the byte range it
 * replaced in the original text and the length of its new text; 0, or -1
 * past the last. Lets tests check every byte outside the ranges. */
int hf_yedit_range(const hf_ydoc *doc, size_t i, size_t *start, size_t *end, size_t *new_len);

#endif
