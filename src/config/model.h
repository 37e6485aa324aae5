/* The typed configuration handoff runs from: the fleet, the Launchplane
 * capability registry, the exceptions, the contract rules and the recipes,
 * loaded from one directory (recipes/ by default). Every element keeps the
 * mark of the YAML node it came from, so later layers can say file:line:col.
 * One hf_config owns everything reachable from it; hf_config_free frees it. */
#ifndef HF_CONFIG_MODEL_H
#define HF_CONFIG_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/node.h"
#include "config/predicate.h"
#include "util/comments.h"
#include "util/date.h"
#include "util/diag.h"
#include "util/vec.h"

/* ---- capabilities.yml ---------------------------------------------------- */

typedef enum { HF_CAP_IMPLEMENTED, HF_CAP_PLANNED } hf_cap_status;

/* How a repo calls a capability: a job that calls a reusable workflow, or a
 * step that uses an action. The YAML subtrees are templates rendered per
 * job (see README "Adapters"). */
typedef struct hf_adapter {
    hf_mark mark;
    char *name;                 /* a named adapter (capabilities.yml `adapters:`), or NULL */
    char *workflow;             /* "owner/repo/.github/workflows/x.yml@ref", or NULL */
    char *action;               /* "owner/repo/path@ref", or NULL */
    hf_mark uses_mark;          /* where workflow/action is written */
    const hf_node *with;        /* map, may be NULL */
    const hf_node *secrets;     /* "inherit" scalar or map, may be NULL */
    const hf_node *permissions; /* map, may be NULL */
    bool needs_oidc;            /* action: the job needs `id-token: write` */
    hf_vec outputs;             /* char *: outputs a caller job of the workflow has */
} hf_adapter;

typedef struct hf_capability {
    hf_mark mark;
    char *id;
    char *title;
    char *group;    /* Launchplane capability group, may be NULL */
    hf_vec routes;  /* char *: "/v1/drivers/odoo/post-deploy", ... */
    hf_vec aliases; /* char *: names hand-made callers use for its routes */
    hf_vec authz;   /* char *: "odoo_post_deploy.execute", ... */
    hf_cap_status status;
    hf_vec strategies; /* char *: implemented strategies, may be empty */
    char *doc;         /* documentation link */
    /* its adapter: own_adapter (written in place) or a named one, or NULL */
    const hf_adapter *adapter;
    hf_adapter *own_adapter;
    char *adapter_ref; /* the name given, resolved once every file is read */
    hf_mark adapter_mark;
    hf_vec subsumes; /* char *: capabilities whose routes its adapter also calls */
} hf_capability;

/* ---- exceptions.yml ------------------------------------------------------ */

typedef struct hf_exception {
    hf_mark mark;
    char *id;
    char *reason;
    char *issue; /* "owner/repo#N" or an https URL */
    char *owner;
    hf_date since; /* when the owner took it on (optional: year 0) */
    hf_date expires;
    hf_mark expires_mark;
    char *delete_when;
    hf_vec repos; /* char * globs over "owner/name"; empty = every repo */
    hf_vec paths; /* char * path globs; empty = every path */
    hf_vec rules; /* char * contract rule ids; empty = no contract rule */
} hf_exception;

/* ---- fleet.yml ----------------------------------------------------------- */

typedef enum {
    HF_OWNER_LAUNCHPLANE,
    HF_OWNER_REPO,
    HF_OWNER_TRANSITIONAL,
    HF_OWNER_RETIRED
} hf_owner;

typedef struct hf_surface {
    hf_mark mark;
    char *surface; /* one of fleet.surfaces */
    hf_owner owner;
    char *capability; /* at most one of capability / exception */
    char *exception;
    char *note;
} hf_surface;

typedef struct hf_repo {
    hf_mark mark;
    char *name; /* "owner/name" */
    char *url;  /* clone URL; NULL = forge web base + name */
    char *base; /* base branch; NULL = the remote's default branch */
    char *family;
    hf_vec contexts; /* char * */
    char *product;
    hf_vec recipes;      /* char * recipe ids */
    hf_vec recipe_marks; /* hf_mark * parallel to recipes */
    hf_vec surfaces;     /* hf_surface * */
} hf_repo;

typedef struct hf_pr_template {
    char *title; /* template text; NULL for the built-in, fleet-neutral title */
    char *body;  /* template text; NULL for the built-in, fleet-neutral opening */
    hf_mark title_mark, body_mark;
    hf_vec labels;
    hf_vec reviewers;
    bool draft;
} hf_pr_template;

/* The batch commit's wording (fleet.yml `commit`). Each NULL field takes
 * the engine's fleet-neutral default; the shipped fleet sets Launchplane's. */
