/* The overlay: a sorted table of every path of the base tree plus what the
 * recipes did to it, an undo log for all-or-nothing steps, and the change
 * log that reports and commit trailers are made from. */
#include "edit/overlay.h"

#include <stdlib.h>
#include <string.h>

#include "util/glob.h"
#include "util/mem.h"
#include "util/path.h"

typedef struct entry {
    char *path;
    unsigned mode; /* 0: deleted (or never there) */
    git_oid oid;   /* the blob, when has_oid */
    int has_oid;
    int loaded; /* data holds the content */
    hf_buf data;
} entry;

/* An entry's state before the running step first touched it. */
typedef struct saved {
    char *path;
    unsigned mode;
    git_oid oid;
    int has_oid;
    int loaded;
    hf_buf data;
} saved;

struct hf_overlay {
    git_repository *repo;
    hf_overlay_options opts;
    hf_vec entries; /* entry *, sorted by path (strcmp) */
    hf_vec changes; /* hf_change * */
    /* open transactions, innermost last: each keeps the state of the paths
     * it touched first and where the change log stood when it began */
    struct txn {
        hf_vec undo; /* saved * */
        size_t changes;
    } txns[8];
    int depth;
};

const char *hf_change_kind_name(hf_change_kind k)
{
    switch (k) {
    case HF_CHANGE_ADD:
        return "add";
    case HF_CHANGE_MODIFY:
        return "modify";
    case HF_CHANGE_DELETE:
        return "delete";
    case HF_CHANGE_MOVE:
        return "move";
    }
    return "?";
}

static void entry_free(void *p)
{
    entry *e = p;
    free(e->path);
    hf_buf_free(&e->data);
    free(e);
}

static void change_free(void *p)
{
    hf_change *c = p;
    free(c->path);
    free(c->to);
    free(c->recipe);
    free((char *)c->mark.file);
    free(c->capability);
    free(c->exception);
    free(c);
}

static void saved_free(void *p)
{
    saved *s = p;
    free(s->path);
    hf_buf_free(&s->data);
    free(s);
}

