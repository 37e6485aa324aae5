/* The capability / exception gate over a repo's changes. */
#include "policy/gate.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void hf_block_free(void *p)
{
    hf_block *b = p;
    if (!b)
        return;
    free(b->recipe);
    free(b->reason);
    free(b->unblock);
    free(b);
}

static bool in_list(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return true;
    return false;
}

/* Adds a block unless the same step already has the same reason. */
static void add_block(hf_vec *blocks, const hf_link_use *u, const char *what, const char *unblock,
                      size_t *added)
{
    hf_buf reason = HF_BUF_INIT;
    if (u->mark.file && u->mark.line)
        hf_buf_printf(&reason, "%s:%d:%d: ", u->mark.file, u->mark.line, u->mark.col);
    hf_buf_printf(&reason, "step %zu: %s", u->step, what);
    for (size_t i = 0; i < blocks->len; i++) {
        const hf_block *b = blocks->items[i];
        if (b->step == u->step && !strcmp(b->recipe, u->recipe) && !strcmp(b->reason, reason.ptr)) {
            hf_buf_free(&reason);
            return;
        }
    }
    hf_block *b = hf_xcalloc(1, sizeof(*b));
    b->recipe = hf_xstrdup(u->recipe);
    b->step = u->step;
    b->reason = hf_buf_detach(&reason);
    b->unblock = unblock ? hf_xstrdup(unblock) : NULL;
    hf_vec_push(blocks, b);
    (*added)++;
}

size_t hf_gate_check(const hf_config *cfg, const char *repo, hf_date today, const hf_link_use *uses,
                     size_t n, hf_vec *blocks)
{
    size_t added = 0;
    hf_buf what = HF_BUF_INIT, unblock = HF_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const hf_link_use *u = &uses[i];
        hf_buf_clear(&what);
        hf_buf_clear(&unblock);
        if (!u->capability == !u->exception) {
            add_block(blocks, u, "the change carries no single link (capability or exception)",
                      "link the step to one capability or exception", &added);
            continue;
        }
        if (u->capability) {
            const hf_capability *c = hf_config_capability(cfg, u->capability);
            if (!c) {
                hf_buf_printf(&what, "unknown capability '%s'", u->capability);
                hf_buf_printf(&unblock,
                              "add '%s' to capabilities.yml, or link the step to "
                              "another capability",
                              u->capability);
            } else if (c->status != HF_CAP_IMPLEMENTED) {
                hf_buf_printf(&what, "capability '%s' is planned, not implemented in Launchplane",
                              c->id);
                hf_buf_printf(&unblock,
                              "when Launchplane implements '%s', set its status to "
                              "implemented in capabilities.yml",
                              c->id);
            } else if (u->strategy && !in_list(&c->strategies, u->strategy)) {
                hf_buf_printf(&unblock,
                              "rely on a strategy '%s' implements, or wait until it "
                              "implements '%s'",
                              c->id, u->strategy);
                hf_buf_printf(
                    &what, "capability '%s' does not implement strategy '%s' (implemented:", c->id,
                    u->strategy);
                for (size_t k = 0; k < c->strategies.len; k++)
                    hf_buf_printf(&what, " %s", (const char *)c->strategies.items[k]);
                hf_buf_puts(&what, c->strategies.len ? ")" : " none)");
            }
        } else {
            const hf_exception *e = hf_config_exception(cfg, u->exception);
            if (!e) {
                hf_buf_printf(&what, "unknown exception '%s'", u->exception);
                hf_buf_printf(&unblock, "add '%s' to exceptions.yml", u->exception);
            } else if (!e->issue || !e->owner || !e->delete_when || !e->expires.year) {
                hf_buf_printf(&what,
                              "exception '%s' is invalid (it needs issue, owner, expiry and "
                              "delete condition)",
                              e->id);
                hf_buf_printf(&unblock, "give '%s' an issue, owner, expiry and delete condition",
                              e->id);
            } else if (hf_exception_expired(e, today)) {
                char d[11];
                hf_date_format(e->expires, d);
                hf_buf_printf(&what, "exception '%s' expired on %s", e->id, d);
                hf_buf_printf(&unblock,
                              "renew '%s' (a new expiry, agreed with %s, see %s), or "
                              "finish what it stands for: %s",
                              e->id, e->owner, e->issue, e->delete_when);
            } else if (!hf_exception_covers(e, repo, NULL, NULL)) {
                hf_buf_printf(&what, "exception '%s' does not cover repo %s", e->id, repo);
                hf_buf_printf(&unblock,
                              "add %s to the repos '%s' covers, or link the step to "
                              "something else",
                              repo, e->id);
            } else if (!hf_exception_covers(e, repo, u->path, NULL) ||
                       (u->to && !hf_exception_covers(e, repo, u->to, NULL))) {
                const char *p = hf_exception_covers(e, repo, u->path, NULL) ? u->to : u->path;
                hf_buf_printf(&what, "exception '%s' does not cover path %s", e->id, p);
                hf_buf_printf(&unblock, "add %s to the paths '%s' covers, or narrow the step", p,
                              e->id);
            }
        }
        if (what.len)
            add_block(blocks, u, what.ptr, unblock.len ? unblock.ptr : NULL, &added);
    }
    hf_buf_free(&what);
    hf_buf_free(&unblock);
    return added;
}