typedef struct hf_commit_template {
    char *subject;            /* template: the subject line */
    char *body;               /* template: the line before the list of changes */
    char *capability_trailer; /* trailer key naming each capability */
    hf_mark subject_mark, body_mark, trailer_mark;
} hf_commit_template;

/* Where the contract gate every migrated repo calls lives (fleet.yml
 * `gate`): the repository and ref of its reusable workflow
 * (.github/workflows/contract-check.yml) and the released handoff it runs.
 * All NULL when fleet.yml has no `gate`; then no template may render them. */
typedef struct hf_gate {
    char *repository; /* "owner/name" */
    char *ref;        /* branch, tag or commit of the reusable workflow */
    char *version;    /* "0.1.0": the release v0.1.0 the gate downloads */
} hf_gate;

typedef struct hf_fleet {
    hf_mark mark;
    char *name;
    char *forge_kind; /* "github" */
    char *forge_api;  /* "https://api.github.com" */
    char *forge_web;  /* "https://github.com" */
    char *branch;     /* batch branch */
    char *author_name;
    char *author_email;
    hf_pr_template pr;
    hf_commit_template commit;
    char *archive_templates; /* fleet.yml `archive-templates`, relative to the
                                configuration directory; NULL: look beside it */
    hf_mark archive_templates_mark;
    hf_vec families; /* char * */
    hf_vec surfaces; /* char *: the surface vocabulary */
    hf_vec repos;    /* hf_repo * */
    hf_gate gate;
} hf_fleet;

/* ---- contract.yml -------------------------------------------------------- */

typedef enum { HF_SEV_ERROR, HF_SEV_WARNING } hf_severity;

typedef struct hf_rule {
    hf_mark mark;
    char *id;
    char *category;
    hf_severity severity;
    char *message;
    char *pattern;
    hf_mark pattern_mark;
    bool ignore_case;
    bool multiline;  /* match across lines instead of line by line */
    hf_vec families; /* char *; empty = every family */
    hf_vec include;  /* char * path globs; empty = every scanned file */
    hf_vec exclude;  /* char * path globs */
    hf_vec allow;    /* char * PCRE2 patterns: matching lines are not findings */
    bool comments;   /* also match text in comments and docstrings */
    bool tests;      /* also report findings in the scan's test paths */
    bool literal;    /* `value: literal`: the group `value` must start a literal */
} hf_rule;

/* The comment syntax of the files whose basenames match globs
 * (scan.comments in contract.yml: hash, python or slash). */
typedef struct hf_syntax_globs {
    hf_lang syntax;
    hf_vec globs; /* char * globs over basenames */
} hf_syntax_globs;

/* Paths never reported in repos of one family (scan.family-allow-paths). */
typedef struct hf_family_paths {
    char *family;
    hf_vec globs; /* char * path globs */
} hf_family_paths;

typedef struct hf_contract {
    hf_vec extensions;         /* char *: ".yml", ... and "" for files with none */
    hf_vec dotfiles;           /* char * globs over basenames of dotfiles to scan (".env*") */
    hf_vec skip_dirs;          /* char * globs over directory basenames */
    hf_vec allow_paths;        /* char * path globs never reported */
    hf_vec test_paths;         /* char * path globs: reported only by rules with `tests: true` */
    hf_vec family_allow_paths; /* hf_family_paths * */
    hf_vec allow_lines;        /* char * PCRE2 patterns allowed on any line */
    hf_vec comments;           /* hf_syntax_globs * */
    char *mask_keys;           /* PCRE2: key names whose literal values excerpts mask, or NULL */
    hf_vec mask_values;        /* char * PCRE2: text excerpts mask wherever it appears */
    size_t max_file_bytes;
    hf_vec rules; /* hf_rule * */
} hf_contract;

/* ---- recipes: <id>.recipe.yml -------------------------------------------- */

typedef enum {
    HF_OP_REPLACE_JOB,
    HF_OP_REPLACE_STEP,
    HF_OP_REMOVE_JOB,
    HF_OP_DELETE_WORKFLOW,
    HF_OP_DELETE,
    HF_OP_ARCHIVE,
    HF_OP_EDIT,
    HF_OP_WRITE,
    HF_OP_ADOPT_ADAPTER
} hf_op;

const char *hf_op_name(hf_op op);

/* One step. Keys that an operation does not use are rejected by the loader,
 * so every field below is either set by the step's own keys or empty. The
 * YAML subtrees (with/secrets/permissions) stay as nodes: they are templates
 * rendered per repo by the edit engine. */
