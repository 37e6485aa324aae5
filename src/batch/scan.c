/* Whole-source contract scans over a thread pool. */
#include "batch/scan.h"
#include "batch/plan.h"
#include "git/cache.h"
#include "util/pool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void hf_scan_report_free(hf_scan_report *r)
{
    free(r->repo);
    free(r->family);
    hf_vec_free(&r->findings, hf_finding_free);
    hf_vec_free(&r->problems, free);
    memset(r, 0, sizeof(*r));
}

/* One file to scan: its repo-relative path and, for trees, its blob id. */
typedef struct scan_item {
    char *path;
    git_oid blob;
} scan_item;

typedef struct scan_pool {
    const hf_contract_engine *engine;
    const hf_scan_target *target;
    const char *root;      /* directory, or NULL for trees */
    const char *repo_path; /* git repository, or NULL for directories */
    hf_vec *items;         /* scan_item * */
    atomic_size_t next;
    pthread_mutex_t lock;
    hf_scan_report *report;
} scan_pool;

static void item_free(void *p)
{
    scan_item *it = p;
    free(it->path);
    free(it);
}

static int finding_cmp(const void *a, const void *b)
{
    const hf_finding *x = *(const hf_finding *const *)a;
    const hf_finding *y = *(const hf_finding *const *)b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return strcmp(x->rule->id, y->rule->id);
}

/* Why a file was passed over, for -v. */
static const char *skip_reason(hf_scan_result res)
{
    switch (res) {
    case HF_SCAN_SKIPPED_BINARY:
        return "binary file";
    case HF_SCAN_SKIPPED_SIZE:
        return "larger than the contract's max-file-bytes";
    case HF_SCAN_QUARANTINED:
        return "quarantined by its archive set's manifest";
    default:
        return NULL;
    }
}

static void record(scan_pool *pool, const char *path, hf_vec *found, hf_scan_result res,
                   const char *problem)
{
    const char *why = problem ? NULL : skip_reason(res);
    if (why)
        hf_log_debug("%s: %s: not scanned: %s", pool->report->repo ? pool->report->repo : "", path,
                     why);
    pthread_mutex_lock(&pool->lock);
    for (size_t i = 0; i < found->len; i++)
        hf_vec_push(&pool->report->findings, found->items[i]);
    if (problem)
        hf_vec_push(&pool->report->problems, hf_xstrdup(problem));
    if (res == HF_SCAN_DONE && !problem)
        pool->report->files_scanned++;
    else
        pool->report->files_skipped++;
    pthread_mutex_unlock(&pool->lock);
    hf_vec_free(found, NULL);
}

static void scan_bytes(scan_pool *pool, const char *path, const char *blob_hex, const char *data,
                       size_t len)
{
    hf_vec found = HF_VEC_INIT;
    hf_scan_result res;
    hf_error err;
    if (hf_contract_scan(pool->engine, pool->target, path, blob_hex, data, len, &found, &res,
                         &err) < 0) {
        record(pool, path, &found, res, err.msg);
        return;
    }
    record(pool, path, &found, res, NULL);
}

/* Files up to this size are read into the worker's buffer; larger ones are
 * memory-mapped (mapping a small file costs more than reading it). */
#define READ_MAX (256u << 10)

