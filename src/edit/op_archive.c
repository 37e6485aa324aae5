/* archive: move files under archive/<set>/ (so workflows stop running and
 * runbooks stop looking current), mark each moved text file with a banner,
 * write the ARCHIVED.md marker with its manifest, and point Markdown links
 * at the new places. Re-running on an archived tree changes nothing. */
#include "edit/ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

typedef struct move {
    char *from, *to;
    char oid[GIT_OID_HEXSZ + 1];
} move;

static void move_free(void *p)
{
    move *m = p;
    free(m->from);
    free(m->to);
    free(m);
}

static const char *moved_to(const hf_vec *moves, const char *path)
{
    for (size_t i = 0; i < moves->len; i++)
        if (strcmp(((move *)moves->items[i])->from, path) == 0)
            return ((move *)moves->items[i])->to;
    return NULL;
}

/* ---- banners ---------------------------------------------------------- */

enum { NO_COMMENT, HASH, SLASHES, MARKDOWN };

static int comment_style(const char *path, const char *text)
{
    static const char *const hash[] = {
        ".py",   ".sh",  ".bash",       ".zsh", ".toml", ".yml", ".yaml",       ".cfg", ".ini",
        ".conf", ".env", ".properties", ".rb",  ".pl",   ".mk",  ".dockerfile", NULL};
    static const char *const slashes[] = {".js",  ".mjs", ".cjs", ".ts",   ".mts", ".cts", ".jsx",
                                          ".tsx", ".go",  ".rs",  ".java", ".c",   ".h",   NULL};
    const char *base = hf_path_basename(path);
    const char *ext = strrchr(base, '.');
    if (ext && ext != base) {
        if (strcmp(ext, ".md") == 0 || strcmp(ext, ".markdown") == 0)
            return MARKDOWN;
        for (const char *const *e = hash; *e; e++)
            if (strcmp(ext, *e) == 0)
                return HASH;
        for (const char *const *e = slashes; *e; e++)
            if (strcmp(ext, *e) == 0)
                return SLASHES;
    }
    /* dotfiles like .env.example, and tools that read `#` comments */
    if (strncmp(base, ".env", 4) == 0 || strcmp(base, "Makefile") == 0 ||
        strncmp(base, "Dockerfile", 10) == 0 || strcmp(base, ".gitignore") == 0 ||
        strcmp(base, ".dockerignore") == 0)
        return HASH;
    if (!ext && strncmp(text, "#!", 2) == 0)
        return HASH;
    return NO_COMMENT;
}

/* Collapses whitespace, so a reason with line breaks stays one comment
 * line. */
static void put_oneline(hf_buf *out, const char *s)
{
    int space = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = 1;
            continue;
        }
        if (space && out->len)
            hf_buf_putc(out, ' ');
        space = 0;
        hf_buf_putc(out, *s);
    }
}

/* Relative path from directory from_dir ("" = root) to path. */
static void relative(hf_buf *out, const char *from_dir, const char *path)
{
    const char *a = from_dir, *b = path;
    while (*a) {
        const char *ae = strchr(a, '/'), *be = strchr(b, '/');
        size_t an = ae ? (size_t)(ae - a) : strlen(a);
        if (!be || (size_t)(be - b) != an || memcmp(a, b, an) != 0)
            break;
        a += an + (ae ? 1 : 0);
        b = be + 1;
    }
    hf_buf_clear(out);
    while (*a) {
        const char *ae = strchr(a, '/');
        hf_buf_puts(out, "../");
        a = ae ? ae + 1 : a + strlen(a);
    }
    hf_buf_puts(out, b);
}

static void dir_of(hf_buf *out, const char *path)
{
    const char *slash = strrchr(path, '/');
    hf_buf_clear(out);
    if (slash)
        hf_buf_put(out, path, (size_t)(slash - path));
}

/* The variables every archive template sees: the step's (repo, today,
 * capability and exception, empty when not the link, ...) plus the set. */
