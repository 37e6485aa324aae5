/* Shared by the operation files of src/edit: the state of one running step
 * and the helpers every operation uses (file selection, notes, YAML files).
 * Not part of the engine's public API. */
#ifndef HF_EDIT_OPS_INT_H
#define HF_EDIT_OPS_INT_H

#include "edit/match.h"
#include "edit/ops.h"
#include "edit/regex.h"

typedef struct hf_op_run {
    const hf_edit_ctx *ctx;
    const hf_step *step;
    hf_step_report *rep;
    hf_provenance prov;
    hf_vars vars; /* the caller's, plus capability / exception */
    hf_matcher *matcher;
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

/* Records an item the step left as it was ("path:line:col: why") and holds
 * it (path, and job when the item is a job) for the rest of the run, so no
 * later step does something else to what this one could not do. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void hf_op_leave(hf_op_run *r, const char *path, const char *job, const char *fmt, ...);
/* Says what would unblock the item just left (and whether policy, not a
 * misfit, holds it). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void hf_op_unblock(hf_op_run *r, bool policy, const char *fmt, ...);
/* Whether an earlier step held path (or its job). */
int hf_op_held(const hf_op_run *r, const char *path, const char *job);

/* Under -v, records why a job, step or file did not match. */
void hf_op_examined(hf_op_run *r, const char *what, const hf_buf *why);

/* Evaluates the step's predicate p on s: 1/0/-1 as hf_pred_eval; a miss is
 * recorded (under -v) as `what` with the test that failed. */
int hf_op_test(hf_op_run *r, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
               const char *what, hf_error *err);

/* The template variables a workflow offers one of its jobs (input.X for its
 * dispatch and call inputs, matrix.X for its matrix, needs.X for outputs of
 * the jobs it needs, job for its id), added to vars. */
void hf_op_job_vars(const hf_config *cfg, const hf_ydoc *doc, const char *job_id,
                    const hf_ynode *job, hf_vars *vars);

/* The template variables a step offers the action that replaces it: with.X
 * for each of its own scalar inputs. */
void hf_op_step_vars(const hf_ynode *step, hf_vars *vars);

/* A caller job for a reusable-workflow adapter: the pairs that replace the
 * job's own (uses, with, secrets, permissions), rendered with vars. */
int hf_adapter_job(const hf_adapter *a, const hf_vars *vars, hf_ynode **extra, hf_error *err);
/* Says, for the item just left, what would let the last failed adapter
 * render (the input it missed). */
void hf_adapter_unblock(hf_op_run *r);
/* A `uses:` step for an action adapter. */
int hf_adapter_step(const hf_adapter *a, const hf_vars *vars, hf_ynode **extra, hf_error *err);

/* Turns job (id) into a caller per extra, keeping name, needs, if,
 * concurrency, strategy (and permissions when extra brings none). */
int hf_op_make_caller(hf_op_run *r, hf_ydoc *doc, hf_ynode *job, hf_ynode *extra, hf_error *err);
/* Turns step into a `uses:` step per extra, keeping id, name, if. */
int hf_op_make_uses_step(hf_op_run *r, hf_ydoc *doc, hf_ynode *step, hf_ynode *extra,
                         hf_error *err);
/* Gives job `id-token: write` (see op_workflow.c). */
int hf_op_grant_oidc(hf_ydoc *doc, hf_ynode *job, const char *id, hf_error *err);
/* The one capability whose routes text names (or, failing that, whose
 * route a word of path spells), after subsumption; NULL when none or
 * several, with why. */
const hf_capability *hf_route_capability(hf_op_run *r, const char *text, size_t len,
                                         const char *path, hf_buf *why);

/* Records the repo files job's steps run (see hf_edit_ctx.handed) as
 * handed over to capability. */
void hf_op_record_handed(hf_op_run *r, const hf_ydoc *doc, const hf_ynode *job,
                         const char *capability);
/* The capability a job that ran path was handed to, or NULL. */
const char *hf_op_handed(const hf_op_run *r, const char *path);

/* Whether text names a route of capabilities.yml. */
int hf_route_named(const hf_op_run *r, const char *text, size_t len);

/* The `jobs:` map of a workflow, or NULL. */
hf_ynode *hf_op_jobs(const hf_ydoc *doc);

/* What an op does with one job of a workflow: 0 to go on, -1 on an error
 * (err set). doc may be edited and stored; the caller frees it. */
typedef int (*hf_job_fn)(hf_op_run *r, hf_ydoc *doc, const char *id, hf_ynode *job, void *ctx,
                         hf_error *err);
/* Calls fn on each job of the workflows the step selects (`files`, else all
 * workflows), each on a fresh parse of its file as it stands, so a job
 * handled before is seen as it now is, and one that is left costs the
 * others nothing. Resets the matcher before each job. 0, or -1 on error. */
int hf_op_each_job(hf_op_run *r, hf_job_fn fn, void *ctx, hf_error *err);

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
int hf_op_adopt_adapter(hf_op_run *r, hf_error *err);

#endif