static void scan_disk_file(scan_pool *pool, const scan_item *it, hf_buf *readbuf)
{
    hf_buf full = HF_BUF_INIT, problem = HF_BUF_INIT;
    hf_fs_join(&full, pool->root, it->path);
    int fd = open(full.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        hf_buf_printf(&problem, "%s: %s", it->path, strerror(errno));
        goto fail;
    }
    if ((size_t)st.st_size > hf_contract_max_bytes(pool->engine)) {
        hf_vec none = HF_VEC_INIT;
        record(pool, it->path, &none, HF_SCAN_SKIPPED_SIZE, NULL);
        goto done;
    }
    const char *data = "";
    void *map = NULL;
    if (st.st_size > 0 && (size_t)st.st_size <= READ_MAX) {
        hf_buf_clear(readbuf);
        hf_buf_grow(readbuf, (size_t)st.st_size + 1);
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t n = read(fd, readbuf->ptr + got, (size_t)st.st_size - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (got != (size_t)st.st_size) {
            hf_buf_printf(&problem, "%s: %s", it->path,
                          got < (size_t)st.st_size && errno ? strerror(errno)
                                                            : "changed while read");
            goto fail;
        }
        data = readbuf->ptr;
    } else if (st.st_size > 0) {
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            hf_buf_printf(&problem, "%s: %s", it->path, strerror(errno));
            goto fail;
        }
        data = map;
    }
    char hex[GIT_OID_HEXSZ + 1] = "";
    if (hf_path_under(it->path, "archive")) {
        git_oid id;
        if (git_odb_hash(&id, data, (size_t)st.st_size, GIT_OBJECT_BLOB) == 0)
            git_oid_tostr(hex, sizeof(hex), &id);
    }
    scan_bytes(pool, it->path, hex[0] ? hex : NULL, data, (size_t)st.st_size);
    if (map)
        munmap(map, (size_t)st.st_size);
    goto done;
fail : {
    hf_vec none = HF_VEC_INIT;
    record(pool, it->path, &none, HF_SCAN_DONE, hf_buf_cstr(&problem));
}
done:
    if (fd >= 0)
        close(fd);
    hf_buf_free(&full);
    hf_buf_free(&problem);
}

static void scan_blob(scan_pool *pool, git_repository *repo, const scan_item *it)
{
    git_blob *blob = NULL;
    /* the size first: an oversized blob is skipped without reading it */
    git_odb *odb = NULL;
    size_t header_size = 0;
    git_object_t type;
    int oversized = git_repository_odb(&odb, repo) == 0 &&
                    git_odb_read_header(&header_size, &type, odb, &it->blob) == 0 &&
                    header_size > hf_contract_max_bytes(pool->engine);
    git_odb_free(odb);
    if (oversized) {
        hf_vec none = HF_VEC_INIT;
        record(pool, it->path, &none, HF_SCAN_SKIPPED_SIZE, NULL);
        return;
    }
    if (git_blob_lookup(&blob, repo, &it->blob) < 0) {
        hf_buf problem = HF_BUF_INIT;
        const git_error *ge = git_error_last();
        hf_buf_printf(&problem, "%s: %s", it->path, ge ? ge->message : "cannot read blob");
        hf_vec none = HF_VEC_INIT;
        record(pool, it->path, &none, HF_SCAN_DONE, problem.ptr);
        hf_buf_free(&problem);
        return;
    }
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &it->blob);
    size_t size = (size_t)git_blob_rawsize(blob);
    if (size > hf_contract_max_bytes(pool->engine)) {
        hf_vec none = HF_VEC_INIT;
        record(pool, it->path, &none, HF_SCAN_SKIPPED_SIZE, NULL);
    } else {
        scan_bytes(pool, it->path, hex, git_blob_rawcontent(blob), size);
    }
    git_blob_free(blob);
}

static void *worker(void *arg)
{
    scan_pool *pool = arg;
    git_repository *repo = NULL;
    hf_buf readbuf = HF_BUF_INIT;
    if (pool->repo_path && git_repository_open_bare(&repo, pool->repo_path) < 0 &&
        git_repository_open(&repo, pool->repo_path) < 0)
        repo = NULL;
    for (;;) {
        size_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->items->len)
            break;
        const scan_item *it = pool->items->items[i];
        if (pool->root)
            scan_disk_file(pool, it, &readbuf);
        else if (repo)
            scan_blob(pool, repo, it);
        else {
            hf_vec none = HF_VEC_INIT;
            record(pool, it->path, &none, HF_SCAN_DONE, "cannot open the repository");
        }
    }
    git_repository_free(repo);
    hf_buf_free(&readbuf);
    return NULL;
}

static void run_pool(scan_pool *pool, int jobs)
{
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > pool->items->len)
        jobs = pool->items->len ? (int)pool->items->len : 1;
    hf_pool_run(jobs, worker, pool);
    hf_vec_sort(&pool->report->findings, finding_cmp);
}

/* ---- directories --------------------------------------------------------- */