/* Index of path, or where it would go (*found = 0). */
static size_t find(const hf_overlay *ov, const char *path, int *found)
{
    size_t lo = 0, hi = ov->entries.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(((entry *)ov->entries.items[mid])->path, path);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static entry *lookup(const hf_overlay *ov, const char *path)
{
    int found;
    size_t i = find(ov, path, &found);
    return found ? ov->entries.items[i] : NULL;
}

static entry *lookup_live(const hf_overlay *ov, const char *path)
{
    entry *e = lookup(ov, path);
    return e && e->mode ? e : NULL;
}

static entry *insert(hf_overlay *ov, const char *path)
{
    int found;
    size_t i = find(ov, path, &found);
    if (found)
        return ov->entries.items[i];
    entry *e = hf_xcalloc(1, sizeof(*e));
    e->path = hf_xstrdup(path);
    hf_vec_push(&ov->entries, NULL); /* grow by one, then shift */
    memmove(ov->entries.items + i + 1, ov->entries.items + i,
            (ov->entries.len - 1 - i) * sizeof(void *));
    ov->entries.items[i] = e;
    return e;
}

static int walk_cb(const char *root, const git_tree_entry *te, void *payload)
{
    hf_overlay *ov = payload;
    git_filemode_t mode = git_tree_entry_filemode(te);
    if (mode == GIT_FILEMODE_TREE)
        return 0;
    hf_buf path = HF_BUF_INIT;
    hf_buf_puts(&path, root);
    hf_buf_puts(&path, git_tree_entry_name(te));
    /* tree walk order is git's, not strcmp's: append now, sort once after */
    entry *e = hf_xcalloc(1, sizeof(*e));
    e->path = hf_buf_detach(&path);
    e->mode = (unsigned)mode;
    git_oid_cpy(&e->oid, git_tree_entry_id(te));
    e->has_oid = 1;
    hf_vec_push(&ov->entries, e);
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp((*(entry *const *)a)->path, (*(entry *const *)b)->path);
}

int hf_overlay_new(hf_overlay **out, git_repository *repo, git_tree *base,
                   const hf_overlay_options *opts, hf_error *err)
{
    hf_overlay *ov = hf_xcalloc(1, sizeof(*ov));
    ov->repo = repo;
    if (opts)
        ov->opts = *opts;
    if (!ov->opts.max_text_bytes)
        ov->opts.max_text_bytes = 1u << 20;
    if (base && git_tree_walk(base, GIT_TREEWALK_PRE, walk_cb, ov) < 0) {
        const git_error *ge = git_error_last();
        hf_error_set(err, "reading the base tree: %s", ge ? ge->message : "unknown error");
        hf_overlay_free(ov);
        return -1;
    }
    hf_vec_sort(&ov->entries, entry_cmp);
    *out = ov;
    return 0;
}

void hf_overlay_free(hf_overlay *ov)
{
    if (!ov)
        return;
    hf_vec_free(&ov->entries, entry_free);
    hf_vec_free(&ov->changes, change_free);
    for (int i = 0; i < ov->depth; i++)
        hf_vec_free(&ov->txns[i].undo, saved_free);
    free(ov);
}

size_t hf_overlay_max_text_bytes(const hf_overlay *ov)
{
    return ov->opts.max_text_bytes;
}

/* Normalises into buf and returns it, or NULL (err set). */
static const char *norm(hf_buf *buf, const char *path, hf_error *err)
{
    if (hf_path_normalize(buf, path, err) < 0)
        return NULL;
    return hf_buf_cstr(buf);
}

unsigned hf_overlay_mode(const hf_overlay *ov, const char *path)
{
    hf_buf p = HF_BUF_INIT;
    hf_error err;
    unsigned mode = 0;
    if (norm(&p, path, &err)) {
        entry *e = lookup_live(ov, hf_buf_cstr(&p));
        mode = e ? e->mode : 0;
    }
    hf_buf_free(&p);
    return mode;
}

static int is_dir(const hf_overlay *ov, const char *dir)
{
    hf_buf prefix = HF_BUF_INIT;
    int found, hit = 0;
    hf_buf_puts(&prefix, dir);
    hf_buf_putc(&prefix, '/');
    for (size_t i = find(ov, hf_buf_cstr(&prefix), &found); i < ov->entries.len && !hit; i++) {
        entry *e = ov->entries.items[i];
        if (strncmp(e->path, prefix.ptr, prefix.len) != 0)
            break;
        hit = e->mode != 0;
    }
    hf_buf_free(&prefix);
    return hit;
}

int hf_overlay_is_dir(const hf_overlay *ov, const char *dir)
{
    hf_buf p = HF_BUF_INIT;
    hf_error err;
    int hit = norm(&p, dir, &err) ? is_dir(ov, hf_buf_cstr(&p)) : 0;
    hf_buf_free(&p);
    return hit;
}

static int load(hf_overlay *ov, entry *e, hf_error *err)
{
    if (e->loaded)
        return 0;
    if (e->mode == GIT_FILEMODE_COMMIT)
        return hf_error_set(err, "%s: a submodule, not a file", e->path);
    git_blob *blob = NULL;
    if (!ov->repo || git_blob_lookup(&blob, ov->repo, &e->oid) < 0) {
        const git_error *ge = git_error_last();
        return hf_error_set(err, "%s: cannot read blob: %s", e->path,
                            ge ? ge->message : "no repository");
    }
    hf_buf_clear(&e->data);
    hf_buf_put(&e->data, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    e->loaded = 1;
    return 0;
}

/* The live entry of a repo path given by a caller: normalised into p (*np
 * points at it), NULL with "no such file" when absent. */
static entry *existing(const hf_overlay *ov, const char *path, hf_buf *p, const char **np,
                       hf_error *err)
{
    *np = norm(p, path, err);
    if (!*np)
        return NULL;
    entry *e = lookup_live(ov, *np);
    if (!e)
        hf_error_set(err, "%s: no such file", *np);
    return e;
}

int hf_overlay_read(hf_overlay *ov, const char *path, hf_buf *out, unsigned *mode, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    int rc = -1;
    const char *np;
    entry *e = existing(ov, path, &p, &np, err);
    if (!e)
        goto done;
    if (load(ov, e, err) < 0)
        goto done;
    hf_buf_clear(out);
    hf_buf_put(out, e->data.ptr ? e->data.ptr : "", e->data.len);
    if (mode)
        *mode = e->mode;
    rc = 0;
done:
    hf_buf_free(&p);
    return rc;
}

int hf_text_check(const char *path, const char *data, size_t len, size_t max, hf_error *err)
{
    if (len > max)
        return hf_error_set(err, "%s: %zu bytes is over the %zu-byte limit for text edits", path,
                            len, max);
    size_t probe = len < 8000 ? len : 8000;
    if (memchr(data, '\0', probe))
        return hf_error_set(err, "%s: a binary file (NUL byte); binary files are never edited",
                            path);
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)data[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        int ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++)
            ok = ((unsigned char)data[i + k] & 0xc0) == 0x80;
        if (ok && n == 2)
            ok = c >= 0xc2;
        if (ok && n == 3) {
            unsigned cp = ((c & 0x0fu) << 12) | (((unsigned char)data[i + 1] & 0x3fu) << 6) |
                          ((unsigned char)data[i + 2] & 0x3fu);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && n == 4) {
            unsigned cp = ((c & 0x07u) << 18) | (((unsigned char)data[i + 1] & 0x3fu) << 12) |
                          (((unsigned char)data[i + 2] & 0x3fu) << 6) |
                          ((unsigned char)data[i + 3] & 0x3fu);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!ok)
            return hf_error_set(err, "%s:%d:%d: invalid UTF-8; only UTF-8 text is edited", path,
                                line, col);
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += n;
    }
    return 0;
}

