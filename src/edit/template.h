/* {{name}} templates: recipe values (with:, uses:, replacement text), the
 * archive marker and files a recipe writes. An unknown variable is an error
 * that names it. Rendered into YAML, a value is always a safe scalar: it can
 * never add structure to the document. GitHub's own `${{ ... }}` expressions
 * pass through untouched. */
#ifndef HF_EDIT_TEMPLATE_H
#define HF_EDIT_TEMPLATE_H

#include <stddef.h>

#include "config/node.h"
#include "edit/yaml_splice.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/vec.h"

/* A set of template variables (names and values copied). */
typedef struct hf_vars {
    hf_vec names;  /* char * */
    hf_vec values; /* char *, parallel to names */
} hf_vars;

#define HF_VARS_INIT                                                                               \
    {                                                                                              \
        HF_VEC_INIT, HF_VEC_INIT                                                                   \
    }

/* Sets (or replaces) name. */
void hf_vars_set(hf_vars *v, const char *name, const char *value);
/* NULL when not set. */
const char *hf_vars_get(const hf_vars *v, const char *name);
void hf_vars_copy(hf_vars *dst, const hf_vars *src);
void hf_vars_free(hf_vars *v);

/* Renders tpl into out (appending). origin says where the template starts
 * (for "file:line:col: unknown template variable 'x'"). */
int hf_template_render(const char *tpl, size_t len, const hf_vars *vars, hf_mark origin,
                       hf_buf *out, hf_error *err);

/* Appends the names tpl refers to (malloc'd strings) to names, so a
 * validator can check them before any repo is touched. */
int hf_template_names(const char *tpl, size_t len, hf_mark origin, hf_vec *names, hf_error *err);

/* Renders a template whose result is a YAML document: each value goes in as
 * a safe scalar (quoted or escaped as its place needs) and the result must
 * have the template's own structure, else it is refused. */
int hf_template_render_yaml(const char *tpl, size_t len, const hf_vars *vars, hf_mark origin,
                            hf_buf *out, hf_error *err);

/* Turns a configuration node (with:, secrets:, permissions:) into an
 * intended YAML tree, rendering every scalar value as a template. A scalar
 * that was plain in the recipe and holds no variable keeps its type (`true`
 * stays a bool); anything rendered is a string. */
int hf_template_render_node(const hf_node *node, const hf_vars *vars, hf_ynode **out,
                            hf_error *err);

#endif