static int list_dir(const hf_contract_engine *e, const char *root, const char *rel, hf_vec *items,
                    hf_vec *manifests, hf_scan_report *out, hf_error *err)
{
    hf_buf dir = HF_BUF_INIT;
    if (*rel)
        hf_fs_join(&dir, root, rel);
    else
        hf_buf_puts(&dir, root);
    DIR *d = opendir(dir.ptr);
    if (!d) {
        int rc = hf_error_set(err, "%s: %s", dir.ptr, strerror(errno));
        hf_buf_free(&dir);
        return rc;
    }
    /* names with their d_type in front (one byte), so most entries need no
     * lstat; DT_UNKNOWN (some file systems) falls back to lstat */
    hf_vec names = HF_VEC_INIT;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        size_t n = strlen(de->d_name);
        char *entry = hf_xmalloc(n + 2);
        entry[0] = (char)de->d_type;
        memcpy(entry + 1, de->d_name, n + 1);
        hf_vec_push(&names, entry);
    }
    closedir(d);
    int rc = 0;
    for (size_t i = 0; i < names.len && rc == 0; i++) {
        const char *name = (const char *)names.items[i] + 1;
        unsigned char type = (unsigned char)((const char *)names.items[i])[0];
        hf_buf path = HF_BUF_INIT, full = HF_BUF_INIT;
        if (*rel)
            hf_fs_join(&path, rel, name);
        else
            hf_buf_puts(&path, name);
        hf_fs_join(&full, dir.ptr, name);
        struct stat st;
        mode_t mode = type == DT_REG   ? S_IFREG
                      : type == DT_DIR ? S_IFDIR
                      : type == DT_LNK ? S_IFLNK
                                       : 0;
        if (!mode && lstat(full.ptr, &st) == 0)
            mode = st.st_mode & S_IFMT;
        if (!mode) {
            hf_vec_push(&out->problems, hf_xstrdup(full.ptr));
        } else if (S_ISLNK(mode)) {
            out->files_skipped++; /* never followed */
        } else if (S_ISDIR(mode)) {
            if (strcmp(name, ".git") && !hf_contract_skips_dir(e, name))
                rc = list_dir(e, root, path.ptr, items, manifests, out, err);
        } else if (S_ISREG(mode)) {
            if (!strcmp(name, "ARCHIVED.md") && hf_path_under(path.ptr, "archive"))
                hf_vec_push(manifests, hf_xstrdup(path.ptr));
            if (hf_contract_wants_path(e, path.ptr)) {
                scan_item *it = hf_xcalloc(1, sizeof(*it));
                it->path = hf_xstrdup(path.ptr);
                hf_vec_push(items, it);
            }
        }
        hf_buf_free(&path);
        hf_buf_free(&full);
    }
    hf_vec_free(&names, free);
    hf_buf_free(&dir);
    return rc;
}

int hf_scan_dir(const hf_contract_engine *e, const hf_scan_target *t, const char *root, int jobs,
                hf_scan_report *out, hf_error *err)
{
    hf_vec items = HF_VEC_INIT, manifests = HF_VEC_INIT;
    hf_quarantine q = {HF_VEC_INIT, HF_VEC_INIT};
    int rc = list_dir(e, root, "", &items, &manifests, out, err);
    if (rc == 0) {
        for (size_t i = 0; i < manifests.len; i++) {
            hf_buf full = HF_BUF_INIT, text = HF_BUF_INIT;
            hf_error ignored;
            hf_fs_join(&full, root, manifests.items[i]);
            if (hf_fs_read(&text, full.ptr, 4 << 20, 1, &ignored) == 0)
                hf_quarantine_add_manifest(&q, hf_buf_cstr(&text), text.len);
            hf_buf_free(&full);
            hf_buf_free(&text);
        }
        hf_scan_target target = *t;
        target.quarantine = &q;
        scan_pool pool = {
            .engine = e, .target = &target, .root = root, .items = &items, .report = out};
        atomic_init(&pool.next, 0);
        pthread_mutex_init(&pool.lock, NULL);
        run_pool(&pool, jobs);
        pthread_mutex_destroy(&pool.lock);
    }
    hf_quarantine_free(&q);
    hf_vec_free(&manifests, free);
    hf_vec_free(&items, item_free);
    return rc;
}

/* ---- git trees ----------------------------------------------------------- */

