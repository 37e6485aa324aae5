/* delete and delete-workflow: remove files only when nothing left behind
 * still names them. References are found by full path or distinctive
 * basename in every text file; where the step allows it, a referencing
 * package.json script or Markdown list item is dropped instead. */
#include "edit/ops_int.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

#define WORKFLOWS ".github/workflows/*.{yml,yaml}"

void hf_ref_free(void *p)
{
    hf_ref *r = p;
    free(r->path);
    free(r->target);
    free(r->needle);
    free(r);
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static int in_list(const hf_vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i], s) == 0)
            return 1;
    return 0;
}

/* A basename specific enough that finding it elsewhere means this file:
 * it has an extension, a stem of 3+ characters, and is not a name every
 * project has. */
static int distinctive(const char *base)
{
    static const char *const common[] = {
        "index",        "main",     "setup",      "config",   "conftest",  "__init__",
        "__main__",     "package",  "README",     "readme",   "utils",     "util",
        "test",         "tests",    "app",        "settings", "common",    "helpers",
        "requirements", "Makefile", "Dockerfile", "LICENSE",  "CHANGELOG", "action",
        "ci",           "build",    "run",        "lib",      NULL};
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || dot - base < 3 || !dot[1])
        return 0;
    for (const char *const *c = common; *c; c++)
        if (strlen(*c) == (size_t)(dot - base) && strncmp(*c, base, (size_t)(dot - base)) == 0)
            return 0;
    return 1;
}

/* Occurrence of needle in line at a path boundary. before_dot: a '.' may
 * precede it (module paths like tools.prod_gate). */
static int line_names(const char *line, size_t len, const char *needle, int before_dot)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(line + i, needle, n) != 0)
            continue;
        char b = i ? line[i - 1] : ' ';
        if (word_char(b) || (b == '.' && !before_dot))
            continue;
        char a = i + n < len ? line[i + n] : ' ';
        char a2 = i + n + 1 < len ? line[i + n + 1] : ' ';
        if (word_char(a) || (a == '.' && word_char(a2)))
            continue;
        return 1;
    }
    return 0;
}

static void scan_text(const char *path, const char *text, size_t len, const hf_vec *targets,
                      hf_vec *refs)
{
    hf_vec needles = HF_VEC_INIT, owners = HF_VEC_INIT, dots = HF_VEC_INIT;
    for (size_t t = 0; t < targets->len; t++) {
        const char *target = targets->items[t];
        const char *base = hf_path_basename(target);
        hf_vec_push(&needles, hf_xstrdup(target));
        hf_vec_push(&owners, (void *)target);
        hf_vec_push(&dots, (void *)0);
        if (base != target && distinctive(base)) {
            hf_vec_push(&needles, hf_xstrdup(base));
            hf_vec_push(&owners, (void *)target);
            hf_vec_push(&dots, (void *)0);
        }
        /* a Python or JS module is also named by its stem (imports) */
        const char *dot = strrchr(base, '.');
        if (dot && distinctive(base) && (size_t)(dot - base) >= 8 &&
            (strcmp(dot, ".py") == 0 || strcmp(dot, ".mjs") == 0 || strcmp(dot, ".js") == 0) &&
            strpbrk(base, "_-")) {
            hf_vec_push(&needles, hf_xstrndup(base, (size_t)(dot - base)));
            hf_vec_push(&owners, (void *)target);
            hf_vec_push(&dots, (void *)1);
        }
    }
    int line = 1;
    for (size_t s = 0; s < len;) {
        const char *lf = memchr(text + s, '\n', len - s);
        size_t e = lf ? (size_t)(lf - text) : len;
        const char *last_owner = NULL;
        for (size_t k = 0; k < needles.len; k++) {
            if (owners.items[k] == last_owner)
                continue;
            if (line_names(text + s, e - s, needles.items[k], dots.items[k] != NULL)) {
                hf_ref *ref = hf_xcalloc(1, sizeof(*ref));
                ref->path = hf_xstrdup(path);
                ref->line = line;
                ref->target = hf_xstrdup(owners.items[k]);
                ref->needle = hf_xstrdup(needles.items[k]);
                ref->start = s;
                ref->end = lf ? e + 1 : e;
                hf_vec_push(refs, ref);
                last_owner = owners.items[k];
            }
        }
        s = lf ? e + 1 : len;
        line++;
    }
    hf_vec_free(&needles, free);
    hf_vec_free(&owners, NULL);
    hf_vec_free(&dots, NULL);
}

