/* libFuzzer target for the YAML splice editor. The input is a header of
 * HEADER bytes choosing up to four edits, then a YAML file. Each edit that
 * the editor accepts is mirrored on a shadow copy of the tree; a commit
 * that succeeds must give text that (1) re-parses as exactly the shadow
 * tree and (2) is byte-identical to the input outside the edited ranges.
 * A commit that fails must leave the output untouched. */
#include <stdlib.h>
#include <string.h>

#include "edit/yaml_splice.h"
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/mem.h"

#define HEADER 9
#define MAX_NODES 4096
#define MAX_DEPTH 32

typedef struct located {
    hf_ynode *node;
    size_t path[MAX_DEPTH + 2]; /* kid indices from the root */
    size_t depth;
} located;

static void collect(hf_ynode *n, located *all, size_t *len, size_t *path, size_t depth)
{
    if (*len >= MAX_NODES || depth > MAX_DEPTH + 1)
        return;
    located *l = &all[(*len)++];
    l->node = n;
    l->depth = depth;
    memcpy(l->path, path, depth * sizeof(*path));
    for (size_t i = 0; i < n->len; i++) {
        path[depth] = i;
        collect(n->kids[i], all, len, path, depth + 1);
    }
}

static hf_ynode *follow(hf_ynode *root, const located *l)
{
    hf_ynode *n = root;
    for (size_t i = 0; i < l->depth; i++)
        n = n->kids[l->path[i]];
    return n;
}

/* Values an edit puts in: strings that look like structure, typed plain
 * scalars, nested and empty collections. */
static hf_ynode *make_value(unsigned k)
{
    hf_ynode *m, *s;
    switch (k % 9) {
    case 0:
        return hf_ynode_str("a: b # c\n- d");
    case 1:
        m = hf_ynode_map();
        hf_ynode_map_put(m, hf_ynode_str("uses"),
                         hf_ynode_str("org/lp/.github/workflows/r.yml@main"));
        s = hf_ynode_map();
        hf_ynode_map_put(s, hf_ynode_str("context"), hf_ynode_str("{{x}} *y &z"));
        hf_ynode_map_put(s, hf_ynode_scalar("n", 1, HF_YS_PLAIN),
                         hf_ynode_scalar("12", 2, HF_YS_PLAIN));
        hf_ynode_map_put(m, hf_ynode_str("with"), s);
        hf_ynode_map_put(m, hf_ynode_str("secrets"), hf_ynode_scalar("inherit", 7, HF_YS_PLAIN));
        return m;
    case 2:
        s = hf_ynode_seq();
        hf_ynode_seq_push(s, hf_ynode_str("x"));
        m = hf_ynode_map();
        hf_ynode_map_put(m, hf_ynode_str("k"), hf_ynode_str("v: w"));
        hf_ynode_seq_push(s, m);
        hf_ynode_seq_push(s, hf_ynode_seq());
        return s;
    case 3:
        return hf_ynode_scalar("true", 4, HF_YS_PLAIN);
    case 4:
        return hf_ynode_map();
    case 5:
        return hf_ynode_str("");
    case 6:
        return hf_ynode_str("nel\xc2\x85ls\xe2\x80\xa8 bom\xef\xbb\xbf \t'\"\\\r");
    case 7:
        return hf_ynode_scalar("", 0, HF_YS_PLAIN);
    default:
        return hf_ynode_scalar("nul\0x", 5, HF_YS_DOUBLE);
    }
}

static hf_ynode *make_key(unsigned k)
{
    static const char *const keys[] = {"k", "key: colon", "#x", "- dash", "permissions"};
    if (k % 6 == 5)
        return hf_ynode_scalar("on", 2, HF_YS_PLAIN);
    return hf_ynode_str(keys[k % 6]);
}

/* The tree edits, on the shadow: raw kid surgery. */
static void kid_put(hf_ynode *p, size_t at, hf_ynode *kid)
{
    if (p->len == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 4;
        p->kids = hf_xrealloc(p->kids, p->cap * sizeof(*p->kids));
    }
    memmove(p->kids + at + 1, p->kids + at, (p->len - at) * sizeof(*p->kids));
    p->kids[at] = kid;
    kid->parent = p;
    p->len++;
}

