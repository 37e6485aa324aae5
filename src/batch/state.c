/* The apply state journal: a small JSON file, one object per repo, read at
 * the start of a run and rewritten whole (temp file + rename) after every
 * repo. */
#include "batch/state.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATE_MAX_BYTES (64u * 1024 * 1024)

static void entry_free(void *p)
{
    hf_state_entry *e = p;
    free(e->repo);
    free(e->pr_url);
    free(e->pr_state);
    free(e->result);
    free(e->message);
    free(e->at);
    free(e);
}

void hf_state_free(hf_state *st)
{
    free(st->fleet);
    free(st->branch);
    hf_vec_free(&st->entries, entry_free);
    st->fleet = st->branch = NULL;
}

void hf_state_set(char **field, const char *value)
{
    char *copy = value ? hf_xstrdup(value) : NULL;
    free(*field);
    *field = copy;
}

void hf_state_now(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void put_safe(hf_buf *b, const char *s)
{
    for (; *s; s++)
        hf_buf_putc(b, isalnum((unsigned char)*s) || *s == '-' || *s == '.' ? *s : '_');
}

char *hf_state_default_path(const char *cache_dir, const char *fleet, const char *branch)
{
    hf_buf b = HF_BUF_INIT;
    hf_buf_printf(&b, "%s/state/", cache_dir);
    put_safe(&b, fleet ? fleet : "fleet");
    hf_buf_puts(&b, "__");
    put_safe(&b, branch ? branch : "branch");
    hf_buf_puts(&b, ".json");
    return hf_buf_detach(&b);
}

/* ---- lookup -------------------------------------------------------------- */

/* Index of repo, or where it would go (*found false). */
static size_t find(const hf_state *st, const char *repo, bool *found)
{
    size_t lo = 0, hi = st->entries.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const hf_state_entry *e = st->entries.items[mid];
        int c = strcmp(e->repo, repo);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

hf_state_entry *hf_state_get(const hf_state *st, const char *repo)
{
    bool found;
    size_t i = find(st, repo, &found);
    return found ? st->entries.items[i] : NULL;
}

hf_state_entry *hf_state_put(hf_state *st, const char *repo)
{
    bool found;
    size_t i = find(st, repo, &found);
    if (found)
        return st->entries.items[i];
    hf_state_entry *e = hf_xcalloc(1, sizeof(*e));
    e->repo = hf_xstrdup(repo);
    hf_vec_push(&st->entries, NULL);
    memmove(&st->entries.items[i + 1], &st->entries.items[i],
            (st->entries.len - 1 - i) * sizeof(void *));
    st->entries.items[i] = e;
    return e;
}

/* ---- JSON ---------------------------------------------------------------- */

static void add_str(cJSON *o, const char *name, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

char *hf_state_json(const hf_state *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", HF_STATE_VERSION);
    add_str(root, "fleet", st->fleet);
    add_str(root, "branch", st->branch);
    cJSON *repos = cJSON_AddObjectToObject(root, "repos");
    for (size_t i = 0; i < st->entries.len; i++) {
        const hf_state_entry *e = st->entries.items[i];
        cJSON *o = cJSON_AddObjectToObject(repos, e->repo);
        add_str(o, "base", e->base);
        add_str(o, "tree", e->tree);
        add_str(o, "pushed", e->pushed);
        if (e->pr > 0)
            cJSON_AddNumberToObject(o, "pr", (double)e->pr);
        else
            cJSON_AddNullToObject(o, "pr");
        add_str(o, "pr_url", e->pr_url);
        add_str(o, "pr_state", e->pr_state);
        if (e->closed_pr > 0)
            cJSON_AddNumberToObject(o, "closed_pr", (double)e->closed_pr);
        if (e->held > 0)
            cJSON_AddNumberToObject(o, "held", (double)e->held);
        add_str(o, "result", e->result);
        add_str(o, "message", e->message);
        add_str(o, "at", e->at);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    hf_buf b = HF_BUF_INIT;
    hf_buf_puts(&b, text);
    hf_buf_putc(&b, '\n');
    cJSON_free(text);
    return hf_buf_detach(&b);
}

/* A string member or NULL; anything else but null is an error. */
static int get_str(const cJSON *o, const char *name, const char *repo, char **out, hf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return hf_error_set(err, "%s: '%s' is not a string", repo, name);
    hf_state_set(out, v->valuestring);
    return 0;
}

static int get_oid(const cJSON *o, const char *name, const char *repo, char out[GIT_OID_HEXSZ + 1],
                   hf_error *err)
{
    char *s = NULL;
    if (get_str(o, name, repo, &s, err) < 0)
        return -1;
    int rc = 0;
    out[0] = '\0';
    if (s) {
        git_oid id;
        if (strlen(s) != GIT_OID_HEXSZ || git_oid_fromstr(&id, s) < 0)
            rc = hf_error_set(err, "%s: '%s' is not a commit id", repo, name);
        else
            memcpy(out, s, GIT_OID_HEXSZ + 1);
    }
    free(s);
    return rc;
}

static int get_number(const cJSON *o, const char *name, const char *repo, long *out, hf_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12)
        return hf_error_set(err, "%s: '%s' is not a pull-request number", repo, name);
    *out = (long)v->valuedouble;
    return 0;
}

int hf_state_parse(hf_state *st, const char *text, size_t len, hf_error *err)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    int rc = 0;
    if (!cJSON_IsObject(root)) {
        rc = hf_error_set(err, "not a handoff state file (not a JSON object)");
        goto done;
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsNumber(version) || version->valueint != HF_STATE_VERSION) {
        rc = hf_error_set(err, "not a handoff state file of version %d", HF_STATE_VERSION);
        goto done;
    }
    if (get_str(root, "fleet", "state", &st->fleet, err) < 0 ||
        get_str(root, "branch", "state", &st->branch, err) < 0) {
        rc = -1;
        goto done;
    }
    const cJSON *repos = cJSON_GetObjectItemCaseSensitive(root, "repos");
    if (repos && !cJSON_IsObject(repos)) {
        rc = hf_error_set(err, "'repos' is not an object");
        goto done;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, repos)
    {
        if (!cJSON_IsObject(o) || !o->string || !*o->string) {
            rc = hf_error_set(err, "'repos' holds something that is not a repo record");
            goto done;
        }
        hf_state_entry *e = hf_state_put(st, o->string);
        if (get_oid(o, "base", e->repo, e->base, err) < 0 ||
            get_oid(o, "tree", e->repo, e->tree, err) < 0 ||
            get_oid(o, "pushed", e->repo, e->pushed, err) < 0 ||
            get_number(o, "pr", e->repo, &e->pr, err) < 0 ||
            get_number(o, "closed_pr", e->repo, &e->closed_pr, err) < 0 ||
            get_number(o, "held", e->repo, &e->held, err) < 0 ||
            get_str(o, "pr_url", e->repo, &e->pr_url, err) < 0 ||
            get_str(o, "pr_state", e->repo, &e->pr_state, err) < 0 ||
            get_str(o, "result", e->repo, &e->result, err) < 0 ||
            get_str(o, "message", e->repo, &e->message, err) < 0 ||
            get_str(o, "at", e->repo, &e->at, err) < 0) {
            rc = -1;
            goto done;
        }
    }
done:
    cJSON_Delete(root);
    return rc;
}

int hf_state_load(hf_state *st, const char *path, const char *fleet, const char *branch,
                  hf_error *err)
{
    hf_buf text = HF_BUF_INIT;
    FILE *probe = fopen(path, "rb");
    int rc = 0;
    if (!probe && errno == ENOENT) {
        st->fleet = fleet ? hf_xstrdup(fleet) : NULL;
        st->branch = branch ? hf_xstrdup(branch) : NULL;
        return 0;
    }
    if (probe)
        fclose(probe);
    if (hf_fs_read(&text, path, STATE_MAX_BYTES, 0, err) < 0) {
        rc = -1;
        goto done;
    }
    if (hf_state_parse(st, text.ptr ? text.ptr : "", text.len, err) < 0) {
        rc = hf_error_wrap(err, "%s", path);
        goto done;
    }
    if ((fleet && (!st->fleet || strcmp(st->fleet, fleet))) ||
        (branch && (!st->branch || strcmp(st->branch, branch)))) {
        rc = hf_error_set(err,
                          "%s: the state of fleet '%s' branch '%s', not of fleet '%s' branch "
                          "'%s'",
                          path, st->fleet ? st->fleet : "?", st->branch ? st->branch : "?",
                          fleet ? fleet : "?", branch ? branch : "?");
        goto done;
    }
done:
    hf_buf_free(&text);
    return rc;
}

int hf_state_save(const hf_state *st, const char *path, hf_error *err)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *dir = hf_xstrndup(path, (size_t)(slash - path));
        int rc = hf_fs_mkdirs(dir, err);
        free(dir);
        if (rc < 0)
            return hf_error_wrap(err, "state");
    }
    char *text = hf_state_json(st);
    int rc = hf_fs_write_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

bool hf_state_unfinished(const hf_state_entry *e)
{
    static const char *const unfinished[] = {"error", "blocked", "failed", NULL};
    if (!e)
        return false;
    if (e->held > 0)
        return true;
    for (size_t i = 0; e->result && unfinished[i]; i++)
        if (!strcmp(e->result, unfinished[i]))
            return true;
    return false;
}
