/* libFuzzer target for the template renderer. The input is a template and
 * up to four values (repo, family, context, product), separated by "%%%%"
 * lines. A YAML rendering that succeeds must parse and keep the template's
 * structure: the same tree as the template rendered with inert values,
 * with every placeholder-only scalar holding exactly its value and every
 * other scalar unchanged. The template, parsed as a recipe's `with:` block
 * and rendered node by node, must splice into a workflow. */
#include <stdlib.h>
#include <string.h>

#include "config/node.h"
#include "edit/template.h"
#include "edit/yaml_splice.h"
#include "fuzz_common.h"
#include "util/buf.h"

static const char *const var_names[] = {"repo", "family", "context", "product"};
#define NVARS 4
#define INERT "hfInert"

/* Compares the rendering with adversarial values (got) with the one with
 * inert values (want). */
static void same_structure(const hf_ynode *want, const hf_ynode *got, const hf_vars *vars)
{
    if (!want || !got) {
        if (want != got)
            abort();
        return;
    }
    if (want->kind != got->kind || want->len != got->len)
        abort();
    if (want->kind == HF_Y_SCALAR) {
        const char *inert = memmem(want->value, want->vlen, INERT, sizeof(INERT) - 1);
        if (!inert) {
            if (want->vlen != got->vlen || memcmp(want->value, got->value, got->vlen))
                abort();
        } else if (want->vlen == sizeof(INERT) && want->value[sizeof(INERT) - 1] >= '0' &&
                   want->value[sizeof(INERT) - 1] < '0' + NVARS) {
            const char *v = hf_vars_get(vars, var_names[want->value[sizeof(INERT) - 1] - '0']);
            if (strlen(v) != got->vlen || memcmp(v, got->value, got->vlen))
                abort();
        }
        return;
    }
    for (size_t i = 0; i < want->len; i++)
        same_structure(want->kids[i], got->kids[i], vars);
}

static int depth_of(const hf_node *n)
{
    int d = 0;
    for (size_t i = 0; i < n->len; i++) {
        const hf_node *k = n->kind == HF_NODE_MAP ? n->pairs[i].value : n->items[i];
        int kd = depth_of(k);
        d = kd > d ? kd : d;
    }
    return d + 1;
}

/* A plain scalar the editor counts as typed (null, bool, number-like).
 * Its typing is deliberately wide, so one that cannot be written plain
 * ("-::0:", which must be quoted) is refused rather than retyped: a
 * refusal the target accepts. */
static int has_typed_plain(const hf_ynode *n)
{
    if (n->kind == HF_Y_SCALAR)
        return n->style == HF_YS_PLAIN && hf_yaml_plain_is_typed(n->value, n->vlen);
    for (size_t i = 0; i < n->len; i++)
        if (has_typed_plain(n->kids[i]))
            return 1;
    return 0;
}

/* A recipe's `with:` is a config node rendered into a tree and spliced in
 * place of a job's value; the editor must accept what the renderer makes. */
static void render_as_node(const char *tpl, size_t len, const hf_vars *vars)
{
    hf_doc cfgdoc;
    hf_diags diags = HF_DIAGS_INIT;
    hf_error err;
    if (hf_doc_parse(&cfgdoc, "with.yml", tpl, len, NULL, &diags) == 0 && cfgdoc.root &&
        depth_of(cfgdoc.root) < 32) {
        hf_ynode *tree = NULL;
        if (hf_template_render_node(cfgdoc.root, vars, &tree, &err) == 0) {
            static const char wf[] = "jobs:\n  build:\n    with: 1\n    runs-on: x\n";
            hf_ydoc doc;
            hf_buf out = HF_BUF_INIT;
            if (hf_ydoc_parse(&doc, "wf.yml", wf, sizeof(wf) - 1, NULL, &err) < 0)
                abort();
            hf_ynode *with = hf_ynode_get(hf_ynode_get(hf_ynode_get(doc.root, "jobs"), "build"),
                                          "with");
            int typed = has_typed_plain(tree);
            if (hf_yedit_replace(&doc, with, tree, &err) < 0 ||
                (hf_yedit_commit(&doc, &out, &err) < 0 &&
                 !(typed && strstr(err.msg, "does not read back as intended"))))
                abort();
            hf_buf_free(&out);
            hf_ydoc_free(&doc);
        }
    }
    hf_doc_free(&cfgdoc);
    hf_diags_free(&diags);
}

/* Values reach templates from the configuration and from captures over
 * files checked to be UTF-8: the fuzzer's bytes are made so too (an invalid
 * sequence becomes '?'). */
static void put_utf8(hf_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                                : (c & 0xf8) == 0xf0 ? 4 : 0;
        int ok = len && i + len <= n && !(len == 2 && c < 0xc2);
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xc0) == 0x80;
        if (ok && len == 3) {
            unsigned cp = ((c & 0x0fu) << 12) | (((unsigned char)s[i + 1] & 0x3fu) << 6);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 0x07u) << 18) | (((unsigned char)s[i + 1] & 0x3fu) << 12);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!ok) {
            hf_buf_putc(out, '?');
            i++;
            continue;
        }
        hf_buf_put(out, s + i, len);
        i += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_fuzz_part parts[1 + NVARS];
    size_t n = hf_fuzz_split(data, size, parts, 1 + NVARS);
    const char *tpl = parts[0].ptr;
    size_t tlen = parts[0].len;
    hf_vars vars = HF_VARS_INIT, inert = HF_VARS_INIT;
    for (size_t i = 0; i < NVARS; i++) {
        char name[32];
        /* a NUL ends a value (they are C strings) */
        hf_buf v = HF_BUF_INIT;
        if (1 + i < n)
            put_utf8(&v, parts[1 + i].ptr, strnlen(parts[1 + i].ptr, parts[1 + i].len));
        hf_vars_set(&vars, var_names[i], hf_buf_cstr(&v));
        hf_buf_free(&v);
        snprintf(name, sizeof(name), INERT "%zu", i);
        hf_vars_set(&inert, var_names[i], name);
    }
    hf_mark origin = {"tpl.yml", 1, 1};
    hf_error err;
    hf_buf text = HF_BUF_INIT, yaml = HF_BUF_INIT, want = HF_BUF_INIT;
    hf_vec names = HF_VEC_INIT;

    hf_template_render(tpl, tlen, &vars, origin, &text, &err);
    hf_template_names(tpl, tlen, origin, &names, &err);
    int got_ok = hf_template_render_yaml(tpl, tlen, &vars, origin, &yaml, &err) == 0;
    int want_ok = hf_template_render_yaml(tpl, tlen, &inert, origin, &want, &err) == 0;
    if (got_ok) {
        hf_ydoc got_doc, want_doc;
        if (hf_ydoc_parse(&got_doc, "got.yml", yaml.ptr, yaml.len, NULL, &err) < 0)
            abort();
        if (want_ok && !memmem(tpl, tlen, INERT, sizeof(INERT) - 1)) {
            if (hf_ydoc_parse(&want_doc, "want.yml", want.ptr, want.len, NULL, &err) < 0)
                abort();
            same_structure(want_doc.root, got_doc.root, &vars);
            hf_ydoc_free(&want_doc);
        }
        hf_ydoc_free(&got_doc);
    }
    render_as_node(tpl, tlen, &vars);

    hf_vec_free(&names, free);
    hf_buf_free(&text);
    hf_buf_free(&yaml);
    hf_buf_free(&want);
    hf_vars_free(&vars);
    hf_vars_free(&inert);
    return 0;
}
