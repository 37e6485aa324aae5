/* Shared by the operation files of src/edit: the state of one running step
 * and the helpers every operation uses (file selection, notes, YAML files).
 * Not part of the engine's public API. */
#ifndef HF_EDIT_OPS_INT_H
#define HF_EDIT_OPS_INT_H

#include "edit/ops.h"
#include "edit/regex.h"

typedef struct hf_op_run {
    const hf_edit_ctx *ctx;
    const hf_step *step;
    hf_step_report *rep;
    hf_provenance prov;
    hf_vars vars; /* the caller's, plus capability / exception */
    hf_regex *re; /* step->pattern compiled, or NULL */
} hf_op_run;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void hf_op_note(hf_op_run *r, const char *fmt, ...);

/* Present paths matching any of globs (char *) or, when globs has no
 * positive glob, dflt; minus those a `!glob` in globs matches; sorted,
 * unique, malloc'd. */
void hf_op_select(const hf_op_run *r, const hf_vec *globs, const char *dflt, hf_vec *paths);

/* Reads path as text and parses it as YAML. */
int hf_op_load_yaml(hf_op_run *r, const char *path, hf_ydoc *doc, hf_error *err);
/* Commits doc's edits and writes the file (when they change it). */
int hf_op_store_yaml(hf_op_run *r, hf_ydoc *doc, hf_error *err);

/* The text the job-matching pattern runs over: each step's run, uses and
 * with.script, one string per step (borrowed from the tree). */
void hf_op_step_texts(const hf_ynode *step, hf_vec *texts);
/* The text a job or step pattern runs over: the node's own source bytes
 * (keys, values and the comments between them, as the file writes them),
 * or, for a node an earlier edit built, its steps' run/uses/with.script. */
void hf_op_node_text(const hf_ydoc *doc, const hf_ynode *n, hf_buf *out);
/* Whether the pattern matches one of the texts; on a match, its named
 * captures are added to vars. */
int hf_op_match_texts(hf_op_run *r, const hf_vec *texts, const char *path, hf_vars *vars,
                      hf_error *err);

/* Reference scanning (delete, delete-workflow, archive notes): every line of
 * a text file outside `skip` that names one of `targets` (paths). */
typedef struct hf_ref {
    char *path; /* the referencing file */
    int line;
    char *target;      /* the path it names */
    char *needle;      /* what matched: the path or its basename */
    int runs_script;   /* runs a dropped package script (target is its name) */
    size_t start, end; /* byte range of the line */
} hf_ref;

void hf_op_find_refs(hf_op_run *r, const hf_vec *targets, const hf_vec *skip, hf_vec *refs);
void hf_ref_free(void *p);

int hf_op_replace_job(hf_op_run *r, hf_error *err);
int hf_op_replace_step(hf_op_run *r, hf_error *err);
int hf_op_remove_job(hf_op_run *r, hf_error *err);
int hf_op_delete(hf_op_run *r, hf_error *err);
int hf_op_archive(hf_op_run *r, hf_error *err);
int hf_op_edit(hf_op_run *r, hf_error *err);
int hf_op_write(hf_op_run *r, hf_error *err);

#endif