static void archive_vars(const hf_op_run *r, const char *prefix, hf_vars *vars)
{
    hf_buf why = HF_BUF_INIT;
    hf_vars_copy(vars, &r->vars);
    hf_vars_set(vars, "capability", r->step->capability ? r->step->capability : "");
    hf_vars_set(vars, "exception", r->step->exception ? r->step->exception : "");
    hf_vars_set(vars, "set", r->step->set);
    hf_vars_set(vars, "archive", prefix);
    hf_vars_set(vars, "reason", r->step->reason ? r->step->reason : "");
    hf_vars_set(vars, "link", r->step->link ? r->step->link : "");
    hf_buf_printf(&why, "%s `%s`", r->step->capability ? "capability" : "exception",
                  r->step->capability ? r->step->capability : r->step->exception);
    hf_vars_set(vars, "justification", hf_buf_cstr(&why));
    hf_buf_free(&why);
}

/* The built-in banner, for a templates directory without banner-*.tmpl. */
static void default_banner(hf_buf *out, int style, const hf_op_run *r, const move *m,
                           const char *marker, const char *rel, const char *today)
{
    hf_buf reason = HF_BUF_INIT;
    const char *link_kind = r->step->capability ? "capability" : "exception";
    const char *link = r->step->capability ? r->step->capability : r->step->exception;
    put_oneline(&reason, r->step->reason ? r->step->reason : "");
    if (style == MARKDOWN) {
        hf_buf_printf(out, "> **Archived** on %s by handoff (%s `%s`): %s\n", today, link_kind,
                      link, hf_buf_cstr(&reason));
        hf_buf_printf(out,
                      "> Moved here from `%s`; kept for history, not current authority. "
                      "See [ARCHIVED.md](%s).\n\n",
                      m->from, rel);
    } else {
        const char *c = style == HASH ? "#" : "//";
        hf_buf_printf(out, "%s ARCHIVED on %s by handoff (%s %s): %s\n", c, today, link_kind, link,
                      hf_buf_cstr(&reason));
        hf_buf_printf(out, "%s Moved here from %s; kept for history, not current authority.\n", c,
                      m->from);
        hf_buf_printf(out, "%s See %s.\n", c, marker);
    }
    hf_buf_free(&reason);
}

/* Renders the banner for a moved file: banner-{hash,slash,markdown}.tmpl
 * from the templates directory (variables as for the marker, plus `path`,
 * the original path, and `marker`, the marker relative to the file), in
 * the file's own line ending. */
static int banner(hf_buf *out, int style, const char *nl, const hf_op_run *r, const move *m,
                  const char *marker, const char *prefix, const char *today, hf_error *err)
{
    static const char *const names[] = {NULL, "banner-hash.tmpl", "banner-slash.tmpl",
                                        "banner-markdown.tmpl"};
    hf_buf path = HF_BUF_INIT, tpl = HF_BUF_INIT, text = HF_BUF_INIT, dir = HF_BUF_INIT,
           rel = HF_BUF_INIT;
    hf_vars vars = HF_VARS_INIT;
    hf_error ignore;
    int rc = -1;
    if (r->ctx->templates_dir) {
        hf_fs_join(&path, r->ctx->templates_dir, names[style]);
        if (hf_fs_read(&tpl, hf_buf_cstr(&path), 64u << 10, 1, &ignore) < 0)
            hf_buf_clear(&tpl);
    }
    dir_of(&dir, m->to);
    relative(&rel, hf_buf_cstr(&dir), marker);
    if (!tpl.len) {
        default_banner(&text, style, r, m, marker, hf_buf_cstr(&rel), today);
    } else {
        archive_vars(r, prefix, &vars);
        hf_vars_set(&vars, "path", m->from);
        hf_vars_set(&vars, "marker", hf_buf_cstr(&rel));
        hf_mark origin = {hf_buf_cstr(&path), 1, 1};
        if (hf_template_render(hf_buf_cstr(&tpl), tpl.len, &vars, origin, &text, err) < 0)
            goto done;
    }
    if (text.len && text.ptr[text.len - 1] != '\n')
        hf_buf_putc(&text, '\n');
    for (size_t i = 0; i < text.len; i++) {
        if (text.ptr[i] == '\n' && !(i > 0 && text.ptr[i - 1] == '\r'))
            hf_buf_puts(out, nl);
        else if (text.ptr[i] != '\r')
            hf_buf_putc(out, text.ptr[i]);
    }
    rc = 0;
done:
    hf_buf_free(&path);
    hf_buf_free(&tpl);
    hf_buf_free(&text);
    hf_buf_free(&dir);
    hf_buf_free(&rel);
    hf_vars_free(&vars);
    return rc;
}

