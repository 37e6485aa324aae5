/* Picking fleet repos for a run: --repo globs, --family names and --shard K/N.
 * The shard of a repo is a stable hash of its name, so N CI jobs with K =
 * 1..N partition the fleet the same way on every machine. */
#ifndef HF_CONFIG_SELECT_H
#define HF_CONFIG_SELECT_H

#include "config/model.h"
#include "util/error.h"
#include "util/vec.h"

typedef struct hf_selection {
    hf_vec repo_globs; /* const char *, not owned */
    hf_vec families;   /* const char *, not owned */
    unsigned shard_k;  /* 1-based; 0 = no sharding */
    unsigned shard_n;
} hf_selection;

/* Parses "K/N" with 1 <= K <= N <= 1000. */
int hf_shard_parse(const char *s, unsigned *k, unsigned *n, hf_error *err);

/* Fills out (const hf_repo *, in fleet order). Errors when a family is not in
 * the fleet's vocabulary or a repo glob matches no repo of the fleet. */
int hf_select_repos(const hf_config *cfg, const hf_selection *sel, hf_vec *out, hf_error *err);

#endif
