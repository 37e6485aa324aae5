/* The link gate: every change must rest on a Launchplane capability that is
 * implemented (with the strategy the step relies on) or on a valid exception
 * that covers the repo and the path, as of the run's date. A change that
 * does not is blocked, and the reason names recipe, step and source mark. */
#ifndef HF_POLICY_GATE_H
#define HF_POLICY_GATE_H

#include <stddef.h>

#include "config/model.h"
#include "util/vec.h"

/* One change's claim to legitimacy, as the layer above records it. */
typedef struct hf_link_use {
    const char *recipe;
    size_t step;
    hf_mark mark;
    const char *path;       /* the path changed (the source of a move) */
    const char *to;         /* a move's destination, or NULL */
    const char *capability; /* one of capability / exception */
    const char *exception;
    const char *strategy; /* the strategy the step relies on, or NULL */
} hf_link_use;

typedef struct hf_block {
    char *recipe;
    size_t step;
    char *reason;  /* "recipes/x.recipe.yml:12:5: step 3: ..." */
    char *unblock; /* what would clear it */
} hf_block;

void hf_block_free(void *block);

/* Checks every use against the configuration; appends an hf_block * per
 * problem (one per step and problem, not per file). Returns the number of
 * blocks added. */
size_t hf_gate_check(const hf_config *cfg, const char *repo, hf_date today, const hf_link_use *uses,
                     size_t n, hf_vec *blocks);

#endif
