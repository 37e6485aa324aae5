/* edit (PCRE2 replace over files, with `expect`) and write (a rendered
 * template becomes a file). Both refuse binary, linked and oversized files
 * through the overlay, and a YAML file they produce must still parse. */
#include "edit/ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/mem.h"
#include "util/path.h"

static int is_yaml(const char *path)
{
    const char *ext = strrchr(hf_path_basename(path), '.');
    return ext && (strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0);
}

static int check_yaml(hf_op_run *r, const char *path, const hf_buf *text, hf_error *err)
{
    hf_ydoc doc = HF_YDOC_INIT;
    int rc = hf_ydoc_parse(&doc, path, hf_buf_cstr(text), text->len, r->ctx->yaml_limits, err);
    hf_ydoc_free(&doc);
    if (rc < 0)
        hf_error_wrap(err, "%s: the result would not be valid YAML; file left unchanged", path);
    return rc;
}

int hf_op_edit(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    hf_buf repl = HF_BUF_INIT, text = HF_BUF_INIT, out = HF_BUF_INIT;
    hf_regex *re = NULL;
    int rc = -1;
    const hf_step *st = r->step;

    if (!st->files.len || !st->pattern || !st->replacement) {
        hf_error_set(err, "edit needs `files`, `pattern` and `replace`");
        goto done;
    }
    hf_mark origin = {"replace", 1, 1}; /* no mark of its own in hf_step */
    if (hf_regex_compile(&re, st->pattern, st->pattern_mark, err) < 0 ||
        hf_template_render(st->replacement, strlen(st->replacement), &r->vars, origin, &repl, err) <
            0)
        goto done;
    hf_op_select(r, &st->files, NULL, &files);
    for (size_t f = 0; f < files.len; f++) {
        const char *path = files.items[f];
        size_t count = 0;
        if (hf_overlay_read_text(r->ctx->overlay, path, &text, err) < 0 ||
            hf_regex_substitute(re, hf_buf_cstr(&text), text.len, hf_buf_cstr(&repl), path, &out,
                                &count, err) < 0)
            goto done;
        r->rep->matched += count;
        if (!count)
            continue;
        if (is_yaml(path) && check_yaml(r, path, &out, err) < 0)
            goto done;
        size_t before = hf_overlay_change_count(r->ctx->overlay);
        if (hf_overlay_write(r->ctx->overlay, path, hf_buf_cstr(&out), out.len, 0, &r->prov, err) <
            0)
            goto done;
        if (hf_overlay_change_count(r->ctx->overlay) == before)
            r->rep->converged += count;
    }
    rc = 0;
done:
    hf_regex_free(re);
    hf_vec_free(&files, free);
    hf_buf_free(&repl);
    hf_buf_free(&text);
    hf_buf_free(&out);
    return rc;
}

int hf_op_write(hf_op_run *r, hf_error *err)
{
    hf_buf tpl = HF_BUF_INIT, path = HF_BUF_INIT, out = HF_BUF_INIT;
    int rc = -1;
    const hf_step *st = r->step;
    /* positions in an inline template are its own: "content:2:7" */
    hf_mark origin = {"content", 1, 1};

    if (!st->dest || (!st->content == !st->template_path)) {
        hf_error_set(err, "write needs `path` and one of `template` / `content`");
        goto done;
    }
    if (st->content) {
        hf_buf_puts(&tpl, st->content);
    } else {
        if (!r->ctx->config_dir) {
            hf_error_set(err, "no configuration directory to read template '%s' from",
                         st->template_path);
            goto done;
        }
        hf_buf rel = HF_BUF_INIT;
        if (hf_path_normalize(&rel, st->template_path, err) < 0) {
            hf_buf_free(&rel);
            goto done;
        }
        hf_fs_join(&path, r->ctx->config_dir, hf_buf_cstr(&rel));
        hf_buf_free(&rel);
        if (hf_fs_read(&tpl, hf_buf_cstr(&path), 1u << 20, 1, err) < 0)
            goto done;
        origin.file = hf_buf_cstr(&path);
        origin.line = 1;
        origin.col = 1;
    }
    if (is_yaml(st->dest)) {
        if (hf_template_render_yaml(hf_buf_cstr(&tpl), tpl.len, &r->vars, origin, &out, err) < 0)
            goto done;
    } else if (hf_template_render(hf_buf_cstr(&tpl), tpl.len, &r->vars, origin, &out, err) < 0) {
        goto done;
    }
    if (hf_text_check(st->dest, hf_buf_cstr(&out), out.len,
                      hf_overlay_max_text_bytes(r->ctx->overlay), err) < 0)
        goto done;
    size_t before = hf_overlay_change_count(r->ctx->overlay);
    if (hf_overlay_write(r->ctx->overlay, st->dest, hf_buf_cstr(&out), out.len, 0, &r->prov, err) <
        0)
        goto done;
    r->rep->matched = 1;
    if (hf_overlay_change_count(r->ctx->overlay) == before)
        r->rep->converged = 1;
    rc = 0;
done:
    hf_buf_free(&tpl);
    hf_buf_free(&path);
    hf_buf_free(&out);
    return rc;
}
