/* libFuzzer target for the YAML splice editor (meson -Dfuzz=true, clang):
 * any input either fails to parse cleanly, or takes a few edits chosen from
 * the input's own bytes and then commits to text that reads back as intended
 * with every byte outside the edited ranges unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit/yaml_splice.h"
#include "util/buf.h"

static void collect(hf_ynode *n, hf_ynode **all, size_t *len, size_t cap)
{
    if (*len < cap)
        all[(*len)++] = n;
    for (size_t i = 0; i < n->len; i++)
        collect(n->kids[i], all, len, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_ydoc doc;
    hf_error err;
    hf_buf out = HF_BUF_INIT;
    hf_ylimits lim = {1u << 16, 32, 4096};
    if (size < 2 ||
        hf_ydoc_parse(&doc, "fuzz.yml", (const char *)data + 1, size - 1, &lim, &err) < 0) {
        if (size >= 2)
            hf_ydoc_free(&doc);
        return 0;
    }
    hf_ynode *all[4096];
    size_t len = 0;
    if (doc.root)
        collect(doc.root, all, &len, 4096);
    /* one edit, on a node picked by the first byte: the kind of edit by its
     * low bits */
    if (len) {
        hf_ynode *n = all[data[0] % len];
        switch (data[0] & 3) {
        case 0:
            if (n->parent && n->kind == HF_Y_SCALAR && n->parent->kind == HF_Y_SEQ)
                hf_yedit_replace(&doc, n, hf_ynode_str("a: b # c\n- d"), &err);
            break;
        case 1:
            if (n->kind == HF_Y_MAP && hf_ynode_pairs(n) > 1)
                hf_yedit_remove_pair(&doc, n, data[0] % hf_ynode_pairs(n), &err);
            break;
        case 2:
            if (n->kind == HF_Y_SEQ && n->len > 1)
                hf_yedit_remove_item(&doc, n, data[0] % n->len, &err);
            break;
        default:
            if (n->kind == HF_Y_MAP && n->len)
                hf_yedit_insert_pair(&doc, n, hf_ynode_pairs(n), hf_ynode_str("k"),
                                     hf_ynode_str("*v"), &err);
            break;
        }
    }
    if (hf_yedit_pending(&doc) && hf_yedit_commit(&doc, &out, &err) == 0) {
        size_t prev = 0, at = 0, s, e, n;
        const char *orig = (const char *)data + 1;
        for (size_t i = 0; hf_yedit_range(&doc, i, &s, &e, &n) == 0; i++) {
            if (memcmp(out.ptr + at, orig + prev, s - prev) != 0)
                abort();
            at += (s - prev) + n;
            prev = e;
        }
        if (out.len - at != size - 1 - prev || memcmp(out.ptr + at, orig + prev, size - 1 - prev))
            abort();
    }
    hf_buf_free(&out);
    hf_ydoc_free(&doc);
    return 0;
}