int hf_overlay_read_text(hf_overlay *ov, const char *path, hf_buf *out, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    int rc = -1;
    const char *np;
    entry *e = existing(ov, path, &p, &np, err);
    if (!e)
        goto done;
    if (e->mode == GIT_FILEMODE_LINK) {
        hf_error_set(err, "%s: a symbolic link; links are moved or deleted, never edited through",
                     np);
        goto done;
    }
    if (e->mode == GIT_FILEMODE_COMMIT) {
        hf_error_set(err, "%s: a submodule, not a file", np);
        goto done;
    }
    if (!e->loaded && e->has_oid && ov->repo) {
        /* check the size before reading a huge blob into memory */
        git_odb *odb = NULL;
        size_t size = 0;
        git_object_t type;
        if (git_repository_odb(&odb, ov->repo) == 0) {
            if (git_odb_read_header(&size, &type, odb, &e->oid) == 0 &&
                size > ov->opts.max_text_bytes) {
                git_odb_free(odb);
                hf_error_set(err, "%s: %zu bytes is over the %zu-byte limit for text edits", np,
                             size, ov->opts.max_text_bytes);
                goto done;
            }
            git_odb_free(odb);
        }
    }
    if (load(ov, e, err) < 0)
        goto done;
    if (hf_text_check(np, hf_buf_cstr(&e->data), e->data.len, ov->opts.max_text_bytes, err) < 0)
        goto done;
    hf_buf_clear(out);
    hf_buf_put(out, hf_buf_cstr(&e->data), e->data.len);
    rc = 0;
done:
    hf_buf_free(&p);
    return rc;
}

int hf_overlay_blob_id(hf_overlay *ov, const char *path, git_oid *out, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    int rc = -1;
    const char *np;
    entry *e = existing(ov, path, &p, &np, err);
    if (!e)
        goto done;
    if (e->has_oid) {
        git_oid_cpy(out, &e->oid);
    } else if (git_odb_hash(out, hf_buf_cstr(&e->data), e->data.len, GIT_OBJECT_BLOB) < 0) {
        hf_error_set(err, "%s: cannot hash the blob", np);
        goto done;
    }
    rc = 0;
done:
    hf_buf_free(&p);
    return rc;
}