void hf_op_find_refs(hf_op_run *r, const hf_vec *targets, const hf_vec *skip, hf_vec *refs)
{
    hf_vec all = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT;
    hf_error ignore;
    hf_overlay_list(r->ctx->overlay, NULL, &all);
    for (size_t i = 0; i < all.len; i++) {
        const char *p = all.items[i];
        /* archived files are history, not current authority */
        if (in_list(skip, p) || hf_path_under(p, "archive"))
            continue;
        if (hf_overlay_read_text(r->ctx->overlay, p, &text, &ignore) < 0)
            continue; /* binary, link, huge: cannot name a path in text */
        scan_text(p, hf_buf_cstr(&text), text.len, targets, refs);
    }
    hf_buf_free(&text);
    hf_vec_free(&all, free);
}

/* ---- package.json: find the members of "scripts" with their bytes ------ */

typedef struct json_member {
    size_t key_start, value_end;
    char *key;
    char *value; /* decoded string value, or NULL */
} json_member;

static void json_member_free(void *p)
{
    json_member *m = p;
    free(m->key);
    free(m->value);
    free(m);
}

static void json_ws(const char *s, size_t len, size_t *i)
{
    while (*i < len && strchr(" \t\r\n", s[*i]) && s[*i])
        (*i)++;
}

static int json_string(const char *s, size_t len, size_t *i, hf_buf *out)
{
    if (*i >= len || s[*i] != '"')
        return -1;
    for ((*i)++; *i < len; (*i)++) {
        char c = s[*i];
        if (c == '"') {
            (*i)++;
            return 0;
        }
        if (c == '\\') {
            if (++*i >= len)
                return -1;
            char e = s[*i], d;
            switch (e) {
            case '"':
                d = '"';
                break;
            case '\\':
                d = '\\';
                break;
            case '/':
                d = '/';
                break;
            case 'b':
                d = '\b';
                break;
            case 'f':
                d = '\f';
                break;
            case 'n':
                d = '\n';
                break;
            case 'r':
                d = '\r';
                break;
            case 't':
                d = '\t';
                break;
            case 'u':
                d = 'u';
                break; /* kept escaped: values are only compared */
            default:
                return -1;
            }
            if (out && e == 'u')
                hf_buf_puts(out, "\\u");
            else if (out)
                hf_buf_putc(out, d);
            continue;
        }
        if (out)
            hf_buf_putc(out, c);
    }
    return -1;
}

static int json_value(const char *s, size_t len, size_t *i, int depth)
{
    json_ws(s, len, i);
    if (*i >= len || depth > 64)
        return -1;
    char c = s[*i];
    if (c == '"')
        return json_string(s, len, i, NULL);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        (*i)++;
        json_ws(s, len, i);
        if (*i < len && s[*i] == close) {
            (*i)++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                json_ws(s, len, i);
                if (json_string(s, len, i, NULL) < 0)
                    return -1;
                json_ws(s, len, i);
                if (*i >= len || s[(*i)++] != ':')
                    return -1;
            }
            if (json_value(s, len, i, depth + 1) < 0)
                return -1;
            json_ws(s, len, i);
            if (*i >= len)
                return -1;
            if (s[*i] == ',') {
                (*i)++;
                continue;
            }
            if (s[*i] == close) {
                (*i)++;
                return 0;
            }
            return -1;
        }
    }
    while (*i < len && !strchr(",}] \t\r\n", s[*i]) && s[*i])
        (*i)++;
    return 0;
}

