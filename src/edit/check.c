/* Validation-time checks of recipe templates (see check.h). */
#include "edit/check.h"
#include "edit/ops.h"
#include "edit/regex.h"
#include "edit/template.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/path.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hf_repo_variables[] = {"repo",     "owner", "name",  "family", "context",
                                         "contexts", "product", "today", "fleet",  "branch",
                                         NULL};

/* The archive marker and banners also see these. */
static const char *const archive_variables[] = {"set",           "archive", "reason", "link",
                                                "justification", "manifest", "count", "path",
                                                "marker",        NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static bool in_vec(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s))
            return true;
    return false;
}

typedef struct step_check {
    const hf_step *step;
    hf_vec groups; /* char *: named groups of the step's pattern */
    bool archive;
    hf_diags *diags;
    size_t errors;
} step_check;

static void check_text(step_check *sc, const char *text, size_t len, hf_mark origin,
                       const char *what)
{
    hf_vec names = HF_VEC_INIT;
    hf_error err;
    if (hf_template_names(text, len, origin, &names, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col, "%s: %s",
                     what, err.msg);
        sc->errors++;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *n = names.items[i];
        if (in_list(hf_repo_variables, n) || in_list(hf_step_variables, n) ||
            in_vec(&sc->groups, n) || (sc->archive && in_list(archive_variables, n)))
            continue;
        hf_diags_add(sc->diags, HF_DIAG_ERROR, origin.file, origin.line, origin.col,
                     "step %zu: unknown template variable '%s' in %s", sc->step->index, n, what);
        sc->errors++;
    }
    hf_vec_free(&names, free);
}

static void check_node(step_check *sc, const hf_node *n, const char *what)
{
    if (!n)
        return;
    if (n->kind == HF_NODE_SCALAR) {
        check_text(sc, n->value, strlen(n->value), n->mark, what);
    } else if (n->kind == HF_NODE_SEQ) {
        for (size_t i = 0; i < n->len; i++)
            check_node(sc, n->items[i], what);
    } else {
        for (size_t i = 0; i < n->len; i++) {
            check_text(sc, n->pairs[i].key->value, strlen(n->pairs[i].key->value),
                       n->pairs[i].key->mark, what);
            check_node(sc, n->pairs[i].value, what);
        }
    }
}

/* Reads a template file at dir/rel (confined to dir) and checks its names. */
static void check_file(step_check *sc, const char *dir, const char *rel, const char *what)
{
    hf_buf norm = HF_BUF_INIT, path = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error err;
    const hf_mark m = sc->step->mark;
    if (hf_path_normalize(&norm, rel, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, m.file, m.line, m.col, "step %zu: %s: %s",
                     sc->step->index, what, err.msg);
        sc->errors++;
        goto done;
    }
    hf_fs_join(&path, dir, norm.ptr);
    if (hf_fs_read(&text, path.ptr, 1 << 20, 1, &err) < 0) {
        hf_diags_add(sc->diags, HF_DIAG_ERROR, m.file, m.line, m.col, "step %zu: %s: %s",
                     sc->step->index, what, err.msg);
        sc->errors++;
        goto done;
    }
    hf_mark origin = {path.ptr, 1, 1};
    check_text(sc, text.ptr, text.len, origin, what);
done:
    hf_buf_free(&norm);
    hf_buf_free(&path);
    hf_buf_free(&text);
}

size_t hf_recipes_check(const hf_config *cfg, const char *templates_dir, hf_diags *diags)
{
    size_t errors = 0;
    for (size_t r = 0; r < cfg->recipes.len; r++) {
        const hf_recipe *rc = cfg->recipes.items[r];
        for (size_t i = 0; i < rc->steps.len; i++) {
            const hf_step *st = rc->steps.items[i];
            step_check sc = {.step = st, .archive = st->op == HF_OP_ARCHIVE, .diags = diags};
            if (st->pattern) {
                hf_regex *re = NULL;
                hf_error err;
                if (hf_regex_compile(&re, st->pattern, st->pattern_mark, &err) == 0) {
                    hf_vec borrowed = HF_VEC_INIT; /* valid only while re lives */
                    hf_regex_group_names(re, &borrowed);
                    for (size_t k = 0; k < borrowed.len; k++)
                        hf_vec_push(&sc.groups, hf_xstrdup(borrowed.items[k]));
                    hf_vec_free(&borrowed, NULL);
                }
                hf_regex_free(re);
            }
            if (st->uses)
                check_text(&sc, st->uses, strlen(st->uses), st->uses_mark, "uses");
            if (st->replacement)
                check_text(&sc, st->replacement, strlen(st->replacement), st->replacement_mark,
                           "replace");
            if (st->content)
                check_text(&sc, st->content, strlen(st->content), st->content_mark, "content");
            check_node(&sc, st->with, "with");
            check_node(&sc, st->secrets, "secrets");
            check_node(&sc, st->permissions, "permissions");
            if (st->op == HF_OP_WRITE && st->template_path)
                check_file(&sc, cfg->dir, st->template_path, "template");
            if (st->op == HF_OP_ARCHIVE && templates_dir) {
                check_file(&sc, templates_dir,
                           st->template_path ? st->template_path : "ARCHIVED.md.tmpl",
                           "archive template");
                /* banners are optional; the ones present must render */
                static const char *const banners[] = {"banner-hash.tmpl", "banner-slash.tmpl",
                                                      "banner-markdown.tmpl", NULL};
                for (size_t b = 0; banners[b]; b++) {
                    hf_buf path = HF_BUF_INIT;
                    hf_fs_join(&path, templates_dir, banners[b]);
                    if (access(path.ptr, F_OK) == 0)
                        check_file(&sc, templates_dir, banners[b], "banner template");
                    hf_buf_free(&path);
                }
            }
            errors += sc.errors;
            hf_vec_free(&sc.groups, free);
        }
    }
    return errors;
}
