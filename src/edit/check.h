/* Checks the recipes' templates before any repo is touched: every {{name}}
 * in a step's uses, with, secrets, permissions, replace and content, and in
 * the template files its write and archive steps render, must be a variable
 * the step will have (the repo's variables, the step's link, the named
 * groups of its pattern, and for archive markers the marker's own), and the
 * template files must exist inside the configuration. */
#ifndef HF_EDIT_CHECK_H
#define HF_EDIT_CHECK_H

#include "config/model.h"
#include "util/diag.h"

/* The variables the pipeline sets for every repo (plan sets exactly these). */
extern const char *const hf_repo_variables[];

/* Adds a diagnostic per problem; returns the number of errors added. */
size_t hf_recipes_check(const hf_config *cfg, const char *templates_dir, hf_diags *diags);

#endif
