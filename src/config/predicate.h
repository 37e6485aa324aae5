/* Predicates: how a recipe step says which jobs, steps or files it is about,
 * by their parts instead of one regular expression over their text. A
 * predicate is a tree of tests (on `uses`, `run`, `with`, `env`, ...),
 * combined with all / any / not, looking into a job's steps (`has-step`) and
 * through a step to the file it executes (`script`). Named predicates are
 * written once (in a recipe's `predicates:` or in predicates.yml) and used
 * by name. This module loads and checks them; src/edit/match.c evaluates
 * them against a repository. */
#ifndef HF_CONFIG_PREDICATE_H
#define HF_CONFIG_PREDICATE_H

#include <stdbool.h>

#include "config/node.h"
#include "util/diag.h"
#include "util/vec.h"

/* What a predicate looks at. */
typedef enum { HF_SUBJ_JOB = 1, HF_SUBJ_STEP = 2, HF_SUBJ_FILE = 4 } hf_subject;

const char *hf_subject_name(hf_subject s); /* "a job", "a step", "a file" */

typedef enum {
    HF_PRED_ALL,      /* every kid holds (captures of all of them) */
    HF_PRED_ANY,      /* the first kid that holds (its captures) */
    HF_PRED_NOT,      /* the one kid does not hold */
    HF_PRED_REF,      /* a named predicate */
    HF_PRED_HAS_STEP, /* a job with a step the one kid holds for */
    HF_PRED_TEXT,     /* a field's text matches a regular expression */
    HF_PRED_KEY       /* a key of a map field is present / absent / matches */
} hf_pred_kind;

/* The fields a test reads. */
typedef enum {
    HF_FIELD_ID, /* job id, or step `id` */
    HF_FIELD_NAME,
    HF_FIELD_USES,
    HF_FIELD_RUN, /* step: the shell script (comments dropped) */
    HF_FIELD_IF,
    HF_FIELD_NEEDS,   /* job: the ids it needs, one per line */
    HF_FIELD_RUNS_ON, /* job: labels, one per line */
    HF_FIELD_SCRIPT,  /* step: the repo files it executes, and github-script code */
    HF_FIELD_TEXT,    /* file: its content (comments dropped) */
    HF_FIELD_PATH,    /* file: its repository path */
    HF_FIELD_WITH,    /* map fields: tested as "key: value" lines or key by key */
    HF_FIELD_ENV,
    HF_FIELD_SECRETS,
    HF_FIELD_PERMISSIONS,
    HF_FIELD_ON /* the workflow's triggers, one per line (a workflow file, or its jobs' and steps')
                 */
} hf_field;

const char *hf_field_name(hf_field f);
/* The subjects (hf_subject bits) a field exists on. */
unsigned hf_field_subjects(hf_field f);

typedef struct hf_pred hf_pred;
struct hf_pred {
    hf_pred_kind kind;
    hf_mark mark;
    hf_field field; /* TEXT, KEY */
    char *key;      /* KEY: the key tested */
    char *pattern;  /* TEXT, KEY: PCRE2 (multi-line); NULL: a presence test */
    hf_mark pattern_mark;
    bool present;          /* KEY without pattern: must be present (true) or absent */
    bool comments;         /* TEXT: comments of the text are matched too */
    hf_vec kids;           /* hf_pred *: ALL, ANY, NOT (one), HAS_STEP (one) */
    char *ref;             /* REF: the name */
    const hf_pred *target; /* REF: resolved when every file is loaded */
};

/* A predicate with a name. */
typedef struct hf_named_pred {
    char *name;
    hf_mark mark;
    hf_pred *pred;
} hf_named_pred;

/* Reads a predicate from node (a name, or a map of tests and combinators).
 * Problems go to diags as file:line:col; returns NULL only when nothing
 * usable was read. The result is freed with hf_pred_free. */
hf_pred *hf_pred_load(const hf_node *node, hf_diags *diags);
void hf_pred_free(hf_pred *p);
void hf_named_pred_free(void *p);

/* Reads a `predicates:` map (name -> predicate) into out (hf_named_pred *). */
void hf_pred_load_named(const hf_node *map, hf_vec *out, hf_diags *diags);

/* Resolves the names used in p against local (this recipe's) and shared
 * (predicates.yml) named predicates, reporting unknown names and cycles. */
void hf_pred_resolve(hf_pred *p, const hf_vec *local, const hf_vec *shared, hf_diags *diags);

/* The subjects (hf_subject bits) p can be evaluated on; 0 when some part of
 * it can be evaluated on none (a test mixing job-only and step-only parts). */
unsigned hf_pred_subjects(const hf_pred *p);

/* Checks that p can be evaluated on subject, naming the first test that
 * cannot (`what` says where p is used: "'where'"). */
void hf_pred_check_subject(const hf_pred *p, hf_subject subject, const char *what, hf_diags *diags);

/* Appends the names of the named capture groups of every regular
 * expression in p (borrowed from nothing: malloc'd) to names. */
void hf_pred_capture_names(const hf_pred *p, hf_vec *names);

/* Warns (diags warning) when a pattern nests unbounded quantifiers, as in
 * `(a+)+` or `(?:[^,]*,)*x`: such a pattern can backtrack without end on a
 * large file and hit PCRE2's match limit. */
void hf_regex_warn_nested(const char *pattern, hf_mark mark, hf_diags *diags);

#endif
