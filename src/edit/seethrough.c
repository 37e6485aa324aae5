/* What a workflow step runs (see seethrough.h). A shell script is split
 * into simple commands (lines, `&&`, `||`, `;`, `|`) and words (quotes
 * honoured); each command is looked at for an interpreter and the file it
 * is given. This reads scripts, it does not run them: a path built at run
 * time (`node "$SCRIPT"`) is not followed. */
#include "edit/seethrough.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/path.h"

#define MAX_DEPTH 4
#define MAX_PIECES 24

typedef struct walk {
    hf_overlay *ov;
    hf_vec *out;
} walk;

void hf_executed_free(void *p)
{
    hf_executed *e = p;
    if (!e)
        return;
    free(e->path);
    free(e->via);
    hf_buf_free(&e->text);
    free(e);
}

static bool seen(const walk *w, const char *path)
{
    for (size_t i = 0; i < w->out->len; i++) {
        const hf_executed *e = w->out->items[i];
        if (!e->inline_code && strcmp(e->path, path) == 0)
            return true;
    }
    return false;
}

static hf_executed *add(walk *w, const char *path, bool inline_code, const char *via, hf_lang lang,
                        const char *text, size_t len)
{
    if (w->out->len >= MAX_PIECES)
        return NULL;
    hf_executed *e = hf_xcalloc(1, sizeof(*e));
    e->path = hf_xstrdup(path ? path : "");
    e->inline_code = inline_code;
    e->via = hf_xstrdup(via);
    e->lang = lang;
    hf_buf_put(&e->text, text, len);
    hf_vec_push(w->out, e);
    return e;
}

/* dir + rel, normalised and kept inside the repository; 0 on success. */
static int resolve(hf_buf *out, const char *dir, const char *rel)
{
    hf_buf joined = HF_BUF_INIT;
    hf_error err;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    if (!strncmp(rel, "$GITHUB_WORKSPACE/", 18))
        rel += 18, dir = "";
    else if (!strncmp(rel, "${GITHUB_WORKSPACE}/", 20))
        rel += 20, dir = "";
    else if (!strncmp(rel, "${{ github.workspace }}/", 24))
        rel += 24, dir = "";
    if (strchr(rel, '$') || strchr(rel, '`') || strchr(rel, '*') || !*rel)
        return -1; /* built at run time: not followed */
    if (dir && *dir)
        hf_buf_printf(&joined, "%s/%s", dir, rel);
    else
        hf_buf_puts(&joined, rel);
    int rc = hf_path_normalize(out, hf_buf_cstr(&joined), &err);
    hf_buf_free(&joined);
    return rc;
}

static void dir_of(hf_buf *out, const char *path)
{
    const char *slash = strrchr(path, '/');
    hf_buf_clear(out);
    if (slash)
        hf_buf_put(out, path, (size_t)(slash - path));
}

/* Reads path as text, following one link that stays in the repository. */
static int read_code(walk *w, const char *path, hf_buf *real, hf_buf *text)
{
    hf_error err;
    hf_buf_clear(real);
    hf_buf_puts(real, path);
    if (hf_overlay_mode(w->ov, path) == GIT_FILEMODE_LINK) {
        hf_buf target = HF_BUF_INIT, dir = HF_BUF_INIT;
        unsigned mode;
        int ok = hf_overlay_read(w->ov, path, &target, &mode, &err) == 0;
        dir_of(&dir, path);
        hf_buf_clear(real);
        if (ok)
            ok = resolve(real, hf_buf_cstr(&dir), hf_buf_cstr(&target)) == 0;
        hf_buf_free(&target);
        hf_buf_free(&dir);
        if (!ok)
            return -1;
    }
    hf_buf_clear(text);
    return hf_overlay_read_text(w->ov, hf_buf_cstr(real), text, &err);
}

static void run_shell(walk *w, const char *text, size_t len, const char *cwd, const char *holder,
                      int depth);
static void add_file(walk *w, const char *path, const char *via, int depth);

/* ---- package.json scripts ------------------------------------------------ */

