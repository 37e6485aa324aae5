/* edit (PCRE2 replace over files, with `expect`) and write (a rendered
 * template becomes a file). Both refuse binary, linked and oversized files
 * through the overlay, and a YAML file they produce must still parse. */
#include "edit/ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "edit/markdown.h"
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

/* The end of the bracketed expression that follows `from` (after spaces,
 * line breaks and a callee name such as `frozenset`), or of the line when
 * none follows: the region a `within` match opens. */
static size_t region_end(const char *t, size_t len, size_t from)
{
    size_t i = from;
    while (i < len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    size_t name = i;
    while (i < len && ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
                       (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '.'))
        i++;
    if (i > name && (i >= len || t[i] != '('))
        i = name; /* a value, not a call */
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        i++;
    if (i >= len || !strchr("([{", t[i])) {
        const char *lf = memchr(t + from, '\n', len - from);
        return lf ? (size_t)(lf - t) + 1 : len;
    }
    int depth = 0;
    while (i < len) {
        char c = t[i];
        if (c == '\'' || c == '"') {
            i++;
            while (i < len && t[i] != c && t[i] != '\n') {
                if (t[i] == '\\')
                    i++;
                i++;
            }
        } else if (c == '#') {
            while (i < len && t[i] != '\n')
                i++;
            continue;
        } else if (strchr("([{", c)) {
            depth++;
        } else if (strchr(")]}", c)) {
            if (--depth == 0) {
                i++;
                /* the line's end goes with it */
                while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == ','))
                    i++;
                if (i < len && t[i] == '\r')
                    i++;
                if (i < len && t[i] == '\n')
                    i++;
                return i;
            }
        }
        i++;
    }
    return len;
}

/* Applies the step's pattern to text, only inside the regions `within`
 * opens when the step has one. */
static int substitute(hf_op_run *r, hf_regex *re, hf_regex *within, const char *path,
                      const hf_buf *text, const hf_buf *repl, hf_buf *out, size_t *count,
                      hf_error *err)
{
    if (!within)
        return hf_regex_substitute(re, hf_buf_cstr(text), text->len, hf_buf_cstr(repl), path, out,
                                   count, err);
    hf_buf part = HF_BUF_INIT;
    size_t at = 0, from = 0;
    int rc = 0;
    (void)r;
    hf_buf_clear(out);
    *count = 0;
    while (rc == 0 && from < text->len) {
        size_t ms, me, n = 0;
        int m = hf_regex_search(within, text->ptr, text->len, from, path, &ms, &me, err);
        if (m <= 0) {
            rc = m;
            break;
        }
        size_t end = region_end(text->ptr, text->len, me);
        if (end <= ms)
            end = me > ms ? me : ms + 1;
        hf_buf_put(out, text->ptr + at, ms - at);
        rc = hf_regex_substitute(re, text->ptr + ms, end - ms, hf_buf_cstr(repl), path, &part, &n,
                                 err);
        hf_buf_put(out, part.ptr ? part.ptr : "", part.len);
        *count += n;
        at = from = end;
    }
    if (rc == 0)
        hf_buf_put(out, text->ptr + at, text->len - at);
    hf_buf_free(&part);
    return rc;
}

/* Drops the Markdown block (a list item, table row, fenced-code line or
 * paragraph) that holds each match. */
static int drop_blocks(hf_regex *re, const char *path, const hf_buf *text, hf_buf *out,
                       size_t *count, hf_error *err)
{
    size_t from = 0, kept = 0;
    hf_buf_clear(out);
    *count = 0;
    while (from < text->len) {
        size_t ms, me, bs, be;
        int m = hf_regex_search(re, text->ptr, text->len, from, path, &ms, &me, err);
        if (m < 0)
            return -1;
        if (!m)
            break;
        from = me > ms ? me : ms + 1;
        if (ms < kept || !hf_md_block(text->ptr, text->len, ms, true, &bs, &be))
            continue;
        if (bs < kept)
            bs = kept;
        hf_buf_put(out, text->ptr + kept, bs - kept);
        kept = be;
        if (from < be)
            from = be;
        (*count)++;
    }
    hf_buf_put(out, text->ptr + kept, text->len - kept);
    return 0;
}