/* Remembers e's state before the running step first changes it. */
static void save(hf_overlay *ov, const char *path)
{
    if (!ov->depth)
        return;
    hf_vec *undo = &ov->txns[ov->depth - 1].undo;
    for (size_t i = 0; i < undo->len; i++)
        if (strcmp(((saved *)undo->items[i])->path, path) == 0)
            return;
    saved *s = hf_xcalloc(1, sizeof(*s));
    s->path = hf_xstrdup(path);
    entry *e = lookup(ov, path);
    if (e) {
        s->mode = e->mode;
        s->oid = e->oid;
        s->has_oid = e->has_oid;
        s->loaded = e->loaded;
        if (e->loaded)
            hf_buf_put(&s->data, hf_buf_cstr(&e->data), e->data.len);
    }
    hf_vec_push(undo, s);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void record(hf_overlay *ov, hf_change_kind kind, const char *path, const char *to,
                   const hf_provenance *prov)
{
    /* a step that writes a file again under the same link changes it once */
    for (size_t i = ov->changes.len; prov && kind == HF_CHANGE_MODIFY && i-- > 0;) {
        const hf_change *p = ov->changes.items[i];
        if ((p->kind == HF_CHANGE_MODIFY || p->kind == HF_CHANGE_ADD) && !strcmp(p->path, path) &&
            p->step == prov->step && same_str(p->recipe, prov->recipe) &&
            same_str(p->capability, prov->capability) && same_str(p->exception, prov->exception))
            return;
        if (!strcmp(p->path, path))
            break;
    }
    hf_change *c = hf_xcalloc(1, sizeof(*c));
    c->kind = kind;
    c->path = hf_xstrdup(path);
    c->to = to ? hf_xstrdup(to) : NULL;
    if (prov) {
        c->recipe = prov->recipe ? hf_xstrdup(prov->recipe) : NULL;
        c->step = prov->step;
        c->mark = prov->mark;
        c->mark.file = prov->mark.file ? hf_xstrdup(prov->mark.file) : NULL;
        c->capability = prov->capability ? hf_xstrdup(prov->capability) : NULL;
        c->exception = prov->exception ? hf_xstrdup(prov->exception) : NULL;
    }
    hf_vec_push(&ov->changes, c);
}

/* A new or rewritten file at path must not collide with a directory, nor
 * lie under a file or symlink (which would write through a link). */
static int check_place(const hf_overlay *ov, const char *path, hf_error *err)
{
    if (is_dir(ov, path))
        return hf_error_set(err, "%s: a directory, not a file", path);
    hf_buf prefix = HF_BUF_INIT;
    int rc = 0;
    for (const char *s = strchr(path, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
        hf_buf_clear(&prefix);
        hf_buf_put(&prefix, path, (size_t)(s - path));
        entry *e = lookup_live(ov, hf_buf_cstr(&prefix));
        if (e)
            rc = hf_error_set(err, "%s: '%s' is a %s, not a directory", path, hf_buf_cstr(&prefix),
                              e->mode == GIT_FILEMODE_LINK ? "symbolic link (never followed)"
                                                           : "file");
    }
    hf_buf_free(&prefix);
    return rc;
}

int hf_overlay_write(hf_overlay *ov, const char *path, const void *data, size_t len, unsigned mode,
                     const hf_provenance *prov, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    int rc = -1;
    const char *np = norm(&p, path, err);
    if (!np)
        goto done;
    if (mode && mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
        hf_error_set(err, "%s: only regular files are written", np);
        goto done;
    }
    entry *e = lookup_live(ov, np);
    if (e && e->mode == GIT_FILEMODE_LINK) {
        hf_error_set(err, "%s: a symbolic link; refusing to write through it", np);
        goto done;
    }
    if (e && e->mode == GIT_FILEMODE_COMMIT) {
        hf_error_set(err, "%s: a submodule, not a file", np);
        goto done;
    }
    if (!e && check_place(ov, np, err) < 0)
        goto done;
    unsigned new_mode = mode ? mode : e ? e->mode : GIT_FILEMODE_BLOB;
    if (e) {
        if (load(ov, e, err) < 0)
            goto done;
        if (e->mode == new_mode && e->data.len == len &&
            (len == 0 || memcmp(e->data.ptr, data, len) == 0)) {
            rc = 0; /* already so: converged */
            goto done;
        }
    }
    save(ov, np);
    int existed = e != NULL;
    e = insert(ov, np);
    hf_buf_clear(&e->data);
    hf_buf_put(&e->data, data, len);
    e->loaded = 1;
    e->has_oid = 0;
    e->mode = new_mode;
    record(ov, existed ? HF_CHANGE_MODIFY : HF_CHANGE_ADD, np, NULL, prov);
    rc = 0;
done:
    hf_buf_free(&p);
    return rc;
}

int hf_overlay_delete(hf_overlay *ov, const char *path, const hf_provenance *prov, hf_error *err)
{
    hf_buf p = HF_BUF_INIT;
    int rc = -1;
    const char *np = norm(&p, path, err);
    if (!np)
        goto done;
    entry *e = lookup_live(ov, np);
    if (!e) {
        hf_error_set(err, "%s: no such file to delete", np);
        goto done;
    }
    save(ov, np);
    e->mode = 0;
    record(ov, HF_CHANGE_DELETE, np, NULL, prov);
    rc = 0;
done:
    hf_buf_free(&p);
    return rc;
}

int hf_overlay_move(hf_overlay *ov, const char *from, const char *to, const hf_provenance *prov,
                    hf_error *err)
{
    hf_buf pf = HF_BUF_INIT, pt = HF_BUF_INIT;
    int rc = -1;
    const char *nf = norm(&pf, from, err), *nt = nf ? norm(&pt, to, err) : NULL;
    if (!nt)
        goto done;
    entry *src = lookup_live(ov, nf);
    if (!src) {
        hf_error_set(err, "%s: no such file to move", nf);
        goto done;
    }
    if (strcmp(nf, nt) == 0) {
        rc = 0;
        goto done;
    }
    if (lookup_live(ov, nt)) {
        hf_error_set(err, "%s: cannot move %s there: the path exists", nt, nf);
        goto done;
    }
    if (check_place(ov, nt, err) < 0)
        goto done;
    save(ov, nf);
    save(ov, nt);
    entry *dst = insert(ov, nt);
    src = lookup(ov, nf); /* insert may have moved the slots, not the entries */
    dst->mode = src->mode;
    dst->oid = src->oid;
    dst->has_oid = src->has_oid;
    dst->loaded = src->loaded;
    hf_buf_clear(&dst->data);
    if (src->loaded)
        hf_buf_put(&dst->data, hf_buf_cstr(&src->data), src->data.len);
    src->mode = 0;
    record(ov, HF_CHANGE_MOVE, nf, nt, prov);
    rc = 0;
done:
    hf_buf_free(&pf);
    hf_buf_free(&pt);
    return rc;
}

void hf_overlay_list(const hf_overlay *ov, const char *glob, hf_vec *out)
{
    for (size_t i = 0; i < ov->entries.len; i++) {
        const entry *e = ov->entries.items[i];
        if (e->mode && (!glob || hf_glob_match(glob, e->path)))
            hf_vec_push(out, hf_xstrdup(e->path));
    }
}

size_t hf_overlay_change_count(const hf_overlay *ov)
{
    return ov->changes.len;
}

const hf_change *hf_overlay_change(const hf_overlay *ov, size_t i)
{
    return hf_vec_get(&ov->changes, i);
}

void hf_overlay_begin(hf_overlay *ov)
{
    if (ov->depth >= (int)(sizeof(ov->txns) / sizeof(ov->txns[0])))
        abort(); /* a programming error: transactions nest a few levels at most */
    struct txn *t = &ov->txns[ov->depth++];
    memset(&t->undo, 0, sizeof(t->undo));
    t->changes = ov->changes.len;
}

void hf_overlay_commit(hf_overlay *ov)
{
    if (!ov->depth)
        return;
    struct txn *t = &ov->txns[--ov->depth];
    if (ov->depth) {
        /* the enclosing transaction takes over the states it has not saved */
        hf_vec *outer = &ov->txns[ov->depth - 1].undo;
        for (size_t i = 0; i < t->undo.len; i++) {
            saved *s = t->undo.items[i];
            int have = 0;
            for (size_t k = 0; k < outer->len && !have; k++)
                have = strcmp(((saved *)outer->items[k])->path, s->path) == 0;
            if (have)
                saved_free(s);
            else
                hf_vec_push(outer, s);
        }
        t->undo.len = 0;
    }
    hf_vec_free(&t->undo, saved_free);
}

void hf_overlay_rollback(hf_overlay *ov)
{
    if (!ov->depth)
        return;
    struct txn *t = &ov->txns[--ov->depth];
    for (size_t i = t->undo.len; i-- > 0;) {
        saved *s = t->undo.items[i];
        entry *e = insert(ov, s->path);
        e->mode = s->mode;
        e->oid = s->oid;
        e->has_oid = s->has_oid;
        e->loaded = s->loaded;
        hf_buf_clear(&e->data);
        if (s->loaded)
            hf_buf_put(&e->data, hf_buf_cstr(&s->data), s->data.len);
    }
    while (ov->changes.len > t->changes)
        change_free(hf_vec_pop(&ov->changes));
    hf_vec_free(&t->undo, saved_free);
}

/* Builds the tree of the entries in [lo, hi), all under prefix (which ends
 * in '/' or is empty). An empty directory gives no tree (*empty = 1). */
static int build_dir(hf_overlay *ov, size_t lo, size_t hi, size_t prefix_len, git_oid *out,
                     int *empty, hf_error *err)
{
    git_treebuilder *tb = NULL;
    hf_buf name = HF_BUF_INIT;
    int rc = -1;
    *empty = 1;
    if (git_treebuilder_new(&tb, ov->repo, NULL) < 0) {
        hf_error_set(err, "cannot create a tree builder: %s", git_error_last()->message);
        goto done;
    }
    size_t count = 0;
    for (size_t i = lo; i < hi;) {
        entry *e = ov->entries.items[i];
        const char *rest = e->path + prefix_len;
        const char *slash = strchr(rest, '/');
        if (!slash) {
            i++;
            if (!e->mode)
                continue;
            if (!e->has_oid) {
                if (git_blob_create_from_buffer(&e->oid, ov->repo, hf_buf_cstr(&e->data),
                                                e->data.len) < 0) {
                    hf_error_set(err, "%s: cannot write blob: %s", e->path,
                                 git_error_last()->message);
                    goto done;
                }
                e->has_oid = 1;
            }
            if (git_treebuilder_insert(NULL, tb, rest, &e->oid, (git_filemode_t)e->mode) < 0) {
                hf_error_set(err, "%s: cannot add to tree: %s", e->path, git_error_last()->message);
                goto done;
            }
            count++;
            continue;
        }
        /* a subdirectory: its entries are contiguous in strcmp order */
        size_t sub_len = (size_t)(slash - e->path) + 1, j = i;
        while (j < hi && strncmp(((entry *)ov->entries.items[j])->path, e->path, sub_len) == 0)
            j++;
        git_oid sub;
        int sub_empty;
        if (build_dir(ov, i, j, sub_len, &sub, &sub_empty, err) < 0)
            goto done;
        if (!sub_empty) {
            hf_buf_clear(&name);
            hf_buf_put(&name, rest, (size_t)(slash - rest));
            if (git_treebuilder_insert(NULL, tb, hf_buf_cstr(&name), &sub, GIT_FILEMODE_TREE) < 0) {
                hf_error_set(err, "%s: cannot add to tree: %s", hf_buf_cstr(&name),
                             git_error_last()->message);
                goto done;
            }
            count++;
        }
        i = j;
    }
    if (git_treebuilder_write(out, tb) < 0) {
        hf_error_set(err, "cannot write tree: %s", git_error_last()->message);
        goto done;
    }
    *empty = count == 0;
    rc = 0;
done:
    git_treebuilder_free(tb);
    hf_buf_free(&name);
    return rc;
}

int hf_overlay_build_tree(hf_overlay *ov, git_oid *out, hf_error *err)
{
    int empty;
    if (!ov->repo)
        return hf_error_set(err, "no repository to write the tree into");
    return build_dir(ov, 0, ov->entries.len, 0, out, &empty, err);
}