static void npm_script(walk *w, const char *cwd, const char *name, int depth)
{
    hf_buf pkg = HF_BUF_INIT, real = HF_BUF_INIT, text = HF_BUF_INIT, via = HF_BUF_INIT;
    if (resolve(&pkg, cwd, "package.json") == 0 &&
        read_code(w, hf_buf_cstr(&pkg), &real, &text) == 0) {
        cJSON *root = cJSON_ParseWithLength(hf_buf_cstr(&text), text.len);
        const cJSON *scripts = cJSON_GetObjectItemCaseSensitive(root, "scripts");
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(scripts, name);
        if (cJSON_IsString(cmd) && cmd->valuestring) {
            hf_buf_printf(&via, "package.json script '%s'", name);
            add(w, hf_buf_cstr(&real), true, hf_buf_cstr(&via), HF_LANG_SHELL, cmd->valuestring,
                strlen(cmd->valuestring));
            run_shell(w, cmd->valuestring, strlen(cmd->valuestring), cwd, hf_buf_cstr(&real),
                      depth + 1);
        }
        cJSON_Delete(root);
    }
    hf_buf_free(&pkg);
    hf_buf_free(&real);
    hf_buf_free(&text);
    hf_buf_free(&via);
}

/* ---- make and just --------------------------------------------------------- */

/* The recipe of target (or just recipe) name in text: the lines indented
 * under the rule line that names it (make: a tab; just: any indent), each
 * without make's @ - + prefixes; its prerequisites into deps. Returns
 * whether the target was found. */
static bool rule_recipe(const char *text, const char *name, bool just, hf_buf *recipe, hf_vec *deps)
{
    size_t nl = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *colon = memchr(line, ':', len);
        bool found = false;
        if (line[0] != '\t' && line[0] != ' ' && line[0] != '#' && colon &&
            (colon + 1 >= line + len || colon[1] != '=')) {
            /* "a b name: deps" (make), "name arg='x': deps" (just) */
            for (const char *t = line; t < colon && !found;) {
                while (t < colon && (*t == ' ' || *t == '\t'))
                    t++;
                const char *te = t;
                while (te < colon && *te != ' ' && *te != '\t')
                    te++;
                found = (size_t)(te - t) == nl && !memcmp(t, name, nl);
                t = just ? colon : te; /* a just recipe's first word is its name */
            }
        }
        line = end ? end + 1 : NULL;
        if (!found)
            continue;
        hf_vec_free(deps, free);
        const char *d = colon + 1, *de = line ? line - 1 : colon + strlen(colon);
        while (d < de) {
            while (d < de && (*d == ' ' || *d == '\t' || *d == '\r'))
                d++;
            const char *w = d;
            while (d < de && *d != ' ' && *d != '\t' && *d != '\r')
                d++;
            if (d > w && !memchr(w, '$', (size_t)(d - w)) && !memchr(w, '%', (size_t)(d - w)) &&
                *w != '|')
                hf_vec_push(deps, hf_xstrndup(w, (size_t)(d - w)));
        }
        for (; line && (line[0] == '\t' || (just && line[0] == ' '));) {
            end = strchr(line, '\n');
            len = end ? (size_t)(end - line) : strlen(line);
            const char *c = line;
            while (c < line + len && (*c == '\t' || *c == ' '))
                c++;
            while (c < line + len && (*c == '@' || (!just && (*c == '-' || *c == '+'))))
                c++;
            hf_buf_put(recipe, c, (size_t)(line + len - c));
            hf_buf_putc(recipe, '\n');
            line = end ? end + 1 : NULL;
        }
        return true;
    }
    return false;
}

/* `make [-C DIR] [-f FILE] TARGET...` and `just [-f FILE] [-d DIR] RECIPE`:
 * the recipes they run, read from the repository's Makefile or justfile,
 * with the targets those need, as shell run in the file's directory. */
