/* The recipe operations: one call applies one step (replace-job, replace-step,
 * remove-job, delete-workflow, delete, archive, edit, write) to an overlay.
 * A step is all or nothing: on error the overlay is as it was. Every change
 * records the step's provenance and link. */
#ifndef HF_EDIT_OPS_H
#define HF_EDIT_OPS_H

#include <stddef.h>

#include "config/model.h"
#include "edit/overlay.h"
#include "edit/template.h"
#include "edit/yaml_splice.h"
#include "util/error.h"
#include "util/vec.h"

/* What a step runs against. Borrowed; all must outlive the call. */
typedef struct hf_edit_ctx {
    hf_overlay *overlay;
    /* repo, family, context, product, today (YYYY-MM-DD), ...: the caller's
     * variables for this repo; the step adds capability/exception and its
     * pattern's named captures. */
    const hf_vars *vars;
    const char *recipe;            /* recipe id (provenance) */
    const char *templates_dir;     /* archive-templates/: archive markers */
    const char *config_dir;        /* write: template paths are relative to it */
    const hf_ylimits *yaml_limits; /* NULL: hf_ylimits_default */
} hf_edit_ctx;

/* What a step did, for the plan report. */
typedef struct hf_step_report {
    size_t matched;   /* jobs, steps, files or pattern matches the step found */
    size_t converged; /* of those, already as the step wants them */
    size_t changes;   /* overlay changes recorded */
    hf_vec notes;     /* char *: things a reviewer should read */
} hf_step_report;

#define HF_STEP_REPORT_INIT                                                                        \
    {                                                                                              \
        0, 0, 0, HF_VEC_INIT                                                                       \
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