/* What a selected path is edited as: itself, or for a link inside the
 * repository, its target (once, whether or not the target was selected
 * too); a link that leads outside, or to a link, is left with a note. */
static void resolve_links(hf_op_run *r, hf_vec *paths)
{
    hf_vec out = HF_VEC_INIT;
    for (size_t i = 0; i < paths->len; i++) {
        char *p = paths->items[i];
        const char *real = p;
        hf_buf target = HF_BUF_INIT, joined = HF_BUF_INIT, norm = HF_BUF_INIT;
        if (hf_overlay_mode(r->ctx->overlay, p) == GIT_FILEMODE_LINK) {
            hf_error e;
            unsigned mode;
            const char *slash = strrchr(p, '/');
            real = NULL;
            if (hf_overlay_read(r->ctx->overlay, p, &target, &mode, &e) == 0 && target.len &&
                target.ptr[0] != '/') {
                if (slash)
                    hf_buf_put(&joined, p, (size_t)(slash - p) + 1);
                hf_buf_put(&joined, target.ptr, target.len);
                if (hf_path_normalize(&norm, hf_buf_cstr(&joined), &e) == 0 &&
                    hf_overlay_mode(r->ctx->overlay, hf_buf_cstr(&norm)) != GIT_FILEMODE_LINK &&
                    hf_overlay_mode(r->ctx->overlay, hf_buf_cstr(&norm)) != 0)
                    real = hf_buf_cstr(&norm);
            }
            if (!real)
                hf_op_note(r,
                           "%s: a link that does not lead to a file of the repository; left "
                           "alone",
                           p);
        }
        int dup = 0;
        for (size_t k = 0; real && k < out.len && !dup; k++)
            dup = strcmp(out.items[k], real) == 0;
        for (size_t k = i + 1; real && real != p && k < paths->len && !dup; k++)
            dup = strcmp(paths->items[k], real) == 0; /* selected itself: edited there */
        if (real && !dup)
            hf_vec_push(&out, hf_xstrdup(real));
        hf_buf_free(&target);
        hf_buf_free(&joined);
        hf_buf_free(&norm);
    }
    hf_vec_free(paths, free);
    *paths = out;
}

int hf_op_edit(hf_op_run *r, hf_error *err)
{
    hf_vec files = HF_VEC_INIT;
    hf_buf repl = HF_BUF_INIT, text = HF_BUF_INIT, out = HF_BUF_INIT;
    hf_regex *re = NULL, *within = NULL;
    int rc = -1;
    const hf_step *st = r->step;

    if (!st->files.len || !st->pattern || (!st->replacement && !st->drop_blocks)) {
        hf_error_set(err, "edit needs `files`, `pattern` and `replace`");
        goto done;
    }
    hf_mark origin = {"replace", 1, 1}; /* no mark of its own in hf_step */
    if (hf_regex_compile(&re, st->pattern, st->pattern_mark, err) < 0 ||
        (st->within && hf_regex_compile(&within, st->within, st->within_mark, err) < 0) ||
        (st->replacement && hf_template_render(st->replacement, strlen(st->replacement), &r->vars,
                                               origin, &repl, err) < 0))
        goto done;
    hf_op_select(r, &st->files, NULL, &files);
    resolve_links(r, &files);
    for (size_t f = 0; f < files.len; f++) {
        const char *path = files.items[f];
        size_t count = 0;
        if (hf_overlay_read_text(r->ctx->overlay, path, &text, err) < 0)
            goto done;
        if (st->where) {
            hf_subject_ref s = {HF_SUBJ_FILE,       NULL,    NULL, NULL, NULL, path,
                                hf_buf_cstr(&text), text.len};
            int m = hf_op_test(r, st->where, &s, NULL, path, err);
            if (m < 0)
                goto done;
            if (!m)
                continue;
        }
        if ((st->drop_blocks
                 ? drop_blocks(re, path, &text, &out, &count, err)
                 : substitute(r, re, within, path, &text, &repl, &out, &count, err)) < 0)
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
    hf_regex_free(within);
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