static void make_targets(walk *w, char **a, size_t n, const char *cwd, int depth)
{
    static const char *const makefiles[] = {"GNUmakefile", "makefile", "Makefile", NULL};
    static const char *const justfiles[] = {"justfile", "Justfile", ".justfile", NULL};
    bool just = !strcmp(a[0], "just");
    const char *dir_arg = NULL, *file_arg = NULL;
    hf_vec targets = HF_VEC_INIT;
    for (size_t j = 1; j < n; j++) {
        if (!strcmp(a[j], "-C") ||
            (just && (!strcmp(a[j], "-d") || !strcmp(a[j], "--working-directory")))) {
            dir_arg = j + 1 < n ? a[++j] : NULL;
        } else if (!strcmp(a[j], "-f") || !strcmp(a[j], "--file") || !strcmp(a[j], "--justfile") ||
                   !strcmp(a[j], "--makefile")) {
            file_arg = j + 1 < n ? a[++j] : NULL;
        } else if (a[j][0] != '-' && !strchr(a[j], '=')) {
            hf_vec_push(&targets, a[j]);
            if (just)
                break; /* the rest are the recipe's arguments */
        }
    }
    hf_buf dir = HF_BUF_INIT, path = HF_BUF_INIT, real = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_buf recipe = HF_BUF_INIT, via = HF_BUF_INIT, rdir = HF_BUF_INIT;
    if (dir_arg ? resolve(&dir, cwd, dir_arg) < 0 : (hf_buf_puts(&dir, cwd ? cwd : ""), 0))
        goto done;
    const char *const *names = just ? justfiles : makefiles;
    for (const char *const *f = file_arg ? NULL : names; !text.len && (file_arg || *f);) {
        hf_buf_clear(&path);
        if (resolve(&path, hf_buf_cstr(&dir), file_arg ? file_arg : *f) == 0 &&
            hf_overlay_mode(w->ov, hf_buf_cstr(&path)) &&
            read_code(w, hf_buf_cstr(&path), &real, &text) < 0)
            hf_buf_clear(&text);
        if (file_arg)
            break;
        f++;
    }
    if (!text.len)
        goto done;
    dir_of(&rdir, hf_buf_cstr(&real));
    /* the targets named, then (breadth first, a few) the ones they need */
    for (size_t t = 0; t < targets.len && t < 8; t++) {
        hf_vec deps = HF_VEC_INIT;
        hf_buf_clear(&recipe);
        if (rule_recipe(hf_buf_cstr(&text), targets.items[t], just, &recipe, &deps)) {
            hf_buf_clear(&via);
            hf_buf_printf(&via, "%s %s", just ? "just" : "make", (const char *)targets.items[t]);
            if (recipe.len) {
                add(w, hf_buf_cstr(&real), true, hf_buf_cstr(&via), HF_LANG_SHELL, recipe.ptr,
                    recipe.len);
                run_shell(w, recipe.ptr, recipe.len, hf_buf_cstr(&rdir), hf_buf_cstr(&real),
                          depth + 1);
            }
            for (size_t d = 0; d < deps.len; d++) {
                bool dup = false;
                for (size_t k = 0; k < targets.len && !dup; k++)
                    dup = !strcmp(targets.items[k], deps.items[d]);
                if (!dup) {
                    hf_vec_push(&targets, deps.items[d]);
                    deps.items[d] = NULL;
                }
            }
        }
        hf_vec_free(&deps, free);
    }
done:
    /* targets holds argv words (borrowed) and the needed targets (owned) */
    for (size_t t = 0; t < targets.len; t++) {
        bool borrowed = false;
        for (size_t j = 0; j < n && !borrowed; j++)
            borrowed = targets.items[t] == a[j];
        if (!borrowed)
            free(targets.items[t]);
    }
    hf_vec_free(&targets, NULL);
    hf_buf_free(&dir);
    hf_buf_free(&path);
    hf_buf_free(&real);
    hf_buf_free(&text);
    hf_buf_free(&recipe);
    hf_buf_free(&via);
    hf_buf_free(&rdir);
}

/* ---- shell commands ------------------------------------------------------ */

/* Splits one simple command into words (quotes removed, `\` escapes kept
 * literal). */
static void words_of(const char *s, size_t len, hf_vec *words)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i >= len)
            break;
        hf_buf w = HF_BUF_INIT;
        while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            if (s[i] == '\'' || s[i] == '"') {
                char q = s[i++];
                while (i < len && s[i] != q) {
                    if (q == '"' && s[i] == '\\' && i + 1 < len)
                        i++;
                    hf_buf_putc(&w, s[i++]);
                }
                i++;
            } else if (s[i] == '\\' && i + 1 < len) {
                hf_buf_putc(&w, s[i + 1]);
                i += 2;
            } else {
                hf_buf_putc(&w, s[i++]);
            }
        }
        hf_buf_putc(&w, '\0'); /* an empty quoted word stays a word */
        w.len--;
        hf_vec_push(words, hf_buf_detach(&w));
    }
}