typedef struct hf_step {
    hf_mark mark;
    size_t index; /* 1-based position in the recipe */
    char *id;     /* a name other steps' `after` can use, or NULL */
    hf_vec after; /* char *: ids of earlier steps this one waits for */
    hf_op op;
    char *name;
    char *capability; /* exactly one of capability / exception / by_route */
    char *exception;
    bool by_route;  /* `capability: by-route`: each change is linked to the
                       capability whose route it hands over */
    char *strategy; /* the capability strategy this step relies on, or NULL */
    int expect;     /* -1: not set; else the number of matches required */

    hf_vec files;        /* char * globs the step looks in (workflows, files) */
    hf_pred *where;      /* which jobs, steps or files the step is about */
    hf_pred *in_job;     /* replace-step: only in jobs this holds for */
    hf_pred *drop_steps; /* adopt-adapter: steps that go with a converted call */
    char *pattern;       /* edit: PCRE2 over each file */
    hf_mark pattern_mark;
    char *within; /* edit: PCRE2 whose matches open the regions pattern runs in */
    hf_mark within_mark;
    char *replacement; /* edit: PCRE2 substitution text */
    bool drop_blocks;  /* edit `unit: markdown-block`: drop the Markdown block of each match */

    char *uses; /* replace-job / replace-step: the reusable workflow or action */
    hf_mark uses_mark, replacement_mark, content_mark; /* where those templates start */
    const hf_node *with;                               /* map, may be NULL */
    const hf_node *secrets;                            /* "inherit" scalar or map, may be NULL */
    const hf_node *permissions;                        /* map, may be NULL */
    bool needs_oidc;                                   /* replace-step: grant id-token: write */

    hf_vec paths;        /* delete/archive: char * globs */
    hf_vec references;   /* delete: char * globs of files whose references may be dropped */
    char *set;           /* archive: archive/<set>/ */
    char *reason;        /* archive: why */
    char *link;          /* archive: link for the marker */
    char *template_path; /* write/archive: file under archive-templates/ or the config dir */
    char *content;       /* write: inline template */
    char *dest;          /* write: destination path */
} hf_step;

typedef struct hf_recipe {
    hf_mark mark;
    char *id;   /* file name without .recipe.yml */
    char *file; /* display path */
    char *title;
    char *description;
    hf_vec families;   /* char * */
    hf_vec repos;      /* char * globs */
    hf_vec predicates; /* hf_named_pred *: this recipe's named predicates */
    hf_vec steps;      /* hf_step * */
} hf_recipe;

/* ---- the whole configuration --------------------------------------------- */

typedef struct hf_config {
    char *dir;   /* the directory it was loaded from */
    hf_vec docs; /* hf_doc *: kept alive for the node pointers above */
    hf_fleet fleet;
    hf_vec capabilities; /* hf_capability * */
    hf_vec exceptions;   /* hf_exception * */
    hf_contract contract;
    hf_vec recipes;    /* hf_recipe * */
    hf_vec predicates; /* hf_named_pred *: predicates.yml, shared by every recipe */
    hf_vec adapters;   /* hf_adapter *: capabilities.yml `adapters:` */
} hf_config;

typedef struct hf_load_options {
    hf_date today;
    /* validate treats an expired exception as a configuration error; plan and
     * apply load it and let the gate block what it covers. */
    bool expired_is_error;
} hf_load_options;

/* Loads and checks every file of the configuration in dir. Every problem
 * found goes to diags; returns 0 when there are no errors. On error the
 * config may be partly filled and must still be freed. */
int hf_config_load(hf_config *cfg, const char *dir, const hf_load_options *opts, hf_diags *diags);
void hf_config_free(hf_config *cfg);

/* Adds a recipe made of parts (the golden tests keep steps in case files):
 * steps (a list of step maps) and predicates (a map, may be NULL) are read
 * and checked as in a *.recipe.yml, against the loaded cfg. The nodes must
 * outlive cfg. Problems go to diags. */
hf_recipe *hf_config_add_recipe(hf_config *cfg, const char *id, const char *file,
                                const hf_node *predicates, const hf_node *steps, hf_diags *diags);

const hf_capability *hf_config_capability(const hf_config *cfg, const char *id);
const hf_exception *hf_config_exception(const hf_config *cfg, const char *id);
const hf_recipe *hf_config_recipe(const hf_config *cfg, const char *id);
const hf_rule *hf_config_rule(const hf_config *cfg, const char *id);
const hf_repo *hf_config_repo(const hf_config *cfg, const char *name);
const hf_adapter *hf_config_adapter(const hf_config *cfg, const char *name);

/* Whether an exception covers repo/path/rule (NULL path or rule: not checked),
 * and whether it is still valid on `today`. */
bool hf_exception_covers(const hf_exception *e, const char *repo, const char *path,
                         const char *rule);
bool hf_exception_expired(const hf_exception *e, hf_date today);

const char *hf_owner_name(hf_owner o);

#endif
