/* The recipe operations: one call applies one step (replace-job, replace-step,
 * remove-job, delete-workflow, delete, archive, edit, write) to an overlay.
 * A step is all or nothing: on error the overlay is as it was. Every change
 * records the step's provenance and link. */
#ifndef HF_EDIT_OPS_H
#define HF_EDIT_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/model.h"
#include "edit/overlay.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "edit/yaml_splice.h"
#include "util/error.h"
#include "util/vec.h"

/* What a step runs against. Borrowed; all must outlive the call. */
typedef struct hf_edit_ctx {
    const hf_config *cfg; /* capabilities and adapters; may be NULL in tests */
    hf_overlay *overlay;
    /* repo, family, context, product, today (YYYY-MM-DD), ...: the caller's
     * variables for this repo; the step adds capability/exception and its
     * pattern's named captures. */
    const hf_vars *vars;
    const char *recipe;            /* recipe id (provenance) */
    const char *templates_dir;     /* archive-templates/: archive markers */
    const char *config_dir;        /* write: template paths are relative to it */
    const hf_ylimits *yaml_limits; /* NULL: hf_ylimits_default */
    hf_regex_cache *regexes;       /* the worker's compiled patterns; NULL: per step */
    /* char *: what steps left so far ("path" or "path#job"), which later
     * steps leave too; NULL: nothing is held */
    hf_vec *held;
    /* char *: "path\tcapability" for each repo file a job ran before a step
     * handed the job to that capability's adapter; a delete by route links
     * a client that names no route to the capability its callers went to.
     * NULL: not recorded. */
    hf_vec *handed;
} hf_edit_ctx;

/* An item a step left as it was (a job it could not hand over, a file it
 * could not delete), for a person. */
typedef struct hf_left {
    char *text;    /* "path:line:col: why" */
    char *unblock; /* what would let the step do it, or NULL */
    bool policy;   /* refused by policy rather than not fitting */
} hf_left;

void hf_left_free(void *left);

/* A line of a file that names a path a step moved away. */
typedef struct hf_stale {
    char *path; /* the file that names it */
    int line;
    char *target; /* the old path */
    char *needle; /* what names it there: the path, its basename or module stem */
    char *now;    /* where it went */
} hf_stale;

void hf_stale_free(void *stale);

/* What a step did, for the plan report. */
typedef struct hf_step_report {
    size_t matched;   /* jobs, steps, files or pattern matches the step found */
    size_t converged; /* of those, already as the step wants them */
    size_t changes;   /* overlay changes recorded */
    hf_vec notes;     /* char *: things a reviewer should read */
    /* hf_left *: items the step left as they were because it could not do
     * them, while it did the others (jobs are handed over one by one, files
     * deleted one by one) */
    hf_vec left;
    hf_vec examined; /* char *: under -v, each job/step/file looked at and why it did not match */
    /* hf_stale *: files that still name what the step moved or removed; the
     * plan reports those that are still active at the end */
    hf_vec stale;
    bool verbose; /* fill examined */
} hf_step_report;

#define HF_STEP_REPORT_INIT                                                                        \
    {                                                                                              \
        0, 0, 0, HF_VEC_INIT, HF_VEC_INIT, HF_VEC_INIT, HF_VEC_INIT, false                         \
    }

void hf_step_report_free(hf_step_report *rep);

/* Applies step to ctx->overlay. A step that matches nothing succeeds with a
 * note, unless its `expect` says otherwise. Errors read
 * "recipe-file:line:col: step N (op): what", where `what` names the repo
 * path (path:line:col) when it is about file content. */
int hf_step_apply(const hf_edit_ctx *ctx, const hf_step *step, hf_step_report *rep, hf_error *err);

/* Variable names every step may use besides the caller's, for validation:
 * capability, exception. */
extern const char *const hf_step_variables[];

#endif