/* Where a banner may go: after a shebang and a coding line, which must stay
 * first for the interpreter. */
static size_t banner_offset(const char *text, size_t len)
{
    size_t at = 0;
    for (int line = 0; line < 2 && at < len; line++) {
        const char *lf = memchr(text + at, '\n', len - at);
        size_t end = lf ? (size_t)(lf - text) + 1 : len;
        int shebang = line == 0 && strncmp(text + at, "#!", 2) == 0;
        int coding = text[at] == '#' && (memmem(text + at, end - at, "coding:", 7) ||
                                         memmem(text + at, end - at, "coding=", 7));
        if (!shebang && !coding)
            break;
        at = end;
    }
    return at;
}

static int add_banner(hf_op_run *r, const move *m, const char *marker, const char *prefix,
                      const char *today, hf_error *err)
{
    hf_buf text = HF_BUF_INIT, out = HF_BUF_INIT, ban = HF_BUF_INIT;
    hf_error ignore;
    int rc = 0;
    unsigned mode = hf_overlay_mode(r->ctx->overlay, m->to);
    if ((mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) ||
        hf_overlay_read_text(r->ctx->overlay, m->to, &text, &ignore) < 0)
        goto done; /* links, binaries, huge files: listed in the manifest only */
    int style = comment_style(m->to, hf_buf_cstr(&text));
    if (style == NO_COMMENT)
        goto done;
    const char *lf = memchr(hf_buf_cstr(&text), '\n', text.len);
    const char *nl = lf && lf > text.ptr && lf[-1] == '\r' ? "\r\n" : "\n";
    size_t at = banner_offset(hf_buf_cstr(&text), text.len);
    if (banner(&ban, style, nl, r, m, marker, prefix, today, err) < 0) {
        rc = -1;
        goto done;
    }
    hf_buf_put(&out, hf_buf_cstr(&text), at);
    if (at && text.ptr[at - 1] != '\n')
        hf_buf_puts(&out, nl); /* a shebang with no line break after it */
    hf_buf_put(&out, ban.ptr, ban.len);
    hf_buf_put(&out, text.ptr + at, text.len - at);
    rc = hf_overlay_write(r->ctx->overlay, m->to, out.ptr, out.len, 0, &r->prov, err);
done:
    hf_buf_free(&text);
    hf_buf_free(&out);
    hf_buf_free(&ban);
    return rc;
}

/* ---- the marker ---------------------------------------------------------- */

static void put_cell(hf_buf *out, const char *s)
{
    hf_buf_puts(out, " `");
    for (; *s; s++) {
        if (*s == '|')
            hf_buf_putc(out, '\\');
        hf_buf_putc(out, *s == '`' ? '\'' : *s);
    }
    hf_buf_puts(out, "` |");
}

/* Manifest rows already in a marker ("| `from` | `to` | `blob` |"), so a
 * later run adds to the manifest instead of forgetting earlier moves. */