static void kid_drop(hf_ynode *p, size_t at)
{
    hf_ynode_free(p->kids[at]);
    memmove(p->kids + at, p->kids + at + 1, (p->len - at - 1) * sizeof(*p->kids));
    p->len--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    const uint8_t *h = data;
    const char *text = (const char *)data + HEADER;
    size_t tlen = size - HEADER;
    hf_ydoc doc;
    hf_error err;
    hf_buf out = HF_BUF_INIT;
    hf_ylimits lim = {1u << 16, MAX_DEPTH, MAX_NODES};
    if (hf_ydoc_parse(&doc, "fuzz.yml", text, tlen, &lim, &err) < 0) {
        hf_ydoc_free(&doc);
        return 0;
    }
    if (!doc.root) {
        hf_ydoc_free(&doc);
        return 0;
    }
    hf_ynode *shadow = hf_ynode_copy(doc.root);
    static located all[MAX_NODES];
    size_t path[MAX_DEPTH + 2];
    unsigned nedits = 1 + h[0] % 4;
    for (unsigned e = 0; e < nedits; e++) {
        unsigned op = h[1 + 2 * e], sel = h[2 + 2 * e];
        size_t len = 0;
        collect(doc.root, all, &len, path, 0);
        const located *l = &all[sel % len];
        hf_ynode *n = l->node;
        hf_ynode *sn = follow(shadow, l);
        switch (op % 6) {
        case 0: { /* replace a value, item or the root */
            hf_ynode *v = make_value(op / 6);
            hf_ynode *copy = hf_ynode_copy(v);
            if (hf_yedit_replace(&doc, n, v, &err) == 0) {
                if (sn->parent) {
                    size_t at = l->path[l->depth - 1];
                    sn->parent->kids[at] = copy;
                    copy->parent = sn->parent;
                    hf_ynode_free(sn);
                } else {
                    hf_ynode_free(shadow);
                    shadow = copy;
                }
            } else {
                hf_ynode_free(copy);
            }
            break;
        }
        case 1: /* remove a pair */
            if (n->kind == HF_Y_MAP && hf_ynode_pairs(n)) {
                size_t p = (op / 6) % hf_ynode_pairs(n);
                if (hf_yedit_remove_pair(&doc, n, p, &err) == 0) {
                    kid_drop(sn, 2 * p);
                    kid_drop(sn, 2 * p);
                }
            }
            break;
        case 2: /* remove an item */
            if (n->kind == HF_Y_SEQ && n->len) {
                size_t i = (op / 6) % n->len;
                if (hf_yedit_remove_item(&doc, n, i, &err) == 0)
                    kid_drop(sn, i);
            }
            break;
        case 3: /* insert a pair */
            if (n->kind == HF_Y_MAP) {
                size_t before = (op / 6) % (hf_ynode_pairs(n) + 1);
                hf_ynode *k = make_key(op / 12), *v = make_value(op / 3);
                hf_ynode *kc = hf_ynode_copy(k), *vc = hf_ynode_copy(v);
                if (hf_yedit_insert_pair(&doc, n, before, k, v, &err) == 0) {
                    kid_put(sn, 2 * before, kc);
                    kid_put(sn, 2 * before + 1, vc);
                } else {
                    hf_ynode_free(kc);
                    hf_ynode_free(vc);
                }
            }
            break;
        case 4: /* rebuild a map keeping some keys (a job -> a caller job) */
            if (n->kind == HF_Y_MAP) {
                const char *keep[3] = {"name", "if", "needs"};
                size_t nkeep = 3;
                char *first = NULL;
                if (hf_ynode_pairs(n) && (op / 6) % 2) {
                    const hf_ynode *k = hf_ynode_key(n, (op / 12) % hf_ynode_pairs(n));
                    first = hf_xstrndup(k->value ? k->value : "", k->vlen);
                    keep[0] = first;
                }
                hf_ynode *extra = hf_ynode_map();
                if ((op / 6) % 3) {
                    hf_ynode_map_put(extra, hf_ynode_str("uses"), hf_ynode_str("o/r/w.yml@v1"));
                    hf_ynode_map_put(extra, make_key(op), make_value(op / 7));
                }
                hf_ynode *ec = hf_ynode_copy(extra);
                if (hf_yedit_rebuild_map(&doc, n, keep, nkeep, extra, &err) == 0) {
                    hf_ynode *fresh = hf_ynode_map();
                    for (size_t i = 0; i + 1 < sn->len; i += 2) {
                        int keepit = 0;
                        for (size_t j = 0; j < nkeep && !keepit; j++)
                            keepit = hf_ynode_is(sn->kids[i], keep[j]);
                        if (keepit)
                            hf_ynode_map_put(fresh, hf_ynode_copy(sn->kids[i]),
                                             hf_ynode_copy(sn->kids[i + 1]));
                    }
                    for (size_t i = 0; i < ec->len; i++)
                        kid_put(fresh, fresh->len, hf_ynode_copy(ec->kids[i]));
                    for (size_t i = 0; i < sn->len; i++)
                        hf_ynode_free(sn->kids[i]);
                    free(sn->kids);
                    sn->kids = fresh->kids;
                    sn->len = fresh->len;
                    sn->cap = fresh->cap;
                    for (size_t i = 0; i < sn->len; i++)
                        sn->kids[i]->parent = sn;
                    fresh->kids = NULL;
                    fresh->len = fresh->cap = 0;
                    hf_ynode_free(fresh);
                }
                hf_ynode_free(ec);
                free(first);
            }
            break;
        default:
            break;
        }
    }
    if (hf_yedit_pending(&doc)) {
        if (hf_yedit_commit(&doc, &out, &err) == 0) {
            /* (2) every byte outside the edited ranges is unchanged */
            size_t prev = 0, at = 0, s, e, nl;
            for (size_t i = 0; hf_yedit_range(&doc, i, &s, &e, &nl) == 0; i++) {
                if (s < prev || e < s || at + (s - prev) > out.len ||
                    memcmp(out.ptr + at, text + prev, s - prev) != 0)
                    abort();
                at += (s - prev) + nl;
                prev = e;
            }
            if (out.len - at != tlen - prev || memcmp(out.ptr + at, text + prev, tlen - prev))
                abort();
            /* (1) it reads back as the edits meant */
            hf_ydoc again;
            if (hf_ydoc_parse(&again, "again.yml", out.ptr, out.len, &lim, &err) < 0)
                abort();
            if (!hf_ynode_equal(again.root, shadow))
                abort();
            hf_ydoc_free(&again);
        } else if (out.len) {
            abort();
        }
    }
    hf_ynode_free(shadow);
    hf_buf_free(&out);
    hf_ydoc_free(&doc);
    return 0;
}