/* Members of the object starting at *i. */
static int json_members(const char *s, size_t len, size_t *i, hf_vec *members)
{
    json_ws(s, len, i);
    if (*i >= len || s[*i] != '{')
        return -1;
    (*i)++;
    json_ws(s, len, i);
    if (*i < len && s[*i] == '}') {
        (*i)++;
        return 0;
    }
    for (;;) {
        json_ws(s, len, i);
        json_member *m = hf_xcalloc(1, sizeof(*m));
        hf_buf key = HF_BUF_INIT, val = HF_BUF_INIT;
        m->key_start = *i;
        int bad = json_string(s, len, i, &key) < 0;
        m->key = hf_buf_detach(&key);
        hf_vec_push(members, m);
        if (bad)
            return -1;
        json_ws(s, len, i);
        if (*i >= len || s[(*i)++] != ':')
            return -1;
        json_ws(s, len, i);
        size_t vs = *i;
        if (*i < len && s[*i] == '"') {
            if (json_string(s, len, i, &val) < 0) {
                hf_buf_free(&val);
                return -1;
            }
            m->value = hf_buf_detach(&val);
        } else if (json_value(s, len, i, 0) < 0) {
            return -1;
        }
        (void)vs;
        m->value_end = *i;
        json_ws(s, len, i);
        if (*i >= len)
            return -1;
        if (s[*i] == ',') {
            (*i)++;
            continue;
        }
        if (s[*i] == '}') {
            (*i)++;
            return 0;
        }
        return -1;
    }
}

/* The "scripts" object of a package.json text: its members, and where the
 * object's braces are. */
static int package_scripts(const char *s, size_t len, hf_vec *scripts, size_t *open, size_t *close)
{
    hf_vec top = HF_VEC_INIT;
    size_t i = 0;
    int rc = -1;
    if (json_members(s, len, &i, &top) < 0)
        goto done;
    for (size_t k = 0; k < top.len; k++) {
        json_member *m = top.items[k];
        if (strcmp(m->key, "scripts") != 0)
            continue;
        size_t j = m->key_start;
        json_string(s, len, &j, NULL);
        json_ws(s, len, &j);
        j++; /* ':' */
        json_ws(s, len, &j);
        *open = j;
        if (json_members(s, len, &j, scripts) < 0)
            goto done;
        *close = j - 1;
        rc = 0;
        goto done;
    }
    rc = 1; /* no scripts */
done:
    hf_vec_free(&top, json_member_free);
    return rc;
}

/* The command runs nothing but one of the deleted files (with arguments):
 * `node scripts/x.mjs --flag`, `python3 ./tools/y.py`, `./run.sh`. */
static int runs_only_deleted(const char *cmd, const char *pkg_dir, const hf_vec *deleted)
{
    static const char *const interpreters[] = {"node", "python",  "python3", "bash", "sh", "zsh",
                                               "tsx",  "ts-node", "deno",    "bun",  NULL};
    if (strpbrk(cmd, ";|&`<>\n") || strstr(cmd, "$("))
        return 0;
    hf_vec toks = HF_VEC_INIT;
    char *copy = hf_xstrdup(cmd), *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        hf_vec_push(&toks, t);
    size_t i = 0;
    int hit = 0;
    while (i < toks.len && strchr(toks.items[i], '=') && ((char *)toks.items[i])[0] != '-')
        i++; /* VAR=value prefixes */
    if (i < toks.len) {
        for (const char *const *in = interpreters; *in; in++)
            if (strcmp(toks.items[i], *in) == 0) {
                int deno = strcmp(*in, "deno") == 0 || strcmp(*in, "bun") == 0;
                i++;
                if (deno && i < toks.len && strcmp(toks.items[i], "run") == 0)
                    i++;
                while (i < toks.len && ((char *)toks.items[i])[0] == '-')
                    i++;
                break;
            }
    }
    if (i < toks.len) {
        hf_buf joined = HF_BUF_INIT, norm = HF_BUF_INIT;
        hf_error ignore;
        if (pkg_dir && *pkg_dir) {
            hf_buf_puts(&joined, pkg_dir);
            hf_buf_putc(&joined, '/');
        }
        hf_buf_puts(&joined, toks.items[i]);
        if (hf_path_normalize(&norm, hf_buf_cstr(&joined), &ignore) == 0)
            hit = in_list(deleted, hf_buf_cstr(&norm));
        hf_buf_free(&joined);
        hf_buf_free(&norm);
    }
    hf_vec_free(&toks, NULL);
    free(copy);
    return hit;
}

