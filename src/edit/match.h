/* Evaluating predicates (config/predicate.h) against a repository: a job or
 * a step of a workflow, or a file of the overlay. Text tests run over the
 * field as written, comments dropped unless the test asks for them; map
 * tests (with, env, secrets, permissions) over "key: value" lines or key by
 * key; `script` over the code the step runs (edit/seethrough.h). Named
 * groups of a test that holds become template variables. */
#ifndef HF_EDIT_MATCH_H
#define HF_EDIT_MATCH_H

#include "config/predicate.h"
#include "edit/overlay.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "edit/yaml_splice.h"
#include "util/buf.h"
#include "util/error.h"

/* What is being tested. */
typedef struct hf_subject_ref {
    hf_subject kind;
    const hf_ydoc *doc;   /* job, step: the parsed workflow */
    const char *job_id;   /* job, step: the job's id */
    const hf_ynode *job;  /* job, step: the job's map */
    const hf_ynode *step; /* step: the step's map */
    const char *path;     /* the workflow's path, or the file's */
    const char *text;     /* file: its content */
    size_t len;
} hf_subject_ref;

typedef struct hf_matcher hf_matcher;

/* A matcher over ov. regexes: a worker's cache (NULL: the matcher keeps its
 * own). */
hf_matcher *hf_matcher_new(hf_overlay *ov, hf_regex_cache *regexes);
void hf_matcher_free(hf_matcher *m);
/* Forgets what was read of steps (call when a workflow was re-parsed). */
void hf_matcher_reset(hf_matcher *m);
/* Forgets the code of the last step asked about, keeping the callee (call
 * before the document of a step asked about is freed). */
void hf_matcher_forget_steps(hf_matcher *m);

/* 1 when p holds for s (its captures added to captures, which may be NULL),
 * 0 when not (why, when given, says which test failed first), -1 on an
 * error (a pattern hit PCRE2's limits). */
int hf_pred_eval(hf_matcher *m, const hf_pred *p, const hf_subject_ref *s, hf_vars *captures,
                 hf_buf *why, hf_error *err);

/* The code step s runs, as hf_step_executes gives it (borrowed, valid until
 * the next reset). */
const hf_vec *hf_matcher_executes(hf_matcher *m, const hf_subject_ref *s);

/* For a job that calls a reusable workflow of the repository, that
 * workflow as hf_job_callee reads it (borrowed, valid until the next reset
 * or the next job asked about); NULL for any other job. */
const hf_ydoc *hf_matcher_callee(hf_matcher *m, const hf_ynode *job);

/* The n-th step (from 0) that has-step looks at in job s: the job's own,
 * or, for a job that calls a reusable workflow of the repository, those of
 * that workflow's jobs in order. 1 with out set, 0 past the last. */
int hf_matcher_job_step(hf_matcher *m, const hf_subject_ref *s, size_t n, hf_subject_ref *out);

/* The triggers of the workflow whose root map is root (the keys of its
 * `on`, or the names it lists), one per line; 0 without an `on`. */
int hf_workflow_triggers(const hf_ynode *root, hf_buf *out);

/* The text a map field of a job or step is tested as: one "key: value"
 * line per pair (a scalar field is its own text). */
void hf_map_field_text(const hf_ynode *field, hf_buf *out);

#endif
