/* Fleet repo selection by glob, family and shard. */
#include "config/select.h"
#include "util/buf.h"
#include "util/glob.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

int hf_shard_parse(const char *s, unsigned *k, unsigned *n, hf_error *err)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || *end != '/')
        return hf_error_set(err, "--shard takes K/N (for example 2/4), not '%s'", s);
    const char *rest = end + 1;
    unsigned long b = strtoul(rest, &end, 10);
    if (end == rest || *end || b < 1 || b > 1000 || a < 1 || a > b)
        return hf_error_set(err, "--shard '%s': need 1 <= K <= N <= 1000", s);
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

/* A glob without '/' matches the name part alone: "odoo-*" is as good as
 * "*\/odoo-*". */
static int repo_matches(const char *glob, const char *name)
{
    if (!strchr(glob, '/')) {
        const char *slash = strchr(name, '/');
        return hf_glob_match(glob, slash ? slash + 1 : name);
    }
    return hf_glob_match(glob, name);
}

static int in_list(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i], s) == 0)
            return 1;
    return 0;
}

int hf_select_repos(const hf_config *cfg, const hf_selection *sel, hf_vec *out, hf_error *err)
{
    for (size_t i = 0; i < sel->families.len; i++) {
        if (in_list(&cfg->fleet.families, sel->families.items[i]))
            continue;
        hf_buf known = HF_BUF_INIT;
        for (size_t f = 0; f < cfg->fleet.families.len; f++)
            hf_buf_printf(&known, "%s%s", f ? ", " : "", (const char *)cfg->fleet.families.items[f]);
        hf_error_set(err, "unknown family '%s' (the fleet has: %s)",
                     (const char *)sel->families.items[i], hf_buf_cstr(&known));
        hf_buf_free(&known);
        return -1;
    }
    for (size_t g = 0; g < sel->repo_globs.len; g++) {
        const char *glob = sel->repo_globs.items[g];
        int hit = 0;
        for (size_t i = 0; !hit && i < cfg->fleet.repos.len; i++) {
            const hf_repo *r = cfg->fleet.repos.items[i];
            hit = r->name && repo_matches(glob, r->name);
        }
        if (!hit)
            return hf_error_set(err, "--repo '%s' matches no repo of the fleet", glob);
    }
    for (size_t i = 0; i < cfg->fleet.repos.len; i++) {
        const hf_repo *r = cfg->fleet.repos.items[i];
        if (!r->name)
            continue;
        if (sel->families.len && !(r->family && in_list(&sel->families, r->family)))
            continue;
        int hit = sel->repo_globs.len == 0;
        for (size_t g = 0; !hit && g < sel->repo_globs.len; g++)
            hit = repo_matches(sel->repo_globs.items[g], r->name);
        if (!hit)
            continue;
        if (sel->shard_n && hf_hash_shard(r->name, sel->shard_n) != sel->shard_k - 1)
            continue;
        hf_vec_push(out, (void *)r);
    }
    return 0;
}