static size_t line_begin(const char *s, size_t pos)
{
    while (pos > 0 && s[pos - 1] != '\n')
        pos--;
    return pos;
}

/* Removes member k of the object (members as found in text), keeping the
 * bytes around it as they are. */
static void remove_member(hf_buf *text, const hf_vec *members, size_t k, size_t open, size_t close)
{
    const json_member *m = members->items[k];
    size_t start, end;
    if (members->len == 1) {
        start = open + 1;
        end = close;
    } else if (k + 1 < members->len) {
        const json_member *next = members->items[k + 1];
        size_t ls = line_begin(text->ptr, m->key_start),
               nls = line_begin(text->ptr, next->key_start);
        int own_lines = ls != nls;
        for (size_t i = ls; own_lines && i < m->key_start; i++)
            own_lines = text->ptr[i] == ' ' || text->ptr[i] == '\t';
        for (size_t i = nls; own_lines && i < next->key_start; i++)
            own_lines = text->ptr[i] == ' ' || text->ptr[i] == '\t';
        start = own_lines ? ls : m->key_start;
        end = own_lines ? nls : next->key_start;
    } else {
        start = ((const json_member *)members->items[k - 1])->value_end;
        end = m->value_end;
    }
    hf_buf rest = HF_BUF_INIT;
    hf_buf_put(&rest, text->ptr + end, text->len - end);
    hf_buf_truncate(text, start);
    hf_buf_put(text, hf_buf_cstr(&rest), rest.len);
    hf_buf_free(&rest);
}

/* Drops from package.json every script whose command only runs a deleted
 * file; the names dropped go to dropped. The rest of the file keeps its
 * bytes, and cJSON confirms only that member went. */
static int drop_package_scripts(hf_op_run *r, const char *path, const hf_vec *deleted,
                                hf_vec *dropped, hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    cJSON *want = NULL, *got = NULL;
    char *dir = hf_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = -1;
    size_t ndropped = 0;
    *(slash ? slash : dir) = '\0';
    if (hf_overlay_read_text(r->ctx->overlay, path, &text, err) < 0)
        goto done;
    want = cJSON_ParseWithLength(hf_buf_cstr(&text), text.len);
    if (!want) {
        hf_error_set(err, "%s: not valid JSON", path);
        goto done;
    }
    for (;;) {
        hf_vec members = HF_VEC_INIT;
        size_t open = 0, close = 0, k;
        int found = package_scripts(hf_buf_cstr(&text), text.len, &members, &open, &close);
        if (found < 0) {
            hf_vec_free(&members, json_member_free);
            hf_error_set(err, "%s: cannot read the scripts object", path);
            goto done;
        }
        for (k = 0; found == 0 && k < members.len; k++) {
            json_member *m = members.items[k];
            if (m->value && runs_only_deleted(m->value, dir, deleted))
                break;
        }
        if (found != 0 || k == members.len) {
            hf_vec_free(&members, json_member_free);
            break;
        }
        json_member *m = members.items[k];
        hf_vec_push(dropped, hf_xstrdup(m->key));
        hf_op_note(r, "%s: dropped script '%s' (it only ran a deleted file)", path, m->key);
        cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(want, "scripts"),
                                                m->key);
        remove_member(&text, &members, k, open, close);
        ndropped++;
        hf_vec_free(&members, json_member_free);
    }
    if (ndropped) {
        got = cJSON_ParseWithLength(hf_buf_cstr(&text), text.len);
        if (!got || !cJSON_Compare(want, got, 1)) {
            hf_error_set(err,
                         "%s: dropping scripts would change more than them; file left "
                         "unchanged",
                         path);
            goto done;
        }
        if (hf_overlay_write(r->ctx->overlay, path, hf_buf_cstr(&text), text.len, 0, &r->prov,
                             err) < 0)
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(want);
    cJSON_Delete(got);
    hf_buf_free(&text);
    free(dir);
    return rc;
}