typedef struct tree_walk {
    const hf_contract_engine *engine;
    hf_vec *items;
    hf_vec *manifests; /* git_oid * of archive ARCHIVED.md blobs */
    hf_scan_report *out;
} tree_walk;

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
    tree_walk *w = payload;
    const char *name = git_tree_entry_name(entry);
    git_object_t type = git_tree_entry_type(entry);
    if (type == GIT_OBJECT_TREE)
        return (!strcmp(name, ".git") || hf_contract_skips_dir(w->engine, name)) ? 1 : 0;
    if (type != GIT_OBJECT_BLOB)
        return 0;
    hf_buf path = HF_BUF_INIT;
    hf_buf_puts(&path, root);
    hf_buf_puts(&path, name);
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
        w->out->files_skipped++;
    } else {
        if (!strcmp(name, "ARCHIVED.md") && hf_path_under(path.ptr, "archive")) {
            git_oid *id = hf_xmalloc(sizeof(*id));
            git_oid_cpy(id, git_tree_entry_id(entry));
            hf_vec_push(w->manifests, id);
        }
        if (hf_contract_wants_path(w->engine, path.ptr)) {
            scan_item *it = hf_xcalloc(1, sizeof(*it));
            it->path = hf_buf_detach(&path);
            git_oid_cpy(&it->blob, git_tree_entry_id(entry));
            hf_vec_push(w->items, it);
        }
    }
    hf_buf_free(&path);
    return 0;
}

int hf_scan_tree(const hf_contract_engine *e, const hf_scan_target *t, const char *repo_path,
                 const git_oid *tree_id, int jobs, hf_scan_report *out, hf_error *err)
{
    git_repository *repo = NULL;
    git_tree *tree = NULL;
    hf_vec items = HF_VEC_INIT, manifests = HF_VEC_INIT;
    hf_quarantine q = {HF_VEC_INIT, HF_VEC_INIT};
    int rc = -1;
    if (git_repository_open_bare(&repo, repo_path) < 0 &&
        git_repository_open(&repo, repo_path) < 0) {
        hf_error_set(err, "%s: %s", repo_path, git_error_last()->message);
        goto done;
    }
    if (git_tree_lookup(&tree, repo, tree_id) < 0) {
        hf_error_set(err, "%s: %s", repo_path, git_error_last()->message);
        goto done;
    }
    tree_walk w = {.engine = e, .items = &items, .manifests = &manifests, .out = out};
    if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w) < 0) {
        hf_error_set(err, "%s: %s", repo_path, git_error_last()->message);
        goto done;
    }
    for (size_t i = 0; i < manifests.len; i++) {
        git_blob *blob;
        if (git_blob_lookup(&blob, repo, manifests.items[i]) == 0) {
            hf_quarantine_add_manifest(&q, git_blob_rawcontent(blob),
                                       (size_t)git_blob_rawsize(blob));
            git_blob_free(blob);
        }
    }
    hf_scan_target target = *t;
    target.quarantine = &q;
    scan_pool pool = {
        .engine = e, .target = &target, .repo_path = repo_path, .items = &items, .report = out};
    atomic_init(&pool.next, 0);
    pthread_mutex_init(&pool.lock, NULL);
    run_pool(&pool, jobs);
    pthread_mutex_destroy(&pool.lock);
    rc = 0;
done:
    git_tree_free(tree);
    git_repository_free(repo);
    hf_quarantine_free(&q);
    hf_vec_free(&manifests, free);
    hf_vec_free(&items, item_free);
    return rc;
}

int hf_scan_fleet_repo(const hf_config *cfg, const hf_contract_engine *e, const hf_repo *repo,
                       const hf_vec *sources, const char *cache_dir, const char *token,
                       hf_date today, int jobs, hf_scan_report *rep)
{
    hf_buf scratch = HF_BUF_INIT;
    hf_error err;
    git_repository *mirror = NULL;
    hf_base base = {0};
    hf_mirror_options mo = {.cache_dir = cache_dir,
                            .remote = {.repo = repo->name,
                                       .url = hf_repo_source_url(cfg, sources, repo, &scratch),
                                       .token = token},
                            .branch = repo->base};
    hf_scan_target t = {.repo = repo->name, .family = rep->family, .today = today};
    int rc = 0;
    if (hf_mirror_sync(&mirror, &base, &mo, &err) < 0 ||
        hf_scan_tree(e, &t, git_repository_path(mirror), &base.tree, jobs, rep, &err) < 0) {
        hf_vec_push(&rep->problems, hf_xstrdup(err.msg));
        rc = -1;
    }
    hf_base_free(&base);
    git_repository_free(mirror);
    hf_buf_free(&scratch);
    return rc;
}