static bool word_is(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

static bool is_assignment(const char *w)
{
    const char *eq = strchr(w, '=');
    if (!eq || eq == w)
        return false;
    for (const char *c = w; c < eq; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return false;
    return true;
}

static bool is_python(const char *w)
{
    const char *b = hf_path_basename(w);
    return !strcmp(b, "python") || !strncmp(b, "python3", 7) || !strcmp(b, "py") ||
           !strcmp(b, "python2");
}

/* Options of node-like interpreters that take a value. */
static bool option_takes_value(const char *w)
{
    static const char *const with_value[] = {
        "-r", "--require",    "--import",   "--loader", "--experimental-loader",
        "-C", "--conditions", "--env-file", NULL};
    return word_is(w, with_value);
}

static void command(walk *w, hf_vec *argv, const char *cwd, const char *holder, int depth)
{
    static const char *const prefixes[] = {"sudo", "env", "exec", "time", "nohup", "command", NULL};
    static const char *const node_like[] = {"node",    "nodejs", "bun", "tsx",
                                            "ts-node", "deno",   "zx",  NULL};
    static const char *const shells[] = {"bash", "sh", "zsh", "dash", "ksh", NULL};
    size_t i = 0;
    char **a = (char **)argv->items;
    size_t n = argv->len;
    for (;;) {
        while (i < n && (is_assignment(a[i]) || word_is(a[i], prefixes)))
            i++;
        if (i + 1 < n && (!strcmp(a[i], "npx") || !strcmp(a[i], "pnpx"))) {
            i++;
            while (i < n && a[i][0] == '-')
                i++;
            continue;
        }
        if (i + 1 < n &&
            (!strcmp(a[i], "uv") || !strcmp(a[i], "poetry") || !strcmp(a[i], "pipenv") ||
             !strcmp(a[i], "pdm")) &&
            !strcmp(a[i + 1], "run")) {
            i += 2;
            while (i < n && a[i][0] == '-')
                i++;
            continue;
        }
        if (i + 1 < n && (!strcmp(a[i], "pnpm") || !strcmp(a[i], "yarn")) &&
            !strcmp(a[i + 1], "exec")) {
            i += 2;
            continue;
        }
        break;
    }
    if (i >= n)
        return;
    const char *cmd = a[i];
    hf_buf path = HF_BUF_INIT, via = HF_BUF_INIT;

    if (!strcmp(cmd, "npm") || !strcmp(cmd, "yarn") || !strcmp(cmd, "pnpm") ||
        !strcmp(cmd, "bun")) {
        size_t j = i + 1;
        while (j < n && a[j][0] == '-')
            j++;
        const char *script = NULL;
        if (j < n && (!strcmp(a[j], "run") || !strcmp(a[j], "run-script"))) {
            j++;
            while (j < n && a[j][0] == '-')
                j++;
            script = j < n ? a[j] : NULL;
        } else if (j < n &&
                   (!strcmp(a[j], "test") || !strcmp(a[j], "start") || !strcmp(a[j], "t"))) {
            script = !strcmp(a[j], "t") ? "test" : a[j];
        } else if (j < n && strcmp(cmd, "npm") && strcmp(a[j], "install") && strcmp(a[j], "add") &&
                   strcmp(a[j], "ci")) {
            script = a[j]; /* yarn X, pnpm X, bun X run scripts by name */
        }
        if (script && !(strcmp(cmd, "bun") == 0 && strchr(script, '.')))
            npm_script(w, cwd, script, depth);
        else if (script)
            goto file_arg; /* bun file.ts */
        goto done;
    }
    if (!strcmp(cmd, "make") || !strcmp(cmd, "gmake") || !strcmp(cmd, "just")) {
        make_targets(w, a + i, n - i, cwd, depth);
        goto done;
    }
    if (word_is(cmd, node_like) || is_python(cmd) || word_is(cmd, shells)) {
    file_arg:;
        bool python = is_python(cmd), shell = word_is(cmd, shells);
        size_t j = i + 1;
        if (!strcmp(cmd, "deno") && j < n && !strcmp(a[j], "run"))
            j++;
        while (j < n && a[j][0] == '-') {
            if (python && !strcmp(a[j], "-m") && j + 1 < n) {
                hf_buf mod = HF_BUF_INIT;
                for (const char *c = a[j + 1]; *c; c++)
                    hf_buf_putc(&mod, *c == '.' ? '/' : *c);
                hf_buf_puts(&mod, ".py");
                hf_buf_printf(&via, "%s -m %s", cmd, a[j + 1]);
                if (resolve(&path, cwd, hf_buf_cstr(&mod)) == 0 &&
                    hf_overlay_mode(w->ov, hf_buf_cstr(&path)))
                    add_file(w, hf_buf_cstr(&path), hf_buf_cstr(&via), depth);
                else {
                    hf_buf_truncate(&mod, mod.len - 3);
                    hf_buf_puts(&mod, "/__main__.py");
                    if (resolve(&path, cwd, hf_buf_cstr(&mod)) == 0)
                        add_file(w, hf_buf_cstr(&path), hf_buf_cstr(&via), depth);
                }
                hf_buf_free(&mod);
                goto done;
            }
            if ((python || shell || !strcmp(cmd, "node")) &&
                (!strcmp(a[j], "-c") || !strcmp(a[j], "-e") || !strcmp(a[j], "--eval")) &&
                j + 1 < n) {
                hf_lang lang = python ? HF_LANG_PYTHON : shell ? HF_LANG_SHELL : HF_LANG_JS;
                hf_buf_printf(&via, "%s %s", cmd, a[j]);
                add(w, holder, true, hf_buf_cstr(&via), lang, a[j + 1], strlen(a[j + 1]));
                if (shell)
                    run_shell(w, a[j + 1], strlen(a[j + 1]), cwd, holder, depth + 1);
                goto done;
            }
            j += option_takes_value(a[j]) && j + 1 < n ? 2 : 1;
        }
        if (j < n && resolve(&path, cwd, a[j]) == 0) {
            hf_buf_printf(&via, "%s %s", cmd, a[j]);
            add_file(w, hf_buf_cstr(&path), hf_buf_cstr(&via), depth);
        }
        goto done;
    }
    if (strchr(cmd, '/') && resolve(&path, cwd, cmd) == 0) {
        hf_buf_printf(&via, "%s", cmd);
        add_file(w, hf_buf_cstr(&path), hf_buf_cstr(&via), depth);
    }
done:
    hf_buf_free(&path);
    hf_buf_free(&via);
}

static void run_command(walk *w, const char *s, size_t len, const char *cwd, const char *holder,
                        int depth)
{
    hf_vec argv = HF_VEC_INIT;
    words_of(s, len, &argv);
    if (argv.len)
        command(w, &argv, cwd, holder, depth);
    hf_vec_free(&argv, free);
}

static void run_shell(walk *w, const char *text, size_t len, const char *cwd, const char *holder,
                      int depth)
{
    if (depth > MAX_DEPTH)
        return;
    size_t start = 0;
    char quote = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? text[i] : '\n';
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"')
                i++;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (c == '\\' && i + 1 < len && text[i + 1] == '\n') {
            i++; /* a continued line */
            continue;
        }
        if (c == '#' && (i == start || text[i - 1] == ' ' || text[i - 1] == '\t')) {
            run_command(w, text + start, i - start, cwd, holder, depth);
            while (i < len && text[i] != '\n')
                i++;
            start = i + 1;
            continue;
        }
        int sep = c == '\n' || c == ';' || c == '|' || c == '&' || c == '(' || c == ')' || c == '`';
        if (c == '$' && i + 1 < len && text[i + 1] == '(')
            sep = 1, i++;
        if (sep) {
            run_command(w, text + start, i - start, cwd, holder, depth);
            start = i + 1;
        }
    }
}

/* ---- files and their imports --------------------------------------------- */

/* The first of dir/rel+tail (for each tail) that is a file of the
 * repository is walked as imported by e. */
static void add_import(walk *w, const hf_executed *e, const char *dir, const char *rel,
                       const char *const *tails, int depth)
{
    hf_buf cand = HF_BUF_INIT, path = HF_BUF_INIT;
    for (const char *const *t = tails; *t; t++) {
        hf_buf_clear(&cand);
        hf_buf_printf(&cand, "%s%s", rel, *t);
        if (resolve(&path, dir, hf_buf_cstr(&cand)) == 0 &&
            hf_overlay_mode(w->ov, hf_buf_cstr(&path)) != 0) {
            hf_buf_clear(&cand);
            hf_buf_printf(&cand, "imported by %s", e->path);
            add_file(w, hf_buf_cstr(&path), hf_buf_cstr(&cand), depth + 1);
            break;
        }
    }
    hf_buf_free(&cand);
    hf_buf_free(&path);
}

static void js_imports(walk *w, const hf_executed *e, int depth)
{
    static const char *const keys[] = {"from ", "from\t", "require(", "import(", "import ", NULL};
    static const char *const exts[] = {"",     ".mjs",      ".js",        ".cjs", ".ts",
                                       ".mts", "/index.js", "/index.mjs", NULL};
    const char *t = hf_buf_cstr(&e->text);
    hf_buf dir = HF_BUF_INIT, rel = HF_BUF_INIT;
    dir_of(&dir, e->inline_code ? "" : e->path);
    for (const char *const *k = keys; *k; k++) {
        size_t kl = strlen(*k);
        for (const char *p = strstr(t, *k); p; p = strstr(p + kl, *k)) {
            const char *q = p + kl;
            while (*q == ' ' || *q == '\t')
                q++;
            if ((*q != '\'' && *q != '"' && *q != '`') || q[1] != '.')
                continue;
            const char *end = strchr(q + 1, *q);
            if (!end || end - q > 300)
                continue;
            hf_buf_clear(&rel);
            hf_buf_put(&rel, q + 1, (size_t)(end - q - 1));
            add_import(w, e, hf_buf_cstr(&dir), hf_buf_cstr(&rel), exts, depth);
        }
    }
    hf_buf_free(&dir);
    hf_buf_free(&rel);
}

/* Python: `from .x import y`, `from . import x`, `from pkg.mod import y`,
 * `import pkg.mod` of modules in the repository (relative ones from the
 * file's package, absolute ones from the root). */
static void py_imports(walk *w, const hf_executed *e, int depth)
{
    const char *t = hf_buf_cstr(&e->text);
    hf_buf dir = HF_BUF_INIT, mod = HF_BUF_INIT;
    dir_of(&dir, e->path);
    for (const char *line = t; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        while (*line == ' ' || *line == '\t')
            line++;
        int from = !strncmp(line, "from ", 5), imp = !strncmp(line, "import ", 7);
        if (!from && !imp)
            continue;
        const char *p = line + (from ? 5 : 7);
        while (*p == ' ')
            p++;
        size_t dots = 0;
        while (p[dots] == '.')
            dots++;
        const char *name = p + dots;
        size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
        hf_buf_clear(&mod);
        if (dots) {
            hf_buf_puts(&mod, hf_buf_cstr(&dir));
            for (size_t d = 1; d < dots; d++) {
                char *slash = strrchr(mod.ptr ? mod.ptr : "", '/');
                hf_buf_truncate(&mod, slash ? (size_t)(slash - mod.ptr) : 0);
            }
        }
        /* `from . import client`: the imported names are modules */
        const char *names = NULL;
        if (from && (names = strstr(name + n, " import ")) != NULL && n == 0)
            names += 8;
        for (int round = 0; round < 2; round++) {
            const char *m = round == 0 ? name : names;
            size_t mn =
                round == 0
                    ? n
                    : (m ? strspn(m,
                                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
                         : 0);
            if (!m || !mn)
                continue;
            hf_buf rel = HF_BUF_INIT;
            if (mod.len)
                hf_buf_printf(&rel, "%s/", hf_buf_cstr(&mod));
            for (size_t k = 0; k < mn; k++)
                hf_buf_putc(&rel, m[k] == '.' ? '/' : m[k]);
            static const char *const tails[] = {".py", "/__init__.py", NULL};
            add_import(w, e, "", hf_buf_cstr(&rel), tails, depth);
            hf_buf_free(&rel);
            if (round == 0 && names == NULL)
                break;
        }
    }
    hf_buf_free(&dir);
    hf_buf_free(&mod);
}

static void add_file(walk *w, const char *path, const char *via, int depth)
{
    if (depth > MAX_DEPTH || seen(w, path))
        return;
    hf_buf real = HF_BUF_INIT, text = HF_BUF_INIT;
    if (read_code(w, path, &real, &text) == 0 && !seen(w, hf_buf_cstr(&real))) {
        hf_lang lang = hf_lang_of(hf_buf_cstr(&real), hf_buf_cstr(&text), text.len);
        hf_executed *e = add(w, hf_buf_cstr(&real), false, via, lang, hf_buf_cstr(&text), text.len);
        if (e && lang == HF_LANG_JS)
            js_imports(w, e, depth);
        else if (e && lang == HF_LANG_PYTHON)
            py_imports(w, e, depth);
        else if (e && lang == HF_LANG_SHELL) {
            hf_buf dir = HF_BUF_INIT;
            dir_of(&dir, hf_buf_cstr(&real));
            /* a script runs from the caller's directory, but scripts that
             * call siblings name them relative to their own */
            run_shell(w, hf_buf_cstr(&text), text.len, hf_buf_cstr(&dir), hf_buf_cstr(&real),
                      depth + 1);
            hf_buf_free(&dir);
        }
    }
    hf_buf_free(&real);
    hf_buf_free(&text);
}

/* ---- steps and local actions --------------------------------------------- */

static void step_code(walk *w, const char *holder, const hf_ynode *job, const hf_ynode *step,
                      int depth);

static void local_action(walk *w, const char *uses, int depth)
{
    static const char *const names[] = {"action.yml", "action.yaml", NULL};
    hf_buf dir = HF_BUF_INIT, path = HF_BUF_INIT, real = HF_BUF_INIT, text = HF_BUF_INIT;
    hf_error err;
    if (resolve(&dir, "", uses) < 0)
        goto done;
    for (const char *const *n = names; *n; n++) {
        hf_buf_clear(&path);
        hf_buf_printf(&path, "%s/%s", hf_buf_cstr(&dir), *n);
        if (hf_overlay_mode(w->ov, hf_buf_cstr(&path)) && !seen(w, hf_buf_cstr(&path)) &&
            read_code(w, hf_buf_cstr(&path), &real, &text) == 0)
            break;
        hf_buf_clear(&text);
    }
    if (!text.len)
        goto done;
    hf_ydoc doc = HF_YDOC_INIT;
    if (hf_ydoc_parse(&doc, hf_buf_cstr(&real), hf_buf_cstr(&text), text.len, NULL, &err) == 0) {
        /* the action file itself is listed so it is not read twice */
        add(w, hf_buf_cstr(&real), false, uses, HF_LANG_NONE, "", 0);
        const hf_ynode *runs = hf_ynode_get(doc.root, "runs");
        const char *using = hf_ynode_text(hf_ynode_get(runs, "using"));
        const hf_ynode *steps = hf_ynode_get(runs, "steps");
        if (using && !strcmp(using, "composite") && steps && steps->kind == HF_Y_SEQ) {
            for (size_t i = 0; i < steps->len; i++)
                step_code(w, hf_buf_cstr(&real), NULL, steps->kids[i], depth + 1);
        } else if (using && !strncmp(using, "node", 4)) {
            static const char *const entries[] = {"pre", "main", "post", NULL};
            for (const char *const *e = entries; *e; e++) {
                const char *f = hf_ynode_text(hf_ynode_get(runs, *e));
                hf_buf_clear(&path);
                if (f && resolve(&path, hf_buf_cstr(&dir), f) == 0)
                    add_file(w, hf_buf_cstr(&path), uses, depth + 1);
            }
        }
    }
    hf_ydoc_free(&doc);
done:
    hf_buf_free(&dir);
    hf_buf_free(&path);
    hf_buf_free(&real);
    hf_buf_free(&text);
}

static void step_code(walk *w, const char *holder, const hf_ynode *job, const hf_ynode *step,
                      int depth)
{
    if (depth > MAX_DEPTH || !step || step->kind != HF_Y_MAP)
        return;
    const char *uses = hf_ynode_text(hf_ynode_get(step, "uses"));
    const char *run = hf_ynode_text(hf_ynode_get(step, "run"));
    if (uses && !strncmp(uses, "./", 2)) {
        local_action(w, uses, depth);
    } else if (uses && !strncmp(uses, "actions/github-script@", 22)) {
        const char *code = hf_ynode_text(hf_ynode_get(hf_ynode_get(step, "with"), "script"));
        if (code) {
            hf_executed *e =
                add(w, holder, true, "actions/github-script", HF_LANG_JS, code, strlen(code));
            if (e) {
                /* require('./x') in github-script resolves from the workspace */
                hf_executed probe = *e;
                probe.path = "";
                probe.inline_code = true;
                js_imports(w, &probe, depth);
            }
        }
    }
    if (run && depth > 0) /* a composite action's step: its script is code the caller runs */
        add(w, holder, true, "composite action step", HF_LANG_SHELL, run, strlen(run));
    if (run) {
        const char *cwd = hf_ynode_text(hf_ynode_get(step, "working-directory"));
        if (!cwd)
            cwd = hf_ynode_text(hf_ynode_get(hf_ynode_get(hf_ynode_get(job, "defaults"), "run"),
                                             "working-directory"));
        hf_buf dir = HF_BUF_INIT;
        if (!cwd || resolve(&dir, "", cwd) < 0)
            hf_buf_clear(&dir);
        run_shell(w, run, strlen(run), hf_buf_cstr(&dir), holder, depth);
        hf_buf_free(&dir);
    }
}

/* text with each `${{ inputs.NAME }}` that with gives a scalar for
 * replaced by it. */
static void put_inputs(hf_buf *out, const char *text, size_t len, const hf_ynode *with)
{
    for (size_t i = 0; i < len;) {
        const char *open = i + 3 <= len ? memmem(text + i, len - i, "${{", 3) : NULL;
        if (!open) {
            hf_buf_put(out, text + i, len - i);
            break;
        }
        size_t at = (size_t)(open - text);
        hf_buf_put(out, text + i, at - i);
        size_t k = at + 3;
        while (k < len && (text[k] == ' ' || text[k] == '\t'))
            k++;
        size_t name = k + 7, end = name;
        while (end < len &&
               (isalnum((unsigned char)text[end]) || text[end] == '_' || text[end] == '-'))
            end++;
        size_t close = end;
        while (close < len && (text[close] == ' ' || text[close] == '\t'))
            close++;
        const char *value = NULL;
        if (k + 7 <= len && !memcmp(text + k, "inputs.", 7) && end > name && close + 2 <= len &&
            !memcmp(text + close, "}}", 2)) {
            hf_buf key = HF_BUF_INIT;
            hf_buf_put(&key, text + name, end - name);
            value = hf_ynode_text(hf_ynode_get(with, hf_buf_cstr(&key)));
            hf_buf_free(&key);
        }
        if (value && !strpbrk(value, "\n\r")) {
            hf_buf_puts(out, value);
            i = close + 2;
        } else {
            hf_buf_put(out, text + at, 3);
            i = at + 3;
        }
    }
}

int hf_job_callee(hf_overlay *ov, const hf_ynode *job, hf_ydoc *callee)
{
    const char *uses = hf_ynode_text(hf_ynode_get(job, "uses"));
    if (!uses || strncmp(uses, "./", 2) || strchr(uses, '@'))
        return 0;
    walk w = {ov, NULL};
    hf_buf path = HF_BUF_INIT, real = HF_BUF_INIT, text = HF_BUF_INIT, put = HF_BUF_INIT;
    hf_error err;
    int rc = 0;
    if (resolve(&path, "", uses) == 0 && read_code(&w, hf_buf_cstr(&path), &real, &text) == 0) {
        put_inputs(&put, text.ptr ? text.ptr : "", text.len, hf_ynode_get(job, "with"));
        rc = hf_ydoc_parse(callee, hf_buf_cstr(&real), hf_buf_cstr(&put), put.len, NULL, &err) ==
                 0 &&
             callee->root;
        if (!rc)
            hf_ydoc_free(callee);
    }
    hf_buf_free(&path);
    hf_buf_free(&real);
    hf_buf_free(&text);
    hf_buf_free(&put);
    return rc;
}

void hf_step_executes(hf_overlay *ov, const char *wf_path, const hf_ynode *job,
                      const hf_ynode *step, hf_vec *out)
{
    walk w = {ov, out};
    step_code(&w, wf_path, job, step, 0);
}