static int list_item(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;
    if (i < len && strchr("-*+", line[i]) && line[i])
        return i + 1 < len && line[i + 1] == ' ';
    size_t d = i;
    while (i < len && line[i] >= '0' && line[i] <= '9')
        i++;
    return i > d && i + 1 < len && (line[i] == '.' || line[i] == ')') && line[i + 1] == ' ';
}

/* Drops the Markdown list items of path that name a deleted file. */
static int drop_markdown_items(hf_op_run *r, const char *path, const hf_vec *refs, hf_error *err)
{
    hf_buf text = HF_BUF_INIT, out = HF_BUF_INIT;
    int rc = -1;
    size_t prev = 0, n = 0;
    if (hf_overlay_read_text(r->ctx->overlay, path, &text, err) < 0)
        goto done;
    for (size_t i = 0; i < refs->len; i++) {
        const hf_ref *ref = refs->items[i];
        if (strcmp(ref->path, path) != 0 || ref->start < prev ||
            !list_item(text.ptr + ref->start, ref->end - ref->start))
            continue;
        hf_buf_put(&out, text.ptr + prev, ref->start - prev);
        prev = ref->end;
        n++;
        hf_op_note(r, "%s:%d: dropped a list item naming %s", path, ref->line, ref->target);
    }
    if (n) {
        hf_buf_put(&out, text.ptr + prev, text.len - prev);
        if (hf_overlay_write(r->ctx->overlay, path, hf_buf_cstr(&out), out.len, 0, &r->prov, err) <
            0)
            goto done;
    }
    rc = 0;
done:
    hf_buf_free(&text);
    hf_buf_free(&out);
    return rc;
}

/* Lines that run a dropped package script by name (npm run x, yarn x, ...). */
static void find_script_runs(hf_op_run *r, const hf_vec *names, const hf_vec *skip, hf_vec *refs)
{
    static const char *const runners[] = {"npm run ",  "npm run-script ", "yarn run ", "yarn ",
                                          "pnpm run ", "pnpm ",           "bun run ",  NULL};
    hf_vec all = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT, needle = HF_BUF_INIT;
    hf_error ignore;
    hf_overlay_list(r->ctx->overlay, NULL, &all);
    for (size_t i = 0; i < all.len; i++) {
        const char *p = all.items[i];
        if (in_list(skip, p) || hf_path_under(p, "archive") ||
            hf_overlay_read_text(r->ctx->overlay, p, &text, &ignore) < 0)
            continue;
        int line = 1;
        for (size_t s = 0; s < text.len;) {
            const char *lf = memchr(text.ptr + s, '\n', text.len - s);
            size_t e = lf ? (size_t)(lf - text.ptr) : text.len;
            for (size_t k = 0; k < names->len; k++)
                for (const char *const *run = runners; *run; run++) {
                    hf_buf_clear(&needle);
                    hf_buf_printf(&needle, "%s%s", *run, (const char *)names->items[k]);
                    const char *hit = memmem(text.ptr + s, e - s, needle.ptr, needle.len);
                    size_t after = hit ? (size_t)(hit - text.ptr) + needle.len : 0;
                    if (hit &&
                        (after >= e || (!word_char(text.ptr[after]) && text.ptr[after] != ':'))) {
                        hf_ref *ref = hf_xcalloc(1, sizeof(*ref));
                        ref->path = hf_xstrdup(p);
                        ref->line = line;
                        ref->target = hf_xstrdup(names->items[k]);
                        ref->needle = hf_buf_detach(&needle);
                        ref->runs_script = 1;
                        hf_vec_push(refs, ref);
                        run = runners + 6; /* one report per name and line */
                    }
                }
            s = lf ? e + 1 : text.len;
            line++;
        }
    }
    hf_buf_free(&text);
    hf_buf_free(&needle);
    hf_vec_free(&all, free);
}

static int matches_any(const hf_vec *globs, const char *path)
{
    for (size_t i = 0; i < globs->len; i++)
        if (hf_glob_match(globs->items[i], path))
            return 1;
    return 0;
}

