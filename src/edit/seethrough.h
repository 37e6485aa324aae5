/* Seeing through a workflow step to the code it runs: the repository files
 * its `run` script executes (node F, python F, python -m M, bash F, ./F,
 * npx tsx F, uv run F; npm / yarn / pnpm / bun run X through package.json;
 * make TARGET and just RECIPE through the Makefile or justfile),
 * a local action (`uses: ./dir`: its composite steps or its JavaScript
 * entry), the inline code of actions/github-script, and the files those
 * import by relative path. That is how a predicate recognises "this step
 * calls Launchplane through a client", whatever the client is called or
 * wherever it lives. Bounded in depth and count; unreadable files (absent,
 * binary, too big, links out of the repo) are skipped. */
#ifndef HF_EDIT_SEETHROUGH_H
#define HF_EDIT_SEETHROUGH_H

#include <stdbool.h>

#include "util/comments.h"
#include "edit/overlay.h"
#include "edit/yaml_splice.h"
#include "util/buf.h"
#include "util/vec.h"

/* One piece of code a step runs. */
typedef struct hf_executed {
    char *path;       /* repository path of the file; for inline code, the file that holds it */
    bool inline_code; /* code written in the workflow or action itself */
    char *via; /* how the step reaches it, for notes: "npm run deploy", "actions/github-script" */
    hf_lang lang;
    hf_buf text; /* the code as written */
} hf_executed;

void hf_executed_free(void *p);

/* Appends to out (hf_executed *) what step (a step map of job, in the
 * workflow at wf_path) runs. */
void hf_step_executes(hf_overlay *ov, const char *wf_path, const hf_ynode *job,
                      const hf_ynode *step, hf_vec *out);

/* A job that calls a reusable workflow of the repository (`uses:
 * ./.github/workflows/F.yml`): F parsed into callee, its `${{ inputs.X }}`
 * replaced by the job's `with: X` where that is a plain value, so that what
 * the call does can be read in F's steps. Returns 1, or 0 (callee left
 * empty) when the job calls no local workflow or F cannot be read. */
int hf_job_callee(hf_overlay *ov, const hf_ynode *job, hf_ydoc *callee);

#endif