static void read_rows(const char *text, const hf_vec *moves, hf_vec *rows)
{
    for (const char *line = text; line && *line;) {
        const char *lf = strchr(line, '\n');
        size_t n = lf ? (size_t)(lf - line) : strlen(line);
        if (n > 3 && strncmp(line, "| `", 3) == 0) {
            const char *e = memchr(line + 3, '`', n - 3);
            char *from = e ? hf_xstrndup(line + 3, (size_t)(e - line - 3)) : NULL;
            if (from && !moved_to(moves, from)) {
                char *row = hf_xstrndup(line, n);
                if (n && row[n - 1] == '\r')
                    row[n - 1] = '\0';
                hf_vec_push(rows, row);
            }
            free(from);
        }
        line = lf ? lf + 1 : NULL;
    }
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int write_marker(hf_op_run *r, const hf_vec *moves, const char *marker, const char *prefix,
                        hf_error *err)
{
    hf_buf path = HF_BUF_INIT, tpl = HF_BUF_INIT, old = HF_BUF_INIT, table = HF_BUF_INIT,
           out = HF_BUF_INIT;
    hf_vec rows = HF_VEC_INIT;
    hf_vars vars = HF_VARS_INIT;
    hf_error ignore;
    int rc = -1;
    const char *name = r->step->template_path ? r->step->template_path : "ARCHIVED.md.tmpl";
    if (!r->ctx->templates_dir) {
        hf_error_set(err, "no archive-templates directory was given");
        goto done;
    }
    hf_fs_join(&path, r->ctx->templates_dir, name);
    if (hf_fs_read(&tpl, hf_buf_cstr(&path), 1u << 20, 1, err) < 0)
        goto done;
    if (hf_overlay_mode(r->ctx->overlay, marker) &&
        hf_overlay_read_text(r->ctx->overlay, marker, &old, &ignore) == 0)
        read_rows(hf_buf_cstr(&old), moves, &rows);
    for (size_t i = 0; i < moves->len; i++) {
        const move *m = moves->items[i];
        hf_buf row = HF_BUF_INIT;
        hf_buf_putc(&row, '|');
        put_cell(&row, m->from);
        put_cell(&row, m->to);
        put_cell(&row, m->oid);
        hf_vec_push(&rows, hf_buf_detach(&row));
    }
    hf_vec_sort(&rows, str_cmp);
    /* the header row is the template's: the manifest is the body rows */
    for (size_t i = 0; i < rows.len; i++)
        hf_buf_printf(&table, "%s%s", i ? "\n" : "", (const char *)rows.items[i]);

    archive_vars(r, prefix, &vars);
    hf_vars_set(&vars, "manifest", hf_buf_cstr(&table));
    char count[32];
    snprintf(count, sizeof(count), "%zu", rows.len);
    hf_vars_set(&vars, "count", count);
    hf_mark origin = {hf_buf_cstr(&path), 1, 1};
    if (hf_template_render(hf_buf_cstr(&tpl), tpl.len, &vars, origin, &out, err) < 0)
        goto done;
    rc = hf_overlay_write(r->ctx->overlay, marker, hf_buf_cstr(&out), out.len, GIT_FILEMODE_BLOB,
                          &r->prov, err);
done:
    hf_buf_free(&path);
    hf_buf_free(&tpl);
    hf_buf_free(&old);
    hf_buf_free(&table);
    hf_buf_free(&out);
    hf_vec_free(&rows, free);
    hf_vars_free(&vars);
    return rc;
}

/* ---- Markdown links ---------------------------------------------------- */

/* Resolves rel against dir, allowing `..` inside the repository only. */
static int resolve(hf_buf *out, const char *dir, const char *rel)
{
    hf_vec parts = HF_VEC_INIT;
    hf_buf joined = HF_BUF_INIT;
    int rc = 0;
    if (rel[0] == '/')
        hf_buf_puts(&joined, rel + 1);
    else {
        hf_buf_puts(&joined, dir);
        hf_buf_putc(&joined, '/');
        hf_buf_puts(&joined, rel);
    }
    char *save = NULL, *s = joined.ptr;
    for (char *t = strtok_r(s, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0) {
            if (!hf_vec_pop(&parts))
                rc = -1;
            continue;
        }
        hf_vec_push(&parts, t);
    }
    hf_buf_clear(out);
    for (size_t i = 0; i < parts.len; i++) {
        if (i)
            hf_buf_putc(out, '/');
        hf_buf_puts(out, parts.items[i]);
    }
    if (!out->len)
        rc = -1;
    hf_vec_free(&parts, NULL);
    hf_buf_free(&joined);
    return rc;
}

typedef struct link_ctx {
    hf_op_run *r;
    const hf_vec *moves;
    const char *old_dir; /* where the linking file was */
    const char *new_dir; /* where it is now */
    int self_moved;
} link_ctx;

/* The new text for a link destination, or 0 when it stays. */
static int new_dest(const link_ctx *lc, const char *dest, size_t n, hf_buf *out)
{
    hf_buf target = HF_BUF_INIT, path = HF_BUF_INIT, rel = HF_BUF_INIT;
    int changed = 0;
    size_t plen = strcspn(dest, "#?");
    if (plen > n)
        plen = n;
    size_t scheme = 0;
    while (scheme < plen && (dest[scheme] == '+' || dest[scheme] == '-' || dest[scheme] == '.' ||
                             (dest[scheme] >= 'a' && dest[scheme] <= 'z') ||
                             (dest[scheme] >= 'A' && dest[scheme] <= 'Z') ||
                             (scheme && dest[scheme] >= '0' && dest[scheme] <= '9')))
        scheme++;
    if (plen == 0 || (scheme < plen && dest[scheme] == ':') ||
        (plen > 1 && dest[0] == '/' && dest[1] == '/'))
        goto done;
    hf_buf_put(&target, dest, plen);
    int trailing = dest[plen - 1] == '/';
    if (resolve(&path, lc->old_dir, hf_buf_cstr(&target)) < 0)
        goto done;
    const char *to = moved_to(lc->moves, hf_buf_cstr(&path));
    if (!to) {
        if (!lc->self_moved)
            goto done;
        if (!hf_overlay_mode(lc->r->ctx->overlay, hf_buf_cstr(&path)) &&
            !hf_overlay_is_dir(lc->r->ctx->overlay, hf_buf_cstr(&path)))
            goto done; /* already broken: not ours to guess */
        to = hf_buf_cstr(&path);
    }
    if (dest[0] == '/') {
        hf_buf_printf(&rel, "/%s", to);
    } else {
        relative(&rel, lc->new_dir, to);
    }
    if (trailing)
        hf_buf_putc(&rel, '/');
    if (rel.len != plen || memcmp(rel.ptr, dest, plen) != 0) {
        hf_buf_put(out, rel.ptr, rel.len);
        hf_buf_put(out, dest + plen, n - plen);
        changed = 1;
    }
done:
    hf_buf_free(&target);
    hf_buf_free(&path);
    hf_buf_free(&rel);
    return changed;
}

/* The new text of a code span that is a path of a moved file, written from
 * the repository root (`docs/x.md`) or from the file's directory; 0 when it
 * is not one. */
static int code_path(const link_ctx *lc, const char *span, size_t n, hf_buf *out)
{
    for (size_t i = 0; i < n; i++)
        if (span[i] == ' ' || span[i] == '\t' || span[i] == '$' || span[i] == '*')
            return 0;
    if (!memchr(span, '/', n) && !memchr(span, '.', n))
        return 0;
    hf_buf raw = HF_BUF_INIT, path = HF_BUF_INIT;
    hf_error ignore;
    int changed = 0;
    hf_buf_put(&raw, span, n);
    const char *to = NULL;
    if (hf_path_normalize(&path, hf_buf_cstr(&raw), &ignore) == 0 &&
        (to = moved_to(lc->moves, hf_buf_cstr(&path))) != NULL) {
        hf_buf_puts(out, to);
        changed = 1;
    } else if (resolve(&path, lc->old_dir, hf_buf_cstr(&raw)) == 0 &&
               (to = moved_to(lc->moves, hf_buf_cstr(&path))) != NULL) {
        relative(out, lc->new_dir, to);
        changed = 1;
    }
    hf_buf_free(&raw);
    hf_buf_free(&path);
    return changed;
}

/* Rewrites inline links `](dest)`, reference definitions `[x]: dest`, code
 * spans that are just a moved path and `@path` includes, outside fenced
 * code; everything else is copied byte for byte. */
static int rewrite_links(const link_ctx *lc, const char *text, size_t len, hf_buf *out)
{
    int changed = 0, fence = 0;
    for (size_t s = 0; s < len;) {
        const char *lf = memchr(text + s, '\n', len - s);
        size_t e = lf ? (size_t)(lf - text) + 1 : len;
        const char *line = text + s;
        size_t n = e - s, ind = 0;
        while (ind < n && ind < 4 && line[ind] == ' ')
            ind++;
        if (ind < 4 && n - ind >= 3 &&
            (strncmp(line + ind, "```", 3) == 0 || strncmp(line + ind, "~~~", 3) == 0)) {
            fence = !fence;
            hf_buf_put(out, line, n);
            s = e;
            continue;
        }
        if (fence) {
            hf_buf_put(out, line, n);
            s = e;
            continue;
        }
        size_t copied = 0;
        for (size_t i = 0; i < n; i++) {
            /* code spans and @includes of the living tree only: an archived
             * file's own text (its banner's "was `path`") is history */
            if (line[i] == '@' && !lc->self_moved && (i == 0 || strchr(" \t([", line[i - 1]))) {
                /* `@docs/x.md`: a file an agent's instructions pull in */
                size_t end = i + 1;
                while (end < n && !strchr(" \t\r\n)]`,;", line[end]))
                    end++;
                while (end > i + 1 && strchr(".:", line[end - 1]))
                    end--; /* sentence punctuation */
                hf_buf dest = HF_BUF_INIT;
                if (end > i + 1 && code_path(lc, line + i + 1, end - i - 1, &dest)) {
                    hf_buf_put(out, line + copied, i + 1 - copied);
                    hf_buf_put(out, dest.ptr, dest.len);
                    copied = end;
                    changed = 1;
                }
                hf_buf_free(&dest);
                i = end - 1;
                continue;
            }
            if (line[i] == '`') {
                /* a code span that is just a path names the file too */
                size_t close = i + 1;
                while (close < n && line[close] != '`' && line[close] != '\n')
                    close++;
                if (close >= n || line[close] != '`') {
                    i = n;
                    continue;
                }
                hf_buf dest = HF_BUF_INIT;
                if (close > i + 1 && !lc->self_moved &&
                    code_path(lc, line + i + 1, close - i - 1, &dest)) {
                    hf_buf_put(out, line + copied, i + 1 - copied);
                    hf_buf_put(out, dest.ptr, dest.len);
                    copied = close;
                    changed = 1;
                }
                hf_buf_free(&dest);
                i = close;
                continue;
            }
            size_t ds = 0, de = 0;
            if (line[i] == ']' && i + 1 < n && line[i + 1] == '(') {
                ds = i + 2;
                if (ds < n && line[ds] == '<') {
                    ds++;
                    de = ds;
                    while (de < n && line[de] != '>' && line[de] != '\n')
                        de++;
                } else {
                    int depth = 0;
                    de = ds;
                    while (de < n && !strchr(" \t\r\n", line[de])) {
                        if (line[de] == '(')
                            depth++;
                        else if (line[de] == ')' && depth-- == 0)
                            break;
                        de++;
                    }
                }
            } else if (line[i] == ']' && i + 1 < n && line[i + 1] == ':' && ind < 4 &&
                       line[ind] == '[' && memchr(line + ind, ']', n - ind) == line + i) {
                ds = i + 2;
                while (ds < n && (line[ds] == ' ' || line[ds] == '\t'))
                    ds++;
                if (ds < n && line[ds] == '<')
                    ds++;
                de = ds;
                while (de < n && !strchr(" \t\r\n>", line[de]))
                    de++;
            }
            if (de <= ds)
                continue;
            hf_buf dest = HF_BUF_INIT;
            if (new_dest(lc, line + ds, de - ds, &dest)) {
                hf_buf_put(out, line + copied, ds - copied);
                hf_buf_put(out, dest.ptr, dest.len);
                copied = de;
                changed = 1;
            }
            hf_buf_free(&dest);
            i = de ? de - 1 : i;
        }
        hf_buf_put(out, line + copied, n - copied);
        s = e;
    }
    return changed;
}

static int fix_links(hf_op_run *r, const hf_vec *moves, hf_error *err)
{
    hf_vec all = HF_VEC_INIT;
    hf_buf text = HF_BUF_INIT, out = HF_BUF_INIT, old_dir = HF_BUF_INIT, new_dir = HF_BUF_INIT;
    hf_error ignore;
    int rc = -1;
    hf_overlay_list(r->ctx->overlay, NULL, &all);
    for (size_t i = 0; i < all.len; i++) {
        const char *p = all.items[i];
        const char *ext = strrchr(hf_path_basename(p), '.');
        if (!ext || (strcmp(ext, ".md") != 0 && strcmp(ext, ".markdown") != 0))
            continue;
        const char *from = NULL;
        for (size_t k = 0; k < moves->len && !from; k++)
            if (strcmp(((move *)moves->items[k])->to, p) == 0)
                from = ((move *)moves->items[k])->from;
        /* earlier archives are history: only this step's files and the
         * living tree are fixed */
        if (!from && hf_path_under(p, "archive"))
            continue;
        if (hf_overlay_read_text(r->ctx->overlay, p, &text, &ignore) < 0)
            continue;
        dir_of(&old_dir, from ? from : p);
        dir_of(&new_dir, p);
        link_ctx lc = {r, moves, hf_buf_cstr(&old_dir), hf_buf_cstr(&new_dir), from != NULL};
        hf_buf_clear(&out);
        if (rewrite_links(&lc, hf_buf_cstr(&text), text.len, &out) &&
            hf_overlay_write(r->ctx->overlay, p, hf_buf_cstr(&out), out.len, 0, &r->prov, err) < 0)
            goto done;
    }
    rc = 0;
done:
    hf_vec_free(&all, free);
    hf_buf_free(&text);
    hf_buf_free(&out);
    hf_buf_free(&old_dir);
    hf_buf_free(&new_dir);
    return rc;
}

/* Non-Markdown files that still name a moved file: worth a reviewer's eye. */
static void note_refs(hf_op_run *r, const hf_vec *moves)
{
    hf_vec froms = HF_VEC_INIT, tos = HF_VEC_INIT, refs = HF_VEC_INIT;
    for (size_t i = 0; i < moves->len; i++) {
        hf_vec_push(&froms, ((move *)moves->items[i])->from);
        hf_vec_push(&tos, ((move *)moves->items[i])->to);
    }
    hf_op_find_refs(r, &froms, &tos, &refs);
    for (size_t i = 0; i < refs.len; i++) {
        const hf_ref *ref = refs.items[i];
        hf_stale *st = hf_xcalloc(1, sizeof(*st));
        st->path = hf_xstrdup(ref->path);
        st->line = ref->line;
        st->target = hf_xstrdup(ref->target);
        st->needle = hf_xstrdup(ref->needle);
        const char *now = moved_to(moves, ref->target);
        st->now = hf_xstrdup(now ? now : "");
        hf_vec_push(&r->rep->stale, st);
    }
    hf_vec_free(&refs, hf_ref_free);
    hf_vec_free(&froms, NULL);
    hf_vec_free(&tos, NULL);
}

int hf_op_archive(hf_op_run *r, hf_error *err)
{
    hf_vec paths = HF_VEC_INIT, moves = HF_VEC_INIT, all = HF_VEC_INIT;
    hf_buf prefix = HF_BUF_INIT, marker = HF_BUF_INIT, raw = HF_BUF_INIT, to = HF_BUF_INIT;
    int rc = -1;
    const char *today = hf_vars_get(&r->vars, "today");

    if (!r->step->set || !r->step->paths.len || !r->step->reason) {
        hf_error_set(err, "archive needs `set`, `paths` and `reason`");
        goto done;
    }
    if (!today) {
        hf_error_set(err, "the variable 'today' is not set");
        goto done;
    }
    hf_buf_printf(&raw, "archive/%s", r->step->set);
    if (hf_path_normalize(&prefix, hf_buf_cstr(&raw), err) < 0 ||
        !hf_path_under(hf_buf_cstr(&prefix), "archive") || strcmp(prefix.ptr, "archive") == 0) {
        hf_error_set(err, "archive set '%s' is not a plain relative name", r->step->set);
        goto done;
    }
    hf_buf_printf(&marker, "%s/ARCHIVED.md", hf_buf_cstr(&prefix));
    hf_op_select(r, &r->step->paths, NULL, &all);
    for (size_t i = 0; i < all.len; i++)
        if (!hf_path_under(all.items[i], "archive"))
            hf_vec_push(&paths, hf_xstrdup(all.items[i]));
    hf_vec_free(&all, free);

    /* files this set already holds count as matched (and converged) */
    hf_overlay_list(r->ctx->overlay, NULL, &all);
    for (size_t i = 0; i < all.len; i++) {
        const char *p = all.items[i];
        if (!hf_path_under(p, hf_buf_cstr(&prefix)) || strcmp(p, hf_buf_cstr(&marker)) == 0)
            continue;
        const char *orig = p + prefix.len + 1;
        for (size_t g = 0; g < r->step->paths.len; g++)
            if (hf_glob_match(r->step->paths.items[g], orig)) {
                r->rep->matched++;
                r->rep->converged++;
                break;
            }
    }

    for (size_t i = 0; i < paths.len; i++) {
        move *m = hf_xcalloc(1, sizeof(*m));
        m->from = hf_xstrdup(paths.items[i]);
        hf_buf_clear(&to);
        hf_buf_printf(&to, "%s/%s", hf_buf_cstr(&prefix), m->from);
        m->to = hf_xstrdup(hf_buf_cstr(&to));
        hf_vec_push(&moves, m);
        if (hf_overlay_move(r->ctx->overlay, m->from, m->to, &r->prov, err) < 0)
            goto done;
    }
    r->rep->matched += moves.len;
    if (!moves.len) {
        rc = 0;
        goto done;
    }
    for (size_t i = 0; i < moves.len; i++)
        if (add_banner(r, moves.items[i], hf_buf_cstr(&marker), hf_buf_cstr(&prefix), today, err) <
            0)
            goto done;
    if (fix_links(r, &moves, err) < 0)
        goto done;
    /* The manifest records each file as it now sits under archive/ (banner
     * and rewritten links included): the contract check quarantines a file
     * only while its blob still matches, so an archived file edited later is
     * scanned again. */
    for (size_t i = 0; i < moves.len; i++) {
        move *m = moves.items[i];
        git_oid oid;
        if (hf_overlay_blob_id(r->ctx->overlay, m->to, &oid, err) < 0)
            goto done;
        git_oid_tostr(m->oid, sizeof(m->oid), &oid);
    }
    if (write_marker(r, &moves, hf_buf_cstr(&marker), hf_buf_cstr(&prefix), err) < 0)
        goto done;
    note_refs(r, &moves);
    rc = 0;
done:
    hf_vec_free(&paths, free);
    hf_vec_free(&all, free);
    hf_vec_free(&moves, move_free);
    hf_buf_free(&prefix);
    hf_buf_free(&marker);
    hf_buf_free(&raw);
    hf_buf_free(&to);
    return rc;
}