static int refused(const hf_vec *refs, const char *what, hf_error *err)
{
    hf_buf msg = HF_BUF_INIT;
    hf_buf_printf(&msg, "%s refused: %zu reference%s still name%s the files", what, refs->len,
                  refs->len == 1 ? "" : "s", refs->len == 1 ? "s" : "");
    for (size_t i = 0; i < refs->len; i++) {
        const hf_ref *ref = refs->items[i];
        if (ref->runs_script)
            hf_buf_printf(&msg, "\n  %s:%d: runs the dropped package script '%s' (%s)", ref->path,
                          ref->line, ref->target, ref->needle);
        else
            hf_buf_printf(&msg, "\n  %s:%d: names %s", ref->path, ref->line, ref->target);
        if (!ref->runs_script && strcmp(ref->needle, ref->target) != 0)
            hf_buf_printf(&msg, " (as '%s')", ref->needle);
    }
    hf_error_set(err, "%s", hf_buf_cstr(&msg));
    hf_buf_free(&msg);
    return -1;
}

int hf_op_delete(hf_op_run *r, hf_error *err)
{
    hf_vec targets = HF_VEC_INIT, refs = HF_VEC_INIT, dropped = HF_VEC_INIT, runs = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT;
    int rc = -1, workflow = r->step->op == HF_OP_DELETE_WORKFLOW;
    const hf_vec *globs = workflow ? &r->step->files : &r->step->paths;

    if (!workflow && !globs->len) {
        hf_error_set(err, "delete needs `paths`");
        goto done;
    }
    hf_op_select(r, globs, workflow ? WORKFLOWS : NULL, &targets);
    if (r->re) {
        /* only the files whose content matches the pattern */
        for (size_t i = targets.len; i-- > 0;) {
            size_t s, e;
            int m = hf_overlay_read_text(r->ctx->overlay, targets.items[i], &text, err) < 0
                        ? -1
                        : hf_regex_search(r->re, hf_buf_cstr(&text), text.len, 0, targets.items[i],
                                          &s, &e, err);
            if (m < 0)
                goto done;
            if (!m) {
                free(targets.items[i]);
                memmove(targets.items + i, targets.items + i + 1,
                        (targets.len - i - 1) * sizeof(void *));
                targets.len--;
            }
        }
    }
    r->rep->matched = targets.len;
    if (!targets.len) {
        rc = 0;
        goto done;
    }
    hf_op_find_refs(r, &targets, &targets, &refs);
    if (refs.len && r->step->references.len) {
        /* drop what the step allows, then look again */
        hf_vec done_files = HF_VEC_INIT;
        for (size_t i = 0; i < refs.len; i++) {
            const hf_ref *ref = refs.items[i];
            if (in_list(&done_files, ref->path) || !matches_any(&r->step->references, ref->path))
                continue;
            hf_vec_push(&done_files, hf_xstrdup(ref->path));
            const char *base = hf_path_basename(ref->path);
            const char *ext = strrchr(base, '.');
            int bad = 0;
            if (strcmp(base, "package.json") == 0)
                bad = drop_package_scripts(r, ref->path, &targets, &dropped, err) < 0;
            else if (ext && (strcmp(ext, ".md") == 0 || strcmp(ext, ".markdown") == 0))
                bad = drop_markdown_items(r, ref->path, &refs, err) < 0;
            if (bad) {
                hf_vec_free(&done_files, free);
                goto done;
            }
        }
        hf_vec_free(&done_files, free);
        hf_vec_free(&refs, hf_ref_free);
        hf_op_find_refs(r, &targets, &targets, &refs);
        if (dropped.len) {
            find_script_runs(r, &dropped, &targets, &runs);
            for (size_t i = 0; i < runs.len; i++)
                hf_vec_push(&refs, runs.items[i]);
            hf_vec_free(&runs, NULL);
        }
    }
    if (refs.len) {
        refused(&refs, workflow ? "delete-workflow" : "delete", err);
        goto done;
    }
    for (size_t i = 0; i < targets.len; i++)
        if (hf_overlay_delete(r->ctx->overlay, targets.items[i], &r->prov, err) < 0)
            goto done;
    rc = 0;
done:
    hf_buf_free(&text);
    hf_vec_free(&targets, free);
    hf_vec_free(&refs, hf_ref_free);
    hf_vec_free(&runs, hf_ref_free);
    hf_vec_free(&dropped, free);
    return rc;
}
