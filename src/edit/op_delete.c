/* delete and delete-workflow: remove files only when nothing left behind
 * still names them. References are found by full path or distinctive
 * basename in every text file; where the step allows it, a referencing
 * package.json script or Markdown list item is dropped instead. */
#include "edit/ops_int.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "util/comments.h"
#include "edit/markdown.h"
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
        /* a local action is named by its directory (`uses: ./dir`) */
        if (!strcmp(base, "action.yml") || !strcmp(base, "action.yaml")) {
            hf_vec_push(&needles, hf_xstrndup(target, (size_t)(base - target - (base > target))));
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

/* Drops the Markdown blocks of path that name target (see md_block);
 * returns the number of references it could not drop. */
static int drop_markdown_items(hf_op_run *r, const char *path, const hf_vec *refs,
                               const char *target, size_t *kept, hf_error *err)
{
    hf_buf text = HF_BUF_INIT, out = HF_BUF_INIT;
    int rc = -1;
    size_t prev = 0, n = 0;
    *kept = 0;
    if (hf_overlay_read_text(r->ctx->overlay, path, &text, err) < 0)
        goto done;
    for (size_t i = 0; i < refs->len; i++) {
        const hf_ref *ref = refs->items[i];
        size_t bs, be;
        if (strcmp(ref->path, path) != 0 || strcmp(ref->target, target) != 0 || ref->runs_script)
            continue;
        if (ref->start < prev)
            continue; /* inside a block already dropped */
        if (!hf_md_block(text.ptr, text.len, ref->start, false, &bs, &be) || bs < prev) {
            (*kept)++;
            continue;
        }
        hf_buf_put(&out, text.ptr + prev, bs - prev);
        prev = be;
        n++;
        hf_op_note(r, "%s:%d: dropped the Markdown %s naming %s", path, ref->line,
                   hf_md_list_item(text.ptr + bs, be - bs) ? "list item" : "line", ref->target);
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

/* "names x at a:1, b:2" for the references to target. */
static void describe_refs(hf_buf *msg, const hf_vec *refs, const char *target)
{
    size_t shown = 0, n = 0;
    for (size_t i = 0; i < refs->len; i++) {
        const hf_ref *ref = refs->items[i];
        if (strcmp(ref->target, target) != 0)
            continue;
        n++;
        if (shown >= 5)
            continue;
        hf_buf_printf(msg, "%s%s:%d", shown ? ", " : "", ref->path, ref->line);
        if (ref->runs_script)
            hf_buf_printf(msg, " (runs '%s')", ref->needle);
        else if (strcmp(ref->needle, ref->target) != 0)
            hf_buf_printf(msg, " (as '%s')", ref->needle);
        shown++;
    }
    if (n > shown)
        hf_buf_printf(msg, " and %zu more", n - shown);
}

/* One file the step deletes, with its link. */
typedef struct target {
    char *path;
    const char *capability; /* by-route: the capability of the route it names */
    int left;
} target;

static void target_free(void *p)
{
    target *t = p;
    free(t->path);
    free(t);
}

static void set_paths(const hf_vec *set, hf_vec *paths)
{
    paths->len = 0;
    for (size_t i = 0; i < set->len; i++) {
        const target *t = set->items[i];
        if (!t->left)
            hf_vec_push(paths, t->path);
    }
}

static void link_of(hf_op_run *r, const target *t)
{
    if (r->step->by_route) {
        r->prov.capability = t->capability;
        r->prov.exception = NULL;
    }
}

/* Leaves every target that refs name (they stay, with the reason). */
static size_t leave_named(hf_op_run *r, hf_vec *set, const hf_vec *refs, const char *why)
{
    size_t n = 0;
    for (size_t i = 0; i < set->len; i++) {
        target *t = set->items[i];
        int named = 0;
        for (size_t k = 0; k < refs->len && !named; k++)
            named = !strcmp(((const hf_ref *)refs->items[k])->target, t->path);
        if (t->left || !named)
            continue;
        hf_buf msg = HF_BUF_INIT;
        describe_refs(&msg, refs, t->path);
        hf_op_leave(r, t->path, NULL, "%s: not deleted: %s %s", t->path, why, hf_buf_cstr(&msg));
        hf_op_unblock(r, false, "hand over or reword what still names it, then plan again");
        hf_buf_free(&msg);
        t->left = 1;
        n++;
    }
    return n;
}

int hf_op_delete(hf_op_run *r, hf_error *err)
{
    hf_vec found = HF_VEC_INIT, set = HF_VEC_INIT, paths = HF_VEC_INIT, refs = HF_VEC_INIT;
    hf_vec dropped = HF_VEC_INIT, runs = HF_VEC_INIT, hard = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT;
    int rc = -1, workflow = r->step->op == HF_OP_DELETE_WORKFLOW;
    const hf_vec *globs = workflow ? &r->step->files : &r->step->paths;

    if (!workflow && !globs->len) {
        hf_error_set(err, "delete needs `paths`");
        goto done;
    }
    hf_op_select(r, globs, workflow ? WORKFLOWS : NULL, &found);
    for (size_t i = 0; i < found.len; i++) {
        const char *path = found.items[i];
        const hf_capability *cap = NULL;
        if (hf_op_held(r, path, NULL))
            continue;
        if (r->step->where || r->step->by_route) {
            hf_error read_err;
            unsigned mode = hf_overlay_mode(r->ctx->overlay, path);
            if (mode == GIT_FILEMODE_LINK ||
                hf_overlay_read_text(r->ctx->overlay, path, &text, &read_err) < 0)
                continue; /* what cannot be read as text is not judged by its content */
        }
        if (r->step->where) {
            hf_subject_ref s = {HF_SUBJ_FILE,       NULL,    NULL, NULL, NULL, path,
                                hf_buf_cstr(&text), text.len};
            int m = hf_op_test(r, r->step->where, &s, NULL, path, err);
            if (m < 0)
                goto done;
            if (!m)
                continue;
        }
        if (r->step->by_route) {
            hf_buf stripped = HF_BUF_INIT;
            hf_strip_comments(hf_lang_of(path, text.ptr, text.len), hf_buf_cstr(&text), text.len,
                              &stripped);
            /* the route it names; else the capability the jobs that ran it
             * were handed to in this run */
            const char *via = hf_op_handed(r, path);
            hf_buf why = HF_BUF_INIT;
            cap = via && r->ctx->cfg && !hf_route_named(r, hf_buf_cstr(&stripped), stripped.len)
                      ? hf_config_capability(r->ctx->cfg, via)
                      : hf_route_capability(r, hf_buf_cstr(&stripped), stripped.len, path, &why);
            hf_buf_free(&stripped);
            if (!cap) {
                /* what names it is the better reason, when something does */
                hf_vec one = HF_VEC_INIT, refs1 = HF_VEC_INIT;
                hf_vec_push(&one, (void *)path);
                hf_op_find_refs(r, &one, &found, &refs1);
                r->rep->matched++;
                if (refs1.len) {
                    hf_buf msg = HF_BUF_INIT;
                    describe_refs(&msg, &refs1, path);
                    hf_op_leave(r, path, NULL, "%s: not deleted: still named by %s", path,
                                hf_buf_cstr(&msg));
                    hf_op_unblock(r, false,
                                  "hand over or reword what still names it, then "
                                  "plan again");
                    hf_buf_free(&msg);
                } else {
                    hf_op_leave(r, path, NULL, "%s: %s", path, hf_buf_cstr(&why));
                    hf_op_unblock(r, false,
                                  "delete it with a step linked to its capability or exception");
                }
                hf_vec_free(&one, NULL);
                hf_vec_free(&refs1, hf_ref_free);
                hf_buf_free(&why);
                continue;
            }
            hf_buf_free(&why);
        }
        target *t = hf_xcalloc(1, sizeof(*t));
        t->path = hf_xstrdup(path);
        t->capability = cap ? cap->id : NULL;
        hf_vec_push(&set, t);
    }
    r->rep->matched += set.len;

    /* Each round either deletes every target left, or leaves the ones
     * something outside the set still names and tries again without them. */
    for (size_t round = 0; round <= set.len; round++) {
        set_paths(&set, &paths);
        if (!paths.len)
            break;
        hf_overlay_begin(r->ctx->overlay);
        size_t notes = r->rep->notes.len; /* a round rolled back says nothing */
        hf_vec_free(&refs, hf_ref_free);
        hf_vec_free(&dropped, free);
        hf_vec_free(&hard, NULL);
        hf_op_find_refs(r, &paths, &paths, &refs);
        for (size_t i = 0; i < refs.len; i++) {
            const hf_ref *ref = refs.items[i];
            const char *base = hf_path_basename(ref->path);
            const char *ext = strrchr(base, '.');
            int droppable = matches_any(&r->step->references, ref->path) &&
                            (!strcmp(base, "package.json") ||
                             (ext && (!strcmp(ext, ".md") || !strcmp(ext, ".markdown"))));
            if (!droppable)
                hf_vec_push(&hard, (void *)ref);
        }
        if (hard.len) {
            leave_named(r, &set, &hard, "still named by");
            hf_overlay_rollback(r->ctx->overlay);
            while (r->rep->notes.len > notes)
                free(hf_vec_pop(&r->rep->notes));
            continue;
        }
        /* drop what the step allows, target by target so each change
         * carries the link of the file it follows */
        size_t kept = 0;
        int bad = 0;
        for (size_t t = 0; t < set.len && !bad; t++) {
            target *tg = set.items[t];
            if (tg->left)
                continue;
            hf_vec one = HF_VEC_INIT, done_files = HF_VEC_INIT;
            hf_vec_push(&one, tg->path);
            link_of(r, tg);
            for (size_t i = 0; i < refs.len && !bad; i++) {
                const hf_ref *ref = refs.items[i];
                if (strcmp(ref->target, tg->path) || in_list(&done_files, ref->path))
                    continue;
                hf_vec_push(&done_files, hf_xstrdup(ref->path));
                size_t k = 0;
                if (!strcmp(hf_path_basename(ref->path), "package.json"))
                    bad = drop_package_scripts(r, ref->path, &one, &dropped, err) < 0;
                else
                    bad = drop_markdown_items(r, ref->path, &refs, tg->path, &k, err) < 0;
                kept += k;
            }
            hf_vec_free(&one, NULL);
            hf_vec_free(&done_files, free);
        }
        if (bad) {
            hf_overlay_rollback(r->ctx->overlay);
            goto done;
        }
        hf_vec_free(&refs, hf_ref_free);
        hf_op_find_refs(r, &paths, &paths, &refs);
        if (dropped.len) {
            find_script_runs(r, &dropped, &paths, &runs);
            for (size_t i = 0; i < runs.len; i++)
                hf_vec_push(&refs, runs.items[i]);
            hf_vec_free(&runs, NULL);
        }
        if (refs.len) {
            /* still named (prose), or a dropped package script is still run */
            if (leave_named(r, &set, &refs, "still named by") == 0) {
                hf_buf msg = HF_BUF_INIT;
                for (size_t i = 0; i < refs.len; i++) {
                    const hf_ref *ref = refs.items[i];
                    hf_buf_printf(&msg, "%s%s:%d runs '%s'", i ? ", " : "", ref->path, ref->line,
                                  ref->needle);
                }
                for (size_t i = 0; i < set.len; i++) {
                    target *tg = set.items[i];
                    if (!tg->left) {
                        hf_op_leave(r, tg->path, NULL,
                                    "%s: not deleted: the package script that runs it is still "
                                    "run: %s",
                                    tg->path, hf_buf_cstr(&msg));
                        hf_op_unblock(r, false,
                                      "stop running the package script there, then "
                                      "plan again");
                    }
                    tg->left = 1;
                }
                hf_buf_free(&msg);
            }
            hf_overlay_rollback(r->ctx->overlay);
            while (r->rep->notes.len > notes)
                free(hf_vec_pop(&r->rep->notes));
            continue;
        }
        for (size_t t = 0; t < set.len && !bad; t++) {
            target *tg = set.items[t];
            if (tg->left)
                continue;
            link_of(r, tg);
            bad = hf_overlay_delete(r->ctx->overlay, tg->path, &r->prov, err) < 0;
        }
        if (bad) {
            hf_overlay_rollback(r->ctx->overlay);
            goto done;
        }
        hf_overlay_commit(r->ctx->overlay);
        break;
    }
    rc = 0;
done:
    hf_buf_free(&text);
    hf_vec_free(&found, free);
    hf_vec_free(&set, target_free);
    hf_vec_free(&paths, NULL);
    hf_vec_free(&refs, hf_ref_free);
    hf_vec_free(&runs, hf_ref_free);
    hf_vec_free(&hard, NULL);
    hf_vec_free(&dropped, free);
    return rc;
}
