/* Reads a git-style unified diff back into files, hunks and paired rows. */
#include "batch/diff_view.h"
#include "util/buf.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static bool starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && !memcmp(s, prefix, n);
}

/* A path as git writes it: bare, or C-quoted ("a/\303\244 b") when it holds
 * a quote, a backslash, a control or a non-ASCII byte. prefix ("a/", "b/")
 * is dropped; "/dev/null" gives NULL. */
static char *path_from(const char *s, size_t len, const char *prefix)
{
    hf_buf b = HF_BUF_INIT;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        for (size_t i = 1; i + 1 < len; i++) {
            if (s[i] != '\\' || i + 2 >= len) {
                hf_buf_putc(&b, s[i]);
                continue;
            }
            char c = s[++i];
            if (c >= '0' && c <= '3' && i + 2 < len - 1) {
                hf_buf_putc(&b, (char)((c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0')));
                i += 2;
                continue;
            }
            const char *from = "abtnvfr", *to = "\a\b\t\n\v\f\r";
            const char *k = strchr(from, c);
            hf_buf_putc(&b, k && c ? to[k - from] : c);
        }
    } else {
        hf_buf_put(&b, s, len);
    }
    char *path = hf_buf_detach(&b);
    if (!strcmp(path, "/dev/null")) {
        free(path);
        return NULL;
    }
    size_t n = strlen(prefix);
    if (!strncmp(path, prefix, n))
        memmove(path, path + n, strlen(path) - n + 1);
    return path;
}

/* "diff --git a/P b/P": both paths are the same unless the file moved, so
 * the line splits in the middle; a move is named again by "rename from/to". */
static void git_header_paths(hf_diff_file *f, const char *s, size_t len)
{
    if (len && s[0] == '"') {
        const char *end = s + 1;
        while (end < s + len && *end != '"')
            end += *end == '\\' ? 2 : 1;
        if (end >= s + len)
            return;
        size_t alen = (size_t)(end - s) + 1;
        f->old_path = path_from(s, alen, "a/");
        if (alen + 1 < len)
            f->new_path = path_from(s + alen + 1, len - alen - 1, "b/");
        return;
    }
    size_t half = len >= 5 ? (len - 5) / 2 : 0;
    if (len >= 5 && (len - 5) % 2 == 0 && starts(s, len, "a/") && !memcmp(s + 2 + half, " b/", 3) &&
        !memcmp(s + 2, s + 5 + half, half)) {
        f->old_path = path_from(s, 2 + half, "a/");
        f->new_path = path_from(s + 3 + half, len - 3 - half, "b/");
        return;
    }
    const char *sep = NULL;
    for (size_t i = 0; i + 3 <= len && !sep; i++)
        if (!memcmp(s + i, " b/", 3))
            sep = s + i;
    if (sep) {
        f->old_path = path_from(s, (size_t)(sep - s), "a/");
        f->new_path = path_from(sep + 1, len - (size_t)(sep - s) - 1, "b/");
    }
}

static void set_path(char **slot, const char *s, size_t len, const char *prefix)
{
    if (len && s[len - 1] == '\t') /* git ends a name holding a space with a tab */
        len--;
    free(*slot);
    *slot = path_from(s, len, prefix);
}

/* The removed and added lines of the current run, waiting for their pair. */
typedef struct pending {
    hf_vec removed, added; /* hf_diff_side * */
} pending;

static void flush(hf_diff_hunk *h, pending *p)
{
    size_t n = p->removed.len > p->added.len ? p->removed.len : p->added.len;
    for (size_t i = 0; i < n; i++) {
        hf_diff_row *r = hf_xcalloc(1, sizeof(*r));
        hf_diff_side *o = hf_vec_get(&p->removed, i), *a = hf_vec_get(&p->added, i);
        if (o)
            r->old = *o;
        if (a)
            r->new = *a;
        r->kind = o && a ? HF_ROW_CHANGED : o ? HF_ROW_REMOVED : HF_ROW_ADDED;
        hf_vec_push(&h->rows, r);
    }
    hf_vec_free(&p->removed, free);
    hf_vec_free(&p->added, free);
}

static size_t number_after(const char *s, size_t len, char sign, size_t *count)
{
    const char *at = memchr(s, sign, len);
    *count = 1;
    if (!at)
        return 0;
    char *end;
    size_t n = strtoul(at + 1, &end, 10);
    if (*end == ',')
        *count = strtoul(end + 1, NULL, 10);
    return n;
}

void hf_diff_view_parse(hf_vec *files, const char *diff)
{
    hf_diff_file *f = NULL;
    hf_diff_hunk *h = NULL;
    pending p = {HF_VEC_INIT, HF_VEC_INIT};
    size_t old_left = 0, new_left = 0, old_no = 0, new_no = 0;
    hf_diff_side *last_side = NULL; /* the line a "\ No newline" is about */
    hf_diff_row *last_row = NULL;
    for (const char *s = diff ? diff : ""; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        const char *next = nl ? nl + 1 : s + len;
        if (h && (old_left || new_left) && (len == 0 || strchr(" -+", s[0]))) {
            char sign = len ? s[0] : ' ';
            hf_diff_side side = {s + (len ? 1 : 0), len ? len - 1 : 0, 0, false};
            if (sign == ' ') {
                flush(h, &p);
                hf_diff_row *r = hf_xcalloc(1, sizeof(*r));
                r->kind = HF_ROW_CONTEXT;
                r->old = side;
                r->new = side;
                r->old.line = old_no++;
                r->new.line = new_no++;
                old_left -= old_left > 0;
                new_left -= new_left > 0;
                hf_vec_push(&h->rows, r);
                last_row = r;
                last_side = NULL;
            } else {
                hf_diff_side *copy = hf_xmalloc(sizeof(*copy));
                *copy = side;
                copy->line = sign == '-' ? old_no++ : new_no++;
                if (sign == '-')
                    old_left -= old_left > 0;
                else
                    new_left -= new_left > 0;
                hf_vec_push(sign == '-' ? &p.removed : &p.added, copy);
                last_side = copy;
                last_row = NULL;
            }
        } else if (h && len && s[0] == '\\') {
            if (last_side)
                last_side->no_eol = true;
            else if (last_row)
                last_row->old.no_eol = last_row->new.no_eol = true;
        } else if (starts(s, len, "diff --git ")) {
            if (h)
                flush(h, &p);
            h = NULL;
            f = hf_xcalloc(1, sizeof(*f));
            hf_vec_push(files, f);
            git_header_paths(f, s + 11, len - 11);
        } else if (f && starts(s, len, "@@ -")) {
            if (h)
                flush(h, &p);
            h = hf_xcalloc(1, sizeof(*h));
            h->header = s;
            h->header_len = len;
            hf_vec_push(&f->hunks, h);
            const char *close = len > 4 ? memchr(s + 3, '@', len - 3) : NULL;
            size_t span = close ? (size_t)(close - s) : len;
            old_no = number_after(s, span, '-', &old_left);
            new_no = number_after(s, span, '+', &new_left);
            /* an empty side names the line before it ("-0,0") */
            old_no += old_no == 0;
            new_no += new_no == 0;
            last_side = NULL;
            last_row = NULL;
        } else if (f && !h) {
            if (starts(s, len, "--- "))
                set_path(&f->old_path, s + 4, len - 4, "a/");
            else if (starts(s, len, "+++ "))
                set_path(&f->new_path, s + 4, len - 4, "b/");
            else if (starts(s, len, "rename from ") || starts(s, len, "copy from "))
                set_path(&f->old_path, s + (s[0] == 'r' ? 12 : 10), len - (s[0] == 'r' ? 12 : 10),
                         "");
            else if (starts(s, len, "rename to ") || starts(s, len, "copy to "))
                set_path(&f->new_path, s + (s[0] == 'r' ? 10 : 8), len - (s[0] == 'r' ? 10 : 8),
                         "");
            if (starts(s, len, "new file mode")) {
                free(f->old_path);
                f->old_path = NULL;
            } else if (starts(s, len, "deleted file mode")) {
                free(f->new_path);
                f->new_path = NULL;
            }
            if (starts(s, len, "Binary files ") || starts(s, len, "GIT binary patch"))
                f->binary = true;
            if (!starts(s, len, "index ") && !starts(s, len, "--- ") && !starts(s, len, "+++ "))
                hf_vec_push(&f->meta, hf_xstrndup(s, len));
        }
        s = next;
    }
    if (h)
        flush(h, &p);
}

static void hunk_free(void *hunk)
{
    hf_diff_hunk *h = hunk;
    hf_vec_free(&h->rows, free);
    free(h);
}

void hf_diff_file_free(void *file)
{
    hf_diff_file *f = file;
    if (!f)
        return;
    free(f->old_path);
    free(f->new_path);
    hf_vec_free(&f->meta, free);
    hf_vec_free(&f->hunks, hunk_free);
    free(f);
}

const char *hf_diff_file_path(const hf_diff_file *f)
{
    return f->new_path ? f->new_path : f->old_path ? f->old_path : "";
}
